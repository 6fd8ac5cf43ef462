/* The stack object: creation from a configuration, addresses, the input/poll/deadline entry
 * points, counters and events. */
#include "stack/stack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/addr.h"
#include "tcp/cc.h"
#include "tcp/tcb.h"
#include "udp/udp.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"

void synack_config_defaults(struct synack_config *c)
{
	memset(c, 0, sizeof(*c));
	c->tcp_syn_retries = 5;
	c->tcp_synack_retries = 5;
	c->tcp_retries2 = 15;
	c->tcp_orphan_retries = 0;
	c->tcp_fin_timeout_ms = 60000;
	c->msl_ms = 30000;
	c->tcp_max_tw_buckets = 262144;
	c->tcp_tw_reuse = 2;
	c->tcp_timestamps = 1;
	c->tcp_sack = 1;
	c->tcp_window_scaling = 1;
	c->tcp_syncookies = 1;
	c->tcp_max_syn_backlog = 1024;
	c->somaxconn = 4096;
	c->tcp_abort_on_overflow = 0;
	c->tcp_keepalive_time_s = 7200;
	c->tcp_keepalive_intvl_s = 75;
	c->tcp_keepalive_probes = 9;
	c->ip_local_port_range[0] = 32768;
	c->ip_local_port_range[1] = 60999;
	c->tcp_rmem[0] = 4096;
	c->tcp_rmem[1] = 131072;
	c->tcp_rmem[2] = 33554432;
	c->tcp_wmem[0] = 4096;
	c->tcp_wmem[1] = 16384;
	c->tcp_wmem[2] = 4194304;
	c->tcp_init_cwnd = 10;
	c->tcp_rto_min_ms = 200;
	c->tcp_rto_var_floor = 1;
	c->tcp_ecn = 2;
	c->tcp_nagle_minshall = 1;
	c->tcp_ack_read_wait = 1;
	c->tcp_rto_initial_ms = 1000;
	c->tcp_rto_max_ms = 120000;
	c->tcp_delack_max_ms = 200;
	c->tcp_delack_min_ms = 40;
	c->tcp_quickack_max = 16;
	c->tcp_recovery = 1;
	c->tcp_early_retrans = 3;
	c->tcp_invalid_ratelimit_ms = 500;
	c->tcp_challenge_ack_limit = 2147483647; /* INT_MAX: none, as Linux 6.x */
	c->ip_default_ttl = 64;
	strcpy(c->tcp_congestion_control, "cubic");
	c->core_rmem_max = 212992;
	c->core_wmem_max = 212992;
}

static int config_valid(const struct synack_config *c)
{
	return c->tcp_syn_retries >= 0 && c->tcp_syn_retries <= 127 && c->tcp_synack_retries >= 0 &&
	       c->tcp_synack_retries <= 127 && c->tcp_retries2 >= 0 && c->tcp_retries2 <= 127 &&
	       c->tcp_orphan_retries >= 0 && c->tcp_orphan_retries <= 127 &&
	       c->ip_local_port_range[0] > 0 && c->ip_local_port_range[0] <= c->ip_local_port_range[1] &&
	       c->tcp_rto_min_ms > 0 && c->tcp_rto_min_ms <= c->tcp_rto_max_ms && c->tcp_ecn >= 0 && c->tcp_ecn <= 2 &&
	       c->tcp_rto_initial_ms > 0 && c->tcp_keepalive_probes >= 0 && c->ip_default_ttl > 0 &&
	       c->tcp_init_cwnd > 0 && c->msl_ms > 0 &&
	       memchr(c->tcp_congestion_control, 0, sizeof(c->tcp_congestion_control)) &&
	       sk_cc_find(c->tcp_congestion_control) >= 0 && c->tcp_rmem[1] >= 2048 &&
	       c->tcp_rmem[1] <= c->tcp_rmem[2] && c->tcp_wmem[1] >= 2048 && c->tcp_wmem[1] <= c->tcp_wmem[2];
}

static void fire_timer(struct sk_wheel *w, struct sk_timer *t, void *ctx);

/* A caller that sets no secret (all zero) or no seed gets them from the system: two stacks
 * made with default settings never share ISNs, cookies or ephemeral ports. A simulation
 * sets both, so its runs repeat. */
static int fill_unset_secrets(struct synack_config *c)
{
	static const uint8_t zero[sizeof(c->secret)];
	int r = 0;
	if (memcmp(c->secret, zero, sizeof(zero)) == 0)
		r = sk_system_random(c->secret, sizeof(c->secret));
	if (r == 0 && c->seed == 0)
		r = sk_system_random(&c->seed, sizeof(c->seed));
	return r;
}

synack_stack *synack_stack_new(const struct synack_config *c, int *err)
{
	struct synack_config defaults;
	if (!c) {
		synack_config_defaults(&defaults);
		c = &defaults;
	}
	if (!config_valid(c)) {
		if (err)
			*err = -EINVAL;
		return NULL;
	}
	struct synack_stack *st = calloc(1, sizeof(*st));
	if (!st || sk_ctable_init(&st->conns) < 0) {
		free(st);
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	st->listeners.b = calloc(1024, sizeof(*st->listeners.b));
	if (!st->listeners.b) {
		sk_ctable_free(&st->conns);
		free(st);
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	st->cfg = *c;
	int r = fill_unset_secrets(&st->cfg);
	if (r < 0) {
		sk_ctable_free(&st->conns);
		free(st->listeners.b);
		free(st);
		if (err)
			*err = r;
		return NULL;
	}
	c = &st->cfg;
	st->cc_default = sk_cc_find(c->tcp_congestion_control);
	st->key = sk_siphash_key_from_bytes(c->secret);
	sk_rng_seed(&st->rng, c->seed);
	sk_wheel_init(&st->wheel, 0, fire_timer, st);
	sk_twlog_init(&st->twlog);
	st->handles.free_head = UINT32_MAX;
	uint32_t span = (uint32_t)c->ip_local_port_range[1] - c->ip_local_port_range[0] + 1;
	st->next_ephemeral = (uint16_t)(c->ip_local_port_range[0] + sk_rng_below(&st->rng, span));
	st->ip_id = (uint16_t)sk_rng_u64(&st->rng);
	st->tnl_listener = -1;
	st->tnl_udp = -1;
	st->icmp_tokens = 50; /* a full bucket (icmp.c) */
	sk_reasm_init(&st->reasm, SK_REASM_DEFAULT_MEM, SK_REASM_DEFAULT_TIMEOUT_US);
	return st;
}

void synack_stack_free(synack_stack *st)
{
	if (!st)
		return;
	/* Records are freed below in table order, not timer order: disarm every timer first,
	 * so freeing one record never leaves another's timer links pointing into it. */
	sk_wheel_release(&st->wheel);
	/* Sockets outside the 4-tuple table (listeners, closed ones) first; then every
	 * table entry, whatever its kind (a TCB with everything it owns). */
	for (uint32_t i = 0; i < st->handles.used; i++) {
		struct sk_conn *c = st->handles.v[i];
		if (c && c->kind == SK_CONN_UDP) {
			sk_udp_close(st, c);
			continue;
		}
		struct sk_tcb *t = (struct sk_tcb *)c;
		if (t && (t->state == SYNACK_CLOSED || t->state == SYNACK_LISTEN))
			sk_tcb_free(st, t);
	}
	for (size_t b = 0; b <= st->conns.mask; b++) {
		struct sk_conn *c = st->conns.b[b];
		while (c) {
			struct sk_conn *next = c->hnext;
			if (c->kind == SK_CONN_TCB)
				sk_tcb_free(st, (struct sk_tcb *)c); /* its buffers, logs and record */
			else if (c->kind != SK_CONN_TW) /* (those are in the log's slabs) */
				free(c);
			c = next;
		}
	}
	sk_ctable_free(&st->conns);
	sk_twlog_free(&st->twlog);
	free(st->listeners.b);
	free(st->handles.v);
	free(st->handles.slot);
	sk_ready_free(st);
	free(st->bind_refs);
	free(st->udp);
	synack_tunnel_limits(st, NULL); /* frees the count per source */
	sk_reasm_free(&st->reasm);
	sk_bufpool_drain(&st->bufpool);
	free(st);
}

/* An IPv6 address: a unicast one (not unspecified, loopback, multicast or IPv4-mapped)
 * on a link of at least IPv6's minimum MTU (RFC 8200 5). */
static int add_addr6(synack_stack *st, const uint8_t a6[16], uint8_t prefix_len, uint32_t mtu, synack_output_fn out,
		     void *ctx)
{
	if (prefix_len > 128 || mtu < SK_IPV6_MIN_MTU || sk_ipv6_is_unspecified(a6) || sk_ipv6_is_loopback(a6) ||
	    sk_ipv6_is_multicast(a6) || sk_ipv6_is_v4mapped(a6))
		return -EINVAL;
	if (st->naddrs == SK_MAX_ADDRS)
		return -ENOSPC;
	if (sk_addr6_find(st, a6))
		return -EEXIST;
	struct sk_addr_entry *a = &st->addrs[st->naddrs];
	memset(a, 0, sizeof(*a));
	a->family = SYNACK_AF_INET6;
	memcpy(a->a6, a6, 16);
	a->plen = prefix_len;
	a->mtu = mtu;
	a->out = out;
	a->ctx = ctx;
	return st->naddrs++;
}

int synack_add_addr(synack_stack *st, const struct synack_ip *ip, uint8_t prefix_len, uint32_t mtu,
		    synack_output_fn out, void *ctx)
{
	if (!st || !ip || !out || mtu < 68 || mtu > 65535)
		return -EINVAL;
	if (ip->family == SYNACK_AF_INET6)
		return add_addr6(st, ip->bytes, prefix_len, mtu, out, ctx);
	uint32_t addr;
	if (sk_ip_to4(ip, &addr) < 0 || prefix_len > 32 || addr == 0)
		return -EINVAL;
	if (st->naddrs == SK_MAX_ADDRS)
		return -ENOSPC;
	if (sk_addr_find(st, addr))
		return -EEXIST;
	struct sk_addr_entry *a = &st->addrs[st->naddrs];
	a->family = SYNACK_AF_INET;
	a->addr = addr;
	a->mask = prefix_len ? ~0u << (32 - prefix_len) : 0;
	a->mtu = mtu;
	a->out = out;
	a->ctx = ctx;
	return st->naddrs++;
}

const struct sk_addr_entry *sk_addr_find(const struct synack_stack *st, uint32_t addr)
{
	for (int i = 0; i < st->naddrs; i++)
		if (st->addrs[i].family == SYNACK_AF_INET && st->addrs[i].addr == addr)
			return &st->addrs[i];
	return NULL;
}

/* Routing for now: the address whose prefix holds dst, else the first one (a default
 * route out of the only link). */
static const struct sk_addr_entry *route(const struct synack_stack *st, uint32_t dst)
{
	const struct sk_addr_entry *first = NULL;
	for (int i = 0; i < st->naddrs; i++) {
		const struct sk_addr_entry *a = &st->addrs[i];
		if (a->family != SYNACK_AF_INET)
			continue;
		if ((dst & a->mask) == (a->addr & a->mask))
			return a;
		if (!first)
			first = a;
	}
	return first;
}

uint32_t sk_route_mtu(const struct synack_stack *st, uint32_t dst)
{
	const struct sk_addr_entry *a = route(st, dst);
	return a ? a->mtu : 1500;
}

uint32_t sk_route_gso(const struct synack_stack *st, uint32_t dst)
{
	const struct sk_addr_entry *a = route(st, dst);
	return a ? a->gso_max : 0;
}

int synack_set_gso(synack_stack *st, int id, uint32_t max_len)
{
	if (!st || id < 0 || id >= st->naddrs || (max_len && (max_len <= st->addrs[id].mtu || max_len > 65535)))
		return -EINVAL;
	st->addrs[id].gso_max = max_len;
	return 0;
}

int synack_set_csum_offload(synack_stack *st, int id, int on)
{
	if (!st || id < 0 || id >= st->naddrs)
		return -EINVAL;
	st->addrs[id].csum_offload = on != 0;
	return 0;
}

int synack_set_output_sg(synack_stack *st, int id, synack_output_sg_fn out_sg)
{
	if (!st || id < 0 || id >= st->naddrs)
		return -EINVAL;
	st->addrs[id].out_sg = out_sg;
	return 0;
}

int sk_link_out(struct synack_stack *st, const struct sk_addr_entry *a, const uint8_t *p, size_t n)
{
	if (st->out_pl_n && !a->out_sg)
		sk_out_gather(st, n); /* (p is st->out) */
	st->stats.ip_out++;
	int r = st->out_pl_n ? a->out_sg(a->ctx, p, n - st->out_pl_len, st->out_pl, st->out_pl_n, st->now)
			     : a->out(a->ctx, p, n, st->now);
	if (r < 0)
		st->stats.output_errors++;
	return r;
}

void sk_out_gather(struct synack_stack *st, size_t n)
{
	uint8_t *to = st->out + n - st->out_pl_len;
	for (int i = 0; i < st->out_pl_n; i++) {
		memcpy(to, st->out_pl[i].iov_base, st->out_pl[i].iov_len);
		to += st->out_pl[i].iov_len;
	}
	st->out_pl_n = 0;
	st->out_pl_len = 0;
}

uint32_t sk_route_src(const struct synack_stack *st, uint32_t dst)
{
	const struct sk_addr_entry *a = route(st, dst);
	return a ? a->addr : 0;
}

uint8_t *sk_l4_payload(struct synack_stack *st, const struct sk_ends *e)
{
	return e->v6 ? sk_ip6_payload(st) : sk_ip_payload(st);
}

int sk_l4_send(struct synack_stack *st, const struct sk_ends *e, uint8_t proto, size_t len, int df, uint8_t ecn)
{
	if (e->v6)
		return sk_ip6_send(st, e->l6, e->r6, proto, len, ecn);
	return sk_ip_send(st, e->l4, e->r4, proto, len, df, ecn);
}

uint32_t sk_route_mtu_ends(const struct synack_stack *st, const struct sk_ends *e)
{
	return e->v6 ? sk_route6_mtu(st, e->r6) : sk_route_mtu(st, e->r4);
}

uint32_t sk_route_gso_ends(const struct synack_stack *st, const struct sk_ends *e)
{
	return e->v6 ? sk_route6_gso(st, e->r6) : sk_route_gso(st, e->r4);
}

int sk_route_src_ends(const struct synack_stack *st, struct sk_ends *e)
{
	if (e->v6)
		return sk_route6_src(st, e->r6, e->l6);
	e->l4 = sk_route_src(st, e->r4);
	return e->l4 ? 0 : -ENETUNREACH;
}

int sk_ends_local_ours(const struct synack_stack *st, const struct sk_ends *e)
{
	return e->v6 ? sk_addr6_find(st, e->l6) != NULL : sk_addr_find(st, e->l4) != NULL;
}

/* The entry an IPv4 packet from src to dst leaves through: src's own, else the route's. */
static const struct sk_addr_entry *out_entry4(const struct synack_stack *st, uint32_t src, uint32_t dst)
{
	const struct sk_addr_entry *a = sk_addr_find(st, src);
	return a ? a : route(st, dst);
}

const struct sk_addr_entry *sk_out_entry_ends(const struct synack_stack *st, const struct sk_ends *e)
{
	return e->v6 ? sk_out_entry6(st, e->l6, e->r6) : out_entry4(st, e->l4, e->r4);
}

int sk_ip_send(struct synack_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t len, int df, uint8_t tos)
{
	const struct sk_addr_entry *a = out_entry4(st, src, dst);
	if (!a) {
		st->stats.output_errors++;
		return -ENETUNREACH;
	}
	struct sk_ipv4 h = {.tos = tos, .total_len = (uint16_t)(20 + len), .id = st->ip_id++, .frag = df ? SK_IP_DF : 0,
			    .ttl = st->cfg.ip_default_ttl, .proto = proto, .src = src, .dst = dst};
	if (20 + len <= a->mtu || (df && proto == SK_IPPROTO_TCP && 20 + len <= a->gso_max)) {
		sk_ipv4_emit(st->out, 20, &h);
		return sk_link_out(st, a, st->out, 20 + len);
	}
	if (df || 20 + len > SK_PKT_MAX) {
		st->stats.ip_frag_fails++;
		return -EMSGSIZE;
	}
	if (st->out_pl_n)
		sk_out_gather(st, 20 + len); /* (the fragments need the bytes) */
	/* IP-2, RFC 791 3.2: fragments of (MTU - 20) rounded down to 8 bytes. Each header is
	 * written in place just before its piece of the payload, over bytes the previous
	 * fragment has already sent, so no second buffer is needed. */
	size_t piece = ((size_t)a->mtu - 20) & ~(size_t)7;
	int r = 0;
	for (size_t off = 0; off < len && r >= 0; off += piece) {
		size_t n = len - off < piece ? len - off : piece;
		h.total_len = (uint16_t)(20 + n);
		h.frag = (uint16_t)((off / 8) | (off + n < len ? SK_IP_MF : 0));
		uint8_t *p = st->out + off;
		sk_ipv4_emit(p, 20, &h);
		st->stats.ip_out++;
		st->stats.ip_frag_out++;
		r = a->out(a->ctx, p, 20 + n, st->now);
		if (r < 0)
			st->stats.output_errors++;
	}
	return r < 0 ? r : 0;
}

static void input_top(synack_stack *st, const uint8_t *pkt, size_t len, uint64_t now, int verified);

void synack_input_verified(synack_stack *st, const uint8_t *pkt, size_t len, uint64_t now)
{
	input_top(st, pkt, len, now, 1);
}

void synack_input_batch(synack_stack *st, const uint8_t *const *pkts, const size_t *lens, const uint8_t *verified,
			size_t n, uint64_t now)
{
	if (!st || (n && (!pkts || !lens)))
		return;
	st->batching = 1;
	for (size_t i = 0; i < n; i++)
		(verified && verified[i] ? synack_input_verified : synack_input)(st, pkts[i], lens[i], now);
	st->batching = 0;
	sk_ack_batch_flush(st);
}

static void input_ip(synack_stack *st, const uint8_t *pkt, size_t len, uint64_t now);

void synack_input(synack_stack *st, const uint8_t *pkt, size_t len, uint64_t now)
{
	input_top(st, pkt, len, now, 0);
}

/* in_pkt and in_verified describe the packet being input (the stray hook is offered it); a
 * packet input while another is (one sent to our own address) leaves the outer one's again. */
static void input_top(synack_stack *st, const uint8_t *pkt, size_t len, uint64_t now, int verified)
{
	if (!st || !pkt)
		return;
	const uint8_t *outer = st->in_pkt;
	size_t outer_len = st->in_len;
	uint8_t outer_verified = st->in_verified;
	st->in_verified = (uint8_t)verified;
	input_ip(st, pkt, len, now);
	st->in_pkt = outer;
	st->in_len = outer_len;
	st->in_verified = outer_verified;
}

static void input_ip(synack_stack *st, const uint8_t *pkt, size_t len, uint64_t now)
{
	if (now > st->now)
		st->now = now;
	st->stats.ip_in++;
	if (len && pkt[0] >> 4 == 6) {
		sk_ip6_input(st, pkt, len);
		synack_poll(st, st->now);
		return;
	}
	struct sk_ipv4 ip;
	if (sk_ipv4_parse(pkt, len, &ip, SK_IPV4_VERIFY_CSUM) < 0) {
		st->stats.ip_in_bad++;
		return;
	}
	if (!sk_addr_find(st, ip.dst) && !sk_tnl_takes4(st, ip.dst, ip.proto)) {
		st->stats.ip_in_not_mine++;
		return;
	}
	if (sk_ipv4_is_fragment(&ip)) {
		/* IP-2: held until the datagram is whole (or times out, or memory runs short). */
		st->in_verified = 0; /* (the link vouched for one fragment at most) */
		const uint8_t *whole;
		size_t wlen;
		if (sk_reasm_input(&st->reasm, &ip, pkt, len, st->now, &whole, &wlen) != 1)
			return;
		if (sk_ipv4_parse(whole, wlen, &ip, SK_IPV4_VERIFY_CSUM) < 0) {
			st->stats.ip_in_bad++;
			return;
		}
		pkt = whole;
		len = wlen;
	}
	const uint8_t *l4 = pkt + ip.hlen;
	size_t l4len = (size_t)ip.total_len - ip.hlen;
	st->in_pkt = pkt;
	st->in_len = len;
	switch (ip.proto) {
	case SK_IPPROTO_TCP:
		if (sk_tcp_input(st, ip.src, ip.dst, ip.tos & 3, l4, l4len) == -EHOSTUNREACH)
			sk_icmp_send_error(st, SK_ICMP_UNREACH, SK_ICMP_UNREACH_HOST, 0, pkt, len); /* TNL-2 */
		break;
	case SK_IPPROTO_UDP:
		switch (sk_udp_input(st, ip.src, ip.dst, l4, l4len)) {
		case -1:
			sk_icmp_send_error(st, SK_ICMP_UNREACH, SK_ICMP_UNREACH_PORT, 0, pkt, len); /* UDP-2 */
			break;
		case -EHOSTUNREACH:
			sk_icmp_send_error(st, SK_ICMP_UNREACH, SK_ICMP_UNREACH_HOST, 0, pkt, len); /* TNL-3 */
			break;
		}
		break;
	case SK_IPPROTO_ICMP:
		sk_icmp_input(st, &ip, pkt);
		break;
	default:
		/* RFC 1122 3.2.2.1: a host SHOULD say protocol unreachable. */
		st->stats.ip_in_proto_unknown++;
		sk_icmp_send_error(st, SK_ICMP_UNREACH, SK_ICMP_UNREACH_PROTO, 0, pkt, len);
		break;
	}
	synack_poll(st, st->now);
}

static void fire_timer(struct sk_wheel *w, struct sk_timer *t, void *ctx)
{
	(void)w;
	struct synack_stack *st = ctx;
	if (t == &st->twlog.timer) {
		sk_twlog_expire(st);
		return;
	}
	switch (sk_timed_conn(t)->kind) {
	case SK_CONN_TCB:
		sk_tcb_timer_fired(st, sk_container_of(t, struct sk_tcb, timer));
		break;
	case SK_CONN_SYN:
		sk_syn_timer(st, sk_container_of(t, struct sk_syn, timer));
		break;
	case SK_CONN_UDP:
		sk_udp_timer(st, t);
		break;
	}
}

/* RFC 792 / RFC 1122 3.3.2, RFC 8200 4.5: a datagram that timed out in reassembly is
 * reported to its sender with time exceeded (code 1) when its first fragment had arrived. */
static void reasm_timed_out(void *ctx, const uint8_t *first, size_t len)
{
	if (len && first[0] >> 4 == 6)
		sk_icmp6_send_error(ctx, SK_ICMP6_TIME_EXCEEDED, SK_ICMP6_TIMXCEED_REASM, 0, first, len);
	else
		sk_icmp_send_error(ctx, SK_ICMP_TIMXCEED, 1, 0, first, len);
}

void synack_poll(synack_stack *st, uint64_t now)
{
	if (!st)
		return;
	if (now > st->now)
		st->now = now;
	if (st->nheld)
		sk_tcp_held_flush(st); /* the tails send calls held (autocorking, tcp/output.c) */
	sk_wheel_advance(&st->wheel, st->now);
	if (sk_reasm_next_deadline(&st->reasm) <= st->now)
		sk_reasm_expire(&st->reasm, st->now, reasm_timed_out, st);
	if (sk_bufpool_deadline(&st->bufpool) <= st->now)
		sk_bufpool_drain(&st->bufpool);
	if (st->tnl_lim.mem_bytes)
		sk_tnl_budget(st); /* TNL-4: at most every 100 ms */
}

uint64_t synack_next_deadline(const synack_stack *st)
{
	if (!st)
		return UINT64_MAX;
	if (st->nheld)
		return st->now; /* a held tail goes at the next poll */
	uint64_t w = sk_wheel_next(&st->wheel), r = sk_reasm_next_deadline(&st->reasm);
	uint64_t b = sk_bufpool_deadline(&st->bufpool);
	if (r < w)
		w = r;
	return b < w ? b : w;
}

void synack_get_stats(const synack_stack *st, struct synack_stats *out)
{
	if (!st || !out)
		return;
	*out = st->stats;
	const struct sk_reasm_stats *r = &st->reasm.stats;
	out->ip_reasm_ok = r->reassembled;
	out->ip_reasm_timeouts = r->timeouts;
	out->ip_reasm_fails = r->timeouts + r->dropped_overlap + r->dropped_mem + r->dropped_bad + r->dropped_toobig;
	out->tnl_flows = st->tnl_flows;
	out->tnl_mem = st->tnl_mem;
}

int sk_stray_handoff(struct synack_stack *st)
{
	if (!st->stray_fn || !st->in_pkt || !st->stray_fn(st->stray_ctx, st->in_pkt, st->in_len, st->in_verified))
		return 0;
	st->stats.strays_handed++;
	return 1;
}

void synack_set_stray_hook(synack_stack *st, synack_stray_fn fn, void *ctx)
{
	if (!st)
		return;
	st->stray_fn = fn;
	st->stray_ctx = ctx;
}

void synack_set_event_hook(synack_stack *st, synack_event_fn fn, void *ctx)
{
	if (!st)
		return;
	st->event_fn = fn;
	st->event_ctx = ctx;
}

void sk_emit_state(struct synack_stack *st, int handle, const struct sk_conn *c, int old_state, int new_state,
		   const char *cause)
{
	if (!st->event_fn)
		return;
	struct synack_event e = {
		.type = SYNACK_EVENT_STATE, .now = st->now, .sock = handle,
		.old_state = old_state, .new_state = new_state, .cause = cause,
	};
	if (c) {
		e.local = sk_conn_local(c);
		e.remote = sk_conn_remote(c);
	}
	st->event_fn(st->event_ctx, &e);
}

const char *synack_state_name(int state)
{
	static const char *const names[] = {
		"CLOSED", "LISTEN", "SYN-SENT", "SYN-RCVD", "ESTABLISHED", "FIN-WAIT-1",
		"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
	};
	return state >= 0 && state < (int)(sizeof(names) / sizeof(names[0])) ? names[state] : "?";
}
