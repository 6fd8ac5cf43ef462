/* Runs built by hand for the picture tests: real IPv4/TCP packets between two endpoints with
 * the states, calls and congestion samples a simulator would have logged. */
#ifndef SK_TEST_PIC_INPUTS_H
#define SK_TEST_PIC_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "trace/picture.h"
#include "wire/tcp.h"

#define PIN_CLIENT 0
#define PIN_SERVER 1
#define PIN_ISS_C 1000u  /* the client's ISN */
#define PIN_ISS_S 5000u  /* the server's ISN */
#define PIN_DELAY 10000u /* one way, µs */
#define PIN_WS 7         /* both sides' window scale in pin_transfer */

struct pin {
	struct sk_pic pic;
	const char *names[2];
	struct sk_pic_frame *fr;
	size_t nfr, capfr;
	struct sk_pic_state st[64];
	struct sk_pic_note nt[64];
	struct sk_pic_cc cc[64];
	size_t nst, nnt, ncc;
};

void pin_init(struct pin *b, const char *title);
void pin_free(struct pin *b);
/* Appends a TCP segment from endpoint from to the other one, sent at t and arriving
 * PIN_DELAY later; seq/ack absolute; opt NULL for none; len bytes of payload. Returns its
 * index. */
size_t pin_tcp(struct pin *b, uint64_t t, int from, uint16_t flags, uint32_t seq, uint32_t ack, uint16_t win,
	       const struct sk_tcp_opts *opt, uint32_t len, int lost, const char *label);
void pin_state(struct pin *b, uint64_t t, int ep, const char *name);
void pin_note(struct pin *b, uint64_t t, int ep, const char *text);
void pin_cc(struct pin *b, uint64_t t, int ep, uint32_t cwnd, uint32_t ssthresh, uint32_t in_flight);
/* Points b->pic at what was built (call after the last append). */
void pin_finish(struct pin *b);

/* Three-way handshake at 0, 10, 20 ms (arrivals 10 ms later). */
void pin_handshake(struct pin *b);
/* SYNs at 0, 1 and 3 s lost, the one at 7 s answered: the handshake ends at 7.03 s. */
void pin_syn_backoff(struct pin *b);
/* hs-7: SYNs at 0, 1, 3, 7, 15, 31 s all lost; ETIMEDOUT at 63 s. */
void pin_hs7(struct pin *b);
/* Handshake with window scaling, then ten 1000-byte segments at 100 ms, the third lost,
 * acked with SACK, a fast retransmit at 126 ms, everything acked at 146 ms; cc samples. */
void pin_transfer(struct pin *b);
/* Handshake, then data segments of 100 bytes 10 µs apart up to n frames in all, an ACK
 * every second segment, one segment in 997 lost and retransmitted 40 segments later. */
void pin_bulk(struct pin *b, size_t n);

#endif
