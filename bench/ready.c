/* Readiness at scale: N idle connections and one active between two synack stacks over an
 * in-memory link, the server learning what to serve from synack_ready alone. Run under
 * callgrind by bench/ready.sh, which counts the instructions spent inside synack_ready
 * (the floor: the same within 10% at 100 and 100,000 idle connections). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/synack.h>

#include "mlink.h"
#include "stack/addr.h"

/* Under callgrind, only the rounds count: the setup's costs are zeroed before them.
 * Without valgrind's headers (Debian's valgrind package has them) the marks are nothing. */
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#endif

#define CLIENT 0x0a000001u
#define SERVER 0x0a000002u
#define NPORTS 8 /* server ports: 8 x 28k ephemeral ports > 100k 4-tuples */
#define BATCH 500

static void die(const char *what)
{
	fprintf(stderr, "bench-ready: %s\n", what);
	exit(1);
}

/* Serves every socket synack_ready names on st: accepts, echoes what it reads (until
 * EAGAIN, as edge triggering asks). Returns the number of events. */
static int serve(synack_stack *st, const int *listener, int echo)
{
	struct synack_ready_event ev[64];
	int n = synack_ready(st, ev, 64), total = 0;
	for (; n > 0; n = synack_ready(st, ev, 64)) {
		total += n;
		for (int i = 0; i < n; i++) {
			int s = ev[i].sock;
			if (listener[s]) {
				while (synack_accept(st, s, NULL) >= 0)
					;
				continue;
			}
			char buf[256];
			ssize_t r;
			while ((r = synack_recv(st, s, buf, sizeof(buf), 0)) > 0)
				if (echo && synack_send(st, s, buf, (size_t)r, 0) != r)
					die("echo failed");
		}
	}
	if (n < 0)
		die("synack_ready failed");
	return total;
}

int main(int argc, char **argv)
{
	long idle = argc > 1 ? atol(argv[1]) : 100, rounds = argc > 2 ? atol(argv[2]) : 1000;
	if (argc > 3 || idle < 0 || idle > 200000 || rounds < 1 || rounds > 10000000) {
		fprintf(stderr, "usage: bench-ready [IDLE (0-200000)] [ROUNDS]\n");
		return 2;
	}
	struct mlink m;
	if (mlink_init(&m, 4 * BATCH + 64))
		die("out of memory");
	m.a = mlink_stack(1, CLIENT, mlink_out_to_b, &m, 1);
	m.b = mlink_stack(2, SERVER, mlink_out_to_a, &m, 1);
	static int is_listener[1 << 20];
	for (int p = 0; p < NPORTS; p++) {
		int l = synack_socket(m.b, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
		struct synack_sockaddr a = sk_sa_from4(0, (uint16_t)(6000 + p));
		if (l < 0 || synack_bind(m.b, l, &a) < 0 || synack_listen(m.b, l, 1 << 30) < 0)
			die("listen failed");
		is_listener[l] = 1;
	}
	/* The idle connections and the active one, the server accepting from readiness. */
	int active = -1;
	for (long i = 0; i <= idle; i += BATCH) {
		for (long j = i; j <= idle && j < i + BATCH; j++) {
			int k = synack_socket(m.a, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
			struct synack_sockaddr to = sk_sa_from4(SERVER, (uint16_t)(6000 + j % NPORTS));
			if (k < 0 || synack_connect(m.a, k, &to) != -EINPROGRESS)
				die("connect failed");
			if (j == 0)
				active = k;
		}
		mlink_drain(&m);
		serve(m.b, is_listener, 0);
	}
	struct synack_stats s;
	synack_get_stats(m.b, &s);
	if (s.conns < (uint64_t)idle + 1)
		die("not every connection was established");
	/* The active one: one-byte round trips, the server finding it by synack_ready. */
	long served = 0;
	CALLGRIND_ZERO_STATS;
	for (long r = 0; r < rounds; r++) {
		if (synack_send(m.a, active, "x", 1, 0) != 1)
			die("send failed");
		m.now += 100;
		mlink_drain(&m);
		served += serve(m.b, is_listener, 1);
		mlink_drain(&m);
		char c;
		if (synack_recv(m.a, active, &c, 1, 0) != 1)
			die("no echo");
		mlink_advance(&m, m.now);
	}
	printf("idle %ld rounds %ld server events %ld connections %llu\n", idle, rounds, served,
	       (unsigned long long)s.conns);
	synack_stack_free(m.a);
	synack_stack_free(m.b);
	mlink_free(&m);
	return served >= rounds ? 0 : 1;
}
