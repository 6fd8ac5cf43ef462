/* The public address types: text forms against glibc's, family checks on every call that
 * takes an address, the POSIX layer's AF_UNSPEC, and the secret a default stack draws. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <synack/synack.h>

#include "sock/posix.h"
#include "testutil.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

static void test_ip4_text(void **state)
{
	(void)state;
	static const char *good[] = {"0.0.0.0", "192.0.2.1", "255.255.255.255", "10.1.2.3", "198.51.100.200"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct synack_ip ip;
		assert_int_equal(synack_ip_parse(good[i], &ip), 0);
		assert_int_equal(ip.family, SYNACK_AF_INET);
		struct in_addr want;
		assert_int_equal(inet_pton(AF_INET, good[i], &want), 1);
		assert_memory_equal(ip.bytes, &want, 4); /* network order, as struct in_addr */
		char buf[SYNACK_IP_STRLEN];
		assert_string_equal(synack_ip_format(&ip, buf, sizeof(buf)), good[i]);
		/* A buffer one byte short is refused, not overrun. */
		assert_null(synack_ip_format(&ip, buf, strlen(good[i])));
	}
	static const char *bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "a.b.c.d", "1..2.3"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct synack_ip ip = synack_ip4(9, 9, 9, 9);
		assert_int_equal(synack_ip_parse(bad[i], &ip), -EINVAL);
		assert_true(synack_ip_equal(&ip, &(struct synack_ip){SYNACK_AF_INET, {9, 9, 9, 9}})); /* untouched */
	}
	struct synack_ip none = {0};
	char buf[SYNACK_IP_STRLEN];
	assert_null(synack_ip_format(&none, buf, sizeof(buf)));
	assert_int_equal(synack_ip_parse(NULL, &none), -EINVAL);
}

/* An address with its port: the IPv6 one in brackets, the longest fits SYNACK_SA_STRLEN,
 * a buffer one byte short is refused. */
static void test_sa_text(void **state)
{
	(void)state;
	char buf[SYNACK_SA_STRLEN];
	struct synack_sockaddr a = synack_sa4(192, 0, 2, 1, 80);
	assert_string_equal(synack_sa_format(&a, buf, sizeof(buf)), "192.0.2.1:80");
	assert_null(synack_sa_format(&a, buf, strlen("192.0.2.1:80")));
	struct synack_sockaddr b = {.port = 65535};
	assert_int_equal(synack_ip_parse("2001:db8::1", &b.ip), 0);
	assert_string_equal(synack_sa_format(&b, buf, sizeof(buf)), "[2001:db8::1]:65535");
	struct synack_sockaddr l = {.port = 65535};
	assert_int_equal(synack_ip_parse("2001:db8:85a3:1234:5678:8a2e:1370:7334", &l.ip), 0);
	assert_non_null(synack_sa_format(&l, buf, sizeof(buf)));
	struct synack_sockaddr none = {0};
	assert_null(synack_sa_format(&none, buf, sizeof(buf)));
	assert_null(synack_sa_format(NULL, buf, sizeof(buf)));
}

/* IPv6 text both ways, against glibc's inet_pton and inet_ntop (RFC 5952's form). */
static void test_ip6_text(void **state)
{
	(void)state;
	static const char *in[] = {"::", "::1", "2001:db8::1", "2001:DB8:0:0:1:0:0:1", "2001:db8:0:0:1::1",
				   "fe80::1:2:3:4", "::ffff:192.0.2.1", "2001:db8:85a3::8a2e:370:7334",
				   "2001:0db8:0000:0000:0000:0000:0002:0001", "ff02::1:ff00:1"};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct synack_ip ip;
		assert_int_equal(synack_ip_parse(in[i], &ip), 0);
		assert_int_equal(ip.family, SYNACK_AF_INET6);
		struct in6_addr want;
		assert_int_equal(inet_pton(AF_INET6, in[i], &want), 1);
		assert_memory_equal(ip.bytes, &want, 16);
		char got[SYNACK_IP_STRLEN], ref[INET6_ADDRSTRLEN];
		assert_non_null(inet_ntop(AF_INET6, &want, ref, sizeof(ref)));
		assert_string_equal(synack_ip_format(&ip, got, sizeof(got)), ref);
	}
	static const char *bad[] = {":::", "1:2:3:4:5:6:7:8:9", "2001:db8::1::2", "12345::", "::g", "[::1]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct synack_ip ip = {0};
		assert_int_equal(synack_ip_parse(bad[i], &ip), -EINVAL);
		assert_int_equal(ip.family, SYNACK_AF_UNSPEC);
	}
}

/* "ADDRESS/LEN" for either family, the length within the family's bits. */
static void test_ip_prefix_text(void **state)
{
	(void)state;
	struct synack_ip ip;
	uint8_t len = 0;
	assert_int_equal(synack_ip_parse_prefix("192.0.2.7/24", &ip, &len), 0);
	assert_true(synack_ip_equal(&ip, &(struct synack_ip){SYNACK_AF_INET, {192, 0, 2, 7}}));
	assert_int_equal(len, 24);
	assert_int_equal(synack_ip_parse_prefix("2001:db8::2/128", &ip, &len), 0);
	assert_int_equal(ip.family, SYNACK_AF_INET6);
	assert_int_equal(len, 128);
	static const char *bad[] = {"192.0.2.7", "192.0.2.7/", "192.0.2.7/33", "2001:db8::2/129", "192.0.2.7/2a",
				    "/24", "192.0.2.7/0024", "x/8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = 99;
		assert_int_equal(synack_ip_parse_prefix(bad[i], &ip, &len), -EINVAL);
		assert_int_equal(len, 99); /* untouched */
	}
}

static void test_ip_equal(void **state)
{
	(void)state;
	struct synack_ip a = synack_ip4(192, 0, 2, 1), b = synack_ip4(192, 0, 2, 1), c = synack_ip4(192, 0, 2, 2);
	assert_true(synack_ip_equal(&a, &b));
	assert_false(synack_ip_equal(&a, &c));
	struct synack_ip six = {SYNACK_AF_INET6, {192, 0, 2, 1}};
	assert_false(synack_ip_equal(&a, &six)); /* same bytes, another family */
	struct synack_sockaddr sa = synack_sa4(203, 0, 113, 7, 443);
	assert_int_equal(sa.ip.family, SYNACK_AF_INET);
	assert_int_equal(sa.port, 443);
	assert_int_equal(sa.ip.bytes[0], 203);
	assert_int_equal(sa.ip.bytes[3], 7);
	struct synack_sockaddr any = synack_sa_any(SYNACK_AF_INET, 80);
	struct synack_ip zero4 = synack_ip4(0, 0, 0, 0);
	assert_true(synack_ip_equal(&any.ip, &zero4));
}

static int drop(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	(void)ctx, (void)pkt, (void)len, (void)now;
	return 0;
}

static void test_family_checks(void **state)
{
	(void)state;
	synack_stack *st = sk_test_stack_new(1);
	struct synack_ip a4 = synack_ip4(192, 0, 2, 1), a6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
	struct synack_ip unspec = {0};
	assert_true(synack_add_addr(st, &a6, 64, 1500, drop, NULL) >= 0); /* the IP layer takes IPv6 */
	assert_int_equal(synack_add_addr(st, &unspec, 24, 1500, drop, NULL), -EINVAL);
	assert_int_equal(synack_add_addr(st, &a4, 33, 1500, drop, NULL), -EINVAL);
	assert_int_equal(synack_add_addr(st, NULL, 24, 1500, drop, NULL), -EINVAL);
	assert_true(synack_add_addr(st, &a4, 24, 1500, drop, NULL) >= 0);
	assert_int_equal(synack_add_addr(st, &a4, 24, 1500, drop, NULL), -EEXIST);

	int s6sock = synack_socket(st, SYNACK_AF_INET6, SYNACK_SOCK_STREAM); /* IPv6 sockets exist */
	assert_true(s6sock >= 0);
	assert_int_equal(synack_close(st, s6sock), 0);
	assert_int_equal(synack_socket(st, SYNACK_AF_UNSPEC, SYNACK_SOCK_DGRAM), -EAFNOSUPPORT);
	assert_int_equal(synack_socket(st, 99, SYNACK_SOCK_STREAM), -EAFNOSUPPORT);

	struct synack_sockaddr s6 = {a6, 80, 0};
	int t = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM), u = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_true(t >= 0 && u >= 0);
	assert_int_equal(synack_bind(st, t, &s6), -EAFNOSUPPORT);
	assert_int_equal(synack_connect(st, t, &s6), -EAFNOSUPPORT);
	assert_int_equal(synack_bind(st, u, &s6), -EAFNOSUPPORT);
	assert_int_equal(synack_connect(st, u, &s6), -EAFNOSUPPORT);
	assert_int_equal(synack_sendto(st, u, "x", 1, 0, &s6), -EAFNOSUPPORT);

	/* Names come back in the same form: family set, bytes in network order. */
	struct synack_sockaddr me = synack_sa4(192, 0, 2, 1, 7000), got;
	assert_int_equal(synack_bind(st, t, &me), 0);
	assert_int_equal(synack_getsockname(st, t, &got), 0);
	assert_int_equal(got.ip.family, SYNACK_AF_INET);
	assert_true(synack_ip_equal(&got.ip, &me.ip));
	assert_int_equal(got.port, 7000);

	/* A connected datagram socket: connect with AF_UNSPEC forgets the peer. */
	struct synack_sockaddr peer = synack_sa4(192, 0, 2, 9, 53);
	assert_int_equal(synack_connect(st, u, &peer), 0);
	assert_int_equal(synack_getpeername(st, u, &got), 0);
	assert_true(synack_ip_equal(&got.ip, &peer.ip));
	struct synack_sockaddr dissolve = synack_sa_any(SYNACK_AF_UNSPEC, 0);
	assert_int_equal(synack_connect(st, u, &dissolve), 0);
	assert_int_equal(synack_getpeername(st, u, &got), -ENOTCONN);
	synack_stack_free(st);
}

/* The POSIX layer: sockaddr_in in and out, and connect(AF_UNSPEC) on UDP as Linux. */
static void test_posix_sockaddr(void **state)
{
	(void)state;
	synack_stack *st = sk_test_stack_new(1);
	struct synack_ip a4 = synack_ip4(192, 0, 2, 1);
	assert_true(synack_add_addr(st, &a4, 24, 1500, drop, NULL) >= 0);
	struct sk_px *px = sk_px_new(st);
	assert_non_null(px);
	int u = sk_px_socket(px, AF_INET, SOCK_DGRAM, 0);
	assert_true(u >= 0);
	assert_int_equal(sk_px_socket(px, AF_PACKET, SOCK_DGRAM, 0), -EAFNOSUPPORT);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};
	assert_int_equal(inet_pton(AF_INET, "192.0.2.9", &sin.sin_addr), 1);
	struct sk_px_wait w = {0};
	assert_int_equal(sk_px_connect(px, u, (struct sockaddr *)&sin, sizeof(sin), &w), 0);
	struct sockaddr_in got;
	socklen_t len = sizeof(got);
	assert_int_equal(sk_px_getpeername(px, u, (struct sockaddr *)&got, &len), 0);
	assert_int_equal(len, sizeof(got));
	assert_int_equal(got.sin_family, AF_INET);
	assert_int_equal(got.sin_port, htons(53));
	assert_memory_equal(&got.sin_addr, &sin.sin_addr, 4);
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	memset(&w, 0, sizeof(w));
	assert_int_equal(sk_px_connect(px, u, &unspec, sizeof(unspec), &w), 0);
	len = sizeof(got);
	assert_int_equal(sk_px_getpeername(px, u, (struct sockaddr *)&got, &len), -ENOTCONN);

	/* AF_INET6: sockaddr_in6 in and out; a sockaddr_in is too short for it (EINVAL, as
	 * Linux checks the length first), a sockaddr_in6 of another family EAFNOSUPPORT. */
	struct synack_ip a6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
	assert_true(synack_add_addr(st, &a6, 64, 1500, drop, NULL) >= 0);
	int u6 = sk_px_socket(px, AF_INET6, SOCK_DGRAM, 0);
	assert_true(u6 >= 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(sk_px_connect(px, u6, (struct sockaddr *)&sin, sizeof(sin), &w), -EINVAL);
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(5353)};
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::9", &s6.sin6_addr), 1);
	struct sockaddr_in6 bad = s6;
	bad.sin6_family = AF_INET;
	memset(&w, 0, sizeof(w));
	assert_int_equal(sk_px_connect(px, u6, (struct sockaddr *)&bad, sizeof(bad), &w), -EAFNOSUPPORT);
	memset(&w, 0, sizeof(w));
	assert_int_equal(sk_px_connect(px, u6, (struct sockaddr *)&s6, sizeof(s6), &w), 0);
	struct sockaddr_in6 got6;
	len = sizeof(got6);
	assert_int_equal(sk_px_getpeername(px, u6, (struct sockaddr *)&got6, &len), 0);
	assert_int_equal(len, sizeof(got6));
	assert_int_equal(got6.sin6_family, AF_INET6);
	assert_int_equal(got6.sin6_port, htons(5353));
	assert_memory_equal(&got6.sin6_addr, &s6.sin6_addr, 16);
	len = sizeof(got6);
	assert_int_equal(sk_px_getsockname(px, u6, (struct sockaddr *)&got6, &len), 0);
	char text[INET6_ADDRSTRLEN];
	assert_string_equal(inet_ntop(AF_INET6, &got6.sin6_addr, text, sizeof(text)), "2001:db8::1");
	sk_px_free(px);
	synack_stack_free(st);
}

/* Captures the first SYN a stack sends. */
struct syn_catch {
	uint32_t seq;
	int seen;
};

static int catch_syn(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	(void)now;
	struct syn_catch *k = ctx;
	struct sk_ipv4 ip;
	int hl = sk_ipv4_parse(pkt, len, &ip, 0);
	if (hl < 0 || ip.proto != 6 || k->seen)
		return 0;
	struct sk_tcp t;
	if (sk_tcp_parse(pkt + hl, ip.total_len - (size_t)hl, ip.src, ip.dst, &t, 0) < 0 || !(t.flags & SK_TCP_SYN))
		return 0;
	k->seq = t.seq;
	k->seen = 1;
	return 0;
}

/* The ISN one stack picks for a fixed 4-tuple at a fixed time. */
static uint32_t isn_of(const struct synack_config *c)
{
	struct syn_catch k = {0};
	synack_stack *st = synack_stack_new(c, NULL);
	assert_non_null(st);
	synack_poll(st, 1000000);
	struct synack_ip a4 = synack_ip4(192, 0, 2, 1);
	assert_true(synack_add_addr(st, &a4, 24, 1500, catch_syn, &k) >= 0);
	int s = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr me = synack_sa4(192, 0, 2, 1, 40000), to = synack_sa4(192, 0, 2, 9, 80);
	assert_int_equal(synack_bind(st, s, &me), 0);
	assert_int_equal(synack_connect(st, s, &to), -EINPROGRESS);
	assert_true(k.seen);
	synack_stack_free(st);
	return k.seq;
}

/* A stack made with default settings draws its secret from the system: the same 4-tuple
 * at the same time gets another ISN in another stack (RFC 6528's F must be secret). A set
 * secret repeats, which is what simulations rely on. */
static void test_default_secret_is_random(void **state)
{
	(void)state;
	uint32_t a = isn_of(NULL), b = isn_of(NULL);
	struct synack_config d;
	synack_config_defaults(&d);
	uint32_t c = isn_of(&d);
	assert_true(a != b || b != c); /* three equal 32-bit draws: 2^-64 */
	struct synack_config f;
	synack_config_defaults(&f);
	memset(f.secret, 0x42, sizeof(f.secret));
	f.seed = 7;
	assert_int_equal(isn_of(&f), isn_of(&f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_text),
		cmocka_unit_test(test_ip6_text),
		cmocka_unit_test(test_sa_text),
		cmocka_unit_test(test_ip_prefix_text),
		cmocka_unit_test(test_ip_equal),
		cmocka_unit_test(test_family_checks),
		cmocka_unit_test(test_posix_sockaddr),
		cmocka_unit_test(test_default_secret_is_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
