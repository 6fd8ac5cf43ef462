/* Shards: segments of another shard's flow passed round a ring of one-writer inboxes. */
#include <synack/shards.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define INBOX 1024 /* segments a shard may hold from the shard before it */

/* A packet handed from one shard to the next. */
struct handed {
	uint8_t *pkt;
	uint32_t len;
	uint8_t hops;     /* shards that found no connection for it, the one it came from included */
	uint8_t verified; /* its link vouched for its TCP checksum */
};

struct shard {
	synack_shards *g;
	int index;
	synack_stack *st;
	int efd;
	int hops_now; /* hops of the packet being input (the stray hook reads it) */
	/* from the shard before this one: it writes tail, this shard's thread head */
	_Atomic uint32_t head, tail;
	struct handed inbox[INBOX];
	/* written by this shard's thread only */
	uint64_t handed, taken, dropped;
};

struct synack_shards {
	int n;
	struct shard *sh;
};

/* synack_set_stray_hook: to the next shard, unless every other shard has had it already. */
static int stray(void *ctx, const uint8_t *pkt, size_t len, int verified)
{
	struct shard *me = ctx, *next = &me->g->sh[(me->index + 1) % me->g->n];
	if (me->hops_now + 1 >= me->g->n || len > UINT32_MAX)
		return 0;
	uint32_t t = atomic_load_explicit(&next->tail, memory_order_relaxed);
	uint8_t *copy = NULL;
	if (t - atomic_load_explicit(&next->head, memory_order_acquire) == INBOX || !(copy = malloc(len))) {
		me->dropped++; /* as a device drops what overflows its queue */
		return 1;
	}
	memcpy(copy, pkt, len);
	next->inbox[t % INBOX] = (struct handed){copy, (uint32_t)len, (uint8_t)(me->hops_now + 1), (uint8_t)!!verified};
	atomic_store_explicit(&next->tail, t + 1, memory_order_release);
	me->handed++;
	uint64_t one = 1;
	if (write(next->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is at its limit, so a wake-up is pending anyway */
	}
	return 1;
}

synack_shards *synack_shards_new(int n, synack_stack *const *stacks)
{
	if (n < 1 || n > 64 || !stacks) {
		errno = EINVAL;
		return NULL;
	}
	for (int i = 0; i < n; i++)
		if (!stacks[i]) {
			errno = EINVAL;
			return NULL;
		}
	synack_shards *g = calloc(1, sizeof(*g));
	struct shard *sh = calloc((size_t)n, sizeof(*sh));
	if (!g || !sh) {
		free(g);
		free(sh);
		errno = ENOMEM;
		return NULL;
	}
	g->n = n;
	g->sh = sh;
	for (int i = 0; i < n; i++) {
		sh[i].g = g;
		sh[i].index = i;
		sh[i].st = stacks[i];
		sh[i].efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (sh[i].efd < 0) {
			int e = errno;
			for (int k = 0; k < i; k++)
				close(sh[k].efd);
			free(sh);
			free(g);
			errno = e;
			return NULL;
		}
	}
	if (n > 1)
		for (int i = 0; i < n; i++)
			synack_set_stray_hook(stacks[i], stray, &sh[i]);
	return g;
}

void synack_shards_free(synack_shards *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n; i++) {
		struct shard *s = &g->sh[i];
		if (g->n > 1)
			synack_set_stray_hook(s->st, NULL, NULL);
		for (uint32_t h = s->head; h != s->tail; h++)
			free(s->inbox[h % INBOX].pkt);
		close(s->efd);
	}
	free(g->sh);
	free(g);
}

void synack_shards_input_batch(synack_shards *g, int i, const uint8_t *const *pkts, const size_t *lens,
			       const uint8_t *verified, size_t n, uint64_t now)
{
	if (!g || i < 0 || i >= g->n)
		return;
	g->sh[i].hops_now = 0;
	synack_input_batch(g->sh[i].st, pkts, lens, verified, n, now);
}

int synack_shards_take(synack_shards *g, int i, uint64_t now)
{
	if (!g || i < 0 || i >= g->n)
		return 0;
	struct shard *s = &g->sh[i];
	uint64_t v;
	if (read(s->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: no wake-up pending; the inbox is read all the same */
	}
	uint32_t h = atomic_load_explicit(&s->head, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(&s->tail, memory_order_acquire);
	int took = 0;
	for (; h != t; h++, took++) {
		struct handed *x = &s->inbox[h % INBOX];
		s->hops_now = x->hops;
		(x->verified ? synack_input_verified : synack_input)(s->st, x->pkt, x->len, now);
		free(x->pkt);
	}
	s->hops_now = 0;
	s->taken += (uint64_t)took;
	atomic_store_explicit(&s->head, h, memory_order_release);
	return took;
}

int synack_shards_fd(const synack_shards *g, int i)
{
	return g && i >= 0 && i < g->n ? g->sh[i].efd : -1;
}

void synack_shards_stats(const synack_shards *g, int i, struct synack_shard_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!g || i < 0 || i >= g->n)
		return;
	out->handed = g->sh[i].handed;
	out->taken = g->sh[i].taken;
	out->dropped = g->sh[i].dropped;
}
