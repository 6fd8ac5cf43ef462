/* Loss detection and recovery: duplicate ACKs and limited transmit (RFC 5681, 3042), fast
 * retransmit, SACK-based recovery (RFC 6675) or NewReno's partial ACKs without SACK
 * (RFC 6582); congestion control hears about each event through its hooks. */
#include <stdlib.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

static const struct sk_cc_ops *cc(const struct sk_tcb *t)
{
	return sk_cc_get(t->cc.algo);
}

uint32_t sk_rec_sack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (!(t->flags & TF_SACK) || !seg->opt.nsack)
		return 0;
	if (!t->sb) {
		t->sb = calloc(1, sizeof(*t->sb));
		if (!t->sb)
			return 0;
	}
	struct sk_range blk[SK_TCP_MAX_SACK];
	for (int i = 0; i < seg->opt.nsack; i++)
		blk[i] = (struct sk_range){seg->opt.sack[i].left, seg->opt.sack[i].right};
	uint32_t before = t->sb->dsacks;
	uint32_t n = sk_sb_update(t->sb, t->snd_una, t->snd_max, blk, seg->opt.nsack);
	if (t->sb->dsacks != before) {
		t->dsacks += t->sb->dsacks - before;
		st->stats.tcp_dsacks_rcvd += t->sb->dsacks - before;
	}
	return n;
}

static void enter_recovery(struct synack_stack *st, struct sk_tcb *t)
{
	uint32_t flight = t->snd_max - t->snd_una;
	/* RFC 5681 3.2 step 2: data limited transmit (RFC 3042) sent beyond cwnd is not part
	 * of the FlightSize the new ssthresh is half of (CC-3). */
	uint32_t over = flight > t->cc.cwnd ? flight - t->cc.cwnd : 0;
	uint32_t lt = (uint32_t)t->limited_tx * t->cc.mss;
	flight -= over < lt ? over : lt;
	/* 1: NewReno recovery (RFC 6582); 2: SACK-based (RFC 6675), which stays so even when
	 * cumulative ACKs empty the scoreboard before the recovery point. */
	t->in_recovery = 1;
	t->recover = t->snd_max;
	/* In SACK recovery the first hole may have gone again in the recovery just ended (it
	 * was a later hole then), and that copy is still in flight: it is not sent a third time
	 * (as Linux keeps per segment); HighRxt stays past it. */
	int resent = t->sb && t->sb->n && seq_gt(t->high_rxt, t->snd_una) && seq_leq(t->high_rxt, t->snd_max);
	if (!resent)
		t->high_rxt = t->snd_una;
	t->limited_tx = 0;
	cc(t)->cong_signal(&t->cc, SK_CC_LOSS, flight, st->now);
	st->stats.tcp_fast_retransmits++;
	if (t->sb && t->sb->n) {
		t->in_recovery = 2;
		st->stats.tcp_sack_recoveries++;
		t->sack_recoveries++;
	} else {
		/* RFC 6582 3.2 step 2: the three duplicate ACKs left the network. */
		t->inflate = 3 * t->cc.mss;
	}
	/* Fast retransmit of the first unacknowledged segment (RFC 5681 3.2 step 3). */
	uint32_t len = t->snd.len < sk_tcp_eff_mss(t) ? t->snd.len : sk_tcp_eff_mss(t);
	if (t->sb && t->sb->n) {
		uint32_t seq, l;
		if (sk_sb_next_lost(t->sb, t->snd_una, t->snd_max, t->high_rxt, sk_tcp_eff_mss(t), &seq, &l))
			len = l;
	}
	if (len && !resent) {
		sk_tcp_retransmit(st, t, t->snd_una, len);
		t->high_rxt = t->snd_una + len;
	}
	t->una_mark = t->snd_max;
}

/* A lost retransmission of the first hole, found as RACK (RFC 8985) would: data sent after
 * it has been SACKed more than DupThresh - 1 segments beyond, yet the hole is still open.
 * Sending it again now spares a retransmission timeout (and its collapse of cwnd). */
static void check_lost_rxt(struct synack_stack *st, struct sk_tcb *t)
{
	if (!t->sb || !t->sb->n || !seq_lt(t->snd_una, t->high_rxt))
		return;
	uint32_t mss = sk_tcp_eff_mss(t);
	uint32_t top = t->sb->r[t->sb->n - 1].right;
	if (!seq_gt(top, t->una_mark + (SK_DUPTHRESH - 1) * mss))
		return;
	uint32_t len = t->snd.len < mss ? t->snd.len : mss;
	if (t->sb->r[0].left - t->snd_una < len)
		len = t->sb->r[0].left - t->snd_una;
	if (!len)
		return;
	st->stats.tcp_lost_retransmits++;
	sk_tcp_retransmit(st, t, t->snd_una, len);
	t->una_mark = t->snd_max;
}

static void leave_recovery(struct synack_stack *st, struct sk_tcb *t)
{
	t->in_recovery = 0;
	t->inflate = 0;
	t->dupacks = 0;
	cc(t)->post_recovery(&t->cc, t->snd_max - t->snd_una, st->now);
}

/* HyStart++ (RFC 9406 4.2), with Linux's HyStart sampling: in slow start, compare the
 * minimum RTT of the first 8 ACKs of each round with the previous round's; a rise of an
 * eighth (clamped to 4..16 ms) means a standing queue has formed at the bottleneck, so slow
 * start ends before it overflows. The first ACKs are the ones to look at: later in a round
 * the queue the round itself is building shows, early on only a standing one. Like Linux,
 * no conservative phase: congestion avoidance begins at once. And Linux's ACK-train test:
 * once a round's closely spaced ACKs span half the minimum RTT, the window has reached the
 * path's capacity (cwnd ~ rate x RTT) before any queue shows in the delays. */
#define HS_SAMPLES 8
static void hystart(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->cc.cwnd >= t->cc.ssthresh || !t->last_rtt)
		return;
	if (seq_geq(t->snd_una, t->hs_round_end)) {
		/* A new round: it ends when what is sent from now on is acknowledged. */
		if (t->hs_samples >= HS_SAMPLES)
			t->hs_last_min = t->hs_cur_min;
		t->hs_cur_min = UINT32_MAX;
		t->hs_samples = 0;
		t->hs_round_end = t->snd_max;
		t->hs_round_start = t->hs_last_ack = st->now;
	}
	if (t->min_rtt && st->now - t->hs_last_ack <= 2000) {
		t->hs_last_ack = st->now;
		if (st->now - t->hs_round_start >= t->min_rtt / 2) {
			t->cc.ssthresh = t->cc.cwnd;
			st->stats.tcp_hystart_exits++;
			return;
		}
	}
	if (t->hs_samples >= HS_SAMPLES)
		return;
	if (t->last_rtt < t->hs_cur_min)
		t->hs_cur_min = t->last_rtt;
	if (++t->hs_samples < HS_SAMPLES || t->hs_last_min == UINT32_MAX)
		return;
	uint32_t eta = t->hs_last_min / 8;
	eta = eta < 4000 ? 4000 : eta > 16000 ? 16000 : eta;
	if (t->hs_cur_min >= t->hs_last_min + eta) {
		t->cc.ssthresh = t->cc.cwnd; /* leave slow start */
		st->stats.tcp_hystart_exits++;
	}
}

void sk_rec_new_ack(struct synack_stack *st, struct sk_tcb *t, uint32_t acked, uint32_t flight)
{
	t->dupacks = 0;
	t->limited_tx = 0;
	if (t->sb) {
		sk_sb_ack(t->sb, t->snd_una);
		if (!t->sb->n && !t->in_recovery) {
			free(t->sb); /* nothing outstanding is SACKed: give the memory back */
			t->sb = NULL;
		}
	}
	if (t->in_recovery) {
		if (seq_geq(t->snd_una, t->recover)) {
			leave_recovery(st, t);
			return;
		}
		t->una_mark = t->snd_max; /* a new first hole: watch its retransmission afresh */
		if (t->in_recovery == 2) {
			/* RFC 6675: the pipe decides what goes next (sk_rec_output); a partial
			 * ACK alone is no loss, even one that leaves nothing SACKed (the rest
			 * is on its way): retransmitting on it resent whole windows. */
			check_lost_rxt(st, t);
			return;
		}
		/* RFC 6582 3.2 step 5: a partial ACK: the next hole is lost too. Deflate by what
		 * was acked, add back one segment, retransmit the first unacked segment. */
		t->inflate = t->inflate > acked ? t->inflate - acked : 0;
		if (acked >= t->cc.mss)
			t->inflate += t->cc.mss;
		uint32_t len = t->snd.len < sk_tcp_eff_mss(t) ? t->snd.len : sk_tcp_eff_mss(t);
		if (len)
			sk_tcp_retransmit(st, t, t->snd_una, len);
		return;
	}
	/* RFC 7661-style: grow only a window that was in use. Slow start counts as limited
	 * when at least half the window was out, as Linux's tcp_is_cwnd_limited. */
	hystart(st, t);
	int limited = t->cc.cwnd < t->cc.ssthresh ? 2ull * flight >= t->cc.cwnd : flight + t->cc.mss >= t->cc.cwnd;
	struct sk_cc_ack a = {.now = st->now, .acked = acked, .flight = flight, .srtt = t->srtt, .cwnd_limited = limited};
	cc(t)->ack_received(&t->cc, &a);
}

void sk_rec_dupack(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->in_recovery) {
		if (t->in_recovery == 1)
			t->inflate += t->cc.mss; /* RFC 6582 3.2 step 4 */
		else
			check_lost_rxt(st, t);
		return;
	}
	if (t->dupacks < 255)
		t->dupacks++;
	int lost = t->sb && sk_sb_is_lost(t->sb, t->snd_una, sk_tcp_eff_mss(t));
	if (t->dupacks >= SK_DUPTHRESH || lost) {
		enter_recovery(st, t);
		return;
	}
	/* RFC 3042: each of the first two duplicate ACKs lets one new segment go. */
	t->limited_tx = t->dupacks;
}

void sk_rec_timeout(struct synack_stack *st, struct sk_tcb *t)
{
	uint32_t flight = t->snd_max - t->snd_una;
	t->in_recovery = 0;
	t->inflate = 0;
	t->dupacks = 0;
	t->limited_tx = 0;
	t->high_rxt = t->snd_una; /* go-back-N resends from snd_una: no retransmission in flight counts */
	/* RFC 6675 5.1: SACK information may be kept after a timeout, but a receiver may
	 * have reneged; after a second timeout in a row forget it. */
	if (t->sb && t->backoff >= 2)
		sk_sb_clear(t->sb);
	cc(t)->cong_signal(&t->cc, SK_CC_RTO, flight, st->now);
}

int sk_rec_output(struct synack_stack *st, struct sk_tcb *t)
{
	if (!t->in_recovery || !t->sb || !t->sb->n)
		return 0;
	uint32_t mss = sk_tcp_eff_mss(t);
	for (int guard = 0; guard < 1024; guard++) {
		uint32_t pipe = sk_sb_pipe(t->sb, t->snd_una, t->snd_max, t->high_rxt, mss);
		if (pipe + mss > t->cc.cwnd)
			break;
		uint32_t seq, len;
		if (sk_sb_next_lost(t->sb, t->snd_una, t->snd_max, t->high_rxt, mss, &seq, &len)) {
			sk_tcp_retransmit(st, t, seq, len);
			t->high_rxt = seq + len;
			continue;
		}
		/* RFC 6675 NextSeg rule 2: new data, if the peer's window allows. */
		if (sk_tcp_send_new(st, t))
			continue;
		/* Rule 3 (a SHOULD): nothing counts as lost and nothing new may go: the first
		 * unSACKed range above HighRxt, below the highest SACKed byte, goes anyway, so a
		 * loss with fewer than DupThresh segments after it needs no timeout (REL-5). */
		if (!sk_sb_next_hole(t->sb, t->snd_una, t->high_rxt, mss, &seq, &len))
			break;
		sk_tcp_retransmit(st, t, seq, len);
		t->high_rxt = seq + len;
	}
	return 1;
}
