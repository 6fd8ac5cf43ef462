/* TIME-WAIT records' memory (twlog.c): slabs in arrival order, one timer for all records. */
#ifndef SK_TWLOG_H
#define SK_TWLOG_H

#include <stdint.h>

#include "base/wheel.h"

#define SK_TWSLAB_BYTES 16384 /* a slab, aligned to its size */

struct synack_stack;
struct sk_tw;
struct sk_twslab;
struct sk_twchain {
	struct sk_twslab *head, *tail; /* oldest first */
	uint32_t size;                 /* bytes per record */
	uint32_t slabs;                /* slabs held */
	uint64_t live;                 /* records in them still in TIME-WAIT */
};
struct sk_twlog {
	struct sk_twchain c[2]; /* IPv4 records; records with room for IPv6 addresses */
	struct sk_timer timer;  /* due at the oldest live record's expiry */
};
/* Slabs held, both chains. */
static inline uint64_t sk_twlog_slabs(const struct sk_twlog *l)
{
	return (uint64_t)l->c[0].slabs + l->c[1].slabs;
}

void sk_twlog_init(struct sk_twlog *l);
/* A zeroed record (kind SK_CONN_TW, with IPv6 room if v6) at the tail of its chain, lasting
 * until expires (never earlier than any record written before it), or NULL without
 * memory. */
struct sk_tw *sk_twlog_alloc(struct synack_stack *st, int v6, uint64_t expires);
/* w's memory is no longer a record (it has left the 4-tuple table); its slab is freed if
 * nothing in it is left. */
void sk_twlog_release(struct sk_tw *w);
/* A TW-1 restart of w: a new expiry, the latest of its chain. Done in place when w is the
 * newest record of its chain; otherwise w is written again at the tail, the copy taking
 * w's place in the 4-tuple table and w's memory released (w is not to be used after),
 * unless its chain already holds more than twice the slots its live records need (each
 * move leaves a tombstone, and a peer repeating its FIN must not make the log grow past
 * that) or memory runs out: then w keeps its old expiry. */
void sk_twlog_restart(struct synack_stack *st, struct sk_tw *w, uint64_t expires);
/* The timer's work: sk_tw_expired for every record due, oldest first; re-arms the timer. */
void sk_twlog_expire(struct synack_stack *st);
/* Frees every slab (the stack is going; the records need nothing else). */
void sk_twlog_free(struct sk_twlog *l);

#endif
