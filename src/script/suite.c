/* A run of many scripts: in-process against synack, or against Linux with a child process
 * (and so a network namespace) per script, retries for failures (flaky if a retry passes),
 * the DIFFERENCES list, a folder's VARIANTS (more runs of its scripts under other options,
 * as packetdrill's run_all.py runs each script per --ip_version), and the totals. */
#include "script/suite.h"

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "script/run.h"

#define WHY 4096
#define CHILD_LIMIT_S 180 /* a script against Linux that runs longer than this is stopped */
#define VARIANT_MAX 8     /* lines of a VARIANTS file */
#define VARIANT_OPTS 16   /* options on one line */
#define VARIANT_PATS 16   /* script name patterns on one line */

struct diff {
	char *path;   /* as written in the file */
	char *reason;
};

struct diffs {
	struct diff *v;
	int n;
	char *dir;    /* the file's folder: paths are relative to it */
};

static void diffs_free(struct diffs *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].reason);
	}
	free(d->v);
	free(d->dir);
}

/* Lines "PATH  reason" (two or more spaces or a tab between); '#' comments, blank lines. */
static int diffs_load(struct diffs *d, const char *file, FILE *err)
{
	memset(d, 0, sizeof(*d));
	if (!file)
		return 0;
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(err, "synack-sim: %s: %s\n", file, strerror(errno));
		return -1;
	}
	const char *slash = strrchr(file, '/');
	d->dir = slash ? strndup(file, (size_t)(slash - file)) : strdup(".");
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		size_t plen = strcspn(p, " \t");
		char *rest = p + plen;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		struct diff *v = realloc(d->v, (size_t)(d->n + 1) * sizeof(*v));
		if (!v)
			break;
		d->v = v;
		d->v[d->n].path = strndup(p, plen);
		d->v[d->n].reason = strdup(*rest ? rest : "(no reason given)");
		d->n++;
	}
	fclose(f);
	return 0;
}

/* The declared difference for a script path, or NULL: the entry's path, relative to the
 * DIFFERENCES file, must end the script's path. */
static const char *diff_for(const struct diffs *d, const char *path)
{
	for (int i = 0; i < d->n; i++) {
		size_t a = strlen(path), b = strlen(d->v[i].path);
		if (a >= b && !strcmp(path + a - b, d->v[i].path) && (a == b || path[a - b - 1] == '/'))
			return d->v[i].reason;
	}
	return NULL;
}

/* Whether the script's header comments say "tags: ... slow ...". */
static int tagged_slow(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[512];
	int slow = 0;
	for (int i = 0; i < 40 && fgets(line, sizeof(line), f); i++) {
		char *t = strstr(line, "tags:");
		if (!strncmp(line, "//", 2) && t && strstr(t, "slow"))
			slow = 1;
	}
	fclose(f);
	return slow;
}

/* One line of a folder's VARIANTS file: "--ip_version=ipv6 --mtu=1520 [PATTERN...] [!PATTERN...]"
 * runs each script of the folder whose file name matches a pattern (every script when there
 * is none) and no !pattern once more, with these options before its own. '#' starts a
 * comment. */
struct variant {
	char text[256];                      /* the options as written, for the report */
	struct sk_sopt opt[VARIANT_OPTS];
	int nopt;
	char *pat[VARIANT_PATS];             /* fnmatch(3) patterns; "!" first: excluded */
	int npat;
	char *store;                         /* owns the strings */
};

struct variants {
	struct variant v[VARIANT_MAX];
	int n;
};

static void variants_free(struct variants *vs)
{
	for (int i = 0; i < vs->n; i++)
		free(vs->v[i].store);
	vs->n = 0;
}

/* Reads PATH's folder's VARIANTS file, if there is one. 0, or -1 with the reason in why. */
static int variants_load(const char *path, struct variants *vs, char *why)
{
	vs->n = 0;
	const char *slash = strrchr(path, '/');
	char file[1024];
	int dl = slash ? (int)(slash - path) : 1;
	if (snprintf(file, sizeof(file), "%.*s/VARIANTS", dl, slash ? path : ".") >= (int)sizeof(file))
		return 0;
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	char line[1024];
	int ln = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		ln++;
		line[strcspn(line, "#\n")] = 0;
		char *p = line + strspn(line, " \t");
		if (!*p)
			continue;
		if (vs->n == VARIANT_MAX) {
			snprintf(why, WHY, "%s:%d: more than %d variants", file, ln, VARIANT_MAX);
			rc = -1;
			break;
		}
		struct variant *v = &vs->v[vs->n];
		memset(v, 0, sizeof(*v));
		v->store = strdup(p);
		if (!v->store) {
			snprintf(why, WHY, "%s: out of memory", file);
			rc = -1;
			break;
		}
		vs->n++;
		char *save = NULL;
		for (char *t = strtok_r(v->store, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
			if (!strncmp(t, "--", 2) && t[2]) {
				if (v->nopt == VARIANT_OPTS) {
					snprintf(why, WHY, "%s:%d: more than %d options", file, ln, VARIANT_OPTS);
					rc = -1;
					break;
				}
				size_t tl = strlen(v->text);
				snprintf(v->text + tl, sizeof(v->text) - tl, "%s%s", tl ? " " : "", t);
				struct sk_sopt *o = &v->opt[v->nopt++];
				o->name = t + 2;
				char *eq = strchr(o->name, '=');
				o->value = eq ? eq + 1 : o->name + strlen(o->name);
				if (eq)
					*eq = 0;
				o->line = 0;
			} else if (t[0] == '-') {
				snprintf(why, WHY, "%s:%d: '%s': options are written --name=value", file, ln, t);
				rc = -1;
				break;
			} else if (v->npat < VARIANT_PATS) {
				v->pat[v->npat++] = t;
			} else {
				snprintf(why, WHY, "%s:%d: more than %d patterns", file, ln, VARIANT_PATS);
				rc = -1;
				break;
			}
		}
		if (rc == 0 && !v->nopt) {
			snprintf(why, WHY, "%s:%d: a variant without options", file, ln);
			rc = -1;
		}
	}
	fclose(f);
	if (rc < 0)
		variants_free(vs);
	return rc;
}

/* Whether a variant runs the script at path. */
static int variant_applies(const struct variant *v, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	int includes = 0, included = 0;
	for (int i = 0; i < v->npat; i++) {
		if (v->pat[i][0] == '!') {
			if (fnmatch(v->pat[i] + 1, name, 0) == 0)
				return 0;
		} else {
			includes = 1;
			included |= fnmatch(v->pat[i], name, 0) == 0;
		}
	}
	return !includes || included;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One script in this process against synack (with a variant's options, or v NULL). */
static enum sk_run_result run_synack(const struct sk_script *s, const struct sk_suite_opts *o,
				     const struct variant *v, char *why)
{
	struct sk_backend *b = sk_be_synack_new();
	if (!b) {
		snprintf(why, WHY, "%s: out of memory", s->path);
		return SK_RUN_ERROR;
	}
	struct sk_run_opts ro = {.log = o->verbose ? o->out : NULL, .verbose = o->verbose,
				 .extra = v ? v->opt : NULL, .nextra = v ? v->nopt : 0};
	return sk_run_script(s, b, &ro, why, WHY);
}

/* One script in a child process against Linux (a namespace of its own). */
static enum sk_run_result run_kernel(const struct sk_script *s, const struct sk_suite_opts *o,
				     const struct variant *v, char *why)
{
	int pfd[2];
	if (pipe(pfd) < 0) {
		snprintf(why, WHY, "%s: pipe: %s", s->path, strerror(errno));
		return SK_RUN_ERROR;
	}
	fflush(o->out);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, WHY, "%s: fork: %s", s->path, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return SK_RUN_ERROR;
	}
	if (pid == 0) {
		close(pfd[0]);
		alarm(CHILD_LIMIT_S);
		char w[WHY] = "";
		enum sk_run_result res = SK_RUN_ERROR;
		struct sk_backend *b = sk_be_kernel_new(w, sizeof(w));
		if (b) {
			struct sk_run_opts ro = {.log = o->verbose ? o->out : NULL, .verbose = o->verbose,
						 .extra = v ? v->opt : NULL, .nextra = v ? v->nopt : 0};
			res = sk_run_script(s, b, &ro, w, sizeof(w));
		}
		fflush(o->out);
		ssize_t wr = write(pfd[1], w, strlen(w));
		(void)wr;
		close(pfd[1]);
		_exit((int)res);
	}
	close(pfd[1]);
	size_t got = 0;
	for (;;) {
		ssize_t n = read(pfd[0], why + got, WHY - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got >= WHY - 1)
			break;
	}
	why[got] = 0;
	close(pfd[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		snprintf(why, WHY, "%s: the run was stopped by signal %d%s", s->path, WTERMSIG(st),
			 WTERMSIG(st) == SIGALRM ? " (it took too long)" : "");
		return SK_RUN_FAIL;
	}
	return (enum sk_run_result)WEXITSTATUS(st);
}

struct tally {
	int runs, pass, declared, failed, errors, flaky, skipped, variant_runs;
};

/* Real time against Linux: a failing script runs again up to this many times, and passes
 * (as flaky) if any retry does. A loaded machine once made the kernel wake a blocked
 * connect() 4.1 ms late twice in a row, past a 4 ms tolerance. */
#define KERNEL_RETRIES 2

/* Runs a script once (as written, or with variant v), retried against Linux, and says how
 * it went. */
static void run_one(const struct sk_script *s, const char *path, const struct variant *v, const struct sk_suite_opts *o,
		    const struct diffs *d, struct tally *t, char *why, FILE *out)
{
	char tag[300] = "";
	if (v)
		snprintf(tag, sizeof(tag), " [%s]", v->text);
	t->runs++;
	double t1 = wall();
	enum sk_run_result r = o->kernel ? run_kernel(s, o, v, why) : run_synack(s, o, v, why);
	int retried = 0;
	if (r == SK_RUN_FAIL && o->kernel) {
		/* real time: retries tell a timing accident from a difference */
		char *first = strdup(why);
		for (int k = 0; k < KERNEL_RETRIES && r == SK_RUN_FAIL; k++)
			r = run_kernel(s, o, v, why);
		if (r == SK_RUN_PASS)
			retried = 1;
		else if (first)
			snprintf(why, WHY, "%s", first);
		free(first);
	}
	double dt = wall() - t1;
	const char *dr = o->kernel ? diff_for(d, path) : NULL;
	if (r == SK_RUN_PASS && dr) {
		fprintf(out, "FAIL  %s%s (%.1fs): passes on Linux, but DIFFERENCES declares a difference: %s\n", path, tag,
			dt, dr);
		t->failed++;
	} else if (r == SK_RUN_PASS) {
		fprintf(out, "%s %s%s (%.1fs)\n", retried ? "FLAKY" : "PASS ", path, tag, dt);
		t->pass++;
		t->flaky += retried;
	} else if (r == SK_RUN_FAIL && dr) {
		fprintf(out, "DIFF  %s%s (%.1fs): declared difference: %s\n", path, tag, dt, dr);
		if (o->verbose)
			fprintf(out, "      %s\n", why);
		t->declared++;
	} else {
		fprintf(out, "%s%s %s\n", r == SK_RUN_FAIL ? "FAIL " : "ERROR", tag, why);
		if (r == SK_RUN_FAIL)
			t->failed++;
		else
			t->errors++;
	}
}

int sk_suite_run(char *const *paths, int n, const struct sk_suite_opts *o)
{
	FILE *out = o->out ? o->out : stdout;
	struct diffs d;
	if (diffs_load(&d, o->kernel ? o->differences : NULL, stderr) < 0)
		return 2;
	if (o->kernel) {
		char w[256];
		if (geteuid() != 0) {
			fprintf(stderr, "synack-sim: run --kernel needs root (a network namespace and a TUN per script)\n");
			diffs_free(&d);
			return 77;
		}
		(void)w;
	}
	struct tally t = {0};
	char *why = malloc(WHY);
	if (!why) {
		diffs_free(&d);
		return 1;
	}
	double t0 = wall();
	for (int i = 0; i < n; i++) {
		const char *path = paths[i];
		if (o->kernel && o->skip_slow && tagged_slow(path)) {
			t.skipped++;
			continue;
		}
		struct sk_script *s;
		if (sk_script_load(path, &s, why, WHY) < 0) {
			fprintf(out, "ERROR %s\n", why);
			t.runs++;
			t.errors++;
			continue;
		}
		struct variants vs;
		if (variants_load(path, &vs, why) < 0) {
			fprintf(out, "ERROR %s\n", why);
			t.runs++;
			t.errors++;
			sk_script_free(s);
			continue;
		}
		run_one(s, path, NULL, o, &d, &t, why, out);
		for (int k = 0; k < vs.n; k++)
			if (variant_applies(&vs.v[k], path)) {
				run_one(s, path, &vs.v[k], o, &d, &t, why, out);
				t.variant_runs++;
			}
		variants_free(&vs);
		sk_script_free(s);
	}
	fprintf(out, "%d scripts against %s: %d passed", t.runs, o->kernel ? "Linux" : "synack", t.pass);
	if (o->kernel)
		fprintf(out, " (%d flaky), %d with a declared difference", t.flaky, t.declared);
	fprintf(out, ", %d failed, %d could not run", t.failed, t.errors);
	if (t.skipped)
		fprintf(out, "; %d slow ones left out", t.skipped);
	if (t.variant_runs)
		fprintf(out, "; %d of the runs were a folder's VARIANTS", t.variant_runs);
	fprintf(out, " (%.1fs)\n", wall() - t0);
	free(why);
	diffs_free(&d);
	return t.failed || t.errors ? 1 : 0;
}
