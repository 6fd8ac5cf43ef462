/* Flow-control scenarios (FLOW-1..FLOW-4): windows, window scaling, zero windows and the
 * persist timer, silly window syndrome avoidance on both sides. */
#include <errno.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

/* A full segment's payload: MSS 1460 (MTU 1500; 1440 over IPv6) less the 12 bytes every
 * segment spends on timestamps (RFC 9293 3.7.1, Eff.snd.MSS): 1448, or 1428 over IPv6. It
 * depends on the world's family: the scenario s must be in scope. The byte counts in the
 * comments below are IPv4's. */
#define SEG ((uint32_t)sk_scn_mss(s) - 12u)
/* One-way delay of the scenario links. */
#define OWD SK_MS(10)

static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* A config whose receive buffer is fixed at bytes (tcp_rmem[1] = [2]: no autotuning). */
static struct synack_config small_rcvbuf(uint32_t bytes)
{
	struct synack_config c;
	synack_config_defaults(&c);
	c.tcp_rmem[1] = c.tcp_rmem[2] = bytes;
	/* every second segment acked at once, read or not (RFC 5681 4.2): the flights and
	 * probes below are timed from those ACKs */
	c.tcp_ack_read_wait = 0;
	return c;
}

/* connect() from host c to addr:SK_PORT, run until it completes (20 ms later on a clean
 * path). Returns the socket, or -1. */
static int open_client(struct sk_scn *s, int c, uint32_t addr, uint64_t limit)
{
	int k = sk_scn_connect(s, c, addr, SK_PORT);
	if (k < 0)
		return -1;
	return sk_scn_wait_connect(s, c, k, limit, NULL) == 0 ? k : -1;
}

/* The ISN host used on the connection from port sport (its SYN or SYN+ACK). */
static uint32_t isn_of(struct sk_scn *s, int host, uint16_t sport)
{
	const struct sk_rec *r = sk_scn_seg_ports(s, host, sport, 0, S, S, 1);
	return r ? r->d.tcp.seq : 0;
}

/* ---- FLOW-1 ---- */

/* After every event: the sender's own view (TCP_INFO) never has more in flight than
 * min(cwnd, peer's window). */
struct inflight_check {
	int host, sock;
	int checks, bad;
	uint64_t bad_t;
	uint32_t bad_flight, bad_cwnd, bad_wnd;
	uint64_t at[8];			/* instants to record TCP_INFO at */
	struct synack_tcp_info info[8]; /* what it said then */
	int nat;
};

static void inflight_tick(struct sk_scn *s, void *arg)
{
	struct inflight_check *c = arg;
	struct synack_tcp_info i;
	if (sk_scn_tcp_info(s, c->host, c->sock, &i) < 0 || i.state != SYNACK_ESTABLISHED)
		return;
	for (int k = 0; k < c->nat; k++)
		if (c->at[k] == sk_world_now(s->w))
			c->info[k] = i;
	c->checks++;
	uint32_t lim = i.snd_cwnd < i.snd_wnd ? i.snd_cwnd : i.snd_wnd;
	if (i.bytes_in_flight > lim && !c->bad++) {
		c->bad_t = sk_world_now(s->w);
		c->bad_flight = i.bytes_in_flight;
		c->bad_cwnd = i.snd_cwnd;
		c->bad_wnd = i.snd_wnd;
	}
}

/* Every data segment in the log against what its sender knew of the peer's ACKs when it
 * sent it (segments from the peer sent at least one delay earlier): none may reach beyond
 * the right window edge. */
struct log_check {
	int segs, beyond, fills; /* data segments, past the window, ending exactly at its edge */
	uint32_t max_flight;	 /* highest byte sent less highest ACK known */
	uint64_t bad_t;
};

static void check_log(struct sk_scn *s, int tx, uint16_t tx_port, int rx, uint16_t rx_port,
		      uint8_t shift, struct log_check *o)
{
	memset(o, 0, sizeof(*o));
	struct sk_scn_view v = {
		.peer = rx, .peer_port = rx_port, .port = tx_port, .shift = shift, .delay = OWD};
	size_t n = sk_world_nrecs(s->w);
	for (size_t i = 0; i < n; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type != SK_REC_SEG || r->host != tx || r->d.l4 != SK_L4_TCP ||
		    r->d.tcp.sport != tx_port || !r->d.tcp.payload_len)
			continue;
		sk_scn_view_at(s, &v, r->t);
		uint32_t end = r->d.tcp.seq + (uint32_t)r->d.tcp.payload_len;
		o->segs++;
		if (!v.seen || seq_after(end, v.right)) {
			if (!o->beyond++)
				o->bad_t = r->t;
			continue;
		}
		if (end == v.right)
			o->fills++;
		if (end - v.una > o->max_flight)
			o->max_flight = end - v.una;
	}
}

/* FLOW-1 (RFC 9293 3.8.6, RFC 5681 3.1): the sender never has more than min(cwnd, the peer's
 * window) unacknowledged. Both limits are made to bind in turn, on a clean 10 ms path where a
 * flight leaves at one instant and its ACKs come back together 20 ms later.
 *
 * Window binding: the server's receive buffer is 11584 bytes (8 segments, no autotuning, so
 * no window scaling); it reads everything at once. The client writes 160 segments at 20 ms.
 * cwnd starts at 10 segments (RFC 6928), above the window, so each round trip exactly 8
 * segments leave (20, 40, ..., 400 ms), the last ending exactly at the window's right edge:
 * the server acks the flight with windows 8688, 5792, 2896, 0 and, once its application has
 * read, updates it to 11584.
 *
 * cwnd binding: a second pair with the default 128 KiB buffer (autotuned upwards), from 1 s.
 * Slow start sends 10, 20, 40, 80 segments at 1.02, 1.04, 1.06, 1.08 s (each ACK of two
 * segments adds two to cwnd, RFC 3465 L = 2): after each flight exactly cwnd bytes are out,
 * and the peer's window is larger. */
static void flow_1(struct sk_scn *s)
{
	struct synack_config small = small_rcvbuf(8 * SEG);
	sk_scn_pair(s, NULL, &small);
	int c2 = sk_world_add_host(s->w, "client2", 0x0a000003u, NULL);
	int s2 = sk_world_add_host(s->w, "server2", 0x0a000004u, NULL);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	int l2 = sk_scn_listen(s, s2, SK_PORT, 8);

	/* Window binding. */
	int c = open_client(s, s->client, SK_SERVER_ADDR, SK_S(1));
	if (!sk_expect(s, c >= 0 && sk_world_now(s->w) == SK_MS(20), "client connected at 20 ms"))
		return;
	uint16_t port = sk_scn_port(s, s->client, c);
	struct sk_scn_stream v = {
		.tx = s->client, .tx_sock = c, .rx = s->server, .rx_sock = -1, .total = 160 * SEG};
	sk_scn_streams_run(s, &v, 1, SK_MS(20), NULL, NULL);
	v.rx_sock = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	struct inflight_check ic = {.host = s->client, .sock = c};
	sk_scn_streams_run(s, &v, 1, SK_MS(900), inflight_tick, &ic);
	uint32_t iss = isn_of(s, s->client, port);
	int bursts_ok = 0;
	for (int k = 0; k < 20; k++) {
		const struct sk_rec *first;
		int n = sk_scn_data_at(s, s->client, port, SK_MS(20 + 20 * k), &first);
		if (n == 8 && first && first->d.tcp.seq == iss + 1 + (uint32_t)k * 8 * SEG)
			bursts_ok++;
		else
			sk_expect(s, 0,
				  "window-bound flight %d at %d ms: %d segments, want 8 from "
				  "offset %u",
				  k + 1, 20 + 20 * k, n, k * 8 * SEG);
	}
	sk_expect(s, bursts_ok == 20, "20 flights of exactly 8 segments, one per 20 ms round trip");
	struct log_check lc;
	check_log(s, s->client, port, s->server, SK_PORT, 0, &lc);
	sk_expect(s, lc.segs == 160 && lc.beyond == 0,
		  "160 data segments, none beyond the window the client knew (%d beyond, first at "
		  "%llu us)",
		  lc.beyond, (unsigned long long)lc.bad_t);
	sk_expect(s, lc.max_flight == 8 * SEG && lc.fills == 20,
		  "in flight at most the %u-byte window (max %u), each flight filling it "
		  "exactly (%d times)",
		  8 * SEG, lc.max_flight, lc.fills);
	sk_expect(s, ic.checks > 0 && ic.bad == 0,
		  "TCP_INFO after every event: bytes in flight <= min(cwnd, snd_wnd) (%d "
		  "violations; first at "
		  "%llu us: %u > min(%u, %u))",
		  ic.bad, (unsigned long long)ic.bad_t, ic.bad_flight, ic.bad_cwnd, ic.bad_wnd);
	struct synack_tcp_info i;
	sk_scn_tcp_info(s, s->client, c, &i);
	sk_expect(s, i.snd_cwnd > 8 * SEG, "cwnd %u above the window: the window was the limit",
		  i.snd_cwnd);
	sk_expect(s, v.read == 160 * SEG && !v.corrupt,
		  "the server read all %u bytes intact (%llu)", 160 * SEG,
		  (unsigned long long)v.read);

	/* cwnd binding. */
	sk_world_run_until(s->w, SK_S(1));
	int k2 = open_client(s, c2, 0x0a000004u, SK_S(2));
	if (!sk_expect(s, k2 >= 0 && sk_world_now(s->w) == SK_MS(1020),
		       "client2 connected at 1.02 s"))
		return;
	uint16_t port2 = sk_scn_port(s, c2, k2);
	struct sk_scn_stream v2 = {
		.tx = c2, .tx_sock = k2, .rx = s2, .rx_sock = -1, .total = 150 * SEG};
	sk_scn_streams_run(s, &v2, 1, SK_MS(1020), NULL, NULL);
	v2.rx_sock = sk_scn_wait_accept(s, s2, l2, SK_S(2), NULL);
	struct inflight_check ic2 = {.host = c2,
				     .sock = k2,
				     .nat = 4,
				     .at = {SK_MS(1020), SK_MS(1040), SK_MS(1060), SK_MS(1080)}};
	/* The flight at 1.02 s left before the driver ran: TCP_INFO now says what it was. */
	sk_scn_tcp_info(s, c2, k2, &ic2.info[0]);
	sk_scn_streams_run(s, &v2, 1, SK_MS(1500), inflight_tick, &ic2);
	uint32_t iss2 = isn_of(s, c2, port2);
	uint32_t off = 0;
	for (int k = 0; k < 4; k++) {
		uint32_t want = 10u << k;
		const struct sk_rec *first;
		int n = sk_scn_data_at(s, c2, port2, SK_MS(1020 + 20 * k), &first);
		sk_expect(s, n == (int)want && first && first->d.tcp.seq == iss2 + 1 + off,
			  "slow-start flight %d at %d ms: %d segments, want %u from offset %u",
			  k + 1, 1020 + 20 * k, n, want, off);
		const struct synack_tcp_info *f = &ic2.info[k];
		sk_expect(s,
			  f->snd_cwnd == want * SEG && f->bytes_in_flight == want * SEG &&
				  f->snd_wnd > f->snd_cwnd,
			  "after flight %d: cwnd %u, in flight %u (want both %u), peer window %u "
			  "larger",
			  k + 1, f->snd_cwnd, f->bytes_in_flight, want * SEG, f->snd_wnd);
		off += want * SEG;
	}
	struct log_check lc2;
	check_log(s, c2, port2, s2, SK_PORT, 10, &lc2);
	sk_expect(s, lc2.segs == 150 && lc2.beyond == 0 && lc2.max_flight == 80 * SEG,
		  "150 data segments within the window, at most 80 segments (cwnd) in flight: %d, "
		  "%d beyond, max %u",
		  lc2.segs, lc2.beyond, lc2.max_flight);
	sk_expect(s, ic2.checks > 0 && ic2.bad == 0,
		  "TCP_INFO after every event: bytes in flight <= min(cwnd, snd_wnd) (%d "
		  "violations; first at "
		  "%llu us: %u > min(%u, %u))",
		  ic2.bad, (unsigned long long)ic2.bad_t, ic2.bad_flight, ic2.bad_cwnd,
		  ic2.bad_wnd);
	sk_expect(s, v2.read == 150 * SEG && !v2.corrupt, "server2 read all %u bytes intact",
		  150 * SEG);
}

/* ---- FLOW-2 ---- */

/* After every event: the window the sender uses (TCP_INFO snd_wnd) is the window field of
 * the latest segment from its peer shifted by the scale agreed in the handshake. */
struct scale_check {
	int host, sock;
	struct sk_scn_view v;
	int checks, bad;
	uint64_t bad_t;
	uint32_t bad_info, bad_view;
	uint32_t max_wnd, max_flight;
	uint8_t wscale_changed;
};

static void scale_tick(struct sk_scn *s, void *arg)
{
	struct scale_check *c = arg;
	struct synack_tcp_info i;
	if (sk_scn_tcp_info(s, c->host, c->sock, &i) < 0 || i.state != SYNACK_ESTABLISHED)
		return;
	sk_scn_view_at(s, &c->v, sk_world_now(s->w));
	if (!c->v.seen)
		return;
	c->checks++;
	if (i.snd_wnd != c->v.wnd && !c->bad++) {
		c->bad_t = sk_world_now(s->w);
		c->bad_info = i.snd_wnd;
		c->bad_view = c->v.wnd;
	}
	if (i.snd_wscale != c->v.shift)
		c->wscale_changed = 1;
	if (i.snd_wnd > c->max_wnd)
		c->max_wnd = i.snd_wnd;
	if (i.bytes_in_flight > c->max_flight)
		c->max_flight = i.bytes_in_flight;
}

static int ws_of(const struct sk_rec *r)
{
	return r && r->d.tcp.opt.has_ws ? r->d.tcp.opt.ws : -1;
}

/* FLOW-2 (RFC 7323 2): window scaling lets windows exceed 64 KiB; the shift is announced in
 * the SYNs, used only if both carried it, and fixed from then on.
 *
 * Both sides on (default 128 KiB receive buffer, 32 MiB at most): each SYN offers shift 10 (the
 * smallest with 65535 << s >= tcp_rmem[2]) and a window unscaled as in every SYN (2.2), in
 * whole segments as Linux offers it (64240 = 44 x 1460 in the SYN, 65160 = 45 x 1448 in the
 * SYN+ACK that agreed to timestamps): the client's window is exactly 65160 once connected.
 * Afterwards every window field
 * counts 1024 bytes, windows above 64 KiB are offered and used (80 segments, 115840 bytes, in
 * flight in the fourth round), and the shift stays 10 while autotuning grows the buffer.
 *
 * Scaling off on one side (from 1 s: a client with tcp_window_scaling 0; from 2 s: a server
 * with it off sending to a client that offers it): no SYN+ACK may carry the option unless the
 * SYN did, neither side scales, the window in use never exceeds 65535 although the receiver
 * has more room, and the sender fills it with 45 segments (65160 bytes; 375 more would be a
 * sliver, FLOW-4).
 *
 * And (3 s) a scripted peer that agreed shift 2 sends a WS option of 9 on a plain ACK: the
 * option is ignored (2.2: only a SYN carries it), its window still counts 4 bytes a unit. */
static void flow_2(struct sk_scn *s)
{
	struct synack_config nows;
	synack_config_defaults(&nows);
	nows.tcp_window_scaling = 0;
	sk_scn_pair(s, NULL, NULL);
	int c3 = sk_world_add_host(s->w, "client3", 0x0a000003u, &nows);
	int s4 = sk_world_add_host(s->w, "server4", 0x0a000004u, &nows);
	int peer = sk_world_add_peer(s->w, "peer", 0x0a000005u);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	int l4 = sk_scn_listen(s, s4, SK_PORT, 8);

	/* Both sides scale. */
	int c = open_client(s, s->client, SK_SERVER_ADDR, SK_S(1));
	if (!sk_expect(s, c >= 0, "client connected"))
		return;
	uint16_t port = sk_scn_port(s, s->client, c);
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, port, SK_PORT, ALL, S, 1);
	const struct sk_rec *synack = sk_scn_seg_ports(s, s->server, SK_PORT, port, ALL, S | A, 1);
	sk_expect(s, ws_of(syn) == 10 && ws_of(synack) == 10,
		  "SYN and SYN+ACK offer shift 10 (%d, %d)", ws_of(syn), ws_of(synack));
	/* whole segments of the MSS in the SYN, of SEG in the SYN+ACK (64800 and 64260 over
	 * IPv6) */
	uint32_t syn_wnd = 65535 / sk_scn_mss(s) * sk_scn_mss(s), synack_wnd = 65535 / SEG * SEG;
	sk_expect(s, syn && synack && syn->d.tcp.win == syn_wnd && synack->d.tcp.win == synack_wnd,
		  "SYN windows %u and %u, never scaled", syn_wnd, synack_wnd);
	struct synack_tcp_info i;
	sk_scn_tcp_info(s, s->client, c, &i);
	sk_expect(s,
		  i.snd_wnd == synack_wnd && i.snd_wscale == 10 && i.rcv_wscale == 10 && (i.options & 4),
		  "connected: window %u (want %u: the SYN+ACK's, unscaled), shifts %u/%u (want "
		  "10/10)",
		  i.snd_wnd, synack_wnd, i.snd_wscale, i.rcv_wscale);
	struct sk_scn_stream v = {
		.tx = s->client, .tx_sock = c, .rx = s->server, .rx_sock = -1, .total = 200 * SEG};
	sk_scn_streams_run(s, &v, 1, sk_world_now(s->w), NULL, NULL);
	v.rx_sock = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	struct scale_check sc = {.host = s->client,
				 .sock = c,
				 .v = {.peer = s->server,
				       .peer_port = SK_PORT,
				       .port = port,
				       .shift = 10,
				       .delay = OWD}};
	sk_scn_streams_run(s, &v, 1, SK_MS(900), scale_tick, &sc);
	sk_expect(s, sc.checks > 0 && sc.bad == 0,
		  "the window in use is always the latest field << 7 (%d mismatches; first at %llu "
		  "us: %u vs %u)",
		  sc.bad, (unsigned long long)sc.bad_t, sc.bad_info, sc.bad_view);
	sk_expect(s, sc.max_wnd > 65535 && sc.max_flight == 80 * SEG,
		  "windows above 64 KiB offered (max %u) and used: %u in flight (want %u)",
		  sc.max_wnd, sc.max_flight, 80 * SEG);
	struct sk_scn_view sv = {
		.peer = s->server, .peer_port = SK_PORT, .port = port, .shift = 10, .delay = OWD};
	sk_scn_view_at(s, &sv, sk_world_now(s->w));
	struct synack_tcp_info si;
	sk_scn_tcp_info(s, s->server, v.rx_sock, &si);
	sk_expect(s,
		  si.rcvbuf > 131072 && si.rcv_wscale == 10 && si.snd_wscale == 10 &&
			  !sc.wscale_changed,
		  "the receive buffer grew to %u, the shifts stayed 10/10 (%u/%u)", si.rcvbuf,
		  si.rcv_wscale, si.snd_wscale);
	sk_expect(s, v.read == 200 * SEG && !v.corrupt, "the server read all %u bytes intact",
		  200 * SEG);

	/* The client does not scale. */
	sk_world_run_until(s->w, SK_S(1));
	int k3 = open_client(s, c3, SK_SERVER_ADDR, SK_S(2));
	if (!sk_expect(s, k3 >= 0, "client3 connected"))
		return;
	uint16_t port3 = sk_scn_port(s, c3, k3);
	syn = sk_scn_seg_ports(s, c3, port3, SK_PORT, ALL, S, 1);
	synack = sk_scn_seg_ports(s, s->server, SK_PORT, port3, ALL, S | A, 1);
	sk_expect(s, syn && synack && ws_of(syn) < 0 && ws_of(synack) < 0,
		  "no WS option in the SYN, so none in the SYN+ACK (%d, %d)", ws_of(syn),
		  ws_of(synack));
	struct sk_scn_stream v3 = {
		.tx = c3, .tx_sock = k3, .rx = s->server, .rx_sock = -1, .total = 200 * SEG};
	sk_scn_streams_run(s, &v3, 1, sk_world_now(s->w), NULL, NULL);
	v3.rx_sock = sk_scn_wait_accept(s, s->server, l, SK_S(2), NULL);
	struct scale_check sc3 = {
		.host = c3,
		.sock = k3,
		.v = {.peer = s->server, .peer_port = SK_PORT, .port = port3, .delay = OWD}};
	sk_scn_streams_run(s, &v3, 1, SK_MS(1900), scale_tick, &sc3);
	sk_scn_tcp_info(s, c3, k3, &i);
	sk_scn_tcp_info(s, s->server, v3.rx_sock, &si);
	sk_expect(s,
		  !(i.options & 4) && !(si.options & 4) && i.snd_wscale == 0 && i.rcv_wscale == 0 &&
			  si.snd_wscale == 0 && si.rcv_wscale == 0,
		  "window scaling off on both ends of the connection");
	sk_expect(s, sc3.checks > 0 && sc3.bad == 0 && sc3.max_wnd == 65535,
		  "the window in use is the field itself, at most 65535 (max %u, %d mismatches)",
		  sc3.max_wnd, sc3.bad);
	sk_expect(s, sc3.max_flight == 45 * SEG && si.rcvbuf > 65535,
		  "at most %u bytes in flight (%u) though the server's buffer holds %u", 45 * SEG,
		  sc3.max_flight, si.rcvbuf);
	sk_expect(s, v3.read == 200 * SEG && !v3.corrupt,
		  "the server read all of client3's bytes intact");

	/* The server does not scale; it sends to a client that offered to. */
	sk_world_run_until(s->w, SK_S(2));
	int c4 = open_client(s, s->client, 0x0a000004u, SK_S(3));
	if (!sk_expect(s, c4 >= 0, "client connected to server4"))
		return;
	uint16_t port4 = sk_scn_port(s, s->client, c4);
	syn = sk_scn_seg_ports(s, s->client, port4, SK_PORT, ALL, S, 1);
	synack = sk_scn_seg_ports(s, s4, SK_PORT, port4, ALL, S | A, 1);
	sk_expect(s, syn && synack && ws_of(syn) == 10 && ws_of(synack) < 0,
		  "the client offers shift 10, the server's SYN+ACK carries no WS (%d, %d)",
		  ws_of(syn), ws_of(synack));
	int a4 = sk_scn_wait_accept(s, s4, l4, SK_S(3), NULL);
	struct sk_scn_stream v4 = {
		.tx = s4, .tx_sock = a4, .rx = s->client, .rx_sock = c4, .total = 200 * SEG};
	struct scale_check sc4 = {
		.host = s4,
		.sock = a4,
		.v = {.peer = s->client, .peer_port = port4, .port = SK_PORT, .delay = OWD}};
	sk_scn_streams_run(s, &v4, 1, SK_MS(2900), scale_tick, &sc4);
	sk_scn_tcp_info(s, s->client, c4, &i);
	sk_expect(s, !(i.options & 4) && i.snd_wscale == 0 && i.rcv_wscale == 0,
		  "the client does not scale either: shifts %u/%u", i.snd_wscale, i.rcv_wscale);
	sk_expect(s,
		  sc4.checks > 0 && sc4.bad == 0 && sc4.max_wnd == 65535 &&
			  sc4.max_flight == 45 * SEG,
		  "the client's windows are unscaled, at most 65535 (max %u, %d mismatches), %u "
		  "in flight (%u)",
		  sc4.max_wnd, sc4.bad, 45 * SEG, sc4.max_flight);
	sk_expect(s, v4.read == 200 * SEG && !v4.corrupt,
		  "the client read all of server4's bytes intact");

	/* A WS option outside the SYN is ignored. */
	sk_world_run_until(s->w, SK_S(3));
	struct sk_scn_peer_conn pc = {.peer = peer,
				      .raddr = SK_SERVER_ADDR,
				      .lport = 40000,
				      .rport = SK_PORT,
				      .iss = 1000000};
	struct sk_tcp_opts o = {.has_mss = 1, .mss = (uint16_t)sk_scn_mss(s), .has_ws = 1, .ws = 2};
	if (!sk_expect(s, sk_scn_peer_connect(s, &pc, &o, SK_S(4)) == 0, "peer connected"))
		return;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(4), NULL);
	sk_scn_tcp_info(s, s->server, a, &si);
	sk_expect(s, si.snd_wscale == 2 && si.snd_wnd == 65535u << 2,
		  "the peer's shift is 2: its window 65535 counts %u (want 262140)", si.snd_wnd);
	/* One byte first, so the ACK after it is newer (SEG.SEQ > SND.WL1) and its smaller
	 * window is an update (RFC 9293 3.10.7.4; a repeat of SEQ and ACK that only shrinks
	 * the window is not, as Linux judges it). */
	sk_scn_peer_seg(s, &pc, A | P, pc.iss + 1, pc.irs + 1, 65535, NULL, "x", 1);
	struct sk_tcp_opts late = {.has_ws = 1, .ws = 9};
	sk_scn_peer_seg(s, &pc, A, pc.iss + 2, pc.irs + 1, 1000, &late, NULL, 0);
	sk_world_run_until(s->w, sk_world_now(s->w) + OWD);
	sk_scn_tcp_info(s, s->server, a, &si);
	sk_expect(s, si.snd_wscale == 2 && si.snd_wnd == 4000,
		  "a WS option of 9 on an ACK is ignored: window 1000 counts %u (want 4000), shift "
		  "%u",
		  si.snd_wnd, si.snd_wscale);
}

/* ---- FLOW-3 ---- */

/* Zero-length segments host sent from sport with seq in [t0, t1]: their times. */
static int probes(struct sk_scn *s, int host, uint16_t sport, uint32_t seq, uint64_t t0,
		  uint64_t t1, uint64_t *at, int max)
{
	int n = 0;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type != SK_REC_SEG || r->host != host || r->d.l4 != SK_L4_TCP ||
		    r->d.tcp.sport != sport || r->t < t0 || r->t > t1 || r->d.tcp.payload_len ||
		    r->d.tcp.flags != A || r->d.tcp.seq != seq)
			continue;
		if (n < max)
			at[n] = r->t;
		n++;
	}
	return n;
}

/* The segment host sent from sport at exactly time t with no data (an ACK), or NULL. */
static const struct sk_rec *ack_at(struct sk_scn *s, int host, uint16_t sport, uint64_t t)
{
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type == SK_REC_SEG && r->host == host && r->d.l4 == SK_L4_TCP &&
		    r->d.tcp.sport == sport && r->t == t && !r->d.tcp.payload_len &&
		    (r->d.tcp.flags & ALL) == A)
			return r;
	}
	return NULL;
}

/* Data segments host sent from sport in [t0, t1]. */
static int data_between(struct sk_scn *s, int host, uint16_t sport, uint64_t t0, uint64_t t1)
{
	int n = 0;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type == SK_REC_SEG && r->host == host && r->d.l4 == SK_L4_TCP &&
		    r->d.tcp.sport == sport && r->t >= t0 && r->t <= t1 && r->d.tcp.payload_len)
			n++;
	}
	return n;
}

/* FLOW-3 (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17, RFC 6298 5): a receiver that does not read.
 * The server's buffer is 8 segments (11584 bytes); the client writes 16 segments at 20 ms.
 * 8 go at once; the server acks them at 30 ms, the last ACK with window 0. At 40 ms the
 * client has nothing in flight, data waiting and a zero window: no retransmission timer
 * runs, the persist timer does. The first probe goes one RTO later (RTO 220 ms: SRTT 20 ms
 * plus the 200 ms floor of the variance term, REL-3), then at doubling intervals capped at
 * rto_max (120 s): 0.26, 0.70, 1.58, 3.34, 6.86, 13.90, 27.98, 56.14, 112.46, 225.10 s, then
 * 345.10, 465.10, 585.10 s. A
 * probe is a zero-length ACK one below snd_una (as Linux sends it); the server must ack each,
 * 10 ms later, with its window still 0 (the catalogue's "a segment the peer must ack": such
 * ACKs are not rate limited like ACKs to stray segments). The connection stays up however
 * long the window stays shut, while the probes are answered (RFC 1122 4.2.2.17). At 600 s the
 * application reads everything, the window update goes out at once and the client resumes
 * 10 ms later with the other 8 segments.
 *
 * The window update lost (a second connection from 700 s, times below relative to it): the
 * same opening, probes at 0.26, 0.70, 1.58 s; the application reads all at 2 s and the
 * window update is dropped. Nothing moves until the probe at 3.34 s, whose ACK (3.35 s)
 * carries the open window: the client resumes at 3.36 s. No deadlock. */
static void zero_window_open(struct sk_scn *s, int *c, uint16_t *port, uint32_t *iss, uint32_t *irs,
			     int l, struct sk_scn_stream *v)
{
	*c = open_client(s, s->client, SK_SERVER_ADDR, sk_world_now(s->w) + SK_S(1));
	if (*c < 0)
		return;
	*port = sk_scn_port(s, s->client, *c);
	*iss = isn_of(s, s->client, *port);
	const struct sk_rec *sa = sk_scn_seg_ports(s, s->server, SK_PORT, *port, ALL, S | A, 1);
	*irs = sa ? sa->d.tcp.seq : 0;
	*v = (struct sk_scn_stream){.tx = s->client,
				    .tx_sock = *c,
				    .rx = s->server,
				    .rx_sock = -1,
				    .total = 16 * SEG,
				    .read_from = UINT64_MAX /* the application does not read */};
	sk_scn_streams_run(s, v, 1, sk_world_now(s->w), NULL, NULL);
	v->rx_sock = sk_scn_wait_accept(s, s->server, l, sk_world_now(s->w) + SK_S(1), NULL);
}

static void flow_3(struct sk_scn *s)
{
	struct synack_config small = small_rcvbuf(8 * SEG);
	sk_scn_pair(s, NULL, &small);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);
	int c = -1;
	uint16_t port = 0;
	uint32_t iss = 0, irs = 0;
	struct sk_scn_stream v;
	zero_window_open(s, &c, &port, &iss, &irs, l, &v);
	if (!sk_expect(s, c >= 0 && v.rx_sock >= 0, "connected"))
		return;
	v.read_from = SK_S(600);
	sk_scn_streams_run(s, &v, 1, SK_S(600) + SK_MS(100), NULL, NULL);

	const struct sk_rec *first;
	sk_expect(s, sk_scn_data_at(s, s->client, port, SK_MS(20), &first) == 8,
		  "8 segments at 20 ms fill the window");
	const struct sk_rec *zero = ack_at(s, s->server, SK_PORT, SK_MS(30));
	int nz = 0;
	for (int k = 1; k <= 8; k++) {
		const struct sk_rec *r = sk_scn_seg_ports(s, s->server, SK_PORT, port, ALL, A, k);
		if (r && r->t == SK_MS(30) && r->d.tcp.ack == iss + 1 + 8 * SEG &&
		    r->d.tcp.win == 0) {
			nz++;
			zero = r;
		}
	}
	sk_expect(s, nz == 1 && zero,
		  "the server's ACK of all 8 segments at 30 ms offers window 0");
	static const uint32_t want_ms[] = {260,	  700,	  1580,	  3340,	  6860,	  13900, 27980,
					   56140, 112460, 225100, 345100, 465100, 585100};
	enum { NPROBE = sizeof(want_ms) / sizeof(want_ms[0]) };
	uint64_t at[NPROBE + 4];
	int n = probes(s, s->client, port, iss + 8 * SEG, SK_MS(40), SK_S(600), at, NPROBE + 4);
	int times_ok = n == NPROBE, answered = 0;
	for (int k = 0; k < n && k < NPROBE; k++) {
		if (at[k] != SK_MS(want_ms[k])) {
			times_ok = 0;
			sk_expect(s, 0, "probe %d at %llu us, want %u ms", k + 1,
				  (unsigned long long)at[k], want_ms[k]);
		}
		const struct sk_rec *r = ack_at(s, s->server, SK_PORT, at[k] + OWD);
		if (r && r->d.tcp.seq == irs + 1 && r->d.tcp.ack == iss + 1 + 8 * SEG &&
		    r->d.tcp.win == 0)
			answered++;
	}
	sk_expect(
		s, times_ok,
		"%d window probes (want 13), RTO 220 ms apart at first, doubling, capped at 120 s",
		n);
	sk_expect(s, answered == NPROBE,
		  "every probe answered 10 ms later with window 0 (%d of %d)", answered, NPROBE);
	sk_expect(s, data_between(s, s->client, port, SK_MS(21), SK_S(600)) == 0,
		  "no data while the window is shut");
	const struct sk_rec *upd = ack_at(s, s->server, SK_PORT, SK_S(600));
	sk_expect(s, upd && upd->d.tcp.win == 8 * SEG && upd->d.tcp.ack == iss + 1 + 8 * SEG,
		  "the application reads at 600 s: window update %u at once", 8 * SEG);
	int resumed = sk_scn_data_at(s, s->client, port, SK_S(600) + OWD, &first);
	sk_expect(s, resumed == 8 && first && first->d.tcp.seq == iss + 1 + 8 * SEG,
		  "the client resumes at 600.01 s with the other 8 segments (%d)", resumed);
	struct synack_tcp_info i;
	sk_scn_tcp_info(s, s->client, c, &i);
	struct synack_stats cs = sk_scn_stats(s, s->client);
	sk_expect(s, i.state == SYNACK_ESTABLISHED && i.total_retrans == 0 && cs.tcp_timeouts == 0,
		  "still ESTABLISHED, no retransmission and no timeout: probes are neither (%u, "
		  "%llu)",
		  i.total_retrans, (unsigned long long)cs.tcp_timeouts);
	sk_expect(s, v.read == 16 * SEG && !v.corrupt, "the server read all %u bytes intact",
		  16 * SEG);

	/* The window update is lost. */
	uint64_t t0 = SK_S(700);
	sk_world_run_until(s->w, t0);
	zero_window_open(s, &c, &port, &iss, &irs, l, &v);
	if (!sk_expect(s, c >= 0 && v.rx_sock >= 0, "second connection"))
		return;
	sk_scn_streams_run(s, &v, 1, t0 + SK_S(2), NULL, NULL);
	sk_scn_rule(s, s->server, s->client, ALL, A, 1, 1, SK_SIMNET_DROP, 0);
	v.read_from = t0 + SK_S(2);
	sk_scn_streams_run(s, &v, 1, t0 + SK_S(4), NULL, NULL);
	n = probes(s, s->client, port, iss + 8 * SEG, t0 + SK_MS(40), t0 + SK_MS(3340), at, NPROBE);
	sk_expect(s,
		  n == 4 && at[0] == t0 + SK_MS(260) && at[1] == t0 + SK_MS(700) &&
			  at[2] == t0 + SK_MS(1580) && at[3] == t0 + SK_MS(3340),
		  "probes at +0.26, +0.70, +1.58, +3.34 s (%d)", n);
	upd = ack_at(s, s->server, SK_PORT, t0 + SK_S(2));
	sk_expect(s, upd && upd->dropped && upd->d.tcp.win == 8 * SEG,
		  "the window update at +2 s was lost");
	sk_expect(s, data_between(s, s->client, port, t0 + SK_MS(21), t0 + SK_MS(3359)) == 0,
		  "nothing moves until the next probe");
	const struct sk_rec *ans = ack_at(s, s->server, SK_PORT, t0 + SK_MS(3350));
	sk_expect(s, ans && !ans->dropped && ans->d.tcp.win == 8 * SEG,
		  "the probe's ACK at +3.35 s opens the window");
	resumed = sk_scn_data_at(s, s->client, port, t0 + SK_MS(3360), &first);
	sk_expect(s, resumed == 8 && first && first->d.tcp.seq == iss + 1 + 8 * SEG,
		  "the client resumes at +3.36 s with 8 segments (%d)", resumed);
	sk_expect(s, v.read == 16 * SEG && !v.corrupt, "all %u bytes read intact", 16 * SEG);
}

/* ---- FLOW-4 ---- */

/* Sender SWS avoidance from the log: every data segment host sent from sport is full-sized,
 * or the end of the data (at offset total), or was sent by the override timeout: with
 * nothing in flight, filling the usable window exactly, one RTO (rto) after the latest ACK
 * arrived. */
struct sws_check {
	int segs, full, tail, override, silly;
	uint64_t silly_t;
	uint32_t silly_len;
};

static void check_sender_sws(struct sk_scn *s, int host, uint16_t sport, int peer, uint16_t pport,
			     uint32_t isn, uint64_t total, uint64_t rto, struct sws_check *o)
{
	memset(o, 0, sizeof(*o));
	struct sk_scn_view v = {.peer = peer, .peer_port = pport, .port = sport, .delay = OWD};
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type != SK_REC_SEG || r->host != host || r->d.l4 != SK_L4_TCP ||
		    r->d.tcp.sport != sport || !r->d.tcp.payload_len)
			continue;
		sk_scn_view_at(s, &v, r->t);
		uint32_t len = (uint32_t)r->d.tcp.payload_len, end = r->d.tcp.seq + len;
		o->segs++;
		if (len == SEG)
			o->full++;
		else if (end == isn + 1 + total)
			o->tail++;
		else if (v.una == r->d.tcp.seq && end == v.right && r->t == v.at + rto)
			o->override++;
		else if (!o->silly++) {
			o->silly_t = r->t;
			o->silly_len = len;
		}
	}
}

/* FLOW-4, the receiver (RFC 1122 4.2.3.3, RFC 9293 3.8.6.2.2): the right window edge moves
 * only by at least min(RCV.BUFF / 2, Eff.snd.MSS) = min(5792, 1448) = 1448 bytes. The server's
 * buffer is 11584 bytes and its application reads 500 bytes every 50 ms: without the rule,
 * every ACK would offer the few hundred bytes read since the last one. From the log: every
 * window the server offers either keeps the right edge or advances it by 1448 or more, and
 * never pulls it back.
 *
 * The sender, in the same transfer (RFC 1122 4.2.3.4, RFC 9293 3.8.6.2.1): a segment goes if
 * it is full-sized, or ends the data, or is at least half the largest window seen (5792);
 * otherwise only when the override timeout fires, one RTO (220 ms) after the last ACK with
 * nothing in flight. So every segment is full, or the 1040-byte tail, or such an override
 * send that fills the window exactly; none is sent on an ACK or while data is in flight.
 * (This reader's updates, sent only when a read at least doubles the window, as Linux's,
 * seldom leave a sliver to hold; the scripted receiver below makes the override fire.)
 *
 * The sender against a receiver that offers slivers (a scripted peer at 10 s, times relative;
 * MSS 1000, no options, window 4000 = the largest it will offer, so Fs * Max(SND.WND) = 2000):
 * the server writes 20000 bytes at 30 ms; 4 segments go. At 40 ms the peer acks them one by
 * one, moving the right edge by 100 bytes each time: 100, 200, 300 bytes usable while data is
 * in flight: nothing is sent. At 60 ms it acks all with the edge 300 bytes ahead: nothing is
 * in flight, but 300 is below a full segment and below 2000 and more data waits, so the
 * sender waits for the override timeout (0.1..1 s; RFC 9293 suggests the persist timer, which
 * runs one RTO: 220 ms, the RTT being 20 ms) after that ACK arrives (70 ms): at 290 ms
 * exactly one 300-byte segment goes. The peer acks it and opens 4000 bytes: at 310 ms 4 full
 * segments follow. */
static void flow_4(struct sk_scn *s)
{
	struct synack_config small = small_rcvbuf(8 * SEG);
	sk_scn_pair(s, NULL, &small);
	int peer = sk_world_add_peer(s->w, "peer", 0x0a000005u);
	int l = sk_scn_listen(s, s->server, SK_PORT, 8);

	/* A slow reader. */
	int c = open_client(s, s->client, SK_SERVER_ADDR, SK_S(1));
	if (!sk_expect(s, c >= 0, "client connected"))
		return;
	uint16_t port = sk_scn_port(s, s->client, c);
	struct sk_scn_stream v = {.tx = s->client,
				  .tx_sock = c,
				  .rx = s->server,
				  .rx_sock = -1,
				  .total = 30000,
				  .read_every = SK_MS(50),
				  .read_chunk = 500};
	sk_scn_streams_run(s, &v, 1, sk_world_now(s->w), NULL, NULL);
	v.rx_sock = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	v.read_from = sk_world_now(s->w);
	sk_scn_streams_run(s, &v, 1, SK_S(5), NULL, NULL);
	int moves = 0, small_moves = 0, back = 0;
	uint32_t edge = 0;
	int have = 0;
	for (int k = 1;; k++) {
		const struct sk_rec *r = sk_scn_seg_ports(s, s->server, SK_PORT, port, 0, 0, k);
		if (!r)
			break;
		uint32_t e = r->d.tcp.ack + r->d.tcp.win;
		if (have && e != edge) {
			if (seq_after(edge, e))
				back++;
			else if (e - edge < SEG)
				small_moves++;
			else
				moves++;
		}
		if (!have || seq_after(e, edge))
			edge = e;
		have = 1;
	}
	sk_expect(s, small_moves == 0 && back == 0 && moves > 0,
		  "the right edge moved %d times, each by >= %u bytes (%d smaller moves, %d "
		  "pulled back)",
		  moves, SEG, small_moves, back);
	struct sws_check sw;
	check_sender_sws(s, s->client, port, s->server, SK_PORT, isn_of(s, s->client, port), 30000,
			 SK_MS(220), &sw);
	sk_expect(s, sw.silly == 0 && sw.tail == 1,
		  "the client's %d segments: %d full, the tail, %d slivers sent by the override "
		  "timeout 220 ms after "
		  "the last ACK with nothing in flight; %d other short ones (first %u bytes at "
		  "%llu us)",
		  sw.segs, sw.full, sw.override, sw.silly, sw.silly_len,
		  (unsigned long long)sw.silly_t);
	sk_expect(s, v.read == 30000 && !v.corrupt, "all 30000 bytes read intact (%llu)",
		  (unsigned long long)v.read);

	/* A receiver offering slivers. */
	uint64_t t0 = SK_S(10);
	sk_world_run_until(s->w, t0);
	struct sk_scn_peer_conn pc = {.peer = peer,
				      .raddr = SK_SERVER_ADDR,
				      .lport = 40000,
				      .rport = SK_PORT,
				      .iss = 5000000};
	struct sk_tcp_opts o = {.has_mss = 1, .mss = 1000};
	sk_scn_peer_seg(s, &pc, S, pc.iss, 0, 4000, &o, NULL, 0);
	struct sk_tcp g;
	if (!sk_expect(s, sk_scn_peer_wait(s, peer, t0 + SK_S(1), &g) && g.flags == (S | A),
		       "SYN+ACK"))
		return;
	pc.irs = g.seq;
	uint32_t p1 = pc.iss + 1, d = pc.irs + 1; /* the peer's seq; the server's first data byte */
	sk_scn_peer_seg(s, &pc, A, p1, d, 4000, NULL, NULL, 0);
	int a = sk_scn_wait_accept(s, s->server, l, t0 + SK_S(1), NULL);
	if (!sk_expect(s, a >= 0 && sk_world_now(s->w) == t0 + SK_MS(30), "accepted at +30 ms"))
		return;
	struct sk_scn_stream w = {
		.tx = s->server, .tx_sock = a, .rx = peer, .rx_sock = -1, .total = 20000};
	sk_scn_streams_run(s, &w, 1, sk_world_now(s->w), NULL, NULL);
	sk_world_run_until(s->w, t0 + SK_MS(40));
	sk_scn_peer_seg(s, &pc, A, p1, d + 1000, 3100, NULL, NULL, 0);
	sk_scn_peer_seg(s, &pc, A, p1, d + 2000, 2200, NULL, NULL, 0);
	sk_scn_peer_seg(s, &pc, A, p1, d + 3000, 1300, NULL, NULL, 0);
	sk_world_run_until(s->w, t0 + SK_MS(60));
	sk_scn_peer_seg(s, &pc, A, p1, d + 4000, 300, NULL, NULL, 0);
	sk_world_run_until(s->w, t0 + SK_MS(300));
	sk_scn_peer_seg(s, &pc, A, p1, d + 4300, 4000, NULL, NULL, 0);
	sk_world_run_until(s->w, t0 + SK_MS(320));

	const struct sk_rec *first;
	int n = sk_scn_data_at(s, s->server, SK_PORT, t0 + SK_MS(30), &first);
	sk_expect(s, n == 4 && first && first->d.tcp.seq == d && first->d.tcp.payload_len == 1000,
		  "4 segments of 1000 bytes fill the 4000-byte window at +30 ms (%d)", n);
	n = data_between(s, s->server, SK_PORT, t0 + SK_MS(31), t0 + SK_MS(289));
	sk_expect(s, n == 0,
		  "no sliver of 100, 200 or 300 bytes sent, in flight or not, before the override "
		  "timeout (%d)",
		  n);
	n = sk_scn_data_at(s, s->server, SK_PORT, t0 + SK_MS(290), &first);
	sk_expect(s,
		  n == 1 && first && first->d.tcp.seq == d + 4000 &&
			  first->d.tcp.payload_len == 300,
		  "at +290 ms (one RTO after nothing was in flight) one 300-byte segment (%d)", n);
	n = sk_scn_data_at(s, s->server, SK_PORT, t0 + SK_MS(310), &first);
	sk_expect(s,
		  n == 4 && first && first->d.tcp.seq == d + 4300 &&
			  first->d.tcp.payload_len == 1000,
		  "the window opens by 4000: 4 full segments at +310 ms (%d)", n);
}

const struct sk_scenario sk_scn_flow[] = {
	{"flow-1",
	 "bytes in flight never exceed min(cwnd, peer window): the window binds, then cwnd",
	 flow_1},
	{"flow-2",
	 "window scaling: windows above 64 KiB, shift fixed at the handshake; off on one side, <= "
	 "65535",
	 flow_2},
	{"flow-3",
	 "zero window: persist timer, probes with backoff, a probe's ACK or a lost update reopens "
	 "it",
	 flow_3},
	{"flow-4",
	 "silly window syndrome avoided: receiver edge moves by >= 1 MSS, sender holds slivers",
	 flow_4},
	{NULL, NULL, NULL},
};
