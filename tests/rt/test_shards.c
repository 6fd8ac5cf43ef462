/* <synack/shards.h>: a segment input on a shard that does not own its flow is handed to the
 * next shard and taken there, in one thread and across threads (each shard's inbox has one
 * writer and one reader); a full inbox drops and counts. */
#include "testutil.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synack/shards.h>
#include <synack/synack.h>

#include "stack/addr.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define PEER 0xc0000202u   /* 192.0.2.2 */
#define SHARDS 0xc0000201u /* 192.0.2.1, on every shard */

static int discard(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	(void)ctx;
	(void)pkt;
	(void)len;
	(void)now;
	return 0;
}

/* n shard stacks at SHARDS, each listening on port 80, one secret for all. */
static void make_shards(synack_stack **st, int n)
{
	for (int i = 0; i < n; i++) {
		st[i] = sk_test_stack_new(7);
		assert_int_equal(sk_add_addr4(st[i], SHARDS, 24, 1500, discard, NULL), 0);
		int l = synack_socket(st[i], SYNACK_AF_INET, SYNACK_SOCK_STREAM);
		struct synack_sockaddr a = sk_sa_from4(0, 80);
		assert_int_equal(synack_bind(st[i], l, &a), 0);
		assert_int_equal(synack_listen(st[i], l, 8), 0);
	}
}

/* An ACK from the peer to port 80 that no connection and no SYN cookie explains. */
static size_t stray_ack(uint8_t *buf, size_t cap, uint16_t sport)
{
	struct sk_tcp t = {.sport = sport, .dport = 80, .seq = 1000, .ack = 2000, .flags = SK_TCP_ACK, .win = 1000};
	int tl = sk_tcp_emit(buf + 20, cap - 20, PEER, SHARDS, &t);
	assert_true(tl > 0);
	struct sk_ipv4 ip = {.ttl = 64, .proto = 6, .src = PEER, .dst = SHARDS, .total_len = (uint16_t)(20 + tl)};
	assert_int_equal(sk_ipv4_emit(buf, cap, &ip), 20);
	return (size_t)(20 + tl);
}

/* Whether shard i's descriptor is readable now. */
static int readable(synack_shards *g, int i)
{
	struct pollfd p = {.fd = synack_shards_fd(g, i), .events = POLLIN};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	synack_stack *st[1] = {NULL};
	errno = 0;
	assert_null(synack_shards_new(0, st));
	assert_int_equal(errno, EINVAL);
	assert_null(synack_shards_new(1, st)); /* a NULL stack */
	assert_int_equal(errno, EINVAL);
	assert_null(synack_shards_new(65, st));
	assert_int_equal(synack_shards_fd(NULL, 0), -1);
	assert_int_equal(synack_shards_take(NULL, 0, 0), 0);
	synack_shards_free(NULL);
}

/* Three shards: a stray input on shard 0 goes to 1, then to 2, which answers it (nobody
 * owns it); each hand-off makes the next shard's descriptor readable until it takes, and
 * synack_shards_wake does the same with nothing handed. */
static void test_round_the_ring(void **state)
{
	(void)state;
	synack_stack *st[3];
	make_shards(st, 3);
	synack_shards *g = synack_shards_new(3, st);
	assert_non_null(g);
	uint8_t pkt[128];
	const uint8_t *p = pkt;
	size_t len = stray_ack(pkt, sizeof(pkt), 40000);
	assert_false(readable(g, 1));
	synack_shards_input_batch(g, 0, &p, &len, NULL, 1, 1000);
	assert_true(readable(g, 1));
	assert_false(readable(g, 2));
	assert_int_equal(synack_shards_take(g, 2, 1000), 0);
	assert_int_equal(synack_shards_take(g, 1, 1000), 1);
	assert_false(readable(g, 1));
	assert_true(readable(g, 2));
	assert_int_equal(synack_shards_take(g, 1, 1000), 0);
	assert_int_equal(synack_shards_take(g, 2, 1000), 1);
	assert_false(readable(g, 2));
	assert_false(readable(g, 0)); /* shard 2 answered it: no third hop */
	assert_int_equal(synack_shards_take(g, 0, 1000), 0);
	/* a wake-up with nothing handed: readable until the shard takes (nothing) */
	synack_shards_wake(g, 0);
	assert_true(readable(g, 0));
	assert_int_equal(synack_shards_take(g, 0, 1000), 0);
	assert_false(readable(g, 0));
	struct synack_shard_stats s[3];
	struct synack_stats x[3];
	for (int i = 0; i < 3; i++) {
		synack_shards_stats(g, i, &s[i]);
		synack_get_stats(st[i], &x[i]);
	}
	assert_int_equal(s[0].handed, 1);
	assert_int_equal(s[1].handed, 1);
	assert_int_equal(s[2].handed, 0);
	assert_int_equal(s[1].taken + s[2].taken, 2);
	assert_int_equal(x[0].tcp_rst_out + x[1].tcp_rst_out, 0);
	assert_int_equal(x[2].tcp_rst_out, 1);
	synack_shards_free(g);
	for (int i = 0; i < 3; i++)
		synack_stack_free(st[i]);
}

/* A packet whose link vouched for its checksum (synack_input_verified: a TUN's packet made
 * on this host, its checksum left partial) is taken the same way by the next shard; one
 * that came without that word and fails its checksum is dropped where it came in. */
static void test_verified_is_handed_on(void **state)
{
	(void)state;
	synack_stack *st[2];
	make_shards(st, 2);
	synack_shards *g = synack_shards_new(2, st);
	assert_non_null(g);
	uint8_t pkt[128];
	const uint8_t *p = pkt;
	size_t len = stray_ack(pkt, sizeof(pkt), 40001);
	pkt[20 + 16] ^= 0xff; /* the TCP checksum, now wrong (as a partial one is) */
	uint8_t yes = 1, no = 0;
	synack_shards_input_batch(g, 0, &p, &len, &yes, 1, 1000);
	assert_int_equal(synack_shards_take(g, 1, 1000), 1);
	synack_shards_input_batch(g, 0, &p, &len, &no, 1, 1000);
	assert_int_equal(synack_shards_take(g, 1, 1000), 0);
	struct synack_stats x0, x1;
	synack_get_stats(st[0], &x0);
	synack_get_stats(st[1], &x1);
	assert_int_equal(x0.tcp_in_bad_csum, 1);
	assert_int_equal(x1.tcp_in_bad_csum, 0);
	assert_int_equal(x1.tcp_rst_out, 1); /* taken as vouched for, and answered */
	synack_shards_free(g);
	synack_stack_free(st[0]);
	synack_stack_free(st[1]);
}

struct feeder {
	synack_shards *g;
	int count;
};

/* Shard 0's thread: count stray ACKs, in batches of 16. */
static void *feed(void *arg)
{
	struct feeder *f = arg;
	uint8_t pkts[16][128];
	const uint8_t *p[16];
	size_t lens[16];
	for (int k = 0; k < 16; k++) {
		lens[k] = stray_ack(pkts[k], sizeof(pkts[k]), (uint16_t)(40000 + k));
		p[k] = pkts[k];
	}
	for (int done = 0; done < f->count; done += 16)
		synack_shards_input_batch(f->g, 0, p, lens, NULL, 16, 1000);
	return NULL;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Two threads, one per shard: everything shard 0 hands over is taken by shard 1 (or counted
 * as dropped when the inbox was full), and each taken packet is whole (shard 1's TCP parses
 * it and answers it). */
static void test_across_threads(void **state)
{
	(void)state;
	synack_stack *st[2];
	make_shards(st, 2);
	synack_shards *g = synack_shards_new(2, st);
	assert_non_null(g);
	struct feeder f = {g, 100000};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, feed, &f), 0);
	struct synack_shard_stats s0, s1;
	uint64_t taken = 0;
	double deadline = mono() + 60;
	for (long rounds = 0; rounds < 100000000L && mono() < deadline; rounds++) {
		taken += (uint64_t)synack_shards_take(g, 1, 1000);
		synack_shards_stats(g, 0, &s0);
		if (taken + s0.dropped == (uint64_t)f.count)
			break;
	}
	pthread_join(t, NULL);
	synack_shards_stats(g, 0, &s0);
	synack_shards_stats(g, 1, &s1);
	assert_int_equal(taken + s0.dropped, f.count);
	assert_int_equal(s0.handed, taken);
	assert_int_equal(s1.taken, taken);
	assert_true(taken > 0);
	struct synack_stats x;
	synack_get_stats(st[1], &x);
	assert_int_equal(x.tcp_in, taken);          /* every one parsed: none came out torn */
	assert_int_equal(x.tcp_in_malformed + x.tcp_in_bad_csum, 0);
	synack_shards_free(g);
	synack_stack_free(st[0]);
	synack_stack_free(st[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_round_the_ring),
		cmocka_unit_test(test_verified_is_handed_on),
		cmocka_unit_test(test_across_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
