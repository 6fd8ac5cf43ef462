/* The script executor: packetdrill's semantics (event times and tolerances, the socket under
 * test, sequence numbers relative to the ISNs, TS val mapping, --ip_version) on any backend. */
#include "script/run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "script/code.h"
#include "script/pkt.h"
#include "script/symbols.h"
#include "script/sysctl.h"

#define MAX_FDS 1024
#define MAX_CONNS 64
#define TS_MAP 64
#define PKT_CAP 65536
#define IDLE_WAIT_US 1000000 /* a call waits this long for a blocked one before it (packetdrill) */

enum conn_state { CS_INIT, CS_LISTENING, CS_PASSIVE, CS_CONNECTING, CS_ACTIVE };

/* --ip_version, as packetdrill has it: the sockets' family and the wire's.
 *   ipv4              AF_INET sockets, IPv4 packets
 *   ipv4-mapped-ipv6  AF_INET6 sockets with IPv4-mapped addresses, IPv4 packets
 *   ipv6              AF_INET6 sockets, IPv6 packets (ICMP lines are ICMPv6) */
enum ip_version { IPV_4, IPV_4_MAPPED_6, IPV_6 };

/* A socket the script knows about; one at a time is "under test": packet lines belong to it. */
struct conn {
	int used;
	int proto;             /* SP_TCP or SP_UDP */
	int script_fd;         /* -1 when no descriptor names it (yet) */
	enum conn_state state;
	struct sk_paddr laddr, raddr; /* live addresses (on the wire; unset: not known yet) and
				       * ports, host order */
	uint16_t lport, rport;
	int lport_known, rport_known;
	int isn_known;
	uint32_t isn_live, isn_script; /* the local side's ISN */
	int bound;             /* bind() named a port: a new attempt keeps it */
	int attempt_over;      /* a connect() failed: the next one sends a new SYN, relearned */
	struct {
		uint32_t script, live;
	} ts[TS_MAP];
	int nts, ts_at;
	int have_ts;
	uint32_t ts_first_script, ts_first_live;
	int out_seen;
	uint32_t last_out_seq; /* live seq of the latest outbound segment (for ICMP quotes) */
	uint32_t last_out_len; /* payload of the latest outbound datagram (UDP, for ICMP quotes) */
};

/* A live outbound packet waiting to be matched. */
struct outpkt {
	struct outpkt *next;
	uint64_t t;
	size_t len;
	uint8_t data[];
};

/* A call that blocked ("start...end" lines, or one still running). */
struct pending {
	int active;
	const struct sk_se *ev;
	struct sk_call c;
	int64_t end;       /* expected return (script µs) */
	void *bufs[SK_CALL_MAX_IOV + 2];
	int nbufs;
};

struct runner {
	const struct sk_script *s;
	struct sk_backend *b;
	const struct sk_run_opts *o;
	char *why;
	size_t whylen;
	/* options */
	int64_t tolerance;      /* µs */
	int tolerance_pct;
	enum ip_version ipver;
	struct sk_paddr local, remote; /* on the wire: IPv6 for ipv6, else IPv4 */
	uint8_t prefix;
	uint32_t mtu;
	uint16_t bind_port, connect_port;
	int64_t ts_tick;        /* µs per TS tick, 0 = TS val unchecked */
	int check_ecr;
	/* state */
	struct conn conns[MAX_CONNS];
	struct conn *sut;
	int fdmap[MAX_FDS];     /* script fd -> live fd */
	uint16_t next_rport;
	struct outpkt *qhead, *qtail;
	struct pending pend;
	const struct sk_se *last;
	int64_t last_t;         /* scheduled time of the last event */
	int line;               /* of the event being run */
	int failed;
};

/* ---- messages ---- */

static int fail(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct runner *r, const char *fmt, ...)
{
	if (r->failed)
		return -1;
	r->failed = 1;
	int n = snprintf(r->why, r->whylen, "%s:%d: ", r->s->path, r->line);
	if (n < 0 || (size_t)n >= r->whylen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why + n, r->whylen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void logf_(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct runner *r, const char *fmt, ...)
{
	if (!r->o || !r->o->log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(r->o->log, "%9.6f ", (double)r->b->ops->now(r->b) / 1e6);
	vfprintf(r->o->log, fmt, ap);
	fputc('\n', r->o->log);
	va_end(ap);
}

static double secs(int64_t us)
{
	return (double)us / 1e6;
}

/* ---- options ---- */

static int parse_u(const char *v, long long min, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 0);
	if (end == v || *end || errno || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

/* The address family of the script's sockets: what socket(..., ...) makes and what ... means
 * as a socket address. */
static int sock_domain(const struct runner *r)
{
	return r->ipver == IPV_4 ? AF_INET : AF_INET6;
}

static int options(struct runner *r)
{
	r->tolerance = 4000;
	r->bind_port = r->connect_port = 8080;
	r->mtu = 1500;
	const struct sk_sopt *lip = NULL, *rip = NULL;
	int next = r->o ? r->o->nextra : 0;
	for (int i = 0; i < next + r->s->nopts; i++) {
		const struct sk_sopt *op = i < next ? &r->o->extra[i] : &r->s->opts[i - next];
		long long v;
		r->line = op->line;
		const char *n = op->name;
		if (!strcmp(n, "tolerance_usecs")) {
			if (parse_u(op->value, 0, 60000000, &v) < 0)
				return fail(r, "--tolerance_usecs: want a number of microseconds, got '%s'", op->value);
			r->tolerance = v;
		} else if (!strcmp(n, "tolerance_percent")) {
			if (parse_u(op->value, 0, 100, &v) < 0)
				return fail(r, "--tolerance_percent: want 0..100, got '%s'", op->value);
			r->tolerance_pct = (int)v;
		} else if (!strcmp(n, "ip_version")) {
			if (!strcmp(op->value, "ipv4"))
				r->ipver = IPV_4;
			else if (!strcmp(op->value, "ipv4-mapped-ipv6"))
				r->ipver = IPV_4_MAPPED_6;
			else if (!strcmp(op->value, "ipv6"))
				r->ipver = IPV_6;
			else
				return fail(r, "--ip_version=%s: want ipv4, ipv4-mapped-ipv6 or ipv6", op->value);
		} else if (!strcmp(n, "local_ip")) {
			lip = op; /* read once the version is known */
		} else if (!strcmp(n, "remote_ip")) {
			rip = op;
		} else if (!strcmp(n, "mtu")) {
			if (parse_u(op->value, 576, 65535, &v) < 0)
				return fail(r, "--mtu: want 576..65535, got '%s'", op->value);
			r->mtu = (uint32_t)v;
		} else if (!strcmp(n, "bind_port") || !strcmp(n, "connect_port")) {
			if (parse_u(op->value, 1, 65535, &v) < 0)
				return fail(r, "--%s: want a port, got '%s'", n, op->value);
			*(n[0] == 'b' ? &r->bind_port : &r->connect_port) = (uint16_t)v;
		} else if (!strcmp(n, "tcp_ts_tick_usecs")) {
			if (parse_u(op->value, 0, 1000000, &v) < 0)
				return fail(r, "--tcp_ts_tick_usecs: want microseconds, got '%s'", op->value);
			r->ts_tick = v;
		} else if (!strcmp(n, "check_ts_ecr")) {
			r->check_ecr = strcmp(op->value, "0") != 0;
		} else if (!strcmp(n, "mss") || !strcmp(n, "speed") || !strcmp(n, "non_fatal") ||
			   !strcmp(n, "strict_segments") || !strcmp(n, "send_omit_free") || !strcmp(n, "verbose")) {
			/* accepted: nothing to do in this runner */
		} else {
			return fail(r, "--%s: option not supported by this runner", n);
		}
	}
	/* The addresses of the version (packetdrill's finalize_config). IPv6 defaults are
	 * documentation addresses (RFC 3849) as the IPv4 ones are (RFC 5737). */
	int v6 = r->ipver == IPV_6;
	if (v6) {
		sk_paddr_parse("2001:db8::2", 1, &r->local);
		sk_paddr_parse("2001:db8::1", 1, &r->remote);
		r->prefix = 64;
	} else {
		r->local = sk_paddr4(0xc0000202);  /* 192.0.2.2 */
		r->remote = sk_paddr4(0xc0000201); /* 192.0.2.1 */
		r->prefix = 24;
	}
	const struct sk_sopt *ips[2] = {lip, rip};
	for (int i = 0; i < 2; i++) {
		if (!ips[i])
			continue;
		r->line = ips[i]->line;
		if (sk_paddr_parse(ips[i]->value, v6, i ? &r->remote : &r->local) < 0)
			return fail(r, "--%s: not an %s address: '%s'%s", ips[i]->name, v6 ? "IPv6" : "IPv4", ips[i]->value,
				    r->ipver == IPV_4_MAPPED_6 ? " (ipv4-mapped-ipv6 takes the IPv4 address it maps)" : "");
		if (sk_paddr_unset(i ? &r->remote : &r->local))
			return fail(r, "--%s: the unspecified address cannot be an end", ips[i]->name);
	}
	if (v6 && r->mtu < 1280)
		return fail(r, "--mtu=%u: IPv6 needs a link MTU of at least 1280 (RFC 8200 5)", (unsigned)r->mtu);
	if (sk_paddr_eq(&r->local, &r->remote))
		return fail(r, "--local_ip and --remote_ip are the same address");
	return 0;
}

/* ---- connections ---- */

static struct conn *conn_new(struct runner *r, int proto)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (!r->conns[i].used) {
			struct conn *c = &r->conns[i];
			memset(c, 0, sizeof(*c));
			c->used = 1;
			c->proto = proto;
			c->script_fd = -1;
			c->laddr = r->local;
			c->raddr = r->remote;
			return c;
		}
	/* recycle the oldest connection that is not under test */
	struct conn *c = &r->conns[0] == r->sut ? &r->conns[1] : &r->conns[0];
	memset(c, 0, sizeof(*c));
	c->used = 1;
	c->proto = proto;
	c->script_fd = -1;
	c->laddr = r->local;
	c->raddr = r->remote;
	return c;
}

static struct conn *conn_of_fd(struct runner *r, int script_fd)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (r->conns[i].used && r->conns[i].script_fd == script_fd)
			return &r->conns[i];
	return NULL;
}

static void conn_remote_port(struct runner *r, struct conn *c)
{
	if (!c->rport_known) {
		c->rport = r->next_rport++;
		if (r->next_rport < 40000)
			r->next_rport = 40000;
		c->rport_known = 1;
	}
}

/* The socket a packet line is about (packetdrill's rules): an inbound packet to a listener,
 * or with no socket at all, starts a new passive connection; otherwise the one under test. */
static struct conn *conn_for_packet(struct runner *r, const struct sk_sp *p)
{
	struct conn *c = r->sut;
	int proto = p->proto == SP_ICMP ? (c ? c->proto : (int)SP_TCP) : (int)p->proto;
	if (p->dir == '<' && p->proto == SP_TCP && (!c || c->state == CS_LISTENING)) {
		struct conn *n = conn_new(r, SP_TCP);
		n->state = CS_PASSIVE;
		n->laddr = c ? c->laddr : r->local;
		if (sk_paddr_unset(&n->laddr))
			n->laddr = r->local;
		n->lport = c && c->lport_known ? c->lport : r->bind_port;
		n->lport_known = 1;
		conn_remote_port(r, n);
		if (c)
			n->isn_known = 0;
		r->sut = n;
		return n;
	}
	if (!c) {
		c = conn_new(r, proto);
		c->lport = r->bind_port;
		c->lport_known = 1;
		r->sut = c;
	}
	if (!c->lport_known && p->dir == '<') {
		c->lport = r->bind_port;
		c->lport_known = 1;
	}
	if (p->dir == '<')
		conn_remote_port(r, c);
	return c;
}

/* ---- the backend's packets ---- */

static int belongs(const struct conn *c, const struct sk_live *l);
static uint32_t local_offset(const struct conn *c);

/* -v: every packet the stack sends, as it is collected (in script space when it is the
 * socket under test's). */
static void log_out(struct runner *r, const uint8_t *pkt, size_t len, uint64_t t)
{
	struct sk_live l;
	if (!r->o || !r->o->log || sk_live_parse(pkt, len, &l) < 0)
		return;
	const struct conn *c = r->sut;
	if (c && belongs(c, &l) && l.p.proto == SP_TCP) {
		uint32_t off = local_offset(c);
		l.p.seq -= off;
		l.p.end -= off;
		for (int i = 0; i < l.p.nopt; i++)
			if (l.p.opt[i].kind == 8 && c->have_ts)
				l.p.opt[i].val = c->ts_first_script + (l.p.opt[i].val - c->ts_first_live);
	}
	char txt[300];
	fprintf(r->o->log, "%9.6f sent %s\n", (double)t / 1e6, sk_sp_format(&l.p, txt, sizeof(txt)));
}

static void pull(struct runner *r)
{
	uint8_t *buf = malloc(PKT_CAP);
	if (!buf)
		return;
	for (;;) {
		uint64_t t;
		size_t n = r->b->ops->sniff(r->b, buf, PKT_CAP, &t);
		if (!n)
			break;
		struct outpkt *q = malloc(sizeof(*q) + n);
		if (!q)
			break;
		q->next = NULL;
		q->t = t;
		q->len = n;
		memcpy(q->data, buf, n);
		log_out(r, q->data, n, t);
		if (r->qtail)
			r->qtail->next = q;
		else
			r->qhead = q;
		r->qtail = q;
	}
	free(buf);
}

static struct outpkt *qpop(struct runner *r)
{
	struct outpkt *q = r->qhead;
	if (q) {
		r->qhead = q->next;
		if (!r->qhead)
			r->qtail = NULL;
	}
	return q;
}

/* ---- expressions ---- */

/* An integer from an expression: numbers, constants and their | (O_RDWR|O_NONBLOCK).
 * 0 or -1 (with the reason) */
static int sx_int(struct runner *r, const struct sk_sx *x, long long *v)
{
	switch (x->kind) {
	case SX_INT:
		*v = x->num;
		return 0;
	case SX_WORD: {
		long s;
		int e;
		if (sk_sym_value(x->str, &s) == 0) {
			*v = s;
			return 0;
		}
		if (sk_errno_value(x->str, &e) == 0) { /* [ECONNREFUSED] as SO_ERROR's value */
			*v = e;
			return 0;
		}
		return fail(r, "unknown symbol %s", x->str);
	}
	case SX_OR: {
		long long a, b;
		if (sx_int(r, x->lhs, &a) < 0 || sx_int(r, x->rhs, &b) < 0)
			return -1;
		*v = a | b;
		return 0;
	}
	case SX_CALL:
		if (!strcmp(x->str, "htons") && x->n == 1) {
			long long a;
			if (sx_int(r, x->v[0], &a) < 0)
				return -1;
			*v = a; /* ports are kept in host order here */
			return 0;
		}
		return fail(r, "%s(): not an integer expression", x->str);
	default: {
		char b[64];
		return fail(r, "expected an integer, found %s", sk_sx_format(x, b, sizeof(b)));
	}
	}
}

/* [N]: the single integer of a one-element list. */
static int sx_bracket_int(struct runner *r, const struct sk_sx *x, long long *v)
{
	if (x->kind != SX_LIST || x->n != 1)
		return fail(r, "expected [N], found something else");
	return sx_int(r, x->v[0], v);
}

static const struct sk_sx *field(const struct sk_sx *st, const char *name)
{
	if (!st || st->kind != SX_STRUCT)
		return NULL;
	for (int i = 0; i < st->n; i++)
		if (st->v[i]->kind == SX_FIELD && !strcmp(st->v[i]->str, name))
			return st->v[i]->rhs;
	return NULL;
}

/* The socket address ... stands for: address a (on the wire) and port in the family of the
 * script's sockets: sockaddr_in, or sockaddr_in6 with a's IPv6 address or, for an IPv4 a,
 * the IPv4-mapped one (::ffff:a.b.c.d, ipv4-mapped-ipv6). */
static void default_sockaddr(const struct runner *r, const struct sk_paddr *a, uint16_t port,
			     struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (sock_domain(r) == AF_INET && !a->v6) {
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->b, 4);
		sin.sin_port = htons(port);
		memcpy(ss, &sin, sizeof(sin));
		*len = sizeof(sin);
		return;
	}
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	if (a->v6) {
		memcpy(&sin6.sin6_addr, a->b, 16);
	} else {
		sin6.sin6_addr.s6_addr[10] = sin6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6.sin6_addr.s6_addr[12], a->b, 4);
	}
	memcpy(ss, &sin6, sizeof(sin6));
	*len = sizeof(sin6);
}

/* The wire address and port a socket address names (an IPv4-mapped IPv6 address is the IPv4
 * address it maps): 0, or -1 for another family or a short address. */
static int sockaddr_wire(const struct sockaddr_storage *ss, socklen_t len, struct sk_paddr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, ss, sizeof(sin));
		memcpy(a->b, &sin.sin_addr, 4);
		*port = ntohs(sin.sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, ss, sizeof(sin6));
		if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			memcpy(a->b, &sin6.sin6_addr.s6_addr[12], 4);
		} else {
			a->v6 = 1;
			memcpy(a->b, &sin6.sin6_addr, 16);
		}
		*port = ntohs(sin6.sin6_port);
		return 0;
	}
	return -1;
}

/* A sockaddr argument: ... (the default address and port of use, in the family of the
 * script's sockets), {sa_family=AF_INET, sin_port=htons(P), sin_addr=inet_addr("A")} (or
 * INADDR_ANY), or {sa_family=AF_INET6, sin6_port=htons(P), sin6_addr=inet6_addr("A")} (or
 * in6addr_any); a struct is used as written, whatever --ip_version says. */
static int sx_sockaddr(struct runner *r, const struct sk_sx *x, const struct sk_paddr *def_addr, uint16_t def_port,
		       struct sockaddr_storage *ss, socklen_t *len, int *null)
{
	*null = 0;
	if (x->kind == SX_WORD && !strcmp(x->str, "NULL")) {
		*null = 1;
		return 0;
	}
	if (x->kind == SX_INT && x->num == 0) {
		*null = 1;
		return 0;
	}
	if (x->kind == SX_ELLIPSIS) {
		default_sockaddr(r, def_addr, def_port, ss, len);
		return 0;
	}
	if (x->kind != SX_STRUCT) {
		char b[64];
		return fail(r, "expected a sockaddr or ..., found %s", sk_sx_format(x, b, sizeof(b)));
	}
	const struct sk_sx *fam = field(x, "sa_family"), *port = field(x, "sin_port"), *addr = field(x, "sin_addr"),
			   *port6 = field(x, "sin6_port"), *addr6 = field(x, "sin6_addr");
	if (!fam)
		fam = field(x, "sin_family");
	if (!fam)
		fam = field(x, "sin6_family");
	long long v, family = -1;
	if (fam) {
		if (sx_int(r, fam, &family) < 0)
			return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (port6 || addr6 || (family == AF_INET6 && !port && !addr)) {
		struct sockaddr_in6 sin6;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = (sa_family_t)(family >= 0 ? family : AF_INET6);
		if (port6 || port) {
			if (sx_int(r, port6 ? port6 : port, &v) < 0)
				return -1;
			sin6.sin6_port = htons((uint16_t)v);
		}
		if (addr6) {
			if (addr6->kind == SX_CALL && (!strcmp(addr6->str, "inet6_addr") || !strcmp(addr6->str, "inet_addr")) &&
			    addr6->n == 1 && addr6->v[0]->kind == SX_STRING) {
				if (inet_pton(AF_INET6, addr6->v[0]->str, &sin6.sin6_addr) != 1)
					return fail(r, "inet6_addr(\"%s\"): not an IPv6 address", addr6->v[0]->str);
			} else if (!(addr6->kind == SX_WORD &&
				     (!strcmp(addr6->str, "in6addr_any") || !strcmp(addr6->str, "IN6ADDR_ANY")))) {
				return fail(r, "sin6_addr: want inet6_addr(\"A\") or in6addr_any");
			}
		}
		memcpy(ss, &sin6, sizeof(sin6));
		*len = sizeof(sin6);
		return 0;
	}
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = (sa_family_t)(family >= 0 ? family : AF_INET);
	if (!def_addr->v6)
		memcpy(&sin.sin_addr, def_addr->b, 4);
	sin.sin_port = htons(def_port);
	if (port) {
		if (sx_int(r, port, &v) < 0)
			return -1;
		sin.sin_port = htons((uint16_t)v);
	}
	if (addr) {
		if (addr->kind == SX_CALL && !strcmp(addr->str, "inet_addr") && addr->n == 1 &&
		    addr->v[0]->kind == SX_STRING) {
			struct in_addr a;
			if (inet_pton(AF_INET, addr->v[0]->str, &a) != 1)
				return fail(r, "inet_addr(\"%s\"): not an IPv4 address", addr->v[0]->str);
			sin.sin_addr = a;
		} else if (addr->kind == SX_WORD && !strcmp(addr->str, "INADDR_ANY")) {
			sin.sin_addr.s_addr = htonl(INADDR_ANY);
		} else {
			return fail(r, "sin_addr: want inet_addr(\"A.B.C.D\") or INADDR_ANY");
		}
	}
	memcpy(ss, &sin, sizeof(sin));
	*len = sizeof(sin);
	return 0;
}

/* A length argument: ... (the size of what it goes with) or a number. */
static int sx_len(struct runner *r, const struct sk_sx *x, long long def, long long *v)
{
	if (x->kind == SX_ELLIPSIS) {
		*v = def;
		return 0;
	}
	if (x->kind == SX_LIST)
		return sx_bracket_int(r, x, v);
	return sx_int(r, x, v);
}

static int live_fd(struct runner *r, const struct sk_sx *x, int *fd)
{
	long long v;
	if (sx_int(r, x, &v) < 0)
		return -1;
	if (v >= 0 && v < MAX_FDS && r->fdmap[v] >= 0) {
		*fd = r->fdmap[v];
		return 0;
	}
	/* a descriptor the script never opened: pass something no backend has open */
	*fd = v < 0 ? (int)v : 100000 + (int)v;
	return 0;
}

/* ---- system calls ---- */

struct callspec {
	const char *name;
	enum sk_sys sys;
	int nargs; /* -1: varies */
};

static const struct callspec calls[] = {
	{"socket", SYS_SOCKET, 3}, {"bind", SYS_BIND, 3}, {"listen", SYS_LISTEN, 2},
	{"accept", SYS_ACCEPT, 3}, {"accept4", SYS_ACCEPT4, 4}, {"connect", SYS_CONNECT, 3},
	{"read", SYS_READ, 3}, {"readv", SYS_READV, 3}, {"recv", SYS_RECV, 4},
	{"recvfrom", SYS_RECVFROM, 6}, {"recvmsg", SYS_RECVMSG, 3}, {"write", SYS_WRITE, 3},
	{"writev", SYS_WRITEV, 3}, {"send", SYS_SEND, 4}, {"sendto", SYS_SENDTO, 6},
	{"sendmsg", SYS_SENDMSG, 3}, {"shutdown", SYS_SHUTDOWN, 2}, {"close", SYS_CLOSE, 1},
	{"getsockopt", SYS_GETSOCKOPT, 5}, {"setsockopt", SYS_SETSOCKOPT, 5},
	{"getsockname", SYS_GETSOCKNAME, 3}, {"getpeername", SYS_GETPEERNAME, 3},
	{"fcntl", SYS_FCNTL, -1}, {"ioctl", SYS_IOCTL, 3}, {"poll", SYS_POLL, 3},
};

static void *buf_new(struct pending *pc, size_t n)
{
	if (pc->nbufs >= (int)(sizeof(pc->bufs) / sizeof(pc->bufs[0])))
		return NULL;
	void *b = calloc(1, n ? n : 1);
	if (b)
		pc->bufs[pc->nbufs++] = b;
	return b;
}

static void bufs_free(struct pending *pc)
{
	for (int i = 0; i < pc->nbufs; i++)
		free(pc->bufs[i]);
	pc->nbufs = 0;
}

/* A data buffer argument: ... or "text" (its bytes, then zeros up to len). */
static int data_arg(struct runner *r, struct pending *pc, const struct sk_sx *x, size_t len, uint8_t **out)
{
	if (len > (64u << 20))
		return fail(r, "buffer of %zu bytes is too large for this runner", len);
	uint8_t *b = buf_new(pc, len);
	if (!b)
		return fail(r, "out of memory");
	if (x->kind == SX_STRING) {
		size_t n = strlen(x->str);
		memcpy(b, x->str, n < len ? n : len);
	} else if (x->kind != SX_ELLIPSIS && !(x->kind == SX_WORD && !strcmp(x->str, "NULL"))) {
		char t[64];
		return fail(r, "expected a buffer (... or \"text\"), found %s", sk_sx_format(x, t, sizeof(t)));
	}
	*out = (x->kind == SX_WORD) ? NULL : b;
	return 0;
}

/* [{..., N}, {..., M}] */
static int iov_arg(struct runner *r, struct pending *pc, const struct sk_sx *x, struct sk_call *c)
{
	if (x->kind != SX_LIST)
		return fail(r, "expected an iovec list [{..., N}, ...]");
	if (x->n > SK_CALL_MAX_IOV)
		return fail(r, "at most %d iovecs", SK_CALL_MAX_IOV);
	c->iovcnt = x->n;
	for (int i = 0; i < x->n; i++) {
		const struct sk_sx *e = x->v[i];
		long long n = 0;
		if (e->kind != SX_STRUCT || e->n != 2 || sx_int(r, e->v[1], &n) < 0 || n < 0)
			return fail(r, "expected an iovec {..., N}");
		uint8_t *b = NULL;
		if (data_arg(r, pc, e->v[0], (size_t)n, &b) < 0)
			return -1;
		c->iov[i].iov_base = b;
		c->iov[i].iov_len = (size_t)n;
	}
	return 0;
}

/* {msg_name(...)=..., msg_iov(N)=[...], msg_flags=F} */
static int msghdr_arg(struct runner *r, struct pending *pc, const struct sk_sx *x, struct sk_call *c, int out,
		      const struct conn *sc)
{
	if (x->kind != SX_STRUCT)
		return fail(r, "expected a msghdr {msg_name(...)=..., msg_iov(1)=[...], msg_flags=0}");
	const struct sk_sx *iov = field(x, "msg_iov"), *name = field(x, "msg_name");
	if (!iov || iov_arg(r, pc, iov, c) < 0)
		return r->failed ? -1 : fail(r, "msghdr without msg_iov");
	c->addr_null = 1;
	if (name && !out) {
		int null;
		if (sx_sockaddr(r, name, sc ? &sc->raddr : &r->remote, r->connect_port, &c->addr, &c->addrlen, &null) < 0)
			return -1;
		c->addr_null = null || name->kind == SX_ELLIPSIS;
	} else if (name && out) {
		c->addr_null = 0;
		c->addrlen = sizeof(c->addr);
	}
	return 0;
}

/* The value argument of setsockopt: [N], {onoff=, linger=}, {tv_sec=, tv_usec=} or "text". */
static int optval_arg(struct runner *r, const struct sk_sx *x, const struct sk_sx *lenx, struct sk_call *c)
{
	long long v, l;
	if (x->kind == SX_WORD && !strcmp(x->str, "NULL")) {
		c->opt_null = 1;
		c->optlen = 0;
	} else if (x->kind == SX_LIST) {
		if (sx_bracket_int(r, x, &v) < 0)
			return -1;
		int iv = (int)v;
		memcpy(c->opt, &iv, sizeof(iv));
		c->optlen = sizeof(int);
	} else if (x->kind == SX_STRUCT) {
		const struct sk_sx *on = field(x, "onoff"), *lg = field(x, "linger"), *sec = field(x, "tv_sec"),
				   *usec = field(x, "tv_usec");
		if (!on)
			on = field(x, "l_onoff");
		if (!lg)
			lg = field(x, "l_linger");
		if (on || lg) {
			long long a = 0, b = 0;
			if ((on && sx_int(r, on, &a) < 0) || (lg && sx_int(r, lg, &b) < 0))
				return -1;
			struct linger li = {(int)a, (int)b};
			memcpy(c->opt, &li, sizeof(li));
			c->optlen = sizeof(li);
		} else if (sec || usec) {
			long long a = 0, b = 0;
			if ((sec && sx_int(r, sec, &a) < 0) || (usec && sx_int(r, usec, &b) < 0))
				return -1;
			struct timeval tv = {(time_t)a, (suseconds_t)b};
			memcpy(c->opt, &tv, sizeof(tv));
			c->optlen = sizeof(tv);
		} else {
			return fail(r, "setsockopt: struct value not understood");
		}
	} else if (x->kind == SX_STRING) {
		size_t n = strlen(x->str);
		if (n >= sizeof(c->opt))
			return fail(r, "setsockopt: string too long");
		memcpy(c->opt, x->str, n + 1);
		c->optlen = (socklen_t)n;
	} else if (x->kind == SX_INT) {
		int iv = (int)x->num;
		memcpy(c->opt, &iv, sizeof(iv));
		c->optlen = sizeof(int);
	} else {
		return fail(r, "setsockopt: value not understood");
	}
	if (lenx->kind != SX_ELLIPSIS) {
		if (sx_len(r, lenx, c->optlen, &l) < 0)
			return -1;
		if (l < 0 || l > (long long)sizeof(c->opt))
			return fail(r, "setsockopt: length %lld out of range", l);
		c->optlen = (socklen_t)l;
	}
	return 0;
}

/* [{fd=F, events=E, revents=R}, ...] */
static int pollfd_arg(struct runner *r, const struct sk_sx *x, struct sk_call *c)
{
	if (x->kind != SX_LIST)
		return fail(r, "poll: expected [{fd=F, events=E}, ...]");
	if (x->n > SK_CALL_MAX_POLL)
		return fail(r, "poll: at most %d entries", SK_CALL_MAX_POLL);
	c->npfd = x->n;
	for (int i = 0; i < x->n; i++) {
		const struct sk_sx *e = x->v[i], *fd = field(e, "fd"), *ev = field(e, "events");
		long long v;
		if (!fd || !ev)
			return fail(r, "poll: each entry needs fd= and events=");
		int lf;
		if (live_fd(r, fd, &lf) < 0 || sx_int(r, ev, &v) < 0)
			return -1;
		c->pfd[i].fd = lf;
		c->pfd[i].events = (short)v;
	}
	return 0;
}

/* Evaluates a call line into c (buffers owned by pc). */
static int build_call(struct runner *r, const struct sk_se *ev, struct pending *pc)
{
	const struct sk_se_call *sc = &ev->call;
	struct sk_call *c = &pc->c;
	const struct callspec *spec = NULL;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(calls[i].name, sc->name))
			spec = &calls[i];
	if (!spec)
		return fail(r, "system call %s() not supported by this runner", sc->name);
	if (spec->nargs >= 0 && sc->nargs != spec->nargs)
		return fail(r, "%s() takes %d arguments, found %d", sc->name, spec->nargs, sc->nargs);
	memset(c, 0, sizeof(*c));
	c->sys = spec->sys;
	struct sk_sx *const *a = sc->args;
	long long v, l;
	if (c->sys != SYS_SOCKET && c->sys != SYS_POLL) {
		if (sc->nargs < 1)
			return fail(r, "%s() needs a descriptor", sc->name);
		if (live_fd(r, a[0], &c->fd) < 0)
			return -1;
	}
	long long fdv = 0;
	if (c->sys != SYS_SOCKET && c->sys != SYS_POLL && sx_int(r, a[0], &fdv) < 0)
		return -1;
	struct conn *cn = conn_of_fd(r, (int)fdv);
	switch (c->sys) {
	case SYS_SOCKET:
		if (a[0]->kind == SX_ELLIPSIS)
			c->arg[0] = sock_domain(r); /* packetdrill: the --ip_version's family */
		else if (sx_int(r, a[0], &v) < 0)
			return -1;
		else
			c->arg[0] = (long)v;
		if (sx_int(r, a[1], &v) < 0)
			return -1;
		c->arg[1] = (long)v;
		if (a[2]->kind == SX_ELLIPSIS)
			c->arg[2] = 0;
		else if (sx_int(r, a[2], &v) < 0)
			return -1;
		else
			c->arg[2] = (long)v;
		return 0;
	case SYS_BIND:
	case SYS_CONNECT: {
		int bind = c->sys == SYS_BIND;
		if (sx_sockaddr(r, a[1], bind ? &r->local : &r->remote, bind ? r->bind_port : r->connect_port, &c->addr,
				&c->addrlen, &c->addr_null) < 0)
			return -1;
		if (a[2]->kind != SX_ELLIPSIS) {
			if (sx_len(r, a[2], c->addrlen, &l) < 0)
				return -1;
			c->addrlen = (socklen_t)l;
		}
		return 0;
	}
	case SYS_LISTEN:
	case SYS_SHUTDOWN:
		if (sx_int(r, a[1], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		return 0;
	case SYS_ACCEPT4:
		if (sx_int(r, a[3], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		/* fall through */
	case SYS_ACCEPT:
	case SYS_GETSOCKNAME:
	case SYS_GETPEERNAME:
		c->addr_null = a[1]->kind == SX_WORD && !strcmp(a[1]->str, "NULL");
		c->addrlen = sock_domain(r) == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
		if (c->addr_null)
			c->addrlen = 0;
		if (a[2]->kind == SX_LIST && sx_bracket_int(r, a[2], &l) == 0)
			c->addrlen = (socklen_t)l;
		return r->failed ? -1 : 0;
	case SYS_READ:
	case SYS_WRITE:
	case SYS_RECV:
	case SYS_SEND:
	case SYS_RECVFROM:
	case SYS_SENDTO: {
		if (sx_int(r, a[2], &l) < 0)
			return -1;
		if (l < 0)
			return fail(r, "%s(): negative length", sc->name);
		c->len = (size_t)l;
		if (data_arg(r, pc, a[1], c->len, &c->buf) < 0)
			return -1;
		if (c->sys == SYS_RECV || c->sys == SYS_SEND || c->sys == SYS_RECVFROM || c->sys == SYS_SENDTO) {
			if (sx_int(r, a[3], &v) < 0)
				return -1;
			c->arg[0] = (long)v;
		}
		c->addr_null = 1;
		if (c->sys == SYS_SENDTO && !(a[4]->kind == SX_WORD && !strcmp(a[4]->str, "NULL"))) {
			if (sx_sockaddr(r, a[4], cn ? &cn->raddr : &r->remote, r->connect_port, &c->addr, &c->addrlen,
					&c->addr_null) < 0)
				return -1;
			if (a[5]->kind != SX_ELLIPSIS) {
				if (sx_len(r, a[5], c->addrlen, &l) < 0)
					return -1;
				c->addrlen = (socklen_t)l;
			}
		}
		if (c->sys == SYS_RECVFROM && !(a[4]->kind == SX_WORD && !strcmp(a[4]->str, "NULL"))) {
			c->addr_null = 0;
			c->addrlen = sock_domain(r) == AF_INET6 ? sizeof(struct sockaddr_in6)
								: sizeof(struct sockaddr_in);
		}
		return 0;
	}
	case SYS_READV:
	case SYS_WRITEV:
		return iov_arg(r, pc, a[1], c);
	case SYS_RECVMSG:
	case SYS_SENDMSG:
		if (msghdr_arg(r, pc, a[1], c, c->sys == SYS_RECVMSG, cn) < 0)
			return -1;
		if (sx_int(r, a[2], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		return 0;
	case SYS_CLOSE:
		return 0;
	case SYS_SETSOCKOPT:
	case SYS_GETSOCKOPT:
		if (sx_int(r, a[1], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		if (sx_int(r, a[2], &v) < 0)
			return -1;
		c->arg[1] = (long)v;
		if (c->sys == SYS_SETSOCKOPT)
			return optval_arg(r, a[3], a[4], c);
		c->opt_null = a[3]->kind == SX_WORD && !strcmp(a[3]->str, "NULL");
		c->optlen = sizeof(int);
		if (a[3]->kind == SX_STRUCT)
			c->optlen = field(a[3], "tv_sec") ? (socklen_t)sizeof(struct timeval) : (socklen_t)sizeof(struct linger);
		else if (a[3]->kind == SX_STRING || a[3]->kind == SX_ELLIPSIS)
			c->optlen = 16;
		if (a[4]->kind != SX_ELLIPSIS) {
			if (sx_len(r, a[4], c->optlen, &l) < 0)
				return -1;
			if (l < 0 || l > (long long)sizeof(c->opt))
				return fail(r, "getsockopt: length %lld out of range", l);
			c->optlen = (socklen_t)l;
		}
		return 0;
	case SYS_FCNTL:
		if (sc->nargs < 2 || sc->nargs > 3)
			return fail(r, "fcntl() takes 2 or 3 arguments");
		if (sx_int(r, a[1], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		if (sc->nargs == 3) {
			if (sx_int(r, a[2], &v) < 0)
				return -1;
			c->arg[1] = (long)v;
		}
		return 0;
	case SYS_IOCTL:
		if (sx_int(r, a[1], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		if (a[2]->kind == SX_LIST) {
			if (sx_bracket_int(r, a[2], &v) < 0)
				return -1;
			c->ioval = (int)v;
		}
		return 0;
	case SYS_POLL:
		if (pollfd_arg(r, a[0], c) < 0)
			return -1;
		if (sx_int(r, a[2], &v) < 0)
			return -1;
		c->arg[0] = (long)v;
		return 0;
	default:
		return fail(r, "%s(): not supported", sc->name);
	}
}

/* What a call changes in the runner's picture of the sockets: before it runs (connect and
 * the first sendto name the peer, as the call's packets will show), and once it returned. */
static void call_effects(struct runner *r, const struct sk_se *ev, const struct sk_call *c, int before)
{
	const struct sk_se_call *sc = &ev->call;
	long long sfd = -1;
	if (sc->nargs && sc->args[0]->kind == SX_INT)
		sfd = sc->args[0]->num;
	struct conn *cn = sfd >= 0 ? conn_of_fd(r, (int)sfd) : NULL;
	if (!before && cn && cn->proto == SP_TCP) {
		/* the end of a connection attempt: connect() failed, or SO_ERROR said so */
		int so_err = 0;
		if (c->sys == SYS_GETSOCKOPT && c->ret == 0 && c->arg[0] == SOL_SOCKET && c->arg[1] == SO_ERROR &&
		    c->optlen >= sizeof(int))
			memcpy(&so_err, c->opt, sizeof(int));
		if ((c->sys == SYS_CONNECT && c->ret < 0 && c->err != EINPROGRESS && c->err != EALREADY &&
		     c->err != EISCONN) ||
		    so_err)
			cn->attempt_over = 1;
	}
	int peer_call = c->sys == SYS_CONNECT || c->sys == SYS_SENDTO || c->sys == SYS_SENDMSG;
	if (before != peer_call)
		return;
	if (!before && c->ret < 0)
		return;
	switch (c->sys) {
	case SYS_SOCKET: {
		long long want = sc->ret && sc->ret->kind == SX_INT ? sc->ret->num : c->ret;
		if (want >= 0 && want < MAX_FDS)
			r->fdmap[want] = (int)c->ret;
		int base = (int)(c->arg[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
		struct conn *n = conn_new(r, base == SOCK_DGRAM ? SP_UDP : SP_TCP);
		n->script_fd = (int)want;
		memset(&n->laddr, 0, sizeof(n->laddr));
		r->sut = n;
		break;
	}
	case SYS_BIND:
		if (cn && !c->addr_null && sockaddr_wire(&c->addr, c->addrlen, &cn->laddr, &cn->lport) == 0) {
			if (sk_paddr_unset(&cn->laddr))
				cn->laddr = r->local;
			cn->lport_known = cn->lport != 0;
			cn->bound = cn->lport_known;
		}
		break;
	case SYS_LISTEN:
		if (cn) {
			cn->state = CS_LISTENING;
			if (sk_paddr_unset(&cn->laddr))
				cn->laddr = r->local;
			if (!cn->lport_known) {
				cn->lport = r->bind_port;
				cn->lport_known = 1;
			}
			r->sut = cn;
		}
		break;
	case SYS_CONNECT:
	case SYS_SENDTO:
		if (c->sys == SYS_SENDTO && (c->addr_null || !cn || cn->proto != SP_UDP))
			break;
		/* fall through */
	case SYS_SENDMSG:
		if (c->sys == SYS_SENDMSG && (c->addr_null || !cn || cn->proto != SP_UDP))
			break;
		if (cn && !c->addr_null && sockaddr_wire(&c->addr, c->addrlen, &cn->raddr, &cn->rport) == 0) {
			cn->rport_known = 1;
			if (sk_paddr_unset(&cn->laddr))
				cn->laddr = r->local;
			if (cn->proto == SP_TCP && c->sys == SYS_CONNECT && (cn->state == CS_INIT || cn->attempt_over)) {
				/* a new attempt: its SYN tells the ISN (and the port, unless bound) */
				cn->state = CS_CONNECTING;
				cn->isn_known = 0;
				cn->have_ts = 0;
				cn->nts = 0;
				cn->out_seen = 0;
				if (cn->attempt_over && !cn->bound)
					cn->lport_known = 0;
				cn->attempt_over = 0;
			}
			r->sut = cn;
		}
		break;
	case SYS_ACCEPT:
	case SYS_ACCEPT4: {
		long long want = sc->ret && sc->ret->kind == SX_INT ? sc->ret->num : c->ret;
		if (want >= 0 && want < MAX_FDS)
			r->fdmap[want] = (int)c->ret;
		/* the newest passive connection without a descriptor is the one accepted */
		struct conn *p = NULL;
		for (int i = 0; i < MAX_CONNS; i++)
			if (r->conns[i].used && r->conns[i].state == CS_PASSIVE && r->conns[i].script_fd < 0)
				p = &r->conns[i];
		if (p)
			p->script_fd = (int)want;
		break;
	}
	case SYS_CLOSE:
		if (sfd >= 0 && sfd < MAX_FDS)
			r->fdmap[sfd] = -1;
		if (cn)
			cn->script_fd = -2; /* the connection lives on as long as packets say */
		break;
	default:
		break;
	}
}

/* The expected result of a call line, checked against what came back. */
static int check_result(struct runner *r, const struct sk_se *ev, const struct sk_call *c)
{
	const struct sk_se_call *sc = &ev->call;
	long long want = 0;
	int any = !sc->ret || sc->ret->kind == SX_ELLIPSIS;
	if (!any && sx_int(r, sc->ret, &want) < 0)
		return -1;
	int fdcall = c->sys == SYS_SOCKET || c->sys == SYS_ACCEPT || c->sys == SYS_ACCEPT4;
	if (c->ret < 0) {
		if (!any && want >= 0)
			return fail(r, "%s() = -1 %s (%s), expected %lld", sc->name, sk_errno_name(c->err), strerror(c->err),
				    want);
		if (sc->err) {
			int e;
			if (sk_errno_value(sc->err, &e) < 0)
				return fail(r, "unknown errno name %s", sc->err);
			if (e != c->err)
				return fail(r, "%s() = -1 %s (%s), expected -1 %s", sc->name, sk_errno_name(c->err),
					    strerror(c->err), sc->err);
		}
		return 0;
	}
	if (any)
		return 0;
	if (want < 0)
		return fail(r, "%s() = %ld, expected %lld %s", sc->name, c->ret, want, sc->err ? sc->err : "");
	if (!fdcall && c->ret != want)
		return fail(r, "%s() = %ld, expected %lld", sc->name, c->ret, want);
	return 0;
}

/* Output arguments: getsockopt's value and length, ioctl's value, poll's revents, recvmsg's
 * msg_flags. */
static int check_outputs(struct runner *r, const struct sk_se *ev, const struct sk_call *c)
{
	const struct sk_se_call *sc = &ev->call;
	if (c->ret < 0)
		return 0;
	long long want;
	switch (c->sys) {
	case SYS_GETSOCKOPT: {
		const struct sk_sx *val = sc->args[3], *len = sc->args[4];
		if (val->kind == SX_LIST) {
			int got = 0;
			memcpy(&got, c->opt, c->optlen < sizeof(got) ? c->optlen : sizeof(got));
			if (sx_bracket_int(r, val, &want) < 0)
				return -1;
			char nm[48];
			if (got != want)
				return fail(r, "getsockopt(%s) value %d, expected %lld", sk_sx_format(sc->args[2], nm, sizeof(nm)),
					    got, want);
		} else if (val->kind == SX_STRUCT) {
			const struct sk_sx *on = field(val, "onoff"), *lg = field(val, "linger");
			if (!on)
				on = field(val, "l_onoff");
			if (!lg)
				lg = field(val, "l_linger");
			struct linger li;
			memcpy(&li, c->opt, sizeof(li));
			if (on && on->kind != SX_ELLIPSIS && (sx_int(r, on, &want) < 0 || li.l_onoff != want))
				return r->failed ? -1 : fail(r, "getsockopt(SO_LINGER) l_onoff %d, expected %lld", li.l_onoff, want);
			if (lg && lg->kind != SX_ELLIPSIS && (sx_int(r, lg, &want) < 0 || li.l_linger != want))
				return r->failed ? -1 : fail(r, "getsockopt(SO_LINGER) l_linger %d, expected %lld", li.l_linger, want);
		} else if (val->kind == SX_STRING) {
			if (strncmp((const char *)c->opt, val->str, c->optlen) != 0)
				return fail(r, "getsockopt value \"%.*s\", expected \"%s\"", (int)c->optlen, (const char *)c->opt,
					    val->str);
		}
		if (len->kind == SX_LIST) {
			if (sx_bracket_int(r, len, &want) < 0)
				return -1;
			if (c->optlen != want)
				return fail(r, "getsockopt length %u, expected %lld", (unsigned)c->optlen, want);
		}
		return 0;
	}
	case SYS_IOCTL:
		if (sc->args[2]->kind == SX_LIST && (c->arg[0] == FIONREAD || c->arg[0] == SIOCOUTQ ||
						     c->arg[0] == SIOCOUTQNSD)) {
			if (sx_bracket_int(r, sc->args[2], &want) < 0)
				return -1;
			if (c->ioval != want)
				return fail(r, "ioctl value %d, expected %lld", c->ioval, want);
		}
		return 0;
	case SYS_POLL:
		for (int i = 0; i < c->npfd; i++) {
			const struct sk_sx *rv = field(sc->args[0]->v[i], "revents");
			if (!rv || rv->kind == SX_ELLIPSIS)
				continue;
			if (sx_int(r, rv, &want) < 0)
				return -1;
			if (c->pfd[i].revents != want)
				return fail(r, "poll: revents 0x%x for entry %d, expected 0x%llx", (unsigned)c->pfd[i].revents, i,
					    want);
		}
		return 0;
	case SYS_RECVMSG: {
		const struct sk_sx *fl = field(sc->args[1], "msg_flags");
		if (fl && fl->kind != SX_ELLIPSIS) {
			if (sx_int(r, fl, &want) < 0)
				return -1;
			if (c->msg_flags != want)
				return fail(r, "recvmsg: msg_flags 0x%x, expected 0x%llx", (unsigned)c->msg_flags, want);
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* ---- time ---- */

static int64_t now(struct runner *r)
{
	return (int64_t)r->b->ops->now(r->b);
}

/* The tolerance for an event expected at t (packetdrill's --tolerance_percent widens it by a
 * share of the time since the last event). */
static int64_t tol_for(struct runner *r, int64_t t)
{
	int64_t tol = r->tolerance;
	if (r->tolerance_pct && t > r->last_t) {
		int64_t d = (t - r->last_t) * r->tolerance_pct / 100;
		if (d > tol)
			tol = d;
	}
	return tol;
}

static int finish_pending(struct runner *r);

/* Collects what a blocked call says when it returns. */
static int poll_pending(struct runner *r)
{
	if (!r->pend.active)
		return 0;
	if (!r->b->ops->call_done(r->b, &r->pend.c))
		return 0;
	return finish_pending(r);
}

static int finish_pending(struct runner *r)
{
	struct pending *p = &r->pend;
	int line = r->line;
	r->line = p->ev->line;
	p->active = 0;
	logf_(r, "%s() = %ld%s%s (returned, blocked)", p->ev->call.name, p->c.ret, p->c.ret < 0 ? " " : "",
	      p->c.ret < 0 ? sk_errno_name(p->c.err) : "");
	int rc = 0;
	int64_t t = (int64_t)p->c.t_end, tol = r->tolerance;
	if (p->ev->tkind != ST_ANY && (t < p->end - tol || t > p->end + tol))
		rc = fail(r, "%s() returned at %.6f, expected at %.6f (tolerance %.6f)", p->ev->call.name, secs(t),
			  secs(p->end), secs(tol));
	if (!rc)
		rc = check_result(r, p->ev, &p->c);
	if (!rc)
		rc = check_outputs(r, p->ev, &p->c);
	call_effects(r, p->ev, &p->c, 0);
	bufs_free(p);
	r->line = line;
	return rc;
}

/* Lets time run until t (script µs), collecting packets and blocked calls that return. */
static int wait_until(struct runner *r, int64_t t)
{
	for (int guard = 0; guard < 10000000; guard++) {
		pull(r);
		if (poll_pending(r) < 0)
			return -1;
		if (now(r) >= t)
			return 0;
		r->b->ops->wait(r->b, (uint64_t)t);
	}
	return fail(r, "time did not advance");
}

/* packetdrill: a call waits (up to a second) for a blocked call before it to return. */
static int await_idle(struct runner *r)
{
	/* As long as the blocked call may still take by its own line, at least IDLE_WAIT_US. */
	int64_t limit = now(r) + IDLE_WAIT_US;
	if (r->pend.active && r->pend.ev->tkind != ST_ANY && r->pend.end + r->tolerance > limit)
		limit = r->pend.end + r->tolerance;
	while (r->pend.active) {
		if (now(r) >= limit) {
			int line = r->line;
			r->line = r->pend.ev->line;
			fail(r, "%s() still blocked when the call at line %d began", r->pend.ev->call.name, line);
			return -1;
		}
		pull(r);
		if (poll_pending(r) < 0)
			return -1;
		if (r->pend.active)
			r->b->ops->wait(r->b, (uint64_t)limit);
	}
	return 0;
}

/* ---- packets ---- */

/* TS val the remote echoes (script) -> the live value the local side sent. */
static uint32_t ecr_to_live(const struct conn *c, uint32_t script)
{
	for (int i = c->nts - 1; i >= 0; i--)
		if (c->ts[i].script == script)
			return c->ts[i].live;
	if (c->have_ts)
		return c->ts_first_live + (script - c->ts_first_script);
	return script;
}

static void ts_remember(struct conn *c, uint32_t script, uint32_t live)
{
	if (c->nts < TS_MAP) {
		c->ts[c->nts].script = script;
		c->ts[c->nts].live = live;
		c->nts++;
	} else {
		memmove(&c->ts[0], &c->ts[1], sizeof(c->ts[0]) * (TS_MAP - 1));
		c->ts[TS_MAP - 1].script = script;
		c->ts[TS_MAP - 1].live = live;
	}
	if (!c->have_ts) {
		c->have_ts = 1;
		c->ts_first_script = script;
		c->ts_first_live = live;
	}
}

static uint32_t local_offset(const struct conn *c)
{
	return c->isn_known ? c->isn_live - c->isn_script : 0;
}

static int inject(struct runner *r, const struct sk_se *ev)
{
	struct sk_sp p = ev->pkt;
	struct conn *c = conn_for_packet(r, &p);
	uint32_t off = local_offset(c);
	if (p.proto == SP_TCP) {
		if (p.has_ack || (p.flags & 0x10))
			p.ack += off;
		for (int i = 0; i < p.nopt; i++) {
			if (p.opt[i].kind == 5)
				for (int k = 0; k < p.opt[i].nsack; k++) {
					p.opt[i].sack[k][0] += off;
					p.opt[i].sack[k][1] += off;
				}
			if (p.opt[i].kind == 8 && (p.flags & 0x10))
				p.opt[i].ecr = ecr_to_live(c, p.opt[i].ecr);
		}
	}
	if (p.proto == SP_ICMP && !p.echoed && c->proto == SP_UDP) {
		/* an error about a datagram: quote the latest one sent */
		p.echoed = 2;
		p.echo_len = c->last_out_len;
	}
	struct sk_flow f = {c->raddr, c->laddr, c->rport, c->lport};
	struct sk_flow q = {c->laddr, c->raddr, c->lport, c->rport};
	uint32_t qseq = p.echoed == 1 ? p.echo_seq + off : c->last_out_seq;
	uint8_t *buf = malloc(PKT_CAP);
	if (!buf)
		return fail(r, "out of memory");
	char why[160];
	int n = sk_pkt_build(&p, &f, &q, qseq, buf, PKT_CAP, why, sizeof(why));
	if (n < 0) {
		free(buf);
		return fail(r, "%s", why);
	}
	char txt[256];
	logf_(r, "inject %s", sk_sp_format(&ev->pkt, txt, sizeof(txt)));
	int e = r->b->ops->inject(r->b, buf, (size_t)n);
	free(buf);
	if (e < 0)
		return fail(r, "injecting the packet failed: %s", strerror(-e));
	return 0;
}

/* Whether a live packet is the connection's: its addresses and ports, or the first SYN of
 * a connect() that has not shown its local port yet (or the first datagram of a UDP socket
 * that named its peer without binding). */
static int belongs(const struct conn *c, const struct sk_live *l)
{
	if (!sk_paddr_eq(&l->f.src, &c->laddr) || !sk_paddr_eq(&l->f.dst, &c->raddr))
		return 0;
	if (l->p.proto == SP_ICMP)
		return 1;
	if ((l->p.proto == SP_TCP) != (c->proto == SP_TCP))
		return 0;
	if (c->rport_known && l->f.dport != c->rport)
		return 0;
	if (c->lport_known)
		return l->f.sport == c->lport;
	if (l->p.proto == SP_UDP)
		return c->rport_known;
	return c->state == CS_CONNECTING && l->p.proto == SP_TCP && (l->p.flags & 0x12) == 0x02;
}

/* Compares a live packet (already in script space) with the script's line: "" if they
 * match, else what differs, into msg. */
static void compare(struct runner *r, const struct sk_sp *w, const struct sk_sp *g, const struct sk_live *l,
		    char *msg, size_t n)
{
	msg[0] = 0;
	if (w->proto != g->proto) {
		snprintf(msg, n, "protocol differs");
		return;
	}
	if (w->ecn != SP_ECN_ANY) {
		int ok = w->ecn == SP_ECN_ECT01 ? (g->ecn == 1 || g->ecn == 2) : g->ecn == w->ecn;
		if (!ok) {
			snprintf(msg, n, "IP ECN field: expected %d, got %d", w->ecn, g->ecn);
			return;
		}
	}
	if (w->proto == SP_UDP) {
		if (w->len != g->len)
			snprintf(msg, n, "UDP payload: expected %u bytes, got %u", w->len, g->len);
		return;
	}
	if (w->proto == SP_ICMP) {
		int t, c;
		if (sk_icmp_names(w->icmp_type, w->icmp_code, l->v6, &t, &c) < 0)
			snprintf(msg, n, "unknown %s type/code", l->v6 ? "ICMPv6" : "ICMP");
		else if (t != l->icmp_type || c != l->icmp_code)
			snprintf(msg, n, "ICMP type/code: expected %d/%d, got %d/%d", t, c, l->icmp_type, l->icmp_code);
		else if (w->has_mtu && w->mtu != l->icmp_mtu)
			snprintf(msg, n, "ICMP MTU: expected %u, got %u", w->mtu, l->icmp_mtu);
		return;
	}
	if (w->flags != g->flags) {
		snprintf(msg, n, "flags: expected 0x%02x, got 0x%02x", w->flags, g->flags);
		return;
	}
	if (w->seq != g->seq) {
		snprintf(msg, n, "seq: expected %u, got %u", w->seq, g->seq);
		return;
	}
	if (w->len != g->len) {
		snprintf(msg, n, "payload: expected %u bytes, got %u", w->len, g->len);
		return;
	}
	if ((w->has_ack || (w->flags & 0x10)) && w->ack != g->ack) {
		snprintf(msg, n, "ack: expected %u, got %u", w->ack, g->ack);
		return;
	}
	if (w->has_win && w->win != g->win) {
		snprintf(msg, n, "window: expected %u, got %u", w->win, g->win);
		return;
	}
	if (w->opts == SP_OPTS_ANY)
		return;
	if (w->opts == SP_OPTS_NONE && g->opts == SP_OPTS_NONE)
		return;
	int wn = w->opts == SP_OPTS_LIST ? w->nopt : 0;
	if (wn != g->nopt) {
		snprintf(msg, n, "TCP options: expected %d, got %d", wn, g->nopt);
		return;
	}
	for (int i = 0; i < wn; i++) {
		const struct sk_sp_opt *a = &w->opt[i], *b = &g->opt[i];
		if (a->kind != b->kind) {
			snprintf(msg, n, "TCP option %d: expected kind %u, got kind %u", i + 1, a->kind, b->kind);
			return;
		}
		switch (a->kind) {
		case 2:
		case 3:
			if (a->val != b->val)
				snprintf(msg, n, "TCP option %s: expected %u, got %u", a->kind == 2 ? "mss" : "wscale", a->val,
					 b->val);
			break;
		case 5:
			if (a->nsack != b->nsack) {
				snprintf(msg, n, "SACK blocks: expected %u, got %u", a->nsack, b->nsack);
				break;
			}
			for (int k = 0; k < a->nsack; k++)
				if (a->sack[k][0] != b->sack[k][0] || a->sack[k][1] != b->sack[k][1]) {
					snprintf(msg, n, "SACK block %d: expected %u:%u, got %u:%u", k + 1, a->sack[k][0],
						 a->sack[k][1], b->sack[k][0], b->sack[k][1]);
					break;
				}
			break;
		case 8:
			if (r->ts_tick) {
				int64_t d = (int64_t)(int32_t)(b->val - a->val) * r->ts_tick;
				if (d > r->tolerance || d < -r->tolerance)
					snprintf(msg, n, "TS val: expected %u, got %u (%" PRId64 " us off)", a->val, b->val, d);
			}
			if (!msg[0] && r->check_ecr && a->ecr != b->ecr)
				snprintf(msg, n, "TS ecr: expected %u, got %u", a->ecr, b->ecr);
			break;
		default:
			break;
		}
		if (msg[0])
			return;
	}
}

static int expect_packet(struct runner *r, const struct sk_se *ev, int64_t t, int64_t t_hi)
{
	const struct sk_sp *w = &ev->pkt;
	struct conn *c = conn_for_packet(r, w);
	int64_t tol = tol_for(r, t);
	int64_t lo = t - tol, hi = t_hi + tol;
	char want[256], got[256];
	for (;;) {
		pull(r);
		if (poll_pending(r) < 0)
			return -1;
		struct outpkt *q;
		while ((q = qpop(r))) {
			struct sk_live l;
			if (sk_live_parse(q->data, q->len, &l) < 0 || !belongs(c, &l)) {
				free(q);
				continue;
			}
			int64_t when = (int64_t)q->t;
			free(q);
			/* learn what the first packets tell: the local port and ISN */
			if (l.p.proto == SP_TCP) {
				if (!c->lport_known) {
					c->lport = l.f.sport;
					c->lport_known = 1;
				}
				if (!c->isn_known && (l.p.flags & 0x02) && (w->flags & 0x02)) {
					c->isn_live = l.p.seq;
					c->isn_script = w->seq;
					c->isn_known = 1;
				}
				c->last_out_seq = l.p.seq;
			} else if (l.p.proto == SP_UDP) {
				if (!c->lport_known) {
					c->lport = l.f.sport;
					c->lport_known = 1;
				}
				c->last_out_len = l.p.len;
			}
			/* into script space */
			struct sk_sp g = l.p;
			if (g.proto == SP_TCP) {
				uint32_t off = local_offset(c);
				g.seq -= off;
				g.end = g.seq + g.len;
				int wts = -1;
				for (int k = 0; w->opts == SP_OPTS_LIST && k < w->nopt; k++)
					if (w->opt[k].kind == 8)
						wts = k;
				for (int i = 0; i < g.nopt; i++) {
					if (g.opt[i].kind != 8)
						continue;
					if (wts >= 0)
						ts_remember(c, w->opt[wts].val, g.opt[i].val);
					if (c->have_ts)
						g.opt[i].val = c->ts_first_script + (g.opt[i].val - c->ts_first_live);
				}
				if (!w->has_win)
					g.has_win = 0;
				if (!w->has_ack && !(g.flags & 0x10))
					g.has_ack = 0;
			} else if (g.proto == SP_ICMP) {
				g.icmp_type = w->icmp_type;
				g.icmp_code = w->icmp_code;
				g.has_mtu = w->has_mtu;
				g.mtu = l.icmp_mtu;
				if (g.echoed == 1)
					g.echo_seq -= local_offset(c);
			}
			if (w->ecn == SP_ECN_ANY)
				g.ecn = SP_ECN_ANY;
			char diff[200];
			compare(r, w, &g, &l, diff, sizeof(diff));
			sk_sp_format(w, want, sizeof(want));
			sk_sp_format(&g, got, sizeof(got));
			logf_(r, "sniffed %s", got);
			if (diff[0])
				return fail(r, "outbound packet differs: %s\n  expected %.6f %s\n  seen     %.6f %s", diff,
					    secs(t), want, secs(when), got);
			if (ev->tkind != ST_ANY && (when < lo || when > hi))
				return fail(r, "outbound packet at %.6f, expected at %.6f%s (tolerance %.6f)\n  seen %s",
					    secs(when), secs(t), t_hi != t ? " and later" : "", secs(tol), got);
			return 0;
		}
		if (ev->tkind != ST_ANY && now(r) > hi)
			return fail(r, "expected outbound packet at %.6f (tolerance %.6f), none by %.6f\n  expected %s", secs(t),
				    secs(tol), secs(now(r)), sk_sp_format(w, want, sizeof(want)));
		if (ev->tkind == ST_ANY && now(r) > t + 60000000)
			return fail(r, "expected outbound packet, none within 60 s\n  expected %s",
				    sk_sp_format(w, want, sizeof(want)));
		r->b->ops->wait(r->b, (uint64_t)(ev->tkind == ST_ANY ? t + 60000001 : hi + 1));
	}
}

/* ---- sysctl and code ---- */

static int shell(struct runner *r, const struct sk_se *ev)
{
	struct sk_sysctl_set set[32];
	char why[200];
	int n = sk_shell_sysctls(ev->text, set, 32, why, sizeof(why));
	if (n < 0)
		return fail(r, "%s", why);
	for (int i = 0; i < n; i++) {
		if (sk_sysctl_check(set[i].name, set[i].value, why, sizeof(why)) < 0)
			return fail(r, "%s", why);
		if (r->b->ops->sysctl(r->b, set[i].name, set[i].value, why, sizeof(why)) < 0)
			return fail(r, "%s", why);
		logf_(r, "sysctl %s=%s", set[i].name, set[i].value);
	}
	return 0;
}

/* A code block checks TCP_INFO of the socket under test, as it is now. */
static int code(struct runner *r, const struct sk_se *ev)
{
	const struct conn *c = r->sut;
	if (!c || c->script_fd < 0 || c->script_fd >= MAX_FDS || r->fdmap[c->script_fd] < 0)
		return fail(r, "code block: the socket under test has no open descriptor");
	struct tcp_info ti;
	memset(&ti, 0, sizeof(ti));
	int e = r->b->ops->tcp_info(r->b, r->fdmap[c->script_fd], &ti);
	if (e < 0)
		return fail(r, "code block: TCP_INFO: %s", strerror(-e));
	char why[300];
	int rc = sk_code_run(ev->text, &ti, why, sizeof(why));
	if (rc)
		return fail(r, "%s", why);
	return 0;
}

/* ---- calls ---- */

static int do_call(struct runner *r, const struct sk_se *ev, int64_t t, int64_t base)
{
	if (await_idle(r) < 0)
		return -1;
	if (wait_until(r, t) < 0)
		return -1;
	struct pending *p = &r->pend;
	memset(p, 0, sizeof(*p));
	if (build_call(r, ev, p) < 0) {
		bufs_free(p);
		return -1;
	}
	p->ev = ev;
	p->end = ev->call.blocking ? (ev->tkind == ST_ABS ? ev->call.end : base + ev->call.end) : t;
	call_effects(r, ev, &p->c, 1);
	int done = r->b->ops->call(r->b, &p->c);
	if (!done) {
		p->active = 1;
		if (ev->call.blocking)
			return 0;
		/* Not marked as blocking: it must return at once (a backend may report a call as
		 * blocked that finishes right after). */
		int64_t lim = now(r) + r->tolerance;
		while (p->active && now(r) < lim) {
			r->b->ops->wait(r->b, (uint64_t)lim);
			pull(r);
			if (r->b->ops->call_done(r->b, &p->c)) {
				p->active = 0;
				done = 1;
			}
		}
		if (!done) {
			fail(r, "%s() blocked; the script expects it to return at once (write \"%.3f...END\" for a "
				"call that blocks)",
			     ev->call.name, secs(t));
			return -1;
		}
	}
	logf_(r, "%s() = %ld%s%s", ev->call.name, p->c.ret, p->c.ret < 0 ? " " : "", p->c.ret < 0 ? sk_errno_name(p->c.err) : "");
	int rc = 0;
	if (ev->call.blocking && ev->tkind != ST_ANY) {
		int64_t tol = r->tolerance, te = (int64_t)p->c.t_end;
		if (te < p->end - tol || te > p->end + tol)
			rc = fail(r, "%s() returned at %.6f, expected at %.6f (tolerance %.6f)", ev->call.name, secs(te),
				  secs(p->end), secs(tol));
	}
	if (!rc)
		rc = check_result(r, ev, &p->c);
	if (!rc)
		rc = check_outputs(r, ev, &p->c);
	call_effects(r, ev, &p->c, 0);
	bufs_free(p);
	return rc;
}

/* ---- the event loop ---- */

static int inbound(const struct sk_se *e)
{
	return e && e->kind == SE_PACKET && e->pkt.dir == '<';
}

static int run_events(struct runner *r)
{
	const struct sk_script *s = r->s;
	for (int i = 0; i < s->nev; i++) {
		const struct sk_se *ev = &s->ev[i];
		r->line = ev->line;
		if (i == 0 && ev->tkind != ST_ABS && !ev->init)
			return fail(r, "the first event must be at an absolute time (0)");
		if (i == 0 && !ev->init && ev->t != 0)
			return fail(r, "the first event must be at time 0");
		/* packetdrill: relative times count from the last inbound packet's time when both
		 * are inbound packets, otherwise from now */
		int64_t base = inbound(r->last) && inbound(ev) ? r->last_t : now(r);
		int64_t t = ev->t, t_hi = ev->t;
		switch (ev->tkind) {
		case ST_ABS:
			break;
		case ST_ABS_RANGE:
			t_hi = ev->t_end;
			break;
		case ST_REL:
			t = t_hi = base + ev->t;
			break;
		case ST_REL_RANGE:
			t = base + ev->t;
			t_hi = base + ev->t_end;
			break;
		case ST_ANY:
			t = t_hi = now(r);
			break;
		}
		if (r->last && (ev->tkind == ST_ABS || ev->tkind == ST_ABS_RANGE) && t < r->last_t &&
		    (r->last->tkind == ST_ABS || r->last->tkind == ST_ABS_RANGE))
			return fail(r, "time goes backwards in the script: %.6f after %.6f", secs(t), secs(r->last_t));
		int rc = 0;
		switch (ev->kind) {
		case SE_PACKET:
			if (ev->pkt.dir == '<') {
				rc = wait_until(r, t);
				if (!rc)
					rc = inject(r, ev);
			} else {
				rc = expect_packet(r, ev, t, t_hi);
			}
			break;
		case SE_CALL:
			rc = do_call(r, ev, t, base);
			break;
		case SE_SHELL:
			rc = wait_until(r, t);
			if (!rc)
				rc = shell(r, ev);
			break;
		case SE_CODE:
			rc = wait_until(r, t);
			if (!rc)
				rc = code(r, ev);
			break;
		}
		if (rc < 0 || r->failed)
			return -1;
		r->last = ev;
		r->last_t = t;
	}
	/* a blocked call must have returned by the end (packetdrill waits up to a second) */
	if (r->pend.active && await_idle(r) < 0)
		return -1;
	return 0;
}

enum sk_run_result sk_run_script(const struct sk_script *s, struct sk_backend *b, const struct sk_run_opts *o,
				 char *why, size_t whylen)
{
	struct runner *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(why, whylen, "%s: out of memory", s->path);
		return SK_RUN_ERROR;
	}
	r->s = s;
	r->b = b;
	r->o = o;
	r->why = why;
	r->whylen = whylen;
	r->next_rport = 40000;
	why[0] = 0;
	for (int i = 0; i < MAX_FDS; i++)
		r->fdmap[i] = -1;
	enum sk_run_result res = SK_RUN_ERROR;
	if (options(r) < 0)
		goto out;
	struct sk_run_net net;
	memset(&net, 0, sizeof(net));
	net.mtu = r->mtu;
	if (r->local.v6) {
		net.v6 = 1;
		memcpy(&net.local6, r->local.b, 16);
		memcpy(&net.remote6, r->remote.b, 16);
		net.prefix6 = r->prefix;
	} else {
		memcpy(&net.local.s_addr, r->local.b, 4);
		memcpy(&net.remote.s_addr, r->remote.b, 4);
		net.prefix = r->prefix;
	}
	char ow[200];
	if (b->ops->open(b, &net, ow, sizeof(ow)) < 0) {
		r->line = 1;
		fail(r, "%s", ow);
		goto out;
	}
	(void)now(r); /* time 0 */
	/* init commands (before the first timed event) run first */
	res = run_events(r) < 0 ? SK_RUN_FAIL : SK_RUN_PASS;
	if (res == SK_RUN_FAIL && (strstr(why, "not supported") || strstr(why, "refused") || strstr(why, "unknown symbol")))
		res = SK_RUN_ERROR;
out:
	if (r->pend.active) {
		/* the backend keeps the call's buffers until it closes: leave them to close */
	} else {
		bufs_free(&r->pend);
	}
	struct outpkt *q;
	while ((q = qpop(r)))
		free(q);
	b->ops->close(b);
	if (r->pend.active)
		bufs_free(&r->pend);
	free(r);
	return res;
}
