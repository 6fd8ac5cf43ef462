/* API-1 (and API-2): the runtime's POSIX semantics without root: two runtimes, A (192.0.2.1)
 * and B (192.0.2.2),
 * each with its loop thread, joined by a socketpair that carries raw IPv4 packets. Blocking
 * and non-blocking connect, accept, read and write, timeouts, MSG_ flags, errors as Linux
 * gives them, poll, wake-ups by close and shutdown, many blocked threads, drain, and the
 * control socket's dump. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <synack/rt.h>

#include "rt/rt_dev.h"
#include "testutil.h"
#include "wire/decode.h"

#define ADDR_A 0xc0000201u
#define ADDR_B 0xc0000202u

/* ---- a device over one end of a socketpair ---- */

struct pairdev {
	struct sk_dev dev;
	int fd;
	atomic_int *drop; /* when set, everything sent is lost */
};

static int pd_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	(void)now;
	struct pairdev *p = (struct pairdev *)d;
	if (atomic_load(p->drop))
		return 0;
	if (send(p->fd, f, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int pd_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)now;
	ssize_t n = recv(((struct pairdev *)d)->fd, buf, cap, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return (int)n;
}

static int pd_fd(struct sk_dev *d)
{
	return ((struct pairdev *)d)->fd;
}

static void pd_close(struct sk_dev *d)
{
	close(((struct pairdev *)d)->fd);
	free(d);
}

static const struct sk_dev_ops pd_ops = {.send = pd_send, .recv = pd_recv, .fd = pd_fd, .close = pd_close};

static struct sk_dev *pairdev(int fd, atomic_int *drop)
{
	struct pairdev *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->dev.ops = &pd_ops;
	p->dev.linktype = SK_LINK_RAW;
	p->dev.mtu = 1500;
	snprintf(p->dev.name, sizeof(p->dev.name), "pair%d", fd);
	p->fd = fd;
	p->drop = drop;
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return &p->dev;
}

/* ---- fixture ---- */

struct world {
	synack_rt *a, *b;
	atomic_int drop_a, drop_b;
	char run_dir[64];
};

static int setup_world(void **state, int b_no_thread)
{
	struct world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	snprintf(w->run_dir, sizeof(w->run_dir), "/tmp/synack-rt-test-XXXXXX");
	assert_non_null(mkdtemp(w->run_dir));
	setenv("SYNACK_RUN_DIR", w->run_dir, 1);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct synack_rt_opts o;
	char why[200];
	synack_rt_opts_defaults(&o);
	o.addr = synack_ip4(192, 0, 2, 1); /* ADDR_A */
	o.prefix = 24;
	w->a = sk_rt_start_dev(&o, pairdev(sv[0], &w->drop_a), why, sizeof(why));
	if (!w->a)
		fail_msg("start A: %s", why);
	o.addr = synack_ip4(192, 0, 2, 2); /* ADDR_B */
	o.control = 0;
	o.no_thread = b_no_thread;
	w->b = sk_rt_start_dev(&o, pairdev(sv[1], &w->drop_b), why, sizeof(why));
	if (!w->b)
		fail_msg("start B: %s", why);
	*state = w;
	return 0;
}

static int setup(void **state)
{
	return setup_world(state, 0);
}

/* B without a loop thread: the test's own loop drives it. */
static int setup_b_external(void **state)
{
	return setup_world(state, 1);
}

static int teardown(void **state)
{
	struct world *w = *state;
	synack_rt_stop(w->a);
	synack_rt_stop(w->b);
	rmdir(w->run_dir);
	free(w);
	return 0;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
	return s;
}
#define SA(x) ((struct sockaddr *)&(x))

static uint64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int listener(synack_rt *rt, uint32_t addr, uint16_t port)
{
	int s = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = sin_of(addr, port);
	assert_int_equal(synack_rt_bind(rt, s, SA(a), sizeof(a)), 0);
	assert_int_equal(synack_rt_listen(rt, s, 64), 0);
	return s;
}

/* A connected pair: *ca on A, *cb on B (accepted). */
static void connect_pair(struct world *w, uint16_t port, int *ca, int *cb)
{
	int l = listener(w->b, ADDR_B, port);
	int c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sin_of(ADDR_B, port);
	assert_int_equal(synack_rt_connect(w->a, c, SA(to), sizeof(to)), 0);
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int s = synack_rt_accept(w->b, l, SA(peer), &pl);
	assert_true(s >= 0);
	assert_int_equal(pl, sizeof(peer));
	assert_int_equal(ntohl(peer.sin_addr.s_addr), ADDR_A);
	assert_int_equal(synack_rt_close(w->b, l), 0);
	*ca = c;
	*cb = s;
}

static void expect_err(long r, int e)
{
	if (r != -1 || errno != e)
		fail_msg("expected -1/%s, got %ld/%s", strerror(e), r, r < 0 ? strerror(errno) : "-");
}

/* ---- echo ---- */

struct echo_arg {
	synack_rt *rt;
	int ls;
};

static void *echo_server(void *p)
{
	struct echo_arg *e = p;
	int s = synack_rt_accept(e->rt, e->ls, NULL, NULL);
	if (s < 0)
		return NULL;
	char buf[8192];
	ssize_t n;
	while ((n = synack_rt_read(e->rt, s, buf, sizeof(buf))) > 0)
		if (synack_rt_write(e->rt, s, buf, (size_t)n) != n)
			break;
	synack_rt_shutdown(e->rt, s, SHUT_WR);
	synack_rt_close(e->rt, s);
	return NULL;
}

static void test_blocking_echo(void **state)
{
	struct world *w = *state;
	struct echo_arg ea = {w->b, listener(w->b, ADDR_B, 7000)};
	pthread_t th;
	pthread_create(&th, NULL, echo_server, &ea);
	int c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	struct sockaddr_in to = sin_of(ADDR_B, 7000);
	assert_int_equal(synack_rt_connect(w->a, c, SA(to), sizeof(to)), 0);
	struct sockaddr_in me, peer;
	socklen_t l = sizeof(me);
	assert_int_equal(synack_rt_getsockname(w->a, c, SA(me), &l), 0);
	assert_int_equal(ntohl(me.sin_addr.s_addr), ADDR_A);
	assert_true(ntohs(me.sin_port) >= 32768);
	l = sizeof(peer);
	assert_int_equal(synack_rt_getpeername(w->a, c, SA(peer), &l), 0);
	assert_int_equal(ntohs(peer.sin_port), 7000);

	size_t n = 300000;
	uint8_t *out = malloc(n), *in = malloc(n);
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(i * 7 + (i >> 9));
	assert_int_equal(synack_rt_write(w->a, c, out, n), (ssize_t)n);
	assert_int_equal(synack_rt_shutdown(w->a, c, SHUT_WR), 0);
	assert_int_equal(synack_rt_recv(w->a, c, in, n, MSG_WAITALL), (ssize_t)n);
	assert_memory_equal(in, out, n);
	assert_int_equal(synack_rt_read(w->a, c, in, 1), 0); /* the server's FIN */
	assert_int_equal(synack_rt_close(w->a, c), 0);
	pthread_join(th, NULL);
	synack_rt_close(w->b, ea.ls);
	free(out);
	free(in);
	assert_int_equal(synack_rt_drain(w->a, 5000), 0);
	assert_int_equal(synack_rt_drain(w->b, 5000), 0);
}

/* ---- connect ---- */

static void test_refused(void **state)
{
	struct world *w = *state;
	struct sockaddr_in to = sin_of(ADDR_B, 7001);
	int c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, 0);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), ECONNREFUSED);
	synack_rt_close(w->a, c);

	/* Non-blocking: EINPROGRESS, then the error shows in poll, SO_ERROR and connect. */
	c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EINPROGRESS);
	struct pollfd p = {.fd = c, .events = POLLOUT};
	assert_int_equal(synack_rt_poll(w->a, &p, 1, 5000), 1);
	assert_true(p.revents & POLLERR);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), ECONNREFUSED);
	synack_rt_close(w->a, c);

	c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EINPROGRESS);
	p.fd = c;
	assert_int_equal(synack_rt_poll(w->a, &p, 1, 5000), 1);
	int err = 0;
	socklen_t el = sizeof(err);
	assert_int_equal(synack_rt_getsockopt(w->a, c, SOL_SOCKET, SO_ERROR, &err, &el), 0);
	assert_int_equal(err, ECONNREFUSED);
	assert_int_equal(synack_rt_getsockopt(w->a, c, SOL_SOCKET, SO_ERROR, &err, &el), 0);
	assert_int_equal(err, 0);
	/* Linux: connect after the failure was read says ECONNABORTED. */
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), ECONNABORTED);
	synack_rt_close(w->a, c);
}

static void test_nonblocking_connect(void **state)
{
	struct world *w = *state;
	int l = listener(w->b, ADDR_B, 7002);
	struct sockaddr_in to = sin_of(ADDR_B, 7002);
	int c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EINPROGRESS);
	struct pollfd p = {.fd = c, .events = POLLOUT};
	assert_int_equal(synack_rt_poll(w->a, &p, 1, 5000), 1);
	assert_int_equal(p.revents, POLLOUT);
	/* Linux: the first connect after completion says 0, the next EISCONN. */
	assert_int_equal(synack_rt_connect(w->a, c, SA(to), sizeof(to)), 0);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EISCONN);
	/* The listener has it; non-blocking accept when the queue is empty is EAGAIN. */
	int s = synack_rt_accept(w->b, l, NULL, NULL);
	assert_true(s >= 0);
	assert_int_equal(synack_rt_set_nonblock(w->b, l, 1), 0);
	expect_err(synack_rt_accept(w->b, l, NULL, NULL), EAGAIN);
	synack_rt_close(w->a, c);
	synack_rt_close(w->b, s);
	synack_rt_close(w->b, l);

	/* A connect that stays in progress (everything A sends is lost): EALREADY. */
	atomic_store(&w->drop_a, 1);
	c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EINPROGRESS);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EALREADY);
	p.fd = c;
	assert_int_equal(synack_rt_poll(w->a, &p, 1, 50), 0);
	synack_rt_close(w->a, c);

	/* Blocking, bounded by SO_SNDTIMEO: EINPROGRESS when it runs out. */
	c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {0, 200000};
	assert_int_equal(synack_rt_setsockopt(w->a, c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	uint64_t t0 = ms_now();
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EINPROGRESS);
	uint64_t took = ms_now() - t0;
	assert_true(took >= 190 && took < 2000);
	synack_rt_close(w->a, c);
	atomic_store(&w->drop_a, 0);
}

/* ---- reading ---- */

static void test_recv_timeouts_and_flags(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7003, &a, &b);
	char buf[64];
	expect_err(synack_rt_recv(w->b, b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	assert_int_equal(synack_rt_set_nonblock(w->b, b, 1), 0);
	expect_err(synack_rt_read(w->b, b, buf, sizeof(buf)), EAGAIN);
	assert_int_equal(synack_rt_set_nonblock(w->b, b, 0), 0);

	struct timeval tv = {0, 150000}, got;
	assert_int_equal(synack_rt_setsockopt(w->b, b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	socklen_t gl = sizeof(got);
	assert_int_equal(synack_rt_getsockopt(w->b, b, SOL_SOCKET, SO_RCVTIMEO, &got, &gl), 0);
	assert_int_equal(got.tv_sec, 0);
	assert_int_equal(got.tv_usec, 150000);
	uint64_t t0 = ms_now();
	expect_err(synack_rt_read(w->b, b, buf, sizeof(buf)), EAGAIN);
	uint64_t took = ms_now() - t0;
	assert_true(took >= 140 && took < 2000);
	tv.tv_usec = 1000000;
	expect_err(synack_rt_setsockopt(w->b, b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	expect_err(synack_rt_setsockopt(w->b, b, SOL_SOCKET, SO_RCVTIMEO, &tv, 4), EINVAL);

	/* MSG_PEEK leaves the bytes; a blocking peek waits for them. */
	assert_int_equal(synack_rt_write(w->a, a, "hello", 5), 5);
	assert_int_equal(synack_rt_recv(w->b, b, buf, sizeof(buf), MSG_PEEK), 5);
	assert_memory_equal(buf, "hello", 5);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(synack_rt_recv(w->b, b, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "hello", 5);

	/* SO_TYPE comes from the runtime. */
	int type = 0;
	socklen_t tl = sizeof(type);
	assert_int_equal(synack_rt_getsockopt(w->b, b, SOL_SOCKET, SO_TYPE, &type, &tl), 0);
	assert_int_equal(type, SOCK_STREAM);
	/* Options the stack knows pass through under Linux's names. */
	int one = 1, v = 0;
	socklen_t vl = sizeof(v);
	assert_int_equal(synack_rt_setsockopt(w->a, a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	assert_int_equal(synack_rt_getsockopt(w->a, a, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
	assert_int_equal(v, 1);
	char cc[16] = {0};
	socklen_t cl = sizeof(cc);
	assert_int_equal(synack_rt_getsockopt(w->a, a, IPPROTO_TCP, TCP_CONGESTION, cc, &cl), 0);
	assert_string_equal(cc, "cubic");
	struct synack_tcp_info ti;
	socklen_t til = sizeof(ti);
	assert_int_equal(synack_rt_getsockopt(w->a, a, IPPROTO_TCP, TCP_INFO, &ti, &til), 0);
	assert_int_equal(ti.state, SYNACK_ESTABLISHED);
	expect_err(synack_rt_setsockopt(w->a, a, SOL_SOCKET, 9999, &one, sizeof(one)), ENOPROTOOPT);
	expect_err(synack_rt_setsockopt(w->a, a, 99, 1, &one, sizeof(one)), ENOPROTOOPT);
	struct linger lg = {1, 0};
	assert_int_equal(synack_rt_setsockopt(w->a, a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	memset(&lg, 0, sizeof(lg));
	socklen_t ll = sizeof(lg);
	assert_int_equal(synack_rt_getsockopt(w->a, a, SOL_SOCKET, SO_LINGER, &lg, &ll), 0);
	assert_int_equal(lg.l_onoff, 1);
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);
}

struct slow_writer {
	synack_rt *rt;
	int s;
};

static void *write_in_pieces(void *p)
{
	struct slow_writer *sw = p;
	for (int i = 0; i < 4; i++) {
		usleep(30000);
		synack_rt_write(sw->rt, sw->s, "abcd", 4);
	}
	return NULL;
}

static void test_waitall(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7004, &a, &b);
	struct slow_writer sw = {w->a, a};
	pthread_t th;
	pthread_create(&th, NULL, write_in_pieces, &sw);
	char buf[16];
	assert_int_equal(synack_rt_recv(w->b, b, buf, 16, MSG_WAITALL), 16);
	assert_memory_equal(buf, "abcdabcdabcdabcd", 16);
	pthread_join(th, NULL);
	/* WAITALL stops at the end of the stream with what there is. */
	assert_int_equal(synack_rt_write(w->a, a, "xy", 2), 2);
	assert_int_equal(synack_rt_shutdown(w->a, a, SHUT_WR), 0);
	assert_int_equal(synack_rt_recv(w->b, b, buf, 16, MSG_WAITALL), 2);
	assert_int_equal(synack_rt_recv(w->b, b, buf, 16, MSG_WAITALL), 0);
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);
}

/* ---- writing ---- */

struct reader {
	synack_rt *rt;
	int s;
	size_t want;
	size_t got;
	int bad;
};

/* n bytes of the pattern read_all checks (byte i is i % 251). */
static uint8_t *pattern(size_t n)
{
	uint8_t *data = malloc(n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i % 251);
	return data;
}

static void *read_all(void *p)
{
	struct reader *r = p;
	uint8_t buf[5000];
	while (r->got < r->want) {
		ssize_t n = synack_rt_read(r->rt, r->s, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != (uint8_t)((r->got + (size_t)i) % 251))
				r->bad = 1;
		r->got += (size_t)n;
	}
	return NULL;
}

static void test_large_write_blocks_until_queued(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7005, &a, &b);
	size_t n = 8u << 20;
	uint8_t *data = pattern(n);
	struct reader r = {w->b, b, n, 0, 0};
	pthread_t th;
	pthread_create(&th, NULL, read_all, &r);
	assert_int_equal(synack_rt_write(w->a, a, data, n), (ssize_t)n);
	pthread_join(th, NULL);
	assert_int_equal(r.got, n);
	assert_false(r.bad);
	/* Non-blocking, a write larger than the buffer takes part and then says EAGAIN. */
	assert_int_equal(synack_rt_set_nonblock(w->a, a, 1), 0);
	ssize_t first = synack_rt_write(w->a, a, data, n);
	assert_true(first > 0 && (size_t)first < n);
	/* Fill the send buffer and the peer's window (nobody reads there now) to the brim. The
	 * peer's window keeps opening as data arrives (its receive window grows per flight up to
	 * the buffer), so fill until two rounds in a row, 200 ms apart, queue nothing: on a busy
	 * machine that takes more than a fixed number of rounds (CI once needed a third). */
	int quiet = 0;
	for (int round = 0; quiet < 2; round++) {
		assert_true(round < 50);
		size_t queued = 0;
		ssize_t got;
		while ((got = synack_rt_send(w->a, a, data, n, 0)) > 0) {
			queued += (size_t)got;
			assert_true(queued < 1000 * n);
		}
		assert_int_equal(errno, EAGAIN);
		quiet = queued ? 0 : quiet + 1;
		usleep(200000);
	}
	assert_int_equal(synack_rt_set_nonblock(w->a, a, 0), 0);
	/* SO_SNDTIMEO: a write that can queue nothing says EAGAIN when the time is up. */
	struct timeval tv = {0, 100000};
	assert_int_equal(synack_rt_setsockopt(w->a, a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	uint64_t t0 = ms_now();
	expect_err(synack_rt_write(w->a, a, data, n), EAGAIN);
	assert_true(ms_now() - t0 >= 90);
	free(data);
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);
}

static void *undrop_later(void *p)
{
	usleep(100000);
	atomic_store((atomic_int *)p, 0);
	return NULL;
}

/* A write that blocks (the send buffer is full) right after it sent a flight leaves the
 * stack with a loss-probe and retransmission timer that only the loop thread runs: the loop
 * must learn of it although the writer waits instead of unlocking. Here every ACK of the
 * first flight is lost, and then the peer has nothing more to say, so only the sender's
 * probe or RTO moves the transfer on. The loop used to sleep until a packet came (here:
 * never; over a TUN, whatever the host sent next, seconds later). */
static void test_blocked_writer_keeps_timers(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7012, &a, &b);
	size_t n = 4u << 20;
	uint8_t *data = pattern(n);
	struct timeval tv = {5, 0}; /* a stalled transfer fails the test instead of hanging it */
	assert_int_equal(synack_rt_setsockopt(w->a, a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(synack_rt_setsockopt(w->b, b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	struct reader r = {w->b, b, n, 0, 0};
	pthread_t th, ud;
	atomic_store(&w->drop_b, 1); /* B's ACKs are lost for 100 ms */
	pthread_create(&ud, NULL, undrop_later, &w->drop_b);
	pthread_create(&th, NULL, read_all, &r);
	uint64_t t0 = ms_now();
	assert_int_equal(synack_rt_write(w->a, a, data, n), (ssize_t)n);
	pthread_join(th, NULL);
	pthread_join(ud, NULL);
	assert_int_equal(r.got, n);
	assert_false(r.bad);
	assert_true(ms_now() - t0 < 3000); /* one RTO of 1 s at most, not a stall */
	free(data);
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);
}

/* API-2: close() right after a write whose data is still queued (nothing acknowledged yet,
 * most of it not even sent) is a graceful close: the peer reads every byte, then end of
 * stream. */
static void test_api_2_close_delivers_unsent(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7011, &a, &b);
	size_t n = 2u << 20;
	uint8_t *data = pattern(n);
	/* Non-blocking, so the write returns with as much queued as fits, then close. */
	assert_int_equal(synack_rt_set_nonblock(w->a, a, 1), 0);
	ssize_t q = synack_rt_write(w->a, a, data, n);
	assert_true(q > 0);
	assert_int_equal(synack_rt_close(w->a, a), 0);
	struct reader r = {w->b, b, (size_t)q, 0, 0};
	read_all(&r);
	assert_int_equal(r.got, (size_t)q);
	assert_false(r.bad);
	uint8_t one;
	assert_int_equal(synack_rt_read(w->b, b, &one, 1), 0); /* then the FIN */
	free(data);
	synack_rt_close(w->b, b);
}

static void test_epipe(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7006, &a, &b);
	/* After shutdown(SHUT_WR): EPIPE here, end of stream there, the other way still open. */
	assert_int_equal(synack_rt_shutdown(w->a, a, SHUT_WR), 0);
	expect_err(synack_rt_write(w->a, a, "x", 1), EPIPE);
	char buf[8];
	assert_int_equal(synack_rt_read(w->b, b, buf, sizeof(buf)), 0);
	assert_int_equal(synack_rt_write(w->b, b, "back", 4), 4);
	assert_int_equal(synack_rt_recv(w->a, a, buf, 4, MSG_WAITALL), 4);
	assert_memory_equal(buf, "back", 4);
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);

	/* After the peer's reset: ECONNRESET once (the pending error), then EPIPE. */
	connect_pair(w, 7007, &a, &b);
	struct linger lg = {1, 0};
	assert_int_equal(synack_rt_setsockopt(w->b, b, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	assert_int_equal(synack_rt_close(w->b, b), 0);
	struct pollfd p = {.fd = a, .events = POLLIN};
	assert_int_equal(synack_rt_poll(w->a, &p, 1, 5000), 1);
	assert_true(p.revents & (POLLERR | POLLHUP));
	ssize_t r = synack_rt_write(w->a, a, "x", 1);
	assert_int_equal(r, -1);
	assert_true(errno == ECONNRESET || errno == EPIPE);
	expect_err(synack_rt_write(w->a, a, "x", 1), EPIPE);
	assert_int_equal(synack_rt_read(w->a, a, buf, sizeof(buf)), 0);
	synack_rt_close(w->a, a);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	struct world *w = *state;
	synack_rt *rt = w->a;
	char buf[8];
	expect_err(synack_rt_socket(rt, AF_INET, SOCK_RAW, 0), ESOCKTNOSUPPORT);
	expect_err(synack_rt_socket(rt, AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	expect_err(synack_rt_socket(rt, AF_INET, 77, 0), EINVAL);
	expect_err(synack_rt_socket(rt, AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
	int s = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	expect_err(synack_rt_read(rt, s, buf, sizeof(buf)), ENOTCONN);
	expect_err(synack_rt_write(rt, s, "x", 1), EPIPE);
	struct sockaddr_in pa;
	socklen_t pl = sizeof(pa);
	expect_err(synack_rt_getpeername(rt, s, SA(pa), &pl), ENOTCONN);
	expect_err(synack_rt_shutdown(rt, s, SHUT_WR), ENOTCONN);
	expect_err(synack_rt_accept(rt, s, NULL, NULL), EINVAL);
	expect_err(synack_rt_accept4(rt, s, NULL, NULL, 0x4000), EINVAL); /* an unknown flag */
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	expect_err(synack_rt_bind(rt, s, (struct sockaddr *)&s6, sizeof(s6)), EAFNOSUPPORT);
	expect_err(synack_rt_connect(rt, s, (struct sockaddr *)&s6, sizeof(s6)), EAFNOSUPPORT);
	struct sockaddr_in a = sin_of(ADDR_A, 7100);
	expect_err(synack_rt_bind(rt, s, SA(a), sizeof(a) - 1), EINVAL);
	expect_err(synack_rt_bind(rt, s, NULL, sizeof(a)), EFAULT);
	assert_int_equal(synack_rt_bind(rt, s, SA(a), sizeof(a)), 0);
	expect_err(synack_rt_bind(rt, s, SA(a), sizeof(a)), EINVAL);
	int s2 = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
	expect_err(synack_rt_bind(rt, s2, SA(a), sizeof(a)), EADDRINUSE);
	struct sockaddr_in other = sin_of(0xc6336401u, 80);
	expect_err(synack_rt_bind(rt, s2, SA(other), sizeof(other)), EADDRNOTAVAIL);
	synack_rt_close(rt, s2);
	assert_int_equal(synack_rt_listen(rt, s, 4), 0);
	expect_err(synack_rt_read(rt, s, buf, sizeof(buf)), ENOTCONN);
	expect_err(synack_rt_write(rt, s, "x", 1), EPIPE);
	assert_int_equal(synack_rt_close(rt, s), 0);
	/* A closed handle. */
	expect_err(synack_rt_read(rt, s, buf, sizeof(buf)), EBADF);
	expect_err(synack_rt_write(rt, s, "x", 1), EBADF);
	expect_err(synack_rt_close(rt, s), EBADF);
	expect_err(synack_rt_set_nonblock(rt, s, 1), EBADF);
	expect_err(synack_rt_listen(rt, s, 1), EBADF);
	expect_err(synack_rt_accept(rt, -1, NULL, NULL), EBADF);
	expect_err(synack_rt_connect(rt, 12345, SA(a), sizeof(a)), EBADF);
	int v;
	socklen_t vl = sizeof(v);
	expect_err(synack_rt_getsockopt(rt, s, SOL_SOCKET, SO_ERROR, &v, &vl), EBADF);
	/* Connecting twice. */
	int c, d;
	connect_pair(w, 7008, &c, &d);
	struct sockaddr_in to = sin_of(ADDR_B, 7008);
	expect_err(synack_rt_connect(w->a, c, SA(to), sizeof(to)), EISCONN);
	expect_err(synack_rt_shutdown(w->a, c, 7), EINVAL);
	synack_rt_close(w->a, c);
	synack_rt_close(w->b, d);
}

/* ---- wake-ups ---- */

struct blocked {
	synack_rt *rt;
	int s;
	int accept; /* accept instead of read */
	long ret;
	int err;
	atomic_int started;
};

static void *block_in_call(void *p)
{
	struct blocked *b = p;
	char buf[16];
	atomic_store(&b->started, 1);
	b->ret = b->accept ? synack_rt_accept(b->rt, b->s, NULL, NULL) : synack_rt_read(b->rt, b->s, buf, sizeof(buf));
	b->err = errno;
	return NULL;
}

static void start_blocked(struct blocked *b, pthread_t *th)
{
	pthread_create(th, NULL, block_in_call, b);
	while (!atomic_load(&b->started))
		usleep(1000);
	usleep(50000); /* well inside the call */
}

static void test_close_and_shutdown_wake(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7009, &a, &b);
	pthread_t th;
	/* shutdown(SHUT_RD) ends a blocked read with 0. */
	struct blocked bl = {.rt = w->b, .s = b};
	start_blocked(&bl, &th);
	assert_int_equal(synack_rt_shutdown(w->b, b, SHUT_RD), 0);
	pthread_join(th, NULL);
	assert_int_equal(bl.ret, 0);
	/* close() ends a blocked read with EBADF, even when the handle is taken again. */
	struct blocked b2 = {.rt = w->a, .s = a};
	start_blocked(&b2, &th);
	assert_int_equal(synack_rt_close(w->a, a), 0);
	int again = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, 0);
	pthread_join(th, NULL);
	assert_int_equal(b2.ret, -1);
	assert_int_equal(b2.err, EBADF);
	synack_rt_close(w->a, again);
	/* ... and a blocked accept. */
	int l = listener(w->b, ADDR_B, 7010);
	struct blocked b3 = {.rt = w->b, .s = l, .accept = 1};
	start_blocked(&b3, &th);
	assert_int_equal(synack_rt_close(w->b, l), 0);
	pthread_join(th, NULL);
	assert_int_equal(b3.ret, -1);
	assert_int_equal(b3.err, EBADF);
	/* shutdown() of a listener ends a blocked accept with EINVAL, as on Linux (a threaded
	 * server's way to wake it), and the socket may listen again. */
	int l2 = listener(w->b, ADDR_B, 7011);
	struct blocked b4 = {.rt = w->b, .s = l2, .accept = 1};
	start_blocked(&b4, &th);
	assert_int_equal(synack_rt_shutdown(w->b, l2, SHUT_RDWR), 0);
	pthread_join(th, NULL);
	assert_int_equal(b4.ret, -1);
	assert_int_equal(b4.err, EINVAL);
	assert_int_equal(synack_rt_listen(w->b, l2, 4), 0);
	synack_rt_close(w->b, l2);
	synack_rt_close(w->b, b);
}

/* Stopping the runtime ends every blocked call with ESHUTDOWN, and stop waits for them. */
static void test_stop_wakes_blocked(void **state)
{
	struct world *w = *state;
	int l = listener(w->b, ADDR_B, 7016);
	pthread_t th;
	struct blocked bl = {.rt = w->b, .s = l, .accept = 1};
	start_blocked(&bl, &th);
	synack_rt_stop(w->b);
	w->b = NULL;
	pthread_join(th, NULL);
	assert_int_equal(bl.ret, -1);
	assert_int_equal(bl.err, ESHUTDOWN);
}

#define NBLOCK 24

struct many {
	synack_rt *rt;
	int s;
	int i;
	char got[16];
	long n;
};

static void *read_one(void *p)
{
	struct many *m = p;
	m->n = synack_rt_read(m->rt, m->s, m->got, sizeof(m->got));
	return NULL;
}

static void test_many_blocked_readers(void **state)
{
	struct world *w = *state;
	int l = listener(w->b, ADDR_B, 7011);
	int ca[NBLOCK];
	struct many m[NBLOCK];
	pthread_t th[NBLOCK];
	struct sockaddr_in to = sin_of(ADDR_B, 7011);
	for (int i = 0; i < NBLOCK; i++) {
		ca[i] = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, 0);
		assert_int_equal(synack_rt_connect(w->a, ca[i], SA(to), sizeof(to)), 0);
		m[i] = (struct many){.rt = w->b, .i = i};
		m[i].s = synack_rt_accept(w->b, l, NULL, NULL);
		assert_true(m[i].s >= 0);
		pthread_create(&th[i], NULL, read_one, &m[i]);
	}
	usleep(50000);
	/* Each write wakes its own reader; in reverse order, to be sure no one is woken by luck. */
	for (int i = NBLOCK - 1; i >= 0; i--) {
		char msg[16];
		int len = snprintf(msg, sizeof(msg), "conn %d", i);
		assert_int_equal(synack_rt_write(w->a, ca[i], msg, (size_t)len), len);
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].n, len);
		assert_memory_equal(m[i].got, msg, (size_t)len);
	}
	for (int i = 0; i < NBLOCK; i++) {
		synack_rt_close(w->a, ca[i]);
		synack_rt_close(w->b, m[i].s);
	}
	synack_rt_close(w->b, l);
}

static void test_poll(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7012, &a, &b);
	struct pollfd p[3] = {{.fd = b, .events = POLLIN}, {.fd = -1, .events = POLLIN}, {.fd = 4242, .events = POLLIN}};
	/* Nothing to read, but an unknown handle: POLLNVAL at once. */
	assert_int_equal(synack_rt_poll(w->b, p, 3, 1000), 1);
	assert_int_equal(p[0].revents, 0);
	assert_int_equal(p[1].revents, 0);
	assert_int_equal(p[2].revents, POLLNVAL);
	uint64_t t0 = ms_now();
	assert_int_equal(synack_rt_poll(w->b, p, 2, 100), 0);
	assert_true(ms_now() - t0 >= 90);
	p[0].events = POLLIN | POLLOUT;
	assert_int_equal(synack_rt_poll(w->b, p, 1, 0), 1);
	assert_int_equal(p[0].revents, POLLOUT);
	/* Data arriving while poll waits. */
	struct slow_writer sw = {w->a, a};
	pthread_t th;
	pthread_create(&th, NULL, write_in_pieces, &sw);
	p[0].events = POLLIN | POLLRDNORM;
	assert_int_equal(synack_rt_poll(w->b, p, 1, 5000), 1);
	assert_int_equal(p[0].revents, POLLIN | POLLRDNORM);
	pthread_join(th, NULL);
	/* The peer's FIN: readable and RDHUP. */
	assert_int_equal(synack_rt_shutdown(w->a, a, SHUT_WR), 0);
	char buf[32];
	assert_int_equal(synack_rt_recv(w->b, b, buf, 16, MSG_WAITALL), 16);
	p[0].events = POLLRDHUP;
	assert_int_equal(synack_rt_poll(w->b, p, 1, 5000), 1);
	assert_true(p[0].revents & POLLRDHUP);
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);
}

/* ---- UDP ---- */

static void test_udp(void **state)
{
	struct world *w = *state;
	int ub = synack_rt_socket(w->b, AF_INET, SOCK_DGRAM, 0);
	if (ub < 0 && errno == EPROTONOSUPPORT)
		skip();
	assert_true(ub >= 0);
	struct sockaddr_in bb = sin_of(0, 5353);
	assert_int_equal(synack_rt_bind(w->b, ub, SA(bb), sizeof(bb)), 0);
	expect_err(synack_rt_listen(w->b, ub, 1), EOPNOTSUPP);
	int ua = synack_rt_socket(w->a, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	struct sockaddr_in to = sin_of(ADDR_B, 5353);
	assert_int_equal(synack_rt_sendto(w->a, ua, "datagram one", 12, 0, SA(to), sizeof(to)), 12);
	char buf[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	assert_int_equal(synack_rt_recvfrom(w->b, ub, buf, sizeof(buf), 0, SA(from), &fl), 12);
	assert_memory_equal(buf, "datagram one", 12);
	assert_int_equal(fl, sizeof(from));
	assert_int_equal(ntohl(from.sin_addr.s_addr), ADDR_A);
	/* Cut short: the rest is lost; MSG_TRUNC says how long it was. */
	assert_int_equal(synack_rt_sendto(w->a, ua, "0123456789", 10, 0, SA(to), sizeof(to)), 10);
	assert_int_equal(synack_rt_recvfrom(w->b, ub, buf, 4, MSG_TRUNC, NULL, NULL), 10);
	assert_memory_equal(buf, "0123", 4);
	/* Timeouts and non-blocking reads. */
	expect_err(synack_rt_recv(w->b, ub, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	struct timeval tv = {0, 100000};
	assert_int_equal(synack_rt_setsockopt(w->b, ub, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	expect_err(synack_rt_recv(w->b, ub, buf, sizeof(buf), 0), EAGAIN);
	int type = 0;
	socklen_t tl = sizeof(type);
	assert_int_equal(synack_rt_getsockopt(w->b, ub, SOL_SOCKET, SO_TYPE, &type, &tl), 0);
	assert_int_equal(type, SOCK_DGRAM);
	/* Back to the sender's address. */
	assert_int_equal(synack_rt_sendto(w->b, ub, "reply", 5, 0, SA(from), fl), 5);
	assert_int_equal(synack_rt_recv(w->a, ua, buf, sizeof(buf), 0), 5);
	synack_rt_close(w->a, ua);
	synack_rt_close(w->b, ub);
}

/* ---- drain and control ---- */

static void test_drain_and_control(void **state)
{
	struct world *w = *state;
	int a, b;
	connect_pair(w, 7013, &a, &b);
	int l = listener(w->a, 0, 7014);

	const char *path = synack_rt_control_path(w->a);
	assert_true(strncmp(path, w->run_dir, strlen(w->run_dir)) == 0);
	assert_string_equal(synack_rt_control_path(w->b), "");
	struct stat sb;
	assert_int_equal(stat(w->run_dir, &sb), 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	char text[8192];
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	text[len] = 0;
	close(fd);
	char head[64];
	snprintf(head, sizeof(head), "synack %ld ", (long)getpid());
	assert_true(strncmp(text, head, strlen(head)) == 0);
	assert_non_null(strstr(text, "\nruntime\tdev=pair"));
	assert_non_null(strstr(text, "\nproto=tcp\tstate=LISTEN\t"));
	assert_non_null(strstr(text, "\tlocal=0.0.0.0:7014\tpeer=0.0.0.0:0\t"));
	assert_non_null(strstr(text, "\nproto=tcp\tstate=ESTABLISHED\t"));
	assert_non_null(strstr(text, "\tpeer=192.0.2.2:7013\t"));
	assert_non_null(strstr(text, "\tcc=cubic"));
	assert_non_null(strstr(text, "\toptions=ts,sack,wscale"));

	/* Both close: FIN exchanges, then drain has nothing left to wait for. */
	synack_rt_close(w->a, a);
	synack_rt_close(w->b, b);
	synack_rt_close(w->a, l);
	assert_int_equal(synack_rt_drain(w->a, 5000), 0);
	assert_int_equal(synack_rt_drain(w->b, 5000), 0);

	/* A connection that cannot finish: drain times out. */
	connect_pair(w, 7015, &a, &b);
	atomic_store(&w->drop_a, 1);
	synack_rt_close(w->a, a);
	uint64_t t0 = ms_now();
	expect_err(synack_rt_drain(w->a, 100), ETIMEDOUT);
	assert_true(ms_now() - t0 >= 90);
	atomic_store(&w->drop_a, 0);
	synack_rt_close(w->b, b);

	/* Stop removes the control socket. */
	char saved[108];
	snprintf(saved, sizeof(saved), "%s", path);
	synack_rt_stop(w->a);
	w->a = NULL;
	assert_int_equal(access(saved, F_OK), -1);
}

/* ---- a runtime without a loop thread (API-1 in the application's loop) ---- */

/* One turn of the application's loop around B: waits up to ms for B's descriptor, then
 * runs a round. Returns 1 if the descriptor was readable. */
static int b_turn(struct world *w, int ms)
{
	struct pollfd p = {.fd = synack_rt_fd(w->b), .events = POLLIN};
	int r = poll(&p, 1, ms);
	assert_true(r >= 0);
	assert_true(synack_rt_run_once(w->b) >= 0);
	return r > 0;
}

static void test_no_thread_loop(void **state)
{
	struct world *w = *state;
	/* A runtime with its own thread has no descriptor to give. */
	expect_err(synack_rt_fd(w->a), EINVAL);
	expect_err(synack_rt_run_once(w->a), EINVAL);
	assert_true(synack_rt_fd(w->b) >= 0);

	int l = synack_rt_socket(w->b, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = sin_of(ADDR_B, 7100);
	assert_int_equal(synack_rt_bind(w->b, l, SA(a), sizeof(a)), 0);
	assert_int_equal(synack_rt_listen(w->b, l, 8), 0);
	int c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_err(synack_rt_connect(w->a, c, SA(a), sizeof(a)), EINPROGRESS);
	/* Nothing answers until B's loop turns: the SYN waits in B's device. */
	int s = -1;
	for (int i = 0; i < 200 && s < 0; i++) {
		b_turn(w, 10);
		s = synack_rt_accept(w->b, l, NULL, NULL);
	}
	assert_true(s >= 0);
	struct pollfd pa = {.fd = c, .events = POLLOUT};
	assert_int_equal(synack_rt_poll(w->a, &pa, 1, 1000), 1);
	assert_int_equal(synack_rt_write(w->a, c, "ping", 4), 4);
	char buf[16];
	ssize_t n = -1;
	for (int i = 0; i < 200 && n < 0; i++) {
		b_turn(w, 10);
		n = synack_rt_read(w->b, s, buf, sizeof(buf));
	}
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(synack_rt_write(w->b, s, "pong", 4), 4);
	assert_int_equal(synack_rt_set_nonblock(w->a, c, 0), 0);
	assert_int_equal(synack_rt_read(w->a, c, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);

	/* Quiet: the descriptor does not keep the application busy (a few timers, no spin). */
	uint64_t t0 = ms_now();
	int wakeups = 0;
	while (ms_now() - t0 < 300)
		wakeups += b_turn(w, (int)(300 - (ms_now() - t0)));
	assert_true(wakeups <= 10);
	synack_rt_close(w->a, c);
	synack_rt_close(w->b, s);
	synack_rt_close(w->b, l);
}

struct dialer {
	synack_rt *rt;
	uint16_t port;
	int ok;
};

static void *dial_and_write(void *p)
{
	struct dialer *d = p;
	int c = synack_rt_socket(d->rt, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sin_of(ADDR_B, d->port);
	d->ok = synack_rt_connect(d->rt, c, SA(to), sizeof(to)) == 0 && synack_rt_write(d->rt, c, "hi", 2) == 2;
	synack_rt_close(d->rt, c);
	return NULL;
}

/* Blocking calls on a runtime without thread run its rounds themselves while they wait. */
static void test_no_thread_blocking_calls(void **state)
{
	struct world *w = *state;
	int l = synack_rt_socket(w->b, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = sin_of(ADDR_B, 7101);
	assert_int_equal(synack_rt_bind(w->b, l, SA(a), sizeof(a)), 0);
	assert_int_equal(synack_rt_listen(w->b, l, 8), 0);
	struct dialer d = {w->a, 7101, 0};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, dial_and_write, &d), 0);
	int s = synack_rt_accept(w->b, l, NULL, NULL); /* blocks, driving B */
	assert_true(s >= 0);
	char buf[8];
	assert_int_equal(synack_rt_read(w->b, s, buf, sizeof(buf)), 2);
	assert_int_equal(synack_rt_read(w->b, s, buf, sizeof(buf)), 0); /* the FIN */
	pthread_join(th, NULL);
	assert_true(d.ok);
	/* A timeout still ends a wait nobody answers. */
	struct timeval tv = {0, 100000};
	assert_int_equal(synack_rt_setsockopt(w->b, l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	uint64_t t0 = ms_now();
	expect_err(synack_rt_accept(w->b, l, NULL, NULL), EAGAIN);
	assert_true(ms_now() - t0 < 2000);
	synack_rt_close(w->b, s);
	synack_rt_close(w->b, l);
}

/* ---- epoll over synack sockets ---- */

static int ep_add(synack_rt *rt, int ep, int s, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};
	return synack_rt_epoll_ctl(rt, ep, EPOLL_CTL_ADD, s, &ev);
}

/* Level and edge triggering, one-shot, errors, and closing. */
static void test_epoll(void **state)
{
	struct world *w = *state;
	int ca, cb;
	connect_pair(w, 7200, &ca, &cb);
	int ep = synack_rt_epoll_create(w->b);
	assert_true(ep >= 0);
	struct epoll_event ev[8];
	assert_int_equal(ep_add(w->b, ep, cb, EPOLLIN, 42), 0);
	expect_err(ep_add(w->b, ep, cb, EPOLLIN, 42), EEXIST);
	expect_err(ep_add(w->b, ep + 7, cb, EPOLLIN, 1), EBADF);
	expect_err(ep_add(w->b, ep, 999, EPOLLIN, 1), EBADF);
	expect_err(synack_rt_epoll_ctl(w->b, ep, 99, cb, &ev[0]), EINVAL);
	expect_err(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_MOD, ca + 50, &ev[0]), EBADF);
	expect_err(synack_rt_epoll_wait(w->b, ep, ev, 0, 0), EINVAL);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 0);

	/* Level-triggered: reported while unread. */
	assert_int_equal(synack_rt_write(w->a, ca, "abc", 3), 3);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 2000), 1);
	assert_int_equal(ev[0].events, EPOLLIN);
	assert_int_equal(ev[0].data.u64, 42);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 1);
	char buf[64];
	assert_int_equal(synack_rt_read(w->b, cb, buf, sizeof(buf)), 3);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 0);
	/* No EAGAIN was seen, and yet new data is news again. */
	assert_int_equal(synack_rt_write(w->a, ca, "d", 1), 1);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 2000), 1);

	/* Edge-triggered: once, until a read finds nothing more. */
	struct epoll_event mod = {.events = EPOLLIN | EPOLLET, .data.u64 = 43};
	assert_int_equal(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_MOD, cb, &mod), 0);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 1); /* ready when modified */
	assert_int_equal(ev[0].data.u64, 43);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 0);
	assert_int_equal(synack_rt_recv(w->b, cb, buf, sizeof(buf), MSG_DONTWAIT), 1);
	expect_err(synack_rt_recv(w->b, cb, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	assert_int_equal(synack_rt_write(w->a, ca, "ef", 2), 2);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 2000), 1);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 0);

	/* One-shot: disarmed after a report until re-armed by MOD. */
	mod.events = EPOLLIN | EPOLLONESHOT;
	assert_int_equal(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_MOD, cb, &mod), 0);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 1);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 0);
	assert_int_equal(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_MOD, cb, &mod), 0);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 1);

	/* The peer's FIN shows as EPOLLRDHUP when asked for; a closed socket leaves the set. */
	mod.events = EPOLLIN | EPOLLRDHUP;
	assert_int_equal(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_MOD, cb, &mod), 0);
	assert_int_equal(synack_rt_read(w->b, cb, buf, sizeof(buf)), 2);
	assert_int_equal(synack_rt_shutdown(w->a, ca, SHUT_WR), 0);
	uint64_t t0 = ms_now();
	int n;
	while ((n = synack_rt_epoll_wait(w->b, ep, ev, 8, 2000)) == 1 && !(ev[0].events & EPOLLRDHUP) && ms_now() - t0 < 2000)
		;
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].events & (EPOLLIN | EPOLLRDHUP), EPOLLIN | EPOLLRDHUP);
	assert_int_equal(synack_rt_close(w->b, cb), 0);
	expect_err(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_DEL, cb, NULL), EBADF);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), 0);
	assert_int_equal(synack_rt_epoll_close(w->b, ep), 0);
	expect_err(synack_rt_epoll_wait(w->b, ep, ev, 8, 0), EBADF);
	synack_rt_close(w->a, ca);
}

/* Many sockets in a set, one active: only it is reported; a listener reports its
 * connections; a blocked wait wakes for data from another thread. */
static void test_epoll_many(void **state)
{
	struct world *w = *state;
	enum { N = 40 };
	int l = listener(w->b, ADDR_B, 7201);
	assert_int_equal(synack_rt_set_nonblock(w->b, l, 1), 0);
	int ep = synack_rt_epoll_create(w->b);
	assert_int_equal(ep_add(w->b, ep, l, EPOLLIN, 1000), 0);
	int ca[N], cb[N], nb = 0;
	for (int i = 0; i < N; i++) {
		ca[i] = synack_rt_socket(w->a, AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in to = sin_of(ADDR_B, 7201);
		assert_int_equal(synack_rt_connect(w->a, ca[i], SA(to), sizeof(to)), 0);
	}
	struct epoll_event ev[64];
	uint64_t t0 = ms_now();
	while (nb < N && ms_now() - t0 < 5000) {
		int n = synack_rt_epoll_wait(w->b, ep, ev, 64, 1000);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++) {
			assert_int_equal(ev[i].data.u64, 1000);
			int s;
			while ((s = synack_rt_accept(w->b, l, NULL, NULL)) >= 0 || errno != EAGAIN) {
				assert_true(s >= 0);
				assert_int_equal(synack_rt_set_nonblock(w->b, s, 1), 0);
				cb[nb] = s;
				assert_int_equal(ep_add(w->b, ep, s, EPOLLIN | EPOLLET, (uint64_t)nb), 0);
				nb++;
			}
		}
	}
	assert_int_equal(nb, N);
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 64, 0), 0);
	assert_int_equal(synack_rt_write(w->a, ca[17], "x", 1), 1);
	int n = synack_rt_epoll_wait(w->b, ep, ev, 64, 2000);
	assert_int_equal(n, 1);
	char c;
	int who = (int)ev[0].data.u64;
	assert_int_equal(synack_rt_read(w->b, cb[who], &c, 1), 1);
	assert_int_equal(c, 'x');
	for (int i = 0; i < N; i++) {
		synack_rt_close(w->a, ca[i]);
		synack_rt_close(w->b, cb[i]);
	}
	synack_rt_epoll_close(w->b, ep);
	synack_rt_close(w->b, l);
}

/* The application's loop: poll(2) on the runtime's descriptor, a round, then the set's
 * events without waiting: an echo served entirely from there. */
static void test_epoll_in_app_loop(void **state)
{
	struct world *w = *state;
	int l = synack_rt_socket(w->b, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = sin_of(ADDR_B, 7202);
	assert_int_equal(synack_rt_bind(w->b, l, SA(a), sizeof(a)), 0);
	assert_int_equal(synack_rt_listen(w->b, l, 8), 0);
	int ep = synack_rt_epoll_create(w->b);
	assert_int_equal(ep_add(w->b, ep, l, EPOLLIN, (uint64_t)l), 0);
	int c = synack_rt_socket(w->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	expect_err(synack_rt_connect(w->a, c, SA(a), sizeof(a)), EINPROGRESS);
	int echoed = 0, sent = 0, served = -1;
	uint64_t t0 = ms_now();
	while (echoed < 3 && ms_now() - t0 < 5000) {
		struct pollfd p = {.fd = synack_rt_fd(w->b), .events = POLLIN};
		assert_true(poll(&p, 1, 10) >= 0);
		int news = synack_rt_run_once(w->b);
		assert_true(news >= 0);
		struct epoll_event ev[8];
		int n = synack_rt_epoll_wait(w->b, ep, ev, 8, 0);
		assert_true(n >= 0);
		if (news == 0) /* the round says when a set may have news: never misses any */
			assert_int_equal(n, 0);
		for (int i = 0; i < n; i++) {
			int s = (int)ev[i].data.u64;
			if (s == l) {
				/* A blocking socket would run rounds inside read. */
				int k = synack_rt_accept4(w->b, l, NULL, NULL, SOCK_NONBLOCK);
				if (k >= 0) {
					assert_int_equal(ep_add(w->b, ep, k, EPOLLIN, (uint64_t)k), 0);
					served = k;
				}
				continue;
			}
			char buf[16];
			ssize_t r = synack_rt_read(w->b, s, buf, sizeof(buf));
			if (r > 0) {
				assert_int_equal(synack_rt_write(w->b, s, buf, (size_t)r), r);
				echoed++;
			} else {
				assert_int_equal(errno, EAGAIN); /* a level-triggered report gone stale */
			}
		}
		struct pollfd pa = {.fd = c, .events = POLLOUT};
		if (sent == echoed && synack_rt_poll(w->a, &pa, 1, 0) == 1) {
			assert_int_equal(synack_rt_write(w->a, c, "hey", 3), 3);
			sent++;
		}
	}
	assert_int_equal(echoed, 3);
	/* News a call makes (here: a writable socket put back into the set, asking for
	 * EPOLLOUT) makes the descriptor readable, so the application's loop comes back for it. */
	assert_int_equal(synack_rt_epoll_ctl(w->b, ep, EPOLL_CTL_DEL, served, NULL), 0);
	struct epoll_event drain[8];
	while (synack_rt_epoll_wait(w->b, ep, drain, 8, 0) > 0)
		;
	assert_int_equal(ep_add(w->b, ep, served, EPOLLOUT, 7), 0);
	struct pollfd p = {.fd = synack_rt_fd(w->b), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 1);
	struct epoll_event ev[2];
	assert_int_equal(synack_rt_epoll_wait(w->b, ep, ev, 2, 0), 1);
	assert_int_equal(ev[0].data.u64, 7);
	assert_int_equal(ev[0].events, EPOLLOUT);
	synack_rt_close(w->a, c);
	synack_rt_epoll_close(w->b, ep);
	synack_rt_close(w->b, l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocking_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonblocking_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recv_timeouts_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waitall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_write_blocks_until_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_2_close_delivers_unsent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_and_shutdown_wake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_wakes_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_blocked_readers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocked_writer_keeps_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drain_and_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_thread_loop, setup_b_external, teardown),
		cmocka_unit_test_setup_teardown(test_no_thread_blocking_calls, setup_b_external, teardown),
		cmocka_unit_test_setup_teardown(test_epoll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoll_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epoll_in_app_loop, setup_b_external, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
