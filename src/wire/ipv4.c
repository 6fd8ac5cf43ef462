/* IPv4 header parse/emit (RFC 791, RFC 1122 3.2.1 validation) and address text forms. */
#include "wire/ipv4.h"

#include <stdio.h>
#include <string.h>

#include "wire/checksum.h"

void sk_ipv4_read_fields(const uint8_t *p, unsigned hlen, struct sk_ipv4 *h)
{
	h->hlen = (uint8_t)hlen;
	h->tos = p[1];
	h->total_len = sk_get16(p + 2);
	h->id = sk_get16(p + 4);
	h->frag = sk_get16(p + 6);
	h->ttl = p[8];
	h->proto = p[9];
	h->cksum = sk_get16(p + 10);
	h->src = sk_get32(p + 12);
	h->dst = sk_get32(p + 16);
	h->opts = p + SK_IPV4_MIN_HLEN;
	h->opts_len = (uint8_t)(hlen - SK_IPV4_MIN_HLEN);
}

int sk_ipv4_parse(const uint8_t *p, size_t len, struct sk_ipv4 *h, unsigned flags)
{
	if (len < SK_IPV4_MIN_HLEN)
		return -SK_WIRE_TRUNCATED;
	if (p[0] >> 4 != 4)
		return -SK_WIRE_BAD_VERSION;
	unsigned hlen = (unsigned)(p[0] & 0x0f) * 4;
	if (hlen < SK_IPV4_MIN_HLEN)
		return -SK_WIRE_BAD_HDRLEN;
	if (hlen > len)
		return -SK_WIRE_TRUNCATED;
	uint16_t total = sk_get16(p + 2);
	if (total < hlen)
		return -SK_WIRE_BAD_TOTLEN;
	/* Link layers pad short frames (Ethernet's 60-byte minimum), so bytes beyond the
	 * total length are allowed; fewer bytes than it says are not. */
	if (total > len)
		return -SK_WIRE_TRUNCATED;
	sk_ipv4_read_fields(p, hlen, h);
	if ((flags & SK_IPV4_VERIFY_CSUM) && sk_csum(p, hlen) != 0)
		return -SK_WIRE_BAD_CHECKSUM;
	return (int)hlen;
}

int sk_ipv4_emit(uint8_t *p, size_t cap, const struct sk_ipv4 *h)
{
	unsigned opts = h->opts ? h->opts_len : 0;
	unsigned hlen = (SK_IPV4_MIN_HLEN + opts + 3) & ~3u;
	if (hlen > SK_IPV4_MAX_HLEN)
		return -SK_WIRE_INVALID;
	if (cap < hlen)
		return -SK_WIRE_NOSPACE;
	if (h->total_len < hlen)
		return -SK_WIRE_INVALID;
	p[0] = (uint8_t)(0x40 | hlen / 4);
	p[1] = h->tos;
	sk_put16(p + 2, h->total_len);
	sk_put16(p + 4, h->id);
	sk_put16(p + 6, h->frag);
	p[8] = h->ttl;
	p[9] = h->proto;
	sk_put16(p + 10, 0);
	sk_put32(p + 12, h->src);
	sk_put32(p + 16, h->dst);
	if (opts)
		memmove(p + SK_IPV4_MIN_HLEN, h->opts, opts);
	memset(p + SK_IPV4_MIN_HLEN + opts, 0, hlen - SK_IPV4_MIN_HLEN - opts); /* EOL padding */
	sk_put16(p + 10, sk_csum(p, hlen));
	return (int)hlen;
}

char *sk_ipv4_ntoa(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

int sk_ipv4_aton(const char *s, uint32_t *addr)
{
	uint32_t a = 0;
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s)
		return -1;
	*addr = a;
	return 0;
}
