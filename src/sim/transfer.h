/* Bulk transfer between two synack stacks on the simulated network, verified byte for byte:
 * the engine behind `synack-sim transfer` and the transfer tests. */
#ifndef SK_TRANSFER_H
#define SK_TRANSFER_H

#include <stdint.h>
#include <stdio.h>

#include "link/simnet.h"
#include "sim/world.h"

struct sk_transfer_opts {
	uint64_t bytes;               /* per direction */
	int both_ways;
	struct sk_simnet_params link; /* both directions */
	uint32_t gso_max;             /* TSO super-frames of up to this many bytes; 0 none */
	const char *cc;               /* NULL = the stack default */
	uint64_t seed;
	int ipv6;                     /* over IPv6 (2001:db8::a00:1 to 2001:db8::a00:2) */
	FILE *trace;                  /* print every segment (tcpdump format) */
	FILE *cc_out, *csv;           /* congestion lines and time series (sk_world_opts) */
	/* With on_end: the world keeps its log (every frame, state change and congestion
	 * change: memory grows with the transfer) and on_end gets it before it is freed. */
	void (*on_end)(struct sk_world *w, void *arg);
	void *on_end_arg;
	const char *pcap_path;
	uint64_t time_limit_us;       /* virtual; 0 = 24 h */
	/* Progress, for goodput over a chosen interval: if progress_us is not 0, progress is
	 * called at every multiple of progress_us of virtual time (from 0) while the transfer
	 * runs, with the bytes the readers had received by then in each direction. */
	uint64_t progress_us;
	void (*progress)(void *arg, uint64_t now_us, const uint64_t delivered[2]);
	void *progress_arg;
};

struct sk_transfer_dir {
	uint64_t sent, delivered;
	uint64_t digest_sent, digest_rcvd; /* FNV-1a of the stream at each end */
	uint64_t first_bad;                /* offset of the first wrong byte, or UINT64_MAX */
	int eof;                           /* the reader saw the end of the stream */
};

struct sk_transfer_result {
	int completed;                 /* every byte delivered, right, and both ends closed */
	struct sk_transfer_dir dir[2]; /* 0: client -> server, 1: server -> client */
	uint64_t start_us, end_us;     /* virtual: connected, and last byte read */
	uint64_t retransmits, timeouts, fast_retransmits, sack_recoveries, dsacks;
	uint64_t timeouts_rxt_lost;    /* of timeouts: with a retransmission outstanding */
	uint64_t lost_retransmits;     /* retransmissions RACK found lost (no timeout needed) */
	uint64_t rxt_probes;           /* retransmissions probed in recovery (recovery.c rxt_probe) */
	uint64_t undos;                /* reductions undone as spurious (REL-15) */
	uint64_t segments;
	uint32_t srtt_us, rto_us;      /* the client's (the sender's) when the data was all read */
	uint32_t server_rto_us;        /* the server's then */
};

/* Runs it; returns 0 if it ran (see result->completed), or -errno. */
int sk_transfer_run(const struct sk_transfer_opts *o, struct sk_transfer_result *r);
/* Prints the summary `synack-sim transfer` shows. */
void sk_transfer_print(FILE *f, const struct sk_transfer_opts *o, const struct sk_transfer_result *r);

#endif
