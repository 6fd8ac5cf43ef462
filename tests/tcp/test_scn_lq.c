/* Listen-queue (LQ-*) scenarios: SYN and accept queue bounds, overflow, SYN cookies, floods. */
#include "testutil.h"

static void test_lq_1(void **state) { (void)state; sk_test_scenario("lq-1"); }
static void test_lq_2(void **state) { (void)state; sk_test_scenario("lq-2"); }
static void test_lq_3(void **state) { (void)state; sk_test_scenario("lq-3"); }
static void test_lq_4(void **state) { (void)state; sk_test_scenario("lq-4"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lq_1),
		cmocka_unit_test(test_lq_2),
		cmocka_unit_test(test_lq_3),
		cmocka_unit_test(test_lq_4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
