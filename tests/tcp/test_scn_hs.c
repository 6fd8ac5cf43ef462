/* Opening (HS-*) scenarios: exact segments, states, errno values and virtual times. */
#include "testutil.h"

static void test_hs_1(void **state)
{
	(void)state;
	sk_test_scenario("hs-1");
}
static void test_hs_2(void **state)
{
	(void)state;
	sk_test_scenario("hs-2");
}
static void test_hs_3(void **state)
{
	(void)state;
	sk_test_scenario("hs-3");
}
static void test_hs_4(void **state)
{
	(void)state;
	sk_test_scenario("hs-4");
}
static void test_hs_5(void **state)
{
	(void)state;
	sk_test_scenario("hs-5");
}
static void test_hs_6(void **state)
{
	(void)state;
	sk_test_scenario("hs-6");
}
static void test_hs_7(void **state)
{
	(void)state;
	sk_test_scenario("hs-7");
}
static void test_hs_8(void **state)
{
	(void)state;
	sk_test_scenario("hs-8");
}
static void test_hs_9(void **state)
{
	(void)state;
	sk_test_scenario("hs-9");
}
static void test_hs_10(void **state)
{
	(void)state;
	sk_test_scenario("hs-10");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs_1), cmocka_unit_test(test_hs_2),
		cmocka_unit_test(test_hs_3), cmocka_unit_test(test_hs_4),
		cmocka_unit_test(test_hs_5), cmocka_unit_test(test_hs_6),
		cmocka_unit_test(test_hs_7), cmocka_unit_test(test_hs_8),
		cmocka_unit_test(test_hs_9), cmocka_unit_test(test_hs_10),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
