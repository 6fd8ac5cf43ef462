/* Listen-queue scenarios (LQ-1..LQ-4): the SYN queue and the accept queue with their bounds,
 * a full accept queue, SYN cookies, and a SYN flood. */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define HOST3_ADDR 0x0a000003u /* 10.0.0.3 */
#define HOST4_ADDR 0x0a000004u /* 10.0.0.4 */

/* A segment from a scripted peer (claiming src) to the server, with an MSS option when mss is
 * nonzero and a timestamp when tsval is nonzero. */
static void peer_seg(struct sk_scn *s, int peer, uint32_t src, uint16_t sport, uint16_t dport,
		     uint16_t flags, uint32_t seq, uint32_t ack, uint16_t mss)
{
	struct sk_tcp t = {0};
	memset(&t, 0, sizeof(t));
	t.sport = sport;
	t.dport = dport;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.win = 65535;
	if (mss) {
		t.opt.has_mss = 1;
		t.opt.mss = mss;
	}
	sk_scn_peer_send_from(s, peer, src, SK_SERVER_ADDR, &t);
}

/* A SYN+ACK answering a SYN that offered nothing but an MSS: MSS 1460 (1440 over IPv6) and
 * no other option (HS-4: WS, SACK and TS only when both SYNs carry them). */
static int mss_only(struct sk_scn *s, const struct sk_rec *r)
{
	const struct sk_tcp_opts *o = &r->d.tcp.opt;
	return o->has_mss && o->mss == sk_scn_mss(s) && !o->has_ws && !o->sack_ok && !o->has_ts;
}

static uint16_t peer_port(struct sk_scn *s, int host, int sock)
{
	struct synack_sockaddr a = sk_scn_sa(s, 0, 0);
	synack_getpeername(sk_world_stack(s->w, host), sock, &a);
	return a.port;
}

/* A listening host's counters now (who names it in the check): final ACKs dropped on a full
 * accept queue, half-open records, connections. */
static void expect_queues(struct sk_scn *s, int host, const char *who, uint64_t overflow,
			  uint64_t half_open, uint64_t conns)
{
	struct synack_stats st = sk_scn_stats(s, host);
	sk_expect(s,
		  st.accept_queue_overflow == overflow && st.half_open == half_open &&
			  st.conns == conns,
		  "%s: overflow %llu (want %llu), half_open %llu (want %llu), conns %llu "
		  "(want %llu)",
		  who, (unsigned long long)st.accept_queue_overflow, (unsigned long long)overflow,
		  (unsigned long long)st.half_open, (unsigned long long)half_open,
		  (unsigned long long)st.conns, (unsigned long long)conns);
}

/* The server's SYN cookie verdicts so far, and its connections. */
static void expect_cookies(struct sk_scn *s, uint64_t failed, uint64_t ok, uint64_t conns)
{
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.syncookies_failed == failed && st.syncookies_ok == ok && st.conns == conns,
		  "failed %llu (want %llu), ok %llu (want %llu), conns %llu (want %llu)",
		  (unsigned long long)st.syncookies_failed, (unsigned long long)failed,
		  (unsigned long long)st.syncookies_ok, (unsigned long long)ok,
		  (unsigned long long)st.conns, (unsigned long long)conns);
}

/* LQ-1: the SYN queue is bounded by tcp_max_syn_backlog (per listener), the accept queue by
 * min(backlog, somaxconn), counted as Linux counts it: full only when it holds more than
 * that, so one connection more fits (listen(fd, 0) still takes one). */
static void lq_1(struct sk_scn *s)
{
	struct synack_config sc, sc2;
	synack_config_defaults(&sc);
	sk_expect(s,
		  sc.tcp_max_syn_backlog == 1024 && sc.somaxconn == 4096 &&
			  sc.tcp_syncookies == 1 && sc.tcp_abort_on_overflow == 0,
		  "defaults: tcp_max_syn_backlog 1024, somaxconn 4096, tcp_syncookies 1, "
		  "tcp_abort_on_overflow 0");
	sc.tcp_max_syn_backlog = 4;
	sc.tcp_syncookies = 0; /* no cookies: a full SYN queue drops, so the bound shows */
	sc2 = sc;
	sc2.somaxconn = 2;
	sk_scn_pair(s, NULL, &sc);
	int peer = sk_world_add_peer(s->w, "peer", HOST3_ADDR);
	int server2 = sk_world_add_host(s->w, "server2", HOST4_ADDR, &sc2);
	if (!sk_expect(s, peer >= 0 && server2 >= 0, "four hosts"))
		return;
	int lq = sk_scn_listen(s, s->server, 6380, 16);
	int la = sk_scn_listen(s, s->server, SK_PORT, 1);
	int lb = sk_scn_listen(s, server2, SK_PORT, 8);

	/* (1) SYN queue: five SYNs that never complete; four half-open records, the fifth
	 * SYN is dropped without an answer (the client will retransmit it). */
	for (uint32_t i = 0; i < 5; i++)
		peer_seg(s, peer, HOST3_ADDR, (uint16_t)(1000 + i), 6380, S, 1000000u * (i + 1), 0,
			 (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(15));
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 4, "half_open = %llu, want 4 (tcp_max_syn_backlog)",
		  (unsigned long long)st.half_open);
	sk_expect(s, st.syn_queue_overflow == 1, "syn_queue_overflow = %llu, want 1",
		  (unsigned long long)st.syn_queue_overflow);
	sk_expect(s, st.tcp_passive_opens == 4, "tcp_passive_opens = %llu, want 4",
		  (unsigned long long)st.tcp_passive_opens);
	for (uint32_t i = 0; i < 4; i++) {
		const struct sk_rec *sa =
			sk_scn_seg_ports(s, s->server, 6380, (uint16_t)(1000 + i), ALL, S | A, 1);
		sk_expect(s,
			  sa && sa->t == SK_MS(10) &&
				  sk_scn_seg_is(sa, S | A, sa->d.tcp.seq, 1000000u * (i + 1) + 1) &&
				  mss_only(s, sa),
			  "SYN+ACK to port %u at 10 ms acking its SYN, MSS %u only", 1000 + i,
			  sk_scn_mss(s));
		sk_expect(s,
			  sk_scn_state_time_ports(s, s->server, 6380, (uint16_t)(1000 + i),
						  SYNACK_LISTEN, SYNACK_SYN_RCVD) == SK_MS(10),
			  "port %u: LISTEN -> SYN-RCVD at 10 ms", 1000 + i);
	}
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, 6380, 1004, -1, SYNACK_SYN_RCVD) ==
			  UINT64_MAX,
		  "no half-open record for the fifth SYN");

	/* A record leaves the queue: port 1000 completes its handshake (20 ms). */
	sk_world_run_until(s->w, SK_MS(20));
	const struct sk_rec *sa0 = sk_scn_seg_ports(s, s->server, 6380, 1000, ALL, S | A, 1);
	if (!sk_expect(s, sa0 != NULL, "SYN+ACK to port 1000"))
		return;
	peer_seg(s, peer, HOST3_ADDR, 1000, 6380, A, 1000001u, sa0->d.tcp.seq + 1, 0);
	sk_world_run_until(s->w, SK_MS(35));
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 3, "half_open = %llu after one handshake completed, want 3",
		  (unsigned long long)st.half_open);
	int a = sk_scn_accept(s, s->server, lq);
	sk_expect(s, a >= 0 && peer_port(s, s->server, a) == 1000,
		  "accept() returns the connection from port 1000");

	/* The fifth SYN, retransmitted as a client would after its 1 s RTO, now finds room. */
	sk_world_run_until(s->w, SK_S(1));
	sk_expect(s, sk_scn_count_ports(s, s->server, 6380, 1004, 0, 0) == 0,
		  "the dropped SYN got no answer at all (no SYN+ACK, no RST)");
	peer_seg(s, peer, HOST3_ADDR, 1004, 6380, S, 5000000u, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(1015));
	const struct sk_rec *sa4 = sk_scn_seg_ports(s, s->server, 6380, 1004, ALL, S | A, 1);
	sk_expect(s, sa4 && sa4->t == SK_MS(1010) && sa4->d.tcp.ack == 5000001u,
		  "SYN+ACK to port 1004 at 1.010 s");
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 4 && st.syn_queue_overflow == 1,
		  "half_open = %llu (want 4), overflow = %llu (want 1)",
		  (unsigned long long)st.half_open, (unsigned long long)st.syn_queue_overflow);

	/* (2) Accept queue: listen(1) on a stack with somaxconn 4096 holds 2; listen(8) on
	 * server2 with somaxconn 2 holds 3. The connection beyond stays half-open (LQ-2). */
	sk_world_run_until(s->w, SK_S(2));
	struct synack_stats before = sk_scn_stats(s, s->server);
	int c[7];
	uint16_t port[7];
	for (int i = 0; i < 7; i++) {
		c[i] = sk_scn_connect(s, s->client, i < 3 ? SK_SERVER_ADDR : HOST4_ADDR, SK_PORT);
		port[i] = c[i] >= 0 ? sk_scn_port(s, s->client, c[i]) : 0;
	}
	sk_world_run_until(s->w, SK_MS(2100));
	for (int i = 0; i < 7; i++) {
		int srv = i < 3 ? s->server : server2;
		int queued = i < 3 ? i < 2 : i < 6;
		sk_expect(s,
			  sk_scn_state_time_ports(s, s->client, port[i], SK_PORT, SYNACK_SYN_SENT,
						  SYNACK_ESTABLISHED) == SK_MS(2020),
			  "client connection %d ESTABLISHED at 2.020 s (on the SYN+ACK)", i);
		uint64_t t = sk_scn_state_time_ports(s, srv, SK_PORT, port[i], SYNACK_SYN_RCVD,
						     SYNACK_ESTABLISHED);
		sk_expect(s, queued ? t == SK_MS(2030) : t == UINT64_MAX, "%s: connection %d %s",
			  sk_world_name(s->w, srv), i,
			  queued ? "ESTABLISHED at 2.030 s"
				 : "left half-open: the accept queue is full");
	}
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.accept_queue_overflow - before.accept_queue_overflow == 1,
		  "server: one final ACK dropped");
	sk_expect(s, st.half_open == before.half_open + 1,
		  "server: the third connection is still half-open");
	expect_queues(s, server2, "server2", 1, 1, 3);
	for (int i = 0; i < 2; i++) {
		int x = sk_scn_accept(s, s->server, la);
		sk_expect(s, x >= 0 && peer_port(s, s->server, x) == port[i],
			  "server accept() #%d: connection %d", i + 1, i);
	}
	sk_expect(s, sk_scn_accept(s, s->server, la) == -EAGAIN,
		  "server: nothing more to accept (backlog 1: 2 queued)");
	for (int i = 0; i < 3; i++) {
		int x = sk_scn_accept(s, server2, lb);
		sk_expect(s, x >= 0 && peer_port(s, server2, x) == port[3 + i],
			  "server2 accept() #%d", i + 1);
	}
	sk_expect(s, sk_scn_accept(s, server2, lb) == -EAGAIN,
		  "server2: nothing more to accept (somaxconn 2: 3 queued)");
}

/* LQ-2: a full accept queue drops the final ACK and keeps the half-open record, whose SYN+ACK
 * retransmission completes the connection once accept() made room; with
 * tcp_abort_on_overflow the final ACK gets a RST instead. */
static void lq_2(struct sk_scn *s)
{
	struct synack_config ab;
	synack_config_defaults(&ab);
	ab.tcp_abort_on_overflow = 1;
	sk_scn_pair(s, NULL, NULL);
	int server2 = sk_world_add_host(s->w, "server2", HOST3_ADDR, &ab);
	if (!sk_expect(s, server2 >= 0, "three hosts"))
		return;
	sk_world_heading(s->w, "three cases at once, two connections each to a listener with room for one: "
			       "server :6378 (the ACK is dropped), server :6379 (data follows the ACK), "
			       "server2 :6378 (abort on overflow: RST)");
	int l = sk_scn_listen(s, s->server, SK_PORT, 0); /* holds one connection (LQ-1) */
	int l3 = sk_scn_listen(s, s->server, SK_PORT + 1, 0);
	sk_scn_listen(s, server2, SK_PORT, 0);
	int c1 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	int c2 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	int d1 = sk_scn_connect(s, s->client, HOST3_ADDR, SK_PORT);
	int d2 = sk_scn_connect(s, s->client, HOST3_ADDR, SK_PORT);
	/* On port 6379 the second client sends data as soon as it is connected (20 ms). */
	int e1 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT + 1);
	int e2 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT + 1);
	uint16_t p1 = sk_scn_port(s, s->client, c1), p2 = sk_scn_port(s, s->client, c2);
	uint16_t q1 = sk_scn_port(s, s->client, d1), q2 = sk_scn_port(s, s->client, d2);
	uint16_t r1 = sk_scn_port(s, s->client, e1), r2 = sk_scn_port(s, s->client, e2);
	sk_world_run_until(s->w, SK_MS(20));
	sk_scn_send(s, s->client, e2, "early", 5);
	sk_world_run_until(s->w, SK_MS(35));
	const struct sk_rec *syn2 = sk_scn_seg_ports(s, s->client, p2, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa2 = sk_scn_seg_ports(s, s->server, SK_PORT, p2, ALL, S | A, 1);
	const struct sk_rec *syn4 = sk_scn_seg_ports(s, s->client, q2, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa4 = sk_scn_seg_ports(s, server2, SK_PORT, q2, ALL, S | A, 1);
	if (!sk_expect(s, syn2 && sa2 && syn4 && sa4,
		       "handshake segments of the second connections"))
		return;
	uint32_t x = syn2->d.tcp.seq, y = sa2->d.tcp.seq;

	/* Both clients are connected at 20 ms (HS-2); the servers' queues hold one. */
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, p2, SK_PORT, SYNACK_SYN_SENT,
					  SYNACK_ESTABLISHED) == SK_MS(20),
		  "client's second connection ESTABLISHED at 20 ms");
	/* Port 6378: the ACK; port 6379: the ACK and the data segment. */
	expect_queues(s, s->server, "server at 35 ms", 3, 2, 2);
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, p1, SYNACK_SYN_RCVD,
					  SYNACK_ESTABLISHED) == SK_MS(30),
		  "first connection ESTABLISHED on the server at 30 ms");
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, p2, R, R) == 0,
		  "no RST for the dropped ACK");

	/* Abort on overflow: the final ACK (seq x'+1, ack y'+1) is answered <SEQ=y'+1><CTL=RST>
	 * (RFC 9293 3.10.7.2 form of a reset for an ACK-bearing segment); the client, whose
	 * rcv_nxt is y'+1, accepts it (RST-3) and reports ECONNRESET (RST-5). */
	const struct sk_rec *rst = sk_scn_seg_ports(s, server2, SK_PORT, q2, ALL, R, 1);
	sk_expect(s, rst && rst->t == SK_MS(30) && sk_scn_seg_is(rst, R, sa4->d.tcp.seq + 1, 0),
		  "server2 answers the final ACK with RST seq y+1 at 30 ms");
	expect_queues(s, server2, "server2", 1, 0, 1);
	sk_expect(s,
		  sk_scn_state_time_ports(s, server2, SK_PORT, q2, SYNACK_SYN_RCVD,
					  SYNACK_CLOSED) == SK_MS(30),
		  "server2 drops the half-open record at 30 ms");
	sk_world_run_until(s->w, SK_MS(45));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, q2, SK_PORT, SYNACK_ESTABLISHED,
					  SYNACK_CLOSED) == SK_MS(40),
		  "client's connection to server2 reset at 40 ms");
	char buf[16];
	long n = sk_scn_recv(s, s->client, d2, buf, sizeof(buf));
	sk_expect(s, n == -ECONNRESET, "recv() = %s, want ECONNRESET", sk_errno_name((int)n));
	sk_expect(s,
		  sk_scn_state_time_ports(s, server2, SK_PORT, q1, SYNACK_SYN_RCVD,
					  SYNACK_ESTABLISHED) == SK_MS(30),
		  "server2's first connection (the one queued) ESTABLISHED at 30 ms");

	/* No abort: the server retransmits the SYN+ACK at 1.010 s (HS-8 timing), the client
	 * acks it, the ACK is dropped again while the queue is full. */
	sk_world_run_until(s->w, SK_MS(1200));
	const struct sk_rec *re1 = sk_scn_seg_ports(s, s->server, SK_PORT, p2, ALL, S | A, 2);
	sk_expect(s, re1 && re1->t == SK_MS(1010) && sk_scn_seg_is(re1, S | A, y, x + 1),
		  "SYN+ACK again at 1.010 s, same y");
	const struct sk_rec *ack1 = sk_scn_seg_ports(s, s->client, p2, SK_PORT, ALL, A, 2);
	sk_expect(s, ack1 && ack1->t == SK_MS(1020) && sk_scn_seg_is(ack1, A, x + 1, y + 1),
		  "the client answers it with ACK x+1/y+1 at 1.020 s");
	/* By now: 3 drops at 30 ms, the ACKs answering both SYN+ACK retransmissions (1.030 s),
	 * and every retransmission of the data on port 6379 (the client's RTO). */
	int edata = sk_scn_count_ports(s, s->client, r2, SK_PORT + 1, P, P);
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 2 && edata >= 2,
		  "both second connections still half-open, data retransmitted");
	sk_expect(s, st.accept_queue_overflow == 3 + 2 + (uint64_t)(edata - 1),
		  "every ACK and data segment of the second connections dropped: overflow %llu, "
		  "want %d",
		  (unsigned long long)st.accept_queue_overflow, 3 + 2 + edata - 1);

	/* Port 6379: accept() at 1.2 s makes room; the next retransmission of the data, which
	 * acknowledges the SYN+ACK, completes the handshake just as the bare ACK would (HS-9),
	 * and its data is there to read. */
	uint64_t when;
	int b1 = sk_scn_accept(s, s->server, l3);
	sk_expect(s, b1 >= 0 && peer_port(s, s->server, b1) == r1,
		  "port 6379: accept() returns the first connection");
	int b2 = sk_scn_wait_accept(s, s->server, l3, SK_S(10), &when);
	const struct sk_rec *esyn = sk_scn_seg_ports(s, s->client, r2, SK_PORT + 1, ALL, S, 1);
	const struct sk_rec *esa = sk_scn_seg_ports(s, s->server, SK_PORT + 1, r2, ALL, S | A, 1);
	const struct sk_rec *d = sk_scn_seg_ports(s, s->client, r2, SK_PORT + 1, P, P, edata + 1);
	sk_expect(s,
		  b2 >= 0 && esyn && esa && d && d->t > SK_MS(1200) && when == d->t + SK_MS(10) &&
			  d->d.tcp.payload_len == 5 &&
			  sk_scn_seg_is(d, A | P, esyn->d.tcp.seq + 1, esa->d.tcp.seq + 1),
		  "accepted at %llu us, 10 ms after the next data retransmission (seq x+1, ack "
		  "y+1), which completed it",
		  (unsigned long long)when);
	n = b2 >= 0 ? sk_scn_recv(s, s->server, b2, buf, sizeof(buf)) : -1;
	sk_expect(s, n == 5 && memcmp(buf, "early", 5) == 0,
		  "the data that completed the handshake is read");
	sk_world_run_until(s->w, SK_S(2));
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 1, "port 6378's second connection still half-open at 2 s");

	/* accept() makes room at 2 s; the next SYN+ACK (3.010 s) brings the ACK that completes. */
	int a1 = sk_scn_accept(s, s->server, l);
	sk_expect(s, a1 >= 0 && peer_port(s, s->server, a1) == p1,
		  "accept() returns the first connection");
	int a2 = sk_scn_wait_accept(s, s->server, l, SK_S(10), &when);
	sk_expect(s, a2 >= 0 && when == SK_MS(3030) && peer_port(s, s->server, a2) == p2,
		  "the second connection is accepted at %llu us, want 3.030 s",
		  (unsigned long long)when);
	const struct sk_rec *re2 = sk_scn_seg_ports(s, s->server, SK_PORT, p2, ALL, S | A, 3);
	sk_expect(s, re2 && re2->t == SK_MS(3010) && sk_scn_seg_is(re2, S | A, y, x + 1),
		  "SYN+ACK again at 3.010 s");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, p2, SYNACK_SYN_RCVD,
					  SYNACK_ESTABLISHED) == SK_MS(3030),
		  "server SYN-RCVD -> ESTABLISHED at 3.030 s");
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 0 && st.conns == 4, "no half-open left, four connections");
	/* The connection works. */
	sk_world_run_until(s->w, SK_MS(3500));
	sk_scn_send(s, s->client, c2, "queued", 6);
	sk_world_run_until(s->w, SK_MS(3600));
	n = a2 >= 0 ? sk_scn_recv(s, s->server, a2, buf, sizeof(buf)) : -1;
	sk_expect(s, n == 6 && memcmp(buf, "queued", 6) == 0, "server reads the 6 bytes");
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, p2, ALL, S | A) == 3,
		  "three SYN+ACKs in all");
}

/* LQ-3: SYN cookies when the SYN queue is full. */
static void lq_3(struct sk_scn *s)
{
	struct synack_config sc, nots;
	synack_config_defaults(&sc);
	sc.tcp_max_syn_backlog = 2; /* tcp_syncookies stays 1: cookies when it is full */
	synack_config_defaults(&nots);
	nots.tcp_timestamps = 0;
	sk_scn_pair(s, NULL, &sc);
	int peer = sk_world_add_peer(s->w, "peer", HOST3_ADDR);
	int c2h = sk_world_add_host(s->w, "client2", HOST4_ADDR, &nots);
	if (!sk_expect(s, peer >= 0 && c2h >= 0, "four hosts"))
		return;
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	/* Fill the SYN queue with two SYNs that never complete. */
	peer_seg(s, peer, HOST3_ADDR, 2001, SK_PORT, S, 111, 0, (uint16_t)sk_scn_mss(s));
	peer_seg(s, peer, HOST3_ADDR, 2002, SK_PORT, S, 222, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(100));
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 2 && st.syncookies_sent == 0,
		  "queue full with 2 records, no cookie yet");

	/* A client with WS, SACK and TS: the cookie SYN+ACK keeps no state. */
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	uint16_t cp = sk_scn_port(s, s->client, c);
	sk_world_run_until(s->w, SK_MS(115));
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.syncookies_sent == 1 && st.syn_queue_overflow == 1,
		  "one cookie sent (overflow %llu)", (unsigned long long)st.syn_queue_overflow);
	sk_expect(s, st.half_open == 2 && st.conns == 0,
		  "no state kept for the SYN: half_open %llu, conns %llu",
		  (unsigned long long)st.half_open, (unsigned long long)st.conns);
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, cp, -1, SYNACK_SYN_RCVD) ==
			  UINT64_MAX,
		  "no SYN-RCVD record for the client");
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, cp, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa = sk_scn_seg_ports(s, s->server, SK_PORT, cp, ALL, S | A, 1);
	if (!sk_expect(s, syn && sa, "SYN and cookie SYN+ACK"))
		return;
	const struct sk_tcp_opts *o = &sa->d.tcp.opt;
	sk_expect(s,
		  sa->t == SK_MS(110) &&
			  sk_scn_seg_is(sa, S | A, sa->d.tcp.seq, syn->d.tcp.seq + 1),
		  "cookie SYN+ACK at 110 ms acking x+1");
	sk_expect(s,
		  o->has_mss && o->mss == sk_scn_mss(s) && o->has_ws && o->ws == 10 && o->sack_ok &&
			  o->has_ts && o->tsecr == syn->d.tcp.opt.tsval,
		  "cookie SYN+ACK offers MSS %u, WS 10, SACK, TS echoing the client", sk_scn_mss(s));
	/* WS 10 and SACK in the low 6 bits of tsval (Linux's TS_OPT_WSCALE_MASK | TS_OPT_SACK). */
	sk_expect(s, (o->tsval & 0x3f) == (10u | 0x10u),
		  "tsval low bits 0x%02x, want 0x1a (ws 10 + sack)", o->tsval & 0x3f);
	uint64_t when;
	sk_expect(s,
		  sk_scn_wait_connect(s, s->client, c, SK_S(1), &when) == 0 && when == SK_MS(120),
		  "connect() completes at 120 ms");
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(1), &when);
	sk_expect(s, a >= 0 && when == SK_MS(130),
		  "accept() at %llu us, want 130 ms (built from the ACK)",
		  (unsigned long long)when);
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.syncookies_ok == 1 && st.half_open == 2, "syncookies_ok = %llu, want 1",
		  (unsigned long long)st.syncookies_ok);
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, cp, SYNACK_CLOSED,
					  SYNACK_ESTABLISHED) == SK_MS(130),
		  "server CLOSED -> ESTABLISHED at 130 ms (made from the cookie: never in SYN-RCVD)");
	struct synack_tcp_info ti;
	sk_scn_tcp_info(s, s->server, a, &ti);
	/* snd_mss is the effective MSS, as Linux's tcpi_snd_mss: the cookie's 1460 (1440 over
	 * IPv6, in both families' tables) less the 12 bytes of timestamp option every segment
	 * carries (RFC 9293 3.7.1). */
	sk_expect(s,
		  ti.state == SYNACK_ESTABLISHED && ti.options == 7 && ti.snd_wscale == 10 &&
			  ti.rcv_wscale == 10 && ti.snd_mss == sk_scn_mss(s) - 12,
		  "TCP_INFO: options %u (want 7: TS, SACK, WS), snd_wscale %u, rcv_wscale %u (want "
		  "7), mss %u (want %u)",
		  ti.options, ti.snd_wscale, ti.rcv_wscale, ti.snd_mss, sk_scn_mss(s) - 12);
	/* The client's ACK announced 131072 >> 7 = 1024: scaling is in force. */
	sk_expect(s, ti.snd_wnd == 131072, "snd_wnd = %u, want 131072 (1024 << 7)", ti.snd_wnd);
	sk_world_run_until(s->w, SK_MS(200));
	sk_scn_send(s, s->client, c, "cookie ok!", 10);
	sk_scn_send(s, s->server, a, "yes", 3);
	sk_world_run_until(s->w, SK_MS(250));
	char buf[32];
	long n = sk_scn_recv(s, s->server, a, buf, sizeof(buf));
	sk_expect(s, n == 10 && memcmp(buf, "cookie ok!", 10) == 0, "data client -> server");
	n = sk_scn_recv(s, s->client, c, buf, sizeof(buf));
	sk_expect(s, n == 3 && memcmp(buf, "yes", 3) == 0, "data server -> client");

	/* Without timestamps nothing can carry WS and SACK: the cookie SYN+ACK offers neither. */
	sk_world_run_until(s->w, SK_MS(300));
	int c2 = sk_scn_connect(s, c2h, SK_SERVER_ADDR, SK_PORT);
	uint16_t c2p = sk_scn_port(s, c2h, c2);
	int a2 = sk_scn_wait_accept(s, s->server, l, SK_S(1), &when);
	sk_expect(s, a2 >= 0 && when == SK_MS(330), "client2 accepted at 330 ms");
	const struct sk_rec *syn2 = sk_scn_seg_ports(s, c2h, c2p, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa2 = sk_scn_seg_ports(s, s->server, SK_PORT, c2p, ALL, S | A, 1);
	sk_expect(s,
		  syn2 && syn2->d.tcp.opt.has_ws && syn2->d.tcp.opt.sack_ok &&
			  !syn2->d.tcp.opt.has_ts,
		  "client2's SYN offers WS and SACK, no TS");
	sk_expect(s, sa2 && mss_only(s, sa2), "its cookie SYN+ACK carries MSS %u only", sk_scn_mss(s));
	sk_scn_tcp_info(s, s->server, a2, &ti);
	sk_expect(s,
		  ti.options == 0 && ti.snd_wscale == 0 && ti.snd_mss == sk_scn_mss(s) &&
			  ti.snd_wnd == 65535,
		  "TCP_INFO: options %u (want 0), snd_wscale %u, mss %u, snd_wnd %u (want 65535 "
		  "unscaled)",
		  ti.options, ti.snd_wscale, ti.snd_mss, ti.snd_wnd);

	/* MSS from the cookie table: a peer announcing 1400 gets 1300, the largest entry not
	 * above it (536, 1300, 1440, 1460); over IPv6, whose table is Linux's too (1220, 1420,
	 * 1440, 8940), one announcing 1430 gets 1420. */
	int v6 = sk_world_is_ipv6(s->w);
	uint16_t announce = v6 ? 1430 : 1400, from_table = v6 ? 1420 : 1300;
	sk_world_run_until(s->w, SK_MS(400));
	peer_seg(s, peer, HOST3_ADDR, 2003, SK_PORT, S, 3000, 0, announce);
	sk_world_run_until(s->w, SK_MS(420));
	const struct sk_rec *sa3 = sk_scn_seg_ports(s, s->server, SK_PORT, 2003, ALL, S | A, 1);
	if (!sk_expect(s, sa3 && sa3->t == SK_MS(410) && mss_only(s, sa3) && sa3->d.tcp.ack == 3001,
		       "cookie SYN+ACK to the peer at 410 ms"))
		return;
	peer_seg(s, peer, HOST3_ADDR, 2003, SK_PORT, A, 3001, sa3->d.tcp.seq + 1, 0);
	int a3 = sk_scn_wait_accept(s, s->server, l, SK_S(1), &when);
	sk_expect(s, a3 >= 0 && when == SK_MS(430), "peer's cookie connection accepted at 430 ms");
	sk_scn_tcp_info(s, s->server, a3, &ti);
	sk_expect(s, ti.snd_mss == from_table, "snd_mss = %u, want %u (from the cookie's table)",
		  ti.snd_mss, from_table);
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.syncookies_sent == 3 && st.syncookies_ok == 3,
		  "cookies sent %llu, ok %llu (want 3, 3)", (unsigned long long)st.syncookies_sent,
		  (unsigned long long)st.syncookies_ok);

	/* Forged cookies: a tampered ACK for a real cookie, and a blind ACK. RFC 9293 3.10.7.2:
	 * an ACK reaching a listener is answered <SEQ=SEG.ACK><CTL=RST>; no connection is made
	 * (the catalogue's "dropped"). */
	sk_world_run_until(s->w, SK_MS(500));
	peer_seg(s, peer, HOST3_ADDR, 2004, SK_PORT, S, 4000, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(520));
	const struct sk_rec *sa4 = sk_scn_seg_ports(s, s->server, SK_PORT, 2004, ALL, S | A, 1);
	if (!sk_expect(s, sa4 != NULL, "cookie SYN+ACK to port 2004"))
		return;
	uint32_t forged =
		(sa4->d.tcp.seq + 1) ^ 0x00100000u; /* the hash part of the cookie altered */
	peer_seg(s, peer, HOST3_ADDR, 2004, SK_PORT, A, 4001, forged, 0);
	sk_world_run_until(s->w, SK_MS(550));
	peer_seg(s, peer, HOST3_ADDR, 2005, SK_PORT, A, 5001, 0x5eed5eedu, 0);
	sk_world_run_until(s->w, SK_MS(580));
	const struct sk_rec *r4 = sk_scn_seg_ports(s, s->server, SK_PORT, 2004, ALL, R, 1);
	const struct sk_rec *r5 = sk_scn_seg_ports(s, s->server, SK_PORT, 2005, ALL, R, 1);
	sk_expect(s, r4 && r4->t == SK_MS(530) && sk_scn_seg_is(r4, R, forged, 0),
		  "tampered cookie ACK: RST seq=its ack");
	sk_expect(s, r5 && r5->t == SK_MS(560) && sk_scn_seg_is(r5, R, 0x5eed5eedu, 0),
		  "blind ACK: RST seq=its ack");
	expect_cookies(s, 2, 3, 3);
	sk_expect(s, synack_accept(sk_world_stack(s->w, s->server), l, NULL) == -EAGAIN,
		  "nothing to accept");

	/* A cookie stays valid while the 64 s cookie clock ticked at most once (Linux: 2 ticks
	 * of 60 s): made at 0.61 s, its ACK at 100 s still opens the connection... */
	sk_world_run_until(s->w, SK_MS(600));
	peer_seg(s, peer, HOST3_ADDR, 2006, SK_PORT, S, 6000, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(700));
	peer_seg(s, peer, HOST3_ADDR, 2007, SK_PORT, S, 7000, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(750));
	const struct sk_rec *sa6 = sk_scn_seg_ports(s, s->server, SK_PORT, 2006, ALL, S | A, 1);
	const struct sk_rec *sa7 = sk_scn_seg_ports(s, s->server, SK_PORT, 2007, ALL, S | A, 1);
	if (!sk_expect(s, sa6 && sa7, "cookie SYN+ACKs to ports 2006 and 2007"))
		return;
	uint32_t cookie6 = sa6->d.tcp.seq, cookie7 = sa7->d.tcp.seq;
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, 2004, ALL, S | A) == 1,
		  "a cookie SYN+ACK is never retransmitted (nothing is kept to do it)");
	sk_world_run_until(s->w, SK_S(100));
	peer_seg(s, peer, HOST3_ADDR, 2006, SK_PORT, A, 6001, cookie6 + 1, 0);
	int a6 = sk_scn_wait_accept(s, s->server, l, SK_S(101), &when);
	sk_expect(s, a6 >= 0 && when == SK_MS(100010),
		  "late but valid cookie accepted at 100.010 s");
	/* ...but 200 s after it was made it has expired. Cookies must have been sent recently
	 * for any ACK to be checked as one, so the queue is filled again and overflows first. */
	sk_world_run_until(s->w, SK_S(199));
	peer_seg(s, peer, HOST3_ADDR, 2008, SK_PORT, S, 8000, 0, (uint16_t)sk_scn_mss(s));
	peer_seg(s, peer, HOST3_ADDR, 2009, SK_PORT, S, 9000, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(199100));
	peer_seg(s, peer, HOST3_ADDR, 2010, SK_PORT, S, 10000, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_S(200));
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.half_open == 2 && st.syncookies_sent == 7,
		  "queue full again (%llu), cookies sent %llu (want 7)",
		  (unsigned long long)st.half_open, (unsigned long long)st.syncookies_sent);
	peer_seg(s, peer, HOST3_ADDR, 2007, SK_PORT, A, 7001, cookie7 + 1, 0);
	sk_world_run_until(s->w, SK_MS(200050));
	const struct sk_rec *r7 = sk_scn_seg_ports(s, s->server, SK_PORT, 2007, ALL, R, 1);
	sk_expect(s, r7 && r7->t == SK_MS(200010) && sk_scn_seg_is(r7, R, cookie7 + 1, 0),
		  "expired cookie ACK: RST");
	expect_cookies(s, 3, 4, 4);
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 2007, -1, SYNACK_ESTABLISHED) ==
			  UINT64_MAX,
		  "no connection from the expired cookie");

	/* Only the returning ACK of the handshake (seq = irs + 1) carries the cookie: a FIN+ACK
	 * one byte further on (the client's first byte lost, its FIN overtaking it) is no
	 * valid cookie, or the connection would start past a byte it never received. */
	sk_world_run_until(s->w, SK_S(201));
	peer_seg(s, peer, HOST3_ADDR, 2011, SK_PORT, S, 11000, 0, (uint16_t)sk_scn_mss(s));
	sk_world_run_until(s->w, SK_MS(201020));
	const struct sk_rec *sa11 = sk_scn_seg_ports(s, s->server, SK_PORT, 2011, ALL, S | A, 1);
	if (!sk_expect(s, sa11 && sa11->t == SK_MS(201010), "cookie SYN+ACK to port 2011"))
		return;
	peer_seg(s, peer, HOST3_ADDR, 2011, SK_PORT, F | A, 11002, sa11->d.tcp.seq + 1, 0);
	sk_world_run_until(s->w, SK_MS(201050));
	const struct sk_rec *r11 = sk_scn_seg_ports(s, s->server, SK_PORT, 2011, ALL, R, 1);
	sk_expect(s,
		  r11 && r11->t == SK_MS(201030) && sk_scn_seg_is(r11, R, sa11->d.tcp.seq + 1, 0),
		  "FIN+ACK at irs + 2: RST, no connection");
	expect_cookies(s, 4, 4, 4);
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 2011, -1, SYNACK_ESTABLISHED) ==
			  UINT64_MAX,
		  "no connection from the misaligned segment");
}

/* Legitimate connections made during the flood. */
#define LQ4_LEGIT  10
#define LQ4_FLOOD  20000
#define LQ4_GAP_US 10 /* one spoofed SYN every 10 us: 100,000 a second */

/* LQ-4: 20,000 spoofed SYNs in 200 ms from 20,000 addresses (unroutable: their SYN+ACKs are
 * lost), with ten real connections made during it. */
static void lq_4(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int peer = sk_world_add_peer(s->w, "attacker", HOST3_ADDR);
	int c2h = sk_world_add_host(s->w, "client2", HOST4_ADDR, NULL);
	if (!sk_expect(s, peer >= 0 && c2h >= 0, "four hosts"))
		return;
	int l = sk_scn_listen(s, s->server, SK_PORT, 128);
	int hosts[LQ4_LEGIT], socks[LQ4_LEGIT], acc[LQ4_LEGIT];
	uint16_t ports[LQ4_LEGIT];
	uint64_t t_conn[LQ4_LEGIT];
	int nlegit = 0, naccepted = 0;
	uint64_t max_half_open = 0;
	/* The queue (1024) is full once the first 1024 SYNs arrived (10 ms + 10.23 ms); the
	 * legitimate SYNs come after that, every 15 ms from 30 ms, so each needs a cookie. */
	for (uint32_t i = 0; i <= LQ4_FLOOD; i++) {
		uint64_t now = (uint64_t)i * LQ4_GAP_US;
		sk_world_run_until(s->w, now);
		if (nlegit < LQ4_LEGIT && now == SK_MS(30) + (uint64_t)nlegit * SK_MS(15)) {
			int h = nlegit % 2 ? c2h : s->client;
			hosts[nlegit] = h;
			t_conn[nlegit] = now;
			socks[nlegit] = sk_scn_connect(s, h, SK_SERVER_ADDR, SK_PORT);
			ports[nlegit] = socks[nlegit] >= 0 ? sk_scn_port(s, h, socks[nlegit]) : 0;
			nlegit++;
		}
		int a;
		while (naccepted < LQ4_LEGIT &&
		       (a = synack_accept(sk_world_stack(s->w, s->server), l, NULL)) >= 0)
			acc[naccepted++] = a;
		struct synack_stats st = sk_scn_stats(s, s->server);
		if (st.half_open > max_half_open)
			max_half_open = st.half_open;
		if (i == LQ4_FLOOD)
			break;
		/* 198.18.0.0/15 (RFC 2544 benchmarking): addresses nobody routes. */
		peer_seg(s, peer, 0xc6120000u + i + 1, (uint16_t)(1024 + (i * 7919u) % 60000),
			 SK_PORT, S, i * 2654435761u, 0, (uint16_t)sk_scn_mss(s));
	}
	sk_world_run_until(s->w, SK_MS(300));
	int a;
	while (naccepted < LQ4_LEGIT &&
	       (a = synack_accept(sk_world_stack(s->w, s->server), l, NULL)) >= 0)
		acc[naccepted++] = a;
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, nlegit == LQ4_LEGIT && naccepted == LQ4_LEGIT,
		  "all %d legitimate connections accepted (%d)", LQ4_LEGIT, naccepted);
	for (int i = 0; i < nlegit; i++) {
		uint64_t est = sk_scn_state_time_ports(s, hosts[i], ports[i], SK_PORT,
						       SYNACK_SYN_SENT, SYNACK_ESTABLISHED);
		/* from a cookie (CLOSED -> ESTABLISHED) or a queued SYN (SYN-RCVD -> ...) */
		uint64_t sest = sk_scn_state_time_ports(s, s->server, SK_PORT, ports[i], -1,
							SYNACK_ESTABLISHED);
		sk_expect(s, est == t_conn[i] + SK_MS(20) && sest == t_conn[i] + SK_MS(30),
			  "legitimate connection %d: connected in one RTT (%llu us), on the server "
			  "at +30 ms",
			  i, (unsigned long long)(est - t_conn[i]));
		sk_expect(s, sk_scn_count_ports(s, hosts[i], ports[i], SK_PORT, ALL, S) == 1,
			  "connection %d: one SYN, never retransmitted", i);
	}
	/* Memory stays bounded: at most tcp_max_syn_backlog records, no state for the rest. */
	sk_expect(s, max_half_open == 1024, "half_open peaked at %llu, want exactly 1024",
		  (unsigned long long)max_half_open);
	sk_expect(s, st.half_open == 1024 && st.conns == LQ4_LEGIT,
		  "half_open %llu (want 1024), conns %llu (want %d)",
		  (unsigned long long)st.half_open, (unsigned long long)st.conns, LQ4_LEGIT);
	uint64_t cookies = LQ4_FLOOD - 1024 + LQ4_LEGIT;
	sk_expect(s, st.syncookies_sent == cookies && st.syn_queue_overflow == cookies,
		  "cookies sent %llu, overflow %llu, want %llu",
		  (unsigned long long)st.syncookies_sent, (unsigned long long)st.syn_queue_overflow,
		  (unsigned long long)cookies);
	sk_expect(s, st.syncookies_ok == LQ4_LEGIT && st.syncookies_failed == 0,
		  "cookies ok %llu (want %d), failed %llu", (unsigned long long)st.syncookies_ok,
		  LQ4_LEGIT, (unsigned long long)st.syncookies_failed);
	sk_expect(s, st.tcp_passive_opens == 1024 + LQ4_LEGIT, "passive opens %llu",
		  (unsigned long long)st.tcp_passive_opens);
	/* The legitimate connections carry data. */
	for (int i = 0; i < nlegit; i++)
		synack_send(sk_world_stack(s->w, hosts[i]), socks[i], "x", 1, 0);
	sk_world_run_until(s->w, SK_MS(400));
	int got = 0;
	for (int i = 0; i < naccepted; i++) {
		char b;
		got += synack_recv(sk_world_stack(s->w, s->server), acc[i], &b, 1, 0) == 1 &&
		       b == 'x';
	}
	sk_expect(s, got == LQ4_LEGIT, "each accepted connection reads its byte (%d)", got);
	/* The spoofed records expire after their five SYN+ACK retransmissions (63 s). */
	sk_world_run_until(s->w, SK_S(64));
	st = sk_scn_stats(s, s->server);
	sk_expect(s,
		  st.half_open == 0 && st.syn_queue_drops == 1024 && st.tcp_rexmit == 5 * 1024 &&
			  st.conns == LQ4_LEGIT,
		  "at 64 s: half_open %llu (want 0), drops %llu (want 1024), rexmit %llu (want "
		  "5120), conns %llu",
		  (unsigned long long)st.half_open, (unsigned long long)st.syn_queue_drops,
		  (unsigned long long)st.tcp_rexmit, (unsigned long long)st.conns);
}

const struct sk_scenario sk_scn_lq[] = {
	{"lq-1",
	 "SYN queue bounded by tcp_max_syn_backlog, accept queue by min(backlog, somaxconn)", lq_1},
	{"lq-2",
	 "accept queue full: final ACK dropped, SYN+ACK resent, completes after accept(); or RST",
	 lq_2},
	{"lq-3",
	 "SYN cookies: no state, connection from the ACK, MSS table, WS/SACK via TS, "
	 "forged/expired",
	 lq_3},
	{"lq-4", "20,000 spoofed SYNs: legitimate clients connect, half-open records stay bounded",
	 lq_4},
	{NULL, NULL, NULL},
};
