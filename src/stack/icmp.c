/* ICMP (RFC 792, RFC 1122 3.2.2): echo replies (IP-3), errors we send (port unreachable,
 * UDP-2; reassembly time exceeded, IP-2) and errors we receive, handed to TCP and UDP. */
#include <errno.h>
#include <string.h>

#include "tcp/tcb.h"
#include "udp/udp.h"
#include "wire/icmp.h"

#define ICMP_RATE_PER_S 1000u
#define ICMP_BURST 50u
/* RFC 1812 4.3.2.3: quote as much of the offending datagram as keeps the error within
 * 576 bytes (Linux does the same). */
#define ICMP_QUOTE_MAX (576u - 20u - SK_ICMP_HLEN)

int sk_icmp_errno(uint8_t type, uint8_t code)
{
	if (type == SK_ICMP_TIMXCEED)
		return EHOSTUNREACH;
	switch (code) {
	case SK_ICMP_UNREACH_NET:
		return ENETUNREACH;
	case SK_ICMP_UNREACH_PROTO:
		return ENOPROTOOPT;
	case SK_ICMP_UNREACH_PORT:
		return ECONNREFUSED;
	case SK_ICMP_UNREACH_NEEDFRAG:
		return EMSGSIZE;
	case 9: case 10: case 13: /* administratively prohibited */
		return EACCES;
	default:
		return EHOSTUNREACH;
	}
}

int sk_icmp_rate_ok(struct synack_stack *st)
{
	uint64_t elapsed = st->now - st->icmp_refill;
	uint64_t add = elapsed * ICMP_RATE_PER_S / 1000000u;
	if (add) {
		uint64_t t = st->icmp_tokens + add;
		st->icmp_tokens = (uint32_t)(t > ICMP_BURST ? ICMP_BURST : t);
		st->icmp_refill = st->now;
	}
	if (!st->icmp_tokens) {
		st->stats.icmp_rate_limited++;
		return 0;
	}
	st->icmp_tokens--;
	return 1;
}

static int is_broadcast_or_multicast(const struct synack_stack *st, uint32_t a)
{
	if (a == 0xffffffffu || (a >> 28) == 0xe || a == 0)
		return 1;
	for (int i = 0; i < st->naddrs; i++) {
		uint32_t m = st->addrs[i].mask;
		if (st->addrs[i].family == SYNACK_AF_INET && m != 0xffffffffu && m != 0xfffffffeu && (a & ~m) == ~m && (a & m) == (st->addrs[i].addr & m))
			return 1; /* directed broadcast of one of our subnets */
	}
	return 0;
}

void sk_icmp_send_error(struct synack_stack *st, uint8_t type, uint8_t code, uint16_t mtu, const uint8_t *pkt,
			size_t len)
{
	struct sk_ipv4 ip;
	if (sk_ipv4_parse(pkt, len, &ip, 0) < 0)
		return;
	/* RFC 1122 3.2.2: never about an ICMP error, a non-first fragment, or a datagram
	 * to or from a broadcast/multicast address. */
	if (sk_ipv4_frag_offset(&ip) != 0 || is_broadcast_or_multicast(st, ip.dst) ||
	    is_broadcast_or_multicast(st, ip.src))
		return;
	if (ip.proto == SK_IPPROTO_ICMP) {
		struct sk_icmp m;
		if (ip.total_len <= ip.hlen || sk_icmp_parse(pkt + ip.hlen, ip.total_len - ip.hlen, &m, 0) < 0 ||
		    !(m.type == SK_ICMP_ECHO || m.type == SK_ICMP_ECHOREPLY))
			return;
	}
	if (!sk_icmp_rate_ok(st))
		return;
	size_t q = ip.total_len < ICMP_QUOTE_MAX ? ip.total_len : ICMP_QUOTE_MAX;
	uint8_t *p = sk_ip_payload(st);
	memmove(p + SK_ICMP_HLEN, pkt, q);
	struct sk_icmp m = {.type = type, .code = code, .rest = mtu, .data = p + SK_ICMP_HLEN, .data_len = q};
	int n = sk_icmp_emit(p, SK_PKT_MAX - 20, &m);
	if (n < 0)
		return;
	st->stats.icmp_out++;
	/* From the address the offending datagram was sent to when it is ours. */
	uint32_t src = sk_addr_find(st, ip.dst) ? ip.dst : sk_route_src(st, ip.src);
	sk_ip_send(st, src, ip.src, SK_IPPROTO_ICMP, (size_t)n, 0, 0);
}

static void echo_reply(struct synack_stack *st, const struct sk_ipv4 *ip, const struct sk_icmp *m)
{
	if (is_broadcast_or_multicast(st, ip->src))
		return;
	uint8_t *p = sk_ip_payload(st);
	memmove(p + SK_ICMP_HLEN, m->data, m->data_len);
	struct sk_icmp r = {.type = SK_ICMP_ECHOREPLY, .code = 0, .rest = m->rest, .data = p + SK_ICMP_HLEN,
			    .data_len = m->data_len};
	int n = sk_icmp_emit(p, SK_PKT_MAX - 20, &r);
	if (n < 0)
		return;
	st->stats.icmp_out++;
	st->stats.icmp_echo_replies++;
	sk_ip_send(st, ip->dst, ip->src, SK_IPPROTO_ICMP, (size_t)n, 0, 0);
}

void sk_icmp_input(struct synack_stack *st, const struct sk_ipv4 *ip, const uint8_t *pkt)
{
	st->stats.icmp_in++;
	struct sk_icmp m;
	if (sk_icmp_parse(pkt + ip->hlen, (size_t)ip->total_len - ip->hlen, &m, SK_ICMP_VERIFY_CSUM) < 0) {
		st->stats.icmp_in_bad++;
		return;
	}
	if (m.type == SK_ICMP_ECHO) {
		/* Ours answered here; another address's (tunnel mode) to the tunnel's ping hook. */
		if (m.code == 0 && sk_addr_find(st, ip->dst)) {
			echo_reply(st, ip, &m);
		} else if (m.code == 0 && st->tnl_ping_fn) {
			struct sk_ends e = sk_ends4(ip->dst, ip->src);
			sk_tnl_echo(st, &e, m.rest, m.data, m.data_len);
		}
		return;
	}
	if (!sk_icmp_is_error(m.type))
		return;
	struct sk_icmp_quote q;
	/* The quote must be of a datagram we sent: from one of our addresses. */
	if (sk_icmp_parse_quote(&m, &q) < 0 || (!sk_addr_find(st, q.ip.src) && !sk_tnl_takes4(st, q.ip.src, SK_IPPROTO_ICMP)) ||
	    sk_ipv4_frag_offset(&q.ip) != 0) {
		st->stats.icmp_in_bad++;
		return;
	}
	st->stats.icmp_errors_in++;
	uint16_t mtu = m.type == SK_ICMP_UNREACH && m.code == SK_ICMP_UNREACH_NEEDFRAG ? sk_icmp_nexthop_mtu(&m) : 0;
	if (q.ip.proto == SK_IPPROTO_TCP)
		sk_tcp_icmp_error(st, &q, m.type, m.code, mtu);
	else if (q.ip.proto == SK_IPPROTO_UDP)
		sk_udp_icmp_error(st, &q, m.type, m.code);
}
