/* Reset scenario RST-5: the errors the application sees (RST-1..4 are conformance scripts). */
#include "testutil.h"

static void test_rst_5(void **state)
{
	(void)state;
	sk_test_scenario("rst-5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
