/* TCB life cycle: creation, state changes with their events, timers as deadlines, ISNs
 * (RFC 6528), timestamps clock, receive window, and the byte queues. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

/* Issue 15's floor for an idle established endpoint (384 heap bytes over IPv4, all included,
 * bench-conn) leaves the TCB this much: malloc's chunk for it is then 352 bytes. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct sk_tcb) <= 344,
	       "the TCB outgrew the idle endpoint's floor (bench/README.md, \"The TCB's size\")");

static void tcb_init(struct synack_stack *st, struct sk_tcb *t)
{
	uint16_t room = t->h.a6_off;
	memset(t, 0, sizeof(*t));
	t->h.kind = SK_CONN_TCB;
	t->h.a6_off = room;
	t->handle = -1;
	t->state = SYNACK_CLOSED;
	sk_timer_init(&t->timer);
	for (int i = 0; i < SK_TT_HOT; i++)
		t->deadline[i] = UINT64_MAX;
	t->rto = st->cfg.tcp_rto_initial_ms * 1000u;
	t->mss = 536;
	t->rcvbuf = st->cfg.tcp_rmem[1];
	t->rcv_ssthresh = st->cfg.tcp_ack_read_wait ? t->rcvbuf : UINT32_MAX;
	sk_cc_select(&t->cc, st->cc_default, 536, st->cfg.tcp_init_cwnd);
	t->flags = 0;
}

struct sk_tcb *sk_tcb_new(struct synack_stack *st, int v6)
{
	struct sk_tcb *t = malloc(sk_conn_alloc_size(sizeof(*t), v6));
	if (t) {
		sk_conn_init_room(&t->h, sizeof(*t), v6);
		tcb_init(st, t);
	}
	return t;
}

void sk_tcb_set_state(struct synack_stack *st, struct sk_tcb *t, int state, const char *cause)
{
	int old = t->state;
	if (old == state)
		return;
	t->state = (uint8_t)state;
	if (state == SYNACK_ESTABLISHED)
		t->flags |= TF_SYNCED;
	if ((old == SYNACK_ESTABLISHED || old == SYNACK_CLOSE_WAIT) && state == SYNACK_CLOSED)
		st->stats.tcp_estab_resets++;
	sk_emit_state(st, t->handle, &t->h, old, state, cause);
	sk_ready_touch(st, t->handle);
}

void sk_tcb_timer_rearm(struct synack_stack *st, struct sk_tcb *t)
{
	uint64_t min = UINT64_MAX;
	for (int i = 0; i < SK_TT_COUNT; i++) {
		uint64_t d = sk_tcb_deadline(t, (enum sk_tt)i);
		if (d < min)
			min = d;
	}
	if (min == UINT64_MAX)
		sk_wheel_cancel(&st->wheel, &t->timer);
	else if (!sk_timer_armed(&t->timer) || t->timer.deadline != min)
		sk_wheel_arm(&st->wheel, &t->timer, min);
}

void sk_tcb_timer_set(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which, uint64_t deadline)
{
	uint64_t *d = sk_tcb_deadline_slot(t, which);
	if (!d)
		return; /* (a flight timer needs data in flight, which has the flight state) */
	*d = deadline;
	sk_tcb_timer_rearm(st, t);
}

void sk_tcb_timer_clear(struct synack_stack *st, struct sk_tcb *t, enum sk_tt which)
{
	uint64_t *d = sk_tcb_deadline_slot(t, which);
	if (!d || *d == UINT64_MAX)
		return;
	*d = UINT64_MAX;
	sk_tcb_timer_rearm(st, t);
}

void sk_tcb_unqueue(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_tcb *l = sk_listener_holding(st, t);
	t->flags &= ~TF_QUEUED;
	if (!l) {
		t->aq_next = NULL; /* (its place is a listener's record once unqueued) */
		return;
	}
	for (struct sk_tcb **pp = &l->lst->aq_head; *pp; pp = &(*pp)->aq_next) {
		if (*pp == t) {
			*pp = t->aq_next;
			if (l->lst->aq_tail == t) {
				struct sk_tcb *last = l->lst->aq_head;
				while (last && last->aq_next)
					last = last->aq_next;
				l->lst->aq_tail = last;
			}
			l->lst->aq_len--;
			break;
		}
	}
	t->aq_next = NULL;
}

void sk_tcb_flight_free(struct sk_tcb *t)
{
	if (!t->fl)
		return;
	free(t->fl->sb);
	sk_rack_free(&t->fl->rk);
	free(t->fl);
	t->fl = NULL;
}

static void free_extras(struct sk_tcb *t)
{
	free(t->asmb);
	t->asmb = NULL;
	sk_tcb_flight_free(t);
}

struct sk_cold *sk_tcb_cold(struct sk_tcb *t)
{
	if (!t->cold)
		t->cold = calloc(1, sizeof(*t->cold));
	return t->cold;
}

struct sk_sockopts *sk_tcb_opts_edit(struct sk_tcb *t)
{
	struct sk_cold *c = sk_tcb_cold(t);
	return c ? &c->o : NULL;
}

uint32_t sk_tcb_keepidle_s(const struct synack_stack *st, const struct sk_tcb *t)
{
	uint32_t v = sk_tcb_opts(t).keepidle_s;
	return v ? v : st->cfg.tcp_keepalive_time_s;
}

uint32_t sk_tcb_keepintvl_s(const struct synack_stack *st, const struct sk_tcb *t)
{
	uint32_t v = sk_tcb_opts(t).keepintvl_s;
	return v ? v : st->cfg.tcp_keepalive_intvl_s;
}

int sk_tcb_keepcnt(const struct synack_stack *st, const struct sk_tcb *t)
{
	int v = sk_tcb_opts(t).keepcnt;
	return v ? v : st->cfg.tcp_keepalive_probes;
}

/* RACK-TLP runs on SACK connections, unless tcp_recovery says no. */
static int rack_wanted(const struct synack_stack *st, const struct sk_tcb *t)
{
	return (t->flags & TF_SACK) && (st->cfg.tcp_recovery & 1);
}

void sk_tcb_flight_synced(struct synack_stack *st, struct sk_tcb *t)
{
	if (!t->fl)
		return;
	t->fl->rack = (uint8_t)rack_wanted(st, t);
	sk_tcb_flight_idle(st, t);
}

struct sk_flight *sk_tcb_flight(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->fl)
		return t->fl;
	struct sk_flight *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	/* as after a recovery that ended at snd_una: nothing retransmitted, no round open */
	f->recover = f->high_rxt = f->una_mark = f->cwr_seq = t->snd_una;
	/* everything was acknowledged: the next send starts a new cwnd window, and no small
	 * segment is outstanding */
	f->cwnd_usage_seq = f->snd_sml = t->snd_una;
	f->hs_round_end = t->snd_una;
	f->hs_cur_min = UINT32_MAX;
	f->rack = rack_wanted(st, t);
	if (t->tlp_open) { /* a loss probe's episode still waits for its verdict (tlp_ack) */
		f->rk.tlp_high_seq = t->snd_una;
		f->rk.tlp_retrans = 1;
		t->tlp_open = 0;
	}
	for (int i = 0; i < SK_TT_COUNT - SK_TT_HOT; i++)
		f->deadline[i] = UINT64_MAX;
	t->fl = f;
	return f;
}

void sk_tcb_flight_idle(struct synack_stack *st, struct sk_tcb *t)
{
	(void)st;
	if (!t->fl || t->snd.len || t->snd_una != t->snd_max || t->in_recovery)
		return;
	/* a reduction that late D-SACKs may still prove spurious keeps its episode (recovery.c
	 * ends it at the next ACK without one) */
	if (t->fl->rk.undo_on)
		return;
	/* a FIN queued and not yet acknowledged (sent or not) still needs it */
	if ((t->flags & TF_FIN_QUEUED) && (t->state == SYNACK_ESTABLISHED || t->state == SYNACK_CLOSE_WAIT ||
					   t->state == SYNACK_FIN_WAIT_1 || t->state == SYNACK_CLOSING ||
					   t->state == SYNACK_LAST_ACK))
		return;
	/* a loss probe's episode still open (is the probe's D-SACK still to come?) ends where
	 * everything is acknowledged: the TCB keeps just that it is open */
	t->tlp_open = t->fl->rk.tlp_high_seq && t->fl->rk.tlp_retrans && t->fl->rk.tlp_high_seq == t->snd_una;
	sk_hystart_quiet(t);
	sk_tcb_flight_free(t);
	sk_tcb_timer_rearm(st, t); /* (a flight timer still set, now moot, goes with it) */
}

uint32_t sk_tcb_mem(const struct sk_tcb *t)
{
	return (uint32_t)sizeof(*t) + (t->cold ? (uint32_t)sizeof(*t->cold) : 0) + sk_bytes_cap(&t->snd) +
	       sk_bytes_cap(&t->rcv) + (sk_tcb_listen(t) ? (uint32_t)sizeof(struct sk_listen) : 0) +
	       (t->asmb ? (uint32_t)sizeof(*t->asmb) : 0) + (t->fl ? (uint32_t)sizeof(*t->fl) : 0) +
	       (t->fl && t->fl->sb ? (uint32_t)sizeof(*t->fl->sb) : 0) +
	       (t->fl ? t->fl->rk.cap * (uint32_t)sizeof(*t->fl->rk.v) : 0);
}

void sk_tcb_free(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->flags & TF_TNLFLOW) {
		struct sk_ends e;
		sk_conn_ends(&t->h, &e);
		sk_tnl_flow_gone(st, &e);
	}
	sk_wheel_cancel(&st->wheel, &t->timer);
	sk_ack_batch_forget(st, t);
	sk_tcp_held_forget(st, t);
	free_extras(t);
	sk_bytes_free(st, &t->snd);
	sk_bytes_free(st, &t->rcv);
	struct sk_listen *lst = sk_tcb_listen(t);
	if (lst) {
		/* the closed connections of its accept queue are held by nothing else (the
		 * others are in the 4-tuple table, whose owner frees them) */
		for (struct sk_tcb *q = lst->aq_head, *next; q; q = next) {
			next = q->aq_next;
			if (q->state == SYNACK_CLOSED)
				sk_tcb_free(st, q);
		}
	}
	free(lst);
	free(t->cold);
	free(t);
}

void sk_tcb_reuse(struct synack_stack *st, struct sk_tcb *t)
{
	struct sk_tcb old = *t;
	struct sk_ends bound; /* read before tcb_init: an IPv6 record's addresses follow it */
	sk_conn_ends(&t->h, &bound);
	sk_wheel_cancel(&st->wheel, &t->timer);
	free_extras(t);
	sk_bytes_free(st, &t->snd);
	sk_bytes_free(st, &t->rcv);
	tcb_init(st, t);
	t->handle = old.handle;
	t->flags = old.flags & TF_SOCKOPTS;
	if (old.flags & TF_BOUND) {
		/* the local end as bound; the remote one is the next connect's */
		bound.r4 = 0;
		memset(bound.r6, 0, sizeof(bound.r6));
		sk_conn_set_ends(&t->h, &bound);
		t->h.key.lport = old.h.key.lport;
	}
	t->cold = old.cold; /* the options stay; the counts are the next connection's */
	if (t->cold)
		*t->cold = (struct sk_cold){.o = t->cold->o};
	if (old.flags & TF_RCVBUF_LOCK)
		sk_tcb_set_rcvbuf(t, old.rcvbuf);
	sk_cc_select(&t->cc, old.cc.algo, 536, st->cfg.tcp_init_cwnd);
}

void sk_tcb_drop(struct synack_stack *st, struct sk_tcb *t, int err, const char *cause)
{
	int was = t->state;
	if (was != SYNACK_CLOSED && was != SYNACK_LISTEN)
		sk_ctable_del(st, &t->h);
	sk_tcb_set_state(st, t, SYNACK_CLOSED, cause);
	for (int i = 0; i < SK_TT_HOT; i++)
		t->deadline[i] = UINT64_MAX;
	sk_wheel_cancel(&st->wheel, &t->timer);
	/* A closed connection sends nothing more. What arrived in order before an error is
	 * still the reader's, the error after it (RST-5), as Linux keeps its receive queue:
	 * RFC 9293 3.10.7.4 says the queues "should be flushed", but then a reply that came
	 * just before a reset (a server that closed with a request unread) would be lost to
	 * the application that Linux would have given it to. Data held out of order goes. */
	sk_bytes_free(st, &t->snd);
	sk_tcb_flight_free(t);
	if (err) {
		t->soerror = err;
		free(t->asmb);
		t->asmb = NULL;
	}
	if (t->flags & TF_QUEUED) {
		/* Reset or timed out before accept(): it stays in the accept queue, closed, and
		 * accept() hands it out with its error, as Linux does (its first read reports
		 * it); a clean end before accept() leaves nothing to tell. */
		if (err)
			return;
		sk_tcb_unqueue(st, t);
		sk_tcb_free(st, t);
		return;
	}
	if (t->handle < 0)
		sk_tcb_free(st, t);
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond clock. */
uint32_t sk_tcp_isn(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport)
{
	uint32_t m = (uint32_t)((st->now - st->clock_base) / 4);
	uint64_t f = sk_ends_hash(&st->key, e, (uint32_t)lport << 16 | rport, 0x49534e31);
	return m + (uint32_t)f;
}

/* Timestamps tick in milliseconds, offset per connection so they reveal no uptime. */
uint32_t sk_tcp_ts_now(struct synack_stack *st, uint32_t offset)
{
	return (uint32_t)(st->now / 1000) + offset;
}

uint32_t sk_tcp_rto_unmeasured(const struct synack_stack *st, int syn_retransmitted)
{
	/* 5.7: the 1 s initial RTO is aggressive; once a SYN timed out (and Karn left no
	 * sample), data starts from 3 s, as before RFC 6298 (and as Linux does). */
	uint32_t rto = st->cfg.tcp_rto_initial_ms * 1000u;
	return syn_retransmitted && rto < 3000000u ? 3000000u : rto;
}

uint16_t sk_tcp_our_mss(const struct synack_stack *st, const struct sk_ends *e, uint16_t user_mss)
{
	/* the MTU less the IP and TCP headers: 40 bytes over IPv4, 60 over IPv6 */
	uint32_t m = sk_route_mtu_ends(st, e) - (e->v6 ? 60u : 40u);
	return (uint16_t)(user_mss && user_mss < m ? user_mss : m);
}

uint32_t sk_tcp_syn_window(uint32_t space, uint32_t mss)
{
	uint32_t w = space < 65535 ? space : 65535;
	return mss && w > mss ? w - w % mss : w;
}

uint32_t sk_tcb_rcv_space(const struct sk_tcb *t)
{
	return t->rcv.len >= t->rcvbuf ? 0 : t->rcvbuf - t->rcv.len;
}

uint32_t sk_tcb_rcv_window(const struct sk_tcb *t)
{
	uint32_t space = sk_tcb_rcv_space(t);
	return space < t->rcv_ssthresh ? space : t->rcv_ssthresh;
}

void sk_tcb_set_rcvbuf(struct sk_tcb *t, uint32_t bytes)
{
	t->rcvbuf = bytes;
	if (t->rcv_ssthresh != UINT32_MAX)
		t->rcv_ssthresh = bytes;
}

/* As Linux's tcp_grow_window: the window does not jump to what autotuning made room for;
 * it grows with the data arriving, by twice each segment (at least two MSS), about
 * tripling per RTT, and each segment that moves it is acked at once, so a sender in slow
 * start hears of the room while its flight is still arriving, rather than when the
 * application has read. Segments under 128 bytes do not count. It grows up to the whole
 * buffer (Linux's window_clamp), where it stops until autotuning enlarges the buffer:
 * capped at the free space instead, it crept towards a target that every read moved, and
 * every segment of a bulk transfer "grew" it and was acked at once (three times Linux's
 * ACKs, each exposed to loss). Unlike Linux, it grows while the free space is below it
 * too: the runtime hands the stack a whole flight as one batch before the application
 * reads, and a front that stopped at the space this unread flight left could not let the
 * next flight double (docs/loss-recovery.md section 18); the window offered is still
 * never more than the free space. Returns 1 when the growth opened the window offered
 * (the front was below the free space), which is worth an ACK at once, as Linux's. */
int sk_tcb_grow_window(struct sk_tcb *t, uint32_t len)
{
	if (len < 128 || t->rcv_ssthresh >= t->rcvbuf)
		return 0;
	int limits = t->rcv_ssthresh < sk_tcb_rcv_space(t); /* the window the peer is offered */
	uint64_t incr = 2ull * (len > t->adv_mss ? len : t->adv_mss);
	uint32_t room = t->rcvbuf - t->rcv_ssthresh;
	t->rcv_ssthresh += incr < room ? (uint32_t)incr : room;
	return limits;
}

/* Twice the congestion window, within tcp_wmem (as Linux's tcp_sndbuf_expand): enough for
 * a window in flight and the next one queued behind it. Not the peer's window: against
 * Linux's multi-megabyte receive window that reached tcp_wmem's 4 MiB on a path whose
 * bandwidth-delay product is a few hundred KiB, and the bytes sent from it were cold
 * (bench/README.md, the IPv6 send floor). */
static uint32_t sndbuf_for_cwnd(const struct synack_stack *st, const struct sk_tcb *t)
{
	uint64_t want = 2ull * t->cc.cwnd;
	return want > st->cfg.tcp_wmem[2] ? st->cfg.tcp_wmem[2] : (uint32_t)want;
}

uint32_t sk_tcb_sndbuf(const struct synack_stack *st, const struct sk_tcb *t)
{
	uint32_t user = sk_tcb_opts(t).user_sndbuf;
	if (user)
		return user;
	uint32_t want = sndbuf_for_cwnd(st, t);
	if (want < t->sndbuf_hw)
		want = t->sndbuf_hw; /* a window cut by a loss keeps its buffer */
	return want > st->cfg.tcp_wmem[1] ? want : st->cfg.tcp_wmem[1];
}

/* After cwnd grows: the buffer keeps the high-water mark, so a loss that halves cwnd does
 * not also halve what the application may queue (Linux's buffer only grows too). */
void sk_tcb_sndbuf_expand(const struct synack_stack *st, struct sk_tcb *t)
{
	uint32_t want = sndbuf_for_cwnd(st, t);
	if (want > t->sndbuf_hw)
		t->sndbuf_hw = want;
}

void sk_tcb_cc_init(struct synack_stack *st, struct sk_tcb *t)
{
	sk_cc_select(&t->cc, t->cc.algo, sk_tcp_eff_mss(t), st->cfg.tcp_init_cwnd);
	sk_hystart_restart(t, t->snd_nxt);
	sk_tcb_sndbuf_expand(st, t); /* a first flight lost to a timeout keeps its buffer */
}

/* ---- byte queues ---- */

/* A queue's storage is one pool block, the ring, whose size is kept in the room the pool
 * leaves before it (SK_BUFPOOL_HEAD); so a queue in the TCB is a pointer and two offsets,
 * and an empty one has no storage at all. */
static uint32_t *cap_slot(const uint8_t *ring)
{
	return (uint32_t *)(void *)(ring - SK_BUFPOOL_HEAD);
}

uint32_t sk_bytes_cap(const struct sk_bytes *b)
{
	return b->buf ? *cap_slot(b->buf) : 0;
}

/* A ring of at least need bytes for b from the pool (a kept one up to the size b's ring had
 * when it last emptied, if b has none now), its size noted before it; NULL when out of
 * memory. */
static uint8_t *storage_get(struct synack_stack *st, const struct sk_bytes *b, uint32_t need)
{
	uint32_t cap, want = !b->buf && b->head > need ? b->head : need;
	uint8_t *ring = sk_bufpool_get(&st->bufpool, need, want, &cap, st->now);
	if (ring)
		*cap_slot(ring) = cap;
	return ring;
}

/* Gives b's storage back to the pool (b keeps its fields). */
static void storage_put(struct synack_stack *st, const struct sk_bytes *b)
{
	if (b->buf)
		sk_bufpool_put(&st->bufpool, b->buf, sk_bytes_cap(b), st->now);
}

/* Room for n more bytes in b (grown from the pool: at least doubled). */
static int room(struct synack_stack *st, struct sk_bytes *b, uint32_t n)
{
	uint32_t cap = sk_bytes_cap(b);
	if (b->len + n <= cap)
		return 0;
	uint8_t *nb = storage_get(st, b, cap && 2 * cap > b->len + n ? 2 * cap : b->len + n);
	if (!nb)
		return -ENOMEM;
	sk_bytes_peek(b, 0, nb, b->len);
	storage_put(st, b);
	b->buf = nb;
	b->head = 0;
	return 0;
}

int sk_bytes_fill(struct synack_stack *st, struct sk_bytes *b, uint32_t n, uint32_t limit,
		  ssize_t (*fill)(void *ctx, void *buf, size_t len), void *ctx)
{
	if (n > limit - b->len)
		n = limit - b->len;
	if (n == 0)
		return 0;
	if (room(st, b, n) < 0)
		return -ENOMEM;
	uint32_t cap = sk_bytes_cap(b), done = 0;
	while (done < n) { /* the free room at the end, then at the start if it wraps */
		uint32_t tail = (b->head + b->len) % cap;
		uint32_t piece = n - done < cap - tail ? n - done : cap - tail;
		ssize_t got = fill(ctx, b->buf + tail, piece);
		if (got < 0) {
			if (!b->len)
				sk_bytes_free(st, b);
			return done ? (int)done : (int)got;
		}
		if ((size_t)got > piece)
			got = (ssize_t)piece;
		b->len += (uint32_t)got;
		done += (uint32_t)got;
		if ((uint32_t)got < piece)
			break;
	}
	if (!b->len)
		sk_bytes_free(st, b); /* nothing came: an idle relayed connection holds no buffer */
	return (int)done;
}

ssize_t sk_bytes_drain(const struct sk_bytes *b, uint32_t n, ssize_t (*drain)(void *ctx, const void *buf, size_t len),
		       void *ctx)
{
	if (n > b->len)
		n = b->len;
	uint32_t cap = sk_bytes_cap(b), done = 0;
	while (done < n) { /* from the head to the buffer's end, then from its start */
		uint32_t start = (b->head + done) % cap;
		uint32_t piece = n - done < cap - start ? n - done : cap - start;
		ssize_t took = drain(ctx, b->buf + start, piece);
		if (took < 0)
			return done ? (ssize_t)done : took;
		if ((size_t)took > piece)
			took = (ssize_t)piece;
		done += (uint32_t)took;
		if ((uint32_t)took < piece)
			break;
	}
	return (ssize_t)done;
}

/* sk_bytes_push's fill: the caller's bytes, from a cursor. */
static ssize_t copy_in(void *ctx, void *buf, size_t len)
{
	const uint8_t **p = ctx;
	memcpy(buf, *p, len);
	*p += len;
	return (ssize_t)len;
}

int sk_bytes_push(struct synack_stack *st, struct sk_bytes *b, const uint8_t *p, uint32_t n, uint32_t limit)
{
	return sk_bytes_fill(st, b, n, limit, copy_in, &p);
}

int sk_bytes_pieces(const struct sk_bytes *b, uint32_t off, uint32_t n, struct iovec iov[2])
{
	uint32_t cap = sk_bytes_cap(b);
	uint32_t start = (b->head + off) % cap;
	uint32_t first = n < cap - start ? n : cap - start;
	iov[0] = (struct iovec){b->buf + start, first};
	if (first == n)
		return 1;
	iov[1] = (struct iovec){b->buf, n - first};
	return 2;
}

uint32_t sk_bytes_peek(const struct sk_bytes *b, uint32_t off, uint8_t *out, uint32_t n)
{
	if (off >= b->len || n == 0)
		return 0;
	if (n > b->len - off)
		n = b->len - off;
	struct iovec iov[2];
	int k = sk_bytes_pieces(b, off, n, iov);
	for (int i = 0; i < k; i++) {
		memcpy(out, iov[i].iov_base, iov[i].iov_len);
		out += iov[i].iov_len;
	}
	return n;
}

void sk_bytes_drop(struct sk_bytes *b, uint32_t n)
{
	if (n > b->len)
		n = b->len;
	if (!b->buf)
		return;
	b->head = (b->head + n) % sk_bytes_cap(b);
	b->len -= n;
}

void sk_bytes_shrink(struct synack_stack *st, struct sk_bytes *b)
{
	if (b->len == 0)
		sk_bytes_free(st, b);
}

/* Grows storage to at least need bytes, keeping every byte of the old capacity in its
 * logical place (in-order data and out-of-order data beyond len alike). */
static int grow_keep(struct synack_stack *st, struct sk_bytes *b, uint32_t need)
{
	uint32_t cap = sk_bytes_cap(b);
	if (need <= cap)
		return 0;
	uint8_t *nb = storage_get(st, b, cap && 2 * cap > need ? 2 * cap : need);
	if (!nb)
		return -ENOMEM;
	if (cap) {
		uint32_t first = cap - b->head;
		memcpy(nb, b->buf + b->head, first);
		memcpy(nb + first, b->buf, b->head);
	}
	storage_put(st, b);
	b->buf = nb;
	b->head = 0;
	return 0;
}

int sk_bytes_write_at(struct synack_stack *st, struct sk_bytes *b, uint32_t off, const uint8_t *p, uint32_t n)
{
	if (grow_keep(st, b, off + n) < 0)
		return -ENOMEM;
	uint32_t cap = sk_bytes_cap(b);
	uint32_t start = (b->head + off) % cap;
	uint32_t first = n < cap - start ? n : cap - start;
	memcpy(b->buf + start, p, first);
	memcpy(b->buf, p + first, n - first);
	return 0;
}

void sk_bytes_commit(struct sk_bytes *b, uint32_t n)
{
	b->len += n;
}

void sk_bytes_free(struct synack_stack *st, struct sk_bytes *b)
{
	uint32_t cap = sk_bytes_cap(b);
	storage_put(st, b);
	b->buf = NULL;
	b->len = 0;
	b->head = cap ? cap : b->head; /* (see struct sk_bytes) */
}
