/* xoshiro256** seeded with splitmix64, the derived uniform/Bernoulli draws, and the
 * system's entropy for what must not repeat. */
#include "base/rng.h"

#include <errno.h>
#include <sys/random.h>
#include <sys/types.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void sk_rng_seed(struct sk_rng *r, uint64_t seed)
{
	/* splitmix64 never yields four zero words, the one state xoshiro cannot leave. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t sk_rng_u64(struct sk_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t sk_rng_below(struct sk_rng *r, uint64_t n)
{
	if (n == 0)
		return 0;
	/* Values under 2^64 mod n would make the low residues more likely: redraw them. */
	uint64_t threshold = (0 - n) % n;
	for (;;) {
		uint64_t x = sk_rng_u64(r);
		if (x >= threshold)
			return x % n;
	}
}

double sk_rng_double(struct sk_rng *r)
{
	return (double)(sk_rng_u64(r) >> 11) * 0x1.0p-53;
}

int sk_rng_bernoulli(struct sk_rng *r, double p)
{
	if (!(p > 0))
		return 0;
	if (p >= 1)
		return 1;
	return sk_rng_double(r) < p;
}

/* getrandom(2) is no clock and no I/O a caller drives: the sans-I/O core may ask it. */
int sk_system_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
