/* Tunnel mode (TNL-1..4): TCP and UDP flows to any destination, taken by one listener (TCP)
 * and one datagram socket (UDP) once the application's flow hook accepts them
 * (synack_tunnel, synack_tunnel_udp). The IP layer asks sk_tnl_takes4/6 for a destination
 * that is not the stack's; TCP asks sk_tnl_verdict on a new flow's first SYN and hands what
 * is accepted to sk_tnl_listener's queue; UDP asks it on a new flow's first datagram
 * (udp/udp.c). The flows taken are counted per client address, and their memory kept
 * within a budget by shedding the idlest (synack_tunnel_limits). */
#include <errno.h>

#include <stdlib.h>
#include <string.h>

#include "stack/stack.h"
#include "tcp/tcb.h"
#include "udp/udp.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"

static struct sk_tcb *listener_of(struct synack_stack *st, int sock)
{
	if (sock < 0 || (uint32_t)sock >= st->handles.used)
		return NULL;
	struct sk_conn *c = st->handles.v[sock];
	return c && c->kind == SK_CONN_TCB ? (struct sk_tcb *)c : NULL;
}

/* The listener, while it is one: a closed one (its handle perhaps reused) turns tunnel
 * mode off. */
struct sk_tcb *sk_tnl_listener(struct synack_stack *st)
{
	if (st->tnl_listener < 0)
		return NULL;
	struct sk_tcb *l = listener_of(st, st->tnl_listener);
	if (!l || l->state != SYNACK_LISTEN || !(l->flags & TF_TUNNEL)) {
		st->tnl_listener = -1;
		return NULL;
	}
	return l;
}

int synack_tunnel(synack_stack *st, int listener, synack_flow_fn fn, void *ctx)
{
	if (!st)
		return -EINVAL;
	struct sk_tcb *old = st->tnl_listener >= 0 ? listener_of(st, st->tnl_listener) : NULL;
	if (listener < 0) {
		if (old)
			old->flags &= ~TF_TUNNEL;
		st->tnl_listener = -1;
		return 0;
	}
	if ((uint32_t)listener >= st->handles.used || !st->handles.v[listener])
		return -EBADF;
	struct sk_tcb *l = listener_of(st, listener);
	if (!l || l->state != SYNACK_LISTEN)
		return -EINVAL;
	if (old && old != l)
		old->flags &= ~TF_TUNNEL;
	l->flags |= TF_TUNNEL;
	st->tnl_listener = listener;
	st->tnl_fn = fn;
	st->tnl_ctx = ctx;
	return 0;
}

int synack_tunnel_udp(synack_stack *st, int sock, unsigned idle_ms, synack_flow_fn fn, void *ctx)
{
	if (!st)
		return -EINVAL;
	struct sk_conn *c = NULL;
	if (sock >= 0) {
		if ((uint32_t)sock >= st->handles.used || !st->handles.v[sock])
			return -EBADF;
		c = st->handles.v[sock];
		if (c->kind != SK_CONN_UDP || sk_udp_is_flow(c))
			return -EINVAL;
	}
	struct sk_conn *old = sk_udp_tunnel_socket(st);
	if (old)
		sk_udp_set_tunnel(old, 0);
	st->tnl_udp = -1;
	if (!c)
		return 0;
	sk_udp_set_tunnel(c, 1);
	st->tnl_udp = sock;
	st->tnl_udp_fn = fn;
	st->tnl_udp_ctx = ctx;
	st->tnl_udp_idle_us = (uint64_t)(idle_ms ? idle_ms : SYNACK_TUNNEL_UDP_IDLE_MS) * 1000;
	return 0;
}

/* Whether tunnel mode takes proto (0: any) at all now. */
static int takes_proto(const struct synack_stack *st, uint8_t proto)
{
	struct synack_stack *s = (struct synack_stack *)st;
	switch (proto) {
	case SK_IPPROTO_TCP:
		return sk_tnl_listener(s) != NULL;
	case SK_IPPROTO_UDP:
		return sk_udp_tunnel_socket(s) != NULL;
	default: /* an echo request, an ICMP error about a flow of either, or not known yet */
		return sk_tnl_listener(s) != NULL || sk_udp_tunnel_socket(s) != NULL || st->tnl_ping_fn;
	}
}

/* Unicast only: never the unspecified, limited broadcast or a multicast group (RFC 9293
 * 3.10.7.2: a SYN to such is not answered). */
int sk_tnl_takes4(const struct synack_stack *st, uint32_t dst, uint8_t proto)
{
	if (!sk_tnl_on(st) || dst == 0 || dst == 0xffffffffu || (dst >> 28) == 0xe)
		return 0;
	return takes_proto(st, proto);
}

int sk_tnl_takes6(const struct synack_stack *st, const uint8_t dst[16], uint8_t proto)
{
	if (!sk_tnl_on(st) || sk_ipv6_is_unspecified(dst) || sk_ipv6_is_multicast(dst))
		return 0;
	return takes_proto(st, proto);
}

/* ---- ping ---- */

int synack_tunnel_ping(synack_stack *st, synack_ping_fn fn, void *ctx)
{
	if (!st)
		return -EINVAL;
	st->tnl_ping_fn = fn;
	st->tnl_ping_ctx = ctx;
	return 0;
}

void sk_tnl_echo(struct synack_stack *st, const struct sk_ends *e, uint32_t rest, const uint8_t *data, size_t len)
{
	if (!st->tnl_ping_fn)
		return;
	struct synack_ping p = {.client = sk_ends_remote(e), .dst = sk_ends_local(e), .id = (uint16_t)(rest >> 16),
				.seq = (uint16_t)rest, .data = data, .len = len};
	st->tnl_ping_fn(st->tnl_ping_ctx, &p);
}

int synack_tunnel_pong(synack_stack *st, const struct synack_ping *p)
{
	if (!st || !p || p->client.family != p->dst.family || (p->len && !p->data))
		return -EINVAL;
	struct sk_ends e = {.v6 = p->dst.family == SYNACK_AF_INET6};
	if (sk_ends_set_local(&e, &p->dst) < 0 || sk_ends_set_remote(&e, &p->client) < 0)
		return -EINVAL;
	size_t hl = e.v6 ? SK_IPV6_HLEN : 20;
	if (p->len > SK_PKT_MAX - hl - 8 || p->len > 65535 - hl - 8)
		return -EMSGSIZE;
	uint8_t *out = sk_l4_payload(st, &e);
	memmove(out + 8, p->data, p->len); /* (the data may be the stack's own buffer) */
	uint32_t rest = (uint32_t)p->id << 16 | p->seq;
	int n;
	if (e.v6) {
		struct sk_icmp6 r = {.type = SK_ICMP6_ECHO_REPLY, .rest = rest, .data = out + 8, .data_len = p->len};
		n = sk_icmp6_emit(out, SK_PKT_MAX - hl, e.l6, e.r6, &r);
	} else {
		struct sk_icmp r = {.type = SK_ICMP_ECHOREPLY, .rest = rest, .data = out + 8, .data_len = p->len};
		n = sk_icmp_emit(out, SK_PKT_MAX - hl, &r);
	}
	if (n < 0)
		return -EMSGSIZE;
	st->stats.icmp_out++;
	st->stats.icmp_echo_replies++;
	return sk_l4_send(st, &e, e.v6 ? SK_IPPROTO_ICMPV6 : SK_IPPROTO_ICMP, (size_t)n, 0, 0);
}

/* ---- limits (TNL-4) ---- */

#define SRC_BUCKETS 1024u
#define BUDGET_LOOK_US 100000u /* how stale the budget's figure may be */
#define BUSY_US 1000000u       /* a flow its client used this recently is not shed */

struct src {
	struct src *next;
	struct synack_ip ip;
	uint32_t n;
};

struct sk_tnl_sources {
	struct src *b[SRC_BUCKETS];
};

/* Where the count of the client of ends e (their remote end) is, or would go. */
static struct src **src_slot(struct sk_tnl_sources *t, const struct sk_ends *e)
{
	struct synack_ip ip = sk_ends_remote(e);
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ ip.bytes[i]) * 16777619u;
	struct src **p = &t->b[h % SRC_BUCKETS];
	while (*p && !synack_ip_equal(&(*p)->ip, &ip))
		p = &(*p)->next;
	return p;
}

static void sources_free(struct synack_stack *st)
{
	if (!st->tnl_src)
		return;
	for (uint32_t i = 0; i < SRC_BUCKETS; i++)
		while (st->tnl_src->b[i]) {
			struct src *x = st->tnl_src->b[i];
			st->tnl_src->b[i] = x->next;
			free(x);
		}
	free(st->tnl_src);
	st->tnl_src = NULL;
}

int synack_tunnel_limits(synack_stack *st, const struct synack_tunnel_limits *l)
{
	if (!st)
		return -EINVAL;
	st->tnl_lim = l ? *l : (struct synack_tunnel_limits){0};
	st->tnl_mem_at = 0;
	if (!st->tnl_lim.flows_per_source)
		sources_free(st);
	return 0;
}

void sk_tnl_flow_born(struct synack_stack *st, const struct sk_ends *e)
{
	st->tnl_flows++;
	if (!st->tnl_lim.flows_per_source)
		return;
	if (!st->tnl_src && !(st->tnl_src = calloc(1, sizeof(*st->tnl_src))))
		return; /* (uncounted: the limit is not enforced for it) */
	struct src **p = src_slot(st->tnl_src, e);
	if (!*p && (*p = calloc(1, sizeof(**p))))
		(*p)->ip = sk_ends_remote(e);
	if (*p)
		(*p)->n++;
}

void sk_tnl_flow_gone(struct synack_stack *st, const struct sk_ends *e)
{
	if (st->tnl_flows)
		st->tnl_flows--;
	if (!st->tnl_src)
		return;
	struct src **p = src_slot(st->tnl_src, e), *x = *p;
	if (x && --x->n == 0) {
		*p = x->next;
		free(x);
	}
}

static uint32_t flows_of(struct synack_stack *st, const struct sk_ends *e)
{
	if (!st->tnl_src)
		return 0;
	struct src *x = *src_slot(st->tnl_src, e);
	return x ? x->n : 0;
}

/* A flow the budget looks at: a connection or a UDP flow, its memory, its last activity. */
struct held {
	struct sk_conn *c;
	uint64_t last;
	uint32_t mem;
};

/* All of them, and their memory in all. */
struct held_list {
	struct held *v;
	size_t n, cap;
	uint64_t total;
};

static void add_held(void *ctx, struct sk_conn *c, uint64_t last, uint32_t mem)
{
	struct held_list *h = ctx;
	h->total += mem;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct held *v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return; /* (counted, not sheddable) */
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n++] = (struct held){c, last, mem};
}

static int by_last(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	return x->last < y->last ? -1 : x->last > y->last;
}

void sk_tnl_budget(struct synack_stack *st)
{
	if (!st->tnl_lim.mem_bytes || (st->tnl_mem_at && st->now - st->tnl_mem_at < BUDGET_LOOK_US))
		return;
	st->tnl_mem_at = st->now ? st->now : 1;
	struct held_list h = {0};
	for (size_t b = 0; b <= st->conns.mask; b++)
		for (struct sk_conn *c = st->conns.b[b]; c; c = c->hnext)
			if (c->kind == SK_CONN_TCB && (((struct sk_tcb *)c)->flags & TF_TNLFLOW))
				add_held(&h, c, sk_when_ms(st->now, ((struct sk_tcb *)c)->last_rcv), sk_tcb_mem((struct sk_tcb *)c));
	sk_udp_flows(st, add_held, &h);
	st->tnl_mem = h.total;
	if (h.total > st->tnl_lim.mem_bytes) {
		/* the idlest first, until 90% of the budget is left; never one in use */
		qsort(h.v, h.n, sizeof(*h.v), by_last);
		uint64_t goal = st->tnl_lim.mem_bytes / 10 * 9;
		for (size_t i = 0; i < h.n && st->tnl_mem > goal && st->now - h.v[i].last >= BUSY_US; i++) {
			st->tnl_mem -= h.v[i].mem;
			st->stats.tnl_shed++;
			if (h.v[i].c->kind == SK_CONN_UDP) {
				sk_udp_flow_end(st, h.v[i].c);
				continue;
			}
			struct sk_tcb *t = (struct sk_tcb *)h.v[i].c;
			int handle = t->handle;
			/* (its memory is the point: not kept for accept(), and its unread data goes
			 * too, which an error from the peer would leave to be read) */
			if (t->flags & TF_QUEUED)
				sk_tcb_unqueue(st, t);
			sk_bytes_free(st, &t->rcv);
			sk_tcp_send_rst_tcb(st, t);
			sk_tcb_drop(st, t, ECONNRESET, "shed: the tunnel's memory budget was spent");
			sk_ready_touch(st, handle);
		}
	}
	free(h.v);
}

/* TNL-4's verdict before the hook's: within the client's share and the budget? */
static int within_limits(struct synack_stack *st, const struct sk_ends *e)
{
	if (st->tnl_lim.flows_per_source && flows_of(st, e) >= st->tnl_lim.flows_per_source) {
		st->stats.tnl_refused_per_source++;
		return 0;
	}
	if (st->tnl_lim.mem_bytes) {
		sk_tnl_budget(st);
		if (st->tnl_mem > st->tnl_lim.mem_bytes) {
			st->stats.tnl_refused_mem++;
			return 0;
		}
	}
	return 1;
}

int sk_tnl_verdict(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, uint8_t proto)
{
	if ((st->tnl_lim.flows_per_source || st->tnl_lim.mem_bytes) && !within_limits(st, e))
		return proto == SK_IPPROTO_UDP ? -1 : SYNACK_FLOW_RST;
	int v = SYNACK_FLOW_ACCEPT;
	int udp = proto == SK_IPPROTO_UDP;
	synack_flow_fn fn = udp ? st->tnl_udp_fn : st->tnl_fn;
	if (fn) {
		struct synack_ip lip = sk_ends_local(e), rip = sk_ends_remote(e);
		struct synack_flow f = {.proto = udp ? SYNACK_IPPROTO_UDP : SYNACK_IPPROTO_TCP};
		f.dst.ip = lip;
		f.dst.port = lport;
		f.client.ip = rip;
		f.client.port = rport;
		v = fn(udp ? st->tnl_udp_ctx : st->tnl_ctx, &f);
		if (v == SYNACK_FLOW_DEFER && udp)
			v = SYNACK_FLOW_ACCEPT; /* nothing to hold back: no handshake */
	}
	switch (v) {
	case SYNACK_FLOW_RST:
		st->stats.tnl_refused_rst++;
		return v;
	case SYNACK_FLOW_UNREACH:
		st->stats.tnl_refused_unreach++;
		return v;
	case SYNACK_FLOW_DEFER:
		st->stats.tnl_deferred++;
		return v;
	default:
		st->stats.tnl_accepted++;
		return SYNACK_FLOW_ACCEPT;
	}
}

int synack_tunnel_verdict(synack_stack *st, const struct synack_flow *f, int verdict)
{
	if (!st || !f)
		return -EINVAL;
	if (verdict != SYNACK_FLOW_ACCEPT && verdict != SYNACK_FLOW_RST && verdict != SYNACK_FLOW_UNREACH)
		return -EINVAL;
	struct sk_ends e = {.v6 = f->dst.ip.family == SYNACK_AF_INET6};
	if (f->dst.ip.family != f->client.ip.family || sk_ends_set_local(&e, &f->dst.ip) < 0 ||
	    sk_ends_set_remote(&e, &f->client.ip) < 0)
		return -ENOENT;
	struct sk_conn *c = sk_ctable_find(st, &e, f->dst.port, f->client.port);
	if (!c || c->kind != SK_CONN_SYN || !((struct sk_syn *)c)->deferred)
		return -ENOENT;
	sk_syn_verdict(st, (struct sk_syn *)c, verdict);
	return 0;
}

void sk_tnl_unreach(struct synack_stack *st, const struct sk_ends *e, const struct sk_tcp *seg)
{
	/* The quote: the SYN's IP header and its first 20 TCP bytes (RFC 792 asks for 8). */
	uint8_t pkt[SK_IPV6_HLEN + 20];
	memset(pkt, 0, sizeof(pkt));
	size_t hl = e->v6 ? SK_IPV6_HLEN : 20;
	sk_tcp_emit_sum(pkt + hl, 20, sk_ends_csum(e), seg);
	if (e->v6) {
		struct sk_ipv6 h = {.payload_len = 20, .next = SK_IPPROTO_TCP, .hop_limit = 64};
		memcpy(h.src, e->r6, 16);
		memcpy(h.dst, e->l6, 16);
		sk_ipv6_emit(pkt, SK_IPV6_HLEN, &h);
		sk_icmp6_send_error(st, SK_ICMP6_UNREACH, SK_ICMP6_UNREACH_ADDR, 0, pkt, hl + 20);
	} else {
		struct sk_ipv4 h = {.total_len = 40, .ttl = 64, .proto = SK_IPPROTO_TCP, .src = e->r4, .dst = e->l4,
				    .frag = SK_IP_DF};
		sk_ipv4_emit(pkt, 20, &h);
		sk_icmp_send_error(st, SK_ICMP_UNREACH, SK_ICMP_UNREACH_HOST, 0, pkt, hl + 20);
	}
}
