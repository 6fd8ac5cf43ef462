/* Reliable-transfer scenarios (REL-1..REL-9): the byte stream over a hostile network,
 * cumulative, selective and duplicate-selective ACKs, the retransmission timer, segmentation,
 * SACK loss recovery, delayed ACKs, Nagle, timestamps and PAWS, keepalive. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario.h"
#include "wire/tcp.h"

#define PEER_ADDR  0x0a000005u /* 10.0.0.5, 10.0.0.6: scripted peers */
#define PEER2_ADDR 0x0a000006u
/* A full segment's payload on the 1500-byte MTU: 1460 after the IP and TCP headers, 1448 when
 * every segment carries the 12 bytes of timestamp option (RFC 9293 3.7.1, HS-4); over IPv6,
 * whose header is 20 bytes longer, 1440 and 1428. They depend on the world's family (the
 * scenario s in scope); buffers are sized for the larger IPv4 ones. */
#define MSS_TS	     (sk_scn_mss(s) - 12)
#define MSS_NOTS     sk_scn_mss(s)
#define MSS_TS_MAX   1448
#define MSS_NOTS_MAX 1460
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A socket with SO_KEEPALIVE (and TCP_KEEPIDLE/INTVL/CNT when nonzero) set before connect. */
static int ka_connect(struct sk_scn *s, int host, int idle, int intvl, int cnt)
{
	int k = synack_socket(sk_world_stack(s->w, host), sk_world_af(s->w), SYNACK_SOCK_STREAM);
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


/* ---- helpers of REL-1..REL-8 ---- */

/* Byte i of test stream salt: no short period, so a misplaced or repeated segment shows. */
static uint8_t pat(uint32_t salt, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull + (uint64_t)salt * 0xbf58476d1ce4e5b9ull;
	x ^= x >> 31;
	x *= 0x94d049bb133111ebull;
	return (uint8_t)(x >> 56);
}

static void fill(uint8_t *b, size_t n, uint32_t salt, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(salt, off + i);
}

/* Index of the first byte of b that is not stream salt's from offset off, or n. */
static size_t first_bad(const uint8_t *b, size_t n, uint32_t salt, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pat(salt, off + i))
			return i;
	return n;
}

/* One connection from a client host to the server's listener. */
struct conn {
	int c, a;      /* the client's socket, the server's accepted one */
	uint16_t port; /* the client's port */
	uint32_t x, y; /* the client's ISN, the server's ISN */
};

/* The server's segments of k (and nobody else's) are those to the client's address. */
static int open_conn(struct sk_scn *s, int host, int l, struct conn *k)
{
	memset(k, 0, sizeof(*k));
	k->a = -1;
	k->c = sk_scn_connect(s, host, SK_SERVER_ADDR, SK_PORT);
	if (k->c < 0 || sk_scn_wait_connect(s, host, k->c, sk_world_now(s->w) + SK_S(5), NULL) != 0)
		return 0;
	k->a = sk_scn_wait_accept(s, s->server, l, sk_world_now(s->w) + SK_S(5), NULL);
	k->port = sk_scn_port(s, host, k->c);
	const struct sk_rec *syn = sk_scn_seg_ports(s, host, k->port, SK_PORT, ALL, S, 1);
	const struct sk_rec *sa = NULL;
	for (int n = 1; (sa = sk_scn_seg_ports(s, s->server, SK_PORT, k->port, ALL, S | A, n)); n++)
		if (sk_world_pkt_dst(&sa->d) == sk_world_addr(s->w, host))
			break;
	if (k->a < 0 || !syn || !sa)
		return 0;
	k->x = syn->d.tcp.seq;
	k->y = sa->d.tcp.seq;
	return 1;
}

/* The segments a check looks at: those host sent to dst from sport to dport, sent in
 * [from, until]. */
struct sel {
	int host;
	uint32_t dst;
	uint16_t sport, dport;
	uint64_t from, until;
};

static int sel_has(const struct sel *q, const struct sk_rec *r)
{
	return r->type == SK_REC_SEG && r->host == q->host && r->d.l4 == SK_L4_TCP &&
	       sk_world_pkt_dst(&r->d) == q->dst && r->d.tcp.sport == q->sport && r->d.tcp.dport == q->dport &&
	       r->t >= q->from && r->t <= q->until;
}

/* The n-th (1-based) segment of q, or NULL. */
static const struct sk_rec *sel_nth(struct sk_scn *s, const struct sel *q, int n)
{
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (sel_has(q, r) && --n == 0)
			return r;
	}
	return NULL;
}

/* One segment a host must send: when, flags (exactly), seq and ack relative to the bases the
 * check is given, payload length, whether the network lost it, and the SACK blocks in order,
 * relative to the ack base (a D-SACK block first when there is one). */
struct want {
	uint64_t t;
	uint16_t flags;
	uint32_t seq, ack, len;
	uint8_t lost;
	uint8_t nsack;
	uint32_t sack[SK_TCP_MAX_SACK][2];
};

/* A segment without SACK blocks, and one with n of them ({left, right} pairs). */
/* clang-format off */
#define W(t, fl, sq, ak, ln)      {(t), (fl), (sq), (ak), (ln), 0, 0, {{0, 0}}}
#define WS(t, fl, sq, ak, n, ...) {(t), (fl), (sq), (ak), 0, 0, (n), {__VA_ARGS__}}
/* clang-format on */

static void flag_letters(uint16_t f, char *out)
{
	static const struct {
		uint16_t bit;
		char c;
	} l[] = {{S, 'S'}, {F, 'F'}, {R, 'R'}, {P, 'P'}, {A, '.'}};
	for (size_t i = 0; i < NELEM(l); i++)
		if (f & l[i].bit)
			*out++ = l[i].c;
	*out = 0;
}

static void describe(char *b, size_t n, const struct want *w)
{
	char fl[8];
	flag_letters(w->flags, fl);
	int k = snprintf(b, n, "%.6f s [%s] seq +%u ack +%u len %u%s", (double)w->t / 1e6, fl,
			 w->seq, w->ack, w->len, w->lost ? " (lost)" : "");
	for (int i = 0; i < w->nsack && k > 0 && (size_t)k < n; i++)
		k += snprintf(b + k, n - (size_t)k, "%s+%u-+%u", i ? "," : " sack ", w->sack[i][0],
			      w->sack[i][1]);
}

/* The segments of q must be exactly w[0..n-1], in order. */
static void check_segs(struct sk_scn *s, const char *what, const struct sel *q, uint32_t seq0,
		       uint32_t ack0, const struct want *w, int n)
{
	int k = 0;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (!sel_has(q, r))
			continue;
		const struct sk_tcp *g = &r->d.tcp;
		struct want got = {.t = r->t,
				   .flags = g->flags,
				   .seq = g->seq - seq0,
				   .ack = (g->flags & A) ? g->ack - ack0 : 0,
				   .len = (uint32_t)g->payload_len,
				   .lost = (uint8_t)(r->dropped != 0),
				   .nsack = g->opt.nsack};
		for (int j = 0; j < g->opt.nsack && j < SK_TCP_MAX_SACK; j++) {
			got.sack[j][0] = g->opt.sack[j].left - ack0;
			got.sack[j][1] = g->opt.sack[j].right - ack0;
		}
		char gs[160], ws[160] = "nothing";
		describe(gs, sizeof(gs), &got);
		int ok = k < n;
		if (ok) {
			const struct want *e = &w[k];
			describe(ws, sizeof(ws), e);
			ok = got.t == e->t && got.flags == e->flags && got.seq == e->seq &&
			     got.ack == e->ack && got.len == e->len && got.lost == e->lost &&
			     got.nsack == e->nsack;
			for (int j = 0; ok && j < e->nsack; j++)
				ok = got.sack[j][0] == e->sack[j][0] &&
				     got.sack[j][1] == e->sack[j][1];
		}
		sk_expect(s, ok, "%s, segment %d: %s; want %s", what, k + 1, gs, ws);
		k++;
	}
	sk_expect(s, k == n, "%s: %d segments, want %d", what, k, n);
}

/* Every segment of q carries the timestamp option (ts = 1) or none does (ts = 0). */
static int all_ts(struct sk_scn *s, const struct sel *q, int ts)
{
	int n = 0;
	for (const struct sk_rec *r; (r = sel_nth(s, q, n + 1)); n++)
		if (r->d.tcp.opt.has_ts != ts)
			return 0;
	return n > 0;
}

/* The scripted peer's timestamp clock: 1 ms ticks from 100000. */
static uint32_t peer_tsval(struct sk_scn *s)
{
	return 100000u + (uint32_t)(sk_world_now(s->w) / 1000);
}

/* Scripted peer: opens c to the stack listening at c->raddr:c->rport with a SYN carrying
 * MSS 1460, SACK-permitted if sack, timestamps if ts; the ACK of the SYN+ACK follows the
 * moment it arrives (with timestamps, echoing its TSval into *tsecr). Returns 1, or 0 if no
 * SYN+ACK came within a second. */
static int peer_open(struct sk_scn *s, struct sk_scn_peer_conn *c, int sack, int ts,
		     uint32_t *tsecr)
{
	struct sk_tcp_opts o = {.has_mss = 1, .mss = (uint16_t)MSS_NOTS, .sack_ok = sack != 0};
	if (ts) {
		o.has_ts = 1;
		o.tsval = peer_tsval(s);
	}
	sk_scn_peer_seg(s, c, S, c->iss, 0, 65535, &o, NULL, 0);
	struct sk_tcp seg;
	uint64_t limit = sk_world_now(s->w) + SK_S(1);
	while (sk_scn_peer_wait(s, c->peer, limit, &seg)) {
		if (seg.dport != c->lport || seg.flags != (S | A))
			continue;
		c->irs = seg.seq;
		struct sk_tcp_opts ao = {0};
		if (ts) {
			ao.has_ts = 1;
			ao.tsval = peer_tsval(s);
			ao.tsecr = seg.opt.tsval;
			*tsecr = seg.opt.tsval;
		}
		sk_scn_peer_seg(s, c, A, c->iss + 1, c->irs + 1, 65535, ts ? &ao : NULL, NULL, 0);
		return 1;
	}
	return 0;
}

/* Scripted peer: len bytes of stream salt at offset off of c's byte stream (seq ISS+1+off),
 * acknowledging the stack's SYN; with timestamps when tsecr is not NULL. */
static void peer_data(struct sk_scn *s, const struct sk_scn_peer_conn *c, uint16_t flags,
		      uint32_t off, uint32_t len, uint32_t salt, const uint32_t *tsecr)
{
	uint8_t b[MSS_NOTS_MAX];
	if (len > sizeof(b))
		len = sizeof(b);
	fill(b, len, salt, off);
	struct sk_tcp_opts o = {0};
	if (tsecr) {
		o.has_ts = 1;
		o.tsval = peer_tsval(s);
		o.tsecr = *tsecr;
	}
	sk_scn_peer_seg(s, c, flags, c->iss + 1 + off, c->irs + 1, 65535, tsecr ? &o : NULL, b,
			len);
}

/* A server listening on SK_PORT and a scripted peer ("peer", PEER_ADDR, SACK permitted, no
 * timestamps) that connects to it from port 40000 with ISN iss (checked): c gets the peer's
 * side, *a the server's accepted socket. Returns 0 if the peer could not connect. */
static int server_and_peer(struct sk_scn *s, uint32_t iss, struct sk_scn_peer_conn *c, int *a)
{
	struct synack_config tb = sk_scn_textbook();
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, &tb);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	*c = (struct sk_scn_peer_conn){.peer = peer,
				       .raddr = SK_SERVER_ADDR,
				       .lport = 40000,
				       .rport = SK_PORT,
				       .iss = iss};
	if (!sk_expect(s, peer_open(s, c, 1, 0, NULL), "the peer connects"))
		return 0;
	*a = sk_scn_wait_accept(s, s->server, l, SK_S(1), NULL);
	return 1;
}

/* Reads what is there (up to cap); returns the count and leaves the bytes in b. */
static long recv_now(struct sk_scn *s, int host, int sock, uint8_t *b, size_t cap)
{
	long got = 0;
	for (;;) {
		long r = synack_recv(sk_world_stack(s->w, host), sock, b + got, cap - (size_t)got,
				     0);
		if (r <= 0 || (size_t)(got += r) == cap)
			break;
	}
	sk_world_note(s->w, host, "recv() = %ld bytes in all", got);
	return got;
}

/* ---- REL-1 ---- */

/* One direction of the REL-1 stream: written in the sizes of wsizes in turn, read in those of
 * rsizes, checked byte for byte as it arrives. */
struct stream {
	synack_stack *tx, *rx;
	int txs, rxs;
	uint32_t salt;
	uint64_t total, sent, rcvd;
	unsigned wi, ri;
	int shut, eof, err;
	uint64_t bad;	    /* offset of the first wrong byte, or UINT64_MAX */
	uint64_t after_eof; /* bytes read after the end of the stream (there must be none) */
};

static const uint32_t wsizes[] = {1, 13, 536, 1447, 1448, 1449, 4000, 20000, 65536};
static const uint32_t rsizes[] = {7, 100, 1500, 9000, 65536};

static void stream_pump(struct stream *f, uint8_t *buf)
{
	while (f->sent < f->total) {
		uint64_t n = wsizes[f->wi % NELEM(wsizes)];
		if (n > f->total - f->sent)
			n = f->total - f->sent;
		fill(buf, (size_t)n, f->salt, f->sent);
		long r = synack_send(f->tx, f->txs, buf, (size_t)n, 0);
		if (r <= 0) {
			if (r != -EAGAIN)
				f->err = (int)r;
			break;
		}
		f->sent += (uint64_t)r;
		f->wi++;
	}
	if (f->sent == f->total && !f->shut) {
		synack_shutdown(f->tx, f->txs, SYNACK_SHUT_WR);
		f->shut = 1;
	}
	for (;;) {
		long r = synack_recv(f->rx, f->rxs, buf, rsizes[f->ri % NELEM(rsizes)], 0);
		if (r == 0) {
			f->eof = 1;
			break;
		}
		if (r < 0) {
			if (r != -EAGAIN)
				f->err = (int)r;
			break;
		}
		f->ri++;
		if (f->eof)
			f->after_eof += (uint64_t)r;
		size_t b = first_bad(buf, (size_t)r, f->salt, f->rcvd);
		if (b < (size_t)r && f->bad == UINT64_MAX)
			f->bad = f->rcvd + b;
		f->rcvd += (uint64_t)r;
	}
}

static void stream_verdict(struct sk_scn *s, const char *what, const struct stream *f)
{
	sk_expect(s, f->sent == f->total && f->rcvd == f->total && f->eof && !f->after_eof,
		  "%s: %llu of %llu bytes written, %llu read, then EOF (%s), %llu after it", what,
		  (unsigned long long)f->sent, (unsigned long long)f->total,
		  (unsigned long long)f->rcvd, f->eof ? "seen" : "not seen",
		  (unsigned long long)f->after_eof);
	sk_expect(s, f->bad == UINT64_MAX, "%s: byte %llu is wrong", what,
		  (unsigned long long)f->bad);
	sk_expect(s, f->err == 0, "%s: a call failed with %s", what, sk_errno_name(f->err));
}

/* REL-1: a byte stream, not messages; once, in order, intact whatever the network does.
 *  1. At 100 ms the client sends "abc", "defg", "hi". Nagle (REL-7) sends "abc" at once and
 *     holds the rest for its ACK, which the server delays 40 ms (REL-6): it lands at 160 ms
 *     and "defghi" leaves as one segment. One recv() at 200 ms reads all 9 bytes.
 *  2. At 300 ms the server sends 5000 bytes in one call; the client reads them as 1000 and
 *     4000.
 *  3. From 500 ms both directions cross a network that loses (2 %), duplicates (2 %),
 *     reorders (3 % held back 5 ms, plus 0-4 ms jitter) and corrupts (1 %, one bit: the
 *     checksum catches every single-bit error, FMT-2) frames: 300000 bytes up and 200000
 *     down, written in sizes from 1 to 65536 bytes and read in others, arrive exactly, once,
 *     followed by EOF. */
static void rel_1(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	sk_scn_pair(s, &tb, &tb);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct conn k;
	if (!sk_expect(s, open_conn(s, s->client, l, &k), "connection opened"))
		return;
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_send(s, s->client, k.c, "abc", 3);
	sk_scn_send(s, s->client, k.c, "defg", 4);
	sk_scn_send(s, s->client, k.c, "hi", 2);
	sk_world_run_until(s->w, SK_MS(200));
	char b[64];
	long n = sk_scn_recv(s, s->server, k.a, b, sizeof(b));
	sk_expect(s, n == 9 && !memcmp(b, "abcdefghi", 9),
		  "1: sends of 3, 4, 2 bytes come back as one recv() of 9 \"abcdefghi\" (got %ld)",
		  n);
	const struct sel q1 = {s->client, SK_SERVER_ADDR, k.port, SK_PORT, SK_MS(50), SK_MS(200)};
	const struct want w1[] = {
		W(SK_MS(100), A | P, 0, 0, 3),
		W(SK_MS(160), A | P, 3, 0, 6),
	};
	check_segs(s, "1: client", &q1, k.x + 1, k.y + 1, w1, (int)NELEM(w1));

	sk_world_run_until(s->w, SK_MS(300));
	uint8_t big[5000], in[8192];
	fill(big, sizeof(big), 7, 0);
	sk_scn_send(s, s->server, k.a, big, sizeof(big));
	sk_world_run_until(s->w, SK_MS(400));
	long n1 = sk_scn_recv(s, s->client, k.c, in, 1000);
	long n2 = sk_scn_recv(s, s->client, k.c, in + 1000, sizeof(in) - 1000);
	long n3 = sk_scn_recv(s, s->client, k.c, in, sizeof(in));
	sk_expect(s, n1 == 1000 && n2 == 4000 && n3 == -EAGAIN && !memcmp(in, big, 5000),
		  "2: one send of 5000 bytes read as 1000 + 4000 (got %ld, %ld, then %s)", n1, n2,
		  sk_errno_name((int)n3));

	sk_world_run_until(s->w, SK_MS(500));
	struct sk_simnet_params bad = {.delay_us = SK_MS(10),
				       .jitter_us = SK_MS(4),
				       .loss = 0.02,
				       .duplicate = 0.02,
				       .reorder = 0.03,
				       .reorder_hold_us = SK_MS(5),
				       .corrupt = 0.01};
	sk_scn_path(s, s->client, s->server, &bad);
	sk_scn_path(s, s->server, s->client, &bad);
	struct sk_simnet_counters c0, c1;
	sk_simnet_counters(sk_world_net(s->w), &c0);
	synack_stack *cst = sk_world_stack(s->w, s->client), *sst = sk_world_stack(s->w, s->server);
	struct stream up = {.tx = cst,
			    .rx = sst,
			    .txs = k.c,
			    .rxs = k.a,
			    .salt = 11,
			    .total = 300000,
			    .bad = UINT64_MAX};
	struct stream down = {.tx = sst,
			      .rx = cst,
			      .txs = k.a,
			      .rxs = k.c,
			      .salt = 12,
			      .total = 200000,
			      .bad = UINT64_MAX};
	sk_world_note(s->w, s->client, "3: 300000 bytes up, 200000 down, over a bad network");
	uint8_t buf[65536];
	for (;;) {
		stream_pump(&up, buf);
		stream_pump(&down, buf);
		if (up.eof && down.eof)
			break;
		if (sk_world_step(s->w, SK_S(600)) == UINT64_MAX)
			break;
	}
	sk_world_note(s->w, s->client, "3: up %llu bytes read, down %llu bytes read",
		      (unsigned long long)up.rcvd, (unsigned long long)down.rcvd);
	stream_verdict(s, "3: client -> server", &up);
	stream_verdict(s, "3: server -> client", &down);
	/* The network did apply every impairment, and the stacks caught the corruption. */
	sk_simnet_counters(sk_world_net(s->w), &c1);
	sk_expect(s,
		  c1.dropped[SK_SIMNET_DROP_LOSS] > c0.dropped[SK_SIMNET_DROP_LOSS] &&
			  c1.duplicated > c0.duplicated && c1.reordered > c0.reordered &&
			  c1.corrupted > c0.corrupted,
		  "3: frames were lost, duplicated, reordered and corrupted");
	struct synack_stats a = sk_scn_stats(s, s->client), z = sk_scn_stats(s, s->server);
	sk_expect(s, a.tcp_in_bad_csum + a.ip_in_bad + z.tcp_in_bad_csum + z.ip_in_bad > 0,
		  "3: corrupted frames were dropped on their checksums");
	sk_expect(s, a.tcp_rexmit > 0 && z.tcp_rexmit > 0, "3: both sides retransmitted");
}

/* ---- REL-2 ---- */

/* REL-2 (RFC 9293 3.4, 3.10.7.4; RFC 5681 4.2; RFC 2018; RFC 2883): a scripted peer (SACK
 * permitted, no timestamps) sends 100-byte segments of a 500-byte stream to the server in
 * this order; every ACK carries ack = the next byte expected:
 *    100 ms [0,100)    in order: acked, delayed 40 ms (REL-6): ack 100 at 150 ms
 *    200 ms [200,300)  out of order: kept, duplicate ACK at once: ack 100, SACK 200-300
 *    300 ms [400,500)  ack 100, SACK 400-500 (the newest first), 200-300
 *    400 ms [200,300)  again: D-SACK 200-300, then the block holding it, then 400-500
 *    500 ms [100,200)  fills the hole (rcv_nxt 300): at once: ack 300, SACK 400-500
 *    600 ms [0,100)    again, all below rcv_nxt: dropped, ack 300 with D-SACK 0-100
 *    700 ms [250,350)  half old: D-SACK 250-300; 300-350 taken, filling part of the gap
 *                      below 400, so acked at once: ack 350
 *    800 ms [350,400)  fills the last gap: ack 500 at once, nothing held, no SACK
 *    900 ms [400,500)  again, now below rcv_nxt: ack 500, D-SACK 400-500
 * (each reaches the server 10 ms later, when its ACK leaves). The application then reads the
 * 500 bytes once, in order. */
static void rel_2(struct sk_scn *s)
{
	struct sk_scn_peer_conn c;
	int a = -1;
	if (!server_and_peer(s, 1000, &c, &a))
		return;
	static const struct {
		uint32_t ms, off, len;
	} tx[] = {{100, 0, 100}, {200, 200, 100}, {300, 400, 100}, {400, 200, 100}, {500, 100, 100},
		  {600, 0, 100}, {700, 250, 100}, {800, 350, 50},  {900, 400, 100}};
	for (size_t i = 0; i < NELEM(tx); i++) {
		sk_world_run_until(s->w, SK_MS(tx[i].ms));
		peer_data(s, &c, A | P, tx[i].off, tx[i].len, 2, NULL);
	}
	sk_world_run_until(s->w, SK_MS(1000));
	const struct want w[] = {
		W(SK_MS(150), A, 0, 100, 0),
		WS(SK_MS(210), A, 0, 100, 1, {200, 300}),
		WS(SK_MS(310), A, 0, 100, 2, {400, 500}, {200, 300}),
		WS(SK_MS(410), A, 0, 100, 3, {200, 300}, {200, 300}, {400, 500}),
		WS(SK_MS(510), A, 0, 300, 1, {400, 500}),
		WS(SK_MS(610), A, 0, 300, 2, {0, 100}, {400, 500}),
		WS(SK_MS(710), A, 0, 350, 2, {250, 300}, {400, 500}),
		W(SK_MS(810), A, 0, 500, 0),
		WS(SK_MS(910), A, 0, 500, 1, {400, 500}),
	};
	const struct sel q = {s->server, PEER_ADDR, SK_PORT, c.lport, SK_MS(31), SK_MS(1000)};
	check_segs(s, "server", &q, c.irs + 1, c.iss + 1, w, (int)NELEM(w));
	uint8_t in[1024];
	long n = a >= 0 ? recv_now(s, s->server, a, in, sizeof(in)) : -1;
	sk_expect(s, n == 500 && first_bad(in, 500, 2, 0) == 500,
		  "the application reads the 500 bytes once, in order (got %ld)", n);
	sk_expect(s, sk_scn_stats(s, s->server).tcp_drop_out_of_window == 2,
		  "the two segments wholly below rcv_nxt were dropped");
}

/* ---- REL-3 ---- */

/* Scripted peer: takes segments until one with data, then, hold later, acknowledges
 * everything up to ack. Returns 1, or 0 if no data came by limit. */
static int peer_ack_data(struct sk_scn *s, const struct sk_scn_peer_conn *c, uint64_t limit,
			 uint64_t hold, uint32_t ack)
{
	struct sk_tcp seg;
	while (sk_scn_peer_wait(s, c->peer, limit, &seg)) {
		if (!seg.payload_len)
			continue;
		if (hold)
			sk_world_run_until(s->w, sk_world_now(s->w) + hold);
		sk_scn_peer_seg(s, c, A, c->iss + 1, ack, 65535, NULL, NULL, 0);
		return 1;
	}
	return 0;
}

static int rtt_is(struct sk_scn *s, int host, int sock, uint32_t srtt, uint32_t rttvar,
		  uint32_t rto, uint32_t backoff)
{
	struct synack_tcp_info ti;
	sk_scn_tcp_info(s, host, sock, &ti);
	sk_world_note(s->w, host, "TCP_INFO srtt %u rttvar %u rto %u backoff %u", ti.srtt_us,
		      ti.rttvar_us, ti.rto_us, ti.backoff);
	return ti.srtt_us == srtt && ti.rttvar_us == rttvar && ti.rto_us == rto &&
	       ti.backoff == backoff;
}

/* REL-3 (RFC 6298, Karn; RFC 1122 4.2.3.5 R2 = tcp_retries2): the client talks to a scripted
 * server (no timestamps, so the stack times one segment per round trip itself). Times are
 * when the client sends; the path is 10 ms each way.
 *  0 s     SYN, unanswered: again at 1 s (initial RTO 1 s, 2.1). The SYN+ACK to it (1.02 s)
 *          is ambiguous: no RTT sample (Karn); and because a SYN timed out, the RTO is 3 s
 *          when data begins (5.7: the catalogue's 1 s is the initial value only).
 *  2 s     100 bytes, acked at once: R = 20 ms: SRTT 20 ms, RTTVAR 10 ms (2.2); SRTT +
 *          4 RTTVAR = 60 ms, raised to the 200 ms floor (2.4 allows one; Linux's).
 *  3 s     100 bytes, the ACK held 168 ms: R = 188 ms, inside the 200 ms RTO: RTTVAR =
 *          3/4 10 + 1/4 |20 - 188| = 49.5 ms, SRTT = 7/8 20 + 1/8 188 = 41 ms (2.3), RTO =
 *          41 + 4 x 49.5 = 239 ms.
 *  4 s     100 bytes, lost: retransmitted at 4.239 s, the RTO doubled to 478 ms (5.5, 5.6);
 *          the ACK of the retransmission gives no sample (Karn, 3) and the backed-off RTO
 *          stays until one comes (5.7's note).
 *  5 s     100 bytes, acked at once: R = 20 ms: RTTVAR = 3/4 49.5 + 1/4 21 = 42.375 ms,
 *          SRTT = 7/8 41 + 1/8 20 = 38.375 ms, RTO = 38.375 + 169.5 = 207.875 ms.
 *  6 s     100 bytes, never acked: retransmitted at 6 s + 207.875 ms x (2^k - 1), k = 1..10,
 *          the RTO doubling to its 120 s ceiling (2.5), then every 120 s; the 16th expiry,
 *          at 938.656125 s, aborts the connection: tcp_retries2 = 15 timeouts, ETIMEDOUT.
 *          (Linux turns tcp_retries2 into a time budget; the catalogue counts timeouts, as
 *          RFC 1122's R2 may.)
 * 5.7 holds on the passive side too: at 1001 s the scripted peer opens a connection to a
 * synack server and ignores its first SYN+ACK: the second (1 s later) is acked and the
 * connection starts with an RTO of 3 s; one opened at 1010 s without loss has its first
 * sample from the handshake, SYN+ACK to ACK (20 ms: RTO 200 ms), as Linux measures it. */
static void rel_3(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	s->client = sk_world_add_host(s->w, "client", SK_CLIENT_ADDR, &tb);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, &tb);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct sk_scn_peer_conn pc = {
		.peer = peer, .raddr = SK_CLIENT_ADDR, .lport = SK_PORT, .iss = 70000};
	int c = sk_scn_connect(s, s->client, PEER_ADDR, SK_PORT);
	struct sk_tcp seg;
	int ok = sk_scn_peer_wait(s, peer, SK_MS(500), &seg) && seg.flags == S;
	uint32_t x = seg.seq;
	pc.rport = seg.sport;
	ok = ok && sk_scn_peer_wait(s, peer, SK_S(2), &seg) && seg.flags == S && seg.seq == x;
	if (!sk_expect(s, ok && sk_world_now(s->w) == SK_MS(1010),
		       "the SYN comes again after the initial RTO of 1 s (at the peer 1.01 s)"))
		return;
	struct sk_tcp_opts mss = {.has_mss = 1, .mss = (uint16_t)MSS_NOTS};
	sk_scn_peer_seg(s, &pc, S | A, pc.iss, x + 1, 65535, &mss, NULL, 0);
	uint64_t t = 0;
	int r = sk_scn_wait_connect(s, s->client, c, SK_S(3), &t);
	sk_expect(s, r == 0 && t == SK_MS(1020), "connect() at 1.02 s");
	sk_expect(s, rtt_is(s, s->client, c, 0, 0, 3000000, 0),
		  "after a retransmitted SYN: no RTT sample (Karn), RTO 3 s (RFC 6298 5.7)");

	uint8_t d[100];
	memset(d, 'r', sizeof(d));
	sk_world_run_until(s->w, SK_S(2));
	sk_scn_send(s, s->client, c, d, 100);
	peer_ack_data(s, &pc, SK_S(3), 0, x + 101);
	sk_world_run_until(s->w, SK_MS(2500));
	sk_expect(s, rtt_is(s, s->client, c, 20000, 10000, 200000, 0),
		  "R 20 ms: SRTT 20 ms, RTTVAR 10 ms, RTO 60 ms raised to the 200 ms floor");

	sk_world_run_until(s->w, SK_S(3));
	sk_scn_send(s, s->client, c, d, 100);
	peer_ack_data(s, &pc, SK_S(4), SK_MS(168), x + 201);
	sk_world_run_until(s->w, SK_MS(3500));
	sk_expect(s, rtt_is(s, s->client, c, 41000, 49500, 239000, 0),
		  "R 188 ms: SRTT 41 ms, RTTVAR 49.5 ms, RTO 239 ms");

	sk_world_run_until(s->w, SK_S(4));
	sk_scn_send(s, s->client, c, d, 100);
	while (sk_scn_peer_wait(s, peer, SK_S(5), &seg) && !seg.payload_len)
		; /* the first copy reaches the peer at 4.01 s and is ignored */
	sk_world_run_until(s->w, SK_MS(4245));
	sk_expect(s, rtt_is(s, s->client, c, 41000, 49500, 478000, 1),
		  "after the timeout at 4.239 s: backoff 1, RTO 478 ms");
	peer_ack_data(s, &pc, SK_S(5), 0, x + 301);
	sk_world_run_until(s->w, SK_MS(4500));
	sk_expect(s, rtt_is(s, s->client, c, 41000, 49500, 478000, 0),
		  "the ACK of the retransmission: no sample (Karn), the backed-off RTO kept");

	sk_world_run_until(s->w, SK_S(5));
	sk_scn_send(s, s->client, c, d, 100);
	peer_ack_data(s, &pc, SK_S(6), 0, x + 401);
	sk_world_run_until(s->w, SK_MS(5500));
	sk_expect(s, rtt_is(s, s->client, c, 38375, 42375, 207875, 0),
		  "R 20 ms: SRTT 38.375 ms, RTTVAR 42.375 ms, RTO 207.875 ms");

	/* The last segment is never acknowledged. */
	sk_world_run_until(s->w, SK_S(6));
	sk_scn_send(s, s->client, c, d, 100);
	enum { RETRIES = 15 };
	uint64_t when[RETRIES + 1], rto = 207875, at = SK_S(6);
	for (int k = 0; k < RETRIES; k++) {
		at += rto;
		when[k] = at;
		rto = 2 * rto < SK_S(120) ? 2 * rto : SK_S(120);
	}
	when[RETRIES] = at + rto;
	sk_expect(s, when[RETRIES] == 938656125u, "the abort falls at 938.656125 s");
	sk_world_run_until(s->w, when[2] + SK_MS(1));
	sk_expect(s, rtt_is(s, s->client, c, 38375, 42375, 1663000, 3),
		  "after 3 timeouts: backoff 3, RTO 8 x 207.875 ms");
	sk_world_run_until(s->w, SK_S(1000));

	struct want w[9 + RETRIES];
	const struct want head[] = {
		W(0, S, 0, 0, 0),
		W(SK_S(1), S, 0, 0, 0),
		W(SK_MS(1020), A, 1, 0, 0),
		W(SK_S(2), A | P, 1, 0, 100),
		W(SK_S(3), A | P, 101, 0, 100),
		W(SK_S(4), A | P, 201, 0, 100),
		W(SK_MS(4239), A | P, 201, 0, 100),
		W(SK_S(5), A | P, 301, 0, 100),
		W(SK_S(6), A | P, 401, 0, 100),
	};
	memcpy(w, head, sizeof(head));
	for (int k = 0; k < RETRIES; k++)
		w[9 + k] = (struct want){.t = when[k], .flags = A | P, .seq = 401, .len = 100};
	const struct sel q = {s->client, PEER_ADDR, pc.rport, SK_PORT, 0, SK_S(1000)};
	check_segs(s, "client", &q, x, pc.iss + 1, w, (int)NELEM(w));
	sk_expect(s,
		  sk_scn_state_time(s, s->client, SYNACK_ESTABLISHED, SYNACK_CLOSED) ==
			  when[RETRIES],
		  "ESTABLISHED -> CLOSED at the 16th expiry, 938.656125 s");
	char b[8];
	long n = sk_scn_recv(s, s->client, c, b, sizeof(b));
	sk_expect(s, n == -ETIMEDOUT, "recv() = %s, want ETIMEDOUT", sk_errno_name((int)n));
	struct synack_stats st = sk_scn_stats(s, s->client);
	sk_expect(s, st.tcp_conn_timeouts == 1 && st.tcp_timeouts == 1 + 1 + RETRIES,
		  "timeouts counted: the SYN's, the one at 4.239 s, 15 of the last segment (%llu), "
		  "one abort",
		  (unsigned long long)st.tcp_timeouts);

	/* The passive side. */
	sk_world_run_until(s->w, SK_S(1001));
	struct sk_scn_peer_conn pa = {.peer = peer,
				      .raddr = SK_SERVER_ADDR,
				      .lport = 41000,
				      .rport = SK_PORT,
				      .iss = 90000};
	sk_scn_peer_seg(s, &pa, S, pa.iss, 0, 65535, &mss, NULL, 0);
	int synacks = 0;
	while (synacks < 2 && sk_scn_peer_wait(s, peer, SK_S(1005), &seg))
		if (seg.dport == pa.lport && seg.flags == (S | A) && ++synacks == 2)
			pa.irs = seg.seq;
	sk_expect(s, synacks == 2 && sk_world_now(s->w) == SK_MS(1002020),
		  "the server's SYN+ACK again at 1002.01 s (here at 1002.02 s)");
	sk_scn_peer_seg(s, &pa, A, pa.iss + 1, pa.irs + 1, 65535, NULL, NULL, 0);
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(1005), NULL);
	sk_expect(s, a >= 0 && rtt_is(s, s->server, a, 0, 0, 3000000, 0),
		  "the server: no sample, RTO 3 s after its SYN+ACK timed out (5.7)");
	sk_world_run_until(s->w, SK_S(1010));
	struct sk_scn_peer_conn pb = {.peer = peer,
				      .raddr = SK_SERVER_ADDR,
				      .lport = 41001,
				      .rport = SK_PORT,
				      .iss = 95000};
	ok = peer_open(s, &pb, 0, 0, NULL);
	a = sk_scn_wait_accept(s, s->server, l, SK_S(1011), NULL);
	sk_expect(s, ok && a >= 0 && rtt_is(s, s->server, a, 20000, 10000, 200000, 0),
		  "the server, no SYN+ACK lost: the handshake is the first sample (SYN+ACK to ACK, "
		  "20 ms; as Linux's tcp_synack_rtt_meas), RTO 200 ms");
}

/* ---- REL-4 ---- */

/* REL-4: one write of 10636 bytes (7 x 1448 + 500) at 100 ms is cut into segments of the MSS
 * (1448 with timestamps; over IPv6 10496 bytes, 7 x 1428 + 500): seven full ones leave at once, within the initial window; the
 * 500-byte tail is smaller than the MSS and waits, by Nagle (REL-7, RFC 9293 3.7.4), until
 * everything sent is acknowledged (Linux, with Minshall's variant, would send it at once). The
 * network loses the third. The server acks the first two together at 110 ms (every second segment,
 * REL-6), then each later one at once with a duplicate ACK (out of order, REL-2) carrying SACK. The
 * third duplicate, at the client at 120 ms, triggers the fast retransmission of the lost segment
 * (RFC 5681 3.2, RFC 6675), and of it alone; it fills the hole at 130 ms and is acked at once
 * (REL-6) with all seven; the tail goes when that ACK lands (140 ms) and, alone, is acked 40 ms
 * after it arrives. At 1 s the same with a client that does not do SACK (RFC 5681 / 6582): the same
 * single retransmission. */
static void rel_4(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	struct synack_config nosack;
	nosack = sk_scn_textbook();
	nosack.tcp_sack = 0;
	sk_scn_pair(s, &tb, &tb);
	int h2 = sk_world_add_host(s->w, "client-nosack", 0x0a000003u, &nosack);
	if (!sk_expect(s, h2 >= 0, "three hosts"))
		return;
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	sk_scn_rule_data(s, s->client, s->server, 3, 3, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, h2, s->server, 3, 3, SK_SIMNET_DROP, 0);
	const uint32_t LEN = 7 * MSS_TS + 500;
	uint8_t data[7 * MSS_TS_MAX + 500], in[7 * MSS_TS_MAX + 600];
	fill(data, LEN, 4, 0);
	const int hosts[2] = {s->client, h2};
	for (int i = 0; i < 2; i++) {
		uint64_t t0 = SK_S(i); /* 0 and 1 s */
		int h = hosts[i];
		const char *who = i ? "no SACK" : "SACK";
		sk_world_run_until(s->w, t0);
		struct conn k;
		if (!sk_expect(s, open_conn(s, h, l, &k), "%s: connection opened", who))
			return;
		sk_world_run_until(s->w, t0 + SK_MS(100));
		long n = sk_scn_send(s, h, k.c, data, LEN);
		sk_expect(s, n == LEN, "%s: the whole write is taken", who);
		sk_world_run_until(s->w, t0 + SK_MS(900));
		const struct want wc[] = {
			{t0 + SK_MS(100), A, 0 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(100), A, 1 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(100), A, 2 * MSS_TS, 0, MSS_TS, 1, 0, {{0, 0}}},
			{t0 + SK_MS(100), A, 3 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(100), A, 4 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(100), A, 5 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(100), A, 6 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(120), A, 2 * MSS_TS, 0, MSS_TS, 0, 0, {{0, 0}}},
			{t0 + SK_MS(140), A | P, 7 * MSS_TS, 0, 500, 0, 0, {{0, 0}}},
		};
		const struct sel qc = {h,	SK_SERVER_ADDR, k.port,
				       SK_PORT, t0 + SK_MS(50), t0 + SK_MS(900)};
		char what[32];
		snprintf(what, sizeof(what), "%s: client", who);
		check_segs(s, what, &qc, k.x + 1, k.y + 1, wc, (int)NELEM(wc));
		/* The server's ACKs: the SACK block grows with each segment beyond the hole. */
		struct want ws[7];
		ws[0] = (struct want){.t = t0 + SK_MS(110), .flags = A, .ack = 2 * MSS_TS};
		for (int j = 0; j < 4; j++)
			ws[1 + j] =
				(struct want){.t = t0 + SK_MS(110),
					      .flags = A,
					      .ack = 2 * MSS_TS,
					      .nsack = i ? 0 : 1,
					      .sack = {{3 * MSS_TS, (uint32_t)(4 + j) * MSS_TS}}};
		ws[5] = (struct want){.t = t0 + SK_MS(130), .flags = A, .ack = 7 * MSS_TS};
		ws[6] = (struct want){.t = t0 + SK_MS(190), .flags = A, .ack = LEN};
		const struct sel qs = {s->server, sk_world_addr(s->w, h), SK_PORT,
				       k.port,	  t0 + SK_MS(50),	  t0 + SK_MS(900)};
		snprintf(what, sizeof(what), "%s: server", who);
		check_segs(s, what, &qs, k.y + 1, k.x + 1, ws, (int)NELEM(ws));
		long got = recv_now(s, s->server, k.a, in, sizeof(in));
		sk_expect(s, got == LEN && first_bad(in, LEN, 4, 0) == LEN,
			  "%s: the server reads the %u bytes intact (got %ld)", who, LEN, got);
		struct synack_stats st = sk_scn_stats(s, h);
		sk_expect(s,
			  st.tcp_rexmit == 1 && st.tcp_fast_retransmits == 1 &&
				  st.tcp_timeouts == 0,
			  "%s: one retransmission, a fast one, no timeout", who);
	}
}

/* ---- REL-5 ---- */

/* REL-5's tables count in full segments of MSS_TS: a data segment (seg 1 = the first of the
 * write), and an ACK with its SACK blocks ({1, 2} = the second segment). */
struct seg_row {
	uint32_t ms, seg;
	uint16_t flags;
	uint8_t lost;
};
struct ack_row {
	uint32_t ms, ack;
	uint8_t n;
	uint32_t b[3][2];
};

static void seg_wants(struct sk_scn *s, const struct seg_row *r, size_t n, struct want *w)
{
	for (size_t i = 0; i < n; i++)
		w[i] = (struct want){.t = SK_MS(r[i].ms),
				     .flags = r[i].flags,
				     .seq = (r[i].seg - 1) * MSS_TS,
				     .len = MSS_TS,
				     .lost = r[i].lost};
}

static void ack_wants(struct sk_scn *s, const struct ack_row *r, size_t n, struct want *w)
{
	for (size_t i = 0; i < n; i++) {
		w[i] = (struct want){
			.t = SK_MS(r[i].ms), .flags = A, .ack = r[i].ack * MSS_TS, .nsack = r[i].n};
		for (int j = 0; j < r[i].n; j++) {
			w[i].sack[j][0] = r[i].b[j][0] * MSS_TS;
			w[i].sack[j][1] = r[i].b[j][1] * MSS_TS;
		}
	}
}

/* REL-5 (RFC 2018, 2883, 6675, 3042).
 * A. The sender: one write of 20 full segments (1448 bytes, S1..S20) at 100 ms; the
 *    initial window sends S1..S10 at once; the network loses S1, S4 and S7. The data
 *    direction is a 12 Mbit/s bottleneck, so a 1500-byte frame takes 1 ms and the server
 *    gets S2, S3, S5, S6, S8, S9, S10 at 111..117 ms; each draws a duplicate ACK with SACK
 *    (3 blocks beside timestamps), at the client 10 ms later. The client runs NewReno, so
 *    the window arithmetic is RFC 5681's and RFC 6675's alone.
 *     121, 122 ms  1st and 2nd duplicate ACK: limited transmit (RFC 3042, 6675 5 (3)) sends
 *                  one new segment each: S11, S12.
 *     123 ms       3rd duplicate ACK: loss recovery (6675 5 (4)): RecoveryPoint = S12's end,
 *                  cwnd = ssthresh = FlightSize / 2, the FlightSize without what limited
 *                  transmit sent (RFC 5681 3.2 step 2): 10 / 2 = 5 segments; S1 again.
 *     124..126 ms  pipe (S1 twice, S8.. unSACKed, S4 too until it counts as lost at 125 ms
 *                  with 3 segments SACKed above it) 8, 6, 5 segments: nothing.
 *     127 ms       S7 lost as well: pipe 3: S4 and S7 retransmitted (NextSeg rule 1).
 *     134..139 ms  the retransmissions reach the server: ack 4344, 8688, then 17376, each
 *                  at once (they fill holes, REL-6); S11/S12 drew ACKs at 132/133 ms.
 *     142..148 ms  one new segment per ACK (S13..S16, NextSeg rule 2), pipe at 5 segments;
 *     149 ms       ack 17376 = RecoveryPoint: recovery ends, S17 goes.
 *    Three retransmissions, each hole once, no timeout; the 28960 bytes arrive intact.
 * B. The receiver: two scripted peers send to the server, from 1.1 s every 10 ms, 100-byte
 *    segments at offsets 100, 300, 500, 700, 900 (holes between), then 200..250 (extending
 *    the first block), then 0..100 (the first hole: ack 250). Every ACK reports the block of
 *    the segment that caused it first, then the others most recent first (RFC 2018 4): at
 *    most 3 blocks beside timestamps (peer-ts), 4 without (peer-nots).
 * C. Losses near the tail: a new connection writes exactly 10 segments at 3.1 s (the
 *    bottleneck again); S2, S5, S8 are lost. S1 arrives in order, so the first ACK (at the
 *    client at 3.122 s) moves the cumulative ACK and carries SACK: RFC 6675's first duplicate
 *    ACK; the third (3.124 s; IsLost(S2) holds too) starts recovery: cwnd = FlightSize / 2 =
 *    6516 bytes, S2 again. 3.125 s: pipe 5 segments, nothing. 3.126 s: S5 is lost (3
 *    segments SACKed above it), pipe 3: S5 again. 3.127 s: pipe 3 again; S8 has only S9 and
 *    S10 SACKed above it, never more than (DupThresh - 1) x SMSS, so it is never "lost", and
 *    there is no new data: NextSeg rule 3 (RFC 6675 4, a SHOULD) sends it. Without that
 *    rule only a timeout would. The retransmissions fill the holes at 3.135, 3.137 and
 *    3.138 s, each acked at once. */
static void rel_5(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	struct synack_config nr;
	nr = sk_scn_textbook();
	snprintf(nr.tcp_congestion_control, sizeof(nr.tcp_congestion_control), "newreno");
	sk_scn_pair(s, &nr, &tb);
	int p1 = sk_world_add_peer(s->w, "peer-ts", PEER_ADDR);
	int p2 = sk_world_add_peer(s->w, "peer-nots", PEER2_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct conn k;
	sk_world_heading(s->w, "A: the sender: three of 20 segments lost, one SACK recovery");
	if (!sk_expect(s, p1 >= 0 && p2 >= 0 && open_conn(s, s->client, l, &k),
		       "connection opened"))
		return;
	const struct sk_simnet_params narrow = {.delay_us = SK_MS(10), .rate_bps = 12000000};
	sk_scn_path(s, s->client, s->server, &narrow);
	sk_scn_rule_data(s, s->client, s->server, 1, 1, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, s->client, s->server, 4, 4, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, s->client, s->server, 7, 7, SK_SIMNET_DROP, 0);
	enum { SEGS = 20 };
	const uint32_t LEN = SEGS * MSS_TS;
	uint8_t data[SEGS * MSS_TS_MAX];
	fill(data, LEN, 5, 0);
	sk_world_run_until(s->w, SK_MS(100));
	long n = sk_scn_send(s, s->client, k.c, data, LEN);
	sk_expect(s, n == LEN, "the whole write is taken");
	sk_world_run_until(s->w, SK_S(1));
	/* Client data, 100..149 ms: seq relative to x+1, in segments of 1448. */
	static const struct seg_row cw[] = {
		{100, 1, A, 1},	 {100, 2, A, 0},  {100, 3, A, 0},  {100, 4, A, 1},
		{100, 5, A, 0},	 {100, 6, A, 0},  {100, 7, A, 1},  {100, 8, A, 0},
		{100, 9, A, 0},	 {100, 10, A, 0}, {121, 11, A, 0}, {122, 12, A, 0},
		{123, 1, A, 0},	 {127, 4, A, 0},  {127, 7, A, 0},  {142, 13, A, 0},
		{143, 14, A, 0}, {144, 15, A, 0}, {148, 16, A, 0}, {149, 17, A, 0}};
	struct want wc[NELEM(cw)];
	seg_wants(s, cw, NELEM(cw), wc);
	const struct sel qc = {s->client, SK_SERVER_ADDR, k.port, SK_PORT, SK_MS(100), SK_MS(149)};
	check_segs(s, "A: client", &qc, k.x + 1, k.y + 1, wc, (int)NELEM(wc));
	/* Server ACKs, 100..149 ms: blocks in segments (S2 = [1, 2) x 1448). */
	static const struct ack_row sw[] = {
		{111, 0, 1, {{1, 2}}},
		{112, 0, 1, {{1, 3}}},
		{113, 0, 2, {{4, 5}, {1, 3}}},
		{114, 0, 2, {{4, 6}, {1, 3}}},
		{115, 0, 3, {{7, 8}, {4, 6}, {1, 3}}},
		{116, 0, 3, {{7, 9}, {4, 6}, {1, 3}}},
		{117, 0, 3, {{7, 10}, {4, 6}, {1, 3}}},
		{132, 0, 3, {{7, 11}, {4, 6}, {1, 3}}},
		{133, 0, 3, {{7, 12}, {4, 6}, {1, 3}}},
		{134, 3, 2, {{7, 12}, {4, 6}}},
		{138, 6, 1, {{7, 12}}},
		{139, 12, 0, {{0, 0}}},
	};
	struct want ws[NELEM(sw)];
	ack_wants(s, sw, NELEM(sw), ws);
	const struct sel qs = {s->server, SK_CLIENT_ADDR, SK_PORT, k.port, SK_MS(100), SK_MS(149)};
	check_segs(s, "A: server", &qs, k.y + 1, k.x + 1, ws, (int)NELEM(ws));
	/* Over the whole transfer: 20 segments and the 3 retransmissions, nothing else. */
	const struct sel all = {s->client, SK_SERVER_ADDR, k.port, SK_PORT, SK_MS(100), SK_S(1)};
	int segs = 0;
	for (const struct sk_rec *r; (r = sel_nth(s, &all, segs + 1));)
		segs++;
	sk_expect(s, segs == SEGS + 3, "A: %d data segments in all, want 23", segs);
	uint8_t in[SEGS * MSS_TS_MAX + 100];
	long got = recv_now(s, s->server, k.a, in, sizeof(in));
	sk_expect(s, got == LEN && first_bad(in, LEN, 5, 0) == LEN,
		  "A: the server reads %u bytes intact (got %ld)", LEN, got);
	struct synack_stats st = sk_scn_stats(s, s->client);
	sk_expect(s,
		  st.tcp_timeouts == 0 && st.tcp_rexmit == 3 && st.tcp_fast_retransmits == 1 &&
			  st.tcp_sack_recoveries == 1,
		  "A: no timeout, 3 retransmissions, 1 fast retransmit, 1 SACK recovery "
		  "(%llu, %llu, %llu, %llu)",
		  (unsigned long long)st.tcp_timeouts, (unsigned long long)st.tcp_rexmit,
		  (unsigned long long)st.tcp_fast_retransmits,
		  (unsigned long long)st.tcp_sack_recoveries);
	struct synack_tcp_info ti;
	sk_scn_tcp_info(s, s->client, k.c, &ti);
	sk_expect(s, ti.sack_recoveries == 1 && ti.total_retrans == 3 && (ti.options & 3) == 3,
		  "A: TCP_INFO: SACK and timestamps on, 1 SACK recovery, 3 retransmissions");

	/* B. The receiver's blocks. */
	sk_world_heading(s->w, "B: the receiver's SACK blocks, with timestamps (3) and without (4)");
	struct sk_scn_peer_conn c1 = {
		.peer = p1, .raddr = SK_SERVER_ADDR, .lport = 40001, .rport = SK_PORT, .iss = 3000};
	struct sk_scn_peer_conn c2 = {
		.peer = p2, .raddr = SK_SERVER_ADDR, .lport = 40002, .rport = SK_PORT, .iss = 9000};
	uint32_t ecr = 0;
	if (!sk_expect(s, peer_open(s, &c1, 1, 1, &ecr) && peer_open(s, &c2, 1, 0, NULL),
		       "B: both peers connect"))
		return;
	/* (accepted, so that the accept queue holds nothing but part C's connection later) */
	int b1 = sk_scn_wait_accept(s, s->server, l, SK_S(2), NULL);
	int b2 = sk_scn_wait_accept(s, s->server, l, SK_S(2), NULL);
	sk_expect(s, b1 >= 0 && b2 >= 0, "B: both accepted");
	static const uint32_t off[][2] = {{100, 100}, {300, 100}, {500, 100}, {700, 100},
					  {900, 100}, {200, 50},  {0, 100}};
	for (size_t i = 0; i < NELEM(off); i++) {
		sk_world_run_until(s->w, SK_MS(1100) + i * SK_MS(10));
		peer_data(s, &c1, A, off[i][0], off[i][1], 6, &ecr);
		peer_data(s, &c2, A, off[i][0], off[i][1], 6, NULL);
	}
	sk_world_run_until(s->w, SK_S(2));
	/* The blocks each ACK must carry, without timestamps; with them, the first three. */
	static const struct {
		uint32_t ack;
		uint8_t n;
		uint32_t b[4][2];
	} rb[] = {
		{0, 1, {{100, 200}}},
		{0, 2, {{300, 400}, {100, 200}}},
		{0, 3, {{500, 600}, {300, 400}, {100, 200}}},
		{0, 4, {{700, 800}, {500, 600}, {300, 400}, {100, 200}}},
		{0, 4, {{900, 1000}, {700, 800}, {500, 600}, {300, 400}}},
		{0, 4, {{100, 250}, {900, 1000}, {700, 800}, {500, 600}}},
		{250, 4, {{900, 1000}, {700, 800}, {500, 600}, {300, 400}}},
	};
	for (int ts = 1; ts >= 0; ts--) {
		const struct sk_scn_peer_conn *c = ts ? &c1 : &c2;
		struct want wb[NELEM(rb)];
		for (size_t i = 0; i < NELEM(rb); i++) {
			wb[i] = (struct want){.t = SK_MS(1110) + i * SK_MS(10),
					      .flags = A,
					      .ack = rb[i].ack,
					      .nsack = (uint8_t)(ts && rb[i].n > 3 ? 3 : rb[i].n)};
			memcpy(wb[i].sack, rb[i].b, sizeof(rb[i].b));
		}
		const struct sel qb = {s->server,   ts ? PEER_ADDR : PEER2_ADDR,
				       SK_PORT,	    c->lport,
				       SK_MS(1100), SK_S(2)};
		check_segs(s, ts ? "B: with timestamps" : "B: without timestamps", &qb, c->irs + 1,
			   c->iss + 1, wb, (int)NELEM(wb));
		sk_expect(s, all_ts(s, &qb, ts), "B: timestamps on %s of the ACKs",
			  ts ? "all" : "none");
	}

	/* C. A new connection at 3 s (handshake on the plain path), then the bottleneck again
	 * and one write of exactly 10 segments at 3.1 s: S2, S5, S8 lost. */
	sk_world_run_until(s->w, SK_S(3));
	sk_world_heading(s->w, "C: losses near the tail of one 10-segment write");
	sk_scn_path(s, s->client, s->server, NULL);
	if (!sk_expect(s, open_conn(s, s->client, l, &k), "C: connection opened"))
		return;
	sk_world_run_until(s->w, SK_MS(3050));
	sk_scn_path(s, s->client, s->server, &narrow);
	sk_scn_rule_data(s, s->client, s->server, 2, 2, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, s->client, s->server, 5, 5, SK_SIMNET_DROP, 0);
	sk_scn_rule_data(s, s->client, s->server, 8, 8, SK_SIMNET_DROP, 0);
	sk_world_run_until(s->w, SK_MS(3100));
	n = sk_scn_send(s, s->client, k.c, data, 10 * MSS_TS);
	sk_expect(s, n == 10 * MSS_TS, "C: the whole write is taken");
	sk_world_run_until(s->w, SK_S(4));
	static const struct seg_row cc[] = {{3100, 1, A, 0},	  {3100, 2, A, 1}, {3100, 3, A, 0},
					    {3100, 4, A, 0},	  {3100, 5, A, 1}, {3100, 6, A, 0},
					    {3100, 7, A, 0},	  {3100, 8, A, 1}, {3100, 9, A, 0},
					    {3100, 10, A | P, 0}, {3124, 2, A, 0}, {3126, 5, A, 0},
					    {3127, 8, A, 0}};
	struct want wcc[NELEM(cc)];
	seg_wants(s, cc, NELEM(cc), wcc);
	const struct sel qcc = {s->client, SK_SERVER_ADDR, k.port, SK_PORT, SK_MS(3100), SK_S(4)};
	check_segs(s, "C: client", &qcc, k.x + 1, k.y + 1, wcc, (int)NELEM(wcc));
	static const struct ack_row sc[] = {
		{3112, 1, 1, {{2, 3}}},
		{3113, 1, 1, {{2, 4}}},
		{3114, 1, 2, {{5, 6}, {2, 4}}},
		{3115, 1, 2, {{5, 7}, {2, 4}}},
		{3116, 1, 3, {{8, 9}, {5, 7}, {2, 4}}},
		{3117, 1, 3, {{8, 10}, {5, 7}, {2, 4}}},
		{3135, 4, 2, {{8, 10}, {5, 7}}},
		{3137, 7, 1, {{8, 10}}},
		{3138, 10, 0, {{0, 0}}},
	};
	struct want wsc[NELEM(sc)];
	ack_wants(s, sc, NELEM(sc), wsc);
	const struct sel qsc = {s->server, SK_CLIENT_ADDR, SK_PORT, k.port, SK_MS(3100), SK_S(4)};
	check_segs(s, "C: server", &qsc, k.y + 1, k.x + 1, wsc, (int)NELEM(wsc));
	got = recv_now(s, s->server, k.a, in, sizeof(in));
	sk_expect(s, got == 10 * MSS_TS && first_bad(in, 10 * MSS_TS, 5, 0) == 10 * MSS_TS,
		  "C: the server reads %u bytes intact (got %ld)", 10 * MSS_TS, got);
	st = sk_scn_stats(s, s->client);
	sk_expect(s,
		  st.tcp_timeouts == 0 && st.tcp_rexmit == 6 && st.tcp_fast_retransmits == 2 &&
			  st.tcp_sack_recoveries == 2,
		  "C: still no timeout; 3 more retransmissions, 1 more SACK recovery");
}

/* ---- REL-6 ---- */

/* REL-6 (RFC 1122 4.2.3.2, RFC 5681 4.2): a scripted peer (no timestamps: full segments of
 * 1460) sends to the server; the server acks
 *    100 ms two full segments together: at once after the second (110 ms);
 *    200 ms one segment alone: 40 ms after it arrived (the stack's delay, within RFC
 *           1122's 500 ms and the catalogue's 40-200 ms), 250 ms;
 *    300 ms three segments: at once after the second (310 ms), the third 40 ms later;
 *    400 ms the segment after the next (out of order): at once, with SACK (410 ms);
 *    450 ms the missing one with PSH, filling the hole: at once (460 ms) (RFC 5681 4.2
 *           asks it of any segment that fills all or part of a gap, PSH or not: the
 *           retransmissions of REL-4 and REL-5 carry none and are acked at once too);
 *    500 ms a 4-byte request: its ACK would wait until 550 ms, but the application reads it
 *           at 520 ms, and a read that drains a small pushed segment of a one-way exchange
 *           sends the ACK at once (Linux's tcp_cleanup_rbuf), just before the 4-byte reply
 *           (reading the 11684 bytes frees buffer space, but the window already is the
 *           65535 an unscaled field can carry, so that ACK carries no larger window);
 *    600 ms and 620 ms one segment each: the second is the second unacked one: acked at
 *           once on arrival (630 ms), before the first one's 40 ms ran out. */
static void rel_6(struct sk_scn *s)
{
	struct sk_scn_peer_conn c;
	int a = -1;
	if (!server_and_peer(s, 2000, &c, &a))
		return;
	const uint32_t M = MSS_NOTS;
	static const struct {
		uint32_t ms, seg;
		uint16_t flags;
	} tx[] = {{100, 0, A}, {100, 1, A | P}, {200, 2, A | P}, {300, 3, A},
		  {300, 4, A}, {300, 5, A | P}, {400, 7, A | P}, {450, 6, A | P}};
	for (size_t i = 0; i < NELEM(tx); i++) {
		sk_world_run_until(s->w, SK_MS(tx[i].ms));
		peer_data(s, &c, tx[i].flags, tx[i].seg * M, M, 3, NULL);
	}
	sk_world_run_until(s->w, SK_MS(500));
	peer_data(s, &c, A | P, 8 * M, 4, 3, NULL);
	sk_world_run_until(s->w, SK_MS(520));
	uint8_t in[9 * MSS_NOTS_MAX];
	long n = a >= 0 ? recv_now(s, s->server, a, in, sizeof(in)) : -1;
	sk_expect(s, n == 8 * M + 4 && first_bad(in, (size_t)n, 3, 0) == (size_t)n,
		  "the server reads the %u bytes in order (got %ld)", 8 * M + 4, n);
	sk_scn_send(s, s->server, a, "pong", 4);
	sk_world_run_until(s->w, SK_MS(530));
	sk_scn_peer_seg(s, &c, A, c.iss + 1 + 8 * M + 4, c.irs + 1 + 4, 65535, NULL, NULL, 0);
	sk_world_run_until(s->w, SK_MS(600));
	peer_data(s, &c, A | P, 8 * M + 4, M, 3, NULL);
	sk_world_run_until(s->w, SK_MS(620));
	peer_data(s, &c, A | P, 9 * M + 4, M, 3, NULL);
	sk_world_run_until(s->w, SK_S(1));
	const struct want w[] = {
		W(SK_MS(110), A, 0, 2 * M, 0),
		W(SK_MS(250), A, 0, 3 * M, 0),
		W(SK_MS(310), A, 0, 5 * M, 0),
		W(SK_MS(350), A, 0, 6 * M, 0),
		WS(SK_MS(410), A, 0, 6 * M, 1, {7 * M, 8 * M}),
		W(SK_MS(460), A, 0, 8 * M, 0),
		W(SK_MS(520), A, 0, 8 * M + 4, 0),
		W(SK_MS(520), A | P, 0, 8 * M + 4, 4),
		W(SK_MS(630), A, 4, 10 * M + 4, 0),
	};
	const struct sel q = {s->server, PEER_ADDR, SK_PORT, c.lport, SK_MS(31), SK_S(1)};
	check_segs(s, "server", &q, c.irs + 1, c.iss + 1, w, (int)NELEM(w));
}

/* ---- REL-7 ---- */

/* REL-7 (RFC 9293 3.7.4, RFC 1122 4.2.3.4): Nagle holds a segment smaller than the MSS while
 * data is unacknowledged. The server acks a lone segment 40 ms after it arrives (REL-6), so
 * an ACK of a segment sent at t reaches the client at t + 60 ms. Times of the client's sends:
 *    100 ms 100 bytes: nothing in flight, they go; 101, 102 ms: 50 and 30 bytes, held, and
 *           sent together (80 bytes) when the ACK lands at 160 ms;
 *    300 ms 100 bytes go; 301 ms 3000 bytes: two full segments go at once (Nagle holds only
 *           small ones), the 104-byte tail (144 over IPv6) is held. The server acks the 100 and the first
 *           1448 together at once (second segment) at 311 ms and the last 1448 at 351 ms;
 *           the tail waits for that ACK, at 361 ms, not the first one at 321 ms;
 *    500 ms TCP_NODELAY: 100, 50, 30 bytes at 500, 501, 502 ms go at once;
 *    600 ms Nagle again: 100 bytes go, 50 bytes at 601 ms are held, and leave at 605 ms
 *           when TCP_NODELAY is set (as Linux pushes pending data then).
 * The server's ACKs up to 400 ms are checked too: 150, 210 (the 80 bytes), 311, 351 ms. */
static void rel_7(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	sk_scn_pair(s, &tb, &tb);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct conn k;
	if (!sk_expect(s, open_conn(s, s->client, l, &k), "connection opened"))
		return;
	enum { LEN = 3610 };
	uint8_t data[LEN], in[LEN + 100];
	fill(data, LEN, 8, 0);
	static const struct {
		uint32_t ms, len;
		int nodelay; /* -1: leave it */
	} calls[] = {{100, 100, -1},  {101, 50, -1}, {102, 30, -1}, {300, 100, -1},
		     {301, 3000, -1}, {500, 100, 1}, {501, 50, -1}, {502, 30, -1},
		     {600, 100, 0},   {601, 50, -1}, {605, 0, 1}};
	uint32_t off = 0;
	for (size_t i = 0; i < NELEM(calls); i++) {
		sk_world_run_until(s->w, SK_MS(calls[i].ms));
		if (calls[i].nodelay >= 0)
			sk_scn_setsockopt_int(s, s->client, k.c, SYNACK_IPPROTO_TCP,
					      SYNACK_TCP_NODELAY, calls[i].nodelay);
		if (!calls[i].len)
			continue;
		long n = sk_scn_send(s, s->client, k.c, data + off, calls[i].len);
		sk_expect(s, n == (long)calls[i].len, "send(%u) takes everything", calls[i].len);
		off += calls[i].len;
	}
	sk_world_run_until(s->w, SK_S(1));
	/* the 3000 bytes at 301 ms: two full segments and the tail */
	const uint32_t f1 = 280 + MSS_TS, f2 = 280 + 2 * MSS_TS, tail = 3000 - 2 * MSS_TS;
	const struct want w[] = {
		W(SK_MS(100), A | P, 0, 0, 100),    W(SK_MS(160), A | P, 100, 0, 80),
		W(SK_MS(300), A | P, 180, 0, 100),  W(SK_MS(301), A, 280, 0, MSS_TS),
		W(SK_MS(301), A, f1, 0, MSS_TS),    W(SK_MS(361), A | P, f2, 0, tail),
		W(SK_MS(500), A | P, 3280, 0, 100), W(SK_MS(501), A | P, 3380, 0, 50),
		W(SK_MS(502), A | P, 3430, 0, 30),  W(SK_MS(600), A | P, 3460, 0, 100),
		W(SK_MS(605), A | P, 3560, 0, 50),
	};
	const struct sel q = {s->client, SK_SERVER_ADDR, k.port, SK_PORT, SK_MS(50), SK_S(1)};
	check_segs(s, "client", &q, k.x + 1, k.y + 1, w, (int)NELEM(w));
	const struct sel qs = {s->server, SK_CLIENT_ADDR, SK_PORT, k.port, SK_MS(50), SK_MS(400)};
	const struct want ws[] = {
		W(SK_MS(150), A, 0, 100, 0),
		W(SK_MS(210), A, 0, 180, 0),
		W(SK_MS(311), A, 0, f1, 0),
		W(SK_MS(351), A, 0, f2, 0),
	};
	check_segs(s, "server", &qs, k.y + 1, k.x + 1, ws, (int)NELEM(ws));
	long got = recv_now(s, s->server, k.a, in, sizeof(in));
	sk_expect(s, got == LEN && first_bad(in, LEN, 8, 0) == LEN,
		  "the server reads the %d bytes in order (got %ld)", LEN, got);
}

/* ---- REL-8 ---- */

/* REL-8 (RFC 7323).
 * A. RTT from the echo (3, 4.3): the client's clock ticks 1 ms (TSval = ms + offset).
 *    The SYN+ACK echoes the SYN's TSval: R = 20 ms, SRTT 20 ms, RTTVAR 10 ms (RFC 6298
 *    2.2). At 100 ms two full segments: the server acks the second at once (110 ms),
 *    echoing their TSval; R = 20 ms: SRTT 20 ms = the path's round trip, RTTVAR 7.5 ms.
 *    With TCP_NODELAY, 100 bytes at 200 ms and 100 at 205 ms: less than a full segment in
 *    all, so the server's ACK waits for its delayed-ACK timer (250 ms) and echoes the TSval
 *    of the first, because TS.Recent is only taken from a segment at or below Last.ACK.sent
 *    (4.3 case A: the RTT includes the time the receiver held its ACK): R = 60 ms, SRTT
 *    25 ms, RTTVAR 15.625 ms.
 * B. PAWS (5): a scripted peer with timestamps (its clock 100000 + ms) sends 100 bytes at
 *    1.1 s and at 1.2 s (TSval 101100, 101200, acked at 1.15 / 1.25 s). At 1.3 s an old
 *    duplicate of the first (TSval 101100 < TS.Recent 101200): dropped, answered at once by
 *    an ACK (ack 200, echo 101200). At 1.9 s a segment that fits the window exactly at
 *    rcv_nxt but carries an old TSval (101150): an old duplicate from an earlier wrap of the
 *    sequence space: dropped, not delivered, ACKed. (The ACK is rate limited as Linux does:
 *    this one comes 600 ms after the last.) At 2 s the real [200, 300) (TSval 102000) is
 *    taken. The application reads the 300 real bytes. */
static void rel_8(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	sk_scn_pair(s, &tb, &tb);
	int peer = sk_world_add_peer(s->w, "peer", PEER_ADDR);
	int l = sk_scn_listen(s, s->server, SK_PORT, 16);
	struct conn k;
	sk_world_heading(s->w, "A: RTT from the timestamp echo (RFC 7323 4.3's TS.Recent rules)");
	if (!sk_expect(s, peer >= 0 && open_conn(s, s->client, l, &k), "connection opened"))
		return;
	sk_world_run_until(s->w, SK_MS(50));
	sk_expect(s, rtt_is(s, s->client, k.c, 20000, 10000, 200000, 0),
		  "A: the SYN+ACK's echo: SRTT 20 ms, RTTVAR 10 ms");
	sk_scn_setsockopt_int(s, s->client, k.c, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, 1);
	uint8_t data[2 * MSS_TS_MAX + 200];
	fill(data, sizeof(data), 9, 0);
	sk_world_run_until(s->w, SK_MS(100));
	sk_scn_send(s, s->client, k.c, data, 2 * MSS_TS);
	sk_world_run_until(s->w, SK_MS(150));
	sk_expect(s, rtt_is(s, s->client, k.c, 20000, 7500, 200000, 0),
		  "A: R 20 ms: SRTT 20 ms (the path's round trip), RTTVAR 7.5 ms");
	sk_world_run_until(s->w, SK_MS(200));
	sk_scn_send(s, s->client, k.c, data + 2 * MSS_TS, 100);
	sk_world_run_until(s->w, SK_MS(205));
	sk_scn_send(s, s->client, k.c, data + 2 * MSS_TS + 100, 100);
	sk_world_run_until(s->w, SK_MS(300));
	sk_expect(s, rtt_is(s, s->client, k.c, 25000, 15625, 200000, 0),
		  "A: R 60 ms (40 ms held by the receiver): SRTT 25 ms, RTTVAR 15.625 ms");
	/* The wire: TSvals tick with the clock; each ACK echoes what 4.3 says. */
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, k.port, SK_PORT, ALL, S, 1);
	const struct sel qc = {s->client, SK_SERVER_ADDR, k.port, SK_PORT, SK_MS(100), SK_MS(205)};
	const struct sel qs = {s->server, SK_CLIENT_ADDR, SK_PORT, k.port, SK_MS(100), SK_MS(300)};
	const struct sk_rec *d1 = sel_nth(s, &qc, 1), *d3 = sel_nth(s, &qc, 3),
			    *d4 = sel_nth(s, &qc, 4);
	const struct sk_rec *a1 = sel_nth(s, &qs, 1), *a2 = sel_nth(s, &qs, 2);
	if (!sk_expect(s, syn && d1 && d3 && d4 && a1 && a2 && !sel_nth(s, &qs, 3),
		       "A: the client's four data segments, two ACKs"))
		return;
	uint32_t ts0 = syn->d.tcp.opt.tsval;
	sk_expect(s,
		  d1->t == SK_MS(100) && d1->d.tcp.opt.tsval == ts0 + 100 && d3->t == SK_MS(200) &&
			  d3->d.tcp.opt.tsval == ts0 + 200 && d4->t == SK_MS(205) &&
			  d4->d.tcp.opt.tsval == ts0 + 205,
		  "A: TSval = the SYN's + elapsed ms (at 100, 200, 205 ms)");
	sk_expect(s,
		  a1->t == SK_MS(110) && a1->d.tcp.ack == k.x + 1 + 2 * MSS_TS &&
			  a1->d.tcp.opt.tsecr == ts0 + 100,
		  "A: the ACK at 110 ms echoes the TSval of 100 ms");
	sk_expect(s,
		  a2->t == SK_MS(250) && a2->d.tcp.ack == k.x + 1 + 2 * MSS_TS + 200 &&
			  a2->d.tcp.opt.tsecr == ts0 + 200,
		  "A: the ACK at 250 ms echoes the TSval of 200 ms (got %+d)",
		  (int)(a2->d.tcp.opt.tsecr - ts0));

	/* B. PAWS. */
	sk_world_run_until(s->w, SK_S(1));
	sk_world_heading(s->w, "B: PAWS drops an old duplicate (RFC 7323 5)");
	struct sk_scn_peer_conn c = {.peer = peer,
				     .raddr = SK_SERVER_ADDR,
				     .lport = 40000,
				     .rport = SK_PORT,
				     .iss = 4000};
	uint32_t ecr = 0;
	if (!sk_expect(s, peer_open(s, &c, 0, 1, &ecr), "B: the peer connects"))
		return;
	int a = sk_scn_wait_accept(s, s->server, l, SK_S(2), NULL);
	struct sk_tcp_opts o = {.has_ts = 1, .tsecr = ecr};
	uint8_t b[100];
	static const struct {
		uint32_t ms, off, tsval, salt;
	} tx[] = {{1100, 0, 101100, 10},
		  {1200, 100, 101200, 10},
		  {1300, 0, 101100, 10},
		  {1900, 200, 101150, 99},
		  {2000, 200, 102000, 10}};
	for (size_t i = 0; i < NELEM(tx); i++) {
		sk_world_run_until(s->w, SK_MS(tx[i].ms));
		fill(b, sizeof(b), tx[i].salt, tx[i].off);
		o.tsval = tx[i].tsval;
		sk_scn_peer_seg(s, &c, A | P, c.iss + 1 + tx[i].off, c.irs + 1, 65535, &o, b,
				sizeof(b));
	}
	sk_world_run_until(s->w, SK_MS(2500));
	const struct want w[] = {
		W(SK_MS(1150), A, 0, 100, 0), W(SK_MS(1250), A, 0, 200, 0),
		W(SK_MS(1310), A, 0, 200, 0), W(SK_MS(1910), A, 0, 200, 0),
		W(SK_MS(2050), A, 0, 300, 0),
	};
	const struct sel q = {s->server, PEER_ADDR, SK_PORT, c.lport, SK_MS(1031), SK_MS(2500)};
	check_segs(s, "B: server", &q, c.irs + 1, c.iss + 1, w, (int)NELEM(w));
	static const uint32_t echo[] = {101100, 101200, 101200, 101200, 102000};
	for (int i = 0; i < (int)NELEM(echo); i++) {
		const struct sk_rec *r = sel_nth(s, &q, i + 1);
		sk_expect(s, r && r->d.tcp.opt.has_ts && r->d.tcp.opt.tsecr == echo[i],
			  "B: ACK %d echoes %u", i + 1, echo[i]);
	}
	uint8_t in[400];
	long n = a >= 0 ? recv_now(s, s->server, a, in, sizeof(in)) : -1;
	sk_expect(s, n == 300 && first_bad(in, 300, 10, 0) == 300,
		  "B: the application reads the 300 real bytes, not the old duplicate (got %ld)",
		  n);
	sk_expect(s, sk_scn_stats(s, s->server).tcp_drop_paws == 2,
		  "B: two segments dropped by PAWS");
}

/* A keepalive probe: a bare ACK, seq = snd_una - 1 (x when the client's snd_una is x+1), no
 * data (RFC 9293 3.8.4, RFC 1122 4.2.3.6), sent at time t. */
static int probe_is(const struct sk_rec *r, uint64_t t, uint32_t seq, uint32_t ack)
{
	return r && r->t == t && sk_scn_seg_is(r, A, seq, ack) && r->d.tcp.payload_len == 0;
}

/* The RST+ACK a connection sends when it gives up (RFC 9293 3.10.5: an abort). */
static int rst_is(const struct sk_rec *r, uint64_t t, uint32_t seq, uint32_t ack)
{
	return r && r->t == t && sk_scn_seg_is(r, R | A, seq, ack) && r->d.tcp.payload_len == 0;
}

/* REL-9: four clients with SO_KEEPALIVE connect at 0 (ESTABLISHED at 20 ms, idle from then):
 *  client   (10.0.0.1): the server vanishes at 1 s: probes at 7200.02 s + k * 75 s, k < 9,
 *                       unanswered; ETIMEDOUT at 7875.02 s (7200 + 9 * 75), with a RST
 *                       (giving up is an abort, RFC 9293 3.10.5; Linux sends one too);
 *  answering (.3):      data at 1000.01 s, probe at 8200.01 s answered, next one 7200 s
 *                       after the answer; the connection survives;
 *  restarting (.4):     the server forgets the connection at 100 s (SO_LINGER 0, its RST lost,
 *                       like a reboot): the probe at 7200.02 s gets a RST: ECONNRESET;
 *  tuned (.5):          TCP_KEEPIDLE 60, TCP_KEEPINTVL 10, TCP_KEEPCNT 3, server vanished:
 *                       probes at 60.02, 70.02, 80.02 s; ETIMEDOUT at 90.02 s;
 *  halfclosed (.6):     idle 120, interval 10, 2 probes; shutdown(SHUT_WR) at 1 s, FIN-WAIT-2
 *                       from 1.021 s (a bare FIN is acked at the next tick), then the
 *                       server vanishes: keepalive covers FIN-WAIT-2 too (a half-closed socket
 *                       has no FIN-WAIT-2 limit, CL-9): probes at 121.021, 131.021 s,
 *                       ETIMEDOUT at 141.021 s. */
static void rel_9(struct sk_scn *s)
{
	struct synack_config tb = sk_scn_textbook();
	sk_scn_pair(s, &tb, &tb);
	int hb = sk_world_add_host(s->w, "answering", 0x0a000003u, &tb);
	int hc = sk_world_add_host(s->w, "restarting", 0x0a000004u, &tb);
	int hd = sk_world_add_host(s->w, "tuned", 0x0a000005u, &tb);
	int he = sk_world_add_host(s->w, "halfclosed", 0x0a000006u, &tb);
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
		port[i] = sk_scn_port(s, host[i], c[i]);
		struct synack_sockaddr p;
		int a = synack_accept(srv, l, &p);
		for (int j = 0; a >= 0 && j < 5; j++)
			if (sk_scn_is_addr(s, &p, sk_world_addr(s->w, host[j])))
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
					  SYNACK_FIN_WAIT_2) == SK_MS(1021),
		  "halfclosed: FIN-WAIT-2 at 1.021 s (a bare FIN is acked at the next tick)");
	sk_scn_rule(s, s->server, he, 0, 0, 0, 0, SK_SIMNET_DROP, 0);

	/* tuned: 3 probes 10 s apart after 60 s idle, then ETIMEDOUT. */
	sk_world_run_until(s->w, SK_S(100));
	for (int k = 0; k < 3; k++) {
		const struct sk_rec *p = sk_scn_seg_ports(s, hd, port[3], SK_PORT, ALL, A, 2 + k);
		sk_expect(s, probe_is(p, SK_MS(60020) + (uint64_t)k * SK_S(10), x[3], y[3] + 1),
			  "tuned: probe %d at %.3f s, seq x ack y+1, no data", k + 1,
			  (double)(60020 + 10000 * k) / 1000);
	}
	sk_expect(s, sk_scn_count_ports(s, hd, port[3], SK_PORT, 0, 0) == 6,
		  "tuned: SYN, ACK, 3 probes and the RST, nothing else");
	sk_expect(s, rst_is(sk_scn_seg_ports(s, hd, port[3], SK_PORT, R, R, 1), SK_MS(90020), x[3] + 1, y[3] + 1),
		  "tuned: giving up at 90.020 s sends RST+ACK seq x+1 ack y+1 (an abort, as Linux)");
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
			  probe_is(p, SK_MS(121021) + (uint64_t)k * SK_S(10), x[4] + 1, y[4] + 1),
			  "halfclosed: probe %d at %.3f s, seq x+1 ack y+1, no data", k + 1,
			  121.021 + 10.0 * k);
	}
	sk_expect(s, sk_scn_count_ports(s, he, port[4], SK_PORT, 0, 0) == 6,
		  "halfclosed: SYN, ACK, FIN, 2 probes and the RST");
	sk_expect(s, rst_is(sk_scn_seg_ports(s, he, port[4], SK_PORT, R, R, 1), SK_MS(141021), x[4] + 2, y[4] + 1),
		  "halfclosed: giving up at 141.021 s sends RST+ACK seq x+2 (after the FIN) ack y+1");
	sk_expect(s,
		  sk_scn_state_time_ports(s, he, port[4], SK_PORT, SYNACK_FIN_WAIT_2,
					  SYNACK_CLOSED) == SK_MS(141021),
		  "halfclosed: dropped from FIN-WAIT-2 at 141.021 s");
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
	sk_expect(s, sk_scn_count_ports(s, s->client, port[0], SK_PORT, 0, 0) == 12,
		  "client: SYN, ACK, 9 probes and the RST, nothing else");
	sk_expect(s,
		  rst_is(sk_scn_seg_ports(s, s->client, port[0], SK_PORT, R, R, 1), SK_MS(7875020), x[0] + 1,
			 y[0] + 1),
		  "client: giving up at 7875.020 s sends RST+ACK seq x+1 ack y+1");
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
	{"rel-1",
	 "byte stream: boundaries not kept; once, in order, intact over loss, duplication, "
	 "reordering, corruption",
	 rel_1},
	{"rel-2",
	 "cumulative ACK; out-of-order data kept and acked at once with SACK; duplicates "
	 "dropped and acked with D-SACK",
	 rel_2},
	{"rel-3",
	 "RFC 6298 RTO from SRTT/RTTVAR, 200 ms floor, Karn, backoff, ETIMEDOUT after 15 "
	 "timeouts",
	 rel_3},
	{"rel-4", "a large write cut into MSS segments; a lost one retransmitted alone", rel_4},
	{"rel-5",
	 "SACK blocks (3 with timestamps, 4 without); three losses in a window repaired "
	 "without a timeout, also near the tail",
	 rel_5},
	{"rel-6",
	 "delayed ACK: every second segment at once, a lone one after 40 ms, out of order "
	 "at once",
	 rel_6},
	{"rel-7", "Nagle holds small segments while data is unacked; TCP_NODELAY sends at once",
	 rel_7},
	{"rel-8", "timestamps: RTT from the echo (TS.Recent rules), PAWS drops old duplicates",
	 rel_8},
	{"rel-9",
	 "keepalive: probes after 7200 s idle every 75 s, ETIMEDOUT after 9; RST; answers; "
	 "overrides",
	 rel_9},
	{NULL, NULL, NULL},
};
