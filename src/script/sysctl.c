/* Sysctl lines of scripts: the shell forms accepted, and the table of Linux names with what
 * each means to synack (a configuration field, a value synack already behaves as, or none). */
#include "script/sysctl.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/cc.h"

enum sc_kind {
	SC_INT,     /* an integer config field (min..max), times scale */
	SC_TRIPLE,  /* three integers (tcp_rmem, tcp_wmem) */
	SC_RANGE,   /* two integers (ip_local_port_range) */
	SC_CC,      /* a congestion control name */
	SC_FIXED,   /* synack behaves as this value; others are refused */
};

enum sc_type { T_INT, T_U32, T_U16, T_U8 };

struct sc_entry {
	const char *name;
	enum sc_kind kind;
	size_t off;          /* field in struct synack_config */
	enum sc_type type;
	long min, max;
	long scale;          /* config value = sysctl value * scale (or / -scale) */
	const char *fixed;   /* SC_FIXED: the values synack accepts, space separated */
	const char *why;     /* SC_FIXED: what synack does */
};

#define F(field, t) offsetof(struct synack_config, field), t

static const struct sc_entry table[] = {
	{"net.ipv4.tcp_timestamps", SC_INT, F(tcp_timestamps, T_INT), 0, 1, 1, NULL, NULL},
	{"net.ipv4.tcp_sack", SC_INT, F(tcp_sack, T_INT), 0, 1, 1, NULL, NULL},
	{"net.ipv4.tcp_window_scaling", SC_INT, F(tcp_window_scaling, T_INT), 0, 1, 1, NULL, NULL},
	{"net.ipv4.tcp_syncookies", SC_INT, F(tcp_syncookies, T_INT), 0, 2, 1, NULL, NULL},
	{"net.ipv4.tcp_syn_retries", SC_INT, F(tcp_syn_retries, T_INT), 1, 127, 1, NULL, NULL},
	{"net.ipv4.tcp_synack_retries", SC_INT, F(tcp_synack_retries, T_INT), 0, 127, 1, NULL, NULL},
	{"net.ipv4.tcp_retries2", SC_INT, F(tcp_retries2, T_INT), 0, 127, 1, NULL, NULL},
	{"net.ipv4.tcp_orphan_retries", SC_INT, F(tcp_orphan_retries, T_INT), 0, 127, 1, NULL, NULL},
	{"net.ipv4.tcp_fin_timeout", SC_INT, F(tcp_fin_timeout_ms, T_U32), 1, 4000000, 1000, NULL, NULL},
	{"net.ipv4.tcp_max_syn_backlog", SC_INT, F(tcp_max_syn_backlog, T_U32), 1, 1 << 30, 1, NULL, NULL},
	{"net.ipv4.tcp_abort_on_overflow", SC_INT, F(tcp_abort_on_overflow, T_INT), 0, 1, 1, NULL, NULL},
	{"net.ipv4.tcp_keepalive_time", SC_INT, F(tcp_keepalive_time_s, T_U32), 1, 32767, 1, NULL, NULL},
	{"net.ipv4.tcp_keepalive_intvl", SC_INT, F(tcp_keepalive_intvl_s, T_U32), 1, 32767, 1, NULL, NULL},
	{"net.ipv4.tcp_keepalive_probes", SC_INT, F(tcp_keepalive_probes, T_INT), 1, 127, 1, NULL, NULL},
	{"net.ipv4.tcp_tw_reuse", SC_INT, F(tcp_tw_reuse, T_INT), 0, 2, 1, NULL, NULL},
	{"net.ipv4.tcp_max_tw_buckets", SC_INT, F(tcp_max_tw_buckets, T_U32), 0, 1 << 30, 1, NULL, NULL},
	{"net.ipv4.tcp_challenge_ack_limit", SC_INT, F(tcp_challenge_ack_limit, T_U32), 0, 2147483647, 1, NULL, NULL},
	{"net.ipv4.tcp_invalid_ratelimit", SC_INT, F(tcp_invalid_ratelimit_ms, T_U32), 0, 1 << 30, 1, NULL, NULL},
	{"net.ipv4.tcp_rto_min_us", SC_INT, F(tcp_rto_min_ms, T_U32), 1000, 120000000, -1000, NULL, NULL},
	{"net.ipv4.ip_default_ttl", SC_INT, F(ip_default_ttl, T_U8), 1, 255, 1, NULL, NULL},
	{"net.core.somaxconn", SC_INT, F(somaxconn, T_U32), 1, 1 << 30, 1, NULL, NULL},
	{"net.ipv4.tcp_recovery", SC_INT, F(tcp_recovery, T_INT), 0, 1, 1, NULL, NULL},
	{"net.ipv4.tcp_early_retrans", SC_INT, F(tcp_early_retrans, T_INT), 0, 4, 1, NULL, NULL},
	{"net.ipv4.tcp_rmem", SC_TRIPLE, F(tcp_rmem, T_U32), 1, 1 << 30, 1, NULL, NULL},
	{"net.ipv4.tcp_wmem", SC_TRIPLE, F(tcp_wmem, T_U32), 1, 1 << 30, 1, NULL, NULL},
	{"net.ipv4.ip_local_port_range", SC_RANGE, F(ip_local_port_range, T_U16), 1, 65535, 1, NULL, NULL},
	{"net.ipv4.tcp_congestion_control", SC_CC, 0, T_INT, 0, 0, 1, NULL, NULL},
	/* Linux knobs synack has no switch for: a script may set the value synack behaves as. */
	{"net.ipv4.tcp_dsack", SC_FIXED, 0, T_INT, 0, 0, 1, "1", "synack always sends D-SACK"},
	{"net.ipv4.tcp_autocorking", SC_FIXED, 0, T_INT, 0, 0, 1, "0", "synack never autocorks"},
	{"net.ipv4.tcp_syn_linear_timeouts", SC_FIXED, 0, T_INT, 0, 0, 1, "0",
	 "synack doubles every SYN timeout (RFC 6298 5.5)"},
	{"net.ipv4.tcp_slow_start_after_idle", SC_FIXED, 0, T_INT, 0, 0, 1, "1", "synack restarts after idle"},
	{"net.ipv4.tcp_no_metrics_save", SC_FIXED, 0, T_INT, 0, 0, 1, "1", "synack keeps no route metrics"},
	{"net.ipv4.tcp_moderate_rcvbuf", SC_FIXED, 0, T_INT, 0, 0, 1, "1", "synack autotunes receive buffers"},
	{"net.ipv4.tcp_reordering", SC_FIXED, 0, T_INT, 0, 0, 1, "3", "synack's DupThresh is 3"},
	{"net.ipv4.tcp_fastopen", SC_FIXED, 0, T_INT, 0, 0, 1, "0", "synack has no TCP Fast Open"},
	{"net.ipv4.tcp_mtu_probing", SC_FIXED, 0, T_INT, 0, 0, 1, "0", "synack does no PLPMTUD"},
	{"net.ipv4.tcp_ecn", SC_INT, F(tcp_ecn, T_INT), 0, 2, 1, NULL, NULL},
};

/* Sysctls that are not per network namespace: setting them would change the host. */
static const char *const global_prefixes[] = {
	"net.core.rmem_", "net.core.wmem_", "net.core.optmem_", "net.core.netdev_", "net.core.dev_",
	"net.core.busy_", "net.core.bpf_", "net.core.default_qdisc", "net.core.message_",
	"net.core.rps_", "net.core.flow_limit", "net.core.high_order_alloc", "net.core.warnings",
	"net.core.tstamp_", "net.ipv4.tcp_mem", "net.ipv4.udp_mem", "net.ipv4.ip_forward_",
};

static void say(char *why, size_t n, const char *fmt, const char *a, const char *b)
{
	if (why && n)
		snprintf(why, n, fmt, a, b);
}

static const struct sc_entry *find(const char *name)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

/* Up to max integers from a value like "4096 131072 6291456" (tabs too). */
static int integers(const char *v, long *out, int max)
{
	int n = 0;
	while (*v) {
		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		if (n == max)
			return -1;
		char *end;
		errno = 0;
		long x = strtol(v, &end, 0);
		if (end == v || errno)
			return -1;
		out[n++] = x;
		v = end;
	}
	return n;
}

int sk_sysctl_check(const char *name, const char *value, char *why, size_t whylen)
{
	if (strncmp(name, "net.", 4) != 0) {
		say(why, whylen, "sysctl %s%s: not a network sysctl, refused (it would change the host)", name, "");
		return -1;
	}
	for (size_t i = 0; i < sizeof(global_prefixes) / sizeof(global_prefixes[0]); i++)
		if (!strncmp(name, global_prefixes[i], strlen(global_prefixes[i]))) {
			say(why, whylen, "sysctl %s%s: not per network namespace, refused (it would change the host)",
			    name, "");
			return -1;
		}
	const struct sc_entry *e = find(name);
	if (!e) {
		say(why, whylen, "sysctl %s%s: not known to the runner (no synack equivalent)", name, "");
		return -1;
	}
	if (e->kind == SC_FIXED) {
		long v[1];
		if (integers(value, v, 1) != 1) {
			say(why, whylen, "sysctl %s: bad value '%s'", name, value);
			return -1;
		}
		char want[32];
		snprintf(want, sizeof(want), "%ld", v[0]);
		if (strcmp(want, e->fixed) != 0) {
			char msg[160];
			snprintf(msg, sizeof(msg), "%s=%s has no synack equivalent (%s; only %s)", name, value, e->why,
				 e->fixed);
			say(why, whylen, "sysctl %s%s", msg, "");
			return -1;
		}
		return 0;
	}
	struct synack_config c;
	synack_config_defaults(&c);
	return sk_sysctl_apply(&c, name, value, why, whylen);
}

static void put_field(struct synack_config *c, const struct sc_entry *e, int i, long v)
{
	char *p = (char *)c + e->off;
	switch (e->type) {
	case T_INT:
		((int *)(void *)p)[i] = (int)v;
		break;
	case T_U32:
		((uint32_t *)(void *)p)[i] = (uint32_t)v;
		break;
	case T_U16:
		((uint16_t *)(void *)p)[i] = (uint16_t)v;
		break;
	case T_U8:
		((uint8_t *)(void *)p)[i] = (uint8_t)v;
		break;
	}
}

int sk_sysctl_apply(struct synack_config *c, const char *name, const char *value, char *why, size_t whylen)
{
	const struct sc_entry *e = find(name);
	if (!e) {
		say(why, whylen, "sysctl %s%s: not known to the runner", name, "");
		return -1;
	}
	long v[3];
	int want = e->kind == SC_TRIPLE ? 3 : e->kind == SC_RANGE ? 2 : 1;
	switch (e->kind) {
	case SC_FIXED:
		return 0;
	case SC_CC: {
		char nm[16];
		size_t n = strlen(value);
		while (n && isspace((unsigned char)value[n - 1]))
			n--;
		const char *v0 = value;
		while (isspace((unsigned char)*v0)) {
			v0++;
			n--;
		}
		if (n == 4 && !strncmp(v0, "reno", 4)) {
			v0 = "newreno"; /* Linux's "reno" is NewReno (RFC 6582) */
			n = 7;
		}
		if (n >= sizeof(nm)) {
			say(why, whylen, "sysctl %s: unknown congestion control '%s'", name, value);
			return -1;
		}
		memcpy(nm, v0, n);
		nm[n] = 0;
		if (sk_cc_find(nm) < 0) {
			say(why, whylen, "sysctl %s: congestion control '%s' not in synack (cubic, reno)", name, value);
			return -1;
		}
		memcpy(c->tcp_congestion_control, nm, n + 1);
		return 0;
	}
	default:
		break;
	}
	if (integers(value, v, want) != want) {
		say(why, whylen, "sysctl %s: bad value '%s'", name, value);
		return -1;
	}
	for (int i = 0; i < want; i++) {
		if (v[i] < e->min || v[i] > e->max) {
			say(why, whylen, "sysctl %s: value '%s' out of range", name, value);
			return -1;
		}
		long x = e->scale >= 0 ? v[i] * e->scale : v[i] / -e->scale;
		if (e->scale < 0 && v[i] % -e->scale) {
			say(why, whylen, "sysctl %s: '%s' is finer than synack's millisecond", name, value);
			return -1;
		}
		put_field(c, e, i, x);
	}
	if (e->kind == SC_RANGE && v[0] > v[1]) {
		say(why, whylen, "sysctl %s: bad range '%s'", name, value);
		return -1;
	}
	return 0;
}

/* ---- shell lines ---- */

/* Next word of a command (quotes removed, quoted spaces kept); NULL at the end of a command
 * (';', '&&', newline or the string's end; *end says which). */
static const char *word(const char **pp, char *buf, size_t cap, int *end)
{
	const char *p = *pp;
	*end = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == ';' || *p == '\n' || (p[0] == '&' && p[1] == '&')) {
		if (*p)
			p += p[0] == '&' ? 2 : 1;
		*end = 1;
		*pp = p;
		return NULL;
	}
	size_t n = 0;
	char q = 0;
	while (*p && (q || (*p != ' ' && *p != '\t' && *p != ';' && *p != '\n' && !(p[0] == '&' && p[1] == '&')))) {
		if (!q && (*p == '"' || *p == '\'')) {
			q = *p++;
			continue;
		}
		if (q && *p == q) {
			q = 0;
			p++;
			continue;
		}
		if (n + 1 < cap)
			buf[n++] = *p;
		p++;
	}
	buf[n] = 0;
	*pp = p;
	return buf;
}

/* Copies a string, cut to fit. */
static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* "/proc/sys/net/ipv4/tcp_sack" -> "net.ipv4.tcp_sack" */
static int proc_name(const char *path, char *out, size_t cap)
{
	const char *pre = "/proc/sys/";
	if (strncmp(path, pre, strlen(pre)) != 0)
		return -1;
	copy(out, cap, path + strlen(pre));
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '.';
	return 0;
}

static int add_setting(struct sk_sysctl_set *out, int *n, int max, const char *assign, int is_path, char *why,
		       size_t whylen)
{
	const char *eq = strchr(assign, '=');
	if (!eq || eq == assign) {
		say(why, whylen, "sysctl: expected NAME=VALUE, found '%s'%s", assign, "");
		return -1;
	}
	if (*n >= max) {
		say(why, whylen, "too many sysctl settings in one line%s%s", "", "");
		return -1;
	}
	struct sk_sysctl_set *s = &out[(*n)++];
	char nm[200];
	snprintf(nm, sizeof(nm), "%.*s", (int)(eq - assign), assign);
	if (is_path) {
		if (proc_name(nm, s->name, sizeof(s->name)) < 0) {
			say(why, whylen, "set_sysctls.py: '%s' is not under /proc/sys%s", nm, "");
			return -1;
		}
	} else {
		copy(s->name, sizeof(s->name), nm);
	}
	copy(s->value, sizeof(s->value), eq + 1);
	return 0;
}

int sk_shell_sysctls(const char *cmd, struct sk_sysctl_set *out, int max, char *why, size_t whylen)
{
	int n = 0, end;
	const char *p = cmd;
	char w[256];
	while (*p) {
		const char *first = word(&p, w, sizeof(w), &end);
		if (!first)
			continue; /* an empty command */
		const char *base = strrchr(first, '/');
		base = base ? base + 1 : first;
		if (!strcmp(first, "sysctl")) {
			while (word(&p, w, sizeof(w), &end)) {
				if (w[0] == '-') {
					if (strcmp(w, "-q") && strcmp(w, "-w") && strcmp(w, "-e") && strcmp(w, "-qw") &&
					    strcmp(w, "-wq")) {
						say(why, whylen, "sysctl: option %s not supported%s", w, "");
						return -1;
					}
					continue;
				}
				if (add_setting(out, &n, max, w, 0, why, whylen) < 0)
					return -1;
			}
		} else if (!strcmp(base, "set_sysctls.py")) {
			while (word(&p, w, sizeof(w), &end))
				if (add_setting(out, &n, max, w, 1, why, whylen) < 0)
					return -1;
		} else if (!strcmp(first, "echo")) {
			char val[128] = "", path[200] = "";
			int got = 0, redirect = 0;
			while (word(&p, w, sizeof(w), &end)) {
				if (!strcmp(w, ">")) {
					redirect = 1;
				} else if (redirect) {
					copy(path, sizeof(path), w);
				} else if (w[0] == '>') {
					copy(path, sizeof(path), w + 1);
					redirect = 1;
				} else {
					size_t l = strlen(val);
					if (got++ && l + 1 < sizeof(val))
						val[l++] = ' ';
					copy(val + l, sizeof(val) - l, w);
				}
			}
			char assign[400];
			size_t pl = strlen(path);
			memcpy(assign, path, pl);
			assign[pl] = '=';
			copy(assign + pl + 1, sizeof(assign) - pl - 1, val);
			if (!redirect || add_setting(out, &n, max, assign, 1, why, whylen) < 0) {
				if (!redirect)
					say(why, whylen, "echo: only 'echo VALUE > /proc/sys/...' is run%s%s", "", "");
				return -1;
			}
		} else {
			say(why, whylen, "shell command '%s' refused: only sysctl settings are run%s", first, "");
			return -1;
		}
		(void)end;
	}
	return n;
}
