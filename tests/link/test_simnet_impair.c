/* Random impairments: loss, duplication, reordering and corruption rates within statistical
 * bounds for a fixed seed, their exact effects on each frame, and the counters' balance. */
#include "linktest.h"

enum { N = 20000 };

/* 5 standard deviations of a binomial count: a fixed seed gives one fixed count, and any
 * correct generator lands well inside this. */
static void assert_rate(uint64_t count, double p)
{
	double mean = N * p, sigma = 0;
	double var = N * p * (1 - p);
	/* sqrt by Newton: keeps the tests free of libm. */
	sigma = var > 1 ? var / 2 : 1;
	for (int i = 0; i < 50; i++)
		sigma = (sigma + var / sigma) / 2;
	assert_true((double)count > mean - 5 * sigma && (double)count < mean + 5 * sigma);
}

struct obs {
	uint64_t sent, scheduled, dropped, delivered, dup, corrupt, reorder;
};

static void observe(void *arg, const struct sk_simnet_event *ev)
{
	struct obs *o = arg;
	switch (ev->type) {
	case SK_SIMNET_EV_SENT:
		o->sent++;
		break;
	case SK_SIMNET_EV_SCHEDULED:
		o->scheduled++;
		o->dup += !!(ev->flags & SK_SIMNET_F_DUPLICATE);
		o->corrupt += !!(ev->flags & SK_SIMNET_F_CORRUPTED);
		o->reorder += !!(ev->flags & SK_SIMNET_F_REORDERED);
		break;
	case SK_SIMNET_EV_DROPPED:
		o->dropped++;
		break;
	case SK_SIMNET_EV_DELIVERED:
		o->delivered++;
		break;
	}
}

/* Sends N frames from A to B, 1 ms apart, draining B as a driver loop would; the frame's
 * TCP sequence number is its index. */
static void run_stream(struct sk_simnet *net, struct sk_dev *a, struct sk_dev *b,
		       struct lt_log *log)
{
	struct sk_dev *eps[] = {a, b};
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_ACK, .payload = 20};
	uint8_t f[200];
	for (uint32_t i = 0; i < N; i++) {
		uint64_t now = (uint64_t)i * 1000;
		while (sk_simnet_next_event(net) <= now)
			lt_poll(eps, 2, sk_simnet_next_event(net), log);
		s.seq = i;
		size_t n = lt_ip_tcp(f, sizeof(f), &s);
		assert_int_equal(sk_dev_send(a, f, n, now), 0);
	}
	lt_run(net, eps, 2, log);
}

static void assert_balanced(const struct sk_simnet_counters *c)
{
	uint64_t drops = 0;
	for (int i = 0; i < SK_SIMNET_DROP_COUNT; i++)
		drops += c->dropped[i];
	assert_true(c->sent + c->duplicated == c->delivered + drops);
}

static uint32_t seq_of(const struct lt_arrival *a)
{
	return sk_get32(a->data + SK_IPV4_MIN_HLEN + 4);
}

static void test_loss_rate(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 10000, .loss = 0.1};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(11, &p, &a, &b);
	struct obs o = {0};
	sk_simnet_set_observer(net, observe, &o);
	struct lt_log log;
	lt_log_init(&log, N);
	run_stream(net, a, b, &log);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(net, a, b, &c);
	assert_rate(c.dropped[SK_SIMNET_DROP_LOSS], 0.1);
	assert_true(c.delivered == log.n && c.sent == N);
	assert_true(c.dropped[SK_SIMNET_DROP_LOSS] == N - log.n);
	assert_balanced(&c);
	/* Survivors arrive untouched, on time and in order. */
	for (size_t i = 0; i < log.n; i++) {
		assert_true(log.a[i].at == (uint64_t)seq_of(&log.a[i]) * 1000 + 10000);
		if (i)
			assert_true(seq_of(&log.a[i]) > seq_of(&log.a[i - 1]));
	}
	assert_true(o.sent == N && o.delivered == log.n && o.dropped == N - log.n);
	lt_log_free(&log);
	sk_simnet_free(net);
}

static void test_duplicate_rate(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 2000, .duplicate = 0.1};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(12, &p, &a, &b);
	struct obs o = {0};
	sk_simnet_set_observer(net, observe, &o);
	struct lt_log log;
	lt_log_init(&log, 2 * N);
	run_stream(net, a, b, &log);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(net, a, b, &c);
	assert_rate(c.duplicated, 0.1);
	assert_true(log.n == N + c.duplicated && c.delivered == log.n);
	assert_true(o.dup == c.duplicated);
	/* Every frame arrives, a duplicate right behind its original, byte for byte. */
	uint32_t expect = 0;
	for (size_t i = 0; i < log.n; i++) {
		uint32_t seq = seq_of(&log.a[i]);
		if (i && seq == seq_of(&log.a[i - 1])) {
			assert_memory_equal(log.a[i].data, log.a[i - 1].data, log.a[i].len);
			assert_true(log.a[i].at == log.a[i - 1].at);
			continue;
		}
		assert_true(seq == expect++);
	}
	assert_true(expect == N);
	assert_balanced(&c);
	lt_log_free(&log);
	sk_simnet_free(net);
}

/* A reordered frame arrives exactly reorder_hold_us late, behind frames sent after it. */
static void test_reorder_rate(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 10000, .reorder = 0.1, .reorder_hold_us = 2500};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(13, &p, &a, &b);
	struct lt_log log;
	lt_log_init(&log, N);
	run_stream(net, a, b, &log);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(net, a, b, &c);
	assert_rate(c.reordered, 0.1);
	assert_true(log.n == N);
	uint64_t late = 0, inversions = 0;
	for (size_t i = 0; i < log.n; i++) {
		uint64_t sent = (uint64_t)seq_of(&log.a[i]) * 1000;
		uint64_t lag = log.a[i].at - sent;
		assert_true(lag == 10000 || lag == 12500);
		late += lag == 12500;
		inversions += i && seq_of(&log.a[i]) < seq_of(&log.a[i - 1]);
	}
	assert_true(late == c.reordered);
	assert_true(inversions > 0 && inversions <= late);
	assert_balanced(&c);
	lt_log_free(&log);
	sk_simnet_free(net);
}

static int bits_differing(const uint8_t *x, const uint8_t *y, size_t n)
{
	int bits = 0;
	for (size_t i = 0; i < n; i++)
		bits += __builtin_popcount((unsigned)(x[i] ^ y[i]));
	return bits;
}

/* A corrupted frame differs from the original in exactly one bit. All frames are the same
 * bytes here, so each arrival is compared with that one original. */
static void test_corrupt_rate_one_bit(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.corrupt = 0.1};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(14, &p, &a, &b);
	struct sk_dev *eps[] = {a, b};
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_ACK, .payload = 100};
	uint8_t orig[200];
	size_t n = lt_ip_tcp(orig, sizeof(orig), &s);
	uint64_t one_bit = 0;
	unsigned hit_bytes[200] = {0};
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(sk_dev_send(a, orig, n, i), 0);
		struct lt_log log;
		lt_log_init(&log, 1);
		lt_poll(eps, 2, i, &log);
		assert_int_equal(log.n, 1);
		assert_int_equal(log.a[0].len, n);
		int d = bits_differing(orig, log.a[0].data, n);
		assert_true(d == 0 || d == 1);
		if (d) {
			one_bit++;
			for (size_t k = 0; k < n; k++)
				hit_bytes[k] += orig[k] != log.a[0].data[k];
		}
		lt_log_free(&log);
	}
	struct sk_simnet_counters c;
	sk_simnet_path_counters(net, a, b, &c);
	assert_true(one_bit == c.corrupted);
	assert_rate(c.corrupted, 0.1);
	/* Any bit of the IP packet may be hit: first and last bytes included over 2000. */
	unsigned bytes_hit = 0;
	for (size_t k = 0; k < n; k++)
		bytes_hit += hit_bytes[k] != 0;
	assert_true(bytes_hit > n * 9 / 10);
	sk_simnet_free(net);
}

/* On Ethernet the flipped bit is never in the 14-byte header, so the frame still reaches
 * its station. */
static void test_corrupt_spares_ethernet_header(void **state)
{
	(void)state;
	struct sk_simnet *net = sk_simnet_new(15, SK_LINK_ETHERNET, NULL);
	struct sk_simnet_params p = {.corrupt = 1};
	int link = sk_simnet_add_link(net, &p);
	struct sk_dev *a = sk_simnet_add_endpoint(net, link, "A", NULL);
	struct sk_dev *b = sk_simnet_add_endpoint(net, link, "B", NULL);
	uint8_t ma[6], mb[6], f[200], g[200];
	sk_simnet_get_mac(net, a, ma);
	sk_simnet_get_mac(net, b, mb);
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_ACK, .payload = 10};
	size_t n = lt_eth_tcp(f, sizeof(f), mb, ma, &s);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(sk_dev_send(a, f, n, 0), 0);
		assert_int_equal(sk_dev_recv(b, g, sizeof(g), 0), (int)n);
		assert_memory_equal(f, g, SK_ETH_HLEN);
		assert_int_equal(bits_differing(f, g, n), 1);
	}
	sk_simnet_free(net);
}

/* Everything at once, both directions: the counters balance, the observer agrees with
 * them, and the network totals are the sum of the directions. */
static void test_combined_balance(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 3000,
				     .jitter_us = 2000,
				     .rate_bps = 10000000,
				     .queue_limit = 8,
				     .loss = 0.05,
				     .duplicate = 0.05,
				     .reorder = 0.05,
				     .corrupt = 0.05};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(16, &p, &a, &b);
	struct obs o = {0};
	sk_simnet_set_observer(net, observe, &o);
	struct sk_dev *eps[] = {a, b};
	struct lt_log log;
	lt_log_init(&log, 4 * N);
	uint8_t f[1600];
	for (uint32_t i = 0; i < N; i++) {
		uint64_t now = (uint64_t)i * 300; /* faster than the link: the queue fills */
		while (sk_simnet_next_event(net) <= now)
			lt_poll(eps, 2, sk_simnet_next_event(net), &log);
		int ab = i % 3 != 0;
		size_t n =
			lt_raw_sized(f, 40 + (i * 7) % 1400, ab ? LT_A : LT_B, ab ? LT_B : LT_A, 1);
		assert_int_equal(sk_dev_send(ab ? a : b, f, n, now), 0);
	}
	lt_run(net, eps, 2, &log);
	struct sk_simnet_counters ab, ba, all;
	sk_simnet_path_counters(net, a, b, &ab);
	sk_simnet_path_counters(net, b, a, &ba);
	sk_simnet_counters(net, &all);
	assert_balanced(&ab);
	assert_balanced(&ba);
	assert_balanced(&all);
	assert_true(all.sent == N && ab.sent + ba.sent == N);
	assert_true(ab.dropped[SK_SIMNET_DROP_QUEUE] > 0);
	assert_true(all.delivered == log.n && o.delivered == log.n);
	assert_true(o.dup == all.duplicated && o.corrupt == all.corrupted &&
		    o.reorder == all.reordered);
	assert_true(o.scheduled == all.delivered && o.sent == N);
	assert_true(all.bytes_delivered == ab.bytes_delivered + ba.bytes_delivered);
	lt_log_free(&log);
	sk_simnet_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss_rate),
		cmocka_unit_test(test_duplicate_rate),
		cmocka_unit_test(test_reorder_rate),
		cmocka_unit_test(test_corrupt_rate_one_bit),
		cmocka_unit_test(test_corrupt_spares_ethernet_header),
		cmocka_unit_test(test_combined_balance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
