/* The sender's SACK scoreboard against RFC 6675's definitions, on hand-worked examples
 * with 1000-byte segments (REL-5). */
#include "testutil.h"

#include "tcp/sack.h"

#define MSS 1000u

static void add(struct sk_scoreboard *sb, uint32_t una, uint32_t max, uint32_t l, uint32_t r)
{
	struct sk_range b = {l, r};
	sk_sb_update(sb, una, max, &b, 1);
}

/* Ten segments sent, the 1st and 4th lost, everything else SACKed. */
static void test_rel_5_two_holes(void **state)
{
	(void)state;
	struct sk_scoreboard sb;
	sk_sb_init(&sb);
	add(&sb, 0, 10000, 1000, 3000);
	add(&sb, 0, 10000, 4000, 10000);
	assert_int_equal(sb.n, 2);
	assert_int_equal(sb.sacked, 8000);
	assert_true(sk_sb_is_lost(&sb, 0, MSS));
	assert_true(sk_sb_is_lost(&sb, 3000, MSS));
	assert_false(sk_sb_is_sacked(&sb, 3500));
	/* Everything unSACKed is lost and nothing retransmitted: the pipe is empty. */
	assert_int_equal(sk_sb_pipe(&sb, 0, 10000, 0, MSS), 0);
	uint32_t seq, len;
	assert_true(sk_sb_next_lost(&sb, 0, 10000, 0, MSS, &seq, &len));
	assert_int_equal(seq, 0);
	assert_int_equal(len, 1000);
	/* After retransmitting the first hole, the next is the second; the retransmission
	 * is in the pipe. */
	assert_true(sk_sb_next_lost(&sb, 0, 10000, 1000, MSS, &seq, &len));
	assert_int_equal(seq, 3000);
	assert_int_equal(len, 1000);
	assert_int_equal(sk_sb_pipe(&sb, 0, 10000, 1000, MSS), 1000);
	assert_false(sk_sb_next_lost(&sb, 0, 10000, 4000, MSS, &seq, &len));
	/* The cumulative ACK moves past the first hole and the first range. */
	sk_sb_ack(&sb, 3000);
	assert_int_equal(sb.n, 1);
	assert_int_equal(sb.sacked, 6000);
}

/* IsLost needs more than 2 segments' worth (or 3 ranges) SACKed above. */
static void test_rel_5_dupthresh(void **state)
{
	(void)state;
	struct sk_scoreboard sb;
	sk_sb_init(&sb);
	add(&sb, 0, 5000, 1000, 3000); /* two segments above the hole */
	assert_false(sk_sb_is_lost(&sb, 0, MSS));
	assert_int_equal(sk_sb_pipe(&sb, 0, 5000, 0, MSS), 3000); /* hole 0-1000 and 3000-5000 in flight */
	uint32_t seq, len;
	assert_false(sk_sb_next_lost(&sb, 0, 5000, 0, MSS, &seq, &len));
	add(&sb, 0, 5000, 3000, 3001); /* one byte more: > 2 * SMSS */
	assert_true(sk_sb_is_lost(&sb, 0, MSS));
	/* Three discontiguous ranges of one byte each also make a loss. */
	struct sk_scoreboard s2;
	sk_sb_init(&s2);
	add(&s2, 0, 9000, 2000, 2001);
	add(&s2, 0, 9000, 4000, 4001);
	assert_false(sk_sb_is_lost(&s2, 0, MSS));
	add(&s2, 0, 9000, 6000, 6001);
	assert_true(sk_sb_is_lost(&s2, 0, MSS));
	assert_false(sk_sb_is_lost(&s2, 2500, MSS));
}

/* D-SACK (RFC 2883) and blocks beyond what was sent are not counted as SACKed. */
static void test_rel_5_dsack_and_bogus(void **state)
{
	(void)state;
	struct sk_scoreboard sb;
	sk_sb_init(&sb);
	struct sk_range b[2] = {{500, 1000}, {2000, 3000}};
	assert_int_equal(sk_sb_update(&sb, 1000, 5000, b, 2), 1000);
	assert_int_equal(sb.dsacks, 1);
	struct sk_range inside[2] = {{2200, 2400}, {2000, 3000}};
	assert_int_equal(sk_sb_update(&sb, 1000, 5000, inside, 2), 0);
	assert_int_equal(sb.dsacks, 2);
	struct sk_range bogus = {4000, 9000};
	assert_int_equal(sk_sb_update(&sb, 1000, 5000, &bogus, 1), 0);
	assert_int_equal(sb.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rel_5_two_holes),
		cmocka_unit_test(test_rel_5_dupthresh),
		cmocka_unit_test(test_rel_5_dsack_and_bogus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
