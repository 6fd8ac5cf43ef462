/* Fuzzes whole-frame decoding (IPv4 and IPv6) over both link types (the first byte picks the link type). */
#include "fuzz.h"
#include "wire/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int link = data[0] & 1 ? SK_LINK_ETHERNET : SK_LINK_RAW;
	struct sk_decoded d;
	int r = sk_decode(data + 1, size - 1, link, data[0] & 2, &d);
	FUZZ_CHECK(r <= 0 && r == d.err);
	FUZZ_CHECK(!(d.has_ip && d.has_ip6));
	if (d.has_ip) {
		FUZZ_CHECK(d.l4_start + d.l4_len <= data + size);
		FUZZ_CHECK(d.l4_len == (size_t)d.ip.total_len - d.ip.hlen);
		FUZZ_CHECK(d.ip_len == d.ip.total_len && d.ip_hlen == d.ip.hlen);
	}
	if (d.has_ip6 && d.l4_start) {
		FUZZ_CHECK(d.l4_start + d.l4_len <= data + size);
		FUZZ_CHECK(d.ip_hlen >= SK_IPV6_HLEN && d.l4_len == (size_t)d.ip_len - d.ip_hlen);
		FUZZ_CHECK(d.ip_len == SK_IPV6_HLEN + (uint32_t)d.ip6.payload_len);
	}
	if (d.l4 == SK_L4_TCP)
		FUZZ_CHECK(d.tcp.payload + d.tcp.payload_len <= data + size);
	if (d.l4 == SK_L4_UDP)
		FUZZ_CHECK(d.udp.payload + d.udp.payload_len <= data + size);
	if (d.l4 == SK_L4_ICMP6)
		FUZZ_CHECK(d.has_ip6 && d.icmp6.data + d.icmp6.data_len <= data + size);
	return 0;
}
