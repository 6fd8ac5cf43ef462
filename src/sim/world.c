/* The simulated world: stacks and scripted peers on a simnet, one virtual clock, one log. */
#include "sim/world.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/siphash.h"
#include "link/pcapdev.h"
#include "stack/addr.h"
#include "trace/print.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"

struct peer_frame {
	uint8_t *data;
	size_t len;
};

struct host {
	struct sk_world *w;
	int index;
	char name[32];
	uint32_t addr;
	synack_stack *st; /* NULL for a scripted peer */
	struct sk_dev *ep;
	struct peer_frame *q; /* scripted peer: arrived frames */
	size_t qhead, qlen, qcap;
	uint8_t *last; /* scripted peer: bytes of the frame last returned */
	const char *why; /* the label of the segment the stack is about to send, or NULL */
};

/* The congestion state of one connection as last reported (--cc, --csv). */
struct cc_seen {
	int host;
	struct synack_sockaddr local, remote;
	uint32_t cwnd, ssthresh, in_flight, srtt, rto, una, nxt, wnd;
};

struct sk_world {
	struct sk_world_opts o;
	struct sk_simnet *net;
	int link;
	struct host hosts[SK_WORLD_MAX_HOSTS];
	int nhosts;
	uint64_t now;
	struct sk_pcap_writer *pcap;
	struct sk_rec *recs;
	size_t nrecs, caprecs;
	struct cc_seen *seen; /* --cc and --csv */
	size_t nseen, capseen;
	uint8_t buf[65536];
	uint8_t (*batch)[65536]; /* batch_rx: the frames of one batch (WORLD_BATCH), made on first use */
};

#define WORLD_BATCH 64 /* frames per synack_input_batch, as the runtime's device reads */

/* Virtual time as the segment lines print it: HH:MM:SS.uuuuuu. */
static void fmt_time(char *b, size_t n, uint64_t t)
{
	uint64_t s = t / 1000000;
	snprintf(b, n, "%02u:%02u:%02u.%06u", (unsigned)(s / 3600 % 24), (unsigned)(s / 60 % 60), (unsigned)(s % 60),
		 (unsigned)(t % 1000000));
}

static void fmt_addr(char *b, size_t n, const struct synack_sockaddr *a)
{
	char ip[SYNACK_IP_STRLEN];
	snprintf(b, n, "%s.%u", synack_ip_format(&a->ip, ip, sizeof(ip)) ? ip : "0.0.0.0", a->port);
}

/* A connection as tcpdump names it, "10.0.0.1.40001 > 10.0.0.2.6378"; a listener by its
 * local address alone. */
static void fmt_conn(char *b, size_t n, const struct synack_sockaddr *local, const struct synack_sockaddr *remote)
{
	char l[56], r[56];
	fmt_addr(l, sizeof(l), local);
	if (sk_ip_is_any(&remote->ip) && !remote->port) {
		snprintf(b, n, "%s", l);
		return;
	}
	fmt_addr(r, sizeof(r), remote);
	snprintf(b, n, "%s > %s", l, r);
}

static struct sk_rec *rec_add(struct sk_world *w, enum sk_rec_type type, int host)
{
	if (sk_grow(&w->recs, &w->caprecs, w->nrecs, sizeof(*w->recs), 256) < 0)
		return NULL;
	struct sk_rec *r = &w->recs[w->nrecs++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->t = w->now;
	r->host = host;
	return r;
}

static int host_of_dev(const struct sk_world *w, const struct sk_dev *d)
{
	for (int i = 0; i < w->nhosts; i++)
		if (w->hosts[i].ep == d)
			return i;
	return -1;
}

/* The frame as tcpdump prints it; a label (why it was sent) goes at the end of its line. */
static void print_frame(struct sk_world *w, const uint8_t *data, size_t len, const char *label)
{
	if (!w->o.trace)
		return;
	struct sk_pkt_meta m = {.sec = (int64_t)(w->now / 1000000), .usec = (uint32_t)(w->now % 1000000),
				.caplen = (uint32_t)len, .len = (uint32_t)len, .linktype = SK_LINK_RAW};
	if (!label) {
		sk_print_packet(w->o.trace, &m, data, w->o.print_flags, SK_TS_UTC);
		return;
	}
	char *text = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&text, &n);
	if (!mem) {
		sk_print_packet(w->o.trace, &m, data, w->o.print_flags, SK_TS_UTC);
		return;
	}
	sk_print_packet(mem, &m, data, w->o.print_flags, SK_TS_UTC);
	fclose(mem);
	if (n && text[n - 1] == '\n')
		text[--n] = 0;
	fprintf(w->o.trace, "%s  # %s\n", text, label);
	free(text);
}

/* Every frame a sender puts on the wire is logged and printed; a drop marks it. */
static void observe(void *arg, const struct sk_simnet_event *ev)
{
	struct sk_world *w = arg;
	if (ev->type == SK_SIMNET_EV_SENT) {
		int host = host_of_dev(w, ev->from);
		const char *label = NULL;
		if (host >= 0) {
			label = w->hosts[host].why;
			w->hosts[host].why = NULL;
		}
		if (w->o.no_log) {
			print_frame(w, ev->data, ev->len, label);
			return;
		}
		struct sk_rec *r = rec_add(w, SK_REC_SEG, host);
		if (!r)
			return;
		r->label = label;
		r->t_arr = UINT64_MAX;
		r->bytes = malloc(ev->len ? ev->len : 1);
		if (r->bytes) {
			memcpy(r->bytes, ev->data, ev->len);
			r->len = ev->len;
			sk_decode(r->bytes, r->len, SK_LINK_RAW, 1, &r->d);
		}
		print_frame(w, ev->data, ev->len, label);
	} else if (ev->type == SK_SIMNET_EV_SCHEDULED) {
		/* the frame just sent (the first copy of a duplicated one) arrives at ev->at */
		if (w->o.no_log || !w->nrecs || (ev->flags & SK_SIMNET_F_DUPLICATE))
			return;
		struct sk_rec *r = &w->recs[w->nrecs - 1];
		if (r->type == SK_REC_SEG && r->t_arr == UINT64_MAX) {
			r->t_arr = ev->at;
			r->corrupted = (ev->flags & SK_SIMNET_F_CORRUPTED) != 0;
		}
	} else if (ev->type == SK_SIMNET_EV_DROPPED) {
		for (size_t i = w->o.no_log ? 0 : w->nrecs; i-- > 0;) {
			if (w->recs[i].type == SK_REC_SEG) {
				w->recs[i].dropped = 1;
				break;
			}
		}
		if (w->o.trace)
			fprintf(w->o.trace, "#   (lost: %s)\n", sk_simnet_drop_name(ev->reason));
	}
}

struct sk_world *sk_world_new(const struct sk_world_opts *o, int *err)
{
	struct sk_world *w = calloc(1, sizeof(*w));
	int e = 0;
	if (!w) {
		e = -ENOMEM;
		goto fail;
	}
	if (o)
		w->o = *o;
	w->net = sk_simnet_new(w->o.seed, SK_LINK_RAW, &e);
	if (!w->net)
		goto fail;
	if (w->o.gso_max && !w->o.link.mtu)
		w->o.link.mtu = 65535; /* the link carries the hosts' super-frames */
	w->link = sk_simnet_add_link(w->net, &w->o.link);
	if (w->link < 0) {
		e = w->link;
		goto fail;
	}
	sk_simnet_set_observer(w->net, observe, w);
	if (w->o.pcap_path) {
		w->pcap = sk_pcap_writer_open_format(w->o.pcap_path, SK_LINK_RAW, SK_PCAP_PCAPNG,
						     &e);
		if (!w->pcap)
			goto fail;
		sk_simnet_set_capture(w->net, SK_SIMNET_CAP_WIRE, w->pcap, 0);
	}
	return w;
fail:
	if (w) {
		if (w->net)
			sk_simnet_free(w->net);
		free(w);
	}
	if (err)
		*err = e ? e : -ENOMEM;
	return NULL;
}

void sk_world_free(struct sk_world *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->nhosts; i++) {
		struct host *h = &w->hosts[i];
		synack_stack_free(h->st);
		for (size_t j = 0; j < h->qlen; j++)
			free(h->q[(h->qhead + j) % h->qcap].data);
		free(h->q);
		free(h->last);
	}
	sk_simnet_free(w->net);
	free(w->batch);
	if (w->pcap)
		sk_pcap_writer_close(w->pcap);
	for (size_t i = 0; i < w->nrecs; i++) {
		free(w->recs[i].bytes);
		free(w->recs[i].text);
	}
	free(w->recs);
	free(w->seen);
	free(w);
}

static int host_output(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct host *h = ctx;
	return sk_dev_send(h->ep, pkt, len, now);
}

static void on_event(void *ctx, const struct synack_event *e);


static int add_endpoint(struct sk_world *w, const char *name, uint32_t addr)
{
	if (w->nhosts == SK_WORLD_MAX_HOSTS)
		return -ENOSPC;
	int e = 0;
	struct host *h = &w->hosts[w->nhosts];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->w = w;
	h->index = w->nhosts;
	h->addr = addr;
	h->ep = sk_simnet_add_endpoint(w->net, w->link, name, &e);
	if (!h->ep)
		return e;
	sk_simnet_add_addr(w->net, h->ep, addr);
	if (w->o.ipv6) {
		struct synack_ip a6 = sk_world_ip6(addr);
		sk_simnet_add_addr6(w->net, h->ep, a6.bytes);
	}
	return w->nhosts++;
}

int sk_world_add_host(struct sk_world *w, const char *name, uint32_t addr, const struct synack_config *cfg)
{
	int i = add_endpoint(w, name, addr);
	if (i < 0)
		return i;
	struct host *h = &w->hosts[i];
	struct synack_config c;
	if (cfg)
		c = *cfg;
	else
		synack_config_defaults(&c);
	/* Reproducible secrets: a function of the world's seed and the host. */
	struct sk_siphash_key k = {w->o.seed, 0x73796e61636b0000ull + (uint64_t)i};
	uint64_t a = sk_siphash(&k, "secret-a", 8), b = sk_siphash(&k, "secret-b", 8);
	memcpy(c.secret, &a, 8);
	memcpy(c.secret + 8, &b, 8);
	c.seed = sk_siphash(&k, "seed", 4);
	int e = 0;
	h->st = synack_stack_new(&c, &e);
	if (!h->st) {
		w->nhosts--;
		return e;
	}
	int r = sk_add_addr4(h->st, addr, 24, 1500, host_output, h);
	if (r < 0)
		return r;
	if (w->o.gso_max && (r = synack_set_gso(h->st, r, w->o.gso_max)) < 0)
		return r;
	if (w->o.ipv6) {
		struct synack_ip a6 = sk_world_ip6(addr);
		if ((r = synack_add_addr(h->st, &a6, 64, 1500, host_output, h)) < 0)
			return r;
		if (w->o.gso_max && (r = synack_set_gso(h->st, r, w->o.gso_max)) < 0)
			return r;
	}
	synack_set_event_hook(h->st, on_event, h);
	return i;
}

int sk_world_add_peer(struct sk_world *w, const char *name, uint32_t addr)
{
	return add_endpoint(w, name, addr);
}

static void on_event(void *ctx, const struct synack_event *e)
{
	struct host *h = ctx;
	struct sk_world *w = h->w;
	if (e->type == SYNACK_EVENT_SEGMENT) {
		h->why = e->cause; /* a static string: the next frame h sends carries it */
		return;
	}
	if (e->type != SYNACK_EVENT_STATE)
		return;
	int host = h->index;
	struct sk_rec *r = w->o.no_log ? NULL : rec_add(w, SK_REC_STATE, host);
	if (r)
		r->ev = *e;
	if (w->o.trace) {
		char t[24], c[128];
		fmt_time(t, sizeof(t), w->now);
		fmt_conn(c, sizeof(c), &e->local, &e->remote);
		fprintf(w->o.trace, "%s # %s %s: %s -> %s (%s)\n", t, h->name, c, synack_state_name(e->old_state),
			synack_state_name(e->new_state), e->cause);
	}
}

synack_stack *sk_world_stack(struct sk_world *w, int host)
{
	return host >= 0 && host < w->nhosts ? w->hosts[host].st : NULL;
}

struct sk_dev *sk_world_dev(struct sk_world *w, int host)
{
	return host >= 0 && host < w->nhosts ? w->hosts[host].ep : NULL;
}

struct sk_simnet *sk_world_net(struct sk_world *w)
{
	return w->net;
}

uint32_t sk_world_addr(struct sk_world *w, int host)
{
	return w->hosts[host].addr;
}

struct synack_ip sk_world_ip6(uint32_t addr)
{
	struct synack_ip ip = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8}};
	ip.bytes[12] = (uint8_t)(addr >> 24);
	ip.bytes[13] = (uint8_t)(addr >> 16);
	ip.bytes[14] = (uint8_t)(addr >> 8);
	ip.bytes[15] = (uint8_t)addr;
	return ip;
}

struct synack_sockaddr sk_world_sockaddr(struct sk_world *w, int host, uint16_t port)
{
	return sk_world_sa(w, w->hosts[host].addr, port);
}

int sk_world_is_ipv6(const struct sk_world *w)
{
	return w->o.ipv6 != 0;
}

int sk_world_af(const struct sk_world *w)
{
	return w->o.ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET;
}

struct synack_ip sk_world_ip(const struct sk_world *w, uint32_t addr)
{
	if (!w->o.ipv6)
		return sk_ip_from4(addr);
	if (!addr) {
		struct synack_ip any = {SYNACK_AF_INET6, {0}};
		return any;
	}
	return sk_world_ip6(addr);
}

struct synack_sockaddr sk_world_sa(const struct sk_world *w, uint32_t addr, uint16_t port)
{
	struct synack_sockaddr sa = {sk_world_ip(w, addr), port, 0};
	return sa;
}

uint32_t sk_world_ip_key(const struct synack_ip *ip)
{
	uint32_t a = 0;
	if (ip->family == SYNACK_AF_INET) {
		sk_ip_to4(ip, &a);
		return a;
	}
	struct synack_ip prefix = sk_world_ip6(0);
	if (ip->family != SYNACK_AF_INET6 || memcmp(ip->bytes, prefix.bytes, 12) != 0)
		return 0;
	return (uint32_t)ip->bytes[12] << 24 | (uint32_t)ip->bytes[13] << 16 | (uint32_t)ip->bytes[14] << 8 |
	       ip->bytes[15];
}

uint32_t sk_world_pkt_src(const struct sk_decoded *d)
{
	struct synack_ip ip = sk_decoded_src(d);
	return sk_world_ip_key(&ip);
}

uint32_t sk_world_pkt_dst(const struct sk_decoded *d)
{
	struct synack_ip ip = sk_decoded_dst(d);
	return sk_world_ip_key(&ip);
}

unsigned sk_world_ip_hlen(const struct sk_world *w)
{
	return w->o.ipv6 ? SK_IPV6_HLEN : SK_IPV4_MIN_HLEN;
}

const char *sk_world_name(struct sk_world *w, int host)
{
	return host >= 0 && host < w->nhosts ? w->hosts[host].name : "?";
}

int sk_world_nhosts(const struct sk_world *w)
{
	return w->nhosts;
}

uint64_t sk_world_delay(const struct sk_world *w)
{
	return w->o.link.delay_us;
}

uint64_t sk_world_now(const struct sk_world *w)
{
	return w->now;
}

static void peer_push(struct host *h, const uint8_t *data, size_t len)
{
	if (h->qlen == h->qcap) {
		size_t cap = h->qcap ? h->qcap * 2 : 16;
		struct peer_frame *q = malloc(cap * sizeof(*q));
		if (!q)
			return;
		for (size_t j = 0; j < h->qlen; j++)
			q[j] = h->q[(h->qhead + j) % h->qcap];
		free(h->q);
		h->q = q;
		h->qcap = cap;
		h->qhead = 0;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return;
	memcpy(copy, data, len);
	h->q[(h->qhead + h->qlen) % h->qcap] = (struct peer_frame){copy, len};
	h->qlen++;
}

static uint64_t next_time(const struct sk_world *w)
{
	uint64_t t = sk_simnet_next_event(w->net);
	for (int i = 0; i < w->nhosts; i++) {
		if (!w->hosts[i].st)
			continue;
		uint64_t d = synack_next_deadline(w->hosts[i].st);
		if (d < t)
			t = d;
	}
	return t;
}

struct cc_poll {
	struct sk_world *w;
	int host;
};

static int same_addr(const struct synack_sockaddr *a, const struct synack_sockaddr *b)
{
	return synack_ip_equal(&a->ip, &b->ip) && a->port == b->port; /* field by field: padding is not */
}

static struct cc_seen *cc_find(struct sk_world *w, int host, const struct synack_sock_entry *e, int *fresh)
{
	for (size_t i = 0; i < w->nseen; i++) {
		struct cc_seen *s = &w->seen[i];
		if (s->host == host && same_addr(&s->local, &e->local) && same_addr(&s->remote, &e->remote))
			return s;
	}
	if (sk_grow(&w->seen, &w->capseen, w->nseen, sizeof(*w->seen), 8) < 0)
		return NULL;
	struct cc_seen *s = &w->seen[w->nseen++];
	memset(s, 0, sizeof(*s));
	s->host = host;
	s->local = e->local;
	s->remote = e->remote;
	*fresh = 1;
	return s;
}

static void fmt_ssthresh(char *b, size_t n, uint32_t v)
{
	if (v >= 0x7fffffffu)
		snprintf(b, n, "inf");
	else
		snprintf(b, n, "%u", v);
}

/* One connection's congestion state now: a --cc line when cwnd or ssthresh changed, a
 * --csv row when anything did. */
static void cc_entry(void *ctx, const struct synack_sock_entry *e)
{
	struct cc_poll *p = ctx;
	struct sk_world *w = p->w;
	const struct synack_tcp_info *i = e->info;
	if (e->type != SYNACK_SOCK_STREAM || !i || i->state < SYNACK_ESTABLISHED || i->state == SYNACK_TIME_WAIT)
		return;
	int fresh = 0;
	struct cc_seen *s = cc_find(w, p->host, e, &fresh);
	if (!s)
		return;
	struct cc_seen now = *s;
	now.cwnd = i->snd_cwnd;
	now.ssthresh = i->snd_ssthresh;
	now.in_flight = i->bytes_in_flight;
	now.srtt = i->srtt_us;
	now.rto = i->rto_us;
	now.una = i->snd_una;
	now.nxt = i->snd_nxt;
	now.wnd = i->snd_wnd;
	int cc = fresh || now.cwnd != s->cwnd || now.ssthresh != s->ssthresh;
	int any = cc || now.in_flight != s->in_flight || now.srtt != s->srtt || now.rto != s->rto ||
		  now.una != s->una || now.nxt != s->nxt || now.wnd != s->wnd;
	*s = now;
	if (!any)
		return;
	if (cc && w->o.log_cc && !w->o.no_log) {
		struct sk_rec *r = rec_add(w, SK_REC_CC, p->host);
		if (r) {
			r->cc.cwnd = now.cwnd;
			r->cc.ssthresh = now.ssthresh;
			r->cc.in_flight = now.in_flight;
			r->cc.srtt = now.srtt;
			r->cc.rto = now.rto;
		}
	}
	char t[24], c[128], ss[16];
	fmt_time(t, sizeof(t), w->now);
	fmt_conn(c, sizeof(c), &e->local, &e->remote);
	fmt_ssthresh(ss, sizeof(ss), now.ssthresh);
	if (cc && w->o.cc_out) {
		uint32_t mss = i->snd_mss ? i->snd_mss : 1;
		fprintf(w->o.cc_out,
			"%s # %s %s: cwnd %u (%.1f MSS) ssthresh %s in flight %u srtt %.1f ms rto %.0f ms\n", t,
			w->hosts[p->host].name, c, now.cwnd, (double)now.cwnd / mss, ss, now.in_flight,
			now.srtt / 1000.0, now.rto / 1000.0);
	}
	if (w->o.csv)
		fprintf(w->o.csv, "%.6f,%s,%s,%u,%s,%u,%u,%u,%u,%u,%u\n", w->now / 1e6, w->hosts[p->host].name, c,
			now.cwnd, ss, now.in_flight, now.srtt, now.rto, now.una, now.nxt, now.wnd);
}

static void cc_poll_all(struct sk_world *w)
{
	for (int i = 0; i < w->nhosts; i++) {
		if (!w->hosts[i].st)
			continue;
		struct cc_poll p = {w, i};
		synack_sock_foreach(w->hosts[i].st, cc_entry, &p);
	}
}

/* batch_rx: what is due for h goes in batches of up to WORLD_BATCH frames, as the runtime
 * hands the stack what one read of its device returned. 0 if the buffers could not be made
 * (the frames then go one at a time). */
static int batch_in(struct sk_world *w, struct host *h)
{
	if (!w->batch && !(w->batch = malloc(WORLD_BATCH * sizeof(*w->batch))))
		return 0;
	const uint8_t *pkts[WORLD_BATCH];
	size_t lens[WORLD_BATCH], k;
	do {
		int n = 0;
		for (k = 0; k < WORLD_BATCH && (n = sk_dev_recv(h->ep, w->batch[k], sizeof(w->batch[k]), w->now)) > 0; k++) {
			pkts[k] = w->batch[k];
			lens[k] = (size_t)n;
		}
		synack_input_batch(h->st, pkts, lens, NULL, k, w->now);
	} while (k == WORLD_BATCH);
	return 1;
}

/* One step at time t: deliver what is due, then run timers, host by host in order. */
static void step(struct sk_world *w, uint64_t t)
{
	int cc = w->o.cc_out || w->o.csv || w->o.log_cc;
	if (cc)
		cc_poll_all(w); /* what calls made since the last step, at their time */
	if (t > w->now)
		w->now = t;
	for (int i = 0; i < w->nhosts; i++) {
		struct host *h = &w->hosts[i];
		int n;
		if (w->o.batch_rx && h->st && batch_in(w, h))
			continue;
		while ((n = sk_dev_recv(h->ep, w->buf, sizeof(w->buf), w->now)) > 0) {
			if (h->st)
				synack_input(h->st, w->buf, (size_t)n, w->now);
			else
				peer_push(h, w->buf, (size_t)n);
		}
	}
	for (int i = 0; i < w->nhosts; i++)
		if (w->hosts[i].st)
			synack_poll(w->hosts[i].st, w->now);
	if (cc)
		cc_poll_all(w);
}

uint64_t sk_world_run_cond(struct sk_world *w, uint64_t limit, int (*cond)(struct sk_world *, void *), void *arg)
{
	if (cond && cond(w, arg))
		return w->now;
	for (;;) {
		uint64_t t = next_time(w);
		if (t == UINT64_MAX || t > limit)
			break;
		step(w, t);
		if (cond && cond(w, arg))
			return w->now;
	}
	if (limit != UINT64_MAX && limit > w->now) {
		/* The stacks learn the time only from input and poll: bring them to the
		 * world's clock, so calls made now act at now. */
		step(w, limit);
	}
	return UINT64_MAX;
}

uint64_t sk_world_step(struct sk_world *w, uint64_t limit)
{
	uint64_t t = next_time(w);
	if (t == UINT64_MAX || t > limit)
		return UINT64_MAX;
	step(w, t);
	return w->now;
}

void sk_world_run_until(struct sk_world *w, uint64_t t)
{
	sk_world_run_cond(w, t, NULL, NULL);
}

void sk_world_run_idle(struct sk_world *w, uint64_t limit)
{
	for (;;) {
		uint64_t t = next_time(w);
		if (t == UINT64_MAX || t > limit)
			return;
		step(w, t);
	}
}

int sk_world_peer_send(struct sk_world *w, int peer, uint32_t dst, const struct sk_tcp *seg)
{
	return sk_world_peer_send_from(w, peer, w->hosts[peer].addr, dst, seg);
}

int sk_world_peer_send_from(struct sk_world *w, int peer, uint32_t src, uint32_t dst, const struct sk_tcp *seg)
{
	struct host *h = &w->hosts[peer];
	uint8_t *p = w->buf;
	if (seg->payload_len > sizeof(w->buf) - SK_IPV6_HLEN - SK_TCP_MAX_HLEN)
		return -EINVAL;
	if (w->o.ipv6) {
		struct sk_ipv6 ip = {.next = SK_IPPROTO_TCP, .hop_limit = 64};
		memcpy(ip.src, sk_world_ip6(src).bytes, 16);
		memcpy(ip.dst, sk_world_ip6(dst).bytes, 16);
		uint32_t asum = sk_csum_add(sk_csum_add(0, ip.src, 16), ip.dst, 16);
		int n = sk_tcp_emit_sum(p + SK_IPV6_HLEN, sizeof(w->buf) - SK_IPV6_HLEN, asum, seg);
		if (n < 0)
			return -EINVAL;
		ip.payload_len = (uint16_t)n;
		sk_ipv6_emit(p, SK_IPV6_HLEN, &ip);
		return sk_dev_send(h->ep, p, (size_t)(SK_IPV6_HLEN + n), w->now);
	}
	int n = sk_tcp_emit(p + 20, sizeof(w->buf) - 20, src, dst, seg);
	if (n < 0)
		return -EINVAL;
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + n), .frag = SK_IP_DF, .ttl = 64,
			     .proto = SK_IPPROTO_TCP, .src = src, .dst = dst};
	sk_ipv4_emit(p, 20, &ip);
	return sk_dev_send(h->ep, p, (size_t)(20 + n), w->now);
}

int sk_world_peer_recv(struct sk_world *w, int peer, struct sk_decoded *d)
{
	struct host *h = &w->hosts[peer];
	if (!h->qlen)
		return 0;
	struct peer_frame f = h->q[h->qhead];
	h->qhead = (h->qhead + 1) % h->qcap;
	h->qlen--;
	free(h->last);
	h->last = f.data;
	sk_decode(f.data, f.len, SK_LINK_RAW, 1, d);
	return 1;
}

void sk_world_note(struct sk_world *w, int host, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	struct sk_rec *r = rec_add(w, SK_REC_NOTE, host);
	if (r)
		r->text = strdup(line);
	if (w->o.trace) {
		char t[24];
		fmt_time(t, sizeof(t), w->now);
		fprintf(w->o.trace, "%s # %s %s\n", t, sk_world_name(w, host), line);
	}
}

void sk_world_heading(struct sk_world *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (w->o.trace)
		fprintf(w->o.trace, "\n## %s\n", line);
}

size_t sk_world_nrecs(const struct sk_world *w)
{
	return w->nrecs;
}

const struct sk_rec *sk_world_rec(const struct sk_world *w, size_t i)
{
	return i < w->nrecs ? &w->recs[i] : NULL;
}
