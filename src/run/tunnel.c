/* synack-tunnel's relay (tunnel.h): TCP flows held by the hook while their upstream
 * connects, then joined to it; UDP flows joined to a connected upstream datagram socket
 * each, datagram for datagram, until the stack ends them as idle. One thread, one kernel
 * epoll set with the runtime's descriptor, every upstream socket and nothing else. */
#include "run/tunnel.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "rt/rt_int.h"
#include "run/socks5.h"
#include "stack/addr.h"
#include "run/splice.h"
#include "run/supervise.h"

/* A flow whose client was told to go on but never finished its handshake (it went away):
 * its upstream socket is closed after what the SYN+ACK's retransmissions take. */
#define HANDSHAKE_US (64ull * 1000000)
#define SWEEP_US 1000000

enum tag { T_RT, T_LISTENER, T_UDP, T_FLOW, T_CTL, T_FORWARD, T_PING, T_WATCH };

/* A flow: its upstream connecting (the client's SYN held), then answered, then joined. */
struct flow {
	enum tag tag;
	struct synack_flow f;  /* the ends as the hook saw them */
	struct sk_splice sp;   /* sp.fd the upstream socket; sp.s once accepted (-1 before) */
	int up_ok;             /* the upstream connected: the client was told to go on */
	uint64_t told_us;      /* when it was told (monotonic): its handshake must end soon */
	int connecting;        /* a forwarded port's: synack connecting into the link */
	int udp;               /* a UDP flow: sp.s and sp.fd connected datagram sockets */
	/* Through a SOCKS5 proxy (--socks5): the handshake while it lasts (sp.fd the TCP
	 * connection to the proxy, proxy_up once that is made); for UDP then the association's
	 * TCP connection (ctl, watched through cref), the flow's datagrams wrapped for up. */
	struct sk_socks5 *s5;
	int proxy_up, ctl;
	struct synack_sockaddr up;
	struct {
		enum tag tag;
		struct flow *x;
	} cref;
	uint32_t cev;
	struct synack_sockaddr to; /* where that connect goes */
	uint32_t kev, nev;     /* interest now (~0u: not registered) */
	int dead;
	struct flow *next, *next_dead;
};

/* A port of this host forwarded to an address behind the link (-p HOSTPORT:NSPORT). */
struct forward {
	enum tag tag;
	int fd;                    /* the host's listening socket */
	struct synack_sockaddr to;
};

#define MAX_FORWARDS 16
#define PING_IDLE_US (10ull * 1000000)

/* Pings of one client to one address with one identifier: relayed through a ping socket
 * of this host's (the kernel picks its own identifier; replies get the client's back). */
struct ping {
	enum tag tag;
	struct synack_ping p; /* client, dst, id */
	int fd;
	uint64_t last_us;
	struct ping *next;
};

struct sk_tnl_relay {
	synack_rt *rt;
	int ep, sep, listener, udp;
	enum tag rt_tag, l_tag, u_tag, w_tag;
	unsigned udp_idle_ms;
	struct synack_sockaddr dns;     /* where DNS to DNS_ADDR goes (port 0: nowhere) */
	struct synack_ip dns4, dns6;    /* SK_TNL_DNS4 and SK_TNL_DNS6 */
	struct synack_sockaddr socks5;  /* the proxy every flow goes through (port 0: none) */
	struct synack_tunnel_limits limits;
	uint8_t dgram[65536];
	struct flow *flows, *graveyard;
	struct flow **by_sock; /* the flow of each synack socket joined (synack-ss) */
	size_t nby;
	struct ping *pings;
	int ping_denied; /* said once: this host allows no ping sockets to this user */
	struct forward fwd[MAX_FORWARDS];
	int nfwd;
	uint64_t last_sweep;
};


/* ---- registrations ---- */

/* A TCP flow's sides are watched for everything, edge-triggered, from the start: no system
 * call changes what is watched as the flow goes from connecting to relaying to ending, and
 * each event moves what can move until a side is blocked (the splice's edge mode). A UDP
 * flow's datagram sockets are watched level-triggered for input. */
#define ALL_ET (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static void kernel_interest(struct sk_tnl_relay *r, struct flow *x, uint32_t ev)
{
	if (x->kev == ALL_ET && ev != ~0u)
		return;
	sk_watch_kernel(r->ep, x->sp.fd, &x->kev, ev, x);
}

static void net_interest(struct sk_tnl_relay *r, struct flow *x, uint32_t ev)
{
	if (x->nev == ALL_ET && ev != ~0u)
		return;
	sk_watch_net(r->rt, r->sep, x->sp.s, &x->nev, ev, x);
}

/* ---- ending flows ---- */

/* Closes both ends: with a RST towards a side when the other ended by one. */
static void end_flow(struct sk_tnl_relay *r, struct flow *x)
{
	if (x->dead)
		return;
	struct linger rst = {1, 0};
	if (x->sp.s >= 0) {
		if ((size_t)x->sp.s < r->nby)
			r->by_sock[x->sp.s] = NULL;
		net_interest(r, x, ~0u);
		if (x->sp.kernel_error)
			synack_rt_setsockopt(r->rt, x->sp.s, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		synack_rt_close(r->rt, x->sp.s);
		x->sp.s = -1;
	}
	if (x->sp.fd >= 0) {
		if (x->kev != ALL_ET)
			kernel_interest(r, x, ~0u); /* (closing it takes it out of the set) */
		if (x->sp.net_dead)
			setsockopt(x->sp.fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(x->sp.fd);
		x->sp.fd = -1;
	}
	if (x->ctl >= 0) {
		sk_watch_kernel(r->ep, x->ctl, &x->cev, ~0u, &x->cref);
		close(x->ctl);
		x->ctl = -1;
	}
	free(x->s5);
	x->s5 = NULL;
	sk_splice_release(&x->sp);
	x->dead = 1;
	x->next_dead = r->graveyard;
	r->graveyard = x;
}

static void bury(struct sk_tnl_relay *r)
{
	for (struct flow **p = &r->flows; *p;) {
		if ((*p)->dead)
			*p = (*p)->next;
		else
			p = &(*p)->next;
	}
	while (r->graveyard) {
		struct flow *x = r->graveyard;
		r->graveyard = x->next_dead;
		free(x);
	}
}

/* s is x's synack socket from now on. */
static void joined(struct sk_tnl_relay *r, struct flow *x, int s)
{
	x->sp.s = s;
	if ((size_t)s >= r->nby) {
		size_t n = r->nby ? r->nby : 256;
		while (n <= (size_t)s)
			n *= 2;
		struct flow **v = realloc(r->by_sock, n * sizeof(*v));
		if (!v)
			return; /* (not named in synack-ss) */
		memset(v + r->nby, 0, (n - r->nby) * sizeof(*v));
		r->by_sock = v;
		r->nby = n;
	}
	r->by_sock[s] = x;
}

static void to_synack(const struct sockaddr_storage *ss, struct synack_sockaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->ip.family = SYNACK_AF_INET;
		memcpy(a->ip.bytes, &s4->sin_addr, 4);
		a->port = ntohs(s4->sin_port);
		return;
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		a->ip.family = SYNACK_AF_INET;
		memcpy(a->ip.bytes, &s6->sin6_addr.s6_addr[12], 4);
	} else {
		a->ip.family = SYNACK_AF_INET6;
		memcpy(a->ip.bytes, &s6->sin6_addr, 16);
	}
	a->port = ntohs(s6->sin6_port);
}

/* For synack-ss: the host's end of a joined flow, "LOCAL->REMOTE" of its upstream socket
 * (or, for a forwarded port, of the host's client). */
static int describe(void *ctx, int s, char *buf, size_t len)
{
	struct sk_tnl_relay *r = ctx;
	struct flow *x = (size_t)s < r->nby ? r->by_sock[s] : NULL;
	if (!x || x->dead || x->sp.fd < 0)
		return 0;
	struct sockaddr_storage me, peer;
	socklen_t ml = sizeof(me), pl = sizeof(peer);
	if (getsockname(x->sp.fd, (struct sockaddr *)&me, &ml) < 0 ||
	    getpeername(x->sp.fd, (struct sockaddr *)&peer, &pl) < 0)
		return 0;
	struct synack_sockaddr sa, sb;
	to_synack(&me, &sa);
	to_synack(&peer, &sb);
	char a[SYNACK_SA_STRLEN] = "?", b[SYNACK_SA_STRLEN] = "?";
	synack_sa_format(&sa, a, sizeof(a));
	synack_sa_format(&sb, b, sizeof(b));
	snprintf(buf, len, "%s->%s", a, b);
	return 1;
}

/* A new flow on r's list, its descriptors none yet (-1) and nothing registered. */
static struct flow *flow_new(struct sk_tnl_relay *r)
{
	struct flow *x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->tag = T_FLOW;
	x->sp.rt = r->rt;
	x->sp.s = x->sp.fd = x->ctl = -1;
	x->cref.tag = T_CTL;
	x->cref.x = x;
	x->kev = x->nev = x->cev = ~0u;
	x->next = r->flows;
	r->flows = x;
	return x;
}

/* ---- verdicts ---- */

struct verdict {
	struct flow *x;
	int v, r;
};

static void give(void *ctx, synack_stack *st)
{
	struct verdict *v = ctx;
	v->r = synack_tunnel_verdict(st, &v->x->f, v->v);
}

/* The upstream's outcome, for the client: the handshake, a RST, or unreachable. */
static void decide(struct sk_tnl_relay *r, struct flow *x, int err)
{
	struct verdict v = {.x = x, .v = !err ? SYNACK_FLOW_ACCEPT : err == ECONNREFUSED ? SYNACK_FLOW_RST
									       : SYNACK_FLOW_UNREACH};
	synack_rt_with_stack(r->rt, give, &v);
	if (err || v.r < 0) {
		end_flow(r, x); /* refused, or the client gave up meanwhile */
		return;
	}
	x->up_ok = 1;
	x->told_us = sk_rt_now_us();
	kernel_interest(r, x, 0); /* until accepted: only its end is watched */
}

/* ---- the hook: the upstream connect starts while the client's SYN waits ---- */

static socklen_t sockaddr_of(const struct synack_sockaddr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->ip.family == SYNACK_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip.bytes, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(a->port);
	memcpy(&s6->sin6_addr, a->ip.bytes, 16);
	return sizeof(*s6);
}

/* Where a flow to dst goes upstream: dst itself, or for DNS to the link's DNS address, the
 * resolver; 0, or -1 when nowhere. */
static int upstream_of(const struct sk_tnl_relay *r, const struct synack_sockaddr *dst, struct synack_sockaddr *up)
{
	*up = *dst;
	if (!synack_ip_equal(&dst->ip, &r->dns4) && !synack_ip_equal(&dst->ip, &r->dns6))
		return 0;
	if (dst->port != 53 || !r->dns.port)
		return -1;
	*up = r->dns;
	return 0;
}

int sk_tnl_proxy_reachable(const struct synack_sockaddr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(a, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {5, 0};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno == EINPROGRESS ? ETIMEDOUT : errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

static int hook(void *ctx, const struct synack_flow *f)
{
	struct sk_tnl_relay *r = ctx;
	int udp = f->proto == SYNACK_IPPROTO_UDP;
	struct synack_sockaddr up;
	if (upstream_of(r, &f->dst, &up) < 0)
		return udp ? SYNACK_FLOW_RST : SYNACK_FLOW_UNREACH;
	int proxied = r->socks5.port != 0;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(proxied ? &r->socks5 : &up, &ss);
	int fd = socket(ss.ss_family, (udp && !proxied ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return SYNACK_FLOW_UNREACH;
	int c = connect(fd, (struct sockaddr *)&ss, len);
	int err = c == 0 ? 0 : errno;
	if (err && err != EINPROGRESS) {
		close(fd);
		return err == ECONNREFUSED && !proxied ? SYNACK_FLOW_RST : SYNACK_FLOW_UNREACH;
	}
	struct sk_socks5 *s5 = proxied ? malloc(sizeof(*s5)) : NULL;
	struct flow *x = NULL;
	if ((proxied && (!s5 || sk_socks5_start(s5, udp ? SK_SOCKS5_UDP : SK_SOCKS5_CONNECT, udp ? NULL : &up, NULL,
						NULL) < 0)) ||
	    !(x = flow_new(r))) {
		free(s5);
		close(fd);
		return SYNACK_FLOW_UNREACH;
	}
	x->f = *f;
	x->udp = udp;
	x->up = up;
	x->s5 = s5;
	x->sp.fd = fd;
	x->sp.edge = !udp || proxied;
	kernel_interest(r, x, x->sp.edge ? ALL_ET : 0);
	if (proxied) {
		/* TCP waits for the proxy's answer; a UDP flow's datagrams wait in its socket */
		x->up_ok = udp;
		x->told_us = sk_rt_now_us();
		return udp ? SYNACK_FLOW_ACCEPT : SYNACK_FLOW_DEFER;
	}
	/* A connect to this host (or through its loopback) has usually been made by the
	 * time connect(2) returns EINPROGRESS: then the client is answered now, not a round
	 * later on EPOLLOUT (getpeername fails with ENOTCONN while it is still on its way). */
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	if (!err || getpeername(fd, (struct sockaddr *)&peer, &plen) == 0) {
		x->up_ok = 1; /* connected at once: answer now */
		x->told_us = sk_rt_now_us();
		return SYNACK_FLOW_ACCEPT;
	}
	return SYNACK_FLOW_DEFER;
}

/* ---- ICMP echo, through ping sockets ---- */

static void ping_hook(void *ctx, const struct synack_ping *pg)
{
	struct sk_tnl_relay *r = ctx;
	struct ping *x = r->pings;
	while (x && !(x->p.id == pg->id && synack_ip_equal(&x->p.client, &pg->client) &&
		      synack_ip_equal(&x->p.dst, &pg->dst)))
		x = x->next;
	int v6 = pg->dst.family == SYNACK_AF_INET6;
	if (!x) {
		struct synack_sockaddr to = {.ip = pg->dst};
		struct sockaddr_storage ss;
		socklen_t len = sockaddr_of(&to, &ss);
		int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
		if (fd < 0) {
			if ((errno == EACCES || errno == EPERM) && !r->ping_denied++)
				fprintf(stderr, "synack-tunnel: ICMP echo not relayed: this host allows no ping sockets "
						"(net.ipv4.ping_group_range)\n");
			return;
		}
		x = calloc(1, sizeof(*x));
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = x};
		if (!x || connect(fd, (struct sockaddr *)&ss, len) < 0 || epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
			free(x);
			close(fd);
			return;
		}
		x->tag = T_PING;
		x->p = *pg;
		x->p.data = NULL;
		x->p.len = 0;
		x->fd = fd;
		x->next = r->pings;
		r->pings = x;
	}
	x->last_us = sk_rt_now_us();
	uint8_t req[8 + 1472];
	size_t n = pg->len < sizeof(req) - 8 ? pg->len : sizeof(req) - 8;
	memset(req, 0, 8);
	req[0] = v6 ? 128 : 8; /* echo request; the kernel sets the identifier and checksum */
	req[6] = (uint8_t)(pg->seq >> 8);
	req[7] = (uint8_t)pg->seq;
	memcpy(req + 8, pg->data, n);
	send(x->fd, req, 8 + n, MSG_NOSIGNAL);
}

static void give_pong(void *ctx, synack_stack *st)
{
	synack_tunnel_pong(st, ctx);
}

/* Echo replies: to the client, from the address it pinged, with its identifier. */
static void on_ping(struct sk_tnl_relay *r, struct ping *x)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(x->fd, r->dgram, sizeof(r->dgram), 0);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 8 || r->dgram[0] != (x->p.dst.family == SYNACK_AF_INET6 ? 129 : 0))
			continue; /* an error (unreachable): not relayed */
		struct synack_ping pg = x->p;
		pg.seq = (uint16_t)(r->dgram[6] << 8 | r->dgram[7]);
		pg.data = r->dgram + 8;
		pg.len = (size_t)n - 8;
		x->last_us = sk_rt_now_us();
		synack_rt_with_stack(r->rt, give_pong, &pg);
	}
}

static void sweep_pings(struct sk_tnl_relay *r, uint64_t now, int all)
{
	for (struct ping **p = &r->pings; *p;) {
		struct ping *x = *p;
		if (all || now - x->last_us > PING_IDLE_US) {
			*p = x->next;
			close(x->fd);
			free(x);
		} else {
			p = &x->next;
		}
	}
}

static void turn_on(void *ctx, synack_stack *st)
{
	struct sk_tnl_relay *r = ctx;
	r->listener = synack_tunnel(st, r->listener, hook, r) == 0 ? r->listener : -1;
	r->udp = synack_tunnel_udp(st, r->udp, r->udp_idle_ms, hook, r) == 0 ? r->udp : -1;
	synack_tunnel_limits(st, &r->limits);
	synack_tunnel_ping(st, ping_hook, r);
}

/* ---- flows ---- */

/* A UDP flow: every datagram waiting on either side to the other. Over when the stack
 * ended it as idle (end of file) or either side failed for good. */
static void pump_udp(struct sk_tnl_relay *r, struct flow *x)
{
	if (x->s5) { /* the association is being made: the datagrams wait in the flow's socket */
		net_interest(r, x, ~0u);
		return;
	}
	size_t hdr = x->ctl >= 0 ? SK_SOCKS5_UDP_HDR_MAX : 0; /* room for SOCKS5's header */
	for (int i = 0; i < 64; i++) {
		ssize_t n = synack_rt_recv(r->rt, x->sp.s, r->dgram + hdr, sizeof(r->dgram) - hdr, 0);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) { /* idle (ETIMEDOUT, then end of file) */
			end_flow(r, x);
			return;
		}
		if (hdr)
			n = sk_socks5_udp_wrap(r->dgram, sizeof(r->dgram), &x->up, r->dgram + hdr, (size_t)n);
		if (n > 0) /* a datagram lost as on a path, if it must be */
			send(x->sp.fd, r->dgram, (size_t)n, MSG_NOSIGNAL);
	}
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(x->sp.fd, r->dgram, sizeof(r->dgram), 0);
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			continue; /* an ICMP error upstream (ECONNREFUSED): the flow goes on */
		ssize_t off = 0;
		struct synack_sockaddr from;
		if (hdr && (off = sk_socks5_udp_unwrap(r->dgram, (size_t)n, &from)) < 0)
			continue; /* not a datagram the relay should send: dropped */
		if (synack_rt_send(r->rt, x->sp.s, r->dgram + off, (size_t)(n - off), 0) < 0 && errno == EPIPE) {
			end_flow(r, x);
			return;
		}
	}
	kernel_interest(r, x, EPOLLIN);
	net_interest(r, x, EPOLLIN);
}

static void pump(struct sk_tnl_relay *r, struct flow *x)
{
	if (x->udp) {
		pump_udp(r, x);
		return;
	}
	sk_splice_pump(&x->sp);
	/* Over when both directions are (FINs both ways, all written), or when either side
	 * failed: the other is then reset. */
	int down_over = x->sp.down_eof && x->sp.wr_shut;
	if ((sk_splice_done(&x->sp) && down_over) || x->sp.net_dead || x->sp.kernel_error) {
		end_flow(r, x);
		return;
	}
	net_interest(r, x, ALL_ET);
}

static struct flow *find(struct sk_tnl_relay *r, int udp, const struct synack_sockaddr *client,
			 const struct synack_sockaddr *dst)
{
	for (struct flow *x = r->flows; x; x = x->next)
		if (!x->dead && x->sp.s < 0 && x->up_ok && x->udp == udp && x->f.client.port == client->port &&
		    x->f.dst.port == dst->port && synack_ip_equal(&x->f.client.ip, &client->ip) &&
		    synack_ip_equal(&x->f.dst.ip, &dst->ip))
			return x;
	return NULL;
}

/* Accepted connections and UDP flows (from socket l) find the upstream their flow opened. */
static void accept_all(struct sk_tnl_relay *r, int l)
{
	int udp = l == r->udp;
	for (;;) {
		int s = synack_rt_accept4(r->rt, l, NULL, NULL, SOCK_NONBLOCK);
		if (s < 0)
			return;
		struct sockaddr_storage me, peer;
		socklen_t ml = sizeof(me), pl = sizeof(peer);
		struct synack_sockaddr dst, client;
		struct flow *x = NULL;
		if (synack_rt_getsockname(r->rt, s, (struct sockaddr *)&me, &ml) == 0 &&
		    synack_rt_getpeername(r->rt, s, (struct sockaddr *)&peer, &pl) == 0) {
			to_synack(&me, &dst);
			to_synack(&peer, &client);
			x = find(r, udp, &client, &dst);
		}
		if (!x) {
			synack_rt_close(r->rt, s);
			continue;
		}
		joined(r, x, s);
		pump(r, x);
	}
}

/* ---- through a SOCKS5 proxy ---- */

/* A UDP association made: its TCP connection is kept (the association lasts as long), and
 * the flow's datagrams go to the proxy's relay through a socket of their own. */
static int associate(struct sk_tnl_relay *r, struct flow *x, struct synack_sockaddr relay)
{
	if (sk_ip_is_any(&relay.ip))
		relay.ip = r->socks5.ip; /* "the address you reached me at" */
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(&relay, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	kernel_interest(r, x, ~0u);
	x->ctl = x->sp.fd;
	x->sp.fd = fd;
	x->sp.edge = 0;
	sk_watch_kernel(r->ep, x->ctl, &x->cev, EPOLLIN, &x->cref);
	return 0;
}

/* The proxy's answer is in: err 0 (granted, bound its address) or what it said. */
static void socks_done(struct sk_tnl_relay *r, struct flow *x, int err, const struct synack_sockaddr *bound)
{
	free(x->s5);
	x->s5 = NULL;
	if (!x->udp) {
		decide(r, x, err); /* refused mirrored as a RST, anything else as unreachable */
		return;
	}
	if (err || associate(r, x, *bound) < 0) {
		end_flow(r, x); /* the client's datagrams are lost, as on a path */
		return;
	}
	if (x->sp.s >= 0)
		pump_udp(r, x);
}

/* The handshake with the proxy, as far as it can go now. The proxy's bytes are peeked
 * and only those of the handshake taken: what follows the reply stays in the socket, the
 * relayed stream's first bytes. */
static void socks_step(struct sk_tnl_relay *r, struct flow *x, uint32_t ev)
{
	int fd = x->sp.fd;
	if (!x->proxy_up) {
		int err = 0;
		socklen_t l = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		if (err == 0 && !(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (err) {
			socks_done(r, x, EHOSTUNREACH, NULL); /* no proxy: nothing can be reached */
			return;
		}
		x->proxy_up = 1;
	}
	struct synack_sockaddr bound;
	int st = 0;
	for (int round = 0; round < 4 && st == 0; round++) {
		const uint8_t *p;
		size_t n = sk_socks5_output(x->s5, &p);
		if (n) {
			ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN) {
				socks_done(r, x, ECONNABORTED, NULL);
				return;
			}
			if (w > 0)
				sk_socks5_sent(x->s5, (size_t)w);
		}
		uint8_t in[SK_SOCKS5_IN_MAX];
		ssize_t got = recv(fd, in, sizeof(in), MSG_PEEK);
		if (got == 0 || (got < 0 && errno != EAGAIN)) {
			socks_done(r, x, ECONNABORTED, NULL); /* the proxy went without an answer */
			return;
		}
		size_t used = got > 0 ? sk_socks5_input(x->s5, in, (size_t)got) : 0;
		if (used)
			recv(fd, in, used, 0);
		st = sk_socks5_status(x->s5, &bound);
		if (!used && !sk_socks5_output(x->s5, &p))
			break;
	}
	if (st == 0) {
		const uint8_t *p;
		kernel_interest(r, x, EPOLLIN | (sk_socks5_output(x->s5, &p) ? EPOLLOUT : 0));
		return;
	}
	socks_done(r, x, st < 0 ? -st : 0, &bound);
}

/* The association's TCP connection: the proxy ending it ends the flow. */
static void on_ctl(struct sk_tnl_relay *r, struct flow *x)
{
	if (x->dead)
		return;
	uint8_t junk[256];
	ssize_t n;
	while ((n = recv(x->ctl, junk, sizeof(junk), 0)) > 0)
		;
	if (n == 0 || errno != EAGAIN)
		end_flow(r, x);
}

static void on_flow(struct sk_tnl_relay *r, struct flow *x, uint32_t ev, int net)
{
	if (x->dead)
		return;
	if (!net) { /* what the kernel side says changed, whatever the flow does now */
		if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			x->sp.kernel_dry = 0;
		if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			x->sp.kernel_full = 0;
	}
	if (x->s5) {
		if (!net)
			socks_step(r, x, ev);
		return;
	}
	if (x->connecting) {
		if (!net)
			return;
		struct sockaddr_storage ss;
		socklen_t len = sockaddr_of(&x->to, &ss);
		if (synack_rt_connect(r->rt, x->sp.s, (struct sockaddr *)&ss, len) < 0 && errno != EISCONN) {
			if (errno == EALREADY || errno == EINPROGRESS)
				return;
			x->sp.net_dead = 1; /* refused or unreachable inside: the host's client is reset */
			end_flow(r, x);
			return;
		}
		x->connecting = 0;
		pump(r, x);
		return;
	}
	if (!x->up_ok) {
		/* the upstream connect's outcome */
		int err = 0;
		socklen_t l = sizeof(err);
		if (getsockopt(x->sp.fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		if (err == 0 && !(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		decide(r, x, err);
		return;
	}
	if (x->sp.s < 0) {
		if (ev & (EPOLLHUP | EPOLLERR))
			end_flow(r, x); /* the upstream went before the client's handshake ended */
		return;
	}
	(void)net;
	pump(r, x);
}

/* A connection to a forwarded port: synack connects to its address behind the link, and
 * the two are joined once it is made. */
static void on_forward(struct sk_tnl_relay *r, struct forward *fw)
{
	for (;;) {
		int fd = accept4(fw->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int s = synack_rt_socket(r->rt, fw->to.ip.family == SYNACK_AF_INET ? AF_INET : AF_INET6,
					 SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct sockaddr_storage ss;
		socklen_t len = sockaddr_of(&fw->to, &ss);
		struct flow *x = NULL;
		if (s < 0 || (synack_rt_connect(r->rt, s, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) ||
		    !(x = flow_new(r))) {
			if (s >= 0)
				synack_rt_close(r->rt, s);
			close(fd);
			continue;
		}
		joined(r, x, s);
		x->sp.fd = fd;
		x->up_ok = 1;
		x->connecting = 1;
		x->to = fw->to;
		x->sp.edge = 1;
		net_interest(r, x, ALL_ET);
		kernel_interest(r, x, ALL_ET);
	}
}

int sk_tnl_relay_forward(struct sk_tnl_relay *r, uint16_t port, const struct synack_sockaddr *to, char *why,
			 size_t whylen)
{
	if (r->nfwd == MAX_FORWARDS) {
		snprintf(why, whylen, "-p: at most %d forwarded ports", MAX_FORWARDS);
		return -1;
	}
	struct forward *fw = &r->fwd[r->nfwd];
	fw->tag = T_FORWARD;
	fw->to = *to;
	fw->fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;
	struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = fw};
	if (fw->fd < 0 || setsockopt(fw->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fw->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
	    bind(fw->fd, (struct sockaddr *)&any, sizeof(any)) < 0 || listen(fw->fd, 128) < 0 ||
	    epoll_ctl(r->ep, EPOLL_CTL_ADD, fw->fd, &e) < 0) {
		snprintf(why, whylen, "-p %u: %s", port, strerror(errno));
		if (fw->fd >= 0)
			close(fw->fd);
		return -1;
	}
	r->nfwd++;
	return 0;
}

static void on_net(void *ctx, void *ptr, uint32_t ev)
{
	struct sk_tnl_relay *r = ctx;
	if (*(enum tag *)ptr == T_LISTENER)
		accept_all(r, r->listener);
	else if (*(enum tag *)ptr == T_UDP)
		accept_all(r, r->udp);
	else
		on_flow(ctx, ptr, ev, 1);
}

int sk_tnl_relay_watch(struct sk_tnl_relay *r, int fd)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &r->w_tag};
	return epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &e);
}

int sk_tnl_relay_run(struct sk_tnl_relay *r, int timeout_ms)
{
	struct epoll_event ev[64];
	int n = epoll_wait(r->ep, ev, 64, timeout_ms);
	int rt_ready = 0, watched = 0;
	for (int i = 0; i < n; i++) {
		enum tag *t = ev[i].data.ptr;
		if (*t == T_RT)
			rt_ready = 1;
		else if (*t == T_WATCH)
			watched = 1;
		else if (*t == T_FLOW)
			on_flow(r, (struct flow *)t, ev[i].events, 0);
		else if (*t == T_CTL)
			on_ctl(r, ((struct flow *)((char *)t - offsetof(struct flow, cref))));
		else if (*t == T_FORWARD)
			on_forward(r, (struct forward *)t);
		else if (*t == T_PING)
			on_ping(r, (struct ping *)t);
	}
	if (sk_watch_net_round(r->rt, rt_ready, r->sep, on_net, r) < 0) {
		bury(r);
		return -1;
	}
	uint64_t now = sk_rt_now_us();
	if (now - r->last_sweep >= SWEEP_US) {
		r->last_sweep = now;
		for (struct flow *x = r->flows; x; x = x->next)
			if (!x->dead && ((x->up_ok && !x->connecting && x->sp.s < 0) || x->s5) &&
			    now - x->told_us > HANDSHAKE_US)
				end_flow(r, x); /* (or a proxy that never answered) */
		sweep_pings(r, now, 0);
	}
	bury(r);
	return (n > 0 ? SK_RUN_WORKED : 0) | (watched ? SK_RUN_WATCHED : 0);
}

struct sk_tnl_relay *sk_tnl_relay_new(synack_rt *rt, const struct sk_tnl_opts *o, char *why, size_t whylen)
{
	struct sk_tnl_relay *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	r->rt = rt;
	r->rt_tag = T_RT;
	r->l_tag = T_LISTENER;
	r->u_tag = T_UDP;
	r->w_tag = T_WATCH;
	r->udp_idle_ms = o ? o->udp_idle_ms : 0;
	synack_ip_parse(SK_TNL_DNS4, &r->dns4);
	synack_ip_parse(SK_TNL_DNS6, &r->dns6);
	if (o) {
		r->dns = o->dns;
		r->socks5 = o->socks5;
		r->limits = o->limits;
	}
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	r->sep = synack_rt_epoll_create(rt);
	/* One dual-stack listener takes the flows of both families; its own port is not used. */
	r->listener = synack_rt_socket(rt, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r->udp = synack_rt_socket(rt, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(1)};
	struct epoll_event er = {.events = EPOLLIN, .data.ptr = &r->rt_tag};
	struct epoll_event el = {.events = EPOLLIN, .data.ptr = &r->l_tag};
	struct epoll_event eu = {.events = EPOLLIN, .data.ptr = &r->u_tag};
	if (r->ep < 0 || r->sep < 0 || r->listener < 0 || r->udp < 0 ||
	    synack_rt_bind(rt, r->listener, (struct sockaddr *)&any, sizeof(any)) < 0 ||
	    synack_rt_listen(rt, r->listener, 4096) < 0 ||
	    synack_rt_epoll_ctl(rt, r->sep, EPOLL_CTL_ADD, r->listener, &el) < 0 ||
	    synack_rt_epoll_ctl(rt, r->sep, EPOLL_CTL_ADD, r->udp, &eu) < 0 ||
	    epoll_ctl(r->ep, EPOLL_CTL_ADD, synack_rt_fd(rt), &er) < 0) {
		snprintf(why, whylen, "tunnel relay: %s", strerror(errno));
		sk_tnl_relay_free(r);
		return NULL;
	}
	synack_rt_with_stack(rt, turn_on, r);
	sk_rt_set_describer(rt, describe, r);
	if (r->listener < 0 || r->udp < 0) {
		snprintf(why, whylen, "tunnel relay: tunnel mode refused");
		sk_tnl_relay_free(r);
		return NULL;
	}
	return r;
}

size_t sk_tnl_relay_flows(const struct sk_tnl_relay *r)
{
	size_t n = 0;
	for (const struct flow *x = r->flows; x; x = x->next)
		n += !x->dead && !x->udp;
	return n;
}

void sk_tnl_relay_free(struct sk_tnl_relay *r)
{
	if (!r)
		return;
	for (struct flow *x = r->flows; x; x = x->next)
		end_flow(r, x);
	bury(r);
	for (int i = 0; i < r->nfwd; i++)
		close(r->fwd[i].fd);
	sweep_pings(r, 0, 1);
	sk_rt_set_describer(r->rt, NULL, NULL);
	free(r->by_sock);
	if (r->listener >= 0)
		synack_rt_close(r->rt, r->listener);
	if (r->udp >= 0)
		synack_rt_close(r->rt, r->udp);
	if (r->sep >= 0)
		synack_rt_epoll_close(r->rt, r->sep);
	if (r->ep >= 0)
		close(r->ep);
	free(r);
}
