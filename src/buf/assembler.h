/* The receive assembler: which ranges beyond rcv_nxt hold out-of-order data (the bytes
 * themselves sit at their place in the receive ring), and the SACK blocks that describe them
 * (RFC 2018: the block of the latest segment first; RFC 2883: a D-SACK block first when a
 * duplicate arrived). Sequence numbers are absolute and compared modulo 2^32. */
#ifndef SK_ASSEMBLER_H
#define SK_ASSEMBLER_H

#include <stdint.h>

#define SK_ASM_MAX 16 /* ranges kept; a segment that would need more is dropped */

struct sk_range {
	uint32_t left, right; /* [left, right) */
};

struct sk_assembler {
	uint8_t n;                   /* ranges in use, sorted by left edge */
	uint8_t mru[SK_ASM_MAX];     /* range indices, most recently touched first */
	uint8_t nmru;
	uint8_t has_dsack;
	struct sk_range r[SK_ASM_MAX];
	struct sk_range dsack;       /* to report once (RFC 2883) */
};

void sk_asm_init(struct sk_assembler *a);

/* Records that [left, right) arrived, with rcv_nxt as given (left >= rcv_nxt expected: the
 * caller trims what is below). Returns 0, or -1 if it would need more than SK_ASM_MAX ranges
 * (the caller drops the segment's data). The part already held is a duplicate and becomes
 * the next D-SACK block (RFC 2883 4). */
int sk_asm_add(struct sk_assembler *a, uint32_t left, uint32_t right);

/* rcv_nxt moved to nxt (in-order data arrived): returns the new rcv_nxt after absorbing
 * ranges now contiguous with it (they are removed). Held ranges the new data overlapped
 * become the next D-SACK block. */
uint32_t sk_asm_advance(struct sk_assembler *a, uint32_t nxt);

/* A duplicate below rcv_nxt arrived: report it as D-SACK [left, right). */
void sk_asm_dsack(struct sk_assembler *a, uint32_t left, uint32_t right);

/* Fills up to max blocks for the next ACK: the D-SACK block first if one is pending (and
 * consumes it), then ranges most recently touched first. Returns the count. */
int sk_asm_sack_blocks(struct sk_assembler *a, struct sk_range *out, int max);

/* Bytes held out of order. */
uint32_t sk_asm_bytes(const struct sk_assembler *a);

#endif
