/* Scenarios: one per catalogue ID, written once and used twice: synack-sim prints them, the
 * tests assert them. A scenario builds a world, makes socket calls at virtual times, and
 * checks what must be seen (segments, states, errno values, times) with sk_expect. */
#ifndef SK_SCENARIO_H
#define SK_SCENARIO_H

#include <stdio.h>

#include "sim/world.h"

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

/* Records a check; on failure prints "FAIL scenario: message" to the report. */
int sk_expect(struct sk_scn *s, int cond, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A world with "client" (10.0.0.1) and "server" (10.0.0.2); cfg NULL = defaults. The link
 * delay is the world options' (10 ms one way if zero). */
void sk_scn_pair(struct sk_scn *s, const struct synack_config *ccfg, const struct synack_config *scfg);

/* Socket calls that print themselves ("# client connect() = -1 EINPROGRESS"). */
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

const char *sk_errno_name(int err);

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

#endif
