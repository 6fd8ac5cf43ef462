/* Runtime internals that tools and tests may use: a runtime on any device (a test's fake
 * link, a socketpair), and the runtime's own counters. */
#ifndef SK_RT_DEV_H
#define SK_RT_DEV_H

#include <synack/rt.h>

#include "link/dev.h"

/* As synack_rt_start, on a device the caller opened (o->tun, o->tap, o->mtu and o->host_addr
 * are ignored; dev->linktype SK_LINK_ETHERNET runs ARP over it). The device must give an fd
 * to wait on (sk_dev_fd) whose readability means recv has a frame. dev becomes the
 * runtime's, also when the start fails (it is closed then). */
synack_rt *sk_rt_start_dev(const struct synack_rt_opts *o, struct sk_dev *dev, char *why, size_t whylen);

struct sk_rt_counters {
	uint64_t dev_rx, dev_tx;               /* frames read from / written to the device */
	uint64_t dev_rx_errors, dev_tx_errors; /* device errors (link down, gone, ...) */
	int last_dev_error;                    /* errno of the latest one */
	uint64_t rounds;                       /* loop iterations */
	uint64_t wakeups_sent;                 /* eventfd writes (callers and stop waking the loop) */
	uint32_t waiters;                      /* callers blocked now */
};
void sk_rt_counters(synack_rt *rt, struct sk_rt_counters *c);

#endif
