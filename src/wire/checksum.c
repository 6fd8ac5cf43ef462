/* The Internet checksum: a fast summing loop, the pseudo-header, and RFC 1624 updates. */
#include "wire/checksum.h"

#include <string.h>

/*
 * The one's complement sum is byte-order independent (RFC 1071 section 2(B)): summing
 * native little-endian words and swapping the folded result gives the sum of big-endian
 * words. So the hot loop loads 32-bit native words into 64-bit accumulators, which cannot
 * overflow for any buffer shorter than 16 GiB, and folds once at the end. Four independent
 * accumulators let the CPU overlap the adds; that is what reaches several bytes per cycle.
 */
static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* Folds a 64-bit native-order sum to 16 bits (still native order, not complemented). */
static inline uint32_t fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint32_t)s;
}

static uint64_t sum_native(const uint8_t *p, size_t len)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	while (len >= 64) {
		uint64_t w0 = load64(p), w1 = load64(p + 8), w2 = load64(p + 16), w3 = load64(p + 24);
		uint64_t w4 = load64(p + 32), w5 = load64(p + 40), w6 = load64(p + 48), w7 = load64(p + 56);
		a += (w0 & 0xffffffffu) + (w0 >> 32) + (w4 & 0xffffffffu) + (w4 >> 32);
		b += (w1 & 0xffffffffu) + (w1 >> 32) + (w5 & 0xffffffffu) + (w5 >> 32);
		c += (w2 & 0xffffffffu) + (w2 >> 32) + (w6 & 0xffffffffu) + (w6 >> 32);
		d += (w3 & 0xffffffffu) + (w3 >> 32) + (w7 & 0xffffffffu) + (w7 >> 32);
		p += 64;
		len -= 64;
	}
	while (len >= 4) {
		a += load32(p);
		p += 4;
		len -= 4;
	}
	uint64_t s = a + b + c + d;
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* A trailing odd byte is the high-order byte of a zero-padded big-endian word:
		 * in native order that is its first byte in memory. */
		uint8_t last[2] = {p[0], 0};
		uint16_t w;
		memcpy(&w, last, 2);
		s += w;
	}
	return s;
}

static inline uint32_t to_network_order16(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return ((v & 0xff) << 8) | (v >> 8);
#else
	return v;
#endif
}

uint32_t sk_csum_add(uint32_t sum, const void *p, size_t len)
{
	uint64_t s = (uint64_t)sum + to_network_order16(fold64(sum_native(p, len)));
	return fold64(s);
}

uint32_t sk_csum_add_ref(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t s = sum;
	for (; len >= 2; b += 2, len -= 2)
		s += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		s += (uint32_t)b[0] << 8;
	return fold64(s);
}

uint16_t sk_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold64(sum);
}

uint16_t sk_csum(const void *p, size_t len)
{
	return sk_csum_fold(sk_csum_add(0, p, len));
}

uint32_t sk_csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
	s += proto;
	s += len;
	return fold64(s);
}

uint16_t sk_csum_l4(uint32_t src, uint32_t dst, uint8_t proto, const void *seg, size_t len)
{
	return sk_csum_fold(sk_csum_add(sk_csum_pseudo4(src, dst, proto, (uint16_t)len), seg, len));
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 it never yields 0xffff from a
 * correct header sum, so the result always matches a full recomputation. */
uint16_t sk_csum_update16(uint16_t check, uint16_t old, uint16_t new_)
{
	uint32_t s = (uint32_t)(uint16_t)~check + (uint16_t)~old + new_;
	return (uint16_t)~fold64(s);
}

uint16_t sk_csum_update32(uint16_t check, uint32_t old, uint32_t new_)
{
	check = sk_csum_update16(check, (uint16_t)(old >> 16), (uint16_t)(new_ >> 16));
	return sk_csum_update16(check, (uint16_t)old, (uint16_t)new_);
}

/* RFC 8200 8.1: source, destination, 32-bit upper-layer length, 3 zero bytes, next header. */
uint32_t sk_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
			 uint32_t upper_len)
{
	uint64_t s = (uint64_t)(upper_len >> 16) + (upper_len & 0xffff) + next_header;
	for (int i = 0; i < 16; i += 2)
		s += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	return fold64(s);
}

uint16_t sk_csum_l4v6(const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
		      const void *seg, size_t len)
{
	uint32_t pseudo = sk_csum_pseudo6(src, dst, next_header, (uint32_t)len);
	return sk_csum_fold(sk_csum_add(pseudo, seg, len));
}

/* RFC 8200 8.1: a UDP checksum field of 0 is invalid over IPv6, not "none computed". */
int sk_udp6_checksum_ok(const uint8_t src[16], const uint8_t dst[16], const uint8_t *dgram,
			size_t len)
{
	enum { UDP_HLEN = 8, PROTO_UDP = 17 };
	if (len < UDP_HLEN || (dgram[6] == 0 && dgram[7] == 0))
		return 0;
	return sk_csum_l4v6(src, dst, PROTO_UDP, dgram, len) == 0;
}
