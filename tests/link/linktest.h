/* Helpers for the link tests: hand-built TCP/IPv4 frames and a driver that runs a simulated
 * network until it is idle, recording every arrival. */
#ifndef SK_LINKTEST_H
#define SK_LINKTEST_H

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "link/simnet.h"
#include "wire/decode.h"

#define LT_A 0x0a000001u /* 10.0.0.1 */
#define LT_B 0x0a000002u /* 10.0.0.2 */
#define LT_C 0x0a000003u /* 10.0.0.3 */

struct lt_seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t flags;
	size_t payload; /* bytes of payload, filled with fill */
	uint8_t fill;
	uint16_t ip_id;
};

/* Writes an IPv4+TCP packet at p; returns its length. */
static inline size_t lt_ip_tcp(uint8_t *p, size_t cap, const struct lt_seg *s)
{
	uint8_t data[1500];
	assert_true(s->payload <= sizeof(data));
	memset(data, s->fill, s->payload);
	struct sk_tcp t = {
		.sport = s->sport,
		.dport = s->dport,
		.seq = s->seq,
		.ack = s->ack,
		.flags = s->flags,
		.win = 65535,
		.payload = data,
		.payload_len = s->payload,
	};
	assert_true(cap >= SK_IPV4_MIN_HLEN);
	int n = sk_tcp_emit(p + SK_IPV4_MIN_HLEN, cap - SK_IPV4_MIN_HLEN, s->src, s->dst, &t);
	assert_true(n > 0);
	struct sk_ipv4 ip = {
		.total_len = (uint16_t)(SK_IPV4_MIN_HLEN + n),
		.id = s->ip_id,
		.frag = SK_IP_DF,
		.ttl = 64,
		.proto = SK_IPPROTO_TCP,
		.src = s->src,
		.dst = s->dst,
	};
	assert_int_equal(sk_ipv4_emit(p, cap, &ip), SK_IPV4_MIN_HLEN);
	return SK_IPV4_MIN_HLEN + (size_t)n;
}

/* A raw IPv4 frame of exactly len bytes (>= 40) carrying TCP, the payload bytes = fill. */
static inline size_t lt_raw_sized(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint8_t fill)
{
	struct lt_seg s = {.src = src,
			   .dst = dst,
			   .sport = 1000,
			   .dport = 2000,
			   .flags = SK_TCP_ACK,
			   .payload = len - 40,
			   .fill = fill};
	return lt_ip_tcp(p, len, &s);
}

/* An Ethernet frame around an IPv4+TCP packet. */
static inline size_t lt_eth_tcp(uint8_t *p, size_t cap, const uint8_t dst[6], const uint8_t src[6],
				const struct lt_seg *s)
{
	struct sk_eth e = {.type = SK_ETHERTYPE_IPV4};
	memcpy(e.dst, dst, 6);
	memcpy(e.src, src, 6);
	assert_int_equal(sk_eth_emit(p, cap, &e), SK_ETH_HLEN);
	return SK_ETH_HLEN + lt_ip_tcp(p + SK_ETH_HLEN, cap - SK_ETH_HLEN, s);
}

struct lt_arrival {
	int ep;	     /* index into the endpoint array given to lt_run */
	uint64_t at; /* the now at which recv returned it */
	size_t len;
	uint8_t data[1600];
};

struct lt_log {
	struct lt_arrival *a;
	size_t n, cap;
};

static inline void lt_log_init(struct lt_log *log, size_t cap)
{
	log->a = calloc(cap, sizeof(*log->a));
	assert_non_null(log->a);
	log->n = 0;
	log->cap = cap;
}

static inline void lt_log_free(struct lt_log *log)
{
	free(log->a);
	log->a = NULL;
}

/* Takes every frame due at now from each endpoint, in endpoint order. */
static inline void lt_poll(struct sk_dev **eps, int neps, uint64_t now, struct lt_log *log)
{
	for (int i = 0; i < neps; i++) {
		uint8_t buf[1600];
		int n;
		while ((n = sk_dev_recv(eps[i], buf, sizeof(buf), now)) > 0) {
			assert_true(log->n < log->cap);
			struct lt_arrival *a = &log->a[log->n++];
			a->ep = i;
			a->at = now;
			a->len = (size_t)n;
			memcpy(a->data, buf, (size_t)n);
		}
		assert_true(n == 0);
	}
}

/* Advances virtual time event by event until nothing is in flight. */
static inline void lt_run(struct sk_simnet *net, struct sk_dev **eps, int neps, struct lt_log *log)
{
	uint64_t t;
	while ((t = sk_simnet_next_event(net)) != SK_TIME_NEVER)
		lt_poll(eps, neps, t, log);
}

/* Two endpoints A (10.0.0.1) and B (10.0.0.2) on one raw-IPv4 link with parameters p. */
static inline struct sk_simnet *lt_pair(uint64_t seed, const struct sk_simnet_params *p,
					struct sk_dev **a, struct sk_dev **b)
{
	struct sk_simnet *net = sk_simnet_new(seed, SK_LINK_RAW, NULL);
	assert_non_null(net);
	int link = sk_simnet_add_link(net, p);
	assert_true(link >= 0);
	*a = sk_simnet_add_endpoint(net, link, "A", NULL);
	*b = sk_simnet_add_endpoint(net, link, "B", NULL);
	assert_non_null(*a);
	assert_non_null(*b);
	assert_int_equal(sk_simnet_add_addr(net, *a, LT_A), 0);
	assert_int_equal(sk_simnet_add_addr(net, *b, LT_B), 0);
	return net;
}

#endif
