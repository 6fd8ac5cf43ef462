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

#endif
