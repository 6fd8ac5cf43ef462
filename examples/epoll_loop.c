/* epoll_loop: synack inside a program's existing epoll(7) loop, through the runtime's
 * descriptor.
 *
 * A runtime started with o.no_thread = 1 has no loop thread: it gives a descriptor
 * (synack_rt_fd) that becomes readable when it has work (a packet on the device, a timer
 * due), and the application, when it is, calls synack_rt_run_once. The application's own
 * epoll set holds that descriptor next to its other ones: here a timerfd that prints a
 * line every second. synack's sockets are no kernel descriptors, so they live in a set of
 * the runtime's (synack_rt_epoll_*), asked with timeout 0 after each round.
 *
 * It serves TCP echo on --port, non-blocking, edge-triggered: every byte read is sent back,
 * and a connection closes once the peer's end came and everything went back.
 *
 * Build against an installed synack (examples/README.md, docs/embedding.md):
 *   cc -o epoll_loop epoll_loop.c $(pkg-config --cflags --libs synack)
 * Run as root:
 *   ./epoll_loop --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --port 7
 *   echo hello | nc -N 192.0.2.2 7
 * SIGTERM or SIGINT ends it at once. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and Linux declarations, whatever -std says */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <synack/rt.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A connection: what was read and not yet sent back. */
struct conn {
	int s;         /* synack's socket handle */
	int eof;       /* the peer's end of stream came */
	size_t off, len;
	char buf[16384];
};

static long open_conns, echoed;

/* Moves the connection on as far as it goes without waiting: sends what is pending, reads
 * more, until a call says EAGAIN (with EPOLLET, the set reports the socket again only after
 * that). Returns 1 while the connection lives, 0 when it is over. */
static int progress(synack_rt *rt, struct conn *c)
{
	for (;;) {
		while (c->off < c->len) {
			ssize_t w = synack_rt_write(rt, c->s, c->buf + c->off, c->len - c->off);
			if (w < 0)
				return errno == EAGAIN; /* the send buffer is full: EPOLLOUT comes */
			c->off += (size_t)w;
			echoed += w;
		}
		if (c->eof)
			return 0; /* everything went back */
		ssize_t n = synack_rt_read(rt, c->s, c->buf, sizeof(c->buf));
		if (n > 0) {
			c->off = 0;
			c->len = (size_t)n;
		} else if (n == 0) {
			c->eof = 1;
		} else {
			return errno == EAGAIN; /* nothing more now: EPOLLIN comes */
		}
	}
}

static void die(const char *what)
{
	fprintf(stderr, "epoll_loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

enum { TAG_SYNACK = 1, TAG_TIMER = 2 }; /* what the kernel set's events carry */

int main(int argc, char **argv)
{
	struct synack_rt_opts o;
	synack_rt_tool_opts(&o, &argc, argv, "epoll_loop",
			    "usage: epoll_loop --tun NAME --addr A.B.C.D/LEN [--host-addr A.B.C.D/LEN] --port P\n"
			    "A TCP echo server served from the application's epoll loop.\n",
			    "  --port P            the TCP port to serve (1..65535)\n");
	long port = 0;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = strtol(argv[++i], &end, 10);
			if (*end || port < 1 || port > 65535) {
				fprintf(stderr, "epoll_loop: --port: expected 1..65535, not '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "epoll_loop: unexpected argument '%s' (try --help)\n", argv[i]);
			return 2;
		}
	}
	if (!port) {
		fprintf(stderr, "epoll_loop: --port P is required (try --help)\n");
		return 2;
	}

	/* Signals are blocked but while the loop sleeps in epoll_pwait, so none is lost. */
	sigset_t block, sleeping;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &sleeping);
	sigdelset(&sleeping, SIGTERM);
	sigdelset(&sleeping, SIGINT);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	o.no_thread = 1; /* no loop thread: this program's loop drives the runtime */
	char why[256];
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why));
	if (!rt) {
		fprintf(stderr, "epoll_loop: %s\n", why);
		return 1;
	}

	/* The application's own epoll set: the runtime's descriptor and a timer of its own. */
	int kep = epoll_create1(EPOLL_CLOEXEC);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec every_second = {{1, 0}, {1, 0}};
	if (kep < 0 || tfd < 0 || timerfd_settime(tfd, 0, &every_second, NULL) < 0)
		die("epoll/timerfd");
	struct epoll_event kev = {.events = EPOLLIN, .data.u32 = TAG_SYNACK};
	if (epoll_ctl(kep, EPOLL_CTL_ADD, synack_rt_fd(rt), &kev) < 0)
		die("epoll_ctl(synack_rt_fd)");
	kev = (struct epoll_event){.events = EPOLLIN, .data.u32 = TAG_TIMER};
	if (epoll_ctl(kep, EPOLL_CTL_ADD, tfd, &kev) < 0)
		die("epoll_ctl(timerfd)");

	/* synack's side: a non-blocking listener in a set of the runtime's. Calls on a runtime
	 * without thread belong to the thread that runs synack_rt_run_once: this one. */
	int sep = synack_rt_epoll_create(rt);
	int l = synack_rt_socket(rt, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL}; /* NULL: the listener */
	if (sep < 0 || l < 0 || synack_rt_bind(rt, l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    synack_rt_listen(rt, l, 128) < 0 || synack_rt_epoll_ctl(rt, sep, EPOLL_CTL_ADD, l, &lev) < 0) {
		fprintf(stderr, "epoll_loop: listen on port %ld: %s\n", port, strerror(errno));
		synack_rt_stop(rt);
		return 1;
	}
	char addr[SYNACK_IP_STRLEN];
	printf("epoll_loop: ready, echoing TCP on %s:%ld\n", synack_ip_format(&o.addr, addr, sizeof(addr)), port);
	fflush(stdout);

	long ticks = 0;
	while (!stop) {
		struct epoll_event kout[8];
		int kn = epoll_pwait(kep, kout, 8, -1, &sleeping);
		if (kn < 0) {
			if (errno == EINTR)
				continue; /* a signal: `stop` is set */
			die("epoll_pwait");
		}
		int synack_due = 0;
		for (int i = 0; i < kn; i++) {
			if (kout[i].data.u32 == TAG_SYNACK) {
				synack_due = 1;
			} else if (kout[i].data.u32 == TAG_TIMER) {
				uint64_t expired;
				if (read(tfd, &expired, sizeof(expired)) == sizeof(expired))
					ticks += (long)expired;
				printf("epoll_loop: tick %ld, %ld connections open, %ld bytes echoed\n", ticks,
				       open_conns, echoed);
				fflush(stdout);
			}
		}
		if (!synack_due)
			continue;
		/* One round of the runtime (device, timers; never blocks), then its sockets. */
		if (synack_rt_run_once(rt) < 0)
			die("synack_rt_run_once");
		struct epoll_event ev[64];
		int n;
		while ((n = synack_rt_epoll_wait(rt, sep, ev, 64, 0)) > 0) {
			for (int i = 0; i < n; i++) {
				struct conn *c = ev[i].data.ptr;
				if (!c) { /* the listener: every connection waiting */
					int s;
					/* SOCK_NONBLOCK: a blocking socket's read with nothing there
					 * would wait inside this loop. */
					while ((s = synack_rt_accept4(rt, l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
						struct conn *nc = calloc(1, sizeof(*nc));
						struct epoll_event cev = {
							.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = nc};
						if (!nc || synack_rt_epoll_ctl(rt, sep, EPOLL_CTL_ADD, s, &cev) < 0) {
							free(nc);
							synack_rt_close(rt, s);
							continue;
						}
						nc->s = s;
						open_conns++;
						if (!progress(rt, nc)) { /* try a new socket once */
							synack_rt_close(rt, s);
							free(nc);
							open_conns--;
						}
					}
					continue;
				}
				if (!progress(rt, c)) {
					synack_rt_close(rt, c->s); /* leaves the set too */
					free(c);
					open_conns--;
				}
			}
		}
		if (n < 0)
			die("synack_rt_epoll_wait");
	}
	/* Connections still open are dropped; synack_rt_stop frees the runtime and its sets. */
	synack_rt_stop(rt);
	close(tfd);
	close(kep);
	return 0;
}
