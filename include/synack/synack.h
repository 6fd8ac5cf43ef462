/* synack public API: a sans-I/O TCP/IP stack object and the native socket calls on it.
 *
 * The stack never reads a clock, sleeps or touches a device. The caller drives it:
 *   synack_input(stack, packet, len, now)   a received IP packet (IPv4 or IPv6)
 *   synack_poll(stack, now)                 run due timers (they may send)
 *   synack_next_deadline(stack)             when to call synack_poll next
 * and it sends through the output function of the address the packet leaves from. Time is
 * microseconds on any monotonic scale the caller likes (a simulation starts at 0).
 *
 * Sockets are small integer handles. Every call is non-blocking; a blocking, thread-safe
 * POSIX layer sits above this one. Errors are negative errno values (-EAGAIN, -ECONNREFUSED,
 * ...).
 *
 * Byte order, one convention for the whole API (this header and synack/rt.h): an IP
 * address is never an integer but its bytes in network order, as on the wire and in
 * struct in_addr / in6_addr (struct synack_ip); a port is a number, in host byte order, in
 * synack's own structures. Only struct sockaddr, which the runtime's POSIX calls take as
 * the kernel's do, carries the port in network order, as POSIX fixes it. */
#ifndef SYNACK_H
#define SYNACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <synack/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tunables, with Linux's defaults (synack_config_defaults). Times carry their unit. */
struct synack_config {
	uint8_t secret[16];          /* key of the ISN/cookie/table hashes; keep it secret.
				      * All zero (the default): synack_stack_new takes one
				      * from the system (getrandom) */
	uint64_t seed;               /* seeds the stack's PRNG (ephemeral ports, jitter); 0
				      * (the default): from the system too. Set both for a
				      * run that repeats (simulations do) */
	int tcp_syn_retries;         /* 5 */
	int tcp_synack_retries;      /* 5 */
	int tcp_retries2;            /* 15 */
	int tcp_orphan_retries;      /* 0, meaning 8 */
	uint32_t tcp_fin_timeout_ms; /* 60000 */
	uint32_t msl_ms;             /* 30000: TIME-WAIT lasts 2 * MSL */
	uint32_t tcp_max_tw_buckets; /* 262144 */
	int tcp_tw_reuse;            /* 2: loopback only; 1: always; 0: never */
	int tcp_timestamps;          /* 1 */
	int tcp_sack;                /* 1 */
	int tcp_window_scaling;      /* 1 */
	int tcp_ecn;                 /* 2: ECN (RFC 3168) when the peer asks for it, as Linux;
				      * 1: asked for too; 0: never */
	int tcp_syncookies;          /* 1: when the SYN queue is full; 2: always; 0: never */
	uint32_t tcp_max_syn_backlog; /* 1024 */
	uint32_t somaxconn;          /* 4096 */
	int tcp_abort_on_overflow;   /* 0 */
	uint32_t tcp_keepalive_time_s;  /* 7200 */
	uint32_t tcp_keepalive_intvl_s; /* 75 */
	int tcp_keepalive_probes;    /* 9 */
	uint16_t ip_local_port_range[2]; /* 32768, 60999 */
	uint32_t tcp_rmem[3];        /* 4096 131072 33554432 (Linux 6.x) */
	uint32_t tcp_wmem[3];        /* 4096 16384 4194304 */
	uint32_t tcp_init_cwnd;      /* 10 segments */
	uint32_t tcp_rto_min_ms;     /* 200 */
	int tcp_rto_var_floor;       /* 1: rto_min bounds the variance term, RTO = SRTT +
				      * max(4 RTTVAR, rto_min), as Linux; 0: it bounds the RTO,
				      * max(SRTT + 4 RTTVAR, rto_min), as RFC 6298 2.4 reads */
	uint32_t tcp_rto_initial_ms; /* 1000 */
	uint32_t tcp_rto_max_ms;     /* 120000 */
	uint32_t tcp_delack_max_ms;  /* 200 */
	uint32_t tcp_delack_min_ms;  /* 40 */
	int tcp_nagle_minshall;      /* 1: a small segment waits only while an earlier small
				      * one is unacknowledged (Minshall's Nagle, as Linux); 0:
				      * while any data is (RFC 1122 4.2.3.4) */
	int tcp_ack_read_wait;       /* 1: the ACK for every second full segment waits for the
				      * application's read while the window it would offer is
				      * smaller than the last (unread data), and the window grows
				      * as data arrives into a buffer autotuning enlarged, each
				      * segment that moves it acked at once, as Linux's
				      * rcv_ssthresh; 0: it goes at once (RFC 5681 4.2's SHOULD)
				      * and the window is all the free buffer */
	uint32_t tcp_quickack_max;   /* 16: ACKs a connection sends at once when data starts
				      * (Linux's TCP_MAX_QUICKACKS; fewer for a small window) */
	int tcp_recovery;            /* 1: RACK loss detection (RFC 8985) on SACK connections;
				      * 0: duplicate ACKs (RFC 6675) */
	int tcp_early_retrans;       /* 3: tail-loss probes (RFC 8985 7); 0: none */
	uint32_t tcp_invalid_ratelimit_ms; /* 500: min gap between challenge ACKs per connection */
	uint32_t tcp_challenge_ack_limit;  /* challenge ACKs per second per stack; INT_MAX (no
					    * limit) as Linux 6.x: a stack-wide count is a side
					    * channel (CVE-2016-5696) */
	uint8_t ip_default_ttl;      /* 64 */
	char tcp_congestion_control[16]; /* "cubic" */
	uint32_t max_sockets;        /* 0 = no cap but memory */
	uint32_t core_rmem_max;      /* 212992: the most SO_RCVBUF may ask (net.core.rmem_max) */
	uint32_t core_wmem_max;      /* 212992: the most SO_SNDBUF may ask (net.core.wmem_max) */
};

void synack_config_defaults(struct synack_config *c);

typedef struct synack_stack synack_stack;

/* A stack with the given tunables (NULL: the defaults). NULL on error, with *err (when
 * err is not NULL) -EINVAL for a bad tunable, -ENOMEM, or getrandom's error when the
 * secret or seed is left to the system and it has no entropy to give. */
synack_stack *synack_stack_new(const struct synack_config *c, int *err);
void synack_stack_free(synack_stack *s);

/* ---- Addresses ---- */

/* Address families, with Linux's AF_ values so a POSIX shim passes them through. */
enum { SYNACK_AF_UNSPEC = 0, SYNACK_AF_INET = 2, SYNACK_AF_INET6 = 10 };

/* An IP address: SYNACK_AF_INET uses bytes[0..3] (the rest is zero), SYNACK_AF_INET6 all
 * 16; network byte order. A zeroed struct is no address (family SYNACK_AF_UNSPEC). */
struct synack_ip {
	uint16_t family;
	uint8_t bytes[16];
};

/* An address and a port: what bind, connect, accept and the names of a socket use. */
struct synack_sockaddr {
	struct synack_ip ip;
	uint16_t port;     /* host byte order */
	uint32_t scope_id; /* IPv6 link-local addresses: the link; 0 otherwise */
};

/* The IPv4 address a.b.c.d, and it with a port: synack_sa4(192, 0, 2, 1, 80). */
static inline struct synack_ip synack_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct synack_ip ip = {SYNACK_AF_INET, {a, b, c, d}};
	return ip;
}
static inline struct synack_sockaddr synack_sa4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct synack_sockaddr sa = {synack_ip4(a, b, c, d), port, 0};
	return sa;
}
/* Any address of the family, with a port: what a listener binds. */
static inline struct synack_sockaddr synack_sa_any(uint16_t family, uint16_t port)
{
	struct synack_sockaddr sa = {{family, {0}}, port, 0};
	return sa;
}

/* Longest text synack_ip_format writes, with its NUL (INET6_ADDRSTRLEN). */
#define SYNACK_IP_STRLEN 46
/* Parses "192.0.2.1" (SYNACK_AF_INET) or an IPv6 address in any form inet_pton(3) takes
 * (SYNACK_AF_INET6). Returns 0, or -EINVAL (out untouched). */
int synack_ip_parse(const char *text, struct synack_ip *out);
/* Parses "ADDRESS/LEN" (IPv4 or IPv6, as synack_ip_parse) with a prefix length of at
 * most 32 or 128: 0, or -EINVAL (out and prefix untouched). */
int synack_ip_parse_prefix(const char *text, struct synack_ip *out, uint8_t *prefix);
/* Writes ip as inet_ntop(3) does (IPv6 in RFC 5952's form) into buf; returns buf, or
 * NULL when len is too short or the family unknown (errno-free: nothing else fails). */
const char *synack_ip_format(const struct synack_ip *ip, char *buf, size_t len);
/* Longest text synack_sa_format writes, with its NUL ("[IPv6]:65535"). */
#define SYNACK_SA_STRLEN (SYNACK_IP_STRLEN + 8)
/* Writes a as "192.0.2.1:80" or "[2001:db8::1]:80" into buf; returns buf, or NULL as
 * synack_ip_format. */
const char *synack_sa_format(const struct synack_sockaddr *a, char *buf, size_t len);
/* 1 when a and b are the same address of the same family, else 0. */
int synack_ip_equal(const struct synack_ip *a, const struct synack_ip *b);

/* Sends one IP packet. Returns 0 or -errno (the packet is then counted as dropped). */
typedef int (*synack_output_fn)(void *ctx, const uint8_t *pkt, size_t len, uint64_t now);

/* Gives the stack an address on a link of the given MTU; packets to the prefix (and, for
 * now, everywhere else of the family) leave through out(ctx, ...). Returns an address id
 * or -errno: -EINVAL for a prefix longer than the family's, no family, an IPv6 address
 * that is not unicast (unspecified, loopback, multicast, IPv4-mapped) or an IPv6 link
 * under 1280 bytes; -EEXIST for an address the stack has; -ENOSPC past 8 addresses. */
int synack_add_addr(synack_stack *s, const struct synack_ip *addr, uint8_t prefix_len, uint32_t mtu,
		    synack_output_fn out, void *ctx);

/* The link of address id (from synack_add_addr) cuts TCP segments at the MSS itself (TSO,
 * as a TUN with offloads does): TCP may hand it IP packets of up to max_len bytes. 0
 * turns it off. Returns 0 or -EINVAL. */
int synack_set_gso(synack_stack *s, int addr_id, uint32_t max_len);
/* The link of address id completes the checksums of the TCP segments it is handed (as a
 * TUN with offloads does, given the checksum's place): TCP then leaves the sum of its
 * bytes to it and sends each segment with only the pseudo-header's sum, folded, in the
 * checksum field (a partial checksum: complete it by summing from the TCP header to the
 * end and storing the complement at offset 16 of that header). on 0 turns it off (every
 * segment leaves with its checksum complete: the default). Returns 0 or -EINVAL. */
int synack_set_csum_offload(synack_stack *s, int addr_id, int on);
/* Scatter-gather output for address id, beside its out function: a TCP segment carrying
 * data over a link that completes checksums (synack_set_csum_offload) reaches it as its
 * headers (IP and TCP: hdr, hlen bytes) and its payload in n pieces (at most 2) read
 * straight out of the send buffer, never copied into a packet first; the packet is hdr
 * followed by the pieces, and its IP length counts them all. Everything else still goes
 * through out. The pieces are valid only during the call; ctx is the address's. out_sg NULL
 * turns it off (the default). Returns 0 or -EINVAL. */
typedef int (*synack_output_sg_fn)(void *ctx, const uint8_t *hdr, size_t hlen, const struct iovec *payload, int n,
				   uint64_t now);
int synack_set_output_sg(synack_stack *s, int addr_id, synack_output_sg_fn out_sg);

void synack_input(synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now);
/* synack_input for a packet whose TCP or UDP checksum the link vouches for: one it has
 * verified, or one the host itself made and handed over with its checksum partial (a TUN
 * with offloads, as Linux's CHECKSUM_PARTIAL: the field may hold only the pseudo-header's
 * sum). The stack does not sum it again. The IP header's checksum is still checked, and a
 * fragment's datagram is verified whole, as the link vouched for none of it. */
void synack_input_verified(synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now);
/* n packets the link read in one go: each as synack_input, or as synack_input_verified
 * where verified[i] is set (verified may be NULL). What the batch's segments owe only as a
 * plain acknowledgement (every second full segment, the quick ACKs of a connection's start)
 * goes once per connection at the end of the batch, covering all of them, as Linux's GRO
 * makes one segment of what a device read in one poll; ACKs owed at once for a reason
 * (out-of-order data, a duplicate, a window update) and data go as they would. */
void synack_input_batch(synack_stack *s, const uint8_t *const *pkts, const size_t *lens, const uint8_t *verified,
			size_t n, uint64_t now);
void synack_poll(synack_stack *s, uint64_t now);
/* The earliest time synack_poll has work; UINT64_MAX if none. Never later than needed. */
uint64_t synack_next_deadline(const synack_stack *s);

/* ---- Sockets ---- */

enum { SYNACK_SOCK_STREAM = 1, SYNACK_SOCK_DGRAM = 2 };
enum { SYNACK_SHUT_RD = 0, SYNACK_SHUT_WR = 1, SYNACK_SHUT_RDWR = 2 };

/* A socket of a family (SYNACK_AF_INET, or SYNACK_AF_INET6: dual-stack, IPv4 peers as
 * IPv4-mapped addresses, unless SYNACK_IPV6_V6ONLY) and a type. Addresses given to it later
 * must be of its family (-EAFNOSUPPORT). */
int synack_socket(synack_stack *s, int family, int type);
int synack_bind(synack_stack *s, int sock, const struct synack_sockaddr *a);
int synack_listen(synack_stack *s, int sock, int backlog);
/* A connection that completed its handshake, or -EAGAIN. */
int synack_accept(synack_stack *s, int sock, struct synack_sockaddr *peer);
/* Starts the handshake: -EINPROGRESS; completion shows as writability (SYNACK_EV_OUT) or
 * an error (SYNACK_EV_ERR, read it with SO_ERROR). */
int synack_connect(synack_stack *s, int sock, const struct synack_sockaddr *a);
ssize_t synack_send(synack_stack *s, int sock, const void *buf, size_t len, int flags);
/* Bytes read, 0 at end of stream, or -errno (-EAGAIN when nothing is there yet). */
ssize_t synack_recv(synack_stack *s, int sock, void *buf, size_t len, int flags);
/* Datagram sockets (UDP-1): one datagram per call, boundaries kept. to may be NULL on a
 * connected socket; a datagram longer than len is cut (the rest is lost, as recvfrom(2)
 * does) and SYNACK_MSG_TRUNC in flags makes the call return the full length. On a stream
 * socket these are send/recv (to and from are ignored / filled with the peer). */
/* send without a copy of the caller's: for a relay that reads its data from elsewhere (a
 * socket, a file) straight into the stream socket's send buffer. fill is called with
 * free room in the buffer (up to len bytes in all; twice when the room wraps), writes
 * there and returns how many bytes it wrote (fewer when it has no more now; 0 for none),
 * or a negative errno. Returns the bytes queued (sent as send would), 0 when fill gave
 * none, fill's error when it gave none, or send's errors (-EAGAIN: the buffer is full,
 * fill not called; -EPIPE, -ENOTCONN, ...); -EOPNOTSUPP for a datagram socket. fill must
 * not call the stack. */
ssize_t synack_send_fill(synack_stack *s, int sock, size_t len, ssize_t (*fill)(void *ctx, void *buf, size_t len),
			 void *ctx);
/* recv without a copy of the caller's: drain is handed the stream socket's received bytes
 * in place (up to len in all; in two pieces when they wrap round the buffer's end) and
 * returns how many it took (fewer when it can take no more now: a relay's other socket is
 * full) or a negative errno. Returns the bytes taken (gone from the buffer, as recv's
 * are), drain's error when it took none, 0 at end of file, or recv's errors (-EAGAIN:
 * nothing to read, drain not called; a pending connection error); -EOPNOTSUPP for a
 * datagram socket. drain must not call the stack. */
ssize_t synack_recv_drain(synack_stack *s, int sock, size_t len,
			  ssize_t (*drain)(void *ctx, const void *buf, size_t len), void *ctx);
ssize_t synack_sendto(synack_stack *s, int sock, const void *buf, size_t len, int flags,
		      const struct synack_sockaddr *to);
ssize_t synack_recvfrom(synack_stack *s, int sock, void *buf, size_t len, int flags,
			struct synack_sockaddr *from);
/* SYNACK_MSG_MORE (send on a stream): more data follows at once; a partial segment waits
 * for it, as under TCP_CORK, for this call only (send(2)'s MSG_MORE). */
enum { SYNACK_MSG_PEEK = 0x2, SYNACK_MSG_TRUNC = 0x20, SYNACK_MSG_MORE = 0x8000 };
int synack_shutdown(synack_stack *s, int sock, int how);
int synack_close(synack_stack *s, int sock);
int synack_getsockname(synack_stack *s, int sock, struct synack_sockaddr *a);
int synack_getpeername(synack_stack *s, int sock, struct synack_sockaddr *a);

/* Option levels and names (values as on Linux, so a POSIX shim can pass them through). */
enum { SYNACK_SOL_SOCKET = 1, SYNACK_IPPROTO_TCP = 6, SYNACK_IPPROTO_UDP = 17, SYNACK_IPPROTO_IPV6 = 41 };
enum {
	SYNACK_SO_REUSEADDR = 2,
	SYNACK_SO_ERROR = 4,
	SYNACK_SO_KEEPALIVE = 9,
	SYNACK_SO_LINGER = 13,
	SYNACK_SO_SNDBUF = 7,
	SYNACK_SO_RCVBUF = 8,
	SYNACK_SO_TYPE = 3,
	SYNACK_SO_ACCEPTCONN = 30,
	SYNACK_SO_PROTOCOL = 38,
	SYNACK_SO_DOMAIN = 39,
	SYNACK_TCP_NODELAY = 1,
	SYNACK_TCP_MAXSEG = 2,
	SYNACK_TCP_KEEPIDLE = 4,
	SYNACK_TCP_KEEPINTVL = 5,
	SYNACK_TCP_KEEPCNT = 6,
	SYNACK_TCP_INFO = 11,
	SYNACK_TCP_CORK = 3,
	SYNACK_TCP_CONGESTION = 13,
	SYNACK_TCP_USER_TIMEOUT = 18,
	SYNACK_IPV6_V6ONLY = 26, /* an AF_INET6 socket takes no IPv4 (default 0: dual-stack) */
};
struct synack_linger {
	int l_onoff;
	int l_linger;
};
int synack_setsockopt(synack_stack *s, int sock, int level, int name, const void *val, size_t len);
int synack_getsockopt(synack_stack *s, int sock, int level, int name, void *val, size_t *len);

/* Readiness, as poll(2) events. */
enum {
	SYNACK_EV_IN = 0x001,
	SYNACK_EV_OUT = 0x004,
	SYNACK_EV_ERR = 0x008,
	SYNACK_EV_HUP = 0x010,
	SYNACK_EV_RDHUP = 0x2000,
	SYNACK_EV_SENT = 0x10000, /* no poll(2) event: everything sent, the FIN included, is
				   * acknowledged, or the connection is gone (SO_LINGER waits
				   * for it) */
};
/* The SYNACK_EV_* mask, or -EBADF. */
int synack_events(synack_stack *s, int sock);

/* Readiness without scanning: which sockets became readable, writable, or failed since the
 * last call. Fills out[] with up to max sockets whose SYNACK_EV_* mask gained an event
 * since it was last reported (events: the whole mask now) and returns how many, or
 * -EINVAL; sockets beyond max wait for the next call. The work is in proportion to the
 * sockets something happened to, not to the sockets open. Edge-triggered: a reported
 * event is reported again only once a call on that socket found it gone (recv, recvfrom
 * or accept returning -EAGAIN re-arms SYNACK_EV_IN; send or sendto -EAGAIN re-arms
 * SYNACK_EV_OUT; connect's -EINPROGRESS re-arms everything; reading SO_ERROR re-arms
 * SYNACK_EV_ERR), so read and write until -EAGAIN. A new socket (socket, accept) starts
 * with nothing reported: try it once. The first call looks at every open socket (once:
 * nothing is recorded before it, so a caller that never asks pays nothing). */
struct synack_ready_event {
	int sock;
	int events;
};
int synack_ready(synack_stack *s, struct synack_ready_event *out, int max);

/* ---- Observability ---- */

/* Every socket and connection record, for ss-like listings: open sockets (TCP and UDP),
 * orphaned connections still closing, half-open (SYN-RCVD) and TIME-WAIT records. */
struct synack_tcp_info;
struct synack_sock_entry {
	int sock;           /* handle, or -1 for a record no socket owns */
	int type;           /* SYNACK_SOCK_STREAM or SYNACK_SOCK_DGRAM */
	int state;          /* enum synack_tcp_state; UDP: CLOSED, or ESTABLISHED if connected */
	struct synack_sockaddr local, remote;
	uint32_t recv_q, send_q; /* bytes queued; for a listener: accept queue length and backlog */
	const char *timer;  /* "on" (retransmission), "persist", "keepalive", "timewait", or NULL */
	uint64_t timer_at;  /* when it fires (stack time, us) */
	uint32_t retrans;   /* consecutive timeouts */
	const struct synack_tcp_info *info; /* TCP connections with a full TCB, else NULL */
};
typedef void (*synack_sock_fn)(void *ctx, const struct synack_sock_entry *e);
void synack_sock_foreach(synack_stack *s, synack_sock_fn fn, void *ctx);

enum synack_tcp_state {
	SYNACK_CLOSED, SYNACK_LISTEN, SYNACK_SYN_SENT, SYNACK_SYN_RCVD, SYNACK_ESTABLISHED,
	SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT, SYNACK_CLOSING,
	SYNACK_LAST_ACK, SYNACK_TIME_WAIT,
};
/* "SYN-SENT", "TIME-WAIT", ... as RFC 9293 writes them. */
const char *synack_state_name(int state);

enum synack_event_type {
	SYNACK_EVENT_STATE,  /* a connection changed state */
	SYNACK_EVENT_SEGMENT, /* a segment is about to leave that a learner would want named:
			       * cause says why ("fast retransmit", "RTO retransmission",
			       * "tail-loss probe", "zero-window probe", "keepalive probe",
			       * "challenge ACK", "D-SACK", "SYN cookie", ...); local and remote
			       * are its addresses; the next frame the stack emits is that segment */
};

struct synack_event {
	enum synack_event_type type;
	uint64_t now;
	int sock;            /* socket handle, or -1 for a half-open or TIME-WAIT record */
	struct synack_sockaddr local, remote;
	int old_state, new_state;
	const char *cause;   /* STATE: "SYN+ACK received", "connect()", ...; SEGMENT: why it is sent */
};
typedef void (*synack_event_fn)(void *ctx, const struct synack_event *e);
void synack_set_event_hook(synack_stack *s, synack_event_fn fn, void *ctx);

/* Shards: several stacks with the same addresses, each owning the flows that reached it or
 * that it opened (one per core behind a multi-queue TUN, say). A link may bring one of them
 * a packet of a flow another owns. With a stray hook, a packet of no socket or connection of
 * this stack is offered to fn first, with the whole IP packet: a TCP segment it would answer
 * with a RST (not a SYN to one of its listeners, nor the ACK of a valid SYN cookie) or drop
 * (a RST), a UDP datagram to a port none of its sockets has (or, in tunnel mode, of no flow
 * it has: only the last shard asked opens one), an ICMP or ICMPv6 error about a
 * TCP or UDP flow it does not have. fn returns 1 if it took it (it copies the packet, to
 * hand it to the shard that owns the flow; counted in strays_handed), 0 to let this stack
 * treat it as ever (no shard owns it). verified is 1 when the packet's link vouched for its
 * L4 checksum (it came in through synack_input_verified: the next shard must take it the
 * same way). Called within synack_input: fn must not call the stack. NULL removes it. */
typedef int (*synack_stray_fn)(void *ctx, const uint8_t *pkt, size_t len, int verified);
void synack_set_stray_hook(synack_stack *s, synack_stray_fn fn, void *ctx);

/* Per-stack counters. */
struct synack_stats {
	uint64_t ip_in, ip_out, ip_in_bad, ip_in_not_mine, ip_in_proto_unknown;
	uint64_t tcp_in, tcp_out, tcp_in_bad_csum, tcp_in_malformed, tcp_rexmit;
	uint64_t tcp_timeouts, tcp_fast_retransmits, tcp_sack_recoveries, tcp_dsacks_rcvd, tcp_ooo_segments;
	uint64_t tcp_lost_retransmits; /* retransmissions found lost without a timeout */
	uint64_t tcp_timeouts_rxt_lost; /* timeouts with a retransmission outstanding (it, or
					 * every ACK it drew, was lost): of tcp_timeouts */
	uint64_t tcp_hystart_exits;    /* slow starts ended by a rising RTT (RFC 9406) */
	uint64_t tcp_loss_probes;      /* tail-loss probes sent (RFC 8985 7) */
	uint64_t tcp_spurious_undos;   /* reductions undone as spurious (D-SACK, RFC 3708; Eifel, RFC 3522) */
	uint64_t tcp_rst_out, tcp_rst_in_accepted, tcp_rst_in_ignored;
	uint64_t tcp_abort_on_data;    /* resets for new data after close() or the peer's FIN */
	uint64_t tcp_challenge_acks, tcp_challenge_acks_limited;
	uint64_t tcp_drop_no_socket, tcp_drop_out_of_window, tcp_drop_paws, tcp_drop_state;
	uint64_t tcp_active_opens, tcp_passive_opens, tcp_attempt_fails, tcp_estab_resets;
	uint64_t tcp_conn_timeouts, tcp_keepalive_timeouts;
	uint64_t syn_queue_overflow, accept_queue_overflow, syn_queue_drops;
	uint64_t syncookies_sent, syncookies_ok, syncookies_failed;
	uint64_t tw_created, tw_overflow, tw_recycled, tw_killed_by_syn;
	uint64_t output_errors;
	uint64_t ip_frag_out, ip_frag_fails, ip_reasm_ok, ip_reasm_fails, ip_reasm_timeouts;
	uint64_t icmp_in, icmp_out, icmp_in_bad, icmp_echo_replies, icmp_errors_in, icmp_rate_limited;
	uint64_t udp_in, udp_out, udp_in_bad, udp_no_port, udp_rcvbuf_errors;
	uint64_t tcp_pmtu_lowered; /* ICMP frag-needed lowered a connection's MSS */
	uint64_t sockets, conns, half_open, time_wait; /* gauges: current numbers */
	/* Tunnel mode (synack_tunnel): new flows to other addresses the hook accepted, refused
	 * with a RST, refused with ICMP unreachable (at once or after deferring), deferred, and
	 * deferred ones that never had a verdict. */
	uint64_t tnl_accepted, tnl_refused_rst, tnl_refused_unreach, tnl_deferred, tnl_defer_expired;
	/* UDP flows (synack_tunnel_udp): ended by their idle timeout; new ones dropped because
	 * the tunnel socket already held its backlog of flows not taken yet. */
	uint64_t tnl_udp_expired, tnl_udp_backlog_drops;
	/* Limits (synack_tunnel_limits): new flows refused because their client held its
	 * most, or because the budget was spent even after shedding; flows shed (ended) to
	 * keep within the budget; gauges: flows now, their memory at the last look. */
	uint64_t tnl_refused_per_source, tnl_refused_mem, tnl_shed, tnl_flows, tnl_mem;
	/* In recovery: retransmissions sent once more because nothing sent after them was out to
	 * show their loss (a retransmission probe; docs/loss-recovery.md). */
	uint64_t tcp_rxt_probes;
	/* Packets of no socket or connection of this stack handed to the stray hook (a shard's). */
	uint64_t strays_handed;
};
void synack_get_stats(const synack_stack *s, struct synack_stats *out);

/* ---- Tunnel mode (TNL): flows to any destination ----
 * What a VPN client or user-mode networking needs: the stack takes TCP connections opened
 * to any address and port, not only its own, and the application relays each one (through
 * its own sockets, a proxy). A flow hook sees each new flow's two ends before anything is
 * answered and says what the client sees: */
enum synack_flow_verdict {
	SYNACK_FLOW_ACCEPT = 0, /* answer the SYN; the connection is accepted on the listener */
	SYNACK_FLOW_RST,        /* refuse as a closed port: a RST */
	SYNACK_FLOW_UNREACH,    /* refuse as an unreachable host: ICMP host unreachable (ICMPv6
				 * address unreachable) from the stack's address, as a router
				 * on the way would */
	SYNACK_FLOW_DEFER,      /* answer nothing yet (the client's SYNs wait): the application
				 * opens its upstream connection first and then gives its verdict
				 * with synack_tunnel_verdict, so that what the client sees is what
				 * the upstream did */
};
struct synack_flow {
	int proto;                      /* SYNACK_IPPROTO_TCP or SYNACK_IPPROTO_UDP */
	struct synack_sockaddr client;  /* who opens the flow */
	struct synack_sockaddr dst;     /* the destination it asked for */
};
/* Called within synack_input, for the first SYN of each new flow to an address that is not
 * the stack's; returns a verdict. It must not call the stack. */
typedef int (*synack_flow_fn)(void *ctx, const struct synack_flow *f);
/* Tunnel mode on: TCP SYNs to any unicast address and port that is not the stack's own
 * arrive at listener (a TCP socket in LISTEN, of either family: an AF_INET6 one takes
 * both), whatever its port, once fn (NULL: accept all) accepts them. Each connection
 * accepted from it has the destination the client asked for as its local address
 * (getsockname) and the client as its peer; ICMP errors about them reach them. Packets to
 * the stack's own addresses are served as always; the stack's other listeners take no
 * tunnelled flow. listener -1 turns tunnel mode off (as closing the listener does).
 * Returns 0, or -EBADF (not a socket), -EINVAL (not a listening TCP socket). Off by
 * default, and then nothing of it runs. */
int synack_tunnel(synack_stack *s, int listener, synack_flow_fn fn, void *ctx);
/* UDP flows (TNL-3): datagrams to any unicast address and port that is not the stack's
 * own go to sock (a datagram socket of either family: an AF_INET6 one takes both), once fn
 * (NULL: accept all) accepts each new flow (proto SYNACK_IPPROTO_UDP: a client address and
 * port and a destination address and port not seen, or idle, since). Verdicts: ACCEPT; DEFER is ACCEPT (there is no handshake to hold);
 * RST answers ICMP port unreachable and UNREACH ICMP host unreachable, as a closed port and
 * a router would. An accepted flow is a connected datagram socket, bound to the destination
 * asked for (getsockname) and connected to the client (getpeername), holding the flow's
 * first datagram: synack_accept(sock) takes it (up to 1024 wait; beyond, new flows are
 * dropped and counted), and sock is readable while one waits. Sent and received like any
 * connected datagram socket. A flow with no datagram either way for idle_ms (0: 60 s) ends:
 * its socket reads ETIMEDOUT once, then end of file, and is readable and hung up; a later
 * datagram between the same ends is a new flow. The application closes it. sock -1 turns
 * UDP flows off (as closing sock does). Returns 0, -EBADF (not a socket), -EINVAL (not a
 * datagram socket, or a flow's). */
#define SYNACK_TUNNEL_UDP_IDLE_MS 60000u
int synack_tunnel_udp(synack_stack *s, int sock, unsigned idle_ms, synack_flow_fn fn, void *ctx);
/* ICMP echo in tunnel mode (ping to any address): each echo request to a unicast address
 * not the stack's goes to fn (within synack_input: it must not call the stack), its data
 * valid during the call; nothing is answered unless the application answers with
 * synack_tunnel_pong (for example once its own ping got a reply). fn NULL turns it off
 * (the default: such requests are dropped, as ip_in_not_mine when tunnel mode is off). */
struct synack_ping {
	struct synack_ip client, dst; /* who pings whom (one family) */
	uint16_t id, seq;             /* the request's identifier and sequence number */
	const uint8_t *data;          /* its data */
	size_t len;
};
typedef void (*synack_ping_fn)(void *ctx, const struct synack_ping *p);
int synack_tunnel_ping(synack_stack *s, synack_ping_fn fn, void *ctx);
/* An echo reply to p->client from p->dst with p's identifier, sequence number and data
 * (ICMP or ICMPv6 by the family). Returns 0, -EINVAL (families differ or not IPv4/IPv6),
 * -EMSGSIZE (too much data), or the send's error. */
int synack_tunnel_pong(synack_stack *s, const struct synack_ping *p);

/* Limits for tunnel mode (TNL-4), what a tunnel serving many clients needs against one of
 * them, or all together, growing without bound. A flow here is a connection the tunnel
 * listener took (from its handshake's end until freed) or a UDP flow's socket. */
struct synack_tunnel_limits {
	uint64_t mem_bytes;        /* a budget for the memory of all flows (records and
				    * buffers), looked at on new flows and every 100 ms of
				    * activity: when spent, the flows idle longest (no segment
				    * or datagram from their client) are shed until 90% of it is
				    * left, a connection with a RST to its client and ECONNRESET
				    * to the application, a UDP flow as if idle; a flow whose
				    * client sent within the last second is never shed, and a new
				    * flow that finds the budget spent even so is refused (TCP
				    * with a RST, UDP dropped) (0: no budget) */
	uint32_t flows_per_source; /* flows one client address may hold; a new one beyond is
				    * refused (TCP with a RST, UDP dropped) (0: no limit) */
};
/* Sets them (l NULL: none). Returns 0, or -EINVAL. */
int synack_tunnel_limits(synack_stack *s, const struct synack_tunnel_limits *l);
/* The verdict on a flow the hook deferred (f as the hook saw it): SYNACK_FLOW_ACCEPT
 * answers the SYN now, SYNACK_FLOW_RST and SYNACK_FLOW_UNREACH refuse it. A deferred flow
 * without a verdict is dropped after the time a SYN+ACK's retransmissions would take
 * (63 s with the defaults; the client has given up by then). Returns 0, -ENOENT when no
 * deferred flow has those ends (given a verdict already, dropped, or never deferred),
 * -EINVAL for another verdict. */
int synack_tunnel_verdict(synack_stack *s, const struct synack_flow *f, int verdict);

/* TCP_INFO-like per-connection figures. */
struct synack_tcp_info {
	uint8_t state;
	uint8_t snd_wscale, rcv_wscale;
	uint8_t options; /* 1 = timestamps, 2 = SACK, 4 = window scaling */
	uint32_t rto_us, srtt_us, rttvar_us;
	uint32_t snd_mss, rcv_mss;
	uint32_t snd_cwnd, snd_ssthresh; /* bytes */
	uint32_t bytes_in_flight;
	uint32_t retransmits, total_retrans, backoff;
	uint32_t snd_wnd, rcv_wnd;
	uint32_t rcvbuf;     /* receive buffer limit now (autotuned) */
	uint32_t sack_recoveries, dsacks; /* SACK-based recoveries, D-SACK blocks received */
	uint32_t mem_bytes; /* memory this connection holds now */
	uint32_t snd_una, snd_nxt; /* relative to the ISN (the SYN is byte 0): acknowledged, next to send */
};

#ifdef __cplusplus
}
#endif
#endif
