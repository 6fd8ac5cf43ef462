/* Fuzzes the Ethernet and ARP parsers; an accepted ARP packet re-emits byte for byte. */
#include <string.h>

#include "fuzz.h"
#include "wire/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_eth e;
	if (sk_eth_parse(data, size, &e) < 0)
		return 0;
	struct sk_arp a;
	if (sk_arp_parse(data + 14, size - 14, &a) < 0)
		return 0;
	uint8_t out[28];
	FUZZ_CHECK(sk_arp_emit(out, sizeof(out), &a) == 28);
	FUZZ_CHECK(memcmp(out, data + 14, 28) == 0);
	return 0;
}
