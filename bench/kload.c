/* kload: the Linux kernel-socket side of bench/load.sh (many connections, connect latency).
 *
 *   kload many ADDR PORT --count N [--src A[,B...]] [--window W] [--timeout S]
 *       Opens N connections to ADDR PORT, at most W (default 1000) connecting at a time,
 *       spread over the source addresses given (each bound with IP_BIND_ADDRESS_NO_PORT, so
 *       each has the whole port range); every connection writes 'C' (bench/kperf.c's
 *       protocol: the server reads to end of stream, then closes). Once all are established
 *       (or S seconds, default 60, have passed) it prints
 *         kload many established=E failed=F open_seconds=T
 *       and waits for SIGUSR1 (so several processes, each under the descriptor limit, close
 *       at the same moment); then it closes them all at once, each close sending a FIN, prints
 *         kload many closed=E close_seconds=C
 *       and exits without waiting for the server's FINs: the kernel finishes the connections.
 *
 *   kload connlat ADDR PORT --count N [--interval-ms M] [--timeout S]
 *       N connections one after another, M ms apart (default 10): each times its connect(),
 *       gives up after S seconds (default 10; counted as failed), then writes 'C', shuts down
 *       and waits up to S seconds for the server's close. Prints:
 *         kload connlat count=N ok=K failed=F p50_ms=A p90_ms=B p99_ms=C max_ms=D
 *
 * Exit status 0 when it ran (the figures judge), 1 on an error, 2 on bad arguments. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse4(const char *s, int port, struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, s, &a->sin_addr) == 1 ? 0 : -1;
}

/* A non-blocking socket bound to SRC (port chosen at connect), connecting to TO. Returns the
 * descriptor or -errno. */
static int start_connect(const struct sockaddr_in *src, const struct sockaddr_in *to)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	if (src) {
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int many(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_in to, srcs[16];
	int nsrc = 0, port = atoi(argv[1]);
	long count = 0, window = 1000;
	double timeout = 60;
	if (port <= 0 || port > 65535 || parse4(argv[0], port, &to) < 0)
		return 2;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = atol(argv[++i]);
		else if (!strcmp(argv[i], "--window") && i + 1 < argc)
			window = atol(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atof(argv[++i]);
		else if (!strcmp(argv[i], "--src") && i + 1 < argc) {
			char *list = argv[++i], *save = NULL;
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (nsrc == 16 || parse4(t, 0, &srcs[nsrc]) < 0)
					return 2;
				nsrc++;
			}
		} else
			return 2;
	}
	if (count <= 0 || window <= 0 || timeout <= 0)
		return 2;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max < (rlim_t)count + 16) {
		fprintf(stderr, "kload many: %ld connections need %ld descriptors, the limit is %llu: run several\n", count,
			count + 16, (unsigned long long)rl.rlim_max);
		return 1;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	int *fds = calloc((size_t)count, sizeof(int));
	int ep = epoll_create1(0);
	if (!fds || ep < 0) {
		perror("kload many");
		return 1;
	}
	long started = 0, pending = 0, established = 0, failed = 0;
	double t0 = mono_s();
	struct epoll_event evs[256];
	while (established + failed < count && mono_s() - t0 < timeout) {
		while (started < count && pending < window) {
			int fd = start_connect(nsrc ? &srcs[started % nsrc] : NULL, &to);
			if (fd < 0) {
				fprintf(stderr, "kload many: connect %ld: %s\n", started, strerror(-fd));
				failed++;
				started++;
				continue;
			}
			struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = (uint64_t)started};
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
			fds[started++] = fd;
			pending++;
		}
		int n = epoll_wait(ep, evs, 256, 100);
		for (int i = 0; i < n; i++) {
			long k = (long)evs[i].data.u64;
			int fd = fds[k], err = 0;
			socklen_t el = sizeof(err);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			pending--;
			if (err || write(fd, "C", 1) != 1) {
				failed++;
				close(fd);
				fds[k] = -1;
			} else
				established++;
		}
	}
	double t1 = mono_s();
	printf("kload many established=%ld failed=%ld open_seconds=%.3f\n", established, count - established, t1 - t0);
	fflush(stdout);
	int sig;
	sigwait(&usr1, &sig);
	double t2 = mono_s();
	for (long k = 0; k < started; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	printf("kload many closed=%ld close_seconds=%.3f\n", established, mono_s() - t2);
	free(fds);
	close(ep);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Waits up to SECS for EVENTS on FD; 1 when they came, 0 on timeout. */
static int wait_fd(int fd, short events, double secs)
{
	struct pollfd p = {.fd = fd, .events = events};
	int r;
	do
		r = poll(&p, 1, (int)(secs * 1000));
	while (r < 0 && errno == EINTR);
	return r > 0;
}

static int connlat(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_in to;
	int port = atoi(argv[1]);
	long count = 0;
	double interval = 10, timeout = 10;
	if (port <= 0 || port > 65535 || parse4(argv[0], port, &to) < 0)
		return 2;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = atol(argv[++i]);
		else if (!strcmp(argv[i], "--interval-ms") && i + 1 < argc)
			interval = atof(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atof(argv[++i]);
		else
			return 2;
	}
	if (count <= 0 || interval < 0 || timeout <= 0)
		return 2;
	double *ms = calloc((size_t)count, sizeof(double));
	if (!ms)
		return 1;
	long ok = 0, failed = 0;
	for (long k = 0; k < count; k++) {
		double t0 = mono_s();
		int fd = start_connect(NULL, &to);
		if (fd < 0) {
			failed++;
			continue;
		}
		int err = 0;
		socklen_t el = sizeof(err);
		if (!wait_fd(fd, POLLOUT, timeout) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
			failed++;
			close(fd);
			continue;
		}
		ms[ok++] = (mono_s() - t0) * 1e3;
		char b[64];
		if (write(fd, "C", 1) == 1 && shutdown(fd, SHUT_WR) == 0)
			while (wait_fd(fd, POLLIN, timeout) && read(fd, b, sizeof(b)) > 0)
				;
		close(fd);
		double left = interval * 1e-3 - (mono_s() - t0);
		if (left > 0) {
			struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
			nanosleep(&ts, NULL);
		}
	}
	qsort(ms, (size_t)ok, sizeof(double), cmp_double);
	double p50 = ok ? ms[(ok - 1) / 2] : -1, p90 = ok ? ms[(long)((double)(ok - 1) * 0.9)] : -1,
	       p99 = ok ? ms[(long)((double)(ok - 1) * 0.99)] : -1, max = ok ? ms[ok - 1] : -1;
	printf("kload connlat count=%ld ok=%ld failed=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", count, ok,
	       failed, p50, p90, p99, max);
	free(ms);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	int r = 2;
	if (argc >= 2 && !strcmp(argv[1], "many"))
		r = many(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "connlat"))
		r = connlat(argc - 2, argv + 2);
	if (r == 2)
		fprintf(stderr, "usage: kload many ADDR PORT --count N [--src A[,B...]] [--window W] [--timeout S]\n"
				"       kload connlat ADDR PORT --count N [--interval-ms M] [--timeout S]\n");
	return r;
}
