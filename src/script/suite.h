/* Running many scripts: in this process against synack, or each in a child process of its
 * own against the Linux kernel; verdicts, retries, declared differences and the totals. */
#ifndef SK_SCRIPT_SUITE_H
#define SK_SCRIPT_SUITE_H

#include <stdio.h>

struct sk_suite_opts {
	int kernel;              /* against Linux (root: a namespace per script) */
	int verbose;             /* every packet and call of every script */
	int skip_slow;           /* leave out scripts tagged slow ("// tags: slow") */
	const char *differences; /* a DIFFERENCES file (kernel mode), or NULL */
	FILE *out;
};

/* Runs the scripts and prints a line per script and the totals. Returns the exit status:
 * 0 all passed (or failed on Linux with a declared difference), 1 some failed, 2 bad
 * arguments (an unreadable DIFFERENCES file), 77 kernel mode impossible here (not root). */
int sk_suite_run(char *const *paths, int n, const struct sk_suite_opts *o);

#endif
