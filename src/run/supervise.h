/* The main loop synack-run and synack-tunnel share: the relay runs until the program has
 * exited and nothing of it is left, SIGINT, SIGTERM and SIGHUP are passed on to the
 * program, and its processes are reaped (the tool made itself their subreaper). */
#ifndef SK_RUN_SUPERVISE_H
#define SK_RUN_SUPERVISE_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <synack/rt.h>

struct sk_supervised {
	const char *tool;             /* for its one-line messages: "synack-run" */
	synack_rt *rt;
	pid_t child;                  /* the program */
	void *relay;
	int (*watch)(void *relay, int fd);     /* adds a descriptor to what run waits on */
	int (*run)(void *relay, int timeout_ms); /* waits (up to timeout_ms) for its work or the
						  * watched descriptor, does the work: the
						  * SK_RUN_ bits, or -1 with errno when the
						  * runtime failed */
	unsigned busy_poll_us; /* the most a wake-up may poll before sleeping (supervise.c; 0:
				* never) */
	size_t (*busy)(const void *relay); /* what processes of the program still hold (NULL:
					    * nothing worth waiting for once it exited) */
};

#define SK_RUN_WORKED 1  /* the relay found something to do */
#define SK_RUN_WATCHED 2 /* the watched descriptor is readable */
/* What the tools poll by default (--busy-poll): about one wake-up of a sleeping thread on
 * a virtual machine. */
#define SK_BUSY_POLL_US 50u
/* --busy-poll's value (0..1000 microseconds) into *us: 0, or -1 after a one-line error on
 * standard error naming tool. */
int sk_busy_poll_arg(const char *tool, const char *text, unsigned *us);

/* After the program exited, the loop goes on while busy says something is held, until a
 * signal (SIGINT, SIGTERM, SIGHUP) says not to wait. sigs: the signals the caller blocked
 * before forking (those above and SIGCHLD). Returns
 * the program's exit status (128 + the signal that ended it), or -1 when the device went
 * away or the runtime stopped (said in one line; the program was sent SIGTERM). */
int sk_supervise(const struct sk_supervised *s, const sigset_t *sigs);

/* Its parts, for the tests. One wait for the relay's work and the signals: run with
 * timeout 0 for up to *spin microseconds until it finds something, else a sleep in run of
 * up to a second (the relay has its own slow work), after which *spin adapts
 * (sk_spin_adapt; max 0: never). What run returned. */
int sk_supervise_wait(const struct sk_supervised *s, unsigned *spin, unsigned max);
/* After a sleep of slept_us: within max, *spin doubles (from SK_SPIN_FIRST, at most max);
 * beyond, it halves (down to 0). */
#define SK_SPIN_FIRST 10u
void sk_spin_adapt(unsigned *spin, unsigned max, uint64_t slept_us);
/* The most a wake-up may poll on this machine for a wanted --busy-poll: want, or 0 with
 * fewer than two online CPUs (the peer waited for could only run once the poller stops). */
unsigned sk_spin_max(unsigned want);

#endif
