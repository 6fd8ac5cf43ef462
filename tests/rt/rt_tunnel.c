/* rt-tunnel: tunnel mode on the runtime, for tests/rt/rt_tunnel.sh: Linux connects through
 * a TUN to addresses that are not synack's, and this program answers each connection with
 * the destination it was opened to (getsockname), after a flow hook whose verdict depends
 * on the destination port:
 *   25  refused with a RST          26  refused with ICMP unreachable
 *   81  deferred, accepted 300 ms later by another thread (synack_tunnel_verdict)
 *   82  deferred, refused with a RST 300 ms later
 *   any other port: accepted.
 * Each connection gets one line, "asked for ADDR:PORT" (IPv6 in brackets), and is closed.
 *
 *   rt-tunnel [the tools' device options]
 *
 * Prints "ready" once in tunnel mode; SIGTERM or SIGINT ends it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <synack/rt.h>

#define MAX_DEFERRED 64

struct deferred {
	struct synack_flow f;
	int verdict;
};

struct tunnel {
	synack_rt *rt;
	int listener;
	pthread_mutex_t mu;
	struct deferred q[MAX_DEFERRED];
	int n;
};

/* In the runtime's loop, with its lock held: decides, or queues for the verdict thread. */
static int hook(void *ctx, const struct synack_flow *f)
{
	struct tunnel *t = ctx;
	switch (f->dst.port) {
	case 25:
		return SYNACK_FLOW_RST;
	case 26:
		return SYNACK_FLOW_UNREACH;
	case 81:
	case 82:
		pthread_mutex_lock(&t->mu);
		if (t->n < MAX_DEFERRED) {
			t->q[t->n].f = *f;
			t->q[t->n].verdict = f->dst.port == 81 ? SYNACK_FLOW_ACCEPT : SYNACK_FLOW_RST;
			t->n++;
		}
		pthread_mutex_unlock(&t->mu);
		return SYNACK_FLOW_DEFER;
	default:
		return SYNACK_FLOW_ACCEPT;
	}
}

static void turn_on(void *ctx, synack_stack *st)
{
	struct tunnel *t = ctx;
	int r = synack_tunnel(st, t->listener, hook, t);
	if (r < 0) {
		fprintf(stderr, "rt-tunnel: synack_tunnel: %s\n", strerror(-r));
		_exit(1);
	}
}

static struct deferred due;
static void give_verdict(void *ctx, synack_stack *st)
{
	(void)ctx;
	int r = synack_tunnel_verdict(st, &due.f, due.verdict);
	if (r < 0)
		fprintf(stderr, "rt-tunnel: synack_tunnel_verdict: %s\n", strerror(-r));
}

/* The upstream that takes 300 ms to answer. */
static void *verdicts(void *arg)
{
	struct tunnel *t = arg;
	for (;;) {
		usleep(50000);
		pthread_mutex_lock(&t->mu);
		int have = t->n > 0;
		struct deferred d = have ? t->q[0] : (struct deferred){0};
		if (have)
			memmove(t->q, t->q + 1, (size_t)--t->n * sizeof(t->q[0]));
		pthread_mutex_unlock(&t->mu);
		if (!have)
			continue;
		usleep(300000);
		due = d;
		synack_rt_with_stack(t->rt, give_verdict, NULL);
	}
	return NULL;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct synack_rt_opts o;
	synack_rt_tool_opts(&o, &argc, argv, "rt-tunnel", "usage: rt-tunnel [device options]\n", "");
	char why[256];
	static struct tunnel t = {.mu = PTHREAD_MUTEX_INITIALIZER};
	t.rt = synack_rt_start(&o, why, sizeof(why));
	if (!t.rt) {
		fprintf(stderr, "rt-tunnel: %s\n", why);
		return 1;
	}
	/* One dual-stack listener takes IPv4 and IPv6 flows; its own port does not matter. */
	t.listener = synack_rt_socket(t.rt, AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = htons(1)};
	if (t.listener < 0 || synack_rt_bind(t.rt, t.listener, (struct sockaddr *)&any, sizeof(any)) < 0 ||
	    synack_rt_listen(t.rt, t.listener, 64) < 0) {
		perror("rt-tunnel: listener");
		return 1;
	}
	synack_rt_with_stack(t.rt, turn_on, &t);
	pthread_t th;
	pthread_create(&th, NULL, verdicts, &t);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	int ms = 200;
	synack_rt_setsockopt(t.rt, t.listener, SOL_SOCKET, SO_RCVTIMEO,
			     &(struct timeval){.tv_usec = ms * 1000}, sizeof(struct timeval));
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int c = synack_rt_accept(t.rt, t.listener, NULL, NULL);
		if (c < 0)
			continue;
		struct sockaddr_in6 me;
		socklen_t l = sizeof(me);
		char addr[INET6_ADDRSTRLEN], line[128];
		if (synack_rt_getsockname(t.rt, c, (struct sockaddr *)&me, &l) == 0) {
			const struct in6_addr *a = &me.sin6_addr;
			int mapped = IN6_IS_ADDR_V4MAPPED(a);
			inet_ntop(mapped ? AF_INET : AF_INET6, mapped ? (const void *)&a->s6_addr[12] : (const void *)a, addr,
				  sizeof(addr));
			int n = snprintf(line, sizeof(line), mapped ? "asked for %s:%u\n" : "asked for [%s]:%u\n", addr,
					 ntohs(me.sin6_port));
			synack_rt_write(t.rt, c, line, (size_t)n);
		}
		synack_rt_close(t.rt, c);
	}
	synack_rt_drain(t.rt, 1000);
	synack_rt_stop(t.rt);
	return 0;
}
