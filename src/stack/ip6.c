/* IPv6 in and out (RFC 8200): the fixed header and the extension-header chain checked,
 * with the parameter problem each fault earns; ICMPv6 handed on; the rest counted. TCP
 * and UDP over IPv6, fragments and neighbour discovery are not here yet (issue 11). */
#include <errno.h>
#include <string.h>

#include "base/siphash.h"
#include "stack/stack.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

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
	if (!for_us(st, h.dst)) {
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
		st->stats.ip_reasm_fails++; /* IPv6 reassembly: issue 11 */
		return;
	}
	switch (w.proto) {
	case SK_IPPROTO_ICMPV6:
		sk_icmp6_input(st, pkt, end, w.off);
		break;
	case SK_IPPROTO_NONE:
		break; /* RFC 8200 4.7: nothing follows */
	default:
		/* TCP and UDP over IPv6 come with issue 11; until then, as an unknown protocol
		 * would be, but without an answer that would tell the peer they never will. */
		st->stats.ip_in_proto_unknown++;
		break;
	}
}

/* RFC 6437: a flow label from a hash of the addresses and protocol, never 0. */
static uint32_t flow_label(const struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16],
			   uint8_t next)
{
	uint8_t b[33];
	memcpy(b, src, 16);
	memcpy(b + 16, dst, 16);
	b[32] = next;
	uint32_t f = (uint32_t)sk_siphash(&st->key, b, sizeof(b)) & 0xfffffu;
	return f ? f : 1;
}

int sk_ip6_send(struct synack_stack *st, const uint8_t src[16], const uint8_t dst[16], uint8_t next, size_t len)
{
	const struct sk_addr_entry *a = sk_addr6_find(st, src);
	if (!a) {
		st->stats.output_errors++;
		return -ENETUNREACH;
	}
	if (SK_IPV6_HLEN + len > a->mtu) {
		st->stats.ip_frag_fails++;
		return -EMSGSIZE;
	}
	struct sk_ipv6 h = {.flow = flow_label(st, src, dst, next), .payload_len = (uint16_t)len, .next = next,
			    .hop_limit = st->cfg.ip_default_ttl};
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	sk_ipv6_emit(st->out, SK_IPV6_HLEN, &h);
	st->stats.ip_out++;
	int r = a->out(a->ctx, st->out, SK_IPV6_HLEN + len, st->now);
	if (r < 0)
		st->stats.output_errors++;
	return r;
}
