/* Congestion-control scenarios (CC-1..CC-5): initial window, slow start and congestion
 * avoidance, timeouts, fast retransmit and NewReno recovery, pluggable algorithms, TCP_INFO. */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

/* A full segment's payload: MSS 1460 (MTU 1500) less 12 bytes of timestamps (Eff.snd.MSS):
 * 1448, or 1428 over IPv6 (MSS 1440). It depends on the world's family: the scenario s must be
 * in scope. The byte counts in the comments below are IPv4's. */
#define SEG		  ((uint32_t)sk_scn_mss(s) - 12u)
#define OWD		  SK_MS(10) /* one-way delay */
#define INFINITE_SSTHRESH UINT32_MAX

/* One connection of a scenario: client socket, accepted socket, the client's port and ISN,
 * and the stream it carries (client to server). */
struct conn {
	int c, a;
	uint16_t port;
	uint32_t iss;
	struct sk_scn_stream v;
};

/* Opens a connection from host ch to addr:SK_PORT (a listener on host sh), with congestion
 * control cc (NULL: the stack's default) set before connect(); the client writes total bytes
 * the moment it is connected (20 ms later on a clean path), the server reads all it gets.
 * Returns 0, or -1 (with an expectation failed). */
static int open_conn(struct sk_scn *s, int ch, uint32_t addr, int sh, const char *cc,
		     uint64_t total, struct conn *k)
{
	memset(k, 0, sizeof(*k));
	synack_stack *st = sk_world_stack(s->w, ch);
	k->c = synack_socket(st, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	if (cc)
		sk_scn_set_cc(s, ch, k->c, cc);
	uint64_t t0 = sk_world_now(s->w);
	if (sk_scn_connect_sock(s, ch, k->c, addr, SK_PORT) != -EINPROGRESS ||
	    sk_scn_wait_connect(s, ch, k->c, t0 + SK_S(1), NULL) != 0 ||
	    !sk_expect(s, sk_world_now(s->w) == t0 + SK_MS(20), "connected 20 ms after connect()"))
		return -1;
	k->port = sk_scn_port(s, ch, k->c);
	const struct sk_rec *syn = sk_scn_seg_ports(s, ch, k->port, SK_PORT, ALL, S, 1);
	k->iss = syn ? syn->d.tcp.seq : 0;
	k->v = (struct sk_scn_stream){
		.tx = ch, .tx_sock = k->c, .rx = sh, .rx_sock = -1, .total = total};
	sk_scn_streams_run(s, &k->v, 1, sk_world_now(s->w), NULL, NULL);
	return 0;
}

/* The server side of k: accept() (the third segment lands 30 ms after connect()). */
static int accept_conn(struct sk_scn *s, int sh, int l, struct conn *k)
{
	k->a = sk_scn_wait_accept(s, sh, l, sk_world_now(s->w) + SK_S(1), NULL);
	k->v.rx_sock = k->a;
	return sk_expect(s, k->a >= 0, "accepted") ? 0 : -1;
}

/* Records TCP_INFO of one socket after the events at chosen instants. */
struct info_at {
	int host, sock, n;
	uint64_t at[32];
	struct synack_tcp_info info[32];
};

static void info_tick(struct sk_scn *s, void *arg)
{
	struct info_at *r = arg;
	for (int k = 0; k < r->n; k++)
		if (r->at[k] == sk_world_now(s->w))
			sk_scn_tcp_info(s, r->host, r->sock, &r->info[k]);
}

/* The data segments of k's client at time t: how many, and whether they are consecutive
 * full segments from stream offset off. */
static int flight(struct sk_scn *s, const struct conn *k, uint64_t t, uint32_t off, int *contiguous)
{
	const struct sk_rec *first;
	int n = sk_scn_data_at(s, k->v.tx, k->port, t, &first);
	*contiguous = first && first->d.tcp.seq == k->iss + 1 + off;
	return n;
}

/* The i-th (1-based) data segment k's client sent at time t: its offset in the stream, or
 * UINT32_MAX if none (for exact sequences of new data and retransmissions). */
static uint32_t seg_off(struct sk_scn *s, const struct conn *k, uint64_t t, int i)
{
	size_t count = sk_world_nrecs(s->w);
	for (size_t j = 0; j < count; j++) {
		const struct sk_rec *r = sk_world_rec(s->w, j);
		if (r->t != t || r->type != SK_REC_SEG || r->host != k->v.tx ||
		    r->d.l4 != SK_L4_TCP || r->d.tcp.sport != k->port || !r->d.tcp.payload_len ||
		    --i)
			continue;
		return r->d.tcp.seq - (k->iss + 1);
	}
	return UINT32_MAX;
}

/* Checks that k's client sent exactly the segments want[0..n) (numbered from 1 in the
 * stream: segment m covers [(m - 1) * SEG, m * SEG)) at time t, in that order. */
static void expect_segs(struct sk_scn *s, const struct conn *k, uint64_t t, const int *want, int n,
			const char *what)
{
	int ok = sk_scn_data_at(s, k->v.tx, k->port, t, NULL) == n;
	for (int i = 0; ok && i < n; i++)
		ok = seg_off(s, k, t, i + 1) == (uint32_t)(want[i] - 1) * SEG;
	char got[256];
	size_t used = 0;
	got[0] = 0;
	for (int i = 1; used < sizeof(got) - 8; i++) {
		uint32_t o = seg_off(s, k, t, i);
		if (o == UINT32_MAX)
			break;
		used += (size_t)snprintf(got + used, sizeof(got) - used, " #%u", o / SEG + 1);
	}
	sk_expect(s, ok, "at %.3f s %s; sent:%s", (double)t / 1e6, what, got);
}


/* ---- CC-1 ---- */

/* CC-1 (RFC 6928, RFC 5681 3.1 with RFC 3465 byte counting, L = 2): NewReno, chosen with
 * TCP_CONGESTION, on a clean 10 ms path; the server reads everything at once, so only cwnd
 * limits the sender. A flight leaves at one instant and its ACKs (one per two segments,
 * REL-6) come back together 20 ms later.
 *
 * The initial window is 10 full segments (min(10 * 1448, max(2 * 1448, 14600)) = 14480
 * bytes). Each ACK of two segments adds two segments to cwnd, so cwnd doubles per round
 * trip: 10, 20, 40, 80 segments leave at 20, 40, 60, 80 ms; ssthresh is infinite.
 *
 * The 80 segments of 80 ms are all lost: the retransmission timer (RTO 200 ms, the floor)
 * fires at 280 ms: ssthresh = 80 * 1448 / 2 = 57920 (CC-2), cwnd one segment. Slow start again
 * up to ssthresh: 1 segment at 280 ms, its ACK delayed 40 ms (a lone in-order segment) so 2 at
 * 340 ms, then 4, 8, 16, 32 at 360, 380, 400, 420 ms. At 440 ms the first 4 ACKs bring cwnd to
 * 40 segments = ssthresh, and slow start ends: 40 segments leave. From then on congestion
 * avoidance adds one segment per cwnd of acknowledged bytes, about one per round trip: 41,
 * 42, 43 segments at 460, 480, 500 ms (worked out ACK by ACK, a 41-segment flight leaving one
 * delayed ACK behind), some 10 more over the 10 round trips to 640 ms, one segment at a
 * time. The server's receive buffer is fixed at 4 MiB (no autotuning), so that no window
 * limits a flight and no window update on a read adds an ACK. */
static void cc_1(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	tb.tcp_rmem[1] = tb.tcp_rmem[2] = 4u << 20;
	sk_scn_pair(s, &tb, &tb);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	sk_scn_rule_data(s, s->client, s->server, 71, 150, SK_SIMNET_DROP, 0);
	struct conn k;
	if (open_conn(s, s->client, SK_SERVER_ADDR, s->server, "newreno", 1000 * SEG, &k) < 0)
		return;
	struct info_at ia = {.host = s->client, .sock = k.c, .n = 0};
	static const uint32_t at_ms[] = {20,  40,  60,	80,  280, 340, 360, 380, 400, 420, 440,
					 460, 480, 500, 520, 540, 560, 580, 600, 620, 640};
	enum { NAT = sizeof(at_ms) / sizeof(at_ms[0]) };
	for (int i = 0; i < NAT; i++)
		ia.at[ia.n++] = SK_MS(at_ms[i]);
	info_tick(s, &ia); /* the first flight left at 20 ms, before the driver runs */
	if (accept_conn(s, s->server, l, &k) < 0)
		return;
	sk_scn_streams_run(s, &k.v, 1, SK_MS(700), info_tick, &ia);
	const struct synack_tcp_info *in = ia.info;

	/* Slow start from the initial window. */
	uint32_t off = 0;
	for (int r = 0; r < 4; r++) {
		int contiguous, want = 10 << r;
		int n = flight(s, &k, SK_MS(20 + 20 * r), off, &contiguous);
		sk_expect(s, n == want && contiguous,
			  "flight at %d ms: %d segments (want %d, new data from #%u)", 20 + 20 * r,
			  n, want, off / SEG + 1);
		sk_expect(
			s,
			in[r].snd_cwnd == (uint32_t)want * SEG &&
				in[r].snd_ssthresh == INFINITE_SSTHRESH,
			"cwnd %u after the flight at %d ms (want %u), ssthresh %u (want infinite)",
			in[r].snd_cwnd, 20 + 20 * r, want * SEG, in[r].snd_ssthresh);
		off += (uint32_t)want * SEG;
	}
	const struct sk_rec *iw;
	sk_scn_data_at(s, s->client, k.port, SK_MS(20), &iw);
	sk_expect(s, iw && iw->d.tcp.payload_len == SEG,
		  "the initial window is full-sized segments");

	/* The timeout, and slow start up to ssthresh. */
	sk_expect(s, in[4].snd_cwnd == SEG && in[4].snd_ssthresh == 40 * SEG,
		  "the RTO at 280 ms: cwnd %u (want %u), ssthresh %u (want %u)",
		  in[4].snd_cwnd, SEG, in[4].snd_ssthresh, 40 * SEG);
	static const int ss_ms[] = {280, 340, 360, 380, 400, 420, 440};
	static const int ss_n[] = {1, 2, 4, 8, 16, 32, 40};
	/* FlightSize (RFC 5681: sent, not yet cumulatively acknowledged) still holds what the
	 * timeout took for lost until the retransmissions are acknowledged: 80 segments less
	 * the 1, 2, 4, ... acked so far; at 440 ms 17 old and 23 new segments. */
	static const int fl_n[] = {80, 79, 77, 73, 65, 49, 40};
	off = 70 * SEG; /* go-back-N from the first lost segment, #71 */
	for (int i = 0; i < 7; i++) {
		int contiguous;
		int n = flight(s, &k, SK_MS(ss_ms[i]), off, &contiguous);
		sk_expect(s, n == ss_n[i] && contiguous,
			  "flight at %d ms: %d segments (want %d from #%u)", ss_ms[i], n, ss_n[i],
			  off / SEG + 1);
		const struct synack_tcp_info *f = &in[4 + i];
		uint32_t want = (uint32_t)ss_n[i] * SEG;
		sk_expect(s, f->snd_cwnd == want && f->bytes_in_flight == (uint32_t)fl_n[i] * SEG,
			  "at %d ms cwnd %u (want %u), in flight %u (want %u)", ss_ms[i],
			  f->snd_cwnd, want, f->bytes_in_flight, fl_n[i] * SEG);
		off += (uint32_t)ss_n[i] * SEG;
	}

	/* Congestion avoidance. */
	for (int i = 0; i < 3; i++) {
		const struct synack_tcp_info *f = &in[11 + i];
		sk_expect(s, f->snd_cwnd == (uint32_t)(41 + i) * SEG && f->snd_ssthresh == 40 * SEG,
			  "at %u ms cwnd %u (want %u: one segment more per round trip)",
			  at_ms[11 + i], f->snd_cwnd, (41 + i) * SEG);
	}
	/* Round trip by round trip: cwnd grows by one segment or (the ACKs of a round falling
	 * short of a whole cwnd) by none, never by more. */
	int steps_ok = 1;
	for (int i = 11; i < NAT; i++) {
		uint32_t d = in[i].snd_cwnd - in[i - 1].snd_cwnd;
		if (in[i].snd_cwnd < in[i - 1].snd_cwnd || (d != 0 && d != SEG))
			steps_ok = 0;
	}
	uint32_t grew = (in[NAT - 1].snd_cwnd - in[10].snd_cwnd) / SEG;
	sk_expect(s, steps_ok && grew >= 9 && grew <= 11 && in[NAT - 1].snd_cwnd % SEG == 0,
		  "from 440 to 640 ms (10 round trips) cwnd grew by %u segments, one at a time "
		  "(want 10 +- 1)",
		  grew);
	sk_scn_streams_run(s, &k.v, 1, SK_S(3), NULL, NULL);
	sk_expect(s, k.v.read == 1000 * SEG && !k.v.corrupt, "all %u bytes delivered intact",
		  1000 * SEG);
	struct synack_stats cs = sk_scn_stats(s, s->client);
	sk_expect(s, cs.tcp_timeouts == 1, "one timeout (%llu)",
		  (unsigned long long)cs.tcp_timeouts);
}

/* ---- CC-2 ---- */

/* CC-2 (RFC 5681 3.1 eq. 4 and 7, RFC 6298 5.5-5.7, RFC 9438 4.8): a retransmission timeout.
 *
 * NewReno: the 20 segments of the second flight (40 ms) are all lost. No ACK comes back; the
 * timer, restarted by the last ACK at 40 ms, fires one RTO (200 ms) later, at 240 ms: ssthresh
 * = max(FlightSize / 2, 2 SMSS) = max(28960 / 2, 2896) = 14480, cwnd = 1 segment, the RTO
 * doubles to 400 ms, and the first lost segment (#11) goes again, alone. TCP_INFO then shows
 * one backoff and one retransmission. Slow start again: its ACK is delayed 40 ms, so 2
 * segments at 300 ms, 4 at 320, 8 at 340; at 360 ms cwnd reaches ssthresh (10 segments) and
 * 10 leave; then congestion avoidance: 11 at 380 ms.
 *
 * A small flight (from 2 s, times relative): 2 segments, both lost: at +220 ms ssthresh =
 * max(2896 / 2, 2 SMSS) = 2896: the floor of 2 segments, not half the flight.
 *
 * CUBIC (the default; from 4 s): the same loss as the first: ssthresh = 0.7 * cwnd = 0.7 *
 * 28960 = 20272 (14 segments; RFC 9438 4.6, 4.8, with cwnd for flight size as it allows),
 * cwnd 1 segment; slow start 1, 2, 4, 8 segments at +240, +300, +320, +340 ms, and at +360
 * ms cwnd reaches ssthresh: 14 segments leave (CUBIC's growth then is a fraction of one). */
static void cc_2(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	sk_scn_pair(s, &tb, &tb);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);

	/* NewReno */
	sk_scn_rule_data(s, s->client, s->server, 11, 30, SK_SIMNET_DROP, 0);
	struct conn k;
	if (open_conn(s, s->client, SK_SERVER_ADDR, s->server, "newreno", 60 * SEG, &k) < 0 ||
	    accept_conn(s, s->server, l, &k) < 0)
		return;
	struct info_at ia = {
		.host = s->client, .sock = k.c, .n = 2, .at = {SK_MS(240) - 1, SK_MS(240)}};
	sk_scn_streams_run(s, &k.v, 1, SK_MS(240) - 1, info_tick, &ia);
	sk_scn_tcp_info(s, s->client, k.c, &ia.info[0]);
	sk_scn_streams_run(s, &k.v, 1, SK_MS(600), info_tick, &ia);
	const struct synack_tcp_info *b = &ia.info[0], *f = &ia.info[1];
	sk_expect(s,
		  b->retransmits == 0 && b->rto_us == 200000 && b->bytes_in_flight == 20 * SEG &&
			  b->snd_cwnd == 20 * SEG,
		  "just before 240 ms: RTO %u us (want 200000), %u in flight (%u), cwnd %u, no "
		  "backoff",
		  b->rto_us, 20 * SEG, b->bytes_in_flight, b->snd_cwnd);
	sk_expect(s, f->snd_cwnd == SEG && f->snd_ssthresh == 10 * SEG,
		  "the RTO at 240 ms: cwnd %u (want %u), ssthresh %u (want %u = %u / 2)",
		  f->snd_cwnd, SEG, f->snd_ssthresh, 10 * SEG, 20 * SEG);
	sk_expect(s,
		  f->retransmits == 1 && f->backoff == 1 && f->total_retrans == 1 &&
			  f->rto_us == 400000,
		  "TCP_INFO after it: retransmits %u, backoff %u, total_retrans %u (want 1, 1, 1), "
		  "RTO %u (want "
		  "400000)",
		  f->retransmits, f->backoff, f->total_retrans, f->rto_us);
	static const int t_ms[] = {240, 300, 320, 340, 360, 380};
	static const int n_at[] = {1, 2, 4, 8, 10, 11};
	uint32_t off = 10 * SEG;
	for (int i = 0; i < 6; i++) {
		int contiguous;
		int n = flight(s, &k, SK_MS(t_ms[i]), off, &contiguous);
		sk_expect(s, n == n_at[i] && contiguous, "at %d ms %d segments (want %d from #%u)",
			  t_ms[i], n, n_at[i], off / SEG + 1);
		off += (uint32_t)n_at[i] * SEG;
	}
	sk_expect(s,
		  sk_scn_data_at(s, s->client, k.port, SK_MS(60), NULL) == 0 &&
			  sk_scn_count_between(s, s->client, SK_MS(41), SK_MS(239)) == 0,
		  "nothing sent between the lost flight and the timeout");
	struct synack_stats cs = sk_scn_stats(s, s->client);
	sk_expect(s, cs.tcp_timeouts == 1 && cs.tcp_fast_retransmits == 0,
		  "one timeout, no fast retransmit");
	sk_scn_streams_run(s, &k.v, 1, SK_S(2), NULL, NULL);
	sk_expect(s, k.v.read == 60 * SEG && !k.v.corrupt, "all of it delivered intact");

	/* A flight of 2 segments: ssthresh floors at 2 segments. */
	uint64_t t0 = SK_S(2);
	sk_scn_rule_data(s, s->client, s->server, 1, 2, SK_SIMNET_DROP, 0);
	struct conn k2;
	if (open_conn(s, s->client, SK_SERVER_ADDR, s->server, "newreno", 2 * SEG, &k2) < 0 ||
	    accept_conn(s, s->server, l, &k2) < 0)
		return;
	struct info_at ib = {.host = s->client, .sock = k2.c, .n = 1, .at = {t0 + SK_MS(220)}};
	sk_scn_streams_run(s, &k2.v, 1, t0 + SK_S(1), info_tick, &ib);
	sk_expect(s, ib.info[0].snd_cwnd == SEG && ib.info[0].snd_ssthresh == 2 * SEG,
		  "2 segments lost: at +220 ms cwnd %u, ssthresh %u (want %u, %u: max(flight / "
		  "2, 2 SMSS))",
		  ib.info[0].snd_cwnd, ib.info[0].snd_ssthresh, SEG, 2 * SEG);
	int c1;
	sk_expect(s, flight(s, &k2, t0 + SK_MS(220), 0, &c1) == 1 && c1,
		  "the first segment again at +220 ms");
	sk_expect(s, k2.v.read == 2 * SEG && !k2.v.corrupt, "delivered intact");

	/* CUBIC */
	t0 = SK_S(4);
	sk_world_run_until(s->w, t0);
	sk_scn_rule_data(s, s->client, s->server, 11, 30, SK_SIMNET_DROP, 0);
	struct conn k3;
	if (open_conn(s, s->client, SK_SERVER_ADDR, s->server, NULL, 60 * SEG, &k3) < 0 ||
	    accept_conn(s, s->server, l, &k3) < 0)
		return;
	struct info_at ic = {
		.host = s->client, .sock = k3.c, .n = 2, .at = {t0 + SK_MS(240), t0 + SK_MS(360)}};
	sk_scn_streams_run(s, &k3.v, 1, t0 + SK_S(2), info_tick, &ic);
	/* beta 0.7 of 20 segments, rounded down as the stack computes it */
	const uint32_t cubic_th = 20 * SEG * 7 / 10;
	sk_expect(s, ic.info[0].snd_cwnd == SEG && ic.info[0].snd_ssthresh == cubic_th,
		  "CUBIC's RTO at +240 ms: cwnd %u (want %u), ssthresh %u (want %u = 0.7 * "
		  "%u)",
		  ic.info[0].snd_cwnd, SEG, ic.info[0].snd_ssthresh, cubic_th, 20 * SEG);
	off = 10 * SEG;
	static const int cn_at[] = {1, 2, 4, 8, 14};
	static const int ct_ms[] = {240, 300, 320, 340, 360};
	for (int i = 0; i < 5; i++) {
		int contiguous;
		int n = flight(s, &k3, t0 + SK_MS(ct_ms[i]), off, &contiguous);
		sk_expect(s, n == cn_at[i] && contiguous, "CUBIC at +%d ms: %d segments (want %d)",
			  ct_ms[i], n, cn_at[i]);
		off += (uint32_t)cn_at[i] * SEG;
	}
	sk_expect(s, ic.info[1].snd_cwnd >= cubic_th && ic.info[1].snd_cwnd < 15 * SEG,
		  "at +360 ms cwnd %u: ssthresh reached, below 15 segments", ic.info[1].snd_cwnd);
	sk_expect(s, k3.v.read == 60 * SEG && !k3.v.corrupt, "delivered intact");
}

/* ---- CC-3 ---- */

/* CC-3 (RFC 5681 3.2, RFC 3042, RFC 6582): fast retransmit and NewReno recovery without SACK
 * (the client has tcp_sack 0): segments #3 and #6 of the initial window are lost; the server
 * reads nothing until the end, so its window never changes and every ACK without new data is
 * a duplicate (RFC 5681 2).
 *
 * 30 ms: the server acks #1-2, then answers #4, #5, #7, #8, #9, #10 with 6 duplicate ACKs.
 * 40 ms: the ACK of #1-2 grows cwnd to 12 segments: #11-#14. Duplicate ACKs 1 and 2 each let
 * one new segment go (limited transmit): #15, #16. The third: fast retransmit of #3, and
 * ssthresh = FlightSize / 2 where FlightSize leaves out what limited transmit sent (RFC 5681
 * 3.2 step 2: 12 segments, not 14): 6 segments (8688); cwnd = ssthresh + 3 segments. The
 * other three duplicates inflate cwnd to 12 segments, below the 14 in flight: nothing more.
 * 50 ms: the server answers #11-#16 with 6 duplicates, then #3 fills up to #6: a partial ACK.
 * 60 ms: the 6 duplicates inflate cwnd to 18 segments: #17-#20 go. The partial ACK (3 segments
 * acked) retransmits #6 at once (RFC 6582 3.2 step 5), deflates cwnd by 3 segments and adds
 * one back: 16 segments with 15 in flight: #21.
 * 70 ms: 4 duplicates for #17-#20, then #6 fills up to #20: the ACK of everything up to the
 * recovery point (#16) ends recovery.
 * 80 ms: the duplicates let #22-#25 go; the full ACK sets cwnd = min(ssthresh, FlightSize +
 * SMSS) = min(6, 5 + 1) segments (step 6): #26. No timeout: the window was halved, not
 * restarted from one segment. */
static void cc_3(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	struct synack_config nosack;
	nosack = sk_scn_textbook();
	nosack.tcp_sack = 0;
	sk_scn_pair(s, &nosack, &tb);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	sk_scn_rule_data(s, s->client, s->server, 3, 3, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, s->client, s->server, 6, 6, SK_SIMNET_DROP, 0);
	struct conn k;
	if (open_conn(s, s->client, SK_SERVER_ADDR, s->server, "newreno", 30 * SEG, &k) < 0 ||
	    accept_conn(s, s->server, l, &k) < 0)
		return;
	k.v.read_from = SK_S(1);
	struct info_at ia = {
		.host = s->client, .sock = k.c, .n = 3, .at = {SK_MS(40), SK_MS(60), SK_MS(80)}};
	sk_scn_streams_run(s, &k.v, 1, SK_S(2), info_tick, &ia);
	struct synack_tcp_info ci;
	sk_scn_tcp_info(s, s->client, k.c, &ci);
	sk_expect(s, !(ci.options & 2), "SACK not in use");

	static const int w20[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	expect_segs(s, &k, SK_MS(20), w20, 10, "the initial window #1-#10");
	int dup30 = 0;
	for (int i = 1;; i++) {
		const struct sk_rec *r = sk_scn_seg_ports(s, s->server, SK_PORT, k.port, 0, 0, i);
		if (!r)
			break;
		if (r->t == SK_MS(30) && r->d.tcp.ack == k.iss + 1 + 2 * SEG &&
		    !r->d.tcp.payload_len)
			dup30++;
	}
	sk_expect(s, dup30 == 7,
		  "at 30 ms the server acks #1-2 and sends 6 duplicate ACKs (%d ACKs of #3)",
		  dup30);
	static const int w40[] = {11, 12, 13, 14, 15, 16, 3};
	expect_segs(s, &k, SK_MS(40), w40, 7,
		    "want #11-#14, limited transmit #15 #16, fast retransmit #3");
	sk_expect(s, ia.info[0].snd_ssthresh == 6 * SEG && ia.info[0].snd_cwnd == 6 * SEG,
		  "at 40 ms ssthresh %u, cwnd %u (want 8688 = 12 segments / 2, limited transmit "
		  "not counted)",
		  ia.info[0].snd_ssthresh, ia.info[0].snd_cwnd);
	static const int w60[] = {17, 18, 19, 20, 6, 21};
	expect_segs(s, &k, SK_MS(60), w60, 6,
		    "want #17-#20 on the inflated window, #6 on the partial ACK, #21");
	static const int w80[] = {22, 23, 24, 25, 26};
	expect_segs(s, &k, SK_MS(80), w80, 5, "want #22-#25, and #26 after the full ACK");
	sk_expect(s, ia.info[2].snd_cwnd == 6 * SEG && ia.info[2].snd_ssthresh == 6 * SEG,
		  "recovery over at 80 ms: cwnd %u, ssthresh %u (want 8688 both)",
		  ia.info[2].snd_cwnd, ia.info[2].snd_ssthresh);
	struct synack_stats cs = sk_scn_stats(s, s->client);
	sk_expect(s,
		  cs.tcp_fast_retransmits == 1 && cs.tcp_timeouts == 0 &&
			  cs.tcp_sack_recoveries == 0 && ci.total_retrans == 2,
		  "one fast retransmit, no timeout, no SACK recovery, 2 segments retransmitted "
		  "(%llu, %llu, %u)",
		  (unsigned long long)cs.tcp_fast_retransmits, (unsigned long long)cs.tcp_timeouts,
		  ci.total_retrans);
	sk_expect(s, k.v.read == 30 * SEG && !k.v.corrupt, "all of it delivered intact");
}

/* ---- CC-4 ---- */

/* TCP_CONGESTION of a socket, or "" if it cannot be read. */
static const char *cc_of(struct sk_scn *s, int host, int sock, char *buf, size_t cap)
{
	size_t len = cap;
	buf[0] = 0;
	if (synack_getsockopt(sk_world_stack(s->w, host), sock, SYNACK_IPPROTO_TCP,
			      SYNACK_TCP_CONGESTION, buf, &len) < 0)
		buf[0] = 0;
	buf[cap - 1] = 0;
	return buf;
}

/* CC-4 (RFC 9438, RFC 5681): two algorithms behind one interface. CUBIC is the default (as
 * on Linux); a stack's tcp_congestion_control picks another for every socket it makes,
 * accepted ones included; TCP_CONGESTION picks one per socket ("reno" names NewReno, as on
 * Linux; an unknown name is ENOENT and changes nothing); a stack cannot be configured with an
 * unknown one (EINVAL).
 *
 * The same loss, both algorithms: a CUBIC stack (from 0) and a NewReno one (by configuration,
 * from 1 s) each send 20 segments and lose segment #5 of the initial window. 40 ms in, both
 * have the same history: the ACKs of #1-2 and #3-4 grew cwnd to 14 segments (20272 bytes),
 * two duplicate ACKs let #19 and #20 go (limited transmit), and the third starts recovery.
 * NewReno halves: ssthresh = cwnd = FlightSize / 2 = 20272 / 2 = 10136 (limited transmit left
 * out, RFC 5681 3.2); CUBIC multiplies by beta = 0.7: 20272 * 0.7 = 14190 (RFC 9438 4.6). */
static void cc_4(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	struct synack_config reno;
	reno = sk_scn_textbook();
	snprintf(reno.tcp_congestion_control, sizeof(reno.tcp_congestion_control), "newreno");
	sk_scn_pair(s, &tb, &tb);
	int rc = sk_world_add_host(s->w, "reno-client", 0x0a000003u, &reno);
	int rs = sk_world_add_host(s->w, "reno-server", 0x0a000004u, &reno);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	int rl = sk_scn_listen(s, rs, SK_PORT, 8);
	char b[32];

	/* Defaults and per-stack configuration. */
	synack_stack *cst = sk_world_stack(s->w, s->client);
	int k = synack_socket(cst, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	sk_expect(s, !strcmp(cc_of(s, s->client, k, b, sizeof(b)), "cubic"),
		  "a default stack's socket: %s (want cubic)", b);
	int kr = synack_socket(sk_world_stack(s->w, rc), sk_world_af(s->w), SYNACK_SOCK_STREAM);
	sk_expect(s, !strcmp(cc_of(s, rc, kr, b, sizeof(b)), "newreno"),
		  "a socket of a stack configured with newreno: %s", b);
	struct synack_config bad;
	synack_config_defaults(&bad);
	snprintf(bad.tcp_congestion_control, sizeof(bad.tcp_congestion_control), "bbr");
	int err = 0;
	synack_stack *nst = synack_stack_new(&bad, &err);
	sk_expect(s, !nst && err == -EINVAL, "a stack configured with \"bbr\": %s (want EINVAL)",
		  nst ? "created" : sk_errno_name(err));
	synack_stack_free(nst);

	/* Per socket. */
	sk_expect(s,
		  sk_scn_set_cc(s, s->client, k, "newreno") == 0 &&
			  !strcmp(cc_of(s, s->client, k, b, sizeof(b)), "newreno"),
		  "TCP_CONGESTION newreno on a cubic stack: %s", b);
	sk_expect(s,
		  sk_scn_set_cc(s, s->client, k, "bbr") == -ENOENT &&
			  !strcmp(cc_of(s, s->client, k, b, sizeof(b)), "newreno"),
		  "an unknown name is ENOENT and leaves %s", b);
	sk_expect(s, sk_scn_set_cc(s, s->client, k, "a-name-far-too-long-for-it") == -ENOENT,
		  "a name too long for any algorithm is ENOENT");
	sk_expect(s,
		  sk_scn_set_cc(s, s->client, k, "cubic") == 0 &&
			  !strcmp(cc_of(s, s->client, k, b, sizeof(b)), "cubic"),
		  "back to cubic: %s", b);
	sk_expect(s,
		  sk_scn_set_cc(s, rc, kr, "reno") == 0 &&
			  !strcmp(cc_of(s, rc, kr, b, sizeof(b)), "newreno"),
		  "\"reno\" names NewReno: %s", b);
	sk_expect(s,
		  sk_scn_set_cc(s, rc, kr, "cubic") == 0 &&
			  !strcmp(cc_of(s, rc, kr, b, sizeof(b)), "cubic"),
		  "cubic chosen per socket on a newreno stack: %s", b);
	synack_close(cst, k);
	synack_close(sk_world_stack(s->w, rc), kr);

	/* The same loss under both. */
	sk_scn_rule_data(s, s->client, s->server, 5, 5, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, rc, rs, 5, 5, SK_SIMNET_DROP, 0);
	struct conn kc, kn;
	if (open_conn(s, s->client, SK_SERVER_ADDR, s->server, NULL, 20 * SEG, &kc) < 0 ||
	    accept_conn(s, s->server, l, &kc) < 0)
		return;
	struct info_at ia = {.host = s->client, .sock = kc.c, .n = 1, .at = {SK_MS(40)}};
	sk_scn_streams_run(s, &kc.v, 1, SK_MS(500), info_tick, &ia);

	uint64_t t0 = SK_S(1);
	sk_world_run_until(s->w, t0);
	if (open_conn(s, rc, 0x0a000004u, rs, NULL, 20 * SEG, &kn) < 0 ||
	    accept_conn(s, rs, rl, &kn) < 0)
		return;
	struct info_at ib = {.host = rc, .sock = kn.c, .n = 1, .at = {t0 + SK_MS(40)}};
	sk_scn_streams_run(s, &kn.v, 1, t0 + SK_MS(500), info_tick, &ib);
	sk_expect(s, !strcmp(cc_of(s, rs, kn.a, b, sizeof(b)), "newreno"),
		  "the newreno stack's accepted socket runs %s", b);

	static const int w40[] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 5};
	expect_segs(s, &kc, SK_MS(40), w40, 11,
		    "CUBIC: #11-#18 on the ACKs, #19 #20 limited transmit, #5 again");
	expect_segs(s, &kn, t0 + SK_MS(40), w40, 11, "NewReno: the same");
	const struct synack_tcp_info *c = &ia.info[0], *n = &ib.info[0];
	/* cwnd was 14 segments: half of it, and 0.7 of it rounded down as the stack does */
	const uint32_t w = 14 * SEG, half = w / 2, beta = w * 7 / 10;
	sk_expect(s, n->snd_ssthresh == half && n->snd_cwnd == half,
		  "NewReno halves: ssthresh %u, cwnd %u (want %u = 0.5 * %u)",
		  n->snd_ssthresh, n->snd_cwnd, half, w);
	sk_expect(s, c->snd_ssthresh == beta && c->snd_cwnd == beta,
		  "CUBIC keeps 0.7: ssthresh %u, cwnd %u (want %u = 0.7 * %u)",
		  c->snd_ssthresh, c->snd_cwnd, beta, w);
	sk_expect(s,
		  kc.v.read == 20 * SEG && !kc.v.corrupt && kn.v.read == 20 * SEG && !kn.v.corrupt,
		  "both delivered intact");
}

/* ---- CC-5 ---- */

/* What TCP_INFO of the client must say, worked out from the log alone: the highest byte it
 * sent and how many data segments went again (the client's segments sent by now), the highest
 * ACK, the window and the D-SACKs of the server's segments that have arrived by now (sent at
 * least one delay earlier, not lost). Compared with TCP_INFO after every event. */
struct truth {
	int c, cs, srv; /* client host and socket, server host */
	uint16_t port;
	uint32_t snd_max;      /* end of the highest data sent */
	uint32_t rexmits;      /* data segments that started below snd_max */
	size_t tx_pos, rx_pos; /* log positions */
	uint32_t una, wnd, dsacks;
	int checks, bad;
	char first_bad[200];
	uint32_t max_rto_backoff; /* the largest retransmits value seen */
};

static void truth_fail(struct truth *tr, uint64_t now, const char *what, uint32_t got,
		       uint32_t want)
{
	if (!tr->bad++)
		snprintf(tr->first_bad, sizeof(tr->first_bad),
			 "at %llu us %s is %u, the log says %u", (unsigned long long)now, what, got,
			 want);
}

static void truth_tick(struct sk_scn *s, void *arg)
{
	struct truth *tr = arg;
	uint64_t now = sk_world_now(s->w);
	size_t count = sk_world_nrecs(s->w);
	for (; tr->tx_pos < count; tr->tx_pos++) {
		const struct sk_rec *r = sk_world_rec(s->w, tr->tx_pos);
		if (r->type != SK_REC_SEG || r->host != tr->c || r->d.l4 != SK_L4_TCP ||
		    r->d.tcp.sport != tr->port || !r->d.tcp.payload_len)
			continue;
		uint32_t end = r->d.tcp.seq + (uint32_t)r->d.tcp.payload_len;
		if ((int32_t)(r->d.tcp.seq - tr->snd_max) < 0)
			tr->rexmits++;
		if ((int32_t)(end - tr->snd_max) > 0)
			tr->snd_max = end;
	}
	for (; tr->rx_pos < count; tr->rx_pos++) {
		const struct sk_rec *r = sk_world_rec(s->w, tr->rx_pos);
		if (r->t + OWD > now)
			break;
		const struct sk_tcp *g = &r->d.tcp;
		if (r->type != SK_REC_SEG || r->host != tr->srv || r->d.l4 != SK_L4_TCP ||
		    r->dropped || g->dport != tr->port || !(g->flags & A))
			continue;
		if ((int32_t)(g->ack - tr->una) > 0)
			tr->una = g->ack;
		tr->wnd = (uint32_t)g->win
			  << ((g->flags & S) ? 0 : 10); /* a SYN's is never scaled */
		/* RFC 2883: a first block below the cumulative ACK, or inside the second. */
		if (g->opt.nsack && ((int32_t)(g->opt.sack[0].right - g->ack) <= 0 ||
				     (g->opt.nsack > 1 &&
				      (int32_t)(g->opt.sack[0].left - g->opt.sack[1].left) >= 0 &&
				      (int32_t)(g->opt.sack[0].right - g->opt.sack[1].right) <= 0)))
			tr->dsacks++;
	}
	struct synack_tcp_info i;
	if (sk_scn_tcp_info(s, tr->c, tr->cs, &i) < 0 || i.state != SYNACK_ESTABLISHED)
		return truth_fail(tr, now, "state", i.state, SYNACK_ESTABLISHED);
	tr->checks++;
	struct synack_stats st = sk_scn_stats(s, tr->c);
	if (i.bytes_in_flight != tr->snd_max - tr->una)
		truth_fail(tr, now, "bytes_in_flight", i.bytes_in_flight, tr->snd_max - tr->una);
	if (i.snd_wnd != tr->wnd)
		truth_fail(tr, now, "snd_wnd", i.snd_wnd, tr->wnd);
	if (i.total_retrans != tr->rexmits)
		truth_fail(tr, now, "total_retrans", i.total_retrans, tr->rexmits);
	if (i.dsacks != tr->dsacks)
		truth_fail(tr, now, "dsacks", i.dsacks, tr->dsacks);
	if (i.sack_recoveries != st.tcp_sack_recoveries)
		truth_fail(tr, now, "sack_recoveries", i.sack_recoveries,
			   (uint32_t)st.tcp_sack_recoveries);
	if (i.retransmits != i.backoff)
		truth_fail(tr, now, "retransmits (the backoff)", i.retransmits, i.backoff);
	/* RFC 6298 2.3/2.4: after every measurement RTO = max(floor, SRTT + 4 RTTVAR); a
	 * timeout doubles it until the next one (5.5). */
	uint64_t rto = (uint64_t)i.srtt_us + 4ull * i.rttvar_us;
	rto = rto < 200000 ? 200000 : rto > 120000000 ? 120000000 : rto;
	if (i.retransmits == 0 && i.rto_us != rto)
		truth_fail(tr, now, "rto_us (srtt + 4 rttvar)", i.rto_us, (uint32_t)rto);
	if (i.srtt_us < 20000)
		truth_fail(tr, now, "srtt_us (at least the 20 ms path)", i.srtt_us, 20000);
	if (i.snd_cwnd < SEG)
		truth_fail(tr, now, "snd_cwnd (at least one segment)", i.snd_cwnd, SEG);
	if (i.snd_ssthresh != INFINITE_SSTHRESH && i.snd_ssthresh < 2 * SEG)
		truth_fail(tr, now, "snd_ssthresh (at least two segments)", i.snd_ssthresh,
			   2 * SEG);
	if (i.snd_mss != SEG || i.rcv_mss != sk_scn_mss(s))
		truth_fail(tr, now, "snd_mss", i.snd_mss, SEG);
	if (i.retransmits > tr->max_rto_backoff)
		tr->max_rto_backoff = i.retransmits;
}

/* CC-5 (like ss -i / Linux TCP_INFO): the figures can be read at any time and agree with what
 * happened on the wire. A socket reads as CLOSED before connect(), a listener as LISTEN, a
 * connecting one as SYN-SENT with the initial RTO of 1 s. Then a CUBIC transfer of 200
 * segments over a 10 Mbit/s data path in which the network duplicates data segment #15 (the server
 * reports it with one D-SACK) and loses #40 (one SACK recovery). After every event, TCP_INFO of the
 * client says exactly what the log says: bytes in flight = highest byte sent - highest ACK arrived
 * (RFC 5681 FlightSize), the peer's window, segments retransmitted, D-SACKs received; RTO =
 * max(200 ms, SRTT + 4 RTTVAR) while no timeout is pending (RFC 6298); SRTT at least the 20 ms
 * path; cwnd at least one segment, ssthresh infinite or at least two.
 *
 * Then at 2 s, idle, the client writes 2 segments and both are lost: just before one RTO has
 * passed TCP_INFO shows 2896 bytes in flight and no backoff; at the RTO the first goes again,
 * retransmits and backoff are 1, the RTO has doubled, total_retrans counts it once; the
 * retransmissions' ACKs bring the backoff back to 0. */
static void cc_5(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	sk_scn_pair(s, &tb, &tb);
	/* Data at 10 Mbit/s (1.2 ms a frame), so every segment and every ACK is an event of its
	 * own; ACKs on the unlimited path arrive exactly 10 ms after they leave. */
	struct sk_simnet_params slow = {.delay_us = OWD, .rate_bps = 10000000};
	sk_scn_path(s, s->client, s->server, &slow);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	struct synack_tcp_info i;
	sk_expect(s, sk_scn_tcp_info(s, s->server, l, &i) == 0 && i.state == SYNACK_LISTEN,
		  "a listener: LISTEN");
	synack_stack *cst = sk_world_stack(s->w, s->client);
	int c = synack_socket(cst, sk_world_af(s->w), SYNACK_SOCK_STREAM);
	sk_expect(s,
		  sk_scn_tcp_info(s, s->client, c, &i) == 0 && i.state == SYNACK_CLOSED &&
			  i.bytes_in_flight == 0,
		  "a new socket: CLOSED");
	sk_scn_connect_sock(s, s->client, c, SK_SERVER_ADDR, SK_PORT);
	sk_world_run_until(s->w, SK_MS(5));
	sk_expect(s,
		  sk_scn_tcp_info(s, s->client, c, &i) == 0 && i.state == SYNACK_SYN_SENT &&
			  i.rto_us == 1000000 && i.srtt_us == 0,
		  "connecting: SYN-SENT, RTO %u (want 1 s, RFC 6298 2.1), no SRTT yet (%u)",
		  i.rto_us, i.srtt_us);
	if (!sk_expect(s, sk_scn_wait_connect(s, s->client, c, SK_S(1), NULL) == 0, "connected"))
		return;
	struct conn k = {.c = c, .port = sk_scn_port(s, s->client, c)};
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, k.port, SK_PORT, ALL, S, 1);
	k.iss = syn ? syn->d.tcp.seq : 0;
	k.v = (struct sk_scn_stream){
		.tx = s->client, .tx_sock = c, .rx = s->server, .rx_sock = -1, .total = 200 * SEG};
	sk_scn_rule_data(s, s->client, s->server, 15, 15, SK_SIMNET_DUPLICATE, 0);
	sk_scn_rule_data(s, s->client, s->server, 40, 40, SK_SIMNET_DROP, 0);
	struct truth tr = {.c = s->client,
			   .cs = c,
			   .srv = s->server,
			   .port = k.port,
			   .snd_max = k.iss + 1,
			   .una = k.iss + 1};
	sk_scn_streams_run(s, &k.v, 1, sk_world_now(s->w), truth_tick, &tr);
	if (accept_conn(s, s->server, l, &k) < 0)
		return;
	sk_scn_streams_run(s, &k.v, 1, SK_S(2), truth_tick, &tr);
	sk_expect(s, k.v.read == 200 * SEG && !k.v.corrupt, "200 segments delivered intact");
	sk_scn_tcp_info(s, s->client, c, &i);
	sk_expect(s,
		  i.dsacks == 1 && i.sack_recoveries == 1 && i.total_retrans == 1 &&
			  i.bytes_in_flight == 0,
		  "after the transfer: %u D-SACK (want 1), %u SACK recovery (want 1), %u "
		  "retransmitted (want 1), %u in "
		  "flight",
		  i.dsacks, i.sack_recoveries, i.total_retrans, i.bytes_in_flight);
	struct synack_tcp_info si;
	sk_scn_tcp_info(s, s->server, k.a, &si);
	sk_expect(s,
		  si.state == SYNACK_ESTABLISHED && si.bytes_in_flight == 0 && si.rcv_wnd > 0 &&
			  si.rcv_wnd <= si.rcvbuf,
		  "the server's side: nothing in flight, receive window %u within its buffer %u",
		  si.rcv_wnd, si.rcvbuf);

	/* A timeout. */
	uint64_t t0 = SK_S(2);
	sk_scn_rule_data(s, s->client, s->server, 1, 2, SK_SIMNET_DROP, 0);
	k.v.total += 2 * SEG;
	sk_scn_tcp_info(s, s->client, c, &i);
	uint32_t rto0 = i.rto_us, rt0 = i.total_retrans;
	sk_scn_streams_run(s, &k.v, 1, t0 + rto0 - 1, truth_tick, &tr);
	sk_scn_tcp_info(s, s->client, c, &i);
	sk_expect(s, i.bytes_in_flight == 2 * SEG && i.retransmits == 0 && i.rto_us == rto0,
		  "1 us before the RTO: %u in flight (want 2896), retransmits %u (want 0)",
		  i.bytes_in_flight, i.retransmits);
	sk_scn_streams_run(s, &k.v, 1, t0 + rto0, truth_tick, &tr);
	sk_scn_tcp_info(s, s->client, c, &i);
	sk_expect(s,
		  i.retransmits == 1 && i.backoff == 1 && i.rto_us == 2 * rto0 &&
			  i.total_retrans == rt0 + 1,
		  "at the RTO (%u us after the write): retransmits %u, backoff %u (want 1, 1), RTO "
		  "%u (want %u), "
		  "total_retrans %u (want %u)",
		  rto0, i.retransmits, i.backoff, i.rto_us, 2 * rto0, i.total_retrans, rt0 + 1);
	int contiguous;
	sk_expect(s, flight(s, &k, t0 + rto0, 200 * SEG, &contiguous) == 1 && contiguous,
		  "the first lost segment goes again at the RTO");
	sk_scn_streams_run(s, &k.v, 1, t0 + SK_S(2), truth_tick, &tr);
	sk_scn_tcp_info(s, s->client, c, &i);
	sk_expect(s,
		  i.retransmits == 0 && i.bytes_in_flight == 0 && k.v.read == 202 * SEG &&
			  !k.v.corrupt,
		  "acknowledged: retransmits %u, in flight %u; all %u bytes delivered",
		  i.retransmits, i.bytes_in_flight, 202 * SEG);
	sk_expect(s, tr.checks >= 300 && tr.bad == 0 && tr.max_rto_backoff == 1,
		  "TCP_INFO agreed with the log after each of %d events (%d disagreements%s%s)",
		  tr.checks, tr.bad, tr.bad ? "; first: " : "", tr.first_bad);
}

const struct sk_scenario sk_scn_cc[] = {
	{"cc-1",
	 "initial window 10 segments, slow start doubling up to ssthresh, then +1 MSS per RTT",
	 cc_1},
	{"cc-2",
	 "timeout: ssthresh max(flight/2, 2 MSS) (newreno) or 0.7 cwnd (cubic), cwnd 1 MSS, slow "
	 "start",
	 cc_2},
	{"cc-3",
	 "three duplicate ACKs: fast retransmit, NewReno halves the window, partial ACKs fill the "
	 "next hole",
	 cc_3},
	{"cc-4",
	 "newreno and cubic per stack and per socket (TCP_CONGESTION); cubic default; 0.5 vs 0.7 "
	 "on one loss",
	 cc_4},
	{"cc-5",
	 "TCP_INFO readable at any time, agreeing with the wire: cwnd, ssthresh, RTT, RTO, in "
	 "flight, retransmits, SACK",
	 cc_5},
	{NULL, NULL, NULL},
};
