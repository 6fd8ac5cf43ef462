/* Fuzzes the TCP core through its real entry points: a client and a server stack with a
 * dual-stack listener and two established connections between them (one over IPv4, one
 * over IPv6), then a program of operations read
 * from the input: inject a segment (checksums fixed up so it reaches the state machine,
 * addressed to a real or near-miss 4-tuple), make a socket call, or let time pass (timers
 * fire). Inputs of odd length deliver each side's queue as one synack_input_batch (so a
 * connection may end while it holds an ACK for the batch's end). Sanitizers catch memory
 * errors; every stack is freed, so leaks are caught too. */
#include <errno.h>
#include <string.h>

#include <synack/synack.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "stack/addr.h"

#define CADDR 0x0a000001u
#define SADDR 0x0a000002u

struct side {
	synack_stack *st;
	uint8_t q[64][1600];
	uint16_t qlen[64];
	int qn;
};

static int out(void *ctx, const uint8_t *p, size_t len, uint64_t now)
{
	(void)now;
	struct side *s = ctx;
	if (s->qn == 64 || len > 1600)
		return -ENOBUFS;
	memcpy(s->q[s->qn], p, len);
	s->qlen[s->qn++] = (uint16_t)len;
	return 0;
}

struct fx {
	struct side c, s; /* each side's queue holds what the OTHER side sent to it */
	uint64_t now;
	int lsock, csock, ssock;
	uint16_t cport;
	int csock6, ssock6; /* the IPv6 connection */
	uint16_t cport6;
	int batch; /* each side takes its queue as one synack_input_batch (inputs of odd length) */
};

static const uint8_t CADDR6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, SADDR6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* One side takes what its queue holds: packet by packet, or as one batch (whose plain
 * ACKs wait for its end, held on connections that may die meanwhile). */
static void feed(struct fx *f, struct side *s)
{
	if (f->batch) {
		const uint8_t *p[64];
		size_t l[64];
		for (int i = 0; i < s->qn; i++) {
			p[i] = s->q[i];
			l[i] = s->qlen[i];
		}
		synack_input_batch(s->st, p, l, NULL, (size_t)s->qn, f->now);
	} else {
		for (int i = 0; i < s->qn; i++)
			synack_input(s->st, s->q[i], s->qlen[i], f->now);
	}
	s->qn = 0;
}

static void deliver(struct fx *f)
{
	for (int round = 0; round < 64 && (f->c.qn || f->s.qn); round++) {
		feed(f, &f->c);
		feed(f, &f->s);
	}
	f->c.qn = f->s.qn = 0;
}

static void advance(struct fx *f, uint64_t dt)
{
	f->now += dt;
	synack_poll(f->c.st, f->now);
	synack_poll(f->s.st, f->now);
	deliver(f);
}

static int setup(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	struct synack_config cfg;
	synack_config_defaults(&cfg);
	cfg.tcp_max_syn_backlog = 8; /* reach the cookie path quickly */
	cfg.somaxconn = 8;
	cfg.secret[0] = 2; /* fixed secrets and seeds: a crash must replay */
	cfg.seed = 1;
	f->c.st = synack_stack_new(&cfg, NULL);
	cfg.secret[0] = 1;
	f->s.st = synack_stack_new(&cfg, NULL);
	if (!f->c.st || !f->s.st)
		return -1;
	/* Client output goes to the server's queue and back. */
	sk_add_addr4(f->c.st, CADDR, 24, 1500, out, &f->s);
	sk_add_addr4(f->s.st, SADDR, 24, 1500, out, &f->c);
	struct synack_ip c6 = {SYNACK_AF_INET6, {0}}, s6 = {SYNACK_AF_INET6, {0}};
	memcpy(c6.bytes, CADDR6, 16);
	memcpy(s6.bytes, SADDR6, 16);
	synack_add_addr(f->c.st, &c6, 64, 1500, out, &f->s);
	synack_add_addr(f->s.st, &s6, 64, 1500, out, &f->c);
	/* one dual-stack listener: IPv4 clients come IPv4-mapped */
	f->lsock = synack_socket(f->s.st, SYNACK_AF_INET6, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = synack_sa_any(SYNACK_AF_INET6, 6378);
	synack_bind(f->s.st, f->lsock, &a);
	synack_listen(f->s.st, f->lsock, 4);
	f->csock = synack_socket(f->c.st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	a = sk_sa_from4(SADDR, 6378);
	synack_connect(f->c.st, f->csock, &a);
	deliver(f);
	f->ssock = synack_accept(f->s.st, f->lsock, NULL);
	struct synack_sockaddr me;
	synack_getsockname(f->c.st, f->csock, &me);
	f->cport = me.port;
	f->csock6 = synack_socket(f->c.st, SYNACK_AF_INET6, SYNACK_SOCK_STREAM);
	a = (struct synack_sockaddr){s6, 6378, 0};
	synack_connect(f->c.st, f->csock6, &a);
	deliver(f);
	f->ssock6 = synack_accept(f->s.st, f->lsock, NULL);
	synack_getsockname(f->c.st, f->csock6, &me);
	f->cport6 = me.port;
	return 0;
}

/* The IPv6 form of inject: the same bytes in an IPv6 packet (ICMPv6 for ICMP). */
static void inject6(struct fx *f, uint8_t *pkt, size_t n, uint8_t sel, uint8_t proto)
{
	int to_server = sel & 1;
	const uint8_t *src = to_server ? CADDR6 : SADDR6, *dst = to_server ? SADDR6 : CADDR6;
	uint8_t *t = pkt + 40;
	if (!(sel & 2)) {
		sk_put16(t, to_server ? f->cport6 : 6378);
		sk_put16(t + 2, to_server ? 6378 : f->cport6);
	}
	if (proto == SK_IPPROTO_ICMP)
		proto = SK_IPPROTO_ICMPV6;
	if (!(sel & 4)) {
		size_t at = proto == SK_IPPROTO_TCP ? 16 : proto == SK_IPPROTO_UDP ? 6 : 2;
		sk_put16(t + at, 0);
		sk_put16(t + at, sk_csum_l4v6(src, dst, proto, t, n));
	}
	struct sk_ipv6 ip = {.payload_len = (uint16_t)n, .next = proto, .hop_limit = 64};
	memcpy(ip.src, src, 16);
	memcpy(ip.dst, dst, 16);
	sk_ipv6_emit(pkt, 40, &ip);
	synack_input(to_server ? f->s.st : f->c.st, pkt, 40 + n, f->now);
	deliver(f);
}

/* A segment from the fuzzer's bytes, as if from the client to the server (or back); now
 * and then a UDP datagram or an ICMP message instead (ICMP errors then quote whatever the
 * bytes say, which may be one of the live connections). */
static void inject(struct fx *f, const uint8_t *p, size_t n, uint8_t sel)
{
	if (n < 20)
		return;
	uint8_t pkt[1600];
	if (n > sizeof(pkt) - 40)
		n = sizeof(pkt) - 40;
	uint8_t proto = (sel >> 3 & 3) == 2 ? SK_IPPROTO_ICMP : (sel >> 3 & 3) == 3 ? SK_IPPROTO_UDP : SK_IPPROTO_TCP;
	if (sel & 32) { /* over IPv6, to or from the IPv6 connection's ends */
		memcpy(pkt + 40, p, n);
		inject6(f, pkt, n, sel, proto);
		return;
	}
	int to_server = sel & 1;
	uint32_t src = to_server ? CADDR : SADDR, dst = to_server ? SADDR : CADDR;
	memcpy(pkt + 20, p, n);
	uint8_t *t = pkt + 20;
	/* Mostly the real 4-tuple, so the bytes reach a connection, a listener, or a
	 * half-open or TIME-WAIT record. */
	if (!(sel & 2)) {
		sk_put16(t, to_server ? f->cport : 6378);
		sk_put16(t + 2, to_server ? 6378 : f->cport);
	}
	if (!(sel & 4)) {
		size_t at = proto == SK_IPPROTO_TCP ? 16 : proto == SK_IPPROTO_UDP ? 6 : 2;
		sk_put16(t + at, 0);
		uint16_t c = proto == SK_IPPROTO_ICMP ? sk_csum(t, n) : sk_csum_l4(src, dst, proto, t, n);
		sk_put16(t + at, c);
	}
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + n), .ttl = 64, .proto = proto, .src = src, .dst = dst};
	sk_ipv4_emit(pkt, 20, &ip);
	synack_input(to_server ? f->s.st : f->c.st, pkt, 20 + n, f->now);
	deliver(f);
}

static void call(struct fx *f, uint8_t op)
{
	uint8_t buf[3000];
	memset(buf, 'a', sizeof(buf));
	synack_stack *st = op & 1 ? f->s.st : f->c.st;
	int six = (op >> 4) & 1; /* the IPv6 connection's sockets */
	int *slot = op & 1 ? (six ? &f->ssock6 : &f->ssock) : (six ? &f->csock6 : &f->csock);
	int sock = *slot;
	switch ((op >> 1) % 8) {
	case 0: synack_send(st, sock, buf, (size_t)(op % 7) * 400, 0); break;
	case 1: synack_recv(st, sock, buf, sizeof(buf), 0); break;
	case 2: synack_shutdown(st, sock, SYNACK_SHUT_WR); break;
	case 3: synack_close(st, sock); *slot = -1; break;
	case 4: { int one = 1; synack_setsockopt(st, sock, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, &one, sizeof(one)); break; }
	case 5: { struct synack_linger lg = {1, 0}; synack_setsockopt(st, sock, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &lg, sizeof(lg)); break; }
	case 6: { int s2 = synack_accept(f->s.st, f->lsock, NULL); if (s2 >= 0 && f->ssock < 0) f->ssock = s2; break; }
	default: synack_events(st, sock); break;
	}
	deliver(f);
}

struct tw_check {
	uint64_t now;
	int bad;
};

static void check_tw(void *ctx, const struct synack_sock_entry *e)
{
	struct tw_check *c = ctx;
	if (e->state != SYNACK_TIME_WAIT)
		return;
	uint64_t two_msl = 2ull * 30000 * 1000;
	if (!e->timer || e->timer_at <= c->now || e->timer_at > c->now + two_msl)
		c->bad++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f || setup(f) < 0) {
		if (f) {
			synack_stack_free(f->c.st);
			synack_stack_free(f->s.st);
		}
		free(f);
		return 0;
	}
	f->batch = (int)(size & 1);
	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t op = data[i], arg = data[i + 1];
		i += 2;
		switch (op % 4) {
		case 0:
		case 1: {
			size_t n = (size_t)arg + 20;
			if (n > size - i)
				n = size - i;
			inject(f, data + i, n, op >> 2);
			i += n;
			break;
		}
		case 2:
			call(f, arg);
			break;
		default:
			/* Time passes: from a millisecond to hours, so every timer gets its turn. */
			advance(f, (uint64_t)(arg % 16 + 1) << (arg / 16 * 2 + 8));
			break;
		}
	}
	/* Let everything run out: each step's packets are answered within the next, so a
	 * record created by the last exchange still gets its full lifetime. */
	for (int k = 0; k < 20; k++)
		advance(f, 3600ull * 1000000);
	/* Ten hours later every half-open record has expired. A connection kept alive by
	 * keepalive or persist may have ended only just now, so a TIME-WAIT record may still
	 * be there; but none may outlive 2MSL: each must have its timer armed, due within
	 * 2MSL of now (a record whose timer was lost would stay for ever). */
	struct synack_stats cs, ss;
	synack_get_stats(f->c.st, &cs);
	synack_get_stats(f->s.st, &ss);
	FUZZ_CHECK(ss.half_open == 0 && cs.half_open == 0);
	struct tw_check chk = {.now = f->now, .bad = 0};
	synack_sock_foreach(f->c.st, check_tw, &chk);
	synack_sock_foreach(f->s.st, check_tw, &chk);
	FUZZ_CHECK(chk.bad == 0);
	synack_stack_free(f->c.st);
	synack_stack_free(f->s.st);
	free(f);
	return 0;
}
