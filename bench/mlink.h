/* An in-memory link between two stacks for benchmarks: each stack's output lands in the
 * other's inbox, copied as a wire would; optional seeded random loss. */
#ifndef SK_MLINK_H
#define SK_MLINK_H

#include <stddef.h>
#include <stdint.h>

#include <synack/synack.h>

#define MLINK_SLOT 1600

struct mlink_inbox {
	uint8_t (*buf)[MLINK_SLOT];
	uint16_t *len;
	size_t head, n, cap;
};

struct mlink {
	synack_stack *a, *b;
	struct mlink_inbox to_a, to_b;
	uint64_t now;
	uint64_t packets, dropped;
	double loss;          /* probability a packet carrying data is lost */
	uint64_t rng;
};

/* A stack for a benchmark at addr (host order, /24, MTU 1500) with a secret and seed from
 * seed; with big, room for a million connections (accept and SYN queues, TIME-WAIT
 * records). Exits with a message when it cannot be made. */
synack_stack *mlink_stack(uint64_t seed, uint32_t addr, synack_output_fn out, void *ctx, int big);

/* Allocates inboxes of cap packets each; the stacks are the caller's to create with
 * mlink_out_to_a / mlink_out_to_b as their output functions and the link as context. */
int mlink_init(struct mlink *m, size_t cap);
void mlink_free(struct mlink *m);
int mlink_out_to_a(void *ctx, const uint8_t *p, size_t len, uint64_t now);
int mlink_out_to_b(void *ctx, const uint8_t *p, size_t len, uint64_t now);
/* Delivers everything queued, and whatever that provokes, at m->now. */
void mlink_drain(struct mlink *m);
/* Runs both stacks' timers up to time to, delivering what they send. */
void mlink_advance(struct mlink *m, uint64_t to);

#endif
