/* stack_synack: synack as a server on a TUN device, one thread, for bench/real.sh.
 *
 *   stack_synack [--tun NAME] [--host A.B.C.D] [--addr A.B.C.D] [--prefix N] [--port P] [--mtu M]
 *                [--offload 0|1] [--busy-poll USEC]
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
 * defaults (Linux's). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

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

static uint8_t io[IO_CHUNK];
static uint64_t out_errors;


static int out(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	int r = sk_dev_send(ctx, pkt, len, now);
	if (r < 0)
		out_errors++;
	return r;
}

/* A TCP segment's payload straight from the send buffer (synack_set_output_sg). */
static int out_sg(void *ctx, const uint8_t *hdr, size_t hlen, const struct iovec *pl, int n, uint64_t now)
{
	int r = sk_dev_send_sg(ctx, hdr, hlen, pl, n, now);
	if (r < 0)
		out_errors++;
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

int main(int argc, char **argv)
{
	struct tunsrv_opts o;
	if (tunsrv_parse(&o, argc, argv, "stack_synack", 1) < 0)
		return 2;
	struct sk_dev *dev = tunsrv_open(&o, "stack_synack");
	if (!dev)
		return 1;
	const char *tun = o.tun;
	uint32_t addr = o.addr, mtu = o.mtu;
	int prefix = o.prefix, port = o.port, err = 0;

	struct synack_config cfg;
	synack_config_defaults(&cfg);
	if (getrandom(cfg.secret, sizeof(cfg.secret), 0) != (ssize_t)sizeof(cfg.secret) ||
	    getrandom(&cfg.seed, sizeof(cfg.seed), 0) != (ssize_t)sizeof(cfg.seed)) {
		perror("stack_synack: getrandom");
		return 1;
	}
	synack_stack *st = synack_stack_new(&cfg, &err);
	if (!st) {
		fprintf(stderr, "stack_synack: synack_stack_new: %s\n", strerror(-err));
		return 1;
	}
	struct synack_ip ip = sk_ip_from4(addr);
	if (o.v6) {
		ip.family = SYNACK_AF_INET6;
		memcpy(ip.bytes, o.addr6, 16);
	}
	if ((err = synack_add_addr(st, &ip, (uint8_t)prefix, mtu, out, dev)) < 0) {
		fprintf(stderr, "stack_synack: synack_add_addr: %s\n", strerror(-err));
		return 1;
	}
	if (sk_tun_gso_max(dev)) { /* the TUN cuts TCP segments and completes their checksums */
		synack_set_gso(st, err, sk_tun_gso_max(dev));
		synack_set_csum_offload(st, err, 1);
		synack_set_output_sg(st, err, out_sg);
	}
	int l = synack_socket(st, ip.family, SYNACK_SOCK_STREAM);
	struct synack_sockaddr la = synack_sa_any(ip.family, (uint16_t)port);
	int one = 1;
	if (l < 0 || synack_setsockopt(st, l, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    synack_bind(st, l, &la) < 0 || synack_listen(st, l, 4096) < 0) {
		fprintf(stderr, "stack_synack: cannot listen on port %d\n", port);
		return 1;
	}

	tunsrv_signals();

	size_t cap, lens[BATCH];
	uint8_t *bufs[BATCH], verified[BATCH];
	uint8_t *block = tunsrv_bufs(dev, bufs, BATCH, &cap, "stack_synack");
	if (!block)
		return 1;
	/* Connections by socket handle (the stack's handles are small integers, reused). */
	size_t nconns = 0, capconns = 64;
	struct conn *conns = malloc(capconns * sizeof(*conns));
	if (!conns)
		return 1;
	for (size_t i = 0; i < capconns; i++)
		conns[i] = (struct conn){.sock = -1};
	int fd = sk_dev_fd(dev);
	uint64_t packets = 0, batches = 0, polls = 0, idle_us = 0, t_start = now_us();

	struct tunsrv_spin spin;
	tunsrv_spin_init(&spin, o.busy_poll);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int n = sk_tun_recv_batch(dev, bufs, cap, lens, verified, BATCH);
		if (n < 0) {
			fprintf(stderr, "stack_synack: read %s: %s\n", tun, strerror(-n));
			return 1;
		}
		uint64_t now = now_us();
		/* one batch (the host's own packets come with checksums partial) */
		synack_input_batch(st, (const uint8_t *const *)bufs, lens, verified, (size_t)n, now);
		if (n) {
			packets += (uint64_t)n;
			batches++;
		}
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
					if (accept_all(st, l, &conns, &capconns, &nconns) < 0)
						return 1;
				} else if ((size_t)sk < capconns && conns[sk].sock == sk) {
					serve(st, &conns[sk]);
					if (conns[sk].sock < 0)
						nconns--;
				}
			}
		}

		if (!tunsrv_spinning(&spin, n, now_us())) {
			uint64_t d = synack_next_deadline(st);
			now = now_us();
			int ms = -1;
			if (d != UINT64_MAX)
				ms = d <= now ? 0 : (d - now + 999) / 1000 > 1000 ? 1000 : (int)((d - now + 999) / 1000);
			struct pollfd p = {.fd = fd, .events = POLLIN};
			polls++;
			uint64_t t_poll = now_us();
			int pr = poll(&p, 1, ms);
			uint64_t slept = now_us() - t_poll;
			idle_us += slept;
			tunsrv_slept(&spin, slept);
			if (pr < 0 && errno != EINTR) {
				perror("stack_synack: poll");
				return 1;
			}
		}
	}

	struct synack_stats x;
	synack_get_stats(st, &x);
	fprintf(stderr,
		"stack_synack: %.1f s, %.1f s of it waiting in poll; packets in %llu in %llu batches, %llu polls; ip_in %llu ip_out %llu tcp_in %llu "
		"tcp_out %llu rexmit %llu timeouts %llu fast_rexmit %llu ooo %llu drop_no_socket %llu "
		"drop_out_of_window %llu passive_opens %llu syncookies %llu aq_overflow %llu output_errors %llu "
		"conns %llu time_wait %llu held %zu\n",
		(double)(now_us() - t_start) * 1e-6, (double)idle_us * 1e-6, (unsigned long long)packets,
		(unsigned long long)batches, (unsigned long long)polls,
		(unsigned long long)x.ip_in, (unsigned long long)x.ip_out, (unsigned long long)x.tcp_in,
		(unsigned long long)x.tcp_out, (unsigned long long)x.tcp_rexmit, (unsigned long long)x.tcp_timeouts,
		(unsigned long long)x.tcp_fast_retransmits, (unsigned long long)x.tcp_ooo_segments,
		(unsigned long long)x.tcp_drop_no_socket, (unsigned long long)x.tcp_drop_out_of_window,
		(unsigned long long)x.tcp_passive_opens, (unsigned long long)x.syncookies_sent,
		(unsigned long long)x.accept_queue_overflow, (unsigned long long)(x.output_errors + out_errors),
		(unsigned long long)x.conns, (unsigned long long)x.time_wait, nconns);
	for (size_t i = 0; i < capconns; i++)
		if (conns[i].sock >= 0)
			conn_close(st, &conns[i]);
	synack_close(st, l);
	synack_stack_free(st);
	sk_dev_close(dev);
	free(block);
	free(conns);
	return 0;
}
