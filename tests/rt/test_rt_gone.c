/* The runtime when its device disappears (issue 12 point 7), without root: a fake device
 * that fails the way a deleted TUN does (EBADFD on read). synack_rt_status reports it
 * (ENODEV and "NAME: the device is gone"); a caller blocked in accept, and the first wait
 * on each other socket, poll set and epoll set, return ENETDOWN; later waits wait as
 * before (a retrying loop does not spin); the control dump says dev_state=gone. With a
 * loop thread and without one. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
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

/* ---- a device that can be made to vanish ---- */

struct fakedev {
	struct sk_dev dev;
	int efd;          /* readable when there is something to learn */
	atomic_int gone;  /* reads (and sends) fail with EBADFD, as a deleted TUN's do */
};

static int fd_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	(void)f, (void)n, (void)now;
	return atomic_load(&((struct fakedev *)d)->gone) ? -EBADFD : 0;
}

static int fd_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)buf, (void)cap, (void)now;
	struct fakedev *p = (struct fakedev *)d;
	if (atomic_load(&p->gone))
		return -EBADFD;
	uint64_t v;
	ssize_t r = read(p->efd, &v, sizeof(v));
	(void)r;
	return 0;
}

static int fd_fd(struct sk_dev *d)
{
	return ((struct fakedev *)d)->efd;
}

static void fd_close(struct sk_dev *d)
{
	close(((struct fakedev *)d)->efd);
	free(d);
}

static const struct sk_dev_ops fake_ops = {.send = fd_send, .recv = fd_recv, .fd = fd_fd, .close = fd_close};

static struct fakedev *fakedev(void)
{
	struct fakedev *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->dev.ops = &fake_ops;
	p->dev.linktype = SK_LINK_RAW;
	p->dev.mtu = 1500;
	snprintf(p->dev.name, sizeof(p->dev.name), "fake0");
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(p->efd >= 0);
	return p;
}

static void vanish(struct fakedev *p)
{
	atomic_store(&p->gone, 1);
	uint64_t one = 1;
	ssize_t r = write(p->efd, &one, sizeof(one));
	(void)r;
}

static char run_dir[64];

static synack_rt *start(struct fakedev *dev, int no_thread)
{
	snprintf(run_dir, sizeof(run_dir), "/tmp/synack-gone-test-XXXXXX");
	assert_non_null(mkdtemp(run_dir));
	setenv("SYNACK_RUN_DIR", run_dir, 1);
	struct synack_rt_opts o;
	char why[200];
	synack_rt_opts_defaults(&o);
	o.addr = synack_ip4(192, 0, 2, 2);
	o.prefix = 24;
	o.no_thread = no_thread;
	synack_rt *rt = sk_rt_start_dev(&o, &dev->dev, why, sizeof(why));
	if (!rt)
		fail_msg("start: %s", why);
	return rt;
}

static void finish(synack_rt *rt)
{
	synack_rt_stop(rt);
	rmdir(run_dir);
}

static uint64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int tcp_listener(synack_rt *rt, uint16_t port)
{
	int s = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	assert_int_equal(synack_rt_bind(rt, s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(synack_rt_listen(rt, s, 8), 0);
	return s;
}

struct blocked {
	synack_rt *rt;
	int s;
	int ret, err;
	atomic_int done;
};

static void *accept_main(void *arg)
{
	struct blocked *b = arg;
	b->ret = synack_rt_accept(b->rt, b->s, NULL, NULL);
	b->err = errno;
	atomic_store(&b->done, 1);
	return NULL;
}

/* The control socket's text. */
static char *dump(synack_rt *rt)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", synack_rt_control_path(rt));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct timeval tv = {2, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	char *text = calloc(1, 65536);
	size_t len = 0;
	ssize_t n;
	while (len < 65535 && (n = read(fd, text + len, 65535 - len)) > 0)
		len += (size_t)n;
	close(fd);
	return text;
}

/* A runtime with its loop thread: a blocked accept is woken with ENETDOWN. */
static void test_gone_wakes_and_tells_once(void **state)
{
	(void)state;
	struct fakedev *dev = fakedev();
	synack_rt *rt = start(dev, 0);
	char why[128];
	assert_int_equal(synack_rt_status(rt, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	char *text = dump(rt);
	assert_non_null(strstr(text, "\tdev_state=ok\t"));
	free(text);

	int ls = tcp_listener(rt, 80);
	struct blocked b = {.rt = rt, .s = ls};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, accept_main, &b), 0);
	usleep(100000);
	assert_int_equal(atomic_load(&b.done), 0); /* it waits while the device is there */
	uint64_t t0 = ms_now();
	vanish(dev);
	pthread_join(t, NULL);
	assert_true(ms_now() - t0 < 1000);
	assert_int_equal(b.ret, -1);
	assert_int_equal(b.err, ENETDOWN);

	errno = 0;
	assert_int_equal(synack_rt_status(rt, why, sizeof(why)), -1);
	assert_int_equal(errno, ENODEV);
	assert_string_equal(why, "fake0: the device is gone");
	assert_int_equal(synack_rt_status(rt, NULL, 0), -1);
	text = dump(rt);
	assert_non_null(strstr(text, "\tdev_state=gone\t"));
	free(text);

	/* Told once: the next accept on the same socket waits as before (here: its timeout). */
	struct timeval tv = {0, 200000};
	assert_int_equal(synack_rt_setsockopt(rt, ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	t0 = ms_now();
	assert_int_equal(synack_rt_accept(rt, ls, NULL, NULL), -1);
	assert_int_equal(errno, EAGAIN);
	assert_true(ms_now() - t0 >= 150);

	/* Another socket's first wait is told at once, also a new one's. */
	int u = synack_rt_socket(rt, AF_INET, SOCK_DGRAM, 0);
	assert_true(u >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
	assert_int_equal(synack_rt_bind(rt, u, (struct sockaddr *)&a, sizeof(a)), 0);
	char buf[16];
	t0 = ms_now();
	assert_int_equal(synack_rt_recv(rt, u, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ENETDOWN);
	assert_true(ms_now() - t0 < 500);
	/* Without waiting, calls answer as before. */
	assert_int_equal(synack_rt_recv(rt, u, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);

	/* poll and epoll: once per set. */
	int u2 = synack_rt_socket(rt, AF_INET, SOCK_DGRAM, 0);
	struct pollfd p = {.fd = u2, .events = POLLIN};
	assert_int_equal(synack_rt_poll(rt, &p, 1, 5000), -1);
	assert_int_equal(errno, ENETDOWN);
	assert_int_equal(synack_rt_poll(rt, &p, 1, 50), 0);
	int ep = synack_rt_epoll_create(rt);
	assert_true(ep >= 0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
	assert_int_equal(synack_rt_epoll_ctl(rt, ep, EPOLL_CTL_ADD, u2, &ev), 0);
	assert_int_equal(synack_rt_epoll_wait(rt, ep, &ev, 1, 5000), -1);
	assert_int_equal(errno, ENETDOWN);
	assert_int_equal(synack_rt_epoll_wait(rt, ep, &ev, 1, 50), 0);
	/* Non-blocking epoll (timeout 0) never fails. */
	int ep2 = synack_rt_epoll_create(rt);
	assert_int_equal(synack_rt_epoll_wait(rt, ep2, &ev, 1, 0), 0);

	/* A handle closed and made anew is told anew. */
	assert_int_equal(synack_rt_close(rt, u), 0);
	int u3 = synack_rt_socket(rt, AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(u3, u);
	assert_int_equal(synack_rt_recv(rt, u3, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ENETDOWN);
	finish(rt);
}

/* A device that keeps working is never taken for gone: errors that are not "gone" (a link
 * down: EIO) are counted and the runtime goes on. */
static int eio_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)buf, (void)cap, (void)now;
	uint64_t v;
	ssize_t r = read(((struct fakedev *)d)->efd, &v, sizeof(v));
	(void)r;
	return -EIO;
}

static const struct sk_dev_ops eio_ops = {.send = fd_send, .recv = eio_recv, .fd = fd_fd, .close = fd_close};

static void test_link_down_is_not_gone(void **state)
{
	(void)state;
	struct fakedev *dev = fakedev();
	dev->dev.ops = &eio_ops;
	synack_rt *rt = start(dev, 0);
	uint64_t one = 1;
	for (int i = 0; i < 3; i++) {
		ssize_t r = write(dev->efd, &one, sizeof(one));
		(void)r;
		usleep(30000);
	}
	struct sk_rt_counters c;
	sk_rt_counters(rt, &c);
	assert_true(c.dev_rx_errors >= 1);
	assert_int_equal(c.last_dev_error, EIO);
	assert_int_equal(synack_rt_status(rt, NULL, 0), 0);
	finish(rt);
}

/* Without a loop thread: the application's round learns it, a blocking call that runs the
 * rounds itself returns ENETDOWN. */
static void test_gone_without_thread(void **state)
{
	(void)state;
	struct fakedev *dev = fakedev();
	synack_rt *rt = start(dev, 1);
	int ls = tcp_listener(rt, 80);
	assert_true(synack_rt_run_once(rt) >= 0);
	assert_int_equal(synack_rt_status(rt, NULL, 0), 0);
	vanish(dev);
	struct pollfd p = {.fd = synack_rt_fd(rt), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_true(synack_rt_run_once(rt) >= 0);
	assert_int_equal(synack_rt_status(rt, NULL, 0), -1);
	assert_int_equal(errno, ENODEV);
	uint64_t t0 = ms_now();
	assert_int_equal(synack_rt_accept(rt, ls, NULL, NULL), -1);
	assert_int_equal(errno, ENETDOWN);
	assert_true(ms_now() - t0 < 500);
	finish(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gone_wakes_and_tells_once),
		cmocka_unit_test(test_link_down_is_not_gone),
		cmocka_unit_test(test_gone_without_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
