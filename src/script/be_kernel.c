/* The script runner's Linux backend: a network namespace, a TUN device, a thread for the calls. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "link/tun.h"
#include "script/run.h"

#define KBE_DEV         "tun0"
#define KBE_RX_CAP      65536u    /* a read buffer that holds any packet the device returns */
#define KBE_POLL_US     150u      /* how often call() looks at the worker's state */
#define KBE_RUNNABLE_US 20000u    /* runnable this long without finishing: counts as blocked */
#define KBE_QUEUED_US   1000000u  /* a worker that does not take a call up in this time: blocked */
#define KBE_BUSY_US     1000000u  /* call() waits this long for an earlier blocked call */
#define KBE_CLOSE_US    100000u   /* close() waits this long for the worker to leave */
#define KBE_WAIT_MAX_US 1000000u  /* one ppoll sleeps at most this long (wait() loops) */

/* One packet the kernel sent, as read from the device, and when it was read. */
struct kbe_pkt {
	struct kbe_pkt *next;
	uint64_t t;
	size_t len;
	uint8_t data[];
};

/* The call slot the runner and the worker share. */
enum kbe_slot { SLOT_IDLE, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE };

struct kbe {
	struct sk_backend be;

	/* The runner's alone. */
	struct sk_dev *tun;
	int tunfd;
	uint8_t *rx;
	struct kbe_pkt *head, *tail;
	int have_t0;
	uint64_t t0;              /* CLOCK_MONOTONIC µs of script time 0 */
	int statfd;               /* /proc/self/task/TID/stat of the worker */
	int opened;
	struct sk_call *pend;     /* the executor's struct of the call in the slot, or NULL */
	int blocked;              /* and call() returned 0 for it */

	/* Shared with the worker, under mu. When close() gives up on a worker stuck in the
	 * kernel, the worker frees this part (and the struct) on its way out. */
	pthread_mutex_t mu;
	pthread_cond_t work_cv;   /* runner -> worker: a call is queued, or quit */
	pthread_cond_t done_cv;   /* worker -> runner: a call is done, the thread is up or gone */
	int efd;                  /* eventfd the worker bumps when a call is done (wakes wait()) */
	pthread_t th;
	pid_t tid;
	int thread_up, exited, quit, abandoned;
	enum kbe_slot state;
	struct sk_call work;      /* the call the worker makes: a copy of the executor's */
	char cc[16];              /* the congestion control new TCP sockets get, see exec_call */
	uint64_t t_end_raw;       /* CLOCK_MONOTONIC µs at which it returned */
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* An absolute CLOCK_MONOTONIC deadline us from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(uint64_t us)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t ns = (uint64_t)ts.tv_nsec + us * 1000u;
	ts.tv_sec += (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	return ts;
}

static void say(char *why, size_t whylen, const char *fmt, const char *arg, int e)
{
	if (!why || !whylen)
		return;
	char what[256];
	snprintf(what, sizeof(what), fmt, arg);
	if (e)
		snprintf(why, whylen, "%s: %s", what, strerror(e));
	else
		snprintf(why, whylen, "%s", what);
}

/* ---- the worker: one thread that makes every call ---- */

static struct sockaddr *sa_or_null(struct sk_call *c)
{
	return c->addr_null ? NULL : (struct sockaddr *)&c->addr;
}

static socklen_t *salen_or_null(struct sk_call *c)
{
	return c->addr_null ? NULL : &c->addrlen;
}

static void msg_of(struct sk_call *c, struct msghdr *m)
{
	memset(m, 0, sizeof(*m));
	if (!c->addr_null) {
		m->msg_name = &c->addr;
		m->msg_namelen = c->addrlen;
	}
	m->msg_iov = c->iov;
	m->msg_iovlen = (size_t)c->iovcnt;
}

/* Makes the call c describes with the real libc call; ret and err as in struct sk_call.
 * Lengths that would let the kernel run past the struct's own buffers are cut to them.
 * A new TCP socket gets congestion control cc: a network namespace takes the host's default
 * (BBR on some hosts) and may not set another one by sysctl, so the script's
 * tcp_congestion_control, or Linux's usual default (cubic, synack's too), is set on the
 * socket, which root may do for any the kernel has; accepted sockets inherit it. */
static void exec_call(struct sk_call *c, const char *cc)
{
	if (c->addrlen > sizeof(c->addr))
		c->addrlen = sizeof(c->addr);
	if (c->optlen > SK_CALL_OPT_MAX)
		c->optlen = SK_CALL_OPT_MAX;
	int flags = (int)c->arg[0];
	struct msghdr m;
	long r;
	errno = 0;
	switch (c->sys) {
	case SYS_SOCKET:
		r = socket((int)c->arg[0], (int)c->arg[1], (int)c->arg[2]);
		if (r >= 0 && ((int)c->arg[1] & 0xf) == SOCK_STREAM &&
		    setsockopt((int)r, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc)) < 0) {
			int e = errno;
			close((int)r);
			errno = e;
			r = -1;
		}
		break;
	case SYS_BIND:
		r = bind(c->fd, sa_or_null(c), c->addr_null ? 0 : c->addrlen);
		break;
	case SYS_LISTEN:
		r = listen(c->fd, (int)c->arg[0]);
		break;
	case SYS_ACCEPT:
		r = accept(c->fd, sa_or_null(c), salen_or_null(c));
		break;
	case SYS_ACCEPT4:
		r = accept4(c->fd, sa_or_null(c), salen_or_null(c), flags);
		break;
	case SYS_CONNECT:
		r = connect(c->fd, sa_or_null(c), c->addr_null ? 0 : c->addrlen);
		break;
	case SYS_READ:
		r = read(c->fd, c->buf, c->len);
		break;
	case SYS_RECV:
		r = recv(c->fd, c->buf, c->len, flags);
		break;
	case SYS_RECVFROM:
		r = recvfrom(c->fd, c->buf, c->len, flags, sa_or_null(c), salen_or_null(c));
		break;
	case SYS_WRITE:
		r = write(c->fd, c->buf, c->len);
		break;
	case SYS_SEND:
		r = send(c->fd, c->buf, c->len, flags);
		break;
	case SYS_SENDTO:
		r = sendto(c->fd, c->buf, c->len, flags, sa_or_null(c),
			   c->addr_null ? 0 : c->addrlen);
		break;
	case SYS_READV:
	case SYS_WRITEV:
	case SYS_RECVMSG:
	case SYS_SENDMSG:
		if (c->iovcnt < 0 || c->iovcnt > SK_CALL_MAX_IOV) {
			r = -1;
			errno = EINVAL;
			break;
		}
		if (c->sys == SYS_READV) {
			r = readv(c->fd, c->iov, c->iovcnt);
		} else if (c->sys == SYS_WRITEV) {
			r = writev(c->fd, c->iov, c->iovcnt);
		} else if (c->sys == SYS_SENDMSG) {
			msg_of(c, &m);
			r = sendmsg(c->fd, &m, flags);
		} else {
			msg_of(c, &m);
			r = recvmsg(c->fd, &m, flags);
			c->msg_flags = m.msg_flags;
			if (!c->addr_null)
				c->addrlen = m.msg_namelen;
		}
		break;
	case SYS_SHUTDOWN:
		r = shutdown(c->fd, (int)c->arg[0]);
		break;
	case SYS_CLOSE:
		r = close(c->fd);
		break;
	case SYS_GETSOCKOPT:
		r = getsockopt(c->fd, (int)c->arg[0], (int)c->arg[1], c->opt_null ? NULL : c->opt,
			       &c->optlen);
		break;
	case SYS_SETSOCKOPT:
		r = setsockopt(c->fd, (int)c->arg[0], (int)c->arg[1], c->opt_null ? NULL : c->opt,
			       c->optlen);
		break;
	case SYS_GETSOCKNAME:
		r = getsockname(c->fd, sa_or_null(c), salen_or_null(c));
		break;
	case SYS_GETPEERNAME:
		r = getpeername(c->fd, sa_or_null(c), salen_or_null(c));
		break;
	case SYS_FCNTL:
		r = fcntl(c->fd, (int)c->arg[0], (int)c->arg[1]);
		break;
	case SYS_IOCTL:
		r = ioctl(c->fd, (unsigned long)c->arg[0], &c->ioval);
		break;
	case SYS_POLL:
		if (c->npfd < 0 || c->npfd > SK_CALL_MAX_POLL) {
			r = -1;
			errno = EINVAL;
			break;
		}
		r = poll(c->pfd, (nfds_t)c->npfd, (int)c->arg[0]);
		break;
	default:
		r = -1;
		errno = ENOSYS;
		break;
	}
	c->ret = r;
	c->err = r < 0 ? errno : 0;
}

/* The shared part, freed by whoever leaves last (close(), or an abandoned worker). */
static void free_shared(struct kbe *k)
{
	if (k->efd >= 0)
		close(k->efd);
	pthread_cond_destroy(&k->done_cv);
	pthread_cond_destroy(&k->work_cv);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

static void *worker(void *arg)
{
	struct kbe *k = arg;
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	const struct timespec zero = {0, 0};

	pthread_mutex_lock(&k->mu);
	k->tid = gettid();
	k->thread_up = 1;
	pthread_cond_broadcast(&k->done_cv);
	for (;;) {
		while (!k->quit && k->state != SLOT_QUEUED)
			pthread_cond_wait(&k->work_cv, &k->mu);
		if (k->quit)
			break;
		k->state = SLOT_RUNNING;
		char cc[sizeof(k->cc)];
		memcpy(cc, k->cc, sizeof(cc));
		pthread_mutex_unlock(&k->mu);

		exec_call(&k->work, cc);
		uint64_t t = mono_us();
		/* Every signal is blocked here: a write to a reset connection leaves SIGPIPE
		 * pending on this thread (the call returns EPIPE); take it away. */
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;

		pthread_mutex_lock(&k->mu);
		k->t_end_raw = t;
		uint64_t one = 1;
		/* Bumped under the lock with the state, so that whoever takes the result can
		 * clear it: the eventfd is readable exactly while a result waits. */
		if (write(k->efd, &one, sizeof(one)) < 0) {
			/* cannot fail (the counter is reset on every take); wait() also polls */
		}
		k->state = SLOT_DONE;
		pthread_cond_broadcast(&k->done_cv);
	}
	k->exited = 1;
	pthread_cond_broadcast(&k->done_cv);
	int orphan = k->abandoned;
	pthread_mutex_unlock(&k->mu);
	if (orphan)
		free_shared(k);
	return NULL;
}

/* ---- time and packets ---- */

static uint64_t kbe_now(struct sk_backend *be)
{
	struct kbe *k = be->priv;
	uint64_t t = mono_us();
	if (!k->have_t0) {
		k->have_t0 = 1;
		k->t0 = t;
	}
	return t - k->t0;
}

/* Script time of a CLOCK_MONOTONIC reading (0 if it came before time 0). */
static uint64_t script_time(struct kbe *k, uint64_t raw)
{
	kbe_now(&k->be);
	return raw > k->t0 ? raw - k->t0 : 0;
}

/* Reads every packet the device has into the FIFO (IPv4 only), without blocking. */
static void drain(struct kbe *k)
{
	if (k->tunfd < 0)
		return;
	for (;;) {
		ssize_t n = read(k->tunfd, k->rx, KBE_RX_CAP);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		uint64_t t = kbe_now(&k->be);
		if (n < 20 || (k->rx[0] >> 4) != 4)
			continue;
		struct kbe_pkt *p = malloc(sizeof(*p) + (size_t)n);
		if (!p)
			continue; /* dropped, as a full queue would */
		p->next = NULL;
		p->t = t;
		p->len = (size_t)n;
		memcpy(p->data, k->rx, (size_t)n);
		if (k->tail)
			k->tail->next = p;
		else
			k->head = p;
		k->tail = p;
	}
}

static void clear_efd(struct kbe *k)
{
	uint64_t v;
	if (read(k->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing was counted */
	}
}

/* Hands the finished call in the slot back to the executor's struct. Under mu, state DONE. */
static void take_result(struct kbe *k)
{
	struct sk_call *c = k->pend;
	*c = k->work;
	c->t_end = script_time(k, k->t_end_raw);
	c->be_state = NULL;
	k->state = SLOT_IDLE;
	k->pend = NULL;
	k->blocked = 0;
	clear_efd(k);
}

static int slot_done(struct kbe *k)
{
	pthread_mutex_lock(&k->mu);
	int done = k->state == SLOT_DONE;
	pthread_mutex_unlock(&k->mu);
	return done;
}

static void kbe_wait(struct sk_backend *be, uint64_t until)
{
	struct kbe *k = be->priv;
	if (k->tunfd < 0)
		return;
	for (;;) {
		drain(k);
		if (k->head)
			return;
		if (k->blocked && slot_done(k))
			return;
		uint64_t t = kbe_now(be);
		if (t >= until)
			return;
		uint64_t d = until - t;
		if (d > KBE_WAIT_MAX_US)
			d = KBE_WAIT_MAX_US;
		struct timespec ts = {(time_t)(d / 1000000u), (long)(d % 1000000u) * 1000};
		struct pollfd p[2] = {{.fd = k->tunfd, .events = POLLIN},
				      {.fd = k->efd, .events = POLLIN}};
		int r = ppoll(p, 2, &ts, NULL);
		if (r > 0 && (p[1].revents & POLLIN) && !k->blocked) {
			/* A result nobody is waiting for here (cannot happen: call() takes its
			 * own); clear it rather than spin. */
			pthread_mutex_lock(&k->mu);
			if (k->state != SLOT_DONE)
				clear_efd(k);
			pthread_mutex_unlock(&k->mu);
		}
	}
}

static int kbe_inject(struct sk_backend *be, const uint8_t *pkt, size_t len)
{
	struct kbe *k = be->priv;
	if (k->tunfd < 0)
		return -ENODEV;
	drain(k);
	ssize_t n;
	do
		n = write(k->tunfd, pkt, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static size_t kbe_sniff(struct sk_backend *be, uint8_t *buf, size_t cap, uint64_t *t)
{
	struct kbe *k = be->priv;
	drain(k);
	struct kbe_pkt *p = k->head;
	if (!p)
		return 0;
	k->head = p->next;
	if (!k->head)
		k->tail = NULL;
	size_t n = p->len < cap ? p->len : cap;
	memcpy(buf, p->data, n);
	if (t)
		*t = p->t;
	free(p);
	return n;
}

/* ---- calls ---- */

/* The worker's scheduler state from /proc/self/task/TID/stat ('R', 'S', 'D', ...), or 0. */
static char thread_state(struct kbe *k)
{
	char s[512];
	ssize_t n = pread(k->statfd, s, sizeof(s) - 1, 0);
	if (n <= 0)
		return 0;
	s[n] = 0;
	char *p = strrchr(s, ')'); /* the name in parentheses may hold anything */
	return p && p[1] == ' ' ? p[2] : 0;
}

static void fail_call(struct kbe *k, struct sk_call *c, int err)
{
	c->ret = -1;
	c->err = err;
	c->t_end = kbe_now(&k->be);
}

/* Hands c (a copy of it) to the worker and waits until the call returns (1) or counts as
 * blocked (0): the worker is seen asleep in the kernel (state S or D in its
 * /proc/self/task/TID/stat, looked at every KBE_POLL_US), or it stays runnable without
 * finishing for KBE_RUNNABLE_US. A blocked call's results reach c when call_done (or a later
 * call()) sees it finished. Only one call may be blocked: call() while one is waits up to
 * KBE_BUSY_US for it to finish and, if it does not, fails at once with ret -1, err EBUSY
 * without making the new call (the blocked one stays in the slot). */
static int kbe_call(struct sk_backend *be, struct sk_call *c)
{
	struct kbe *k = be->priv;
	if (!k->opened) {
		fail_call(k, c, ENXIO);
		return 1;
	}
	pthread_mutex_lock(&k->mu);
	if (k->pend) {
		/* One call at a time: an earlier one still blocked gets a second to finish. */
		struct timespec dl = deadline_in(KBE_BUSY_US);
		while (k->state != SLOT_DONE &&
		       pthread_cond_timedwait(&k->done_cv, &k->mu, &dl) != ETIMEDOUT)
			;
		if (k->state != SLOT_DONE) {
			pthread_mutex_unlock(&k->mu);
			fail_call(k, c, EBUSY);
			return 1;
		}
		take_result(k);
	}
	k->work = *c;
	k->pend = c;
	c->be_state = k;
	k->state = SLOT_QUEUED;
	pthread_cond_signal(&k->work_cv);

	uint64_t start = mono_us(), run_since = 0;
	for (;;) {
		if (k->state == SLOT_DONE) {
			take_result(k);
			pthread_mutex_unlock(&k->mu);
			return 1;
		}
		if (k->state == SLOT_RUNNING) {
			/* Look at the worker without the lock: if it waited on the lock, it
			 * would be seen asleep. */
			pthread_mutex_unlock(&k->mu);
			drain(k);
			char st = thread_state(k);
			uint64_t t = mono_us();
			pthread_mutex_lock(&k->mu);
			if (k->state == SLOT_DONE)
				continue;
			if (!run_since)
				run_since = t;
			if (st == 'S' || st == 'D' || t - run_since >= KBE_RUNNABLE_US)
				break;
		} else if (mono_us() - start >= KBE_QUEUED_US) {
			break;
		}
		struct timespec dl = deadline_in(KBE_POLL_US);
		pthread_cond_timedwait(&k->done_cv, &k->mu, &dl);
	}
	k->blocked = 1;
	pthread_mutex_unlock(&k->mu);
	return 0;
}

static int kbe_call_done(struct sk_backend *be, struct sk_call *c)
{
	struct kbe *k = be->priv;
	if (!k->pend || k->pend != c)
		return 1; /* not in the slot: finished (or taken over by a later call()) */
	pthread_mutex_lock(&k->mu);
	int done = k->state == SLOT_DONE;
	if (done)
		take_result(k);
	pthread_mutex_unlock(&k->mu);
	return done;
}

static int kbe_tcp_info(struct sk_backend *be, int fd, struct tcp_info *out)
{
	(void)be;
	memset(out, 0, sizeof(*out));
	socklen_t len = sizeof(*out);
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, out, &len) < 0 ? -errno : 0;
}

/* ---- the network ---- */

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t n = strlen(val);
	ssize_t w = write(fd, val, n);
	int r = w < 0 ? -errno : (size_t)w == n ? 0 : -EIO;
	close(fd);
	return r;
}

static int kbe_sysctl(struct sk_backend *be, const char *name, const char *value, char *why,
		      size_t whylen)
{
	struct kbe *k = be->priv;
	if (!strcmp(name, "net.ipv4.tcp_congestion_control")) {
		/* set on each socket (exec_call); the sysctl table checked the name */
		pthread_mutex_lock(&k->mu);
		snprintf(k->cc, sizeof(k->cc), "%s", value);
		pthread_mutex_unlock(&k->mu);
		return 0;
	}
	char path[512];
	size_t plen = strlen("/proc/sys/"), n = strlen(name);
	if (!n || name[0] == '.' || name[0] == '/' || strstr(name, "..") ||
	    plen + n >= sizeof(path)) {
		say(why, whylen, "sysctl %s: bad name", name, 0);
		return -1;
	}
	memcpy(path, "/proc/sys/", plen);
	for (size_t i = 0; i <= n; i++)
		path[plen + i] = name[i] == '.' ? '/' : name[i];
	int r = write_file(path, value);
	if (r < 0) {
		say(why, whylen, "sysctl %s", name, -r);
		return -1;
	}
	return 0;
}

static void set_sin(struct sockaddr *sa, in_addr_t addr)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = addr;
	memcpy(sa, &sin, sizeof(sin));
}

static int lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	r = r < 0 ? -errno : 0;
	close(s);
	return r;
}

/* A host route to dst (network order) through the TUN device. */
static int add_route(in_addr_t dst)
{
	char dev[IFNAMSIZ] = KBE_DEV;
	struct rtentry rt;
	memset(&rt, 0, sizeof(rt));
	set_sin(&rt.rt_dst, dst);
	set_sin(&rt.rt_genmask, INADDR_BROADCAST);
	set_sin(&rt.rt_gateway, INADDR_ANY);
	rt.rt_flags = RTF_UP | RTF_HOST;
	rt.rt_dev = dev;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int r = ioctl(s, SIOCADDRT, &rt) < 0 ? -errno : 0;
	close(s);
	return r;
}

/* Turns IPv6 off (no router solicitations, no MLD reports); nothing to do without IPv6. */
static int no_ipv6(const char *conf, char *why, size_t whylen)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", conf);
	int r = write_file(path, "1");
	if (r < 0 && r != -ENOENT) {
		say(why, whylen, "%s", path, -r);
		return -1;
	}
	return 0;
}

static int start_worker(struct kbe *k, char *why, size_t whylen)
{
	/* The worker takes no asynchronous signal: they stay the runner's. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(&k->th, NULL, worker, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		say(why, whylen, "worker thread", NULL, r);
		return -1;
	}
	pthread_setname_np(k->th, "sk-kcall");
	pthread_mutex_lock(&k->mu);
	while (!k->thread_up)
		pthread_cond_wait(&k->done_cv, &k->mu);
	pid_t tid = k->tid;
	pthread_mutex_unlock(&k->mu);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	k->statfd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->statfd < 0) {
		say(why, whylen, "%s", path, errno);
		return -1;
	}
	return 0;
}

static int kbe_open(struct sk_backend *be, const struct sk_run_net *net, char *why, size_t whylen)
{
	struct kbe *k = be->priv;
	if (k->opened || k->tun || k->thread_up) {
		say(why, whylen, "linux backend: already open", NULL, 0);
		return -1;
	}
	if (net->prefix > 32) {
		say(why, whylen, "linux backend: bad prefix length", NULL, 0);
		return -1;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		say(why, whylen, "unshare(CLONE_NEWNET)", NULL, errno);
		return -1;
	}
	int r = lo_up();
	if (r < 0) {
		say(why, whylen, "bring lo up", NULL, -r);
		return -1;
	}
	if (no_ipv6("default", why, whylen) < 0)
		return -1;
	int err = 0;
	k->tun = sk_tun_open(KBE_DEV, SK_TUN, SK_TUN_NO_OFFLOAD, net->mtu, &err, why, whylen);
	if (!k->tun)
		return -1;
	k->tunfd = sk_dev_fd(k->tun);
	if (no_ipv6(KBE_DEV, why, whylen) < 0)
		return -1;
	uint32_t local = ntohl(net->local.s_addr), remote = ntohl(net->remote.s_addr);
	if (sk_tun_host_config(KBE_DEV, local, net->prefix, why, whylen) < 0)
		return -1;
	uint32_t mask = net->prefix ? ~0u << (32 - net->prefix) : 0;
	if ((local ^ remote) & mask) {
		r = add_route(net->remote.s_addr);
		if (r < 0) {
			say(why, whylen, "route to the remote address", NULL, -r);
			return -1;
		}
	}
	k->rx = malloc(KBE_RX_CAP);
	k->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!k->rx || k->efd < 0) {
		say(why, whylen, k->rx ? "eventfd" : "linux backend", NULL, k->rx ? errno : ENOMEM);
		return -1;
	}
	if (start_worker(k, why, whylen) < 0)
		return -1;
	k->opened = 1;
	return 0;
}

/* The runner's part: device, packets, buffers. */
static void free_runner_side(struct kbe *k)
{
	if (k->statfd >= 0)
		close(k->statfd);
	k->statfd = -1;
	sk_dev_close(k->tun);
	k->tun = NULL;
	k->tunfd = -1;
	while (k->head) {
		struct kbe_pkt *p = k->head;
		k->head = p->next;
		free(p);
	}
	k->tail = NULL;
	free(k->rx);
	k->rx = NULL;
}

/* A call still in the kernel: shut its sockets down so that it returns. Under mu. */
static void unblock(struct kbe *k)
{
	struct sk_call *c = &k->work;
	if (c->sys == SYS_POLL) {
		for (int i = 0; i < c->npfd && i < SK_CALL_MAX_POLL; i++)
			if (c->pfd[i].fd >= 0)
				shutdown(c->pfd[i].fd, SHUT_RDWR);
	} else if (c->sys != SYS_SOCKET && c->sys != SYS_CLOSE && c->fd >= 0) {
		shutdown(c->fd, SHUT_RDWR);
	}
}

static void kbe_close(struct sk_backend *be)
{
	if (!be)
		return;
	struct kbe *k = be->priv;
	if (k->thread_up) {
		pthread_mutex_lock(&k->mu);
		k->quit = 1;
		pthread_cond_signal(&k->work_cv);
		if (k->state == SLOT_RUNNING)
			unblock(k);
		struct timespec dl = deadline_in(KBE_CLOSE_US);
		while (!k->exited && pthread_cond_timedwait(&k->done_cv, &k->mu, &dl) != ETIMEDOUT)
			;
		int gone = k->exited;
		pthread_mutex_unlock(&k->mu);
		if (!gone) {
			/* Still in the kernel: leave it. It frees the shared part when it
			 * returns; the process is expected to exit soon. */
			free_runner_side(k);
			pthread_mutex_lock(&k->mu);
			gone = k->exited;
			pthread_t th = k->th;
			if (!gone)
				k->abandoned = 1;
			pthread_mutex_unlock(&k->mu);
			if (!gone) {
				pthread_detach(th);
				return;
			}
		}
		pthread_join(k->th, NULL);
	}
	free_runner_side(k);
	free_shared(k);
}

static const struct sk_backend_ops kbe_ops = {
	.name = "linux",
	.open = kbe_open,
	.sysctl = kbe_sysctl,
	.now = kbe_now,
	.wait = kbe_wait,
	.inject = kbe_inject,
	.sniff = kbe_sniff,
	.call = kbe_call,
	.call_done = kbe_call_done,
	.tcp_info = kbe_tcp_info,
	.close = kbe_close,
};

struct sk_backend *sk_be_kernel_new(char *why, size_t whylen)
{
	if (geteuid() != 0) {
		say(why, whylen, "not root (the linux backend makes a network namespace and a TUN)",
		    NULL, 0);
		return NULL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say(why, whylen, "open /dev/net/tun", NULL, errno);
		return NULL;
	}
	close(fd);
	struct kbe *k = calloc(1, sizeof(*k));
	if (!k) {
		say(why, whylen, "linux backend", NULL, ENOMEM);
		return NULL;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->work_cv, &ca);
	pthread_cond_init(&k->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	k->tunfd = -1;
	memcpy(k->cc, "cubic", sizeof("cubic"));
	k->statfd = -1;
	k->efd = -1;
	k->be.ops = &kbe_ops;
	k->be.priv = k;
	return &k->be;
}
