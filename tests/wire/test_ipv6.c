/* IPv6 header, extension walk, pseudo-header and address text, against Linux and glibc. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ipv6_vectors.h"
#include "wire/checksum.h"
#include "wire/ipv6.h"

struct pkt {
	uint8_t b[1500];
	size_t len;
	struct sk_ipv6 h;
};

static void load(struct pkt *p, const char *hex)
{
	p->len = sk_test_hex(hex, p->b, sizeof(p->b));
	assert_true(p->len <= sizeof(p->b));
	assert_int_equal(sk_ipv6_parse(p->b, p->len, &p->h), SK_IPV6_HLEN);
}

static void addr(const char *s, uint8_t a[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

/* RFC 8200 3: the fixed fields, link padding allowed, short packets and other versions not. */
static void test_ipv6_header(void **state)
{
	(void)state;
	struct pkt p;
	load(&p, V_ECHO_REPLY);
	assert_int_equal(p.h.tclass, 0);
	assert_int_equal(p.h.flow, 0xb3ba0);
	assert_int_equal(p.h.payload_len, 16);
	assert_int_equal(p.h.next, SK_IPPROTO_ICMPV6);
	assert_int_equal(p.h.hop_limit, 64);
	uint8_t a[16], b[16];
	addr("2001:db8::a", a);
	addr("2001:db8::b", b);
	assert_memory_equal(p.h.src, b, 16);
	assert_memory_equal(p.h.dst, a, 16);
	/* Version 6, traffic class 0xab, flow label 0x12345 as laid out in RFC 8200 3. */
	uint8_t h[40] = {0x6a, 0xb1, 0x23, 0x45, 0x00, 0x00, 59, 1};
	struct sk_ipv6 r;
	assert_int_equal(sk_ipv6_parse(h, 40, &r), 40);
	assert_int_equal(r.tclass, 0xab);
	assert_int_equal(r.flow, 0x12345);
	assert_int_equal(r.next, SK_IPPROTO_NONE);
	/* Ethernet pads short frames: bytes past the payload length are ignored. */
	memset(p.b + p.len, 0xee, 20);
	assert_int_equal(sk_ipv6_parse(p.b, p.len + 20, &r), 40);
	assert_int_equal(r.payload_len, 16);
	assert_int_equal(sk_ipv6_parse(p.b, p.len - 1, &r), -SK_WIRE_TRUNCATED); /* payload cut */
	assert_int_equal(sk_ipv6_parse(p.b, 39, &r), -SK_WIRE_TRUNCATED);
	p.b[0] = 0x45;
	assert_int_equal(sk_ipv6_parse(p.b, p.len, &r), -SK_WIRE_BAD_VERSION);
}

static void test_ipv6_header_emit(void **state)
{
	(void)state;
	struct pkt p;
	load(&p, V_ECHO_REPLY);
	uint8_t out[40];
	assert_int_equal(sk_ipv6_emit(out, sizeof(out), &p.h), 40);
	assert_memory_equal(out, p.b, 40);
	assert_int_equal(sk_ipv6_emit(out, 39, &p.h), -SK_WIRE_NOSPACE);
	p.h.flow = 0x100000;
	assert_int_equal(sk_ipv6_emit(out, sizeof(out), &p.h), -SK_WIRE_INVALID);
}

struct walk_ok {
	const char *hex;
	uint8_t proto;
	uint32_t off, nh_off;
	uint8_t seen;
};

/* Packets Linux accepted (its own, or answered with an echo reply): the walk reaches the
 * upper layer where the checksum of the upper-layer message then verifies. */
static void test_ipv6_walk_accepts(void **state)
{
	(void)state;
	const struct walk_ok cases[] = {
		{V_MLD_HBH, SK_IPPROTO_ICMPV6, 48, 40, SK_IPV6_SEEN_HOPOPTS},
		{V_HBH_PADN_ECHO, SK_IPPROTO_ICMPV6, 48, 40, SK_IPV6_SEEN_HOPOPTS},
		{V_DST_SKIP_ECHO, SK_IPPROTO_ICMPV6, 48, 40, SK_IPV6_SEEN_DSTOPTS},
		{V_RH_SL0_ECHO, SK_IPPROTO_ICMPV6, 48, 40, SK_IPV6_SEEN_ROUTING},
		{V_ATOMIC_ECHO, SK_IPPROTO_ICMPV6, 48, 40, SK_IPV6_SEEN_FRAGMENT},
		{V_ECHO_REPLY, SK_IPPROTO_ICMPV6, 40, 6, 0},
		{V_NS_SLLA, SK_IPPROTO_ICMPV6, 40, 6, 0},
		{V_UDP_HELLO, SK_IPPROTO_UDP, 40, 6, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt p;
		load(&p, cases[i].hex);
		struct sk_ipv6_walk w;
		assert_int_equal(sk_ipv6_walk(p.b, &p.h, &w), 0);
		assert_int_equal(w.proto, cases[i].proto);
		assert_int_equal(w.off, cases[i].off);
		assert_int_equal(w.nh_off, cases[i].nh_off);
		assert_int_equal(w.seen, cases[i].seen);
		assert_int_equal(w.end, p.len);
		assert_false(w.fragment);
		assert_int_equal(
			sk_csum_l4v6(p.h.src, p.h.dst, w.proto, p.b + w.off, w.end - w.off), 0);
	}
	/* The atomic fragment (RFC 6946) is reported and walked through. */
	struct pkt p;
	load(&p, V_ATOMIC_ECHO);
	struct sk_ipv6_walk w;
	assert_int_equal(sk_ipv6_walk(p.b, &p.h, &w), 0);
	assert_true(w.has_frag);
	assert_true(sk_ipv6_frag_atomic(&w.frag));
	assert_int_equal(w.frag.id, 0x1236);
	assert_int_equal(w.frag_off, 40);
}

/* No next header (RFC 8200 4.7) ends the walk; what follows is ignored. Built from the
 * RFC 8200 4.6 layout: destination options (PadN of 4) naming 59, then junk. */
static void test_ipv6_walk_no_next(void **state)
{
	(void)state;
	struct pkt p;
	load(&p, "6000 0000 0010 3c40 2001 0db8 0000 0000 0000 0000 0000 0001"
		 "2001 0db8 0000 0000 0000 0000 0000 0002"
		 "3b00 0104 0000 0000 dead beef dead beef");
	struct sk_ipv6_walk w;
	assert_int_equal(sk_ipv6_walk(p.b, &p.h, &w), 0);
	assert_int_equal(w.proto, SK_IPPROTO_NONE);
	assert_int_equal(w.off, 48);
	assert_int_equal(w.end, 56);
}

struct walk_err {
	const char *hex; /* what was sent to Linux */
	int reason;
	uint8_t icmp, code;
	uint32_t pointer;
	const char *linux_pp; /* Linux's parameter problem for it, or NULL if it stayed silent */
};

/* Each rejection of the walk on a packet Linux rejected, with the code and pointer Linux
 * put in its parameter problem (RFC 8200 4, 4.2, 4.4, 4.5; RFC 4443 3.4; RFC 7112). */
static void test_ipv6_walk_rejects_like_linux(void **state)
{
	(void)state;
	const struct walk_err cases[] = {
		{V_DST_DISCARD, SK_WIRE6_OPT_DISCARD, 0, 2, 42, NULL},
		{V_DST_ICMP, SK_WIRE6_OPT_ICMP, 1, 2, 43, V_PP_DST_ICMP},
		{V_DST_UCAST, SK_WIRE6_OPT_ICMP_UCAST, 1, 2, 42, V_PP_DST_UCAST},
		{V_DST_UCAST_MCAST, SK_WIRE6_OPT_ICMP_UCAST, 0, 2, 42, NULL},
		{V_HBH_ICMP, SK_WIRE6_OPT_ICMP, 1, 2, 44, V_PP_HBH_ICMP},
		{V_HBH_NOT_FIRST, SK_WIRE6_HBH_NOT_FIRST, 1, 1, 40, V_PP_HBH_NOT_FIRST},
		{V_NH_253, SK_WIRE6_UNKNOWN_NEXT, 1, 1, 6, V_PP_NH_253},
		{V_DST_NH_200, SK_WIRE6_UNKNOWN_NEXT, 1, 1, 40, V_PP_DST_NH_200},
		{V_RH_SL1, SK_WIRE6_RH_UNKNOWN, 1, 0, 42, V_PP_RH_SL1},
		{V_FRAG_BADLEN, SK_WIRE6_FRAG_BAD_LEN, 1, 0, 4, V_PP_FRAG_BADLEN},
		{V_FRAG_TOOBIG, SK_WIRE6_FRAG_TOO_BIG, 1, 0, 42, V_PP_FRAG_TOOBIG},
		{V_DST_MALFORMED, SK_WIRE6_OPT_MALFORMED, 0, 0, 42, NULL},
		{V_FRAG_CUT_TCP, SK_WIRE6_FRAG_INCOMPLETE, 1, 3, 0, V_PP_FRAG_CUT_TCP},
		{V_FRAG_CUT_DST, SK_WIRE6_FRAG_INCOMPLETE, 1, 3, 0, V_PP_FRAG_CUT_DST},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct walk_err *c = &cases[i];
		struct pkt p;
		load(&p, c->hex);
		struct sk_ipv6_walk w;
		assert_int_equal(sk_ipv6_walk(p.b, &p.h, &w), -c->reason);
		assert_int_equal(w.icmp, c->icmp);
		assert_int_equal(w.code, c->code);
		assert_int_equal(w.pointer, c->pointer);
		if (!c->linux_pp)
			continue;
		struct pkt pp; /* type 4, Linux's code and pointer */
		load(&pp, c->linux_pp);
		assert_int_equal(pp.b[40], 4);
		assert_int_equal(pp.b[41], w.code);
		assert_int_equal(sk_get32(pp.b + 44), w.pointer);
	}
}

/* An extension header that runs past the payload: dropped, nothing to answer. Built from
 * the RFC 8200 4.6 layout: destination options claiming 16 bytes in a payload of 8; a
 * hop-by-hop header of which one byte is there; a fragment header of 4 bytes. */
static void test_ipv6_walk_truncated(void **state)
{
	(void)state;
	const char *cases[] = {
		"6000 0000 0008 3c40 2001 0db8 0000 0000 0000 0000 0000 0001"
		"2001 0db8 0000 0000 0000 0000 0000 0002 3a01 0104 0000 0000",
		"6000 0000 0001 0040 2001 0db8 0000 0000 0000 0000 0000 0001"
		"2001 0db8 0000 0000 0000 0000 0000 0002 3a",
		"6000 0000 0004 2c40 2001 0db8 0000 0000 0000 0000 0000 0001"
		"2001 0db8 0000 0000 0000 0000 0000 0002 3a00 0001",
	};
	for (size_t i = 0; i < 3; i++) {
		struct pkt p;
		load(&p, cases[i]);
		struct sk_ipv6_walk w;
		assert_int_equal(sk_ipv6_walk(p.b, &p.h, &w), -SK_WIRE6_EXT_TRUNCATED);
		assert_int_equal(w.icmp, 0);
		assert_int_equal(w.pointer, 40);
	}
	/* Link padding after the payload is not read as header bytes. */
	struct pkt p;
	load(&p, cases[0]);
	memset(p.b + p.len, 0, 8);
	struct sk_ipv6 h;
	assert_int_equal(sk_ipv6_parse(p.b, p.len + 8, &h), 40);
	struct sk_ipv6_walk w;
	assert_int_equal(sk_ipv6_walk(p.b, &h, &w), -SK_WIRE6_EXT_TRUNCATED);
}

/* Non-atomic fragments stop the walk after the fragment header (RFC 8200 4.5). */
static void test_ipv6_walk_fragments(void **state)
{
	(void)state;
	const char *hex[2] = {V_FRAG1, V_FRAG2};
	for (int i = 0; i < 2; i++) {
		struct pkt p;
		load(&p, hex[i]);
		struct sk_ipv6_walk w;
		assert_int_equal(sk_ipv6_walk(p.b, &p.h, &w), 0);
		assert_true(w.fragment);
		assert_true(w.has_frag);
		assert_int_equal(w.proto, SK_IPPROTO_ICMPV6);
		assert_int_equal(w.off, 48);
		assert_int_equal(w.nh_off, 40);
		assert_int_equal(w.frag_off, 40);
		assert_int_equal(w.frag_nh_off, 6); /* the fixed header named it */
		assert_int_equal(w.frag.offset, i ? 16 : 0);
		assert_int_equal(w.frag.more, i ? 0 : 1);
		assert_int_equal(w.frag.id, 0x1237);
		assert_int_equal(w.seen, SK_IPV6_SEEN_FRAGMENT);
		/* The header re-emits to Linux-accepted bytes. */
		uint8_t fh[8];
		assert_int_equal(sk_ipv6_frag_emit(fh, sizeof(fh), &w.frag), 8);
		assert_memory_equal(fh, p.b + 40, 8);
	}
	struct sk_ipv6_frag f = {.next = 6, .offset = 65528, .more = 1, .id = 0xdeadbeef}, r;
	uint8_t fh[8];
	assert_int_equal(sk_ipv6_frag_emit(fh, sizeof(fh), &f), 8);
	assert_int_equal(sk_ipv6_frag_parse(fh, 8, &r), 8);
	assert_int_equal(r.offset, 65528);
	assert_int_equal(r.more, 1);
	assert_int_equal(r.id, 0xdeadbeef);
	assert_int_equal(r.next, 6);
	fh[1] = 0xff; /* reserved fields are ignored */
	fh[3] |= 6;
	assert_int_equal(sk_ipv6_frag_parse(fh, 8, &r), 8);
	assert_int_equal(r.offset, 65528);
	assert_int_equal(sk_ipv6_frag_parse(fh, 7, &r), -SK_WIRE_TRUNCATED);
	assert_int_equal(sk_ipv6_frag_emit(fh, 7, &f), -SK_WIRE_NOSPACE);
	f.offset = 12;
	assert_int_equal(sk_ipv6_frag_emit(fh, 8, &f), -SK_WIRE_INVALID);
}

/* The option iterator over Linux's MLD hop-by-hop header (router alert, PadN) and the
 * destination options of DST_ICMP (Pad1, then 0x9e). */
static void test_ipv6_options(void **state)
{
	(void)state;
	struct pkt p;
	load(&p, V_MLD_HBH);
	size_t pos = 0;
	struct sk_ipv6_opt o;
	assert_int_equal(sk_ipv6_opt_next(p.b + 40, 8, &pos, &o), 1);
	assert_int_equal(o.type, 5);
	assert_int_equal(o.len, 2);
	assert_int_equal(o.off, 2);
	assert_int_equal(sk_get16(o.data), 0); /* MLD (RFC 2711) */
	assert_int_equal(sk_ipv6_opt_next(p.b + 40, 8, &pos, &o), 1);
	assert_int_equal(o.type, SK_IPV6_OPT_PADN);
	assert_int_equal(o.len, 0);
	assert_int_equal(sk_ipv6_opt_next(p.b + 40, 8, &pos, &o), 0);
	load(&p, V_DST_ICMP);
	pos = 0;
	assert_int_equal(sk_ipv6_opt_next(p.b + 40, 8, &pos, &o), 1);
	assert_int_equal(o.type, SK_IPV6_OPT_PAD1);
	assert_null(o.data);
	assert_int_equal(sk_ipv6_opt_next(p.b + 40, 8, &pos, &o), 1);
	assert_int_equal(o.type, 0x9e);
	assert_int_equal(o.off, 3);
	assert_int_equal(sk_ipv6_opt_action(o.type), SK_IPV6_OPT_DROP_ICMP);
	/* An option with no room for its length byte, or whose data runs past. */
	const uint8_t lone[8] = {59, 0, 1, 3, 0, 0, 0, 0x1e};
	pos = 0;
	assert_int_equal(sk_ipv6_opt_next(lone, 8, &pos, &o), 1);
	assert_int_equal(sk_ipv6_opt_next(lone, 8, &pos, &o), -SK_WIRE6_OPT_MALFORMED);
	assert_int_equal(pos, 7);
	load(&p, V_DST_MALFORMED);
	pos = 0;
	assert_int_equal(sk_ipv6_opt_next(p.b + 40, 8, &pos, &o), -SK_WIRE6_OPT_MALFORMED);
	assert_int_equal(pos, 2);
}

/* The lenient skip used on quotes: by lengths only, stopping at later fragments. */
static void test_ipv6_skip_ext(void **state)
{
	(void)state;
	struct pkt p;
	load(&p, V_HBH_NOT_FIRST); /* the walk refuses it, the skip goes through */
	uint8_t nh = p.h.next;
	size_t off = 40;
	assert_int_equal(sk_ipv6_skip_ext(p.b, p.len, &nh, &off), 0);
	assert_int_equal(nh, SK_IPPROTO_ICMPV6);
	assert_int_equal(off, 56);
	nh = p.h.next;
	off = 40;
	assert_int_equal(sk_ipv6_skip_ext(p.b, 50, &nh, &off), -SK_WIRE6_EXT_TRUNCATED);
	load(&p, V_FRAG2);
	nh = p.h.next;
	off = 40;
	assert_int_equal(sk_ipv6_skip_ext(p.b, p.len, &nh, &off), 0);
	assert_int_equal(nh, SK_IPPROTO_FRAGMENT);
	assert_int_equal(off, 40);
	load(&p, V_FRAG1);
	nh = p.h.next;
	off = 40;
	assert_int_equal(sk_ipv6_skip_ext(p.b, p.len, &nh, &off), 0);
	assert_int_equal(nh, SK_IPPROTO_ICMPV6);
	assert_int_equal(off, 48);
	assert_int_equal(sk_ipv6_ext_len(SK_IPPROTO_TCP, p.b, 8), 0);
	assert_int_equal(sk_ipv6_ext_len(SK_IPPROTO_DSTOPTS, p.b, 1), 0);
}

/* Address classes, the solicited-node group and its MAC, against what Linux used. */
static void test_ipv6_addr_classes(void **state)
{
	(void)state;
	uint8_t a[16], g[16], mac[6];
	addr("::", a);
	assert_true(sk_ipv6_is_unspecified(a));
	assert_false(sk_ipv6_is_loopback(a));
	addr("::1", a);
	assert_true(sk_ipv6_is_loopback(a));
	assert_false(sk_ipv6_is_unspecified(a));
	addr("::ffff:192.0.2.1", a);
	assert_true(sk_ipv6_is_v4mapped(a));
	addr("::192.0.2.1", a);
	assert_false(sk_ipv6_is_v4mapped(a));
	addr("febf::1", a);
	assert_true(sk_ipv6_is_linklocal(a));
	addr("fec0::1", a);
	assert_false(sk_ipv6_is_linklocal(a));
	assert_false(sk_ipv6_is_multicast(a));
	addr("ff02::1:ff12:3456", a);
	assert_true(sk_ipv6_is_multicast(a));
	assert_true(sk_ipv6_is_solicited_node(a));
	addr("ff02::2:ff12:3456", a);
	assert_false(sk_ipv6_is_solicited_node(a));
	/* Linux's DAD for 2001:db8::b went to ff02::1:ff00:b, as Ethernet 33:33:ff:00:00:0b. */
	struct pkt p;
	load(&p, V_DAD_NS);
	addr("2001:db8::b", a);
	sk_ipv6_solicited_node(a, g);
	assert_memory_equal(g, p.h.dst, 16);
	sk_ipv6_mcast_mac(g, mac);
	assert_memory_equal(mac, ((const uint8_t[]){0x33, 0x33, 0xff, 0x00, 0x00, 0x0b}), 6);
	addr("fe80::1234:5678:9abc:def0", a);
	sk_ipv6_solicited_node(a, a); /* in place */
	addr("ff02::1:ffbc:def0", g);
	assert_memory_equal(a, g, 16);
}

/* RFC 5952's recommendations (4.1 no leading zeros, 4.2.2 no "::" for one group, 4.2.3
 * the first of equal runs, 4.3 lowercase, 5 mapped IPv4) and glibc's inet_ntop for each. */
static void test_ipv6_ntop_rfc5952(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
		{"2001:DB8::ABCD", "2001:db8::abcd"},
		{"0:0:0:0:0:0:0:0", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"1:0:0:0:0:0:0:0", "1::"},
		{"0:0:1:0:0:0:1:0", "0:0:1::1:0"},
		{"::ffff:c000:0201", "::ffff:192.0.2.1"},
		{"::c000:201", "::192.0.2.1"},
		{"::1:0", "::0.1.0.0"}, /* inet_ntop's IPv4-compatible form */
		{"::ffff:0:0", "::ffff:0.0.0.0"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"fe80::ff:fe00:a", "fe80::ff:fe00:a"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t a[16];
		char mine[SK_IPV6_ADDRSTRLEN], libc[INET6_ADDRSTRLEN];
		addr(cases[i][0], a);
		assert_string_equal(sk_ipv6_ntop(a, mine), cases[i][1]);
		assert_string_equal(inet_ntop(AF_INET6, a, libc, sizeof(libc)), cases[i][1]);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* An address whose groups are zero by the bits of 'zeros', others random (sometimes
 * 0xffff, to meet the IPv4-mapped form). */
static void random_addr(uint8_t a[16], unsigned zeros)
{
	for (int g = 0; g < 8; g++) {
		uint16_t v = (uint16_t)rnd();
		if (zeros >> g & 1)
			v = 0;
		else if (rnd() % 8 == 0)
			v = rnd() % 2 ? 0xffff : (uint16_t)(v & 0xff);
		sk_put16(a + 2 * g, v);
	}
}

/* sk_ipv6_ntop and glibc's inet_ntop agree on every zero pattern and random groups, and
 * sk_ipv6_pton reads back what either wrote. */
static void test_ipv6_ntop_vs_glibc(void **state)
{
	(void)state;
	unsigned n = 0;
	for (unsigned round = 0; round < 400; round++) {
		for (unsigned zeros = 0; zeros < 256; zeros++, n++) {
			uint8_t a[16], back[16];
			random_addr(a, zeros);
			char mine[SK_IPV6_ADDRSTRLEN], libc[INET6_ADDRSTRLEN];
			sk_ipv6_ntop(a, mine);
			inet_ntop(AF_INET6, a, libc, sizeof(libc));
			if (strcmp(mine, libc) != 0)
				fail_msg("ntop %s, glibc %s", mine, libc);
			assert_int_equal(sk_ipv6_pton(mine, back), 0);
			assert_memory_equal(a, back, 16);
		}
	}
	assert_int_equal(n, 102400);
}

/* Strings near valid ones: a valid text form (any case, leading zeros, dotted tail, ...)
 * with a few characters replaced, inserted or removed. */
static void mutate(char *s, size_t cap)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.:.:0fg %";
	size_t len = strlen(s);
	int edits = (int)(rnd() % 3);
	for (int e = 0; e <= edits; e++) {
		size_t at = len ? rnd() % (len + 1) : 0;
		char c = alphabet[rnd() % (sizeof(alphabet) - 1)];
		switch (rnd() % 3) {
		case 0:
			if (at < len)
				s[at] = c;
			break;
		case 1:
			if (len + 1 < cap) {
				memmove(s + at + 1, s + at, len - at + 1);
				s[at] = c;
				len++;
			}
			break;
		default:
			if (at < len) {
				memmove(s + at, s + at + 1, len - at);
				len--;
			}
		}
	}
}

/* A text form of a as glibc or a person might write it: compressed, full, with leading
 * zeros, upper case, or with a dotted quad at the end. */
static void some_text(const uint8_t a[16], char *s, size_t cap)
{
	switch (rnd() % 4) {
	case 0:
		inet_ntop(AF_INET6, a, s, (socklen_t)cap);
		break;
	case 1:
		snprintf(s, cap, "%04x:%04x:%04x:%04x:%04x:%04x:%04X:%04X", sk_get16(a),
			 sk_get16(a + 2), sk_get16(a + 4), sk_get16(a + 6), sk_get16(a + 8),
			 sk_get16(a + 10), sk_get16(a + 12), sk_get16(a + 14));
		break;
	case 2:
		snprintf(s, cap, "%x:%x:%x:%x:%x:%x:%u.%u.%u.%u", sk_get16(a), sk_get16(a + 2),
			 sk_get16(a + 4), sk_get16(a + 6), sk_get16(a + 8), sk_get16(a + 10), a[12],
			 a[13], a[14], a[15]);
		break;
	default:
		snprintf(s, cap, "%X::%x:%u.%u.%u.%u", sk_get16(a), sk_get16(a + 10), a[12], a[13],
			 a[14], a[15]);
	}
}

/* sk_ipv6_pton accepts exactly what glibc's inet_pton(AF_INET6) accepts, with the same
 * result, on hand-picked edge cases and 300000 mutated strings. */
static void test_ipv6_pton_vs_glibc(void **state)
{
	(void)state;
	/* clang-format off */
	const char *edge[] = {
		"", ":", "::", ":::", "1::", "1:", ":1", "::1:", "1::2::3", "1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7:8:", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8", "12345::", "0::0", "::ffff:1.2.3.4", "::1.2.3.4", "1.2.3.4",
		"::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "::0.2.3.4", "::256.1.1.1", "::1.2.3.4:5",
		"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4",
		"::a.2.3.4", "::1234.1.1.1", "::12.34.56.78", "fe80::1%eth0", " ::1", "::1 ",
		"::1.2.3.4.", "::.1.2.3", "1:2:3:4:5:6::1.2.3.4", "FFFF::FFFF", "0000:0000::00000",
		"1:2:3:4:5:6:7:8:9", "::ffff:255.255.255.255", "::ffff:0.0.0.0", "::ffff:00.0.0.0",
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		uint8_t mine[16], libc[16];
		int m = sk_ipv6_pton(edge[i], mine), l = inet_pton(AF_INET6, edge[i], libc);
		if ((m == 0) != (l == 1))
			fail_msg("\"%s\": synack %d, glibc %d", edge[i], m, l);
		if (m == 0)
			assert_memory_equal(mine, libc, 16);
	}
	unsigned accepted = 0;
	for (int i = 0; i < 300000; i++) {
		uint8_t a[16], mine[16], libc[16];
		char s[64];
		random_addr(a, rnd() & 0xff);
		some_text(a, s, 48);
		if (i % 4)
			mutate(s, sizeof(s));
		int m = sk_ipv6_pton(s, mine), l = inet_pton(AF_INET6, s, libc);
		if ((m == 0) != (l == 1))
			fail_msg("\"%s\": synack %d, glibc %d", s, m, l);
		if (m == 0) {
			assert_memory_equal(mine, libc, 16);
			accepted++;
		}
	}
	/* Both outcomes are well represented. */
	assert_true(accepted > 80000 && accepted < 250000);
}

/* RFC 8200 8.1: the pseudo-header, against the plain reference sum of the layout written
 * out byte by byte, and UDP checksums Linux computed. */
static void test_ipv6_pseudo_header(void **state)
{
	(void)state;
	struct pkt p;
	load(&p, V_UDP_HELLO);
	uint8_t ph[40] = {0}; /* source, destination, 32-bit length, 3 zero bytes, next header */
	memcpy(ph, p.h.src, 16);
	memcpy(ph + 16, p.h.dst, 16);
	sk_put32(ph + 32, 0x12345);
	ph[39] = SK_IPPROTO_UDP;
	assert_int_equal(sk_csum_pseudo6(p.h.src, p.h.dst, SK_IPPROTO_UDP, 0x12345),
			 sk_csum_add_ref(0, ph, 40));
	const char *udp[] = {V_UDP_HELLO, V_UDP_EMPTY, V_UDP_FFFF};
	const uint16_t linux_sum[] = {0x87ec, 0x92e0, 0x1ad2};
	for (int i = 0; i < 3; i++) {
		load(&p, udp[i]);
		uint8_t *d = p.b + 40;
		size_t len = p.len - 40;
		assert_true(sk_udp6_checksum_ok(p.h.src, p.h.dst, d, len));
		sk_put16(d + 6, 0);
		assert_int_equal(sk_csum_l4v6(p.h.src, p.h.dst, SK_IPPROTO_UDP, d, len),
				 linux_sum[i]);
		assert_false(sk_udp6_checksum_ok(p.h.src, p.h.dst, d,
						 len)); /* 0: none sent, invalid over IPv6 */
		sk_put16(d + 6, linux_sum[i]);
		d[len - 1] ^= 1;
		assert_false(sk_udp6_checksum_ok(p.h.src, p.h.dst, d, len));
	}
	assert_false(sk_udp6_checksum_ok(p.h.src, p.h.dst, p.b + 40, 7));
	/* A datagram whose checksum computes to 0 is sent with 0xffff, which verifies. */
	load(&p, V_UDP_EMPTY);
	uint8_t d[10];
	memcpy(d, p.b + 40, 8);
	sk_put16(d + 4, 10);
	sk_put16(d + 6, 0);
	sk_put16(d + 8, 0);
	memcpy(ph, p.h.src, 16);
	memcpy(ph + 16, p.h.dst, 16);
	sk_put32(ph + 32, 10);
	uint32_t s = sk_csum_add_ref(sk_csum_add_ref(0, ph, 40), d, 10);
	sk_put16(d + 8, (uint16_t)~s); /* makes the one's complement sum 0xffff */
	assert_int_equal(sk_csum_l4v6(p.h.src, p.h.dst, SK_IPPROTO_UDP, d, 10), 0);
	sk_put16(d + 6, 0xffff);
	assert_true(sk_udp6_checksum_ok(p.h.src, p.h.dst, d, 10));
}

static void test_wire6_strerror(void **state)
{
	(void)state;
	for (int e = SK_WIRE6_BASE; e < SK_WIRE6_ERR_END; e++) {
		assert_string_not_equal(sk_wire6_strerror(-e), "unknown error");
		for (int f = SK_WIRE6_BASE; f < e; f++)
			assert_string_not_equal(sk_wire6_strerror(e), sk_wire6_strerror(f));
	}
	assert_string_equal(sk_wire6_strerror(-SK_WIRE6_UNKNOWN_NEXT), "unrecognized next header");
	assert_string_equal(sk_wire6_strerror(-SK_WIRE_TRUNCATED), "truncated");
	assert_string_equal(sk_wire6_strerror(SK_WIRE6_ERR_END), "unknown error");
	assert_string_equal(sk_wire6_strerror(SK_WIRE6_BASE - 1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv6_header),
		cmocka_unit_test(test_ipv6_header_emit),
		cmocka_unit_test(test_ipv6_walk_accepts),
		cmocka_unit_test(test_ipv6_walk_no_next),
		cmocka_unit_test(test_ipv6_walk_rejects_like_linux),
		cmocka_unit_test(test_ipv6_walk_truncated),
		cmocka_unit_test(test_ipv6_walk_fragments),
		cmocka_unit_test(test_ipv6_options),
		cmocka_unit_test(test_ipv6_skip_ext),
		cmocka_unit_test(test_ipv6_addr_classes),
		cmocka_unit_test(test_ipv6_ntop_rfc5952),
		cmocka_unit_test(test_ipv6_ntop_vs_glibc),
		cmocka_unit_test(test_ipv6_pton_vs_glibc),
		cmocka_unit_test(test_ipv6_pseudo_header),
		cmocka_unit_test(test_wire6_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
