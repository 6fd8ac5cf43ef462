/* Splits a script in packetdrill's language into tokens, bounds-checked on every byte. */
#include "script/lex.h"

#include <stdio.h>
#include <string.h>

void sk_lex_init(struct sk_lex *l, const char *s, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->s = s;
	l->len = len;
	l->line = 1;
}

static int at(const struct sk_lex *l, size_t off)
{
	return l->pos + off < l->len ? (unsigned char)l->s[l->pos + off] : -1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_val(int c)
{
	return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int fail(struct sk_lex *l, int line, const char *what)
{
	l->err_line = line;
	snprintf(l->err, sizeof(l->err), "%s", what);
	return -1;
}

/* Moves one byte on, counting lines. */
static void step(struct sk_lex *l)
{
	if (l->s[l->pos] == '\n')
		l->line++;
	l->pos++;
}

static int skip_blank(struct sk_lex *l)
{
	for (;;) {
		int c = at(l, 0);
		if (c >= 0 && is_space(c)) {
			step(l);
		} else if (c == '/' && at(l, 1) == '/') {
			while (l->pos < l->len && l->s[l->pos] != '\n')
				l->pos++;
		} else if (c == '/' && at(l, 1) == '*') {
			int line = l->line;
			l->pos += 2;
			while (l->pos < l->len && !(at(l, 0) == '*' && at(l, 1) == '/'))
				step(l);
			if (l->pos >= l->len)
				return fail(l, line, "unterminated /* comment");
			l->pos += 2;
		} else {
			return 0;
		}
	}
}

static int lex_number(struct sk_lex *l, struct sk_tok *t)
{
	t->kind = TK_INT;
	if (at(l, 0) == '0' && (at(l, 1) == 'x' || at(l, 1) == 'X')) {
		l->pos += 2;
		t->hex = 1;
		if (!is_hex(at(l, 0)))
			return fail(l, t->line, "expected hex digits after '0x'");
		while (is_hex(at(l, 0))) {
			if (t->u >> 60)
				t->big = 1;
			t->u = t->u << 4 | (uint64_t)hex_val(at(l, 0));
			l->pos++;
		}
		return 0;
	}
	while (is_digit(at(l, 0))) {
		uint64_t d = (uint64_t)(at(l, 0) - '0');
		if (t->u > (UINT64_MAX - d) / 10)
			t->big = 1;
		t->u = t->u * 10 + d;
		l->pos++;
	}
	/* "1.5" is a number; "0...1" is 0, an ellipsis, 1. */
	if (at(l, 0) == '.' && is_digit(at(l, 1))) {
		t->kind = TK_FLOAT;
		l->pos++;
		while (is_digit(at(l, 0)))
			l->pos++;
	}
	return 0;
}

static int lex_string(struct sk_lex *l, struct sk_tok *t)
{
	l->pos++;
	t->body = l->s + l->pos;
	for (;;) {
		int c = at(l, 0);
		if (c < 0 || c == '\n')
			return fail(l, t->line, "unterminated string");
		if (c == '"')
			break;
		if (c == '\\') {
			int e = at(l, 1);
			if (e == 'x') {
				if (!is_hex(at(l, 2)))
					return fail(l, l->line,
						    "expected hex digits after '\\x' in string");
				l->pos += is_hex(at(l, 3)) ? 4 : 3;
				continue;
			}
			if (e < 0 || !strchr("ntr\\\"'0", e)) {
				char msg[64];
				if (e >= 0x21 && e < 0x7f)
					snprintf(msg, sizeof(msg),
						 "unknown escape '\\%c' in string", e);
				else
					snprintf(msg, sizeof(msg), "unknown escape in string");
				return fail(l, l->line, msg);
			}
			l->pos += 2;
			continue;
		}
		l->pos++;
	}
	t->bn = (size_t)(l->s + l->pos - t->body);
	l->pos++;
	t->kind = TK_STRING;
	return 0;
}

/* `command` or %{ code }%: the body up to the closing delimiter, any number of lines. */
static int lex_block(struct sk_lex *l, struct sk_tok *t, size_t open, const char *close,
		     const char *unterminated)
{
	size_t cn = strlen(close);
	l->pos += open;
	t->body = l->s + l->pos;
	while (l->pos < l->len && !(l->len - l->pos >= cn && !memcmp(l->s + l->pos, close, cn)))
		step(l);
	if (l->pos >= l->len)
		return fail(l, t->line, unterminated);
	t->bn = (size_t)(l->s + l->pos - t->body);
	l->pos += cn;
	return 0;
}

/* --name, --name=value, --name="value". */
static int lex_option(struct sk_lex *l, struct sk_tok *t)
{
	l->pos += 2;
	t->kind = TK_OPTION;
	t->body = l->s + l->pos;
	while (is_alpha(at(l, 0)) || is_digit(at(l, 0)) || at(l, 0) == '-')
		l->pos++;
	t->bn = (size_t)(l->s + l->pos - t->body);
	t->val = "";
	t->vn = 0;
	if (at(l, 0) == '=') {
		l->pos++;
		if (at(l, 0) == '"') {
			l->pos++;
			t->val = l->s + l->pos;
			while (at(l, 0) >= 0 && at(l, 0) != '"' && at(l, 0) != '\n')
				l->pos++;
			if (at(l, 0) != '"')
				return fail(l, t->line, "unterminated string in option value");
			t->vn = (size_t)(l->s + l->pos - t->val);
			l->pos++;
		} else {
			t->val = l->s + l->pos;
			while (at(l, 0) >= 0 && !is_space(at(l, 0)))
				l->pos++;
			t->vn = (size_t)(l->s + l->pos - t->val);
		}
	}
	if (at(l, 0) >= 0 && !is_space(at(l, 0))) {
		char msg[64];
		int c = at(l, 0);
		if (c >= 0x21 && c < 0x7f)
			snprintf(msg, sizeof(msg), "unexpected '%c' after option name", c);
		else
			snprintf(msg, sizeof(msg), "unexpected byte 0x%02x after option name", c);
		return fail(l, t->line, msg);
	}
	return 0;
}

int sk_lex_next(struct sk_lex *l, struct sk_tok *t)
{
	memset(t, 0, sizeof(*t));
	if (skip_blank(l) < 0)
		return -1;
	t->line = l->line;
	t->p = l->s + l->pos;
	size_t start = l->pos;
	int c = at(l, 0), r = 0;
	if (c < 0) {
		t->kind = TK_EOF;
		t->p = "";
		return 0;
	}
	if (is_digit(c)) {
		r = lex_number(l, t);
	} else if (c == '.' && at(l, 1) == '.' && at(l, 2) == '.') {
		t->kind = TK_ELLIPSIS;
		l->pos += 3;
	} else if (c == '.' && is_digit(at(l, 1))) {
		t->kind = TK_FLOAT;
		l->pos++;
		while (is_digit(at(l, 0)))
			l->pos++;
	} else if (is_alpha(c)) {
		t->kind = TK_WORD;
		while (is_alpha(at(l, 0)) || is_digit(at(l, 0)))
			l->pos++;
	} else if (c == '"') {
		r = lex_string(l, t);
	} else if (c == '`') {
		t->kind = TK_SHELL;
		r = lex_block(l, t, 1, "`", "unterminated `command`");
	} else if (c == '%' && at(l, 1) == '{') {
		t->kind = TK_CODE;
		r = lex_block(l, t, 2, "}%", "unterminated %{ code }% block");
	} else if (c == '-' && at(l, 1) == '-' && is_alpha(at(l, 2))) {
		r = lex_option(l, t);
	} else if (strchr("()[]{}<>,=:|+*~.-", c) && c != 0) {
		t->kind = TK_PUNCT;
		t->c = (char)c;
		l->pos++;
	} else {
		char msg[64];
		if (c >= 0x21 && c < 0x7f)
			snprintf(msg, sizeof(msg), "unexpected character '%c'", c);
		else
			snprintf(msg, sizeof(msg), "unexpected byte 0x%02x", c);
		return fail(l, l->line, msg);
	}
	t->n = l->pos - start;
	return r;
}

int sk_lex_paren_text(struct sk_lex *l, struct sk_tok *t)
{
	while (at(l, 0) >= 0 && is_space(at(l, 0)))
		step(l);
	if (at(l, 0) != '(')
		return 0;
	memset(t, 0, sizeof(*t));
	t->kind = TK_PUNCT;
	t->c = '(';
	t->line = l->line;
	t->p = l->s + l->pos;
	l->pos++;
	t->body = l->s + l->pos;
	int depth = 1;
	for (;;) {
		int c = at(l, 0);
		if (c < 0)
			return fail(l, t->line, "unterminated '(' after errno");
		if (c == '(')
			depth++;
		if (c == ')' && --depth == 0)
			break;
		step(l);
	}
	t->bn = (size_t)(l->s + l->pos - t->body);
	l->pos++;
	t->n = (size_t)(l->s + l->pos - t->p);
	return 1;
}

size_t sk_lex_unescape(const char *body, size_t n, char *out)
{
	size_t i = 0, o = 0;
	while (i < n) {
		if (body[i] != '\\' || i + 1 >= n) {
			out[o++] = body[i++];
			continue;
		}
		char e = body[i + 1];
		i += 2;
		switch (e) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case '0':
			out[o++] = '\0';
			break;
		case 'x': {
			int v = 0;
			for (int k = 0; k < 2 && i < n && is_hex((unsigned char)body[i]); k++, i++)
				v = v * 16 + hex_val((unsigned char)body[i]);
			out[o++] = (char)v;
			break;
		}
		default: /* \\ \" \' */
			out[o++] = e;
			break;
		}
	}
	out[o] = '\0';
	return o;
}

const char *sk_lex_describe(const struct sk_tok *t, char *buf, size_t len)
{
	switch (t->kind) {
	case TK_EOF:
		snprintf(buf, len, "end of file");
		break;
	case TK_STRING:
		snprintf(buf, len, "a string");
		break;
	case TK_SHELL:
		snprintf(buf, len, "a `command`");
		break;
	case TK_CODE:
		snprintf(buf, len, "a %%{ code }%% block");
		break;
	case TK_OPTION:
		snprintf(buf, len, "option '--%.*s'", (int)(t->bn > 32 ? 32 : t->bn), t->body);
		break;
	default:
		if (t->n > 32)
			snprintf(buf, len, "'%.32s...'", t->p);
		else
			snprintf(buf, len, "'%.*s'", (int)t->n, t->p);
		break;
	}
	return buf;
}
