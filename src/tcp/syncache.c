/* The listener's SYN queue as small half-open records (LQ-1), SYN cookies when it is full
 * (LQ-3), the accept queue limits (LQ-2), and promotion to a full TCB on the final ACK. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

/* MSS values a cookie can carry, as Linux's tables: the largest not above the peer's. Over
 * IPv6 they are the MTUs 1280, 1480, 1500 and 9000 less 60. */
static const uint16_t cookie_mss4[] = {536, 1300, 1440, 1460};
static const uint16_t cookie_mss6[] = {1220, 1420, 1440, 8940};
#define COOKIE_MSS_N 4
#define COOKIE_PERIOD_US (64ull * 1000000) /* the cookie clock ticks every 64 s */
#define COOKIE_MAX_AGE 2                   /* ticks a cookie stays valid */
#define TS_OPT_BITS 6                      /* low tsval bits carrying WS/SACK/ECN */

uint32_t sk_tcp_ts_offset(struct synack_stack *st, const struct sk_ends *e)
{
	return (uint32_t)sk_ends_hash(&st->key, e, 0x54534f46, 0);
}

struct syn_params {
	struct sk_ends ends;
	uint16_t lport, rport;
	uint32_t iss, irs;
	uint16_t peer_mss;
	uint8_t peer_ws; /* 0xff: not offered */
	uint8_t sack_ok, ts_ok, ecn_ok;
	uint32_t ts_recent, ts_offset;
	uint16_t user_mss; /* the listener's TCP_MAXSEG */
	const struct sk_tcb *lst; /* the listener (its options shape the connection) */
	uint32_t synack_us;       /* when the (only) SYN+ACK left (sk_stamp_us); 0: unknown */
};

/* The window a SYN+ACK offers (and the connection then has): the listener's receive buffer
 * (tcp_rmem[1], or what SO_RCVBUF fixed) in whole segments. */
static uint32_t synack_window(const struct synack_stack *st, const struct syn_params *p)
{
	uint32_t space = p->lst && (p->lst->flags & TF_RCVBUF_LOCK) ? p->lst->rcvbuf : st->cfg.tcp_rmem[1];
	uint32_t mss = sk_tcp_our_mss(st, &p->ends, p->user_mss) - (p->ts_ok ? 12u : 0u);
	return sk_tcp_syn_window(space, mss);
}

static void send_synack(struct synack_stack *st, const struct syn_params *p, uint32_t tsval)
{
	uint8_t wscale = p->peer_ws != 0xff ? sk_tcp_wscale_for(st, p->lst) : 0;
	struct sk_segment_out o = {.ends = p->ends, .sport = p->lport,
				   .dport = p->rport, .seq = p->iss, .ack = p->irs + 1,
				   .flags = SK_TCP_SYN | SK_TCP_ACK | (p->ecn_ok ? SK_TCP_ECE : 0),
				   .win = (uint16_t)synack_window(st, p)};
	sk_tcp_syn_options(st, &o.opt, sk_tcp_our_mss(st, &p->ends, p->user_mss), p->ts_ok, tsval, p->ts_recent, p->sack_ok,
			   p->peer_ws != 0xff, wscale);
	sk_tcp_send_segment(st, &o);
}

static void params_from_syn(struct synack_stack *st, struct syn_params *p, const struct sk_ends *e, const struct sk_tcp *seg)
{
	memset(p, 0, sizeof(*p));
	p->ends = *e;
	p->lport = seg->dport;
	p->rport = seg->sport;
	p->irs = seg->seq;
	p->peer_mss = seg->opt.has_mss ? seg->opt.mss : e->v6 ? 1220 : 536; /* RFC 9293 3.7.1 MUST-15 */
	p->peer_ws = seg->opt.has_ws && st->cfg.tcp_window_scaling ? seg->opt.ws : 0xff;
	p->sack_ok = seg->opt.sack_ok && st->cfg.tcp_sack;
	p->ts_ok = seg->opt.has_ts && st->cfg.tcp_timestamps;
	/* RFC 3168 6.1.1: an ECN-setup SYN (ECE and CWR); not one that is itself ECT, which
	 * Linux takes for a path that mangles the field. */
	p->ecn_ok = st->cfg.tcp_ecn && (seg->flags & (SK_TCP_ECE | SK_TCP_CWR)) == (SK_TCP_ECE | SK_TCP_CWR) &&
		    seg->ecn == SK_ECN_NOT_ECT;
	p->ts_recent = seg->opt.tsval;
	p->ts_offset = sk_tcp_ts_offset(st, &p->ends);
}

/* ---- SYN cookies (LQ-3) ----
 * ISN = H(4-tuple) + irs + (tick << 24) + ((H(4-tuple, tick, irs) + mss index) mod 2^24).
 * Subtracting the first two terms leaves the tick in the top byte and, after the second
 * hash is taken off, the MSS index: a forged or expired cookie fails one of the two.
 * The second hash covers irs too (Linux's does not): otherwise a segment whose seq is k
 * beyond irs + 1 (the client's FIN overtaking its lost first bytes) decodes as MSS index
 * - k, a valid cookie, and builds a connection whose rcv_nxt skips those bytes. */
static uint32_t cookie_hash(struct synack_stack *st, const struct syn_params *p, uint32_t tick)
{
	return (uint32_t)sk_ends_hash(&st->key, &p->ends, (uint32_t)p->lport << 16 | p->rport, tick);
}

static uint32_t cookie_hash_irs(struct synack_stack *st, const struct syn_params *p, uint32_t tick, uint32_t irs)
{
	if (!p->ends.v6) {
		uint32_t w[5] = {p->ends.l4, p->ends.r4, (uint32_t)p->lport << 16 | p->rport, tick, irs};
		return (uint32_t)sk_siphash(&st->key, w, sizeof(w));
	}
	uint8_t b[44];
	uint32_t w[3] = {(uint32_t)p->lport << 16 | p->rport, tick, irs};
	memcpy(b, p->ends.l6, 16);
	memcpy(b + 16, p->ends.r6, 16);
	memcpy(b + 32, w, sizeof(w));
	return (uint32_t)sk_siphash(&st->key, b, sizeof(b));
}

static uint32_t cookie_tick(const struct synack_stack *st)
{
	return (uint32_t)(st->now / COOKIE_PERIOD_US);
}

static uint32_t cookie_make(struct synack_stack *st, const struct syn_params *p, unsigned mss_idx)
{
	uint32_t tick = cookie_tick(st);
	return cookie_hash(st, p, 0xffffffffu) + p->irs + (tick << 24) +
	       ((cookie_hash_irs(st, p, tick, p->irs) + mss_idx) & 0xffffff);
}

/* Returns the MSS index, or -1 for an invalid cookie. */
static int cookie_check(struct synack_stack *st, const struct syn_params *k, uint32_t cookie, uint32_t irs)
{
	uint32_t now_tick = cookie_tick(st);
	cookie -= cookie_hash(st, k, 0xffffffffu) + irs;
	uint32_t age = (now_tick - (cookie >> 24)) & 0xff;
	if (age >= COOKIE_MAX_AGE)
		return -1;
	uint32_t idx = (cookie - cookie_hash_irs(st, k, now_tick - age, irs)) & 0xffffff;
	return idx < COOKIE_MSS_N ? (int)idx : -1;
}

/* WS (4 bits, 0xf = none), SACK and ECN in the low bits of tsval, returned in tsecr. */
static uint32_t cookie_tsval(struct synack_stack *st, const struct syn_params *p)
{
	uint32_t now = sk_tcp_ts_now(st, p->ts_offset);
	uint32_t opts = (p->peer_ws != 0xff ? (p->peer_ws > 14 ? 14u : p->peer_ws) : 0xfu) | (p->sack_ok ? 0x10u : 0) |
			(p->ecn_ok ? 0x20u : 0);
	uint32_t ts = (now & ~((1u << TS_OPT_BITS) - 1)) | opts;
	if (seq_gt(ts, now))
		ts -= 1u << TS_OPT_BITS; /* never a timestamp from the future */
	return ts;
}

static void send_cookie(struct synack_stack *st, struct sk_tcb *l, struct syn_params *p)
{
	unsigned idx = 0;
	const uint16_t *cookie_mss = p->ends.v6 ? cookie_mss6 : cookie_mss4;
	for (unsigned i = 0; i < COOKIE_MSS_N; i++)
		if (cookie_mss[i] <= p->peer_mss)
			idx = i;
	p->iss = cookie_make(st, p, idx);
	/* Without timestamps, WS and SACK cannot be remembered: offer neither. */
	if (!p->ts_ok) {
		p->peer_ws = 0xff;
		p->sack_ok = 0;
	}
	st->why = SK_WHY_COOKIE;
	send_synack(st, p, p->ts_ok ? cookie_tsval(st, p) : 0);
	st->why = SK_WHY_NONE;
	l->lst->last_cookie = st->now ? st->now : 1;
	st->stats.syncookies_sent++;
}

/* ---- half-open records ---- */

static void syn_unlink(struct sk_syn *e)
{
	struct sk_listen *lst = e->listener->lst;
	if (e->lprev)
		e->lprev->lnext = e->lnext;
	else
		lst->syn_head = e->lnext;
	if (e->lnext)
		e->lnext->lprev = e->lprev;
	lst->syn_len--;
}

void sk_syn_free(struct synack_stack *st, struct sk_syn *e)
{
	sk_ctable_del(st, &e->h);
	sk_wheel_cancel(&st->wheel, &e->timer);
	syn_unlink(e);
	free(e);
}

void sk_syn_drop(struct synack_stack *st, struct sk_syn *e, const char *cause)
{
	sk_emit_state(st, -1, &e->h, SYNACK_SYN_RCVD, SYNACK_CLOSED, cause);
	st->stats.syn_queue_drops++;
	sk_syn_free(st, e);
}

static void syn_params_of(const struct sk_syn *e, struct syn_params *p)
{
	memset(p, 0, sizeof(*p));
	sk_conn_ends(&e->h, &p->ends);
	p->lport = e->h.key.lport;
	p->rport = e->h.key.rport;
	p->iss = e->iss;
	p->irs = e->irs;
	p->peer_mss = e->peer_mss;
	p->peer_ws = e->peer_ws;
	p->sack_ok = e->sack_ok;
	p->ts_ok = e->ts_ok;
	p->ecn_ok = e->ecn_ok;
	p->ts_recent = e->ts_recent;
	p->ts_offset = e->ts_offset;
	p->user_mss = e->listener ? sk_tcb_opts(e->listener).user_mss : 0;
	p->lst = e->listener;
	p->synack_us = e->retries ? 0 : e->synack_us; /* Karn: not after a retransmission */
}

static void resend_synack(struct synack_stack *st, const struct sk_syn *e)
{
	struct syn_params p;
	syn_params_of(e, &p);
	send_synack(st, &p, sk_tcp_ts_now(st, p.ts_offset));
}

/* HS-8: SYN+ACK again after 1, 2, 4, 8, 16 s; dropped when the next wait runs out. */
void sk_syn_timer(struct synack_stack *st, struct sk_syn *e)
{
	if (e->deferred) {
		st->stats.tnl_defer_expired++;
		sk_syn_drop(st, e, "no verdict on the deferred flow");
		return;
	}
	if (e->retries >= st->cfg.tcp_synack_retries) {
		sk_syn_drop(st, e, "SYN+ACK retries exhausted");
		return;
	}
	e->retries++;
	st->stats.tcp_rexmit++;
	st->why = SK_WHY_RTO;
	resend_synack(st, e);
	st->why = SK_WHY_NONE;
	uint64_t wait = (uint64_t)st->cfg.tcp_rto_initial_ms * 1000 << e->retries;
	sk_wheel_arm(&st->wheel, &e->timer, st->now + wait);
}

static struct sk_syn *syn_record(struct synack_stack *st, struct sk_tcb *l, const struct syn_params *p,
				 const char *cause);

void sk_syn_input(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *ends, const struct sk_tcp *seg,
		  uint32_t iss)
{
	struct sk_listen *lst = l->lst;
	if (lst->aq_len > lst->backlog) {
		/* Nowhere to put the connection once established: let the client retry. */
		st->stats.accept_queue_overflow++;
		return;
	}
	struct syn_params p;
	params_from_syn(st, &p, ends, seg);
	p.user_mss = sk_tcb_opts(l).user_mss;
	p.lst = l;
	int full = lst->syn_len >= st->cfg.tcp_max_syn_backlog;
	if ((full && st->cfg.tcp_syncookies) || st->cfg.tcp_syncookies == 2) {
		if (full)
			st->stats.syn_queue_overflow++;
		send_cookie(st, l, &p);
		return;
	}
	if (full) {
		st->stats.syn_queue_overflow++;
		return;
	}
	p.iss = iss ? iss : sk_tcp_isn(st, &p.ends, p.lport, p.rport);
	struct sk_syn *e = syn_record(st, l, &p, "SYN received");
	if (!e) {
		if (st->cfg.tcp_syncookies)
			send_cookie(st, l, &p);
		return;
	}
	send_synack(st, &p, sk_tcp_ts_now(st, p.ts_offset));
	e->synack_us = sk_stamp_us(st->now);
	sk_wheel_arm(&st->wheel, &e->timer, st->now + (uint64_t)st->cfg.tcp_rto_initial_ms * 1000);
}

/* The half-open record of the SYN p describes, in the table and on l's list. */
static struct sk_syn *syn_record(struct synack_stack *st, struct sk_tcb *l, const struct syn_params *p,
				 const char *cause)
{
	struct sk_listen *lst = l->lst;
	struct sk_syn *e = calloc(1, sk_conn_alloc_size(sizeof(*e), p->ends.v6));
	if (!e)
		return NULL;
	e->h.kind = SK_CONN_SYN;
	sk_conn_init_room(&e->h, sizeof(*e), p->ends.v6);
	sk_conn_set_ends(&e->h, &p->ends);
	e->h.key.lport = p->lport;
	e->h.key.rport = p->rport;
	e->listener = l;
	e->iss = p->iss;
	e->irs = p->irs;
	e->ts_recent = p->ts_recent;
	e->ts_offset = p->ts_offset;
	e->peer_mss = p->peer_mss;
	e->peer_ws = p->peer_ws;
	e->sack_ok = p->sack_ok;
	e->ts_ok = p->ts_ok;
	e->ecn_ok = p->ecn_ok;
	sk_timer_init(&e->timer);
	sk_ctable_add(st, &e->h);
	e->lnext = lst->syn_head;
	if (e->lnext)
		e->lnext->lprev = e;
	lst->syn_head = e;
	lst->syn_len++;
	st->stats.tcp_passive_opens++;
	sk_emit_state(st, -1, &e->h, SYNACK_LISTEN, SYNACK_SYN_RCVD, cause);
	return e;
}

/* How long a deferred flow waits for its verdict: what the SYN+ACK and its retransmissions
 * would have taken (1 + 2 + ... + 32 s with the defaults). */
static uint64_t defer_wait(const struct synack_stack *st)
{
	uint64_t rto = (uint64_t)st->cfg.tcp_rto_initial_ms * 1000;
	return rto * ((2ull << st->cfg.tcp_synack_retries) - 1);
}

int sk_syn_defer(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *ends, const struct sk_tcp *seg)
{
	struct sk_listen *lst = l->lst;
	if (lst->aq_len > lst->backlog || lst->syn_len >= st->cfg.tcp_max_syn_backlog) {
		st->stats.syn_queue_overflow++;
		return -ENOBUFS;
	}
	struct syn_params p;
	params_from_syn(st, &p, ends, seg);
	p.user_mss = sk_tcb_opts(l).user_mss;
	p.lst = l;
	p.iss = sk_tcp_isn(st, &p.ends, p.lport, p.rport);
	struct sk_syn *e = syn_record(st, l, &p, "SYN received (verdict deferred)");
	if (!e)
		return -ENOBUFS;
	e->deferred = 1;
	sk_wheel_arm(&st->wheel, &e->timer, st->now + defer_wait(st));
	return 0;
}

void sk_syn_verdict(struct synack_stack *st, struct sk_syn *e, int verdict)
{
	e->deferred = 0;
	struct sk_ends ends;
	sk_conn_ends(&e->h, &ends);
	if (verdict == SYNACK_FLOW_ACCEPT) {
		st->stats.tnl_accepted++;
		resend_synack(st, e);
		e->synack_us = sk_stamp_us(st->now);
		sk_wheel_arm(&st->wheel, &e->timer, st->now + (uint64_t)st->cfg.tcp_rto_initial_ms * 1000);
		return;
	}
	/* The client's SYN, as it was: what the RST answers and the ICMP error quotes. */
	struct sk_tcp syn = {.sport = e->h.key.rport, .dport = e->h.key.lport, .seq = e->irs, .flags = SK_TCP_SYN};
	if (verdict == SYNACK_FLOW_RST) {
		st->stats.tnl_refused_rst++;
		sk_tcp_respond_rst(st, &ends, &syn);
	} else {
		st->stats.tnl_refused_unreach++;
		sk_tnl_unreach(st, &ends, &syn);
	}
	sk_syn_drop(st, e, verdict == SYNACK_FLOW_RST ? "refused (RST)" : "refused (unreachable)");
}

/* Builds the established TCB from a completed handshake and queues it for accept(): from
 * its half-open record, or (cookie) from the ACK alone, which no state preceded: it goes
 * from CLOSED straight to ESTABLISHED. */
static struct sk_tcb *promote(struct synack_stack *st, struct sk_tcb *l, const struct syn_params *p, const struct sk_tcp *seg,
			      int cookie)
{
	struct sk_tcb *t = sk_tcb_new(st, p->ends.v6);
	if (!t)
		return NULL;
	sk_conn_set_ends(&t->h, &p->ends);
	t->h.key.lport = p->lport;
	t->h.key.rport = p->rport;
	t->iss = p->iss;
	t->snd_una = t->snd_nxt = t->snd_max = p->iss + 1;
	t->rcv_nxt = t->last_ack_sent = p->irs + 1; /* what the SYN+ACK acknowledged */
	/* The SYN+ACK offered an unscaled window (send_synack). */
	t->rcv_adv = t->rcv_nxt + synack_window(st, p);
	t->adv_mss = sk_tcp_our_mss(st, &p->ends, p->user_mss);
	/* The listener's socket options carry over, as Linux clones the listener. */
	t->flags |= l->flags & (TF_SOCKOPTS & ~(TF_BOUND | TF_REUSEADDR));
	if (l->cold) {
		struct sk_sockopts *o = sk_tcb_opts_edit(t);
		if (!o) {
			sk_tcb_free(st, t);
			return NULL;
		}
		*o = l->cold->o;
		o->user_mss = p->user_mss;
	}
	if (l->flags & TF_RCVBUF_LOCK)
		sk_tcb_set_rcvbuf(t, l->rcvbuf);
	uint32_t mtu_mss = t->adv_mss;
	t->mss = p->peer_mss < mtu_mss ? p->peer_mss : (uint16_t)mtu_mss;
	if (t->mss < 64)
		t->mss = 64;
	if (p->peer_ws != 0xff) {
		t->flags |= TF_WS;
		t->snd_wscale = p->peer_ws > SK_TCP_MAX_WSCALE ? SK_TCP_MAX_WSCALE : p->peer_ws;
		t->rcv_wscale = sk_tcp_wscale_for(st, l);
	}
	if (p->sack_ok)
		t->flags |= TF_SACK;
	if (p->ecn_ok)
		t->flags |= TF_ECN;
	if (p->ts_ok) {
		t->flags |= TF_TS;
		t->ts_recent = seg->opt.has_ts ? seg->opt.tsval : p->ts_recent;
	}
	t->ts_offset = p->ts_offset;
	t->snd_wnd = (uint32_t)seg->win << t->snd_wscale;
	t->max_sndwnd = t->snd_wnd;
	t->snd_wl1 = seg->seq;
	t->snd_wl2 = seg->ack;
	sk_tcb_cc_init(st, t);
	t->state = cookie ? SYNACK_CLOSED : SYNACK_SYN_RCVD;
	t->last_rcv = sk_stamp_ms(st->now);
	/* RFC 6298 2.2: the handshake's RTT is the first sample: from the SYN+ACK's send time
	 * when it went only once (as Linux's tcp_synack_rtt_meas), else from the echoed
	 * timestamp (a SYN cookie, or a retransmitted SYN+ACK: RFC 7323 4 keeps Karn). */
	if (p->synack_us)
		sk_tcp_rtt_sample(st, t, sk_age_us(st->now, p->synack_us));
	else if (p->ts_ok && seg->opt.has_ts && seg->opt.tsecr)
		sk_tcp_rtt_sample(st, t, (sk_tcp_ts_now(st, t->ts_offset) - seg->opt.tsecr) * 1000u);
	sk_ctable_add(st, &t->h);
	sk_tcb_set_state(st, t, SYNACK_ESTABLISHED, cookie ? "ACK with a valid SYN cookie" : "ACK received");
	/* accept queue */
	struct sk_listen *lst = l->lst;
	if (l->flags & TF_TUNNEL) { /* TNL-4: counted against the tunnel's limits */
		t->flags |= TF_TNLFLOW;
		struct sk_ends e;
		sk_conn_ends(&t->h, &e);
		sk_tnl_flow_born(st, &e);
	}
	t->flags |= TF_QUEUED;
	if (lst->aq_tail)
		lst->aq_tail->aq_next = t;
	else
		lst->aq_head = t;
	lst->aq_tail = t;
	lst->aq_len++;
	sk_ready_touch(st, l->handle);
	return t;
}

/* LQ-2: the final ACK found the accept queue full: holding more than the backlog, as Linux's
 * sk_acceptq_is_full counts (listen(fd, 1) queues two). Returns 1 if the ACK must go no
 * further. */
static int accept_queue_full(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *e, const struct sk_tcp *seg)
{
	if (l->lst->aq_len <= l->lst->backlog)
		return 0;
	st->stats.accept_queue_overflow++;
	if (st->cfg.tcp_abort_on_overflow)
		sk_tcp_respond_rst(st, e, seg);
	return 1;
}

/* An ACK from the half-open connection: seq ISS+1, ack IRS+1, the SYN+ACK's window scaled
 * as the connection will scale it. */
static void syn_ack(struct synack_stack *st, const struct sk_syn *e)
{
	struct syn_params p;
	syn_params_of(e, &p);
	uint32_t win = synack_window(st, &p);
	if (e->peer_ws != 0xff)
		win >>= sk_tcp_wscale_for(st, e->listener);
	struct sk_segment_out o = {.ends = p.ends,
				   .sport = e->h.key.lport,
				   .dport = e->h.key.rport,
				   .seq = e->iss + 1,
				   .ack = e->irs + 1,
				   .flags = SK_TCP_ACK,
				   .win = (uint16_t)(win > 65535 ? 65535 : win)};
	if (e->ts_ok) {
		o.opt.has_ts = 1;
		o.opt.tsval = sk_tcp_ts_now(st, e->ts_offset);
		o.opt.tsecr = e->ts_recent;
	}
	sk_tcp_send_segment(st, &o);
}

/* The per-connection limit on ACKs to strays (tcp_invalid_ratelimit_ms), as a TCB has it;
 * data is always answered (no ACK loop carries data). */
static int syn_may_ack(struct synack_stack *st, struct sk_syn *e, const struct sk_tcp *seg)
{
	if (seg->payload_len && !(seg->flags & SK_TCP_SYN))
		return 1;
	if (e->last_oow_ms && sk_age_ms(st->now, e->last_oow_ms) < st->cfg.tcp_invalid_ratelimit_ms) {
		st->stats.tcp_challenge_acks_limited++;
		return 0;
	}
	if (!sk_challenge_budget(st))
		return 0;
	e->last_oow_ms = sk_stamp_ms(st->now);
	return 1;
}

/* Linux's acceptance test for a half-open connection (tcp_in_window): the segment starts
 * at RCV.NXT, or overlaps the window the SYN+ACK offered, or is empty at its right edge. */
static int syn_in_window(const struct synack_stack *st, const struct sk_syn *e, const struct sk_tcp *seg)
{
	struct syn_params p;
	syn_params_of(e, &p);
	uint32_t l = e->irs + 1, r = l + synack_window(st, &p);
	uint32_t end = seg->seq + (uint32_t)seg->payload_len + !!(seg->flags & SK_TCP_SYN) +
		       !!(seg->flags & SK_TCP_FIN);
	if (seg->seq == l)
		return 1;
	if (seq_gt(end, l) && seq_lt(seg->seq, r))
		return 1;
	return seg->seq == r && end == seg->seq;
}

/* A RST answering seg, which arrived for half-open e but is not acceptable to it. */
static void syn_rst(struct synack_stack *st, const struct sk_syn *e, const struct sk_tcp *seg)
{
	struct sk_ends ends;
	sk_conn_ends(&e->h, &ends);
	sk_tcp_respond_rst(st, &ends, seg);
}

/* A segment for a half-open connection (passive SYN-RECEIVED), in the order of Linux's
 * tcp_check_req, which RFC 9293 3.10.7.4 allows. */
void sk_syn_segment(struct synack_stack *st, struct sk_syn *e, const struct sk_tcp *seg)
{
	if (e->deferred) {
		/* Nothing was answered: a retransmitted SYN waits with the first; an exact RST
		 * (the client gave up) ends the flow; anything else is not of this flow yet. */
		if ((seg->flags & SK_TCP_RST) && seg->seq == e->irs + 1) {
			st->stats.tcp_rst_in_accepted++;
			sk_syn_drop(st, e, "RST received");
		}
		return;
	}
	if (seg->flags & SK_TCP_RST) {
		/* HS-6 (server side): only an exact RST removes the half-open record. RST-3
		 * (RFC 9293 3.10.7.4, RFC 5961 3.2, all states but SYN-SENT): one elsewhere in
		 * the window the SYN+ACK offered draws a challenge ACK; outside it, nothing. */
		if (seg->seq == e->irs + 1) {
			st->stats.tcp_rst_in_accepted++;
			sk_syn_drop(st, e, "RST received");
			return;
		}
		st->stats.tcp_rst_in_ignored++;
		if (syn_in_window(st, e, seg) && syn_may_ack(st, e, seg)) {
			st->stats.tcp_challenge_acks++;
			syn_ack(st, e);
		}
		return;
	}
	/* PAWS (RFC 7323 5.3) against the SYN's timestamp. */
	int paws_fail = e->ts_ok && seg->opt.has_ts && seq_lt(seg->opt.tsval, e->ts_recent);
	if ((seg->flags & (SK_TCP_SYN | SK_TCP_ACK)) == SK_TCP_SYN && seg->seq == e->irs && !paws_fail) {
		resend_synack(st, e); /* HS-8: a retransmitted SYN gets the SYN+ACK again */
		return;
	}
	if ((seg->flags & SK_TCP_ACK) && seg->ack != e->iss + 1) {
		syn_rst(st, e, seg); /* RFC 9293 3.10.7.4 fifth */
		return;
	}
	if (paws_fail || !syn_in_window(st, e, seg)) {
		/* Not acceptable (first check): ACK, drop, stay. */
		st->stats.tcp_drop_out_of_window++;
		if (syn_may_ack(st, e, seg))
			syn_ack(st, e);
		return;
	}
	if ((seg->flags & SK_TCP_SYN) && seg->seq != e->irs) {
		/* A new SYN in the window: the peer has started over (RFC 9293 3.10.7.4
		 * fourth, which Linux follows here); the half-open record goes. */
		syn_rst(st, e, seg);
		st->stats.tcp_attempt_fails++;
		sk_syn_drop(st, e, "SYN in window");
		return;
	}
	if (!(seg->flags & SK_TCP_ACK))
		return;
	struct sk_tcb *l = e->listener;
	struct syn_params p;
	syn_params_of(e, &p);
	if (accept_queue_full(st, l, &p.ends, seg)) {
		if (st->cfg.tcp_abort_on_overflow)
			sk_syn_drop(st, e, "accept queue full");
		return;
	}
	int retried = e->retries != 0;
	sk_syn_free(st, e); /* frees the 4-tuple for the TCB */
	struct sk_tcb *t = promote(st, l, &p, seg, 0);
	if (t && !t->srtt) /* no timestamp sample: RFC 6298 5.7 as for a retransmitted SYN */
		t->rto = sk_tcp_rto_unmeasured(st, retried);
	if (t)
		sk_tcp_segment(st, t, seg); /* its data and FIN, if any (HS-9) */
}

int sk_syn_cookie_ack(struct synack_stack *st, struct sk_tcb *l, const struct sk_ends *e, const struct sk_tcp *seg)
{
	struct sk_listen *lst = l->lst;
	/* Cookies are only believed shortly after some were sent: otherwise any ACK would be
	 * a guess at one. */
	if (!st->cfg.tcp_syncookies || (st->cfg.tcp_syncookies != 2 && (!lst->last_cookie ||
	    st->now - lst->last_cookie > COOKIE_MAX_AGE * COOKIE_PERIOD_US)))
		return 0;
	if (seg->flags & (SK_TCP_SYN | SK_TCP_RST))
		return 0;
	struct syn_params p;
	memset(&p, 0, sizeof(p));
	p.ends = *e;
	p.lport = seg->dport;
	p.rport = seg->sport;
	p.irs = seg->seq - 1;
	p.iss = seg->ack - 1;
	int idx = cookie_check(st, &p, p.iss, p.irs);
	if (idx < 0) {
		st->stats.syncookies_failed++;
		return 0; /* answered with a RST like any stray ACK */
	}
	p.peer_mss = (e->v6 ? cookie_mss6 : cookie_mss4)[idx];
	p.peer_ws = 0xff;
	p.user_mss = sk_tcb_opts(l).user_mss;
	p.lst = l;
	p.ts_offset = sk_tcp_ts_offset(st, &p.ends);
	if (seg->opt.has_ts && st->cfg.tcp_timestamps && seg->opt.tsecr) {
		uint32_t bits = seg->opt.tsecr & ((1u << TS_OPT_BITS) - 1);
		p.ts_ok = 1;
		p.ts_recent = seg->opt.tsval;
		p.peer_ws = (bits & 0xf) == 0xf ? 0xff : (uint8_t)(bits & 0xf);
		p.sack_ok = (bits & 0x10) != 0;
		p.ecn_ok = (bits & 0x20) != 0 && st->cfg.tcp_ecn;
	}
	if (accept_queue_full(st, l, e, seg))
		return 1;
	st->stats.syncookies_ok++;
	st->stats.tcp_passive_opens++;
	struct sk_tcb *t = promote(st, l, &p, seg, 1);
	if (t)
		sk_tcp_segment(st, t, seg);
	return 1;
}

void sk_syn_drop_all(struct synack_stack *st, struct sk_tcb *l)
{
	while (l->lst->syn_head)
		sk_syn_drop(st, l->lst->syn_head, "listener closed");
}
