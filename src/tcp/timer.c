/* TCB timer dispatch: retransmission, persist, keepalive (REL-9), delayed ACK, and the
 * FIN-WAIT-2 limit (CL-9), which shares keepalive's deadline. */
#include <errno.h>

#include "tcp/tcb.h"

/* Keepalive watches every synchronized state, as Linux does (all but CLOSE, SYN-SENT and
 * LISTEN): a half-closed socket waiting in FIN-WAIT-2 for a peer that vanished is found
 * too. States with a FIN in flight are left to the retransmission timer below. */
static int keepalive(struct synack_stack *st, struct sk_tcb *t)
{
	if (!(t->flags & TF_KEEPALIVE) || t->state < SYNACK_ESTABLISHED || t->state >= SYNACK_TIME_WAIT)
		return 0;
	uint64_t intvl = (uint64_t)sk_tcb_keepintvl_s(st, t) * 1000000;
	uint64_t idle = (uint64_t)sk_tcb_keepidle_s(st, t) * 1000000;
	int probes = sk_tcb_keepcnt(st, t);
	uint32_t user_timeout_ms = sk_tcb_opts(t).user_timeout_ms;
	if (t->snd_una != t->snd_max) {
		/* Data in flight: the retransmission timer watches the peer. */
		sk_tcb_timer_set(st, t, SK_TT_KEEP, st->now + idle);
		return 0;
	}
	/* TCP_USER_TIMEOUT bounds keepalive too: with probes out, no longer than it since the
	 * peer was last heard (Linux's tcp_keepalive_timer). */
	int user_over = user_timeout_ms && t->keep_sent && sk_age_ms(st->now, t->last_rcv) >= user_timeout_ms;
	if (t->keep_sent >= probes || user_over) {
		st->stats.tcp_keepalive_timeouts++;
		/* Giving up is an abort (RFC 9293 3.10.5): a RST tells a peer that comes back
		 * that this connection is gone, as Linux does. */
		sk_tcp_send_rst_tcb(st, t);
		sk_tcb_drop(st, t, ETIMEDOUT, "keepalive timeout");
		return 1;
	}
	sk_tcp_send_keepalive(st, t);
	t->keep_sent++;
	sk_tcb_timer_set(st, t, SK_TT_KEEP, st->now + intvl);
	return 0;
}

static int fire_one(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which)
{
	switch (which) {
	case SK_TT_REXMT:
		return sk_tcp_rexmt_timeout(st, t);
	case SK_TT_PERSIST:
		sk_tcp_persist_timeout(st, t);
		return 0;
	case SK_TT_KEEP:
		if (sk_tcb_fin_wait_2_limited(t)) {
			sk_tcb_drop(st, t, 0, "FIN-WAIT-2 timeout");
			return 1;
		}
		return keepalive(st, t);
	case SK_TT_DELACK:
		sk_ack_timer(st, t);
		return 0;
	case SK_TT_REO:
	case SK_TT_TLP:
		sk_rec_timer(st, t, which);
		return 0;
	default:
		return 0;
	}
}

/* The order timers due together fire in: RACK's reordering timer and the loss probe stand
 * in for the RTO when it is due too (in Linux they are one timer; a probe capped at the RTO
 * goes instead of it and re-arms it, RFC 8985 7.3). */
static const enum sk_tt fire_order[SK_TT_COUNT] = {SK_TT_REO, SK_TT_TLP, SK_TT_REXMT, SK_TT_PERSIST, SK_TT_KEEP, SK_TT_DELACK};

void sk_tcb_timer_fired(struct synack_stack *st, struct sk_tcb *t)
{
	sk_ready_touch(st, t->handle);
	for (int i = 0; i < SK_TT_COUNT; i++) {
		enum sk_tt w = fire_order[i];
		uint64_t *d = sk_tcb_deadline_slot(t, w);
		if (!d || *d > st->now)
			continue;
		*d = UINT64_MAX;
		if (fire_one(st, t, w))
			return; /* the connection is gone (and perhaps freed) */
	}
	sk_tcb_timer_rearm(st, t);
}
