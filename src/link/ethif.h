/* The Ethernet/ARP adapter: runs the sans-I/O IPv4 stack over an Ethernet device (TAP).
 * Outgoing IPv4 packets are framed to the next hop's MAC, resolved with ARP (RFC 826) and
 * held in a small queue while resolving; incoming frames are filtered by destination MAC,
 * ARP is answered and learned from, and IPv4 packets are handed back to the caller. The
 * cache follows RFC 1122 2.3.2: entries time out, resolution is retried a bounded number of
 * times, and at most a few packets per unresolved address are kept.
 *
 * Like the rest of the stack it never reads a clock: every call carries `now` (µs), and a
 * `now` earlier than one already seen acts at the latest time seen. Memory is bounded by
 * max_entries and queue_bytes. Not thread-safe: one caller at a time. */
#ifndef SK_ETHIF_H
#define SK_ETHIF_H

#include <stddef.h>
#include <stdint.h>

#include "link/dev.h"

struct sk_ethif_config {
	uint32_t reachable_ms;	  /* a learned entry is trusted this long: default 30000 */
	uint32_t retrans_ms;	  /* gap between ARP requests while resolving: 1000 */
	uint32_t max_probes;	  /* requests before giving up: 3 */
	uint32_t max_entries;	  /* cache size: 256 (oldest/least recently used evicted) */
	uint32_t queue_per_entry; /* packets held per unresolved address: 3 (oldest dropped) */
	uint32_t queue_bytes;	  /* total bytes held across all entries: 65536 */
};

/* Fills c with the defaults above. */
void sk_ethif_config_defaults(struct sk_ethif_config *c);

struct sk_ethif_stats {
	uint64_t arp_req_in;	   /* ARP requests received (well-formed, any target) */
	uint64_t arp_req_out;	   /* ARP requests sent (first tries and retransmissions) */
	uint64_t arp_reply_in;	   /* ARP replies received (well-formed, any target) */
	uint64_t arp_reply_out;	   /* ARP replies sent (answers to requests for our address) */
	uint64_t resolved;	   /* resolutions completed (an unresolved entry got a MAC) */
	uint64_t unresolved_drops; /* queued packets dropped because resolution gave up */
	uint64_t queue_drops;	   /* packets dropped by queue_per_entry/queue_bytes, or evicted */
	uint64_t frames_in;	   /* every frame given to sk_ethif_input */
	uint64_t frames_bad;	   /* malformed: short, bad ARP/IPv4 header, unknown ARP op,
				    * a group (multicast) source or sender MAC */
	uint64_t frames_not_mine;  /* for another MAC, our own echo, or an ethertype not handled */
	uint64_t ip_in;		   /* IPv4 packets handed to the caller */
	uint64_t ip_out;	   /* IPv4 packets handed to the device */
};

struct sk_ethif;

/* Creates an adapter. dev: an Ethernet device (linktype SK_LINK_ETHERNET; its mtu bounds the
 * IPv4 packet size, 1500 if 0); mac: our address (unicast); ip/prefix_len: our IPv4 address
 * and on-link prefix (0..32); gw: default gateway or 0. cfg may be NULL (defaults);
 * reachable_ms, retrans_ms, max_probes and max_entries must be nonzero, max_entries at most
 * 1 << 20. The device is not owned. Returns NULL with errno EINVAL or ENOMEM. */
struct sk_ethif *sk_ethif_new(struct sk_dev *dev, const uint8_t mac[6], uint32_t ip,
			      uint8_t prefix_len, uint32_t gw, const struct sk_ethif_config *cfg);

/* Frees the adapter and every queued packet (NULL is allowed). The device is left open. */
void sk_ethif_free(struct sk_ethif *e);

/* Sends one IPv4 packet: next hop = destination if on-link, else gw (no gw and off-link:
 * -ENETUNREACH). Resolved: framed and sent now. Unresolved: queued, ARP request sent (if none
 * outstanding). Broadcast 255.255.255.255 / directed subnet broadcast go to ff:ff:ff:ff:ff:ff;
 * multicast 224.0.0.0/4 goes to its RFC 1112 group MAC. Returns 0 (sent or queued) or
 * -errno: -EINVAL (not an IPv4 header, or to 0.0.0.0 or our own address), -EMSGSIZE (longer
 * than the MTU), -ENOBUFS (no room in the queue), -ENOMEM, or the device's error. Same shape
 * as synack_output_fn, so it can be wrapped. */
int sk_ethif_output(struct sk_ethif *e, const uint8_t *ip_pkt, size_t len, uint64_t now);

/* One received frame. ARP is handled inside: requests for our ip are answered; the sender
 * is learned/refreshed on any ARP whose target is us (new entries only for senders on-link
 * or the gateway) and an existing entry is updated from any ARP (RFC 826's merge flag), so a
 * gratuitous ARP updates existing entries; on resolution that entry's queue is flushed in
 * order. An ARP probe (sender 0.0.0.0) for our ip is answered but teaches nothing; an ARP
 * whose sender claims our ip or our MAC is ignored. For an IPv4 frame addressed to our MAC or
 * broadcast: returns 1 and sets *ip and *iplen to the IP packet inside the frame (Ethernet padding
 * trimmed by the IPv4 total length; the pointer is into frame). Returns 0 when consumed or dropped
 * (counted in stats). Malformed input never crashes. */
int sk_ethif_input(struct sk_ethif *e, const uint8_t *frame, size_t len, uint64_t now,
		   const uint8_t **ip, size_t *iplen);

/* Timers: retransmits ARP requests every retrans_ms; after max_probes requests gives up
 * (drops the queued packets, counts unresolved_drops, calls the unreachable hook, forgets the
 * entry); forgets entries older than reachable_ms (the next packet re-resolves). */
void sk_ethif_poll(struct sk_ethif *e, uint64_t now);

/* The earliest time sk_ethif_poll has work (an ARP retransmission, a give-up or an entry's
 * expiry); UINT64_MAX if none. Exact: never early, never late. */
uint64_t sk_ethif_next_deadline(const struct sk_ethif *e);

/* Copies the counters into s. */
void sk_ethif_get_stats(const struct sk_ethif *e, struct sk_ethif_stats *s);

/* Looks up the cache: 1 and mac filled if resolved (and not expired as of the latest `now`
 * seen), else 0. */
int sk_ethif_lookup(const struct sk_ethif *e, uint32_t ip, uint8_t mac[6]);

/* Optional: called when resolution of ip (the next hop) fails (host unreachable), so the
 * stack can report EHOSTUNREACH. The hook may call sk_ethif_output but not sk_ethif_free. */
void sk_ethif_set_unreachable_hook(struct sk_ethif *e,
				   void (*fn)(void *ctx, uint32_t ip, uint64_t now), void *ctx);

#endif
