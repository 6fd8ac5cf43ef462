/* synack_send_fill: data written straight into a stream socket's send buffer by the
 * caller's fill (a relay's copy saved), on two simulated hosts (virtual clock): the bytes
 * arrive intact and in order across the buffer's wrap, fill's short counts and errors,
 * a full buffer, and the calls it refuses. */
#include <errno.h>
#include <string.h>

#include <synack/synack.h>

#include "sim/world.h"
#include "testutil.h"

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u
#define PORT 7000
#define MS 1000ull
#define TOTAL 300000u

struct src {
	uint32_t next;  /* the next byte of the pattern to write */
	uint32_t limit; /* the most it has */
	int calls;
	int fail;       /* return this (a negative errno) instead */
	size_t most;    /* the largest room fill was given */
};

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7u + (i >> 9));
}

static ssize_t fill(void *ctx, void *buf, size_t len)
{
	struct src *s = ctx;
	s->calls++;
	if (len > s->most)
		s->most = len;
	if (s->fail)
		return s->fail;
	size_t n = s->limit - s->next < len ? s->limit - s->next : len;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)buf)[i] = pattern(s->next + (uint32_t)i);
	s->next += (uint32_t)n;
	return (ssize_t)n;
}

struct pair {
	struct sk_world *w;
	synack_stack *c, *s;
	int k, a; /* the client's socket, the server's accepted one */
};

static void run(struct pair *p, uint64_t ms)
{
	sk_world_run_until(p->w, sk_world_now(p->w) + ms * MS);
}

static struct pair connected(void)
{
	struct sk_world_opts o = {.seed = 5, .no_log = 1};
	o.link.delay_us = 1000;
	struct pair p = {sk_world_new(&o, NULL), NULL, NULL, -1, -1};
	assert_non_null(p.w);
	int hc = sk_world_add_host(p.w, "client", CLIENT, NULL), hs = sk_world_add_host(p.w, "server", SERVER, NULL);
	p.c = sk_world_stack(p.w, hc);
	p.s = sk_world_stack(p.w, hs);
	int l = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr any = synack_sa_any(SYNACK_AF_INET, PORT);
	assert_int_equal(synack_bind(p.s, l, &any), 0);
	assert_int_equal(synack_listen(p.s, l, 4), 0);
	p.k = synack_socket(p.c, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr to = sk_world_sockaddr(p.w, hs, PORT);
	assert_int_equal(synack_connect(p.c, p.k, &to), -EINPROGRESS);
	run(&p, 20);
	p.a = synack_accept(p.s, l, NULL);
	assert_true(p.a >= 0);
	return p;
}

/* 300,000 bytes through fill while the client reads: in order, intact, with the buffer
 * wrapping many times; fill giving fewer than the room is taken as "no more now". */
static void test_fill_stream(void **state)
{
	(void)state;
	struct pair p = connected();
	struct src s = {.limit = TOTAL};
	static uint8_t got[TOTAL];
	uint32_t have = 0;
	int wraps = 0; /* calls whose room came in two pieces: the ring's end, then its start */
	for (int round = 0; round < 20000 && have < TOTAL; round++) {
		if (s.next < s.limit) {
			int before = s.calls;
			ssize_t r = synack_send_fill(p.s, p.a, 10000, fill, &s);
			assert_true(r > 0 || r == -EAGAIN);
			wraps += s.calls - before == 2;
		}
		run(&p, 1);
		ssize_t n = synack_recv(p.c, p.k, got + have, TOTAL - have, 0);
		if (n > 0)
			have += (uint32_t)n;
	}
	assert_int_equal(have, TOTAL);
	for (uint32_t i = 0; i < TOTAL; i++)
		if (got[i] != pattern(i))
			fail_msg("byte %u: %u, expected %u", i, got[i], pattern(i));
	assert_true(s.most <= 10000);
	assert_true(wraps > 0);
	/* Nothing left to give: 0, nothing queued, and the empty buffer is not kept (an idle
	 * relayed connection holds none). */
	int calls = s.calls;
	run(&p, 50);
	assert_int_equal(synack_send_fill(p.s, p.a, 100000, fill, &s), 0);
	assert_int_equal(s.calls, calls + 1);
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(p.s, p.a, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_true(ti.mem_bytes < 4096);
	sk_world_free(p.w);
}

/* fill's error comes back when it gave nothing; a full buffer is -EAGAIN without calling
 * it; a datagram socket, a bad handle, no fill, a socket not connected are refused. */
static void test_fill_errors(void **state)
{
	(void)state;
	struct pair p = connected();
	struct src s = {.limit = 1u << 30, .fail = -EIO};
	assert_int_equal(synack_send_fill(p.s, p.a, 1000, fill, &s), -EIO);
	s.fail = 0;
	/* Fill the send buffer while the client reads nothing: then -EAGAIN, fill not asked. */
	ssize_t r;
	int rounds = 0;
	while ((r = synack_send_fill(p.s, p.a, 1 << 20, fill, &s)) > 0 && rounds++ < 1000)
		;
	assert_int_equal(r, -EAGAIN);
	int calls = s.calls;
	assert_int_equal(synack_send_fill(p.s, p.a, 1000, fill, &s), -EAGAIN);
	assert_int_equal(s.calls, calls);
	assert_int_equal(synack_send_fill(p.s, p.a, 0, fill, &s), 0);
	assert_int_equal(synack_send_fill(p.s, p.a, 10, NULL, NULL), -EFAULT);
	assert_int_equal(synack_send_fill(p.s, 999, 10, fill, &s), -EBADF);
	int u = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_send_fill(p.s, u, 10, fill, &s), -EOPNOTSUPP);
	int t = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(synack_send_fill(p.s, t, 10, fill, &s), -ENOTCONN);
	/* After shutdown(SHUT_WR): EPIPE, as send says. */
	assert_int_equal(synack_shutdown(p.c, p.k, SYNACK_SHUT_WR), 0);
	assert_int_equal(synack_shutdown(p.s, p.a, SYNACK_SHUT_WR), 0);
	assert_int_equal(synack_send_fill(p.s, p.a, 10, fill, &s), -EPIPE);
	sk_world_free(p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_stream),
		cmocka_unit_test(test_fill_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
