/* IPv6 in and out (RFC 8200): the fixed header and the extension-header chain checked,
 * with the parameter problem each fault earns; fragments put back together; ICMPv6, TCP
 * and UDP handed on; routes and source addresses for IPv6 destinations. */
#include <errno.h>
#include <string.h>

#include "base/siphash.h"
#include "stack/addr.h"
#include "stack/stack.h"
#include "tcp/tcb.h"
#include "udp/udp.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

static uint32_t path_mtu(const struct synack_stack *st, const struct sk_addr_entry *a, const uint8_t dst[16]);

const struct sk_addr_entry *sk_addr6_find(const struct synack_stack *st, const uint8_t a[16])
{
	for (int i = 0; i < st->naddrs; i++)
		if (st->addrs[i].family == SYNACK_AF_INET6 && !memcmp(st->addrs[i].a6, a, 16))
			return &st->addrs[i];
	return NULL;
}

/* Whether a packet to dst is for us: one of our addresses, all-nodes (ff02::1), or the
 * solicited-node group of one of them (RFC 4291 2.7.1). */
static int for_us(const struct synack_stack *st, const uint8_t dst[16])
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	if (sk_addr6_find(st, dst) || !memcmp(dst, all_nodes, 16))
		return 1;
	if (!sk_ipv6_is_solicited_node(dst))
		return 0;
	for (int i = 0; i < st->naddrs; i++) {
		uint8_t g[16];
		if (st->addrs[i].family != SYNACK_AF_INET6)
			continue;
		sk_ipv6_solicited_node(st->addrs[i].a6, g);
		if (!memcmp(g, dst, 16))
			return 1;
	}
	return 0;
}

void sk_ip6_input(struct synack_stack *st, const uint8_t *pkt, size_t len)
{
	struct sk_ipv6 h;
	if (sk_ipv6_parse(pkt, len, &h) < 0) {
		st->stats.ip_in_bad++;
		return;
	}
	if (!for_us(st, h.dst) && !sk_tnl_takes6(st, h.dst, 0)) {
		st->stats.ip_in_not_mine++;
		return;
	}
	size_t end = SK_IPV6_HLEN + (size_t)h.payload_len; /* link padding beyond is not ours */
	struct sk_ipv6_walk w;
	if (sk_ipv6_walk(pkt, &h, &w) < 0) {
		st->stats.ip_in_bad++;
		if (w.icmp)
			sk_icmp6_send_error(st, SK_ICMP6_PARAM_PROB, w.code, w.pointer, pkt, end);
		return;
	}
	if (w.fragment) {
		/* IP6-2: held until the datagram is whole (or times out, or memory runs short);
		 * then walked again as one packet. */
		st->in_verified = 0; /* (the link vouched for one fragment at most) */
		const uint8_t *whole;
		size_t wlen;
		if (sk_reasm_input6(&st->reasm, pkt, end, &h, &w, st->now, &whole, &wlen) != 1)
			return;
		if (sk_ipv6_parse(whole, wlen, &h) < 0 || sk_ipv6_walk(whole, &h, &w) < 0 || w.fragment) {
			st->stats.ip_in_bad++;
			return;
		}
		pkt = whole;
		end = wlen;
	}
	st->in_pkt = pkt;
	st->in_len = end;
	switch (w.proto) {
	case SK_IPPROTO_ICMPV6:
		sk_icmp6_input(st, pkt, end, w.off);
		break;
	case SK_IPPROTO_NONE:
		break; /* RFC 8200 4.7: nothing follows */
	case SK_IPPROTO_TCP:
	case SK_IPPROTO_UDP: {
		if (!sk_addr6_find(st, h.dst) && !sk_tnl_takes6(st, h.dst, w.proto)) {
			/* TCP and UDP are unicast only here: a multicast destination is not
			 * one of our sockets' (RFC 9293 3.9.1: never answered either) */
			st->stats.ip_in_not_mine++;
			break;
		}
		struct sk_ends e = sk_ends6(h.dst, h.src);
		if (w.proto == SK_IPPROTO_TCP) {
			if (sk_tcp_input_ends(st, &e, h.tclass & 3, pkt + w.off, end - w.off) == -EHOSTUNREACH)
				sk_icmp6_send_error(st, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_ADDR, 0, pkt, end); /* TNL-2 */
		} else {
			int r = sk_udp_input_ends(st, &e, pkt + w.off, end - w.off);
			if (r == 1) /* RFC 4443 3.1: port unreachable, as for IPv4 (UDP-4) */
				sk_icmp6_send_error(st, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_PORT, 0, pkt, end);
			else if (r == -EHOSTUNREACH) /* TNL-3 */
				sk_icmp6_send_error(st, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_ADDR, 0, pkt, end);
		}
		break;
	}
	default:
		/* (the walk answered every protocol we do not speak: this is unreachable) */
		st->stats.ip_in_proto_unknown++;
		break;
	}
}

/* RFC 6437: a flow label from a keyed hash of the addresses and protocol, never 0. The
 * addresses go in folded: two flows that share a label only share a path's hash bucket,
 * and hashing 12 bytes instead of 33 halved the label's cost, paid on every packet. */
static uint32_t flow_label(const struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16],
			   uint8_t next)
{
	uint32_t f = (uint32_t)sk_siphash_4u32(&st->key, sk_ip6_fold(src), sk_ip6_fold(dst), next, 0x464c4f57) & 0xfffffu;
	return f ? f : 1;
}

/* IP6-2, RFC 8200 4.5: a packet over the link's MTU leaves in fragments, each the header
 * and a fragment header before a piece of (MTU - 48) bytes rounded down to 8. The payload
 * moves 8 bytes up first; then each piece's headers are written just before it, over bytes
 * the previous fragment has already sent, so no second buffer is needed. The
 * identification is unpredictable (RFC 7739): a keyed hash of the destination and a
 * counter. */
static int fragment(struct synack_stack *st, const struct sk_addr_entry *a, uint32_t mtu, struct sk_ipv6 *h, size_t len)
{
	enum { HDRS = SK_IPV6_HLEN + SK_IPV6_FRAG_HLEN };
	if (HDRS + len > sizeof(st->out)) {
		st->stats.ip_frag_fails++;
		return -EMSGSIZE;
	}
	memmove(st->out + HDRS, st->out + SK_IPV6_HLEN, len);
	uint8_t idb[20];
	memcpy(idb, h->dst, 16);
	uint32_t n = st->frag6_counter++;
	memcpy(idb + 16, &n, 4);
	struct sk_ipv6_frag f = {.next = h->next, .id = (uint32_t)sk_siphash(&st->key, idb, sizeof(idb))};
	h->next = SK_IPPROTO_FRAGMENT;
	size_t piece = ((size_t)mtu - HDRS) & ~(size_t)7;
	int r = 0;
	for (size_t off = 0; off < len && r >= 0; off += piece) {
		size_t k = len - off < piece ? len - off : piece;
		uint8_t *p = st->out + off;
		h->payload_len = (uint16_t)(SK_IPV6_FRAG_HLEN + k);
		f.offset = (uint16_t)off;
		f.more = off + k < len;
		sk_ipv6_emit(p, SK_IPV6_HLEN, h);
		sk_ipv6_frag_emit(p + SK_IPV6_HLEN, SK_IPV6_FRAG_HLEN, &f);
		st->stats.ip_frag_out++;
		r = sk_link_out(st, a, p, HDRS + k);
	}
	return r < 0 ? r : 0;
}

static const struct sk_addr_entry *route6(const struct synack_stack *st, const uint8_t dst[16]);

int sk_ip6_send(struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16], uint8_t next, size_t len,
		uint8_t tclass)
{
	const struct sk_addr_entry *a = sk_out_entry6(st, src, dst);
	if (!a) {
		st->stats.output_errors++;
		return -ENETUNREACH;
	}
	struct sk_ipv6 h = {.tclass = tclass, .flow = flow_label(st, src, dst, next), .payload_len = (uint16_t)len,
			    .next = next, .hop_limit = st->cfg.ip_default_ttl};
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	/* a TCP super-segment leaves whole on a TSO link, as over IPv4; anything else over
	 * the path's MTU in fragments */
	uint32_t mtu = path_mtu(st, a, dst);
	if (SK_IPV6_HLEN + len > mtu && !(next == SK_IPPROTO_TCP && SK_IPV6_HLEN + len <= a->gso_max)) {
		if (st->out_pl_n) /* (the fragments need the bytes; TCP sized the segment to fit) */
			sk_out_gather(st, SK_IPV6_HLEN + len);
		return fragment(st, a, mtu, &h, len);
	}
	sk_ipv6_emit(st->out, SK_IPV6_HLEN, &h);
	return sk_link_out(st, a, st->out, SK_IPV6_HLEN + len);
}

static int prefix_match(const uint8_t a[16], const uint8_t b[16], unsigned plen)
{
	unsigned whole = plen / 8, rest = plen % 8;
	if (memcmp(a, b, whole) != 0)
		return 0;
	return !rest || ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* RFC 8201: the path MTU to dst through a: the link's, or less while a Packet Too Big
 * said so (for SK_PMTU6_AGE_US, after which the link's is tried again, 5.3). */
static uint32_t path_mtu(const struct synack_stack *st, const struct sk_addr_entry *a, const uint8_t dst[16])
{
	for (int i = 0; i < SK_PMTU6_N; i++) {
		const struct sk_pmtu6 *e = &st->pmtu6[i];
		if (e->until > st->now && e->mtu < a->mtu && !memcmp(e->dst, dst, 16))
			return e->mtu;
	}
	return a->mtu;
}

/* Routing: the IPv6 address whose prefix holds dst, else the first IPv6 one (a default
 * route out of its link). */
static const struct sk_addr_entry *route6(const struct synack_stack *st, const uint8_t dst[16])
{
	const struct sk_addr_entry *first = NULL;
	for (int i = 0; i < st->naddrs; i++) {
		const struct sk_addr_entry *a = &st->addrs[i];
		if (a->family != SYNACK_AF_INET6)
			continue;
		if (prefix_match(a->a6, dst, a->plen))
			return a;
		if (!first)
			first = a;
	}
	return first;
}

const struct sk_addr_entry *sk_out_entry6(const struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16])
{
	const struct sk_addr_entry *a = sk_addr6_find(st, src);
	if (!a && sk_tnl_on(st))
		a = route6(st, dst); /* a tunnelled flow's: from the address its client asked for */
	return a;
}

uint32_t sk_route6_mtu(const struct synack_stack *st, const uint8_t dst[16])
{
	const struct sk_addr_entry *a = route6(st, dst);
	return a ? path_mtu(st, a, dst) : 1280;
}

uint32_t sk_route6_gso(const struct synack_stack *st, const uint8_t dst[16])
{
	/* none where the path is narrower than the link: the device would cut super-segments
	 * at its own MTU */
	const struct sk_addr_entry *a = route6(st, dst);
	return a && path_mtu(st, a, dst) == a->mtu ? a->gso_max : 0;
}

void sk_ip6_pmtu_update(struct synack_stack *st, const uint8_t dst[16], uint32_t mtu)
{
	const struct sk_addr_entry *a = route6(st, dst);
	if (mtu < 1280)
		mtu = 1280; /* RFC 8201 4: never below the IPv6 minimum link MTU */
	if (!a || mtu >= path_mtu(st, a, dst))
		return; /* only ever lowered (an increase would be RFC 8201 5.3's probe) */
	struct sk_pmtu6 *slot = &st->pmtu6[0];
	for (int i = 0; i < SK_PMTU6_N; i++) {
		struct sk_pmtu6 *e = &st->pmtu6[i];
		if (!memcmp(e->dst, dst, 16) || e->until <= st->now) {
			slot = e;
			break;
		}
		if (e->until < slot->until)
			slot = e; /* else the entry nearest to expiry gives way */
	}
	memcpy(slot->dst, dst, 16);
	slot->mtu = mtu;
	slot->until = st->now + SK_PMTU6_AGE_US;
}

int sk_route6_src(const struct synack_stack *st, const uint8_t dst[16], uint8_t src[16])
{
	const struct sk_addr_entry *a = route6(st, dst);
	if (!a)
		return -ENETUNREACH;
	memcpy(src, a->a6, 16);
	return 0;
}
