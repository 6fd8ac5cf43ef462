/* Reliable-transfer (REL-*) scenarios: REL-1..REL-9. */
#include "testutil.h"

static void test_rel_1(void **state) { (void)state; sk_test_scenario("rel-1"); }
static void test_rel_2(void **state) { (void)state; sk_test_scenario("rel-2"); }
static void test_rel_3(void **state) { (void)state; sk_test_scenario("rel-3"); }
static void test_rel_4(void **state) { (void)state; sk_test_scenario("rel-4"); }
static void test_rel_5(void **state) { (void)state; sk_test_scenario("rel-5"); }
static void test_rel_6(void **state) { (void)state; sk_test_scenario("rel-6"); }
static void test_rel_7(void **state) { (void)state; sk_test_scenario("rel-7"); }
static void test_rel_8(void **state) { (void)state; sk_test_scenario("rel-8"); }
static void test_rel_9(void **state) { (void)state; sk_test_scenario("rel-9"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rel_1), cmocka_unit_test(test_rel_2),
		cmocka_unit_test(test_rel_3), cmocka_unit_test(test_rel_4),
		cmocka_unit_test(test_rel_5), cmocka_unit_test(test_rel_6),
		cmocka_unit_test(test_rel_7), cmocka_unit_test(test_rel_8),
		cmocka_unit_test(test_rel_9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
