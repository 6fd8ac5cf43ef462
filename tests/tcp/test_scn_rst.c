/* Reset (RST-*) scenarios: RSTs for segments without a connection, RFC 5961 checks and
 * challenge ACKs, and the errors the application sees. */
#include "testutil.h"

static void test_rst_1(void **state)
{
	(void)state;
	sk_test_scenario("rst-1");
}
static void test_rst_2(void **state)
{
	(void)state;
	sk_test_scenario("rst-2");
}
static void test_rst_3(void **state)
{
	(void)state;
	sk_test_scenario("rst-3");
}
static void test_rst_4(void **state)
{
	(void)state;
	sk_test_scenario("rst-4");
}
static void test_rst_5(void **state)
{
	(void)state;
	sk_test_scenario("rst-5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_1), cmocka_unit_test(test_rst_2),
		cmocka_unit_test(test_rst_3), cmocka_unit_test(test_rst_4),
		cmocka_unit_test(test_rst_5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
