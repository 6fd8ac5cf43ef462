/* TCP header and options (FMT-1, FMT-3): round trips, Linux's layout, every malformed case. */
#include "testutil.h"

#include <string.h>

#include "wire/checksum.h"
#include "wire/tcp.h"

#define SRC 0x0a000001u
#define DST 0x0a000002u

/* Options as Linux sends them in a SYN encode to the byte layout seen on the wire:
 * mss 1460, sackOK, TS val ecr, nop, wscale 7 (20 bytes, no padding). */
static void test_fmt_3_linux_syn_layout(void **state)
{
	(void)state;
	struct sk_tcp_opts o = {.has_mss = 1, .mss = 1460, .sack_ok = 1, .has_ts = 1,
				.tsval = 3038320571u, .tsecr = 0, .has_ws = 1, .ws = 7};
	uint8_t b[40], want[20];
	assert_int_equal(sk_tcp_emit_options(b, sizeof(b), &o), 20);
	sk_test_hex("020405b4 0402080a b51917bb 00000000 01030307", want, sizeof(want));
	assert_memory_equal(b, want, 20);
}

/* Every combination of options survives emit + parse unchanged, padded to 4 bytes. */
static void test_fmt_3_round_trip(void **state)
{
	(void)state;
	for (unsigned mask = 0; mask < 32; mask++) {
		for (unsigned nsack = 0; nsack <= 4; nsack++) {
			struct sk_tcp_opts o = {0}, back;
			o.has_mss = mask & 1;
			o.mss = 1400;
			o.has_ws = (mask >> 1) & 1;
			o.ws = 14;
			o.sack_ok = (mask >> 2) & 1;
			o.has_ts = (mask >> 3) & 1;
			o.tsval = 0x01020304;
			o.tsecr = 0xfffffffe;
			o.nsack = (uint8_t)nsack;
			for (unsigned i = 0; i < nsack; i++)
				o.sack[i] = (struct sk_tcp_sack_block){1000u * i, 1000u * i + 500};
			uint8_t b[64];
			int n = sk_tcp_emit_options(b, sizeof(b), &o);
			unsigned need = (o.has_mss ? 4 : 0) + (o.has_ts ? 12 : o.sack_ok ? 4 : 0) +
					(o.has_ws ? 4 : 0) + (nsack ? 4 + 8 * nsack : 0);
			if (need > 40) {
				assert_int_equal(n, -SK_WIRE_INVALID);
				continue;
			}
			assert_int_equal(n, need);
			assert_int_equal(n % 4, 0);
			assert_int_equal(sk_tcp_parse_options(b, (size_t)n, &back), 0);
			assert_int_equal(back.has_mss, o.has_mss);
			assert_int_equal(back.has_ws, o.has_ws);
			assert_int_equal(back.sack_ok, o.sack_ok);
			assert_int_equal(back.has_ts, o.has_ts);
			if (o.has_mss)
				assert_int_equal(back.mss, 1400);
			if (o.has_ws)
				assert_int_equal(back.ws, 14);
			if (o.has_ts) {
				assert_int_equal(back.tsval, o.tsval);
				assert_int_equal(back.tsecr, o.tsecr);
			}
			assert_int_equal(back.nsack, nsack);
			for (unsigned i = 0; i < nsack; i++) {
				assert_int_equal(back.sack[i].left, o.sack[i].left);
				assert_int_equal(back.sack[i].right, o.sack[i].right);
			}
		}
	}
}

static int parse_hex_opts(const char *hex, struct sk_tcp_opts *o)
{
	uint8_t b[40];
	size_t n = sk_test_hex(hex, b, sizeof(b));
	return sk_tcp_parse_options(b, n, o);
}

/* FMT-3: length 0 or 1 on any non-NOP/EOL kind makes the options malformed. */
static void test_fmt_3_length_zero_or_one(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("02 00 05 b4", &o), -SK_WIRE_BAD_OPTION);
	assert_int_equal(parse_hex_opts("02 01 05 b4", &o), -SK_WIRE_BAD_OPTION);
	assert_int_equal(parse_hex_opts("01 01 fe 00", &o), -SK_WIRE_BAD_OPTION);  /* unknown kind too */
	assert_int_equal(parse_hex_opts("01 01 1e 01", &o), -SK_WIRE_BAD_OPTION);
}

/* FMT-3: an option running past the header, or a kind with no room for its length. */
static void test_fmt_3_running_past_header(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("08 0a 00 00 00 01 00 00", &o), -SK_WIRE_BAD_OPTION);
	assert_int_equal(parse_hex_opts("01 01 01 02", &o), -SK_WIRE_BAD_OPTION); /* kind 2, no length byte */
	assert_int_equal(parse_hex_opts("01 01 01 fd", &o), -SK_WIRE_BAD_OPTION);
	assert_int_equal(parse_hex_opts("05 ff 00 00", &o), -SK_WIRE_BAD_OPTION);
}

/* FMT-3: unknown kinds are skipped by their length; what follows is still parsed. */
static void test_fmt_3_unknown_kind_skipped(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("1e 06 aa bb cc dd 02 04 05 78", &o), 0);
	assert_int_equal(o.nunknown, 1);
	assert_true(o.has_mss);
	assert_int_equal(o.mss, 1400);
}

/* EOL ends the list: bytes after it are padding, even if they look malformed. */
static void test_fmt_3_eol_stops(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("01 00 02 00", &o), 0);
	assert_false(o.has_mss);
}

/* A known kind with a wrong length is skipped by that length, as Linux does. */
static void test_fmt_3_known_kind_bad_length(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("02 03 05 03 03 07 00 00", &o), 0);
	assert_false(o.has_mss);
	assert_int_equal(o.nbad, 1);
	assert_true(o.has_ws);
	assert_int_equal(o.ws, 7);
	/* SACK length not 2 + 8n */
	assert_int_equal(parse_hex_opts("05 07 00 00 00 01 00 00", &o), 0);
	assert_int_equal(o.nsack, 0);
	assert_int_equal(o.nbad, 1);
	/* TS with length 8 */
	assert_int_equal(parse_hex_opts("08 08 00 00 00 01 00 00", &o), 0);
	assert_false(o.has_ts);
}

/* A window scale above 14 is reported as received; the TCP layer clamps it. */
static void test_fmt_3_wscale_over_14(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("01 03 03 0f", &o), 0);
	assert_int_equal(o.ws, 15);
	struct sk_tcp_opts big = {.has_ws = 1, .ws = 15};
	uint8_t b[40];
	assert_int_equal(sk_tcp_emit_options(b, sizeof(b), &big), -SK_WIRE_INVALID);
}

/* SACK: 1 to 4 blocks (RFC 2018), in order. */
static void test_fmt_3_sack_blocks(void **state)
{
	(void)state;
	struct sk_tcp_opts o;
	assert_int_equal(parse_hex_opts("0101 0522 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008",
					&o), 0);
	assert_int_equal(o.nsack, 4);
	assert_int_equal(o.sack[3].left, 7);
	assert_int_equal(o.sack[3].right, 8);
}

/* FMT-1: the full header: fields, reserved bits, data offset bounds, payload length taken
 * from the caller (the IP layer), checksum with the pseudo-header. */
static void test_fmt_1_header_round_trip(void **state)
{
	(void)state;
	uint8_t seg[128];
	const uint8_t data[] = "hello";
	struct sk_tcp t = {.sport = 32896, .dport = 6378, .seq = 0xfffffff0u, .ack = 7,
			   .flags = SK_TCP_ACK | SK_TCP_PSH | 0x100, .win = 29200, .urp = 3,
			   .payload = data, .payload_len = 5};
	t.opt.has_ts = 1;
	t.opt.tsval = 1;
	int n = sk_tcp_emit(seg, sizeof(seg), SRC, DST, &t);
	assert_int_equal(n, 20 + 12 + 5);
	assert_int_equal(seg[12] >> 4, 8);
	assert_int_equal(sk_csum_l4(SRC, DST, 6, seg, (size_t)n), 0);
	struct sk_tcp r;
	assert_int_equal(sk_tcp_parse(seg, (size_t)n, SRC, DST, &r, SK_TCP_VERIFY_CSUM), 32);
	assert_int_equal(r.sport, 32896);
	assert_int_equal(r.dport, 6378);
	assert_int_equal(r.seq, 0xfffffff0u);
	assert_int_equal(r.ack, 7);
	assert_int_equal(r.flags, SK_TCP_ACK | SK_TCP_PSH | 0x100);
	assert_int_equal(r.win, 29200);
	assert_int_equal(r.urp, 3);
	assert_int_equal(r.payload_len, 5);
	assert_memory_equal(r.payload, "hello", 5);
	assert_true(r.opt.has_ts);
	/* Wrong pseudo-header address: checksum fails (FMT-2). */
	assert_int_equal(sk_tcp_parse(seg, (size_t)n, SRC + 1, DST, &r, SK_TCP_VERIFY_CSUM), -SK_WIRE_BAD_CHECKSUM);
	/* Every single-bit flip is caught. */
	for (int bit = 0; bit < n * 8; bit++) {
		seg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		int rr = sk_tcp_parse(seg, (size_t)n, SRC, DST, &r, SK_TCP_VERIFY_CSUM);
		assert_true(rr < 0);
		seg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
}

/* FMT-1: data offset below 5 words or beyond the segment is rejected. */
static void test_fmt_1_bad_data_offset(void **state)
{
	(void)state;
	uint8_t seg[60] = {0};
	struct sk_tcp r;
	seg[12] = 4 << 4;
	assert_int_equal(sk_tcp_parse(seg, 60, SRC, DST, &r, 0), -SK_WIRE_BAD_HDRLEN);
	seg[12] = 15 << 4;
	assert_int_equal(sk_tcp_parse(seg, 59, SRC, DST, &r, 0), -SK_WIRE_BAD_HDRLEN);
	assert_int_equal(sk_tcp_parse(seg, 60, SRC, DST, &r, 0), -SK_WIRE_OK + 60); /* 40 bytes of EOL */
	assert_int_equal(sk_tcp_parse(seg, 19, SRC, DST, &r, 0), -SK_WIRE_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_3_linux_syn_layout),
		cmocka_unit_test(test_fmt_3_round_trip),
		cmocka_unit_test(test_fmt_3_length_zero_or_one),
		cmocka_unit_test(test_fmt_3_running_past_header),
		cmocka_unit_test(test_fmt_3_unknown_kind_skipped),
		cmocka_unit_test(test_fmt_3_eol_stops),
		cmocka_unit_test(test_fmt_3_known_kind_bad_length),
		cmocka_unit_test(test_fmt_3_wscale_over_14),
		cmocka_unit_test(test_fmt_3_sack_blocks),
		cmocka_unit_test(test_fmt_1_header_round_trip),
		cmocka_unit_test(test_fmt_1_bad_data_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
