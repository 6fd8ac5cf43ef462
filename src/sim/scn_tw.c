/* TIME-WAIT scenarios (TW-1..TW-6). TW-2 and TW-3 use a scripted peer as the client, so
 * that old duplicates and SYNs with chosen sequence numbers and timestamps can be sent. */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "tcp/seq.h"
#include "tcp/tcb.h" /* sizeof the TCB and of the TIME-WAIT record (TW-4) */
#include "wire/tcp.h"

#define TWO_MSL SK_S(60) /* 2 * MSL (30 s): TW-1 */

static unsigned long long us(uint64_t t)
{
	return (unsigned long long)t;
}

/* ---- two synack hosts ---- */

/* A socket bound to lport with SO_REUSEADDR, as an application reusing a port does. */
static int bound_socket(struct sk_scn *s, int host, uint16_t lport)
{
	synack_stack *st = sk_world_stack(s->w, host);
	int k = synack_socket(st, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	int one = 1;
	struct synack_sockaddr a = sk_scn_sa(s, 0, lport);
	int r = k < 0 ? k
		      : synack_setsockopt(st, k, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one,
					  sizeof(one));
	if (r >= 0)
		r = synack_bind(st, k, &a);
	sk_world_note(s->w, host, "socket() + SO_REUSEADDR + bind(:%u) = %s", lport,
		      r < 0 ? sk_errno_name(r) : "0");
	return r < 0 ? r : k;
}

/* connect() from lport; returns the socket, or -errno if connect() did not start. */
static int connect_from(struct sk_scn *s, int host, uint16_t lport)
{
	int k = bound_socket(s, host, lport);
	if (k < 0)
		return k;
	int r = sk_scn_connect_sock(s, host, k, SK_SERVER_ADDR, SK_PORT);
	return r == -EINPROGRESS ? k : r;
}

/* The server's accepted socket whose peer port is rport (accepting what is queued). */
static int accept_port(struct sk_scn *s, int l, uint16_t rport, int *socks, int n)
{
	synack_stack *st = sk_world_stack(s->w, s->server);
	for (int i = 0; i < n; i++) {
		struct synack_sockaddr a = sk_scn_sa(s, 0, 0);
		if (socks[i] >= 0 && synack_getpeername(st, socks[i], &a) == 0 && a.port == rport)
			return socks[i];
	}
	(void)l;
	return -1;
}

/* Establishes one connection from lport (world time advances to the accept). */
static int open_from(struct sk_scn *s, int l, uint16_t lport, int *cs, int *ss)
{
	*cs = connect_from(s, s->client, lport);
	return sk_scn_open(s, l, *cs, ss);
}

/* Segments carrying data that host sent. */
static int count_data(struct sk_scn *s, int host)
{
	int n = 0;
	for (size_t i = 0; i < sk_world_nrecs(s->w); i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type == SK_REC_SEG && r->host == host && r->d.l4 == SK_L4_TCP &&
		    r->d.tcp.payload_len)
			n++;
	}
	return n;
}

/* TW-1: TIME-WAIT lasts 2MSL from the ACK of the peer's FIN (connection 1), and every
 * retransmitted FIN restarts it (connection 2: the client's first two ACKs of the server's
 * FIN are lost, the server retransmits at 5.22 and 5.66 s). */
static void tw_1(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int c1 = -1, s1 = -1, c2 = -1, s2 = -1;
	uint32_t x1 = 0, y1 = 0, x2 = 0, y2 = 0;
	if (!sk_expect(s,
		       open_from(s, l, 40001, &c1, &s1) && open_from(s, l, 40002, &c2, &s2) &&
			       sk_scn_isns(s, 40001, &x1, &y1) && sk_scn_isns(s, 40002, &x2, &y2),
		       "two connections established"))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, c1);
	sk_scn_close(s, s->client, c2);
	char b[4];
	sk_world_run_until(s->w, SK_S(3));
	sk_expect(s, sk_scn_recv(s, s->server, s1, b, sizeof(b)) == 0, "server reads EOF on 1");
	sk_scn_close(s, s->server, s1);
	sk_world_run_until(s->w, SK_S(4));
	sk_scn_rule(s, s->client, s->server, ALL, A, 1, 2, SK_SIMNET_DROP, 0);
	sk_world_run_until(s->w, SK_S(5));
	sk_expect(s, sk_scn_recv(s, s->server, s2, b, sizeof(b)) == 0, "server reads EOF on 2");
	sk_scn_close(s, s->server, s2);

	/* Connection 1: its ACK at 3.01 s starts 2MSL: the record is there until 63.01 s. */
	const struct sk_rec *a1 = sk_scn_seg_ports(s, s->client, 40001, SK_PORT, ALLP, A, 2);
	sk_world_run_until(s->w, SK_MS(63009));
	sk_expect(s, a1 && a1->t == SK_MS(3010) && sk_scn_seg_is(a1, A, x1 + 2, y1 + 2),
		  "1: ACK of the server's FIN at 3.01 s");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40001, SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_TIME_WAIT) == SK_MS(3010),
		  "1: TIME-WAIT at 3.01 s, when that ACK is sent");
	sk_expect(s, sk_scn_stats(s, s->client).time_wait == 2,
		  "at 63.009 s both records are there");
	sk_world_run_until(s->w, SK_MS(63010));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40001, SK_PORT, SYNACK_TIME_WAIT,
					  SYNACK_CLOSED) == SK_MS(3010) + TWO_MSL,
		  "1: CLOSED at 63.01 s, 60 s after");
	sk_expect(s, sk_scn_stats(s, s->client).time_wait == 1, "at 63.01 s one record is left");

	/* Connection 2: FIN at 5, 5.22, 5.66 s (RTO 220 ms, doubled); each is acked from
	 * TIME-WAIT, and 2MSL restarts each time: it ends 60 s after the last, at 65.67 s. */
	sk_world_run_until(s->w, SK_S(65) + SK_MS(669));
	sk_expect(s, sk_scn_stats(s, s->client).time_wait == 1,
		  "at 65.669 s the restarted record is still there");
	sk_world_run_idle(s->w, SK_S(200));
	static const uint64_t fin_at[3] = {SK_S(5), SK_MS(5220), SK_MS(5660)};
	for (int i = 0; i < 3; i++) {
		const struct sk_rec *f =
			sk_scn_seg_ports(s, s->server, SK_PORT, 40002, ALL, F | A, i + 1);
		const struct sk_rec *a =
			sk_scn_seg_ports(s, s->client, 40002, SK_PORT, ALLP, A, i + 2);
		sk_expect(s, f && f->t == fin_at[i] && sk_scn_seg_is(f, F | A, y2 + 1, x2 + 2),
			  "2: server FIN #%d at %llu us", i + 1, us(fin_at[i]));
		sk_expect(s,
			  a && a->t == fin_at[i] + SK_MS(10) &&
				  sk_scn_seg_is(a, A, x2 + 2, y2 + 2) && a->dropped == (i < 2),
			  "2: client ACK #%d at %llu us, %s", i + 1, us(fin_at[i] + SK_MS(10)),
			  i < 2 ? "lost" : "delivered");
	}
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40002, SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_TIME_WAIT) == SK_MS(5010),
		  "2: TIME-WAIT at 5.01 s");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 40002, SYNACK_LAST_ACK,
					  SYNACK_CLOSED) == SK_MS(5680),
		  "2: server CLOSED at 5.68 s");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40002, SK_PORT, SYNACK_TIME_WAIT,
					  SYNACK_CLOSED) == SK_MS(5670) + TWO_MSL,
		  "2: CLOSED at 65.67 s, 2MSL after the last ACK");
}

/* ---- a scripted peer as the client ---- */

#define PEER_TS_BASE 5000000u

/* The peer's side of one connection. */
struct pconn {
	int peer;
	uint16_t port;
	uint32_t iss, snd_nxt; /* the peer's */
	uint32_t irs, rcv_nxt; /* the server's ISN, and what the peer expects next */
	uint32_t ts_recent;    /* the server's last TS value */
	int ts;		       /* the peer sends timestamps */
};

/* The peer's timestamp clock: 1 ms ticks. */
static uint32_t peer_ts(struct sk_scn *s)
{
	return PEER_TS_BASE + (uint32_t)(sk_world_now(s->w) / 1000);
}

/* Sends one exact segment: ts 0 = no timestamp option, else the TS value to send. */
static void peer_send(struct sk_scn *s, const struct pconn *c, uint16_t flags, uint32_t seq,
		      uint32_t ack, uint32_t tsval, const char *data)
{
	struct sk_tcp seg = {.sport = c->port,
			     .dport = SK_PORT,
			     .seq = seq,
			     .ack = ack,
			     .flags = flags,
			     .win = (flags & S) ? 65535 : 1024};
	if (flags & S) {
		seg.opt.has_mss = 1;
		seg.opt.mss = (uint16_t)sk_scn_mss(s);
		seg.opt.sack_ok = 1;
		seg.opt.has_ws = 1;
		seg.opt.ws = 7;
	}
	if (tsval) {
		seg.opt.has_ts = 1;
		seg.opt.tsval = tsval;
		seg.opt.tsecr = (flags & A) ? c->ts_recent : 0;
	}
	if (data) {
		seg.payload = (const uint8_t *)data;
		seg.payload_len = strlen(data);
	}
	sk_world_peer_send(s->w, c->peer, SK_SERVER_ADDR, &seg);
}

/* The next TCP segment that reached the peer for c (others are skipped); 0 if none. */
static int peer_next(struct sk_scn *s, struct pconn *c, struct sk_tcp *out)
{
	struct sk_decoded d;
	while (sk_world_peer_recv(s->w, c->peer, &d)) {
		if (d.l4 != SK_L4_TCP || d.tcp.dport != c->port)
			continue;
		*out = d.tcp;
		out->payload = NULL; /* its bytes do not outlive the next call */
		if (d.tcp.opt.has_ts)
			c->ts_recent = d.tcp.opt.tsval;
		return 1;
	}
	return 0;
}

static int tcp_is(const struct sk_tcp *t, uint16_t flags, uint32_t seq, uint32_t ack)
{
	return t->flags == flags && t->seq == seq && (!(flags & A) || t->ack == ack);
}

/* Opens a connection from the peer to the server's listener l (at now = t0: established at
 * the server at t0 + 30 ms); returns the server's socket or -1. */
static int peer_open(struct sk_scn *s, struct pconn *c, int l, uint32_t iss)
{
	uint64_t t0 = sk_world_now(s->w);
	struct sk_tcp t = {0};
	while (peer_next(s, c, &t))
		; /* what arrived before (an old incarnation's) answers nothing of this one */
	c->iss = iss;
	peer_send(s, c, S, iss, 0, c->ts ? peer_ts(s) : 0, NULL);
	sk_world_run_until(s->w, t0 + SK_MS(20));
	if (!sk_expect(s, peer_next(s, c, &t) && (t.flags & ALL) == (S | A) && t.ack == iss + 1,
		       "port %u: SYN+ACK acks the SYN", c->port))
		return -1;
	c->irs = t.seq;
	c->rcv_nxt = t.seq + 1;
	c->snd_nxt = iss + 1;
	peer_send(s, c, A, c->snd_nxt, c->rcv_nxt, c->ts ? peer_ts(s) : 0, NULL);
	return sk_scn_wait_accept(s, s->server, l, t0 + SK_MS(30), NULL);
}

/* The server closes the connection it has with c: FIN at t0 (now), the peer answers at
 * t0 + 10 ms with FIN+ACK, the server acks it at t0 + 20 ms from TIME-WAIT, which then
 * lasts until t0 + 20 ms + 2MSL. Returns 1 if all went so. */
static int peer_make_tw(struct sk_scn *s, struct pconn *c, int ss)
{
	uint64_t t0 = sk_world_now(s->w);
	struct sk_tcp t = {0};
	sk_scn_close(s, s->server, ss);
	sk_world_run_until(s->w, t0 + SK_MS(10));
	if (!sk_expect(s, peer_next(s, c, &t) && tcp_is(&t, F | A, c->rcv_nxt, c->snd_nxt),
		       "port %u: the server's FIN", c->port))
		return 0;
	c->rcv_nxt++;
	peer_send(s, c, F | A, c->snd_nxt, c->rcv_nxt, c->ts ? peer_ts(s) : 0, NULL);
	c->snd_nxt++;
	sk_world_run_until(s->w, t0 + SK_MS(30));
	return sk_expect(s, peer_next(s, c, &t) && tcp_is(&t, A, c->rcv_nxt, c->snd_nxt),
			 "port %u: the server acks the FIN", c->port) &&
	       sk_expect(s,
			 sk_scn_state_time_ports(s, s->server, SK_PORT, c->port, SYNACK_FIN_WAIT_1,
						 SYNACK_TIME_WAIT) == t0 + SK_MS(20),
			 "port %u: server FIN-WAIT-1 -> TIME-WAIT at %llu us", c->port,
			 us(t0 + SK_MS(20)));
}

/* TW-2: the server is in TIME-WAIT with the peer. Old segments of that connection (data,
 * a handshake ACK, both with old timestamps: PAWS) are answered with an ACK; an old RST
 * off rcv_nxt is dropped. None of them restarts 2MSL or delivers anything. Then a new
 * incarnation opens on the same 4-tuple (newer timestamp, TW-3), and the old data segment,
 * replayed into it, is dropped by PAWS: the application reads only the new data. */
static void tw_2(struct sk_scn *s)
{
	s->client = sk_world_add_peer(s->w, "client", SK_CLIENT_ADDR);
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct pconn c = {.peer = s->client, .port = 40000, .ts = 1};
	const uint32_t a = 0x10000000u;
	int ss = peer_open(s, &c, l, a);
	if (!sk_expect(s, ss >= 0, "connection established"))
		return;
	const uint32_t b = c.irs, ts_ack = PEER_TS_BASE + 20, ts_hello = PEER_TS_BASE + 100;
	sk_world_run_until(s->w, SK_MS(100));
	peer_send(s, &c, P | A, a + 1, b + 1, ts_hello, "hello");
	c.snd_nxt += 5;
	sk_world_run_until(s->w, SK_MS(500));
	char buf[16];
	sk_expect(s,
		  sk_scn_recv(s, s->server, ss, buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5),
		  "server reads hello");
	struct sk_tcp t = {0};
	sk_expect(s, peer_next(s, &c, &t) && tcp_is(&t, A, b + 1, a + 6), "the server acked hello");
	sk_world_run_until(s->w, SK_S(1));
	if (!peer_make_tw(s, &c, ss)) /* TIME-WAIT from 1.02 s: rcv_nxt a+7, snd_nxt b+2 */
		return;
	struct synack_stats st0 = sk_scn_stats(s, s->server);

	sk_world_run_until(s->w, SK_S(2));
	peer_send(s, &c, P | A, a + 1, b + 1, ts_hello, "hello");
	sk_world_run_until(s->w, SK_S(3));
	peer_send(s, &c, A, a + 1, b + 1, ts_ack, NULL);
	sk_world_run_until(s->w, SK_S(4));
	peer_send(s, &c, R, a + 1, 0, 0, NULL);
	sk_world_run_until(s->w, SK_MS(4500));
	const struct sk_rec *r1 = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, ALLP, A, 3);
	const struct sk_rec *r2 = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, ALLP, A, 4);
	sk_expect(s, r1 && r1->t == SK_MS(2010) && sk_scn_seg_is(r1, A, b + 2, a + 7),
		  "old data at 2 s: acked from TIME-WAIT (seq b+2 ack a+7)");
	sk_expect(s, r2 && r2->t == SK_MS(3010) && sk_scn_seg_is(r2, A, b + 2, a + 7),
		  "old ACK at 3 s: acked from TIME-WAIT");
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, 40000, 0, 0) == 6,
		  "the old RST at 4 s gets no answer");
	struct synack_stats st1 = sk_scn_stats(s, s->server);
	sk_expect(s, st1.tcp_drop_paws == st0.tcp_drop_paws + 2,
		  "both old segments failed PAWS (%llu)",
		  (unsigned long long)(st1.tcp_drop_paws - st0.tcp_drop_paws));
	sk_expect(s, st1.tcp_rst_in_ignored == st0.tcp_rst_in_ignored + 1 && st1.time_wait == 1,
		  "the RST was ignored; TIME-WAIT stays");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 40000, SYNACK_TIME_WAIT,
					  SYNACK_CLOSED) == NEVER,
		  "still in TIME-WAIT at 4.5 s");

	/* A new incarnation at 5 s: its ISN is far from the old one, its timestamps newer. */
	sk_world_run_until(s->w, SK_S(5));
	struct pconn c2 = {.peer = s->client, .port = 40000, .ts = 1};
	const uint32_t a2 = a + 1000000u;
	int ss2 = peer_open(s, &c2, l, a2);
	if (!sk_expect(s, ss2 >= 0, "the new incarnation is established at 5.03 s"))
		return;
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 40000, SYNACK_TIME_WAIT,
					  SYNACK_CLOSED) == SK_MS(5010),
		  "its SYN ended the TIME-WAIT record at 5.01 s");
	sk_expect(s, seq_gt(c2.irs, b + 2),
		  "the new server ISN lies beyond the old snd_nxt (RFC 6528 clock)");
	sk_world_run_until(s->w, SK_MS(5100));
	peer_send(s, &c2, P | A, a + 1, b + 1, ts_hello, "hello"); /* the old one, replayed */
	sk_world_run_until(s->w, SK_MS(5200));
	peer_send(s, &c2, P | A, a2 + 1, c2.irs + 1, peer_ts(s), "world");
	sk_world_run_until(s->w, SK_MS(5500));
	long r = sk_scn_recv(s, s->server, ss2, buf, sizeof(buf));
	sk_expect(s, r == 5 && !memcmp(buf, "world", 5),
		  "the new connection delivers only the new data (%ld bytes)", r);
	r = sk_scn_recv(s, s->server, ss2, buf, sizeof(buf));
	sk_expect(s, r == -EAGAIN, "and nothing else (%s)", sk_errno_name((int)r));
	const struct sk_rec *dup = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, ALLP, A, 5);
	sk_expect(s, dup && dup->t == SK_MS(5110) && sk_scn_seg_is(dup, A, c2.irs + 1, a2 + 1),
		  "the replayed segment is answered with the new connection's ACK at 5.11 s");
	sk_expect(s, sk_scn_stats(s, s->server).tcp_drop_paws == st1.tcp_drop_paws + 1,
		  "dropped by PAWS");
}

/* One TW-3 case: the old incarnation (with or without timestamps), then at +1 s a SYN with
 * the given ISN and timestamp (0 = none). */
struct tw3_case {
	const char *what;
	int old_ts; /* the old incarnation used timestamps */
	int syn_ts; /* the SYN's timestamp: 0 none, 1 newer, 2 equal, 3 older */
	int isn;    /* the SYN's ISN: -1 below the old ones, 0 = the last one seen, 1 beyond */
	int accept;
};

/* RFC 6191 section 2: with timestamps on both incarnations the timestamp decides (a newer
 * one opens; an equal one opens if the ISN is beyond); otherwise the ISN must lie beyond
 * the last sequence number of the old one. The catalogue's "ISN beyond rcv_nxt or a newer
 * timestamp" would also open case 2; RFC 9293 3.10.7.4 sends TIME-WAIT SYNs to RFC 6191,
 * which wins: a SYN with an older timestamp than the old connection's last one may be an
 * old duplicate, whatever its sequence number. The ISN in the boundary cases is the old
 * FIN's (rcv_nxt - 1): equal to the last sequence number seen, so not beyond it. */
static const struct tw3_case tw3_cases[] = {
	{"TS newer, ISN below", 1, 1, -1, 1},
	{"TS older, ISN beyond", 1, 3, 1, 0},
	{"TS equal, ISN beyond", 1, 2, 1, 1},
	{"TS equal, ISN the last seen", 1, 2, 0, 0},
	{"no TS, ISN beyond", 1, 0, 1, 1},
	{"no TS, ISN the last seen", 1, 0, 0, 0},
	{"old without TS: TS, ISN below", 0, 1, -1, 0},
	{"old without TS: no TS, ISN beyond", 0, 0, 1, 1},
};
#define TW3_N (sizeof(tw3_cases) / sizeof(tw3_cases[0]))

/* TW-3: for each case, a TIME-WAIT record at the server (4-tuple 10.0.0.1:4000i), then a
 * SYN on that 4-tuple. Accepted: SYN+ACK with a new ISN, the record ends, a new
 * connection is accepted. Refused: the record answers with its ACK (RFC 9293 3.10.7.4 sends
 * SYNs in synchronized states other than RFC 6191's to RFC 5961's challenge ACK, which lets
 * a restarted peer reset the record) and stays until its own 2MSL end. */
static void tw_3(struct sk_scn *s)
{
	s->client = sk_world_add_peer(s->w, "client", SK_CLIENT_ADDR);
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 64);
	int accepted = 0;
	for (size_t i = 0; i < TW3_N; i++) {
		const struct tw3_case *k = &tw3_cases[i];
		uint64_t t0 = SK_S(2 * i + 1);
		sk_world_run_until(s->w, t0);
		struct pconn c = {
			.peer = s->client, .port = (uint16_t)(40000 + i), .ts = k->old_ts};
		uint32_t iss = 0x20000000u + (uint32_t)i * 0x01000000u;
		int ss = peer_open(s, &c, l, iss);
		if (!sk_expect(s, ss >= 0, "case %zu: connection established", i + 1))
			return;
		sk_world_run_until(s->w, t0 + SK_MS(100));
		uint32_t ts_last = PEER_TS_BASE +
				   (uint32_t)((t0 + SK_MS(110)) / 1000); /* the peer's FIN+ACK's */
		if (!peer_make_tw(s, &c, ss)) /* TIME-WAIT from t0 + 120 ms */
			return;
		/* The record's numbers: it sends from b+2 and expects iss+2 (after the FIN). */
		uint32_t srv_snd = c.rcv_nxt, srv_rcv = c.snd_nxt;

		sk_world_run_until(s->w, t0 + SK_S(1));
		uint32_t isn = k->isn < 0    ? iss - 1000
			       : k->isn == 0 ? srv_rcv - 1
					     : srv_rcv + 100000;
		uint32_t tsval = k->syn_ts == 0	  ? 0
				 : k->syn_ts == 1 ? peer_ts(s)
				 : k->syn_ts == 2 ? ts_last
						  : ts_last - 1;
		struct pconn n = {
			.peer = s->client, .port = c.port, .ts = k->syn_ts != 0, .iss = isn};
		peer_send(s, &n, S, isn, 0, tsval, NULL);
		sk_world_run_until(s->w, t0 + SK_S(1) + SK_MS(20));
		struct sk_tcp t = {0};
		int got = peer_next(s, &n, &t);
		uint64_t tw_end = sk_scn_state_time_ports(s, s->server, SK_PORT, c.port,
							  SYNACK_TIME_WAIT, SYNACK_CLOSED);
		if (k->accept) {
			sk_expect(s,
				  got && (t.flags & ALL) == (S | A) && t.ack == isn + 1 &&
					  seq_gt(t.seq, srv_snd),
				  "case %zu (%s): SYN+ACK with a new ISN beyond the old snd_nxt",
				  i + 1, k->what);
			sk_expect(s, tw_end == t0 + SK_S(1) + SK_MS(10),
				  "case %zu: the record ends at the SYN (%llu us)", i + 1,
				  us(tw_end));
			if (got) {
				n.irs = t.seq;
				n.rcv_nxt = t.seq + 1;
				n.snd_nxt = isn + 1;
				peer_send(s, &n, A, n.snd_nxt, n.rcv_nxt, n.ts ? peer_ts(s) : 0,
					  NULL);
				int ns = sk_scn_wait_accept(s, s->server, l,
							    t0 + SK_S(1) + SK_MS(30), NULL);
				sk_expect(s, ns >= 0, "case %zu: the new connection is accepted",
					  i + 1);
				accepted++;
			}
		} else {
			sk_expect(s, got && tcp_is(&t, A, srv_snd, srv_rcv),
				  "case %zu (%s): refused: the record's ACK (seq snd_nxt, ack "
				  "rcv_nxt)",
				  i + 1, k->what);
			sk_expect(s, tw_end == NEVER, "case %zu: the record stays", i + 1);
		}
		sk_expect(s, !peer_next(s, &n, &t), "case %zu: nothing else", i + 1);
	}
	sk_world_run_idle(s->w, SK_S(200));
	for (size_t i = 0; i < TW3_N; i++) {
		if (tw3_cases[i].accept)
			continue;
		/* 2MSL from its ACK at t0 + 120 ms, not restarted by the SYN. */
		uint64_t want = SK_S(2 * i + 1) + SK_MS(120) + TWO_MSL;
		uint64_t end = sk_scn_state_time_ports(s, s->server, SK_PORT, (uint16_t)(40000 + i),
						       SYNACK_TIME_WAIT, SYNACK_CLOSED);
		sk_expect(s, end == want,
			  "case %zu: the record ends at %llu us (got %llu): the SYN did not "
			  "restart it",
			  i + 1, us(want), us(end));
	}
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.tw_killed_by_syn == (uint64_t)accepted && accepted == 4,
		  "4 records gave way to a SYN (counted %llu)",
		  (unsigned long long)st.tw_killed_by_syn);
}

/* TW-4: a TIME-WAIT record costs a fraction of a TCB (no buffers, no socket), and
 * tcp_max_tw_buckets = 2 caps them: of three connections closing together the third
 * skips TIME-WAIT (its ACK of the FIN still goes out) and tw_overflow counts it. */
static void tw_4(struct sk_scn *s)
{
	struct synack_config ccfg;
	synack_config_defaults(&ccfg);
	ccfg.tcp_max_tw_buckets = 2;
	sk_scn_pair(s, &ccfg, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int cs[3], acc[3], ss[3];
	for (int i = 0; i < 3; i++)
		cs[i] = connect_from(s, s->client, (uint16_t)(40001 + i));
	sk_world_run_until(s->w, SK_MS(30));
	for (int i = 0; i < 3; i++)
		acc[i] = sk_scn_accept(s, s->server, l);
	for (int i = 0; i < 3; i++)
		ss[i] = accept_port(s, l, (uint16_t)(40001 + i), acc, 3);
	if (!sk_expect(s,
		       cs[0] >= 0 && cs[1] >= 0 && cs[2] >= 0 && ss[0] >= 0 && ss[1] >= 0 &&
			       ss[2] >= 0,
		       "three connections established"))
		return;

	/* Memory: an idle established connection reports its TCB and nothing more; one with
	 * unread data reports its buffer too; the TIME-WAIT record is a fraction of either. */
	uint8_t data[1000] = {0};
	sk_scn_send(s, s->client, cs[0], data, sizeof(data));
	sk_world_run_until(s->w, SK_MS(500));
	struct synack_tcp_info ci, si;
	sk_scn_tcp_info(s, s->client, cs[1], &ci);
	sk_scn_tcp_info(s, s->server, ss[0], &si);
	sk_world_note(s->w, s->client,
		      "sizeof TCB %zu, TIME-WAIT record %zu; idle connection %u bytes, with 1000 "
		      "unread %u bytes",
		      sizeof(struct sk_tcb), sizeof(struct sk_tw), ci.mem_bytes, si.mem_bytes);
	sk_expect(s, ci.mem_bytes == sizeof(struct sk_tcb),
		  "an idle connection holds no buffers (%u bytes)", ci.mem_bytes);
	sk_expect(s, si.mem_bytes >= sizeof(struct sk_tcb) + 1000,
		  "one holding 1000 unread bytes reports them (%u bytes)", si.mem_bytes);
	/* "Far less than an established one (no buffers)": an order of magnitude below a
	 * connection in use, which holds buffers; and below even an idle TCB, which it
	 * replaces (the TCB is freed: checked below). */
	sk_expect(s, sizeof(struct sk_tw) * 10 <= si.mem_bytes,
		  "a TIME-WAIT record (%zu bytes) is under a tenth of a connection in use (%u)",
		  sizeof(struct sk_tw), si.mem_bytes);
	sk_expect(s, sizeof(struct sk_tw) < sizeof(struct sk_tcb),
		  "and smaller than an idle TCB (%zu)", sizeof(struct sk_tcb));

	sk_world_run_until(s->w, SK_S(1));
	for (int i = 0; i < 3; i++)
		sk_scn_close(s, s->client, cs[i]);
	sk_world_run_until(s->w, SK_S(2));
	char b[sizeof(data)];
	sk_expect(s, sk_scn_recv(s, s->server, ss[0], b, sizeof(b)) == 1000,
		  "server reads the data");
	for (int i = 0; i < 3; i++) {
		sk_expect(s, sk_scn_recv(s, s->server, ss[i], b, sizeof(b)) == 0,
			  "server reads EOF on %d", i + 1);
		sk_scn_close(s, s->server, ss[i]);
	}
	sk_world_run_until(s->w, SK_MS(2500));
	for (int i = 0; i < 3; i++) {
		uint16_t p = (uint16_t)(40001 + i);
		uint32_t x = 0, y = 0;
		int ok = sk_scn_isns(s, p, &x, &y);
		uint32_t sent = i == 0 ? 1000 : 0;
		const struct sk_rec *a = sk_scn_seg_ports(s, s->client, p, SK_PORT, ALLP, A, 2);
		sk_expect(s,
			  ok && a && a->t == SK_MS(2010) &&
				  sk_scn_seg_is(a, A, x + sent + 2, y + 2),
			  "%d: the server's FIN is acked at 2.01 s", i + 1);
		sk_expect(s,
			  sk_scn_state_time_ports(s, s->server, SK_PORT, p, SYNACK_LAST_ACK,
						  SYNACK_CLOSED) == SK_MS(2020),
			  "%d: server CLOSED at 2.02 s", i + 1);
	}
	for (int i = 0; i < 2; i++)
		sk_expect(s,
			  sk_scn_state_time_ports(s, s->client, (uint16_t)(40001 + i), SK_PORT,
						  SYNACK_FIN_WAIT_2,
						  SYNACK_TIME_WAIT) == SK_MS(2010),
			  "%d: TIME-WAIT at 2.01 s", i + 1);
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40003, SK_PORT, -1, SYNACK_TIME_WAIT) ==
			  NEVER,
		  "3: never in TIME-WAIT");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40003, SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_CLOSED) == SK_MS(2010),
		  "3: FIN-WAIT-2 -> CLOSED at 2.01 s");
	struct synack_stats st = sk_scn_stats(s, s->client);
	sk_expect(s,
		  st.time_wait == 2 && st.tw_created == 2 && st.tw_overflow == 1 && st.conns == 0,
		  "2 records, 1 overflow, no TCB left (time_wait %llu created %llu overflow %llu "
		  "conns %llu)",
		  (unsigned long long)st.time_wait, (unsigned long long)st.tw_created,
		  (unsigned long long)st.tw_overflow, (unsigned long long)st.conns);
	sk_world_run_idle(s->w, SK_S(200));
	for (int i = 0; i < 2; i++)
		sk_expect(s,
			  sk_scn_state_time_ports(s, s->client, (uint16_t)(40001 + i), SK_PORT,
						  SYNACK_TIME_WAIT,
						  SYNACK_CLOSED) == SK_MS(2010) + TWO_MSL,
			  "%d: TIME-WAIT ends at 62.01 s", i + 1);
	sk_expect(s, sk_scn_stats(s, s->client).time_wait == 0, "no record left");
}

/* TW-5: tcp_tw_reuse = 1, timestamps on. The client's connection from port 40000 is in
 * TIME-WAIT from 2.01 s; a new connect() from that port at 3.0 s (0.99 s in) is refused,
 * at 3.5 s (1.49 s in) it reuses the 4-tuple. Refused with EADDRINUSE, POSIX's errno for
 * "addresses already in use" (Linux says EADDRNOTAVAIL; API-1 asks for POSIX's). */
static void tw_5(struct sk_scn *s)
{
	struct synack_config ccfg;
	synack_config_defaults(&ccfg);
	ccfg.tcp_tw_reuse = 1;
	sk_scn_pair(s, &ccfg, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!sk_expect(s, open_from(s, l, 40000, &cs, &ss) && sk_scn_isns(s, 40000, &x, &y),
		       "connection established"))
		return;
	sk_scn_close_both(s, s->client, cs, SK_S(1), s->server, ss, SK_S(2));
	sk_world_run_until(s->w, SK_S(3));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40000, SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_TIME_WAIT) == SK_MS(2010),
		  "TIME-WAIT from 2.01 s");
	const struct sk_rec *last = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, ALLP, A, 2);
	int k = bound_socket(s, s->client, 40000);
	int r = sk_scn_connect_sock(s, s->client, k, SK_SERVER_ADDR, SK_PORT);
	sk_expect(s, r == -EADDRINUSE,
		  "connect() at 3.0 s (TIME-WAIT 0.99 s old) = %s, want EADDRINUSE",
		  sk_errno_name(r));
	sk_scn_close(s, s->client, k);
	sk_world_run_until(s->w, SK_MS(3500));
	sk_expect(s, sk_scn_count_ports(s, s->client, 40000, SK_PORT, ALL, S) == 1,
		  "no SYN for the refused connect()");
	int c2 = connect_from(s, s->client, 40000);
	sk_expect(s, c2 >= 0, "connect() at 3.5 s (1.49 s old) starts");
	uint64_t when = 0;
	sk_expect(s,
		  c2 >= 0 && sk_scn_wait_connect(s, s->client, c2, SK_S(5), &when) == 0 &&
			  when == SK_MS(3520),
		  "and completes at 3.52 s (at %llu us)", us(when));
	int s2 = sk_scn_wait_accept(s, s->server, l, SK_S(5), NULL);
	sk_expect(s, s2 >= 0, "the server accepts it");
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, ALL, S, 2);
	sk_expect(s, syn && syn->t == SK_MS(3500), "the new SYN leaves at 3.5 s");
	/* What makes the reuse safe (RFC 6191 at the peer, PAWS): a newer timestamp, and an
	 * ISN beyond everything the old connection used. */
	sk_expect(s,
		  syn && last && syn->d.tcp.opt.has_ts &&
			  seq_gt(syn->d.tcp.opt.tsval, last->d.tcp.opt.tsval),
		  "its timestamp is newer than the old connection's last one");
	sk_expect(s, syn && seq_gt(syn->d.tcp.seq, x + 2), "its ISN lies beyond the old snd_nxt");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40000, SK_PORT, SYNACK_TIME_WAIT,
					  SYNACK_CLOSED) == SK_MS(3500),
		  "the TIME-WAIT record gives way at 3.5 s");
	struct synack_stats st = sk_scn_stats(s, s->client);
	sk_expect(s, st.tw_recycled == 1 && st.time_wait == 0, "tw_recycled 1, no record left");
}

/* TW-6: SO_LINGER {1, 0}. At 1 s the client sends 100 bytes (they leave at once) and 100
 * more (held by Nagle behind the first), then close(): one RST (seq snd_nxt, after the 100
 * bytes sent), no FIN, no TIME-WAIT, the 100 held bytes never sent. The server's immediate
 * ACK of the first bytes meets a closed port and a second RST. The 4-tuple is free at once:
 * a new connect() from the same port succeeds at 2 s. */
static void tw_6(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!sk_expect(s, open_from(s, l, 40000, &cs, &ss) && sk_scn_isns(s, 40000, &x, &y),
		       "connection established"))
		return;
	sk_world_run_until(s->w, SK_S(1));
	uint8_t d1[100], d2[100];
	memset(d1, 'a', sizeof(d1));
	memset(d2, 'b', sizeof(d2));
	sk_expect(s,
		  sk_scn_send(s, s->client, cs, d1, sizeof(d1)) == 100 &&
			  sk_scn_send(s, s->client, cs, d2, sizeof(d2)) == 100,
		  "two sends of 100 bytes");
	struct synack_linger lg = {1, 0};
	int r = synack_setsockopt(sk_world_stack(s->w, s->client), cs, SYNACK_SOL_SOCKET,
				  SYNACK_SO_LINGER, &lg, sizeof(lg));
	sk_world_note(s->w, s->client, "setsockopt(SO_LINGER, {1, 0}) = %d", r);
	sk_expect(s, sk_scn_close(s, s->client, cs) == 0, "close() = 0 at once");
	sk_world_run_until(s->w, SK_MS(1500));
	uint8_t got[200];
	long n = sk_scn_recv(s, s->server, ss, got, sizeof(got));
	sk_expect(s, n == 100 && got[0] == 'a' && got[99] == 'a',
		  "the server's recv() = %ld, want the 100 bytes that came before the RST (RST-5)", n);
	n = sk_scn_recv(s, s->server, ss, got, sizeof(got));
	sk_expect(s, n == -ECONNRESET, "then recv() = %s, want ECONNRESET (RST-5)", sk_errno_name((int)n));

	const struct sk_rec *data = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, ALLP, P | A, 1);
	const struct sk_rec *rst = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, R, R, 1);
	sk_expect(s,
		  data && data->t == SK_S(1) && sk_scn_seg_is(data, P | A, x + 1, y + 1) &&
			  data->d.tcp.payload_len == 100,
		  "the first 100 bytes leave at 1 s");
	sk_expect(s, rst && rst->t == SK_S(1) && sk_scn_seg_is(rst, R | A, x + 101, y + 1),
		  "RST at 1 s: seq x+101 (snd_nxt) ack y+1");
	sk_expect(s, count_data(s, s->client) == 1, "the 100 held bytes are never sent");
	sk_expect(s, sk_scn_count(s, s->client, F, F) == 0 && sk_scn_count(s, s->server, F, F) == 0,
		  "no FIN either way");
	const struct sk_rec *rst2 = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, R, R, 2);
	sk_expect(s,
		  sk_scn_count(s, s->client, R, R) == 2 && sk_scn_count(s, s->server, R, R) == 0 && rst2 &&
			  rst2->t == SK_MS(1020) && sk_scn_seg_is(rst2, R, x + 101, 0),
		  "the server's quick ACK of the first bytes (1.01 s, sent at once at the start of a "
		  "connection, as Linux does) crosses the RST and is answered by a bare RST at 1.02 s "
		  "(RST-1); the server sends none");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, 40000, SK_PORT, SYNACK_ESTABLISHED,
					  SYNACK_CLOSED) == SK_S(1),
		  "client ESTABLISHED -> CLOSED at 1 s");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 40000, SYNACK_ESTABLISHED,
					  SYNACK_CLOSED) == SK_MS(1010),
		  "server ESTABLISHED -> CLOSED at 1.01 s (RST received)");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, -1, SYNACK_TIME_WAIT) == NEVER &&
			  sk_scn_state_time(s, s->client, -1, SYNACK_FIN_WAIT_1) == NEVER,
		  "the client never enters FIN-WAIT-1 or TIME-WAIT");
	struct synack_stats st = sk_scn_stats(s, s->client);
	sk_expect(s, st.tw_created == 0 && st.time_wait == 0, "no TIME-WAIT record");

	sk_world_run_until(s->w, SK_S(2));
	int c2 = connect_from(s, s->client, 40000);
	uint64_t when = 0;
	sk_expect(s,
		  c2 >= 0 && sk_scn_wait_connect(s, s->client, c2, SK_S(5), &when) == 0 &&
			  when == SK_MS(2020),
		  "a new connection from the same port completes at 2.02 s (at %llu us)", us(when));
}

const struct sk_scenario sk_scn_tw[] = {
	{"tw-1",
	 "TIME-WAIT lasts 2MSL (60 s) from the ACK of the FIN; each retransmitted FIN restarts it",
	 tw_1},
	{"tw-2",
	 "old segments in TIME-WAIT are acked or dropped; a new incarnation never gets them", tw_2},
	{"tw-3", "a SYN in TIME-WAIT opens a new connection only with a newer TS or ISN (RFC 6191)",
	 tw_3},
	{"tw-4",
	 "TIME-WAIT records are small; tcp_max_tw_buckets caps them, overflow skips TIME-WAIT",
	 tw_4},
	{"tw-5",
	 "tcp_tw_reuse=1: connect() reuses a 4-tuple in TIME-WAIT older than 1 s, not younger",
	 tw_5},
	{"tw-6", "SO_LINGER {1,0}: close() sends RST, no FIN, no TIME-WAIT, unsent data dropped",
	 tw_6},
	{NULL, NULL, NULL},
};
