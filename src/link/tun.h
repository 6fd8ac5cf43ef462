/* TUN and TAP devices (Linux /dev/net/tun): a TUN carries raw IPv4 packets (IFF_TUN |
 * IFF_NO_PI), a TAP carries Ethernet frames. The kernel's side of the device is an ordinary
 * interface; sk_tun_host_config gives it an address and brings it up. */
#ifndef SK_TUN_H
#define SK_TUN_H

#include "link/dev.h"

enum sk_tun_kind { SK_TUN = 0, SK_TAP = 1 };
#define SK_TUN_NO_OFFLOAD 1u /* flags: a TUN without checksum/TSO offloads */
/* flags: one queue of a multi-queue device (IFF_MULTI_QUEUE): each sk_tun_open of the same
 * name with it attaches one more queue, to be read by its own thread (one shard per core);
 * the kernel sends a flow's packets to the queue its last packet was written on, else picks
 * one by the flow's hash. Every queue of a device must be opened with the same flags. */
#define SK_TUN_MULTI_QUEUE 2u
/* The kernel side's transmit queue (txqueuelen) sk_tun_open raises a device to, from the
 * 500 packets a TUN or TAP gets by default: the stack's receive ring, which must hold a
 * burst of the kernel's (a wave of timers, a burst of connections). */
#define SK_TUN_TXQUEUELEN 10000

/* Opens (creating if needed) the device called name. mtu sets the interface MTU (0 keeps
 * the kernel's). A TUN gets checksum and TSO offloads (IFF_VNET_HDR) unless flags say
 * SK_TUN_NO_OFFLOAD: reads may then return TCP segments of up to 64 KiB (complete, with
 * valid checksums) and sends may carry them (sk_tun_gso_max). On failure returns NULL with
 * *err = -errno and, if why is not NULL, a short reason ("open /dev/net/tun: Permission
 * denied"). The device fd is non-blocking. The kernel side's transmit queue is raised to
 * SK_TUN_TXQUEUELEN packets if it is shorter (best effort). */
struct sk_dev *sk_tun_open(const char *name, enum sk_tun_kind kind, unsigned flags, uint32_t mtu, int *err,
			   char *why, size_t whylen);
/* A TUN or TAP device someone else opened (a descriptor handed over): its kind and
 * header from TUNGETIFF, its offloads set as sk_tun_open sets them when it has the
 * virtio-net header (IFF_VNET_HDR); made non-blocking; name NULL for the device's own.
 * The descriptor stays the caller's: closing the device does not close it. NULL when fd
 * is not such a device (or out of memory). */
struct sk_dev *sk_tun_adopt(int fd, uint32_t mtu, const char *name);
/* The largest IPv4 packet the device takes for TCP (it cuts it at the MSS itself), or 0. */
uint32_t sk_tun_gso_max(const struct sk_dev *d);
/* Whether the descriptor is still attached to its interface: 0 yes, -errno (-EBADFD) when
 * the interface was deleted under it, 1 when it cannot tell (d is not a TUN/TAP device). */
int sk_tun_attached(const struct sk_dev *d);
/* How large a receive buffer must be to hold anything the device may return. */
size_t sk_tun_rx_cap(const struct sk_dev *d);

/* Sets the kernel side's IPv4 address/prefix and brings the link up. 0 or -errno; why as
 * above. */
int sk_tun_host_config(const char *name, uint32_t addr, uint8_t prefix_len, char *why, size_t whylen);
/* The same with an IPv6 address (network order bytes): added to the interface (TUN
 * devices take no part in duplicate address detection: they have no link layer), and the
 * link brought up. 0 or -errno. */
int sk_tun_host_config6(const char *name, const uint8_t addr[16], uint8_t prefix_len, char *why, size_t whylen);

/* A default route of family (AF_INET or AF_INET6) out of the interface, on the link (no
 * gateway: a TUN has no neighbours), in the current network namespace: 0 or -errno. */
int sk_tun_host_default_route(const char *name, int family, char *why, size_t whylen);
/* Brings an interface up ("lo" in a new namespace): 0 or -errno. */
int sk_tun_host_up(const char *name);

/* Reads the kernel side's MAC (TAP): 0 or -errno. */
int sk_tun_host_mac(const char *name, uint8_t mac[6]);

/* Reads up to n packets in one go into bufs[i] (cap each), lengths into lens; returns the
 * count (0 when none is waiting) or -errno. The fast path for event loops. With verified
 * not NULL, a packet the kernel handed over with its checksum partial (made on this host)
 * is left so and verified[i] set to 1, for synack_input_verified (0: an ordinary packet);
 * with NULL every checksum is completed. */
int sk_tun_recv_batch(struct sk_dev *d, uint8_t *const *bufs, size_t cap, size_t *lens, uint8_t *verified, int n);

#endif
