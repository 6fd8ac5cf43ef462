/* Closing scenarios (CL-1..CL-11). */
#include <errno.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define A SK_TCP_ACK
#define F SK_TCP_FIN
#define ALL (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST | SK_TCP_FIN)

/* Establishes client <-> server; returns the sockets. */
static int open_pair(struct sk_scn *s, int *cs, int *ss)
{
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	*cs = sk_scn_connect(s, s->client, SK_SERVER_ADDR, SK_PORT);
	if (sk_scn_wait_connect(s, s->client, *cs, SK_S(5), NULL) != 0)
		return -1;
	*ss = sk_scn_wait_accept(s, s->server, l, SK_S(5), NULL);
	return *ss < 0 ? -1 : l;
}

/* CL-1, CL-2: four-way close; only the side that closed first waits 2MSL. */
static void cl_1(struct sk_scn *s)
{
	sk_scn_pair(s, NULL, NULL);
	int cs, ss;
	if (!sk_expect(s, open_pair(s, &cs, &ss) >= 0, "connection established"))
		return;
	sk_world_run_until(s->w, SK_S(1));
	sk_scn_close(s, s->client, cs);
	sk_world_run_until(s->w, SK_S(2));
	char b[4];
	sk_expect(s, sk_scn_recv(s, s->server, ss, b, sizeof(b)) == 0, "server reads EOF");
	sk_scn_close(s, s->server, ss);
	sk_world_run_idle(s->w, SK_S(200));
	const struct sk_rec *f1 = sk_scn_seg(s, s->client, ALL, F | A, 1);
	const struct sk_rec *f2 = sk_scn_seg(s, s->server, ALL, F | A, 1);
	const struct sk_rec *syn = sk_scn_seg(s, s->client, ALL, SK_TCP_SYN, 1);
	const struct sk_rec *synack = sk_scn_seg(s, s->server, ALL, SK_TCP_SYN | A, 1);
	if (!sk_expect(s, f1 && f2 && syn && synack, "both FINs sent"))
		return;
	uint32_t x = syn->d.tcp.seq, y = synack->d.tcp.seq;
	const struct sk_rec *ack_of_f1 = sk_scn_seg(s, s->server, ALL, A, 1);
	sk_expect(s, f1->t == SK_S(1) && sk_scn_seg_is(f1, F | A, x + 1, y + 1), "client FIN at 1 s, seq x+1");
	sk_expect(s, ack_of_f1 && ack_of_f1->t == SK_MS(1050) && sk_scn_seg_is(ack_of_f1, A, y + 1, x + 2),
		  "server ACKs the FIN (delayed 40 ms) at 1.05 s");
	sk_expect(s, f2->t == SK_S(2) && sk_scn_seg_is(f2, F | A, y + 1, x + 2), "server FIN at 2 s");
	const struct sk_rec *last = sk_scn_seg(s, s->client, ALL, A, 2);
	sk_expect(s, last && last->t == SK_MS(2010) && sk_scn_seg_is(last, A, x + 2, y + 2), "client's last ACK at 2.01 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1) == SK_S(1), "FIN-WAIT-1 at 1 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2) == SK_MS(1060), "FIN-WAIT-2 at 1.06 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_ESTABLISHED, SYNACK_CLOSE_WAIT) == SK_MS(1010), "CLOSE-WAIT at 1.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_CLOSE_WAIT, SYNACK_LAST_ACK) == SK_S(2), "LAST-ACK at 2 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_FIN_WAIT_2, SYNACK_TIME_WAIT) == SK_MS(2010), "TIME-WAIT at 2.01 s");
	sk_expect(s, sk_scn_state_time(s, s->server, SYNACK_LAST_ACK, SYNACK_CLOSED) == SK_MS(2020), "server CLOSED at 2.02 s");
	sk_expect(s, sk_scn_state_time(s, s->client, SYNACK_TIME_WAIT, SYNACK_CLOSED) == SK_MS(62010), "TIME-WAIT ends at 62.01 s (2MSL)");
	/* CL-2 */
	sk_expect(s, sk_scn_state_time(s, s->server, -1, SYNACK_TIME_WAIT) == UINT64_MAX, "the server never enters TIME-WAIT");
}

const struct sk_scenario sk_scn_cl[] = {
	{"cl-1", "four-way close: FIN-WAIT-1/2, TIME-WAIT for 2MSL; CLOSE-WAIT, LAST-ACK", cl_1},
	{NULL, NULL, NULL},
};
