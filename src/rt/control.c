/* The control socket: a Unix stream socket in the run directory. Whoever connects reads a
 * text dump of the runtime's sockets (docs/control.md) and the end of the stream; synack-ss
 * reads it. The loop thread serves it: the dump is collected under the lock, formatted and
 * written after, and a client that does not read is written to as it drains, never waited
 * for. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "link/ethif.h"
#include "rt/rt_int.h"
#include "wire/ipv4.h"

#define MAX_CLIENTS   32
#define CLIENT_TTL_US 5000000u /* a client that has not read its dump by then is dropped */

struct rt_client {
	int fd;
	char *buf;
	size_t len, off;
	uint64_t since;
};

static void say(char *why, size_t whylen, const char *what, const char *path, int e)
{
	if (why && whylen)
		snprintf(why, whylen, "control socket: %s %s: %s (--no-control runs without)", what, path,
			 strerror(e));
}

/* The run directory: made 0700 if missing; an existing one must be a directory of ours that
 * no one else can write to. */
static int run_dir_ready(const char *dir, char *why, size_t whylen)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		say(why, whylen, "mkdir", dir, errno);
		return -1;
	}
	struct stat sb;
	if (lstat(dir, &sb) < 0) {
		say(why, whylen, "stat", dir, errno);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		say(why, whylen, "not a directory:", dir, ENOTDIR);
		return -1;
	}
	if (sb.st_uid != getuid() || (sb.st_mode & 022)) {
		say(why, whylen, "not ours alone (owner or mode):", dir, EPERM);
		return -1;
	}
	return 0;
}

/* Whether a listener answers at path (a live runtime), else the socket is stale. */
static int alive(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1; /* cannot tell: leave it alone */
	int r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	int e = errno;
	close(fd);
	return r == 0 || (e != ECONNREFUSED && e != ENOENT);
}

int sk_rt_control_open(synack_rt *rt, char *why, size_t whylen)
{
	char dir[sizeof(rt->ctl_path)];
	synack_rt_run_dir(dir, sizeof(dir));
	if (run_dir_ready(dir, why, whylen) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		say(why, whylen, "socket in", dir, errno);
		return -1;
	}
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	/* <pid>.sock; a second runtime in the same process takes <pid>.1.sock, and so on. */
	for (int n = 0;; n++) {
		int w = n ? snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%ld.%d.sock", dir, (long)getpid(), n)
			  : snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%ld.sock", dir, (long)getpid());
		if (w < 0 || (size_t)w >= sizeof(sun.sun_path)) {
			say(why, whylen, "path too long:", dir, ENAMETOOLONG);
			close(fd);
			return -1;
		}
		int r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
		int e = errno;
		if (r == 0) {
			chmod(sun.sun_path, 0600); /* the directory (0700, ours) already keeps others out */
			break;
		}
		if (e == EADDRINUSE && !alive(&sun) && unlink(sun.sun_path) == 0) {
			n--; /* a stale one of an earlier process with our pid: take its place */
			continue;
		}
		if (e != EADDRINUSE || n >= 1000) {
			say(why, whylen, "bind", sun.sun_path, e);
			close(fd);
			return -1;
		}
	}
	if (listen(fd, 16) < 0) {
		say(why, whylen, "listen", sun.sun_path, errno);
		unlink(sun.sun_path);
		close(fd);
		return -1;
	}
	rt->ctl_fd = fd;
	snprintf(rt->ctl_path, sizeof(rt->ctl_path), "%s", sun.sun_path);
	return 0;
}

static void client_drop(synack_rt *rt, int i)
{
	close(rt->clients[i].fd);
	free(rt->clients[i].buf);
	rt->clients[i] = rt->clients[--rt->nclients];
}

void sk_rt_control_close(synack_rt *rt)
{
	while (rt->nclients > 0)
		client_drop(rt, rt->nclients - 1);
	free(rt->clients);
	rt->clients = NULL;
	if (rt->ctl_fd >= 0) {
		close(rt->ctl_fd);
		unlink(rt->ctl_path);
		rt->ctl_fd = -1;
	}
	rt->ctl_path[0] = 0;
}

int sk_rt_control_pollfds(synack_rt *rt, struct pollfd *pfd, int max)
{
	if (rt->ctl_fd < 0 || max < 1)
		return 0;
	int n = 0;
	pfd[n++] = (struct pollfd){.fd = rt->nclients < MAX_CLIENTS ? rt->ctl_fd : -1, .events = POLLIN};
	for (int i = 0; i < rt->nclients && n < max; i++)
		pfd[n++] = (struct pollfd){.fd = rt->clients[i].fd, .events = POLLOUT};
	return n;
}

/* Writes what the client can take: 1 when done (or failed: drop it), 0 to come back. */
static int client_write(struct rt_client *c)
{
	while (c->off < c->len) {
		ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : 1;
		c->off += (size_t)n;
	}
	return 1;
}

void sk_rt_control_handle(synack_rt *rt, const struct pollfd *pfd, int n)
{
	if (rt->ctl_fd < 0 || n < 1)
		return;
	uint64_t now = sk_rt_now_us();
	/* Clients already writing, in the order their pollfds were laid out; from the end, so
	 * that dropping one (the last moves into its place) leaves the rest in step. */
	int had = n - 1 < rt->nclients ? n - 1 : rt->nclients;
	for (int i = had - 1; i >= 0; i--) {
		struct rt_client *c = &rt->clients[i];
		int done = 0;
		if (pfd[1 + i].revents)
			done = client_write(c);
		if (done || now - c->since > CLIENT_TTL_US)
			client_drop(rt, i);
	}
	if (!(pfd[0].revents & POLLIN))
		return;
	while (rt->nclients < MAX_CLIENTS) {
		int fd = accept4(rt->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct rt_client c = {.fd = fd, .since = now};
		c.buf = sk_rt_control_dump(rt, &c.len);
		if (!c.buf || client_write(&c)) {
			close(fd);
			free(c.buf);
			continue;
		}
		if (!rt->clients) {
			rt->clients = calloc(MAX_CLIENTS, sizeof(*rt->clients));
			if (!rt->clients) {
				close(fd);
				free(c.buf);
				return;
			}
		}
		rt->clients[rt->nclients++] = c;
	}
}

/* ---- the dump ---- */

struct entry {
	struct synack_sock_entry e;
	struct synack_tcp_info info;
	int has_info;
	char cc[16];
	char relay[128]; /* the describer's, or empty */
};

struct collect {
	struct entry *v;
	size_t n, cap;
	int oom;
};

static void collect_one(void *ctx, const struct synack_sock_entry *e)
{
	struct collect *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct entry *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->oom = 1;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	struct entry *x = &c->v[c->n++];
	memset(x, 0, sizeof(*x));
	x->e = *e;
	x->e.info = NULL;
	if (e->info) {
		x->info = *e->info;
		x->has_info = 1;
	}
}

static const char *proto_name(int type)
{
	return type == SYNACK_SOCK_DGRAM ? "udp" : "tcp";
}

static void put_addr(FILE *f, const char *key, const struct synack_sockaddr *a)
{
	char b[SYNACK_IP_STRLEN];
	const char *ip = synack_ip_format(&a->ip, b, sizeof(b));
	fprintf(f, "\t%s=%s:%u", key, ip ? ip : "0.0.0.0", a->port);
}

static void put_entry(FILE *f, const struct entry *x, uint64_t now)
{
	const struct synack_sock_entry *e = &x->e;
	fprintf(f, "proto=%s\tstate=%s\tsock=%d\trecvq=%" PRIu32 "\tsendq=%" PRIu32, proto_name(e->type),
		synack_state_name(e->state), e->sock, e->recv_q, e->send_q);
	put_addr(f, "local", &e->local);
	put_addr(f, "peer", &e->remote);
	if (e->timer) {
		uint64_t left = e->timer_at > now ? (e->timer_at - now + 999) / 1000 : 0;
		fprintf(f, "\ttimer=%s\ttimer_ms_left=%" PRIu64, e->timer, left);
	} else {
		fprintf(f, "\ttimer=off\ttimer_ms_left=0");
	}
	fprintf(f, "\tretrans=%" PRIu32, e->retrans);
	if (x->has_info) {
		const struct synack_tcp_info *i = &x->info;
		fprintf(f,
			"\trto_us=%" PRIu32 "\trtt_us=%" PRIu32 "\trttvar_us=%" PRIu32 "\tmss=%" PRIu32
			"\trcv_mss=%" PRIu32 "\tcwnd=%" PRIu32 "\tssthresh=%" PRIu32 "\tbytes_in_flight=%" PRIu32
			"\tretransmits=%" PRIu32 "\ttotal_retrans=%" PRIu32 "\tbackoff=%" PRIu32
			"\tsnd_wnd=%" PRIu32 "\trcv_wnd=%" PRIu32 "\tsnd_wscale=%u\trcv_wscale=%u\trcvbuf=%" PRIu32
			"\tsack_recoveries=%" PRIu32 "\tdsacks=%" PRIu32 "\tmem=%" PRIu32,
			i->rto_us, i->srtt_us, i->rttvar_us, i->snd_mss, i->rcv_mss, i->snd_cwnd, i->snd_ssthresh,
			i->bytes_in_flight, i->retransmits, i->total_retrans, i->backoff, i->snd_wnd, i->rcv_wnd,
			i->snd_wscale, i->rcv_wscale, i->rcvbuf, i->sack_recoveries, i->dsacks, i->mem_bytes);
		fprintf(f, "\toptions=");
		const char *sep = "";
		if (i->options & 1) {
			fprintf(f, "%sts", sep);
			sep = ",";
		}
		if (i->options & 2) {
			fprintf(f, "%ssack", sep);
			sep = ",";
		}
		if (i->options & 4) {
			fprintf(f, "%swscale", sep);
			sep = ",";
		}
		if (!*sep)
			fprintf(f, "-");
		if (x->cc[0])
			fprintf(f, "\tcc=%s", x->cc);
	}
	if (x->relay[0])
		fprintf(f, "\trelay=%s", x->relay);
	fputc('\n', f);
}

void sk_rt_set_describer(synack_rt *rt, int (*fn)(void *ctx, int sock, char *buf, size_t len), void *ctx)
{
	pthread_mutex_lock(&rt->mu);
	rt->describe = fn;
	rt->describe_ctx = ctx;
	pthread_mutex_unlock(&rt->mu);
}

char *sk_rt_control_dump(synack_rt *rt, size_t *len)
{
	struct collect c = {0};
	struct synack_stats stats;
	struct sk_ethif_stats es;
	pthread_mutex_lock(&rt->mu);
	uint64_t now = sk_rt_now_us();
	synack_sock_foreach(rt->st, collect_one, &c);
	for (size_t i = 0; i < c.n; i++) {
		struct entry *x = &c.v[i];
		if (x->has_info && x->e.sock >= 0) {
			size_t l = sizeof(x->cc);
			if (synack_getsockopt(rt->st, x->e.sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_CONGESTION, x->cc, &l) < 0)
				x->cc[0] = 0;
			x->cc[sizeof(x->cc) - 1] = 0;
		}
		if (rt->describe && x->e.sock >= 0 &&
		    rt->describe(rt->describe_ctx, x->e.sock, x->relay, sizeof(x->relay)) != 1)
			x->relay[0] = 0;
	}
	synack_get_stats(rt->st, &stats);
	if (rt->eth)
		sk_ethif_get_stats(rt->eth, &es);
	uint64_t rx = rt->dev_rx, tx = rt->dev_tx, rxe = rt->dev_rx_errors, txe = rt->dev_tx_errors;
	int last = rt->last_dev_error;
	int gone = rt->dev_gone;
	uint32_t waiters = rt->nwaiters;
	char dev[sizeof(rt->raw->name)];
	memcpy(dev, rt->raw->name, sizeof(dev));
	pthread_mutex_unlock(&rt->mu);

	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f) {
		free(c.v);
		return NULL;
	}
	fprintf(f, "synack %ld %s\n", (long)getpid(), rt->prog);
	fprintf(f,
		"runtime\tdev=%s\tlink=%s\tdev_state=%s\tdev_rx=%" PRIu64 "\tdev_tx=%" PRIu64 "\tdev_rx_errors=%" PRIu64
		"\tdev_tx_errors=%" PRIu64 "\tlast_dev_error=%s\twaiters=%" PRIu32 "\tsockets=%" PRIu64
		"\tconns=%" PRIu64 "\ttcp_rexmit=%" PRIu64 "\tip_in=%" PRIu64 "\tip_out=%" PRIu64,
		dev, rt->eth ? "ethernet" : "raw", gone ? "gone" : "ok", rx, tx, rxe, txe, last && strerrorname_np(last) ? strerrorname_np(last) : "-", waiters,
		stats.sockets, stats.conns, stats.tcp_rexmit, stats.ip_in, stats.ip_out);
	if (rt->eth)
		fprintf(f, "\tmac=%02x:%02x:%02x:%02x:%02x:%02x\tarp_req_out=%" PRIu64 "\tarp_reply_in=%" PRIu64,
			rt->mac[0], rt->mac[1], rt->mac[2], rt->mac[3], rt->mac[4], rt->mac[5], es.arp_req_out,
			es.arp_reply_in);
	fputc('\n', f);
	for (size_t i = 0; i < c.n; i++)
		put_entry(f, &c.v[i], now);
	if (c.oom)
		fprintf(f, "truncated\tlisting ran out of memory\n");
	fclose(f);
	free(c.v);
	*len = size;
	return text;
}
