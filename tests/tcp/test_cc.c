/* Congestion-control modules (CC-1..CC-4) against the formulas of RFC 5681, 3465 and 9438. */
#include "testutil.h"

#include <math.h>

#include "tcp/cc.h"

#define MSS 1000u

static struct sk_cc_ack ack(uint64_t now, uint32_t acked)
{
	return (struct sk_cc_ack){.now = now, .acked = acked, .srtt = 100000, .cwnd_limited = 1};
}

/* CC-4: both algorithms are found by name; reno is NewReno's alias; unknown is refused. */
static void test_cc_4_registry(void **state)
{
	(void)state;
	assert_int_equal(sk_cc_find("newreno"), 0);
	assert_int_equal(sk_cc_find("reno"), 0);
	assert_int_equal(sk_cc_find("cubic"), 1);
	assert_int_equal(sk_cc_find("bbr"), -1);
	assert_string_equal(sk_cc_name(1), "cubic");
}

/* CC-1: IW 10 (RFC 6928); slow start doubles per RTT even with an ACK every 2 segments. */
static void test_cc_1_slow_start(void **state)
{
	(void)state;
	for (int algo = 0; algo < 2; algo++) {
		struct sk_cc c;
		sk_cc_select(&c, algo, MSS, 10);
		assert_int_equal(c.cwnd, 10 * MSS);
		for (int rtt = 0; rtt < 3; rtt++) {
			uint32_t w = c.cwnd;
			for (uint32_t i = 0; i < w / (2 * MSS); i++) {
				struct sk_cc_ack a = ack(1000, 2 * MSS);
				sk_cc_get(algo)->ack_received(&c, &a);
			}
			assert_int_equal(c.cwnd, 2 * w);
		}
		/* An application-limited sender does not grow its window (RFC 7661). */
		struct sk_cc_ack a = ack(1000, 2 * MSS);
		a.cwnd_limited = 0;
		uint32_t w = c.cwnd;
		sk_cc_get(algo)->ack_received(&c, &a);
		assert_int_equal(c.cwnd, w);
	}
}

/* CC-1: NewReno congestion avoidance adds one MSS per window of acknowledged bytes. */
static void test_cc_1_reno_avoidance(void **state)
{
	(void)state;
	struct sk_cc c;
	sk_cc_select(&c, 0, MSS, 10);
	c.cwnd = 100 * MSS;
	c.ssthresh = 50 * MSS;
	for (int rtt = 0; rtt < 5; rtt++) {
		uint32_t w = c.cwnd;
		for (uint32_t i = 0; i < w / MSS; i++) {
			struct sk_cc_ack a = ack(1000, MSS);
			sk_cc_newreno.ack_received(&c, &a);
		}
		assert_int_equal(c.cwnd, w + MSS);
	}
}

/* CC-2 and CC-3 for NewReno: ssthresh = max(flight/2, 2 MSS); a timeout restarts from one
 * segment, a fast retransmit continues from ssthresh. */
static void test_cc_2_3_reno_signals(void **state)
{
	(void)state;
	struct sk_cc c;
	sk_cc_select(&c, 0, MSS, 10);
	c.cwnd = 80 * MSS;
	sk_cc_newreno.cong_signal(&c, SK_CC_LOSS, 60 * MSS, 0);
	assert_int_equal(c.ssthresh, 30 * MSS);
	assert_int_equal(c.cwnd, 30 * MSS);
	sk_cc_newreno.cong_signal(&c, SK_CC_RTO, 3 * MSS, 0);
	assert_int_equal(c.ssthresh, 2 * MSS);
	assert_int_equal(c.cwnd, MSS);
	/* After recovery: ssthresh (RFC 6582 3.2 step 3's second choice, RFC 6937, Linux),
	 * even when little is in flight. */
	c.ssthresh = 30 * MSS;
	sk_cc_newreno.post_recovery(&c, 5 * MSS, 0);
	assert_int_equal(c.cwnd, 30 * MSS);
}

/* A stretch ACK in slow start counts every byte it covers (Linux's tcp_slow_start), up to
 * ssthresh. */
static void test_cc_1_stretch_ack(void **state)
{
	(void)state;
	for (int algo = 0; algo < 2; algo++) {
		struct sk_cc c;
		sk_cc_select(&c, algo, MSS, 10);
		struct sk_cc_ack a = ack(1000, 10 * MSS);
		sk_cc_get(algo)->ack_received(&c, &a);
		assert_int_equal(c.cwnd, 20 * MSS);
		c.ssthresh = 25 * MSS;
		a = ack(1000, 10 * MSS);
		sk_cc_get(algo)->ack_received(&c, &a);
		assert_int_equal(c.cwnd, 25 * MSS);
	}
}

/* Restart after idle (RFC 5681 4.1 as Linux's tcp_cwnd_restart): cwnd halves per RTO of
 * idle time beyond the first, not below the initial window; ssthresh keeps 3/4 of cwnd. */
static void test_cc_restart_after_idle(void **state)
{
	(void)state;
	for (int algo = 0; algo < 2; algo++) {
		struct sk_cc c;
		sk_cc_select(&c, algo, MSS, 10);
		c.cwnd = 40 * MSS;
		c.ssthresh = 20 * MSS;
		sk_cc_get(algo)->after_idle(&c, 10, 300000, 210000, 0); /* 1 to 2 RTOs */
		assert_int_equal(c.cwnd, 20 * MSS);
		assert_int_equal(c.ssthresh, 30 * MSS);
		c.cwnd = 40 * MSS;
		sk_cc_get(algo)->after_idle(&c, 10, 5000000, 210000, 0); /* many RTOs */
		assert_int_equal(c.cwnd, 10 * MSS);
		c.cwnd = 8 * MSS; /* below the initial window: kept */
		sk_cc_get(algo)->after_idle(&c, 10, 5000000, 210000, 0);
		assert_int_equal(c.cwnd, 8 * MSS);
	}
}

/* RFC 9438: beta 0.7, K = cbrt(W_max (1 - beta) / C), the window is back at W_max after K
 * seconds, grows concave before and convex after; fast convergence lowers W_max. */
static void test_cc_4_cubic_curve(void **state)
{
	(void)state;
	struct sk_cc c;
	sk_cc_select(&c, 1, MSS, 10);
	c.cwnd = 100 * MSS;
	c.ssthresh = 50 * MSS; /* in congestion avoidance */
	sk_cc_cubic.cong_signal(&c, SK_CC_LOSS, 100 * MSS, 0);
	assert_int_equal(c.ssthresh, 70 * MSS);
	assert_int_equal(c.cwnd, 70 * MSS);
	sk_cc_cubic.post_recovery(&c, 70 * MSS, 0);
	double k = cbrt(100 * (1 - 0.7) / 0.4); /* 4.217 s */
	/* Feed one ACK per segment, cwnd segments per 100 ms RTT, for 2K seconds. */
	uint64_t now = 1000000;
	uint32_t at_half_k = 0, at_k = 0, at_2k = 0;
	while (now < 1000000 + (uint64_t)(2 * k * 1e6)) {
		uint32_t segs = c.cwnd / MSS;
		for (uint32_t i = 0; i < segs; i++) {
			struct sk_cc_ack a = ack(now, MSS);
			sk_cc_cubic.ack_received(&c, &a);
		}
		now += 100000;
		double t = (double)(now - 1000000) / 1e6;
		if (!at_half_k && t >= k / 2)
			at_half_k = c.cwnd / MSS;
		if (!at_k && t >= k)
			at_k = c.cwnd / MSS;
	}
	at_2k = c.cwnd / MSS;
	/* W_cubic(K/2) = 0.4 (-K/2)^3 + 100 = 96.25: concave, most of the way back already. */
	assert_true(at_half_k >= 90 && at_half_k <= 100);
	/* At K the window is at W_max (the target looks one RTT ahead). */
	assert_true(at_k >= 99 && at_k <= 103);
	/* W_cubic(2K) = 0.4 K^3 + 100 = 130: convex growth past W_max. */
	assert_true(at_2k >= 120 && at_2k <= 140);

	/* Fast convergence: a loss below the previous W_max (100) sets W_max to
	 * cwnd (1 + beta) / 2. */
	c.cwnd = 90 * MSS;
	sk_cc_cubic.cong_signal(&c, SK_CC_LOSS, 90 * MSS, now);
	/* (The previous reduction's W_max was 100 and the one at 2K set it to at_2k; so
	 * reduce from a window below it.) */
	assert_int_equal(c.ssthresh, 63 * MSS);
	sk_cc_cubic.cong_signal(&c, SK_CC_RTO, 63 * MSS, now);
	assert_int_equal(c.cwnd, MSS); /* RFC 9438 4.8 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cc_4_registry),
		cmocka_unit_test(test_cc_1_slow_start),
		cmocka_unit_test(test_cc_1_stretch_ack),
		cmocka_unit_test(test_cc_restart_after_idle),
		cmocka_unit_test(test_cc_1_reno_avoidance),
		cmocka_unit_test(test_cc_2_3_reno_signals),
		cmocka_unit_test(test_cc_4_cubic_curve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
