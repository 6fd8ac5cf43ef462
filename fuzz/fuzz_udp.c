/* Fuzzes the UDP parser; an accepted datagram must re-emit to one that verifies. */
#include <string.h>

#include "fuzz.h"
#include "wire/udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_udp u;
	if (sk_udp_parse(data, size, 1, 2, &u, 0) < 0)
		return 0;
	FUZZ_CHECK(u.len >= 8 && u.len <= size && u.payload_len == (size_t)u.len - 8);
	static uint8_t out[65536];
	int n = sk_udp_emit(out, sizeof(out), 1, 2, &u);
	FUZZ_CHECK(n == u.len);
	struct sk_udp b;
	FUZZ_CHECK(sk_udp_parse(out, (size_t)n, 1, 2, &b, SK_UDP_VERIFY_CSUM) == 8);
	FUZZ_CHECK(b.cksum != 0 && memcmp(b.payload, u.payload, u.payload_len) == 0);
	return 0;
}
