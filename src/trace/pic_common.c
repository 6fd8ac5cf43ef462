/* What the picture writers share: escaping, number formats, ticks, and frames read as TCP
 * segments with sequence numbers relative to each side of each connection. */
#include "trace/pic_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "wire/decode.h"

/* Length of the UTF-8 sequence at s (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void sk_pic_escape(FILE *f, const char *str, int keep_lines)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	while (*s) {
		size_t n = utf8_len(s);
		if (n > 1) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\n':
		case '\t':
			fputc(keep_lines ? *s : ' ', f);
			break;
		default:
			fputc(n == 1 && *s >= 0x20 && *s != 0x7f ? *s : '?', f);
			break;
		}
		s++;
	}
}

size_t sk_pic_text_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t k = 0;
	while (*s) {
		size_t n = utf8_len(s);
		s += n ? n : 1;
		k++;
	}
	return k;
}

void sk_pic_fmt_duration(char *buf, size_t cap, uint64_t us)
{
	if (us >= 1000000)
		snprintf(buf, cap, "%.3g s", (double)us / 1e6);
	else if (us >= 1000)
		snprintf(buf, cap, "%.3g ms", (double)us / 1e3);
	else
		snprintf(buf, cap, "%u \xc2\xb5s", (unsigned)us);
}

/* The smallest of 1, 2, 5 times a power of ten that is at least v. */
static double nice_step(double v)
{
	if (!(v > 0) || !isfinite(v))
		return 1;
	double p = pow(10, floor(log10(v)));
	for (;;) {
		if (p >= v)
			return p;
		if (2 * p >= v)
			return 2 * p;
		if (5 * p >= v)
			return 5 * p;
		p *= 10;
	}
}

static void ticks_common(double lo, double px_per_unit, double min_px, struct sk_pic_ticks *tk)
{
	tk->step = nice_step(px_per_unit > 0 ? min_px / px_per_unit : 1);
	tk->first = ceil(lo / tk->step - 1e-9) * tk->step;
	double in_unit = tk->step / tk->unit;
	tk->decimals = in_unit >= 1 ? 0 : (int)ceil(-log10(in_unit) - 1e-9);
	if (tk->decimals > 6)
		tk->decimals = 6;
}

void sk_pic_time_ticks(double lo, double hi, double px_per_unit, double min_px, struct sk_pic_ticks *tk)
{
	if (hi >= 2e6) {
		tk->unit = 1e6;
		tk->unit_name = "s";
	} else if (hi >= 2e3) {
		tk->unit = 1e3;
		tk->unit_name = "ms";
	} else {
		tk->unit = 1;
		tk->unit_name = "\xc2\xb5s";
	}
	ticks_common(lo, px_per_unit, min_px, tk);
}

void sk_pic_byte_ticks(double lo, double hi, double px_per_unit, double min_px, struct sk_pic_ticks *tk)
{
	if (hi >= 2e6) {
		tk->unit = 1e6;
		tk->unit_name = "MB";
	} else if (hi >= 1e4) {
		tk->unit = 1e3;
		tk->unit_name = "kB";
	} else {
		tk->unit = 1;
		tk->unit_name = "";
	}
	ticks_common(lo, px_per_unit, min_px, tk);
}

void sk_pic_tick_label(char *buf, size_t cap, double v, const struct sk_pic_ticks *tk)
{
	double x = v / tk->unit;
	if (fabs(x) < 1e-9)
		x = 0;
	snprintf(buf, cap, "%.*f%s%s", tk->decimals, x, *tk->unit_name ? " " : "", tk->unit_name);
}

uint64_t sk_pic_origin(const struct sk_pic *p)
{
	uint64_t m = UINT64_MAX;
	if (p->n_frames)
		m = p->frames[0].sent_us;
	if (p->n_states && p->states[0].t_us < m)
		m = p->states[0].t_us;
	if (p->n_notes && p->notes[0].t_us < m)
		m = p->notes[0].t_us;
	if (p->n_cc && p->cc[0].t_us < m)
		m = p->cc[0].t_us;
	if (m == UINT64_MAX || m < 86400ull * 1000000)
		return 0;
	return m;
}

/* ---- connections ---- */

void sk_pic_flows_init(struct sk_pic_flows *ft)
{
	memset(ft, 0, sizeof(*ft));
}

void sk_pic_flows_free(struct sk_pic_flows *ft)
{
	free(ft->v);
	free(ft->slot);
	memset(ft, 0, sizeof(*ft));
}

/* Orders two addresses (family, then bytes): -1, 0, 1. */
static int addr_cmp(const struct synack_ip *a, const struct synack_ip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->bytes, b->bytes, sizeof(a->bytes));
	return c < 0 ? -1 : c > 0;
}

static uint64_t addr_hash(const struct synack_ip *a)
{
	uint64_t h = a->family;
	for (size_t i = 0; i < sizeof(a->bytes); i++)
		h = (h ^ a->bytes[i]) * 0x100000001b3ull;
	return h;
}

static size_t flow_hash(const struct synack_ip *a0, uint16_t p0, const struct synack_ip *a1, uint16_t p1)
{
	uint64_t h = (addr_hash(a0) << 16 ^ p0) * 0x9e3779b97f4a7c15ull;
	h ^= (addr_hash(a1) << 16 ^ p1) + 0x632be59bd9b4e019ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return (size_t)(h ^ h >> 29);
}

/* The connection's key with its two ends in a fixed order, so both directions find it. */
static void flow_key(const struct synack_ip *src, uint16_t sp, const struct synack_ip *dst, uint16_t dp,
		     struct synack_ip a[2], uint16_t p[2])
{
	int c = addr_cmp(src, dst);
	if (c < 0 || (c == 0 && sp <= dp)) {
		a[0] = *src, p[0] = sp, a[1] = *dst, p[1] = dp;
	} else {
		a[0] = *dst, p[0] = dp, a[1] = *src, p[1] = sp;
	}
}

static int flows_grow(struct sk_pic_flows *ft)
{
	size_t n = ft->nslot ? ft->nslot * 2 : 64;
	size_t *slot = calloc(n, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < ft->n; i++) {
		struct synack_ip a[2];
		uint16_t p[2];
		const struct sk_pic_flow *fl = &ft->v[i];
		flow_key(&fl->addr[0], fl->port[0], &fl->addr[1], fl->port[1], a, p);
		size_t h = flow_hash(&a[0], p[0], &a[1], p[1]) & (n - 1);
		while (slot[h])
			h = (h + 1) & (n - 1);
		slot[h] = i + 1;
	}
	free(ft->slot);
	ft->slot = slot;
	ft->nslot = n;
	return 0;
}

/* The connection of src:sp -> dst:dp, created if new (src:sp then becomes side 0). */
static struct sk_pic_flow *flow_get(struct sk_pic_flows *ft, const struct synack_ip *src, uint16_t sp,
				    const struct synack_ip *dst, uint16_t dp, size_t *index)
{
	if (2 * (ft->n + 1) > ft->nslot && flows_grow(ft) < 0)
		return NULL;
	struct synack_ip a[2];
	uint16_t p[2];
	flow_key(src, sp, dst, dp, a, p);
	size_t mask = ft->nslot - 1, h = flow_hash(&a[0], p[0], &a[1], p[1]) & mask;
	for (; ft->slot[h]; h = (h + 1) & mask) {
		struct sk_pic_flow *fl = &ft->v[ft->slot[h] - 1];
		struct synack_ip b[2];
		uint16_t q[2];
		flow_key(&fl->addr[0], fl->port[0], &fl->addr[1], fl->port[1], b, q);
		if (!addr_cmp(&a[0], &b[0]) && !addr_cmp(&a[1], &b[1]) && p[0] == q[0] && p[1] == q[1]) {
			*index = ft->slot[h] - 1;
			return fl;
		}
	}
	if (sk_grow(&ft->v, &ft->cap, ft->n, sizeof(*ft->v), 16) < 0)
		return NULL;
	struct sk_pic_flow *fl = &ft->v[ft->n];
	memset(fl, 0, sizeof(*fl));
	fl->addr[0] = *src, fl->port[0] = sp, fl->addr[1] = *dst, fl->port[1] = dp;
	fl->side[0].endpoint = fl->side[1].endpoint = -1;
	ft->slot[h] = ft->n + 1;
	*index = ft->n++;
	return fl;
}

static void side_reset(struct sk_pic_side *sd)
{
	int ep = sd->endpoint;
	uint64_t bytes = sd->bytes;
	size_t frames = sd->frames;
	memset(sd, 0, sizeof(*sd));
	sd->endpoint = ep;
	sd->bytes = bytes;
	sd->frames = frames;
}

/* A sequence number of this side's space, relative and unwrapped near what was seen. */
static int64_t unwrap(struct sk_pic_side *sd, uint32_t abs)
{
	uint32_t rel = abs - sd->base;
	return sd->ref + (int32_t)(rel - (uint32_t)sd->ref);
}

static void read_tcp(struct sk_pic_flows *ft, const struct sk_pic_frame *fr, const struct sk_decoded *d,
		     struct sk_pic_seg *s)
{
	const struct sk_tcp *t = &d->tcp;
	size_t idx;
	struct synack_ip src = sk_decoded_src(d), dst = sk_decoded_dst(d);
	struct sk_pic_flow *fl = flow_get(ft, &src, t->sport, &dst, t->dport, &idx);
	if (!fl) {
		s->kind = SK_PIC_K_BAD;
		return;
	}
	int side = !addr_cmp(&fl->addr[0], &src) && fl->port[0] == t->sport ? 0 : 1;
	if (!addr_cmp(&fl->addr[0], &fl->addr[1]) && fl->port[0] == fl->port[1])
		side = 0;
	struct sk_pic_side *me = &fl->side[side], *peer = &fl->side[!side];
	int syn = (t->flags & SK_TCP_SYN) != 0, ack = (t->flags & SK_TCP_ACK) != 0;

	/* A SYN with a new sequence number starts a new incarnation of the connection. */
	if (syn && me->has_base && t->seq != me->base) {
		side_reset(me);
		if (!ack)
			side_reset(peer);
	}
	if (!me->has_base) {
		me->base = syn ? t->seq : t->seq - 1;
		me->has_base = 1;
	}
	s->kind = SK_PIC_K_TCP;
	s->flow = idx;
	s->side = side;
	s->flags = t->flags;
	s->win = t->win;
	/* the length the IP header gives (a capture may hold only the headers, -s 96) */
	uint32_t hdrs = d->ip_hlen + t->hlen;
	s->len = d->ip_len > hdrs ? d->ip_len - hdrs : (uint32_t)t->payload_len;
	s->seqlen = s->len + (uint32_t)syn + ((t->flags & SK_TCP_FIN) ? 1u : 0u);
	s->seq = unwrap(me, t->seq);
	if (s->seqlen) {
		s->rxmit = me->has_max && s->seq < me->snd_max;
		if (!me->has_max || s->seq + s->seqlen > me->snd_max)
			me->snd_max = s->seq + s->seqlen;
		me->has_max = 1;
	}
	if (s->seq + s->seqlen > me->ref)
		me->ref = s->seq + s->seqlen;
	if (syn) {
		me->syn_seen = 1;
		me->syn_ws = t->opt.has_ws;
		me->ws = t->opt.ws > SK_TCP_MAX_WSCALE ? SK_TCP_MAX_WSCALE : t->opt.ws;
	}
	if (ack) {
		if (!peer->has_base) {
			peer->base = t->ack - 1;
			peer->has_base = 1;
		}
		s->ack = unwrap(peer, t->ack);
		if (s->ack > peer->ref)
			peer->ref = s->ack;
	}
	s->nsack = t->opt.nsack > 4 ? 4 : t->opt.nsack;
	for (int i = 0; i < s->nsack; i++) {
		if (!peer->has_base) {
			peer->base = t->opt.sack[i].left - 1;
			peer->has_base = 1;
		}
		s->sack[i][0] = unwrap(peer, t->opt.sack[i].left);
		s->sack[i][1] = unwrap(peer, t->opt.sack[i].right);
	}
	unsigned shift = !syn && me->syn_ws && peer->syn_ws ? me->ws : 0;
	s->wnd = (uint64_t)t->win << shift;
	s->has_mss = t->opt.has_mss;
	s->mss = t->opt.mss;
	s->has_ws = t->opt.has_ws;
	s->ws = t->opt.ws;
	s->sack_ok = t->opt.sack_ok;
	s->has_ts = t->opt.has_ts;
	me->bytes += s->len;
	me->frames++;
	if (me->endpoint < 0)
		me->endpoint = fr->from;
}

int sk_pic_read(struct sk_pic_flows *ft, const struct sk_pic_frame *fr, struct sk_pic_seg *s)
{
	struct sk_decoded d;
	memset(s, 0, sizeof(*s));
	if (!fr->ip || !fr->len)
		return 0;
	sk_decode(fr->ip, fr->len, SK_LINK_RAW, !fr->truncated, &d);
	if (!d.has_ip && !d.has_ip6)
		return 0;
	s->proto = d.proto;
	s->ip6 = d.has_ip6;
	s->bad_csum = d.err == -SK_WIRE_BAD_CHECKSUM;
	switch (d.l4) {
	case SK_L4_TCP:
		read_tcp(ft, fr, &d, s);
		if (s->kind == SK_PIC_K_BAD)
			return -ENOMEM;
		break;
	case SK_L4_UDP:
		s->kind = SK_PIC_K_UDP;
		s->udp_len = d.udp.payload_len;
		break;
	case SK_L4_ICMP:
		s->kind = SK_PIC_K_ICMP;
		s->icmp_type = d.icmp.type;
		s->icmp_code = d.icmp.code;
		break;
	case SK_L4_ICMP6:
		s->kind = SK_PIC_K_ICMP;
		s->icmp_type = d.icmp6.type;
		s->icmp_code = d.icmp6.code;
		break;
	default:
		s->kind = SK_PIC_K_OTHER;
		break;
	}
	return 0;
}

/* snprintf at the end of buf, never past cap. */
static void add(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

void sk_pic_seg_label(char *buf, size_t cap, const struct sk_pic_seg *s)
{
	static const char letters[] = "FSRP.UEW";
	if (!cap)
		return;
	buf[0] = '\0';
	switch (s->kind) {
	case SK_PIC_K_TCP:
		break;
	case SK_PIC_K_UDP:
		add(buf, cap, "UDP length %zu", s->udp_len);
		return;
	case SK_PIC_K_ICMP:
		if (s->ip6) {
			if (s->icmp_type == SK_ICMP6_ECHO_REQUEST)
				add(buf, cap, "ICMP6 echo request");
			else if (s->icmp_type == SK_ICMP6_ECHO_REPLY)
				add(buf, cap, "ICMP6 echo reply");
			else if (s->icmp_type == SK_ICMP6_UNREACH)
				add(buf, cap, "ICMP6 unreachable (code %u)", s->icmp_code);
			else if (s->icmp_type == SK_ICMP6_PKT_TOO_BIG)
				add(buf, cap, "ICMP6 packet too big");
			else if (s->icmp_type == SK_ICMP6_TIME_EXCEEDED)
				add(buf, cap, "ICMP6 time exceeded");
			else
				add(buf, cap, "ICMP6 type %u code %u", s->icmp_type, s->icmp_code);
			return;
		}
		if (s->icmp_type == 8)
			add(buf, cap, "ICMP echo request");
		else if (s->icmp_type == 0)
			add(buf, cap, "ICMP echo reply");
		else if (s->icmp_type == 3)
			add(buf, cap, "ICMP unreachable (code %u)", s->icmp_code);
		else if (s->icmp_type == 11)
			add(buf, cap, "ICMP time exceeded");
		else
			add(buf, cap, "ICMP type %u code %u", s->icmp_type, s->icmp_code);
		return;
	case SK_PIC_K_OTHER:
		add(buf, cap, "%s proto %u", s->ip6 ? "IP6" : "IP", s->proto);
		return;
	default:
		add(buf, cap, "malformed");
		return;
	}
	char fl[9];
	size_t n = 0;
	for (int i = 0; i < 8; i++)
		if (s->flags & (1u << i))
			fl[n++] = letters[i];
	fl[n] = '\0';
	add(buf, cap, "%s", n ? fl : "none");
	if (s->len)
		add(buf, cap, " seq %lld:%lld(%u)", (long long)s->seq, (long long)(s->seq + s->len), s->len);
	else if (s->flags & (SK_TCP_SYN | SK_TCP_FIN | SK_TCP_RST))
		add(buf, cap, " seq %lld", (long long)s->seq);
	if (s->flags & SK_TCP_ACK)
		add(buf, cap, " ack %lld", (long long)s->ack);
	add(buf, cap, " win %u", s->win);
	if (s->flags & SK_TCP_SYN) {
		char o[64] = "";
		if (s->has_mss)
			add(o, sizeof(o), ",mss %u", s->mss);
		if (s->sack_ok)
			add(o, sizeof(o), ",sackOK");
		if (s->has_ts)
			add(o, sizeof(o), ",TS");
		if (s->has_ws)
			add(o, sizeof(o), ",ws %u", s->ws);
		if (o[0])
			add(buf, cap, " <%s>", o + 1);
	}
	if (s->nsack) {
		add(buf, cap, " sack");
		for (int i = 0; i < s->nsack; i++)
			add(buf, cap, " %lld:%lld", (long long)s->sack[i][0], (long long)s->sack[i][1]);
	}
	if (s->bad_csum)
		add(buf, cap, " (bad checksum)");
}

void sk_pic_svg_open(FILE *f, double w, double h, const char *cls, int standalone)
{
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:sk=\"" SK_PIC_NS "\" version=\"1.1\" "
		"class=\"%s\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"font-family=\"monospace\" font-size=\"%d\">\n",
		cls, w, h, w, h, SK_PIC_FONT_PX);
	fprintf(f, "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"" SK_PIC_COLOUR_BG
		   "\"/>\n", w, h);
}

int sk_pic_save(const char *path, enum sk_pic_format kind, const struct sk_pic *p, const char *trace_text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	int e = kind == SK_PIC_LADDER ? sk_pic_ladder_svg(f, p)
		: kind == SK_PIC_PLOT ? sk_pic_plot_svg(f, p)
				      : sk_pic_html(f, p, trace_text);
	if (fclose(f) != 0 && !e)
		e = -errno;
	return e;
}
