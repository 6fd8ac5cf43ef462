/* ICMPv6 and Neighbor Discovery parse/emit against the messages Linux sent and answered. */
#include "testutil.h"

#include <arpa/inet.h>
#include <string.h>

#include "ipv6_vectors.h"
#include "wire/checksum.h"
#include "wire/ndp.h"

struct pkt {
	uint8_t b[1500];
	size_t len;
	struct sk_ipv6 h;
	struct sk_icmp6 m; /* the ICMPv6 message after the fixed header */
};

/* Loads an IPv6 packet whose ICMPv6 message starts at 'at', checksum verified. */
static void load_at(struct pkt *p, const char *hex, size_t at)
{
	p->len = sk_test_hex(hex, p->b, sizeof(p->b));
	assert_int_equal(sk_ipv6_parse(p->b, p->len, &p->h), 40);
	assert_int_equal(sk_icmp6_parse(p->b + at, p->len - at, p->h.src, p->h.dst, &p->m,
					SK_ICMP6_VERIFY_CSUM),
			 8);
}

static void load(struct pkt *p, const char *hex)
{
	load_at(p, hex, 40);
}

/* Echo (RFC 4443 4): Linux's reply to our request is what sk_icmp6_emit makes of it. */
static void test_icmp6_echo(void **state)
{
	(void)state;
	struct pkt req, rep;
	load_at(&req, V_HBH_PADN_ECHO, 48); /* behind a hop-by-hop header */
	load(&rep, V_ECHO_REPLY);
	assert_int_equal(req.m.type, SK_ICMP6_ECHO_REQUEST);
	assert_int_equal(sk_icmp6_echo_id(&req.m), 0x4242);
	assert_int_equal(sk_icmp6_echo_seq(&req.m), 1);
	assert_int_equal(req.m.data_len, 8);
	assert_false(sk_icmp6_is_error(req.m.type));
	assert_int_equal(rep.m.type, SK_ICMP6_ECHO_REPLY);
	struct sk_icmp6 e = req.m;
	e.type = SK_ICMP6_ECHO_REPLY;
	uint8_t out[64];
	assert_int_equal(sk_icmp6_emit(out, sizeof(out), req.h.dst, req.h.src, &e), 16);
	assert_memory_equal(out, rep.b + 40, 16);
	/* A flipped bit, a wrong pseudo-header address, a short message. */
	rep.b[50] ^= 1;
	struct sk_icmp6 m;
	assert_int_equal(
		sk_icmp6_parse(rep.b + 40, 16, rep.h.src, rep.h.dst, &m, SK_ICMP6_VERIFY_CSUM),
		-SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(sk_icmp6_parse(rep.b + 40, 16, rep.h.src, rep.h.dst, &m, 0), 8);
	rep.b[50] ^= 1;
	assert_int_equal(
		sk_icmp6_parse(rep.b + 40, 16, rep.h.dst, rep.h.src, &m, SK_ICMP6_VERIFY_CSUM), 8);
	assert_int_equal(
		sk_icmp6_parse(rep.b + 40, 16, rep.h.src, rep.h.src, &m, SK_ICMP6_VERIFY_CSUM),
		-SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(sk_icmp6_parse(rep.b + 40, 7, rep.h.src, rep.h.dst, &m, 0),
			 -SK_WIRE_TRUNCATED);
	assert_int_equal(sk_icmp6_emit(out, 15, req.h.dst, req.h.src, &e), -SK_WIRE_NOSPACE);
	e.data_len = 0xffff - 7;
	assert_int_equal(sk_icmp6_emit(out, sizeof(out), req.h.dst, req.h.src, &e),
			 -SK_WIRE_INVALID);
}

struct answer {
	const char *invoking; /* what Linux got */
	const char *answer;   /* its ICMPv6 error */
	uint8_t type, code;
	uint32_t rest;
	uint8_t hop_limit; /* of the quote: a router quotes what it forwarded */
};

/* Every error Linux sent, byte for byte: sk_icmp6_emit_error of the invoking packet with
 * Linux's type, code and pointer gives Linux's message, checksum included. */
static void test_icmp6_errors_like_linux(void **state)
{
	(void)state;
	/* clang-format off */
	const struct answer cases[] = {
		{V_DST_ICMP, V_PP_DST_ICMP, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_OPTION, 43, 64},
		{V_DST_UCAST, V_PP_DST_UCAST, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_OPTION, 42, 64},
		{V_HBH_ICMP, V_PP_HBH_ICMP, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_OPTION, 44, 64},
		{V_HBH_NOT_FIRST, V_PP_HBH_NOT_FIRST, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_NEXTHEADER, 40, 64},
		{V_NH_253, V_PP_NH_253, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_NEXTHEADER, 6, 64},
		{V_DST_NH_200, V_PP_DST_NH_200, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_NEXTHEADER, 40, 64},
		{V_RH_SL1, V_PP_RH_SL1, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_HEADER, 42, 64},
		{V_FRAG_BADLEN, V_PP_FRAG_BADLEN, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_HEADER, 4, 64},
		{V_FRAG_TOOBIG, V_PP_FRAG_TOOBIG, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_HEADER, 42, 64},
		{V_FRAG_CUT_TCP, V_PP_FRAG_CUT_TCP, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_FIRSTFRAG, 0, 64},
		{V_FRAG_CUT_DST, V_PP_FRAG_CUT_DST, SK_ICMP6_PARAM_PROB, SK_ICMP6_PARAMPROB_FIRSTFRAG, 0, 64},
		{V_HLIM1, V_TIMXCEED, SK_ICMP6_TIME_EXCEEDED, SK_ICMP6_TIMXCEED_HOPLIMIT, 0, 1},
		{V_NOROUTE_INV, V_UNREACH_NOROUTE, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_NOROUTE, 0, 64},
		{V_ADMIN_INV, V_UNREACH_ADMIN, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_ADMIN, 0, 64},
		{V_ADDR_INV, V_UNREACH_ADDR, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_ADDR, 0, 63},
		{V_UDP_PORT_INV, V_UNREACH_PORT, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_PORT, 0, 64},
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct answer *c = &cases[i];
		struct pkt inv, ans;
		inv.len = sk_test_hex(c->invoking, inv.b, sizeof(inv.b));
		inv.b[7] = c->hop_limit;
		load(&ans, c->answer);
		assert_int_equal(ans.m.type, c->type);
		assert_int_equal(ans.m.code, c->code);
		assert_int_equal(sk_icmp6_pointer(&ans.m), c->rest);
		assert_true(sk_icmp6_is_error(ans.m.type));
		uint8_t out[1280];
		int n = sk_icmp6_emit_error(out, sizeof(out), ans.h.src, ans.h.dst, c->type,
					    c->code, c->rest, inv.b, inv.len);
		assert_int_equal(n, ans.h.payload_len);
		assert_memory_equal(out, ans.b + 40, (size_t)n);
		/* The quote gives back the invoking packet's addresses. */
		struct sk_icmp6_quote q;
		assert_int_equal(sk_icmp6_parse_quote(&ans.m, &q), 0);
		assert_memory_equal(q.ip.src, inv.b + 8, 16);
		assert_memory_equal(q.ip.dst, inv.b + 24, 16);
		assert_int_equal(q.ip.hop_limit, c->hop_limit);
	}
	uint8_t out[64], z[16] = {0};
	assert_int_equal(
		sk_icmp6_emit_error(out, sizeof(out), z, z, SK_ICMP6_ECHO_REPLY, 0, 0, z, 8),
		-SK_WIRE_INVALID);
}

/* RFC 4443 2.4(c): the packet too big Linux sent for 1400 bytes is 1280 bytes long, its
 * quote cut at 1232; sk_icmp6_emit_error cuts at the same byte and gets Linux's checksum. */
static void test_icmp6_packet_too_big(void **state)
{
	(void)state;
	uint8_t inv[1400], linux_head[48], out[1500];
	assert_int_equal(sk_test_hex(V_PTB_INVOKING_HEAD, inv, sizeof(inv)), 48);
	for (int i = 48; i < 1400; i++)
		inv[i] = (uint8_t)(i - 48);
	assert_int_equal(sk_test_hex(V_PTB_HEAD, linux_head, sizeof(linux_head)), 48);
	struct sk_ipv6 h;
	assert_int_equal(sk_ipv6_parse(inv, sizeof(inv), &h), 40);
	assert_int_equal(sk_csum_l4v6(h.src, h.dst, SK_IPPROTO_ICMPV6, inv + 40, 1360), 0);
	struct sk_ipv6 lh;
	/* Only its head is here. */
	assert_int_equal(sk_ipv6_parse(linux_head, 48, &lh), -SK_WIRE_TRUNCATED);
	const uint8_t *b = linux_head + 8, *a = linux_head + 24;
	int n = sk_icmp6_emit_error(out, sizeof(out), b, a, SK_ICMP6_PKT_TOO_BIG, 0, 1280, inv,
				    sizeof(inv));
	assert_int_equal(n, SK_IPV6_MIN_MTU - SK_IPV6_HLEN);
	assert_int_equal(sk_get16(linux_head + 4), n);
	assert_memory_equal(out, linux_head + 40, 8);
	assert_memory_equal(out + 8, inv, SK_ICMP6_ERR_QUOTE_MAX);
	struct sk_icmp6 m;
	assert_int_equal(sk_icmp6_parse(out, (size_t)n, b, a, &m, SK_ICMP6_VERIFY_CSUM), 8);
	assert_int_equal(sk_icmp6_mtu(&m), 1280);
	assert_int_equal(sk_icmp6_emit_error(out, 100, b, a, SK_ICMP6_PKT_TOO_BIG, 0, 1280, inv,
					     sizeof(inv)),
			 -SK_WIRE_NOSPACE);
	/* A short invoking packet is quoted whole. */
	assert_int_equal(sk_icmp6_emit_error(out, sizeof(out), b, a, SK_ICMP6_PKT_TOO_BIG, 0, 1280,
					     inv, 100),
			 108);
}

/* The quote's upper layer: UDP ports, a hand-built TCP quote's sequence number (RFC 9293
 * 3.1 layout), extension headers skipped by length, a later fragment, cut quotes. */
static void test_icmp6_quote(void **state)
{
	(void)state;
	struct pkt p;
	struct sk_icmp6_quote q;
	load(&p, V_UNREACH_PORT);
	assert_int_equal(sk_icmp6_parse_quote(&p.m, &q), 0);
	assert_int_equal(q.proto, SK_IPPROTO_UDP);
	assert_int_equal(q.l4_off, 40);
	assert_int_equal(q.l4_len, 11);
	assert_int_equal(q.sport, 51066);
	assert_int_equal(q.dport, 9);
	load(&p, V_PP_HBH_NOT_FIRST); /* destination options, hop-by-hop, echo request */
	assert_int_equal(sk_icmp6_parse_quote(&p.m, &q), 0);
	assert_int_equal(q.proto, SK_IPPROTO_ICMPV6);
	assert_int_equal(q.l4_off, 56);
	assert_int_equal(q.l4[0], SK_ICMP6_ECHO_REQUEST);
	assert_int_equal(q.sport, 0);
	p.m.data_len = 50; /* cut inside the hop-by-hop header */
	assert_int_equal(sk_icmp6_parse_quote(&p.m, &q), -SK_WIRE6_EXT_TRUNCATED);
	p.m.data_len = 39;
	assert_int_equal(sk_icmp6_parse_quote(&p.m, &q), -SK_WIRE_TRUNCATED);
	/* A time exceeded for a later fragment carries no upper-layer header. */
	uint8_t inv[64];
	size_t n = sk_test_hex(V_FRAG2, inv, sizeof(inv));
	struct sk_icmp6 m = {.type = SK_ICMP6_TIME_EXCEEDED,
			     .code = SK_ICMP6_TIMXCEED_REASM,
			     .data = inv,
			     .data_len = n};
	assert_int_equal(sk_icmp6_parse_quote(&m, &q), 0);
	assert_int_equal(q.proto, SK_IPPROTO_FRAGMENT);
	assert_int_equal(q.l4_off, 40);
	/* TCP 2001:db8::a.40000 > 2001:db8::b.80, seq 0x01020304, as a quoted packet. */
	n = sk_test_hex("6000 0000 0014 0640 2001 0db8 0000 0000 0000 0000 0000 000a"
			"2001 0db8 0000 0000 0000 0000 0000 000b 9c40 0050 0102 0304",
			inv, sizeof(inv));
	m.data_len = n;
	assert_int_equal(sk_icmp6_parse_quote(&m, &q), 0);
	assert_int_equal(q.proto, SK_IPPROTO_TCP);
	assert_int_equal(q.sport, 40000);
	assert_int_equal(q.dport, 80);
	assert_int_equal(q.tcp_seq, 0x01020304);
	assert_int_equal(q.ip.payload_len, 20); /* as the packet said, not what the quote holds */
	assert_int_equal(q.l4_len, 8);
	inv[0] = 0x45;
	assert_int_equal(sk_icmp6_parse_quote(&m, &q), -SK_WIRE_BAD_VERSION);
	m.type = SK_ICMP6_ECHO_REPLY;
	assert_int_equal(sk_icmp6_parse_quote(&m, &q), -SK_WIRE_UNSUPPORTED);
}

/* RFC 4443 2.4(e): when an error may be sent at all. */
static void test_icmp6_error_allowed(void **state)
{
	(void)state;
	uint8_t b[1500];
	size_t n = sk_test_hex(V_NOROUTE_INV, b, sizeof(b));
	assert_true(sk_icmp6_error_allowed(b, n, SK_ICMP6_UNREACH, 0, 0, 0));
	/* Received as a link-layer multicast. */
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_UNREACH, 0, 0, 1));
	assert_true(sk_icmp6_error_allowed(b, n, SK_ICMP6_PKT_TOO_BIG, 0, 1280, 1));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_ECHO_REPLY, 0, 0, 0));
	assert_false(sk_icmp6_error_allowed(b, 39, SK_ICMP6_UNREACH, 0, 0, 0));
	/* (e.1) never about an error, (e.2) nor a redirect. */
	n = sk_test_hex(V_UNREACH_PORT, b, sizeof(b));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 0, 0, 0));
	n = sk_test_hex(V_REDIRECT, b, sizeof(b));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 0, 0, 0));
	/* (e.3) to a multicast address: only a packet too big, or code 2 for an option
	 * whose type asks for it even then (action 10). DST_UCAST_MCAST's is 0xde (11). */
	n = sk_test_hex(V_DST_UCAST_MCAST, b, sizeof(b));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 2, 42, 0));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 2, 4000, 0));
	assert_true(sk_icmp6_error_allowed(b, n, SK_ICMP6_PKT_TOO_BIG, 0, 1280, 0));
	b[42] = 0x9e;
	assert_true(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 2, 42, 0));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 0, 42, 0));
	/* (e.6) from the unspecified address (Linux's MLD report) or a multicast one. */
	n = sk_test_hex(V_MLD_HBH, b, sizeof(b));
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 0, 0, 0));
	n = sk_test_hex(V_NOROUTE_INV, b, sizeof(b));
	b[8] = 0xff;
	assert_false(sk_icmp6_error_allowed(b, n, SK_ICMP6_UNREACH, 0, 0, 0));
	/* An echo request behind extension headers is still answered. */
	n = sk_test_hex(V_HBH_NOT_FIRST, b, sizeof(b));
	assert_true(sk_icmp6_error_allowed(b, n, SK_ICMP6_PARAM_PROB, 1, 40, 0));
}

/* Linux's neighbor discovery, and the RA and redirect that tshark decoded, as parsed. */
static void test_nd_parse(void **state)
{
	(void)state;
	struct pkt p;
	struct sk_nd nd;
	const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0x0a}, mac_b[6] = {2, 0, 0, 0, 0, 0x0b};
	uint8_t a[16];

	load(&p, V_DAD_NS); /* from ::, a nonce option that is not ours to read */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_int_equal(nd.type, SK_ICMP6_ND_NS);
	inet_pton(AF_INET6, "fe80::ff:fe00:b", a);
	assert_memory_equal(nd.target, a, 16);
	assert_null(nd.src_ll);
	assert_int_equal(nd.opts_len, 8);

	load(&p, V_NS_SLLA);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	inet_pton(AF_INET6, "2001:db8::a", a);
	assert_memory_equal(nd.target, a, 16);
	assert_int_equal(nd.src_ll_len, 6);
	assert_memory_equal(nd.src_ll, mac_b, 6);

	load(&p, V_NA_SO_TLLA);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_int_equal(nd.flags, SK_ND_NA_SOLICITED | SK_ND_NA_OVERRIDE);
	assert_memory_equal(nd.tgt_ll, mac_a, 6);
	assert_null(nd.src_ll);

	load(&p, V_NA_R_S);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_int_equal(nd.flags, SK_ND_NA_ROUTER | SK_ND_NA_SOLICITED);
	assert_null(nd.tgt_ll);

	load(&p, V_RS);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_int_equal(nd.type, SK_ICMP6_ND_RS);
	assert_memory_equal(nd.src_ll, mac_a, 6);

	const char *more[] = {V_NS_LL_TO_UNICAST, V_NS_LL, V_NA_LL};
	for (int i = 0; i < 3; i++) {
		load(&p, more[i]);
		assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	}

	load(&p, V_RA);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_int_equal(nd.cur_hop_limit, 64);
	assert_int_equal(nd.flags, SK_ND_RA_MANAGED | SK_ND_RA_OTHER);
	assert_int_equal(nd.router_lifetime, 1800);
	assert_int_equal(nd.reachable_time, 30000);
	assert_int_equal(nd.retrans_timer, 1000);
	assert_memory_equal(nd.src_ll, mac_b, 6);
	assert_true(nd.has_mtu);
	assert_int_equal(nd.mtu, 1500);
	assert_int_equal(nd.n_prefix, 1);
	size_t pos = 0;
	struct sk_nd_opt o;
	struct sk_nd_prefix pi;
	int prefixes = 0;
	while (sk_nd_opt_next(nd.opts, nd.opts_len, &pos, &o) > 0) {
		if (o.type != SK_ND_OPT_PREFIX)
			continue;
		assert_int_equal(sk_nd_prefix_parse(&o, &pi), 0);
		assert_int_equal(pi.prefix_len, 64);
		assert_int_equal(pi.flags, SK_ND_PREFIX_ONLINK | SK_ND_PREFIX_AUTO);
		assert_int_equal(pi.valid, 2592000);
		assert_int_equal(pi.preferred, 604800);
		inet_pton(AF_INET6, "2001:db8:0:1::", a);
		assert_memory_equal(pi.prefix, a, 16);
		prefixes++;
	}
	assert_int_equal(prefixes, 1);

	load(&p, V_REDIRECT);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	inet_pton(AF_INET6, "fe80::c0", a);
	assert_memory_equal(nd.target, a, 16);
	inet_pton(AF_INET6, "2001:db8:99::1", a);
	assert_memory_equal(nd.dest, a, 16);
	assert_memory_equal(nd.tgt_ll, ((const uint8_t[]){2, 0, 0, 0, 0, 0xc0}), 6);
	assert_int_equal(nd.redir_len, 56);
	assert_memory_equal(nd.redir + 24, a, 16); /* the redirected packet's destination */
}

/* Each message parsed and emitted again is the same bytes, Linux's checksum included; an
 * NS and the RA and redirect built from fields and option writers are too. */
static void test_nd_emit(void **state)
{
	(void)state;
	const char *all[] = {
		V_DAD_NS,	    V_NS_SLLA, V_NA_SO_TLLA, V_NA_R_S, V_RS,
		V_NS_LL_TO_UNICAST, V_NS_LL,   V_NA_LL,	     V_RA,     V_REDIRECT,
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct pkt p;
		struct sk_nd nd;
		uint8_t out[256];
		load(&p, all[i]);
		assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
		int n = sk_nd_emit(out, sizeof(out), p.h.src, p.h.dst, &nd);
		assert_int_equal(n, p.h.payload_len);
		assert_memory_equal(out, p.b + 40, (size_t)n);
		assert_int_equal(sk_nd_opts_offset(nd.type), (size_t)(nd.opts - p.b) - 40);
		assert_int_equal(sk_nd_emit(out, (size_t)n - 1, p.h.src, p.h.dst, &nd),
				 -SK_WIRE_NOSPACE);
	}
	struct pkt p;
	uint8_t out[256];
	const uint8_t mac_b[6] = {2, 0, 0, 0, 0, 0x0b};

	load(&p, V_NS_SLLA);
	struct sk_nd ns = {.type = SK_ICMP6_ND_NS};
	inet_pton(AF_INET6, "2001:db8::a", ns.target);
	uint8_t *o = out + sk_nd_opts_offset(SK_ICMP6_ND_NS);
	int on = sk_nd_opt_lladdr_emit(o, 8, SK_ND_OPT_SRC_LLADDR, mac_b, 6);
	assert_int_equal(on, 8);
	ns.opts = o; /* already in place */
	ns.opts_len = (size_t)on;
	assert_int_equal(sk_nd_emit(out, sizeof(out), p.h.src, p.h.dst, &ns), 32);
	assert_memory_equal(out, p.b + 40, 32);

	load(&p, V_RA);
	uint8_t opts[64];
	size_t k = 0;
	k += (size_t)sk_nd_opt_lladdr_emit(opts + k, sizeof(opts) - k, SK_ND_OPT_SRC_LLADDR, mac_b,
					   6);
	k += (size_t)sk_nd_opt_mtu_emit(opts + k, sizeof(opts) - k, 1500);
	struct sk_nd_prefix pi = {.prefix_len = 64,
				  .flags = SK_ND_PREFIX_ONLINK | SK_ND_PREFIX_AUTO,
				  .valid = 2592000,
				  .preferred = 604800};
	inet_pton(AF_INET6, "2001:db8:0:1::", pi.prefix);
	k += (size_t)sk_nd_opt_prefix_emit(opts + k, sizeof(opts) - k, &pi);
	assert_int_equal(k, 48);
	struct sk_nd ra = {.type = SK_ICMP6_ND_RA,
			   .cur_hop_limit = 64,
			   .flags = SK_ND_RA_MANAGED | SK_ND_RA_OTHER,
			   .router_lifetime = 1800,
			   .reachable_time = 30000,
			   .retrans_timer = 1000,
			   .opts = opts,
			   .opts_len = k};
	assert_int_equal(sk_nd_emit(out, sizeof(out), p.h.src, p.h.dst, &ra), 64);
	assert_memory_equal(out, p.b + 40, 64);

	load(&p, V_REDIRECT);
	uint8_t inv[56];
	memcpy(inv, p.b + 96, 56); /* the echo request it quotes */
	k = (size_t)sk_nd_opt_lladdr_emit(opts, sizeof(opts), SK_ND_OPT_TGT_LLADDR,
					  (const uint8_t[]){2, 0, 0, 0, 0, 0xc0}, 6);
	struct sk_nd rd = {.type = SK_ICMP6_ND_REDIRECT};
	inet_pton(AF_INET6, "fe80::c0", rd.target);
	inet_pton(AF_INET6, "2001:db8:99::1", rd.dest);
	uint8_t ropts[128];
	memcpy(ropts, opts, k);
	k += (size_t)sk_nd_opt_redirected_emit(ropts + k, sizeof(ropts) - k, inv, 56);
	rd.opts = ropts;
	rd.opts_len = k;
	assert_int_equal(sk_nd_emit(out, sizeof(out), p.h.src, p.h.dst, &rd), 112);
	assert_memory_equal(out, p.b + 40, 112);

	struct sk_nd bad = {.type = SK_ICMP6_ECHO_REQUEST};
	assert_int_equal(sk_nd_emit(out, sizeof(out), p.h.src, p.h.dst, &bad), -SK_WIRE_INVALID);
	assert_int_equal(sk_nd_opts_offset(SK_ICMP6_ECHO_REQUEST), 0);
	bad.type = SK_ICMP6_ND_RS;
	bad.opts = ropts;
	bad.opts_len = 0xfff8;
	assert_int_equal(sk_nd_emit(out, sizeof(out), p.h.src, p.h.dst, &bad), -SK_WIRE_INVALID);
}

/* The option writers' padding, limits and cut. */
static void test_nd_option_writers(void **state)
{
	(void)state;
	uint8_t o[2048], pkt[3000];
	const uint8_t eui64[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	memset(o, 0xaa, sizeof(o));
	assert_int_equal(sk_nd_opt_lladdr_emit(o, sizeof(o), SK_ND_OPT_TGT_LLADDR, eui64, 8), 16);
	assert_int_equal(o[1], 2);
	assert_memory_equal(o + 2, eui64, 8);
	assert_memory_equal(o + 10, ((const uint8_t[6]){0}), 6);
	assert_int_equal(sk_nd_opt_lladdr_emit(o, sizeof(o), 1, eui64, 0), -SK_WIRE_INVALID);
	assert_int_equal(sk_nd_opt_lladdr_emit(o, sizeof(o), 1, pkt, 2039), -SK_WIRE_INVALID);
	assert_int_equal(sk_nd_opt_lladdr_emit(o, 15, 1, eui64, 8), -SK_WIRE_NOSPACE);
	struct sk_nd_prefix pi = {.prefix_len = 129};
	assert_int_equal(sk_nd_opt_prefix_emit(o, sizeof(o), &pi), -SK_WIRE_INVALID);
	pi.prefix_len = 64;
	assert_int_equal(sk_nd_opt_prefix_emit(o, 31, &pi), -SK_WIRE_NOSPACE);
	assert_int_equal(sk_nd_opt_mtu_emit(o, 7, 1280), -SK_WIRE_NOSPACE);
	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 7);
	/* Cut to the room given, a multiple of 8; padded with zeros when short. */
	assert_int_equal(sk_nd_opt_redirected_emit(o, 70, pkt, 100), 64);
	assert_int_equal(o[1], 8);
	assert_memory_equal(o + 8, pkt, 56);
	assert_int_equal(sk_nd_opt_redirected_emit(o, 70, pkt, 5), 16);
	assert_int_equal(o[1], 2);
	assert_memory_equal(o + 13, ((const uint8_t[3]){0}), 3);
	assert_int_equal(sk_nd_opt_redirected_emit(o, sizeof(o), pkt, sizeof(pkt)), 255 * 8);
	assert_int_equal(o[1], 255);
	assert_int_equal(sk_nd_opt_redirected_emit(o, 7, pkt, 5), -SK_WIRE_NOSPACE);
	/* A short prefix option is refused alone. */
	struct sk_nd_opt opt = {.type = SK_ND_OPT_PREFIX, .units = 3, .p = o, .len = 24};
	assert_int_equal(sk_nd_prefix_parse(&opt, &pi), -SK_WIRE6_ND_OPT_SHORT);
}

/* Each reason for dropping an NDP message (RFC 4861 4.6, 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1),
 * made by changing one field of a valid message. */
static void test_nd_rejections(void **state)
{
	(void)state;
	struct pkt p;
	struct sk_nd nd;

	load(&p, V_ECHO_REPLY);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_NOT_ND);

	load(&p, V_NS_SLLA);
	p.h.hop_limit = 254; /* it crossed a router */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_HOPLIMIT);
	p.h.hop_limit = 255;
	p.m.code = 1;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_CODE);
	p.m.code = 0;
	p.m.data_len = 15;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE_TRUNCATED);
	p.m.data_len = 24;
	p.b[65] = 0; /* the option's length */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_OPT_LEN0);
	p.b[65] = 2;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_OPT_TRUNC);
	p.b[65] = 1;
	p.m.data_len = 25; /* one byte after the last option */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_OPT_TRUNC);
	p.m.data_len = 24;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	p.b[48] = 0xff; /* target ff01:db8::a */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_TARGET_MCAST);
	p.b[48] = 0x20;
	memset(p.h.src, 0, 16); /* from :: (DAD) with a link-layer address */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_DAD_SLLA);
	p.h.dst[0] = 0x20; /* from :: to a unicast address */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_DAD_DST);

	load(&p, V_RS);
	memset(p.h.src, 0, 16);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_DAD_SLLA);
	p.m.data_len = 0; /* without its option it may come from :: */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);

	load(&p, V_RA);
	p.h.src[0] = 0x20;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_SRC_NOT_LL);
	load(&p, V_RA);
	p.m.data_len = 7;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE_TRUNCATED);

	load(&p, V_NA_SO_TLLA);
	p.h.dst[0] = 0xff; /* solicited, to a multicast address */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_NA_SOLICITED);
	p.b[44] &= (uint8_t)~SK_ND_NA_SOLICITED;
	p.m.rest &= ~((uint32_t)SK_ND_NA_SOLICITED << 24);
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	p.b[48] = 0xff;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_TARGET_MCAST);

	load(&p, V_REDIRECT);
	p.h.src[0] = 0x20;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_SRC_NOT_LL);
	load(&p, V_REDIRECT);
	p.b[64] = 0xff; /* destination multicast */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_TARGET_MCAST);
	load(&p, V_REDIRECT);
	p.b[48] = 0x20; /* target 2001::c0: neither link-local nor the destination */
	p.b[49] = 0x01;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), -SK_WIRE6_ND_REDIR_TARGET);
	memcpy(p.b + 48, p.b + 64, 16); /* the destination itself is on-link */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
}

/* Options not defined for a message, and repeats, are ignored (4.6, 6.1.2, 7.1.1). */
static void test_nd_ignored_options(void **state)
{
	(void)state;
	struct pkt p;
	struct sk_nd nd;
	load(&p, V_NA_SO_TLLA);
	p.b[64] = SK_ND_OPT_SRC_LLADDR; /* a source link-layer option in an NA */
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_null(nd.src_ll);
	assert_null(nd.tgt_ll);
	load(&p, V_RA); /* repeat the MTU option over the prefix's place: first one wins */
	uint8_t *opt = p.b + 40 + 16 + 16;
	assert_int_equal(opt[0], SK_ND_OPT_PREFIX);
	sk_nd_opt_mtu_emit(opt, 8, 9000);
	sk_nd_opt_mtu_emit(opt + 8, 8, 9001);
	memset(opt + 16, 0, 16);
	opt[16] = 200; /* an unknown option of 2 units */
	opt[17] = 2;
	assert_int_equal(sk_nd_parse(&p.m, &p.h, &nd), 0);
	assert_int_equal(nd.mtu, 1500);
	assert_int_equal(nd.n_prefix, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp6_echo),
		cmocka_unit_test(test_icmp6_errors_like_linux),
		cmocka_unit_test(test_icmp6_packet_too_big),
		cmocka_unit_test(test_icmp6_quote),
		cmocka_unit_test(test_icmp6_error_allowed),
		cmocka_unit_test(test_nd_parse),
		cmocka_unit_test(test_nd_emit),
		cmocka_unit_test(test_nd_option_writers),
		cmocka_unit_test(test_nd_rejections),
		cmocka_unit_test(test_nd_ignored_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
