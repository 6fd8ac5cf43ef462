/* ICMPv6 parse/emit (RFC 4443), error quotes and the rules on when errors may be sent. */
#include "wire/icmp6.h"

#include <string.h>

#include "wire/checksum.h"

int sk_icmp6_parse(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		   struct sk_icmp6 *m, unsigned flags)
{
	if (len < SK_ICMP6_HLEN)
		return -SK_WIRE_TRUNCATED;
	m->type = p[0];
	m->code = p[1];
	m->cksum = sk_get16(p + 2);
	m->rest = sk_get32(p + 4);
	m->data = p + SK_ICMP6_HLEN;
	m->data_len = len - SK_ICMP6_HLEN;
	/* RFC 4443 2.3: the checksum covers the IPv6 pseudo-header (next header 58). */
	if ((flags & SK_ICMP6_VERIFY_CSUM) &&
	    sk_csum_l4v6(src, dst, SK_IPPROTO_ICMPV6, p, len) != 0)
		return -SK_WIRE_BAD_CHECKSUM;
	return SK_ICMP6_HLEN;
}

int sk_icmp6_emit(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
		  const struct sk_icmp6 *m)
{
	size_t len = SK_ICMP6_HLEN + m->data_len;
	if (len > 0xffff)
		return -SK_WIRE_INVALID;
	if (cap < len)
		return -SK_WIRE_NOSPACE;
	if (m->data_len)
		memmove(p + SK_ICMP6_HLEN, m->data, m->data_len);
	p[0] = m->type;
	p[1] = m->code;
	sk_put16(p + 2, 0);
	sk_put32(p + 4, m->rest);
	sk_put16(p + 2, sk_csum_l4v6(src, dst, SK_IPPROTO_ICMPV6, p, len));
	return (int)len;
}

int sk_icmp6_emit_error(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
			uint8_t type, uint8_t code, uint32_t rest, const uint8_t *inv,
			size_t inv_len)
{
	if (!sk_icmp6_is_error(type))
		return -SK_WIRE_INVALID;
	size_t quote = inv_len < SK_ICMP6_ERR_QUOTE_MAX ? inv_len : SK_ICMP6_ERR_QUOTE_MAX;
	struct sk_icmp6 m = {
		.type = type, .code = code, .rest = rest, .data = inv, .data_len = quote};
	return sk_icmp6_emit(p, cap, src, dst, &m);
}

/* The upper-layer header of the invoking packet, if it is ICMPv6 and its type is there:
 * that type, else -1. */
static int quoted_icmp6_type(const uint8_t *inv, size_t len)
{
	size_t end = SK_IPV6_HLEN + (size_t)sk_get16(inv + 4), off = SK_IPV6_HLEN;
	uint8_t nh = inv[6];
	if (end > len)
		end = len;
	if (sk_ipv6_skip_ext(inv, end, &nh, &off) < 0 || nh != SK_IPPROTO_ICMPV6 || off >= end)
		return -1;
	return inv[off];
}

int sk_icmp6_error_allowed(const uint8_t *inv, size_t inv_len, uint8_t type, uint8_t code,
			   uint32_t rest, int link_mcast)
{
	if (!sk_icmp6_is_error(type) || inv_len < SK_IPV6_HLEN)
		return 0;
	const uint8_t *src = inv + 8, *dst = inv + 24;
	/* (e.6): the source must identify a single node. */
	if (sk_ipv6_is_unspecified(src) || sk_ipv6_is_multicast(src))
		return 0;
	/* (e.3)-(e.5), with their two exceptions. */
	int exempt = type == SK_ICMP6_PKT_TOO_BIG ||
		     (type == SK_ICMP6_PARAM_PROB && code == SK_ICMP6_PARAMPROB_OPTION &&
		      rest < inv_len && sk_ipv6_opt_action(inv[rest]) == SK_IPV6_OPT_DROP_ICMP);
	if ((sk_ipv6_is_multicast(dst) || link_mcast) && !exempt)
		return 0;
	/* (e.1), (e.2): never about an error or a redirect. */
	int t = quoted_icmp6_type(inv, inv_len);
	return !(t >= 0 && (sk_icmp6_is_error((uint8_t)t) || t == SK_ICMP6_ND_REDIRECT));
}

int sk_icmp6_parse_quote(const struct sk_icmp6 *m, struct sk_icmp6_quote *q)
{
	if (!sk_icmp6_is_error(m->type))
		return -SK_WIRE_UNSUPPORTED;
	if (m->data_len < SK_IPV6_HLEN)
		return -SK_WIRE_TRUNCATED;
	if (m->data[0] >> 4 != 6)
		return -SK_WIRE_BAD_VERSION;
	memset(q, 0, sizeof(*q));
	/* The quote is cut short on purpose, so its payload length may exceed what is here:
	 * read the fixed header from a 40-byte view. */
	uint8_t hdr[SK_IPV6_HLEN];
	memcpy(hdr, m->data, SK_IPV6_HLEN);
	sk_put16(hdr + 4, 0);
	sk_ipv6_parse(hdr, SK_IPV6_HLEN, &q->ip);
	q->ip.payload_len = sk_get16(m->data + 4);
	q->proto = q->ip.next;
	q->l4_off = SK_IPV6_HLEN;
	size_t end = SK_IPV6_HLEN + (size_t)q->ip.payload_len; /* link padding may follow */
	if (end > m->data_len)
		end = m->data_len;
	int r = sk_ipv6_skip_ext(m->data, end, &q->proto, &q->l4_off);
	if (r < 0)
		return r;
	q->l4 = m->data + q->l4_off;
	q->l4_len = end - q->l4_off;
	if (q->l4_len >= 4 && (q->proto == SK_IPPROTO_TCP || q->proto == SK_IPPROTO_UDP)) {
		q->sport = sk_get16(q->l4);
		q->dport = sk_get16(q->l4 + 2);
	}
	if (q->l4_len >= 8 && q->proto == SK_IPPROTO_TCP)
		q->tcp_seq = sk_get32(q->l4 + 4);
	return 0;
}
