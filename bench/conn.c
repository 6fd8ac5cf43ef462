/* Connection-management scale: full life cycles per second, a million concurrent
 * connections and their memory, timer work per poll at 1k and 1M idle connections, and a
 * flood of a million spoofed SYNs, between two synack stacks over an in-memory link; with
 * --ipv6 the connections (not the flood) are over IPv6; --huge: ten million concurrent
 * pairs instead of all that (about 14 GB); --cores N: only the life cycles, on one shard and
 * then on one shard per core at once, and how they scale. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <synack/synack.h>

#include "cores.h"
#include "mlink.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "stack/addr.h"

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u
#define NPORTS 400 /* server ports: 400 x 28k ephemeral ports > 10M 4-tuples (--huge) */

static _Thread_local int listeners[NPORTS]; /* per shard (--cores) */
static int ipv6; /* --ipv6: the stacks also have 2001:db8::A, and connect over it */

/* The server's address for port, in the run's family. */
static struct synack_sockaddr server_at(uint16_t port)
{
	struct synack_sockaddr a = sk_sa_from4(SERVER, port);
	if (ipv6) {
		struct synack_ip ip = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
		a.ip = ip;
	}
	return a;
}

static void add_ipv6(synack_stack *st, uint8_t last, synack_output_fn out, void *ctx)
{
	struct synack_ip ip = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = last}};
	if (synack_add_addr(st, &ip, 64, 1500, out, ctx) < 0) {
		fprintf(stderr, "bench-conn: cannot add an IPv6 address\n");
		exit(1);
	}
}

static void setup(struct mlink *m, size_t inbox, int defaults)
{
	if (mlink_init(m, inbox)) {
		fprintf(stderr, "bench-conn: out of memory\n");
		exit(1);
	}
	m->a = mlink_stack(1, CLIENT, mlink_out_to_b, m, 1);
	m->b = mlink_stack(2, SERVER, mlink_out_to_a, m, !defaults);
	if (ipv6) {
		add_ipv6(m->a, 1, mlink_out_to_b, m);
		add_ipv6(m->b, 2, mlink_out_to_a, m);
	}
	for (int p = 0; p < NPORTS; p++) {
		listeners[p] = synack_socket(m->b, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, SYNACK_SOCK_STREAM);
		struct synack_sockaddr a = synack_sa_any(ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, (uint16_t)(6000 + p));
		if (synack_bind(m->b, listeners[p], &a) < 0 || synack_listen(m->b, listeners[p], 1 << 30) < 0) {
			fprintf(stderr, "bench-conn: listen failed\n");
			exit(1);
		}
	}
}

static void teardown(struct mlink *m)
{
	synack_stack_free(m->a);
	synack_stack_free(m->b);
	mlink_free(m);
}

static double wall(void)
{
	return cores_clock(CLOCK_MONOTONIC);
}

static double cpu(void)
{
	return cores_clock(CLOCK_PROCESS_CPUTIME_ID);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Heap bytes in use: exact, unlike RSS, which moves by pages and keeps freed memory. */
static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static int open_one(struct mlink *m, int i)
{
	int c = synack_socket(m->a, ipv6 ? SYNACK_AF_INET6 : SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = server_at((uint16_t)(6000 + i % NPORTS));
	if (c < 0 || synack_connect(m->a, c, &a) != -EINPROGRESS)
		return -1;
	return c;
}

/* ---- 1. life cycles per second ---- */
/* n life cycles on m, in batches of a thousand: the number that failed. */
static size_t lifecycle_loop(struct mlink *m, size_t n)
{
	size_t batch = 1000, done = 0, failed = 0;
	int *cs = malloc(batch * sizeof(int)), *ss = malloc(batch * sizeof(int));
	uint8_t b = 'x';
	if (!cs || !ss) {
		fprintf(stderr, "bench-conn: out of memory\n");
		exit(1);
	}
	while (done < n) {
		for (size_t i = 0; i < batch; i++)
			cs[i] = open_one(m, (int)(done + i));
		mlink_drain(m);
		for (size_t i = 0; i < batch; i++) {
			ss[i] = synack_accept(m->b, listeners[(done + i) % NPORTS], NULL);
			if (ss[i] < 0 || cs[i] < 0 || synack_send(m->a, cs[i], &b, 1, 0) != 1)
				failed++;
		}
		mlink_drain(m);
		for (size_t i = 0; i < batch; i++) {
			uint8_t r;
			if (ss[i] >= 0 && (synack_recv(m->b, ss[i], &r, 1, 0) != 1 || synack_send(m->b, ss[i], &b, 1, 0) != 1))
				failed++;
		}
		mlink_drain(m);
		for (size_t i = 0; i < batch; i++) {
			uint8_t r;
			if (cs[i] >= 0 && synack_recv(m->a, cs[i], &r, 1, 0) != 1)
				failed++;
			if (cs[i] >= 0)
				synack_close(m->a, cs[i]);
		}
		mlink_drain(m);
		for (size_t i = 0; i < batch; i++)
			if (ss[i] >= 0)
				synack_close(m->b, ss[i]);
		mlink_drain(m);
		/* Virtual time moves 1 s per batch: delayed ACKs fire, TIME-WAIT (60 s)
		 * records expire and their 4-tuples come back. */
		mlink_advance(m, m->now + 1000000);
		done += batch;
	}
	free(cs);
	free(ss);
	return failed;
}

static void bench_lifecycles(size_t n)
{
	struct mlink m;
	setup(&m, 4096, 0);
	double t0 = wall(), c0 = cpu();
	size_t failed = lifecycle_loop(&m, n);
	double dt = wall() - t0, dc = cpu() - c0;
	struct synack_stats sa, sb;
	synack_get_stats(m.a, &sa);
	synack_get_stats(m.b, &sb);
	printf("life cycles: %zu in %.3f s wall, %.3f s CPU: %.0f per second (one core), %.0f packets/s, %zu failed\n",
	       n, dt, dc, (double)n / dc, (double)m.packets / dc, failed);
	printf("  client: conns %llu time-wait %llu (created %llu); server conns %llu\n", (unsigned long long)sa.conns,
	       (unsigned long long)sa.time_wait, (unsigned long long)sa.tw_created, (unsigned long long)sb.conns);
	teardown(&m);
}

/* One shard of --cores: its own pair of stacks and link on its own core. */
static void lifecycle_job(struct cores_job *j)
{
	size_t n = *(const size_t *)j->arg;
	struct mlink m;
	setup(&m, 4096, 0);
	double c0 = cores_thread_cpu();
	size_t failed = lifecycle_loop(&m, n);
	j->cpu_s = cores_thread_cpu() - c0;
	j->done = failed ? -1 : (long)n;
	teardown(&m);
}

/* ---- 2 + 3. concurrent connections, memory, poll cost ---- */
static void bench_concurrent(size_t n)
{
	struct mlink m;
	setup(&m, 4096, 0);
	long rss0 = rss_kib();
	size_t heap0 = heap_used();
	double t0 = wall();
	size_t ok = 0;
	int ka = 1;
	for (size_t i = 0; i < n; i += 1000) {
		size_t k = n - i < 1000 ? n - i : 1000;
		for (size_t j = 0; j < k; j++) {
			int c = open_one(&m, (int)(i + j));
			if (c >= 0)
				synack_setsockopt(m.a, c, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, &ka, sizeof(ka));
		}
		mlink_drain(&m);
		for (size_t j = 0; j < k; j++) {
			int s = synack_accept(m.b, listeners[(i + j) % NPORTS], NULL);
			if (s >= 0) {
				ok++;
				synack_setsockopt(m.b, s, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, &ka, sizeof(ka));
			}
		}
	}
	/* Let the handshakes' delayed work settle. */
	mlink_advance(&m, m.now + 1000000);
	double dt = wall() - t0;
	long rss1 = rss_kib();
	struct synack_stats sa, sb;
	synack_get_stats(m.a, &sa);
	synack_get_stats(m.b, &sb);
	printf("concurrent: %zu established pairs in %.2f s (client conns %llu, server conns %llu)\n", ok, dt,
	       (unsigned long long)sa.conns, (unsigned long long)sb.conns);
	size_t heap1 = heap_used();
	printf("  memory: %.0f heap bytes per idle established connection endpoint, all included "
	       "(RSS growth %ld KiB over %llu endpoints)\n",
	       (double)(heap1 - heap0) / (double)(sa.conns + sb.conns), rss1 - rss0,
	       (unsigned long long)(sa.conns + sb.conns));
	struct synack_tcp_info info;
	size_t len = sizeof(info);
	synack_getsockopt(m.b, listeners[0] + NPORTS, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &info, &len);
	printf("  TCP_INFO mem_bytes of an idle established connection: %u\n", info.mem_bytes);
	/* Timer work per poll while all are idle with keepalive armed (2 h away): poll every
	 * millisecond of virtual time for 10 s. */
	double p0 = cpu();
	int polls = 10000;
	for (int i = 0; i < polls; i++) {
		m.now += 1000;
		synack_poll(m.a, m.now);
		synack_poll(m.b, m.now);
	}
	double per = (cpu() - p0) / (2.0 * polls) * 1e9;
	printf("  poll cost with %zu idle connections per stack: %.0f ns per poll\n", ok, per);
	/* An idle connection that has been used: one request and one reply (a byte each way),
	 * everything acknowledged and read, then quiet again. What the exchange left behind
	 * (send logs, buffers) is what a server with many kept-alive connections pays. */
	uint8_t byte = 'x';
	size_t used = 0;
	for (uint32_t h = 0; h < ok; h++) {
		synack_send(m.a, (int)h, &byte, 1, 0);
		if (h % 1000 == 999)
			mlink_drain(&m);
	}
	mlink_drain(&m);
	for (uint32_t h = NPORTS; h < NPORTS + ok; h++) {
		uint8_t r;
		if (synack_recv(m.b, (int)h, &r, 1, 0) == 1 && synack_send(m.b, (int)h, &byte, 1, 0) == 1)
			used++;
		if (h % 1000 == 999)
			mlink_drain(&m);
	}
	mlink_drain(&m);
	for (uint32_t h = 0; h < ok; h++) {
		uint8_t r;
		if (synack_recv(m.a, (int)h, &r, 1, 0) != 1)
			used--;
	}
	mlink_advance(&m, m.now + 1000000);
	size_t heap_used_idle = heap_used();
	printf("  memory after one exchange: %.0f heap bytes per idle established endpoint that has sent and "
	       "received a byte (%zu of %zu exchanged)\n",
	       (double)(heap_used_idle - heap0) / (double)(sa.conns + sb.conns), used, ok);
	/* TIME-WAIT: the client closes everything first, the server answers; each client
	 * connection ends as a TIME-WAIT record and its TCB is freed. */
	for (uint32_t h = 0; h < ok; h++) {
		synack_close(m.a, (int)h);
		if (h % 1000 == 999)
			mlink_drain(&m);
	}
	mlink_drain(&m);
	for (uint32_t h = NPORTS; h < NPORTS + ok; h++) {
		synack_close(m.b, (int)h);
		if (h % 1000 == 999)
			mlink_drain(&m);
	}
	mlink_advance(&m, m.now + 1000000);
	synack_get_stats(m.a, &sa);
	synack_get_stats(m.b, &sb);
	size_t heap2 = heap_used();
	/* What is left on the client side is its TIME-WAIT records (plus the fixed tables);
	 * the server holds its listeners only. */
	printf("  after closing: client time-wait %llu, conns %llu; server conns %llu\n", (unsigned long long)sa.time_wait,
	       (unsigned long long)sa.conns, (unsigned long long)sb.conns);
	uint64_t tw = sa.time_wait;
	/* 2MSL later the records are gone; the heap they give back is their own cost. The
	 * 4-tuple table keeps its buckets (8 bytes each, at most 2 per entry). */
	mlink_advance(&m, m.now + 61000000);
	synack_get_stats(m.a, &sa);
	size_t heap3 = heap_used();
	printf("  TIME-WAIT: %.0f heap bytes per record (released at expiry; %llu left), plus at most 16 bytes of "
	       "table buckets; %.0f bytes all included\n",
	       tw ? ((double)heap2 - (double)heap3) / (double)tw : 0.0, (unsigned long long)sa.time_wait,
	       tw ? ((double)heap2 - (double)heap0) / (double)tw : 0.0);
	teardown(&m);
}

/* ---- 4. SYN flood ---- */
static void bench_flood(size_t n)
{
	struct mlink m;
	setup(&m, 4096, 1);
	/* Spoofed SYNs from addresses nobody owns; the server's answers go to the client
	 * stack, which drops them as not its own (and counts them). */
	uint8_t pkt[64];
	long rss0 = rss_kib();
	size_t legit_ok = 0, legit = 0, max_half = 0;
	double t0 = cpu();
	struct synack_config dc;
	synack_config_defaults(&dc);
	for (size_t i = 0; i < n; i++) {
		uint32_t src = 0xc6120000u | (uint32_t)(i & 0xffff); /* 198.18.0.0/16, benchmark range */
		struct sk_tcp seg = {.sport = (uint16_t)(1024 + (i >> 16)), .dport = 6000, .seq = (uint32_t)(i * 2654435761u),
				     .flags = SK_TCP_SYN, .win = 65535};
		seg.opt.has_mss = 1;
		seg.opt.mss = 1460;
		int l4 = sk_tcp_emit(pkt + 20, sizeof(pkt) - 20, src, SERVER, &seg);
		struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + l4), .ttl = 64, .proto = 6, .src = src, .dst = SERVER};
		sk_ipv4_emit(pkt, 20, &ip);
		synack_input(m.b, pkt, (size_t)(20 + l4), m.now);
		mlink_drain(&m);
		if (i % 1000 == 0) {
			/* A legitimate client in the middle of the flood. */
			legit++;
			int c = open_one(&m, 0);
			mlink_drain(&m);
			int s = synack_accept(m.b, listeners[0], NULL);
			if (c >= 0 && s >= 0 && (synack_events(m.a, c) & SYNACK_EV_OUT)) {
				legit_ok++;
				synack_close(m.a, c);
				synack_close(m.b, s);
				mlink_drain(&m);
			}
			struct synack_stats sb;
			synack_get_stats(m.b, &sb);
			if (sb.half_open > max_half)
				max_half = sb.half_open;
		}
		if (i % 100000 == 0)
			mlink_advance(&m, m.now + 100000);
	}
	double dt = cpu() - t0;
	struct synack_stats sb;
	synack_get_stats(m.b, &sb);
	printf("SYN flood: %zu spoofed SYNs in %.2f s CPU (%.0f/s); legitimate clients %zu/%zu connected\n", n, dt,
	       (double)n / dt, legit_ok, legit);
	printf("  server: half-open max %zu (tcp_max_syn_backlog %u), cookies sent %llu, RSS growth %ld KiB\n", max_half,
	       dc.tcp_max_syn_backlog, (unsigned long long)sb.syncookies_sent, rss_kib() - rss0);
	teardown(&m);
}

/* --cores N: life cycles per second of wall time, one shard against one per core (issue 15:
 * at least 1.7x from 1 to 2). */
static int bench_cores(int n, size_t cycles)
{
	printf("life cycles, %zu per shard and round, per second of wall time:\n", cycles);
	return cores_scaling(n, 5, lifecycle_job, &cycles, 1.0, "per second") < 0;
}

int main(int argc, char **argv)
{
	size_t cycles = 200000, conns = 1000000, flood = 1000000;
	int huge = 0, cores = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			cycles = 20000;
			conns = 10000;
			flood = 50000;
		} else if (!strcmp(argv[i], "--huge")) {
			huge = 1;
		} else if (!strcmp(argv[i], "--ipv6")) {
			ipv6 = 1;
		} else if (!strcmp(argv[i], "--cores")) {
			if ((cores = cores_parse("bench-conn", argv[++i])) < 0)
				return 2;
		} else {
			fprintf(stderr, "usage: bench-conn [--quick | --huge] [--ipv6] [--cores N]\n");
			return 2;
		}
	}
	if (cores)
		return bench_cores(cores, cycles);
	if (huge) {
		/* ten million connected pairs (twenty million endpoints, about 14 GB): their cost
		 * per endpoint, and the poll cost beside that of a thousand */
		bench_concurrent(1000);
		bench_concurrent(10000000);
		return 0;
	}
	if (ipv6)
		printf("(connections over IPv6)\n");
	bench_lifecycles(cycles);
	bench_concurrent(1000);
	bench_concurrent(conns);
	if (!ipv6)
		bench_flood(flood);
	return 0;
}
