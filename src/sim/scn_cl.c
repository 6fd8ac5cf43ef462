/* Closing scenarios (CL-1..CL-11). */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

/* The retransmission timeout both sides start the close with. The handshake is their only
 * RTT sample: 20 ms on a 10 ms one-way link (timestamps echo the SYN / SYN+ACK), so RFC
 * 6298 2.2 gives SRTT = 20 ms, RTTVAR = 10 ms; Linux's floor (REL-3) raises the variance term
 * 4 RTTVAR = 40 ms to rto_min, 200 ms, so RTO = SRTT + 200 ms = 220 ms (RFC 6298 2.4 would
 * say 1 s). */
#define RTO0	SK_MS(220)
#define RTO_MAX SK_S(120) /* tcp_rto_max_ms: the ceiling of the backoff (RFC 6298 2.5) */

/* When the n-th retransmission timeout after a segment first sent at t0 fires (n >= 1):
 * the timer doubles after every timeout (RFC 6298 5.5) up to RTO_MAX. */
static uint64_t rexmt_time(uint64_t t0, int n)
{
	uint64_t t = t0, rto = RTO0;
	for (int i = 0; i < n; i++) {
		t += rto;
		rto = rto * 2 < RTO_MAX ? rto * 2 : RTO_MAX;
	}
	return t;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

/* Establishes client <-> server (checked): the sockets, and the ISNs of the handshake, x the
 * client's and y the server's. */
static int open_pair(struct sk_scn *s, int *cs, int *ss, uint32_t *x, uint32_t *y)
{
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	*cs = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	return sk_expect(s, sk_scn_open(s, l, *cs, ss) && sk_scn_isns(s, 0, x, y),
			 "connection established");
}

/* One more connection to listener l, from now: returns the client's port, 0 on failure. */
static uint16_t open_more(struct sk_scn *s, int l, int *cs, int *ss)
{
	*cs = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	return sk_scn_open(s, l, *cs, ss) ? sk_scn_port(s, s->client, *cs) : 0;
}

static unsigned long long us(uint64_t t)
{
	return (unsigned long long)t;
}

/* CL-1, CL-2: four-way close; only the side that closed first waits 2MSL. */
static void cl_1(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_scn_close_both(s, s->client, cs, SK_S(1), s->server, ss, SK_S(2));
	sk_world_run_idle(s->w, SK_S(200));
	const struct sk_rec *f1 = sk_scn_seg(s, s->client, ALL, F | A, 1);
	const struct sk_rec *f2 = sk_scn_seg(s, s->server, ALL, F | A, 1);
	if (!sk_expect(s, f1 && f2, "both FINs sent"))
		return;
	const struct sk_rec *ack_of_f1 = sk_scn_seg(s, s->server, ALL, A, 1);
	sk_expect(s, f1->t == SK_S(1) && sk_scn_seg_is(f1, F | A, x + 1, y + 1),
		  "client FIN at 1 s, seq x+1");
	sk_expect(s,
		  ack_of_f1 && ack_of_f1->t == SK_MS(1011) &&
			  sk_scn_seg_is(ack_of_f1, A, y + 1, x + 2),
		  "server ACKs the FIN at 1.011 s (no data came before it: Linux's delayed-ACK "
		  "timer fires at the next tick)");
	sk_expect(s, f2->t == SK_S(2) && sk_scn_seg_is(f2, F | A, y + 1, x + 2),
		  "server FIN at 2 s");
	const struct sk_rec *last = sk_scn_seg(s, s->client, ALL, A, 2);
	sk_expect(s, last && last->t == SK_MS(2010) && sk_scn_seg_is(last, A, x + 2, y + 2),
		  "client's last ACK at 2.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1) == SK_S(1),
		  "FIN-WAIT-1 at 1 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2) ==
			  SK_MS(1021),
		  "FIN-WAIT-2 at 1.021 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) ==
			  SK_MS(1010),
		  "CLOSE-WAIT at 1.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK) == SK_S(2),
		  "LAST-ACK at 2 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(2010),
		  "TIME-WAIT at 2.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(2020),
		  "server CLOSED at 2.02 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(62010),
		  "TIME-WAIT ends at 62.01 s (2MSL)");
	/* CL-2 */
	sk_expect(s, sk_scn_state_time(s, s->server, -1, SYNACK_TIME_WAIT) == UINT64_MAX,
		  "the server never enters TIME-WAIT");
}

/* CL-2: the roles swapped: the server closes first, so the server, not the client, waits
 * in TIME-WAIT. Which side waits depends on who closed first, not on who connected. */
static void cl_2(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_scn_close_both(s, s->server, ss, SK_S(1), s->client, cs, SK_S(2));
	sk_world_run_until(s->w, SK_S(30));
	struct synack_stats cst = sk_scn_stats(s, s->client), sst = sk_scn_stats(s, s->server);
	sk_expect(s, sst.time_wait == 1 && cst.time_wait == 0,
		  "at 30 s the server holds 1 TIME-WAIT record (has %llu), the client none (has "
		  "%llu)",
		  (unsigned long long)sst.time_wait, (unsigned long long)cst.time_wait);
	sk_world_run_idle(s->w, SK_S(200));

	const struct sk_rec *f1 = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *f2 = sk_scn_seg(s, s->client, ALL, F | A, 1);
	const struct sk_rec *ack1 = sk_scn_seg(s, s->client, ALL, A, 2); /* 1st: the handshake's */
	const struct sk_rec *ack2 = sk_scn_seg(s, s->server, ALL, A, 1);
	sk_expect(s, f1 && f1->t == SK_S(1) && sk_scn_seg_is(f1, F | A, y + 1, x + 1),
		  "server FIN at 1 s, seq y+1 ack x+1");
	sk_expect(s, ack1 && ack1->t == SK_MS(1011) && sk_scn_seg_is(ack1, A, x + 1, y + 2),
		  "client ACKs it at 1.011 s (the next tick: no data came before it)");
	sk_expect(s, f2 && f2->t == SK_S(2) && sk_scn_seg_is(f2, F | A, x + 1, y + 2),
		  "client FIN at 2 s, seq x+1 ack y+2");
	sk_expect(s, ack2 && ack2->t == SK_MS(2010) && sk_scn_seg_is(ack2, A, y + 2, x + 2),
		  "server's last ACK at 2.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1) == SK_S(1),
		  "server FIN-WAIT-1 at 1 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2) ==
			  SK_MS(1021),
		  "server FIN-WAIT-2 at 1.021 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) ==
			  SK_MS(1010),
		  "client CLOSE-WAIT at 1.01 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK) == SK_S(2),
		  "client LAST-ACK at 2 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(2010),
		  "server TIME-WAIT at 2.01 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(2020),
		  "client CLOSED at 2.02 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(62010),
		  "server's TIME-WAIT ends at 62.01 s");
	sk_expect(s, sk_scn_state_time(s, s->client, -1, SYNACK_TIME_WAIT) == NEVER,
		  "the client never enters TIME-WAIT");
	cst = sk_scn_stats(s, s->client);
	sst = sk_scn_stats(s, s->server);
	sk_expect(s, sst.tw_created == 1 && cst.tw_created == 0,
		  "TIME-WAIT records created: server 1, client 0");
}

/* CL-3: after shutdown(SHUT_WR) the client can send no more, yet the server, which has
 * received the FIN, keeps sending, write after write, and the client keeps receiving and
 * acknowledging, until the server's own FIN. */
static void cl_3(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_shutdown(s, s->client, cs, SYNACK_SHUT_WR);
	uint8_t one = 1;
	long r = sk_scn_send(s, s->client, cs, &one, 1);
	sk_expect(s, r == -EPIPE, "send() after shutdown(SHUT_WR) = %s, want EPIPE",
		  sk_errno_name((int)r));
	sk_world_run_until(s->w, SK_MS(1500));
	uint8_t b[512];
	sk_expect(s, sk_scn_recv(s, s->server, ss, b, sizeof(b)) == 0, "server reads EOF at 1.5 s");

	/* Three writes a second apart; each is read by the client half a second later. */
	static const size_t len[3] = {100, 200, 300};
	uint32_t off = 0;
	for (int i = 0; i < 3; i++) {
		uint8_t out[300];
		fill(out, len[i], 17u * (unsigned)i);
		sk_world_run_until(s->w, SK_S(2 + i));
		r = sk_scn_send(s, s->server, ss, out, len[i]);
		sk_expect(s, r == (long)len[i], "server send #%d in CLOSE-WAIT = %ld, want %zu",
			  i + 1, r, len[i]);
		sk_world_run_until(s->w, SK_S(2 + i) + SK_MS(500));
		r = sk_scn_recv(s, s->client, cs, b, sizeof(b));
		sk_expect(s, r == (long)len[i] && memcmp(b, out, len[i]) == 0,
			  "client in FIN-WAIT-2 reads write #%d whole (%ld bytes)", i + 1, r);
		const struct sk_rec *d = sk_scn_seg(s, s->server, ALLP, P | A, i + 1);
		sk_expect(s,
			  d && d->t == SK_S(2 + i) && sk_scn_seg_is(d, P | A, y + 1 + off, x + 2) &&
				  d->d.tcp.payload_len == len[i],
			  "data segment #%d at %d s: seq y+%u ack x+2, %zu bytes", i + 1, 2 + i,
			  1 + off, len[i]);
		off += (uint32_t)len[i];
		/* The client's ACK (the 2nd..4th of its bare ACKs: the 1st is the handshake's),
		 * at once: the first data of a connection is quick-ACKed (Linux's quick-ACK
		 * mode, REL-6). */
		const struct sk_rec *a = sk_scn_seg(s, s->client, ALL, A, 2 + i);
		sk_expect(s,
			  a && a->t == SK_S(2 + i) + SK_MS(10) &&
				  sk_scn_seg_is(a, A, x + 2, y + 1 + off),
			  "client ACKs write #%d at %d.01 s: seq x+2 ack y+%u", i + 1, 2 + i,
			  1 + off);
		sk_expect(s, sk_scn_state(s, s->client, cs) == SYNACK_FIN_WAIT_2,
			  "client still in FIN-WAIT-2");
	}
	sk_world_run_until(s->w, SK_S(5));
	sk_scn_close(s, s->server, ss);
	sk_world_run_until(s->w, SK_S(6));
	r = sk_scn_recv(s, s->client, cs, b, sizeof(b));
	sk_expect(s, r == 0, "client reads EOF after the server's FIN (got %ld)", r);
	sk_world_run_idle(s->w, SK_S(200));

	const struct sk_rec *fc = sk_scn_seg(s, s->client, ALL, F | A, 1);
	const struct sk_rec *fs = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *last = sk_scn_seg(s, s->client, ALL, A, 5);
	sk_expect(s, fc && fc->t == SK_S(1) && sk_scn_seg_is(fc, F | A, x + 1, y + 1),
		  "client FIN at 1 s: seq x+1 ack y+1");
	sk_expect(s, sk_scn_count(s, s->client, ALL, F | A) == 1, "the client sends one FIN");
	sk_expect(s, sk_scn_count(s, s->client, ALLP, P | A) == 0,
		  "the client sends no data after shutdown");
	sk_expect(s, fs && fs->t == SK_S(5) && sk_scn_seg_is(fs, F | A, y + 601, x + 2),
		  "server FIN at 5 s after its 600 bytes: seq y+601 ack x+2");
	sk_expect(s, last && last->t == SK_MS(5010) && sk_scn_seg_is(last, A, x + 2, y + 602),
		  "client ACKs the FIN at 5.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1) == SK_S(1),
		  "client FIN-WAIT-1 at 1 s (shutdown)");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2) ==
			  SK_MS(1021),
		  "client FIN-WAIT-2 at 1.021 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) ==
			  SK_MS(1010),
		  "server CLOSE-WAIT at 1.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK) == SK_S(5),
		  "server LAST-ACK at 5 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(5010),
		  "client TIME-WAIT at 5.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(5020),
		  "server CLOSED at 5.02 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(65010),
		  "client CLOSED at 65.01 s");
	sk_scn_close(s, s->client, cs);
}

/* CL-4: the FIN arrives right behind 1000 bytes of data; the reader gets every byte, in
 * pieces, and only then 0, and 0 again after that. */
static void cl_4(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	uint8_t out[1000], in[1000], b[400];
	fill(out, sizeof(out), 3);
	sk_world_run_until(s->w, SK_S(1));
	sk_expect(s, sk_scn_send(s, s->server, ss, out, sizeof(out)) == 1000,
		  "server sends 1000 bytes");
	sk_scn_close(s, s->server, ss);
	sk_world_run_until(s->w, SK_S(2));
	int ev = synack_events(sk_world_stack(s->w, s->client), cs);
	sk_expect(s, ev >= 0 && (ev & SYNACK_EV_IN) && (ev & SYNACK_EV_RDHUP),
		  "client readable with RDHUP (events 0x%x)", (unsigned)ev);
	size_t got = 0;
	for (int i = 0; i < 3; i++) {
		long r = sk_scn_recv(s, s->client, cs, b, sizeof(b));
		long want = i < 2 ? 400 : 200;
		sk_expect(s, r == want, "read #%d = %ld, want %ld (data before EOF)", i + 1, r,
			  want);
		if (r > 0 && got + (size_t)r <= sizeof(in)) {
			memcpy(in + got, b, (size_t)r);
			got += (size_t)r;
		}
	}
	sk_expect(s, got == sizeof(out) && memcmp(in, out, sizeof(out)) == 0,
		  "all 1000 bytes read, in order");
	sk_expect(s, sk_scn_recv(s, s->client, cs, b, sizeof(b)) == 0, "then EOF (0)");
	sk_expect(s, sk_scn_recv(s, s->client, cs, b, sizeof(b)) == 0, "and EOF again");
	sk_scn_close(s, s->client, cs);
	sk_world_run_idle(s->w, SK_S(200));

	const struct sk_rec *d = sk_scn_seg(s, s->server, ALLP, P | A, 1);
	const struct sk_rec *fs = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *ack = sk_scn_seg(s, s->client, ALL, A, 2);
	const struct sk_rec *ackf = sk_scn_seg(s, s->client, ALL, A, 3);
	const struct sk_rec *fc = sk_scn_seg(s, s->client, ALL, F | A, 1);
	sk_expect(s,
		  d && d->t == SK_S(1) && sk_scn_seg_is(d, P | A, y + 1, x + 1) &&
			  d->d.tcp.payload_len == 1000,
		  "data at 1 s: seq y+1, 1000 bytes");
	sk_expect(s, fs && fs->t == SK_S(1) && sk_scn_seg_is(fs, F | A, y + 1001, x + 1),
		  "FIN right behind it: seq y+1001");
	/* Data then FIN, as Linux answers them: the data at once (the first data of a
	 * connection is quick-ACKed, REL-6), the FIN 40 ms later (after a FIN the ACK waits for
	 * the reply it could ride on, Linux's interactive mode). */
	sk_expect(s, ack && ack->t == SK_MS(1010) && sk_scn_seg_is(ack, A, x + 1, y + 1001),
		  "client ACKs the data at 1.01 s");
	sk_expect(s, ackf && ackf->t == SK_MS(1050) && sk_scn_seg_is(ackf, A, x + 1, y + 1002),
		  "and the FIN at 1.05 s");
	sk_expect(s, fc && fc->t == SK_S(2) && sk_scn_seg_is(fc, F | A, x + 1, y + 1002),
		  "client FIN (not RST: all was read) at 2 s");
	sk_expect(s, sk_scn_count(s, s->client, R, R) == 0, "no RST");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) ==
			  SK_MS(1010),
		  "client CLOSE-WAIT at 1.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(2010),
		  "server TIME-WAIT at 2.01 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(2020),
		  "client CLOSED at 2.02 s");
}

/* CL-5: the server, waiting for the FIN, reads EOF and closes at once: its FIN rides on the
 * (delayed) ACK: three segments, and the client goes FIN-WAIT-1 -> TIME-WAIT directly
 * (RFC 9293 3.10.7.4, eighth step, FIN-WAIT-1: "If our FIN has been ACKed (perhaps in this
 * segment), then enter TIME-WAIT"). */
static void cl_5(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, cs);
	uint64_t t = sk_scn_wait_events(s, s->server, ss, SYNACK_EV_IN, SK_S(5));
	sk_expect(s, t == SK_MS(1010), "server sees EOF at %llu us, want 1.01 s", us(t));
	char b[4];
	sk_expect(s, sk_scn_recv(s, s->server, ss, b, sizeof(b)) == 0, "server reads EOF");
	sk_scn_close(s, s->server, ss);
	sk_world_run_idle(s->w, SK_S(200));

	const struct sk_rec *f1 = sk_scn_seg(s, s->client, ALL, F | A, 1);
	const struct sk_rec *f2 = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *last = sk_scn_seg(s, s->client, ALL, A, 2);
	sk_expect(s, f1 && f1->t == SK_S(1) && sk_scn_seg_is(f1, F | A, x + 1, y + 1),
		  "1: client FIN at 1 s");
	sk_expect(s, f2 && f2->t == SK_MS(1010) && sk_scn_seg_is(f2, F | A, y + 1, x + 2),
		  "2: server FIN+ACK at 1.01 s, acks x+2");
	sk_expect(s, last && last->t == SK_MS(1020) && sk_scn_seg_is(last, A, x + 2, y + 2),
		  "3: client ACK at 1.02 s");
	sk_expect(s, sk_scn_count(s, s->server, ALL, A) == 0, "no separate ACK from the server");
	sk_expect(s,
		  sk_scn_count(s, s->client, ALL, A) == 2 &&
			  sk_scn_count(s, s->server, ALL, F | A) == 1 &&
			  sk_scn_count(s, s->client, ALL, F | A) == 1,
		  "three segments in all after the handshake");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_1, SYNACK_TIME_WAIT) ==
			  SK_MS(1020),
		  "client FIN-WAIT-1 -> TIME-WAIT directly at 1.02 s");
	sk_expect(s, sk_scn_state_time(s, s->client, -1, SYNACK_FIN_WAIT_2) == NEVER,
		  "client never in FIN-WAIT-2");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) ==
			  SK_MS(1010),
		  "server CLOSE-WAIT at 1.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK) ==
			  SK_MS(1010),
		  "server LAST-ACK at 1.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(1030),
		  "server CLOSED at 1.03 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(61020),
		  "client CLOSED at 61.02 s");
}

/* CL-6: both close at 1 s. Each FIN crosses the other; each side acks the other's FIN from
 * CLOSING, and reaches TIME-WAIT when its own FIN is acked. RFC 9293 (CLOSING: "if the
 * ACK acknowledges our FIN, then enter the TIME-WAIT state") starts TIME-WAIT there, so 2MSL
 * counts from 1.02 s, not from the ACK each sent at 1.01 s (TW-1's wording is about the
 * usual FIN-WAIT-2 path, where the two coincide). */
static void cl_6(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, cs);
	sk_scn_close(s, s->server, ss);
	sk_world_run_idle(s->w, SK_S(200));

	const struct sk_rec *fc = sk_scn_seg(s, s->client, ALL, F | A, 1);
	const struct sk_rec *fs = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *ac = sk_scn_seg(s, s->client, ALL, A, 2);
	const struct sk_rec *as = sk_scn_seg(s, s->server, ALL, A, 1);
	sk_expect(s, fc && fc->t == SK_S(1) && sk_scn_seg_is(fc, F | A, x + 1, y + 1),
		  "client FIN at 1 s: seq x+1 ack y+1");
	sk_expect(s, fs && fs->t == SK_S(1) && sk_scn_seg_is(fs, F | A, y + 1, x + 1),
		  "server FIN at 1 s: seq y+1 ack x+1");
	sk_expect(s, ac && ac->t == SK_MS(1010) && sk_scn_seg_is(ac, A, x + 2, y + 2),
		  "client ACKs the server's FIN at 1.01 s");
	sk_expect(s, as && as->t == SK_MS(1010) && sk_scn_seg_is(as, A, y + 2, x + 2),
		  "server ACKs the client's FIN at 1.01 s");
	sk_expect(s,
		  sk_scn_count(s, s->client, ALL, F | A) == 1 &&
			  sk_scn_count(s, s->server, ALL, F | A) == 1 &&
			  sk_scn_count(s, s->client, ALL, A) == 2 &&
			  sk_scn_count(s, s->server, ALL, A) == 1,
		  "four segments, no retransmission");
	for (int h = 0; h < 2; h++) {
		int host = h ? s->server : s->client;
		const char *who = h ? "server" : "client";
		sk_expect(s,
			  sk_scn_state_time(s, host, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1) ==
				  SK_S(1),
			  "%s FIN-WAIT-1 at 1 s", who);
		sk_expect(s,
			  sk_scn_state_time(s, host, SYNACK_FIN_WAIT_1, SYNACK_CLOSING) ==
				  SK_MS(1010),
			  "%s CLOSING at 1.01 s", who);
		sk_expect(s,
			  sk_scn_state_time(s, host, SYNACK_CLOSING, SYNACK_TIME_WAIT) ==
				  SK_MS(1020),
			  "%s TIME-WAIT at 1.02 s", who);
		sk_expect(s,
			  sk_scn_state_time(s, host, SYNACK_TIME_WAIT, SYNACK_CLOSED) ==
				  SK_MS(61020),
			  "%s CLOSED at 61.02 s", who);
		sk_expect(s, sk_scn_state_time(s, host, -1, SYNACK_FIN_WAIT_2) == NEVER,
			  "%s never in FIN-WAIT-2", who);
	}
}

/* CL-7: every FIN from the client is lost. Connection A was closed (orphaned): its FIN is
 * retransmitted tcp_orphan_retries times (0 = 8) and the connection is then dropped at the
 * 9th timeout, silently. Connection B was only shut down: the application still holds it,
 * so tcp_retries2 (15) applies, and the socket reports ETIMEDOUT. */
static void cl_7(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int ca = -1, sa = -1, cb = -1, sb = -1;
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	uint16_t pa = open_more(s, l, &ca, &sa), pb = open_more(s, l, &cb, &sb);
	uint32_t xa = 0, ya = 0, xb = 0, yb = 0;
	if (!sk_expect(s, pa && pb && sk_scn_isns(s, pa, &xa, &ya) && sk_scn_isns(s, pb, &xb, &yb),
		       "two connections established"))
		return;
	sk_scn_rule(s, s->client, s->server, F, F, 0, 0, SK_SIMNET_DROP, 0);
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, ca);
	sk_world_run_until(s->w, SK_S(2));
	sk_scn_shutdown(s, s->client, cb, SYNACK_SHUT_WR);

	/* A: the FIN at 1 s and 8 retransmissions; dropped when the 9th timeout fires. */
	sk_world_run_until(s->w, SK_S(120));
	for (int i = 0; i < 9; i++) {
		const struct sk_rec *f =
			sk_scn_seg_ports(s, s->client, pa, SK_PORT, ALL, F | A, i + 1);
		uint64_t want = i ? rexmt_time(SK_S(1), i) : SK_S(1);
		sk_expect(s, f && f->t == want && sk_scn_seg_is(f, F | A, xa + 1, ya + 1),
			  "A: FIN #%d at %llu us, seq x+1 (sent at %llu)", i + 1, us(want),
			  f ? us(f->t) : 0);
	}
	sk_expect(s, sk_scn_count_ports(s, s->client, pa, SK_PORT, ALL, F | A) == 9,
		  "A: 9 FINs (tcp_orphan_retries 0 = 8 retransmissions)");
	uint64_t drop_a = rexmt_time(SK_S(1), 9); /* 1 s + 0.22 s * (2^9 - 1) = 113.42 s */
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, pa, SK_PORT, SYNACK_FIN_WAIT_1,
					  SYNACK_CLOSED) == drop_a,
		  "A: dropped at %llu us (FIN-WAIT-1 -> CLOSED)", us(drop_a));
	sk_expect(s, sk_scn_count_ports(s, s->client, pa, SK_PORT, R, R) == 0,
		  "A: dropped silently");
	sk_expect(s, sk_scn_state(s, s->server, sa) == SYNACK_ESTABLISHED,
		  "A: the server, which never got the FIN, is still ESTABLISHED");
	/* Proof that A is gone: data from the server now meets a RST (RST-1: seq = its ack). */
	uint8_t d[10] = {0};
	sk_scn_send(s, s->server, sa, d, sizeof(d));
	sk_world_run_until(s->w, SK_S(121));
	const struct sk_rec *rst = sk_scn_seg_ports(s, s->client, pa, SK_PORT, ALL, R, 1);
	sk_expect(s, rst && rst->t == SK_MS(120010) && sk_scn_seg_is(rst, R, xa + 1, 0),
		  "A: the client answers the server's data with RST seq x+1");
	long r = sk_scn_recv(s, s->server, sa, d, sizeof(d));
	sk_expect(s, r == -ECONNRESET, "A: the server's recv() = %s, want ECONNRESET",
		  sk_errno_name((int)r));

	/* B: the FIN at 2 s and 15 retransmissions; ETIMEDOUT at the 16th timeout. */
	sk_world_run_until(s->w, SK_S(1000));
	for (int i = 0; i < 16; i++) {
		const struct sk_rec *f =
			sk_scn_seg_ports(s, s->client, pb, SK_PORT, ALL, F | A, i + 1);
		uint64_t want = i ? rexmt_time(SK_S(2), i) : SK_S(2);
		sk_expect(s, f && f->t == want && sk_scn_seg_is(f, F | A, xb + 1, yb + 1),
			  "B: FIN #%d at %llu us (sent at %llu)", i + 1, us(want),
			  f ? us(f->t) : 0);
	}
	sk_expect(s, sk_scn_count_ports(s, s->client, pb, SK_PORT, ALL, F | A) == 16,
		  "B: 16 FINs (tcp_retries2 15)");
	uint64_t drop_b = rexmt_time(SK_S(2), 16); /* 2 s + 204.6 s + 6 * 120 s = 926.6 s */
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, pb, SK_PORT, SYNACK_FIN_WAIT_1,
					  SYNACK_CLOSED) == drop_b,
		  "B: dropped at %llu us", us(drop_b));
	int ev = synack_events(sk_world_stack(s->w, s->client), cb);
	sk_expect(s, ev >= 0 && (ev & SYNACK_EV_ERR),
		  "B: the socket signals an error (events 0x%x)", (unsigned)ev);
	r = sk_scn_recv(s, s->client, cb, d, sizeof(d));
	sk_expect(s, r == -ETIMEDOUT, "B: recv() = %s, want ETIMEDOUT", sk_errno_name((int)r));
	sk_scn_close(s, s->client, cb);
}

/* CL-8: the FIN arrives but its ACK is lost, twice: the client retransmits the FIN on its
 * backed-off timer, and the server acknowledges every copy at once (RFC 9293 3.10.7.4: an
 * unacceptable segment, here a duplicate FIN, is answered with an ACK); the third copy's
 * ACK gets through. */
static void cl_8(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_scn_rule(s, s->server, s->client, ALL, A, 1, 2, SK_SIMNET_DROP, 0);
	sk_scn_close_both(s, s->client, cs, SK_S(1), s->server, ss, SK_S(3));
	sk_world_run_idle(s->w, SK_S(200));

	uint64_t fin_at[3] = {SK_S(1), rexmt_time(SK_S(1), 1),
			      rexmt_time(SK_S(1), 2)}; /* 1, 1.2, 1.6 s */
	uint64_t ack_at[3] = {SK_MS(1011), fin_at[1] + SK_MS(10), fin_at[2] + SK_MS(10)};
	for (int i = 0; i < 3; i++) {
		const struct sk_rec *f = sk_scn_seg(s, s->client, ALL, F | A, i + 1);
		const struct sk_rec *a = sk_scn_seg(s, s->server, ALL, A, i + 1);
		sk_expect(s, f && f->t == fin_at[i] && sk_scn_seg_is(f, F | A, x + 1, y + 1),
			  "client FIN #%d at %llu us", i + 1, us(fin_at[i]));
		sk_expect(s, a && a->t == ack_at[i] && sk_scn_seg_is(a, A, y + 1, x + 2),
			  "server ACK #%d at %llu us (got %llu)", i + 1, us(ack_at[i]),
			  a ? us(a->t) : 0);
		sk_expect(s, a && a->dropped == (i < 2), "server ACK #%d %s", i + 1,
			  i < 2 ? "lost" : "delivered");
	}
	sk_expect(s, sk_scn_count(s, s->client, ALL, F | A) == 3,
		  "no FIN after the ACK got through");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2) ==
			  ack_at[2] + SK_MS(10),
		  "client FIN-WAIT-2 at 1.62 s");
	const struct sk_rec *fs = sk_scn_seg(s, s->server, ALL, F | A, 1);
	sk_expect(s, fs && fs->t == SK_S(3) && sk_scn_seg_is(fs, F | A, y + 1, x + 2),
		  "server FIN at 3 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(3010),
		  "client TIME-WAIT at 3.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(3020),
		  "server CLOSED at 3.02 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(63010),
		  "client CLOSED at 63.01 s");
}

/* CL-9: the server never closes. Connection A was closed by the client: FIN-WAIT-2 ends
 * tcp_fin_timeout (60 s) after it began, silently. Connection B was only shut down: it
 * waits in FIN-WAIT-2 for as long as the application holds it (and still receives), and
 * the 60 s start when the application finally closes it. */
static void cl_9(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int ca = -1, sa = -1, cb = -1, sb = -1;
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	uint16_t pa = open_more(s, l, &ca, &sa), pb = open_more(s, l, &cb, &sb);
	uint32_t xa = 0, ya = 0, xb = 0, yb = 0;
	if (!sk_expect(s, pa && pb && sk_scn_isns(s, pa, &xa, &ya) && sk_scn_isns(s, pb, &xb, &yb),
		       "two connections established"))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, ca);
	sk_scn_shutdown(s, s->client, cb, SYNACK_SHUT_WR);
	sk_world_run_until(s->w, SK_S(100));
	for (int i = 0; i < 2; i++) {
		uint16_t p = i ? pb : pa;
		sk_expect(s,
			  sk_scn_state_time_ports(s, s->client, p, SK_PORT, SYNACK_FIN_WAIT_1,
						  SYNACK_FIN_WAIT_2) == SK_MS(1021),
			  "%c: FIN-WAIT-2 at 1.021 s (the server ACKs a bare FIN at the next tick)",
			  'A' + i);
	}
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, pa, SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_CLOSED) == SK_MS(61021),
		  "A: dropped at 61.021 s, 60 s after entering FIN-WAIT-2");
	sk_expect(s,
		  sk_scn_count_ports(s, s->client, pa, SK_PORT, ALL, R) == 0 &&
			  sk_scn_count_ports(s, s->client, pa, SK_PORT, ALL, A) == 1,
		  "A: silently: nothing sent after the FIN");
	/* The server, in CLOSE-WAIT all along, closes A at last: its FIN finds no connection. */
	sk_expect(s, sk_scn_state(s, s->server, sa) == SYNACK_CLOSE_WAIT,
		  "A: the server is still in CLOSE-WAIT at 100 s");
	sk_scn_close(s, s->server, sa);
	/* B is alive: it receives what the server sends. */
	uint8_t out[50], in[64];
	fill(out, sizeof(out), 9);
	sk_expect(s, sk_scn_send(s, s->server, sb, out, sizeof(out)) == 50,
		  "B: server sends 50 bytes at 100 s");
	sk_world_run_until(s->w, SK_S(150));
	const struct sk_rec *rst = sk_scn_seg_ports(s, s->client, pa, SK_PORT, ALL, R, 1);
	sk_expect(s, rst && rst->t == SK_MS(100010) && sk_scn_seg_is(rst, R, xa + 2, 0),
		  "A: the late FIN gets RST seq x+2 (RST-1)");
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->server, SK_PORT, pa, SYNACK_LAST_ACK,
					  SYNACK_CLOSED) == SK_MS(100020),
		  "A: the server's LAST-ACK ends on that RST at 100.02 s");
	long r = sk_scn_recv(s, s->client, cb, in, sizeof(in));
	sk_expect(s, r == 50 && memcmp(in, out, 50) == 0,
		  "B: the client reads the 50 bytes at 150 s");
	const struct sk_rec *ab = sk_scn_seg_ports(s, s->client, pb, SK_PORT, ALL, A, 2);
	sk_expect(s, ab && ab->t == SK_MS(100010) && sk_scn_seg_is(ab, A, xb + 2, yb + 51),
		  "B: the client ACKs them at once at 100.01 s (the first data on B: a quick ACK)");
	sk_world_run_until(s->w, SK_S(200));
	sk_expect(s, sk_scn_state(s, s->client, cb) == SYNACK_FIN_WAIT_2,
		  "B: still in FIN-WAIT-2 at 200 s, 199 s after entering it");
	sk_scn_close(s, s->client, cb);
	sk_world_run_until(s->w, SK_S(300));
	sk_expect(s,
		  sk_scn_state_time_ports(s, s->client, pb, SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_CLOSED) == SK_S(260),
		  "B: dropped at 260 s, 60 s after close()");
	sk_expect(s, sk_scn_state(s, s->server, sb) == SYNACK_CLOSE_WAIT,
		  "B: the server is still in CLOSE-WAIT");
	sk_expect(s, sk_scn_count_ports(s, s->client, pb, SK_PORT, ALL, R) == 0,
		  "B: dropped silently");
}

/* CL-10: the server sits in CLOSE-WAIT for 29 s, sending nothing, until its application
 * closes; then its FIN is lost twice and LAST-ACK retransmits it on the backed-off timer. */
static void cl_10(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, cs);
	sk_world_run_until(s->w, SK_S(29));
	sk_expect(s, sk_scn_state(s, s->server, ss) == SYNACK_CLOSE_WAIT,
		  "server still in CLOSE-WAIT at 29 s");
	sk_expect(s, sk_scn_count(s, s->server, F, F) == 0, "the server sends no FIN on its own");
	sk_expect(s, sk_scn_count(s, s->server, ALL, A) == 1, "only the ACK of the client's FIN");
	sk_scn_rule(s, s->server, s->client, F, F, 1, 2, SK_SIMNET_DROP, 0);
	sk_world_run_until(s->w, SK_S(30));
	char b[4];
	sk_expect(s, sk_scn_recv(s, s->server, ss, b, sizeof(b)) == 0, "server reads EOF");
	sk_scn_close(s, s->server, ss);
	sk_world_run_idle(s->w, SK_S(200));

	for (int i = 0; i < 3; i++) {
		const struct sk_rec *f = sk_scn_seg(s, s->server, ALL, F | A, i + 1);
		uint64_t want = i ? rexmt_time(SK_S(30), i) : SK_S(30); /* 30, 30.22, 30.66 s */
		sk_expect(s,
			  f && f->t == want && sk_scn_seg_is(f, F | A, y + 1, x + 2) &&
				  f->dropped == (i < 2),
			  "server FIN #%d at %llu us, %s", i + 1, us(want),
			  i < 2 ? "lost" : "delivered");
	}
	sk_expect(s, sk_scn_count(s, s->server, ALL, F | A) == 3, "three FINs");
	const struct sk_rec *last = sk_scn_seg(s, s->client, ALL, A, 2);
	sk_expect(s, last && last->t == SK_MS(30670) && sk_scn_seg_is(last, A, x + 2, y + 2),
		  "client ACKs the FIN at 30.67 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) ==
			  SK_MS(1010),
		  "server CLOSE-WAIT at 1.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK) == SK_S(30),
		  "LAST-ACK at 30 s (close())");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(30680),
		  "server CLOSED at 30.68 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(30670),
		  "client TIME-WAIT at 30.67 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(90670),
		  "client CLOSED at 90.67 s");
}

/* CL-11: the client's ACK of the server's FIN is lost. The server retransmits its FIN after
 * one RTO; the client, in TIME-WAIT, acks it again and restarts 2MSL from that moment. */
static void cl_11(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs = -1, ss = -1;
	uint32_t x = 0, y = 0;
	if (!open_pair(s, &cs, &ss, &x, &y))
		return;
	/* The client's next bare ACK, that of the server's FIN, is lost. */
	sk_scn_rule(s, s->client, s->server, ALL, A, 1, 1, SK_SIMNET_DROP, 0);
	sk_scn_close_both(s, s->client, cs, SK_S(1), s->server, ss, SK_S(2));
	sk_world_run_until(s->w, SK_S(62) + SK_MS(100));
	struct synack_stats st = sk_scn_stats(s, s->client);
	sk_expect(s, st.time_wait == 1,
		  "at 62.1 s, past the first 2MSL (62.01 s), the client is still in TIME-WAIT");
	sk_world_run_idle(s->w, SK_S(200));

	uint64_t refin = rexmt_time(SK_S(2), 1); /* 2.2 s */
	const struct sk_rec *f1 = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *f2 = sk_scn_seg(s, s->server, ALL, F | A, 2);
	const struct sk_rec *a1 = sk_scn_seg(s, s->client, ALL, A, 2);
	const struct sk_rec *a2 = sk_scn_seg(s, s->client, ALL, A, 3);
	sk_expect(s, f1 && f1->t == SK_S(2) && sk_scn_seg_is(f1, F | A, y + 1, x + 2),
		  "server FIN at 2 s");
	sk_expect(s,
		  a1 && a1->t == SK_MS(2010) && a1->dropped && sk_scn_seg_is(a1, A, x + 2, y + 2),
		  "client's ACK at 2.01 s, lost");
	sk_expect(s, f2 && f2->t == refin && sk_scn_seg_is(f2, F | A, y + 1, x + 2),
		  "server retransmits its FIN at 2.2 s");
	sk_expect(s,
		  a2 && a2->t == refin + SK_MS(10) && !a2->dropped &&
			  sk_scn_seg_is(a2, A, x + 2, y + 2),
		  "TIME-WAIT acks it again at 2.21 s");
	sk_expect(s,
		  sk_scn_count(s, s->server, ALL, F | A) == 2 &&
			  sk_scn_count(s, s->client, ALL, A) == 3,
		  "nothing more");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) ==
			  SK_MS(2010),
		  "client TIME-WAIT at 2.01 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) ==
			  refin + SK_MS(20),
		  "server CLOSED at 2.22 s");
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) ==
			  refin + SK_MS(10) + SK_S(60),
		  "TIME-WAIT restarted: it ends at 62.21 s, 2MSL after the second ACK");
}

const struct sk_scenario sk_scn_cl[] = {
	{"cl-1", "four-way close: FIN-WAIT-1/2, TIME-WAIT for 2MSL; CLOSE-WAIT, LAST-ACK", cl_1},
	{"cl-2", "the server closes first: only it enters TIME-WAIT, the client never", cl_2},
	{"cl-3",
	 "half-close: after shutdown(SHUT_WR) the server's writes keep flowing until its FIN",
	 cl_3},
	{"cl-4", "FIN right behind 1000 bytes: reads return every byte, then 0", cl_4},
	{"cl-5", "combined close: FIN, FIN+ACK, ACK; FIN-WAIT-1 -> TIME-WAIT directly", cl_5},
	{"cl-6", "simultaneous close: both FIN-WAIT-1 -> CLOSING -> TIME-WAIT", cl_6},
	{"cl-7",
	 "every FIN lost: 8 retransmissions then dropped if closed, 15 then ETIMEDOUT if shut down",
	 cl_7},
	{"cl-8",
	 "the ACK of the FIN lost twice: the FIN retransmitted at 1.2 and 1.6 s until acked", cl_8},
	{"cl-9", "FIN-WAIT-2 limited to 60 s once closed; unlimited while only shut down", cl_9},
	{"cl-10", "CLOSE-WAIT until close(); LAST-ACK's FIN lost twice, retransmitted", cl_10},
	{"cl-11", "last ACK lost: the FIN again, TIME-WAIT acks it and restarts 2MSL", cl_11},
	{NULL, NULL, NULL},
};
