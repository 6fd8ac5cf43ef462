/* Runs built by hand for the picture tests (see pic_inputs.h). */
#include "pic_inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/ipv4.h"

#define ADDR_C 0x0a000001u /* 10.0.0.1 */
#define ADDR_S 0x0a000002u /* 10.0.0.2 */
#define PORT_C 40000
#define PORT_S 6378

static void die(const char *what)
{
	fprintf(stderr, "pic_inputs: %s\n", what);
	abort();
}

void pin_init(struct pin *b, const char *title)
{
	memset(b, 0, sizeof(*b));
	b->names[0] = "client";
	b->names[1] = "server";
	b->pic.title = title;
}

void pin_free(struct pin *b)
{
	for (size_t i = 0; i < b->nfr; i++)
		free((void *)(uintptr_t)b->fr[i].ip);
	free(b->fr);
	memset(b, 0, sizeof(*b));
}

size_t pin_tcp(struct pin *b, uint64_t t, int from, uint16_t flags, uint32_t seq, uint32_t ack, uint16_t win,
	       const struct sk_tcp_opts *opt, uint32_t len, int lost, const char *label)
{
	if (b->nfr == b->capfr) {
		size_t cap = b->capfr ? 2 * b->capfr : 64;
		struct sk_pic_frame *v = realloc(b->fr, cap * sizeof(*v));
		if (!v)
			die("out of memory");
		b->fr = v;
		b->capfr = cap;
	}
	size_t cap = 20 + 60 + len;
	uint8_t *pkt = calloc(1, cap);
	if (!pkt)
		die("out of memory");
	uint8_t *data = malloc(len ? len : 1);
	if (!data)
		die("out of memory");
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)('a' + (seq + i) % 26);
	uint32_t src = from == PIN_CLIENT ? ADDR_C : ADDR_S, dst = from == PIN_CLIENT ? ADDR_S : ADDR_C;
	struct sk_tcp tcp = {
		.sport = from == PIN_CLIENT ? PORT_C : PORT_S,
		.dport = from == PIN_CLIENT ? PORT_S : PORT_C,
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.win = win,
		.payload = data,
		.payload_len = len,
	};
	if (opt)
		tcp.opt = *opt;
	int n = sk_tcp_emit(pkt + 20, cap - 20, src, dst, &tcp);
	free(data);
	if (n < 0)
		die("sk_tcp_emit failed");
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + n), .id = (uint16_t)b->nfr, .frag = SK_IP_DF, .ttl = 64,
			     .proto = SK_IPPROTO_TCP, .src = src, .dst = dst};
	if (sk_ipv4_emit(pkt, cap, &ip) != 20)
		die("sk_ipv4_emit failed");
	b->fr[b->nfr] = (struct sk_pic_frame){
		.sent_us = t,
		.arrived_us = t + PIN_DELAY,
		.from = from,
		.to = !from,
		.lost = lost,
		.ip = pkt,
		.len = (size_t)(20 + n),
		.label = label,
	};
	return b->nfr++;
}

void pin_state(struct pin *b, uint64_t t, int ep, const char *name)
{
	if (b->nst == sizeof(b->st) / sizeof(b->st[0]))
		die("too many states");
	b->st[b->nst++] = (struct sk_pic_state){t, ep, name};
}

void pin_note(struct pin *b, uint64_t t, int ep, const char *text)
{
	if (b->nnt == sizeof(b->nt) / sizeof(b->nt[0]))
		die("too many notes");
	b->nt[b->nnt++] = (struct sk_pic_note){t, ep, text};
}

void pin_cc(struct pin *b, uint64_t t, int ep, uint32_t cwnd, uint32_t ssthresh, uint32_t in_flight)
{
	if (b->ncc == sizeof(b->cc) / sizeof(b->cc[0]))
		die("too many cc samples");
	b->cc[b->ncc++] = (struct sk_pic_cc){t, ep, cwnd, ssthresh, in_flight, 20000, 200000};
}

void pin_finish(struct pin *b)
{
	b->pic.endpoints = b->names;
	b->pic.n_endpoints = 2;
	b->pic.frames = b->fr;
	b->pic.n_frames = b->nfr;
	b->pic.states = b->st;
	b->pic.n_states = b->nst;
	b->pic.notes = b->nt;
	b->pic.n_notes = b->nnt;
	b->pic.cc = b->ncc ? b->cc : NULL;
	b->pic.n_cc = b->ncc;
}

static struct sk_tcp_opts syn_opts(int ws)
{
	struct sk_tcp_opts o = {.has_mss = 1, .mss = 1460, .sack_ok = 1, .has_ts = 1, .tsval = 1};
	if (ws >= 0) {
		o.has_ws = 1;
		o.ws = (uint8_t)ws;
	}
	return o;
}

/* The handshake from time t (the SYN) on; windows scaled by ws when ws >= 0. */
static void handshake_at(struct pin *b, uint64_t t, int ws, uint16_t cwin)
{
	struct sk_tcp_opts o = syn_opts(ws);
	pin_tcp(b, t, PIN_CLIENT, SK_TCP_SYN, PIN_ISS_C, 0, 64240, &o, 0, 0, NULL);
	pin_state(b, t + PIN_DELAY, PIN_SERVER, "SYN-RCVD");
	pin_tcp(b, t + PIN_DELAY, PIN_SERVER, SK_TCP_SYN | SK_TCP_ACK, PIN_ISS_S, PIN_ISS_C + 1, 65160, &o, 0, 0, NULL);
	pin_state(b, t + 2 * PIN_DELAY, PIN_CLIENT, "ESTABLISHED");
	pin_tcp(b, t + 2 * PIN_DELAY, PIN_CLIENT, SK_TCP_ACK, PIN_ISS_C + 1, PIN_ISS_S + 1, cwin, NULL, 0, 0, NULL);
	pin_note(b, t + 2 * PIN_DELAY, PIN_CLIENT, "connect() = 0");
	pin_state(b, t + 3 * PIN_DELAY, PIN_SERVER, "ESTABLISHED");
	pin_note(b, t + 3 * PIN_DELAY, PIN_SERVER, "accept() = 4");
}

static void opening(struct pin *b)
{
	pin_state(b, 0, PIN_SERVER, "LISTEN");
	pin_note(b, 0, PIN_SERVER, "listen(:6378, 16) = 0");
	pin_state(b, 0, PIN_CLIENT, "SYN-SENT");
}

void pin_handshake(struct pin *b)
{
	opening(b);
	pin_note(b, 0, PIN_CLIENT, "connect(10.0.0.2:6378) = -1 EINPROGRESS");
	handshake_at(b, 0, -1, 64240);
	pin_finish(b);
}

void pin_syn_backoff(struct pin *b)
{
	struct sk_tcp_opts o = syn_opts(-1);
	opening(b);
	pin_tcp(b, 0, PIN_CLIENT, SK_TCP_SYN, PIN_ISS_C, 0, 64240, &o, 0, 1, NULL);
	pin_note(b, 0, PIN_CLIENT, "connect(10.0.0.2:6378) = -1 EINPROGRESS");
	pin_tcp(b, 1000000, PIN_CLIENT, SK_TCP_SYN, PIN_ISS_C, 0, 64240, &o, 0, 1, "RTO retransmission");
	pin_tcp(b, 3000000, PIN_CLIENT, SK_TCP_SYN, PIN_ISS_C, 0, 64240, &o, 0, 1, "RTO retransmission");
	/* the fourth SYN gets through */
	pin_tcp(b, 7000000, PIN_CLIENT, SK_TCP_SYN, PIN_ISS_C, 0, 64240, &o, 0, 0, "RTO retransmission");
	pin_state(b, 7000000 + PIN_DELAY, PIN_SERVER, "SYN-RCVD");
	pin_tcp(b, 7000000 + PIN_DELAY, PIN_SERVER, SK_TCP_SYN | SK_TCP_ACK, PIN_ISS_S, PIN_ISS_C + 1, 65160, &o, 0, 0,
		NULL);
	pin_state(b, 7000000 + 2 * PIN_DELAY, PIN_CLIENT, "ESTABLISHED");
	pin_tcp(b, 7000000 + 2 * PIN_DELAY, PIN_CLIENT, SK_TCP_ACK, PIN_ISS_C + 1, PIN_ISS_S + 1, 64240, NULL, 0, 0, NULL);
	pin_note(b, 7000000 + 2 * PIN_DELAY, PIN_CLIENT, "connect() = 0");
	pin_state(b, 7000000 + 3 * PIN_DELAY, PIN_SERVER, "ESTABLISHED");
	pin_note(b, 7000000 + 3 * PIN_DELAY, PIN_SERVER, "accept() = 4");
	pin_finish(b);
}

void pin_hs7(struct pin *b)
{
	static const uint64_t at[] = {0, 1, 3, 7, 15, 31};
	struct sk_tcp_opts o = syn_opts(10);
	opening(b);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		pin_tcp(b, at[i] * 1000000, PIN_CLIENT, SK_TCP_SYN, PIN_ISS_C, 0, 64240, &o, 0, 1,
			i ? "RTO retransmission" : NULL);
		if (!i)
			pin_note(b, 0, PIN_CLIENT, "connect(10.0.0.2:6378) = -1 EINPROGRESS");
	}
	pin_state(b, 63000000, PIN_CLIENT, "CLOSED");
	pin_note(b, 63000000, PIN_CLIENT, "connect() = -1 ETIMEDOUT");
	pin_finish(b);
}

void pin_transfer(struct pin *b)
{
	opening(b);
	pin_note(b, 0, PIN_CLIENT, "connect(10.0.0.2:6378) = -1 EINPROGRESS");
	handshake_at(b, 0, PIN_WS, 502);
	const uint32_t d0 = PIN_ISS_C + 1, a0 = PIN_ISS_S + 1;
	const uint64_t t = 100000;
	pin_note(b, t, PIN_CLIENT, "send(10000 bytes) = 10000");
	pin_cc(b, t, PIN_CLIENT, 10000, UINT32_MAX, 10000);
	for (uint32_t k = 0; k < 10; k++)
		pin_tcp(b, t, PIN_CLIENT, SK_TCP_ACK | (k == 9 ? SK_TCP_PSH : 0), d0 + 1000 * k, a0, 502, NULL, 1000, k == 2,
			NULL);
	/* the server acks each arrival (at 110 ms) one ms apart; from the fourth on with SACK */
	for (uint32_t k = 0; k < 10; k++) {
		if (k == 2)
			continue;
		struct sk_tcp_opts o = {0};
		uint32_t ack = d0 + 1000 * (k < 2 ? k + 1 : 2);
		if (k > 2) {
			o.nsack = 1;
			o.sack[0].left = d0 + 3000;
			o.sack[0].right = d0 + 1000 * (k + 1);
		}
		pin_tcp(b, t + PIN_DELAY + 1000 * (k + 1), PIN_SERVER, SK_TCP_ACK, a0, ack, 100, &o, 0, 0, NULL);
	}
	/* the third duplicate ACK (sent at 116 ms) arrives at 126 ms */
	pin_cc(b, 126000, PIN_CLIENT, 7000, 7000, 9000);
	pin_tcp(b, 126000, PIN_CLIENT, SK_TCP_ACK, d0 + 2000, a0, 502, NULL, 1000, 0, "fast retransmit");
	pin_tcp(b, 136000, PIN_SERVER, SK_TCP_ACK, a0, d0 + 10000, 100, NULL, 0, 0, NULL);
	pin_cc(b, 146000, PIN_CLIENT, 7000, 7000, 0);
	pin_note(b, 146000, PIN_CLIENT, "all 10000 bytes acknowledged");
	pin_finish(b);
}

void pin_bulk(struct pin *b, size_t n)
{
	opening(b);
	handshake_at(b, 0, PIN_WS, 502);
	const uint32_t d0 = PIN_ISS_C + 1, a0 = PIN_ISS_S + 1, len = 100;
	uint64_t t = 100000;
	size_t sent = 0, rx_pending = (size_t)-1;
	uint32_t acked = 0;
	while (b->nfr < n) {
		uint32_t seq = d0 + (uint32_t)(sent * len);
		int lost = sent % 997 == 500;
		if (lost)
			rx_pending = sent;
		pin_tcp(b, t, PIN_CLIENT, SK_TCP_ACK, seq, a0, 502, NULL, len, lost, NULL);
		sent++;
		if (rx_pending != (size_t)-1 && sent == rx_pending + 40) {
			pin_tcp(b, t + 5, PIN_CLIENT, SK_TCP_ACK, d0 + (uint32_t)(rx_pending * len), a0, 502, NULL, len, 0,
				"fast retransmit");
			rx_pending = (size_t)-1;
		}
		if (sent % 2 == 0 && b->nfr < n) {
			acked = (uint32_t)((rx_pending != (size_t)-1 ? rx_pending : sent) * len);
			pin_tcp(b, t + 7, PIN_SERVER, SK_TCP_ACK, a0, d0 + acked, 512, NULL, 0, 0, NULL);
		}
		t += 10;
	}
	pin_cc(b, 100000, PIN_CLIENT, 14480, UINT32_MAX, 0);
	pin_cc(b, t, PIN_CLIENT, 200000, 100000, 50000);
	pin_finish(b);
}
