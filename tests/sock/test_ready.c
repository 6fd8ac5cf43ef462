/* synack_ready: which sockets became readable, writable or failed, without scanning, on
 * two simulated hosts (virtual clock). */
#include <errno.h>
#include <string.h>

#include <synack/synack.h>

#include "sim/world.h"
#include "stack/addr.h"
#include "stack/stack.h"
#include "testutil.h"

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u
#define PORT 7000
#define MS 1000ull

struct pair {
	struct sk_world *w;
	synack_stack *c, *s;
};

static struct pair pair_new(void)
{
	struct sk_world_opts o = {.seed = 1, .no_log = 1};
	o.link.delay_us = 1000;
	struct pair p = {sk_world_new(&o, NULL), NULL, NULL};
	assert_non_null(p.w);
	int hc = sk_world_add_host(p.w, "client", CLIENT, NULL), hs = sk_world_add_host(p.w, "server", SERVER, NULL);
	assert_true(hc >= 0 && hs >= 0);
	p.c = sk_world_stack(p.w, hc);
	p.s = sk_world_stack(p.w, hs);
	return p;
}

static void run(struct pair *p, uint64_t ms)
{
	sk_world_run_until(p->w, sk_world_now(p->w) + ms * MS);
}

/* Everything synack_ready reports now: up to 64 (socket, events) pairs. */
struct report {
	int n;
	struct synack_ready_event e[64];
};

static struct report ready(synack_stack *st)
{
	struct report r;
	r.n = synack_ready(st, r.e, 64);
	assert_true(r.n >= 0);
	return r;
}

static int events_of(const struct report *r, int sock)
{
	for (int i = 0; i < r->n; i++)
		if (r->e[i].sock == sock)
			return r->e[i].events;
	return 0;
}

static int listener(synack_stack *st)
{
	int l = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = synack_sa_any(SYNACK_AF_INET, PORT);
	assert_int_equal(synack_bind(st, l, &a), 0);
	assert_int_equal(synack_listen(st, l, 128), 0);
	return l;
}

static int dial(synack_stack *st)
{
	int k = synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr to = sk_sa_from4(SERVER, PORT);
	assert_int_equal(synack_connect(st, k, &to), -EINPROGRESS);
	return k;
}

static void test_arguments(void **state)
{
	(void)state;
	struct pair p = pair_new();
	struct synack_ready_event e[1];
	assert_int_equal(synack_ready(NULL, e, 1), -EINVAL);
	assert_int_equal(synack_ready(p.s, NULL, 1), -EINVAL);
	assert_int_equal(synack_ready(p.s, e, -1), -EINVAL);
	assert_int_equal(synack_ready(p.s, NULL, 0), 0);
	assert_int_equal(synack_ready(p.s, e, 1), 0); /* nothing happened */
	sk_world_free(p.w);
}

/* A listener reports a connection to accept, a connecting socket its completion, an
 * accepted one its data; each once, until a call finds the event gone (EAGAIN). */
static void test_edges(void **state)
{
	(void)state;
	struct pair p = pair_new();
	ready(p.s), ready(p.c); /* record from here */
	int l = listener(p.s), k = dial(p.c);
	run(&p, 10);
	struct report rs = ready(p.s), rc = ready(p.c);
	assert_int_equal(rs.n, 1);
	assert_true(events_of(&rs, l) & SYNACK_EV_IN);
	assert_int_equal(rc.n, 1);
	assert_true(events_of(&rc, k) & SYNACK_EV_OUT);
	assert_int_equal(ready(p.s).n, 0); /* reported once */
	assert_int_equal(ready(p.c).n, 0);

	int a = synack_accept(p.s, l, NULL);
	assert_true(a >= 0);
	assert_int_equal(synack_send(p.c, k, "hello", 5, 0), 5);
	run(&p, 10);
	rs = ready(p.s);
	assert_int_equal(rs.n, 1);
	assert_true(events_of(&rs, a) & SYNACK_EV_IN);

	/* More data while it is still readable: no new edge (read until EAGAIN). */
	char buf[64];
	assert_int_equal(synack_recv(p.s, a, buf, 2, 0), 2);
	assert_int_equal(synack_send(p.c, k, "again", 5, 0), 5);
	run(&p, 10);
	assert_int_equal(ready(p.s).n, 0);
	assert_int_equal(synack_recv(p.s, a, buf, sizeof(buf), 0), 8);
	assert_int_equal(synack_recv(p.s, a, buf, sizeof(buf), 0), -EAGAIN);
	assert_int_equal(synack_send(p.c, k, "third", 5, 0), 5);
	run(&p, 10);
	rs = ready(p.s);
	assert_int_equal(rs.n, 1);
	assert_true(events_of(&rs, a) & SYNACK_EV_IN);

	/* The listener, drained to EAGAIN, reports the next connection. */
	assert_int_equal(synack_accept(p.s, l, NULL), -EAGAIN);
	int k2 = dial(p.c);
	run(&p, 10);
	rs = ready(p.s);
	assert_true(events_of(&rs, l) & SYNACK_EV_IN);
	rc = ready(p.c);
	assert_true(events_of(&rc, k2) & SYNACK_EV_OUT);

	/* The peer's FIN: end of stream is news (IN with RDHUP). */
	assert_int_equal(synack_recv(p.s, a, buf, sizeof(buf), 0), 5);
	assert_int_equal(synack_recv(p.s, a, buf, sizeof(buf), 0), -EAGAIN);
	assert_int_equal(synack_shutdown(p.c, k, SYNACK_SHUT_WR), 0);
	run(&p, 10);
	rs = ready(p.s);
	assert_int_equal(events_of(&rs, a) & (SYNACK_EV_IN | SYNACK_EV_RDHUP), SYNACK_EV_IN | SYNACK_EV_RDHUP);

	/* A reset: the client learns of it as an error. */
	struct synack_linger lg = {1, 0};
	assert_int_equal(synack_setsockopt(p.s, a, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &lg, sizeof(lg)), 0);
	assert_int_equal(synack_close(p.s, a), 0);
	run(&p, 10);
	rc = ready(p.c);
	assert_true(events_of(&rc, k) & SYNACK_EV_ERR);
	sk_world_free(p.w);
}

/* Writable again: a sender that filled its buffer (EAGAIN) hears when the peer's ACKs
 * make room. */
static void test_writable_after_eagain(void **state)
{
	(void)state;
	struct pair p = pair_new();
	ready(p.s), ready(p.c);
	int l = listener(p.s), k = dial(p.c);
	run(&p, 10);
	int a = synack_accept(p.s, l, NULL);
	assert_true(a >= 0);
	ready(p.s), ready(p.c);
	static char big[65536];
	long sent = 0;
	for (int i = 0; i < 10000; i++) {
		ssize_t n = synack_send(p.c, k, big, sizeof(big), 0);
		if (n == -EAGAIN) {
			/* The send buffer grows with cwnd: full only once the peer's window is
			 * too, and the flight has drained into it. */
			run(&p, 50);
			if ((n = synack_send(p.c, k, big, sizeof(big), 0)) == -EAGAIN)
				break;
		}
		assert_true(n > 0);
		sent += n;
		run(&p, 1);
	}
	ready(p.c); /* what the filling reported */
	assert_int_equal(synack_send(p.c, k, big, sizeof(big), 0), -EAGAIN);
	run(&p, 50);
	struct report rc = ready(p.c);
	assert_int_equal(events_of(&rc, k) & SYNACK_EV_OUT, 0); /* the peer reads nothing yet */
	long got = 0;
	for (int i = 0; i < 10000 && got < sent; i++) {
		ssize_t n = synack_recv(p.s, a, big, sizeof(big), 0);
		if (n > 0)
			got += n;
		run(&p, 1);
	}
	assert_int_equal(got, sent);
	rc = ready(p.c);
	assert_true(events_of(&rc, k) & SYNACK_EV_OUT);
	sk_world_free(p.w);
}

/* Only what changed is reported, however many sockets are open; max splits a report. */
static void test_idle_sockets_cost_nothing(void **state)
{
	(void)state;
	struct pair p = pair_new();
	int l = listener(p.s);
	int ks[40], as[40];
	for (int i = 0; i < 40; i++)
		ks[i] = dial(p.c);
	run(&p, 20);
	for (int i = 0; i < 40; i++) {
		as[i] = synack_accept(p.s, l, NULL);
		assert_true(as[i] >= 0);
	}
	ready(p.s), ready(p.c);
	assert_int_equal(ready(p.s).n, 0);
	assert_int_equal(synack_send(p.c, ks[7], "x", 1, 0), 1);
	assert_int_equal(synack_send(p.c, ks[30], "y", 1, 0), 1);
	run(&p, 10);
	struct synack_ready_event one[1];
	assert_int_equal(synack_ready(p.s, one, 1), 1);
	assert_int_equal(one[0].sock, as[7]);
	assert_true(one[0].events & SYNACK_EV_IN);
	assert_int_equal(synack_ready(p.s, one, 1), 1);
	assert_int_equal(one[0].sock, as[30]);
	assert_int_equal(synack_ready(p.s, one, 1), 0);
	sk_world_free(p.w);
}

/* Datagram sockets: a datagram makes one readable, and a UDP socket's handle reused by a
 * stream socket starts afresh. */
static void test_udp(void **state)
{
	(void)state;
	struct pair p = pair_new();
	ready(p.s);
	int u = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr a = synack_sa_any(SYNACK_AF_INET, 5353);
	assert_int_equal(synack_bind(p.s, u, &a), 0);
	int cu = synack_socket(p.c, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr to = sk_sa_from4(SERVER, 5353);
	assert_int_equal(synack_sendto(p.c, cu, "d1", 2, 0, &to), 2);
	run(&p, 10);
	struct report rs = ready(p.s);
	assert_int_equal(rs.n, 1);
	assert_true(events_of(&rs, u) & SYNACK_EV_IN);
	char buf[8];
	assert_int_equal(synack_recvfrom(p.s, u, buf, sizeof(buf), 0, NULL), 2);
	assert_int_equal(synack_recvfrom(p.s, u, buf, sizeof(buf), 0, NULL), -EAGAIN);
	assert_int_equal(synack_sendto(p.c, cu, "d2", 2, 0, &to), 2);
	run(&p, 10);
	rs = ready(p.s);
	assert_true(events_of(&rs, u) & SYNACK_EV_IN);
	/* Touched, then closed before anyone asked: nothing is reported for a dead handle. */
	assert_int_equal(synack_sendto(p.c, cu, "d3", 2, 0, &to), 2);
	assert_int_equal(synack_recvfrom(p.s, u, buf, sizeof(buf), 0, NULL), 2);
	assert_int_equal(synack_recvfrom(p.s, u, buf, sizeof(buf), 0, NULL), -EAGAIN);
	run(&p, 10);
	assert_int_equal(synack_close(p.s, u), 0);
	int t = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_int_equal(t, u); /* the handle is reused */
	assert_int_equal(ready(p.s).n, 0);
	sk_world_free(p.w);
}

/* Nothing is recorded before the first call, and the first call still reports what is
 * there: a connection waiting on a listener, a connect that completed. */
static void test_first_call_sees_everything(void **state)
{
	(void)state;
	struct pair p = pair_new();
	int l = listener(p.s), k = dial(p.c);
	run(&p, 10);
	assert_int_equal(p.s->ready.n, 0);
	struct report rs = ready(p.s), rc = ready(p.c);
	assert_int_equal(rs.n, 1);
	assert_true(events_of(&rs, l) & SYNACK_EV_IN);
	assert_int_equal(rc.n, 1);
	assert_true(events_of(&rc, k) & SYNACK_EV_OUT);
	sk_world_free(p.w);
}

/* A caller that asked once, then stopped: sockets touched, closed and their handles
 * reused leave stale entries, and the list stays within a bound of the sockets open. */
static void test_stopped_asking_stays_bounded(void **state)
{
	(void)state;
	struct pair p = pair_new();
	ready(p.s);
	int cu = synack_socket(p.c, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr to = sk_sa_from4(SERVER, 5353), a = synack_sa_any(SYNACK_AF_INET, 5353);
	size_t most = 0;
	for (int i = 0; i < 3000; i++) {
		int u = synack_socket(p.s, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
		assert_int_equal(synack_bind(p.s, u, &a), 0);
		assert_int_equal(synack_sendto(p.c, cu, "d", 1, 0, &to), 1);
		run(&p, 2);
		assert_int_equal(synack_close(p.s, u), 0);
		size_t n = p.s->ready.n - p.s->ready.head;
		if (n > most)
			most = n;
	}
	assert_true(most <= 2 * (size_t)p.s->handles.used + 64 + 1);
	assert_int_equal(ready(p.s).n, 0); /* nothing live is left to report */
	sk_world_free(p.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_writable_after_eagain),
		cmocka_unit_test(test_idle_sockets_cost_nothing),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_first_call_sees_everything),
		cmocka_unit_test(test_stopped_asking_stays_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
