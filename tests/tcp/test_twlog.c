/* TIME-WAIT records' memory (src/tcp/twlog.c): records in slabs in arrival order, expired
 * exactly at 2MSL oldest first by one timer, slabs freed as soon as nothing in them is
 * left, a restart (TW-1) written again at the tail, IPv4 and IPv6 records in chains of
 * their own. Driven through a real stack with its virtual clock (synack_poll). */
#include "testutil.h"

#include <string.h>

#include "stack/stack.h"
#include "tcp/tcb.h"
#include "wire/tcp.h"

#define MSL2 (2ull * 30000 * 1000) /* the default 2MSL, µs */
#define LOCAL 0xc0000201u          /* 192.0.2.1 */
#define REMOTE 0xc0000202u         /* 192.0.2.2 */

static synack_stack *new_stack(void)
{
	int err = 0;
	synack_stack *st = synack_stack_new(NULL, &err);
	assert_non_null(st);
	return st;
}

/* A TIME-WAIT record for local port lport as sk_tw_enter makes one, at the stack's now. */
static struct sk_tw *enter(synack_stack *st, uint16_t lport, int v6)
{
	struct sk_tw *w = sk_twlog_alloc(st, v6, st->now + MSL2);
	assert_non_null(w);
	w->h.key = (struct sk_conn_key){.laddr = LOCAL, .raddr = REMOTE, .lport = lport, .rport = 80};
	if (v6) {
		struct sk_ends e = {.v6 = 1, .l6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, .r6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
		assert_int_equal(sk_conn_set_ends(&w->h, &e), 0);
	}
	w->snd_nxt = 1000;
	w->rcv_nxt = 2000 + lport;
	sk_ctable_add(st, &w->h);
	return w;
}

static struct sk_conn *find(synack_stack *st, uint16_t lport, int v6)
{
	struct sk_ends e = sk_ends4(LOCAL, REMOTE);
	if (v6)
		e = (struct sk_ends){.v6 = 1, .l6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, .r6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	return sk_ctable_find(st, &e, lport, 80);
}

/* 1,000 records written 1 ms apart fill three slabs; each is there until exactly 2MSL after
 * it was written and gone at that instant, and the slabs go with the last of theirs. */
static void test_expiry_exact_and_in_order(void **state)
{
	(void)state;
	synack_stack *st = new_stack();
	enum { N = 1000 };
	for (int i = 0; i < N; i++) {
		synack_poll(st, (uint64_t)i * 1000);
		enter(st, (uint16_t)(10000 + i), 0);
	}
	assert_int_equal(st->stats.time_wait, N);
	assert_int_equal(sizeof(struct sk_tw), 48); /* the record over IPv4: no timer of its own */
	uint64_t slabs = sk_twlog_slabs(&st->twlog);
	assert_true(slabs >= 3);
	for (int i = 0; i < N; i += 37) {
		synack_poll(st, (uint64_t)i * 1000 + MSL2 - 1);
		assert_non_null(find(st, (uint16_t)(10000 + i), 0));
		assert_int_equal(st->stats.time_wait, (uint64_t)(N - i));
		synack_poll(st, (uint64_t)i * 1000 + MSL2);
		assert_null(find(st, (uint16_t)(10000 + i), 0));
		assert_int_equal(st->stats.time_wait, (uint64_t)(N - i - 1));
	}
	assert_true(sk_twlog_slabs(&st->twlog) < slabs); /* the oldest slabs are gone already */
	synack_poll(st, (uint64_t)N * 1000 + MSL2);
	assert_int_equal(st->stats.time_wait, 0);
	assert_int_equal(sk_twlog_slabs(&st->twlog), 0);
	assert_false(sk_timer_armed(&st->twlog.timer));
	synack_stack_free(st);
}

/* Records that end early (a RST, a new SYN, tcp_tw_reuse: sk_tw_free) free their slab as
 * soon as its last one goes, wherever the slab is; the others still expire on time. */
static void test_early_end_frees_slab(void **state)
{
	(void)state;
	synack_stack *st = new_stack();
	enum { N = 1000 };
	struct sk_tw *w[N];
	for (int i = 0; i < N; i++)
		w[i] = enter(st, (uint16_t)(20000 + i), 0);
	uint64_t slabs = sk_twlog_slabs(&st->twlog);
	/* End every record of the slab that holds record 500 (a middle one). */
	uintptr_t mid = (uintptr_t)w[500] & ~(uintptr_t)(SK_TWSLAB_BYTES - 1);
	int ended = 0;
	for (int i = 0; i < N; i++) {
		if (((uintptr_t)w[i] & ~(uintptr_t)(SK_TWSLAB_BYTES - 1)) == mid) {
			sk_tw_free(st, w[i]);
			ended++;
		}
	}
	assert_true(ended > 100);
	assert_int_equal(sk_twlog_slabs(&st->twlog), slabs - 1);
	assert_int_equal(st->stats.time_wait, (uint64_t)(N - ended));
	/* One more, in the first slab: that slab stays for the rest of its records. */
	sk_tw_free(st, w[0]);
	assert_int_equal(sk_twlog_slabs(&st->twlog), slabs - 1);
	synack_poll(st, MSL2 - 1);
	assert_int_equal(st->stats.time_wait, (uint64_t)(N - ended - 1));
	synack_poll(st, MSL2);
	assert_int_equal(st->stats.time_wait, 0);
	assert_int_equal(sk_twlog_slabs(&st->twlog), 0);
	synack_stack_free(st);
}

/* A retransmitted FIN in TIME-WAIT (TW-1) restarts 2MSL: the record is written again at
 * the tail (the same 4-tuple, the same contents) and its old slot is let go. */
static void test_restart_moves_to_tail(void **state)
{
	(void)state;
	synack_stack *st = new_stack();
	struct sk_tw *a = enter(st, 30000, 0);
	synack_poll(st, 5000000);
	enter(st, 30001, 0);
	struct sk_tcp fin = {.sport = 80, .dport = 30000, .seq = a->rcv_nxt - 1, .ack = a->snd_nxt,
			     .flags = SK_TCP_FIN | SK_TCP_ACK, .win = 100};
	struct sk_ends e = sk_ends4(LOCAL, REMOTE);
	synack_poll(st, 10000000);
	sk_tw_segment(st, a, &e, &fin); /* (its ACK has no route here; the restart is what counts) */
	struct sk_tw *b = (struct sk_tw *)find(st, 30000, 0);
	assert_non_null(b);
	assert_ptr_not_equal(b, a);
	assert_int_equal(b->rcv_nxt, 2000 + 30000);
	assert_int_equal(b->expires, 10000000 + MSL2);
	assert_int_equal(st->stats.time_wait, 2);
	/* 30001 (written at 5 s) goes first, then the restarted one at 70 s. */
	synack_poll(st, 5000000 + MSL2);
	assert_null(find(st, 30001, 0));
	assert_non_null(find(st, 30000, 0));
	synack_poll(st, 10000000 + MSL2 - 1);
	assert_non_null(find(st, 30000, 0));
	synack_poll(st, 10000000 + MSL2);
	assert_null(find(st, 30000, 0));
	assert_int_equal(sk_twlog_slabs(&st->twlog), 0);
	synack_stack_free(st);
}

static void fin_again(synack_stack *st, struct sk_tw *w)
{
	struct sk_tcp fin = {.sport = 80, .dport = w->h.key.lport, .seq = w->rcv_nxt - 1, .ack = w->snd_nxt,
			     .flags = SK_TCP_FIN | SK_TCP_ACK, .win = 100};
	struct sk_ends e = sk_ends4(LOCAL, REMOTE);
	sk_tw_segment(st, w, &e, &fin);
}

/* The newest record restarts where it is; a record alone in its slab moves out and its slab
 * is freed after the table points at the new copy (ASan would see the old order); and a
 * peer repeating FINs for two records in turn cannot make the log grow past twice what its
 * live records need: past that a restart keeps the old expiry. */
static void test_restart_bounded(void **state)
{
	(void)state;
	synack_stack *st = new_stack();
	struct sk_tw *a = enter(st, 31000, 0);
	for (int i = 0; i < 1000; i++) {
		synack_poll(st, (uint64_t)i * 1000);
		fin_again(st, a);
		assert_ptr_equal(find(st, 31000, 0), a); /* in place: it is the newest */
	}
	assert_int_equal(a->expires, 999000 + MSL2);
	assert_int_equal(sk_twlog_slabs(&st->twlog), 1);
	/* a alone in its slab: the others of the slab end early, then b is written after it */
	struct sk_tw *fill[400];
	int n = 0;
	while (((uintptr_t)a & ~(uintptr_t)(SK_TWSLAB_BYTES - 1)) ==
	       ((uintptr_t)(fill[n] = enter(st, (uint16_t)(32000 + n), 0)) & ~(uintptr_t)(SK_TWSLAB_BYTES - 1)))
		n++;
	for (int i = 0; i < n; i++)
		sk_tw_free(st, fill[i]);
	struct sk_tw *b = fill[n]; /* the first of the next slab */
	assert_int_equal(sk_twlog_slabs(&st->twlog), 2);
	fin_again(st, a); /* a moves behind b; its slab is freed */
	struct sk_tw *a2 = (struct sk_tw *)find(st, 31000, 0);
	assert_non_null(a2);
	assert_ptr_not_equal(a2, a);
	assert_int_equal(a2->rcv_nxt, 2000 + 31000);
	assert_int_equal(sk_twlog_slabs(&st->twlog), 1);
	/* FINs for a and b in turn, each moving a record and leaving a tombstone, and after
	 * every 400 of them one more record that stays: without a bound each of those would
	 * hold a slab of tombstones (50 records, 50 slabs of 16 KiB) */
	uint64_t t = 2000000;
	for (int k = 0; k < 50; k++) {
		enter(st, (uint16_t)(33000 + k), 0);
		for (int i = 0; i < 400; i++) {
			synack_poll(st, ++t);
			fin_again(st, (struct sk_tw *)find(st, (uint16_t)(i % 2 ? 31000 : 32000 + n), 0));
		}
	}
	assert_int_equal(st->stats.time_wait, 52);
	assert_true(sk_twlog_slabs(&st->twlog) <= 3);
	assert_non_null(find(st, 31000, 0));
	assert_non_null(find(st, (uint16_t)(32000 + n), 0));
	(void)b;
	/* all still end: no later than 2MSL after their last restart */
	synack_poll(st, t + MSL2);
	assert_int_equal(st->stats.time_wait, 0);
	assert_int_equal(sk_twlog_slabs(&st->twlog), 0);
	synack_stack_free(st);
}

/* IPv6 records (with room for their addresses) keep a chain of their own, interleaved in
 * time with IPv4 ones; both expire on time. A stack freed with records left frees them. */
static void test_ipv6_chain(void **state)
{
	(void)state;
	synack_stack *st = new_stack();
	enter(st, 40000, 1);
	synack_poll(st, 1000);
	enter(st, 40001, 0);
	synack_poll(st, 2000);
	enter(st, 40002, 1);
	assert_int_equal(st->twlog.c[1].size, 80);
	assert_non_null(st->twlog.c[0].head);
	assert_non_null(st->twlog.c[1].head);
	assert_non_null(find(st, 40000, 1));
	synack_poll(st, MSL2);
	assert_null(find(st, 40000, 1));
	assert_non_null(find(st, 40001, 0));
	synack_poll(st, 1000 + MSL2);
	assert_null(find(st, 40001, 0));
	assert_non_null(find(st, 40002, 1));
	synack_stack_free(st); /* one record left: ASan sees its slab freed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expiry_exact_and_in_order),
		cmocka_unit_test(test_early_end_frees_slab),
		cmocka_unit_test(test_restart_moves_to_tail),
		cmocka_unit_test(test_restart_bounded),
		cmocka_unit_test(test_ipv6_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
