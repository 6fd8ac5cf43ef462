/* Fuzzes IPv4 reassembly with sequences of fragments (any offsets, lengths, flags, ids,
 * overlaps) and time. Invariants: memory held never exceeds the cap; a datagram it returns
 * is a valid IPv4 packet (header checksum right, no fragment fields) of exactly the length
 * it says; nothing is pending past the timeout after an expiry. */
#include <string.h>

#include "fuzz.h"
#include "stack/reasm.h"
#include "wire/ipv4.h"

#define CAP 20000u
#define TIMEOUT 1000000u

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
		uint8_t pkt[20 + 2048];
		size_t plen = (size_t)lenb * 8 + (flags & 7); /* mostly multiples of 8 */
		if (plen > 2048)
			plen = 2048;
		size_t take = plen < size - i ? plen : size - i;
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
