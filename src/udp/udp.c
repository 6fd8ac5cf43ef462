/* UDP sockets: RFC 768 datagrams, RFC 1122 4.1 (checksums verified when present, ICMP
 * errors passed up, port unreachable for closed ports), and tunnel mode's UDP flows
 * (TNL-3): a socket per flow to an address not the stack's, made when its first datagram
 * arrives and ended when idle. */
#include "udp/udp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/addr.h"
#include "tcp/tcb.h" /* struct sk_conn and its kinds */
#include "wire/udp.h"

#define UDP_BUCKETS 256u
#define UDP_RCVBUF_DEFAULT 212992u /* Linux's rmem_default */
#define UDP_MAX_PAYLOAD (65535u - 20u - 8u)
#define FLOW_BACKLOG 1024u /* flows waiting for synack_accept on the tunnel socket */

/* UF_SOCK6: an AF_INET6 socket (IPv4 peers IPv4-mapped); UF_V6ONLY: IPV6_V6ONLY. */
/* UF_ADDR: bind() named the local address (connect does not move it, as Linux's
 * SOCK_BINDADDR_LOCK). */
/* UF_TUNNEL: the socket that takes tunnel mode's UDP flows; UF_FLOW: one such flow. */
enum { UF_BOUND = 1, UF_CONNECTED = 2, UF_SHUT_RD = 4, UF_SHUT_WR = 8, UF_REUSEADDR = 16, UF_SOCK6 = 32, UF_V6ONLY = 64,
       UF_ADDR = 128, UF_TUNNEL = 256, UF_FLOW = 512 };

struct dgram {
	struct dgram *next;
	struct synack_ip from_addr;
	uint16_t from_port;
	uint32_t len;
	uint8_t data[];
};

struct sk_udpsock {
	struct sk_conn h; /* key: lport, and rport when connected (the addresses are in e) */
	struct sk_timer timer; /* tunnel mode: a flow's idle timer */
	struct sk_ends e; /* local address (any: unset), peer when connected; e.v6 is the
			   * family of both, IPv4 for an AF_INET6 socket's IPv4 use */
	struct sk_udpsock *bnext, **bprev; /* port bucket chain */
	int handle; /* the socket's handle (for readiness) */
	uint32_t flags;
	int soerror;
	struct dgram *head, *tail;
	uint32_t queued, count; /* bytes charged to rcvbuf (payload + record), datagrams */
	uint32_t rcvbuf;
	/* Tunnel mode: a flow's last datagram either way; the tunnel socket's flows not taken
	 * yet (a waiting flow is linked through fnext, with its owner). */
	uint64_t last_us;
	struct sk_udpsock *fhead, *ftail, *fnext, *owner;
	uint32_t nflows;
};
SK_TIMED_LAYOUT(struct sk_udpsock);

struct sk_udptab {
	struct sk_udpsock *b[UDP_BUCKETS];
};

static struct sk_udpsock *U(struct sk_conn *c) { return (struct sk_udpsock *)c; }

static struct sk_udptab *tab(struct synack_stack *st)
{
	if (!st->udp)
		st->udp = calloc(1, sizeof(*st->udp));
	return st->udp;
}

static struct sk_udpsock **bucket(struct sk_udptab *t, uint16_t port)
{
	return &t->b[(port ^ (port >> 8)) % UDP_BUCKETS];
}

struct sk_conn *sk_udp_new(struct synack_stack *st, int v6)
{
	if (!tab(st))
		return NULL;
	struct sk_udpsock *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->h.kind = SK_CONN_UDP;
	u->e.v6 = (uint8_t)(v6 != 0);
	u->flags = v6 ? UF_SOCK6 : 0;
	u->rcvbuf = UDP_RCVBUF_DEFAULT;
	u->handle = -1;
	sk_timer_init(&u->timer);
	return &u->h;
}

/* The addresses u takes (stack/addr.h). */
static enum sk_takes takes(const struct sk_udpsock *u)
{
	return sk_takes_of((u->flags & UF_SOCK6) != 0, (u->flags & UF_V6ONLY) != 0);
}

/* An address as u names it (IPv4-mapped on an AF_INET6 socket). */
static struct synack_ip name(const struct sk_udpsock *u, struct synack_ip ip)
{
	return sk_sock_name(takes(u), &ip);
}

/* Whether port is held by another socket whose local end overlaps e (u's, to be). */
static int port_taken(struct synack_stack *st, const struct sk_udpsock *u, const struct sk_ends *e, uint16_t port,
		      int reuse)
{
	for (struct sk_udpsock *o = *bucket(st->udp, port); o; o = o->bnext)
		if (o != u && o->h.key.lport == port && sk_ends_overlap(&o->e, takes(o), e, takes(u)) &&
		    !(reuse && (o->flags & UF_REUSEADDR)))
			return 1;
	return 0;
}

static void link_port(struct synack_stack *st, struct sk_udpsock *u)
{
	struct sk_udpsock **b = bucket(st->udp, u->h.key.lport);
	u->bnext = *b;
	if (*b)
		(*b)->bprev = &u->bnext;
	u->bprev = b;
	*b = u;
	u->flags |= UF_BOUND;
}

/* Binds u to e's local end (and family) and port (0: an ephemeral one). */
static int do_bind(struct synack_stack *st, struct sk_udpsock *u, const struct sk_ends *e, uint16_t port)
{
	int reuse = (u->flags & UF_REUSEADDR) != 0;
	if (port == 0) {
		/* An ephemeral port, from a random point of the range (RFC 6056 style). */
		uint32_t lo = st->cfg.ip_local_port_range[0], hi = st->cfg.ip_local_port_range[1];
		uint32_t span = hi - lo + 1, start = sk_rng_below(&st->rng, span);
		for (uint32_t i = 0; i < span && !port; i++) {
			uint16_t p = (uint16_t)(lo + (start + i) % span);
			if (!port_taken(st, u, e, p, 0))
				port = p;
		}
		if (!port)
			return -EADDRINUSE;
	} else if (port_taken(st, u, e, port, reuse)) {
		return -EADDRINUSE;
	}
	u->e = *e;
	u->h.key.lport = port;
	link_port(st, u);
	return 0;
}

int sk_udp_bind(struct synack_stack *st, struct sk_conn *c, const struct synack_sockaddr *a)
{
	struct sk_udpsock *u = U(c);
	struct synack_ip ip;
	int r = sk_sock_addr(takes(u), &a->ip, &ip);
	if (r < 0)
		return r;
	if (u->flags & UF_BOUND)
		return -EINVAL;
	struct sk_ends e = sk_ends_at(&ip);
	if (!sk_ends_local_any(&e) && !sk_ends_local_ours(st, &e))
		return -EADDRNOTAVAIL;
	r = do_bind(st, u, &e, a->port);
	if (r == 0 && !sk_ends_local_any(&e))
		u->flags |= UF_ADDR;
	return r;
}

int sk_udp_connect(struct synack_stack *st, struct sk_conn *c, const struct synack_sockaddr *a)
{
	struct sk_udpsock *u = U(c);
	if (a->ip.family == SYNACK_AF_UNSPEC) {
		/* connect(2) with AF_UNSPEC dissolves the association: forget the peer. */
		u->flags &= ~(uint32_t)UF_CONNECTED;
		if (!(u->flags & UF_ADDR)) {
			u->e.l4 = 0;
			memset(u->e.l6, 0, 16);
		}
		u->e.r4 = 0;
		memset(u->e.r6, 0, 16);
		u->h.key.rport = 0;
		return 0;
	}
	struct synack_ip rip;
	int r = sk_sock_addr(takes(u), &a->ip, &rip);
	if (r < 0)
		return r == -EINVAL ? -ENETUNREACH : r; /* IPV6_V6ONLY and IPv4-mapped, as Linux */
	if (a->port == 0 || sk_ip_is_any(&rip))
		return -EINVAL;
	struct sk_ends e = u->e;
	if (sk_ends_aim(&e, &rip) < 0) /* an AF_INET6 socket turning to IPv4: from :: only */
		return -ENETUNREACH;
	struct sk_ends routed = e;
	if (sk_route_src_ends(st, &routed) < 0)
		return -ENETUNREACH;
	if (!(u->flags & UF_BOUND)) {
		r = do_bind(st, u, &e, 0);
		if (r < 0)
			return r;
	}
	u->e = routed; /* the local address the route gives, as Linux's ip4_datagram_connect */
	u->h.key.rport = a->port;
	u->flags |= UF_CONNECTED;
	u->soerror = 0;
	return 0;
}

ssize_t sk_udp_sendto(struct synack_stack *st, struct sk_conn *c, const void *buf, size_t len,
		      const struct synack_sockaddr *to)
{
	struct sk_udpsock *u = U(c);
	if (u->flags & UF_SHUT_WR)
		return -EPIPE;
	struct sk_ends e = u->e;
	uint16_t dport;
	if (to) {
		struct synack_ip rip;
		int r = sk_sock_addr(takes(u), &to->ip, &rip);
		if (r < 0)
			return r == -EINVAL ? -ENETUNREACH : r;
		if (sk_ip_is_any(&rip))
			return -EINVAL;
		if (sk_ends_aim(&e, &rip) < 0)
			return -ENETUNREACH;
		dport = to->port;
	} else if (u->flags & UF_CONNECTED) {
		dport = u->h.key.rport;
	} else {
		return -EDESTADDRREQ;
	}
	if (dport == 0)
		return -EINVAL;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!buf && len)
		return -EFAULT;
	if (u->soerror) {
		/* A connected socket reports an ICMP error on its next call (as Linux does). */
		int err = u->soerror;
		u->soerror = 0;
		return -err;
	}
	if (!(u->flags & UF_BOUND)) {
		struct sk_ends local = {.v6 = e.v6}; /* the family's wildcard */
		int r = do_bind(st, u, &local, 0);
		if (r < 0)
			return r;
	}
	if (sk_ends_local_any(&e) && sk_route_src_ends(st, &e) < 0)
		return -ENETUNREACH;
	size_t iphl = e.v6 ? 40 : 20;
	if (len > SK_PKT_MAX - iphl - SK_UDP_HLEN)
		return -EMSGSIZE;
	uint8_t *p = sk_l4_payload(st, &e);
	memcpy(p + SK_UDP_HLEN, buf, len);
	struct sk_udp h = {.sport = u->h.key.lport, .dport = dport, .payload = p + SK_UDP_HLEN, .payload_len = len};
	int n = sk_udp_emit_sum(p, SK_PKT_MAX - iphl, sk_ends_csum(&e), &h);
	if (n < 0)
		return -EMSGSIZE;
	st->stats.udp_out++;
	u->last_us = st->now;
	int r = sk_l4_send(st, &e, SK_IPPROTO_UDP, (size_t)n, 0, 0);
	return r < 0 ? r : (ssize_t)len;
}

ssize_t sk_udp_recvfrom(struct synack_stack *st, struct sk_conn *c, void *buf, size_t len, int flags,
			struct synack_sockaddr *from)
{
	(void)st;
	struct sk_udpsock *u = U(c);
	struct dgram *d = u->head;
	if (!d) {
		if (u->soerror) {
			int e = u->soerror;
			u->soerror = 0;
			return -e;
		}
		return (u->flags & UF_SHUT_RD) ? 0 : -EAGAIN;
	}
	if (!buf && len)
		return -EFAULT;
	size_t n = d->len < len ? d->len : len;
	memcpy(buf, d->data, n);
	if (from) {
		from->ip = d->from_addr;
		from->port = d->from_port;
		from->scope_id = 0;
	}
	ssize_t ret = (flags & SYNACK_MSG_TRUNC) ? (ssize_t)d->len : (ssize_t)n;
	if (!(flags & SYNACK_MSG_PEEK)) {
		u->head = d->next;
		if (!u->head)
			u->tail = NULL;
		u->queued -= (uint32_t)(sizeof(*d) + d->len);
		u->count--;
		free(d);
	}
	return ret;
}

int sk_udp_shutdown(struct synack_stack *st, struct sk_conn *c, int how)
{
	(void)st;
	struct sk_udpsock *u = U(c);
	/* As on Linux, shutdown of an unconnected datagram socket is ENOTCONN. */
	if (!(u->flags & UF_CONNECTED))
		return -ENOTCONN;
	if (how == SYNACK_SHUT_RD || how == SYNACK_SHUT_RDWR)
		u->flags |= UF_SHUT_RD;
	if (how == SYNACK_SHUT_WR || how == SYNACK_SHUT_RDWR)
		u->flags |= UF_SHUT_WR;
	return 0;
}

static void unlink_port(struct sk_udpsock *u)
{
	if (!(u->flags & UF_BOUND))
		return;
	*u->bprev = u->bnext;
	if (u->bnext)
		u->bnext->bprev = u->bprev;
	u->flags &= ~(uint32_t)UF_BOUND;
}

void sk_udp_close(struct synack_stack *st, struct sk_conn *c)
{
	struct sk_udpsock *u = U(c);
	unlink_port(u);
	sk_wheel_cancel(&st->wheel, &u->timer);
	if (u->flags & UF_FLOW)
		sk_tnl_flow_gone(st, &u->e);
	while (u->fhead) { /* flows never taken */
		struct sk_udpsock *f = u->fhead;
		u->fhead = f->fnext;
		sk_udp_close(st, &f->h);
	}
	if ((u->flags & UF_TUNNEL) && st->tnl_udp == u->handle)
		st->tnl_udp = -1;
	while (u->head) {
		struct dgram *d = u->head;
		u->head = d->next;
		free(d);
	}
	free(u);
}

int sk_udp_events(struct synack_stack *st, struct sk_conn *c)
{
	(void)st;
	struct sk_udpsock *u = U(c);
	int ev = SYNACK_EV_OUT;
	if (u->head || u->soerror || (u->flags & UF_SHUT_RD) || u->fhead)
		ev |= SYNACK_EV_IN;
	if (u->soerror)
		ev |= SYNACK_EV_ERR;
	if ((u->flags & (UF_SHUT_RD | UF_SHUT_WR)) == (UF_SHUT_RD | UF_SHUT_WR))
		ev |= SYNACK_EV_HUP;
	return ev;
}

int sk_udp_setsockopt(struct synack_stack *st, struct sk_conn *c, int level, int name, int v)
{
	(void)st;
	struct sk_udpsock *u = U(c);
	if (level == SYNACK_IPPROTO_IPV6 && name == SYNACK_IPV6_V6ONLY && (u->flags & UF_SOCK6)) {
		if (u->flags & UF_BOUND)
			return -EINVAL;
		u->flags = v ? u->flags | UF_V6ONLY : u->flags & ~(uint32_t)UF_V6ONLY;
		return 0;
	}
	if (level != SYNACK_SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SYNACK_SO_REUSEADDR:
		if (v)
			u->flags |= UF_REUSEADDR;
		else
			u->flags &= ~(uint32_t)UF_REUSEADDR;
		return 0;
	case SYNACK_SO_RCVBUF: {
		/* Linux doubles the value for bookkeeping overhead; we charge the overhead
		 * per datagram instead, and clamp to something sane. */
		uint32_t b = v < 2048 ? 2048u : (uint32_t)v;
		u->rcvbuf = b > (64u << 20) ? (64u << 20) : b;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
}

int sk_udp_getsockopt(struct synack_stack *st, struct sk_conn *c, int level, int name, int *v)
{
	(void)st;
	struct sk_udpsock *u = U(c);
	if (level == SYNACK_IPPROTO_IPV6 && name == SYNACK_IPV6_V6ONLY && (u->flags & UF_SOCK6)) {
		*v = (u->flags & UF_V6ONLY) != 0;
		return 0;
	}
	if (level != SYNACK_SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SYNACK_SO_ERROR:
		*v = u->soerror;
		u->soerror = 0;
		return 0;
	case SYNACK_SO_REUSEADDR:
		*v = (u->flags & UF_REUSEADDR) != 0;
		return 0;
	case SYNACK_SO_RCVBUF:
		*v = (int)u->rcvbuf;
		return 0;
	case SYNACK_SO_TYPE:
		*v = SYNACK_SOCK_DGRAM;
		return 0;
	case SYNACK_SO_PROTOCOL:
		*v = 17; /* IPPROTO_UDP */
		return 0;
	case SYNACK_SO_DOMAIN:
		*v = (u->flags & UF_SOCK6) ? SYNACK_AF_INET6 : SYNACK_AF_INET;
		return 0;
	case SYNACK_SO_ACCEPTCONN:
		*v = 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

void sk_udp_set_handle(struct sk_conn *c, int h)
{
	U(c)->handle = h;
}

void sk_udp_names(const struct sk_conn *c, struct synack_sockaddr *local, struct synack_sockaddr *peer,
		  int *connected)
{
	const struct sk_udpsock *u = (const struct sk_udpsock *)c;
	if (local)
		*local = (struct synack_sockaddr){name(u, sk_ends_local(&u->e)), u->h.key.lport, 0};
	if (peer)
		*peer = (struct synack_sockaddr){name(u, sk_ends_remote(&u->e)), u->h.key.rport, 0};
	if (connected)
		*connected = (u->flags & UF_CONNECTED) != 0;
}

uint32_t sk_udp_queued(const struct sk_conn *c)
{
	const struct sk_udpsock *u = (const struct sk_udpsock *)c;
	uint32_t n = 0;
	for (const struct dgram *d = u->head; d; d = d->next)
		n += d->len;
	return n;
}

uint32_t sk_udp_next_len(const struct sk_conn *c)
{
	const struct sk_udpsock *u = (const struct sk_udpsock *)c;
	return u->head ? u->head->len : 0;
}

/* ---- tunnel mode's flows (TNL-3) ---- */

struct sk_conn *sk_udp_tunnel_socket(struct synack_stack *st)
{
	if (st->tnl_udp < 0)
		return NULL;
	struct sk_conn *c = (uint32_t)st->tnl_udp < st->handles.used ? st->handles.v[st->tnl_udp] : NULL;
	if (!c || c->kind != SK_CONN_UDP || !(U(c)->flags & UF_TUNNEL)) {
		st->tnl_udp = -1;
		return NULL;
	}
	return c;
}

void sk_udp_set_tunnel(struct sk_conn *c, int on)
{
	U(c)->flags = on ? U(c)->flags | UF_TUNNEL : U(c)->flags & ~(uint32_t)UF_TUNNEL;
}

int sk_udp_is_flow(const struct sk_conn *c)
{
	return (((const struct sk_udpsock *)c)->flags & UF_FLOW) != 0;
}

/* A new flow's first datagram h between ends e: the hook's verdict, and for an accepted
 * one a socket of its own waiting on the tunnel socket (*out). Returns 0, 1 (answer port
 * unreachable) or -EHOSTUNREACH (answer host unreachable). */
static int new_flow(struct synack_stack *st, const struct sk_ends *e, const struct sk_udp *h, struct sk_udpsock **out)
{
	*out = NULL;
	struct sk_conn *tc = sk_udp_tunnel_socket(st);
	if (!tc)
		return 1;
	struct sk_udpsock *t = U(tc);
	if (t->nflows >= FLOW_BACKLOG) {
		st->stats.tnl_udp_backlog_drops++;
		return 0;
	}
	switch (sk_tnl_verdict(st, e, h->dport, h->sport, SK_IPPROTO_UDP)) {
	case -1:
		return 0; /* over the tunnel's limits: dropped, counted */
	case SYNACK_FLOW_RST:
		return 1;
	case SYNACK_FLOW_UNREACH:
		return -EHOSTUNREACH;
	}
	struct sk_conn *c = sk_udp_new(st, (t->flags & UF_SOCK6) != 0);
	if (!c) {
		st->stats.udp_rcvbuf_errors++;
		return 0;
	}
	struct sk_udpsock *f = U(c);
	f->e = *e;
	f->h.key.lport = h->dport;
	f->h.key.rport = h->sport;
	f->flags |= UF_CONNECTED | UF_ADDR | UF_FLOW;
	link_port(st, f);
	f->last_us = st->now;
	sk_wheel_arm(&st->wheel, &f->timer, st->now + st->tnl_udp_idle_us);
	f->owner = t;
	sk_tnl_flow_born(st, e); /* TNL-4 */
	if (t->ftail)
		t->ftail->fnext = f;
	else
		t->fhead = f;
	t->ftail = f;
	t->nflows++;
	sk_ready_touch(st, t->handle);
	*out = f;
	return 0;
}

struct sk_conn *sk_udp_take_flow(struct synack_stack *st, struct sk_conn *c, int *err)
{
	(void)st;
	struct sk_udpsock *t = U(c), *f = t->fhead;
	if (!(t->flags & UF_TUNNEL) && !f) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	if (!f) {
		*err = -EAGAIN;
		return NULL;
	}
	t->fhead = f->fnext;
	if (!t->fhead)
		t->ftail = NULL;
	t->nflows--;
	f->fnext = NULL;
	f->owner = NULL;
	return &f->h;
}

/* Idle for the tunnel's idle time: a flow not taken yet goes; a taken one reads ETIMEDOUT
 * and end of file, and its ends are free for a new flow. */
void sk_udp_timer(struct synack_stack *st, struct sk_timer *tm)
{
	struct sk_udpsock *f = sk_container_of(tm, struct sk_udpsock, timer);
	struct sk_conn *c = &f->h;
	uint64_t end = f->last_us + st->tnl_udp_idle_us;
	if (st->now < end) {
		sk_wheel_arm(&st->wheel, &f->timer, end);
		return;
	}
	st->stats.tnl_udp_expired++;
	sk_udp_flow_end(st, c);
}

void sk_udp_flow_end(struct synack_stack *st, struct sk_conn *c)
{
	struct sk_udpsock *f = U(c);
	unlink_port(f);
	sk_wheel_cancel(&st->wheel, &f->timer);
	if (f->owner) {
		struct sk_udpsock *t = f->owner, **p = &t->fhead, *prev = NULL;
		while (*p != f) {
			prev = *p;
			p = &(*p)->fnext;
		}
		*p = f->fnext;
		if (t->ftail == f)
			t->ftail = prev;
		t->nflows--;
		sk_udp_close(st, c);
		return;
	}
	f->soerror = ETIMEDOUT;
	f->flags |= UF_SHUT_RD | UF_SHUT_WR;
	sk_ready_touch(st, f->handle);
}

void sk_udp_flows(struct synack_stack *st, void (*fn)(void *ctx, struct sk_conn *c, uint64_t last, uint32_t mem),
		  void *ctx)
{
	if (!st->udp)
		return;
	for (uint32_t b = 0; b < UDP_BUCKETS; b++)
		for (struct sk_udpsock *u = st->udp->b[b]; u; u = u->bnext)
			if (u->flags & UF_FLOW)
				fn(ctx, &u->h, u->last_us, (uint32_t)sizeof(*u) + u->queued);
}

/* The socket a datagram between ends e (local: its destination) with these ports belongs
 * to: a connected socket whose peer matches beats one bound to the address, which beats
 * one bound to any. */
static struct sk_udpsock *lookup(struct synack_stack *st, const struct sk_ends *e, uint16_t sport, uint16_t dport)
{
	if (!st->udp)
		return NULL;
	/* To an address not the stack's (tunnel mode): only that flow's socket. */
	int flows_only = st->tnl_udp >= 0 && !sk_ends_local_ours(st, e);
	struct sk_udpsock *best = NULL;
	int best_score = -1;
	for (struct sk_udpsock *u = *bucket(st->udp, dport); u; u = u->bnext) {
		int m = u->h.key.lport == dport ? sk_ends_takes(&u->e, takes(u), e) : 0;
		if (!m || (flows_only && !(u->flags & UF_FLOW)))
			continue;
		int score = m - 1; /* its exact address over a wildcard */
		if (u->flags & UF_CONNECTED) {
			if (u->e.v6 != e->v6 || u->h.key.rport != sport ||
			    (e->v6 ? memcmp(u->e.r6, e->r6, 16) != 0 : u->e.r4 != e->r4))
				continue;
			score += 2;
		}
		if (score > best_score) {
			best = u;
			best_score = score;
		}
	}
	return best;
}

int sk_udp_input(struct synack_stack *st, uint32_t src, uint32_t dst, const uint8_t *p, size_t len)
{
	struct sk_ends e = sk_ends4(dst, src);
	int r = sk_udp_input_ends(st, &e, p, len);
	return r == 1 ? -1 : r;
}

int sk_udp_input_ends(struct synack_stack *st, const struct sk_ends *e, const uint8_t *p, size_t len)
{
	st->stats.udp_in++;
	struct sk_udp h;
	if (sk_udp_parse_sum(p, len, sk_ends_csum(e), e->v6, &h, st->in_verified ? 0 : SK_UDP_VERIFY_CSUM) < 0 ||
	    h.dport == 0) {
		st->stats.udp_in_bad++;
		return 0;
	}
	struct sk_udpsock *u = lookup(st, e, h.sport, h.dport);
	/* Another shard's socket's or tunnel flow's (synack_set_stray_hook): only the last
	 * shard asked makes a new flow or answers port unreachable. */
	if (!u && sk_stray_handoff(st))
		return 0;
	if (!u && st->tnl_udp >= 0 && !sk_ends_local_ours(st, e)) {
		int r = new_flow(st, e, &h, &u);
		if (r)
			return r;
		if (!u)
			return 0; /* dropped and counted */
	}
	if (!u) {
		st->stats.udp_no_port++;
		return 1;
	}
	if (u->flags & UF_SHUT_RD)
		return 0;
	uint32_t charge = (uint32_t)(sizeof(struct dgram) + h.payload_len);
	if (u->queued + charge > u->rcvbuf) {
		st->stats.udp_rcvbuf_errors++;
		return 0;
	}
	struct dgram *d = malloc(charge);
	if (!d) {
		st->stats.udp_rcvbuf_errors++;
		return 0;
	}
	d->next = NULL;
	d->from_addr = name(u, sk_ends_remote(e));
	d->from_port = h.sport;
	d->len = (uint32_t)h.payload_len;
	memcpy(d->data, h.payload, h.payload_len);
	if (u->tail)
		u->tail->next = d;
	else
		u->head = d;
	u->tail = d;
	u->queued += charge;
	u->count++;
	u->last_us = st->now;
	sk_ready_touch(st, u->handle);
	return 0;
}

void sk_udp_icmp_error(struct synack_stack *st, const struct sk_icmp_quote *q, uint8_t type, uint8_t code)
{
	if (q->l4_len < 4)
		return;
	struct sk_ends e = sk_ends4(q->ip.src, q->ip.dst);
	sk_udp_icmp_report(st, &e, q->sport, q->dport, sk_icmp_errno(type, code));
}

void sk_udp_icmp_report(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, int err)
{
	/* e is the quoted datagram's (local: its source); lookup takes the remote's view */
	struct sk_udpsock *u = lookup(st, e, rport, lport);
	if (!u) {
		sk_stray_handoff(st); /* another shard's socket's, or dropped */
		return;
	}
	/* The error is about a datagram this socket sent to that peer: only a connected
	 * socket can be told (there is no call on an unconnected one to report it to). */
	if (!(u->flags & UF_CONNECTED))
		return;
	u->soerror = err;
	sk_ready_touch(st, u->handle);
}
