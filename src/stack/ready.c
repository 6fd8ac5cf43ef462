/* Readiness without scanning: the sockets something happened to, and synack_ready, which
 * reports those whose events grew since they were last reported. Work is in proportion to
 * the sockets touched, never to the sockets open. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "stack/stack.h"

/* The readiness word of an open socket (handles.slot): the events last reported, and
 * whether the socket is on the list. */
#define DIRTY 0x80000000u
#define REPORTED_MASK 0x7fffffffu

/* h is a handle that stands for an open socket now. */
static int open_handle(const struct synack_stack *st, int h)
{
	return h >= 0 && (uint32_t)h < st->handles.used && st->handles.v[h];
}

/* Keeps only the entries that still stand for a socket on the list, once each: a socket
 * closed while on it leaves a stale entry, and one more if its handle is reused and
 * touched again. Run when the list holds more entries than there could be sockets, so a
 * caller that never asks keeps at most twice its sockets' worth. */
static void compact(struct synack_stack *st)
{
	struct sk_ready *r = &st->ready;
	size_t k = 0;
	for (size_t i = r->head; i < r->n; i++) {
		uint32_t h = r->v[i];
		if (open_handle(st, (int)h) && (st->handles.slot[h] & DIRTY)) {
			st->handles.slot[h] &= ~DIRTY; /* a later duplicate of h is dropped */
			r->v[k++] = h;
		}
	}
	for (size_t i = 0; i < k; i++)
		st->handles.slot[r->v[i]] |= DIRTY;
	r->head = 0;
	r->n = k;
}

void sk_ready_touch(struct synack_stack *st, int h)
{
	struct sk_ready *r = &st->ready;
	if (!r->on || !open_handle(st, h))
		return;
	uint32_t *w = &st->handles.slot[h];
	if (*w & DIRTY)
		return;
	if (r->n - r->head > 2 * (size_t)st->handles.used + 64)
		compact(st);
	if (r->n == r->cap && r->head) {
		/* Room the reader already passed: slide the waiting entries to the front. */
		memmove(r->v, r->v + r->head, (r->n - r->head) * sizeof(*r->v));
		r->n -= r->head;
		r->head = 0;
	}
	if (sk_grow(&r->v, &r->cap, r->n, sizeof(*r->v), 64) < 0)
		return; /* out of memory: this touch is lost; synack_events still tells */
	*w |= DIRTY;
	r->v[r->n++] = (uint32_t)h;
}

void sk_ready_rearm(struct synack_stack *st, int h, uint32_t events)
{
	if (st->ready.on && open_handle(st, h))
		st->handles.slot[h] &= ~(events & REPORTED_MASK);
}

void sk_ready_reset(struct synack_stack *st, int h)
{
	st->handles.slot[h] = 0;
}

void sk_ready_free(struct synack_stack *st)
{
	free(st->ready.v);
	memset(&st->ready, 0, sizeof(st->ready));
}

int synack_ready(synack_stack *st, struct synack_ready_event *out, int max)
{
	if (!st || max < 0 || (max > 0 && !out))
		return -EINVAL;
	struct sk_ready *r = &st->ready;
	if (!r->on) {
		/* The first call: until now nothing was recorded (a caller that never asks
		 * pays nothing), so every open socket is looked at, once. */
		r->on = 1;
		for (uint32_t h = 0; h < st->handles.used; h++)
			sk_ready_touch(st, (int)h);
	}
	size_t i = r->head;
	int n = 0;
	for (; i < r->n && n < max; i++) {
		uint32_t h = r->v[i];
		if (!open_handle(st, (int)h))
			continue; /* closed since; the slot is a free-list link now */
		uint32_t *w = &st->handles.slot[h];
		if (!(*w & DIRTY))
			continue; /* a stale entry: the handle was reused since */
		int ev = synack_events(st, (int)h);
		uint32_t now = ev < 0 ? 0 : (uint32_t)ev;
		uint32_t grew = now & ~(*w & REPORTED_MASK);
		*w = now & REPORTED_MASK;
		if (grew) {
			out[n].sock = (int)h;
			out[n].events = (int)now;
			n++;
		}
	}
	/* What was not looked at waits for the next call, in order. */
	r->head = i;
	if (r->head == r->n)
		r->head = r->n = 0;
	return n;
}
