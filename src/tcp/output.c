/* The one output routine (design principle 5): from the TCB's state it decides what is due
 * (SYN, SYN+ACK, data, FIN, ACK) and sends it; plus RSTs and the retransmission timeout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/addr.h"
#include "tcp/seq.h"
#include "tcp/tcb.h"

uint8_t sk_tcp_wscale_for(const struct synack_stack *st, const struct sk_tcb *t)
{
	/* The largest window the connection may ever offer: tcp_rmem[2], or the buffer
	 * SO_RCVBUF fixed (as Linux's tcp_select_initial_window with a locked buffer). */
	uint32_t space = t && (t->flags & TF_RCVBUF_LOCK) ? t->rcvbuf : st->cfg.tcp_rmem[2];
	uint8_t s = 0;
	while (s < SK_TCP_MAX_WSCALE && (65535u << s) < space)
		s++;
	return s;
}

void sk_tcp_syn_options(struct synack_stack *st, struct sk_tcp_opts *o, uint16_t mss, int ts, uint32_t tsval,
			uint32_t tsecr, int sack, int ws, uint8_t wscale)
{
	(void)st;
	memset(o, 0, sizeof(*o));
	o->has_mss = 1;
	o->mss = mss;
	o->has_ts = ts != 0;
	o->tsval = tsval;
	o->tsecr = tsecr;
	o->sack_ok = sack != 0;
	o->has_ws = ws != 0;
	o->ws = wscale;
}

const char *sk_why_name(enum sk_why why)
{
	static const char *const names[] = {
		[SK_WHY_COOKIE] = "SYN cookie",
		[SK_WHY_FAST_RXT] = "fast retransmit",
		[SK_WHY_SACK_RXT] = "SACK recovery",
		[SK_WHY_NEWRENO] = "NewReno partial ACK",
		[SK_WHY_LOST_RXT] = "retransmission lost, sent again",
		[SK_WHY_RTO] = "RTO retransmission",
		[SK_WHY_TLP] = "tail-loss probe",
		[SK_WHY_ZWP] = "zero-window probe",
		[SK_WHY_KEEPALIVE] = "keepalive probe",
		[SK_WHY_CHALLENGE] = "challenge ACK",
		[SK_WHY_DSACK] = "D-SACK",
		[SK_WHY_RXT_PROBE] = "retransmission probe",
	};
	return (unsigned)why < sizeof(names) / sizeof(names[0]) ? names[why] : NULL;
}

/* Tells the event hook why the segment about to leave is sent, if that has a name. */
static void say_why(struct synack_stack *st, const struct sk_segment_out *s)
{
	const char *why = sk_why_name(st->why ? st->why : s->why);
	if (!why || !st->event_fn)
		return;
	struct synack_event e = {.type = SYNACK_EVENT_SEGMENT, .now = st->now, .sock = -1, .cause = why,
				 .local = {sk_ends_local(&s->ends), s->sport, 0},
				 .remote = {sk_ends_remote(&s->ends), s->dport, 0}};
	st->event_fn(st->event_ctx, &e);
}

int sk_tcp_send_segment(struct synack_stack *st, const struct sk_segment_out *s)
{
	say_why(st, s); /* first: nothing of this packet is built while the hook runs */
	uint8_t *p = sk_l4_payload(st, &s->ends);
	uint8_t opts[40];
	int olen = sk_tcp_emit_options(opts, sizeof(opts), &s->opt);
	if (olen < 0)
		return -EINVAL;
	size_t hlen = 20 + (size_t)olen;
	struct sk_tcp seg = {.sport = s->sport, .dport = s->dport, .seq = s->seq, .ack = s->ack,
			     .flags = s->flags, .win = s->win, .opt = s->opt};
	const struct sk_addr_entry *a = sk_out_entry_ends(st, &s->ends);
	size_t cap = SK_PKT_MAX - (s->ends.v6 ? 40u : 20u);
	int n;
	struct iovec pieces[2];
	if (s->data && s->data_len && a && a->csum_offload && a->out_sg) {
		/* Scatter-gather: the payload goes to the link from the send buffer itself,
		 * behind headers built alone (the link sums it). */
		seg.payload_len = s->data_len;
		n = sk_tcp_emit_header_partial(p, cap, sk_ends_csum(&s->ends), &seg);
		if (n < 0)
			return -EINVAL;
		st->out_pl_n = sk_bytes_pieces(s->data, s->data_off, s->data_len, pieces);
		st->out_pl = pieces;
		st->out_pl_len = s->data_len;
		n += (int)s->data_len;
	} else {
		if (s->data && s->data_len) {
			sk_bytes_peek(s->data, s->data_off, p + hlen, s->data_len);
			seg.payload = p + hlen;
			seg.payload_len = s->data_len;
		}
		n = (a && a->csum_offload ? sk_tcp_emit_partial : sk_tcp_emit_sum)(p, cap, sk_ends_csum(&s->ends), &seg);
		if (n < 0)
			return -EINVAL;
	}
	st->stats.tcp_out++;
	if (s->flags & SK_TCP_RST)
		st->stats.tcp_rst_out++;
	int r = sk_l4_send(st, &s->ends, SK_IPPROTO_TCP, (size_t)n, 1, s->ecn);
	st->out_pl_n = 0;
	st->out_pl_len = 0;
	return r;
}

/* The window we announce: never shrinking the right edge already offered (RFC 9293
 * 3.8.6.2.2), scaled except in SYNs (RFC 7323 2.2). */
static uint16_t window_field(struct sk_tcb *t, int syn)
{
	uint32_t win = sk_tcb_rcv_window(t);
	if (syn) {
		/* whole segments: of our MSS in a SYN, less the timestamps in a SYN+ACK that
		 * agreed to them */
		uint32_t mss = t->adv_mss - ((t->flags & TF_TS) && t->state != SYNACK_SYN_SENT ? 12 : 0);
		win = sk_tcp_syn_window(win, mss);
	}
	if (seq_gt(t->rcv_adv, t->rcv_nxt + win)) {
		win = t->rcv_adv - t->rcv_nxt;
	} else if (!syn && t->rcv_adv) {
		/* Receiver SWS avoidance (RFC 1122 4.2.3.3, FLOW-4): the right edge stays
		 * where it is until it can move by min(RCV.BUFF / 2, Eff.snd.MSS). */
		uint32_t offered = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
		uint32_t step = t->rcvbuf / 2 < sk_tcp_eff_mss(t) ? t->rcvbuf / 2 : sk_tcp_eff_mss(t);
		if (win - offered < step)
			win = offered;
	}
	uint8_t shift = syn ? 0 : t->rcv_wscale;
	uint32_t field = win >> shift;
	if (field > 65535)
		field = 65535;
	if (seq_gt(t->rcv_nxt + (field << shift), t->rcv_adv) || t->rcv_adv == 0)
		t->rcv_adv = t->rcv_nxt + (field << shift);
	return (uint16_t)field;
}

static void fill_common(struct synack_stack *st, struct sk_tcb *t, struct sk_segment_out *o, uint32_t seq, uint16_t flags)
{
	memset(o, 0, sizeof(*o));
	sk_conn_ends(&t->h, &o->ends);
	o->sport = t->h.key.lport;
	o->dport = t->h.key.rport;
	o->seq = seq;
	/* RFC 3168 6.1.3: ECE on every segment while the echo is owed (Not-ECT unless the
	 * caller makes it a new data segment, 6.1.4/6.1.5). */
	if ((t->flags & TF_ECN) && (t->ecn & ECN_DEMAND_CWR) && !(flags & SK_TCP_SYN))
		flags |= SK_TCP_ECE;
	o->flags = flags;
	if (flags & SK_TCP_ACK)
		o->ack = t->last_ack_sent = t->rcv_nxt; /* RFC 7323 4.3's Last.ACK.sent */
	int syn = (flags & SK_TCP_SYN) != 0;
	o->win = window_field(t, syn);
	if (syn) {
		int ts = (t->state == SYNACK_SYN_SENT && !(flags & SK_TCP_ACK)) ? st->cfg.tcp_timestamps : (t->flags & TF_TS) != 0;
		int sack = (t->state == SYNACK_SYN_SENT && !(flags & SK_TCP_ACK)) ? st->cfg.tcp_sack : (t->flags & TF_SACK) != 0;
		int ws = (t->state == SYNACK_SYN_SENT && !(flags & SK_TCP_ACK)) ? st->cfg.tcp_window_scaling : (t->flags & TF_WS) != 0;
		sk_tcp_syn_options(st, &o->opt, t->adv_mss, ts, sk_tcp_ts_now(st, t->ts_offset),
				   (flags & SK_TCP_ACK) ? t->ts_recent : 0, sack, ws, t->rcv_wscale);
	} else if (t->flags & TF_TS) {
		o->opt.has_ts = 1;
		o->opt.tsval = sk_tcp_ts_now(st, t->ts_offset);
		o->opt.tsecr = t->ts_recent;
	}
	/* REL-5: every segment that acknowledges reports what is held beyond rcv_nxt, the
	 * latest first, and a D-SACK once (3 blocks fit beside timestamps, 4 without). */
	if (!syn && (flags & SK_TCP_ACK) && (t->flags & TF_SACK) && t->asmb) {
		struct sk_range b[SK_TCP_MAX_SACK];
		if (t->asmb->has_dsack)
			o->why = SK_WHY_DSACK;
		int n = sk_asm_sack_blocks(t->asmb, b, (t->flags & TF_TS) ? 3 : 4);
		for (int i = 0; i < n; i++)
			o->opt.sack[i] = (struct sk_tcp_sack_block){b[i].left, b[i].right};
		o->opt.nsack = (uint8_t)n;
		if (!t->asmb->n && !t->asmb->has_dsack) {
			/* The D-SACK was the last thing it held: give the memory back (CONN-3). */
			free(t->asmb);
			t->asmb = NULL;
			sk_bytes_shrink(st, &t->rcv);
		}
	}
}

static void sent_ack(struct synack_stack *st, struct sk_tcb *t, uint32_t len)
{
	uint32_t mss = sk_tcp_eff_mss(t);
	sk_ack_sent(st, t, len > mss && mss ? (len + mss - 1) / mss : 1);
}

void sk_tcp_send_ack(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_segment_out o;
	/* After a timeout snd_nxt is back at snd_una, possibly below what the peer already
	 * received; an ACK carrying that seq fails the peer's acceptability test (RFC 9293
	 * 3.10.7.4) and its ACK field is never read, so two such peers deadlock. A bare ACK
	 * carries the next new byte, snd_max, as BSD and Linux send it. */
	fill_common(st, t, &o, t->snd_max, SK_TCP_ACK);
	sk_tcp_send_segment(st, &o);
	sent_ack(st, t, 0);
}

void sk_tcp_send_rst_tcb(struct synack_stack *st, struct sk_tcb *t)
{
	/* RFC 7323 3.2: TSopt SHOULD be sent in a RST too (Linux's active resets carry it). */
	struct sk_segment_out o;
	fill_common(st, t, &o, t->snd_max, SK_TCP_RST | SK_TCP_ACK);
	o.opt.nsack = 0;
	sk_tcp_send_segment(st, &o);
}

void sk_tcp_respond_rst(struct synack_stack *st, const struct sk_ends *e, const struct sk_tcp *seg)
{
	if (seg->flags & SK_TCP_RST)
		return; /* RST-2 */
	struct sk_segment_out o = {.ends = *e, .sport = seg->dport, .dport = seg->sport};
	if (seg->flags & SK_TCP_ACK) {
		o.seq = seg->ack;
		o.flags = SK_TCP_RST;
	} else {
		o.seq = 0;
		o.ack = seg->seq + (uint32_t)seg->payload_len + !!(seg->flags & SK_TCP_SYN) + !!(seg->flags & SK_TCP_FIN);
		o.flags = SK_TCP_RST | SK_TCP_ACK;
	}
	sk_tcp_send_segment(st, &o);
}

static void arm_rexmt(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->deadline[SK_TT_REXMT] == UINT64_MAX)
		sk_tcb_timer_set(st, t, SK_TT_REXMT, st->now + t->rto);
}

/* rtt_start for a segment timed now: its send time plus one, so that 0 keeps meaning "none"
 * even for a send at time 0 (a simulation's first SYN, whose sample is the one a short
 * path's min_rtt needs: the RTT of a segment too small to wait behind its own
 * serialization). */
static uint64_t rtt_stamp(const struct synack_stack *st)
{
	return st->now + 1;
}

static void send_syn(struct synack_stack *st, struct sk_tcb *t, int with_ack)
{
	/* RFC 3168 6.1.1: with tcp_ecn 1 the SYN asks for ECN (ECE and CWR). */
	uint16_t ecn = !with_ack && st->cfg.tcp_ecn == 1 ? SK_TCP_ECE | SK_TCP_CWR : 0;
	struct sk_segment_out o;
	fill_common(st, t, &o, t->iss, SK_TCP_SYN | (with_ack ? SK_TCP_ACK : 0) | ecn);
	sk_tcp_send_segment(st, &o);
	/* time the SYN (Karn: never a retransmitted one); without memory for the flight
	 * state it goes untimed, and its timeouts count against the retry limit */
	struct sk_flight *f = sk_tcb_flight(st, t);
	if (t->backoff == 0 && f) {
		f->rtt_seq = t->iss;
		f->rtt_start = rtt_stamp(st);
	}
	if (with_ack)
		sent_ack(st, t, 0);
	t->snd_nxt = t->iss + 1;
	if (seq_gt(t->snd_nxt, t->snd_max))
		t->snd_max = t->snd_nxt;
	arm_rexmt(st, t);
}

static int fin_allowed(int state)
{
	return state == SYNACK_FIN_WAIT_1 || state == SYNACK_CLOSING || state == SYNACK_LAST_ACK;
}

/* The timestamp option as non-SYN segments carry it: nop, nop, kind 8 (10 bytes). */
#define TS_OPTION_SPACE 12

uint32_t sk_tcp_eff_mss(const struct sk_tcb *t)
{
	/* HS-4, RFC 9293 3.7.1 (MUST-16): the options every segment carries come out of
	 * the MSS (Eff.snd.MSS), so a full segment with timestamps still fits the MTU. */
	return t->mss - ((t->flags & TF_TS) ? TS_OPTION_SPACE : 0);
}

/* Bytes of SACK option the next segment will carry (RFC 2018: 2 + 8 per block, plus two
 * NOPs), which come out of the payload so the segment still fits the MTU. */
static uint32_t sack_space(const struct sk_tcb *t)
{
	if (!(t->flags & TF_SACK) || !t->asmb)
		return 0;
	uint32_t n = t->asmb->nmru + (t->asmb->has_dsack ? 1u : 0u);
	uint32_t max = (t->flags & TF_TS) ? 3 : 4;
	if (n > max)
		n = max;
	return n ? 4 + 8 * n : 0;
}

/* The payload that fits in the next segment: the effective MSS less the SACK blocks, and
 * no more than half the largest window the peer offered, when that is tiny (Linux's
 * tcp_bound_to_half_wnd), so such a window still sees two segments per round trip. */
static uint32_t mss_now(const struct sk_tcb *t)
{
	uint32_t m = sk_tcp_eff_mss(t) - sack_space(t);
	uint32_t cut = t->max_sndwnd > 536 ? t->max_sndwnd / 2 : t->max_sndwnd;
	if (cut && m > cut)
		m = cut < 48 ? 48 : cut;
	return m;
}

static void arm_persist(struct synack_stack *st, struct sk_tcb *t)
{
	if (sk_tcb_deadline(t, SK_TT_PERSIST) != UINT64_MAX || t->deadline[SK_TT_REXMT] != UINT64_MAX)
		return;
	uint64_t d = (uint64_t)t->rto << t->persist_backoff;
	uint64_t lo = (uint64_t)st->cfg.tcp_rto_min_ms * 1000, hi = (uint64_t)st->cfg.tcp_rto_max_ms * 1000;
	sk_tcb_timer_set(st, t, SK_TT_PERSIST, st->now + (d < lo ? lo : d > hi ? hi : d));
}

/* FLOW-3: the window is zero and data waits: a segment one below snd_una, which the peer
 * must acknowledge with its current window (as Linux probes), again with backoff. */
void sk_tcp_persist_timeout(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->snd_wnd > 0 || t->snd_una != t->snd_max || t->state < SYNACK_ESTABLISHED) {
		t->persist_backoff = 0;
		/* Also the override timeout of sender SWS avoidance: a sliver of window
		 * waited for this (send_data), and now goes. */
		t->flags |= TF_FORCE;
		sk_tcp_output(st, t);
		t->flags &= ~TF_FORCE;
		return;
	}
	struct sk_segment_out o;
	fill_common(st, t, &o, t->snd_una - 1, SK_TCP_ACK);
	o.why = SK_WHY_ZWP;
	sk_tcp_send_segment(st, &o);
	if (t->persist_backoff < 16)
		t->persist_backoff++;
	arm_persist(st, t);
}

/* Skips SACKed ranges when going back over sent data (after a timeout); returns the
 * length up to the next SACKed range (or len unchanged). */
static uint32_t around_sacked(struct sk_tcb *t, uint32_t len)
{
	const struct sk_scoreboard *sb = t->fl ? t->fl->sb : NULL;
	if (!sb || !sb->n || !seq_lt(t->snd_nxt, t->snd_max))
		return len;
	for (uint8_t i = 0; i < sb->n; i++) {
		struct sk_range r = sb->r[i];
		if (seq_geq(t->snd_nxt, r.left) && seq_lt(t->snd_nxt, r.right))
			t->snd_nxt = seq_min(r.right, t->snd_max);
		else if (seq_gt(r.left, t->snd_nxt) && seq_lt(r.left, t->snd_nxt + len))
			len = r.left - t->snd_nxt;
	}
	return len;
}

static void sent_data(struct synack_stack *st, struct sk_tcb *t, uint32_t seq, uint32_t len, int fin, int rexmit)
{
	if (rexmit) {
		SK_TCB_COUNT(t, total_retrans, 1);
		st->stats.tcp_rexmit++;
		/* Karn: a retransmitted range yields no RTT sample; nor does the timed segment
		 * when anything before it goes again: its ACK waits for that repair, and would
		 * measure the recovery, not the path (as Linux takes no sample from an ACK that
		 * also covers retransmitted data). On a LAN one such sample was 100 ms. */
		if (t->fl->rtt_start && seq_leq(seq, t->fl->rtt_seq))
			t->fl->rtt_start = 0;
	} else if (len > 0) {
		if (t->fl->rtt_start == 0) {
			t->fl->rtt_seq = seq;
			t->fl->rtt_start = rtt_stamp(st);
		}
		sk_ack_data_out(st, t);
	}
	t->last_send = sk_stamp_us(st->now);
	arm_rexmt(st, t);
	sk_rec_sent(st, t, seq, len, rexmit); /* after the RTO is armed: a probe comes no later */
}

/* Whether a recent segment ending at end carried PSH (psh_mark). */
static int had_psh(const struct sk_tcb *t, uint32_t end)
{
	const struct sk_flight *f = t->fl;
	for (size_t i = 0; f && i < sizeof(f->psh_mark) / sizeof(f->psh_mark[0]); i++)
		if (f->psh_mark[i] && f->psh_mark[i] == end)
			return 1;
	return 0;
}

/* How much new data one TSO super-segment may carry: a whole number of full segments
 * within the link's limit; mss itself when the route has no TSO, or when this connection's
 * segments are not the link's full ones (a smaller peer MSS, a lowered path MTU, SACK
 * blocks in the header): the link cuts at its MTU, not at our MSS. */
static uint32_t tso_payload(const struct synack_stack *st, const struct sk_tcb *t, uint32_t mss)
{
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	uint32_t gso = sk_route_gso_ends(st, &e), iptcp = e.v6 ? 60 : 40;
	if (!gso || mss != sk_tcp_eff_mss(t) || (uint32_t)t->mss + iptcp != sk_route_mtu_ends(st, &e))
		return mss;
	uint32_t hdr = iptcp + (t->mss - mss); /* IP, TCP and the options every segment has */
	return gso > hdr ? (gso - hdr) / mss * mss : mss;
}

/* The most one TSO super-segment may carry now: the link's limit, and half of cwnd when
 * cwnd applies (Linux's tcp_cwnd_test). A flight of one super-segment has nothing behind
 * it: its loss, or its ACK's, leaves no later delivery to reveal it, only the loss probe or
 * the RTO. On a 50 us path with cwnd at 30 segments, synack sent all of cwnd as one
 * packet per round trip, and each of bench/lossy.sh's bursts cost a probe and timeouts. */
static uint32_t tso_room(const struct synack_stack *st, const struct sk_tcb *t, uint32_t mss, int cwnd_applies)
{
	uint32_t big = tso_payload(st, t, mss), half = t->cc.cwnd / 2;
	if (cwnd_applies && big > half)
		big = half < mss ? mss : half - half % mss;
	return big;
}

/* TCP_CORK, or a send with MSG_MORE: only full segments go; a tail waits. */
static int corked(const struct sk_tcb *t)
{
	return (t->flags & (TF_CORK | TF_MORE)) && !(t->flags & TF_FORCE);
}

/* Nagle (RFC 9293 3.7.4): a small tail waits while data is unacked, or in Minshall's
 * variant, as Linux, while a small segment is. */
static int nagle_holds(const struct synack_stack *st, const struct sk_tcb *t, int in_flight)
{
	int small_out = t->fl && seq_gt(t->fl->snd_sml, t->snd_una) && seq_leq(t->fl->snd_sml, t->snd_max);
	return !(t->flags & TF_NODELAY) && in_flight && (small_out || !st->cfg.tcp_nagle_minshall);
}

/* Autocorking, as Linux's tcp_should_autocork: an application that writes in a loop (64 KiB
 * at a time, say) makes, on a TSO link, a full super-segment or a few from each write and a
 * short tail after them, which goes as a packet of its own if sent at once: in bench/real.sh
 * a fifth of the packets. During a send call, a tail short of a whole super-segment at the
 * end of the queue, with data in flight, waits instead: the caller's next send adds to it,
 * and the stack's next poll (synack_poll, which every loop calls; synack_next_deadline says
 * "now" while one waits) sends whatever is left. Linux holds such a tail while the flow's
 * earlier packets are still in the device's queue, which here is gone by the time the
 * write returns. */
static int hold_tail(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->flags & TF_TAIL_HELD)
		return 1;
	if (st->nheld == SK_HELD_TAILS)
		return 0; /* (many at once: send now) */
	st->held_tails[st->nheld++] = t;
	t->flags |= TF_TAIL_HELD;
	return 1;
}

void sk_tcp_held_flush(struct synack_stack *st)
{
	while (st->nheld) {
		struct sk_tcb *t = st->held_tails[--st->nheld];
		t->flags &= ~TF_TAIL_HELD;
		sk_tcp_output(st, t);
	}
}

void sk_tcp_held_forget(struct synack_stack *st, const struct sk_tcb *t)
{
	sk_tcb_list_forget(st->held_tails, &st->nheld, t);
}

/* Whether n bytes of new data, short of a whole super-segment with more queued (the
 * caller's checks) because a window stops it (usable), should wait for the next ACK
 * instead, as Linux's tcp_tso_should_defer: sent now, the room left after a whole number of super-segments goes as a packet of its
 * own, often one segment (cwnd 71 segments, half of it per packet: 35, 35 and 1), and a
 * fifth of a cwnd-limited flow's packets were such tails. It waits only when it is less
 * than a third of the smaller window, the flow is sending (something went within the last
 * millisecond), no recovery is under way, and the oldest segment in flight went at least
 * half an RTT ago, so that its ACK, which opens the room, is due within the other half. If
 * that ACK is lost, the loss probe or the RTO sends what waits. The window is cwnd or the
 * peer's, whichever is smaller (as Linux). Unlike Linux, only with at least three sends
 * outstanding and not SACKed (RACK's log, so with SACK; sends of one instant count as
 * one): a flight of two super-segments both lost, with the tail held back, leaves nothing
 * to be SACKed, and on a simulated 50 us path with 2% loss each way such flights ended in
 * timeouts that the tail sent at once would have spared. */
static int tso_defer(const struct synack_stack *st, const struct sk_tcb *t, uint32_t n, uint32_t usable)
{
	const struct sk_rack *rk = sk_tcb_rack(t);
	if (n < usable || t->in_recovery || !rk || sk_age_us(st->now, t->last_send) > 1000)
		return 0;
	uint32_t wnd = t->cc.cwnd < t->snd_wnd ? t->cc.cwnd : t->snd_wnd;
	uint64_t head;
	if (n >= wnd / 3 || sk_rack_unsacked(rk, 3, &head) < 3)
		return 0;
	return st->now >= head && st->now - head >= t->srtt / 2;
}

/* Sends data and FIN from snd_nxt as the windows, Nagle (REL-7), sender SWS avoidance
 * (FLOW-4) and the MSS allow. cap 0: cwnd applies; else cwnd is the caller's (SACK
 * recovery measured the pipe, or a loss probe goes whatever cwnd says) and the segment,
 * or TSO super-segment, carries at most cap bytes. Returns 1 if a segment went out. */
static int send_data(struct synack_stack *st, struct sk_tcb *t, uint32_t cap)
{
	int ignore_cwnd = cap != 0;
	uint32_t mss = mss_now(t);
	uint32_t len = around_sacked(t, mss);
	uint32_t off = t->snd_nxt - t->snd_una;
	uint32_t queued = t->snd.len;
	uint32_t avail = off <= queued ? queued - off : 0;
	int fin_pending = (t->flags & TF_FIN_QUEUED) && fin_allowed(t->state) && off <= queued;
	/* Something to send needs the flight state (sk_flight); data in flight has it already.
	 * Without memory for it nothing goes, and the retransmission timer tries again. */
	if (!t->fl && (avail || fin_pending) && !sk_tcb_flight(st, t)) {
		if (t->deadline[SK_TT_REXMT] == UINT64_MAX)
			sk_tcb_timer_set(st, t, SK_TT_REXMT, st->now + t->rto);
		return 0;
	}
	if (!t->fl)
		return 0; /* nothing to send */
	uint64_t cw = (uint64_t)t->cc.cwnd + t->fl->inflate + (uint64_t)t->limited_tx * mss;
	uint32_t wnd = ignore_cwnd || cw >= t->snd_wnd ? t->snd_wnd : (uint32_t)cw;
	uint32_t usable = seq_lt(t->snd_nxt, t->snd_una + wnd) ? t->snd_una + wnd - t->snd_nxt : 0;
	int rexmit = seq_lt(t->snd_nxt, t->snd_max);
	if (len == mss && (!rexmit || !cap)) {
		/* On a link that segments by itself (TSO): one super-segment of whole
		 * segments, as much as the windows allow. That is new data, or go-back-N
		 * after a timeout (or a lowered path MTU) up to the next SACKed range and
		 * snd_max, as Linux resends marked-lost TSO packets: one segment per write
		 * made 44 device writes of a lost 64 KB one, and on a path that drops
		 * packets, not bytes, 44 times the losses (bench/lossy.sh's burst row). */
		uint32_t n = tso_room(st, t, mss, !ignore_cwnd), whole = n;
		if (rexmit) {
			uint32_t left = t->snd_max - t->snd_nxt;
			n = around_sacked(t, n);
			n = n < left ? n : left;
		}
		n = n < avail ? n : avail;
		n = n < usable ? n : usable;
		if (cap && n > cap)
			n = cap < mss ? mss : cap - cap % mss;
		/* A short tail ends the super-segment only where it could go alone: not while
		 * corked, nor while Nagle holds it (as Linux's tcp_mss_split_point). */
		if (n > mss && n == avail && n % mss && !fin_pending &&
		    (corked(t) || nagle_holds(st, t, seq_gt(t->snd_max, t->snd_una))))
			n -= n % mss;
		/* New data, cwnd applying, short of a whole super-segment may wait: when the
		 * queue ends it, for the caller's next send (autocorking); when a window ends
		 * it, for the next ACK (TSO deferral). Both above. */
		if (!cap && !rexmit && n < whole) {
			if (n == avail && st->in_send && n < usable && !fin_pending && seq_gt(t->snd_max, t->snd_una) &&
			    hold_tail(st, t))
				return 0;
			if (n < avail && whole > mss && tso_defer(st, t, n, usable))
				return 0;
		}
		if (n > mss)
			len = n == avail ? n : n - n % mss;
	}
	if (len > mss && (t->ecn & ECN_QUEUE_CWR))
		len = mss; /* CWR on the first segment only, not copied across a super-segment */
	if (len > avail)
		len = avail;
	if (rexmit && len > usable && usable < mss && t->snd_nxt != t->snd_una)
		return 0; /* no sliver of a segment again: the next ACK opens a whole one */
	if (len > usable)
		len = usable;
	int fin = fin_pending && len == avail;
	int in_flight = seq_gt(t->snd_max, t->snd_una);
	if (len == 0 && !fin) {
		if ((avail || fin_pending) && t->snd_wnd == 0 && !in_flight)
			arm_persist(st, t); /* FLOW-3 */
		return 0;
	}
	if (!rexmit && len < mss && !fin) {
		if (len == avail && corked(t)) {
			/* TCP_CORK (or a send with MSG_MORE): only full segments; a tail waits
			 * for more data or uncorking, at most until the persist timer's override
			 * (Linux's 200 ms ceiling is its probe timer, one RTO). */
			if (!in_flight)
				arm_persist(st, t);
			return 0;
		}
		if (len == avail) {
			if (nagle_holds(st, t, in_flight))
				return 0;
		} else if (len < t->max_sndwnd / 2 && !(t->flags & TF_FORCE)) {
			/* RFC 1122 4.2.3.4, RFC 9293 3.8.6.2.1 (FLOW-4): a sliver of window waits
			 * for more room. An ACK brings it while data is in flight; otherwise only
			 * the override timeout sends it, and the persist timer is that timer (as
			 * RFC 9293 suggests), one RTO later. */
			if (!in_flight)
				arm_persist(st, t);
			return 0;
		}
	}
	if (!rexmit && !in_flight && t->last_send && sk_age_us(st->now, t->last_send) > t->rto)
		sk_cc_get(t->cc.algo)->after_idle(&t->cc, st->cfg.tcp_init_cwnd, sk_age_us(st->now, t->last_send), t->rto,
						  st->now); /* RFC 5681 4.1 */
	/* PSH on the segment that empties the queue (RFC 1122 4.2.2.2), on what the override
	 * timeout sends (as Linux's tcp_write_wakeup), and, as Linux's forced_push, once half
	 * the largest window has gone without one; a retransmission as first sent. */
	uint16_t flags = SK_TCP_ACK;
	uint32_t last_psh = t->fl->psh_mark[0] ? t->fl->psh_mark[0] : t->snd_una;
	int forced = !rexmit && seq_gt(t->snd_nxt + len, last_psh + t->max_sndwnd / 2);
	if (len > 0 && (len == avail || forced || (t->flags & TF_FORCE) || (rexmit && had_psh(t, t->snd_nxt + len))))
		flags |= SK_TCP_PSH;
	if (fin)
		flags |= SK_TCP_FIN;
	/* RFC 3168 6.1.2, 6.1.5: new data goes ECT(0), the first after a reduction with CWR;
	 * retransmissions and segments without data go Not-ECT. */
	uint8_t ect = SK_ECN_NOT_ECT;
	if ((t->flags & TF_ECN) && !rexmit && len) {
		ect = SK_ECN_ECT0;
		if (t->ecn & ECN_QUEUE_CWR) {
			flags |= SK_TCP_CWR;
			t->ecn &= (uint8_t)~ECN_QUEUE_CWR;
		}
	}
	struct sk_segment_out o;
	fill_common(st, t, &o, t->snd_nxt, flags);
	o.ecn = ect;
	o.data = &t->snd;
	o.data_off = off;
	o.data_len = len;
	sk_tcp_send_segment(st, &o);
	sent_ack(st, t, len);
	uint32_t seq = t->snd_nxt;
	t->snd_nxt += len + (fin ? 1 : 0);
	if (seq_gt(t->snd_nxt, t->snd_max))
		t->snd_max = t->snd_nxt;
	sent_data(st, t, seq, len, fin, rexmit);
	if (!rexmit && len && len < mss)
		t->fl->snd_sml = seq + len;
	if (!rexmit && (flags & SK_TCP_PSH)) {
		uint32_t *mark = t->fl->psh_mark;
		memmove(mark + 1, mark, sizeof(t->fl->psh_mark) - sizeof(mark[0]));
		mark[0] = seq + len;
	}
	return 1;
}

/* After sending: how much of cwnd this window used (Linux's tcp_cwnd_validate). A new
 * window starts once the last one is acknowledged; within it, remember whether cwnd
 * stopped the sender, else the most that was in flight. */
static void cwnd_validate(struct sk_tcb *t)
{
	struct sk_flight *f = t->fl;
	if (!f)
		return; /* (sending needs it: never here) */
	uint32_t flight = t->snd_max - t->snd_una;
	int limited = (uint64_t)flight + sk_tcp_eff_mss(t) > t->cc.cwnd;
	if (!seq_lt(t->snd_una, f->cwnd_usage_seq) || limited || (!t->cwnd_limited && flight > f->max_flight)) {
		t->cwnd_limited = (uint8_t)limited;
		f->max_flight = flight;
		f->cwnd_usage_seq = t->snd_max;
	}
}

int sk_tcp_send_new(struct synack_stack *st, struct sk_tcb *t, uint32_t cap)
{
	return send_data(st, t, cap ? cap : 1);
}

void sk_tcp_retransmit(struct synack_stack *st, struct sk_tcb *t, uint32_t seq, uint32_t len, enum sk_why why)
{
	uint32_t off = seq - t->snd_una;
	if (off >= t->snd.len)
		return;
	if (len > t->snd.len - off)
		len = t->snd.len - off;
	/* At most what one write carries: one MSS, or on a TSO link a super-segment of whole
	 * segments (the queue's last piece may end it short), as Linux resends lost TSO
	 * packets as far as cwnd allows. */
	uint32_t mss = mss_now(t), most = tso_payload(st, t, mss);
	if (len > most)
		len = most;
	if (len > mss && off + len != t->snd.len)
		len -= len % mss;
	/* The FIN goes again with the last data if it was sent after it. */
	int fin = (t->flags & TF_FIN_QUEUED) && off + len == t->snd.len && t->snd_max == t->snd_una + t->snd.len + 1;
	/* PSH as the segment first had it: at the end of the queue, or where a recent
	 * segment ended with it (the peer may be waiting for just that). */
	int psh = off + len == t->snd.len || had_psh(t, seq + len);
	struct sk_segment_out o;
	fill_common(st, t, &o, seq, SK_TCP_ACK | (fin ? SK_TCP_FIN : 0) | (psh ? SK_TCP_PSH : 0));
	o.data = &t->snd;
	o.data_off = off;
	o.data_len = len;
	o.why = (uint8_t)why;
	sk_tcp_send_segment(st, &o);
	sent_ack(st, t, len);
	sent_data(st, t, seq, len, fin, 1);
}

void sk_tcp_output(struct synack_stack *st, struct sk_tcb *t)
{
	switch (t->state) {
	case SYNACK_CLOSED:
	case SYNACK_LISTEN:
	case SYNACK_TIME_WAIT:
		return;
	case SYNACK_SYN_SENT:
		if (t->snd_nxt == t->iss)
			send_syn(st, t, 0);
		return;
	case SYNACK_SYN_RCVD:
		if (t->snd_nxt == t->iss)
			send_syn(st, t, 1);
		else if (t->flags & TF_ACKNOW)
			sk_tcp_send_ack(st, t);
		return;
	default:
		break;
	}
	int sent = 0;
	uint32_t max_before = t->snd_max, nxt_before = t->snd_nxt;
	if (!sk_rec_output(st, t)) {
		while (send_data(st, t, 0))
			sent = 1;
	}
	if (t->snd_max != max_before || t->snd_nxt != nxt_before)
		cwnd_validate(t);
	if (!sent && (t->flags & TF_ACKNOW))
		sk_tcp_send_ack(st, t);
}

static int retry_limit(const struct synack_stack *st, const struct sk_tcb *t)
{
	if (t->state == SYNACK_SYN_SENT)
		return st->cfg.tcp_syn_retries;
	if (t->state == SYNACK_SYN_RCVD)
		return st->cfg.tcp_synack_retries;
	if (t->flags & TF_APP_CLOSED)
		return st->cfg.tcp_orphan_retries ? st->cfg.tcp_orphan_retries : 8;
	return st->cfg.tcp_retries2;
}

/* RFC 6298 5.4-5.7: retransmit the earliest unacknowledged segment, back the timer off,
 * and give up after the configured number of timeouts (HS-7, CL-7, REL-3). */
/* TCP_USER_TIMEOUT (RFC 5482): how long data (or a SYN) may stay unacknowledged; the time it
 * was first sent is known once it timed out (rtx_stamp). */
static int user_timed_out(const struct synack_stack *st, const struct sk_tcb *t)
{
	uint32_t ms = sk_tcb_opts(t).user_timeout_ms;
	return ms && t->fl->rtx_stamp && st->now - t->fl->rtx_stamp >= (uint64_t)ms * 1000;
}

int sk_tcp_rexmt_timeout(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->snd_una == t->snd_max && t->state != SYNACK_SYN_SENT && t->state != SYNACK_SYN_RCVD) {
		/* everything was acknowledged meanwhile; or nothing went, for want of memory
		 * for the flight state (send_data): try again */
		if (!t->fl && (t->snd.len || (t->flags & TF_FIN_QUEUED)))
			sk_tcp_output(st, t);
		return 0;
	}
	if (t->fl && !t->fl->rtx_stamp) {
		uint64_t armed = t->backoff ? 0 : t->rto; /* the timer ran one RTO from the send */
		t->fl->rtx_stamp = st->now > armed ? st->now - armed : 1;
	}
	/* (a SYN that went without the flight state, for want of memory, has no stamp: the
	 * retry limit decides for it) */
	uint32_t user_timeout_ms = t->fl ? sk_tcb_opts(t).user_timeout_ms : 0;
	if (user_timeout_ms ? user_timed_out(st, t) : t->backoff >= retry_limit(st, t)) {
		st->stats.tcp_conn_timeouts++;
		if (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD)
			st->stats.tcp_attempt_fails++;
		/* A soft ICMP error heard meanwhile says more than "timed out" (RFC 1122
		 * 4.2.3.9; Linux reports it the same way). */
		sk_tcb_drop(st, t, t->soft_err ? t->soft_err : ETIMEDOUT, "retransmission timeout, giving up");
		return 1;
	}
	t->backoff++;
	st->stats.tcp_timeouts++;
	if (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD) {
		/* A SYN or SYN+ACK again (send_syn counts nothing); data and FIN are counted
		 * once, as they go (sent_data), so TCP_INFO's total_retrans and the stack's
		 * tcp_rexmit count segments retransmitted, not timeouts too (CC-5). */
		SK_TCB_COUNT(t, total_retrans, 1);
		st->stats.tcp_rexmit++;
	}
	uint64_t rto = (uint64_t)t->rto * 2;
	uint64_t max = (uint64_t)st->cfg.tcp_rto_max_ms * 1000;
	t->rto = (uint32_t)(rto < max ? rto : max);
	if (t->fl)
		t->fl->rtt_start = 0; /* Karn: no RTT sample from a retransmitted segment */
	if (t->state != SYNACK_SYN_SENT && t->state != SYNACK_SYN_RCVD)
		sk_rec_timeout(st, t); /* CC-2 through the congestion hooks */
	if (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD)
		t->snd_nxt = t->iss;
	else
		t->snd_nxt = t->snd_una;
	uint64_t next = st->now + t->rto;
	if (user_timeout_ms) {
		/* Linux's tcp_clamp_rto_to_user_timeout: wake when the user timeout ends. */
		uint64_t end = t->fl->rtx_stamp + (uint64_t)user_timeout_ms * 1000;
		if (end > st->now && end < next)
			next = end;
		if (end <= st->now)
			next = st->now + 1000;
	}
	sk_tcb_timer_set(st, t, SK_TT_REXMT, next);
	st->why = SK_WHY_RTO;
	sk_tcp_output(st, t);
	st->why = SK_WHY_NONE;
	return 0;
}

/* A keepalive probe: one sequence number below snd_una, which the peer must ACK. */
void sk_tcp_send_keepalive(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_segment_out o;
	fill_common(st, t, &o, t->snd_una - 1, SK_TCP_ACK);
	o.why = SK_WHY_KEEPALIVE;
	sk_tcp_send_segment(st, &o);
}
