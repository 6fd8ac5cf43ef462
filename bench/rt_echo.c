/* rt-echo: an echo server on the runtime over a TUN, in one of two shapes, for
 * bench/embed.sh: the runtime's own loop thread with the blocking API (a thread per
 * connection), or no loop thread, the application's epoll(7) loop waiting on the runtime's
 * descriptor and serving synack_rt_epoll_wait's events. It speaks kperf's echo mode: the
 * first byte of a connection ('E') picks the mode, and everything after it comes back.
 *
 *   rt-echo --loop blocking|epoll --port P [the tools' device options]
 *
 * Prints "ready" once listening; SIGTERM or SIGINT ends it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <unistd.h>

#include <synack/rt.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "rt-echo: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct conn {
	synack_rt *rt;
	int s;
};

/* Blocking shape: one thread per connection. */
static void *serve_blocking(void *p)
{
	struct conn *c = p;
	char buf[4096];
	ssize_t n = synack_rt_read(c->rt, c->s, buf, 1); /* the mode byte */
	while (n > 0 && (n = synack_rt_read(c->rt, c->s, buf, sizeof(buf))) > 0)
		if (synack_rt_write(c->rt, c->s, buf, (size_t)n) != n)
			break;
	synack_rt_close(c->rt, c->s);
	free(c);
	return NULL;
}

static void run_blocking(synack_rt *rt, int l)
{
	/* A blocked accept is no system call a signal interrupts: it wakes every 200 ms to
	 * look at stop. */
	struct timeval tv = {0, 200000};
	if (synack_rt_setsockopt(rt, l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die("SO_RCVTIMEO");
	while (!stop) {
		int s = synack_rt_accept(rt, l, NULL, NULL);
		if (s < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("accept");
		}
		struct conn *c = malloc(sizeof(*c));
		pthread_t th;
		if (!c)
			die("malloc");
		*c = (struct conn){rt, s};
		if (pthread_create(&th, NULL, serve_blocking, c) != 0)
			die("pthread_create");
		pthread_detach(th);
	}
}

/* Epoll shape: the application's kernel epoll set holds the runtime's descriptor; each
 * time it is readable, one round, then the runtime's set says which sockets to serve. */
enum { SEEN_MODE = 1u << 31 };

static void run_epoll(synack_rt *rt, int l)
{
	int kep = epoll_create1(EPOLL_CLOEXEC), ep = synack_rt_epoll_create(rt);
	if (kep < 0 || ep < 0)
		die("epoll");
	struct epoll_event kev = {.events = EPOLLIN};
	if (epoll_ctl(kep, EPOLL_CTL_ADD, synack_rt_fd(rt), &kev) < 0)
		die("epoll_ctl");
	struct epoll_event lev = {.events = EPOLLIN, .data.u64 = (uint64_t)l};
	if (synack_rt_epoll_ctl(rt, ep, EPOLL_CTL_ADD, l, &lev) < 0)
		die("synack_rt_epoll_ctl");
	uint32_t *flags = calloc(1u << 16, sizeof(*flags)); /* per socket: SEEN_MODE */
	if (!flags)
		die("calloc");
	while (!stop) {
		struct epoll_event kout;
		if (epoll_wait(kep, &kout, 1, -1) < 0 && errno != EINTR)
			die("epoll_wait");
		if (synack_rt_run_once(rt) < 0)
			die("synack_rt_run_once");
		struct epoll_event ev[64];
		int n = synack_rt_epoll_wait(rt, ep, ev, 64, 0);
		for (int i = 0; i < n; i++) {
			int s = (int)ev[i].data.u64;
			if (s == l) {
				int k;
				/* As accept4(2): without SOCK_NONBLOCK the new socket would block. */
				while ((k = synack_rt_accept4(rt, l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event cev = {.events = EPOLLIN | EPOLLET, .data.u64 = (uint64_t)k};
					if (k >= 1 << 16 || synack_rt_epoll_ctl(rt, ep, EPOLL_CTL_ADD, k, &cev) < 0)
						die("add a connection");
					flags[k] = 0;
				}
				continue;
			}
			char buf[4096];
			ssize_t r;
			while ((r = synack_rt_read(rt, s, buf, sizeof(buf))) > 0) {
				size_t off = 0;
				if (!(flags[s] & SEEN_MODE)) {
					flags[s] |= SEEN_MODE;
					off = 1;
				}
				if (r > (ssize_t)off && synack_rt_write(rt, s, buf + off, (size_t)r - off) != r - (ssize_t)off)
					break;
			}
			if (r == 0 || (r < 0 && errno != EAGAIN))
				synack_rt_close(rt, s);
		}
	}
	free(flags);
}

int main(int argc, char **argv)
{
	struct synack_rt_opts o;
	synack_rt_tool_opts(&o, &argc, argv, "rt-echo",
			    "usage: rt-echo --loop blocking|epoll --port P [options]\n"
			    "An echo server on the runtime (bench/embed.sh).\n",
			    "");
	const char *loop = NULL;
	int port = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--loop"))
			loop = argv[i + 1];
		else if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
	}
	int epoll_shape = loop && !strcmp(loop, "epoll");
	if (!loop || (!epoll_shape && strcmp(loop, "blocking")) || port <= 0 || port > 65535 || argc % 2 == 0) {
		fprintf(stderr, "rt-echo: expected --loop blocking|epoll --port P (try --help)\n");
		return 2;
	}
	o.no_thread = epoll_shape;
	char why[256];
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why));
	if (!rt) {
		fprintf(stderr, "rt-echo: %s\n", why);
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	int l = synack_rt_socket(rt, AF_INET, SOCK_STREAM | (epoll_shape ? SOCK_NONBLOCK : 0), 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1;
	if (l < 0 || synack_rt_setsockopt(rt, l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    synack_rt_bind(rt, l, (struct sockaddr *)&a, sizeof(a)) < 0 || synack_rt_listen(rt, l, 128) < 0)
		die("listen");
	printf("ready\n");
	fflush(stdout);
	if (epoll_shape)
		run_epoll(rt, l);
	else
		run_blocking(rt, l);
	synack_rt_stop(rt);
	return 0;
}
