/* synack-ss: the sockets of every running synack process, listed like Linux's ss. Reads
 * each control socket in the run directory (docs/control.md); stale ones, whose process is
 * gone, are removed on the way. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <synack/rt.h>

static const char usage[] =
	"usage: synack-ss [-tulaiopn] [--help]\n"
	"Lists the sockets of every running synack process (the programs on the synack runtime),\n"
	"read from the control sockets in $SYNACK_RUN_DIR (default /tmp/synack-UID).\n"
	"\n"
	"  -t, --tcp         TCP sockets only\n"
	"  -u, --udp         UDP sockets only\n"
	"  -l, --listening   listening sockets only (TCP LISTEN, unconnected UDP)\n"
	"  -a, --all         all sockets (default: neither listening, TIME-WAIT nor SYN-RECV)\n"
	"  -i, --info        TCP internals: RTO, RTT, MSS, congestion window, retransmissions...\n"
	"  -o, --options     timers: timer:(NAME,TIME_LEFT,RETRANSMISSIONS)\n"
	"  -p, --processes   the process holding each socket: users:((\"NAME\",pid=PID,sock=N))\n"
	"  -n, --numeric     accepted; output is always numeric\n"
	"  -h, --help        this text\n";

enum { ST_UNKNOWN, ST_ESTAB, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1, ST_FIN_WAIT2, ST_TIME_WAIT,
       ST_UNCONN, ST_CLOSE_WAIT, ST_LAST_ACK, ST_LISTEN, ST_CLOSING };

static const struct {
	const char *rfc, *ss;
	int code;
} states[] = {
	{"ESTABLISHED", "ESTAB", ST_ESTAB},	     {"SYN-SENT", "SYN-SENT", ST_SYN_SENT},
	{"SYN-RCVD", "SYN-RECV", ST_SYN_RECV},	     {"FIN-WAIT-1", "FIN-WAIT-1", ST_FIN_WAIT1},
	{"FIN-WAIT-2", "FIN-WAIT-2", ST_FIN_WAIT2},  {"TIME-WAIT", "TIME-WAIT", ST_TIME_WAIT},
	{"CLOSED", "UNCONN", ST_UNCONN},	     {"CLOSE-WAIT", "CLOSE-WAIT", ST_CLOSE_WAIT},
	{"LAST-ACK", "LAST-ACK", ST_LAST_ACK},	     {"LISTEN", "LISTEN", ST_LISTEN},
	{"CLOSING", "CLOSING", ST_CLOSING},
};

struct row {
	char netid[4];
	const char *state;
	int code;
	unsigned long recvq, sendq;
	char laddr[64], lport[8], raddr[64], rport[8];
	char proc[128];
	char timer[64];
	char relay[160]; /* a relayed flow's other end: "relay:(LOCAL->REMOTE)" */
	char *info; /* the -i line, malloc'd */
};

struct rows {
	struct row *v;
	size_t n, cap;
};

struct opts {
	int tcp, udp, listening, all, info, timers, processes;
};

/* ---- reading a dump ---- */

static const char *field(char **keys, char **vals, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return vals[i];
	return NULL;
}

static unsigned long num(char **keys, char **vals, int n, const char *key)
{
	const char *v = field(keys, vals, n, key);
	return v ? strtoul(v, NULL, 10) : 0;
}

/* "ADDRESS:PORT" into address and port, port 0 as "*"; an IPv6 address in brackets, as ss
 * writes it ("[2001:db8::1]", "[::ffff:192.0.2.1]"). */
static void split_addr(const char *v, char *addr, size_t alen, char *port, size_t plen)
{
	const char *colon = v ? strrchr(v, ':') : NULL;
	if (!colon) {
		snprintf(addr, alen, "%s", v ? v : "?");
		snprintf(port, plen, "*");
		return;
	}
	int v6 = memchr(v, ':', (size_t)(colon - v)) != NULL;
	snprintf(addr, alen, v6 ? "[%.*s]" : "%.*s", (int)(colon - v), v);
	snprintf(port, plen, "%s", strcmp(colon + 1, "0") == 0 ? "*" : colon + 1);
}

/* ss's print_ms_timer. */
static void ms_timer(char *buf, size_t len, unsigned long timeout)
{
	unsigned long secs = timeout / 1000, minutes = secs / 60, msecs = timeout % 1000;
	secs %= 60;
	size_t o = 0;
	buf[0] = 0;
	if (minutes) {
		msecs = 0;
		o += (size_t)snprintf(buf + o, len - o, "%lumin", minutes);
		if (minutes > 9)
			secs = 0;
	}
	if (secs && o < len) {
		if (secs > 9)
			msecs = 0;
		o += (size_t)snprintf(buf + o, len - o, "%lu%s", secs, msecs ? "." : "sec");
	}
	if (msecs && o < len)
		snprintf(buf + o, len - o, "%03lums", msecs);
}

static void bw(char *buf, size_t len, double b)
{
	if (b > 1e9)
		snprintf(buf, len, "%.1fG", b / 1e9);
	else if (b > 1e6)
		snprintf(buf, len, "%.1fM", b / 1e6);
	else if (b > 1e3)
		snprintf(buf, len, "%.1fK", b / 1e3);
	else
		snprintf(buf, len, "%g", b);
}

/* The -i line, in ss's order and words. */
static char *info_line(char **k, char **v, int n)
{
	if (!field(k, v, n, "rto_us"))
		return NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	const char *opt = field(k, v, n, "options");
	if (opt && strstr(opt, "ts"))
		fprintf(f, " ts");
	if (opt && strstr(opt, "sack"))
		fprintf(f, " sack");
	const char *cc = field(k, v, n, "cc");
	if (cc)
		fprintf(f, " %s", cc);
	if (opt && strstr(opt, "wscale"))
		fprintf(f, " wscale:%lu,%lu", num(k, v, n, "snd_wscale"), num(k, v, n, "rcv_wscale"));
	unsigned long mss = num(k, v, n, "mss");
	double rtt = (double)num(k, v, n, "rtt_us");
	fprintf(f, " rto:%g", (double)num(k, v, n, "rto_us") / 1000);
	if (num(k, v, n, "backoff"))
		fprintf(f, " backoff:%lu", num(k, v, n, "backoff"));
	fprintf(f, " rtt:%g/%g", rtt / 1000, (double)num(k, v, n, "rttvar_us") / 1000);
	fprintf(f, " mss:%lu rcvmss:%lu", mss, num(k, v, n, "rcv_mss"));
	unsigned long cwnd = num(k, v, n, "cwnd"), ssthresh = num(k, v, n, "ssthresh");
	unsigned long cwnd_seg = mss ? cwnd / mss : 0;
	fprintf(f, " cwnd:%lu", cwnd_seg);
	if (mss && ssthresh / mss < 0xFFFF)
		fprintf(f, " ssthresh:%lu", ssthresh / mss);
	fprintf(f, " bytes_in_flight:%lu", num(k, v, n, "bytes_in_flight"));
	if (rtt > 0 && mss && cwnd_seg) {
		char b[32];
		bw(b, sizeof(b), (double)cwnd * 8e6 / rtt);
		fprintf(f, " send %sbps", b);
	}
	fprintf(f, " retrans:%lu/%lu", num(k, v, n, "retransmits"), num(k, v, n, "total_retrans"));
	if (num(k, v, n, "sack_recoveries") || num(k, v, n, "dsacks"))
		fprintf(f, " sack_recoveries:%lu dsacks:%lu", num(k, v, n, "sack_recoveries"), num(k, v, n, "dsacks"));
	fprintf(f, " snd_wnd:%lu rcv_wnd:%lu rcvbuf:%lu", num(k, v, n, "snd_wnd"), num(k, v, n, "rcv_wnd"),
		num(k, v, n, "rcvbuf"));
	fclose(f);
	return text;
}

static int add_row(struct rows *rs, const struct row *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 32;
		struct row *v = realloc(rs->v, cap * sizeof(*v));
		if (!v)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

static int wanted(const struct opts *o, const char *proto, int code)
{
	int is_tcp = strcmp(proto, "tcp") == 0;
	if ((o->tcp || o->udp) && !(is_tcp ? o->tcp : o->udp))
		return 0;
	int listening = code == ST_LISTEN || code == ST_UNCONN;
	if (o->all)
		return 1;
	if (o->listening)
		return listening;
	return !listening && code != ST_TIME_WAIT && code != ST_SYN_RECV;
}

static void parse_dump(char *text, const struct opts *o, struct rows *rs)
{
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);
	if (!line || strncmp(line, "synack ", 7) != 0)
		return;
	long pid = strtol(line + 7, NULL, 10);
	const char *prog = strchr(line + 7, ' ');
	prog = prog ? prog + 1 : "?";
	char progname[64];
	snprintf(progname, sizeof(progname), "%s", prog);
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (strncmp(line, "proto=", 6) != 0)
			continue; /* the runtime's counters, or records of a newer format */
		char *keys[64], *vals[64];
		int n = 0;
		char *s2 = NULL;
		for (char *f = strtok_r(line, "\t", &s2); f && n < 64; f = strtok_r(NULL, "\t", &s2)) {
			char *eq = strchr(f, '=');
			if (!eq)
				continue;
			*eq = 0;
			keys[n] = f;
			vals[n++] = eq + 1;
		}
		const char *proto = field(keys, vals, n, "proto");
		const char *state = field(keys, vals, n, "state");
		if (!proto || !state)
			continue;
		struct row r;
		memset(&r, 0, sizeof(r));
		r.state = "UNKNOWN";
		for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (strcmp(states[i].rfc, state) == 0) {
				r.state = states[i].ss;
				r.code = states[i].code;
			}
		if (!wanted(o, proto, r.code))
			continue;
		snprintf(r.netid, sizeof(r.netid), "%s", proto);
		r.recvq = num(keys, vals, n, "recvq");
		r.sendq = num(keys, vals, n, "sendq");
		split_addr(field(keys, vals, n, "local"), r.laddr, sizeof(r.laddr), r.lport, sizeof(r.lport));
		split_addr(field(keys, vals, n, "peer"), r.raddr, sizeof(r.raddr), r.rport, sizeof(r.rport));
		long sock = strtol(field(keys, vals, n, "sock") ? field(keys, vals, n, "sock") : "-1", NULL, 10);
		if (sock >= 0 && o->processes)
			snprintf(r.proc, sizeof(r.proc), "users:((\"%s\",pid=%ld,sock=%ld))", progname, pid, sock);
		const char *timer = field(keys, vals, n, "timer");
		if (o->timers && timer && strcmp(timer, "off") != 0) {
			char t[32];
			ms_timer(t, sizeof(t), num(keys, vals, n, "timer_ms_left"));
			snprintf(r.timer, sizeof(r.timer), "timer:(%s,%s,%lu)", timer, t, num(keys, vals, n, "retrans"));
		}
		const char *relay = field(keys, vals, n, "relay");
		if (relay)
			snprintf(r.relay, sizeof(r.relay), "relay:(%s)", relay);
		if (o->info && strcmp(proto, "tcp") == 0)
			r.info = info_line(keys, vals, n);
		if (add_row(rs, &r) < 0)
			free(r.info);
	}
}

/* ---- reading the control sockets, all at once, within ANSWER_MS ---- */

#define ANSWER_MS 2000 /* a process that has not answered by then is named as such */

struct ctl {
	char path[512];
	long pid;         /* from the socket's name */
	int fd;           /* -1 once done */
	char *text;       /* what it sent, NUL-terminated */
	size_t len, cap;
	int state;        /* CTL_* */
	char why[128];    /* CTL_FAILED: what went wrong */
};
enum { CTL_READING, CTL_DONE, CTL_STALE, CTL_FAILED };

static void ctl_fail(struct ctl *c, const char *fmt, const char *arg)
{
	snprintf(c->why, sizeof(c->why), fmt, arg);
	c->state = CTL_FAILED;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Connects without waiting: a listener with a full backlog (a process stopped or stuck)
 * must not hold us. */
static void ctl_connect(struct ctl *c)
{
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	c->fd = -1;
	if (strlen(c->path) >= sizeof(sun.sun_path)) {
		ctl_fail(c, "%s", "path too long");
		return;
	}
	strcpy(sun.sun_path, c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		ctl_fail(c, "socket: %s", strerror(errno));
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		c->state = CTL_READING;
		return;
	}
	int e = errno;
	if (e == ECONNREFUSED || e == ENOENT) {
		close(c->fd);
		c->fd = -1;
		if (e == ECONNREFUSED)
			unlink(c->path); /* its process is gone */
		c->state = CTL_STALE;
		return;
	}
	if (e == EAGAIN)
		ctl_fail(c, "%s", "did not answer (its control socket's backlog is full: stopped or stuck?)");
	else
		ctl_fail(c, "connect: %s", strerror(e));
}

/* Reads what is there: 1 while more may come, 0 when done (or failed). */
static int ctl_read(struct ctl *c)
{
	for (;;) {
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 16384;
			char *t = realloc(c->text, cap + 1);
			if (!t) {
				ctl_fail(c, "%s", "out of memory");
				return 0;
			}
			c->text = t;
			c->cap = cap;
		}
		ssize_t n = read(c->fd, c->text + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		if (n < 0) {
			ctl_fail(c, "read: %s", strerror(errno));
			return 0;
		}
		if (n == 0) {
			close(c->fd);
			c->fd = -1;
			c->text[c->len] = 0;
			if (strncmp(c->text, "synack ", 7) != 0)
				ctl_fail(c, "%s", c->len ? "answered something that is not a synack dump"
							 : "closed without answering");
			else
				c->state = CTL_DONE;
			return 0;
		}
		c->len += (size_t)n;
	}
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads every control socket at once: each gets ANSWER_MS from the start. */
static void ctl_read_all(struct ctl *v, size_t n)
{
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t *who = calloc(n ? n : 1, sizeof(*who));
	if (!pfd || !who) {
		for (size_t i = 0; i < n; i++)
			if (v[i].state == CTL_READING)
				ctl_fail(&v[i], "%s", "out of memory");
		free(pfd);
		free(who);
		return;
	}
	long end = now_ms() + ANSWER_MS;
	for (;;) {
		size_t np = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].state == CTL_READING) {
				pfd[np] = (struct pollfd){.fd = v[i].fd, .events = POLLIN};
				who[np++] = i;
			}
		long left = end - now_ms();
		if (np == 0)
			break;
		if (left <= 0) {
			for (size_t k = 0; k < np; k++)
				ctl_fail(&v[who[k]], "did not answer within %s", "2 s");
			break;
		}
		int r = poll(pfd, (nfds_t)np, (int)left);
		if (r < 0 && errno != EINTR)
			break;
		for (size_t k = 0; r > 0 && k < np; k++)
			if (pfd[k].revents)
				ctl_read(&v[who[k]]);
	}
	free(pfd);
	free(who);
}

/* "PID (NAME)" of a control socket's process, from its name and /proc. */
static void who_is(const struct ctl *c, char *buf, size_t len)
{
	char comm[64] = "", path[64];
	snprintf(path, sizeof(path), "/proc/%ld/comm", c->pid);
	FILE *f = c->pid > 0 ? fopen(path, "re") : NULL;
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	if (c->pid <= 0)
		snprintf(buf, len, "%s", c->path);
	else if (comm[0])
		snprintf(buf, len, "pid %ld (%s)", c->pid, comm);
	else
		snprintf(buf, len, "pid %ld (no such process here)", c->pid);
}

/* The runtime record's dev_state: a device that is gone is said on standard error. */
static void check_runtime(const struct ctl *c)
{
	const char *rec = strstr(c->text, "\nruntime\t");
	if (!rec)
		return;
	rec++;
	size_t l = strcspn(rec, "\n");
	const char *st = strstr(rec, "\tdev_state=");
	if (!st || (size_t)(st - rec) > l)
		return;
	st += 11;
	if (strncmp(st, "ok", 2) == 0 && (st[2] == '\t' || st[2] == '\n' || !st[2]))
		return;
	const char *dev = strstr(rec, "\tdev=");
	int dl = dev && (size_t)(dev - rec) < l ? (int)strcspn(dev + 5, "\t\n") : 0;
	int sl = (int)strcspn(st, "\t\n");
	const char *prog = strchr(c->text + 7, ' ');
	int pl = prog ? (int)strcspn(prog + 1, "\n") : 0;
	if (sl == 4 && strncmp(st, "gone", 4) == 0)
		fprintf(stderr, "synack-ss: pid %ld (%.*s): %.*s: the device is gone\n", c->pid, pl,
			prog ? prog + 1 : "", dl, dl ? dev + 5 : "");
	else
		fprintf(stderr, "synack-ss: pid %ld (%.*s): %.*s: device state %.*s\n", c->pid, pl,
			prog ? prog + 1 : "", dl, dl ? dev + 5 : "", sl, st);
}

static int cmp_pid(const void *a, const void *b)
{
	long x = strtol(*(char *const *)a, NULL, 10), y = strtol(*(char *const *)b, NULL, 10);
	return x < y ? -1 : x > y;
}

/* ---- printing ---- */

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void print_rows(const struct rows *rs, const struct opts *o)
{
	int netid = !(o->tcp ^ o->udp); /* ss shows Netid when more than one kind is listed */
	size_t wn = 5, ws = 5, wrq = 6, wsq = 6, wla = 13, wlp = 4, wra = 12, wrp = 4;
	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->v[i];
		char b[32];
		ws = max_sz(ws, strlen(r->state));
		wrq = max_sz(wrq, (size_t)snprintf(b, sizeof(b), "%lu", r->recvq));
		wsq = max_sz(wsq, (size_t)snprintf(b, sizeof(b), "%lu", r->sendq));
		wla = max_sz(wla, strlen(r->laddr));
		wlp = max_sz(wlp, strlen(r->lport));
		wra = max_sz(wra, strlen(r->raddr));
		wrp = max_sz(wrp, strlen(r->rport));
	}
	if (netid)
		printf("%-*s ", (int)wn, "Netid");
	printf("%-*s %-*s %-*s %*s:%-*s %*s:%-*s Process\n", (int)ws, "State", (int)wrq, "Recv-Q", (int)wsq, "Send-Q",
	       (int)wla, "Local Address", (int)wlp, "Port", (int)wra, "Peer Address", (int)wrp, "Port");
	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->v[i];
		if (netid)
			printf("%-*s ", (int)wn, r->netid);
		/* As ss: the last columns are padded only when something follows them. */
		int more = r->proc[0] || r->timer[0] || r->relay[0];
		printf("%-*s %-*lu %-*lu %*s:%-*s %*s:%-*s", (int)ws, r->state, (int)wrq, r->recvq, (int)wsq, r->sendq,
		       (int)wla, r->laddr, (int)wlp, r->lport, (int)wra, r->raddr, more ? (int)wrp : 0, r->rport);
		if (r->proc[0])
			printf(" %s", r->proc);
		if (r->timer[0])
			printf(" %s", r->timer);
		if (r->relay[0])
			printf(" %s", r->relay);
		printf("\n");
		if (r->info)
			printf("\t%s\n", r->info);
	}
}

static int bad_option(const char *opt)
{
	fprintf(stderr, "synack-ss: unknown option %s (synack-ss --help lists them)\n", opt);
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		static const struct {
			const char *name;
			char c;
		} longs[] = {{"--tcp", 't'}, {"--udp", 'u'}, {"--listening", 'l'}, {"--all", 'a'},
			     {"--info", 'i'}, {"--options", 'o'}, {"--numeric", 'n'}, {"--processes", 'p'}};
		char shortbuf[2] = {0, 0};
		const char *flags = NULL;
		if (a[0] == '-' && a[1] == '-') {
			for (size_t k = 0; k < sizeof(longs) / sizeof(longs[0]); k++)
				if (strcmp(a, longs[k].name) == 0) {
					shortbuf[0] = longs[k].c;
					flags = shortbuf;
				}
			if (!flags)
				return bad_option(a);
		} else if (a[0] == '-' && a[1]) {
			flags = a + 1;
		} else {
			fprintf(stderr, "synack-ss: unexpected argument '%s' (filters are not supported)\n", a);
			return 2;
		}
		for (const char *c = flags; *c; c++) {
			switch (*c) {
			case 't': o.tcp = 1; break;
			case 'u': o.udp = 1; break;
			case 'l': o.listening = 1; break;
			case 'a': o.all = 1; break;
			case 'i': o.info = 1; break;
			case 'o': o.timers = 1; break;
			case 'p': o.processes = 1; break;
			case 'n': break;
			default: {
				char b[3] = {'-', *c, 0};
				return bad_option(b);
			}
			}
		}
	}

	char dir[256];
	synack_rt_run_dir(dir, sizeof(dir));
	struct rows rs = {0};
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t nn = 0, capn = 0;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 6 || strcmp(de->d_name + l - 5, ".sock") != 0)
				continue;
			if (nn == capn) {
				capn = capn ? capn * 2 : 16;
				char **v = realloc(names, capn * sizeof(*v));
				if (!v)
					break;
				names = v;
			}
			names[nn] = strdup(de->d_name);
			if (names[nn])
				nn++;
		}
		closedir(d);
	} else if (errno != ENOENT) {
		fprintf(stderr, "synack-ss: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (nn)
		qsort(names, nn, sizeof(*names), cmp_pid);
	struct ctl *ctls = calloc(nn ? nn : 1, sizeof(*ctls));
	if (!ctls) {
		fprintf(stderr, "synack-ss: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < nn; i++) {
		snprintf(ctls[i].path, sizeof(ctls[i].path), "%s/%s", dir, names[i]);
		ctls[i].pid = strtol(names[i], NULL, 10);
		ctl_connect(&ctls[i]);
		free(names[i]);
	}
	free(names);
	ctl_read_all(ctls, nn);
	int silent = 0;
	for (size_t i = 0; i < nn; i++) {
		struct ctl *c = &ctls[i];
		if (c->state == CTL_DONE) {
			check_runtime(c);
			parse_dump(c->text, &o, &rs);
		} else if (c->state == CTL_FAILED) {
			char who[160];
			who_is(c, who, sizeof(who));
			fprintf(stderr, "synack-ss: %s: %s; its sockets are not listed (%s)\n", who, c->why, c->path);
			silent++;
		}
		free(c->text);
	}
	free(ctls);
	print_rows(&rs, &o);
	for (size_t i = 0; i < rs.n; i++)
		free(rs.v[i].info);
	free(rs.v);
	return silent ? 1 : 0;
}
