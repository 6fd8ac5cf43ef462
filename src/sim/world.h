/* A simulated world: synack stacks (and scripted peers) on a simulated network, driven on one
 * virtual clock, with a log of every segment and state transition for tests to assert on and
 * for synack-sim to print. Scenarios are written once against this and serve both. */
#ifndef SK_WORLD_H
#define SK_WORLD_H

#include <stdio.h>
#include <synack/synack.h>

#include "link/simnet.h"
#include "wire/decode.h"

#define SK_WORLD_MAX_HOSTS 8

enum sk_rec_type {
	SK_REC_SEG,   /* a frame a host sent (dropped says whether it was lost) */
	SK_REC_STATE, /* a connection changed state */
	SK_REC_NOTE,  /* a line the scenario wrote (socket calls and their results) */
	SK_REC_CC,    /* a connection's congestion state changed (with log_cc) */
};

struct sk_rec {
	enum sk_rec_type type;
	uint64_t t;
	int host;             /* sender (SEG) or owner (STATE, NOTE) */
	/* SEG */
	int dropped;
	int corrupted;        /* the copy that arrived had a bit flipped */
	uint64_t t_arr;       /* when it arrived (UINT64_MAX: never: lost) */
	const char *label;    /* why the stack sent it, when that has a name (SYNACK_EVENT_SEGMENT) */
	struct sk_decoded d;  /* pointers inside refer to bytes[] */
	uint8_t *bytes;
	size_t len;
	/* STATE */
	struct synack_event ev;
	/* NOTE */
	char *text;
	/* CC (bytes, µs); ssthresh UINT32_MAX or more: infinite */
	struct {
		uint32_t cwnd, ssthresh, in_flight, srtt, rto;
	} cc;
};

struct sk_world;

struct sk_world_opts {
	uint64_t seed;
	struct sk_simnet_params link; /* both directions */
	FILE *trace;                  /* NULL: print nothing */
	unsigned print_flags;         /* SK_PRINT_VERBOSE, SK_PRINT_HEX */
	const char *pcap_path;        /* NULL: no capture */
	int keep_bytes;               /* keep frame bytes in SEG records (default off) */
	int no_log;                   /* record nothing (long transfers): print/capture only */
	uint32_t gso_max;             /* TSO: hosts send frames of up to this many bytes (a
				       * link loss takes the whole frame, as a dropped TUN write
				       * does); 0: one segment per frame */
	FILE *cc_out;                 /* congestion state: a line per change of a connection's
				       * cwnd or ssthresh (with in flight, srtt, rto); NULL: none */
	FILE *csv;                    /* a time series: a row per change of any of a
				       * connection's time, cwnd, ssthresh, in flight, srtt, rto,
				       * snd_una, snd_nxt, peer window; NULL: none */
	int log_cc;                   /* log congestion-state changes (SK_REC_CC) */
	int batch_rx;                 /* frames that arrive at a host together go to its stack
				       * as one batch (synack_input_batch), as the runtime's
				       * device reads hand them over; default: one at a time */
	int ipv6;                     /* every host also has 2001:db8::A/64 (A its IPv4
				       * address in the last 32 bits), and sk_world_sockaddr
				       * names hosts by it */
	/* Called by sk_scenario_run when the scenario has run, before the world is freed:
	 * its log, for pictures and for tests that look at a scenario's records. */
	void (*on_end)(struct sk_world *w, void *arg);
	void *on_end_arg;
};

struct sk_world *sk_world_new(const struct sk_world_opts *o, int *err);
void sk_world_free(struct sk_world *w);

/* A synack host at addr (/24); cfg NULL = defaults. Its secret and seed derive from the
 * world's seed and its index, so runs are reproducible. Returns the host index or -errno. */
int sk_world_add_host(struct sk_world *w, const char *name, uint32_t addr, const struct synack_config *cfg);
/* A scripted peer: no stack; the scenario sends exact segments and reads what arrives. In a
 * world with ipv6 it has sk_world_ip6(addr) as well. */
int sk_world_add_peer(struct sk_world *w, const char *name, uint32_t addr);

synack_stack *sk_world_stack(struct sk_world *w, int host);
struct sk_dev *sk_world_dev(struct sk_world *w, int host);
struct sk_simnet *sk_world_net(struct sk_world *w);
uint32_t sk_world_addr(struct sk_world *w, int host);
/* The IPv6 address a world with ipv6 gives the host at IPv4 address addr. */
struct synack_ip sk_world_ip6(uint32_t addr);
/* The address a connection to host's port uses: IPv6 in a world with ipv6, else IPv4. */
struct synack_sockaddr sk_world_sockaddr(struct sk_world *w, int host, uint16_t port);
/* The world's family: whether it runs over IPv6 (opts.ipv6), and SYNACK_AF_INET or
 * SYNACK_AF_INET6 for the sockets of scenarios that speak it. */
int sk_world_is_ipv6(const struct sk_world *w);
int sk_world_af(const struct sk_world *w);
/* A host's address, named by its IPv4 address addr, in the world's family: addr itself,
 * or sk_world_ip6(addr); addr 0 is the family's any address. With a port. */
struct synack_ip sk_world_ip(const struct sk_world *w, uint32_t addr);
struct synack_sockaddr sk_world_sa(const struct sk_world *w, uint32_t addr, uint16_t port);
/* The other way: the IPv4 address that names the host at ip (ip itself, or the last 32
 * bits of an address in 2001:db8::/96); 0 for any other address. */
uint32_t sk_world_ip_key(const struct synack_ip *ip);
/* The same for a decoded packet's source and destination. */
uint32_t sk_world_pkt_src(const struct sk_decoded *d);
uint32_t sk_world_pkt_dst(const struct sk_decoded *d);
/* The length of the world's IP header without options: 20, or 40 over IPv6. */
unsigned sk_world_ip_hlen(const struct sk_world *w);
const char *sk_world_name(struct sk_world *w, int host);
int sk_world_nhosts(const struct sk_world *w);
/* The link's one-way delay as configured (µs). */
uint64_t sk_world_delay(const struct sk_world *w);
uint64_t sk_world_now(const struct sk_world *w);

/* Runs until virtual time t (delivering frames, firing timers); the clock ends at t. */
void sk_world_run_until(struct sk_world *w, uint64_t t);
/* Runs until cond(arg) holds (checked after each event) or time limit; returns the time it
 * held, or UINT64_MAX (the clock is then at limit). */
uint64_t sk_world_run_cond(struct sk_world *w, uint64_t limit, int (*cond)(struct sk_world *, void *), void *arg);
/* Advances to the next event (an arrival or a timer) if it is at or before limit, and
 * processes it; returns the new time, or UINT64_MAX if nothing was due by limit. */
uint64_t sk_world_step(struct sk_world *w, uint64_t limit);
/* Runs until nothing is left to do or time limit. */
void sk_world_run_idle(struct sk_world *w, uint64_t limit);

/* Scripted peer: sends a TCP segment from peer to dst now (checksum computed), in an IPv4
 * or, in a world with ipv6, an IPv6 packet (both addresses then sk_world_ip6's). */
int sk_world_peer_send(struct sk_world *w, int peer, uint32_t dst, const struct sk_tcp *seg);
/* The same from any source address the peer claims (a spoofed one, for floods). */
int sk_world_peer_send_from(struct sk_world *w, int peer, uint32_t src, uint32_t dst, const struct sk_tcp *seg);
/* Scripted peer: the next frame that arrived for it, decoded into d (bytes valid until the
 * next call); 0 if none. */
int sk_world_peer_recv(struct sk_world *w, int peer, struct sk_decoded *d);

/* Writes "TIME # <host> <text>" to the trace and the log. */
void sk_world_note(struct sk_world *w, int host, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Starts a part of a scenario with several: a heading line "## <text>" in the trace. */
void sk_world_heading(struct sk_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The log. */
size_t sk_world_nrecs(const struct sk_world *w);
const struct sk_rec *sk_world_rec(const struct sk_world *w, size_t i);

#endif
