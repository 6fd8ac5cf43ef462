/* The script runner's packets: script line -> inbound bytes, live bytes -> script notation,
 * and printing in that notation; IPv4 with ICMP, IPv6 with ICMPv6. */
#include "script/pkt.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/ipv6.h"
#include "wire/wire.h"

/* ---- addresses ---- */

struct sk_paddr sk_paddr4(uint32_t a)
{
	struct sk_paddr p;
	memset(&p, 0, sizeof(p));
	sk_put32(p.b, a);
	return p;
}

int sk_paddr_parse(const char *text, int v6, struct sk_paddr *out)
{
	struct sk_paddr p;
	memset(&p, 0, sizeof(p));
	p.v6 = (uint8_t)(v6 != 0);
	if (inet_pton(v6 ? AF_INET6 : AF_INET, text, p.b) != 1)
		return -1;
	*out = p;
	return 0;
}

int sk_paddr_eq(const struct sk_paddr *a, const struct sk_paddr *b)
{
	return a->v6 == b->v6 && !memcmp(a->b, b->b, a->v6 ? 16 : 4);
}

int sk_paddr_unset(const struct sk_paddr *a)
{
	static const uint8_t zero[16];
	return !memcmp(a->b, zero, a->v6 ? 16 : 4);
}

char *sk_paddr_format(const struct sk_paddr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len) && len)
		buf[0] = 0;
	return buf;
}

/* ---- ICMP names ---- */

struct icmp_name {
	const char *name;
	int value;
};

static const struct icmp_name icmp_types[] = {
	{"echo_reply", 0}, {"unreachable", 3}, {"dest_unreachable", 3}, {"source_quench", 4},
	{"redirect", 5}, {"echo_request", 8}, {"time_exceeded", 11}, {"parameter_problem", 12},
	{"timestamp_request", 13}, {"timestamp_reply", 14},
};

static const struct icmp_name unreach_codes[] = {
	{"net_unreachable", 0}, {"host_unreachable", 1}, {"protocol_unreachable", 2},
	{"port_unreachable", 3}, {"frag_needed", 4}, {"fragmentation_needed", 4},
	{"source_route_failed", 5}, {"net_unknown", 6}, {"host_unknown", 7},
	{"source_host_isolated", 8}, {"net_prohibited", 9}, {"host_prohibited", 10},
	{"net_unreachable_for_tos", 11}, {"host_unreachable_for_tos", 12}, {"packet_filtered", 13},
	{"precedence_violation", 14}, {"precedence_cutoff", 15},
};

static const struct icmp_name time_codes[] = {
	{"ttl_exceeded", 0}, {"exceeded_in_transit", 0}, {"frag_reassembly_time_exceeded", 1},
	{"reassembly_time_exceeded", 1},
};

/* ICMPv6 (RFC 4443) under the names packetdrill gives them over IPv6. */
static const struct icmp_name icmp6_types[] = {
	{"unreachable", 1}, {"dest_unreachable", 1}, {"packet_too_big", 2}, {"time_exceeded", 3},
	{"parameter_problem", 4}, {"echo_request", 128}, {"echo_reply", 129},
};

static const struct icmp_name unreach6_codes[] = {
	{"net_unreachable", 0}, {"no_route", 0}, {"admin_prohibited", 1}, {"not_neighbour", 2},
	{"beyond_scope", 2}, {"address_unreachable", 3}, {"port_unreachable", 4},
	{"source_address_failed_policy", 5}, {"reject_route", 6},
};

static const struct icmp_name time6_codes[] = {
	{"exceeded_hop_limit", 0}, {"exceeded_frag_time", 1},
};

static const struct icmp_name param6_codes[] = {
	{"header_field", 0}, {"unknown_next_header", 1}, {"unknown_option", 2},
};

/* A name of the table, a number, or PREFIX_N (type_3, code_4) */
static int name_value(const struct icmp_name *t, size_t n, const char *name, const char *prefix, int *v)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name)) {
			*v = t[i].value;
			return 0;
		}
	size_t pl = strlen(prefix);
	if (!strncmp(name, prefix, pl))
		name += pl;
	char *end;
	long x = strtol(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && x >= 0 && x <= 255) {
		*v = (int)x;
		return 0;
	}
	return -1;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int sk_icmp_names(const char *type, const char *code, int v6, int *t, int *c)
{
	if (name_value(v6 ? icmp6_types : icmp_types, v6 ? N(icmp6_types) : N(icmp_types), type, "type_", t) < 0)
		return -1;
	*c = 0;
	if (!code)
		return 0;
	if (!v6 && *t == 3)
		return name_value(unreach_codes, N(unreach_codes), code, "code_", c);
	if (!v6 && *t == 11)
		return name_value(time_codes, N(time_codes), code, "code_", c);
	if (v6 && *t == 1)
		return name_value(unreach6_codes, N(unreach6_codes), code, "code_", c);
	if (v6 && *t == 3)
		return name_value(time6_codes, N(time6_codes), code, "code_", c);
	if (v6 && *t == 4)
		return name_value(param6_codes, N(param6_codes), code, "code_", c);
	return name_value(NULL, 0, code, "code_", c);
}

/* ---- building ---- */

/* TCP options as written, in order, padded with EOL to a multiple of 4. Returns the length
 * or -1 if they do not fit in 40 bytes. */
static int put_options(const struct sk_sp *p, uint8_t *o)
{
	int n = 0;
	for (int i = 0; i < p->nopt; i++) {
		const struct sk_sp_opt *x = &p->opt[i];
		int need = x->kind <= 1 ? 1 : x->kind == 2 ? 4 : x->kind == 3 ? 3 : x->kind == 4 ? 2 :
			   x->kind == 5 ? 2 + 8 * x->nsack : x->kind == 8 ? 10 : -1;
		if (need < 0 || n + need > 40)
			return -1;
		uint8_t *q = o + n;
		q[0] = x->kind;
		if (x->kind > 1)
			q[1] = (uint8_t)need;
		switch (x->kind) {
		case 2:
			sk_put16(q + 2, (uint16_t)x->val);
			break;
		case 3:
			q[2] = (uint8_t)x->val;
			break;
		case 5:
			for (int k = 0; k < x->nsack; k++) {
				sk_put32(q + 2 + 8 * k, x->sack[k][0]);
				sk_put32(q + 6 + 8 * k, x->sack[k][1]);
			}
			break;
		case 8:
			sk_put32(q + 2, x->val);
			sk_put32(q + 6, x->ecr);
			break;
		default:
			break;
		}
		n += need;
	}
	while (n % 4) {
		if (n >= 40)
			return -1;
		o[n++] = 0;
	}
	return n;
}

/* The length of the flow's IP header: 20 (IPv4 without options) or 40 (IPv6). */
static size_t ip_hlen(const struct sk_flow *f)
{
	return f->src.v6 ? 40 : 20;
}

/* The IP header of a packet whose upper-layer part is l4len bytes: IPv4 (DF, TTL 64) or IPv6
 * (traffic class = the ECN bits, flow label 0, hop limit 64). */
static void put_ip(uint8_t *b, size_t l4len, uint8_t proto, int ecn, const struct sk_paddr *src,
		   const struct sk_paddr *dst)
{
	uint8_t e = (uint8_t)(ecn >= 0 && ecn <= 3 ? ecn : 0);
	if (src->v6) {
		memset(b, 0, 40);
		b[0] = (uint8_t)(0x60 | (e >> 4));
		b[1] = (uint8_t)(e << 4);
		sk_put16(b + 4, (uint16_t)l4len);
		b[6] = proto;
		b[7] = 64;
		memcpy(b + 8, src->b, 16);
		memcpy(b + 24, dst->b, 16);
		return;
	}
	memset(b, 0, 20);
	b[0] = 0x45;
	b[1] = e;
	sk_put16(b + 2, (uint16_t)(20 + l4len));
	sk_put16(b + 6, 0x4000); /* DF */
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src->b, 4);
	memcpy(b + 16, dst->b, 4);
	sk_put16(b + 10, sk_csum(b, 20));
}

/* The checksum of an upper-layer message with the pseudo-header of its family. */
static uint16_t l4_csum(const struct sk_flow *f, uint8_t proto, const uint8_t *m, size_t len)
{
	if (f->src.v6)
		return sk_csum_l4v6(f->src.b, f->dst.b, proto, m, len);
	return sk_csum_l4(sk_get32(f->src.b), sk_get32(f->dst.b), proto, m, len);
}

static void fail(char *why, size_t n, const char *msg, const char *a)
{
	if (why && n)
		snprintf(why, n, msg, a ? a : "");
}

int sk_pkt_build(const struct sk_sp *p, const struct sk_flow *f, const struct sk_flow *q_flow, uint32_t q_seq,
		 uint8_t *buf, size_t cap, char *why, size_t whylen)
{
	int v6 = f->src.v6;
	size_t ih = ip_hlen(f);
	if (p->proto == SP_TCP) {
		uint8_t opts[40];
		int olen = p->opts == SP_OPTS_LIST ? put_options(p, opts) : 0;
		if (olen < 0) {
			fail(why, whylen, "TCP options do not fit in 40 bytes%s", NULL);
			return -1;
		}
		size_t hl = 20 + (size_t)olen, total = ih + hl + p->len;
		if (total > cap || hl + p->len > 65535 || (!v6 && total > 65535)) {
			fail(why, whylen, "packet too large%s", NULL);
			return -1;
		}
		uint8_t *t = buf + ih;
		memset(t, 0, hl + p->len);
		sk_put16(t, f->sport);
		sk_put16(t + 2, f->dport);
		sk_put32(t + 4, p->seq);
		sk_put32(t + 8, (p->flags & 0x10) ? p->ack : 0);
		t[12] = (uint8_t)((hl / 4) << 4);
		t[13] = (uint8_t)p->flags;
		sk_put16(t + 14, (uint16_t)(p->has_win ? p->win : 65535));
		memcpy(t + 20, opts, (size_t)olen);
		sk_put16(t + 16, l4_csum(f, SK_IPPROTO_TCP, t, hl + p->len));
		put_ip(buf, hl + p->len, SK_IPPROTO_TCP, p->ecn, &f->src, &f->dst);
		return (int)total;
	}
	if (p->proto == SP_UDP) {
		size_t total = ih + 8 + p->len;
		if (total > cap || 8 + p->len > 65535 || (!v6 && total > 65535)) {
			fail(why, whylen, "datagram too large%s", NULL);
			return -1;
		}
		uint8_t *u = buf + ih;
		memset(u, 0, 8 + p->len);
		sk_put16(u, f->sport);
		sk_put16(u + 2, f->dport);
		sk_put16(u + 4, (uint16_t)(8 + p->len));
		uint16_t c = l4_csum(f, SK_IPPROTO_UDP, u, 8 + p->len);
		sk_put16(u + 6, c ? c : 0xffff);
		put_ip(buf, 8 + p->len, SK_IPPROTO_UDP, p->ecn, &f->src, &f->dst);
		return (int)total;
	}
	int type, code;
	if (sk_icmp_names(p->icmp_type, p->icmp_code, v6, &type, &code) < 0) {
		fail(why, whylen, v6 ? "unknown ICMPv6 type or code (%s)" : "unknown ICMP type or code (%s)", p->icmp_type);
		return -1;
	}
	if (v6 && p->has_mtu && type != 2) {
		fail(why, whylen, "an ICMPv6 mtu is only for packet_too_big (%s)", p->icmp_type);
		return -1;
	}
	/* type, code, checksum, 4 bytes (the next-hop MTU in the low half for frag-needed, all
	 * of them for Packet Too Big), then the quoted IP header and the first 8 bytes of its
	 * payload. */
	size_t mlen = 8 + ih + 8, total = ih + mlen;
	if (total > cap) {
		fail(why, whylen, "packet too large%s", NULL);
		return -1;
	}
	uint8_t *m = buf + ih;
	memset(m, 0, mlen);
	m[0] = (uint8_t)type;
	m[1] = (uint8_t)code;
	if (p->has_mtu) {
		if (v6)
			sk_put32(m + 4, p->mtu);
		else
			sk_put16(m + 6, (uint16_t)p->mtu);
	}
	uint8_t *qi = m + 8, *ql = m + 8 + ih;
	int udp = p->echoed == 2;
	size_t qlen = udp ? 8 + p->echo_len : 20 + (p->echoed == 1 ? p->echo_len : 0);
	put_ip(qi, qlen, udp ? SK_IPPROTO_UDP : SK_IPPROTO_TCP, 0, &q_flow->src, &q_flow->dst);
	sk_put16(ql, q_flow->sport);
	sk_put16(ql + 2, q_flow->dport);
	if (udp)
		sk_put16(ql + 4, (uint16_t)(8 + p->echo_len));
	else
		sk_put32(ql + 4, q_seq);
	if (v6)
		sk_put16(m + 2, sk_csum_l4v6(f->src.b, f->dst.b, SK_IPPROTO_ICMPV6, m, mlen));
	else
		sk_put16(m + 2, sk_csum(m, mlen));
	put_ip(buf, mlen, v6 ? SK_IPPROTO_ICMPV6 : SK_IPPROTO_ICMP, p->ecn, &f->src, &f->dst);
	return (int)total;
}

/* ---- reading live packets ---- */

static int read_options(const uint8_t *o, size_t n, struct sk_sp *p, int *has_ts)
{
	size_t i = 0;
	p->nopt = 0;
	*has_ts = 0;
	while (i < n) {
		if (p->nopt == SK_SP_MAX_OPTS)
			return -1;
		struct sk_sp_opt *x = &p->opt[p->nopt];
		memset(x, 0, sizeof(*x));
		x->kind = o[i];
		if (o[i] == 0) { /* EOL: the rest is padding */
			p->nopt++;
			break;
		}
		if (o[i] == 1) {
			p->nopt++;
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
			return -1;
		size_t l = o[i + 1];
		const uint8_t *q = o + i;
		if (x->kind == 2 && l == 4)
			x->val = sk_get16(q + 2);
		else if (x->kind == 3 && l == 3)
			x->val = q[2];
		else if (x->kind == 5 && l >= 2 && (l - 2) % 8 == 0 && (l - 2) / 8 <= SK_SP_MAX_SACK) {
			x->nsack = (uint8_t)((l - 2) / 8);
			for (int k = 0; k < x->nsack; k++) {
				x->sack[k][0] = sk_get32(q + 2 + 8 * k);
				x->sack[k][1] = sk_get32(q + 6 + 8 * k);
			}
		} else if (x->kind == 8 && l == 10) {
			x->val = sk_get32(q + 2);
			x->ecr = sk_get32(q + 6);
			*has_ts = 1;
		} else if (x->kind != 4 || l != 2) {
			x->val = (uint32_t)l; /* an option the notation cannot write: kept by kind */
		}
		p->nopt++;
		i += l;
	}
	return 0;
}

/* The packet an ICMP error quotes (q, qlen bytes of it: IPv4 or IPv6 header, then at least
 * 8 bytes of TCP or UDP): which segment or datagram it was. */
static void read_quote(const uint8_t *q, size_t qlen, struct sk_sp *p)
{
	size_t off;
	uint8_t nh;
	if (qlen >= 20 && (q[0] >> 4) == 4) {
		off = (size_t)(q[0] & 15) * 4;
		nh = q[9];
		if (off < 20)
			return;
	} else if (qlen >= 40 && (q[0] >> 4) == 6) {
		off = 40;
		nh = q[6];
		if (sk_ipv6_skip_ext(q, qlen, &nh, &off) < 0)
			return;
	} else {
		return;
	}
	if (qlen < off + 8)
		return;
	const uint8_t *ql = q + off;
	if (nh == SK_IPPROTO_TCP) {
		p->echoed = 1;
		p->echo_seq = sk_get32(ql + 4);
	} else if (nh == SK_IPPROTO_UDP) {
		p->echoed = 2;
		p->echo_len = sk_get16(ql + 4) >= 8 ? sk_get16(ql + 4) - 8u : 0;
	}
}

int sk_live_parse(const uint8_t *pkt, size_t len, struct sk_live *out)
{
	memset(out, 0, sizeof(*out));
	const uint8_t *l4;
	size_t l4len;
	struct sk_sp *p = &out->p;
	p->dir = '>';
	if (len >= 40 && (pkt[0] >> 4) == 6) {
		struct sk_ipv6 h;
		struct sk_ipv6_walk w;
		if (sk_ipv6_parse(pkt, len, &h) < 0 || sk_ipv6_walk(pkt, &h, &w) < 0 || w.fragment)
			return -1;
		out->v6 = 1;
		out->proto = w.proto;
		out->ttl = h.hop_limit;
		out->tos = h.tclass;
		out->flow = h.flow;
		p->ecn = h.tclass & 3;
		out->f.src.v6 = out->f.dst.v6 = 1;
		memcpy(out->f.src.b, h.src, 16);
		memcpy(out->f.dst.b, h.dst, 16);
		l4 = pkt + w.off;
		l4len = w.end - w.off;
	} else {
		if (len < 20 || (pkt[0] >> 4) != 4)
			return -1;
		size_t ihl = (size_t)(pkt[0] & 15) * 4, total = sk_get16(pkt + 2);
		if (ihl < 20 || total < ihl || total > len)
			return -1;
		if ((sk_get16(pkt + 6) & 0x3fff) != 0)
			return -1; /* a fragment */
		l4 = pkt + ihl;
		l4len = total - ihl;
		out->proto = pkt[9];
		out->ttl = pkt[8];
		out->tos = pkt[1];
		p->ecn = pkt[1] & 3;
		memcpy(out->f.src.b, pkt + 12, 4);
		memcpy(out->f.dst.b, pkt + 16, 4);
	}
	if (out->proto == SK_IPPROTO_TCP) {
		if (l4len < 20)
			return -1;
		size_t hl = (size_t)(l4[12] >> 4) * 4;
		if (hl < 20 || hl > l4len)
			return -1;
		p->proto = SP_TCP;
		out->f.sport = sk_get16(l4);
		out->f.dport = sk_get16(l4 + 2);
		p->seq = sk_get32(l4 + 4);
		p->ack = sk_get32(l4 + 8);
		p->flags = l4[13];
		p->has_ack = (p->flags & 0x10) != 0;
		p->win = sk_get16(l4 + 14);
		p->has_win = 1;
		p->len = (uint32_t)(l4len - hl);
		p->end = p->seq + p->len;
		p->opts = hl > 20 ? SP_OPTS_LIST : SP_OPTS_NONE;
		if (read_options(l4 + 20, hl - 20, p, &out->has_ts) < 0)
			return -1;
		return 0;
	}
	if (out->proto == SK_IPPROTO_UDP) {
		if (l4len < 8)
			return -1;
		p->proto = SP_UDP;
		out->f.sport = sk_get16(l4);
		out->f.dport = sk_get16(l4 + 2);
		p->len = (uint32_t)(l4len - 8);
		return 0;
	}
	if (out->proto == (out->v6 ? SK_IPPROTO_ICMPV6 : SK_IPPROTO_ICMP)) {
		if (l4len < 8)
			return -1;
		p->proto = SP_ICMP;
		out->icmp_type = l4[0];
		out->icmp_code = l4[1];
		out->icmp_mtu = out->v6 ? sk_get32(l4 + 4) : sk_get16(l4 + 6);
		read_quote(l4 + 8, l4len - 8, p);
		return 0;
	}
	return -1;
}

/* ---- printing ---- */

struct out {
	char *b;
	size_t n, at;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	if (o->at >= o->n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(o->b + o->at, o->n - o->at, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->at += (size_t)r;
	if (o->at >= o->n)
		o->at = o->n - 1;
}

char *sk_sp_format(const struct sk_sp *p, char *buf, size_t len)
{
	struct out o = {buf, len, 0};
	if (!len)
		return buf;
	buf[0] = 0;
	put(&o, "%c", p->dir);
	static const char *const ecn[] = {"noecn", "ect1", "ect0", "ce", "ect01"};
	if (p->ecn >= 0 && p->ecn <= 4)
		put(&o, " [%s]", ecn[p->ecn]);
	if (p->proto == SP_UDP) {
		put(&o, " udp (%u)", p->len);
		return buf;
	}
	if (p->proto == SP_ICMP) {
		if (p->echoed == 1)
			put(&o, " [%u:%u(%u)]", p->echo_seq, p->echo_end, p->echo_len);
		else if (p->echoed == 2)
			put(&o, " [udp (%u)]", p->echo_len);
		put(&o, " icmp %s", p->icmp_type ? p->icmp_type : "?");
		if (p->icmp_code)
			put(&o, " %s", p->icmp_code);
		if (p->has_mtu)
			put(&o, " mtu %u", p->mtu);
		return buf;
	}
	static const char letters[] = "FSRPUEW";
	static const uint16_t bits[] = {0x01, 0x02, 0x04, 0x08, 0x20, 0x40, 0x80};
	put(&o, " ");
	int any = 0;
	for (int i = 0; i < 7; i++)
		if (p->flags & bits[i]) {
			put(&o, "%c", letters[i]);
			any = 1;
		}
	if (p->flags & 0x10)
		put(&o, ".");
	else if (!any)
		put(&o, "-");
	put(&o, " %u:%u(%u)", p->seq, p->end, p->len);
	if (p->has_ack)
		put(&o, " ack %u", p->ack);
	if (p->has_win)
		put(&o, " win %u", p->win);
	if (p->opts == SP_OPTS_ANY) {
		put(&o, " <...>");
	} else if (p->opts == SP_OPTS_LIST) {
		put(&o, " <");
		for (int i = 0; i < p->nopt; i++) {
			const struct sk_sp_opt *x = &p->opt[i];
			if (i)
				put(&o, ",");
			switch (x->kind) {
			case 0: put(&o, "eol"); break;
			case 1: put(&o, "nop"); break;
			case 2: put(&o, "mss %u", x->val); break;
			case 3: put(&o, "wscale %u", x->val); break;
			case 4: put(&o, "sackOK"); break;
			case 5:
				put(&o, "sack");
				for (int k = 0; k < x->nsack; k++)
					put(&o, " %u:%u", x->sack[k][0], x->sack[k][1]);
				break;
			case 8: put(&o, "TS val %u ecr %u", x->val, x->ecr); break;
			default: put(&o, "kind-%u", x->kind); break;
			}
		}
		put(&o, ">");
	}
	return buf;
}
