/* Tunnel mode (TNL-1..3): TCP and UDP flows to any destination, taken by one listener (TCP)
 * and one datagram socket (UDP) once the application's flow hook accepts them
 * (synack_tunnel, synack_tunnel_udp). The IP layer asks sk_tnl_takes4/6 for a destination
 * that is not the stack's; TCP asks sk_tnl_verdict on a new flow's first SYN and hands what
 * is accepted to sk_tnl_listener's queue; UDP asks it on a new flow's first datagram
 * (udp/udp.c). */
#include <errno.h>

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
	default: /* an ICMP error about a flow of either, or not known yet */
		return sk_tnl_listener(s) != NULL || sk_udp_tunnel_socket(s) != NULL;
	}
}

/* Unicast only: never the unspecified, limited broadcast or a multicast group (RFC 9293
 * 3.10.7.2: a SYN to such is not answered). */
int sk_tnl_takes4(const struct synack_stack *st, uint32_t dst, uint8_t proto)
{
	if ((st->tnl_listener < 0 && st->tnl_udp < 0) || dst == 0 || dst == 0xffffffffu || (dst >> 28) == 0xe)
		return 0;
	return takes_proto(st, proto);
}

int sk_tnl_takes6(const struct synack_stack *st, const uint8_t dst[16], uint8_t proto)
{
	if ((st->tnl_listener < 0 && st->tnl_udp < 0) || sk_ipv6_is_unspecified(dst) || sk_ipv6_is_multicast(dst))
		return 0;
	return takes_proto(st, proto);
}

int sk_tnl_verdict(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, uint8_t proto)
{
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
