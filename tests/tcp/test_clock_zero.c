/* A clock that reads 0: an application may start its clock there, and the simulator does.
 * Stamps that used 0 for "none" took real events at 0 for nothing, or shifted them and
 * made a round trip of minus one microsecond (test_clock_zero_both_ways in test_transfer.c
 * shows what the two did together: 120 s for a transfer of milliseconds). */
#include "testutil.h"

#include <errno.h>

#include "sim/world.h"
#include "stack/addr.h"
#include "tcp/rack.h"

static void delivered(void *ctx, uint64_t xmit, uint32_t end, int retrans)
{
	(void)retrans;
	sk_rack_advance(ctx, xmit, end, 1);
}

/* RACK (RFC 8985 6.2): segments sent at 0, the later ones SACKed at 0: the first is lost,
 * once their round trip (1 µs) has passed, whatever the sequence numbers (RACK.xmit_ts of 0
 * was taken for no delivery yet). */
static void test_rack_detects_at_clock_zero(void **state)
{
	(void)state;
	uint32_t isn[] = {1000, 0x90000000u, 0xfffff000u};
	for (int k = 0; k < 3; k++) {
		struct sk_rack r = {0};
		for (uint32_t i = 0; i < 5; i++)
			assert_int_equal(sk_rack_sent(&r, isn[k] + i * 1000, isn[k] + (i + 1) * 1000, 0, 0), 0);
		assert_true(sk_rack_sacked(&r, isn[k] + 1000, isn[k] + 5000, delivered, &r) > 0);
		uint32_t newly = 0, newly_rxt = 0;
		sk_rack_detect(&r, 1, 0, &newly, &newly_rxt); /* (its RTT: 1 µs) */
		assert_int_equal(newly, 1000);
		sk_rack_free(&r);
	}
}

/* A passive open whose SYN+ACK and ACK both come at 0 takes an RTT sample of about 0, not
 * of 2^32 - 1 µs (an RTO of 120 s, as the server had). */
static void test_passive_handshake_rtt_at_clock_zero(void **state)
{
	(void)state;
	struct sk_world_opts wo = {.seed = 1, .link = {.delay_us = 0}};
	int err = 0;
	struct sk_world *w = sk_world_new(&wo, &err);
	assert_non_null(w);
	int a = sk_world_add_host(w, "a", 0x0a000001u, NULL), b = sk_world_add_host(w, "b", 0x0a000002u, NULL);
	synack_stack *sa = sk_world_stack(w, a), *sb = sk_world_stack(w, b);
	int l = synack_socket(sb, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr addr = sk_sa_from4(0, 5003);
	assert_int_equal(synack_bind(sb, l, &addr), 0);
	assert_int_equal(synack_listen(sb, l, 8), 0);
	int c = synack_socket(sa, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	addr = sk_sa_from4(0x0a000002u, 5003);
	synack_connect(sa, c, &addr);
	int s;
	while ((s = synack_accept(sb, l, NULL)) < 0)
		assert_true(sk_world_step(w, 1000) != UINT64_MAX);
	assert_int_equal(sk_world_now(w), 0);
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(sb, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_true(ti.srtt_us < 1000);
	assert_true(ti.rto_us < 1000000);
	sk_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rack_detects_at_clock_zero),
		cmocka_unit_test(test_passive_handshake_rtt_at_clock_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
