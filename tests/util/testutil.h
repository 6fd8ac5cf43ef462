/* Helpers shared by the cmocka tests: cmocka includes, hex, pcap comparisons. */
#ifndef SK_TESTUTIL_H
#define SK_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Parses "45 00 00 3c ..." (spaces/newlines ignored) into buf; returns the byte count. */
size_t sk_test_hex(const char *hex, uint8_t *buf, size_t cap);



/* A stack with the default tunables but a fixed secret and seed (from seed), so that a
 * test's run repeats; fails the test if it cannot be made. */
struct synack_stack;
struct synack_stack *sk_test_stack_new(uint64_t seed);

/* Runs the named catalogue scenario (src/sim) with seed 1 and fails the test if it is
 * missing or any of its expectations fails; the trace of a failing run goes to stderr. */
void sk_test_scenario(const char *name);
#endif
