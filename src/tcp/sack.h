/* The sender's SACK scoreboard and RFC 6675 loss recovery arithmetic: which ranges above
 * snd_una the receiver holds, which holes count as lost, how much is in the pipe, and what
 * to send next. */
#ifndef SK_SACK_H
#define SK_SACK_H

#include <stdint.h>

#include "buf/assembler.h"

#define SK_SB_MAX 32
#define SK_DUPTHRESH 3

struct sk_scoreboard {
	uint8_t n;                  /* SACKed ranges, sorted, all above snd_una */
	struct sk_range r[SK_SB_MAX];
	uint32_t sacked;            /* bytes in them */
	uint32_t dsacks;            /* D-SACK blocks received (RFC 2883) */
};

void sk_sb_init(struct sk_scoreboard *sb);
/* Adds the blocks of one ACK (snd_una already advanced to its ack); blocks below snd_una
 * or covering acked data are D-SACKs and counted; blocks beyond snd_max are ignored.
 * Returns the bytes newly SACKed. */
uint32_t sk_sb_update(struct sk_scoreboard *sb, uint32_t snd_una, uint32_t snd_max, const struct sk_range *blk, int n);
/* Forgets what snd_una passed. */
void sk_sb_ack(struct sk_scoreboard *sb, uint32_t snd_una);
void sk_sb_clear(struct sk_scoreboard *sb);
int sk_sb_is_sacked(const struct sk_scoreboard *sb, uint32_t seq);
/* RFC 6675 IsLost: DupThresh discontiguous SACKed ranges above seq, or more than
 * (DupThresh - 1) * mss bytes SACKed above it. */
int sk_sb_is_lost(const struct sk_scoreboard *sb, uint32_t seq, uint32_t mss);
/* RFC 6675 SetPipe: bytes the sender believes are in the network. */
uint32_t sk_sb_pipe(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t snd_max, uint32_t high_rxt, uint32_t mss);
/* RFC 6675 NextSeg rule 1: the first lost, unSACKed byte above high_rxt and the length
 * up to the next SACKed range (at most mss). Returns 0 if there is none. */
int sk_sb_next_lost(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t snd_max, uint32_t high_rxt, uint32_t mss,
		    uint32_t *seq, uint32_t *len);
/* RFC 6675 NextSeg rule 3: the first unSACKed byte above high_rxt (and snd_una) that lies
 * below the highest SACKed byte, lost or not, and the length up to the next SACKed range (at
 * most mss). Returns 0 if there is none. */
int sk_sb_next_hole(const struct sk_scoreboard *sb, uint32_t snd_una, uint32_t high_rxt, uint32_t mss,
		    uint32_t *seq, uint32_t *len);

#endif
