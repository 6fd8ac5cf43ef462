/* POSIX socket calls with Linux's semantics over the native API, sans-I/O: descriptors with
 * their flags and timeouts, Linux's errno for each bad argument, and calls that, instead of
 * blocking, say what to wait for and are called again. The runtime's socket calls and the
 * script runner both sit on this layer, so they never disagree.
 *
 * A call that would block returns SK_PX_WAIT and fills its struct sk_px_wait: the caller
 * waits until the socket w->sock shows one of w->events (SYNACK_EV_*), or the stack's clock
 * reaches w->deadline, or (poll) any of its descriptors becomes ready, and then makes the
 * same call again with the same w. Descriptors are the stack's socket handles. */
#ifndef SK_POSIX_H
#define SK_POSIX_H

#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <synack/synack.h>

#define SK_PX_WAIT (-100000)

struct sk_px_wait {
	uint8_t started;   /* 0 before the first try: set it to 0 for a new call */
	uint32_t gen;      /* the descriptor's generation when the call began */
	uint64_t deadline; /* stack time at which the call gives up (UINT64_MAX: never) */
	size_t done;       /* bytes moved so far (a blocking write, MSG_WAITALL) */
	int sock;          /* wait for this socket ... */
	int events;        /* ... to show one of these (SYNACK_EV_*); poll: 0 */
};

struct sk_px;
struct sk_px *sk_px_new(synack_stack *st);
/* Frees the layer's records (not the sockets: close them first, or free the stack). */
void sk_px_free(struct sk_px *px);

/* Every call returns its result (>= 0), -errno, or SK_PX_WAIT. Addresses are struct
 * sockaddr_in (AF_INET). */
int sk_px_socket(struct sk_px *px, int domain, int type, int protocol);
int sk_px_bind(struct sk_px *px, int fd, const struct sockaddr *a, socklen_t len);
int sk_px_listen(struct sk_px *px, int fd, int backlog);
/* flags: SOCK_NONBLOCK, SOCK_CLOEXEC (accept4) */
int sk_px_accept(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len, int flags, struct sk_px_wait *w);
int sk_px_connect(struct sk_px *px, int fd, const struct sockaddr *a, socklen_t len, struct sk_px_wait *w);
/* write, send, sendto and writev are this call; flags MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE */
ssize_t sk_px_sendmsg(struct sk_px *px, int fd, const struct msghdr *m, int flags, struct sk_px_wait *w);
/* read, recv, recvfrom and readv are this call; flags MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL,
 * MSG_TRUNC; m->msg_flags gets MSG_TRUNC for a datagram cut short */
ssize_t sk_px_recvmsg(struct sk_px *px, int fd, struct msghdr *m, int flags, struct sk_px_wait *w);
int sk_px_shutdown(struct sk_px *px, int fd, int how);
/* With SO_LINGER on and a time, waits for the FIN's ACK (at most that time). */
int sk_px_close(struct sk_px *px, int fd, struct sk_px_wait *w);
int sk_px_setsockopt(struct sk_px *px, int fd, int level, int name, const void *val, socklen_t len);
int sk_px_getsockopt(struct sk_px *px, int fd, int level, int name, void *val, socklen_t *len);
int sk_px_getsockname(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len);
int sk_px_getpeername(struct sk_px *px, int fd, struct sockaddr *a, socklen_t *len);
/* F_GETFL, F_SETFL (O_NONBLOCK), F_GETFD, F_SETFD (FD_CLOEXEC) */
int sk_px_fcntl(struct sk_px *px, int fd, int cmd, long arg);
/* FIONREAD/SIOCINQ (bytes readable), SIOCOUTQ (bytes not yet acknowledged), SIOCOUTQNSD
 * (bytes not yet sent), FIONBIO (*arg: non-blocking on or off) */
int sk_px_ioctl(struct sk_px *px, int fd, unsigned long req, int *arg);
/* timeout_ms < 0: no limit. On SK_PX_WAIT wait for any descriptor's readiness. */
int sk_px_poll(struct sk_px *px, struct pollfd *fds, nfds_t n, int timeout_ms, struct sk_px_wait *w);

/* poll(2)'s revents for one descriptor and the events asked (POLLNVAL if not open). */
short sk_px_revents(struct sk_px *px, int fd, short events);
/* The descriptor's generation: bumped when it is closed (a waiter from before sees EBADF). */
uint32_t sk_px_gen(struct sk_px *px, int fd);
/* 1 if fd is an open descriptor, and whether it is non-blocking. */
int sk_px_is_open(struct sk_px *px, int fd);
int sk_px_nonblocking(struct sk_px *px, int fd);

#endif
