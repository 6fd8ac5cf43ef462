/* synack-nc: netcat on the synack stack, after OpenBSD nc.
 *
 * Connects to HOST PORT (or, with -l, waits for one connection), then copies standard input
 * to the connection and the connection to standard output, each direction in a thread of
 * its own with blocking calls: the runtime's thread safety is what lets one thread sit in
 * a read while the other writes. When standard input ends the write side is shut down (the
 * peer reads end of stream, as with OpenBSD nc -N) and the reading goes on until the peer
 * closes too; then the connection is closed, the FIN exchange is waited for, and the
 * program exits 0. With -u the same is done with datagrams. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <synack/rt.h>

#define BUFSZ	   16384 /* what one read of standard input sends: one datagram with -u */
#define STREAM_CHUNK (128 * 1024) /* one read or write of TCP data: big writes, as bulk
				      senders make, fill whole TSO super-segments; big reads,
				      as bulk readers make, open the window in big steps */
#define DGRAM_MAX  65536
#define DRAIN_MS   5000  /* how long the FIN exchange may take at the end */
#define SIG_DRAIN_MS 400 /* and after a signal: the documented limit is 1 s in all */
#define CHECK_MS   1000  /* how often the main thread asks whether the device is still there */

static const char usage_head[] =
	"usage: synack-nc [options] HOST PORT\n"
	"       synack-nc [options] -l [ADDR] PORT | -l -p PORT\n"
	"netcat on the synack user-space stack: copies standard input to a TCP connection\n"
	"(or UDP peer) and what arrives to standard output. When standard input ends, the\n"
	"write side is shut down (the peer reads end of stream) and reading goes on until the\n"
	"peer closes; then synack-nc closes, waits for the FIN exchange and exits 0.\n"
	"\n"
	"  -l          listen for one connection (with -u: the first datagram's sender becomes\n"
	"              the peer) instead of connecting\n"
	"  -p PORT     with -l: the port to listen on; else the local port to connect from\n"
	"  -u          UDP: each read of standard input (up to 16384 bytes) is one datagram;\n"
	"              every datagram received is written to standard output\n"
	"  -N          shut down the write side when standard input ends (the default)\n"
	"  -d          do not read standard input\n"
	"  -q SECS     after standard input ends, quit SECS seconds later even if the peer\n"
	"              has not closed (default: wait for the peer; with -u: forever)\n"
	"  -W SECS     give up connecting after SECS seconds (OpenBSD nc's -w; here -w is\n"
	"              the capture file, as in every synack tool)\n"
	"  -z          only check that a TCP connection can be made, send nothing\n"
	"  -n          numeric addresses only (always so; accepted for compatibility)\n"
	"  -v          say what happens on standard error\n"
	"  --stats     at the end, one line on standard error with the connection's TCP_INFO\n"
	"              (srtt, rto, cwnd, retransmissions) and the stack's recovery counters\n"
	"              (timeouts, loss probes, fast and lost retransmissions)\n"
	"  -h, --help  this text\n"
	"\n"
	"Common options (a device and --addr are required):\n";

static const char usage_tail[] =
	"\n"
	"Exit status: 0 when both directions ended normally, 1 on an error (one line on\n"
	"standard error, e.g. \"synack-nc: connect 192.0.2.1:9: Connection refused\"), 2 on\n"
	"a usage error, 128+N after signal N (SIGINT, SIGTERM, SIGHUP: within 1 s, the capture\n"
	"completed). When the device disappears: \"synack-nc: tun0: the device is gone\", 1.\n";

struct nc_opts {
	int listen, udp, verbose, zero, nostdin, stats;
	long quit_after_s;   /* -q; -1: never */
	long conn_timeout_s; /* -W; -1: none */
	const char *lport;   /* -p */
	const char *host, *port;
};

static synack_rt *rt;
static struct nc_opts opt;
static int sock = -1;

/* ---- the end ---- */

/* Calls into the runtime from the copying threads go through this gate, so that once the end
 * has begun none starts any more: the main thread then closes the socket (which wakes any
 * call still blocked in it) and waits for the calls in flight before it stops the runtime. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_closed, gate_inflight;

static int gate_enter(void)
{
	pthread_mutex_lock(&gate_mu);
	int ok = !gate_closed;
	if (ok)
		gate_inflight++;
	pthread_mutex_unlock(&gate_mu);
	return ok ? 0 : -1;
}

static void gate_leave(void)
{
	pthread_mutex_lock(&gate_mu);
	if (--gate_inflight == 0)
		pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

static int gate_is_closed(void)
{
	pthread_mutex_lock(&gate_mu);
	int c = gate_closed;
	pthread_mutex_unlock(&gate_mu);
	return c;
}

/* What the copying threads report to the main thread. */
static pthread_mutex_t st_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t st_cv;
static int reader_done, writer_done, failed, got_signal;
static struct timespec stdin_eof_at;
static int blocking_sock = -1; /* what the main thread is blocked on while setting up */

/* One line on standard error. Once the device is gone, every error is that one: it is said
 * once ("synack-nc: tun0: the device is gone"), whichever thread fails first. */
static void errx1(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void errx1(const char *fmt, ...)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static int gone_said;
	char line[512];
	if (rt && synack_rt_status(rt, line, sizeof(line)) < 0) {
		pthread_mutex_lock(&mu);
		int said = gone_said;
		gone_said = 1;
		pthread_mutex_unlock(&mu);
		if (!said)
			fprintf(stderr, "synack-nc: %s\n", line);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "synack-nc: %s\n", line);
}

static void vsay(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vsay(const char *fmt, ...)
{
	if (!opt.verbose)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

static void report(int *flag, int fail)
{
	pthread_mutex_lock(&st_mu);
	*flag = 1;
	if (fail)
		failed = 1;
	pthread_cond_broadcast(&st_cv);
	pthread_mutex_unlock(&st_mu);
}

static void read_stats(void *ctx, synack_stack *st)
{
	synack_get_stats(st, ctx);
}

/* --stats: what the connection and the stack say about it, before it closes. */
static void print_stats(void)
{
	struct synack_tcp_info i;
	socklen_t len = sizeof(i);
	memset(&i, 0, sizeof(i));
	if (sock < 0 || synack_rt_getsockopt(rt, sock, IPPROTO_TCP, SYNACK_TCP_INFO, &i, &len) < 0)
		return;
	struct synack_stats s;
	memset(&s, 0, sizeof(s));
	synack_rt_with_stack(rt, read_stats, &s);
	fprintf(stderr,
		"synack-nc: stats srtt_us=%u rttvar_us=%u rto_us=%u snd_cwnd=%u total_retrans=%u "
		"sack_recoveries=%u dsacks=%u timeouts=%llu loss_probes=%llu fast_retransmits=%llu "
		"lost_retransmits=%llu timeouts_rxt_lost=%llu spurious_undos=%llu segs_out=%llu rxt_probes=%llu\n",
		i.srtt_us, i.rttvar_us, i.rto_us, i.snd_cwnd, i.total_retrans, i.sack_recoveries, i.dsacks,
		(unsigned long long)s.tcp_timeouts, (unsigned long long)s.tcp_loss_probes,
		(unsigned long long)s.tcp_fast_retransmits, (unsigned long long)s.tcp_lost_retransmits,
		(unsigned long long)s.tcp_timeouts_rxt_lost, (unsigned long long)s.tcp_spurious_undos,
		(unsigned long long)s.tcp_out, (unsigned long long)s.tcp_rxt_probes);
}

/* Closes the socket gracefully, lets the FIN exchange finish, stops the runtime, exits. */
static void __attribute__((noreturn)) finish(int status)
{
	if (opt.stats && !opt.udp)
		print_stats();
	pthread_mutex_lock(&gate_mu);
	gate_closed = 1;
	pthread_mutex_unlock(&gate_mu);
	if (sock >= 0)
		synack_rt_close(rt, sock); /* wakes a reader or writer blocked in it: EBADF */
	pthread_mutex_lock(&gate_mu);
	while (gate_inflight > 0)
		pthread_cond_wait(&gate_cv, &gate_mu);
	pthread_mutex_unlock(&gate_mu);
	int drain_ms = status > 128 ? SIG_DRAIN_MS : DRAIN_MS;
	if (synack_rt_drain(rt, drain_ms) < 0 && errno == ETIMEDOUT)
		vsay("the connection did not finish closing within %d ms", drain_ms);
	synack_rt_stop(rt);
	fflush(stdout);
	exit(status);
}

static void *signal_main(void *arg)
{
	sigset_t *set = arg;
	int sig;
	while (sigwait(set, &sig) != 0)
		;
	pthread_mutex_lock(&st_mu);
	got_signal = sig;
	if (blocking_sock >= 0) { /* the main thread waits in accept or connect: wake it */
		synack_rt_close(rt, blocking_sock);
		blocking_sock = -1;
	}
	pthread_cond_broadcast(&st_cv);
	pthread_mutex_unlock(&st_mu);
	return NULL;
}

static int signalled(void)
{
	pthread_mutex_lock(&st_mu);
	int s = got_signal;
	pthread_mutex_unlock(&st_mu);
	return s;
}

/* The main thread blocks on s (or stops doing so with -1); 0, or -1 if a signal came. */
static int set_blocking(int s)
{
	pthread_mutex_lock(&st_mu);
	int sig = got_signal;
	if (!sig)
		blocking_sock = s;
	pthread_mutex_unlock(&st_mu);
	return sig ? -1 : 0;
}

/* After a blocking call: 1 if the signal thread closed the socket meanwhile. */
static int unset_blocking(void)
{
	pthread_mutex_lock(&st_mu);
	int closed = blocking_sock < 0;
	blocking_sock = -1;
	pthread_mutex_unlock(&st_mu);
	return closed;
}

/* ---- the copying threads ---- */

static int write_all_fd(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The network to standard output. */
static void *reader_main(void *arg)
{
	size_t size = opt.udp ? DGRAM_MAX : STREAM_CHUNK;
	char *buf = malloc(size);
	int fail = 0;
	if (!buf) {
		errx1("out of memory");
		report(&reader_done, 1);
		return NULL;
	}
	for (;;) {
		if (gate_enter() < 0)
			break;
		ssize_t n = synack_rt_recv(rt, sock, buf, size, 0);
		int e = errno;
		gate_leave();
		if (n == 0 && !opt.udp) {
			vsay("end of stream from the peer");
			break;
		}
		if (n < 0) {
			if (e == EINTR)
				continue;
			if (!gate_is_closed()) {
				errx1("read: %s", strerror(e));
				fail = 1;
			}
			break;
		}
		if (write_all_fd(STDOUT_FILENO, buf, (size_t)n) < 0) {
			errx1("write to standard output: %s", strerror(errno));
			fail = 1;
			break;
		}
	}
	free(buf);
	report(&reader_done, fail);
	return NULL;
}

/* Standard input to the network; at its end, the write side is shut down. */
static void *writer_main(void *arg)
{
	size_t chunk = opt.udp ? BUFSZ : STREAM_CHUNK;
	char *buf = malloc(chunk);
	int fail = 0;
	if (!buf) {
		errx1("out of memory");
		report(&writer_done, 1);
		return NULL;
	}
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errx1("read standard input: %s", strerror(errno));
			fail = 1;
			break;
		}
		if (n == 0) {
			clock_gettime(CLOCK_MONOTONIC, &stdin_eof_at);
			if (!opt.udp && gate_enter() == 0) {
				if (synack_rt_shutdown(rt, sock, SHUT_WR) < 0 && !gate_is_closed()) {
					errx1("shutdown: %s", strerror(errno));
					fail = 1;
				} else {
					vsay("end of standard input: write side shut down");
				}
				gate_leave();
			}
			break;
		}
		size_t off = 0;
		while (off < (size_t)n) {
			if (gate_enter() < 0)
				goto out;
			ssize_t w = opt.udp ? synack_rt_send(rt, sock, buf, (size_t)n, 0)
					    : synack_rt_write(rt, sock, buf + off, (size_t)n - off);
			int e = errno;
			gate_leave();
			if (w < 0) {
				if (e == EINTR)
					continue;
				if (!gate_is_closed()) {
					errx1("write: %s", strerror(e));
					fail = 1;
				}
				goto out;
			}
			off = opt.udp ? (size_t)n : off + (size_t)w;
		}
	}
out:
	free(buf);
	report(&writer_done, fail);
	return NULL;
}

/* ---- setting up ---- */

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int parse_secs(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1 || v > 86400 * 365)
		return -1;
	*out = v;
	return 0;
}

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *a)
{
	fprintf(stderr, "synack-nc: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (try --help)\n");
	exit(2);
}

/* A socket address of either family. */
union sa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t sa_len(const union sa *a)
{
	return a->sa.sa_family == AF_INET6 ? (socklen_t)sizeof(a->in6) : (socklen_t)sizeof(a->in);
}

static uint16_t sa_port(const union sa *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port);
}

static void sa_set_port(union sa *a, uint16_t port)
{
	if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons(port);
	else
		a->in.sin_port = htons(port);
}

/* text (IPv4 or IPv6) into a of that family: 0, or -1 when it is neither. */
static int sa_parse(const char *text, union sa *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* The address as nc prints it; an IPv4-mapped IPv6 one (an IPv4 peer of a dual-stack
 * socket) as the IPv4 address it is. */
static const char *fmt_addr(const union sa *a, char *buf, size_t len)
{
	if (a->sa.sa_family == AF_INET6) {
		const uint8_t *b = a->in6.sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
		if (memcmp(b, mapped, 12) == 0)
			return inet_ntop(AF_INET, b + 12, buf, (socklen_t)len);
		return inet_ntop(AF_INET6, b, buf, (socklen_t)len);
	}
	return inet_ntop(AF_INET, &a->in.sin_addr, buf, (socklen_t)len);
}

/* The tool's own options (after the common ones are gone): OpenBSD-style single letters
 * that may be grouped (-lvu) and take their value attached or as the next word. */
static void parse_own(int argc, char **argv)
{
	const char *pos[3];
	int npos = 0, only_pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == 0) {
			if (npos == 3)
				usage_error("too many arguments: '%s'", a);
			pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "--stats")) {
			opt.stats = 1;
			continue;
		}
		if (a[1] == '-')
			usage_error("unknown option '%s'", a);
		for (const char *c = a + 1; *c; c++) {
			const char *val = NULL;
			if (strchr("pqW", *c)) {
				if (c[1]) {
					val = c + 1;
				} else if (i + 1 < argc) {
					val = argv[++i];
				} else {
					char o[3] = {'-', *c, 0};
					usage_error("%s: missing value", o);
				}
			}
			switch (*c) {
			case 'l': opt.listen = 1; break;
			case 'u': opt.udp = 1; break;
			case 'N': break;
			case 'n': break;
			case 'd': opt.nostdin = 1; break;
			case 'v': opt.verbose = 1; break;
			case 'z': opt.zero = 1; break;
			case 'p': opt.lport = val; break;
			case 'q':
				if (parse_secs(val, &opt.quit_after_s) < 0)
					usage_error("-q: expected a number of seconds, not '%s'", val);
				break;
			case 'W':
				if (parse_secs(val, &opt.conn_timeout_s) < 0 || opt.conn_timeout_s < 1)
					usage_error("-W: expected a number of seconds, not '%s'", val);
				break;
			default: {
				char o[3] = {'-', *c, 0};
				usage_error("unknown option '%s'", o);
			}
			}
			if (val)
				break;
		}
	}
	if (opt.listen) {
		if (npos == 0 && opt.lport) {
			opt.port = opt.lport;
		} else if (npos == 1) {
			opt.port = pos[0];
		} else if (npos == 2) {
			opt.host = pos[0];
			opt.port = pos[1];
		} else {
			usage_error("%s", npos ? "-l: expected [ADDR] PORT" : "-l: expected a port");
		}
		if (opt.zero)
			usage_error("%s", "-z and -l do not go together");
	} else {
		if (npos != 2)
			usage_error("%s", "expected HOST PORT");
		opt.host = pos[0];
		opt.port = pos[1];
	}
	if (opt.zero && opt.udp)
		usage_error("%s", "-z checks TCP connections only");
}

/* A blocking connect, or one that gives up after -W seconds. */
static int do_connect(const union sa *to)
{
	if (opt.conn_timeout_s < 0)
		return synack_rt_connect(rt, sock, &to->sa, sa_len(to));
	if (synack_rt_set_nonblock(rt, sock, 1) < 0)
		return -1;
	int r = synack_rt_connect(rt, sock, &to->sa, sa_len(to));
	if (r < 0 && errno == EINPROGRESS) {
		struct pollfd p = {.fd = sock, .events = POLLOUT};
		r = synack_rt_poll(rt, &p, 1, (int)(opt.conn_timeout_s * 1000));
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r > 0) {
			int err = 0;
			socklen_t len = sizeof(err);
			r = synack_rt_getsockopt(rt, sock, SOL_SOCKET, SO_ERROR, &err, &len);
			if (r == 0 && err) {
				errno = err;
				r = -1;
			}
		}
	}
	if (r < 0)
		return -1;
	return synack_rt_set_nonblock(rt, sock, 0);
}

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	opt.quit_after_s = -1;
	opt.conn_timeout_s = -1;
	struct synack_rt_opts ro;
	synack_rt_tool_opts(&ro, &argc, argv, "synack-nc", usage_head, usage_tail);
	char why[256];
	parse_own(argc, argv);

	/* The family is the address's; a listener without one is dual-stack (IPv6 with
	 * IPv4-mapped peers) when synack has an IPv6 address, else IPv4. */
	union sa remote, local;
	memset(&remote, 0, sizeof(remote));
	memset(&local, 0, sizeof(local));
	local.sa.sa_family = ro.addr.family == SYNACK_AF_INET6 ? AF_INET6 : AF_INET;
	uint16_t port;
	if (parse_port(opt.port, &port) < 0 || port == 0)
		usage_error("bad port '%s': expected a number from 1 to 65535", opt.port);
	if (opt.listen) {
		if (opt.host && sa_parse(opt.host, &local) < 0)
			usage_error("bad address '%s' (an IPv4 or IPv6 address expected)", opt.host);
		sa_set_port(&local, port);
	} else {
		if (sa_parse(opt.host, &remote) < 0)
			usage_error("bad address '%s' (an IPv4 or IPv6 address expected)", opt.host);
		sa_set_port(&remote, port);
		local.sa.sa_family = remote.sa.sa_family;
		if (opt.lport) {
			uint16_t lp;
			if (parse_port(opt.lport, &lp) < 0)
				usage_error("-p: bad port '%s'", opt.lport);
			sa_set_port(&local, lp);
		}
	}

	/* Signals are taken by a thread of their own (every thread, the runtime's loop included,
	 * inherits the mask), so an interrupted run still closes and flushes its capture. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st_cv, &ca);

	rt = synack_rt_start(&ro, why, sizeof(why));
	if (!rt) {
		errx1("%s", why);
		return 1;
	}
	pthread_t sig_thread;
	if (pthread_create(&sig_thread, NULL, signal_main, &sigs) != 0) {
		errx1("cannot start a thread");
		finish(1);
	}

	char abuf[INET6_ADDRSTRLEN];
	const char *proto = opt.udp ? "udp" : "tcp";
	sock = synack_rt_socket(rt, local.sa.sa_family, opt.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (sock < 0) {
		errx1("socket: %s", strerror(errno));
		finish(1);
	}
	if (opt.listen) {
		int one = 1;
		synack_rt_setsockopt(rt, sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (synack_rt_bind(rt, sock, &local.sa, sa_len(&local)) < 0) {
			errx1("bind %s:%u: %s", fmt_addr(&local, abuf, sizeof(abuf)), port, strerror(errno));
			finish(1);
		}
		if (!opt.udp && synack_rt_listen(rt, sock, 1) < 0) {
			errx1("listen: %s", strerror(errno));
			finish(1);
		}
		vsay("Listening on %s %u (%s)", fmt_addr(&local, abuf, sizeof(abuf)), port, proto);
		union sa peer;
		socklen_t plen = sizeof(peer);
		int lsock = sock;
		if (set_blocking(lsock) < 0)
			finish(128 + signalled());
		if (opt.udp) {
			/* The first datagram names the peer; it is output like the ones after it. */
			char *first = malloc(DGRAM_MAX);
			ssize_t n = first ? synack_rt_recvfrom(rt, sock, first, DGRAM_MAX, 0,
							       &peer.sa, &plen)
					  : -1;
			int e = errno;
			if (unset_blocking()) {
				free(first);
				sock = -1;
				finish(128 + signalled());
			}
			if (n < 0) {
				free(first);
				errx1("recvfrom: %s", strerror(e));
				finish(1);
			}
			if (synack_rt_connect(rt, sock, &peer.sa, plen) < 0) {
				free(first);
				errx1("connect %s:%u: %s", fmt_addr(&peer, abuf, sizeof(abuf)),
				      sa_port(&peer), strerror(errno));
				finish(1);
			}
			vsay("Connection received on %s %u", fmt_addr(&peer, abuf, sizeof(abuf)),
			     sa_port(&peer));
			if (write_all_fd(STDOUT_FILENO, first, (size_t)n) < 0) {
				free(first);
				errx1("write to standard output: %s", strerror(errno));
				finish(1);
			}
			free(first);
		} else {
			int c = synack_rt_accept(rt, lsock, &peer.sa, &plen);
			int e = errno;
			if (unset_blocking()) {
				if (c >= 0)
					synack_rt_close(rt, c);
				sock = -1;
				finish(128 + signalled());
			}
			if (c < 0) {
				errx1("accept: %s", strerror(e));
				finish(1);
			}
			synack_rt_close(rt, lsock); /* one connection: later SYNs are refused */
			sock = c;
			vsay("Connection received on %s %u", fmt_addr(&peer, abuf, sizeof(abuf)),
			     sa_port(&peer));
		}
	} else {
		if (sa_port(&local) &&
		    synack_rt_bind(rt, sock, &local.sa, sa_len(&local)) < 0) {
			errx1("bind port %u: %s", sa_port(&local), strerror(errno));
			finish(1);
		}
		if (set_blocking(sock) < 0)
			finish(128 + signalled());
		int r = opt.udp ? synack_rt_connect(rt, sock, &remote.sa, sa_len(&remote))
				: do_connect(&remote);
		int e = errno;
		if (unset_blocking()) {
			sock = -1;
			finish(128 + signalled());
		}
		if (r < 0) {
			errx1("connect %s:%u: %s", fmt_addr(&remote, abuf, sizeof(abuf)), port, strerror(e));
			finish(1);
		}
		vsay("Connection to %s %u port [%s/*] succeeded!", fmt_addr(&remote, abuf, sizeof(abuf)),
		     port, proto);
		if (opt.zero)
			finish(0);
	}

	pthread_t reader, writer;
	if (pthread_create(&reader, NULL, reader_main, NULL) != 0) {
		errx1("cannot start a thread");
		finish(1);
	}
	pthread_detach(reader);
	if (opt.nostdin) {
		clock_gettime(CLOCK_MONOTONIC, &stdin_eof_at);
		/* nothing will be sent: the write side stays open, as OpenBSD nc -d leaves it */
	} else if (pthread_create(&writer, NULL, writer_main, NULL) != 0) {
		errx1("cannot start a thread");
		finish(1);
	} else {
		pthread_detach(writer);
	}

	/* Wait for the end: both directions done, an error, a signal, or -q after input ended. */
	int status = 0;
	pthread_mutex_lock(&st_mu);
	for (;;) {
		if (got_signal) {
			status = 128 + got_signal;
			break;
		}
		if (failed) {
			status = 1;
			break;
		}
		int in_done = writer_done || opt.nostdin;
		if (reader_done && in_done)
			break;
		/* The device may go while no thread waits in the runtime (the peer done, standard
		 * input still open): asked every CHECK_MS. */
		if (synack_rt_status(rt, NULL, 0) < 0) {
			errx1("device gone");
			status = 1;
			break;
		}
		double left = (double)CHECK_MS / 1000;
		if (in_done && opt.quit_after_s >= 0) {
			double q = (double)opt.quit_after_s - since(&stdin_eof_at);
			if (q <= 0)
				break;
			if (q < left)
				left = q;
		}
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)left;
		until.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&st_cv, &st_mu, &until);
	}
	pthread_mutex_unlock(&st_mu);
	finish(status);
}
