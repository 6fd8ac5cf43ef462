/* A device wrapper that prints every frame sent and received in tcpdump format. */
#ifndef SK_TRACEDEV_H
#define SK_TRACEDEV_H

#include <stdio.h>

#include "link/dev.h"

#define SK_TRACE_TX 0x1u /* print frames inner accepted from send() */
#define SK_TRACE_RX 0x2u /* print frames inner returned from recv() */

struct sk_trace_opts {
	unsigned dirs;	       /* SK_TRACE_TX | SK_TRACE_RX; 0 = both */
	unsigned print_flags;  /* SK_PRINT_VERBOSE, SK_PRINT_HEX (trace/print.h) */
	uint64_t time_base_us; /* added to now; 0 prints virtual time as 00:00:00.000000 */
	/* Non-NULL: every printed line starts with "label " (e.g. "A>" or "B<"), which
	 * tells the endpoints apart but is no longer plain tcpdump output. */
	const char *tx_label, *rx_label;
};

/* Wraps inner, printing through sk_print_packet to out with SK_TS_UTC timestamps of
 * time_base_us + now. opts NULL: both directions, plain lines. out stays the caller's and
 * must outlive the wrapper. The wrapper owns inner and closes it on close. Returns NULL and
 * sets *err (if not NULL) on failure; inner then stays the caller's. */
struct sk_dev *sk_dev_trace_wrap(struct sk_dev *inner, FILE *out, const struct sk_trace_opts *opts,
				 int *err);

#endif
