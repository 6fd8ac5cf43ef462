/* The 4-tuple table (CONN-1: O(1) average lookup under a keyed hash a peer cannot aim at)
 * and the listener table. */
#include <errno.h>
#include <stdlib.h>

#include "tcp/tcb.h"

#define CTABLE_INITIAL 1024

int sk_ctable_init(struct sk_ctable *t)
{
	t->b = calloc(CTABLE_INITIAL, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->mask = CTABLE_INITIAL - 1;
	t->n = 0;
	return 0;
}

void sk_ctable_free(struct sk_ctable *t)
{
	free(t->b);
	t->b = NULL;
}

static size_t bucket(const struct synack_stack *st, const struct sk_conn_key *k, size_t mask)
{
	uint64_t h = sk_siphash_4u32(&st->key, k->laddr, k->raddr, (uint32_t)k->lport << 16 | k->rport, 0x5441424c);
	return (size_t)h & mask;
}

static int key_eq(const struct sk_conn_key *a, const struct sk_conn_key *b)
{
	return a->laddr == b->laddr && a->raddr == b->raddr && a->lport == b->lport && a->rport == b->rport;
}

struct sk_conn *sk_ctable_find(struct synack_stack *st, const struct sk_conn_key *k)
{
	for (struct sk_conn *c = st->conns.b[bucket(st, k, st->conns.mask)]; c; c = c->hnext)
		if (key_eq(&c->key, k))
			return c;
	return NULL;
}

/* Doubles the bucket array. Failure to grow is harmless: chains just get longer. */
static void grow(struct synack_stack *st)
{
	size_t nb = (st->conns.mask + 1) * 2;
	struct sk_conn **b = calloc(nb, sizeof(*b));
	if (!b)
		return;
	for (size_t i = 0; i <= st->conns.mask; i++) {
		struct sk_conn *c = st->conns.b[i];
		while (c) {
			struct sk_conn *next = c->hnext;
			size_t j = bucket(st, &c->key, nb - 1);
			c->hnext = b[j];
			b[j] = c;
			c = next;
		}
	}
	free(st->conns.b);
	st->conns.b = b;
	st->conns.mask = nb - 1;
}

/* The per-kind numbers in the counters follow table membership. */
static void gauge(struct synack_stack *st, const struct sk_conn *c, int d)
{
	uint64_t *g = c->kind == SK_CONN_TCB ? &st->stats.conns : c->kind == SK_CONN_SYN ? &st->stats.half_open : &st->stats.time_wait;
	*g += (uint64_t)(int64_t)d;
}

int sk_ctable_add(struct synack_stack *st, struct sk_conn *c)
{
	if (st->conns.n > st->conns.mask)
		grow(st);
	struct sk_conn **head = &st->conns.b[bucket(st, &c->key, st->conns.mask)];
	c->hnext = *head;
	*head = c;
	st->conns.n++;
	gauge(st, c, 1);
	return 0;
}

void sk_ctable_del(struct synack_stack *st, struct sk_conn *c)
{
	for (struct sk_conn **pp = &st->conns.b[bucket(st, &c->key, st->conns.mask)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			c->hnext = NULL;
			st->conns.n--;
			gauge(st, c, -1);
			return;
		}
	}
}

static struct sk_tcb **lbucket(struct synack_stack *st, uint16_t port)
{
	return &st->listeners.b[port & 1023];
}

/* An exact address match wins over a wildcard listener. */
struct sk_tcb *sk_listener_find(struct synack_stack *st, uint32_t laddr, uint16_t lport)
{
	struct sk_tcb *wild = NULL;
	for (struct sk_tcb *l = *lbucket(st, lport); l; l = l->lnext) {
		if (l->h.key.lport != lport)
			continue;
		if (l->h.key.laddr == laddr)
			return l;
		if (l->h.key.laddr == 0)
			wild = l;
	}
	return wild;
}

int sk_listener_add(struct synack_stack *st, struct sk_tcb *l)
{
	struct sk_tcb **head = lbucket(st, l->h.key.lport);
	l->lnext = *head;
	*head = l;
	return 0;
}

void sk_listener_del(struct synack_stack *st, struct sk_tcb *l)
{
	for (struct sk_tcb **pp = lbucket(st, l->h.key.lport); *pp; pp = &(*pp)->lnext) {
		if (*pp == l) {
			*pp = l->lnext;
			l->lnext = NULL;
			return;
		}
	}
}
