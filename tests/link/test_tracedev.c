/* The tracing wrapper: prints what the printer prints for each frame sent and received, with
 * virtual-time UTC stamps, per-direction selection and labels, and stacks with pcap. */
#include "linktest.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "link/pcapdev.h"
#include "link/tracedev.h"
#include "trace/print.h"

struct mem {
	FILE *f;
	char *text;
	size_t size;
};

static void mem_open(struct mem *m)
{
	m->text = NULL;
	m->size = 0;
	m->f = open_memstream(&m->text, &m->size);
	assert_non_null(m->f);
}

static const char *mem_text(struct mem *m)
{
	fflush(m->f);
	return m->text ? m->text : "";
}

static void mem_close(struct mem *m)
{
	fclose(m->f);
	free(m->text);
}

/* What the printer itself gives for one frame at a virtual time: the oracle. */
static void expect_line(struct mem *m, const uint8_t *f, size_t n, uint64_t ts, unsigned flags)
{
	struct sk_pkt_meta meta = {.sec = (int64_t)(ts / 1000000),
				   .usec = (uint32_t)(ts % 1000000),
				   .caplen = (uint32_t)n,
				   .len = (uint32_t)n,
				   .linktype = SK_LINK_RAW};
	sk_print_packet(m->f, &meta, f, flags, SK_TS_UTC);
}

static void test_prints_sent_and_received(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 500000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	struct mem out, want;
	mem_open(&out);
	mem_open(&want);
	struct sk_dev *ta = sk_dev_trace_wrap(a, out.f, NULL, NULL);
	assert_non_null(ta);
	assert_string_equal(ta->name, "A");

	uint8_t f1[200], f2[200], buf[200];
	struct lt_seg s1 = {.src = LT_A,
			    .dst = LT_B,
			    .sport = 40000,
			    .dport = 6378,
			    .seq = 1000,
			    .flags = SK_TCP_SYN};
	struct lt_seg s2 = {.src = LT_B,
			    .dst = LT_A,
			    .sport = 6378,
			    .dport = 40000,
			    .seq = 5000,
			    .ack = 1001,
			    .flags = SK_TCP_SYN | SK_TCP_ACK};
	size_t n1 = lt_ip_tcp(f1, sizeof(f1), &s1);
	size_t n2 = lt_ip_tcp(f2, sizeof(f2), &s2);
	assert_int_equal(sk_dev_send(ta, f1, n1, 1500000), 0);
	assert_int_equal(sk_dev_recv(b, buf, sizeof(buf), 2000000), (int)n1);
	assert_int_equal(sk_dev_send(b, f2, n2, 2000000), 0);
	assert_true(sk_dev_next_ready(ta) == 2500000);
	assert_int_equal(sk_dev_recv(ta, buf, sizeof(buf), 2499999), 0);
	assert_int_equal(sk_dev_recv(ta, buf, sizeof(buf), 2500000), (int)n2);
	assert_int_equal(sk_dev_send(ta, f1, 5000, 2500000), -EMSGSIZE); /* refused: not printed */

	expect_line(&want, f1, n1, 1500000, 0);
	expect_line(&want, f2, n2, 2500000, 0);
	assert_string_equal(mem_text(&out), mem_text(&want));
	/* Virtual time prints from midnight UTC, and tcpdump's fields follow. */
	assert_true(strncmp(mem_text(&out),
			    "00:00:01.500000 IP 10.0.0.1.40000 > 10.0.0.2.6378: ", 51) == 0);
	assert_non_null(strstr(mem_text(&out), "\n00:00:02.500000 IP 10.0.0.2.6378 > "));

	sk_dev_close(ta); /* closes A, not the stream */
	assert_true(fputs("still open", out.f) >= 0);
	mem_close(&out);
	mem_close(&want);
	sk_simnet_free(net);
}

/* Direction selection, a time base, and labels on every line, hex lines included. */
static void test_dirs_labels_and_base(void **state)
{
	(void)state;
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, NULL, &a, &b);
	struct mem out;
	mem_open(&out);
	struct sk_trace_opts o = {.dirs = SK_TRACE_RX,
				  .print_flags = SK_PRINT_HEX,
				  .time_base_us = UINT64_C(3600000000),
				  .rx_label = "B<"};
	struct sk_dev *tb = sk_dev_trace_wrap(b, out.f, &o, NULL);
	assert_non_null(tb);
	uint8_t f[200], buf[200];
	size_t n = lt_raw_sized(f, 100, LT_A, LT_B, 'z');
	assert_int_equal(sk_dev_send(a, f, n, 7), 0);
	assert_int_equal(sk_dev_recv(tb, buf, sizeof(buf), 7), (int)n);
	assert_int_equal(sk_dev_send(tb, f, n, 8), 0); /* TX: not printed */

	const char *text = mem_text(&out);
	assert_true(strncmp(text, "B< 01:00:00.000007 IP 10.0.0.1.1000 > 10.0.0.2.2000: ", 52) ==
		    0);
	int lines = 0;
	for (const char *line = text; *line; lines++) {
		assert_true(strncmp(line, "B< ", 3) == 0);
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		line = nl + 1;
	}
	/* The header line and 100 bytes of hex at 16 a line. */
	assert_int_equal(lines, 1 + 7);
	sk_dev_close(tb);
	mem_close(&out);
	sk_simnet_free(net);
}

/* Wrappers stack: a tracer around a pcap writer around an endpoint; closing the outer one
 * closes them all (LeakSanitizer checks). */
static void test_wrappers_stack(void **state)
{
	(void)state;
	char path[] = "/tmp/synack-trace-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, NULL, &a, &b);
	struct mem out;
	mem_open(&out);
	struct sk_dev *pa = sk_dev_pcap_wrap(a, path, 0, NULL);
	assert_non_null(pa);
	struct sk_dev *ta = sk_dev_trace_wrap(pa, out.f, NULL, NULL);
	assert_non_null(ta);
	uint8_t f[100];
	size_t n = lt_raw_sized(f, 60, LT_A, LT_B, 0);
	assert_int_equal(sk_dev_send(ta, f, n, 0), 0);
	assert_int_equal(sk_dev_recv(b, f, sizeof(f), 0), (int)n);
	sk_dev_close(ta);
	assert_non_null(strstr(mem_text(&out), "IP 10.0.0.1.1000 > 10.0.0.2.2000"));
	mem_close(&out);
	sk_simnet_free(net);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prints_sent_and_received),
		cmocka_unit_test(test_dirs_labels_and_base),
		cmocka_unit_test(test_wrappers_stack),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
