/* What a preloaded program (src/run/shim.c) and synack-run's relay (src/run/relay.c) say to
 * each other: requests on a control connection, and the records a listener's or a UDP
 * socket's descriptor carries.
 *
 * Every socket a program opens on synack is a kernel descriptor of the program's own: one
 * end of an AF_UNIX socket pair whose other end the relay holds and joins to a synack socket.
 * Bytes of a TCP connection flow through the pair as they are; a UDP socket's pair
 * (SOCK_SEQPACKET) carries one datagram per message, behind a struct sk_run_dgram; a
 * listener's carries one struct sk_run_accept per connection, with the connection's own
 * descriptor attached (SCM_RIGHTS). So read, write, poll, select, epoll, sendfile, fork,
 * dup and exec work on them as on any descriptor, and only the calls that name addresses
 * or options go to the relay. The program's end is bound to an abstract name that says
 * which socket it is (SK_RUN_NAME "<relay pid>.<id>.<t|u>"), so a process that inherits it
 * across exec finds it again. */
#ifndef SK_RUN_PROTO_H
#define SK_RUN_PROTO_H

#include <stdint.h>

/* The abstract name of the relay's control socket (without the leading NUL). */
#define SK_RUN_ENV "SYNACK_RUN_SOCKET"
#define SK_RUN_NAME "synack-run."

enum sk_run_op {
	SK_RUN_SOCKET = 1, /* a: domain, b: type (without flags), c: protocol; the reply
			    * carries the program's end (SCM_RIGHTS) and the id */
	SK_RUN_BIND,       /* data: the address */
	SK_RUN_LISTEN,     /* a: backlog */
	SK_RUN_CONNECT,    /* data: the address; a: 1 if the descriptor is non-blocking */
	SK_RUN_GETSOCKNAME,
	SK_RUN_GETPEERNAME,
	SK_RUN_SETSOCKOPT, /* a: level, b: name, data: the value */
	SK_RUN_GETSOCKOPT, /* a: level, b: name, len: room for the value */
	SK_RUN_DESCRIBE,   /* the reply's a: 1 TCP, 2 TCP listener, 3 UDP (after exec) */
	SK_RUN_TAKE_ERROR, /* a TCP socket's pending error (a reset, a timeout), taken: the
			    * pair can only say end of file or EPIPE, Linux says ECONNRESET once */
};

#define SK_RUN_DATA 256

struct sk_run_req {
	uint32_t op;
	uint32_t id; /* the socket, from SK_RUN_SOCKET's reply */
	int32_t a, b, c;
	uint32_t len;
	uint8_t data[SK_RUN_DATA];
};

struct sk_run_rep {
	int32_t ret; /* 0 or more, or -errno */
	uint32_t id;
	int32_t a;
	uint32_t len;
	uint8_t data[SK_RUN_DATA];
};

/* The kinds a program's table keeps per descriptor. */
enum { SK_RUN_NONE, SK_RUN_TCP, SK_RUN_LISTENER, SK_RUN_UDP };

/* One accepted connection on a listener's descriptor (with its descriptor attached). */
struct sk_run_accept {
	uint32_t id;
	uint32_t peer_len;
	uint8_t peer[28]; /* struct sockaddr_in or sockaddr_in6, as the listener's family */
	uint8_t pad[28];
};

/* The header of each datagram on a UDP socket's descriptor: from the program, where to
 * (len 0: the connected peer); to the program, where from. */
struct sk_run_dgram {
	uint32_t len;
	uint8_t addr[28];
};

#endif
