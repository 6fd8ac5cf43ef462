/* Timing wheel: exact firing times and order against a brute-force model, cancellation from
 * callbacks, periodic re-arming, and far-future timers. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/wheel.h"

#define N 4000

struct model {
	struct sk_timer t[N];
	uint64_t want[N];   /* deadline, or UINT64_MAX if not armed */
	uint64_t fired_at[N];
	int fired[N];
	uint64_t last_fire;
	size_t nfired;
	int cancel_victim; /* a callback on timer 0 cancels this one */
};

static struct model M;

static void on_fire(struct sk_wheel *w, struct sk_timer *t, void *ctx)
{
	struct model *m = ctx;
	size_t i = (size_t)(t - m->t);
	assert_true(i < N);
	assert_int_equal(m->want[i], t->deadline);
	assert_true(t->deadline <= w->cur);  /* never early */
	assert_true(t->deadline >= m->last_fire); /* deadline order */
	m->last_fire = t->deadline;
	m->fired_at[i] = w->cur;
	m->fired[i]++;
	m->want[i] = UINT64_MAX;
	m->nfired++;
	if (i == 0 && m->cancel_victim >= 0) {
		sk_wheel_cancel(w, &m->t[m->cancel_victim]);
		m->want[m->cancel_victim] = UINT64_MAX;
	}
}

static uint64_t model_min(const struct model *m)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < N; i++)
		if (m->want[i] < best)
			best = m->want[i];
	return best;
}

static uint64_t rand_delay(void)
{
	switch (rand() % 5) {
	case 0: return (uint64_t)(rand() % 2000);                 /* within a slot or two */
	case 1: return (uint64_t)(rand() % 200000);               /* ms range */
	case 2: return (uint64_t)(rand() % 60) * 1000000u;        /* whole seconds */
	case 3: return (uint64_t)rand() * 3u;                      /* up to ~1.8 h */
	default: return (uint64_t)rand() * (uint64_t)(rand() % 4096); /* up to years */
	}
}

static void setup_model(struct sk_wheel *w, uint64_t start)
{
	memset(&M, 0, sizeof(M));
	M.cancel_victim = -1;
	M.last_fire = 0;
	for (int i = 0; i < N; i++) {
		sk_timer_init(&M.t[i]);
		M.want[i] = UINT64_MAX;
	}
	sk_wheel_init(w, start, on_fire, &M);
}

/* Simulation style: always advance to sk_wheel_next(). Every timer fires exactly at its
 * deadline, in order, once; next() is never later than the true earliest deadline. */
static void test_exact_stepping(void **state)
{
	(void)state;
	static struct sk_wheel w;
	srand(42);
	setup_model(&w, 123456789);
	uint64_t now = 123456789;
	for (int round = 0; round < 20000; round++) {
		int i = rand() % N;
		int op = rand() % 4;
		if (op < 2) {
			M.want[i] = now + rand_delay();
			sk_wheel_arm(&w, &M.t[i], M.want[i]);
		} else if (op == 2) {
			sk_wheel_cancel(&w, &M.t[i]);
			M.want[i] = UINT64_MAX;
		} else {
			uint64_t next = sk_wheel_next(&w), truth = model_min(&M);
			assert_true(next <= truth);
			if (next == UINT64_MAX)
				continue;
			now = next;
			sk_wheel_advance(&w, now);
			assert_true(model_min(&M) > now);
		}
	}
	/* Drain: everything armed fires at exactly its deadline. */
	size_t before = M.nfired;
	size_t left = 0;
	for (int i = 0; i < N; i++)
		left += M.want[i] != UINT64_MAX;
	assert_int_equal(w.armed, left);
	uint64_t expect[N];
	memcpy(expect, M.want, sizeof(expect));
	for (;;) {
		uint64_t next = sk_wheel_next(&w);
		if (next == UINT64_MAX)
			break;
		sk_wheel_advance(&w, next);
	}
	assert_int_equal(M.nfired - before, left);
	assert_true(before > 1000 && left > 100); /* both phases exercised many timers */
	for (int i = 0; i < N; i++)
		if (expect[i] != UINT64_MAX)
			assert_int_equal(M.fired_at[i], expect[i]);
	assert_int_equal(w.armed, 0);
}

/* Real-clock style: coarse jumps fire exactly the timers due, in deadline order. */
static void test_coarse_advance(void **state)
{
	(void)state;
	static struct sk_wheel w;
	srand(7);
	setup_model(&w, 0);
	uint64_t now = 0;
	for (int i = 0; i < N; i++) {
		M.want[i] = (uint64_t)(rand() % 10000000); /* within 10 s */
		sk_wheel_arm(&w, &M.t[i], M.want[i]);
	}
	while (w.armed) {
		now += (uint64_t)(rand() % 300000);
		M.last_fire = 0;
		sk_wheel_advance(&w, now);
		for (int i = 0; i < N; i++)
			assert_true(M.want[i] == UINT64_MAX || M.want[i] > now);
	}
	assert_int_equal(M.nfired, N);
}

/* A callback cancels a timer due in the same slot and the same advance: it never fires. */
static void test_cancel_from_callback(void **state)
{
	(void)state;
	static struct sk_wheel w;
	setup_model(&w, 0);
	M.cancel_victim = 1;
	M.want[0] = 5000;
	M.want[1] = 5001;
	M.want[2] = 5002;
	for (int i = 0; i < 3; i++)
		sk_wheel_arm(&w, &M.t[i], M.want[i]);
	assert_int_equal(sk_wheel_advance(&w, 6000), 2);
	assert_int_equal(M.fired[0], 1);
	assert_int_equal(M.fired[1], 0);
	assert_int_equal(M.fired[2], 1);
	assert_false(sk_timer_armed(&M.t[1]));
}

static int periodic_count;
static void periodic(struct sk_wheel *w, struct sk_timer *t, void *ctx)
{
	(void)ctx;
	periodic_count++;
	assert_int_equal(w->cur, t->deadline);
	sk_wheel_arm(w, t, t->deadline + 75000000); /* keepalive-like 75 s */
}

/* A timer re-arming itself from its callback; and a deadline beyond the top level. */
static void test_periodic_and_far(void **state)
{
	(void)state;
	static struct sk_wheel w;
	struct sk_timer t, far;
	sk_timer_init(&t);
	sk_timer_init(&far);
	sk_wheel_init(&w, 0, periodic, NULL);
	sk_wheel_arm(&w, &t, 7200000000ull);
	sk_wheel_arm(&w, &far, 1ull << 60);
	uint64_t now = 0;
	while (periodic_count < 10) {
		now = sk_wheel_next(&w);
		sk_wheel_advance(&w, now);
	}
	assert_int_equal(now, 7200000000ull + 9 * 75000000ull);
	assert_true(sk_timer_armed(&far));
	assert_int_equal(far.deadline, 1ull << 60);
	assert_true(sk_wheel_next(&w) <= (1ull << 60));
	sk_wheel_cancel(&w, &far);
	sk_wheel_cancel(&w, &t);
	assert_int_equal(sk_wheel_next(&w), UINT64_MAX);
	/* Time never goes back: advancing to the past fires nothing and keeps cur. */
	assert_int_equal(sk_wheel_advance(&w, 5), 0);
	assert_true(w.cur >= now);
}

static int far_fired;
static void far_fire(struct sk_wheel *w, struct sk_timer *t, void *ctx)
{
	(void)ctx;
	assert_true(w->cur >= t->deadline);
	far_fired++;
}

/* Deadlines beyond the top level's window (2^46 us, about 2.2 years) and jumps across that
 * window's end: every timer still fires, exactly on time when stepped, and an advance
 * always returns (a fuzzed time jump once made it loop forever). */
static void test_beyond_top_window(void **state)
{
	(void)state;
	static struct sk_wheel w;
	struct sk_timer a, b, c;
	sk_timer_init(&a);
	sk_timer_init(&b);
	sk_timer_init(&c);
	sk_wheel_init(&w, 0, far_fire, NULL);
	far_fired = 0;
	sk_wheel_arm(&w, &a, (1ull << 46) + 5);
	sk_wheel_arm(&w, &b, (1ull << 47) + 7);
	sk_wheel_arm(&w, &c, 1000);
	/* A coarse jump to the end of the first window fires only c. */
	assert_int_equal(sk_wheel_advance(&w, (1ull << 46) - 1), 1);
	/* Stepping by next() lands exactly on each deadline. */
	uint64_t t = sk_wheel_next(&w);
	assert_true(t <= (1ull << 46) + 5);
	while (far_fired < 2) {
		t = sk_wheel_next(&w);
		assert_true(t != UINT64_MAX);
		sk_wheel_advance(&w, t);
	}
	assert_int_equal(w.cur, (1ull << 46) + 5);
	while (far_fired < 3) {
		t = sk_wheel_next(&w);
		sk_wheel_advance(&w, t);
	}
	assert_int_equal(w.cur, (1ull << 47) + 7);
	/* A far timer and one jump well past it. */
	sk_wheel_arm(&w, &a, w.cur + (3ull << 46));
	assert_int_equal(sk_wheel_advance(&w, w.cur + (9ull << 46)), 1);
	assert_int_equal(w.armed, 0);
	assert_int_equal(sk_wheel_next(&w), UINT64_MAX);
}

/* Release before freeing (a stack's teardown): timers that share slots, and the far list,
 * are all disarmed at once, so freeing them in any order and then cancelling the survivors
 * touches no freed memory (the sanitizer build once caught a teardown that did), and the
 * wheel is empty and usable again. */
static void test_release_then_free_any_order(void **state)
{
	(void)state;
	static struct sk_wheel w;
	enum { K = 64 };
	struct sk_timer *t[K];
	sk_wheel_init(&w, 0, far_fire, NULL);
	for (int i = 0; i < K; i++) {
		t[i] = malloc(sizeof(*t[i]));
		assert_non_null(t[i]);
		sk_timer_init(t[i]);
		/* Four timers to a slot at level 0, some higher up, some on the far list. */
		uint64_t d = i < 32 ? 1000 + (uint64_t)(i / 4) * 1024 : i < 56 ? (uint64_t)i << 20 : (1ull << 47) + (uint64_t)i;
		sk_wheel_arm(&w, t[i], d);
	}
	assert_int_equal(w.armed, K);
	sk_wheel_release(&w);
	assert_int_equal(w.armed, 0);
	assert_int_equal(sk_wheel_next(&w), UINT64_MAX);
	for (int i = 0; i < K; i += 2) {
		assert_false(sk_timer_armed(t[i]));
		free(t[i]);
	}
	for (int i = 1; i < K; i += 2) {
		assert_false(sk_timer_armed(t[i]));
		sk_wheel_cancel(&w, t[i]);
		free(t[i]);
	}
	far_fired = 0;
	struct sk_timer a;
	sk_timer_init(&a);
	sk_wheel_arm(&w, &a, 2000);
	assert_int_equal(sk_wheel_advance(&w, 5000), 1);
	assert_int_equal(far_fired, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_stepping),
		cmocka_unit_test(test_coarse_advance),
		cmocka_unit_test(test_cancel_from_callback),
		cmocka_unit_test(test_periodic_and_far),
		cmocka_unit_test(test_beyond_top_window),
		cmocka_unit_test(test_release_then_free_any_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
