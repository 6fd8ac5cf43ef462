/* The sender's SACK scoreboard (RFC 2018 on receipt, RFC 6675 for what it means). */
#include "tcp/sack.h"

#include <string.h>

#include "tcp/seq.h"

void sk_sb_init(struct sk_scoreboard *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void sk_sb_clear(struct sk_scoreboard *sb)
{
	sb->n = 0;
	sb->sacked = 0;
}

static void recount(struct sk_scoreboard *sb)
{
	sb->sacked = 0;
	for (uint8_t i = 0; i < sb->n; i++)
		sb->sacked += sb->r[i].right - sb->r[i].left;
}

/* Inserts [l, r) into the sorted, disjoint set, merging. */
static void insert(struct sk_scoreboard *sb, uint32_t l, uint32_t r)
{
	uint8_t i = 0;
	while (i < sb->n && seq_lt(sb->r[i].right, l))
		i++;
	if (i == sb->n || seq_gt(sb->r[i].left, r)) {
		if (sb->n == SK_SB_MAX)
			return; /* the receiver reports at most 4 per ACK; 32 is plenty */
		memmove(&sb->r[i + 1], &sb->r[i], (size_t)(sb->n - i) * sizeof(sb->r[0]));
		sb->r[i] = (struct sk_range){l, r};
		sb->n++;
		return;
	}
	sb->r[i].left = seq_min(sb->r[i].left, l);
	sb->r[i].right = seq_max(sb->r[i].right, r);
	while (i + 1 < sb->n && seq_geq(sb->r[i].right, sb->r[i + 1].left)) {
		sb->r[i].right = seq_max(sb->r[i].right, sb->r[i + 1].right);
		memmove(&sb->r[i + 1], &sb->r[i + 2], (size_t)(sb->n - i - 2) * sizeof(sb->r[0]));
		sb->n--;
	}
}

uint32_t sk_sb_update(struct sk_scoreboard *sb, uint32_t snd_una, uint32_t snd_max, const struct sk_range *blk, int n)
{
	uint32_t before = sb->sacked;
	for (int k = 0; k < n; k++) {
		uint32_t l = blk[k].left, r = blk[k].right;
		if (!seq_lt(l, r))
			continue;
		if (seq_leq(r, snd_una)) {
			sb->dsacks++; /* RFC 2883: reports data already acknowledged */
			continue;
		}
		if (seq_gt(r, snd_max))
			continue; /* claims data never sent: ignore (RFC 6675 5.1) */
		if (k == 0 && n > 1 && seq_geq(l, blk[1].left) && seq_leq(r, blk[1].right)) {
			sb->dsacks++; /* first block inside the second: D-SACK */
			continue;
		}
		if (seq_lt(l, snd_una))
			l = snd_una;
		insert(sb, l, r);
	}
	recount(sb);
	return sb->sacked > before ? sb->sacked - before : 0;
}

void sk_sb_ack(struct sk_scoreboard *sb, uint32_t snd_una)
{
	uint8_t k = 0;
	for (uint8_t i = 0; i < sb->n; i++) {
		if (seq_leq(sb->r[i].right, snd_una))
			continue;
		sb->r[k] = sb->r[i];
		if (seq_lt(sb->r[k].left, snd_una))
			sb->r[k].left = snd_una;
		k++;
	}
	sb->n = k;
	recount(sb);
}

int sk_sb_is_sacked(const struct sk_scoreboard *sb, uint32_t seq)
{
	for (uint8_t i = 0; i < sb->n; i++)
		if (seq_geq(seq, sb->r[i].left) && seq_lt(seq, sb->r[i].right))
			return 1;
	return 0;
}

int sk_sb_is_lost(const struct sk_scoreboard *sb, uint32_t seq, uint32_t mss)
{
	uint32_t bytes = 0, ranges = 0;
	for (int i = sb->n - 1; i >= 0; i--) {
		if (seq_leq(sb->r[i].right, seq))
			break;
		uint32_t l = seq_max(sb->r[i].left, seq + 1);
		bytes += sb->r[i].right - l;
		ranges++;
	}
	return ranges >= SK_DUPTHRESH || bytes > (SK_DUPTHRESH - 1) * mss;
}

/* The lowest sequence number from which on holes are no longer "lost": IsLost is true
 * for every unSACKed byte below it and false above (the SACKed volume above a byte only
 * shrinks as the byte rises). Found by walking ranges from the top. */
static uint32_t lost_limit(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t mss)
{
	uint32_t bytes = 0, ranges = 0;
	for (int i = sb->n - 1; i >= 0; i--) {
		ranges++;
		uint32_t size = sb->r[i].right - sb->r[i].left;
		if (ranges >= SK_DUPTHRESH)
			return sb->r[i].left; /* bytes below this range are lost */
		if (bytes + size > (SK_DUPTHRESH - 1) * mss) {
			/* The byte b in this range with more than 2*mss SACKed above it. */
			uint32_t need = (SK_DUPTHRESH - 1) * mss - bytes; /* bytes of this range above b must exceed need */
			return sb->r[i].right - need - 1;
		}
		bytes += size;
	}
	return snd_una; /* nothing is lost */
}

uint32_t sk_sb_pipe(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t snd_max, uint32_t high_rxt, uint32_t mss)
{
	uint32_t limit = lost_limit(sb, snd_una, mss);
	uint32_t pipe = 0, at = snd_una;
	/* Walk the holes between snd_una and snd_max. */
	for (uint8_t i = 0; i <= sb->n; i++) {
		uint32_t hole_end = i < sb->n ? sb->r[i].left : snd_max;
		if (seq_lt(at, hole_end)) {
			/* unSACKed [at, hole_end): not lost above limit counts once; any part
			 * retransmitted (below high_rxt) counts once more. */
			uint32_t nl_start = seq_max(at, limit);
			if (seq_lt(nl_start, hole_end))
				pipe += hole_end - nl_start;
			uint32_t rx_end = seq_min(hole_end, high_rxt);
			if (seq_lt(at, rx_end))
				pipe += rx_end - at;
		}
		if (i < sb->n)
			at = seq_max(at, sb->r[i].right);
	}
	return pipe;
}

int sk_sb_next_lost(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t snd_max, uint32_t high_rxt, uint32_t mss,
		    uint32_t *seq, uint32_t *len)
{
	uint32_t limit = lost_limit(sb, snd_una, mss);
	uint32_t at = seq_max(snd_una, high_rxt);
	for (uint8_t i = 0; i <= sb->n; i++) {
		uint32_t hole_end = i < sb->n ? sb->r[i].left : snd_max;
		if (i < sb->n && seq_leq(sb->r[i].right, at))
			continue;
		if (seq_lt(at, hole_end)) {
			if (!seq_lt(at, limit))
				return 0; /* holes from here on are not (yet) lost */
			uint32_t end = seq_min(hole_end, limit);
			uint32_t n = end - at;
			*seq = at;
			*len = n < mss ? n : mss;
			return 1;
		}
		if (i < sb->n)
			at = seq_max(at, sb->r[i].right);
	}
	return 0;
}

int sk_sb_next_hole(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t high_rxt, uint32_t mss,
		    uint32_t *seq, uint32_t *len)
{
	uint32_t at = seq_max(snd_una, high_rxt);
	for (uint8_t i = 0; i < sb->n; i++) {
		if (seq_leq(sb->r[i].right, at))
			continue;
		if (seq_lt(at, sb->r[i].left)) {
			uint32_t n = sb->r[i].left - at;
			*seq = at;
			*len = n < mss ? n : mss;
			return 1;
		}
		at = sb->r[i].right;
	}
	return 0;
}
