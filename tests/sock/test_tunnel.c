/* Tunnel mode (TNL-1..4): a client stack connects and sends datagrams to addresses that are
 * not the server's (the simulated link takes them to the server, as a TUN's routes would);
 * the server in tunnel mode takes them on its tunnel listener and its tunnel datagram
 * socket as its flow hooks say, over IPv4 and IPv6, and serves its own addresses as before
 * (virtual clock). */
#include <errno.h>
#include <string.h>

#include <synack/synack.h>

#include "sim/world.h"
#include "stack/stack.h"
#include "tcp/tcb.h"
#include "testutil.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/wire.h"

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u
#define MS 1000ull

struct flows {
	int n;
	struct synack_flow last;
	int verdict; /* what the hook answers */
};

static int hook(void *ctx, const struct synack_flow *f)
{
	struct flows *fl = ctx;
	fl->n++;
	fl->last = *f;
	return fl->verdict;
}

struct pair {
	struct sk_world *w;
	synack_stack *c, *s;
	int hs;
};

static struct pair pair_new(int ipv6)
{
	struct pair p;
	struct sk_world_opts o = {.seed = 3, .no_log = 1, .ipv6 = ipv6};
	o.link.delay_us = 1000;
	p.w = sk_world_new(&o, NULL);
	assert_non_null(p.w);
	int hc = sk_world_add_host(p.w, "client", CLIENT, NULL);
	p.hs = sk_world_add_host(p.w, "server", SERVER, NULL);
	assert_true(hc >= 0 && p.hs >= 0);
	p.c = sk_world_stack(p.w, hc);
	p.s = sk_world_stack(p.w, p.hs);
	return p;
}

static void run(struct pair *p, uint64_t ms)
{
	sk_world_run_until(p->w, sk_world_now(p->w) + ms * MS);
}

static int listener(synack_stack *st, int family, uint16_t port)
{
	int l = synack_socket(st, family, SYNACK_SOCK_STREAM);
	assert_true(l >= 0);
	struct synack_sockaddr a = synack_sa_any(family, port);
	assert_int_equal(synack_bind(st, l, &a), 0);
	assert_int_equal(synack_listen(st, l, 16), 0);
	return l;
}

static int connect_to(struct pair *p, const struct synack_sockaddr *to)
{
	int k = synack_socket(p->c, to->ip.family, SYNACK_SOCK_STREAM);
	assert_true(k >= 0);
	assert_int_equal(synack_connect(p->c, k, to), -EINPROGRESS);
	return k;
}

/* A socket's pending error (SO_ERROR), taken. */
static int so_error(synack_stack *st, int k)
{
	int v = -1;
	size_t l = sizeof(v);
	assert_int_equal(synack_getsockopt(st, k, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &v, &l), 0);
	return v;
}

static struct synack_stats stats(synack_stack *st)
{
	struct synack_stats s;
	synack_get_stats(st, &s);
	return s;
}

static int same(const struct synack_sockaddr *a, const struct synack_sockaddr *b)
{
	return a->port == b->port && synack_ip_equal(&a->ip, &b->ip);
}

/* Data both ways through a tunnelled connection. */
static void exchange(struct pair *p, int k, int a)
{
	assert_int_equal(synack_send(p->c, k, "upstream?", 9, 0), 9);
	run(p, 10);
	char buf[32];
	assert_int_equal(synack_recv(p->s, a, buf, sizeof(buf), 0), 9);
	assert_memory_equal(buf, "upstream?", 9);
	assert_int_equal(synack_send(p->s, a, "relayed", 7, 0), 7);
	run(p, 10);
	assert_int_equal(synack_recv(p->c, k, buf, sizeof(buf), 0), 7);
	assert_memory_equal(buf, "relayed", 7);
}

static void accept_flow(int ipv6)
{
	struct pair p = pair_new(ipv6);
	struct flows fl = {.verdict = SYNACK_FLOW_ACCEPT};
	int l = listener(p.s, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 443);
	if (ipv6)
		assert_int_equal(synack_ip_parse("2001:db8:ffff::7", &dst.ip), 0);
	int k = connect_to(&p, &dst);
	run(&p, 20);
	/* The hook saw the flow's two ends before anything was answered. */
	assert_int_equal(fl.n, 1);
	assert_true(same(&fl.last.dst, &dst));
	struct synack_sockaddr ck;
	assert_int_equal(synack_getsockname(p.c, k, &ck), 0);
	assert_true(same(&fl.last.client, &ck));
	assert_int_equal(fl.last.proto, SYNACK_IPPROTO_TCP);

	struct synack_sockaddr peer, me;
	int a = synack_accept(p.s, l, &peer);
	assert_true(a >= 0);
	assert_true(same(&peer, &ck));
	/* Its local end is the destination the client asked for. */
	assert_int_equal(synack_getsockname(p.s, a, &me), 0);
	assert_true(same(&me, &dst));
	struct synack_sockaddr cpeer;
	assert_int_equal(synack_getpeername(p.c, k, &cpeer), 0);
	assert_true(same(&cpeer, &dst));
	exchange(&p, k, a);
	assert_int_equal(stats(p.s).tnl_accepted, 1);
	/* The SYN's retransmission or the ACK of the handshake asked nothing more. */
	assert_int_equal(fl.n, 1);

	/* A second flow to another destination and port, same listener. */
	struct synack_sockaddr dst2 = dst;
	dst2.port = 8443;
	if (!ipv6)
		dst2.ip = synack_ip4(198, 51, 100, 9);
	int k2 = connect_to(&p, &dst2);
	run(&p, 20);
	int a2 = synack_accept(p.s, l, NULL);
	assert_true(a2 >= 0);
	assert_int_equal(synack_getsockname(p.s, a2, &me), 0);
	assert_true(same(&me, &dst2));
	exchange(&p, k2, a2);

	/* The server's own address is served as always: no hook, its own listener. */
	int own = listener(p.s, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, 7000);
	struct synack_sockaddr to_own = sk_world_sockaddr(p.w, p.hs, 7000);
	int k3 = connect_to(&p, &to_own);
	run(&p, 20);
	assert_int_equal(fl.n, 2);
	assert_true(synack_accept(p.s, own, NULL) >= 0);
	assert_true(synack_accept(p.s, l, NULL) < 0);
	(void)k3;
	sk_world_free(p.w);
}

static void test_tnl_accept_ipv4(void **state)
{
	(void)state;
	accept_flow(0);
}

static void test_tnl_accept_ipv6(void **state)
{
	(void)state;
	accept_flow(1);
}

/* The hook refuses: a RST (the client's connect fails ECONNREFUSED) or an ICMP host
 * unreachable (the client is told the host cannot be reached). */
static void test_tnl_refuse(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	struct flows fl = {.verdict = SYNACK_FLOW_RST};
	int l = listener(p.s, SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 25);
	int k = connect_to(&p, &dst);
	run(&p, 20);
	assert_int_equal(so_error(p.c, k), ECONNREFUSED);
	assert_int_equal(stats(p.s).tnl_refused_rst, 1);
	assert_true(synack_accept(p.s, l, NULL) < 0);

	fl.verdict = SYNACK_FLOW_UNREACH;
	uint64_t icmp_before = stats(p.c).icmp_errors_in;
	k = connect_to(&p, &dst);
	run(&p, 20);
	assert_int_equal(stats(p.s).tnl_refused_unreach, 1);
	assert_int_equal(stats(p.c).icmp_errors_in, icmp_before + 1);
	/* The client is told at once (RFC 1122 4.2.3.9: a soft error, so its SYNs go on,
	 * each refused again by the hook). */
	assert_int_equal(so_error(p.c, k), EHOSTUNREACH);
	run(&p, 5000);
	assert_true(stats(p.s).tnl_refused_unreach > 1);
	assert_true(synack_accept(p.s, l, NULL) < 0);
	sk_world_free(p.w);
}

/* Off (by default, or after the listener closes, or with -1): a SYN to another address is
 * not the stack's, counted and never answered; the stack's other listeners never take one. */
static void test_tnl_off(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	int wild = listener(p.s, SYNACK_AF_INET, 443);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 443);
	uint64_t before = stats(p.s).ip_in_not_mine;
	connect_to(&p, &dst);
	run(&p, 20);
	assert_true(stats(p.s).ip_in_not_mine > before);
	assert_int_equal(stats(p.s).tcp_rst_out, 0);
	assert_true(synack_accept(p.s, wild, NULL) < 0);

	/* A tunnel listener, then closed: off again. */
	struct flows fl = {.verdict = SYNACK_FLOW_ACCEPT};
	int l = listener(p.s, SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	/* not a listener, not a socket */
	int plain = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_tunnel(p.s, plain, hook, &fl), -EINVAL);
	assert_int_equal(synack_tunnel(p.s, 999, hook, &fl), -EBADF);
	assert_int_equal(synack_close(p.s, l), 0);
	before = stats(p.s).ip_in_not_mine;
	connect_to(&p, &dst);
	run(&p, 20);
	assert_int_equal(fl.n, 0);
	assert_true(stats(p.s).ip_in_not_mine > before);
	assert_true(synack_accept(p.s, wild, NULL) < 0);
	/* -1 turns it off as well */
	l = listener(p.s, SYNACK_AF_INET, 2);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	assert_int_equal(synack_tunnel(p.s, -1, NULL, NULL), 0);
	connect_to(&p, &dst);
	run(&p, 20);
	assert_int_equal(fl.n, 0);
	sk_world_free(p.w);
}

/* Upstream first: the hook defers, nothing is answered (the client's SYNs wait, the hook
 * is not asked again) until the application's verdict, which the client then sees: the
 * handshake, a RST, or an ICMP unreachable; without a verdict the flow is dropped. */
static void defer_flow(int ipv6)
{
	struct pair p = pair_new(ipv6);
	struct flows fl = {.verdict = SYNACK_FLOW_DEFER};
	int l = listener(p.s, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 443);
	if (ipv6)
		assert_int_equal(synack_ip_parse("2001:db8:ffff::7", &dst.ip), 0);
	int k = connect_to(&p, &dst);
	run(&p, 4000); /* the client's SYN went out again at 1 and 3 s */
	assert_int_equal(fl.n, 1);
	assert_int_equal(stats(p.s).tnl_deferred, 1);
	assert_true(stats(p.c).tcp_rexmit >= 2);
	assert_int_equal(stats(p.s).tcp_out, 0); /* nothing answered */
	struct synack_flow f = fl.last;
	assert_int_equal(synack_tunnel_verdict(p.s, &f, 99), -EINVAL);
	assert_int_equal(synack_tunnel_verdict(p.s, &f, SYNACK_FLOW_ACCEPT), 0);
	assert_int_equal(synack_tunnel_verdict(p.s, &f, SYNACK_FLOW_ACCEPT), -ENOENT); /* given already */
	run(&p, 20);
	int a = synack_accept(p.s, l, NULL);
	assert_true(a >= 0);
	struct synack_sockaddr me;
	assert_int_equal(synack_getsockname(p.s, a, &me), 0);
	assert_true(same(&me, &dst));
	exchange(&p, k, a);

	/* Refused after deferring: a RST, then an ICMP unreachable. */
	dst.port = 25;
	k = connect_to(&p, &dst);
	run(&p, 20);
	f = fl.last;
	assert_int_equal(synack_tunnel_verdict(p.s, &f, SYNACK_FLOW_RST), 0);
	run(&p, 20);
	assert_int_equal(so_error(p.c, k), ECONNREFUSED);
	dst.port = 26;
	k = connect_to(&p, &dst);
	run(&p, 20);
	f = fl.last;
	uint64_t icmp_before = stats(p.c).icmp_errors_in;
	assert_int_equal(synack_tunnel_verdict(p.s, &f, SYNACK_FLOW_UNREACH), 0);
	run(&p, 20);
	assert_int_equal(stats(p.c).icmp_errors_in, icmp_before + 1);
	assert_int_equal(so_error(p.c, k), EHOSTUNREACH);
	assert_int_equal(stats(p.s).tnl_refused_rst, 1);
	assert_int_equal(stats(p.s).tnl_refused_unreach, 1);

	sk_world_free(p.w);

	/* No verdict: dropped after 63 s (the client, closed, sends no more SYNs); a late
	 * verdict finds nothing. */
	p = pair_new(ipv6);
	l = listener(p.s, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	k = connect_to(&p, &dst);
	run(&p, 20);
	f = fl.last;
	assert_int_equal(stats(p.s).half_open, 1);
	assert_int_equal(synack_close(p.c, k), 0);
	run(&p, 62000);
	assert_int_equal(stats(p.s).tnl_defer_expired, 0);
	run(&p, 2000);
	assert_int_equal(stats(p.s).tnl_defer_expired, 1);
	assert_int_equal(stats(p.s).half_open, 0);
	assert_int_equal(synack_tunnel_verdict(p.s, &f, SYNACK_FLOW_ACCEPT), -ENOENT);
	sk_world_free(p.w);
}

static void test_tnl_defer_ipv4(void **state)
{
	(void)state;
	defer_flow(0);
}

static void test_tnl_defer_ipv6(void **state)
{
	(void)state;
	defer_flow(1);
}

/* ICMP errors about a tunnelled connection's packets are addressed to the destination the
 * client asked for, not to the stack: they reach the connection all the same. A router's
 * frag-needed (IPv4) and Packet Too Big (IPv6) lower its MSS. */
static void icmp_to_tunnelled(int ipv6)
{
	struct pair p = pair_new(ipv6);
	int l = listener(p.s, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, NULL, NULL), 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 443);
	if (ipv6)
		assert_int_equal(synack_ip_parse("2001:db8:ffff::7", &dst.ip), 0);
	connect_to(&p, &dst);
	run(&p, 20);
	int a = synack_accept(p.s, l, NULL);
	assert_true(a >= 0);
	static uint8_t out[200000];
	assert_true(synack_send(p.s, a, out, sizeof(out), 0) > 0);
	run(&p, 1); /* some in flight */
	struct sk_tcb *t = (struct sk_tcb *)p.s->handles.v[a];
	assert_true(t->snd_nxt != t->snd_una);
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	uint8_t pkt[300], quote[60] = {0};
	size_t n;
	if (ipv6) {
		struct synack_ip router;
		assert_int_equal(synack_ip_parse("2001:db8::fe", &router), 0);
		struct sk_ipv6 qh = {.payload_len = 1460, .next = SK_IPPROTO_TCP, .hop_limit = 64};
		memcpy(qh.src, e.l6, 16);
		memcpy(qh.dst, e.r6, 16);
		sk_ipv6_emit(quote, 40, &qh);
		sk_put16(quote + 40, t->h.key.lport);
		sk_put16(quote + 42, t->h.key.rport);
		sk_put32(quote + 44, t->snd_una);
		int m = sk_icmp6_emit_error(pkt + 40, sizeof(pkt) - 40, router.bytes, e.l6, SK_ICMP6_PKT_TOO_BIG, 0, 1280,
					    quote, sizeof(quote));
		assert_true(m > 0);
		struct sk_ipv6 h = {.payload_len = (uint16_t)m, .next = SK_IPPROTO_ICMPV6, .hop_limit = 64};
		memcpy(h.src, router.bytes, 16);
		memcpy(h.dst, e.l6, 16);
		sk_ipv6_emit(pkt, 40, &h);
		n = 40 + (size_t)m;
	} else {
		struct sk_ipv4 qh = {.total_len = 1500, .ttl = 64, .proto = SK_IPPROTO_TCP, .src = e.l4, .dst = e.r4,
				     .frag = SK_IP_DF};
		sk_ipv4_emit(quote, 20, &qh);
		sk_put16(quote + 20, t->h.key.lport);
		sk_put16(quote + 22, t->h.key.rport);
		sk_put32(quote + 24, t->snd_una);
		struct sk_icmp m = {.type = SK_ICMP_UNREACH, .code = SK_ICMP_UNREACH_NEEDFRAG, .rest = 1400,
				    .data = quote, .data_len = 28};
		int k = sk_icmp_emit(pkt + 20, sizeof(pkt) - 20, &m);
		assert_true(k > 0);
		struct sk_ipv4 h = {.total_len = (uint16_t)(20 + k), .ttl = 64, .proto = SK_IPPROTO_ICMP,
				    .src = 0x0a0000feu, .dst = e.l4};
		sk_ipv4_emit(pkt, 20, &h);
		n = 20 + (size_t)k;
	}
	synack_input(p.s, pkt, n, sk_world_now(p.w));
	assert_int_equal(stats(p.s).tcp_pmtu_lowered, 1);
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(p.s, a, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.snd_mss, (ipv6 ? 1220 : 1360) - 12);
	sk_world_free(p.w);
}

static void test_tnl_icmp_errors_ipv4(void **state)
{
	(void)state;
	icmp_to_tunnelled(0);
}

static void test_tnl_icmp_errors_ipv6(void **state)
{
	(void)state;
	icmp_to_tunnelled(1);
}

/* ---- UDP flows (TNL-3) ---- */

static int udp_socket(synack_stack *st, int family, uint16_t port)
{
	int u = synack_socket(st, family, SYNACK_SOCK_DGRAM);
	assert_true(u >= 0);
	if (port) {
		struct synack_sockaddr a = synack_sa_any(family, port);
		assert_int_equal(synack_bind(st, u, &a), 0);
	}
	return u;
}

/* An IPv4 address as an AF_INET6 socket names it (::ffff:a.b.c.d); IPv6 as it is. */
static struct synack_ip mapped(struct synack_ip ip)
{
	if (ip.family != SYNACK_AF_INET)
		return ip;
	struct synack_ip m = {.family = SYNACK_AF_INET6};
	m.bytes[10] = m.bytes[11] = 0xff;
	memcpy(m.bytes + 12, ip.bytes, 4);
	return m;
}

static void dgram_to(struct pair *p, int k, const struct synack_sockaddr *to, const char *msg)
{
	assert_int_equal(synack_sendto(p->c, k, msg, strlen(msg), 0, to), (ssize_t)strlen(msg));
	run(p, 10);
}

static void expect_dgram(synack_stack *st, int k, const char *msg, const struct synack_sockaddr *from)
{
	char buf[64];
	struct synack_sockaddr f;
	ssize_t n = synack_recvfrom(st, k, buf, sizeof(buf), 0, &f);
	assert_int_equal(n, (ssize_t)strlen(msg));
	assert_memory_equal(buf, msg, strlen(msg));
	if (from)
		assert_true(same(&f, from));
}

/* Each new flow (client end, destination) is seen by the hook once and becomes a connected
 * socket bound to the destination asked for, taken with accept; replies leave from that
 * destination; the stack's own sockets, a wildcard one on the same port included, never
 * see a tunnelled datagram, and its own address is served as before. */
static void udp_flows(int ipv6)
{
	struct pair p = pair_new(ipv6);
	int fam = ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET;
	struct flows fl = {.verdict = SYNACK_FLOW_DEFER}; /* = accept for UDP */
	int own = udp_socket(p.s, fam, 53);
	int t = udp_socket(p.s, SYNACK_AF_INET6, 0);
	assert_int_equal(synack_tunnel_udp(p.s, t, 0, hook, &fl), 0);
	assert_int_equal(synack_accept(p.s, t, NULL), -EAGAIN);
	assert_int_equal(synack_events(p.s, t) & SYNACK_EV_IN, 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 53);
	if (ipv6)
		assert_int_equal(synack_ip_parse("2001:db8:ffff::7", &dst.ip), 0);
	int k = udp_socket(p.c, fam, 0);
	dgram_to(&p, k, &dst, "query 1");
	assert_int_equal(fl.n, 1);
	assert_int_equal(fl.last.proto, SYNACK_IPPROTO_UDP);
	assert_true(same(&fl.last.dst, &dst));
	struct synack_sockaddr ck;
	assert_int_equal(synack_getsockname(p.c, k, &ck), 0);
	ck.ip = sk_world_sockaddr(p.w, 0, 0).ip; /* (its name is the wildcard: unconnected) */
	assert_true(same(&fl.last.client, &ck));
	assert_true(synack_events(p.s, t) & SYNACK_EV_IN);
	/* A second datagram of the flow before it is taken waits on the same socket. */
	dgram_to(&p, k, &dst, "query 2");
	assert_int_equal(fl.n, 1);

	struct synack_sockaddr peer, me;
	int f = synack_accept(p.s, t, &peer);
	assert_true(f >= 0);
	assert_int_equal(synack_accept(p.s, t, NULL), -EAGAIN);
	assert_int_equal(synack_getsockname(p.s, f, &me), 0);
	assert_int_equal(synack_getpeername(p.s, f, &peer), 0);
	/* The tunnel socket is AF_INET6: IPv4 ends IPv4-mapped, as Linux names them. */
	assert_int_equal(me.ip.family, SYNACK_AF_INET6);
	assert_true(same(&me, &(struct synack_sockaddr){mapped(dst.ip), dst.port, 0}));
	assert_true(same(&peer, &(struct synack_sockaddr){mapped(ck.ip), ck.port, 0}));
	expect_dgram(p.s, f, "query 1", NULL);
	expect_dgram(p.s, f, "query 2", NULL);
	assert_int_equal(synack_send(p.s, f, "answer", 6, 0), 6);
	run(&p, 10);
	expect_dgram(p.c, k, "answer", &dst);
	dgram_to(&p, k, &dst, "query 3");
	expect_dgram(p.s, f, "query 3", NULL);

	/* Another client port, another destination port: two more flows. */
	int k2 = udp_socket(p.c, fam, 0);
	dgram_to(&p, k2, &dst, "other client");
	struct synack_sockaddr dst2 = dst;
	dst2.port = 5353;
	dgram_to(&p, k, &dst2, "other port");
	assert_int_equal(fl.n, 3);
	int f2 = synack_accept(p.s, t, NULL), f3 = synack_accept(p.s, t, NULL);
	assert_true(f2 >= 0 && f3 >= 0);
	expect_dgram(p.s, f2, "other client", NULL);
	expect_dgram(p.s, f3, "other port", NULL);
	assert_int_equal(stats(p.s).tnl_accepted, 3);

	/* The wildcard socket on port 53 took none of it, and has its own address's. */
	assert_int_equal(synack_recvfrom(p.s, own, (char[8]){0}, 8, 0, NULL), -EAGAIN);
	struct synack_sockaddr to_own = sk_world_sockaddr(p.w, p.hs, 53);
	dgram_to(&p, k, &to_own, "to you");
	expect_dgram(p.s, own, "to you", NULL);
	assert_int_equal(fl.n, 3);
	sk_world_free(p.w);
}

static void test_tnl_udp_ipv4(void **state)
{
	(void)state;
	udp_flows(0);
}

static void test_tnl_udp_ipv6(void **state)
{
	(void)state;
	udp_flows(1);
}

/* A flow with no datagram either way for the idle time ends: read ETIMEDOUT, then end of
 * file, hung up; the next datagram between the same ends is a new flow. Traffic either way
 * keeps a flow; one never taken is freed when idle. */
static void test_tnl_udp_idle(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	struct flows fl = {.verdict = SYNACK_FLOW_ACCEPT};
	int t = udp_socket(p.s, SYNACK_AF_INET, 0);
	assert_int_equal(synack_tunnel_udp(p.s, t, 5000, hook, &fl), 0);
	struct synack_sockaddr dst = synack_sa4(198, 51, 100, 9, 4500);
	int k = udp_socket(p.c, SYNACK_AF_INET, 0);
	dgram_to(&p, k, &dst, "hello");
	int f = synack_accept(p.s, t, NULL);
	assert_true(f >= 0);
	expect_dgram(p.s, f, "hello", NULL);
	/* Kept by traffic: the flow's own sends at 3 s, the client's at 6 s. */
	run(&p, 3000);
	assert_int_equal(synack_send(p.s, f, "x", 1, 0), 1);
	run(&p, 3000);
	dgram_to(&p, k, &dst, "y");
	expect_dgram(p.s, f, "y", NULL);
	run(&p, 4900);
	assert_int_equal(stats(p.s).tnl_udp_expired, 0);
	assert_int_equal(synack_events(p.s, f) & SYNACK_EV_HUP, 0);
	run(&p, 200);
	assert_int_equal(stats(p.s).tnl_udp_expired, 1);
	int ev = synack_events(p.s, f);
	assert_true((ev & SYNACK_EV_IN) && (ev & SYNACK_EV_HUP) && (ev & SYNACK_EV_ERR));
	char buf[8];
	assert_int_equal(synack_recv(p.s, f, buf, sizeof(buf), 0), -ETIMEDOUT);
	assert_int_equal(synack_recv(p.s, f, buf, sizeof(buf), 0), 0);
	assert_int_equal(synack_send(p.s, f, "late", 4, 0), -EPIPE);
	/* The same ends again: a new flow, on a new socket. */
	dgram_to(&p, k, &dst, "again");
	assert_int_equal(fl.n, 2);
	int f2 = synack_accept(p.s, t, NULL);
	assert_true(f2 >= 0 && f2 != f);
	expect_dgram(p.s, f2, "again", NULL);
	assert_int_equal(synack_close(p.s, f), 0);
	/* Never taken: gone when idle. */
	dst.port = 4501;
	dgram_to(&p, k, &dst, "unseen");
	run(&p, 5100);
	assert_int_equal(stats(p.s).tnl_udp_expired, 3); /* f2 as well */
	assert_int_equal(synack_accept(p.s, t, NULL), -EAGAIN);
	assert_int_equal(synack_events(p.s, t) & SYNACK_EV_IN, 0);
	sk_world_free(p.w);
}

/* Refused flows: a closed port's ICMP port unreachable (the client's connected socket reads
 * ECONNREFUSED) or a router's host unreachable (EHOSTUNREACH); a full backlog drops and
 * counts; an ICMP error about a flow's datagram reaches the flow. */
static void test_tnl_udp_refuse(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	struct flows fl = {.verdict = SYNACK_FLOW_RST};
	int t = udp_socket(p.s, SYNACK_AF_INET, 0);
	assert_int_equal(synack_tunnel_udp(p.s, t, 0, hook, &fl), 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 53);
	int k = udp_socket(p.c, SYNACK_AF_INET, 0);
	assert_int_equal(synack_connect(p.c, k, &dst), 0);
	assert_int_equal(synack_send(p.c, k, "q", 1, 0), 1);
	run(&p, 10);
	char buf[8];
	assert_int_equal(synack_recv(p.c, k, buf, sizeof(buf), 0), -ECONNREFUSED);
	fl.verdict = SYNACK_FLOW_UNREACH;
	assert_int_equal(synack_send(p.c, k, "q", 1, 0), 1);
	run(&p, 10);
	assert_int_equal(synack_recv(p.c, k, buf, sizeof(buf), 0), -EHOSTUNREACH);
	assert_int_equal(synack_accept(p.s, t, NULL), -EAGAIN);
	assert_int_equal(fl.n, 2);
	assert_int_equal(stats(p.s).tnl_refused_rst, 1);
	assert_int_equal(stats(p.s).tnl_refused_unreach, 1);

	/* Accepted, then the client's port closes: the flow's next datagram draws a port
	 * unreachable addressed to the destination, and the flow reads ECONNREFUSED. */
	fl.verdict = SYNACK_FLOW_ACCEPT;
	assert_int_equal(synack_send(p.c, k, "q", 1, 0), 1);
	run(&p, 10);
	int f = synack_accept(p.s, t, NULL);
	assert_true(f >= 0);
	expect_dgram(p.s, f, "q", NULL);
	assert_int_equal(synack_close(p.c, k), 0);
	assert_int_equal(synack_send(p.s, f, "a", 1, 0), 1);
	run(&p, 10);
	assert_int_equal(synack_recv(p.s, f, buf, sizeof(buf), 0), -ECONNREFUSED);

	/* 1024 flows wait at most; the next is dropped and counted, answered with nothing. */
	uint64_t icmp = stats(p.s).icmp_out;
	int c = udp_socket(p.c, SYNACK_AF_INET, 0);
	for (uint16_t i = 0; i < 1025; i++) {
		struct synack_sockaddr d = synack_sa4(203, 0, 113, 8, (uint16_t)(1000 + i));
		assert_int_equal(synack_sendto(p.c, c, "z", 1, 0, &d), 1);
		if (i % 64 == 63)
			run(&p, 2);
	}
	run(&p, 10);
	assert_int_equal(stats(p.s).tnl_udp_backlog_drops, 1);
	assert_int_equal(stats(p.s).icmp_out, icmp);
	sk_world_free(p.w);
}

/* Off by default, with -1, or when its socket closes: datagrams to other addresses are not
 * the stack's; bad arguments; accept on any other datagram socket is EOPNOTSUPP. */
static void test_tnl_udp_off(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	struct flows fl = {.verdict = SYNACK_FLOW_ACCEPT};
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 53);
	int k = udp_socket(p.c, SYNACK_AF_INET, 0);
	uint64_t before = stats(p.s).ip_in_not_mine;
	dgram_to(&p, k, &dst, "q");
	assert_int_equal(stats(p.s).ip_in_not_mine, before + 1);
	int plain = udp_socket(p.s, SYNACK_AF_INET, 0);
	assert_int_equal(synack_accept(p.s, plain, NULL), -EOPNOTSUPP);
	int tcp = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_tunnel_udp(p.s, tcp, 0, hook, &fl), -EINVAL);
	assert_int_equal(synack_tunnel_udp(p.s, 999, 0, hook, &fl), -EBADF);
	int t = udp_socket(p.s, SYNACK_AF_INET, 0);
	assert_int_equal(synack_tunnel_udp(p.s, t, 0, hook, &fl), 0);
	dgram_to(&p, k, &dst, "q");
	int f = synack_accept(p.s, t, NULL);
	assert_true(f >= 0);
	assert_int_equal(synack_tunnel_udp(p.s, f, 0, hook, &fl), -EINVAL); /* a flow's */
	/* Closed with a flow waiting: it goes with it; then off. */
	dst.port = 54;
	dgram_to(&p, k, &dst, "q");
	assert_int_equal(synack_close(p.s, t), 0);
	before = stats(p.s).ip_in_not_mine;
	dst.port = 55;
	dgram_to(&p, k, &dst, "q");
	assert_int_equal(stats(p.s).ip_in_not_mine, before + 1);
	/* -1 as well; a tunnel TCP listener alone takes no datagram. */
	t = udp_socket(p.s, SYNACK_AF_INET, 0);
	assert_int_equal(synack_tunnel_udp(p.s, t, 0, hook, &fl), 0);
	assert_int_equal(synack_tunnel_udp(p.s, -1, 0, NULL, NULL), 0);
	int l = listener(p.s, SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, hook, &fl), 0);
	before = stats(p.s).ip_in_not_mine;
	dgram_to(&p, k, &dst, "q");
	assert_int_equal(stats(p.s).ip_in_not_mine, before + 1);
	assert_int_equal(fl.n, 2);
	expect_dgram(p.s, f, "q", NULL); /* what it had stays */
	sk_world_free(p.w);
}

/* ---- limits (TNL-4) ---- */

/* Flows per client address: beyond the limit a connection is refused with a RST and a UDP
 * flow dropped, each counted; a flow gone makes room again. */
static void test_tnl_limit_per_source(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	int l = listener(p.s, SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, NULL, NULL), 0);
	int t = udp_socket(p.s, SYNACK_AF_INET, 0);
	assert_int_equal(synack_tunnel_udp(p.s, t, 0, NULL, NULL), 0);
	struct synack_tunnel_limits lim = {.flows_per_source = 2};
	assert_int_equal(synack_tunnel_limits(p.s, &lim), 0);
	struct synack_sockaddr dst = synack_sa4(203, 0, 113, 7, 443);
	int k1 = connect_to(&p, &dst);
	run(&p, 20);
	int k2 = connect_to(&p, &dst);
	run(&p, 20);
	int a1 = synack_accept(p.s, l, NULL), a2 = synack_accept(p.s, l, NULL);
	assert_true(a1 >= 0 && a2 >= 0);
	assert_int_equal(stats(p.s).tnl_flows, 2);
	int k3 = connect_to(&p, &dst);
	run(&p, 20);
	assert_int_equal(so_error(p.c, k3), ECONNREFUSED);
	assert_int_equal(stats(p.s).tnl_refused_per_source, 1);
	uint64_t icmp = stats(p.s).icmp_out;
	int u = udp_socket(p.c, SYNACK_AF_INET, 0);
	struct synack_sockaddr udst = synack_sa4(203, 0, 113, 7, 53);
	dgram_to(&p, u, &udst, "over");
	assert_int_equal(synack_accept(p.s, t, NULL), -EAGAIN);
	assert_int_equal(stats(p.s).tnl_refused_per_source, 2);
	assert_int_equal(stats(p.s).icmp_out, icmp); /* dropped, not answered */
	/* One ends (both sides close; the server's record goes): room for one more. */
	assert_int_equal(synack_close(p.c, k1), 0);
	run(&p, 20);
	assert_int_equal(synack_close(p.s, a1), 0);
	run(&p, 200);
	assert_int_equal(stats(p.s).tnl_flows, 1);
	dgram_to(&p, u, &udst, "room");
	int f = synack_accept(p.s, t, NULL);
	assert_true(f >= 0);
	expect_dgram(p.s, f, "room", NULL);
	assert_int_equal(stats(p.s).tnl_flows, 2);
	/* Off again: no limit. */
	assert_int_equal(synack_tunnel_limits(p.s, NULL), 0);
	int k4 = connect_to(&p, &dst);
	run(&p, 20);
	assert_true(synack_accept(p.s, l, NULL) >= 0);
	(void)k2;
	(void)k4;
	sk_world_free(p.w);
}

/* Data from the client into a tunnelled connection the application does not read yet:
 * memory the budget counts. */
static int loaded_flow(struct pair *p, int l, uint16_t port, int *client)
{
	struct synack_sockaddr dst = synack_sa4(198, 51, 100, 9, port);
	*client = connect_to(p, &dst);
	run(p, 20);
	int a = synack_accept(p->s, l, NULL);
	assert_true(a >= 0);
	static uint8_t data[60000];
	size_t sent = 0; /* the send buffer grows with cwnd: in a few writes */
	for (int i = 0; i < 20 && sent < sizeof(data); i++) {
		ssize_t n = synack_send(p->c, *client, data + sent, sizeof(data) - sent, 0);
		if (n > 0)
			sent += (size_t)n;
		run(p, 10);
	}
	assert_int_equal(sent, sizeof(data));
	run(p, 200);
	return a;
}

/* The memory budget: spent, the flows idle longest are shed (a RST to the client,
 * ECONNRESET to the application) until 90% of it is left; flows in use are never shed,
 * and while only they hold it a new flow is refused. */
static void test_tnl_budget(void **state)
{
	(void)state;
	struct pair p = pair_new(0);
	int l = listener(p.s, SYNACK_AF_INET, 1);
	assert_int_equal(synack_tunnel(p.s, l, NULL, NULL), 0);
	int ka, kb, kc;
	int a = loaded_flow(&p, l, 1001, &ka);
	run(&p, 2000);
	int b = loaded_flow(&p, l, 1002, &kb);
	/* what two such flows hold, as the budget counts it */
	struct synack_tunnel_limits lim = {.mem_bytes = 1ull << 40};
	assert_int_equal(synack_tunnel_limits(p.s, &lim), 0);
	synack_poll(p.s, sk_world_now(p.w));
	uint64_t two = stats(p.s).tnl_mem;
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(p.s, a, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_true(two >= 2 * 60000 && two <= 4 * (uint64_t)ti.mem_bytes);
	/* A budget just over two: a third flow spends it, and the idlest (a, quiet for 2 s)
	 * is shed; b, used this second, is not. */
	lim.mem_bytes = two + two / 4;
	assert_int_equal(synack_tunnel_limits(p.s, &lim), 0);
	int c = loaded_flow(&p, l, 1003, &kc);
	run(&p, 300);
	assert_int_equal(stats(p.s).tnl_shed, 1);
	assert_int_equal(so_error(p.c, ka), ECONNRESET);
	char buf[8];
	assert_int_equal(synack_recv(p.s, a, buf, sizeof(buf), 0), -ECONNRESET);
	assert_true(synack_recv(p.s, b, buf, sizeof(buf), 0) > 0);
	assert_true(synack_recv(p.s, c, buf, sizeof(buf), 0) > 0);
	assert_int_equal(so_error(p.c, kb), 0);
	assert_int_equal(so_error(p.c, kc), 0);
	/* b and c were used within the second: a fourth flow finds the budget spent and
	 * nothing idle to shed: refused. */
	lim.mem_bytes = two / 2;
	assert_int_equal(synack_tunnel_limits(p.s, &lim), 0);
	struct synack_sockaddr dst = synack_sa4(198, 51, 100, 9, 1004);
	int kd = connect_to(&p, &dst);
	run(&p, 20);
	assert_int_equal(so_error(p.c, kd), ECONNREFUSED);
	assert_int_equal(stats(p.s).tnl_refused_mem, 1);
	assert_int_equal(stats(p.s).tnl_shed, 1);
	/* Two seconds later they are idle: the next look sheds them. */
	run(&p, 2000);
	synack_poll(p.s, sk_world_now(p.w));
	run(&p, 20);
	assert_int_equal(stats(p.s).tnl_shed, 3);
	assert_int_equal(so_error(p.c, kb), ECONNRESET);
	sk_world_free(p.w);
}

/* ---- ping (ICMP echo to any address) ---- */

struct pings {
	int n;
	struct synack_ping last;
	uint8_t data[64];
};

static void ping_hook(void *ctx, const struct synack_ping *pg)
{
	struct pings *ps = ctx;
	ps->n++;
	ps->last = *pg;
	memcpy(ps->data, pg->data, pg->len < sizeof(ps->data) ? pg->len : sizeof(ps->data));
	ps->last.data = ps->data;
}

/* An echo request from the client's address to dst, into the server as the link brings it. */
static void echo_request(struct pair *p, const struct synack_ip *dst, uint16_t id, uint16_t seq, const char *data)
{
	uint8_t pkt[200];
	size_t dl = strlen(data), n;
	uint32_t rest = (uint32_t)id << 16 | seq;
	if (dst->family == SYNACK_AF_INET6) {
		struct synack_ip src = sk_world_ip6(CLIENT);
		struct sk_icmp6 m = {.type = SK_ICMP6_ECHO_REQUEST, .rest = rest, .data = (const uint8_t *)data,
				     .data_len = dl};
		int k = sk_icmp6_emit(pkt + 40, sizeof(pkt) - 40, src.bytes, dst->bytes, &m);
		assert_true(k > 0);
		struct sk_ipv6 h = {.payload_len = (uint16_t)k, .next = SK_IPPROTO_ICMPV6, .hop_limit = 64};
		memcpy(h.src, src.bytes, 16);
		memcpy(h.dst, dst->bytes, 16);
		sk_ipv6_emit(pkt, 40, &h);
		n = 40 + (size_t)k;
	} else {
		struct sk_icmp m = {.type = SK_ICMP_ECHO, .rest = rest, .data = (const uint8_t *)data, .data_len = dl};
		int k = sk_icmp_emit(pkt + 20, sizeof(pkt) - 20, &m);
		assert_true(k > 0);
		uint32_t d4 = (uint32_t)dst->bytes[0] << 24 | (uint32_t)dst->bytes[1] << 16 | (uint32_t)dst->bytes[2] << 8 |
			      dst->bytes[3];
		struct sk_ipv4 h = {.total_len = (uint16_t)(20 + k), .ttl = 64, .proto = SK_IPPROTO_ICMP, .src = CLIENT,
				    .dst = d4};
		sk_ipv4_emit(pkt, 20, &h);
		n = 20 + (size_t)k;
	}
	synack_input(p->s, pkt, n, sk_world_now(p->w));
}

/* The server's last echo reply in the world's log, or NULL. */
static const struct sk_rec *last_reply(struct pair *p)
{
	for (size_t i = sk_world_nrecs(p->w); i-- > 0;) {
		const struct sk_rec *r = sk_world_rec(p->w, i);
		if (r->type == SK_REC_SEG && r->host == p->hs &&
		    ((r->d.proto == SK_IPPROTO_ICMP && r->d.icmp.type == SK_ICMP_ECHOREPLY) ||
		     (r->d.proto == SK_IPPROTO_ICMPV6 && r->d.icmp6.type == SK_ICMP6_ECHO_REPLY)))
			return r;
	}
	return NULL;
}

/* Echo requests to any address reach the ping hook with their ends, identifier, sequence
 * and data; nothing is answered until the application answers, and then the reply comes
 * from the address pinged with all of them; the stack's own address is answered as ever;
 * off, nothing reaches a hook. */
static void ping_any(int ipv6)
{
	struct sk_world_opts o = {.seed = 3, .ipv6 = ipv6};
	o.link.delay_us = 1000;
	struct pair p;
	p.w = sk_world_new(&o, NULL);
	int hc = sk_world_add_host(p.w, "client", CLIENT, NULL);
	p.hs = sk_world_add_host(p.w, "server", SERVER, NULL);
	p.c = sk_world_stack(p.w, hc);
	p.s = sk_world_stack(p.w, p.hs);
	struct synack_ip dst = synack_ip4(203, 0, 113, 7);
	if (ipv6)
		assert_int_equal(synack_ip_parse("2001:db8:ffff::7", &dst), 0);
	struct pings ps = {0};
	uint64_t before = stats(p.s).ip_in_not_mine;
	echo_request(&p, &dst, 0x1234, 1, "ping?");
	assert_int_equal(stats(p.s).ip_in_not_mine, before + 1); /* off: not the stack's */
	assert_int_equal(synack_tunnel_ping(p.s, ping_hook, &ps), 0);
	echo_request(&p, &dst, 0x1234, 2, "ping?");
	run(&p, 10);
	assert_int_equal(ps.n, 1);
	assert_true(synack_ip_equal(&ps.last.dst, &dst));
	struct synack_ip client = ipv6 ? sk_world_ip6(CLIENT) : synack_ip4(10, 0, 0, 1);
	assert_true(synack_ip_equal(&ps.last.client, &client));
	assert_int_equal(ps.last.id, 0x1234);
	assert_int_equal(ps.last.seq, 2);
	assert_int_equal(ps.last.len, 5);
	assert_memory_equal(ps.last.data, "ping?", 5);
	assert_null(last_reply(&p)); /* nothing answered by itself */
	assert_int_equal(synack_tunnel_pong(p.s, &ps.last), 0);
	run(&p, 10);
	const struct sk_rec *r = last_reply(&p);
	assert_non_null(r);
	assert_int_equal(sk_world_pkt_src(&r->d), sk_world_ip_key(&dst));
	assert_int_equal(sk_world_pkt_dst(&r->d), ipv6 ? sk_world_ip_key(&client) : CLIENT);
	uint32_t rest = ipv6 ? r->d.icmp6.rest : r->d.icmp.rest;
	assert_int_equal(rest, 0x12340002u);
	size_t dl = ipv6 ? r->d.icmp6.data_len : r->d.icmp.data_len;
	assert_int_equal(dl, 5);
	assert_memory_equal(ipv6 ? r->d.icmp6.data : r->d.icmp.data, "ping?", 5);
	/* Bad arguments: mixed families. */
	struct synack_ping bad = ps.last;
	bad.client = ipv6 ? synack_ip4(10, 0, 0, 1) : sk_world_ip6(CLIENT);
	assert_int_equal(synack_tunnel_pong(p.s, &bad), -EINVAL);
	/* Off again. */
	assert_int_equal(synack_tunnel_ping(p.s, NULL, NULL), 0);
	echo_request(&p, &dst, 0x1234, 3, "ping?");
	assert_int_equal(ps.n, 1);
	sk_world_free(p.w);
}

static void test_tnl_ping_ipv4(void **state)
{
	(void)state;
	ping_any(0);
}

static void test_tnl_ping_ipv6(void **state)
{
	(void)state;
	ping_any(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tnl_accept_ipv4),
		cmocka_unit_test(test_tnl_accept_ipv6),
		cmocka_unit_test(test_tnl_refuse),
		cmocka_unit_test(test_tnl_off),
		cmocka_unit_test(test_tnl_defer_ipv4),
		cmocka_unit_test(test_tnl_defer_ipv6),
		cmocka_unit_test(test_tnl_icmp_errors_ipv4),
		cmocka_unit_test(test_tnl_icmp_errors_ipv6),
		cmocka_unit_test(test_tnl_udp_ipv4),
		cmocka_unit_test(test_tnl_udp_ipv6),
		cmocka_unit_test(test_tnl_udp_idle),
		cmocka_unit_test(test_tnl_udp_refuse),
		cmocka_unit_test(test_tnl_udp_off),
		cmocka_unit_test(test_tnl_limit_per_source),
		cmocka_unit_test(test_tnl_budget),
		cmocka_unit_test(test_tnl_ping_ipv4),
		cmocka_unit_test(test_tnl_ping_ipv6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
