/* The time-sequence graph as SVG (sequence number against time for the direction of a
 * connection that carried the most data: data, retransmissions, losses, SACK blocks, the ACK
 * line and the window's edge) and under it the sender's cwnd, ssthresh and bytes in flight.
 *
 * It is drawn as its sender saw it: data when it was sent, ACKs and SACKs when they arrived.
 * Any number of frames makes a picture of bounded size: bars are merged within a pixel
 * column once a column holds COL_MAX of a kind, and the lines keep at most four points per
 * column. */
#include "trace/pic_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "wire/tcp.h"

#define W 1000.0
#define X0 100.0
#define X1 (W - 40)
#define TSG_TOP 112.0
#define TSG_H 420.0
#define CC_GAP 84.0
#define CC_H 200.0
#define COL_MAX 6

enum { C_DATA, C_RXMIT, C_SACK, C_NCLS };

static const char *const cls_name[C_NCLS] = {"data", "rxmit", "sack"};
static const char *const cls_colour[C_NCLS] = {SK_PIC_COLOUR_SEG, SK_PIC_COLOUR_RXMIT, SK_PIC_COLOUR_SACK};

struct mark {
	uint64_t t;
	int64_t lo, hi;
	int cls; /* C_*, or -1 for a loss at hi */
};

struct step {
	uint64_t t;
	int64_t v;
	size_t order;
};

struct col {
	int n;
	float x[COL_MAX], a[COL_MAX], b[COL_MAX];
};

/* One panel's mapping: x from time, y from a value. */
struct axes {
	uint64_t t0, t1;
	double v0, v1;
	double top, bottom; /* px */
};

static double ax_x(const struct axes *a, uint64_t t)
{
	return X0 + (double)(t - a->t0) * (X1 - X0) / (double)(a->t1 - a->t0);
}

static double ax_y(const struct axes *a, double v)
{
	double y = a->bottom - (v - a->v0) * (a->bottom - a->top) / (a->v1 - a->v0);
	if (y < a->top)
		y = a->top;
	if (y > a->bottom)
		y = a->bottom;
	return y;
}

static int step_cmp(const void *a, const void *b)
{
	const struct step *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* ---- polylines with at most four points per pixel column ---- */

struct pl {
	FILE *f;
	int active, col, emitted;
	double x, first, lo, hi, last, px, py;
};

static void pl_point(struct pl *l, double x, double y)
{
	if (l->emitted && fabs(x - l->px) < 0.05 && fabs(y - l->py) < 0.05)
		return;
	fprintf(l->f, "%s%.1f,%.1f", l->emitted ? " " : "", x, y);
	l->emitted = 1;
	l->px = x;
	l->py = y;
}

static void pl_flush(struct pl *l)
{
	if (!l->active)
		return;
	double mn = l->first < l->last ? l->first : l->last, mx = l->first < l->last ? l->last : l->first;
	pl_point(l, l->x, l->first);
	if (l->lo < mn)
		pl_point(l, l->x, l->lo);
	if (l->hi > mx)
		pl_point(l, l->x, l->hi);
	pl_point(l, l->x, l->last);
	l->active = 0;
}

static void pl_add(struct pl *l, double x, double y)
{
	int col = (int)floor(x);
	if (l->active && col == l->col) {
		if (y < l->lo)
			l->lo = y;
		if (y > l->hi)
			l->hi = y;
		l->last = y;
		return;
	}
	pl_flush(l);
	l->active = 1;
	l->col = col;
	l->x = x;
	l->first = l->lo = l->hi = l->last = y;
}

/* A step line through the values of v (sorted by time), to the right edge. */
static void step_line(FILE *f, const char *cls, const char *colour, const char *dash, const struct axes *a,
		      const struct step *v, size_t n, int running_max)
{
	if (!n)
		return;
	struct pl l = {.f = f};
	fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s%s%s points=\"", cls, colour,
		dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	int64_t cur = v[0].v;
	pl_add(&l, ax_x(a, v[0].t), ax_y(a, (double)cur));
	for (size_t i = 1; i < n; i++) {
		int64_t nv = running_max && v[i].v < cur ? cur : v[i].v;
		if (nv == cur)
			continue;
		double x = ax_x(a, v[i].t);
		pl_add(&l, x, ax_y(a, (double)cur));
		pl_add(&l, x, ax_y(a, (double)nv));
		cur = nv;
	}
	pl_add(&l, X1, ax_y(a, (double)cur));
	pl_flush(&l);
	fputs("\"/>\n", f);
}

static void col_add(struct col *c, float x, float a, float b)
{
	for (int i = 0; i < c->n; i++) {
		if (a <= c->b[i] && b >= c->a[i]) { /* overlapping or touching */
			if (a < c->a[i])
				c->a[i] = a;
			if (b > c->b[i])
				c->b[i] = b;
			return;
		}
	}
	if (c->n < COL_MAX) {
		c->x[c->n] = x;
		c->a[c->n] = a;
		c->b[c->n] = b;
		c->n++;
		return;
	}
	int best = 0;
	float bd = 1e30f;
	for (int i = 0; i < c->n; i++) {
		float d = a > c->b[i] ? a - c->b[i] : c->a[i] > b ? c->a[i] - b : 0;
		if (d < bd) {
			bd = d;
			best = i;
		}
	}
	if (a < c->a[best])
		c->a[best] = a;
	if (b > c->b[best])
		c->b[best] = b;
}

static void draw_axes(FILE *f, const struct axes *a, const char *ytitle, uint64_t origin)
{
	struct sk_pic_ticks tk;
	double pxt = (X1 - X0) / (double)(a->t1 - a->t0);
	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SK_PIC_COLOUR_INK
		   "\" stroke-width=\"1.5\"/>\n", X0, a->bottom, X1, a->bottom);
	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" SK_PIC_COLOUR_INK
		   "\" stroke-width=\"1.5\"/>\n", X0, a->bottom, X0, a->top);
	sk_pic_time_ticks((double)(a->t0 - origin), (double)(a->t1 - origin), pxt, 80, &tk);
	for (int k = 0;; k++) {
		double v = tk.first + k * tk.step;
		if (v > (double)(a->t1 - origin) + 1e-6)
			break;
		uint64_t t = origin + (uint64_t)llround(v);
		double x = ax_x(a, t);
		char lab[48];
		sk_pic_tick_label(lab, sizeof(lab), v, &tk);
		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" sk:t=\"%llu\" stroke=\""
			   SK_PIC_COLOUR_INK "\"/>\n", x, a->bottom, x, a->bottom + 5, (unsigned long long)t);
		fprintf(f, "<text class=\"tick-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" sk:t=\"%llu\" fill=\""
			   SK_PIC_COLOUR_INK "\">%s</text>\n", x, a->bottom + 17, (unsigned long long)t, lab);
	}
	fprintf(f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" SK_PIC_COLOUR_INK
		   "\">time</text>\n", (X0 + X1) / 2, a->bottom + 34);
	double pxv = (a->bottom - a->top) / (a->v1 - a->v0);
	sk_pic_byte_ticks(a->v0, a->v1, pxv, 36, &tk);
	for (int k = 0;; k++) {
		double v = tk.first + k * tk.step;
		if (v > a->v1 + 1e-6)
			break;
		double y = ax_y(a, v);
		char lab[48];
		sk_pic_tick_label(lab, sizeof(lab), v, &tk);
		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" sk:v=\"%.0f\" stroke=\""
			   SK_PIC_COLOUR_INK "\"/>\n", X0 - 5, y, X0, y, v);
		fprintf(f, "<text class=\"tick-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" sk:v=\"%.0f\" fill=\""
			   SK_PIC_COLOUR_INK "\">%s</text>\n", X0 - 8, y + 4, v, lab);
	}
	double my = (a->top + a->bottom) / 2;
	fprintf(f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f "
		   "%.1f)\" fill=\"" SK_PIC_COLOUR_INK "\">%s</text>\n", 22.0, my, 22.0, my, ytitle);
}

static void group_open(FILE *f, const char *cls, const struct axes *a)
{
	fprintf(f, "<g class=\"%s\" sk:t0=\"%llu\" sk:t1=\"%llu\" sk:s0=\"%.0f\" sk:s1=\"%.0f\" sk:x0=\"%.1f\" "
		   "sk:x1=\"%.1f\" sk:y0=\"%.1f\" sk:y1=\"%.1f\">\n", cls, (unsigned long long)a->t0,
		(unsigned long long)a->t1, a->v0, a->v1, X0, X1, a->bottom, a->top);
}

static void swatch(FILE *f, double *x, double y, const char *colour, const char *dash, const char *text)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s%s%s/>\n", *x,
		y - 4, *x + 18, y - 4, colour, dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", *x + 22, y, text);
	*x += 30 + (double)sk_pic_text_len(text) * 6.1;
}

struct plot {
	const struct sk_pic *p;
	uint64_t origin;
	int have; /* a connection to draw */
	size_t flow;
	int side;
	struct sk_pic_flow fl; /* as it was at the end */
	struct mark *m;
	size_t nm, capm;
	struct step *ack, *win;
	size_t nack, nwin, capack, capwin;
	uint64_t t0, t1;
	int64_t lo, hi, whi;
	uint64_t bytes;
	size_t nrx, nlost;
};

static int push_mark(struct plot *P, uint64_t t, int64_t lo, int64_t hi, int cls)
{
	if (sk_grow(&P->m, &P->capm, P->nm, sizeof(*P->m), 256) < 0)
		return -ENOMEM;
	P->m[P->nm++] = (struct mark){t, lo, hi, cls};
	return 0;
}

static int push_step(struct step **v, size_t *n, size_t *cap, uint64_t t, int64_t val)
{
	if (sk_grow(v, cap, *n, sizeof(**v), 256) < 0)
		return -ENOMEM;
	(*v)[*n] = (struct step){t, val, *n};
	(*n)++;
	return 0;
}

/* Which direction to draw: the one with the most payload (then the most frames). */
static int choose(struct plot *P)
{
	const struct sk_pic *p = P->p;
	struct sk_pic_flows ft;
	struct sk_pic_seg s;
	int err = 0;
	sk_pic_flows_init(&ft);
	for (size_t i = 0; i < p->n_frames && !err; i++)
		err = sk_pic_read(&ft, &p->frames[i], &s);
	for (size_t k = 0; k < ft.n && !err; k++) {
		for (int d = 0; d < 2; d++) {
			const struct sk_pic_side *sd = &ft.v[k].side[d], *best = P->have ? &ft.v[P->flow].side[P->side] : NULL;
			if (!sd->frames)
				continue;
			if (!best || sd->bytes > best->bytes || (sd->bytes == best->bytes && sd->frames > best->frames)) {
				P->have = 1;
				P->flow = k;
				P->side = d;
			}
		}
	}
	if (P->have && !err)
		P->fl = ft.v[P->flow];
	sk_pic_flows_free(&ft);
	return err;
}

static int gather(struct plot *P)
{
	const struct sk_pic *p = P->p;
	struct sk_pic_flows ft;
	struct sk_pic_seg s;
	int err = 0, any = 0;
	sk_pic_flows_init(&ft);
	P->lo = 0;
	P->hi = 1;
	P->whi = 1;
	for (size_t i = 0; i < p->n_frames && !err; i++) {
		const struct sk_pic_frame *fr = &p->frames[i];
		if ((err = sk_pic_read(&ft, fr, &s)) < 0)
			break;
		if (s.kind != SK_PIC_K_TCP || s.flow != P->flow)
			continue;
		uint64_t arr = fr->arrived_us < fr->sent_us ? fr->sent_us : fr->arrived_us;
		if (!any || fr->sent_us < P->t0)
			P->t0 = fr->sent_us;
		if (!any || arr > P->t1)
			P->t1 = arr;
		any = 1;
		if (s.side == P->side) {
			if (!s.seqlen)
				continue;
			int64_t lo = s.seq, hi = s.seq + s.seqlen;
			err = push_mark(P, fr->sent_us, lo, hi, s.rxmit ? C_RXMIT : C_DATA);
			if (!err && fr->lost) {
				err = push_mark(P, fr->sent_us, hi, hi, -1);
				P->nlost++;
			}
			P->nrx += s.rxmit;
			P->bytes += s.len;
			if (lo < P->lo)
				P->lo = lo;
			if (hi > P->hi)
				P->hi = hi;
		} else {
			if (fr->lost || fr->corrupted || !(s.flags & SK_TCP_ACK))
				continue;
			err = push_step(&P->ack, &P->nack, &P->capack, arr, s.ack);
			if (s.ack > P->hi)
				P->hi = s.ack;
			/* a SYN's window is not scaled yet: the line starts after the handshake */
			if (!err && !(s.flags & SK_TCP_SYN)) {
				int64_t edge = s.ack + (int64_t)s.wnd;
				err = push_step(&P->win, &P->nwin, &P->capwin, arr, edge);
				if (edge > P->whi)
					P->whi = edge;
			}
			for (int b = 0; b < s.nsack && !err; b++) {
				err = push_mark(P, arr, s.sack[b][0], s.sack[b][1], C_SACK);
				if (s.sack[b][1] > P->hi)
					P->hi = s.sack[b][1];
			}
		}
	}
	sk_pic_flows_free(&ft);
	if (err)
		return err;
	if (P->nack > 1)
		qsort(P->ack, P->nack, sizeof(*P->ack), step_cmp);
	if (P->nwin > 1)
		qsort(P->win, P->nwin, sizeof(*P->win), step_cmp);
	return 0;
}

static void endpoint_name(char *buf, size_t cap, const struct plot *P, int side)
{
	const struct sk_pic_side *sd = &P->fl.side[side];
	char ip[SYNACK_IP_STRLEN], a[SYNACK_IP_STRLEN + 2];
	if (!synack_ip_format(&P->fl.addr[side], ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	/* an IPv6 address in brackets, so its port stands apart */
	snprintf(a, sizeof(a), P->fl.addr[side].family == SYNACK_AF_INET6 ? "[%s]" : "%s", ip);
	if (sd->endpoint >= 0 && sd->endpoint < P->p->n_endpoints && P->p->endpoints[sd->endpoint])
		snprintf(buf, cap, "%s (%s:%u)", P->p->endpoints[sd->endpoint], a, P->fl.port[side]);
	else
		snprintf(buf, cap, "%s:%u", a, P->fl.port[side]);
}

static void draw_tsg(FILE *f, struct plot *P, const struct axes *a)
{
	group_open(f, "tsg", a);
	draw_axes(f, a, "sequence number (bytes, relative)", P->origin);
	size_t ncol = (size_t)(X1 - X0) + 2;
	struct col *cols = calloc(ncol * C_NCLS, sizeof(*cols));
	struct col *lost = calloc(ncol, sizeof(*lost));
	if (cols && lost) {
		for (size_t i = 0; i < P->nm; i++) {
			const struct mark *m = &P->m[i];
			double x = ax_x(a, m->t);
			size_t c = (size_t)(x - X0);
			if (c >= ncol)
				c = ncol - 1;
			if (m->cls < 0) {
				struct col *l = &lost[c];
				float y = (float)ax_y(a, (double)m->hi);
				int near = 0;
				for (int k = 0; k < l->n; k++)
					near |= fabsf(l->a[k] - y) < 3;
				if (!near && l->n < COL_MAX) {
					l->x[l->n] = (float)x;
					l->a[l->n++] = y;
				}
				continue;
			}
			/* y grows downwards: the top of a bar is its high end */
			col_add(&cols[(size_t)m->cls * ncol + c], (float)x, (float)ax_y(a, (double)m->hi),
				(float)ax_y(a, (double)m->lo));
		}
		static const int order[C_NCLS] = {C_SACK, C_DATA, C_RXMIT};
		for (int o = 0; o < C_NCLS; o++) {
			int k = order[o];
			fprintf(f, "<g class=\"bars %s\">\n", cls_name[k]);
			for (size_t c = 0; c < ncol; c++) {
				const struct col *cl = &cols[(size_t)k * ncol + c];
				for (int i = 0; i < cl->n; i++) {
					double y0 = cl->a[i], y1 = cl->b[i];
					if (y1 - y0 < 1) {
						double m = (y0 + y1) / 2;
						y0 = m - 0.5;
						y1 = m + 0.5;
					}
					fprintf(f, "<line class=\"bar %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
						   "stroke-width=\"%s\"/>\n", cls_name[k], cl->x[i], y0, cl->x[i], y1,
						cls_colour[k], k == C_SACK ? "4" : "2");
				}
			}
			fputs("</g>\n", f);
		}
	}
	step_line(f, "window", SK_PIC_COLOUR_WINDOW, NULL, a, P->win, P->nwin, 0);
	step_line(f, "ack", SK_PIC_COLOUR_ACK, NULL, a, P->ack, P->nack, 1);
	if (lost) {
		for (size_t c = 0; c < ncol; c++)
			for (int i = 0; i < lost[c].n; i++) {
				double x = lost[c].x[i], y = lost[c].a[i];
				fprintf(f, "<path class=\"lost\" sk:x=\"%.1f\" sk:y=\"%.1f\" d=\"M %.1f %.1f L %.1f %.1f M %.1f %.1f "
					   "L %.1f %.1f\" stroke=\"" SK_PIC_COLOUR_LOST "\" stroke-width=\"2\"/>\n",
					x, y, x - 4, y - 4, x + 4, y + 4, x - 4, y + 4, x + 4, y - 4);
			}
	}
	free(cols);
	free(lost);
	fputs("</g>\n", f);
}

static void draw_cc(FILE *f, struct plot *P, const struct axes *ta, int ep, double top)
{
	const struct sk_pic *p = P->p;
	size_t n = 0;
	struct step *cw = calloc(p->n_cc + 1, sizeof(*cw)), *ss = calloc(p->n_cc + 1, sizeof(*ss)),
		    *fl = calloc(p->n_cc + 1, sizeof(*fl));
	if (!cw || !ss || !fl)
		goto out;
	double vmax = 1, smax = 0;
	for (size_t i = 0; i < p->n_cc; i++) {
		const struct sk_pic_cc *c = &p->cc[i];
		if (c->endpoint != ep || c->t_us > ta->t1)
			continue;
		uint64_t t = c->t_us < ta->t0 ? ta->t0 : c->t_us;
		cw[n] = (struct step){t, c->cwnd, n};
		ss[n] = (struct step){t, c->ssthresh == UINT32_MAX ? -1 : (int64_t)c->ssthresh, n};
		fl[n] = (struct step){t, c->in_flight, n};
		if (c->cwnd > vmax)
			vmax = c->cwnd;
		if (c->in_flight > vmax)
			vmax = c->in_flight;
		if (c->ssthresh != UINT32_MAX && c->ssthresh > smax)
			smax = c->ssthresh;
		n++;
	}
	if (!n)
		goto out;
	int clipped = smax > 2 * vmax;
	if (!clipped && smax > vmax)
		vmax = smax;
	struct axes a = *ta;
	a.v0 = 0;
	a.v1 = vmax * 1.08;
	a.top = top;
	a.bottom = top + CC_H;
	fprintf(f, "<g class=\"legend\" font-size=\"10\" fill=\"#333333\">\n");
	double x = X0;
	char t[160];
	snprintf(t, sizeof(t), "congestion state of %s", ep < p->n_endpoints && p->endpoints[ep] ? p->endpoints[ep] : "the sender");
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"bold\">", X0, top - 26);
	sk_pic_escape(f, t, 0);
	fputs("</text>\n", f);
	swatch(f, &x, top - 8, SK_PIC_COLOUR_SEG, NULL, "cwnd");
	swatch(f, &x, top - 8, SK_PIC_COLOUR_SSTHRESH, "6 3", clipped ? "ssthresh (not drawn while infinite; clipped at the top)"
									: "ssthresh (not drawn while infinite)");
	swatch(f, &x, top - 8, SK_PIC_COLOUR_INFLIGHT, NULL, "bytes in flight");
	fputs("</g>\n", f);
	group_open(f, "ccg", &a);
	draw_axes(f, &a, "bytes", P->origin);
	qsort(cw, n, sizeof(*cw), step_cmp);
	qsort(ss, n, sizeof(*ss), step_cmp);
	qsort(fl, n, sizeof(*fl), step_cmp);
	step_line(f, "inflight", SK_PIC_COLOUR_INFLIGHT, NULL, &a, fl, n, 0);
	/* ssthresh in runs where it is finite */
	for (size_t i = 0; i < n;) {
		if (ss[i].v < 0) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && ss[j].v >= 0)
			j++;
		struct pl l = {.f = f};
		fprintf(f, "<polyline class=\"ssthresh\" fill=\"none\" stroke=\"" SK_PIC_COLOUR_SSTHRESH
			   "\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\" points=\"");
		int64_t cur = ss[i].v;
		pl_add(&l, ax_x(&a, ss[i].t), ax_y(&a, (double)cur));
		for (size_t k = i + 1; k < j; k++) {
			if (ss[k].v == cur)
				continue;
			double px = ax_x(&a, ss[k].t);
			pl_add(&l, px, ax_y(&a, (double)cur));
			pl_add(&l, px, ax_y(&a, (double)ss[k].v));
			cur = ss[k].v;
		}
		/* the run ends where ssthresh becomes infinite, or at the right edge */
		pl_add(&l, j < n ? ax_x(&a, ss[j].t) : X1, ax_y(&a, (double)cur));
		pl_flush(&l);
		fputs("\"/>\n", f);
		i = j;
	}
	step_line(f, "cwnd", SK_PIC_COLOUR_SEG, NULL, &a, cw, n, 0);
	fputs("</g>\n", f);
out:
	free(cw);
	free(ss);
	free(fl);
}

static int has_cc(const struct sk_pic *p, int ep)
{
	for (size_t i = 0; i < p->n_cc; i++)
		if (p->cc[i].endpoint == ep)
			return 1;
	return 0;
}

int sk_pic_plot_write(FILE *f, const struct sk_pic *p, int standalone)
{
	if (!f || !p || p->n_endpoints < 0 || (p->n_frames && !p->frames) || (p->n_cc && !p->cc))
		return -EINVAL;
	struct plot P;
	memset(&P, 0, sizeof(P));
	P.p = p;
	P.origin = sk_pic_origin(p);
	int err = choose(&P);
	if (!err && P.have)
		err = gather(&P);
	if (err)
		goto out;

	/* the sender's congestion state: its endpoint, or the one with the most samples */
	int ep = P.have ? P.fl.side[P.side].endpoint : -1;
	if (!has_cc(p, ep)) {
		ep = -1;
		for (size_t i = 0; i < p->n_cc && ep < 0; i++)
			ep = p->cc[i].endpoint;
	}
	struct axes a = {.top = TSG_TOP, .bottom = TSG_TOP + TSG_H};
	if (P.have) {
		a.t0 = P.t0;
		a.t1 = P.t1;
	} else if (p->n_cc) {
		a.t0 = p->cc[0].t_us;
		a.t1 = p->cc[p->n_cc - 1].t_us;
	}
	if (a.t1 <= a.t0)
		a.t1 = a.t0 + 1000;
	a.t1 += (a.t1 - a.t0) / 32; /* room after the last event */
	a.v0 = (double)P.lo;
	double top = (double)P.hi;
	int win_clipped = (double)P.whi > 4 * top;
	if (!win_clipped && (double)P.whi > top)
		top = (double)P.whi;
	a.v1 = a.v0 + ((top - a.v0) * 1.05 > 1 ? (top - a.v0) * 1.05 : 1);
	int cc = ep >= 0;
	double h = a.bottom + 60 + (cc ? CC_GAP + CC_H + 50 : 0);

	sk_pic_svg_open(f, W, h, "plot", standalone);
	fputs("<text class=\"title\" x=\"16\" y=\"24\" font-size=\"15\" font-weight=\"bold\" fill=\"" SK_PIC_COLOUR_INK
	      "\">", f);
	sk_pic_escape(f, p->title ? p->title : "time-sequence graph", 0);
	fputs("</text>\n", f);
	fputs("<g class=\"legend\" font-size=\"10\" fill=\"#333333\">\n", f);
	if (P.have) {
		char from[96], to[96], line[400];
		endpoint_name(from, sizeof(from), &P, P.side);
		endpoint_name(to, sizeof(to), &P, !P.side);
		const struct sk_pic_side *snd = &P.fl.side[P.side], *rcv = &P.fl.side[!P.side];
		char ws[80];
		if (snd->syn_seen && rcv->syn_seen && rcv->syn_ws && snd->syn_ws)
			snprintf(ws, sizeof(ws), "window scaled by 2^%u", rcv->ws);
		else if (snd->syn_seen && rcv->syn_seen)
			snprintf(ws, sizeof(ws), "no window scaling");
		else
			snprintf(ws, sizeof(ws), "window scale unknown (no SYN seen): windows unscaled");
		snprintf(line, sizeof(line), "%s to %s: %llu bytes of data, %zu retransmitted segments, %zu lost", from, to,
			 (unsigned long long)P.bytes, P.nrx, P.nlost);
		fputs("<text x=\"16\" y=\"44\">", f);
		sk_pic_escape(f, line, 0);
		fputs("</text>\n", f);
		snprintf(line, sizeof(line), "As the sender saw it: data when sent, ACKs when they arrived; sequence numbers "
					     "relative to its first; %s%s.", ws,
			 win_clipped ? "; the window's edge runs above the top" : "");
		fputs("<text x=\"16\" y=\"58\">", f);
		sk_pic_escape(f, line, 0);
		fputs("</text>\n", f);
	} else {
		fputs("<text class=\"empty\" x=\"16\" y=\"44\">No TCP segments to plot.</text>\n", f);
	}
	double x = 16;
	swatch(f, &x, 80, SK_PIC_COLOUR_SEG, NULL, "data sent");
	swatch(f, &x, 80, SK_PIC_COLOUR_RXMIT, NULL, "retransmission");
	fprintf(f, "<path d=\"M %.1f 72 L %.1f 80 M %.1f 80 L %.1f 72\" stroke=\"" SK_PIC_COLOUR_LOST
		   "\" stroke-width=\"2\"/>\n", x, x + 8, x, x + 8);
	fprintf(f, "<text x=\"%.1f\" y=\"80\">lost</text>\n", x + 12);
	x += 52;
	swatch(f, &x, 80, SK_PIC_COLOUR_SACK, NULL, "SACK block");
	swatch(f, &x, 80, SK_PIC_COLOUR_ACK, NULL, "cumulative ACK");
	swatch(f, &x, 80, SK_PIC_COLOUR_WINDOW, NULL, "ACK + window (right edge)");
	fputs("</g>\n", f);
	if (P.have)
		draw_tsg(f, &P, &a);
	if (cc)
		draw_cc(f, &P, &a, ep, a.bottom + CC_GAP);
	fputs("</svg>\n", f);
	err = ferror(f) ? -EIO : 0;
out:
	free(P.m);
	free(P.ack);
	free(P.win);
	return err;
}

int sk_pic_plot_svg(FILE *f, const struct sk_pic *p)
{
	return sk_pic_plot_write(f, p, 1);
}
