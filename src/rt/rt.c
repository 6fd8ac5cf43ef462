/* The runtime: the device, the stack, the loop thread that joins them, and the waiting and
 * waking that lets application threads block on the stack's sockets. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/rng.h"
#include "link/appdev.h"
#include "link/ethif.h"
#include "link/pcapdev.h"
#include "link/tracedev.h"
#include "link/tun.h"
#include "rt/rt_dev.h"
#include "rt/rt_int.h"
#include "sock/posix.h"
#include "stack/addr.h"
#include "wire/decode.h"
#include "wire/ipv6.h"

#define RT_BATCH     256               /* packets read per round, at most */
#define RT_BATCH_MEM (4u * 1024 * 1024) /* and at most this much buffer */
#define RT_CHUNK     256               /* socket table entries per chunk */
#define RT_BACKOFF_US 10000            /* after a device error, leave the device this long, */
#define RT_BACKOFF_MAX_US 1000000      /* doubling up to this */

uint64_t sk_rt_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The IP layer's form of an IPv4 option: 0 when not given. */
static uint32_t ip4(const struct synack_ip *ip)
{
	uint32_t a = 0;
	sk_ip_to4(ip, &a);
	return a;
}

static uint64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void say(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t whylen, const char *fmt, ...)
{
	if (!why || !whylen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- the deadline and the loop's wake-up ---- */

static uint64_t next_deadline(const synack_rt *rt)
{
	uint64_t d = synack_next_deadline(rt->st);
	if (rt->eth) {
		uint64_t e = sk_ethif_next_deadline(rt->eth);
		if (e < d)
			d = e;
	}
	return d;
}

static void wake_loop(synack_rt *rt)
{
	uint64_t one = 1;
	ssize_t n = write(rt->efd, &one, sizeof(one));
	(void)n; /* EAGAIN: the counter is already non-zero, the loop will wake anyway */
	rt->wakeups_sent++;
}

/* Runs the stack's timers up to now (and the adapter's); 1 if anything was due. */
static int run_timers(synack_rt *rt, uint64_t now)
{
	int due = next_deadline(rt) <= now;
	synack_poll(rt->st, now); /* with nothing due this only moves the stack's clock */
	if (rt->eth)
		sk_ethif_poll(rt->eth, now);
	return due;
}

int sk_rt_lock(synack_rt *rt)
{
	pthread_mutex_lock(&rt->mu);
	rt->calls++;
	if (rt->stopping)
		return -ESHUTDOWN;
	/* The stack's clock only moves when it is driven: move it now, so that what this call
	 * sends is stamped (RTT samples, timers) with the real time, not the loop's last. */
	if (run_timers(rt, sk_rt_now_us()))
		sk_rt_wake_ready(rt);
	return 0;
}

void sk_rt_advance(synack_rt *rt)
{
	if (run_timers(rt, sk_rt_now_us()))
		sk_rt_wake_ready(rt);
}

/* Without a loop thread: has tfd fire by deadline d (UINT64_MAX: none), or at once when
 * now is set. The timer is only ever moved earlier, or set again once it has fired: a
 * deadline that moved later costs one early round, which finds nothing due and sets the
 * timer for the real one, instead of a system call every time a connection's timers
 * move (mu held, or the application's loop thread between rounds). */
static int external_arm(synack_rt *rt, uint64_t d, int now)
{
	if (!now && d >= rt->armed_until && rt->armed_until > sk_rt_now_us())
		return 0;
	struct itimerspec it = {{0, 0}, {0, 0}};
	if (now)
		it.it_value.tv_nsec = 1;
	else if (d != UINT64_MAX)
		it.it_value = (struct timespec){.tv_sec = (time_t)(d / 1000000u), .tv_nsec = (long)(d % 1000000u) * 1000 + 1};
	/* (Setting it also clears an expiry not read: timerfd_settime(2) resets the count.) */
	if (timerfd_settime(rt->tfd, now ? 0 : TFD_TIMER_ABSTIME, &it, NULL) < 0)
		return -1;
	rt->armed_until = now ? 0 : d;
	return 0;
}

/* Before a caller lets go of the lock (unlocking, or waiting for its socket): if what it did
 * armed a timer earlier than the sleeping loop's wake-up, wake the loop to sleep again for
 * the right time. A caller that blocks right after sending (a write that filled the send
 * buffer) leaves the stack with a retransmission timer only the loop can run. */
static void tell_loop(synack_rt *rt)
{
	if (rt->external) {
		/* Without a loop thread the timer is the application's wake-up: set it earlier
		 * here, one system call, instead of waking its loop for a round that would. */
		if (!rt->stopping && rt->tfd >= 0)
			external_arm(rt, next_deadline(rt), 0);
		return;
	}
	if (!rt->stopping && rt->sleep_until) {
		uint64_t d = next_deadline(rt);
		if (d < rt->sleep_until) {
			rt->sleep_until = d;
			wake_loop(rt);
		}
	}
}

/* Without a loop thread, "a socket has news" must make the application's descriptor
 * readable too: while any epoll set has a ready entry, the news eventfd (in the set
 * behind synack_rt_fd) stays signalled (mu held). */
static void news(synack_rt *rt)
{
	if (!rt->external)
		return;
	int any = sk_rt_ep_any_ready(rt);
	uint64_t v = 1;
	if (any != rt->news_on) {
		ssize_t n = any ? write(rt->nfd, &v, sizeof(v)) : read(rt->nfd, &v, sizeof(v));
		(void)n;
		rt->news_on = any;
	}
}

void sk_rt_unlock(synack_rt *rt)
{
	news(rt);
	tell_loop(rt);
	if (--rt->calls == 0 && rt->stopping)
		pthread_cond_broadcast(&rt->idle_cv);
	pthread_mutex_unlock(&rt->mu);
}

/* ---- the socket table ---- */

struct rt_sock *sk_rt_sock(synack_rt *rt, int s)
{
	if (s < 0)
		return NULL;
	uint32_t c = (uint32_t)s / RT_CHUNK;
	if (c >= rt->nchunks) {
		uint32_t n = rt->nchunks ? rt->nchunks : 4;
		while (n <= c)
			n *= 2;
		struct rt_sock **v = realloc(rt->chunks, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + rt->nchunks, 0, (n - rt->nchunks) * sizeof(*v));
		rt->chunks = v;
		rt->nchunks = n;
	}
	if (!rt->chunks[c]) {
		rt->chunks[c] = calloc(RT_CHUNK, sizeof(struct rt_sock));
		if (!rt->chunks[c])
			return NULL;
	}
	return &rt->chunks[c][(uint32_t)s % RT_CHUNK];
}

/* ---- waiting ---- */

static int gen_changed(synack_rt *rt, int s, uint32_t gen, uint32_t kick)
{
	struct rt_sock *e = sk_rt_sock(rt, s);
	return e && (sk_px_gen(rt->px, s) != gen || e->kick != kick);
}

static int waiter_ready(synack_rt *rt, struct rt_waiter *w)
{
	switch (w->kind) {
	case RT_W_SOCK: {
		if (gen_changed(rt, w->sock, w->gen, w->kick))
			return 1;
		int ev = synack_events(rt->st, w->sock);
		return ev < 0 || (ev & w->mask);
	}
	case RT_W_POLL:
		for (nfds_t i = 0; i < w->nfds; i++) {
			int fd = w->fds[i].fd;
			if (fd < 0)
				continue;
			if (gen_changed(rt, fd, w->gens[2 * i], w->gens[2 * i + 1]))
				return 1;
			int ev = synack_events(rt->st, fd);
			if (ev < 0 || (ev & (sk_rt_poll_mask(w->fds[i].events) | SYNACK_EV_ERR | SYNACK_EV_HUP)))
				return 1;
		}
		return 0;
	case RT_W_DRAIN:
		return sk_rt_closing(rt) == 0;
	case RT_W_EP:
		return sk_rt_ep_ready(w->ep);
	}
	return 1;
}

static int waiter_refers(const struct rt_waiter *w, int s)
{
	if (w->kind == RT_W_SOCK)
		return w->sock == s;
	if (w->kind == RT_W_POLL)
		for (nfds_t i = 0; i < w->nfds; i++)
			if (w->fds[i].fd == s)
				return 1;
	return 0;
}

void sk_rt_ep_wake(synack_rt *rt, struct rt_ep *ep)
{
	for (struct rt_waiter *w = rt->waiters; w; w = w->next)
		if (!w->ready && w->kind == RT_W_EP && w->ep == ep) {
			w->ready = 1;
			pthread_cond_signal(&w->cv);
		}
}

void sk_rt_wake_ready(synack_rt *rt)
{
	sk_rt_ep_collect(rt);
	for (struct rt_waiter *w = rt->waiters; w; w = w->next)
		if (!w->ready && waiter_ready(rt, w)) {
			w->ready = 1;
			pthread_cond_signal(&w->cv);
		}
}

void sk_rt_kick(synack_rt *rt, int s)
{
	for (struct rt_waiter *w = rt->waiters; w; w = w->next)
		if (!w->ready && waiter_refers(w, s) && waiter_ready(rt, w)) {
			w->ready = 1;
			pthread_cond_signal(&w->cv);
		}
}

static int external_wait(synack_rt *rt, struct rt_waiter *w, uint64_t deadline_us);

/* Once the device is gone, a wait returns ENETDOWN instead: once per socket (per poll set
 * of sockets, per epoll set), as Linux reports a socket's pending error once, so that a
 * program that retries on errors does not spin; after that it waits as before (nothing
 * will come). A drain always returns it. 1 when w is to be told now (mu held). */
static int gone_tell(synack_rt *rt, struct rt_waiter *w)
{
	int tell = 0;
	switch (w->kind) {
	case RT_W_SOCK: {
		struct rt_sock *e = sk_rt_sock(rt, w->sock);
		tell = !e || !e->gone_told;
		if (e)
			e->gone_told = 1;
		break;
	}
	case RT_W_POLL:
		for (nfds_t i = 0; i < w->nfds; i++) {
			struct rt_sock *e = w->fds[i].fd >= 0 ? sk_rt_sock(rt, w->fds[i].fd) : NULL;
			if (e && !e->gone_told) {
				e->gone_told = 1;
				tell = 1;
			}
		}
		break;
	case RT_W_EP:
		tell = !w->ep->gone_told;
		w->ep->gone_told = 1;
		break;
	case RT_W_DRAIN:
		tell = 1;
		break;
	}
	return tell;
}

int sk_rt_wait(synack_rt *rt, struct rt_waiter *w, uint64_t deadline_us)
{
	if (rt->stopping)
		return -ESHUTDOWN;
	if (rt->dev_gone && gone_tell(rt, w))
		return -ENETDOWN; /* nothing can come any more */
	if (deadline_us != UINT64_MAX && deadline_us <= sk_rt_now_us())
		return -ETIMEDOUT;
	tell_loop(rt);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	w->ready = 0;
	w->prev = NULL;
	w->next = rt->waiters;
	if (rt->waiters)
		rt->waiters->prev = w;
	rt->waiters = w;
	rt->nwaiters++;
	int timed_out = 0, told = 0;
	if (rt->external) {
		int r = external_wait(rt, w, deadline_us);
		timed_out = r == -ETIMEDOUT;
		told = r == -ENETDOWN;
	}
	while (!rt->external && !w->ready && !rt->stopping && !(rt->dev_gone && (told = gone_tell(rt, w)))) {
		if (deadline_us == UINT64_MAX) {
			pthread_cond_wait(&w->cv, &rt->mu);
		} else {
			struct timespec ts = {.tv_sec = (time_t)(deadline_us / 1000000u),
					      .tv_nsec = (long)(deadline_us % 1000000u) * 1000};
			if (pthread_cond_timedwait(&w->cv, &rt->mu, &ts) == ETIMEDOUT) {
				timed_out = 1;
				break;
			}
		}
	}
	if (w->prev)
		w->prev->next = w->next;
	else
		rt->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	rt->nwaiters--;
	pthread_cond_destroy(&w->cv);
	if (rt->stopping)
		return -ESHUTDOWN;
	if (w->ready)
		return 0;
	if (told)
		return -ENETDOWN;
	(void)timed_out;
	return -ETIMEDOUT;
}

/* ---- draining ---- */

static void count_closing(void *ctx, const struct synack_sock_entry *e)
{
	int *n = ctx;
	if (e->type != SYNACK_SOCK_STREAM)
		return;
	switch (e->state) {
	case SYNACK_FIN_WAIT_1:
	case SYNACK_FIN_WAIT_2:
	case SYNACK_CLOSING:
	case SYNACK_LAST_ACK:
		(*n)++;
		break;
	default:
		break;
	}
}

int sk_rt_closing(synack_rt *rt)
{
	int n = 0;
	synack_sock_foreach(rt->st, count_closing, &n);
	return n;
}

int synack_rt_drain(synack_rt *rt, int timeout_ms)
{
	int r = sk_rt_lock(rt);
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : sk_rt_now_us() + (uint64_t)timeout_ms * 1000u;
	while (r == 0 && sk_rt_closing(rt) > 0) {
		struct rt_waiter w = {.kind = RT_W_DRAIN};
		r = sk_rt_wait(rt, &w, deadline);
	}
	sk_rt_unlock(rt);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/* ---- the device side ---- */

/* Errors that mean the device is gone for good: a TUN/TAP whose interface was deleted
 * (EBADFD), a link's descriptor closed (EBADF) or at its end (ENOLINK: the other end of a
 * socketpair or stream went away). Not EIO: a TUN whose link is down says that, and may
 * come up again; not what a send callback returns (EPIPE, ...): the application knows. */
static int gone_error(int e)
{
	return e == EBADFD || e == ENODEV || e == ENXIO || e == ENOLINK || e == EBADF;
}

/* The device went away (mu held): recorded once, for synack_rt_status and the control
 * dump; it is watched no more, and the callers waiting are woken to return ENETDOWN
 * (gone_tell). */
static void dev_lost(synack_rt *rt, int err)
{
	if (rt->dev_gone)
		return;
	rt->dev_gone = err;
	snprintf(rt->gone_why, sizeof(rt->gone_why), "%s: the device is gone", rt->raw->name);
	for (struct rt_waiter *w = rt->waiters; w; w = w->next)
		pthread_cond_signal(&w->cv);
	wake_loop(rt); /* the loop (or the application's, on the descriptor) sees it at once */
}

/* Counts what a send to the device gave (r), and notices a device that went away. */
static int rt_sent(synack_rt *rt, int r)
{
	if (r < 0) {
		rt->dev_tx_errors++;
		rt->last_dev_error = -r;
		if (gone_error(-r) || sk_tun_attached(rt->raw) < 0)
			dev_lost(rt, -r);
	} else {
		rt->dev_tx++;
	}
	return r;
}

static int rt_output(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	synack_rt *rt = ctx; /* called with mu held, from the loop or from a caller's thread */
	if (rt->dev_gone) {
		rt->dev_tx_errors++;
		return -ENETDOWN;
	}
	return rt_sent(rt, rt->eth ? sk_ethif_output(rt->eth, pkt, len, now) : sk_dev_send(rt->dev, pkt, len, now));
}

/* A TCP segment whose payload stays in its send buffer (synack_set_output_sg): on a TUN
 * with offloads and nothing wrapped around it. */
static int rt_output_sg(void *ctx, const uint8_t *hdr, size_t hlen, const struct iovec *pl, int n, uint64_t now)
{
	synack_rt *rt = ctx;
	if (rt->dev_gone) {
		rt->dev_tx_errors++;
		return -ENETDOWN;
	}
	return rt_sent(rt, sk_dev_send_sg(rt->dev, hdr, hlen, pl, n, now));
}

/* A frame read from the device one at a time (a TAP's through the adapter, or a device
 * wrapped by the trace or a capture, which see every checksum completed). */
static void rx_frame(synack_rt *rt, const uint8_t *f, size_t len, uint64_t now)
{
	rt->dev_rx++;
	if (rt->eth) {
		const uint8_t *ip;
		size_t iplen;
		if (sk_ethif_input(rt->eth, f, len, now, &ip, &iplen) == 1)
			synack_input(rt->st, ip, iplen, now);
	} else {
		synack_input(rt->st, f, len, now);
	}
}

/* A device that fails (its interface deleted, say) is left alone for a while, longer each
 * time it fails again, so that a dead device costs no CPU; a good read resets the wait. */
static void dev_error(synack_rt *rt, int err, uint64_t now)
{
	rt->dev_rx_errors++;
	rt->last_dev_error = err;
	/* A TUN/TAP whose interface was deleted only reports POLLERR: ask it (TUNGETIFF). */
	int gone = sk_tun_attached(rt->raw);
	if (gone_error(err) || gone < 0)
		dev_lost(rt, gone < 0 ? -gone : err);
	rt->dev_backoff_us = rt->dev_backoff_us ? rt->dev_backoff_us * 2 : RT_BACKOFF_US;
	if (rt->dev_backoff_us > RT_BACKOFF_MAX_US)
		rt->dev_backoff_us = RT_BACKOFF_MAX_US;
	rt->dev_backoff_until = now + rt->dev_backoff_us;
}

/* ---- the loop: one round, run by the loop thread or by the application ---- */

enum { PFD_EFD, PFD_DEV, PFD_CTL, PFD_MAX = PFD_CTL + 1 + 64 };

/* What a round waits on: the wake-up eventfd, the device (unless it rests after errors),
 * the control socket. Returns how many entries it filled. */
static int loop_pollfds(synack_rt *rt, struct pollfd *pfd)
{
	int np = 0;
	pfd[np++] = (struct pollfd){.fd = rt->efd, .events = POLLIN};
	int devfd = sk_dev_fd(rt->dev);
	if (rt->dev_gone || sk_rt_now_us() < rt->dev_backoff_until)
		devfd = -1; /* gone, or resting after errors */
	pfd[np++] = (struct pollfd){.fd = devfd, .events = POLLIN};
	np += sk_rt_control_pollfds(rt, pfd + np, PFD_MAX - np);
	return np;
}

/* One round, after poll(2) reported pr entries of pfd ready: serves the control socket,
 * reads the device (when dev_ready or poll says so), feeds the stack, runs the timers and
 * wakes the callers concerned. Returns 1 when it read a full batch (more is waiting: come
 * back at once), 0 otherwise with *deadline the time the next round is due (UINT64_MAX:
 * none but the fds), or -1 once the runtime is stopping. */
static int loop_round(synack_rt *rt, struct pollfd *pfd, int np, int pr, int dev_ready, uint64_t *deadline)
{
	if (pr > 0) {
		if (pfd[PFD_EFD].revents & POLLIN) {
			uint64_t v;
			ssize_t n = read(rt->efd, &v, sizeof(v));
			(void)n;
		}
		if (pfd[PFD_DEV].revents & POLLIN)
			dev_ready = 1;
		sk_rt_control_handle(rt, pfd + PFD_CTL, np - PFD_CTL);
	}
	int dev_bad = pr > 0 && (pfd[PFD_DEV].revents & (POLLERR | POLLHUP | POLLNVAL)) &&
		      !(pfd[PFD_DEV].revents & POLLIN);
	/* The plain device is read before taking the lock: the stack waits less. */
	int got = 0, rerr = 0;
	if (dev_ready && !rt->wrapped) {
		got = sk_tun_recv_batch(rt->raw, rt->rxbuf, rt->rxcap, rt->rxlen, rt->rxver, rt->rxn);
		if (got < 0) {
			rerr = -got;
			got = 0;
		}
	}

	pthread_mutex_lock(&rt->mu);
	if (rt->stopping) {
		pthread_mutex_unlock(&rt->mu);
		return -1;
	}
	uint64_t now = sk_rt_now_us();
	rt->sleep_until = 0; /* awake: callers need not poke us */
	rt->rounds++;
	if (dev_ready && rt->wrapped) {
		for (; got < rt->rxn; got++) {
			/* Read one at a time here, so each frame gets its own time: the trace and
			 * the capture stamp it with this. */
			now = sk_rt_now_us();
			int n = sk_dev_recv(rt->dev, rt->rxbuf[0], rt->rxcap, now);
			if (n <= 0) {
				if (n < 0 && n != -EMSGSIZE)
					rerr = -n;
				break;
			}
			rx_frame(rt, rt->rxbuf[0], (size_t)n, now);
		}
	} else if (!rt->eth) {
		/* IP packets: one batch, so that their plain ACKs go once per connection */
		rt->dev_rx += (uint64_t)got;
		synack_input_batch(rt->st, (const uint8_t *const *)rt->rxbuf, rt->rxlen, rt->rxver, (size_t)got, now);
	} else {
		for (int i = 0; i < got; i++)
			rx_frame(rt, rt->rxbuf[i], rt->rxlen[i], now);
	}
	if (rerr)
		dev_error(rt, rerr, now);
	else if (dev_bad)
		dev_error(rt, EIO, now);
	else if (got > 0)
		rt->dev_backoff_us = 0;
	run_timers(rt, now);
	sk_rt_wake_ready(rt);

	/* A full batch means more is waiting: go round again at once (having let the callers
	 * in between), else sleep until the next deadline or a packet. */
	int more = got == rt->rxn;
	now = sk_rt_now_us(); /* the timeout counts from now, after the work */
	uint64_t d = next_deadline(rt);
	if (rt->dev_backoff_until > now && rt->dev_backoff_until < d)
		d = rt->dev_backoff_until;
	uint64_t ctl = rt->external ? 5000 : 1000000; /* control clients time out */
	if (rt->nclients && d > now + ctl)
		d = now + ctl;
	rt->sleep_until = more ? now : d;
	*deadline = d;
	pthread_mutex_unlock(&rt->mu);
	return more;
}

static void *loop_main(void *arg)
{
	synack_rt *rt = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the application's business */
	struct pollfd pfd[PFD_MAX];
	struct timespec ts = {0, 0};
	struct timespec *tsp = &ts;
	int more = 1;
	for (;;) {
		/* Asleep (unlocked): the device, the wake-up eventfd, the control socket. */
		int np = loop_pollfds(rt, pfd);
		int pr = ppoll(pfd, (nfds_t)np, tsp, NULL);
		uint64_t d;
		more = loop_round(rt, pfd, np, pr, more, &d);
		if (more < 0)
			return NULL;
		uint64_t now = sk_rt_now_us();
		if (more) {
			ts = (struct timespec){0, 0};
			tsp = &ts;
		} else if (d == UINT64_MAX) {
			tsp = NULL;
		} else {
			uint64_t us = d > now ? d - now : 0;
			ts = (struct timespec){.tv_sec = (time_t)(us / 1000000u), .tv_nsec = (long)(us % 1000000u) * 1000};
			tsp = &ts;
		}
	}
}

/* ---- without a loop thread: the application's loop drives the runtime ---- */

/* The device's place in the application's epoll set follows its rest after errors: a
 * failing device must not keep the descriptor readable. */
static void external_dev_watch(synack_rt *rt, uint64_t now)
{
	int want = now >= rt->dev_backoff_until && !rt->dev_gone;
	if (want == rt->dev_watched)
		return;
	struct epoll_event ev = {.events = EPOLLIN};
	int fd = sk_dev_fd(rt->dev);
	if (epoll_ctl(rt->app_fd, want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) == 0)
		rt->dev_watched = want;
}

int synack_rt_fd(synack_rt *rt)
{
	if (!rt || !rt->external) {
		errno = EINVAL;
		return -1;
	}
	return rt->app_fd;
}

int synack_rt_run_once(synack_rt *rt)
{
	if (!rt || !rt->external) {
		errno = EINVAL;
		return -1;
	}
	struct pollfd pfd[PFD_MAX];
	int np = loop_pollfds(rt, pfd);
	struct timespec zero = {0, 0};
	int pr = ppoll(pfd, (nfds_t)np, &zero, NULL);
	uint64_t d = UINT64_MAX;
	int more = loop_round(rt, pfd, np, pr, rt->dev_more, &d);
	if (more < 0) {
		errno = ESHUTDOWN;
		return -1;
	}
	rt->dev_more = more;
	/* The timer fires when the next round is due: at once when more is waiting. */
	if (external_arm(rt, d, more) < 0)
		return -1;
	pthread_mutex_lock(&rt->mu);
	external_dev_watch(rt, sk_rt_now_us());
	int any = sk_rt_ep_any_ready(rt);
	pthread_mutex_unlock(&rt->mu);
	return any;
}

/* The descriptor set of a runtime without thread, its timer armed for a first round. */
static int external_open(synack_rt *rt, char *why, size_t whylen)
{
	rt->external = 1;
	rt->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	rt->nfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rt->app_fd = epoll_create1(EPOLL_CLOEXEC);
	if (rt->tfd < 0 || rt->nfd < 0 || rt->app_fd < 0) {
		say(why, whylen, "%s: %s", rt->tfd < 0 ? "timerfd" : rt->nfd < 0 ? "eventfd" : "epoll", strerror(errno));
		return -1;
	}
	int fds[] = {rt->efd, rt->tfd, rt->nfd, sk_dev_fd(rt->dev), rt->ctl_fd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		struct epoll_event ev = {.events = EPOLLIN};
		if (fds[i] >= 0 && epoll_ctl(rt->app_fd, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			say(why, whylen, "epoll: %s", strerror(errno));
			return -1;
		}
	}
	rt->dev_watched = 1;
	rt->dev_more = 1;
	struct itimerspec it = {{0, 0}, {0, 1}};
	timerfd_settime(rt->tfd, 0, &it, NULL);
	return 0;
}

/* Blocking calls without a loop thread: the caller's own thread runs the rounds while it
 * waits (mu held on entry and exit). 0 when w became ready, -ETIMEDOUT, -ESHUTDOWN. */
static int external_wait(synack_rt *rt, struct rt_waiter *w, uint64_t deadline_us)
{
	while (!w->ready && !rt->stopping) {
		if (rt->dev_gone && gone_tell(rt, w))
			return -ENETDOWN;
		uint64_t now = sk_rt_now_us();
		if (deadline_us != UINT64_MAX && now >= deadline_us)
			return -ETIMEDOUT;
		int ms = deadline_us == UINT64_MAX ? -1 : (int)((deadline_us - now + 999) / 1000);
		pthread_mutex_unlock(&rt->mu);
		/* Not the whole set: its news descriptor says other sockets are ready. */
		struct pollfd p[3] = {{.fd = rt->efd, .events = POLLIN},
				      {.fd = rt->tfd, .events = POLLIN},
				      {.fd = rt->dev_watched ? sk_dev_fd(rt->dev) : -1, .events = POLLIN}};
		int pr = poll(p, 3, ms);
		int r = pr < 0 && errno != EINTR ? -errno : 0;
		if (r == 0 && synack_rt_run_once(rt) < 0)
			r = -errno;
		pthread_mutex_lock(&rt->mu);
		if (r < 0 && !w->ready)
			return r;
	}
	return rt->stopping ? -ESHUTDOWN : 0;
}

/* ---- start and stop ---- */

static void fill_random(void *buf, size_t len)
{
	if (sk_system_random(buf, len) == 0)
		return;
	/* No entropy source: something, at least (this is no secret then). */
	uint64_t x = wall_us() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)buf;
	for (uint8_t *p = buf; len; len--, p++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*p = (uint8_t)x;
	}
}

static void rt_free(synack_rt *rt)
{
	sk_rt_control_close(rt);
	sk_rt_ep_free_all(rt);
	sk_ethif_free(rt->eth);
	sk_px_free(rt->px);
	if (rt->st)
		synack_stack_free(rt->st);
	sk_dev_close(rt->dev);
	if (rt->efd >= 0)
		close(rt->efd);
	if (rt->app_fd >= 0)
		close(rt->app_fd);
	if (rt->tfd >= 0)
		close(rt->tfd);
	if (rt->nfd >= 0)
		close(rt->nfd);
	if (rt->rxbuf) {
		for (int i = 0; i < rt->rxn; i++)
			free(rt->rxbuf[i]);
		free(rt->rxbuf);
	}
	free(rt->rxlen);
	free(rt->rxver);
	for (uint32_t i = 0; i < rt->nchunks; i++)
		free(rt->chunks[i]);
	free(rt->chunks);
	pthread_cond_destroy(&rt->idle_cv);
	pthread_mutex_destroy(&rt->mu);
	free(rt);
}

/* IPv6 on an Ethernet link: neighbour discovery and DAD are the adapter's (src/link/ethif_nd.c).
 * A DAD failure or a conflict is told on stderr: the address is then not used. */
static void eth6_dad(void *ctx, const uint8_t a[16], int event, uint64_t now)
{
	synack_rt *rt = ctx;
	char s[SK_IPV6_ADDRSTRLEN];
	(void)now;
	if (event == SK_ETHIF_DAD_DUPLICATE)
		fprintf(stderr, "%s: %s: duplicate address (DAD: another node on the link has it), not used\n",
			rt->prog, sk_ipv6_ntop(a, s));
	else if (event == SK_ETHIF_ADDR_CONFLICT)
		fprintf(stderr, "%s: %s: another node on the link advertises this address\n", rt->prog,
			sk_ipv6_ntop(a, s));
}

/* --addr, and fe80::/64 from the MAC (modified EUI-64) so that the link can reach us, go to
 * the adapter (through DAD) and the link-local one to the stack too; --gw is the next hop
 * off-link. 0, or -1 with errno and why. */
static int eth6_start(synack_rt *rt, const struct synack_rt_opts *o, const struct synack_ip *a6, uint8_t plen,
		      uint32_t mtu, char *why, size_t whylen)
{
	struct synack_ip ll = {.family = SYNACK_AF_INET6};
	sk_ethif_linklocal(rt->mac, ll.bytes);
	uint64_t now = sk_rt_now_us();
	sk_ethif_set_dad_hook(rt->eth, eth6_dad, rt);
	const char *what = "--addr";
	int r = sk_ethif_add_addr6(rt->eth, a6->bytes, plen, now);
	if (r == 0 && !synack_ip_equal(&ll, a6)) {
		what = "link-local address";
		r = sk_ethif_add_addr6(rt->eth, ll.bytes, 64, now);
		if (r == 0)
			r = synack_add_addr(rt->st, &ll, 64, mtu, rt_output, rt);
	}
	if (r >= 0 && o->gw.family == SYNACK_AF_INET6) {
		what = "--gw";
		r = sk_ethif_set_gw6(rt->eth, o->gw.bytes);
	}
	if (r >= 0)
		return 0;
	say(why, whylen, "%s: %s", what, strerror(-r));
	errno = -r;
	return -1;
}

/* The address of family among --addr and the second one, with its prefix: 1, or 0. */
static int opts_addr(const struct synack_rt_opts *o, int family, struct synack_ip *a, uint8_t *plen)
{
	if (o->addr.family == family)
		*a = o->addr, *plen = o->prefix;
	else if (o->addr2.family == family)
		*a = o->addr2, *plen = o->prefix2;
	else
		return 0;
	return 1;
}

/* Everything after the device is open: dev becomes the runtime's (closed on failure). */
static synack_rt *start_on(const struct synack_rt_opts *o, struct sk_dev *dev, int batch_ok, char *why,
			   size_t whylen)
{
	synack_rt *rt = calloc(1, sizeof(*rt));
	if (!rt) {
		sk_dev_close(dev);
		say(why, whylen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	int ferr = ENOMEM; /* errno of a failed start, for a program that must tell them apart */
	pthread_mutex_init(&rt->mu, NULL);
	pthread_cond_init(&rt->idle_cv, NULL);
	rt->efd = -1;
	rt->ctl_fd = -1;
	rt->app_fd = rt->tfd = rt->nfd = -1;
	rt->dev = rt->raw = dev;
	snprintf(rt->prog, sizeof(rt->prog), "%s", program_invocation_short_name);
	rt->time_base_us = wall_us() - sk_rt_now_us();
	uint32_t mtu = o->mtu ? o->mtu : 1500;
	int err = 0;

	if (o->pcap) {
		struct sk_dev *w = sk_dev_pcap_wrap(rt->dev, o->pcap, rt->time_base_us, &err);
		if (!w) {
			say(why, whylen, "-w %s: %s", o->pcap, strerror(-err));
			ferr = -err;
			goto fail;
		}
		rt->dev = w;
	}
	if (o->trace) {
		struct sk_trace_opts to = {.time_base_us = rt->time_base_us};
		struct sk_dev *w = sk_dev_trace_wrap(rt->dev, stderr, &to, &err);
		if (!w) {
			say(why, whylen, "--trace: %s", strerror(-err));
			ferr = -err;
			goto fail;
		}
		rt->dev = w;
	}
	rt->wrapped = rt->dev != rt->raw || !batch_ok;

	struct synack_config cfg;
	if (o->cfg)
		cfg = *o->cfg;
	else
		synack_config_defaults(&cfg);
	rt->st = synack_stack_new(&cfg, &err);
	if (!rt->st) {
		ferr = err < 0 ? -err : EINVAL;
		say(why, whylen, "stack: %s", strerror(ferr));
		goto fail;
	}
	rt->px = sk_px_new(rt->st);
	if (!rt->px) {
		say(why, whylen, "stack: %s", strerror(ENOMEM));
		goto fail;
	}
	if (dev->linktype == SK_LINK_ETHERNET) {
		fill_random(rt->mac, sizeof(rt->mac));
		rt->mac[0] = 0x02; /* 02:xx:xx:xx:xx:xx: locally administered, unicast */
		/* the IPv4 address (if any) for ARP; the IPv6 one goes through eth6_start */
		struct synack_ip a4;
		uint8_t plen4 = 0;
		int has4 = opts_addr(o, SYNACK_AF_INET, &a4, &plen4);
		rt->eth = sk_ethif_new(rt->dev, rt->mac, has4 ? ip4(&a4) : 0, plen4,
				       o->gw.family == SYNACK_AF_INET ? ip4(&o->gw) : 0, NULL);
		if (!rt->eth) {
			ferr = errno ? errno : EINVAL;
			say(why, whylen, "ethernet: %s", strerror(ferr));
			goto fail;
		}
	}
	for (int i = 0; i < 2; i++) { /* --addr, and a second one of the other family */
		const struct synack_ip *a = i ? &o->addr2 : &o->addr;
		uint8_t plen = i ? o->prefix2 : o->prefix;
		if (a->family == SYNACK_AF_UNSPEC)
			continue;
		int id = synack_add_addr(rt->st, a, plen, mtu, rt_output, rt);
		if (id < 0) {
			say(why, whylen, "--addr: %s", strerror(-id));
			ferr = -id;
			goto fail;
		}
		if (sk_tun_gso_max(rt->raw)) {
			synack_set_gso(rt->st, id, sk_tun_gso_max(rt->raw)); /* TSO: the device cuts segments */
			/* and it completes TCP checksums, unless a capture or the trace is to see
			 * them whole */
			if (rt->dev == rt->raw) {
				synack_set_csum_offload(rt->st, id, 1);
				/* and the payload goes from the send buffer to the device as it lies */
				if (!rt->eth && rt->dev->ops->send_sg)
					synack_set_output_sg(rt->st, id, rt_output_sg);
			}
		}
		if (rt->eth && a->family == SYNACK_AF_INET6 && eth6_start(rt, o, a, plen, mtu, why, whylen) < 0) {
			ferr = errno;
			goto fail;
		}
	}
	synack_poll(rt->st, sk_rt_now_us());

	rt->rxcap = (mtu > 1500 ? mtu : 1500) + 18; /* Ethernet header and a VLAN tag */
	if (rt->rxcap < sk_tun_rx_cap(rt->raw))
		rt->rxcap = sk_tun_rx_cap(rt->raw); /* offloads: segments of up to 64 KiB */
	rt->rxn = RT_BATCH;
	while (rt->rxn > 8 && (size_t)rt->rxn * rt->rxcap > RT_BATCH_MEM)
		rt->rxn /= 2;
	rt->rxbuf = calloc((size_t)rt->rxn, sizeof(*rt->rxbuf));
	rt->rxlen = calloc((size_t)rt->rxn, sizeof(*rt->rxlen));
	rt->rxver = calloc((size_t)rt->rxn, sizeof(*rt->rxver));
	if (!rt->rxbuf || !rt->rxlen || !rt->rxver)
		goto nomem;
	for (int i = 0; i < rt->rxn; i++)
		if (!(rt->rxbuf[i] = malloc(rt->rxcap)))
			goto nomem;

	rt->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (rt->efd < 0) {
		ferr = errno;
		say(why, whylen, "eventfd: %s", strerror(ferr));
		goto fail;
	}
	if (o->control && sk_rt_control_open(rt, why, whylen) < 0) {
		ferr = errno ? errno : EIO;
		goto fail;
	}
	if (o->no_thread) {
		if (external_open(rt, why, whylen) < 0) {
			ferr = errno ? errno : EIO;
			goto fail;
		}
		return rt;
	}
	int pe = pthread_create(&rt->thread, NULL, loop_main, rt);
	if (pe) {
		say(why, whylen, "thread: %s", strerror(pe));
		ferr = pe;
		goto fail;
	}
	rt->thread_started = 1;
	return rt;
nomem:
	say(why, whylen, "out of memory");
	ferr = ENOMEM;
fail:
	rt_free(rt);
	errno = ferr;
	return NULL;
}

synack_rt *sk_rt_start_dev(const struct synack_rt_opts *o, struct sk_dev *dev, char *why, size_t whylen)
{
	if (!o || !dev || o->addr.family == SYNACK_AF_UNSPEC) {
		sk_dev_close(dev);
		say(why, whylen, "--addr A.B.C.D/LEN is required");
		errno = EINVAL;
		return NULL;
	}
	return start_on(o, dev, 0, why, whylen);
}

/* A link the application supplies (struct synack_rt_link): its descriptor, or its
 * callback with packets pushed through synack_rt_input. */
static synack_rt *start_link(const struct synack_rt_opts *o, char *why, size_t whylen)
{
	const struct synack_rt_link *l = o->link;
	int linktype = l->ethernet ? SK_LINK_ETHERNET : SK_LINK_RAW, err = 0;
	uint32_t mtu = o->mtu ? o->mtu : 1500;
	struct sk_dev *dev;
	if (l->fd >= 0 && !l->ethernet && (dev = sk_tun_adopt(l->fd, mtu, l->name)))
		; /* a TUN device: read and written as one, its offloads used */
	else if (l->fd >= 0)
		dev = sk_appdev_fd(l->fd, linktype, mtu, l->name, &err);
	else if (l->send)
		dev = sk_appdev_cb(l->send, l->ctx, linktype, mtu, l->name, l->queue ? l->queue : 1024, &err);
	else
		err = -EINVAL, dev = NULL;
	if (!dev) {
		say(why, whylen, "link: %s", err == -EINVAL ? "give a descriptor (fd) or a send callback" : strerror(-err));
		errno = -err;
		return NULL;
	}
	return start_on(o, dev, 0, why, whylen);
}

int synack_rt_input(synack_rt *rt, const void *pkt, size_t len)
{
	int r = rt ? sk_appdev_push(rt->raw, pkt, len) : -EINVAL;
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

synack_rt *synack_rt_start(const struct synack_rt_opts *o, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = 0;
	if (!o || (!!o->tun + !!o->tap + !!o->link) != 1) {
		say(why, whylen, "a device is required: --tun NAME or --tap NAME (or a link of the application's), one");
		errno = EINVAL;
		return NULL;
	}
	if (o->addr.family == SYNACK_AF_UNSPEC) {
		say(why, whylen, "--addr A.B.C.D/LEN is required");
		errno = EINVAL;
		return NULL;
	}
	if (o->link)
		return start_link(o, why, whylen);
	const char *name = o->tun ? o->tun : o->tap;
	char tmp[160];
	int err = 0;
	struct sk_dev *dev = sk_tun_open(name, o->tun ? SK_TUN : SK_TAP, o->no_offload ? SK_TUN_NO_OFFLOAD : 0, o->mtu,
					 &err, tmp, sizeof(tmp));
	if (!dev) {
		say(why, whylen, "%s: %s", name, tmp);
		errno = err < 0 ? -err : EIO;
		return NULL;
	}
	for (int i = 0; i < 2; i++) { /* each --host-addr, with its --addr's prefix by default */
		const struct synack_ip *h = i ? &o->host_addr2 : &o->host_addr;
		if (h->family == SYNACK_AF_UNSPEC)
			continue;
		uint8_t plen = i ? (o->host_prefix2 ? o->host_prefix2 : o->prefix2)
				 : (o->host_prefix ? o->host_prefix : o->prefix);
		int r = h->family == SYNACK_AF_INET6 ? sk_tun_host_config6(name, h->bytes, plen, tmp, sizeof(tmp))
						     : sk_tun_host_config(name, ip4(h), plen, tmp, sizeof(tmp));
		if (r < 0) {
			say(why, whylen, "%s: %s", name, tmp);
			sk_dev_close(dev);
			errno = -r;
			return NULL;
		}
	}
	return start_on(o, dev, 1, why, whylen);
}

void synack_rt_stop(synack_rt *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->mu);
	rt->stopping = 1;
	for (struct rt_waiter *w = rt->waiters; w; w = w->next)
		pthread_cond_signal(&w->cv);
	wake_loop(rt);
	pthread_mutex_unlock(&rt->mu);
	if (rt->thread_started)
		pthread_join(rt->thread, NULL);
	/* Calls still inside (woken waiters on their way out) finish before the memory goes. */
	pthread_mutex_lock(&rt->mu);
	while (rt->calls > 0)
		pthread_cond_wait(&rt->idle_cv, &rt->mu);
	pthread_mutex_unlock(&rt->mu);
	rt_free(rt);
}

void synack_rt_with_stack(synack_rt *rt, void (*fn)(void *ctx, synack_stack *st), void *ctx)
{
	if (sk_rt_lock(rt) == 0) {
		fn(ctx, rt->st);
		sk_rt_wake_ready(rt); /* fn may have changed anything */
	}
	sk_rt_unlock(rt);
}

int synack_rt_status(synack_rt *rt, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = 0;
	if (!rt) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&rt->mu);
	int gone = rt->dev_gone;
	if (gone)
		say(why, whylen, "%s", rt->gone_why);
	pthread_mutex_unlock(&rt->mu);
	if (gone) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

const char *synack_rt_control_path(const synack_rt *rt)
{
	return rt->ctl_path;
}

const char *synack_rt_run_dir(char *buf, size_t len)
{
	const char *env = getenv("SYNACK_RUN_DIR");
	if (env && *env)
		snprintf(buf, len, "%s", env);
	else
		snprintf(buf, len, "/tmp/synack-%u", (unsigned)getuid());
	return buf;
}

void sk_rt_counters(synack_rt *rt, struct sk_rt_counters *c)
{
	pthread_mutex_lock(&rt->mu);
	c->dev_rx = rt->dev_rx;
	c->dev_tx = rt->dev_tx;
	c->dev_rx_errors = rt->dev_rx_errors;
	c->dev_tx_errors = rt->dev_tx_errors;
	c->last_dev_error = rt->last_dev_error;
	c->rounds = rt->rounds;
	c->wakeups_sent = rt->wakeups_sent;
	c->waiters = rt->nwaiters;
	pthread_mutex_unlock(&rt->mu);
}
