/* ICMPv4 parse/emit (RFC 792) and the quoted datagram of error messages (RFC 1122 3.2.2). */
#include "wire/icmp.h"

#include <string.h>

#include "wire/checksum.h"

int sk_icmp_parse(const uint8_t *p, size_t len, struct sk_icmp *m, unsigned flags)
{
	if (len < SK_ICMP_HLEN)
		return -SK_WIRE_TRUNCATED;
	m->type = p[0];
	m->code = p[1];
	m->cksum = sk_get16(p + 2);
	m->rest = sk_get32(p + 4);
	m->data = p + SK_ICMP_HLEN;
	m->data_len = len - SK_ICMP_HLEN;
	if ((flags & SK_ICMP_VERIFY_CSUM) && sk_csum(p, len) != 0)
		return -SK_WIRE_BAD_CHECKSUM;
	return SK_ICMP_HLEN;
}

int sk_icmp_emit(uint8_t *p, size_t cap, const struct sk_icmp *m)
{
	size_t len = SK_ICMP_HLEN + m->data_len;
	if (len > 0xffff)
		return -SK_WIRE_INVALID;
	if (cap < len)
		return -SK_WIRE_NOSPACE;
	if (m->data_len)
		memmove(p + SK_ICMP_HLEN, m->data, m->data_len);
	p[0] = m->type;
	p[1] = m->code;
	sk_put16(p + 2, 0);
	sk_put32(p + 4, m->rest);
	sk_put16(p + 2, sk_csum(p, len));
	return (int)len;
}

int sk_icmp_parse_quote(const struct sk_icmp *m, struct sk_icmp_quote *q)
{
	const uint8_t *p = m->data;
	size_t len = m->data_len;
	if (!sk_icmp_is_error(m->type))
		return -SK_WIRE_UNSUPPORTED;
	if (len < SK_IPV4_MIN_HLEN)
		return -SK_WIRE_TRUNCATED;
	if (p[0] >> 4 != 4)
		return -SK_WIRE_BAD_VERSION;
	unsigned hlen = (unsigned)(p[0] & 0x0f) * 4;
	if (hlen < SK_IPV4_MIN_HLEN)
		return -SK_WIRE_BAD_HDRLEN;
	if (hlen > len)
		return -SK_WIRE_TRUNCATED;
	/* The quote is cut short on purpose (header + 8 bytes), so its total length field
	 * may exceed what is present: parse the header fields directly. */
	memset(q, 0, sizeof(*q));
	sk_ipv4_read_fields(p, hlen, &q->ip);
	q->l4_len = len - hlen;
	if (q->l4_len > 8)
		q->l4_len = 8;
	if (q->l4_len >= 4) {
		q->sport = sk_get16(p + hlen);
		q->dport = sk_get16(p + hlen + 2);
	}
	if (q->l4_len >= 8 && q->ip.proto == SK_IPPROTO_TCP)
		q->tcp_seq = sk_get32(p + hlen + 4);
	return 0;
}
