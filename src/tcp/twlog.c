/* TIME-WAIT records' memory: slabs written in arrival order, which is their expiry order,
 * so a record needs no timer and no list links of its own and one timer serves them all.
 *
 * Every record lasts 2MSL from when it was written (TIME-WAIT began, or restarted: TW-1
 * writes the record again at the tail), so within a chain the expiry times never decrease
 * and expiring is reading from the oldest record on. A record that ends early (a new SYN,
 * a RST, tcp_tw_reuse) leaves a tombstone that the reading passes over; a slab whose
 * records have all ended is freed at once, wherever it is in the chain. A slab is
 * SK_TWSLAB_BYTES, aligned to its size, so a record finds its slab from its own address.
 * IPv4 records and records with room for IPv6 addresses keep separate chains (their sizes
 * differ). */
#include <stdlib.h>
#include <string.h>

#include "tcp/twlog.h"

#include "stack/stack.h"
#include "tcp/tcb.h"

struct sk_twslab {
	struct sk_twslab *next, *prev; /* the chain, oldest first */
	struct sk_twchain *chain;
	uint32_t used;  /* slots written */
	uint32_t live;  /* of them, records still in TIME-WAIT */
	uint32_t first; /* the oldest slot the expiry has not passed yet */
	uint64_t slots[]; /* records of chain->size bytes each */
};

static uint32_t slots_per_slab(const struct sk_twchain *c)
{
	return (uint32_t)((SK_TWSLAB_BYTES - sizeof(struct sk_twslab)) / c->size);
}

static struct sk_tw *slot(struct sk_twslab *s, uint32_t i)
{
	return (struct sk_tw *)((uint8_t *)s->slots + (size_t)i * s->chain->size);
}

static struct sk_twslab *slab_of(const struct sk_tw *w)
{
	return (struct sk_twslab *)((uintptr_t)w & ~(uintptr_t)(SK_TWSLAB_BYTES - 1));
}

void sk_twlog_init(struct sk_twlog *l)
{
	memset(l, 0, sizeof(*l));
	l->c[0].size = (uint32_t)sizeof(struct sk_tw);
	l->c[1].size = (uint32_t)sk_conn_alloc_size(sizeof(struct sk_tw), 1);
	sk_timer_init(&l->timer);
}

struct sk_tw *sk_twlog_alloc(struct synack_stack *st, int v6, uint64_t expires)
{
	struct sk_twlog *l = &st->twlog;
	struct sk_twchain *c = &l->c[v6 ? 1 : 0];
	struct sk_twslab *s = c->tail;
	if (!s || s->used == slots_per_slab(c)) {
		s = aligned_alloc(SK_TWSLAB_BYTES, SK_TWSLAB_BYTES);
		if (!s)
			return NULL;
		*s = (struct sk_twslab){.prev = c->tail, .chain = c};
		if (c->tail)
			c->tail->next = s;
		else
			c->head = s;
		c->tail = s;
		c->slabs++;
	}
	struct sk_tw *w = slot(s, s->used++);
	s->live++;
	c->live++;
	memset(w, 0, c->size);
	w->h.kind = SK_CONN_TW;
	sk_conn_init_room(&w->h, sizeof(*w), v6);
	w->expires = expires;
	/* The newest record expires last: the timer, if armed, is due no later. */
	if (!sk_timer_armed(&l->timer))
		sk_wheel_arm(&st->wheel, &l->timer, expires);
	return w;
}

void sk_twlog_release(struct sk_tw *w)
{
	struct sk_twslab *s = slab_of(w);
	struct sk_twchain *c = s->chain;
	w->h.kind = 0; /* a tombstone */
	c->live--;
	if (--s->live)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		c->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		c->tail = s->prev;
	free(s);
	c->slabs--;
}

void sk_twlog_restart(struct synack_stack *st, struct sk_tw *w, uint64_t expires)
{
	struct sk_twslab *s = slab_of(w);
	struct sk_twchain *c = s->chain;
	if (s == c->tail && w == slot(s, s->used - 1)) {
		w->expires = expires; /* the newest already: its place stays in order */
		return;
	}
	uint64_t per = slots_per_slab(c);
	if ((uint64_t)c->slabs * per > 2 * c->live + 2 * per)
		return;
	struct sk_tw *again = sk_twlog_alloc(st, c == &st->twlog.c[1], expires);
	if (!again)
		return;
	memcpy(again, w, c->size);
	again->expires = expires;
	sk_ctable_replace(st, &w->h, &again->h); /* (before w's slab may go) */
	sk_twlog_release(w);
}

/* Expires what is due in c; the expiry of its oldest record left, or UINT64_MAX. */
static uint64_t expire_chain(struct synack_stack *st, struct sk_twchain *c)
{
	struct sk_twslab *s;
	while ((s = c->head) != NULL) {
		if (s->first == s->used)
			return UINT64_MAX; /* (only the tail can be passed and not empty) */
		struct sk_tw *w = slot(s, s->first);
		if (w->h.kind != SK_CONN_TW) {
			s->first++;
			continue;
		}
		if (w->expires > st->now)
			return w->expires;
		s->first++;
		sk_tw_expired(st, w);
		sk_twlog_release(w); /* may free s: the loop starts from the head again */
	}
	return UINT64_MAX;
}

void sk_twlog_expire(struct synack_stack *st)
{
	struct sk_twlog *l = &st->twlog;
	uint64_t a = expire_chain(st, &l->c[0]), b = expire_chain(st, &l->c[1]);
	uint64_t next = a < b ? a : b;
	if (next != UINT64_MAX)
		sk_wheel_arm(&st->wheel, &l->timer, next);
}

void sk_twlog_free(struct sk_twlog *l)
{
	for (int i = 0; i < 2; i++) {
		struct sk_twslab *s = l->c[i].head;
		while (s) {
			struct sk_twslab *next = s->next;
			free(s);
			s = next;
		}
		l->c[i].head = l->c[i].tail = NULL;
		l->c[i].slabs = 0;
		l->c[i].live = 0;
	}
}
