/* tunsink: what a TUN device allows, for bench/real.sh's sink rows: the least TCP that
 * keeps a Linux peer going, so that a stack's figures can be read as a fraction of it.
 *
 *   tunsink [--tun NAME] [--host A.B.C.D] [--addr A.B.C.D] [--port P] [--mtu M] [--offload 0|1]
 *           [--busy-poll USEC]
 *
 * Opens the TUN as stack_synack does (the same device options; IPv4, or IPv6 when --host
 * and --addr are IPv6 addresses, for the sink6 row) and answers kperf's
 * clients on --port: a SYN gets a SYN+ACK (MSS from the MTU, window scale 10: a window of
 * 64 MiB). A connection's first byte picks its role, as for the stack servers:
 *   'S' (the recv test) - a receiver that only ACKs: one ACK per read, for the bytes in order
 *       so far; nothing is copied beyond the device's read (with offloads a read is a GSO
 *       super-packet of up to 64 KiB, the same reads synack gets); the payload is not looked
 *       at, nor are checksums (the kernel made these packets on this host);
 *   'R' (the send test) - a sender that only writes: super-packets of up to the device's GSO
 *       size (with offloads; else one MSS each) of a constant payload from one buffer, as
 *       far as the peer's window allows; lost data goes again from the last ACK (three
 *       duplicate ACKs or 200 ms without progress).
 * An end of stream is answered by an end of stream and the connection forgotten; a reset
 * forgets it. No options beyond the handshake's, no timestamps, no SACK, no congestion
 * control: this is the device's limit, not a TCP. Prints "ready" once the device is up; on
 * SIGTERM or SIGINT prints its counters on stderr and exits 0. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "tunsrv.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

#define BATCH 64
#define FLOWS 16
#define WSCALE 10
#define HDRS_MAX 60 /* IPv6 and TCP headers, no options */

struct flow {
	int used;
	uint8_t raddr[16]; /* the peer: an IPv4 address in its first four bytes (network order) */
	uint16_t rport;
	uint8_t mode;                  /* 0 until the first byte; 'S', 'R' or anything else */
	uint8_t peer_ws;               /* the peer's window scale, if it offered one */
	uint32_t rcv_nxt;              /* next byte expected from the peer */
	uint32_t snd_una, snd_nxt;     /* our bytes: oldest unacknowledged, next to send */
	uint32_t snd_wnd;              /* the peer's window, scaled */
	unsigned dupacks;
	int ack_due;                   /* data arrived in this batch of reads */
	uint64_t progress_us;          /* when snd_una last moved (or sending began) */
};

struct sink {
	struct sk_dev *dev;
	uint32_t addr, port, mss, seg_max;
	uint8_t addr6[16];
	int v6;                        /* the link is IPv6 (addr6), else IPv4 (addr) */
	unsigned iphl;                 /* the IP header's length: 20 or 40 */
	int offload;
	struct flow flows[FLOWS];
	uint8_t out[HDRS_MAX + 65536]; /* headers, then the constant payload (zeros) */
	uint64_t pkts_in, pkts_out, bytes_in, bytes_out, resends, write_errors, untracked;
};

static struct flow *find(struct sink *k, const uint8_t raddr[16], uint16_t rport)
{
	for (int i = 0; i < FLOWS; i++)
		if (k->flows[i].used && !memcmp(k->flows[i].raddr, raddr, 16) && k->flows[i].rport == rport)
			return &k->flows[i];
	return NULL;
}

/* Sends one segment of flow f: flags, seq, and len bytes of the constant payload (with the
 * SYN, the handshake's options instead). The checksum: with offloads the device completes
 * it; without, the payload's zeros add nothing, so the headers' sum is the whole. */
static int emit(struct sink *k, struct flow *f, uint16_t flags, uint32_t seq, uint32_t len)
{
	uint8_t *p = k->out;
	uint8_t opt[8];
	unsigned olen = 0;
	if (flags & SK_TCP_SYN) {
		opt[0] = SK_TCPOPT_MSS, opt[1] = 4, sk_put16(opt + 2, (uint16_t)k->mss);
		opt[4] = SK_TCPOPT_NOP, opt[5] = SK_TCPOPT_WS, opt[6] = 3, opt[7] = WSCALE;
		olen = f->peer_ws != 0xff ? 8 : 4;
	}
	unsigned thl = 20 + olen, iphl = k->iphl;
	uint8_t *t = p + iphl;
	/* the SYN's options sit where the payload would: put the zeros back after */
	sk_put16(t, (uint16_t)k->port);
	sk_put16(t + 2, f->rport);
	sk_put32(t + 4, seq);
	sk_put32(t + 8, f->rcv_nxt);
	t[12] = (uint8_t)(thl / 4) << 4;
	t[13] = (uint8_t)flags;
	uint32_t win = (64u << 20) >> (f->peer_ws != 0xff ? WSCALE : 0);
	sk_put16(t + 14, (uint16_t)(win > 0xffff ? 0xffff : win));
	sk_put16(t + 16, 0);
	sk_put16(t + 18, 0);
	memcpy(t + 20, opt, olen);
	uint32_t ps;
	if (k->v6) {
		struct sk_ipv6 ih = {.payload_len = (uint16_t)(thl + len), .next = SK_IPPROTO_TCP, .hop_limit = 64};
		memcpy(ih.src, k->addr6, 16);
		memcpy(ih.dst, f->raddr, 16);
		sk_ipv6_emit(p, 40, &ih);
		ps = sk_csum_pseudo6(k->addr6, f->raddr, SK_IPPROTO_TCP, thl + len);
	} else {
		uint32_t dst = sk_get32(f->raddr);
		struct sk_ipv4 ih = {.total_len = (uint16_t)(20 + thl + len), .frag = SK_IP_DF, .ttl = 64,
				     .proto = SK_IPPROTO_TCP, .src = k->addr, .dst = dst};
		sk_ipv4_emit(p, 20, &ih);
		ps = sk_csum_pseudo4(k->addr, dst, SK_IPPROTO_TCP, (uint16_t)(thl + len));
	}
	if (!k->offload)
		sk_put16(t + 16, sk_csum_fold(sk_csum_add(ps, t, thl)));
	int r = sk_dev_send(k->dev, p, iphl + thl + len, 0);
	if (r < 0)
		k->write_errors++;
	else
		k->pkts_out++;
	if (olen)
		memset(t + 20, 0, olen);
	return r < 0 ? -1 : 0;
}

/* The send test: as much as the peer's window takes, in the largest writes allowed. */
static void pump(struct sink *k, struct flow *f, uint64_t now)
{
	if (now - f->progress_us > 200000 && f->snd_nxt != f->snd_una) {
		f->snd_nxt = f->snd_una; /* nothing acknowledged for 200 ms: from the last ACK again */
		f->progress_us = now;
		k->resends++;
	}
	for (;;) {
		uint32_t inflight = f->snd_nxt - f->snd_una;
		if (inflight >= f->snd_wnd)
			return;
		uint32_t n = f->snd_wnd - inflight;
		if (n > k->seg_max)
			n = k->seg_max;
		if (n < k->mss && inflight)
			return; /* wait for a full segment's room */
		if (emit(k, f, SK_TCP_ACK, f->snd_nxt, n) < 0)
			return; /* (the device refused it: again next round) */
		f->snd_nxt += n;
		k->bytes_out += n;
	}
}

/* The TCP segment of an IP packet to us (its source in src), or NULL. The kernel's own TCP
 * packets: IPv6 without extension headers, IPv4 unfragmented. */
static const uint8_t *segment(struct sink *k, const uint8_t *p, size_t len, uint8_t src[16], size_t *seglen)
{
	if (k->v6) {
		struct sk_ipv6 ih;
		if (sk_ipv6_parse(p, len, &ih) < 0 || ih.next != SK_IPPROTO_TCP || memcmp(ih.dst, k->addr6, 16))
			return NULL;
		memcpy(src, ih.src, 16);
		*seglen = ih.payload_len;
		return p + 40;
	}
	struct sk_ipv4 ih;
	int hl = sk_ipv4_parse(p, len, &ih, 0);
	if (hl < 0 || ih.proto != SK_IPPROTO_TCP || ih.dst != k->addr || sk_ipv4_is_fragment(&ih) || ih.total_len > len)
		return NULL;
	memset(src, 0, 16);
	sk_put32(src, ih.src);
	*seglen = ih.total_len - (size_t)hl;
	return p + hl;
}

static void input(struct sink *k, uint8_t *p, size_t len, uint64_t now)
{
	struct sk_tcp t;
	uint8_t src[16];
	size_t seglen;
	const uint8_t *seg = segment(k, p, len, src, &seglen);
	/* (no checksum check: the kernel made these packets on this host) */
	if (!seg || sk_tcp_parse_sum(seg, seglen, 0, &t, 0) < 0 || t.dport != k->port) {
		k->untracked++;
		return;
	}
	k->pkts_in++;
	struct flow *f = find(k, src, t.sport);
	if ((t.flags & (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST)) == SK_TCP_SYN) {
		if (!f)
			for (int i = 0; i < FLOWS && !f; i++)
				if (!k->flows[i].used)
					f = &k->flows[i];
		if (!f) {
			k->untracked++;
			return;
		}
		uint32_t iss;
		if (getrandom(&iss, sizeof(iss), 0) != (ssize_t)sizeof(iss))
			iss = (uint32_t)now;
		*f = (struct flow){.used = 1, .rport = t.sport, .rcv_nxt = t.seq + 1,
				   .peer_ws = t.opt.has_ws ? (t.opt.ws > 14 ? 14 : t.opt.ws) : 0xff,
				   .snd_una = iss, .snd_nxt = iss + 1, .snd_wnd = t.win, .progress_us = now};
		memcpy(f->raddr, src, 16);
		emit(k, f, SK_TCP_SYN | SK_TCP_ACK, iss, 0);
		return;
	}
	if (!f) {
		k->untracked++;
		return;
	}
	if (t.flags & SK_TCP_RST) {
		f->used = 0;
		return;
	}
	if (t.flags & SK_TCP_ACK) {
		uint32_t acked = t.ack - f->snd_una;
		f->snd_wnd = (uint32_t)t.win << (f->peer_ws != 0xff ? f->peer_ws : 0);
		if (acked && acked <= f->snd_nxt - f->snd_una) {
			f->snd_una = t.ack;
			f->dupacks = 0;
			f->progress_us = now;
		} else if (!acked && !t.payload_len && f->snd_nxt != f->snd_una && ++f->dupacks == 3) {
			f->snd_nxt = f->snd_una; /* go back: everything from the hole again */
			k->resends++;
		}
	}
	int fin = 0;
	if (t.payload_len || (t.flags & SK_TCP_FIN)) {
		if (t.seq == f->rcv_nxt) {
			if (!f->mode && t.payload_len) {
				f->mode = t.payload[0];
				f->progress_us = now; /* (a sender's 200 ms start here) */
			}
			f->rcv_nxt += (uint32_t)t.payload_len;
			k->bytes_in += t.payload_len;
			if (t.flags & SK_TCP_FIN) {
				f->rcv_nxt++;
				fin = 1;
			}
		}
		if (fin) {
			/* our end of stream (the sender's unsent data dropped) and forget the flow */
			emit(k, f, SK_TCP_FIN | SK_TCP_ACK, f->snd_nxt, 0);
			f->used = 0;
			return;
		}
		f->ack_due = 1; /* one ACK per flow per batch of reads */
	}
}

int main(int argc, char **argv)
{
	struct tunsrv_opts o;
	if (tunsrv_parse(&o, argc, argv, "tunsink", 1) < 0)
		return 2;
	struct sk_dev *dev = tunsrv_open(&o, "tunsink");
	if (!dev)
		return 1;
	static struct sink k;
	k.dev = dev;
	k.addr = o.addr;
	k.v6 = o.v6;
	memcpy(k.addr6, o.addr6, 16);
	k.iphl = o.v6 ? 40 : 20;
	k.port = (uint32_t)o.port;
	k.mss = o.mtu - k.iphl - 20;
	k.offload = sk_tun_gso_max(dev) != 0;
	k.seg_max = k.offload ? (sk_tun_gso_max(dev) - k.iphl - 20) / k.mss * k.mss : k.mss;
	size_t cap, lens[BATCH];
	uint8_t *bufs[BATCH], verified[BATCH];
	uint8_t *block = tunsrv_bufs(dev, bufs, BATCH, &cap, "tunsink");
	if (!block)
		return 1;
	tunsrv_signals();

	struct tunsrv_spin spin; /* (busy polling as the stack servers do) */
	tunsrv_spin_init(&spin, o.busy_poll);
	printf("ready\n");
	fflush(stdout);
	uint64_t t0 = now_us(), idle_us = 0;
	while (!stop) {
		int n = sk_tun_recv_batch(dev, bufs, cap, lens, verified, BATCH);
		if (n < 0) {
			fprintf(stderr, "tunsink: read %s: %s\n", o.tun, strerror(-n));
			return 1;
		}
		uint64_t now = now_us();
		for (int i = 0; i < n; i++)
			input(&k, bufs[i], lens[i], now);
		int sending = 0;
		for (int i = 0; i < FLOWS; i++) {
			struct flow *f = &k.flows[i];
			if (f->used && f->ack_due) {
				emit(&k, f, SK_TCP_ACK, f->snd_nxt, 0);
				f->ack_due = 0;
			}
			if (f->used && f->mode == 'R') {
				pump(&k, f, now);
				sending = 1;
			}
		}
		if (!tunsrv_spinning(&spin, n, now_us())) {
			/* a sender waits for ACKs at most a millisecond, for its 200 ms timer */
			struct pollfd p = {.fd = sk_dev_fd(dev), .events = POLLIN};
			uint64_t w0 = now_us();
			poll(&p, 1, sending ? 1 : 100);
			uint64_t slept = now_us() - w0;
			idle_us += slept;
			tunsrv_slept(&spin, slept);
		}
	}
	uint64_t secs = (now_us() - t0) / 1000000u;
	fprintf(stderr,
		"tunsink: %llu s, %llu s of it waiting; offloads %s, segments of up to %u bytes; packets in %llu, out %llu; "
		"payload in %llu bytes, out %llu; %llu resends from the last ACK; %llu write errors; %llu packets not ours\n",
		(unsigned long long)secs, (unsigned long long)(idle_us / 1000000u), k.offload ? "on" : "off", k.seg_max,
		(unsigned long long)k.pkts_in, (unsigned long long)k.pkts_out, (unsigned long long)k.bytes_in,
		(unsigned long long)k.bytes_out, (unsigned long long)k.resends, (unsigned long long)k.write_errors,
		(unsigned long long)k.untracked);
	sk_dev_close(dev);
	free(block);
	return 0;
}
