/* Congestion-control (CC-*) scenarios: initial window, slow start, congestion avoidance,
 * timeouts, fast retransmit and NewReno recovery, algorithm selection, TCP_INFO. */
#include "testutil.h"

static void test_cc_1(void **state)
{
	(void)state;
	sk_test_scenario("cc-1");
}
static void test_cc_2(void **state)
{
	(void)state;
	sk_test_scenario("cc-2");
}
static void test_cc_3(void **state)
{
	(void)state;
	sk_test_scenario("cc-3");
}
static void test_cc_4(void **state)
{
	(void)state;
	sk_test_scenario("cc-4");
}
static void test_cc_5(void **state)
{
	(void)state;
	sk_test_scenario("cc-5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cc_1), cmocka_unit_test(test_cc_2),
		cmocka_unit_test(test_cc_3), cmocka_unit_test(test_cc_4),
		cmocka_unit_test(test_cc_5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
