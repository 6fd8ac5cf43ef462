/* The device interface every link implements (TUN, TAP, memory/simulated link) and the
 * wrappers that stack around any device (pcap writer, tracer, fault injector). */
#ifndef SK_DEV_H
#define SK_DEV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define SK_TIME_NEVER UINT64_MAX /* "no deadline" */

struct sk_dev;

struct sk_dev_ops {
	/* Hands one frame to the device at time now (µs). Returns 0 or -errno. A device may
	 * drop the frame (queue full, fault rule): that is still 0, and counted. */
	int (*send)(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now);
	/* Takes one frame that is due at or before now into buf. Returns its length, 0 when
	 * none is due, or -errno (-EMSGSIZE if cap is too small: the frame is dropped). */
	int (*recv)(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now);
	/* Earliest time at which recv will have a frame; SK_TIME_NEVER if none is scheduled
	 * (real devices: SK_TIME_NEVER, wait on fd instead). May be NULL. */
	uint64_t (*next_ready)(struct sk_dev *d);
	/* A file descriptor to wait on for readability, or -1. May be NULL. */
	int (*fd)(struct sk_dev *d);
	/* Releases the device (and, for wrappers, the device they wrap). */
	void (*close)(struct sk_dev *d);
	/* Optional: send for a frame that is hdr (hlen bytes) followed by the n pieces of pl,
	 * written as they lie (synack_set_output_sg). NULL: the device takes whole frames. */
	int (*send_sg)(struct sk_dev *d, const uint8_t *hdr, size_t hlen, const struct iovec *pl, int n, uint64_t now);
};

struct sk_dev {
	const struct sk_dev_ops *ops;
	int linktype;  /* SK_LINK_ETHERNET or SK_LINK_RAW (wire/decode.h) */
	uint32_t mtu;  /* largest IP datagram the link carries */
	char name[32];
};

static inline int sk_dev_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now) { return d->ops->send(d, f, n, now); }
static inline int sk_dev_send_sg(struct sk_dev *d, const uint8_t *h, size_t hlen, const struct iovec *pl, int n, uint64_t now) { return d->ops->send_sg(d, h, hlen, pl, n, now); }
static inline int sk_dev_recv(struct sk_dev *d, uint8_t *b, size_t cap, uint64_t now) { return d->ops->recv(d, b, cap, now); }
static inline uint64_t sk_dev_next_ready(struct sk_dev *d) { return d->ops->next_ready ? d->ops->next_ready(d) : SK_TIME_NEVER; }
static inline int sk_dev_fd(struct sk_dev *d) { return d->ops->fd ? d->ops->fd(d) : -1; }
static inline void sk_dev_close(struct sk_dev *d) { if (d) d->ops->close(d); }

#endif
