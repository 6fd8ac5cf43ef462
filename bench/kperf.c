/* kperf: the Linux kernel-socket side of bench/real.sh.
 *
 *   kperf server PORT [ADDR]
 *       Serves one connection at a time, forever. The first byte a client sends picks what
 *       the server does with the connection:
 *         'S' sink:   read until end of stream, then close (the client's send test)
 *         'C' sink as well (the connect/close test: one byte, then end of stream)
 *         'R' source: write until the client goes away (the client's receive test)
 *         'E' echo:   write back whatever arrives, until end of stream (round trips)
 *       The stack servers (stack_synack, stack_lwip) speak the same protocol.
 *
 *   kperf client ADDR PORT --mode send|recv|crr|rr [--seconds N] [--peer-pid PID]
 *       send: one connection, 'S', then writes for N seconds, shuts down its side and
 *             waits for the server's end of stream (so every byte was read)
 *       recv: one connection, 'R', then reads for N seconds and closes
 *       crr:  connect, write 'C', shut down, wait for the server's close, close; repeated
 *       rr:   one connection, 'E', then 1-byte write / 1-byte read, repeated
 *       and prints one line:
 *         kperf mode=M bytes=B ops=O seconds=S gbps=G ops_per_s=R cpu_client=C
 *               cpu_peer=P peer_user=U peer_sys=Y cpu_machine=M steal=T
 *       cpu_* are CPU seconds (user+system) per wall-clock second over the measured
 *       interval: the client's from getrusage, the peer's (--peer-pid, the server process)
 *       from /proc/PID/stat; -1 when no peer was given. cpu_machine is the busy time of all
 *       CPUs together (user, system, irq, softirq: up to the number of CPUs) and steal the
 *       time a hypervisor took, both from /proc/stat.
 *
 *   kperf xfer (--connect ADDR | --listen) PORT (--send | --recv) [--cc NAME]
 *       One connection (the listening side takes one and stops listening) with congestion
 *       control NAME (root may set any the kernel has, whatever the namespace's default):
 *       --send copies standard input to it, shuts down its side and waits for the peer's end
 *       of stream; --recv copies what arrives to standard output until end of stream, then
 *       closes. It prints one line on stderr (bench/lossy.sh):
 *         kperf xfer bytes=B seconds=S srtt_us=R total_retrans=T
 *       timed from the connection's start to its end, with the socket's TCP_INFO at the end.
 *
 * Exit status 0 on success, 1 on any error (with a message on stderr). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (128 * 1024)

static uint8_t buf[CHUNK];

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double self_cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec * 1e-6;
}

/* utime and stime of a process in seconds, from /proc/PID/stat (fields 14 and 15). */
static int proc_cpu(long pid, double *user, double *sys)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = 0;
	char *p = strrchr(line, ')'); /* the command name may hold spaces */
	if (!p)
		return -1;
	unsigned long ut = 0, st = 0;
	/* after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	double hz = (double)sysconf(_SC_CLK_TCK);
	*user = (double)ut / hz;
	*sys = (double)st / hz;
	return 0;
}

/* Busy and stolen CPU seconds of the whole machine (all CPUs), from /proc/stat: user, nice,
 * system, irq and softirq are busy; steal is time the hypervisor gave to someone else. */
static int machine_cpu(double *busy, double *steal)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	unsigned long long v[8] = {0};
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		       &v[6], &v[7]);
	fclose(f);
	if (n < 8)
		return -1;
	double hz = (double)sysconf(_SC_CLK_TCK);
	*busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
	*steal = (double)v[7] / hz;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "kperf: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_int(int fd, int level, int name, int v)
{
	setsockopt(fd, level, name, &v, sizeof(v));
}

static void set_timeout(int fd, int seconds)
{
	struct timeval tv = {seconds, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- server ---- */

static void serve(int c)
{
	uint8_t mode;
	ssize_t r = read(c, &mode, 1);
	if (r != 1)
		return;
	switch (mode) {
	case 'S':
	case 'C':
		while ((r = read(c, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
			;
		break;
	case 'R':
		for (;;) {
			ssize_t w = send(c, buf, sizeof(buf), MSG_NOSIGNAL);
			if (w < 0 && errno != EINTR)
				break;
		}
		break;
	case 'E':
		set_int(c, IPPROTO_TCP, TCP_NODELAY, 1);
		while ((r = read(c, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
			if (r > 0 && write_all(c, buf, (size_t)r) < 0)
				break;
		break;
	default:
		fprintf(stderr, "kperf server: unknown mode byte 0x%02x\n", mode);
		break;
	}
}

/* An IPv4 or IPv6 address (text; NULL: the IPv4 wildcard) and port. */
union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static int addr_parse(const char *text, int port, union addr *a, socklen_t *len)
{
	memset(a, 0, sizeof(*a));
	if (!text || inet_pton(AF_INET, text, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons((uint16_t)port);
		*len = sizeof(a->in);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a->in6.sin6_addr) != 1)
		return -1;
	a->in6.sin6_family = AF_INET6;
	a->in6.sin6_port = htons((uint16_t)port);
	*len = sizeof(a->in6);
	return 0;
}

static int server(int argc, char **argv)
{
	if (argc < 1)
		return 2;
	int port = atoi(argv[0]);
	union addr a;
	socklen_t alen;
	if (addr_parse(argc > 1 ? argv[1] : NULL, port, &a, &alen) < 0) {
		fprintf(stderr, "kperf server: bad address %s\n", argv[1]);
		return 1;
	}
	int l = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (l < 0)
		die("socket");
	set_int(l, SOL_SOCKET, SO_REUSEADDR, 1);
	if (a.sa.sa_family == AF_INET6)
		set_int(l, IPPROTO_IPV6, IPV6_V6ONLY, 0); /* at "::", IPv4 clients too */
	if (bind(l, &a.sa, alen) < 0)
		die("bind");
	if (listen(l, 1024) < 0)
		die("listen");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		serve(c);
		close(c);
	}
}

/* ---- client ---- */

struct opts {
	union addr to;
	socklen_t tolen;
	const char *mode;
	double seconds;
	long peer;
};

static int dial(const struct opts *o, int nodelay)
{
	int fd = socket(o->to.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (nodelay)
		set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	set_timeout(fd, 10);
	while (connect(fd, &o->to.sa, o->tolen) < 0) {
		if (errno != EINTR)
			die("connect");
	}
	return fd;
}

static void hello(int fd, char mode)
{
	if (write_all(fd, &mode, 1) < 0)
		die("send mode byte");
}

/* Reads until end of stream; dies on error or timeout. */
static void wait_eof(int fd, const char *what)
{
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r == 0)
			return;
		if (r < 0 && errno != EINTR)
			die(what);
	}
}

static int client(int argc, char **argv)
{
	struct opts o = {.mode = NULL, .seconds = 5, .peer = 0};
	if (argc < 2)
		return 2;
	if (addr_parse(argv[0], atoi(argv[1]), &o.to, &o.tolen) < 0) {
		fprintf(stderr, "kperf client: bad address %s\n", argv[0]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			o.mode = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			o.seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--peer-pid") && i + 1 < argc)
			o.peer = atol(argv[++i]);
		else
			return 2;
	}
	if (!o.mode || o.seconds <= 0)
		return 2;

	uint64_t bytes = 0, ops = 0;
	double pu0 = 0, ps0 = 0, pu1 = 0, ps1 = 0, c0, c1, t0, t1;
	int fd = -1;
	char m = !strcmp(o.mode, "send") ? 'S' : !strcmp(o.mode, "recv") ? 'R' : !strcmp(o.mode, "rr") ? 'E'
		 : !strcmp(o.mode, "crr") ? 'C' : 0;
	if (!m) {
		fprintf(stderr, "kperf client: unknown mode %s\n", o.mode);
		return 2;
	}
	if (m != 'C') {
		fd = dial(&o, m == 'E');
		hello(fd, m);
	}
	if (o.peer && proc_cpu(o.peer, &pu0, &ps0) < 0) {
		fprintf(stderr, "kperf client: cannot read /proc/%ld/stat\n", o.peer);
		return 1;
	}
	double mb0 = 0, ms0 = 0, mb1 = 0, ms1 = 0;
	machine_cpu(&mb0, &ms0);
	c0 = self_cpu_s();
	t0 = mono_s();
	double end = t0 + o.seconds;
	switch (m) {
	case 'S':
		while (mono_s() < end) {
			ssize_t w = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				die("send");
			}
			bytes += (uint64_t)w;
		}
		if (shutdown(fd, SHUT_WR) < 0)
			die("shutdown");
		wait_eof(fd, "read (waiting for the server to finish reading)");
		break;
	case 'R':
		while (mono_s() < end) {
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r < 0) {
				if (errno == EINTR)
					continue;
				die("read");
			}
			if (r == 0) {
				fprintf(stderr, "kperf client: server closed early\n");
				return 1;
			}
			bytes += (uint64_t)r;
		}
		break;
	case 'E':
		for (uint8_t b = 0; mono_s() < end; b++) {
			if (write_all(fd, &b, 1) < 0)
				die("send");
			uint8_t back;
			ssize_t r;
			while ((r = read(fd, &back, 1)) < 0 && errno == EINTR)
				;
			if (r != 1) {
				if (r == 0)
					errno = ECONNRESET;
				die("read (echo)");
			}
			if (back != b) {
				fprintf(stderr, "kperf client: echo returned %u for %u\n", back, b);
				return 1;
			}
			ops++;
			bytes++;
		}
		break;
	case 'C':
		while (mono_s() < end) {
			int c = dial(&o, 0);
			hello(c, 'C');
			if (shutdown(c, SHUT_WR) < 0)
				die("shutdown");
			wait_eof(c, "read (waiting for the server's close)");
			close(c);
			ops++;
		}
		break;
	}
	t1 = mono_s();
	c1 = self_cpu_s();
	machine_cpu(&mb1, &ms1);
	if (o.peer && proc_cpu(o.peer, &pu1, &ps1) < 0) {
		fprintf(stderr, "kperf client: cannot read /proc/%ld/stat at the end\n", o.peer);
		return 1;
	}
	if (fd >= 0)
		close(fd);
	double secs = t1 - t0;
	printf("kperf mode=%s bytes=%llu ops=%llu seconds=%.3f gbps=%.3f ops_per_s=%.0f cpu_client=%.3f "
	       "cpu_peer=%.3f peer_user=%.3f peer_sys=%.3f cpu_machine=%.3f steal=%.3f\n",
	       o.mode, (unsigned long long)bytes, (unsigned long long)ops, secs, (double)bytes * 8 / secs / 1e9,
	       (double)ops / secs, (c1 - c0) / secs, o.peer ? (pu1 + ps1 - pu0 - ps0) / secs : -1.0,
	       o.peer ? (pu1 - pu0) / secs : -1.0, o.peer ? (ps1 - ps0) / secs : -1.0, (mb1 - mb0) / secs,
	       (ms1 - ms0) / secs);
	return 0;
}

/* ---- xfer ---- */

static int xfer(int argc, char **argv)
{
	const char *connect_to = NULL, *cc = NULL;
	int listen_on = 0, port = -1, send_side = -1;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--connect") && i + 1 < argc)
			connect_to = argv[++i];
		else if (!strcmp(argv[i], "--listen"))
			listen_on = 1;
		else if (!strcmp(argv[i], "--send"))
			send_side = 1;
		else if (!strcmp(argv[i], "--recv"))
			send_side = 0;
		else if (!strcmp(argv[i], "--cc") && i + 1 < argc)
			cc = argv[++i];
		else if (port < 0 && atoi(argv[i]) > 0)
			port = atoi(argv[i]);
		else
			return 2;
	}
	if (port <= 0 || port > 65535 || send_side < 0 || !connect_to == !listen_on)
		return 2;
	union addr a;
	socklen_t alen;
	if (addr_parse(connect_to, port, &a, &alen) < 0) {
		fprintf(stderr, "kperf xfer: bad address %s\n", connect_to);
		return 1;
	}
	int fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (cc && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc)) < 0)
		die("TCP_CONGESTION");
	double t0;
	if (listen_on) {
		set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
		if (a.sa.sa_family == AF_INET6)
			set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
		if (bind(fd, &a.sa, alen) < 0 || listen(fd, 1) < 0)
			die("listen");
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			die("accept");
		t0 = mono_s();
		close(fd);
		fd = c;
	} else {
		t0 = mono_s();
		if (connect(fd, &a.sa, alen) < 0)
			die("connect");
	}
	uint64_t bytes = 0;
	if (send_side) {
		ssize_t n;
		while ((n = read(0, buf, sizeof(buf))) > 0) {
			if (write_all(fd, buf, (size_t)n) < 0)
				die("send");
			bytes += (uint64_t)n;
		}
		if (n < 0)
			die("read standard input");
		shutdown(fd, SHUT_WR);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			;
		if (n < 0)
			die("waiting for the end of stream");
	} else {
		ssize_t n;
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
			size_t off = 0;
			while (off < (size_t)n) {
				ssize_t w = write(1, buf + off, (size_t)n - off);
				if (w < 0)
					die("write standard output");
				off += (size_t)w;
			}
			bytes += (uint64_t)n;
		}
		if (n < 0)
			die("recv");
	}
	double secs = mono_s() - t0;
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	close(fd);
	fprintf(stderr, "kperf xfer bytes=%llu seconds=%.6f srtt_us=%u total_retrans=%u\n", (unsigned long long)bytes,
		secs, ti.tcpi_rtt, ti.tcpi_total_retrans);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	int r = 2;
	if (argc >= 2 && !strcmp(argv[1], "server"))
		r = server(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "client"))
		r = client(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "xfer"))
		r = xfer(argc - 2, argv + 2);
	if (r == 2)
		fprintf(stderr, "usage: kperf server PORT [ADDR]\n"
				"       kperf client ADDR PORT --mode send|recv|crr|rr [--seconds N] [--peer-pid PID]\n"
				"       kperf xfer (--connect ADDR | --listen) PORT (--send | --recv) [--cc NAME]\n");
	return r;
}
