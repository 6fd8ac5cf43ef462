/* Fuzzes IPv4 and IPv6 reassembly with sequences of fragments (any offsets, lengths,
 * flags, ids, overlaps) and time. Invariants: memory held never exceeds the cap; a datagram
 * it returns is a valid IPv4 packet (header checksum right, no fragment fields) or a valid
 * IPv6 packet whose header chain holds no fragment header, of exactly the length it says;
 * nothing is pending past the timeout after an expiry. */
#include <string.h>

#include "fuzz.h"
#include "stack/reasm.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"

#define CAP 20000u
#define TIMEOUT 1000000u

/* One IPv6 fragment: fixed header, fragment header (next UDP), plen bytes. */
static void v6_fragment(struct sk_reasm *r, uint64_t now, uint8_t id, uint8_t off8, uint8_t flags, uint8_t *pkt,
			size_t plen)
{
	struct sk_ipv6 h = {.payload_len = (uint16_t)(8 + plen), .next = SK_IPPROTO_FRAGMENT, .hop_limit = 64,
			    .src = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, .dst = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	struct sk_ipv6_frag f = {.next = 17, .offset = (uint16_t)(((unsigned)off8 * (flags & 0x80 ? 64 : 1) * 8) & 0xfff8),
				 .more = (flags & 0x40) != 0, .id = id % 4};
	sk_ipv6_emit(pkt, SK_IPV6_HLEN, &h);
	sk_ipv6_frag_emit(pkt + SK_IPV6_HLEN, SK_IPV6_FRAG_HLEN, &f);
	size_t n = SK_IPV6_HLEN + SK_IPV6_FRAG_HLEN + plen;
	struct sk_ipv6 ph;
	struct sk_ipv6_walk w;
	if (sk_ipv6_parse(pkt, n, &ph) < 0 || sk_ipv6_walk(pkt, &ph, &w) < 0 || !w.fragment)
		return;
	const uint8_t *out;
	size_t outlen;
	int rc = sk_reasm_input6(r, pkt, n, &ph, &w, now, &out, &outlen);
	FUZZ_CHECK(sk_reasm_mem(r) <= CAP);
	if (rc == 1) {
		struct sk_ipv6 wh;
		struct sk_ipv6_walk ww;
		FUZZ_CHECK(sk_ipv6_parse(out, outlen, &wh) == SK_IPV6_HLEN);
		FUZZ_CHECK((size_t)wh.payload_len + SK_IPV6_HLEN == outlen && wh.next == 17);
		FUZZ_CHECK(sk_ipv6_walk(out, &wh, &ww) == 0 && !ww.fragment && !ww.has_frag);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_reasm r;
	sk_reasm_init(&r, CAP, TIMEOUT);
	uint64_t now = 1;
	size_t i = 0;
	while (i + 5 <= size) {
		uint8_t op = data[i], id = data[i + 1], off8 = data[i + 2], lenb = data[i + 3], flags = data[i + 4];
		i += 5;
		if (op % 8 == 7) { /* time passes, then expiry */
			now += (uint64_t)id * 10000;
			sk_reasm_expire(&r, now, NULL, NULL);
			FUZZ_CHECK(sk_reasm_next_deadline(&r) > now);
			continue;
		}
		uint8_t pkt[48 + 2048];
		size_t plen = (size_t)lenb * 8 + (flags & 7); /* mostly multiples of 8 */
		if (plen > 2048)
			plen = 2048;
		size_t take = plen < size - i ? plen : size - i;
		if (op % 8 == 6) { /* an IPv6 fragment instead */
			memset(pkt + 48, op, plen);
			memcpy(pkt + 48, data + i, take);
			i += take;
			v6_fragment(&r, now, id, off8, flags, pkt, plen);
			continue;
		}
		memset(pkt + 20, op, plen);
		memcpy(pkt + 20, data + i, take);
		i += take;
		struct sk_ipv4 h = {.total_len = (uint16_t)(20 + plen), .id = id % 4, .ttl = 64, .proto = 17,
				    .src = 0x0a000001u + (op >> 6), .dst = 0x0a000002u,
				    .frag = (uint16_t)(((unsigned)off8 * (flags & 0x80 ? 64 : 1)) & 0x1fff)};
		if (flags & 0x40)
			h.frag |= 0x2000; /* MF */
		sk_ipv4_emit(pkt, 20, &h);
		struct sk_ipv4 ip;
		if (sk_ipv4_parse(pkt, 20 + plen, &ip, SK_IPV4_VERIFY_CSUM) < 0 || !sk_ipv4_is_fragment(&ip))
			continue;
		const uint8_t *out;
		size_t outlen;
		int rc = sk_reasm_input(&r, &ip, pkt, 20 + plen, now, &out, &outlen);
		FUZZ_CHECK(sk_reasm_mem(&r) <= CAP);
		if (rc == 1) {
			struct sk_ipv4 whole;
			FUZZ_CHECK(sk_ipv4_parse(out, outlen, &whole, SK_IPV4_VERIFY_CSUM) > 0);
			FUZZ_CHECK(whole.total_len == outlen && !sk_ipv4_is_fragment(&whole));
		}
	}
	sk_reasm_free(&r);
	return 0;
}
