/* The ladder diagram as SVG: a lifeline per endpoint, time going down to scale, an arrow per
 * frame, state boxes, socket calls, and the time between a segment and its retransmission.
 *
 * Time keeps one scale (px per second) over the whole picture with two kinds of marked
 * exceptions: several things at one instant are drawn a row apart (grey on the axis), and a
 * long stretch with nothing on the wire can be cut short (a grey band saying how long it
 * was). The scale is chosen so the run fits in about BUDGET px: first everything to scale;
 * if that leaves too many events crowded into rows, a larger scale with the longest quiet
 * stretches cut. */
#include "trace/pic_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROW 16.0        /* px between things at one instant, and between instants at least */
#define BUDGET 1800.0   /* px of time the picture aims at */
#define BREAK_PX 44.0   /* height of a cut stretch */
#define MAX_BREAKS 16
#define MIN_CUT_PX (6 * ROW)
#define MAX_LANES 4     /* bracket columns per lifeline */
#define LANE_PX 16.0
#define AXIS_X 84.0
#define TOP 170.0       /* y of the first instant */
#define CH SK_PIC_CHAR_PX
#define LABEL_CAP 256

enum { EV_DEP, EV_ARR, EV_LOST, EV_STATE, EV_NOTE, EV_KINDS };

struct ev {
	uint64_t t;
	int kind, ep;
	size_t idx;   /* frame, state or note */
	size_t order; /* insertion order, to keep the sort stable */
	size_t inst;
	int row;
	double y;
};

struct inst {
	uint64_t t;
	int strong;   /* an arrow end, a state or a note is here (not only a lost frame's end) */
	int rows;
	int busy;     /* a frame is on the wire during the gap before this instant */
	int brk;      /* that gap is cut short */
	int stretched;/* that gap was widened to a row */
	double gap, y;
};

struct bracket {
	int ep, lane;
	size_t from, to; /* frames: the previous transmission and the retransmission */
	int giveup;      /* to is none: from the last transmission to the end (CLOSED) */
	uint64_t t0, t1;
	double y0, y1;
};

struct ladder {
	const struct sk_pic *p;
	int nl;
	size_t nf;     /* frames considered: the first nf */
	size_t ndrawn, nskipped;
	int cut;
	uint64_t t_cut, origin;
	struct sk_pic_seg *seg;
	char (*label)[LABEL_CAP];
	unsigned char *drawn;
	size_t *dep, *arr; /* per frame: its departure and arrival events */
	struct ev *ev;
	size_t nev;
	struct inst *in;
	size_t nin;
	double s; /* px per µs */
	double y_end;
	struct bracket *br;
	size_t nbr;
	int lanes[SK_PIC_MAX_LIFELINES];
	double x[SK_PIC_MAX_LIFELINES], sc[SK_PIC_MAX_LIFELINES], nc[SK_PIC_MAX_LIFELINES];
	double width, height;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct cand {
	double gap;
	size_t k;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->gap != y->gap)
		return x->gap > y->gap ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

static int state_ok(const struct ladder *L, const struct sk_pic_state *st)
{
	return st->endpoint >= 0 && st->endpoint < L->nl && st->t_us < L->t_cut;
}

static int note_ok(const struct ladder *L, const struct sk_pic_note *n)
{
	return n->endpoint >= 0 && n->endpoint < L->nl && n->t_us < L->t_cut;
}

static int add_ev(struct ladder *L, size_t cap, uint64_t t, int kind, int ep, size_t idx)
{
	if (L->nev == cap)
		return -ENOMEM;
	struct ev *e = &L->ev[L->nev];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->kind = kind;
	e->ep = ep;
	e->idx = idx;
	e->order = L->nev++;
	return 0;
}

/* Frames read, events collected and sorted, grouped into instants with their rows. */
static int collect(struct ladder *L)
{
	const struct sk_pic *p = L->p;
	struct sk_pic_flows ft;
	int err = 0;

	sk_pic_flows_init(&ft);
	for (size_t i = 0; i < L->nf && !err; i++) {
		const struct sk_pic_frame *fr = &p->frames[i];
		err = sk_pic_read(&ft, fr, &L->seg[i]);
		L->drawn[i] = fr->from >= 0 && fr->from < L->nl && fr->to >= 0 && fr->to < L->nl && fr->from != fr->to;
		if (L->drawn[i])
			L->ndrawn++;
		else
			L->nskipped++;
	}
	sk_pic_flows_free(&ft);
	if (err)
		return err;

	size_t cap = 2 * L->nf + SK_PIC_LADDER_MAX_MARKS * 2 + 1, nmarks = 0;
	L->ev = calloc(cap, sizeof(*L->ev));
	if (!L->ev)
		return -ENOMEM;
	for (size_t i = 0; i < L->nf; i++) {
		if (!L->drawn[i])
			continue;
		const struct sk_pic_frame *fr = &p->frames[i];
		uint64_t arr = fr->arrived_us < fr->sent_us ? fr->sent_us : fr->arrived_us;
		if (add_ev(L, cap, fr->sent_us, EV_DEP, fr->from, i) ||
		    add_ev(L, cap, arr, fr->lost ? EV_LOST : EV_ARR, fr->to, i))
			return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_states && nmarks < SK_PIC_LADDER_MAX_MARKS; i++)
		if (state_ok(L, &p->states[i]) && p->states[i].name) {
			if (add_ev(L, cap, p->states[i].t_us, EV_STATE, p->states[i].endpoint, i))
				return -ENOMEM;
			nmarks++;
		}
	nmarks = 0;
	for (size_t i = 0; i < p->n_notes && nmarks < SK_PIC_LADDER_MAX_MARKS; i++)
		if (note_ok(L, &p->notes[i]) && p->notes[i].text) {
			if (add_ev(L, cap, p->notes[i].t_us, EV_NOTE, p->notes[i].endpoint, i))
				return -ENOMEM;
			nmarks++;
		}
	qsort(L->ev, L->nev, sizeof(*L->ev), ev_cmp);
	for (size_t e = 0; e < L->nev; e++) {
		if (L->ev[e].kind == EV_DEP)
			L->dep[L->ev[e].idx] = e;
		else if (L->ev[e].kind == EV_ARR || L->ev[e].kind == EV_LOST)
			L->arr[L->ev[e].idx] = e;
	}

	L->in = calloc(L->nev + 1, sizeof(*L->in));
	int *count = calloc((size_t)L->nl * EV_KINDS, sizeof(int));
	if (!L->in || !count) {
		free(count);
		return -ENOMEM;
	}
	for (size_t e = 0; e < L->nev;) {
		struct inst *in = &L->in[L->nin];
		size_t end = e;
		in->t = L->ev[e].t;
		in->rows = 1;
		memset(count, 0, (size_t)L->nl * EV_KINDS * sizeof(int));
		for (; end < L->nev && L->ev[end].t == in->t; end++) {
			struct ev *v = &L->ev[end];
			/* a lost frame's would-be arrival takes its row like an arrival, so the
			 * arrows of a burst stay parallel */
			int kind = v->kind == EV_LOST ? EV_ARR : v->kind;
			v->inst = L->nin;
			v->row = count[v->ep * EV_KINDS + kind]++;
			if (v->row + 1 > in->rows)
				in->rows = v->row + 1;
			if (v->kind == EV_LOST)
				continue;
			in->strong = 1;
		}
		e = end;
		L->nin++;
	}
	free(count);
	/* Which gaps have a frame on the wire: those may not be cut. */
	int *diff = calloc(L->nin + 2, sizeof(int));
	if (!diff)
		return -ENOMEM;
	for (size_t i = 0; i < L->nf; i++) {
		if (!L->drawn[i])
			continue;
		size_t a = L->ev[L->dep[i]].inst, b = L->ev[L->arr[i]].inst;
		if (b > a) {
			diff[a + 1]++;
			diff[b + 1]--;
		}
	}
	int run = 0;
	for (size_t k = 0; k < L->nin; k++) {
		run += diff[k];
		L->in[k].busy = run > 0;
	}
	free(diff);
	return 0;
}

/* Lays the instants out at scale s (px per µs), cutting up to max_cuts quiet gaps while the
 * height is over budget; returns the height of the time area. */
static double layout(struct ladder *L, double s, int max_cuts)
{
	double total = 0;
	for (size_t k = 0; k < L->nin; k++) {
		struct inst *in = &L->in[k];
		in->brk = 0;
		in->stretched = 0;
		in->gap = 0;
		if (k > 0) {
			double g = (double)(in->t - L->in[k - 1].t) * s;
			/* a row between instants where arrows start or end, so a burst's arrows stay
			 * parallel and their labels apart */
			double need = in->strong && L->in[k - 1].strong ? ROW : 0;
			in->stretched = g + 0.5 < need;
			in->gap = g > need ? g : need;
		}
		total += in->gap + (in->rows - 1) * ROW;
	}
	if (max_cuts <= 0 || total <= BUDGET)
		return total;
	struct cand *c = malloc(L->nin * sizeof(*c));
	if (!c)
		return total;
	size_t nc = 0;
	for (size_t k = 1; k < L->nin; k++)
		if (!L->in[k].busy && L->in[k].gap > MIN_CUT_PX)
			c[nc++] = (struct cand){L->in[k].gap, k};
	qsort(c, nc, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < nc && (int)i < max_cuts && total > BUDGET; i++) {
		struct inst *in = &L->in[c[i].k];
		total -= in->gap - BREAK_PX;
		in->gap = BREAK_PX;
		in->brk = 1;
	}
	free(c);
	return total;
}

static void choose_scale(struct ladder *L)
{
	double span = L->nin ? (double)(L->in[L->nin - 1].t - L->in[0].t) : 0;
	double *d = malloc((L->nin + 1) * sizeof(*d));
	size_t nd = 0;
	uint64_t last = 0;
	int have = 0;
	for (size_t k = 0; k < L->nin && d; k++) {
		if (!L->in[k].strong)
			continue;
		if (have && L->in[k].t > last)
			d[nd++] = (double)(L->in[k].t - last);
		last = L->in[k].t;
		have = 1;
	}
	double dref = span > 1000 ? span : 1000;
	if (nd) {
		qsort(d, nd, sizeof(*d), dbl_cmp);
		dref = d[(nd - 1) * 3 / 10];
	}
	free(d);
	double s_need = ROW / dref, s_cap = 4 * s_need;
	double s_fit = span > 0 ? 0.9 * BUDGET / span : s_cap;
	if (s_fit > s_cap)
		s_fit = s_cap;
	double s = s_fit;
	if (layout(L, s, 0) > 1.2 * BUDGET) {
		/* Crowded at the scale that fits: a larger scale, with quiet stretches cut. */
		s = s_need > s_fit ? s_need : s_fit;
		for (;;) {
			if (layout(L, s, MAX_BREAKS) <= 1.2 * BUDGET || s <= s_fit)
				break;
			s = s / 1.5 > s_fit ? s / 1.5 : s_fit;
		}
	}
	L->s = s;
	double y = TOP;
	for (size_t k = 0; k < L->nin; k++) {
		if (k > 0)
			y += (L->in[k - 1].rows - 1) * ROW + L->in[k].gap;
		L->in[k].y = y;
	}
	L->y_end = L->nin ? y + (L->in[L->nin - 1].rows - 1) * ROW : TOP;
	for (size_t e = 0; e < L->nev; e++)
		L->ev[e].y = L->in[L->ev[e].inst].y + L->ev[e].row * ROW;
}

static double inst_end(const struct ladder *L, size_t k)
{
	return L->in[k].y + (L->in[k].rows - 1) * ROW;
}

/* y of time t, NAN inside a cut stretch or outside the run. */
static double y_at(const struct ladder *L, uint64_t t)
{
	if (!L->nin || t < L->in[0].t || t > L->in[L->nin - 1].t)
		return NAN;
	size_t lo = 0, hi = L->nin - 1;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		if (L->in[mid].t <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	if (L->in[lo].t == t)
		return L->in[lo].y;
	const struct inst *nx = &L->in[lo + 1];
	if (nx->brk)
		return NAN;
	double y0 = inst_end(L, lo);
	return y0 + (double)(t - L->in[lo].t) / (double)(nx->t - L->in[lo].t) * (nx->y - y0);
}

/* The retransmission brackets: from the latest earlier transmission of the same sequence
 * number by the same side, on the sender's lifeline, in lanes that do not overlap. */
static int brackets(struct ladder *L)
{
	const struct sk_pic *p = L->p;
	L->br = calloc(L->nf + (size_t)L->nl + 1, sizeof(*L->br));
	if (!L->br)
		return -ENOMEM;
	for (size_t i = 0; i < L->nf; i++) {
		const struct sk_pic_seg *s = &L->seg[i];
		if (!L->drawn[i] || s->kind != SK_PIC_K_TCP || !s->rxmit)
			continue;
		for (size_t j = i; j-- > 0;) {
			const struct sk_pic_seg *o = &L->seg[j];
			if (!L->drawn[j] || o->kind != SK_PIC_K_TCP || o->flow != s->flow || o->side != s->side ||
			    !o->seqlen || p->frames[j].from != p->frames[i].from)
				continue;
			if (o->seq <= s->seq && s->seq < o->seq + o->seqlen) {
				L->br[L->nbr++] = (struct bracket){.ep = p->frames[i].from, .from = j, .to = i,
								   .t0 = p->frames[j].sent_us, .t1 = p->frames[i].sent_us,
								   .y0 = L->ev[L->dep[j]].y, .y1 = L->ev[L->dep[i]].y};
				break;
			}
		}
	}
	/* The timer that gave up: an endpoint's last segment, never answered, then CLOSED. */
	for (int e = 0; e < L->nl; e++) {
		size_t last = SIZE_MAX;
		for (size_t i = 0; i < L->nf; i++)
			if (L->drawn[i] && p->frames[i].from == e)
				last = i;
		if (last == SIZE_MAX || L->seg[last].kind != SK_PIC_K_TCP || !L->seg[last].seqlen)
			continue;
		const struct sk_pic_seg *s = &L->seg[last];
		int answered = 0;
		for (size_t i = last + 1; i < L->nf && !answered; i++)
			answered = L->drawn[i] && !p->frames[i].lost && L->seg[i].kind == SK_PIC_K_TCP &&
				   L->seg[i].flow == s->flow && L->seg[i].side != s->side;
		const struct ev *closed = NULL;
		for (size_t k = 0; k < L->nev && !closed && !answered; k++) {
			const struct ev *v = &L->ev[k];
			if (v->kind == EV_STATE && v->ep == e && v->t > p->frames[last].sent_us &&
			    !strcmp(p->states[v->idx].name, "CLOSED"))
				closed = v;
		}
		if (closed)
			L->br[L->nbr++] = (struct bracket){.ep = e, .from = last, .to = SIZE_MAX, .giveup = 1,
							   .t0 = p->frames[last].sent_us, .t1 = closed->t,
							   .y0 = L->ev[L->dep[last]].y, .y1 = closed->y};
	}
	for (int e = 0; e < L->nl; e++) {
		double end[MAX_LANES];
		for (int k = 0; k < MAX_LANES; k++)
			end[k] = -1e300;
		/* brackets come in order of their ends; lanes are given in order of their starts */
		for (;;) {
			struct bracket *best = NULL;
			for (size_t b = 0; b < L->nbr; b++)
				if (L->br[b].ep == e && L->br[b].lane == 0 && (!best || L->br[b].y0 < best->y0))
					best = &L->br[b];
			if (!best)
				break;
			int lane = -1;
			for (int k = 0; k < MAX_LANES && lane < 0; k++)
				if (end[k] <= best->y0 + 0.5)
					lane = k;
			if (lane < 0) {
				lane = 0;
				for (int k = 1; k < MAX_LANES; k++)
					if (end[k] < end[lane])
						lane = k;
			}
			end[lane] = best->y1;
			best->lane = lane + 1; /* 1-based while assigning: 0 = not yet */
			if (lane + 1 > L->lanes[e])
				L->lanes[e] = lane + 1;
		}
	}
	for (size_t b = 0; b < L->nbr; b++)
		L->br[b].lane--;
	return 0;
}

/* Which side of lifeline e its brackets and arrow labels are on: +1 right, -1 left; its
 * state names and notes are on the other side (the outside). */
static int inner_dir(const struct ladder *L, int e)
{
	return L->nl > 1 && e == L->nl - 1 ? -1 : 1;
}

static double label_pad(const struct ladder *L, int e)
{
	return 14 + L->lanes[e] * LANE_PX + 6;
}

static void frame_label(struct ladder *L, size_t i)
{
	const struct sk_pic_frame *fr = &L->p->frames[i];
	char *b = L->label[i];
	sk_pic_seg_label(b, LABEL_CAP, &L->seg[i]);
	size_t n = strlen(b);
	if (fr->corrupted && n < LABEL_CAP)
		snprintf(b + n, LABEL_CAP - n, " (corrupted)");
}

static size_t why_len(const struct sk_pic_frame *fr)
{
	return fr->label ? sk_pic_text_len(fr->label) + 3 : 0;
}

static void hlayout(struct ladder *L)
{
	const struct sk_pic *p = L->p;
	double gapw[SK_PIC_MAX_LIFELINES] = {0};
	for (int e = 0; e < L->nl; e++) {
		L->sc[e] = 0;
		L->nc[e] = 0;
	}
	for (size_t e = 0; e < L->nev; e++) {
		const struct ev *v = &L->ev[e];
		if (v->kind == EV_STATE) {
			double w = (double)sk_pic_text_len(p->states[v->idx].name) * CH + 16;
			if (w > L->sc[v->ep])
				L->sc[v->ep] = w;
		} else if (v->kind == EV_NOTE) {
			double w = (double)sk_pic_text_len(p->notes[v->idx].text) * CH + 10;
			if (w > L->nc[v->ep])
				L->nc[v->ep] = w;
		}
	}
	for (int e = 0; e + 1 < L->nl; e++)
		gapw[e] = 300;
	for (size_t i = 0; i < L->nf; i++) {
		if (!L->drawn[i])
			continue;
		const struct sk_pic_frame *fr = &p->frames[i];
		int a = fr->from < fr->to ? fr->from : fr->to, b = fr->from < fr->to ? fr->to : fr->from;
		double need = (double)(strlen(L->label[i]) + why_len(fr)) * CH + label_pad(L, a) + label_pad(L, b) + 30;
		if (b - a > 1)
			need /= b - a;
		if (need > 760)
			need = 760;
		for (int e = a; e < b; e++)
			if (need > gapw[e])
				gapw[e] = need;
	}
	L->x[0] = AXIS_X + 36 + L->nc[0] + L->sc[0];
	for (int e = 1; e < L->nl; e++) {
		double x = L->x[e - 1] + gapw[e - 1];
		if (e - 1 > 0)
			x += L->sc[e - 1] + L->nc[e - 1];
		L->x[e] = x;
	}
	double w = L->x[L->nl - 1] + 30;
	if (L->nl > 1)
		w += L->sc[L->nl - 1] + L->nc[L->nl - 1];
	L->width = w < 860 ? 860 : w;
	L->height = L->y_end + 56;
}

static const char *state_fill(const char *name)
{
	if (!strcmp(name, "ESTABLISHED"))
		return "#cdebc6";
	if (!strcmp(name, "LISTEN"))
		return "#dde7f5";
	if (!strcmp(name, "SYN-SENT") || !strcmp(name, "SYN-RCVD") || !strcmp(name, "SYN-RECEIVED"))
		return "#fff1b8";
	return "#f8d4c8"; /* the closing states */
}

static void fmt_scale(char *buf, size_t cap, double s)
{
	if (s * 1e6 >= 1000)
		snprintf(buf, cap, "%.3g px per ms", s * 1e3);
	else
		snprintf(buf, cap, "%.3g px per s", s * 1e6);
}

static void draw_legend(FILE *f, const struct ladder *L)
{
	char scale[48];
	fmt_scale(scale, sizeof(scale), L->s);
	fputs("<g class=\"legend\" font-size=\"10\" fill=\"#333333\">\n", f);
	fprintf(f, "<text x=\"16\" y=\"42\">Time runs down to scale, %s. Grey on the time axis: things at one "
		   "instant, drawn a row apart.</text>\n", scale);
	fputs("<text x=\"16\" y=\"56\">A grey band: a stretch with nothing on the wire, cut short. seq/ack "
	      "relative to each side's first sequence number</text>\n", f);
	fputs("<text x=\"16\" y=\"70\">(tcpdump without -S); win as in the header, unscaled; &lt;&gt; the SYN's "
	      "options.</text>\n", f);
	double x = 16, y = 88;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SK_PIC_COLOUR_SEG
		   "\" stroke-width=\"1.5\"/>\n", x, y - 3, x + 18, y - 3);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">segment</text>\n", x + 22, y);
	x += 90;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SK_PIC_COLOUR_RXMIT
		   "\" stroke-width=\"1.5\"/>\n", x, y - 3, x + 18, y - 3);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">retransmission (bracket: time since the previous "
		   "transmission)</text>\n", x + 22, y);
	x += 440;
	fprintf(f, "<path d=\"M %.1f %.1f L %.1f %.1f M %.1f %.1f L %.1f %.1f\" stroke=\"" SK_PIC_COLOUR_LOST
		   "\" stroke-width=\"2\"/>\n", x, y - 7, x + 8, y + 1, x, y + 1, x + 8, y - 7);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">lost</text>\n", x + 12, y);
	x += 50;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SK_PIC_COLOUR_CORRUPT
		   "\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n", x, y - 3, x + 18, y - 3);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">corrupted</text>\n", x + 22, y);
	y += 16;
	x = 16;
	static const char *const st[] = {"LISTEN", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1"};
	static const char *const what[] = {"listening", "opening", "established", "closing"};
	for (int i = 0; i < 4; i++) {
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"10\" fill=\"%s\" stroke=\"#7a7a7a\" "
			   "stroke-width=\"0.8\"/>\n", x, y - 9, state_fill(st[i]));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 12, y, what[i]);
		x += 100;
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" SK_PIC_COLOUR_NOTE "\">call() = result</text>\n", x, y);
	fputs("</g>\n", f);
}

/* Seconds (or ms, µs, as the axis) with every digit, for the first instant after a cut. */
static void fmt_exact(char *buf, size_t cap, uint64_t rel, const struct sk_pic_ticks *tk)
{
	if (tk->unit >= 1e6)
		snprintf(buf, cap, "%.6f", (double)rel / 1e6);
	else if (tk->unit >= 1e3)
		snprintf(buf, cap, "%.3f", (double)rel / 1e3);
	else
		snprintf(buf, cap, "%llu", (unsigned long long)rel);
	size_t n = strlen(buf);
	if (strchr(buf, '.')) {
		while (n > 1 && buf[n - 1] == '0' && buf[n - 2] != '.')
			buf[--n] = '\0';
	}
	snprintf(buf + n, cap > n ? cap - n : 0, " %s", tk->unit_name);
}

static void draw_axis(FILE *f, const struct ladder *L)
{
	struct sk_pic_ticks tk;
	uint64_t t0 = L->nin ? L->in[0].t : 0, t1 = L->nin ? L->in[L->nin - 1].t : 0;
	sk_pic_time_ticks((double)(t0 - L->origin), (double)(t1 - L->origin), L->s, 56, &tk);
	fprintf(f, "<g class=\"time\" sk:px-per-s=\"%.6g\" sk:origin=\"%llu\">\n", L->s * 1e6,
		(unsigned long long)L->origin);
	fprintf(f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" SK_PIC_COLOUR_INK
		   "\">time</text>\n", AXIS_X, TOP - 30);
	/* the axis in pieces between cut stretches, with a zigzag across each cut */
	double top = TOP - 20;
	for (size_t k = 1; k <= L->nin; k++) {
		if (k < L->nin && !L->in[k].brk)
			continue;
		double bot = k < L->nin ? inst_end(L, k - 1) + 4 : L->y_end + 24;
		fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SK_PIC_COLOUR_INK
			   "\" stroke-width=\"1.5\"/>\n", AXIS_X, top, AXIS_X, bot);
		if (k < L->nin) {
			double y0 = inst_end(L, k - 1) + 4, y1 = L->in[k].y - 4, m = (y0 + y1) / 2;
			fprintf(f, "<path class=\"axis-break\" d=\"M %.1f %.1f L %.1f %.1f L %.1f %.1f L %.1f %.1f\" "
				   "fill=\"none\" stroke=\"" SK_PIC_COLOUR_INK "\" stroke-width=\"1.2\"/>\n",
				AXIS_X, y0, AXIS_X - 5, m - 5, AXIS_X + 5, m + 5, AXIS_X, y1);
			top = y1;
		}
	}
	fprintf(f, "<path class=\"axis-head\" d=\"M %.1f %.1f L %.1f %.1f L %.1f %.1f Z\" fill=\"" SK_PIC_COLOUR_INK
		   "\"/>\n", AXIS_X - 4, L->y_end + 22, AXIS_X + 4, L->y_end + 22, AXIS_X, L->y_end + 30);
	/* rows and widened gaps: not to scale */
	for (size_t k = 0; k < L->nin; k++) {
		const struct inst *in = &L->in[k];
		if (in->rows > 1)
			fprintf(f, "<rect class=\"rows\" x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"%.1f\" "
				   "sk:t=\"%llu\" fill=\"#c0c0c0\"/>\n",
				AXIS_X - 3, in->y, (in->rows - 1) * ROW, (unsigned long long)in->t);
		if (k > 0 && in->stretched)
			fprintf(f, "<rect class=\"rows\" x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"%.1f\" "
				   "sk:t=\"%llu\" fill=\"#c0c0c0\"/>\n",
				AXIS_X - 3, inst_end(L, k - 1), in->y - inst_end(L, k - 1),
				(unsigned long long)L->in[k - 1].t);
	}
	/* ticks, band by band */
	for (size_t a = 0; a < L->nin;) {
		size_t b = a;
		while (b + 1 < L->nin && !L->in[b + 1].brk)
			b++;
		double lo = (double)(L->in[a].t - L->origin), hi = (double)(L->in[b].t - L->origin);
		double nearest = 1e300;
		double first = ceil(lo / tk.step - 1e-9) * tk.step;
		for (long k = 0; first + (double)k * tk.step <= hi + 1e-6; k++) {
			double v = first + (double)k * tk.step;
			uint64_t t = L->origin + (uint64_t)llround(v);
			double y = y_at(L, t);
			if (isnan(y))
				continue;
			char lab[48];
			sk_pic_tick_label(lab, sizeof(lab), v, &tk);
			fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" sk:t=\"%llu\" "
				   "stroke=\"" SK_PIC_COLOUR_INK "\"/>\n", AXIS_X - 6, y, AXIS_X, y, (unsigned long long)t);
			fprintf(f, "<text class=\"tick-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" sk:t=\"%llu\" fill=\""
				   SK_PIC_COLOUR_INK "\">%s</text>\n", AXIS_X - 9, y + 4, (unsigned long long)t, lab);
			if (fabs(y - L->in[a].y) < nearest)
				nearest = fabs(y - L->in[a].y);
		}
		if (a > 0 && nearest > 14) {
			char lab[48];
			fmt_exact(lab, sizeof(lab), L->in[a].t - L->origin, &tk);
			fprintf(f, "<text class=\"tick-label start\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" sk:t=\"%llu\" "
				   "fill=\"" SK_PIC_COLOUR_INK "\">%s</text>\n",
				AXIS_X - 9, L->in[a].y + 4, (unsigned long long)L->in[a].t, lab);
		}
		a = b + 1;
	}
	fputs("</g>\n", f);
}

static void draw_breaks(FILE *f, const struct ladder *L)
{
	for (size_t k = 1; k < L->nin; k++) {
		if (!L->in[k].brk)
			continue;
		double y0 = inst_end(L, k - 1) + 4, y1 = L->in[k].y - 4;
		char d[32];
		sk_pic_fmt_duration(d, sizeof(d), L->in[k].t - L->in[k - 1].t);
		fprintf(f, "<g class=\"break\" sk:t0=\"%llu\" sk:t1=\"%llu\" sk:y0=\"%.1f\" sk:y1=\"%.1f\">\n",
			(unsigned long long)L->in[k - 1].t, (unsigned long long)L->in[k].t, y0, y1);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#eeeeee\"/>\n",
			AXIS_X + 8, y0, L->width - AXIS_X - 16, y1 - y0);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555555\">%s with nothing on the "
			   "wire, cut short</text>\n", (L->x[0] + L->x[L->nl - 1]) / 2, (y0 + y1) / 2 + 4, d);
		fputs("</g>\n", f);
	}
}

static void draw_lifelines(FILE *f, const struct ladder *L)
{
	const struct sk_pic *p = L->p;
	for (int e = 0; e < L->nl; e++) {
		const char *name = p->endpoints[e] ? p->endpoints[e] : "?";
		double w = (double)sk_pic_text_len(name) * CH + 16;
		fprintf(f, "<g class=\"endpoint\" sk:endpoint=\"%d\">\n", e);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" rx=\"3\" fill=\"#f4f4f4\" stroke=\""
			   SK_PIC_COLOUR_LIFELINE "\"/>\n", L->x[e] - w / 2, TOP - 50, w);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"" SK_PIC_COLOUR_INK
			   "\">", L->x[e], TOP - 35);
		sk_pic_escape(f, name, 0);
		fputs("</text>\n</g>\n", f);
		fprintf(f, "<line class=\"lifeline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" sk:endpoint=\"%d\" "
			   "stroke=\"" SK_PIC_COLOUR_LIFELINE "\" stroke-width=\"1.5\"/>\n",
			L->x[e], TOP - 28, L->x[e], L->y_end + 24, e);
	}
}

static void draw_states(FILE *f, const struct ladder *L)
{
	const struct sk_pic *p = L->p;
	for (size_t e = 0; e < L->nev; e++) {
		const struct ev *v = &L->ev[e];
		if (v->kind != EV_STATE)
			continue;
		const struct sk_pic_state *st = &p->states[v->idx];
		const struct ev *next = NULL;
		for (size_t n = e + 1; n < L->nev && !next; n++)
			if (L->ev[n].kind == EV_STATE && L->ev[n].ep == v->ep)
				next = &L->ev[n];
		double y1 = next ? next->y : L->y_end + 16;
		uint64_t t1 = next ? next->t : L->in[L->nin - 1].t;
		int dir = -inner_dir(L, v->ep);
		double x = L->x[v->ep];
		if (strcmp(st->name, "CLOSED")) {
			fprintf(f, "<rect class=\"state\" x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"%.1f\" sk:endpoint=\"%d\" "
				   "sk:t0=\"%llu\" sk:t1=\"%llu\" sk:name=\"",
				x - 4, v->y, y1 - v->y, v->ep, (unsigned long long)v->t, (unsigned long long)t1);
			sk_pic_escape(f, st->name, 0);
			fprintf(f, "\" fill=\"%s\" stroke=\"#7a7a7a\" stroke-width=\"0.8\"/>\n", state_fill(st->name));
		}
		fprintf(f, "<text class=\"state-name\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-weight=\"bold\" "
			   "sk:endpoint=\"%d\" sk:t=\"%llu\" fill=\"" SK_PIC_COLOUR_INK "\">",
			x + dir * 9, v->y + 4, dir < 0 ? "end" : "start", v->ep, (unsigned long long)v->t);
		sk_pic_escape(f, st->name, 0);
		fputs("</text>\n", f);
	}
}

static void draw_notes(FILE *f, const struct ladder *L)
{
	const struct sk_pic *p = L->p;
	for (size_t e = 0; e < L->nev; e++) {
		const struct ev *v = &L->ev[e];
		if (v->kind != EV_NOTE)
			continue;
		int dir = -inner_dir(L, v->ep);
		double x = L->x[v->ep] + dir * (9 + L->sc[v->ep]);
		fprintf(f, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" sk:endpoint=\"%d\" sk:t=\"%llu\" "
			   "fill=\"" SK_PIC_COLOUR_NOTE "\">", x, v->y + 4, dir < 0 ? "end" : "start", v->ep,
			(unsigned long long)v->t);
		sk_pic_escape(f, p->notes[v->idx].text, 0);
		fputs("</text>\n", f);
	}
}

static void draw_brackets(FILE *f, const struct ladder *L)
{
	for (size_t b = 0; b < L->nbr; b++) {
		const struct bracket *br = &L->br[b];
		int dir = inner_dir(L, br->ep);
		double xl = L->x[br->ep], bx = xl + dir * (12 + br->lane * LANE_PX);
		const char *dash = br->giveup ? " stroke-dasharray=\"4 3\"" : "";
		char d[32];
		sk_pic_fmt_duration(d, sizeof(d), br->t1 - br->t0);
		if (br->giveup)
			fprintf(f, "<g class=\"bracket giveup\" sk:frame=\"%zu\" sk:t0=\"%llu\" sk:t1=\"%llu\">\n", br->from,
				(unsigned long long)br->t0, (unsigned long long)br->t1);
		else
			fprintf(f, "<g class=\"bracket\" sk:frame=\"%zu\" sk:prev=\"%zu\" sk:t0=\"%llu\" sk:t1=\"%llu\">\n",
				br->to, br->from, (unsigned long long)br->t0, (unsigned long long)br->t1);
		fprintf(f, "<path d=\"M %.1f %.1f L %.1f %.1f M %.1f %.1f L %.1f %.1f\" stroke=\"" SK_PIC_COLOUR_RXMIT
			   "\" stroke-width=\"1.2\" fill=\"none\"/>\n",
			xl + dir * 4, br->y0, bx, br->y0, xl + dir * 4, br->y1, bx, br->y1);
		fprintf(f, "<line class=\"bracket-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\""
			   SK_PIC_COLOUR_RXMIT "\" stroke-width=\"1.2\"%s/>\n", bx, br->y0, bx, br->y1, dash);
		double tw = (double)sk_pic_text_len(d) * CH, mid = (br->y0 + br->y1) / 2;
		if (br->y1 - br->y0 >= tw + 6) {
			double tx = dir > 0 ? bx + 11 : bx - 3;
			fprintf(f, "<text class=\"bracket-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				   "transform=\"rotate(-90 %.1f %.1f)\" fill=\"" SK_PIC_COLOUR_RXMIT "\">%s</text>\n",
				tx, mid, tx, mid, d);
		} else {
			fprintf(f, "<text class=\"bracket-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\""
				   SK_PIC_COLOUR_RXMIT "\">%s</text>\n",
				bx + dir * 3, mid + 4, dir > 0 ? "start" : "end", d);
		}
		fputs("</g>\n", f);
	}
}

static void draw_frames(FILE *f, const struct ladder *L)
{
	const struct sk_pic *p = L->p;
	for (size_t i = 0; i < L->nf; i++) {
		if (!L->drawn[i])
			continue;
		const struct sk_pic_frame *fr = &p->frames[i];
		const struct sk_pic_seg *s = &L->seg[i];
		const struct ev *dv = &L->ev[L->dep[i]], *av = &L->ev[L->arr[i]];
		double x1 = L->x[fr->from], y1 = dv->y, x2 = L->x[fr->to], y2 = av->y;
		int rx = s->kind == SK_PIC_K_TCP && s->rxmit;
		const char *colour = fr->corrupted ? SK_PIC_COLOUR_CORRUPT : rx ? SK_PIC_COLOUR_RXMIT : SK_PIC_COLOUR_SEG;
		double ex = x2, ey = y2;
		if (fr->lost) {
			ex = (x1 + x2) / 2;
			ey = (y1 + y2) / 2;
		}
		double len = hypot(x2 - x1, y2 - y1), ux = (x2 - x1) / len, uy = (y2 - y1) / len;
		fprintf(f, "<line class=\"seg%s%s%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" sk:frame=\"%zu\" "
			   "sk:sent=\"%llu\" sk:arrived=\"%llu\" stroke=\"%s\" stroke-width=\"1.3\"%s/>\n",
			rx ? " rxmit" : "", fr->lost ? " lost" : "", fr->corrupted ? " corrupt" : "", x1, y1, ex, ey, i,
			(unsigned long long)fr->sent_us, (unsigned long long)fr->arrived_us, colour,
			fr->corrupted ? " stroke-dasharray=\"5 3\"" : "");
		if (fr->lost) {
			fprintf(f, "<path class=\"cross\" sk:x=\"%.1f\" sk:y=\"%.1f\" sk:frame=\"%zu\" d=\"M %.1f %.1f L %.1f %.1f "
				   "M %.1f %.1f L %.1f %.1f\" stroke=\"" SK_PIC_COLOUR_LOST "\" stroke-width=\"2.5\"/>\n",
				ex, ey, i, ex - 5, ey - 5, ex + 5, ey + 5, ex - 5, ey + 5, ex + 5, ey - 5);
		} else {
			double nx = -uy, ny = ux;
			fprintf(f, "<path class=\"head\" d=\"M %.1f %.1f L %.1f %.1f L %.1f %.1f Z\" fill=\"%s\"/>\n", ex, ey,
				ex - 8 * ux + 3.5 * nx, ey - 8 * uy + 3.5 * ny, ex - 8 * ux - 3.5 * nx, ey - 8 * uy - 3.5 * ny,
				colour);
		}
		/* the label along the arrow, above it, starting near the sender and read left to right */
		double pad = label_pad(L, fr->from);
		double px = x1 + ux * pad, py = y1 + uy * pad;
		int right = ux >= 0;
		double ang = right ? atan2(uy, ux) : atan2(-uy, -ux);
		ang *= 180 / M_PI;
		/* above the line; a lost frame's higher, clear of its cross */
		fprintf(f, "<text class=\"seg-label\" sk:frame=\"%zu\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
			   "transform=\"rotate(%.2f %.1f %.1f)\" fill=\"%s\">",
			i, px, py - (fr->lost ? 7 : 3), right ? "start" : "end", ang, px, py, colour);
		sk_pic_escape(f, L->label[i], 0);
		if (fr->label) {
			fputs("<tspan class=\"why\" font-style=\"italic\"> (", f);
			sk_pic_escape(f, fr->label, 0);
			fputs(")</tspan>", f);
		}
		fputs("</text>\n", f);
	}
}

static void draw_notices(FILE *f, const struct ladder *L)
{
	const struct sk_pic *p = L->p;
	double y = 122;
	if (L->cut) {
		char d[32];
		snprintf(d, sizeof(d), "%.6f", (double)(L->t_cut - L->origin) / 1e6);
		fprintf(f, "<text class=\"cut\" x=\"16\" y=\"%.1f\" fill=\"" SK_PIC_COLOUR_LOST "\">Cut: only the first %zu "
			   "of %zu frames are drawn (up to %s s); the trace has them all.</text>\n",
			y, L->nf, p->n_frames, d);
		y += 14;
	}
	if (L->nskipped || p->n_endpoints > L->nl)
		fprintf(f, "<text class=\"skipped\" x=\"16\" y=\"%.1f\" fill=\"" SK_PIC_COLOUR_LOST "\">%zu frames to or "
			   "from endpoints without a lifeline (only %d are drawn) are left out.</text>\n",
			y, L->nskipped, L->nl);
}

static void ladder_free(struct ladder *L)
{
	free(L->seg);
	free(L->label);
	free(L->drawn);
	free(L->dep);
	free(L->arr);
	free(L->ev);
	free(L->in);
	free(L->br);
}

int sk_pic_ladder_write(FILE *f, const struct sk_pic *p, int standalone)
{
	if (!f || !p || p->n_endpoints <= 0 || !p->endpoints || (p->n_frames && !p->frames) ||
	    (p->n_states && !p->states) || (p->n_notes && !p->notes))
		return -EINVAL;
	struct ladder L;
	memset(&L, 0, sizeof(L));
	L.p = p;
	L.nl = p->n_endpoints < SK_PIC_MAX_LIFELINES ? p->n_endpoints : SK_PIC_MAX_LIFELINES;
	L.nf = p->n_frames;
	L.t_cut = UINT64_MAX;
	if (L.nf > SK_PIC_LADDER_MAX_FRAMES) {
		L.nf = SK_PIC_LADDER_MAX_FRAMES;
		L.cut = 1;
		L.t_cut = p->frames[L.nf].sent_us;
	}
	L.origin = sk_pic_origin(p);
	int err = -ENOMEM;
	size_t n = L.nf + 1;
	L.seg = calloc(n, sizeof(*L.seg));
	L.label = calloc(n, sizeof(*L.label));
	L.drawn = calloc(n, 1);
	L.dep = calloc(n, sizeof(*L.dep));
	L.arr = calloc(n, sizeof(*L.arr));
	if (!L.seg || !L.label || !L.drawn || !L.dep || !L.arr)
		goto out;
	if ((err = collect(&L)) < 0)
		goto out;
	choose_scale(&L);
	if ((err = brackets(&L)) < 0)
		goto out;
	for (size_t i = 0; i < L.nf; i++)
		if (L.drawn[i])
			frame_label(&L, i);
	hlayout(&L);

	sk_pic_svg_open(f, L.width, L.height, "ladder", standalone);
	fputs("<text class=\"title\" x=\"16\" y=\"24\" font-size=\"15\" font-weight=\"bold\" fill=\"" SK_PIC_COLOUR_INK
	      "\">", f);
	sk_pic_escape(f, p->title ? p->title : "ladder diagram", 0);
	fputs("</text>\n", f);
	draw_legend(f, &L);
	draw_notices(f, &L);
	draw_breaks(f, &L);
	draw_axis(f, &L);
	draw_states(f, &L); /* under the lifelines, which stay visible through them */
	draw_lifelines(f, &L);
	draw_brackets(f, &L);
	draw_frames(f, &L);
	draw_notes(f, &L);
	if (!L.nev)
		fprintf(f, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" fill=\"#555555\">nothing happened</text>\n",
			AXIS_X + 20, TOP + 4);
	fputs("</svg>\n", f);
	err = ferror(f) ? -EIO : 0;
out:
	ladder_free(&L);
	return err;
}

int sk_pic_ladder_svg(FILE *f, const struct sk_pic *p)
{
	return sk_pic_ladder_write(f, p, 1);
}
