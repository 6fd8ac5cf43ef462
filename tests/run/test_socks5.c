/* The SOCKS5 client (src/run/socks5.c): its bytes against RFC 1928's and RFC 1929's
 * layouts written out here by hand, every reply code, replies in any split, malformed
 * answers, and the UDP relay header both ways. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run/socks5.h"

/* The bytes hex describes (sk_test_hex: spaces ignored). */
static size_t hex(const char *h, uint8_t *buf, size_t cap)
{
	return sk_test_hex(h, buf, cap);
}

/* The client's pending output must be exactly hex; then it is all marked sent. */
static void expect_out(struct sk_socks5 *s, const char *h)
{
	uint8_t want[600];
	size_t n = hex(h, want, sizeof(want));
	const uint8_t *p;
	size_t len = sk_socks5_output(s, &p);
	assert_int_equal(len, n);
	assert_memory_equal(p, want, n);
	sk_socks5_sent(s, len);
	assert_int_equal(sk_socks5_output(s, &p), 0);
}

/* Feeds the proxy's bytes (hex) in one piece; returns how many the client took. */
static size_t feed(struct sk_socks5 *s, const char *h)
{
	uint8_t b[600];
	size_t n = hex(h, b, sizeof(b));
	return sk_socks5_input(s, b, n);
}

/* The same, one byte at a time, stopping at the first byte not taken. */
static size_t feed_bytewise(struct sk_socks5 *s, const char *h)
{
	uint8_t b[600];
	size_t n = hex(h, b, sizeof(b)), used = 0;
	while (used < n && sk_socks5_input(s, b + used, 1) == 1)
		used++;
	return used;
}

static struct synack_sockaddr sa6(const char *text, uint16_t port)
{
	struct synack_sockaddr a = {{0}, port, 0};
	assert_int_equal(synack_ip_parse(text, &a.ip), 0);
	return a;
}

static void test_connect_ipv4(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80), bound;
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL), 0);
	/* Greeting: VER 5, NMETHODS 1, METHODS {00 no authentication}; sent in two parts. */
	const uint8_t *p;
	assert_int_equal(sk_socks5_output(&s, &p), 3);
	assert_int_equal(p[0], 0x05);
	sk_socks5_sent(&s, 1);
	expect_out(&s, "01 00");
	assert_int_equal(sk_socks5_status(&s, &bound), 0);
	/* Method selection: VER 5, METHOD 00. Then the request: VER 5, CMD 01 CONNECT, RSV 0,
	 * ATYP 01, 192.0.2.1, port 80. */
	assert_int_equal(feed(&s, "05 00"), 2);
	expect_out(&s, "05 01 00 01 c0 00 02 01 00 50");
	assert_int_equal(sk_socks5_status(&s, &bound), 0);
	/* Reply: VER 5, REP 0, RSV, ATYP 1, 198.51.100.7 port 8080, then the stream's first
	 * bytes, which stay the caller's. */
	assert_int_equal(feed(&s, "05 00 00 01 c6 33 64 07 1f 90  48 54 54 50"), 10);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	struct synack_sockaddr want = synack_sa4(198, 51, 100, 7, 8080);
	assert_int_equal(bound.ip.family, SYNACK_AF_INET);
	assert_memory_equal(bound.ip.bytes, want.ip.bytes, 16);
	assert_int_equal(bound.port, 8080);
	assert_null(sk_socks5_why(&s));
	assert_int_equal(sk_socks5_input(&s, (const uint8_t *)"x", 1), 0);
	assert_int_equal(sk_socks5_output(&s, &p), 0);
}

static void test_connect_ipv6(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = sa6("2001:db8::1", 443), bound;
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL), 0);
	expect_out(&s, "05 01 00");
	assert_int_equal(feed(&s, "05 00"), 2);
	/* ATYP 04 and the 16 bytes of 2001:db8::1, port 443. */
	expect_out(&s, "05 01 00 04  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  01 bb");
	assert_int_equal(feed(&s, "05 00 00 04  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02"
				  "  c3 50"),
			 22);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	struct synack_sockaddr want = sa6("2001:db8::2", 50000);
	assert_int_equal(bound.ip.family, SYNACK_AF_INET6);
	assert_memory_equal(bound.ip.bytes, want.ip.bytes, 16);
	assert_int_equal(bound.port, 50000);
}

static void test_udp_associate(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr bound;
	/* No source known yet: 0.0.0.0 port 0, CMD 03. */
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_UDP, NULL, NULL, NULL), 0);
	expect_out(&s, "05 01 00");
	assert_int_equal(feed(&s, "05 00"), 2);
	expect_out(&s, "05 03 00 01 00 00 00 00 00 00");
	assert_int_equal(feed(&s, "05 00 00 01 c6 33 64 01 9c 40"), 10);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	assert_int_equal(bound.ip.family, SYNACK_AF_INET);
	assert_memory_equal(bound.ip.bytes, "\xc6\x33\x64\x01", 4);
	assert_int_equal(bound.port, 40000);

	/* A known source, IPv6. */
	struct synack_sockaddr from = sa6("2001:db8::5", 5353);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_UDP, &from, NULL, NULL), 0);
	expect_out(&s, "05 01 00");
	assert_int_equal(feed(&s, "05 00"), 2);
	expect_out(&s, "05 03 00 04  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 05  14 e9");
	/* A bound address of 0.0.0.0: the proxy's own, the caller substitutes it. */
	assert_int_equal(feed(&s, "05 00 00 01 00 00 00 00 9c 41"), 10);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	assert_int_equal(bound.ip.family, SYNACK_AF_INET);
	assert_memory_equal(bound.ip.bytes, "\0\0\0\0", 4);
	assert_int_equal(bound.port, 40001);
	assert_int_equal(sk_socks5_status(&s, NULL), 1);
}

static void test_username_password(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", "s3cret"), 0);
	/* Both methods offered: 00 and 02. */
	expect_out(&s, "05 02 00 02");
	assert_int_equal(feed(&s, "05 02"), 2);
	/* RFC 1929: VER 1, ULEN 5 "alice", PLEN 6 "s3cret". */
	expect_out(&s, "01 05 61 6c 69 63 65 06 73 33 63 72 65 74");
	assert_int_equal(sk_socks5_status(&s, NULL), 0);
	assert_int_equal(feed(&s, "01 00"), 2);
	expect_out(&s, "05 01 00 01 c0 00 02 01 00 50");
	assert_int_equal(feed(&s, "05 00 00 01 c6 33 64 07 1f 90"), 10);
	assert_int_equal(sk_socks5_status(&s, NULL), 1);
	/* Nothing of the password is left in the state. */
	assert_null(memmem(&s, sizeof(s), "s3cret", 6));

	/* The proxy may pick "no authentication" though a password was offered. */
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", "s3cret"), 0);
	expect_out(&s, "05 02 00 02");
	assert_int_equal(feed(&s, "05 00"), 2);
	expect_out(&s, "05 01 00 01 c0 00 02 01 00 50");

	/* A status with version 5, as some proxies send it, is taken. */
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "u", ""), 0);
	expect_out(&s, "05 02 00 02");
	assert_int_equal(feed(&s, "05 02"), 2);
	expect_out(&s, "01 01 75 00"); /* an empty password: PLEN 0 */
	assert_int_equal(feed(&s, "05 00"), 2);
	expect_out(&s, "05 01 00 01 c0 00 02 01 00 50");

	/* No password at all is an empty one. */
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "u", NULL), 0);
	expect_out(&s, "05 02 00 02");
	assert_int_equal(feed(&s, "05 02"), 2);
	expect_out(&s, "01 01 75 00");
}

/* Once the username/password request has gone, no copy of it stays in the state. */
static void test_password_forgotten(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	static const char pass[] = "correct horse battery staple";
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", pass);
	assert_non_null(memmem(&s, sizeof(s), "staple", 6)); /* kept until chosen */
	expect_out(&s, "05 02 00 02");
	assert_int_equal(feed(&s, "05 02"), 2);
	const uint8_t *p;
	size_t n = sk_socks5_output(&s, &p);
	assert_int_equal(n, 3 + 5 + sizeof(pass) - 1);
	assert_memory_equal(p + 8, pass, sizeof(pass) - 1);
	sk_socks5_sent(&s, n - 1);
	assert_non_null(memmem(&s, sizeof(s), "staple", 5)); /* not all sent yet */
	sk_socks5_sent(&s, 1);
	assert_null(memmem(&s, sizeof(s), "corr", 4));
	assert_null(memmem(&s, sizeof(s), "horse", 5));
	assert_null(memmem(&s, sizeof(s), "stap", 4));
}

static void test_auth_rejected(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", "wrong");
	expect_out(&s, "05 02 00 02");
	feed(&s, "05 02");
	expect_out(&s, "01 05 61 6c 69 63 65 05 77 72 6f 6e 67");
	assert_int_equal(feed(&s, "01 01"), 2);
	assert_int_equal(sk_socks5_status(&s, NULL), -EACCES);
	assert_non_null(sk_socks5_why(&s));
	const uint8_t *p;
	assert_int_equal(sk_socks5_output(&s, &p), 0);
	assert_int_equal(feed(&s, "05 00 00 01 00 00 00 00 00 00"), 0);
	assert_null(memmem(&s, sizeof(s), "wrong", 5));

	/* A status of another version is malformed. */
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", "wrong");
	feed(&s, "05 02");
	assert_int_equal(feed(&s, "02 00"), 2);
	assert_int_equal(sk_socks5_status(&s, NULL), -EPROTO);
}

/* The method selection: 0xFF, a method not offered, another version. */
static void test_method_choice(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	const uint8_t *p;
	static const struct {
		const char *user, *answer;
		int want;
	} cases[] = {
		{NULL, "05 ff", -EACCES},    /* no acceptable method (the proxy wants a password) */
		{"alice", "05 ff", -EACCES}, /* nor with one */
		{NULL, "05 02", -EPROTO},    /* username/password, never offered */
		{"alice", "05 01", -EPROTO}, /* GSSAPI, never offered */
		{NULL, "05 80", -EPROTO},    /* a private method */
		{NULL, "04 00", -EPROTO},    /* not SOCKS5 */
		{NULL, "48 54", -EPROTO},    /* "HT": an HTTP proxy */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, cases[i].user, "pw"), 0);
		assert_int_equal(feed(&s, cases[i].answer), 2);
		assert_int_equal(sk_socks5_status(&s, NULL), cases[i].want);
		assert_non_null(sk_socks5_why(&s));
		/* The failure queues nothing more, even with the greeting never marked sent. */
		assert_int_equal(sk_socks5_output(&s, &p), 0);
	}
}

/* Every reply code of RFC 1928 section 6, and unassigned ones. */
static void test_reply_codes(void **state)
{
	(void)state;
	static const struct {
		uint8_t rep;
		int want;
	} codes[] = {
		{0x01, -ECONNABORTED}, {0x02, -EACCES},     {0x03, -ENETUNREACH},
		{0x04, -EHOSTUNREACH}, {0x05, -ECONNREFUSED}, {0x06, -ETIMEDOUT},
		{0x07, -EOPNOTSUPP},   {0x08, -EOPNOTSUPP},  {0x09, -EPROTO},
		{0x7f, -EPROTO},       {0xff, -EPROTO},
	};
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct sk_socks5 s;
		sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL);
		expect_out(&s, "05 01 00");
		feed(&s, "05 00");
		expect_out(&s, "05 01 00 01 c0 00 02 01 00 50");
		uint8_t reply[10] = {0x05, codes[i].rep, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
		/* Known as soon as VER and REP are in: a failing proxy may close at once. */
		assert_int_equal(sk_socks5_input(&s, reply, 1), 1);
		assert_int_equal(sk_socks5_status(&s, NULL), 0);
		assert_int_equal(sk_socks5_input(&s, reply + 1, sizeof(reply) - 1), 1);
		assert_int_equal(sk_socks5_status(&s, NULL), codes[i].want);
		assert_non_null(sk_socks5_why(&s));
	}
}

static void test_malformed_reply(void **state)
{
	(void)state;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	static const char *const bad[] = {
		"04 00 00 01 00 00 00 00 00 00", /* version 4 */
		"00 5a 00 00 00 00 00 00",       /* a SOCKS4 reply */
		"05 00 00 02 00 00 00 00 00 00", /* address type 2 */
		"05 00 00 00 00 00 00 00 00 00", /* address type 0 */
		"05 00 00 05 00 00 00 00 00 00", /* address type 5 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sk_socks5 s;
		sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL);
		feed(&s, "05 00");
		feed(&s, bad[i]);
		assert_int_equal(sk_socks5_status(&s, NULL), -EPROTO);
	}
}

/* A domain name as the bound address (ATYP 3) is skipped by its length. */
static void test_domain_bound(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80), bound;
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL);
	feed(&s, "05 00");
	/* "proxy.example" (13 bytes), port 1080, then two bytes of the stream. */
	assert_int_equal(feed(&s, "05 00 00 03 0d 70 72 6f 78 79 2e 65 78 61 6d 70 6c 65 04 38"
				  "  16 03"),
			 20);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	assert_int_equal(bound.ip.family, SYNACK_AF_UNSPEC);
	assert_int_equal(bound.port, 1080);

	/* An empty name, and one of 255 bytes. */
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL);
	feed(&s, "05 00");
	assert_int_equal(feed(&s, "05 00 00 03 00 00 50 ff"), 7);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	assert_int_equal(bound.port, 80);

	uint8_t big[4 + 1 + 255 + 2 + 5];
	memset(big, 'a', sizeof(big));
	memcpy(big, "\x05\x00\x00\x03\xff", 5);
	big[260] = 0x12;
	big[261] = 0x34;
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL);
	feed(&s, "05 00");
	assert_int_equal(sk_socks5_input(&s, big, sizeof(big)), 262);
	assert_int_equal(sk_socks5_status(&s, &bound), 1);
	assert_int_equal(bound.ip.family, SYNACK_AF_UNSPEC);
	assert_int_equal(bound.port, 0x1234);
}

/* Every answer one byte at a time: each byte is taken until the reply ends, not one
 * after. */
static void test_bytewise(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = sa6("2001:db8::1", 443), bound;
	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", "s3cret");
	expect_out(&s, "05 02 00 02");
	assert_int_equal(feed_bytewise(&s, "05 02"), 2);
	expect_out(&s, "01 05 61 6c 69 63 65 06 73 33 63 72 65 74");
	assert_int_equal(feed_bytewise(&s, "01 00"), 2);
	expect_out(&s, "05 01 00 04  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  01 bb");
	const char *replies[] = {
		"05 00 00 01 c6 33 64 07 1f 90",
		"05 00 00 04 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02 c3 50",
		"05 00 00 03 0d 70 72 6f 78 79 2e 65 78 61 6d 70 6c 65 04 38",
	};
	size_t lens[] = {10, 22, 20};
	for (size_t i = 0; i < 3; i++) {
		struct sk_socks5 c = s; /* the same state, awaiting the reply */
		char with_tail[200];
		snprintf(with_tail, sizeof(with_tail), "%s 17 03 03", replies[i]);
		for (size_t k = 0; k + 1 < lens[i]; k++) {
			uint8_t b[64];
			hex(replies[i], b, sizeof(b));
			assert_int_equal(sk_socks5_input(&c, b + k, 1), 1);
			assert_int_equal(sk_socks5_status(&c, NULL), 0);
		}
		c = s;
		assert_int_equal(feed_bytewise(&c, with_tail), lens[i]);
		assert_int_equal(sk_socks5_status(&c, &bound), 1);
	}
	/* A failure, byte by byte: known after two bytes. */
	struct sk_socks5 c = s;
	assert_int_equal(feed_bytewise(&c, "05 05 00 01 00 00 00 00 00 00"), 2);
	assert_int_equal(sk_socks5_status(&c, NULL), -ECONNREFUSED);
}

/* Split at every place: the whole transcript from the proxy in two pieces. */
static void test_every_split(void **state)
{
	(void)state;
	uint8_t all[64];
	size_t n = hex("05 02  01 00  05 00 00 01 c6 33 64 07 1f 90  aa bb", all, sizeof(all));
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	for (size_t cut = 0; cut <= n; cut++) {
		struct sk_socks5 s;
		sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "alice", "s3cret");
		size_t used = sk_socks5_input(&s, all, cut);
		used += sk_socks5_input(&s, all + used, n - used);
		assert_int_equal(used, n - 2);
		assert_int_equal(sk_socks5_status(&s, NULL), 1);
		/* Nothing was marked sent: everything is still queued, in order. */
		expect_out(&s, "05 02 00 02  01 05 61 6c 69 63 65 06 73 33 63 72 65 74"
			       "  05 01 00 01 c0 00 02 01 00 50");
	}
}

static void test_start_rejects(void **state)
{
	(void)state;
	struct sk_socks5 s;
	struct synack_sockaddr dst = synack_sa4(192, 0, 2, 1, 80);
	struct synack_sockaddr none = {{0}, 80, 0};
	char long_name[257];
	memset(long_name, 'u', 256);
	long_name[256] = 0;
	const uint8_t *p;

	assert_int_equal(sk_socks5_start(&s, 2 /* BIND */, &dst, NULL, NULL), -EINVAL);
	assert_int_equal(sk_socks5_status(&s, NULL), -EINVAL);
	assert_int_equal(sk_socks5_output(&s, &p), 0);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &none, NULL, NULL), -EINVAL);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "", "pw"), -EINVAL);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, long_name, "pw"), -EINVAL);
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, "u", long_name), -EINVAL);
	assert_int_equal(sk_socks5_status(&s, NULL), -EINVAL);
	assert_int_equal(feed(&s, "05 00"), 0);

	/* The longest credentials there are: 255 bytes each, a request of 513. */
	long_name[255] = 0;
	assert_int_equal(sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, long_name, long_name), 0);
	expect_out(&s, "05 02 00 02");
	feed(&s, "05 02");
	assert_int_equal(sk_socks5_output(&s, &p), 513);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 255);
	assert_int_equal(p[257], 255);
	assert_memory_equal(p + 2, long_name, 255);
	assert_memory_equal(p + 258, long_name, 255);
	/* Sent a byte at a time. */
	for (int i = 0; i < 513; i++)
		sk_socks5_sent(&s, 1);
	assert_int_equal(sk_socks5_output(&s, &p), 0);
	sk_socks5_sent(&s, 5); /* more than there is: ignored */
	assert_int_equal(sk_socks5_output(&s, &p), 0);
}

static void test_udp_wrap(void **state)
{
	(void)state;
	uint8_t out[64], want[64];
	struct synack_sockaddr dst = synack_sa4(198, 51, 100, 7, 53), src;
	/* RSV 0000, FRAG 00, ATYP 01, 198.51.100.7, port 53, then the payload. */
	size_t n = hex("00 00 00 01 c6 33 64 07 00 35  68 69", want, sizeof(want));
	assert_int_equal(sk_socks5_udp_wrap(out, sizeof(out), &dst, "hi", 2), n);
	assert_memory_equal(out, want, n);
	assert_int_equal(sk_socks5_udp_unwrap(out, n, &src), 10);
	assert_int_equal(src.ip.family, SYNACK_AF_INET);
	assert_memory_equal(src.ip.bytes, dst.ip.bytes, 16);
	assert_int_equal(src.port, 53);

	struct synack_sockaddr d6 = sa6("2001:db8::53", 5353);
	n = hex("00 00 00 04  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 53  14 e9  78", want,
		sizeof(want));
	assert_int_equal(sk_socks5_udp_wrap(out, sizeof(out), &d6, "x", 1), n);
	assert_memory_equal(out, want, n);
	assert_int_equal(sk_socks5_udp_unwrap(out, n, &src), SK_SOCKS5_UDP_HDR_MAX);
	assert_int_equal(src.ip.family, SYNACK_AF_INET6);
	assert_memory_equal(src.ip.bytes, d6.ip.bytes, 16);
	assert_int_equal(src.port, 5353);

	/* Built in place, at the most a header takes and at its exact length. */
	memcpy(out + SK_SOCKS5_UDP_HDR_MAX, "payload", 7);
	assert_int_equal(sk_socks5_udp_wrap(out, sizeof(out), &dst, out + SK_SOCKS5_UDP_HDR_MAX, 7),
			 17);
	assert_memory_equal(out + 10, "payload", 7);
	memcpy(out + 10, "payload", 7);
	assert_int_equal(sk_socks5_udp_wrap(out, sizeof(out), &dst, out + 10, 7), 17);
	assert_memory_equal(out + 10, "payload", 7);
	/* Room for an IPv4 header kept, an IPv6 destination: the payload moves over itself. */
	static const char twenty[] = "0123456789abcdefghij";
	memcpy(out + 10, twenty, 20);
	assert_int_equal(sk_socks5_udp_wrap(out, sizeof(out), &d6, out + 10, 20), 42);
	assert_memory_equal(out + 22, twenty, 20);
	assert_int_equal(sk_socks5_udp_unwrap(out, 42, &src), 22);

	/* An empty payload; the exact room, and one byte short of it. */
	assert_int_equal(sk_socks5_udp_wrap(out, 10, &dst, "", 0), 10);
	assert_int_equal(sk_socks5_udp_unwrap(out, 10, &src), 10);
	assert_int_equal(sk_socks5_udp_wrap(out, 12, &dst, "hi", 2), 12);
	assert_int_equal(sk_socks5_udp_wrap(out, 11, &dst, "hi", 2), -EMSGSIZE);
	assert_int_equal(sk_socks5_udp_wrap(out, 5, &dst, "", 0), -EMSGSIZE);
	assert_int_equal(sk_socks5_udp_wrap(out, 64, &dst, "", (size_t)-1), -EMSGSIZE);
	struct synack_sockaddr none = {{0}, 53, 0};
	assert_int_equal(sk_socks5_udp_wrap(out, 64, &none, "hi", 2), -EINVAL);
	assert_int_equal(sk_socks5_udp_wrap(out, 64, NULL, "hi", 2), -EINVAL);
}

static void test_udp_unwrap_malformed(void **state)
{
	(void)state;
	uint8_t d[300];
	struct synack_sockaddr src;
	static const struct {
		const char *hex;
		ssize_t want;
	} cases[] = {
		{"", -EPROTO},
		{"00 00 00", -EPROTO},
		{"00 00 00 01", -EPROTO},
		{"00 00 00 01 c6 33 64 07 00", -EPROTO},       /* the port cut short */
		{"00 00 00 01 c6 33 64 07 00 35", 10},         /* no payload */
		{"00 00 01 01 c6 33 64 07 00 35 68 69", -EPROTO}, /* fragment 1 */
		{"00 00 81 01 c6 33 64 07 00 35 68 69", -EPROTO}, /* the last fragment, 1 */
		{"00 00 00 02 c6 33 64 07 00 35 68 69", -EPROTO}, /* address type 2 */
		{"00 00 00 04 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 53 14", -EPROTO},
		{"00 00 00 03", -EPROTO},                      /* a name without its length */
		{"00 00 00 03 04 64 6e 73 30 00", -EPROTO},    /* a name, the port cut short */
		{"00 00 00 03 04 64 6e 73 30 00 35 68 69", 11}, /* "dns0" port 53, "hi" */
		{"12 34 00 01 c6 33 64 07 00 35 68 69", 10},   /* RSV not zero: not looked at */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = hex(cases[i].hex, d, sizeof(d));
		memset(&src, 0xee, sizeof(src));
		assert_int_equal(sk_socks5_udp_unwrap(d, n, &src), cases[i].want);
		if (cases[i].want == 11) {
			assert_int_equal(src.ip.family, SYNACK_AF_UNSPEC);
			assert_int_equal(src.port, 53);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_ipv4),
		cmocka_unit_test(test_connect_ipv6),
		cmocka_unit_test(test_udp_associate),
		cmocka_unit_test(test_username_password),
		cmocka_unit_test(test_password_forgotten),
		cmocka_unit_test(test_auth_rejected),
		cmocka_unit_test(test_method_choice),
		cmocka_unit_test(test_reply_codes),
		cmocka_unit_test(test_malformed_reply),
		cmocka_unit_test(test_domain_bound),
		cmocka_unit_test(test_bytewise),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_start_rejects),
		cmocka_unit_test(test_udp_wrap),
		cmocka_unit_test(test_udp_unwrap_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
