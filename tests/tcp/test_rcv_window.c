/* The receive window a reader opens when the stack takes each flight as one batch before
 * the application reads it (REL-6), as synack's runtime does: the batch's one ACK offers
 * the buffer less the unread flight, and the read a moment later opens it again. A sender
 * in slow start behind a 20 ms round trip must still be let to double its flight each
 * round trip; with Linux's doubling rule alone for the window update after the read, each
 * flight was held to about the one before it (docs/loss-recovery.md section 18). */
#include "testutil.h"

#include "sim/world.h"
#include "stack/addr.h"

#define ADDR_A 0x0a000001u
#define ADDR_B 0x0a000002u
#define OWD 10000u /* one-way delay, µs */
#define ROUNDS 12

/* a connected to b (b's socket in *s), frames taken in batches; nothing else tuned: b's
 * buffer autotunes. */
static struct sk_world *connected(synack_stack **sa, int *c, synack_stack **sb, int *s)
{
	struct sk_world_opts wo = {.seed = 5, .link = {.delay_us = OWD}, .batch_rx = 1};
	int err = 0;
	struct sk_world *w = sk_world_new(&wo, &err);
	assert_non_null(w);
	int a = sk_world_add_host(w, "a", ADDR_A, NULL), b = sk_world_add_host(w, "b", ADDR_B, NULL);
	assert_true(a == 0 && b == 1);
	*sa = sk_world_stack(w, a);
	*sb = sk_world_stack(w, b);
	int l = synack_socket(*sb, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr addr = sk_sa_from4(0, 5001);
	assert_int_equal(synack_bind(*sb, l, &addr), 0);
	assert_int_equal(synack_listen(*sb, l, 8), 0);
	*c = synack_socket(*sa, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	addr = sk_sa_from4(ADDR_B, 5001);
	synack_connect(*sa, *c, &addr);
	while ((*s = synack_accept(*sb, l, NULL)) < 0)
		assert_true(sk_world_step(w, 1000000) != UINT64_MAX);
	return w;
}

/* a keeps its send buffer full; b's application reads what has arrived once per round trip,
 * after each flight: what it finds is the flight a sent in that round trip. */
static void test_window_keeps_up_with_slow_start(void **state)
{
	(void)state;
	synack_stack *sa, *sb;
	int c, s;
	struct sk_world *w = connected(&sa, &c, &sb, &s);
	static uint8_t data[65536], in[1 << 20];
	uint32_t flight[ROUNDS] = {0};
	uint64_t t = sk_world_now(w);
	for (int round = 0; round < ROUNDS; round++) {
		for (uint64_t end = t + 2 * OWD; sk_world_now(w) < end;) {
			while (synack_send(sa, c, data, sizeof(data), 0) > 0)
				;
			uint64_t next = sk_world_now(w) + 500;
			sk_world_run_until(w, next < end ? next : end);
		}
		t += 2 * OWD;
		ssize_t n;
		while ((n = synack_recv(sb, s, in, sizeof(in), 0)) > 0)
			flight[round] += (uint32_t)n;
	}
	int checked = 0;
	for (int i = 1; i < ROUNDS; i++) {
		print_message("round %d: %u bytes (%.2f times the one before)\n", i, flight[i],
			      flight[i - 1] ? (double)flight[i] / flight[i - 1] : 0.0);
		/* from the second round trip until flights pass 1 MiB (a's send buffer, 4 MiB,
		 * ends slow start's doubling a little later) */
		if (flight[i - 1] < 16 * 1024 || flight[i - 1] > (1u << 20))
			continue;
		assert_true(flight[i] * 10ull >= flight[i - 1] * 17ull); /* at least 1.7 times */
		checked++;
	}
	assert_true(checked >= 5);
	sk_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_keeps_up_with_slow_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
