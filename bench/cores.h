/* Runs the same job on several cores at once, one pinned thread each (one shard per core:
 * its own stacks, link and memory, nothing shared), for the benches' scaling figures. */
#ifndef SK_BENCH_CORES_H
#define SK_BENCH_CORES_H

struct cores_job {
	int index;      /* 0 .. n-1; the job runs pinned to CPU index */
	void *arg;      /* the caller's, the same for every job */
	double cpu_s;   /* the job's own thread CPU time, which it may set */
	long done;      /* units of work the job did (life cycles, bytes), which it sets; -1: failed */
};

#include <time.h>

/* A clock's reading in seconds (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, ...). */
double cores_clock(clockid_t clock);
/* The thread's CPU time in seconds. */
double cores_thread_cpu(void);

/* Starts n jobs together (a barrier releases them at once), each on its own thread pinned to
 * CPU i, waits for all and returns the wall time from the release to the last one's end, or
 * a negative value if a thread could not be started or pinned (with a message). */
double cores_run(int n, void (*fn)(struct cores_job *), void *arg, struct cores_job *jobs);

/* The scaling figure: a warm-up round of n shards (a thread's first round pays for its
 * malloc arena's growth), then rounds rounds of one shard on CPU 0 and of n shards at once,
 * alternating. Prints each round (work per second of wall time, times scale, in unit, and
 * each shard's per CPU second) and the medians; returns the ratio of the medians (n shards
 * over one), or -1 if a job failed (done < 0) or the threads could not run. */
double cores_scaling(int n, int rounds, void (*fn)(struct cores_job *), void *arg, double scale, const char *unit);

/* Parses --cores N's N (1..64): N, or -1 with a message. */
int cores_parse(const char *prog, const char *s);

#endif
