/* synack shards: one stack per core, each reading its own queue of a multi-queue TUN (or
 * fed by the application's own dispatcher), sharing one address and nothing on the data
 * path. The link may bring a shard a segment of a flow another shard owns (the kernel's
 * TUN moves flows between queues now and then); the group passes such a packet (a TCP
 * segment, a UDP datagram, an ICMP error: synack_set_stray_hook) round the other shards
 * until one owns its flow, and the last one asked answers it if none does.
 *
 *   synack_stack *st[2] = {...};            // same address, same listeners, same secret
 *   synack_shards *g = synack_shards_new(2, st);
 *   // the thread of shard i, its own loop:
 *   synack_shards_input_batch(g, i, pkts, lens, verified, n, now); // what its queue read
 *   synack_shards_take(g, i, now);                                 // what others handed it
 *   poll on its device and on synack_shards_fd(g, i); ...
 *
 * Shard i hands to shard (i + 1) % n, so each shard's inbox has one writer and one reader
 * and needs no lock; an eventfd per shard wakes its reader. The group sets each stack's
 * stray hook (synack_set_stray_hook): call nothing else that sets it. Give every shard the
 * same secret (synack_config.secret): a shard takes the ACK of a SYN cookie only while it
 * sends cookies itself (as Linux), and then checks another shard's cookie as its own;
 * otherwise the ACK goes round to the shard that made it. bench/stack_synack.c --cores N is
 * a whole sharded server on a multi-queue TUN. */
#ifndef SYNACK_SHARDS_H
#define SYNACK_SHARDS_H

#include <stddef.h>
#include <stdint.h>

#include <synack/synack.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct synack_shards synack_shards;

/* A group of n shards (1 to 64) over stacks[0..n-1], which stay the caller's (free the
 * group first). NULL with errno EINVAL (bad n, a NULL stack), ENOMEM, or eventfd's errno.
 * Threads: any, before the shards run. */
synack_shards *synack_shards_new(int n, synack_stack *const *stacks);
/* Frees the group (and what its inboxes still hold) and removes the stacks' stray hooks.
 * Threads: any, once no shard runs. */
void synack_shards_free(synack_shards *g);

/* synack_input_batch on shard i's stack, for packets its own link read: a segment of no
 * connection of its goes to the next shard. Threads: shard i's. */
void synack_shards_input_batch(synack_shards *g, int i, const uint8_t *const *pkts, const size_t *lens,
			       const uint8_t *verified, size_t n, uint64_t now);
/* Inputs what the shard before i handed over, on shard i's stack: how many packets. Threads:
 * shard i's. */
int synack_shards_take(synack_shards *g, int i, uint64_t now);
/* A descriptor that becomes readable when something was handed to shard i, or
 * synack_shards_wake was called (an eventfd; synack_shards_take empties it): put it beside
 * the device in shard i's poll. */
int synack_shards_fd(const synack_shards *g, int i);
/* Makes shard i's descriptor readable: to end its poll (to stop it, say). Threads: any. */
void synack_shards_wake(synack_shards *g, int i);

/* Shard i's counts: packets it handed on, packets it took, and packets it dropped because
 * the next shard's inbox was full or memory ran out (its stack counts both of these in
 * strays_handed). */
struct synack_shard_stats {
	uint64_t handed, taken, dropped;
};
void synack_shards_stats(const synack_shards *g, int i, struct synack_shard_stats *out);

#ifdef __cplusplus
}
#endif
#endif
