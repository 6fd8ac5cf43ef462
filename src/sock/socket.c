/* The native socket API (include/synack/synack.h): handles, bind/listen/accept/connect,
 * send/recv, shutdown/close, options and readiness, over the TCP core. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/addr.h"
#include "tcp/seq.h"
#include "tcp/tcb.h"
#include "udp/udp.h"

/* Linux's smallest socket buffers (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF on x86-64). */
#define PX_MIN_SNDBUF 4608u
#define PX_MIN_RCVBUF 2304u

/* ---- handles ---- */

static int handle_alloc(struct synack_stack *st, struct sk_conn *c)
{
	struct sk_handles *h = &st->handles;
	/* The cap counts open sockets; h->used is only the high-water mark of slots, which
	 * never falls, so closed sockets would keep counting against it. */
	if (st->cfg.max_sockets && st->stats.sockets >= st->cfg.max_sockets)
		return -EMFILE;
	uint32_t i;
	if (h->free_head != UINT32_MAX) {
		i = h->free_head;
		h->free_head = h->slot[i];
	} else {
		if (h->used == h->cap) {
			uint32_t cap = h->cap ? h->cap * 2 : 64;
			struct sk_conn **v = realloc(h->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			h->v = v;
			uint32_t *nf = realloc(h->slot, cap * sizeof(*nf));
			if (!nf)
				return -ENOMEM;
			h->slot = nf;
			h->cap = cap;
		}
		i = h->used;
	}
	if (i >= h->used)
		h->used = i + 1;
	h->v[i] = c;
	sk_ready_reset(st, (int)i);
	if (c->kind == SK_CONN_TCB)
		((struct sk_tcb *)c)->handle = (int)i;
	else
		sk_udp_set_handle(c, (int)i);
	st->stats.sockets++;
	return (int)i;
}

static void handle_free(struct synack_stack *st, int i)
{
	struct sk_handles *h = &st->handles;
	h->v[i] = NULL;
	h->slot[i] = h->free_head;
	h->free_head = (uint32_t)i;
	st->stats.sockets--;
}

static struct sk_conn *get_any(struct synack_stack *st, int sock)
{
	if (!st || sock < 0 || (uint32_t)sock >= st->handles.used)
		return NULL;
	return st->handles.v[sock];
}

/* The TCB behind a stream socket; NULL for a bad handle or a datagram socket, so every
 * call below first offers the handle to udp_get. */
static struct sk_tcb *get(struct synack_stack *st, int sock)
{
	struct sk_conn *c = get_any(st, sock);
	return c && c->kind == SK_CONN_TCB ? (struct sk_tcb *)c : NULL;
}

static struct sk_conn *udp_get(struct synack_stack *st, int sock)
{
	struct sk_conn *c = get_any(st, sock);
	return c && c->kind == SK_CONN_UDP ? c : NULL;
}

/* ---- ports ---- */

static int bind_ref(struct synack_stack *st, uint16_t port, int d)
{
	if (!st->bind_refs) {
		st->bind_refs = calloc(65536, sizeof(*st->bind_refs));
		if (!st->bind_refs)
			return -ENOMEM;
	}
	st->bind_refs[port] += (uint32_t)d;
	return 0;
}

static int port_bound(const struct synack_stack *st, uint16_t port)
{
	return st->bind_refs && st->bind_refs[port];
}

static int tw_reusable(const struct synack_stack *st, const struct sk_tw *w)
{
	int reuse = st->cfg.tcp_tw_reuse;
	static const uint8_t lo6[16] = {[15] = 1};
	struct sk_ends e;
	sk_conn_ends(&w->h, &e);
	int loopback = e.v6 ? memcmp(e.r6, lo6, 16) == 0 : (e.r4 >> 24) == 127;
	if (!(reuse == 1 || (reuse == 2 && loopback)) || !w->ts_ok)
		return 0;
	return st->now - sk_tw_began(st, w) > 1000000; /* TW-5: older than one second */
}

/* Whether the 4-tuple can be used for a new outgoing connection (CONN-4), clearing a
 * reusable TIME-WAIT record (TW-5). */
static int tuple_free(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport)
{
	struct sk_conn *c = sk_ctable_find(st, e, lport, rport);
	if (!c)
		return 1;
	if (c->kind == SK_CONN_TW && tw_reusable(st, (struct sk_tw *)c)) {
		st->stats.tw_recycled++;
		/* The record's end is reported like any other (TRC-5). */
		sk_emit_state(st, -1, c, SYNACK_TIME_WAIT, SYNACK_CLOSED,
			      "4-tuple reused (tcp_tw_reuse)");
		sk_tw_free(st, (struct sk_tw *)c);
		return 1;
	}
	return 0;
}

/* A free local port for ends e (to remote port rport, or 0 for a bind alone) in *lport. */
static int pick_ephemeral(struct synack_stack *st, const struct sk_ends *e, uint16_t *lport, uint16_t rport)
{
	uint32_t lo = st->cfg.ip_local_port_range[0], hi = st->cfg.ip_local_port_range[1];
	uint32_t span = hi - lo + 1;
	for (uint32_t i = 0; i < span; i++) {
		uint16_t port = st->next_ephemeral;
		st->next_ephemeral = (uint16_t)(port >= hi ? lo : (uint32_t)port + 1);
		if (port_bound(st, port) || sk_listener_find(st, e, port))
			continue;
		*lport = port;
		if (rport == 0 || tuple_free(st, e, port, rport))
			return 0;
	}
	return -EADDRNOTAVAIL;
}

/* ---- calls ---- */

/* A socket's end as its family names it: an AF_INET6 socket's IPv4 ends IPv4-mapped. */
static struct synack_sockaddr sock_name(const struct sk_tcb *t, int remote)
{
	struct synack_sockaddr sa = remote ? sk_conn_remote(&t->h) : sk_conn_local(&t->h);
	sa.ip = sk_sock_name(sk_tcb_takes(t->flags), &sa.ip);
	return sa;
}

int synack_socket(synack_stack *st, int family, int type)
{
	if (!st)
		return -EINVAL;
	if (family != SYNACK_AF_INET && family != SYNACK_AF_INET6)
		return -EAFNOSUPPORT;
	int v6 = family == SYNACK_AF_INET6;
	if (type == SYNACK_SOCK_DGRAM) {
		struct sk_conn *u = sk_udp_new(st, v6);
		if (!u)
			return -ENOMEM;
		int h = handle_alloc(st, u);
		if (h < 0)
			sk_udp_close(st, u);
		return h;
	}
	if (type != SYNACK_SOCK_STREAM)
		return -EINVAL;
	struct sk_tcb *t = sk_tcb_new(st, v6);
	if (!t)
		return -ENOMEM;
	if (v6) {
		/* unbound: the IPv6 wildcard, which listen() binds as such */
		struct synack_ip any = {SYNACK_AF_INET6, {0}};
		struct sk_ends e = sk_ends_at(&any);
		sk_conn_set_ends(&t->h, &e);
		t->flags |= TF_SOCK6;
	}
	int h = handle_alloc(st, &t->h);
	if (h < 0)
		sk_tcb_free(st, t);
	return h;
}

int synack_bind(synack_stack *st, int sock, const struct synack_sockaddr *a)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u && a)
		return sk_udp_bind(st, u, a);
	struct sk_tcb *t = get(st, sock);
	if (!t && !u)
		return -EBADF;
	if (!a)
		return -EFAULT;
	struct synack_ip ip;
	int r = sk_sock_addr(sk_tcb_takes(t->flags), &a->ip, &ip);
	if (r < 0)
		return r;
	if (t->state != SYNACK_CLOSED || t->h.key.lport)
		return -EINVAL;
	struct sk_ends e = sk_ends_at(&ip);
	uint16_t lport = a->port;
	if (!sk_ends_local_any(&e) && !sk_ends_local_ours(st, &e))
		return -EADDRNOTAVAIL;
	if (lport == 0) {
		r = pick_ephemeral(st, &e, &lport, 0);
		if (r < 0)
			return r;
	} else if ((port_bound(st, lport) && !(t->flags & TF_REUSEADDR)) || sk_listener_clash(st, &e, t->flags, lport)) {
		return -EADDRINUSE;
	}
	r = bind_ref(st, lport, 1);
	if (r < 0)
		return r;
	sk_conn_set_ends(&t->h, &e);
	t->h.key.lport = lport;
	t->flags |= TF_BOUND;
	return 0;
}

int synack_listen(synack_stack *st, int sock, int backlog)
{
	if (udp_get(st, sock))
		return -EOPNOTSUPP;
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	/* As Linux: a negative backlog is the largest (it is taken unsigned), and the queue
	 * holds one more than the backlog (accept_queue_full). */
	uint32_t max = st->cfg.somaxconn;
	uint32_t b = (uint32_t)backlog;
	if (b > max)
		b = max;
	if (t->state == SYNACK_LISTEN) {
		t->lst->backlog = b;
		return 0;
	}
	if (t->state != SYNACK_CLOSED || (t->flags & TF_ACCEPTED))
		return -EINVAL;
	if (!t->h.key.lport) {
		struct synack_sockaddr any = synack_sa_any((t->flags & TF_SOCK6) ? SYNACK_AF_INET6 : SYNACK_AF_INET, 0);
		int r = synack_bind(st, sock, &any);
		if (r < 0)
			return r;
	}
	/* Another listener whose address overlaps (sockets bound alike with SO_REUSEADDR
	 * that both listen): a conflict, as in Linux. */
	struct sk_ends mine;
	sk_conn_ends(&t->h, &mine);
	if (sk_listener_clash(st, &mine, t->flags, t->h.key.lport))
		return -EADDRINUSE;
	t->lst = calloc(1, sizeof(*t->lst));
	if (!t->lst)
		return -ENOMEM;
	t->lst->backlog = b;
	sk_listener_add(st, t);
	sk_tcb_set_state(st, t, SYNACK_LISTEN, "listen()");
	return 0;
}

/* The next UDP flow waiting on tunnel mode's datagram socket u (TNL-3). */
static int accept_flow(synack_stack *st, struct sk_conn *u, struct synack_sockaddr *peer)
{
	int err;
	struct sk_conn *f = sk_udp_take_flow(st, u, &err);
	if (!f)
		return err;
	int h = handle_alloc(st, f);
	if (h < 0) {
		sk_udp_close(st, f);
		return h;
	}
	if (peer)
		sk_udp_names(f, NULL, peer, NULL);
	return h;
}

static int do_accept(synack_stack *st, int sock, struct synack_sockaddr *peer)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return accept_flow(st, u, peer);
	struct sk_tcb *l = get(st, sock);
	if (!l)
		return -EBADF;
	if (l->state != SYNACK_LISTEN)
		return -EINVAL;
	struct sk_tcb *t = l->lst->aq_head;
	if (!t)
		return -EAGAIN;
	int h = handle_alloc(st, &t->h);
	if (h < 0)
		return h;
	l->lst->aq_head = t->aq_next;
	if (!l->lst->aq_head)
		l->lst->aq_tail = NULL;
	l->lst->aq_len--;
	t->aq_next = NULL;
	t->flags = (t->flags & ~TF_QUEUED) | TF_ACCEPTED;
	if (peer)
		*peer = sock_name(t, 1);
	return h;
}

static int do_connect(synack_stack *st, int sock, const struct synack_sockaddr *a)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u && a)
		return sk_udp_connect(st, u, a);
	struct sk_tcb *t = get(st, sock);
	if (!t && !u)
		return -EBADF;
	if (!a)
		return -EFAULT;
	switch (t->state) {
	case SYNACK_CLOSED:
		if (t->flags & TF_SYNCED)
			return -EISCONN;
		if (t->flags & TF_ACCEPTED)
			sk_tcb_reuse(st, t); /* a connect that failed: Linux lets it try again */
		break;
	case SYNACK_SYN_SENT:
	case SYNACK_SYN_RCVD:
		return -EALREADY;
	default:
		return -EISCONN; /* a listener too, as Linux's inet_stream_connect */
	}
	struct synack_ip rip;
	int r = sk_sock_addr(sk_tcb_takes(t->flags), &a->ip, &rip);
	if (r == -EINVAL)
		r = -ENETUNREACH; /* IPV6_V6ONLY and an IPv4-mapped peer, as Linux says */
	if (r < 0)
		return r;
	uint16_t lport = t->h.key.lport, rport = a->port;
	if (sk_ip_is_any(&rip) || rport == 0)
		return -EINVAL;
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	if (sk_ends_aim(&e, &rip) < 0) /* an AF_INET6 socket to an IPv4 peer: from :: only */
		return -ENETUNREACH;
	if (sk_ends_local_any(&e) && sk_route_src_ends(st, &e) < 0)
		return -ENETUNREACH;
	if (lport) {
		if (!tuple_free(st, &e, lport, rport))
			return -EADDRINUSE;
	} else {
		r = pick_ephemeral(st, &e, &lport, rport);
		if (r < 0)
			return r;
	}
	sk_conn_set_ends(&t->h, &e);
	t->h.key.lport = lport;
	t->h.key.rport = rport;
	t->iss = sk_tcp_isn(st, &e, lport, rport);
	t->snd_una = t->snd_nxt = t->snd_max = t->iss;
	t->adv_mss = sk_tcp_our_mss(st, &e, sk_tcb_opts(t).user_mss);
	t->rcv_wscale = st->cfg.tcp_window_scaling ? sk_tcp_wscale_for(st, t) : 0;
	t->ts_offset = sk_tcp_ts_offset(st, &e);
	t->rto = st->cfg.tcp_rto_initial_ms * 1000u;
	t->backoff = 0;
	t->soerror = 0;
	t->flags |= TF_CONNECTING | TF_ACCEPTED;
	sk_ctable_add(st, &t->h);
	st->stats.tcp_active_opens++;
	sk_tcb_set_state(st, t, SYNACK_SYN_SENT, "connect()");
	sk_tcp_output(st, t);
	return -EINPROGRESS;
}

static int take_error(struct sk_tcb *t)
{
	int e = t->soerror;
	t->soerror = 0;
	return e;
}

/* Whether t's application may queue data now: 0, or the errno send(2) gives. */
static int send_ok(struct sk_tcb *t)
{
	if (t->soerror)
		return -take_error(t);
	switch (t->state) {
	case SYNACK_ESTABLISHED:
	case SYNACK_CLOSE_WAIT:
		break;
	case SYNACK_SYN_SENT:
	case SYNACK_SYN_RCVD:
		return -EAGAIN;
	case SYNACK_CLOSED:
	case SYNACK_LISTEN:
		return (t->flags & TF_ACCEPTED) && t->state == SYNACK_CLOSED ? -EPIPE : -ENOTCONN;
	default:
		return -EPIPE;
	}
	return (t->flags & TF_FIN_QUEUED) ? -EPIPE : 0;
}

/* Output after a send call: a short tail may wait for the caller's next send (autocorking,
 * tcp/output.c). */
static void output_from_send(synack_stack *st, struct sk_tcb *t)
{
	st->in_send = 1;
	sk_tcp_output(st, t);
	st->in_send = 0;
}

ssize_t synack_send_fill(synack_stack *st, int sock, size_t len, ssize_t (*fill)(void *ctx, void *buf, size_t len),
			 void *ctx)
{
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return get_any(st, sock) ? -EOPNOTSUPP : -EBADF; /* a datagram socket: use send */
	if (!fill)
		return -EFAULT;
	int ok = send_ok(t);
	if (ok < 0 || len == 0)
		return ok;
	uint32_t limit = sk_tcb_sndbuf(st, t);
	if (t->snd.len >= limit) {
		sk_ready_rearm(st, sock, SYNACK_EV_OUT);
		return -EAGAIN;
	}
	uint32_t n = len > limit - t->snd.len ? limit - t->snd.len : (uint32_t)len;
	int r = sk_bytes_fill(st, &t->snd, n, limit, fill, ctx);
	if (r > 0)
		output_from_send(st, t);
	return r;
}

static ssize_t do_send(synack_stack *st, int sock, const void *buf, size_t len, int flags)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return sk_udp_sendto(st, u, buf, len, NULL);
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	if (t->soerror)
		return -take_error(t);
	if (!buf && len)
		return -EFAULT;
	int ok = send_ok(t);
	if (ok < 0 || len == 0)
		return ok;
	uint32_t limit = sk_tcb_sndbuf(st, t);
	if (t->snd.len >= limit)
		return -EAGAIN;
	uint32_t n = len > limit - t->snd.len ? limit - t->snd.len : (uint32_t)len;
	int r = sk_bytes_push(st, &t->snd, buf, n, limit);
	if (r < 0)
		return r;
	if (flags & SYNACK_MSG_MORE)
		t->flags |= TF_MORE;
	output_from_send(st, t);
	t->flags &= ~TF_MORE;
	return r;
}

/* Receive-buffer autotuning, after Linux's dynamic right-sizing (tcp_rcv_space_adjust):
 * once per round trip, the buffer becomes (at least) eight times what the application read
 * in the round before, within tcp_rmem[2]. Eight: the sender doubles its flight each round
 * in slow start, the window must reach a flight beyond that one, and the flight that has
 * arrived but is not read yet takes room too (the runtime hands a whole batch to the stack
 * before the application reads); Linux's rule (twice the amount plus 16 segments, plus three
 * times the growth) comes to as much in slow start. A round starts with the first read at
 * least three quarters of an RTT after the last one began, so that an application woken
 * once per arriving flight, a hair earlier each time, counts each flight whole and once;
 * what the round read is scaled to a whole RTT. */
static void autotune_rcvbuf(struct synack_stack *st, struct sk_tcb *t, uint32_t n)
{
	if (t->flags & TF_RCVBUF_LOCK)
		return; /* SO_RCVBUF fixed it */
	uint64_t rtt = t->srtt ? t->srtt : 200000, elapsed = sk_age_us(st->now, t->rcv_mark);
	if (elapsed >= rtt - rtt / 4) {
		uint64_t copied = elapsed < rtt ? (uint64_t)t->rcv_copied * rtt / elapsed : t->rcv_copied;
		uint64_t want = 8 * copied;
		if (want > st->cfg.tcp_rmem[2])
			want = st->cfg.tcp_rmem[2];
		if (want > t->rcvbuf)
			t->rcvbuf = (uint32_t)want;
		t->rcv_copied = 0;
		t->rcv_mark = sk_stamp_us(st->now);
	}
	t->rcv_copied += n;
}

/* After the application reads, announce a window that the read opened enough (below). */
static void maybe_window_update(struct synack_stack *st, struct sk_tcb *t)
{
	if (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_FIN_WAIT_1 && t->state != SYNACK_FIN_WAIT_2)
		return;
	uint32_t offered = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	uint32_t now = sk_tcb_rcv_window(t);
	/* Only what the window field can carry counts: without window scaling an update
	 * beyond 65535 would repeat the old window, a pure waste of a segment. */
	if (now > (uint32_t)65535 << t->rcv_wscale)
		now = (uint32_t)65535 << t->rcv_wscale;
	/* As Linux's tcp_cleanup_rbuf: an update is worth a segment when the window left is
	 * at most half the largest and the read at least doubles it; and never a sliver
	 * (receiver SWS avoidance, RFC 1122 4.2.3.3: at least min(RCV.BUFF / 2, MSS)). One
	 * case of synack's own: a read that empties the buffer sends it once the window is
	 * half as large again. The runtime hands the stack a whole flight as one batch before
	 * the application reads, so the batch's ACK offers the buffer less that flight, and the
	 * read that follows opens it by less than double; Linux's reader drains between
	 * segments and its ACKs say so. Only a read that empties the buffer: after a partial
	 * one, an update would fix a window that the final read could not raise by half again
	 * (docs/loss-recovery.md section 18; tests/tcp/test_rcv_window.c). */
	uint32_t clamp = t->rcvbuf < (uint32_t)65535 << t->rcv_wscale ? t->rcvbuf : (uint32_t)65535 << t->rcv_wscale;
	if (2ull * offered > clamp || (now < t->mss && now < t->rcvbuf / 2))
		return;
	if (now > offered && (now >= 2ull * offered || (t->rcv.len == 0 && 2ull * now >= 3ull * offered))) {
		t->flags |= TF_ACKNOW;
		sk_tcp_output(st, t);
	}
}

/* n bytes the application read: gone from the buffer, which shrinks when empty; what the
 * reading tells autotuning, the ACK and the window. */
static void taken(synack_stack *st, struct sk_tcb *t, uint32_t n)
{
	sk_bytes_drop(&t->rcv, n);
	if (!t->asmb)
		sk_bytes_shrink(st, &t->rcv); /* an idle connection holds no buffer (CONN-3) */
	autotune_rcvbuf(st, t, n);
	if (sk_ack_after_read(st, t, n)) {
		t->flags |= TF_ACKNOW;
		sk_tcp_output(st, t);
	}
	maybe_window_update(st, t);
}

/* A read that finds no data: the pending error, end of file, or -EAGAIN. Once the peer's
 * FIN was read up to, end of file wins and the error stays for SO_ERROR and the next send,
 * as Linux's tcp_recvmsg looks at SOCK_DONE before sk_err. */
static ssize_t nothing_to_read(struct sk_tcb *t, size_t len)
{
	if (t->soerror && !(t->flags & TF_FIN_RCVD))
		return -take_error(t);
	if ((t->flags & (TF_FIN_RCVD | TF_SHUT_RD)) || t->state == SYNACK_CLOSED)
		return (t->flags & TF_ACCEPTED) || t->state != SYNACK_CLOSED ? 0 : -ENOTCONN;
	if (len == 0)
		return 0;
	return -EAGAIN;
}

static ssize_t do_recv(synack_stack *st, int sock, void *buf, size_t len, int flags)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return sk_udp_recvfrom(st, u, buf, len, flags, NULL);
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	if (!buf && len)
		return -EFAULT;
	if (t->state == SYNACK_LISTEN)
		return -ENOTCONN;
	if (t->rcv.len && len) {
		uint32_t n = sk_bytes_peek(&t->rcv, 0, buf, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
		if (flags & SYNACK_MSG_PEEK)
			return n;
		taken(st, t, n);
		return n;
	}
	return nothing_to_read(t, len);
}

ssize_t synack_recv_drain(synack_stack *st, int sock, size_t len,
			  ssize_t (*drain)(void *ctx, const void *buf, size_t len), void *ctx)
{
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return get_any(st, sock) ? -EOPNOTSUPP : -EBADF; /* a datagram socket: use recv */
	if (!drain)
		return -EFAULT;
	if (t->state == SYNACK_LISTEN)
		return -ENOTCONN;
	if (t->rcv.len && len) {
		ssize_t n = sk_bytes_drain(&t->rcv, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len, drain, ctx);
		if (n > 0)
			taken(st, t, (uint32_t)n);
		return n;
	}
	ssize_t r = nothing_to_read(t, len);
	if (r == -EAGAIN)
		sk_ready_rearm(st, sock, SYNACK_EV_IN);
	return r;
}

/* ESTABLISHED -> FIN-WAIT-1, CLOSE-WAIT -> LAST-ACK: the FIN follows the queued data. */
static void queue_fin(struct synack_stack *st, struct sk_tcb *t, const char *cause)
{
	if (t->flags & TF_FIN_QUEUED)
		return;
	t->flags |= TF_FIN_QUEUED;
	if (t->state == SYNACK_ESTABLISHED)
		sk_tcb_set_state(st, t, SYNACK_FIN_WAIT_1, cause);
	else if (t->state == SYNACK_CLOSE_WAIT)
		sk_tcb_set_state(st, t, SYNACK_LAST_ACK, cause);
	sk_tcp_output(st, t);
}

/* A listener stops: its half-open and queued connections are reset (those already reset are
 * just freed), it leaves the listener table and is CLOSED again, still bound. */
static void stop_listening(struct synack_stack *st, struct sk_tcb *l, const char *cause)
{
	sk_syn_drop_all(st, l);
	while (l->lst->aq_head) {
		struct sk_tcb *t = l->lst->aq_head;
		sk_tcb_unqueue(st, t);
		if (t->state == SYNACK_CLOSED) {
			sk_tcb_free(st, t); /* reset while it waited: nothing to tell the peer */
			continue;
		}
		/* Never accepted: reset it, as the application will never serve it. */
		sk_tcp_send_rst_tcb(st, t);
		sk_tcb_drop(st, t, ECONNRESET, "listener closed");
	}
	sk_listener_del(st, l);
	free(l->lst);
	l->lst = NULL;
	sk_tcb_set_state(st, l, SYNACK_CLOSED, cause);
}

static void close_listener(struct synack_stack *st, struct sk_tcb *l)
{
	stop_listening(st, l, "close()");
	sk_tcb_free(st, l);
}

static int do_shutdown(synack_stack *st, int sock, int how)
{
	if (how != SYNACK_SHUT_RD && how != SYNACK_SHUT_WR && how != SYNACK_SHUT_RDWR)
		return get_any(st, sock) ? -EINVAL : -EBADF;
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return sk_udp_shutdown(st, u, how);
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	if (t->state == SYNACK_LISTEN) {
		/* As Linux's inet_shutdown: SHUT_WR leaves a listener as it is; SHUT_RD stops it,
		 * and accept() then says EINVAL: how a threaded server wakes the thread that
		 * waits in accept() */
		if (how != SYNACK_SHUT_WR)
			stop_listening(st, t, "shutdown()");
		return 0;
	}
	if (t->state == SYNACK_CLOSED || t->state == SYNACK_SYN_SENT)
		return -ENOTCONN;
	if (how != SYNACK_SHUT_WR) {
		t->flags |= TF_SHUT_RD;
		sk_bytes_free(st, &t->rcv);
		free(t->asmb);
		t->asmb = NULL;
	}
	if (how != SYNACK_SHUT_RD)
		queue_fin(st, t, "shutdown()");
	return 0;
}

int synack_close(synack_stack *st, int sock)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u) {
		handle_free(st, sock);
		sk_udp_close(st, u);
		return 0;
	}
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	handle_free(st, sock);
	if (t->flags & TF_BOUND)
		bind_ref(st, t->h.key.lport, -1);
	t->handle = -1;
	t->flags |= TF_APP_CLOSED;
	switch (t->state) {
	case SYNACK_LISTEN:
		close_listener(st, t);
		return 0;
	case SYNACK_CLOSED:
		sk_tcb_free(st, t);
		return 0;
	case SYNACK_SYN_SENT:
		sk_tcb_drop(st, t, 0, "close()");
		return 0;
	default:
		break;
	}
	if ((t->flags & TF_LINGER0) || t->rcv.len) {
		/* TW-6: SO_LINGER 0 aborts; so does closing with unread data (RFC 9293
		 * 3.10.4: the peer must learn its data was not read). */
		sk_tcp_send_rst_tcb(st, t);
		sk_tcb_drop(st, t, 0, "close() aborted with RST");
		return 0;
	}
	if (t->state == SYNACK_FIN_WAIT_2)
		sk_tcb_timer_set(st, t, SK_TT_KEEP, st->now + (uint64_t)st->cfg.tcp_fin_timeout_ms * 1000);
	queue_fin(st, t, "close()");
	return 0;
}

int synack_getsockname(synack_stack *st, int sock, struct synack_sockaddr *a)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u && a) {
		sk_udp_names(u, a, NULL, NULL);
		return 0;
	}
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	if (!a)
		return -EFAULT;
	*a = sock_name(t, 0);
	return 0;
}

int synack_getpeername(synack_stack *st, int sock, struct synack_sockaddr *a)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u && a) {
		int connected;
		sk_udp_names(u, NULL, a, &connected);
		return connected ? 0 : -ENOTCONN;
	}
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	if (!a)
		return -EFAULT;
	if (t->state == SYNACK_LISTEN || t->state == SYNACK_CLOSED || t->state == SYNACK_SYN_SENT)
		return -ENOTCONN;
	*a = sock_name(t, 1);
	return 0;
}

static int int_opt(const void *val, size_t len, int *out)
{
	if (!val || len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

int synack_setsockopt(synack_stack *st, int sock, int level, int name, const void *val, size_t len)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u) {
		int iv;
		int r = int_opt(val, len, &iv);
		return r < 0 ? r : sk_udp_setsockopt(st, u, level, name, iv);
	}
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	int v = 0;
	if (level == SYNACK_SOL_SOCKET && name == SYNACK_SO_LINGER) {
		struct synack_linger lg;
		if (!val || len < sizeof(lg))
			return -EINVAL;
		memcpy(&lg, val, sizeof(lg));
		/* As Linux: on with a time of 0 (or below) aborts on close(); on with a time
		 * makes close() wait for the FIN's ACK that long (sk_px_close). */
		struct sk_sockopts *o = lg.l_onoff && lg.l_linger > 0 ? sk_tcb_opts_edit(t) : t->cold ? &t->cold->o : NULL;
		if (lg.l_onoff && lg.l_linger > 0 && !o)
			return -ENOMEM;
		t->flags &= ~(TF_LINGER0 | TF_LINGER);
		if (o)
			o->linger_s = 0;
		if (lg.l_onoff && lg.l_linger <= 0) {
			t->flags |= TF_LINGER0;
		} else if (lg.l_onoff) {
			t->flags |= TF_LINGER;
			o->linger_s = (uint32_t)lg.l_linger;
		}
		return 0;
	}
	if (level == SYNACK_IPPROTO_TCP && name == SYNACK_TCP_CONGESTION) {
		if (!val || len == 0)
			return -EINVAL;
		char nm[16];
		size_t n = strnlen(val, len);
		if (n >= sizeof(nm))
			return -ENOENT;
		memcpy(nm, val, n);
		nm[n] = 0;
		int algo = sk_cc_find(nm);
		if (algo < 0)
			return -ENOENT; /* as Linux for an unknown algorithm */
		/* CC-4: a connection keeps its window and starts the new algorithm's state. */
		uint32_t cwnd = t->cc.cwnd, ssthresh = t->cc.ssthresh;
		sk_cc_select(&t->cc, algo, t->cc.mss ? t->cc.mss : 536, st->cfg.tcp_init_cwnd);
		if (t->state >= SYNACK_ESTABLISHED) {
			t->cc.cwnd = cwnd;
			t->cc.ssthresh = ssthresh;
		}
		return 0;
	}
	int r = int_opt(val, len, &v);
	if (r < 0)
		return r;
	if (level == SYNACK_SOL_SOCKET) {
		switch (name) {
		case SYNACK_SO_KEEPALIVE:
			if (v)
				t->flags |= TF_KEEPALIVE;
			else
				t->flags &= ~TF_KEEPALIVE;
			/* Any synchronized state, as the keepalive timer watches them all. */
			if (v && t->state >= SYNACK_ESTABLISHED && t->state < SYNACK_TIME_WAIT) {
				uint32_t idle = sk_tcb_keepidle_s(st, t);
				sk_tcb_timer_set(st, t, SK_TT_KEEP, sk_when_ms(st->now, t->last_rcv) + (uint64_t)idle * 1000000);
			} else if (!v) {
				sk_tcb_timer_clear(st, t, SK_TT_KEEP);
			}
			return 0;
		case SYNACK_SO_REUSEADDR:
			if (v)
				t->flags |= TF_REUSEADDR;
			else
				t->flags &= ~TF_REUSEADDR;
			return 0;
		case SYNACK_SO_SNDBUF: {
			/* Linux's sock_setsockopt: min(v, wmem_max) doubled (for bookkeeping,
			 * which getsockopt shows), at least SOCK_MIN_SNDBUF; no autotuning. */
			uint32_t max = st->cfg.core_wmem_max ? st->cfg.core_wmem_max : 212992;
			uint32_t want = (uint32_t)v < max ? (uint32_t)v : max;
			struct sk_sockopts *o = sk_tcb_opts_edit(t);
			if (!o)
				return -ENOMEM;
			o->user_sndbuf = 2 * want > PX_MIN_SNDBUF ? 2 * want : PX_MIN_SNDBUF;
			sk_tcp_output(st, t);
			return 0;
		}
		case SYNACK_SO_RCVBUF: {
			/* The same doubling; the window is about half of it, as Linux's
			 * tcp_win_from_space at its default scaling ratio. */
			uint32_t max = st->cfg.core_rmem_max ? st->cfg.core_rmem_max : 212992;
			uint32_t want = (uint32_t)v < max ? (uint32_t)v : max;
			uint32_t linux_buf = 2 * want > PX_MIN_RCVBUF ? 2 * want : PX_MIN_RCVBUF;
			sk_tcb_set_rcvbuf(t, linux_buf / 2);
			t->flags |= TF_RCVBUF_LOCK;
			return 0;
		}
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == SYNACK_IPPROTO_IPV6 && name == SYNACK_IPV6_V6ONLY && (t->flags & TF_SOCK6)) {
		/* as Linux: only before the socket has a port */
		if (t->state != SYNACK_CLOSED || t->h.key.lport)
			return -EINVAL;
		t->flags = v ? t->flags | TF_V6ONLY : t->flags & ~TF_V6ONLY;
		return 0;
	}
	if (level != SYNACK_IPPROTO_TCP)
		return -ENOPROTOOPT;
	switch (name) {
	case SYNACK_TCP_NODELAY:
		if (v)
			t->flags |= TF_NODELAY;
		else
			t->flags &= ~TF_NODELAY;
		sk_tcp_output(st, t);
		return 0;
	case SYNACK_TCP_KEEPIDLE:
	case SYNACK_TCP_KEEPINTVL:
		if (v < 1 || v > 32767) /* Linux's MAX_TCP_KEEPIDLE / KEEPINTVL */
			return -EINVAL;
		if (!sk_tcb_opts_edit(t))
			return -ENOMEM;
		if (name == SYNACK_TCP_KEEPIDLE)
			t->cold->o.keepidle_s = (uint16_t)v;
		else
			t->cold->o.keepintvl_s = (uint16_t)v;
		if (name == SYNACK_TCP_KEEPIDLE && (t->flags & TF_KEEPALIVE) && t->deadline[SK_TT_KEEP] != UINT64_MAX &&
		    t->keep_sent == 0)
			sk_tcb_timer_set(st, t, SK_TT_KEEP, sk_when_ms(st->now, t->last_rcv) + (uint64_t)v * 1000000);
		return 0;
	case SYNACK_TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		if (!sk_tcb_opts_edit(t))
			return -ENOMEM;
		t->cold->o.keepcnt = (uint8_t)v;
		return 0;
	case SYNACK_TCP_MAXSEG:
		/* As on Linux: it shapes the connections made after it (connect, or those
		 * a listener accepts), announced and sent alike. */
		if (v < 88 || v > 65495)
			return -EINVAL;
		if (!sk_tcb_opts_edit(t))
			return -ENOMEM;
		t->cold->o.user_mss = (uint16_t)v;
		return 0;
	case SYNACK_TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		if (v && !sk_tcb_opts_edit(t))
			return -ENOMEM;
		if (t->cold)
			t->cold->o.user_timeout_ms = (uint32_t)v;
		return 0;
	case SYNACK_TCP_CORK:
		if (v) {
			t->flags |= TF_CORK;
		} else {
			t->flags &= ~TF_CORK;
			sk_tcp_output(st, t); /* what waited for a full segment goes now */
		}
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int put_int(void *val, size_t *len, int v)
{
	if (!val || !len || *len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(int));
	*len = sizeof(int);
	return 0;
}

static void fill_info(const struct synack_stack *st, const struct sk_tcb *t, struct synack_tcp_info *i)
{
	memset(i, 0, sizeof(*i));
	i->state = t->state;
	i->snd_wscale = t->snd_wscale;
	i->rcv_wscale = t->rcv_wscale;
	i->options = (uint8_t)(((t->flags & TF_TS) ? 1 : 0) | ((t->flags & TF_SACK) ? 2 : 0) | ((t->flags & TF_WS) ? 4 : 0));
	i->rto_us = t->rto;
	i->srtt_us = t->srtt;
	i->rttvar_us = t->rttvar;
	i->snd_mss = t->state >= SYNACK_ESTABLISHED ? sk_tcp_eff_mss(t) : t->mss;
	i->rcv_mss = t->adv_mss;
	i->snd_cwnd = t->cc.cwnd;
	i->snd_ssthresh = t->cc.ssthresh;
	i->sack_recoveries = sk_tcb_cold_view(t)->sack_recoveries;
	i->dsacks = sk_tcb_cold_view(t)->dsacks;
	i->rcvbuf = t->rcvbuf;
	i->bytes_in_flight = t->snd_max - t->snd_una;
	i->retransmits = t->backoff;
	i->total_retrans = sk_tcb_cold_view(t)->total_retrans;
	i->backoff = t->backoff;
	i->snd_wnd = t->snd_wnd;
	i->rcv_wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
	i->snd_una = t->snd_una - t->iss;
	i->snd_nxt = t->snd_nxt - t->iss;
	i->mem_bytes = sk_tcb_mem(t);
	(void)st;
}

static int do_getsockopt(synack_stack *st, int sock, int level, int name, void *val, size_t *len)
{
	struct sk_conn *u = udp_get(st, sock);
	struct sk_tcb *t = get(st, sock);
	if (!t && !u)
		return -EBADF;
	if (!val || !len)
		return -EFAULT;
	if (u) {
		int v;
		int r = sk_udp_getsockopt(st, u, level, name, &v);
		return r < 0 ? r : put_int(val, len, v);
	}
	if (level == SYNACK_IPPROTO_IPV6 && name == SYNACK_IPV6_V6ONLY && (t->flags & TF_SOCK6))
		return put_int(val, len, (t->flags & TF_V6ONLY) != 0);
	if (level == SYNACK_SOL_SOCKET) {
		switch (name) {
		case SYNACK_SO_TYPE:
			return put_int(val, len, SYNACK_SOCK_STREAM);
		case SYNACK_SO_PROTOCOL:
			return put_int(val, len, SYNACK_IPPROTO_TCP);
		case SYNACK_SO_DOMAIN:
			return put_int(val, len, (t->flags & TF_SOCK6) ? SYNACK_AF_INET6 : SYNACK_AF_INET);
		case SYNACK_SO_ACCEPTCONN:
			return put_int(val, len, t->state == SYNACK_LISTEN);
		case SYNACK_SO_RCVBUF:
			return put_int(val, len, (int)((t->flags & TF_RCVBUF_LOCK) ? 2 * t->rcvbuf : t->rcvbuf));
		case SYNACK_SO_SNDBUF:
			return put_int(val, len, (int)sk_tcb_sndbuf(st, t));
		case SYNACK_SO_ERROR: {
			/* With no error pending, a soft one heard (an ICMP error the connection
			 * outlived: RFC 1122 4.2.3.9 "SHOULD make the information available"),
			 * once, as Linux's sk_err_soft. */
			int e = take_error(t);
			if (!e) {
				e = t->soft_err;
				t->soft_err = 0;
			}
			return put_int(val, len, e);
		}
		case SYNACK_SO_KEEPALIVE:
			return put_int(val, len, !!(t->flags & TF_KEEPALIVE));
		case SYNACK_SO_REUSEADDR:
			return put_int(val, len, !!(t->flags & TF_REUSEADDR));
		case SYNACK_SO_LINGER: {
			struct synack_linger lg = {!!(t->flags & (TF_LINGER0 | TF_LINGER)), (int)sk_tcb_opts(t).linger_s};
			if (*len < sizeof(lg))
				return -EINVAL;
			memcpy(val, &lg, sizeof(lg));
			*len = sizeof(lg);
			return 0;
		}
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level != SYNACK_IPPROTO_TCP)
		return -ENOPROTOOPT;
	switch (name) {
	case SYNACK_TCP_NODELAY:
		return put_int(val, len, !!(t->flags & TF_NODELAY));
	case SYNACK_TCP_CORK:
		return put_int(val, len, !!(t->flags & TF_CORK));
	case SYNACK_TCP_USER_TIMEOUT:
		return put_int(val, len, (int)sk_tcb_opts(t).user_timeout_ms);
	case SYNACK_TCP_KEEPIDLE:
		return put_int(val, len, (int)sk_tcb_keepidle_s(st, t));
	case SYNACK_TCP_KEEPINTVL:
		return put_int(val, len, (int)sk_tcb_keepintvl_s(st, t));
	case SYNACK_TCP_KEEPCNT:
		return put_int(val, len, sk_tcb_keepcnt(st, t));
	case SYNACK_TCP_MAXSEG: {
		uint16_t user = sk_tcb_opts(t).user_mss;
		return put_int(val, len, t->state >= SYNACK_ESTABLISHED ? (int)sk_tcp_eff_mss(t) : user ? user : 536);
	}
	case SYNACK_TCP_INFO: {
		struct synack_tcp_info info;
		fill_info(st, t, &info);
		size_t n = *len < sizeof(info) ? *len : sizeof(info);
		memcpy(val, &info, n);
		*len = n;
		return 0;
	}
	case SYNACK_TCP_CONGESTION: {
		const char *cc = sk_cc_name(t->cc.algo);
		size_t n = strlen(cc) + 1;
		if (*len < n)
			return -EINVAL;
		memcpy(val, cc, n);
		*len = n;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
}

int synack_events(synack_stack *st, int sock)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return sk_udp_events(st, u);
	struct sk_tcb *t = get(st, sock);
	if (!t)
		return -EBADF;
	if (t->state == SYNACK_LISTEN)
		return t->lst->aq_len ? SYNACK_EV_IN : 0;
	/* Linux's tcp_poll. A connection that ended (reset, timed out, closed) is shut both
	 * ways; a socket that never connected is closed, not shut. */
	uint32_t ev = 0;
	int ended = t->state == SYNACK_CLOSED && (t->flags & TF_ACCEPTED);
	int rcv_shut = ended || (t->flags & (TF_FIN_RCVD | TF_SHUT_RD));
	int snd_shut = ended || (t->flags & TF_FIN_QUEUED);
	if ((rcv_shut && snd_shut) || t->state == SYNACK_CLOSED)
		ev |= SYNACK_EV_HUP;
	if (rcv_shut)
		ev |= SYNACK_EV_IN | SYNACK_EV_RDHUP;
	if (t->state != SYNACK_SYN_SENT && t->state != SYNACK_SYN_RCVD) {
		if (t->rcv.len)
			ev |= SYNACK_EV_IN;
		/* Writable while at least a third of the buffer is free (sk_stream_is_writeable:
		 * free space at least half of what is queued). */
		uint32_t buf = sk_tcb_sndbuf(st, t);
		if (snd_shut || (t->snd.len <= buf && buf - t->snd.len >= t->snd.len / 2))
			ev |= SYNACK_EV_OUT;
	}
	if (t->soerror)
		ev |= SYNACK_EV_ERR;
	if (t->state == SYNACK_CLOSED || t->state == SYNACK_FIN_WAIT_2 || t->state == SYNACK_TIME_WAIT)
		ev |= SYNACK_EV_SENT; /* our FIN is acknowledged, or there is none to be */
	return (int)ev;
}

static ssize_t do_sendto(synack_stack *st, int sock, const void *buf, size_t len, int flags,
			 const struct synack_sockaddr *to)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return sk_udp_sendto(st, u, buf, len, to);
	/* A stream socket ignores the address, as sendto(2) on a connected TCP socket may. */
	return synack_send(st, sock, buf, len, flags);
}

static ssize_t do_recvfrom(synack_stack *st, int sock, void *buf, size_t len, int flags,
			   struct synack_sockaddr *from)
{
	struct sk_conn *u = udp_get(st, sock);
	if (u)
		return sk_udp_recvfrom(st, u, buf, len, flags, from);
	ssize_t n = synack_recv(st, sock, buf, len, flags);
	if (n >= 0 && from && synack_getpeername(st, sock, from) < 0)
		*from = synack_sa_any(SYNACK_AF_INET, 0);
	return n;
}

/* ---- listing (ss) ---- */

static const char *tcb_timer(const struct sk_tcb *t, uint64_t *at)
{
	/* The timer ss would name: retransmission or persist first, then keepalive, then the
	 * FIN-WAIT-2 limit (which Linux shows as timewait). */
	static const struct {
		enum sk_tt which;
		const char *name;
	} order[] = {{SK_TT_REXMT, "on"}, {SK_TT_PERSIST, "persist"}, {SK_TT_KEEP, "keepalive"}};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (sk_tcb_deadline(t, order[i].which) != UINT64_MAX) {
			*at = sk_tcb_deadline(t, order[i].which);
			return order[i].which == SK_TT_KEEP && sk_tcb_fin_wait_2_limited(t) ? "timewait" : order[i].name;
		}
	return NULL;
}

static void list_tcb(struct synack_stack *st, struct sk_tcb *t, synack_sock_fn fn, void *ctx)
{
	struct synack_tcp_info info;
	struct synack_sock_entry e = {.sock = t->handle, .type = SYNACK_SOCK_STREAM, .state = t->state,
				      .local = sock_name(t, 0), .remote = sock_name(t, 1), .retrans = t->backoff};
	if (t->state == SYNACK_LISTEN) {
		e.recv_q = t->lst->aq_len;
		e.send_q = t->lst->backlog;
	} else {
		e.recv_q = t->rcv.len;
		e.send_q = t->snd.len;
		e.timer = tcb_timer(t, &e.timer_at);
		if (t->state != SYNACK_CLOSED) {
			fill_info(st, t, &info);
			e.info = &info;
		}
	}
	fn(ctx, &e);
}

void synack_sock_foreach(synack_stack *st, synack_sock_fn fn, void *ctx)
{
	if (!st || !fn)
		return;
	for (uint32_t i = 0; i < st->handles.used; i++) {
		struct sk_conn *c = st->handles.v[i];
		if (!c)
			continue;
		if (c->kind == SK_CONN_TCB) {
			list_tcb(st, (struct sk_tcb *)c, fn, ctx);
			continue;
		}
		struct synack_sock_entry e = {.sock = (int)i, .type = SYNACK_SOCK_DGRAM};
		int connected;
		sk_udp_names(c, &e.local, &e.remote, &connected);
		e.state = connected ? SYNACK_ESTABLISHED : SYNACK_CLOSED;
		e.recv_q = sk_udp_queued(c);
		fn(ctx, &e);
	}
	/* Records no socket owns: orphans still closing, connections waiting in an accept
	 * queue, half-open and TIME-WAIT records. */
	for (size_t b = 0; b <= st->conns.mask; b++) {
		for (struct sk_conn *c = st->conns.b[b]; c; c = c->hnext) {
			struct synack_sock_entry e = {.sock = -1, .type = SYNACK_SOCK_STREAM,
						      .local = sk_conn_local(c), .remote = sk_conn_remote(c)};
			if (c->kind == SK_CONN_TCB) {
				if (((struct sk_tcb *)c)->handle < 0)
					list_tcb(st, (struct sk_tcb *)c, fn, ctx);
				continue;
			}
			if (c->kind == SK_CONN_SYN) {
				struct sk_syn *y = (struct sk_syn *)c;
				e.state = SYNACK_SYN_RCVD;
				e.timer = "on";
				e.timer_at = y->timer.deadline;
				e.retrans = y->retries;
			} else if (c->kind == SK_CONN_TW) {
				struct sk_tw *w = (struct sk_tw *)c;
				e.state = SYNACK_TIME_WAIT;
				e.timer = "timewait";
				e.timer_at = w->expires;
			} else {
				continue;
			}
			fn(ctx, &e);
		}
	}
}

/* ---- the calls' public faces: each tells readiness (stack/ready.c) what it found ---- */

int synack_accept(synack_stack *st, int sock, struct synack_sockaddr *peer)
{
	int r = do_accept(st, sock, peer);
	if (r == -EAGAIN)
		sk_ready_rearm(st, sock, SYNACK_EV_IN);
	return r;
}

int synack_connect(synack_stack *st, int sock, const struct synack_sockaddr *a)
{
	int r = do_connect(st, sock, a);
	if (r == -EINPROGRESS)
		sk_ready_rearm(st, sock, ~0u);
	return r;
}

ssize_t synack_send(synack_stack *st, int sock, const void *buf, size_t len, int flags)
{
	ssize_t r = do_send(st, sock, buf, len, flags);
	if (r == -EAGAIN)
		sk_ready_rearm(st, sock, SYNACK_EV_OUT);
	return r;
}

ssize_t synack_recv(synack_stack *st, int sock, void *buf, size_t len, int flags)
{
	ssize_t r = do_recv(st, sock, buf, len, flags);
	if (r == -EAGAIN)
		sk_ready_rearm(st, sock, SYNACK_EV_IN);
	return r;
}

ssize_t synack_sendto(synack_stack *st, int sock, const void *buf, size_t len, int flags,
		      const struct synack_sockaddr *to)
{
	ssize_t r = do_sendto(st, sock, buf, len, flags, to);
	if (r == -EAGAIN)
		sk_ready_rearm(st, sock, SYNACK_EV_OUT);
	return r;
}

ssize_t synack_recvfrom(synack_stack *st, int sock, void *buf, size_t len, int flags,
			struct synack_sockaddr *from)
{
	ssize_t r = do_recvfrom(st, sock, buf, len, flags, from);
	if (r == -EAGAIN)
		sk_ready_rearm(st, sock, SYNACK_EV_IN);
	return r;
}

int synack_shutdown(synack_stack *st, int sock, int how)
{
	int r = do_shutdown(st, sock, how);
	if (r == 0)
		sk_ready_touch(st, sock); /* SHUT_RD makes it readable (end of stream) */
	return r;
}

int synack_getsockopt(synack_stack *st, int sock, int level, int name, void *val, size_t *len)
{
	int r = do_getsockopt(st, sock, level, name, val, len);
	if (r == 0 && level == SYNACK_SOL_SOCKET && name == SYNACK_SO_ERROR)
		sk_ready_rearm(st, sock, SYNACK_EV_ERR);
	return r;
}
