/* Determinism: one seed and one sequence of calls give byte-identical captures, run after
 * run; another seed gives different ones. */
#include "linktest.h"

#include <stdio.h>
#include <unistd.h>

#include "link/pcapdev.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/synack-det-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return rmdir(dir);
}

enum { NFILES = 4 };
static const char *const names[NFILES] = {"wire", "delivered", "a", "b"};

static void path_of(char *buf, size_t cap, const char *tag, int i)
{
	snprintf(buf, cap, "%s/%s-%s.pcap", dir, tag, names[i]);
}

/* A sends data every 500 µs; B answers each segment it receives with an ACK, so what is on
 * the wire depends on what the impairments did. Captured four ways. */
static void run_scenario(uint64_t seed, const char *tag)
{
	char path[NFILES][160];
	for (int i = 0; i < NFILES; i++)
		path_of(path[i], sizeof(path[i]), tag, i);
	struct sk_simnet_params p = {.delay_us = 5000,
				     .jitter_us = 3000,
				     .rate_bps = 20000000,
				     .queue_limit = 20,
				     .loss = 0.05,
				     .duplicate = 0.05,
				     .reorder = 0.05,
				     .corrupt = 0.05,
				     .reorder_hold_us = 4000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(seed, &p, &a, &b);
	struct sk_simnet_rule drop_10th_data = {
		.l4 = SK_L4_TCP, .min_payload = 1, .first = 10, .last = 10};
	assert_true(sk_simnet_add_rule(net, &drop_10th_data) >= 0);
	struct sk_pcap_writer *ww = sk_pcap_writer_open(path[0], SK_LINK_RAW, NULL);
	struct sk_pcap_writer *wd = sk_pcap_writer_open(path[1], SK_LINK_RAW, NULL);
	assert_non_null(ww);
	assert_non_null(wd);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_WIRE, ww, 0);
	sk_simnet_set_capture(net, SK_SIMNET_CAP_DELIVERED, wd, 0);
	struct sk_dev *wa = sk_dev_pcap_wrap(a, path[2], 0, NULL);
	struct sk_dev *wb = sk_dev_pcap_wrap(b, path[3], 0, NULL);
	assert_non_null(wa);
	assert_non_null(wb);

	uint8_t f[1600];
	uint64_t now = 0, next_send = 0;
	uint32_t sent = 0;
	for (;;) {
		uint64_t t = sk_simnet_next_event(net);
		if (sent < 400 && next_send < t)
			t = next_send;
		if (t == SK_TIME_NEVER)
			break;
		now = t;
		int n;
		while ((n = sk_dev_recv(wb, f, sizeof(f), now)) > 0) {
			struct lt_seg ack = {.src = LT_B,
					     .dst = LT_A,
					     .sport = 80,
					     .dport = 40000,
					     .ack = sk_get32(f + 24),
					     .flags = SK_TCP_ACK};
			size_t len = lt_ip_tcp(f, sizeof(f), &ack);
			assert_int_equal(sk_dev_send(wb, f, len, now), 0);
		}
		while ((n = sk_dev_recv(wa, f, sizeof(f), now)) > 0)
			;
		if (sent < 400 && now == next_send) {
			struct lt_seg data = {.src = LT_A,
					      .dst = LT_B,
					      .sport = 40000,
					      .dport = 80,
					      .seq = sent * 1000,
					      .flags = SK_TCP_ACK | SK_TCP_PSH,
					      .payload = 100 + sent % 900,
					      .fill = (uint8_t)sent};
			size_t len = lt_ip_tcp(f, sizeof(f), &data);
			assert_int_equal(sk_dev_send(wa, f, len, now), 0);
			sent++;
			next_send += 500;
		}
	}
	sk_dev_close(wa);
	sk_dev_close(wb);
	sk_simnet_free(net);
	assert_int_equal(sk_pcap_writer_close(ww), 0);
	assert_int_equal(sk_pcap_writer_close(wd), 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	assert_true(n > 24);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int same_file(const char *p1, const char *p2)
{
	size_t n1, n2;
	uint8_t *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
	int same = n1 == n2 && memcmp(b1, b2, n1) == 0;
	free(b1);
	free(b2);
	return same;
}

static void test_same_seed_same_bytes(void **state)
{
	(void)state;
	run_scenario(2024, "one");
	run_scenario(2024, "two");
	run_scenario(2025, "other");
	char p1[160], p2[160], p3[160];
	for (int i = 0; i < NFILES; i++) {
		path_of(p1, sizeof(p1), "one", i);
		path_of(p2, sizeof(p2), "two", i);
		path_of(p3, sizeof(p3), "other", i);
		assert_true(same_file(p1, p2));
		/* Every view differs with the seed: even the wire, since B's answers depend on
		 * what reached it. */
		assert_false(same_file(p1, p3));
		unlink(p1);
		unlink(p2);
		unlink(p3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
