/* UDP sockets: RFC 768 datagrams, RFC 1122 4.1 (checksums verified when present, ICMP
 * errors passed up, port unreachable for closed ports). */
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

enum { UF_BOUND = 1, UF_CONNECTED = 2, UF_SHUT_RD = 4, UF_SHUT_WR = 8, UF_REUSEADDR = 16 };

struct dgram {
	struct dgram *next;
	uint32_t from_addr;
	uint16_t from_port;
	uint32_t len;
	uint8_t data[];
};

struct sk_udpsock {
	struct sk_conn h; /* key: local (laddr, lport), peer (raddr, rport) when connected */
	struct sk_udpsock *bnext, **bprev; /* port bucket chain */
	int handle; /* the socket's handle (for readiness) */
	uint32_t flags;
	int soerror;
	struct dgram *head, *tail;
	uint32_t queued, count; /* bytes charged to rcvbuf (payload + record), datagrams */
	uint32_t rcvbuf;
};

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

struct sk_conn *sk_udp_new(struct synack_stack *st)
{
	if (!tab(st))
		return NULL;
	struct sk_udpsock *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->h.kind = SK_CONN_UDP;
	u->rcvbuf = UDP_RCVBUF_DEFAULT;
	return &u->h;
}

static int port_taken(struct synack_stack *st, uint32_t laddr, uint16_t port, int reuse)
{
	for (struct sk_udpsock *o = *bucket(st->udp, port); o; o = o->bnext)
		if (o->h.key.lport == port && (!o->h.key.laddr || !laddr || o->h.key.laddr == laddr) &&
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

static int do_bind(struct synack_stack *st, struct sk_udpsock *u, uint32_t laddr, uint16_t port)
{
	int reuse = (u->flags & UF_REUSEADDR) != 0;
	if (port == 0) {
		/* An ephemeral port, from a random point of the range (RFC 6056 style). */
		uint32_t lo = st->cfg.ip_local_port_range[0], hi = st->cfg.ip_local_port_range[1];
		uint32_t span = hi - lo + 1, start = sk_rng_below(&st->rng, span);
		for (uint32_t i = 0; i < span && !port; i++) {
			uint16_t p = (uint16_t)(lo + (start + i) % span);
			if (!port_taken(st, laddr, p, 0))
				port = p;
		}
		if (!port)
			return -EADDRINUSE;
	} else if (port_taken(st, laddr, port, reuse)) {
		return -EADDRINUSE;
	}
	u->h.key.laddr = laddr;
	u->h.key.lport = port;
	link_port(st, u);
	return 0;
}

int sk_udp_bind(struct synack_stack *st, struct sk_conn *c, const struct synack_sockaddr *a)
{
	struct sk_udpsock *u = U(c);
	uint32_t addr;
	uint16_t port;
	int r = sk_sa_to4(a, &addr, &port);
	if (r < 0)
		return r;
	if (u->flags & UF_BOUND)
		return -EINVAL;
	if (addr && !sk_addr_find(st, addr))
		return -EADDRNOTAVAIL;
	return do_bind(st, u, addr, port);
}

int sk_udp_connect(struct synack_stack *st, struct sk_conn *c, const struct synack_sockaddr *a)
{
	struct sk_udpsock *u = U(c);
	if (a->ip.family == SYNACK_AF_UNSPEC) {
		/* connect(2) with AF_UNSPEC dissolves the association: forget the peer. */
		u->flags &= ~(uint32_t)UF_CONNECTED;
		u->h.key.raddr = 0;
		u->h.key.rport = 0;
		return 0;
	}
	uint32_t raddr;
	uint16_t rport;
	int r = sk_sa_to4(a, &raddr, &rport);
	if (r < 0)
		return r;
	if (rport == 0 || raddr == 0)
		return -EINVAL;
	uint32_t src = sk_route_src(st, raddr);
	if (!src)
		return -ENETUNREACH;
	if (!(u->flags & UF_BOUND)) {
		r = do_bind(st, u, 0, 0);
		if (r < 0)
			return r;
	}
	u->h.key.raddr = raddr;
	u->h.key.rport = rport;
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
	uint32_t daddr;
	uint16_t dport;
	if (to) {
		int r = sk_sa_to4(to, &daddr, &dport);
		if (r < 0)
			return r;
	} else if (u->flags & UF_CONNECTED) {
		daddr = u->h.key.raddr;
		dport = u->h.key.rport;
	} else {
		return -EDESTADDRREQ;
	}
	if (daddr == 0 || dport == 0)
		return -EINVAL;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!buf && len)
		return -EFAULT;
	if (u->soerror) {
		/* A connected socket reports an ICMP error on its next call (as Linux does). */
		int e = u->soerror;
		u->soerror = 0;
		return -e;
	}
	if (!(u->flags & UF_BOUND)) {
		int r = do_bind(st, u, 0, 0);
		if (r < 0)
			return r;
	}
	uint32_t src = u->h.key.laddr ? u->h.key.laddr : sk_route_src(st, daddr);
	if (!src)
		return -ENETUNREACH;
	uint8_t *p = sk_ip_payload(st);
	memcpy(p + SK_UDP_HLEN, buf, len);
	struct sk_udp h = {.sport = u->h.key.lport, .dport = dport, .payload = p + SK_UDP_HLEN, .payload_len = len};
	int n = sk_udp_emit(p, SK_PKT_MAX - 20, src, daddr, &h);
	if (n < 0)
		return -EMSGSIZE;
	st->stats.udp_out++;
	int r = sk_ip_send(st, src, daddr, SK_IPPROTO_UDP, (size_t)n, 0, 0);
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
	if (from)
		*from = sk_sa_from4(d->from_addr, d->from_port);
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

void sk_udp_close(struct synack_stack *st, struct sk_conn *c)
{
	(void)st;
	struct sk_udpsock *u = U(c);
	if (u->flags & UF_BOUND) {
		*u->bprev = u->bnext;
		if (u->bnext)
			u->bnext->bprev = u->bprev;
	}
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
	if (u->head || u->soerror || (u->flags & UF_SHUT_RD))
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
		*v = 2; /* AF_INET */
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
		*local = sk_sa_from4(u->h.key.laddr, u->h.key.lport);
	if (peer)
		*peer = sk_sa_from4(u->h.key.raddr, u->h.key.rport);
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

/* The socket a datagram for (dst, dport) from (src, sport) belongs to: a connected socket
 * whose peer matches beats one bound to the address, which beats one bound to any. */
static struct sk_udpsock *lookup(struct synack_stack *st, uint32_t src, uint16_t sport, uint32_t dst,
				 uint16_t dport)
{
	if (!st->udp)
		return NULL;
	struct sk_udpsock *best = NULL;
	int best_score = -1;
	for (struct sk_udpsock *u = *bucket(st->udp, dport); u; u = u->bnext) {
		const struct sk_conn_key *k = &u->h.key;
		if (k->lport != dport || (k->laddr && k->laddr != dst))
			continue;
		int score = k->laddr ? 1 : 0;
		if (u->flags & UF_CONNECTED) {
			if (k->raddr != src || k->rport != sport)
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
	st->stats.udp_in++;
	struct sk_udp h;
	if (sk_udp_parse(p, len, src, dst, &h, SK_UDP_VERIFY_CSUM) < 0 || h.dport == 0) {
		st->stats.udp_in_bad++;
		return 0;
	}
	struct sk_udpsock *u = lookup(st, src, h.sport, dst, h.dport);
	if (!u) {
		st->stats.udp_no_port++;
		return -1;
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
	d->from_addr = src;
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
	sk_ready_touch(st, u->handle);
	return 0;
}

void sk_udp_icmp_error(struct synack_stack *st, const struct sk_icmp_quote *q, uint8_t type, uint8_t code)
{
	if (q->l4_len < 4 || !st->udp)
		return;
	struct sk_udpsock *u = lookup(st, q->ip.dst, q->dport, q->ip.src, q->sport);
	/* The error is about a datagram this socket sent to that peer: only a connected
	 * socket can be told (there is no call on an unconnected one to report it to). */
	if (!u || !(u->flags & UF_CONNECTED) || u->h.key.raddr != q->ip.dst || u->h.key.rport != q->dport)
		return;
	u->soerror = sk_icmp_errno(type, code);
	sk_ready_touch(st, u->handle);
}
