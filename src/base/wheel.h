/* A hierarchical timing wheel with exact deadlines: O(1) arm and cancel, and poll cost that
 * depends on the timers due, not on how many are armed (design principle 6).
 *
 * Time is in microseconds. Level 0 has 64 slots of 1.024 ms; each level above has 64 slots
 * 64 times wider (six levels cover about 2.2 years). A timer stores its exact deadline and
 * fires when sk_wheel_advance() reaches it, never earlier, and in deadline order. Deadlines
 * beyond the top window wait on a far list that is looked at again when time passes the
 * window's end, so any jump of the clock, however large, returns.
 * sk_wheel_next() is never later than the earliest deadline; when the earliest timer sits
 * in a coarse level it returns the time that timer must move down a level (an early,
 * harmless wake-up), and after advancing to it the answer is exact. */
#ifndef SK_WHEEL_H
#define SK_WHEEL_H

#include <stddef.h>
#include <stdint.h>

#define SK_WHEEL_LEVELS 6
#define SK_WHEEL_SLOTS 64

/* 24 bytes: which slot holds an armed timer shows in pprev (the slot's head, or the
 * previous timer); the owner finds its record from the timer's address. */
struct sk_timer {
	struct sk_timer *next, **pprev;
	uint64_t deadline;
};

struct sk_wheel;
typedef void (*sk_timer_fn)(struct sk_wheel *w, struct sk_timer *t, void *ctx);

struct sk_wheel {
	uint64_t cur; /* time processed up to */
	size_t armed;
	sk_timer_fn fire;
	void *ctx;
	int hot;       /* level-0 slot being fired, or -1 */
	int hot_dirty; /* a callback inserted into it: re-sort before the next pick */
	uint64_t bitmap[SK_WHEEL_LEVELS];
	struct sk_timer *slots[SK_WHEEL_LEVELS][SK_WHEEL_SLOTS];
	/* Deadlines beyond the top level's current window: looked at again only when time
	 * passes that window's end. */
	struct sk_timer *far;
};

void sk_wheel_init(struct sk_wheel *w, uint64_t now, sk_timer_fn fire, void *ctx);

static inline void sk_timer_init(struct sk_timer *t) { t->pprev = NULL; t->next = NULL; }
static inline int sk_timer_armed(const struct sk_timer *t) { return t->pprev != NULL; }

/* Arms (or re-arms) t for an absolute deadline; a deadline in the past fires on the next
 * advance. */
void sk_wheel_arm(struct sk_wheel *w, struct sk_timer *t, uint64_t deadline);
void sk_wheel_cancel(struct sk_wheel *w, struct sk_timer *t);

/* Disarms every timer at once, for an owner about to free the records that hold them: after
 * it no timer points into another, so records may be freed in any order and a later cancel
 * of any of them touches nothing else. */
void sk_wheel_release(struct sk_wheel *w);

/* Fires, in deadline order, every timer with deadline <= now. Callbacks may arm and cancel
 * any timer. Returns the number fired. */
size_t sk_wheel_advance(struct sk_wheel *w, uint64_t now);

/* A time at which to call sk_wheel_advance next (see above); UINT64_MAX if none armed. */
uint64_t sk_wheel_next(const struct sk_wheel *w);

#endif
