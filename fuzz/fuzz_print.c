/* Fuzzes the tcpdump-format printer, which must print any bytes without reading past them.
 * The first input byte picks link type, -v and -X; the rest is the captured frame, and a
 * second byte, when present, makes the on-wire length longer than the capture. */
#include "fuzz.h"
#include "trace/print.h"
#include "wire/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (size < 2 || !sink)
		return 0;
	unsigned flags = (data[0] & 2 ? SK_PRINT_VERBOSE : 0) | (data[0] & 4 ? SK_PRINT_HEX : 0);
	struct sk_pkt_meta m = {
		.sec = data[1],
		.usec = 0,
		.caplen = (uint32_t)(size - 2),
		.len = (uint32_t)(size - 2) + (data[0] & 8 ? data[1] : 0),
		.linktype = data[0] & 1 ? SK_LINK_ETHERNET : SK_LINK_RAW,
	};
	sk_print_packet(sink, &m, data + 2, flags, SK_TS_UTC);
	return 0;
}
