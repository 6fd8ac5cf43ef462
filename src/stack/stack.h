/* The stack object's internals: configuration, addresses, tables, timers, counters. Every
 * layer reaches shared state through a struct synack_stack pointer; there are no globals. */
#ifndef SK_STACK_H
#define SK_STACK_H

#include <synack/synack.h>

#include "base/siphash.h"
#include "base/wheel.h"
#include "base/rng.h"
#include "stack/reasm.h"
#include "buf/bufpool.h"
#include "tcp/twlog.h"

struct sk_tcb;
struct sk_conn;
struct sk_ipv4;
struct sk_udptab;

#define SK_MAX_ADDRS 8
#define SK_PKT_MAX 65535

struct sk_addr_entry {
	uint16_t family;  /* SYNACK_AF_INET: addr and mask; SYNACK_AF_INET6: a6 and plen */
	uint8_t plen;
	uint8_t a6[16];
	uint32_t addr, mask;
	uint32_t mtu;
	uint32_t gso_max; /* TCP packets up to this size leave whole (TSO), 0 = none */
	uint8_t csum_offload; /* the link completes TCP checksums (synack_set_csum_offload) */
	synack_output_fn out;
	synack_output_sg_fn out_sg; /* optional (synack_set_output_sg) */
	void *ctx;
};

/* The 4-tuple hash table: TCBs, half-open (SYN-RCVD) records and TIME-WAIT records all
 * live here, found by one lookup (CONN-1). Chained; doubles when the load passes 1. */
struct sk_ctable {
	struct sk_conn **b;
	size_t mask; /* buckets - 1 */
	size_t n;
};

/* Listeners by local port (and address, 0 = any). */
struct sk_ltable {
	struct sk_tcb **b; /* 1024 buckets by port */
};

/* Socket handles: small integers indexing this array; freed slots are reused lowest
 * first so handles stay small. */
struct sk_handles {
	struct sk_conn **v; /* a TCB or a UDP socket, told apart by kind */
	uint32_t cap, used;
	uint32_t free_head; /* index of a free slot chain, UINT32_MAX if none */
	uint32_t *slot;     /* a free slot: the index of the next free one; an open socket:
			     * its readiness word (stack/ready.c) */
};

/* Sockets whose events may have changed since synack_ready last looked (stack/ready.c). */
struct sk_ready {
	uint32_t *v; /* handles, oldest first from head; some may be stale (closed, or
		      * reused since) */
	size_t head, n, cap;
	int on;      /* 0 until the first synack_ready call: nothing is recorded before */
};

/* At most this many connections hold their ACK to the end of one synack_input_batch; more
 * ACK as ever. */
#define SK_BATCH_ACKS 32
#define SK_HELD_TAILS 16

/* A destination whose path MTU a Packet Too Big lowered (RFC 8201), until a time. */
#define SK_PMTU6_N 16
#define SK_PMTU6_AGE_US (600ull * 1000000) /* 10 minutes, RFC 8201 5.3's suggestion */
struct sk_pmtu6 {
	uint8_t dst[16];
	uint32_t mtu;
	uint64_t until;
};

struct synack_stack {
	struct synack_config cfg;
	uint8_t in_verified; /* the packet being input: its link vouched for its L4 checksum
			      * (synack_input_verified; cleared for a fragment's datagram) */
	const uint8_t *in_pkt; /* the IP packet (or reassembled datagram) being input: what */
	size_t in_len;         /* the stray hook is offered (sk_stray_handoff) */
	struct sk_siphash_key key;
	struct sk_rng rng;
	uint64_t now;
	uint64_t clock_base; /* now at creation: the ISN clock counts from it */
	struct sk_wheel wheel;
	struct sk_addr_entry addrs[SK_MAX_ADDRS];
	int naddrs;
	struct sk_ctable conns;
	struct sk_twlog twlog; /* TIME-WAIT records' memory and their one timer */
	struct sk_ltable listeners;
	struct sk_handles handles;
	struct sk_ready ready;
	struct synack_stats stats;
	synack_event_fn event_fn;
	void *event_ctx;
	synack_stray_fn stray_fn; /* shards (synack_set_stray_hook) */
	void *stray_ctx;
	uint8_t why; /* enum sk_why of what the current call sends (tcp/tcb.h) */
	/* challenge ACK budget per second (RFC 5961 section 7) */
	uint64_t challenge_window_start;
	uint32_t challenge_count;
	uint32_t *bind_refs; /* sockets bound per local port, for EADDRINUSE (lazily allocated) */
	uint16_t next_ephemeral;
	int cc_default; /* index of tcp_congestion_control (tcp/cc.h) */
	uint16_t ip_id;
	uint32_t frag6_counter; /* IPv6 fragment identifications: hashed with it (ip6.c) */
	/* synack_input_batch: connections whose plain ACK waits for the batch's end
	 * (tcp/delack.c), while batching is set */
	uint8_t batching, nbatch;
	struct sk_tcb *batch_acks[SK_BATCH_ACKS];
	/* A send call: connections whose short tail waits for the caller's next send, at
	 * most until the stack is next polled (tcp/output.c, autocorking) */
	uint8_t in_send, nheld;
	struct sk_tcb *held_tails[SK_HELD_TAILS];
	struct sk_pmtu6 pmtu6[SK_PMTU6_N]; /* lowered path MTUs (ip6.c) */
	struct sk_reasm reasm; /* fragments being put back together (IP-2) */
	struct sk_bufpool bufpool; /* byte-queue storage kept for reuse (buf/bufpool.h) */
	/* Tunnel mode (stack/tunnel.c): the listener that takes TCP flows to other addresses
	 * and the datagram socket that takes UDP flows (udp/udp.c), -1 when off; their flow hooks;
	 * how long a UDP flow may be idle. */
	int tnl_listener, tnl_udp;
	synack_flow_fn tnl_fn, tnl_udp_fn;
	void *tnl_ctx, *tnl_udp_ctx;
	uint64_t tnl_udp_idle_us;
	synack_ping_fn tnl_ping_fn;          /* echo requests to other addresses, or NULL */
	void *tnl_ping_ctx;
	struct synack_tunnel_limits tnl_lim; /* TNL-4 (0: none) */
	struct sk_tnl_sources *tnl_src;      /* flows per client address, while limited */
	uint64_t tnl_flows, tnl_mem;         /* flows now; their memory at the last look */
	uint64_t tnl_mem_at;                 /* when that look was */
	struct sk_udptab *udp; /* UDP sockets by port (udp/udp.c), allocated on first use */
	/* ICMP error messages: a token bucket, 1000 per second with bursts of 50 (Linux's
	 * icmp_msgs_per_sec and icmp_msgs_burst) */
	uint32_t icmp_tokens;
	uint64_t icmp_refill;
	/* The payload of the packet being built, when it stays where it is (scatter-gather
	 * output): st->out then holds the headers only, and these pieces follow them. */
	const struct iovec *out_pl;
	int out_pl_n;
	size_t out_pl_len;
	uint8_t out[SK_PKT_MAX]; /* output scratch: one packet is built at a time */
};

/* Hands the packet of n bytes at p (the headers and, with a payload left in place, the
 * pieces after them) to the link of a, counted as IP output. */
int sk_link_out(struct synack_stack *st, const struct sk_addr_entry *a, const uint8_t *p, size_t n);
/* A payload left in place is copied after the headers in st->out, for a packet of n bytes
 * in all: for a path that must see the bytes (fragmenting, a link without out_sg). */
void sk_out_gather(struct synack_stack *st, size_t n);

/* Emits an IPv4 packet whose payload (proto) is already at sk_ip_payload(st)/len; fills in
 * the IP header in front of it in st->out, with tos (the ECN codepoint in its low bits). With
 * df the packet carries Don't Fragment and must fit the MTU (-EMSGSIZE otherwise); without,
 * a packet over the MTU leaves in fragments (IP-2). Returns 0 or -errno. */
int sk_ip_send(struct synack_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t len, int df, uint8_t tos);
/* TCP's form: always DF, TCP segments at the MSS (IP-2); ecn is RFC 3168's codepoint. */
static inline int sk_ip_output(struct synack_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t len,
			       uint8_t ecn)
{
	return sk_ip_send(st, src, dst, proto, len, 1, ecn);
}
/* ---- ready.c ---- */
/* Something happened to socket handle h (data, an ACK, a state change, an error, a
 * timer): synack_ready will look at its events. A no-op for h < 0 (no socket), and
 * before the caller first asks. */
void sk_ready_touch(struct synack_stack *st, int h);
/* Handle h's call just found nothing to do (-EAGAIN, -EINPROGRESS) for these events:
 * they count as not reported, so their return is (edge triggering's re-arm). */
void sk_ready_rearm(struct synack_stack *st, int h, uint32_t events);
/* A handle was just given to a new socket: nothing about it is reported yet. */
void sk_ready_reset(struct synack_stack *st, int h);
void sk_ready_free(struct synack_stack *st);

/* ---- ip6.c, icmp6.c: IPv6 (RFC 8200) and ICMPv6 (RFC 4443) ---- */
/* An IPv6 packet (version 6) handed to synack_input. */
void sk_ip6_input(struct synack_stack *st, const uint8_t *pkt, size_t len);
/* Where an outgoing IPv6 payload is built: st->out + 40. */
static inline uint8_t *sk_ip6_payload(struct synack_stack *st) { return st->out + 40; }
/* Emits the IPv6 packet whose payload (next) is at sk_ip6_payload(st)/len: hop limit 64,
 * a flow label from a hash of the flow (RFC 6437), in fragments when it is over the link's
 * MTU (IP6-2). 0 or -errno (-ENETUNREACH: no IPv6 address to send from; -EMSGSIZE: too
 * long even for fragments). */
int sk_ip6_send(struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16], uint8_t next, size_t len,
		uint8_t tclass);
/* The MTU and the TSO limit of the route to dst, and the source address for it (0 or
 * -ENETUNREACH when there is no IPv6 address). */
uint32_t sk_route6_mtu(const struct synack_stack *st, const uint8_t dst[16]);
uint32_t sk_route6_gso(const struct synack_stack *st, const uint8_t dst[16]);
/* The address entry a packet from src to dst leaves through (sk_ip6_send's), or NULL. */
const struct sk_addr_entry *sk_out_entry6(const struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16]);
int sk_route6_src(const struct synack_stack *st, const uint8_t dst[16], uint8_t src[16]);
/* A Packet Too Big said the path to dst takes mtu: lowers its path MTU (never below 1280). */
void sk_ip6_pmtu_update(struct synack_stack *st, const uint8_t dst[16], uint32_t mtu);
/* The IPv6 address entry holding a, or NULL. */
const struct sk_addr_entry *sk_addr6_find(const struct synack_stack *st, const uint8_t a[16]);
/* An ICMPv6 message addressed to us: its packet, and where the message starts. */
void sk_icmp6_input(struct synack_stack *st, const uint8_t *pkt, size_t len, size_t off);
/* Sends an ICMPv6 error about pkt unless RFC 4443 2.4(e) forbids it or the rate limit
 * (shared with ICMP) says no. */
void sk_icmp6_send_error(struct synack_stack *st, uint8_t type, uint8_t code, uint32_t rest, const uint8_t *pkt,
			 size_t len);
/* One token of the ICMP error rate limit (icmp.c): 1 when an error may go now. */
int sk_icmp_rate_ok(struct synack_stack *st);

/* ---- icmp.c ---- */
/* An ICMP message addressed to us (ip is its parsed header, pkt the whole packet). */
void sk_icmp_input(struct synack_stack *st, const struct sk_ipv4 *ip, const uint8_t *pkt);
/* Sends an ICMP error (type/code, next-hop MTU for frag-needed) quoting pkt, unless RFC 1122
 * 3.2.2 forbids it or the rate limit says no. */
void sk_icmp_send_error(struct synack_stack *st, uint8_t type, uint8_t code, uint16_t mtu, const uint8_t *pkt,
			size_t len);
/* The errno an ICMP error stands for (ECONNREFUSED for port unreachable, ...). */
int sk_icmp_errno(uint8_t type, uint8_t code);
/* Where an outgoing L4 payload is built: st->out + 20. */
static inline uint8_t *sk_ip_payload(struct synack_stack *st) { return st->out + 20; }
/* The address entry owning addr, or NULL. */
const struct sk_addr_entry *sk_addr_find(const struct synack_stack *st, uint32_t addr);
/* Tunnel mode (stack/tunnel.c): whether a packet of protocol proto (TCP, UDP, or ICMP:
 * an error about a flow of either) to this address that is not the stack's is taken; the
 * listener that takes TCP flows. */
int sk_tnl_takes4(const struct synack_stack *st, uint32_t dst, uint8_t proto);
int sk_tnl_takes6(const struct synack_stack *st, const uint8_t dst[16], uint8_t proto);
struct sk_tcb *sk_tnl_listener(struct synack_stack *st);
struct sk_ends;
/* An echo request to dst (not the stack's) from the client, e's remote end: to the
 * tunnel's ping hook. */
void sk_tnl_echo(struct synack_stack *st, const struct sk_ends *e, uint32_t rest, const uint8_t *data, size_t len);
/* TNL-4: a flow the tunnel took (a connection of its listener, a UDP flow's socket) is
 * born and gone, counted per client address (e's remote end); the budget looked at now
 * and then (on new flows and from synack_poll), the idlest flows shed when it is spent. */
void sk_tnl_flow_born(struct synack_stack *st, const struct sk_ends *e);
void sk_tnl_flow_gone(struct synack_stack *st, const struct sk_ends *e);
void sk_tnl_budget(struct synack_stack *st);
/* Whether any of tunnel mode is on. */
static inline int sk_tnl_on(const struct synack_stack *st)
{
	return st->tnl_listener >= 0 || st->tnl_udp >= 0 || st->tnl_ping_fn;
}
/* The hook's verdict on a new flow of proto (counted); for UDP, DEFER is ACCEPT. -1: a
 * UDP flow over the tunnel's limits, dropped (a TCP one is refused with a RST). */
int sk_tnl_verdict(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, uint8_t proto);
struct sk_tcp;
/* ICMP host unreachable (ICMPv6 address unreachable) about the client's SYN seg between
 * ends e, rebuilt from what is known of it: a deferred flow's refusal. */
void sk_tnl_unreach(struct synack_stack *st, const struct sk_ends *e, const struct sk_tcp *seg);
/* MTU towards dst (of the route it would take). */
uint32_t sk_route_mtu(const struct synack_stack *st, uint32_t dst);
/* The largest TCP packet (TSO) the route to dst takes, or 0. */
uint32_t sk_route_gso(const struct synack_stack *st, uint32_t dst);
/* Source address for dst. */
uint32_t sk_route_src(const struct synack_stack *st, uint32_t dst);

/* ---- both families: a flow's ends (stack/addr.h) decide which IP layer ---- */
struct sk_ends;
/* Where an outgoing TCP or UDP payload for ends e is built: after the IPv4 or IPv6 header. */
uint8_t *sk_l4_payload(struct synack_stack *st, const struct sk_ends *e);
/* Sends that payload (proto, len) from e's local to its remote end: IPv4 with DF for TCP
 * (df), IPv6 (which never fragments on the way); ecn is the ECN codepoint. */
int sk_l4_send(struct synack_stack *st, const struct sk_ends *e, uint8_t proto, size_t len, int df, uint8_t ecn);
/* MTU and TSO limit towards e's remote end. */
uint32_t sk_route_mtu_ends(const struct synack_stack *st, const struct sk_ends *e);
uint32_t sk_route_gso_ends(const struct synack_stack *st, const struct sk_ends *e);
/* The address entry a packet from e's local to its remote end leaves through (as
 * sk_l4_send picks it), or NULL. */
const struct sk_addr_entry *sk_out_entry_ends(const struct synack_stack *st, const struct sk_ends *e);
/* Fills e's local end with the source address for its remote end: 0 or -ENETUNREACH. */
int sk_route_src_ends(const struct synack_stack *st, struct sk_ends *e);
/* 1 when e's local end is one of our addresses. */
int sk_ends_local_ours(const struct synack_stack *st, const struct sk_ends *e);

struct sk_conn;
/* A state change of the connection c (NULL: none known) for the event hook. */
void sk_emit_state(struct synack_stack *st, int handle, const struct sk_conn *c, int old_state,
		   int new_state, const char *cause);

/* A packet of no socket or connection of this stack (a TCP segment it would answer with a
 * RST, a UDP datagram to a port none of its sockets has, an ICMP error about a flow it does
 * not have): a shard's stray hook may take it for the shard that owns the flow
 * (synack_set_stray_hook); 1 if it did (counted), 0 to handle it here. */
int sk_stray_handoff(struct synack_stack *st);

#endif
