/* Code blocks: a tokenizer and a recursive evaluator for the Python subset packetdrill
 * scripts write in %{ }% to check TCP_INFO (assert, assignment, arithmetic, comparisons). */
#include "script/code.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "script/symbols.h"

#define MAX_VARS 32

struct var {
	char name[32];
	long long v;
};

struct ev {
	const char *p;          /* where the tokenizer is */
	const struct tcp_info *ti;
	struct var vars[MAX_VARS];
	int nvars;
	char *why;
	size_t whylen;
	int err;                /* -1 once something is unsupported */
};

static long long fail(struct ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long fail(struct ev *e, const char *fmt, ...)
{
	if (!e->err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->why, e->whylen, fmt, ap);
		va_end(ap);
		e->err = -1;
	}
	return 0;
}

#define TI(f) {#f, offsetof(struct tcp_info, f), sizeof(((struct tcp_info *)0)->f)}

static const struct {
	const char *name;
	size_t off, size;
} fields[] = {
	TI(tcpi_state), TI(tcpi_ca_state), TI(tcpi_retransmits), TI(tcpi_probes), TI(tcpi_backoff),
	TI(tcpi_options), TI(tcpi_rto), TI(tcpi_ato), TI(tcpi_snd_mss), TI(tcpi_rcv_mss),
	TI(tcpi_unacked), TI(tcpi_sacked), TI(tcpi_lost), TI(tcpi_retrans), TI(tcpi_fackets),
	TI(tcpi_last_data_sent), TI(tcpi_last_ack_sent), TI(tcpi_last_data_recv), TI(tcpi_last_ack_recv),
	TI(tcpi_pmtu), TI(tcpi_rcv_ssthresh), TI(tcpi_rtt), TI(tcpi_rttvar), TI(tcpi_snd_ssthresh),
	TI(tcpi_snd_cwnd), TI(tcpi_advmss), TI(tcpi_reordering), TI(tcpi_rcv_rtt), TI(tcpi_rcv_space),
	TI(tcpi_total_retrans),
};

static int field_value(const struct tcp_info *ti, const char *name, long long *v)
{
	/* bit fields of struct tcp_info */
	if (!strcmp(name, "tcpi_snd_wscale")) {
		*v = ti->tcpi_snd_wscale;
		return 0;
	}
	if (!strcmp(name, "tcpi_rcv_wscale")) {
		*v = ti->tcpi_rcv_wscale;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].name, name))
			continue;
		const uint8_t *p = (const uint8_t *)ti + fields[i].off;
		if (fields[i].size == 1)
			*v = *p;
		else {
			uint32_t x;
			memcpy(&x, p, sizeof(x));
			*v = x;
		}
		return 0;
	}
	return -1;
}

static void skip_space(struct ev *e)
{
	while (*e->p == ' ' || *e->p == '\t' || *e->p == '\\')
		e->p++;
}

/* The next token is the word w (not a longer name)? Consumes it if so. */
static int word_is(struct ev *e, const char *w)
{
	skip_space(e);
	size_t n = strlen(w);
	if (strncmp(e->p, w, n) || isalnum((unsigned char)e->p[n]) || e->p[n] == '_')
		return 0;
	e->p += n;
	return 1;
}

static int sym_is(struct ev *e, const char *s)
{
	skip_space(e);
	size_t n = strlen(s);
	if (strncmp(e->p, s, n))
		return 0;
	e->p += n;
	return 1;
}

static long long expr(struct ev *e);

static long long atom(struct ev *e)
{
	skip_space(e);
	if (sym_is(e, "(")) {
		long long v = expr(e);
		if (!sym_is(e, ")"))
			return fail(e, "code: expected ')'");
		return v;
	}
	if (isdigit((unsigned char)*e->p)) {
		long long v = 0;
		while (isdigit((unsigned char)*e->p))
			v = v * 10 + (*e->p++ - '0');
		if (*e->p == '.' || *e->p == 'e')
			return fail(e, "code: only integers are supported");
		return v;
	}
	if (isalpha((unsigned char)*e->p) || *e->p == '_') {
		char name[64];
		size_t n = 0;
		while ((isalnum((unsigned char)*e->p) || *e->p == '_') && n + 1 < sizeof(name))
			name[n++] = *e->p++;
		name[n] = 0;
		if (!strcmp(name, "True"))
			return 1;
		if (!strcmp(name, "False"))
			return 0;
		long long v;
		if (field_value(e->ti, name, &v) == 0)
			return v;
		for (int i = 0; i < e->nvars; i++)
			if (!strcmp(e->vars[i].name, name))
				return e->vars[i].v;
		long s;
		if (sk_sym_value(name, &s) == 0) /* TCP_ESTABLISHED, TCP_CA_Recovery, ... */
			return s;
		return fail(e, "code: unknown name %s", name);
	}
	return fail(e, "code: unexpected '%.10s'", e->p);
}

static long long unary(struct ev *e)
{
	if (sym_is(e, "-"))
		return -unary(e);
	if (sym_is(e, "+"))
		return unary(e);
	return atom(e);
}

static long long term(struct ev *e)
{
	long long v = unary(e);
	for (;;) {
		if (sym_is(e, "//") || sym_is(e, "/")) {
			long long d = unary(e);
			if (!d)
				return fail(e, "code: division by zero");
			/* Python's floor division (and / on integers here) */
			long long q = v / d;
			if ((v % d != 0) && ((v < 0) != (d < 0)))
				q--;
			v = q;
		} else if (sym_is(e, "*")) {
			v *= unary(e);
		} else if (sym_is(e, "%")) {
			long long d = unary(e);
			if (!d)
				return fail(e, "code: modulo by zero");
			long long m = v % d;
			if (m && ((m < 0) != (d < 0)))
				m += d;
			v = m;
		} else {
			return v;
		}
	}
}

static long long arith(struct ev *e)
{
	long long v = term(e);
	for (;;) {
		if (sym_is(e, "+"))
			v += term(e);
		else if (sym_is(e, "-"))
			v -= term(e);
		else
			return v;
	}
}

/* Chained comparisons: a < b <= c means a < b and b <= c. */
static long long comparison(struct ev *e)
{
	long long a = arith(e);
	int result = -1;
	for (;;) {
		int op;
		if (sym_is(e, "=="))
			op = 0;
		else if (sym_is(e, "!="))
			op = 1;
		else if (sym_is(e, "<="))
			op = 2;
		else if (sym_is(e, ">="))
			op = 3;
		else if (sym_is(e, "<"))
			op = 4;
		else if (sym_is(e, ">"))
			op = 5;
		else
			return result < 0 ? a : result;
		long long b = arith(e);
		int ok = op == 0 ? a == b : op == 1 ? a != b : op == 2 ? a <= b : op == 3 ? a >= b : op == 4 ? a < b : a > b;
		result = (result < 0 ? 1 : result) && ok;
		a = b;
	}
}

static long long not_expr(struct ev *e)
{
	if (word_is(e, "not"))
		return !not_expr(e);
	return comparison(e);
}

static long long and_expr(struct ev *e)
{
	long long v = not_expr(e);
	while (word_is(e, "and")) {
		long long w = not_expr(e);
		v = v && w;
	}
	return v;
}

static long long expr(struct ev *e)
{
	long long v = and_expr(e);
	while (word_is(e, "or")) {
		long long w = and_expr(e);
		v = v || w;
	}
	return v;
}

/* The end of a statement: newline, ';' or the end. */
static int at_end(struct ev *e)
{
	skip_space(e);
	if (*e->p == '#')
		while (*e->p && *e->p != '\n')
			e->p++;
	return !*e->p || *e->p == '\n' || *e->p == ';';
}

int sk_code_run(const char *code, const struct tcp_info *ti, char *why, size_t whylen)
{
	struct ev e = {.p = code, .ti = ti, .why = why, .whylen = whylen};
	while (*e.p && !e.err) {
		while (*e.p == '\n' || *e.p == ';' || *e.p == ' ' || *e.p == '\t' || *e.p == '\r')
			e.p++;
		if (!*e.p)
			break;
		if (*e.p == '#') {
			while (*e.p && *e.p != '\n')
				e.p++;
			continue;
		}
		const char *start = e.p;
		if (word_is(&e, "assert")) {
			const char *text = e.p;
			long long v = expr(&e);
			if (e.err)
				break;
			if (sym_is(&e, ","))
				while (*e.p && *e.p != '\n' && *e.p != ';')
					e.p++; /* the message: not needed, the expression is shown */
			if (!at_end(&e)) {
				fail(&e, "code: unexpected '%.16s'", e.p);
				break;
			}
			if (!v) {
				int n = (int)strcspn(text, ",;\n");
				int at = snprintf(why, whylen, "code: assert%.*s failed", n, text);
				/* with the values of the fields it names */
				const char *q = text;
				while (at > 0 && (size_t)at < whylen && (q = strstr(q, "tcpi_")) && q < text + n) {
					char nm[40];
					size_t k = 0;
					while ((isalnum((unsigned char)q[k]) || q[k] == '_') && k + 1 < sizeof(nm)) {
						nm[k] = q[k];
						k++;
					}
					nm[k] = 0;
					long long fv;
					if (field_value(ti, nm, &fv) == 0)
						at += snprintf(why + at, whylen - (size_t)at, "%s %s=%lld",
							       strchr(why, '=') ? "," : ":", nm, fv);
					q += k;
				}
				return 1;
			}
			continue;
		}
		if (word_is(&e, "print") || word_is(&e, "pass")) {
			int depth = 0;
			while (*e.p && (depth || (*e.p != '\n' && *e.p != ';'))) {
				depth += *e.p == '(' ? 1 : *e.p == ')' ? -1 : 0;
				e.p++;
			}
			continue;
		}
		/* NAME = EXPR */
		char name[32];
		size_t n = 0;
		skip_space(&e);
		while ((isalnum((unsigned char)*e.p) || *e.p == '_') && n + 1 < sizeof(name))
			name[n++] = *e.p++;
		name[n] = 0;
		if (!n || !sym_is(&e, "=") || *e.p == '=') {
			fail(&e, "code: statement not supported: %.30s", start);
			break;
		}
		long long v = expr(&e);
		if (e.err)
			break;
		if (!at_end(&e)) {
			fail(&e, "code: unexpected '%.16s'", e.p);
			break;
		}
		if (e.nvars == MAX_VARS) {
			fail(&e, "code: too many names");
			break;
		}
		snprintf(e.vars[e.nvars].name, sizeof(e.vars[0].name), "%s", name);
		e.vars[e.nvars++].v = v;
	}
	return e.err ? -1 : 0;
}
