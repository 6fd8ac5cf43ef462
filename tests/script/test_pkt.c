/* The script runner's IPv4 and IPv6 packets: built (checked by the stack's wire parsers), read back. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "script/pkt.h"
#include "wire/checksum.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"
#include "wire/wire.h"

static struct sk_paddr addr(const char *text)
{
	struct sk_paddr a;
	int v6 = strchr(text, ':') != NULL;
	assert_int_equal(sk_paddr_parse(text, v6, &a), 0);
	return a;
}

/* remote 2001:db8::1 port 40000 -> local 2001:db8::2 port 8080, and the reverse */
static struct sk_flow in6(void)
{
	struct sk_flow f = {addr("2001:db8::1"), addr("2001:db8::2"), 40000, 8080};
	return f;
}

static struct sk_flow out6(void)
{
	struct sk_flow f = {addr("2001:db8::2"), addr("2001:db8::1"), 8080, 40000};
	return f;
}

static struct sk_sp tcp_syn(void)
{
	struct sk_sp p;
	memset(&p, 0, sizeof(p));
	p.dir = '<';
	p.proto = SP_TCP;
	p.ecn = SP_ECN_ANY;
	p.flags = 0x02;
	p.seq = 1000;
	p.end = 1000;
	p.has_win = 1;
	p.win = 65535;
	p.opts = SP_OPTS_LIST;
	p.nopt = 5;
	p.opt[0].kind = 2;
	p.opt[0].val = 1440;
	p.opt[1].kind = 4;
	p.opt[2].kind = 8;
	p.opt[2].val = 100;
	p.opt[3].kind = 1;
	p.opt[4].kind = 3;
	p.opt[4].val = 7;
	return p;
}

static void test_paddr(void **state)
{
	(void)state;
	struct sk_paddr a, b;
	char t[64];
	assert_int_equal(sk_paddr_parse("2001:db8::2", 1, &a), 0);
	assert_int_equal(a.v6, 1);
	assert_string_equal(sk_paddr_format(&a, t, sizeof(t)), "2001:db8::2");
	assert_int_equal(sk_paddr_parse("192.0.2.2", 1, &b), -1); /* not IPv6 text */
	assert_int_equal(sk_paddr_parse("2001:db8::2", 0, &b), -1);
	assert_int_equal(sk_paddr_parse("192.0.2.2", 0, &b), 0);
	assert_int_equal(b.v6, 0);
	assert_string_equal(sk_paddr_format(&b, t, sizeof(t)), "192.0.2.2");
	struct sk_paddr c = sk_paddr4(0xc0000202);
	assert_true(sk_paddr_eq(&b, &c));
	assert_false(sk_paddr_eq(&a, &c));
	assert_false(sk_paddr_unset(&a));
	assert_int_equal(sk_paddr_parse("::", 1, &a), 0);
	assert_true(sk_paddr_unset(&a));
	assert_true(sk_paddr_unset(&(struct sk_paddr){0}));
}

static void test_icmp_names(void **state)
{
	(void)state;
	int t, c;
	/* the same words name ICMP or ICMPv6 numbers by the family, as packetdrill's tables */
	assert_int_equal(sk_icmp_names("unreachable", "port_unreachable", 0, &t, &c), 0);
	assert_int_equal(t, 3);
	assert_int_equal(c, 3);
	assert_int_equal(sk_icmp_names("unreachable", "port_unreachable", 1, &t, &c), 0);
	assert_int_equal(t, 1);
	assert_int_equal(c, 4);
	assert_int_equal(sk_icmp_names("unreachable", "no_route", 1, &t, &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(sk_icmp_names("unreachable", "address_unreachable", 1, &t, &c), 0);
	assert_int_equal(c, 3);
	assert_int_equal(sk_icmp_names("packet_too_big", NULL, 1, &t, &c), 0);
	assert_int_equal(t, 2);
	assert_int_equal(c, 0);
	assert_int_equal(sk_icmp_names("time_exceeded", "exceeded_frag_time", 1, &t, &c), 0);
	assert_int_equal(t, 3);
	assert_int_equal(c, 1);
	assert_int_equal(sk_icmp_names("parameter_problem", "unknown_next_header", 1, &t, &c), 0);
	assert_int_equal(t, 4);
	assert_int_equal(c, 1);
	assert_int_equal(sk_icmp_names("echo_request", NULL, 1, &t, &c), 0);
	assert_int_equal(t, 128);
	/* names of one family only */
	assert_int_equal(sk_icmp_names("packet_too_big", NULL, 0, &t, &c), -1);
	assert_int_equal(sk_icmp_names("unreachable", "frag_needed", 1, &t, &c), -1);
	assert_int_equal(sk_icmp_names("unreachable", "frag_needed", 0, &t, &c), 0);
	assert_int_equal(c, 4);
	/* numbers, and tcpdump's type_N / code_N */
	assert_int_equal(sk_icmp_names("type_5", "code_7", 1, &t, &c), 0);
	assert_int_equal(t, 5);
	assert_int_equal(c, 7);
	assert_int_equal(sk_icmp_names("1", "4", 1, &t, &c), 0);
	assert_int_equal(t, 1);
	assert_int_equal(c, 4);
	assert_int_equal(sk_icmp_names("type_x", NULL, 1, &t, &c), -1);
}

static void test_build_tcp_ipv6(void **state)
{
	(void)state;
	uint8_t b[2048];
	char why[128];
	struct sk_sp p = tcp_syn();
	p.ecn = SP_ECN_ECT0;
	struct sk_flow f = in6(), q = out6();
	int n = sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why));
	assert_int_equal(n, 40 + 20 + 20); /* options: 4 + 2 + 10 + 1 + 3 = 20 */
	struct sk_ipv6 h;
	assert_int_equal(sk_ipv6_parse(b, (size_t)n, &h), 40);
	assert_int_equal(h.next, SK_IPPROTO_TCP);
	assert_int_equal(h.payload_len, 40);
	assert_int_equal(h.hop_limit, 64);
	assert_int_equal(h.tclass, 2); /* ECT(0) in the traffic class's ECN bits */
	assert_int_equal(h.flow, 0);
	assert_memory_equal(h.src, f.src.b, 16);
	assert_memory_equal(h.dst, f.dst.b, 16);
	/* the checksum covers the IPv6 pseudo-header */
	assert_int_equal(sk_csum_l4v6(h.src, h.dst, SK_IPPROTO_TCP, b + 40, 40), 0);
	struct sk_tcp t;
	assert_true(sk_tcp_parse_sum(b + 40, 40, sk_csum_add(sk_csum_add(0, h.src, 16), h.dst, 16), &t,
				     SK_TCP_VERIFY_CSUM) >= 0);
	assert_int_equal(t.sport, 40000);
	assert_int_equal(t.dport, 8080);
	assert_int_equal(t.seq, 1000);
	assert_int_equal(t.flags, SK_TCP_SYN);
	assert_true(t.opt.has_mss);
	assert_int_equal(t.opt.mss, 1440);
	assert_true(t.opt.sack_ok);
	assert_true(t.opt.has_ts);
	assert_int_equal(t.opt.tsval, 100);
	assert_true(t.opt.has_ws);
	assert_int_equal(t.opt.ws, 7);
	/* an IPv4 flow still gives IPv4 */
	struct sk_flow f4 = {sk_paddr4(0xc0000201), sk_paddr4(0xc0000202), 40000, 8080};
	n = sk_pkt_build(&p, &f4, &f4, 0, b, sizeof(b), why, sizeof(why));
	assert_int_equal(n, 20 + 20 + 20);
	assert_int_equal(b[0], 0x45);
	assert_int_equal(b[1], 2);
	assert_int_equal(b[9], SK_IPPROTO_TCP);
	assert_int_equal(sk_csum(b, 20), 0);
	assert_int_equal(sk_csum_l4(0xc0000201, 0xc0000202, SK_IPPROTO_TCP, b + 20, 40), 0);
}

static void test_build_udp_ipv6(void **state)
{
	(void)state;
	uint8_t b[2048];
	char why[128];
	struct sk_sp p;
	memset(&p, 0, sizeof(p));
	p.dir = '<';
	p.proto = SP_UDP;
	p.ecn = SP_ECN_ANY;
	p.len = 200;
	struct sk_flow f = in6(), q = out6();
	int n = sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why));
	assert_int_equal(n, 40 + 8 + 200);
	assert_int_equal(b[0] >> 4, 6);
	assert_int_equal(b[6], SK_IPPROTO_UDP);
	assert_int_equal(sk_get16(b + 4), 208);
	/* mandatory over IPv6 (RFC 8200 8.1): never 0, and it verifies */
	assert_int_not_equal(sk_get16(b + 40 + 6), 0);
	assert_int_equal(sk_udp6_checksum_ok(f.src.b, f.dst.b, b + 40, 208), 1);
	assert_int_equal(sk_get16(b + 40), 40000);
	assert_int_equal(sk_get16(b + 42), 8080);
	assert_int_equal(sk_get16(b + 44), 208);
}

static void test_build_icmpv6(void **state)
{
	(void)state;
	uint8_t b[2048];
	char why[128];
	struct sk_sp p;
	memset(&p, 0, sizeof(p));
	p.dir = '<';
	p.proto = SP_ICMP;
	p.ecn = SP_ECN_ANY;
	p.icmp_type = "packet_too_big";
	p.has_mtu = 1;
	p.mtu = 1280;
	p.echoed = 1;
	p.echo_seq = 5000;
	p.echo_end = 6428;
	p.echo_len = 1428;
	struct sk_flow f = in6(), q = out6();
	int n = sk_pkt_build(&p, &f, &q, 5000, b, sizeof(b), why, sizeof(why));
	assert_int_equal(n, 40 + 8 + 40 + 8);
	struct sk_ipv6 h;
	assert_int_equal(sk_ipv6_parse(b, (size_t)n, &h), 40);
	assert_int_equal(h.next, SK_IPPROTO_ICMPV6);
	struct sk_icmp6 m;
	assert_true(sk_icmp6_parse(b + 40, (size_t)n - 40, h.src, h.dst, &m, SK_ICMP6_VERIFY_CSUM) >= 0);
	assert_int_equal(m.type, SK_ICMP6_PKT_TOO_BIG);
	assert_int_equal(m.code, 0);
	assert_int_equal(sk_icmp6_mtu(&m), 1280);
	struct sk_icmp6_quote qt;
	assert_int_equal(sk_icmp6_parse_quote(&m, &qt), 0);
	assert_int_equal(qt.proto, SK_IPPROTO_TCP);
	assert_memory_equal(qt.ip.src, q.src.b, 16); /* the segment we sent */
	assert_memory_equal(qt.ip.dst, q.dst.b, 16);
	assert_int_equal(qt.ip.payload_len, 20 + 1428);
	assert_int_equal(qt.sport, 8080);
	assert_int_equal(qt.dport, 40000);
	assert_int_equal(qt.tcp_seq, 5000);

	/* port unreachable about a datagram: type 1 code 4, quoting UDP */
	memset(&p, 0, sizeof(p));
	p.dir = '<';
	p.proto = SP_ICMP;
	p.ecn = SP_ECN_ANY;
	p.icmp_type = "unreachable";
	p.icmp_code = "port_unreachable";
	p.echoed = 2;
	p.echo_len = 100;
	n = sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why));
	assert_true(n > 0);
	assert_true(sk_icmp6_parse(b + 40, (size_t)n - 40, f.src.b, f.dst.b, &m, SK_ICMP6_VERIFY_CSUM) >= 0);
	assert_int_equal(m.type, SK_ICMP6_UNREACH);
	assert_int_equal(m.code, 4);
	assert_int_equal(sk_icmp6_parse_quote(&m, &qt), 0);
	assert_int_equal(qt.proto, SK_IPPROTO_UDP);
	assert_int_equal(qt.ip.payload_len, 108);

	/* what packetdrill refuses over IPv6: an IPv4 name, an MTU on another type */
	p.icmp_code = "frag_needed";
	assert_int_equal(sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ICMPv6"));
	p.icmp_code = "port_unreachable";
	p.has_mtu = 1;
	p.mtu = 1280;
	assert_int_equal(sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "packet_too_big"));
}

/* What the runner reads back from what a stack sends: built here as outbound packets. */
static void test_live_roundtrip_ipv6(void **state)
{
	(void)state;
	uint8_t b[2048];
	char why[128];
	struct sk_sp p = tcp_syn();
	p.flags = 0x12;
	p.has_ack = 1;
	p.ack = 77;
	p.len = 10;
	p.end = p.seq + 10;
	p.ecn = SP_ECN_CE;
	struct sk_flow f = out6(), q = in6();
	int n = sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why));
	assert_true(n > 0);
	b[1] |= 0x0a; /* a flow label: read, not compared */
	b[2] = 0xbc;
	b[3] = 0xde;
	struct sk_live l;
	assert_int_equal(sk_live_parse(b, (size_t)n, &l), 0);
	assert_int_equal(l.v6, 1);
	assert_int_equal(l.proto, SK_IPPROTO_TCP);
	assert_int_equal(l.ttl, 64);
	assert_int_equal(l.flow, 0xabcde);
	assert_int_equal(l.p.ecn, SP_ECN_CE);
	assert_true(sk_paddr_eq(&l.f.src, &f.src));
	assert_true(sk_paddr_eq(&l.f.dst, &f.dst));
	assert_int_equal(l.f.sport, 8080);
	assert_int_equal(l.f.dport, 40000);
	assert_int_equal(l.p.proto, SP_TCP);
	assert_int_equal(l.p.flags, 0x12);
	assert_int_equal(l.p.seq, 1000);
	assert_int_equal(l.p.ack, 77);
	assert_int_equal(l.p.len, 10);
	assert_int_equal(l.p.nopt, 5);
	assert_int_equal(l.p.opt[0].val, 1440);
	assert_true(l.has_ts);
	char txt[200];
	assert_string_equal(sk_sp_format(&l.p, txt, sizeof(txt)),
			    "> [ce] S. 1000:1010(10) ack 77 win 65535 <mss 1440,sackOK,TS val 100 ecr 0,nop,wscale 7>");

	/* a hop-by-hop options header before TCP is walked over */
	uint8_t e[2048];
	memcpy(e, b, 40);
	e[6] = SK_IPPROTO_HOPOPTS;
	sk_put16(e + 4, (uint16_t)(n - 40 + 8));
	memset(e + 40, 0, 8);
	e[40] = SK_IPPROTO_TCP; /* next header; length 0 (8 bytes); PadN */
	e[42] = 1;
	e[43] = 4;
	memcpy(e + 48, b + 40, (size_t)n - 40);
	assert_int_equal(sk_live_parse(e, (size_t)n + 8, &l), 0);
	assert_int_equal(l.p.proto, SP_TCP);
	assert_int_equal(l.p.len, 10);

	/* a fragment is not read */
	memcpy(e, b, 40);
	e[6] = SK_IPPROTO_FRAGMENT;
	sk_put16(e + 4, (uint16_t)(n - 40 + 8));
	memset(e + 40, 0, 8);
	e[40] = SK_IPPROTO_TCP;
	e[43] = 1; /* offset 0, more fragments */
	memcpy(e + 48, b + 40, (size_t)n - 40);
	assert_int_equal(sk_live_parse(e, (size_t)n + 8, &l), -1);

	/* UDP */
	memset(&p, 0, sizeof(p));
	p.proto = SP_UDP;
	p.ecn = SP_ECN_ANY;
	p.len = 33;
	n = sk_pkt_build(&p, &f, &q, 0, b, sizeof(b), why, sizeof(why));
	assert_int_equal(sk_live_parse(b, (size_t)n, &l), 0);
	assert_int_equal(l.p.proto, SP_UDP);
	assert_int_equal(l.p.len, 33);
	assert_int_equal(l.f.sport, 8080);

	/* ICMPv6 with its 32-bit MTU and the quoted segment's sequence number */
	memset(&p, 0, sizeof(p));
	p.proto = SP_ICMP;
	p.ecn = SP_ECN_ANY;
	p.icmp_type = "packet_too_big";
	p.has_mtu = 1;
	p.mtu = 70000;
	p.echoed = 1;
	p.echo_seq = 123456;
	n = sk_pkt_build(&p, &f, &q, 123456, b, sizeof(b), why, sizeof(why));
	assert_int_equal(sk_live_parse(b, (size_t)n, &l), 0);
	assert_int_equal(l.proto, SK_IPPROTO_ICMPV6);
	assert_int_equal(l.p.proto, SP_ICMP);
	assert_int_equal(l.icmp_type, 2);
	assert_int_equal(l.icmp_code, 0);
	assert_int_equal(l.icmp_mtu, 70000);
	assert_int_equal(l.p.echoed, 1);
	assert_int_equal(l.p.echo_seq, 123456);
	/* truncated or mangled: no */
	assert_int_equal(sk_live_parse(b, 39, &l), -1);
	b[0] = 0x70;
	assert_int_equal(sk_live_parse(b, (size_t)n, &l), -1);
}

static void test_live_roundtrip_ipv4(void **state)
{
	(void)state;
	uint8_t b[2048];
	char why[128];
	struct sk_sp p;
	memset(&p, 0, sizeof(p));
	p.proto = SP_ICMP;
	p.ecn = SP_ECN_ANY;
	p.icmp_type = "unreachable";
	p.icmp_code = "frag_needed";
	p.has_mtu = 1;
	p.mtu = 1200;
	p.echoed = 1;
	p.echo_seq = 42;
	struct sk_flow f = {sk_paddr4(0xc0000202), sk_paddr4(0xc0000201), 8080, 40000};
	int n = sk_pkt_build(&p, &f, &f, 42, b, sizeof(b), why, sizeof(why));
	assert_int_equal(n, 20 + 8 + 20 + 8);
	struct sk_live l;
	assert_int_equal(sk_live_parse(b, (size_t)n, &l), 0);
	assert_int_equal(l.v6, 0);
	assert_int_equal(l.proto, SK_IPPROTO_ICMP);
	assert_int_equal(l.icmp_type, 3);
	assert_int_equal(l.icmp_code, 4);
	assert_int_equal(l.icmp_mtu, 1200);
	assert_int_equal(l.p.echo_seq, 42);
	assert_true(sk_paddr_eq(&l.f.src, &f.src));
	/* an ICMPv6 message inside IPv4 is nothing the runner reads */
	b[9] = SK_IPPROTO_ICMPV6;
	assert_int_equal(sk_live_parse(b, (size_t)n, &l), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paddr),
		cmocka_unit_test(test_icmp_names),
		cmocka_unit_test(test_build_tcp_ipv6),
		cmocka_unit_test(test_build_udp_ipv6),
		cmocka_unit_test(test_build_icmpv6),
		cmocka_unit_test(test_live_roundtrip_ipv6),
		cmocka_unit_test(test_live_roundtrip_ipv4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
