/* A small seeded pseudo-random generator (xoshiro256**, seeded through splitmix64): the
 * same seed gives the same stream on every platform, so simulations replay bit for bit. */
#ifndef SK_RNG_H
#define SK_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Owned by whoever draws from it (a stack, a simulated network); never shared state. */
struct sk_rng {
	uint64_t s[4];
};

/* Seeds the generator; any seed, 0 included, gives a full-period stream. */
void sk_rng_seed(struct sk_rng *r, uint64_t seed);
/* A uniformly distributed 64-bit value. */
uint64_t sk_rng_u64(struct sk_rng *r);
/* A uniform value in [0, n), without modulo bias; 0 when n is 0. */
uint64_t sk_rng_below(struct sk_rng *r, uint64_t n);
/* A uniform double in [0, 1), 53 bits of randomness. */
double sk_rng_double(struct sk_rng *r);
/* 1 with probability p, else 0. p <= 0 and p >= 1 draw nothing, so a disabled impairment
 * leaves the stream of the enabled ones unchanged. */
int sk_rng_bernoulli(struct sk_rng *r, double p);

/* Fills buf from the system's entropy (getrandom(2)), retrying when interrupted. 0, or
 * -errno when the system has none to give. */
int sk_system_random(void *buf, size_t len);

#endif
