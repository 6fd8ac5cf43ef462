/* Scripted faults: each rule kind hits exactly the frames it names (nth, every, ranges,
 * limits, flags, payload, direction), with exact timings, and the hook decides freely. */
#include "linktest.h"

#include <errno.h>

struct step {
	int from_b; /* 0: A -> B, 1: B -> A */
	uint64_t at;
	uint16_t flags;
	uint32_t seq;
	size_t payload;
};

struct world {
	struct sk_simnet *net;
	struct sk_dev *a, *b;
	struct lt_log log;
};

static void world_init(struct world *w, const struct sk_simnet_params *p)
{
	w->net = lt_pair(3, p, &w->a, &w->b);
	lt_log_init(&w->log, 256);
}

static void world_free(struct world *w)
{
	lt_log_free(&w->log);
	sk_simnet_free(w->net);
}

/* Plays the steps in order at their times, then runs the network dry. */
static void world_play(struct world *w, const struct step *steps, size_t n)
{
	struct sk_dev *eps[] = {w->a, w->b};
	for (size_t i = 0; i < n; i++) {
		while (sk_simnet_next_event(w->net) <= steps[i].at)
			lt_poll(eps, 2, sk_simnet_next_event(w->net), &w->log);
		struct lt_seg s = {
			.src = steps[i].from_b ? LT_B : LT_A,
			.dst = steps[i].from_b ? LT_A : LT_B,
			.sport = steps[i].from_b ? 80 : 40000,
			.dport = steps[i].from_b ? 40000 : 80,
			.seq = steps[i].seq,
			.flags = steps[i].flags,
			.payload = steps[i].payload,
			.fill = 'x',
		};
		uint8_t f[1600];
		size_t len = lt_ip_tcp(f, sizeof(f), &s);
		assert_int_equal(sk_dev_send(steps[i].from_b ? w->b : w->a, f, len, steps[i].at),
				 0);
	}
	lt_run(w->net, eps, 2, &w->log);
}

static uint32_t seq_of(const struct lt_arrival *a)
{
	return sk_get32(a->data + SK_IPV4_MIN_HLEN + 4);
}

/* The sequence numbers endpoint ep (0 = A, 1 = B) received, in order; returns the count. */
static size_t received(const struct world *w, int ep, uint32_t *seqs, uint64_t *ats)
{
	size_t n = 0;
	for (size_t i = 0; i < w->log.n; i++) {
		if (w->log.a[i].ep != ep)
			continue;
		seqs[n] = seq_of(&w->log.a[i]);
		if (ats)
			ats[n] = w->log.a[i].at;
		n++;
	}
	return n;
}

static const struct step stream[] = {
	{0, 0, SK_TCP_ACK, 1, 10},    {1, 0, SK_TCP_ACK, 101, 0},    {0, 1000, SK_TCP_ACK, 2, 10},
	{0, 2000, SK_TCP_ACK, 3, 10}, {1, 2000, SK_TCP_ACK, 102, 0}, {0, 3000, SK_TCP_ACK, 4, 10},
	{0, 4000, SK_TCP_ACK, 5, 10}, {0, 5000, SK_TCP_ACK, 6, 10},  {1, 5000, SK_TCP_ACK, 103, 0},
};
#define NSTREAM (sizeof(stream) / sizeof(stream[0]))

static void test_drop_second_a_to_b(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	struct sk_simnet_rule r = {.from = w.a, .to = w.b, .l4 = SK_L4_TCP, .first = 2, .last = 2};
	int id = sk_simnet_add_rule(w.net, &r);
	assert_true(id >= 0);
	world_play(&w, stream, NSTREAM);
	uint32_t seqs[16];
	assert_int_equal(received(&w, 1, seqs, NULL), 5);
	const uint32_t want_b[] = {1, 3, 4, 5, 6};
	assert_memory_equal(seqs, want_b, sizeof(want_b));
	assert_int_equal(received(&w, 0, seqs, NULL), 3); /* B -> A untouched */
	uint64_t matched, applied;
	assert_int_equal(sk_simnet_rule_stats(w.net, id, &matched, &applied), 0);
	assert_true(matched == 6 && applied == 1);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(w.net, w.a, w.b, &c);
	assert_true(c.dropped[SK_SIMNET_DROP_RULE] == 1 && c.delivered == 5);
	world_free(&w);
}

static void test_occurrence_ranges_and_limits(void **state)
{
	(void)state;
	uint32_t seqs[16];
	const struct {
		uint32_t first, last, limit;
		size_t n;
		uint32_t want[6];
	} cases[] = {
		{2, 4, 0, 3, {1, 5, 6}},       /* a range */
		{3, 0, 0, 2, {1, 2}},	       /* from the 3rd on */
		{0, 0, 2, 4, {3, 4, 5, 6}},    /* every one, at most twice */
		{0, 0, 0, 0, {0}},	       /* every one */
		{5, 5, 0, 5, {1, 2, 3, 4, 6}}, /* the 5th */
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct world w;
		world_init(&w, NULL);
		struct sk_simnet_rule r = {.from = w.a,
					   .first = cases[k].first,
					   .last = cases[k].last,
					   .limit = cases[k].limit};
		assert_true(sk_simnet_add_rule(w.net, &r) >= 0);
		world_play(&w, stream, NSTREAM);
		assert_int_equal(received(&w, 1, seqs, NULL), cases[k].n);
		if (cases[k].n)
			assert_memory_equal(seqs, cases[k].want, cases[k].n * sizeof(uint32_t));
		world_free(&w);
	}
}

static void test_drop_every_synack(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	struct sk_simnet_rule r = {.l4 = SK_L4_TCP,
				   .flags_mask = SK_TCP_SYN | SK_TCP_ACK,
				   .flags_value = SK_TCP_SYN | SK_TCP_ACK};
	int id = sk_simnet_add_rule(w.net, &r);
	const struct step hs[] = {
		{0, 0, SK_TCP_SYN, 100, 0},
		{1, 10, SK_TCP_SYN | SK_TCP_ACK, 500, 0},
		{0, 1000000, SK_TCP_SYN, 100, 0},
		{1, 1000010, SK_TCP_SYN | SK_TCP_ACK, 500, 0},
		{1, 2000000, SK_TCP_SYN | SK_TCP_ACK | SK_TCP_ECE, 500, 0}, /* still SYN+ACK */
		{0, 3000000, SK_TCP_ACK, 101, 0},
		{1, 3000010, SK_TCP_SYN, 900, 0}, /* a plain SYN from B passes */
	};
	world_play(&w, hs, sizeof(hs) / sizeof(hs[0]));
	uint32_t seqs[16];
	assert_int_equal(received(&w, 0, seqs, NULL), 1);
	assert_true(seqs[0] == 900);
	assert_int_equal(received(&w, 1, seqs, NULL), 3);
	uint64_t applied;
	sk_simnet_rule_stats(w.net, id, NULL, &applied);
	assert_true(applied == 3);
	world_free(&w);
}

/* The FIN arrives exactly 3 s after it would have; the frames around it keep their times,
 * so it is overtaken by them. */
static void test_delay_fin(void **state)
{
	(void)state;
	struct world w;
	struct sk_simnet_params p = {.delay_us = 10000};
	world_init(&w, &p);
	struct sk_simnet_rule r = {.flags_mask = SK_TCP_FIN,
				   .flags_value = SK_TCP_FIN,
				   .first = 1,
				   .last = 1,
				   .action = SK_SIMNET_DELAY,
				   .delay_us = 3000000};
	assert_true(sk_simnet_add_rule(w.net, &r) >= 0);
	const struct step s[] = {
		{0, 0, SK_TCP_ACK, 1, 100},
		{0, 1000, SK_TCP_FIN | SK_TCP_ACK, 101, 0},
		{0, 2000, SK_TCP_ACK, 102, 0},
		{1, 5000, SK_TCP_FIN | SK_TCP_ACK, 700, 0}, /* the second FIN: on time */
	};
	world_play(&w, s, sizeof(s) / sizeof(s[0]));
	uint32_t seqs[8];
	uint64_t ats[8];
	assert_int_equal(received(&w, 1, seqs, ats), 3);
	assert_true(seqs[0] == 1 && ats[0] == 10000);
	assert_true(seqs[1] == 102 && ats[1] == 12000);
	assert_true(seqs[2] == 101 && ats[2] == 1000 + 10000 + 3000000);
	assert_int_equal(received(&w, 0, seqs, ats), 1);
	assert_true(ats[0] == 15000);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(w.net, w.a, w.b, &c);
	assert_true(c.delayed == 1);
	world_free(&w);
}

static void test_drop_segments_with_payload(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	struct sk_simnet_rule r = {.l4 = SK_L4_TCP, .min_payload = 1};
	assert_true(sk_simnet_add_rule(w.net, &r) >= 0);
	world_play(&w, stream, NSTREAM);
	uint32_t seqs[16];
	assert_int_equal(received(&w, 1, seqs, NULL), 0); /* every A -> B segment had data */
	assert_int_equal(received(&w, 0, seqs, NULL), 3); /* the bare ACKs pass */
	world_free(&w);
}

static int bits_differing(const uint8_t *x, const uint8_t *y, size_t n)
{
	int bits = 0;
	for (size_t i = 0; i < n; i++)
		bits += __builtin_popcount((unsigned)(x[i] ^ y[i]));
	return bits;
}

/* The 3rd A -> B segment is corrupted (one bit), the 2nd duplicated; the rest arrive as
 * they were sent. */
static void test_corrupt_and_duplicate_nth(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	struct sk_simnet_rule corrupt = {
		.from = w.a, .first = 3, .last = 3, .action = SK_SIMNET_CORRUPT};
	struct sk_simnet_rule dup = {
		.from = w.a, .first = 2, .last = 2, .action = SK_SIMNET_DUPLICATE};
	assert_true(sk_simnet_add_rule(w.net, &corrupt) >= 0);
	assert_true(sk_simnet_add_rule(w.net, &dup) >= 0);
	world_play(&w, stream, NSTREAM);
	size_t n = 0;
	int corrupted = 0;
	for (size_t i = 0; i < w.log.n; i++) {
		const struct lt_arrival *arr = &w.log.a[i];
		if (arr->ep != 1)
			continue;
		n++;
		/* Rebuild what A sent for this arrival's position in the stream. */
		const uint32_t order[] = {1, 2, 2, 3, 4, 5, 6};
		struct lt_seg s = {.src = LT_A,
				   .dst = LT_B,
				   .sport = 40000,
				   .dport = 80,
				   .seq = order[n - 1],
				   .flags = SK_TCP_ACK,
				   .payload = 10,
				   .fill = 'x'};
		uint8_t f[200];
		size_t len = lt_ip_tcp(f, sizeof(f), &s);
		assert_int_equal(arr->len, len);
		int d = bits_differing(f, arr->data, len);
		assert_int_equal(d, order[n - 1] == 3 ? 1 : 0);
		corrupted += d;
	}
	assert_int_equal(n, 7);
	assert_int_equal(corrupted, 1);
	struct sk_simnet_counters c;
	sk_simnet_path_counters(w.net, w.a, w.b, &c);
	assert_true(c.corrupted == 1 && c.duplicated == 1);
	world_free(&w);
}

/* Rules narrow by protocol and direction. */
static void test_rule_filters(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	struct sk_simnet_rule udp = {.l4 = SK_L4_UDP};
	struct sk_simnet_rule to_a = {.to = w.a, .first = 1, .last = 1};
	assert_true(sk_simnet_add_rule(w.net, &udp) >= 0);
	assert_true(sk_simnet_add_rule(w.net, &to_a) >= 0);
	world_play(&w, stream, NSTREAM);
	uint32_t seqs[16];
	assert_int_equal(received(&w, 1, seqs, NULL), 6);
	assert_int_equal(received(&w, 0, seqs, NULL), 2);
	assert_true(seqs[0] == 102 && seqs[1] == 103);

	/* Malformed rules are refused; clearing leaves the network clean. */
	struct sk_simnet_rule bad = {.first = 4, .last = 2};
	assert_int_equal(sk_simnet_add_rule(w.net, &bad), -EINVAL);
	struct sk_simnet *other = sk_simnet_new(1, SK_LINK_RAW, NULL);
	int l = sk_simnet_add_link(other, NULL);
	struct sk_dev *stranger = sk_simnet_add_endpoint(other, l, "X", NULL);
	struct sk_simnet_rule foreign = {.from = stranger};
	assert_int_equal(sk_simnet_add_rule(w.net, &foreign), -EINVAL);
	assert_int_equal(sk_simnet_rule_stats(w.net, 7, NULL, NULL), -EINVAL);
	sk_simnet_clear_rules(w.net);
	assert_int_equal(sk_simnet_rule_stats(w.net, 0, NULL, NULL), -EINVAL);
	sk_simnet_free(other);
	world_free(&w);
}

struct hook_state {
	int calls;
	int saw_rule_drop;
};

/* Drops odd sequence numbers, delays even ones by their value in µs, and lets a frame the
 * rules dropped through again. */
static void hook(void *arg, const struct sk_simnet_frame *f, struct sk_simnet_verdict *v)
{
	struct hook_state *hs = arg;
	hs->calls++;
	assert_true(f->dec->l4 == SK_L4_TCP);
	if (v->drop) {
		hs->saw_rule_drop++;
		v->drop = 0;
		return;
	}
	if (f->dec->tcp.seq % 2)
		v->drop = 1;
	else
		v->delay_us = f->dec->tcp.seq;
}

static void test_hook(void **state)
{
	(void)state;
	struct world w;
	world_init(&w, NULL);
	struct hook_state hs = {0};
	struct sk_simnet_rule r = {.from = w.a, .first = 1, .last = 1}; /* seq 1: undone */
	assert_true(sk_simnet_add_rule(w.net, &r) >= 0);
	sk_simnet_set_hook(w.net, hook, &hs);
	world_play(&w, stream, NSTREAM);
	assert_int_equal(hs.calls, NSTREAM);
	assert_int_equal(hs.saw_rule_drop, 1);
	uint32_t seqs[16];
	uint64_t ats[16];
	assert_int_equal(received(&w, 1, seqs, ats), 4);
	const uint32_t want[] = {1, 2, 4, 6};
	const uint64_t want_at[] = {0, 1002, 3004, 5006};
	assert_memory_equal(seqs, want, sizeof(want));
	assert_memory_equal(ats, want_at, sizeof(want_at));
	assert_int_equal(received(&w, 0, seqs, ats), 1); /* 101, 103 odd */
	assert_true(seqs[0] == 102 && ats[0] == 2102);
	sk_simnet_set_hook(w.net, NULL, NULL);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_second_a_to_b),
		cmocka_unit_test(test_occurrence_ranges_and_limits),
		cmocka_unit_test(test_drop_every_synack),
		cmocka_unit_test(test_delay_fin),
		cmocka_unit_test(test_drop_segments_with_payload),
		cmocka_unit_test(test_corrupt_and_duplicate_nth),
		cmocka_unit_test(test_rule_filters),
		cmocka_unit_test(test_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
