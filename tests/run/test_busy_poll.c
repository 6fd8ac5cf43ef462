/* The tools' busy polling (src/run/supervise.c): how the polling time adapts to the sleeps
 * that follow it, and that a wait polls without sleeping while that time lasts, sleeps
 * once it is spent, and sleeps at once when it is none. The relay is a stand-in that
 * records how it was asked to wait. */
#include "testutil.h"

#include "run/supervise.h"

/* A relay that finds work on its n-th call with timeout 0 (0: never) and records the
 * timeouts it was given. */
struct fake {
	int work_at, calls, polls, sleeps;
};

static int fake_run(void *relay, int timeout_ms)
{
	struct fake *f = relay;
	f->calls++;
	if (timeout_ms == 0) {
		f->polls++;
		return f->work_at && f->polls == f->work_at ? SK_RUN_WORKED : 0;
	}
	f->sleeps++;
	return SK_RUN_WATCHED; /* (a signal woke it) */
}

static struct sk_supervised sup(struct fake *f)
{
	return (struct sk_supervised){.tool = "test", .relay = f, .run = fake_run};
}

static void test_adapt_grows_on_short_sleeps(void **state)
{
	(void)state;
	unsigned spin = 0;
	sk_spin_adapt(&spin, 50, 5); /* woken within 50 µs: polling would have caught it */
	assert_int_equal(spin, SK_SPIN_FIRST);
	sk_spin_adapt(&spin, 50, 50);
	assert_int_equal(spin, 2 * SK_SPIN_FIRST);
	sk_spin_adapt(&spin, 50, 0);
	assert_int_equal(spin, 40);
	sk_spin_adapt(&spin, 50, 1);
	assert_int_equal(spin, 50); /* never beyond max */
	sk_spin_adapt(&spin, 50, 1);
	assert_int_equal(spin, 50);
}

static void test_adapt_shrinks_on_quiet(void **state)
{
	(void)state;
	unsigned spin = 50;
	sk_spin_adapt(&spin, 50, 51); /* a sleep longer than max: polling was waste */
	assert_int_equal(spin, 25);
	for (int i = 0; i < 10; i++)
		sk_spin_adapt(&spin, 50, 1000000);
	assert_int_equal(spin, 0); /* an idle tool polls not at all */
	unsigned small = 0;
	sk_spin_adapt(&small, 4, 1); /* a max below the first step is the step */
	assert_int_equal(small, 4);
	unsigned off = 0;
	sk_spin_adapt(&off, 0, 0);
	assert_int_equal(off, 0);
}

static void test_wait_polls_then_returns_work(void **state)
{
	(void)state;
	struct fake f = {.work_at = 3};
	struct sk_supervised s = sup(&f);
	unsigned spin = 1000000; /* a second of polling: the third poll finds work first */
	assert_int_equal(sk_supervise_wait(&s, &spin, 1000000), SK_RUN_WORKED);
	assert_int_equal(f.polls, 3);
	assert_int_equal(f.sleeps, 0);
	assert_int_equal(spin, 1000000); /* a poll that caught work keeps the time */
}

static void test_wait_sleeps_after_polling(void **state)
{
	(void)state;
	struct fake f = {0};
	struct sk_supervised s = sup(&f);
	unsigned spin = 20;
	assert_int_equal(sk_supervise_wait(&s, &spin, 100000), SK_RUN_WATCHED);
	assert_true(f.polls >= 1);
	assert_int_equal(f.sleeps, 1);
	assert_int_equal(spin, 40); /* the stand-in's sleep was short: poll longer next time */
}

static void test_wait_without_polling_sleeps_at_once(void **state)
{
	(void)state;
	struct fake f = {.work_at = 1};
	struct sk_supervised s = sup(&f);
	unsigned spin = 0;
	assert_int_equal(sk_supervise_wait(&s, &spin, 0), SK_RUN_WATCHED);
	assert_int_equal(f.polls, 0);
	assert_int_equal(f.sleeps, 1);
	assert_int_equal(spin, 0); /* --busy-poll 0: never adapted upwards */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adapt_grows_on_short_sleeps),
		cmocka_unit_test(test_adapt_shrinks_on_quiet),
		cmocka_unit_test(test_wait_polls_then_returns_work),
		cmocka_unit_test(test_wait_sleeps_after_polling),
		cmocka_unit_test(test_wait_without_polling_sleeps_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
