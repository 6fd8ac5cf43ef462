/* The script runner's in-process backend: one synack stack on a virtual clock, its packets in
 * a queue, system calls through the POSIX layer (a blocked call is retried as time runs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "script/run.h"
#include "script/sysctl.h"
#include "sock/posix.h"
#include "stack/stack.h"
#include "tcp/cc.h"
#include "tcp/tcb.h"

#define BASE_US 1000000ull /* stack time = script time + this (the stack's clock starts at 0) */

struct sbe_pkt {
	struct sbe_pkt *next;
	uint64_t t;
	size_t len;
	uint8_t data[];
};

struct sbe {
	struct sk_backend be;
	synack_stack *st;
	struct sk_px *px;
	uint64_t now;            /* script µs */
	struct sbe_pkt *head, *tail;
	struct sk_call *pend;    /* the blocked call, if any */
	int pend_done;
	struct sk_px_wait w;     /* its progress */
	struct msghdr m;         /* its message (send and receive calls) */
	struct iovec iov1;
};

static struct sbe *sbe(struct sk_backend *b)
{
	return (struct sbe *)b;
}

static int output(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct sbe *b = ctx;
	struct sbe_pkt *p = malloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	p->next = NULL;
	p->t = now >= BASE_US ? now - BASE_US : 0;
	p->len = len;
	memcpy(p->data, pkt, len);
	if (b->tail)
		b->tail->next = p;
	else
		b->head = p;
	b->tail = p;
	return 0;
}

static int sbe_open(struct sk_backend *be, const struct sk_run_net *net, char *why, size_t whylen)
{
	struct sbe *b = sbe(be);
	struct synack_config cfg;
	synack_config_defaults(&cfg);
	/* A fixed secret and seed: a script's run is the same every time. */
	memset(cfg.secret, 0x5a, sizeof(cfg.secret));
	cfg.seed = 1;
	int err;
	b->st = synack_stack_new(&cfg, &err);
	if (!b->st) {
		snprintf(why, whylen, "synack: cannot create the stack: %s", strerror(-err));
		return -1;
	}
	synack_poll(b->st, BASE_US);
	/* the one address of the wire's family (IPv6 for --ip_version=ipv6) */
	struct synack_ip ip = {net->v6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, {0}};
	if (net->v6)
		memcpy(ip.bytes, &net->local6, 16);
	else
		memcpy(ip.bytes, &net->local, 4);
	int id = synack_add_addr(b->st, &ip, net->v6 ? net->prefix6 : net->prefix, net->mtu, output, b);
	if (id < 0) {
		snprintf(why, whylen, "synack: address: %s", strerror(-id));
		return -1;
	}
	b->px = sk_px_new(b->st);
	if (!b->px) {
		snprintf(why, whylen, "synack: out of memory");
		return -1;
	}
	return 0;
}

static int sbe_sysctl(struct sk_backend *be, const char *name, const char *value, char *why, size_t whylen)
{
	struct sbe *b = sbe(be);
	if (sk_sysctl_apply(&b->st->cfg, name, value, why, whylen) < 0)
		return -1;
	b->st->cc_default = sk_cc_find(b->st->cfg.tcp_congestion_control);
	return 0;
}

static uint64_t sbe_now(struct sk_backend *be)
{
	return sbe(be)->now;
}

/* Runs call c (again) on the POSIX layer: 1 when it is over (results in c), 0 if it waits. */
static int exec(struct sbe *b, struct sk_call *c)
{
	struct sk_px *px = b->px;
	struct sk_px_wait *w = &b->w;
	struct sockaddr *addr = c->addr_null ? NULL : (struct sockaddr *)&c->addr;
	socklen_t *alen = c->addr_null ? NULL : &c->addrlen;
	long r;
	switch (c->sys) {
	case SYS_SOCKET:
		r = sk_px_socket(px, (int)c->arg[0], (int)c->arg[1], (int)c->arg[2]);
		break;
	case SYS_BIND:
		r = sk_px_bind(px, c->fd, addr, c->addrlen);
		break;
	case SYS_LISTEN:
		r = sk_px_listen(px, c->fd, (int)c->arg[0]);
		break;
	case SYS_ACCEPT:
	case SYS_ACCEPT4:
		r = sk_px_accept(px, c->fd, addr, alen, c->sys == SYS_ACCEPT4 ? (int)c->arg[0] : 0, w);
		break;
	case SYS_CONNECT:
		r = sk_px_connect(px, c->fd, addr, c->addrlen, w);
		break;
	case SYS_READ:
	case SYS_RECV:
	case SYS_RECVFROM:
	case SYS_READV:
	case SYS_RECVMSG:
	case SYS_WRITE:
	case SYS_SEND:
	case SYS_SENDTO:
	case SYS_WRITEV:
	case SYS_SENDMSG: {
		int vec = c->sys == SYS_READV || c->sys == SYS_RECVMSG || c->sys == SYS_WRITEV || c->sys == SYS_SENDMSG;
		if (!w->started) {
			memset(&b->m, 0, sizeof(b->m));
			b->iov1.iov_base = c->buf;
			b->iov1.iov_len = c->len;
			b->m.msg_iov = vec ? c->iov : &b->iov1;
			b->m.msg_iovlen = vec ? (size_t)c->iovcnt : 1;
			if (addr) {
				b->m.msg_name = addr;
				b->m.msg_namelen = c->addrlen;
			}
		}
		int flags = (c->sys == SYS_READ || c->sys == SYS_WRITE || c->sys == SYS_READV || c->sys == SYS_WRITEV)
				    ? 0
				    : (int)c->arg[0];
		int rd = c->sys == SYS_READ || c->sys == SYS_RECV || c->sys == SYS_RECVFROM || c->sys == SYS_READV ||
			 c->sys == SYS_RECVMSG;
		r = rd ? sk_px_recvmsg(px, c->fd, &b->m, flags, w) : sk_px_sendmsg(px, c->fd, &b->m, flags, w);
		if (r != SK_PX_WAIT && rd) {
			c->msg_flags = b->m.msg_flags;
			if (addr)
				c->addrlen = b->m.msg_namelen;
		}
		break;
	}
	case SYS_SHUTDOWN:
		r = sk_px_shutdown(px, c->fd, (int)c->arg[0]);
		break;
	case SYS_CLOSE:
		r = sk_px_close(px, c->fd, w);
		break;
	case SYS_SETSOCKOPT:
		r = sk_px_setsockopt(px, c->fd, (int)c->arg[0], (int)c->arg[1], c->opt_null ? NULL : c->opt, c->optlen);
		break;
	case SYS_GETSOCKOPT:
		r = sk_px_getsockopt(px, c->fd, (int)c->arg[0], (int)c->arg[1], c->opt_null ? NULL : c->opt, &c->optlen);
		break;
	case SYS_GETSOCKNAME:
		r = sk_px_getsockname(px, c->fd, addr, alen);
		break;
	case SYS_GETPEERNAME:
		r = sk_px_getpeername(px, c->fd, addr, alen);
		break;
	case SYS_FCNTL:
		r = sk_px_fcntl(px, c->fd, (int)c->arg[0], c->arg[1]);
		break;
	case SYS_IOCTL:
		r = sk_px_ioctl(px, c->fd, (unsigned long)c->arg[0], &c->ioval);
		break;
	case SYS_POLL:
		r = sk_px_poll(px, c->pfd, (nfds_t)c->npfd, (int)c->arg[0], w);
		break;
	default:
		r = -ENOSYS;
		break;
	}
	if (r == SK_PX_WAIT)
		return 0;
	c->ret = r < 0 ? -1 : r;
	c->err = r < 0 ? (int)-r : 0;
	c->t_end = b->now;
	return 1;
}

/* A blocked call tries again after anything happened. */
static void retry(struct sbe *b)
{
	if (b->pend && !b->pend_done && exec(b, b->pend))
		b->pend_done = 1;
}

static void advance(struct sbe *b, uint64_t script_us)
{
	if (script_us > b->now)
		b->now = script_us;
	synack_poll(b->st, b->now + BASE_US);
	retry(b);
}

static void sbe_wait(struct sk_backend *be, uint64_t until)
{
	struct sbe *b = sbe(be);
	for (int guard = 0; guard < 1000000; guard++) {
		if (b->head || (b->pend && b->pend_done) || b->now >= until)
			return;
		uint64_t d = synack_next_deadline(b->st); /* stack time */
		if (b->pend && !b->pend_done && b->w.started && b->w.deadline < d)
			d = b->w.deadline;
		uint64_t next = d == UINT64_MAX || d < BASE_US ? until : d - BASE_US;
		if (next > until)
			next = until;
		if (next <= b->now) {
			/* due now: run it, then the clock must move */
			advance(b, b->now);
			if (b->head || (b->pend && b->pend_done))
				return;
			next = b->now + 1 < until ? b->now + 1 : until;
			d = synack_next_deadline(b->st);
			if (d != UINT64_MAX && d >= BASE_US && d - BASE_US > b->now && d - BASE_US < next)
				next = d - BASE_US;
		}
		advance(b, next);
	}
}

static int sbe_inject(struct sk_backend *be, const uint8_t *pkt, size_t len)
{
	struct sbe *b = sbe(be);
	synack_input(b->st, pkt, len, b->now + BASE_US);
	retry(b);
	return 0;
}

static size_t sbe_sniff(struct sk_backend *be, uint8_t *buf, size_t cap, uint64_t *t)
{
	struct sbe *b = sbe(be);
	struct sbe_pkt *p = b->head;
	if (!p)
		return 0;
	b->head = p->next;
	if (!b->head)
		b->tail = NULL;
	size_t n = p->len < cap ? p->len : cap;
	memcpy(buf, p->data, n);
	*t = p->t;
	free(p);
	return n;
}

static int sbe_call(struct sk_backend *be, struct sk_call *c)
{
	struct sbe *b = sbe(be);
	memset(&b->w, 0, sizeof(b->w));
	b->pend = NULL;
	b->pend_done = 0;
	if (exec(b, c))
		return 1;
	b->pend = c;
	return 0;
}

static int sbe_call_done(struct sk_backend *be, struct sk_call *c)
{
	struct sbe *b = sbe(be);
	if (b->pend != c)
		return 1;
	if (!b->pend_done)
		return 0;
	b->pend = NULL;
	b->pend_done = 0;
	return 1;
}

/* Linux's TCP states, as TCP_INFO gives them. */
static const uint8_t linux_state[] = {
	[SYNACK_CLOSED] = 7, [SYNACK_LISTEN] = 10, [SYNACK_SYN_SENT] = 2, [SYNACK_SYN_RCVD] = 3,
	[SYNACK_ESTABLISHED] = 1, [SYNACK_FIN_WAIT_1] = 4, [SYNACK_FIN_WAIT_2] = 5,
	[SYNACK_CLOSE_WAIT] = 8, [SYNACK_CLOSING] = 11, [SYNACK_LAST_ACK] = 9, [SYNACK_TIME_WAIT] = 6,
};

/* Linux's struct tcp_info from the TCB: windows in segments, times in µs. */
static int sbe_tcp_info(struct sk_backend *be, int fd, struct tcp_info *out)
{
	struct sbe *b = sbe(be);
	memset(out, 0, sizeof(*out));
	synack_stack *st = b->st;
	if (fd < 0 || (uint32_t)fd >= st->handles.used || !st->handles.v[fd] || st->handles.v[fd]->kind != SK_CONN_TCB)
		return -EBADF;
	const struct sk_tcb *t = (const struct sk_tcb *)st->handles.v[fd];
	uint32_t mss = sk_tcp_eff_mss(t);
	if (!mss)
		mss = 1;
	out->tcpi_state = t->state < sizeof(linux_state) ? linux_state[t->state] : 0;
	out->tcpi_ca_state = t->backoff || t->in_recovery == SK_REC_LOSS ? 4 : t->in_recovery ? 3 : (t->ecn & ECN_IN_CWR) ? 2 : t->dupacks ? 1 : 0;
	out->tcpi_retransmits = t->backoff;
	out->tcpi_backoff = t->backoff;
	out->tcpi_probes = t->persist_backoff;
	out->tcpi_options = (uint8_t)(((t->flags & TF_TS) ? 1 : 0) | ((t->flags & TF_SACK) ? 2 : 0) |
				      ((t->flags & TF_WS) ? 4 : 0));
	out->tcpi_snd_wscale = t->snd_wscale & 15;
	out->tcpi_rcv_wscale = t->rcv_wscale & 15;
	out->tcpi_rto = t->rto;
	out->tcpi_ato = st->cfg.tcp_delack_min_ms * 1000u;
	out->tcpi_snd_mss = mss;
	out->tcpi_rcv_mss = t->adv_mss;
	out->tcpi_unacked = (t->snd_max - t->snd_una + mss - 1) / mss;
	out->tcpi_sacked = t->fl && t->fl->sb ? (t->fl->sb->sacked + mss - 1) / mss : 0;
	out->tcpi_rtt = t->srtt;
	out->tcpi_rttvar = t->rttvar;
	out->tcpi_snd_ssthresh = t->cc.ssthresh == UINT32_MAX ? 0x7fffffff : t->cc.ssthresh / mss;
	out->tcpi_snd_cwnd = t->cc.cwnd / mss;
	out->tcpi_advmss = t->adv_mss;
	out->tcpi_reordering = 3;
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	out->tcpi_pmtu = sk_route_mtu_ends(st, &e);
	out->tcpi_rcv_space = t->rcvbuf;
	out->tcpi_total_retrans = sk_tcb_cold_view(t)->total_retrans;
	return 0;
}

static void sbe_close(struct sk_backend *be)
{
	struct sbe *b = sbe(be);
	while (b->head) {
		struct sbe_pkt *p = b->head;
		b->head = p->next;
		free(p);
	}
	sk_px_free(b->px);
	if (b->st)
		synack_stack_free(b->st);
	free(b);
}

static const struct sk_backend_ops sbe_ops = {
	.name = "synack",
	.open = sbe_open,
	.sysctl = sbe_sysctl,
	.now = sbe_now,
	.wait = sbe_wait,
	.inject = sbe_inject,
	.sniff = sbe_sniff,
	.call = sbe_call,
	.call_done = sbe_call_done,
	.tcp_info = sbe_tcp_info,
	.close = sbe_close,
};

struct sk_backend *sk_be_synack_new(void)
{
	struct sbe *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->be.ops = &sbe_ops;
	b->be.priv = b;
	return &b->be;
}
