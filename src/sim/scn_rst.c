/* Reset scenario RST-5: what the application sees after a reset. RST-1..RST-4, which need a
 * peer sending arbitrary segments, are scripts in packetdrill's language, checked against
 * Linux too (tests/conformance/rfc9293-arrival, rfc5961; docs/behaviours.md names them). */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

/* RST-5: a client holding 100 unread bytes, its own data just sent, receives the server's
 * abort (SO_LINGER 0) at 1.01 s: the unread bytes are still read (as Linux keeps its receive
 * queue; RFC 9293 3.10.7.4 would flush it), then ECONNRESET, then end of stream; its data
 * is never retransmitted. The server answers that data, which reaches it after the
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
	sk_expect(s, n == 100 && memcmp(buf, data, sizeof(data)) == 0,
		  "recv() = %ld, want the 100 bytes that arrived before the reset", n);
	n = sk_scn_recv(s, s->client, c, buf, sizeof(buf));
	sk_expect(s, n == -ECONNRESET, "then recv() = %s, want ECONNRESET", sk_errno_name((int)n));
	n = sk_scn_recv(s, s->client, c, buf, sizeof(buf));
	sk_expect(s, n == 0, "then recv() = %ld, want 0: end of stream", n);
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
	{"rst-5",
	 "after a RST: the data that came before it, then ECONNRESET (ECONNREFUSED in SYN-SENT)",
	 rst_5},
	{NULL, NULL, NULL},
};
