/* TIME-WAIT (TW-*) scenarios: exact segments, states, timers and counters. */
#include "testutil.h"

static void test_tw_1(void **state)
{
	(void)state;
	sk_test_scenario("tw-1");
}
static void test_tw_2(void **state)
{
	(void)state;
	sk_test_scenario("tw-2");
}
static void test_tw_3(void **state)
{
	(void)state;
	sk_test_scenario("tw-3");
}
static void test_tw_4(void **state)
{
	(void)state;
	sk_test_scenario("tw-4");
}
static void test_tw_5(void **state)
{
	(void)state;
	sk_test_scenario("tw-5");
}
static void test_tw_6(void **state)
{
	(void)state;
	sk_test_scenario("tw-6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tw_1), cmocka_unit_test(test_tw_2),
		cmocka_unit_test(test_tw_3), cmocka_unit_test(test_tw_4),
		cmocka_unit_test(test_tw_5), cmocka_unit_test(test_tw_6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
