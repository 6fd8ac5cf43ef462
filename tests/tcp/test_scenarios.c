/* Runs each catalogue scenario (src/sim/scn_*.c) and requires every expectation to hold;
 * a scenario that checks nothing fails. Test names carry the behaviour IDs. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "sim/scenario.h"

static void run(const char *name)
{
	const struct sk_scenario *sc = sk_scenario_find(name);
	if (!sc)
		fail_msg("scenario %s is missing", name);
	struct sk_world_opts o = {.seed = 1};
	/* Print the trace only when it fails, by running a second time with it on. */
	int r = sk_scenario_run(sc, &o, stderr);
	if (r != 0) {
		o.trace = stderr;
		sk_scenario_run(sc, &o, stderr);
		fail_msg("%s: %d expectation(s) failed", name, r);
	}
}

#define SCN(id, name)                                                                              \
	static void test_##id(void **state)                                                        \
	{                                                                                          \
		(void)state;                                                                       \
		run(name);                                                                         \
	}
SCN(hs_1, "hs-1")
SCN(hs_7, "hs-7")
SCN(hs_10, "hs-10")
SCN(cl_1, "cl-1")

/* Every registered scenario is named by a test here (so none is silently skipped). */
static void test_all_scenarios_listed(void **state)
{
	(void)state;
	static const char *const listed[] = {"hs-1", "hs-7", "hs-10", "cl-1"};
	const struct sk_scenario *sc;
	for (size_t i = 0; (sc = sk_scenario_get(i)); i++) {
		int found = 0;
		for (size_t j = 0; j < sizeof(listed) / sizeof(listed[0]); j++)
			found |= !strcmp(listed[j], sc->name);
		if (!found)
			fail_msg("scenario %s has no test in test_scenarios.c", sc->name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs_1),
		cmocka_unit_test(test_hs_7),
		cmocka_unit_test(test_hs_10),
		cmocka_unit_test(test_cl_1),
		cmocka_unit_test(test_all_scenarios_listed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
