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
	int (*fd)(const void *relay); /* readable when the relay has work */
	int (*run)(void *relay);      /* its work; -1 with errno when the runtime failed */
	size_t (*busy)(const void *relay); /* what processes of the program still hold (NULL:
					    * nothing worth waiting for once it exited) */
};

/* After the program exited, the loop goes on while busy says something is held, until a
 * signal (SIGINT, SIGTERM, SIGHUP) says not to wait. sigs: the signals the caller blocked
 * before forking (those above and SIGCHLD). Returns
 * the program's exit status (128 + the signal that ended it), or -1 when the device went
 * away or the runtime stopped (said in one line; the program was sent SIGTERM). */
int sk_supervise(const struct sk_supervised *s, const sigset_t *sigs);

#endif
