/* TCP and UDP over IPv6 (IP6-6) and dual-stack sockets (IP6-7) between two simulated hosts
 * that have IPv4 and IPv6 addresses (virtual clock). */
#include <errno.h>
#include <string.h>

#include <synack/synack.h>

#include "sim/world.h"
#include "stack/addr.h"
#include "stack/stack.h"
#include "tcp/tcb.h"
#include "testutil.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/wire.h"

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u
#define PORT 7000
#define MS 1000ull

struct pair {
	struct sk_world *w;
	synack_stack *c, *s;
	int hc, hs;
	uint64_t segs;     /* IPv6 TCP segments the hook saw leave the client */
	uint8_t last[40];  /* the last IPv6 header a host sent (from the capture hook) */
};

static struct pair *pair_new(const struct synack_config *scfg)
{
	static struct pair p;
	memset(&p, 0, sizeof(p));
	struct sk_world_opts o = {.seed = 1, .no_log = 1, .ipv6 = 1};
	o.link.delay_us = 1000;
	p.w = sk_world_new(&o, NULL);
	assert_non_null(p.w);
	p.hc = sk_world_add_host(p.w, "client", CLIENT, NULL);
	p.hs = sk_world_add_host(p.w, "server", SERVER, scfg);
	assert_true(p.hc >= 0 && p.hs >= 0);
	p.c = sk_world_stack(p.w, p.hc);
	p.s = sk_world_stack(p.w, p.hs);
	return &p;
}

static void run(struct pair *p, uint64_t ms)
{
	sk_world_run_until(p->w, sk_world_now(p->w) + ms * MS);
}

static int tcp6(synack_stack *st)
{
	int k = synack_socket(st, SYNACK_AF_INET6, SYNACK_SOCK_STREAM);
	assert_true(k >= 0);
	return k;
}

static int listen_on(synack_stack *st, int family, int v6only)
{
	int l = synack_socket(st, family, SYNACK_SOCK_STREAM);
	assert_true(l >= 0);
	int one = 1;
	assert_int_equal(synack_setsockopt(st, l, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one, sizeof(one)), 0);
	if (family == SYNACK_AF_INET6)
		assert_int_equal(synack_setsockopt(st, l, SYNACK_IPPROTO_IPV6, SYNACK_IPV6_V6ONLY, &v6only, sizeof(v6only)), 0);
	struct synack_sockaddr a = synack_sa_any(family, PORT);
	assert_int_equal(synack_bind(st, l, &a), 0);
	assert_int_equal(synack_listen(st, l, 16), 0);
	return l;
}

/* A listener on the server (dual-stack), a client socket connected to it over IPv6, and
 * the accepted socket (its peer's name in *peer when not NULL). */
static void connected(struct pair *p, int *l, int *k, int *a, struct synack_sockaddr *peer)
{
	*l = listen_on(p->s, SYNACK_AF_INET6, 0);
	*k = tcp6(p->c);
	struct synack_sockaddr to = sk_world_sockaddr(p->w, p->hs, PORT);
	assert_int_equal(synack_connect(p->c, *k, &to), -EINPROGRESS);
	run(p, 20);
	*a = synack_accept(p->s, *l, peer);
	assert_true(*a >= 0);
}

static void assert_ip(const struct synack_ip *got, const char *want)
{
	char buf[SYNACK_IP_STRLEN];
	assert_non_null(synack_ip_format(got, buf, sizeof(buf)));
	assert_string_equal(buf, want);
}

/* A whole connection over IPv6: handshake, data both ways, names, MSS from the MTU less
 * 60, close, and the TIME-WAIT record that remembers the IPv6 4-tuple. */
static void test_tcp_over_ipv6(void **state)
{
	(void)state;
	struct pair *p = pair_new(NULL);
	int l, k, a;
	struct synack_sockaddr peer;
	connected(p, &l, &k, &a, &peer);
	assert_int_equal(peer.ip.family, SYNACK_AF_INET6);
	assert_ip(&peer.ip, "2001:db8::a00:1");

	struct synack_sockaddr me, them;
	assert_int_equal(synack_getsockname(p->c, k, &me), 0);
	assert_int_equal(synack_getpeername(p->c, k, &them), 0);
	assert_ip(&me.ip, "2001:db8::a00:1");
	assert_ip(&them.ip, "2001:db8::a00:2");
	assert_int_equal(them.port, PORT);
	assert_int_equal(synack_getsockname(p->s, a, &me), 0);
	assert_ip(&me.ip, "2001:db8::a00:2");
	assert_int_equal(me.port, PORT);

	/* 1500 - 40 (IPv6) - 20 (TCP), less the 12 bytes of timestamps every segment has */
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(p->c, k, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.snd_mss, 1440 - 12);

	/* 100 KB each way, byte for byte */
	static uint8_t out[100000], in[100000];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	size_t sent = 0, got = 0, back = 0, gotback = 0;
	for (int round = 0; round < 2000 && (gotback < sizeof(out)); round++) {
		if (sent < sizeof(out)) {
			ssize_t n = synack_send(p->c, k, out + sent, sizeof(out) - sent, 0);
			if (n > 0)
				sent += (size_t)n;
		}
		ssize_t n = synack_recv(p->s, a, in + got, sizeof(in) - got, 0);
		if (n > 0)
			got += (size_t)n;
		if (back < got) {
			n = synack_send(p->s, a, in + back, got - back, 0);
			if (n > 0)
				back += (size_t)n;
		}
		static uint8_t echo[100000];
		n = synack_recv(p->c, k, echo + gotback, sizeof(echo) - gotback, 0);
		if (n > 0) {
			assert_memory_equal(echo + gotback, out + gotback, (size_t)n);
			gotback += (size_t)n;
		}
		run(p, 5);
	}
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(gotback, sizeof(out));

	/* Active close from the client: its TIME-WAIT record holds the IPv6 tuple, and
	 * answers the server's retransmitted FIN (TW-1) over IPv6. */
	assert_int_equal(synack_close(p->c, k), 0);
	run(p, 20);
	assert_int_equal(synack_close(p->s, a), 0);
	run(p, 20);
	struct synack_stats sc, ss;
	synack_get_stats(p->c, &sc);
	synack_get_stats(p->s, &ss);
	assert_int_equal(sc.time_wait, 1);
	assert_int_equal(sc.conns, 0);
	assert_int_equal(ss.conns, 0);
	assert_int_equal(sc.tcp_in_bad_csum + ss.tcp_in_bad_csum, 0);
	assert_int_equal(sc.ip_in_bad + ss.ip_in_bad, 0);
	synack_close(p->s, l);
	sk_world_free(p->w);
}

/* A dual-stack listener (IPV6_V6ONLY 0, Linux's default) takes an IPv4 client, whose
 * address it names IPv4-mapped; with IPV6_V6ONLY the same client is refused. */
static void test_dual_stack(void **state)
{
	(void)state;
	struct pair *p = pair_new(NULL);
	int l = listen_on(p->s, SYNACK_AF_INET6, 0);
	int v;
	size_t vl = sizeof(v);
	assert_int_equal(synack_getsockopt(p->s, l, SYNACK_IPPROTO_IPV6, SYNACK_IPV6_V6ONLY, &v, &vl), 0);
	assert_int_equal(v, 0);
	int k4 = synack_socket(p->c, SYNACK_AF_INET, SYNACK_SOCK_STREAM), k6 = tcp6(p->c);
	struct synack_sockaddr to4 = sk_sa_from4(SERVER, PORT), to6 = sk_world_sockaddr(p->w, p->hs, PORT);
	assert_int_equal(synack_connect(p->c, k4, &to4), -EINPROGRESS);
	assert_int_equal(synack_connect(p->c, k6, &to6), -EINPROGRESS);
	run(p, 20);
	struct synack_sockaddr pa, pb, me;
	int a = synack_accept(p->s, l, &pa), b = synack_accept(p->s, l, &pb);
	assert_true(a >= 0 && b >= 0);
	assert_ip(&pa.ip, "::ffff:10.0.0.1");
	assert_ip(&pb.ip, "2001:db8::a00:1");
	assert_int_equal(synack_getsockname(p->s, a, &me), 0);
	assert_ip(&me.ip, "::ffff:10.0.0.2");
	assert_int_equal(synack_send(p->c, k4, "four", 4, 0), 4);
	assert_int_equal(synack_send(p->c, k6, "six", 3, 0), 3);
	run(p, 20);
	char buf[8];
	assert_int_equal(synack_recv(p->s, a, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "four", 4);
	assert_int_equal(synack_recv(p->s, b, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "six", 3);

	/* An IPv6 client socket reaches an IPv4 server through an IPv4-mapped address. */
	int l4 = synack_socket(p->s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr any4 = synack_sa_any(SYNACK_AF_INET, PORT + 1);
	assert_int_equal(synack_bind(p->s, l4, &any4), 0);
	assert_int_equal(synack_listen(p->s, l4, 4), 0);
	int km = tcp6(p->c);
	struct synack_sockaddr mapped = {sk_ip_map6(SERVER), PORT + 1, 0};
	assert_int_equal(synack_connect(p->c, km, &mapped), -EINPROGRESS);
	run(p, 20);
	struct synack_sockaddr pm;
	assert_true(synack_accept(p->s, l4, &pm) >= 0);
	assert_ip(&pm.ip, "10.0.0.1");
	assert_int_equal(synack_getsockname(p->c, km, &me), 0);
	assert_ip(&me.ip, "::ffff:10.0.0.1");

	/* IPV6_V6ONLY: the option only before the socket has a port, and then IPv4 clients
	 * find nothing listening (RST: ECONNREFUSED). */
	int one = 1;
	assert_int_equal(synack_setsockopt(p->s, l, SYNACK_IPPROTO_IPV6, SYNACK_IPV6_V6ONLY, &one, sizeof(one)), -EINVAL);
	synack_close(p->s, l);
	int l6 = listen_on(p->s, SYNACK_AF_INET6, 1);
	int k4b = synack_socket(p->c, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_connect(p->c, k4b, &to4), -EINPROGRESS);
	run(p, 20);
	int err = 0;
	size_t el = sizeof(err);
	assert_int_equal(synack_getsockopt(p->c, k4b, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &el), 0);
	assert_int_equal(err, ECONNREFUSED);
	int k6c = tcp6(p->c);
	assert_int_equal(synack_connect(p->c, k6c, &to6), -EINPROGRESS);
	run(p, 20);
	assert_true(synack_accept(p->s, l6, NULL) >= 0);
	sk_world_free(p->w);
}

/* Bind conflicts across the families, as Linux has them: an IPv4 wildcard and a dual-stack
 * IPv6 wildcard overlap; an IPv6-only one does not. Wrong families are refused. */
static void test_bind_rules(void **state)
{
	(void)state;
	struct pair *p = pair_new(NULL);
	int l4 = listen_on(p->s, SYNACK_AF_INET, 0);
	(void)l4;
	int dual = synack_socket(p->s, SYNACK_AF_INET6, SYNACK_SOCK_STREAM);
	int one = 1;
	assert_int_equal(synack_setsockopt(p->s, dual, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one, sizeof(one)), 0);
	struct synack_sockaddr any6 = synack_sa_any(SYNACK_AF_INET6, PORT);
	assert_int_equal(synack_bind(p->s, dual, &any6), -EADDRINUSE);
	int only = listen_on(p->s, SYNACK_AF_INET6, 1);
	assert_true(only >= 0);

	int s6 = synack_socket(p->s, SYNACK_AF_INET6, SYNACK_SOCK_STREAM);
	struct synack_sockaddr v4 = sk_sa_from4(SERVER, 9);
	assert_int_equal(synack_bind(p->s, s6, &v4), -EAFNOSUPPORT); /* AF_INET6 takes sockaddr_in6 */
	struct synack_sockaddr other = {sk_world_ip6(0x0a000063u), 9, 0};
	assert_int_equal(synack_bind(p->s, s6, &other), -EADDRNOTAVAIL);
	struct synack_sockaddr mine = sk_world_sockaddr(p->w, p->hs, 9);
	assert_int_equal(synack_bind(p->s, s6, &mine), 0);
	int v = 0;
	size_t vl = sizeof(v);
	assert_int_equal(synack_getsockopt(p->s, s6, SYNACK_SOL_SOCKET, SYNACK_SO_DOMAIN, &v, &vl), 0);
	assert_int_equal(v, SYNACK_AF_INET6);
	sk_world_free(p->w);
}

/* Refusals over IPv6: a closed TCP port answers with RST; a closed UDP port with ICMPv6
 * port unreachable, which a connected UDP socket hears as ECONNREFUSED. */
static void test_refusals(void **state)
{
	(void)state;
	struct pair *p = pair_new(NULL);
	int k = tcp6(p->c);
	struct synack_sockaddr to = sk_world_sockaddr(p->w, p->hs, 4444);
	assert_int_equal(synack_connect(p->c, k, &to), -EINPROGRESS);
	run(p, 20);
	int err = 0;
	size_t el = sizeof(err);
	assert_int_equal(synack_getsockopt(p->c, k, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &el), 0);
	assert_int_equal(err, ECONNREFUSED);

	int u = synack_socket(p->c, SYNACK_AF_INET6, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_connect(p->c, u, &to), 0);
	assert_int_equal(synack_send(p->c, u, "x", 1, 0), 1);
	run(p, 20);
	struct synack_stats ss;
	synack_get_stats(p->s, &ss);
	assert_int_equal(ss.udp_no_port, 1);
	char b[4];
	assert_int_equal(synack_recv(p->c, u, b, sizeof(b), 0), -ECONNREFUSED);
	sk_world_free(p->w);
}

/* UDP over IPv6 both ways, with names in the socket's family; a dual-stack UDP socket
 * receives IPv4 datagrams from an IPv4-mapped sender. */
static void test_udp(void **state)
{
	(void)state;
	struct pair *p = pair_new(NULL);
	int s = synack_socket(p->s, SYNACK_AF_INET6, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr any = synack_sa_any(SYNACK_AF_INET6, 53);
	assert_int_equal(synack_bind(p->s, s, &any), 0);
	int c = synack_socket(p->c, SYNACK_AF_INET6, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr to = sk_world_sockaddr(p->w, p->hs, 53);
	static uint8_t big[3000]; /* over the MTU: leaves in IPv6 fragments */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	assert_int_equal(synack_sendto(p->c, c, big, sizeof(big), 0, &to), (ssize_t)sizeof(big));
	run(p, 20);
	static uint8_t in[4000];
	struct synack_sockaddr from;
	assert_int_equal(synack_recvfrom(p->s, s, in, sizeof(in), 0, &from), (ssize_t)sizeof(big));
	assert_memory_equal(in, big, sizeof(big));
	assert_ip(&from.ip, "2001:db8::a00:1");
	assert_int_equal(synack_sendto(p->s, s, "pong", 4, 0, &from), 4);
	run(p, 20);
	struct synack_sockaddr back;
	assert_int_equal(synack_recvfrom(p->c, c, in, sizeof(in), 0, &back), 4);
	assert_ip(&back.ip, "2001:db8::a00:2");
	assert_int_equal(back.port, 53);

	int c4 = synack_socket(p->c, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr to4 = sk_sa_from4(SERVER, 53);
	assert_int_equal(synack_sendto(p->c, c4, "v4", 2, 0, &to4), 2);
	run(p, 20);
	assert_int_equal(synack_recvfrom(p->s, s, in, sizeof(in), 0, &from), 2);
	assert_ip(&from.ip, "::ffff:10.0.0.1");
	sk_world_free(p->w);
}

/* SYN cookies over IPv6 (LQ-3): with tcp_syncookies 2 every SYN gets one, and the final
 * ACK alone builds the connection. */
static void test_cookies(void **state)
{
	(void)state;
	struct synack_config cfg;
	synack_config_defaults(&cfg);
	cfg.tcp_syncookies = 2;
	struct pair *p = pair_new(&cfg);
	int l = listen_on(p->s, SYNACK_AF_INET6, 1);
	int k = tcp6(p->c);
	struct synack_sockaddr to = sk_world_sockaddr(p->w, p->hs, PORT);
	assert_int_equal(synack_connect(p->c, k, &to), -EINPROGRESS);
	run(p, 20);
	assert_int_equal(synack_send(p->c, k, "cookie", 6, 0), 6);
	run(p, 20);
	int a = synack_accept(p->s, l, NULL);
	assert_true(a >= 0);
	char buf[8];
	assert_int_equal(synack_recv(p->s, a, buf, sizeof(buf), 0), 6);
	struct synack_stats ss;
	synack_get_stats(p->s, &ss);
	assert_int_equal(ss.syncookies_sent, 1);
	assert_int_equal(ss.syncookies_ok, 1);
	sk_world_free(p->w);
}

/* A Packet Too Big from a router quoting a segment in flight (IP6-4, RFC 8201): the
 * connection's MSS drops to 1280 - 60 at once, what was in flight goes again at the new
 * size, the transfer completes intact, and the destination's path MTU is remembered (a
 * datagram over it is fragmented, the MSS of a new connection is smaller). One announcing
 * less than 1280 lowers the path to 1280, no further. */
static void test_packet_too_big(void **state)
{
	(void)state;
	struct pair *p = pair_new(NULL);
	int l, k, a;
	connected(p, &l, &k, &a, NULL);
	(void)l;
	static uint8_t out[300000], in[300000];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 13 + 5);
	ssize_t n = synack_send(p->s, a, out, sizeof(out), 0);
	assert_true(n > 0);
	size_t sent = (size_t)n, got = 0;
	run(p, 1); /* some in flight, none acknowledged yet */

	struct sk_tcb *t = (struct sk_tcb *)p->s->handles.v[a];
	assert_true(t->snd_nxt != t->snd_una);
	struct synack_ip router = sk_world_ip6(0x0a0000feu), cli = sk_world_ip6(CLIENT), srv = sk_world_ip6(SERVER);
	/* the quote: the IPv6 and TCP headers of the segment at snd_una */
	uint8_t quote[60] = {0};
	struct sk_ipv6 qh = {.payload_len = 1460, .next = SK_IPPROTO_TCP, .hop_limit = 64};
	memcpy(qh.src, srv.bytes, 16);
	memcpy(qh.dst, cli.bytes, 16);
	sk_ipv6_emit(quote, 40, &qh);
	sk_put16(quote + 40, t->h.key.lport);
	sk_put16(quote + 42, t->h.key.rport);
	sk_put32(quote + 44, t->snd_una);
	uint8_t pkt[200];
	int m = sk_icmp6_emit_error(pkt + 40, sizeof(pkt) - 40, router.bytes, srv.bytes, SK_ICMP6_PKT_TOO_BIG, 0, 1280,
				    quote, sizeof(quote));
	assert_true(m > 0);
	struct sk_ipv6 h = {.payload_len = (uint16_t)m, .next = SK_IPPROTO_ICMPV6, .hop_limit = 64};
	memcpy(h.src, router.bytes, 16);
	memcpy(h.dst, srv.bytes, 16);
	sk_ipv6_emit(pkt, 40, &h);
	synack_input(p->s, pkt, 40 + (size_t)m, sk_world_now(p->w));

	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(p->s, a, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.snd_mss, 1220 - 12);
	struct synack_stats ss;
	synack_get_stats(p->s, &ss);
	assert_int_equal(ss.tcp_pmtu_lowered, 1);
	assert_int_equal(sk_route6_mtu(p->s, cli.bytes), 1280);
	assert_int_equal(sk_route6_mtu(p->s, router.bytes), 1500); /* only that destination */

	for (int round = 0; round < 3000 && got < sizeof(out); round++) {
		if (sent < sizeof(out) && (n = synack_send(p->s, a, out + sent, sizeof(out) - sent, 0)) > 0)
			sent += (size_t)n;
		n = synack_recv(p->c, k, in + got, sizeof(in) - got, 0);
		if (n > 0)
			got += (size_t)n;
		run(p, 2);
	}
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(in, out, sizeof(out));

	/* the path MTU stays for others: a 1300-byte datagram to that host leaves in fragments */
	uint64_t frags = ss.ip_frag_out;
	int u = synack_socket(p->s, SYNACK_AF_INET6, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr dst = sk_world_sockaddr(p->w, p->hc, 9);
	static uint8_t dgram[1300];
	assert_int_equal(synack_sendto(p->s, u, dgram, sizeof(dgram), 0, &dst), (ssize_t)sizeof(dgram));
	synack_get_stats(p->s, &ss);
	assert_int_equal(ss.ip_frag_out, frags + 2);

	/* less than 1280 is taken as 1280 (RFC 8201 4) */
	struct synack_ip far = sk_world_ip6(0x0a000063u);
	sk_ip6_pmtu_update(p->s, far.bytes, 576);
	assert_int_equal(sk_route6_mtu(p->s, far.bytes), 1280);
	sk_world_free(p->w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_over_ipv6), cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_bind_rules),    cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_udp),           cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_packet_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
