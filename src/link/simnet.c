/* The simulated network: routing on links, per-direction FIFOs and impairments, scripted
 * rules, and per-endpoint arrival heaps on a caller-driven virtual clock. */
#include "link/simnet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/pcapdev.h"
#include "base/rng.h"

#define DEFAULT_MTU	 1500u
#define DEFAULT_RX_LIMIT 16384u
#define DEFAULT_HOLD_US	 1000u
#define MAX_ADDRS	 8u
#define MAX_COPIES	 16u /* a frame and its duplicates, whatever rules and hook ask */
#define NS_PER_US	 1000u

/* One copy of a frame on its way to a receiver. */
struct frame {
	uint64_t at;  /* arrival, µs */
	uint64_t seq; /* scheduling order: ties at the same time keep it */
	struct endpoint *from;
	unsigned flags;
	size_t len;
	uint8_t data[];
};

#define GE_IDLE_US 1000 /* a direction idle this long leaves a loss burst (see simnet.h) */

struct direction {
	int has_own;
	struct sk_simnet_params own;
	/* The end of the last serialization, exactly: busy_ns + busy_frac / busy_rate ns.
	 * Keeping the fraction means rates that do not divide a frame's bits into whole
	 * nanoseconds neither gain nor lose time frame after frame. */
	uint64_t busy_ns, busy_frac, busy_rate;
	uint64_t *fifo; /* ring of the serialization end times of frames in the FIFO */
	uint32_t fifo_cap, fifo_head, fifo_len;
	int ge_bad;        /* Gilbert-Elliott: in the bad state */
	uint64_t ge_last;  /* when the direction last sent a frame (µs) */
	struct sk_simnet_counters c;
};

struct endpoint {
	struct sk_dev dev; /* first: the device ops get a pointer to it */
	struct sk_simnet *net;
	int link;
	uint32_t index;
	int closed;
	uint8_t mac[SK_ETH_ALEN];
	uint32_t addrs[MAX_ADDRS];
	unsigned naddrs;
	uint8_t addrs6[MAX_ADDRS][16];
	unsigned naddrs6;
	struct frame **heap; /* min-heap on (at, seq) */
	uint32_t heap_len, heap_cap;
	struct direction *dirs; /* by destination endpoint index */
	uint32_t ndirs;
};

struct link {
	struct sk_simnet_params p;
	struct endpoint **members;
	uint32_t nmembers, cap;
};

struct rule {
	struct sk_simnet_rule r;
	uint64_t matched, applied;
};

struct capture {
	struct sk_pcap_writer *w;
	uint64_t time_base_us;
};

/* Something the network did to the frame being sent, for its wire record: a drop, or a
 * copy that was duplicated, corrupted or dropped (one pcapng comment each). */
#define NOTE_LEN 160
struct note {
	const struct endpoint *to; /* NULL: no route */
	char text[NOTE_LEN];
};

struct sk_simnet {
	int linktype;
	struct sk_rng rng;
	uint64_t now;
	uint64_t seq;
	uint32_t rx_limit;
	struct link *links;
	uint32_t nlinks;
	struct endpoint **eps;
	uint32_t neps;
	struct rule *rules;
	uint32_t nrules;
	sk_simnet_hook_fn hook;
	void *hook_arg;
	sk_simnet_observer_fn observer;
	void *observer_arg;
	struct capture cap[SK_SIMNET_CAP_COUNT];
	/* The notes of the frames being sent (a stack: a hook or observer may send too), and
	 * how many directions the innermost went to; texts points into notes for the writer. */
	struct note *notes;
	const char **texts;
	uint32_t nnotes, notes_cap, ntx;
	struct sk_simnet_counters unrouted; /* frames no endpoint was found for */
};

static const struct sk_dev_ops endpoint_ops;

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t us_to_ns(uint64_t us)
{
	return us > UINT64_MAX / NS_PER_US ? UINT64_MAX : us * NS_PER_US;
}

/* Time only moves forward: a late caller acts at the latest time already seen. */
static uint64_t advance(struct sk_simnet *net, uint64_t now)
{
	if (now > net->now)
		net->now = now;
	return net->now;
}

static struct endpoint *endpoint_of(const struct sk_simnet *net, struct sk_dev *d)
{
	if (!d || d->ops != &endpoint_ops)
		return NULL;
	struct endpoint *ep = (struct endpoint *)d;
	return ep->net == net ? ep : NULL;
}

static size_t link_header_len(const struct sk_simnet *net)
{
	return net->linktype == SK_LINK_ETHERNET ? SK_ETH_HLEN : 0;
}

static int check_params(const struct sk_simnet_params *p)
{
	const double probs[] = {p->loss, p->duplicate, p->reorder, p->corrupt, p->ge_enter, p->ge_leave, p->ge_bad_loss};
	for (size_t i = 0; i < sizeof(probs) / sizeof(probs[0]); i++)
		if (!(probs[i] >= 0 && probs[i] <= 1)) /* NaN fails too */
			return -EINVAL;
	if ((p->mtu && (p->mtu < 68 || p->mtu > 65535)) || p->queue_limit > SK_SIMNET_QUEUE_MAX)
		return -EINVAL;
	return 0;
}

/* --- observation ------------------------------------------------------------------------- */

static void notify(struct sk_simnet *net, const struct sk_simnet_event *ev)
{
	if (net->observer)
		net->observer(net->observer_arg, ev);
}

static void capture(struct sk_simnet *net, enum sk_simnet_cap_point point, uint64_t now,
		    const uint8_t *data, size_t len)
{
	struct capture *c = &net->cap[point];
	if (c->w)
		sk_pcap_writer_write(c->w, add_sat(c->time_base_us, now), data, len);
}

/* Adds a note on the frame being sent, when a wire capture will record it. Without memory
 * the note is lost, not the frame. */
static void note(struct sk_simnet *net, const struct endpoint *to, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct sk_simnet *net, const struct endpoint *to, const char *fmt, ...)
{
	if (!net->cap[SK_SIMNET_CAP_WIRE].w)
		return;
	if (net->nnotes == net->notes_cap) {
		uint32_t cap = net->notes_cap ? net->notes_cap * 2 : 8;
		struct note *n = realloc(net->notes, cap * sizeof(*n));
		if (!n)
			return;
		net->notes = n;
		const char **t = realloc(net->texts, cap * sizeof(*t));
		if (!t)
			return;
		net->texts = t;
		net->notes_cap = cap;
	}
	struct note *n = &net->notes[net->nnotes++];
	n->to = to;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* The wire record of a frame, written once send() has decided its fate on every direction
 * (notes from `first` on): a frame that went to several receivers names each in its notes. */
static void capture_wire(struct sk_simnet *net, uint32_t first, uint64_t now,
			 const uint8_t *data, size_t len)
{
	struct capture *c = &net->cap[SK_SIMNET_CAP_WIRE];
	if (!c->w)
		return;
	uint32_t n = net->nnotes > first ? net->nnotes - first : 0;
	for (uint32_t i = 0; i < n; i++) {
		struct note *nt = &net->notes[first + i];
		size_t used = strlen(nt->text);
		if (net->ntx > 1 && nt->to)
			snprintf(nt->text + used, sizeof(nt->text) - used, " (to %s)",
				 nt->to->dev.name);
		net->texts[first + i] = nt->text;
	}
	sk_pcap_writer_write_comments(c->w, add_sat(c->time_base_us, now), data, len,
				      n ? net->texts + first : NULL, n);
}

static void count_drop(struct sk_simnet *net, struct sk_simnet_counters *c, enum sk_simnet_drop why,
		       struct endpoint *from, struct endpoint *to, uint64_t now,
		       const uint8_t *data, size_t len)
{
	c->dropped[why]++;
	struct sk_simnet_event ev = {
		.type = SK_SIMNET_EV_DROPPED,
		.reason = why,
		.from = from ? &from->dev : NULL,
		.to = to ? &to->dev : NULL,
		.now = now,
		.data = data,
		.len = len,
	};
	notify(net, &ev);
}

/* --- arrival heap ------------------------------------------------------------------------ */

static int frame_before(const struct frame *a, const struct frame *b)
{
	return a->at != b->at ? a->at < b->at : a->seq < b->seq;
}

static int heap_push(struct endpoint *ep, struct frame *f)
{
	if (ep->heap_len == ep->heap_cap) {
		uint32_t cap = ep->heap_cap ? ep->heap_cap * 2 : 16;
		struct frame **h = realloc(ep->heap, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		ep->heap = h;
		ep->heap_cap = cap;
	}
	uint32_t i = ep->heap_len++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!frame_before(f, ep->heap[parent]))
			break;
		ep->heap[i] = ep->heap[parent];
		i = parent;
	}
	ep->heap[i] = f;
	return 0;
}

static struct frame *heap_pop(struct endpoint *ep)
{
	struct frame *top = ep->heap[0];
	struct frame *last = ep->heap[--ep->heap_len];
	uint32_t i = 0, n = ep->heap_len;
	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && frame_before(ep->heap[child + 1], ep->heap[child]))
			child++;
		if (!frame_before(ep->heap[child], last))
			break;
		ep->heap[i] = ep->heap[child];
		i = child;
	}
	if (n)
		ep->heap[i] = last;
	return top;
}

/* --- directions and their FIFO ----------------------------------------------------------- */

static struct direction *find_dir(const struct endpoint *from, const struct endpoint *to)
{
	return to->index < from->ndirs ? &from->dirs[to->index] : NULL;
}

static struct direction *get_dir(struct endpoint *from, const struct endpoint *to)
{
	if (to->index >= from->ndirs) {
		uint32_t n = from->net->neps;
		struct direction *d = realloc(from->dirs, n * sizeof(*d));
		if (!d)
			return NULL;
		memset(d + from->ndirs, 0, (n - from->ndirs) * sizeof(*d));
		from->dirs = d;
		from->ndirs = n;
	}
	return &from->dirs[to->index];
}

static const struct sk_simnet_params *
dir_params(const struct sk_simnet *net, const struct endpoint *from, const struct direction *d)
{
	return d->has_own ? &d->own : &net->links[from->link].p;
}

static void fifo_expire(struct direction *d, uint64_t now_ns)
{
	while (d->fifo_len && d->fifo[d->fifo_head] <= now_ns) {
		d->fifo_head = (d->fifo_head + 1) % d->fifo_cap;
		d->fifo_len--;
	}
}

static int fifo_push(struct direction *d, uint64_t end_ns)
{
	if (d->fifo_len == d->fifo_cap) {
		uint32_t cap = d->fifo_cap ? d->fifo_cap * 2 : 16;
		uint64_t *q = malloc(cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		for (uint32_t i = 0; i < d->fifo_len; i++)
			q[i] = d->fifo[(d->fifo_head + i) % d->fifo_cap];
		free(d->fifo);
		d->fifo = q;
		d->fifo_cap = cap;
		d->fifo_head = 0;
	}
	d->fifo[(d->fifo_head + d->fifo_len) % d->fifo_cap] = end_ns;
	d->fifo_len++;
	return 0;
}

/* Queues len bytes behind whatever is being serialized; returns when they have left, in ns
 * rounded up (a frame never arrives early). */
static uint64_t serialize(struct direction *d, uint64_t rate, uint64_t now_ns, size_t len)
{
	/* An idle link, or a new rate whose fraction means something else: start afresh,
	 * rounding the old end up. */
	if (d->busy_ns < now_ns || (d->busy_ns == now_ns && d->busy_frac == 0) ||
	    d->busy_rate != rate) {
		uint64_t end = d->busy_ns + (d->busy_frac != 0);
		d->busy_ns = end > now_ns ? end : now_ns;
		d->busy_frac = 0;
		d->busy_rate = rate;
	}
	if (rate) {
		uint64_t bits_ns = (uint64_t)len * 8 * 1000000000u;
		d->busy_ns = add_sat(d->busy_ns, bits_ns / rate);
		d->busy_frac += bits_ns % rate;
		if (d->busy_frac >= rate) {
			d->busy_frac -= rate;
			d->busy_ns = add_sat(d->busy_ns, 1);
		}
	}
	return add_sat(d->busy_ns, d->busy_frac != 0);
}

/* --- rules ------------------------------------------------------------------------------- */

static size_t l4_payload(const struct sk_decoded *dec)
{
	switch (dec->l4) {
	case SK_L4_TCP:
		return dec->tcp.payload_len;
	case SK_L4_UDP:
		return dec->udp.payload_len;
	case SK_L4_ICMP:
		return dec->icmp.data_len;
	case SK_L4_ICMP6:
		return dec->icmp6.data_len;
	default:
		return 0;
	}
}

static int rule_matches(const struct sk_simnet_rule *r, const struct endpoint *from,
			const struct endpoint *to, const struct sk_decoded *dec)
{
	if ((r->from && r->from != &from->dev) || (r->to && r->to != &to->dev))
		return 0;
	if (r->l4 != SK_L4_NONE && dec->l4 != r->l4)
		return 0;
	if (r->flags_mask &&
	    (dec->l4 != SK_L4_TCP || (dec->tcp.flags & r->flags_mask) != r->flags_value))
		return 0;
	return l4_payload(dec) >= r->min_payload;
}

static void apply_rules(struct sk_simnet *net, const struct endpoint *from,
			const struct endpoint *to, const struct sk_decoded *dec,
			struct sk_simnet_verdict *v)
{
	for (uint32_t i = 0; i < net->nrules; i++) {
		struct rule *ru = &net->rules[i];
		const struct sk_simnet_rule *r = &ru->r;
		if (!rule_matches(r, from, to, dec))
			continue;
		uint64_t n = ++ru->matched;
		if ((r->first && n < r->first) || (r->last && n > r->last))
			continue;
		if (r->limit && ru->applied >= r->limit)
			continue;
		ru->applied++;
		switch (r->action) {
		case SK_SIMNET_DROP:
			v->drop = 1;
			break;
		case SK_SIMNET_DELAY:
			v->delay_us = add_sat(v->delay_us, r->delay_us);
			break;
		case SK_SIMNET_DUPLICATE:
			v->duplicates++;
			break;
		case SK_SIMNET_CORRUPT:
			v->corrupt = 1;
			break;
		}
	}
}

/* --- the path of one frame --------------------------------------------------------------- */

/* Returns the bit flipped, counted from the frame's first: byte bit / 8, mask 1 << bit % 8. */
static uint64_t flip_random_bit(struct sk_simnet *net, uint8_t *data, size_t len)
{
	size_t off = link_header_len(net);
	uint64_t bit = sk_rng_below(&net->rng, (uint64_t)(len - off) * 8);
	data[off + bit / 8] ^= (uint8_t)(1u << (bit % 8));
	return (uint64_t)off * 8 + bit;
}

static void note_lost(struct sk_simnet *net, const struct endpoint *to, enum sk_simnet_drop why)
{
	note(net, to, "lost: %s", sk_simnet_drop_name(why));
}

/* Schedules one copy; base is its arrival before reordering and jitter. */
static int schedule_copy(struct sk_simnet *net, struct direction *d,
			 const struct sk_simnet_params *p, struct endpoint *from,
			 struct endpoint *to, const uint8_t *data, size_t len, uint64_t now,
			 uint64_t base, unsigned flags, int force_corrupt)
{
	struct frame *f = malloc(sizeof(*f) + len);
	if (!f)
		return -ENOMEM;
	memcpy(f->data, data, len);
	int corruptible = len > link_header_len(net);
	uint64_t bit = 0;
	if (corruptible && (force_corrupt || sk_rng_bernoulli(&net->rng, p->corrupt))) {
		bit = flip_random_bit(net, f->data, len);
		flags |= SK_SIMNET_F_CORRUPTED;
		d->c.corrupted++;
	}
	/* What the wire record says of this copy: "duplicate", "corrupted: ...", "lost: queue",
	 * joined by ", " when there is more than one. */
	char what[NOTE_LEN];
	what[0] = '\0';
	int noting = net->cap[SK_SIMNET_CAP_WIRE].w != NULL;
	if (noting && (flags & SK_SIMNET_F_DUPLICATE))
		snprintf(what, sizeof(what), "duplicate");
	if (noting && (flags & SK_SIMNET_F_CORRUPTED)) {
		size_t u = strlen(what);
		snprintf(what + u, sizeof(what) - u,
			 "%scorrupted: bit %llu flipped (byte %llu ^ 0x%02x)", u ? ", " : "",
			 (unsigned long long)bit, (unsigned long long)(bit / 8), 1u << (bit % 8));
	}
	uint64_t at = base;
	if (sk_rng_bernoulli(&net->rng, p->reorder)) {
		at = add_sat(at, p->reorder_hold_us ? p->reorder_hold_us : DEFAULT_HOLD_US);
		flags |= SK_SIMNET_F_REORDERED;
		d->c.reordered++;
	}
	if (p->jitter_us)
		at = add_sat(at, sk_rng_below(&net->rng, add_sat(p->jitter_us, 1)));
	if (flags & SK_SIMNET_F_DELAYED)
		d->c.delayed++;
	if (to->heap_len >= net->rx_limit) {
		count_drop(net, &d->c, SK_SIMNET_DROP_QUEUE, from, to, now, f->data, len);
		note(net, to, "%s%slost: %s", what, what[0] ? ", " : "",
		     sk_simnet_drop_name(SK_SIMNET_DROP_QUEUE));
		free(f);
		return 0;
	}
	if (what[0])
		note(net, to, "%s", what);
	f->at = at;
	f->seq = net->seq++;
	f->from = from;
	f->flags = flags;
	f->len = len;
	if (heap_push(to, f) < 0) {
		free(f);
		return -ENOMEM;
	}
	struct sk_simnet_event ev = {
		.type = SK_SIMNET_EV_SCHEDULED,
		.flags = flags,
		.from = &from->dev,
		.to = &to->dev,
		.now = now,
		.at = at,
		.data = f->data,
		.len = len,
	};
	notify(net, &ev);
	return 0;
}

static int transmit(struct sk_simnet *net, struct endpoint *from, struct endpoint *to,
		    const uint8_t *data, size_t len, uint64_t now, const struct sk_decoded *dec)
{
	struct direction *d = get_dir(from, to);
	if (!d)
		return -ENOMEM;
	const struct sk_simnet_params *p = dir_params(net, from, d);
	d->c.sent++;
	d->c.bytes_sent += len;
	net->ntx++;
	if (to->closed) {
		count_drop(net, &d->c, SK_SIMNET_DROP_NOROUTE, from, to, now, data, len);
		note_lost(net, to, SK_SIMNET_DROP_NOROUTE);
		return 0;
	}

	struct sk_simnet_verdict v = {0};
	if (dec) {
		apply_rules(net, from, to, dec, &v);
		if (net->hook) {
			struct sk_simnet_frame fr = {&from->dev, &to->dev, now, data, len, dec};
			net->hook(net->hook_arg, &fr, &v);
		}
	}
	if (v.drop) {
		count_drop(net, &d->c, SK_SIMNET_DROP_RULE, from, to, now, data, len);
		note_lost(net, to, SK_SIMNET_DROP_RULE);
		return 0;
	}

	uint64_t now_ns = us_to_ns(now);
	fifo_expire(d, now_ns);
	if (p->queue_limit && d->fifo_len >= p->queue_limit) {
		count_drop(net, &d->c, SK_SIMNET_DROP_QUEUE, from, to, now, data, len);
		note_lost(net, to, SK_SIMNET_DROP_QUEUE);
		return 0;
	}
	uint64_t end_ns = serialize(d, p->rate_bps, now_ns, len);
	if (p->queue_limit) {
		if (fifo_push(d, end_ns) < 0)
			return -ENOMEM;
	} else {
		d->fifo_len = 0; /* an unbounded FIFO keeps no book */
	}
	uint64_t tx_end = end_ns / NS_PER_US + (end_ns % NS_PER_US != 0);

	int lost = sk_rng_bernoulli(&net->rng, p->loss);
	if (p->ge_enter > 0) {
		/* the state this frame is sent in, then its fate in it */
		if (now - d->ge_last > GE_IDLE_US)
			d->ge_bad = 0;
		d->ge_last = now;
		if (d->ge_bad ? sk_rng_bernoulli(&net->rng, p->ge_leave) : sk_rng_bernoulli(&net->rng, p->ge_enter))
			d->ge_bad = !d->ge_bad;
		if (d->ge_bad && sk_rng_bernoulli(&net->rng, p->ge_bad_loss > 0 ? p->ge_bad_loss : 1.0))
			lost = 1;
	}
	if (lost) {
		count_drop(net, &d->c, SK_SIMNET_DROP_LOSS, from, to, now, data, len);
		note_lost(net, to, SK_SIMNET_DROP_LOSS);
		return 0;
	}
	unsigned extra = v.duplicates + (unsigned)sk_rng_bernoulli(&net->rng, p->duplicate);
	unsigned copies = extra < v.duplicates || extra >= MAX_COPIES ? MAX_COPIES : 1 + extra;
	d->c.duplicated += copies - 1;

	uint64_t base = add_sat(add_sat(tx_end, p->delay_us), v.delay_us);
	unsigned flags = v.delay_us ? SK_SIMNET_F_DELAYED : 0;
	for (unsigned i = 0; i < copies; i++) {
		int r = schedule_copy(net, d, p, from, to, data, len, now, base,
				      flags | (i ? SK_SIMNET_F_DUPLICATE : 0), i == 0 && v.corrupt);
		if (r < 0)
			return r;
	}
	return 0;
}

static int has_addr(const struct endpoint *ep, uint32_t addr)
{
	for (unsigned i = 0; i < ep->naddrs; i++)
		if (ep->addrs[i] == addr)
			return 1;
	return 0;
}

static int has_addr6(const struct endpoint *ep, const uint8_t *addr)
{
	for (unsigned i = 0; i < ep->naddrs6; i++)
		if (memcmp(ep->addrs6[i], addr, 16) == 0)
			return 1;
	return 0;
}

static struct endpoint *route_raw(const struct link *l, const struct endpoint *from,
				  const uint8_t *data, size_t len)
{
	if (len >= SK_IPV4_MIN_HLEN && data[0] >> 4 == 4) {
		uint32_t dst = sk_get32(data + 16);
		for (uint32_t i = 0; i < l->nmembers; i++)
			if (l->members[i] != from && has_addr(l->members[i], dst))
				return l->members[i];
	}
	if (len >= 40 && data[0] >> 4 == 6) {
		for (uint32_t i = 0; i < l->nmembers; i++)
			if (l->members[i] != from && has_addr6(l->members[i], data + 24))
				return l->members[i];
	}
	if (l->nmembers == 2)
		return l->members[0] == from ? l->members[1] : l->members[0];
	return NULL;
}

static int route_eth(struct sk_simnet *net, const struct link *l, struct endpoint *from,
		     const uint8_t *data, size_t len, uint64_t now, const struct sk_decoded *dec)
{
	int found = 0;
	if (data[0] & 1) { /* group address: every other station */
		for (uint32_t i = 0; i < l->nmembers; i++) {
			struct endpoint *to = l->members[i];
			if (to == from || to->closed)
				continue;
			found = 1;
			int r = transmit(net, from, to, data, len, now, dec);
			if (r < 0)
				return r;
		}
		return found;
	}
	for (uint32_t i = 0; i < l->nmembers; i++) {
		struct endpoint *to = l->members[i];
		if (to != from && memcmp(to->mac, data, SK_ETH_ALEN) == 0) {
			int r = transmit(net, from, to, data, len, now, dec);
			return r < 0 ? r : 1;
		}
	}
	return 0;
}

/* --- the endpoint device ----------------------------------------------------------------- */

static int endpoint_send(struct sk_dev *dev, const uint8_t *data, size_t len, uint64_t now)
{
	struct endpoint *from = (struct endpoint *)dev;
	struct sk_simnet *net = from->net;
	if (from->closed)
		return -ENODEV;
	size_t hdr = link_header_len(net);
	if (len == 0 || len < hdr)
		return -EINVAL;
	if (len > dev->mtu + hdr)
		return -EMSGSIZE;
	now = advance(net, now);

	struct sk_simnet_event ev = {
		.type = SK_SIMNET_EV_SENT, .from = dev, .now = now, .data = data, .len = len};
	notify(net, &ev);
	/* The wire record waits until the frame's fate is known, so that its notes can say
	 * what became of it; a send from within this one (hook, observer) notes above it. */
	uint32_t first_note = net->nnotes, outer_ntx = net->ntx;
	net->ntx = 0;

	/* Decoding costs a little: only rules and the hook need it. */
	struct sk_decoded dec, *decp = NULL;
	if (net->nrules || net->hook) {
		sk_decode(data, len, net->linktype, 0, &dec);
		decp = &dec;
	}
	const struct link *l = &net->links[from->link];
	int r;
	if (net->linktype == SK_LINK_ETHERNET) {
		r = route_eth(net, l, from, data, len, now, decp);
	} else {
		struct endpoint *to = route_raw(l, from, data, len);
		r = to ? transmit(net, from, to, data, len, now, decp) : 0;
		if (r == 0 && to)
			r = 1;
	}
	if (r == 0) {
		net->unrouted.sent++;
		net->unrouted.bytes_sent += len;
		count_drop(net, &net->unrouted, SK_SIMNET_DROP_NOROUTE, from, NULL, now, data, len);
		note_lost(net, NULL, SK_SIMNET_DROP_NOROUTE);
	}
	capture_wire(net, first_note, now, data, len);
	net->nnotes = first_note;
	net->ntx = outer_ntx;
	return r < 0 ? r : 0;
}

static int endpoint_recv(struct sk_dev *dev, uint8_t *buf, size_t cap, uint64_t now)
{
	struct endpoint *ep = (struct endpoint *)dev;
	struct sk_simnet *net = ep->net;
	now = advance(net, now);
	if (ep->heap_len == 0 || ep->heap[0]->at > now)
		return 0;
	struct frame *f = heap_pop(ep);
	struct direction *d = find_dir(f->from, ep);
	int r;
	if (f->len > cap) {
		count_drop(net, &d->c, SK_SIMNET_DROP_RXBUF, f->from, ep, now, f->data, f->len);
		r = -EMSGSIZE;
	} else {
		memcpy(buf, f->data, f->len);
		d->c.delivered++;
		d->c.bytes_delivered += f->len;
		struct sk_simnet_event ev = {
			.type = SK_SIMNET_EV_DELIVERED,
			.flags = f->flags,
			.from = &f->from->dev,
			.to = dev,
			.now = now,
			.at = f->at,
			.data = buf,
			.len = f->len,
		};
		notify(net, &ev);
		capture(net, SK_SIMNET_CAP_DELIVERED, now, buf, f->len);
		r = (int)f->len;
	}
	free(f);
	return r;
}

static uint64_t endpoint_next_ready(struct sk_dev *dev)
{
	struct endpoint *ep = (struct endpoint *)dev;
	return ep->heap_len ? ep->heap[0]->at : SK_TIME_NEVER;
}

static void flush_pending(struct endpoint *ep, int count)
{
	while (ep->heap_len) {
		struct frame *f = heap_pop(ep);
		if (count) {
			struct direction *d = find_dir(f->from, ep);
			count_drop(ep->net, &d->c, SK_SIMNET_DROP_NOROUTE, f->from, ep,
				   ep->net->now, f->data, f->len);
		}
		free(f);
	}
}

/* The network owns the memory; closing only takes the endpoint off the air. */
static void endpoint_close(struct sk_dev *dev)
{
	struct endpoint *ep = (struct endpoint *)dev;
	ep->closed = 1;
	flush_pending(ep, 1);
}

static const struct sk_dev_ops endpoint_ops = {
	.send = endpoint_send,
	.recv = endpoint_recv,
	.next_ready = endpoint_next_ready,
	.close = endpoint_close,
};

/* --- public API -------------------------------------------------------------------------- */

struct sk_simnet *sk_simnet_new(uint64_t seed, int linktype, int *err)
{
	if (linktype == SK_LINK_RAW_DLT)
		linktype = SK_LINK_RAW;
	if (linktype != SK_LINK_RAW && linktype != SK_LINK_ETHERNET) {
		if (err)
			*err = -EINVAL;
		return NULL;
	}
	struct sk_simnet *net = calloc(1, sizeof(*net));
	if (!net) {
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	net->linktype = linktype;
	net->rx_limit = DEFAULT_RX_LIMIT;
	sk_rng_seed(&net->rng, seed);
	return net;
}

void sk_simnet_free(struct sk_simnet *net)
{
	if (!net)
		return;
	for (uint32_t i = 0; i < net->neps; i++) {
		struct endpoint *ep = net->eps[i];
		flush_pending(ep, 0);
		free(ep->heap);
		for (uint32_t j = 0; j < ep->ndirs; j++)
			free(ep->dirs[j].fifo);
		free(ep->dirs);
		free(ep);
	}
	for (uint32_t i = 0; i < net->nlinks; i++)
		free(net->links[i].members);
	free(net->links);
	free(net->eps);
	free(net->rules);
	free(net->notes);
	free(net->texts);
	free(net);
}

int sk_simnet_add_link(struct sk_simnet *net, const struct sk_simnet_params *p)
{
	struct sk_simnet_params ideal = SK_SIMNET_IDEAL;
	if (!p)
		p = &ideal;
	int r = check_params(p);
	if (r < 0)
		return r;
	if (net->nlinks >= INT32_MAX)
		return -ENOSPC;
	struct link *l = realloc(net->links, (net->nlinks + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	net->links = l;
	memset(&l[net->nlinks], 0, sizeof(*l));
	l[net->nlinks].p = *p;
	return (int)net->nlinks++;
}

int sk_simnet_set_link(struct sk_simnet *net, int link, const struct sk_simnet_params *p)
{
	if (link < 0 || (uint32_t)link >= net->nlinks || !p)
		return -EINVAL;
	int r = check_params(p);
	if (r < 0)
		return r;
	net->links[link].p = *p;
	return 0;
}

int sk_simnet_set_path(struct sk_simnet *net, struct sk_dev *from, struct sk_dev *to,
		       const struct sk_simnet_params *p)
{
	struct endpoint *a = endpoint_of(net, from), *b = endpoint_of(net, to);
	if (!a || !b || a == b || a->link != b->link)
		return -EINVAL;
	if (p) {
		int r = check_params(p);
		if (r < 0)
			return r;
	}
	struct direction *d = get_dir(a, b);
	if (!d)
		return -ENOMEM;
	d->has_own = p != NULL;
	if (p)
		d->own = *p;
	return 0;
}

struct sk_dev *sk_simnet_add_endpoint(struct sk_simnet *net, int link, const char *name, int *err)
{
	int e = -EINVAL;
	if (link < 0 || (uint32_t)link >= net->nlinks || net->neps >= 0xfffe)
		goto fail;
	e = -ENOMEM;
	struct link *l = &net->links[link];
	if (l->nmembers == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		struct endpoint **m = realloc(l->members, cap * sizeof(*m));
		if (!m)
			goto fail;
		l->members = m;
		l->cap = cap;
	}
	struct endpoint **eps = realloc(net->eps, (net->neps + 1) * sizeof(*eps));
	if (!eps)
		goto fail;
	net->eps = eps;
	struct endpoint *ep = calloc(1, sizeof(*ep));
	if (!ep)
		goto fail;
	ep->dev.ops = &endpoint_ops;
	ep->dev.linktype = net->linktype;
	ep->dev.mtu = l->p.mtu ? l->p.mtu : DEFAULT_MTU;
	snprintf(ep->dev.name, sizeof(ep->dev.name), "%s", name ? name : "");
	ep->net = net;
	ep->link = link;
	ep->index = net->neps;
	uint32_t id = ep->index + 1;
	const uint8_t mac[SK_ETH_ALEN] = {0x02, 0, 0, 0, (uint8_t)(id >> 8), (uint8_t)id};
	memcpy(ep->mac, mac, sizeof(mac));
	net->eps[net->neps++] = ep;
	l->members[l->nmembers++] = ep;
	return &ep->dev;
fail:
	if (err)
		*err = e;
	return NULL;
}

int sk_simnet_add_addr(struct sk_simnet *net, struct sk_dev *dev, uint32_t addr)
{
	struct endpoint *ep = endpoint_of(net, dev);
	if (!ep)
		return -EINVAL;
	if (has_addr(ep, addr))
		return 0;
	if (ep->naddrs == MAX_ADDRS)
		return -ENOSPC;
	ep->addrs[ep->naddrs++] = addr;
	return 0;
}

int sk_simnet_add_addr6(struct sk_simnet *net, struct sk_dev *dev, const uint8_t addr[16])
{
	struct endpoint *ep = endpoint_of(net, dev);
	if (!ep)
		return -EINVAL;
	if (has_addr6(ep, addr))
		return 0;
	if (ep->naddrs6 == MAX_ADDRS)
		return -ENOSPC;
	memcpy(ep->addrs6[ep->naddrs6++], addr, 16);
	return 0;
}

int sk_simnet_set_mac(struct sk_simnet *net, struct sk_dev *dev, const uint8_t mac[SK_ETH_ALEN])
{
	struct endpoint *ep = endpoint_of(net, dev);
	if (!ep || (mac[0] & 1))
		return -EINVAL;
	memcpy(ep->mac, mac, SK_ETH_ALEN);
	return 0;
}

int sk_simnet_get_mac(struct sk_simnet *net, struct sk_dev *dev, uint8_t mac[SK_ETH_ALEN])
{
	struct endpoint *ep = endpoint_of(net, dev);
	if (!ep)
		return -EINVAL;
	memcpy(mac, ep->mac, SK_ETH_ALEN);
	return 0;
}

int sk_simnet_set_rx_limit(struct sk_simnet *net, uint32_t frames)
{
	if (frames == 0)
		return -EINVAL;
	net->rx_limit = frames;
	return 0;
}

uint64_t sk_simnet_next_event(const struct sk_simnet *net)
{
	uint64_t t = SK_TIME_NEVER;
	for (uint32_t i = 0; i < net->neps; i++) {
		const struct endpoint *ep = net->eps[i];
		if (ep->heap_len && ep->heap[0]->at < t)
			t = ep->heap[0]->at;
	}
	return t;
}

size_t sk_simnet_pending(const struct sk_simnet *net)
{
	size_t n = 0;
	for (uint32_t i = 0; i < net->neps; i++)
		n += net->eps[i]->heap_len;
	return n;
}

uint64_t sk_simnet_now(const struct sk_simnet *net)
{
	return net->now;
}

int sk_simnet_add_rule(struct sk_simnet *net, const struct sk_simnet_rule *r)
{
	if ((r->from && !endpoint_of(net, r->from)) || (r->to && !endpoint_of(net, r->to)))
		return -EINVAL;
	if (r->first && r->last && r->last < r->first)
		return -EINVAL;
	if (r->action < SK_SIMNET_DROP || r->action > SK_SIMNET_CORRUPT)
		return -EINVAL;
	if (net->nrules >= INT32_MAX)
		return -ENOSPC;
	struct rule *rules = realloc(net->rules, (net->nrules + 1) * sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	net->rules = rules;
	rules[net->nrules] = (struct rule){.r = *r};
	return (int)net->nrules++;
}

int sk_simnet_rule_stats(const struct sk_simnet *net, int id, uint64_t *matched, uint64_t *applied)
{
	if (id < 0 || (uint32_t)id >= net->nrules)
		return -EINVAL;
	if (matched)
		*matched = net->rules[id].matched;
	if (applied)
		*applied = net->rules[id].applied;
	return 0;
}

void sk_simnet_clear_rules(struct sk_simnet *net)
{
	free(net->rules);
	net->rules = NULL;
	net->nrules = 0;
}

void sk_simnet_set_hook(struct sk_simnet *net, sk_simnet_hook_fn fn, void *arg)
{
	net->hook = fn;
	net->hook_arg = arg;
}

void sk_simnet_set_observer(struct sk_simnet *net, sk_simnet_observer_fn fn, void *arg)
{
	net->observer = fn;
	net->observer_arg = arg;
}

void sk_simnet_set_capture(struct sk_simnet *net, enum sk_simnet_cap_point point,
			   struct sk_pcap_writer *w, uint64_t time_base_us)
{
	if (point < SK_SIMNET_CAP_WIRE || point >= SK_SIMNET_CAP_COUNT)
		return;
	net->cap[point].w = w;
	net->cap[point].time_base_us = time_base_us;
}

static void add_counters(struct sk_simnet_counters *sum, const struct sk_simnet_counters *c)
{
	sum->sent += c->sent;
	sum->delivered += c->delivered;
	for (int i = 0; i < SK_SIMNET_DROP_COUNT; i++)
		sum->dropped[i] += c->dropped[i];
	sum->duplicated += c->duplicated;
	sum->corrupted += c->corrupted;
	sum->reordered += c->reordered;
	sum->delayed += c->delayed;
	sum->bytes_sent += c->bytes_sent;
	sum->bytes_delivered += c->bytes_delivered;
}

int sk_simnet_path_counters(const struct sk_simnet *net, struct sk_dev *from, struct sk_dev *to,
			    struct sk_simnet_counters *c)
{
	struct endpoint *a = endpoint_of(net, from), *b = endpoint_of(net, to);
	if (!a || !b)
		return -EINVAL;
	const struct direction *d = find_dir(a, b);
	memset(c, 0, sizeof(*c));
	if (d)
		*c = d->c;
	return 0;
}

void sk_simnet_counters(const struct sk_simnet *net, struct sk_simnet_counters *c)
{
	*c = net->unrouted;
	for (uint32_t i = 0; i < net->neps; i++) {
		const struct endpoint *ep = net->eps[i];
		for (uint32_t j = 0; j < ep->ndirs; j++)
			add_counters(c, &ep->dirs[j].c);
	}
}

const char *sk_simnet_drop_name(enum sk_simnet_drop reason)
{
	static const char *const names[SK_SIMNET_DROP_COUNT] = {
		[SK_SIMNET_DROP_LOSS] = "loss",	  [SK_SIMNET_DROP_QUEUE] = "queue",
		[SK_SIMNET_DROP_RULE] = "rule",	  [SK_SIMNET_DROP_NOROUTE] = "noroute",
		[SK_SIMNET_DROP_RXBUF] = "rxbuf",
	};
	return (unsigned)reason < SK_SIMNET_DROP_COUNT ? names[reason] : "?";
}
