/* ICMPv6 (RFC 4443) at the stack: echo requests answered, errors sent under RFC 4443
 * 2.4's rules and the shared rate limit, and errors received handed to the TCP connection
 * or UDP socket they are about (Packet Too Big lowering a connection's MSS, RFC 8201).
 * Neighbour discovery is the Ethernet adapter's (link/ethif). */
#include <errno.h>
#include <string.h>

#include "stack/addr.h"
#include "stack/stack.h"
#include "tcp/tcb.h"
#include "udp/udp.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

/* The address an answer to a packet sent to dst leaves from: dst itself when it is ours,
 * else (multicast) our first IPv6 address. NULL when we have none. */
static const uint8_t *answer_src(const struct synack_stack *st, const uint8_t dst[16])
{
	const struct sk_addr_entry *a = sk_addr6_find(st, dst);
	for (int i = 0; !a && i < st->naddrs; i++)
		if (st->addrs[i].family == SYNACK_AF_INET6)
			a = &st->addrs[i];
	return a ? a->a6 : NULL;
}

static void echo_reply(struct synack_stack *st, const struct sk_ipv6 *h, const struct sk_icmp6 *m)
{
	const uint8_t *src = answer_src(st, h->dst);
	if (!src || sk_ipv6_is_multicast(h->src) || sk_ipv6_is_unspecified(h->src))
		return;
	uint8_t dst[16];
	memcpy(dst, h->src, 16);
	uint8_t *p = sk_ip6_payload(st);
	memmove(p + SK_ICMP6_HLEN, m->data, m->data_len); /* the request may sit in st->out */
	struct sk_icmp6 r = {.type = SK_ICMP6_ECHO_REPLY, .rest = m->rest, .data = p + SK_ICMP6_HLEN,
			     .data_len = m->data_len};
	int n = sk_icmp6_emit(p, SK_PKT_MAX - SK_IPV6_HLEN, src, dst, &r);
	if (n < 0)
		return;
	st->stats.icmp_out++;
	st->stats.icmp_echo_replies++;
	sk_ip6_send(st, src, dst, SK_IPPROTO_ICMPV6, (size_t)n, 0);
}

/* The errno an ICMPv6 error stands for, and whether it may end a connection being opened
 * (hard), as Linux's icmpv6_err_convert. -1: not an error for sockets. */
static int error_errno(uint8_t type, uint8_t code, int *hard)
{
	static const struct {
		int err, hard;
	} unreach[] = {{ENETUNREACH, 0}, {EACCES, 1}, {EHOSTUNREACH, 0}, {EHOSTUNREACH, 0},
		       {ECONNREFUSED, 1}, {EACCES, 1}, {EACCES, 1}};
	*hard = 0;
	switch (type) {
	case SK_ICMP6_UNREACH:
		if (code >= sizeof(unreach) / sizeof(unreach[0]))
			return EHOSTUNREACH;
		*hard = unreach[code].hard;
		return unreach[code].err;
	case SK_ICMP6_PKT_TOO_BIG:
		return EMSGSIZE;
	case SK_ICMP6_PARAM_PROB:
		*hard = 1;
		return EPROTO;
	case SK_ICMP6_TIME_EXCEEDED:
		return EHOSTUNREACH;
	default:
		return -1;
	}
}

/* An error about a packet we sent (its quote names one of our addresses as source) goes to
 * the TCP connection or UDP socket it came from (RFC 4443 3: passed to the upper layer). */
static void error_to_socket(struct synack_stack *st, const struct sk_icmp6 *m)
{
	struct sk_icmp6_quote q;
	int hard;
	int err = error_errno(m->type, m->code, &hard);
	if (err < 0 || sk_icmp6_parse_quote(m, &q) < 0 ||
	    (!sk_addr6_find(st, q.ip.src) && !sk_tnl_takes6(st, q.ip.src, SK_IPPROTO_ICMPV6))) /* a tunnelled flow's */
		return;
	struct sk_ends e = sk_ends6(q.ip.src, q.ip.dst);
	if (m->type == SK_ICMP6_PKT_TOO_BIG) {
		/* RFC 8201 4: never below the IPv6 minimum link MTU (lowered there, not
		 * ignored: RFC 8021 retired the atomic fragments a smaller one asked for) */
		uint32_t mtu = m->rest < 1280 ? 1280 : m->rest;
		sk_ip6_pmtu_update(st, q.ip.dst, mtu);
		if (q.proto == SK_IPPROTO_TCP && q.l4_len >= 8)
			sk_tcp_icmp_report(st, &e, q.sport, q.dport, q.tcp_seq, err, 0, mtu);
		return;
	}
	if (q.proto == SK_IPPROTO_TCP && q.l4_len >= 8)
		sk_tcp_icmp_report(st, &e, q.sport, q.dport, q.tcp_seq, err, hard, 0);
	else if (q.proto == SK_IPPROTO_UDP && q.l4_len >= 4)
		sk_udp_icmp_report(st, &e, q.sport, q.dport, err);
}

void sk_icmp6_input(struct synack_stack *st, const uint8_t *pkt, size_t len, size_t off)
{
	struct sk_ipv6 h;
	struct sk_icmp6 m;
	st->stats.icmp_in++;
	if (sk_ipv6_parse(pkt, len, &h) < 0 ||
	    sk_icmp6_parse(pkt + off, len - off, h.src, h.dst, &m, SK_ICMP6_VERIFY_CSUM) < 0) {
		st->stats.icmp_in_bad++;
		return;
	}
	if (m.type == SK_ICMP6_ECHO_REQUEST && m.code == 0) {
		/* to us or a group we are in; another address's (tunnel mode) to the tunnel's
		 * ping hook */
		if (sk_addr6_find(st, h.dst) || sk_ipv6_is_multicast(h.dst)) {
			echo_reply(st, &h, &m);
		} else if (st->tnl_ping_fn) {
			struct sk_ends e = sk_ends6(h.dst, h.src);
			sk_tnl_echo(st, &e, m.rest, m.data, m.data_len);
		}
	} else if (sk_icmp6_is_error(m.type)) {
		st->stats.icmp_errors_in++;
		error_to_socket(st, &m);
	}
	/* Other informational messages (echo replies, neighbour discovery) are not ours yet:
	 * RFC 4443 2.4(b) says to drop those not known. */
}

void sk_icmp6_send_error(struct synack_stack *st, uint8_t type, uint8_t code, uint32_t rest, const uint8_t *pkt,
			 size_t len)
{
	struct sk_ipv6 h;
	if (sk_ipv6_parse(pkt, len, &h) < 0 || !sk_icmp6_error_allowed(pkt, len, type, code, rest, 0))
		return;
	const uint8_t *src = answer_src(st, h.dst);
	if (!src || !sk_icmp_rate_ok(st))
		return;
	uint8_t dst[16];
	memcpy(dst, h.src, 16);
	/* The quote may overlap the scratch buffer: copy it out of the way first. */
	uint8_t inv[SK_ICMP6_ERR_QUOTE_MAX];
	size_t q = len < sizeof(inv) ? len : sizeof(inv);
	memcpy(inv, pkt, q);
	int n = sk_icmp6_emit_error(sk_ip6_payload(st), SK_PKT_MAX - SK_IPV6_HLEN, src, dst, type, code, rest, inv, q);
	if (n < 0)
		return;
	st->stats.icmp_out++;
	sk_ip6_send(st, src, dst, SK_IPPROTO_ICMPV6, (size_t)n, 0);
}
