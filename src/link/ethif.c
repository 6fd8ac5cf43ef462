/* The Ethernet adapter's cache and its IPv4 half (RFC 826 ARP, RFC 1122 2.3.2 cache
 * behaviour); the IPv6 half, neighbour discovery and DAD, is ethif_nd.c.
 *
 * The cache is a fixed array of max_entries entries, found through a hash table of chains
 * (indices into the array) and kept on an intrusive LRU list, so lookup, insertion and
 * eviction are O(1); the entry that was used last is tried before the hash, so a stream of
 * packets to one next hop (the gateway, usually) costs a compare. Entries are keyed by 16
 * bytes (IPv4 as ::ffff:a.b.c.d), so IPv4 and IPv6 neighbours share the array, the LRU order
 * and the queue budget. An ARP entry is either INCOMPLETE (an ARP request is outstanding;
 * packets wait in its FIFO) or RESOLVED (it has a MAC, trusted until its deadline). Each
 * entry has one deadline: the next request or the give-up for INCOMPLETE, the expiry for
 * RESOLVED (IPv6 states: ethif_nd.c). Entries sit in a binary min-heap by deadline, so
 * next_deadline is exact and O(1) and poll touches only what is due. */
#include "link/ethif.h"
#include "link/ethif_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/arp.h"
#include "wire/decode.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define NIL		  SK_EI_NIL
#define ETH_MIN_FRAME	  60 /* the Ethernet minimum without the FCS */
#define DEFAULT_MTU	  1500
#define MAX_ENTRIES_LIMIT (1u << 20)
#define IP_BROADCAST	  0xffffffffu
#define ND_MIN_TX	  128 /* room for a neighbour solicitation or advertisement */

void sk_ethif_config_defaults(struct sk_ethif_config *c)
{
	c->reachable_ms = 30000;
	c->retrans_ms = 1000;
	c->max_probes = 3;
	c->max_entries = 256;
	c->queue_per_entry = 3;
	c->queue_bytes = 65536;
	c->delay_first_probe_ms = 5000;
	c->dad_transmits = 1;
	c->dad_delay_max_ms = 1000;
}

/* ---- small helpers ---- */

uint64_t sk_ei_add_ms(uint64_t t, uint32_t ms)
{
	uint64_t d = (uint64_t)ms * 1000u;
	return t > UINT64_MAX - d ? UINT64_MAX : t + d;
}

uint64_t sk_ei_tick(struct sk_ethif *e, uint64_t now)
{
	if (now < e->now)
		return e->now;
	e->now = now;
	return now;
}

static int on_link(const struct sk_ethif *e, uint32_t a)
{
	return ((a ^ e->ip) & e->mask) == 0;
}

/* Addresses that never name one host on the link: never learned from an ARP sender. */
static int addr_is_special(const struct sk_ethif *e, uint32_t a)
{
	return a == 0 || a >= 0xe0000000u /* multicast, class E, broadcast */ || (a >> 24) == 127 ||
	       (e->has_bcast && a == e->bcast);
}

/* The cache key of an IPv4 address: ::ffff:a.b.c.d. */
static void key4(uint32_t ip, uint8_t k[16])
{
	memset(k, 0, 10);
	k[10] = k[11] = 0xff;
	sk_put32(k + 12, ip);
}

static uint32_t ent_ip4(const struct sk_ei_ent *en)
{
	return sk_get32(en->key + 12);
}

/* ---- the deadline heap ---- */

static uint64_t heap_key(const struct sk_ethif *e, uint32_t pos)
{
	return e->ents[e->heap[pos]].deadline;
}

static void heap_place(struct sk_ethif *e, uint32_t pos, uint32_t i)
{
	e->heap[pos] = i;
	e->ents[i].hpos = pos;
}

/* Restores the heap order around entry i after its deadline changed (or it was added). */
static void heap_fix(struct sk_ethif *e, uint32_t i)
{
	uint32_t pos = e->ents[i].hpos;
	uint64_t key = e->ents[i].deadline;
	while (pos > 0 && heap_key(e, (pos - 1) / 2) > key) {
		heap_place(e, pos, e->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		uint32_t c = 2 * pos + 1;
		if (c >= e->heap_n)
			break;
		if (c + 1 < e->heap_n && heap_key(e, c + 1) < heap_key(e, c))
			c++;
		if (heap_key(e, c) >= key)
			break;
		heap_place(e, pos, e->heap[c]);
		pos = c;
	}
	heap_place(e, pos, i);
}

static void heap_remove(struct sk_ethif *e, uint32_t i)
{
	uint32_t pos = e->ents[i].hpos;
	uint32_t last = e->heap[--e->heap_n];
	if (last == i)
		return;
	heap_place(e, pos, last);
	heap_fix(e, last);
}

void sk_ei_set_deadline(struct sk_ethif *e, uint32_t i, uint64_t t)
{
	e->ents[i].deadline = t;
	heap_fix(e, i);
}

/* ---- the cache: hash chains, free list, LRU list ---- */

static uint32_t hash_key(const struct sk_ethif *e, const uint8_t k[16])
{
	uint32_t h = 0;
	for (int w = 0; w < 16; w += 4)
		h = (h ^ sk_get32(k + w)) * 2654435769u;
	return h >> (32 - e->hash_bits);
}

static int key_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 16) == 0;
}

uint32_t sk_ei_find(const struct sk_ethif *e, const uint8_t key[16])
{
	if (e->last != NIL && e->ents[e->last].state != SK_EI_FREE &&
	    key_eq(e->ents[e->last].key, key))
		return e->last;
	for (uint32_t i = e->buckets[hash_key(e, key)]; i != NIL; i = e->ents[i].hnext)
		if (key_eq(e->ents[i].key, key))
			return i;
	return NIL;
}

static uint32_t find4(const struct sk_ethif *e, uint32_t ip)
{
	uint8_t k[16];
	key4(ip, k);
	return sk_ei_find(e, k);
}

static void lru_unlink(struct sk_ethif *e, uint32_t i)
{
	struct sk_ei_ent *en = &e->ents[i];
	if (en->prev != NIL)
		e->ents[en->prev].next = en->next;
	else
		e->lru_head = en->next;
	if (en->next != NIL)
		e->ents[en->next].prev = en->prev;
	else
		e->lru_tail = en->prev;
	en->prev = en->next = NIL;
}

static void lru_push_front(struct sk_ethif *e, uint32_t i)
{
	struct sk_ei_ent *en = &e->ents[i];
	en->prev = NIL;
	en->next = e->lru_head;
	if (e->lru_head != NIL)
		e->ents[e->lru_head].prev = i;
	else
		e->lru_tail = i;
	e->lru_head = i;
}

void sk_ei_touch(struct sk_ethif *e, uint32_t i)
{
	if (e->lru_head == i)
		return;
	lru_unlink(e, i);
	lru_push_front(e, i);
}

static void qpkt_drop_head(struct sk_ethif *e, struct sk_ei_ent *en)
{
	struct sk_ei_qpkt *q = en->qhead;
	en->qhead = q->next;
	if (!en->qhead)
		en->qtail = NULL;
	en->qcount--;
	en->qbytes -= q->len;
	e->qbytes_total -= q->len;
	free(q);
}

uint32_t sk_ei_release(struct sk_ethif *e, uint32_t i)
{
	struct sk_ei_ent *en = &e->ents[i];
	uint32_t dropped = en->qcount;
	while (en->qhead)
		qpkt_drop_head(e, en);

	uint32_t *link = &e->buckets[hash_key(e, en->key)];
	while (*link != i)
		link = &e->ents[*link].hnext;
	*link = en->hnext;

	lru_unlink(e, i);
	heap_remove(e, i);
	if (e->last == i)
		e->last = NIL;
	memset(en, 0, sizeof(*en));
	en->state = SK_EI_FREE;
	en->prev = en->next = NIL;
	en->hnext = e->free_head;
	e->free_head = i;
	return dropped;
}

uint32_t sk_ei_alloc(struct sk_ethif *e, const uint8_t key[16], int v6, enum sk_ei_state state)
{
	if (e->free_head == NIL)
		e->st.queue_drops += sk_ei_release(e, e->lru_tail);
	uint32_t i = e->free_head;
	struct sk_ei_ent *en = &e->ents[i];
	e->free_head = en->hnext;

	memset(en, 0, sizeof(*en));
	memcpy(en->key, key, 16);
	en->v6 = (uint8_t) !!v6;
	en->state = (uint8_t)state;
	en->deadline = SK_TIME_NEVER; /* the caller sets the real one */
	en->hpos = e->heap_n++;
	e->heap[en->hpos] = i;
	uint32_t h = hash_key(e, key);
	en->hnext = e->buckets[h];
	e->buckets[h] = i;
	lru_push_front(e, i);
	return i;
}

static uint32_t alloc4(struct sk_ethif *e, uint32_t ip, enum sk_ei_state state)
{
	uint8_t k[16];
	key4(ip, k);
	return sk_ei_alloc(e, k, 0, state);
}

/* ---- frames out ---- */

int sk_ei_send_frame(struct sk_ethif *e, const uint8_t dst[SK_ETH_ALEN], uint16_t type,
		     size_t payload_len, uint64_t now)
{
	struct sk_eth h = {.type = type};
	memcpy(h.dst, dst, SK_ETH_ALEN);
	memcpy(h.src, e->mac, SK_ETH_ALEN);
	sk_eth_emit(e->tx, e->tx_cap, &h);
	size_t n = SK_ETH_HLEN + payload_len;
	if (n < ETH_MIN_FRAME) {
		memset(e->tx + n, 0, ETH_MIN_FRAME - n);
		n = ETH_MIN_FRAME;
	}
	return sk_dev_send(e->dev, e->tx, n, now);
}

/* len has been checked against the MTU, so it fits tx. */
static int send_ip(struct sk_ethif *e, const uint8_t dst[SK_ETH_ALEN], const uint8_t *pkt,
		   size_t len, uint64_t now)
{
	memcpy(e->tx + SK_ETH_HLEN, pkt, len);
	int r = sk_ei_send_frame(e, dst, SK_ETHERTYPE_IPV4, len, now);
	if (r == 0)
		e->st.ip_out++;
	return r;
}

static void send_arp(struct sk_ethif *e, uint16_t op, const uint8_t dst[SK_ETH_ALEN],
		     const uint8_t tha[SK_ETH_ALEN], uint32_t tpa, uint64_t now)
{
	struct sk_arp a = {.op = op, .spa = e->ip, .tpa = tpa};
	memcpy(a.sha, e->mac, SK_ETH_ALEN);
	memcpy(a.tha, tha, SK_ETH_ALEN);
	sk_arp_emit(e->tx + SK_ETH_HLEN, e->tx_cap - SK_ETH_HLEN, &a);
	if (sk_ei_send_frame(e, dst, SK_ETHERTYPE_ARP, SK_ARP_LEN, now) != 0)
		return; /* an incomplete entry retries at its next deadline */
	if (op == SK_ARP_REQUEST)
		e->st.arp_req_out++;
	else
		e->st.arp_reply_out++;
}

static void send_request(struct sk_ethif *e, uint32_t i, uint64_t now)
{
	static const uint8_t zero[SK_ETH_ALEN];
	send_arp(e, SK_ARP_REQUEST, sk_eth_broadcast, zero, ent_ip4(&e->ents[i]), now);
	e->ents[i].probes++;
	sk_ei_set_deadline(e, i, sk_ei_add_ms(now, e->cfg.retrans_ms));
}

struct sk_ei_qpkt *sk_ei_take_queue(struct sk_ethif *e, struct sk_ei_ent *en)
{
	struct sk_ei_qpkt *q = en->qhead;
	en->qhead = en->qtail = NULL;
	e->qbytes_total -= en->qbytes;
	en->qbytes = 0;
	en->qcount = 0;
	return q;
}

/* Gives ARP entry i a MAC (learned, refreshed or changed); an INCOMPLETE entry is resolved
 * and its queue leaves in order. */
static void ent_set_mac(struct sk_ethif *e, uint32_t i, const uint8_t mac[SK_ETH_ALEN],
			uint64_t now)
{
	struct sk_ei_ent *en = &e->ents[i];
	int was_incomplete = en->state == SK_EI_INCOMPLETE;
	memcpy(en->mac, mac, SK_ETH_ALEN);
	en->state = SK_EI_RESOLVED;
	en->probes = 0;
	sk_ei_set_deadline(e, i, sk_ei_add_ms(now, e->cfg.reachable_ms));
	sk_ei_touch(e, i);
	if (!was_incomplete)
		return;
	e->st.resolved++;

	struct sk_ei_qpkt *q = sk_ei_take_queue(e, en);
	while (q) {
		struct sk_ei_qpkt *next = q->next;
		send_ip(e, en->mac, q->data, q->len, now);
		free(q);
		q = next;
	}
}

/* The new packet is refused only when even dropping all of this entry's older packets would
 * not make room for it under queue_bytes; otherwise this entry's oldest packets go until
 * both caps hold. */
int sk_ei_enqueue(struct sk_ethif *e, struct sk_ei_ent *en, const uint8_t *pkt, size_t len)
{
	size_t others = e->qbytes_total - en->qbytes;
	if (e->cfg.queue_per_entry == 0 || len > e->cfg.queue_bytes ||
	    others > e->cfg.queue_bytes - len) {
		e->st.queue_drops++;
		return -ENOBUFS;
	}
	struct sk_ei_qpkt *q = malloc(sizeof(*q) + len);
	if (!q) {
		e->st.queue_drops++;
		return -ENOMEM;
	}
	while (en->qcount >= e->cfg.queue_per_entry || e->qbytes_total + len > e->cfg.queue_bytes) {
		qpkt_drop_head(e, en);
		e->st.queue_drops++;
	}
	q->next = NULL;
	q->len = len;
	memcpy(q->data, pkt, len);
	if (en->qtail)
		en->qtail->next = q;
	else
		en->qhead = q;
	en->qtail = q;
	en->qcount++;
	en->qbytes += len;
	e->qbytes_total += len;
	return 0;
}

/* ---- the API ---- */

struct sk_ethif *sk_ethif_new(struct sk_dev *dev, const uint8_t mac[6], uint32_t ip,
			      uint8_t prefix_len, uint32_t gw, const struct sk_ethif_config *cfg)
{
	struct sk_ethif_config c;
	if (cfg)
		c = *cfg;
	else
		sk_ethif_config_defaults(&c);
	if (!dev || !dev->ops || !dev->ops->send || dev->linktype != SK_LINK_ETHERNET || !mac ||
	    sk_ei_mac_is_group(mac) || prefix_len > 32 || !c.reachable_ms || !c.retrans_ms ||
	    !c.max_probes || !c.max_entries || c.max_entries > MAX_ENTRIES_LIMIT) {
		errno = EINVAL;
		return NULL;
	}

	struct sk_ethif *e = calloc(1, sizeof(*e));
	if (!e)
		goto nomem;
	e->dev = dev;
	memcpy(e->mac, mac, SK_ETH_ALEN);
	e->has_ip4 = ip != 0;
	e->ip = ip;
	e->mask = prefix_len ? 0xffffffffu << (32 - prefix_len) : 0;
	e->gw = gw;
	e->has_bcast = prefix_len <= 30; /* /31 (RFC 3021) and /32 have no broadcast address */
	e->bcast = ip | ~e->mask;
	e->cfg = c;
	e->mtu = dev->mtu ? dev->mtu : DEFAULT_MTU;

	e->hash_bits = 4;
	while ((1u << e->hash_bits) < c.max_entries)
		e->hash_bits++;
	size_t nbuckets = (size_t)1 << e->hash_bits;
	e->buckets = malloc(nbuckets * sizeof(*e->buckets));
	e->ents = calloc(c.max_entries, sizeof(*e->ents));
	e->heap = malloc(c.max_entries * sizeof(*e->heap));
	e->tx_cap = SK_ETH_HLEN + (size_t)(e->mtu > ND_MIN_TX ? e->mtu : ND_MIN_TX);
	e->tx = malloc(e->tx_cap);
	if (!e->buckets || !e->ents || !e->heap || !e->tx)
		goto nomem;
	for (size_t b = 0; b < nbuckets; b++)
		e->buckets[b] = NIL;
	for (uint32_t i = 0; i < c.max_entries; i++) {
		e->ents[i].prev = e->ents[i].next = NIL;
		e->ents[i].hnext = i + 1 < c.max_entries ? i + 1 : NIL;
	}
	e->free_head = 0;
	e->lru_head = e->lru_tail = NIL;
	e->last = NIL;
	return e;

nomem:
	sk_ethif_free(e);
	errno = ENOMEM;
	return NULL;
}

void sk_ethif_free(struct sk_ethif *e)
{
	if (!e)
		return;
	if (e->ents) {
		for (uint32_t i = 0; i < e->cfg.max_entries; i++) {
			struct sk_ei_qpkt *q = e->ents[i].qhead;
			while (q) {
				struct sk_ei_qpkt *next = q->next;
				free(q);
				q = next;
			}
		}
	}
	free(e->ents);
	free(e->buckets);
	free(e->heap);
	free(e->tx);
	free(e);
}

static int output4(struct sk_ethif *e, const uint8_t *ip_pkt, size_t len, uint64_t now)
{
	struct sk_ipv4 h;
	if (!e->has_ip4 || sk_ipv4_parse(ip_pkt, len, &h, 0) < 0)
		return -EINVAL;
	uint32_t dst = h.dst;
	if (dst == 0 || dst == e->ip)
		return -EINVAL; /* nothing to send on the wire; loopback is the stack's */

	if (dst == IP_BROADCAST || (e->has_bcast && dst == e->bcast))
		return send_ip(e, sk_eth_broadcast, ip_pkt, len, now);
	if ((dst >> 28) == 0xe) { /* RFC 1112 6.4: 01:00:5e and the low 23 bits */
		const uint8_t group[SK_ETH_ALEN] = {
			0x01,	     0x00, 0x5e, (uint8_t)(dst >> 16 & 0x7f), (uint8_t)(dst >> 8),
			(uint8_t)dst};
		return send_ip(e, group, ip_pkt, len, now);
	}

	uint32_t nh;
	if (on_link(e, dst))
		nh = dst;
	else if (e->gw)
		nh = e->gw;
	else
		return -ENETUNREACH;

	uint32_t i = find4(e, nh);
	if (i != NIL && e->ents[i].state == SK_EI_RESOLVED) {
		struct sk_ei_ent *en = &e->ents[i];
		e->last = i;
		sk_ei_touch(e, i);
		if (now < en->deadline)
			return send_ip(e, en->mac, ip_pkt, len, now);
		en->state = SK_EI_INCOMPLETE; /* expired: re-resolve from scratch */
		en->probes = 0;
	} else if (i == NIL) {
		i = alloc4(e, nh, SK_EI_INCOMPLETE);
	} else {
		sk_ei_touch(e, i);
	}
	struct sk_ei_ent *en = &e->ents[i];
	int r = sk_ei_enqueue(e, en, ip_pkt, len);
	if (en->probes == 0)
		send_request(e, i, now);
	return r;
}

int sk_ethif_output(struct sk_ethif *e, const uint8_t *ip_pkt, size_t len, uint64_t now)
{
	now = sk_ei_tick(e, now);
	if (!ip_pkt || len == 0)
		return -EINVAL;
	if (len > e->mtu)
		return -EMSGSIZE;
	if (ip_pkt[0] >> 4 == 6)
		return sk_ei_nd_output(e, ip_pkt, len, now);
	return output4(e, ip_pkt, len, now);
}

static void arp_input(struct sk_ethif *e, const uint8_t *p, size_t len, uint64_t now)
{
	struct sk_arp a;
	if (sk_arp_parse(p, len, &a) < 0) {
		e->st.frames_bad++;
		return;
	}
	if (a.op == SK_ARP_REQUEST) {
		e->st.arp_req_in++;
	} else if (a.op == SK_ARP_REPLY) {
		e->st.arp_reply_in++;
	} else {
		e->st.frames_bad++;
		return;
	}
	if (sk_ei_mac_is_group(a.sha)) { /* no station has a group address */
		e->st.frames_bad++;
		return;
	}
	if (!e->has_ip4 || sk_ei_mac_eq(a.sha, e->mac) || a.spa == e->ip)
		return; /* no IPv4 here, our own, or someone claiming our address: never learned
			 * or answered */

	/* RFC 826: merge the sender into an existing entry, whoever the target is. An ARP probe
	 * (RFC 5227: sender 0.0.0.0) carries no binding to learn but is still answered. */
	int learnable = !addr_is_special(e, a.spa);
	int merged = 0;
	if (learnable) {
		uint32_t i = find4(e, a.spa);
		if (i != NIL) {
			ent_set_mac(e, i, a.sha, now);
			merged = 1;
		}
	}
	if (a.tpa != e->ip)
		return;
	if (!merged && learnable && (on_link(e, a.spa) || a.spa == e->gw))
		ent_set_mac(e, alloc4(e, a.spa, SK_EI_RESOLVED), a.sha, now);
	if (a.op == SK_ARP_REQUEST)
		send_arp(e, SK_ARP_REPLY, a.sha, a.sha, a.spa, now);
}

int sk_ethif_input(struct sk_ethif *e, const uint8_t *frame, size_t len, uint64_t now,
		   const uint8_t **ip, size_t *iplen)
{
	now = sk_ei_tick(e, now);
	e->st.frames_in++;
	struct sk_eth h;
	if (!frame || sk_eth_parse(frame, len, &h) < 0 || sk_ei_mac_is_group(h.src)) {
		e->st.frames_bad++;
		return 0;
	}
	int to_us = sk_ei_mac_eq(h.dst, e->mac) || sk_ei_mac_eq(h.dst, sk_eth_broadcast) ||
		    (h.type == SK_ETHERTYPE_IPV6 && sk_ei_nd_mcast_mine(e, h.dst));
	if (sk_ei_mac_eq(h.src, e->mac) || !to_us) {
		e->st.frames_not_mine++;
		return 0;
	}
	const uint8_t *p = frame + SK_ETH_HLEN;
	size_t n = len - SK_ETH_HLEN;
	if (h.type == SK_ETHERTYPE_ARP) {
		arp_input(e, p, n, now);
		return 0;
	}
	if (h.type == SK_ETHERTYPE_IPV6 && e->n6 > 0)
		return sk_ei_nd_input(e, p, n, h.src, now, ip, iplen);
	if (h.type != SK_ETHERTYPE_IPV4 || !e->has_ip4) {
		e->st.frames_not_mine++;
		return 0;
	}
	struct sk_ipv4 iph;
	if (sk_ipv4_parse(p, n, &iph, 0) < 0) {
		e->st.frames_bad++;
		return 0;
	}
	e->st.ip_in++;
	if (ip)
		*ip = p;
	if (iplen)
		*iplen = iph.total_len; /* without the Ethernet padding */
	return 1;
}

void sk_ethif_poll(struct sk_ethif *e, uint64_t now)
{
	now = sk_ei_tick(e, now);
	sk_ei_nd_poll_dad(e, now);
	/* Each step moves the earliest entry later or removes it; entries the hooks create are
	 * due retrans_ms from now, so the loop ends. */
	while (e->heap_n > 0) {
		uint32_t i = e->heap[0];
		struct sk_ei_ent *en = &e->ents[i];
		if (en->deadline > now || en->deadline == SK_TIME_NEVER)
			break; /* SK_TIME_NEVER: IPv6 STALE, which has no timer */
		if (en->v6) {
			sk_ei_nd_due(e, i, now);
			continue;
		}
		if (en->state == SK_EI_RESOLVED) {
			sk_ei_release(e, i); /* stale: the next packet re-resolves */
			continue;
		}
		if (en->probes < e->cfg.max_probes) {
			send_request(e, i, now);
			continue;
		}
		uint32_t target = ent_ip4(en);
		e->st.unresolved_drops += sk_ei_release(e, i);
		if (e->hook)
			e->hook(e->hook_ctx, target, now);
	}
}

uint64_t sk_ethif_next_deadline(const struct sk_ethif *e)
{
	uint64_t d = e->heap_n ? e->ents[e->heap[0]].deadline : SK_TIME_NEVER;
	uint64_t dad = sk_ei_nd_next_dad(e);
	return dad < d ? dad : d;
}

void sk_ethif_get_stats(const struct sk_ethif *e, struct sk_ethif_stats *s)
{
	*s = e->st;
}

int sk_ethif_lookup(const struct sk_ethif *e, uint32_t ip, uint8_t mac[6])
{
	uint32_t i = find4(e, ip);
	if (i == NIL || e->ents[i].state != SK_EI_RESOLVED || e->now >= e->ents[i].deadline)
		return 0;
	memcpy(mac, e->ents[i].mac, SK_ETH_ALEN);
	return 1;
}

void sk_ethif_set_unreachable_hook(struct sk_ethif *e,
				   void (*fn)(void *ctx, uint32_t ip, uint64_t now), void *ctx)
{
	e->hook = fn;
	e->hook_ctx = ctx;
}
