/* The Ethernet adapter: runs the sans-I/O stack over an Ethernet device (TAP), IPv4 with
 * ARP and IPv6 with neighbour discovery.
 *
 * IPv4: outgoing packets are framed to the next hop's MAC, resolved with ARP (RFC 826) and
 * held in a small queue while resolving; ARP is answered and learned from. The cache follows
 * RFC 1122 2.3.2: entries time out, resolution is retried a bounded number of times, and at
 * most a few packets per unresolved address are kept.
 *
 * IPv6 (RFC 4861, RFC 4862, RFC 2464): the same cache holds IPv6 neighbours in RFC 4861's
 * states (INCOMPLETE, REACHABLE, STALE, DELAY, PROBE) with the same queue bounds; neighbour
 * solicitations for our addresses are answered, advertisements confirm reachability, the
 * source link-layer options of solicitations and router advertisements are learned from,
 * and each address we are given goes through duplicate address detection before it is used.
 * Router advertisements teach neighbours only: no SLAAC, no default router or prefix list,
 * no MTU from them; redirects and router solicitations are ignored; no MLD is sent.
 *
 * Incoming frames are filtered by destination MAC (ours, broadcast, and for IPv6 the
 * all-nodes group and our solicited-node groups), and IP packets are handed back to the
 * caller. Like the rest of the stack it never reads a clock: every call carries `now` (µs),
 * and a `now` earlier than one already seen acts at the latest time seen. Memory is bounded
 * by max_entries and queue_bytes. Not thread-safe: one caller at a time. */
#ifndef SK_ETHIF_H
#define SK_ETHIF_H

#include <stddef.h>
#include <stdint.h>

#include "link/dev.h"

struct sk_ethif_config {
	uint32_t reachable_ms;	       /* a learned entry is trusted this long: default 30000
					* (IPv6: ReachableTime, REACHABLE to STALE) */
	uint32_t retrans_ms;	       /* gap between ARP requests or neighbour solicitations while
					* resolving or probing, and DAD's wait: 1000 (RetransTimer) */
	uint32_t max_probes;	       /* requests before giving up: 3 (IPv6: MAX_MULTICAST_SOLICIT
					* and MAX_UNICAST_SOLICIT) */
	uint32_t max_entries;	       /* cache size: 256 (oldest/least recently used evicted) */
	uint32_t queue_per_entry;      /* packets held per unresolved address: 3 (oldest dropped) */
	uint32_t queue_bytes;	       /* total bytes held across all entries: 65536 */
	uint32_t delay_first_probe_ms; /* IPv6 DELAY before PROBE: 5000 (RFC 4861 10) */
	uint32_t dad_transmits;	       /* DupAddrDetectTransmits: 1 (0: no DAD, RFC 4862 5.1) */
	uint32_t dad_delay_max_ms;     /* the first DAD solicitation waits between half this and
					* this: 1000 (MAX_RTR_SOLICITATION_DELAY, RFC 4862 5.4.2;
					* 0: none) */
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
	/* IPv6. resolved, unresolved_drops and queue_drops above count IPv6 neighbours too;
	 * frames_bad counts IPv6 headers that do not parse. */
	uint64_t ip6_in;	  /* IPv6 packets handed to the caller */
	uint64_t ip6_out;	  /* IPv6 packets handed to the device */
	uint64_t ns_in;		  /* valid neighbour solicitations received (any target) */
	uint64_t ns_out;	  /* solicitations sent to resolve or probe (not DAD's) */
	uint64_t nud_probes;	  /* of those, unicast probes (PROBE state) */
	uint64_t na_in;		  /* valid neighbour advertisements received */
	uint64_t na_out;	  /* advertisements sent (answers, and DAD defence) */
	uint64_t ra_in;		  /* valid router advertisements (learned from, nothing more) */
	uint64_t nd_ignored;	  /* valid router solicitations and redirects: not acted on */
	uint64_t nd_bad;	  /* NDP dropped as invalid: ICMPv6 checksum, hop limit not 255,
				   * code, lengths, options, address rules (RFC 4861 6.1, 7.1,
				   * 8.1), a multicast source, a link-layer option not 6 bytes
				   * or holding a group MAC */
	uint64_t dad_ns_out;	  /* DAD solicitations sent (from ::) */
	uint64_t dad_ok;	  /* addresses that passed DAD */
	uint64_t dad_duplicates;  /* addresses found duplicate by DAD: never used */
	uint64_t addr_conflicts;  /* another node advertised one of our preferred addresses */
	uint64_t tentative_drops; /* IPv6 packets to or from an address not (yet) usable */
};

/* Our own IPv6 addresses, at most this many. */
#define SK_ETHIF_MAX_ADDR6 8

/* An own address's state (RFC 4862 5.4). */
enum {
	SK_ETHIF_ADDR_TENTATIVE = 1, /* DAD running: not used, packets to it dropped */
	SK_ETHIF_ADDR_PREFERRED = 2, /* in use */
	SK_ETHIF_ADDR_DUPLICATE = 3, /* DAD found another node with it: never used */
};

/* A neighbour's state (RFC 4861 7.3.2), as sk_ethif_neigh6_state reports it. */
enum {
	SK_ETHIF_ND_NONE = 0,
	SK_ETHIF_ND_INCOMPLETE,
	SK_ETHIF_ND_REACHABLE,
	SK_ETHIF_ND_STALE,
	SK_ETHIF_ND_DELAY,
	SK_ETHIF_ND_PROBE,
};

/* What the DAD hook is told. */
enum {
	SK_ETHIF_DAD_OK = 1,	    /* the address passed DAD and is now preferred */
	SK_ETHIF_DAD_DUPLICATE = 2, /* DAD failed: another node has it; it is never used */
	SK_ETHIF_ADDR_CONFLICT = 3, /* another node advertised a preferred address of ours
				     * (RFC 4862 5.4.4 leaves what to do open: it stays) */
};

struct sk_ethif;

/* Creates an adapter. dev: an Ethernet device (linktype SK_LINK_ETHERNET; its mtu bounds the
 * IP packet size, 1500 if 0); mac: our address (unicast); ip/prefix_len: our IPv4 address
 * and on-link prefix (0..32), ip 0 for none (IPv6 only: ARP is then never answered and IPv4
 * output is -EINVAL); gw: default gateway or 0. cfg may be NULL (defaults);
 * reachable_ms, retrans_ms, max_probes and max_entries must be nonzero, max_entries at most
 * 1 << 20. The device is not owned. Returns NULL with errno EINVAL or ENOMEM. */
struct sk_ethif *sk_ethif_new(struct sk_dev *dev, const uint8_t mac[6], uint32_t ip,
			      uint8_t prefix_len, uint32_t gw, const struct sk_ethif_config *cfg);

/* Frees the adapter and every queued packet (NULL is allowed). The device is left open. */
void sk_ethif_free(struct sk_ethif *e);

/* Sends one IP packet (IPv4 or IPv6, by its version). Returns 0 (sent or queued) or -errno:
 * -EINVAL (not an IP header, to the unspecified address or our own), -EMSGSIZE (longer than
 * the MTU), -ENOBUFS (no room in the queue), -ENOMEM, or the device's error. Same shape as
 * synack_output_fn, so it can be wrapped.
 * IPv4: next hop = destination if on-link, else gw (no gw and off-link: -ENETUNREACH).
 * Resolved: framed and sent now. Unresolved: queued, ARP request sent (if none outstanding).
 * Broadcast 255.255.255.255 / directed subnet broadcast go to ff:ff:ff:ff:ff:ff; multicast
 * 224.0.0.0/4 goes to its RFC 1112 group MAC.
 * IPv6: multicast goes to its RFC 2464 group MAC (33:33 and the low 32 bits); unicast to a
 * next hop = the destination if link-local or inside the prefix of one of our addresses,
 * else the IPv6 gateway (none: -ENETUNREACH). The next hop is resolved and its reachability
 * tracked as RFC 4861 7.2 and 7.3 say: no entry: INCOMPLETE, the packet queued and a
 * solicitation sent to its solicited-node group; INCOMPLETE: queued; STALE, or REACHABLE
 * past its time: sent, DELAY; REACHABLE, DELAY, PROBE: sent. -EADDRNOTAVAIL for a source
 * address of ours that is tentative or duplicate (counted in tentative_drops); -EINVAL
 * while no IPv6 address has been added. */
int sk_ethif_output(struct sk_ethif *e, const uint8_t *ip_pkt, size_t len, uint64_t now);

/* One received frame. ARP is handled inside: requests for our ip are answered; the sender
 * is learned/refreshed on any ARP whose target is us (new entries only for senders on-link
 * or the gateway) and an existing entry is updated from any ARP (RFC 826's merge flag), so a
 * gratuitous ARP updates existing entries; on resolution that entry's queue is flushed in
 * order. An ARP probe (sender 0.0.0.0) for our ip is answered but teaches nothing; an ARP
 * whose sender claims our ip or our MAC is ignored. For an IPv4 frame addressed to our MAC or
 * broadcast: returns 1 and sets *ip and *iplen to the IP packet inside the frame (Ethernet padding
 * trimmed by the IPv4 total length; the pointer is into frame). Returns 0 when consumed or dropped
 * (counted in stats). Malformed input never crashes.
 * IPv6: neighbour discovery is handled inside (RFC 4861 7.2.3-7.2.5; see sk_ethif_add_addr6
 * for DAD); NDP behind extension headers or in fragments is not (RFC 6980), it goes up.
 * Every other IPv6 packet in a frame to our MAC, broadcast, all-nodes (33:33:00:00:00:01) or
 * one of our solicited-node groups is handed back as IPv4 is (trimmed by its payload length),
 * except those to a tentative or duplicate address of ours (dropped, tentative_drops). While
 * no IPv6 address has been added, IPv6 frames are not ours (frames_not_mine). */
int sk_ethif_input(struct sk_ethif *e, const uint8_t *frame, size_t len, uint64_t now,
		   const uint8_t **ip, size_t *iplen);

/* Timers: retransmits ARP requests every retrans_ms; after max_probes requests gives up
 * (drops the queued packets, counts unresolved_drops, calls the unreachable hook, forgets the
 * entry); forgets entries older than reachable_ms (the next packet re-resolves). IPv6:
 * INCOMPLETE as ARP (the unreachable6 hook); REACHABLE past reachable_ms becomes STALE
 * (which has no timer: it stays until used or evicted); DELAY past delay_first_probe_ms
 * becomes PROBE, which sends unicast solicitations every retrans_ms and after max_probes
 * forgets the entry; DAD ends retrans_ms after its last solicitation. */
void sk_ethif_poll(struct sk_ethif *e, uint64_t now);

/* The earliest time sk_ethif_poll has work (an ARP request or neighbour solicitation to
 * retransmit, a give-up, an entry's expiry or state timer, a DAD step); UINT64_MAX if none.
 * Exact: never early, never late. */
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

/* ---- IPv6 ---- */

/* Adds an own IPv6 address with its on-link prefix (0..128). With dad_transmits > 0 it is
 * TENTATIVE and duplicate address detection starts (RFC 4862 5.4.2): after a delay, a
 * solicitation from :: to its solicited-node group, no link-layer option, hop limit 255,
 * dad_transmits of them retrans_ms apart; retrans_ms after the last with no other node
 * claiming it, it becomes
 * PREFERRED (the DAD hook: SK_ETHIF_DAD_OK). The delay (RFC 4862 5.4.2 asks for a random
 * one after the interface starts, up to MAX_RTR_SOLICITATION_DELAY) is between half of
 * dad_delay_max_ms and all of it, from a hash of our MAC and the address (no RNG here: the
 * same pair waits the same); its lower half is skipped so that the other end of a link that
 * has just come up (a TAP's kernel side activates its queue asynchronously) can answer.
 * A solicitation from :: for it from another node,
 * or an advertisement for it, makes it DUPLICATE (SK_ETHIF_DAD_DUPLICATE). With
 * dad_transmits 0 it is PREFERRED at once. Returns 0, or -EINVAL (multicast, unspecified,
 * loopback, IPv4-mapped, prefix over 128), -EEXIST, -ENOSPC (SK_ETHIF_MAX_ADDR6 already). */
int sk_ethif_add_addr6(struct sk_ethif *e, const uint8_t addr[16], uint8_t prefix_len,
		       uint64_t now);

/* The state of an own address (SK_ETHIF_ADDR_*), or 0 if it is not ours. */
int sk_ethif_addr6_state(const struct sk_ethif *e, const uint8_t addr[16]);

/* The IPv6 default gateway, the next hop off-link (a link-local address, usually, or a
 * global one on-link); NULL removes it. 0 or -EINVAL (multicast, unspecified). */
int sk_ethif_set_gw6(struct sk_ethif *e, const uint8_t gw[16]);

/* The link-local address of a MAC: fe80::/64 and the modified EUI-64 interface identifier
 * (RFC 4291 2.5.1 and appendix A, RFC 2464 4). */
void sk_ethif_linklocal(const uint8_t mac[6], uint8_t out[16]);

/* An IPv6 neighbour's state as of the latest `now` seen (SK_ETHIF_ND_*). */
int sk_ethif_neigh6_state(const struct sk_ethif *e, const uint8_t ip[16]);

/* 1 and mac filled if the neighbour has a link-layer address (any state but INCOMPLETE). */
int sk_ethif_lookup6(const struct sk_ethif *e, const uint8_t ip[16], uint8_t mac[6]);

/* Optional: called when resolving an IPv6 next hop fails (its queued packets dropped). */
void sk_ethif_set_unreachable6_hook(struct sk_ethif *e,
				    void (*fn)(void *ctx, const uint8_t ip[16], uint64_t now),
				    void *ctx);

/* Optional: told of DAD's outcome for each address and of later conflicts (SK_ETHIF_DAD_OK,
 * SK_ETHIF_DAD_DUPLICATE, SK_ETHIF_ADDR_CONFLICT). It may not call sk_ethif_free. */
void sk_ethif_set_dad_hook(struct sk_ethif *e,
			   void (*fn)(void *ctx, const uint8_t addr[16], int event, uint64_t now),
			   void *ctx);

#endif
