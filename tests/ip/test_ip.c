/* IP-1..IP-3, UDP-1, UDP-2 and ICMP errors to TCP and UDP, on two stacks joined by a hand-run
 * link: every packet either stack sends is queued, inspected and delivered (or not) by the
 * test. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <synack/synack.h>

#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"
#include "stack/addr.h"

#define A_ADDR 0x0a000001u /* 10.0.0.1 */
#define B_ADDR 0x0a000002u /* 10.0.0.2 */
#define MAXQ 512

struct pkt {
	uint8_t b[65536];
	size_t n;
	uint64_t due; /* when it reaches the other side */
};

struct side {
	synack_stack *st;
	struct pkt *q; /* packets this side sent, in order */
	int nq;
	int mtu;
	int gso; /* TSO: TCP packets up to this size are the link's to cut */
	int csum_link; /* the link completes TCP checksums: out() completes each, as a TUN would */
	int partial;   /* TCP segments that left with a partial checksum */
};

static uint64_t now;
static uint64_t link_delay; /* one way, microseconds (0: instant) */
static struct side A, B;
static size_t a_biggest; /* the largest packet pump() delivered from A */

static int out(void *ctx, const uint8_t *p, size_t n, uint64_t t)
{
	(void)t;
	struct side *s = ctx;
	assert_true(s->nq < MAXQ);
	assert_true(n <= (size_t)(s->gso ? s->gso : s->mtu)); /* IP-2: nothing over the MTU leaves */
	memcpy(s->q[s->nq].b, p, n);
	s->q[s->nq].n = n;
	uint8_t *b = s->q[s->nq].b;
	struct sk_tcp seg;
	if (s->csum_link && n >= 40 && b[9] == SK_IPPROTO_TCP &&
	    sk_tcp_parse(b + 20, n - 20, sk_get32(b + 12), sk_get32(b + 16), &seg, SK_TCP_VERIFY_CSUM) < 0) {
		/* partial: the pseudo-header's sum, folded, in the field; the link sums the rest */
		uint32_t ps = sk_csum_pseudo4(sk_get32(b + 12), sk_get32(b + 16), SK_IPPROTO_TCP, (uint16_t)(n - 20));
		assert_int_equal(sk_get16(b + 20 + 16), (uint16_t)~sk_csum_fold(ps));
		sk_put16(b + 20 + 16, sk_csum(b + 20, n - 20));
		s->partial++;
	}
	s->q[s->nq].due = now + link_delay;
	s->nq++;
	return 0;
}

static void side_init(struct side *s, uint32_t addr, int mtu, uint64_t seed)
{
	struct synack_config c;
	synack_config_defaults(&c);
	c.seed = seed;
	c.secret[0] = (uint8_t)seed;
	s->st = synack_stack_new(&c, NULL);
	assert_non_null(s->st);
	s->q = calloc(MAXQ, sizeof(*s->q));
	s->nq = 0;
	s->mtu = mtu;
	s->gso = 0;
	s->csum_link = s->partial = 0;
	assert_true(sk_add_addr4(s->st, addr, 24, (uint32_t)mtu, out, s) >= 0);
}

static int setup(void **state)
{
	(void)state;
	now = 1000000;
	link_delay = 0;
	side_init(&A, A_ADDR, 1500, 1);
	side_init(&B, B_ADDR, 1500, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	synack_stack_free(A.st);
	synack_stack_free(B.st);
	free(A.q);
	free(B.q);
	return 0;
}

/* Delivers everything queued on both sides (and what that provokes) until quiet, each
 * packet link_delay after it was sent, timers running meanwhile. */
static void pump(void)
{
	for (int round = 0; round < 100000 && (A.nq || B.nq); round++) {
		struct side *from = !B.nq || (A.nq && A.q[0].due <= B.q[0].due) ? &A : &B;
		struct side *to = from == &A ? &B : &A;
		struct pkt p = from->q[0];
		memmove(from->q, from->q + 1, (size_t)(from->nq - 1) * sizeof(*from->q));
		from->nq--;
		if (from == &A && p.n > a_biggest)
			a_biggest = p.n;
		if (p.due > now) {
			now = p.due;
			synack_poll(A.st, now);
			synack_poll(B.st, now);
		}
		synack_input(to->st, p.b, p.n, now);
	}
}

static void drop_all(void)
{
	A.nq = B.nq = 0;
}

/* An address as a compound literal, so that &SA(a, p) is valid. */
#define sa(a, p) ((struct synack_sockaddr){sk_ip_from4(a), (p), 0})

static void parse_ip(const struct pkt *p, struct sk_ipv4 *ip)
{
	assert_true(sk_ipv4_parse(p->b, p->n, ip, SK_IPV4_VERIFY_CSUM) > 0);
	assert_int_equal(ip->ttl, 64); /* IP-1: TTL 64 on output */
}

/* UDP-1: datagrams keep their boundaries, one socket talks to several peers. */
static void test_udp_datagrams(void **state)
{
	(void)state;
	int b = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_true(b >= 0);
	assert_int_equal(synack_bind(B.st, b, &sa(0, 5353)), 0);
	int a1 = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM), a2 = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr to = sa(B_ADDR, 5353);
	assert_int_equal(synack_sendto(A.st, a1, "hello", 5, 0, &to), 5);
	assert_int_equal(synack_sendto(A.st, a2, "", 0, 0, &to), 0); /* an empty datagram is one too */
	char big[1400];
	memset(big, 'x', sizeof(big));
	assert_int_equal(synack_sendto(A.st, a1, big, sizeof(big), 0, &to), (ssize_t)sizeof(big));
	assert_int_equal(A.nq, 3);
	struct sk_ipv4 ip;
	parse_ip(&A.q[0], &ip);
	assert_int_equal(ip.proto, SK_IPPROTO_UDP);
	struct sk_udp u;
	assert_int_equal(sk_udp_parse(A.q[0].b + 20, A.q[0].n - 20, ip.src, ip.dst, &u, SK_UDP_VERIFY_CSUM), 8);
	assert_int_equal(u.dport, 5353);
	assert_int_equal(u.len, 13);
	assert_true(u.cksum != 0);
	pump();
	char buf[2000];
	struct synack_sockaddr from, n1, n2;
	assert_int_equal(synack_getsockname(A.st, a1, &n1), 0);
	assert_int_equal(synack_getsockname(A.st, a2, &n2), 0);
	assert_true(n1.port >= 32768 && n2.port >= 32768 && n1.port != n2.port);
	assert_int_equal(synack_events(B.st, b) & SYNACK_EV_IN, SYNACK_EV_IN);
	assert_int_equal(synack_recvfrom(B.st, b, buf, 3, SYNACK_MSG_PEEK, &from), 3);
	assert_int_equal(synack_recvfrom(B.st, b, buf, 3, SYNACK_MSG_TRUNC, &from), 5); /* cut; full length */
	assert_memory_equal(buf, "hel", 3);
	assert_int_equal(sk_sa_addr4(&from), A_ADDR);
	assert_int_equal(from.port, n1.port);
	assert_int_equal(synack_recvfrom(B.st, b, buf, sizeof(buf), 0, &from), 0);
	assert_int_equal(from.port, n2.port);
	assert_int_equal(synack_recvfrom(B.st, b, buf, sizeof(buf), 0, &from), 1400);
	assert_memory_equal(buf, big, 1400);
	assert_int_equal(synack_recvfrom(B.st, b, buf, sizeof(buf), 0, &from), -EAGAIN);
	/* The reply goes back to whichever peer is named. */
	assert_int_equal(synack_sendto(B.st, b, "r2", 2, 0, &sa(A_ADDR, n2.port)), 2);
	pump();
	assert_int_equal(synack_recv(A.st, a2, buf, sizeof(buf), 0), 2);
	assert_int_equal(synack_recv(A.st, a1, buf, sizeof(buf), 0), -EAGAIN);
	/* API errors. */
	assert_int_equal(synack_send(A.st, a1, "x", 1, 0), -EDESTADDRREQ);
	assert_int_equal(synack_listen(A.st, a1, 1), -EOPNOTSUPP);
	assert_int_equal(synack_bind(A.st, a1, &sa(0, 9)), -EINVAL); /* already bound */
	int c = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_bind(A.st, c, &sa(0, n1.port)), -EADDRINUSE);
	assert_int_equal(synack_bind(A.st, c, &sa(0x0a000009, 7)), -EADDRNOTAVAIL);
	assert_int_equal(synack_sendto(A.st, c, big, 70000, 0, &to), -EMSGSIZE);
	assert_int_equal(synack_close(A.st, c), 0);
	assert_int_equal(synack_close(A.st, c), -EBADF);
}

/* UDP-2: a closed port answers with ICMP port unreachable quoting the datagram; a
 * connected socket learns ECONNREFUSED from it, an unconnected one does not. */
static void test_udp_port_unreachable(void **state)
{
	(void)state;
	int a = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM), u = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_connect(A.st, a, &sa(B_ADDR, 9999)), 0);
	assert_int_equal(synack_send(A.st, a, "ping", 4, 0), 4);
	assert_int_equal(A.nq, 1);
	struct pkt sent = A.q[0];
	pump();
	assert_int_equal(B.nq, 0);
	struct synack_stats s;
	synack_get_stats(B.st, &s);
	assert_int_equal(s.udp_no_port, 1);
	assert_int_equal(s.icmp_out, 1);
	/* Send again and look at B's answer before A gets it. */
	A.nq = 0;
	synack_input(B.st, sent.b, sent.n, now);
	assert_int_equal(B.nq, 1);
	struct sk_ipv4 ip;
	parse_ip(&B.q[0], &ip);
	assert_int_equal(ip.proto, SK_IPPROTO_ICMP);
	assert_int_equal(ip.src, B_ADDR);
	assert_int_equal(ip.dst, A_ADDR);
	struct sk_icmp m;
	assert_int_equal(sk_icmp_parse(B.q[0].b + 20, B.q[0].n - 20, &m, SK_ICMP_VERIFY_CSUM), 8);
	assert_int_equal(m.type, SK_ICMP_UNREACH);
	assert_int_equal(m.code, SK_ICMP_UNREACH_PORT);
	assert_int_equal(m.data_len, sent.n); /* the whole (small) datagram is quoted */
	assert_memory_equal(m.data, sent.b, sent.n);
	pump();
	int e = 0;
	size_t el = sizeof(e);
	assert_true(synack_events(A.st, a) & SYNACK_EV_ERR);
	assert_int_equal(synack_getsockopt(A.st, a, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &el), 0);
	assert_int_equal(e, ECONNREFUSED);
	assert_int_equal(synack_send(A.st, a, "ping", 4, 0), 4);
	pump();
	char buf[8];
	assert_int_equal(synack_recv(A.st, a, buf, sizeof(buf), 0), -ECONNREFUSED);
	/* Unconnected: nothing to report to. */
	assert_int_equal(synack_sendto(A.st, u, "ping", 4, 0, &sa(B_ADDR, 9999)), 4);
	pump();
	assert_int_equal(synack_events(A.st, u) & SYNACK_EV_ERR, 0);
	assert_int_equal(synack_recv(A.st, u, buf, sizeof(buf), 0), -EAGAIN);
}

/* ICMP errors are never sent about ICMP errors or to broadcast; the rate limit holds. */
static void test_icmp_error_rules(void **state)
{
	(void)state;
	int a = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	for (int i = 0; i < 200; i++)
		assert_int_equal(synack_sendto(A.st, a, "x", 1, 0, &sa(B_ADDR, 7)), 1);
	for (int i = 0; i < A.nq; i++)
		synack_input(B.st, A.q[i].b, A.q[i].n, now); /* all in the same microsecond */
	A.nq = 0;
	assert_int_equal(B.nq, 50); /* the burst */
	struct synack_stats s;
	synack_get_stats(B.st, &s);
	assert_int_equal(s.icmp_rate_limited, 150);
	/* One second later the bucket is full again, but a datagram from a broadcast
	 * source (RFC 1122 3.2.2) is never answered. */
	B.nq = 0;
	now += 1000000;
	struct pkt p = A.q[0];
	A.nq = 0;
	assert_int_equal(synack_sendto(A.st, a, "x", 1, 0, &sa(B_ADDR, 7)), 1);
	p = A.q[0];
	A.nq = 0;
	struct sk_ipv4 ip;
	assert_true(sk_ipv4_parse(p.b, p.n, &ip, 0) > 0);
	ip.src = 0x0a0000ff;
	sk_ipv4_emit(p.b, 20, &ip);
	synack_input(B.st, p.b, p.n, now);
	assert_int_equal(B.nq, 0);
	ip.src = A_ADDR;
	sk_ipv4_emit(p.b, 20, &ip);
	synack_input(B.st, p.b, p.n, now);
	assert_int_equal(B.nq, 1);
}

/* IP-3: an echo request gets an echo reply with the same identifier, sequence and data. */
static void test_icmp_echo(void **state)
{
	(void)state;
	struct pkt p;
	uint8_t *icmp = p.b + 20;
	uint8_t data[56];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	struct sk_icmp m = {.type = SK_ICMP_ECHO, .code = 0, .rest = (0x1234u << 16) | 7, .data = data, .data_len = 56};
	int n = sk_icmp_emit(icmp, sizeof(p.b) - 20, &m);
	assert_int_equal(n, 64);
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + n), .id = 1, .ttl = 64, .proto = SK_IPPROTO_ICMP, .src = A_ADDR, .dst = B_ADDR};
	sk_ipv4_emit(p.b, 20, &ip);
	p.n = (size_t)(20 + n);
	synack_input(B.st, p.b, p.n, now);
	assert_int_equal(B.nq, 1);
	struct sk_ipv4 r;
	parse_ip(&B.q[0], &r);
	assert_int_equal(r.src, B_ADDR);
	assert_int_equal(r.dst, A_ADDR);
	struct sk_icmp rm;
	assert_int_equal(sk_icmp_parse(B.q[0].b + 20, B.q[0].n - 20, &rm, SK_ICMP_VERIFY_CSUM), 8);
	assert_int_equal(rm.type, SK_ICMP_ECHOREPLY);
	assert_int_equal(sk_icmp_echo_id(&rm), 0x1234);
	assert_int_equal(sk_icmp_echo_seq(&rm), 7);
	assert_int_equal(rm.data_len, 56);
	assert_memory_equal(rm.data, data, 56);
	/* A bad checksum: dropped, counted, not answered. */
	B.nq = 0;
	p.b[25] ^= 0xff;
	synack_input(B.st, p.b, p.n, now);
	assert_int_equal(B.nq, 0);
	struct synack_stats s;
	synack_get_stats(B.st, &s);
	assert_int_equal(s.icmp_in_bad, 1);
	assert_int_equal(s.icmp_echo_replies, 1);
}

/* IP-1: every malformed header is dropped and counted. */
static void test_ip_validation(void **state)
{
	(void)state;
	struct pkt p;
	memset(p.b, 0, 64);
	struct sk_ipv4 ip = {.total_len = 28, .id = 1, .ttl = 64, .proto = SK_IPPROTO_UDP, .src = A_ADDR, .dst = B_ADDR};
	sk_ipv4_emit(p.b, 20, &ip);
	struct pkt bad[5];
	for (int i = 0; i < 5; i++)
		bad[i] = p;
	bad[0].b[0] = 0x65; /* version 6 */
	bad[1].b[0] = 0x44; /* IHL 4 */
	bad[2].b[3] = 200;  /* total length beyond the packet */
	bad[3].b[10] ^= 1;  /* header checksum */
	bad[4].b[0] = 0x4f; /* IHL 15: beyond the packet */
	for (int i = 0; i < 5; i++)
		synack_input(B.st, bad[i].b, 28, now);
	synack_input(B.st, p.b, 10, now); /* truncated */
	struct synack_stats s;
	synack_get_stats(B.st, &s);
	assert_int_equal(s.ip_in_bad, 6);
	assert_int_equal(B.nq, 0);
	/* An unknown protocol: protocol unreachable. */
	ip.proto = 99;
	sk_ipv4_emit(p.b, 20, &ip);
	synack_input(B.st, p.b, 28, now);
	assert_int_equal(B.nq, 1);
	struct sk_icmp m;
	assert_int_equal(sk_icmp_parse(B.q[0].b + 20, B.q[0].n - 20, &m, SK_ICMP_VERIFY_CSUM), 8);
	assert_int_equal(m.type, SK_ICMP_UNREACH);
	assert_int_equal(m.code, SK_ICMP_UNREACH_PROTO);
}

/* Builds an ICMP error (type/code/mtu) from B to A quoting packet q (as a router would). */
static void icmp_about(const struct pkt *q, uint8_t type, uint8_t code, uint16_t mtu, uint32_t from)
{
	struct pkt p;
	uint8_t *icmp = p.b + 20;
	struct sk_icmp m = {.type = type, .code = code, .rest = mtu, .data = q->b, .data_len = 28};
	int n = sk_icmp_emit(icmp, sizeof(p.b) - 20, &m);
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + n), .id = 9, .ttl = 64, .proto = SK_IPPROTO_ICMP, .src = from, .dst = A_ADDR};
	sk_ipv4_emit(p.b, 20, &ip);
	synack_input(A.st, p.b, (size_t)(20 + n), now);
}

/* RFC 1122 4.2.3.9: port unreachable in SYN-SENT is hard: connect fails ECONNREFUSED. */
static void test_tcp_hard_error_syn_sent(void **state)
{
	(void)state;
	int s = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_connect(A.st, s, &sa(B_ADDR, 80)), -EINPROGRESS);
	assert_int_equal(A.nq, 1);
	struct pkt syn = A.q[0];
	drop_all();
	/* A quote with the wrong sequence number is ignored (RFC 5927). */
	struct pkt forged = syn;
	forged.b[24] ^= 0x55;
	icmp_about(&forged, SK_ICMP_UNREACH, SK_ICMP_UNREACH_PORT, 0, B_ADDR);
	assert_int_equal(synack_events(A.st, s) & SYNACK_EV_ERR, 0);
	icmp_about(&syn, SK_ICMP_UNREACH, SK_ICMP_UNREACH_PORT, 0, B_ADDR);
	assert_true(synack_events(A.st, s) & SYNACK_EV_ERR);
	int e = 0;
	size_t el = sizeof(e);
	assert_int_equal(synack_getsockopt(A.st, s, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &el), 0);
	assert_int_equal(e, ECONNREFUSED);
}

/* Host unreachable is soft: the connection keeps trying and reports EHOSTUNREACH instead of
 * ETIMEDOUT when it gives up. */
static void test_tcp_soft_error(void **state)
{
	(void)state;
	int s = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_connect(A.st, s, &sa(B_ADDR, 80)), -EINPROGRESS);
	struct pkt syn = A.q[0];
	drop_all();
	icmp_about(&syn, SK_ICMP_UNREACH, SK_ICMP_UNREACH_HOST, 0, 0x0a0000fe);
	assert_int_equal(synack_events(A.st, s) & SYNACK_EV_ERR, 0);
	for (int i = 0; i < 200 && !(synack_events(A.st, s) & SYNACK_EV_ERR); i++) {
		now += 1000000;
		synack_poll(A.st, now);
		drop_all();
	}
	int e = 0;
	size_t el = sizeof(e);
	assert_int_equal(synack_getsockopt(A.st, s, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &e, &el), 0);
	assert_int_equal(e, EHOSTUNREACH);
}

/* RFC 1191: frag-needed lowers the MSS of a connection and what was in flight goes again in
 * segments that fit. */
static void test_tcp_frag_needed(void **state)
{
	(void)state;
	int l = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_listen(B.st, l, 4), 0);
	assert_int_equal(synack_bind(B.st, l, &sa(0, 80)), -EINVAL); /* listen bound it already */
	int s = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	synack_close(B.st, l);
	l = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_bind(B.st, l, &sa(0, 80)), 0);
	assert_int_equal(synack_listen(B.st, l, 4), 0);
	assert_int_equal(synack_connect(A.st, s, &sa(B_ADDR, 80)), -EINPROGRESS);
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static char data[20000];
	memset(data, 'd', sizeof(data));
	assert_true(synack_send(A.st, s, data, sizeof(data), 0) > 0);
	assert_true(A.nq >= 2);
	struct pkt first = A.q[0];
	assert_true(first.n == 1500);
	drop_all(); /* a 1400-byte link ate them all */
	icmp_about(&first, SK_ICMP_UNREACH, SK_ICMP_UNREACH_NEEDFRAG, 1400, 0x0a0000fe);
	assert_true(A.nq >= 1);
	for (int i = 0; i < A.nq; i++)
		assert_true(A.q[i].n <= 1400);
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(A.st, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.snd_mss, 1360 - 12);
	/* A forged frag-needed with a tiny MTU is floored at 552. */
	struct pkt now_first = A.q[0];
	drop_all();
	icmp_about(&now_first, SK_ICMP_UNREACH, SK_ICMP_UNREACH_NEEDFRAG, 100, 0x0a0000fe);
	for (int i = 0; i < A.nq; i++)
		assert_true(A.q[i].n <= 552 && A.q[i].n > 500);
	pump();
	char buf[4096];
	ssize_t got = 0, r;
	while ((r = synack_recv(B.st, c, buf, sizeof(buf), 0)) > 0)
		got += r;
	assert_true(got > 0);
	struct synack_stats st;
	synack_get_stats(A.st, &st);
	assert_int_equal(st.tcp_pmtu_lowered, 2);
}

/* IP-2: a datagram over the MTU leaves in fragments (8-byte aligned offsets, MF on all
 * but the last, none over the MTU) and is put back together in any order. */
static void test_fragments(void **state)
{
	(void)state;
	int b = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_bind(B.st, b, &sa(0, 4000)), 0);
	int a = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	static uint8_t big[5000], got[6000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 7);
	for (int order = 0; order < 2; order++) {
		assert_int_equal(synack_sendto(A.st, a, big, sizeof(big), 0, &sa(B_ADDR, 4000)), (ssize_t)sizeof(big));
		assert_int_equal(A.nq, 4); /* 5008 bytes of UDP in pieces of 1480 */
		uint16_t id = 0;
		for (int i = 0; i < 4; i++) {
			struct sk_ipv4 ip;
			parse_ip(&A.q[i], &ip);
			assert_int_equal(sk_ipv4_frag_offset(&ip), (unsigned)i * 1480);
			assert_int_equal(!!(ip.frag & SK_IP_MF), i < 3);
			assert_int_equal(ip.frag & SK_IP_DF, 0);
			assert_int_equal(ip.total_len, i < 3 ? 1500 : 20 + 5008 - 3 * 1480);
			if (i == 0)
				id = ip.id;
			assert_int_equal(ip.id, id);
		}
		if (order == 1) /* last first */
			for (int i = 0; i < 2; i++) {
				struct pkt t = A.q[i];
				A.q[i] = A.q[3 - i];
				A.q[3 - i] = t;
			}
		pump();
		struct synack_sockaddr from;
		assert_int_equal(synack_recvfrom(B.st, b, got, sizeof(got), 0, &from), (ssize_t)sizeof(big));
		assert_memory_equal(got, big, sizeof(big));
	}
	struct synack_stats s;
	synack_get_stats(B.st, &s);
	assert_int_equal(s.ip_reasm_ok, 2);
	synack_get_stats(A.st, &s);
	assert_int_equal(s.ip_frag_out, 8);
	/* Only the first fragment arrives: 30 s later B reports time exceeded (code 1) quoting
	 * it, and forgets the datagram. */
	assert_int_equal(synack_sendto(A.st, a, big, sizeof(big), 0, &sa(B_ADDR, 4000)), (ssize_t)sizeof(big));
	struct pkt first = A.q[0];
	A.nq = 0;
	synack_input(B.st, first.b, first.n, now);
	assert_int_equal(synack_next_deadline(B.st), now + 30000000);
	synack_poll(B.st, now + 29999999);
	assert_int_equal(B.nq, 0);
	synack_poll(B.st, now + 30000000);
	assert_int_equal(B.nq, 1);
	struct sk_icmp m;
	assert_int_equal(sk_icmp_parse(B.q[0].b + 20, B.q[0].n - 20, &m, SK_ICMP_VERIFY_CSUM), 8);
	assert_int_equal(m.type, SK_ICMP_TIMXCEED);
	assert_int_equal(m.code, 1);
	assert_memory_equal(m.data, first.b, 28);
	synack_get_stats(B.st, &s);
	assert_int_equal(s.ip_reasm_timeouts, 1);
	assert_int_equal(synack_next_deadline(B.st), UINT64_MAX);
	/* TCP never fragments: DF on every segment (the frag-needed test shows the rest). */
}

/* IP-3 with fragments: a 3000-byte ping is reassembled and answered in fragments. */
static void test_big_echo(void **state)
{
	(void)state;
	static uint8_t data[3000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	static struct pkt p;
	struct sk_icmp m = {.type = SK_ICMP_ECHO, .rest = 0x00010002, .data = data, .data_len = sizeof(data)};
	int n = sk_icmp_emit(p.b + 20, sizeof(p.b) - 20, &m);
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + n), .id = 77, .ttl = 64, .proto = SK_IPPROTO_ICMP, .src = A_ADDR, .dst = B_ADDR};
	sk_ipv4_emit(p.b, 20, &ip);
	/* Fragment it by hand at 1480 and feed the pieces last to first. */
	size_t total = (size_t)n;
	for (int k = 2; k >= 0; k--) {
		size_t off = (size_t)k * 1480, len = total - off < 1480 ? total - off : 1480;
		struct pkt f;
		struct sk_ipv4 h = ip;
		h.total_len = (uint16_t)(20 + len);
		h.frag = (uint16_t)(off / 8 | (off + len < total ? SK_IP_MF : 0));
		sk_ipv4_emit(f.b, 20, &h);
		memcpy(f.b + 20, p.b + 20 + off, len);
		synack_input(B.st, f.b, 20 + len, now);
	}
	assert_int_equal(B.nq, 3);
	for (int i = 0; i < 3; i++) {
		struct sk_ipv4 r;
		parse_ip(&B.q[i], &r);
		assert_int_equal(r.dst, A_ADDR);
	}
	/* A puts the reply together: nothing is listening for it, but the counters say. */
	pump();
	struct synack_stats s;
	synack_get_stats(A.st, &s);
	assert_int_equal(s.ip_reasm_ok, 1);
	assert_int_equal(s.icmp_in, 1);
}

/* B listens on port 80 and A's new socket *s connects to it (its SYN queued, not yet
 * delivered); returns B's listener. */
static int listen_connect(int *s)
{
	int l = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_bind(B.st, l, &sa(0, 80)), 0);
	assert_int_equal(synack_listen(B.st, l, 4), 0);
	*s = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_connect(A.st, *s, &sa(B_ADDR, 80)), -EINPROGRESS);
	return l;
}

/* Sends len bytes of data (the first sent0 of them already sent) from A's socket s and
 * reads them at B's socket c into got (NULL: counted only), the link pumped between;
 * returns the bytes B read. */
static size_t transfer(int s, int c, const uint8_t *data, uint8_t *got, size_t len, size_t sent0)
{
	static uint8_t sink[65536];
	size_t sent = sent0, n = 0;
	for (int i = 0; i < 2000 && n < len; i++) {
		if (sent < len) {
			ssize_t r = synack_send(A.st, s, data + sent, len - sent, 0);
			if (r > 0)
				sent += (size_t)r;
		}
		pump();
		ssize_t r;
		while ((r = synack_recv(B.st, c, got ? got + n : sink, got ? len - n : sizeof(sink), 0)) > 0)
			n += (size_t)r;
	}
	return n;
}

/* A LAN path (a quarter of a millisecond each way) with timestamps on: the RTT comes from
 * the segment timed in microseconds, not from millisecond timestamp ticks that read 0, and
 * slow start is not cut short by HyStart taking that for a 1 us path. */
static void test_rtt_sub_millisecond(void **state)
{
	(void)state;
	int s, l = listen_connect(&s);
	link_delay = 250;
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static uint8_t data[400000];
	assert_int_equal(transfer(s, c, data, NULL, sizeof(data), 0), sizeof(data));
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(A.st, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.options & 1, 1); /* timestamps on */
	assert_true(ti.srtt_us >= 400 && ti.srtt_us <= 5000);
	/* With a 1 us minimum RTT HyStart's ACK-train test would end slow start in the
	 * first round, at the initial window. (On this link, which has no serialization
	 * delay, the train test does end it one round later, as it should.) */
	assert_true(ti.snd_ssthresh > 10 * ti.snd_mss);
}

/* TSO: on a link that cuts segments itself, data leaves in super-segments of whole
 * MSS-sized segments (the receiver takes one as it would a GRO'd packet), each at most half
 * of cwnd as Linux's tcp_cwnd_test has it; connections whose segments are not the link's
 * full size stay at one MSS. After a timeout, go-back-N starts at one MSS (cwnd) and grows
 * into super-segments again. */
static void test_tso(void **state)
{
	(void)state;
	assert_int_equal(synack_set_gso(A.st, 0, 1400), -EINVAL); /* below the MTU */
	assert_int_equal(synack_set_gso(A.st, 0, 70000), -EINVAL);
	assert_int_equal(synack_set_gso(A.st, 5, 65535), -EINVAL);
	assert_int_equal(synack_set_gso(A.st, 0, 65535), 0);
	A.gso = 65535;
	int s, l = listen_connect(&s);
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static uint8_t data[300000], got[300000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	ssize_t first = synack_send(A.st, s, data, 100000, 0);
	/* The send buffer is twice the initial window (sk_tcb_sndbuf): not twice the
	 * peer's, which would take all 100,000 bytes. */
	assert_int_equal(first, 2 * 10 * 1448);
	/* The initial window (10 segments) in two packets of half of it each: a flight of
	 * one packet would leave nothing behind it to reveal its loss. */
	assert_int_equal(A.nq, 2);
	for (int k = 0; k < 2; k++) {
		struct sk_ipv4 ip;
		parse_ip(&A.q[k], &ip);
		assert_true(ip.frag & SK_IP_DF);
		struct sk_tcp seg;
		assert_true(sk_tcp_parse(A.q[k].b + 20, A.q[k].n - 20, ip.src, ip.dst, &seg, SK_TCP_VERIFY_CSUM) > 0);
		assert_int_equal(seg.payload_len, 5 * 1448);
	}
	assert_int_equal(transfer(s, c, data, got, sizeof(data), (size_t)first), sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	/* A lost flight and its loss probe: the timeout resends one MSS (cwnd), and as the
	 * ACKs open cwnd the rest goes again in super-segments, not one MSS per device write. */
	pump(); /* B's window updates after the last reads */
	assert_int_equal(synack_send(A.st, s, data, 60000, 0), 60000);
	assert_true(A.nq >= 2); /* cwnd: two super-segments of half of it each */
	for (int k = 0; k < A.nq; k++)
		assert_true(A.q[k].n > 5 * 1500 && A.q[k].n <= 65535);
	drop_all();
	/* the loss probe (two MSS of what cwnd left unsent, one write) is lost too */
	now += 1500000;
	synack_poll(A.st, now);
	assert_int_equal(A.nq, 1);
	assert_true(A.q[0].n <= 20 + 32 + 2 * 1448);
	drop_all();
	now += 4000000; /* past the RTO (the pumped transfer's delayed ACKs made it 1.8 s) */
	synack_poll(A.st, now);
	assert_int_equal(A.nq, 1);
	assert_true(A.q[0].n <= 1500);
	a_biggest = 0;
	pump();
	assert_true(a_biggest > 2 * 1500);
	size_t n = 0;
	ssize_t r;
	while (n < 60000 && (r = synack_recv(B.st, c, got + n, 60000 - n, 0)) > 0)
		n += (size_t)r;
	assert_int_equal(n, 60000);
	assert_memory_equal(got, data, 60000);
}

/* A link that completes TCP checksums (synack_set_csum_offload): every TCP segment A sends
 * leaves with only the pseudo-header's sum in its field (out() checks it and completes it,
 * as a TUN's kernel side would), the bytes arrive intact; turned off, segments leave
 * complete again. UDP and ICMP are not the link's to complete. */
static void test_csum_offload(void **state)
{
	(void)state;
	assert_int_equal(synack_set_csum_offload(A.st, 5, 1), -EINVAL);
	assert_int_equal(synack_set_csum_offload(A.st, -1, 1), -EINVAL);
	assert_int_equal(synack_set_csum_offload(NULL, 0, 1), -EINVAL);
	assert_int_equal(synack_set_csum_offload(A.st, 0, 1), 0);
	A.csum_link = 1;
	int s, l = listen_connect(&s);
	assert_int_equal(A.partial, 1); /* the SYN */
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static uint8_t data[50000], got[50000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(transfer(s, c, data, got, sizeof(data), 0), sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	assert_true(A.partial >= 2 + (int)(sizeof(data) / 1460));
	/* B's link does not complete checksums: its segments left whole (out() left them) */
	assert_int_equal(B.partial, 0);
	pump(); /* B's window updates after the last reads */
	/* UDP leaves complete (the link is only given TCP's) */
	int u = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_sendto(A.st, u, "x", 1, 0, &sa(B_ADDR, 9)), 1);
	assert_int_equal(A.nq, 1);
	struct sk_ipv4 ip;
	parse_ip(&A.q[0], &ip);
	struct sk_udp ud;
	assert_true(sk_udp_parse(A.q[0].b + 20, A.q[0].n - 20, ip.src, ip.dst, &ud, SK_UDP_VERIFY_CSUM) >= 0);
	drop_all();
	/* off again: complete checksums */
	assert_int_equal(synack_set_csum_offload(A.st, 0, 0), 0);
	int before = A.partial;
	assert_int_equal(synack_send(A.st, s, data, 1000, 0), 1000);
	assert_int_equal(A.nq, 1);
	assert_int_equal(A.partial, before);
	struct sk_tcp seg;
	assert_true(sk_tcp_parse(A.q[0].b + 20, A.q[0].n - 20, A_ADDR, B_ADDR, &seg, SK_TCP_VERIFY_CSUM) > 0);
}

/* Scatter-gather output: what out_sg receives, flattened, then taken as out() takes any
 * packet; how many calls came in two pieces (the send buffer's ring wrapping). */
static int sg_calls, sg_two_pieces;
static int out_sg(void *ctx, const uint8_t *hdr, size_t hlen, const struct iovec *pl, int n, uint64_t t)
{
	static uint8_t flat[65536];
	assert_true(n >= 1 && n <= 2);
	assert_true(hlen >= 40 && hlen <= 80); /* the IP and TCP headers, nothing of the payload */
	size_t len = hlen;
	memcpy(flat, hdr, hlen);
	for (int i = 0; i < n; i++) {
		assert_true(pl[i].iov_len > 0);
		memcpy(flat + len, pl[i].iov_base, pl[i].iov_len);
		len += pl[i].iov_len;
	}
	assert_int_equal(sk_get16(flat + 2), len); /* the IP length counts the pieces */
	sg_calls++;
	sg_two_pieces += n == 2;
	return out(ctx, flat, len, t);
}

/* synack_set_output_sg: on a link that completes checksums, TCP segments with data reach
 * out_sg as headers and pieces of the send buffer (its ring wrapping makes two), TSO
 * super-segments included; the bytes arrive intact; everything else (the handshake, pure
 * ACKs) still goes through out; without checksum offload out_sg is not used. */
static void test_output_sg(void **state)
{
	(void)state;
	assert_int_equal(synack_set_output_sg(A.st, 5, out_sg), -EINVAL);
	assert_int_equal(synack_set_output_sg(NULL, 0, out_sg), -EINVAL);
	assert_int_equal(synack_set_output_sg(A.st, 0, out_sg), 0);
	/* no checksum offload yet: nothing goes through it */
	int s, l = listen_connect(&s);
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static uint8_t data[1000000], got[1000000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + (i >> 11));
	assert_int_equal(transfer(s, c, data, got, 20000, 0), 20000);
	assert_int_equal(sg_calls, 0);
	assert_int_equal(synack_set_csum_offload(A.st, 0, 1), 0);
	assert_int_equal(synack_set_gso(A.st, 0, 65535), 0);
	A.csum_link = 1;
	A.gso = 65535;
	int partial0 = A.partial;
	assert_int_equal(transfer(s, c, data, got, sizeof(data), 0), sizeof(data));
	assert_memory_equal(got, data, sizeof(data));
	assert_true(sg_calls > 20);
	assert_true(sg_two_pieces > 0);
	assert_true(a_biggest > 1500); /* super-segments went through it too */
	assert_true(A.partial - partial0 >= sg_calls); /* each left with a partial checksum */
	/* a pure ACK from A still goes through out */
	int calls = sg_calls;
	assert_int_equal(synack_send(B.st, c, "y", 1, 0), 1);
	pump();
	assert_int_equal(sg_calls, calls);
	/* off again: whole packets */
	assert_int_equal(synack_set_output_sg(A.st, 0, NULL), 0);
	assert_int_equal(synack_send(A.st, s, data, 1000, 0), 1000);
	pump();
	assert_int_equal(sg_calls, calls);
}

/* synack_input_verified: a TCP segment or UDP datagram whose checksum field holds only the
 * pseudo-header's sum (as a TUN hands over the host's own packets) is taken; the same
 * through synack_input is dropped as corrupt and counted; the IP header's checksum is still
 * checked; and a fragment's datagram is verified whole whatever the link said. */
static void test_input_verified(void **state)
{
	(void)state;
	int u = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_bind(B.st, u, &sa(0, 9)), 0);
	/* a datagram A sends, its UDP checksum then made partial as the host would leave it */
	int a = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_sendto(A.st, a, "hello", 5, 0, &sa(B_ADDR, 9)), 5);
	assert_int_equal(A.nq, 1);
	struct pkt p = A.q[0];
	drop_all();
	uint32_t ps = sk_csum_pseudo4(A_ADDR, B_ADDR, SK_IPPROTO_UDP, (uint16_t)(p.n - 20));
	sk_put16(p.b + 20 + 6, (uint16_t)~sk_csum_fold(ps));
	struct synack_stats st0, st1;
	synack_get_stats(B.st, &st0);
	synack_input(B.st, p.b, p.n, now);
	char buf[16];
	assert_int_equal(synack_recv(B.st, u, buf, sizeof(buf), 0), -EAGAIN); /* dropped */
	synack_get_stats(B.st, &st1);
	assert_int_equal(st1.udp_in_bad, st0.udp_in_bad + 1);
	synack_input_verified(B.st, p.b, p.n, now);
	assert_int_equal(synack_recv(B.st, u, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "hello", 5);
	/* the IP header's own checksum is the stack's to check */
	struct pkt q = p;
	q.b[8]--; /* the TTL changed, the header checksum not */
	synack_get_stats(B.st, &st0);
	synack_input_verified(B.st, q.b, q.n, now);
	synack_get_stats(B.st, &st1);
	assert_int_equal(st1.ip_in_bad, st0.ip_in_bad + 1);
	assert_int_equal(synack_recv(B.st, u, buf, sizeof(buf), 0), -EAGAIN);
	/* a fragmented datagram with a bad checksum: its fragments vouched for, its whole
	 * verified, and dropped */
	static uint8_t big[3000];
	assert_int_equal(synack_sendto(A.st, a, big, sizeof(big), 0, &sa(B_ADDR, 9)), (ssize_t)sizeof(big));
	assert_true(A.nq >= 3);
	sk_put16(A.q[0].b + 20 + 6, (uint16_t)(sk_get16(A.q[0].b + 20 + 6) ^ 0x5555)); /* the first has the UDP header */
	synack_get_stats(B.st, &st0);
	for (int i = 0; i < A.nq; i++)
		synack_input_verified(B.st, A.q[i].b, A.q[i].n, now);
	drop_all();
	synack_get_stats(B.st, &st1);
	assert_int_equal(st1.udp_in_bad, st0.udp_in_bad + 1);
	assert_int_equal(synack_recv(B.st, u, big, sizeof(big), 0), -EAGAIN);
}

/* The TCP header of a packet one of the sides sent. */
static struct sk_tcp tcp_of(const struct pkt *p)
{
	struct sk_tcp t;
	assert_true(sk_tcp_parse(p->b + 20, p->n - 20, sk_get32(p->b + 12), sk_get32(p->b + 16), &t, 0) >= 0);
	return t;
}

/* Reads what B's socket c has, up to cap bytes: how many. */
static size_t read_all(int c, uint8_t *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	while (n < cap && (r = synack_recv(B.st, c, buf + n, cap - n, 0)) > 0)
		n += (size_t)r;
	return n;
}

#define BATCH_DATA 120000 /* test_input_batch's data, bytes */

/* A sends len more bytes of data from *off on its socket s (*off moves on): the segments
 * that left, still in A's queue. */
static int flight(int s, const uint8_t *data, size_t len, size_t *off)
{
	*off += (size_t)synack_send(A.st, s, data + *off, len, 0);
	return A.nq;
}

/* The link pumped until quiet, B's socket c read into got after the n bytes it had: all
 * sent bytes (off) must be there. Returns the new count. */
static size_t settle(int c, uint8_t *got, size_t n, size_t off)
{
	pump();
	n += read_all(c, got + n, BATCH_DATA - n);
	assert_int_equal(n, off);
	return n;
}

/* Feeds B the packets A queued whose indexes are in idx (count k) as one batch; A's queue
 * is emptied, B's cleared before. */
static void batch_to_b(const int *idx, int k)
{
	const uint8_t *pk[MAXQ];
	size_t ln[MAXQ];
	for (int i = 0; i < k; i++) {
		pk[i] = A.q[idx[i]].b;
		ln[i] = A.q[idx[i]].n;
	}
	B.nq = 0;
	synack_input_batch(B.st, pk, ln, NULL, (size_t)k, now);
}

/* synack_input_batch: the plain ACKs that a batch of in-order segments owes go as one at the
 * batch's end, covering every segment (as GRO's stretch ACK), where one packet at a time
 * they go for every segment or two; an out-of-order segment inside a batch is still
 * answered at once, each with its own duplicate ACK, and the segment filling the hole at
 * once too. The data arrives whole either way. */
static void test_input_batch(void **state)
{
	(void)state;
	int s, l = listen_connect(&s);
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static uint8_t data[BATCH_DATA], got[BATCH_DATA];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	size_t off = 0, n = 0;
	int idx[MAXQ];
	for (int i = 0; i < MAXQ; i++)
		idx[i] = i;

	/* the first flight, one packet at a time */
	int segs = flight(s, data, 10000, &off);
	assert_true(segs >= 6);
	B.nq = 0;
	for (int i = 0; i < segs; i++)
		synack_input(B.st, A.q[i].b, A.q[i].n, now);
	A.nq = 0;
	assert_true(B.nq >= segs / 2); /* quick ACKs at the start: one per segment or two */
	n = settle(c, got, n, off);

	/* the next flight as one batch: one ACK, for all of it */
	segs = flight(s, data, 20000, &off);
	assert_true(segs >= 6);
	struct sk_tcp last = tcp_of(&A.q[segs - 1]);
	batch_to_b(idx, segs);
	A.nq = 0;
	assert_int_equal(B.nq, 1);
	assert_int_equal(tcp_of(&B.q[0]).ack, last.seq + (uint32_t)last.payload_len);
	n = settle(c, got, n, off);

	/* a batch with the second segment missing: a duplicate ACK for each segment beyond the
	 * hole, all acknowledging the first; then the missing one, acknowledged at once */
	segs = flight(s, data, 20000, &off);
	assert_true(segs >= 5);
	struct sk_tcp first = tcp_of(&A.q[0]);
	last = tcp_of(&A.q[segs - 1]);
	int ooo[MAXQ], k = 0;
	for (int i = 0; i < segs; i++)
		if (i != 1)
			ooo[k++] = i;
	batch_to_b(ooo, k);
	assert_int_equal(B.nq, segs - 2);
	for (int i = 0; i < B.nq; i++) {
		struct sk_tcp a = tcp_of(&B.q[i]);
		assert_int_equal(a.ack, first.seq + (uint32_t)first.payload_len);
		assert_true(a.opt.nsack >= 1);
	}
	batch_to_b(&idx[1], 1);
	A.nq = 0;
	assert_int_equal(B.nq, 1);
	assert_int_equal(tcp_of(&B.q[0]).ack, last.seq + (uint32_t)last.payload_len);
	n = settle(c, got, n, off);
	assert_memory_equal(got, data, off);
}

/* The MSS option of the SYN or SYN+ACK in packet p. */
static int syn_mss(const struct pkt *p)
{
	struct sk_ipv4 ip;
	parse_ip(p, &ip);
	struct sk_tcp seg;
	assert_true(sk_tcp_parse(p->b + 20, p->n - 20, ip.src, ip.dst, &seg, SK_TCP_VERIFY_CSUM) > 0);
	assert_true(seg.flags & SK_TCP_SYN);
	return seg.opt.has_mss ? seg.opt.mss : -1;
}

/* TCP_MAXSEG set before connect() or listen() shapes the connections made after it: the
 * MSS announced in the SYN (or SYN+ACK) and the size of what that side sends. */
static void test_maxseg_before_connect(void **state)
{
	(void)state;
	int l = synack_socket(B.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	int v = 800;
	assert_int_equal(synack_setsockopt(B.st, l, SYNACK_IPPROTO_TCP, SYNACK_TCP_MAXSEG, &v, sizeof(v)), 0);
	assert_int_equal(synack_bind(B.st, l, &sa(0, 80)), 0);
	assert_int_equal(synack_listen(B.st, l, 4), 0);
	int s = synack_socket(A.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	int got = 0;
	size_t gl = sizeof(got);
	assert_int_equal(synack_getsockopt(A.st, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_MAXSEG, &got, &gl), 0);
	assert_int_equal(got, 536); /* not connected, nothing set: the default, as Linux says */
	v = 1000;
	assert_int_equal(synack_setsockopt(A.st, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_MAXSEG, &v, sizeof(v)), 0);
	v = 50;
	assert_int_equal(synack_setsockopt(A.st, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_MAXSEG, &v, sizeof(v)), -EINVAL);
	assert_int_equal(synack_connect(A.st, s, &sa(B_ADDR, 80)), -EINPROGRESS);
	assert_int_equal(A.nq, 1);
	assert_int_equal(syn_mss(&A.q[0]), 1000);
	synack_input(B.st, A.q[0].b, A.q[0].n, now);
	A.nq = 0;
	assert_int_equal(B.nq, 1);
	assert_int_equal(syn_mss(&B.q[0]), 800); /* the listener's setting */
	pump();
	int c = synack_accept(B.st, l, NULL);
	assert_true(c >= 0);
	static char data[20000];
	assert_true(synack_send(A.st, s, data, sizeof(data), 0) > 0);
	assert_true(synack_send(B.st, c, data, sizeof(data), 0) > 0);
	for (int i = 0; i < A.nq; i++)
		assert_true(A.q[i].n <= 20 + 20 + 12 + 800); /* B announced 800 */
	for (int i = 0; i < B.nq; i++)
		assert_true(B.q[i].n <= 20 + 20 + 12 + 800); /* B's own setting caps its sends */
	assert_true(A.nq > 0 && B.nq > 0);
	gl = sizeof(got);
	assert_int_equal(synack_getsockopt(A.st, s, SYNACK_IPPROTO_TCP, SYNACK_TCP_MAXSEG, &got, &gl), 0);
	assert_int_equal(got, 800 - 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_datagrams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_port_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_error_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_hard_error_syn_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_soft_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_frag_needed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtt_sub_millisecond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csum_offload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_sg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_verified, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maxseg_before_connect, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
