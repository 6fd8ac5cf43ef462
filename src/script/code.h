/* Code blocks of scripts (%{ ... }%): the small part of Python that packetdrill scripts use
 * to check TCP_INFO, evaluated here without Python. */
#ifndef SK_SCRIPT_CODE_H
#define SK_SCRIPT_CODE_H

#include <netinet/tcp.h>
#include <stddef.h>

/* Runs the block's statements: `assert EXPR[, MESSAGE]`, `NAME = EXPR`, `print(...)` (ignored),
 * `pass`, comments. Expressions: integers, True/False, tcpi_* fields of ti and names assigned
 * before, + - * / // % (integers), comparisons (chained), and/or/not, parentheses.
 * Returns 0 when every assert held, 1 when one failed (why says which, with the values), -1
 * when the block uses something else (why says what). */
int sk_code_run(const char *code, const struct tcp_info *ti, char *why, size_t whylen);

#endif
