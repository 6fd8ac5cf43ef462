/* Parses packetdrill's language into script.h's AST: recursive descent, one arena per script. */
#include "script/script.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/lex.h"

#define MAX_SCRIPT_BYTES (1u << 20)
#define MAX_EVENTS	 100000
#define MAX_DEPTH	 64
#define MAX_SECONDS	 1000000u
#define CHUNK_BYTES	 16384

/* ---- the arena ---- */

struct sk_arena_chunk {
	struct sk_arena_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

struct sk_arena {
	struct sk_arena_chunk *head;
	struct sk_se *ev; /* the growing arrays, owned here too */
	struct sk_sopt *opts;
};

/* Zeroed memory that lives until the arena is freed, or NULL. */
static void *arena_alloc(struct sk_arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) / align * align;
	struct sk_arena_chunk *c = a->head;
	if (c && c->cap - c->used >= n) {
		void *r = (char *)c->data + c->used;
		c->used += n;
		return r;
	}
	size_t cap = n > CHUNK_BYTES / 4 ? n : CHUNK_BYTES;
	c = calloc(1, sizeof(*c) + cap);
	if (!c)
		return NULL;
	c->cap = cap;
	c->used = n;
	if (cap == n && a->head) { /* a big block of its own: keep filling the current chunk */
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c->data;
}

static void arena_free(struct sk_arena *a)
{
	if (!a)
		return;
	struct sk_arena_chunk *c = a->head;
	while (c) {
		struct sk_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a->ev);
	free(a->opts);
	free(a);
}

/* ---- the parser ---- */

struct parser {
	struct sk_lex lex;
	struct sk_tok cur, ahead;
	int has_ahead;
	struct sk_arena *a;
	struct sk_script *s;
	int evcap, optcap;
	int timed; /* a timed event has been read */
	int depth;
	const char *path;
	char *why;
	size_t whylen;
};

static int err(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int err(struct parser *p, int line, const char *fmt, ...)
{
	if (!p->why || !p->whylen)
		return -1;
	int n = snprintf(p->why, p->whylen, "%s:%d: ", p->path, line);
	if (n >= 0 && (size_t)n < p->whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->why + n, p->whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "expected WHAT, found TOKEN" at the current token. */
static int expected(struct parser *p, const char *what)
{
	char d[48];
	return err(p, p->cur.line, "expected %s, found %s", what,
		   sk_lex_describe(&p->cur, d, sizeof(d)));
}

static int nomem(struct parser *p)
{
	return err(p, p->cur.line, "out of memory");
}

static int advance(struct parser *p)
{
	if (p->has_ahead) {
		p->cur = p->ahead;
		p->has_ahead = 0;
		return 0;
	}
	if (sk_lex_next(&p->lex, &p->cur) < 0)
		return err(p, p->lex.err_line, "%s", p->lex.err);
	return 0;
}

/* The token after the current one, or NULL on a lexical error (reported). */
static const struct sk_tok *peek(struct parser *p)
{
	if (!p->has_ahead) {
		if (sk_lex_next(&p->lex, &p->ahead) < 0) {
			err(p, p->lex.err_line, "%s", p->lex.err);
			return NULL;
		}
		p->has_ahead = 1;
	}
	return &p->ahead;
}

static int is_punct(const struct sk_tok *t, char c)
{
	return t->kind == TK_PUNCT && t->c == c;
}

static int is_word(const struct sk_tok *t, const char *w)
{
	return t->kind == TK_WORD && strlen(w) == t->n && !memcmp(t->p, w, t->n);
}

/* Consumes the punctuation c or reports "expected 'c' CONTEXT, found ...". */
static int expect_punct(struct parser *p, char c, const char *context)
{
	if (!is_punct(&p->cur, c)) {
		char what[80];
		snprintf(what, sizeof(what), "'%c' %s", c, context);
		return expected(p, what);
	}
	return advance(p);
}

static char *dup_text(struct parser *p, const char *s, size_t n)
{
	char *r = arena_alloc(p->a, n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* The current token's text, or NULL (reported). */
static char *dup_tok(struct parser *p)
{
	char *r = dup_text(p, p->cur.p, p->cur.n);
	if (!r)
		nomem(p);
	return r;
}

/* An unsigned integer token up to max, named `what` in messages. */
static int get_uint(struct parser *p, uint32_t *v, const char *what, uint32_t max)
{
	if (p->cur.kind != TK_INT)
		return expected(p, what);
	if (p->cur.big || p->cur.u > max)
		return err(p, p->cur.line, "%s %.*s out of range (0-%u)", what,
			   (int)(p->cur.n > 32 ? 32 : p->cur.n), p->cur.p, max);
	*v = (uint32_t)p->cur.u;
	return advance(p);
}

/* A time in seconds ("0", "1.5", ".25") as microseconds, rounded to the nearest. */
static int get_time(struct parser *p, int64_t *us, const char *what)
{
	const struct sk_tok *t = &p->cur;
	if ((t->kind != TK_INT || t->hex) && t->kind != TK_FLOAT)
		return expected(p, what);
	uint64_t sec = 0, frac = 0;
	size_t i = 0;
	for (; i < t->n && t->p[i] != '.'; i++) {
		sec = sec * 10 + (uint64_t)(t->p[i] - '0');
		if (sec > MAX_SECONDS)
			return err(p, t->line, "time %.*s s out of range (at most %u s)",
				   (int)(t->n > 32 ? 32 : t->n), t->p, MAX_SECONDS);
	}
	if (i < t->n)
		i++;
	for (int k = 0; k < 6; k++, i++)
		frac = frac * 10 + (i < t->n ? (uint64_t)(t->p[i] - '0') : 0);
	if (i < t->n && t->p[i] >= '5')
		frac++;
	*us = (int64_t)(sec * 1000000 + frac);
	return advance(p);
}

/* start:end(len), checking that the length agrees (modulo 2^32). */
static int get_seq_range(struct parser *p, uint32_t *start, uint32_t *end, uint32_t *len)
{
	int line = p->cur.line;
	if (get_uint(p, start, "sequence number", UINT32_MAX) ||
	    expect_punct(p, ':', "in sequence range") ||
	    get_uint(p, end, "end sequence number", UINT32_MAX) ||
	    expect_punct(p, '(', "in sequence range") ||
	    get_uint(p, len, "segment length", UINT32_MAX) ||
	    expect_punct(p, ')', "in sequence range"))
		return -1;
	if ((uint32_t)(*end - *start) != *len)
		return err(p, line, "sequence range %u:%u holds %u bytes, not %u", *start, *end,
			   (uint32_t)(*end - *start), *len);
	return 0;
}

/* ---- expressions ---- */

static int parse_expr(struct parser *p, struct sk_sx **out);
static int parse_item(struct parser *p, struct sk_sx **out);

static struct sk_sx *new_sx(struct parser *p, enum sk_sx_kind kind, int line)
{
	struct sk_sx *x = arena_alloc(p->a, sizeof(*x));
	if (!x) {
		nomem(p);
		return NULL;
	}
	x->kind = kind;
	x->line = line;
	return x;
}

/* Items up to `close` (the opening bracket already read), separated by commas. */
static int parse_seq(struct parser *p, char close, int (*item)(struct parser *, struct sk_sx **),
		     struct sk_sx ***v, int *n, const char *where)
{
	int cap = 0;
	*v = NULL;
	*n = 0;
	if (is_punct(&p->cur, close))
		return advance(p);
	for (;;) {
		struct sk_sx *x;
		if (item(p, &x))
			return -1;
		if (*n == cap) {
			int ncap = cap ? cap * 2 : 4;
			struct sk_sx **nv = arena_alloc(p->a, sizeof(*nv) * (size_t)ncap);
			if (!nv)
				return nomem(p);
			if (*n)
				memcpy(nv, *v, sizeof(*nv) * (size_t)*n);
			*v = nv;
			cap = ncap;
		}
		(*v)[(*n)++] = x;
		if (is_punct(&p->cur, ',')) {
			if (advance(p))
				return -1;
			continue;
		}
		if (is_punct(&p->cur, close))
			return advance(p);
		char what[96]; /* where is at most 63 characters */
		snprintf(what, sizeof(what), "',' or '%c' %s", close, where);
		return expected(p, what);
	}
}

/* name(args), the name being the current word. */
static int parse_call_expr(struct parser *p, struct sk_sx **out)
{
	struct sk_sx *x = new_sx(p, SX_CALL, p->cur.line);
	if (!x || !(x->str = dup_tok(p)) || advance(p) || advance(p))
		return -1;
	char where[64];
	snprintf(where, sizeof(where), "in the arguments of %.32s()", x->str);
	if (parse_seq(p, ')', parse_expr, &x->v, &x->n, where))
		return -1;
	*out = x;
	return 0;
}

static int parse_primary(struct parser *p, struct sk_sx **out)
{
	const struct sk_tok *t = &p->cur;
	int line = t->line, r = -1;
	struct sk_sx *x = NULL;
	if (++p->depth > MAX_DEPTH)
		return err(p, line, "expression nested more than %d deep", MAX_DEPTH);
	if (t->kind == TK_ELLIPSIS) {
		x = new_sx(p, SX_ELLIPSIS, line);
		r = x ? advance(p) : -1;
	} else if (t->kind == TK_INT || (is_punct(t, '-'))) {
		int neg = is_punct(t, '-');
		if (neg && advance(p))
			goto out;
		if (t->kind != TK_INT) {
			r = expected(p, "an integer after '-'");
			goto out;
		}
		uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		if (t->big || t->u > lim) {
			r = err(p, line, "integer %s%.*s out of range", neg ? "-" : "",
				(int)(t->n > 32 ? 32 : t->n), t->p);
			goto out;
		}
		if (!(x = new_sx(p, SX_INT, line)))
			goto out;
		if (!neg)
			x->num = (int64_t)t->u;
		else if (t->u == (uint64_t)INT64_MAX + 1)
			x->num = INT64_MIN;
		else
			x->num = -(int64_t)t->u;
		r = advance(p);
	} else if (t->kind == TK_STRING) {
		if (!(x = new_sx(p, SX_STRING, line)) || !(x->str = arena_alloc(p->a, t->bn + 1))) {
			r = nomem(p);
			goto out;
		}
		sk_lex_unescape(t->body, t->bn, x->str);
		if ((r = advance(p)) == 0 && t->kind == TK_ELLIPSIS) {
			x->ellipsis = 1;
			r = advance(p);
		}
	} else if (t->kind == TK_WORD) {
		const struct sk_tok *n = peek(p);
		if (!n)
			goto out;
		if (is_punct(n, '(')) {
			r = parse_call_expr(p, &x);
		} else {
			x = new_sx(p, SX_WORD, line);
			r = x && (x->str = dup_tok(p)) ? advance(p) : -1;
		}
	} else if (is_punct(t, '[')) {
		x = new_sx(p, SX_LIST, line);
		r = !x || advance(p) ? -1 : parse_seq(p, ']', parse_expr, &x->v, &x->n, "in list");
	} else if (is_punct(t, '{')) {
		x = new_sx(p, SX_STRUCT, line);
		r = !x || advance(p) ? -1
				     : parse_seq(p, '}', parse_item, &x->v, &x->n, "in struct");
	} else {
		r = expected(p, "an expression");
	}
out:
	p->depth--;
	*out = x;
	return r;
}

/* The rest of "first | b | c ...", left-associative. */
static int parse_or(struct parser *p, struct sk_sx *first, struct sk_sx **out)
{
	struct sk_sx *x = first;
	while (is_punct(&p->cur, '|')) {
		struct sk_sx *o = new_sx(p, SX_OR, p->cur.line), *rhs;
		if (!o || advance(p) || parse_primary(p, &rhs))
			return -1;
		o->line = x->line;
		o->lhs = x;
		o->rhs = rhs;
		x = o;
	}
	*out = x;
	return 0;
}

static int parse_expr(struct parser *p, struct sk_sx **out)
{
	struct sk_sx *x;
	if (parse_primary(p, &x))
		return -1;
	return parse_or(p, x, out);
}

/* A struct's item: name=expr, name(args)=expr or any expression. */
static int parse_item(struct parser *p, struct sk_sx **out)
{
	if (p->cur.kind != TK_WORD)
		return parse_expr(p, out);
	const struct sk_tok *n = peek(p);
	if (!n)
		return -1;
	if (is_punct(n, '=')) {
		struct sk_sx *f = new_sx(p, SX_FIELD, p->cur.line);
		if (!f || !(f->str = dup_tok(p)) || advance(p) || advance(p) ||
		    parse_expr(p, &f->rhs))
			return -1;
		*out = f;
		return 0;
	}
	if (!is_punct(n, '('))
		return parse_expr(p, out);
	struct sk_sx *c;
	if (++p->depth > MAX_DEPTH)
		return err(p, p->cur.line, "expression nested more than %d deep", MAX_DEPTH);
	int r = parse_call_expr(p, &c);
	p->depth--;
	if (r)
		return -1;
	if (!is_punct(&p->cur, '='))
		return parse_or(p, c, out);
	c->kind = SX_FIELD;
	if (!c->v && !(c->v = arena_alloc(p->a, sizeof(*c->v)))) /* name()=: v marks the () */
		return nomem(p);
	if (advance(p) || parse_expr(p, &c->rhs))
		return -1;
	*out = c;
	return 0;
}

/* ---- events ---- */

static struct sk_se *new_event(struct parser *p, int line)
{
	struct sk_script *s = p->s;
	if (s->nev >= MAX_EVENTS) {
		err(p, line, "more than %d events", MAX_EVENTS);
		return NULL;
	}
	if (s->nev == p->evcap) {
		int ncap = p->evcap ? p->evcap * 2 : 16;
		struct sk_se *nv = realloc(p->a->ev, sizeof(*nv) * (size_t)ncap);
		if (!nv) {
			nomem(p);
			return NULL;
		}
		memset(nv + p->evcap, 0, sizeof(*nv) * (size_t)(ncap - p->evcap));
		p->a->ev = s->ev = nv;
		p->evcap = ncap;
	}
	struct sk_se *e = &s->ev[s->nev++];
	e->line = line;
	return e;
}

static int parse_option(struct parser *p)
{
	struct sk_script *s = p->s;
	const struct sk_tok *t = &p->cur;
	if (s->nev > 0)
		return err(p, t->line,
			   "option --%.*s after the first event (options go at the top)",
			   (int)(t->bn > 32 ? 32 : t->bn), t->body);
	if (s->nopts == p->optcap) {
		int ncap = p->optcap ? p->optcap * 2 : 8;
		struct sk_sopt *nv = realloc(p->a->opts, sizeof(*nv) * (size_t)ncap);
		if (!nv)
			return nomem(p);
		p->a->opts = s->opts = nv;
		p->optcap = ncap;
	}
	struct sk_sopt *o = &s->opts[s->nopts];
	o->line = t->line;
	o->name = dup_text(p, t->body, t->bn);
	o->value = dup_text(p, t->val, t->vn);
	if (!o->name || !o->value)
		return nomem(p);
	s->nopts++;
	return advance(p);
}

static const struct {
	const char *name;
	int ecn;
} ecn_names[] = {
	{"noecn", SP_ECN_NOT},	 {"ect0", SP_ECN_ECT0}, {"ect1", SP_ECN_ECT1},
	{"ect01", SP_ECN_ECT01}, {"ce", SP_ECN_CE},
};

static int parse_tcp_option(struct parser *p, struct sk_sp_opt *o)
{
	const struct sk_tok *t = &p->cur;
	if (t->kind != TK_WORD)
		return expected(p, "a TCP option");
	if (is_word(t, "nop") || is_word(t, "eol") || is_word(t, "sackOK")) {
		o->kind = is_word(t, "nop") ? 1 : is_word(t, "eol") ? 0 : 4;
		return advance(p);
	}
	if (is_word(t, "mss")) {
		o->kind = 2;
		return advance(p) || get_uint(p, &o->val, "MSS value", 65535) ? -1 : 0;
	}
	if (is_word(t, "wscale")) {
		o->kind = 3;
		return advance(p) || get_uint(p, &o->val, "window scale", 255) ? -1 : 0;
	}
	if (is_word(t, "TS")) {
		o->kind = 8;
		if (advance(p))
			return -1;
		if (!is_word(t, "val"))
			return expected(p, "'val' after 'TS'");
		if (advance(p) || get_uint(p, &o->val, "TS value", UINT32_MAX))
			return -1;
		if (!is_word(t, "ecr"))
			return expected(p, "'ecr' after the TS value");
		return advance(p) || get_uint(p, &o->ecr, "TS echo reply", UINT32_MAX) ? -1 : 0;
	}
	if (is_word(t, "sack")) {
		o->kind = 5;
		if (advance(p))
			return -1;
		if (t->kind != TK_INT)
			return expected(p, "a SACK block (left:right) after 'sack'");
		while (t->kind == TK_INT) {
			if (o->nsack == SK_SP_MAX_SACK)
				return err(p, t->line, "more than %d SACK blocks", SK_SP_MAX_SACK);
			uint32_t *b = o->sack[o->nsack++];
			if (get_uint(p, &b[0], "SACK block left edge", UINT32_MAX) ||
			    expect_punct(p, ':', "in SACK block") ||
			    get_uint(p, &b[1], "SACK block right edge", UINT32_MAX))
				return -1;
		}
		return 0;
	}
	return err(p, t->line, "TCP option %.*s not supported", (int)(t->n > 32 ? 32 : t->n), t->p);
}

static int parse_tcp_options(struct parser *p, struct sk_sp *pk)
{
	if (advance(p))
		return -1;
	if (p->cur.kind == TK_ELLIPSIS) {
		pk->opts = SP_OPTS_ANY;
		return advance(p) || expect_punct(p, '>', "after '<...'") ? -1 : 0;
	}
	pk->opts = SP_OPTS_LIST;
	for (;;) {
		if (pk->nopt == SK_SP_MAX_OPTS)
			return err(p, p->cur.line, "more than %d TCP options", SK_SP_MAX_OPTS);
		if (parse_tcp_option(p, &pk->opt[pk->nopt++]))
			return -1;
		if (is_punct(&p->cur, '>'))
			return advance(p);
		if (!is_punct(&p->cur, ','))
			return expected(p, "',' or '>' in TCP options");
		if (advance(p))
			return -1;
	}
}

static int parse_flags(struct parser *p, struct sk_sp *pk)
{
	static const char letters[] = "FSRPUEW";
	static const uint16_t bits[] = {0x01, 0x02, 0x04, 0x08, 0x20, 0x40, 0x80};
	const struct sk_tok *t = &p->cur;
	if (is_punct(t, '.') || is_punct(t, '-')) {
		pk->flags = t->c == '.' ? 0x10 : 0;
		return advance(p);
	}
	if (t->kind != TK_WORD)
		return expected(p, "TCP flags (such as S, S., P., F., R, .), 'udp' or 'icmp'");
	for (size_t i = 0; i < t->n; i++) {
		const char *l = strchr(letters, t->p[i]);
		if (!l || !*l)
			return err(p, t->line, "unknown TCP flag '%c' in '%.*s'", t->p[i],
				   (int)(t->n > 32 ? 32 : t->n), t->p);
		pk->flags |= bits[l - letters];
	}
	if (advance(p))
		return -1;
	if (is_punct(t, '.')) {
		pk->flags |= 0x10;
		return advance(p);
	}
	return 0;
}

static int parse_tcp(struct parser *p, struct sk_sp *pk)
{
	pk->proto = SP_TCP;
	if (parse_flags(p, pk) || get_seq_range(p, &pk->seq, &pk->end, &pk->len))
		return -1;
	if (is_word(&p->cur, "ack")) {
		pk->has_ack = 1;
		if (advance(p) || get_uint(p, &pk->ack, "ack number", UINT32_MAX))
			return -1;
	}
	if (is_word(&p->cur, "win")) {
		pk->has_win = 1;
		if (advance(p) || get_uint(p, &pk->win, "window", 65535))
			return -1;
	}
	if (is_punct(&p->cur, '<'))
		return parse_tcp_options(p, pk);
	pk->opts = SP_OPTS_NONE;
	return 0;
}

/* "udp (len)" with the word already current. */
static int parse_udp_len(struct parser *p, uint32_t *len)
{
	if (advance(p) || expect_punct(p, '(', "after 'udp'") ||
	    get_uint(p, len, "UDP length", 65535))
		return -1;
	return expect_punct(p, ')', "after the UDP length");
}

static int parse_icmp(struct parser *p, struct sk_sp *pk)
{
	pk->proto = SP_ICMP;
	if (advance(p))
		return -1;
	if (p->cur.kind != TK_WORD)
		return expected(p, "an ICMP type (such as unreachable) after 'icmp'");
	if (!(pk->icmp_type = dup_tok(p)) || advance(p))
		return -1;
	if (p->cur.kind == TK_WORD && !is_word(&p->cur, "mtu"))
		if (!(pk->icmp_code = dup_tok(p)) || advance(p))
			return -1;
	if (is_word(&p->cur, "mtu")) {
		pk->has_mtu = 1;
		if (advance(p) || get_uint(p, &pk->mtu, "MTU", 65535))
			return -1;
	}
	return 0;
}

static int parse_packet(struct parser *p, struct sk_se *e)
{
	struct sk_sp *pk = &e->pkt;
	e->kind = SE_PACKET;
	pk->dir = p->cur.c;
	pk->ecn = SP_ECN_ANY;
	if (advance(p))
		return -1;
	/* [ecn] */
	if (is_punct(&p->cur, '[')) {
		const struct sk_tok *n = peek(p);
		if (!n)
			return -1;
		if (n->kind == TK_WORD && !is_word(n, "udp")) {
			size_t i;
			if (advance(p))
				return -1;
			for (i = 0; i < sizeof(ecn_names) / sizeof(ecn_names[0]); i++)
				if (is_word(&p->cur, ecn_names[i].name))
					break;
			if (i == sizeof(ecn_names) / sizeof(ecn_names[0]))
				return expected(p,
						"IP info noecn, ect0, ect1, ect01 or ce after '['");
			pk->ecn = ecn_names[i].ecn;
			if (pk->ecn == SP_ECN_ECT01 && pk->dir == '<')
				return err(p, p->cur.line,
					   "[ect01] is only for outbound packets ('>')");
			if (advance(p) || expect_punct(p, ']', "after the IP info"))
				return -1;
		}
	}
	/* [seq:end(len)] or [udp (len)]: the packet an ICMP error quotes */
	if (is_punct(&p->cur, '[')) {
		if (advance(p))
			return -1;
		if (is_word(&p->cur, "udp")) {
			pk->echoed = 2;
			if (parse_udp_len(p, &pk->echo_len))
				return -1;
		} else if (p->cur.kind == TK_INT) {
			pk->echoed = 1;
			if (get_seq_range(p, &pk->echo_seq, &pk->echo_end, &pk->echo_len))
				return -1;
		} else {
			return expected(
				p, "a quoted packet [start:end(len)] or [udp (len)] after '['");
		}
		if (expect_punct(p, ']', "after the quoted packet"))
			return -1;
		if (!is_word(&p->cur, "icmp"))
			return expected(p, "'icmp' after a quoted packet");
	}
	if (is_word(&p->cur, "udp")) {
		pk->proto = SP_UDP;
		return parse_udp_len(p, &pk->len);
	}
	if (is_word(&p->cur, "icmp"))
		return parse_icmp(p, pk);
	return parse_tcp(p, pk);
}

static int parse_syscall(struct parser *p, struct sk_se *e)
{
	struct sk_se_call *c = &e->call;
	e->kind = SE_CALL;
	if (!(c->name = dup_tok(p)) || advance(p))
		return -1;
	char where[64];
	snprintf(where, sizeof(where), "in the arguments of %.32s()", c->name);
	if (expect_punct(p, '(', "after the system call name") ||
	    parse_seq(p, ')', parse_expr, &c->args, &c->nargs, where))
		return -1;
	snprintf(where, sizeof(where), "and the result after %.32s(...)", c->name);
	if (expect_punct(p, '=', where) || parse_expr(p, &c->ret))
		return -1;
	if (p->cur.kind != TK_WORD)
		return 0;
	if (p->cur.p[0] != 'E')
		return expected(p, "an errno name (E...) or the next event after the result");
	if (!(c->err = dup_tok(p)))
		return -1;
	/* The note is free text: read it straight from the source, before the next token. */
	struct sk_tok note;
	int r = p->has_ahead ? 0 : sk_lex_paren_text(&p->lex, &note);
	if (r < 0)
		return err(p, p->lex.err_line, "%s", p->lex.err);
	if (r > 0) {
		char *o = arena_alloc(p->a, note.bn + 1), *q;
		if (!(q = o))
			return nomem(p);
		for (size_t i = 0; i < note.bn; i++) {
			char ch = note.body[i];
			int sp = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
				 ch == '\v' || ch == '\f';
			if (!sp)
				*q++ = ch;
			else if (q > o && q[-1] != ' ')
				*q++ = ' ';
		}
		if (q > o && q[-1] == ' ')
			q--;
		*q = '\0';
		c->note = o;
	}
	return advance(p);
}

/* A time: "*", "1.5", "+.1", "0.1~0.2", "+0.1~+0.2". */
static int parse_time(struct parser *p, struct sk_se *e)
{
	if (is_punct(&p->cur, '*')) {
		e->tkind = ST_ANY;
		return advance(p);
	}
	if (is_punct(&p->cur, '-'))
		return err(p, p->cur.line, "negative time: an event's time is 0 or later");
	int rel = is_punct(&p->cur, '+');
	if ((rel && advance(p)) || get_time(p, &e->t, "a time"))
		return -1;
	e->tkind = rel ? ST_REL : ST_ABS;
	if (!is_punct(&p->cur, '~'))
		return 0;
	if (advance(p))
		return -1;
	if (rel && !is_punct(&p->cur, '+'))
		return expected(p, "'+' after '~' (a relative range ends relative)");
	if (!rel && is_punct(&p->cur, '+'))
		return expected(p, "an absolute time after '~' (an absolute range ends absolute)");
	if ((rel && advance(p)) || get_time(p, &e->t_end, "the end of the time range"))
		return -1;
	if (e->t_end < e->t)
		return err(p, e->line, "time range ends before it starts");
	e->tkind = rel ? ST_REL_RANGE : ST_ABS_RANGE;
	return 0;
}

static int parse_event(struct parser *p)
{
	int line = p->cur.line;
	struct sk_se *e = new_event(p, line);
	if (!e)
		return -1;
	if (p->cur.kind == TK_SHELL && !p->timed) {
		e->init = 1;
		e->kind = SE_SHELL;
		e->tkind = ST_ABS;
		return (e->text = dup_text(p, p->cur.body, p->cur.bn)) ? advance(p) : nomem(p);
	}
	if (p->cur.kind == TK_SHELL)
		return err(p, line, "a `command` after the first event needs a time");
	if (p->cur.kind != TK_INT && p->cur.kind != TK_FLOAT && !is_punct(&p->cur, '+') &&
	    !is_punct(&p->cur, '*') && !is_punct(&p->cur, '-'))
		return expected(p, "a time at the start of an event");
	if (parse_time(p, e))
		return -1;
	p->timed = 1;
	if (p->cur.kind == TK_ELLIPSIS) {
		if (e->tkind != ST_ABS && e->tkind != ST_REL)
			return err(p, p->cur.line,
				   "a blocking call ('start...end') needs a plain start time");
		if (advance(p) || get_time(p, &e->call.end, "the end time of a blocking call"))
			return -1;
		if (e->call.end < e->t)
			return err(p, line, "blocking call ends before it starts");
		e->call.blocking = 1;
		const struct sk_tok *n = p->cur.kind == TK_WORD ? peek(p) : &p->cur;
		if (!n)
			return -1;
		if (p->cur.kind != TK_WORD || !is_punct(n, '('))
			return expected(p, "a system call after 'start...end'");
	}
	const struct sk_tok *t = &p->cur;
	switch (t->kind) {
	case TK_SHELL:
	case TK_CODE:
		e->kind = t->kind == TK_SHELL ? SE_SHELL : SE_CODE;
		return (e->text = dup_text(p, t->body, t->bn)) ? advance(p) : nomem(p);
	case TK_WORD:
		return parse_syscall(p, e);
	default:
		if (is_punct(t, '<') || is_punct(t, '>'))
			return parse_packet(p, e);
		return expected(
			p, "a packet, a system call, a `command` or %{ code }% after the time");
	}
}

int sk_script_parse(const char *text, size_t len, const char *path, struct sk_script **out,
		    char *why, size_t whylen)
{
	struct parser p = {.path = path ? path : "<script>", .why = why, .whylen = whylen};
	if (out)
		*out = NULL;
	if (why && whylen)
		why[0] = '\0';
	if (!out)
		return err(&p, 1, "nowhere to put the script");
	if (!text && len)
		return err(&p, 1, "no text");
	if (len > MAX_SCRIPT_BYTES)
		return err(&p, 1, "script is %zu bytes, more than the limit of 1 MiB", len);
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		int line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		return err(&p, line, "NUL byte in script (offset %zu)", (size_t)(nul - text));
	}
	p.a = calloc(1, sizeof(*p.a));
	if (!p.a)
		return err(&p, 1, "out of memory");
	p.s = arena_alloc(p.a, sizeof(*p.s));
	if (!p.s || !(p.s->path = dup_text(&p, p.path, strlen(p.path)))) {
		arena_free(p.a);
		return err(&p, 1, "out of memory");
	}
	p.s->arena = p.a;
	sk_lex_init(&p.lex, text ? text : "", len);
	int r = advance(&p);
	while (!r && p.cur.kind != TK_EOF)
		r = p.cur.kind == TK_OPTION ? parse_option(&p) : parse_event(&p);
	if (r) {
		arena_free(p.a);
		return -1;
	}
	*out = p.s;
	return 0;
}

int sk_script_load(const char *path, struct sk_script **out, char *why, size_t whylen)
{
	if (out)
		*out = NULL;
	if (!why)
		whylen = 0;
	if (!path) {
		snprintf(why, whylen, "no script path");
		return -1;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = MAX_SCRIPT_BYTES + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		snprintf(why, whylen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	while (n < cap) {
		size_t k = fread(buf + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	int bad = ferror(f), e = errno;
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(why, whylen, "%s: %s", path, strerror(e ? e : EIO));
		return -1;
	}
	int r = sk_script_parse(buf, n, path, out, why, whylen);
	free(buf);
	return r;
}

void sk_script_free(struct sk_script *s)
{
	if (s)
		arena_free(s->arena);
}

/* ---- printing expressions back ---- */

struct sink {
	char *b;
	size_t len, pos;
};

static void put(struct sink *k, const char *s, size_t n)
{
	for (size_t i = 0; i < n && k->pos + 1 < k->len; i++)
		k->b[k->pos++] = s[i];
}

static void puts_(struct sink *k, const char *s)
{
	put(k, s, strlen(s));
}

static void put_string(struct sink *k, const char *s)
{
	put(k, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[8];
		if (c == '"' || c == '\\')
			snprintf(e, sizeof(e), "\\%c", c);
		else if (c == '\n')
			snprintf(e, sizeof(e), "\\n");
		else if (c == '\t')
			snprintf(e, sizeof(e), "\\t");
		else if (c == '\r')
			snprintf(e, sizeof(e), "\\r");
		else if (c < 0x20 || c >= 0x7f)
			snprintf(e, sizeof(e), "\\x%02x", c);
		else
			snprintf(e, sizeof(e), "%c", c);
		puts_(k, e);
	}
	put(k, "\"", 1);
}

static void format(struct sink *k, const struct sk_sx *x, int depth);

static void format_items(struct sink *k, struct sk_sx *const *v, int n, int depth)
{
	for (int i = 0; v && i < n; i++) {
		if (i)
			puts_(k, ", ");
		format(k, v[i], depth + 1);
	}
}

static void format(struct sink *k, const struct sk_sx *x, int depth)
{
	char num[32];
	if (!x) {
		puts_(k, "?");
		return;
	}
	if (depth > 2 * MAX_DEPTH) {
		puts_(k, "...");
		return;
	}
	switch (x->kind) {
	case SX_ELLIPSIS:
		puts_(k, "...");
		break;
	case SX_INT:
		snprintf(num, sizeof(num), "%lld", (long long)x->num);
		puts_(k, num);
		break;
	case SX_WORD:
		puts_(k, x->str ? x->str : "?");
		break;
	case SX_STRING:
		put_string(k, x->str ? x->str : "");
		if (x->ellipsis)
			puts_(k, "...");
		break;
	case SX_OR:
		format(k, x->lhs, depth + 1);
		puts_(k, "|");
		format(k, x->rhs, depth + 1);
		break;
	case SX_LIST:
		puts_(k, "[");
		format_items(k, x->v, x->n, depth);
		puts_(k, "]");
		break;
	case SX_STRUCT:
		puts_(k, "{");
		format_items(k, x->v, x->n, depth);
		puts_(k, "}");
		break;
	case SX_FIELD:
	case SX_CALL:
		puts_(k, x->str ? x->str : "?");
		if (x->kind == SX_CALL || x->v) {
			puts_(k, "(");
			format_items(k, x->v, x->n, depth);
			puts_(k, ")");
		}
		if (x->kind == SX_FIELD) {
			puts_(k, "=");
			format(k, x->rhs, depth + 1);
		}
		break;
	default:
		puts_(k, "?");
		break;
	}
}

char *sk_sx_format(const struct sk_sx *x, char *buf, size_t len)
{
	struct sink k = {buf, len, 0};
	if (!buf || !len)
		return buf;
	format(&k, x, 0);
	buf[k.pos] = '\0';
	return buf;
}
