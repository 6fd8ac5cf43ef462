/* Internals of the Ethernet adapter shared by its ARP/IPv4 half (ethif.c) and its NDP/IPv6 half
 * (ethif_nd.c). */
#ifndef SK_ETHIF_INT_H
#define SK_ETHIF_INT_H

#include "link/ethif.h"
#include "wire/eth.h"

#define SK_EI_NIL UINT32_MAX

/* An entry's state. ARP (IPv4) entries are INCOMPLETE or RESOLVED; neighbour discovery
 * (IPv6) entries move through RFC 4861 7.3.2's INCOMPLETE, REACHABLE, STALE, DELAY and
 * PROBE. */
enum sk_ei_state {
	SK_EI_FREE = 0,
	SK_EI_INCOMPLETE,
	SK_EI_RESOLVED,
	SK_EI_REACHABLE,
	SK_EI_STALE,
	SK_EI_DELAY,
	SK_EI_PROBE,
};

/* A packet held while its next hop is resolved: the IP packet, not yet framed. */
struct sk_ei_qpkt {
	struct sk_ei_qpkt *next;
	size_t len;
	uint8_t data[];
};

/* One neighbour. The key is the next hop's address in 16 bytes: IPv4 as ::ffff:a.b.c.d
 * (RFC 4291 2.5.5.2), IPv6 as itself; v6 tells them apart for the code that acts on it. */
struct sk_ei_ent {
	uint8_t key[16];
	uint8_t v6;
	uint8_t state; /* enum sk_ei_state */
	uint8_t mac[SK_ETH_ALEN];
	uint32_t probes;   /* solicitations sent in the current resolution or probing (0: none) */
	uint64_t deadline; /* the state's timer; SK_TIME_NEVER for none (IPv6 STALE) */
	uint32_t hnext;	   /* hash chain, or the free list */
	uint32_t hpos;	   /* index in the deadline heap */
	uint32_t prev;	   /* LRU list: towards the most recently used */
	uint32_t next;	   /* LRU list: towards the least recently used */
	uint32_t qcount;
	size_t qbytes;
	struct sk_ei_qpkt *qhead, *qtail;
};

/* One of our own IPv6 addresses and its duplicate address detection (RFC 4862 5.4). */
struct sk_ei_own6 {
	uint8_t a[16];
	uint8_t plen;
	uint8_t state;	       /* SK_ETHIF_ADDR_TENTATIVE, _PREFERRED, _DUPLICATE */
	uint32_t dad_sent;     /* DAD solicitations sent */
	uint64_t dad_deadline; /* TENTATIVE: the next solicitation or the end of DAD */
};

struct sk_ethif {
	struct sk_dev *dev;
	uint8_t mac[SK_ETH_ALEN];
	int has_ip4; /* an IPv4 address was given (ip != 0) */
	uint32_t ip, mask, gw;
	uint32_t bcast; /* the directed subnet broadcast, if has_bcast */
	int has_bcast;
	struct sk_ethif_config cfg;
	uint32_t mtu;

	uint64_t now; /* the latest time seen */

	struct sk_ei_ent *ents;
	uint32_t *buckets; /* chain heads, SK_EI_NIL if empty */
	unsigned hash_bits;
	uint32_t free_head;
	uint32_t lru_head, lru_tail; /* most and least recently used */
	uint32_t last;		     /* the entry found last, or SK_EI_NIL */
	uint32_t *heap;		     /* entries in use, a min-heap by deadline */
	uint32_t heap_n;
	size_t qbytes_total;

	/* IPv6 */
	struct sk_ei_own6 own6[SK_ETHIF_MAX_ADDR6];
	int n6;
	int has_gw6;
	uint8_t gw6[16];

	struct sk_ethif_stats st;
	void (*hook)(void *ctx, uint32_t ip, uint64_t now);
	void *hook_ctx;
	void (*hook6)(void *ctx, const uint8_t ip[16], uint64_t now);
	void *hook6_ctx;
	void (*dad_hook)(void *ctx, const uint8_t addr[16], int event, uint64_t now);
	void *dad_hook_ctx;

	uint8_t *tx; /* one frame being built */
	size_t tx_cap;
};

/* ---- the shared cache (ethif.c) ---- */
uint64_t sk_ei_add_ms(uint64_t t, uint32_t ms);
/* Moves the adapter's clock to now and returns it; an earlier now acts at the latest seen. */
uint64_t sk_ei_tick(struct sk_ethif *e, uint64_t now);
/* The entry for key, or SK_EI_NIL. */
uint32_t sk_ei_find(const struct sk_ethif *e, const uint8_t key[16]);
/* A new entry for key (not in the cache) in state, at the front of the LRU list, deadline
 * SK_TIME_NEVER; evicts the least recently used entry when the cache is full. */
uint32_t sk_ei_alloc(struct sk_ethif *e, const uint8_t key[16], int v6, enum sk_ei_state state);
/* Forgets entry i; returns how many queued packets were dropped with it. */
uint32_t sk_ei_release(struct sk_ethif *e, uint32_t i);
void sk_ei_set_deadline(struct sk_ethif *e, uint32_t i, uint64_t t);
void sk_ei_touch(struct sk_ethif *e, uint32_t i);
/* Holds a packet for an INCOMPLETE entry (queue_per_entry and queue_bytes). 0 or -errno. */
int sk_ei_enqueue(struct sk_ethif *e, struct sk_ei_ent *en, const uint8_t *pkt, size_t len);
/* Takes the queue away from en (the caller sends and frees it). */
struct sk_ei_qpkt *sk_ei_take_queue(struct sk_ethif *e, struct sk_ei_ent *en);
/* Frames payload_len bytes already at e->tx + 14 to dst (padded to 60) and sends them. */
int sk_ei_send_frame(struct sk_ethif *e, const uint8_t dst[SK_ETH_ALEN], uint16_t type,
		     size_t payload_len, uint64_t now);
static inline int sk_ei_mac_eq(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < SK_ETH_ALEN; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}
static inline int sk_ei_mac_is_group(const uint8_t *m)
{
	return m[0] & 1;
}

/* ---- neighbour discovery (ethif_nd.c) ---- */
/* Whether a frame to this group MAC is ours: all-nodes, or the solicited-node group of one
 * of our addresses (RFC 2464 7). */
int sk_ei_nd_mcast_mine(const struct sk_ethif *e, const uint8_t mac[SK_ETH_ALEN]);
/* An IPv6 packet p/n from the frame's source esrc (link_mcast: the frame went to a group):
 * NDP is handled here (0); another packet for the caller: 1 with *ip and *iplen. */
int sk_ei_nd_input(struct sk_ethif *e, const uint8_t *p, size_t n, const uint8_t esrc[SK_ETH_ALEN],
		   uint64_t now, const uint8_t **ip, size_t *iplen);
/* sk_ethif_output for a packet whose version is 6 (its length checked against the MTU). */
int sk_ei_nd_output(struct sk_ethif *e, const uint8_t *pkt, size_t len, uint64_t now);
/* sk_ethif_poll's work for IPv6 entry i, which is due. */
void sk_ei_nd_due(struct sk_ethif *e, uint32_t i, uint64_t now);
/* The DAD timers: runs those due at now; and the earliest left (SK_TIME_NEVER if none). */
void sk_ei_nd_poll_dad(struct sk_ethif *e, uint64_t now);
uint64_t sk_ei_nd_next_dad(const struct sk_ethif *e);

#endif
