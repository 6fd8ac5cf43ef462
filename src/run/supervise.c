/* The tools' main loop around a relay and the program it serves (supervise.h). */
#include "run/supervise.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int sk_supervise(const struct sk_supervised *s, const sigset_t *sigs)
{
	int sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	int status = -1, failed = 0, stop = 0;
	char why[256];
	for (;;) {
		struct pollfd p[2] = {{.fd = s->fd(s->relay), .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		poll(p, 2, 1000); /* at least once a second: the relay has its own slow work */
		int r = s->run(s->relay);
		if (!failed && (r < 0 || synack_rt_status(s->rt, why, sizeof(why)) < 0)) {
			/* The device is gone (or the runtime stopped): the program cannot go on. */
			if (synack_rt_status(s->rt, why, sizeof(why)) < 0)
				fprintf(stderr, "%s: %s\n", s->tool, why);
			else
				fprintf(stderr, "%s: the stack stopped: %s\n", s->tool, strerror(errno));
			failed = 1;
			if (status < 0)
				kill(s->child, SIGTERM);
		}
		struct signalfd_siginfo si;
		int reap = 0; /* (only when a child went: not a system call every round) */
		while ((p[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGCHLD)
				reap = 1;
			else if (status < 0)
				kill(s->child, (int)si.ssi_signo);
			else
				stop = 1; /* the program is gone: what it left is not waited for */
		}
		int st;
		pid_t w;
		while ((reap || sfd < 0) && (w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == s->child)
				status = st;
		if (status >= 0 && (failed || stop || !s->busy || s->busy(s->relay) == 0))
			break;
	}
	close(sfd);
	if (failed)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
