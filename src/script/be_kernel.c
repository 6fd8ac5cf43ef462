/* The script runner's Linux backend: a network namespace, a TUN device (IPv4 or IPv6), a thread
 * for the calls. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/route.h>
#include <netinet/in.h>
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

/* Reads every packet the device has into the FIFO (IPv4 and IPv6), without blocking. */
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
		if (n < 20 || ((k->rx[0] >> 4) != 4 && (k->rx[0] >> 4) != 6))
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

/* Brings the interface called name up. */
static int if_up(const char *name)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
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

/* Sets /proc/sys/net/ipv6/conf/CONF/NAME; a setting this kernel does not have (ENOENT) is
 * no error when optional. */
static int ipv6_conf(const char *conf, const char *name, const char *val, int optional, char *why, size_t whylen)
{
	char path[160];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", conf, name);
	int r = write_file(path, val);
	if (r < 0 && !(r == -ENOENT && optional)) {
		say(why, whylen, "%s", path, -r);
		return -1;
	}
	return 0;
}

/* Turns IPv6 off (no router solicitations, no MLD reports); nothing to do without IPv6. */
static int no_ipv6(const char *conf, char *why, size_t whylen)
{
	return ipv6_conf(conf, "disable_ipv6", "1", 1, why, whylen);
}

/* IPv6 on, and quiet: the settings a new device takes from "default" (set before the TUN
 * is made): no duplicate address detection (the address is "nodad": usable at once), no
 * link-local address of its own, no router solicitations, no router advertisements taken. */
static int quiet_ipv6(const char *conf, char *why, size_t whylen)
{
	if (ipv6_conf(conf, "disable_ipv6", "0", 0, why, whylen) < 0 ||
	    ipv6_conf(conf, "accept_dad", "0", 1, why, whylen) < 0 ||
	    ipv6_conf(conf, "dad_transmits", "0", 1, why, whylen) < 0 ||
	    ipv6_conf(conf, "addr_gen_mode", "1", 1, why, whylen) < 0 ||
	    ipv6_conf(conf, "router_solicitations", "0", 1, why, whylen) < 0 ||
	    ipv6_conf(conf, "accept_ra", "0", 1, why, whylen) < 0)
		return -1;
	return 0;
}

/* Appends a route attribute to the netlink message n (room: cap bytes in all). */
static int nl_attr(struct nlmsghdr *n, size_t cap, unsigned short type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(n->nlmsg_len), need = RTA_SPACE(len);
	if (at + need > cap)
		return -1;
	struct rtattr *a = (struct rtattr *)((char *)n + at);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	n->nlmsg_len = (uint32_t)(at + need);
	return 0;
}

/* Sends one request to the kernel's routing socket and reads its one answer into ans: the
 * answer's length, or -errno (an NLMSG_ERROR answer with an error gives that error). */
static int nl_talk(const struct nlmsghdr *req, void *ans, size_t cap)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	struct sockaddr_nl kernel;
	memset(&kernel, 0, sizeof(kernel));
	kernel.nl_family = AF_NETLINK;
	int r;
	ssize_t n;
	if (sendto(s, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		r = -errno;
	else if ((n = recv(s, ans, cap, 0)) < 0)
		r = -errno;
	else if ((size_t)n < sizeof(struct nlmsghdr))
		r = -EPROTO;
	else
		r = (int)n;
	close(s);
	if (r < 0)
		return r;
	const struct nlmsghdr *h = ans;
	if (h->nlmsg_type == NLMSG_ERROR) {
		if ((size_t)r < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			return -EPROTO;
		int e = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
		return e < 0 ? e : 0;
	}
	return r;
}

/* Adds the IPv6 address addr/plen to the interface, as "ip -6 addr add A/P dev D nodad":
 * RTM_NEWADDR with IFA_F_NODAD, so that it is never tentative (an address added by ioctl
 * stays tentative, and bind() to it fails with EADDRNOTAVAIL, until the kernel's DAD work
 * has run, even where no DAD is done). 0 or -errno. */
static int add_addr6_nodad(unsigned ifindex, const struct in6_addr *addr, uint8_t plen)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[64];
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET6;
	req.ifa.ifa_prefixlen = plen;
	req.ifa.ifa_flags = IFA_F_NODAD | IFA_F_PERMANENT;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = ifindex;
	if (nl_attr(&req.nh, sizeof(req), IFA_LOCAL, addr, 16) < 0 ||
	    nl_attr(&req.nh, sizeof(req), IFA_ADDRESS, addr, 16) < 0)
		return -EINVAL;
	union {
		struct nlmsghdr nh;
		char b[1024];
	} ans;
	int r = nl_talk(&req.nh, &ans, sizeof(ans));
	return r < 0 ? r : 0;
}

/* 1 once the kernel routes addr to itself (its local route is in: the kernel adds it from
 * its address work, after the address itself), 0 before, or -errno. */
static int addr6_local(const struct in6_addr *addr)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[32];
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 2;
	req.rt.rtm_family = AF_INET6;
	req.rt.rtm_dst_len = 128;
	if (nl_attr(&req.nh, sizeof(req), RTA_DST, addr, 16) < 0)
		return -EINVAL;
	union {
		struct nlmsghdr nh;
		char b[2048];
	} ans;
	int r = nl_talk(&req.nh, &ans, sizeof(ans));
	if (r == -ENETUNREACH || r == -EHOSTUNREACH || r == 0)
		return 0;
	if (r < 0)
		return r;
	if (ans.nh.nlmsg_type != RTM_NEWROUTE || (size_t)r < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -EPROTO;
	return ((const struct rtmsg *)NLMSG_DATA(&ans.nh))->rtm_type == RTN_LOCAL;
}

/* Waits (up to a second) until the kernel takes packets for addr as its own. */
static int addr6_wait_local(const struct in6_addr *addr)
{
	for (int i = 0; i < 1000; i++) {
		int r = addr6_local(addr);
		if (r != 0)
			return r < 0 ? r : 0;
		struct timespec ms = {0, 1000000};
		nanosleep(&ms, NULL);
	}
	return -ETIMEDOUT;
}

/* A host route to dst through the TUN device (IPv6). */
static int add_route6(const struct in6_addr *dst)
{
	unsigned idx = if_nametoindex(KBE_DEV);
	if (!idx)
		return -errno;
	struct in6_rtmsg rt;
	memset(&rt, 0, sizeof(rt));
	rt.rtmsg_dst = *dst;
	rt.rtmsg_dst_len = 128;
	rt.rtmsg_metric = 1;
	rt.rtmsg_flags = RTF_UP | RTF_HOST;
	rt.rtmsg_ifindex = (int)idx;
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int r = ioctl(s, SIOCADDRT, &rt) < 0 ? -errno : 0;
	close(s);
	return r;
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
	if (net->v6 ? net->prefix6 > 128 : net->prefix > 32) {
		say(why, whylen, "linux backend: bad prefix length", NULL, 0);
		return -1;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		say(why, whylen, "unshare(CLONE_NEWNET)", NULL, errno);
		return -1;
	}
	int r = if_up("lo");
	if (r < 0) {
		say(why, whylen, "bring lo up", NULL, -r);
		return -1;
	}
	/* IPv6 only where the script runs over it (AF_INET6 sockets of ipv4-mapped-ipv6 need
	 * no IPv6 on the devices) */
	if ((net->v6 ? quiet_ipv6("default", why, whylen) : no_ipv6("default", why, whylen)) < 0)
		return -1;
	int err = 0;
	k->tun = sk_tun_open(KBE_DEV, SK_TUN, SK_TUN_NO_OFFLOAD, net->mtu, &err, why, whylen);
	if (!k->tun)
		return -1;
	k->tunfd = sk_dev_fd(k->tun);
	if (net->v6) {
		if (quiet_ipv6(KBE_DEV, why, whylen) < 0)
			return -1;
		r = if_up(KBE_DEV);
		if (r == 0)
			r = add_addr6_nodad(if_nametoindex(KBE_DEV), &net->local6, net->prefix6);
		if (r == 0)
			r = addr6_wait_local(&net->local6);
		if (r < 0) {
			say(why, whylen, "IPv6 address on " KBE_DEV, NULL, -r);
			return -1;
		}
		unsigned whole = net->prefix6 / 8, rest = net->prefix6 % 8;
		int inside = !memcmp(&net->local6, &net->remote6, whole) &&
			     (!rest || !((net->local6.s6_addr[whole] ^ net->remote6.s6_addr[whole]) &
					 (uint8_t)(0xff << (8 - rest))));
		if (!inside) {
			r = add_route6(&net->remote6);
			if (r < 0) {
				say(why, whylen, "route to the remote address", NULL, -r);
				return -1;
			}
		}
	} else {
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
