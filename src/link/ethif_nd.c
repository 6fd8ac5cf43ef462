/* IPv6 over Ethernet for the adapter: neighbour discovery (RFC 4861) and duplicate address
 * detection (RFC 4862). */

/* IPv6 neighbours live in the adapter's cache (ethif.c) beside the ARP entries, each in one
 * of RFC 4861 7.3.2's states, its one deadline being that state's timer:
 *   INCOMPLETE  a multicast solicitation is outstanding; packets wait (queue_per_entry,
 *               queue_bytes); the next solicitation, or the give-up after max_probes
 *   REACHABLE   confirmed by a solicited advertisement; until reachable_ms after that
 *   STALE       a link-layer address not confirmed (learned from a solicitation or a router
 *               advertisement, an unsolicited advertisement, or REACHABLE that aged); no
 *               timer: it waits for a packet (or eviction)
 *   DELAY       a packet was sent in STALE; PROBE after delay_first_probe_ms unless a
 *               solicited advertisement confirms it first
 *   PROBE       unicast solicitations every retrans_ms; forgotten after max_probes
 * Packets are sent in every state but INCOMPLETE. Reachability is confirmed by solicited
 * advertisements only: no hints from TCP (RFC 4861 7.3.1) reach the adapter.
 *
 * Own addresses (at most SK_ETHIF_MAX_ADDR6) go through DAD first (RFC 4862 5.4): TENTATIVE
 * while solicitations from :: go out and retrans_ms after the last, then PREFERRED; another
 * node's DAD solicitation or an advertisement for a tentative address makes it DUPLICATE for
 * good. Packets to a tentative or duplicate address are dropped and none leave from one. */
#include "link/ethif.h"
#include "link/ethif_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

#define NIL SK_EI_NIL

static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
static const uint8_t unspecified[16];

/* ---- addresses ---- */

static int own_index(const struct sk_ethif *e, const uint8_t a[16])
{
	for (int k = 0; k < e->n6; k++)
		if (!memcmp(e->own6[k].a, a, 16))
			return k;
	return -1;
}

static int is_preferred(const struct sk_ethif *e, int k)
{
	return k >= 0 && e->own6[k].state == SK_ETHIF_ADDR_PREFERRED;
}

static int prefix_match(const uint8_t a[16], const uint8_t b[16], unsigned plen)
{
	unsigned whole = plen / 8, bits = plen % 8;
	if (memcmp(a, b, whole) != 0)
		return 0;
	if (!bits)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return ((a[whole] ^ b[whole]) & mask) == 0;
}

/* Unicast addresses that can name a neighbour. */
static int unicast_ok(const uint8_t a[16])
{
	return !sk_ipv6_is_unspecified(a) && !sk_ipv6_is_multicast(a) && !sk_ipv6_is_loopback(a) &&
	       !sk_ipv6_is_v4mapped(a);
}

/* On-link (RFC 4861 5.2): link-local, or inside the prefix of one of our addresses. */
static int on_link6(const struct sk_ethif *e, const uint8_t a[16])
{
	if (sk_ipv6_is_linklocal(a))
		return 1;
	for (int k = 0; k < e->n6; k++)
		if (e->own6[k].state != SK_ETHIF_ADDR_DUPLICATE &&
		    prefix_match(a, e->own6[k].a, e->own6[k].plen))
			return 1;
	return 0;
}

int sk_ei_nd_mcast_mine(const struct sk_ethif *e, const uint8_t mac[SK_ETH_ALEN])
{
	if (mac[0] != 0x33 || mac[1] != 0x33)
		return 0;
	uint8_t m[SK_ETH_ALEN];
	sk_ipv6_mcast_mac(all_nodes, m);
	if (sk_ei_mac_eq(mac, m))
		return 1;
	for (int k = 0; k < e->n6; k++) {
		if (e->own6[k].state == SK_ETHIF_ADDR_DUPLICATE)
			continue; /* the group is left (RFC 4862 5.4.5) */
		uint8_t g[16];
		sk_ipv6_solicited_node(e->own6[k].a, g);
		sk_ipv6_mcast_mac(g, m);
		if (sk_ei_mac_eq(mac, m))
			return 1;
	}
	return 0;
}

/* The source of a solicitation for entry en (RFC 4861 7.2.2): the source of the packet that
 * prompted it when that is a preferred address of ours; else a preferred address of the
 * target's kind (link-local for a link-local target; one whose prefix holds it, or any
 * global, for a global one); else any preferred address. NULL if none is usable. */
static const uint8_t *pick_src(const struct sk_ethif *e, const struct sk_ei_ent *en)
{
	if (en->qhead && en->qhead->len >= SK_IPV6_HLEN) {
		int k = own_index(e, en->qhead->data + 8);
		if (is_preferred(e, k))
			return e->own6[k].a;
	}
	int ll = sk_ipv6_is_linklocal(en->key);
	const uint8_t *kind = NULL, *any = NULL;
	for (int k = 0; k < e->n6; k++) {
		const struct sk_ei_own6 *o = &e->own6[k];
		if (o->state != SK_ETHIF_ADDR_PREFERRED)
			continue;
		if (!ll && prefix_match(en->key, o->a, o->plen))
			return o->a;
		if (!kind && ll == sk_ipv6_is_linklocal(o->a))
			kind = o->a;
		if (!any)
			any = o->a;
	}
	return kind ? kind : any;
}

/* ---- messages out ---- */

/* An NDP message (type NS or NA) with an optional link-layer address option of ours
 * (opt_type 1 or 2, 0 for none), hop limit 255, to dst at the Ethernet address dmac. */
static int send_nd(struct sk_ethif *e, const uint8_t dmac[SK_ETH_ALEN], const uint8_t src[16],
		   const uint8_t dst[16], uint8_t type, uint8_t flags, const uint8_t target[16],
		   uint8_t opt_type, uint64_t now)
{
	uint8_t *ip = e->tx + SK_ETH_HLEN, *icmp = ip + SK_IPV6_HLEN;
	size_t cap = e->tx_cap - SK_ETH_HLEN - SK_IPV6_HLEN;
	struct sk_nd nd = {.type = type, .flags = flags};
	memcpy(nd.target, target, 16);
	if (opt_type) {
		size_t off = sk_nd_opts_offset(type);
		int n = sk_nd_opt_lladdr_emit(icmp + off, cap - off, opt_type, e->mac, SK_ETH_ALEN);
		if (n < 0)
			return n;
		nd.opts = icmp + off;
		nd.opts_len = (size_t)n;
	}
	int n = sk_nd_emit(icmp, cap, src, dst, &nd);
	if (n < 0)
		return n;
	struct sk_ipv6 h = {
		.payload_len = (uint16_t)n, .next = SK_IPPROTO_ICMPV6, .hop_limit = 255};
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	sk_ipv6_emit(ip, SK_IPV6_HLEN, &h);
	return sk_ei_send_frame(e, dmac, SK_ETHERTYPE_IPV6, SK_IPV6_HLEN + (size_t)n, now);
}

static void send_na(struct sk_ethif *e, const uint8_t dmac[SK_ETH_ALEN], const uint8_t dst[16],
		    const uint8_t target[16], uint8_t flags, uint64_t now)
{
	if (send_nd(e, dmac, target, dst, SK_ICMP6_ND_NA, flags, target, SK_ND_OPT_TGT_LLADDR,
		    now) == 0)
		e->st.na_out++;
}

/* A solicitation for entry i: to its solicited-node group while INCOMPLETE, to the cached
 * address while PROBE (RFC 4861 7.2.2, 7.3.3); then its next deadline. Without a usable
 * source address nothing is sent, but the try counts. */
static void solicit(struct sk_ethif *e, uint32_t i, uint64_t now)
{
	struct sk_ei_ent *en = &e->ents[i];
	const uint8_t *src = pick_src(e, en);
	int unicast = en->state == SK_EI_PROBE;
	if (src) {
		uint8_t dst[16], mac[SK_ETH_ALEN];
		if (unicast) {
			memcpy(dst, en->key, 16);
			memcpy(mac, en->mac, SK_ETH_ALEN);
		} else {
			sk_ipv6_solicited_node(en->key, dst);
			sk_ipv6_mcast_mac(dst, mac);
		}
		if (send_nd(e, mac, src, dst, SK_ICMP6_ND_NS, 0, en->key, SK_ND_OPT_SRC_LLADDR,
			    now) == 0) {
			e->st.ns_out++;
			if (unicast)
				e->st.nud_probes++;
		}
	}
	en->probes++;
	sk_ei_set_deadline(e, i, sk_ei_add_ms(now, e->cfg.retrans_ms));
}

/* Sends one IPv6 packet to entry i's link-layer address; a packet sent in STALE starts
 * DELAY (RFC 4861 7.3.3). len fits tx (checked against the MTU). */
static int send_to(struct sk_ethif *e, uint32_t i, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct sk_ei_ent *en = &e->ents[i];
	memcpy(e->tx + SK_ETH_HLEN, pkt, len);
	int r = sk_ei_send_frame(e, en->mac, SK_ETHERTYPE_IPV6, len, now);
	if (r == 0)
		e->st.ip6_out++;
	if (en->state == SK_EI_STALE) {
		en->state = SK_EI_DELAY;
		sk_ei_set_deadline(e, i, sk_ei_add_ms(now, e->cfg.delay_first_probe_ms));
	}
	return r;
}

static int send_group(struct sk_ethif *e, const uint8_t group[16], const uint8_t *pkt, size_t len,
		      uint64_t now)
{
	uint8_t mac[SK_ETH_ALEN];
	sk_ipv6_mcast_mac(group, mac);
	memcpy(e->tx + SK_ETH_HLEN, pkt, len);
	int r = sk_ei_send_frame(e, mac, SK_ETHERTYPE_IPV6, len, now);
	if (r == 0)
		e->st.ip6_out++;
	return r;
}

/* The packets that waited for entry i leave in order (it has just left INCOMPLETE). */
static void flush(struct sk_ethif *e, uint32_t i, uint64_t now)
{
	struct sk_ei_qpkt *q = sk_ei_take_queue(e, &e->ents[i]);
	while (q) {
		struct sk_ei_qpkt *next = q->next;
		send_to(e, i, q->data, q->len, now);
		free(q);
		q = next;
	}
}

/* ---- duplicate address detection ---- */

static void dad_solicit(struct sk_ethif *e, int k, uint64_t now)
{
	struct sk_ei_own6 *o = &e->own6[k];
	uint8_t g[16], mac[SK_ETH_ALEN];
	sk_ipv6_solicited_node(o->a, g);
	sk_ipv6_mcast_mac(g, mac);
	/* RFC 4862 5.4.2: from ::, no source link-layer address option. */
	if (send_nd(e, mac, unspecified, g, SK_ICMP6_ND_NS, 0, o->a, 0, now) == 0)
		e->st.dad_ns_out++;
	o->dad_sent++;
	o->dad_deadline = sk_ei_add_ms(now, e->cfg.retrans_ms);
}

/* The wait before an address's first DAD solicitation, in µs: in [max/2, max], from an
 * FNV-1a hash of our MAC and the address. */
static uint64_t dad_delay(const struct sk_ethif *e, const uint8_t a[16])
{
	uint64_t max = (uint64_t)e->cfg.dad_delay_max_ms * 1000u;
	if (max == 0)
		return 0;
	uint32_t h = 2166136261u;
	for (int i = 0; i < SK_ETH_ALEN + 16; i++) {
		h ^= i < SK_ETH_ALEN ? e->mac[i] : a[i - SK_ETH_ALEN];
		h *= 16777619u;
	}
	return max - max / 2 + h % (max / 2 + 1);
}

static void tell_dad(struct sk_ethif *e, int k, int event, uint64_t now)
{
	if (e->dad_hook) {
		uint8_t a[16];
		memcpy(a, e->own6[k].a, 16);
		e->dad_hook(e->dad_hook_ctx, a, event, now);
	}
}

/* RFC 4862 5.4.5: the tentative address is not unique; it is never used. */
static void dad_failed(struct sk_ethif *e, int k, uint64_t now)
{
	e->own6[k].state = SK_ETHIF_ADDR_DUPLICATE;
	e->own6[k].dad_deadline = SK_TIME_NEVER;
	e->st.dad_duplicates++;
	tell_dad(e, k, SK_ETHIF_DAD_DUPLICATE, now);
}

void sk_ei_nd_poll_dad(struct sk_ethif *e, uint64_t now)
{
	for (int k = 0; k < e->n6; k++) {
		struct sk_ei_own6 *o = &e->own6[k];
		if (o->state != SK_ETHIF_ADDR_TENTATIVE || o->dad_deadline > now)
			continue;
		if (o->dad_sent < e->cfg.dad_transmits) {
			dad_solicit(e, k, now);
			continue;
		}
		o->state = SK_ETHIF_ADDR_PREFERRED;
		o->dad_deadline = SK_TIME_NEVER;
		e->st.dad_ok++;
		tell_dad(e, k, SK_ETHIF_DAD_OK, now);
	}
}

uint64_t sk_ei_nd_next_dad(const struct sk_ethif *e)
{
	uint64_t d = SK_TIME_NEVER;
	for (int k = 0; k < e->n6; k++)
		if (e->own6[k].state == SK_ETHIF_ADDR_TENTATIVE && e->own6[k].dad_deadline < d)
			d = e->own6[k].dad_deadline;
	return d;
}

/* ---- messages in ---- */

/* RFC 4861 7.2.3 and 6.3.4 (and appendix C): a solicitation's or a router advertisement's
 * source link-layer address creates a STALE entry or, when it differs, updates one and
 * makes it STALE; an INCOMPLETE entry so learned sends what waited. */
static void learn(struct sk_ethif *e, const uint8_t a[16], const uint8_t mac[SK_ETH_ALEN],
		  uint64_t now)
{
	if (!unicast_ok(a) || own_index(e, a) >= 0)
		return;
	uint32_t i = sk_ei_find(e, a);
	if (i == NIL) {
		i = sk_ei_alloc(e, a, 1, SK_EI_STALE);
		memcpy(e->ents[i].mac, mac, SK_ETH_ALEN);
		return;
	}
	struct sk_ei_ent *en = &e->ents[i];
	if (en->state == SK_EI_INCOMPLETE) {
		memcpy(en->mac, mac, SK_ETH_ALEN);
		en->state = SK_EI_STALE;
		en->probes = 0;
		sk_ei_set_deadline(e, i, SK_TIME_NEVER);
		sk_ei_touch(e, i);
		e->st.resolved++;
		flush(e, i, now);
		return;
	}
	if (!sk_ei_mac_eq(en->mac, mac)) {
		memcpy(en->mac, mac, SK_ETH_ALEN);
		en->state = SK_EI_STALE;
		en->probes = 0;
		sk_ei_set_deadline(e, i, SK_TIME_NEVER);
	}
}

/* RFC 4861 7.2.3, 7.2.4; RFC 4862 5.4.3. */
static void ns_input(struct sk_ethif *e, const struct sk_ipv6 *h, const struct sk_nd *nd,
		     const uint8_t esrc[SK_ETH_ALEN], uint64_t now)
{
	int k = own_index(e, nd->target);
	if (k < 0)
		return; /* not for an address of ours */
	struct sk_ei_own6 *o = &e->own6[k];
	if (sk_ipv6_is_unspecified(h->src)) {
		/* Another node's DAD for this address. */
		if (o->state == SK_ETHIF_ADDR_TENTATIVE) {
			dad_failed(e, k, now);
		} else if (o->state == SK_ETHIF_ADDR_PREFERRED) {
			uint8_t mac[SK_ETH_ALEN];
			sk_ipv6_mcast_mac(all_nodes, mac);
			send_na(e, mac, all_nodes, o->a, SK_ND_NA_OVERRIDE, now);
		}
		return;
	}
	/* A tentative address is not answered (RFC 4862 5.4.3), nor is one claiming to be us. */
	if (o->state != SK_ETHIF_ADDR_PREFERRED || own_index(e, h->src) >= 0)
		return;
	if (nd->src_ll)
		learn(e, h->src, nd->src_ll, now);
	const uint8_t *dmac = nd->src_ll ? nd->src_ll : esrc;
	send_na(e, dmac, h->src, o->a, SK_ND_NA_SOLICITED | SK_ND_NA_OVERRIDE, now);
}

/* RFC 4861 7.2.5; RFC 4862 5.4.4. */
static void na_input(struct sk_ethif *e, const struct sk_nd *nd, uint64_t now)
{
	int k = own_index(e, nd->target);
	if (k >= 0) {
		if (e->own6[k].state == SK_ETHIF_ADDR_TENTATIVE) {
			dad_failed(e, k, now);
		} else if (e->own6[k].state == SK_ETHIF_ADDR_PREFERRED) {
			e->st.addr_conflicts++;
			tell_dad(e, k, SK_ETHIF_ADDR_CONFLICT, now);
		}
		return;
	}
	uint32_t i = sk_ei_find(e, nd->target);
	if (i == NIL || !e->ents[i].v6)
		return; /* no entry: nothing to update (7.2.5) */
	struct sk_ei_ent *en = &e->ents[i];
	const uint8_t *tll = nd->tgt_ll;
	int solicited = nd->flags & SK_ND_NA_SOLICITED, override = nd->flags & SK_ND_NA_OVERRIDE;
	if (en->state == SK_EI_INCOMPLETE) {
		if (!tll)
			return;
		memcpy(en->mac, tll, SK_ETH_ALEN);
		en->probes = 0;
		en->state = solicited ? SK_EI_REACHABLE : SK_EI_STALE;
		sk_ei_set_deadline(
			e, i, solicited ? sk_ei_add_ms(now, e->cfg.reachable_ms) : SK_TIME_NEVER);
		sk_ei_touch(e, i);
		e->st.resolved++;
		flush(e, i, now);
		return;
	}
	int differs = tll && !sk_ei_mac_eq(tll, en->mac);
	if (!override && differs) {
		/* Not trusted to replace a known address; a REACHABLE entry is doubted. */
		if (en->state == SK_EI_REACHABLE) {
			en->state = SK_EI_STALE;
			sk_ei_set_deadline(e, i, SK_TIME_NEVER);
		}
		return;
	}
	if (tll)
		memcpy(en->mac, tll, SK_ETH_ALEN);
	if (solicited) {
		en->state = SK_EI_REACHABLE;
		en->probes = 0;
		sk_ei_set_deadline(e, i, sk_ei_add_ms(now, e->cfg.reachable_ms));
	} else if (differs) {
		en->state = SK_EI_STALE;
		en->probes = 0;
		sk_ei_set_deadline(e, i, SK_TIME_NEVER);
	}
}

/* An Ethernet link-layer address option carries 6 bytes (RFC 2464 8) of a station. */
static int lladdr_ok(const uint8_t *ll, size_t len)
{
	return !ll || (len == SK_ETH_ALEN && !sk_ei_mac_is_group(ll));
}

static void nd_input(struct sk_ethif *e, const struct sk_ipv6 *h, const uint8_t *msg, size_t len,
		     const uint8_t esrc[SK_ETH_ALEN], uint64_t now)
{
	struct sk_icmp6 m;
	struct sk_nd nd;
	if (sk_ipv6_is_multicast(h->src) ||
	    sk_icmp6_parse(msg, len, h->src, h->dst, &m, SK_ICMP6_VERIFY_CSUM) < 0 ||
	    sk_nd_parse(&m, h, &nd) < 0 || !lladdr_ok(nd.src_ll, nd.src_ll_len) ||
	    !lladdr_ok(nd.tgt_ll, nd.tgt_ll_len)) {
		e->st.nd_bad++;
		return;
	}
	switch (nd.type) {
	case SK_ICMP6_ND_NS:
		e->st.ns_in++;
		ns_input(e, h, &nd, esrc, now);
		break;
	case SK_ICMP6_ND_NA:
		e->st.na_in++;
		na_input(e, &nd, now);
		break;
	case SK_ICMP6_ND_RA:
		/* Only the router's link-layer address is taken: no SLAAC, no default router or
		 * prefix list, no MTU, reachable time or retrans timer from it. */
		e->st.ra_in++;
		if (nd.src_ll)
			learn(e, h->src, nd.src_ll, now);
		break;
	default: /* router solicitations (we are no router) and redirects */
		e->st.nd_ignored++;
		break;
	}
}

int sk_ei_nd_input(struct sk_ethif *e, const uint8_t *p, size_t n, const uint8_t esrc[SK_ETH_ALEN],
		   uint64_t now, const uint8_t **ip, size_t *iplen)
{
	struct sk_ipv6 h;
	if (sk_ipv6_parse(p, n, &h) < 0) {
		e->st.frames_bad++;
		return 0;
	}
	size_t end = SK_IPV6_HLEN + (size_t)h.payload_len;
	if (h.next == SK_IPPROTO_ICMPV6 && end > SK_IPV6_HLEN &&
	    p[SK_IPV6_HLEN] >= SK_ICMP6_ND_RS && p[SK_IPV6_HLEN] <= SK_ICMP6_ND_REDIRECT) {
		nd_input(e, &h, p + SK_IPV6_HLEN, end - SK_IPV6_HLEN, esrc, now);
		return 0;
	}
	int k = own_index(e, h.dst);
	if (k >= 0 && !is_preferred(e, k)) {
		e->st.tentative_drops++; /* RFC 4862 5.4 */
		return 0;
	}
	e->st.ip6_in++;
	if (ip)
		*ip = p;
	if (iplen)
		*iplen = end; /* without the Ethernet padding */
	return 1;
}

/* ---- packets out ---- */

int sk_ei_nd_output(struct sk_ethif *e, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct sk_ipv6 h;
	if (e->n6 == 0 || sk_ipv6_parse(pkt, len, &h) < 0)
		return -EINVAL;
	int k = own_index(e, h.src);
	if (k >= 0 && !is_preferred(e, k)) {
		e->st.tentative_drops++;
		return -EADDRNOTAVAIL;
	}
	if (sk_ipv6_is_multicast(h.dst))
		return send_group(e, h.dst, pkt, len, now);
	if (!unicast_ok(h.dst) || own_index(e, h.dst) >= 0)
		return -EINVAL; /* nothing to send on the wire; loopback is the stack's */

	const uint8_t *nh;
	if (on_link6(e, h.dst))
		nh = h.dst;
	else if (e->has_gw6)
		nh = e->gw6;
	else
		return -ENETUNREACH;

	uint32_t i = sk_ei_find(e, nh);
	if (i == NIL) {
		i = sk_ei_alloc(e, nh, 1, SK_EI_INCOMPLETE);
		int r = sk_ei_enqueue(e, &e->ents[i], pkt, len);
		solicit(e, i, now);
		return r;
	}
	struct sk_ei_ent *en = &e->ents[i];
	e->last = i;
	sk_ei_touch(e, i);
	if (en->state == SK_EI_INCOMPLETE)
		return sk_ei_enqueue(e, en, pkt, len);
	if (en->state == SK_EI_REACHABLE && now >= en->deadline)
		en->state = SK_EI_STALE; /* its time ran out before a poll saw it: send_to makes it
					    DELAY */
	return send_to(e, i, pkt, len, now);
}

/* ---- timers ---- */

void sk_ei_nd_due(struct sk_ethif *e, uint32_t i, uint64_t now)
{
	struct sk_ei_ent *en = &e->ents[i];
	switch (en->state) {
	case SK_EI_INCOMPLETE:
		if (en->probes < e->cfg.max_probes) {
			solicit(e, i, now);
			return;
		}
		uint8_t target[16];
		memcpy(target, en->key, 16);
		e->st.unresolved_drops += sk_ei_release(e, i);
		if (e->hook6)
			e->hook6(e->hook6_ctx, target, now);
		return;
	case SK_EI_REACHABLE:
		en->state = SK_EI_STALE;
		sk_ei_set_deadline(e, i, SK_TIME_NEVER);
		return;
	case SK_EI_DELAY:
		en->state = SK_EI_PROBE;
		en->probes = 0;
		solicit(e, i, now);
		return;
	case SK_EI_PROBE:
		if (en->probes < e->cfg.max_probes) {
			solicit(e, i, now);
			return;
		}
		sk_ei_release(e, i); /* unreachable: the next packet resolves afresh (7.3.3) */
		return;
	default: /* STALE has no timer */
		sk_ei_set_deadline(e, i, SK_TIME_NEVER);
		return;
	}
}

/* ---- the API ---- */

int sk_ethif_add_addr6(struct sk_ethif *e, const uint8_t addr[16], uint8_t prefix_len, uint64_t now)
{
	if (!e || !addr || prefix_len > 128 || !unicast_ok(addr))
		return -EINVAL;
	if (own_index(e, addr) >= 0)
		return -EEXIST;
	if (e->n6 == SK_ETHIF_MAX_ADDR6)
		return -ENOSPC;
	now = sk_ei_tick(e, now);
	uint32_t i = sk_ei_find(e, addr);
	if (i != NIL)
		e->st.queue_drops += sk_ei_release(e, i); /* a neighbour that had it: no more */
	int k = e->n6++;
	struct sk_ei_own6 *o = &e->own6[k];
	memset(o, 0, sizeof(*o));
	memcpy(o->a, addr, 16);
	o->plen = prefix_len;
	o->dad_deadline = SK_TIME_NEVER;
	if (e->cfg.dad_transmits == 0) {
		o->state = SK_ETHIF_ADDR_PREFERRED;
		return 0;
	}
	o->state = SK_ETHIF_ADDR_TENTATIVE;
	uint64_t delay = dad_delay(e, addr);
	if (delay == 0)
		dad_solicit(e, k, now);
	else
		o->dad_deadline = now > UINT64_MAX - delay ? UINT64_MAX : now + delay;
	return 0;
}

int sk_ethif_addr6_state(const struct sk_ethif *e, const uint8_t addr[16])
{
	int k = own_index(e, addr);
	return k < 0 ? 0 : e->own6[k].state;
}

int sk_ethif_set_gw6(struct sk_ethif *e, const uint8_t gw[16])
{
	if (!gw) {
		e->has_gw6 = 0;
		return 0;
	}
	if (!unicast_ok(gw))
		return -EINVAL;
	memcpy(e->gw6, gw, 16);
	e->has_gw6 = 1;
	return 0;
}

void sk_ethif_linklocal(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02; /* the universal/local bit, inverted */
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

int sk_ethif_neigh6_state(const struct sk_ethif *e, const uint8_t ip[16])
{
	uint32_t i = sk_ei_find(e, ip);
	if (i == NIL || !e->ents[i].v6)
		return SK_ETHIF_ND_NONE;
	const struct sk_ei_ent *en = &e->ents[i];
	switch (en->state) {
	case SK_EI_INCOMPLETE:
		return SK_ETHIF_ND_INCOMPLETE;
	case SK_EI_REACHABLE:
		return e->now >= en->deadline ? SK_ETHIF_ND_STALE : SK_ETHIF_ND_REACHABLE;
	case SK_EI_STALE:
		return SK_ETHIF_ND_STALE;
	case SK_EI_DELAY:
		return SK_ETHIF_ND_DELAY;
	default:
		return SK_ETHIF_ND_PROBE;
	}
}

int sk_ethif_lookup6(const struct sk_ethif *e, const uint8_t ip[16], uint8_t mac[6])
{
	uint32_t i = sk_ei_find(e, ip);
	if (i == NIL || !e->ents[i].v6 || e->ents[i].state == SK_EI_INCOMPLETE)
		return 0;
	memcpy(mac, e->ents[i].mac, SK_ETH_ALEN);
	return 1;
}

void sk_ethif_set_unreachable6_hook(struct sk_ethif *e,
				    void (*fn)(void *ctx, const uint8_t ip[16], uint64_t now),
				    void *ctx)
{
	e->hook6 = fn;
	e->hook6_ctx = ctx;
}

void sk_ethif_set_dad_hook(struct sk_ethif *e,
			   void (*fn)(void *ctx, const uint8_t addr[16], int event, uint64_t now),
			   void *ctx)
{
	e->dad_hook = fn;
	e->dad_hook_ctx = ctx;
}
