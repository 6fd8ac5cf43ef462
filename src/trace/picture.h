/* Pictures of a TCP run written as SVG: a ladder diagram, a time-sequence graph with the
 * congestion window under it, and one offline HTML page holding both with the trace.
 *
 * The input is a plain description of a run (struct sk_pic), filled from the simulator's log
 * or from a capture; nothing here depends on src/sim. Each call writes one document and keeps
 * no state between calls.
 *
 * What the SVG contains, for readers and for tests that parse it. Every coordinate is a plain
 * attribute in px, origin at the top left; attributes in the namespace urn:x-synack:picture
 * (prefix sk) carry the times (µs, as in the input) and values the geometry was made from.
 *
 * The ladder, <svg class="ladder">:
 *   <line class="lifeline" x1 y1 x2 y2 sk:endpoint>: one per endpoint.
 *   <g class="time" sk:px-per-s sk:origin>: the time axis, <line class="axis"> pieces, and
 *       <line class="tick" sk:t> with <text class="tick-label" sk:t>. Time runs down at
 *       sk:px-per-s everywhere except where marked: <rect class="rows" sk:t> on the axis is
 *       an instant (or a gap narrower than a line of text) at which several things happened,
 *       drawn a row (16 px) apart; <g class="break" sk:t0 sk:t1 sk:y0 sk:y1> is a stretch
 *       with nothing on the wire, cut short and labelled with its length.
 *   <line class="seg" x1 y1 x2 y2 sk:frame sk:sent sk:arrived>: one per frame drawn, the
 *       class also saying "rxmit" (a retransmission: sequence space its sender sent before),
 *       "lost", "corrupt". A lost frame's line ends halfway (in time) to the other lifeline,
 *       where <path class="cross" sk:x sk:y sk:frame> is.
 *   <text class="seg-label" sk:frame>: tcpdump's brief form ("S seq 0 win 64240 <mss
 *       1460,sackOK,TS,ws 7>", "P. seq 1:101(100) ack 1 win 502", ". ack 1 win 502 sack
 *       1001:2001"), sequence and acknowledgment numbers relative to each side's first
 *       sequence number (tcpdump without -S), the window as in the header (unscaled), and
 *       the frame's label in a <tspan class="why">.
 *   <g class="bracket" sk:frame sk:prev sk:t0 sk:t1>: on the sender's lifeline, the time
 *       from a segment's previous transmission (frame sk:prev) to this one, as
 *       <line class="bracket-line" y1 y2> and <text class="bracket-label">; a
 *       <g class="bracket giveup" sk:frame sk:t0 sk:t1> runs from the last segment, never
 *       answered, to the endpoint's CLOSED (hs-7's final 32 s).
 *   <rect class="state" x y width height sk:endpoint sk:t0 sk:t1 sk:name>: a state from its
 *       start to the endpoint's next state (CLOSED has no box), <text class="state-name">.
 *   <text class="note" sk:endpoint sk:t>: a socket call and its result.
 *   <text class="cut">: only the first SK_PIC_LADDER_MAX_FRAMES frames were drawn.
 *
 * The plot, <svg class="plot">:
 *   <g class="tsg" sk:t0 sk:t1 sk:s0 sk:s1 sk:x0 sk:x1 sk:y0 sk:y1>: the time-sequence
 *       graph, x = x0 + (t - t0) (x1 - x0) / (t1 - t0) and y = y0 - (s - s0) (y0 - y1) /
 *       (s1 - s0) for a time t (µs) and a relative sequence number s (bytes). In it:
 *       <line class="bar data|rxmit|sack" x1 y1 x2 y2> (bars in one pixel column merged
 *       once there are many), <path class="lost" sk:x sk:y> at the top of a lost segment,
 *       <polyline class="ack"> (the cumulative ACK as the sender received it) and
 *       <polyline class="window"> (ACK + window, scaled), <line class="axis">,
 *       <line class="tick" sk:t|sk:v>.
 *   <g class="ccg" ...the same attributes, s in bytes...>: <polyline class="cwnd">,
 *       <polyline class="ssthresh"> (where finite), <polyline class="inflight">.
 *
 * Colours (fixed, on a white background): */
#ifndef SK_PICTURE_H
#define SK_PICTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SK_PIC_COLOUR_BG "#ffffff"       /* background */
#define SK_PIC_COLOUR_INK "#000000"      /* axes, text */
#define SK_PIC_COLOUR_LIFELINE "#404040" /* lifelines */
#define SK_PIC_COLOUR_SEG "#1f4e9c"      /* segments, new data bars, cwnd */
#define SK_PIC_COLOUR_RXMIT "#e07b00"    /* retransmissions and their timer brackets */
#define SK_PIC_COLOUR_LOST "#e00000"     /* the cross of a lost frame */
#define SK_PIC_COLOUR_CORRUPT "#8c564b"  /* corrupted frames (dashed) */
#define SK_PIC_COLOUR_SACK "#8e44ad"     /* SACK blocks */
#define SK_PIC_COLOUR_ACK "#2ca02c"      /* the cumulative ACK line */
#define SK_PIC_COLOUR_WINDOW "#17a2b8"   /* the window's right edge (ACK + window) */
#define SK_PIC_COLOUR_SSTHRESH "#d4006a" /* ssthresh */
#define SK_PIC_COLOUR_INFLIGHT "#7f7f7f" /* bytes in flight */
#define SK_PIC_COLOUR_NOTE "#00695c"     /* socket calls */

/* Frames beyond this many are left out of the ladder (the picture says so). */
#define SK_PIC_LADDER_MAX_FRAMES 300
/* States and notes beyond this many are left out of the ladder. */
#define SK_PIC_LADDER_MAX_MARKS 600
/* Endpoints beyond this many get no lifeline; frames to or from them are left out. */
#define SK_PIC_MAX_LIFELINES 16

/* A run to draw: endpoints, the frames between them, and what the simulator knew. */
struct sk_pic_frame {
	uint64_t sent_us;    /* when it left its sender */
	uint64_t arrived_us; /* when it reached the other end (or would have, if lost); for a
			      * capture (one vantage point) equal to sent_us */
	int from, to;        /* endpoint indexes */
	int lost;            /* lost on the way: the arrow ends in a cross (halfway in time) */
	int corrupted;       /* arrived with bits flipped (and was dropped by its checksum) */
	int truncated;       /* a capture kept only its headers: the bytes past them are zeros,
			      * and its checksums are not checked */
	const uint8_t *ip;   /* the IP packet (IPv4 or IPv6), no link header */
	size_t len;
	const char *label;   /* NULL, or why it was sent: "fast retransmit", "RTO
			      * retransmission", "tail-loss probe", "zero-window probe", ... */
};

/* From t_us on, the endpoint's connection is in this RFC 9293 state ("SYN-SENT");
 * "CLOSED" ends the box. */
struct sk_pic_state {
	uint64_t t_us;
	int endpoint;
	const char *name;
};

/* A socket call and its result: "connect() = -1 ETIMEDOUT". */
struct sk_pic_note {
	uint64_t t_us;
	int endpoint;
	const char *text;
};

/* Congestion state after a change (bytes); ssthresh UINT32_MAX = infinite. */
struct sk_pic_cc {
	uint64_t t_us;
	int endpoint;
	uint32_t cwnd, ssthresh, in_flight, srtt_us, rto_us;
};

struct sk_pic {
	const char *title;
	const char *const *endpoints; /* names for the lifelines, left to right */
	int n_endpoints;
	const struct sk_pic_frame *frames; /* in order of sent_us */
	size_t n_frames;
	const struct sk_pic_state *states; /* in order of t_us */
	size_t n_states;
	const struct sk_pic_note *notes;   /* in order of t_us */
	size_t n_notes;
	const struct sk_pic_cc *cc;        /* in order of t_us */
	size_t n_cc;
};

/* The ladder diagram: a lifeline per endpoint, time going down to scale, one arrow per
 * frame, state boxes, notes, retransmission brackets. Returns 0, -EINVAL for a run with no
 * endpoints, -ENOMEM, or -EIO if writing failed. */
int sk_pic_ladder_svg(FILE *f, const struct sk_pic *p);

/* The time-sequence graph of the direction of a connection that carried the most data
 * (data as bars, retransmissions and losses marked, the ACK line, the window's right edge,
 * SACK blocks), and below it cwnd, ssthresh and bytes in flight of its sender when cc
 * samples exist. Returns as sk_pic_ladder_svg. */
int sk_pic_plot_svg(FILE *f, const struct sk_pic *p);

/* One page that opens offline: the title, the ladder and the plot inline, and the trace
 * text (HTML-escaped, preformatted; NULL for none). Returns as sk_pic_ladder_svg. */
int sk_pic_html(FILE *f, const struct sk_pic *p, const char *trace_text);

enum sk_pic_format { SK_PIC_LADDER, SK_PIC_PLOT, SK_PIC_HTML };
/* Writes one picture of that format to path (created or truncated; trace_text for the page).
 * Returns 0, or -errno of opening, writing or closing the file, or of the writer. */
int sk_pic_save(const char *path, enum sk_pic_format kind, const struct sk_pic *p, const char *trace_text);

#endif
