/* Internet checksum: RFC 1071 vectors, fast path vs reference, pseudo-header, RFC 1624. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/wire.h"

/* RFC 1071 section 3's worked example: the words 0001 f203 f4f5 f6f7 sum to 0xddf2. */
static void test_rfc1071_example(void **state)
{
	(void)state;
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	assert_int_equal(sk_csum_add(0, b, sizeof(b)), 0xddf2);
	assert_int_equal(sk_csum(b, sizeof(b)), (uint16_t)~0xddf2);
	/* Split at an even boundary the partial sums chain to the same result. */
	assert_int_equal(sk_csum_add(sk_csum_add(0, b, 4), b + 4, 4), 0xddf2);
}

/* A real IPv4 header with its checksum field (0xb861) in place sums to zero. */
static void test_ipv4_header_vector(void **state)
{
	(void)state;
	uint8_t h[20];
	sk_test_hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7", h, sizeof(h));
	assert_int_equal(sk_csum(h, 20), 0);
	h[10] = h[11] = 0;
	assert_int_equal(sk_csum(h, 20), 0xb861);
}

/* Odd length: the last byte is padded with a zero low-order byte. */
static void test_odd_length(void **state)
{
	(void)state;
	const uint8_t b[] = {0x12, 0x34, 0x56};
	assert_int_equal(sk_csum_add(0, b, 3), 0x1234 + 0x5600);
	assert_int_equal(sk_csum_add(0, b, 0), 0);
	assert_int_equal(sk_csum(b, 0), 0xffff);
}

/* All-ones data exercises end-around carries at every fold. */
static void test_carries(void **state)
{
	(void)state;
	uint8_t b[4096];
	memset(b, 0xff, sizeof(b));
	assert_int_equal(sk_csum_add(0, b, sizeof(b)), 0xffff);
	assert_int_equal(sk_csum(b, sizeof(b)), 0);
	assert_int_equal(sk_csum_add(0xffff, b, 2), 0xffff);
}

/* The unrolled native-order loop agrees with the word-at-a-time reference for every
 * length up to 2 KiB at every alignment, on random data. */
static void test_fast_matches_reference(void **state)
{
	(void)state;
	static uint8_t buf[2048 + 8];
	srand(1);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len <= 2048; len++)
			if (sk_csum_add(0, buf + off, len) != sk_csum_add_ref(0, buf + off, len))
				fail_msg("mismatch at offset %zu length %zu", off, len);
	for (uint32_t seed = 0; seed < 1000; seed++) {
		uint32_t init = (uint32_t)rand() & 0x1ffff;
		size_t len = (size_t)rand() % 2048;
		assert_int_equal(sk_csum_add(init, buf, len), sk_csum_add_ref(init, buf, len));
	}
}

/* The pseudo-header sum: src, dst, zero+protocol, length, as 16-bit words. */
static void test_pseudo_header(void **state)
{
	(void)state;
	uint8_t ph[12];
	sk_test_hex("c0a8 0001 c0a8 00c7 0006 0028", ph, sizeof(ph));
	assert_int_equal(sk_csum_pseudo4(0xc0a80001, 0xc0a800c7, 6, 40), sk_csum_add_ref(0, ph, 12));
}

/* RFC 1624: updating a field incrementally gives the same checksum as recomputing. */
static void test_incremental_update(void **state)
{
	(void)state;
	uint8_t h[20];
	sk_test_hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7", h, sizeof(h));
	srand(7);
	for (int i = 0; i < 100000; i++) {
		uint16_t check = sk_get16(h + 10);
		if (i & 1) {
			uint16_t old = sk_get16(h + 8), nw = (uint16_t)rand();
			sk_put16(h + 8, nw); /* TTL + protocol */
			check = sk_csum_update16(check, old, nw);
		} else {
			uint32_t old = sk_get32(h + 12), nw = (uint32_t)rand() * 2654435761u;
			sk_put32(h + 12, nw); /* source address: NAT-style rewrite */
			check = sk_csum_update32(check, old, nw);
		}
		sk_put16(h + 10, 0);
		uint16_t full = sk_csum(h, 20);
		sk_put16(h + 10, check);
		if (check != full)
			fail_msg("iteration %d: incremental %#x full %#x", i, check, full);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),     cmocka_unit_test(test_ipv4_header_vector),
		cmocka_unit_test(test_odd_length),          cmocka_unit_test(test_carries),
		cmocka_unit_test(test_fast_matches_reference), cmocka_unit_test(test_pseudo_header),
		cmocka_unit_test(test_incremental_update),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
