/* Connection-table scenarios (CONN-1..CONN-4): 4-tuple identification, listeners distinct from
 * their connections, many connections at a small per-connection cost, ephemeral ports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define HOST3_ADDR 0x0a000003u /* 10.0.0.3 */

static struct synack_sockaddr sockname(struct sk_scn *s, int host, int sock)
{
	struct synack_sockaddr a = sk_scn_sa(s, 0, 0);
	synack_getsockname(sk_world_stack(s->w, host), sock, &a);
	return a;
}

static struct synack_sockaddr peername(struct sk_scn *s, int host, int sock)
{
	struct synack_sockaddr a = sk_scn_sa(s, 0, 0);
	synack_getpeername(sk_world_stack(s->w, host), sock, &a);
	return a;
}

/* A socket bound to a fixed local port (SO_REUSEADDR so two may share it toward different
 * peers), then connected. */
static int connect_from(struct sk_scn *s, int host, uint16_t lport, uint32_t addr, uint16_t port)
{
	synack_stack *st = sk_world_stack(s->w, host);
	int k = synack_socket(st, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	if (k < 0)
		return k;
	sk_scn_setsockopt_int(s, host, k, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 1);
	struct synack_sockaddr a = sk_scn_sa(s, 0, lport);
	int r = synack_bind(st, k, &a);
	sk_world_note(s->w, host, "bind(:%u) = %d", lport, r);
	r = sk_scn_connect_sock(s, host, k, addr, port);
	return r == -EINPROGRESS ? k : r;
}

#define CONN1_N 100

/* CONN-1: connections are told apart by all four of (src addr, src port, dst addr, dst
 * port): 100 from one client to one port differ by source port; two from the same source
 * port differ by source address (two clients) or by destination port. Every message
 * reaches the socket of its own connection. */
static void conn_1(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int c2h = sk_world_add_host(s->w, "client2", HOST3_ADDR, NULL);
	if (!sk_expect(s, c2h >= 0, "three hosts"))
		return;
	int l = sk_scn_listen(s, s->server, SK_PORT, 256);
	int l2 = sk_scn_listen(s, s->server, SK_PORT + 1, 16);
	int c[CONN1_N];
	for (int i = 0; i < CONN1_N; i++)
		c[i] = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	/* Same source port 50000 on two client addresses; same source port 50001 toward two
	 * server ports. */
	int x1 = connect_from(s, s->client, 50000, SK_SERVER_ADDR, SK_PORT);
	int x2 = connect_from(s, c2h, 50000, SK_SERVER_ADDR, SK_PORT);
	int y1 = connect_from(s, s->client, 50001, SK_SERVER_ADDR, SK_PORT);
	int y2 = connect_from(s, s->client, 50001, SK_SERVER_ADDR, SK_PORT + 1);
	sk_expect(s, x1 >= 0 && x2 >= 0 && y1 >= 0 && y2 >= 0, "the fixed-port connects start");
	sk_world_run_until(s->w, SK_MS(50));

	/* Client side: 100 distinct source ports, all connected at 20 ms. */
	int distinct = 1;
	for (int i = 0; i < CONN1_N; i++)
		for (int j = 0; j < i; j++)
			if (sockname(s, s->client, c[i]).port == sockname(s, s->client, c[j]).port)
				distinct = 0;
	sk_expect(s, distinct, "100 different source ports");
	int connected = 0;
	for (int i = 0; i < CONN1_N; i++)
		connected +=
			(synack_events(sk_world_stack(s->w, s->client), c[i]) & SYNACK_EV_OUT) != 0;
	sk_expect(s, connected == CONN1_N, "%d of %d connected", connected, CONN1_N);

	/* Server side: accept everything, each client sends its own message. */
	int acc[CONN1_N + 3], nacc = 0, a;
	while (nacc < CONN1_N + 3 &&
	       (a = synack_accept(sk_world_stack(s->w, s->server), l, NULL)) >= 0)
		acc[nacc++] = a;
	int ay2 = synack_accept(sk_world_stack(s->w, s->server), l2, NULL);
	sk_expect(s, nacc == CONN1_N + 3 && ay2 >= 0,
		  "accepted %d on port %u (want %d) and one on %u", nacc, SK_PORT, CONN1_N + 3,
		  SK_PORT + 1);
	struct synack_stats st = sk_scn_stats(s, s->server);
	sk_expect(s, st.conns == CONN1_N + 4, "server conns = %llu, want %d",
		  (unsigned long long)st.conns, CONN1_N + 4);
	char msg[32];
	for (int i = 0; i < CONN1_N; i++) {
		int n = snprintf(msg, sizeof(msg), "from %u", sockname(s, s->client, c[i]).port);
		synack_send(sk_world_stack(s->w, s->client), c[i], msg, (size_t)n, 0);
	}
	synack_send(sk_world_stack(s->w, s->client), x1, "x1", 2, 0);
	synack_send(sk_world_stack(s->w, c2h), x2, "x2", 2, 0);
	synack_send(sk_world_stack(s->w, s->client), y1, "y1", 2, 0);
	synack_send(sk_world_stack(s->w, s->client), y2, "y2", 2, 0);
	sk_world_run_until(s->w, SK_MS(100));

	/* Each server socket got exactly the message of the peer its 4-tuple names, and
	 * answers with it; the answer comes back to the right client socket. */
	int right = 0, fixed_right = 0;
	for (int i = 0; i < nacc; i++) {
		struct synack_sockaddr p = peername(s, s->server, acc[i]),
				       me = sockname(s, s->server, acc[i]);
		char buf[64];
		long n = synack_recv(sk_world_stack(s->w, s->server), acc[i], buf, sizeof(buf) - 1,
				     0);
		buf[n > 0 ? n : 0] = 0;
		if (p.port == 50000 || p.port == 50001) {
			const char *want = p.port == 50001	      ? "y1"
					   : sk_scn_is_addr(s, &p, SK_CLIENT_ADDR) ? "x1"
								      : "x2";
			fixed_right += me.port == SK_PORT && sk_scn_is_addr(s, &me, SK_SERVER_ADDR) &&
				       !strcmp(buf, want);
		} else {
			snprintf(msg, sizeof(msg), "from %u", p.port);
			right += sk_scn_is_addr(s, &p, SK_CLIENT_ADDR) && !strcmp(buf, msg);
		}
		snprintf(msg, sizeof(msg), "to %u", p.port);
		synack_send(sk_world_stack(s->w, s->server), acc[i], msg, strlen(msg), 0);
	}
	sk_expect(s, right == CONN1_N, "%d of %d messages on the socket of their source port",
		  right, CONN1_N);
	sk_expect(s, fixed_right == 3,
		  "the three port-50000/50001 connections on port %u each got their own message",
		  SK_PORT);
	if (ay2 >= 0) {
		char buf[8] = {0};
		long n = synack_recv(sk_world_stack(s->w, s->server), ay2, buf, sizeof(buf) - 1, 0);
		struct synack_sockaddr p = peername(s, s->server, ay2);
		sk_expect(s,
			  n == 2 && !strcmp(buf, "y2") && p.port == 50001 &&
				  sockname(s, s->server, ay2).port == SK_PORT + 1,
			  "the connection to port %u from 50001 got \"y2\"", SK_PORT + 1);
	}
	sk_world_run_until(s->w, SK_MS(150));
	right = 0;
	for (int i = 0; i < CONN1_N; i++) {
		char buf[64];
		long n =
			synack_recv(sk_world_stack(s->w, s->client), c[i], buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = 0;
		snprintf(msg, sizeof(msg), "to %u", sockname(s, s->client, c[i]).port);
		right += !strcmp(buf, msg);
	}
	sk_expect(s, right == CONN1_N, "%d of %d answers on the right client socket", right,
		  CONN1_N);
	char b1[16] = {0}, b2[16] = {0};
	synack_recv(sk_world_stack(s->w, s->client), x1, b1, sizeof(b1) - 1, 0);
	synack_recv(sk_world_stack(s->w, c2h), x2, b2, sizeof(b2) - 1, 0);
	sk_expect(s, !strcmp(b1, "to 50000") && !strcmp(b2, "to 50000"),
		  "both port-50000 clients got their answer");
	st = sk_scn_stats(s, s->server);
	sk_expect(s, st.tcp_rst_out == 0 && st.tcp_drop_no_socket == 0,
		  "no segment went to a wrong or missing connection");
}

/* CONN-2: the listener and the sockets accept() returns are distinct; the listener stays in
 * LISTEN through accepts, closes of its connections, and its connections outlive it. */
static void conn_2(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	synack_stack *srv = sk_world_stack(s->w, s->server);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct synack_tcp_info ti;
	int c1 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	sk_expect(s, synack_events(srv, l) == 0,
		  "listener not readable before a connection completes");
	uint64_t when;
	int a1 = sk_scn_wait_accept(s, s->server, l, SK_S(1), &when);
	sk_expect(s, a1 >= 0 && a1 != l && when == SK_MS(30),
		  "accept() at 30 ms returns a new socket (%d, listener %d)", a1, l);
	sk_scn_tcp_info(s, s->server, l, &ti);
	sk_expect(s, ti.state == SYNACK_LISTEN, "listener still in LISTEN (%s)",
		  synack_state_name(ti.state));
	sk_scn_tcp_info(s, s->server, a1, &ti);
	sk_expect(s, ti.state == SYNACK_ESTABLISHED, "accepted socket ESTABLISHED");
	struct synack_sockaddr ln = sockname(s, s->server, l), an = sockname(s, s->server, a1);
	struct synack_sockaddr ap = peername(s, s->server, a1), cn = sockname(s, s->client, c1);
	sk_expect(s, sk_scn_is_addr(s, &ln, 0) && ln.port == SK_PORT, "listener bound to the any address, port %u", SK_PORT);
	sk_expect(s, sk_scn_is_addr(s, &an, SK_SERVER_ADDR) && an.port == SK_PORT,
		  "accepted socket is the server's address, port %u", SK_PORT);
	sk_expect(s, sk_scn_is_addr(s, &ap, SK_CLIENT_ADDR) && ap.port == cn.port,
		  "accepted socket's peer is the client");
	struct synack_sockaddr dummy;
	sk_expect(s, synack_getpeername(srv, l, &dummy) == -ENOTCONN,
		  "getpeername(listener) = ENOTCONN");
	char buf[16];
	sk_expect(s, synack_recv(srv, l, buf, sizeof(buf), 0) == -ENOTCONN,
		  "recv(listener) = ENOTCONN");
	sk_expect(s, synack_accept(srv, l, NULL) == -EAGAIN && synack_events(srv, l) == 0,
		  "nothing more to accept");

	/* A second connection: another distinct socket from the same listener. */
	int c2 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	int a2 = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	sk_expect(s, a2 >= 0 && a2 != a1 && a2 != l, "second accept() returns a third socket");

	/* Closing a connection leaves the listener alone. */
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->server, a1);
	sk_scn_close(s, s->client, c1);
	sk_world_run_until(s->w, SK_S(2));
	sk_scn_tcp_info(s, s->server, l, &ti);
	sk_expect(s, ti.state == SYNACK_LISTEN, "listener in LISTEN after a connection closed");
	int c3 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	int a3 = sk_scn_wait_accept(s, s->server, l, SK_S(3), NULL);
	sk_expect(s, a3 >= 0 && a3 != l && a3 != a2, "the listener still accepts");

	/* The listener closes; its accepted connections carry on. */
	sk_world_run_until(s->w, SK_S(3));
	sk_scn_close(s, s->server, l);
	sk_world_run_until(s->w, SK_MS(3100));
	sk_scn_send(s, s->client, c2, "still", 5);
	sk_scn_send(s, s->server, a3, "here", 4);
	sk_world_run_until(s->w, SK_MS(3200));
	long n = sk_scn_recv(s, s->server, a2, buf, sizeof(buf));
	sk_expect(s, n == 5 && !memcmp(buf, "still", 5),
		  "connection 2 carries data after its listener closed");
	n = sk_scn_recv(s, s->client, c3, buf, sizeof(buf));
	sk_expect(s, n == 4 && !memcmp(buf, "here", 4),
		  "connection 3 carries data after its listener closed");
	/* With the listener gone, a new connect is refused (HS-10). */
	int c4 = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	int r = sk_scn_wait_connect(s, s->client, c4, SK_S(4), NULL);
	sk_expect(s, r == -ECONNREFUSED,
		  "connect() after the listener closed: %s, want ECONNREFUSED", sk_errno_name(r));

	/* The listener's own socket changed state twice only: listen() and close(). */
	int lstate = 0, lbad = 0;
	for (size_t i = 0; i < sk_world_nrecs(s->w); i++) {
		const struct sk_rec *e = sk_world_rec(s->w, i);
		/* The listener's key is the wildcard address; its connections have the server's. */
		if (e->type != SK_REC_STATE || e->host != s->server || !sk_scn_is_addr(s, &e->ev.local, 0) ||
		    e->ev.local.port != SK_PORT)
			continue;
		lstate++;
		lbad += !((e->ev.old_state == SYNACK_CLOSED && e->ev.new_state == SYNACK_LISTEN &&
			   e->t == 0 && e->ev.sock == l) ||
			  (e->ev.old_state == SYNACK_LISTEN && e->ev.new_state == SYNACK_CLOSED &&
			   e->t == SK_S(3)));
	}
	sk_expect(s, lstate == 2 && lbad == 0,
		  "listener transitions: CLOSED -> LISTEN at 0, LISTEN -> CLOSED at 3 s (%d, %d)",
		  lstate, lbad);
}

#define CONN3_N	    10000
#define CONN3_BATCH 500

/* CONN-3: 10,000 concurrent connections (no fixed table), each idle one reported by TCP_INFO
 * as holding at most 1 KiB: no data buffers until data is there. */
static void conn_3(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	synack_stack *cst = sk_world_stack(s->w, s->client), *sst = sk_world_stack(s->w, s->server);
	int l = sk_scn_listen(s, s->server, SK_PORT, 4096);
	int *c = calloc(CONN3_N, sizeof(*c)), *acc = calloc(CONN3_N, sizeof(*acc));
	if (!sk_expect(s, c && acc, "memory for the handles")) {
		free(c);
		free(acc);
		return;
	}
	int nc = 0, na = 0, failed = 0;
	/* Batches of 500 every 50 ms stay under the SYN queue's 1024 records. */
	for (int b = 0; b < CONN3_N / CONN3_BATCH; b++) {
		sk_world_run_until(s->w, (uint64_t)b * SK_MS(50));
		for (int i = 0; i < CONN3_BATCH; i++) {
			int k = synack_socket(cst, sk_world_af(s->w), SYNACK_SOCK_STREAM);
			struct synack_sockaddr to = sk_scn_sa(s, SK_SERVER_ADDR, SK_PORT);
			if (k < 0 || synack_connect(cst, k, &to) != -EINPROGRESS)
				failed++;
			c[nc++] = k;
		}
		sk_world_run_until(s->w, (uint64_t)b * SK_MS(50) + SK_MS(40));
		int a;
		while (na < CONN3_N && (a = synack_accept(sst, l, NULL)) >= 0)
			acc[na++] = a;
	}
	sk_world_note(s->w, s->client, "%d connect() calls, %d failed; server accepted %d", nc,
		      failed, na);
	sk_world_run_until(s->w, SK_S(2));
	sk_expect(s, failed == 0 && na == CONN3_N, "%d connects failed, %d accepted (want 0, %d)",
		  failed, na, CONN3_N);
	struct synack_stats cs = sk_scn_stats(s, s->client), ss = sk_scn_stats(s, s->server);
	sk_expect(s, cs.conns == CONN3_N && cs.sockets == CONN3_N,
		  "client: conns %llu, sockets %llu (want %d)", (unsigned long long)cs.conns,
		  (unsigned long long)cs.sockets, CONN3_N);
	sk_expect(s, ss.conns == CONN3_N && ss.sockets == CONN3_N + 1 && ss.half_open == 0,
		  "server: conns %llu, sockets %llu, half_open %llu (want %d, %d, 0)",
		  (unsigned long long)ss.conns, (unsigned long long)ss.sockets,
		  (unsigned long long)ss.half_open, CONN3_N, CONN3_N + 1);
	sk_expect(s,
		  cs.tcp_rexmit == 0 && ss.syncookies_sent == 0 && ss.accept_queue_overflow == 0 &&
			  cs.tcp_rst_in_accepted == 0,
		  "no retransmission, cookie, overflow or reset along the way");
	int est = 0, small = 0;
	uint32_t maxmem = 0, minmem = UINT32_MAX;
	for (int i = 0; i < CONN3_N; i++) {
		struct synack_tcp_info ci, si;
		sk_scn_tcp_info(s, s->client, c[i], &ci);
		sk_scn_tcp_info(s, s->server, acc[i], &si);
		est += ci.state == SYNACK_ESTABLISHED && si.state == SYNACK_ESTABLISHED;
		uint32_t m = ci.mem_bytes > si.mem_bytes ? ci.mem_bytes : si.mem_bytes;
		uint32_t mn = ci.mem_bytes < si.mem_bytes ? ci.mem_bytes : si.mem_bytes;
		small += m <= 1024 && mn > 0;
		if (m > maxmem)
			maxmem = m;
		if (mn < minmem)
			minmem = mn;
	}
	sk_world_note(s->w, s->server, "idle connection memory: %u..%u bytes", minmem, maxmem);
	sk_expect(s, est == CONN3_N, "%d of %d connection pairs ESTABLISHED", est, CONN3_N);
	sk_expect(s, small == CONN3_N, "%d of %d pairs report 0 < mem_bytes <= 1024 (max %u)",
		  small, CONN3_N, maxmem);

	/* Buffers come with data and go when it is consumed: the memory report follows. */
	static const char data[1000] = "x";
	struct synack_tcp_info ti;
	sk_scn_send(s, s->client, c[0], data, sizeof(data));
	sk_world_run_until(s->w, SK_MS(2100));
	int a0 = -1;
	struct synack_sockaddr me = sockname(s, s->client, c[0]);
	for (int i = 0; i < na && a0 < 0; i++)
		if (peername(s, s->server, acc[i]).port == me.port)
			a0 = acc[i];
	sk_scn_tcp_info(s, s->server, a0, &ti);
	sk_expect(s, a0 >= 0 && ti.mem_bytes > 1024 + sizeof(data),
		  "1000 unread bytes show in the receiver's mem_bytes (%u)", ti.mem_bytes);
	sk_scn_tcp_info(s, s->client, c[0], &ti);
	sk_expect(s, ti.mem_bytes <= 1024, "the sender's buffer is gone once acked (%u)",
		  ti.mem_bytes);
	char buf[1000];
	long n = a0 >= 0 ? synack_recv(sst, a0, buf, sizeof(buf), 0) : -1;
	sk_scn_tcp_info(s, s->server, a0, &ti);
	sk_expect(s, n == 1000 && ti.mem_bytes <= 1024, "read: %ld bytes, mem_bytes back to %u", n,
		  ti.mem_bytes);
	free(c);
	free(acc);

	/* The configured cap is the limit: a server with max_sockets 2 holds its listener and
	 * one connection; accept() then fails with EMFILE and the connection waits in the
	 * queue until a socket is closed. */
	struct synack_config capped;
	synack_config_defaults(&capped);
	capped.max_sockets = 2;
	int ch = sk_world_add_host(s->w, "capped", HOST3_ADDR, &capped);
	if (!sk_expect(s, ch >= 0, "a third host"))
		return;
	int cl = sk_scn_listen(s, ch, SK_PORT, 16);
	sk_scn_connect(s, s->client, HOST3_ADDR, SK_PORT);
	sk_scn_connect(s, s->client, HOST3_ADDR, SK_PORT);
	sk_world_run_until(s->w, SK_MS(2300));
	int k1 = sk_scn_accept(s, ch, cl);
	int k2 = sk_scn_accept(s, ch, cl);
	sk_expect(s, k1 >= 0 && k2 == -EMFILE, "second accept() = %s, want EMFILE",
		  sk_errno_name(k2));
	sk_expect(s, synack_socket(sk_world_stack(s->w, ch), sk_world_af(s->w), SYNACK_SOCK_STREAM) == -EMFILE,
		  "socket() = EMFILE at the cap");
	sk_scn_close(s, ch, k1);
	k2 = sk_scn_accept(s, ch, cl);
	sk_expect(s, k2 >= 0, "accept() succeeds once a socket was closed");
}

/* CONN-4: ephemeral ports from ip_local_port_range (here 40000-40002); a port is not reused
 * for the same peer while a connection or its TIME-WAIT holds it, but may serve another
 * peer (the 4-tuple differs). */
static void conn_4(struct sk_scn *s)
{
	struct synack_config cc;
	synack_config_defaults(&cc);
	cc.ip_local_port_range[0] = 40000;
	cc.ip_local_port_range[1] = 40002;
	sk_scn_pair(s, &cc, NULL);
	int s2 = sk_world_add_host(s->w, "server2", HOST3_ADDR, NULL);
	int dflt = sk_world_add_host(s->w, "client2", 0x0a000004u, NULL);
	if (!sk_expect(s, s2 >= 0 && dflt >= 0, "four hosts"))
		return;
	synack_stack *cst = sk_world_stack(s->w, s->client);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	sk_scn_listen(s, s2, SK_PORT, 16);
	int c[3];
	uint16_t port[3];
	unsigned seen = 0;
	for (int i = 0; i < 3; i++) {
		c[i] = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
		port[i] = c[i] >= 0 ? sockname(s, s->client, c[i]).port : 0;
		if (port[i] >= 40000 && port[i] <= 40002)
			seen |= 1u << (port[i] - 40000);
	}
	sk_expect(s, seen == 7, "the three connections use ports 40000, 40001, 40002 (%u %u %u)",
		  port[0], port[1], port[2]);
	int c4 = synack_socket(cst, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	int r = sk_scn_connect_sock(s, s->client, c4, SK_SERVER_ADDR, SK_PORT);
	sk_expect(s, r == -EADDRNOTAVAIL,
		  "fourth connect() to the same peer = %s, want EADDRNOTAVAIL", sk_errno_name(r));
	/* Another peer: the same ports make different 4-tuples. */
	int o = sk_scn_connect(s, s->client, HOST3_ADDR, SK_PORT);
	uint16_t op = o >= 0 ? sockname(s, s->client, o).port : 0;
	sk_expect(s, o >= 0 && op >= 40000 && op <= 40002,
		  "a connect() to another peer still gets a port in range (%u)", op);
	/* A stack with the default range draws from 32768-60999. */
	int d = sk_scn_connect(s, dflt, SK_SERVER_ADDR, SK_PORT);
	uint16_t dp = d >= 0 ? sockname(s, dflt, d).port : 0;
	sk_expect(s, dp >= 32768 && dp <= 60999, "default range: port %u in 32768-60999", dp);
	sk_world_run_until(s->w, SK_MS(50));
	int acc[4], na = 0, a;
	while (na < 4 && (a = synack_accept(sk_world_stack(s->w, s->server), l, NULL)) >= 0)
		acc[na++] = a;
	sk_expect(s, na == 4, "server accepted %d (want 4)", na);

	/* The first connection closes actively (1 s), the server closes at 2 s: the client's
	 * TIME-WAIT starts at 2.010 s and ends at 62.010 s (2MSL). Until then its port stays
	 * taken for this peer (tcp_tw_reuse 2 applies to loopback only). */
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, c[0]);
	int a0 = -1;
	for (int i = 0; i < na; i++)
		if (peername(s, s->server, acc[i]).port == port[0])
			a0 = acc[i];
	sk_world_run_until(s->w, SK_MS(1500));
	r = sk_scn_connect_sock(s, s->client, c4, SK_SERVER_ADDR, SK_PORT);
	sk_expect(s, r == -EADDRNOTAVAIL, "connect() during FIN-WAIT-2: %s, want EADDRNOTAVAIL",
		  sk_errno_name(r));
	sk_world_run_until(s->w, SK_S(2));
	if (a0 >= 0)
		sk_scn_close(s, s->server, a0);
	sk_world_run_until(s->w, SK_S(30));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, port[0], SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_TIME_WAIT) == SK_MS(2010),
		  "first connection in TIME-WAIT at 2.010 s");
	sk_expect(s, sk_scn_stats(s, s->client).time_wait == 1, "one TIME-WAIT record");
	r = sk_scn_connect_sock(s, s->client, c4, SK_SERVER_ADDR, SK_PORT);
	sk_expect(s, r == -EADDRNOTAVAIL, "connect() during TIME-WAIT: %s, want EADDRNOTAVAIL",
		  sk_errno_name(r));
	sk_world_run_until(s->w, SK_MS(62009));
	r = sk_scn_connect_sock(s, s->client, c4, SK_SERVER_ADDR, SK_PORT);
	sk_expect(s, r == -EADDRNOTAVAIL, "connect() 1 ms before TIME-WAIT ends: %s",
		  sk_errno_name(r));
	sk_world_run_until(s->w, SK_MS(62010));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, port[0], SK_PORT, SYNACK_TIME_WAIT,
					  SYNACK_CLOSED) == SK_MS(62010),
		  "TIME-WAIT ends at 62.010 s");
	r = sk_scn_connect_sock(s, s->client, c4, SK_SERVER_ADDR, SK_PORT);
	uint16_t p4 = sockname(s, s->client, c4).port;
	sk_expect(s, r == -EINPROGRESS && p4 == port[0],
		  "connect() once TIME-WAIT ended: %s on port %u (want %u)", sk_errno_name(r), p4,
		  port[0]);
	uint64_t when;
	r = sk_scn_wait_connect(s, s->client, c4, SK_S(63), &when);
	sk_expect(s, r == 0 && when == SK_MS(62030), "it connects at 62.030 s");
}

const struct sk_scenario sk_scn_conn[] = {
	{"conn-1", "connections told apart by the 4-tuple; data reaches its own socket", conn_1},
	{"conn-2", "the listener is distinct from its connections and stays in LISTEN", conn_2},
	{"conn-3", "10,000 concurrent connections; idle ones report <= 1 KiB each", conn_3},
	{"conn-4",
	 "ephemeral ports from ip_local_port_range; held while a connection or TIME-WAIT uses them",
	 conn_4},
	{NULL, NULL, NULL},
};
