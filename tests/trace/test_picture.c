/* The SVG pictures of a run: their structure parsed back and checked against the input (an
 * arrow per frame, crosses of lost frames at the halfway point, state boxes at their times on
 * the axis's scale, retransmission brackets, the plot's ACK and window lines, cuts, escaping). */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pic_inputs.h"
#include "trace/picture.h"
#include "wire/checksum.h"
#include "wire/ipv6.h"

enum { LADDER, PLOT, HTML };

static char *render(int what, const struct sk_pic *p, const char *trace, size_t *size)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	assert_non_null(f);
	int r = what == LADDER ? sk_pic_ladder_svg(f, p) : what == PLOT ? sk_pic_plot_svg(f, p) : sk_pic_html(f, p, trace);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(r, 0);
	if (size)
		*size = n;
	/* A copy: GCC's -O3 dangling-pointer check takes the stream's buffer, reached
	 * through &text, for a pointer to the local itself. */
	char *out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, text, n + 1);
	free(text);
	return out;
}

/* ---- a small reader of the SVG: elements by tag and class word, their attributes ---- */

static int get_attr(const char *el, const char *name, char *out, size_t cap)
{
	const char *end = strchr(el, '>');
	char pat[64];
	snprintf(pat, sizeof(pat), " %s=\"", name);
	const char *a = strstr(el, pat);
	if (!a || !end || a > end)
		return 0;
	a += strlen(pat);
	const char *q = strchr(a, '"');
	size_t n = (size_t)(q - a) < cap - 1 ? (size_t)(q - a) : cap - 1;
	memcpy(out, a, n);
	out[n] = '\0';
	return 1;
}

static double attr_d(const char *el, const char *name)
{
	char b[128];
	if (!get_attr(el, name, b, sizeof(b))) {
		fprintf(stderr, "no attribute %s in %.200s\n", name, el);
		fail();
	}
	return strtod(b, NULL);
}

static int has_class(const char *el, const char *word)
{
	char c[128];
	if (!get_attr(el, "class", c, sizeof(c)))
		return 0;
	size_t w = strlen(word);
	for (char *t = c; (t = strstr(t, word)); t += w)
		if ((t == c || t[-1] == ' ') && (t[w] == '\0' || t[w] == ' '))
			return 1;
	return 0;
}

/* The next <tag ...> at or after *pos with class word cls (NULL: any). */
static const char *find_el(const char **pos, const char *tag, const char *cls)
{
	size_t tl = strlen(tag);
	for (const char *p = *pos; (p = strchr(p, '<')); p++) {
		if (strncmp(p + 1, tag, tl) || (p[1 + tl] != ' ' && p[1 + tl] != '>'))
			continue;
		if (!cls || has_class(p, cls)) {
			*pos = p + 1;
			return p;
		}
	}
	return NULL;
}

/* The first <tag class~=cls> whose attribute name is value. */
static const char *find_attr(const char *svg, const char *tag, const char *cls, const char *name, const char *value)
{
	const char *pos = svg, *el;
	char b[128];
	while ((el = find_el(&pos, tag, cls)))
		if (get_attr(el, name, b, sizeof(b)) && !strcmp(b, value))
			return el;
	return NULL;
}

static size_t count(const char *svg, const char *tag, const char *cls)
{
	size_t n = 0;
	const char *pos = svg;
	while (find_el(&pos, tag, cls))
		n++;
	return n;
}

/* The element <tag class~=cls sk:NAME="v">. */
static const char *find_with(const char *svg, const char *tag, const char *cls, const char *name, long long v)
{
	const char *pos = svg, *el;
	while ((el = find_el(&pos, tag, cls))) {
		char b[64];
		if (get_attr(el, name, b, sizeof(b)) && strtoll(b, NULL, 10) == v)
			return el;
	}
	return NULL;
}

/* The text inside an element (up to its end tag), tags removed, into buf. */
static char *text_of(const char *el, char *buf, size_t cap)
{
	const char *p = strchr(el, '>') + 1;
	const char *end = strstr(p, "</text>");
	size_t n = 0;
	int in_tag = 0;
	for (; p < end && n + 1 < cap; p++) {
		if (*p == '<')
			in_tag = 1;
		else if (*p == '>')
			in_tag = 0;
		else if (!in_tag)
			buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

static const char *seg(const char *svg, size_t frame)
{
	const char *el = find_with(svg, "line", "seg", "sk:frame", (long long)frame);
	assert_non_null(el);
	return el;
}

static char *seg_label(const char *svg, size_t frame, char *buf, size_t cap)
{
	const char *el = find_with(svg, "text", "seg-label", "sk:frame", (long long)frame);
	assert_non_null(el);
	return text_of(el, buf, cap);
}

#define assert_near(a, b, tol)                                                                                        \
	do {                                                                                                          \
		double a_ = (a), b_ = (b);                                                                            \
		if (!(fabs(a_ - b_) <= (tol))) {                                                                      \
			fprintf(stderr, "%s = %.3f, expected %s = %.3f (within %.2f)\n", #a, a_, #b, b_, (double)(tol)); \
			fail();                                                                                       \
		}                                                                                                     \
	} while (0)

/* A well-formedness check: tags nest and close, text has no bare < or &. */
static void assert_well_formed(const char *doc)
{
	char stack[64][24];
	int depth = 0;
	const char *p = doc;
	if (!strncmp(p, "<?xml", 5))
		p = strstr(p, "?>") + 2;
	if (!strncmp(p, "<!DOCTYPE", 9))
		p = strchr(p, '>') + 1;
	for (; *p; p++) {
		if (*p == '&') {
			const char *semi = strchr(p, ';');
			assert_non_null(semi);
			assert_true(semi - p <= 6);
			continue;
		}
		if (*p != '<')
			continue;
		const char *end = strchr(p, '>');
		assert_non_null(end);
		for (const char *q = p + 1; q < end; q++)
			assert_true(*q != '<');
		if (!strncmp(p, "<meta", 5)) { /* HTML's void element */
			p = end;
			continue;
		}
		if (p[1] == '/') {
			assert_true(depth > 0);
			depth--;
			size_t n = strlen(stack[depth]);
			assert_memory_equal(p + 2, stack[depth], n);
		} else if (end[-1] != '/') {
			assert_true(depth < 64);
			size_t n = strcspn(p + 1, " >");
			assert_true(n < sizeof(stack[0]));
			memcpy(stack[depth], p + 1, n);
			stack[depth][n] = '\0';
			depth++;
		}
		p = end;
	}
	assert_int_equal(depth, 0);
}

static double px_per_s(const char *svg)
{
	const char *pos = svg, *g = find_el(&pos, "g", "time");
	assert_non_null(g);
	return attr_d(g, "sk:px-per-s");
}

/* ---- the ladder ---- */

static void test_handshake_ladder(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "hs-1: three-way handshake");
	pin_handshake(&b);
	char *svg = render(LADDER, &b.pic, NULL, NULL);
	assert_well_formed(svg);
	assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_int_equal(count(svg, "line", "seg"), 3);
	assert_int_equal(count(svg, "line", "lost"), 0);
	assert_int_equal(count(svg, "path", "cross"), 0);
	assert_int_equal(count(svg, "text", "cut"), 0);
	assert_int_equal(count(svg, "line", "lifeline"), 2);

	const char *pos = svg;
	const char *l0 = find_el(&pos, "line", "lifeline"), *l1 = find_el(&pos, "line", "lifeline");
	double xc = attr_d(l0, "x1"), xs = attr_d(l1, "x1");
	assert_true(xc < xs);
	/* each arrow from its sender's lifeline to the receiver's, 10 ms later on the scale */
	double p = px_per_s(svg);
	for (size_t i = 0; i < 3; i++) {
		const char *s = seg(svg, i);
		assert_near(attr_d(s, "x1"), i == 1 ? xs : xc, 0.05);
		assert_near(attr_d(s, "x2"), i == 1 ? xc : xs, 0.05);
		assert_near(attr_d(s, "y2") - attr_d(s, "y1"), p * 0.010, 0.15);
		if (i > 0)
			assert_near(attr_d(s, "y1"), attr_d(seg(svg, i - 1), "y2"), 0.05);
	}
	char t[256];
	assert_string_equal(seg_label(svg, 0, t, sizeof(t)), "S seq 0 win 64240 &lt;mss 1460,sackOK,TS&gt;");
	assert_string_equal(seg_label(svg, 1, t, sizeof(t)), "S. seq 0 ack 1 win 65160 &lt;mss 1460,sackOK,TS&gt;");
	assert_string_equal(seg_label(svg, 2, t, sizeof(t)), ". ack 1 win 64240");

	/* state boxes from their start to the next state, on the same scale as the arrows */
	double y0 = attr_d(seg(svg, 0), "y1");
	const char *syn_sent = NULL, *listen = NULL, *el;
	pos = svg;
	while ((el = find_el(&pos, "rect", "state"))) {
		char name[32];
		assert_true(get_attr(el, "sk:name", name, sizeof(name)));
		if (!strcmp(name, "SYN-SENT"))
			syn_sent = el;
		if (!strcmp(name, "LISTEN"))
			listen = el;
	}
	assert_non_null(syn_sent);
	assert_non_null(listen);
	assert_near(attr_d(syn_sent, "y"), y0, 0.05);
	assert_near(attr_d(syn_sent, "height"), p * 0.020, 0.15); /* ESTABLISHED on the SYN+ACK at 20 ms */
	assert_near(attr_d(syn_sent, "x") + 4, xc, 0.05);
	assert_near(attr_d(listen, "height"), p * 0.010, 0.15); /* SYN-RCVD at 10 ms */
	assert_near(attr_d(listen, "x") + 4, xs, 0.05);
	assert_int_equal(count(svg, "rect", "state"), 5);

	/* the axis: ticks in ms at the times they say */
	const char *tick = find_with(svg, "line", "tick", "sk:t", 10000);
	assert_non_null(tick);
	assert_near(attr_d(tick, "y1"), attr_d(seg(svg, 0), "y2"), 0.1);
	const char *lab = find_with(svg, "text", "tick-label", "sk:t", 10000);
	assert_non_null(lab);
	assert_string_equal(text_of(lab, t, sizeof(t)), "10 ms");
	assert_true(count(svg, "line", "axis") >= 1);

	/* calls beside their lifeline, at their time */
	const char *note;
	pos = svg;
	while ((note = find_el(&pos, "text", "note")) && !strstr(text_of(note, t, sizeof(t)), "connect(10.0.0.2"))
		;
	assert_non_null(note);
	assert_string_equal(t, "connect(10.0.0.2:6378) = -1 EINPROGRESS");
	assert_true(attr_d(note, "x") < xc);
	assert_near(attr_d(note, "y"), y0 + 4, 0.05);
	free(svg);
	pin_free(&b);
}

static void test_backoff_ladder(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "SYN lost three times");
	pin_syn_backoff(&b);
	char *svg = render(LADDER, &b.pic, NULL, NULL);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "line", "seg"), 6);
	assert_int_equal(count(svg, "line", "lost"), 3);
	assert_int_equal(count(svg, "path", "cross"), 3);
	assert_int_equal(count(svg, "line", "rxmit"), 3);
	double p = px_per_s(svg);
	for (size_t i = 0; i < 6; i++) {
		const char *s = seg(svg, i);
		assert_int_equal(has_class(s, "lost"), i < 3);
		assert_int_equal(has_class(s, "rxmit"), i >= 1 && i <= 3);
		if (i >= 3)
			continue;
		/* a lost frame stops halfway (in time) to the other lifeline, under a cross */
		const char *c = find_with(svg, "path", "cross", "sk:frame", (long long)i);
		assert_non_null(c);
		const char *pos = svg;
		double xc = attr_d(find_el(&pos, "line", "lifeline"), "x1");
		double xs = attr_d(find_el(&pos, "line", "lifeline"), "x1");
		double y1 = attr_d(s, "y1");
		assert_near(attr_d(c, "sk:x"), (xc + xs) / 2, 0.05);
		assert_near(attr_d(c, "sk:y"), y1 + p * PIN_DELAY / 2e6, 0.1);
		assert_near(attr_d(s, "x2"), attr_d(c, "sk:x"), 0.05);
		assert_near(attr_d(s, "y2"), attr_d(c, "sk:y"), 0.05);
		char stroke[32];
		assert_true(get_attr(c, "stroke", stroke, sizeof(stroke)));
		assert_string_equal(stroke, SK_PIC_COLOUR_LOST);
	}
	/* the timer's backoff: brackets of 1, 2 and 4 s between the transmissions */
	static const char *const want[] = {"1 s", "2 s", "4 s"};
	const char *pos = svg, *g;
	for (int i = 0; i < 3; i++) {
		g = find_el(&pos, "g", "bracket");
		assert_non_null(g);
		assert_int_equal((int)attr_d(g, "sk:frame"), i + 1);
		assert_int_equal((int)attr_d(g, "sk:prev"), i);
		const char *q = g;
		const char *line = find_el(&q, "line", "bracket-line");
		const char *lab = find_el(&q, "text", "bracket-label");
		char t[64];
		assert_string_equal(text_of(lab, t, sizeof(t)), want[i]);
		assert_near(attr_d(line, "y1"), attr_d(seg(svg, (size_t)i), "y1"), 0.05);
		assert_near(attr_d(line, "y2"), attr_d(seg(svg, (size_t)i + 1), "y1"), 0.05);
	}
	assert_null(find_el(&pos, "g", "bracket"));
	/* why they were sent, drawn with the arrow */
	size_t why = 0;
	for (const char *w = svg; (w = strstr(w, "(RTO retransmission)")); w++)
		why++;
	assert_int_equal(why, 3);
	/* to scale: 1 s to 3 s is two seconds at the axis's px per second; ticks in seconds */
	const char *t1 = find_with(svg, "line", "tick", "sk:t", 1000000);
	const char *t3 = find_with(svg, "line", "tick", "sk:t", 3000000);
	assert_non_null(t1);
	assert_non_null(t3);
	assert_near(attr_d(t1, "y1"), attr_d(seg(svg, 1), "y1"), 0.1);
	assert_near(attr_d(t3, "y1"), attr_d(seg(svg, 2), "y1"), 0.1);
	assert_near(attr_d(t3, "y1") - attr_d(t1, "y1"), 2 * p, 0.2);
	char t[64];
	const char *lab = find_with(svg, "text", "tick-label", "sk:t", 3000000);
	assert_non_null(lab);
	assert_string_equal(text_of(lab, t, sizeof(t)), "3.0 s");
	/* SYN-SENT from the first SYN until the SYN+ACK arrives */
	const char *box = find_attr(svg, "rect", "state", "sk:name", "SYN-SENT");
	assert_non_null(box);
	assert_near(attr_d(box, "y"), attr_d(seg(svg, 0), "y1"), 0.05);
	assert_near(attr_d(box, "y") + attr_d(box, "height"), attr_d(seg(svg, 4), "y2"), 0.05);
	assert_int_equal((long long)attr_d(box, "sk:t1"), 7000000 + 2 * PIN_DELAY);
	free(svg);
	pin_free(&b);
}

static void test_hs7_to_scale(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "hs-7");
	pin_hs7(&b);
	char *svg = render(LADDER, &b.pic, NULL, NULL);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "g", "break"), 0);
	assert_int_equal(count(svg, "path", "cross"), 6);
	double p = px_per_s(svg);
	assert_true(p >= 10 && p <= 40);
	double y0 = attr_d(seg(svg, 0), "y1");
	static const uint64_t at[] = {0, 1, 3, 7, 15, 31};
	for (size_t i = 0; i < 6; i++)
		assert_near(attr_d(seg(svg, i), "y1"), y0 + p * (double)at[i], 0.3);
	/* the backoff 1, 2, 4, 8, 16 s between the SYNs, then 32 s until it gave up */
	static const char *const want[] = {"1 s", "2 s", "4 s", "8 s", "16 s", "32 s"};
	const char *pos = svg, *g;
	for (int i = 0; i < 6; i++) {
		g = find_el(&pos, "g", "bracket");
		assert_non_null(g);
		assert_int_equal(has_class(g, "giveup"), i == 5);
		const char *q = g, *r = g;
		char t[64];
		assert_string_equal(text_of(find_el(&q, "text", "bracket-label"), t, sizeof(t)), want[i]);
		const char *line = find_el(&r, "line", "bracket-line");
		assert_near(attr_d(line, "y1"), y0 + p * (double)at[i], 0.3);
		assert_near(attr_d(line, "y2"), y0 + p * (i < 5 ? (double)at[i + 1] : 63.0), 0.3);
	}
	assert_null(find_el(&pos, "g", "bracket"));
	/* SYN-SENT lasts the 63 s; CLOSED ends it (named, no box) */
	const char *box = find_attr(svg, "rect", "state", "sk:name", "SYN-SENT");
	assert_non_null(box);
	assert_near(attr_d(box, "y"), y0, 0.05);
	assert_near(attr_d(box, "height"), 63 * p, 0.3);
	assert_null(strstr(svg, "sk:name=\"CLOSED\""));
	const char *closed = find_with(svg, "text", "state-name", "sk:t", 63000000);
	assert_non_null(closed);
	char t[32];
	assert_string_equal(text_of(closed, t, sizeof(t)), "CLOSED");
	const char *root = strstr(svg, "<svg");
	assert_true(attr_d(root, "height") < 2400);
	free(svg);
	pin_free(&b);
}

static void test_transfer_ladder(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "a loss repaired with SACK");
	pin_transfer(&b);
	char *svg = render(LADDER, &b.pic, NULL, NULL);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "line", "seg"), b.nfr);
	assert_int_equal(count(svg, "line", "lost"), 1);
	assert_true(has_class(seg(svg, 5), "lost"));
	assert_int_equal(count(svg, "path", "cross"), 1);
	/* ten segments sent at one instant: a row apart, parallel, marked on the axis */
	double y3 = attr_d(seg(svg, 3), "y1");
	for (size_t k = 0; k < 10; k++) {
		assert_near(attr_d(seg(svg, 3 + k), "y1"), y3 + 16.0 * (double)k, 0.05);
		if (k != 2)
			assert_near(attr_d(seg(svg, 3 + k), "y2") - attr_d(seg(svg, 3 + k), "y1"),
				    attr_d(seg(svg, 3), "y2") - y3, 0.05);
	}
	assert_true(count(svg, "rect", "rows") >= 1);
	/* the lost one (the third) ends halfway along the arrow it would have been, at its cross */
	const char *c = find_with(svg, "path", "cross", "sk:frame", 5);
	assert_non_null(c);
	double flight = attr_d(seg(svg, 3), "y2") - y3;
	assert_true(flight > 50);
	assert_near(attr_d(c, "sk:y"), y3 + 32 + flight / 2, 0.1);
	assert_near(attr_d(c, "sk:x"), (attr_d(seg(svg, 3), "x1") + attr_d(seg(svg, 3), "x2")) / 2, 0.1);
	assert_near(attr_d(seg(svg, 5), "y2"), attr_d(c, "sk:y"), 0.05);
	char t[256];
	assert_string_equal(seg_label(svg, 3, t, sizeof(t)), ". seq 1:1001(1000) ack 1 win 502");
	assert_string_equal(seg_label(svg, 12, t, sizeof(t)), "P. seq 9001:10001(1000) ack 1 win 502");
	assert_string_equal(seg_label(svg, 15, t, sizeof(t)), ". ack 2001 win 100 sack 3001:4001");
	assert_string_equal(seg_label(svg, 22, t, sizeof(t)), ". seq 2001:3001(1000) ack 1 win 502 (fast retransmit)");
	assert_true(has_class(seg(svg, 22), "rxmit"));
	assert_int_equal(count(svg, "line", "rxmit"), 1);
	const char *g = find_with(svg, "g", "bracket", "sk:frame", 22);
	assert_non_null(g);
	assert_int_equal((int)attr_d(g, "sk:prev"), 5);
	const char *q = g;
	assert_string_equal(text_of(find_el(&q, "text", "bracket-label"), t, sizeof(t)), "26 ms");
	free(svg);
	pin_free(&b);
}

/* ---- the plot ---- */

struct map {
	double t0, t1, s0, s1, x0, x1, y0, y1;
};

static struct map map_of(const char *svg, const char *cls)
{
	const char *pos = svg, *g = find_el(&pos, "g", cls);
	assert_non_null(g);
	return (struct map){attr_d(g, "sk:t0"), attr_d(g, "sk:t1"), attr_d(g, "sk:s0"), attr_d(g, "sk:s1"),
			    attr_d(g, "sk:x0"), attr_d(g, "sk:x1"), attr_d(g, "sk:y0"), attr_d(g, "sk:y1")};
}

static double mx(const struct map *m, double t)
{
	return m->x0 + (t - m->t0) * (m->x1 - m->x0) / (m->t1 - m->t0);
}

static double my(const struct map *m, double s)
{
	return m->y0 - (s - m->s0) * (m->y0 - m->y1) / (m->s1 - m->s0);
}

/* A polyline's points against the expected (t, value) corners; the last x is the right edge. */
static void check_points(const char *el, const struct map *m, const double (*want)[2], size_t n)
{
	char pts[4096];
	assert_true(get_attr(el, "points", pts, sizeof(pts)));
	char *p = pts;
	size_t k = 0;
	for (; *p && k < n; k++) {
		char *end;
		double x = strtod(p, &end);
		assert_true(*end == ',');
		double y = strtod(end + 1, &end);
		p = end;
		double wx = want[k][0] < 0 ? m->x1 : mx(m, want[k][0]);
		assert_near(x, wx, 0.06);
		assert_near(y, my(m, want[k][1]), 0.06);
		while (*p == ' ')
			p++;
	}
	assert_int_equal(k, n);
	assert_true(*p == '\0');
}

static void test_plot_transfer(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "a loss repaired with SACK");
	pin_transfer(&b);
	char *svg = render(PLOT, &b.pic, NULL, NULL);
	assert_well_formed(svg);
	struct map m = map_of(svg, "tsg");
	assert_near(m.t0, 0, 0);
	assert_near(m.t1, 146000 + 146000 / 32, 0);
	assert_near(m.s0, 0, 0);
	assert_true(m.s1 >= 10001 + 100 * 128);

	/* the cumulative ACK as the client received it, a step line */
	const double ack[][2] = {{20000, 1},     {121000, 1},     {121000, 1001}, {122000, 1001},
				 {122000, 2001}, {146000, 2001}, {146000, 10001}, {-1, 10001}};
	const char *pos = svg;
	const char *el = find_el(&pos, "polyline", "ack");
	assert_non_null(el);
	check_points(el, &m, ack, sizeof(ack) / sizeof(ack[0]));
	/* the window's right edge: ACK + 100 << 7 (the SYN+ACK's unscaled window is left out) */
	const double win[][2] = {{121000, 1001 + 12800},  {122000, 1001 + 12800},  {122000, 2001 + 12800},
				 {146000, 2001 + 12800},  {146000, 10001 + 12800}, {-1, 10001 + 12800}};
	pos = svg;
	el = find_el(&pos, "polyline", "window");
	assert_non_null(el);
	check_points(el, &m, win, sizeof(win) / sizeof(win[0]));

	/* the lost segment's mark at its top, the retransmission in its own colour */
	assert_int_equal(count(svg, "path", "lost"), 1);
	pos = svg;
	el = find_el(&pos, "path", "lost");
	assert_near(attr_d(el, "sk:x"), mx(&m, 100000), 0.06);
	assert_near(attr_d(el, "sk:y"), my(&m, 3001), 0.06);
	assert_int_equal(count(svg, "line", "rxmit"), 1);
	pos = svg;
	el = find_el(&pos, "line", "rxmit");
	assert_near(attr_d(el, "x1"), mx(&m, 126000), 0.06);
	assert_near(attr_d(el, "y1"), my(&m, 3001), 0.06);
	assert_near(attr_d(el, "y2"), my(&m, 2001), 0.06);
	char stroke[32];
	assert_true(get_attr(el, "stroke", stroke, sizeof(stroke)));
	assert_string_equal(stroke, SK_PIC_COLOUR_RXMIT);
	/* the data bars at 100 ms cover 1..10001 without a gap */
	double lo = 1e9, hi = -1e9;
	pos = svg;
	while ((el = find_el(&pos, "line", "data"))) {
		if (fabs(attr_d(el, "x1") - mx(&m, 100000)) > 0.06)
			continue;
		double a = attr_d(el, "y1"), z = attr_d(el, "y2");
		lo = fmin(lo, fmin(a, z));
		hi = fmax(hi, fmax(a, z));
	}
	assert_near(lo, my(&m, 10001), 0.06);
	assert_near(hi, my(&m, 1), 0.06);
	/* SACK blocks as the ACKs carrying them arrived: 3001..4001 at 124 ms to 3001..10001 at 130 */
	assert_int_equal(count(svg, "line", "sack"), 7);
	pos = svg;
	el = find_el(&pos, "line", "sack");
	assert_near(attr_d(el, "x1"), mx(&m, 124000), 0.06);
	assert_near(attr_d(el, "y1"), my(&m, 4001), 0.06);
	assert_near(attr_d(el, "y2"), my(&m, 3001), 0.06);

	/* time ticks where they say, in ms */
	const char *tick = find_with(svg, "line", "tick", "sk:t", 100000);
	assert_non_null(tick);
	assert_near(attr_d(tick, "x1"), mx(&m, 100000), 0.06);
	char t[64];
	assert_string_equal(text_of(find_with(svg, "text", "tick-label", "sk:t", 100000), t, sizeof(t)), "100 ms");
	assert_true(count(svg, "line", "axis") >= 4);

	/* cwnd, ssthresh (from when it is finite) and bytes in flight below */
	struct map c = map_of(svg, "ccg");
	assert_near(c.t0, m.t0, 0);
	assert_near(c.t1, m.t1, 0);
	const double cwnd[][2] = {{100000, 10000}, {126000, 10000}, {126000, 7000}, {-1, 7000}};
	pos = strstr(svg, "class=\"ccg\"");
	el = find_el(&pos, "polyline", "cwnd");
	assert_non_null(el);
	check_points(el, &c, cwnd, 4);
	const double ss[][2] = {{126000, 7000}, {-1, 7000}};
	pos = svg;
	el = find_el(&pos, "polyline", "ssthresh");
	check_points(el, &c, ss, 2);
	const double fl[][2] = {{100000, 10000}, {126000, 10000}, {126000, 9000}, {146000, 9000}, {146000, 0}, {-1, 0}};
	pos = svg;
	el = find_el(&pos, "polyline", "inflight");
	check_points(el, &c, fl, 6);
	free(svg);
	pin_free(&b);
}

/* ---- size limits ---- */

static void test_ladder_cut(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "bulk");
	pin_bulk(&b, 1000);
	size_t n;
	char *svg = render(LADDER, &b.pic, NULL, &n);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "line", "seg"), SK_PIC_LADDER_MAX_FRAMES);
	assert_int_equal(count(svg, "text", "cut"), 1);
	assert_non_null(strstr(svg, "first 300 of 1000 frames"));
	assert_true(n < 400000);
	free(svg);
	pin_free(&b);
}

static void test_plot_100k(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "bulk");
	pin_bulk(&b, 100000);
	size_t n;
	char *svg = render(PLOT, &b.pic, NULL, &n);
	assert_well_formed(svg);
	assert_true(n < 1500000);
	/* losses and retransmissions survive the merging */
	size_t lost = count(svg, "path", "lost"), rx = count(svg, "line", "rxmit");
	assert_true(lost >= 50);
	assert_true(rx >= 50);
	struct map m = map_of(svg, "tsg");
	assert_true(m.s1 >= 100.0 * 60000);
	free(svg);
	svg = render(LADDER, &b.pic, NULL, &n);
	assert_true(n < 400000);
	assert_int_equal(count(svg, "text", "cut"), 1);
	free(svg);
	pin_free(&b);
}

/* ---- text and errors ---- */

static void test_escaping(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "A <b> & \"c\"");
	pin_handshake(&b);
	b.names[1] = "x&y";
	b.fr[1].label = "why <now> & \"then\"";
	b.nt[0].text = "a<b \xff!";
	char *docs[3];
	docs[0] = render(LADDER, &b.pic, NULL, NULL);
	docs[1] = render(PLOT, &b.pic, NULL, NULL);
	docs[2] = render(HTML, &b.pic, "00:00:00.000000 IP a < b & c\n# client connect()\n", NULL);
	for (int i = 0; i < 3; i++) {
		assert_well_formed(docs[i]);
		assert_null(strstr(docs[i], "<b>"));
		assert_null(strstr(docs[i], "\xff"));
		assert_non_null(strstr(docs[i], "A &lt;b&gt; &amp; &quot;c&quot;"));
	}
	assert_non_null(strstr(docs[0], "why &lt;now&gt; &amp; &quot;then&quot;"));
	assert_non_null(strstr(docs[0], ">x&amp;y<"));
	assert_non_null(strstr(docs[0], "a&lt;b ?!"));
	/* the page: both pictures inline, the trace escaped and preformatted, nothing fetched */
	const char *h = docs[2];
	assert_null(strstr(h, "<?xml"));
	assert_int_equal(count(h, "svg", "ladder"), 1);
	assert_int_equal(count(h, "svg", "plot"), 1);
	assert_non_null(strstr(h, "<pre class=\"trace\">00:00:00.000000 IP a &lt; b &amp; c\n# client connect()\n</pre>"));
	assert_null(strstr(h, "src="));
	assert_null(strstr(h, "href=\"http"));
	assert_null(strstr(h, "<script"));
	for (int i = 0; i < 3; i++)
		free(docs[i]);
	pin_free(&b);
}

static void test_errors(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "errors");
	pin_handshake(&b);
	FILE *f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(sk_pic_ladder_svg(f, NULL), -EINVAL);
	struct sk_pic none = b.pic;
	none.n_endpoints = 0;
	assert_int_equal(sk_pic_ladder_svg(f, &none), -EINVAL);
	fclose(f);
	/* a frame to an endpoint that has no lifeline is left out, and the picture says so */
	b.fr[1].to = 7;
	char *svg = render(LADDER, &b.pic, NULL, NULL);
	assert_int_equal(count(svg, "line", "seg"), 2);
	assert_int_equal(count(svg, "text", "skipped"), 1);
	free(svg);
	b.fr[1].to = PIN_CLIENT;
	/* a write error is reported */
	f = fopen("/dev/full", "w");
	if (f) {
		setvbuf(f, NULL, _IONBF, 0);
		assert_int_equal(sk_pic_ladder_svg(f, &b.pic), -EIO);
		assert_int_equal(sk_pic_plot_svg(f, &b.pic), -EIO);
		fclose(f);
	}
	/* no frames at all: still pictures */
	struct sk_pic empty = {.title = "empty", .endpoints = b.pic.endpoints, .n_endpoints = 2};
	svg = render(LADDER, &empty, NULL, NULL);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "line", "lifeline"), 2);
	free(svg);
	svg = render(PLOT, &empty, NULL, NULL);
	assert_well_formed(svg);
	free(svg);
	pin_free(&b);
}

/* A capture: one vantage point (arrival = departure), wall-clock times. */
static void test_capture_times(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "capture");
	pin_handshake(&b);
	const uint64_t base = 1700000000ull * 1000000;
	for (size_t i = 0; i < b.nfr; i++) {
		b.fr[i].sent_us += base;
		b.fr[i].arrived_us = b.fr[i].sent_us;
	}
	b.pic.n_states = b.pic.n_notes = 0;
	char *svg = render(LADDER, &b.pic, NULL, NULL);
	assert_well_formed(svg);
	for (size_t i = 0; i < 3; i++)
		assert_near(attr_d(seg(svg, i), "y1"), attr_d(seg(svg, i), "y2"), 0.01);
	const char *lab = find_with(svg, "text", "tick-label", "sk:t", (long long)base);
	assert_non_null(lab);
	char t[32];
	assert_string_equal(text_of(lab, t, sizeof(t)), "0 ms");
	free(svg);
	svg = render(PLOT, &b.pic, NULL, NULL);
	struct map m = map_of(svg, "tsg");
	assert_near(m.t0, (double)base, 0.5);
	free(svg);
	pin_free(&b);
}

/* s with every "from" replaced by "to" (a new string). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	for (const char *p = s; (p = strstr(p, from)); p += nf)
		n++;
	char *out = malloc(strlen(s) + n * nt + 1), *o = out;
	assert_non_null(out);
	for (const char *p = s, *q; ; p = q + nf) {
		q = strstr(p, from);
		size_t k = q ? (size_t)(q - p) : strlen(p);
		memcpy(o, p, k);
		o += k;
		if (!q)
			break;
		memcpy(o, to, nt);
		o += nt;
	}
	*o = '\0';
	return out;
}

/* The IPv4 packet ip4 (a 20-byte header, then TCP) as IPv6 from 2001:db8::a00:1 or ::a00:2,
 * the TCP checksum made over IPv6's pseudo-header. */
static uint8_t *to_ipv6(const uint8_t *ip4, size_t len, size_t *out_len)
{
	size_t tl = len - 20;
	uint8_t *p = calloc(1, SK_IPV6_HLEN + tl);
	assert_non_null(p);
	struct sk_ipv6 h = {.payload_len = (uint16_t)tl, .next = SK_IPPROTO_TCP, .hop_limit = 64,
			    .src = {0x20, 0x01, 0x0d, 0xb8}, .dst = {0x20, 0x01, 0x0d, 0xb8}};
	memcpy(h.src + 12, ip4 + 12, 4);
	memcpy(h.dst + 12, ip4 + 16, 4);
	sk_ipv6_emit(p, SK_IPV6_HLEN, &h);
	uint8_t *seg = p + SK_IPV6_HLEN;
	memcpy(seg, ip4 + 20, tl);
	seg[16] = seg[17] = 0;
	uint16_t c = sk_csum_l4v6(h.src, h.dst, SK_IPPROTO_TCP, seg, tl);
	seg[16] = (uint8_t)(c >> 8);
	seg[17] = (uint8_t)c;
	*out_len = SK_IPV6_HLEN + tl;
	return p;
}

/* The same run over IPv6 draws the same pictures: the ladder byte for byte, the plot but
 * for the addresses its legend names. */
static void test_ipv6_same_pictures(void **state)
{
	(void)state;
	struct pin b;
	pin_init(&b, "a loss repaired with SACK");
	pin_transfer(&b);
	char *l4 = render(LADDER, &b.pic, NULL, NULL), *p4 = render(PLOT, &b.pic, NULL, NULL);
	const uint8_t **saved = calloc(b.nfr, sizeof(*saved));
	assert_non_null(saved);
	size_t *saved_len = calloc(b.nfr, sizeof(*saved_len));
	assert_non_null(saved_len);
	for (size_t i = 0; i < b.nfr; i++) {
		saved[i] = b.fr[i].ip;
		saved_len[i] = b.fr[i].len;
		b.fr[i].ip = to_ipv6(saved[i], saved_len[i], &b.fr[i].len);
	}
	char *l6 = render(LADDER, &b.pic, NULL, NULL), *p6 = render(PLOT, &b.pic, NULL, NULL);
	assert_string_equal(l6, l4);
	assert_non_null(strstr(p6, "[2001:db8::a00:1]:"));
	char *a = replace_all(p4, "10.0.0.1:", "[2001:db8::a00:1]:");
	char *p4v6 = replace_all(a, "10.0.0.2:", "[2001:db8::a00:2]:");
	assert_string_equal(p6, p4v6);
	for (size_t i = 0; i < b.nfr; i++) {
		free((void *)(uintptr_t)b.fr[i].ip);
		b.fr[i].ip = saved[i];
		b.fr[i].len = saved_len[i];
	}
	free(a);
	free(p4v6);
	free(saved);
	free(saved_len);
	free(l4);
	free(p4);
	free(l6);
	free(p6);
	pin_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_ladder), cmocka_unit_test(test_backoff_ladder),
		cmocka_unit_test(test_hs7_to_scale),     cmocka_unit_test(test_transfer_ladder),
		cmocka_unit_test(test_plot_transfer),    cmocka_unit_test(test_ladder_cut),
		cmocka_unit_test(test_plot_100k),        cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_errors),           cmocka_unit_test(test_capture_times),
		cmocka_unit_test(test_ipv6_same_pictures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
