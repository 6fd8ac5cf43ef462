/* The byte-queue storage cache (bufpool.h). */
#include "buf/bufpool.h"

#include <stdlib.h>

uint8_t *sk_bufpool_get(struct sk_bufpool *p, uint32_t need, uint32_t want, uint32_t *cap, uint64_t now)
{
	int best = -1;
	for (int i = 0; i < p->n; i++) {
		uint32_t c = p->cap[i], b = best < 0 ? 0 : p->cap[best];
		if (c < need)
			continue;
		/* any block up to want before any beyond it; the larger up to want, the smaller
		 * beyond */
		if (best < 0 || (c <= want ? b > want || c > b : b > want && c < b))
			best = i;
	}
	if (best >= 0) {
		uint8_t *b = p->buf[best];
		*cap = p->cap[best];
		p->bytes -= p->cap[best];
		p->n--;
		p->buf[best] = p->buf[p->n];
		p->cap[best] = p->cap[p->n];
		p->last_use = now;
		return b;
	}
	uint32_t c = 2048;
	while (c < need && c < (1u << 31))
		c *= 2;
	uint8_t *b = malloc((size_t)c + SK_BUFPOOL_HEAD);
	if (!b)
		return NULL;
	*cap = c;
	return b + SK_BUFPOOL_HEAD;
}

void sk_bufpool_put(struct sk_bufpool *p, uint8_t *buf, uint32_t cap, uint64_t now)
{
	if (!buf)
		return;
	if (cap < SK_BUFPOOL_MIN || p->n == SK_BUFPOOL_SLOTS || p->bytes + cap > SK_BUFPOOL_BYTES) {
		free(buf - SK_BUFPOOL_HEAD);
		return;
	}
	p->buf[p->n] = buf;
	p->cap[p->n] = cap;
	p->n++;
	p->bytes += cap;
	p->last_use = now;
}

uint64_t sk_bufpool_deadline(const struct sk_bufpool *p)
{
	return p->n ? p->last_use + SK_BUFPOOL_IDLE_US : UINT64_MAX;
}

void sk_bufpool_drain(struct sk_bufpool *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->buf[i] - SK_BUFPOOL_HEAD);
	p->n = 0;
	p->bytes = 0;
}
