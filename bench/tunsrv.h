/* What the bench servers on a TUN (stack_synack, stack_lwip) share: their options and the
 * opening of the device with its kernel side configured. */
#ifndef SK_BENCH_TUNSRV_H
#define SK_BENCH_TUNSRV_H

#include <arpa/inet.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link/tun.h"
#include "run/supervise.h"

/* Set by SIGTERM/SIGINT (on_signal), or by a shard's thread: the server's loop ends and it
 * prints its counters. (A lock-free atomic: safe in a handler and between threads.) */
static atomic_int stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGTERM and SIGINT set stop. */
static void tunsrv_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct tunsrv_opts {
	const char *tun;
	uint32_t host, addr, mtu; /* kernel side, the stack (host order), link MTU */
	int prefix, port;
	int offload; /* TUN checksum/TSO offloads (synack only) */
	int v6;      /* --host and --addr are IPv6 (host6, addr6) */
	uint8_t host6[16], addr6[16];
	unsigned busy_poll; /* --busy-poll: microseconds (tunsrv_spin) */
	int cores;          /* --cores: shards, one per queue of a multi-queue TUN (synack only) */
};

/* An IPv4 address into *a, or an IPv6 one into a6 (*v6 set): 0, or -1 for neither. */
static int tunsrv_ip(const char *s, uint32_t *a, uint8_t a6[16], int *v6)
{
	struct in_addr in;
	if (s && inet_pton(AF_INET, s, &in) == 1) {
		*a = ntohl(in.s_addr);
		return 0;
	}
	if (!s || inet_pton(AF_INET6, s, a6) != 1)
		return -1;
	*v6 = 1;
	return 0;
}

/* Parses [--tun NAME] [--host IP] [--addr IP] [--prefix N] [--port P] [--mtu M]
 * [--busy-poll USEC] and, when offload_ok (synack's), [--offload 0|1] [--cores N]. Prints the usage and returns
 * -1 on anything else. IPv6 --host and --addr (both) make an IPv6 link (prefix 64 unless
 * given). */
static int tunsrv_parse(struct tunsrv_opts *o, int argc, char **argv, const char *prog, int offload_ok)
{
	*o = (struct tunsrv_opts){"skbench0", 0xc0000201u, 0xc0000202u, 1500, -1, 5201, offload_ok, 0, {0}, {0},
				  SK_BUSY_POLL_US, 1};
	int six_host = 0, six_addr = 0;
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int ok = v != NULL;
		if (!strcmp(argv[i], "--tun") && v)
			o->tun = v;
		else if (!strcmp(argv[i], "--host"))
			ok = tunsrv_ip(v, &o->host, o->host6, &six_host) == 0;
		else if (!strcmp(argv[i], "--addr"))
			ok = tunsrv_ip(v, &o->addr, o->addr6, &six_addr) == 0;
		else if (!strcmp(argv[i], "--prefix") && v)
			o->prefix = atoi(v);
		else if (!strcmp(argv[i], "--port") && v)
			o->port = atoi(v);
		else if (!strcmp(argv[i], "--mtu") && v)
			o->mtu = (uint32_t)atoi(v);
		else if (!strcmp(argv[i], "--offload") && v && offload_ok)
			o->offload = atoi(v);
		else if (!strcmp(argv[i], "--cores") && v && offload_ok)
			ok = (o->cores = atoi(v)) >= 1 && o->cores <= 64;
		else if (!strcmp(argv[i], "--busy-poll"))
			ok = sk_busy_poll_arg(prog, v, &o->busy_poll) == 0;
		else
			ok = 0;
		if (!ok || o->mtu < 576 || o->mtu > 65535 || o->prefix < -1 || o->prefix > 128) {
			fprintf(stderr,
				"usage: %s [--tun NAME] [--host IP] [--addr IP] [--prefix N] [--port P] [--mtu M] [--busy-poll USEC]%s\n",
				prog, offload_ok ? " [--offload 0|1] [--cores N]" : "");
			return -1;
		}
	}
	o->v6 = six_host;
	if (six_host != six_addr || o->prefix > (o->v6 ? 128 : 32)) {
		fprintf(stderr, "%s: --host and --addr of one family, and a prefix that fits it\n", prog);
		return -1;
	}
	if (o->prefix < 0)
		o->prefix = o->v6 ? 64 : 24;
	return 0;
}

/* Busy polling, as synack's tools do it (src/run/supervise.c): after a round that found
 * packets, the server's loop reads again without sleeping for up to spin microseconds,
 * which adapts between 0 and --busy-poll (sk_spin_adapt) from how long each sleep lasted.
 * None on a single CPU. */
struct tunsrv_spin {
	unsigned max, spin;
	uint64_t last_work;
};

static void tunsrv_spin_init(struct tunsrv_spin *s, unsigned max)
{
	*s = (struct tunsrv_spin){sk_spin_max(max), 0, 0};
}

/* After a round that read n packets at now: 1 to read again at once, 0 to sleep. */
static int tunsrv_spinning(struct tunsrv_spin *s, int n, uint64_t now)
{
	if (n)
		s->last_work = now;
	return n || now - s->last_work < s->spin;
}

/* After a sleep of slept_us. */
static void tunsrv_slept(struct tunsrv_spin *s, uint64_t slept_us)
{
	if (s->max)
		sk_spin_adapt(&s->spin, s->max, slept_us);
}

/* n packet buffers in one block (returned, for free), each what the device may hand over
 * in one read (the MTU, or 64 KiB with offloads) rounded up to a cache line: bufs[i], of
 * *cap bytes. NULL after a one-line message. */
static inline uint8_t *tunsrv_bufs(struct sk_dev *dev, uint8_t **bufs, int n, size_t *cap, const char *prog)
{
	*cap = (sk_tun_rx_cap(dev) + 63) & ~(size_t)63;
	uint8_t *block = malloc(*cap * (size_t)n);
	if (!block) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		bufs[i] = block + (size_t)i * *cap;
	return block;
}

/* Opens the TUN (with --cores above 1, one more queue of a multi-queue TUN); NULL after a
 * one-line message. */
static struct sk_dev *tunsrv_open_queue(const struct tunsrv_opts *o, const char *prog)
{
	char why[128] = "";
	int err = 0;
	unsigned fl = (o->offload ? 0 : SK_TUN_NO_OFFLOAD) | (o->cores > 1 ? SK_TUN_MULTI_QUEUE : 0);
	struct sk_dev *dev = sk_tun_open(o->tun, SK_TUN, fl, o->mtu, &err, why, sizeof(why));
	if (!dev)
		fprintf(stderr, "%s: %s\n", prog, why);
	return dev;
}

/* Opens the TUN (its first queue) and gives the kernel side its address; NULL after a
 * one-line message. */
static struct sk_dev *tunsrv_open(const struct tunsrv_opts *o, const char *prog)
{
	char why[128] = "";
	struct sk_dev *dev = tunsrv_open_queue(o, prog);
	if (dev && (o->v6 ? sk_tun_host_config6(o->tun, o->host6, (uint8_t)o->prefix, why, sizeof(why))
			  : sk_tun_host_config(o->tun, o->host, (uint8_t)o->prefix, why, sizeof(why))) < 0) {
		fprintf(stderr, "%s: %s\n", prog, why);
		sk_dev_close(dev);
		dev = NULL;
	}
	return dev;
}

#endif
