/* The pcapng block walker on crafted files: both byte orders, several sections and
 * interfaces, EPB, SPB and PB numbered as libpcap numbers them, comments, and every kind of
 * damage stopping the walk. */
#include "testutil.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/pcapng.h"

/* A file under construction, in the byte order of its current section. */
struct bld {
	uint8_t b[16384];
	size_t n;
	int be;
};

static void put8(struct bld *f, uint8_t v)
{
	assert_true(f->n < sizeof(f->b));
	f->b[f->n++] = v;
}

static void put16(struct bld *f, uint32_t v)
{
	if (f->be) {
		put8(f, (uint8_t)(v >> 8));
		put8(f, (uint8_t)v);
	} else {
		put8(f, (uint8_t)v);
		put8(f, (uint8_t)(v >> 8));
	}
}

static void put32(struct bld *f, uint32_t v)
{
	if (f->be) {
		put16(f, v >> 16);
		put16(f, v & 0xffff);
	} else {
		put16(f, v & 0xffff);
		put16(f, v >> 16);
	}
}

static void put_bytes(struct bld *f, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, ((const uint8_t *)p)[i]);
	while (n++ % 4)
		put8(f, 0);
}

/* Starts a block; block_end fills in both lengths. */
static size_t block_start(struct bld *f, uint32_t type)
{
	size_t at = f->n;
	put32(f, type);
	put32(f, 0);
	return at;
}

static void block_end(struct bld *f, size_t at)
{
	uint32_t len = (uint32_t)(f->n - at + 4);
	size_t end = f->n;
	f->n = at + 4;
	put32(f, len);
	f->n = end;
	put32(f, len);
}

/* Options: NULL-terminated comments, then opt_endofopt. */
static void put_comments(struct bld *f, const char *const *comments)
{
	if (!comments)
		return;
	for (; *comments; comments++) {
		put16(f, SK_PCAPNG_OPT_COMMENT);
		put16(f, (uint32_t)strlen(*comments));
		put_bytes(f, *comments, strlen(*comments));
	}
	put32(f, 0);
}

static void shb(struct bld *f, int be, uint32_t major)
{
	f->be = be;
	size_t at = block_start(f, SK_PCAPNG_SHB);
	put32(f, 0x1a2b3c4d);
	put16(f, major);
	put16(f, 0);
	put32(f, 0xffffffff);
	put32(f, 0xffffffff);
	block_end(f, at);
}

static void idb(struct bld *f, uint32_t linktype, const char *const *comments)
{
	size_t at = block_start(f, SK_PCAPNG_IDB);
	put16(f, linktype);
	put16(f, 0);
	put32(f, 262144);
	put_comments(f, comments);
	block_end(f, at);
}

static const uint8_t pkt[24] = {0x45, 0, 0, 24, 0, 1, 0, 0, 64, 17, 0, 0,
				10, 0, 0, 1, 10, 0, 0, 2, 0, 7, 0, 9};

static void epb(struct bld *f, uint32_t iface, size_t caplen, const char *const *comments)
{
	size_t at = block_start(f, SK_PCAPNG_EPB);
	put32(f, iface);
	put32(f, 0x5f5);
	put32(f, (uint32_t)(f->n * 1000));
	put32(f, (uint32_t)caplen);
	put32(f, 24);
	put_bytes(f, pkt, caplen);
	put_comments(f, comments);
	block_end(f, at);
}

static void pb(struct bld *f, uint16_t iface, const char *const *comments)
{
	size_t at = block_start(f, SK_PCAPNG_PB);
	put16(f, iface);
	put16(f, 0xffff);
	put32(f, 0x5f5);
	put32(f, 77);
	put32(f, 24);
	put32(f, 24);
	put_bytes(f, pkt, 24);
	put_comments(f, comments);
	block_end(f, at);
}

static void spb(struct bld *f)
{
	size_t at = block_start(f, SK_PCAPNG_SPB);
	put32(f, 24);
	put_bytes(f, pkt, 24);
	block_end(f, at);
}

/* A block of a type the walker does not know, with a body that looks like options. */
static void other(struct bld *f, uint32_t type)
{
	size_t at = block_start(f, type);
	put32(f, 0x00010004);
	put32(f, 0x41414141);
	block_end(f, at);
}

/* What a walk saw, one line per block: "TYPE" or "TYPE #PACKET comment|comment". */
struct walk_out {
	char text[4096];
	int result;
	uint64_t packets;
};

static void describe(struct walk_out *o, const struct sk_pcapng_block *b)
{
	size_t u = strlen(o->text);
	snprintf(o->text + u, sizeof(o->text) - u, "%x", b->type);
	if (b->is_packet) {
		u = strlen(o->text);
		snprintf(o->text + u, sizeof(o->text) - u, " #%llu@%u",
			 (unsigned long long)b->packet, b->iface);
	}
	size_t pos = 0, n;
	const char *s;
	char sep = ' ';
	while (sk_pcapng_next_comment(b, &pos, &s, &n)) {
		u = strlen(o->text);
		snprintf(o->text + u, sizeof(o->text) - u, "%c%.*s", sep, (int)n, s);
		sep = '|';
	}
	u = strlen(o->text);
	snprintf(o->text + u, sizeof(o->text) - u, "\n");
}

static void walk_mem(const struct bld *f, struct walk_out *o)
{
	memset(o, 0, sizeof(*o));
	struct sk_pcapng_walk w;
	sk_pcapng_walk_init(&w);
	struct sk_pcapng_block b;
	while ((o->result = sk_pcapng_next(&w, f->b, f->n, &b)) == 1) {
		assert_true(b.offset + b.len <= f->n);
		describe(o, &b);
	}
	/* an ended walk stays where it ended */
	assert_int_equal(sk_pcapng_next(&w, f->b, f->n, &b), o->result);
	o->packets = w.packets;
}

/* The same through a FILE, which must see exactly what the walk in memory saw. */
static void walk_stream(const struct bld *f, struct walk_out *o)
{
	memset(o, 0, sizeof(*o));
	FILE *fp = tmpfile();
	assert_non_null(fp);
	assert_int_equal(fwrite(f->b, 1, f->n, fp), f->n);
	rewind(fp);
	struct sk_pcapng_walk w;
	sk_pcapng_walk_init(&w);
	struct sk_pcapng_block b;
	uint8_t *buf = NULL;
	size_t cap = 0;
	while ((o->result = sk_pcapng_read(&w, fp, &buf, &cap, &b)) == 1)
		describe(o, &b);
	o->packets = w.packets;
	free(buf);
	fclose(fp);
}

static void expect_walk(const struct bld *f, const char *text, int result)
{
	struct walk_out m, s;
	walk_mem(f, &m);
	walk_stream(f, &s);
	assert_string_equal(m.text, text);
	assert_int_equal(m.result, result);
	assert_string_equal(s.text, text);
	assert_int_equal(s.result, result);
}

/* How many packets libpcap returns from the file (and whether it ended cleanly). */
static int libpcap_count(const struct bld *f, int *clean)
{
	char path[] = "/tmp/synack-pcapng-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->b, f->n), (ssize_t)f->n);
	close(fd);
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	unlink(path);
	if (!p) {
		*clean = 0;
		return -1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0, r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1)
		n++;
	*clean = r == PCAP_ERROR_BREAK;
	pcap_close(p);
	return n;
}

static void test_one_section(void **state)
{
	(void)state;
	struct bld f = {0};
	shb(&f, 0, 1);
	const char *const ifc[] = {"the interface", NULL};
	idb(&f, 101, ifc);
	const char *const c1[] = {"lost: rule", NULL};
	const char *const c3[] = {"duplicate", "corrupted: bit 9 flipped (byte 1 ^ 0x02)", NULL};
	epb(&f, 0, 24, c1);
	other(&f, 4);	       /* a name resolution block */
	epb(&f, 0, 21, NULL); /* data padded, no options */
	other(&f, 0x80000001); /* local use */
	epb(&f, 0, 24, c3);
	other(&f, 5); /* interface statistics */
	expect_walk(&f,
		    "a0d0d0a\n"
		    "1 the interface\n"
		    "6 #0@0 lost: rule\n"
		    "4\n"
		    "6 #1@0\n"
		    "80000001\n"
		    "6 #2@0 duplicate|corrupted: bit 9 flipped (byte 1 ^ 0x02)\n"
		    "5\n",
		    0);
	int clean;
	assert_int_equal(libpcap_count(&f, &clean), 3);
	assert_true(clean);
}

/* Sections one after another: the interfaces start again from 0 in each, the packets are
 * numbered on; SPB and PB are packets too. libpcap agrees on the count. (The link type is
 * Ethernet: libpcap 1.10 refuses a second IDB of LINKTYPE_RAW, comparing 101 with DLT_RAW.) */
static void test_sections_spb_pb(void **state)
{
	(void)state;
	struct bld f = {0};
	shb(&f, 0, 1);
	idb(&f, 1, NULL);
	idb(&f, 1, NULL);
	const char *const c[] = {"on 1", NULL};
	epb(&f, 1, 24, c);
	spb(&f);
	shb(&f, 0, 1);
	idb(&f, 1, NULL);
	const char *const cp[] = {"old", NULL};
	pb(&f, 0, cp);
	epb(&f, 0, 24, NULL);
	expect_walk(&f,
		    "a0d0d0a\n1\n1\n6 #0@1 on 1\n3 #1@0\n"
		    "a0d0d0a\n1\n2 #2@0 old\n6 #3@0\n",
		    0);
	int clean;
	assert_int_equal(libpcap_count(&f, &clean), 4);
	assert_true(clean);

	/* interface 1 is not described in the second section */
	epb(&f, 1, 24, NULL);
	expect_walk(&f,
		    "a0d0d0a\n1\n1\n6 #0@1 on 1\n3 #1@0\n"
		    "a0d0d0a\n1\n2 #2@0 old\n6 #3@0\n",
		    -EINVAL);
}

/* A big-endian section, alone (libpcap reads it) and after a little-endian one. */
static void test_big_endian(void **state)
{
	(void)state;
	struct bld f = {0};
	shb(&f, 1, 1);
	idb(&f, 1, NULL);
	const char *const c[] = {"big", "endian", NULL};
	epb(&f, 0, 24, c);
	spb(&f);
	const char *const cp[] = {"pb", NULL};
	pb(&f, 0, cp);
	const char *text = "a0d0d0a\n1\n6 #0@0 big|endian\n3 #1@0\n2 #2@0 pb\n";
	expect_walk(&f, text, 0);
	assert_int_equal(f.b[8], 0x1a); /* it really is big-endian */
	int clean;
	assert_int_equal(libpcap_count(&f, &clean), 3);
	assert_true(clean);

	struct bld g = {0};
	shb(&g, 0, 1);
	idb(&g, 1, NULL);
	const char *const cl[] = {"little", NULL};
	epb(&g, 0, 24, cl);
	memcpy(g.b + g.n, f.b, f.n);
	g.n += f.n;
	expect_walk(&g,
		    "a0d0d0a\n1\n6 #0@0 little\n"
		    "a0d0d0a\n1\n6 #1@0 big|endian\n3 #2@0\n2 #3@0 pb\n",
		    0);
}

/* Options: a NUL ends a comment, other options are passed over, nothing after
 * opt_endofopt counts, an empty comment is a comment. */
static void test_comment_options(void **state)
{
	(void)state;
	struct bld f = {0};
	shb(&f, 0, 1);
	idb(&f, 101, NULL);
	size_t at = block_start(&f, SK_PCAPNG_EPB);
	put32(&f, 0);
	put32(&f, 0);
	put32(&f, 0);
	put32(&f, 4);
	put32(&f, 4);
	put_bytes(&f, pkt, 4);
	put16(&f, 2); /* epb_flags */
	put16(&f, 4);
	put32(&f, 1);
	put16(&f, SK_PCAPNG_OPT_COMMENT);
	put16(&f, 7);
	put_bytes(&f, "ab\0cdef", 7);
	put16(&f, SK_PCAPNG_OPT_COMMENT);
	put16(&f, 0);
	put16(&f, SK_PCAPNG_OPT_COMMENT);
	put16(&f, 3);
	put_bytes(&f, "end", 3);
	put32(&f, 0); /* opt_endofopt */
	put16(&f, SK_PCAPNG_OPT_COMMENT);
	put16(&f, 5);
	put_bytes(&f, "after", 5);
	block_end(&f, at);
	expect_walk(&f, "a0d0d0a\n1\n6 #0@0 ab||end\n", 0);

	/* no opt_endofopt: the list ends with the block */
	struct bld g = {0};
	shb(&g, 0, 1);
	idb(&g, 101, NULL);
	at = block_start(&g, SK_PCAPNG_EPB);
	put32(&g, 0);
	put32(&g, 0);
	put32(&g, 0);
	put32(&g, 0);
	put32(&g, 0);
	put16(&g, SK_PCAPNG_OPT_COMMENT);
	put16(&g, 4);
	put_bytes(&g, "last", 4);
	block_end(&g, at);
	expect_walk(&g, "a0d0d0a\n1\n6 #0@0 last\n", 0);
}

/* A valid start, then one damaged block: the walk reports it there and stays stopped. */
static void damaged(struct bld *f)
{
	memset(f, 0, sizeof(*f));
	shb(f, 0, 1);
	idb(f, 101, NULL);
	const char *const c[] = {"ok", NULL};
	epb(f, 0, 24, c);
}

static const char *const before = "a0d0d0a\n1\n6 #0@0 ok\n";

static void test_damage(void **state)
{
	(void)state;
	struct bld f;

	/* cut in the middle of a block, and in the middle of a block header */
	damaged(&f);
	size_t at = f.n;
	epb(&f, 0, 24, NULL);
	f.n -= 8;
	expect_walk(&f, before, -EINVAL);
	f.n = at + 6;
	expect_walk(&f, before, -EINVAL);

	/* a length under 12, one not a multiple of 4, one over the limit, one past the end */
	const uint32_t bad_len[] = {8, 30, 0x7ffffff0, 4096};
	const int bad_err[] = {-EINVAL, -EINVAL, -E2BIG, -EINVAL};
	for (int i = 0; i < 4; i++) {
		damaged(&f);
		at = f.n;
		epb(&f, 0, 24, NULL);
		f.b[at + 4] = (uint8_t)bad_len[i];
		f.b[at + 5] = (uint8_t)(bad_len[i] >> 8);
		f.b[at + 6] = (uint8_t)(bad_len[i] >> 16);
		f.b[at + 7] = (uint8_t)(bad_len[i] >> 24);
		expect_walk(&f, before, bad_err[i]);
	}

	/* the trailing length differs from the leading one */
	damaged(&f);
	epb(&f, 0, 24, NULL);
	f.b[f.n - 4] ^= 4;
	expect_walk(&f, before, -EINVAL);

	/* a captured length that does not fit in the block */
	damaged(&f);
	at = f.n;
	epb(&f, 0, 24, NULL);
	f.b[at + 20] = 25;
	expect_walk(&f, before, -EINVAL);

	/* an option running past the block */
	damaged(&f);
	at = block_start(&f, SK_PCAPNG_EPB);
	for (int i = 0; i < 5; i++)
		put32(&f, 0);
	put16(&f, SK_PCAPNG_OPT_COMMENT);
	put16(&f, 9);
	put_bytes(&f, "12345678", 8);
	block_end(&f, at);
	expect_walk(&f, before, -EINVAL);

	/* an SPB or EPB in a section without interfaces */
	damaged(&f);
	shb(&f, 0, 1);
	spb(&f);
	expect_walk(&f, "a0d0d0a\n1\n6 #0@0 ok\na0d0d0a\n", -EINVAL);
	damaged(&f);
	shb(&f, 0, 1);
	epb(&f, 0, 24, NULL);
	expect_walk(&f, "a0d0d0a\n1\n6 #0@0 ok\na0d0d0a\n", -EINVAL);

	/* a section header of major version 2, or with a byte-order magic that is neither */
	damaged(&f);
	shb(&f, 0, 2);
	expect_walk(&f, before, -EINVAL);
	damaged(&f);
	at = f.n;
	shb(&f, 0, 1);
	f.b[at + 8] = 0x4e;
	expect_walk(&f, before, -EINVAL);

	/* a classic pcap file, and a pcapng block before any section header */
	struct bld g = {0};
	const uint8_t classic[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
				     0,    0,    0,    0,    0, 0, 4, 0, 101, 0, 0, 0};
	memcpy(g.b, classic, sizeof(classic));
	g.n = sizeof(classic);
	expect_walk(&g, "", -EINVAL);
	memset(&g, 0, sizeof(g));
	idb(&g, 101, NULL);
	expect_walk(&g, "", -EINVAL);

	/* nothing at all is an empty walk, not an error */
	memset(&g, 0, sizeof(g));
	expect_walk(&g, "", 0);
}

/* sk_pcapng_block_len alone: what a reader needs to know before reading a block. */
static void test_block_len(void **state)
{
	(void)state;
	struct sk_pcapng_walk w;
	sk_pcapng_walk_init(&w);
	struct bld f = {0};
	shb(&f, 1, 1);
	assert_int_equal(sk_pcapng_block_len(&w, f.b, f.n), 28);
	assert_int_equal(sk_pcapng_block_len(&w, f.b, 11), -EINVAL);
	/* before a section header, nothing else has a length */
	uint8_t idb_hdr[12] = {1, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(sk_pcapng_block_len(&w, idb_hdr, 12), -EINVAL);
	struct sk_pcapng_block b;
	assert_int_equal(sk_pcapng_parse(&w, f.b, f.n, &b), 0);
	assert_true(w.big_endian && w.in_section && b.big_endian);
	/* in a big-endian section, lengths are big-endian */
	assert_int_equal(sk_pcapng_block_len(&w, idb_hdr, 12), -E2BIG);
	uint8_t be_hdr[12] = {0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0, 0};
	assert_int_equal(sk_pcapng_block_len(&w, be_hdr, 12), 20);
	/* a length that disagrees with the bytes given */
	assert_int_equal(sk_pcapng_parse(&w, be_hdr, 12, &b), -EINVAL);
	assert_int_equal(w.err, -EINVAL);
	assert_int_equal(sk_pcapng_block_len(&w, be_hdr, 12), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_section),
		cmocka_unit_test(test_sections_spb_pb),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_comment_options),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_block_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
