/* POSIX socket calls with Linux's semantics over the native API, sans-I/O (sock/posix.h):
 * descriptor records, argument checks in Linux's order, and resumable blocking. */
#include "sock/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "stack/addr.h"
#include "tcp/seq.h"
#include "tcp/tcb.h"
#include "udp/udp.h"

_Static_assert((int)SOCK_STREAM == (int)SYNACK_SOCK_STREAM && (int)SOCK_DGRAM == (int)SYNACK_SOCK_DGRAM,
	       "socket types");
_Static_assert((int)SHUT_RD == (int)SYNACK_SHUT_RD && (int)SHUT_WR == (int)SYNACK_SHUT_WR &&
		       (int)SHUT_RDWR == (int)SYNACK_SHUT_RDWR,
	       "shutdown");
_Static_assert(POLLIN == SYNACK_EV_IN && POLLOUT == SYNACK_EV_OUT && POLLERR == SYNACK_EV_ERR &&
		       POLLHUP == SYNACK_EV_HUP && POLLRDHUP == SYNACK_EV_RDHUP,
	       "poll bits");
_Static_assert(sizeof(struct linger) == sizeof(struct synack_linger), "linger");
_Static_assert((int)SOL_SOCKET == (int)SYNACK_SOL_SOCKET && (int)IPPROTO_TCP == (int)SYNACK_IPPROTO_TCP, "levels");

/* Linux's socket states (struct socket, not the TCP state): what connect() answers. */
enum { SS_UNCONN = 0, SS_CONNECTING, SS_CONNECTED };

struct px_fd {
	uint32_t gen;        /* bumped on close */
	uint8_t open;
	uint8_t nonblock;
	uint8_t cloexec;
	uint8_t type;        /* SYNACK_SOCK_STREAM / SYNACK_SOCK_DGRAM */
	uint8_t v6;          /* AF_INET6: its addresses are struct sockaddr_in6 */
	uint8_t sstate;      /* SS_* */
	int pend_err;        /* an error a partial transfer consumed: the next call reports it */
	int64_t rcvtimeo_us; /* -1: wait forever; 0: do not wait */
	int64_t sndtimeo_us;
};

struct sk_px {
	synack_stack *st;
	struct px_fd *v;
	uint32_t cap;
};

struct sk_px *sk_px_new(synack_stack *st)
{
	struct sk_px *px = calloc(1, sizeof(*px));
	if (px)
		px->st = st;
	return px;
}

void sk_px_free(struct sk_px *px)
{
	if (!px)
		return;
	free(px->v);
	free(px);
}

static uint64_t now_of(const struct sk_px *px)
{
	return px->st->now;
}

/* The record of an open descriptor, or NULL. */
static struct px_fd *rec(struct sk_px *px, int fd)
{
	if (!px || fd < 0 || (uint32_t)fd >= px->cap || !px->v[fd].open)
		return NULL;
	return &px->v[fd];
}

/* The record for a handle the stack just made (grows the table). */
static struct px_fd *rec_new(struct sk_px *px, int fd, int type)
{
	if (fd < 0)
		return NULL;
	if ((uint32_t)fd >= px->cap) {
		uint32_t cap = px->cap ? px->cap : 64;
		while (cap <= (uint32_t)fd)
			cap *= 2;
		struct px_fd *v = realloc(px->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + px->cap, 0, (cap - px->cap) * sizeof(*v));
		px->v = v;
		px->cap = cap;
	}
	struct px_fd *e = &px->v[fd];
	uint32_t gen = e->gen;
	memset(e, 0, sizeof(*e));
	e->gen = gen;
	e->open = 1;
	e->type = (uint8_t)type;
	e->rcvtimeo_us = e->sndtimeo_us = -1;
	return e;
}

uint32_t sk_px_gen(struct sk_px *px, int fd)
{
	return px && fd >= 0 && (uint32_t)fd < px->cap ? px->v[fd].gen : 0;
}

int sk_px_is_open(struct sk_px *px, int fd)
{
	return rec(px, fd) != NULL;
}

int sk_px_nonblocking(struct sk_px *px, int fd)
{
	struct px_fd *e = rec(px, fd);
	return e && e->nonblock;
}

static struct sk_tcb *tcb_of(struct sk_px *px, int fd)
{
	struct synack_stack *st = px->st;
	if (fd < 0 || (uint32_t)fd >= st->handles.used)
		return NULL;
	struct sk_conn *c = st->handles.v[fd];
	return c && c->kind == SK_CONN_TCB ? (struct sk_tcb *)c : NULL;
}

/* ---- waiting ---- */

/* The first try of a call that may block: fixes its deadline from the timeout. */
static void wait_begin(struct sk_px *px, struct px_fd *e, struct sk_px_wait *w, int64_t timeo_us)
{
	if (w->started)
		return;
	w->started = 1;
	w->gen = e->gen;
	w->done = 0;
	w->deadline = timeo_us < 0 ? UINT64_MAX : now_of(px) + (uint64_t)timeo_us;
}

/* On a retry: the descriptor was closed meanwhile (EBADF) or the time is up (1). */
static int wait_check(struct sk_px *px, struct px_fd *e, struct sk_px_wait *w)
{
	if (e->gen != w->gen)
		return -EBADF;
	return now_of(px) >= w->deadline ? 1 : 0;
}

static int wait_for(struct sk_px_wait *w, int fd, int events)
{
	w->sock = fd;
	w->events = events | SYNACK_EV_ERR | SYNACK_EV_HUP;
	return SK_PX_WAIT;
}

/* ---- addresses ---- */

enum { ADDR_BIND, ADDR_CONNECT, ADDR_SENDTO };

/* sockaddr_in6 -> native, checked as Linux checks it (inet6_bind, tcp_v6_connect,
 * udpv6_sendmsg): at least RFC 2133's 24 bytes, and AF_INET6. */
static int addr_in6(const struct sockaddr *a, socklen_t len, struct synack_sockaddr *out)
{
	if (len < 24)
		return -EINVAL;
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	memcpy(&sin6, a, len < (socklen_t)sizeof(sin6) ? (size_t)len : sizeof(sin6));
	if (sin6.sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(out, 0, sizeof(*out));
	out->ip.family = SYNACK_AF_INET6;
	memcpy(out->ip.bytes, &sin6.sin6_addr, 16);
	out->port = ntohs(sin6.sin6_port);
	out->scope_id = len >= (socklen_t)sizeof(sin6) ? sin6.sin6_scope_id : 0;
	return 0;
}

/* sockaddr_in (or, on an AF_INET6 socket, sockaddr_in6) -> native, checked as Linux checks
 * it for bind (inet_bind), connect (tcp_v4_connect) and sendto (udp_sendmsg). */
static int addr_in(const struct px_fd *e, const struct sockaddr *a, socklen_t len, struct synack_sockaddr *out, int use)
{
	if (!a)
		return -EFAULT;
	if (e->v6)
		return addr_in6(a, len, out);
	if (len < (socklen_t)sizeof(struct sockaddr_in))
		return -EINVAL;
	struct sockaddr_in sin;
	memcpy(&sin, a, sizeof(sin));
	if (sin.sin_family != AF_INET) {
		/* Linux's "compatibility games": bind takes AF_UNSPEC with INADDR_ANY, and
		 * sendto AF_UNSPEC as AF_INET. */
		int ok = sin.sin_family == AF_UNSPEC &&
			 ((use == ADDR_BIND && sin.sin_addr.s_addr == htonl(INADDR_ANY)) || use == ADDR_SENDTO);
		if (!ok)
			return -EAFNOSUPPORT;
	}
	*out = sk_sa_from4(ntohl(sin.sin_addr.s_addr), ntohs(sin.sin_port));
	return 0;
}

static void addr_out(const struct synack_sockaddr *n, struct sockaddr *a, socklen_t *len)
{
	if (!a || !len)
		return;
	if (n->ip.family == SYNACK_AF_INET6) {
		struct sockaddr_in6 sin6;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, n->ip.bytes, 16);
		sin6.sin6_port = htons(n->port);
		sin6.sin6_scope_id = n->scope_id;
		socklen_t k = *len < (socklen_t)sizeof(sin6) ? *len : (socklen_t)sizeof(sin6);
		memcpy(a, &sin6, k);
		*len = sizeof(sin6);
		return;
	}
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	memcpy(&sin.sin_addr, n->ip.bytes, sizeof(sin.sin_addr));
	sin.sin_port = htons(n->port);
	socklen_t n_ = *len < (socklen_t)sizeof(sin) ? *len : (socklen_t)sizeof(sin);
	memcpy(a, &sin, n_);
	*len = sizeof(sin);
}

/* ---- calls ---- */

int sk_px_socket(struct sk_px *px, int domain, int type, int protocol)
{
	if (!px)
		return -EINVAL;
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	int kind;
	if (base == SOCK_STREAM) {
		if (protocol != 0 && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		kind = SYNACK_SOCK_STREAM;
	} else if (base == SOCK_DGRAM) {
		if (protocol != 0 && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		kind = SYNACK_SOCK_DGRAM;
	} else if (base == SOCK_RAW || base == SOCK_SEQPACKET || base == SOCK_RDM) {
		return -ESOCKTNOSUPPORT;
	} else {
		return -EINVAL;
	}
	int fd = synack_socket(px->st, domain == AF_INET6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, kind);
	if (fd < 0)
		return fd;
	struct px_fd *e = rec_new(px, fd, kind);
	if (!e) {
		synack_close(px->st, fd);
		return -ENOMEM;
	}
	e->v6 = domain == AF_INET6;
	e->nonblock = (flags & SOCK_NONBLOCK) != 0;
	e->cloexec = (flags & SOCK_CLOEXEC) != 0;
	return fd;
}

int sk_px_bind(struct sk_px *px, int fd, const struct sockaddr *a, socklen_t len)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	struct synack_sockaddr na;
	int r = addr_in(e, a, len, &na, ADDR_BIND);
	if (r < 0)
		return r;
	return synack_bind(px->st, fd, &na);
}

int sk_px_listen(struct sk_px *px, int fd, int backlog)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (e->type == SYNACK_SOCK_DGRAM)
		return -EOPNOTSUPP;
	/* Linux: only an unconnected socket (inet_listen checks sock->state) */
	if (e->sstate != SS_UNCONN)
		return -EINVAL;
	return synack_listen(px->st, fd, backlog);
}

int sk_px_accept(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len, int flags, struct sk_px_wait *w)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (a && !len)
		return -EFAULT;
	wait_begin(px, e, w, e->nonblock ? 0 : e->rcvtimeo_us);
	int late = wait_check(px, e, w);
	if (late < 0)
		return late;
	struct synack_sockaddr peer = sk_sa_from4(0, 0);
	int r = synack_accept(px->st, fd, &peer);
	if (r == -EAGAIN) {
		if (late || e->nonblock)
			return -EAGAIN;
		return wait_for(w, fd, SYNACK_EV_IN);
	}
	if (r < 0)
		return r;
	uint8_t v6 = e->v6; /* (rec_new may move the records, e with them) */
	int type = e->type; /* a datagram socket: tunnel mode's UDP flows (synack_tunnel_udp) */
	struct px_fd *c = rec_new(px, r, type);
	if (!c) {
		synack_close(px->st, r);
		return -ENOMEM;
	}
	c->sstate = SS_CONNECTED;
	c->v6 = v6;
	c->nonblock = (flags & SOCK_NONBLOCK) != 0;
	c->cloexec = (flags & SOCK_CLOEXEC) != 0;
	addr_out(&peer, a, len);
	return r;
}

/* Reads and clears the socket's pending error (SO_ERROR). */
static int take_soerror(struct sk_px *px, int fd)
{
	int v = 0;
	size_t l = sizeof(v);
	if (synack_getsockopt(px->st, fd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &v, &l) < 0)
		return 0;
	return v;
}

/* The end of a connect that is over (Linux's __inet_stream_connect after the wait): 0 if the
 * connection is up, else its error (or ECONNABORTED), leaving the socket unconnected. */
static int connect_outcome(struct sk_px *px, struct px_fd *e, int fd)
{
	struct sk_tcb *t = tcb_of(px, fd);
	if (t && t->state != SYNACK_CLOSED) {
		e->sstate = SS_CONNECTED;
		return 0;
	}
	int se = take_soerror(px, fd);
	e->sstate = SS_UNCONN;
	return se ? -se : -ECONNABORTED;
}

int sk_px_connect(struct sk_px *px, int fd, const struct sockaddr *a, socklen_t len, struct sk_px_wait *w)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (e->type == SYNACK_SOCK_DGRAM) {
		struct synack_sockaddr na = synack_sa_any(SYNACK_AF_UNSPEC, 0);
		sa_family_t fam;
		if (a && len >= (socklen_t)sizeof(fam) && (memcpy(&fam, a, sizeof(fam)), fam == AF_UNSPEC))
			return synack_connect(px->st, fd, &na); /* dissolves the association */
		int r = addr_in(e, a, len, &na, ADDR_CONNECT);
		return r < 0 ? r : synack_connect(px->st, fd, &na);
	}
	if (w->started) {
		/* A blocking connect waking up. */
		int late = wait_check(px, e, w);
		if (late < 0)
			return late;
		struct sk_tcb *t = tcb_of(px, fd);
		if (t && (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD)) {
			if (late)
				return -EINPROGRESS; /* SO_SNDTIMEO ran out; the handshake goes on */
			return wait_for(w, fd, SYNACK_EV_OUT);
		}
		return connect_outcome(px, e, fd);
	}
	if (!a || len < (socklen_t)sizeof(sa_family_t))
		return a ? -EINVAL : -EFAULT;
	int err;
	switch (e->sstate) {
	case SS_CONNECTED:
		return -EISCONN;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	default: {
		struct sk_tcb *t = tcb_of(px, fd);
		if (t && t->state != SYNACK_CLOSED)
			return -EISCONN; /* a listener */
		struct synack_sockaddr na;
		int r = addr_in(e, a, len, &na, ADDR_CONNECT);
		if (r < 0)
			return r;
		r = synack_connect(px->st, fd, &na);
		if (r != -EINPROGRESS)
			return r;
		e->sstate = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}
	}
	struct sk_tcb *t = tcb_of(px, fd);
	if (t && (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD)) {
		if (e->nonblock)
			return err;
		wait_begin(px, e, w, e->sndtimeo_us);
		if (w->deadline <= now_of(px))
			return err;
		return wait_for(w, fd, SYNACK_EV_OUT);
	}
	return connect_outcome(px, e, fd);
}

/* Takes a pending error a partial transfer left (0 if none). */
static int take_pend(struct px_fd *e)
{
	int r = e->pend_err;
	e->pend_err = 0;
	return r;
}

static size_t iov_total(const struct msghdr *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->msg_iovlen; i++)
		n += m->msg_iov[i].iov_len;
	return n;
}

/* A datagram: the iovecs gathered into one buffer (malloc'd; *tmp to free). */
static const void *gather(const struct msghdr *m, size_t total, void **tmp)
{
	*tmp = NULL;
	if (m->msg_iovlen == 1)
		return m->msg_iov[0].iov_base;
	uint8_t *b = malloc(total ? total : 1);
	if (!b)
		return NULL;
	size_t off = 0;
	for (size_t i = 0; i < m->msg_iovlen; i++) {
		memcpy(b + off, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
		off += m->msg_iov[i].iov_len;
	}
	*tmp = b;
	return b;
}

/* Pushes bytes [w->done, total) of the iovecs into the stream; returns what the stack took
 * this time (>= 0) or its -errno. MSG_MORE in flags holds a partial last segment. */
static ssize_t stream_push(struct sk_px *px, int fd, const struct msghdr *m, int flags, struct sk_px_wait *w)
{
	size_t skip = w->done, took = 0;
	for (size_t i = 0; i < m->msg_iovlen; i++) {
		const struct iovec *v = &m->msg_iov[i];
		if (skip >= v->iov_len) {
			skip -= v->iov_len;
			continue;
		}
		size_t want = v->iov_len - skip;
		/* one sendmsg, as the kernel builds it: segments cross the iovecs' boundaries */
		int more = (i + 1 < m->msg_iovlen || (flags & MSG_MORE)) ? SYNACK_MSG_MORE : 0;
		ssize_t r = synack_send(px->st, fd, (const uint8_t *)v->iov_base + skip, want, more);
		skip = 0;
		if (r < 0)
			return took ? (ssize_t)took : r;
		took += (size_t)r;
		if ((size_t)r < want)
			break;
	}
	return (ssize_t)took;
}

ssize_t sk_px_sendmsg(struct sk_px *px, int fd, const struct msghdr *m, int flags, struct sk_px_wait *w)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (!m || (m->msg_iovlen && !m->msg_iov))
		return -EFAULT;
	if (m->msg_iovlen > 1024)
		return -EMSGSIZE;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	for (size_t i = 0; i < m->msg_iovlen; i++)
		if (!m->msg_iov[i].iov_base && m->msg_iov[i].iov_len)
			return -EFAULT;
	size_t total = iov_total(m);
	int nb = e->nonblock || (flags & MSG_DONTWAIT);
	if (e->type == SYNACK_SOCK_DGRAM) {
		struct synack_sockaddr to;
		if (m->msg_name) {
			int r = addr_in(e, m->msg_name, m->msg_namelen, &to, ADDR_SENDTO);
			if (r < 0)
				return r;
		}
		void *tmp;
		const void *buf = gather(m, total, &tmp);
		if (!buf)
			return -ENOMEM;
		ssize_t r = synack_sendto(px->st, fd, buf, total, 0, m->msg_name ? &to : NULL);
		free(tmp);
		return r;
	}
	if (!w->started && e->pend_err)
		return -take_pend(e);
	wait_begin(px, e, w, nb ? 0 : e->sndtimeo_us);
	int late = wait_check(px, e, w);
	if (late < 0)
		return late;
	ssize_t r = stream_push(px, fd, m, flags, w);
	if (r > 0)
		w->done += (size_t)r;
	if (r >= 0 && (w->done >= total || total == 0))
		return (ssize_t)w->done;
	if (r >= 0)
		r = -EAGAIN; /* the buffer is full */
	if (r == -EAGAIN && !nb && !late)
		return wait_for(w, fd, SYNACK_EV_OUT);
	if (w->done) {
		if (r != -EAGAIN)
			e->pend_err = (int)-r; /* consumed by the stack: the next call reports it */
		return (ssize_t)w->done;
	}
	if (r == -ENOTCONN)
		r = -EPIPE; /* Linux: sending on an unconnected or listening TCP socket */
	return r;
}

/* Pulls from the stream into the iovecs from offset w->done; returns bytes (>= 0, 0 meaning
 * nothing now or the end), or -errno. eof set when the stream ended. */
static ssize_t stream_pull(struct sk_px *px, int fd, struct msghdr *m, int nflags, struct sk_px_wait *w)
{
	size_t skip = w->done, got = 0;
	for (size_t i = 0; i < m->msg_iovlen; i++) {
		struct iovec *v = &m->msg_iov[i];
		if (skip >= v->iov_len) {
			skip -= v->iov_len;
			continue;
		}
		size_t want = v->iov_len - skip;
		ssize_t r = synack_recv(px->st, fd, (uint8_t *)v->iov_base + skip, want, nflags);
		skip = 0;
		if (r < 0)
			return got ? (ssize_t)got : r;
		got += (size_t)r;
		if ((size_t)r < want || r == 0 || (nflags & SYNACK_MSG_PEEK))
			break;
	}
	return (ssize_t)got;
}

ssize_t sk_px_recvmsg(struct sk_px *px, int fd, struct msghdr *m, int flags, struct sk_px_wait *w)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (!m || (m->msg_iovlen && !m->msg_iov))
		return -EFAULT;
	if (flags & MSG_OOB)
		return -EINVAL; /* Linux, without urgent data */
	int nb = e->nonblock || (flags & MSG_DONTWAIT);
	int nflags = ((flags & MSG_PEEK) ? SYNACK_MSG_PEEK : 0) | ((flags & MSG_TRUNC) ? SYNACK_MSG_TRUNC : 0);
	size_t total = iov_total(m);
	m->msg_flags = 0;
	wait_begin(px, e, w, nb ? 0 : e->rcvtimeo_us);
	int late = wait_check(px, e, w);
	if (late < 0)
		return late;
	if (e->type == SYNACK_SOCK_DGRAM) {
		struct synack_sockaddr src = sk_sa_from4(0, 0);
		uint8_t *tmp = NULL;
		void *buf = m->msg_iovlen == 1 ? m->msg_iov[0].iov_base : NULL;
		if (m->msg_iovlen != 1 && !(buf = tmp = malloc(total ? total : 1)))
			return -ENOMEM;
		ssize_t r = synack_recvfrom(px->st, fd, buf, total, nflags | SYNACK_MSG_TRUNC, &src);
		if (r >= 0) {
			size_t copied = (size_t)r < total ? (size_t)r : total;
			if (tmp) {
				size_t off = 0;
				for (size_t i = 0; i < m->msg_iovlen && off < copied; i++) {
					size_t n = m->msg_iov[i].iov_len < copied - off ? m->msg_iov[i].iov_len : copied - off;
					memcpy(m->msg_iov[i].iov_base, tmp + off, n);
					off += n;
				}
			}
			if ((size_t)r > total)
				m->msg_flags |= MSG_TRUNC;
			if (!(flags & MSG_TRUNC))
				r = (ssize_t)copied;
			if (m->msg_name)
				addr_out(&src, m->msg_name, &m->msg_namelen);
		}
		free(tmp);
		if (r == -EAGAIN && !nb && !late)
			return wait_for(w, fd, SYNACK_EV_IN);
		return r;
	}
	int waitall = (flags & MSG_WAITALL) && !(flags & MSG_PEEK);
	ssize_t r;
	for (;;) {
		r = stream_pull(px, fd, m, nflags, w);
		if (r <= 0)
			break;
		w->done += (size_t)r;
		if (!waitall || w->done >= total)
			break;
	}
	/* Nothing more now (not the end): wait if nothing came yet, or MSG_WAITALL wants more. */
	if (r == -EAGAIN && !e->pend_err && !nb && !late && total && (w->done == 0 || waitall))
		return wait_for(w, fd, SYNACK_EV_IN | SYNACK_EV_RDHUP);
	if (w->done) {
		if (r < 0 && r != -EAGAIN)
			e->pend_err = (int)-r;
		if (m->msg_name)
			m->msg_namelen = 0; /* TCP leaves the address out, as Linux does */
		return (ssize_t)w->done;
	}
	if (r == -EAGAIN && e->pend_err)
		return -take_pend(e);
	if (r == 0 && e->pend_err)
		return -take_pend(e);
	if (r >= 0 && m->msg_name)
		m->msg_namelen = 0;
	return r;
}

int sk_px_shutdown(struct sk_px *px, int fd, int how)
{
	if (!rec(px, fd))
		return -EBADF;
	return synack_shutdown(px->st, fd, how);
}

/* SO_LINGER with a time (socket(7)): close() sends the FIN as shutdown(SHUT_WR) would and
 * waits while it is unacknowledged (FIN-WAIT-1, CLOSING, LAST-ACK: Linux's sk_stream_closing),
 * at most the linger time; then the socket closes as usual. Unread data still aborts at
 * once. Returns 1 to wait (w filled), 0 to close now. */
static int linger_wait(struct sk_px *px, struct px_fd *e, int fd, struct sk_px_wait *w)
{
	struct sk_tcb *t = tcb_of(px, fd);
	if (!t || !(t->flags & TF_LINGER) || t->rcv.len)
		return 0;
	if (!w->started) {
		if (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_CLOSE_WAIT)
			return 0;
		wait_begin(px, e, w, (int64_t)sk_tcb_opts(t).linger_s * 1000000);
		synack_shutdown(px->st, fd, SYNACK_SHUT_WR);
	} else if (wait_check(px, e, w)) {
		return 0; /* the linger time is up (or the descriptor went: closed below) */
	}
	if (t->state != SYNACK_FIN_WAIT_1 && t->state != SYNACK_CLOSING && t->state != SYNACK_LAST_ACK)
		return 0;
	wait_for(w, fd, SYNACK_EV_SENT);
	return 1;
}

int sk_px_close(struct sk_px *px, int fd, struct sk_px_wait *w)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (e->type == SYNACK_SOCK_STREAM && linger_wait(px, e, fd, w))
		return SK_PX_WAIT;
	int r = synack_close(px->st, fd);
	uint32_t gen = e->gen + 1;
	memset(e, 0, sizeof(*e));
	e->gen = gen;
	return r;
}

/* struct timeval -> microseconds as SO_RCVTIMEO takes it: {0,0} no timeout (-1), negative
 * seconds "do not wait" (0), as Linux's sock_set_timeout. */
static int timeo_set(const void *val, socklen_t len, int64_t *out)
{
	struct timeval tv;
	if (!val)
		return -EFAULT;
	if (len < (socklen_t)sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0)
		*out = 0;
	else if (tv.tv_sec == 0 && tv.tv_usec == 0)
		*out = -1;
	else if (tv.tv_sec > (time_t)(INT64_MAX / 2000000))
		*out = -1;
	else
		*out = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	return 0;
}

static int timeo_get(int64_t us, void *val, socklen_t *len)
{
	struct timeval tv = {0, 0};
	if (us > 0) {
		tv.tv_sec = (time_t)(us / 1000000);
		tv.tv_usec = (suseconds_t)(us % 1000000);
	}
	socklen_t n = *len < (socklen_t)sizeof(tv) ? *len : (socklen_t)sizeof(tv);
	memcpy(val, &tv, n);
	*len = n;
	return 0;
}

int sk_px_setsockopt(struct sk_px *px, int fd, int level, int name, const void *val, socklen_t len)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO ||
				    name == SO_RCVTIMEO_NEW || name == SO_SNDTIMEO_NEW))
		return timeo_set(val, len, (name == SO_RCVTIMEO || name == SO_RCVTIMEO_NEW) ? &e->rcvtimeo_us
											: &e->sndtimeo_us);
	if (!val && len)
		return -EFAULT;
	return synack_setsockopt(px->st, fd, level, name, val, len);
}

int sk_px_getsockopt(struct sk_px *px, int fd, int level, int name, void *val, socklen_t *len)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (!len)
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	if (!val && *len)
		return -EFAULT;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
		return timeo_get(name == SO_RCVTIMEO ? e->rcvtimeo_us : e->sndtimeo_us, val, len);
	if (level == SOL_SOCKET && name == SO_ERROR && e->pend_err) {
		int v = take_pend(e);
		socklen_t n = *len < (socklen_t)sizeof(int) ? *len : (socklen_t)sizeof(int);
		memcpy(val, &v, n);
		*len = n;
		return 0;
	}
	size_t l = *len;
	int r = synack_getsockopt(px->st, fd, level, name, val, &l);
	if (r == 0)
		*len = (socklen_t)l;
	return r;
}

static int name_call(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len, int peer)
{
	if (!rec(px, fd))
		return -EBADF;
	if (!a || !len)
		return -EFAULT;
	if ((int)*len < 0)
		return -EINVAL;
	struct synack_sockaddr n = sk_sa_from4(0, 0);
	int r = peer ? synack_getpeername(px->st, fd, &n) : synack_getsockname(px->st, fd, &n);
	if (r < 0)
		return r;
	addr_out(&n, a, len);
	return 0;
}

int sk_px_getsockname(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len)
{
	return name_call(px, fd, a, len, 0);
}

int sk_px_getpeername(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len)
{
	return name_call(px, fd, a, len, 1);
}

int sk_px_fcntl(struct sk_px *px, int fd, int cmd, long arg)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | (e->nonblock ? O_NONBLOCK : 0);
	case F_SETFL:
		e->nonblock = (arg & O_NONBLOCK) != 0;
		return 0;
	case F_GETFD:
		return e->cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		e->cloexec = (arg & FD_CLOEXEC) != 0;
		return 0;
	default:
		return -EINVAL;
	}
}

int sk_px_ioctl(struct sk_px *px, int fd, unsigned long req, int *arg)
{
	struct px_fd *e = rec(px, fd);
	if (!e)
		return -EBADF;
	if (!arg)
		return -EFAULT;
	if (req == FIONBIO) {
		e->nonblock = *arg != 0;
		return 0;
	}
	if (e->type == SYNACK_SOCK_DGRAM) {
		if (req != FIONREAD)
			return req == SIOCOUTQ ? (*arg = 0, 0) : -ENOTTY;
		/* the size of the next datagram, as Linux's udp_ioctl */
		struct sk_conn *c = px->st->handles.v[fd];
		*arg = (int)sk_udp_next_len(c);
		return 0;
	}
	struct sk_tcb *t = tcb_of(px, fd);
	if (!t)
		return -EBADF;
	if (req != FIONREAD && req != SIOCOUTQ && req != SIOCOUTQNSD)
		return -ENOTTY;
	if (t->state == SYNACK_LISTEN)
		return -EINVAL; /* tcp_ioctl */
	/* Linux counts from write_seq, which includes a queued FIN */
	uint32_t fin = (t->flags & TF_FIN_QUEUED) && t->state >= SYNACK_ESTABLISHED ? 1 : 0;
	uint32_t write_seq = t->snd_una + t->snd.len + fin;
	if (seq_lt(write_seq, t->snd_max))
		write_seq = t->snd_max;
	if (req == FIONREAD)
		*arg = (int)t->rcv.len;
	else if (req == SIOCOUTQ)
		*arg = (int)(write_seq - t->snd_una);
	else
		*arg = (int)(write_seq - t->snd_max);
	return 0;
}

/* Linux's poll mask for a socket from the native events (ERR and HUP always reported). */
short sk_px_revents(struct sk_px *px, int fd, short events)
{
	if (!rec(px, fd))
		return POLLNVAL;
	int ev = synack_events(px->st, fd);
	if (ev < 0)
		return POLLNVAL;
	int want = (events & (POLLIN | POLLOUT | POLLRDHUP | POLLPRI)) | POLLERR | POLLHUP;
	if (events & POLLRDNORM)
		want |= POLLIN;
	if (events & POLLWRNORM)
		want |= POLLOUT;
	int got = ev & want;
	short r = (short)(got & (POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP));
	if ((ev & POLLIN) && (events & POLLRDNORM))
		r |= POLLRDNORM;
	if ((ev & POLLOUT) && (events & POLLWRNORM))
		r |= POLLWRNORM;
	if (!(events & POLLIN))
		r &= (short)~POLLIN;
	if (!(events & POLLOUT))
		r &= (short)~POLLOUT;
	return r;
}

int sk_px_poll(struct sk_px *px, struct pollfd *fds, nfds_t n, int timeout_ms, struct sk_px_wait *w)
{
	if (n && !fds)
		return -EFAULT;
	if (!w->started) {
		w->started = 1;
		w->deadline = timeout_ms < 0 ? UINT64_MAX : now_of(px) + (uint64_t)timeout_ms * 1000u;
	}
	int count = 0;
	for (nfds_t i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		fds[i].revents = sk_px_revents(px, fds[i].fd, fds[i].events);
		if (fds[i].revents)
			count++;
	}
	if (count || now_of(px) >= w->deadline)
		return count;
	w->sock = -1;
	w->events = 0;
	return SK_PX_WAIT;
}
