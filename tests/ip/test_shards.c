/* Shards (synack_set_stray_hook): two stacks with the same address, as behind a multi-queue
 * TUN, and a peer; the test plays the link, steering each of the peer's packets to the shard
 * it chooses. A segment that reaches a shard without its connection must reach the owner
 * through the hook, not be answered with a RST; one that no shard owns is answered by the
 * last shard asked; a UDP datagram and an ICMP error reach the shard of their flow too. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <synack/synack.h>

#include "stack/addr.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#define PEER 0xc0000202u  /* 192.0.2.2 */
#define SHARDS 0xc0000201u /* 192.0.2.1, on both shards */
#define QCAP 64

struct pkt {
	uint8_t b[1600];
	size_t len;
	int hops; /* shards that already found it a stray */
};

struct queue {
	struct pkt p[QCAP];
	int n;
};

struct net {
	synack_stack *peer, *shard[2];
	struct queue to_peer, to_shard[2];
	int listener[2];
	int steer;      /* the shard the peer's next packets go to */
	int strays[2];  /* packets each shard's hook took */
	int hops_now;   /* hops of the packet being input (the hook reads it) */
	uint64_t now;
};

struct hook_ctx {
	struct net *n;
	int me;
};

static void push(struct queue *q, const uint8_t *b, size_t len, int hops)
{
	assert_true(q->n < QCAP && len <= sizeof(q->p[0].b));
	memcpy(q->p[q->n].b, b, len);
	q->p[q->n].len = len;
	q->p[q->n].hops = hops;
	q->n++;
}

static int out_peer(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	(void)now;
	struct net *n = ctx;
	push(&n->to_shard[n->steer], pkt, len, 0);
	return 0;
}

static int out_shard(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	(void)now;
	struct net *n = ctx;
	push(&n->to_peer, pkt, len, 0);
	return 0;
}

/* Hands a stray to the next shard, unless every other shard has seen it already: then this
 * shard answers it. */
static int stray(void *ctx, const uint8_t *pkt, size_t len, int verified)
{
	assert_int_equal(verified, 0); /* the test's link vouches for nothing */
	struct hook_ctx *h = ctx;
	struct net *n = h->n;
	if (n->hops_now + 1 >= 2)
		return 0;
	push(&n->to_shard[1 - h->me], pkt, len, n->hops_now + 1);
	n->strays[h->me]++;
	return 1;
}

/* Delivers everything queued, and what that provokes, until the link is quiet. */
static void drain(struct net *n)
{
	for (int busy = 1; busy;) {
		busy = 0;
		for (int s = 0; s < 2; s++) {
			struct queue q = n->to_shard[s];
			n->to_shard[s].n = 0;
			for (int i = 0; i < q.n; i++) {
				n->hops_now = q.p[i].hops;
				synack_input(n->shard[s], q.p[i].b, q.p[i].len, n->now);
				busy = 1;
			}
		}
		struct queue q = n->to_peer;
		n->to_peer.n = 0;
		for (int i = 0; i < q.n; i++) {
			synack_input(n->peer, q.p[i].b, q.p[i].len, n->now);
			busy = 1;
		}
	}
}

static struct net *net_new(struct hook_ctx hc[2], int with_hook)
{
	struct net *n = calloc(1, sizeof(*n));
	assert_non_null(n);
	n->now = 1000;
	n->peer = sk_test_stack_new(1);
	assert_int_equal(sk_add_addr4(n->peer, PEER, 24, 1500, out_peer, n), 0);
	for (int s = 0; s < 2; s++) {
		n->shard[s] = sk_test_stack_new(2); /* one secret for all, as shards have */
		assert_int_equal(sk_add_addr4(n->shard[s], SHARDS, 24, 1500, out_shard, n), 0);
		hc[s] = (struct hook_ctx){n, s};
		if (with_hook)
			synack_set_stray_hook(n->shard[s], stray, &hc[s]);
		int l = n->listener[s] = synack_socket(n->shard[s], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
		struct synack_sockaddr a = sk_sa_from4(0, 80);
		assert_int_equal(synack_bind(n->shard[s], l, &a), 0);
		assert_int_equal(synack_listen(n->shard[s], l, 8), 0);
	}
	return n;
}

static void net_free(struct net *n)
{
	synack_stack_free(n->peer);
	synack_stack_free(n->shard[0]);
	synack_stack_free(n->shard[1]);
	free(n);
}

/* The peer connects through shard 0 and sends "hello" there, then "world" steered to shard 1;
 * returns the peer's socket after the second send and the link went quiet. */
static int connect_then_move(struct net *n, int *server)
{
	n->steer = 0;
	int c = synack_socket(n->peer, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = sk_sa_from4(SHARDS, 80);
	assert_int_equal(synack_connect(n->peer, c, &a), -EINPROGRESS);
	drain(n);
	*server = synack_accept(n->shard[0], n->listener[0], NULL);
	assert_true(*server >= 0);
	assert_int_equal(synack_send(n->peer, c, "hello", 5, 0), 5);
	drain(n);
	n->steer = 1;
	assert_int_equal(synack_send(n->peer, c, "world", 5, 0), 5);
	drain(n);
	return c;
}

static void test_stray_reaches_its_owner(void **state)
{
	(void)state;
	struct hook_ctx hc[2];
	struct net *n = net_new(hc, 1);
	int s, c = connect_then_move(n, &s);
	char buf[16] = {0};
	assert_int_equal(synack_recv(n->shard[0], s, buf, sizeof(buf), 0), 10);
	assert_memory_equal(buf, "helloworld", 10);
	assert_int_equal(n->strays[1], 1);
	struct synack_stats st;
	synack_get_stats(n->shard[1], &st);
	assert_int_equal(st.strays_handed, 1);
	assert_int_equal(st.tcp_rst_out, 0);
	synack_get_stats(n->peer, &st);
	assert_int_equal(st.tcp_rst_in_accepted, 0);
	/* the shard's ACK reached the peer: nothing of "world" is left to send */
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	assert_int_equal(synack_getsockopt(n->peer, c, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl), 0);
	assert_int_equal(ti.bytes_in_flight, 0);
	net_free(n);
}

/* Without the hook the same segment is a stray of shard 1's, answered with a RST that
 * resets the peer's connection: what the hook exists to prevent. */
static void test_without_hook_the_stray_is_reset(void **state)
{
	(void)state;
	struct hook_ctx hc[2];
	struct net *n = net_new(hc, 0);
	int s;
	connect_then_move(n, &s);
	struct synack_stats st;
	synack_get_stats(n->shard[1], &st);
	assert_int_equal(st.tcp_rst_out, 1);
	synack_get_stats(n->peer, &st);
	assert_int_equal(st.tcp_rst_in_accepted, 1);
	net_free(n);
}

/* A segment of no shard's connection goes round and is answered once, by the last shard
 * asked: a SYN to a port no shard listens on, steered to shard 1. */
static void test_stray_of_no_shard_is_reset_once(void **state)
{
	(void)state;
	struct hook_ctx hc[2];
	struct net *n = net_new(hc, 1);
	n->steer = 1;
	int c = synack_socket(n->peer, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = sk_sa_from4(SHARDS, 81);
	assert_int_equal(synack_connect(n->peer, c, &a), -EINPROGRESS);
	drain(n);
	struct synack_stats s0, s1;
	synack_get_stats(n->shard[0], &s0);
	synack_get_stats(n->shard[1], &s1);
	assert_int_equal(s1.strays_handed, 1);
	assert_int_equal(s0.strays_handed, 0);
	assert_int_equal(s0.tcp_rst_out, 1);
	assert_int_equal(s1.tcp_rst_out, 0);
	int err = 0;
	size_t el = sizeof(err);
	assert_int_equal(synack_getsockopt(n->peer, c, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &el), 0);
	assert_int_equal(err, ECONNREFUSED);
	net_free(n);
}

/* A UDP datagram to a port only shard 0 has a socket on, steered to shard 1, reaches the
 * socket; without the hook shard 1 would answer port unreachable. */
static void test_udp_stray_reaches_its_socket(void **state)
{
	(void)state;
	struct hook_ctx hc[2];
	struct net *n = net_new(hc, 1);
	int u = synack_socket(n->shard[0], SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	struct synack_sockaddr a = sk_sa_from4(0, 53);
	assert_int_equal(synack_bind(n->shard[0], u, &a), 0);
	int c = synack_socket(n->peer, SYNACK_AF_INET, SYNACK_SOCK_DGRAM);
	n->steer = 1;
	a = sk_sa_from4(SHARDS, 53);
	assert_int_equal(synack_sendto(n->peer, c, "query", 5, 0, &a), 5);
	drain(n);
	char buf[16];
	assert_int_equal(synack_recvfrom(n->shard[0], u, buf, sizeof(buf), 0, NULL), 5);
	assert_memory_equal(buf, "query", 5);
	struct synack_stats s1, p;
	synack_get_stats(n->shard[1], &s1);
	synack_get_stats(n->peer, &p);
	assert_int_equal(s1.strays_handed, 1);
	assert_int_equal(s1.icmp_out, 0);
	assert_int_equal(p.icmp_in, 0);
	net_free(n);
}

/* An ICMP "fragmentation needed" about shard 0's connection, from a router on the path,
 * that the link brings to shard 1, lowers shard 0's MSS (RFC 1191). */
static void test_icmp_error_reaches_its_flow(void **state)
{
	(void)state;
	struct hook_ctx hc[2];
	struct net *n = net_new(hc, 1);
	int s, c = connect_then_move(n, &s);
	(void)c;
	n->steer = 0; /* the peer's packets go to shard 0 again: only the ICMP error strays */
	/* shard 0 sends; the segment is held (in flight) and quoted by the router */
	assert_int_equal(synack_send(n->shard[0], s, "reply", 5, 0), 5);
	assert_true(n->to_peer.n >= 1);
	struct pkt seg = n->to_peer.p[n->to_peer.n - 1];
	n->to_peer.n = 0;
	struct pkt e;
	struct sk_icmp m = {.type = SK_ICMP_UNREACH, .code = SK_ICMP_UNREACH_NEEDFRAG, .rest = 1400, .data = seg.b,
			    .data_len = 28};
	int k = sk_icmp_emit(e.b + 20, sizeof(e.b) - 20, &m);
	assert_true(k > 0);
	struct sk_ipv4 ip = {.total_len = (uint16_t)(20 + k), .ttl = 64, .proto = SK_IPPROTO_ICMP, .src = 0xc00002feu,
			     .dst = SHARDS};
	sk_ipv4_emit(e.b, 20, &ip);
	n->hops_now = 0;
	synack_input(n->shard[1], e.b, (size_t)(20 + k), n->now);
	drain(n);
	struct synack_stats s0, s1;
	synack_get_stats(n->shard[0], &s0);
	synack_get_stats(n->shard[1], &s1);
	assert_int_equal(s1.strays_handed, 2); /* "world" earlier, the ICMP error now */
	assert_int_equal(s0.tcp_pmtu_lowered, 1);
	net_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stray_reaches_its_owner),
		cmocka_unit_test(test_without_hook_the_stray_is_reset),
		cmocka_unit_test(test_stray_of_no_shard_is_reset_once),
		cmocka_unit_test(test_udp_stray_reaches_its_socket),
		cmocka_unit_test(test_icmp_error_reaches_its_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
