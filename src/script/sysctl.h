/* The sysctls scripts may set: shell lines parsed into settings, Linux names checked (per
 * network namespace only) and mapped onto synack's configuration. */
#ifndef SK_SCRIPT_SYSCTL_H
#define SK_SCRIPT_SYSCTL_H

#include <stddef.h>

#include <synack/synack.h>

struct sk_sysctl_set {
	char name[96];  /* dotted Linux name: net.ipv4.tcp_sack */
	char value[96]; /* as written, quotes removed: "4096 131072 6291456" */
};

/* Parses a shell command of the forms `sysctl [-q] [-w] [-e] NAME=VALUE ...`,
 * `echo VALUE > /proc/sys/NAME` and `.../set_sysctls.py /proc/sys/NAME=VALUE ...`, several
 * joined by ';', '&&' or newlines. Returns how many settings it found (up to max), or -1
 * with a one-line reason (any other command is refused). */
int sk_shell_sysctls(const char *cmd, struct sk_sysctl_set *out, int max, char *why, size_t whylen);

/* Whether a script may set name with value: known to the runner, per network namespace
 * (so a run against Linux changes only its own namespace), and meaningful to synack. 0, or
 * -1 with a reason. */
int sk_sysctl_check(const char *name, const char *value, char *why, size_t whylen);

/* Applies a checked setting to a synack configuration: 0, or -1 with a reason. */
int sk_sysctl_apply(struct synack_config *c, const char *name, const char *value, char *why, size_t whylen);

#endif
