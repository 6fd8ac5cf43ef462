/* Fuzzes the pcapng block walker: any bytes as a file, walked in memory and through a FILE
 * in step; both must see the same blocks, packets and comments, all inside the input. */
#include "fuzz.h"

#include <string.h>

#include "trace/pcapng.h"

static void check_block(const uint8_t *data, size_t size, const struct sk_pcapng_block *b,
			uint64_t packets_before)
{
	FUZZ_CHECK(b->offset <= size && b->len <= size - b->offset);
	FUZZ_CHECK(b->len >= SK_PCAPNG_HDR_LEN && b->len % 4 == 0);
	FUZZ_CHECK(b->is_packet ? b->packet == packets_before : 1);
	if (b->opts_len) {
		const uint8_t *start = data + b->offset, *end = start + b->len - 4;
		FUZZ_CHECK(b->opts >= start && b->opts + b->opts_len <= end);
	}
}

/* The same block from both walks: the one in memory and the one read into buf. */
static void check_same(const struct sk_pcapng_block *m, const struct sk_pcapng_block *f)
{
	FUZZ_CHECK(m->type == f->type && m->len == f->len && m->offset == f->offset);
	FUZZ_CHECK(m->big_endian == f->big_endian && m->is_packet == f->is_packet);
	FUZZ_CHECK(m->packet == f->packet && m->iface == f->iface);
	FUZZ_CHECK(m->opts_len == f->opts_len);
	size_t pm = 0, pf = 0, nm, nf;
	const char *sm, *sf;
	for (;;) {
		int rm = sk_pcapng_next_comment(m, &pm, &sm, &nm);
		int rf = sk_pcapng_next_comment(f, &pf, &sf, &nf);
		FUZZ_CHECK(rm == rf);
		if (!rm)
			break;
		FUZZ_CHECK(pm <= m->opts_len);
		const uint8_t *text = (const uint8_t *)sm;
		FUZZ_CHECK(text >= m->opts && text + nm <= m->opts + m->opts_len);
		FUZZ_CHECK(nm == nf && memcmp(sm, sf, nm) == 0);
		FUZZ_CHECK(memchr(sm, '\0', nm) == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0; /* fmemopen wants a buffer */
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	struct sk_pcapng_walk wm, wf;
	sk_pcapng_walk_init(&wm);
	sk_pcapng_walk_init(&wf);
	uint8_t *buf = NULL;
	size_t cap = 0;
	struct sk_pcapng_block bm, bf;
	int rm, rf;
	for (;;) {
		uint64_t before = wm.packets;
		rm = sk_pcapng_next(&wm, data, size, &bm);
		rf = sk_pcapng_read(&wf, f, &buf, &cap, &bf);
		FUZZ_CHECK(rm == rf);
		if (rm != 1)
			break;
		check_block(data, size, &bm, before);
		FUZZ_CHECK(cap <= SK_PCAPNG_BLOCK_MAX);
		check_same(&bm, &bf);
	}
	/* An ended walk stays ended, with the same answer. */
	FUZZ_CHECK(sk_pcapng_next(&wm, data, size, &bm) == rm);
	FUZZ_CHECK(rm <= 0 && (rm == 0 ? wm.offset == size : wm.err == rm));
	free(buf);
	fclose(f);
	return 0;
}
