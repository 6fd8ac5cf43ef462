/* IPv4 fragment reassembly (src/stack/reasm): datagrams fragmented here with sk_ipv4_emit and
 * fed back in order, reversed, permuted with duplicates and interleaved; overlaps, bad
 * lengths, oversize datagrams, timeouts with their ICMP callback, and the memory cap. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "stack/reasm.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"

#define A 0xc0000201u /* 192.0.2.1 */
#define B 0xc0000202u
#define C 0xc0000203u
#define TMO 1000000u /* 1 s, for the tests that do not care */

struct frags {
	size_t n;
	uint8_t *pkt[9000];
	size_t len[9000];      /* bytes passed in (may include link padding) */
	uint16_t off[9000];    /* payload offset in bytes */
	uint16_t plen[9000];
};

static struct frags *frags_new(void)
{
	struct frags *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	return f;
}

static void frags_free(struct frags *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->pkt[i]);
	free(f);
}

static void pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7u + seed * 13u + (i >> 8) * 3u + 1u);
}

/* Adds one fragment carrying payload[off, off + plen) under header h (its frag flags, DF
 * kept, are replaced by the offset and MF). pad adds link-layer padding past total_len. */
static void add_frag(struct frags *f, const struct sk_ipv4 *h, const uint8_t *payload, size_t off, size_t plen,
		     int more, size_t pad)
{
	struct sk_ipv4 x = *h;
	unsigned hlen = (SK_IPV4_MIN_HLEN + (x.opts ? x.opts_len : 0) + 3) & ~3u;
	x.total_len = (uint16_t)(hlen + plen);
	x.frag = (uint16_t)((h->frag & SK_IP_DF) | (more ? SK_IP_MF : 0) | (off / 8));
	size_t n = hlen + plen + pad;
	uint8_t *p = malloc(n);
	assert_non_null(p);
	assert_int_equal(sk_ipv4_emit(p, n, &x), (int)hlen);
	memcpy(p + hlen, payload + off, plen);
	memset(p + hlen + plen, 0xee, pad);
	assert_true(f->n < 9000);
	f->pkt[f->n] = p;
	f->len[f->n] = n;
	f->off[f->n] = (uint16_t)off;
	f->plen[f->n] = (uint16_t)plen;
	f->n++;
}

/* Fragments payload into pieces of `size` bytes (a multiple of 8) or, with rng, random
 * multiples of 8 up to 8 * maxunits. The first fragment carries h's options; the others
 * carry none and a different TTL, so the result must show the first one's header. */
static void fragment(struct frags *f, const struct sk_ipv4 *h, const uint8_t *payload, size_t plen, size_t size,
		     struct sk_rng *rng, unsigned maxunits)
{
	struct sk_ipv4 rest = *h;
	rest.opts = NULL;
	rest.opts_len = 0;
	rest.ttl = (uint8_t)(h->ttl + 1);
	size_t off = 0;
	while (off < plen) {
		size_t sz = rng ? 8 * (1 + (size_t)sk_rng_below(rng, maxunits)) : size;
		if (sz > plen - off)
			sz = plen - off;
		if (off == 0 && sz == plen) /* at least two pieces */
			sz = (plen - 1) / 8 * 8;
		size_t pad = rng && sk_rng_below(rng, 4) == 0 ? (size_t)sk_rng_below(rng, 20) : 0;
		add_frag(f, off == 0 ? h : &rest, payload, off, sz, off + sz < plen, pad);
		off += sz;
	}
	assert_true(f->n >= 2);
}

static int feed_at(struct sk_reasm *r, const uint8_t *pkt, size_t len, uint64_t now, const uint8_t **out,
		   size_t *outlen)
{
	struct sk_ipv4 ip;
	assert_true(sk_ipv4_parse(pkt, len, &ip, SK_IPV4_VERIFY_CSUM) >= 20);
	return sk_reasm_input(r, &ip, pkt, len, now, out, outlen);
}

static int feed(struct sk_reasm *r, const struct frags *f, size_t i, const uint8_t **out, size_t *outlen)
{
	return feed_at(r, f->pkt[i], f->len[i], 0, out, outlen);
}

/* The rebuilt datagram: valid checksum, total length, no MF, offset 0, DF as sent, the
 * first fragment's header fields and options, and the original payload. */
static void check_dgram(const uint8_t *out, size_t outlen, const struct sk_ipv4 *h, const uint8_t *payload,
			size_t plen)
{
	struct sk_ipv4 got;
	unsigned hlen = (SK_IPV4_MIN_HLEN + (h->opts ? h->opts_len : 0) + 3) & ~3u;
	assert_int_equal(sk_ipv4_parse(out, outlen, &got, SK_IPV4_VERIFY_CSUM), (int)hlen);
	assert_int_equal(outlen, hlen + plen);
	assert_int_equal(got.total_len, hlen + plen);
	assert_int_equal(got.frag & (SK_IP_MF | SK_IP_OFFMASK), 0);
	assert_int_equal(got.frag & SK_IP_DF, h->frag & SK_IP_DF);
	assert_false(sk_ipv4_is_fragment(&got));
	assert_int_equal(got.id, h->id);
	assert_int_equal(got.src, h->src);
	assert_int_equal(got.dst, h->dst);
	assert_int_equal(got.proto, h->proto);
	assert_int_equal(got.ttl, h->ttl);
	assert_int_equal(got.tos, h->tos);
	if (h->opts)
		assert_memory_equal(got.opts, h->opts, h->opts_len);
	assert_memory_equal(out + hlen, payload, plen);
}

static struct sk_ipv4 hdr(uint32_t src, uint16_t id, uint8_t proto)
{
	struct sk_ipv4 h = {.tos = 0x10, .id = id, .ttl = 64, .proto = proto, .src = src, .dst = B};
	return h;
}

/* In order, with and without options on the first fragment; DF-less and the counters. */
static void test_reasm_in_order(void **state)
{
	(void)state;
	static uint8_t pay[4000];
	pattern(pay, sizeof(pay), 1);
	uint8_t opts[4] = {0x94, 0x04, 0x00, 0x00}; /* router alert */
	for (int withopts = 0; withopts < 2; withopts++) {
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		struct sk_ipv4 h = hdr(A, 0x4242, SK_IPPROTO_UDP);
		if (withopts) {
			h.opts = opts;
			h.opts_len = 4;
		}
		struct frags *f = frags_new();
		fragment(f, &h, pay, sizeof(pay), 1480, NULL, 0);
		assert_int_equal(f->n, 3);
		const uint8_t *out = NULL;
		size_t outlen = 0;
		assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
		assert_int_equal(feed(&r, f, 1, &out, &outlen), 0);
		assert_null(out);
		assert_true(sk_reasm_mem(&r) > 2960);
		assert_int_equal(sk_reasm_next_deadline(&r), SK_REASM_DEFAULT_TIMEOUT_US);
		assert_int_equal(feed(&r, f, 2, &out, &outlen), 1);
		check_dgram(out, outlen, &h, pay, sizeof(pay));
		assert_int_equal(r.stats.frags_in, 3);
		assert_int_equal(r.stats.reassembled, 1);
		assert_int_equal(r.stats.dropped_bad + r.stats.dropped_mem + r.stats.dropped_overlap +
					 r.stats.dropped_toobig + r.stats.timeouts,
				 0);
		assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
		assert_true(sk_reasm_mem(&r) <= r.mem_cap);
		sk_reasm_expire(&r, 0, NULL, NULL); /* releases the completed datagram */
		assert_int_equal(sk_reasm_mem(&r), 0);
		sk_reasm_free(&r);
		frags_free(f);
	}
}

/* Reversed (the last fragment first, so its length is known up front), and a datagram of
 * exactly 65535 bytes, the most IPv4 can carry. */
static void test_reasm_reverse_and_max(void **state)
{
	(void)state;
	static uint8_t pay[65535];
	pattern(pay, sizeof(pay), 2);
	size_t sizes[] = {100, 4000, 65515};
	for (size_t k = 0; k < 3; k++) {
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		struct sk_ipv4 h = hdr(A, (uint16_t)(7 + k), SK_IPPROTO_TCP);
		h.frag = SK_IP_DF; /* kept on the result (odd on a fragment, but not ours to fix) */
		struct frags *f = frags_new();
		fragment(f, &h, pay, sizes[k], k == 0 ? 32 : 1480, NULL, 0);
		const uint8_t *out = NULL;
		size_t outlen = 0;
		for (size_t i = f->n; i-- > 1;)
			assert_int_equal(feed(&r, f, i, &out, &outlen), 0);
		assert_int_equal(feed(&r, f, 0, &out, &outlen), 1);
		check_dgram(out, outlen, &h, pay, sizes[k]);
		if (k == 2)
			assert_int_equal(outlen, 65535);
		sk_reasm_free(&r);
		assert_int_equal(sk_reasm_mem(&r), 0);
		frags_free(f);
	}
}

/* Random sizes, random order, duplicates sprinkled in before the last new piece, for many
 * seeds: completes exactly on the last missing piece, with the original bytes. */
static void test_reasm_permutations(void **state)
{
	(void)state;
	static uint8_t pay[20000];
	for (uint64_t seed = 1; seed <= 400; seed++) {
		struct sk_rng rng;
		sk_rng_seed(&rng, seed);
		size_t plen = 9 + (size_t)sk_rng_below(&rng, sizeof(pay) - 9);
		pattern(pay, plen, (uint32_t)seed);
		struct sk_ipv4 h = hdr(A, (uint16_t)seed, SK_IPPROTO_UDP);
		struct frags *f = frags_new();
		unsigned maxunits = seed % 3 == 0 ? 4 : 200;
		fragment(f, &h, pay, plen, 0, &rng, maxunits);
		size_t *perm = malloc(f->n * sizeof(*perm));
		assert_non_null(perm);
		for (size_t i = 0; i < f->n; i++)
			perm[i] = i;
		for (size_t i = f->n; i > 1; i--) {
			size_t j = (size_t)sk_rng_below(&rng, i);
			size_t t = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = t;
		}
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		const uint8_t *out = NULL;
		size_t outlen = 0;
		size_t dups = 0;
		for (size_t i = 0; i < f->n; i++) {
			if (i > 0 && sk_rng_below(&rng, 3) == 0) {
				size_t d = perm[sk_rng_below(&rng, i)];
				assert_int_equal(feed(&r, f, d, &out, &outlen), 0);
				dups++;
			}
			int rc = feed(&r, f, perm[i], &out, &outlen);
			assert_int_equal(rc, i + 1 == f->n ? 1 : 0);
			assert_true(sk_reasm_mem(&r) <= r.mem_cap);
		}
		check_dgram(out, outlen, &h, pay, plen);
		assert_int_equal(r.stats.frags_in, f->n + dups);
		assert_int_equal(r.stats.reassembled, 1);
		assert_int_equal(r.stats.dropped_overlap + r.stats.dropped_bad + r.stats.dropped_mem, 0);
		assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
		sk_reasm_free(&r);
		free(perm);
		frags_free(f);
	}
}

/* Datagrams told apart by id, source and protocol, their fragments interleaved. */
static void test_reasm_interleaved(void **state)
{
	(void)state;
	enum { N = 5 };
	static uint8_t pay[N][6000];
	struct sk_ipv4 h[N] = {hdr(A, 1, SK_IPPROTO_UDP), hdr(A, 2, SK_IPPROTO_UDP), hdr(C, 1, SK_IPPROTO_UDP),
			       hdr(A, 1, SK_IPPROTO_TCP), hdr(A, 1, SK_IPPROTO_UDP)};
	h[4].dst = C; /* h[0] but for the destination */
	for (uint64_t seed = 1; seed <= 50; seed++) {
		struct sk_rng rng;
		sk_rng_seed(&rng, seed * 977);
		struct frags *f[N];
		size_t plen[N], next[N];
		for (int k = 0; k < N; k++) {
			plen[k] = 100 + (size_t)sk_rng_below(&rng, 5900);
			pattern(pay[k], plen[k], (uint32_t)(seed * 10 + (uint64_t)k));
			f[k] = frags_new();
			fragment(f[k], &h[k], pay[k], plen[k], 0, &rng, 100);
			next[k] = f[k]->n; /* fed last to first */
		}
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		int done[N] = {0};
		int left = N;
		while (left) {
			int k = (int)sk_rng_below(&rng, N);
			if (next[k] == 0)
				continue;
			const uint8_t *out = NULL;
			size_t outlen = 0;
			int rc = feed(&r, f[k], --next[k], &out, &outlen);
			if (next[k] == 0) {
				assert_int_equal(rc, 1);
				check_dgram(out, outlen, &h[k], pay[k], plen[k]);
				done[k]++;
				left--;
			} else {
				assert_int_equal(rc, 0);
			}
		}
		for (int k = 0; k < N; k++) {
			assert_int_equal(done[k], 1);
			frags_free(f[k]);
		}
		assert_int_equal(r.stats.reassembled, N);
		assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
		sk_reasm_free(&r);
	}
}

/* Three pieces [0,1480) [1480,2960) [2960,4000) of one datagram. */
static struct frags *three(const struct sk_ipv4 *h, uint8_t *pay)
{
	pattern(pay, 4000, 3);
	struct frags *f = frags_new();
	fragment(f, h, pay, 4000, 1480, NULL, 0);
	assert_int_equal(f->n, 3);
	return f;
}

/* Any overlap that is not an exact duplicate drops the whole datagram, even with equal
 * bytes; the rest of its pieces then start a new one that cannot complete. */
static void test_reasm_overlap_drops(void **state)
{
	(void)state;
	static uint8_t pay[4000];
	struct sk_ipv4 h = hdr(A, 9, SK_IPPROTO_UDP);
	struct frags *f = three(&h, pay);
	static uint8_t other[4000];
	memcpy(other, pay, sizeof(other));
	other[100] ^= 0xff;
	struct frags *bad = frags_new();
	add_frag(bad, &h, pay, 1472, 16, 1, 0);   /* 0: straddles the first/second boundary, same bytes */
	add_frag(bad, &h, other, 0, 1480, 1, 0);  /* 1: same range as the first, one byte differs */
	add_frag(bad, &h, pay, 8, 16, 1, 0);      /* 2: inside the first, same bytes */
	add_frag(bad, &h, pay, 2952, 1048, 0, 0); /* 3: runs 8 bytes into the last's range from below */
	add_frag(bad, &h, pay, 0, 2960, 1, 0);    /* 4: covers the first two exactly, same bytes */

	struct {
		size_t held[2], nheld, bad;
	} cases[] = {
		{{0, 0}, 1, 0}, {{0, 0}, 1, 1}, {{0, 0}, 1, 2}, {{2, 0}, 1, 3}, {{0, 1}, 2, 4},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		const uint8_t *out = NULL;
		size_t outlen = 0;
		for (size_t i = 0; i < cases[c].nheld; i++)
			assert_int_equal(feed(&r, f, cases[c].held[i], &out, &outlen), 0);
		assert_int_not_equal(sk_reasm_mem(&r), 0);
		assert_int_equal(feed(&r, bad, cases[c].bad, &out, &outlen), -1);
		assert_int_equal(r.stats.dropped_overlap, 1);
		assert_int_equal(sk_reasm_mem(&r), 0); /* whole datagram gone */
		assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
		/* every original piece now: completes only if all three are fed again */
		for (size_t i = 0; i < 3; i++) {
			int held = 0;
			for (size_t j = 0; j < cases[c].nheld; j++)
				held |= cases[c].held[j] == i;
			if (!held)
				assert_int_equal(feed(&r, f, i, &out, &outlen), 0);
		}
		assert_int_equal(r.stats.reassembled, 0);
		sk_reasm_free(&r);
	}
	frags_free(bad);
	frags_free(f);
}

/* An exact duplicate (same offset, length, bytes) is accepted silently, every piece of it. */
static void test_reasm_exact_duplicate(void **state)
{
	(void)state;
	static uint8_t pay[4000];
	struct sk_ipv4 h = hdr(A, 10, SK_IPPROTO_UDP);
	struct frags *f = three(&h, pay);
	struct sk_reasm r;
	sk_reasm_init(&r, 0, 0);
	const uint8_t *out = NULL;
	size_t outlen = 0;
	assert_int_equal(feed(&r, f, 2, &out, &outlen), 0);
	size_t mem = sk_reasm_mem(&r);
	assert_int_equal(feed(&r, f, 2, &out, &outlen), 0);
	assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
	assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
	assert_int_equal(feed(&r, f, 2, &out, &outlen), 0);
	assert_true(sk_reasm_mem(&r) >= mem);
	mem = sk_reasm_mem(&r);
	assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
	assert_int_equal(sk_reasm_mem(&r), mem);
	assert_int_equal(feed(&r, f, 1, &out, &outlen), 1);
	check_dgram(out, outlen, &h, pay, 4000);
	assert_int_equal(r.stats.frags_in, 7);
	assert_int_equal(r.stats.dropped_overlap + r.stats.dropped_bad, 0);
	sk_reasm_free(&r);
	frags_free(f);
}

/* Lengths: a middle piece that is not a multiple of 8 and an empty piece are dropped alone
 * (the datagram survives); a packet that is no fragment is refused. */
static void test_reasm_bad_lengths(void **state)
{
	(void)state;
	static uint8_t pay[4000];
	struct sk_ipv4 h = hdr(A, 11, SK_IPPROTO_UDP);
	struct frags *f = three(&h, pay);
	struct frags *bad = frags_new();
	add_frag(bad, &h, pay, 1480, 1484, 1, 0); /* 0: odd middle */
	add_frag(bad, &h, pay, 1480, 1, 1, 0);    /* 1: one byte with MF */
	add_frag(bad, &h, pay, 2960, 0, 1, 0);    /* 2: empty, MF */
	add_frag(bad, &h, pay, 2960, 0, 0, 0);    /* 3: empty, last */
	add_frag(bad, &h, pay, 0, 100, 0, 0);     /* 4: offset 0, no MF: not a fragment */

	struct sk_reasm r;
	sk_reasm_init(&r, 0, 0);
	const uint8_t *out = NULL;
	size_t outlen = 0;
	assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
	size_t mem = sk_reasm_mem(&r);
	for (size_t i = 0; i < bad->n; i++) {
		assert_int_equal(feed(&r, bad, i, &out, &outlen), -1);
		assert_int_equal(r.stats.dropped_bad, i + 1);
		assert_int_equal(sk_reasm_mem(&r), mem);
	}
	assert_int_equal(feed(&r, f, 2, &out, &outlen), 0);
	assert_int_equal(feed(&r, f, 1, &out, &outlen), 1);
	check_dgram(out, outlen, &h, pay, 4000);
	/* a header that does not match its buffer */
	struct sk_ipv4 ip;
	assert_int_equal(sk_ipv4_parse(f->pkt[1], f->len[1], &ip, SK_IPV4_VERIFY_CSUM), 20);
	assert_int_equal(sk_reasm_input(&r, &ip, f->pkt[1], (size_t)ip.total_len - 1, 0, &out, &outlen), -1);
	assert_int_equal(r.stats.dropped_bad, bad->n + 1);
	assert_int_equal(r.stats.frags_in, 3 + bad->n + 1);
	sk_reasm_free(&r);
	frags_free(bad);
	frags_free(f);
}

/* The end, once known, is fixed: a second last fragment that disagrees, a piece past the
 * end, or a last fragment ending before data held drops the datagram. */
static void test_reasm_end_disagreement(void **state)
{
	(void)state;
	static uint8_t pay[8000];
	pattern(pay, sizeof(pay), 4);
	struct sk_ipv4 h = hdr(A, 12, SK_IPPROTO_UDP);
	struct frags *f = frags_new();
	add_frag(f, &h, pay, 0, 1480, 1, 0);    /* 0 */
	add_frag(f, &h, pay, 1480, 1480, 0, 0); /* 1: last, end 2960 */
	add_frag(f, &h, pay, 2960, 16, 0, 0);   /* 2: another last, end 2976 */
	add_frag(f, &h, pay, 1480, 1488, 0, 0); /* 3: last, same offset, longer */
	add_frag(f, &h, pay, 2960, 16, 1, 0);   /* 4: past the end, MF */
	add_frag(f, &h, pay, 8, 8, 0, 0);       /* 5: last, ending at 16 */
	add_frag(f, &h, pay, 1480, 1480, 1, 0); /* 6: 1's bytes with MF: a middle piece */
	struct {
		size_t first, second;
	} cases[] = {{1, 2}, {1, 3}, {1, 4}, {2, 5}, {6, 5}, {1, 6}, {6, 1}};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct sk_reasm r;
		sk_reasm_init(&r, 0, 0);
		const uint8_t *out = NULL;
		size_t outlen = 0;
		assert_int_equal(feed(&r, f, cases[c].first, &out, &outlen), 0);
		assert_int_equal(feed(&r, f, cases[c].second, &out, &outlen), -1);
		assert_int_equal(r.stats.dropped_bad, 1);
		assert_int_equal(sk_reasm_mem(&r), 0);
		/* the first piece and the original last now make a fresh start */
		assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
		assert_int_equal(feed(&r, f, 1, &out, &outlen), 1);
		check_dgram(out, outlen, &h, pay, 2960);
		sk_reasm_free(&r);
	}
	frags_free(f);
}

/* Past 65535 bytes: the fragment is dropped along with what was pending for its datagram,
 * including when the first fragment's long header is what tips it over. */
static void test_reasm_too_big(void **state)
{
	(void)state;
	static uint8_t pay[65536 + 64];
	pattern(pay, sizeof(pay), 5);
	struct sk_ipv4 h = hdr(A, 13, SK_IPPROTO_UDP);
	struct frags *f = frags_new();
	add_frag(f, &h, pay, 0, 1480, 1, 0);      /* 0 */
	add_frag(f, &h, pay, 65528, 16, 0, 0);    /* 1: ends at 65544 */
	add_frag(f, &h, pay, 65512, 8, 1, 0);     /* 2: ends at 65520: + 20 > 65535 */
	add_frag(f, &h, pay, 64000, 1515, 0, 0);  /* 3: ends at 65515: exactly fits a 20-byte header */
	uint8_t opts[40];
	memset(opts, 1, sizeof(opts)); /* NOPs */
	struct sk_ipv4 hl = h;
	hl.opts = opts;
	hl.opts_len = 40;
	add_frag(f, &hl, pay, 0, 1480, 1, 0); /* 4: 60-byte header first fragment */

	struct sk_reasm r;
	sk_reasm_init(&r, 0, 0);
	const uint8_t *out = NULL;
	size_t outlen = 0;
	assert_int_equal(feed(&r, f, 1, &out, &outlen), -1); /* alone */
	assert_int_equal(r.stats.dropped_toobig, 1);
	assert_int_equal(sk_reasm_mem(&r), 0);
	assert_int_equal(feed(&r, f, 0, &out, &outlen), 0);
	assert_int_equal(feed(&r, f, 2, &out, &outlen), -1); /* with pending state */
	assert_int_equal(r.stats.dropped_toobig, 2);
	assert_int_equal(sk_reasm_mem(&r), 0);
	assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
	assert_int_equal(feed(&r, f, 3, &out, &outlen), 0); /* fits so far */
	assert_int_equal(feed(&r, f, 4, &out, &outlen), -1); /* 60 + 65515 > 65535 */
	assert_int_equal(r.stats.dropped_toobig, 3);
	assert_int_equal(sk_reasm_mem(&r), 0);
	assert_int_equal(feed(&r, f, 4, &out, &outlen), 0); /* the long header alone is fine */
	assert_int_equal(feed(&r, f, 3, &out, &outlen), -1);
	assert_int_equal(r.stats.dropped_toobig, 4);
	assert_int_equal(sk_reasm_mem(&r), 0);
	sk_reasm_free(&r);
	frags_free(f);
}

struct expired {
	int calls;
	uint8_t pkt[2000];
	size_t len;
};

static void on_expire(void *ctx, const uint8_t *first, size_t len)
{
	struct expired *e = ctx;
	e->calls++;
	assert_true(len <= sizeof(e->pkt));
	memcpy(e->pkt, first, len);
	e->len = len;
}

/* Timeout from the first piece's arrival; the callback sees the first fragment as it
 * arrived, and only for datagrams that had it. */
static void test_reasm_timeout(void **state)
{
	(void)state;
	static uint8_t pay[4000];
	struct sk_ipv4 hx = hdr(A, 20, SK_IPPROTO_UDP);
	uint8_t opts[4] = {0x94, 0x04, 0x00, 0x00};
	hx.opts = opts;
	hx.opts_len = 4;
	struct frags *x = three(&hx, pay);
	struct sk_ipv4 hy = hdr(A, 21, SK_IPPROTO_UDP);
	struct frags *y = three(&hy, pay);

	struct sk_reasm r;
	sk_reasm_init(&r, 0, 1000);
	assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
	const uint8_t *out = NULL;
	size_t outlen = 0;
	assert_int_equal(feed_at(&r, x->pkt[2], x->len[2], 100, &out, &outlen), 0);
	assert_int_equal(sk_reasm_next_deadline(&r), 1100);
	assert_int_equal(feed_at(&r, y->pkt[1], y->len[1], 200, &out, &outlen), 0);
	assert_int_equal(sk_reasm_next_deadline(&r), 1100);
	assert_int_equal(feed_at(&r, x->pkt[0], x->len[0], 1050, &out, &outlen), 0); /* no extension */
	assert_int_equal(sk_reasm_next_deadline(&r), 1100);

	struct expired e = {0};
	sk_reasm_expire(&r, 1099, on_expire, &e);
	assert_int_equal(e.calls, 0);
	assert_int_equal(r.stats.timeouts, 0);
	sk_reasm_expire(&r, 1100, on_expire, &e);
	assert_int_equal(e.calls, 1);
	assert_int_equal(r.stats.timeouts, 1);
	assert_int_equal(e.len, x->len[0]);
	assert_int_equal(e.len, 24 + 1480);
	assert_memory_equal(e.pkt, x->pkt[0], x->len[0]);
	struct sk_ipv4 q;
	assert_int_equal(sk_ipv4_parse(e.pkt, e.len, &q, SK_IPV4_VERIFY_CSUM), 24);
	assert_int_equal(q.frag & SK_IP_MF, SK_IP_MF); /* as it arrived, not rewritten */
	assert_int_equal(sk_reasm_next_deadline(&r), 1200);
	/* x's last missing piece now starts over rather than completing */
	assert_int_equal(feed_at(&r, x->pkt[1], x->len[1], 1150, &out, &outlen), 0);
	assert_int_equal(sk_reasm_next_deadline(&r), 1200);
	sk_reasm_expire(&r, 5000, on_expire, &e); /* y had no first fragment; x's new one neither */
	assert_int_equal(e.calls, 1);
	assert_int_equal(r.stats.timeouts, 3);
	assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
	assert_int_equal(sk_reasm_mem(&r), 0);

	/* a NULL callback, and a completed datagram moving the deadline on */
	assert_int_equal(feed_at(&r, x->pkt[0], x->len[0], 6000, &out, &outlen), 0);
	assert_int_equal(feed_at(&r, y->pkt[0], y->len[0], 6500, &out, &outlen), 0);
	assert_int_equal(sk_reasm_next_deadline(&r), 7000);
	assert_int_equal(feed_at(&r, x->pkt[1], x->len[1], 6600, &out, &outlen), 0);
	assert_int_equal(feed_at(&r, x->pkt[2], x->len[2], 6700, &out, &outlen), 1);
	check_dgram(out, outlen, &hx, pay, 4000);
	assert_int_equal(sk_reasm_next_deadline(&r), 7500);
	sk_reasm_expire(&r, 7499, NULL, NULL);
	assert_int_equal(r.stats.timeouts, 3);
	sk_reasm_expire(&r, 7500, NULL, NULL);
	assert_int_equal(r.stats.timeouts, 4);
	assert_int_equal(sk_reasm_mem(&r), 0);
	sk_reasm_free(&r);
	frags_free(x);
	frags_free(y);
}

/* Under the cap the oldest pending datagrams go first; a piece too big for the cap on its
 * own is refused without evicting anything. */
static void test_reasm_mem_cap_evicts_oldest(void **state)
{
	(void)state;
	enum { N = 5 };
	static uint8_t pay[N][16000];
	const size_t cap = 40000;
	struct sk_reasm r;
	sk_reasm_init(&r, cap, TMO);
	struct frags *f[N];
	struct sk_ipv4 h[N];
	const uint8_t *out = NULL;
	size_t outlen = 0;
	for (int k = 0; k < N; k++) {
		h[k] = hdr(A, (uint16_t)(100 + k), SK_IPPROTO_UDP);
		pattern(pay[k], 16000, (uint32_t)k);
		f[k] = frags_new();
		fragment(f[k], &h[k], pay[k], 16000, 8000, NULL, 0);
		assert_int_equal(f[k]->n, 2);
	}
	/* each holds ~8 KiB after its first piece: four fit in 40000 */
	for (int k = 0; k < 4; k++)
		assert_int_equal(feed_at(&r, f[k]->pkt[0], f[k]->len[0], (uint64_t)k, &out, &outlen), 0);
	assert_int_equal(r.stats.dropped_mem, 0);
	assert_int_equal(sk_reasm_next_deadline(&r), TMO);
	assert_true(sk_reasm_mem(&r) <= cap);
	/* the fifth pushes out the oldest (k = 0) */
	assert_int_equal(feed_at(&r, f[4]->pkt[0], f[4]->len[0], 4, &out, &outlen), 0);
	assert_int_equal(r.stats.dropped_mem, 1);
	assert_true(sk_reasm_mem(&r) <= cap);
	assert_int_equal(sk_reasm_next_deadline(&r), 1 + TMO);
	/* completing k = 1, now the oldest, needs ~8 KiB more: that evicts the next oldest
	 * (k = 2), not k = 1 itself */
	assert_int_equal(feed_at(&r, f[1]->pkt[1], f[1]->len[1], 5, &out, &outlen), 1);
	check_dgram(out, outlen, &h[1], pay[1], 16000);
	assert_true(sk_reasm_mem(&r) <= cap);
	assert_int_equal(r.stats.dropped_mem, 2);
	assert_int_equal(sk_reasm_next_deadline(&r), 3 + TMO);
	/* the newer ones survived */
	assert_int_equal(feed_at(&r, f[4]->pkt[1], f[4]->len[1], 6, &out, &outlen), 1);
	check_dgram(out, outlen, &h[4], pay[4], 16000);
	assert_int_equal(feed_at(&r, f[3]->pkt[1], f[3]->len[1], 7, &out, &outlen), 1);
	check_dgram(out, outlen, &h[3], pay[3], 16000);
	/* k = 0 and 2 were evicted: their second halves start over */
	assert_int_equal(feed_at(&r, f[0]->pkt[1], f[0]->len[1], 8, &out, &outlen), 0);
	assert_int_equal(feed_at(&r, f[2]->pkt[1], f[2]->len[1], 9, &out, &outlen), 0);
	assert_int_equal(r.stats.reassembled, 3);
	assert_int_equal(r.stats.dropped_mem, 2);
	assert_true(sk_reasm_mem(&r) <= cap);
	sk_reasm_free(&r);

	/* too big for the cap on its own */
	sk_reasm_init(&r, 6000, TMO);
	struct frags *small = frags_new();
	add_frag(small, &h[0], pay[0], 0, 1000, 1, 0);
	assert_int_equal(feed(&r, small, 0, &out, &outlen), 0);
	size_t mem = sk_reasm_mem(&r);
	assert_int_equal(feed(&r, f[1], 0, &out, &outlen), -1);
	assert_int_equal(r.stats.dropped_mem, 1);
	assert_int_equal(sk_reasm_mem(&r), mem); /* the small one was not evicted for nothing */
	assert_int_equal(sk_reasm_next_deadline(&r), TMO);
	sk_reasm_free(&r);
	frags_free(small);
	for (int k = 0; k < N; k++)
		frags_free(f[k]);
}

/* The number of pending datagrams is limited too (mem_cap / 16 KiB: 256 at 4 MiB). */
static void test_reasm_count_limit(void **state)
{
	(void)state;
	static uint8_t pay[64];
	pattern(pay, sizeof(pay), 6);
	struct sk_reasm r;
	sk_reasm_init(&r, 0, TMO);
	const uint8_t *out = NULL;
	size_t outlen = 0;
	for (unsigned i = 0; i < 300; i++) {
		struct sk_ipv4 h = hdr(A, (uint16_t)i, SK_IPPROTO_UDP);
		struct frags *f = frags_new();
		add_frag(f, &h, pay, 8, 16, 1, 0);
		assert_int_equal(feed_at(&r, f->pkt[0], f->len[0], i, &out, &outlen), 0);
		frags_free(f);
	}
	assert_int_equal(r.stats.dropped_mem, 300 - 256);
	assert_int_equal(sk_reasm_next_deadline(&r), 300 - 256 + TMO);
	sk_reasm_free(&r);
}

/* A random flood of fragments (many datagrams, odd lengths, overlaps, time moving) never
 * takes the memory held past the cap, and whatever completes is a valid datagram. */
static void test_reasm_random_flood(void **state)
{
	(void)state;
	static uint8_t pkt[65535 + 16];
	const size_t caps[] = {20000, 65536, 300000};
	for (size_t c = 0; c < 3; c++) {
		struct sk_rng rng;
		sk_rng_seed(&rng, 4242 + c);
		struct sk_reasm r;
		sk_reasm_init(&r, caps[c], 3000);
		uint64_t now = 0;
		uint64_t ones = 0, minus = 0, fed = 30000;
		for (int i = 0; i < 30000; i++) {
			struct sk_ipv4 h = hdr(sk_rng_below(&rng, 2) ? A : C, (uint16_t)sk_rng_below(&rng, 40),
					       SK_IPPROTO_UDP);
			size_t units = (size_t)sk_rng_below(&rng, 12);
			size_t off = 8 * units * (sk_rng_below(&rng, 8) == 0 ? 700 : 1);
			size_t plen = 8 * (1 + (size_t)sk_rng_below(&rng, sk_rng_below(&rng, 10) == 0 ? 3000 : 200));
			if (sk_rng_below(&rng, 20) == 0)
				plen += (size_t)sk_rng_below(&rng, 8);
			int more = (int)(sk_rng_below(&rng, 4) != 0);
			if (off == 0 && !more)
				more = 1;
			if (off + plen + 20 > 65535 && sk_rng_below(&rng, 4) != 0)
				plen = 8; /* else too big */
			h.total_len = (uint16_t)(20 + plen);
			h.frag = (uint16_t)((more ? SK_IP_MF : 0) | (off / 8));
			assert_int_equal(sk_ipv4_emit(pkt, sizeof(pkt), &h), 20);
			for (size_t j = 0; j < plen; j++) /* mostly consistent bytes, so some complete */
				pkt[20 + j] = (uint8_t)(off + j + (sk_rng_below(&rng, 1000) == 0));
			now += sk_rng_below(&rng, 50);
			const uint8_t *out = NULL;
			size_t outlen = 0;
			int rc = feed_at(&r, pkt, 20 + plen, now, &out, &outlen);
			assert_true(sk_reasm_mem(&r) <= caps[c]);
			if (rc == 1) {
				struct sk_ipv4 got;
				assert_int_equal(sk_ipv4_parse(out, outlen, &got, SK_IPV4_VERIFY_CSUM), 20);
				assert_int_equal(got.total_len, outlen);
				assert_false(sk_ipv4_is_fragment(&got));
				ones++;
			} else if (rc < 0) {
				minus++;
			}
			if (sk_rng_below(&rng, 50) == 0) {
				/* now and then a well-formed datagram, pieces back to back in random
				 * order: memory pressure may evict others, never these */
				static uint8_t gpay[600];
				size_t glen = 9 + (size_t)sk_rng_below(&rng, sizeof(gpay) - 9);
				pattern(gpay, glen, (uint32_t)i);
				struct sk_ipv4 gh = hdr(B, (uint16_t)i, SK_IPPROTO_TCP);
				struct frags *g = frags_new();
				fragment(g, &gh, gpay, glen, 0, &rng, 10);
				size_t start = (size_t)sk_rng_below(&rng, g->n);
				fed += g->n;
				for (size_t j = 0; j < g->n; j++) {
					int grc = feed_at(&r, g->pkt[(start + j) % g->n], g->len[(start + j) % g->n], now,
							  &out, &outlen);
					assert_true(sk_reasm_mem(&r) <= caps[c]);
					assert_int_equal(grc, j + 1 == g->n);
				}
				check_dgram(out, outlen, &gh, gpay, glen);
				ones++;
				frags_free(g);
			}
			if (sk_rng_below(&rng, 100) == 0) {
				if (sk_rng_below(&rng, 2))
					now += 4000; /* a lull: whatever is pending times out */
				sk_reasm_expire(&r, now, NULL, NULL);
				assert_true(sk_reasm_next_deadline(&r) > now);
				assert_true(sk_reasm_mem(&r) <= caps[c]);
			}
		}
		assert_int_equal(r.stats.frags_in, fed);
		assert_int_equal(r.stats.reassembled, ones);
		assert_true(ones > 0);
		assert_true(minus > 0);
		assert_true(r.stats.dropped_mem > 0);
		assert_true(r.stats.dropped_overlap > 0);
		assert_true(r.stats.dropped_bad > 0);
		assert_true(r.stats.dropped_toobig > 0);
		assert_true(r.stats.timeouts > 0);
		sk_reasm_free(&r);
		assert_int_equal(sk_reasm_mem(&r), 0);
	}
}

/* Free releases every pending datagram and the last completed one (ASan checks the leak
 * side); the object is usable again afterwards. */
static void test_reasm_free_releases_all(void **state)
{
	(void)state;
	static uint8_t pay[4000];
	struct sk_reasm r;
	sk_reasm_init(&r, 0, 0);
	const uint8_t *out = NULL;
	size_t outlen = 0;
	for (int round = 0; round < 2; round++) {
		for (uint16_t id = 0; id < 20; id++) {
			struct sk_ipv4 h = hdr(A, id, SK_IPPROTO_UDP);
			struct frags *f = three(&h, pay);
			for (size_t i = 0; i < 1u + id % 2u; i++)
				assert_int_equal(feed(&r, f, i, &out, &outlen), 0);
			frags_free(f);
		}
		struct sk_ipv4 h = hdr(C, 1, SK_IPPROTO_UDP);
		struct frags *f = three(&h, pay);
		for (size_t i = 0; i < 3; i++)
			assert_int_equal(feed(&r, f, i, &out, &outlen), i == 2);
		check_dgram(out, outlen, &h, pay, 4000);
		frags_free(f);
		assert_true(sk_reasm_mem(&r) > 20 * 1480);
		sk_reasm_free(&r);
		assert_int_equal(sk_reasm_mem(&r), 0);
		assert_int_equal(sk_reasm_next_deadline(&r), UINT64_MAX);
	}
	sk_reasm_free(&r); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasm_in_order),
		cmocka_unit_test(test_reasm_reverse_and_max),
		cmocka_unit_test(test_reasm_permutations),
		cmocka_unit_test(test_reasm_interleaved),
		cmocka_unit_test(test_reasm_overlap_drops),
		cmocka_unit_test(test_reasm_exact_duplicate),
		cmocka_unit_test(test_reasm_bad_lengths),
		cmocka_unit_test(test_reasm_end_disagreement),
		cmocka_unit_test(test_reasm_too_big),
		cmocka_unit_test(test_reasm_timeout),
		cmocka_unit_test(test_reasm_mem_cap_evicts_oldest),
		cmocka_unit_test(test_reasm_count_limit),
		cmocka_unit_test(test_reasm_random_flood),
		cmocka_unit_test(test_reasm_free_releases_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
