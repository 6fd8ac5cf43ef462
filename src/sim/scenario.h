/* Scenarios: one per catalogue ID, written once and used twice: synack-sim prints them, the
 * tests assert them. A scenario builds a world, makes socket calls at virtual times, and
 * checks what must be seen (segments, states, errno values, times) with sk_expect. */
#ifndef SK_SCENARIO_H
#define SK_SCENARIO_H

#include <stdio.h>

#include "script/symbols.h" /* sk_errno_name */
#include "sim/world.h"
#include "stack/addr.h"

struct sk_scn {
	struct sk_world *w;
	struct sk_world_opts opts;
	FILE *report;   /* expectation failures go here */
	int failures;
	int checks;
	int client, server; /* host indices set by sk_scn_pair */
};

struct sk_scenario {
	const char *name; /* catalogue ID in lower case: "hs-7" */
	const char *desc;
	void (*run)(struct sk_scn *s);
};

/* All scenarios, in catalogue order: count, and the i-th (NULL past the end). */
size_t sk_scenario_count(void);
const struct sk_scenario *sk_scenario_get(size_t i);
const struct sk_scenario *sk_scenario_find(const char *name);
/* Runs one; returns the number of failed expectations (0 = it held), or -errno. */
int sk_scenario_run(const struct sk_scenario *sc, const struct sk_world_opts *o, FILE *report);

/* ---- helpers for scenario code ---- */

#define SK_MS(x) ((uint64_t)(x) * 1000u)
#define SK_S(x) ((uint64_t)(x) * 1000000u)
#define SK_CLIENT_ADDR 0x0a000001u /* 10.0.0.1 */
#define SK_SERVER_ADDR 0x0a000002u /* 10.0.0.2 */
#define SK_PORT 6378

/* TCP flag shorthands for the masks and values of the log queries: ALL masks the flags that
 * tell segments apart (data with PSH counts as its ACK), ALLP adds PSH (a bare ACK is then A,
 * data P|A). Single letters for the scenario code's sake: a file that includes this header
 * cannot use these names for anything else. */
#define S    SK_TCP_SYN
#define A    SK_TCP_ACK
#define R    SK_TCP_RST
#define F    SK_TCP_FIN
#define P    SK_TCP_PSH
#define ALL  (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST | SK_TCP_FIN)
#define ALLP (ALL | SK_TCP_PSH)
/* The time a state query returns for a change that never happened. */
#define NEVER UINT64_MAX

/* Records a check; on failure prints "FAIL scenario: message" to the report. */
int sk_expect(struct sk_scn *s, int cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The defaults with the textbook algorithms, for scenarios whose timelines read as the RFCs
 * describe them: RFC 5681's delayed ACK from the first segment (no quick ACKs, and every
 * second full segment acked at once, read or not), loss found by
 * duplicate ACKs and RFC 6675's IsLost (no RACK, no tail-loss probes), RFC 6298's RTO
 * floored as a whole, and RFC 1122's Nagle (not Minshall's). What Linux (and synack by default) does instead is checked by the
 * conformance scripts (tests/conformance/) against the kernel. */
struct synack_config sk_scn_textbook(void);

/* A world with "client" (10.0.0.1) and "server" (10.0.0.2); cfg NULL = defaults. The link
 * delay is the world options' (10 ms one way if zero). */
void sk_scn_pair(struct sk_scn *s, const struct synack_config *ccfg, const struct synack_config *scfg);

/* The world's family for scenario code (a scenario runs over IPv4, or over IPv6 when the
 * world's options say ipv6): a TCP socket of that family; a host's address (its IPv4
 * address names it; 0 = any) with a port in that family; the MSS a 1500-byte MTU gives
 * (1460 over IPv4, 1440 over IPv6: 1500 less the IP and TCP headers). */
int sk_scn_socket(struct sk_scn *s, int host);
struct synack_sockaddr sk_scn_sa(struct sk_scn *s, uint32_t addr, uint16_t port);
uint32_t sk_scn_mss(struct sk_scn *s);
/* Whether a socket address holds the host at addr (0: the any address) in the world's
 * family. */
int sk_scn_is_addr(struct sk_scn *s, const struct synack_sockaddr *a, uint32_t addr);

/* Socket calls that print themselves ("# client connect() = -1 EINPROGRESS"). Addresses
 * are hosts' IPv4 addresses, used in the world's family (sk_scn_sa). */
int sk_scn_listen(struct sk_scn *s, int host, uint16_t port, int backlog);
int sk_scn_connect(struct sk_scn *s, int host, uint32_t addr, uint16_t port);
int sk_scn_accept(struct sk_scn *s, int host, int lsock);
long sk_scn_send(struct sk_scn *s, int host, int sock, const void *buf, size_t len);
long sk_scn_recv(struct sk_scn *s, int host, int sock, void *buf, size_t len);
int sk_scn_close(struct sk_scn *s, int host, int sock);
int sk_scn_shutdown(struct sk_scn *s, int host, int sock, int how);
int sk_scn_setsockopt_int(struct sk_scn *s, int host, int sock, int level, int name, int v);

/* Runs until the connecting socket completes (writable: returns 0) or fails (returns the
 * -errno from SO_ERROR), printing the outcome as connect()'s result; *when gets the time. */
int sk_scn_wait_connect(struct sk_scn *s, int host, int sock, uint64_t limit, uint64_t *when);
/* Runs until accept() succeeds; returns the socket or -EAGAIN at limit. */
int sk_scn_wait_accept(struct sk_scn *s, int host, int lsock, uint64_t limit, uint64_t *when);
/* Runs until the socket's events include any of mask. */
uint64_t sk_scn_wait_events(struct sk_scn *s, int host, int sock, int mask, uint64_t limit);
/* Runs until the client's connecting socket cs has connected and the server's listener l has
 * accepted it, 5 s at most; returns 1 with *ss the accepted socket, or 0 (cs < 0 included). */
int sk_scn_open(struct sk_scn *s, int l, int cs, int *ss);
/* The orderly close of a connection: at t1 host a closes its socket as; at t2 host b reads EOF
 * on bs (checked: "<b> reads EOF") and closes it too. */
void sk_scn_close_both(struct sk_scn *s, int a, int as, uint64_t t1, int b, int bs, uint64_t t2);

/* Adds a simnet rule (see link/simnet.h). from/to are host indices, -1 = any. */
int sk_scn_rule(struct sk_scn *s, int from, int to, uint16_t mask, uint16_t value, uint32_t first, uint32_t last,
		enum sk_simnet_action action, uint64_t delay_us);

/* ---- log queries ---- */

/* The n-th (1-based) TCP segment sent by host with (flags & mask) == value, or NULL. */
const struct sk_rec *sk_scn_seg(struct sk_scn *s, int host, uint16_t mask, uint16_t value, int n);
/* How many such segments. */
int sk_scn_count(struct sk_scn *s, int host, uint16_t mask, uint16_t value);
/* The time of the first state change of host to state (from any), or UINT64_MAX. */
uint64_t sk_scn_state_time(struct sk_scn *s, int host, int from, int to);
/* A segment matches exactly: flags, seq and ack relative to the given ISNs (+1 = ISN+1). */
int sk_scn_seg_is(const struct sk_rec *r, uint16_t flags, uint32_t seq, uint32_t ack);
/* The ISNs of the handshake of the client's connection from port (0 = any: its first one) to
 * the server's SK_PORT: *x the client's, *y the server's. Returns 0 if a SYN is missing. */
int sk_scn_isns(struct sk_scn *s, uint16_t port, uint32_t *x, uint32_t *y);
/* The TCP state of a socket (TCP_INFO), or -1. */
int sk_scn_state(struct sk_scn *s, int host, int sock);


/* ---- helpers for scenarios with several connections per host ---- */

/* Connects an existing socket (bound, or with options set first); prints itself like
 * sk_scn_connect and returns connect()'s result (-EINPROGRESS when the SYN left). */
int sk_scn_connect_sock(struct sk_scn *s, int host, int sock, uint32_t addr, uint16_t port);
/* The n-th (1-based) TCP segment sent by host from local port sport to remote port dport
 * (0 = any port) with (flags & mask) == value, or NULL; and how many there are. */
const struct sk_rec *sk_scn_seg_ports(struct sk_scn *s, int host, uint16_t sport, uint16_t dport,
				      uint16_t mask, uint16_t value, int n);
int sk_scn_count_ports(struct sk_scn *s, int host, uint16_t sport, uint16_t dport, uint16_t mask,
		       uint16_t value);
/* The first state change of host's connection lport <-> rport (0 = any) to state, or
 * UINT64_MAX. */
uint64_t sk_scn_state_time_ports(struct sk_scn *s, int host, uint16_t lport, uint16_t rport,
				 int from, int to);
/* TCP_INFO of a socket (zeroed first); returns getsockopt's result. */
int sk_scn_tcp_info(struct sk_scn *s, int host, int sock, struct synack_tcp_info *info);
/* The stack's counters. */
struct synack_stats sk_scn_stats(struct sk_scn *s, int host);
/* Scripted peer: sends seg from any source address it claims (a spoofed one, for floods);
 * replies reach the peer only if that address was registered on its endpoint. */
int sk_scn_peer_send_from(struct sk_scn *s, int peer, uint32_t src, uint32_t dst,
			  const struct sk_tcp *seg);

/* ---- scripted peers holding one connection with a stack ---- */

/* The peer's side of one connection: who and where, and both ISNs. */
struct sk_scn_peer_conn {
	int peer;	       /* host index of the scripted peer */
	uint32_t raddr;	       /* the stack's address */
	uint16_t lport, rport; /* the peer's port, the stack's port */
	uint32_t iss, irs;     /* the peer's ISN; the stack's ISN once its SYN+ACK came */
};

/* Scripted peer: sends one segment of c now: flags, seq, ack, window, options (NULL: none)
 * and payload. Returns what sk_world_peer_send returned. */
int sk_scn_peer_seg(struct sk_scn *s, const struct sk_scn_peer_conn *c, uint16_t flags,
		    uint32_t seq, uint32_t ack, uint16_t win, const struct sk_tcp_opts *opt,
		    const void *data, size_t len);
/* Scripted peer: runs until a TCP segment reaches the peer (or one is already waiting) and
 * takes it into *seg (payload valid until the peer's next receive). Returns 1, or 0 if none
 * came by limit. */
int sk_scn_peer_wait(struct sk_scn *s, int peer, uint64_t limit, struct sk_tcp *seg);
/* Scripted peer: opens c to a stack listening at c->raddr:c->rport: SYN with ISN c->iss and
 * options opt (NULL: none) now, then the ACK (window 65535) the moment the SYN+ACK arrives,
 * whose ISN goes to c->irs. Returns 0, or -1 if no SYN+ACK came by limit. */
int sk_scn_peer_connect(struct sk_scn *s, struct sk_scn_peer_conn *c, const struct sk_tcp_opts *opt,
			uint64_t limit);
/* How many TCP segments host sent in [t0, t1]. */
int sk_scn_count_between(struct sk_scn *s, int host, uint64_t t0, uint64_t t1);

/* ---- data-path helpers ---- */

/* Like sk_scn_rule, for TCP segments that carry data only (a payload of one byte or more):
 * first/last count those alone, so "drop the 3rd data segment" ignores SYNs and bare ACKs. */
int sk_scn_rule_data(struct sk_scn *s, int from, int to, uint32_t first, uint32_t last,
		     enum sk_simnet_action action, uint64_t delay_us);
/* Gives the direction from -> to its own link parameters (sk_simnet_set_path). */
int sk_scn_path(struct sk_scn *s, int from, int to, const struct sk_simnet_params *p);

/* ---- bulk data for the flow-control and congestion-control scenarios ---- */

/* One direction of a connection carrying a known byte pattern: the sender's application
 * writes as much as its socket takes, up to total bytes; the receiver's application reads
 * as the policy says and checks every byte against the pattern. */
struct sk_scn_stream {
	int tx, tx_sock;	/* writing host and socket */
	int rx, rx_sock;	/* reading host and socket; rx_sock -1 = nobody reads yet */
	uint64_t total;		/* bytes to write in all */
	uint64_t read_from;	/* the reader reads from this virtual time on */
	uint64_t read_every;	/* µs between reads; 0 = after every event */
	uint32_t read_chunk;	/* bytes per read; 0 = all there is */
	uint64_t written, read; /* progress */
	uint64_t next_read;	/* when the next paced read is due (set by the driver) */
	int corrupt;		/* a byte read was not the byte written */
};

/* Called by the driver after every event it ran. */
typedef void (*sk_scn_tick_fn)(struct sk_scn *s, void *arg);

/* Writes and reads the n streams now, then runs the world one event at a time up to time
 * until (the clock ends there), writing and reading after each event and at each paced read
 * time, and calling tick (if not NULL) after each. */
void sk_scn_streams_run(struct sk_scn *s, struct sk_scn_stream *v, int n, uint64_t until,
			sk_scn_tick_fn tick, void *arg);
/* The pattern byte at stream offset off. */
uint8_t sk_scn_pattern(uint64_t off);
/* setsockopt(TCP_CONGESTION, name), printed like the other calls. */
int sk_scn_set_cc(struct sk_scn *s, int host, int sock, const char *name);

/* What one end of a connection knew, at a given time, of the other end's segments: the
 * highest acknowledgment and the window of the latest segment that had arrived (sent by
 * peer at least delay earlier and not lost; windows scaled by shift except in SYNs). Read
 * from the log, so it checks the stack without trusting its own bookkeeping. */
struct sk_scn_view {
	int peer;		  /* host whose segments are watched */
	uint16_t peer_port, port; /* their source port, and the watching end's port */
	uint8_t shift;		  /* window scale the peer announced (0 if not in use) */
	uint64_t delay;		  /* one-way delay from peer to the watching end */
	size_t pos;		  /* internal: log position */
	int seen;		  /* segments arrived so far */
	uint32_t una, right, wnd; /* highest ack, right window edge, window (bytes) */
	uint64_t at;		  /* when the latest of them arrived */
};
/* Brings the view to time t (never backwards). */
void sk_scn_view_at(struct sk_scn *s, struct sk_scn_view *v, uint64_t t);
/* How many data segments (payload of 1 byte or more) host sent from port sport at time t
 * exactly; *first gets the first of them (may be NULL). */
int sk_scn_data_at(struct sk_scn *s, int host, uint16_t sport, uint64_t t,
		   const struct sk_rec **first);
/* The local port of a socket. */
uint16_t sk_scn_port(struct sk_scn *s, int host, int sock);

#endif
