/* Closing (CL-*) scenarios: exact segments, states and virtual times. */
#include "testutil.h"

static void test_cl_1(void **state)
{
	(void)state;
	sk_test_scenario("cl-1");
}
static void test_cl_2(void **state)
{
	(void)state;
	sk_test_scenario("cl-2");
}
static void test_cl_3(void **state)
{
	(void)state;
	sk_test_scenario("cl-3");
}
static void test_cl_4(void **state)
{
	(void)state;
	sk_test_scenario("cl-4");
}
static void test_cl_5(void **state)
{
	(void)state;
	sk_test_scenario("cl-5");
}
static void test_cl_6(void **state)
{
	(void)state;
	sk_test_scenario("cl-6");
}
static void test_cl_7(void **state)
{
	(void)state;
	sk_test_scenario("cl-7");
}
static void test_cl_8(void **state)
{
	(void)state;
	sk_test_scenario("cl-8");
}
static void test_cl_9(void **state)
{
	(void)state;
	sk_test_scenario("cl-9");
}
static void test_cl_10(void **state)
{
	(void)state;
	sk_test_scenario("cl-10");
}
static void test_cl_11(void **state)
{
	(void)state;
	sk_test_scenario("cl-11");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cl_1),  cmocka_unit_test(test_cl_2),
		cmocka_unit_test(test_cl_3),  cmocka_unit_test(test_cl_4),
		cmocka_unit_test(test_cl_5),  cmocka_unit_test(test_cl_6),
		cmocka_unit_test(test_cl_7),  cmocka_unit_test(test_cl_8),
		cmocka_unit_test(test_cl_9),  cmocka_unit_test(test_cl_10),
		cmocka_unit_test(test_cl_11),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
