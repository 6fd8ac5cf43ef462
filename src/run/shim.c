/* The preload library synack-run puts in unmodified programs (libsynack-preload.so): it
 * takes the AF_INET and AF_INET6 TCP and UDP sockets a program opens to synack-run's relay.
 *
 * Each such socket is a kernel descriptor of the program's own, one end of a socket pair
 * the relay joins to a synack socket (src/run/proto.h), so reads, writes, poll, select,
 * epoll (with kernel descriptors in the same set), sendfile, fork and exec need nothing
 * here. What is caught: the calls that name addresses or options (socket, bind, listen,
 * accept, connect, get/setsockopt, getsockname, getpeername), which become requests on a
 * control connection (one per thread, opened again after fork); the UDP data calls, which
 * put the address beside each datagram; and the calls that create, copy or close
 * descriptors, which keep the table of which descriptors are synack's. The errno of
 * every request is what synack's POSIX layer (src/sock/posix.c) answered, the same as the
 * runtime's socket calls and the conformance runner get.
 *
 * A preload library is the process's own libc for these calls, so unlike the rest of
 * synack it keeps process-wide state: the table, the real functions and the relay's name. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "run/fdpass.h"
#include "run/proto.h"

#define MAXFD 65536
#define KIND_CTL 0x80 /* a control connection of one of this process's threads */
#define EXPORT __attribute__((visibility("default")))

struct real {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned, int, struct timespec *);
};

static struct {
	struct real r;
	int on;                   /* SYNACK_RUN_SOCKET is set: this process runs on synack */
	struct sockaddr_un ctl;   /* the relay's control socket */
	socklen_t ctl_len;
	char name[80];            /* "synack-run.<pid>" */
	_Atomic uint8_t kind[MAXFD];
	_Atomic uint32_t id[MAXFD];
	pthread_key_t key;        /* closes a thread's control connection when it exits */
	pthread_mutex_t log_lock;
	char logged[64][48];      /* what was already logged as unsupported */
	int nlogged;
} P = {.log_lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static __thread int t_ctl = -1;
static __thread pid_t t_pid;

#define R(name) (P.r.name)

static int fail(int e)
{
	errno = e;
	return -1;
}

static int kind_of(int fd)
{
	return fd >= 0 && fd < MAXFD ? atomic_load_explicit(&P.kind[fd], memory_order_relaxed) : SK_RUN_NONE;
}

static int is_ours(int fd)
{
	int k = kind_of(fd);
	return k != SK_RUN_NONE && k != KIND_CTL;
}

static void set_kind(int fd, int kind, uint32_t id)
{
	if (fd < 0 || fd >= MAXFD)
		return;
	atomic_store(&P.id[fd], id);
	atomic_store(&P.kind[fd], (uint8_t)kind);
}

/* Logged once per call and reason: what a program did that synack does not do. */
static void unsupported(const char *call, int e)
{
	if (e != ENOPROTOOPT && e != EOPNOTSUPP && e != EPROTONOSUPPORT && e != ESOCKTNOSUPPORT && e != EAFNOSUPPORT)
		return;
	char key[48];
	snprintf(key, sizeof(key), "%s/%d", call, e);
	pthread_mutex_lock(&P.log_lock);
	int seen = 0;
	for (int i = 0; i < P.nlogged && !seen; i++)
		seen = strcmp(P.logged[i], key) == 0;
	if (!seen && P.nlogged < 64)
		snprintf(P.logged[P.nlogged++], sizeof(P.logged[0]), "%s", key);
	pthread_mutex_unlock(&P.log_lock);
	if (!seen)
		dprintf(2, "synack-run: %s: not supported on synack (%s)\n", call, strerror(e));
}

/* ---- the control connection ---- */

static void thread_gone(void *v)
{
	(void)v;
	if (t_ctl >= 0 && kind_of(t_ctl) == KIND_CTL) {
		set_kind(t_ctl, SK_RUN_NONE, 0);
		R(close)(t_ctl);
	}
	t_ctl = -1;
}

static int ctl_fd(void)
{
	pid_t pid = getpid();
	if (t_ctl >= 0 && t_pid == pid && kind_of(t_ctl) == KIND_CTL)
		return t_ctl;
	if (t_ctl >= 0 && t_pid != pid && kind_of(t_ctl) == KIND_CTL) {
		/* This process's copy of the parent's connection, across fork. */
		set_kind(t_ctl, SK_RUN_NONE, 0);
		R(close)(t_ctl);
	}
	t_ctl = -1;
	int fd = R(socket)(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (fd >= MAXFD || R(connect)(fd, (struct sockaddr *)&P.ctl, P.ctl_len) < 0) {
		R(close)(fd);
		return fail(ENETDOWN); /* synack-run has gone */
	}
	set_kind(fd, KIND_CTL, 0);
	t_ctl = fd;
	t_pid = pid;
	pthread_setspecific(P.key, (void *)1);
	return fd;
}

/* One request and its answer; *got: a descriptor that came with it (or -1). Returns
 * the answer's ret (-errno on failure). */
static int rpc(struct sk_run_req *q, struct sk_run_rep *p, int *got, int cloexec)
{
	int e = errno;
	if (got)
		*got = -1;
	int c = ctl_fd();
	if (c < 0)
		return -ENETDOWN;
	size_t qlen = offsetof(struct sk_run_req, data) + q->len;
	ssize_t n;
	do
		n = R(send)(c, q, qlen, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -ENETDOWN;
	int fd;
	do
		n = sk_fd_recv(c, p, sizeof(*p), &fd, cloexec ? MSG_CMSG_CLOEXEC : 0, R(recvmsg));
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)offsetof(struct sk_run_rep, data)) {
		if (fd >= 0)
			R(close)(fd);
		return -ENETDOWN;
	}
	if (fd >= 0) {
		if (got)
			*got = fd;
		else
			R(close)(fd);
	}
	errno = e;
	return p->ret;
}

/* A request about descriptor fd; the answer's ret, or -1 with errno. */
static int ask(int fd, uint32_t op, struct sk_run_req *q, struct sk_run_rep *p)
{
	q->op = op;
	q->id = atomic_load(&P.id[fd]);
	int r = rpc(q, p, NULL, 0);
	return r < 0 ? fail(-r) : r;
}

/* A TCP socket read end of file or a write EPIPE: Linux reports a reset or a timeout
 * there once (ECONNRESET, ETIMEDOUT); the pair cannot, the relay kept it. */
static ssize_t tcp_end(int fd, ssize_t n, int is_read)
{
	if (is_read ? n != 0 : !(n < 0 && errno == EPIPE))
		return n;
	struct sk_run_req q = {0};
	struct sk_run_rep p;
	int e = errno;
	if (ask(fd, SK_RUN_TAKE_ERROR, &q, &p) > 0)
		return fail(p.ret);
	errno = e;
	return n;
}

/* ---- start-up ---- */

static void resolve(void)
{
#define GET(name) P.r.name = (__typeof__(P.r.name))dlsym(RTLD_NEXT, #name)
	GET(socket);
	GET(bind);
	GET(listen);
	GET(accept);
	GET(accept4);
	GET(connect);
	GET(getsockname);
	GET(getpeername);
	GET(setsockopt);
	GET(getsockopt);
	GET(close);
	GET(close_range);
	GET(dup);
	GET(dup2);
	GET(dup3);
	GET(fcntl);
	GET(ioctl);
	GET(read);
	GET(write);
	GET(readv);
	GET(writev);
	GET(send);
	GET(recv);
	GET(sendto);
	GET(recvfrom);
	GET(sendmsg);
	GET(recvmsg);
	GET(sendmmsg);
	GET(recvmmsg);
#undef GET
}

/* After exec: which inherited descriptors are synack sockets (their pair end's name). */
static void find_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	int dfd = dirfd(d);
	size_t nl = strlen(P.name);
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dfd || fd >= MAXFD)
			continue;
		struct sockaddr_un a;
		socklen_t l = sizeof(a);
		if (R(getsockname)(fd, (struct sockaddr *)&a, &l) < 0 || a.sun_family != AF_UNIX ||
		    l <= offsetof(struct sockaddr_un, sun_path) + 1 + nl || a.sun_path[0] != 0 ||
		    strncmp(a.sun_path + 1, P.name, nl) != 0 || a.sun_path[1 + nl] != '.')
			continue;
		char tail[32] = {0};
		size_t tl = l - offsetof(struct sockaddr_un, sun_path) - 2 - nl;
		memcpy(tail, a.sun_path + 2 + nl, tl < sizeof(tail) - 1 ? tl : sizeof(tail) - 1);
		char *dot = strchr(tail, '.');
		if (!dot)
			continue;
		uint32_t id = (uint32_t)strtoul(tail, NULL, 10);
		set_kind(fd, dot[1] == 'u' ? SK_RUN_UDP : SK_RUN_TCP, id);
		if (dot[1] == 't') {
			struct sk_run_req q = {0};
			struct sk_run_rep p;
			if (ask(fd, SK_RUN_DESCRIBE, &q, &p) == 0 && p.a == SK_RUN_LISTENER)
				set_kind(fd, SK_RUN_LISTENER, id);
		}
	}
	closedir(d);
}

static void init(void)
{
	resolve();
	pthread_key_create(&P.key, thread_gone);
	const char *n = getenv(SK_RUN_ENV);
	if (!n || !*n || strlen(n) >= sizeof(P.name))
		return;
	snprintf(P.name, sizeof(P.name), "%s", n);
	P.ctl.sun_family = AF_UNIX;
	memcpy(P.ctl.sun_path + 1, n, strlen(n));
	P.ctl_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(n));
	P.on = 1;
	find_inherited();
}

__attribute__((constructor)) static void shim_start(void)
{
	pthread_once(&once, init);
}

#define START() pthread_once(&once, init)

/* ---- creating sockets ---- */

EXPORT int socket(int domain, int type, int protocol)
{
	START();
	if (!P.on || (domain != AF_INET && domain != AF_INET6))
		return R(socket)(domain, type, protocol);
	struct sk_run_req q = {.op = SK_RUN_SOCKET, .a = domain, .b = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC),
			       .c = protocol};
	struct sk_run_rep p;
	int fd;
	int r = rpc(&q, &p, &fd, type & SOCK_CLOEXEC);
	if (r < 0) {
		unsupported("socket", -r);
		return fail(-r);
	}
	if (fd < 0)
		return fail(EIO);
	if (fd >= MAXFD) {
		R(close)(fd);
		return fail(EMFILE);
	}
	if (type & SOCK_NONBLOCK)
		R(fcntl)(fd, F_SETFL, O_NONBLOCK);
	set_kind(fd, q.b == SOCK_DGRAM ? SK_RUN_UDP : SK_RUN_TCP, p.id);
	return fd;
}

static int with_addr(int fd, uint32_t op, const struct sockaddr *a, socklen_t len, int32_t arg)
{
	if (len > SK_RUN_DATA || (len && !a))
		return fail(len ? EFAULT : EINVAL);
	struct sk_run_req q = {.len = len, .a = arg};
	struct sk_run_rep p;
	if (len)
		memcpy(q.data, a, len);
	return ask(fd, op, &q, &p) < 0 ? -1 : 0;
}

EXPORT int bind(int fd, const struct sockaddr *a, socklen_t len)
{
	START();
	if (!is_ours(fd))
		return R(bind)(fd, a, len);
	return with_addr(fd, SK_RUN_BIND, a, len, 0);
}

EXPORT int listen(int fd, int backlog)
{
	START();
	if (!is_ours(fd))
		return R(listen)(fd, backlog);
	struct sk_run_req q = {.a = backlog};
	struct sk_run_rep p;
	if (ask(fd, SK_RUN_LISTEN, &q, &p) < 0)
		return -1; /* EOPNOTSUPP on UDP, EINVAL when connected: as Linux, not a gap */
	set_kind(fd, SK_RUN_LISTENER, atomic_load(&P.id[fd]));
	return 0;
}

EXPORT int connect(int fd, const struct sockaddr *a, socklen_t len)
{
	START();
	if (!is_ours(fd))
		return R(connect)(fd, a, len);
	int fl = R(fcntl)(fd, F_GETFL);
	return with_addr(fd, SK_RUN_CONNECT, a, len, fl >= 0 && (fl & O_NONBLOCK));
}

static void give_addr(const void *src, socklen_t have, struct sockaddr *a, socklen_t *len)
{
	if (!a || !len)
		return;
	memcpy(a, src, have < *len ? have : *len);
	*len = have;
}

EXPORT int accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_NONE || k == KIND_CTL)
		return R(accept4)(fd, a, len, flags);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return fail(EINVAL);
	if (k == SK_RUN_UDP)
		return fail(EOPNOTSUPP);
	if (k != SK_RUN_LISTENER)
		return fail(EINVAL);
	struct sk_run_accept rec;
	int nfd;
	/* Blocking or not as the listener's descriptor is: the program's O_NONBLOCK. */
	ssize_t n = sk_fd_recv(fd, &rec, sizeof(rec), &nfd, (flags & SOCK_CLOEXEC) ? MSG_CMSG_CLOEXEC : 0, R(recvmsg));
	if (n < 0)
		return -1;
	if (n != (ssize_t)sizeof(rec) || nfd < 0) {
		if (nfd >= 0)
			R(close)(nfd);
		return fail(n == 0 ? EINVAL : ECONNABORTED);
	}
	if (nfd >= MAXFD) {
		R(close)(nfd);
		return fail(EMFILE);
	}
	if (flags & SOCK_NONBLOCK)
		R(fcntl)(nfd, F_SETFL, O_NONBLOCK);
	set_kind(nfd, SK_RUN_TCP, rec.id);
	give_addr(rec.peer, rec.peer_len, a, len);
	return nfd;
}

EXPORT int accept(int fd, struct sockaddr *a, socklen_t *len)
{
	START();
	if (!is_ours(fd))
		return R(accept)(fd, a, len);
	return accept4(fd, a, len, 0);
}

static int name_of(int fd, uint32_t op, struct sockaddr *a, socklen_t *len)
{
	if (!a || !len)
		return fail(EFAULT);
	struct sk_run_req q = {0};
	struct sk_run_rep p;
	if (ask(fd, op, &q, &p) < 0)
		return -1;
	give_addr(p.data, p.len, a, len);
	return 0;
}

EXPORT int getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	START();
	if (!is_ours(fd))
		return R(getsockname)(fd, a, len);
	return name_of(fd, SK_RUN_GETSOCKNAME, a, len);
}

EXPORT int getpeername(int fd, struct sockaddr *a, socklen_t *len)
{
	START();
	if (!is_ours(fd))
		return R(getpeername)(fd, a, len);
	return name_of(fd, SK_RUN_GETPEERNAME, a, len);
}

/* Time-outs belong to the descriptor the program blocks on: its pair end. */
static int on_pair(int level, int name)
{
	return level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == SO_RCVTIMEO_NEW ||
				       name == SO_SNDTIMEO_NEW);
}

EXPORT int setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	START();
	if (!is_ours(fd) || on_pair(level, name))
		return R(setsockopt)(fd, level, name, v, len);
	if (len > SK_RUN_DATA)
		return fail(EINVAL);
	if (len && !v)
		return fail(EFAULT);
	struct sk_run_req q = {.a = level, .b = name, .len = len};
	struct sk_run_rep p;
	if (len)
		memcpy(q.data, v, len);
	if (ask(fd, SK_RUN_SETSOCKOPT, &q, &p) < 0) {
		char call[48];
		snprintf(call, sizeof(call), "setsockopt(level %d, option %d)", level, name);
		unsupported(call, errno);
		return -1;
	}
	return 0;
}

EXPORT int getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	START();
	if (!is_ours(fd) || on_pair(level, name))
		return R(getsockopt)(fd, level, name, v, len);
	if (!v || !len)
		return fail(EFAULT);
	struct sk_run_req q = {.a = level, .b = name, .len = *len < SK_RUN_DATA ? *len : SK_RUN_DATA};
	struct sk_run_rep p;
	if (ask(fd, SK_RUN_GETSOCKOPT, &q, &p) < 0) {
		char call[48];
		snprintf(call, sizeof(call), "getsockopt(level %d, option %d)", level, name);
		unsupported(call, errno);
		return -1;
	}
	socklen_t n = p.len < *len ? p.len : *len;
	memcpy(v, p.data, n);
	*len = n;
	return 0;
}

/* ---- copying and closing descriptors ---- */

static void copy_kind(int from, int to)
{
	if (to < 0)
		return;
	int k = kind_of(from);
	set_kind(to, k == KIND_CTL ? SK_RUN_NONE : k, from >= 0 && from < MAXFD ? atomic_load(&P.id[from]) : 0);
}

EXPORT int close(int fd)
{
	START();
	if (kind_of(fd) != SK_RUN_NONE)
		set_kind(fd, SK_RUN_NONE, 0);
	return R(close)(fd);
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	START();
	if (!R(close_range))
		return fail(ENOSYS);
	int r = R(close_range)(first, last, flags);
	if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned fd = first; fd <= last && fd < MAXFD; fd++)
			if (kind_of((int)fd) != SK_RUN_NONE)
				set_kind((int)fd, SK_RUN_NONE, 0);
	return r;
}

EXPORT int dup(int fd)
{
	START();
	int r = R(dup)(fd);
	copy_kind(fd, r);
	return r;
}

EXPORT int dup2(int fd, int to)
{
	START();
	int r = R(dup2)(fd, to);
	if (r >= 0 && fd != to)
		copy_kind(fd, r);
	return r;
}

EXPORT int dup3(int fd, int to, int flags)
{
	START();
	int r = R(dup3)(fd, to, flags);
	if (r >= 0)
		copy_kind(fd, r);
	return r;
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	START();
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int r = R(fcntl)(fd, cmd, arg);
	if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		copy_kind(fd, r);
	return r;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl(fd, cmd, arg);
}

/* ---- data: UDP puts the address beside each datagram; TCP drops addresses and asks for
 * the error behind an end of file or EPIPE ---- */

#define HDR sizeof(struct sk_run_dgram)

/* A message of msg's buffers behind a datagram header d (iov: room for 1024). */
static struct msghdr behind_header(struct sk_run_dgram *d, const struct msghdr *msg, struct iovec *iov)
{
	iov[0].iov_base = d;
	iov[0].iov_len = HDR;
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		iov[i + 1] = msg->msg_iov[i];
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = msg->msg_iovlen + 1};
	return m;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP || k == SK_RUN_LISTENER) {
		/* TCP ignores a destination; the pair would refuse it (EISCONN). */
		struct msghdr m = *msg;
		m.msg_name = NULL;
		m.msg_namelen = 0;
		return tcp_end(fd, R(sendmsg)(fd, &m, flags), 0);
	}
	if (k != SK_RUN_UDP)
		return R(sendmsg)(fd, msg, flags);
	if (msg->msg_iovlen > 1023)
		return fail(EMSGSIZE);
	struct sk_run_dgram d = {0};
	if (msg->msg_name && msg->msg_namelen) {
		if (msg->msg_namelen > sizeof(d.addr))
			return fail(EINVAL);
		d.len = msg->msg_namelen;
		memcpy(d.addr, msg->msg_name, d.len);
	}
	struct iovec iov[1024];
	struct msghdr m = behind_header(&d, msg, iov);
	ssize_t n = R(sendmsg)(fd, &m, flags);
	return n < 0 ? -1 : n - (ssize_t)HDR;
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP || k == SK_RUN_LISTENER) {
		ssize_t n = R(recvmsg)(fd, msg, flags);
		if (n >= 0)
			msg->msg_namelen = 0; /* as TCP: no address */
		return n == 0 && msg->msg_iovlen ? tcp_end(fd, n, 1) : n;
	}
	if (k != SK_RUN_UDP)
		return R(recvmsg)(fd, msg, flags);
	if (msg->msg_iovlen > 1023)
		return fail(EMSGSIZE);
	struct sk_run_dgram d;
	struct iovec iov[1024];
	struct msghdr m = behind_header(&d, msg, iov);
	ssize_t n = R(recvmsg)(fd, &m, flags);
	if (n < 0)
		return -1;
	if (n < (ssize_t)HDR)
		return fail(EAGAIN);
	if (msg->msg_name) {
		socklen_t have = d.len <= sizeof(d.addr) ? d.len : 0;
		memcpy(msg->msg_name, d.addr, have < msg->msg_namelen ? have : msg->msg_namelen);
		msg->msg_namelen = have;
	}
	msg->msg_controllen = 0;
	msg->msg_flags = m.msg_flags & (MSG_TRUNC | MSG_EOR);
	return n - (ssize_t)HDR;
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP || k == SK_RUN_LISTENER)
		return tcp_end(fd, R(send)(fd, buf, len, flags), 0);
	if (k != SK_RUN_UDP)
		return R(sendto)(fd, buf, len, flags, to, tolen);
	struct iovec v = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_name = (void *)to, .msg_namelen = to ? tolen : 0, .msg_iov = &v, .msg_iovlen = 1};
	return sendmsg(fd, &m, flags);
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP || k == SK_RUN_LISTENER) {
		ssize_t n = R(recv)(fd, buf, len, flags);
		if (n >= 0 && from && fromlen)
			*fromlen = 0;
		return len ? tcp_end(fd, n, 1) : n;
	}
	if (k != SK_RUN_UDP)
		return R(recvfrom)(fd, buf, len, flags, from, fromlen);
	struct iovec v = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_name = from, .msg_namelen = from && fromlen ? *fromlen : 0, .msg_iov = &v,
			   .msg_iovlen = 1};
	ssize_t n = recvmsg(fd, &m, flags);
	if (n >= 0 && from && fromlen)
		*fromlen = m.msg_namelen;
	return n;
}

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP)
		return tcp_end(fd, R(send)(fd, buf, len, flags), 0);
	if (k != SK_RUN_UDP)
		return R(send)(fd, buf, len, flags);
	return sendto(fd, buf, len, flags, NULL, 0);
}

EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP)
		return len ? tcp_end(fd, R(recv)(fd, buf, len, flags), 1) : R(recv)(fd, buf, len, flags);
	if (k != SK_RUN_UDP)
		return R(recv)(fd, buf, len, flags);
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP)
		return tcp_end(fd, R(write)(fd, buf, len), 0);
	if (k != SK_RUN_UDP)
		return R(write)(fd, buf, len);
	return sendto(fd, buf, len, 0, NULL, 0);
}

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP)
		return len ? tcp_end(fd, R(read)(fd, buf, len), 1) : R(read)(fd, buf, len);
	if (k != SK_RUN_UDP)
		return R(read)(fd, buf, len);
	return recvfrom(fd, buf, len, 0, NULL, NULL);
}

EXPORT ssize_t writev(int fd, const struct iovec *v, int n)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP)
		return tcp_end(fd, R(writev)(fd, v, n), 0);
	if (k != SK_RUN_UDP)
		return R(writev)(fd, v, n);
	if (n < 0)
		return fail(EINVAL);
	struct msghdr m = {.msg_iov = (struct iovec *)v, .msg_iovlen = (size_t)n};
	return sendmsg(fd, &m, 0);
}

EXPORT ssize_t readv(int fd, const struct iovec *v, int n)
{
	START();
	int k = kind_of(fd);
	if (k == SK_RUN_TCP)
		return n > 0 ? tcp_end(fd, R(readv)(fd, v, n), 1) : R(readv)(fd, v, n);
	if (k != SK_RUN_UDP)
		return R(readv)(fd, v, n);
	if (n < 0)
		return fail(EINVAL);
	struct msghdr m = {.msg_iov = (struct iovec *)v, .msg_iovlen = (size_t)n};
	return recvmsg(fd, &m, 0);
}

EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)
{
	START();
	if (kind_of(fd) != SK_RUN_UDP)
		return R(sendmmsg)(fd, v, n, flags);
	unsigned i = 0;
	for (; i < n; i++) {
		ssize_t r = sendmsg(fd, &v[i].msg_hdr, flags);
		if (r < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned)r;
	}
	return (int)i;
}

EXPORT int recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags, struct timespec *timeout)
{
	START();
	if (kind_of(fd) != SK_RUN_UDP)
		return R(recvmmsg)(fd, v, n, flags, timeout);
	unsigned i = 0;
	int f = flags & ~MSG_WAITFORONE;
	for (; i < n; i++) {
		ssize_t r = recvmsg(fd, &v[i].msg_hdr, f);
		if (r < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned)r;
		if (flags & MSG_WAITFORONE)
			f |= MSG_DONTWAIT;
	}
	return (int)i;
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	START();
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int r = R(ioctl)(fd, req, arg);
	if (r == 0 && req == FIONREAD && kind_of(fd) == SK_RUN_UDP && arg) {
		/* The next datagram's size, without the address beside it. */
		int *v = arg;
		*v = *v >= (int)HDR ? *v - (int)HDR : 0;
	}
	return r;
}
