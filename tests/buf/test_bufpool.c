/* The stack's cache of byte-queue storage (src/buf/bufpool.c), and the size a queue asks it
 * for after it emptied (struct sk_bytes): a bulk sender whose queue empties between writes
 * gets its ring back whole, not from 2 KiB by doublings that copy. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "buf/bufpool.h"
#include "tcp/tcb.h"

static uint8_t *get(struct sk_bufpool *p, uint32_t need, uint32_t want, uint32_t *cap)
{
	uint8_t *b = sk_bufpool_get(p, need, want, cap, 0);
	assert_non_null(b);
	return b;
}

/* A kept block up to want is taken before one beyond it: the largest such; else the
 * smallest that fits; else a new power of two from 2 KiB. */
static void test_pool_choice(void **state)
{
	(void)state;
	struct sk_bufpool p = {0};
	uint32_t caps[] = {32768, 65536, 262144}, cap;
	uint8_t *kept[3];
	for (int i = 0; i < 3; i++) {
		kept[i] = get(&p, caps[i], caps[i], &cap);
		assert_int_equal(cap, caps[i]);
	}
	for (int i = 0; i < 3; i++)
		sk_bufpool_put(&p, kept[i], caps[i], 0);
	uint8_t *b = get(&p, 20000, 100000, &cap);
	assert_int_equal(cap, 65536); /* the largest up to want */
	sk_bufpool_put(&p, b, cap, 0);
	b = get(&p, 20000, 20000, &cap);
	assert_int_equal(cap, 32768); /* none up to want: the smallest that fits */
	sk_bufpool_put(&p, b, cap, 0);
	b = get(&p, 40000, 1u << 20, &cap);
	assert_int_equal(cap, 262144);
	sk_bufpool_put(&p, b, cap, 0);
	b = get(&p, 300000, 1u << 20, &cap);
	assert_int_equal(cap, 524288); /* nothing kept fits: a new one */
	free(b - SK_BUFPOOL_HEAD);
	sk_bufpool_drain(&p);
	b = get(&p, 100, 1u << 20, &cap);
	assert_int_equal(cap, 2048); /* want never makes a new block larger */
	free(b - SK_BUFPOOL_HEAD);
}

/* A queue that grew to 1 MiB, emptied and filled again asks for its old size: it gets the
 * kept ring at once. Once the pool has let it go, a new ring starts small again. */
static void test_queue_refills_at_its_size(void **state)
{
	(void)state;
	int err = 0;
	synack_stack *st = synack_stack_new(NULL, &err);
	assert_non_null(st);
	static uint8_t data[1u << 20];
	memset(data, 0x5a, sizeof(data));
	struct sk_bytes q = {0};
	for (uint32_t off = 0; off < sizeof(data); off += 65536)
		assert_int_equal(sk_bytes_push(st, &q, data + off, 65536, UINT32_MAX), 65536);
	assert_int_equal(sk_bytes_cap(&q), 1u << 20);
	sk_bytes_drop(&q, q.len);
	sk_bytes_shrink(st, &q);
	assert_null(q.buf);
	assert_int_equal(sk_bytes_push(st, &q, data, 65536, UINT32_MAX), 65536);
	assert_int_equal(sk_bytes_cap(&q), 1u << 20);
	uint8_t back[65536];
	assert_int_equal(sk_bytes_peek(&q, 0, back, sizeof(back)), sizeof(back));
	assert_memory_equal(back, data, sizeof(back));
	sk_bytes_drop(&q, q.len);
	sk_bytes_shrink(st, &q);
	sk_bufpool_drain(&st->bufpool);
	assert_int_equal(sk_bytes_push(st, &q, data, 100, UINT32_MAX), 100);
	assert_int_equal(sk_bytes_cap(&q), 2048);
	sk_bytes_free(st, &q);
	synack_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_choice),
		cmocka_unit_test(test_queue_refills_at_its_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
