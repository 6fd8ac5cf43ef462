/* Runs the same job on several cores at once, one pinned thread each (see cores.h). */
#include "cores.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double cores_clock(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cores_thread_cpu(void)
{
	return cores_clock(CLOCK_THREAD_CPUTIME_ID);
}

static double mono(void)
{
	return cores_clock(CLOCK_MONOTONIC);
}

struct cores_thread {
	pthread_t t;
	pthread_barrier_t *go;
	struct cores_job *job;
	void (*fn)(struct cores_job *);
	double end;
	int pinned;
};

static void *cores_main(void *p)
{
	struct cores_thread *ct = p;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(ct->job->index, &set);
	ct->pinned = pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
	pthread_barrier_wait(ct->go);
	if (ct->pinned)
		ct->fn(ct->job);
	ct->end = mono();
	return NULL;
}

double cores_run(int n, void (*fn)(struct cores_job *), void *arg, struct cores_job *jobs)
{
	struct cores_thread *ts = calloc((size_t)n, sizeof(*ts));
	pthread_barrier_t go;
	if (!ts || pthread_barrier_init(&go, NULL, (unsigned)n + 1)) {
		free(ts);
		fprintf(stderr, "cores: out of memory\n");
		return -1;
	}
	int started = 0;
	for (int i = 0; i < n; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].index = i;
		jobs[i].arg = arg;
		ts[i] = (struct cores_thread){.go = &go, .job = &jobs[i], .fn = fn};
		if (pthread_create(&ts[i].t, NULL, cores_main, &ts[i]))
			break;
		started++;
	}
	if (started < n) { /* those started wait at the barrier for ever: a bench cannot go on */
		fprintf(stderr, "cores: cannot start %d threads\n", n);
		exit(1);
	}
	pthread_barrier_wait(&go);
	double t0 = mono(), t1 = t0;
	int ok = 1;
	for (int i = 0; i < n; i++) {
		pthread_join(ts[i].t, NULL);
		if (!ts[i].pinned)
			ok = 0;
		if (ts[i].end > t1)
			t1 = ts[i].end;
	}
	pthread_barrier_destroy(&go);
	free(ts);
	if (!ok) {
		fprintf(stderr, "cores: cannot pin a thread to each of CPUs 0..%d\n", n - 1);
		return -1;
	}
	return t1 - t0;
}

int cores_parse(const char *prog, const char *s)
{
	char *end;
	long n = strtol(s ? s : "", &end, 10);
	if (!s || *end || n < 1 || n > 64) {
		fprintf(stderr, "%s: --cores wants a number of cores from 1 to 64\n", prog);
		return -1;
	}
	return (int)n;
}

/* One round of n shards: work per second of wall time (times scale), printed if print, and
 * in *cpu the sum of the shards' work per CPU second; -1 if a job failed. */
static double cores_round(int n, void (*fn)(struct cores_job *), void *arg, double scale, const char *unit,
			  struct cores_job *jobs, int print, double *cpu)
{
	double w = cores_run(n, fn, arg, jobs), done = 0;
	*cpu = 0;
	if (w <= 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (jobs[i].done < 0 || jobs[i].cpu_s <= 0) {
			fprintf(stderr, "cores: the job on CPU %d failed\n", i);
			return -1;
		}
		done += (double)jobs[i].done;
		*cpu += (double)jobs[i].done * scale / jobs[i].cpu_s;
	}
	if (print) {
		printf("  %d shard%s: %10.2f %s", n, n > 1 ? "s" : " ", done * scale / w, unit);
		for (int i = 0; i < n; i++)
			printf("  [CPU %d: %.2f per CPU second]", i, (double)jobs[i].done * scale / jobs[i].cpu_s);
		printf("\n");
	}
	return done * scale / w;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double cores_scaling(int n, int rounds, void (*fn)(struct cores_job *), void *arg, double scale, const char *unit)
{
	struct cores_job *jobs = calloc((size_t)n, sizeof(*jobs));
	/* wall and CPU figures of one shard and of n, rounds of each */
	double *f = calloc((size_t)rounds * 4, sizeof(double));
	double ratio = -1;
	if (!jobs || !f) {
		fprintf(stderr, "cores: out of memory\n");
		goto out;
	}
	double *one = f, *all = f + rounds, *one_cpu = f + 2 * rounds, *all_cpu = f + 3 * rounds;
	if (cores_round(n, fn, arg, scale, unit, jobs, 0, &all_cpu[0]) < 0)
		goto out;
	for (int r = 0; r < rounds; r++) {
		one[r] = cores_round(1, fn, arg, scale, unit, jobs, 1, &one_cpu[r]);
		all[r] = cores_round(n, fn, arg, scale, unit, jobs, 1, &all_cpu[r]);
		if (one[r] < 0 || all[r] < 0)
			goto out;
	}
	for (int k = 0; k < 4; k++)
		qsort(f + k * rounds, (size_t)rounds, sizeof(double), cmp_double);
	int m = rounds / 2;
	ratio = all[m] / one[m];
	printf("medians of %d rounds: %.2f %s on one core, %.2f on %d: scaling %.2fx; the shards' sums of their work per CPU "
	       "second: %.2f and %.2f, %.2fx (a CPU the host slows lowers the first ratio, not the second)\n",
	       rounds, one[m], unit, all[m], n, ratio, one_cpu[m], all_cpu[m], all_cpu[m] / one_cpu[m]);
out:
	free(jobs);
	free(f);
	return ratio;
}
