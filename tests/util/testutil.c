/* Helpers shared by the cmocka tests. */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>

#include <string.h>

#include <synack/synack.h>

#include "sim/scenario.h"

synack_stack *sk_test_stack_new(uint64_t seed)
{
	struct synack_config c;
	synack_config_defaults(&c);
	memset(c.secret, (int)(seed | 1), sizeof(c.secret));
	c.seed = seed ? seed : 1;
	synack_stack *st = synack_stack_new(&c, NULL);
	assert_non_null(st);
	return st;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t sk_test_hex(const char *hex, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *hex; hex++) {
		int v = hexval((unsigned char)*hex);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n < cap)
			buf[n] = (uint8_t)(hi << 4 | v);
		n++;
		hi = -1;
	}
	return n;
}

void sk_test_scenario(const char *name)
{
	const struct sk_scenario *sc = sk_scenario_find(name);
	if (!sc)
		fail_msg("scenario %s is missing", name);
	struct sk_world_opts o = {.seed = 1};
	int r = sk_scenario_run(sc, &o, stderr);
	if (r != 0) {
		/* Run again with the trace on, so the failure can be read segment by segment. */
		o.trace = stderr;
		sk_scenario_run(sc, &o, stderr);
		fail_msg("%s: %d expectation(s) failed", name, r);
	}
}
