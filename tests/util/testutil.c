/* Helpers shared by the cmocka tests. */
#include "testutil.h"

#include <ctype.h>

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
