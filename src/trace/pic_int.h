/* Shared by the picture writers: escaping, number formats, axis ticks, and the reading of
 * frames into TCP segments with relative sequence numbers (per connection and direction). */
#ifndef SK_PIC_INT_H
#define SK_PIC_INT_H

#include <stdio.h>
#include <synack/synack.h>

#include "trace/picture.h"

#define SK_PIC_NS "urn:x-synack:picture"
#define SK_PIC_FONT_PX 11
#define SK_PIC_CHAR_PX 6.7 /* advance of a monospace character at SK_PIC_FONT_PX, a little generous */

/* Writes s with &, <, >, " and ' escaped for XML and HTML; control characters and bytes
 * that are not UTF-8 become '?'; newlines and tabs are kept when keep_lines. */
void sk_pic_escape(FILE *f, const char *s, int keep_lines);
/* Characters s shows (UTF-8 sequences count once). */
size_t sk_pic_text_len(const char *s);

/* A duration for people: "1 s", "2.5 s", "200 ms", "23 ms", "350 µs". */
void sk_pic_fmt_duration(char *buf, size_t cap, uint64_t us);

/* Ticks of an axis: the first multiple of step at or after lo, then every step; values
 * in the axis's own unit (microseconds, bytes). */
struct sk_pic_ticks {
	double step;
	double first;
	int decimals; /* for labels in the unit below */
	double unit;  /* divide values by this for the label */
	const char *unit_name;
};
/* Ticks for a time axis over [lo, hi] µs, about min_px apart at px_per_unit. Labels: in
 * seconds when the span is 2 s or more, milliseconds from 2 ms, else microseconds. */
void sk_pic_time_ticks(double lo, double hi, double px_per_unit, double min_px, struct sk_pic_ticks *tk);
/* Ticks for a byte axis over [lo, hi]: bytes, or kB/MB (1000s) for larger values. */
void sk_pic_byte_ticks(double lo, double hi, double px_per_unit, double min_px, struct sk_pic_ticks *tk);
/* The label of value v (already relative to the axis origin) on an axis with ticks tk. */
void sk_pic_tick_label(char *buf, size_t cap, double v, const struct sk_pic_ticks *tk);

/* Time origin of a run: 0 for virtual time (the first event within a day of 0), else the
 * first event's time (a capture's wall clock): the axes count from it. */
uint64_t sk_pic_origin(const struct sk_pic *p);

/* ---- frames read as segments ---- */

enum sk_pic_kind { SK_PIC_K_BAD = 0, SK_PIC_K_TCP, SK_PIC_K_UDP, SK_PIC_K_ICMP, SK_PIC_K_OTHER };

struct sk_pic_seg {
	enum sk_pic_kind kind;
	size_t flow;        /* TCP: connection index */
	int side;           /* TCP: 0 = the side that sent first in the connection, 1 = the other */
	uint16_t flags;     /* TCP flags */
	uint32_t win;       /* the header's window field */
	uint64_t wnd;       /* the window in bytes (scaled when scaling is in use) */
	int64_t seq, ack;   /* relative to this side's (seq) and the other side's (ack) first
			     * sequence number, unwrapped past 2^32 */
	uint32_t len;       /* payload bytes */
	uint32_t seqlen;    /* payload + SYN + FIN */
	int rxmit;          /* covers sequence space this side sent before */
	int nsack;
	int64_t sack[4][2]; /* SACK blocks, relative as ack */
	int has_mss, has_ws, sack_ok, has_ts;
	unsigned mss, ws;
	int bad_csum;
	uint8_t proto, icmp_type, icmp_code; /* ICMPv6's when ip6 */
	int ip6;            /* an IPv6 packet */
	size_t udp_len;
};

struct sk_pic_side {
	uint32_t base;    /* first sequence number: relative 0 */
	int has_base;
	int64_t ref;      /* the highest relative number seen in this space (unwrapping) */
	int64_t snd_max;  /* the highest sequence end sent */
	int has_max;
	int syn_seen, syn_ws; /* this side's SYN was seen; it offered window scaling */
	unsigned ws;
	uint64_t bytes;   /* payload bytes sent */
	size_t frames;
	int endpoint;     /* the model endpoint that sent this side's frames (-1 unknown) */
};

struct sk_pic_flow {
	struct synack_ip addr[2]; /* either family */
	uint16_t port[2];
	struct sk_pic_side side[2];
};

struct sk_pic_flows {
	struct sk_pic_flow *v;
	size_t n, cap;
	size_t *slot; /* open addressing: flow index + 1, 0 = empty */
	size_t nslot;
};

void sk_pic_flows_init(struct sk_pic_flows *ft);
void sk_pic_flows_free(struct sk_pic_flows *ft);
/* Reads one frame (in order of the run) into *s, updating the connections it belongs to.
 * Returns 0 or -ENOMEM. */
int sk_pic_read(struct sk_pic_flows *ft, const struct sk_pic_frame *fr, struct sk_pic_seg *s);

/* The tcpdump-like brief form of a segment: "S seq 0 win 64240 <mss 1460,sackOK,TS,ws 10>",
 * "P. seq 1:101(100) ack 1 win 128", ". ack 1 win 128 sack 1449:2897"; UDP/ICMP briefly. */
void sk_pic_seg_label(char *buf, size_t cap, const struct sk_pic_seg *s);

/* The ladder and the plot; standalone 0 leaves out the XML declaration (inline in HTML). */
int sk_pic_ladder_write(FILE *f, const struct sk_pic *p, int standalone);
int sk_pic_plot_write(FILE *f, const struct sk_pic *p, int standalone);

/* The opening of a standalone or inline SVG document of the given size and class. */
void sk_pic_svg_open(FILE *f, double w, double h, const char *cls, int standalone);

#endif
