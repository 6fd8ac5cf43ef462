/* Property tests over random seeds: two stacks on a lossy, reordering, duplicating, corrupting
 * simulated network open and close thousands of connections, one byte each way. Whatever the
 * network does, every connection ends (in success or an error the application sees), bytes
 * arrive intact (REL-1), and afterwards no state is left: no connection but TIME-WAIT once
 * the applications are done, nothing at all once TIME-WAIT expired (every record freed;
 * the sanitizer build's LeakSanitizer checks the rest). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "sim/world.h"
#include "stack/addr.h"

#define SEEDS	       16
#define CONNS_PER_SEED 2500
#define PARALLEL       64
#define PORT	       7000
#define CLIENT_ADDR    0x0a000001u
#define SERVER_ADDR    0x0a000002u
#define SEC	       1000000ull

enum { C_CONNECTING, C_WAIT_BYTE, C_WAIT_EOF };
enum { S_WAIT_BYTE, S_WAIT_EOF };

/* How a connection closes, chosen per connection and told to the server in the low bits of
 * the client's byte, so every close path runs: */
enum {
	M_CLIENT_FIRST, /* client closes after the reply; server closes on EOF (CL-1) */
	M_SERVER_FIRST, /* server closes right after replying; client reads EOF, then closes */
	M_BOTH,		/* both close as soon as they have their byte: FINs may cross (CL-6) */
	M_HALF_CLOSE,	/* client shutdown(SHUT_WR) after its byte; server replies in CLOSE-WAIT
			   (CL-3) */
	M_ABORT,	/* client closes with SO_LINGER 0 after the reply: RST (TW-6) */
	M_COUNT
};

struct app_sock {
	int sock;
	int state;
	int mode;
	uint8_t byte; /* client: the byte it sent */
};

struct tally {
	int started, ok, conn_failed, failed_after_connect, srv_ok, srv_failed;
	int bad_data;
	int eof_early; /* EOF before the byte the peer sent ahead of its FIN (CL-4, REL-1) */
	int errs[256]; /* by errno, what the applications saw */
};

struct prop {
	struct sk_world *w;
	synack_stack *cst, *sst;
	int lsock;
	struct app_sock cli[PARALLEL];
	int ncli;
	struct app_sock *srv;
	int nsrv, capsrv;
	struct tally t;
};

static int client_ready(const struct prop *p, const struct app_sock *a)
{
	int ev = synack_events(p->cst, a->sock);
	if (a->state == C_CONNECTING)
		return ev & (SYNACK_EV_OUT | SYNACK_EV_ERR | SYNACK_EV_HUP);
	return ev & (SYNACK_EV_IN | SYNACK_EV_ERR | SYNACK_EV_HUP);
}

static int server_ready(const struct prop *p, const struct app_sock *a)
{
	return synack_events(p->sst, a->sock) & (SYNACK_EV_IN | SYNACK_EV_ERR | SYNACK_EV_HUP);
}

/* Something for an application to do now. */
static int app_ready(struct sk_world *w, void *arg)
{
	(void)w;
	struct prop *p = arg;
	if (synack_events(p->sst, p->lsock) & SYNACK_EV_IN)
		return 1;
	for (int i = 0; i < p->ncli; i++)
		if (client_ready(p, &p->cli[i]))
			return 1;
	for (int i = 0; i < p->nsrv; i++)
		if (server_ready(p, &p->srv[i]))
			return 1;
	return 0;
}

static void count_err(struct prop *p, long r)
{
	int e = (int)(r < 0 ? -r : r);
	p->t.errs[e < 256 ? e : 0]++;
}

/* Keepalive on both sides, short: a peer that vanished without a word (its last segments
 * all lost) is found within a minute instead of never. */
static void set_keepalive(synack_stack *st, int sock)
{
	int one = 1, idle = 20, intvl = 5, cnt = 4;
	synack_setsockopt(st, sock, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, &one, sizeof(one));
	synack_setsockopt(st, sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPIDLE, &idle, sizeof(idle));
	synack_setsockopt(st, sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPINTVL, &intvl,
			  sizeof(intvl));
	synack_setsockopt(st, sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static void start_client(struct prop *p)
{
	struct app_sock *a = &p->cli[p->ncli];
	a->sock = synack_socket(p->cst, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	assert_true(a->sock >= 0);
	set_keepalive(p->cst, a->sock);
	a->mode = p->t.started % M_COUNT;
	a->byte = (uint8_t)((p->t.started & 31) << 3 | a->mode);
	a->state = C_CONNECTING;
	struct synack_sockaddr to = sk_sa_from4(SERVER_ADDR, PORT);
	int r = synack_connect(p->cst, a->sock, &to);
	assert_int_equal(r, -EINPROGRESS);
	p->ncli++;
	p->t.started++;
}

static void dump_client(struct prop *p, const struct app_sock *a);

static int client_close(struct prop *p, struct app_sock *a, int ok)
{
	if (ok)
		p->t.ok++;
	else
		p->t.failed_after_connect++;
	/* SYNACK_PROPERTY_DEBUG=N: the history of the first N failed connections. */
	const char *dbg = getenv("SYNACK_PROPERTY_DEBUG");
	if (!ok && dbg && p->t.failed_after_connect <= atoi(dbg))
		dump_client(p, a);
	synack_close(p->cst, a->sock);
	return 1;
}

/* Returns 1 when the client is finished (its socket closed). */
static int run_client(struct prop *p, struct app_sock *a)
{
	if (a->state == C_CONNECTING) {
		int err = 0;
		size_t len = sizeof(err);
		synack_getsockopt(p->cst, a->sock, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &len);
		if (err) {
			count_err(p, err);
			p->t.conn_failed++;
			synack_close(p->cst, a->sock);
			return 1;
		}
		long n = synack_send(p->cst, a->sock, &a->byte, 1, 0);
		if (n != 1) {
			count_err(p, n);
			return client_close(p, a, 0);
		}
		if (a->mode == M_HALF_CLOSE)
			synack_shutdown(p->cst, a->sock, SYNACK_SHUT_WR);
		a->state = C_WAIT_BYTE;
		return 0;
	}
	uint8_t b[2];
	long n = synack_recv(p->cst, a->sock, b, sizeof(b), 0);
	if (n == -EAGAIN)
		return 0;
	if (n < 0) {
		count_err(p, n);
		return client_close(p, a, 0);
	}
	if (a->state == C_WAIT_BYTE) {
		if (n != 1 || b[0] != (uint8_t)(a->byte ^ 0x5a)) {
			/* The server replies before it closes (its close after an error sends no
			 * FIN), so EOF here means a byte was lost under a clean close. */
			if (n == 0)
				p->t.eof_early++;
			else
				p->t.bad_data++;
			return client_close(p, a, 0);
		}
		if (a->mode == M_SERVER_FIRST || a->mode == M_HALF_CLOSE) {
			a->state = C_WAIT_EOF;
			return 0;
		}
		if (a->mode == M_ABORT) {
			struct synack_linger lg = {1, 0};
			synack_setsockopt(p->cst, a->sock, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &lg,
					  sizeof(lg));
		}
		return client_close(p, a, 1);
	}
	if (n > 0)
		p->t.bad_data++; /* more than the one byte the server sent */
	return client_close(p, a, n == 0);
}

static int run_server(struct prop *p, struct app_sock *a)
{
	uint8_t b[2];
	long n = synack_recv(p->sst, a->sock, b, a->state == S_WAIT_BYTE ? 1 : sizeof(b), 0);
	if (n == -EAGAIN)
		return 0;
	if (a->state == S_WAIT_BYTE && n == 1) {
		a->mode = b[0] & 7;
		b[0] ^= 0x5a;
		if (synack_send(p->sst, a->sock, b, 1, 0) == 1) {
			if (a->mode != M_SERVER_FIRST && a->mode != M_BOTH) {
				a->state = S_WAIT_EOF;
				return 0;
			}
			p->t.srv_ok++;
		} else {
			p->t.srv_failed++;
		}
	} else if (a->state == S_WAIT_EOF && n == 0) {
		p->t.srv_ok++;
	} else if (a->state == S_WAIT_BYTE && n == 0) {
		p->t.eof_early++; /* the client sends its byte before any FIN */
		p->t.srv_failed++;
	} else {
		if (n > 0)
			p->t.bad_data++; /* more bytes than the client sent */
		p->t.srv_failed++;
	}
	synack_close(p->sst, a->sock);
	return 1;
}

/* Lets the applications act until nothing is ready. */
static void run_apps(struct prop *p)
{
	int progress = 1;
	while (progress) {
		progress = 0;
		int a;
		while ((a = synack_accept(p->sst, p->lsock, NULL)) >= 0) {
			if (p->nsrv == p->capsrv) {
				p->capsrv = p->capsrv ? p->capsrv * 2 : 64;
				p->srv = realloc(p->srv, (size_t)p->capsrv * sizeof(*p->srv));
				assert_non_null(p->srv);
			}
			set_keepalive(p->sst, a);
			p->srv[p->nsrv++] = (struct app_sock){.sock = a, .state = S_WAIT_BYTE};
			progress = 1;
		}
		for (int i = 0; i < p->ncli;) {
			if (client_ready(p, &p->cli[i]) &&
			    (progress = 1, run_client(p, &p->cli[i])))
				p->cli[i] = p->cli[--p->ncli];
			else
				i++;
		}
		for (int i = 0; i < p->nsrv;) {
			if (server_ready(p, &p->srv[i]) &&
			    (progress = 1, run_server(p, &p->srv[i])))
				p->srv[i] = p->srv[--p->nsrv];
			else
				i++;
		}
		while (p->ncli < PARALLEL && p->t.started < CONNS_PER_SEED) {
			start_client(p);
			progress = 1;
		}
	}
}

/* For a failure: what a client socket is, and every segment and state change of its
 * connection. */
static void dump_client(struct prop *p, const struct app_sock *a)
{
	struct synack_tcp_info ti;
	size_t len = sizeof(ti);
	struct synack_sockaddr me = sk_sa_from4(0, 0);
	synack_getsockopt(p->cst, a->sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &len);
	synack_getsockname(p->cst, a->sock, &me);
	fprintf(stderr, "client socket %d port %u mode %d app state %d: %s, events 0x%x\n", a->sock,
		me.port, a->mode, a->state, synack_state_name(ti.state),
		synack_events(p->cst, a->sock));
	for (size_t k = 0; k < sk_world_nrecs(p->w); k++) {
		{
			const struct sk_rec *r = sk_world_rec(p->w, k);
			if (r->type == SK_REC_SEG && r->d.l4 == SK_L4_TCP &&
			    (r->d.tcp.sport == me.port || r->d.tcp.dport == me.port))
				fprintf(stderr, "  %.6f %s flags 0x%03x seq %u ack %u len %zu%s\n",
					(double)r->t / 1e6, r->host ? "server" : "client",
					r->d.tcp.flags, r->d.tcp.seq, r->d.tcp.ack,
					r->d.tcp.payload_len, r->dropped ? " (lost)" : "");
			else if (r->type == SK_REC_STATE &&
				 (r->ev.local.port == me.port || r->ev.remote.port == me.port))
				fprintf(stderr, "  %.6f %s %s -> %s (%s)\n", (double)r->t / 1e6,
					r->host ? "server" : "client",
					synack_state_name(r->ev.old_state),
					synack_state_name(r->ev.new_state), r->ev.cause);
		}
	}
}

static void dump_stuck(struct prop *p)
{
	for (int i = 0; i < p->ncli; i++)
		dump_client(p, &p->cli[i]);
}

static int nothing_but_time_wait(struct sk_world *w, void *arg)
{
	(void)w;
	struct prop *p = arg;
	struct synack_stats c, s;
	synack_get_stats(p->cst, &c);
	synack_get_stats(p->sst, &s);
	return c.conns == 0 && c.half_open == 0 && s.conns == 0 && s.half_open == 0;
}

static int apps_done(const struct prop *p)
{
	return p->t.started == CONNS_PER_SEED && p->ncli == 0 && p->nsrv == 0;
}

/* Stop the clock when an application has something to do, or when it is all over. */
static int stop(struct sk_world *w, void *arg)
{
	struct prop *p = arg;
	return app_ready(w, p) || (apps_done(p) && nothing_but_time_wait(w, p));
}

static void one_seed(uint64_t seed)
{
	struct prop *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	struct sk_world_opts o = {.seed = seed};
	/* Loss between 10 and 30 % by seed; some duplication, reordering, jitter, corruption. */
	o.link.delay_us = 10000;
	o.link.jitter_us = 2000;
	o.link.loss = 0.10 + 0.20 * (double)((seed - 1) % SEEDS) / (SEEDS - 1);
	o.link.duplicate = 0.03;
	o.link.reorder = 0.05;
	o.link.reorder_hold_us = 5000;
	o.link.corrupt = 0.01;
	int err = 0;
	p->w = sk_world_new(&o, &err);
	assert_non_null(p->w);
	/* The configuration varies with the seed, so other paths meet the same network:
	 * defaults; no timestamps; a SYN cookie for every connection; no SACK nor scaling. */
	struct synack_config cc, sc;
	synack_config_defaults(&cc);
	synack_config_defaults(&sc);
	static const char *const variant[] = {"defaults", "no timestamps", "cookies always",
					      "no SACK/WS"};
	int v = (int)(seed % 4);
	if (v == 1)
		cc.tcp_timestamps = sc.tcp_timestamps = 0;
	if (v == 2)
		sc.tcp_syncookies = 2;
	if (v == 3)
		cc.tcp_sack = cc.tcp_window_scaling = 0;
	int ch = sk_world_add_host(p->w, "client", CLIENT_ADDR, &cc);
	int sh = sk_world_add_host(p->w, "server", SERVER_ADDR, &sc);
	assert_true(ch >= 0 && sh >= 0);
	p->cst = sk_world_stack(p->w, ch);
	p->sst = sk_world_stack(p->w, sh);
	p->lsock = synack_socket(p->sst, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr any = sk_sa_from4(0, PORT);
	assert_int_equal(synack_bind(p->sst, p->lsock, &any), 0);
	assert_int_equal(synack_listen(p->sst, p->lsock, 1024), 0);

	/* Applications run until every connection ended and the stacks hold no connection
	 * but TIME-WAIT records. A day of virtual time is far beyond every timeout. */
	uint64_t limit = 24 * 3600 * SEC;
	for (;;) {
		run_apps(p);
		if (apps_done(p) && nothing_but_time_wait(p->w, p))
			break;
		uint64_t t = sk_world_run_cond(p->w, limit, stop, p);
		if (t == UINT64_MAX) {
			struct synack_stats c, s;
			synack_get_stats(p->cst, &c);
			synack_get_stats(p->sst, &s);
			dump_stuck(p);
			fail_msg("seed %llu: stuck at %.3f s: %d clients and %d server sockets "
				 "open; client conns %llu "
				 "half_open %llu, server conns %llu half_open %llu",
				 (unsigned long long)seed, (double)sk_world_now(p->w) / 1e6,
				 p->ncli, p->nsrv, (unsigned long long)c.conns,
				 (unsigned long long)c.half_open, (unsigned long long)s.conns,
				 (unsigned long long)s.half_open);
		}
	}
	uint64_t t_done = sk_world_now(p->w);
	struct synack_stats c, s;
	synack_get_stats(p->cst, &c);
	synack_get_stats(p->sst, &s);
	struct sk_simnet_counters nc;
	sk_simnet_counters(sk_world_net(p->w), &nc);
	fprintf(stderr,
		"seed %llu (%s) loss %.2f: %d connections: %d ok, %d connect failed, %d failed "
		"later; server %d ok, "
		"%d failed; done at %.1f s; frames %llu lost %llu dup %llu corrupt %llu; TIME-WAIT "
		"%llu+%llu; "
		"errors ETIMEDOUT %d ECONNRESET %d ECONNREFUSED %d; early EOF %d, bad data %d\n",
		(unsigned long long)seed, variant[v], o.link.loss, p->t.started, p->t.ok,
		p->t.conn_failed, p->t.failed_after_connect, p->t.srv_ok, p->t.srv_failed,
		(double)t_done / 1e6, (unsigned long long)nc.sent,
		(unsigned long long)nc.dropped[SK_SIMNET_DROP_LOSS],
		(unsigned long long)nc.duplicated, (unsigned long long)nc.corrupted,
		(unsigned long long)c.time_wait, (unsigned long long)s.time_wait,
		p->t.errs[ETIMEDOUT], p->t.errs[ECONNRESET], p->t.errs[ECONNREFUSED],
		p->t.eof_early, p->t.bad_data);

	/* Every connection ended one way or the other, intact when it ended well. */
	assert_int_equal(p->t.bad_data, 0);
	assert_int_equal(p->t.eof_early, 0);
	assert_int_equal(p->t.ok + p->t.conn_failed + p->t.failed_after_connect, CONNS_PER_SEED);
	assert_true(p->t.ok > CONNS_PER_SEED / 2);
	assert_true(nc.dropped[SK_SIMNET_DROP_LOSS] > 0 && nc.duplicated > 0 && nc.corrupted > 0);
	/* Nothing left but TIME-WAIT, and only the listener as a socket. */
	assert_int_equal(c.conns, 0);
	assert_int_equal(c.half_open, 0);
	assert_int_equal(s.conns, 0);
	assert_int_equal(s.half_open, 0);
	assert_int_equal(c.sockets, 0);
	assert_int_equal(s.sockets, 1);
	assert_true(c.tcp_in_bad_csum + s.tcp_in_bad_csum + c.ip_in_bad + s.ip_in_bad > 0);

	/* 2MSL later, nothing at all: no record, no timer. */
	sk_world_run_until(p->w, t_done + 60 * SEC + 1);
	sk_world_run_idle(p->w, UINT64_MAX - 1);
	synack_get_stats(p->cst, &c);
	synack_get_stats(p->sst, &s);
	assert_int_equal(c.time_wait, 0);
	assert_int_equal(s.time_wait, 0);
	assert_int_equal(c.conns + c.half_open + s.conns + s.half_open, 0);
	assert_int_equal(c.sockets, 0);
	assert_int_equal(s.sockets, 1);
	assert_true(synack_next_deadline(p->cst) == UINT64_MAX);
	assert_true(synack_next_deadline(p->sst) == UINT64_MAX);
	assert_int_equal(synack_close(p->sst, p->lsock), 0);
	synack_get_stats(p->sst, &s);
	assert_int_equal(s.sockets, 0);

	sk_world_free(p->w);
	free(p->srv);
	free(p);
}

/* SYNACK_PROPERTY_SEEDS=FIRST:COUNT explores other seeds (e.g. 1:500 for a long run). */
static void test_open_close_lossy(void **state)
{
	(void)state;
	unsigned long long first = 1, count = SEEDS;
	const char *env = getenv("SYNACK_PROPERTY_SEEDS");
	if (env && sscanf(env, "%llu:%llu", &first, &count) != 2)
		fail_msg("SYNACK_PROPERTY_SEEDS must be FIRST:COUNT, not %s", env);
	for (uint64_t seed = first; seed < first + count; seed++)
		one_seed(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_close_lossy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
