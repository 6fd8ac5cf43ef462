/* echo_server: a TCP echo server on synack's runtime, over a TUN device.
 *
 * The runtime (<synack/rt.h>) opens the device, runs the stack on a loop thread of its
 * own and offers POSIX-style calls on synack's sockets, blocking by default and safe from
 * any thread. This program accepts connections and serves each on a thread of its own,
 * sending back every byte it reads until the peer closes.
 *
 * Build against an installed synack (examples/README.md, docs/embedding.md):
 *   cc -o echo_server echo_server.c $(pkg-config --cflags --libs synack) -pthread
 * Run as root (or with CAP_NET_ADMIN); --host-addr gives the kernel's side of the TUN an
 * address and brings it up, so Linux can talk to synack at once:
 *   ./echo_server --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --port 7
 *   echo hello | nc -N 192.0.2.2 7
 * SIGTERM or SIGINT ends it within a second. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and Linux declarations, whatever -std says */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <synack/rt.h>

static volatile sig_atomic_t stop;     /* set by SIGTERM / SIGINT */
static atomic_int live_threads;        /* connection threads still running */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Calls on synack's sockets are no system calls, so a signal does not interrupt them: a
 * thread blocked in accept or read would never see `stop`. A receive timeout makes the
 * blocking calls come back (with EAGAIN) five times a second to look at it. */
static int set_timeouts(synack_rt *rt, int s)
{
	struct timeval tv = {0, 200 * 1000};
	if (synack_rt_setsockopt(rt, s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	return synack_rt_setsockopt(rt, s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

struct conn {
	synack_rt *rt;
	int s; /* synack's socket handle: not a kernel file descriptor */
};

static void *serve(void *arg)
{
	struct conn *c = arg;
	char buf[16384];
	while (!stop) {
		ssize_t n = synack_rt_read(c->rt, c->s, buf, sizeof(buf));
		if (n == 0)
			break; /* the peer closed its side: done */
		if (n < 0) {
			if (errno == EAGAIN)
				continue; /* the 200 ms timeout: look at `stop` */
			break;    /* reset, or the runtime is stopping */
		}
		/* A blocking write returns once everything is queued, or, after a timeout or an
		 * error, with what it queued so far. */
		for (ssize_t off = 0; off < n && !stop;) {
			ssize_t w = synack_rt_write(c->rt, c->s, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EAGAIN)
				goto out;
			if (w > 0)
				off += w;
		}
	}
out:
	synack_rt_close(c->rt, c->s); /* sends our FIN after what is still queued */
	free(c);
	atomic_fetch_sub(&live_threads, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	/* The device options every synack tool takes (--tun, --addr, --host-addr, --mtu,
	 * --trace, ...): parsed out of argv, leaving ours. A bad one prints one line and
	 * exits 2; --help prints them all. */
	struct synack_rt_opts o;
	synack_rt_tool_opts(&o, &argc, argv, "echo_server",
			    "usage: echo_server --tun NAME --addr A.B.C.D/LEN [--host-addr A.B.C.D/LEN] --port P\n"
			    "A TCP echo server on the synack runtime.\n",
			    "  --port P            the TCP port to serve (1..65535)\n");
	long port = 0;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = strtol(argv[++i], &end, 10);
			if (*end || port < 1 || port > 65535) {
				fprintf(stderr, "echo_server: --port: expected 1..65535, not '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "echo_server: unexpected argument '%s' (try --help)\n", argv[i]);
			return 2;
		}
	}
	if (!port) {
		fprintf(stderr, "echo_server: --port P is required (try --help)\n");
		return 2;
	}

	/* SIGTERM and SIGINT only set a flag (no SA_RESTART needed: nothing here is a system
	 * call they could interrupt). */
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	char why[256];
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why)); /* opens the TUN, starts the loop */
	if (!rt) {
		fprintf(stderr, "echo_server: %s\n", why);
		return 1;
	}

	/* The POSIX calls take struct sockaddr_in as the kernel's do: port and address in
	 * network byte order. */
	int l = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_ANY)};
	int one = 1;
	if (l < 0 || synack_rt_setsockopt(rt, l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    synack_rt_bind(rt, l, (struct sockaddr *)&a, sizeof(a)) < 0 || synack_rt_listen(rt, l, 128) < 0 ||
	    set_timeouts(rt, l) < 0) {
		fprintf(stderr, "echo_server: listen on port %ld: %s\n", port, strerror(errno));
		synack_rt_stop(rt);
		return 1;
	}
	char addr[SYNACK_IP_STRLEN];
	printf("echo_server: ready, echoing TCP on %s:%ld\n", synack_ip_format(&o.addr, addr, sizeof(addr)), port);
	fflush(stdout);

	int status = 0;
	while (!stop) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		int s = synack_rt_accept(rt, l, (struct sockaddr *)&peer, &plen);
		if (s < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue; /* the timeout: look at `stop` */
			fprintf(stderr, "echo_server: accept: %s\n", strerror(errno));
			status = 1;
			break;
		}
		struct conn *c = malloc(sizeof(*c));
		pthread_t th;
		if (!c || set_timeouts(rt, s) < 0) {
			free(c);
			synack_rt_close(rt, s);
			continue;
		}
		*c = (struct conn){rt, s};
		atomic_fetch_add(&live_threads, 1);
		if (pthread_create(&th, NULL, serve, c) != 0) {
			atomic_fetch_sub(&live_threads, 1);
			synack_rt_close(rt, s);
			free(c);
			continue;
		}
		pthread_detach(th);
	}

	/* The end: no call may start once synack_rt_stop has returned, so the connection
	 * threads (which look at `stop` every 200 ms) leave first; then the FINs they sent get
	 * a moment to be acknowledged, and the runtime stops. */
	synack_rt_close(rt, l);
	for (int i = 0; i < 100 && atomic_load(&live_threads) > 0; i++)
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	synack_rt_drain(rt, 200);
	synack_rt_stop(rt);
	return status;
}
