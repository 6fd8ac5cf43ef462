/* The stack object's internals: configuration, addresses, tables, timers, counters. Every
 * layer reaches shared state through a struct synack_stack pointer; there are no globals. */
#ifndef SK_STACK_H
#define SK_STACK_H

#include <synack/synack.h>

#include "base/siphash.h"
#include "base/wheel.h"
#include "base/rng.h"

struct sk_tcb;
struct sk_conn;

#define SK_MAX_ADDRS 8
#define SK_PKT_MAX 65535

struct sk_addr_entry {
	uint32_t addr, mask;
	uint32_t mtu;
	synack_output_fn out;
	void *ctx;
};

/* The 4-tuple hash table: TCBs, half-open (SYN-RCVD) records and TIME-WAIT records all
 * live here, found by one lookup (CONN-1). Chained; doubles when the load passes 1. */
struct sk_ctable {
	struct sk_conn **b;
	size_t mask; /* buckets - 1 */
	size_t n;
};

/* Listeners by local port (and address, 0 = any). */
struct sk_ltable {
	struct sk_tcb **b; /* 1024 buckets by port */
};

/* Socket handles: small integers indexing this array; freed slots are reused lowest
 * first so handles stay small. */
struct sk_handles {
	struct sk_tcb **v;
	uint32_t cap, used;
	uint32_t free_head; /* index of a free slot chain, UINT32_MAX if none */
	uint32_t *next_free;
};

struct synack_stack {
	struct synack_config cfg;
	struct sk_siphash_key key;
	struct sk_rng rng;
	uint64_t now;
	uint64_t clock_base; /* now at creation: the ISN clock counts from it */
	struct sk_wheel wheel;
	struct sk_addr_entry addrs[SK_MAX_ADDRS];
	int naddrs;
	struct sk_ctable conns;
	struct sk_ltable listeners;
	struct sk_handles handles;
	struct synack_stats stats;
	synack_event_fn event_fn;
	void *event_ctx;
	/* challenge ACK budget per second (RFC 5961 section 7) */
	uint64_t challenge_window_start;
	uint32_t challenge_count;
	uint32_t *bind_refs; /* sockets bound per local port, for EADDRINUSE (lazily allocated) */
	uint16_t next_ephemeral;
	int cc_default; /* index of tcp_congestion_control (tcp/cc.h) */
	uint16_t ip_id;
	uint8_t out[SK_PKT_MAX]; /* output scratch: one packet is built at a time */
};

/* Emits an IPv4 packet whose payload (proto) is already at payload/len; fills in the IP
 * header in front of it in st->out. Returns 0 or -errno. */
int sk_ip_output(struct synack_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t len);
/* Where an outgoing L4 payload is built: st->out + 20. */
static inline uint8_t *sk_ip_payload(struct synack_stack *st) { return st->out + 20; }
/* The address entry owning addr, or NULL. */
const struct sk_addr_entry *sk_addr_find(const struct synack_stack *st, uint32_t addr);
/* MTU towards dst (of the route it would take). */
uint32_t sk_route_mtu(const struct synack_stack *st, uint32_t dst);
/* Source address for dst. */
uint32_t sk_route_src(const struct synack_stack *st, uint32_t dst);

struct sk_conn_key;
void sk_emit_state(struct synack_stack *st, int handle, const struct sk_conn_key *k, int old_state,
		   int new_state, const char *cause);

#endif
