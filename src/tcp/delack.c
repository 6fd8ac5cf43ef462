/* The receiver's ACK policy, as Linux runs it (RFC 5681 4.2 leaves the details open): quick
 * ACKs at the start of a connection and after a long gap, an ACK at once when more than one
 * full-sized segment is unacknowledged, otherwise a delayed ACK whose timeout (the ATO)
 * follows the spacing of arriving data, and an interactive mode in which ACKs wait for the
 * reply they can ride on. */
#include "tcp/tcb.h"
#include "tcp/seq.h"

#define ATO_MIN_US 40000u     /* Linux's TCP_ATO_MIN and TCP_DELACK_MIN (HZ / 25) */
#define DELACK_MAX_US 200000u /* TCP_DELACK_MAX (HZ / 5) */
#define MSS_DEFAULT 536u      /* TCP_MSS_DEFAULT */
#define TICK_US 1000u         /* a timer "at the next tick" */

/* The window last announced, in bytes. */
static uint32_t announced(const struct sk_tcb *t)
{
	return seq_gt(t->rcv_adv, t->last_ack_sent) ? t->rcv_adv - t->last_ack_sent : 0;
}

/* tcp_incr_quickack: up to max quick ACKs, one per two segments of the window. */
static void more_quick(struct sk_tcb *t, uint32_t max)
{
	if (!max)
		return;
	uint32_t mss = t->rcv_mss ? t->rcv_mss : MSS_DEFAULT;
	uint32_t q = announced(t) / (2 * mss);
	if (q == 0)
		q = 2;
	if (q > max)
		q = max;
	if (q > t->quick)
		t->quick = (uint8_t)q;
}

/* tcp_measure_rcv_mss: the size of the peer's full segments, from what arrives. A segment
 * below it is a pushed remnant, which makes the next read answer at once (after_read). */
static void measure_rcv_mss(struct sk_tcb *t, const struct sk_tcp *seg, uint32_t len)
{
	if (!t->rcv_mss)
		t->rcv_mss = (uint16_t)(t->adv_mss < MSS_DEFAULT ? t->adv_mss : MSS_DEFAULT);
	uint32_t lss = t->last_seg_size;
	t->last_seg_size = 0;
	if (len >= t->rcv_mss) {
		t->rcv_mss = (uint16_t)(len < t->adv_mss ? len : t->adv_mss);
		return;
	}
	/* the length with the header, less the options every segment carries */
	uint32_t hdr = 20 + ((t->flags & TF_TS) ? 12 : 0);
	uint32_t whole = len + seg->hlen;
	if (whole >= MSS_DEFAULT + 20 || (whole >= 88 + 20 && !(seg->flags & (SK_TCP_PSH | SK_TCP_URG | SK_TCP_FIN)))) {
		uint32_t l = whole - hdr;
		t->last_seg_size = (uint16_t)l;
		if (l == lss) {
			t->rcv_mss = (uint16_t)l;
			return;
		}
	}
	if (t->ack_pushed)
		t->ack_pushed = 2;
	else
		t->ack_pushed = 1;
}

void sk_ack_data_in(struct synack_stack *st, struct sk_tcb *t, const struct sk_tcp *seg, uint32_t len)
{
	measure_rcv_mss(t, seg, len);
	if (!t->ato) {
		/* The first data: the delayed-ACK engine starts with quick ACKs. */
		more_quick(t, st->cfg.tcp_quickack_max);
		t->ato = ATO_MIN_US;
	} else {
		uint64_t m = (uint64_t)sk_age_ms(st->now, t->lrcvtime) * 1000;
		if (m <= ATO_MIN_US / 2) {
			t->ato = t->ato / 2 + ATO_MIN_US / 2;
		} else if (m < t->ato) {
			t->ato = t->ato / 2 + (uint32_t)m;
			if (t->ato > t->rto)
				t->ato = t->rto;
		} else if (m > t->rto) {
			/* A long gap: the sender failed to restart its window; ACK quickly. */
			more_quick(t, st->cfg.tcp_quickack_max);
		}
	}
	t->lrcvtime = sk_stamp_ms(st->now);
}

/* The delayed ACK's timeout (tcp_send_delayed_ack): the ATO, at most the RTT (but at least
 * 40 ms) and at most 200 ms in interactive mode or after pushed data, 500 ms otherwise. */
static uint64_t delack_timeout(const struct synack_stack *st, const struct sk_tcb *t)
{
	uint32_t ato = t->ato;
	if (ato > ATO_MIN_US) {
		uint32_t max = (t->pingpong || t->ack_pushed) ? DELACK_MAX_US : 500000u;
		if (t->srtt) {
			uint32_t rtt = t->srtt < ATO_MIN_US ? ATO_MIN_US : t->srtt;
			if (rtt < max)
				max = rtt;
		}
		if (ato > max)
			ato = max;
	}
	uint32_t cap = st->cfg.tcp_delack_max_ms * 1000u;
	return ato < cap ? ato : cap;
}

static void delay(struct synack_stack *st, struct sk_tcb *t)
{
	/* No data ever arrived (a bare FIN): Linux's ATO is still 0 and its timer fires at the
	 * next tick (within 4 ms at HZ 250); here a millisecond, time enough for an application
	 * woken by the FIN to close and send its FIN with the ACK. */
	uint64_t ato = t->ato ? delack_timeout(st, t) : TICK_US, at = st->now + ato;
	if (t->flags & TF_DELACK) {
		/* a timer runs already: about to expire, send now; else keep the earlier one */
		uint64_t cur = t->deadline[SK_TT_DELACK];
		if (cur <= st->now + ato / 4) {
			t->flags |= TF_ACKNOW;
			return;
		}
		if (cur < at)
			at = cur;
	}
	t->flags |= TF_DELACK;
	sk_tcb_timer_set(st, t, SK_TT_DELACK, at);
}

/* Within synack_input_batch, a plain ACK is held for the batch's end, where one ACK covers
 * every segment of the batch (GRO's stretch ACK); 0 when it cannot be (no batch, or the
 * list full), and the ACK goes now. */
static int batch_hold(struct synack_stack *st, struct sk_tcb *t)
{
	if (!st->batching)
		return 0;
	if (t->flags & TF_ACK_BATCH)
		return 1;
	if (st->nbatch == SK_BATCH_ACKS)
		return 0;
	st->batch_acks[st->nbatch++] = t;
	t->flags |= TF_ACK_BATCH;
	return 1;
}

void sk_ack_check(struct synack_stack *st, struct sk_tcb *t)
{
	uint32_t mss = t->rcv_mss ? t->rcv_mss : MSS_DEFAULT;
	/* More than one full frame unacknowledged (and, as Linux, the window not shrinking:
	 * with data unread the ACK comes with the read, sk_ack_after_read, or the timer),
	 * quick-ACK mode (not interactive), or an ACK owed now (out of order, a hole filled). */
	uint32_t unacked = t->rcv_nxt - t->last_ack_sent;
	if ((t->flags & TF_FIN_RCVD) && unacked)
		unacked--; /* a FIN is no part of a full-sized segment */
	int two = unacked > mss &&
		  (!st->cfg.tcp_ack_read_wait || t->rcv.len == 0 || sk_tcb_rcv_window(t) >= announced(t));
	int plain = two || (t->quick && !t->pingpong); /* owed now only as an acknowledgement */
	if (plain && !(t->flags & TF_ACKNOW) && batch_hold(st, t))
		return;
	if (plain || (t->flags & TF_ACKNOW)) {
		t->flags |= TF_ACKNOW;
		return;
	}
	delay(st, t);
}

void sk_ack_batch_flush(struct synack_stack *st)
{
	/* (an ACK sent meanwhile, with data or for a reason, cleared the flag) */
	for (unsigned i = 0; i < st->nbatch; i++) {
		struct sk_tcb *t = st->batch_acks[i];
		if (t->flags & TF_ACK_BATCH) {
			t->flags = (t->flags & ~TF_ACK_BATCH) | TF_ACKNOW;
			sk_tcp_output(st, t);
		}
	}
	st->nbatch = 0;
}

void sk_ack_batch_forget(struct synack_stack *st, const struct sk_tcb *t)
{
	sk_tcb_list_forget(st->batch_acks, &st->nbatch, t);
}

void sk_ack_sent(struct synack_stack *st, struct sk_tcb *t, uint32_t segs)
{
	if (t->quick) {
		if (segs >= t->quick) {
			t->quick = 0;
			t->ato = t->ato ? ATO_MIN_US : 0;
		} else {
			t->quick = (uint8_t)(t->quick - segs);
		}
	}
	t->ack_pushed = 0;
	t->flags &= ~(TF_ACKNOW | TF_DELACK | TF_ACK_BATCH);
	sk_tcb_timer_clear(st, t, SK_TT_DELACK);
}

void sk_ack_data_out(struct synack_stack *st, struct sk_tcb *t)
{
	/* A reply within the ATO of the last data received: an interactive exchange. */
	if (t->ato && (uint64_t)sk_age_ms(st->now, t->lrcvtime) * 1000 < t->ato && t->pingpong < 255)
		t->pingpong++;
}

void sk_ack_pingpong(struct sk_tcb *t)
{
	if (!t->pingpong)
		t->pingpong = 1;
}

void sk_ack_timer(struct synack_stack *st, struct sk_tcb *t)
{
	if (!(t->flags & TF_DELACK))
		return;
	if (!t->pingpong) {
		/* the ACK was missed: inflate the ATO */
		uint32_t a = t->ato * 2;
		t->ato = a < t->rto ? a : t->rto;
	} else {
		/* missed in interactive mode: leave it, deflate the ATO */
		t->pingpong = 0;
		t->ato = ATO_MIN_US;
	}
	sk_tcp_send_ack(st, t);
}

int sk_ack_after_read(struct synack_stack *st, struct sk_tcb *t, uint32_t copied)
{
	(void)st;
	if (!(t->flags & TF_DELACK))
		return 0;
	uint32_t mss = t->rcv_mss ? t->rcv_mss : MSS_DEFAULT;
	/* tcp_cleanup_rbuf: the every-second-segment ACK not sent yet, or the reader drained
	 * a small pushed segment of a one-way exchange. */
	return t->rcv_nxt - t->last_ack_sent > mss ||
	       (copied && (t->ack_pushed == 2 || (t->ack_pushed == 1 && !t->pingpong)) && t->rcv.len == 0);
}
