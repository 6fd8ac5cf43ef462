/* Opening (HS-*) scenarios: exact segments, states, errno values and virtual times. */
#include "testutil.h"

static void test_hs_1(void **state) { (void)state; sk_test_scenario("hs-1"); }
static void test_hs_7(void **state) { (void)state; sk_test_scenario("hs-7"); }
static void test_hs_10(void **state) { (void)state; sk_test_scenario("hs-10"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs_1),
		cmocka_unit_test(test_hs_7),
		cmocka_unit_test(test_hs_10),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
