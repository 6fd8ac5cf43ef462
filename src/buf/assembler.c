/* The receive assembler (see assembler.h). */
#include "buf/assembler.h"

#include <string.h>

#include "tcp/seq.h"

void sk_asm_init(struct sk_assembler *a)
{
	memset(a, 0, sizeof(*a));
}

static void mru_remove(struct sk_assembler *a, uint8_t idx)
{
	uint8_t k = 0;
	for (uint8_t i = 0; i < a->nmru; i++)
		if (a->mru[i] != idx)
			a->mru[k++] = a->mru[i];
	a->nmru = k;
}

/* Range idx was removed from r[]: indices above it shift down. */
static void mru_shift(struct sk_assembler *a, uint8_t idx)
{
	mru_remove(a, idx);
	for (uint8_t i = 0; i < a->nmru; i++)
		if (a->mru[i] > idx)
			a->mru[i]--;
}

static void mru_touch(struct sk_assembler *a, uint8_t idx)
{
	mru_remove(a, idx);
	memmove(a->mru + 1, a->mru, a->nmru);
	a->mru[0] = idx;
	a->nmru++;
}

static void remove_range(struct sk_assembler *a, uint8_t i)
{
	memmove(&a->r[i], &a->r[i + 1], (size_t)(a->n - i - 1) * sizeof(a->r[0]));
	a->n--;
	mru_shift(a, i);
}

/* RFC 2883 4: the part of [left, right) already held (from the first overlap to the end of
 * the last) is a duplicate, reported as the next D-SACK block; 0 if nothing was. */
static int dsack_overlap(struct sk_assembler *a, uint32_t left, uint32_t right)
{
	int have = 0;
	struct sk_range d = {0, 0};
	for (uint8_t i = 0; i < a->n; i++) {
		uint32_t l = seq_max(left, a->r[i].left), r = seq_min(right, a->r[i].right);
		if (!seq_lt(l, r))
			continue;
		if (!have)
			d.left = l;
		d.right = r;
		have = 1;
	}
	if (have)
		sk_asm_dsack(a, d.left, d.right);
	return have;
}

int sk_asm_add(struct sk_assembler *a, uint32_t left, uint32_t right)
{
	if (!seq_lt(left, right))
		return 0;
	if (dsack_overlap(a, left, right)) {
		/* Already fully held: nothing more to record. */
		for (uint8_t i = 0; i < a->n; i++) {
			if (seq_geq(left, a->r[i].left) && seq_leq(right, a->r[i].right)) {
				mru_touch(a, i);
				return 0;
			}
		}
	}
	/* Find the first range that ends at or after left (they are sorted). */
	uint8_t i = 0;
	while (i < a->n && seq_lt(a->r[i].right, left))
		i++;
	if (i == a->n || seq_gt(a->r[i].left, right)) {
		/* No overlap or contact: a new range at i. */
		if (a->n == SK_ASM_MAX)
			return -1;
		memmove(&a->r[i + 1], &a->r[i], (size_t)(a->n - i) * sizeof(a->r[0]));
		for (uint8_t k = 0; k < a->nmru; k++)
			if (a->mru[k] >= i)
				a->mru[k]++;
		a->r[i] = (struct sk_range){left, right};
		a->n++;
		mru_touch(a, i);
		return 0;
	}
	/* Merge with r[i] and every following range it reaches. */
	a->r[i].left = seq_min(a->r[i].left, left);
	a->r[i].right = seq_max(a->r[i].right, right);
	while (i + 1 < a->n && seq_geq(a->r[i].right, a->r[i + 1].left)) {
		a->r[i].right = seq_max(a->r[i].right, a->r[i + 1].right);
		remove_range(a, (uint8_t)(i + 1));
	}
	mru_touch(a, i);
	return 0;
}

uint32_t sk_asm_advance(struct sk_assembler *a, uint32_t nxt)
{
	dsack_overlap(a, a->n ? a->r[0].left : nxt, nxt); /* in-order data over held ranges */
	while (a->n && seq_leq(a->r[0].left, nxt)) {
		nxt = seq_max(nxt, a->r[0].right);
		remove_range(a, 0);
	}
	return nxt;
}

void sk_asm_dsack(struct sk_assembler *a, uint32_t left, uint32_t right)
{
	a->dsack = (struct sk_range){left, right};
	a->has_dsack = 1;
}

int sk_asm_sack_blocks(struct sk_assembler *a, struct sk_range *out, int max)
{
	int k = 0;
	if (a->has_dsack && k < max) {
		out[k++] = a->dsack;
		a->has_dsack = 0;
	}
	for (uint8_t i = 0; i < a->nmru && k < max; i++)
		out[k++] = a->r[a->mru[i]];
	return k;
}

uint32_t sk_asm_bytes(const struct sk_assembler *a)
{
	uint32_t b = 0;
	for (uint8_t i = 0; i < a->n; i++)
		b += a->r[i].right - a->r[i].left;
	return b;
}
