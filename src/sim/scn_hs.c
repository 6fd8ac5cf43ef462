/* Opening scenarios (HS-1..HS-10). */
#include <errno.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define S SK_TCP_SYN
#define A SK_TCP_ACK
#define R SK_TCP_RST
#define F SK_TCP_FIN
#define ALL (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST | SK_TCP_FIN)

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
	sk_expect(s, t_conn == SK_MS(20), "connect() completed at %llu us, want 20000 (on the SYN+ACK)", (unsigned long long)t_conn);
	/* HS-2: the third segment reaches the server at 30 ms; nothing to accept before. */
	sk_expect(s, synack_accept(sk_world_stack(s->w, s->server), l, NULL) == -EAGAIN, "accept() before the third segment");
	uint64_t t_acc;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(5), &t_acc);
	sk_expect(s, a >= 0 && t_acc == SK_MS(30), "accept() at %llu us, want 30000", (unsigned long long)t_acc);

	const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, S, 1);
	const struct sk_rec *synack = sk_scn_seg(s, s->server, ALL, S | A, 1);
	const struct sk_rec *ack = sk_scn_seg(s, s->client, ALL, A, 1);
	if (!sk_expect(s, syn && synack && ack, "three handshake segments"))
		return;
	uint32_t x = syn->d.tcp.seq, y = synack->d.tcp.seq;
	sk_expect(s, syn->t == 0 && synack->t == SK_MS(10) && ack->t == SK_MS(20), "segments at 0, 10, 20 ms");
	sk_expect(s, sk_scn_seg_is(synack, S | A, y, x + 1), "SYN+ACK acks x+1");
	sk_expect(s, sk_scn_seg_is(ack, A, x + 1, y + 1), "ACK is seq x+1 ack y+1");
	sk_expect(s, syn->d.tcp.payload_len == 0 && synack->d.tcp.payload_len == 0, "no data on SYN or SYN+ACK (FMT-4)");
	/* HS-4: MSS 1460 on a 1500 MTU, and WS/SACK/TS offered and echoed. */
	const struct sk_tcp_opts *o = &syn->d.tcp.opt, *p = &synack->d.tcp.opt;
	sk_expect(s, o->has_mss && o->mss == 1460 && p->has_mss && p->mss == 1460, "MSS 1460 both ways");
	sk_expect(s, o->sack_ok && p->sack_ok && o->has_ws && p->has_ws && o->has_ts && p->has_ts, "WS, SACK, TS in both SYNs");
	sk_expect(s, p->tsecr == o->tsval && ack->d.tcp.opt.tsecr == p->tsval, "timestamps echoed");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_CLOSED, SYNACK_SYN_SENT) == 0, "client CLOSED -> SYN-SENT at 0");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_SYN_SENT, SYNACK_ESTABLISHED) == SK_MS(20), "client ESTABLISHED at 20 ms");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LISTEN, SYNACK_SYN_RCVD) == SK_MS(10), "server SYN-RCVD at 10 ms");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_SYN_RCVD, SYNACK_ESTABLISHED) == SK_MS(30), "server ESTABLISHED at 30 ms");
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
		sk_expect(s, syn && syn->t == SK_S(at[i]) && first && syn->d.tcp.seq == first->d.tcp.seq,
			  "SYN #%d at %u s with the same ISN", i + 1, at[i]);
	}
	sk_expect(s, sk_scn_count(s, s->client, ALL, S) == 6, "exactly 6 SYNs (tcp_syn_retries 5)");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_SYN_SENT, SYNACK_CLOSED) == SK_S(63), "SYN-SENT -> CLOSED at 63 s");
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
	sk_expect(s, syn && rst && sk_scn_seg_is(rst, R | A, 0, syn->d.tcp.seq + 1), "RST+ACK seq 0 ack x+1");
	sk_expect(s, sk_scn_count(s, s->client, R, R) == 0, "the client does not answer the RST (RST-2)");
}

const struct sk_scenario sk_scn_hs[] = {
	{"hs-1", "three-way handshake: segments, numbers, options, states", hs_1},
	{"hs-7", "every SYN lost: retries at 1, 3, 7, 15, 31 s; ETIMEDOUT at 63 s", hs_7},
	{"hs-10", "connect to a closed port: RST+ACK, ECONNREFUSED", hs_10},
	{NULL, NULL, NULL},
};
