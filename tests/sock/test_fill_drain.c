/* synack_send_fill and synack_recv_drain: data written straight into a stream socket's
 * send buffer by the caller's fill, and taken straight from its receive buffer by the
 * caller's drain (a relay's copies saved), on two simulated hosts (virtual clock): the bytes
 * arrive intact and in order across the buffers' wrap, short counts and errors, full and
 * empty buffers, end of file, and the calls they refuse. */
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

/* drain: what the client sent, taken in place at most 7,000 bytes a call (a relay whose
 * other socket fills up), intact and in order across the buffer's wrap; then end of file. */
struct sink {
	uint8_t *got;
	uint32_t have, cap, per_call;
	int calls, fail;
};

static ssize_t drain(void *ctx, const void *buf, size_t len)
{
	struct sink *k = ctx;
	k->calls++;
	if (k->fail)
		return k->fail;
	size_t n = len < k->per_call ? len : k->per_call;
	if (n > k->cap - k->have)
		n = k->cap - k->have;
	memcpy(k->got + k->have, buf, n);
	k->have += (uint32_t)n;
	return (ssize_t)n;
}

static void test_drain_stream(void **state)
{
	(void)state;
	struct pair p = connected();
	static uint8_t out[TOTAL], got[TOTAL];
	for (uint32_t i = 0; i < TOTAL; i++)
		out[i] = pattern(i);
	struct sink k = {.got = got, .cap = TOTAL, .per_call = 7000};
	uint32_t sent = 0;
	int wraps = 0;
	assert_int_equal(synack_recv_drain(p.s, p.a, 1000, drain, &k), -EAGAIN); /* nothing yet */
	assert_int_equal(k.calls, 0);
	for (int round = 0; round < 20000 && k.have < TOTAL; round++) {
		if (sent < TOTAL) {
			ssize_t n = synack_send(p.c, p.k, out + sent, TOTAL - sent, 0);
			if (n > 0)
				sent += (uint32_t)n;
		}
		run(&p, 1);
		int before = k.calls;
		ssize_t r = synack_recv_drain(p.s, p.a, 100000, drain, &k);
		assert_true(r > 0 || r == -EAGAIN);
		assert_true(r <= 2 * 7000); /* (a call per piece) */
		wraps += k.calls - before == 2;
	}
	assert_int_equal(k.have, TOTAL);
	assert_memory_equal(got, out, TOTAL);
	assert_true(wraps > 0);
	/* drain's error when it took nothing; end of file once the client shut its side. */
	assert_int_equal(synack_send(p.c, p.k, "xy", 2, 0), 2);
	run(&p, 10);
	k.fail = -EPIPE;
	assert_int_equal(synack_recv_drain(p.s, p.a, 100, drain, &k), -EPIPE);
	k.fail = 0;
	k.cap = TOTAL + 2;
	k.have = TOTAL - 2; /* (room for the two bytes) */
	assert_int_equal(synack_recv_drain(p.s, p.a, 100, drain, &k), 2);
	assert_int_equal(synack_shutdown(p.c, p.k, SYNACK_SHUT_WR), 0);
	run(&p, 10);
	assert_int_equal(synack_recv_drain(p.s, p.a, 100, drain, &k), 0);
	/* refused: a datagram socket, a bad handle, no drain, a listener */
	int u = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	assert_int_equal(synack_recv_drain(p.s, u, 10, drain, &k), -EOPNOTSUPP);
	assert_int_equal(synack_recv_drain(p.s, 999, 10, drain, &k), -EBADF);
	assert_int_equal(synack_recv_drain(p.s, p.a, 10, NULL, NULL), -EFAULT);
	sk_world_free(p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_stream),
		cmocka_unit_test(test_fill_errors),
		cmocka_unit_test(test_drain_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
