/* synack-run: an unmodified, dynamically linked program with its AF_INET and AF_INET6 TCP
 * and UDP sockets on synack.
 *
 * synack-run opens the device, starts the stack and its relay (src/run/relay.c) in this
 * process, and runs the program with the preload library (src/run/shim.c) that hands each
 * socket the program opens to the relay as a socket pair. Every process of the program
 * (forked workers, exec'd children) talks to this one stack, so a listener opened by a
 * master process is the same listener in the workers it forks. synack-run becomes the
 * subreaper of the program's processes, passes SIGINT, SIGTERM and SIGHUP on to the
 * program, and exits with the program's status once the program has exited and no
 * process of it holds a synack socket any more. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <synack/rt.h>

#include "run/proto.h"
#include "run/relay.h"
#include "run/supervise.h"

#ifndef SYNACK_PRELOAD_REL
#define SYNACK_PRELOAD_REL "../lib/synack/libsynack-preload.so"
#endif
#define PRELOAD_NAME "libsynack-preload.so"
#define DRAIN_MS 2000 /* how long closing connections may take at the end */

static const char usage_head[] =
	"usage: synack-run [options] -- PROGRAM [ARGS...]\n"
	"runs an unmodified, dynamically linked program with its AF_INET and AF_INET6 TCP and\n"
	"UDP sockets on the synack stack (a preload library; other sockets, pipes and files\n"
	"stay the kernel's). All processes of the program share the one stack; synack-run\n"
	"exits with the program's status when the program has exited and none of its\n"
	"processes holds a synack socket. SIGINT, SIGTERM and SIGHUP are passed on to it.\n"
	"\n"
	"  --busy-poll USEC  after work, look for more for up to USEC microseconds before\n"
	"              sleeping, adapted to the traffic (50; 0: never; none on one CPU)\n"
	"  -h, --help  this text\n"
	"\n"
	"Common options (a device and --addr are required):\n";
static const char usage_tail[] =
	"\nEnvironment: SYNACK_PRELOAD overrides where the preload library is found (by default\n"
	"next to synack-run, else " SYNACK_PRELOAD_REL " from its directory).\n"
	"Example: synack-run --tun t0 --addr 10.66.0.2/24 --host-addr 10.66.0.1/24 -- \\\n"
	"             python3 -m http.server 8080\n";

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "synack-run: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

/* The preload library: $SYNACK_PRELOAD, or beside this program (a build tree), or where
 * an installation puts it relative to the program's directory. */
static void find_preload(char *out, size_t len)
{
	const char *env = getenv("SYNACK_PRELOAD");
	if (env && *env) {
		if (access(env, R_OK) != 0)
			die("SYNACK_PRELOAD=%s: %s", env, strerror(errno));
		snprintf(out, len, "%s", env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		die("cannot find my own path: %s%s", strerror(errno), "");
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	*slash = 0;
	if ((size_t)snprintf(out, len, "%s/%s", exe, PRELOAD_NAME) < len && access(out, R_OK) == 0)
		return;
	if ((size_t)snprintf(out, len, "%s/%s", exe, SYNACK_PRELOAD_REL) < len && access(out, R_OK) == 0)
		return;
	die("the preload library %s is not beside synack-run nor at %s (set SYNACK_PRELOAD)", PRELOAD_NAME, out);
}

static void run_program(char **argv, const char *preload, const char *name, const sigset_t *old)
{
	const char *cur = getenv("LD_PRELOAD");
	char *pre = NULL;
	if (cur && *cur && asprintf(&pre, "%s:%s", preload, cur) < 0)
		pre = NULL;
	setenv("LD_PRELOAD", pre ? pre : preload, 1);
	setenv(SK_RUN_ENV, name, 1);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "synack-run: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int relay_watch(void *r, int fd)
{
	return sk_run_relay_watch(r, fd);
}
static int relay_run(void *r, int timeout_ms)
{
	return sk_run_relay_run(r, timeout_ms);
}
static size_t relay_users(const void *r)
{
	return sk_run_relay_users(r);
}

/* Takes synack-run's own option, --busy-poll USEC, out of argv (before --): the rest are
 * the common ones. */
static unsigned busy_poll_opt(int *argc, char **argv)
{
	unsigned us = SK_BUSY_POLL_US;
	int out = 1, i = 1;
	for (; i < *argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--busy-poll") != 0) {
			argv[out++] = argv[i];
			continue;
		}
		if (sk_busy_poll_arg("synack-run", i + 1 < *argc ? argv[i + 1] : NULL, &us) < 0)
			exit(2);
		i++;
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	*argc = out;
	return us;
}

int main(int argc, char **argv)
{
	struct synack_rt_opts o;
	unsigned busy_poll = busy_poll_opt(&argc, argv);
	synack_rt_tool_opts(&o, &argc, argv, "synack-run", usage_head, usage_tail);
	int dash = 1;
	if (dash >= argc || strcmp(argv[dash], "--") != 0) {
		fprintf(stderr, "synack-run: %s (try --help)\n",
			dash < argc ? "unexpected argument before --" : "no program: give -- PROGRAM [ARGS...]");
		return 2;
	}
	if (dash + 1 >= argc) {
		fprintf(stderr, "synack-run: no program after -- (try --help)\n");
		return 2;
	}
	char preload[PATH_MAX];
	find_preload(preload, sizeof(preload));

	o.no_thread = 1;
	char why[256];
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why));
	if (!rt) {
		fprintf(stderr, "synack-run: %s\n", why);
		return 1;
	}
	struct sk_run_relay *relay = sk_run_relay_new(rt, why, sizeof(why));
	if (!relay) {
		fprintf(stderr, "synack-run: %s\n", why);
		synack_rt_stop(rt);
		return 1;
	}

	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	/* Orphans of the program (a daemon's workers) become ours to reap. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "synack-run: fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0)
		run_program(argv + dash + 1, preload, sk_run_relay_name(relay), &old);

	struct sk_supervised sv = {.tool = "synack-run", .rt = rt, .child = child, .relay = relay,
				   .watch = relay_watch, .run = relay_run, .busy = relay_users,
				   .busy_poll_us = busy_poll};
	int status = sk_supervise(&sv, &sigs);
	sk_run_relay_free(relay);
	if (status >= 0)
		synack_rt_drain(rt, DRAIN_MS);
	synack_rt_stop(rt);
	return status >= 0 ? status : 1;
}
