/* RACK-TLP (RFC 8985): what was sent when, which segments are lost by time rather than by
 * counting duplicate ACKs, the reordering window, and the tail-loss probe. */
#ifndef SK_RACK_H
#define SK_RACK_H

#include <stdint.h>

#include "buf/assembler.h"

/* One transmission unit still outstanding (not cumulatively acknowledged). */
enum { SENT_SACKED = 1, SENT_LOST = 2, SENT_RETRANS = 4 /* a copy sent since it was last marked lost */,
       SENT_EVER_RETRANS = 8 /* retransmitted at least once: its ACK gives no RTT sample */ };

struct sk_sent {
	uint32_t seq, end;   /* [seq, end) in sequence space */
	uint64_t xmit;       /* when it was last (re)transmitted, µs */
	uint8_t flags;
};

/* An undo episode's state (sk_rack.undo_on). */
enum { SK_UNDO_OFF, SK_UNDO_ON, SK_UNDO_ENDED /* its recovery is over: late D-SACKs still count */ };

struct sk_rack {
	struct sk_sent *v;   /* in sequence order: v[head + i], i < n (moved down when the end is full) */
	uint32_t cap, head, n;
	/* RFC 8985 6.1: the most recently sent segment known to be delivered */
	uint64_t xmit_ts;
	uint32_t end_seq;
	uint8_t delivered;   /* xmit_ts and end_seq hold a delivery (a clock may read 0) */
	uint32_t rtt;        /* µs, its round trip (RACK.rtt) */
	uint32_t fack;       /* the highest end delivered (SACKed or acked) */
	/* (reordering seen and the window's steps are the connection's: sk_tcb's reord_seen,
	 * reo_steps, reo_persist) */
	uint8_t dsack_round; /* a D-SACK already grew the window in the current round trip, */
	uint32_t dsack_round_end; /* which ends when snd_una reaches this */
	/* TLP (RFC 8985 7) */
	uint32_t tlp_high_seq; /* snd_nxt when a probe was sent; 0 = no episode */
	uint8_t tlp_retrans;   /* the probe was a retransmission */
	uint32_t tlp_tsval;    /* its TSval (timestamps on) */
	uint8_t rxt_probed;    /* in recovery: a retransmission probe went, and no ACK has delivered
				* data or brought a D-SACK since (recovery.c rxt_probe) */
	uint8_t rxt_probe_open; /* the last such probe's D-SACK is still to come, */
	uint32_t rxt_probe_seq; /* for the segment starting here */
	/* Undoing a reduction that proves spurious (recovery.c): an episode begins when fast
	 * recovery or a timeout reduces cwnd */
	uint8_t undo_on;       /* SK_UNDO_*: whether the episode's reduction may still be undone */
	uint8_t undo_ts;       /* undo_tsval holds its first retransmission's TSval (Eifel) */
	uint8_t undo_frto;     /* a timeout's episode: an ACK of data it did not resend undoes it */
	int32_t undo_retrans;  /* segments it retransmitted that no D-SACK has reported; -1: none yet */
	uint32_t undo_marker;  /* snd_una when it began */
	uint32_t undo_cwnd, undo_ssthresh; /* what its reduction replaced */
	uint32_t undo_tsval;
	uint32_t undo_until;   /* SK_UNDO_ENDED: D-SACKs count until snd_una passes this */
};

void sk_rack_free(struct sk_rack *r);
/* Records [seq, end) sent at now (retrans: it was sent before). Returns -ENOMEM or 0. */
int sk_rack_sent(struct sk_rack *r, uint32_t seq, uint32_t end, uint64_t now, int retrans);
/* A newly delivered piece (its send time, end, and whether it had been retransmitted), so
 * the caller advances RACK's clock. */
typedef void (*sk_rack_delivered_fn)(void *ctx, uint64_t xmit, uint32_t end, int retrans);
/* Forgets what snd_una passed, calling back for what was not SACKed before; returns those
 * bytes (delivered by this cumulative ACK). */
uint32_t sk_rack_acked_upto(struct sk_rack *r, uint32_t snd_una, sk_rack_delivered_fn fn, void *ctx);
/* Marks [l, r) SACKed, calling back for each newly delivered piece; returns its bytes. */
uint32_t sk_rack_sacked(struct sk_rack *r, uint32_t l, uint32_t rr, sk_rack_delivered_fn fn, void *ctx);
/* SACKed pieces, counted as segments of mss (Linux's sacked_out). */
uint32_t sk_rack_sacked_segs(const struct sk_rack *r, uint32_t mss);
/* RFC 8985 6.2 step 2: a delivery of a segment sent at xmit ending at end. */
void sk_rack_advance(struct sk_rack *r, uint64_t xmit, uint32_t end, uint32_t rtt);
/* RFC 8985 6.2 step 5: marks lost what was sent reo_wnd + RACK.rtt before the latest
 * delivered segment was. Returns the µs until the next segment may be judged (0: none), in
 * *newly the bytes newly marked lost, and in *newly_rxt how many of those were
 * retransmissions (lost again). */
uint64_t sk_rack_detect(struct sk_rack *r, uint64_t now, uint32_t reo_wnd, uint32_t *newly, uint32_t *newly_rxt);
/* Outstanding entries (sends of one instant count as one) not SACKed, up to most; in *xmit
 * when the oldest outstanding entry was last sent (0 if none). */
uint32_t sk_rack_unsacked(const struct sk_rack *r, uint32_t most, uint64_t *xmit);
/* The segment sent last of those in flight (not SACKed, not waiting to go again), if it is a
 * retransmission: nothing sent after it is out to be delivered, so RACK can never judge it
 * lost. Its start and length (at most mss) in *seq, *len; 0 if there is none such. */
int sk_rack_latest_rxt(const struct sk_rack *r, uint32_t mss, uint32_t *seq, uint32_t *len);
/* Whether a retransmission is outstanding: sent, not SACKed, not yet judged lost. */
int sk_rack_rxt_outstanding(const struct sk_rack *r);
/* Bytes of [l, rr) that went more than once (SENT_EVER_RETRANS), still outstanding. */
uint32_t sk_rack_retrans_bytes(const struct sk_rack *r, uint32_t l, uint32_t rr);
/* Every outstanding segment not SACKed is lost (a retransmission timeout). */
void sk_rack_all_lost(struct sk_rack *r);
/* A timeout proved spurious: what is marked lost and was not sent again is in flight. */
void sk_rack_unmark_lost(struct sk_rack *r);
/* Bytes: SACKed, marked lost (and not resent), in flight (RFC 6675's pipe as Linux counts
 * it: sent - SACKed - lost + retransmitted). */
uint32_t sk_rack_sacked_bytes(const struct sk_rack *r);
uint32_t sk_rack_in_flight(const struct sk_rack *r);
/* The first lost run not yet retransmitted: its start and length (at most most bytes). 0 if
 * none. The caller says how much one write may carry (one MSS, or a TSO super-segment). */
int sk_rack_next_lost(const struct sk_rack *r, uint32_t most, uint32_t *seq, uint32_t *len);
/* Whether the byte at seq is SACKed. */
int sk_rack_is_sacked(const struct sk_rack *r, uint32_t seq);
/* The last outstanding segment's range (the TLP retransmits it), at most mss. */
int sk_rack_last(const struct sk_rack *r, uint32_t mss, uint32_t *seq, uint32_t *len);

#endif
