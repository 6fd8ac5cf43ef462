/* rt_echo: a TCP and UDP echo server on the synack runtime, for the shell tests. TCP: one
 * thread per connection, blocking calls; what arrives goes back, and the end of the peer's
 * stream is answered with our own (shutdown), so a half-closed peer still gets everything.
 * Connections have SO_KEEPALIVE on (a timer to list). UDP: every datagram goes back to its
 * sender.
 *
 * usage: rt_echo RUNTIME-OPTIONS [--port N] [--udp-port N]
 * Prints "ready CONTROL-PATH" on stdout once serving; SIGTERM or SIGINT ends it cleanly
 * (connections shut, threads joined, the runtime drained and stopped), exit status 0. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/rt.h>

struct conn {
	int sock; /* -1 once the worker closed it */
	pthread_t th;
};

static synack_rt *rt;
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
static size_t nconns, capconns;
static volatile int quitting;

static void *serve(void *arg)
{
	size_t idx = (size_t)(uintptr_t)arg;
	pthread_mutex_lock(&conns_mu);
	int s = conns[idx].sock;
	pthread_mutex_unlock(&conns_mu);
	char buf[16384];
	for (;;) {
		ssize_t n = synack_rt_read(rt, s, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0 && !quitting)
				fprintf(stderr, "rt_echo: read: %s\n", strerror(errno));
			break;
		}
		if (synack_rt_write(rt, s, buf, (size_t)n) != n) {
			if (!quitting)
				fprintf(stderr, "rt_echo: write: %s\n", strerror(errno));
			break;
		}
	}
	synack_rt_shutdown(rt, s, SHUT_WR);
	/* Closed under the registry's lock: main never shuts a handle that was reused. */
	pthread_mutex_lock(&conns_mu);
	synack_rt_close(rt, s);
	conns[idx].sock = -1;
	pthread_mutex_unlock(&conns_mu);
	return NULL;
}

static void *accept_loop(void *arg)
{
	int ls = (int)(intptr_t)arg;
	for (;;) {
		struct sockaddr_in peer;
		socklen_t pl = sizeof(peer);
		int s = synack_rt_accept(rt, ls, (struct sockaddr *)&peer, &pl);
		if (s < 0) {
			if (errno == EBADF || errno == ESHUTDOWN || quitting)
				return NULL;
			fprintf(stderr, "rt_echo: accept: %s\n", strerror(errno));
			continue;
		}
		int one = 1; /* a timer for synack-ss -o to show */
		synack_rt_setsockopt(rt, s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		pthread_mutex_lock(&conns_mu);
		if (nconns == capconns) {
			size_t cap = capconns ? capconns * 2 : 16;
			struct conn *v = realloc(conns, cap * sizeof(*v));
			if (!v) {
				pthread_mutex_unlock(&conns_mu);
				synack_rt_close(rt, s);
				continue;
			}
			conns = v;
			capconns = cap;
		}
		size_t idx = nconns++;
		conns[idx].sock = s;
		if (pthread_create(&conns[idx].th, NULL, serve, (void *)(uintptr_t)idx) != 0) {
			nconns--;
			synack_rt_close(rt, s);
		}
		pthread_mutex_unlock(&conns_mu);
	}
}

static void *udp_loop(void *arg)
{
	int us = (int)(intptr_t)arg;
	char buf[65536];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = synack_rt_recvfrom(rt, us, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EBADF || errno == ESHUTDOWN || quitting)
				return NULL;
			fprintf(stderr, "rt_echo: recvfrom: %s\n", strerror(errno));
			continue;
		}
		if (synack_rt_sendto(rt, us, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) < 0)
			fprintf(stderr, "rt_echo: sendto: %s\n", strerror(errno));
	}
}

static int port_arg(const char *v, int *out)
{
	char *end;
	long p = strtol(v, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -1;
	*out = (int)p;
	return 0;
}

int main(int argc, char **argv)
{
	struct synack_rt_opts o;
	synack_rt_opts_defaults(&o);
	char why[256];
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: rt_echo RUNTIME-OPTIONS [--port N] [--udp-port N]\n%s", synack_rt_opts_help);
			return 0;
		}
	if (synack_rt_opts_parse(&o, &argc, argv, why, sizeof(why)) < 0) {
		fprintf(stderr, "rt_echo: %s\n", why);
		return 2;
	}
	int port = 7, uport = 7;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--port") == 0 && port_arg(argv[i + 1], &port) == 0) {
			i++;
		} else if (i + 1 < argc && strcmp(argv[i], "--udp-port") == 0 && port_arg(argv[i + 1], &uport) == 0) {
			i++;
		} else {
			fprintf(stderr, "rt_echo: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}

	/* Every thread, the runtime's included, inherits the mask: the signals come to sigwait. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	rt = synack_rt_start(&o, why, sizeof(why));
	if (!rt) {
		fprintf(stderr, "rt_echo: %s\n", why);
		return 1;
	}
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int ls = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
	int one = 1;
	if (ls < 0 || synack_rt_setsockopt(rt, ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    synack_rt_bind(rt, ls, (struct sockaddr *)&sin, sizeof(sin)) < 0 || synack_rt_listen(rt, ls, 128) < 0) {
		fprintf(stderr, "rt_echo: tcp listener: %s\n", strerror(errno));
		synack_rt_stop(rt);
		return 1;
	}
	pthread_t at, ut;
	pthread_create(&at, NULL, accept_loop, (void *)(intptr_t)ls);
	int us = synack_rt_socket(rt, AF_INET, SOCK_DGRAM, 0);
	int have_udp = 0;
	if (us < 0) {
		fprintf(stderr, "rt_echo: udp: %s (no UDP echo)\n", strerror(errno));
	} else {
		sin.sin_port = htons((uint16_t)uport);
		if (synack_rt_bind(rt, us, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			fprintf(stderr, "rt_echo: udp bind: %s\n", strerror(errno));
			synack_rt_close(rt, us);
		} else {
			pthread_create(&ut, NULL, udp_loop, (void *)(intptr_t)us);
			have_udp = 1;
		}
	}
	printf("ready %s%s\n", synack_rt_control_path(rt), have_udp ? "" : " no-udp");
	fflush(stdout);

	int sig;
	sigwait(&sigs, &sig);
	quitting = 1;
	/* Closing a handle wakes whoever blocks on it (EBADF); shutting a connection ends its
	 * worker's read. */
	synack_rt_close(rt, ls);
	pthread_join(at, NULL);
	if (have_udp) {
		synack_rt_close(rt, us);
		pthread_join(ut, NULL);
	}
	pthread_mutex_lock(&conns_mu);
	for (size_t i = 0; i < nconns; i++)
		if (conns[i].sock >= 0)
			synack_rt_shutdown(rt, conns[i].sock, SHUT_RDWR);
	size_t n = nconns;
	pthread_mutex_unlock(&conns_mu);
	for (size_t i = 0; i < n; i++)
		pthread_join(conns[i].th, NULL);
	free(conns);
	if (synack_rt_drain(rt, 2000) < 0)
		fprintf(stderr, "rt_echo: drain: %s\n", strerror(errno));
	synack_rt_stop(rt);
	return 0;
}
