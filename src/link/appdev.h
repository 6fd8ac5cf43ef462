/* Links the application supplies: a descriptor that carries one packet per read and write
 * (a VPN's tunnel, a socketpair, a TUN the application opened), or packets the
 * application pushes in (sk_appdev_push) and a callback that takes what goes out. */
#ifndef SK_APPDEV_H
#define SK_APPDEV_H

#include <stddef.h>
#include <stdint.h>

#include "link/dev.h"

/* The packets on fd: recv reads one (non-blocking), send writes one. The descriptor stays
 * the application's: closing the device does not close it. NULL and *err = -errno on
 * failure (-EBADF for a descriptor that is not open). */
struct sk_dev *sk_appdev_fd(int fd, int linktype, uint32_t mtu, const char *name, int *err);

/* Packets pushed by sk_appdev_push (from any thread) wait in a queue of at most qmax
 * packets that recv takes from; the device's fd (an eventfd) is readable while it holds
 * any. send calls out(ctx, packet, len). */
typedef int (*sk_appdev_out_fn)(void *ctx, const void *pkt, size_t len);
struct sk_dev *sk_appdev_cb(sk_appdev_out_fn out, void *ctx, int linktype, uint32_t mtu, const char *name,
			    size_t qmax, int *err);
/* Queues a copy of one received packet: 0, -ENOBUFS (queue full: the packet is dropped and
 * counted), -EMSGSIZE (longer than the link's MTU allows), -ENOMEM, -EINVAL (not a
 * callback device). */
int sk_appdev_push(struct sk_dev *d, const void *pkt, size_t len);
/* Packets dropped because the queue was full. */
uint64_t sk_appdev_dropped(const struct sk_dev *d);

#endif
