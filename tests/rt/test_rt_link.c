/* Links the application supplies (struct synack_rt_link): runtime A on a descriptor (one
 * end of a socketpair), runtime B on a send callback with packets pushed back in through
 * synack_rt_input by a relay thread; an echo across, and the errors of each kind. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <synack/rt.h>

#include "testutil.h"

struct relay {
	int fd;             /* B's side of the socketpair */
	synack_rt *_Atomic rt;
	atomic_int stop;
	atomic_long pushed;
};

/* B's send callback: onto the wire (the socketpair). */
static int b_send(void *ctx, const void *pkt, size_t len)
{
	struct relay *r = ctx;
	return send(r->fd, pkt, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN ? -errno : 0;
}

/* What arrives for B, pushed in as the application's packet source would. */
static void *relay_main(void *p)
{
	struct relay *r = p;
	uint8_t buf[2048];
	while (!atomic_load(&r->stop)) {
		ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
		synack_rt *rt = atomic_load(&r->rt);
		if (n > 0 && rt && synack_rt_input(rt, buf, (size_t)n) == 0)
			atomic_fetch_add(&r->pushed, 1);
	}
	return NULL;
}

static void opts(struct synack_rt_opts *o, uint8_t last, const struct synack_rt_link *l)
{
	synack_rt_opts_defaults(o);
	o->addr = synack_ip4(192, 0, 2, last);
	o->prefix = 24;
	o->control = 0;
	o->link = l;
}

struct server {
	synack_rt *rt;
	int l;
};

static void *echo_once(void *p)
{
	struct server *s = p;
	int c = synack_rt_accept(s->rt, s->l, NULL, NULL);
	char buf[4096];
	ssize_t n;
	while (c >= 0 && (n = synack_rt_read(s->rt, c, buf, sizeof(buf))) > 0)
		if (synack_rt_write(s->rt, c, buf, (size_t)n) != n)
			break;
	if (c >= 0)
		synack_rt_close(s->rt, c);
	return NULL;
}

static void test_fd_and_callback_links(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct relay r = {.fd = sv[1]};
	struct timeval tv = {0, 50000};
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pthread_t relay;
	assert_int_equal(pthread_create(&relay, NULL, relay_main, &r), 0);

	struct synack_rt_link la = {.fd = sv[0], .name = "pair"}, lb = {.fd = -1, .send = b_send, .ctx = &r};
	struct synack_rt_opts oa, ob;
	char why[200];
	opts(&oa, 1, &la);
	opts(&ob, 2, &lb);
	synack_rt *a = synack_rt_start(&oa, why, sizeof(why));
	if (!a)
		fail_msg("A: %s", why);
	synack_rt *b = synack_rt_start(&ob, why, sizeof(why));
	if (!b)
		fail_msg("B: %s", why);
	atomic_store(&r.rt, b);

	struct server srv = {b, synack_rt_socket(b, AF_INET, SOCK_STREAM, 0)};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(7300), .sin_addr.s_addr = htonl(0xc0000202u)};
	assert_int_equal(synack_rt_bind(b, srv.l, (struct sockaddr *)&to, sizeof(to)), 0);
	assert_int_equal(synack_rt_listen(b, srv.l, 4), 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, echo_once, &srv), 0);
	int c = synack_rt_socket(a, AF_INET, SOCK_STREAM, 0);
	assert_int_equal(synack_rt_connect(a, c, (struct sockaddr *)&to, sizeof(to)), 0);
	static char out[100000], back[100000];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 3);
	assert_int_equal(synack_rt_write(a, c, out, sizeof(out)), sizeof(out));
	assert_int_equal(synack_rt_shutdown(a, c, SHUT_WR), 0);
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(back) && (n = synack_rt_read(a, c, back + got, sizeof(back) - got)) > 0)
		got += (size_t)n;
	assert_int_equal(got, sizeof(back));
	assert_memory_equal(out, back, sizeof(out));
	pthread_join(th, NULL);
	assert_true(atomic_load(&r.pushed) > 10);

	/* Pushing is for callback links only; a packet longer than the link takes is refused. */
	errno = 0;
	assert_int_equal(synack_rt_input(a, out, 60), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(synack_rt_input(b, out, 1500 + 19), -1);
	assert_int_equal(errno, EMSGSIZE);

	synack_rt_close(a, c);
	synack_rt_stop(a);
	/* The descriptor stays the application's. */
	assert_true(fcntl(sv[0], F_GETFD) >= 0);
	atomic_store(&r.rt, NULL);
	atomic_store(&r.stop, 1);
	pthread_join(relay, NULL);
	synack_rt_stop(b);
	close(sv[0]);
	close(sv[1]);
}

static int quiet_send(void *ctx, const void *pkt, size_t len)
{
	(void)ctx, (void)pkt, (void)len;
	return 0;
}

static void test_link_errors(void **state)
{
	(void)state;
	char why[200];
	struct synack_rt_opts o;
	struct synack_rt_link none = {.fd = -1};
	opts(&o, 1, &none);
	errno = 0;
	assert_null(synack_rt_start(&o, why, sizeof(why)));
	assert_non_null(strstr(why, "descriptor"));
	assert_int_equal(errno, EINVAL); /* the kind of failure, for a program */
	struct synack_rt_link closed = {.fd = 1000};
	opts(&o, 1, &closed);
	errno = 0;
	assert_null(synack_rt_start(&o, why, sizeof(why)));
	assert_non_null(strstr(why, "link: "));
	assert_int_equal(errno, EBADF);
	struct synack_rt_link cb = {.fd = -1, .send = quiet_send};
	opts(&o, 1, &cb);
	o.tun = "sk-never0";
	errno = 0;
	assert_null(synack_rt_start(&o, why, sizeof(why)));
	assert_non_null(strstr(why, "one"));
	assert_int_equal(errno, EINVAL);
	/* IPv6 on an Ethernet link (neighbour discovery in the adapter): starts. */
	struct synack_rt_link eth = {.fd = -1, .send = quiet_send, .ethernet = 1};
	opts(&o, 1, &eth);
	o.addr = (struct synack_ip){SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
	o.prefix = 64;
	synack_rt *rt6 = synack_rt_start(&o, why, sizeof(why));
	if (!rt6)
		fail_msg("IPv6 on an Ethernet link: %s", why);
	synack_rt_stop(rt6);

	/* A full queue drops (a runtime without thread: nothing drains it until a round). */
	cb.queue = 2;
	opts(&o, 1, &cb);
	o.no_thread = 1;
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why));
	if (!rt)
		fail_msg("start: %s", why);
	uint8_t pkt[40] = {0x45};
	assert_int_equal(synack_rt_input(rt, pkt, sizeof(pkt)), 0);
	assert_int_equal(synack_rt_input(rt, pkt, sizeof(pkt)), 0);
	assert_int_equal(synack_rt_input(rt, pkt, sizeof(pkt)), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(synack_rt_run_once(rt), 0); /* drains (both are bad packets: dropped) */
	assert_int_equal(synack_rt_input(rt, pkt, sizeof(pkt)), 0);
	synack_rt_stop(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_and_callback_links),
		cmocka_unit_test(test_link_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
