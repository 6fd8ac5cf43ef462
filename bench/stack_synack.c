/* stack_synack: synack as a server on a TUN device, one thread per shard, for bench/real.sh.
 *
 *   stack_synack [--tun NAME] [--host A.B.C.D] [--addr A.B.C.D] [--prefix N] [--port P] [--mtu M]
 *                [--offload 0|1] [--busy-poll USEC] [--cores N]
 *
 * (or IPv6 --host and --addr). Opens (creating) the TUN device NAME, gives its kernel side the address --host and
 * brings it up, runs a synack stack at --addr behind it and listens on --port. Each
 * connection's first byte picks what the server does, as in `kperf server`: 'S' or 'C'
 * sink (read to end of stream, then close), 'R' source (send until the peer goes), 'E'
 * echo. Prints "ready" on stdout once listening; on SIGTERM or SIGINT prints the stack's
 * counters on stderr and exits 0.
 *
 * The event loop: read a batch of packets from the TUN (one read(2) each), hand them to
 * synack_input_batch, run synack_poll when its deadline has come, then serve the sockets
 * synack_ready names (accept, recv until -EAGAIN, send until -EAGAIN); when the TUN has nothing, it reads
 * again for up to --busy-poll microseconds (default 50, adapting, as synack's tools do:
 * tunsrv.h), then poll(2)s its fd until the stack's next deadline. The stack uses its
 * defaults (Linux's).
 *
 * --cores N: N shards, each a stack of its own (same address, same listening port, same
 * secret: a shard sending SYN cookies checks another's) on its own thread, pinned to the N
 * CPUs the process may use in turn, reading its own queue of a multi-queue TUN. The kernel
 * sends a flow's packets to the queue its last packet was written on (else picks one by
 * the flow's hash), so a flow stays with the shard that answered its SYN. A segment that
 * reaches a shard without its connection goes round the others (<synack/shards.h>), and is
 * answered by the last one asked if none owns it. With a shard on every CPU the process may
 * use, no shard busy-polls (--busy-poll is ignored). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <synack/shards.h>
#include <synack/synack.h>

#include "link/tun.h"
#include "tunsrv.h"
#include "stack/addr.h"

#define BATCH 64
#define IO_CHUNK (256 * 1024)

enum { M_NONE = 0, M_SINK, M_SOURCE, M_ECHO };

struct conn {
	int sock;
	int mode;
	uint32_t pend_off, pend_len; /* echo: bytes received and not yet sent back */
	uint8_t *pend;
};

static _Thread_local uint8_t io[IO_CHUNK]; /* each shard's scratch for sink and source */

struct shard {
	int index, n;
	synack_shards *group;
	synack_stack *st;
	struct sk_dev *dev;
	int listener, cpu, fail;
	struct conn *conns;
	size_t nconns, capconns;
	uint64_t out_errors, packets, batches, polls, idle_us;
	pthread_t thread;
};

static int out(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct shard *sh = ctx;
	int r = sk_dev_send(sh->dev, pkt, len, now);
	if (r < 0)
		sh->out_errors++;
	return r;
}

/* A TCP segment's payload straight from the send buffer (synack_set_output_sg). */
static int out_sg(void *ctx, const uint8_t *hdr, size_t hlen, const struct iovec *pl, int n, uint64_t now)
{
	struct shard *sh = ctx;
	int r = sk_dev_send_sg(sh->dev, hdr, hlen, pl, n, now);
	if (r < 0)
		sh->out_errors++;
	return r;
}

static void conn_close(synack_stack *st, struct conn *c)
{
	synack_close(st, c->sock);
	free(c->pend);
	c->pend = NULL;
	c->sock = -1;
}

/* Serves one connection as far as it can go now. */
static void serve(synack_stack *st, struct conn *c)
{
	ssize_t r;
	if (c->mode == M_NONE) {
		uint8_t m;
		r = synack_recv(st, c->sock, &m, 1, 0);
		if (r == -EAGAIN)
			return;
		if (r <= 0) {
			conn_close(st, c);
			return;
		}
		c->mode = m == 'S' || m == 'C' ? M_SINK : m == 'R' ? M_SOURCE : m == 'E' ? M_ECHO : -1;
		if (c->mode < 0) {
			fprintf(stderr, "stack_synack: unknown mode byte 0x%02x\n", m);
			conn_close(st, c);
			return;
		}
		if (c->mode == M_ECHO) {
			int one = 1;
			synack_setsockopt(st, c->sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_NODELAY, &one, sizeof(one));
			c->pend = malloc(IO_CHUNK);
			if (!c->pend) {
				conn_close(st, c);
				return;
			}
		}
	}
	switch (c->mode) {
	case M_SINK:
		while ((r = synack_recv(st, c->sock, io, sizeof(io), 0)) > 0)
			;
		if (r != -EAGAIN)
			conn_close(st, c); /* end of stream (or an error): close, which sends our FIN */
		return;
	case M_SOURCE:
		while ((r = synack_send(st, c->sock, io, sizeof(io), 0)) > 0)
			;
		if (r != -EAGAIN) {
			conn_close(st, c);
			return;
		}
		/* The client never sends more; its end of stream or reset ends the test. */
		while ((r = synack_recv(st, c->sock, io, sizeof(io), 0)) > 0)
			;
		if (r != -EAGAIN)
			conn_close(st, c);
		return;
	case M_ECHO:
		for (;;) {
			while (c->pend_len) {
				r = synack_send(st, c->sock, c->pend + c->pend_off, c->pend_len, 0);
				if (r == -EAGAIN)
					return;
				if (r < 0) {
					conn_close(st, c);
					return;
				}
				c->pend_off += (uint32_t)r;
				c->pend_len -= (uint32_t)r;
			}
			r = synack_recv(st, c->sock, c->pend, IO_CHUNK, 0);
			if (r == -EAGAIN)
				return;
			if (r <= 0) {
				conn_close(st, c);
				return;
			}
			c->pend_off = 0;
			c->pend_len = (uint32_t)r;
		}
	}
}

/* Accepts every connection waiting on L into *CONNS (indexed by socket handle) and serves
 * each once (a new socket has no readiness reported yet). -1 when out of memory. */
static int accept_all(synack_stack *st, int l, struct conn **conns, size_t *cap, size_t *n)
{
	int s;
	while ((s = synack_accept(st, l, NULL)) >= 0) {
		if ((size_t)s >= *cap) {
			size_t bigger = *cap;
			while (bigger <= (size_t)s)
				bigger *= 2;
			struct conn *v = realloc(*conns, bigger * sizeof(*v));
			if (!v) {
				synack_close(st, s);
				return -1;
			}
			for (size_t i = *cap; i < bigger; i++)
				v[i] = (struct conn){.sock = -1};
			*conns = v;
			*cap = bigger;
		}
		struct conn *c = &(*conns)[s];
		*c = (struct conn){.sock = s};
		(*n)++;
		serve(st, c);
		if (c->sock < 0)
			(*n)--;
	}
	return 0;
}

/* A shard's stack at the server's address, listening on its port; 0, or -1 after a message. */
static int shard_setup(struct shard *sh, const struct tunsrv_opts *o, const struct synack_config *cfg)
{
	int err = 0;
	sh->st = synack_stack_new(cfg, &err);
	if (!sh->st) {
		fprintf(stderr, "stack_synack: synack_stack_new: %s\n", strerror(-err));
		return -1;
	}
	struct synack_ip ip = sk_ip_from4(o->addr);
	if (o->v6) {
		ip.family = SYNACK_AF_INET6;
		memcpy(ip.bytes, o->addr6, 16);
	}
	if ((err = synack_add_addr(sh->st, &ip, (uint8_t)o->prefix, o->mtu, out, sh)) < 0) {
		fprintf(stderr, "stack_synack: synack_add_addr: %s\n", strerror(-err));
		return -1;
	}
	if (sk_tun_gso_max(sh->dev)) { /* the TUN cuts TCP segments and completes their checksums */
		synack_set_gso(sh->st, err, sk_tun_gso_max(sh->dev));
		synack_set_csum_offload(sh->st, err, 1);
		synack_set_output_sg(sh->st, err, out_sg);
	}
	int l = sh->listener = synack_socket(sh->st, ip.family, SYNACK_SOCK_STREAM);
	struct synack_sockaddr la = synack_sa_any(ip.family, (uint16_t)o->port);
	int one = 1;
	if (l < 0 || synack_setsockopt(sh->st, l, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    synack_bind(sh->st, l, &la) < 0 || synack_listen(sh->st, l, 4096) < 0) {
		fprintf(stderr, "stack_synack: cannot listen on port %d\n", o->port);
		return -1;
	}
	sh->capconns = 64;
	sh->conns = malloc(sh->capconns * sizeof(*sh->conns));
	if (!sh->conns) {
		fprintf(stderr, "stack_synack: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < sh->capconns; i++)
		sh->conns[i] = (struct conn){.sock = -1};
	return 0;
}

static const struct tunsrv_opts *opts;

/* Ends every shard's loop: each polls its group descriptor too, woken here. */
static void stop_all(struct shard *sh)
{
	stop = 1;
	for (int i = 0; i < sh->n; i++)
		synack_shards_wake(sh->group, i);
}

/* A shard that cannot go on stops them all, so that the server exits with an error rather
 * than leave its TUN queue unread (flows the kernel steers there would be lost). */
static void *shard_fail(struct shard *sh)
{
	sh->fail = 1;
	stop_all(sh);
	return NULL;
}

/* A shard's loop, until SIGTERM or SIGINT. */
static void *shard_main(void *arg)
{
	struct shard *sh = arg;
	synack_stack *st = sh->st;
	if (sh->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(sh->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	size_t cap, lens[BATCH];
	uint8_t *bufs[BATCH], verified[BATCH];
	uint8_t *block = tunsrv_bufs(sh->dev, bufs, BATCH, &cap, "stack_synack");
	if (!block)
		return shard_fail(sh);
	int fd = sk_dev_fd(sh->dev), l = sh->listener;
	struct tunsrv_spin spin;
	tunsrv_spin_init(&spin, opts->busy_poll);
	while (!stop) {
		int n = sk_tun_recv_batch(sh->dev, bufs, cap, lens, verified, BATCH);
		if (n < 0) {
			fprintf(stderr, "stack_synack: read %s: %s\n", opts->tun, strerror(-n));
			shard_fail(sh);
			break;
		}
		uint64_t now = now_us();
		/* one batch (the host's own packets come with checksums partial) */
		synack_shards_input_batch(sh->group, sh->index, (const uint8_t *const *)bufs, lens, verified, (size_t)n,
					  now);
		if (n) {
			sh->packets += (uint64_t)n;
			sh->batches++;
		}
		synack_shards_take(sh->group, sh->index, now);
		if (synack_next_deadline(st) <= now)
			synack_poll(st, now);

		/* Only the sockets something happened to (synack_ready), so that a server holding
		 * 100,000 idle connections does not visit each of them after every read. */
		struct synack_ready_event ev[256];
		int ne;
		while ((ne = synack_ready(st, ev, 256)) > 0) {
			for (int i = 0; i < ne; i++) {
				int sk = ev[i].sock;
				if (sk == l) {
					if (accept_all(st, l, &sh->conns, &sh->capconns, &sh->nconns) < 0)
						shard_fail(sh);
				} else if ((size_t)sk < sh->capconns && sh->conns[sk].sock == sk) {
					serve(st, &sh->conns[sk]);
					if (sh->conns[sk].sock < 0)
						sh->nconns--;
				}
			}
		}

		if (!tunsrv_spinning(&spin, n, now_us())) {
			uint64_t d = synack_next_deadline(st);
			now = now_us();
			/* at most a second: a signal that came between the check of stop and the
			 * poll is seen then */
			int ms = 1000;
			if (d != UINT64_MAX)
				ms = d <= now ? 0 : (d - now + 999) / 1000 > 1000 ? 1000 : (int)((d - now + 999) / 1000);
			struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
					      {.fd = synack_shards_fd(sh->group, sh->index), .events = POLLIN}};
			sh->polls++;
			uint64_t t_poll = now_us();
			int pr = poll(p, sh->n > 1 ? 2 : 1, ms);
			uint64_t slept = now_us() - t_poll;
			sh->idle_us += slept;
			tunsrv_slept(&spin, slept);
			if (pr < 0 && errno != EINTR) {
				perror("stack_synack: poll");
				shard_fail(sh);
				break;
			}
		}
	}
	free(block);
	return NULL;
}

/* The CPUs the process may run on, in order; how many (at most max). */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

int main(int argc, char **argv)
{
	struct tunsrv_opts o;
	if (tunsrv_parse(&o, argc, argv, "stack_synack", 1) < 0)
		return 2;
	opts = &o;
	struct synack_config cfg;
	synack_config_defaults(&cfg);
	if (getrandom(cfg.secret, sizeof(cfg.secret), 0) != (ssize_t)sizeof(cfg.secret) ||
	    getrandom(&cfg.seed, sizeof(cfg.seed), 0) != (ssize_t)sizeof(cfg.seed)) {
		perror("stack_synack: getrandom");
		return 1;
	}
	int n = o.cores, cpus[64], ncpus = allowed_cpus(cpus, 64);
	/* Busy polling pays only on a CPU nothing else needs: with a shard on every CPU the
	 * process may use, a shard spinning after its work takes the CPU from the others that
	 * share it (the Linux peer's, in bench/real.sh: crr per CPU second 0.86x of one shard's
	 * with spinning, 0.91-0.98x without), and a flow's next packet goes to another shard as
	 * often as not. */
	if (n > 1 && ncpus <= n)
		o.busy_poll = 0;
	struct shard *sh = calloc((size_t)n, sizeof(*sh));
	if (!sh)
		return 1;
	for (int i = 0; i < n; i++) {
		sh[i].index = i;
		sh[i].n = n;
		/* one shard: where the caller's taskset put the process; more: a CPU each */
		sh[i].cpu = n > 1 && ncpus ? cpus[i % ncpus] : -1;
		sh[i].dev = i == 0 ? tunsrv_open(&o, "stack_synack") : tunsrv_open_queue(&o, "stack_synack");
		if (!sh[i].dev)
			return 1;
		cfg.seed += (uint64_t)i; /* the secret stays: one shard's cookie is another's */
		if (shard_setup(&sh[i], &o, &cfg) < 0)
			return 1;
	}
	synack_stack *stacks[64];
	for (int i = 0; i < n; i++)
		stacks[i] = sh[i].st;
	synack_shards *group = synack_shards_new(n, stacks);
	if (!group) {
		perror("stack_synack: synack_shards_new");
		return 1;
	}
	for (int i = 0; i < n; i++)
		sh[i].group = group;

	tunsrv_signals();
	uint64_t t_start = now_us();
	printf("ready\n");
	fflush(stdout);
	/* SIGTERM and SIGINT interrupt shard 0's poll (the other shards' threads block them);
	 * a shard that stops wakes the others through their descriptors (stop_all). */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	for (int i = 1; i < n; i++)
		if (pthread_create(&sh[i].thread, NULL, shard_main, &sh[i])) {
			fprintf(stderr, "stack_synack: cannot start shard %d's thread\n", i);
			return 1;
		}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	shard_main(&sh[0]);
	stop_all(&sh[0]); /* (also when shard 0 ended on an error) */
	for (int i = 1; i < n; i++)
		pthread_join(sh[i].thread, NULL);

	int fail = 0;
	for (int i = 0; i < n; i++) {
		struct synack_stats x;
		struct synack_shard_stats ss;
		synack_get_stats(sh[i].st, &x);
		synack_shards_stats(group, i, &ss);
		fail |= sh[i].fail;
		char pre[24] = "";
		if (n > 1)
			snprintf(pre, sizeof(pre), "shard %d: ", i);
		fprintf(stderr,
			"stack_synack: %s%.1f s, %.1f s of it waiting in poll; packets in %llu in %llu batches, %llu polls; ip_in %llu ip_out %llu tcp_in %llu "
			"tcp_out %llu rexmit %llu timeouts %llu fast_rexmit %llu ooo %llu drop_no_socket %llu "
			"drop_out_of_window %llu passive_opens %llu syncookies %llu aq_overflow %llu output_errors %llu "
			"conns %llu time_wait %llu held %zu strays_handed %llu strays_taken %llu strays_dropped %llu\n",
			pre, (double)(now_us() - t_start) * 1e-6, (double)sh[i].idle_us * 1e-6,
			(unsigned long long)sh[i].packets, (unsigned long long)sh[i].batches, (unsigned long long)sh[i].polls,
			(unsigned long long)x.ip_in, (unsigned long long)x.ip_out, (unsigned long long)x.tcp_in,
			(unsigned long long)x.tcp_out, (unsigned long long)x.tcp_rexmit, (unsigned long long)x.tcp_timeouts,
			(unsigned long long)x.tcp_fast_retransmits, (unsigned long long)x.tcp_ooo_segments,
			(unsigned long long)x.tcp_drop_no_socket, (unsigned long long)x.tcp_drop_out_of_window,
			(unsigned long long)x.tcp_passive_opens, (unsigned long long)x.syncookies_sent,
			(unsigned long long)x.accept_queue_overflow, (unsigned long long)(x.output_errors + sh[i].out_errors),
			(unsigned long long)x.conns, (unsigned long long)x.time_wait, sh[i].nconns,
			(unsigned long long)ss.handed, (unsigned long long)ss.taken, (unsigned long long)ss.dropped);
		for (size_t k = 0; k < sh[i].capconns; k++)
			if (sh[i].conns[k].sock >= 0)
				conn_close(sh[i].st, &sh[i].conns[k]);
		synack_close(sh[i].st, sh[i].listener);
	}
	synack_shards_free(group);
	for (int i = 0; i < n; i++) {
		synack_stack_free(sh[i].st);
		sk_dev_close(sh[i].dev);
		free(sh[i].conns);
	}
	free(sh);
	return fail;
}
