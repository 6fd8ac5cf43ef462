/* TCP's connection records: the full TCB (RFC 9293 3.3.1 names), the small half-open record
 * of a listener's SYN queue, and the small TIME-WAIT record; and the functions the TCP files
 * share. */
#ifndef SK_TCB_H
#define SK_TCB_H

#include "base/wheel.h"
#include "buf/assembler.h"
#include "stack/addr.h"
#include "stack/stack.h"
#include "tcp/cc.h"
#include "tcp/rack.h"
#include "tcp/sack.h"
#include "wire/icmp.h"
#include "wire/tcp.h"

/* What a 4-tuple table entry is. */
enum sk_conn_kind { SK_CONN_TCB = 1, SK_CONN_SYN, SK_CONN_TW, SK_CONN_UDP };
/* (SK_CONN_UDP records are never in the 4-tuple table: only the handle table holds them.) */

/* The addresses and ports of a table entry. An IPv4 entry's addresses are here; an IPv6
 * entry keeps a 32-bit fold of each (a quick filter) and its whole addresses after the
 * record (struct sk_a6), so IPv4 records stay as small as they were. */
struct sk_conn_key {
	uint32_t laddr, raddr;
	uint16_t lport, rport;
};

/* An IPv6 entry's addresses, stored a6_off bytes after the start of its record. */
struct sk_a6 {
	uint8_t l[16], r[16];
};

/* The head every table entry starts with. */
struct sk_conn {
	struct sk_conn *hnext;
	struct sk_conn_key key;
	uint8_t kind;
	uint8_t v6;      /* the key is IPv6: its addresses are at a6_off */
	uint16_t a6_off; /* where the record's room for struct sk_a6 is; 0 = it has none */
};

/* How a table entry with a timer of its own (a connection, a half-open one, a tunnel's UDP
 * flow) begins: the timer right after the entry's head, so the wheel's callback finds the
 * record, and its kind, from the timer (sk_timed_conn). Each such record asserts it. */
struct sk_timed {
	struct sk_conn h;
	struct sk_timer timer;
};
#define SK_TIMED_LAYOUT(type)                                                                    \
	_Static_assert(offsetof(type, h) == 0 && offsetof(type, timer) == offsetof(struct sk_timed, timer), \
		       #type " must begin as struct sk_timed")
static inline struct sk_conn *sk_timed_conn(struct sk_timer *t)
{
	return (struct sk_conn *)((char *)t - offsetof(struct sk_timed, timer));
}

/* Bytes a record of size base takes with room for IPv6 addresses (v6), or without. */
static inline size_t sk_conn_alloc_size(size_t base, int v6)
{
	return v6 ? (base + 7) / 8 * 8 + sizeof(struct sk_a6) : base;
}
/* Marks a freshly allocated record of size base as having that room (v6) or not. */
static inline void sk_conn_init_room(struct sk_conn *c, size_t base, int v6)
{
	c->v6 = 0;
	c->a6_off = v6 ? (uint16_t)((base + 7) / 8 * 8) : 0;
}
/* The entry's two ends (its IPv6 addresses, or IPv4 ones from the key). */
void sk_conn_ends(const struct sk_conn *c, struct sk_ends *e);
/* Sets the entry's addresses from e (ports are the key's own): 0, or -EAFNOSUPPORT for
 * IPv6 ends in a record without room for them. Only while it is out of the table. */
int sk_conn_set_ends(struct sk_conn *c, const struct sk_ends *e);
/* Each end in the public form, with its port. */
struct synack_sockaddr sk_conn_local(const struct sk_conn *c);
struct synack_sockaddr sk_conn_remote(const struct sk_conn *c);

/* RFC 3168 5: the IP header's ECN field. */
enum { SK_ECN_NOT_ECT = 0, SK_ECN_ECT1 = 1, SK_ECN_ECT0 = 2, SK_ECN_CE = 3 };
/* ECN state of a connection (sk_tcb.ecn): the receiver echoes ECE until it sees CWR; the
 * sender sets CWR on its next new segment after reducing; it is in CWR until snd_una passes
 * cwr_seq, reacting once per window (RFC 3168 6.1.2, 6.1.3). */
enum { ECN_DEMAND_CWR = 1, ECN_QUEUE_CWR = 2, ECN_IN_CWR = 4 };

/* What the sender is recovering from (sk_tcb.in_recovery): nothing; a loss found by
 * duplicate ACKs (RFC 6582) or SACK (RFC 6675, RACK-TLP), under PRR; or a timeout (as Linux's
 * Loss state): everything outstanding went again, go-back-N from snd_una in slow start,
 * until snd_una passes the recovery point, without a second reduction. */
enum { SK_REC_OPEN = 0, SK_REC_NEWRENO = 1, SK_REC_SACK = 2, SK_REC_LOSS = 3 };

/* Linux's shortest timer, TCP_TIMEOUT_MIN: 2 jiffies at Debian's HZ of 250. */
#define SK_TCP_TIMEOUT_MIN_US 8000u

/* Timers of a TCB, each an absolute deadline; the TCB arms its one wheel timer for the
 * earliest (design principle 6: few deadlines per connection, one structure per stack). The
 * first SK_TT_HOT live in the TCB; the others run only while data is queued or in flight and
 * live in its flight state (struct sk_flight), so a quiet connection does not carry them. */
enum sk_tt { SK_TT_REXMT, SK_TT_KEEP, SK_TT_DELACK, SK_TT_PERSIST, SK_TT_REO, SK_TT_TLP, SK_TT_COUNT };
#define SK_TT_HOT SK_TT_PERSIST
/* SK_TT_REO: RACK's reordering timer; SK_TT_TLP: the tail-loss probe (recovery.c).
 * SK_TT_KEEP: keepalive, or, for a connection closed by its application in FIN-WAIT-2
 * (sk_tcb_fin_wait_2_limited), the FIN-WAIT-2 limit (CL-9), which takes keepalive's place
 * as in Linux, where one timer does both. */

enum {
	TF_ACKNOW = 1u << 0,     /* send an ACK at the next output */
	TF_DELACK = 1u << 1,     /* an ACK is owed, delayed */
	TF_NODELAY = 1u << 2,    /* TCP_NODELAY */
	TF_TS = 1u << 3,         /* timestamps negotiated */
	TF_SACK = 1u << 4,       /* SACK negotiated */
	TF_WS = 1u << 5,         /* window scaling negotiated */
	TF_FIN_QUEUED = 1u << 6, /* the application is done sending: FIN follows the data */
	TF_FIN_RCVD = 1u << 7,   /* the peer's FIN arrived (EOF after the data) */
	TF_APP_CLOSED = 1u << 8, /* close() was called: the socket is orphaned */
	TF_SHUT_RD = 1u << 9,
	TF_KEEPALIVE = 1u << 10, /* SO_KEEPALIVE */
	TF_LINGER0 = 1u << 11,   /* SO_LINGER {1, 0} */
	TF_ACCEPTED = 1u << 12,  /* handed to the application (or created by connect) */
	TF_CONNECTING = 1u << 13,
	TF_REUSEADDR = 1u << 14,
	TF_RCV_SYN = 1u << 15,   /* simultaneous open: the peer's SYN arrived in SYN-SENT */
	TF_BOUND = 1u << 16,     /* holds a reference on its local port (bind) */
	TF_FORCE = 1u << 17,     /* the override timeout fired: a sliver of window may be used */
	TF_SYNCED = 1u << 18,    /* reached ESTABLISHED once: connect() says EISCONN ever after */
	TF_RCVBUF_LOCK = 1u << 19, /* SO_RCVBUF set: no receive-buffer autotuning */
	TF_CORK = 1u << 20,      /* TCP_CORK: only full segments until uncorked */
	TF_FIN_OOO = 1u << 21,   /* the peer's FIN arrived ahead of a hole: at fin_seq */
	TF_LINGER = 1u << 22,    /* SO_LINGER {1, linger_s > 0}: close() waits */
	TF_MORE = 1u << 23,      /* during a send with MSG_MORE: corked for that call */
	TF_ECN = 1u << 24,       /* ECN negotiated (RFC 3168) */
	TF_SOCK6 = 1u << 25,     /* an AF_INET6 socket: IPv4 ends show as IPv4-mapped */
	TF_V6ONLY = 1u << 26,    /* IPV6_V6ONLY: an AF_INET6 socket that takes no IPv4 */
	TF_TUNNEL = 1u << 27,    /* the listener of tunnel mode (stack/tunnel.c) */
	TF_TNLFLOW = 1u << 28,   /* a connection that listener took: counted against the
				  * tunnel's limits until freed (stack/tunnel.c) */
	TF_ACK_BATCH = 1u << 29, /* an ACK owed at the end of synack_input_batch (delack.c) */
	TF_TAIL_HELD = 1u << 30, /* a short tail waits in held_tails (output.c, autocorking) */
};
/* In a listener's accept queue (sk_listener_holding finds it). (A macro: an enumerator must
 * fit an int.) */
#define TF_QUEUED (1u << 31)
/* The addresses a socket with these flags takes (stack/addr.h). */
static inline enum sk_takes sk_tcb_takes(uint32_t flags)
{
	return sk_takes_of((flags & TF_SOCK6) != 0, (flags & TF_V6ONLY) != 0);
}
/* What a socket keeps of its options when a failed connect is tried again. */
#define TF_SOCKOPTS (TF_NODELAY | TF_KEEPALIVE | TF_LINGER0 | TF_LINGER | TF_REUSEADDR | TF_BOUND | TF_RCVBUF_LOCK | TF_CORK | TF_SOCK6 | TF_V6ONLY)

/* A byte queue (send data, or in-order received data not yet read). Storage is allocated
 * on the first byte and freed when the queue empties, so an idle connection holds none
 * (CONN-3). Without storage, head keeps the size the ring had when it last emptied: the
 * next ring is a block up to that size if the stack's pool keeps one, so a queue that
 * empties and refills many times a second (a bulk sender whose every byte was acknowledged
 * before its next write) does not grow again from small, copying at each doubling. */
struct sk_bytes {
	uint8_t *buf;          /* the ring (its size is kept before it: sk_bytes_cap) */
	uint32_t head, len;
};

/* 32-bit time stamps in the TCB, as Linux keeps its jiffies: the low 32 bits of the stack's
 * clock in µs (ages up to 71 minutes) or in ms (49 days); an age is the unsigned difference,
 * so a longer interval reads as its remainder. A stamp is the clock plus one, so that
 * fields can use 0 for "none yet" even for a clock that starts at 0 (once in 2^32 ticks a
 * stamp is 0 and reads as none). */
static inline uint32_t sk_stamp_us(uint64_t now)
{
	return (uint32_t)now + 1;
}
static inline uint32_t sk_age_us(uint64_t now, uint32_t stamp)
{
	return (uint32_t)now + 1 - stamp;
}
static inline uint32_t sk_stamp_ms(uint64_t now)
{
	return (uint32_t)(now / 1000) + 1;
}
static inline uint32_t sk_age_ms(uint64_t now, uint32_t stamp)
{
	return (uint32_t)(now / 1000) + 1 - stamp;
}
/* The time (µs, to the ms) of an ms stamp taken at most 49 days before now. */
static inline uint64_t sk_when_ms(uint64_t now, uint32_t stamp)
{
	return now - (uint64_t)sk_age_ms(now, stamp) * 1000;
}

/* Socket options few applications set, out of line (in struct sk_cold): all 0 while each has its
 * default, so a connection that sets none does not carry them. 0 means the default. */
struct sk_sockopts {
	uint32_t user_sndbuf;     /* SO_SNDBUF: bytes the send queue may hold, 0 = autotuned */
	uint32_t user_timeout_ms; /* TCP_USER_TIMEOUT, 0 = none */
	uint32_t linger_s;        /* SO_LINGER's time (TF_LINGER) */
	uint16_t keepidle_s, keepintvl_s; /* TCP_KEEPIDLE, TCP_KEEPINTVL (Linux's limit: 32767) */
	uint16_t user_mss;        /* TCP_MAXSEG: clamps both MSSes of later connections */
	uint8_t keepcnt;          /* TCP_KEEPCNT */
};

/* What few connections need, out of line (sk_tcb.cold): the socket options few applications
 * set, and counts of what a clean path never sees. NULL while every option has its default
 * and nothing has been counted, so an idle connection on a clean path does not carry it. */
struct sk_cold {
	struct sk_sockopts o;
	uint32_t total_retrans;     /* segments sent again, over the connection's life (TCP_INFO) */
	uint32_t sack_recoveries;   /* recoveries with SACK (TCP_INFO) */
	uint32_t dsacks;            /* D-SACK blocks received (TCP_INFO) */
	uint32_t last_challenge_ms; /* the last challenge ACK (sk_stamp_ms), 0 none */
};

struct sk_listen {
	struct sk_tcb *aq_head, *aq_tail; /* accept queue: established, not yet accepted */
	uint32_t aq_len, backlog;
	uint32_t syn_len;                 /* half-open records of this listener */
	struct sk_syn *syn_head;          /* those records */
	uint64_t last_cookie;             /* when a SYN cookie was last sent (0 = never) */
	struct sk_tcb *lnext;             /* the next listener of its listener-table chain */
};

/* What a sender keeps only while it has data (or a FIN, or its SYN) queued or
 * unacknowledged: loss recovery's state (RFC 6675 with SACK, RFC 6582 without, PRR), RACK-TLP's
 * log of what was sent when, HyStart's current round, the PSH marks, the segment being timed
 * and the first timeout's stamp. Allocated when there is something to send (sk_tcb_flight),
 * freed when everything is acknowledged again, so an idle connection does not carry it. */
struct sk_flight {
	struct sk_rack rk;     /* RACK-TLP's log (used when rack is set) */
	struct sk_scoreboard *sb; /* the SACK scoreboard, allocated on the first SACK */
	uint8_t rack;          /* RACK-TLP runs (SACK, tcp_recovery) */
	uint16_t hs_samples;   /* HyStart++ (RFC 9406): RTT samples of this round */
	uint32_t prior_cwnd;   /* PRR (RFC 6937): cwnd when recovery began, */
	uint32_t prr_delivered, prr_out; /* bytes delivered and sent since */
	uint32_t recover;      /* recovery point: snd_max when recovery began */
	uint32_t high_rxt;     /* RFC 6675 HighRxt: end of what recovery retransmitted */
	uint32_t inflate;      /* NewReno window inflation during recovery (no SACK) */
	uint32_t una_mark;     /* snd_max when snd_una's segment was last sent in recovery */
	uint32_t cwr_seq;      /* snd_max when CWR began */
	uint32_t psh_mark[4];  /* ends of recent segments sent with PSH, so a retransmission
				* carries the flag as first sent; 0 = none */
	/* how much of cwnd the sender used in the current window (Linux's tcp_cwnd_validate):
	 * grow() lets only a used window grow (RFC 7661); a new flight starts a new window */
	uint32_t max_flight;   /* the most in flight since cwnd_usage_seq was set */
	uint32_t cwnd_usage_seq; /* the window ends when this is acknowledged */
	uint32_t snd_sml;      /* end of the latest small segment sent (Minshall's Nagle) */
	uint32_t hs_round_end; /* HyStart's round ends when this is acknowledged */
	uint32_t hs_cur_min;   /* µs, UINT32_MAX = none yet */
	uint64_t hs_round_start, hs_last_ack; /* the ACK train of this round */
	uint64_t rtt_start;    /* the timed segment's send time + 1; 0 = none timed */
	uint32_t rtt_seq;      /* the segment being timed (RFC 6298 with Karn's rule) */
	uint64_t rtx_stamp;    /* when the oldest unacknowledged segment was first sent, once it
				* timed out (0: none): TCP_USER_TIMEOUT counts from it */
	uint64_t deadline[SK_TT_COUNT - SK_TT_HOT]; /* the persist, reordering and probe timers */
};

struct sk_tcb {
	struct sk_conn h;
	struct sk_timer timer;
	int handle;           /* socket handle, -1 once orphaned by close() */
	uint8_t state;
	uint8_t snd_wscale, rcv_wscale;
	uint8_t backoff;      /* consecutive retransmission timeouts */
	uint8_t keep_sent;    /* unanswered keepalive probes */
	uint8_t soft_err;     /* last soft ICMP error (RFC 1122 4.2.3.9), reported on timeout */
	uint8_t ecn;           /* ECN_* (TF_ECN connections; packed here) */
	uint8_t ack_pushed;    /* the ACK engine's: 1: a small pushed segment arrived since the
				* last ACK; 2: more (packed here) */
	uint32_t flags;
	int soerror;          /* pending error (SO_ERROR), positive errno */
	/* send sequence space */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	/* receive sequence space (IRS is rcv_nxt - 1 until data arrives: not kept) */
	uint32_t rcv_nxt, rcv_adv;
	uint32_t fin_seq;      /* where an out-of-order FIN sits (TF_FIN_OOO) */
	uint16_t mss;         /* most we send in one segment */
	uint16_t adv_mss;     /* what we announced */
	uint8_t persist_backoff; /* (a few small fields sit where they fill a gap: "packed here") */
	uint8_t cwnd_limited;  /* cwnd stopped the sender in this window (cwnd_usage_seq's; packed here) */
	uint8_t dupacks;       /* (packed here) */
	uint8_t in_recovery;   /* SK_REC_* (packed here) */
	/* timestamps (RFC 7323) */
	uint32_t ts_recent, ts_offset;
	uint32_t last_ack_sent; /* Last.ACK.sent: the ack field of our latest segment */
	/* RTT (RFC 6298), microseconds */
	uint32_t srtt, rttvar, rto;
	uint32_t sndbuf_hw;    /* autotuned send buffer: twice the largest cwnd so far, within
				* tcp_wmem (grows only; sk_tcb_sndbuf_expand; packed here) */
	uint32_t last_rcv;    /* ms stamp (sk_stamp_ms): a segment last arrived (keepalive's idle
			       * time, TCP_USER_TIMEOUT's, the tunnel's idlest flow) */
	uint32_t last_send;    /* µs stamp (sk_stamp_us): a segment last went (restart after idle,
				* TSO deferral); 0 = none yet */
	uint64_t deadline[SK_TT_HOT]; /* (the rest in fl: sk_tcb_deadline) */
	struct sk_bytes snd, rcv;
	/* receive side beyond rcv_nxt: ranges held out of order (allocated on the first
	 * one, freed when none is left), and the buffer limit autotuning moves */
	struct sk_assembler *asmb;
	uint32_t rcvbuf;
	uint32_t rcv_ssthresh; /* the window's growth front (Linux's rcv_ssthresh): the window
				* offered is at most this; UINT32_MAX (tcp_ack_read_wait 0): the
				* whole free buffer */
	uint32_t rcv_copied;   /* bytes read since rcv_mark (receive autotuning) */
	uint32_t last_rtt;     /* µs: the latest RTT sample (packed here) */
	uint32_t rcv_mark;     /* µs stamp (sk_stamp_us): the receive autotuning round began */
	/* send side: congestion control; what loss recovery needs only while data is queued
	 * or unacknowledged is out of line (fl, below) */
	struct sk_cc cc;
	uint32_t max_sndwnd;   /* largest window the peer offered (sender SWS; packed here) */
	struct sk_flight *fl;  /* NULL while the sender is quiet (sk_tcb_flight) */
	struct sk_cold *cold;  /* rare options and counts; NULL while there are none (sk_tcb_cold) */
	uint32_t hs_last_min;  /* HyStart: the last whole round's minimum RTT, µs, UINT32_MAX none */
	uint16_t rcv_mss;      /* the ACK engine's: the peer's full segment, as estimated from what
				* arrives (packed here) */
	/* RACK's view of the path, kept while the sender is quiet (RFC 8985 6.2 step 4) */
	uint8_t reord_seen;    /* the receiver reordered data once */
	uint8_t reo_steps;     /* RACK.reo_wnd_mult (0 reads as 1), grown by D-SACKs */
	uint8_t reo_persist;   /* RACK.reo_wnd_persist: recoveries left before reo_steps is 1 again */
	uint8_t dsack_seen;    /* a D-SACK came while the sender was quiet: counted at the next ACK */
	uint8_t limited_tx;    /* RFC 3042 segments allowed beyond cwnd (packed here) */
	uint8_t acked_4g;      /* the peer has acknowledged 4 GiB or more of our data (RFC 5961
				* 5.2's bound; packed here) */
	uint8_t tlp_open;      /* a retransmitted loss probe's episode was still open, its end at
				* snd_una, when the flight state went: the next one reopens it
				* (recovery.c tlp_ack; packed here) */
	uint32_t min_rtt;      /* µs: the smallest RTT sample, 0 = none */
	/* the receiver's ACK engine (delack.c) */
	uint32_t ato;          /* µs: the delayed ACK's timeout; 0 until data first arrives */
	uint16_t last_seg_size;
	uint8_t quick;         /* ACKs still to send at once */
	uint8_t pingpong;      /* interactive: ACKs wait for a reply to ride on */
	uint32_t lrcvtime;     /* ms stamp (sk_stamp_ms): data last arrived */
	/* listener relations: a listener is never in an accept queue, so its record and a queued
	 * connection's link share their place; read them through sk_tcb_listen (and aq_next
	 * only while TF_QUEUED) */
	union {
		struct sk_listen *lst;  /* a listener's (state LISTEN) */
		struct sk_tcb *aq_next; /* the next of its listener's accept queue (TF_QUEUED) */
	};
};
SK_TIMED_LAYOUT(struct sk_tcb);

/* A half-open connection in a listener's SYN queue (LQ-1): no socket, no buffers. */
struct sk_syn {
	struct sk_conn h;
	struct sk_timer timer;
	struct sk_tcb *listener;
	struct sk_syn *lnext, *lprev; /* the listener's list, to drop them when it closes */
	uint32_t iss, irs;
	uint32_t ts_recent, ts_offset;
	uint16_t peer_mss;
	uint8_t peer_ws;       /* 0xff = not offered */
	uint8_t sack_ok, ts_ok, ecn_ok;
	uint8_t retries;
	uint8_t deferred;      /* tunnel mode: no SYN+ACK until the application's verdict */
	uint32_t synack_us;    /* when the SYN+ACK left (sk_stamp_us; RTT sample), 0 unknown */
	uint32_t last_oow_ms;  /* the last ACK to a stray (sk_stamp_ms), 0 none */
};
SK_TIMED_LAYOUT(struct sk_syn);

/* TIME-WAIT: only what is needed to answer old segments and judge new SYNs (TW-4). It lives
 * in a slab of twlog.c, in the order records were written: 48 bytes over IPv4, no timer
 * of its own; its timestamp offset is the connection's hash of its ends (sk_tcp_ts_offset),
 * worked out again when it answers. */
struct sk_tw {
	struct sk_conn h;
	uint32_t snd_nxt, rcv_nxt;
	uint32_t ts_recent;
	uint16_t rcv_wnd; /* as advertised (already scaled down) */
	uint8_t ts_ok;
	uint8_t pad;
	uint64_t expires; /* 2MSL after TIME-WAIT began or last restarted (TW-1) */
};

/* ---- table.c ---- */
int sk_ctable_init(struct sk_ctable *t);
void sk_ctable_free(struct sk_ctable *t);
/* The entry for a packet between ends e, local port lport and remote port rport. */
struct sk_conn *sk_ctable_find(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport);
int sk_ctable_add(struct synack_stack *st, struct sk_conn *c);
void sk_ctable_del(struct synack_stack *st, struct sk_conn *c);
/* Puts to where old is in the table (the same 4-tuple, already keyed): the count stays. */
void sk_ctable_replace(struct synack_stack *st, struct sk_conn *old, struct sk_conn *to);
/* The listener for a connection to local address laddr (of e, or of its family when e is
 * NULL: the local end of e) and port lport: an exact address wins over a wildcard, and an
 * IPv6 wildcard takes IPv4 too unless IPV6_V6ONLY. */
struct sk_tcb *sk_listener_find(struct synack_stack *st, const struct sk_ends *e, uint16_t lport);
/* A listener on lport whose address overlaps local end e of a socket with flags (TF_SOCK6,
 * TF_V6ONLY): what makes bind and listen say EADDRINUSE. NULL if none. */
struct sk_tcb *sk_listener_clash(struct synack_stack *st, const struct sk_ends *e, uint32_t flags, uint16_t lport);
/* The listener whose accept queue holds t (TF_QUEUED), or NULL. */
struct sk_tcb *sk_listener_holding(struct synack_stack *st, const struct sk_tcb *t);
int sk_listener_add(struct synack_stack *st, struct sk_tcb *l);
void sk_listener_del(struct synack_stack *st, struct sk_tcb *l);

/* ---- tcb.c ---- */
/* A fresh TCB; v6: with room for IPv6 addresses (an AF_INET6 socket, an IPv6 connection). */
struct sk_tcb *sk_tcb_new(struct synack_stack *st, int v6);
/* A socket whose connect failed, made ready for another: back to a fresh TCB, keeping its
 * handle, its options and (if bound) its local address. */
void sk_tcb_reuse(struct synack_stack *st, struct sk_tcb *t);
void sk_tcb_set_state(struct synack_stack *st, struct sk_tcb *t, int state, const char *cause);
/* Ends a connection: removes it from the tables, reports err to the socket if it still has
 * one, frees it if orphaned; one waiting in an accept queue stays there with err (non-zero)
 * for accept() to hand out. */
void sk_tcb_drop(struct synack_stack *st, struct sk_tcb *t, int err, const char *cause);
/* Takes t (TF_QUEUED) out of its listener's accept queue. */
void sk_tcb_unqueue(struct synack_stack *st, struct sk_tcb *t);
/* The memory t holds now: its record, its buffers and what hangs off it. */
uint32_t sk_tcb_mem(const struct sk_tcb *t);
/* t's flight state, allocated if it has none (fresh: nothing in recovery, HyStart's round
 * starting at snd_una); NULL when memory ran out. */
struct sk_flight *sk_tcb_flight(struct synack_stack *st, struct sk_tcb *t);
/* The handshake is over: the flight state its SYN had (if any) learns whether RACK runs (SACK
 * is known now), and goes if the sender is quiet. */
void sk_tcb_flight_synced(struct synack_stack *st, struct sk_tcb *t);
/* Frees t's flight state, whatever the sender's state (the connection is over). */
void sk_tcb_flight_free(struct sk_tcb *t);
/* Frees t's flight state if the sender is quiet: nothing queued or unacknowledged, no FIN
 * still to be acknowledged, not recovering, no undo episode open. */
void sk_tcb_flight_idle(struct synack_stack *st, struct sk_tcb *t);
/* Where timer which's deadline is kept: NULL for a flight timer while t has no flight state. */
static inline uint64_t *sk_tcb_deadline_slot(struct sk_tcb *t, enum sk_tt which)
{
	if (which < SK_TT_HOT)
		return &t->deadline[which];
	return t->fl ? &t->fl->deadline[which - SK_TT_HOT] : NULL;
}
/* Timer which's deadline, UINT64_MAX when it is not armed. */
static inline uint64_t sk_tcb_deadline(const struct sk_tcb *t, enum sk_tt which)
{
	if (which < SK_TT_HOT)
		return t->deadline[which];
	return t->fl ? t->fl->deadline[which - SK_TT_HOT] : UINT64_MAX;
}
/* t's rare options and counts as they stand (all 0 while it has no record). */
static inline const struct sk_cold *sk_tcb_cold_view(const struct sk_tcb *t)
{
	static const struct sk_cold none;
	return t->cold ? t->cold : &none;
}
/* t's rarely set socket options (all 0, the defaults, when it set none). */
static inline struct sk_sockopts sk_tcb_opts(const struct sk_tcb *t)
{
	return sk_tcb_cold_view(t)->o;
}
/* t's record to change, allocated if it has none; NULL when memory ran out. */
struct sk_cold *sk_tcb_cold(struct sk_tcb *t);
/* t's options to change (in that record); NULL when memory ran out. */
struct sk_sockopts *sk_tcb_opts_edit(struct sk_tcb *t);
/* Adds n to t's count field (of struct sk_cold); without memory for the record the count is
 * lost, and nothing else. */
#define SK_TCB_COUNT(t, field, n)                                                                \
	do {                                                                                     \
		struct sk_cold *cold_ = sk_tcb_cold(t);                                          \
		if (cold_)                                                                       \
			cold_->field += (n);                                                     \
	} while (0)
/* Keepalive's idle time, probe interval (seconds) and probe count for t: its own or the
 * stack's. */
uint32_t sk_tcb_keepidle_s(const struct synack_stack *st, const struct sk_tcb *t);
uint32_t sk_tcb_keepintvl_s(const struct synack_stack *st, const struct sk_tcb *t);
int sk_tcb_keepcnt(const struct synack_stack *st, const struct sk_tcb *t);
/* t's listen record: NULL unless t is a listener. */
static inline struct sk_listen *sk_tcb_listen(const struct sk_tcb *t)
{
	return (t->flags & TF_QUEUED) ? NULL : t->lst;
}
/* t waits in FIN-WAIT-2 with no application: its SK_TT_KEEP is the FIN-WAIT-2 limit. */
static inline int sk_tcb_fin_wait_2_limited(const struct sk_tcb *t)
{
	return t->state == SYNACK_FIN_WAIT_2 && (t->flags & TF_APP_CLOSED);
}
/* RACK's log while RACK runs for t and t has data queued or in flight, else NULL. */
static inline struct sk_rack *sk_tcb_rack(const struct sk_tcb *t)
{
	return t->fl && t->fl->rack ? &t->fl->rk : NULL;
}
void sk_tcb_free(struct synack_stack *st, struct sk_tcb *t);
void sk_tcb_timer_set(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which, uint64_t deadline);
void sk_tcb_timer_clear(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which);
void sk_tcb_timer_rearm(struct synack_stack *st, struct sk_tcb *t);
void sk_tcb_timer_fired(struct synack_stack *st, struct sk_tcb *t);
uint32_t sk_tcp_isn(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport);
/* The per-connection timestamp offset (RFC 7323 5.4: no uptime revealed): a hash of the ends. */
uint32_t sk_tcp_ts_offset(struct synack_stack *st, const struct sk_ends *e);
uint32_t sk_tcp_ts_now(struct synack_stack *st, uint32_t offset);
/* The RTO of a connection with no RTT measured yet: the initial one, or, if its SYN or SYN+ACK
 * timed out, at least 3 s (RFC 6298 5.7). */
uint32_t sk_tcp_rto_unmeasured(const struct synack_stack *st, int syn_retransmitted);
/* The receive window to offer now: the free buffer, at most the growth front. */
uint32_t sk_tcb_rcv_window(const struct sk_tcb *t);
/* The free receive buffer (what arriving data may fill, whatever was offered). */
uint32_t sk_tcb_rcv_space(const struct sk_tcb *t);
/* The receive buffer's size (SO_RCVBUF, a listener's): the growth front moves with it. */
void sk_tcb_set_rcvbuf(struct sk_tcb *t, uint32_t bytes);
/* In-order data of len bytes has arrived: moves the growth front; 1 if that opened the
 * window offered (the segment is worth an ACK at once). */
int sk_tcb_grow_window(struct sk_tcb *t, uint32_t len);
/* The window a SYN or SYN+ACK offers: the receive space, at most 65535 (never scaled), in
 * whole segments of mss (as Linux's tcp_select_initial_window: 64240 for an MSS of 1460,
 * 65160 for 1448 when timestamps are on). */
uint32_t sk_tcp_syn_window(uint32_t space, uint32_t mss);
/* The MSS the route to raddr allows, or less if TCP_MAXSEG (user_mss, 0 = none) says so:
 * what we announce, and the most we send. */
uint16_t sk_tcp_our_mss(const struct synack_stack *st, const struct sk_ends *e, uint16_t user_mss);
/* How much the application may queue for sending: SO_SNDBUF's, else twice the largest cwnd
 * so far, within tcp_wmem (autotuning). */
uint32_t sk_tcb_sndbuf(const struct synack_stack *st, const struct sk_tcb *t);
/* Raises the autotuned send buffer's high-water mark to twice cwnd (after cwnd grows). */
void sk_tcb_sndbuf_expand(const struct synack_stack *st, struct sk_tcb *t);
/* As sk_bytes_push, with the bytes written in place by fill (called with the free room at
 * the end, and again with the room at the start when it wraps; it returns how many it
 * wrote, fewer when it had no more, or a negative errno). Returns the bytes added (0 when
 * fill had none), or fill's error if it added none, or -ENOMEM. */
int sk_bytes_fill(struct synack_stack *st, struct sk_bytes *b, uint32_t n, uint32_t limit,
		  ssize_t (*fill)(void *ctx, void *buf, size_t len), void *ctx);
/* Hands up to n bytes from the start of b to drain, in place (one piece, or two when they
 * wrap), without taking them: drain returns how many it took (fewer: it can take no more
 * now) or a negative errno. Returns how many were taken, or drain's error if none. */
ssize_t sk_bytes_drain(const struct sk_bytes *b, uint32_t n, ssize_t (*drain)(void *ctx, const void *buf, size_t len),
		       void *ctx);
/* Sets up congestion control for a TCB entering ESTABLISHED (or changes the algorithm). */
void sk_tcb_cc_init(struct synack_stack *st, struct sk_tcb *t);

int sk_bytes_push(struct synack_stack *st, struct sk_bytes *b, const uint8_t *p, uint32_t n, uint32_t limit);
/* Writes n bytes at offset off (may lie beyond len: out-of-order data), growing storage
 * (which keeps everything up to the old capacity); len is unchanged. Returns 0 or -ENOMEM. */
int sk_bytes_write_at(struct synack_stack *st, struct sk_bytes *b, uint32_t off, const uint8_t *p, uint32_t n);
/* Makes n more bytes after len (already written with write_at) part of the queue. */
void sk_bytes_commit(struct sk_bytes *b, uint32_t n);
uint32_t sk_bytes_peek(const struct sk_bytes *b, uint32_t off, uint8_t *out, uint32_t n);
/* The n bytes at off (within len) where they lie: 1 or 2 pieces (the ring wraps) into iov.
 * Returns the number of pieces. */
int sk_bytes_pieces(const struct sk_bytes *b, uint32_t off, uint32_t n, struct iovec iov[2]);
void sk_bytes_drop(struct sk_bytes *b, uint32_t n);
/* Frees the storage if the queue is empty (call only when nothing lies beyond len). */
void sk_bytes_shrink(struct synack_stack *st, struct sk_bytes *b);
void sk_bytes_free(struct synack_stack *st, struct sk_bytes *b);
/* The ring's size: 0 while b has no storage. */
uint32_t sk_bytes_cap(const struct sk_bytes *b);

/* ---- output.c ---- */
/* The one output routine: sends whatever the TCB's state says is due (SYN, SYN+ACK, data,
 * FIN, ACK, window update, probe). */
void sk_tcp_output(struct synack_stack *st, struct sk_tcb *t);
void sk_tcp_send_ack(struct synack_stack *st, struct sk_tcb *t);
void sk_tcp_send_rst_tcb(struct synack_stack *st, struct sk_tcb *t);
/* A RST answering a segment that has no connection (RST-1). */
void sk_tcp_respond_rst(struct synack_stack *st, const struct sk_ends *e, const struct sk_tcp *seg);
/* Why a segment is sent, when a learner would want it named (SYNACK_EVENT_SEGMENT): set
 * on the segment (sk_segment_out.why) or, for calls that send through several layers, on
 * the stack (st->why) for the duration of the call. */
enum sk_why {
	SK_WHY_NONE,
	SK_WHY_COOKIE,	   /* a SYN+ACK whose ISN is a SYN cookie (LQ-3) */
	SK_WHY_FAST_RXT,   /* fast retransmit (RFC 5681 3.2) */
	SK_WHY_SACK_RXT,   /* a retransmission of SACK/RACK recovery (RFC 6675, RFC 8985) */
	SK_WHY_NEWRENO,	   /* NewReno's partial-ACK retransmission (RFC 6582) */
	SK_WHY_LOST_RXT,   /* a retransmission found lost, sent again */
	SK_WHY_RTO,	   /* after a retransmission timeout (RFC 6298) */
	SK_WHY_TLP,	   /* tail-loss probe (RFC 8985 7) */
	SK_WHY_ZWP,	   /* zero-window probe (RFC 9293 3.8.6.1) */
	SK_WHY_KEEPALIVE,  /* keepalive probe (RFC 9293 3.8.4) */
	SK_WHY_CHALLENGE,  /* challenge ACK (RFC 5961) */
	SK_WHY_DSACK,	   /* an ACK reporting a duplicate (RFC 2883) */
	SK_WHY_RXT_PROBE,  /* a retransmission sent again because nothing can judge it (recovery.c) */
};
/* The label of why, or NULL for SK_WHY_NONE. */
const char *sk_why_name(enum sk_why why);

struct sk_segment_out {
	struct sk_ends ends;         /* from its local end to its remote one */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags, win;
	struct sk_tcp_opts opt;
	const struct sk_bytes *data; /* payload source, or NULL */
	uint32_t data_off, data_len;
	uint8_t ecn;                 /* the IP ECN codepoint: SK_ECN_NOT_ECT or SK_ECN_ECT0 */
	uint8_t why;                 /* enum sk_why (st->why, the call's, comes first) */
};
int sk_tcp_send_segment(struct synack_stack *st, const struct sk_segment_out *s);
/* Returns 1 if the connection was dropped. */
int sk_tcp_rexmt_timeout(struct synack_stack *st, struct sk_tcb *t);
void sk_tcp_persist_timeout(struct synack_stack *st, struct sk_tcb *t);
/* One new segment at snd_nxt within the peer's window, whatever cwnd says (the caller,
 * SACK recovery or a loss probe, has measured the pipe): of at most cap bytes, which on a
 * TSO link may be a super-segment of several MSS (at least one MSS goes). Returns 1 if one
 * went out. */
int sk_tcp_send_new(struct synack_stack *st, struct sk_tcb *t, uint32_t cap);
/* Sends [seq, seq + len) of the send queue again, now (fast retransmit, NextSeg); why
 * names it for the event hook. */
void sk_tcp_retransmit(struct synack_stack *st, struct sk_tcb *t, uint32_t seq, uint32_t len, enum sk_why why);
/* The payload a full segment carries: the MSS less the options every segment has. */
uint32_t sk_tcp_eff_mss(const struct sk_tcb *t);
void sk_tcp_send_keepalive(struct synack_stack *st, struct sk_tcb *t);

/* ---- delack.c: the receiver's ACK policy ---- */
/* In-order data of len bytes arrived (Linux's tcp_event_data_recv). */
void sk_ack_data_in(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t len);
/* After data: an ACK now (TF_ACKNOW) or a delayed one. */
void sk_ack_check(struct synack_stack *st, struct sk_tcb *t);
/* A segment carrying an ACK left (segs: how many full segments it counts for). */
void sk_ack_sent(struct synack_stack *st, struct sk_tcb *t, uint32_t segs);
/* New data left: a reply soon after data arrived makes the exchange interactive. */
void sk_ack_data_out(struct synack_stack *st, struct sk_tcb *t);
/* The peer's FIN in ESTABLISHED: ACKs wait for our reply (Linux enters pingpong mode). */
void sk_ack_pingpong(struct sk_tcb *t);
/* The delayed-ACK timer fired. */
void sk_ack_timer(struct synack_stack *st, struct sk_tcb *t);
/* The application read copied bytes: 1 if the ACK owed should go now. */
int sk_ack_after_read(struct synack_stack *st, struct sk_tcb *t, uint32_t copied);
/* The end of synack_input_batch: each ACK held for it goes. */
void sk_ack_batch_flush(struct synack_stack *st);
/* t is being freed: out of the batch's list. */
void sk_ack_batch_forget(struct synack_stack *st, const struct sk_tcb *t);
/* Takes t out of the unordered list v of *n connections (a batch's owed ACKs, held tails). */
static inline void sk_tcb_list_forget(struct sk_tcb **v, uint8_t *n, const struct sk_tcb *t)
{
	for (unsigned i = 0; i < *n;) {
		if (v[i] == t)
			v[i] = v[--*n];
		else
			i++;
	}
}
/* ---- output.c: autocorking ---- */
/* Sends the tails that send calls held (at every synack_poll). */
void sk_tcp_held_flush(struct synack_stack *st);
void sk_tcp_held_forget(struct synack_stack *st, const struct sk_tcb *t);

/* ---- recovery.c: loss detection and recovery (RFC 8985, 6937, 5681, 6582, 6675, 3042) ---- */
/* An ACK arrived, snd_una already moved to its ack: acked bytes it advanced, flight bytes
 * in flight before it, same whether it carries nothing new but SACK blocks (no data, no
 * SYN or FIN, the same window): with data outstanding and nothing acked, a duplicate ACK
 * by RFC 5681's definition. */
void sk_rec_on_ack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t acked, uint32_t flight,
		   int same);
/* Records the SACK blocks of an ACK; returns bytes newly SACKed. */
uint32_t sk_rec_sack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg);
/* [seq, seq + len) of data left now (retrans: again). */
void sk_rec_sent(struct synack_stack *st, struct sk_tcb *t, uint32_t seq, uint32_t len, int retrans);
/* A retransmission timeout: leave recovery, tell congestion control. */
void sk_rec_timeout(struct synack_stack *st, struct sk_tcb *t);
/* Slow start (re)starts: HyStart's rounds start over, the first ending when round_end is
 * acknowledged, with no earlier round's minimum RTT to compare with. */
void sk_hystart_restart(struct sk_tcb *t, uint32_t round_end);
/* The sender goes quiet (its flight state is about to go): the round in progress, if it has
 * its samples, becomes the one the next round compares with, as if it had ended. */
void sk_hystart_quiet(struct sk_tcb *t);
/* RACK's reordering timer or the tail-loss probe fired. */
void sk_rec_timer(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which);
/* During recovery: sends retransmissions and new data as the window allows (RFC 6675 5
 * step C; PRR). Returns 1 if it handled output. */
int sk_rec_output(struct synack_stack *st, struct sk_tcb *t);

/* ---- input.c ---- */
/* One RTT measurement of r µs (RFC 6298 2.2/2.3, RTO clamped to tcp_rto_min/max). */
void sk_tcp_rtt_sample(struct synack_stack *st, struct sk_tcb *t, uint32_t r);
/* The RTO from SRTT and RTTVAR as they stand, without backoff (REL-3). */
void sk_tcp_rto_set(struct synack_stack *st, struct sk_tcb *t);
/* A TCP segment from the IP layer; ecn is the IP header's ECN codepoint. */
int sk_tcp_input(struct synack_stack *st, uint32_t src, uint32_t dst, uint8_t ecn, const uint8_t *seg, size_t len);
/* The same for a segment of either IP version between ends e (local: its destination). */
/* 0, or -EHOSTUNREACH when tunnel mode's flow hook refused the flow with an ICMP host
 * unreachable, which the IP layer (holding the datagram to quote) sends. */
int sk_tcp_input_ends(struct synack_stack *st, const struct sk_ends *e, uint8_t ecn, const uint8_t *seg, size_t len);
/* A parsed segment for a TCB found by its 4-tuple. */
void sk_tcp_segment(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg);
/* The stack-wide challenge ACK budget per second (RFC 5961 7): 1 if one may be sent now
 * (it is counted), 0 if over the limit (counted as limited). */
int sk_challenge_budget(struct synack_stack *st);

/* ---- icmperr.c ---- */
/* An ICMP error quoting a segment we sent (mtu: next-hop MTU of a frag-needed, else 0). */
void sk_tcp_icmp_error(struct synack_stack *st, const struct sk_icmp_quote *q, uint8_t type, uint8_t code,
		       uint16_t mtu);
/* An ICMP or ICMPv6 error about a segment of ours between ends e with these ports and
 * sequence number: err the errno it means, hard whether it may end a connection being
 * opened (RFC 1122 4.2.3.9), mtu a path MTU it reports (frag-needed, Packet Too Big) or 0. */
void sk_tcp_icmp_report(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, uint32_t seq,
			int err, int hard, uint32_t mtu);

/* ---- syncache.c ---- */
/* A SYN for listener l: a half-open record, a cookie, or nothing. iss 0: the ISN is chosen
 * (RFC 6528); otherwise it is iss (a new incarnation out of TIME-WAIT). */
void sk_syn_input(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *e, const struct sk_tcp *seg,
		  uint32_t iss);
/* Tunnel mode's deferred flow: a half-open record that answers nothing until
 * sk_syn_verdict (never a cookie: the verdict needs the record). 0, or -ENOBUFS. */
int sk_syn_defer(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *e, const struct sk_tcp *seg);
/* The application's verdict on deferred record e (enum synack_flow_verdict). */
void sk_syn_verdict(struct synack_stack *st, struct sk_syn *e, int verdict);
/* The final ACK (or any segment) for a half-open record. */
void sk_syn_segment(struct synack_stack *st, struct sk_syn *e, const struct sk_tcp *seg);
/* An ACK to a listener with no half-open record: maybe a SYN cookie. Returns 1 if handled. */
int sk_syn_cookie_ack(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *e, const struct sk_tcp *seg);
void sk_syn_drop_all(struct synack_stack *st, struct sk_tcb *l);
void sk_syn_free(struct synack_stack *st, struct sk_syn *e);
/* Drops a half-open record, reporting SYN-RCVD -> CLOSED with cause. */
void sk_syn_drop(struct synack_stack *st, struct sk_syn *e, const char *cause);
void sk_syn_timer(struct synack_stack *st, struct sk_syn *e);

/* ---- timewait.c ---- */
/* Moves a TCB to TIME-WAIT (the state change reported with cause) and replaces it with a
 * small record, or closes it without TIME-WAIT when the cap is reached (TW-4). */
void sk_tw_enter(struct synack_stack *st, struct sk_tcb *t, const char *cause);
void sk_tw_segment(struct synack_stack *st, struct sk_tw *w, const struct sk_ends *e, const struct sk_tcp *seg);
void sk_tw_free(struct synack_stack *st, struct sk_tw *w);
/* 2MSL has passed: the record's end is reported and it leaves the table (twlog.c frees it). */
void sk_tw_expired(struct synack_stack *st, struct sk_tw *w);
/* When TIME-WAIT began, or last restarted (what tcp_tw_reuse's one second counts from). */
uint64_t sk_tw_began(const struct synack_stack *st, const struct sk_tw *w);
/* A SYN for a 4-tuple in TIME-WAIT: may it start a new connection (TW-3)? */
int sk_tw_syn_acceptable(const struct sk_tw *w, const struct sk_tcp *seg);

/* The options our SYN / SYN+ACK carry. */
void sk_tcp_syn_options(struct synack_stack *st, struct sk_tcp_opts *o, uint16_t mss, int ts,
			uint32_t tsval, uint32_t tsecr, int sack, int ws, uint8_t wscale);
/* The window scale we offer: enough for the largest window t (NULL: any socket) may offer. */
uint8_t sk_tcp_wscale_for(const struct synack_stack *st, const struct sk_tcb *t);

/* Container of an embedded member. */
#define sk_container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
