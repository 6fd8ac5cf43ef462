/* UDP parse/emit (RFC 768) with the IPv4 or IPv6 pseudo-header checksum. */
#include "wire/udp.h"

#include <string.h>

#include "wire/checksum.h"

static uint16_t udp_csum(uint32_t asum, const uint8_t *p, size_t len)
{
	return sk_csum_fold(sk_csum_add(asum + SK_IPPROTO_UDP + (uint32_t)len, p, len));
}

int sk_udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct sk_udp *u, unsigned flags)
{
	return sk_udp_parse_sum(p, len, (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff), 0, u, flags);
}

int sk_udp_parse_sum(const uint8_t *p, size_t len, uint32_t asum, int v6, struct sk_udp *u, unsigned flags)
{
	if (len < SK_UDP_HLEN)
		return -SK_WIRE_TRUNCATED;
	uint16_t ulen = sk_get16(p + 4);
	if (ulen < SK_UDP_HLEN)
		return -SK_WIRE_BAD_TOTLEN;
	if (ulen > len)
		return -SK_WIRE_TRUNCATED;
	u->sport = sk_get16(p);
	u->dport = sk_get16(p + 2);
	u->len = ulen;
	u->cksum = sk_get16(p + 6);
	u->payload = p + SK_UDP_HLEN;
	u->payload_len = ulen - SK_UDP_HLEN;
	/* Checksum 0 means the sender computed none (RFC 768); only IPv4 allows that
	 * (RFC 8200 8.1: over IPv6 such a datagram is discarded). */
	if ((flags & SK_UDP_VERIFY_CSUM) && (u->cksum != 0 || v6) && udp_csum(asum, p, ulen) != 0)
		return -SK_WIRE_BAD_CHECKSUM;
	return SK_UDP_HLEN;
}

int sk_udp_emit(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, const struct sk_udp *u)
{
	return sk_udp_emit_sum(p, cap, (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff), u);
}

int sk_udp_emit_sum(uint8_t *p, size_t cap, uint32_t asum, const struct sk_udp *u)
{
	size_t len = SK_UDP_HLEN + u->payload_len;
	if (len > 0xffff)
		return -SK_WIRE_INVALID;
	if (cap < len)
		return -SK_WIRE_NOSPACE;
	if (u->payload_len && u->payload != p + SK_UDP_HLEN)
		memmove(p + SK_UDP_HLEN, u->payload, u->payload_len);
	sk_put16(p, u->sport);
	sk_put16(p + 2, u->dport);
	sk_put16(p + 4, (uint16_t)len);
	sk_put16(p + 6, 0);
	uint16_t c = udp_csum(asum, p, len);
	/* A computed 0 is sent as all ones: 0 on the wire means "no checksum". */
	sk_put16(p + 6, c ? c : 0xffff);
	return (int)len;
}
