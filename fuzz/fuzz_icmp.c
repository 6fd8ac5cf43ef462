/* Fuzzes the ICMP parser and the parser of the datagram quoted in error messages. */
#include "fuzz.h"
#include "wire/icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_icmp m;
	if (sk_icmp_parse(data, size, &m, SK_ICMP_VERIFY_CSUM) < 0 && sk_icmp_parse(data, size, &m, 0) < 0)
		return 0;
	FUZZ_CHECK(m.data == data + 8 && m.data_len == size - 8);
	struct sk_icmp_quote q;
	if (sk_icmp_parse_quote(&m, &q) == 0) {
		FUZZ_CHECK(q.ip.hlen >= 20 && q.ip.hlen <= m.data_len);
		FUZZ_CHECK(q.l4_len <= 8 && q.ip.hlen + q.l4_len <= m.data_len);
	}
	return 0;
}
