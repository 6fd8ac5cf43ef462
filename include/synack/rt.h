/* synack runtime: the stack on a real device (TUN or TAP), driven by its own event-loop
 * thread, with a POSIX-style socket layer that application threads call.
 *
 *   struct synack_rt_opts o;
 *   synack_rt_opts_defaults(&o);
 *   o.tun = "tun0"; o.addr = ...; o.prefix = 24;
 *   synack_rt *rt = synack_rt_start(&o, why, sizeof why);
 *   int s = synack_rt_socket(rt, AF_INET, SOCK_STREAM, 0);
 *   synack_rt_connect(rt, s, (struct sockaddr *)&sin, sizeof sin);   // blocks
 *
 * Calls follow POSIX: they return -1 and set errno (EAGAIN, ECONNREFUSED, ...); a socket
 * is blocking unless created with SOCK_NONBLOCK or switched with synack_rt_set_nonblock.
 * Every call is safe from any number of threads at once. Socket numbers are the stack's
 * handles: they are not kernel file descriptors, so use synack_rt_poll, not poll(2). */
#ifndef SYNACK_RT_H
#define SYNACK_RT_H

#include <poll.h>
#include <sys/epoll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <synack/synack.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synack_rt synack_rt;

/* What every tool accepts (--tun NAME | --tap NAME, --addr A/LEN (twice: one IPv4, one IPv6),
 * --host-addr A/LEN,
 * --gw A, --mtu N, --trace, -w FILE.pcap, --no-control). An address not given has family
 * SYNACK_AF_UNSPEC (a zeroed struct synack_ip). */
struct synack_rt_opts {
	const char *tun, *tap;  /* the device: exactly one of tun, tap and link */
	const struct synack_rt_link *link; /* a link the application supplies, or NULL */
	struct synack_ip addr;  /* synack's address */
	uint8_t prefix;
	struct synack_ip host_addr; /* when given: configure the kernel side (address, link up) */
	uint8_t host_prefix;    /* 0: prefix */
	struct synack_ip gw;    /* default gateway; none: everything on-link */
	uint32_t mtu;           /* 1500 */
	int trace;              /* tcpdump-format lines on stderr for every packet */
	const char *pcap;       /* write every packet to this pcap file */
	int control;            /* 1: open the control socket that synack-ss reads (default);
				 * docs/control.md */
	int no_offload;         /* 1: a TUN without checksum/TSO offloads (--no-offload) */
	int no_thread;          /* 1: no loop thread; the application's loop waits on
				 * synack_rt_fd and calls synack_rt_run_once */
	const struct synack_config *cfg; /* NULL: defaults. An all-zero secret and a zero seed
					  * are replaced by random ones (getrandom) */
	/* A second address, of the other family, on the same device (the tools' second
	 * --addr): IPv4 and IPv6 together. A --host-addr goes with the address of its
	 * family; --gw may be of either. Family SYNACK_AF_UNSPEC: none. */
	struct synack_ip addr2;
	uint8_t prefix2;
	struct synack_ip host_addr2;
	uint8_t host_prefix2;
};
void synack_rt_opts_defaults(struct synack_rt_opts *o);

/* A link the application supplies instead of a TUN or TAP the runtime opens: a VPN
 * client's tunnel, a socketpair, its own packet source. Either a descriptor that carries
 * one packet per read(2) and write(2) (a TUN device's with IFF_VNET_HDR: its offloads used,
 * segments of up to 64 KiB) (made non-blocking; it stays the application's and
 * is not closed by synack_rt_stop; end of file means the device is gone, as
 * synack_rt_status then says), or fd -1 and a
 * send callback, with received packets handed in by synack_rt_input. */
struct synack_rt_link {
	int fd;        /* >= 0: the packets' descriptor; -1: send and synack_rt_input */
	/* Called (from whichever thread the runtime runs in, with its lock held: do not call
	 * the runtime from it) for each outgoing packet; 0, or -errno to count it as a
	 * device error. */
	int (*send)(void *ctx, const void *pkt, size_t len);
	void *ctx;
	int ethernet;  /* 1: Ethernet frames (ARP runs, as on a TAP); 0: raw IP packets */
	size_t queue;  /* received packets synack_rt_input may queue (0: 1024) */
	const char *name; /* in traces and synack-ss; NULL: "app" */
};

/* Parses the common options out of argv, leaving the others (in order) for the tool:
 * on return *argc counts what is left, argv[0] stays (and argv[*argc] is NULL). Values
 * come as "--opt VALUE" or "--opt=VALUE" ("-w FILE" or "-wFILE"); nothing after "--" is
 * touched. Returns 0, or -1 with a one-line reason in why ("--addr: expected
 * A.B.C.D/LEN"). Checks that a device and --addr are given. */
int synack_rt_opts_parse(struct synack_rt_opts *o, int *argc, char **argv, char *why, size_t whylen);
/* The lines a tool's --help prints for these options. */
extern const char synack_rt_opts_help[];
/* The start of every tool's main: with --help or -h (before "--") prints head, the common
 * options and tail to standard output and exits 0; otherwise parses the common options as
 * synack_rt_opts_parse does and, on error, prints "prog: reason (try --help)" and exits 2. */
void synack_rt_tool_opts(struct synack_rt_opts *o, int *argc, char **argv, const char *prog, const char *head,
			 const char *tail);

/* Opens the device, configures it, starts the loop thread. NULL with a one-line reason in
 * why and errno saying which kind of failure: EINVAL (the options), EPERM (not allowed to
 * open or configure the device), EBUSY (the device is held), ENOMEM, or what the device,
 * the capture file or the system answered.
 * TAP devices run ARP with a random locally administered MAC (02:xx:xx:xx:xx:xx). Device
 * errors once running (link down, a write refused) are counted, never fatal; a device that
 * disappears is reported by synack_rt_status. */
synack_rt *synack_rt_start(const struct synack_rt_opts *o, char *why, size_t whylen);
/* Without a loop thread (o.no_thread): a descriptor that becomes readable when the
 * runtime has work (a packet on the device, a timer due, a call that needs a round); put
 * it in the application's poll/epoll/libuv/libevent loop and, when it is readable, call
 * synack_rt_run_once. -1/EINVAL for a runtime with its own thread. Blocking calls still
 * work: they run the rounds themselves while they wait (in the calling thread). */
int synack_rt_fd(synack_rt *rt);
/* Does what is due now without blocking (reads the device, runs timers, serves the
 * control socket, wakes blocked callers) and re-arms the descriptor. Returns 1 when an
 * epoll set (synack_rt_epoll_*) may have sockets ready (call synack_rt_epoll_wait with
 * timeout 0: news found by the round does not make the descriptor readable again; news
 * from other calls does), 0 when none has, or -1 with errno (EINVAL: not a runtime
 * without thread; ESHUTDOWN: stopping). */
int synack_rt_run_once(synack_rt *rt);

/* A packet (one IP packet, or an Ethernet frame on an ethernet link) received on a
 * callback link: queued for the runtime's next round; safe from any thread. 0, or -1 with
 * errno ENOBUFS (the queue is full: dropped), EMSGSIZE (over the MTU and a link header),
 * EINVAL (not a callback link), ENOMEM. */
int synack_rt_input(synack_rt *rt, const void *pkt, size_t len);

/* Stops the loop and frees everything. Open connections are dropped without a word:
 * close them first (and let them finish) for a graceful end. Calls blocked in the runtime
 * return -1 with errno ESHUTDOWN, and stop returns once every call has left; no call may
 * start after stop returns. */
void synack_rt_stop(synack_rt *rt);
/* Waits until no connection is left closing (FIN exchanges done, TIME-WAIT excepted), or
 * timeout_ms passes (-1: no limit). Returns 0, or -1 with errno ETIMEDOUT, ESHUTDOWN (the
 * runtime is stopping) or ENETDOWN (the device is gone: no FIN exchange can end). */
int synack_rt_drain(synack_rt *rt, int timeout_ms);

/* Whether the runtime can still do its work: 0 while it can; -1 with errno ENODEV once
 * its device is gone (the TUN/TAP interface deleted, the descriptor of a supplied link
 * closed or its other end gone), and a one-line reason in why ("tun0: the device is
 * gone"). From then on the device is not used any more, and a call that waits or would
 * wait (accept, connect, read, write, poll, epoll_wait) returns -1 with errno ENETDOWN,
 * as Linux reports a pending socket error: once per socket (per poll set, per epoll set),
 * so that a loop that retries on errors does not spin, and waits as before after that;
 * synack_rt_drain returns ENETDOWN at once (no FIN exchange can end). What is already
 * queued can still be read. Stop the runtime (and start a new one on a new device). Any
 * thread; never blocks. */
int synack_rt_status(synack_rt *rt, char *why, size_t whylen);

/* Runs fn(ctx, stack) with the stack locked: for the native API, counters, listings. Create
 * and close sockets with the synack_rt_ calls, not here: the runtime keeps its own record
 * of each handle (blocking mode, timeouts, who waits on it). */
void synack_rt_with_stack(synack_rt *rt, void (*fn)(void *ctx, synack_stack *st), void *ctx);
/* The control socket's path ("" when none). */
const char *synack_rt_control_path(const synack_rt *rt);
/* Where control sockets live: $SYNACK_RUN_DIR, else /tmp/synack-UID. */
const char *synack_rt_run_dir(char *buf, size_t len);

/* ---- POSIX-style sockets ----
 * Blocking calls wait for the socket (SO_RCVTIMEO bounds read/recv/accept, SO_SNDTIMEO
 * write/send/connect: EAGAIN when it runs out, EINPROGRESS for connect). A blocking write
 * returns once everything is queued (or with the count queued before an error or timeout).
 * Closing or shutting down a handle wakes the threads blocked on it: after close they
 * return EBADF, after shutdown they see the end of stream / EPIPE. connect follows Linux:
 * EINPROGRESS, then EALREADY while in progress, 0 from the first call after a non-blocking
 * connect completed, then EISCONN; a failure is returned by the next connect or SO_ERROR.
 * Writing after shutdown(SHUT_WR) or the peer's reset gives EPIPE (the reset itself is
 * reported once as ECONNRESET); there is no SIGPIPE, as handles are not file descriptors. */
/* As socket(2): domain AF_INET or AF_INET6 (dual-stack unless IPV6_V6ONLY, as Linux);
 * type SOCK_STREAM or SOCK_DGRAM, optionally | SOCK_NONBLOCK; protocol 0 or the matching
 * IPPROTO_TCP/IPPROTO_UDP. Addresses are struct sockaddr_in or struct sockaddr_in6, as the
 * domain. */
int synack_rt_socket(synack_rt *rt, int domain, int type, int protocol);
int synack_rt_bind(synack_rt *rt, int s, const struct sockaddr *a, socklen_t len);
int synack_rt_listen(synack_rt *rt, int s, int backlog);
int synack_rt_accept(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len);
/* As accept4(2): flags SOCK_NONBLOCK (the new socket does not block: what a loop that
 * serves sets of sockets wants) and SOCK_CLOEXEC (accepted and ignored: handles are not
 * descriptors); anything else is EINVAL. */
int synack_rt_accept4(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len, int flags);
int synack_rt_connect(synack_rt *rt, int s, const struct sockaddr *a, socklen_t len);
ssize_t synack_rt_read(synack_rt *rt, int s, void *buf, size_t len);
ssize_t synack_rt_write(synack_rt *rt, int s, const void *buf, size_t len);
/* flags: MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL (recv), MSG_TRUNC (recv, datagrams). */
ssize_t synack_rt_send(synack_rt *rt, int s, const void *buf, size_t len, int flags);
ssize_t synack_rt_recv(synack_rt *rt, int s, void *buf, size_t len, int flags);
ssize_t synack_rt_sendto(synack_rt *rt, int s, const void *buf, size_t len, int flags,
			 const struct sockaddr *to, socklen_t tolen);
ssize_t synack_rt_recvfrom(synack_rt *rt, int s, void *buf, size_t len, int flags,
			   struct sockaddr *from, socklen_t *fromlen);
int synack_rt_shutdown(synack_rt *rt, int s, int how); /* SHUT_RD, SHUT_WR, SHUT_RDWR */
int synack_rt_close(synack_rt *rt, int s);
/* SOL_SOCKET: SO_REUSEADDR, SO_ERROR, SO_KEEPALIVE, SO_LINGER, SO_RCVTIMEO, SO_SNDTIMEO,
 * SO_TYPE, SO_SNDBUF, SO_RCVBUF; IPPROTO_TCP: TCP_NODELAY, TCP_MAXSEG, TCP_KEEPIDLE,
 * TCP_KEEPINTVL, TCP_KEEPCNT, TCP_INFO (struct synack_tcp_info), TCP_CONGESTION. */
int synack_rt_setsockopt(synack_rt *rt, int s, int level, int name, const void *val, socklen_t len);
int synack_rt_getsockopt(synack_rt *rt, int s, int level, int name, void *val, socklen_t *len);
int synack_rt_getsockname(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len);
int synack_rt_getpeername(synack_rt *rt, int s, struct sockaddr *a, socklen_t *len);
int synack_rt_set_nonblock(synack_rt *rt, int s, int on);
/* poll(2) over synack sockets: fds[i].fd are synack sockets (negative ones are skipped),
 * events/revents use POLLIN, POLLOUT, POLLERR, POLLHUP, POLLRDHUP (and the RDNORM/WRNORM
 * aliases); a handle that is not open gives POLLNVAL. timeout_ms -1 waits forever. Returns
 * the number of ready entries, 0 on timeout. */
int synack_rt_poll(synack_rt *rt, struct pollfd *fds, nfds_t n, int timeout_ms);

/* epoll(7) over synack sockets, for many sockets: a wait costs in proportion to the ready
 * ones. Sets are numbered in their own space (not kernel descriptors), and a socket may be
 * in several. Interest: EPOLLIN, EPOLLOUT, EPOLLRDHUP (EPOLLERR and EPOLLHUP always), with
 * EPOLLET for edge triggering (read or write until EAGAIN before the next report) and
 * EPOLLONESHOT (disarmed after one report until EPOLL_CTL_MOD); data is returned as given.
 * Closing a socket removes it from every set. Errors as epoll's: EBADF (a set or socket
 * not open), EEXIST, ENOENT, EINVAL (op, events or max), ENOMEM. epoll_wait blocks up to
 * timeout_ms (-1: no limit, 0: never); on a runtime without thread it runs rounds while it
 * waits, and with timeout 0 it fits the application's loop after synack_rt_run_once. */
int synack_rt_epoll_create(synack_rt *rt);
int synack_rt_epoll_ctl(synack_rt *rt, int ep, int op, int s, struct epoll_event *ev);
int synack_rt_epoll_wait(synack_rt *rt, int ep, struct epoll_event *events, int max, int timeout_ms);
int synack_rt_epoll_close(synack_rt *rt, int ep);

#ifdef __cplusplus
}
#endif
#endif
