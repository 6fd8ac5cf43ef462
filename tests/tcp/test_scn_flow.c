/* Flow-control (FLOW-*) scenarios: windows, window scaling, zero windows, SWS avoidance. */
#include "testutil.h"

static void test_flow_1(void **state)
{
	(void)state;
	sk_test_scenario("flow-1");
}
static void test_flow_2(void **state)
{
	(void)state;
	sk_test_scenario("flow-2");
}
static void test_flow_3(void **state)
{
	(void)state;
	sk_test_scenario("flow-3");
}
static void test_flow_4(void **state)
{
	(void)state;
	sk_test_scenario("flow-4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_1),
		cmocka_unit_test(test_flow_2),
		cmocka_unit_test(test_flow_3),
		cmocka_unit_test(test_flow_4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
