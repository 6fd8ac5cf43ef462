/* Writes the captures that the trace tests print with both synack-dump and tcpdump. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/wire.h"

/*
 * Two sets: crafted cases covering every format the printer claims (each TCP and IP option
 * good and damaged, every ICMP kind with its quote, ARP, fragments, bad headers, truncation
 * at every cut point), written as pcap with micro- and nanosecond stamps and as pcapng; and
 * seeded random frames for the differential fuzz test. Each file written is listed on
 * stdout with its packet count.
 */

#define MAXPKT 2048

/* ---- packet assembly ---------------------------------------------------------------- */

struct pkt {
	uint8_t b[MAXPKT];
	size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	if (p->n + n > MAXPKT) {
		fprintf(stderr, "gen_captures: packet too large\n");
		exit(1);
	}
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void put8(struct pkt *p, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(p, &b, 1);
}

static void put16(struct pkt *p, unsigned v)
{
	uint8_t b[2];
	sk_put16(b, (uint16_t)v);
	put(p, b, 2);
}

static void put32(struct pkt *p, uint32_t v)
{
	uint8_t b[4];
	sk_put32(b, v);
	put(p, b, 4);
}

static void putstr(struct pkt *p, const char *s)
{
	put(p, s, strlen(s));
}

static void putfill(struct pkt *p, unsigned v, size_t n)
{
	while (n--)
		put8(p, v);
}

#define A(a, b, c, d)                                                                              \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
static const uint32_t H1 = A(192, 0, 2, 1), H2 = A(192, 0, 2, 2);

/* An IPv4 header description; fields left 0 get sensible values. */
struct iph {
	int ver, ihl;	   /* 0 = 4 / computed */
	unsigned tos, ttl; /* ttl: 0 is sent as 64 unless ttl0 */
	int ttl0;
	unsigned id, frag; /* frag: flags and offset as on the wire */
	unsigned proto;
	int tl;	      /* -1 = computed */
	int bad_csum; /* store csum ^ 0x1234 (or csum_val if set) */
	int csum_set;
	unsigned csum_val;
	uint32_t src, dst;
	const uint8_t *opts;
	size_t optlen;
};

/* Builds IPv4 header + payload into p (which may already hold a link header). */
static void add_ip(struct pkt *p, const struct iph *h, const uint8_t *pl, size_t plen)
{
	size_t start = p->n;
	size_t hl = 20 + h->optlen;
	unsigned ihl = h->ihl ? (unsigned)h->ihl : (unsigned)(hl / 4);
	unsigned tl = h->tl >= 0 ? (unsigned)h->tl : (unsigned)(hl + plen);
	put8(p, (unsigned)(h->ver ? h->ver : 4) << 4 | (ihl & 0xf));
	put8(p, h->tos);
	put16(p, tl);
	put16(p, h->id);
	put16(p, h->frag);
	put8(p, h->ttl0 ? 0 : (h->ttl ? h->ttl : 64));
	put8(p, h->proto);
	put16(p, 0);
	put32(p, h->src ? h->src : H1);
	put32(p, h->dst ? h->dst : H2);
	if (h->optlen)
		put(p, h->opts, h->optlen);
	uint16_t c = sk_csum(p->b + start, hl);
	if (h->csum_set)
		c = (uint16_t)h->csum_val;
	else if (h->bad_csum)
		c ^= 0x1234;
	sk_put16(p->b + start + 10, c);
	if (plen)
		put(p, pl, plen);
}

static void add_eth(struct pkt *p, unsigned type)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x02}, src[6] = {0x02, 0, 0, 0, 0, 0x01};
	put(p, dst, 6);
	put(p, src, 6);
	put16(p, type);
}

/* TCP segment (header, options, payload) with a correct checksum unless told otherwise. */
struct tcph {
	unsigned sport, dport;
	uint32_t seq, ack;
	unsigned flags; /* 12 bits: reserved nibble and the 8 flags */
	unsigned win, urp;
	int doff; /* 0 = computed */
	int bad_csum;
	const uint8_t *opts;
	size_t optlen;
	const uint8_t *data;
	size_t datalen;
	uint32_t csum_src, csum_dst; /* pseudo-header addresses; 0 = H1/H2 */
};

static size_t make_tcp(uint8_t *seg, const struct tcph *t)
{
	struct pkt s = {.n = 0};
	unsigned doff = t->doff ? (unsigned)t->doff : (unsigned)((20 + t->optlen) / 4);
	put16(&s, t->sport);
	put16(&s, t->dport);
	put32(&s, t->seq);
	put32(&s, t->ack);
	put16(&s, (doff & 0xf) << 12 | (t->flags & 0xfff));
	put16(&s, t->win);
	put16(&s, 0);
	put16(&s, t->urp);
	if (t->optlen)
		put(&s, t->opts, t->optlen);
	if (t->datalen)
		put(&s, t->data, t->datalen);
	uint16_t c = sk_csum_l4(t->csum_src ? t->csum_src : H1, t->csum_dst ? t->csum_dst : H2,
				SK_IPPROTO_TCP, s.b, s.n);
	if (t->bad_csum)
		c ^= 0x5a5a;
	sk_put16(s.b + 16, c);
	memcpy(seg, s.b, s.n);
	return s.n;
}

static size_t make_udp(uint8_t *seg, unsigned sport, unsigned dport, const void *data, size_t n,
		       int ulen, int csum_mode /* 0 ok, 1 zero, 2 bad */)
{
	struct pkt s = {.n = 0};
	put16(&s, sport);
	put16(&s, dport);
	put16(&s, ulen >= 0 ? (unsigned)ulen : (unsigned)(8 + n));
	put16(&s, 0);
	if (n)
		put(&s, data, n);
	uint16_t c = sk_csum_l4(H1, H2, SK_IPPROTO_UDP, s.b, s.n);
	if (c == 0)
		c = 0xffff;
	if (csum_mode == 1)
		c = 0;
	else if (csum_mode == 2)
		c ^= 0x4321;
	sk_put16(s.b + 6, c);
	memcpy(seg, s.b, s.n);
	return s.n;
}

static size_t make_icmp(uint8_t *m, unsigned type, unsigned code, uint32_t rest, const void *data,
			size_t n, int bad_csum)
{
	struct pkt s = {.n = 0};
	put8(&s, type);
	put8(&s, code);
	put16(&s, 0);
	put32(&s, rest);
	if (n)
		put(&s, data, n);
	uint16_t c = sk_csum(s.b, s.n);
	if (bad_csum)
		c ^= 0x0f0f;
	sk_put16(s.b + 2, c);
	memcpy(m, s.b, s.n);
	return s.n;
}

static size_t make_arp(uint8_t *a, unsigned hrd, unsigned pro, unsigned hln, unsigned pln,
		       unsigned op, uint32_t spa, uint32_t tpa, int tha_zero)
{
	struct pkt s = {.n = 0};
	put16(&s, hrd);
	put16(&s, pro);
	put8(&s, hln);
	put8(&s, pln);
	put16(&s, op);
	for (unsigned i = 0; i < hln; i++)
		put8(&s, i == 0 ? 0x02 : i == hln - 1 ? 0x01 : 0);
	for (unsigned i = 0; i < pln; i++)
		put8(&s, pln == 4 ? spa >> (24 - 8 * i) : 0x10 + i);
	for (unsigned i = 0; i < hln; i++)
		put8(&s, tha_zero ? 0 : (i == 0 ? 0x02 : i == hln - 1 ? 0x02 : 0));
	for (unsigned i = 0; i < pln; i++)
		put8(&s, pln == 4 ? tpa >> (24 - 8 * i) : 0x20 + i);
	memcpy(a, s.b, s.n);
	return s.n;
}

/* ---- output files ------------------------------------------------------------------- */

struct out {
	char path[4096];
	pcap_t *dead;
	pcap_dumper_t *dump; /* pcap files */
	FILE *ng;	     /* pcapng files */
	int nano;
	uint32_t sec; /* clock for the next packet */
	unsigned count;
};

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "gen_captures: %s: %s\n", what, detail);
	exit(1);
}

static void open_pcap(struct out *o, const char *dir, const char *name, int dlt, int nano)
{
	memset(o, 0, sizeof(*o));
	char *path = o->path;
	snprintf(path, sizeof(o->path), "%s/%s", dir, name);
	o->nano = nano;
	o->dead = pcap_open_dead_with_tstamp_precision(
		dlt, 262144, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (!o->dead)
		die(path, "pcap_open_dead failed");
	o->dump = pcap_dump_open(o->dead, path);
	if (!o->dump)
		die(path, pcap_geterr(o->dead));
	o->sec = 1700000000u;
}

static void ng_block(FILE *f, uint32_t type, const void *body, size_t n)
{
	static const uint8_t pad[4] = {0};
	uint32_t total = (uint32_t)(12 + ((n + 3) & ~(size_t)3));
	fwrite(&type, 4, 1, f);
	fwrite(&total, 4, 1, f);
	fwrite(body, 1, n, f);
	fwrite(pad, 1, ((n + 3) & ~(size_t)3) - n, f);
	fwrite(&total, 4, 1, f);
}

/* pcapng (host byte order, as writers usually do): one section, one interface whose
 * timestamps are in nanoseconds (if_tsresol 9), so readers must convert. */
static void open_pcapng(struct out *o, const char *dir, const char *name, int dlt)
{
	memset(o, 0, sizeof(*o));
	char *path = o->path;
	snprintf(path, sizeof(o->path), "%s/%s", dir, name);
	o->ng = fopen(path, "wb");
	if (!o->ng)
		die(path, strerror(errno));
	o->nano = 1;
	o->sec = 1700000000u;

	uint8_t shb[16];
	uint32_t magic = 0x1a2b3c4d;
	uint16_t major = 1, minor = 0;
	int64_t section_len = -1;
	memcpy(shb, &magic, 4);
	memcpy(shb + 4, &major, 2);
	memcpy(shb + 6, &minor, 2);
	memcpy(shb + 8, &section_len, 8);
	ng_block(o->ng, 0x0a0d0d0a, shb, sizeof(shb));

	uint8_t idb[16];
	uint16_t lt = (uint16_t)dlt, res = 0, code = 9, olen = 1;
	uint32_t snaplen = 262144;
	memcpy(idb, &lt, 2);
	memcpy(idb + 2, &res, 2);
	memcpy(idb + 4, &snaplen, 4);
	memcpy(idb + 8, &code, 2);
	memcpy(idb + 10, &olen, 2);
	idb[12] = 9; /* if_tsresol: 10^-9 */
	idb[13] = idb[14] = idb[15] = 0;
	uint8_t idb_full[20];
	memcpy(idb_full, idb, 16);
	memset(idb_full + 16, 0, 4); /* opt_endofopt */
	ng_block(o->ng, 1, idb_full, sizeof(idb_full));
}

/* Timestamps walk through the day with varied fractions, including both ends of a second,
 * so that local-time and precision conversions are exercised. */
static void next_time(struct out *o, uint32_t *sec, uint32_t *frac)
{
	static const uint32_t micro[] = {0, 1, 123456, 999999, 500000, 42};
	static const uint32_t nano[] = {0, 999, 1000, 123456789, 999999999, 500000500};
	*sec = o->sec;
	*frac = o->nano ? nano[o->count % 6] : micro[o->count % 6];
	o->sec += 1 + (o->count % 7) * 3607u;
	o->count++;
}

static void emit(struct out *o, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	uint32_t sec, frac;
	next_time(o, &sec, &frac);
	if (o->dump) {
		struct pcap_pkthdr h;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = sec;
		h.ts.tv_usec = frac;
		h.caplen = caplen;
		h.len = len;
		pcap_dump((u_char *)o->dump, &h, d);
	} else {
		uint8_t body[20 + MAXPKT];
		uint64_t ts = (uint64_t)sec * 1000000000u + frac;
		uint32_t v[5] = {0, (uint32_t)(ts >> 32), (uint32_t)ts, caplen, len};
		memcpy(body, v, 20);
		memcpy(body + 20, d, caplen);
		ng_block(o->ng, 6, body, 20 + caplen);
	}
}

static void emit_pkt(struct out *o, const struct pkt *p)
{
	emit(o, p->b, (uint32_t)p->n, (uint32_t)p->n);
}

/* The packet cut at caplen, as a snaplen would: the wire length stays. */
static void emit_cut(struct out *o, const struct pkt *p, size_t caplen)
{
	emit(o, p->b, (uint32_t)(caplen < p->n ? caplen : p->n), (uint32_t)p->n);
}

/* Every cut point from 1 byte to the whole packet. */
static void emit_all_cuts(struct out *o, const struct pkt *p)
{
	for (size_t c = 1; c <= p->n; c++)
		emit_cut(o, p, c);
}

static void close_out(struct out *o)
{
	if (o->dump) {
		pcap_dump_close(o->dump);
		pcap_close(o->dead);
	}
	if (o->ng && fclose(o->ng) != 0)
		die(o->path, strerror(errno));
	/* The comparison script reads this list: one file and its packet count a line. */
	printf("%s %u\n", o->path, o->count);
}

/* ---- crafted cases ------------------------------------------------------------------ */

/* A frame (Ethernet or not) carrying IPv4 with the given header and payload. */
static void frame_ip(struct pkt *p, int eth, const struct iph *h, const uint8_t *pl, size_t n)
{
	p->n = 0;
	if (eth)
		add_eth(p, SK_ETHERTYPE_IPV4);
	add_ip(p, h, pl, n);
}

static void frame_tcp(struct pkt *p, int eth, const struct tcph *t)
{
	uint8_t seg[MAXPKT];
	size_t n = make_tcp(seg, t);
	struct iph h = {.proto = SK_IPPROTO_TCP, .tl = -1, .frag = 0x4000, .id = 4242};
	frame_ip(p, eth, &h, seg, n);
}

static const uint8_t syn_opts[] = {2,	 4,    0x05, 0xb4, 4, 2, 8, 10, 0xb5, 0x1a,
				   0x2b, 0x3c, 0,    0,	   0, 0, 1, 3,	3,    7};

static void crafted_tcp_flags(struct out *o, int eth)
{
	static const unsigned flags[] = {
		0x002, 0x012, 0x010, 0x018, 0x011, 0x019, 0x004, 0x014, 0x001, 0x008,
		0x020, 0x030, 0x040, 0x080, 0x0c2, 0x052, 0x0ff, 0x000, 0x100, 0x110,
		0x200, 0x400, 0x800, 0xf00, 0xfff, 0x912, 0x03f, 0x029,
	};
	struct pkt p;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct tcph t = {.sport = 40000,
				 .dport = 40001,
				 .seq = 1000 + (uint32_t)i,
				 .ack = 0xfffffff0u + (uint32_t)i,
				 .flags = flags[i],
				 .win = 29200,
				 .urp = (unsigned)i * 7};
		frame_tcp(&p, eth, &t);
		emit_pkt(o, &p);
	}
	/* The TRC-1 example and a realistic exchange with data and a RST carrying text. */
	struct tcph syn = {.sport = 32896,
			   .dport = 6378,
			   .seq = 1368668675u,
			   .flags = 0x002,
			   .win = 29200,
			   .opts = syn_opts,
			   .optlen = sizeof(syn_opts)};
	frame_tcp(&p, eth, &syn);
	emit_pkt(o, &p);
	static const char text[] = "GET / HTTP/1.0\r\n\r\n\x01\x7f\x80\xff tail";
	struct tcph data = {.sport = 40000,
			    .dport = 40001,
			    .seq = 7,
			    .ack = 9,
			    .flags = 0x018,
			    .win = 502,
			    .data = (const uint8_t *)text,
			    .datalen = sizeof(text) - 1};
	frame_tcp(&p, eth, &data);
	emit_pkt(o, &p);
	static const char why[] = "connection reset by peer: no listener on this port\n";
	for (size_t n = 1; n < sizeof(why); n += 20) {
		struct tcph rst = {.sport = 40001,
				   .dport = 40000,
				   .seq = 1,
				   .ack = 2,
				   .flags = 0x014,
				   .data = (const uint8_t *)why,
				   .datalen = n};
		frame_tcp(&p, eth, &rst);
		emit_pkt(o, &p);
		emit_cut(o, &p, p.n - n / 2);
	}
	/* Checksum wrong, and data offsets too small and too large. */
	struct tcph bad = {.sport = 40000,
			   .dport = 40001,
			   .seq = 5,
			   .ack = 6,
			   .flags = 0x010,
			   .win = 100,
			   .bad_csum = 1};
	frame_tcp(&p, eth, &bad);
	emit_pkt(o, &p);
	for (int d = 1; d <= 15; d++) {
		struct tcph t = {.sport = 40000,
				 .dport = 40001,
				 .seq = 5,
				 .ack = 6,
				 .flags = 0x018,
				 .win = 100,
				 .doff = d,
				 .data = (const uint8_t *)text,
				 .datalen = 12};
		frame_tcp(&p, eth, &t);
		emit_pkt(o, &p);
	}
}

/* One option list per segment, each followed by a truncation sweep over the options. */
static void crafted_tcp_options(struct out *o, int eth)
{
	static const struct {
		unsigned flags;
		uint8_t len;
		uint8_t b[40];
	} cases[] = {
		{0x002, 20, {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}},
		{0x010, 12, {1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce}},
		{0x010, 12, {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2}},
		{0x010, 20, {1, 1, 5,	 18,   0,    0,	   0, 1, 0, 0,
			     0, 2, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 3}},
		{0x010, 36, {1,	 1,  5,	 34, 1,	 2,  3,	 4,  5,	 6,  7,	 8,
			     9,	 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
			     21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}},
		{0x010, 8, {5, 3, 1, 1, 5, 9, 1, 1}},
		{0x010, 12, {5, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0}},
		{0x010, 4, {5, 2, 1, 1}},
		{0x010, 4, {3, 3, 14, 0}},
		{0x010, 4, {3, 4, 14, 0}},
		{0x010, 4, {4, 2, 0, 0}},
		{0x010, 4, {4, 4, 0, 0}},
		{0x010, 4, {0, 2, 4, 2}},
		{0x010, 8, {1, 0, 7, 7, 1, 1, 1, 1}},
		{0x010, 4, {2, 0, 1, 1}},
		{0x010, 4, {2, 1, 1, 1}},
		{0x010, 4, {2, 8, 1, 1}},
		{0x010, 4, {2, 3, 1, 1}},
		{0x010, 4, {99, 4, 0xab, 0xcd}},
		{0x010, 4, {200, 2, 1, 1}},
		{0x010, 4, {255, 3, 0x7f, 0}},
		{0x010, 4, {6, 6, 0, 0}},
		{0x010, 8, {6, 6, 0, 0, 0, 9, 7, 2}},
		{0x010, 8, {7, 6, 0, 1, 0, 0, 0, 0}},
		{0x010, 8, {11, 6, 0, 0, 1, 0, 1, 1}},
		{0x010, 8, {12, 6, 0, 0, 1, 1, 1, 1}},
		{0x010, 8, {13, 6, 0, 0, 2, 0, 1, 1}},
		{0x010, 12, {8, 12, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}},
		{0x010, 20, {19,   18,	 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
			     0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 1,	   0}},
		{0x010, 4, {20, 4, 0x8c, 7}},
		{0x010, 4, {28, 4, 0x01, 0x2d}},
		{0x010, 4, {28, 4, 0x02, 0x58}},
		{0x010, 4, {29, 3, 1, 0}},
		{0x010, 4, {29, 4, 7, 9}},
		{0x010, 12, {29, 10, 7, 9, 1, 2, 3, 4, 5, 6, 0, 0}},
		{0x002, 4, {34, 2, 1, 1}},
		{0x002, 12, {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0}},
		{0x002, 8, {34, 5, 1, 2, 3, 0, 0, 0}},
		{0x002, 4, {254, 4, 0xf9, 0x89}},
		{0x002, 12, {254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8}},
		{0x002, 8, {254, 6, 0x12, 0x34, 0, 0, 0, 0}},
		{0x002, 4, {254, 3, 0x12, 0}},
		/* MPTCP: capable (SYN v0/v1, ACK with keys), join, dss, add/rem addr, prio,
		 * fail, fast-close, an unknown subtype, and ones whose length does not fit. */
		{0x002, 12, {30, 12, 0x00, 0x81, 1, 2, 3, 4, 5, 6, 7, 8}},
		{0x002, 4, {30, 4, 0x01, 0x01}},
		{0x010, 20, {30, 20, 0x00, 0x01, 1,  2,	 3,  4,	 5,  6,
			     7,	 8,  9,	   10,	 11, 12, 13, 14, 15, 16}},
		{0x010, 24, {30, 22, 0x05, 0x81, 1,  2,	 3,  4,	 5, 6, 7, 8,
			     9,	 10, 11,   12,	 13, 14, 15, 16, 0, 9, 0, 0}},
		{0x002, 12, {30, 12, 0x11, 0x05, 0, 0, 0, 1, 0, 0, 0, 2}},
		{0x012, 16, {30, 16, 0x10, 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3}},
		{0x010, 24, {30, 24, 0x10, 0x00, 1,  2,	 3,  4,	 5,  6,	 7,  8,
			     9,	 10, 11,   12,	 13, 14, 15, 16, 17, 18, 19, 20}},
		{0x010, 20, {30, 20, 0x20, 0x1f, 0, 0, 0, 1, 0,	   0,
			     0,	 2,  0,	   0,	 0, 3, 0, 4, 0xab, 0xcd}},
		{0x010, 8, {30, 8, 0x20, 0x01, 0, 0, 0, 5}},
		{0x010, 28, {30, 28, 0x20, 0x0f, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
			     0,	 0,  0,	   0,	 0, 2, 0, 0, 0, 3, 0, 4, 0, 0}},
		{0x010, 8, {30, 5, 0x20, 0x01, 0, 1, 1, 1}},
		{0x010, 8, {30, 8, 0x30, 0x02, 192, 0, 2, 9}},
		{0x010, 12, {30, 10, 0x34, 0x02, 192, 0, 2, 9, 0x1f, 0x90, 0, 0}},
		{0x010, 16, {30, 16, 0x30, 0x02, 192, 0, 2, 9, 1, 2, 3, 4, 5, 6, 7, 8}},
		{0x010, 20, {30, 18, 0x31, 0x02, 192, 0, 2, 9, 0, 80,
			     1,	 2,  3,	   4,	 5,   6, 7, 8, 0, 0}},
		{0x010, 20, {30, 20, 0x36, 0x03, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
			     0,	 0,  0,	   0,	 0,    0,    0,	   0,	 0, 1}},
		{0x010, 24, {30, 22, 0x30, 0x03, 0x20, 0x01, 0x0d, 0xb8, 0,    1,    0, 0,
			     0,	 0,  0,	   0,	 0,    0,    0,	   1,	 0x12, 0x34, 0, 0}},
		{0x010, 12, {30, 9, 0x39, 0x02, 1, 2, 3, 4, 5, 0, 0, 0}},
		{0x010, 8, {30, 6, 0x40, 1, 2, 3, 0, 0}},
		{0x010, 4, {30, 3, 0x51, 0}},
		{0x010, 4, {30, 4, 0x50, 7}},
		{0x010, 12, {30, 12, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 42}},
		{0x010, 12, {30, 12, 0x70, 0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{0x010, 4, {30, 4, 0x80, 0}},
		{0x010, 4, {30, 4, 0xf0, 0}},
		{0x010, 4, {30, 2, 1, 1}},
		{0x010, 8, {30, 8, 0x00, 0x00, 0, 0, 0, 0}},
		{0x010, 12, {30, 12, 0x60, 0, 0, 0, 0, 0, 0, 0, 0}},
		/* A full SYN option list, then every kind of damage after a good option. */
		{0x002, 40, {2, 4,  5, 0xb4, 1, 3, 3, 8, 4, 2, 8,  10, 1,    2, 3,  4, 5, 6, 7, 8,
			     5, 10, 1, 2,    3, 4, 5, 6, 7, 8, 30, 4,  0x50, 1, 19, 2, 1, 1, 0, 0}},
		{0x010, 8, {2, 4, 5, 0xb4, 9, 9, 1, 1}},
		{0x010, 8, {1, 2, 4, 5, 0xb4, 1, 1, 1}},
		{0x010, 8, {8, 10, 0, 0, 0, 1, 0, 0}},
	};
	static const uint8_t payload[] = "payload bytes";
	struct pkt p;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tcph t = {.sport = 40000 + (unsigned)i,
				 .dport = 45000,
				 .seq = 100,
				 .ack = 200,
				 .flags = cases[i].flags,
				 .win = 65535,
				 .opts = cases[i].b,
				 .optlen = cases[i].len,
				 .data = payload,
				 .datalen = i % 3 ? 0 : sizeof(payload) - 1};
		frame_tcp(&p, eth, &t);
		emit_pkt(o, &p);
		size_t opts_at = (eth ? 14 : 0) + 20 + 20;
		for (size_t c = opts_at; c < opts_at + cases[i].len; c++)
			emit_cut(o, &p, c);
	}
}

static void crafted_tcp_truncation(struct out *o, int eth)
{
	static const uint8_t text[] = "the quick brown fox";
	struct tcph t = {.sport = 40000,
			 .dport = 40001,
			 .seq = 1,
			 .ack = 2,
			 .flags = 0x018,
			 .win = 1000,
			 .opts = syn_opts,
			 .optlen = sizeof(syn_opts),
			 .data = text,
			 .datalen = sizeof(text) - 1};
	struct pkt p;
	frame_tcp(&p, eth, &t);
	emit_all_cuts(o, &p);
}

static void crafted_udp(struct out *o, int eth)
{
	static const char data[] = "datagram payload";
	uint8_t seg[MAXPKT];
	struct pkt p;
	struct iph h = {.proto = SK_IPPROTO_UDP, .tl = -1, .id = 7};
	const int ulens[] = {-1, 8, 9, 12, 100, 7, 0, 4, 65535};
	for (size_t i = 0; i < sizeof(ulens) / sizeof(ulens[0]); i++) {
		for (int cs = 0; cs < 3; cs++) {
			size_t n =
				make_udp(seg, 40000, 40001, data, sizeof(data) - 1, ulens[i], cs);
			frame_ip(&p, eth, &h, seg, n);
			emit_pkt(o, &p);
		}
	}
	size_t n = make_udp(seg, 45000, 46000, data, sizeof(data) - 1, -1, 0);
	frame_ip(&p, eth, &h, seg, n);
	emit_all_cuts(o, &p);
	/* IP says the datagram is shorter than a UDP header. */
	struct iph shorth = {.proto = SK_IPPROTO_UDP, .tl = 25};
	frame_ip(&p, eth, &shorth, seg, n);
	emit_pkt(o, &p);
	/* An empty datagram. */
	n = make_udp(seg, 41000, 41001, NULL, 0, -1, 0);
	frame_ip(&p, eth, &h, seg, n);
	emit_pkt(o, &p);
}

/* An IPv4 datagram (header + first bytes) as quoted in ICMP errors. */
static size_t make_quote(uint8_t *q, unsigned proto, size_t keep, int with_opts)
{
	static const uint8_t rr[8] = {7, 7, 4, 0, 0, 0, 0, 1};
	uint8_t seg[MAXPKT];
	size_t n;
	if (proto == SK_IPPROTO_TCP) {
		struct tcph t = {.sport = 40000,
				 .dport = 40005,
				 .seq = 123456789,
				 .ack = 1,
				 .flags = 0x018,
				 .win = 512,
				 .data = (const uint8_t *)"abcdefghij",
				 .datalen = 10};
		n = make_tcp(seg, &t);
	} else if (proto == SK_IPPROTO_UDP) {
		n = make_udp(seg, 40000, 40010, "quoted", 6, -1, 0);
	} else if (proto == SK_IPPROTO_ICMP) {
		n = make_icmp(seg, 8, 0, 0x00010002, "pingdata", 8, 0);
	} else {
		memcpy(seg, "opaque payload..", 16);
		n = 16;
	}
	struct pkt p = {.n = 0};
	struct iph h = {.proto = proto,
			.tl = -1,
			.id = 99,
			.frag = 0x4000,
			.ttl = 1,
			.src = H2,
			.dst = A(198, 51, 100, 7),
			.opts = with_opts ? rr : NULL,
			.optlen = with_opts ? sizeof(rr) : 0};
	add_ip(&p, &h, seg, n);
	size_t hl = 20 + h.optlen;
	if (keep > p.n - hl)
		keep = p.n - hl;
	memcpy(q, p.b, hl + keep);
	return hl + keep;
}

static void emit_icmp(struct out *o, int eth, unsigned type, unsigned code, uint32_t rest,
		      const uint8_t *d, size_t n, int bad)
{
	uint8_t m[MAXPKT];
	struct pkt p;
	size_t mn = make_icmp(m, type, code, rest, d, n, bad);
	struct iph h = {.proto = SK_IPPROTO_ICMP, .tl = -1, .id = 500 + type, .src = H2, .dst = H1};
	frame_ip(&p, eth, &h, m, mn);
	emit_pkt(o, &p);
}

static void crafted_icmp(struct out *o, int eth)
{
	uint8_t q[MAXPKT], d[MAXPKT];
	size_t qn;
	struct pkt p;

	emit_icmp(o, eth, 8, 0, 0x1c460001, (const uint8_t *)"0123456789abcdef", 16, 0);
	emit_icmp(o, eth, 0, 0, 0x1c460001, (const uint8_t *)"0123456789abcdef", 16, 0);
	emit_icmp(o, eth, 8, 0, 0x1c460002, (const uint8_t *)"0123456789abcdef", 16, 1);
	/* Destination unreachable, every code, quoting UDP; port unreachable for each
	 * protocol; fragmentation needed with and without a next-hop MTU. */
	qn = make_quote(q, SK_IPPROTO_UDP, 8, 0);
	for (unsigned code = 0; code <= 16; code++)
		emit_icmp(o, eth, 3, code, code == 4 ? 1400 : 0, q, qn, 0);
	unsigned protos[] = {SK_IPPROTO_TCP, SK_IPPROTO_UDP, SK_IPPROTO_ICMP, 99};
	for (size_t i = 0; i < 4; i++) {
		qn = make_quote(q, protos[i], 8, 0);
		emit_icmp(o, eth, 3, 3, 0, q, qn, 0);
		emit_icmp(o, eth, 11, 0, 0, q, qn, 0);
		qn = make_quote(q, protos[i], 40, 1);
		emit_icmp(o, eth, 3, 3, 0, q, qn, 0);
	}
	qn = make_quote(q, SK_IPPROTO_TCP, 8, 0);
	emit_icmp(o, eth, 3, 4, 0, q, qn, 0);
	emit_icmp(o, eth, 3, 4, 576, q, qn, 1);
	for (unsigned code = 0; code <= 3; code++)
		emit_icmp(o, eth, 11, code, 0, q, qn, 0);
	for (unsigned code = 0; code <= 4; code++)
		emit_icmp(o, eth, 5, code, A(192, 0, 2, 254), q, qn, 0);
	emit_icmp(o, eth, 4, 0, 0, q, qn, 0);
	emit_icmp(o, eth, 12, 0, 0x14000000, q, qn, 0);
	emit_icmp(o, eth, 12, 1, 0, q, qn, 0);
	/* Informational types, router discovery, timestamps, masks, unknown types. */
	static const uint8_t adv[] = {192, 0, 2, 1, 0,	  0,	0,    10,
				      192, 0, 2, 2, 0xff, 0xff, 0xff, 0xff};
	emit_icmp(o, eth, 9, 0, 0x02020708u, adv, sizeof(adv), 0);
	emit_icmp(o, eth, 9, 0, 0x0202003bu, adv, sizeof(adv), 0);
	emit_icmp(o, eth, 9, 0, 0x02020e10u, adv, sizeof(adv), 0);
	emit_icmp(o, eth, 9, 0, 0x02030e10u, adv, sizeof(adv), 0);
	emit_icmp(o, eth, 9, 0, 0x05020e10u, adv, sizeof(adv), 0);
	memset(d, 0xfe, 8 * 12);
	emit_icmp(o, eth, 9, 0, 0x0c02ffffu, d, 8 * 12, 0);
	emit_icmp(o, eth, 10, 0, 0, NULL, 0, 0);
	static const uint8_t ts[] = {0x03, 0x93, 0x87, 0x00, 0x05, 0x26,
				     0x5c, 0x0f, 0xff, 0xff, 0xff, 0xff};
	emit_icmp(o, eth, 13, 0, 0x00070001, ts, sizeof(ts), 0);
	emit_icmp(o, eth, 14, 0, 0x00070001, ts, sizeof(ts), 0);
	emit_icmp(o, eth, 14, 0, 0x00070001, ts, 8, 0);
	emit_icmp(o, eth, 15, 0, 0x00070001, NULL, 0, 0);
	emit_icmp(o, eth, 16, 0, 0x00070001, NULL, 0, 0);
	emit_icmp(o, eth, 17, 0, 0x00070001, (const uint8_t *)"\0\0\0\0", 4, 0);
	emit_icmp(o, eth, 18, 0, 0x00070001, (const uint8_t *)"\xff\xff\xff\0", 4, 0);
	for (unsigned t = 19; t <= 44; t += 5)
		emit_icmp(o, eth, t, 3, 0, NULL, 0, 0);
	emit_icmp(o, eth, 255, 255, 0, NULL, 0, 0);
	/* RFC 4884 multi-part messages: a long quote then an extension structure with an
	 * MPLS label stack entry and an unknown object; and a version the printer refuses. */
	for (int variant = 0; variant < 4; variant++) {
		uint8_t msg[MAXPKT];
		size_t n = make_quote(msg, SK_IPPROTO_UDP, 200, 0);
		memset(msg + n, 0, 128 > n ? 128 - n : 0);
		n = 128;
		size_t ext = n;
		msg[n++] = variant == 3 ? 0x10 : 0x20;
		msg[n++] = 0;
		msg[n++] = 0;
		msg[n++] = 0;
		static const uint8_t objs[] = {0, 8, 1, 1, 0x00, 0x01, 0x13, 0x40,
					       0, 7, 9, 2, 0xaa, 0xbb, 0xcc};
		memcpy(msg + n, objs, sizeof(objs));
		n += sizeof(objs);
		if (variant != 2)
			sk_put16(msg + ext + 2, sk_csum(msg + ext, n - ext));
		uint32_t rest = variant == 1 ? 0 : 0x00200000u; /* length field (words) */
		emit_icmp(o, eth, variant == 1 ? 11 : 3, 1, rest, msg, n, 0);
	}
	/* An ICMP error truncated at every point. */
	qn = make_quote(q, SK_IPPROTO_TCP, 8, 1);
	uint8_t m[MAXPKT];
	size_t mn = make_icmp(m, 3, 3, 0, q, qn, 0);
	struct iph h = {.proto = SK_IPPROTO_ICMP, .tl = -1, .src = H2, .dst = H1};
	frame_ip(&p, eth, &h, m, mn);
	emit_all_cuts(o, &p);
	/* The quote itself claims a length longer than what is quoted. */
	qn = make_quote(q, SK_IPPROTO_UDP, 8, 0);
	sk_put16(q + 2, 1500);
	emit_icmp(o, eth, 3, 3, 0, q, qn, 0);
	/* A first fragment carrying ICMP: no checksum verdict. */
	mn = make_icmp(m, 8, 0, 0x00010001, "fragmented echo", 15, 1);
	struct iph fh = {.proto = SK_IPPROTO_ICMP, .tl = -1, .frag = 0x2000};
	frame_ip(&p, eth, &fh, m, mn);
	emit_pkt(o, &p);
}

static void crafted_ip(struct out *o, int eth)
{
	static const uint8_t payload[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	uint8_t seg[MAXPKT];
	struct pkt p;
	struct tcph t = {
		.sport = 40000, .dport = 40001, .seq = 11, .ack = 22, .flags = 0x010, .win = 300};
	size_t tn = make_tcp(seg, &t);

	/* Header fields: TOS with every ECN value, TTL 0, flags, checksum, lengths. */
	for (unsigned tos = 0; tos < 4; tos++) {
		struct iph h = {.proto = SK_IPPROTO_TCP, .tl = -1, .tos = 0xb8 | tos, .id = tos};
		frame_ip(&p, eth, &h, seg, tn);
		emit_pkt(o, &p);
	}
	unsigned frags[] = {0x0000, 0x4000, 0x2000, 0x8000, 0xe000, 0x6000, 0xa000, 0xc000};
	for (size_t i = 0; i < 8; i++) {
		struct iph h = {
			.proto = SK_IPPROTO_TCP, .tl = -1, .frag = frags[i], .ttl0 = i == 3};
		frame_ip(&p, eth, &h, seg, tn);
		emit_pkt(o, &p);
	}
	struct iph badsum = {.proto = SK_IPPROTO_TCP, .tl = -1, .bad_csum = 1};
	frame_ip(&p, eth, &badsum, seg, tn);
	emit_pkt(o, &p);
	int tls[] = {0, 10, 19, 20, 30, 39, 41, 100, 65535};
	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		struct iph h = {.proto = SK_IPPROTO_TCP, .tl = tls[i]};
		frame_ip(&p, eth, &h, seg, tn);
		emit_pkt(o, &p);
	}
	for (int ihl = 0; ihl <= 15; ihl++) {
		struct iph h = {.proto = SK_IPPROTO_TCP, .tl = -1, .ihl = ihl};
		frame_ip(&p, eth, &h, seg, tn);
		emit_pkt(o, &p);
	}
	for (int v = 0; v <= 15; v++) {
		if (v == 4 || (v == 6 && !eth))
			continue; /* raw IPv6 goes to tcpdump's IPv6 printer */
		struct iph h = {.proto = SK_IPPROTO_TCP, .tl = -1, .ver = v};
		frame_ip(&p, eth, &h, seg, tn);
		emit_pkt(o, &p);
	}
	/* Ethernet padding after a short datagram. */
	struct iph h = {.proto = SK_IPPROTO_TCP, .tl = -1};
	frame_ip(&p, eth, &h, seg, tn);
	putfill(&p, 0, 6);
	emit_pkt(o, &p);

	/* Options: each kind, good and damaged, and a source route that changes the
	 * pseudo-header destination of the TCP checksum. */
	static const struct {
		uint8_t len;
		uint8_t b[40];
	} opts[] = {
		{4, {1, 1, 1, 0}},
		{4, {0, 1, 1, 1}},
		{12, {7, 11, 4, 192, 0, 2, 10, 192, 0, 2, 11, 0}},
		{12, {7, 11, 12, 192, 0, 2, 10, 192, 0, 2, 11, 0}},
		{12, {7, 11, 5, 192, 0, 2, 10, 192, 0, 2, 11, 0}},
		{8, {7, 6, 4, 192, 0, 2, 1, 0}},
		{4, {7, 2, 0, 0}},
		{12, {131, 11, 4, 192, 0, 2, 10, 192, 0, 2, 11, 0}},
		{12, {137, 11, 8, 192, 0, 2, 10, 198, 51, 100, 1, 1}},
		{8, {131, 7, 4, 203, 0, 113, 5, 0}},
		{12, {68, 12, 5, 0x00, 0, 0, 0, 1, 0, 0, 0, 2}},
		{12, {68, 12, 13, 0x01, 192, 0, 2, 1, 0, 0, 0, 5}},
		{12, {68, 12, 5, 0x03, 192, 0, 2, 1, 0, 0, 0, 5}},
		{12, {68, 12, 5, 0x32, 192, 0, 2, 1, 0, 0, 0, 5}},
		{12, {68, 12, 2, 0xf1, 192, 0, 2, 1, 0, 0, 0, 5}},
		{8, {68, 7, 5, 0x01, 0, 0, 0, 0}},
		{4, {68, 3, 0, 0}},
		{4, {148, 4, 0, 0}},
		{4, {148, 4, 0x12, 0x34}},
		{4, {148, 3, 0, 0}},
		{12, {130, 11, 0xf1, 0x35, 0, 0, 0, 0, 0, 0, 0, 0}},
		{12, {82, 12, 0, 1, 0, 2, 0, 3, 192, 0, 2, 1}},
		{4, {200, 4, 1, 2}},
		{4, {25, 0, 1, 2}},
		{4, {25, 1, 1, 2}},
		{4, {25, 9, 1, 2}},
		{40, {7, 39, 4, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5,
		      5, 5,  5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 0}},
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		struct tcph tt = {.sport = 40000,
				  .dport = 40001,
				  .seq = 1,
				  .ack = 2,
				  .flags = 0x010,
				  .win = 300};
		if ((opts[i].b[0] == 131 || opts[i].b[0] == 137) && opts[i].b[1] >= 7)
			tt.csum_dst = sk_get32(opts[i].b + opts[i].b[1] - 4);
		size_t n = make_tcp(seg, &tt);
		struct iph oh = {.proto = SK_IPPROTO_TCP,
				 .tl = -1,
				 .opts = opts[i].b,
				 .optlen = opts[i].len};
		frame_ip(&p, eth, &oh, seg, n);
		emit_pkt(o, &p);
		size_t at = (eth ? 14 : 0) + 20;
		for (size_t c = at; c < at + opts[i].len; c += 3)
			emit_cut(o, &p, c);
	}

	/* Fragments: first (more fragments), middle and last, for each protocol. */
	uint8_t big[200];
	memcpy(big, payload, sizeof(payload));
	memset(big + sizeof(payload), 'z', sizeof(big) - sizeof(payload));
	size_t un = make_udp(seg, 40000, 40001, big, 100, -1, 0);
	struct iph f1 = {.proto = SK_IPPROTO_UDP, .tl = -1, .id = 77, .frag = 0x2000};
	frame_ip(&p, eth, &f1, seg, 48);
	emit_pkt(o, &p);
	struct iph f2 = {.proto = SK_IPPROTO_UDP, .tl = -1, .id = 77, .frag = 0x2006};
	frame_ip(&p, eth, &f2, seg + 48, 48);
	emit_pkt(o, &p);
	struct iph f3 = {.proto = SK_IPPROTO_UDP, .tl = -1, .id = 77, .frag = 0x000c};
	frame_ip(&p, eth, &f3, seg + 96, un - 96);
	emit_pkt(o, &p);
	struct tcph ft = {.sport = 40000,
			  .dport = 40001,
			  .seq = 1,
			  .ack = 2,
			  .flags = 0x018,
			  .win = 9,
			  .data = big,
			  .datalen = 100};
	size_t fn = make_tcp(seg, &ft);
	struct iph f4 = {.proto = SK_IPPROTO_TCP, .tl = -1, .frag = 0x2000};
	frame_ip(&p, eth, &f4, seg, 64);
	emit_pkt(o, &p);
	struct iph f5 = {.proto = SK_IPPROTO_TCP, .tl = -1, .frag = 8};
	frame_ip(&p, eth, &f5, seg + 64, fn - 64);
	emit_pkt(o, &p);
	for (unsigned proto = 0; proto < 256; proto += 17) {
		struct iph fh = {.proto = proto, .tl = -1, .frag = 0x2000 | proto};
		frame_ip(&p, eth, &fh, big, 24);
		emit_pkt(o, &p);
	}

	/* Other protocols: IP in IP, ones tcpdump names without decoding, unknown ones. */
	struct pkt inner = {.n = 0};
	struct iph ih = {
		.proto = SK_IPPROTO_UDP, .tl = -1, .src = A(10, 1, 1, 1), .dst = A(10, 2, 2, 2)};
	un = make_udp(seg, 40000, 40002, "tunnelled", 9, -1, 0);
	add_ip(&inner, &ih, seg, un);
	struct iph ipip = {.proto = 4, .tl = -1};
	frame_ip(&p, eth, &ipip, inner.b, inner.n);
	emit_pkt(o, &p);
	unsigned others[] = {58, 143, 77, 59, 99, 253, 255, 0, 3, 200};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct iph xh = {.proto = others[i], .tl = -1};
		frame_ip(&p, eth, &xh, payload, 20);
		emit_pkt(o, &p);
	}
}

static void crafted_ip_truncation(struct out *o, int eth)
{
	static const uint8_t lsrr[8] = {131, 7, 4, 192, 0, 2, 200, 1};
	uint8_t seg[MAXPKT];
	struct pkt p;
	struct tcph t = {.sport = 40000,
			 .dport = 40001,
			 .seq = 1,
			 .ack = 2,
			 .flags = 0x010,
			 .win = 300,
			 .csum_dst = A(192, 0, 2, 200)};
	size_t n = make_tcp(seg, &t);
	struct iph h = {.proto = SK_IPPROTO_TCP, .tl = -1, .opts = lsrr, .optlen = sizeof(lsrr)};
	frame_ip(&p, eth, &h, seg, n);
	emit_all_cuts(o, &p);
}

static void crafted_arp(struct out *o)
{
	uint8_t a[MAXPKT];
	struct pkt p;
	static const struct {
		unsigned hrd, pro, hln, pln, op;
		int tha_zero;
	} cases[] = {
		{1, 0x0800, 6, 4, 1, 1},  {1, 0x0800, 6, 4, 2, 0},  {1, 0x0800, 6, 4, 1, 0},
		{1, 0x0800, 6, 4, 3, 0},  {1, 0x0800, 6, 4, 4, 0},  {1, 0x0800, 6, 4, 8, 0},
		{1, 0x0800, 6, 4, 9, 0},  {1, 0x0800, 6, 4, 10, 0}, {1, 0x0800, 6, 4, 0, 0},
		{1, 0x0800, 6, 4, 77, 0}, {6, 0x0800, 6, 4, 1, 1},  {24, 0x0800, 8, 4, 2, 0},
		{32, 0x0800, 6, 4, 1, 0}, {7, 0x0800, 1, 4, 2, 0},  {999, 0x0800, 6, 4, 1, 1},
		{1, 0x86dd, 6, 16, 1, 1}, {1, 0x1000, 6, 4, 2, 0},  {1, 0x0800, 0, 4, 1, 1},
		{1, 0x0800, 6, 6, 2, 0},  {1, 0x1234, 3, 5, 2, 0},  {1, 0x0800, 2, 4, 3, 0},
		{1, 0x0800, 0, 4, 2, 0},  {1, 0x0800, 6, 0, 1, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = make_arp(a, cases[i].hrd, cases[i].pro, cases[i].hln, cases[i].pln,
				    cases[i].op, H1, H2, cases[i].tha_zero);
		p.n = 0;
		add_eth(&p, i == 3 || i == 4 ? 0x8035 : SK_ETHERTYPE_ARP);
		put(&p, a, n);
		emit_pkt(o, &p);
	}
	/* Padded to the Ethernet minimum, and truncated everywhere. */
	size_t n = make_arp(a, 1, 0x0800, 6, 4, 1, H1, H2, 1);
	p.n = 0;
	add_eth(&p, SK_ETHERTYPE_ARP);
	put(&p, a, n);
	putfill(&p, 0, 18);
	emit_pkt(o, &p);
	p.n = 14 + n;
	emit_all_cuts(o, &p);
	n = make_arp(a, 1, 0x0800, 6, 4, 99, H1, H2, 0);
	p.n = 0;
	add_eth(&p, SK_ETHERTYPE_ARP);
	put(&p, a, n);
	for (size_t c = 20; c <= p.n; c += 4)
		emit_cut(o, &p, c);
}

static void crafted_ethernet(struct out *o)
{
	static const char data[] = "some bytes of an unknown protocol, long enough for 2 lines";
	uint8_t seg[MAXPKT];
	struct pkt p;
	unsigned types[] = {0x1234, 0x88b5, 0x0600, 0x6004, 0x1000, 0xd00d, 0xffff, 0x05ff};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p.n = 0;
		add_eth(&p, types[i]);
		put(&p, data, 1 + i * 7);
		emit_pkt(o, &p);
		emit_cut(o, &p, 14 + i);
	}
	/* VLAN tags, one and two, around IPv4 and ARP; tags cut short. */
	size_t n = make_udp(seg, 40000, 40001, "tagged", 6, -1, 0);
	struct pkt ipd = {.n = 0};
	struct iph h = {.proto = SK_IPPROTO_UDP, .tl = -1};
	add_ip(&ipd, &h, seg, n);
	unsigned outer[] = {0x8100, 0x88a8, 0x9100};
	for (size_t i = 0; i < 3; i++) {
		p.n = 0;
		add_eth(&p, outer[i]);
		put16(&p, 0x2064);
		if (i == 1) {
			put16(&p, 0x8100);
			put16(&p, 0x0005);
		}
		put16(&p, SK_ETHERTYPE_IPV4);
		put(&p, ipd.b, ipd.n);
		emit_pkt(o, &p);
		for (size_t c = 12; c < 26; c++)
			emit_cut(o, &p, c);
	}
	uint8_t a[64];
	size_t an = make_arp(a, 1, 0x0800, 6, 4, 1, H1, H2, 1);
	p.n = 0;
	add_eth(&p, 0x8100);
	put16(&p, 7);
	put16(&p, SK_ETHERTYPE_ARP);
	put(&p, a, an);
	emit_pkt(o, &p);
	/* Frames shorter than an Ethernet header. */
	p.n = 0;
	add_eth(&p, SK_ETHERTYPE_IPV4);
	for (size_t c = 1; c <= 14; c++)
		emit_cut(o, &p, c);
}

/* Capture headers tcpdump rejects before decoding. */
static void crafted_bad_headers(struct out *o)
{
	struct pkt p;
	struct tcph t = {.sport = 40000, .dport = 40001, .flags = 0x002, .win = 1};
	frame_tcp(&p, 1, &t);
	emit(o, p.b, (uint32_t)p.n, 20);
	emit(o, p.b, (uint32_t)p.n, 0);
	emit(o, p.b, (uint32_t)p.n, 300000);
}

static void write_crafted(const char *dir)
{
	struct out o;

	open_pcap(&o, dir, "crafted_eth.pcap", DLT_EN10MB, 0);
	crafted_tcp_flags(&o, 1);
	crafted_tcp_options(&o, 1);
	crafted_tcp_truncation(&o, 1);
	crafted_udp(&o, 1);
	crafted_icmp(&o, 1);
	crafted_ip(&o, 1);
	crafted_ip_truncation(&o, 1);
	crafted_arp(&o);
	crafted_ethernet(&o);
	crafted_bad_headers(&o);
	close_out(&o);

	open_pcap(&o, dir, "crafted_raw.pcap", DLT_RAW, 0);
	crafted_tcp_flags(&o, 0);
	crafted_tcp_options(&o, 0);
	crafted_tcp_truncation(&o, 0);
	crafted_udp(&o, 0);
	crafted_icmp(&o, 0);
	crafted_ip(&o, 0);
	crafted_ip_truncation(&o, 0);
	struct pkt p = {.n = 0};
	putstr(&p, "\x50 not an IP header");
	emit_pkt(&o, &p);
	close_out(&o);

	/* Nanosecond timestamps, in a pcap and in a pcapng file. */
	open_pcap(&o, dir, "crafted_nano.pcap", DLT_EN10MB, 1);
	crafted_tcp_flags(&o, 1);
	crafted_icmp(&o, 1);
	close_out(&o);

	open_pcapng(&o, dir, "crafted.pcapng", DLT_EN10MB);
	crafted_tcp_flags(&o, 1);
	crafted_tcp_truncation(&o, 1);
	crafted_udp(&o, 1);
	crafted_arp(&o);
	close_out(&o);
}

/* ---- differential fuzz -------------------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	/* splitmix64: tiny, seedable, good enough to spread test cases. */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

static int chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

static void rnd_bytes(struct rng *r, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(r);
}

/*
 * What the comparison must avoid: tcpdump decodes payloads above TCP/UDP on well-known
 * ports, and some IP protocols and EtherTypes, which synack deliberately does not. These
 * lists are conservative (every port below 1024 counts as decoded).
 */
static int port_is_decoded(unsigned port)
{
	static const unsigned ports[] = {
		1589, 1645, 1646, 1700, 1701, 1723,  1812,  1813,  1985,  2049,	 2103,	2104,
		3456, 3503, 3784, 3785, 3799, 4342,  4500,  4567,  4784,  4789,	 4790,	5060,
		5353, 5359, 6081, 6343, 6379, 6633,  6635,  6653,  6696,  6697,	 6784,	7500,
		8080, 8231, 8472, 8500, 8554, 10288, 12222, 12223, 17754, 30490, 49152,
	};
	if (port < 1024 || (port >= 7000 && port <= 7009) || (port >= 16512 && port <= 16639))
		return 1;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (ports[i] == port)
			return 1;
	return 0;
}

static int proto_is_decoded(unsigned proto)
{
	static const unsigned decoded[] = {2,  8,  9,  33,  41,	 46,  47,  50, 51,
					   55, 88, 89, 103, 108, 112, 113, 132};
	for (size_t i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++)
		if (decoded[i] == proto)
			return 1;
	return 0;
}

static int ethertype_is_decoded(unsigned t)
{
	static const unsigned decoded[] = {
		0x0707, 0x1111, 0x3c12, 0x3c13, 0x6003, 0x809b, 0x80f3, 0x8137,
		0x86dd, 0x8808, 0x8809, 0x880b, 0x8847, 0x8848, 0x8863, 0x8864,
		0x886f, 0x8870, 0x888e, 0x8899, 0x88a2, 0x88ca, 0x88cc, 0x88e5,
		0x88f7, 0x8902, 0x8947, 0x894f, 0x9000, 0xabcd, 0xfefe, 0xd28b,
	};
	if (t <= 1535)
		return 1;
	for (size_t i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++)
		if (decoded[i] == t)
			return 1;
	return 0;
}

/* Walks an IPv4 datagram the way the printer will and says whether any part of it would
 * reach one of tcpdump's payload decoders. */
static int ip_is_comparable(const uint8_t *b, size_t off, size_t end, int depth)
{
	if (depth > 4)
		return 0;
	if (off + 20 > end || b[off] >> 4 != 4)
		return 1;
	size_t hlen = (b[off] & 0xf) * 4u;
	size_t tl = sk_get16(b + off + 2);
	if (hlen < 20 || tl < hlen)
		return 1;
	if (sk_get16(b + off + 6) & 0x1fff)
		return 1;
	unsigned proto = b[off + 9];
	if (proto_is_decoded(proto))
		return 0;
	size_t l4 = off + hlen, lim = off + tl < end ? off + tl : end;
	switch (proto) {
	case SK_IPPROTO_TCP:
	case SK_IPPROTO_UDP:
		if (l4 + 2 <= lim && port_is_decoded(sk_get16(b + l4)))
			return 0;
		if (l4 + 4 <= lim && port_is_decoded(sk_get16(b + l4 + 2)))
			return 0;
		return 1;
	case SK_IPPROTO_ICMP:
		if (l4 < lim) {
			unsigned t = b[l4];
			if (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
				return ip_is_comparable(b, l4 + 8, lim, depth + 1);
		}
		return 1;
	case 4:
		return ip_is_comparable(b, l4, lim, depth + 1);
	default:
		return 1;
	}
}

static int frame_is_comparable(const uint8_t *b, size_t n, int eth)
{
	if (!eth) {
		if (n >= 1 && b[0] >> 4 == 6)
			return 0;
		return ip_is_comparable(b, 0, n, 0);
	}
	if (n < 14)
		return 1;
	size_t off = 14;
	unsigned type = sk_get16(b + 12);
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200) {
		if (off + 4 > n)
			return 1;
		type = sk_get16(b + off + 2);
		off += 4;
	}
	if (type == SK_ETHERTYPE_IPV4)
		return ip_is_comparable(b, off, n, 0);
	if (type == SK_ETHERTYPE_ARP || type == 0x8035) {
		if (off + 2 <= n) {
			unsigned hrd = sk_get16(b + off);
			if (hrd == 15 || hrd == 19) /* Frame Relay and ATM addresses */
				return 0;
		}
		return 1;
	}
	return !ethertype_is_decoded(type);
}

static unsigned rnd_port(struct rng *r)
{
	return 40000 + below(r, 9000);
}

/* A random TCP option list of up to 40 bytes: mostly well-formed options, some damaged. */
static size_t rnd_tcp_options(struct rng *r, uint8_t *o)
{
	size_t n = 0, max = below(r, 11) * 4;
	/* Most lists hold only well-formed options, so that the walk gets past them to the
	 * lengths, payloads and truncations that follow; the rest mix in damage. */
	unsigned menu = chance(r, 65) ? 12 : 20;
	while (n < max) {
		size_t room = max - n;
		uint8_t b[40];
		size_t k = 0;
		switch (below(r, menu)) {
		case 0:
			b[k++] = 1;
			break;
		case 1:
			b[k++] = 0;
			break;
		case 2:
			b[k++] = 2, b[k++] = 4, b[k++] = (uint8_t)rnd(r), b[k++] = (uint8_t)rnd(r);
			break;
		case 3:
			b[k++] = 3, b[k++] = 3, b[k++] = (uint8_t)below(r, 20);
			break;
		case 4:
			b[k++] = 4, b[k++] = 2;
			break;
		case 5: {
			unsigned blocks = below(r, 5);
			b[k++] = 5, b[k++] = (uint8_t)(2 + blocks * 8);
			rnd_bytes(r, b + k, blocks * 8);
			k += blocks * 8;
			break;
		}
		case 6:
			b[k++] = 8, b[k++] = 10;
			rnd_bytes(r, b + k, 8);
			k += 8;
			break;
		case 7:
			b[k++] = 19, b[k++] = 18;
			rnd_bytes(r, b + k, 16);
			k += 16;
			break;
		case 8: { /* MPTCP with a plausible subtype and length */
			static const uint8_t lens[] = {3, 4, 8, 10, 12, 16, 18, 20, 22, 24, 28, 30};
			b[k++] = 30;
			b[k++] = lens[below(r, sizeof(lens))];
			rnd_bytes(r, b + k, b[1] - 2u);
			b[k] = (uint8_t)(below(r, 10) << 4 | (rnd(r) & 0xf));
			k += b[1] - 2u;
			break;
		}
		case 9:
			b[k++] = 34, b[k++] = (uint8_t)(2 + below(r, 18));
			rnd_bytes(r, b + k, b[1] - 2u);
			k += b[1] - 2u;
			break;
		case 10:
			b[k++] = 254, b[k++] = (uint8_t)(2 + below(r, 12));
			rnd_bytes(r, b + k, b[1] - 2u);
			if (b[1] >= 4 && chance(r, 50))
				b[2] = 0xf9, b[3] = 0x89;
			k += b[1] - 2u;
			break;
		case 11: {
			static const uint8_t kinds[] = {6, 7, 11, 12, 13, 20, 28, 29};
			b[k++] = kinds[below(r, sizeof(kinds))];
			b[k++] = (uint8_t)(2 + below(r, 10));
			rnd_bytes(r, b + k, b[1] - 2u);
			k += b[1] - 2u;
			break;
		}
		case 12: /* any kind, any length: unknown kinds and wrong lengths */
			b[k++] = (uint8_t)rnd(r);
			b[k++] = (uint8_t)below(r, 14);
			rnd_bytes(r, b + k, 12);
			k += b[1] >= 2 ? b[1] - 2u : 2;
			break;
		default: /* garbage */
			k = 1 + below(r, 6);
			rnd_bytes(r, b, k);
			break;
		}
		if (k > room) {
			/* A well-formed list pads with NOPs; a damaged one cuts the option. */
			if (menu == 12)
				memset(b, 1, room);
			k = room;
		}
		memcpy(o + n, b, k);
		n += k;
	}
	return n;
}

static size_t rnd_ip_options(struct rng *r, uint8_t *o)
{
	size_t max = below(r, 11) * 4, n = 0;
	while (n < max) {
		uint8_t b[40];
		size_t k;
		switch (below(r, 9)) {
		case 0:
			b[0] = 1, k = 1;
			break;
		case 1:
			b[0] = 0, k = 1;
			break;
		case 2:
		case 3: { /* routes: lengths and pointers sometimes wrong */
			static const uint8_t kinds[] = {7, 131, 137};
			b[0] = kinds[below(r, 3)];
			b[1] = (uint8_t)(3 + 4 * below(r, 5) + (chance(r, 20) ? below(r, 4) : 0));
			b[2] = (uint8_t)(chance(r, 70) ? 4 + 4 * below(r, 4) : rnd(r));
			rnd_bytes(r, b + 3, 37);
			k = b[1];
			break;
		}
		case 4: { /* timestamps */
			b[0] = 68;
			b[1] = (uint8_t)(4 + 4 * below(r, 7) + (chance(r, 15) ? below(r, 4) : 0));
			b[2] = (uint8_t)(chance(r, 70) ? 5 + 4 * below(r, 5) : rnd(r));
			b[3] = (uint8_t)(chance(r, 70) ? below(r, 4) : rnd(r));
			rnd_bytes(r, b + 4, 36);
			k = b[1];
			break;
		}
		case 5:
			b[0] = 148, b[1] = (uint8_t)(chance(r, 80) ? 4 : below(r, 6));
			b[2] = chance(r, 50) ? 0 : (uint8_t)rnd(r), b[3] = (uint8_t)rnd(r);
			k = 4;
			break;
		default:
			b[0] = (uint8_t)rnd(r), b[1] = (uint8_t)below(r, 12);
			rnd_bytes(r, b + 2, 10);
			k = b[1] >= 2 ? b[1] : 2;
			break;
		}
		if (k > max - n)
			k = max - n;
		memcpy(o + n, b, k);
		n += k;
	}
	return n;
}

static size_t rnd_l4(struct rng *r, unsigned proto, uint8_t *seg, uint32_t src, uint32_t dst,
		     int depth);

/* An IPv4 datagram with random header fields, options and payload. */
static size_t rnd_ip(struct rng *r, uint8_t *out, int depth)
{
	uint8_t opts[40], pl[MAXPKT];
	static const unsigned protos[] = {6, 6, 6, 6, 6, 6, 6,	6,   17, 17, 17, 17, 17,
					  1, 1, 1, 1, 1, 4, 58, 143, 77, 59, 99, 0,  254};
	struct iph h = {.tl = -1};
	h.proto = protos[below(r, sizeof(protos) / sizeof(protos[0]))];
	if (depth > 1 && h.proto == 4)
		h.proto = 6;
	if (chance(r, 25))
		h.optlen = rnd_ip_options(r, opts), h.opts = opts;
	h.tos = chance(r, 70) ? 0 : (unsigned)below(r, 256);
	h.ttl = below(r, 256);
	h.ttl0 = h.ttl == 0;
	h.id = below(r, 65536);
	h.frag = chance(r, 50) ? 0x4000 : 0;
	if (chance(r, 6))
		h.frag = below(r, 65536);
	if (chance(r, 10))
		h.frag |= 0x2000;
	h.src = chance(r, 50) ? H1 : (uint32_t)rnd(r);
	h.dst = chance(r, 50) ? H2 : (uint32_t)rnd(r);
	size_t n = rnd_l4(r, h.proto, pl, h.src, h.dst, depth);
	if (chance(r, 5))
		h.ihl = (int)below(r, 16);
	if (chance(r, 7))
		h.tl = (int)below(r, 20 + h.optlen + n + 40);
	if (chance(r, 3))
		h.ver = (int)below(r, 16);
	if (chance(r, 8))
		h.bad_csum = 1;
	struct pkt p = {.n = 0};
	add_ip(&p, &h, pl, n);
	memcpy(out, p.b, p.n);
	return p.n;
}

static size_t rnd_l4(struct rng *r, unsigned proto, uint8_t *seg, uint32_t src, uint32_t dst,
		     int depth)
{
	uint8_t data[256], opts[40];
	size_t dn = chance(r, 50) ? 0 : below(r, 80);
	rnd_bytes(r, data, dn);
	switch (proto) {
	case SK_IPPROTO_TCP: {
		struct tcph t = {.sport = rnd_port(r),
				 .dport = rnd_port(r),
				 .seq = (uint32_t)rnd(r),
				 .ack = (uint32_t)rnd(r),
				 .win = below(r, 65536),
				 .urp = below(r, 65536),
				 .csum_src = src,
				 .csum_dst = dst,
				 .data = data,
				 .datalen = dn};
		t.flags = chance(r, 60) ? (unsigned)below(r, 256) : (unsigned)below(r, 4096);
		t.optlen = rnd_tcp_options(r, opts);
		t.opts = opts;
		if (chance(r, 5))
			t.doff = (int)below(r, 16);
		if (chance(r, 10))
			t.bad_csum = 1;
		if ((t.flags & 0x4) && chance(r, 50)) {
			static const char msg[] =
				"reset: \x01\x1f\x7f\x80\xc1\xff text that is long";
			t.datalen = below(r, sizeof(msg));
			t.data = (const uint8_t *)msg;
		}
		return make_tcp(seg, &t);
	}
	case SK_IPPROTO_UDP: {
		int ulen = chance(r, 10) ? (int)below(r, 120) : -1;
		size_t n =
			make_udp(seg, rnd_port(r), rnd_port(r), data, dn, ulen, (int)below(r, 3));
		/* the pseudo-header used H1/H2: fix up for the real addresses */
		sk_put16(seg + 6, 0);
		uint16_t c = sk_csum_l4(src, dst, SK_IPPROTO_UDP, seg, n);
		sk_put16(seg + 6, chance(r, 80) ? c : (uint16_t)rnd(r));
		return n;
	}
	case SK_IPPROTO_ICMP: {
		static const unsigned types[] = {0,  8, 3,  3,	3,  11, 11, 5,	4,
						 12, 9, 10, 13, 14, 15, 16, 17, 18,
						 1,  2, 6,  7,	19, 30, 40, 42, 253};
		unsigned type = types[below(r, sizeof(types) / sizeof(types[0]))];
		unsigned code = chance(r, 70) ? below(r, 5) : below(r, 256);
		if (type == 3 && chance(r, 50))
			code = chance(r, 50) ? 3 : below(r, 17);
		uint32_t rest = (uint32_t)rnd(r);
		uint8_t body[MAXPKT];
		size_t bn;
		if ((type == 3 || type == 4 || type == 5 || type == 11 || type == 12) &&
		    depth < 2 && chance(r, 85)) {
			bn = rnd_ip(r, body, depth + 1);
			size_t quote =
				(body[0] & 0xf) * 4u + 8; /* header + 8 bytes, as routers do */
			if (chance(r, 60) && quote < bn)
				bn = quote;
			if (chance(r, 20)) { /* RFC 4884 extension after a padded quote */
				if (bn < 128)
					memset(body + bn, 0, 128 - bn);
				bn = 128;
				size_t ext = bn;
				body[bn++] = chance(r, 80) ? 0x20 : (uint8_t)rnd(r);
				body[bn++] = 0, body[bn++] = 0, body[bn++] = 0;
				unsigned objs = below(r, 4);
				for (unsigned i = 0; i < objs; i++) {
					unsigned ol = 4 + below(r, 12);
					if (chance(r, 10))
						ol = below(r, 5);
					body[bn++] = 0, body[bn++] = (uint8_t)ol;
					body[bn++] = (uint8_t)below(r, 4);
					body[bn++] = (uint8_t)below(r, 3);
					rnd_bytes(r, body + bn, 12);
					bn += ol > 4 ? ol - 4 : 0;
				}
				if (chance(r, 70))
					sk_put16(body + ext + 2, sk_csum(body + ext, bn - ext));
				rest = chance(r, 50) ? 0 : (rest & 0xff00ffffu) | 0x00200000u;
			}
		} else {
			bn = below(r, 40);
			rnd_bytes(r, body, bn);
		}
		return make_icmp(seg, type, code, rest, body, bn, chance(r, 10));
	}
	case 4:
		return rnd_ip(r, seg, depth + 1);
	default:
		memcpy(seg, data, dn);
		return dn;
	}
}

static size_t rnd_arp(struct rng *r, uint8_t *a)
{
	static const unsigned hrds[] = {1, 1, 1, 6, 7, 23, 24, 32, 0, 2, 300};
	static const unsigned pros[] = {0x0800, 0x0800, 0x0800, 0x1000, 0x86dd, 0x0806, 0x4242};
	unsigned hln = chance(r, 80) ? 6 : below(r, 10);
	unsigned pln = chance(r, 80) ? 4 : below(r, 8);
	unsigned op = chance(r, 80) ? 1 + below(r, 2) : below(r, 12);
	size_t n = make_arp(a, hrds[below(r, sizeof(hrds) / sizeof(hrds[0]))],
			    pros[below(r, sizeof(pros) / sizeof(pros[0]))], hln, pln, op,
			    (uint32_t)rnd(r), (uint32_t)rnd(r), chance(r, 50));
	if (chance(r, 30))
		rnd_bytes(r, a + 8, n - 8);
	return n;
}

/* One random frame, regenerated until nothing in it reaches a tcpdump payload decoder. */
static void rnd_frame(struct rng *r, int eth, struct pkt *p, size_t *caplen)
{
	for (;;) {
		uint8_t body[MAXPKT];
		size_t n;
		p->n = 0;
		if (eth) {
			unsigned k = below(r, 100);
			if (k < 78) {
				add_eth(p, SK_ETHERTYPE_IPV4);
				n = rnd_ip(r, body, 0);
			} else if (k < 86) {
				add_eth(p, chance(r, 85) ? SK_ETHERTYPE_ARP : 0x8035);
				n = rnd_arp(r, body);
			} else if (k < 91) {
				add_eth(p, 0x8100);
				put16(p, below(r, 65536));
				put16(p, chance(r, 80) ? SK_ETHERTYPE_IPV4 : SK_ETHERTYPE_ARP);
				n = p->b[17] == 0x06 ? rnd_arp(r, body) : rnd_ip(r, body, 0);
			} else {
				add_eth(p, 1536 + below(r, 65536 - 1536));
				n = below(r, 70);
				rnd_bytes(r, body, n);
			}
			if (chance(r, 10)) /* link padding or trailing junk */
				rnd_bytes(r, body + n, 4), n += below(r, 5);
		} else {
			n = rnd_ip(r, body, 0);
		}
		put(p, body, n);
		/* mutation: flip a few random bytes */
		if (chance(r, 15)) {
			unsigned flips = 1 + below(r, 4);
			for (unsigned i = 0; i < flips && p->n; i++)
				p->b[below(r, (unsigned)p->n)] ^= (uint8_t)(1 + below(r, 255));
		}
		*caplen = p->n;
		if (p->n && chance(r, 30))
			*caplen = 1 + below(r, (unsigned)p->n);
		if (p->n && frame_is_comparable(p->b, p->n, eth))
			return;
	}
}

static void write_fuzz(const char *dir, unsigned count, uint64_t seed)
{
	struct rng r = {.s = seed};
	struct out o;
	struct pkt p;
	size_t caplen;

	open_pcap(&o, dir, "fuzz_eth.pcap", DLT_EN10MB, 0);
	for (unsigned i = 0; i < count; i++) {
		rnd_frame(&r, 1, &p, &caplen);
		emit_cut(&o, &p, caplen);
	}
	close_out(&o);

	open_pcap(&o, dir, "fuzz_raw.pcap", DLT_RAW, 0);
	for (unsigned i = 0; i < count / 4; i++) {
		rnd_frame(&r, 0, &p, &caplen);
		emit_cut(&o, &p, caplen);
	}
	close_out(&o);
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[2], "crafted") == 0) {
		write_crafted(argv[1]);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[2], "fuzz") == 0) {
		unsigned count = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 40000;
		uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 0x5eed5eedu;
		write_fuzz(argv[1], count, seed);
		return 0;
	}
	fprintf(stderr, "usage: gen_captures DIR crafted\n"
			"       gen_captures DIR fuzz [COUNT [SEED]]\n");
	return 2;
}
