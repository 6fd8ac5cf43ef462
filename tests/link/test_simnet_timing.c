/* Simulated network timing: exact virtual arrival times for delay, serialization, FIFO queue
 * limits, jitter bounds, per-direction parameters and the virtual clock rules. */
#include "linktest.h"

#include <errno.h>

static uint8_t frame[1600];

static void send_sized(struct sk_dev *from, uint32_t src, uint32_t dst, size_t len, uint64_t now)
{
	lt_raw_sized(frame, len, src, dst, (uint8_t)len);
	assert_int_equal(sk_dev_send(from, frame, len, now), 0);
}

/* 1500 B is 12000 bits: 1 ms each at 12 Mbit/s, then 10 ms on the wire. */
static void test_delay_and_bandwidth(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 10000, .rate_bps = 12000000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	for (int i = 0; i < 3; i++)
		send_sized(a, LT_A, LT_B, 1500, 0);
	assert_true(sk_simnet_next_event(net) == 11000);
	assert_true(sk_dev_next_ready(b) == 11000);
	assert_true(sk_dev_next_ready(a) == SK_TIME_NEVER);
	assert_int_equal(sk_dev_recv(b, frame, sizeof(frame), 10999), 0);

	const uint64_t expect[3] = {11000, 12000, 13000};
	for (int i = 0; i < 3; i++) {
		assert_true(sk_simnet_next_event(net) == expect[i]);
		assert_int_equal(sk_dev_recv(b, frame, sizeof(frame), expect[i]), 1500);
		assert_int_equal(sk_dev_recv(b, frame, sizeof(frame), expect[i]), 0);
	}
	assert_true(sk_simnet_next_event(net) == SK_TIME_NEVER);
	assert_int_equal(sk_simnet_pending(net), 0);

	/* A frame sent after the FIFO has drained starts at once. */
	send_sized(a, LT_A, LT_B, 1500, 20000);
	assert_true(sk_simnet_next_event(net) == 31000);
	sk_simnet_free(net);
}

/* Serialization is kept in ns: 1000 B at 7 Mbit/s is 1142.857 µs, and seven of them end at
 * exactly 8000 µs instead of drifting by a microsecond per frame. */
static void test_serialization_does_not_drift(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.rate_bps = 7000000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	for (int i = 0; i < 7; i++)
		send_sized(a, LT_A, LT_B, 1000, 0);
	struct sk_dev *eps[] = {a, b};
	struct lt_log log;
	lt_log_init(&log, 16);
	lt_run(net, eps, 2, &log);
	assert_int_equal(log.n, 7);
	assert_true(log.a[0].at == 1143); /* rounded up: never early */
	assert_true(log.a[1].at == 2286);
	assert_true(log.a[6].at == 8000);
	lt_log_free(&log);
	sk_simnet_free(net);
}

/* The FIFO holds queue_limit frames, the one being serialized included; more are
 * tail-dropped and counted. */
static void test_queue_tail_drop(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 10000, .rate_bps = 12000000, .queue_limit = 2};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	for (int i = 0; i < 5; i++)
		send_sized(a, LT_A, LT_B, 1500, 0); /* 2 fit, 3 dropped */
	send_sized(a, LT_A, LT_B, 1500, 1000);	    /* the first left: room for one */
	send_sized(a, LT_A, LT_B, 1500, 1000);	    /* full again */
	struct sk_simnet_counters c;
	assert_int_equal(sk_simnet_path_counters(net, a, b, &c), 0);
	assert_true(c.sent == 7);
	assert_true(c.dropped[SK_SIMNET_DROP_QUEUE] == 4);

	struct sk_dev *eps[] = {a, b};
	struct lt_log log;
	lt_log_init(&log, 16);
	lt_run(net, eps, 2, &log);
	assert_int_equal(log.n, 3);
	assert_true(log.a[0].at == 11000 && log.a[1].at == 12000 && log.a[2].at == 13000);
	assert_int_equal(sk_simnet_path_counters(net, a, b, &c), 0);
	assert_true(c.delivered == 3 && c.bytes_delivered == 4500 && c.bytes_sent == 7 * 1500);
	/* The reverse direction has its own FIFO and saw nothing. */
	assert_int_equal(sk_simnet_path_counters(net, b, a, &c), 0);
	assert_true(c.sent == 0);
	lt_log_free(&log);
	sk_simnet_free(net);
}

/* The ideal link delivers at the time of sending, in order. */
static void test_ideal_link(void **state)
{
	(void)state;
	struct sk_simnet_params ideal = SK_SIMNET_IDEAL;
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &ideal, &a, &b);
	for (size_t i = 0; i < 5; i++)
		send_sized(b, LT_B, LT_A, 100 + i, 777);
	assert_true(sk_simnet_next_event(net) == 777);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(sk_dev_recv(a, frame, sizeof(frame), 777), (int)(100 + i));
	assert_int_equal(sk_dev_recv(a, frame, sizeof(frame), 777), 0);
	sk_simnet_free(net);
}

/* Jitter keeps each arrival within [delay, delay + jitter] and may reorder frames. */
static void test_jitter_bounds(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 10000, .jitter_us = 5000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(5, &p, &a, &b);
	enum { N = 2000 };
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .flags = SK_TCP_ACK};
	struct sk_dev *eps[] = {a, b};
	struct lt_log log;
	lt_log_init(&log, N);
	uint64_t now = 0;
	for (uint32_t i = 0; i < N; i++, now += 1000) {
		/* Drain what is due before sending at now, as a driver loop would. */
		while (sk_simnet_next_event(net) <= now)
			lt_poll(eps, 2, sk_simnet_next_event(net), &log);
		s.seq = i;
		size_t n = lt_ip_tcp(frame, sizeof(frame), &s);
		assert_int_equal(sk_dev_send(a, frame, n, now), 0);
	}
	lt_run(net, eps, 2, &log);
	assert_int_equal(log.n, N);
	uint64_t min_extra = UINT64_MAX, max_extra = 0;
	int inversions = 0;
	for (size_t i = 0; i < log.n; i++) {
		uint32_t seq = sk_get32(log.a[i].data + 24);
		uint64_t extra = log.a[i].at - (uint64_t)seq * 1000 - 10000;
		assert_true(log.a[i].at >= (uint64_t)seq * 1000 + 10000);
		assert_true(extra <= 5000);
		min_extra = extra < min_extra ? extra : min_extra;
		max_extra = extra > max_extra ? extra : max_extra;
		if (i && seq < sk_get32(log.a[i - 1].data + 24))
			inversions++;
	}
	assert_true(min_extra < 50 && max_extra > 4950); /* the whole range is used */
	assert_true(inversions > 100);
	lt_log_free(&log);
	sk_simnet_free(net);
}

/* A direction can have its own parameters; NULL returns it to the link's. */
static void test_per_direction_params(void **state)
{
	(void)state;
	struct sk_simnet_params link = {.delay_us = 10000};
	struct sk_simnet_params slow = {.delay_us = 50000};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &link, &a, &b);
	assert_int_equal(sk_simnet_set_path(net, b, a, &slow), 0);
	send_sized(a, LT_A, LT_B, 60, 0);
	send_sized(b, LT_B, LT_A, 60, 0);
	assert_true(sk_dev_next_ready(b) == 10000);
	assert_true(sk_dev_next_ready(a) == 50000);
	assert_int_equal(sk_simnet_set_path(net, b, a, NULL), 0);
	send_sized(b, LT_B, LT_A, 60, 1000);
	assert_true(sk_dev_next_ready(a) == 11000);
	/* The link's own parameters can change too; scheduled frames keep their times. */
	struct sk_simnet_params faster = {.delay_us = 1};
	assert_int_equal(sk_simnet_set_link(net, 0, &faster), 0);
	send_sized(a, LT_A, LT_B, 60, 2000);
	assert_true(sk_dev_next_ready(b) == 2001);
	/* Bad parameters and foreign devices are refused. */
	struct sk_simnet_params bad = {.loss = 1.5};
	assert_int_equal(sk_simnet_set_path(net, a, b, &bad), -EINVAL);
	assert_int_equal(sk_simnet_set_path(net, a, a, NULL), -EINVAL);
	assert_int_equal(sk_simnet_add_link(net, &bad), -EINVAL);
	struct sk_simnet_params huge_queue = {.queue_limit = SK_SIMNET_QUEUE_MAX + 1};
	assert_int_equal(sk_simnet_set_link(net, 0, &huge_queue), -EINVAL);
	struct sk_simnet_params tiny_mtu = {.mtu = 67};
	assert_int_equal(sk_simnet_add_link(net, &tiny_mtu), -EINVAL);
	sk_simnet_free(net);
}

/* Time never runs backwards: a late call acts at the latest time seen. */
static void test_clock_is_monotonic(void **state)
{
	(void)state;
	struct sk_dev *a, *b;
	struct sk_simnet_params p = {.delay_us = 100};
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	assert_true(sk_simnet_now(net) == 0);
	send_sized(a, LT_A, LT_B, 60, 1000);
	send_sized(a, LT_A, LT_B, 60, 500);
	assert_true(sk_simnet_now(net) == 1000);
	assert_int_equal(sk_dev_recv(b, frame, sizeof(frame), 1100), 60);
	assert_int_equal(sk_dev_recv(b, frame, sizeof(frame), 1100), 60);
	sk_simnet_free(net);
}

/* Sizes: frames above the MTU are refused; a receive buffer too small drops the frame. */
static void test_sizes_and_limits(void **state)
{
	(void)state;
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, NULL, &a, &b);
	assert_int_equal(a->mtu, 1500);
	lt_raw_sized(frame, 1500, LT_A, LT_B, 0);
	assert_int_equal(sk_dev_send(a, frame, 1501, 0), -EMSGSIZE);
	assert_int_equal(sk_dev_send(a, frame, 0, 0), -EINVAL);
	send_sized(a, LT_A, LT_B, 1500, 0);
	uint8_t small[100];
	assert_int_equal(sk_dev_recv(b, small, sizeof(small), 0), -EMSGSIZE);
	struct sk_simnet_counters c;
	sk_simnet_counters(net, &c);
	assert_true(c.dropped[SK_SIMNET_DROP_RXBUF] == 1 && c.delivered == 0);

	/* The receiver's pending limit bounds memory whatever the link does. */
	assert_int_equal(sk_simnet_set_rx_limit(net, 3), 0);
	for (int i = 0; i < 5; i++)
		send_sized(a, LT_A, LT_B, 100, 10);
	assert_int_equal(sk_simnet_pending(net), 3);
	sk_simnet_counters(net, &c);
	assert_true(c.dropped[SK_SIMNET_DROP_QUEUE] == 2);
	/* Freed with frames still in flight: LeakSanitizer checks nothing is left. */
	sk_simnet_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_and_bandwidth),
		cmocka_unit_test(test_serialization_does_not_drift),
		cmocka_unit_test(test_queue_tail_drop),
		cmocka_unit_test(test_ideal_link),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_per_direction_params),
		cmocka_unit_test(test_clock_is_monotonic),
		cmocka_unit_test(test_sizes_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
