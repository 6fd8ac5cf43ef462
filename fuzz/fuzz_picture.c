/* Fuzzes the pictures (ladder, plot, page) with runs made of arbitrary frames, times, states,
 * notes and congestion samples: any capture must draw without reading past its bytes.
 * Input: records of [endpoints][flags][time step, 2 bytes][delay, 2 bytes][length] and then
 * that many bytes of an IP packet; flag bits add a state, a note (the packet's first bytes
 * as text) and a cc sample at the frame's time. */
#include <string.h>

#include "fuzz.h"
#include "trace/picture.h"

#define MAX_FRAMES 400

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static const char *const names[] = {"client", "server", "10.0.0.5"};
	static const char *const states[] = {"LISTEN", "SYN-SENT", "SYN-RCVD", "ESTABLISHED", "FIN-WAIT-1",
					     "CLOSED"};
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink)
		return 0;
	struct sk_pic_frame *fr = calloc(MAX_FRAMES, sizeof(*fr));
	struct sk_pic_state *st = calloc(MAX_FRAMES, sizeof(*st));
	struct sk_pic_note *nt = calloc(MAX_FRAMES, sizeof(*nt));
	struct sk_pic_cc *cc = calloc(MAX_FRAMES, sizeof(*cc));
	char(*text)[17] = calloc(MAX_FRAMES, sizeof(*text));
	size_t nf = 0, ns = 0, nn = 0, nc = 0, pos = 0;
	uint64_t t = 0;
	if (!fr || !st || !nt || !cc || !text)
		goto out;
	while (pos + 7 <= size && nf < MAX_FRAMES) {
		const uint8_t *h = data + pos;
		size_t len = h[6];
		pos += 7;
		if (len > size - pos)
			len = size - pos;
		t += (uint64_t)(h[2] << 8 | h[3]) * (h[1] & 0x80 ? 1000 : 1);
		fr[nf] = (struct sk_pic_frame){.sent_us = t, .arrived_us = t + (uint64_t)(h[4] << 8 | h[5]),
					       .from = h[0] & 3, .to = h[0] >> 2 & 3, .lost = h[1] & 1,
					       .corrupted = h[1] >> 1 & 1, .ip = data + pos, .len = len,
					       .label = h[1] & 0x40 ? "fast <retransmit> & \"more\"" : NULL};
		if (h[1] & 4)
			st[ns++] = (struct sk_pic_state){t, h[0] >> 4 & 3, states[h[2] % 6]};
		if (h[1] & 8) {
			size_t n = len < 16 ? len : 16;
			memcpy(text[nn], data + pos, n);
			nt[nn] = (struct sk_pic_note){t, h[0] >> 6, text[nn]};
			nn++;
		}
		if (h[1] & 16)
			cc[nc++] = (struct sk_pic_cc){t, h[0] & 3, (uint32_t)h[3] << 12, h[1] & 32 ? UINT32_MAX : (uint32_t)h[4] << 12,
						      (uint32_t)h[5] << 10, 0, 0};
		pos += len;
		nf++;
	}
	struct sk_pic p = {.title = "fuzz", .endpoints = names, .n_endpoints = 3, .frames = fr, .n_frames = nf,
			   .states = st, .n_states = ns, .notes = nt, .n_notes = nn, .cc = cc, .n_cc = nc};
	FUZZ_CHECK(sk_pic_ladder_svg(sink, &p) == 0);
	FUZZ_CHECK(sk_pic_plot_svg(sink, &p) == 0);
	FUZZ_CHECK(sk_pic_html(sink, &p, "trace <text> & more\n") == 0);
out:
	free(fr);
	free(st);
	free(nt);
	free(cc);
	free(text);
	return 0;
}
