/* Segment arrival (RFC 9293 3.10.7), with RFC 5961's RST/SYN/ACK checks and RFC 7323's
 * PAWS: input updates state and asks the output routine for whatever is then due. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

/* RFC 6298 2.2/2.3 with the Linux floor (REL-3). By default the floor bounds the variance
 * term, RTO = SRTT + max(4*RTTVAR, rto_min) as Linux's tcp_set_rto has it, so a 10 ms path
 * gets 210 ms as against the kernel; tcp_rto_var_floor 0 bounds the RTO itself. */
void sk_tcp_rtt_sample(struct synack_stack *st, struct sk_tcb *t, uint32_t r)
{
	if (r == 0)
		r = 1;
	t->last_rtt = r;
	if (!t->min_rtt || r < t->min_rtt)
		t->min_rtt = r;
	if (t->srtt == 0) {
		t->srtt = r;
		t->rttvar = r / 2;
	} else {
		uint32_t err = t->srtt > r ? t->srtt - r : r - t->srtt;
		t->rttvar = (3 * t->rttvar + err) / 4;
		t->srtt = (7 * t->srtt + r) / 8;
	}
	sk_tcp_rto_set(st, t);
}

/* The RTO from SRTT and RTTVAR, without backoff. */
void sk_tcp_rto_set(struct synack_stack *st, struct sk_tcb *t)
{
	uint64_t var = 4 * (uint64_t)t->rttvar;
	uint64_t lo = (uint64_t)st->cfg.tcp_rto_min_ms * 1000, hi = (uint64_t)st->cfg.tcp_rto_max_ms * 1000;
	uint64_t rto = (uint64_t)t->srtt + var;
	if (st->cfg.tcp_rto_var_floor && var < lo)
		rto = (uint64_t)t->srtt + lo;
	if (rto < lo)
		rto = lo;
	if (rto > hi)
		rto = hi;
	t->rto = (uint32_t)rto;
}

/* An RTT measurement from an ACK (RFC 6298 with RFC 7323 4). The segment timed in
 * microseconds is preferred when this ACK covers it; otherwise the timestamp echo, whose
 * millisecond ticks cannot resolve an RTT under 2 ms: such a sample (0 or 1 tick) would say
 * the path takes 1 us or 1 ms at random, which misleads HyStart's ACK-train test into
 * ending slow start at once on a LAN. There the timed segment gives one exact sample per
 * round trip instead. A timed segment this ACK covers is done with. */
static void rtt_from_ack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	struct sk_flight *f = t->fl;
	if (f && f->rtt_start && seq_gt(seg->ack, f->rtt_seq)) {
		sk_tcp_rtt_sample(st, t, (uint32_t)(st->now + 1 - f->rtt_start)); /* send time + 1 */
		f->rtt_start = 0;
		return;
	}
	if ((t->flags & TF_TS) && seg->opt.has_ts && seg->opt.tsecr) {
		uint32_t r = (sk_tcp_ts_now(st, t->ts_offset) - seg->opt.tsecr) * 1000u;
		if (r >= 2000)
			sk_tcp_rtt_sample(st, t, r);
		else if (t->backoff && t->srtt)
			/* Too fine for the ticks, but an echo all the same: new data arrived
			 * within a round trip of a segment sent since the timeout, which is
			 * what Karn's backed-off RTO waits for (RFC 7323 4.1 lets timestamps
			 * time retransmissions). Linux's tick sample does the same. Kept
			 * doubled, the RTO of a go-back-N recovery whose every segment is a
			 * retransmission stayed 0.4-1.6 s on a 50 us path. */
			sk_tcp_rto_set(st, t);
	}
}

/* Rate limit for challenge ACKs and ACKs to out-of-window segments: per connection a
 * minimum gap, per stack a budget per second (RFC 5961 7). */
int sk_challenge_budget(struct synack_stack *st)
{
	if (st->now - st->challenge_window_start >= 1000000) {
		st->challenge_window_start = st->now;
		st->challenge_count = 0;
	}
	if (st->challenge_count >= st->cfg.tcp_challenge_ack_limit) {
		st->stats.tcp_challenge_acks_limited++;
		return 0;
	}
	st->challenge_count++;
	return 1;
}

static int may_challenge(struct synack_stack *st, struct sk_tcb *t)
{
	uint32_t last = sk_tcb_cold_view(t)->last_challenge_ms;
	if (last && sk_age_ms(st->now, last) < st->cfg.tcp_invalid_ratelimit_ms) {
		st->stats.tcp_challenge_acks_limited++;
		return 0;
	}
	if (!sk_challenge_budget(st))
		return 0;
	/* the stamp is kept out of line (made only for an answer that goes): without memory
	 * for it, the stack's budget alone limits this connection */
	struct sk_cold *c = sk_tcb_cold(t);
	if (c)
		c->last_challenge_ms = sk_stamp_ms(st->now);
	return 1;
}

static void challenge_ack(struct synack_stack *st, struct sk_tcb *t)
{
	if (!may_challenge(st, t))
		return;
	st->stats.tcp_challenge_acks++;
	st->why = SK_WHY_CHALLENGE;
	sk_tcp_send_ack(st, t);
	st->why = SK_WHY_NONE;
}

/* A RST answering seg, which arrived on t's connection but is not acceptable to it. */
static void respond_rst(struct synack_stack *st, const struct sk_tcb *t, const struct sk_tcp *seg)
{
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	sk_tcp_respond_rst(st, &e, seg);
}

/* Options of the peer's SYN: what both sides offered is what is used (HS-4). */
static void take_syn_options(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	/* without the option: 536 over IPv4, 1220 over IPv6 (RFC 9293 3.7.1 MUST-15) */
	uint16_t peer_mss = seg->opt.has_mss ? seg->opt.mss : e.v6 ? 1220 : 536;
	uint32_t mtu_mss = sk_tcp_our_mss(st, &e, sk_tcb_opts(t).user_mss); /* TCP_MAXSEG too, as Linux */
	t->mss = (uint16_t)(peer_mss < mtu_mss ? peer_mss : mtu_mss);
	if (t->mss < 64)
		t->mss = 64;
	if (seg->opt.has_ws && st->cfg.tcp_window_scaling) {
		t->flags |= TF_WS;
		t->snd_wscale = seg->opt.ws > SK_TCP_MAX_WSCALE ? SK_TCP_MAX_WSCALE : seg->opt.ws;
	} else {
		t->flags &= ~TF_WS;
		t->snd_wscale = 0;
		t->rcv_wscale = 0;
	}
	if (seg->opt.sack_ok && st->cfg.tcp_sack)
		t->flags |= TF_SACK;
	if (seg->opt.has_ts && st->cfg.tcp_timestamps) {
		t->flags |= TF_TS;
		t->ts_recent = seg->opt.tsval;
	}
	sk_tcb_cc_init(st, t); /* CC-1: initial window from the effective MSS */
}

static void keepalive_reset(struct synack_stack *st, struct sk_tcb *t)
{
	t->last_rcv = sk_stamp_ms(st->now);
	t->keep_sent = 0;
	if ((t->flags & TF_KEEPALIVE) && !sk_tcb_fin_wait_2_limited(t)) {
		uint32_t idle = sk_tcb_keepidle_s(st, t);
		sk_tcb_timer_set(st, t, SK_TT_KEEP, st->now + (uint64_t)idle * 1000000);
	}
}

static void established(struct synack_stack *st, struct sk_tcb *t, const char *cause)
{
	t->backoff = 0;
	if (t->fl)
		t->fl->rtx_stamp = 0;
	sk_tcb_set_state(st, t, SYNACK_ESTABLISHED, cause);
	keepalive_reset(st, t);
	sk_tcb_flight_synced(st, t); /* (the SYN's, once acknowledged) */
}

static void process_text_fin(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, int *gone);

/* SYN-SENT (RFC 9293 3.10.7.3). */
static void syn_sent(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	int ack = (seg->flags & SK_TCP_ACK) != 0;
	if (ack && (seq_leq(seg->ack, t->iss) || seq_gt(seg->ack, t->snd_max))) {
		/* HS-6: not an answer to our SYN (an old duplicate): reset it, stay. The peer
		 * may be a stale incarnation that our RST now clears, so, as Linux does, the SYN
		 * goes again almost at once if it has not been retransmitted yet. */
		if (!(seg->flags & SK_TCP_RST))
			respond_rst(st, t, seg);
		if (t->backoff == 0)
			sk_tcb_timer_set(st, t, SK_TT_REXMT, st->now + SK_TCP_TIMEOUT_MIN_US);
		st->stats.tcp_drop_state++;
		return;
	}
	if (seg->flags & SK_TCP_RST) {
		if (ack) {
			st->stats.tcp_rst_in_accepted++;
			st->stats.tcp_attempt_fails++;
			sk_tcb_drop(st, t, ECONNREFUSED, "RST received");
		} else {
			st->stats.tcp_rst_in_ignored++; /* RST-3: must acknowledge our SYN */
		}
		return;
	}
	if (!(seg->flags & SK_TCP_SYN)) {
		st->stats.tcp_drop_state++;
		return;
	}
	t->rcv_nxt = seg->seq + 1;
	t->rcv_adv = t->rcv_nxt + sk_tcp_syn_window(sk_tcb_rcv_window(t), t->adv_mss); /* as our SYN offered it */
	take_syn_options(st, t, seg);
	/* RFC 3168 6.1.1: our ECN-setup SYN is accepted by a SYN+ACK with ECE and not CWR. */
	if (ack && st->cfg.tcp_ecn == 1 && (seg->flags & (SK_TCP_ECE | SK_TCP_CWR)) == SK_TCP_ECE)
		t->flags |= TF_ECN;
	if (ack) {
		t->snd_una = seg->ack;
		t->snd_wnd = seg->win; /* never scaled in a SYN */
		t->max_sndwnd = t->snd_wnd;
		t->snd_wl1 = seg->seq;
		t->snd_wl2 = seg->ack;
		sk_tcb_timer_clear(st, t, SK_TT_REXMT);
		if (t->backoff == 0)
			rtt_from_ack(st, t, seg);
		if (!t->srtt) /* RFC 6298 5.7: after a SYN timeout, data starts from 3 s */
			t->rto = sk_tcp_rto_unmeasured(st, t->backoff != 0);
		t->flags &= ~TF_CONNECTING;
		established(st, t, "SYN+ACK received");
		t->flags |= TF_ACKNOW;
		/* RFC 9293 3.10.7.3: text or a FIN on the SYN+ACK is processed from the sixth
		 * step on, not dropped. */
		if (seg->payload_len || (seg->flags & SK_TCP_FIN)) {
			int gone = 0;
			process_text_fin(st, t, seg, &gone);
		}
		return;
	}
	/* HS-5 simultaneous open: answer with SYN+ACK from the same ISN. */
	t->flags |= TF_RCV_SYN;
	t->snd_nxt = t->iss;
	sk_tcb_timer_clear(st, t, SK_TT_REXMT);
	sk_tcb_set_state(st, t, SYNACK_SYN_RCVD, "SYN received");
}

/* RFC 9293 3.10.7.4 first check: is the segment in the receive window? */
static int acceptable(const struct sk_tcb *t, const struct sk_tcp *seg, uint32_t seglen)
{
	uint32_t wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	if (seglen == 0)
		return wnd == 0 ? seg->seq == t->rcv_nxt : seq_in(seg->seq, t->rcv_nxt, t->rcv_nxt + wnd);
	if (wnd == 0)
		return 0;
	return seq_in(seg->seq, t->rcv_nxt, t->rcv_nxt + wnd) ||
	       seq_in(seg->seq + seglen - 1, t->rcv_nxt, t->rcv_nxt + wnd);
}

static void enter_fin_wait_2(struct synack_stack *st, struct sk_tcb *t)
{
	sk_tcb_set_state(st, t, SYNACK_FIN_WAIT_2, "ACK of FIN received");
	if (t->flags & TF_APP_CLOSED) /* CL-9: only a fully closed socket is limited */
		sk_tcb_timer_set(st, t, SK_TT_KEEP,
				 st->now + (uint64_t)st->cfg.tcp_fin_timeout_ms * 1000);
}

/* Our FIN was sent and everything up to it is acknowledged. */
static int our_fin_acked(const struct sk_tcb *t)
{
	return (t->flags & TF_FIN_QUEUED) && t->snd.len == 0 && t->snd_una == t->snd_max;
}

static void fin_acked_transitions(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg,
				  int *gone)
{
	switch (t->state) {
	case SYNACK_FIN_WAIT_1:
		/* CL-5: a FIN+ACK of our FIN goes FIN-WAIT-1 -> TIME-WAIT in one step (RFC
		 * 9293 3.10.7.4, eighth step); the FIN is handled with the text, and
		 * synchronized() enters FIN-WAIT-2 if it could not be. */
		if (!(seg->flags & SK_TCP_FIN))
			enter_fin_wait_2(st, t);
		break;
	case SYNACK_CLOSING:
		sk_tw_enter(st, t, "ACK of FIN received");
		*gone = 1;
		break;
	case SYNACK_LAST_ACK:
		sk_tcb_drop(st, t, 0, "ACK of FIN received");
		*gone = 1;
		break;
	}
}

/* Step 5: the ACK field. Returns 0 to go on, 1 if the segment is done with (or the TCB). */
static int process_ack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, int *gone)
{
	if (t->state == SYNACK_SYN_RCVD) {
		if (!(seq_gt(seg->ack, t->snd_una) && seq_leq(seg->ack, t->snd_max))) {
			respond_rst(st, t, seg);
			return 1;
		}
		t->snd_wnd = (uint32_t)seg->win << t->snd_wscale;
		t->snd_wl1 = seg->seq;
		t->snd_wl2 = seg->ack;
		established(st, t, "ACK received");
		t->flags &= ~TF_CONNECTING;
	}
	if (seq_gt(seg->ack, t->snd_max)) {
		/* Acknowledges what was never sent: ACK and drop (RFC 9293, RFC 5961 5.2), under
		 * the challenge ACK's rate limit, as Linux has it: a flood of such ACKs must not
		 * draw as many answers. */
		st->stats.tcp_drop_out_of_window++;
		challenge_ack(st, t);
		return 1;
	}
	uint32_t acked_ever = t->snd_una - t->iss - 1; /* bytes acked so far (modulo 4 GiB) */
	uint32_t old_bound = t->acked_4g || acked_ever > t->max_sndwnd ? t->max_sndwnd : acked_ever;
	if (seq_lt(seg->ack, t->snd_una - old_bound)) {
		/* RFC 5961 5.2: older than SND.UNA - MAX.SND.WND (or than the first byte: Linux
		 * takes the smaller bound): a blind injection; a challenge ACK (rate limited),
		 * and the segment is dropped. */
		st->stats.tcp_drop_out_of_window++;
		challenge_ack(st, t);
		return 1;
	}
	uint32_t win = (uint32_t)seg->win << t->snd_wscale;
	uint32_t flight = t->snd_max - t->snd_una;
	/* RFC 9293 3.10.7.4's window update, as Linux's tcp_may_update_window judges it: a
	 * segment that acknowledges new data or is newer than the last update counts; one with
	 * the same SEQ and ACK counts only if it opens the window or closes it (a stray
	 * duplicate shrinking the window is not taken). Old ACKs never count. */
	int wnd_update = seq_geq(seg->ack, t->snd_una) &&
			 (seq_gt(seg->ack, t->snd_una) || seq_gt(seg->seq, t->snd_wl1) ||
			  (seg->seq == t->snd_wl1 && (win > t->snd_wnd || !win)));
	if (seq_gt(seg->ack, t->snd_una)) {
		uint32_t acked = seg->ack - t->snd_una;
		if ((uint32_t)(acked_ever + acked) < acked_ever)
			t->acked_4g = 1;
		int fin_acked = (t->flags & TF_FIN_QUEUED) && seg->ack == t->snd_una + t->snd.len + 1;
		uint32_t data = acked - (fin_acked ? 1 : 0);
		if (data > t->snd.len)
			data = t->snd.len;
		sk_bytes_drop(&t->snd, data);
		sk_bytes_shrink(st, &t->snd);
		t->snd_una = seg->ack;
		if (seq_lt(t->snd_nxt, t->snd_una))
			t->snd_nxt = t->snd_una;
		rtt_from_ack(st, t, seg);
		t->backoff = 0;
		if (t->fl)
			t->fl->rtx_stamp = 0;
		/* RFC 6298 5.2/5.3 */
		if (t->snd_una == t->snd_max)
			sk_tcb_timer_clear(st, t, SK_TT_REXMT);
		else
			sk_tcb_timer_set(st, t, SK_TT_REXMT, st->now + t->rto);
		sk_rec_on_ack(st, t, seg, acked, flight, 0);
		if (fin_acked)
			fin_acked_transitions(st, t, seg, gone);
		if (*gone)
			return 1;
		sk_tcb_flight_idle(st, t); /* everything acknowledged: the flight state goes */
	} else if (seg->ack == t->snd_una) {
		/* RFC 5681 2: a duplicate ACK carries no data, no SYN/FIN, the same window, while
		 * data is outstanding; RFC 6675 counts an ACK with new SACK information too. */
		int same = seg->payload_len == 0 && !(seg->flags & (SK_TCP_SYN | SK_TCP_FIN)) && win == t->snd_wnd;
		sk_rec_on_ack(st, t, seg, 0, flight, same);
		sk_tcb_flight_idle(st, t); /* (an undo episode left open may have ended) */
	}
	if (wnd_update) {
		t->snd_wnd = win;
		t->snd_wl1 = seg->seq;
		t->snd_wl2 = seg->ack;
		if (win > t->max_sndwnd)
			t->max_sndwnd = win;
		if (win) {
			t->persist_backoff = 0; /* FLOW-3: the window opened */
			sk_tcb_timer_clear(st, t, SK_TT_PERSIST);
		}
	}
	return 0;
}

/* RFC 2883: a duplicate [l, r) is reported in the next ACK's first SACK block. */
static void note_dsack(struct sk_tcb *t, uint32_t l, uint32_t r)
{
	if (!(t->flags & TF_SACK) || !seq_lt(l, r))
		return;
	if (!t->asmb && !(t->asmb = calloc(1, sizeof(*t->asmb))))
		return;
	sk_asm_dsack(t->asmb, l, r);
}

/* Data at seq (>= rcv_nxt, inside the window) goes to its place in the receive ring; in
 * order it extends what the application can read (with any ranges it now joins), out of
 * order the assembler remembers it. Returns 1 if it was in order. */
static int place_data(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t seq,
		      const uint8_t *data, uint32_t len, int fin)
{
	uint32_t off = seq - t->rcv_nxt;
	if (sk_bytes_write_at(st, &t->rcv, t->rcv.len + off, data, len) < 0) {
		t->flags |= TF_ACKNOW;
		return 0;
	}
	if (off) {
		if (!t->asmb && !(t->asmb = calloc(1, sizeof(*t->asmb)))) {
			t->flags |= TF_ACKNOW;
			return 0;
		}
		if (sk_asm_add(t->asmb, seq, seq + len) == 0)
			st->stats.tcp_ooo_segments++;
		if (!(t->flags & TF_SACK))
			t->asmb->has_dsack = 0;
		t->flags |= TF_ACKNOW; /* REL-2 / REL-6: out of order is acked at once */
		return 0;
	}
	uint32_t nxt = t->rcv_nxt + len;
	int filled = 0;
	if (t->asmb) {
		filled = t->asmb->n != 0;
		nxt = sk_asm_advance(t->asmb, nxt);
		if ((t->flags & TF_FIN_OOO) && seq_gt(nxt, t->fin_seq))
			nxt = t->fin_seq; /* the FIN's place (ooo_fin) is no data */
		if (!(t->flags & TF_SACK))
			t->asmb->has_dsack = 0;
		if (!t->asmb->n && !t->asmb->has_dsack) {
			free(t->asmb);
			t->asmb = NULL;
		}
	}
	sk_bytes_commit(&t->rcv, nxt - t->rcv_nxt);
	t->rcv_nxt = nxt;
	sk_ack_data_in(st, t, seg, len);
	if (sk_tcb_grow_window(t, len) && !t->quick)
		t->quick = 1; /* the window grew: tell the sender now (tcp_grow_window) */
	if (filled)
		t->flags |= TF_ACKNOW; /* REL-6: a segment filling a hole is acked at once */
	else if (!fin)
		sk_ack_check(st, t); /* (with a FIN the FIN decides: ESTABLISHED turns interactive) */
	return 1;
}

/* A FIN beyond RCV.NXT: kept (its place, as Linux keeps it in the out-of-order queue) and
 * answered at once with a duplicate ACK, as any out-of-order segment is (RFC 5681 4.2). With
 * SACK its sequence number is a held range like data, so the ACK reports it (a block ending
 * one past the FIN, as Linux's); place_data never takes that range for data. */
static void ooo_fin(struct sk_tcb *t, uint32_t at)
{
	t->flags |= TF_FIN_OOO | TF_ACKNOW;
	t->fin_seq = at;
	if ((t->flags & TF_SACK) && (t->asmb || (t->asmb = calloc(1, sizeof(*t->asmb)))))
		sk_asm_add(t->asmb, at, at + 1);
}

/* RFC 3168 6.1.3, the receiver's side: a data segment with CWR ends the echo (and is acked
 * at once: the sender's window may be small now); a CE mark starts it, with an ACK at once,
 * as Linux's quick ACK on CE. */
static void ecn_receive(struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (!(t->flags & TF_ECN) || !seg->payload_len)
		return;
	if (seg->flags & SK_TCP_CWR) {
		t->ecn &= (uint8_t)~ECN_DEMAND_CWR;
		t->flags |= TF_ACKNOW;
	}
	if (seg->ecn == SK_ECN_CE && !(t->ecn & ECN_DEMAND_CWR)) {
		t->ecn |= ECN_DEMAND_CWR;
		t->flags |= TF_ACKNOW;
	}
}

/* Steps 7 and 8: the text and the FIN. */
static void process_text_fin(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, int *gone)
{
	ecn_receive(t, seg);
	const uint8_t *data = seg->payload;
	uint32_t len = (uint32_t)seg->payload_len;
	uint32_t seq = seg->seq;
	int fin = (seg->flags & SK_TCP_FIN) != 0;
	if (seg->flags & SK_TCP_SYN)
		seq++;
	/* Trim what was already received. */
	if (seq_lt(seq, t->rcv_nxt)) {
		uint32_t dup = t->rcv_nxt - seq;
		/* RFC 2883: what was had, a retransmitted FIN included */
		note_dsack(t, seq, seq_min(t->rcv_nxt, seq + len + (uint32_t)fin));
		if (dup > len) {
			if (fin && dup == len + 1)
				fin = 0; /* a retransmitted FIN we already have */
			dup = len;
		}
		data += dup;
		len -= dup;
		seq += dup;
		if (len == 0 && seg->payload_len)
			t->flags |= TF_ACKNOW; /* a duplicate: ACK it (REL-2) */
	}
	int can_receive = t->state == SYNACK_ESTABLISHED || t->state == SYNACK_FIN_WAIT_1 ||
			  t->state == SYNACK_FIN_WAIT_2;
	if (len && can_receive) {
		/* The window we offered (never shrunk) bounds what is taken. */
		uint32_t space = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
		uint32_t avail = sk_tcb_rcv_space(t);
		if (avail > space)
			space = avail;
		uint32_t off = seq - t->rcv_nxt;
		if (off >= space) {
			t->flags |= TF_ACKNOW;
			return;
		}
		if (off + len > space) {
			len = space - off;
			fin = 0;
		}
		if (!place_data(st, t, seg, seq, data, len, fin)) {
			if (fin)
				ooo_fin(t, seq + len);
			return; /* out of order */
		}
	} else if (len) {
		t->flags |= TF_ACKNOW;
	}
	if (fin && seq_gt(seq + len, t->rcv_nxt) && can_receive) {
		ooo_fin(t, seq + len); /* a bare FIN ahead of a hole */
		return;
	}
	if (!(fin && seq + len == t->rcv_nxt)) {
		/* A FIN that came ahead of a hole counts once the hole is filled. */
		if (!((t->flags & TF_FIN_OOO) && t->rcv_nxt == t->fin_seq))
			return;
	}
	t->flags &= ~TF_FIN_OOO;
	if (t->flags & TF_FIN_RCVD) {
		t->flags |= TF_ACKNOW; /* retransmitted FIN (CL-10/CL-11 peers) */
		return;
	}
	t->rcv_nxt++;
	t->flags |= TF_FIN_RCVD;
	switch (t->state) {
	case SYNACK_ESTABLISHED:
		/* The ACK of the FIN waits for the reply it can ride on, as Linux's interactive
		 * mode has it, so an application that closes at once sends FIN+ACK in one
		 * segment (CL-5). */
		sk_ack_pingpong(t);
		sk_ack_check(st, t);
		sk_tcb_set_state(st, t, SYNACK_CLOSE_WAIT, "FIN received");
		break;
	case SYNACK_FIN_WAIT_1:
		if (!our_fin_acked(t)) {
			t->flags |= TF_ACKNOW;
			sk_tcb_set_state(st, t, SYNACK_CLOSING, "FIN received");
			break;
		}
		/* This segment acked our FIN too (CL-5): straight to TIME-WAIT. */
		sk_tcp_send_ack(st, t);
		sk_tw_enter(st, t, "FIN+ACK received");
		*gone = 1;
		break;
	case SYNACK_FIN_WAIT_2:
		sk_tcp_send_ack(st, t); /* TW-1: 2MSL counts from this ACK */
		sk_tw_enter(st, t, "FIN received");
		*gone = 1;
		break;
	default:
		t->flags |= TF_ACKNOW;
		break;
	}
}

/* HS-5 (RFC 9293 Figure 8, lines 6-7): in a simultaneous open the peer's SYN+ACK repeats
 * the SYN already received (seq = IRS) and acknowledges ours. Only its ACK is new: it
 * completes the handshake, and the old SYN is acknowledged (3.10.7.4), as Linux does and
 * FreeBSD, which trims the SYN. Taken literally, the sequence check would discard the whole
 * segment and leave the handshake to the ACKs one trip later. Returns 1 if seg was that. */
static int simultaneous_synack(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (t->state != SYNACK_SYN_RCVD || !(t->flags & TF_RCV_SYN) ||
	    (seg->flags & (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST | SK_TCP_FIN)) !=
		    (SK_TCP_SYN | SK_TCP_ACK) ||
	    seg->payload_len || seg->seq != t->rcv_nxt - 1 /* IRS: rcv_nxt is IRS + 1 in SYN-RCVD */ ||
	    seg->ack != t->iss + 1)
		return 0;
	t->snd_una = seg->ack;
	t->snd_wnd = seg->win; /* RFC 7323 2.2: a SYN's window is never scaled */
	t->snd_wl1 = seg->seq;
	t->snd_wl2 = seg->ack;
	sk_tcb_timer_clear(st, t, SK_TT_REXMT);
	if ((t->flags & TF_TS) && seg->opt.has_ts) {
		t->ts_recent = seg->opt.tsval;
	}
	if (t->backoff == 0) /* Karn: not after a retransmitted SYN */
		rtt_from_ack(st, t, seg);
	t->flags &= ~TF_CONNECTING;
	established(st, t, "SYN+ACK received");
	note_dsack(t, seg->seq, seg->seq + 1); /* the repeated SYN, as Linux reports it */
	t->flags |= TF_ACKNOW;
	sk_tcp_output(st, t);
	return 1;
}

/* PAWS (RFC 7323 5.3) with Linux's allowances: a TSval one tick below TS.Recent passes
 * (TCP_PAWS_WINDOW), and so does a pure duplicate ACK at RCV.NXT that leaves the window
 * alone and is at most one RTO (in ms ticks) old (tcp_disordered_ack_check: a reordered
 * ACK, not a replay). Returns PAWS_OK, or why the segment fails. */
enum { PAWS_OK, PAWS_FAIL, PAWS_OLD_ACK };
static int paws(const struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (!(t->flags & TF_TS) || !seg->opt.has_ts || (int32_t)(t->ts_recent - seg->opt.tsval) <= 1)
		return PAWS_OK;
	int pure_ack = (seg->flags & SK_TCP_ACK) && !seg->payload_len &&
		       !(seg->flags & (SK_TCP_SYN | SK_TCP_FIN | SK_TCP_RST));
	if (!pure_ack)
		return PAWS_FAIL;
	if (seg->seq != t->rcv_nxt)
		return seq_lt(seg->seq, t->rcv_nxt) ? PAWS_OLD_ACK : PAWS_FAIL;
	uint32_t win = (uint32_t)seg->win << t->snd_wscale;
	int window_update = seq_gt(seg->ack, t->snd_una) || seq_gt(seg->seq, t->snd_wl1) ||
			    (seg->seq == t->snd_wl1 && (win > t->snd_wnd || !win));
	if (seg->ack != t->snd_una || window_update ||
	    t->ts_recent - seg->opt.tsval > t->rto / 1000)
		return PAWS_FAIL;
	return PAWS_OK;
}

/* An ACK for an unacceptable segment (RFC 9293 3.10.7.4 first check). Data or a FIN is
 * answered every time, as no ACK loop carries either (Linux's tcp_oow_rate_limited); so is
 * a zero-window or keepalive probe (no data, one below RCV.NXT: FLOW-3, RFC 1122 4.2.2.17,
 * the prober keeps the connection only while probes are answered; the answer carries
 * SND.NXT, acceptable to the prober, so no loop either). Other strays share the challenge
 * ACK's rate limit (RFC 5961 7). */
static void ack_unacceptable(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	uint32_t text = (uint32_t)seg->payload_len + !!(seg->flags & SK_TCP_FIN);
	if (text && seq_leq(seg->seq + text, t->rcv_nxt))
		note_dsack(t, seg->seq, seg->seq + text); /* RFC 2883: all of it was had */
	/* A duplicate reaching up to Last.ACK.sent still meets RFC 7323 4.3 (2) (SEG.SEQ <=
	 * Last.ACK.sent, SEG.TSval >= TS.Recent), as Linux takes it: the ACK echoes the
	 * retransmission's TSval, so the sender can tell it arrived. */
	if (text && (t->flags & TF_TS) && seg->opt.has_ts && seq_geq(seg->seq + text, t->last_ack_sent) &&
	    seq_leq(seg->seq, t->last_ack_sent) && seq_geq(seg->opt.tsval, t->ts_recent) &&
	    seq_leq(seg->ack, t->snd_max) && seq_geq(seg->ack, t->snd_una))
		t->ts_recent = seg->opt.tsval;
	if (text || (seg->seq == t->rcv_nxt - 1 && !(seg->flags & SK_TCP_SYN)) || may_challenge(st, t))
		sk_tcp_send_ack(st, t);
}

/* RST-3 and Linux's two further exact matches (tcp_validate_incoming): after the peer's
 * FIN, a RST carrying the FIN's own sequence number (RCV.NXT - 1), which some stacks send;
 * and a RST at the right edge of the highest block held out of order, which is where the
 * peer's SND.NXT is when our ACKs were lost. Either could only come from the peer. */
static int rst_exact(const struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (seg->seq == t->rcv_nxt)
		return 1;
	if (seg->seq == t->rcv_nxt - 1 && (t->state == SYNACK_CLOSE_WAIT || t->state == SYNACK_CLOSING ||
					   t->state == SYNACK_LAST_ACK))
		return 1;
	return (t->flags & TF_SACK) && t->asmb && t->asmb->n && seg->seq == t->asmb->r[t->asmb->n - 1].right;
}

/* An accepted RST (RFC 9293 3.10.7.4 second check). The error is Linux's (tcp_reset):
 * EPIPE once the peer's FIN has come (CLOSE-WAIT), ECONNREFUSED for an opening that came
 * from SYN-SENT or LISTEN, ECONNRESET otherwise. */
static void take_rst(struct synack_stack *st, struct sk_tcb *t)
{
	st->stats.tcp_rst_in_accepted++;
	int err = t->state == SYNACK_SYN_RCVD ? ECONNREFUSED : t->state == SYNACK_CLOSE_WAIT ? EPIPE : ECONNRESET;
	if (t->state == SYNACK_SYN_RCVD)
		st->stats.tcp_attempt_fails++;
	sk_tcb_drop(st, t, err, "RST received");
}

/* New data the application will never read: after close() or shutdown(SHUT_RD), in
 * FIN-WAIT-1/2 (RFC 1122 4.2.2.13: its TCP SHOULD send a RST), and once the peer's FIN is
 * in, data beyond it that starts before it (Linux: tcp_rcv_state_process resets both).
 * Returns 1 if seg is such data, and the connection was reset. */
static int abort_on_data(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	uint32_t end = seg->seq + (uint32_t)seg->payload_len;
	switch (t->state) {
	case SYNACK_FIN_WAIT_1:
	case SYNACK_FIN_WAIT_2:
		if (!(t->flags & (TF_APP_CLOSED | TF_SHUT_RD)))
			return 0;
		break;
	case SYNACK_CLOSE_WAIT:
	case SYNACK_CLOSING:
	case SYNACK_LAST_ACK:
		if (seq_geq(seg->seq, t->rcv_nxt))
			return 0;
		break;
	default:
		return 0;
	}
	if (!seg->payload_len || !seq_gt(end, t->rcv_nxt))
		return 0;
	st->stats.tcp_abort_on_data++;
	respond_rst(st, t, seg);
	sk_tcb_drop(st, t, t->state == SYNACK_CLOSE_WAIT ? EPIPE : ECONNRESET, "data after close");
	return 1;
}

/* RFC 9293 3.10.7.4 in the synchronized states, in Linux's order where the two differ
 * (each place says so). */
static void synchronized(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	uint32_t seglen = (uint32_t)seg->payload_len + !!(seg->flags & SK_TCP_SYN) + !!(seg->flags & SK_TCP_FIN);
	int rst = (seg->flags & SK_TCP_RST) != 0, syn = (seg->flags & SK_TCP_SYN) != 0;
	/* A segment with none of ACK, RST and SYN can do nothing but be dropped at the fifth
	 * check; Linux drops it first, unanswered, even where the first check would ACK it. */
	if (!(seg->flags & (SK_TCP_ACK | SK_TCP_RST | SK_TCP_SYN))) {
		st->stats.tcp_drop_state++;
		return;
	}
	/* PAWS (RFC 7323 5.3): an older timestamp marks an old duplicate. A RST is judged by
	 * its sequence number alone; an old pure ACK below RCV.NXT is a reordered one, dropped
	 * without an answer. */
	int pw = rst ? PAWS_OK : paws(t, seg);
	if (pw != PAWS_OK) {
		st->stats.tcp_drop_paws++;
		if (syn)
			challenge_ack(st, t);
		else if (pw == PAWS_FAIL)
			ack_unacceptable(st, t, seg);
		return;
	}
	if (simultaneous_synack(st, t, seg))
		return;
	if (!acceptable(t, seg, seglen)) {
		st->stats.tcp_drop_out_of_window++;
		if (rst) {
			if (rst_exact(t, seg)) /* RCV.NXT - 1 after a FIN is below the window */
				take_rst(st, t);
			else
				st->stats.tcp_rst_in_ignored++;
		} else if (syn) {
			challenge_ack(st, t); /* RST-4: RFC 5961 4.2 */
		} else {
			ack_unacceptable(st, t, seg);
		}
		return;
	}
	if (rst) {
		if (!rst_exact(t, seg)) { /* RST-3: in window but not exact */
			st->stats.tcp_rst_in_ignored++;
			challenge_ack(st, t);
			return;
		}
		take_rst(st, t);
		return;
	}
	if (syn) { /* RST-4: RFC 5961 4.2 */
		challenge_ack(st, t);
		return;
	}
	/* RFC 7323 4.3 (2): TS.Recent comes from a segment at or below Last.ACK.sent, not
	 * rcv_nxt: while an ACK is delayed the echo stays that of the earliest unacknowledged
	 * segment, so the peer's RTT includes the delay (case A). Only from a segment whose ACK
	 * is acceptable (neither beyond SND.NXT nor below SND.UNA), as Linux's tcp_ack: a forged
	 * or stale segment must not move TS.Recent, or PAWS would then drop the valid data that
	 * follows. And never backwards (a TSval one below passed PAWS above). */
	if ((t->flags & TF_TS) && seg->opt.has_ts && seq_leq(seg->seq, t->last_ack_sent) &&
	    seq_leq(seg->ack, t->snd_max) && seq_geq(seg->ack, t->snd_una) &&
	    seq_geq(seg->opt.tsval, t->ts_recent))
		t->ts_recent = seg->opt.tsval;
	keepalive_reset(st, t);
	int gone = 0;
	if (process_ack(st, t, seg, &gone)) {
		if (!gone)
			sk_tcp_output(st, t);
		return;
	}
	if (abort_on_data(st, t, seg))
		return;
	/* Step 7: after the peer's FIN there is no text to take (3.10.7.4: "This should not
	 * occur ... Ignore the segment text"); a segment starting at or after it is ignored,
	 * unanswered, as Linux does. One that starts before it and carries nothing new is a
	 * duplicate, D-SACKed and acknowledged below. */
	int after_fin = (t->state == SYNACK_CLOSE_WAIT || t->state == SYNACK_CLOSING ||
			 t->state == SYNACK_LAST_ACK) && seq_geq(seg->seq, t->rcv_nxt);
	if (!after_fin)
		process_text_fin(st, t, seg, &gone);
	if (!gone && t->state == SYNACK_FIN_WAIT_1 && our_fin_acked(t))
		enter_fin_wait_2(st, t); /* the FIN that came with the ACK was not taken */
	if (!gone)
		sk_tcp_output(st, t);
}

void sk_tcp_segment(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg)
{
	if (t->state == SYNACK_SYN_SENT) {
		syn_sent(st, t, seg);
		if (t->state != SYNACK_CLOSED)
			sk_tcp_output(st, t);
		return;
	}
	synchronized(st, t, seg);
}

static void listen_segment(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *e, const struct sk_tcp *seg,
			   uint32_t iss)
{
	if (seg->flags & SK_TCP_RST) {
		sk_stray_handoff(st); /* or dropped: RST-2 */
		return;
	}
	if (seg->flags & SK_TCP_ACK) {
		if (!sk_syn_cookie_ack(st, l, e, seg) && !sk_stray_handoff(st))
			sk_tcp_respond_rst(st, e, seg);
		return;
	}
	if (seg->flags & SK_TCP_SYN) {
		sk_syn_input(st, l, e, seg, iss);
		return;
	}
	st->stats.tcp_drop_state++;
}

int sk_tcp_input(struct synack_stack *st, uint32_t src, uint32_t dst, uint8_t ecn, const uint8_t *p, size_t len)
{
	struct sk_ends e = sk_ends4(dst, src);
	return sk_tcp_input_ends(st, &e, ecn, p, len);
}

/* A segment of no connection to an address that is not ours: tunnel mode's (TNL-1, TNL-2).
 * The first SYN of a flow goes to the flow hook; what it accepts, and the ACK of a SYN
 * cookie, goes to the tunnel listener as to any listener. */
static int tunnel_segment(struct synack_stack *st, const struct sk_ends *e, const struct sk_tcp *seg, uint32_t iss)
{
	struct sk_tcb *l = sk_tnl_listener(st);
	if (l && (seg->flags & (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST)) == SK_TCP_SYN) {
		switch (sk_tnl_verdict(st, e, seg->dport, seg->sport, SK_IPPROTO_TCP)) {
		case SYNACK_FLOW_UNREACH:
			return -EHOSTUNREACH;
		case SYNACK_FLOW_RST:
			l = NULL;
			break;
		case SYNACK_FLOW_DEFER:
			sk_syn_defer(st, l, e, seg); /* or dropped when the queue is full */
			return 0;
		}
	}
	if (l) {
		listen_segment(st, l, e, seg, iss);
		return 0;
	}
	st->stats.tcp_drop_no_socket++;
	sk_tcp_respond_rst(st, e, seg);
	return 0;
}

static int ours(const struct synack_stack *st, const struct sk_ends *e)
{
	return e->v6 ? sk_addr6_find(st, e->l6) != NULL : sk_addr_find(st, e->l4) != NULL;
}

int sk_tcp_input_ends(struct synack_stack *st, const struct sk_ends *e, uint8_t ecn, const uint8_t *p, size_t len)
{
	struct sk_tcp seg;
	st->stats.tcp_in++;
	int r = sk_tcp_parse_sum(p, len, sk_ends_csum(e), &seg, st->in_verified ? 0 : SK_TCP_VERIFY_CSUM);
	seg.ecn = ecn;
	if (r == -SK_WIRE_BAD_CHECKSUM) {
		st->stats.tcp_in_bad_csum++;
		return 0;
	}
	if (r < 0) {
		st->stats.tcp_in_malformed++;
		return 0;
	}
	struct sk_conn *c = sk_ctable_find(st, e, seg.dport, seg.sport);
	uint32_t iss = 0;
	if (c) {
		switch (c->kind) {
		case SK_CONN_TCB:
			sk_ready_touch(st, ((struct sk_tcb *)c)->handle);
			sk_tcp_segment(st, (struct sk_tcb *)c, &seg);
			return 0;
		case SK_CONN_SYN:
			sk_syn_segment(st, (struct sk_syn *)c, &seg);
			return 0;
		case SK_CONN_TW: {
			struct sk_tw *w = (struct sk_tw *)c;
			if (!((seg.flags & (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST)) == SK_TCP_SYN && sk_tw_syn_acceptable(w, &seg) &&
			      sk_listener_find(st, e, seg.dport))) {
				sk_tw_segment(st, w, e, &seg);
				return 0;
			}
			/* TW-3: a new incarnation may start; the old record gives way, and its
			 * end is reported like any other (TRC-5). */
			st->stats.tw_killed_by_syn++;
			sk_emit_state(st, -1, &w->h, SYNACK_TIME_WAIT, SYNACK_CLOSED,
				      "SYN of a new incarnation");
			/* Its ISN is above every sequence number the old one used, as
			 * Linux takes it: the old SND.NXT plus a maximum window, plus 2. */
			iss = w->snd_nxt + 65537;
			if (!iss)
				iss = 1;
			sk_tw_free(st, w);
			break;
		}
		}
	}
	if (st->tnl_listener >= 0 && !ours(st, e))
		return tunnel_segment(st, e, &seg, iss);
	struct sk_tcb *l = sk_listener_find(st, e, seg.dport);
	if (l) {
		listen_segment(st, l, e, &seg, iss);
		return 0;
	}
	if (sk_stray_handoff(st))
		return 0;
	st->stats.tcp_drop_no_socket++;
	sk_tcp_respond_rst(st, e, &seg); /* RST-1 (never to a RST: RST-2) */
	return 0;
}
