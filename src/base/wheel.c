/* Hierarchical timing wheel with exact deadlines (see wheel.h for the contract). */
#include "base/wheel.h"

#include <string.h>

#define L0_SHIFT 10 /* level-0 slot = 1024 us */
#define LVL_BITS 6
#define TOP_SHIFT (L0_SHIFT + LVL_BITS * SK_WHEEL_LEVELS) /* bits of the top window */

static inline unsigned level_shift(unsigned lvl)
{
	return L0_SHIFT + LVL_BITS * lvl;
}

void sk_wheel_init(struct sk_wheel *w, uint64_t now, sk_timer_fn fire, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->cur = now;
	w->fire = fire;
	w->ctx = ctx;
	w->hot = -1;
}

static void unlink_timer(struct sk_wheel *w, struct sk_timer *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	/* The first of a slot's list points back into w->slots: a slot left empty leaves the
	 * bitmap. (Any other points into a timer, or into w->far.) */
	uintptr_t at = (uintptr_t)t->pprev - (uintptr_t)&w->slots[0][0];
	if (at < sizeof(w->slots) && !*t->pprev) {
		size_t i = at / sizeof(w->slots[0][0]);
		w->bitmap[i / SK_WHEEL_SLOTS] &= ~(1ull << (i % SK_WHEEL_SLOTS));
	}
	t->pprev = NULL;
	t->next = NULL;
	w->armed--;
}

/* A timer lives at the lowest level whose current window (the slot range above it, which
 * it shares with w->cur) contains its deadline. */
static void link_at(struct sk_timer **head, struct sk_timer *t)
{
	t->next = *head;
	if (t->next)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static void place(struct sk_wheel *w, struct sk_timer *t)
{
	uint64_t d = t->deadline > w->cur ? t->deadline : w->cur;
	if ((d >> TOP_SHIFT) != (w->cur >> TOP_SHIFT)) {
		/* Beyond the top window: no slot means the right time; wait on the far list. */
		link_at(&w->far, t);
		w->armed++;
		return;
	}
	unsigned lvl = 0;
	while (lvl < SK_WHEEL_LEVELS - 1 && (d >> level_shift(lvl + 1)) != (w->cur >> level_shift(lvl + 1)))
		lvl++;
	unsigned s = (unsigned)(d >> level_shift(lvl)) & (SK_WHEEL_SLOTS - 1);
	link_at(&w->slots[lvl][s], t);
	w->bitmap[lvl] |= 1ull << s;
	w->armed++;
	if (lvl == 0 && (int)s == w->hot)
		w->hot_dirty = 1;
}

void sk_wheel_arm(struct sk_wheel *w, struct sk_timer *t, uint64_t deadline)
{
	if (t->pprev)
		unlink_timer(w, t);
	t->deadline = deadline;
	place(w, t);
}

void sk_wheel_cancel(struct sk_wheel *w, struct sk_timer *t)
{
	if (t->pprev)
		unlink_timer(w, t);
}

static void release_list(struct sk_timer **head)
{
	struct sk_timer *t = *head;
	while (t) {
		struct sk_timer *next = t->next;
		t->next = NULL;
		t->pprev = NULL;
		t = next;
	}
	*head = NULL;
}

void sk_wheel_release(struct sk_wheel *w)
{
	for (unsigned lvl = 0; lvl < SK_WHEEL_LEVELS; lvl++) {
		for (unsigned s = 0; s < SK_WHEEL_SLOTS; s++)
			release_list(&w->slots[lvl][s]);
		w->bitmap[lvl] = 0;
	}
	release_list(&w->far);
	w->armed = 0;
	w->hot = -1;
	w->hot_dirty = 0;
}

/* The earliest non-empty slot: entries at level L all lie after every entry below L, so
 * the lowest non-empty level holds the next event. Its slots at or after cur's index are
 * in time order. Returns the level, or -1. */
static int first_slot(const struct sk_wheel *w, unsigned *slot)
{
	for (unsigned lvl = 0; lvl < SK_WHEEL_LEVELS; lvl++) {
		if (!w->bitmap[lvl])
			continue;
		unsigned cur_idx = (unsigned)(w->cur >> level_shift(lvl)) & (SK_WHEEL_SLOTS - 1);
		uint64_t ahead = w->bitmap[lvl] & (~0ull << cur_idx);
		/* Entries never sit behind cur's index in their window; the fallback only
		 * guards the invariant. */
		*slot = (unsigned)__builtin_ctzll(ahead ? ahead : w->bitmap[lvl]);
		return (int)lvl;
	}
	return -1;
}

static uint64_t slot_start(const struct sk_wheel *w, unsigned lvl, unsigned s)
{
	unsigned up = level_shift(lvl + 1);
	return ((w->cur >> up) << up) | ((uint64_t)s << level_shift(lvl));
}

/* Where the top window ends: the far list's turn. */
static uint64_t window_end(const struct sk_wheel *w)
{
	uint64_t base = (w->cur >> TOP_SHIFT) << TOP_SHIFT;
	uint64_t end = base + (1ull << TOP_SHIFT);
	return end > base ? end : UINT64_MAX;
}

uint64_t sk_wheel_next(const struct sk_wheel *w)
{
	unsigned s = 0;
	int lvl = first_slot(w, &s);
	if (lvl < 0)
		return w->far ? window_end(w) : UINT64_MAX;
	if (lvl > 0)
		return slot_start(w, (unsigned)lvl, s);
	uint64_t best = UINT64_MAX;
	for (const struct sk_timer *t = w->slots[0][s]; t; t = t->next)
		if (t->deadline < best)
			best = t->deadline;
	return best;
}

/* Takes slot (lvl, s) out of the wheel as a list. */
static struct sk_timer *detach(struct sk_wheel *w, unsigned lvl, unsigned s)
{
	struct sk_timer *list = w->slots[lvl][s];
	w->slots[lvl][s] = NULL;
	w->bitmap[lvl] &= ~(1ull << s);
	for (struct sk_timer *t = list; t; t = t->next) {
		t->pprev = NULL;
		w->armed--;
	}
	return list;
}

/* Merge sort of a detached list by deadline; stable, so equal deadlines keep list order. */
static struct sk_timer *sort_by_deadline(struct sk_timer *list)
{
	if (!list || !list->next)
		return list;
	struct sk_timer *slow = list, *fast = list->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct sk_timer *b = slow->next;
	slow->next = NULL;
	struct sk_timer *a = sort_by_deadline(list), *out = NULL, **tail = &out;
	b = sort_by_deadline(b);
	while (a && b) {
		struct sk_timer **pick = b->deadline < a->deadline ? &b : &a;
		*tail = *pick;
		tail = &(*pick)->next;
		*pick = (*pick)->next;
	}
	*tail = a ? a : b;
	return out;
}

/* Sorts level-0 slot s by deadline in place, keeping every timer linked (and so
 * cancellable by callbacks). */
static void sort_slot(struct sk_wheel *w, unsigned s)
{
	struct sk_timer **head = &w->slots[0][s];
	struct sk_timer *list = sort_by_deadline(*head);
	*head = list;
	for (struct sk_timer **pp = head; *pp; pp = &(*pp)->next)
		(*pp)->pprev = pp;
	w->hot_dirty = 0;
}

/* Fires the due timers of one level-0 slot, earliest first. They stay linked until each
 * fires, so a callback can cancel any of them; an insertion into this slot by a callback
 * makes it re-sort. *pending says whether timers due after now remain in the slot. */
static size_t fire_slot(struct sk_wheel *w, unsigned s, uint64_t now, int *pending)
{
	size_t fired = 0;
	w->hot = (int)s;
	sort_slot(w, s);
	for (;;) {
		if (w->hot_dirty)
			sort_slot(w, s);
		struct sk_timer *t = w->slots[0][s];
		if (!t || t->deadline > now)
			break;
		unlink_timer(w, t);
		if (t->deadline > w->cur)
			w->cur = t->deadline;
		w->fire(w, t, w->ctx);
		fired++;
	}
	w->hot = -1;
	*pending = w->slots[0][s] != NULL;
	return fired;
}

size_t sk_wheel_advance(struct sk_wheel *w, uint64_t now)
{
	size_t fired = 0;
	if (now < w->cur)
		now = w->cur;
	for (;;) {
		unsigned s = 0; /* set by first_slot when it finds one; gcc -O2 cannot tell */
		int lvl = first_slot(w, &s);
		uint64_t start = lvl < 0 ? UINT64_MAX : slot_start(w, (unsigned)lvl, s);
		if (start > now) {
			/* Nothing due in this window: if time has passed its end, move into the
			 * next window and give the far list its place there. */
			uint64_t end = window_end(w);
			if (!w->far || end > now)
				break;
			w->cur = end;
			struct sk_timer *list = w->far;
			w->far = NULL;
			while (list) {
				struct sk_timer *t = list;
				list = t->next;
				t->pprev = NULL;
				w->armed--;
				place(w, t);
			}
			continue;
		}
		if (start > w->cur)
			w->cur = start;
		if (lvl == 0) {
			int pending;
			fired += fire_slot(w, s, now, &pending);
			if (pending)
				break; /* the rest of this slot is due after now, and so is everything else */
			continue;
		}
		/* cur has entered this coarse slot: its timers move to finer levels. */
		struct sk_timer *list = detach(w, (unsigned)lvl, s);
		while (list) {
			struct sk_timer *t = list;
			list = t->next;
			place(w, t);
		}
	}
	w->cur = now;
	return fired;
}
