/* Tail-loss probes on a link that segments by itself (TSO, REL-10), the receiver's ACK
 * policy they meet, and TCP_CORK there: a probe of new data is two segments (RFC 8985
 * 7.3's one, plus one so that the receiver acknowledges at once, RFC 5681 4.2), not a
 * super-segment of whatever the peer's window allows. */
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

/* Two hosts 2 OWD apart on a link with GSO up to gso bytes (0: none), a connected to b:
 * a's socket in *c, b's stack and socket in *sbp and *s if asked for. */
static struct sk_world *connected(uint32_t gso, synack_stack **sa, int *c, synack_stack **sbp, int *s)
{
	struct sk_world_opts wo = {.seed = 7, .link = {.delay_us = OWD}, .gso_max = gso};
	int err = 0;
	struct sk_world *w = sk_world_new(&wo, &err);
	assert_non_null(w);
	int a = sk_world_add_host(w, "a", ADDR_A, NULL), b = sk_world_add_host(w, "b", ADDR_B, NULL);
	assert_true(a == 0 && b == 1);
	*sa = sk_world_stack(w, a);
	synack_stack *sb = sk_world_stack(w, b);
	int l = synack_socket(sb, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr addr = sk_sa_from4(0, 5001);
	assert_int_equal(synack_bind(sb, l, &addr), 0);
	if (sbp) { /* room: the sender is limited by cwnd, never by b's window */
		int rcvbuf = 2 << 20;
		assert_int_equal(synack_setsockopt(sb, l, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	}
	assert_int_equal(synack_listen(sb, l, 8), 0);
	*c = synack_socket(*sa, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	addr = sk_sa_from4(ADDR_B, 5001);
	synack_connect(*sa, *c, &addr);
	int k;
	while ((k = synack_accept(sb, l, NULL)) < 0)
		assert_true(sk_world_step(w, 1000000) != UINT64_MAX);
	sk_world_run_until(w, sk_world_now(w) + 4 * OWD);
	if (sbp)
		*sbp = sb, *s = k;
	return w;
}

/* Every ACK of the first flight is lost: after about two RTTs the sender probes with new
 * data, two MSS of it, though a 50 KB super-segment would fit the peer's window (it sent
 * that, and a second probe 2 SRTT later, before the RTO); and the peer acknowledges the
 * probe at once, not after its delayed-ACK timer. */
static void test_new_data_probe_is_two_segments(void **state)
{
	(void)state;
	synack_stack *sa;
	int c, a = 0, b = 1;
	struct sk_world *w = connected(64000, &sa, &c, NULL, NULL);
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
	assert_int_equal(len[n - 1], 2 * ti.snd_mss);
	assert_non_null(label);
	assert_string_equal(label, "tail-loss probe");
	sk_world_free(w);
}

/* Runs w until time `until`, b's application reading all that arrives (every 100 us);
 * returns the bytes read. */
static size_t run_reading(struct sk_world *w, synack_stack *sb, int s, uint64_t until)
{
	static uint8_t buf[65536];
	size_t got = 0;
	while (sk_world_now(w) < until) {
		uint64_t next = sk_world_now(w) + 100;
		sk_world_run_until(w, next < until ? next : until);
		ssize_t n;
		while ((n = synack_recv(sb, s, buf, sizeof(buf), 0)) > 0)
			got += (size_t)n;
	}
	return got;
}

/* len bytes from a to b, read as they come: b's quick ACKs of a new connection (16, one
 * per ACK, as Linux counts them: a super-segment draws one) are spent, so what follows
 * meets its ordinary delayed-ACK policy. */
static void warm(struct sk_world *w, synack_stack *sa, int c, synack_stack *sb, int s, size_t len)
{
	static uint8_t data[65536];
	size_t sent = 0, got = 0;
	for (int i = 0; i < 20000 && got < len; i++) {
		size_t k = len - sent < sizeof(data) ? len - sent : sizeof(data);
		ssize_t n = k ? synack_send(sa, c, data, k, 0) : 0;
		if (n > 0)
			sent += (size_t)n;
		got += run_reading(w, sb, s, sk_world_now(w) + 1000);
	}
	assert_int_equal(got, len);
	run_reading(w, sb, s, sk_world_now(w) + 6 * OWD); /* the last ACKs, and b's timer */
}

/* The first frame host sends at or after `from`, sent for the reason `label` if not NULL
 * (0: none), and in *len its payload. */
static uint64_t first_from(struct sk_world *w, int host, uint64_t from, const char *label, uint32_t *len)
{
	for (size_t i = 0; i < sk_world_nrecs(w); i++) {
		const struct sk_rec *r = sk_world_rec(w, i);
		if (r->type == SK_REC_SEG && r->host == host && r->t >= from && r->d.l4 == SK_L4_TCP &&
		    (!label || (r->label && !strcmp(r->label, label)))) {
			*len = (uint32_t)r->d.tcp.payload_len;
			return r->t;
		}
	}
	return 0;
}

/* The flight arrives and only its ACKs are lost: the probe, two segments of new data, is
 * acknowledged at once (RFC 5681 4.2: at least every second full-sized segment), one round
 * trip after it left. A probe of one segment waited for the peer's delayed-ACK timer on
 * top (about 45 ms behind each probe against Linux at 2% loss). */
static void test_probe_after_lost_acks_is_answered_at_once(void **state)
{
	(void)state;
	synack_stack *sa, *sb;
	int c, s, a = 0, b = 1;
	struct sk_world *w = connected(0, &sa, &c, &sb, &s);
	static uint8_t data[256 * 1024];
	memset(data, 'x', sizeof(data));
	warm(w, sa, c, sb, s, 60000);
	/* Every frame b sends in the next 55 ms is lost: its ACKs of the flight (at once and
	 * after its delayed-ACK timer); the probe, 2 SRTT + 8 ms after the flight (48 ms),
	 * reaches b after that. */
	struct sk_simnet_rule drop = {.from = sk_world_dev(w, b), .to = sk_world_dev(w, a), .action = SK_SIMNET_DROP};
	assert_true(sk_simnet_add_rule(sk_world_net(w), &drop) >= 0);
	uint64_t t0 = sk_world_now(w);
	assert_true(synack_send(sa, c, data, sizeof(data), 0) > 0);
	run_reading(w, sb, s, t0 + 55000);
	sk_simnet_clear_rules(sk_world_net(w));
	run_reading(w, sb, s, t0 + 150000);
	/* the probe, then the first frame from b once it can have arrived */
	uint32_t len;
	uint64_t probe = first_from(w, a, t0, "tail-loss probe", &len);
	uint64_t answer = probe ? first_from(w, b, probe + OWD, NULL, &len) : 0;
	assert_true(probe > 0 && answer > 0);
	assert_true(answer - probe <= OWD + 1000); /* b answered on arrival */
	struct synack_stats st = {0};
	synack_get_stats(sa, &st);
	assert_int_equal(st.tcp_timeouts, 0);
	sk_world_free(w);
}

/* TCP_CORK on a TSO link: only full segments go, and a short tail waits for uncorking;
 * it went out as the end of a super-segment (Linux cuts it off: tcp_mss_split_point). */
static void test_cork_holds_the_tail_on_tso(void **state)
{
	(void)state;
	synack_stack *sa, *sb;
	int c, s, a = 0;
	struct sk_world *w = connected(64000, &sa, &c, &sb, &s);
	warm(w, sa, c, sb, s, 256 * 1024); /* in super-segments */
	static uint8_t one[1448 + 100];
	int on = 1, off = 0;
	assert_int_equal(synack_setsockopt(sa, c, SYNACK_IPPROTO_TCP, SYNACK_TCP_CORK, &on, sizeof(on)), 0);
	uint64_t t0 = sk_world_now(w);
	assert_int_equal(synack_send(sa, c, one, sizeof(one), 0), (ssize_t)sizeof(one));
	run_reading(w, sb, s, t0 + 5 * OWD);
	uint32_t len = 0;
	uint64_t sent = first_from(w, a, t0, NULL, &len);
	assert_true(sent > 0);
	assert_int_equal(len, 1448);
	uint64_t t1 = sk_world_now(w);
	assert_int_equal(first_from(w, a, sent + 1, NULL, &len), 0); /* the tail waits */
	assert_int_equal(synack_setsockopt(sa, c, SYNACK_IPPROTO_TCP, SYNACK_TCP_CORK, &off, sizeof(off)), 0);
	run_reading(w, sb, s, t1 + 5 * OWD);
	assert_true(first_from(w, a, t1, NULL, &len) > 0);
	assert_int_equal(len, 100);
	sk_world_free(w);
}

/* Autocorking (REL-4): an application writing 64 KiB at a time in a loop, with data in
 * flight, has its writes leave as whole super-segments; the short tail each write leaves
 * waits for the next write, and what is left at the end goes at the stack's next poll. Sent
 * at once, each write's tail was a short packet of its own (a fifth of the packets of
 * bench/real.sh's send test). */
static void test_send_loop_tails_wait_for_the_next_write(void **state)
{
	(void)state;
	synack_stack *sa, *sb;
	int c, s, a = 0;
	struct sk_world *w = connected(64000, &sa, &c, &sb, &s);
	warm(w, sa, c, sb, s, 1 << 20); /* cwnd well above the three writes */
	int on = 1;
	assert_int_equal(synack_setsockopt(sa, c, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, &on, sizeof(on)), 0);
	static uint8_t data[65536];
	uint64_t t0 = sk_world_now(w);
	for (int i = 0; i < 3; i++)
		assert_int_equal(synack_send(sa, c, data, sizeof(data), 0), (ssize_t)sizeof(data));
	/* before the stack is polled: whole super-segments only */
	uint32_t len[16];
	const char *label = NULL;
	int n = data_from(w, a, t0, len, 16, &label);
	assert_true(n >= 2);
	uint32_t whole = len[0], sent = 0;
	for (int i = 0; i < n; i++) {
		assert_int_equal(len[i], whole);
		sent += len[i];
	}
	assert_true(sent < sizeof(data) * 3);
	assert_true(whole > sizeof(data) / 2);
	assert_int_equal(synack_next_deadline(sa), t0); /* the held tail is due now */
	/* the next poll sends the rest, at once */
	synack_poll(sa, t0);
	n = data_from(w, a, t0, len, 16, &label);
	sent = 0;
	for (int i = 0; i < n; i++)
		sent += len[i];
	assert_int_equal(sent, sizeof(data) * 3);
	assert_true(len[n - 1] < whole);
	sk_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_data_probe_is_two_segments),
		cmocka_unit_test(test_probe_after_lost_acks_is_answered_at_once),
		cmocka_unit_test(test_cork_holds_the_tail_on_tso),
		cmocka_unit_test(test_send_loop_tails_wait_for_the_next_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
