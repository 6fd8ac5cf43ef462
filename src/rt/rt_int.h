/* The runtime's insides, shared by its files: rt.c (start, stop, the loop thread, waiting
 * and waking), sock.c (the POSIX calls), control.c (the control socket and its dump).
 *
 * Locking: one mutex (mu) guards the stack, the ethif adapter, the device's send side, the
 * socket table and the waiter list. The loop thread holds it while it feeds packets and runs
 * timers, and drops it while it sleeps in poll(2). A caller that must wait links a waiter
 * (its own condition variable and what it waits for) into the list and sleeps on it; whoever
 * changes the stack re-checks the waiters that change can concern and signals only those
 * that became ready, so a thousand threads blocked on a thousand sockets are not all woken
 * by every packet. */
#ifndef SK_RT_INT_H
#define SK_RT_INT_H

#include <pthread.h>
#include <stdint.h>

#include <synack/rt.h>

#include "link/dev.h"

struct sk_ethif;
struct sk_px;

/* What the runtime keeps per socket handle beyond the POSIX layer's record (sock/posix.h). */
struct rt_sock {
	uint32_t kick;        /* bumped by shutdown/close: waiters on the handle re-check */
	struct rt_ep_reg *regs; /* the epoll sets that watch it (epoll.c) */
	uint8_t gone_told;    /* a wait on it returned ENETDOWN after the device went (rt.c) */
};

/* A socket in an epoll set (epoll.c). */
struct rt_ep_reg {
	struct rt_ep *ep;
	int sock;
	uint32_t events;          /* EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLET, EPOLLONESHOT */
	uint64_t data;            /* epoll_data_t, as a u64 */
	int queued;               /* on ep's ready list */
	int disarmed;             /* EPOLLONESHOT fired; EPOLL_CTL_MOD re-arms */
	struct rt_ep_reg *snext;  /* the next set watching the same socket */
	struct rt_ep_reg *rnext;  /* the next on ep's ready list */
};

/* An epoll set: its sockets by handle, and those that may be ready, oldest first. */
struct rt_ep {
	int id;
	struct rt_ep_reg **by_sock;
	uint32_t cap;
	struct rt_ep_reg *rhead, *rtail;
	int gone_told;        /* a wait on it returned ENETDOWN after the device went (rt.c) */
};

enum rt_wait_kind { RT_W_SOCK, RT_W_POLL, RT_W_DRAIN, RT_W_EP };

struct rt_waiter {
	struct rt_waiter *next, *prev;
	pthread_cond_t cv;
	int ready;
	enum rt_wait_kind kind;
	/* RT_W_SOCK */
	int sock;
	int mask;       /* SYNACK_EV_* that end the wait */
	uint32_t gen, kick;
	/* RT_W_POLL */
	const struct pollfd *fds;
	nfds_t nfds;
	uint32_t *gens; /* gen and kick of each entry, two per fd */
	/* RT_W_EP */
	struct rt_ep *ep;
};

struct rt_client; /* a control-socket client still being written to */

struct synack_rt {
	pthread_mutex_t mu;
	synack_stack *st;
	struct sk_px *px;      /* descriptors: flags, timeouts, POSIX semantics */
	struct sk_dev *dev;    /* outermost (trace/pcap wrappers around the device) */
	struct sk_dev *raw;    /* the TUN/TAP device itself */
	int wrapped;           /* dev != raw: reads go through the wrappers, under the lock */
	struct sk_ethif *eth;  /* TAP only */
	uint8_t mac[6];
	uint64_t time_base_us; /* wall clock minus CLOCK_MONOTONIC at start */
	int efd;               /* eventfd: wakes the loop */
	pthread_t thread;
	int thread_started;
	/* Without a loop thread (synack_rt_opts.no_thread): the application waits on app_fd,
	 * an epoll set of efd, tfd, the device and the control socket, and runs the rounds. */
	int external;
	int app_fd, tfd;       /* the set; a timerfd armed for the next round's deadline */
	int dev_watched;       /* the device is in the set (not resting after errors) */
	int dev_more;          /* the last round read a full batch */
	int nfd;               /* eventfd in the set: signalled while an epoll set has news */
	int news_on;
	uint64_t armed_until;  /* the deadline tfd is set for (0: none known, set it again) */
	int stopping;
	uint64_t sleep_until;  /* deadline the loop sleeps towards; 0 while it is awake */
	int calls;             /* API calls in progress */
	pthread_cond_t idle_cv;

	struct rt_sock **chunks; /* the socket table, in chunks that never move */
	uint32_t nchunks;
	struct rt_waiter *waiters;
	uint32_t nwaiters;
	struct rt_ep **eps;    /* epoll sets by id (NULL: closed) */
	int neps, eps_live;

	/* receive batch */
	uint8_t **rxbuf;
	size_t *rxlen;
	uint8_t *rxver;        /* rxbuf[i]'s L4 checksum partial, vouched for by the TUN */
	int rxn;
	size_t rxcap;

	/* counters (under mu) */
	uint64_t dev_rx, dev_tx, dev_rx_errors, dev_tx_errors, rounds, wakeups_sent;
	int last_dev_error;
	uint64_t dev_backoff_until, dev_backoff_us;
	int dev_gone;          /* the device went away (interface deleted): the errno that told */
	char gone_why[96];     /* "tun0: the device is gone" (synack_rt_status) */

	/* control socket (the loop thread's) */
	int ctl_fd;
	char ctl_path[108];
	struct rt_client *clients;
	int nclients;
	char prog[64];
	/* What a relay says of a socket of its (sk_rt_set_describer), for the dump. */
	int (*describe)(void *ctx, int sock, char *buf, size_t len);
	void *describe_ctx;
};

uint64_t sk_rt_now_us(void);

/* synack_send_fill on the runtime's socket s (the relays' send without a copy of theirs),
 * never waiting: the bytes queued, or -1 with errno (EAGAIN: the buffer is full). fill runs
 * with the runtime's lock held: it may read a descriptor, not call the runtime. */
ssize_t sk_rt_send_fill(synack_rt *rt, int s, size_t len, ssize_t (*fill)(void *ctx, void *buf, size_t len), void *ctx);
/* synack_recv_drain likewise (the relays' receive without a copy): the bytes taken, 0 at
 * end of file, or -1 with errno (EAGAIN: nothing to read). */
ssize_t sk_rt_recv_drain(synack_rt *rt, int s, size_t len, ssize_t (*drain)(void *ctx, const void *buf, size_t len),
			 void *ctx);

/* poll(2) event bits to SYNACK_EV_* (they coincide but for the RDNORM/WRNORM aliases). */
static inline int sk_rt_poll_mask(short events)
{
	int m = events & (SYNACK_EV_IN | SYNACK_EV_OUT | SYNACK_EV_ERR | SYNACK_EV_HUP | SYNACK_EV_RDHUP);
	if (events & POLLRDNORM)
		m |= SYNACK_EV_IN;
	if (events & POLLWRNORM)
		m |= SYNACK_EV_OUT;
	return m;
}

/* Locks, counts the call and advances the stack's clock (running what fell due); -ESHUTDOWN
 * (still locked) once the runtime is stopping. Every sk_rt_lock needs its sk_rt_unlock. */
int sk_rt_lock(synack_rt *rt);
void sk_rt_unlock(synack_rt *rt); /* wakes the loop if a deadline moved earlier, unlocks */
/* With mu held: moves the stack's clock to now, running what fell due. */
void sk_rt_advance(synack_rt *rt);
/* With mu held: */
/* The entry of handle s, created on first use; NULL if s < 0 or out of memory. Entries
 * never move, so the pointer stays good across waits. */
struct rt_sock *sk_rt_sock(synack_rt *rt, int s);
/* Waits (mu held) until w is ready, deadline_us passes (UINT64_MAX: never) or the runtime
 * stops: 0, -ETIMEDOUT or -ESHUTDOWN. */
int sk_rt_wait(synack_rt *rt, struct rt_waiter *w, uint64_t deadline_us);
/* Re-checks every waiter (after the stack ran) / the waiters concerned with socket s. */
void sk_rt_wake_ready(synack_rt *rt);
void sk_rt_kick(synack_rt *rt, int s);
/* How many TCP connections are closing (FIN-WAIT-1/2, CLOSING, LAST-ACK). */
int sk_rt_closing(synack_rt *rt);

/* epoll.c (mu held): moves what the stack's readiness list reports onto the sets' ready
 * lists, waking their waiters; forgets closed socket s in every set; frees every set. */
void sk_rt_ep_collect(synack_rt *rt);
void sk_rt_ep_forget(synack_rt *rt, int s);
void sk_rt_ep_free_all(synack_rt *rt);
int sk_rt_ep_ready(const struct rt_ep *ep);
int sk_rt_ep_any_ready(const synack_rt *rt); /* some set has an entry on its ready list */
/* rt.c (mu held): wakes the callers waiting on set ep. */
void sk_rt_ep_wake(synack_rt *rt, struct rt_ep *ep);

/* control.c: the loop thread's side. */
int sk_rt_control_open(synack_rt *rt, char *why, size_t whylen);
void sk_rt_control_close(synack_rt *rt);
/* Adds the control fds to pfd (returns how many), and handles what poll reported. */
int sk_rt_control_pollfds(synack_rt *rt, struct pollfd *pfd, int max);
void sk_rt_control_handle(synack_rt *rt, const struct pollfd *pfd, int n);
/* The text a client reads (malloc'd, NUL-terminated); takes mu itself. */
char *sk_rt_control_dump(synack_rt *rt, size_t *len);
/* A relay running on rt (synack-tunnel's) names the other end of each socket it joins to
 * one of the host's: fn writes it into buf ("LOCAL->REMOTE") and returns 1, or 0 for a
 * socket it does not relay. The dump (synack-ss) shows it as relay=. Called in the dump,
 * with rt's lock held, in the thread that serves the control socket (the relay's own when
 * the runtime runs without thread). */
void sk_rt_set_describer(synack_rt *rt, int (*fn)(void *ctx, int sock, char *buf, size_t len), void *ctx);

#endif
