/* The POSIX-style socket calls of the runtime: each takes the lock, calls the stack's native
 * non-blocking call and, when that says EAGAIN on a blocking socket, waits (rt.c) until the
 * socket is ready and tries again. Errors follow what Linux gives for the same call. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "rt/rt_int.h"

_Static_assert((int)SOCK_STREAM == (int)SYNACK_SOCK_STREAM && (int)SOCK_DGRAM == (int)SYNACK_SOCK_DGRAM,
	       "socket types");
_Static_assert((int)SHUT_RD == (int)SYNACK_SHUT_RD && (int)SHUT_WR == (int)SYNACK_SHUT_WR &&
		       (int)SHUT_RDWR == (int)SYNACK_SHUT_RDWR,
	       "shutdown");
_Static_assert(POLLIN == SYNACK_EV_IN && POLLOUT == SYNACK_EV_OUT && POLLERR == SYNACK_EV_ERR &&
		       POLLHUP == SYNACK_EV_HUP && POLLRDHUP == SYNACK_EV_RDHUP,
	       "poll bits");
_Static_assert(sizeof(struct linger) == sizeof(struct synack_linger), "linger");

static int fail(int e)
{
	errno = e;
	return -1;
}

/* A native result: the value, or -1 with errno. */
static ssize_t ret(ssize_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static uint64_t deadline_after(int64_t timeo_us)
{
	return timeo_us < 0 ? UINT64_MAX : sk_rt_now_us() + (uint64_t)timeo_us;
}

enum { ADDR_BIND, ADDR_CONNECT, ADDR_SENDTO };

/* sockaddr_in -> native, with Linux's tolerance of AF_UNSPEC: bind takes it with
 * INADDR_ANY, sendto as AF_INET; connect would dissolve the association, which the stack
 * cannot do (EAFNOSUPPORT). */
static int addr_in(const struct sockaddr *a, socklen_t len, struct synack_sockaddr *out, int use)
{
	if (!a)
		return EFAULT;
	if (len < (socklen_t)sizeof(struct sockaddr_in))
		return EINVAL;
	struct sockaddr_in sin;
	memcpy(&sin, a, sizeof(sin));
	if (sin.sin_family != AF_INET) {
		int ok = sin.sin_family == AF_UNSPEC &&
			 ((use == ADDR_BIND && sin.sin_addr.s_addr == htonl(INADDR_ANY)) || use == ADDR_SENDTO);
		if (!ok)
			return EAFNOSUPPORT;
	}
	out->addr = ntohl(sin.sin_addr.s_addr);
	out->port = ntohs(sin.sin_port);
	return 0;
}

static void addr_out(const struct synack_sockaddr *n, struct sockaddr *a, socklen_t *len)
{
	if (!a || !len)
		return;
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(n->addr);
	sin.sin_port = htons(n->port);
	socklen_t n_ = *len < (socklen_t)sizeof(sin) ? *len : (socklen_t)sizeof(sin);
	memcpy(a, &sin, n_);
	*len = sizeof(sin);
}

static void entry_init(struct rt_sock *e, int type, int nonblock)
{
	e->open = 1;
	e->type = (uint8_t)type;
	e->nonblock = (uint8_t)!!nonblock;
	e->connecting = 0;
	e->pend_err = 0;
	e->rcvtimeo_us = e->sndtimeo_us = -1;
}

/* The runtime's record of an open handle: 0, -EBADF (not open; nothing is allocated for
 * it) or -ENOMEM. */
static int entry(synack_rt *rt, int s, struct rt_sock **e)
{
	*e = NULL;
	if (synack_events(rt->st, s) < 0)
		return -EBADF;
	*e = sk_rt_sock(rt, s);
	return *e ? 0 : -ENOMEM;
}

/* The socket's type: the runtime's record, else the stack's SO_TYPE. */
static int sock_type(synack_rt *rt, int s, struct rt_sock *e)
{
	if (e && e->type)
		return e->type;
	int v = 0;
	size_t l = sizeof(v);
	if (synack_getsockopt(rt->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_TYPE, &v, &l) == 0 && v) {
		if (e)
			e->type = (uint8_t)v;
		return v;
	}
	return SYNACK_SOCK_STREAM;
}

/* Waits on one socket for mask (mu held). 0 to try again; -EAGAIN on timeout; -EBADF if the
 * handle was closed meanwhile; -ESHUTDOWN if the runtime stops. */
static int wait_sock(synack_rt *rt, int s, struct rt_sock *e, int mask, uint64_t deadline)
{
	struct rt_waiter w = {.kind = RT_W_SOCK, .sock = s, .mask = mask | SYNACK_EV_ERR | SYNACK_EV_HUP,
			      .gen = e->gen, .kick = e->kick};
	int r = sk_rt_wait(rt, &w, deadline);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	if (r < 0)
		return r;
	if (e->gen != w.gen)
		return -EBADF;
	return 0;
}

/* Reads and clears the socket's pending error (SO_ERROR). */
static int take_soerror(synack_rt *rt, int s)
{
	int v = 0;
	size_t l = sizeof(v);
	if (synack_getsockopt(rt->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &v, &l) < 0)
		return 0;
	return v;
}

/* ---- calls ---- */

int synack_rt_socket(synack_rt *rt, int type, int protocol)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int kind;
	if (base == SOCK_STREAM) {
		if (protocol != 0 && protocol != IPPROTO_TCP)
			return fail(EPROTONOSUPPORT);
		kind = SYNACK_SOCK_STREAM;
	} else if (base == SOCK_DGRAM) {
		if (protocol != 0 && protocol != IPPROTO_UDP)
			return fail(EPROTONOSUPPORT);
		kind = SYNACK_SOCK_DGRAM;
	} else if (base == SOCK_RAW || base == SOCK_SEQPACKET || base == SOCK_RDM) {
		return fail(ESOCKTNOSUPPORT);
	} else {
		return fail(EINVAL);
	}
	int r = sk_rt_lock(rt);
	if (r == 0)
		r = synack_socket(rt->st, kind);
	if (r >= 0) {
		struct rt_sock *e = sk_rt_sock(rt, r);
		if (!e) {
			synack_close(rt->st, r);
			r = -ENOMEM;
		} else {
			entry_init(e, kind, flags & SOCK_NONBLOCK);
		}
	}
	sk_rt_unlock(rt);
	return (int)ret(r);
}

int synack_rt_bind(synack_rt *rt, int s, const struct sockaddr *a, socklen_t len)
{
	struct synack_sockaddr na;
	int e = addr_in(a, len, &na, ADDR_BIND);
	if (e)
		return fail(e);
	int r = sk_rt_lock(rt);
	if (r == 0)
		r = synack_bind(rt->st, s, &na);
	sk_rt_unlock(rt);
	return (int)ret(r);
}

int synack_rt_listen(synack_rt *rt, int s, int backlog)
{
	int r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r == 0)
		r = sock_type(rt, s, e) == SYNACK_SOCK_DGRAM ? -EOPNOTSUPP : synack_listen(rt->st, s, backlog);
	sk_rt_unlock(rt);
	return (int)ret(r);
}

int synack_rt_accept(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len)
{
	if (a && !len)
		return fail(EFAULT);
	struct synack_sockaddr peer = {0, 0};
	int r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r == 0 && sock_type(rt, s, e) == SYNACK_SOCK_DGRAM)
		r = -EOPNOTSUPP;
	if (r == 0) {
		uint64_t deadline = deadline_after(e->rcvtimeo_us);
		for (;;) {
			r = synack_accept(rt->st, s, &peer);
			if (r != -EAGAIN || e->nonblock)
				break;
			int w = wait_sock(rt, s, e, SYNACK_EV_IN, deadline);
			if (w < 0) {
				r = w;
				break;
			}
		}
	}
	if (r >= 0) {
		struct rt_sock *c = sk_rt_sock(rt, r);
		if (!c) {
			synack_close(rt->st, r);
			r = -ENOMEM;
		} else {
			entry_init(c, SYNACK_SOCK_STREAM, 0);
			addr_out(&peer, a, len);
		}
	}
	sk_rt_unlock(rt);
	return (int)ret(r);
}

int synack_rt_connect(synack_rt *rt, int s, const struct sockaddr *a, socklen_t len)
{
	struct synack_sockaddr na;
	int ae = addr_in(a, len, &na, ADDR_CONNECT);
	if (ae)
		return fail(ae);
	int r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r < 0)
		goto out;
	int ev = synack_events(rt->st, s);
	if (ev < 0) {
		r = ev;
		goto out;
	}
	if (sock_type(rt, s, e) == SYNACK_SOCK_DGRAM) {
		r = synack_connect(rt->st, s, &na);
		goto out;
	}
	if (e->connecting && (ev & SYNACK_EV_ERR)) {
		/* A connect that failed since the last call: its error is this call's (Linux). */
		e->connecting = 0;
		int se = take_soerror(rt, s);
		r = se ? -se : -ECONNABORTED;
		goto out;
	}
	r = synack_connect(rt->st, s, &na);
	if (r == -EISCONN && e->connecting) {
		/* The first connect after a non-blocking one ended says 0 if it connected, as
		 * Linux does, or ECONNABORTED if it failed (and its error was read already). */
		e->connecting = 0;
		r = (ev & SYNACK_EV_HUP) ? -ECONNABORTED : 0;
		goto out;
	}
	if (r != -EINPROGRESS && r != -EALREADY)
		goto out;
	if (e->nonblock) {
		e->connecting = 1;
		goto out;
	}
	/* Blocking: wait for the handshake's end; SO_SNDTIMEO bounds it (then EINPROGRESS). */
	uint64_t deadline = deadline_after(e->sndtimeo_us);
	for (;;) {
		ev = synack_events(rt->st, s);
		if (ev < 0) {
			r = ev;
			break;
		}
		if (ev & SYNACK_EV_ERR) {
			int se = take_soerror(rt, s);
			r = se ? -se : -ECONNREFUSED;
			e->connecting = 0;
			break;
		}
		if (ev & SYNACK_EV_OUT) {
			r = 0;
			e->connecting = 0;
			break;
		}
		if (ev & SYNACK_EV_HUP) { /* closed with no error left to tell */
			r = -ECONNABORTED;
			break;
		}
		int w = wait_sock(rt, s, e, SYNACK_EV_OUT, deadline);
		if (w == -EAGAIN) {
			e->connecting = 1;
			r = -EINPROGRESS;
			break;
		}
		if (w < 0) {
			r = w;
			break;
		}
	}
out:
	sk_rt_unlock(rt);
	return (int)ret(r);
}

static int native_flags(int flags)
{
	int f = 0;
	if (flags & MSG_PEEK)
		f |= SYNACK_MSG_PEEK;
	if (flags & MSG_TRUNC)
		f |= SYNACK_MSG_TRUNC;
	return f;
}

ssize_t synack_rt_sendto(synack_rt *rt, int s, const void *buf, size_t len, int flags, const struct sockaddr *to,
			 socklen_t tolen)
{
	struct synack_sockaddr nto;
	if (to) {
		int ae = addr_in(to, tolen, &nto, ADDR_SENDTO);
		if (ae)
			return fail(ae);
	}
	if (flags & MSG_OOB)
		return fail(EOPNOTSUPP);
	ssize_t r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r < 0)
		goto out;
	if (e->pend_err) {
		r = -e->pend_err;
		e->pend_err = 0;
		goto out;
	}
	int nb = e->nonblock || (flags & MSG_DONTWAIT);
	uint64_t deadline = deadline_after(e->sndtimeo_us);
	int stream = sock_type(rt, s, e) == SYNACK_SOCK_STREAM;
	size_t done = 0;
	for (;;) {
		if (stream)
			r = synack_send(rt->st, s, (const uint8_t *)buf + done, len - done, 0);
		else
			r = synack_sendto(rt->st, s, buf, len, 0, to ? &nto : NULL);
		if (r >= 0) {
			done += (size_t)r;
			if (!stream || done >= len)
				break;
			continue; /* a blocking write queues everything (the next try says EAGAIN) */
		}
		if (r != -EAGAIN || nb)
			break;
		int w = wait_sock(rt, s, e, SYNACK_EV_OUT, deadline);
		if (w < 0) {
			r = w;
			break;
		}
	}
	if (stream && done > 0) {
		if (r < 0 && r != -EAGAIN && r != -EBADF && r != -ESHUTDOWN)
			e->pend_err = (int)-r; /* consumed by the stack: the next call reports it */
		r = (ssize_t)done;
	} else if (stream && r == -ENOTCONN) {
		r = -EPIPE; /* Linux: sending on an unconnected or listening TCP socket */
	}
out:
	sk_rt_unlock(rt);
	return ret(r);
}

ssize_t synack_rt_send(synack_rt *rt, int s, const void *buf, size_t len, int flags)
{
	return synack_rt_sendto(rt, s, buf, len, flags, NULL, 0);
}

ssize_t synack_rt_write(synack_rt *rt, int s, const void *buf, size_t len)
{
	return synack_rt_sendto(rt, s, buf, len, 0, NULL, 0);
}

ssize_t synack_rt_recvfrom(synack_rt *rt, int s, void *buf, size_t len, int flags, struct sockaddr *from,
			   socklen_t *fromlen)
{
	if (from && !fromlen)
		return fail(EFAULT);
	if (flags & MSG_OOB)
		return fail(EINVAL); /* Linux, without urgent data */
	ssize_t r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r < 0)
		goto out;
	int stream = sock_type(rt, s, e) == SYNACK_SOCK_STREAM;
	int nb = e->nonblock || (flags & MSG_DONTWAIT);
	int nf = native_flags(flags);
	int waitall = stream && (flags & MSG_WAITALL) && !(flags & MSG_PEEK);
	uint64_t deadline = deadline_after(e->rcvtimeo_us);
	struct synack_sockaddr src = {0, 0};
	size_t got = 0;
	for (;;) {
		if (stream)
			r = synack_recv(rt->st, s, (uint8_t *)buf + got, len - got, nf);
		else
			r = synack_recvfrom(rt->st, s, buf, len, nf, &src);
		if (r > 0 && stream) {
			got += (size_t)r;
			if (!waitall || got >= len)
				break;
			continue;
		}
		if (r >= 0)
			break;
		if (r == -EAGAIN && e->pend_err)
			break;
		if (r != -EAGAIN || nb)
			break;
		int w = wait_sock(rt, s, e, SYNACK_EV_IN | SYNACK_EV_RDHUP, deadline);
		if (w < 0) {
			r = w;
			break;
		}
	}
	if (stream && got > 0) {
		if (r < 0 && r != -EAGAIN && r != -EBADF && r != -ESHUTDOWN)
			e->pend_err = (int)-r;
		r = (ssize_t)got;
	} else if ((r == -EAGAIN || r == 0) && e->pend_err) {
		r = -e->pend_err; /* the error a partial transfer consumed */
		e->pend_err = 0;
	}
	if (r >= 0 && from) {
		if (stream)
			*fromlen = 0; /* TCP leaves the address out, as Linux does */
		else
			addr_out(&src, from, fromlen);
	}
out:
	sk_rt_unlock(rt);
	return ret(r);
}

ssize_t synack_rt_recv(synack_rt *rt, int s, void *buf, size_t len, int flags)
{
	return synack_rt_recvfrom(rt, s, buf, len, flags, NULL, NULL);
}

ssize_t synack_rt_read(synack_rt *rt, int s, void *buf, size_t len)
{
	return synack_rt_recvfrom(rt, s, buf, len, 0, NULL, NULL);
}

int synack_rt_shutdown(synack_rt *rt, int s, int how)
{
	int r = sk_rt_lock(rt);
	if (r == 0)
		r = synack_shutdown(rt->st, s, how);
	if (r == 0) {
		struct rt_sock *e = sk_rt_sock(rt, s);
		if (e)
			e->kick++;
		sk_rt_kick(rt, s); /* blocked readers see the end, writers EPIPE */
	}
	sk_rt_unlock(rt);
	return (int)ret(r);
}

int synack_rt_close(synack_rt *rt, int s)
{
	int r = sk_rt_lock(rt);
	if (r == 0)
		r = synack_close(rt->st, s);
	if (r == 0) {
		struct rt_sock *e = sk_rt_sock(rt, s);
		if (e) {
			uint32_t gen = e->gen + 1, kick = e->kick + 1;
			memset(e, 0, sizeof(*e));
			e->gen = gen;
			e->kick = kick;
			e->rcvtimeo_us = e->sndtimeo_us = -1;
		}
		sk_rt_kick(rt, s); /* threads blocked on the handle return EBADF */
	}
	sk_rt_unlock(rt);
	return (int)ret(r);
}

/* SOL_SOCKET / IPPROTO_TCP names the stack knows under the same numbers as Linux. */
static int native_opt(int level, int name, int *nlevel, int *nname)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR: *nname = SYNACK_SO_REUSEADDR; break;
		case SO_ERROR: *nname = SYNACK_SO_ERROR; break;
		case SO_KEEPALIVE: *nname = SYNACK_SO_KEEPALIVE; break;
		case SO_LINGER: *nname = SYNACK_SO_LINGER; break;
		case SO_SNDBUF: *nname = SYNACK_SO_SNDBUF; break;
		case SO_RCVBUF: *nname = SYNACK_SO_RCVBUF; break;
		case SO_TYPE: *nname = SYNACK_SO_TYPE; break;
		default: return -ENOPROTOOPT;
		}
		*nlevel = SYNACK_SOL_SOCKET;
		return 0;
	}
	if (level == IPPROTO_TCP) {
		switch (name) {
		case TCP_NODELAY: *nname = SYNACK_TCP_NODELAY; break;
		case TCP_MAXSEG: *nname = SYNACK_TCP_MAXSEG; break;
		case TCP_KEEPIDLE: *nname = SYNACK_TCP_KEEPIDLE; break;
		case TCP_KEEPINTVL: *nname = SYNACK_TCP_KEEPINTVL; break;
		case TCP_KEEPCNT: *nname = SYNACK_TCP_KEEPCNT; break;
		case TCP_INFO: *nname = SYNACK_TCP_INFO; break;
		case TCP_CONGESTION: *nname = SYNACK_TCP_CONGESTION; break;
		default: return -ENOPROTOOPT;
		}
		*nlevel = SYNACK_IPPROTO_TCP;
		return 0;
	}
	return -ENOPROTOOPT;
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
	if (*len < (socklen_t)sizeof(tv))
		return -EINVAL;
	memcpy(val, &tv, sizeof(tv));
	*len = sizeof(tv);
	return 0;
}

int synack_rt_setsockopt(synack_rt *rt, int s, int level, int name, const void *val, socklen_t len)
{
	int r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r < 0)
		goto out;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		r = timeo_set(val, len, name == SO_RCVTIMEO ? &e->rcvtimeo_us : &e->sndtimeo_us);
		goto out;
	}
	if (level == SOL_SOCKET && (name == SO_TYPE || name == SO_ERROR)) {
		r = -ENOPROTOOPT; /* read-only */
		goto out;
	}
	int nl, nn;
	r = native_opt(level, name, &nl, &nn);
	if (r < 0)
		goto out;
	if (!val && len)
		r = -EFAULT;
	else if (nn == SYNACK_SO_LINGER && level == SOL_SOCKET) {
		struct linger lg;
		if (len < (socklen_t)sizeof(lg)) {
			r = -EINVAL;
			goto out;
		}
		memcpy(&lg, val, sizeof(lg));
		struct synack_linger sl = {lg.l_onoff, lg.l_linger};
		r = synack_setsockopt(rt->st, s, nl, nn, &sl, sizeof(sl));
	} else {
		r = synack_setsockopt(rt->st, s, nl, nn, val, len);
	}
out:
	sk_rt_unlock(rt);
	return (int)ret(r);
}

int synack_rt_getsockopt(synack_rt *rt, int s, int level, int name, void *val, socklen_t *len)
{
	if (!val || !len)
		return fail(EFAULT);
	int r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r < 0)
		goto out;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		r = timeo_get(name == SO_RCVTIMEO ? e->rcvtimeo_us : e->sndtimeo_us, val, len);
		goto out;
	}
	if (level == SOL_SOCKET && name == SO_TYPE) {
		int t = sock_type(rt, s, e);
		if (*len < (socklen_t)sizeof(int)) {
			r = -EINVAL;
			goto out;
		}
		memcpy(val, &t, sizeof(t));
		*len = sizeof(int);
		goto out;
	}
	if (level == SOL_SOCKET && name == SO_ERROR && e->pend_err) {
		if (*len < (socklen_t)sizeof(int)) {
			r = -EINVAL;
			goto out;
		}
		memcpy(val, &e->pend_err, sizeof(int));
		*len = sizeof(int);
		e->pend_err = 0;
		goto out;
	}
	int nl, nn;
	r = native_opt(level, name, &nl, &nn);
	if (r < 0)
		goto out;
	if (nn == SYNACK_SO_LINGER && level == SOL_SOCKET) {
		struct synack_linger sl;
		size_t l = sizeof(sl);
		r = synack_getsockopt(rt->st, s, nl, nn, &sl, &l);
		if (r == 0) {
			struct linger lg = {sl.l_onoff, sl.l_linger};
			if (*len < (socklen_t)sizeof(lg)) {
				r = -EINVAL;
				goto out;
			}
			memcpy(val, &lg, sizeof(lg));
			*len = sizeof(lg);
		}
		goto out;
	}
	size_t l = *len;
	r = synack_getsockopt(rt->st, s, nl, nn, val, &l);
	if (r == 0)
		*len = (socklen_t)l;
out:
	sk_rt_unlock(rt);
	return (int)ret(r);
}

static int name_call(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len, int peer)
{
	if (!a || !len)
		return fail(EFAULT);
	struct synack_sockaddr n = {0, 0};
	int r = sk_rt_lock(rt);
	if (r == 0)
		r = peer ? synack_getpeername(rt->st, s, &n) : synack_getsockname(rt->st, s, &n);
	sk_rt_unlock(rt);
	if (r < 0)
		return fail(-r);
	addr_out(&n, a, len);
	return 0;
}

int synack_rt_getsockname(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len)
{
	return name_call(rt, s, a, len, 0);
}

int synack_rt_getpeername(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len)
{
	return name_call(rt, s, a, len, 1);
}

int synack_rt_set_nonblock(synack_rt *rt, int s, int on)
{
	int r = sk_rt_lock(rt);
	struct rt_sock *e = NULL;
	if (r == 0)
		r = entry(rt, s, &e);
	if (r == 0)
		e->nonblock = (uint8_t)!!on;
	sk_rt_unlock(rt);
	return (int)ret(r);
}

/* revents of one entry from the stack's events: ERR, HUP and NVAL always count. */
static short revents_of(int ev, short events)
{
	if (ev < 0)
		return POLLNVAL;
	int want = sk_rt_poll_mask(events) | SYNACK_EV_ERR | SYNACK_EV_HUP;
	int got = ev & want;
	short r = (short)got;
	if ((got & SYNACK_EV_IN) && (events & POLLRDNORM))
		r |= POLLRDNORM;
	if ((got & SYNACK_EV_OUT) && (events & POLLWRNORM))
		r |= POLLWRNORM;
	if (!(events & POLLIN) && (events & POLLRDNORM))
		r &= (short)~POLLIN;
	if (!(events & POLLOUT) && (events & POLLWRNORM))
		r &= (short)~POLLOUT;
	return r;
}

int synack_rt_poll(synack_rt *rt, struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (n && !fds)
		return fail(EFAULT);
	uint32_t small[2 * 16];
	uint32_t *gens = n <= 16 ? small : malloc(2 * n * sizeof(*gens));
	if (!gens)
		return fail(ENOMEM);
	int r = sk_rt_lock(rt);
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : sk_rt_now_us() + (uint64_t)timeout_ms * 1000u;
	while (r == 0) {
		int count = 0;
		for (nfds_t i = 0; i < n; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			fds[i].revents = revents_of(synack_events(rt->st, fds[i].fd), fds[i].events);
			if (fds[i].revents)
				count++;
		}
		if (count || timeout_ms == 0) {
			r = count;
			break;
		}
		for (nfds_t i = 0; i < n; i++) {
			struct rt_sock *e = sk_rt_sock(rt, fds[i].fd);
			gens[2 * i] = e ? e->gen : 0;
			gens[2 * i + 1] = e ? e->kick : 0;
		}
		struct rt_waiter w = {.kind = RT_W_POLL, .fds = fds, .nfds = n, .gens = gens};
		int wr = sk_rt_wait(rt, &w, deadline);
		if (wr == -ETIMEDOUT) {
			r = 0;
			break;
		}
		if (wr < 0)
			r = wr;
		/* else: something is ready, or a handle was closed or shut: look again */
	}
	sk_rt_unlock(rt);
	if (gens != small)
		free(gens);
	return (int)ret(r);
}
