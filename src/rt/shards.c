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
	/* written by this shard's thread only, read by any (synack_shards_stats) */
	_Atomic uint64_t handed, taken, dropped;
	/* The inbox, from the shard before this one: it writes tail and raises signalled (and
	 * then writes efd), this shard's thread writes head and lowers signalled (and then
	 * reads efd). The flag spares the reader a read(2) per round when nothing came, and the
	 * writer a write(2) per packet while one wake-up is pending. */
	_Alignas(64) _Atomic uint32_t head;
	_Alignas(64) _Atomic uint32_t tail;
	_Atomic int signalled;
	struct handed inbox[INBOX];
};

/* Adds n to a count only this shard's thread writes (others may read it). */
static void count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n, memory_order_relaxed);
}

/* Makes shard s's descriptor readable (its poll returns), once until it takes. */
static void signal_shard(struct shard *s)
{
	if (atomic_exchange(&s->signalled, 1))
		return; /* a wake-up is pending already */
	uint64_t one = 1;
	if (write(s->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is at its limit, so it is readable anyway */
	}
}

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
		count(&me->dropped, 1); /* as a device drops what overflows its queue */
		return 1;
	}
	memcpy(copy, pkt, len);
	next->inbox[t % INBOX] = (struct handed){copy, (uint32_t)len, (uint8_t)(me->hops_now + 1), (uint8_t)!!verified};
	/* seq_cst, as the flag: a reader that lowered the flag before this raises it sees
	 * this slot when it loads tail after lowering it */
	atomic_store(&next->tail, t + 1);
	count(&me->handed, 1);
	signal_shard(next);
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
	struct shard *sh = aligned_alloc(64, (size_t)n * sizeof(*sh));
	if (sh)
		memset(sh, 0, (size_t)n * sizeof(*sh));
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
		for (uint32_t h = atomic_load(&s->head); h != atomic_load(&s->tail); h++)
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
	if (atomic_load(&s->signalled)) {
		uint64_t v;
		if (read(s->efd, &v, sizeof(v)) < 0) {
			/* EAGAIN: synack_shards_wake's, read already */
		}
		atomic_store(&s->signalled, 0);
	}
	uint32_t h = atomic_load_explicit(&s->head, memory_order_relaxed);
	uint32_t t = atomic_load(&s->tail);
	int took = 0;
	for (; h != t; h++, took++) {
		struct handed *x = &s->inbox[h % INBOX];
		s->hops_now = x->hops;
		(x->verified ? synack_input_verified : synack_input)(s->st, x->pkt, x->len, now);
		free(x->pkt);
	}
	s->hops_now = 0;
	count(&s->taken, (uint64_t)took);
	atomic_store_explicit(&s->head, h, memory_order_release);
	return took;
}

void synack_shards_wake(synack_shards *g, int i)
{
	if (g && i >= 0 && i < g->n)
		signal_shard(&g->sh[i]);
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
	out->handed = atomic_load_explicit(&g->sh[i].handed, memory_order_relaxed);
	out->taken = atomic_load_explicit(&g->sh[i].taken, memory_order_relaxed);
	out->dropped = atomic_load_explicit(&g->sh[i].dropped, memory_order_relaxed);
}
