/* The POSIX-style socket calls of the runtime: each takes the lock and runs the POSIX layer's
 * call (sock/posix.h); when that asks to wait, the caller sleeps (rt.c) until the socket is
 * ready or the call's deadline passes, and runs the call again. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rt/rt_int.h"
#include "sock/posix.h"

/* A result of the POSIX layer: the value, or -1 with errno. */
static ssize_t ret(ssize_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* Sleeps (mu held) as a call that returned SK_PX_WAIT asks: 0 to run the call again, or
 * -ESHUTDOWN. The stack's clock is the runtime's monotonic clock, so the call's deadline is
 * a deadline here too; after a timed-out sleep the clock is moved on, so the call sees it. */
static int px_wait(synack_rt *rt, const struct sk_px_wait *w, struct pollfd *fds, nfds_t nfds)
{
	uint32_t small[2 * 16];
	uint32_t *gens = NULL;
	struct rt_waiter wt = {.kind = RT_W_SOCK};
	if (fds) {
		gens = nfds <= 16 ? small : malloc(2 * nfds * sizeof(*gens));
		if (!gens)
			return -ENOMEM;
		for (nfds_t i = 0; i < nfds; i++) {
			struct rt_sock *e = sk_rt_sock(rt, fds[i].fd);
			gens[2 * i] = sk_px_gen(rt->px, fds[i].fd);
			gens[2 * i + 1] = e ? e->kick : 0;
		}
		wt.kind = RT_W_POLL;
		wt.fds = fds;
		wt.nfds = nfds;
		wt.gens = gens;
	} else {
		struct rt_sock *e = sk_rt_sock(rt, w->sock);
		wt.sock = w->sock;
		wt.mask = w->events;
		wt.gen = w->gen;
		wt.kick = e ? e->kick : 0;
	}
	int r = sk_rt_wait(rt, &wt, w->deadline);
	if (gens != small)
		free(gens);
	if (r == -ETIMEDOUT) {
		sk_rt_advance(rt);
		r = 0;
	}
	return r;
}

/* Runs CALL (an expression of the POSIX layer using &w) until it stops asking to wait. */
#define DRIVE(rt, r, w, CALL)                                                                    \
	do {                                                                                     \
		struct sk_px_wait w = {0};                                                       \
		r = sk_rt_lock(rt);                                                              \
		while (r == 0) {                                                                 \
			r = (CALL);                                                              \
			if (r != SK_PX_WAIT)                                                     \
				break;                                                           \
			r = px_wait(rt, &w, NULL, 0);                                            \
		}                                                                                \
		sk_rt_unlock(rt);                                                                \
	} while (0)

/* Runs a call that never waits. */
#define ONCE(rt, r, CALL)                                                                        \
	do {                                                                                     \
		r = sk_rt_lock(rt);                                                              \
		if (r == 0)                                                                      \
			r = (CALL);                                                              \
		sk_rt_unlock(rt);                                                                \
	} while (0)

int synack_rt_socket(synack_rt *rt, int domain, int type, int protocol)
{
	int r;
	ONCE(rt, r, sk_px_socket(rt->px, domain, type, protocol));
	return (int)ret(r);
}

int synack_rt_bind(synack_rt *rt, int s, const struct sockaddr *a, socklen_t len)
{
	int r;
	ONCE(rt, r, sk_px_bind(rt->px, s, a, len));
	return (int)ret(r);
}

int synack_rt_listen(synack_rt *rt, int s, int backlog)
{
	int r;
	ONCE(rt, r, sk_px_listen(rt->px, s, backlog));
	return (int)ret(r);
}

int synack_rt_accept4(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len, int flags)
{
	int r;
	DRIVE(rt, r, w, sk_px_accept(rt->px, s, a, len, flags, &w));
	return (int)ret(r);
}

int synack_rt_accept(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len)
{
	int r;
	DRIVE(rt, r, w, sk_px_accept(rt->px, s, a, len, 0, &w));
	return (int)ret(r);
}

int synack_rt_connect(synack_rt *rt, int s, const struct sockaddr *a, socklen_t len)
{
	int r;
	DRIVE(rt, r, w, sk_px_connect(rt->px, s, a, len, &w));
	return (int)ret(r);
}

ssize_t synack_rt_sendto(synack_rt *rt, int s, const void *buf, size_t len, int flags, const struct sockaddr *to,
			 socklen_t tolen)
{
	struct iovec iov = {(void *)buf, len};
	struct msghdr m = {.msg_name = (void *)to, .msg_namelen = tolen, .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t r;
	DRIVE(rt, r, w, sk_px_sendmsg(rt->px, s, &m, flags, &w));
	return ret(r);
}

ssize_t sk_rt_send_fill(synack_rt *rt, int s, size_t len, ssize_t (*fill)(void *ctx, void *buf, size_t len), void *ctx)
{
	ssize_t r;
	ONCE(rt, r, synack_send_fill(rt->st, s, len, fill, ctx));
	return ret(r);
}

ssize_t sk_rt_recv_drain(synack_rt *rt, int s, size_t len, ssize_t (*drain)(void *ctx, const void *buf, size_t len),
			 void *ctx)
{
	ssize_t r;
	ONCE(rt, r, synack_recv_drain(rt->st, s, len, drain, ctx));
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
		return ret(-EFAULT);
	struct iovec iov = {buf, len};
	struct msghdr m = {.msg_name = from, .msg_namelen = fromlen ? *fromlen : 0, .msg_iov = &iov,
			   .msg_iovlen = 1};
	ssize_t r;
	DRIVE(rt, r, w, sk_px_recvmsg(rt->px, s, &m, flags, &w));
	if (r >= 0 && from)
		*fromlen = m.msg_namelen;
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
		r = sk_px_shutdown(rt->px, s, how);
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
	int r;
	DRIVE(rt, r, w, sk_px_close(rt->px, s, &w)); /* SO_LINGER may wait */
	if (r == 0 && sk_rt_lock(rt) == 0) {
		struct rt_sock *e = sk_rt_sock(rt, s);
		if (e) {
			e->kick++;
			e->gone_told = 0; /* the handle's next life is told anew */
		}
		sk_rt_ep_forget(rt, s); /* as the kernel drops a closed descriptor from its sets */
		sk_rt_kick(rt, s); /* threads blocked on the handle return EBADF */
		sk_rt_unlock(rt);
	}
	return (int)ret(r);
}

int synack_rt_setsockopt(synack_rt *rt, int s, int level, int name, const void *val, socklen_t len)
{
	int r;
	ONCE(rt, r, sk_px_setsockopt(rt->px, s, level, name, val, len));
	return (int)ret(r);
}

int synack_rt_getsockopt(synack_rt *rt, int s, int level, int name, void *val, socklen_t *len)
{
	int r;
	ONCE(rt, r, sk_px_getsockopt(rt->px, s, level, name, val, len));
	return (int)ret(r);
}

int synack_rt_getsockname(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len)
{
	int r;
	ONCE(rt, r, sk_px_getsockname(rt->px, s, a, len));
	return (int)ret(r);
}

int synack_rt_getpeername(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len)
{
	int r;
	ONCE(rt, r, sk_px_getpeername(rt->px, s, a, len));
	return (int)ret(r);
}

int synack_rt_set_nonblock(synack_rt *rt, int s, int on)
{
	int v = on != 0;
	int r;
	ONCE(rt, r, sk_px_ioctl(rt->px, s, FIONBIO, &v));
	return (int)ret(r);
}

int synack_rt_poll(synack_rt *rt, struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct sk_px_wait w = {0};
	int r = sk_rt_lock(rt);
	while (r == 0) {
		r = sk_px_poll(rt->px, fds, n, timeout_ms, &w);
		if (r != SK_PX_WAIT)
			break;
		r = px_wait(rt, &w, fds, n);
	}
	sk_rt_unlock(rt);
	return (int)ret(r);
}
