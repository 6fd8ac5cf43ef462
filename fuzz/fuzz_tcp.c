/* Fuzzes the TCP header/options parser; what parses must re-emit and re-parse the same. */
#include <string.h>

#include "fuzz.h"
#include "wire/tcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_tcp t;
	int r = sk_tcp_parse(data, size, 0x0a000001, 0x0a000002, &t, SK_TCP_VERIFY_CSUM);
	if (r == -SK_WIRE_BAD_CHECKSUM)
		r = sk_tcp_parse(data, size, 0x0a000001, 0x0a000002, &t, 0);
	if (r < 0)
		return 0;
	FUZZ_CHECK(r >= 20 && r <= 60 && (size_t)r <= size);
	FUZZ_CHECK(t.payload == data + r && t.payload_len == size - (size_t)r);
	FUZZ_CHECK(t.opt.nsack <= SK_TCP_MAX_SACK);
	/* Re-emit what was understood (clamping what emit refuses) and parse it back. */
	struct sk_tcp e = t;
	if (e.opt.ws > SK_TCP_MAX_WSCALE)
		e.opt.ws = SK_TCP_MAX_WSCALE;
	static uint8_t out[65536 + 64];
	int n = sk_tcp_emit(out, sizeof(out), 0x0a000001, 0x0a000002, &e);
	if (n == -SK_WIRE_INVALID)
		return 0; /* the understood options need more than 40 bytes in canonical form */
	FUZZ_CHECK(n > 0);
	struct sk_tcp b;
	FUZZ_CHECK(sk_tcp_parse(out, (size_t)n, 0x0a000001, 0x0a000002, &b, SK_TCP_VERIFY_CSUM) > 0);
	FUZZ_CHECK(b.seq == t.seq && b.ack == t.ack && b.flags == t.flags && b.win == t.win);
	FUZZ_CHECK(b.opt.has_mss == e.opt.has_mss && b.opt.mss == (e.opt.has_mss ? e.opt.mss : b.opt.mss));
	FUZZ_CHECK(b.opt.has_ts == e.opt.has_ts && b.opt.sack_ok == e.opt.sack_ok);
	FUZZ_CHECK(b.opt.nsack == e.opt.nsack);
	FUZZ_CHECK(b.payload_len == t.payload_len && memcmp(b.payload, t.payload, t.payload_len) == 0);
	return 0;
}
