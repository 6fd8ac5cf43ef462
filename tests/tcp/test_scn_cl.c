/* Closing (CL-*) scenarios: exact segments, states and virtual times. */
#include "testutil.h"

static void test_cl_1(void **state) { (void)state; sk_test_scenario("cl-1"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cl_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
