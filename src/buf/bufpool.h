/* A small per-stack cache of byte-queue storage. A connection gives its buffers back when
 * they empty (an idle connection holds none, CONN-3), but a busy one empties and refills
 * its receive buffer many times a second; without the cache each refill would start again
 * from 2 KiB, doubling with copies, and the allocator would hand large blocks back to the
 * kernel and fault them in again. Bounded; emptied after a second of disuse. */
#ifndef SK_BUFPOOL_H
#define SK_BUFPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SK_BUFPOOL_SLOTS 8
#define SK_BUFPOOL_MIN (16u * 1024)         /* smaller blocks are not worth keeping */
#define SK_BUFPOOL_BYTES (16u * 1024 * 1024) /* at most this much kept */
#define SK_BUFPOOL_IDLE_US 1000000u          /* kept this long after the last use */
/* Every block has this many bytes before it that its user may keep something in (a byte
 * queue keeps its size there), so the block itself stays a power of two. */
#define SK_BUFPOOL_HEAD 16u

struct sk_bufpool {
	uint8_t *buf[SK_BUFPOOL_SLOTS];
	uint32_t cap[SK_BUFPOOL_SLOTS];
	int n;
	size_t bytes;
	uint64_t last_use;
};

/* Storage of at least need bytes (with SK_BUFPOOL_HEAD more before it): a kept block (the
 * largest of at most want bytes, else the smallest that fits) or a new one of the next
 * power of two from 2 KiB. *cap gets its size. NULL when out of memory. */
uint8_t *sk_bufpool_get(struct sk_bufpool *p, uint32_t need, uint32_t want, uint32_t *cap, uint64_t now);
/* Gives storage back: kept if large enough and there is room, else freed. */
void sk_bufpool_put(struct sk_bufpool *p, uint8_t *buf, uint32_t cap, uint64_t now);
/* When the kept blocks are due to go (UINT64_MAX if none is kept). */
uint64_t sk_bufpool_deadline(const struct sk_bufpool *p);
/* Frees everything kept (at the deadline, and when the stack goes). */
void sk_bufpool_drain(struct sk_bufpool *p);

#endif
