/* Fragment reassembly, IPv4 (RFC 791 3.2, RFC 815, RFC 1122 3.3.2) and IPv6 (RFC 8200 4.5,
 * RFC 5722): datagrams keyed by (src, dst, proto, id) or (src, dst, id), pieces in any order, a timeout counted from the arrival of the
 * first piece of each datagram, and a hard cap on the memory held.
 *
 * Policy:
 *  - A fragment that is not the last must carry a multiple of 8 payload bytes; a fragment
 *    with no payload at all is useless; either is dropped alone (dropped_bad).
 *  - A datagram whose first header plus payload would pass 65535 bytes is dropped with its
 *    pending state (dropped_toobig).
 *  - Overlap (RFC 5722 style, as Linux since the FragmentSmack fixes): a fragment with the
 *    same offset, length, bytes and MF flag as one already held is an exact duplicate and is
 *    ignored (return 0, nothing counted but frags_in). Any other overlap, including identical
 *    bytes that do not line up with a held fragment, drops the whole datagram
 *    (dropped_overlap).
 *  - The end, once known, is fixed: a last fragment (MF clear) that disagrees with an earlier
 *    one, ends before data already held or repeats a held piece that had MF set, and a
 *    fragment with MF set that reaches the known end or past it, drop the whole datagram
 *    (dropped_bad).
 *  - Memory: the bytes counted (sk_reasm_mem) are, per pending datagram, its bookkeeping
 *    struct, its payload buffer (with 60 bytes of header room) and its range array, plus the
 *    last completed datagram until it is released. That never passes mem_cap. A fragment that
 *    would need more first evicts the oldest other pending datagrams; if that is still not
 *    enough the fragment is dropped (dropped_mem, the datagram it belongs to is kept).
 *  - Pending datagrams are also limited in number: mem_cap / SK_REASM_BYTES_PER_DGRAM, at
 *    least SK_REASM_MIN_DGRAMS (256 at the default 4 MiB). A new datagram beyond the limit
 *    evicts the oldest. Every evicted datagram counts once in dropped_mem.
 *  Each drop counts once, whatever number of fragments the dropped datagram held.
 *
 * The struct is defined here so the stack can embed it; treat its fields as private. */
#ifndef SK_REASM_H
#define SK_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "wire/ipv4.h"
#include "wire/ipv6.h"

/* The longest IPv6 unfragmentable part (header and extension headers before the fragment
 * header) taken; a first fragment with more is dropped (dropped_bad). */
#define SK_REASM_V6_UNFRAG_MAX 256u

#define SK_REASM_DEFAULT_MEM ((size_t)4 << 20)
#define SK_REASM_DEFAULT_TIMEOUT_US (30u * 1000000ull)
#define SK_REASM_BYTES_PER_DGRAM ((size_t)16 << 10)
#define SK_REASM_MIN_DGRAMS 8u

struct sk_reasm_stats {
	uint64_t frags_in;        /* fragments passed to sk_reasm_input */
	uint64_t reassembled;     /* datagrams completed */
	uint64_t timeouts;        /* datagrams expired by sk_reasm_expire */
	uint64_t dropped_overlap; /* datagrams dropped for an overlap that was not a duplicate */
	uint64_t dropped_mem;     /* fragments refused for memory + datagrams evicted */
	uint64_t dropped_bad;     /* malformed fragments, inconsistent ends (datagram dropped) */
	uint64_t dropped_toobig;  /* datagrams that would pass 65535 bytes */
};

struct sk_reasm_dgram; /* private to reasm.c */

struct sk_reasm {
	struct sk_reasm_dgram *head, *tail; /* pending, oldest (earliest created) first */
	size_t count;                       /* pending datagrams */
	size_t max_count;
	size_t mem;                         /* bytes held now, done buffer included */
	size_t mem_cap;
	uint64_t timeout_us;
	uint8_t *done;                      /* last completed datagram's buffer */
	size_t done_mem;
	struct sk_reasm_stats stats;
};

/* mem_cap 0 means SK_REASM_DEFAULT_MEM, timeout_us 0 means SK_REASM_DEFAULT_TIMEOUT_US. */
void sk_reasm_init(struct sk_reasm *r, size_t mem_cap, uint64_t timeout_us);

/* Releases every pending datagram and the last completed one; sk_reasm_mem is then 0 and
 * the object may be used again (same cap and timeout) or dropped. Stats are kept. */
void sk_reasm_free(struct sk_reasm *r);

/* pkt/len: a whole validated IPv4 packet that is a fragment, ip parsed from it (link padding
 * past total_len is ignored). Returns 1 when this fragment completes a datagram: *out points
 * to the rebuilt datagram (the first fragment's header, options included, with total_len
 * set, MF and offset cleared, DF kept, checksum recomputed, then the whole payload) of
 * *outlen bytes, valid until the next sk_reasm_input, sk_reasm_expire or sk_reasm_free.
 * Returns 0 when the fragment is held (or was an exact duplicate), -1 when it was dropped
 * (one stats counter says why). out/outlen are only written on 1. */
int sk_reasm_input(struct sk_reasm *r, const struct sk_ipv4 *ip, const uint8_t *pkt, size_t len, uint64_t now,
		   const uint8_t **out, size_t *outlen);

/* The same for an IPv6 fragment: pkt/len a packet whose header h and extension-header walk
 * w (sk_ipv6_walk) say it is a fragment (w->fragment). The rebuilt datagram is the first
 * fragment's unfragmentable part, its payload length set and the next header that named
 * the fragment header naming what the fragments carried (the fragment header is gone),
 * then the whole fragmentable part. Overlaps drop the datagram (RFC 5722), as for IPv4. */
int sk_reasm_input6(struct sk_reasm *r, const uint8_t *pkt, size_t len, const struct sk_ipv6 *h,
		    const struct sk_ipv6_walk *w, uint64_t now, const uint8_t **out, size_t *outlen);

/* Drops every datagram whose first piece arrived at or before now - timeout. For each whose
 * first fragment (offset 0) had arrived, calls fn(ctx, packet, len) with that fragment as it
 * arrived (its own header and payload; IPv6: with its fragment header) so the caller can
 * send ICMP time exceeded, code 1 (RFC 792, RFC 1122 3.3.2; RFC 8200 4.5). fn may be NULL; it must not call into this module. */
void sk_reasm_expire(struct sk_reasm *r, uint64_t now, void (*fn)(void *ctx, const uint8_t *first, size_t len),
		     void *ctx);

/* The earliest time sk_reasm_expire has something to drop; UINT64_MAX when nothing is
 * pending. */
uint64_t sk_reasm_next_deadline(const struct sk_reasm *r);

/* Bytes held now (see the policy above); never more than mem_cap. */
size_t sk_reasm_mem(const struct sk_reasm *r);

#endif
