/* Writes the captures that the trace tests print with both synack-dump and tcpdump. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/ipv6.h"
#include "wire/wire.h"

/* memcpy that takes a NULL source for 0 bytes (the builders pass "no extension headers",
 * "no options" that way). */
static void cpy(void *d, const void *src, size_t n)
{
	if (n)
		memcpy(d, src, n);
}

/*
 * Two sets: crafted cases covering every format the printer claims (each TCP and IP option
 * good and damaged, every ICMP kind with its quote, ARP, fragments, bad headers, truncation
 * at every cut point; IPv6 with each extension header and option, fragments, every ICMPv6
 * message it decodes with NDP's options and MLD's records, lengths that lie; the Linux
 * cooked and BSD loopback link types; times past 2^31 s), written as pcap with micro- and
 * nanosecond stamps and as pcapng; and seeded random frames for the differential fuzz test
 * (IPv4, IPv6 with random extension header chains and ICMPv6, ARP, over each link type).
 * Every address is in 2001:db8::/32 or the IPv4 documentation networks, as far as the
 * generator chooses it (random bytes elsewhere may read as anything). Each file written is
 * listed on stdout with its packet count.
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
	cpy(p->b + p->n, d, n);
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
static const uint8_t S6_1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t S6_2[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* How the crafted frames are built: the bits of a "mode" (the eth argument of the
 * builders): an Ethernet header first, and IPv6 instead of IPv4 where both can be. */
enum { M_ETH = 1, M_V6 = 2 };

/* Offsets of the network and the transport header in a frame of that mode. */
static size_t l3_at(int mode)
{
	return (mode & M_ETH) ? 14 : 0;
}

static size_t l4_at(int mode)
{
	return l3_at(mode) + ((mode & M_V6) ? 40 : 20);
}

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

/* An IPv6 header description; fields left 0 get sensible values. */
struct ip6h {
	int ver;	 /* 0 = 6 */
	unsigned tclass; /* traffic class */
	uint32_t flow;	 /* flow label */
	unsigned nh;	 /* next header */
	unsigned hlim;	 /* 0 is sent as 64 unless hlim0 */
	int hlim0;
	int plen;		  /* -1 = computed */
	const uint8_t *src, *dst; /* NULL = S6_1, S6_2 */
};

/* Builds the fixed IPv6 header + payload into p. */
static void add_ip6(struct pkt *p, const struct ip6h *h, const uint8_t *pl, size_t n)
{
	put32(p, (uint32_t)(h->ver ? h->ver : 6) << 28 | (h->tclass & 0xff) << 20 |
			 (h->flow & 0xfffff));
	put16(p, h->plen >= 0 ? (unsigned)h->plen : (unsigned)n);
	put8(p, h->nh);
	put8(p, h->hlim0 ? 0 : (h->hlim ? h->hlim : 64));
	put(p, h->src ? h->src : S6_1, 16);
	put(p, h->dst ? h->dst : S6_2, 16);
	if (n)
		put(p, pl, n);
}

/* Stores the IPv6 pseudo-header checksum of the upper-layer message seg[0..n) at field
 * (damaged when bad), UDP's 0 sent as 0xffff. */
static void csum6(uint8_t *seg, size_t n, size_t field, unsigned proto, const uint8_t *src,
		  const uint8_t *dst, int bad)
{
	sk_put16(seg + field, 0);
	uint16_t c = sk_csum_l4v6(src ? src : S6_1, dst ? dst : S6_2, (uint8_t)proto, seg, n);
	if (proto == SK_IPPROTO_UDP && c == 0)
		c = 0xffff;
	if (bad)
		c ^= 0x5a5a;
	sk_put16(seg + field, c);
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
	cpy(seg, s.b, s.n);
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
	cpy(seg, s.b, s.n);
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
	cpy(m, s.b, s.n);
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
	cpy(a, s.b, s.n);
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
	cpy(shb, &magic, 4);
	cpy(shb + 4, &major, 2);
	cpy(shb + 6, &minor, 2);
	cpy(shb + 8, &section_len, 8);
	ng_block(o->ng, 0x0a0d0d0a, shb, sizeof(shb));

	uint8_t idb[16];
	uint16_t lt = (uint16_t)dlt, res = 0, code = 9, olen = 1;
	uint32_t snaplen = 262144;
	cpy(idb, &lt, 2);
	cpy(idb + 2, &res, 2);
	cpy(idb + 4, &snaplen, 4);
	cpy(idb + 8, &code, 2);
	cpy(idb + 10, &olen, 2);
	idb[12] = 9; /* if_tsresol: 10^-9 */
	idb[13] = idb[14] = idb[15] = 0;
	uint8_t idb_full[20];
	cpy(idb_full, idb, 16);
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
		cpy(body, v, 20);
		cpy(body + 20, d, caplen);
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
	if (eth & M_ETH)
		add_eth(p, SK_ETHERTYPE_IPV4);
	add_ip(p, h, pl, n);
}

static void frame_tcp(struct pkt *p, int eth, const struct tcph *t)
{
	uint8_t seg[MAXPKT];
	size_t n = make_tcp(seg, t);
	if (eth & M_V6) {
		csum6(seg, n, 16, SK_IPPROTO_TCP, NULL, NULL, t->bad_csum);
		struct ip6h h = {.nh = SK_IPPROTO_TCP, .plen = -1, .flow = 0x4242};
		p->n = 0;
		if (eth & M_ETH)
			add_eth(p, SK_ETHERTYPE_IPV6);
		add_ip6(p, &h, seg, n);
		return;
	}
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
		size_t opts_at = l4_at(eth) + 20;
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
		cpy(seg, "opaque payload..", 16);
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
	cpy(q, p.b, hl + keep);
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
		cpy(msg + n, objs, sizeof(objs));
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
	cpy(big, payload, sizeof(payload));
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
	struct iph ih = {.proto = SK_IPPROTO_UDP,
			 .tl = -1,
			 .src = A(203, 0, 113, 1),
			 .dst = A(203, 0, 113, 2)};
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

/* ---- crafted IPv6 --------------------------------------------------------------------- */

/* 2001:db8::/32 addresses with every shape of "::" (RFC 5952): none, in the middle, at
 * the end, two runs of which the longer wins, a single zero group (not compressed). */
static const uint8_t S6_ROUTER[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				      0,    0,	  0,	0,    0, 0, 0, 0xfe};
static const uint8_t S6_ODD[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0,    0,
				   0,	 0x01, 0,    0,	   0,	 0,    0x0a, 0xbc};
static const uint8_t S6_FULL[16] = {0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xaa, 0xbb, 0xbb,
				    0xcc, 0xcc, 0,    0,    0xee, 0xee, 0xff, 0xff};
static const uint8_t S6_NET[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t S6_TWO[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9};

/* One IPv6 frame: fixed header h, then ext (extension headers) and up (upper layer). */
static void frame6(struct pkt *p, int mode, const struct ip6h *h, const uint8_t *ext, size_t extlen,
		   const uint8_t *up, size_t uplen)
{
	uint8_t pl[MAXPKT];
	cpy(pl, ext, extlen);
	cpy(pl + extlen, up, uplen);
	p->n = 0;
	if (mode & M_ETH)
		add_eth(p, SK_ETHERTYPE_IPV6);
	add_ip6(p, h, pl, extlen + uplen);
}

static void emit6(struct out *o, int mode, const struct ip6h *h, const uint8_t *ext, size_t extlen,
		  const uint8_t *up, size_t uplen)
{
	struct pkt p;
	frame6(&p, mode, h, ext, extlen, up, uplen);
	emit_pkt(o, &p);
}

/* An ICMPv6 message (checksummed over src/dst, NULL for the defaults). */
static size_t make_icmp6(uint8_t *m, unsigned type, unsigned code, uint32_t rest, const void *data,
			 size_t n, int bad, const uint8_t *src, const uint8_t *dst)
{
	struct pkt s = {.n = 0};
	put8(&s, type);
	put8(&s, code);
	put16(&s, 0);
	put32(&s, rest);
	if (n)
		put(&s, data, n);
	csum6(s.b, s.n, 2, SK_IPPROTO_ICMPV6, src, dst, bad);
	cpy(m, s.b, s.n);
	return s.n;
}

static size_t make_udp6(uint8_t *seg, unsigned sport, unsigned dport, const void *data, size_t n,
			int ulen, int csum_mode, const uint8_t *src, const uint8_t *dst)
{
	size_t len = make_udp(seg, sport, dport, data, n, ulen, 0);
	csum6(seg, len, 6, SK_IPPROTO_UDP, src, dst, csum_mode == 2);
	if (csum_mode == 1)
		sk_put16(seg + 6, 0);
	return len;
}

/* A hop-by-hop or destination options header: nh, its length from n (a multiple of 8,
 * or hdrlen if >= 0), and the option bytes opts[0..n-2). */
static size_t ext_opts(uint8_t *b, unsigned nh, const uint8_t *opts, size_t n, int hdrlen)
{
	b[0] = (uint8_t)nh;
	b[1] = (uint8_t)(hdrlen >= 0 ? (unsigned)hdrlen : (unsigned)(n / 8 - 1));
	cpy(b + 2, opts, n - 2);
	return n;
}

static size_t ext_frag(uint8_t *b, unsigned nh, unsigned offset, int more, uint32_t id)
{
	b[0] = (uint8_t)nh;
	b[1] = 0;
	sk_put16(b + 2, (uint16_t)((offset & 0xfff8) | (more ? 1 : 0)));
	sk_put32(b + 4, id);
	return 8;
}

/* A routing header of type with n addresses (taken from the list in turn). */
static size_t ext_rt(uint8_t *b, unsigned nh, unsigned type, unsigned segleft, unsigned n,
		     uint32_t word)
{
	static const uint8_t *const addrs[] = {S6_ROUTER, S6_ODD, S6_FULL, S6_TWO};
	b[0] = (uint8_t)nh;
	b[1] = (uint8_t)(2 * n);
	b[2] = (uint8_t)type;
	b[3] = (uint8_t)segleft;
	sk_put32(b + 4, word);
	for (unsigned i = 0; i < n; i++)
		cpy(b + 8 + 16 * i, addrs[i % 4], 16);
	return 8 + 16 * n;
}

static size_t tcp6_seg(uint8_t *seg, const uint8_t *dst)
{
	static const uint8_t opts[] = {2, 4, 0x05, 0xa0, 4, 2, 8, 10, 0, 0,
				       1, 0, 0,	   0,	 0, 0, 1, 3,  3, 7};
	struct tcph t = {.sport = 40000,
			 .dport = 40001,
			 .seq = 1000,
			 .ack = 0,
			 .flags = 0x002,
			 .win = 64800,
			 .opts = opts,
			 .optlen = sizeof(opts)};
	size_t n = make_tcp(seg, &t);
	csum6(seg, n, 16, SK_IPPROTO_TCP, NULL, dst, 0);
	return n;
}

/* The fixed header's fields, and what follows when its lengths lie. */
static void crafted_ip6_header(struct out *o, int mode)
{
	uint8_t up[MAXPKT], ext[64];
	size_t n = make_icmp6(up, 128, 0, 0x12340001, "ping6 data", 10, 0, NULL, NULL);
	static const struct {
		unsigned tclass;
		uint32_t flow;
		unsigned hlim;
	} fields[] = {{0, 0, 64},	   {0xb8, 0, 1},       {0x01, 0, 255},
		      {0x02, 0x12345, 64}, {0x03, 0xfffff, 0}, {0xff, 0x00001, 128},
		      {0x10, 0x80000, 7}};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct ip6h h = {.nh = SK_IPPROTO_ICMPV6,
				 .plen = -1,
				 .tclass = fields[i].tclass,
				 .flow = fields[i].flow,
				 .hlim = fields[i].hlim,
				 .hlim0 = fields[i].hlim == 0};
		emit6(o, mode, &h, NULL, 0, up, n);
	}
	/* Addresses of every shape. */
	const uint8_t *addrs[] = {S6_ROUTER, S6_ODD, S6_FULL, S6_NET, S6_TWO};
	for (size_t i = 0; i < 5; i++) {
		uint8_t m[MAXPKT];
		size_t mn = make_icmp6(m, 129, 0, 0x00010001, NULL, 0, 0, addrs[i], addrs[4 - i]);
		struct ip6h h = {
			.nh = SK_IPPROTO_ICMPV6, .plen = -1, .src = addrs[i], .dst = addrs[4 - i]};
		emit6(o, mode, &h, NULL, 0, m, mn);
	}
	/* Payload lengths: 0, short, long (bytes missing), and trailing bytes; a version
	 * other than 6 (an Ethernet frame can say IPv6 and carry anything). */
	int plens[] = {0, 1, 4, 7, 8, 12, 17, 18, 100, 1000, 65535};
	for (size_t i = 0; i < sizeof(plens) / sizeof(plens[0]); i++) {
		struct ip6h h = {.nh = SK_IPPROTO_ICMPV6, .plen = plens[i]};
		emit6(o, mode, &h, NULL, 0, up, n);
		h.nh = SK_IPPROTO_TCP;
		uint8_t seg[MAXPKT];
		size_t sn = tcp6_seg(seg, NULL);
		emit6(o, mode, &h, NULL, 0, seg, sn);
		h.nh = SK_IPPROTO_HOPOPTS;
		static const uint8_t pad[] = {1, 4, 0, 0, 0, 0};
		size_t en = ext_opts(ext, SK_IPPROTO_ICMPV6, pad, 8, -1);
		cpy(ext + en, up, n);
		emit6(o, mode, &h, ext, en + n, NULL, 0);
	}
	if (mode & M_ETH) {
		for (int v = 0; v < 16; v += 3) {
			struct ip6h h = {.ver = v ? v : 4, .nh = SK_IPPROTO_ICMPV6, .plen = -1};
			emit6(o, mode, &h, NULL, 0, up, n);
		}
	}
	/* Every cut of a plain echo request. */
	struct pkt p;
	struct ip6h h = {.nh = SK_IPPROTO_ICMPV6, .plen = -1};
	frame6(&p, mode, &h, NULL, 0, up, n);
	emit_all_cuts(o, &p);
}

/* Hop-by-hop and destination options: each option good and damaged, with and without
 * -v's detail; jumbograms. */
static void crafted_ip6_options(struct out *o, int mode)
{
	static const struct {
		uint8_t len; /* bytes after next header and length: 6, 14, 22, ... */
		int hdrlen;  /* -1: from len */
		uint8_t b[46];
	} opts[] = {
		{6, -1, {1, 4, 0, 0, 0, 0}},
		{6, -1, {0, 0, 0, 0, 0, 0}},
		{6, -1, {5, 2, 0, 0, 1, 0}},
		{6, -1, {5, 2, 0x12, 0x34, 0, 0}},
		{6, -1, {5, 3, 0, 0, 0, 0}},
		{6, -1, {1, 0, 1, 0, 5, 0}},
		{6, -1, {1, 1, 0, 5, 2, 0}},
		{6, -1, {0xc2, 4, 0, 1, 0, 0}},
		{6, -1, {0xc2, 4, 0, 0, 0x10, 0}},
		{6, -1, {0xc2, 3, 0, 0, 0, 0}},
		{6, -1, {1, 0, 0xc2, 2, 0, 0}},
		{14, -1, {0xc2, 4, 0, 1, 0, 0, 0xc2, 4, 0, 2, 0, 0, 1, 0}},
		{22, -1, {0xc9, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
			  0,	0,  0,	  0,	0,    0,    7, 1, 2, 0, 0}},
		{22, -1, {0xc9, 20, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
			  0,	0,  0,	  0,	0,    0,    7, 0, 1, 0, 7}},
		{30, -1, {0xc9, 24, 0x20, 0x01, 0x0d, 0xb8, 0,	  0, 0,	   0,	 0, 0, 0, 0, 0,
			  0,	0,  7,	  1,	1,    0,    0x33, 2, 0x11, 0x22, 0, 1, 0, 0, 0}},
		{22, -1, {0xc9, 18, 0x20, 0x01, 0x0d, 0xb8, 0, 0,    0, 0, 0,
			  0,	0,  0,	  0,	0,    0,    7, 0x44, 0, 0, 0}},
		{22, -1, {0xc9, 20, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0,
			  0,	0,  0,	  0,	0,    0,    7, 1, 5, 0, 0}},
		{22, -1, {0xc9, 14, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			  0,	0,  0,	  0,	0,    0,    1, 0, 0, 0}},
		{6, -1, {1, 0, 0, 0xc9, 0, 0}},
		{6, -1, {0x3e, 1, 0, 1, 0, 0}},
		{6, -1, {0x7f, 2, 0xab, 0xcd, 0, 0}},
		{6, -1, {0xbf, 4, 1, 2, 3, 4}},
		{6, -1, {0xfe, 0, 1, 1, 0xee, 0}},
		{6, -1, {1, 5, 0, 0, 0, 0}},
		{6, -1, {0x3e, 9, 0, 0, 0, 0}},
		{6, -1, {0, 0, 0, 0, 0, 1}},
		{14, -1, {1, 2, 0, 0, 5, 2, 0, 7, 0x3e, 2, 1, 2, 0, 0}},
		{6, 1, {1, 4, 0, 0, 0, 0}},
	};
	uint8_t up[MAXPKT], ext[128];
	size_t n = make_icmp6(up, 128, 0, 0x0bad0001, "opts", 4, 0, NULL, NULL);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		for (int dst = 0; dst < 2; dst++) {
			size_t en = ext_opts(ext, SK_IPPROTO_ICMPV6, opts[i].b, opts[i].len + 2u,
					     opts[i].hdrlen);
			struct ip6h h = {.nh = dst ? SK_IPPROTO_DSTOPTS : SK_IPPROTO_HOPOPTS,
					 .plen = -1};
			emit6(o, mode, &h, ext, en, up, n);
		}
	}
	/* Jumbograms: a payload length of 0 with a jumbo payload option, which then says
	 * the length (RFC 2675), over UDP (length 0) and TCP; 0 without the option. */
	static const uint8_t jumbo[] = {0xc2, 4, 0, 1, 0, 0x20};
	uint8_t seg[MAXPKT];
	size_t sn = make_udp6(seg, 40000, 40001, "jumbo", 5, 0, 0, NULL, NULL);
	size_t en = ext_opts(ext, SK_IPPROTO_UDP, jumbo, 8, -1);
	struct ip6h jh = {.nh = SK_IPPROTO_HOPOPTS, .plen = 0};
	emit6(o, mode, &jh, ext, en, seg, sn);
	en = ext_opts(ext, SK_IPPROTO_TCP, jumbo, 8, -1);
	sn = tcp6_seg(seg, NULL);
	emit6(o, mode, &jh, ext, en, seg, sn);
	static const uint8_t huge[] = {0xc2, 4, 0xff, 0xff, 0xff, 0xf0};
	en = ext_opts(ext, SK_IPPROTO_ICMPV6, huge, 8, -1);
	emit6(o, mode, &jh, ext, en, up, n);
	/* A jumbogram of 2 GiB or more: tcpdump's int count of a router advertisement's
	 * option bytes goes negative and no option is shown. */
	static const uint8_t giant[] = {0xc2, 4, 0x90, 0, 0, 0};
	static const uint8_t ra[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 1};
	uint8_t m[64];
	size_t mn = make_icmp6(m, 134, 0, 0x40000708, ra, sizeof(ra), 0, NULL, NULL);
	en = ext_opts(ext, SK_IPPROTO_ICMPV6, giant, 8, -1);
	emit6(o, mode, &jh, ext, en, m, mn);
	ext[4] = 0x70; /* just under 2 GiB */
	emit6(o, mode, &jh, ext, en, m, mn);
	en = ext_opts(ext, SK_IPPROTO_DSTOPTS, jumbo, 8, -1);
	static const uint8_t pad[] = {1, 4, 0, 0, 0, 0};
	en += ext_opts(ext + en, SK_IPPROTO_ICMPV6, pad, 8, -1);
	emit6(o, mode, &jh, ext, en, up, n);
	/* Every cut of a header with options. */
	struct pkt p;
	en = ext_opts(ext, SK_IPPROTO_DSTOPTS, opts[13].b, opts[13].len + 2u, -1);
	en += ext_opts(ext + en, SK_IPPROTO_ICMPV6, opts[2].b, 8, -1);
	struct ip6h h = {.nh = SK_IPPROTO_HOPOPTS, .plen = -1};
	frame6(&p, mode, &h, ext, en, up, n);
	for (size_t c = l3_at(mode) + 38; c <= p.n; c++)
		emit_cut(o, &p, c);
}

/* Routing headers of each type, and chains of extension headers. */
static void crafted_ip6_routing(struct out *o, int mode)
{
	uint8_t ext[256], up[MAXPKT];
	static const struct {
		unsigned type, segleft, n;
		uint32_t word;
	} rts[] = {
		{0, 1, 2, 0},	       {0, 0, 1, 0x12345678}, {0, 2, 0, 0},	     {2, 1, 1, 0},
		{4, 1, 2, 0x01000000}, {4, 0, 1, 0x00ff1234}, {4, 3, 3, 0x02080042}, {3, 1, 1, 0},
		{253, 0, 2, 0},	       {4, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
		size_t en = ext_rt(ext, SK_IPPROTO_TCP, rts[i].type, rts[i].segleft, rts[i].n,
				   rts[i].word);
		/* The TCP checksum's pseudo-header takes the final destination. */
		const uint8_t *final = S6_2;
		if (rts[i].n && (rts[i].type == 0 || rts[i].type == 2))
			final = ext + 8 + 16 * (rts[i].n - 1);
		else if (rts[i].n && rts[i].type == 4)
			final = ext + 8;
		uint8_t seg[MAXPKT];
		size_t sn = tcp6_seg(seg, final);
		struct ip6h h = {.nh = SK_IPPROTO_ROUTING, .plen = -1};
		emit6(o, mode, &h, ext, en, seg, sn);
		/* the same with a wrong checksum, and with UDP after it */
		seg[17] ^= 1;
		emit6(o, mode, &h, ext, en, seg, sn);
		sn = make_udp6(seg, 40002, 40003, "routed", 6, -1, 0, NULL, final);
		ext[0] = SK_IPPROTO_UDP;
		emit6(o, mode, &h, ext, en, seg, sn);
	}
	/* An odd length, and every cut of a type 0 header. */
	size_t en = ext_rt(ext, SK_IPPROTO_ICMPV6, 0, 1, 2, 0);
	ext[1] = 3;
	size_t n = make_icmp6(up, 128, 0, 0x00050006, NULL, 0, 0, NULL, NULL);
	struct ip6h h = {.nh = SK_IPPROTO_ROUTING, .plen = -1};
	emit6(o, mode, &h, ext, en, up, n);
	ext[2] = 4;
	emit6(o, mode, &h, ext, en, up, n);
	ext[1] = 4;
	ext[2] = 0;
	struct pkt p;
	frame6(&p, mode, &h, ext, en, up, n);
	for (size_t c = l3_at(mode) + 40; c <= p.n; c++)
		emit_cut(o, &p, c);

	/* Chains: hop-by-hop, destination options, routing, fragment, destination options
	 * and the upper layer; and each order tcpdump walks without complaint. */
	static const uint8_t pad[] = {1, 4, 0, 0, 0, 0};
	static const unsigned kinds[][5] = {
		{SK_IPPROTO_HOPOPTS, SK_IPPROTO_DSTOPTS, SK_IPPROTO_ROUTING, SK_IPPROTO_FRAGMENT,
		 SK_IPPROTO_DSTOPTS},
		{SK_IPPROTO_DSTOPTS, SK_IPPROTO_HOPOPTS, SK_IPPROTO_DSTOPTS, 0, 0},
		{SK_IPPROTO_FRAGMENT, SK_IPPROTO_FRAGMENT, 0, 0, 0},
		{SK_IPPROTO_ROUTING, SK_IPPROTO_ROUTING, SK_IPPROTO_HOPOPTS, 0, 0},
	};
	unsigned uppers[] = {SK_IPPROTO_TCP, SK_IPPROTO_UDP, SK_IPPROTO_ICMPV6, SK_IPPROTO_NONE,
			     99};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t u = 0; u < sizeof(uppers) / sizeof(uppers[0]); u++) {
			size_t len = 0, nk = 0;
			while (nk < 5 && kinds[k][nk])
				nk++;
			const uint8_t *final = S6_2;
			for (size_t i = 0; i < nk; i++) {
				unsigned next = i + 1 < nk ? kinds[k][i + 1] : uppers[u];
				if (kinds[k][i] == SK_IPPROTO_ROUTING) {
					size_t at = len;
					len += ext_rt(ext + len, next, 0, 1, 1, 0);
					if (final == S6_2)
						final = ext + at + 8;
				} else if (kinds[k][i] == SK_IPPROTO_FRAGMENT) {
					len += ext_frag(ext + len, next, 0, 0,
							0x1234 + (uint32_t)i);
				} else {
					len += ext_opts(ext + len, next, pad, 8, -1);
				}
			}
			uint8_t seg[MAXPKT];
			size_t sn;
			if (uppers[u] == SK_IPPROTO_TCP)
				sn = tcp6_seg(seg, final);
			else if (uppers[u] == SK_IPPROTO_UDP)
				sn = make_udp6(seg, 41000, 41001, "chain", 5, -1, 0, NULL, final);
			else if (uppers[u] == SK_IPPROTO_ICMPV6)
				sn = make_icmp6(seg, 129, 0, 0x00070008, "x", 1, 0, NULL, final);
			else
				sn = 0;
			struct ip6h ch = {.nh = kinds[k][0], .plen = -1};
			emit6(o, mode, &ch, ext, len, seg, sn);
			if (k == 0 && u == 0) {
				frame6(&p, mode, &ch, ext, len, seg, sn);
				for (size_t c = l3_at(mode) + 40; c <= p.n; c += 3)
					emit_cut(o, &p, c);
			}
		}
	}
	/* Other next headers straight after the fixed header or after an option header:
	 * tunnels, IPv4's protocols over IPv6, Ethernet, "nd", no next header, unknown. */
	uint8_t inner[MAXPKT];
	struct pkt in4 = {.n = 0};
	struct iph ih = {.proto = SK_IPPROTO_UDP,
			 .tl = -1,
			 .src = A(198, 51, 100, 1),
			 .dst = A(198, 51, 100, 2)};
	uint8_t useg[64];
	size_t un = make_udp(useg, 40000, 40002, "tunnelled", 9, -1, 0);
	add_ip(&in4, &ih, useg, un);
	struct pkt in6 = {.n = 0};
	struct ip6h i6 = {.nh = SK_IPPROTO_ICMPV6, .plen = -1, .src = S6_ODD, .dst = S6_FULL};
	size_t in = make_icmp6(inner, 128, 0, 0x00090009, "in6", 3, 0, S6_ODD, S6_FULL);
	add_ip6(&in6, &i6, inner, in);
	struct pkt ieth = {.n = 0};
	add_eth(&ieth, SK_ETHERTYPE_IPV4);
	put(&ieth, in4.b, in4.n);
	unsigned others[] = {4, 41, 143, 1, 2, 77, SK_IPPROTO_NONE, 99, 253, 255, 6, 17, 58};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		const uint8_t *body = (const uint8_t *)"0123456789abcdefghij";
		size_t bn = 20;
		if (others[i] == 4)
			body = in4.b, bn = in4.n;
		else if (others[i] == 41)
			body = in6.b, bn = in6.n;
		else if (others[i] == 143)
			body = ieth.b, bn = ieth.n;
		for (int via = 0; via < 2; via++) {
			struct ip6h xh = {.nh = via ? SK_IPPROTO_DSTOPTS : others[i], .plen = -1};
			size_t len = via ? ext_opts(ext, others[i], pad, 8, -1) : 0;
			emit6(o, mode, &xh, ext, len, body,
			      others[i] == 6 || others[i] == 17 || others[i] == 58 ? 2 : bn);
		}
	}
}

/* Fragments: first, middle and last of each upper layer; atomic; odd offsets. */
static void crafted_ip6_fragments(struct out *o, int mode)
{
	uint8_t ext[64], seg[MAXPKT], big[400];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)('a' + i % 26);
	unsigned protos[] = {SK_IPPROTO_UDP, SK_IPPROTO_TCP, SK_IPPROTO_ICMPV6};
	for (size_t k = 0; k < 3; k++) {
		size_t sn;
		if (protos[k] == SK_IPPROTO_UDP) {
			sn = make_udp6(seg, 40000, 40001, big, 300, -1, 0, NULL, NULL);
		} else if (protos[k] == SK_IPPROTO_ICMPV6) {
			sn = make_icmp6(seg, 128, 0, 0x00110001, big, 300, 0, NULL, NULL);
		} else {
			struct tcph t = {.sport = 40000,
					 .dport = 40001,
					 .seq = 7,
					 .ack = 8,
					 .flags = 0x018,
					 .win = 100,
					 .data = big,
					 .datalen = 300};
			sn = make_tcp(seg, &t);
			csum6(seg, sn, 16, SK_IPPROTO_TCP, NULL, NULL, 0);
		}
		for (size_t off = 0; off < sn; off += 104) {
			size_t part = sn - off < 104 ? sn - off : 104;
			int more = off + part < sn;
			size_t en = ext_frag(ext, protos[k], (unsigned)off, more,
					     0xabcd0000u + (uint32_t)k);
			struct ip6h h = {.nh = SK_IPPROTO_FRAGMENT, .plen = -1};
			emit6(o, mode, &h, ext, en, seg + off, part);
		}
		/* an atomic fragment (offset 0, no more) */
		size_t en = ext_frag(ext, protos[k], 0, 0, 7);
		struct ip6h h = {.nh = SK_IPPROTO_FRAGMENT, .plen = -1};
		emit6(o, mode, &h, ext, en, seg, protos[k] == SK_IPPROTO_TCP ? 60 : 40);
	}
	/* Reserved bits set, a first fragment with nothing after it, one too short for its
	 * own header, and every cut. */
	size_t en = ext_frag(ext, SK_IPPROTO_UDP, 0, 1, 0xffffffffu);
	ext[1] = 0xff;
	ext[3] |= 0x06;
	struct ip6h h = {.nh = SK_IPPROTO_FRAGMENT, .plen = -1};
	emit6(o, mode, &h, ext, en, seg, 16);
	emit6(o, mode, &h, ext, en, NULL, 0);
	h.plen = 4;
	emit6(o, mode, &h, ext, en, NULL, 0);
	h.plen = -1;
	ext[3] = 0x30;
	emit6(o, mode, &h, ext, en, seg, 16);
	struct pkt p;
	en = ext_frag(ext, SK_IPPROTO_UDP, 0, 1, 0x01020304);
	size_t sn = make_udp6(seg, 40000, 40001, big, 20, -1, 0, NULL, NULL);
	frame6(&p, mode, &h, ext, en, seg, sn);
	for (size_t c = l3_at(mode) + 40; c <= p.n; c++)
		emit_cut(o, &p, c);
}

static void crafted_udp6(struct out *o, int mode)
{
	static const char data[] = "datagram payload";
	uint8_t seg[MAXPKT];
	struct pkt p;
	struct ip6h h = {.nh = SK_IPPROTO_UDP, .plen = -1};
	const int ulens[] = {-1, 8, 9, 12, 100, 7, 0, 4, 65535};
	for (size_t i = 0; i < sizeof(ulens) / sizeof(ulens[0]); i++) {
		for (int cs = 0; cs < 3; cs++) {
			size_t n = make_udp6(seg, 40000, 40001, data, sizeof(data) - 1, ulens[i],
					     cs, NULL, NULL);
			emit6(o, mode, &h, NULL, 0, seg, n);
		}
	}
	size_t n = make_udp6(seg, 45000, 46000, data, sizeof(data) - 1, -1, 0, NULL, NULL);
	frame6(&p, mode, &h, NULL, 0, seg, n);
	emit_all_cuts(o, &p);
	struct ip6h shorth = {.nh = SK_IPPROTO_UDP, .plen = 5};
	emit6(o, mode, &shorth, NULL, 0, seg, n);
	n = make_udp6(seg, 41000, 41001, NULL, 0, -1, 0, NULL, NULL);
	emit6(o, mode, &h, NULL, 0, seg, n);
	/* A checksum that comes out 0 and is sent as 0xffff. */
	for (unsigned k = 0; k < 65536; k++) {
		uint8_t d[2] = {(uint8_t)(k >> 8), (uint8_t)k};
		n = make_udp6(seg, 40000, 40001, d, 2, -1, 0, NULL, NULL);
		if (sk_get16(seg + 6) == 0xffff) {
			emit6(o, mode, &h, NULL, 0, seg, n);
			break;
		}
	}
}

/* An IPv6 packet (header + the first bytes of its upper layer) as quoted by ICMPv6 errors. */
static size_t make_quote6(uint8_t *q, unsigned proto, size_t keep, int ext_kind)
{
	uint8_t pl[MAXPKT];
	size_t n = 0;
	static const uint8_t pad[] = {1, 4, 0, 0, 0, 0};
	unsigned first = proto;
	if (ext_kind == 1) { /* hop-by-hop, routing */
		first = SK_IPPROTO_HOPOPTS;
		n += ext_opts(pl, SK_IPPROTO_ROUTING, pad, 8, -1);
		n += ext_rt(pl + n, proto, 0, 1, 1, 0);
	} else if (ext_kind == 2) { /* a first fragment */
		first = SK_IPPROTO_FRAGMENT;
		n += ext_frag(pl, proto, 0, 1, 9);
	} else if (ext_kind == 3) { /* a later fragment */
		first = SK_IPPROTO_FRAGMENT;
		n += ext_frag(pl, proto, 64, 1, 9);
	} else if (ext_kind == 4) { /* AH (RFC 4302): 12 bytes + 12 of ICV */
		first = 51;
		pl[n++] = (uint8_t)proto, pl[n++] = 4, pl[n++] = 0, pl[n++] = 0;
		for (int i = 0; i < 20; i++)
			pl[n++] = (uint8_t)i;
	}
	size_t hdrs = n;
	if (proto == SK_IPPROTO_TCP) {
		struct tcph t = {.sport = 40000,
				 .dport = 40005,
				 .seq = 123456789,
				 .ack = 1,
				 .flags = 0x018,
				 .win = 512,
				 .data = (const uint8_t *)"abcdefghij",
				 .datalen = 10};
		n += make_tcp(pl + n, &t);
	} else if (proto == SK_IPPROTO_UDP) {
		n += make_udp(pl + n, 40000, 40010, "quoted", 6, -1, 0);
	} else if (proto == SK_IPPROTO_ICMPV6) {
		n += make_icmp6(pl + n, 128, 0, 0x00010002, "pingdata", 8, 0, S6_2, S6_TWO);
	} else {
		cpy(pl + n, "opaque payload..", 16);
		n += 16;
	}
	struct pkt p = {.n = 0};
	struct ip6h h = {.nh = first, .plen = -1, .hlim = 1, .src = S6_2, .dst = S6_TWO};
	add_ip6(&p, &h, pl, n);
	size_t hl = 40 + hdrs;
	if (keep > p.n - hl)
		keep = p.n - hl;
	cpy(q, p.b, hl + keep);
	return hl + keep;
}

static void emit_icmp6(struct out *o, int mode, unsigned type, unsigned code, uint32_t rest,
		       const uint8_t *d, size_t n, int bad)
{
	uint8_t m[MAXPKT];
	size_t mn = make_icmp6(m, type, code, rest, d, n, bad, S6_ROUTER, S6_1);
	struct ip6h h = {.nh = SK_IPPROTO_ICMPV6, .plen = -1, .src = S6_ROUTER, .dst = S6_1};
	emit6(o, mode, &h, NULL, 0, m, mn);
}

static void crafted_icmp6_errors(struct out *o, int mode)
{
	uint8_t q[MAXPKT];
	size_t qn;

	emit_icmp6(o, mode, 128, 0, 0x1c460001, (const uint8_t *)"0123456789abcdef", 16, 0);
	emit_icmp6(o, mode, 129, 0, 0x1c460001, (const uint8_t *)"0123456789abcdef", 16, 0);
	emit_icmp6(o, mode, 128, 0, 0xffffffff, (const uint8_t *)"0123456789abcdef", 16, 1);
	emit_icmp6(o, mode, 129, 7, 0, NULL, 0, 0);
	/* Destination unreachable, every code; port unreachable for each protocol and
	 * each kind of header before it in the quote. */
	qn = make_quote6(q, SK_IPPROTO_UDP, 8, 0);
	for (unsigned code = 0; code <= 8; code++)
		emit_icmp6(o, mode, 1, code, 0, q, qn, 0);
	unsigned protos[] = {SK_IPPROTO_TCP, SK_IPPROTO_UDP, SK_IPPROTO_ICMPV6, 99};
	for (size_t i = 0; i < 4; i++) {
		for (int ek = 0; ek <= 4; ek++) {
			qn = make_quote6(q, protos[i], 8, ek);
			emit_icmp6(o, mode, 1, 4, 0, q, qn, 0);
			if (ek == 0) {
				emit_icmp6(o, mode, 3, 0, 0, q, qn, 0);
				emit_icmp6(o, mode, 1, 2, 0, q, qn, 0);
			}
		}
	}
	qn = make_quote6(q, SK_IPPROTO_TCP, 8, 0);
	static const uint32_t mtus[] = {1280, 1500, 0, 0xffffffffu};
	for (size_t i = 0; i < 4; i++)
		emit_icmp6(o, mode, 2, 0, mtus[i], q, qn, 0);
	for (unsigned code = 0; code <= 3; code++)
		emit_icmp6(o, mode, 3, code, 0, q, qn, 0);
	for (unsigned code = 0; code <= 5; code++)
		emit_icmp6(o, mode, 4, code, code * 7 + 6, q, qn, 0);
	emit_icmp6(o, mode, 4, 1, 40, q, 30, 0);
	emit_icmp6(o, mode, 2, 0, 1280, q, qn, 1);
	/* Errors truncated everywhere: the quote cut at every byte, and by the capture. */
	qn = make_quote6(q, SK_IPPROTO_UDP, 8, 1);
	for (size_t k = 0; k <= qn; k += 5) {
		emit_icmp6(o, mode, 1, 4, 0, q, k, 0);
		emit_icmp6(o, mode, 4, 0, 6, q, k, 0);
		emit_icmp6(o, mode, 3, 0, 0, q, k, 0);
		emit_icmp6(o, mode, 1, 3, 0, q, k, 0);
	}
	uint8_t m[MAXPKT];
	size_t mn = make_icmp6(m, 1, 4, 0, q, qn, 0, S6_ROUTER, S6_1);
	struct ip6h h = {.nh = SK_IPPROTO_ICMPV6, .plen = -1, .src = S6_ROUTER, .dst = S6_1};
	struct pkt p;
	frame6(&p, mode, &h, NULL, 0, m, mn);
	emit_all_cuts(o, &p);
	/* Types without a decoder of their own, and messages too short for their type. */
	static const unsigned others[] = {0,   5,   77,	 127, 141, 142, 144, 145,
					  146, 147, 150, 200, 201, 254, 255};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		emit_icmp6(o, mode, others[i], 0, 0x42420000, S6_ODD, 16, 0);
		emit_icmp6(o, mode, others[i], 1, 0x4242c000, S6_TWO, 12, 0);
	}
	struct ip6h sh = {.nh = SK_IPPROTO_ICMPV6, .plen = -1};
	static const uint8_t tiny[] = {128, 0, 0x12, 0x34, 0, 1, 0, 2};
	for (size_t k = 0; k <= 8; k++)
		emit6(o, mode, &sh, NULL, 0, tiny, k);
}

/* Multicast listener discovery: v1 query, report and done; v2 query and report. */
static void crafted_mld(struct out *o, int mode)
{
	uint8_t d[MAXPKT];
	size_t n;
	memset(d, 0, sizeof(d));
	cpy(d, S6_TWO, 16);
	emit_icmp6(o, mode, 130, 0, 0x27100000, d, 16, 0);
	emit_icmp6(o, mode, 131, 0, 0, d, 16, 0);
	emit_icmp6(o, mode, 132, 0, 0, d, 16, 0);
	emit_icmp6(o, mode, 131, 0, 0, d, 8, 0);
	emit_icmp6(o, mode, 130, 0, 0, d, 18, 0);
	/* v2 queries: response codes below and above 32768, flags, QQIC, sources. */
	static const struct {
		unsigned mrc, sqrv, qqic, nsrcs, extra;
	} qs[] = {{1000, 0x02, 125, 0, 0},
		  {0x8123, 0x0f, 0x85, 2, 0},
		  {0xffff, 0x08, 0xff, 1, 0},
		  {0, 0, 0, 3, 0},
		  {100, 0x07, 60, 2, 1}};
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		n = 0;
		cpy(d, S6_TWO, 16);
		n = 16;
		d[n++] = (uint8_t)qs[i].sqrv;
		d[n++] = (uint8_t)qs[i].qqic;
		d[n++] = (uint8_t)(qs[i].nsrcs >> 8);
		d[n++] = (uint8_t)qs[i].nsrcs;
		unsigned have = qs[i].extra ? qs[i].nsrcs - 1 : qs[i].nsrcs;
		for (unsigned s = 0; s < have; s++) {
			cpy(d + n, s % 2 ? S6_ODD : S6_1, 16);
			n += 16;
		}
		emit_icmp6(o, mode, 130, 0, qs[i].mrc << 16, d, n, 0);
	}
	/* v2 reports: records of each type, sources, aux data; counts that overrun. */
	n = 0;
	static const unsigned kinds[] = {1, 2, 3, 4, 5, 6, 7};
	for (size_t i = 0; i < 7; i++) {
		d[n++] = (uint8_t)kinds[i];
		d[n++] = 0;
		d[n++] = 0;
		d[n++] = (uint8_t)(i % 3);
		cpy(d + n, S6_TWO, 16);
		d[n + 15] = (uint8_t)(0x10 + i);
		n += 16;
		for (size_t s = 0; s < i % 3; s++) {
			cpy(d + n, S6_ODD, 16);
			n += 16;
		}
	}
	emit_icmp6(o, mode, 143, 0, 7, d, n, 0);
	emit_icmp6(o, mode, 143, 0, 8, d, n, 0);
	emit_icmp6(o, mode, 143, 0, 3, d, 30, 0);
	emit_icmp6(o, mode, 143, 0, 0, NULL, 0, 0);
	d[3] = 9;
	emit_icmp6(o, mode, 143, 0, 2, d, n, 0);
	emit6(o, mode,
	      &(struct ip6h){.nh = SK_IPPROTO_ICMPV6, .plen = -1, .src = S6_ROUTER, .dst = S6_1},
	      NULL, 0, (const uint8_t *)"\x8f\0\0\0\0", 5);
}

/* An option of neighbor discovery: type, length in units of 8, the body after both. */
static size_t nd_opt(uint8_t *b, unsigned type, unsigned units, const uint8_t *body, size_t n)
{
	b[0] = (uint8_t)type;
	b[1] = (uint8_t)units;
	memset(b + 2, 0, units ? units * 8u - 2 : 6);
	cpy(b + 2, body, n);
	return units ? units * 8u : 8;
}

/* Builds a list of every option kind into b; returns its length. */
static size_t nd_all_opts(uint8_t *b)
{
	static const uint8_t mac[] = {0x02, 0, 0, 0, 0, 0x01};
	uint8_t body[64];
	size_t n = 0;
	n += nd_opt(b + n, 1, 1, mac, 6);
	n += nd_opt(b + n, 2, 1, mac, 6);
	memset(body, 0, sizeof(body));
	body[0] = 64, body[1] = 0xc0;
	sk_put32(body + 2, 2592000);
	sk_put32(body + 6, 604800);
	cpy(body + 14, S6_NET, 16);
	n += nd_opt(b + n, 3, 4, body, 30);
	body[0] = 48, body[1] = 0x20;
	sk_put32(body + 2, 0xffffffff);
	sk_put32(body + 6, 0);
	n += nd_opt(b + n, 3, 4, body, 30);
	memset(body, 0, 6);
	sk_put32(body + 2, 1500);
	n += nd_opt(b + n, 5, 1, body, 6);
	memset(body, 0, 6);
	sk_put32(body + 2, 300);
	cpy(body + 6, S6_1, 16);
	cpy(body + 22, S6_TWO, 16);
	n += nd_opt(b + n, 25, 5, body, 38);
	static const uint8_t dnssl[] = {0,   0,	  0,   0,   0x0e, 0x10, 7,   'e', 'x',
					'a', 'm', 'p', 'l', 'e',  3,	'o', 'r', 'g',
					0,   4,	  't', 'e', 's',  't',	0,   0};
	n += nd_opt(b + n, 31, 4, dnssl, sizeof(dnssl));
	memset(body, 0, 6);
	sk_put32(body + 2, 600000);
	n += nd_opt(b + n, 7, 1, body, 6);
	memset(body, 0, 6);
	sk_put16(body + 2, 10);
	sk_put16(body + 4, 1800);
	n += nd_opt(b + n, 8, 1, body, 6);
	for (unsigned units = 1; units <= 3; units++) {
		memset(body, 0, sizeof(body));
		body[0] = (uint8_t)(units * 24), body[1] = (uint8_t)(units << 3);
		sk_put32(body + 2, units == 3 ? 0xffffffff : 3600 * units);
		cpy(body + 6, S6_FULL, 16);
		n += nd_opt(b + n, 24, units, body, units * 8u - 2);
	}
	return n;
}

static void emit_nd(struct out *o, int mode, unsigned type, unsigned code, uint32_t rest,
		    const uint8_t *fixed, size_t fn, const uint8_t *opts, size_t on, int cuts)
{
	uint8_t d[MAXPKT], m[MAXPKT];
	cpy(d, fixed, fn);
	cpy(d + fn, opts, on);
	size_t mn = make_icmp6(m, type, code, rest, d, fn + on, 0, S6_ROUTER, S6_1);
	struct ip6h h = {
		.nh = SK_IPPROTO_ICMPV6, .plen = -1, .hlim = 255, .src = S6_ROUTER, .dst = S6_1};
	struct pkt p;
	frame6(&p, mode, &h, NULL, 0, m, mn);
	emit_pkt(o, &p);
	if (cuts)
		for (size_t c = l4_at(mode); c < p.n; c += cuts)
			emit_cut(o, &p, c);
}

/* Neighbor discovery (RFC 4861): each message with each option, good and damaged. */
static void crafted_ndp(struct out *o, int mode)
{
	uint8_t opts[1024], fixed[64], one[64];
	size_t on = nd_all_opts(opts);
	static const uint8_t mac[] = {0x02, 0, 0, 0, 0, 0x02};

	/* RS, RA (flags, preferences, lifetimes), NS, NA (flags), redirect: each with no
	 * option, one source/target link-layer option, and all of them. */
	emit_nd(o, mode, 133, 0, 0, NULL, 0, NULL, 0, 0);
	emit_nd(o, mode, 133, 0, 0, NULL, 0, opts, 8, 0);
	emit_nd(o, mode, 133, 0, 0, NULL, 0, opts, on, 0);
	static const uint32_t ra[] = {0x40000708u, 0x40c00000u, 0xff08ffffu,
				      0x00180001u, 0x4002003cu, 0x40100e10u};
	for (size_t i = 0; i < sizeof(ra) / sizeof(ra[0]); i++) {
		sk_put32(fixed, (uint32_t)(30000 * i));
		sk_put32(fixed + 4, (uint32_t)(1000 * i));
		emit_nd(o, mode, 134, 0, ra[i], fixed, 8, opts, i ? on : 0, 0);
	}
	cpy(fixed, S6_2, 16);
	emit_nd(o, mode, 135, 0, 0, fixed, 16, NULL, 0, 0);
	emit_nd(o, mode, 135, 0, 0, fixed, 16, opts, 8, 0);
	emit_nd(o, mode, 135, 0, 0, fixed, 16, opts, on, 0);
	static const uint32_t na[] = {0,	   0x80000000u, 0x40000000u,
				      0x20000000u, 0xe0000000u, 0x1fffffffu};
	for (size_t i = 0; i < sizeof(na) / sizeof(na[0]); i++)
		emit_nd(o, mode, 136, 0, na[i], fixed, 16, opts + 8, i % 2 ? 8 : 0, 0);
	cpy(fixed + 16, S6_TWO, 16);
	emit_nd(o, mode, 137, 0, 0, fixed, 32, NULL, 0, 0);
	/* a redirect with a target link-layer and a redirected header option */
	uint8_t rd[256];
	size_t rn = nd_opt(rd, 2, 1, mac, 6);
	uint8_t q[MAXPKT];
	size_t qn = make_quote6(q, SK_IPPROTO_UDP, 8, 0);
	rd[rn] = 4, rd[rn + 1] = (uint8_t)((qn + 8 + 7) / 8);
	memset(rd + rn + 2, 0, 6 + rd[rn + 1] * 8u - 8);
	cpy(rd + rn + 8, q, qn);
	rn += rd[rn + 1] * 8u;
	emit_nd(o, mode, 137, 0, 0, fixed, 32, rd, rn, 0);
	emit_nd(o, mode, 137, 0, 0, fixed, 32, opts, on, 0);
	/* Options damaged: a length of 0, past the message, too short for its kind (a
	 * prefix of 1 unit, an MTU of 2, a route of 4); unknown ones; a link-layer address
	 * of 2 units. */
	cpy(fixed, S6_2, 16);
	size_t n;
	n = nd_opt(one, 1, 0, mac, 6);
	emit_nd(o, mode, 135, 0, 0, fixed, 16, one, n, 0);
	n = nd_opt(one, 1, 3, mac, 6);
	emit_nd(o, mode, 135, 0, 0, fixed, 16, one, 8, 0);
	static const uint8_t pfx[] = {64, 0xe0, 0, 0, 0, 1, 0, 0, 0, 2};
	n = nd_opt(one, 3, 1, pfx, 6);
	emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, one, n, 0);
	n = nd_opt(one, 3, 2, pfx, 10);
	emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, one, n, 0);
	n = nd_opt(one, 3, 5, pfx, 10);
	emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, one, n, 0);
	static const uint8_t mtu[] = {0, 0, 0, 0, 0x05, 0xdc};
	n = nd_opt(one, 5, 2, mtu, 6);
	emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, one, n, 0);
	static const uint8_t rt[] = {64, 0x08, 0, 0, 0, 1};
	n = nd_opt(one, 24, 4, rt, 6);
	emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, one, n, 0);
	n = nd_opt(one, 2, 2, (const uint8_t *)"\x02\x00\x00\x00\x00\x03\x04\x05\x06\x07\x08\x09",
		   12);
	emit_nd(o, mode, 136, 0, 0x60000000u, fixed, 16, one, n, 0);
	static const uint8_t unk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	for (unsigned t = 6; t <= 40; t += 17) {
		n = nd_opt(one, t, 2, unk, 14);
		cpy(one + n, opts, 8);
		emit_nd(o, mode, 135, 0, 0, fixed, 16, one, n + 8, 0);
	}
	n = nd_opt(one, 0, 1, unk, 6);
	emit_nd(o, mode, 133, 0, 0, NULL, 0, one, n, 0);
	/* RDNSS with 0, 1 and 3 addresses and an even length; DNSSL names: several, with a
	 * compression pointer (to a name in an earlier DNSSL option), a bad pointer, an
	 * escape of unprintable bytes. */
	uint8_t body[128];
	memset(body, 0, sizeof(body));
	sk_put32(body + 2, 60);
	for (unsigned units = 1; units <= 8; units++) {
		for (unsigned i = 0; i < 3; i++)
			cpy(body + 6 + 16 * i, i ? S6_ODD : S6_TWO, 16);
		n = nd_opt(one, 25, units, body, units * 8u - 2);
		emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, one, n, 0);
	}
	static const uint8_t names[][40] = {
		{0, 0, 0, 0, 0, 60, 3, 'a', 'b', 'c', 0},
		{0, 0, 0, 0, 0, 60, 1, 'x', 0xc0, 0x08, 0},
		{0, 0, 0, 0, 0, 60, 1, 'x', 0xc0, 0x40, 0},
		{0, 0, 0, 0, 0, 60, 4, 'a', 0x01, 0x7f, 0xe9, 2, 'b', 'c', 0},
		{0, 0, 0, 0, 0, 60, 0x41, 12, 0xab, 0xcd, 0},
		{0,  0,	 0,  0,	 0,  60, 0x41, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
		 13, 14, 15, 16, 17, 18, 19,   20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0},
		{0, 0, 0, 0, 0, 60, 0x42, 1, 0},
		{0, 0, 0, 0, 0, 60, 0x80, 'x', 0},
		{0, 0, 0, 0, 0, 60, 5, 'a', 'b', 0},
		{0, 0, 0, 0, 0, 60, 0x41, 3, 0xe0, 0},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t two[128];
		size_t m = 0;
		/* an earlier DNSSL option that a pointer can refer to (offset 8: "test") */
		static const uint8_t first[] = {0, 0, 0, 0, 0, 1, 4, 't', 'e', 's', 't', 0};
		if (i == 1 || i == 2)
			m += nd_opt(two, 31, 2, first, sizeof(first));
		m += nd_opt(two + m, 31, i == 5 ? 6 : 3, names[i], 40);
		emit_nd(o, mode, 134, 0, 0x40000708u, fixed, 8, two, m, 0);
	}
	/* Every cut of an advertisement carrying all the options. */
	emit_nd(o, mode, 134, 0, 0x40c00708u, fixed, 8, opts, on, 1);
	emit_nd(o, mode, 136, 0, 0xe0000000u, fixed, 16, opts + 8, 8, 1);
	cpy(fixed + 16, S6_TWO, 16);
	emit_nd(o, mode, 137, 0, 0, fixed, 32, rd, rn, 3);
	/* NDP messages shorter than their fixed part. */
	for (size_t k = 0; k < 32; k += 6) {
		emit_nd(o, mode, 135, 0, 0, fixed, k, NULL, 0, 0);
		emit_nd(o, mode, 137, 0, 0, fixed, k, NULL, 0, 0);
		emit_nd(o, mode, 134, 0, 0x40000708u, fixed, k / 4, NULL, 0, 0);
	}
	/* Home agent address discovery and mobile prefix messages (RFC 6275). */
	uint8_t ha[64];
	cpy(ha, S6_1, 16);
	cpy(ha + 16, S6_ODD, 16);
	cpy(ha + 32, S6_FULL, 8);
	emit_icmp6(o, mode, 144, 0, 0x12340000, NULL, 0, 0);
	emit_icmp6(o, mode, 145, 0, 0x12340000, ha, 32, 0);
	emit_icmp6(o, mode, 145, 0, 0x12340000, ha, 40, 0);
	emit_icmp6(o, mode, 146, 0, 0xbeef0000, NULL, 0, 0);
	emit_icmp6(o, mode, 147, 0, 0xbeefc000, opts + 16, 32, 0);
	emit_icmp6(o, mode, 147, 0, 0xbeef4000, NULL, 0, 0);
	emit_icmp6(o, mode, 147, 0, 0xbeef8000, opts, 4, 0);
}

/* Everything IPv6, over one link. */
static void crafted_ip6(struct out *o, int mode)
{
	crafted_tcp_flags(o, mode | M_V6);
	crafted_tcp_options(o, mode | M_V6);
	crafted_tcp_truncation(o, mode | M_V6);
	crafted_udp6(o, mode);
	crafted_ip6_header(o, mode);
	crafted_ip6_options(o, mode);
	crafted_ip6_routing(o, mode);
	crafted_ip6_fragments(o, mode);
	crafted_icmp6_errors(o, mode);
	crafted_mld(o, mode);
	crafted_ndp(o, mode);
}

/* ---- crafted link types ------------------------------------------------------------------ */

/* A Linux cooked v1 header: packet type, ARPHRD type, address length and address (at
 * most 8 bytes), protocol. */
static void add_sll(struct pkt *p, unsigned pkttype, unsigned hatype, unsigned halen,
		    unsigned proto)
{
	static const uint8_t addr[8] = {0x02, 0, 0, 0, 0, 0x01, 0xaa, 0xbb};
	put16(p, pkttype);
	put16(p, hatype);
	put16(p, halen);
	put(p, addr, 8);
	put16(p, proto);
}

static void add_sll2(struct pkt *p, unsigned proto, uint32_t ifindex, unsigned hatype,
		     unsigned pkttype, unsigned halen)
{
	static const uint8_t addr[8] = {0x02, 0, 0, 0, 0, 0x02, 0xcc, 0xdd};
	put16(p, proto);
	put16(p, 0);
	put32(p, ifindex);
	put16(p, hatype);
	put8(p, pkttype);
	put8(p, halen);
	put(p, addr, 8);
}

/* The network-layer packets carried by the crafted link types. */
static size_t link_payloads(uint8_t pl[][MAXPKT], size_t *len, unsigned *proto)
{
	size_t k = 0;
	struct pkt p;
	struct tcph t = {.sport = 40000,
			 .dport = 40001,
			 .seq = 1,
			 .ack = 2,
			 .flags = 0x018,
			 .win = 512,
			 .data = (const uint8_t *)"cooked",
			 .datalen = 6};
	frame_tcp(&p, 0, &t);
	cpy(pl[k], p.b, p.n), len[k] = p.n, proto[k++] = SK_ETHERTYPE_IPV4;
	frame_tcp(&p, M_V6, &t);
	cpy(pl[k], p.b, p.n), len[k] = p.n, proto[k++] = SK_ETHERTYPE_IPV6;
	uint8_t m[MAXPKT];
	size_t mn = make_icmp6(m, 135, 0, 0, S6_2, 16, 0, NULL, NULL);
	struct ip6h h = {.nh = SK_IPPROTO_ICMPV6, .plen = -1, .hlim = 255};
	p.n = 0;
	add_ip6(&p, &h, m, mn);
	cpy(pl[k], p.b, p.n), len[k] = p.n, proto[k++] = SK_ETHERTYPE_IPV6;
	len[k] = make_arp(pl[k], 1, 0x0800, 6, 4, 1, H1, H2, 1), proto[k++] = SK_ETHERTYPE_ARP;
	cpy(pl[k], "an unknown protocol's bytes", 27), len[k] = 27, proto[k++] = 0x88b5;
	cpy(pl[k], "an unknown protocol's bytes", 27), len[k] = 27, proto[k++] = 0x0077;
	cpy(pl[k], "LLDP is decoded by tcpdump", 26), len[k] = 26, proto[k++] = 0x9000;
	return k;
}

static void crafted_sll(struct out *o, int v2)
{
	uint8_t pl[8][MAXPKT];
	size_t len[8];
	unsigned proto[8];
	size_t np = link_payloads(pl, len, proto);
	/* SLL2 names interface 1 (lo) and indexes no machine has. */
	static const uint32_t ifx[] = {1, 999999, 4000000000u};
	struct pkt p;
	for (size_t i = 0; i < np; i++) {
		if (proto[i] == 0x9000)
			continue; /* tcpdump decodes it */
		for (unsigned pt = 0; pt <= 5; pt++) {
			unsigned halen = pt == 5 ? 4 : 6;
			p.n = 0;
			if (v2)
				add_sll2(&p, proto[i], ifx[pt % 3], 1, pt == 5 ? 9 : pt, halen);
			else
				add_sll(&p, pt == 5 ? 77 : pt, 1, halen, proto[i]);
			put(&p, pl[i], len[i]);
			emit_pkt(o, &p);
		}
		/* behind an 802.1Q tag (where tcpdump takes a length for LLC, which it
		 * decodes and this printer does not) */
		if (proto[i] <= 1500)
			continue;
		p.n = 0;
		if (v2)
			add_sll2(&p, 0x8100, 1, 1, 4, 6);
		else
			add_sll(&p, 4, 1, 6, 0x8100);
		put16(&p, 0x2005);
		put16(&p, proto[i]);
		put(&p, pl[i], len[i]);
		emit_pkt(o, &p);
		for (size_t c = 1; c < (v2 ? 26u : 22u); c++)
			emit_cut(o, &p, c);
	}
	/* Every cut of IPv6 in a cooked frame. */
	p.n = 0;
	if (v2)
		add_sll2(&p, SK_ETHERTYPE_IPV6, 1, 1, 0, 6);
	else
		add_sll(&p, 0, 1, 6, SK_ETHERTYPE_IPV6);
	put(&p, pl[1], len[1]);
	emit_all_cuts(o, &p);
}

/* BSD loopback: the address family in the writer's byte order (NULL) or in network byte
 * order (LOOP), which tcpdump tells apart by which half is zero. */
static void crafted_null(struct out *o, int loop)
{
	uint8_t pl[8][MAXPKT];
	size_t len[8];
	unsigned proto[8];
	size_t np = link_payloads(pl, len, proto);
	struct pkt p;
	static const uint32_t fams[] = {2, 24, 28, 30, 0, 1, 6, 17, 31, 99, 0x10000, 0x12345678};
	for (size_t i = 0; i < np; i++) {
		for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
			uint32_t fam = fams[f];
			if ((fam == 2) != (proto[i] == SK_ETHERTYPE_IPV4) && fam != 99)
				continue;
			if ((fam == 24 || fam == 28 || fam == 30) && proto[i] != SK_ETHERTYPE_IPV6)
				continue;
			for (int swap = 0; swap < 2; swap++) {
				uint8_t h[4];
				uint32_t v = swap ? __builtin_bswap32(fam) : fam;
				if (loop)
					sk_put32(h, v);
				else
					cpy(h, &v, 4);
				p.n = 0;
				put(&p, h, 4);
				put(&p, pl[i], len[i]);
				emit_pkt(o, &p);
			}
		}
	}
	for (int f = 0; f < 2; f++) {
		uint32_t v = f ? 2 : 24;
		uint8_t h[4];
		if (loop)
			sk_put32(h, v);
		else
			cpy(h, &v, 4);
		p.n = 0;
		put(&p, h, 4);
		put(&p, pl[f ? 0 : 1], len[f ? 0 : 1]);
		for (size_t c = 1; c <= 12; c++)
			emit_cut(o, &p, c);
	}
}

/* Timestamps tcpdump 4.99.3 cannot convert (bit 31 set) around ones it can, in pcap
 * (32-bit seconds: 2^31 and up read back negative) and pcapng (64-bit). */
static void crafted_times(struct out *o)
{
	static const uint32_t secs[] = {0,	     1,		  0x7fffffffu, 0x80000000u,
					0x80000001u, 0xfffffffeu, 0xffffffffu, 4102444800u};
	struct pkt p;
	struct tcph t = {.sport = 40000, .dport = 40001, .flags = 0x002, .win = 1};
	frame_tcp(&p, M_V6, &t);
	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		o->sec = secs[i];
		emit_pkt(o, &p);
	}
	if (o->ng) { /* 64-bit seconds past 2^32 */
		static const uint64_t big[] = {1ull << 32, (1ull << 32) + 0x7fffffffu,
					       (1ull << 32) + 0x80000000u, 1ull << 33};
		for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
			uint8_t body[20 + MAXPKT];
			uint64_t ts = big[i] * 1000000000u + 5;
			uint32_t v[5] = {0, (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)p.n,
					 (uint32_t)p.n};
			cpy(body, v, 20);
			cpy(body + 20, p.b, p.n);
			ng_block(o->ng, 6, body, 20 + p.n);
			o->count++;
		}
	}
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

	/* IPv6 over Ethernet and raw, the other link types, and times past 2^31 s. */
	open_pcap(&o, dir, "crafted_ip6_eth.pcap", DLT_EN10MB, 0);
	crafted_ip6(&o, M_ETH);
	close_out(&o);

	open_pcap(&o, dir, "crafted_ip6_raw.pcap", DLT_RAW, 0);
	crafted_ip6(&o, 0);
	close_out(&o);

	open_pcapng(&o, dir, "crafted_ip6.pcapng", 229); /* LINKTYPE_IPV6 */
	crafted_udp6(&o, 0);
	crafted_ip6_fragments(&o, 0);
	close_out(&o);

	open_pcap(&o, dir, "crafted_sll.pcap", 113, 0); /* LINKTYPE_LINUX_SLL */
	crafted_sll(&o, 0);
	close_out(&o);

	open_pcap(&o, dir, "crafted_sll2.pcap", 276, 0); /* LINKTYPE_LINUX_SLL2 */
	crafted_sll(&o, 1);
	close_out(&o);

	open_pcap(&o, dir, "crafted_null.pcap", DLT_NULL, 0);
	crafted_null(&o, 0);
	close_out(&o);

	open_pcap(&o, dir, "crafted_loop.pcap", 108, 0); /* LINKTYPE_LOOP */
	crafted_null(&o, 1);
	close_out(&o);

	open_pcap(&o, dir, "crafted_times.pcap", DLT_RAW, 0);
	crafted_times(&o);
	close_out(&o);

	open_pcapng(&o, dir, "crafted_times.pcapng", DLT_RAW);
	crafted_times(&o);
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
	static const unsigned decoded[] = {2,  8,  9,  33,  46,	 47,  50,  51, 54,
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
		0x8808, 0x8809, 0x880b, 0x8847, 0x8848, 0x8863, 0x8864, 0x886f,
		0x8870, 0x888e, 0x8899, 0x88a2, 0x88ca, 0x88cc, 0x88e5, 0x88f7,
		0x8902, 0x8947, 0x894f, 0x9000, 0xabcd, 0xfefe, 0xd28b,
	};
	if (t <= 1535)
		return 1;
	for (size_t i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++)
		if (decoded[i] == t)
			return 1;
	return 0;
}

static int ip6_is_comparable(const uint8_t *b, size_t off, size_t end, int depth);
static int eth_is_comparable(const uint8_t *b, size_t n, int depth);

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
	case 41:
		return ip6_is_comparable(b, l4, lim, depth + 1);
	default:
		return 1;
	}
}

/* The same for IPv6: its extension headers are walked by their lengths as far as the
 * bytes go (tcpdump may stop sooner, never later), then the upper layer is judged. */
static int ip6_is_comparable(const uint8_t *b, size_t off, size_t end, int depth)
{
	if (depth > 4)
		return 0;
	if (off + 40 > end || b[off] >> 4 != 6)
		return 1;
	unsigned nh = b[off + 6];
	size_t cp = off + 40;
	for (;;) {
		if (nh == SK_IPPROTO_HOPOPTS || nh == SK_IPPROTO_DSTOPTS ||
		    nh == SK_IPPROTO_ROUTING) {
			if (cp + 2 > end)
				return 1;
			nh = b[cp];
			cp += (b[cp + 1] + 1u) * 8;
		} else if (nh == SK_IPPROTO_FRAGMENT) {
			if (cp + 4 > end || (sk_get16(b + cp + 2) & 0xfff8))
				return 1;
			nh = b[cp];
			cp += 8;
		} else {
			break;
		}
	}
	/* the mobility headers, and IGMP, which over IPv6 is only said to be invalid */
	if (nh == 62 || nh == 135 || (proto_is_decoded(nh) && nh != 2))
		return 0;
	if (cp >= end)
		return 1;
	switch (nh) {
	case SK_IPPROTO_TCP:
	case SK_IPPROTO_UDP:
		if (cp + 2 <= end && port_is_decoded(sk_get16(b + cp)))
			return 0;
		if (cp + 4 <= end && port_is_decoded(sk_get16(b + cp + 2)))
			return 0;
		return 1;
	case SK_IPPROTO_ICMPV6: {
		/* router renumbering, node information and RPL */
		unsigned t = b[cp];
		return t != 138 && t != 139 && t != 140 && t != 155;
	}
	case 4:
		return ip_is_comparable(b, cp, end, depth + 1);
	case 41:
		return ip6_is_comparable(b, cp, end, depth + 1);
	case 143:
		return eth_is_comparable(b + cp, end - cp, depth + 1);
	default:
		return 1;
	}
}

/* An EtherType's payload at b[off..n). */
static int ethertype_is_comparable(const uint8_t *b, size_t off, size_t n, unsigned type, int depth)
{
	if (type == SK_ETHERTYPE_IPV4)
		return ip_is_comparable(b, off, n, depth);
	if (type == SK_ETHERTYPE_IPV6)
		return ip6_is_comparable(b, off, n, depth);
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

static int eth_is_comparable(const uint8_t *b, size_t n, int depth)
{
	if (depth > 4)
		return 0;
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
	return ethertype_is_comparable(b, off, n, type, depth);
}

/* A Linux cooked frame (SLL, or SLL2 when v2): tcpdump looks into one 802.1Q tag. */
static int cooked_is_comparable(const uint8_t *b, size_t n, int v2)
{
	size_t off = v2 ? 20 : 16;
	if (n < off)
		return 1;
	unsigned type = sk_get16(b + (v2 ? 0 : 14));
	if (type == 0x8100) {
		if (off + 4 > n)
			return 1;
		type = sk_get16(b + off + 2);
		if (type <= 1500)
			return 0; /* LLC */
		off += 4;
	}
	if (type == 1 || type == 4) /* Novell 802.3 and LLC */
		return 0;
	if (type <= 1500)
		return 1;
	return ethertype_is_comparable(b, off, n, type, 0);
}

static int frame_is_comparable(const uint8_t *b, size_t n, int eth)
{
	if (!eth) {
		if (n >= 1 && b[0] >> 4 == 6)
			return ip6_is_comparable(b, 0, n, 0);
		return ip_is_comparable(b, 0, n, 0);
	}
	return eth_is_comparable(b, n, 0);
}

/* An IPv4 address in one of the documentation networks (RFC 5737). */
static uint32_t rnd_addr4(struct rng *r)
{
	static const uint32_t nets[] = {A(192, 0, 2, 0), A(198, 51, 100, 0), A(203, 0, 113, 0)};
	return nets[below(r, 3)] | below(r, 256);
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
		cpy(o + n, b, k);
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
		cpy(o + n, b, k);
		n += k;
	}
	return n;
}

static size_t rnd_l4(struct rng *r, unsigned proto, uint8_t *seg, uint32_t src, uint32_t dst,
		     int depth);
static size_t rnd_ip6(struct rng *r, uint8_t *out, int depth);

/* An IPv4 datagram with random header fields, options and payload. */
static size_t rnd_ip(struct rng *r, uint8_t *out, int depth)
{
	uint8_t opts[40], pl[MAXPKT];
	static const unsigned protos[] = {6, 6, 6, 6, 6, 6,  6,	 6,   17, 17, 17, 17, 17, 1,
					  1, 1, 1, 1, 4, 41, 58, 143, 77, 59, 99, 0,  254};
	struct iph h = {.tl = -1};
	h.proto = protos[below(r, sizeof(protos) / sizeof(protos[0]))];
	if (depth > 1 && (h.proto == 4 || h.proto == 41))
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
	h.src = chance(r, 50) ? H1 : rnd_addr4(r);
	h.dst = chance(r, 50) ? H2 : rnd_addr4(r);
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
	cpy(out, p.b, p.n);
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
	case 41:
		return rnd_ip6(r, seg, depth + 1);
	default:
		cpy(seg, data, dn);
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
			    rnd_addr4(r), rnd_addr4(r), chance(r, 50));
	if (chance(r, 30))
		rnd_bytes(r, a + 8, n - 8);
	return n;
}

/* ---- random IPv6 ---------------------------------------------------------------------- */

/* A 2001:db8::/32 address: random low groups, many of them 0, so that every shape of
 * "::" turns up. */
static void rnd_addr6(struct rng *r, uint8_t a[16])
{
	cpy(a, S6_1, 4);
	for (int i = 4; i < 16; i += 2) {
		unsigned k = below(r, 4);
		unsigned w = k < 2 ? 0 : k == 2 ? below(r, 16) : below(r, 65536);
		a[i] = (uint8_t)(w >> 8);
		a[i + 1] = (uint8_t)w;
	}
}

/* Options for a hop-by-hop or destination options header, exactly room bytes. */
static void rnd_opts6(struct rng *r, uint8_t *o, size_t room)
{
	int good = chance(r, 60);
	size_t n = 0;
	while (n < room) {
		uint8_t b[64];
		size_t k = 0;
		switch (below(r, good ? 7 : 9)) {
		case 0:
			b[k++] = 0;
			break;
		case 1:
			b[k++] = 1, b[k++] = (uint8_t)below(r, 6);
			memset(b + k, 0, b[1]), k += b[1];
			break;
		case 2:
			b[k++] = 5, b[k++] = 2, b[k++] = (uint8_t)rnd(r), b[k++] = (uint8_t)rnd(r);
			break;
		case 3: {
			b[k++] = 0xc2, b[k++] = 4;
			uint32_t v = chance(r, 50) ? 65536 + below(r, 200) : (uint32_t)rnd(r);
			sk_put32(b + k, v), k += 4;
			break;
		}
		case 4: { /* home address, sometimes with sub-options */
			unsigned extra = chance(r, 60) ? 0 : below(r, 8);
			b[k++] = 0xc9, b[k++] = (uint8_t)(16 + extra);
			rnd_addr6(r, b + k), k += 16;
			for (unsigned i = 0; i < extra; i++)
				b[k++] = (uint8_t)(chance(r, 50) ? below(r, 3) : rnd(r));
			break;
		}
		case 5: /* an unknown option of any action */
			b[k++] = (uint8_t)(rnd(r) | 0x02), b[k++] = (uint8_t)below(r, 8);
			rnd_bytes(r, b + k, b[1]), k += b[1];
			break;
		case 6:
			b[k++] = 1, b[k++] = 0;
			break;
		case 7: /* a known option with a wrong length */
			b[k++] = chance(r, 50) ? 5 : 0xc2, b[k++] = (uint8_t)below(r, 7);
			rnd_bytes(r, b + k, 6), k += b[1];
			break;
		default: /* garbage */
			k = 1 + below(r, 5);
			rnd_bytes(r, b, k);
			break;
		}
		if (k > room - n) {
			if (good) { /* pad to the end as a sender would */
				size_t left = room - n;
				memset(b, 0, left);
				if (left >= 2)
					b[0] = 1, b[1] = (uint8_t)(left - 2);
			}
			k = room - n;
		}
		cpy(o + n, b, k);
		n += k;
	}
}

/* One extension header of kind with next header nh; *final is the destination the
 * upper layer's checksum should use after a routing header (a best guess). */
static size_t rnd_ext6(struct rng *r, uint8_t *b, unsigned kind, unsigned nh, uint8_t final[16])
{
	b[0] = (uint8_t)nh;
	if (kind == SK_IPPROTO_FRAGMENT) {
		unsigned off = chance(r, 70) ? 0 : 8 * below(r, 300);
		b[1] = chance(r, 90) ? 0 : (uint8_t)rnd(r);
		sk_put16(b + 2,
			 (uint16_t)(off | below(r, 2) | (chance(r, 90) ? 0 : below(r, 8) & 6)));
		sk_put32(b + 4, (uint32_t)rnd(r));
		return 8;
	}
	if (kind == SK_IPPROTO_ROUTING) {
		static const unsigned types[] = {0, 0, 2, 4, 4, 3, 253};
		unsigned type = types[below(r, 7)], n = below(r, 4);
		b[1] = (uint8_t)(2 * n + (chance(r, 8) ? 1 : 0));
		b[2] = (uint8_t)type;
		b[3] = (uint8_t)below(r, 4);
		sk_put32(b + 4, chance(r, 60) ? 0 : (uint32_t)rnd(r));
		for (unsigned i = 0; i < n; i++)
			rnd_addr6(r, b + 8 + 16 * i);
		if (n && (type == 0 || type == 2))
			cpy(final, b + 8 + 16 * (n - 1), 16);
		else if (n && type == 4)
			cpy(final, b + 8, 16);
		return 8 + 16 * n;
	}
	unsigned units = below(r, 3);
	size_t len = 8 * (units + 1u);
	b[1] = (uint8_t)(chance(r, 95) ? units : below(r, 4));
	rnd_opts6(r, b + 2, len - 2);
	return len;
}

/* A domain name for a DNSSL option: labels of mostly letters, sometimes a pointer, a bit
 * label or a reserved label type. */
static size_t rnd_name(struct rng *r, uint8_t *b, size_t room)
{
	size_t n = 0;
	while (n + 12 < room && chance(r, 75)) {
		unsigned k = below(r, 20);
		if (k == 0) {
			b[n++] = (uint8_t)(0xc0 | below(r, 2)), b[n++] = (uint8_t)below(r, 64);
			return n;
		}
		if (k == 1) {
			b[n++] = 0x41, b[n++] = (uint8_t)below(r, 40);
			rnd_bytes(r, b + n, 5), n += 5;
			continue;
		}
		if (k == 2) {
			b[n++] = (uint8_t)(0x40 + below(r, 0x80));
			continue;
		}
		unsigned len = 1 + below(r, 9);
		b[n++] = (uint8_t)len;
		for (unsigned i = 0; i < len; i++)
			b[n++] = (uint8_t)(chance(r, 90) ? 'a' + below(r, 26) : rnd(r));
	}
	b[n++] = 0;
	return n;
}

/* Neighbor discovery options, up to max bytes. */
static size_t rnd_nd_opts(struct rng *r, uint8_t *o, size_t max)
{
	static const unsigned types[] = {1, 1, 2, 2, 3, 3, 4, 5, 7, 8, 24, 25, 31, 9, 77, 200};
	size_t n = 0;
	while (n + 8 <= max && chance(r, 70)) {
		unsigned type = types[below(r, sizeof(types) / sizeof(types[0]))];
		unsigned units = 1 + below(r, 3);
		if (type == 3)
			units = chance(r, 85) ? 4 : units;
		if (type == 25)
			units = 1 + 2 * below(r, 3) + (chance(r, 10) ? 1 : 0);
		if (type == 4)
			units = 1 + below(r, 8);
		if (n + units * 8u > max)
			units = (unsigned)((max - n) / 8);
		uint8_t *b = o + n;
		b[0] = (uint8_t)type;
		b[1] = (uint8_t)(chance(r, 3) ? 0 : units);
		rnd_bytes(r, b + 2, units * 8u - 2);
		if (type == 1 || type == 2)
			b[2] = 0x02;
		if (type == 3 && units == 4) {
			b[2] = (uint8_t)below(r, 129);
			rnd_addr6(r, b + 16);
			if (chance(r, 20))
				memset(b + 4, 0xff, 8);
		}
		if (type == 25)
			for (unsigned i = 0; 8 + 16 * i + 16 <= units * 8u; i++)
				rnd_addr6(r, b + 8 + 16 * i);
		if (type == 31 && units >= 2) {
			memset(b + 8, 0, units * 8u - 8);
			size_t at = 8;
			while (at + 2 < units * 8u && chance(r, 70))
				at += rnd_name(r, b + at, units * 8u - at);
		}
		if (chance(r, 4)) /* a length that overruns */
			b[1] = (uint8_t)(units + 1 + below(r, 3));
		n += units * 8u;
	}
	return n;
}

static size_t rnd_ip6(struct rng *r, uint8_t *out, int depth);
static size_t rnd_ip(struct rng *r, uint8_t *out, int depth);

/* An ICMPv6 message of a random type with a plausible (or damaged) body. */
static size_t rnd_icmp6(struct rng *r, uint8_t *m, const uint8_t *src, const uint8_t *dst,
			int depth)
{
	static const unsigned types[] = {1,   1,   2,	3,   3,	  4,   4,   128, 128, 129, 129, 130,
					 131, 132, 133, 134, 134, 135, 135, 136, 136, 137, 141, 142,
					 143, 143, 144, 145, 146, 147, 200, 201, 0,   99};
	unsigned type = types[below(r, sizeof(types) / sizeof(types[0]))];
	if (chance(r, 3))
		type = 150 + below(r, 100);
	if (type == 155 || type == 138 || type == 139 || type == 140)
		type = 128;
	unsigned code = chance(r, 75) ? (type < 128 ? below(r, 8) : 0) : below(r, 256);
	uint32_t rest = (uint32_t)rnd(r);
	uint8_t body[MAXPKT];
	size_t bn = 0;
	switch (type) {
	case 1:
	case 2:
	case 3:
	case 4:
		if (depth < 2 && chance(r, 85)) {
			bn = rnd_ip6(r, body, depth + 1);
			if (chance(r, 50) && bn > 48)
				bn = 48 + below(r, 16);
		} else {
			bn = below(r, 60);
			rnd_bytes(r, body, bn);
		}
		if (type == 4)
			rest = below(r, 80);
		break;
	case 130:
	case 131:
	case 132:
	case 143:
		bn = chance(r, 50) ? 16 : 20 + 16 * below(r, 3);
		rnd_bytes(r, body, bn);
		rnd_addr6(r, body);
		if (type == 143) { /* records: type, aux, sources, group */
			unsigned recs = below(r, 4);
			rest = (rest & 0xffff0000u) | (chance(r, 80) ? recs : below(r, 6));
			bn = 0;
			for (unsigned i = 0; i < recs; i++) {
				unsigned ns = below(r, 3);
				body[bn++] = (uint8_t)(1 + below(r, 7)), body[bn++] = 0;
				body[bn++] = 0,
				body[bn++] = (uint8_t)(chance(r, 90) ? ns : below(r, 9));
				rnd_addr6(r, body + bn), bn += 16;
				for (unsigned k = 0; k < ns; k++)
					rnd_addr6(r, body + bn), bn += 16;
			}
		}
		break;
	case 133:
	case 134:
	case 135:
	case 136:
	case 137: {
		size_t fixed = type == 133 ? 0 : type == 134 ? 8 : type == 137 ? 32 : 16;
		rnd_bytes(r, body, fixed);
		if (type >= 135)
			rnd_addr6(r, body);
		if (type == 137)
			rnd_addr6(r, body + 16);
		bn = fixed + rnd_nd_opts(r, body + fixed, 120);
		if (chance(r, 5))
			bn = below(r, (unsigned)bn + 1);
		break;
	}
	case 145:
		bn = 16 * below(r, 3) + (chance(r, 20) ? below(r, 16) : 0);
		for (size_t i = 0; i + 16 <= bn; i += 16)
			rnd_addr6(r, body + i);
		break;
	case 147:
		bn = rnd_nd_opts(r, body, 64);
		break;
	default:
		bn = below(r, 40);
		rnd_bytes(r, body, bn);
		break;
	}
	return make_icmp6(m, type, code, rest, body, bn, chance(r, 10), src, dst);
}

/* An IPv6 packet: random fixed header, a chain of extension headers, an upper layer. */
static size_t rnd_ip6(struct rng *r, uint8_t *out, int depth)
{
	static const unsigned uppers[] = {6,  6,  6,  6,  6, 17, 17,  17, 17, 58, 58, 58,
					  58, 58, 58, 59, 4, 41, 143, 1,  2,  77, 99, 253};
	static const unsigned exts[] = {SK_IPPROTO_HOPOPTS, SK_IPPROTO_DSTOPTS, SK_IPPROTO_ROUTING,
					SK_IPPROTO_FRAGMENT};
	uint8_t src[16], dst[16], final[16], pl[MAXPKT];
	if (chance(r, 50))
		cpy(src, S6_1, 16);
	else
		rnd_addr6(r, src);
	if (chance(r, 50))
		cpy(dst, S6_2, 16);
	else
		rnd_addr6(r, dst);
	cpy(final, dst, 16);
	struct ip6h h = {.plen = -1, .src = src, .dst = dst};
	h.tclass = chance(r, 70) ? 0 : below(r, 256);
	h.flow = chance(r, 50) ? 0 : (uint32_t)rnd(r) & 0xfffff;
	h.hlim = below(r, 256);
	h.hlim0 = h.hlim == 0;
	unsigned upper = uppers[below(r, sizeof(uppers) / sizeof(uppers[0]))];
	if (depth > 1 && (upper == 4 || upper == 41 || upper == 143))
		upper = 58;
	unsigned kinds[4], nk = chance(r, 45) ? 0 : 1 + below(r, 4);
	for (unsigned i = 0; i < nk; i++)
		kinds[i] = exts[below(r, 4)];
	if (nk && kinds[0] != SK_IPPROTO_HOPOPTS && chance(r, 30))
		kinds[0] = SK_IPPROTO_HOPOPTS;
	size_t n = 0;
	for (unsigned i = 0; i < nk; i++)
		n += rnd_ext6(r, pl + n, kinds[i], i + 1 < nk ? kinds[i + 1] : upper, final);
	h.nh = nk ? kinds[0] : upper;
	size_t un;
	uint8_t *up = pl + n;
	switch (upper) {
	case SK_IPPROTO_TCP: {
		uint8_t data[128], opts[40];
		size_t dn = chance(r, 50) ? 0 : below(r, 80);
		rnd_bytes(r, data, dn);
		struct tcph t = {.sport = rnd_port(r),
				 .dport = rnd_port(r),
				 .seq = (uint32_t)rnd(r),
				 .ack = (uint32_t)rnd(r),
				 .win = below(r, 65536),
				 .urp = below(r, 65536),
				 .data = data,
				 .datalen = dn};
		t.flags = chance(r, 60) ? (unsigned)below(r, 256) : (unsigned)below(r, 4096);
		t.optlen = rnd_tcp_options(r, opts);
		t.opts = opts;
		if (chance(r, 5))
			t.doff = (int)below(r, 16);
		un = make_tcp(up, &t);
		csum6(up, un, 16, SK_IPPROTO_TCP, src, final, chance(r, 10));
		break;
	}
	case SK_IPPROTO_UDP: {
		uint8_t data[128];
		size_t dn = chance(r, 40) ? 0 : below(r, 80);
		rnd_bytes(r, data, dn);
		int ulen = chance(r, 10) ? (int)below(r, 120) : -1;
		un = make_udp6(up, rnd_port(r), rnd_port(r), data, dn, ulen, (int)below(r, 3), src,
			       final);
		break;
	}
	case SK_IPPROTO_ICMPV6:
		un = rnd_icmp6(r, up, src, final, depth);
		break;
	case 4:
		un = rnd_ip(r, up, depth + 1);
		break;
	case 41:
		un = rnd_ip6(r, up, depth + 1);
		break;
	case 143: {
		struct pkt e = {.n = 0};
		add_eth(&e, chance(r, 70) ? SK_ETHERTYPE_IPV4 : SK_ETHERTYPE_IPV6);
		uint8_t inner[MAXPKT];
		size_t in = e.b[13] == 0x00 ? rnd_ip(r, inner, depth + 1)
					    : rnd_ip6(r, inner, depth + 1);
		put(&e, inner, in);
		cpy(up, e.b, e.n);
		un = e.n;
		break;
	}
	default:
		un = below(r, 40);
		rnd_bytes(r, up, un);
		break;
	}
	n += un;
	if (chance(r, 6))
		h.plen = (int)below(r, (unsigned)n + 40);
	else if (chance(r, 2))
		h.plen = 0;
	if (chance(r, 2))
		h.ver = (int)below(r, 16);
	struct pkt p = {.n = 0};
	add_ip6(&p, &h, pl, n);
	cpy(out, p.b, p.n);
	return p.n;
}

/* A Linux cooked or BSD loopback frame around a random packet. */
static void rnd_link_frame(struct rng *r, int linktype, struct pkt *p)
{
	uint8_t body[MAXPKT];
	size_t n;
	unsigned k = below(r, 100), proto;
	if (k < 40)
		proto = SK_ETHERTYPE_IPV4, n = rnd_ip(r, body, 0);
	else if (k < 80)
		proto = SK_ETHERTYPE_IPV6, n = rnd_ip6(r, body, 0);
	else if (k < 88)
		proto = SK_ETHERTYPE_ARP, n = rnd_arp(r, body);
	else
		proto = chance(r, 50) ? 1536 + below(r, 65536 - 1536) : below(r, 1501),
		n = below(r, 60), rnd_bytes(r, body, n);
	p->n = 0;
	if (linktype == 113 || linktype == 276) {
		int tag = chance(r, 10) && proto > 1500;
		unsigned halen = chance(r, 80) ? 6 : below(r, 9), pkttype = below(r, 7);
		unsigned hatype = chance(r, 80) ? 1 : below(r, 800);
		unsigned field = tag ? 0x8100 : proto;
		if (linktype == 113)
			add_sll(p, pkttype, hatype, halen, field);
		else
			add_sll2(p, field, chance(r, 50) ? 1 : 100000 + below(r, 1000), hatype,
				 pkttype, halen);
		if (tag)
			put16(p, below(r, 65536)), put16(p, proto);
	} else {
		static const uint32_t fams[] = {2, 24, 28, 30, 0, 6, 99, 0x10000};
		static const uint32_t inet6[] = {24, 28, 30};
		uint32_t fam = proto == SK_ETHERTYPE_IPV4   ? 2
			       : proto == SK_ETHERTYPE_IPV6 ? inet6[below(r, 3)]
							    : fams[below(r, 8)];
		if (chance(r, 10))
			fam = fams[below(r, 8)];
		if (chance(r, 50))
			fam = __builtin_bswap32(fam);
		uint8_t h[4];
		if (linktype == 108)
			sk_put32(h, fam);
		else
			cpy(h, &fam, 4);
		put(p, h, 4);
	}
	put(p, body, n);
}

static int link_frame_is_comparable(const uint8_t *b, size_t n, int linktype)
{
	if (linktype == 113 || linktype == 276)
		return cooked_is_comparable(b, n, linktype == 276);
	if (n < 4)
		return 1;
	uint32_t fam;
	cpy(&fam, b, 4);
	if (fam & 0xffff0000u)
		fam = __builtin_bswap32(fam);
	if (fam == 2)
		return ip_is_comparable(b, 4, n, 0);
	if (fam == 24 || fam == 28 || fam == 30)
		return ip6_is_comparable(b, 4, n, 0);
	return fam != 7 && fam != 16 && fam != 23; /* ISO, AppleTalk, IPX */
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
			if (k < 58) {
				add_eth(p, SK_ETHERTYPE_IPV4);
				n = rnd_ip(r, body, 0);
			} else if (k < 80) {
				add_eth(p, SK_ETHERTYPE_IPV6);
				n = rnd_ip6(r, body, 0);
			} else if (k < 87) {
				add_eth(p, chance(r, 85) ? SK_ETHERTYPE_ARP : 0x8035);
				n = rnd_arp(r, body);
			} else if (k < 92) {
				static const unsigned inner[] = {
					SK_ETHERTYPE_IPV4, SK_ETHERTYPE_IPV6, SK_ETHERTYPE_ARP};
				unsigned t = inner[below(r, 3)];
				add_eth(p, 0x8100);
				put16(p, below(r, 65536));
				put16(p, t);
				n = t == SK_ETHERTYPE_ARP    ? rnd_arp(r, body)
				    : t == SK_ETHERTYPE_IPV6 ? rnd_ip6(r, body, 0)
							     : rnd_ip(r, body, 0);
			} else {
				add_eth(p, 1536 + below(r, 65536 - 1536));
				n = below(r, 70);
				rnd_bytes(r, body, n);
			}
			if (chance(r, 10)) /* link padding or trailing junk */
				rnd_bytes(r, body + n, 4), n += below(r, 5);
		} else {
			n = chance(r, 50) ? rnd_ip6(r, body, 0) : rnd_ip(r, body, 0);
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

	/* Linux cooked captures and BSD loopback around the same random packets. */
	static const struct {
		const char *name;
		int linktype;
	} links[] = {{"fuzz_sll.pcap", 113},
		     {"fuzz_sll2.pcap", 276},
		     {"fuzz_null.pcap", 0},
		     {"fuzz_loop.pcap", 108}};
	for (size_t l = 0; l < sizeof(links) / sizeof(links[0]); l++) {
		open_pcap(&o, dir, links[l].name, links[l].linktype, 0);
		for (unsigned i = 0; i < count / 10; i++) {
			do {
				rnd_link_frame(&r, links[l].linktype, &p);
				if (chance(&r, 15)) /* a few bytes flipped */
					for (unsigned k = 1 + below(&r, 3); k > 0; k--)
						p.b[below(&r, (unsigned)p.n)] ^=
							(uint8_t)(1 + below(&r, 255));
			} while (!link_frame_is_comparable(p.b, p.n, links[l].linktype));
			caplen = chance(&r, 30) ? 1 + below(&r, (unsigned)p.n) : p.n;
			emit_cut(&o, &p, caplen);
		}
		close_out(&o);
	}
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
