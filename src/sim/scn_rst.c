/* Reset scenarios (RST-1..RST-5): RSTs for segments without a connection, never a RST for a
 * RST, RFC 5961's exact-sequence rule with challenge ACKs and their rate limits, and what
 * the application sees after a reset. */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define PEER_ADDR   0x0a000003u /* 10.0.0.3: the scripted peer */
#define CLOSED_PORT 7		/* nobody listens there */

/* State changes host reported, all connections together. */
static int state_changes(struct sk_scn *s, int host)
{
	int n = 0;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		n += r->type == SK_REC_STATE && r->host == host;
	}
	return n;
}

/* The peer takes what reached it until a segment with exactly these flags (earlier ones,
 * already checked through the log, are passed over). */
static int peer_wait_flags(struct sk_scn *s, int peer, uint64_t limit, uint16_t flags,
			   struct sk_tcp *seg)
{
	while (sk_scn_peer_wait(s, peer, limit, seg))
		if (seg->flags == flags)
			return 1;
	return 0;
}

/* One segment the peer sends to a port with no connection, and the answer RFC 9293 3.10.7.1
 * (CLOSED) or 3.10.7.2 (LISTEN) gives: rflags 0 means none. */
struct probe {
	const char *what;
	uint16_t dport, flags;
	uint32_t seq, ack, len;
	uint16_t rflags;
	uint32_t rseq, rack;
};

/* RST-1: with ACK: <SEQ=SEG.ACK><CTL=RST>; without: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
 * SEG.LEN counting SYN and FIN. A listener answers an ACK-bearing segment the same way.
 * The catalogue gives every segment "for no connection (not a SYN to a listener)" a RST, but
 * in LISTEN a segment with neither SYN, ACK nor RST is dropped without answer (RFC 9293
 * 3.10.7.2, "fourth, other data or control"); RFC 9293 wins, the last two probes show it. */
static void rst_1(struct sk_scn *s)
{
	static const struct probe probes[] = {
		{"ACK", CLOSED_PORT, A, 1000, 5000, 0, R, 5000, 0},
		{"data without ACK", CLOSED_PORT, P, 2000, 0, 10, R | A, 0, 2010},
		{"SYN", CLOSED_PORT, S, 3000, 0, 0, R | A, 0, 3001},
		{"FIN with data, no ACK", CLOSED_PORT, F | P, 4000, 0, 5, R | A, 0, 4006},
		{"SYN+ACK", CLOSED_PORT, S | A, 6000, 777, 0, R, 777, 0},
		{"FIN+ACK with data", CLOSED_PORT, F | P | A, 10, 20, 3, R, 20, 0},
		{"no flags at all", CLOSED_PORT, 0, 9000, 0, 0, R | A, 0, 9000},
		{"ACK to a listener", SK_PORT, A, 1, 99, 0, R, 99, 0},
		{"data+ACK to a listener", SK_PORT, P | A, 1, 0xfffffff0u, 4, R, 0xfffffff0u, 0},
		{"data without ACK to a listener", SK_PORT, P, 500, 0, 4, 0, 0, 0},
		{"FIN without ACK to a listener", SK_PORT, F, 600, 0, 0, 0, 0, 0},
	};
	enum { NPROBES = sizeof(probes) / sizeof(probes[0]) };
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, NULL);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	static const uint8_t payload[] = "0123456789abcdef";
	/* One probe every 100 ms, each from its own port, so each answer is told apart. */
	for (int i = 0; i < NPROBES; i++) {
		const struct probe *p = &probes[i];
		sk_world_run_until(s->w, SK_MS(100 * i));
		sk_world_note(s->w, peer, "probe: %s", p->what);
		struct sk_scn_peer_conn c = {.peer = peer,
					     .raddr = SK_SERVER_ADDR,
					     .lport = (uint16_t)(40000 + i),
					     .rport = p->dport};
		sk_scn_peer_seg(s, &c, p->flags, p->seq, p->ack, 1000, NULL,
				p->len ? payload : NULL, p->len);
	}
	sk_world_run_until(s->w, SK_S(3));
	for (int i = 0; i < NPROBES; i++) {
		const struct probe *p = &probes[i];
		uint16_t port = (uint16_t)(40000 + i);
		int n = sk_scn_count_ports(s, s->server, p->dport, port, 0, 0);
		if (!p->rflags) {
			sk_expect(s, n == 0, "%s: no answer (RFC 9293 3.10.7.2), got %d segments",
				  p->what, n);
			continue;
		}
		const struct sk_rec *r = sk_scn_seg_ports(s, s->server, p->dport, port, 0, 0, 1);
		sk_expect(s,
			  n == 1 && r && r->t == SK_MS(100 * i + 10) &&
				  r->d.tcp.flags == p->rflags && r->d.tcp.seq == p->rseq &&
				  (!(p->rflags & A) || r->d.tcp.ack == p->rack) &&
				  r->d.tcp.payload_len == 0,
			  "%s: one %s seq %u%s at %d ms", p->what,
			  p->rflags & A ? "RST+ACK" : "RST", p->rseq,
			  p->rflags & A ? " with ack" : "", 100 * i + 10);
	}
	sk_expect(s, state_changes(s, s->server) == 1 && sk_scn_stats(s, s->server).half_open == 0,
		  "the listener stayed in LISTEN and holds no half-open connection");
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN, "nothing to accept");
}

/* RST-2: a RST never gets a RST: not to a closed port, not from a listener, not from a
 * client in SYN-SENT when it does not acknowledge the SYN (RFC 9293 3.10.7.3: "unless the
 * RST bit is set, if so drop the segment"), not on an established connection when out of
 * the window (RFC 5961 3.2: silently dropped). */
static void rst_2(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct sk_scn_peer_conn closed = {
		.peer = peer, .raddr = SK_SERVER_ADDR, .lport = 40000, .rport = CLOSED_PORT};
	struct sk_scn_peer_conn lst = {
		.peer = peer, .raddr = SK_SERVER_ADDR, .lport = 40001, .rport = SK_PORT};
	sk_scn_peer_seg(s, &closed, R, 1234, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_peer_seg(s, &closed, R | A, 1, 2, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(200));
	sk_scn_peer_seg(s, &lst, R, 1234, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(300));
	sk_scn_peer_seg(s, &lst, R | A, 1, 2, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(1));
	sk_expect(s, sk_scn_count_between(s, s->server, 0, SK_S(1)) == 0,
		  "the server answered none of the four RSTs");
	sk_expect(s, state_changes(s, s->server) == 1 && sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "the listener is untouched");

	/* The client connects to the peer at 1 s; the peer's RST+ACK at 1.01 s acks the ISN
	 * itself, not the SYN; the right SYN+ACK comes at 1.1 s. */
	int c = sk_scn_connect(s, s->client, PEER_ADDR, 80);
	struct sk_tcp seg;
	if (!sk_expect(s, peer_wait_flags(s, peer, SK_S(2), S, &seg),
		       "the client's SYN reaches the peer"))
		return;
	struct sk_scn_peer_conn cc = {.peer = peer,
				      .raddr = SK_CLIENT_ADDR,
				      .lport = 80,
				      .rport = seg.sport,
				      .iss = 7000};
	uint32_t x = seg.seq;
	sk_scn_peer_seg(s, &cc, R | A, 0, x, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(1100));
	sk_expect(s, sk_scn_state(s, s->client, c) == SYNACK_SYN_SENT,
		  "the client is still in SYN-SENT at 1.1 s");
	sk_scn_peer_seg(s, &cc, S | A, 7000, x + 1, 65535, NULL, NULL, 0);
	uint64_t t;
	sk_expect(s, sk_scn_wait_connect(s, s->client, c, SK_S(2), &t) == 0 && t == SK_MS(1110),
		  "connect() completes at 1.11 s");
	/* At 2 s a RST far out of the window (the client offered 65535). */
	sk_world_run_until(s->w, SK_S(2));
	sk_scn_peer_seg(s, &cc, R, 7001 + 200000, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(5));
	sk_expect(s, sk_scn_state(s, s->client, c) == SYNACK_ESTABLISHED,
		  "the client is still ESTABLISHED");
	const struct sk_rec *again = sk_scn_seg(s, s->client, ALL, S, 2);
	sk_expect(s, sk_scn_count_between(s, s->client, SK_S(1), SK_S(5)) == 3 && again &&
			     again->t == SK_MS(1028) && again->d.tcp.seq == x,
		  "the client sent its SYN, the SYN again 8 ms after the bad RST+ACK (as Linux, "
		  "HS-6), and its ACK, nothing else (got %d)",
		  sk_scn_count_between(s, s->client, SK_S(1), SK_S(5)));
	sk_expect(s, sk_scn_count(s, s->client, R, R) == 0 && sk_scn_count(s, s->server, R, R) == 0,
		  "no RST from either stack");
}

/* Opens a connection from the peer (port lport, ISN iss, no options: no timestamps, so no
 * PAWS, and an unscaled window of 65535 on the stack's side) to host's listener l on SK_PORT
 * and accepts it there; c gets the peer's side. Returns the accepted socket or -1. */
static int peer_open(struct sk_scn *s, struct sk_scn_peer_conn *c, int peer, uint16_t lport,
		     uint32_t iss, int host, int l)
{
	*c = (struct sk_scn_peer_conn){.peer = peer,
				       .raddr = sk_world_addr(s->w, host),
				       .lport = lport,
				       .rport = SK_PORT,
				       .iss = iss};
	if (!sk_expect(s, sk_scn_peer_connect(s, c, NULL, sk_world_now(s->w) + SK_S(1)) == 0,
		       "peer's handshake from :%u", c->lport))
		return -1;
	int a = sk_scn_wait_accept(s, host, l, sk_world_now(s->w) + SK_S(1), NULL);
	sk_expect(s, a >= 0, "accepted");
	return a;
}

/* The n-th segment host sent to the peer's port, which must be a bare ACK seq/ack at t. */
static void expect_ack(struct sk_scn *s, int host, uint16_t sport, uint16_t dport, int n,
		       uint64_t t, uint32_t seq, uint32_t ack, const char *what)
{
	const struct sk_rec *r = sk_scn_seg_ports(s, host, sport, dport, 0, 0, n);
	sk_expect(s, r && r->t == t && sk_scn_seg_is(r, A, seq, ack) && r->d.tcp.payload_len == 0,
		  "%s: ACK seq %u ack %u at %llu us", what, seq, ack, (unsigned long long)t);
}

/* RST-3 (RFC 5961 3.2, RFC 9293 3.10.7.4): on an established connection whose window is
 * [p+1, p+1+65535), a RST is acted on only at exactly RCV.NXT = p+1; anywhere else in the
 * window it draws a challenge ACK and the connection stays; outside it is silently dropped.
 * Tried at the edges: p+1+1000 and p+65535 (in), p+65536 and p (out). The challenges are
 * 1.9 s apart, clear of the 500 ms rate limit. Then a client in SYN-SENT: only a RST whose
 * ACK acknowledges the SYN (SEG.ACK = ISS+1) is accepted (RFC 9293 3.10.7.3). Then a server
 * in SYN-RCVD, where the exact-sequence rule holds as in ESTABLISHED. */
static void rst_3(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	const uint32_t p = 1000000;
	struct sk_scn_peer_conn pc;
	int a = peer_open(s, &pc, peer, 40000, p, s->server, l);
	if (a < 0)
		return;
	uint32_t y = pc.irs;
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_peer_seg(s, &pc, R, p + 1 + 1000, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_peer_seg(s, &pc, R | A, p + 1 + 65535, y + 1, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(1100));
	sk_scn_peer_seg(s, &pc, R, p, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(2));
	sk_scn_peer_seg(s, &pc, R | A, p + 65535, y + 1, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(2900));
	sk_expect(s, sk_scn_state(s, s->server, a) == SYNACK_ESTABLISHED,
		  "still ESTABLISHED after four inexact RSTs");
	sk_scn_peer_seg(s, &pc, R, p + 1, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(4));
	expect_ack(s, s->server, SK_PORT, 40000, 2, SK_MS(110), y + 1, p + 1,
		   "in-window RST (p+1001) at 110 ms");
	expect_ack(s, s->server, SK_PORT, 40000, 3, SK_MS(2010), y + 1, p + 1,
		   "last in-window RST (p+65535) at 2.01 s");
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, 40000, 0, 0) == 3,
		  "SYN+ACK and two challenge ACKs, nothing more (got %d)",
		  sk_scn_count_ports(s, s->server, SK_PORT, 40000, 0, 0));
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_CLOSED) == SK_MS(2910),
		  "the exact RST (seq p+1) closes the connection at 2.91 s");
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s,
		  st.tcp_rst_in_accepted == 1 && st.tcp_rst_in_ignored == 4 &&
			  st.tcp_challenge_acks == 2,
		  "counters: %llu RST accepted (want 1), %llu ignored (4), %llu challenge ACKs (2)",
		  (unsigned long long)st.tcp_rst_in_accepted,
		  (unsigned long long)st.tcp_rst_in_ignored,
		  (unsigned long long)st.tcp_challenge_acks);

	/* SYN-SENT, from 5 s: the client connects to the peer. */
	sk_world_run_until(s->w, SK_S(5));
	int c = sk_scn_connect(s, s->client, PEER_ADDR, 80);
	struct sk_tcp seg;
	if (!sk_expect(s, peer_wait_flags(s, peer, SK_S(6), S, &seg),
		       "the client's SYN reaches the peer"))
		return;
	struct sk_scn_peer_conn cc = {
		.peer = peer, .raddr = SK_CLIENT_ADDR, .lport = 80, .rport = seg.sport};
	uint32_t x = seg.seq;
	static const struct {
		uint16_t flags;
		int32_t ack; /* relative to x */
		const char *what;
	} bad[] = {
		{R, 0, "RST without ACK"},
		{R | A, 0, "RST+ACK with ack = ISS"},
		{R | A, 2, "RST+ACK with ack = ISS+2 > SND.NXT"},
	};
	for (int i = 0; i < 3; i++) {
		sk_world_run_until(s->w, SK_MS(5100 + 100 * i));
		sk_world_note(s->w, peer, "%s", bad[i].what);
		sk_scn_peer_seg(s, &cc, bad[i].flags, 0, x + (uint32_t)bad[i].ack, 0, NULL, NULL,
				0);
	}
	sk_world_run_until(s->w, SK_MS(5400));
	sk_expect(s, sk_scn_state(s, s->client, c) == SYNACK_SYN_SENT,
		  "still SYN-SENT after the three");
	sk_scn_peer_seg(s, &cc, R | A, 0, x + 1, 0, NULL, NULL, 0);
	uint64_t t;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(6), &t);
	sk_expect(s, r == -ECONNREFUSED && t == SK_MS(5410),
		  "connect() = %s at %llu us, want ECONNREFUSED at 5410000", sk_errno_name(r),
		  (unsigned long long)t);
	sk_expect(s, sk_scn_count_between(s, s->client, SK_S(5), SK_S(6)) == 2,
		  "the client sent its SYN, the SYN again 8 ms after the first bad RST+ACK (HS-6), "
		  "and nothing else");

	/* SYN-RCVD, from 7 s: the same rule on a half-open connection, whose window is what
	 * the SYN+ACK offered, [r+1, r+1+65535) (RFC 9293 3.10.7.4: "In all states except
	 * SYN-SENT"). The challenge is <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>. */
	sk_world_run_until(s->w, SK_S(7));
	const uint32_t rs = 3000000;
	struct sk_scn_peer_conn hc = {
		.peer = peer, .raddr = SK_SERVER_ADDR, .lport = 40002, .rport = SK_PORT, .iss = rs};
	sk_scn_peer_seg(s, &hc, S, rs, 0, 65535, NULL, NULL, 0);
	if (!sk_expect(s, peer_wait_flags(s, peer, SK_S(8), S | A, &seg) && seg.ack == rs + 1,
		       "SYN+ACK to the peer's SYN"))
		return;
	uint32_t y3 = seg.seq;
	sk_world_run_until(s->w, SK_MS(7100));
	sk_scn_peer_seg(s, &hc, R, rs + 1 + 100, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(7200));
	sk_scn_peer_seg(s, &hc, R, rs + 1 + 65535, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(7300));
	sk_expect(s, sk_scn_stats(s, s->server).half_open == 1,
		  "still half-open after two inexact RSTs");
	sk_scn_peer_seg(s, &hc, R, rs + 1, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(10));
	expect_ack(s, s->server, SK_PORT, 40002, 2, SK_MS(7110), y3 + 1, rs + 1,
		   "in-window RST in SYN-RCVD (r+101) at 7.11 s");
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, 40002, 0, 0) == 2,
		  "SYN+ACK and the challenge, nothing more: no answer to the RSTs, no SYN+ACK "
		  "retransmission (got %d)",
		  sk_scn_count_ports(s, s->server, SK_PORT, 40002, 0, 0));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 40002, SYNACK_SYN_RCVD,
					  SYNACK_CLOSED) == SK_MS(7310),
		  "the exact RST (seq r+1) drops the half-open connection at 7.31 s");
}

/* RST-4 (RFC 5961 4.2, RFC 9293 3.10.7.4): a SYN on a synchronized connection, in the window
 * or not, gets a challenge ACK, never a RST, and the connection goes on. Challenge ACKs are
 * limited per connection (one per 500 ms, tcp_invalid_ratelimit) and per stack (a second
 * host configured for 2 per second and no per-connection gap). */
static void rst_4(struct sk_scn *s)
{
	struct synack_config lim;
	synack_config_defaults(&lim);
	lim.tcp_invalid_ratelimit_ms = 0;
	lim.tcp_challenge_ack_limit = 2;
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, NULL);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int h2 = sk_world_add_host(s->w, "server2", 0x0a000004u, &lim);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int l2 = sk_scn_listen(s, h2, SK_PORT, 16);
	const uint32_t p = 1000000, q = 2000000;
	struct sk_scn_peer_conn pc;
	int a = peer_open(s, &pc, peer, 40000, p, s->server, l);
	if (a < 0)
		return;
	uint32_t y = pc.irs;
	/* 100 ms: in-window SYN -> challenge at 110 ms. 300 ms: the same, 200 ms after the
	 * last challenge: nothing. 700 ms: SYN at exactly RCV.NXT, 600 ms after: challenge. */
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_peer_seg(s, &pc, S, p + 1 + 500, 0, 65535, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(300));
	sk_scn_peer_seg(s, &pc, S, p + 1 + 500, 0, 65535, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(700));
	sk_scn_peer_seg(s, &pc, S, p + 1, 0, 65535, NULL, NULL, 0);
	/* 1 s: data, read by the application: the connection is intact. */
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_peer_seg(s, &pc, P | A, p + 1, y + 1, 65535, NULL, "abc", 3);
	sk_expect(s, sk_scn_wait_events(s, s->server, a, SYNACK_EV_IN, SK_S(2)) == SK_MS(1010),
		  "data readable at 1.01 s");
	char buf[8];
	sk_expect(s, sk_scn_recv(s, s->server, a, buf, sizeof(buf)) == 3 && !memcmp(buf, "abc", 3),
		  "\"abc\" read");
	/* 1.5 s: a SYN far out of the window is challenged as well (RFC 5961 4.2: "irrespective
	 * of the sequence number"). */
	sk_world_run_until(s->w, SK_MS(1500));
	sk_scn_peer_seg(s, &pc, S, p + 4 + 200000, 0, 65535, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_S(3));
	const struct sk_rec *r;
	expect_ack(s, s->server, SK_PORT, 40000, 2, SK_MS(110), y + 1, p + 1, "SYN at p+501");
	expect_ack(s, s->server, SK_PORT, 40000, 3, SK_MS(710), y + 1, p + 1, "SYN at p+1");
	r = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, 0, 0, 4);
	sk_expect(s,
		  r && r->t >= SK_MS(1010) && r->t <= SK_MS(1210) &&
			  sk_scn_seg_is(r, A, y + 1, p + 4),
		  "the data is acknowledged");
	expect_ack(s, s->server, SK_PORT, 40000, 5, SK_MS(1510), y + 1, p + 4, "out-of-window SYN");
	sk_expect(s, sk_scn_count_ports(s, s->server, SK_PORT, 40000, 0, 0) == 5,
		  "nothing else sent (got %d segments)",
		  sk_scn_count_ports(s, s->server, SK_PORT, 40000, 0, 0));
	sk_expect(s, sk_scn_count(s, s->server, R, R) == 0, "no RST");
	sk_expect(s,
		  sk_scn_state(s, s->server, a) == SYNACK_ESTABLISHED &&
			  state_changes(s, s->server) == 3,
		  "ESTABLISHED throughout (LISTEN, SYN-RCVD, ESTABLISHED and no other change)");
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.tcp_challenge_acks == 3 && st.tcp_challenge_acks_limited == 1,
		  "server: %llu challenge ACKs (want 3: two SYNs in the window, one beyond), %llu "
		  "limited (want 1)",
		  (unsigned long long)st.tcp_challenge_acks,
		  (unsigned long long)st.tcp_challenge_acks_limited);

	/* The stack-wide budget on server2: SYNs landing at 4.01, 4.02, 4.03 s: two
	 * challenges, the third is over the budget; 4.51 s: still within the same second;
	 * 5.51 s: a new second, challenged again. */
	struct sk_scn_peer_conn pc2;
	int a2 = peer_open(s, &pc2, peer, 40001, q, h2, l2);
	if (a2 < 0)
		return;
	uint32_t y2 = pc2.irs;
	static const unsigned syn_ms[] = {4000, 4010, 4020, 4500, 5500};
	for (int i = 0; i < 5; i++) {
		sk_world_run_until(s->w, SK_MS(syn_ms[i]));
		sk_scn_peer_seg(s, &pc2, S, q + 1 + 100, 0, 65535, NULL, NULL, 0);
	}
	sk_world_run_until(s->w, SK_S(7));
	expect_ack(s, h2, SK_PORT, 40001, 2, SK_MS(4010), y2 + 1, q + 1, "server2, 1st SYN");
	expect_ack(s, h2, SK_PORT, 40001, 3, SK_MS(4020), y2 + 1, q + 1, "server2, 2nd SYN");
	expect_ack(s, h2, SK_PORT, 40001, 4, SK_MS(5510), y2 + 1, q + 1, "server2, 5th SYN");
	sk_expect(s, sk_scn_count_ports(s, h2, SK_PORT, 40001, 0, 0) == 4,
		  "server2: SYN+ACK and three challenges (got %d)",
		  sk_scn_count_ports(s, h2, SK_PORT, 40001, 0, 0));
	st = sk_scn_stats(s, h2);
	sk_expect(s, st.tcp_challenge_acks == 3 && st.tcp_challenge_acks_limited == 2,
		  "server2: %llu challenge ACKs (want 3), %llu limited (want 2)",
		  (unsigned long long)st.tcp_challenge_acks,
		  (unsigned long long)st.tcp_challenge_acks_limited);
	sk_expect(s, sk_scn_state(s, h2, a2) == SYNACK_ESTABLISHED,
		  "server2's connection is still ESTABLISHED");
}

/* RST-5 (RFC 9293 3.10.7.4: "all segment queues should be flushed"): a client holding 100
 * unread bytes, its own data just sent, receives the server's abort (SO_LINGER 0) at 1.01 s:
 * ECONNRESET, the unread bytes gone (the first recv() reports the error, not the data), its
 * data never retransmitted. The server answers that data, which reaches it after the
 * abort, with a RST for no connection, which the client ignores (RST-2). Then a connect() in
 * SYN-SENT refused by a RST: ECONNREFUSED. */
static void rst_5(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	if (!sk_expect(s, sk_scn_wait_connect(s, s->client, c, SK_S(1), NULL) == 0, "connected"))
		return;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	if (!sk_expect(s, a >= 0, "accepted"))
		return;
	uint8_t data[100];
	memset(data, 'd', sizeof(data));
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_send(s, s->server, a, data, sizeof(data));
	sk_world_run_until(s->w, SK_S(1));
	synack_stack *cst = sk_world_stack(s->w, s->client);
	sk_expect(s, (synack_events(cst, c) & SYNACK_EV_IN) != 0,
		  "100 bytes wait unread at the client");
	struct synack_linger lg = {1, 0};
	int r = synack_setsockopt(sk_world_stack(s->w, s->server), a, SYNACK_SOL_SOCKET,
				  SYNACK_SO_LINGER, &lg, sizeof(lg));
	sk_world_note(s->w, s->server, "setsockopt(SO_LINGER {1, 0}) = %d", r);
	sk_scn_close(s, s->server, a);
	sk_scn_send(s, s->client, c, "late", 4);
	uint64_t t = sk_scn_wait_events(s, s->client, c, SYNACK_EV_ERR, SK_S(2));
	sk_expect(s, t == SK_MS(1010), "the client sees an error at %llu us, want 1010000",
		  (unsigned long long)t);
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_CLOSED) == SK_MS(1010),
		  "client CLOSED at 1.01 s");
	sk_world_run_until(s->w, SK_S(2));
	uint8_t buf[200];
	long n = sk_scn_recv(s, s->client, c, buf, sizeof(buf));
	sk_expect(s, n == -ECONNRESET,
		  "recv() = %s, want ECONNRESET (and not the 100 unread bytes)",
		  sk_errno_name((int)n));
	n = sk_scn_recv(s, s->client, c, buf, sizeof(buf));
	sk_expect(s, n == 0,
		  "then recv() = %ld, want 0: end of stream, nothing of the discarded data", n);
	n = sk_scn_send(s, s->client, c, "x", 1);
	sk_expect(s, n == -EPIPE, "send() = %s, want EPIPE", sk_errno_name((int)n));

	uint32_t x = 0, y = 0;
	if (!sk_expect(s, sk_scn_isns(s, 0, &x, &y), "handshake"))
		return;
	const struct sk_rec *abort_rst = sk_scn_seg(s, s->server, R, R, 1),
			    *late_rst = sk_scn_seg(s, s->server, R, R, 2);
	sk_expect(s, abort_rst && abort_rst->t == SK_S(1) && abort_rst->d.tcp.seq == y + 101,
		  "the abort: RST seq y+101 at 1 s");
	sk_expect(s,
		  late_rst && late_rst->t == SK_MS(1010) && sk_scn_seg_is(late_rst, R, y + 101, 0),
		  "the late data is answered by <SEQ=SEG.ACK><CTL=RST> (seq y+101) at 1.01 s");
	const struct sk_rec *late =
		sk_scn_seg(s, s->client, 0, 0, sk_scn_count(s, s->client, 0, 0));
	sk_expect(s,
		  late && late->t == SK_S(1) && late->d.tcp.seq == x + 1 &&
			  late->d.tcp.payload_len == 4,
		  "the client's last segment is its 4 bytes at 1 s: never retransmitted");

	/* SYN-SENT: a RST+ACK acknowledging the SYN refuses the connection. */
	sk_world_run_until(s->w, SK_S(3));
	int c2 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT + 1);
	r = sk_scn_wait_connect(s, s->client, c2, SK_S(4), &t);
	sk_expect(s, r == -ECONNREFUSED && t == SK_MS(3020),
		  "connect() = %s at %llu us, want ECONNREFUSED at 3020000", sk_errno_name(r),
		  (unsigned long long)t);
	sk_expect(s, sk_scn_count(s, s->client, R, R) == 0, "the client never sent a RST");
}

const struct sk_scenario sk_scn_rst[] = {
	{"rst-1", "a segment for no connection gets a RST: seq = its ack, or seq 0 ack = seq + len",
	 rst_1},
	{"rst-2", "a RST is never answered with a RST", rst_2},
	{"rst-3",
	 "RST accepted only at exactly RCV.NXT; in window: challenge ACK; out: dropped; SYN-SENT: "
	 "must ack the SYN",
	 rst_3},
	{"rst-4",
	 "a SYN on an established connection gets a rate-limited challenge ACK, never a RST",
	 rst_4},
	{"rst-5",
	 "after a RST: ECONNRESET (ECONNREFUSED in SYN-SENT), the connection's data discarded",
	 rst_5},
	{NULL, NULL, NULL},
};
