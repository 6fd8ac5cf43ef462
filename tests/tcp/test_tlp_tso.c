/* Tail-loss probes on a link that segments by itself (TSO, REL-10): a probe of new data is
 * one segment (RFC 8985 7.3), not a super-segment of whatever the peer's window allows. */
#include "testutil.h"

#include <string.h>

#include "sim/world.h"
#include "stack/addr.h"

#define ADDR_A 0x0a000001u
#define ADDR_B 0x0a000002u
#define OWD 10000u /* one-way delay, µs */

/* The data segments host sent from t0 on: their payload lengths, in order, into len[];
 * *last_label: the label of the last (why it was sent). */
static int data_from(struct sk_world *w, int host, uint64_t t0, uint32_t *len, int max, const char **last_label)
{
	int n = 0;
	for (size_t i = 0; i < sk_world_nrecs(w) && n < max; i++) {
		const struct sk_rec *r = sk_world_rec(w, i);
		if (r->type != SK_REC_SEG || r->host != host || r->t < t0 || r->d.l4 != SK_L4_TCP)
			continue;
		if (r->d.tcp.payload_len) {
			len[n++] = (uint32_t)r->d.tcp.payload_len;
			*last_label = r->label;
		}
	}
	return n;
}

/* Every ACK of the first flight is lost: after about two RTTs the sender probes with new
 * data, one MSS of it, though a 50 KB super-segment would fit the peer's window (it sent
 * that, and a second probe 2 SRTT later, before the RTO). */
static void test_new_data_probe_is_one_segment(void **state)
{
	(void)state;
	struct sk_world_opts wo = {.seed = 7, .link = {.delay_us = OWD}, .gso_max = 64000};
	int err = 0;
	struct sk_world *w = sk_world_new(&wo, &err);
	assert_non_null(w);
	int a = sk_world_add_host(w, "a", ADDR_A, NULL), b = sk_world_add_host(w, "b", ADDR_B, NULL);
	assert_true(a >= 0 && b >= 0);
	synack_stack *sa = sk_world_stack(w, a), *sb = sk_world_stack(w, b);
	int l = synack_socket(sb, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr addr = sk_sa_from4(0, 5001);
	assert_int_equal(synack_bind(sb, l, &addr), 0);
	assert_int_equal(synack_listen(sb, l, 8), 0);
	int c = synack_socket(sa, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	addr = sk_sa_from4(ADDR_B, 5001);
	synack_connect(sa, c, &addr);
	int s;
	while ((s = synack_accept(sb, l, NULL)) < 0)
		assert_true(sk_world_step(w, 1000000) != UINT64_MAX);
	sk_world_run_until(w, sk_world_now(w) + 4 * OWD);

	/* From now on nothing b sends reaches a. */
	struct sk_simnet_rule drop = {.from = sk_world_dev(w, b), .to = sk_world_dev(w, a), .action = SK_SIMNET_DROP};
	assert_true(sk_simnet_add_rule(sk_world_net(w), &drop) >= 0);
	static uint8_t data[256 * 1024];
	memset(data, 'x', sizeof(data));
	uint64_t t0 = sk_world_now(w);
	assert_true(synack_send(sa, c, data, sizeof(data), 0) > 0);
	struct synack_stats before = {0}, after = {0};
	synack_get_stats(sa, &before);
	/* past the probe (2 SRTT = 40 ms after the flight), before the RTO (at least 200 ms) */
	sk_world_run_until(w, t0 + 150000);
	synack_get_stats(sa, &after);
	assert_int_equal(after.tcp_loss_probes - before.tcp_loss_probes, 1);
	assert_int_equal(after.tcp_timeouts - before.tcp_timeouts, 0);

	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	assert_int_equal(synack_getsockopt(sa, c, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	uint32_t len[16];
	const char *label = NULL;
	int n = data_from(w, a, t0, len, 16, &label);
	/* the initial window (10 segments, in one or more frames), then the probe */
	assert_true(n >= 2);
	uint32_t flight = 0;
	for (int i = 0; i < n - 1; i++)
		flight += len[i];
	assert_int_equal(flight, 10 * ti.snd_mss);
	assert_true(len[0] > ti.snd_mss); /* TSO is on: the flight went in super-segments */
	assert_int_equal(len[n - 1], ti.snd_mss);
	assert_non_null(label);
	assert_string_equal(label, "tail-loss probe");
	sk_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_data_probe_is_one_segment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
