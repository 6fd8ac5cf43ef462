/* The pcapng writer byte by byte (blocks, lengths, padding, options), read back by libpcap
 * and the walker, and the simulated network's wire capture marking what became of frames. */
#include "linktest.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <unistd.h>

#include "link/pcapdev.h"
#include "trace/pcapng.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/synack-pcapng-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

static void path_in_dir(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", dir, name);
}

/* The whole file; *len its size. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	uint8_t *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static struct sk_pcap_writer *open_ng(const char *path, int linktype)
{
	int err = 0;
	struct sk_pcap_writer *w = sk_pcap_writer_open_format(path, linktype, SK_PCAP_PCAPNG, &err);
	assert_non_null(w);
	assert_int_equal(err, 0);
	return w;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* What the walker finds in a file: per packet, its comments joined by "|". */
#define MAXPKT 32
struct seen {
	size_t npackets;
	char comments[MAXPKT][1024];
};

static void walk_file(const char *path, struct seen *s)
{
	size_t len;
	uint8_t *data = slurp(path, &len);
	struct sk_pcapng_walk w;
	sk_pcapng_walk_init(&w);
	struct sk_pcapng_block b;
	int r;
	memset(s, 0, sizeof(*s));
	while ((r = sk_pcapng_next(&w, data, len, &b)) == 1) {
		if (!b.is_packet)
			continue;
		assert_true(b.packet == s->npackets && s->npackets < MAXPKT);
		char *out = s->comments[s->npackets++];
		size_t pos = 0, n;
		const char *c;
		while (sk_pcapng_next_comment(&b, &pos, &c, &n)) {
			size_t used = strlen(out);
			assert_true(used + n + 2 < sizeof(s->comments[0]));
			if (used)
				out[used++] = '|';
			memcpy(out + used, c, n);
			out[used + n] = '\0';
		}
	}
	assert_int_equal(r, 0);
	free(data);
}

/* The file header: an SHB (v1.0, section length -1, no options) and an IDB (link type,
 * snaplen 262144, if_tsresol 6, opt_endofopt), little-endian, byte for byte. */
static void test_header_bytes(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "hdr.pcapng");
	struct sk_pcap_writer *w = open_ng(path, SK_LINK_RAW);
	assert_int_equal(sk_pcap_writer_format(w), SK_PCAP_PCAPNG);
	assert_int_equal(sk_pcap_writer_close(w), 0);
	uint8_t want[64];
	size_t nwant = sk_test_hex("0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000"
				   "01000000 20000000 6500 0000 00000400 0900 0100 06000000"
				   "00000000 20000000",
				   want, sizeof(want));
	assert_int_equal(nwant, 60);
	size_t len;
	uint8_t *got = slurp(path, &len);
	assert_int_equal(len, nwant);
	assert_memory_equal(got, want, nwant);
	free(got);

	/* Ethernet: link type 1 */
	w = open_ng(path, SK_LINK_ETHERNET);
	assert_int_equal(sk_pcap_writer_close(w), 0);
	got = slurp(path, &len);
	assert_int_equal(len, 60);
	assert_int_equal(got[36], 1);
	assert_int_equal(got[37], 0);
	free(got);
	unlink(path);
}

/* Enhanced Packet Blocks: the timestamp in two halves, data padded to 32 bits, each comment
 * an option padded to 32 bits, then opt_endofopt, the length before and after. */
static void test_record_bytes(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "rec.pcapng");
	struct sk_pcap_writer *w = open_ng(path, SK_LINK_RAW);
	const uint8_t five[5] = {0x45, 1, 2, 3, 4}, eight[8] = {0x45, 9, 9, 9, 9, 9, 9, 9};
	const uint64_t ts = UINT64_C(0x123456789a);
	assert_int_equal(sk_pcap_writer_write_comment(w, ts, five, 5, "lost: rule"), 0);
	assert_int_equal(sk_pcap_writer_write(w, 1, eight, 8), 0);
	const char *two[] = {"abcd", NULL, "", "xyz"};
	assert_int_equal(sk_pcap_writer_write_comments(w, 2, five, 5, two, 4), 0);
	assert_int_equal(sk_pcap_writer_write_comment(w, 3, eight, 8, NULL), 0);
	assert_int_equal(sk_pcap_writer_close(w), 0);

	uint8_t want[256];
	size_t nwant = sk_test_hex(
		/* 28 header + 5 data + 3 pad + (4 + 10 + 2) comment + 4 end + 4 = 60 */
		"06000000 3c000000 00000000 12000000 9a785634 05000000 05000000"
		"4501020304 000000"
		"0100 0a00 6c6f73743a2072756c65 0000"
		"00000000 3c000000"
		/* no comment: no option list at all, 28 + 8 + 4 = 40 */
		"06000000 28000000 00000000 00000000 01000000 08000000 08000000"
		"4509090909090909 28000000"
		/* "abcd" (no padding), NULL and "" skipped, "xyz" (1 byte of padding) */
		"06000000 3c000000 00000000 00000000 02000000 05000000 05000000"
		"4501020304 000000"
		"0100 0400 61626364 0100 0300 78797a00 00000000 3c000000"
		"06000000 28000000 00000000 00000000 03000000 08000000 08000000"
		"4509090909090909 28000000",
		want, sizeof(want));
	assert_int_equal(nwant, 60 + 40 + 60 + 40);
	size_t len;
	uint8_t *got = slurp(path, &len);
	assert_int_equal(len, 60 + nwant);
	assert_memory_equal(got + 60, want, nwant);
	free(got);
	unlink(path);
}

/* libpcap (as tcpdump uses it) reads the file: link type, times past 2^32 µs, lengths, a
 * frame over the snapshot length cut with its length kept; the walker finds the comments
 * on the right packets. */
static void test_libpcap_reads_it(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "read.pcapng");
	struct sk_pcap_writer *w = open_ng(path, SK_LINK_ETHERNET);
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_SYN};
	uint8_t f[200];
	size_t n = lt_eth_tcp(f, sizeof(f), sk_eth_broadcast, sk_eth_broadcast, &s);
	static uint8_t big[300000];
	memcpy(big, f, n);
	const uint64_t ts[3] = {UINT64_C(1700000000123456), 999999, UINT64_C(1)};
	assert_int_equal(sk_pcap_writer_write_comment(w, ts[0], f, n, "first"), 0);
	assert_int_equal(sk_pcap_writer_write(w, ts[1], f, n), 0);
	assert_int_equal(sk_pcap_writer_write_comment(w, ts[2], big, sizeof(big), "big"), 0);
	assert_int_equal(sk_pcap_writer_flush(w), 0);
	assert_int_equal(sk_pcap_writer_close(w), 0);

	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	assert_non_null(p);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(p), 262144);
	struct pcap_pkthdr *h;
	const u_char *data;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pcap_next_ex(p, &h, &data), 1);
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		assert_true(t == ts[i]);
		if (i < 2) {
			assert_int_equal(h->caplen, n);
			assert_int_equal(h->len, n);
		} else {
			assert_int_equal(h->caplen, 262144);
			assert_int_equal(h->len, sizeof(big));
		}
		assert_memory_equal(data, f, n);
	}
	assert_int_equal(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(p);

	struct seen seen;
	walk_file(path, &seen);
	assert_int_equal(seen.npackets, 3);
	assert_string_equal(seen.comments[0], "first");
	assert_string_equal(seen.comments[1], "");
	assert_string_equal(seen.comments[2], "big");
	unlink(path);
}

/* A comment longer than an option holds is cut at 65535 bytes, back to the start of a UTF-8
 * character; comments past 1 MiB in one record are left out. */
static void test_comment_limits(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "long.pcapng");
	struct sk_pcap_writer *w = open_ng(path, SK_LINK_RAW);
	static char longc[70000], utf[70000];
	memset(longc, 'a', sizeof(longc) - 1);
	/* "xy", then "é" (c3 a9) over and over: byte 65535 is the second half of one, so the
	 * cut goes back to 65534 */
	utf[0] = 'x';
	utf[1] = 'y';
	for (size_t i = 2; i + 2 < sizeof(utf); i += 2) {
		utf[i] = (char)0xc3;
		utf[i + 1] = (char)0xa9;
	}
	const uint8_t frame[4] = {0x45, 0, 0, 4};
	assert_int_equal(sk_pcap_writer_write_comment(w, 0, frame, 4, longc), 0);
	assert_int_equal(sk_pcap_writer_write_comment(w, 0, frame, 4, utf), 0);
	const char *many[20];
	for (int i = 0; i < 20; i++)
		many[i] = longc;
	assert_int_equal(sk_pcap_writer_write_comments(w, 0, frame, 4, many, 20), 0);
	assert_int_equal(sk_pcap_writer_close(w), 0);

	size_t len;
	uint8_t *data = slurp(path, &len);
	struct sk_pcapng_walk walk;
	sk_pcapng_walk_init(&walk);
	struct sk_pcapng_block b;
	size_t want_n[3] = {65535, 65534, 65535};
	int want_count[3] = {1, 1, 15}; /* 15 * 65540 fits in 1 MiB, 16 do not */
	for (int rec = 0; rec < 3;) {
		assert_int_equal(sk_pcapng_next(&walk, data, len, &b), 1);
		if (!b.is_packet)
			continue;
		size_t pos = 0, n;
		const char *c;
		int count = 0;
		while (sk_pcapng_next_comment(&b, &pos, &c, &n)) {
			assert_int_equal(n, want_n[rec]);
			assert_memory_equal(c, rec == 1 ? utf : longc, n);
			count++;
		}
		assert_int_equal(count, want_count[rec]);
		assert_true(b.len <= (1u << 20) + 28 + 4 + 4 + 4);
		rec++;
	}
	assert_int_equal(sk_pcapng_next(&walk, data, len, &b), 0);
	free(data);
	unlink(path);
}

/* Bad arguments, a missing directory, and a full disk seen at the latest when closing. */
static void test_errors(void **state)
{
	(void)state;
	char path[128];
	int err = 0;
	path_in_dir(path, sizeof(path), "no/such/dir.pcapng");
	assert_null(sk_pcap_writer_open_format(path, SK_LINK_RAW, SK_PCAP_PCAPNG, &err));
	assert_int_equal(err, -ENOENT);
	path_in_dir(path, sizeof(path), "x.pcapng");
	err = 0;
	assert_null(sk_pcap_writer_open_format(path, 999, SK_PCAP_PCAPNG, &err));
	assert_int_equal(err, -EINVAL);
	err = 0;
	assert_null(sk_pcap_writer_open_format(path, SK_LINK_RAW, (enum sk_pcap_format)7, &err));
	assert_int_equal(err, -EINVAL);
	assert_int_equal(access(path, F_OK), -1);

	if (access("/dev/full", W_OK) == 0) {
		struct sk_pcap_writer *w =
			sk_pcap_writer_open_format("/dev/full", SK_LINK_RAW, SK_PCAP_PCAPNG, &err);
		assert_non_null(w);
		static uint8_t frame[100000];
		frame[0] = 0x45;
		int r = 0;
		for (int i = 0; i < 4 && r == 0; i++)
			r = sk_pcap_writer_write_comment(w, 0, frame, sizeof(frame), "c");
		if (r == 0)
			r = sk_pcap_writer_flush(w);
		assert_int_equal(r, -ENOSPC);
		assert_int_equal(sk_pcap_writer_close(w), -ENOSPC);
	}
}

/* A classic pcap writer has nowhere to put comments: the file is what sk_pcap_writer_write
 * gives, byte for byte. */
static void test_classic_ignores_comments(void **state)
{
	(void)state;
	char a[128], b[128];
	path_in_dir(a, sizeof(a), "a.pcap");
	path_in_dir(b, sizeof(b), "b.pcap");
	struct sk_pcap_writer *wa = sk_pcap_writer_open(a, SK_LINK_RAW, NULL);
	struct sk_pcap_writer *wb =
		sk_pcap_writer_open_format(b, SK_LINK_RAW, SK_PCAP_CLASSIC, NULL);
	assert_non_null(wa);
	assert_non_null(wb);
	assert_int_equal(sk_pcap_writer_format(wa), SK_PCAP_CLASSIC);
	uint8_t f[100];
	size_t n = lt_raw_sized(f, 60, LT_A, LT_B, 7);
	assert_int_equal(sk_pcap_writer_write(wa, 5, f, n), 0);
	assert_int_equal(sk_pcap_writer_write_comment(wb, 5, f, n, "lost: rule"), 0);
	assert_int_equal(sk_pcap_writer_close(wa), 0);
	assert_int_equal(sk_pcap_writer_close(wb), 0);
	size_t la, lb;
	uint8_t *da = slurp(a, &la), *db = slurp(b, &lb);
	assert_int_equal(la, 24 + 16 + n);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	assert_int_equal(le32(da), 0xa1b2c3d4);
	free(da);
	free(db);
	unlink(a);
	unlink(b);
}

/* Counts the observer's DROPPED events. */
static void count_drops(void *arg, const struct sk_simnet_event *ev)
{
	if (ev->type == SK_SIMNET_EV_DROPPED)
		(*(int *)arg)++;
}

/* The wire capture of the simulated network: every frame once, at its send time, in send
 * order, with comments saying which were lost (and why), duplicated or corrupted; the bit
 * named is the one the receiver got flipped. */
static void test_simnet_wire_comments(void **state)
{
	(void)state;
	char wire[128], deliv[128];
	path_in_dir(wire, sizeof(wire), "wire.pcapng");
	path_in_dir(deliv, sizeof(deliv), "deliv.pcap");
	struct sk_pcap_writer *ww = open_ng(wire, SK_LINK_RAW);
	struct sk_pcap_writer *wd = sk_pcap_writer_open(deliv, SK_LINK_RAW, NULL);
	assert_non_null(wd);
	/* A -> B at 8 Mbit/s with a FIFO of one frame: a frame sent while another is being
	 * serialized is a queue drop. */
	struct sk_simnet_params p = {.delay_us = 1000, .rate_bps = 8000000, .queue_limit = 1};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_WIRE, ww, 100);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_DELIVERED, wd, 0);
	int drops = 0;
	sk_simnet_set_observer(net, count_drops, &drops);
	struct sk_simnet_rule r2 = {.first = 2, .last = 2};
	struct sk_simnet_rule r3 = {.first = 3, .last = 3, .action = SK_SIMNET_DUPLICATE};
	struct sk_simnet_rule r4 = {.first = 4, .last = 4, .action = SK_SIMNET_CORRUPT};
	struct sk_simnet_rule r5d = {.first = 5, .last = 5, .action = SK_SIMNET_DUPLICATE};
	struct sk_simnet_rule r5c = {.first = 5, .last = 5, .action = SK_SIMNET_CORRUPT};
	sk_simnet_add_rule(net, &r2);
	sk_simnet_add_rule(net, &r3);
	sk_simnet_add_rule(net, &r4);
	sk_simnet_add_rule(net, &r5d);
	sk_simnet_add_rule(net, &r5c);
	/* Frames 1-5 each 10 ms apart (100 bytes take 100 µs); frame 6 right behind 5, while 5
	 * is still being serialized: a queue drop; frame 7 goes through. */
	uint8_t f[8][100];
	const uint64_t at[7] = {0, 10000, 20000, 30000, 40000, 40001, 50000};
	for (int i = 0; i < 7; i++) {
		lt_raw_sized(f[i], 100, LT_A, LT_B, (uint8_t)i);
		assert_int_equal(sk_dev_send(a, f[i], 100, at[i]), 0);
	}
	struct sk_dev *eps[] = {a, b};
	struct lt_log log;
	lt_log_init(&log, 16);
	lt_run(net, eps, 2, &log);
	sk_simnet_free(net);
	assert_int_equal(sk_pcap_writer_close(ww), 0);
	assert_int_equal(sk_pcap_writer_close(wd), 0);
	assert_int_equal(drops, 2);

	struct seen seen;
	walk_file(wire, &seen);
	assert_int_equal(seen.npackets, 7);
	assert_string_equal(seen.comments[0], "");
	assert_string_equal(seen.comments[1], "lost: rule");
	assert_string_equal(seen.comments[2], "duplicate");
	assert_string_equal(seen.comments[5], "lost: queue");
	assert_string_equal(seen.comments[6], "");
	/* Frame 4 (index 3) arrives corrupted: the comment names the bit B got flipped. The
	 * arrivals: 0, 2, 2', 3*, 4*, 4', 6. */
	assert_int_equal(log.n, 7);
	const struct lt_arrival *c3 = &log.a[3], *c4 = &log.a[4];
	unsigned long long bit, byte;
	unsigned mask;
	assert_int_equal(sscanf(seen.comments[3], "corrupted: bit %llu flipped (byte %llu ^ 0x%x)",
				&bit, &byte, &mask), 3);
	assert_true(byte == bit / 8 && mask == 1u << (bit % 8) && byte < 100);
	uint8_t want[100];
	memcpy(want, f[3], 100);
	want[byte] ^= (uint8_t)mask;
	assert_int_equal(c3->len, 100);
	assert_memory_equal(c3->data, want, 100);
	/* Frame 5 (index 4): the original corrupted (the rule hits it), its duplicate intact:
	 * two comments in the order the copies were made. */
	char rest[64];
	assert_int_equal(sscanf(seen.comments[4],
				"corrupted: bit %llu flipped (byte %llu ^ 0x%x)|%63s", &bit, &byte,
				&mask, rest),
			 4);
	assert_string_equal(rest, "duplicate");
	memcpy(want, f[4], 100);
	want[byte] ^= (uint8_t)mask;
	assert_memory_equal(c4->data, want, 100);
	assert_memory_equal(log.a[5].data, f[4], 100);
	lt_log_free(&log);

	/* libpcap reads the records at their send times (plus the base), in send order. */
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(wire, errbuf);
	assert_non_null(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	for (int i = 0; i < 7; i++) {
		assert_int_equal(pcap_next_ex(pc, &h, &data), 1);
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		assert_true(t == 100 + at[i]);
		assert_memory_equal(data, f[i], 100);
	}
	pcap_close(pc);
	/* The delivered view is still classic pcap, the copies as they arrived. */
	size_t dl;
	uint8_t *dd = slurp(deliv, &dl);
	assert_int_equal(le32(dd), 0xa1b2c3d4);
	assert_int_equal(dl, 24 + 7 * (16 + 100));
	free(dd);
	unlink(wire);
	unlink(deliv);
}

/* Random loss, a destination nobody serves, and an Ethernet broadcast whose copies fare
 * differently: each receiver is named. */
static void test_simnet_wire_loss_and_broadcast(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "bcast.pcapng");
	struct sk_pcap_writer *w = open_ng(path, SK_LINK_ETHERNET);
	struct sk_simnet *net = sk_simnet_new(3, SK_LINK_ETHERNET, NULL);
	assert_non_null(net);
	struct sk_simnet_params lossy = {.loss = 1.0};
	int link = sk_simnet_add_link(net, NULL);
	assert_true(link >= 0);
	struct sk_dev *a = sk_simnet_add_endpoint(net, link, "A", NULL);
	struct sk_dev *b = sk_simnet_add_endpoint(net, link, "B", NULL);
	struct sk_dev *c = sk_simnet_add_endpoint(net, link, "C", NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(sk_simnet_set_path(net, a, c, &lossy), 0);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_WIRE, w, 0);
	struct sk_simnet_rule dup_b = {
		.to = b, .first = 2, .last = 2, .action = SK_SIMNET_DUPLICATE};
	sk_simnet_add_rule(net, &dup_b);

	uint8_t mac_b[6], mac_c[6], mac_a[6];
	const uint8_t nobody[6] = {0x02, 0, 0, 0, 0x7f, 0x7f};
	sk_simnet_get_mac(net, a, mac_a);
	sk_simnet_get_mac(net, b, mac_b);
	sk_simnet_get_mac(net, c, mac_c);
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_ACK};
	uint8_t f[200];
	size_t n = lt_eth_tcp(f, sizeof(f), mac_b, mac_a, &s);
	assert_int_equal(sk_dev_send(a, f, n, 0), 0); /* to B: fine */
	n = lt_eth_tcp(f, sizeof(f), sk_eth_broadcast, mac_a, &s);
	assert_int_equal(sk_dev_send(a, f, n, 1), 0); /* B: duplicated, C: lost */
	n = lt_eth_tcp(f, sizeof(f), mac_c, mac_a, &s);
	assert_int_equal(sk_dev_send(a, f, n, 2), 0); /* to C: lost, one receiver: no name */
	n = lt_eth_tcp(f, sizeof(f), nobody, mac_a, &s);
	assert_int_equal(sk_dev_send(a, f, n, 3), 0); /* no station: no route */
	sk_simnet_free(net);
	assert_int_equal(sk_pcap_writer_close(w), 0);

	struct seen seen;
	walk_file(path, &seen);
	assert_int_equal(seen.npackets, 4);
	assert_string_equal(seen.comments[0], "");
	assert_string_equal(seen.comments[1], "duplicate (to B)|lost: loss (to C)");
	assert_string_equal(seen.comments[2], "lost: loss");
	assert_string_equal(seen.comments[3], "lost: noroute");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_bytes),
		cmocka_unit_test(test_record_bytes),
		cmocka_unit_test(test_libpcap_reads_it),
		cmocka_unit_test(test_comment_limits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_classic_ignores_comments),
		cmocka_unit_test(test_simnet_wire_comments),
		cmocka_unit_test(test_simnet_wire_loss_and_broadcast),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
