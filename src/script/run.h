/* Running a script: the executor (run.c) and the two backends it drives, synack in this
 * process on a virtual clock (be_synack.c) and the Linux kernel through a TUN device in a
 * network namespace of its own, in real time (be_kernel.c). */
#ifndef SK_SCRIPT_RUN_H
#define SK_SCRIPT_RUN_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "script/script.h"

/* ---- system calls as a backend executes them ---- */

enum sk_sys {
	SYS_SOCKET, SYS_BIND, SYS_LISTEN, SYS_ACCEPT, SYS_ACCEPT4, SYS_CONNECT,
	SYS_READ, SYS_READV, SYS_RECV, SYS_RECVFROM, SYS_RECVMSG,
	SYS_WRITE, SYS_WRITEV, SYS_SEND, SYS_SENDTO, SYS_SENDMSG,
	SYS_SHUTDOWN, SYS_CLOSE, SYS_GETSOCKOPT, SYS_SETSOCKOPT, SYS_GETSOCKNAME, SYS_GETPEERNAME,
	SYS_FCNTL, SYS_IOCTL, SYS_POLL,
	SYS_COUNT
};

#define SK_CALL_MAX_IOV 16
#define SK_CALL_MAX_POLL 16
#define SK_CALL_OPT_MAX 256

/* One call with every argument evaluated: descriptors are the backend's own (live) ones,
 * buffers are allocated by the executor. What each field means per call:
 *   socket      arg[0..2] = domain, type, protocol
 *   bind, connect  addr/addrlen (addr_null: a NULL pointer)
 *   listen      arg[0] = backlog
 *   accept, accept4, getsockname, getpeername  addr/addrlen receive the address (addr_null:
 *               NULL pointers); accept4: arg[0] = flags
 *   read, write, recv, send, recvfrom, sendto  buf/len; arg[0] = flags (recv*, send*);
 *               sendto/recvfrom addr (addr_null: none)
 *   readv, writev, sendmsg, recvmsg  iov/iovcnt; arg[0] = flags (msg calls); sendmsg/recvmsg
 *               addr as msg_name (addr_null: none)
 *   shutdown    arg[0] = how
 *   setsockopt, getsockopt  arg[0] = level, arg[1] = name, opt/optlen (opt_null: NULL value,
 *               getsockopt: optlen is in/out)
 *   fcntl       arg[0] = cmd, arg[1] = the int argument
 *   ioctl       arg[0] = request; ioval in/out (FIONREAD, SIOCOUTQ, FIONBIO)
 *   poll        pfd/npfd, arg[0] = timeout in ms
 * Results: ret (-1 on failure) and err (errno, 0 on success); outputs in place. t_end is when
 * it returned (µs of script time). */
struct sk_call {
	enum sk_sys sys;
	int fd;
	long arg[3];
	uint8_t *buf;
	size_t len;
	struct iovec iov[SK_CALL_MAX_IOV];
	int iovcnt;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int addr_null;
	uint8_t opt[SK_CALL_OPT_MAX];
	socklen_t optlen;
	int opt_null;
	int ioval;
	struct pollfd pfd[SK_CALL_MAX_POLL];
	int npfd;
	int msg_flags;        /* recvmsg: msg_flags on return */
	long ret;
	int err;
	uint64_t t_end;
	void *be_state;       /* the backend's, while the call is pending */
};

/* ---- backends ---- */

/* The network a script runs on (from its options). Addresses in network byte order. The
 * wire is IPv4 (--ip_version=ipv4 and ipv4-mapped-ipv6) or IPv6 (--ip_version=ipv6, v6 = 1):
 * a backend gives the system under test the one address of that family. */
struct sk_run_net {
	struct in_addr local, remote; /* --local_ip (default 192.0.2.2), --remote_ip (192.0.2.1,
				       * packetdrill's default remote) */
	uint8_t prefix;               /* of local's subnet (24); remote may lie outside it */
	uint32_t mtu;                 /* --mtu, default 1500 (as packetdrill, for IPv6 too) */
	int v6;                       /* IPv6 on the wire: the three below instead of the above */
	struct in6_addr local6, remote6; /* --local_ip (default 2001:db8::2), --remote_ip
					  * (2001:db8::1) */
	uint8_t prefix6;              /* of local6's subnet (64); remote6 may lie outside it */
};

struct sk_backend;
struct sk_backend_ops {
	const char *name; /* "synack", "linux" */
	/* Creates the network (the stack and its address, or namespace, TUN and address).
	 * 0, or -1 with a one-line reason. */
	int (*open)(struct sk_backend *b, const struct sk_run_net *net, char *why, size_t whylen);
	/* Applies one sysctl (Linux name such as "net.ipv4.tcp_sack", value as written).
	 * 0, or -1 with a one-line reason. */
	int (*sysctl)(struct sk_backend *b, const char *name, const char *value, char *why, size_t whylen);
	/* µs since the script's time 0 (the first call of now() starts it at 0). */
	uint64_t (*now)(struct sk_backend *b);
	/* Lets time run until `until` (script µs), returning early as soon as an outbound
	 * packet is waiting or a pending call has completed. */
	void (*wait)(struct sk_backend *b, uint64_t until);
	/* Hands one IP packet (IPv4 or IPv6, checksums filled in) to the system under test. 0 or
	 * -errno. */
	int (*inject)(struct sk_backend *b, const uint8_t *pkt, size_t len);
	/* Takes the oldest outbound IP packet (IPv4 or IPv6): its length (0 when none is waiting)
	 * and the time it left in *t. */
	size_t (*sniff)(struct sk_backend *b, uint8_t *buf, size_t cap, uint64_t *t);
	/* Starts a call. Returns 1 when it has completed (ret, err, outputs, t_end filled), 0 if it
	 * is blocked: it goes on in the background and call_done says when it completes. One
	 * call at a time may be blocked. */
	int (*call)(struct sk_backend *b, struct sk_call *c);
	/* 1 once a blocked call has completed (results filled as call does). */
	int (*call_done)(struct sk_backend *b, struct sk_call *c);
	/* Linux's struct tcp_info of a live descriptor (for code blocks): 0 or -errno. */
	int (*tcp_info)(struct sk_backend *b, int fd, struct tcp_info *out);
	/* Ends everything (connections are dropped, the namespace goes away). */
	void (*close)(struct sk_backend *b);
};

struct sk_backend {
	const struct sk_backend_ops *ops;
	void *priv;
};

/* The in-process backend: a synack stack on a virtual clock. */
struct sk_backend *sk_be_synack_new(void);
/* The Linux kernel in a network namespace of its own. Creates the namespace in the calling
 * process (unshare), so run it in a child process per script. NULL with a reason (not root,
 * no /dev/net/tun). */
struct sk_backend *sk_be_kernel_new(char *why, size_t whylen);

/* ---- running ---- */

struct sk_run_opts {
	FILE *log;          /* every packet and call as it happens (-v), or NULL */
	int verbose;
	/* Options from outside the script (packetdrill's command line; a folder's VARIANTS
	 * line), taken before the script's own, which win where both set one. */
	const struct sk_sopt *extra;
	int nextra;
};

/* Outcome of one script. */
enum sk_run_result { SK_RUN_PASS = 0, SK_RUN_FAIL = 1, SK_RUN_ERROR = 2 /* could not run it */ };

/* Runs a parsed script on a backend that is not yet open. On failure `why` holds
 * "PATH:LINE: reason" (expected vs seen, with times). */
enum sk_run_result sk_run_script(const struct sk_script *s, struct sk_backend *b, const struct sk_run_opts *o,
				 char *why, size_t whylen);

#endif
