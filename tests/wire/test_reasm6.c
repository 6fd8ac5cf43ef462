/* IPv6 fragment reassembly (src/stack/reasm, IP6-2): a datagram with a hop-by-hop header in
 * its unfragmentable part, cut here into fragments (RFC 8200 4.5's layout, written byte by
 * byte) and fed back in any order must come back as the unfragmented packet; overlaps drop
 * it (RFC 5722), duplicates are ignored, and a timeout hands back the first fragment as it
 * arrived, its fragment header included. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "stack/reasm.h"
#include "wire/ipv6.h"

#define PAYLOAD 3000u
#define UNFRAG 48u /* the fixed header and an 8-byte hop-by-hop header (PadN) */

/* The whole datagram: fixed header (next: hop-by-hop), hop-by-hop (next: UDP 17, PadN of
 * 4 bytes), then PAYLOAD bytes of pattern. */
static size_t whole(uint8_t *p)
{
	static const uint8_t hdr[UNFRAG] = {
		0x60, 0x00, 0x00, 0x00, (UNFRAG - 40 + PAYLOAD) >> 8, (UNFRAG - 40 + PAYLOAD) & 0xff, 0, 64,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
		17, 0, 1, 4, 0, 0, 0, 0};
	memcpy(p, hdr, UNFRAG);
	for (uint32_t i = 0; i < PAYLOAD; i++)
		p[UNFRAG + i] = (uint8_t)(i * 7 + 3);
	return UNFRAG + PAYLOAD;
}

/* Fragment [off, off + len) of the datagram: the unfragmentable part with the hop-by-hop
 * header's next header now 44 (fragment) and the payload length set, the fragment header
 * (next 17, offset, M, identification 0x12345678), the piece. */
static size_t frag(uint8_t *out, const uint8_t *dgram, uint32_t off, uint32_t len, int more)
{
	memcpy(out, dgram, UNFRAG);
	uint32_t pl = UNFRAG - 40 + 8 + len;
	out[4] = (uint8_t)(pl >> 8);
	out[5] = (uint8_t)pl;
	out[40] = 44;
	uint8_t *f = out + UNFRAG;
	f[0] = 17;
	f[1] = 0;
	f[2] = (uint8_t)(off >> 8);
	f[3] = (uint8_t)((off & 0xf8) | (more ? 1 : 0));
	f[4] = 0x12, f[5] = 0x34, f[6] = 0x56, f[7] = 0x78;
	memcpy(f + 8, dgram + UNFRAG + off, len);
	return UNFRAG + 8 + len;
}

/* Feeds one fragment: the return of sk_reasm_input6. */
static int feed(struct sk_reasm *r, const uint8_t *p, size_t n, uint64_t now, const uint8_t **out, size_t *outlen)
{
	struct sk_ipv6 h;
	struct sk_ipv6_walk w;
	assert_int_equal(sk_ipv6_parse(p, n, &h), SK_IPV6_HLEN);
	assert_int_equal(sk_ipv6_walk(p, &h, &w), 0);
	assert_true(w.fragment);
	return sk_reasm_input6(r, p, n, &h, &w, now, out, outlen);
}

static const uint32_t cuts[][2] = {{0, 1448}, {1448, 1448}, {2896, PAYLOAD - 2896}};

static void test_any_order(void **state)
{
	(void)state;
	uint8_t dgram[UNFRAG + PAYLOAD], f[3][1600];
	size_t n = whole(dgram), fl[3];
	for (int i = 0; i < 3; i++)
		fl[i] = frag(f[i], dgram, cuts[i][0], cuts[i][1], i < 2);
	static const int orders[][3] = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}};
	for (size_t o = 0; o < 4; o++) {
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		const uint8_t *out = NULL;
		size_t outlen = 0;
		for (int k = 0; k < 3; k++) {
			int i = orders[o][k];
			assert_int_equal(feed(&r, f[i], fl[i], 1000, &out, &outlen), k == 2 ? 1 : 0);
			if (k == 0) /* an exact duplicate changes nothing */
				assert_int_equal(feed(&r, f[i], fl[i], 1000, &out, &outlen), 0);
		}
		assert_int_equal(outlen, n);
		assert_memory_equal(out, dgram, n); /* header chain as it was, fragment header gone */
		assert_int_equal(r.stats.reassembled, 1);
		sk_reasm_free(&r);
		assert_int_equal(sk_reasm_mem(&r), 0);
	}
}

/* RFC 5722: any overlap drops the whole datagram, even of identical bytes. */
static void test_overlap_drops(void **state)
{
	(void)state;
	uint8_t dgram[UNFRAG + PAYLOAD], a[1600], b[1600], c[1600];
	whole(dgram);
	size_t na = frag(a, dgram, 0, 1448, 1), nb = frag(b, dgram, 1440, 1448, 1), nc = frag(c, dgram, 2888, PAYLOAD - 2888, 0);
	struct sk_reasm r;
	sk_reasm_init(&r, 0, 0);
	const uint8_t *out;
	size_t outlen;
	assert_int_equal(feed(&r, a, na, 1000, &out, &outlen), 0);
	assert_int_equal(feed(&r, b, nb, 1000, &out, &outlen), -1);
	assert_int_equal(r.stats.dropped_overlap, 1);
	assert_int_equal(feed(&r, c, nc, 1000, &out, &outlen), 0); /* a new, incomplete datagram */
	assert_int_equal(r.stats.reassembled, 0);
	sk_reasm_free(&r);
}

static uint8_t told[1600];
static size_t told_len;

static void on_timeout(void *ctx, const uint8_t *first, size_t len)
{
	(void)ctx;
	assert_true(len <= sizeof(told));
	memcpy(told, first, len);
	told_len = len;
}

/* A datagram that never completes: after the timeout it is gone, and the first fragment
 * comes back exactly as it arrived (for ICMPv6 time exceeded, code 1). */
static void test_timeout_tells_first_fragment(void **state)
{
	(void)state;
	uint8_t dgram[UNFRAG + PAYLOAD], a[1600], c[1600];
	whole(dgram);
	size_t na = frag(a, dgram, 0, 1448, 1), nc = frag(c, dgram, 2896, PAYLOAD - 2896, 0);
	struct sk_reasm r;
	sk_reasm_init(&r, 0, 1000000);
	const uint8_t *out;
	size_t outlen;
	assert_int_equal(feed(&r, c, nc, 1000, &out, &outlen), 0);
	assert_int_equal(feed(&r, a, na, 2000, &out, &outlen), 0);
	assert_int_equal(sk_reasm_next_deadline(&r), 1001000);
	told_len = 0;
	sk_reasm_expire(&r, 1000999, on_timeout, NULL);
	assert_int_equal(told_len, 0);
	sk_reasm_expire(&r, 1001000, on_timeout, NULL);
	assert_int_equal(told_len, na);
	assert_memory_equal(told, a, na);
	assert_int_equal(r.stats.timeouts, 1);
	assert_int_equal(sk_reasm_mem(&r), 0);
	sk_reasm_free(&r);
}

/* An unfragmentable part longer than synack takes is refused, not overrun. */
static void test_long_unfragmentable_part(void **state)
{
	(void)state;
	static uint8_t p[SK_REASM_V6_UNFRAG_MAX + 200];
	memset(p, 0, sizeof(p));
	size_t hbh = SK_REASM_V6_UNFRAG_MAX; /* with the fixed header: past the limit */
	size_t n = 40 + hbh + 8 + 16;
	p[0] = 0x60;
	p[4] = (uint8_t)((n - 40) >> 8);
	p[5] = (uint8_t)(n - 40);
	p[6] = 0; /* hop-by-hop */
	p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[23] = 1, p[24] = 0x20, p[25] = 0x01, p[39] = 2;
	p[40] = 44;
	p[41] = (uint8_t)(hbh / 8 - 1);
	p[42] = 1; /* PadN filling the header */
	p[43] = (uint8_t)(hbh - 4);
	uint8_t *f = p + 40 + hbh;
	f[0] = 17;
	f[3] = 1; /* offset 0, more */
	struct sk_reasm r;
	sk_reasm_init(&r, 0, 0);
	const uint8_t *out;
	size_t outlen;
	assert_int_equal(feed(&r, p, n, 1000, &out, &outlen), -1);
	assert_int_equal(r.stats.dropped_bad, 1);
	sk_reasm_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_overlap_drops),
		cmocka_unit_test(test_timeout_tells_first_fragment),
		cmocka_unit_test(test_long_unfragmentable_part),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
