/* A synack TCP connection joined to a kernel stream descriptor (splice.h). */
#include "run/splice.h"

#include "rt/rt_int.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536 /* bytes moved per read or write */

static int need_buf(uint8_t **b)
{
	if (!*b)
		*b = malloc(BUF);
	return *b != NULL;
}

/* Reads the kernel side straight into synack's send buffer (sk_rt_send_fill). */
static ssize_t fill_from_fd(void *ctx, void *buf, size_t len)
{
	struct sk_splice *x = ctx;
	ssize_t n = read(x->fd, buf, len);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		x->kernel_dry = x->edge && errno != EINTR;
		return 0;
	}
	x->up_eof = 1; /* end of file, or the kernel side reset */
	if (n < 0)
		x->kernel_error = errno;
	return 0;
}

/* Kernel side to synack: read into synack's send buffer while it has room. Unbounded, as
 * an edge-triggered owner needs: it ends because synack's send buffer, which nothing
 * empties meanwhile (acknowledgements are read by the same thread), fills. */
static void pump_up(struct sk_splice *x)
{
	x->net_full = 0;
	while (x->fd >= 0 && !x->up_eof && !x->net_dead && !x->kernel_dry) {
		ssize_t m = sk_rt_send_fill(x->rt, x->s, BUF, fill_from_fd, x);
		if (m > 0)
			continue;
		if (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			x->net_dead = 1; /* EPIPE, ECONNRESET: the connection is gone */
			x->down_eof = 1;
			if (errno != EPIPE)
				x->so_error = errno;
		}
		if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			x->net_full = 1; /* wait for room (EPOLLOUT) before reading more */
		break;
	}
	/* synack takes no more (reset, or its side shut): what the kernel side still sends
	 * is read and dropped, so that its end of file is seen. */
	while (x->net_dead && x->fd >= 0 && !x->up_eof && need_buf(&x->up)) {
		if (fill_from_fd(x, x->up, BUF) == 0)
			break;
	}
	free(x->up);
	x->up = NULL;
}

/* The kernel side takes no more (it shut its receiving side, or is gone): synack's bytes
 * are read and dropped, so that its end of stream is still seen. */
static void discard_down(struct sk_splice *x)
{
	while (x->fd >= 0 && !x->down_eof && need_buf(&x->down)) {
		ssize_t m = synack_rt_recv(x->rt, x->s, x->down, BUF, MSG_DONTWAIT);
		if (m > 0)
			continue;
		if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		x->down_eof = 1;
		if (m < 0) {
			x->net_dead = 1;
			x->so_error = errno;
		}
	}
	free(x->down);
	x->down = NULL;
}

/* Writes synack's received bytes, in place, to the kernel side (sk_rt_recv_drain). */
static ssize_t drain_to_fd(void *ctx, const void *buf, size_t len)
{
	struct sk_splice *x = ctx;
	ssize_t n = send(x->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n >= 0) {
		if ((size_t)n < len)
			x->kernel_full = 1;
		return n;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		x->kernel_full = 1;
		return 0;
	}
	x->wr_shut = 1; /* it shut its receiving side, or left */
	return 0;
}

/* synack to the kernel side: straight from synack's receive buffer while the kernel side
 * takes it. Unbounded: it ends when that buffer, which nothing fills meanwhile, is empty. */
static void pump_down(struct sk_splice *x)
{
	if (!x->edge)
		x->kernel_full = 0; /* (edge-triggered: until the owner saw EPOLLOUT) */
	while (x->fd >= 0 && !x->down_eof && !x->wr_shut && !x->kernel_gone && !x->kernel_full) {
		ssize_t m = sk_rt_recv_drain(x->rt, x->s, 4 * BUF, drain_to_fd, x);
		if (m > 0 && !x->kernel_full)
			continue;
		if (m == 0 && !x->kernel_full && !x->wr_shut) {
			x->down_eof = 1; /* synack's FIN */
		} else if (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			x->down_eof = 1;
			x->net_dead = 1;
			x->so_error = errno;
		}
		break;
	}
	if (x->wr_shut || x->kernel_gone)
		discard_down(x);
}

void sk_splice_pump(struct sk_splice *x)
{
	pump_up(x);
	pump_down(x);
	if (x->up_eof && !x->net_wr_shut && !x->net_dead && x->s >= 0) {
		synack_rt_shutdown(x->rt, x->s, SHUT_WR);
		x->net_wr_shut = 1;
	}
	if (x->down_eof && !x->wr_shut && x->fd >= 0) {
		/* synack's FIN: end of file for the kernel side; a reset also refuses its writes */
		shutdown(x->fd, x->net_dead ? SHUT_RDWR : SHUT_WR);
		x->wr_shut = 1;
	}
}

void sk_splice_interest(const struct sk_splice *x, uint32_t *kernel, uint32_t *net)
{
	*kernel = (!x->up_eof && !x->net_full ? EPOLLIN : 0) | (x->kernel_full ? EPOLLOUT : 0);
	*net = (!x->down_eof && !x->kernel_full ? EPOLLIN : 0) | (x->net_full && !x->net_dead ? EPOLLOUT : 0);
}

int sk_splice_done(const struct sk_splice *x)
{
	return x->up_eof && x->wr_shut;
}

void sk_splice_release(struct sk_splice *x)
{
	free(x->up);
	free(x->down);
	x->up = x->down = NULL;
	x->ulen = x->dlen = 0;
}

void sk_watch_kernel(int ep, int fd, uint32_t *cur, uint32_t ev, void *ptr)
{
	if (fd < 0 || ev == *cur)
		return;
	struct epoll_event e = {.events = ev, .data.ptr = ptr};
	if (ev == ~0u)
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	else if (epoll_ctl(ep, *cur == ~0u ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &e) < 0)
		return;
	*cur = ev;
}

void sk_watch_net(synack_rt *rt, int sep, int s, uint32_t *cur, uint32_t ev, void *ptr)
{
	if (s < 0 || ev == *cur)
		return;
	struct epoll_event e = {.events = ev, .data.ptr = ptr};
	if (ev == ~0u)
		synack_rt_epoll_ctl(rt, sep, EPOLL_CTL_DEL, s, NULL);
	else if (synack_rt_epoll_ctl(rt, sep, *cur == ~0u ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s, &e) < 0)
		return;
	*cur = ev;
}

int sk_watch_net_round(synack_rt *rt, int ready, int sep, void (*fn)(void *ctx, void *ptr, uint32_t ev), void *ctx)
{
	if (ready && synack_rt_run_once(rt) < 0)
		return -1;
	/* Bounded: a set that stays full waits for the next round, not for ever. */
	for (int round = 0; round < 16; round++) {
		struct epoll_event se[64];
		int m = synack_rt_epoll_wait(rt, sep, se, 64, 0);
		for (int i = 0; i < m; i++)
			fn(ctx, se[i].data.ptr, se[i].events);
		if (m < 64)
			break;
	}
	return 0;
}
