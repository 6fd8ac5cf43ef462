/* pcap capture: the writer's files and the wrapper device's records, read back through
 * libpcap (pcap_open_offline) and compared frame by frame, timestamp by timestamp. */
#include "linktest.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <unistd.h>

#include "link/pcapdev.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/synack-pcap-XXXXXX");
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

struct rec {
	uint64_t ts;
	size_t len;
	uint8_t data[1600];
};

/* Reads every record of a file; returns the count and the DLT. */
static size_t read_pcap(const char *path, struct rec *recs, size_t cap, int *dlt)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	assert_non_null(p);
	*dlt = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t n = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		assert_true(n < cap);
		assert_true(h->caplen == h->len);
		recs[n].ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		recs[n].len = h->caplen;
		memcpy(recs[n].data, data, h->caplen);
		n++;
	}
	pcap_close(p);
	return n;
}

/* The link type number stored in the file header (offset 20, little- or big-endian as
 * the magic says; libpcap writes host order). */
static uint32_t file_linktype(const char *path)
{
	uint8_t h[24];
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	if (h[0] == 0xd4) /* little-endian magic a1b2c3d4 */
		return (uint32_t)h[20] | (uint32_t)h[21] << 8 | (uint32_t)h[22] << 16 |
		       (uint32_t)h[23] << 24;
	return sk_get32(h + 20);
}

static void test_writer_raw_and_ethernet(void **state)
{
	(void)state;
	char raw[128], eth[128];
	path_in_dir(raw, sizeof(raw), "raw.pcap");
	path_in_dir(eth, sizeof(eth), "eth.pcap");
	int err = 0;
	struct sk_pcap_writer *w = sk_pcap_writer_open(raw, SK_LINK_RAW, &err);
	assert_non_null(w);
	uint8_t f[3][1600];
	const size_t lens[3] = {40, 576, 1500};
	const uint64_t ts[3] = {0, 999999, UINT64_C(1700000000123456)};
	for (int i = 0; i < 3; i++) {
		lt_raw_sized(f[i], lens[i], LT_A, LT_B, (uint8_t)i);
		assert_int_equal(sk_pcap_writer_write(w, ts[i], f[i], lens[i]), 0);
	}
	assert_int_equal(sk_pcap_writer_flush(w), 0);
	assert_int_equal(sk_pcap_writer_close(w), 0);

	static struct rec recs[8];
	int dlt;
	assert_int_equal(read_pcap(raw, recs, 8, &dlt), 3);
	/* tcpdump and tshark know 101 as raw IP; libpcap hands it back as DLT_RAW. */
	assert_int_equal(file_linktype(raw), 101);
	assert_int_equal(dlt, DLT_RAW);
	for (int i = 0; i < 3; i++) {
		assert_true(recs[i].ts == ts[i]);
		assert_int_equal(recs[i].len, lens[i]);
		assert_memory_equal(recs[i].data, f[i], lens[i]);
	}

	w = sk_pcap_writer_open(eth, SK_LINK_ETHERNET, &err);
	assert_non_null(w);
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_SYN};
	uint8_t ef[200];
	size_t n = lt_eth_tcp(ef, sizeof(ef), sk_eth_broadcast, sk_eth_broadcast, &s);
	assert_int_equal(sk_pcap_writer_write(w, 5, ef, n), 0);
	assert_int_equal(sk_pcap_writer_close(w), 0);
	assert_int_equal(read_pcap(eth, recs, 8, &dlt), 1);
	assert_int_equal(file_linktype(eth), 1);
	assert_int_equal(dlt, DLT_EN10MB);
	assert_memory_equal(recs[0].data, ef, n);
	unlink(raw);
	unlink(eth);
}

static void test_writer_errors(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "no/such/dir.pcap");
	int err = 0;
	assert_null(sk_pcap_writer_open(path, SK_LINK_RAW, &err));
	assert_int_equal(err, -ENOENT);
	path_in_dir(path, sizeof(path), "x.pcap");
	assert_null(sk_pcap_writer_open(path, 999, &err));
	assert_int_equal(err, -EINVAL);
	assert_int_equal(sk_pcap_writer_close(NULL), 0);
}

/* The wrapper passes everything through and records sends and receives in call order at
 * time_base + now; closing it flushes the file and closes the wrapped endpoint. */
static void test_wrapper_records_both_directions(void **state)
{
	(void)state;
	char path[128];
	path_in_dir(path, sizeof(path), "wrap.pcap");
	struct sk_simnet_params p = {.delay_us = 2500};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	const uint64_t base = UINT64_C(1600000000000000);
	int err = 0;
	struct sk_dev *wa = sk_dev_pcap_wrap(a, path, base, &err);
	assert_non_null(wa);
	assert_string_equal(wa->name, "A");
	assert_int_equal(wa->linktype, SK_LINK_RAW);
	assert_int_equal(wa->mtu, a->mtu);

	uint8_t f1[1600], f2[1600], f3[1600], buf[1600];
	size_t n1 = lt_raw_sized(f1, 100, LT_A, LT_B, 1);
	size_t n2 = lt_raw_sized(f2, 200, LT_B, LT_A, 2);
	size_t n3 = lt_raw_sized(f3, 300, LT_A, LT_B, 3);
	assert_int_equal(sk_dev_send(wa, f1, n1, 1000), 0);
	assert_int_equal(sk_dev_send(b, f2, n2, 2000), 0);
	assert_true(sk_dev_next_ready(wa) == 4500);
	assert_int_equal(sk_dev_recv(wa, buf, sizeof(buf), 4499), 0);
	assert_int_equal(sk_dev_recv(wa, buf, sizeof(buf), 4500), (int)n2);
	assert_memory_equal(buf, f2, n2);
	assert_int_equal(sk_dev_send(wa, f3, n3, 7000), 0);
	assert_int_equal(sk_dev_send(wa, f3, 1501, 7000), -EMSGSIZE); /* refused: not recorded */
	assert_int_equal(sk_dev_fd(wa), -1);
	/* A frame still on its way to A when the wrapper closes goes with the endpoint. */
	assert_int_equal(sk_dev_send(b, f2, n2, 8000), 0);
	sk_dev_close(wa);
	assert_int_equal(sk_simnet_pending(net), 2); /* the two frames to B */

	static struct rec recs[8];
	int dlt;
	assert_int_equal(read_pcap(path, recs, 8, &dlt), 3);
	assert_int_equal(dlt, DLT_RAW);
	assert_true(recs[0].ts == base + 1000 && recs[0].len == n1);
	assert_memory_equal(recs[0].data, f1, n1);
	assert_true(recs[1].ts == base + 4500 && recs[1].len == n2);
	assert_memory_equal(recs[1].data, f2, n2);
	assert_true(recs[2].ts == base + 7000 && recs[2].len == n3);
	assert_memory_equal(recs[2].data, f3, n3);
	sk_simnet_free(net);
	unlink(path);
}

static void test_wrapper_open_failure(void **state)
{
	(void)state;
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, NULL, &a, &b);
	int err = 0;
	assert_null(sk_dev_pcap_wrap(a, "/nonexistent/dir/x.pcap", 0, &err));
	assert_int_equal(err, -ENOENT);
	/* The endpoint is still the caller's and still works. */
	uint8_t f[100];
	assert_int_equal(sk_dev_send(a, f, lt_raw_sized(f, 60, LT_A, LT_B, 0), 0), 0);
	assert_int_equal(sk_dev_recv(b, f, sizeof(f), 0), 60);
	sk_simnet_free(net);
}

/* The network's own captures: the wire view (every frame as sent, before impairments) and
 * the delivered view (what receivers took, when). */
static void test_simnet_capture_points(void **state)
{
	(void)state;
	char wire[128], deliv[128];
	path_in_dir(wire, sizeof(wire), "wire.pcap");
	path_in_dir(deliv, sizeof(deliv), "deliv.pcap");
	struct sk_pcap_writer *ww = sk_pcap_writer_open(wire, SK_LINK_RAW, NULL);
	struct sk_pcap_writer *wd = sk_pcap_writer_open(deliv, SK_LINK_RAW, NULL);
	assert_non_null(ww);
	assert_non_null(wd);
	struct sk_simnet_params p = {.delay_us = 1000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_WIRE, ww, 0);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_DELIVERED, wd, 10);
	struct sk_simnet_rule drop2 = {.first = 2, .last = 2};
	struct sk_simnet_rule dup3 = {.first = 3, .last = 3, .action = SK_SIMNET_DUPLICATE};
	sk_simnet_add_rule(net, &drop2);
	sk_simnet_add_rule(net, &dup3);
	uint8_t f[3][100];
	for (int i = 0; i < 3; i++) {
		size_t n = lt_raw_sized(f[i], 60, LT_A, LT_B, (uint8_t)i);
		assert_int_equal(sk_dev_send(a, f[i], n, (uint64_t)i * 100), 0);
	}
	struct sk_dev *eps[] = {a, b};
	struct lt_log log;
	lt_log_init(&log, 8);
	lt_run(net, eps, 2, &log);
	lt_log_free(&log);
	sk_simnet_free(net);
	assert_int_equal(sk_pcap_writer_close(ww), 0);
	assert_int_equal(sk_pcap_writer_close(wd), 0);

	static struct rec recs[8];
	int dlt;
	assert_int_equal(read_pcap(wire, recs, 8, &dlt), 3);
	for (int i = 0; i < 3; i++) {
		assert_true(recs[i].ts == (uint64_t)i * 100);
		assert_memory_equal(recs[i].data, f[i], 60);
	}
	assert_int_equal(read_pcap(deliv, recs, 8, &dlt), 3);
	assert_true(recs[0].ts == 10 + 1000);
	assert_memory_equal(recs[0].data, f[0], 60);
	assert_true(recs[1].ts == 10 + 1200 && recs[2].ts == 10 + 1200);
	assert_memory_equal(recs[1].data, f[2], 60);
	assert_memory_equal(recs[2].data, f[2], 60);
	unlink(wire);
	unlink(deliv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_raw_and_ethernet),
		cmocka_unit_test(test_writer_errors),
		cmocka_unit_test(test_wrapper_records_both_directions),
		cmocka_unit_test(test_wrapper_open_failure),
		cmocka_unit_test(test_simnet_capture_points),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
