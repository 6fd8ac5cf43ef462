/* IPv4, ICMP, UDP, ARP, Ethernet and whole-frame decoding: round trips and rejections. */
#include "testutil.h"

#include <string.h>

#include "wire/checksum.h"
#include "wire/decode.h"

#define A 0xc0000201u /* 192.0.2.1 */
#define B 0xc0000202u

static int build_ipv4(uint8_t *p, size_t cap, uint8_t proto, const void *l4, size_t l4len, uint16_t frag)
{
	struct sk_ipv4 h = {.tos = 0, .total_len = (uint16_t)(20 + l4len), .id = 0x1234, .frag = frag,
			    .ttl = 64, .proto = proto, .src = A, .dst = B};
	int n = sk_ipv4_emit(p, cap, &h);
	assert_int_equal(n, 20);
	memcpy(p + 20, l4, l4len);
	return (int)(20 + l4len);
}

/* IP-1: version, IHL, total length and header checksum are each validated. */
static void test_ip_1_validation(void **state)
{
	(void)state;
	uint8_t p[64];
	uint8_t l4[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	int n = build_ipv4(p, sizeof(p), 200, l4, 8, SK_IP_DF);
	struct sk_ipv4 h;
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, SK_IPV4_VERIFY_CSUM), 20);
	assert_int_equal(h.total_len, 28);
	assert_int_equal(h.ttl, 64);
	assert_int_equal(h.src, A);
	assert_int_equal(h.frag, SK_IP_DF);
	assert_int_equal(sk_ipv4_parse(p, 60, &h, SK_IPV4_VERIFY_CSUM), 20); /* link padding is fine */
	assert_int_equal(sk_ipv4_parse(p, 27, &h, 0), -SK_WIRE_TRUNCATED);    /* total > present */
	assert_int_equal(sk_ipv4_parse(p, 19, &h, 0), -SK_WIRE_TRUNCATED);
	p[0] = 0x65;
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, 0), -SK_WIRE_BAD_VERSION);
	p[0] = 0x44;
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, 0), -SK_WIRE_BAD_HDRLEN);
	p[0] = 0x4f;
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, 0), -SK_WIRE_TRUNCATED);
	p[0] = 0x45;
	sk_put16(p + 2, 19);
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, 0), -SK_WIRE_BAD_TOTLEN);
	sk_put16(p + 2, 28);
	p[8] = 63; /* TTL changed without fixing the checksum */
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, SK_IPV4_VERIFY_CSUM), -SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(sk_ipv4_parse(p, (size_t)n, &h, 0), 20);
}

/* IPv4 options are kept as bytes, skipped by IHL, and padded to 4 bytes on emit. */
static void test_ip_1_options(void **state)
{
	(void)state;
	uint8_t opts[3] = {0x94, 0x04, 0x00}; /* router alert, 3 of its 4 bytes */
	struct sk_ipv4 h = {.total_len = 24, .ttl = 1, .proto = 2, .src = A, .dst = B, .opts = opts, .opts_len = 3};
	uint8_t p[64];
	assert_int_equal(sk_ipv4_emit(p, sizeof(p), &h), 24);
	struct sk_ipv4 r;
	assert_int_equal(sk_ipv4_parse(p, 24, &r, SK_IPV4_VERIFY_CSUM), 24);
	assert_int_equal(r.opts_len, 4);
	assert_int_equal(r.opts[0], 0x94);
	assert_int_equal(r.opts[3], 0);
	h.opts_len = 41;
	assert_int_equal(sk_ipv4_emit(p, sizeof(p), &h), -SK_WIRE_INVALID);
}

static void test_ipv4_addr_text(void **state)
{
	(void)state;
	char buf[16];
	uint32_t a;
	assert_string_equal(sk_ipv4_ntoa(0xc0000201u, buf), "192.0.2.1");
	assert_int_equal(sk_ipv4_aton("255.0.10.1", &a), 0);
	assert_int_equal(a, 0xff000a01u);
	assert_int_equal(sk_ipv4_aton("256.0.0.1", &a), -1);
	assert_int_equal(sk_ipv4_aton("1.2.3", &a), -1);
	assert_int_equal(sk_ipv4_aton("1.2.3.4.", &a), -1);
	assert_int_equal(sk_ipv4_aton("1.2.3.0004", &a), -1);
	assert_int_equal(sk_ipv4_aton("", &a), -1);
}

/* IP-3 / ICMP: echo round trip; frag-needed carries the next-hop MTU; the quote of an
 * error gives back the offending header and ports. */
static void test_icmp_echo_and_errors(void **state)
{
	(void)state;
	uint8_t m[128];
	const char data[] = "abcdefgh";
	struct sk_icmp e = {.type = SK_ICMP_ECHO, .rest = 0x00070003, .data = (const uint8_t *)data, .data_len = 8};
	int n = sk_icmp_emit(m, sizeof(m), &e);
	assert_int_equal(n, 16);
	struct sk_icmp r;
	assert_int_equal(sk_icmp_parse(m, (size_t)n, &r, SK_ICMP_VERIFY_CSUM), 8);
	assert_int_equal(sk_icmp_echo_id(&r), 7);
	assert_int_equal(sk_icmp_echo_seq(&r), 3);
	m[9] ^= 1;
	assert_int_equal(sk_icmp_parse(m, (size_t)n, &r, SK_ICMP_VERIFY_CSUM), -SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(sk_icmp_parse(m, 7, &r, 0), -SK_WIRE_TRUNCATED);

	/* The offending datagram: a UDP packet 192.0.2.1:40000 -> 192.0.2.2:9 */
	uint8_t orig[64], udp[8] = {0x9c, 0x40, 0x00, 0x09, 0x00, 0x08, 0, 0};
	int on = build_ipv4(orig, sizeof(orig), SK_IPPROTO_UDP, udp, 8, 0);
	struct sk_icmp u = {.type = SK_ICMP_UNREACH, .code = SK_ICMP_UNREACH_NEEDFRAG, .rest = 1400,
			    .data = orig, .data_len = (size_t)on};
	n = sk_icmp_emit(m, sizeof(m), &u);
	assert_int_equal(sk_icmp_parse(m, (size_t)n, &r, SK_ICMP_VERIFY_CSUM), 8);
	assert_int_equal(sk_icmp_nexthop_mtu(&r), 1400);
	struct sk_icmp_quote q;
	assert_int_equal(sk_icmp_parse_quote(&r, &q), 0);
	assert_int_equal(q.ip.proto, SK_IPPROTO_UDP);
	assert_int_equal(q.ip.src, A);
	assert_int_equal(q.sport, 40000);
	assert_int_equal(q.dport, 9);
	/* A quote shorter than an IP header is rejected, never read past. */
	r.data_len = 12;
	assert_int_equal(sk_icmp_parse_quote(&r, &q), -SK_WIRE_TRUNCATED);
	/* Echo has no quote. */
	e.type = SK_ICMP_ECHOREPLY;
	assert_int_equal(sk_icmp_parse_quote(&e, &q), -SK_WIRE_UNSUPPORTED);
}

/* UDP-1 / FMT-2: checksum with pseudo-header; 0 means none; a computed 0 goes out as 0xffff. */
static void test_udp_1_checksum(void **state)
{
	(void)state;
	uint8_t d[64];
	struct sk_udp u = {.sport = 40000, .dport = 40001, .payload = (const uint8_t *)"ping", .payload_len = 4};
	int n = sk_udp_emit(d, sizeof(d), A, B, &u);
	assert_int_equal(n, 12);
	struct sk_udp r;
	assert_int_equal(sk_udp_parse(d, (size_t)n, A, B, &r, SK_UDP_VERIFY_CSUM), 8);
	assert_int_equal(r.len, 12);
	assert_int_equal(r.payload_len, 4);
	assert_int_equal(sk_udp_parse(d, (size_t)n, A, B ^ 1, &r, SK_UDP_VERIFY_CSUM), -SK_WIRE_BAD_CHECKSUM);
	sk_put16(d + 6, 0);
	assert_int_equal(sk_udp_parse(d, (size_t)n, A, B ^ 1, &r, SK_UDP_VERIFY_CSUM), 8);
	sk_put16(d + 4, 7);
	assert_int_equal(sk_udp_parse(d, (size_t)n, A, B, &r, 0), -SK_WIRE_BAD_TOTLEN);
	sk_put16(d + 4, 13);
	assert_int_equal(sk_udp_parse(d, (size_t)n, A, B, &r, 0), -SK_WIRE_TRUNCATED);
	/* Find a payload whose checksum computes to 0 and check it is sent as 0xffff. */
	for (uint32_t v = 0; v < 0x10000; v++) {
		uint8_t pl[2] = {(uint8_t)(v >> 8), (uint8_t)v};
		struct sk_udp z = {.sport = 1, .dport = 2, .payload = pl, .payload_len = 2};
		sk_udp_emit(d, sizeof(d), A, B, &z);
		sk_put16(d + 6, 0);
		if (sk_csum_l4(A, B, SK_IPPROTO_UDP, d, 10) == 0) {
			sk_udp_emit(d, sizeof(d), A, B, &z);
			assert_int_equal(sk_get16(d + 6), 0xffff);
			assert_int_equal(sk_udp_parse(d, 10, A, B, &r, SK_UDP_VERIFY_CSUM), 8);
			return;
		}
	}
	fail_msg("no payload with a zero checksum found");
}

static void test_arp_and_eth(void **state)
{
	(void)state;
	uint8_t f[64];
	struct sk_eth e = {.type = SK_ETHERTYPE_ARP};
	memcpy(e.dst, sk_eth_broadcast, 6);
	memcpy(e.src, (uint8_t[]){2, 0, 0, 0, 0, 1}, 6);
	assert_int_equal(sk_eth_emit(f, sizeof(f), &e), 14);
	struct sk_arp a = {.op = SK_ARP_REQUEST, .spa = A, .tpa = B};
	memcpy(a.sha, e.src, 6);
	assert_int_equal(sk_arp_emit(f + 14, sizeof(f) - 14, &a), 28);
	struct sk_decoded d;
	assert_int_equal(sk_decode(f, 42, SK_LINK_ETHERNET, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_ARP);
	assert_int_equal(d.arp.op, SK_ARP_REQUEST);
	assert_int_equal(d.arp.tpa, B);
	assert_memory_equal(d.eth.dst, sk_eth_broadcast, 6);
	assert_int_equal(sk_decode(f, 41, SK_LINK_ETHERNET, 1, &d), -SK_WIRE_TRUNCATED);
	sk_put16(f + 14 + 2, SK_ETHERTYPE_IPV6); /* ptype not IPv4 */
	assert_int_equal(sk_decode(f, 42, SK_LINK_ETHERNET, 1, &d), -SK_WIRE_UNSUPPORTED);
	assert_int_equal(sk_eth_parse(f, 13, &e), -SK_WIRE_TRUNCATED);
	assert_int_equal(sk_eth_emit(f, 13, &e), -SK_WIRE_NOSPACE);
}

/* Whole frames: TCP over raw IPv4 and Ethernet; a first fragment decodes its L4 header
 * without a checksum verdict; a later fragment carries none. */
static void test_decode_frames(void **state)
{
	(void)state;
	uint8_t seg[64], f[128];
	struct sk_tcp t = {.sport = 40000, .dport = 6378, .seq = 1, .flags = SK_TCP_SYN, .win = 65535};
	t.opt.has_mss = 1;
	t.opt.mss = 1460;
	int sn = sk_tcp_emit(seg, sizeof(seg), A, B, &t);
	int n = build_ipv4(f, sizeof(f), SK_IPPROTO_TCP, seg, (size_t)sn, SK_IP_DF);
	struct sk_decoded d;
	assert_int_equal(sk_decode(f, (size_t)n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_TCP);
	assert_int_equal(d.tcp.flags, SK_TCP_SYN);
	assert_int_equal(d.tcp.opt.mss, 1460);
	f[n - 1] ^= 0x40; /* corrupt the last option byte: checksum catches it */
	assert_int_equal(sk_decode(f, (size_t)n, SK_LINK_RAW, 1, &d), -SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(d.l4, SK_L4_TCP);
	f[n - 1] ^= 0x40;
	/* first fragment: MF set, offset 0 */
	n = build_ipv4(f, sizeof(f), SK_IPPROTO_TCP, seg, (size_t)sn, SK_IP_MF);
	f[n - 1] ^= 0x40;
	assert_int_equal(sk_decode(f, (size_t)n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_TCP);
	/* later fragment: offset 185 * 8 */
	n = build_ipv4(f, sizeof(f), SK_IPPROTO_TCP, seg, (size_t)sn, 185);
	assert_int_equal(sk_decode(f, (size_t)n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_NONE);
	assert_int_equal(sk_ipv4_frag_offset(&d.ip), 1480);
	/* unknown link type, an ethertype neither IP nor ARP (IPv6: test_decode6.c) */
	assert_int_equal(sk_decode(f, (size_t)n, 9999, 1, &d), -SK_WIRE_UNSUPPORTED);
	memset(f, 0, 14);
	sk_put16(f + 12, 0x88cc);
	assert_int_equal(sk_decode(f, 60, SK_LINK_ETHERNET, 1, &d), -SK_WIRE_UNSUPPORTED);
	assert_string_equal(sk_wire_strerror(-SK_WIRE_BAD_OPTION), "malformed option");
	assert_string_equal(sk_wire_strerror(1000), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_1_validation),   cmocka_unit_test(test_ip_1_options),
		cmocka_unit_test(test_ipv4_addr_text),    cmocka_unit_test(test_icmp_echo_and_errors),
		cmocka_unit_test(test_udp_1_checksum),    cmocka_unit_test(test_arp_and_eth),
		cmocka_unit_test(test_decode_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
