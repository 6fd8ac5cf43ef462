/* The receive assembler: merging, advancing, SACK block order (REL-5) and D-SACK, checked
 * against a byte-map model on random segments. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "buf/assembler.h"

/* RFC 2018 section 4: the first block holds the most recently received segment; the
 * others follow in order of recency. */
static void test_rel_5_sack_order(void **state)
{
	(void)state;
	struct sk_assembler a;
	sk_asm_init(&a);
	uint32_t base = 0xfffff000u; /* crosses the 2^32 wrap */
	assert_int_equal(sk_asm_add(&a, base + 1000, base + 2000), 0);
	assert_int_equal(sk_asm_add(&a, base + 3000, base + 4000), 0);
	assert_int_equal(sk_asm_add(&a, base + 5000, base + 6000), 0);
	struct sk_range b[4];
	int n = sk_asm_sack_blocks(&a, b, 4);
	assert_int_equal(n, 3);
	assert_int_equal(b[0].left, base + 5000);
	assert_int_equal(b[1].left, base + 3000);
	assert_int_equal(b[2].left, base + 1000);
	/* A segment extending the oldest block makes it the first. */
	sk_asm_add(&a, base + 2000, base + 2500);
	n = sk_asm_sack_blocks(&a, b, 3);
	assert_int_equal(b[0].left, base + 1000);
	assert_int_equal(b[0].right, base + 2500);
	assert_int_equal(b[1].left, base + 5000);
	/* Filling a hole merges ranges. */
	sk_asm_add(&a, base + 2500, base + 3000);
	assert_int_equal(a.n, 2);
	n = sk_asm_sack_blocks(&a, b, 3);
	assert_int_equal(n, 2);
	assert_int_equal(b[0].left, base + 1000);
	assert_int_equal(b[0].right, base + 4000);
	/* In-order data reaching the first range absorbs it. */
	assert_int_equal(sk_asm_advance(&a, base + 1000), base + 4000);
	assert_int_equal(a.n, 1);
	assert_int_equal(sk_asm_advance(&a, base + 4500), base + 4500);
	assert_int_equal(sk_asm_bytes(&a), 1000);
}

/* RFC 2883: a duplicate is reported once, as the first block. */
static void test_rel_5_dsack(void **state)
{
	(void)state;
	struct sk_assembler a;
	sk_asm_init(&a);
	sk_asm_add(&a, 3000, 4000);
	sk_asm_add(&a, 3000, 3500); /* duplicate within a held range */
	struct sk_range b[4];
	int n = sk_asm_sack_blocks(&a, b, 4);
	assert_int_equal(n, 2);
	assert_int_equal(b[0].left, 3000);
	assert_int_equal(b[0].right, 3500);
	assert_int_equal(b[1].left, 3000);
	assert_int_equal(b[1].right, 4000);
	n = sk_asm_sack_blocks(&a, b, 4);
	assert_int_equal(n, 1); /* reported once */
	sk_asm_dsack(&a, 100, 200); /* below rcv_nxt */
	n = sk_asm_sack_blocks(&a, b, 1);
	assert_int_equal(n, 1);
	assert_int_equal(b[0].left, 100);
}

/* Model check: random segments; the assembler's ranges equal the model's held bytes. */
static void test_random_against_model(void **state)
{
	(void)state;
	srand(3);
	for (int round = 0; round < 200; round++) {
		static uint8_t held[4096];
		memset(held, 0, sizeof(held));
		struct sk_assembler a;
		sk_asm_init(&a);
		uint32_t base = (uint32_t)rand() * 2654435761u, nxt = base;
		for (int k = 0; k < 60; k++) {
			uint32_t off = (uint32_t)(rand() % 4000), len = (uint32_t)(rand() % 200 + 1);
			if (off + len > 4096)
				len = 4096 - off;
			uint32_t l = base + off, r = l + len;
			if (off < nxt - base) {
				if (off + len <= nxt - base)
					continue;
				l = nxt;
			}
			struct sk_assembler before = a;
			if (sk_asm_add(&a, l, r) < 0) {
				assert_int_equal(before.n, SK_ASM_MAX);
				continue;
			}
			for (uint32_t s = l - base; s < r - base; s++)
				held[s] = 1;
			if (rand() % 4 == 0) {
				/* in-order data up to a random point */
				uint32_t upto = nxt + (uint32_t)(rand() % 300);
				for (uint32_t s = nxt - base; s < upto - base && s < 4096; s++)
					held[s] = 1;
				nxt = sk_asm_advance(&a, upto);
				uint32_t expect = upto - base;
				while (expect < 4096 && held[expect])
					expect++;
				assert_int_equal(nxt - base, expect);
			}
			/* every range is held, sorted, separated by a gap; and held bytes past
			 * nxt are all inside some range */
			uint32_t total = 0;
			for (int i = 0; i < a.n; i++) {
				assert_true((int32_t)(a.r[i].right - a.r[i].left) > 0);
				if (i)
					assert_true((int32_t)(a.r[i].left - a.r[i - 1].right) > 0);
				for (uint32_t s = a.r[i].left - base; s < a.r[i].right - base; s++)
					assert_int_equal(held[s], 1);
				total += a.r[i].right - a.r[i].left;
			}
			uint32_t model = 0;
			for (uint32_t s = nxt - base; s < 4096; s++)
				model += held[s];
			assert_int_equal(total, model);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rel_5_sack_order),
		cmocka_unit_test(test_rel_5_dsack),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
