/* Opening scenarios (HS-1..HS-10). */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

/* What a finished connect() shows: writable, or an error. */
#define CONNECT_DONE (SYNACK_EV_OUT | SYNACK_EV_ERR | SYNACK_EV_HUP)
#define PEER_ADDR    0x0a000005u /* 10.0.0.5: scripted peers */

/* socket + bind(:lport) + connect: the client picks its own port (HS-3, HS-5). */
static int connect_from(struct sk_scn *s, int host, uint16_t lport, uint32_t addr, uint16_t port)
{
	synack_stack *st = sk_world_stack(s->w, host);
	int k = synack_socket(st, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	if (k < 0)
		return k;
	struct synack_sockaddr a = sk_scn_sa(s, 0, lport);
	int r = synack_bind(st, k, &a);
	sk_world_note(s->w, host, "bind(:%u) = %s", lport, r < 0 ? sk_errno_name(r) : "0");
	if (r < 0)
		return r;
	r = sk_scn_connect_sock(s, host, k, addr, port);
	return r == -EINPROGRESS ? k : (r < 0 ? r : -EINVAL);
}

/* Reads until n bytes came or limit; returns how many. */
static long recv_all(struct sk_scn *s, int host, int sock, uint8_t *buf, long n, uint64_t limit)
{
	long got = 0;
	while (got < n) {
		long r = synack_recv(sk_world_stack(s->w, host), sock, buf + got, (size_t)(n - got),
				     0);
		if (r > 0) {
			got += r;
			continue;
		}
		if (r != -EAGAIN ||
		    sk_scn_wait_events(s, host, sock, SYNACK_EV_IN, limit) == UINT64_MAX)
			break;
	}
	sk_world_note(s->w, host, "recv() = %ld bytes in all", got);
	return got;
}

/* What one direction of a connection looked like on the wire after the SYNs (HS-4). */
struct dir_view {
	int data;	   /* data segments */
	uint32_t size[16]; /* their payload sizes, in order (the first 16) */
	int segs;	   /* segments without SYN */
	int with_ts;	   /* of those, how many carried a timestamp */
	int over_mtu;	   /* packets, SYNs included, longer than the 1500-byte MTU */
	uint32_t max_win;  /* largest window field of the non-SYN segments */
};

static void dir_view(struct sk_scn *s, int host, uint16_t sport, uint16_t dport, struct dir_view *v)
{
	memset(v, 0, sizeof(*v));
	size_t n = sk_world_nrecs(s->w);
	for (size_t i = 0; i < n; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type != SK_REC_SEG || r->host != host || r->d.l4 != SK_L4_TCP ||
		    r->d.tcp.sport != sport || r->d.tcp.dport != dport)
			continue;
		if (r->d.ip_len > 1500)
			v->over_mtu++;
		if (r->d.tcp.flags & S)
			continue;
		v->segs++;
		v->with_ts += r->d.tcp.opt.has_ts;
		if (r->d.tcp.win > v->max_win)
			v->max_win = r->d.tcp.win;
		if (r->d.tcp.payload_len && v->data < 16)
			v->size[v->data++] = (uint32_t)r->d.tcp.payload_len;
	}
}

/* The data segments were total bytes cut into full segments of seg and the rest. */
static int sizes_are(const struct dir_view *v, uint32_t seg, uint32_t total)
{
	int n = 0;
	for (uint32_t left = total; left; n++) {
		uint32_t want = left < seg ? left : seg;
		if (n >= v->data || n >= 16 || v->size[n] != want)
			return 0;
		left -= want;
	}
	return v->data == n;
}

/* HS-1, HS-2, HS-4: three segments, exact numbers and options, connect() completes on the
 * second, accept() only after the third. */
static void hs_1(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	uint64_t t_conn;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(5), &t_conn);
	sk_expect(s, r == 0, "connect() = %d, want 0", r);
	sk_expect(s, t_conn == SK_MS(20),
		  "connect() completed at %llu us, want 20000 (on the SYN+ACK)",
		  (unsigned long long)t_conn);
	/* HS-2: the third segment reaches the server at 30 ms; nothing to accept before. */
	sk_expect(s, synack_accept(sk_world_stack(s->w, s->server), l, NULL) == -EAGAIN,
		  "accept() before the third segment");
	uint64_t t_acc;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(5), &t_acc);
	sk_expect(s, a >= 0 && t_acc == SK_MS(30), "accept() at %llu us, want 30000",
		  (unsigned long long)t_acc);

	const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, S, 1);
	const struct sk_rec *synack = sk_scn_seg(s, s->server, ALL, S | A, 1);
	const struct sk_rec *ack = sk_scn_seg(s, s->client, ALL, A, 1);
	if (!sk_expect(s, syn && synack && ack, "three handshake segments"))
		return;
	uint32_t x = syn->d.tcp.seq, y = synack->d.tcp.seq;
	sk_expect(s, syn->t == 0 && synack->t == SK_MS(10) && ack->t == SK_MS(20),
		  "segments at 0, 10, 20 ms");
	sk_expect(s, sk_scn_seg_is(synack, S | A, y, x + 1), "SYN+ACK acks x+1");
	sk_expect(s, sk_scn_seg_is(ack, A, x + 1, y + 1), "ACK is seq x+1 ack y+1");
	sk_expect(s, syn->d.tcp.payload_len == 0 && synack->d.tcp.payload_len == 0,
		  "no data on SYN or SYN+ACK (FMT-4)");
	/* HS-4: MSS 1460 on a 1500 MTU (1440 over IPv6), and WS/SACK/TS offered and echoed. */
	const struct sk_tcp_opts *o = &syn->d.tcp.opt, *p = &synack->d.tcp.opt;
	uint32_t mss = sk_scn_mss(s);
	sk_expect(s, o->has_mss && o->mss == mss && p->has_mss && p->mss == mss,
		  "MSS %u both ways", mss);
	sk_expect(s, o->sack_ok && p->sack_ok && o->has_ws && p->has_ws && o->has_ts && p->has_ts,
		  "WS, SACK, TS in both SYNs");
	sk_expect(s, p->tsecr == o->tsval && ack->d.tcp.opt.tsecr == p->tsval, "timestamps echoed");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_CLOSED, SYNACK_SYN_SENT) == 0,
		  "client CLOSED -> SYN-SENT at 0");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_SYN_SENT, SYNACK_ESTABLISHED) == SK_MS(20),
		  "client ESTABLISHED at 20 ms");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LISTEN, SYNACK_SYN_RCVD) == SK_MS(10),
		  "server SYN-RCVD at 10 ms");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_SYN_RCVD, SYNACK_ESTABLISHED) == SK_MS(30),
		  "server ESTABLISHED at 30 ms");
}

/* HS-2: connect() completes on the second segment, accept() only on the third. First a clean
 * handshake, probed just before each segment lands; then one whose third segment is lost,
 * where the client is ESTABLISHED a whole second before the server has anything to accept. */
static void hs_2(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	synack_stack *cst = sk_world_stack(s->w, s->client);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	/* 10 ms: the SYN has landed, the server is in SYN-RCVD: nothing to accept. */
	sk_world_run_until(s->w, SK_MS(10));
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LISTEN, SYNACK_SYN_RCVD) == SK_MS(10),
		  "server SYN-RCVD at 10 ms");
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "accept() = EAGAIN in SYN-RCVD (10 ms)");
	sk_world_run_until(s->w, SK_MS(20) - 1);
	sk_expect(s, (synack_events(cst, c) & CONNECT_DONE) == 0,
		  "connect() still in progress 1 us before the SYN+ACK lands");
	uint64_t t;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(5), &t);
	sk_expect(s, r == 0 && t == SK_MS(20),
		  "connect() = %s at %llu us, want 0 at 20000 (the SYN+ACK)", sk_errno_name(r),
		  (unsigned long long)t);
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "accept() = EAGAIN while the third segment is on its way (20 ms)");
	sk_world_run_until(s->w, SK_MS(30) - 1);
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "accept() = EAGAIN 1 us before the third segment lands");
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(5), &t);
	sk_expect(s, a >= 0 && t == SK_MS(30),
		  "accept() returns at %llu us, want 30000 (the third segment)",
		  (unsigned long long)t);

	/* At 1 s a second connection whose third segment (the client's first bare ACK from now
	 * on) is lost: the server stays in SYN-RCVD until its SYN+ACK retransmission at 2.01 s
	 * is answered by an ACK that lands at 2.03 s. */
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_rule(s, s->client, s->server, ALL | P, A, 1, 1, SK_SIMNET_DROP, 0);
	int c2 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	r = sk_scn_wait_connect(s, s->client, c2, SK_S(5), &t);
	sk_expect(s, r == 0 && t == SK_MS(1020),
		  "second connect() = %s at %llu us, want 0 at 1020000", sk_errno_name(r),
		  (unsigned long long)t);
	sk_world_run_until(s->w, SK_MS(2030) - 1);
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "accept() = EAGAIN up to 2.03 s: the third segment was lost");
	int a2 = sk_scn_wait_accept(s, s->server, l, SK_S(5), &t);
	sk_expect(s, a2 >= 0 && t == SK_MS(2030), "second accept() at %llu us, want 2030000",
		  (unsigned long long)t);
	uint16_t p2 = sk_scn_port(s, s->client, c2);
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, p2, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa1 = sk_scn_seg_ports(s, s->server, SK_PORT, p2, ALL, S | A, 1);
	const struct sk_rec *sa2 = sk_scn_seg_ports(s, s->server, SK_PORT, p2, ALL, S | A, 2);
	const struct sk_rec *ack1 = sk_scn_seg_ports(s, s->client, p2, SK_PORT, ALL, A, 1);
	const struct sk_rec *ack2 = sk_scn_seg_ports(s, s->client, p2, SK_PORT, ALL, A, 2);
	if (!sk_expect(s, syn && sa1 && sa2 && ack1 && ack2,
		       "second handshake: SYN, SYN+ACK twice, ACK twice"))
		return;
	uint32_t x = syn->d.tcp.seq, y = sa1->d.tcp.seq;
	sk_expect(s,
		  ack1->t == SK_MS(1020) && ack1->dropped && sk_scn_seg_is(ack1, A, x + 1, y + 1),
		  "third segment at 1.02 s, lost");
	sk_expect(s, sa2->t == SK_MS(2010) && sk_scn_seg_is(sa2, S | A, y, x + 1),
		  "SYN+ACK again at 2.01 s, same ISN");
	sk_expect(s,
		  ack2->t == SK_MS(2020) && !ack2->dropped && sk_scn_seg_is(ack2, A, x + 1, y + 1),
		  "ACK again at 2.02 s, delivered");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, p2, SYNACK_SYN_RCVD,
					  SYNACK_ESTABLISHED) == SK_MS(2030),
		  "server ESTABLISHED at 2.03 s");
}

/* HS-3 (RFC 6528): ISN = M + F(4-tuple, secret), M a 4-microsecond clock. The same 4-tuple
 * later in time: the ISN moved on by exactly the clock (F is unchanged), on both sides.
 * Different 4-tuples at the same instant: F makes them unrelated. */
static void hs_3(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int c = connect_from(s, s->client, 40000, SK_SERVER_ADDR, SK_PORT);
	if (!sk_expect(s, c >= 0 && sk_scn_wait_connect(s, s->client, c, SK_S(5), NULL) == 0,
		       "first connection from :40000"))
		return;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(5), NULL);
	/* The client closes first, so the 4-tuple is its own again when TIME-WAIT ends at 62.01 s.
	 */
	sk_scn_close_both(s, s->client, c, SK_S(1), s->server, a, SK_S(2));
	sk_world_run_until(s->w, SK_S(70));
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(62010),
		  "TIME-WAIT over at 62.01 s");
	int c2 = connect_from(s, s->client, 40000, SK_SERVER_ADDR, SK_PORT);
	if (!sk_expect(s, c2 >= 0 && sk_scn_wait_connect(s, s->client, c2, SK_S(75), NULL) == 0,
		       "same 4-tuple again at 70 s"))
		return;
	const struct sk_rec *syn1 = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, ALL, S, 1);
	const struct sk_rec *syn2 = sk_scn_seg_ports(s, s->client, 40000, SK_PORT, ALL, S, 2);
	const struct sk_rec *sa1 = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, ALL, S | A, 1);
	const struct sk_rec *sa2 = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, ALL, S | A, 2);
	if (!sk_expect(s, syn1 && syn2 && sa1 && sa2, "two SYNs and two SYN+ACKs on the 4-tuple"))
		return;
	sk_expect(s,
		  syn1->t == 0 && syn2->t == SK_S(70) && sa1->t == SK_MS(10) &&
			  sa2->t == SK_MS(70010),
		  "at 0 / 70 s and 10 ms / 70.01 s");
	/* 70 s of a 4 us clock: 17,500,000 more, to the unit. */
	uint32_t dx = syn2->d.tcp.seq - syn1->d.tcp.seq, dy = sa2->d.tcp.seq - sa1->d.tcp.seq;
	sk_expect(s, dx == 17500000u,
		  "client ISN grew by %u over 70 s, want 17500000 (the 4 us clock)", dx);
	sk_expect(s, dy == 17500000u,
		  "server ISN grew by %u over 70 s, want 17500000 (the 4 us clock)", dy);

	/* At 80 s, 32 connections from ports 41000..41031 at the same instant (to a closed
	 * port: only the SYNs matter). A clock alone would give 32 equal ISNs, a counter a
	 * constant step, either one an order following the ports. */
	enum { N = 32 };
	sk_world_run_until(s->w, SK_S(80));
	for (int i = 0; i < N; i++)
		connect_from(s, s->client, (uint16_t)(41000 + i), SK_SERVER_ADDR, SK_PORT + 1);
	sk_world_run_until(s->w, SK_S(81));
	uint32_t isn[N];
	for (int i = 0; i < N; i++) {
		const struct sk_rec *r = sk_scn_seg_ports(s, s->client, (uint16_t)(41000 + i),
							  SK_PORT + 1, ALL, S, 1);
		if (!sk_expect(s, r && r->t == SK_S(80), "SYN from :%d at 80 s", 41000 + i))
			return;
		isn[i] = r->d.tcp.seq;
	}
	int same = 0, same_step = 0, up = 0, down = 0;
	unsigned nibbles = 0;
	for (int i = 0; i < N; i++) {
		nibbles |= 1u << (isn[i] >> 28);
		for (int j = i + 1; j < N; j++) {
			same += isn[i] == isn[j];
			if (i + 1 < N && j + 1 < N)
				same_step += isn[i + 1] - isn[i] == isn[j + 1] - isn[j];
		}
		if (i + 1 < N) {
			up += (int32_t)(isn[i + 1] - isn[i]) > 0;
			down += (int32_t)(isn[i + 1] - isn[i]) < 0;
		}
	}
	int spread = 0;
	for (unsigned m = nibbles; m; m &= m - 1)
		spread++;
	sk_expect(s, same == 0, "%d pairs of equal ISNs among 32 4-tuples at one instant", same);
	sk_expect(s, same_step == 0, "%d repeated steps between neighbouring ports' ISNs",
		  same_step);
	sk_expect(s, up > 0 && down > 0, "ISNs follow the port order (%d up, %d down)", up, down);
	/* 32 uniform values leave fewer than 8 of the 16 top nibbles unused with probability
	 * below 1e-5; ISNs sharing their high bits come from a clock or counter. */
	sk_expect(s, spread >= 8, "ISNs use only %d of 16 top nibbles", spread);
}

/* The scripted peer takes the data segments of c until n bytes came, then acknowledges them
 * all in one ACK; returns the bytes taken. */
static uint32_t peer_take(struct sk_scn *s, const struct sk_scn_peer_conn *c, uint32_t n,
			  uint64_t limit)
{
	uint32_t got = 0;
	struct sk_tcp seg;
	while (got < n && sk_scn_peer_wait(s, c->peer, limit, &seg))
		if (seg.dport == c->lport)
			got += (uint32_t)seg.payload_len;
	sk_scn_peer_seg(s, c, A, c->iss + 1, c->irs + 1 + got, 65535, NULL, NULL, 0);
	return got;
}

/* HS-4: MSS 1460 (MTU 1500; 1440 over IPv6, whose header is 20 bytes longer) in every SYN
 * and SYN+ACK; data segments never above the peer's MSS (RFC 9293 3.7.1's default when its
 * SYN has none: 536, or 1220 over IPv6) nor above what the MTU leaves after the headers and
 * their options; WS, SACK-permitted and TS used only when both SYNs carried them. */
static void hs_4(struct sk_scn *s)
{
	struct synack_config nots, plain;
	synack_config_defaults(&nots);
	nots.tcp_timestamps = 0;
	synack_config_defaults(&plain);
	plain.tcp_sack = 0;
	plain.tcp_window_scaling = 0;
	sk_scn_pair(s, NULL, NULL);
	int h_nots = sk_world_add_host(s->w, "client-nots", 0x0a000003u, &nots);
	int h_plain = sk_world_add_host(s->w, "server-plain", 0x0a000004u, &plain);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int lp = sk_scn_listen(s, h_plain, SK_PORT, 16);
	uint8_t data[3000], in[3000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	struct dir_view v;
	struct synack_tcp_info info;
	/* The MSS of the 1500-byte MTU, a full segment with timestamps, the default send MSS. */
	uint32_t mss = sk_scn_mss(s), mss_ts = mss - 12, dflt = sk_world_is_ipv6(s->w) ? 1220 : 536;

	/* 1. Defaults on both sides: all four options. With the 12 bytes of timestamp option in
	 * every segment a full one carries 1500 - 20 - 20 - 12 = 1448 bytes (1428 over IPv6)
	 * (RFC 9293 3.7.1: Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCP header size with
	 * options). */
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	sk_scn_wait_connect(s, s->client, c, SK_S(1), NULL);
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	uint16_t cp = sk_scn_port(s, s->client, c);
	sk_scn_setsockopt_int(s, s->client, c, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_send(s, s->client, c, data, 3000);
	sk_expect(s,
		  recv_all(s, s->server, a, in, 3000, SK_S(1)) == 3000 && !memcmp(in, data, 3000),
		  "1: 3000 bytes arrive");
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, cp, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa = sk_scn_seg_ports(s, s->server, SK_PORT, cp, ALL, S | A, 1);
	if (!sk_expect(s, syn && sa, "1: SYN and SYN+ACK"))
		return;
	const struct sk_tcp_opts *o = &syn->d.tcp.opt, *p = &sa->d.tcp.opt;
	sk_expect(s, o->has_mss && o->mss == mss && o->sack_ok && o->has_ts && o->has_ws,
		  "1: SYN: mss %u, sackOK, TS, wscale", mss);
	sk_expect(s, p->has_mss && p->mss == mss && p->sack_ok && p->has_ts && p->has_ws,
		  "1: SYN+ACK: mss %u, sackOK, TS, wscale", mss);
	dir_view(s, s->client, cp, SK_PORT, &v);
	sk_expect(s, sizes_are(&v, mss_ts, 3000),
		  "1: data segments of %u, %u, %u bytes (got %d: %u, %u, ...)", mss_ts, mss_ts,
		  3000 - 2 * mss_ts, v.data, v.size[0], v.size[1]);
	sk_expect(s, v.over_mtu == 0, "1: %d client packets over the 1500-byte MTU", v.over_mtu);
	sk_expect(s, v.segs > 0 && v.with_ts == v.segs, "1: TS on %d of the client's %d segments",
		  v.with_ts, v.segs);
	dir_view(s, s->server, SK_PORT, cp, &v);
	sk_expect(s, v.segs > 0 && v.with_ts == v.segs, "1: TS on %d of the server's %d segments",
		  v.with_ts, v.segs);

	/* 2. At 1 s a client with tcp_timestamps=0: the server must not offer TS in its
	 * SYN+ACK, and neither side uses it afterwards; full segments are 1460 bytes (1440). */
	sk_world_run_until(s->w, SK_S(1));
	int cn = sk_scn_connect(s, h_nots, SK_SERVER_ADDR, SK_PORT);
	sk_scn_wait_connect(s, h_nots, cn, SK_S(2), NULL);
	int an = sk_scn_wait_accept(s, s->server, l, SK_S(2), NULL);
	uint16_t np = sk_scn_port(s, h_nots, cn);
	sk_scn_setsockopt_int(s, h_nots, cn, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
	sk_world_run_until(s->w, SK_MS(1100));
	sk_scn_send(s, h_nots, cn, data, 3000);
	sk_expect(s, recv_all(s, s->server, an, in, 3000, SK_S(2)) == 3000, "2: 3000 bytes arrive");
	sk_scn_send(s, s->server, an, data, 100);
	sk_expect(s, recv_all(s, h_nots, cn, in, 100, SK_S(2)) == 100, "2: 100 bytes back");
	syn = sk_scn_seg_ports(s, h_nots, np, SK_PORT, ALL, S, 1);
	sa = sk_scn_seg_ports(s, s->server, SK_PORT, np, ALL, S | A, 1);
	if (!sk_expect(s, syn && sa, "2: SYN and SYN+ACK"))
		return;
	o = &syn->d.tcp.opt;
	p = &sa->d.tcp.opt;
	sk_expect(s, o->has_mss && o->mss == mss && o->sack_ok && o->has_ws && !o->has_ts,
		  "2: SYN: mss %u, sackOK, wscale, no TS", mss);
	sk_expect(s, p->has_mss && p->mss == mss && p->sack_ok && p->has_ws && !p->has_ts,
		  "2: SYN+ACK: mss %u, sackOK, wscale, no TS", mss);
	dir_view(s, h_nots, np, SK_PORT, &v);
	sk_expect(s, sizes_are(&v, mss, 3000),
		  "2: data segments of %u, %u, %u bytes (got %d: %u, %u, ...)", mss, mss,
		  3000 - 2 * mss, v.data, v.size[0], v.size[1]);
	sk_expect(s, v.with_ts == 0 && v.over_mtu == 0,
		  "2: client: %d segments with TS, %d over the MTU", v.with_ts, v.over_mtu);
	dir_view(s, s->server, SK_PORT, np, &v);
	sk_expect(s, v.segs > 0 && v.with_ts == 0, "2: server: TS on %d of %d segments, want none",
		  v.with_ts, v.segs);
	sk_scn_tcp_info(s, s->server, an, &info);
	sk_expect(s, info.options == (2 | 4), "2: server's TCP_INFO options %u, want SACK | WS",
		  info.options);

	/* 3. At 2 s a server with tcp_sack=0 and tcp_window_scaling=0: its SYN+ACK carries
	 * neither, so the client scales nothing: its 128 KiB window shows as 65535, not as
	 * 1024 << 7. Timestamps, offered by both, stay. */
	sk_world_run_until(s->w, SK_S(2));
	int cq = sk_scn_connect(s, s->client, 0x0a000004u, SK_PORT);
	sk_scn_wait_connect(s, s->client, cq, SK_S(3), NULL);
	int aq = sk_scn_wait_accept(s, h_plain, lp, SK_S(3), NULL);
	uint16_t qp = sk_scn_port(s, s->client, cq);
	sk_scn_setsockopt_int(s, s->client, cq, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
	sk_world_run_until(s->w, SK_MS(2100));
	sk_scn_send(s, s->client, cq, data, 3000);
	sk_expect(s, recv_all(s, h_plain, aq, in, 3000, SK_S(3)) == 3000, "3: 3000 bytes arrive");
	syn = sk_scn_seg_ports(s, s->client, qp, SK_PORT, ALL, S, 1);
	sa = sk_scn_seg_ports(s, h_plain, SK_PORT, qp, ALL, S | A, 1);
	if (!sk_expect(s, syn && sa, "3: SYN and SYN+ACK"))
		return;
	o = &syn->d.tcp.opt;
	p = &sa->d.tcp.opt;
	sk_expect(s, o->sack_ok && o->has_ws && o->has_ts, "3: the client's SYN offers all");
	sk_expect(s,
		  p->has_mss && p->mss == mss && p->has_ts && p->tsecr == o->tsval &&
			  !p->sack_ok && !p->has_ws,
		  "3: SYN+ACK: mss %u and TS only", mss);
	dir_view(s, s->client, qp, SK_PORT, &v);
	sk_expect(s, sizes_are(&v, mss_ts, 3000),
		  "3: data segments of %u, %u, %u bytes (got %d: %u, %u, ...)", mss_ts, mss_ts,
		  3000 - 2 * mss_ts, v.data, v.size[0], v.size[1]);
	sk_expect(s, v.segs > 0 && v.with_ts == v.segs, "3: TS on %d of the client's %d segments",
		  v.with_ts, v.segs);
	sk_expect(s, v.max_win == 65535, "3: client's window field up to %u, want 65535 (unscaled)",
		  v.max_win);
	sk_scn_tcp_info(s, s->client, cq, &info);
	sk_expect(s, info.options == 1 && info.snd_wscale == 0 && info.rcv_wscale == 0,
		  "3: client's TCP_INFO options %u (want TS only), wscale %u/%u (want 0/0)",
		  info.options, info.snd_wscale, info.rcv_wscale);

	/* 4. At 3 s a scripted peer whose SYN has no options at all: the SYN+ACK offers only
	 * the MSS, and the server sends at most 536 bytes a segment (RFC 9293 3.7.1: the
	 * default send MSS; 1220 over IPv6), with no options. */
	sk_world_run_until(s->w, SK_S(3));
	struct sk_scn_peer_conn pc = {.peer = peer,
				      .raddr = SK_SERVER_ADDR,
				      .lport = 50000,
				      .rport = SK_PORT,
				      .iss = 1000};
	if (!sk_expect(s, sk_scn_peer_connect(s, &pc, NULL, SK_S(4)) == 0, "4: peer's handshake"))
		return;
	int ap = sk_scn_wait_accept(s, s->server, l, SK_S(4), NULL);
	sk_scn_setsockopt_int(s, s->server, ap, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
	sk_scn_send(s, s->server, ap, data, 2000);
	sk_expect(s, peer_take(s, &pc, 2000, SK_S(4)) == 2000, "4: the peer gets 2000 bytes");
	sa = sk_scn_seg_ports(s, s->server, SK_PORT, 50000, ALL, S | A, 1);
	sk_expect(s,
		  sa && sa->d.tcp.opt.has_mss && sa->d.tcp.opt.mss == mss &&
			  !sa->d.tcp.opt.has_ts && !sa->d.tcp.opt.has_ws && !sa->d.tcp.opt.sack_ok,
		  "4: SYN+ACK offers mss %u only", mss);
	dir_view(s, s->server, SK_PORT, 50000, &v);
	sk_expect(s, sizes_are(&v, dflt, 2000),
		  "4: 2000 bytes in data segments of %u at most (got %d: %u, %u, ...)", dflt, v.data,
		  v.size[0], v.size[1]);
	sk_expect(s, v.with_ts == 0 && v.max_win == 65535,
		  "4: %d segments with TS, window field up to %u (want none, 65535)", v.with_ts,
		  v.max_win);

	/* 5. At 4 s a peer announcing MSS 9000: the server's own MTU caps segments at 1460
	 * (1440). */
	sk_world_run_until(s->w, SK_S(4));
	struct sk_tcp_opts big = {.has_mss = 1, .mss = 9000};
	struct sk_scn_peer_conn pc2 = {.peer = peer,
				       .raddr = SK_SERVER_ADDR,
				       .lport = 50001,
				       .rport = SK_PORT,
				       .iss = 5000};
	if (!sk_expect(s, sk_scn_peer_connect(s, &pc2, &big, SK_S(5)) == 0, "5: peer's handshake"))
		return;
	int ap2 = sk_scn_wait_accept(s, s->server, l, SK_S(5), NULL);
	sk_scn_setsockopt_int(s, s->server, ap2, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
	sk_scn_send(s, s->server, ap2, data, 3000);
	sk_expect(s, peer_take(s, &pc2, 3000, SK_S(5)) == 3000, "5: the peer gets 3000 bytes");
	dir_view(s, s->server, SK_PORT, 50001, &v);
	sk_expect(s, sizes_are(&v, mss, 3000),
		  "5: data segments of %u, %u, %u bytes (got %d: %u, %u, ...)", mss, mss,
		  3000 - 2 * mss, v.data, v.size[0], v.size[1]);
	sk_expect(s, v.over_mtu == 0, "5: %d packets over the MTU", v.over_mtu);
}

/* HS-5: simultaneous open (RFC 9293 Figure 8). Both bind a port and connect to the other at
 * 0; the SYNs cross, each side goes SYN-SENT -> SYN-RCVD at 10 ms and answers with SYN+ACK
 * from its own ISN; each reaches ESTABLISHED when the other's SYN+ACK lands at 20 ms (Figure 8,
 * lines 6 and 7). That SYN+ACK repeats a SYN already received: it is acknowledged (RFC 9293
 * 3.10.7.4: a segment holding only old sequence space gets an ACK), as Linux and FreeBSD do,
 * and the ACKs, landing at 30 ms on ESTABLISHED connections, call for nothing more. */
static void hs_5(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int a = connect_from(s, s->client, 5001, SK_SERVER_ADDR, 5002);
	int b = connect_from(s, s->server, 5002, SK_CLIENT_ADDR, 5001);
	if (!sk_expect(s, a >= 0 && b >= 0, "both connect() calls start"))
		return;
	uint64_t ta, tb;
	int ra = sk_scn_wait_connect(s, s->client, a, SK_S(5), &ta);
	int rb = sk_scn_wait_connect(s, s->server, b, SK_S(5), &tb);
	sk_expect(s, ra == 0 && ta == SK_MS(20),
		  "client connect() = %s at %llu us, want 0 at 20000", sk_errno_name(ra),
		  (unsigned long long)ta);
	sk_expect(s, rb == 0 && tb == SK_MS(20),
		  "server connect() = %s at %llu us, want 0 at 20000", sk_errno_name(rb),
		  (unsigned long long)tb);
	/* RFC 7323 2.2: the window of a SYN+ACK is never scaled: 65160 as sent (whole
	 * segments of 1448, as Linux offers it). It never takes back the right edge the SYN
	 * offered (whole segments of the MSS: 64240, 44 of 1460) either: over IPv6 the SYN
	 * offered 64800 (45 of 1440), more than the SYN+ACK's 64260 (45 of 1428), and so the
	 * SYN+ACK offers 64800 as well. */
	struct synack_tcp_info ia, ib;
	uint32_t mss = sk_scn_mss(s), syn_wnd = 65535 / mss * mss;
	uint32_t synack_wnd = 65535 / (mss - 12) * (mss - 12);
	if (synack_wnd < syn_wnd)
		synack_wnd = syn_wnd;
	sk_scn_tcp_info(s, s->client, a, &ia);
	sk_scn_tcp_info(s, s->server, b, &ib);
	sk_expect(s, ia.snd_wnd == synack_wnd && ib.snd_wnd == synack_wnd,
		  "send windows %u and %u at 20 ms, want %u (unscaled SYN+ACK)", ia.snd_wnd,
		  ib.snd_wnd, synack_wnd);
	sk_world_run_until(s->w, SK_MS(30));
	sk_scn_tcp_info(s, s->client, a, &ia);
	sk_scn_tcp_info(s, s->server, b, &ib);
	sk_expect(s, ia.snd_wnd == 131072 && ib.snd_wnd == 131072,
		  "send windows %u and %u at 30 ms, want 1024 << 7 = 131072", ia.snd_wnd,
		  ib.snd_wnd);
	sk_world_run_until(s->w, SK_MS(100));
	for (int h = 0; h < 2; h++) {
		int me = h ? s->server : s->client, other = h ? s->client : s->server;
		const char *who = h ? "server" : "client";
		const struct sk_rec *syn = sk_scn_seg(s, me, ALL, S, 1),
				    *psyn = sk_scn_seg(s, other, ALL, S, 1);
		const struct sk_rec *sa = sk_scn_seg(s, me, ALL, S | A, 1);
		const struct sk_rec *ack = sk_scn_seg(s, me, ALL, A, 1);
		if (!sk_expect(s, syn && psyn && sa && ack, "%s: SYN, SYN+ACK, ACK", who))
			return;
		uint32_t x = syn->d.tcp.seq, y = psyn->d.tcp.seq;
		sk_expect(s, syn->t == 0 && !(syn->d.tcp.flags & A), "%s: SYN at 0", who);
		sk_expect(s, sa->t == SK_MS(10) && sk_scn_seg_is(sa, S | A, x, y + 1),
			  "%s: SYN+ACK at 10 ms, seq own ISN, ack the other's + 1", who);
		const struct sk_tcp_opts *o = &sa->d.tcp.opt;
		sk_expect(
			s,
			o->has_mss && o->mss == mss && o->sack_ok && o->has_ws && o->has_ts &&
				o->tsecr == psyn->d.tcp.opt.tsval,
			"%s: SYN+ACK options: mss %u, sackOK, wscale, TS echoing the other's SYN",
			who, mss);
		sk_expect(s, ack->t == SK_MS(20) && sk_scn_seg_is(ack, A, x + 1, y + 1),
			  "%s: ACK at 20 ms, seq x+1 ack y+1", who);
		sk_expect(s, sk_scn_count_between(s, me, 0, SK_MS(100)) == 3,
			  "%s: 3 segments in the first 100 ms, got %d", who,
			  sk_scn_count_between(s, me, 0, SK_MS(100)));
		sk_expect(s, sk_scn_state_time(s, me, SYNACK_CLOSED, SYNACK_SYN_SENT) == 0,
			  "%s: CLOSED -> SYN-SENT at 0", who);
		sk_expect(s,
			  sk_scn_state_time(s, me, SYNACK_SYN_SENT, SYNACK_SYN_RCVD) == SK_MS(10),
			  "%s: SYN-SENT -> SYN-RCVD at 10 ms", who);
		sk_expect(s,
			  sk_scn_state_time(s, me, SYNACK_SYN_RCVD, SYNACK_ESTABLISHED) ==
				  SK_MS(20),
			  "%s: SYN-RCVD -> ESTABLISHED at 20 ms", who);
	}
	/* And the connection carries data. */
	sk_scn_send(s, s->client, a, "ping", 4);
	uint8_t buf[8];
	uint64_t t = sk_scn_wait_events(s, s->server, b, SYNACK_EV_IN, SK_S(1));
	long n = sk_scn_recv(s, s->server, b, buf, sizeof(buf));
	sk_expect(s, t == SK_MS(110) && n == 4 && !memcmp(buf, "ping", 4),
		  "\"ping\" read at 110 ms");
}

/* HS-6: old duplicate SYNs (RFC 9293 Figure 9), both halves. The server (LISTEN) gets an old
 * SYN from a scripted peer, which, being in SYN-SENT with another ISN, resets the SYN+ACK:
 * the half-open connection goes and the real SYN then opens one. The client (SYN-SENT) gets
 * SYN+ACKs acknowledging neither its SYN (ack = ISS, and ack = ISS + 2 > SND.NXT): each is
 * answered by <SEQ=SEG.ACK><CTL=RST> and the client stays in SYN-SENT until a right SYN+ACK
 * comes. The first RST is followed by an early SYN retransmission, as Linux's; then the SYN
 * goes on its timer. */
static void hs_6(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct sk_scn_peer_conn pc = {
		.peer = peer, .raddr = SK_SERVER_ADDR, .lport = 40000, .rport = SK_PORT, .iss = 90};
	sk_scn_peer_seg(s, &pc, S, 90, 0, 65535, NULL, NULL, 0);
	struct sk_tcp seg;
	if (!sk_expect(s,
		       sk_scn_peer_wait(s, peer, SK_S(1), &seg) && seg.flags == (S | A) &&
			       seg.ack == 91,
		       "server answers the old SYN with SYN+ACK ack 91"))
		return;
	uint32_t y_old = seg.seq;
	sk_expect(s, sk_world_now(s->w) == SK_MS(20), "SYN+ACK lands at 20 ms");
	sk_scn_peer_seg(s, &pc, R, 91, 0, 0, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(100));
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_SYN_RCVD, SYNACK_CLOSED) == SK_MS(30),
		  "the RST (at 30 ms) drops the half-open connection");
	sk_expect(s, sk_scn_stats(s, s->server).half_open == 0, "no half-open connection left");
	sk_expect(s, sk_scn_count_between(s, s->server, SK_MS(11), SK_MS(100)) == 0,
		  "the RST is not answered");
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN, "nothing to accept");
	/* The peer's real SYN (ISN 100) on the same 4-tuple, at 100 ms. */
	pc.iss = 100;
	if (!sk_expect(s, sk_scn_peer_connect(s, &pc, NULL, SK_S(1)) == 0,
		       "the new SYN is answered"))
		return;
	uint64_t t;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(1), &t);
	sk_expect(s, a >= 0 && t == SK_MS(130), "accept() at %llu us, want 130000",
		  (unsigned long long)t);
	const struct sk_rec *sa2 = sk_scn_seg_ports(s, s->server, SK_PORT, 40000, ALL, S | A, 2);
	sk_expect(s,
		  sa2 && sa2->t == SK_MS(110) && sk_scn_seg_is(sa2, S | A, pc.irs, 101) &&
			  pc.irs != y_old,
		  "new SYN+ACK at 110 ms, ack 101");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, 40000, SYNACK_SYN_RCVD,
					  SYNACK_ESTABLISHED) == SK_MS(130),
		  "server ESTABLISHED at 130 ms");

	/* The client's half, from 1 s: it connects to the peer (port 80). */
	sk_world_run_until(s->w, SK_S(1));
	int c = sk_scn_connect(s, s->client, PEER_ADDR, 80);
	struct sk_scn_peer_conn cc = {.peer = peer, .raddr = SK_CLIENT_ADDR, .lport = 80};
	if (!sk_expect(s, sk_scn_peer_wait(s, peer, SK_S(2), &seg) && seg.flags == S,
		       "the client's SYN reaches the peer"))
		return;
	cc.rport = seg.sport;
	uint32_t x = seg.seq;
	struct sk_tcp_opts mss = {.has_mss = 1, .mss = (uint16_t)sk_scn_mss(s)};
	sk_scn_peer_seg(s, &cc, S | A, 300, x, 65535, NULL, NULL, 0); /* SEG.ACK =< ISS */
	/* The RST may have cleared a stale incarnation at the peer: the SYN goes again 8 ms
	 * after it, as Linux sends it (TCP_TIMEOUT_MIN), once. */
	for (;;) {
		if (!sk_expect(s, sk_scn_peer_wait(s, peer, SK_S(2), &seg),
			       "the client retransmits its SYN"))
			return;
		if (seg.flags == S)
			break;
	}
	sk_expect(s, sk_world_now(s->w) == SK_MS(1038) && seg.seq == x,
		  "SYN again at 1.028 s (lands 1.038 s), same ISN");
	sk_scn_peer_seg(s, &cc, S | A, 300, x + 2, 65535, NULL, NULL, 0); /* SEG.ACK > SND.NXT */
	/* The SYN was retransmitted already: the RTO timer is left alone, doubled by that
	 * retransmission: the next SYN at 1.028 + 2 s. */
	for (;;) {
		if (!sk_expect(s, sk_scn_peer_wait(s, peer, SK_S(4), &seg),
			       "the client retransmits its SYN on its timer"))
			return;
		if (seg.flags == S)
			break;
	}
	sk_expect(s, sk_world_now(s->w) == SK_MS(3038) && seg.seq == x,
		  "SYN again at 3.028 s (lands 3.038 s), same ISN");
	sk_scn_peer_seg(s, &cc, S | A, 400, x + 1, 65535, &mss, NULL, 0);
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(4), &t);
	sk_expect(s, r == 0 && t == SK_MS(3048), "connect() = %s at %llu us, want 0 at 3048000",
		  sk_errno_name(r), (unsigned long long)t);
	sk_world_run_until(s->w, SK_S(4));
	const struct sk_rec *rst1 = sk_scn_seg(s, s->client, R, R, 1),
			    *rst2 = sk_scn_seg(s, s->client, R, R, 2);
	sk_expect(s, rst1 && rst1->t == SK_MS(1020) && sk_scn_seg_is(rst1, R, x, 0),
		  "RST seq x (the bad ack) at 1.02 s, no ACK bit");
	sk_expect(s, rst2 && rst2->t == SK_MS(1048) && sk_scn_seg_is(rst2, R, x + 2, 0),
		  "RST seq x+2 at 1.048 s, no ACK bit");
	sk_expect(s, sk_scn_count(s, s->client, R, R) == 2, "two RSTs in all");
	sk_expect(s, sk_scn_count(s, s->client, ALL, S) == 3, "three SYNs in all");
	const struct sk_rec *ack = sk_scn_seg(s, s->client, ALL, A, 1);
	sk_expect(s, ack && ack->t == SK_MS(3048) && sk_scn_seg_is(ack, A, x + 1, 401),
		  "ACK seq x+1 ack 401 at 3.048 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_SYN_SENT, SYNACK_CLOSED) == UINT64_MAX &&
			  sk_scn_state_time(s, s->client, SYNACK_SYN_SENT, SYNACK_ESTABLISHED) ==
				  SK_MS(3048),
		  "client stayed in SYN-SENT until 3.048 s");
}

/* HS-7: every SYN lost: the same ISN at 0, 1, 3, 7, 15, 31 s; ETIMEDOUT at 63 s. */
static void hs_7(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	sk_scn_listen(s, s->server, SK_PORT, 16);
	sk_scn_rule(s, s->client, s->server, ALL, S, 0, 0, SK_SIMNET_DROP, 0);
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	uint64_t when;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(100), &when);
	sk_expect(s, r == -ETIMEDOUT, "connect() = %s, want ETIMEDOUT", sk_errno_name(r));
	sk_expect(s, when == SK_S(63), "failed at %llu us, want 63 s", (unsigned long long)when);
	static const unsigned at[] = {0, 1, 3, 7, 15, 31};
	const struct sk_rec *first = sk_scn_seg(s, s->client, ALL, S, 1);
	for (int i = 0; i < 6; i++) {
		const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, S, i + 1);
		sk_expect(s,
			  syn && syn->t == SK_S(at[i]) && first &&
				  syn->d.tcp.seq == first->d.tcp.seq,
			  "SYN #%d at %u s with the same ISN", i + 1, at[i]);
	}
	sk_expect(s, sk_scn_count(s, s->client, ALL, S) == 6, "exactly 6 SYNs (tcp_syn_retries 5)");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_SYN_SENT, SYNACK_CLOSED) == SK_S(63),
		  "SYN-SENT -> CLOSED at 63 s");
}

/* HS-8: every SYN+ACK lost. The client retransmits its SYN as in HS-7 (0, 1, 3, 7, 15, 31 s;
 * ETIMEDOUT at 63 s); the server retransmits its SYN+ACK 1, 2, 4, 8 and 16 s apart (1.01,
 * 3.01, 7.01, 15.01, 31.01 s) and drops the half-open connection 32 s after the last, at
 * 63.01 s. The retransmitted SYNs are held 500 ms on the way, so that each one, landing in
 * SYN-RCVD at 1.51, 3.51, ... s, visibly gets its own SYN+ACK apart from the timer's. */
static void hs_8(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	sk_scn_rule(s, s->server, s->client, ALL, S | A, 0, 0, SK_SIMNET_DROP, 0);
	sk_scn_rule(s, s->client, s->server, ALL, S, 2, 0, SK_SIMNET_DELAY, SK_MS(500));
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	uint64_t when;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(100), &when);
	sk_expect(s, r == -ETIMEDOUT && when == SK_S(63),
		  "connect() = %s at %llu us, want ETIMEDOUT at 63 s", sk_errno_name(r),
		  (unsigned long long)when);
	sk_world_run_until(s->w, SK_S(100));
	static const unsigned syn_at[] = {0, 1, 3, 7, 15, 31};
	const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, S, 1);
	if (!sk_expect(s, syn != NULL, "a SYN"))
		return;
	uint32_t x = syn->d.tcp.seq;
	for (int i = 0; i < 6; i++) {
		const struct sk_rec *r2 = sk_scn_seg(s, s->client, ALL, S, i + 1);
		sk_expect(s, r2 && r2->t == SK_S(syn_at[i]) && r2->d.tcp.seq == x,
			  "SYN #%d at %u s, same ISN", i + 1, syn_at[i]);
	}
	sk_expect(s, sk_scn_count(s, s->client, ALL, S) == 6, "6 SYNs");
	/* Timer: 0.01 + 1, 3, 7, 15, 31 s; answers to the SYNs: their arrival, 0.51 s later. */
	static const unsigned synack_ms[] = {10,   1010,  1510,	 3010,	3510, 7010,
					     7510, 15010, 15510, 31010, 31510};
	const struct sk_rec *sa = sk_scn_seg(s, s->server, ALL, S | A, 1);
	if (!sk_expect(s, sa != NULL, "a SYN+ACK"))
		return;
	uint32_t y = sa->d.tcp.seq;
	for (int i = 0; i < 11; i++) {
		const struct sk_rec *r2 = sk_scn_seg(s, s->server, ALL, S | A, i + 1);
		sk_expect(s,
			  r2 && r2->t == SK_MS(synack_ms[i]) &&
				  sk_scn_seg_is(r2, S | A, y, x + 1) && r2->dropped,
			  "SYN+ACK #%d at %u ms (seq y, ack x+1, lost)", i + 1, synack_ms[i]);
	}
	sk_expect(s, sk_scn_count(s, s->server, ALL, S | A) == 11,
		  "11 SYN+ACKs: 1 + 5 timer + 5 answers, got %d",
		  sk_scn_count(s, s->server, ALL, S | A));
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_SYN_RCVD, SYNACK_CLOSED) == SK_MS(63010),
		  "half-open connection dropped at 63.01 s");
	sk_expect(s, sk_scn_stats(s, s->server).half_open == 0, "no half-open connection left");
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "the listener has nothing to accept and is still listening");
}

/* HS-9: every bare ACK from the client lost. The client is ESTABLISHED at 20 ms; the server,
 * in SYN-RCVD, retransmits its SYN+ACK at 1.01 and 3.01 s and the client answers each with one
 * ACK (1.02, 3.02 s), never on its own. At 5 s the client sends data (it carries PSH, so it
 * passes): it acknowledges the SYN+ACK and completes the handshake at 5.01 s, after which the
 * server retransmits nothing more (7.01 s would have been next). */
static void hs_9(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	sk_scn_rule(s, s->client, s->server, ALL | P, A, 0, 0, SK_SIMNET_DROP, 0);
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	uint64_t t;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(1), &t);
	sk_expect(s, r == 0 && t == SK_MS(20), "connect() = %s at %llu us, want 0 at 20000",
		  sk_errno_name(r), (unsigned long long)t);
	sk_world_run_until(s->w, SK_S(5));
	sk_expect(s, sk_scn_accept(s, s->server, l) == -EAGAIN,
		  "nothing to accept at 5 s: the server is still in SYN-RCVD");
	sk_scn_send(s, s->client, c, "hello", 5);
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(6), &t);
	sk_expect(s, a >= 0 && t == SK_MS(5010),
		  "accept() at %llu us, want 5010000 (the data segment)", (unsigned long long)t);
	char buf[8];
	long n = a >= 0 ? sk_scn_recv(s, s->server, a, buf, sizeof(buf)) : -1;
	sk_expect(s, n == 5 && !memcmp(buf, "hello", 5), "the server reads \"hello\"");
	sk_world_run_until(s->w, SK_S(20));

	const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, S, 1);
	const struct sk_rec *sa = sk_scn_seg(s, s->server, ALL, S | A, 1);
	if (!sk_expect(s, syn && sa, "SYN and SYN+ACK"))
		return;
	uint32_t x = syn->d.tcp.seq, y = sa->d.tcp.seq;
	static const unsigned sa_ms[] = {10, 1010, 3010};
	for (int i = 0; i < 3; i++) {
		const struct sk_rec *r2 = sk_scn_seg(s, s->server, ALL, S | A, i + 1);
		sk_expect(s, r2 && r2->t == SK_MS(sa_ms[i]) && sk_scn_seg_is(r2, S | A, y, x + 1),
			  "SYN+ACK #%d at %u ms", i + 1, sa_ms[i]);
	}
	sk_expect(s, sk_scn_count(s, s->server, ALL, S | A) == 3,
		  "3 SYN+ACKs, none after the handshake completed");
	/* Bare ACKs: one per SYN+ACK received, at its arrival, and no other. */
	for (int i = 0; i < 3; i++) {
		const struct sk_rec *r2 = sk_scn_seg(s, s->client, ALL | P, A, i + 1);
		sk_expect(s,
			  r2 && r2->t == SK_MS(sa_ms[i] + 10) &&
				  sk_scn_seg_is(r2, A, x + 1, y + 1) && r2->dropped,
			  "client ACK #%d at %u ms (lost)", i + 1, sa_ms[i] + 10);
	}
	sk_expect(s, sk_scn_count(s, s->client, ALL | P, A) == 3,
		  "3 bare ACKs from the client in 20 s, got %d",
		  sk_scn_count(s, s->client, ALL | P, A));
	const struct sk_rec *d = sk_scn_seg(s, s->client, ALL | P, P | A, 1);
	sk_expect(s,
		  d && d->t == SK_S(5) && sk_scn_seg_is(d, P | A, x + 1, y + 1) &&
			  d->d.tcp.payload_len == 5 && !d->dropped,
		  "data at 5 s: seq x+1, ack y+1, 5 bytes");
	sk_expect(s, sk_scn_count(s, s->client, ALL | P, P | A) == 1, "the data is sent once");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_SYN_RCVD, SYNACK_ESTABLISHED) ==
			  SK_MS(5010),
		  "server ESTABLISHED at 5.01 s");
	/* REL-6 bounds the ACK's delay at 200 ms; here the read at 5.01 s opens the window
	 * (65535 in the SYN+ACK, 128 KiB now) and the window update carries the ACK at once. */
	const struct sk_rec *sack = sk_scn_seg(s, s->server, ALL, A, 1);
	sk_expect(s,
		  sack && sk_scn_seg_is(sack, A, y + 1, x + 6) && sack->t >= SK_MS(5010) &&
			  sack->t <= SK_MS(5210),
		  "the server acknowledges the 5 bytes (ack x+6) at most 200 ms after they land");
}

/* HS-10: no listener: RST+ACK (seq 0, ack x+1); connect() fails ECONNREFUSED. */
static void hs_10(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int c = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	uint64_t when;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(5), &when);
	sk_expect(s, r == -ECONNREFUSED, "connect() = %s, want ECONNREFUSED", sk_errno_name(r));
	sk_expect(s, when == SK_MS(20), "refused at %llu us, want 20 ms", (unsigned long long)when);
	const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, S, 1);
	const struct sk_rec *rst = sk_scn_seg(s, s->server, R, R, 1);
	sk_expect(s, syn && rst && sk_scn_seg_is(rst, R | A, 0, syn->d.tcp.seq + 1),
		  "RST+ACK seq 0 ack x+1");
	sk_expect(s, sk_scn_count(s, s->client, R, R) == 0,
		  "the client does not answer the RST (RST-2)");
}

const struct sk_scenario sk_scn_hs[] = {
	{"hs-1", "three-way handshake: segments, numbers, options, states", hs_1},
	{"hs-2", "connect() completes on the SYN+ACK, accept() only on the third segment", hs_2},
	{"hs-3",
	 "RFC 6528 ISNs: same 4-tuple later grows with the 4 us clock; other 4-tuples unrelated",
	 hs_3},
	{"hs-4",
	 "MSS 1460 from the MTU, 536 by default, never exceeded; WS/SACK/TS only if both SYNs had "
	 "them",
	 hs_4},
	{"hs-5", "simultaneous open: SYNs cross, both SYN-RCVD then ESTABLISHED on the SYN+ACKs",
	 hs_5},
	{"hs-6", "old duplicate SYN: RST from SYN-SENT (seq = bad ack), half-open dropped on RST",
	 hs_6},
	{"hs-7", "every SYN lost: retries at 1, 3, 7, 15, 31 s; ETIMEDOUT at 63 s", hs_7},
	{"hs-8",
	 "every SYN+ACK lost: SYN+ACK again at 1, 3, 7, 15, 31 s and for each SYN; dropped at 63 s",
	 hs_8},
	{"hs-9",
	 "third ACK lost: one ACK per SYN+ACK, never on its own; data completes the handshake",
	 hs_9},
	{"hs-10", "connect to a closed port: RST+ACK, ECONNREFUSED", hs_10},
	{NULL, NULL, NULL},
};
