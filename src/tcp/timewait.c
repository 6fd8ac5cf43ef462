/* TIME-WAIT as a small record (TW-1..TW-4): it answers a retransmitted FIN, acks stray old
 * segments, judges new SYNs (RFC 6191), and expires after 2MSL. */
#include <string.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

static uint64_t two_msl(const struct synack_stack *st)
{
	return 2ull * st->cfg.msl_ms * 1000;
}

void sk_tw_free(struct synack_stack *st, struct sk_tw *w)
{
	sk_ctable_del(st, &w->h);
	sk_twlog_release(w);
}

uint64_t sk_tw_began(const struct synack_stack *st, const struct sk_tw *w)
{
	return w->expires - two_msl(st);
}

/* The TCB enters TIME-WAIT (reported with cause), leaves the table, and a record takes its
 * place. An application still holding the socket keeps a closed one that reads out its
 * data. */
void sk_tw_enter(struct synack_stack *st, struct sk_tcb *t, const char *cause)
{
	struct sk_tw *w = NULL;
	if (st->stats.time_wait < st->cfg.tcp_max_tw_buckets)
		w = sk_twlog_alloc(st, t->h.v6, st->now + two_msl(st));
	if (!w) {
		/* TW-4: past the cap the connection closes without TIME-WAIT: it is never
		 * reported as entering it. */
		st->stats.tw_overflow++;
		sk_tcb_drop(st, t, 0, "TIME-WAIT table full");
		return;
	}
	sk_tcb_set_state(st, t, SYNACK_TIME_WAIT, cause);
	w->h.key = t->h.key;
	if (t->h.v6) {
		struct sk_ends e;
		sk_conn_ends(&t->h, &e);
		sk_conn_set_ends(&w->h, &e);
	}
	w->snd_nxt = t->snd_nxt;
	w->rcv_nxt = t->rcv_nxt;
	w->ts_recent = t->ts_recent;
	w->ts_ok = (t->flags & TF_TS) != 0;
	uint32_t win = seq_gt(t->rcv_adv, t->rcv_nxt) ? (t->rcv_adv - t->rcv_nxt) >> t->rcv_wscale : 0;
	w->rcv_wnd = (uint16_t)(win > 65535 ? 65535 : win);
	sk_ctable_del(st, &t->h);
	sk_ctable_add(st, &w->h);
	st->stats.tw_created++;
	/* The TCB is no longer the connection: quietly closed. */
	t->state = SYNACK_CLOSED;
	for (int i = 0; i < SK_TT_HOT; i++)
		t->deadline[i] = UINT64_MAX;
	sk_wheel_cancel(&st->wheel, &t->timer);
	sk_bytes_free(st, &t->snd);
	sk_tcb_flight_free(t);
	if (t->handle < 0)
		sk_tcb_free(st, t);
}

void sk_tw_expired(struct synack_stack *st, struct sk_tw *w)
{
	sk_emit_state(st, -1, &w->h, SYNACK_TIME_WAIT, SYNACK_CLOSED, "2MSL timer");
	sk_ctable_del(st, &w->h);
}

static void tw_ack(struct synack_stack *st, struct sk_tw *w)
{
	struct sk_segment_out o = {.sport = w->h.key.lport,
				   .dport = w->h.key.rport, .seq = w->snd_nxt, .ack = w->rcv_nxt,
				   .flags = SK_TCP_ACK, .win = w->rcv_wnd};
	sk_conn_ends(&w->h, &o.ends);
	if (w->ts_ok) {
		o.opt.has_ts = 1;
		o.opt.tsval = sk_tcp_ts_now(st, sk_tcp_ts_offset(st, &o.ends));
		o.opt.tsecr = w->ts_recent;
	}
	sk_tcp_send_segment(st, &o);
}

int sk_tw_syn_acceptable(const struct sk_tw *w, const struct sk_tcp *seg)
{
	/* RFC 6191 2: a newer timestamp proves a new incarnation, an equal one does with an
	 * ISN beyond the old sequence space; without timestamps the ISN must lie beyond
	 * everything the old one used. */
	if (w->ts_ok && seg->opt.has_ts)
		return seq_gt(seg->opt.tsval, w->ts_recent) ||
		       (seg->opt.tsval == w->ts_recent && seq_gt(seg->seq, w->rcv_nxt));
	return seq_gt(seg->seq, w->rcv_nxt);
}

void sk_tw_segment(struct synack_stack *st, struct sk_tw *w, const struct sk_ends *e, const struct sk_tcp *seg)
{
	(void)e;
	if (seg->flags & SK_TCP_RST) {
		if (seg->seq == w->rcv_nxt) {
			st->stats.tcp_rst_in_accepted++;
			sk_emit_state(st, -1, &w->h, SYNACK_TIME_WAIT, SYNACK_CLOSED, "RST received");
			sk_tw_free(st, w);
		} else {
			st->stats.tcp_rst_in_ignored++;
		}
		return;
	}
	if (w->ts_ok && seg->opt.has_ts && seq_lt(seg->opt.tsval, w->ts_recent)) {
		st->stats.tcp_drop_paws++;
		tw_ack(st, w);
		return;
	}
	uint32_t end = seg->seq + (uint32_t)seg->payload_len;
	if ((seg->flags & SK_TCP_FIN) && end + 1 == w->rcv_nxt) {
		/* CL-11 / TW-1: the peer did not get our ACK: again, and 2MSL restarts. */
		if (w->ts_ok && seg->opt.has_ts)
			w->ts_recent = seg->opt.tsval;
		tw_ack(st, w);
		/* 2MSL starts again: in place, or the record written again at the log's tail,
		 * where the latest expiry belongs (w is not to be used after) */
		sk_twlog_restart(st, w, st->now + two_msl(st));
		return;
	}
	/* TW-2: anything else is old and delivers nothing. Data, a SYN (RFC 9293's
	 * challenge) or a segment off rcv_nxt is answered with what we have; a bare
	 * duplicate ACK is dropped quietly, so two old records cannot ping-pong. */
	st->stats.tcp_drop_state++;
	if (seg->payload_len || (seg->flags & SK_TCP_SYN) || seg->seq != w->rcv_nxt)
		tw_ack(st, w);
}
