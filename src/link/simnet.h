/* The simulated network: endpoints that are devices, links joining them, seeded impairments
 * and scripted faults, all on a virtual clock the caller advances. */
#ifndef SK_SIMNET_H
#define SK_SIMNET_H

#include <stddef.h>
#include <stdint.h>

#include "link/dev.h"
#include "wire/decode.h"

/*
 * Model and time
 * --------------
 * A network has one link type (SK_LINK_RAW: raw IPv4 and IPv6 frames, or SK_LINK_ETHERNET), one
 * seeded RNG and any number of links. A link is a segment joining any number of
 * endpoints; each endpoint is a struct sk_dev that belongs to exactly one link.
 *
 * The network never reads a clock. Every call carries `now` (µs of virtual time), and time
 * never runs backwards: a call with an earlier `now` than one already seen acts at the
 * latest time seen. A frame handed to send() at `now` is scheduled for arrival at a later
 * (or the same) virtual time; recv(now) on the receiving endpoint returns it once `now`
 * has reached that time (`now` is a real time: never pass SK_TIME_NEVER). A driver loop
 * looks like:
 *
 *	for (;;) {
 *		uint64_t t = min(sk_simnet_next_event(net), deadlines of the stacks);
 *		if (t == SK_TIME_NEVER) break;
 *		now = t;
 *		for each endpoint: while ((n = sk_dev_recv(ep, buf, sizeof buf, now)) > 0) ...
 *		run the stacks' timers at now; they send() at now;
 *	}
 *
 * Frames arriving at the same time come out in the order they were scheduled.
 *
 * Delivery
 * --------
 * Raw IP: to the endpoint of the link that registered the destination address
 * (sk_simnet_add_addr, sk_simnet_add_addr6 for IPv6); if none did and the link joins exactly two endpoints, to the other
 * one (a point-to-point link). Ethernet: to the endpoint whose MAC is the destination; a
 * group address (broadcast, multicast) goes to every other endpoint of the link. Anything
 * else is dropped as SK_SIMNET_DROP_NOROUTE: the segment behaves as a switch that knows
 * every station, so a stray frame shows up in the counters instead of being flooded.
 *
 * Impairments, per direction
 * --------------------------
 * Each ordered pair (from X, to Y) of endpoints on a link is a direction with its own FIFO
 * and counters; its parameters are the link's unless sk_simnet_set_path overrides them. A
 * frame sent from X and routed to Y goes through, in this order:
 *  1. scripted rules, then the hook (may drop, delay, duplicate, corrupt);
 *  2. the FIFO: if queue_limit frames are already waiting for or under serialization it
 *     is tail-dropped; otherwise it is serialized at rate_bps after the frames ahead of it
 *     (frame bytes as given: no preamble, FCS or gap);
 *  3. random loss on the wire (the frame has used its transmission slot): independent, with
 *     probability loss, or bursty (Gilbert-Elliott: a good and a bad state, the bad one
 *     entered with ge_enter and left with ge_leave per frame, where a frame is lost with
 *     probability ge_bad_loss); a frame of several segments (TSO) is lost whole;
 *  4. random duplication: a copy follows the original from here on, with its own draws;
 *  5. per copy: corruption (one random bit flipped, never in the Ethernet header, so the
 *     frame still reaches its station), reordering (held back by reorder_hold_us, so later
 *     frames overtake it), jitter (uniform in [0, jitter_us], which may also reorder);
 *  6. arrival = end of serialization + delay_us + rule/hook delay + hold + jitter.
 * Every random draw comes from the network's RNG, and only for impairments that are
 * enabled, in a fixed order: the same seed and the same calls give the same deliveries at
 * the same times, bit for bit.
 */

/* Link parameters; all zero (SK_SIMNET_IDEAL) is an ideal link: no delay, no loss.
 * Without rate_bps nothing waits in the FIFO, so queue_limit only matters with a rate. */
#define SK_SIMNET_QUEUE_MAX (1u << 20)
struct sk_simnet_params {
	uint64_t delay_us;	  /* one-way propagation delay */
	uint64_t jitter_us;	  /* extra delay, uniform in [0, jitter_us] */
	uint64_t rate_bps;	  /* serialization rate in bits/s; 0 = infinite */
	uint32_t queue_limit;	  /* frames the FIFO holds, at most 2^20; 0 = unbounded */
	uint32_t mtu;		  /* 68..65535; 0 = 1500; fixed when an endpoint is added */
	double loss;		  /* probability each frame is lost */
	double duplicate;	  /* probability each frame is delivered twice */
	double reorder;		  /* probability each frame is held back by reorder_hold_us */
	double corrupt;		  /* probability one random bit of the frame is flipped */
	uint64_t reorder_hold_us; /* extra delay of a reordered frame; 0 = 1 ms */
	/* Gilbert-Elliott bursty loss (on when ge_enter > 0), drawn after `loss`: per frame the
	 * direction goes from good to bad with ge_enter, back with ge_leave; a frame sent in
	 * the bad state is lost with ge_bad_loss (0 means 1). The mean burst is 1 / ge_leave
	 * frames, the long-run loss ge_enter / (ge_enter + ge_leave) * ge_bad_loss. A burst is
	 * an event in time too: a direction idle for 1 ms is good again, so a sender that went
	 * quiet (waiting for its retransmission timer) does not find the burst still there. */
	double ge_enter, ge_leave, ge_bad_loss;
};

#define SK_SIMNET_IDEAL ((struct sk_simnet_params){0})

enum sk_simnet_drop {
	SK_SIMNET_DROP_LOSS,	/* random loss */
	SK_SIMNET_DROP_QUEUE,	/* FIFO full, or the receiver's pending limit reached */
	SK_SIMNET_DROP_RULE,	/* a scripted rule or the hook */
	SK_SIMNET_DROP_NOROUTE, /* no endpoint for the destination, or it was closed */
	SK_SIMNET_DROP_RXBUF,	/* recv() buffer too small for the frame (-EMSGSIZE) */
	SK_SIMNET_DROP_COUNT
};

/* Counters of one direction, or of the whole network (the sum over directions, plus the
 * frames that found no route). Per direction and in total, once nothing is in flight:
 * sent + duplicated == delivered + all drops. */
struct sk_simnet_counters {
	uint64_t sent;	    /* frames that entered the direction */
	uint64_t delivered; /* frames taken by the receiver's recv() */
	uint64_t dropped[SK_SIMNET_DROP_COUNT];
	uint64_t duplicated; /* extra copies made */
	uint64_t corrupted;  /* copies with a bit flipped */
	uint64_t reordered;  /* copies held back */
	uint64_t delayed;    /* copies delayed by a rule or the hook */
	uint64_t bytes_sent, bytes_delivered;
};

struct sk_simnet;

/* Creates a network of the given link type (SK_LINK_RAW or SK_LINK_ETHERNET). Returns NULL
 * and sets *err (if err is not NULL) to -EINVAL or -ENOMEM on failure. */
struct sk_simnet *sk_simnet_new(uint64_t seed, int linktype, int *err);
/* Frees the network, its endpoints and every frame in flight. Close wrapper devices
 * around its endpoints first: they would otherwise close freed endpoints. */
void sk_simnet_free(struct sk_simnet *net);

/* Adds a link; p NULL is the ideal link. Returns the link id (>= 0) or -errno. */
int sk_simnet_add_link(struct sk_simnet *net, const struct sk_simnet_params *p);
/* Replaces a link's parameters (directions with their own stay as they are). */
int sk_simnet_set_link(struct sk_simnet *net, int link, const struct sk_simnet_params *p);
/* Gives one direction its own parameters; p NULL returns it to the link's. Frames already
 * scheduled keep their times; the FIFO carries on from where it is. */
int sk_simnet_set_path(struct sk_simnet *net, struct sk_dev *from, struct sk_dev *to,
		       const struct sk_simnet_params *p);

/* Adds an endpoint to a link. The device is owned by the network: sk_dev_close detaches it
 * (its pending frames are freed, later frames to it are NOROUTE drops) and
 * sk_simnet_free releases it. Ethernet endpoints get the MAC 02:00:00:00:hh:ll from their
 * creation index (1, 2, ...). Returns NULL and sets *err on failure. */
struct sk_dev *sk_simnet_add_endpoint(struct sk_simnet *net, int link, const char *name, int *err);
/* Registers an IPv4 address (host order) for raw-IPv4 delivery; up to 8 per endpoint. */
int sk_simnet_add_addr(struct sk_simnet *net, struct sk_dev *ep, uint32_t addr);
/* Registers an IPv6 address (16 bytes, network order) for raw-IPv6 delivery; up to 8. */
int sk_simnet_add_addr6(struct sk_simnet *net, struct sk_dev *ep, const uint8_t addr[16]);
int sk_simnet_set_mac(struct sk_simnet *net, struct sk_dev *ep, const uint8_t mac[SK_ETH_ALEN]);
int sk_simnet_get_mac(struct sk_simnet *net, struct sk_dev *ep, uint8_t mac[SK_ETH_ALEN]);

/* Frames waiting in any of the receivers beyond this are QUEUE drops: it bounds memory
 * whatever the parameters. Default 16384 per endpoint. */
int sk_simnet_set_rx_limit(struct sk_simnet *net, uint32_t frames);

/* The earliest scheduled arrival over all endpoints, or SK_TIME_NEVER. */
uint64_t sk_simnet_next_event(const struct sk_simnet *net);
/* Frames scheduled but not yet taken by recv(). */
size_t sk_simnet_pending(const struct sk_simnet *net);
/* The latest `now` any call has carried. */
uint64_t sk_simnet_now(const struct sk_simnet *net);

/*
 * Scripted faults
 * ---------------
 * A rule matches frames by direction, protocol, TCP flags and payload size; it counts the
 * frames it matches (1, 2, ...) and acts on those whose count lies in [first, last]. Every
 * rule sees every frame on every direction (a broadcast is one frame per receiver), in the
 * order the rules were added, and their actions add up: drop wins, delays and duplicates
 * add, corruption hits the original copy. from/to name endpoint devices as
 * sk_simnet_add_endpoint returned them, never wrappers. Examples:
 *   drop the 2nd TCP segment from A to B: {.from=A, .to=B, .l4=SK_L4_TCP, .first=2, .last=2}
 *   drop every SYN+ACK: {.l4=SK_L4_TCP, .flags_mask=SYN|ACK, .flags_value=SYN|ACK}
 *   delay the first FIN by 3 s: {.flags_mask=FIN, .flags_value=FIN, .first=1, .last=1,
 *                                .action=SK_SIMNET_DELAY, .delay_us=3000000}
 *   drop segments with payload: {.l4=SK_L4_TCP, .min_payload=1}
 */
enum sk_simnet_action {
	SK_SIMNET_DROP,
	SK_SIMNET_DELAY,     /* add delay_us to the arrival time */
	SK_SIMNET_DUPLICATE, /* deliver one extra copy */
	SK_SIMNET_CORRUPT,   /* flip one random bit */
};

struct sk_simnet_rule {
	struct sk_dev *from, *to; /* NULL = any */
	enum sk_l4 l4;		  /* SK_L4_NONE = any frame */
	uint16_t flags_mask;	  /* nonzero: TCP only, (flags & mask) == flags_value */
	uint16_t flags_value;
	uint32_t min_payload; /* L4 payload (TCP/UDP payload, ICMP data) at least this */
	uint32_t first, last; /* matches acted on, 1-based; 0 = from the first / no end */
	uint32_t limit;	      /* act at most this many times; 0 = no limit */
	enum sk_simnet_action action;
	uint64_t delay_us; /* for SK_SIMNET_DELAY */
};

/* Adds a rule; returns its id (>= 0) or -errno. */
int sk_simnet_add_rule(struct sk_simnet *net, const struct sk_simnet_rule *r);
/* How many frames rule id matched and how many it acted on. */
int sk_simnet_rule_stats(const struct sk_simnet *net, int id, uint64_t *matched, uint64_t *applied);
/* Removes every rule. */
void sk_simnet_clear_rules(struct sk_simnet *net);

/* What happens to one frame on one direction, as the rules left it; the hook may change it. */
struct sk_simnet_verdict {
	int drop;
	uint64_t delay_us;
	unsigned duplicates;
	int corrupt;
};

struct sk_simnet_frame {
	struct sk_dev *from, *to;
	uint64_t now;
	const uint8_t *data;
	size_t len;
	const struct sk_decoded *dec; /* decoded without checksum verification */
};

typedef void (*sk_simnet_hook_fn)(void *arg, const struct sk_simnet_frame *f,
				  struct sk_simnet_verdict *v);
/* Installs (or, with fn NULL, removes) the hook, called for every frame on every
 * direction after the rules. */
void sk_simnet_set_hook(struct sk_simnet *net, sk_simnet_hook_fn fn, void *arg);

/*
 * Observation
 * -----------
 * The observer sees every event: a frame handed to send() (SENT, once, to = NULL), each copy
 * scheduled on a direction (SCHEDULED, with its arrival time and its bytes as they will
 * arrive), each drop (DROPPED, with the reason), each copy taken by recv() (DELIVERED).
 */
enum sk_simnet_event_type {
	SK_SIMNET_EV_SENT,
	SK_SIMNET_EV_SCHEDULED,
	SK_SIMNET_EV_DROPPED,
	SK_SIMNET_EV_DELIVERED,
};

#define SK_SIMNET_F_DUPLICATE 0x1u /* the extra copy of a duplicated frame */
#define SK_SIMNET_F_CORRUPTED 0x2u
#define SK_SIMNET_F_REORDERED 0x4u
#define SK_SIMNET_F_DELAYED   0x8u /* by a rule or the hook */

struct sk_simnet_event {
	enum sk_simnet_event_type type;
	enum sk_simnet_drop reason; /* DROPPED */
	unsigned flags;		    /* SCHEDULED, DELIVERED: SK_SIMNET_F_* */
	struct sk_dev *from, *to;
	uint64_t now;
	uint64_t at; /* SCHEDULED: arrival time */
	const uint8_t *data;
	size_t len;
};

typedef void (*sk_simnet_observer_fn)(void *arg, const struct sk_simnet_event *ev);
void sk_simnet_set_observer(struct sk_simnet *net, sk_simnet_observer_fn fn, void *arg);

/* Counters of the direction from -> to, or of the whole network. */
int sk_simnet_path_counters(const struct sk_simnet *net, struct sk_dev *from, struct sk_dev *to,
			    struct sk_simnet_counters *c);
void sk_simnet_counters(const struct sk_simnet *net, struct sk_simnet_counters *c);
const char *sk_simnet_drop_name(enum sk_simnet_drop reason);

/*
 * Capture
 * -------
 * A network view into a pcap writer (link/pcapdev.h), which stays the caller's to close
 * (after the network is freed or the capture is removed):
 *   SK_SIMNET_CAP_WIRE: every frame as a sender puts it on the link, once, stamped with its
 *     send time, before any impairment: what tcpdump on the segment next to the sender
 *     would see, including frames that are lost later. The record is written when send()
 *     returns, once the frame's fate on every direction is decided, and with a pcapng
 *     writer it carries what the network did to it as comments, in the order it happened:
 *       "lost: REASON"  dropped (REASON as sk_simnet_drop_name gives it);
 *       "duplicate"     an extra copy was delivered (one comment per copy);
 *       "corrupted: bit N flipped (byte B ^ 0xMM)"  the copy delivered had bit N of the
 *                       frame flipped (N from the frame's first byte: byte N / 8, mask
 *                       1 << N % 8);
 *     a copy with more than one of these gets them in one comment, joined by ", "
 *     ("duplicate, corrupted: ..."), and a frame that went to several receivers (an
 *     Ethernet broadcast) names the receiver after each: "lost: loss (to NAME)". A frame
 *     with none of these has no comment. Drops decided later, when the frame was already
 *     recorded, are not marked: a receiver's recv() buffer too small (RXBUF), a receiver
 *     closed with the frame in flight (NOROUTE);
 *   SK_SIMNET_CAP_DELIVERED: every copy as a receiver takes it, at the recv time, with its
 *     corruption, duplicates and new order: what the receivers saw (no comments).
 */
enum sk_simnet_cap_point { SK_SIMNET_CAP_WIRE, SK_SIMNET_CAP_DELIVERED, SK_SIMNET_CAP_COUNT };
struct sk_pcap_writer;
/* Records the given point into w (NULL stops); timestamps are time_base_us + now. */
void sk_simnet_set_capture(struct sk_simnet *net, enum sk_simnet_cap_point point,
			   struct sk_pcap_writer *w, uint64_t time_base_us);

#endif
