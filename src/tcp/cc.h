/* Congestion control behind one hook table (CC-4), as FreeBSD's cc_algo: the TCP core calls
 * the hooks, the algorithm owns cwnd and ssthresh. NewReno (RFC 5681, 6582) and CUBIC
 * (RFC 9438, the default as on Linux). */
#ifndef SK_CC_H
#define SK_CC_H

#include <stdint.h>

/* What a congestion signal was (RFC 5681 3.2 vs 3.1; RFC 9438 4.6/4.8). */
enum sk_cc_signal {
	SK_CC_LOSS,    /* fast retransmit: duplicate ACKs or SACK-detected loss */
	SK_CC_RTO,     /* retransmission timeout */
	SK_CC_ECN,     /* an ECN echo (RFC 3168 6.1.2): cwnd, not FlightSize, is halved */
};

/* The per-connection state every algorithm works on; the algorithm's private part is in
 * priv (sized for CUBIC's needs). */
struct sk_cc {
	uint32_t cwnd;       /* bytes */
	uint32_t ssthresh;   /* bytes; UINT32_MAX = infinite */
	uint32_t bytes_acked; /* appropriate byte counting in congestion avoidance (RFC 3465) */
	uint16_t mss;        /* sender MSS (SMSS), bytes */
	uint8_t algo;        /* index into sk_cc_algos */
	uint32_t priv[8];    /* (read and written by copy: no alignment beyond 4 needed) */
};

/* What the TCP core tells the hooks besides the state. */
struct sk_cc_ack {
	uint64_t now;        /* µs */
	uint32_t acked;      /* bytes newly acknowledged by this ACK */
	uint32_t flight;     /* bytes in flight before this ACK */
	uint32_t srtt;       /* µs, 0 if unknown */
	uint32_t min_rtt;    /* µs, 0 if unknown */
	int cwnd_limited;    /* the sender was using its whole window */
};

struct sk_cc_ops {
	const char *name;
	void (*init)(struct sk_cc *c, uint32_t init_cwnd_segments);
	/* A new cumulative ACK outside recovery: grow the window. */
	void (*ack_received)(struct sk_cc *c, const struct sk_cc_ack *a);
	/* Loss or timeout detected: set ssthresh (and cwnd). flight = bytes in flight. */
	void (*cong_signal)(struct sk_cc *c, enum sk_cc_signal sig, uint32_t flight, uint64_t now);
	/* Recovery is over (the recovery point was acknowledged). */
	void (*post_recovery)(struct sk_cc *c, uint32_t flight, uint64_t now);
	/* Sending resumes after idle_us without data in flight, longer than the RTO rto_us
	 * (RFC 5681 4.1, RFC 9438 5.8). */
	void (*after_idle)(struct sk_cc *c, uint32_t init_cwnd_segments, uint64_t idle_us, uint32_t rto_us,
			   uint64_t now);
};

extern const struct sk_cc_ops sk_cc_newreno, sk_cc_cubic;

/* The algorithm with this name ("newreno", "reno" as its alias, "cubic"), or -1. */
int sk_cc_find(const char *name);
const struct sk_cc_ops *sk_cc_get(int algo);
const char *sk_cc_name(int algo);

/* Shared by the algorithms (RFC 5681 3.1): grows cwnd by the bytes acked, up to ssthresh, as
 * Linux's tcp_slow_start (an ACK for ten segments, a stretch ACK, adds ten; RFC 3465 would
 * cap it at 2 SMSS). Returns 1 if in slow start (it handled the ACK). */
int sk_cc_slow_start(struct sk_cc *c, uint32_t acked);
/* RFC 5681 4.1, as Linux's tcp_cwnd_restart reads its SHOULD: ssthresh keeps at least 3/4 of
 * cwnd, and cwnd halves for each RTO of the idle time, never below the initial window. */
void sk_cc_restart_window(struct sk_cc *c, uint32_t init_cwnd_segments, uint64_t idle_us, uint32_t rto_us);

/* Sets the algorithm and initialises the state. */
void sk_cc_select(struct sk_cc *c, int algo, uint32_t mss, uint32_t init_cwnd_segments);

#endif
