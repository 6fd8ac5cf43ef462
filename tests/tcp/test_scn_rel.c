/* Reliable-transfer (REL-*) scenarios; so far REL-9, keepalive. */
#include "testutil.h"

static void test_rel_9(void **state) { (void)state; sk_test_scenario("rel-9"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rel_9),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
