/* IPv6 at the stack (IP6-1, IP6-3 in part): a stack holding 2001:db8::b gets the packets
 * tests/wire/ipv6_vectors.py sent to Linux at that address, and must answer as Linux
 * answered (the same bytes but for the flow label, which RFC 6437 leaves to each host),
 * or stay silent where Linux did. */
#include <errno.h>
#include <string.h>

#include <synack/synack.h>

#include "../wire/ipv6_vectors.h"
#include "stack/stack.h"
#include "testutil.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

struct pkt {
	uint8_t b[2048];
	size_t n;
};

static struct pkt sent[8];
static int nsent;

static int out(void *ctx, const uint8_t *p, size_t n, uint64_t now)
{
	(void)ctx, (void)now;
	assert_true(nsent < 8 && n <= sizeof(sent[0].b));
	memcpy(sent[nsent].b, p, n);
	sent[nsent++].n = n;
	return 0;
}

static synack_stack *stack_b(void)
{
	synack_stack *st = sk_test_stack_new(1);
	struct synack_ip b;
	assert_int_equal(synack_ip_parse("2001:db8::b", &b), 0);
	assert_true(synack_add_addr(st, &b, 64, 1500, out, NULL) >= 0);
	nsent = 0;
	return st;
}

/* Feeds one vector; returns how many packets the stack sent back. */
static int feed(synack_stack *st, const char *hex)
{
	struct pkt p;
	p.n = sk_test_hex(hex, p.b, sizeof(p.b));
	nsent = 0;
	synack_input(st, p.b, p.n, 1000000);
	return nsent;
}

/* The answer is Linux's: every byte but the flow label (the low 20 bits of the first word). */
static void assert_as_linux(const struct pkt *got, const char *linux_hex)
{
	struct pkt want;
	want.n = sk_test_hex(linux_hex, want.b, sizeof(want.b));
	assert_int_equal(got->n, want.n);
	assert_int_equal(got->b[0], want.b[0]);
	assert_int_equal(got->b[1] & 0xf0, want.b[1] & 0xf0); /* traffic class */
	assert_memory_equal(got->b + 4, want.b + 4, want.n - 4);
	struct sk_ipv6 h;
	assert_int_equal(sk_ipv6_parse(got->b, got->n, &h), SK_IPV6_HLEN);
	assert_int_not_equal(h.flow, 0); /* RFC 6437: a label, from a hash of the flow */
}

static void test_echo_as_linux(void **state)
{
	(void)state;
	synack_stack *st = stack_b();
	assert_int_equal(feed(st, V_HBH_PADN_ECHO), 1);
	assert_as_linux(&sent[0], V_ECHO_REPLY);
	/* An unknown destination option whose action bits say skip: answered all the same. */
	assert_int_equal(feed(st, V_DST_SKIP_ECHO), 1);
	struct synack_stats s;
	synack_get_stats(st, &s);
	assert_int_equal(s.icmp_echo_replies, 2);
	synack_stack_free(st);
}

static void test_parameter_problems_as_linux(void **state)
{
	(void)state;
	static const struct {
		const char *in, *answer; /* answer NULL: Linux stayed silent */
	} cases[] = {
		{V_DST_ICMP, V_PP_DST_ICMP},	     {V_DST_UCAST, V_PP_DST_UCAST},
		{V_HBH_ICMP, V_PP_HBH_ICMP},	     {V_HBH_NOT_FIRST, V_PP_HBH_NOT_FIRST},
		{V_NH_253, V_PP_NH_253},	     {V_DST_DISCARD, NULL},
		{V_DST_UCAST_MCAST, NULL},
	};
	synack_stack *st = stack_b();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = feed(st, cases[i].in);
		if (!cases[i].answer) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, 1);
		assert_as_linux(&sent[0], cases[i].answer);
	}
	synack_stack_free(st);
}

static void test_not_mine_and_bad(void **state)
{
	(void)state;
	synack_stack *st = stack_b();
	struct pkt p;
	p.n = sk_test_hex(V_HBH_PADN_ECHO, p.b, sizeof(p.b));
	p.b[39] = 0x0c; /* to 2001:db8::c */
	nsent = 0;
	synack_input(st, p.b, p.n, 1000000);
	assert_int_equal(nsent, 0);
	p.b[39] = 0x0b;
	synack_input(st, p.b, 30, 1000000); /* cut short */
	assert_int_equal(nsent, 0);
	p.b[60] ^= 0x01; /* a bit flipped in the echo's data: the ICMPv6 checksum fails */
	synack_input(st, p.b, p.n, 1000000);
	assert_int_equal(nsent, 0);
	struct synack_stats s;
	synack_get_stats(st, &s);
	assert_int_equal(s.ip_in_not_mine, 1);
	assert_int_equal(s.ip_in_bad, 1);
	assert_int_equal(s.icmp_in_bad, 1);
	assert_int_equal(s.icmp_echo_replies, 0);
	synack_stack_free(st);
}

/* Errors share ICMP's rate limit: a burst of 50, then 1000 per second. */
static void test_error_rate_limit(void **state)
{
	(void)state;
	synack_stack *st = stack_b();
	int answered = 0;
	for (int i = 0; i < 200; i++)
		answered += feed(st, V_NH_253);
	assert_int_equal(answered, 50);
	struct synack_stats s;
	synack_get_stats(st, &s);
	assert_int_equal(s.icmp_rate_limited, 150);
	synack_stack_free(st);
}

/* IP6-2: a datagram that never completes is dropped after 30 s, and its sender hears of it
 * with time exceeded, code 1, quoting the first fragment as it arrived (RFC 8200 4.5). */
static void test_reassembly_timeout(void **state)
{
	(void)state;
	synack_stack *st = stack_b();
	struct pkt e, f;
	e.n = sk_test_hex(V_HBH_PADN_ECHO, e.b, sizeof(e.b)); /* fixed header, hop-by-hop (8), echo (16) */
	memcpy(f.b, e.b, 48);
	f.b[40] = 44; /* the hop-by-hop header now names a fragment header */
	static const uint8_t fh[8] = {58, 0, 0x00, 0x01, 0xca, 0xfe, 0x00, 0x01}; /* offset 0, M, id */
	memcpy(f.b + 48, fh, 8);
	memcpy(f.b + 56, e.b + 48, 8); /* the first 8 bytes of the echo */
	f.n = 64;
	f.b[4] = 0, f.b[5] = (uint8_t)(f.n - 40);
	nsent = 0;
	synack_input(st, f.b, f.n, 1000000);
	assert_int_equal(nsent, 0);
	assert_int_equal(synack_next_deadline(st), 31000000);
	synack_poll(st, 30999999);
	assert_int_equal(nsent, 0);
	synack_poll(st, 31000000);
	assert_int_equal(nsent, 1);
	struct sk_ipv6 h;
	struct sk_icmp6 m;
	assert_int_equal(sk_ipv6_parse(sent[0].b, sent[0].n, &h), SK_IPV6_HLEN);
	assert_int_equal(h.next, SK_IPPROTO_ICMPV6);
	assert_int_equal(sk_icmp6_parse(sent[0].b + 40, sent[0].n - 40, h.src, h.dst, &m, SK_ICMP6_VERIFY_CSUM), SK_ICMP6_HLEN);
	assert_int_equal(m.type, SK_ICMP6_TIME_EXCEEDED);
	assert_int_equal(m.code, SK_ICMP6_TIMXCEED_REASM);
	assert_int_equal(m.data_len, f.n);
	assert_memory_equal(m.data, f.b, f.n);
	synack_stack_free(st);
}

static void test_addresses(void **state)
{
	(void)state;
	synack_stack *st = stack_b();
	struct synack_ip a;
	assert_int_equal(synack_ip_parse("2001:db8::b", &a), 0);
	assert_int_equal(synack_add_addr(st, &a, 64, 1500, out, NULL), -EEXIST);
	static const char *bad[] = {"::", "::1", "ff02::1", "::ffff:192.0.2.1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(synack_ip_parse(bad[i], &a), 0);
		assert_int_equal(synack_add_addr(st, &a, 64, 1500, out, NULL), -EINVAL);
	}
	assert_int_equal(synack_ip_parse("2001:db8::c", &a), 0);
	assert_int_equal(synack_add_addr(st, &a, 129, 1500, out, NULL), -EINVAL);
	assert_int_equal(synack_add_addr(st, &a, 64, 1279, out, NULL), -EINVAL); /* RFC 8200 5 */
	assert_true(synack_add_addr(st, &a, 64, 1280, out, NULL) >= 0);
	/* An IPv4 address beside them still routes IPv4 (a v6 entry is never an IPv4 route). */
	struct synack_ip v4 = synack_ip4(192, 0, 2, 1);
	assert_true(synack_add_addr(st, &v4, 24, 1500, out, NULL) >= 0);
	int u = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr to = synack_sa4(198, 51, 100, 7, 9);
	nsent = 0;
	assert_int_equal(synack_sendto(st, u, "x", 1, 0, &to), 1);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].b[0] >> 4, 4);
	assert_memory_equal(sent[0].b + 12, v4.bytes, 4); /* from the IPv4 address */
	synack_stack_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_as_linux),
		cmocka_unit_test(test_parameter_problems_as_linux),
		cmocka_unit_test(test_not_mine_and_bad),
		cmocka_unit_test(test_error_rate_limit),
		cmocka_unit_test(test_reassembly_timeout),
		cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
