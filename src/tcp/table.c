/* The 4-tuple table (CONN-1: O(1) average lookup under a keyed hash a peer cannot aim at)
 * and the listener table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

void sk_conn_ends(const struct sk_conn *c, struct sk_ends *e)
{
	if (c->v6) {
		const struct sk_a6 *a = (const struct sk_a6 *)((const char *)c + c->a6_off);
		*e = sk_ends6(a->l, a->r);
	} else {
		*e = sk_ends4(c->key.laddr, c->key.raddr);
	}
}

int sk_conn_set_ends(struct sk_conn *c, const struct sk_ends *e)
{
	if (!e->v6) {
		c->v6 = 0;
		c->key.laddr = e->l4;
		c->key.raddr = e->r4;
		return 0;
	}
	if (!c->a6_off)
		return -EAFNOSUPPORT;
	struct sk_a6 *a = (struct sk_a6 *)((char *)c + c->a6_off);
	memcpy(a->l, e->l6, 16);
	memcpy(a->r, e->r6, 16);
	c->v6 = 1;
	c->key.laddr = sk_ip6_fold(e->l6);
	c->key.raddr = sk_ip6_fold(e->r6);
	return 0;
}

struct synack_sockaddr sk_conn_local(const struct sk_conn *c)
{
	struct sk_ends e;
	sk_conn_ends(c, &e);
	struct synack_sockaddr sa = {sk_ends_local(&e), c->key.lport, 0};
	return sa;
}

struct synack_sockaddr sk_conn_remote(const struct sk_conn *c)
{
	struct sk_ends e;
	sk_conn_ends(c, &e);
	struct synack_sockaddr sa = {sk_ends_remote(&e), c->key.rport, 0};
	return sa;
}

static size_t bucket(const struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, size_t mask)
{
	return (size_t)sk_ends_hash(&st->key, e, (uint32_t)lport << 16 | rport, 0x5441424c) & mask;
}

static size_t conn_bucket(const struct synack_stack *st, const struct sk_conn *c, size_t mask)
{
	struct sk_ends e;
	sk_conn_ends(c, &e);
	return bucket(st, &e, c->key.lport, c->key.rport, mask);
}

struct sk_conn *sk_ctable_find(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport)
{
	uint32_t la = e->v6 ? sk_ip6_fold(e->l6) : e->l4, ra = e->v6 ? sk_ip6_fold(e->r6) : e->r4;
	for (struct sk_conn *c = st->conns.b[bucket(st, e, lport, rport, st->conns.mask)]; c; c = c->hnext) {
		if (c->key.laddr != la || c->key.raddr != ra || c->key.lport != lport || c->key.rport != rport ||
		    c->v6 != e->v6)
			continue;
		if (!e->v6)
			return c;
		const struct sk_a6 *a = (const struct sk_a6 *)((const char *)c + c->a6_off);
		if (memcmp(a->l, e->l6, 16) == 0 && memcmp(a->r, e->r6, 16) == 0)
			return c;
	}
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
			size_t j = conn_bucket(st, c, nb - 1);
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
	struct sk_conn **head = &st->conns.b[conn_bucket(st, c, st->conns.mask)];
	c->hnext = *head;
	*head = c;
	st->conns.n++;
	gauge(st, c, 1);
	return 0;
}

void sk_ctable_del(struct synack_stack *st, struct sk_conn *c)
{
	for (struct sk_conn **pp = &st->conns.b[conn_bucket(st, c, st->conns.mask)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			c->hnext = NULL;
			st->conns.n--;
			gauge(st, c, -1);
			return;
		}
	}
}

void sk_ctable_replace(struct synack_stack *st, struct sk_conn *old, struct sk_conn *to)
{
	for (struct sk_conn **pp = &st->conns.b[conn_bucket(st, old, st->conns.mask)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == old) {
			to->hnext = old->hnext;
			*pp = to;
			old->hnext = NULL;
			return;
		}
	}
}

static struct sk_tcb **lbucket(struct synack_stack *st, uint16_t port)
{
	return &st->listeners.b[port & 1023];
}

struct sk_tcb *sk_listener_find(struct synack_stack *st, const struct sk_ends *e, uint16_t lport)
{
	struct sk_tcb *wild = NULL;
	for (struct sk_tcb *l = *lbucket(st, lport); l; l = l->lst->lnext) {
		if (l->h.key.lport != lport)
			continue;
		struct sk_ends le;
		sk_conn_ends(&l->h, &le);
		int m = sk_ends_takes(&le, sk_tcb_takes(l->flags), e);
		if (m == 2)
			return l;
		/* an IPv4 socket's wildcard wins over an IPv6 one's for IPv4, as in Linux */
		if (m == 1 && (!wild || (!e->v6 && !l->h.v6 && !(l->flags & TF_SOCK6))))
			wild = l;
	}
	return wild;
}

struct sk_tcb *sk_listener_clash(struct synack_stack *st, const struct sk_ends *e, uint32_t flags, uint16_t lport)
{
	for (struct sk_tcb *l = *lbucket(st, lport); l; l = l->lst->lnext) {
		struct sk_ends le;
		sk_conn_ends(&l->h, &le);
		if (l->h.key.lport == lport && sk_ends_overlap(e, sk_tcb_takes(flags), &le, sk_tcb_takes(l->flags)))
			return l;
	}
	return NULL;
}

static int queue_holds(const struct sk_tcb *l, const struct sk_tcb *t)
{
	for (const struct sk_tcb *q = l->lst->aq_head; q; q = q->aq_next)
		if (q == t)
			return 1;
	return 0;
}

struct sk_tcb *sk_listener_holding(struct synack_stack *st, const struct sk_tcb *t)
{
	if (!(t->flags & TF_QUEUED))
		return NULL;
	/* the listener that would take its 4-tuple now is the one that took it, unless a
	 * more specific one came since: then look at every listener of its port */
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	struct sk_tcb *l = sk_listener_find(st, &e, t->h.key.lport);
	if (l && queue_holds(l, t))
		return l;
	for (l = *lbucket(st, t->h.key.lport); l; l = l->lst->lnext)
		if (l->h.key.lport == t->h.key.lport && queue_holds(l, t))
			return l;
	return NULL;
}

int sk_listener_add(struct synack_stack *st, struct sk_tcb *l)
{
	struct sk_tcb **head = lbucket(st, l->h.key.lport);
	l->lst->lnext = *head;
	*head = l;
	return 0;
}

void sk_listener_del(struct synack_stack *st, struct sk_tcb *l)
{
	for (struct sk_tcb **pp = lbucket(st, l->h.key.lport); *pp; pp = &(*pp)->lst->lnext) {
		if (*pp == l) {
			*pp = l->lst->lnext;
			l->lst->lnext = NULL;
			return;
		}
	}
}
