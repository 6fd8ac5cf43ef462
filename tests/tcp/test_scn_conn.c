/* Connection-table (CONN-*) scenarios: 4-tuple lookups, listeners, scale, ephemeral ports. */
#include "testutil.h"

static void test_conn_1(void **state) { (void)state; sk_test_scenario("conn-1"); }
static void test_conn_2(void **state) { (void)state; sk_test_scenario("conn-2"); }
static void test_conn_3(void **state) { (void)state; sk_test_scenario("conn-3"); }
static void test_conn_4(void **state) { (void)state; sk_test_scenario("conn-4"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conn_1),
		cmocka_unit_test(test_conn_2),
		cmocka_unit_test(test_conn_3),
		cmocka_unit_test(test_conn_4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
