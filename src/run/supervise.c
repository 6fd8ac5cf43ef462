/* The tools' main loop around a relay and the program it serves (supervise.h). */
#include "run/supervise.h"

#include "rt/rt_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Busy polling. Between a round that found work and the next, the loop may look again
 * without sleeping for up to spin microseconds before it blocks: on a virtual machine a
 * sleeping thread woken by a packet or a peer's reply takes tens of microseconds to run
 * again, longer than most replies take to come. The time adapts, as Linux's KVM halt
 * polling does: a sleep that ended within max (the next event came soon after the poll
 * gave up) doubles it, from SK_SPIN_FIRST; a sleep longer than max (a quiet spell) halves
 * it, down to none; a poll that caught an event keeps it. So an idle tool costs nothing
 * and a busy one spends at most max per wake-up. None on a single CPU: the peer it waits
 * for could only run once it stops. */

unsigned sk_spin_max(unsigned want)
{
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? want : 0; /* (the tool may be pinned to one) */
}

int sk_busy_poll_arg(const char *tool, const char *text, unsigned *us)
{
	char *end = NULL;
	unsigned long v = text ? strtoul(text, &end, 10) : 0;
	if (!text || !*text || *end || v > 1000) {
		fprintf(stderr, "%s: --busy-poll: expected 0..1000 microseconds (try --help)\n", tool);
		return -1;
	}
	*us = (unsigned)v;
	return 0;
}

void sk_spin_adapt(unsigned *spin, unsigned max, uint64_t slept_us)
{
	if (slept_us <= max)
		*spin = *spin ? (*spin * 2 < max ? *spin * 2 : max) : (SK_SPIN_FIRST < max ? SK_SPIN_FIRST : max);
	else
		*spin /= 2;
}

int sk_supervise_wait(const struct sk_supervised *s, unsigned *spin, unsigned max)
{
	if (*spin) {
		uint64_t t0 = sk_rt_now_us();
		do {
			int r = s->run(s->relay, 0);
			if (r != 0)
				return r;
		} while (sk_rt_now_us() - t0 < *spin);
	}
	uint64_t t0 = sk_rt_now_us();
	int r = s->run(s->relay, 1000);
	if (max)
		sk_spin_adapt(spin, max, sk_rt_now_us() - t0);
	return r;
}

int sk_supervise(const struct sk_supervised *s, const sigset_t *sigs)
{
	int sfd = signalfd(-1, sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd >= 0 && s->watch(s->relay, sfd) < 0) {
		close(sfd);
		sfd = -1; /* (then the children are looked for every round) */
	}
	unsigned max = sk_spin_max(s->busy_poll_us), spin = 0;
	int status = -1, failed = 0, stop = 0;
	char why[256];
	for (;;) {
		/* Once the stack failed, only the program's going is waited for. */
		int r = 0;
		if (!failed) {
			r = sk_supervise_wait(s, &spin, max);
		} else {
			struct pollfd p = {.fd = sfd, .events = POLLIN};
			r = poll(&p, 1, 1000) > 0 ? SK_RUN_WATCHED : 0;
		}
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
		while (r > 0 && (r & SK_RUN_WATCHED) && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
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
	if (sfd >= 0)
		close(sfd);
	if (failed)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
