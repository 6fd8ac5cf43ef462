/* Loss detection and recovery. With SACK, as Linux by default: RACK-TLP (RFC 8985) finds
 * losses by time and probes a lost tail, and PRR (RFC 6937) paces what recovery sends. With
 * tcp_recovery 0 or without SACK: duplicate ACKs and limited transmit (RFC 5681, 3042), fast
 * retransmit, RFC 6675's IsLost and pipe, or NewReno's partial ACKs (RFC 6582). Congestion
 * control hears about each event through its hooks. */
#include <stdlib.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

#define TLP_MIN_US 8000u      /* Linux's TCP_TIMEOUT_MIN: two ticks at HZ 250 */
#define TLP_DELACK_US 200000u /* RFC 8985 7.2 WCDelAckT (Linux: TCP_RTO_MIN) */
#define RXT_PROBE_MIN_US 1000u /* the least wait before a retransmission probe (rxt_probe) */

static const struct sk_cc_ops *cc(const struct sk_tcb *t)
{
	return sk_cc_get(t->cc.algo);
}

/* RACK-TLP runs on SACK connections unless tcp_recovery says 0 (as Linux's tcp_is_rack). */
static int rack_on(const struct synack_stack *st, const struct sk_tcb *t)
{
	return (t->flags & TF_SACK) && (st->cfg.tcp_recovery & 1) && sk_tcb_rack(t);
}

/* ---- the SACK scoreboard ---- */

uint32_t sk_rec_sack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (!(t->flags & TF_SACK) || !seg->opt.nsack || !t->fl)
		return 0;
	if (!t->fl->sb) {
		t->fl->sb = calloc(1, sizeof(*t->fl->sb));
		if (!t->fl->sb)
			return 0;
	}
	struct sk_range blk[SK_TCP_MAX_SACK];
	for (int i = 0; i < seg->opt.nsack; i++)
		blk[i] = (struct sk_range){seg->opt.sack[i].left, seg->opt.sack[i].right};
	uint32_t before = t->fl->sb->dsacks;
	uint32_t n = sk_sb_update(t->fl->sb, t->snd_una, t->snd_max, blk, seg->opt.nsack);
	if (t->fl->sb->dsacks != before) {
		SK_TCB_COUNT(t, dsacks, t->fl->sb->dsacks - before);
		st->stats.tcp_dsacks_rcvd += t->fl->sb->dsacks - before;
	}
	return n;
}

/* ---- entering and leaving recovery ---- */

/* Congestion control's reduction at the start of recovery; PRR's counters start over. A
 * window already reduced for an ECN echo (CWR) is not reduced again (Linux: recovery takes
 * over the reduction under way). */
static void reduce(struct synack_stack *st, struct sk_tcb *t, uint32_t flight)
{
	if (t->ecn & ECN_IN_CWR)
		t->ecn &= (uint8_t)~ECN_IN_CWR;
	else {
		t->fl->prior_cwnd = t->cc.cwnd;
		cc(t)->cong_signal(&t->cc, SK_CC_LOSS, flight, st->now);
	}
	t->fl->prr_delivered = 0;
	t->fl->prr_out = 0;
}

/* RFC 3168 6.1.2, the sender's side: an ACK with ECE halves the window as a loss would, at
 * most once per window of data: CWR lasts until snd_una passes what was sent when it began
 * (strictly, so the CWR bit reached the receiver), and the next new segment carries CWR. */
static void ecn_echo(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (!(t->flags & TF_ECN))
		return;
	struct sk_rack *rk = sk_tcb_rack(t);
	if ((seg->flags & SK_TCP_ECE) && rk)
		rk->undo_on = SK_UNDO_OFF; /* congestion was marked: the reduction stands (Linux too) */
	if ((t->ecn & ECN_IN_CWR) && seq_gt(t->snd_una, t->fl->cwr_seq))
		t->ecn &= (uint8_t)~ECN_IN_CWR;
	if (!(seg->flags & SK_TCP_ECE) || (t->ecn & ECN_IN_CWR) || t->in_recovery)
		return;
	t->fl->prior_cwnd = t->cc.cwnd;
	cc(t)->cong_signal(&t->cc, SK_CC_ECN, t->snd_max - t->snd_una, st->now);
	t->ecn |= ECN_IN_CWR | ECN_QUEUE_CWR;
	t->fl->cwr_seq = t->snd_max;
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
	t->fl->recover = t->snd_max;
	/* In SACK recovery the first hole may have gone again in the recovery just ended (it
	 * was a later hole then), and that copy is still in flight: it is not sent a third time
	 * (as Linux keeps per segment); HighRxt stays past it. */
	int resent = t->fl->sb && t->fl->sb->n && seq_gt(t->fl->high_rxt, t->snd_una) && seq_leq(t->fl->high_rxt, t->snd_max);
	if (!resent)
		t->fl->high_rxt = t->snd_una;
	t->limited_tx = 0;
	reduce(st, t, flight);
	st->stats.tcp_fast_retransmits++;
	if (t->fl->sb && t->fl->sb->n) {
		t->in_recovery = 2;
		st->stats.tcp_sack_recoveries++;
		SK_TCB_COUNT(t, sack_recoveries, 1);
	} else {
		/* RFC 6582 3.2 step 2: the three duplicate ACKs left the network. */
		t->fl->inflate = 3 * t->cc.mss;
	}
	/* Fast retransmit of the first unacknowledged segment (RFC 5681 3.2 step 3). */
	uint32_t len = t->snd.len < sk_tcp_eff_mss(t) ? t->snd.len : sk_tcp_eff_mss(t);
	if (t->fl->sb && t->fl->sb->n) {
		uint32_t seq, l;
		if (sk_sb_next_lost(t->fl->sb, t->snd_una, t->snd_max, t->fl->high_rxt, sk_tcp_eff_mss(t), &seq, &l))
			len = l;
	}
	if (len && !resent) {
		sk_tcp_retransmit(st, t, t->snd_una, len, SK_WHY_FAST_RXT);
		t->fl->high_rxt = t->snd_una + len;
	}
	t->fl->una_mark = t->snd_max;
}

/* A lost retransmission of the first hole, found as RACK (RFC 8985) would: data sent after
 * it has been SACKed more than DupThresh - 1 segments beyond, yet the hole is still open.
 * Sending it again now spares a retransmission timeout (and its collapse of cwnd). */
static void check_lost_rxt(struct synack_stack *st, struct sk_tcb *t)
{
	if (!t->fl->sb || !t->fl->sb->n || !seq_lt(t->snd_una, t->fl->high_rxt))
		return;
	uint32_t mss = sk_tcp_eff_mss(t);
	uint32_t top = t->fl->sb->r[t->fl->sb->n - 1].right;
	if (!seq_gt(top, t->fl->una_mark + (SK_DUPTHRESH - 1) * mss))
		return;
	uint32_t len = t->snd.len < mss ? t->snd.len : mss;
	if (t->fl->sb->r[0].left - t->snd_una < len)
		len = t->fl->sb->r[0].left - t->snd_una;
	if (!len)
		return;
	st->stats.tcp_lost_retransmits++;
	sk_tcp_retransmit(st, t, t->snd_una, len, SK_WHY_LOST_RXT);
	t->fl->una_mark = t->snd_max;
}

static void leave_recovery(struct synack_stack *st, struct sk_tcb *t)
{
	t->in_recovery = 0;
	t->fl->inflate = 0;
	t->dupacks = 0;
	cc(t)->post_recovery(&t->cc, t->snd_max - t->snd_una, st->now);
}

/* ---- undoing a reduction that proves spurious ----
 * A retransmission is unneeded when the original arrived after all: the receiver then
 * reports the copy with a D-SACK (RFC 2883), or, with timestamps, acknowledges the data
 * echoing the original's TSval rather than the retransmission's (RFC 3522's Eifel
 * detection). When every retransmission of an episode proves unneeded, or its first
 * acknowledgement is the original's, the reduction was a mistake (reordering, a delay, or
 * only ACKs lost) and is undone: cwnd and ssthresh go back to what they were (RFC 3708,
 * RFC 4015 as Linux's tcp_undo_cwnd_reduction does it, with ssthresh at least three
 * quarters of the old cwnd). After a timeout a third test applies, Linux's form of F-RTO
 * (RFC 5682 3.1 step 3b): an ACK or SACK of data sent before the timeout and not resent
 * since shows that not everything was lost. After a timeout the undo also ends the
 * go-back-N: what it marked lost is in flight again. Only on RACK connections (SACK),
 * whose log the state lives in. */

static void undo_begin(struct sk_tcb *t)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	rk->undo_on = SK_UNDO_ON;
	rk->undo_frto = 0;
	rk->undo_marker = t->snd_una;
	rk->undo_cwnd = t->cc.cwnd;
	uint64_t three_q = (uint64_t)t->cc.cwnd * 3 / 4;
	rk->undo_ssthresh = t->cc.ssthresh > three_q ? t->cc.ssthresh : (uint32_t)three_q;
	/* a loss probe's retransmission still out is the episode's first: one more copy a
	 * D-SACK must report, and the TSval the timestamps are judged by */
	int probe = rk->tlp_high_seq && rk->tlp_retrans;
	rk->undo_retrans = probe ? 1 : -1;
	rk->undo_ts = probe && (t->flags & TF_TS);
	rk->undo_tsval = rk->undo_ts ? rk->tlp_tsval : 0;
	rk->undo_until = 0;
}

/* A retransmission of len bytes goes (counted in segments, as the D-SACKs will be). */
static void undo_rxt(struct synack_stack *st, struct sk_tcb *t, uint32_t len)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (!rk->undo_on)
		return;
	uint32_t mss = sk_tcp_eff_mss(t);
	if (rk->undo_retrans < 0)
		rk->undo_retrans = 0;
	rk->undo_retrans += (int32_t)((len + mss - 1) / mss);
	if (!rk->undo_ts && (t->flags & TF_TS)) {
		rk->undo_tsval = sk_tcp_ts_now(st, t->ts_offset);
		rk->undo_ts = 1;
	}
}

/* RFC 2883 4.2: a first SACK block below the cumulative ACK, or inside the second block,
 * reports a duplicate. Below the ACK it counts against the episode's retransmissions when it
 * lies between the episode's start and where snd_una stood before this ACK (as Linux's
 * tcp_check_dsack: what this very ACK acknowledges may have been a retransmission's own
 * arrival); inside SACKed data, for the part that was retransmitted (Linux's
 * tcp_sacktag_one), which RACK's log tells (SACKed entries stay in it until acked). */
static void undo_dsack(struct sk_tcb *t, const struct sk_tcp *seg, uint32_t prior_una)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (!rk->undo_on || rk->undo_retrans <= 0 || !seg->opt.nsack)
		return;
	uint32_t l = seg->opt.sack[0].left, r = seg->opt.sack[0].right, bytes;
	if (!seq_lt(l, r) || seq_lt(l, rk->undo_marker))
		return;
	if (seq_leq(r, seg->ack)) {
		if (seq_gt(r, prior_una))
			return;
		bytes = r - l;
	} else if (seg->opt.nsack > 1 && seq_geq(l, seg->opt.sack[1].left) && seq_leq(r, seg->opt.sack[1].right)) {
		bytes = sk_rack_retrans_bytes(rk, l, r);
	} else {
		return; /* not a D-SACK */
	}
	uint32_t mss = sk_tcp_eff_mss(t);
	int32_t segs = (int32_t)((bytes + mss - 1) / mss);
	rk->undo_retrans = rk->undo_retrans > segs ? rk->undo_retrans - segs : 0;
}

/* Whether the episode proved spurious: no retransmission of it was needed, or this ACK,
 * which acknowledges new data, echoes a TSval older than its first retransmission. */
static int undo_may(const struct sk_tcb *t, const struct sk_tcp *seg, uint32_t acked)
{
	const struct sk_rack *rk = sk_tcb_rack(t);
	if (!rk->undo_on)
		return 0;
	if (!rk->undo_retrans)
		return 1;
	return acked && rk->undo_ts && seg->opt.has_ts && seq_lt(seg->opt.tsecr, rk->undo_tsval);
}

static void undo(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (t->cc.cwnd < rk->undo_cwnd)
		t->cc.cwnd = rk->undo_cwnd;
	if (t->cc.ssthresh < rk->undo_ssthresh) {
		t->cc.ssthresh = rk->undo_ssthresh;
		t->ecn &= (uint8_t)~ECN_QUEUE_CWR; /* no reduction left to signal (Linux too) */
	}
	if (t->in_recovery == SK_REC_LOSS) {
		sk_rack_unmark_lost(rk);
		if (seq_lt(t->snd_nxt, t->snd_max))
			t->snd_nxt = t->snd_max; /* the go-back-N ends: the rest is in flight */
	}
	t->in_recovery = SK_REC_OPEN;
	t->fl->inflate = 0;
	t->dupacks = 0;
	t->backoff = 0; /* an F-RTO undo may come on a SACK alone: the timeout is forgotten */
	t->fl->rtx_stamp = 0;
	rk->undo_on = SK_UNDO_OFF;
	st->stats.tcp_spurious_undos++;
}

/* The episode's recovery is over: D-SACKs still count for a round trip. */
static void undo_ended(struct sk_tcb *t)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (rk->undo_on) {
		rk->undo_on = SK_UNDO_ENDED;
		rk->undo_until = t->snd_max;
	}
}

/* After this ACK's D-SACKs are counted: the undo, if the episode proved spurious (1). orig:
 * the ACK delivered data that was sent before the timeout and not resent. An episode whose
 * recovery ended stays open for late D-SACKs until snd_una passes what was sent by then. */
static int undo_check(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t acked, int orig)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (!rk->undo_on)
		return 0;
	int may = undo_may(t, seg, acked);
	switch (t->in_recovery) {
	case SK_REC_LOSS: /* as Linux's tcp_process_loss: on an ACK of new data, or F-RTO's */
		may = (may && acked) || (rk->undo_frto && orig);
		break;
	case SK_REC_SACK: /* a D-SACK at any time; the timestamps when the recovery point is acked */
		may = may && (!rk->undo_retrans || seq_geq(t->snd_una, t->fl->recover));
		break;
	default:
		if (!may && rk->undo_on == SK_UNDO_ENDED && seq_geq(t->snd_una, rk->undo_until))
			rk->undo_on = SK_UNDO_OFF;
		may = may && !rk->undo_retrans;
	}
	if (may)
		undo(st, t);
	return may;
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
#define HS_LOW_WINDOW 16
void sk_hystart_quiet(struct sk_tcb *t)
{
	if (t->fl && t->fl->hs_samples >= HS_SAMPLES)
		t->hs_last_min = t->fl->hs_cur_min;
}

void sk_hystart_restart(struct sk_tcb *t, uint32_t round_end)
{
	t->hs_last_min = UINT32_MAX;
	if (t->fl) {
		t->fl->hs_round_end = round_end;
		t->fl->hs_cur_min = UINT32_MAX;
		t->fl->hs_samples = 0;
	}
}

static void hystart(struct synack_stack *st, struct sk_tcb *t)
{
	/* Linux's hystart_low_window: not below 16 segments, where a round is too short to
	 * judge (and after a timeout, slow start from one segment would end at once). */
	if (t->cc.cwnd >= t->cc.ssthresh || !t->last_rtt || t->cc.cwnd < HS_LOW_WINDOW * sk_tcp_eff_mss(t))
		return;
	if (seq_geq(t->snd_una, t->fl->hs_round_end)) {
		/* A new round: it ends when what is sent from now on is acknowledged. */
		if (t->fl->hs_samples >= HS_SAMPLES)
			t->hs_last_min = t->fl->hs_cur_min;
		t->fl->hs_cur_min = UINT32_MAX;
		t->fl->hs_samples = 0;
		t->fl->hs_round_end = t->snd_max;
		t->fl->hs_round_start = t->fl->hs_last_ack = st->now;
	}
	if (t->min_rtt && st->now - t->fl->hs_last_ack <= 2000) {
		t->fl->hs_last_ack = st->now;
		if (st->now - t->fl->hs_round_start >= t->min_rtt / 2) {
			t->cc.ssthresh = t->cc.cwnd;
			st->stats.tcp_hystart_exits++;
			return;
		}
	}
	if (t->fl->hs_samples >= HS_SAMPLES)
		return;
	if (t->last_rtt < t->fl->hs_cur_min)
		t->fl->hs_cur_min = t->last_rtt;
	if (++t->fl->hs_samples < HS_SAMPLES || t->hs_last_min == UINT32_MAX)
		return;
	uint32_t eta = t->hs_last_min / 8;
	eta = eta < 4000 ? 4000 : eta > 16000 ? 16000 : eta;
	if (t->fl->hs_cur_min >= t->hs_last_min + eta) {
		t->cc.ssthresh = t->cc.cwnd; /* leave slow start */
		st->stats.tcp_hystart_exits++;
	}
}

/* A new cumulative ACK outside recovery: congestion control grows the window. */
static void grow(struct synack_stack *st, struct sk_tcb *t, uint32_t acked, uint32_t flight)
{
	/* RFC 7661-style: grow only a window that was in use, as Linux's tcp_is_cwnd_limited:
	 * cwnd stopped the sender in this window, or, in slow start, cwnd is below twice the
	 * most that was in flight in it. */
	if (t->ecn & ECN_IN_CWR)
		return; /* reducing for an ECN echo */
	hystart(st, t);
	int limited = t->cwnd_limited || (t->cc.cwnd < t->cc.ssthresh && t->fl && t->cc.cwnd < 2ull * t->fl->max_flight);
	struct sk_cc_ack a = {.now = st->now, .acked = acked, .flight = flight, .srtt = t->srtt, .cwnd_limited = limited};
	cc(t)->ack_received(&t->cc, &a);
	sk_tcb_sndbuf_expand(st, t);
}

/* ---- the classic path: duplicate ACKs, RFC 6675 / RFC 6582 ---- */

static void classic_new_ack(struct synack_stack *st, struct sk_tcb *t, uint32_t acked, uint32_t flight)
{
	t->dupacks = 0;
	t->limited_tx = 0;
	if (t->in_recovery) {
		if (seq_geq(t->snd_una, t->fl->recover)) {
			leave_recovery(st, t);
			return;
		}
		t->fl->una_mark = t->snd_max; /* a new first hole: watch its retransmission afresh */
		if (t->in_recovery == 2) {
			/* RFC 6675: the pipe decides what goes next (sk_rec_output); a partial
			 * ACK alone is no loss, even one that leaves nothing SACKed (the rest
			 * is on its way): retransmitting on it resent whole windows. */
			check_lost_rxt(st, t);
			return;
		}
		/* RFC 6582 3.2 step 5: a partial ACK: the next hole is lost too. Deflate by what
		 * was acked, add back one segment, retransmit the first unacked segment. */
		t->fl->inflate = t->fl->inflate > acked ? t->fl->inflate - acked : 0;
		if (acked >= t->cc.mss)
			t->fl->inflate += t->cc.mss;
		uint32_t len = t->snd.len < sk_tcp_eff_mss(t) ? t->snd.len : sk_tcp_eff_mss(t);
		if (len)
			sk_tcp_retransmit(st, t, t->snd_una, len, SK_WHY_NEWRENO);
		return;
	}
	grow(st, t, acked, flight);
}

static void classic_dupack(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->in_recovery) {
		if (t->in_recovery == 1)
			t->fl->inflate += t->cc.mss; /* RFC 6582 3.2 step 4 */
		else
			check_lost_rxt(st, t);
		return;
	}
	if (t->dupacks < 255)
		t->dupacks++;
	int lost = t->fl->sb && sk_sb_is_lost(t->fl->sb, t->snd_una, sk_tcp_eff_mss(t));
	if (t->dupacks >= SK_DUPTHRESH || lost) {
		enter_recovery(st, t);
		return;
	}
	/* RFC 3042: each of the first two duplicate ACKs lets one new segment go. */
	t->limited_tx = t->dupacks;
}

/* ---- RACK-TLP and PRR ---- */

struct delivery {
	struct synack_stack *st;
	struct sk_tcb *t;
	uint32_t fack_before;
	int orig; /* data sent before a timeout and not resent was delivered (F-RTO) */
};

/* RFC 8985 6.2 steps 2 and 3 for one newly delivered piece. */
static void delivered(void *ctx, uint64_t xmit, uint32_t end, int retrans)
{
	struct delivery *d = ctx;
	struct sk_tcb *t = d->t;
	uint64_t now = d->st->now;
	uint32_t rtt = now > xmit ? (uint32_t)(now - xmit) : 1;
	if (!retrans && seq_leq(end, t->fl->recover))
		d->orig = 1;
	/* a retransmission acked sooner than any RTT could be: the original's ACK */
	if (retrans && t->min_rtt && rtt < t->min_rtt)
		return;
	if (!retrans && d->fack_before && seq_lt(end, d->fack_before))
		t->reord_seen = 1; /* delivered below the highest delivered: reordering */
	sk_rack_advance(sk_tcb_rack(t), xmit, end, rtt);
}

/* RFC 8985 6.2 step 4, as Linux's tcp_rack_reo_wnd: no settling time before reordering was
 * seen while recovering or once DupThresh segments are SACKed; otherwise a quarter of the
 * minimum RTT (times the D-SACK multiplier), at most SRTT. */
static uint32_t reo_wnd(const struct synack_stack *st, const struct sk_tcb *t)
{
	if (!t->reord_seen) {
		if (t->in_recovery || sk_rack_sacked_segs(sk_tcb_rack(t), sk_tcp_eff_mss(t)) >= SK_DUPTHRESH)
			return 0;
	}
	(void)st;
	uint32_t steps = t->reo_steps ? t->reo_steps : 1;
	uint64_t w = (uint64_t)(t->min_rtt / 4) * steps;
	return (uint32_t)(w < t->srtt ? w : t->srtt);
}

/* RFC 8985 6.2 step 4: a D-SACK says a retransmission was not needed, the original was only
 * late, so the reordering window grows by a step (min_RTT / 4) for each round trip that
 * brings one, and returns to one step after 16 recoveries without. As Linux
 * (tcp_dsack_seen), only once reordering has been seen: before that a D-SACK more likely
 * reports a spurious timeout or a lost ACK than reordering. left: this ACK ended a recovery
 * that was not undone (as Linux's tcp_try_undo_recovery counts them). */
static void reo_wnd_update(struct sk_tcb *t, int dsack, int left)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	dsack = dsack || t->dsack_seen;
	t->dsack_seen = 0;
	/* (as Linux: more duplicates reported than segments ever resent were the network's) */
	if (sk_tcb_cold_view(t)->dsacks > sk_tcb_cold_view(t)->total_retrans)
		dsack = 0;
	if (rk->dsack_round && seq_geq(t->snd_una, rk->dsack_round_end))
		rk->dsack_round = 0;
	if (dsack && t->reord_seen && !rk->dsack_round) {
		rk->dsack_round = 1;
		rk->dsack_round_end = t->snd_max; /* (SND.NXT: snd_nxt goes back after a timeout) */
		uint32_t steps = (t->reo_steps ? t->reo_steps : 1u) + 1;
		t->reo_steps = (uint8_t)(steps < 255 ? steps : 255);
		t->reo_persist = 16;
	} else if (left && t->reo_persist && --t->reo_persist == 0) {
		t->reo_steps = 1;
	}
}

/* RACK's loss detection; arms the reordering timer for what cannot be judged yet. Returns
 * the bytes newly marked lost. */
static uint32_t rack_detect(struct synack_stack *st, struct sk_tcb *t)
{
	uint32_t newly = 0, newly_rxt = 0;
	uint64_t wait = sk_rack_detect(sk_tcb_rack(t), st->now, reo_wnd(st, t), &newly, &newly_rxt);
	st->stats.tcp_lost_retransmits += newly_rxt;
	if (wait)
		sk_tcb_timer_set(st, t, SK_TT_REO, st->now + wait);
	else
		sk_tcb_timer_clear(st, t, SK_TT_REO);
	return newly;
}

static void rack_enter_recovery(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	t->in_recovery = 2;
	t->fl->recover = t->snd_max;
	t->limited_tx = 0;
	/* A recovery that begins while the last one's D-SACKs are still awaited joins its
	 * episode: both are undone, to the cwnd before the first, once every retransmission of
	 * both proves unneeded (Linux starts over and loses the first's undo: on a path that
	 * reorders, one episode's D-SACKs often come after the next has begun). */
	if (rk->undo_on == SK_UNDO_ENDED)
		rk->undo_on = SK_UNDO_ON;
	else
		undo_begin(t);
	rk->tlp_high_seq = 0;
	sk_tcb_timer_clear(st, t, SK_TT_TLP);
	reduce(st, t, t->snd_max - t->snd_una);
	st->stats.tcp_fast_retransmits++;
	st->stats.tcp_sack_recoveries++;
	SK_TCB_COUNT(t, sack_recoveries, 1);
}

/* RFC 6937 (Linux's tcp_cwnd_reduction): cwnd for what this ACK lets recovery send. */
static void prr(struct synack_stack *st, struct sk_tcb *t, uint32_t delivered_bytes, uint32_t newly_lost, int una_advanced)
{
	(void)st;
	if (!delivered_bytes)
		return;
	uint32_t mss = sk_tcp_eff_mss(t);
	uint32_t pipe = sk_rack_in_flight(sk_tcb_rack(t));
	t->fl->prr_delivered += delivered_bytes;
	int64_t delta = (int64_t)t->cc.ssthresh - pipe;
	int64_t sndcnt;
	if (delta < 0) {
		/* proportional: ssthresh/prior_cwnd of what was delivered, rounded up to whole
		 * segments as Linux counts them */
		uint64_t prior = t->fl->prior_cwnd ? t->fl->prior_cwnd : 1;
		uint64_t share = ((uint64_t)t->cc.ssthresh * t->fl->prr_delivered + prior - 1) / prior;
		share = (share + mss - 1) / mss * mss;
		sndcnt = (int64_t)share - t->fl->prr_out;
	} else {
		/* slow start back up to ssthresh (PRR-SSRB) */
		int64_t a = (int64_t)t->fl->prr_delivered - t->fl->prr_out;
		sndcnt = a > delivered_bytes ? a : delivered_bytes;
		if (una_advanced && !newly_lost)
			sndcnt += mss;
		if (sndcnt > delta)
			sndcnt = delta;
	}
	if (!t->fl->prr_out && sndcnt < mss)
		sndcnt = mss; /* the fast retransmit goes */
	if (sndcnt < 0)
		sndcnt = 0;
	t->cc.cwnd = pipe + (uint32_t)sndcnt;
}

/* RFC 8985 7.2: a probe timeout of two round trips (plus the worst delayed ACK when one
 * segment is out), never after the RTO; in the open state. In recovery, the same timer
 * serves a retransmission that nothing can judge (arm_rxt_probe). */
static int probe_allowed(const struct synack_stack *st, const struct sk_tcb *t)
{
	return st->cfg.tcp_early_retrans && rack_on(st, t) && !t->backoff && t->snd_una != t->snd_max &&
	       t->state >= SYNACK_ESTABLISHED;
}

/* In RACK's recovery, the probe timer for a retransmission sent last of all in flight
 * (rxt_probe): two SRTT, at least 1 ms, and only before the RTO, which would resend
 * it anyway. Filling a hole is acknowledged at once (RFC 5681 4.2). A retransmission that
 * arrives in order (nothing SACKed above it) may wait for the receiver's delayed ACK, and
 * then the probe is a duplicate; waiting for that timer (RFC 8985 7.2's WCDelAckT, 200 ms)
 * instead cost bench-transfer three quarters of its throughput at 1% loss (14.6 against
 * 3.4 Gbit/s): a segment is cheaper than the wait. */
static void arm_rxt_probe(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (!rk || !probe_allowed(st, t) || t->in_recovery != SK_REC_SACK || rk->rxt_probed || !t->srtt) {
		sk_tcb_timer_clear(st, t, SK_TT_TLP);
		return;
	}
	uint64_t pto = 2ull * t->srtt > RXT_PROBE_MIN_US ? 2ull * t->srtt : RXT_PROBE_MIN_US;
	uint64_t at = st->now + pto;
	if (t->deadline[SK_TT_REXMT] != UINT64_MAX && t->deadline[SK_TT_REXMT] <= at)
		sk_tcb_timer_clear(st, t, SK_TT_TLP);
	else
		sk_tcb_timer_set(st, t, SK_TT_TLP, at);
}

static void schedule_tlp(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->in_recovery) {
		uint32_t seq, len;
		if (sk_tcb_rack(t) && sk_rack_latest_rxt(sk_tcb_rack(t), sk_tcp_eff_mss(t), &seq, &len))
			arm_rxt_probe(st, t);
		else
			sk_tcb_timer_clear(st, t, SK_TT_TLP);
		return;
	}
	if (!probe_allowed(st, t) || sk_tcb_rack(t)->tlp_high_seq) {
		sk_tcb_timer_clear(st, t, SK_TT_TLP);
		return;
	}
	uint64_t pto;
	if (t->srtt) {
		pto = 2ull * t->srtt;
		uint32_t flight = t->snd_max - t->snd_una;
		pto += flight <= sk_tcp_eff_mss(t) ? TLP_DELACK_US : TLP_MIN_US;
	} else {
		pto = (uint64_t)st->cfg.tcp_rto_initial_ms * 1000;
	}
	uint64_t at = st->now + pto;
	if (t->deadline[SK_TT_REXMT] != UINT64_MAX && t->deadline[SK_TT_REXMT] < at)
		at = t->deadline[SK_TT_REXMT];
	sk_tcb_timer_set(st, t, SK_TT_TLP, at);
}

/* RFC 8985 7.4.2: what an ACK at or beyond the probe's end (tlp_high_seq) says of the loss
 * the probe was sent for, as Linux's tcp_process_tlp_ack. A probe of new data, or a
 * retransmitted one reported by a D-SACK (the original arrived too), or a pure duplicate
 * ACK (both arrived, the second without news): no loss, the episode ends. An ACK beyond the
 * probe's end without that: the probe repaired a real loss, cwnd is reduced once. An ACK
 * that reaches just the probe's end tells neither yet (a D-SACK may follow): the episode
 * stays open, across idle too (the TCB's tlp_open keeps it while the flight state is gone). */
static void tlp_ack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, int dsack, int pure,
		    uint32_t flight)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	if (!rk->tlp_high_seq || seq_lt(seg->ack, rk->tlp_high_seq))
		return;
	if (!rk->tlp_retrans || dsack || pure) {
		rk->tlp_high_seq = 0;
	} else if (seq_gt(seg->ack, rk->tlp_high_seq)) {
		if (!t->in_recovery) {
			reduce(st, t, flight); /* (in flight before this ACK: after it, often none) */
			t->cc.cwnd = t->cc.ssthresh; /* Linux: CWR entered and ended at once */
		}
		rk->tlp_high_seq = 0;
	}
}

static void rack_on_ack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t acked,
			uint32_t flight, int same)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	struct delivery d = {st, t, rk->fack, 0};
	uint32_t delivered_bytes = 0, prior_una = t->snd_una - acked;
	if (acked)
		delivered_bytes += sk_rack_acked_upto(rk, t->snd_una, delivered, &d);
	uint32_t dsacks = t->fl->sb ? t->fl->sb->dsacks : 0;
	sk_rec_sack(st, t, seg);
	int dsack = t->fl->sb && t->fl->sb->dsacks != dsacks;
	for (int i = 0; i < seg->opt.nsack; i++)
		delivered_bytes += sk_rack_sacked(rk, seg->opt.sack[i].left, seg->opt.sack[i].right, delivered, &d);
	if (t->fl->sb)
		sk_sb_ack(t->fl->sb, t->snd_una);
	if (delivered_bytes || dsack)
		rk->rxt_probed = 0; /* the path answered: a later retransmission may be probed */
	/* (a D-SACK that ends the loss probe's episode reports the probe, not reordering; so
	 * does one of a retransmission probe's segment, whose first copy was only not
	 * acknowledged yet) */
	int probe_dsack = dsack && rk->tlp_high_seq && seq_geq(seg->ack, rk->tlp_high_seq);
	if (dsack && rk->rxt_probe_open && seq_leq(seg->opt.sack[0].left, rk->rxt_probe_seq) &&
	    seq_lt(rk->rxt_probe_seq, seg->opt.sack[0].right)) {
		probe_dsack = 1;
		rk->rxt_probe_open = 0;
	}
	tlp_ack(st, t, seg, dsack, same && !acked && !delivered_bytes, flight);
	undo_dsack(t, seg, prior_una);
	int left = 0;
	/* (an undo returns to the Open state, where the reduction began) */
	if (!undo_check(st, t, seg, acked, d.orig) && t->in_recovery && seq_geq(t->snd_una, t->fl->recover)) {
		if (t->in_recovery == SK_REC_LOSS)
			t->in_recovery = SK_REC_OPEN; /* cwnd is where slow start has taken it */
		else
			leave_recovery(st, t);
		undo_ended(t);
		left = 1;
	}
	reo_wnd_update(t, dsack && !probe_dsack, left);
	uint32_t newly_lost = rack_detect(st, t);
	uint32_t seq, len;
	/* After a timeout everything outstanding counts as lost: that is the timeout's own
	 * recovery, not a new episode (a second reduction, from the one-segment window,
	 * would leave ssthresh at 2 segments) */
	if (!t->in_recovery && sk_rack_next_lost(rk, sk_tcp_eff_mss(t), &seq, &len))
		rack_enter_recovery(st, t);
	if (t->in_recovery == SK_REC_SACK)
		prr(st, t, delivered_bytes, newly_lost, acked > 0);
	else if (acked)
		grow(st, t, delivered_bytes, flight); /* what this ACK delivered: SACKed data counted once, as Linux's acked_sacked */
	if (!rk->n) {
		sk_tcb_timer_clear(st, t, SK_TT_REO);
		sk_rack_free(rk); /* nothing outstanding: the log's memory goes back */
	}
	schedule_tlp(st, t);
}

/* ---- the events ---- */

/* An ACK while the sender is quiet (no flight state): a D-SACK in it (RFC 2883: a first block
 * below the cumulative ACK) still counts, and widens RACK's reordering window at the next
 * ACK with data in flight (as Linux's dsack_seen waits for the next delivery). */
static void quiet_dsack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (!(t->flags & TF_SACK) || !seg->opt.nsack)
		return;
	uint32_t l = seg->opt.sack[0].left, r = seg->opt.sack[0].right;
	if (!seq_lt(l, r) || !seq_leq(r, seg->ack))
		return;
	SK_TCB_COUNT(t, dsacks, 1);
	st->stats.tcp_dsacks_rcvd++;
	if (t->tlp_open)
		t->tlp_open = 0; /* the loss probe's duplicate: no loss, and no reordering either */
	else
		t->dsack_seen = 1;
}

void sk_rec_on_ack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t acked, uint32_t flight,
		   int same)
{
	int dup = same && !acked && seq_gt(t->snd_max, t->snd_una);
	if (!t->fl) {
		/* nothing was queued or in flight: a pure duplicate ACK here, or a D-SACK
		 * (quiet_dsack), ends a loss probe's episode left open (tlp_ack) without a
		 * reduction */
		if (same && !seg->opt.nsack)
			t->tlp_open = 0;
		quiet_dsack(st, t, seg);
		return;
	}
	ecn_echo(st, t, seg);
	if (rack_on(st, t)) {
		rack_on_ack(st, t, seg, acked, flight, same);
		return;
	}
	uint32_t newly = sk_rec_sack(st, t, seg);
	if (acked) {
		if (t->fl->sb) {
			sk_sb_ack(t->fl->sb, t->snd_una);
			if (!t->fl->sb->n && !t->in_recovery) {
				free(t->fl->sb); /* nothing outstanding is SACKed: give the memory back */
				t->fl->sb = NULL;
			}
		}
		classic_new_ack(st, t, acked, flight);
	} else if (dup || (newly && seq_gt(t->snd_max, t->snd_una))) {
		classic_dupack(st, t);
	}
}

void sk_rec_sent(struct synack_stack *st, struct sk_tcb *t, uint32_t seq, uint32_t len, int retrans)
{
	if (!t->fl)
		return;
	if (t->in_recovery)
		t->fl->prr_out += len;
	if (!len || !(t->flags & TF_SACK) || !(st->cfg.tcp_recovery & 1))
		return;
	t->fl->rack = 1; /* (from the first data on: what was sent before is not in the log) */
	sk_rack_sent(sk_tcb_rack(t), seq, seq + len, st->now, retrans);
	if (!retrans) {
		schedule_tlp(st, t);
		return;
	}
	undo_rxt(st, t, len);
	if (t->in_recovery)
		arm_rxt_probe(st, t); /* (sent just now: the last of all in flight) */
}

void sk_rec_timeout(struct synack_stack *st, struct sk_tcb *t)
{
	if (!t->fl)
		return;
	struct sk_rack *rk = sk_tcb_rack(t);
	uint32_t flight = t->snd_max - t->snd_una;
	/* A retransmission still outstanding: this timeout is what found it lost (issue 10's
	 * bench allows a timeout only then). */
	if (rk ? sk_rack_rxt_outstanding(rk) : t->in_recovery && seq_lt(t->snd_una, t->fl->high_rxt))
		st->stats.tcp_timeouts_rxt_lost++;
	/* the first timeout of a stall begins an undo episode, unless fast recovery had one
	 * (its reduction, from the larger cwnd, is what an undo restores; Linux's tcp_enter_loss) */
	if (rk) {
		if (t->backoff == 1 && !(t->in_recovery == SK_REC_SACK && rk->undo_on))
			undo_begin(t);
		/* F-RTO, as Linux's tcp_enter_loss: not for a first timeout in recovery */
		rk->undo_frto = (t->in_recovery != SK_REC_SACK && t->in_recovery != SK_REC_LOSS) || t->backoff > 1;
	}
	/* RACK's connections recover in the Loss state (SK_REC_LOSS): RFC 8985 marks
	 * everything outstanding lost, and the go-back-N from snd_una is its repair. */
	t->in_recovery = rk ? SK_REC_LOSS : SK_REC_OPEN;
	/* slow start begins again: HyStart's rounds too (Linux's bictcp_hystart_reset) */
	sk_hystart_restart(t, t->snd_una);
	t->fl->recover = t->snd_max;
	t->fl->inflate = 0;
	t->dupacks = 0;
	t->limited_tx = 0;
	t->fl->high_rxt = t->snd_una; /* go-back-N resends from snd_una: no retransmission in flight counts */
	if (t->flags & TF_ECN) /* the reduction is signalled as for an echo, as Linux does */
		t->ecn = (uint8_t)((t->ecn & ~ECN_IN_CWR) | ECN_QUEUE_CWR);
	/* RFC 6675 5.1: SACK information may be kept after a timeout, but a receiver may
	 * have reneged; after a second timeout in a row forget it. */
	if (t->fl->sb && t->backoff >= 2)
		sk_sb_clear(t->fl->sb);
	if (rk) {
		sk_rack_all_lost(rk);
		rk->tlp_high_seq = 0;
		sk_tcb_timer_clear(st, t, SK_TT_TLP);
		sk_tcb_timer_clear(st, t, SK_TT_REO);
	}
	if (t->backoff >= 2) {
		/* RFC 5681 3.1: the segment timed out again after its own timeout's
		 * retransmission: ssthresh is held constant (as Linux's tcp_enter_loss); a
		 * second reduction would take it from the one-segment loss window, down to
		 * 2 segments, and the recovery after it would crawl in congestion avoidance. */
		t->cc.cwnd = t->cc.mss;
		t->cc.bytes_acked = 0;
		return;
	}
	cc(t)->cong_signal(&t->cc, SK_CC_RTO, flight, st->now);
}

/* The reordering timer (RFC 8985 6.3): what it waited for is judged now. */
static void reo_timeout(struct synack_stack *st, struct sk_tcb *t)
{
	if (!rack_on(st, t))
		return;
	uint32_t newly = rack_detect(st, t);
	if (!newly)
		return;
	if (!t->in_recovery) {
		rack_enter_recovery(st, t);
		prr(st, t, sk_tcp_eff_mss(t), newly, 0); /* as Linux's tcp_rack_reo_timeout */
	}
	sk_tcp_output(st, t);
}

/* Beyond RFC 8985 and Linux: in recovery, a retransmission sent after everything else in
 * flight can be judged lost by nothing RACK will see (no later segment is out to be
 * delivered), so only the RTO would repair its loss: on a path of tens of microseconds,
 * thousands of round trips. That is what a sender meets whose window (the peer's, or its
 * buffer) is all outstanding behind the hole it retransmitted, as a bulk sender soon is
 * where the round trip is short. After the probe timeout (arm_rxt_probe) the retransmission
 * goes once more (the first MSS of it, whatever cwnd says, as a loss probe): if the first
 * copy was lost, this one repairs the hole and the ACK moves on; if it was not, the cost is
 * a duplicate the peer D-SACKs, which is not taken for reordering. One probe until an ACK
 * delivers data or brings a D-SACK; it is not PRR's to pay for, reduces nothing, and the
 * RTO keeps its deadline. */
static void rxt_probe(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_rack *rk = sk_tcb_rack(t);
	uint32_t seq, len;
	if (!rk || t->in_recovery != SK_REC_SACK || rk->rxt_probed ||
	    !sk_rack_latest_rxt(rk, sk_tcp_eff_mss(t), &seq, &len))
		return;
	rk->rxt_probed = 1;
	rk->rxt_probe_open = 1;
	rk->rxt_probe_seq = seq;
	st->stats.tcp_rxt_probes++;
	uint32_t prr_out = t->fl->prr_out;
	sk_tcp_retransmit(st, t, seq, len, SK_WHY_RXT_PROBE);
	t->fl->prr_out = prr_out;
	sk_tcb_timer_clear(st, t, SK_TT_TLP);
}

/* The probe timeout (RFC 8985 7.3): new data if the window allows, else the last segment
 * again; then the RTO, and no second probe before an ACK. New data goes as two segments
 * (not RFC 8985's one, nor a TSO super-segment: a probe asks for an ACK, it is no flight).
 * When the flight arrived and only its ACK was lost, a lone in-order segment is what a
 * receiver may hold for its delayed-ACK timer (Linux: 40 ms and more), while two full
 * segments must be acknowledged at once (RFC 5681 4.2, Linux's "more than one full
 * frame"): against Linux at 2% loss on a 50 us path, each probe of one segment waited
 * about 45 ms for its ACK (docs/loss-recovery.md, 16). */
static void tlp_timeout(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->in_recovery) {
		rxt_probe(st, t);
		return;
	}
	if (!rack_on(st, t) || t->snd_una == t->snd_max)
		return;
	struct sk_rack *rk = sk_tcb_rack(t);
	uint32_t before = t->snd_max, two = 2 * sk_tcp_eff_mss(t);
	st->why = SK_WHY_TLP;
	/* one write on a TSO link, two otherwise */
	for (int k = 0; k < 2 && t->snd_max - before < two; k++) {
		uint32_t m = t->snd_max;
		if (!sk_tcp_send_new(st, t, two - (t->snd_max - before)) || t->snd_max == m)
			break; /* (nothing new: a go-back-N resend after a lowered MTU goes once) */
	}
	st->why = SK_WHY_NONE;
	if (t->snd_max != before) {
		rk->tlp_retrans = 0;
	} else {
		uint32_t seq, len;
		if (!sk_rack_last(rk, sk_tcp_eff_mss(t), &seq, &len))
			return;
		sk_tcp_retransmit(st, t, seq, len, SK_WHY_TLP);
		rk->tlp_retrans = 1;
		rk->tlp_tsval = sk_tcp_ts_now(st, t->ts_offset);
	}
	rk->tlp_high_seq = t->snd_max;
	st->stats.tcp_loss_probes++;
	/* sending new data armed a probe timer again: the episode allows one probe */
	sk_tcb_timer_clear(st, t, SK_TT_TLP);
	sk_tcb_timer_set(st, t, SK_TT_REXMT, st->now + t->rto);
}

void sk_rec_timer(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which)
{
	if (!t->fl)
		return;
	if (which == SK_TT_REO)
		reo_timeout(st, t);
	else if (which == SK_TT_TLP)
		tlp_timeout(st, t);
}

/* How much a lost run sent again may carry in one write: half of what cwnd leaves over the
 * pipe, in whole segments (at least one; sk_tcp_retransmit cuts it to what the link takes).
 * One MSS per write sent a lost TSO packet back in 44 writes, each a chance of loss on a
 * path that drops packets (at 5% loss synack sent three times Linux's packets for the same
 * bytes); all of the room in one write left nothing after it to show its own loss, and the
 * simulator's LAN with 2% loss of whole frames (test_real_short_rtt_gso_loss) took 5-6
 * timeouts and ran at 270-330 Mbit/s; with half, no timeout and 850-910 Mbit/s (one MSS per
 * write: 810-860). */
static uint32_t room(const struct sk_tcb *t, uint32_t pipe, uint32_t mss)
{
	uint32_t r = t->cc.cwnd > pipe ? (t->cc.cwnd - pipe) / 2 : 0;
	r -= r % mss;
	return r < mss ? mss : r;
}

int sk_rec_output(struct synack_stack *st, struct sk_tcb *t)
{
	if (!t->in_recovery || !t->fl)
		return 0;
	struct sk_rack *rk = sk_tcb_rack(t);
	uint32_t mss = sk_tcp_eff_mss(t);
	if (t->in_recovery == SK_REC_LOSS) {
		if (!rk)
			return 0;
		/* The go-back-N (send_data) resends from snd_nxt; a range below it that RACK
		 * found lost again is a lost retransmission: it goes first. */
		for (int guard = 0; guard < 4096; guard++) {
			uint32_t pipe = sk_rack_in_flight(rk), seq, len;
			if (pipe + mss > t->cc.cwnd || !sk_rack_next_lost(rk, room(t, pipe, mss), &seq, &len) ||
			    !seq_lt(seq, t->snd_nxt))
				break;
			sk_tcp_retransmit(st, t, seq, len, SK_WHY_LOST_RXT);
		}
		return 0;
	}
	if (rack_on(st, t)) {
		/* Lost segments first (RFC 6675 NextSeg rule 1, the order Linux's
		 * tcp_xmit_retransmit_queue keeps), then new data, as cwnd allows. */
		for (int guard = 0; guard < 4096; guard++) {
			uint32_t pipe = sk_rack_in_flight(rk), seq, len;
			if (pipe + mss > t->cc.cwnd)
				break;
			if (sk_rack_next_lost(rk, room(t, pipe, mss), &seq, &len)) {
				/* the first of an episode is its fast retransmit */
				sk_tcp_retransmit(st, t, seq, len, t->fl->prr_out ? SK_WHY_SACK_RXT : SK_WHY_FAST_RXT);
				continue;
			}
			if (!sk_tcp_send_new(st, t, t->cc.cwnd - pipe))
				break;
		}
		return 1;
	}
	if (!t->fl->sb || !t->fl->sb->n)
		return 0;
	for (int guard = 0; guard < 1024; guard++) {
		uint32_t pipe = sk_sb_pipe(t->fl->sb, t->snd_una, t->snd_max, t->fl->high_rxt, mss);
		if (pipe + mss > t->cc.cwnd)
			break;
		uint32_t seq, len;
		if (sk_sb_next_lost(t->fl->sb, t->snd_una, t->snd_max, t->fl->high_rxt, mss, &seq, &len)) {
			sk_tcp_retransmit(st, t, seq, len, SK_WHY_SACK_RXT);
			t->fl->high_rxt = seq + len;
			continue;
		}
		/* RFC 6675 NextSeg rule 2: new data, if the peer's window allows. */
		if (sk_tcp_send_new(st, t, t->cc.cwnd - pipe))
			continue;
		/* Rule 3 (a SHOULD): nothing counts as lost and nothing new may go: the first
		 * unSACKed range above HighRxt, below the highest SACKed byte, goes anyway, so a
		 * loss with fewer than DupThresh segments after it needs no timeout (REL-5). */
		if (!sk_sb_next_hole(t->fl->sb, t->snd_una, t->fl->high_rxt, mss, &seq, &len))
			break;
		sk_tcp_retransmit(st, t, seq, len, SK_WHY_SACK_RXT);
		t->fl->high_rxt = seq + len;
	}
	return 1;
}
