/* The runtime's epoll(7): sets of synack sockets with level- and edge-triggered interest,
 * fed by the stack's readiness list (synack_ready), so a wait costs in proportion to the
 * sockets that are ready, not to the sockets in the set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt/rt_int.h"
#include "sock/posix.h"
#include "stack/stack.h"

/* Events a registration is told of whatever it asked, as epoll(7) does. */
#define ALWAYS (EPOLLERR | EPOLLHUP)
#define EVENT_BITS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLERR | EPOLLHUP)

static struct rt_ep *ep_get(synack_rt *rt, int ep)
{
	return ep >= 0 && ep < rt->neps ? rt->eps[ep] : NULL;
}

static void enqueue(struct rt_ep_reg *g)
{
	struct rt_ep *ep = g->ep;
	if (g->queued || g->disarmed)
		return;
	g->queued = 1;
	g->rnext = NULL;
	if (ep->rtail)
		ep->rtail->rnext = g;
	else
		ep->rhead = g;
	ep->rtail = g;
}

/* Takes the head of ep's ready list off it. */
static struct rt_ep_reg *dequeue(struct rt_ep *ep)
{
	struct rt_ep_reg *g = ep->rhead;
	if (g) {
		ep->rhead = g->rnext;
		if (!ep->rhead)
			ep->rtail = NULL;
		g->queued = 0;
	}
	return g;
}

/* Removes g from its set: the ready list, the set's table and the socket's chain. */
static void reg_unlink(synack_rt *rt, struct rt_ep_reg *g)
{
	struct rt_ep *ep = g->ep;
	if (g->queued) {
		struct rt_ep_reg **pp = &ep->rhead, *prev = NULL;
		while (*pp != g) {
			prev = *pp;
			pp = &(*pp)->rnext;
		}
		*pp = g->rnext;
		if (ep->rtail == g)
			ep->rtail = prev;
	}
	ep->by_sock[g->sock] = NULL;
	struct rt_sock *e = sk_rt_sock(rt, g->sock);
	for (struct rt_ep_reg **pp = e ? &e->regs : NULL; pp && *pp; pp = &(*pp)->snext)
		if (*pp == g) {
			*pp = g->snext;
			break;
		}
	free(g);
}

/* Queues g if its socket is ready for what it asked now (as epoll_ctl does on ADD/MOD). */
static void check_now(synack_rt *rt, struct rt_ep_reg *g)
{
	int ev = synack_events(rt->st, g->sock);
	if (ev >= 0 && ((uint32_t)ev & (g->events | ALWAYS)))
		enqueue(g);
}

void sk_rt_ep_collect(synack_rt *rt)
{
	if (!rt->eps_live)
		return; /* no set: leave the stack's list off (it costs nothing until asked) */
	struct synack_ready_event ev[64];
	int n;
	do {
		n = synack_ready(rt->st, ev, 64);
		for (int i = 0; i < n; i++) {
			struct rt_sock *e = sk_rt_sock(rt, ev[i].sock);
			for (struct rt_ep_reg *g = e ? e->regs : NULL; g; g = g->snext)
				if ((uint32_t)ev[i].events & (g->events | ALWAYS)) {
					enqueue(g);
					sk_rt_ep_wake(rt, g->ep);
				}
		}
	} while (n == 64);
}

void sk_rt_ep_forget(synack_rt *rt, int s)
{
	struct rt_sock *e = sk_rt_sock(rt, s);
	while (e && e->regs)
		reg_unlink(rt, e->regs);
}

int sk_rt_ep_ready(const struct rt_ep *ep)
{
	return ep->rhead != NULL;
}

int sk_rt_ep_any_ready(const synack_rt *rt)
{
	for (int i = 0; i < rt->neps; i++)
		if (rt->eps[i] && sk_rt_ep_ready(rt->eps[i]))
			return 1;
	return 0;
}

int synack_rt_epoll_create(synack_rt *rt)
{
	if (!rt) {
		errno = EINVAL;
		return -1;
	}
	int r = sk_rt_lock(rt);
	int id = -1;
	if (r == 0) {
		struct rt_ep *ep = calloc(1, sizeof(*ep));
		for (id = 0; id < rt->neps && rt->eps[id]; id++)
			;
		if (ep && id == rt->neps) {
			struct rt_ep **v = realloc(rt->eps, (size_t)(rt->neps + 1) * sizeof(*v));
			if (v) {
				rt->eps = v;
				rt->eps[rt->neps++] = NULL;
			}
		}
		if (!ep || id >= rt->neps) {
			free(ep);
			r = -ENOMEM;
		} else {
			ep->id = id;
			rt->eps[id] = ep;
			rt->eps_live++;
		}
	}
	sk_rt_unlock(rt);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return id;
}

static int ep_ctl(synack_rt *rt, struct rt_ep *ep, int op, int s, const struct epoll_event *ev)
{
	if (!ep)
		return -EBADF;
	if (!sk_px_is_open(rt->px, s))
		return -EBADF;
	if (op != EPOLL_CTL_DEL && !ev)
		return -EFAULT;
	if (ev && (ev->events & ~(uint32_t)(EVENT_BITS | EPOLLET | EPOLLONESHOT)))
		return -EINVAL; /* EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLPRI: not for synack sockets */
	struct rt_ep_reg *g = (uint32_t)s < ep->cap ? ep->by_sock[s] : NULL;
	switch (op) {
	case EPOLL_CTL_ADD: {
		if (g)
			return -EEXIST;
		if ((uint32_t)s >= ep->cap) {
			uint32_t cap = ep->cap ? ep->cap : 64;
			while (cap <= (uint32_t)s)
				cap *= 2;
			struct rt_ep_reg **v = realloc(ep->by_sock, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			memset(v + ep->cap, 0, (cap - ep->cap) * sizeof(*v));
			ep->by_sock = v;
			ep->cap = cap;
		}
		struct rt_sock *e = sk_rt_sock(rt, s);
		if (!e || !(g = calloc(1, sizeof(*g))))
			return -ENOMEM;
		g->ep = ep;
		g->sock = s;
		g->snext = e->regs;
		e->regs = g;
		ep->by_sock[s] = g;
		break;
	}
	case EPOLL_CTL_MOD:
	case EPOLL_CTL_DEL:
		if (!g)
			return -ENOENT;
		if (op == EPOLL_CTL_DEL) {
			reg_unlink(rt, g);
			return 0;
		}
		break;
	default:
		return -EINVAL;
	}
	g->events = ev->events;
	g->data = ev->data.u64;
	g->disarmed = 0;
	check_now(rt, g);
	return 0;
}

int synack_rt_epoll_ctl(synack_rt *rt, int ep, int op, int s, struct epoll_event *ev)
{
	if (!rt) {
		errno = EINVAL;
		return -1;
	}
	int r = sk_rt_lock(rt);
	if (r == 0) {
		sk_rt_ep_collect(rt); /* what happened before counts for the new interest */
		r = ep_ctl(rt, ep_get(rt, ep), op, s, ev);
	}
	sk_rt_unlock(rt);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/* Takes what is ready off ep's list into out (at most max): level-triggered entries go
 * back to the end of the list while they stay ready; an entry found not ready leaves it,
 * and the events it lost count as unreported, so their return is news again. */
static int harvest(synack_rt *rt, struct rt_ep *ep, struct epoll_event *out, int max)
{
	int n = 0;
	struct rt_ep_reg *stop = ep->rtail;
	while (n < max && ep->rhead) {
		struct rt_ep_reg *g = dequeue(ep);
		int last = g == stop;
		int ev = synack_events(rt->st, g->sock);
		uint32_t now = ev < 0 ? 0 : (uint32_t)ev;
		uint32_t hit = now & (g->events | ALWAYS) & EVENT_BITS;
		sk_ready_rearm(rt->st, g->sock, ~now);
		if (hit) {
			out[n].events = hit;
			out[n].data.u64 = g->data;
			n++;
			if (g->events & EPOLLONESHOT)
				g->disarmed = 1;
			else if (!(g->events & EPOLLET))
				enqueue(g);
		}
		if (last)
			break; /* each entry once per call */
	}
	return n;
}

int synack_rt_epoll_wait(synack_rt *rt, int ep, struct epoll_event *out, int max, int timeout_ms)
{
	if (!rt || max <= 0 || !out) {
		errno = EINVAL;
		return -1;
	}
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : sk_rt_now_us() + (uint64_t)timeout_ms * 1000u;
	int r = sk_rt_lock(rt);
	struct rt_ep *e = ep_get(rt, ep);
	if (r == 0 && !e)
		r = -EBADF;
	while (r == 0) {
		sk_rt_ep_collect(rt);
		r = harvest(rt, e, out, max);
		if (r > 0 || timeout_ms == 0)
			break;
		struct rt_waiter w = {.kind = RT_W_EP, .ep = e};
		r = sk_rt_wait(rt, &w, deadline);
		if (r == -ETIMEDOUT) {
			sk_rt_advance(rt);
			sk_rt_ep_collect(rt);
			r = harvest(rt, e, out, max);
			break;
		}
		if (rt->eps[ep] != e)
			r = -EBADF; /* closed while we waited */
	}
	sk_rt_unlock(rt);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

int synack_rt_epoll_close(synack_rt *rt, int ep)
{
	if (!rt) {
		errno = EINVAL;
		return -1;
	}
	int r = sk_rt_lock(rt);
	struct rt_ep *e = ep_get(rt, ep);
	if (r == 0 && !e)
		r = -EBADF;
	if (r == 0) {
		for (uint32_t s = 0; s < e->cap; s++)
			if (e->by_sock[s])
				reg_unlink(rt, e->by_sock[s]);
		rt->eps[ep] = NULL;
		rt->eps_live--;
		sk_rt_ep_wake(rt, e); /* a waiter on it returns EBADF */
		free(e->by_sock);
		free(e);
	}
	sk_rt_unlock(rt);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

void sk_rt_ep_free_all(synack_rt *rt)
{
	for (int i = 0; i < rt->neps; i++)
		if (rt->eps[i]) {
			for (uint32_t s = 0; s < rt->eps[i]->cap; s++)
				free(rt->eps[i]->by_sock[s]);
			free(rt->eps[i]->by_sock);
			free(rt->eps[i]);
		}
	free(rt->eps);
}
