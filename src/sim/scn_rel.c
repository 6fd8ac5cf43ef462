/* Reliable-transfer scenarios (REL-*); so far REL-9, keepalive. */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define S   SK_TCP_SYN
#define A   SK_TCP_ACK
#define R   SK_TCP_RST
#define ALL (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST | SK_TCP_FIN)

/* A socket with SO_KEEPALIVE (and TCP_KEEPIDLE/INTVL/CNT when nonzero) set before connect. */
static int ka_connect(struct sk_scn *s, int host, int idle, int intvl, int cnt)
{
	int k = synack_socket(sk_world_stack(s->w, host), SYNACK_SOCK_STREAM);
	if (k < 0)
		return k;
	sk_scn_setsockopt_int(s, host, k, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 1);
	if (idle)
		sk_scn_setsockopt_int(s, host, k, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPIDLE, idle);
	if (intvl)
		sk_scn_setsockopt_int(s, host, k, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPINTVL, intvl);
	if (cnt)
		sk_scn_setsockopt_int(s, host, k, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPCNT, cnt);
	int r = sk_scn_connect_sock(s, host, k, SK_SERVER_ADDR, SK_PORT);
	return r == -EINPROGRESS ? k : r;
}

static int get_int(struct sk_scn *s, int host, int sock, int level, int name)
{
	int v = -1;
	size_t len = sizeof(v);
	synack_getsockopt(sk_world_stack(s->w, host), sock, level, name, &v, &len);
	return v;
}

static uint16_t local_port(struct sk_scn *s, int host, int sock)
{
	struct synack_sockaddr a = {0, 0};
	synack_getsockname(sk_world_stack(s->w, host), sock, &a);
	return a.port;
}

/* A keepalive probe: a bare ACK, seq = snd_una - 1 (x when the client's snd_una is x+1), no
 * data (RFC 9293 3.8.4, RFC 1122 4.2.3.6), sent at time t. */
static int probe_is(const struct sk_rec *r, uint64_t t, uint32_t seq, uint32_t ack)
{
	return r && r->t == t && sk_scn_seg_is(r, A, seq, ack) && r->d.tcp.payload_len == 0;
}

/* REL-9: four clients with SO_KEEPALIVE connect at 0 (ESTABLISHED at 20 ms, idle from then):
 *  client   (10.0.0.1): the server vanishes at 1 s: probes at 7200.02 s + k * 75 s, k < 9,
 *                       unanswered; ETIMEDOUT at 7875.02 s (7200 + 9 * 75);
 *  answering (.3):      data at 1000.01 s, probe at 8200.01 s answered, next one 7200 s
 *                       after the answer; the connection survives;
 *  restarting (.4):     the server forgets the connection at 100 s (SO_LINGER 0, its RST lost,
 *                       like a reboot): the probe at 7200.02 s gets a RST: ECONNRESET;
 *  tuned (.5):          TCP_KEEPIDLE 60, TCP_KEEPINTVL 10, TCP_KEEPCNT 3, server vanished:
 *                       probes at 60.02, 70.02, 80.02 s; ETIMEDOUT at 90.02 s;
 *  halfclosed (.6):     idle 120, interval 10, 2 probes; shutdown(SHUT_WR) at 1 s, FIN-WAIT-2
 *                       from 1.06 s (the FIN's ACK is delayed 40 ms), then the server
 *                       vanishes: keepalive covers FIN-WAIT-2 too (a half-closed socket has no
 *                       FIN-WAIT-2 limit, CL-9): probes at 121.06, 131.06 s, ETIMEDOUT at
 *                       141.06 s. */
static void rel_9(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int hb = sk_world_add_host(s->w, "answering", 0x0a000003u, NULL);
	int hc = sk_world_add_host(s->w, "restarting", 0x0a000004u, NULL);
	int hd = sk_world_add_host(s->w, "tuned", 0x0a000005u, NULL);
	int he = sk_world_add_host(s->w, "halfclosed", 0x0a000006u, NULL);
	if (!sk_expect(s, hb >= 0 && hc >= 0 && hd >= 0 && he >= 0, "six hosts"))
		return;
	synack_stack *srv = sk_world_stack(s->w, s->server);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	int host[5] = {s->client, hb, hc, hd, he}, c[5], sv[5] = {-1, -1, -1, -1, -1};
	uint16_t port[5];
	uint32_t x[5] = {0}, y[5] = {0};
	c[0] = ka_connect(s, s->client, 0, 0, 0);
	c[1] = ka_connect(s, hb, 0, 0, 0);
	c[2] = ka_connect(s, hc, 0, 0, 0);
	c[3] = ka_connect(s, hd, 60, 10, 3);
	c[4] = ka_connect(s, he, 120, 10, 2);
	sk_world_run_until(s->w, SK_MS(50));
	for (int i = 0; i < 5; i++) {
		port[i] = local_port(s, host[i], c[i]);
		struct synack_sockaddr p;
		int a = synack_accept(srv, l, &p);
		for (int j = 0; a >= 0 && j < 5; j++)
			if (p.addr == sk_world_addr(s->w, host[j]))
				sv[j] = a;
	}
	for (int i = 0; i < 5; i++) {
		const struct sk_rec *syn =
			sk_scn_seg_ports(s, host[i], port[i], SK_PORT, ALL, S, 1);
		const struct sk_rec *sa =
			sk_scn_seg_ports(s, s->server, SK_PORT, port[i], ALL, S | A, 1);
		if (!sk_expect(s, syn && sa && sv[i] >= 0, "%s connected and accepted",
			       sk_world_name(s->w, host[i])))
			return;
		x[i] = syn->d.tcp.seq;
		y[i] = sa->d.tcp.seq;
		sk_expect(s,
			  sk_scn_state_time_ports(s, host[i], port[i], SK_PORT, SYNACK_SYN_SENT,
						  SYNACK_ESTABLISHED) == SK_MS(20),
			  "%s ESTABLISHED at 20 ms", sk_world_name(s->w, host[i]));
	}
	/* Defaults and overrides, as getsockopt reports them. */
	sk_expect(s,
		  get_int(s, s->client, c[0], SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE) == 1 &&
			  get_int(s, s->client, c[0], SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPIDLE) ==
				  7200 &&
			  get_int(s, s->client, c[0], SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPINTVL) ==
				  75 &&
			  get_int(s, s->client, c[0], SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPCNT) == 9,
		  "defaults: SO_KEEPALIVE 1, idle 7200 s, interval 75 s, 9 probes");
	sk_expect(s,
		  get_int(s, hd, c[3], SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPIDLE) == 60 &&
			  get_int(s, hd, c[3], SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPINTVL) == 10 &&
			  get_int(s, hd, c[3], SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPCNT) == 3,
		  "overrides: idle 60 s, interval 10 s, 3 probes");

	/* The server vanishes for "client" and "tuned"; for "restarting" its next RST is lost. */
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_rule(s, s->server, s->client, 0, 0, 0, 0, SK_SIMNET_DROP, 0);
	sk_scn_rule(s, s->server, hd, 0, 0, 0, 0, SK_SIMNET_DROP, 0);
	sk_scn_rule(s, s->server, hc, R, R, 1, 1, SK_SIMNET_DROP, 0);
	/* halfclosed: its FIN now; the server vanishes once it is acked. */
	sk_scn_shutdown(s, he, c[4], SYNACK_SHUT_WR);
	sk_world_run_until(s->w, SK_S(2));
	sk_expect(s,
		  sk_scn_state_time_ports(s, he, port[4], SK_PORT, SYNACK_FIN_WAIT_1,
					  SYNACK_FIN_WAIT_2) == SK_MS(1060),
		  "halfclosed: FIN-WAIT-2 at 1.060 s");
	sk_scn_rule(s, s->server, he, 0, 0, 0, 0, SK_SIMNET_DROP, 0);

	/* tuned: 3 probes 10 s apart after 60 s idle, then ETIMEDOUT. */
	sk_world_run_until(s->w, SK_S(100));
	for (int k = 0; k < 3; k++) {
		const struct sk_rec *p = sk_scn_seg_ports(s, hd, port[3], SK_PORT, ALL, A, 2 + k);
		sk_expect(s, probe_is(p, SK_MS(60020) + (uint64_t)k * SK_S(10), x[3], y[3] + 1),
			  "tuned: probe %d at %.3f s, seq x ack y+1, no data", k + 1,
			  (double)(60020 + 10000 * k) / 1000);
	}
	sk_expect(s, sk_scn_count_ports(s, hd, port[3], SK_PORT, 0, 0) == 5,
		  "tuned: SYN, ACK and 3 probes, nothing else");
	sk_expect(s,
		  sk_scn_state_time_ports(s, hd, port[3], SK_PORT, SYNACK_ESTABLISHED,
					  SYNACK_CLOSED) == SK_MS(90020),
		  "tuned: connection dropped at 90.020 s");
	char buf[16];
	long n = sk_scn_recv(s, hd, c[3], buf, sizeof(buf));
	sk_expect(s, n == -ETIMEDOUT, "tuned: recv() = %s, want ETIMEDOUT", sk_errno_name((int)n));
	sk_expect(s, sk_scn_stats(s, hd).tcp_keepalive_timeouts == 1,
		  "tuned: one keepalive timeout counted");

	/* restarting: the server drops its side silently (its RST is lost). */
	struct synack_linger lg = {1, 0};
	synack_setsockopt(srv, sv[2], SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &lg, sizeof(lg));
	sk_scn_close(s, s->server, sv[2]);
	/* answering: data at 1000 s resets its idle clock. */
	sk_world_run_until(s->w, SK_S(1000));
	sk_scn_send(s, s->server, sv[1], "k", 1);
	sk_world_run_until(s->w, SK_S(1001));
	n = sk_scn_recv(s, hb, c[1], buf, sizeof(buf));
	sk_expect(s, n == 1, "answering: reads the byte sent at 1000 s");

	/* halfclosed: FIN seq x+1 acked, so probes carry seq x+1 (snd_una - 1). */
	for (int k = 0; k < 2; k++) {
		const struct sk_rec *p = sk_scn_seg_ports(s, he, port[4], SK_PORT, ALL, A, 2 + k);
		sk_expect(s,
			  probe_is(p, SK_MS(121060) + (uint64_t)k * SK_S(10), x[4] + 1, y[4] + 1),
			  "halfclosed: probe %d at %.3f s, seq x+1 ack y+1, no data", k + 1,
			  121.060 + 10.0 * k);
	}
	sk_expect(s, sk_scn_count_ports(s, he, port[4], SK_PORT, 0, 0) == 5,
		  "halfclosed: SYN, ACK, FIN and 2 probes");
	sk_expect(s,
		  sk_scn_state_time_ports(s, he, port[4], SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_CLOSED) == SK_MS(141060),
		  "halfclosed: dropped from FIN-WAIT-2 at 141.060 s");
	n = sk_scn_recv(s, he, c[4], buf, sizeof(buf));
	sk_expect(s, n == -ETIMEDOUT, "halfclosed: recv() = %s, want ETIMEDOUT",
		  sk_errno_name((int)n));

	/* restarting: its probe at 7200.02 s meets no connection: RST <SEQ=probe's ACK> (RST-1),
	 * exactly rcv_nxt, so accepted (RST-3): ECONNRESET at 7200.04 s. */
	sk_world_run_until(s->w, SK_S(7300));
	const struct sk_rec *pc = sk_scn_seg_ports(s, hc, port[2], SK_PORT, ALL, A, 2);
	sk_expect(s, probe_is(pc, SK_MS(7200020), x[2], y[2] + 1),
		  "restarting: probe at 7200.020 s");
	const struct sk_rec *lost = sk_scn_seg_ports(s, s->server, SK_PORT, port[2], R, R, 1);
	const struct sk_rec *rst = sk_scn_seg_ports(s, s->server, SK_PORT, port[2], R, R, 2);
	sk_expect(s, lost && lost->dropped && lost->t == SK_S(100),
		  "the server's abort RST at 100 s was lost");
	sk_expect(s, rst && rst->t == SK_MS(7200030) && sk_scn_seg_is(rst, R, y[2] + 1, 0),
		  "the server answers the probe with RST seq y+1");
	sk_expect(s,
		  sk_scn_state_time_ports(s, hc, port[2], SK_PORT, SYNACK_ESTABLISHED,
					  SYNACK_CLOSED) == SK_MS(7200040),
		  "restarting: connection reset at 7200.040 s");
	n = sk_scn_recv(s, hc, c[2], buf, sizeof(buf));
	sk_expect(s, n == -ECONNRESET, "restarting: recv() = %s, want ECONNRESET",
		  sk_errno_name((int)n));
	sk_expect(s, sk_scn_count_ports(s, hc, port[2], SK_PORT, ALL, A) == 2,
		  "restarting: one probe only");

	/* client: 9 unanswered probes 75 s apart, ETIMEDOUT at 7200 + 9 * 75 s after idle began. */
	sk_world_run_until(s->w, SK_S(7900));
	for (int k = 0; k < 9; k++) {
		const struct sk_rec *p =
			sk_scn_seg_ports(s, s->client, port[0], SK_PORT, ALL, A, 2 + k);
		sk_expect(s, probe_is(p, SK_MS(7200020) + (uint64_t)k * SK_S(75), x[0], y[0] + 1),
			  "client: probe %d at %.3f s, seq x ack y+1, no data", k + 1,
			  7200.020 + 75.0 * k);
		const struct sk_rec *ans =
			sk_scn_seg_ports(s, s->server, SK_PORT, port[0], ALL, A, 1 + k);
		sk_expect(s,
			  ans && ans->dropped &&
				  ans->t == SK_MS(7200030) + (uint64_t)k * SK_S(75) &&
				  sk_scn_seg_is(ans, A, y[0] + 1, x[0] + 1),
			  "the server ACKs probe %d, lost", k + 1);
	}
	sk_expect(s, sk_scn_count_ports(s, s->client, port[0], SK_PORT, 0, 0) == 11,
		  "client: SYN, ACK and 9 probes, nothing else");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, port[0], SK_PORT, SYNACK_ESTABLISHED,
					  SYNACK_CLOSED) == SK_MS(7875020),
		  "client: connection dropped at 7875.020 s (2 h 11 min 15 s of idleness)");
	n = sk_scn_recv(s, s->client, c[0], buf, sizeof(buf));
	sk_expect(s, n == -ETIMEDOUT, "client: recv() = %s, want ETIMEDOUT", sk_errno_name((int)n));
	sk_expect(s, sk_scn_stats(s, s->client).tcp_keepalive_timeouts == 1,
		  "client: one keepalive timeout counted");

	/* answering: idle since the byte arrived (1000.01 s): probe at 8200.01 s (seq x, ack
	 * y+2 past the byte), answered at 8200.02 s, received 8200.03 s: next probe 15400.03 s. */
	sk_world_run_until(s->w, SK_S(20000));
	const struct sk_rec *p1 = sk_scn_seg_ports(s, hb, port[1], SK_PORT, ALL, A, 3);
	const struct sk_rec *p2 = sk_scn_seg_ports(s, hb, port[1], SK_PORT, ALL, A, 4);
	/* (the mask leaves PSH out: the server's first ACK-only match is its data at 1000 s) */
	const struct sk_rec *an = sk_scn_seg_ports(s, s->server, SK_PORT, port[1], ALL, A, 2);
	sk_expect(s, probe_is(p1, SK_MS(8200010), x[1], y[1] + 2),
		  "answering: first probe at 8200.010 s");
	sk_expect(s,
		  an && !an->dropped && an->t == SK_MS(8200020) &&
			  sk_scn_seg_is(an, A, y[1] + 2, x[1] + 1),
		  "the server answers it at 8200.020 s");
	sk_expect(s, probe_is(p2, SK_MS(15400030), x[1], y[1] + 2),
		  "answering: next probe 7200 s after the answer");
	sk_expect(s, sk_scn_count_ports(s, hb, port[1], SK_PORT, ALL, A) == 4,
		  "answering: handshake ACK, data ACK, 2 probes");
	struct synack_tcp_info ti;
	sk_scn_tcp_info(s, hb, c[1], &ti);
	sk_expect(s, ti.state == SYNACK_ESTABLISHED, "answering: still ESTABLISHED at 20000 s");
	sk_scn_send(s, hb, c[1], "alive", 5);
	sk_world_run_until(s->w, SK_MS(20000100));
	n = sk_scn_recv(s, s->server, sv[1], buf, sizeof(buf));
	sk_expect(s, n == 5 && !memcmp(buf, "alive", 5),
		  "answering: the connection still carries data");
}

const struct sk_scenario sk_scn_rel[] = {
	{"rel-9",
	 "keepalive: probes after 7200 s idle every 75 s, ETIMEDOUT after 9; RST; answers; "
	 "overrides",
	 rel_9},
	{NULL, NULL, NULL},
};
