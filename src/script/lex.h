/* The tokens of packetdrill's language, as the script parser (parse.c) reads them. Internal. */
#ifndef SK_SCRIPT_LEX_H
#define SK_SCRIPT_LEX_H

#include <stddef.h>
#include <stdint.h>

enum sk_tok_kind {
	TK_EOF,
	TK_INT,	     /* 123, 0x1f: u (big: more than 64 bits), hex */
	TK_FLOAT,    /* 1.5, .25: text only */
	TK_WORD,     /* [A-Za-z_][A-Za-z0-9_]* */
	TK_STRING,   /* "...": body is between the quotes, escapes checked but not resolved */
	TK_ELLIPSIS, /* ... */
	TK_SHELL,    /* `command`: body between the backquotes */
	TK_CODE,     /* %{ code }%: body between the delimiters */
	TK_OPTION,   /* --name=value: body is the name, val the value ("" if none) */
	TK_PUNCT,    /* one character: c */
};

struct sk_tok {
	enum sk_tok_kind kind;
	int line;      /* where the token starts */
	const char *p; /* the token as written */
	size_t n;
	const char *body; /* see the kinds */
	size_t bn;
	const char *val; /* TK_OPTION */
	size_t vn;
	uint64_t u; /* TK_INT */
	int big;    /* TK_INT: does not fit 64 bits */
	int hex;    /* TK_INT: written 0x... */
	char c;	    /* TK_PUNCT */
};

struct sk_lex {
	const char *s;
	size_t len;
	size_t pos;
	int line;
	int err_line; /* set with err when a token cannot be read */
	char err[128];
};

void sk_lex_init(struct sk_lex *l, const char *s, size_t len);
/* Reads the next token after whitespace and comments: 0, or -1 with err and err_line. */
int sk_lex_next(struct sk_lex *l, struct sk_tok *t);
/* After whitespace, reads "( text )" (nested parentheses kept) if the next character is '(':
 * 1 with the text inside in t (body, bn; kind TK_PUNCT, c '('), 0 if there is none, -1 on
 * error (unterminated). */
int sk_lex_paren_text(struct sk_lex *l, struct sk_tok *t);
/* Resolves the escapes of a TK_STRING body into out (room for n + 1 bytes): the length. */
size_t sk_lex_unescape(const char *body, size_t n, char *out);
/* Describes a token for messages: "'word'", "end of file", "a string" ... into buf. */
const char *sk_lex_describe(const struct sk_tok *t, char *buf, size_t len);

#endif
