/* Bulk transfer between two synack stacks in one process over the in-memory link, on one
 * core: Gbit/s and CPU cycles per byte, with the application's copies in and out, clean
 * and with 1% loss. The stacks run on the real monotonic clock, as a runtime would.
 * --cores N: the clean transfer on one shard, then on one shard per core at once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cores.h"
#include "mlink.h"
#include "stack/addr.h"

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Cycles per second of this CPU, measured against the monotonic clock over 100 ms. */
static double cycles_per_s(void)
{
#if defined(__x86_64__)
	uint64_t t0 = now_us(), c0 = __builtin_ia32_rdtsc();
	while (now_us() - t0 < 100000)
		;
	uint64_t t1 = now_us(), c1 = __builtin_ia32_rdtsc();
	return (double)(c1 - c0) / ((double)(t1 - t0) * 1e-6);
#else
	return 0;
#endif
}

struct result {
	double gbps, cpu_gbps, bytes;
	uint64_t rexmits, packets, timeouts;
	int intact;
};

static int run(uint64_t bytes, double loss, struct result *r)
{
	struct mlink m;
	if (mlink_init(&m, 8192))
		return -ENOMEM;
	m.loss = loss;
	struct synack_config c;
	synack_config_defaults(&c);
	c.seed = 1;
	m.a = synack_stack_new(&c, NULL);
	c.seed = 2;
	c.secret[0] = 1;
	m.b = synack_stack_new(&c, NULL);
	if (!m.a || !m.b)
		return -ENOMEM;
	sk_add_addr4(m.a, 0x0a000001u, 24, 1500, mlink_out_to_b, &m);
	sk_add_addr4(m.b, 0x0a000002u, 24, 1500, mlink_out_to_a, &m);
	m.now = now_us();
	int l = synack_socket(m.b, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = sk_sa_from4(0, 5001);
	synack_bind(m.b, l, &a);
	synack_listen(m.b, l, 4);
	int cs = synack_socket(m.a, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	a = sk_sa_from4(0x0a000002u, 5001);
	synack_connect(m.a, cs, &a);
	mlink_drain(&m);
	int ss = synack_accept(m.b, l, NULL);
	if (ss < 0)
		return -EPROTO;
	size_t chunk = 1 << 16;
	uint8_t *out = malloc(chunk), *in = malloc(chunk);
	for (size_t i = 0; i < chunk; i++)
		out[i] = (uint8_t)(i * 7 + 1);
	uint64_t sent = 0, got = 0;
	int intact = 1;
	double c0 = cores_thread_cpu();
	uint64_t w0 = now_us();
	while (got < bytes) {
		while (sent < bytes) {
			/* to the pattern's end, or to the transfer's if that comes first */
			size_t off = (size_t)(sent % chunk), n = chunk - off;
			if (n > bytes - sent)
				n = (size_t)(bytes - sent);
			long k = synack_send(m.a, cs, out + off, n, 0);
			if (k <= 0)
				break;
			sent += (uint64_t)k;
		}
		m.now = now_us();
		mlink_drain(&m);
		for (;;) {
			long k = synack_recv(m.b, ss, in, chunk, 0);
			if (k <= 0)
				break;
			/* The data is the same 64 KiB pattern over and over: check where it lands. */
			for (long i = 0; i < k; i += 4093)
				if (in[i] != (uint8_t)(((got + (uint64_t)i) % chunk) * 7 + 1))
					intact = 0;
			got += (uint64_t)k;
		}
		m.now = now_us();
		synack_poll(m.a, m.now);
		synack_poll(m.b, m.now);
		mlink_drain(&m);
	}
	double wall = (double)(now_us() - w0) * 1e-6, cpu = cores_thread_cpu() - c0;
	struct synack_stats st;
	synack_get_stats(m.a, &st);
	r->gbps = (double)bytes * 8 / wall / 1e9;
	r->cpu_gbps = (double)bytes * 8 / cpu / 1e9;
	r->bytes = (double)bytes;
	r->rexmits = st.tcp_rexmit;
	r->timeouts = st.tcp_timeouts;
	r->packets = m.packets;
	r->intact = intact;
	free(out);
	free(in);
	synack_stack_free(m.a);
	synack_stack_free(m.b);
	mlink_free(&m);
	return 0;
}

/* One shard of --cores: a clean transfer of *arg bytes on its own pair of stacks. */
static void transfer_job(struct cores_job *j)
{
	struct result r;
	uint64_t bytes = *(const uint64_t *)j->arg;
	j->done = -1;
	if (run(bytes, 0, &r) == 0 && r.intact) {
		j->done = (long)bytes;
		j->cpu_s = r.bytes * 8 / (r.cpu_gbps * 1e9);
	}
}

/* --cores N: Gbit/s of wall time, one shard against one per core (issue 15: at least 1.7x
 * from 1 to 2). */
static int bench_cores(int n, uint64_t bytes)
{
	printf("bulk transfer, %llu MiB per shard and round, clean, intact:\n", (unsigned long long)(bytes >> 20));
	return cores_scaling(n, 5, transfer_job, &bytes, 8e-9, "Gbit/s") < 0;
}

int main(int argc, char **argv)
{
	uint64_t bytes = 2ull << 30;
	int cores = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--cores")) {
			if ((cores = cores_parse("bench-transfer", argv[++i])) < 0)
				return 2;
			continue;
		}
		bytes = strtoull(argv[i], &end, 0) << 20;
		if (*end || bytes == 0) {
			fprintf(stderr, "usage: bench-transfer [--cores N] [MIB]\n");
			return 2;
		}
	}
	if (cores)
		return bench_cores(cores, bytes);
	double hz = cycles_per_s();
	struct result clean, lossy;
	if (run(bytes, 0, &clean) || run(bytes / 4, 0.01, &lossy)) {
		fprintf(stderr, "bench-transfer: setup failed\n");
		return 1;
	}
	printf("bulk transfer, one core, MSS 1460 (1448 with timestamps), app copies included\n");
	printf("  clean:   %.2f Gbit/s (%.2f per CPU second), %.2f cycles/byte, %llu packets, %s\n", clean.gbps,
	       clean.cpu_gbps, hz ? hz / (clean.cpu_gbps * 1e9 / 8) : 0.0, (unsigned long long)clean.packets,
	       clean.intact ? "intact" : "CORRUPT");
	printf("  1%% loss: %.2f Gbit/s (%.2f per CPU second), %llu retransmissions, %llu timeouts, %s: %.0f%% of clean\n", lossy.gbps,
	       lossy.cpu_gbps, (unsigned long long)lossy.rexmits, (unsigned long long)lossy.timeouts, lossy.intact ? "intact" : "CORRUPT",
	       100.0 * lossy.gbps / clean.gbps);
	return clean.intact && lossy.intact ? 0 : 1;
}
