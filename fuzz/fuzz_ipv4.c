/* Fuzzes the IPv4 header parser; an accepted header must re-emit to a verifying checksum. */
#include <string.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_ipv4 h;
	int r = sk_ipv4_parse(data, size, &h, SK_IPV4_VERIFY_CSUM);
	if (r == -SK_WIRE_BAD_CHECKSUM)
		r = sk_ipv4_parse(data, size, &h, 0);
	if (r < 0)
		return 0;
	FUZZ_CHECK(r >= 20 && r <= 60 && r == h.hlen && h.total_len >= h.hlen && h.total_len <= size);
	uint8_t out[64];
	int n = sk_ipv4_emit(out, sizeof(out), &h);
	FUZZ_CHECK(n == r);
	FUZZ_CHECK(sk_csum(out, (size_t)n) == 0);
	struct sk_ipv4 b;
	FUZZ_CHECK(sk_ipv4_parse(out, (size_t)n, &b, SK_IPV4_VERIFY_CSUM) == -SK_WIRE_TRUNCATED ||
		   h.total_len == n);
	FUZZ_CHECK(memcmp(out + 12, data + 12, 8) == 0 && memcmp(out + 20, data + 20, (size_t)n - 20) == 0);
	return 0;
}
