/* Delivery on links: raw IPv4 by registered address (and the point-to-point fallback),
 * Ethernet by MAC and broadcast, separate links, unroutable frames and closed endpoints. */
#include "linktest.h"

#include <errno.h>

static size_t raw_to(uint8_t *f, uint32_t src, uint32_t dst, uint32_t seq)
{
	struct lt_seg s = {.src = src, .dst = dst, .seq = seq, .flags = SK_TCP_ACK};
	return lt_ip_tcp(f, 1600, &s);
}

static int got(struct sk_dev *d, uint64_t now, uint32_t *seq, size_t l2)
{
	uint8_t buf[1600];
	int n = sk_dev_recv(d, buf, sizeof(buf), now);
	if (n > 0 && seq)
		*seq = sk_get32(buf + l2 + SK_IPV4_MIN_HLEN + 4);
	return n > 0;
}

static void test_raw_by_address(void **state)
{
	(void)state;
	struct sk_simnet *net = sk_simnet_new(1, SK_LINK_RAW, NULL);
	int link = sk_simnet_add_link(net, NULL);
	struct sk_dev *a = sk_simnet_add_endpoint(net, link, "A", NULL);
	struct sk_dev *b = sk_simnet_add_endpoint(net, link, "B", NULL);
	struct sk_dev *c = sk_simnet_add_endpoint(net, link, "C", NULL);
	sk_simnet_add_addr(net, a, LT_A);
	sk_simnet_add_addr(net, b, LT_B);
	sk_simnet_add_addr(net, c, LT_C);
	sk_simnet_add_addr(net, c, 0xc0a80001u); /* a second address on C */
	uint8_t f[1600];
	uint32_t seq;
	assert_int_equal(sk_dev_send(a, f, raw_to(f, LT_A, LT_C, 1), 0), 0);
	assert_int_equal(sk_dev_send(a, f, raw_to(f, LT_A, LT_B, 2), 0), 0);
	assert_int_equal(sk_dev_send(b, f, raw_to(f, LT_B, 0xc0a80001u, 3), 0), 0);
	assert_int_equal(sk_dev_send(a, f, raw_to(f, LT_A, 0x0a000009u, 4), 0), 0); /* nobody */
	assert_true(got(c, 0, &seq, 0) && seq == 1);
	assert_true(got(c, 0, &seq, 0) && seq == 3);
	assert_false(got(c, 0, NULL, 0));
	assert_true(got(b, 0, &seq, 0) && seq == 2);
	assert_false(got(b, 0, NULL, 0));
	assert_false(got(a, 0, NULL, 0));
	struct sk_simnet_counters tot;
	sk_simnet_counters(net, &tot);
	assert_true(tot.sent == 4 && tot.delivered == 3 &&
		    tot.dropped[SK_SIMNET_DROP_NOROUTE] == 1);
	/* Address registration: duplicates are fine, the table is bounded. */
	assert_int_equal(sk_simnet_add_addr(net, a, LT_A), 0);
	int r = 0;
	for (uint32_t i = 0; i < 20 && r == 0; i++)
		r = sk_simnet_add_addr(net, a, 0x0b000000u + i);
	assert_int_equal(r, -ENOSPC);
	sk_simnet_free(net);
}

/* Two endpoints: whatever no address claims goes to the other end, as on a point-to-point
 * link to a router. */
static void test_raw_point_to_point(void **state)
{
	(void)state;
	struct sk_simnet *net = sk_simnet_new(1, SK_LINK_RAW, NULL);
	int link = sk_simnet_add_link(net, NULL);
	struct sk_dev *a = sk_simnet_add_endpoint(net, link, "A", NULL);
	struct sk_dev *r = sk_simnet_add_endpoint(net, link, "router", NULL);
	sk_simnet_add_addr(net, a, LT_A);
	uint8_t f[1600];
	uint32_t seq;
	assert_int_equal(sk_dev_send(a, f, raw_to(f, LT_A, 0x08080808u, 7), 0), 0);
	assert_true(got(r, 0, &seq, 0) && seq == 7);
	assert_int_equal(sk_dev_send(r, f, raw_to(f, 0x08080808u, 0x01020304u, 8), 0), 0);
	assert_true(got(a, 0, &seq, 0) && seq == 8);
	/* Not even IPv4: still the other end. */
	memset(f, 0x60, 40);
	assert_int_equal(sk_dev_send(a, f, 40, 0), 0);
	assert_true(got(r, 0, NULL, 0));
	sk_simnet_free(net);
}

/* Links are separate segments, even when an address would match across them. */
static void test_links_are_separate(void **state)
{
	(void)state;
	struct sk_simnet *net = sk_simnet_new(1, SK_LINK_RAW, NULL);
	int l0 = sk_simnet_add_link(net, NULL);
	int l1 = sk_simnet_add_link(net, NULL);
	assert_true(l0 == 0 && l1 == 1);
	struct sk_dev *a = sk_simnet_add_endpoint(net, l0, "A", NULL);
	struct sk_dev *b = sk_simnet_add_endpoint(net, l0, "B", NULL);
	struct sk_dev *c = sk_simnet_add_endpoint(net, l0, "C", NULL);
	struct sk_dev *x = sk_simnet_add_endpoint(net, l1, "X", NULL);
	sk_simnet_add_addr(net, x, LT_C);
	uint8_t f[1600];
	assert_int_equal(sk_dev_send(a, f, raw_to(f, LT_A, LT_C, 1), 0), 0);
	assert_false(got(x, 0, NULL, 0));
	assert_false(got(b, 0, NULL, 0) || got(c, 0, NULL, 0));
	/* A direction must lie within a link. */
	assert_int_equal(sk_simnet_set_path(net, a, x, NULL), -EINVAL);
	int err = 0;
	assert_null(sk_simnet_add_endpoint(net, 5, "bad", &err));
	assert_int_equal(err, -EINVAL);
	sk_simnet_free(net);
}

static void test_ethernet_by_mac_and_broadcast(void **state)
{
	(void)state;
	struct sk_simnet *net = sk_simnet_new(1, SK_LINK_ETHERNET, NULL);
	struct sk_simnet_params p = {.delay_us = 50};
	int link = sk_simnet_add_link(net, &p);
	struct sk_dev *a = sk_simnet_add_endpoint(net, link, "A", NULL);
	struct sk_dev *b = sk_simnet_add_endpoint(net, link, "B", NULL);
	struct sk_dev *c = sk_simnet_add_endpoint(net, link, "C", NULL);
	assert_int_equal(a->linktype, SK_LINK_ETHERNET);
	uint8_t ma[6], mb[6], mc[6];
	const uint8_t custom[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	const uint8_t nobody[6] = {0x02, 0xee, 0xee, 0xee, 0xee, 0xee};
	assert_int_equal(sk_simnet_set_mac(net, c, custom), 0);
	assert_int_equal(sk_simnet_set_mac(net, c, mcast), -EINVAL);
	sk_simnet_get_mac(net, a, ma);
	sk_simnet_get_mac(net, b, mb);
	sk_simnet_get_mac(net, c, mc);
	const uint8_t first[6] = {0x02, 0, 0, 0, 0, 1};
	assert_memory_equal(ma, first, 6);
	assert_memory_equal(mc, custom, 6);

	uint8_t f[1600];
	uint32_t seq;
	/* IP addresses do not matter on Ethernet: only the destination MAC does. */
	struct lt_seg s = {.src = LT_A, .dst = LT_B, .seq = 1, .flags = SK_TCP_ACK};
	assert_int_equal(sk_dev_send(a, f, lt_eth_tcp(f, sizeof(f), mc, ma, &s), 0), 0);
	s.seq = 2;
	assert_int_equal(sk_dev_send(a, f, lt_eth_tcp(f, sizeof(f), sk_eth_broadcast, ma, &s), 0),
			 0);
	s.seq = 3;
	assert_int_equal(sk_dev_send(b, f, lt_eth_tcp(f, sizeof(f), mcast, mb, &s), 0), 0);
	s.seq = 4;
	assert_int_equal(sk_dev_send(c, f, lt_eth_tcp(f, sizeof(f), nobody, mc, &s), 0), 0);
	assert_int_equal(sk_dev_send(a, f, 13, 0), -EINVAL);

	assert_true(sk_simnet_next_event(net) == 50);
	assert_false(got(b, 49, NULL, SK_ETH_HLEN));
	assert_true(got(c, 50, &seq, SK_ETH_HLEN) && seq == 1);
	assert_true(got(c, 50, &seq, SK_ETH_HLEN) && seq == 2);
	assert_true(got(c, 50, &seq, SK_ETH_HLEN) && seq == 3);
	assert_false(got(c, 50, NULL, SK_ETH_HLEN));
	assert_true(got(b, 50, &seq, SK_ETH_HLEN) && seq == 2);
	assert_false(got(b, 50, NULL, SK_ETH_HLEN));
	assert_true(got(a, 50, &seq, SK_ETH_HLEN) && seq == 3);
	assert_false(got(a, 50, NULL, SK_ETH_HLEN));

	struct sk_simnet_counters tot, ab, ac;
	sk_simnet_counters(net, &tot);
	sk_simnet_path_counters(net, a, b, &ab);
	sk_simnet_path_counters(net, a, c, &ac);
	/* A broadcast is one frame per receiving direction. */
	assert_true(ab.sent == 1 && ac.sent == 2);
	assert_true(tot.sent == 6 && tot.delivered == 5 &&
		    tot.dropped[SK_SIMNET_DROP_NOROUTE] == 1);
	sk_simnet_free(net);
}

/* A closed endpoint is off the air: its pending frames are dropped, frames to it are
 * NOROUTE, broadcasts skip it, and it cannot send. */
static void test_closed_endpoint(void **state)
{
	(void)state;
	struct sk_simnet_params p = {.delay_us = 100};
	struct sk_dev *a, *b;
	struct sk_simnet *net = lt_pair(1, &p, &a, &b);
	uint8_t f[1600];
	size_t n = raw_to(f, LT_A, LT_B, 1);
	assert_int_equal(sk_dev_send(a, f, n, 0), 0);
	assert_int_equal(sk_simnet_pending(net), 1);
	sk_dev_close(b);
	assert_int_equal(sk_simnet_pending(net), 0);
	assert_true(sk_simnet_next_event(net) == SK_TIME_NEVER);
	assert_int_equal(sk_dev_send(a, f, n, 10), 0);
	assert_int_equal(sk_dev_send(b, f, n, 10), -ENODEV);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(net, a, b, &c);
	assert_true(c.sent == 2 && c.dropped[SK_SIMNET_DROP_NOROUTE] == 2);
	sk_simnet_free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_by_address),
		cmocka_unit_test(test_raw_point_to_point),
		cmocka_unit_test(test_links_are_separate),
		cmocka_unit_test(test_ethernet_by_mac_and_broadcast),
		cmocka_unit_test(test_closed_endpoint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
