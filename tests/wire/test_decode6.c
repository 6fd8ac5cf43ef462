/* Whole-frame decoding of IPv6 (sk_decode): TCP, UDP and ICMPv6 after extension headers, checksums, fragments, addresses. */
#include "testutil.h"

#include <string.h>

#include "wire/checksum.h"
#include "wire/decode.h"

static const uint8_t SRC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0x01};
static const uint8_t DST[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0x02};

static uint32_t asum(void)
{
	return sk_csum_add(sk_csum_add(0, SRC, 16), DST, 16);
}

/* An IPv6 packet at f: the fixed header (next header nh), then ext (extlen bytes of
 * extension headers), then the upper layer l4; returns its length. */
static size_t build6(uint8_t *f, uint8_t nh, const uint8_t *ext, size_t extlen, const uint8_t *l4, size_t l4len)
{
	struct sk_ipv6 h = {.payload_len = (uint16_t)(extlen + l4len), .next = nh, .hop_limit = 64};
	memcpy(h.src, SRC, 16);
	memcpy(h.dst, DST, 16);
	assert_int_equal(sk_ipv6_emit(f, SK_IPV6_HLEN, &h), SK_IPV6_HLEN);
	if (extlen)
		memcpy(f + SK_IPV6_HLEN, ext, extlen);
	if (l4len)
		memcpy(f + SK_IPV6_HLEN + extlen, l4, l4len);
	return SK_IPV6_HLEN + extlen + l4len;
}

static int tcp_seg(uint8_t *seg, size_t cap)
{
	struct sk_tcp t = {.sport = 40000, .dport = 6378, .seq = 7, .flags = SK_TCP_SYN, .win = 64800};
	t.opt.has_mss = 1;
	t.opt.mss = 1440;
	return sk_tcp_emit_sum(seg, cap, asum(), &t);
}

/* TCP over raw IPv6 and over Ethernet: the header fields of either family, the IPv6
 * pseudo-header checksum verified, the addresses through the family-neutral accessors. */
static void test_decode6_tcp(void **state)
{
	(void)state;
	uint8_t seg[64], f[256];
	int sn = tcp_seg(seg, sizeof(seg));
	assert_true(sn > 0);
	size_t n = build6(f, SK_IPPROTO_TCP, NULL, 0, seg, (size_t)sn);
	struct sk_decoded d;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_true(d.has_ip6 && !d.has_ip);
	assert_int_equal(d.l4, SK_L4_TCP);
	assert_int_equal(d.proto, SK_IPPROTO_TCP);
	assert_int_equal(d.ip_len, n);
	assert_int_equal(d.ip_hlen, SK_IPV6_HLEN);
	assert_int_equal(d.tcp.opt.mss, 1440);
	assert_int_equal(d.tcp.sport, 40000);
	struct synack_ip s = sk_decoded_src(&d), t = sk_decoded_dst(&d);
	assert_int_equal(s.family, SYNACK_AF_INET6);
	assert_memory_equal(s.bytes, SRC, 16);
	assert_memory_equal(t.bytes, DST, 16);
	/* link padding past the payload length is ignored */
	memset(f + n, 0xee, 6);
	assert_int_equal(sk_decode(f, n + 6, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4_len, (size_t)sn);
	/* one flipped bit: the checksum catches it, the header is still there */
	f[n - 1] ^= 0x01;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), -SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(d.l4, SK_L4_TCP);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 0, &d), 0);
	f[n - 1] ^= 0x01;
	/* the IPv4 pseudo-header would not do: the segment is checked against IPv6's */
	uint8_t g[256], g4[64];
	struct sk_tcp tt = {.sport = 1, .dport = 2, .flags = SK_TCP_ACK, .win = 1};
	int gn = sk_tcp_emit(g4, sizeof(g4), 0x0a000001u, 0x0a000002u, &tt);
	size_t m = build6(g, SK_IPPROTO_TCP, NULL, 0, g4, (size_t)gn);
	assert_int_equal(sk_decode(g, m, SK_LINK_RAW, 1, &d), -SK_WIRE_BAD_CHECKSUM);
	/* the same packet behind an Ethernet header (EtherType 0x86dd) */
	uint8_t e[300];
	struct sk_eth eh = {.type = SK_ETHERTYPE_IPV6};
	memcpy(eh.dst, (uint8_t[]){0x02, 0, 0, 0, 0, 2}, 6);
	memcpy(eh.src, (uint8_t[]){0x02, 0, 0, 0, 0, 1}, 6);
	assert_int_equal(sk_eth_emit(e, sizeof(e), &eh), 14);
	memcpy(e + 14, f, n);
	assert_int_equal(sk_decode(e, 14 + n, SK_LINK_ETHERNET, 1, &d), 0);
	assert_true(d.has_eth && d.has_ip6);
	assert_int_equal(d.l4, SK_L4_TCP);
	/* a truncated packet and another version */
	assert_int_equal(sk_decode(f, n - 1, SK_LINK_RAW, 1, &d), -SK_WIRE_TRUNCATED);
	assert_false(d.has_ip6);
	assert_int_equal(sk_decode(f, 39, SK_LINK_RAW, 1, &d), -SK_WIRE_TRUNCATED);
	/* no IP header: the accessors give no address */
	s = sk_decoded_src(&d);
	assert_int_equal(s.family, SYNACK_AF_UNSPEC);
}

/* The upper layer after extension headers (hop-by-hop, destination options); UDP's
 * checksum of 0 is invalid over IPv6; ICMPv6 with its pseudo-header. */
static void test_decode6_ext_udp_icmp6(void **state)
{
	(void)state;
	uint8_t f[256], l4[64];
	/* hop-by-hop (PadN 4) -> destination options (PadN 4) -> UDP */
	const uint8_t ext[16] = {SK_IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0,
				 SK_IPPROTO_UDP,     0, 1, 4, 0, 0, 0, 0};
	struct sk_udp u = {.sport = 53, .dport = 5353, .payload = (const uint8_t *)"hello", .payload_len = 5};
	int un = sk_udp_emit_sum(l4, sizeof(l4), asum(), &u);
	size_t n = build6(f, SK_IPPROTO_HOPOPTS, ext, sizeof(ext), l4, (size_t)un);
	struct sk_decoded d;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_UDP);
	assert_int_equal(d.proto, SK_IPPROTO_UDP);
	assert_int_equal(d.ip_hlen, SK_IPV6_HLEN + 16);
	assert_int_equal(d.udp.payload_len, 5);
	assert_memory_equal(d.udp.payload, "hello", 5);
	/* checksum 0: no checksum, which IPv6 does not allow */
	f[SK_IPV6_HLEN + 16 + 6] = f[SK_IPV6_HLEN + 16 + 7] = 0;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), -SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(d.l4, SK_L4_UDP);

	/* an ICMPv6 echo request */
	struct sk_icmp6 m = {.type = SK_ICMP6_ECHO_REQUEST, .rest = 0x12340001u,
			     .data = (const uint8_t *)"ping", .data_len = 4};
	int mn = sk_icmp6_emit(l4, sizeof(l4), SRC, DST, &m);
	n = build6(f, SK_IPPROTO_ICMPV6, NULL, 0, l4, (size_t)mn);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_ICMP6);
	assert_int_equal(d.icmp6.type, SK_ICMP6_ECHO_REQUEST);
	assert_int_equal(sk_icmp6_echo_id(&d.icmp6), 0x1234);
	assert_int_equal(d.icmp6.data_len, 4);
	f[n - 1] ^= 0x80;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), -SK_WIRE_BAD_CHECKSUM);
	assert_int_equal(d.l4, SK_L4_ICMP6);
	/* ICMP (v4) inside IPv6 is nothing: decoded as an unknown upper layer */
	n = build6(f, SK_IPPROTO_ICMP, NULL, 0, l4, (size_t)mn);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_NONE);
	/* an upper layer the decoder does not know is no error, as over IPv4 */
	n = build6(f, 132 /* SCTP */, NULL, 0, l4, (size_t)mn);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_true(d.has_ip6);
	assert_int_equal(d.l4, SK_L4_NONE);
	assert_int_equal(d.proto, 132);
	/* an extension header running past the payload */
	n = build6(f, SK_IPPROTO_HOPOPTS, ext, 4, NULL, 0);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), -SK_WIRE6_EXT_TRUNCATED);
	assert_int_equal(d.l4, SK_L4_NONE);
}

/* Fragments: the first carries the transport header, decoded without a checksum verdict
 * (the checksum covers the whole datagram); a later one carries none. */
static void test_decode6_fragments(void **state)
{
	(void)state;
	uint8_t seg[64], f[256], fh[8];
	int sn = tcp_seg(seg, sizeof(seg));
	struct sk_ipv6_frag fr = {.next = SK_IPPROTO_TCP, .offset = 0, .more = 1, .id = 99};
	assert_int_equal(sk_ipv6_frag_emit(fh, sizeof(fh), &fr), 8);
	/* the first 16 bytes of the segment, a multiple of 8 */
	size_t n = build6(f, SK_IPPROTO_FRAGMENT, fh, 8, seg, 16);
	struct sk_decoded d;
	sk_decode(f, n, SK_LINK_RAW, 1, &d);
	assert_true(d.has_ip6);
	assert_false(d.later_fragment);
	assert_int_equal(d.proto, SK_IPPROTO_TCP);
	assert_int_equal(d.ip_hlen, SK_IPV6_HLEN + 8);
	assert_int_not_equal(d.err, -SK_WIRE_BAD_CHECKSUM);
	/* the whole segment (24 bytes) in a first fragment, its checksum wrong: no verdict */
	assert_int_equal(sn, 24);
	n = build6(f, SK_IPPROTO_FRAGMENT, fh, 8, seg, (size_t)sn);
	f[n - 1] ^= 1;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_TCP);
	/* M set and a length that is no multiple of 8: an error, the header still read */
	n = build6(f, SK_IPPROTO_FRAGMENT, fh, 8, seg, 20);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), -SK_WIRE6_FRAG_BAD_LEN);
	assert_true(d.has_ip6);
	assert_int_equal(d.proto, SK_IPPROTO_TCP);
	/* a later fragment: offset 1448 */
	fr.offset = 1448;
	fr.more = 0;
	assert_int_equal(sk_ipv6_frag_emit(fh, sizeof(fh), &fr), 8);
	n = build6(f, SK_IPPROTO_FRAGMENT, fh, 8, seg, (size_t)sn);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_true(d.has_ip6 && d.later_fragment);
	assert_int_equal(d.l4, SK_L4_NONE);
	assert_int_equal(d.proto, SK_IPPROTO_TCP);
	assert_int_equal(d.ip_hlen, SK_IPV6_HLEN + 8);
	assert_int_equal(d.l4_len, (size_t)sn);
	/* an atomic fragment (offset 0, M 0) is the whole datagram: verified */
	fr.offset = 0;
	assert_int_equal(sk_ipv6_frag_emit(fh, sizeof(fh), &fr), 8);
	n = build6(f, SK_IPPROTO_FRAGMENT, fh, 8, seg, (size_t)sn);
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), 0);
	assert_int_equal(d.l4, SK_L4_TCP);
	f[n - 1] ^= 1;
	assert_int_equal(sk_decode(f, n, SK_LINK_RAW, 1, &d), -SK_WIRE_BAD_CHECKSUM);
}

/* IPv4 keeps its own fields and gets the family-neutral ones too. */
static void test_decode4_neutral(void **state)
{
	(void)state;
	uint8_t f[64] = {0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, SK_IPPROTO_TCP, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
	struct sk_tcp t = {.sport = 1, .dport = 2, .flags = SK_TCP_ACK, .win = 1};
	assert_int_equal(sk_tcp_emit(f + 20, sizeof(f) - 20, 0x0a000001u, 0x0a000002u, &t), 20);
	uint16_t c = sk_csum(f, 20);
	f[10] = (uint8_t)(c >> 8);
	f[11] = (uint8_t)c;
	struct sk_decoded d;
	assert_int_equal(sk_decode(f, 40, SK_LINK_RAW, 1, &d), 0);
	assert_true(d.has_ip && !d.has_ip6);
	assert_int_equal(d.proto, SK_IPPROTO_TCP);
	assert_int_equal(d.ip_len, 40);
	assert_int_equal(d.ip_hlen, 20);
	struct synack_ip s = sk_decoded_src(&d), t2 = sk_decoded_dst(&d);
	struct synack_ip w1 = synack_ip4(10, 0, 0, 1), w2 = synack_ip4(10, 0, 0, 2);
	assert_true(synack_ip_equal(&s, &w1));
	assert_true(synack_ip_equal(&t2, &w2));
	/* an EtherType that is neither IPv4, IPv6 nor ARP */
	uint8_t e[80] = {0};
	sk_put16(e + 12, 0x88cc);
	assert_int_equal(sk_decode(e, 60, SK_LINK_ETHERNET, 1, &d), -SK_WIRE_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode6_tcp),
		cmocka_unit_test(test_decode6_ext_udp_icmp6),
		cmocka_unit_test(test_decode6_fragments),
		cmocka_unit_test(test_decode4_neutral),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
