/* The Ethernet/ARP adapter over a fake device that records every frame sent: resolution and
 * queueing, answering and learning ARP (RFC 826), retransmission and give-up, expiry, cache
 * and queue caps (RFC 1122 2.3.2), frame filtering and malformed input. Expected bytes are
 * worked out from RFC 826's packet layout, not read back through the code under test. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/ethif.h"
#include "wire/decode.h"
#include "fakedev.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MY_IP		IP4(10, 0, 0, 1)
#define PEER_IP		IP4(10, 0, 0, 2)
#define GW_IP		IP4(10, 0, 0, 254)
#define FAR_IP		IP4(192, 0, 2, 9) /* off-link */
#define SEC		1000000ull

static const uint8_t my_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t gw_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
static const uint8_t other_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t zero_mac[6];

/* 10.0.0.1/24 with gateway gw on a fresh fake device. */
static struct sk_ethif *mk(struct fakedev *d, uint32_t gw, const struct sk_ethif_config *c)
{
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, MY_IP, 24, gw, c);
	assert_non_null(e);
	return e;
}

static struct sk_ethif_stats stats(const struct sk_ethif *e)
{
	struct sk_ethif_stats s;
	sk_ethif_get_stats(e, &s);
	return s;
}

/* ---- frames and packets ---- */

/* An IPv4 packet of len bytes (>= 20), protocol 253, identified by id; payload bytes depend
 * on id so two packets never compare equal. */
static size_t ip_pkt(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint16_t id)
{
	assert_true(len >= 20);
	struct sk_ipv4 h = {.total_len = (uint16_t)len,
			    .id = id,
			    .ttl = 64,
			    .proto = 253,
			    .src = src,
			    .dst = dst};
	assert_int_equal(sk_ipv4_emit(p, len, &h), 20);
	for (size_t i = 20; i < len; i++)
		p[i] = (uint8_t)(id * 7 + i);
	return len;
}

static void put_mac(uint8_t *p, const uint8_t *m)
{
	memcpy(p, m, 6);
}

static size_t eth_hdr(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	put_mac(f, dst);
	put_mac(f + 6, src);
	sk_put16(f + 12, type);
	return 14;
}

/* An Ethernet+ARP frame of 42 bytes, written byte by byte from RFC 826's layout. */
static size_t arp_frame(uint8_t *f, const uint8_t *edst, const uint8_t *esrc, uint16_t op,
			const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	eth_hdr(f, edst, esrc, 0x0806);
	sk_put16(f + 14, 1);	  /* hardware: Ethernet */
	sk_put16(f + 16, 0x0800); /* protocol: IPv4 */
	f[18] = 6;
	f[19] = 4;
	sk_put16(f + 20, op);
	put_mac(f + 22, sha);
	sk_put32(f + 28, spa);
	put_mac(f + 32, tha);
	sk_put32(f + 38, tpa);
	return 42;
}

/* The reply station mac (ip) sends for our request: unicast to us. */
static int give_reply(struct sk_ethif *e, const uint8_t *mac, uint32_t ip, uint64_t now)
{
	uint8_t f[60] = {0};
	arp_frame(f, my_mac, mac, 2, mac, ip, my_mac, MY_IP);
	const uint8_t *p = NULL;
	size_t n = 0;
	return sk_ethif_input(e, f, sizeof(f), now, &p, &n);
}

/* A broadcast request from station mac (ip) for tpa. */
static int give_request(struct sk_ethif *e, const uint8_t *mac, uint32_t ip, uint32_t tpa,
			uint64_t now)
{
	uint8_t f[60] = {0};
	arp_frame(f, bcast, mac, 1, mac, ip, zero_mac, tpa);
	const uint8_t *p = NULL;
	size_t n = 0;
	return sk_ethif_input(e, f, sizeof(f), now, &p, &n);
}

static void assert_mac(const uint8_t *got, const uint8_t *want)
{
	assert_memory_equal(got, want, 6);
}

static void assert_zero_pad(const struct frame *fr, size_t from)
{
	for (size_t i = from; i < fr->len; i++)
		assert_int_equal(fr->data[i], 0);
}

/* Every field of an ARP message we send: op 1 (request, broadcast, target MAC zero) or 2
 * (reply to station tmac), asking for or answering about tpa. */
static void assert_arp(const struct frame *fr, int op, const uint8_t *tmac, uint32_t tpa)
{
	const uint8_t *d = fr->data;
	assert_int_equal(fr->len, 60);
	assert_mac(d, op == 1 ? bcast : tmac);
	assert_mac(d + 6, my_mac);
	assert_int_equal(sk_get16(d + 12), 0x0806);
	assert_int_equal(sk_get16(d + 14), 1);
	assert_int_equal(sk_get16(d + 16), 0x0800);
	assert_int_equal(d[18], 6);
	assert_int_equal(d[19], 4);
	assert_int_equal(sk_get16(d + 20), op);
	assert_mac(d + 22, my_mac);
	assert_int_equal(sk_get32(d + 28), MY_IP);
	assert_mac(d + 32, op == 1 ? zero_mac : tmac);
	assert_int_equal(sk_get32(d + 38), tpa);
	assert_zero_pad(fr, 42);
}

static void assert_arp_request(const struct frame *fr, uint32_t tpa)
{
	assert_arp(fr, 1, NULL, tpa);
}

static void assert_arp_reply(const struct frame *fr, const uint8_t *mac, uint32_t ip)
{
	assert_arp(fr, 2, mac, ip);
}

/* An IPv4 frame to dst carrying exactly pkt, padded to 60. */
static void assert_ip_frame(const struct frame *fr, const uint8_t *dst, const uint8_t *pkt,
			    size_t len)
{
	assert_int_equal(fr->len, len + 14 < 60 ? 60 : len + 14);
	assert_mac(fr->data, dst);
	assert_mac(fr->data + 6, my_mac);
	assert_int_equal(sk_get16(fr->data + 12), 0x0800);
	assert_memory_equal(fr->data + 14, pkt, len);
	assert_zero_pad(fr, 14 + len);
}

static uint16_t frame_ip_id(const struct frame *fr)
{
	assert_int_equal(sk_get16(fr->data + 12), 0x0800);
	return sk_get16(fr->data + 14 + 4);
}

/* ---- tests ---- */

static void test_config_and_bad_arguments(void **state)
{
	struct sk_ethif_config c;
	memset(&c, 0xa5, sizeof(c));
	sk_ethif_config_defaults(&c);
	assert_int_equal(c.reachable_ms, 30000);
	assert_int_equal(c.retrans_ms, 1000);
	assert_int_equal(c.max_probes, 3);
	assert_int_equal(c.max_entries, 256);
	assert_int_equal(c.queue_per_entry, 3);
	assert_int_equal(c.queue_bytes, 65536);

	struct fakedev *d = fake_new();
	const uint8_t group_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	errno = 0;
	assert_null(sk_ethif_new(NULL, my_mac, MY_IP, 24, 0, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(sk_ethif_new(&d->dev, NULL, MY_IP, 24, 0, NULL));
	assert_null(sk_ethif_new(&d->dev, group_mac, MY_IP, 24, 0, NULL));
	assert_null(sk_ethif_new(&d->dev, my_mac, MY_IP, 33, 0, NULL));
	struct sk_ethif_config bad = c;
	bad.max_entries = 0;
	assert_null(sk_ethif_new(&d->dev, my_mac, MY_IP, 24, 0, &bad));
	bad = c;
	bad.max_probes = 0;
	assert_null(sk_ethif_new(&d->dev, my_mac, MY_IP, 24, 0, &bad));
	bad = c;
	bad.retrans_ms = 0;
	assert_null(sk_ethif_new(&d->dev, my_mac, MY_IP, 24, 0, &bad));
	d->dev.linktype = SK_LINK_RAW;
	assert_null(sk_ethif_new(&d->dev, my_mac, MY_IP, 24, 0, NULL));
	d->dev.linktype = SK_LINK_ETHERNET;

	struct sk_ethif *e = mk(d, 0, NULL);
	struct sk_ethif_stats s = stats(e);
	struct sk_ethif_stats z;
	memset(&z, 0, sizeof(z));
	assert_memory_equal(&s, &z, sizeof(s));
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	assert_int_equal(d->n, 0);
	sk_ethif_free(e);
	sk_ethif_free(NULL);
	free(d);
}

static void test_unknown_onlink_queues_and_sends_one_request(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p1[100], p2[100];
	ip_pkt(p1, sizeof(p1), MY_IP, PEER_IP, 1);
	ip_pkt(p2, sizeof(p2), MY_IP, PEER_IP, 2);

	assert_int_equal(sk_ethif_output(e, p1, sizeof(p1), 5000), 0);
	assert_int_equal(d->n, 1);
	assert_arp_request(sent(d, 0), PEER_IP);
	assert_int_equal(sent(d, 0)->at, 5000);

	/* A request is outstanding: the second packet waits without a second request. */
	assert_int_equal(sk_ethif_output(e, p2, sizeof(p2), 6000), 0);
	assert_int_equal(d->n, 1);

	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 0);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.arp_req_out, 1);
	assert_int_equal(s.ip_out, 0);
	assert_int_equal(s.queue_drops, 0);
	assert_int_equal(s.resolved, 0);
	sk_ethif_free(e); /* frees the two queued packets (ASan checks) */
	free(d);
}

static void test_reply_flushes_queue_in_order(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p[3][200];
	size_t len[3] = {200, 30, 120};
	for (int i = 0; i < 3; i++) {
		ip_pkt(p[i], len[i], MY_IP, PEER_IP, (uint16_t)(10 + i));
		assert_int_equal(sk_ethif_output(e, p[i], len[i], 1000 + (uint64_t)i), 0);
	}
	assert_int_equal(d->n, 1);

	assert_int_equal(give_reply(e, peer_mac, PEER_IP, 50000), 0);
	assert_int_equal(d->n, 4);
	for (int i = 0; i < 3; i++) {
		assert_ip_frame(sent(d, 1 + (size_t)i), peer_mac, p[i], len[i]);
		assert_int_equal(sent(d, 1 + (size_t)i)->at, 50000);
	}
	assert_int_equal(sent(d, 2)->len, 60); /* 30-byte packet padded */

	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 1);
	assert_mac(mac, peer_mac);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.resolved, 1);
	assert_int_equal(s.arp_reply_in, 1);
	assert_int_equal(s.ip_out, 3);
	assert_int_equal(s.frames_in, 1);

	/* Resolved: the next packet goes at once, no ARP. */
	uint8_t q[64];
	ip_pkt(q, sizeof(q), MY_IP, PEER_IP, 99);
	assert_int_equal(sk_ethif_output(e, q, sizeof(q), 60000), 0);
	assert_int_equal(d->n, 5);
	assert_ip_frame(sent(d, 4), peer_mac, q, sizeof(q));
	assert_int_equal(stats(e).arp_req_out, 1);

	/* A second reply changes nothing sent and resolves nothing new. */
	assert_int_equal(give_reply(e, peer_mac, PEER_IP, 70000), 0);
	assert_int_equal(d->n, 5);
	assert_int_equal(stats(e).resolved, 1);
	sk_ethif_free(e);
	free(d);
}

static void test_offlink_resolves_gateway(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p[80];
	ip_pkt(p, sizeof(p), MY_IP, FAR_IP, 7);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(d->n, 1);
	assert_arp_request(sent(d, 0), GW_IP);

	assert_int_equal(give_reply(e, gw_mac, GW_IP, 1000), 0);
	assert_int_equal(d->n, 2);
	assert_ip_frame(sent(d, 1), gw_mac, p, sizeof(p)); /* IP destination still FAR_IP */
	assert_int_equal(sk_get32(sent(d, 1)->data + 14 + 16), FAR_IP);

	/* Another off-link destination reuses the gateway's entry. */
	uint8_t q[80];
	ip_pkt(q, sizeof(q), MY_IP, IP4(198, 51, 100, 1), 8);
	assert_int_equal(sk_ethif_output(e, q, sizeof(q), 2000), 0);
	assert_int_equal(d->n, 3);
	assert_ip_frame(sent(d, 2), gw_mac, q, sizeof(q));
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, FAR_IP, mac), 0); /* only next hops are cached */
	sk_ethif_free(e);
	free(d);
}

static void test_no_gateway_enetunreach(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, 0, NULL);
	uint8_t p[60];
	ip_pkt(p, sizeof(p), MY_IP, FAR_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), -ENETUNREACH);
	assert_int_equal(d->n, 0);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);

	/* On-link still resolves. */
	ip_pkt(p, sizeof(p), MY_IP, PEER_IP, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(d->n, 1);
	assert_arp_request(sent(d, 0), PEER_IP);

	/* With no gateway (0), an ARP probe's sender 0.0.0.0 must still not be learned. */
	const uint8_t prober[6] = {0x02, 0, 0, 0, 0, 0x33};
	assert_int_equal(give_request(e, prober, 0, MY_IP, 10), 0);
	assert_int_equal(d->n, 2);
	assert_arp_reply(sent(d, 1), prober, 0);
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, 0, mac), 0);
	assert_int_equal(sk_ethif_next_deadline(e), SEC); /* only PEER's request */
	sk_ethif_free(e);
	free(d);
}

static void test_bad_output_arguments(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p[1600];
	memset(p, 0, sizeof(p));
	assert_int_equal(sk_ethif_output(e, p, 40, 0), -EINVAL); /* version 0 */
	assert_int_equal(sk_ethif_output(e, p, 10, 0), -EINVAL); /* too short */
	ip_pkt(p, 1501, MY_IP, PEER_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, 1501, 0), -EMSGSIZE);
	ip_pkt(p, 40, MY_IP, MY_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, 40, 0), -EINVAL);
	ip_pkt(p, 40, MY_IP, 0, 1);
	assert_int_equal(sk_ethif_output(e, p, 40, 0), -EINVAL);
	assert_int_equal(d->n, 0);

	/* The largest packet the MTU allows goes out whole. */
	ip_pkt(p, 1500, MY_IP, IP4(255, 255, 255, 255), 2);
	assert_int_equal(sk_ethif_output(e, p, 1500, 0), 0);
	assert_int_equal(d->n, 1);
	assert_ip_frame(sent(d, 0), bcast, p, 1500);

	/* A device error comes back to the caller. */
	d->fail = -EIO;
	assert_int_equal(sk_ethif_output(e, p, 1500, 0), -EIO);
	assert_int_equal(stats(e).ip_out, 1);
	sk_ethif_free(e);
	free(d);
}

static void test_broadcast_and_multicast_destinations(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p[28];
	ip_pkt(p, sizeof(p), MY_IP, IP4(255, 255, 255, 255), 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	ip_pkt(p, sizeof(p), MY_IP, IP4(10, 0, 0, 255), 2); /* directed, /24 */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(d->n, 2);
	assert_int_equal(frame_ip_id(sent(d, 0)), 1);
	assert_mac(sent(d, 0)->data, bcast);
	assert_ip_frame(sent(d, 1), bcast, p, sizeof(p));

	/* 224.0.0.251 maps to 01:00:5e:00:00:fb; 239.129.2.3 keeps only 23 bits. */
	ip_pkt(p, sizeof(p), MY_IP, IP4(224, 0, 0, 251), 3);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	const uint8_t m1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
	assert_ip_frame(sent(d, 2), m1, p, sizeof(p));
	ip_pkt(p, sizeof(p), MY_IP, IP4(239, 129, 2, 3), 4);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	const uint8_t m2[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
	assert_ip_frame(sent(d, 3), m2, p, sizeof(p));

	assert_int_equal(stats(e).arp_req_out, 0);
	assert_int_equal(stats(e).ip_out, 4);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	sk_ethif_free(e);

	/* A /31 has no broadcast address: 10.0.0.1 is a host there. */
	d->n = 0;
	e = sk_ethif_new(&d->dev, my_mac, IP4(10, 0, 0, 0), 31, 0, NULL);
	assert_non_null(e);
	ip_pkt(p, sizeof(p), IP4(10, 0, 0, 0), IP4(10, 0, 0, 1), 5);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(d->n, 1);
	assert_int_equal(sk_get16(sent(d, 0)->data + 12), 0x0806);
	sk_ethif_free(e);
	free(d);
}

static void test_request_for_us_answered_and_learned(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	const uint32_t asker = IP4(10, 0, 0, 7);
	assert_int_equal(give_request(e, other_mac, asker, MY_IP, 3000), 0);
	assert_int_equal(d->n, 1);
	assert_arp_reply(sent(d, 0), other_mac, asker);
	assert_int_equal(sent(d, 0)->at, 3000);

	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.arp_req_in, 1);
	assert_int_equal(s.arp_reply_out, 1);
	assert_int_equal(s.resolved, 0); /* learned, not a resolution we started */
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, asker, mac), 1);
	assert_mac(mac, other_mac);

	/* The requester is known: a packet to it goes at once. */
	uint8_t p[50];
	ip_pkt(p, sizeof(p), MY_IP, asker, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 4000), 0);
	assert_int_equal(d->n, 2);
	assert_ip_frame(sent(d, 1), other_mac, p, sizeof(p));
	assert_int_equal(stats(e).arp_req_out, 0);
	assert_int_equal(sk_ethif_next_deadline(e), 3000 + 30 * SEC);

	/* An ARP probe (sender 0.0.0.0, RFC 5227) for our address is answered, not learned. */
	const uint8_t prober[6] = {0x02, 0, 0, 0, 0, 0x33};
	assert_int_equal(give_request(e, prober, 0, MY_IP, 5000), 0);
	assert_int_equal(d->n, 3);
	assert_arp_reply(sent(d, 2), prober, 0);
	assert_int_equal(sk_ethif_lookup(e, 0, mac), 0);
	sk_ethif_free(e);
	free(d);
}

static void test_request_for_other_ip_not_answered(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	assert_int_equal(give_request(e, other_mac, IP4(10, 0, 0, 7), IP4(10, 0, 0, 8), 0), 0);
	assert_int_equal(d->n, 0);
	uint8_t mac[6];
	/* Not for us: not learned. */
	assert_int_equal(sk_ethif_lookup(e, IP4(10, 0, 0, 7), mac), 0);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.arp_req_in, 1);
	assert_int_equal(s.arp_reply_out, 0);
	assert_int_equal(s.frames_bad, 0);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);

	/* Nor is one claiming our own address as its sender, nor one from an off-link sender. */
	assert_int_equal(give_request(e, other_mac, MY_IP, MY_IP, 0), 0);
	assert_int_equal(give_request(e, other_mac, FAR_IP, MY_IP, 0), 0);
	assert_int_equal(d->n, 1); /* only the off-link sender's request was answered */
	assert_arp_reply(sent(d, 0), other_mac, FAR_IP);
	assert_int_equal(sk_ethif_lookup(e, FAR_IP, mac), 0);
	assert_int_equal(sk_ethif_lookup(e, MY_IP, mac), 0);
	sk_ethif_free(e);
	free(d);
}

static void test_merge_and_gratuitous_update_existing_only(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	const uint8_t mac2[6] = {0x02, 0, 0, 0, 0, 0x22};
	const uint8_t mac3[6] = {0x02, 0, 0, 0, 0, 0x23};
	const uint32_t c_ip = IP4(10, 0, 0, 3);
	uint8_t mac[6];
	assert_int_equal(give_request(e, peer_mac, PEER_IP, MY_IP, 0), 0); /* learn PEER */
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 1);
	assert_mac(mac, peer_mac);

	/* Gratuitous ARP (sender = target) from PEER with a new MAC: the entry moves. */
	uint8_t f[60] = {0};
	arp_frame(f, bcast, mac2, 1, mac2, PEER_IP, zero_mac, PEER_IP);
	assert_int_equal(sk_ethif_input(e, f, sizeof(f), 1000, NULL, NULL), 0);
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 1);
	assert_mac(mac, mac2);
	/* The refresh restarted the entry's lifetime. */
	assert_int_equal(sk_ethif_next_deadline(e), 1000 + 30 * SEC);

	/* Gratuitous ARP for an address we do not know teaches nothing. */
	arp_frame(f, bcast, mac3, 2, mac3, c_ip, bcast, c_ip);
	assert_int_equal(sk_ethif_input(e, f, sizeof(f), 2000, NULL, NULL), 0);
	assert_int_equal(sk_ethif_lookup(e, c_ip, mac), 0);

	/* A request from PEER for someone else still merges its sender (RFC 826). */
	assert_int_equal(give_request(e, mac3, PEER_IP, c_ip, 3000), 0);
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 1);
	assert_mac(mac, mac3);
	assert_int_equal(d->n, 1); /* only the first request (for us) was answered */

	/* And packets follow the new MAC. */
	uint8_t p[40];
	ip_pkt(p, sizeof(p), MY_IP, PEER_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 4000), 0);
	assert_ip_frame(sent(d, 1), mac3, p, sizeof(p));

	/* A gratuitous ARP also completes a pending resolution and flushes it. */
	const uint32_t q_ip = IP4(10, 0, 0, 4);
	ip_pkt(p, sizeof(p), MY_IP, q_ip, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 5000), 0);
	assert_arp_request(sent(d, 2), q_ip);
	arp_frame(f, bcast, mac2, 1, mac2, q_ip, zero_mac, q_ip);
	assert_int_equal(sk_ethif_input(e, f, sizeof(f), 6000, NULL, NULL), 0);
	assert_int_equal(d->n, 4);
	assert_ip_frame(sent(d, 3), mac2, p, sizeof(p));
	assert_int_equal(stats(e).resolved, 1);
	sk_ethif_free(e);
	free(d);
}

struct hook_log {
	int calls;
	uint32_t ip;
	uint64_t now;
	struct sk_ethif *e; /* if set, the hook sends again to the same address */
};

static void hook(void *ctx, uint32_t ip, uint64_t now)
{
	struct hook_log *h = ctx;
	h->calls++;
	h->ip = ip;
	h->now = now;
	if (h->e) {
		uint8_t p[40];
		ip_pkt(p, sizeof(p), MY_IP, ip, 77);
		assert_int_equal(sk_ethif_output(h->e, p, sizeof(p), now), 0);
	}
}

static void test_retransmit_and_give_up(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	struct hook_log h = {0};
	sk_ethif_set_unreachable_hook(e, hook, &h);
	uint8_t p[60];
	ip_pkt(p, sizeof(p), MY_IP, PEER_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 1000), 0);
	ip_pkt(p, sizeof(p), MY_IP, PEER_IP, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 2000), 0);
	assert_int_equal(d->n, 1);
	assert_int_equal(sk_ethif_next_deadline(e), 1000 + SEC);

	sk_ethif_poll(e, 1000 + SEC - 1);
	assert_int_equal(d->n, 1);
	sk_ethif_poll(e, 1000 + SEC);
	assert_int_equal(d->n, 2);
	assert_arp_request(sent(d, 1), PEER_IP);
	assert_int_equal(sent(d, 1)->at, 1000 + SEC);
	assert_int_equal(sk_ethif_next_deadline(e), 1000 + 2 * SEC);

	sk_ethif_poll(e, 1000 + 2 * SEC);
	assert_int_equal(d->n, 3);
	assert_arp_request(sent(d, 2), PEER_IP);
	assert_int_equal(sk_ethif_next_deadline(e), 1000 + 3 * SEC);

	/* Three requests sent (max_probes): the next deadline gives up, sending nothing. */
	sk_ethif_poll(e, 1000 + 3 * SEC - 1);
	assert_int_equal(h.calls, 0);
	assert_int_equal(stats(e).unresolved_drops, 0);
	sk_ethif_poll(e, 1000 + 3 * SEC);
	assert_int_equal(d->n, 3);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.ip, PEER_IP);
	assert_int_equal(h.now, 1000 + 3 * SEC);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.unresolved_drops, 2);
	assert_int_equal(s.arp_req_out, 3);
	assert_int_equal(s.ip_out, 0);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 0);

	/* A later packet starts over. */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 10 * SEC), 0);
	assert_int_equal(d->n, 4);
	assert_arp_request(sent(d, 3), PEER_IP);
	assert_int_equal(sk_ethif_next_deadline(e), 11 * SEC);

	/* A late poll still sends one request per call, never a burst. */
	sk_ethif_poll(e, 15 * SEC);
	assert_int_equal(d->n, 5);
	assert_int_equal(sk_ethif_next_deadline(e), 16 * SEC);
	sk_ethif_free(e);
	free(d);
}

static void test_give_up_hook_may_send_again(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.max_probes = 1;
	c.retrans_ms = 500;
	struct sk_ethif *e = mk(d, GW_IP, &c);
	struct hook_log h = {.e = e};
	sk_ethif_set_unreachable_hook(e, hook, &h);
	uint8_t p[60];
	ip_pkt(p, sizeof(p), MY_IP, FAR_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_arp_request(sent(d, 0), GW_IP);
	sk_ethif_poll(e, 500000);
	/* Gave up on the gateway (the next hop, not the destination), and the hook's own packet
	 * started a new resolution at once. */
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.ip, GW_IP);
	assert_int_equal(d->n, 2);
	assert_arp_request(sent(d, 1), GW_IP);
	assert_int_equal(sent(d, 1)->at, 500000);
	assert_int_equal(stats(e).unresolved_drops, 1);
	assert_int_equal(sk_ethif_next_deadline(e), 1000000);
	assert_int_equal(give_reply(e, gw_mac, GW_IP, 600000), 0);
	assert_int_equal(d->n, 3);
	assert_int_equal(frame_ip_id(sent(d, 2)), 77);
	sk_ethif_free(e);
	free(d);
}

static void test_queue_per_entry_drops_oldest(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p[100];
	for (uint16_t id = 1; id <= 5; id++) {
		ip_pkt(p, sizeof(p), MY_IP, PEER_IP, id);
		assert_int_equal(sk_ethif_output(e, p, sizeof(p), id), 0);
	}
	assert_int_equal(d->n, 1);
	assert_int_equal(stats(e).queue_drops, 2);
	assert_int_equal(give_reply(e, peer_mac, PEER_IP, 100), 0);
	assert_int_equal(d->n, 4);
	assert_int_equal(frame_ip_id(sent(d, 1)), 3);
	assert_int_equal(frame_ip_id(sent(d, 2)), 4);
	assert_int_equal(frame_ip_id(sent(d, 3)), 5);
	assert_int_equal(stats(e).ip_out, 3);
	sk_ethif_free(e);
	free(d);
}

static void test_queue_bytes_cap(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.queue_bytes = 1000;
	c.queue_per_entry = 10;
	struct sk_ethif *e = mk(d, GW_IP, &c);
	const uint32_t a = IP4(10, 0, 0, 2), b = IP4(10, 0, 0, 3), cc = IP4(10, 0, 0, 4);
	const uint8_t b_mac[6] = {0x02, 0, 0, 0, 0, 0x03};
	uint8_t p[1200];

	ip_pkt(p, 400, MY_IP, a, 1);
	assert_int_equal(sk_ethif_output(e, p, 400, 0), 0);
	ip_pkt(p, 400, MY_IP, a, 2);
	assert_int_equal(sk_ethif_output(e, p, 400, 0), 0); /* 800 held */

	/* 400 more for b would be 1200: refused, but b's resolution still starts. */
	ip_pkt(p, 400, MY_IP, b, 3);
	assert_int_equal(sk_ethif_output(e, p, 400, 0), -ENOBUFS);
	assert_int_equal(stats(e).queue_drops, 1);
	assert_int_equal(d->n, 2);
	assert_arp_request(sent(d, 1), b);

	/* For a itself, its own oldest packet makes room. */
	ip_pkt(p, 400, MY_IP, a, 4);
	assert_int_equal(sk_ethif_output(e, p, 400, 0), 0);
	assert_int_equal(stats(e).queue_drops, 2);

	/* Larger than the whole cap: refused outright. */
	ip_pkt(p, 1001, MY_IP, cc, 5);
	assert_int_equal(sk_ethif_output(e, p, 1001, 0), -ENOBUFS);
	assert_int_equal(stats(e).queue_drops, 3);

	assert_int_equal(give_reply(e, peer_mac, a, 10), 0);
	assert_int_equal(d->n, 5);
	assert_int_equal(frame_ip_id(sent(d, 3)), 2);
	assert_int_equal(frame_ip_id(sent(d, 4)), 4);

	/* a's bytes are gone: b's packets fit now, up to the cap and no further. */
	ip_pkt(p, 400, MY_IP, b, 6);
	assert_int_equal(sk_ethif_output(e, p, 400, 20), 0);
	ip_pkt(p, 500, MY_IP, b, 7);
	assert_int_equal(sk_ethif_output(e, p, 500, 20), 0); /* 900 held */
	ip_pkt(p, 20, MY_IP, IP4(10, 0, 0, 5), 8);
	assert_int_equal(sk_ethif_output(e, p, 20, 20), 0); /* 920 */
	ip_pkt(p, 100, MY_IP, IP4(10, 0, 0, 6), 9);
	assert_int_equal(sk_ethif_output(e, p, 100, 20), -ENOBUFS);
	assert_int_equal(stats(e).queue_drops, 4);
	size_t before = d->n;
	assert_int_equal(give_reply(e, b_mac, b, 30), 0);
	assert_int_equal(d->n, before + 2);
	assert_int_equal(frame_ip_id(sent(d, before)), 6);
	assert_int_equal(frame_ip_id(sent(d, before + 1)), 7);
	assert_mac(sent(d, before)->data, b_mac);
	sk_ethif_free(e);
	free(d);
}

static void test_entry_expires_and_is_re_resolved(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t p[60], mac[6];
	ip_pkt(p, sizeof(p), MY_IP, PEER_IP, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(give_reply(e, peer_mac, PEER_IP, 10000), 0);
	assert_int_equal(d->n, 2);
	const uint64_t exp = 10000 + 30 * SEC;
	assert_int_equal(sk_ethif_next_deadline(e), exp);

	/* Still trusted just before: sent directly. Using an entry does not extend its life
	 * (RFC 1122 2.3.2.1: time out entries even if they are in use). */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), exp - 1), 0);
	assert_int_equal(d->n, 3);
	assert_ip_frame(sent(d, 2), peer_mac, p, sizeof(p));
	assert_int_equal(sk_ethif_next_deadline(e), exp);
	sk_ethif_poll(e, exp - 1);
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 1);

	/* Expired by poll: forgotten. */
	sk_ethif_poll(e, exp);
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 0);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), exp + 5), 0);
	assert_int_equal(d->n, 4);
	assert_arp_request(sent(d, 3), PEER_IP);

	/* Resolved again; this time it expires with no poll: the next use re-resolves too. */
	assert_int_equal(give_reply(e, peer_mac, PEER_IP, exp + 10), 0);
	assert_int_equal(d->n, 5);
	const uint64_t exp2 = exp + 10 + 30 * SEC;
	ip_pkt(p, sizeof(p), MY_IP, PEER_IP, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), exp2), 0);
	assert_int_equal(d->n, 6);
	assert_arp_request(sent(d, 5), PEER_IP);
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 0);
	assert_int_equal(sk_ethif_next_deadline(e), exp2 + SEC);
	assert_int_equal(give_reply(e, peer_mac, PEER_IP, exp2 + 1), 0);
	assert_int_equal(d->n, 7);
	assert_int_equal(frame_ip_id(sent(d, 6)), 2);
	assert_int_equal(stats(e).resolved, 3);
	sk_ethif_free(e);
	free(d);
}

static void test_cache_full_evicts_least_recently_used(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.max_entries = 4;
	struct sk_ethif *e = mk(d, GW_IP, &c);
	uint8_t mac[6], m[6] = {0x02, 0, 0, 0, 0, 0};
	for (uint32_t h = 11; h <= 14; h++) {
		m[5] = (uint8_t)h;
		assert_int_equal(give_request(e, m, IP4(10, 0, 0, h), MY_IP, h), 0);
	}
	for (uint32_t h = 11; h <= 14; h++)
		assert_int_equal(sk_ethif_lookup(e, IP4(10, 0, 0, h), mac), 1);

	/* Using .11 makes .12 the least recently used. */
	uint8_t p[40];
	ip_pkt(p, sizeof(p), MY_IP, IP4(10, 0, 0, 11), 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 20), 0);
	m[5] = 15;
	assert_int_equal(give_request(e, m, IP4(10, 0, 0, 15), MY_IP, 30), 0);
	assert_int_equal(sk_ethif_lookup(e, IP4(10, 0, 0, 12), mac), 0);
	for (uint32_t h = 11; h <= 15; h++) {
		if (h == 12)
			continue;
		assert_int_equal(sk_ethif_lookup(e, IP4(10, 0, 0, h), mac), 1);
		assert_int_equal(mac[5], h);
	}

	/* A new resolution evicts the next one, .13; its first retransmission is the earliest
	 * deadline. */
	ip_pkt(p, sizeof(p), MY_IP, IP4(10, 0, 0, 16), 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 40), 0);
	assert_int_equal(sk_ethif_lookup(e, IP4(10, 0, 0, 13), mac), 0);
	assert_int_equal(sk_ethif_lookup(e, IP4(10, 0, 0, 14), mac), 1);
	assert_int_equal(sk_ethif_next_deadline(e), 40 + SEC);

	/* Evicting an unresolved entry drops its queue. Order now (newest first): .16, .15,
	 * .11, .14; learning four more pushes out .14, .11, .15, then .16 with its packet. */
	assert_int_equal(stats(e).queue_drops, 0);
	for (uint32_t h = 17; h <= 20; h++) {
		m[5] = (uint8_t)h;
		assert_int_equal(give_request(e, m, IP4(10, 0, 0, h), MY_IP, 50), 0);
	}
	assert_int_equal(stats(e).queue_drops, 1);
	assert_int_equal(sk_ethif_next_deadline(e), 50 + 30 * SEC);
	assert_int_equal(give_reply(e, peer_mac, IP4(10, 0, 0, 16), 60), 0);
	assert_int_equal(stats(e).resolved, 0); /* learned afresh, nothing to flush */
	assert_int_equal(stats(e).ip_out, 1);
	sk_ethif_free(e);
	free(d);
}

static void test_frames_for_others_ignored(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t f[100], pkt[28];
	const uint8_t *ip = NULL;
	size_t iplen = 0;
	ip_pkt(pkt, sizeof(pkt), PEER_IP, MY_IP, 1);

	/* To our MAC: handed up, padding trimmed, pointing into the frame. */
	memset(f, 0, sizeof(f));
	eth_hdr(f, my_mac, peer_mac, 0x0800);
	memcpy(f + 14, pkt, sizeof(pkt));
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 1);
	assert_ptr_equal(ip, f + 14);
	assert_int_equal(iplen, sizeof(pkt));

	/* Broadcast: handed up. */
	eth_hdr(f, bcast, peer_mac, 0x0800);
	ip = NULL;
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 1);
	assert_ptr_equal(ip, f + 14);
	assert_int_equal(stats(e).ip_in, 2);

	/* Another station's unicast, a multicast group, our own echo, IPv6: not ours. */
	eth_hdr(f, other_mac, peer_mac, 0x0800);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	const uint8_t group[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	eth_hdr(f, group, peer_mac, 0x0800);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	eth_hdr(f, bcast, my_mac, 0x0800);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	eth_hdr(f, my_mac, peer_mac, 0x86dd);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);

	/* An ARP reply to another station is not ours even though it names our address. */
	arp_frame(f, other_mac, peer_mac, 2, peer_mac, PEER_IP, my_mac, MY_IP);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 0);

	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.frames_in, 7);
	assert_int_equal(s.frames_not_mine, 5);
	assert_int_equal(s.ip_in, 2);
	assert_int_equal(s.arp_reply_in, 0);
	assert_int_equal(s.frames_bad, 0);
	assert_int_equal(d->n, 0);
	sk_ethif_free(e);
	free(d);
}

static void test_truncated_and_malformed_frames(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	uint8_t ipf[54], arpf[42];
	const uint8_t *ip = NULL;
	size_t iplen = 0;
	eth_hdr(ipf, my_mac, peer_mac, 0x0800);
	ip_pkt(ipf + 14, 40, PEER_IP, MY_IP, 1);
	arp_frame(arpf, bcast, peer_mac, 1, peer_mac, PEER_IP, zero_mac, IP4(10, 0, 0, 9));

	/* Every truncation is bad, and copied to the heap so ASan sees any overread. */
	uint64_t bad = 0;
	for (size_t n = 0; n < sizeof(ipf); n++) {
		uint8_t *cp = malloc(n ? n : 1);
		assert_non_null(cp);
		memcpy(cp, ipf, n);
		assert_int_equal(sk_ethif_input(e, cp, n, 0, &ip, &iplen), 0);
		assert_int_equal(stats(e).frames_bad, ++bad);
		free(cp);
	}
	for (size_t n = 0; n < sizeof(arpf); n++) {
		uint8_t *cp = malloc(n ? n : 1);
		assert_non_null(cp);
		memcpy(cp, arpf, n);
		assert_int_equal(sk_ethif_input(e, cp, n, 0, &ip, &iplen), 0);
		assert_int_equal(stats(e).frames_bad, ++bad);
		free(cp);
	}
	assert_int_equal(sk_ethif_input(e, NULL, 0, 0, &ip, &iplen), 0);
	assert_int_equal(stats(e).frames_bad, ++bad);
	/* The whole frames are fine. */
	assert_int_equal(sk_ethif_input(e, ipf, sizeof(ipf), 0, &ip, &iplen), 1);
	assert_int_equal(iplen, 40);
	assert_int_equal(sk_ethif_input(e, arpf, sizeof(arpf), 0, &ip, &iplen), 0);
	assert_int_equal(stats(e).frames_bad, bad);

	/* Malformed ARP: another hardware type, an unknown op, a group sender MAC. */
	uint8_t f[60];
	arp_frame(f, bcast, peer_mac, 1, peer_mac, PEER_IP, zero_mac, MY_IP);
	f[15] = 6;
	assert_int_equal(sk_ethif_input(e, f, 42, 0, &ip, &iplen), 0);
	arp_frame(f, bcast, peer_mac, 3, peer_mac, PEER_IP, zero_mac, MY_IP);
	assert_int_equal(sk_ethif_input(e, f, 42, 0, &ip, &iplen), 0);
	arp_frame(f, bcast, peer_mac, 1, bcast, PEER_IP, zero_mac, MY_IP);
	assert_int_equal(sk_ethif_input(e, f, 42, 0, &ip, &iplen), 0);
	/* A group source address on the Ethernet header. */
	eth_hdr(f, bcast, bcast, 0x0800);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	assert_int_equal(stats(e).frames_bad, bad + 4);
	assert_int_equal(d->n, 0); /* none of them was answered */
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, PEER_IP, mac), 0);
	sk_ethif_free(e);
	free(d);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Random frames, half of them steered past the MAC filter and into ARP or IPv4, mixed with
 * random outputs and polls over a small cache: no crash, no leak, only 0 or 1 returned, a
 * packet inside its frame, and every frame counted. */
static void test_random_input_never_crashes(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.max_entries = 8;
	c.queue_bytes = 4000;
	struct sk_ethif *e = mk(d, GW_IP, &c);
	uint64_t now = 0;
	const int rounds = 20000;
	int handed_up = 0;
	for (int i = 0; i < rounds; i++) {
		size_t n = rnd() % 100;
		uint8_t *f = malloc(n ? n : 1);
		assert_non_null(f);
		for (size_t k = 0; k < n; k++)
			f[k] = (uint8_t)rnd();
		uint32_t r = rnd();
		if ((r & 1) && n >= 14) {
			memcpy(f, (r & 2) ? my_mac : bcast, 6);
			f[6] &= 0xfe;
			sk_put16(f + 12, (r & 4) ? 0x0806 : 0x0800);
			if ((r & 4) && n >= 14 + 28 && (r & 8)) {
				const uint8_t hdr[6] = {0, 1, 8, 0, 6, 4};
				memcpy(f + 14, hdr, 6);
				sk_put16(f + 20, (uint16_t)(1 + (r >> 8) % 2));
				f[22] &= 0xfe;
				sk_put32(f + 28, IP4(10, 0, 0, (r >> 12) % 16));
				if (r & 16)
					sk_put32(f + 38, MY_IP);
			} else if (!(r & 4) && n >= 34) {
				f[14] = 0x45;
				sk_put16(f + 16, (uint16_t)(n - 14 - (r >> 20) % 8));
			}
		}
		const uint8_t *ip = NULL;
		size_t iplen = 0;
		int ret = sk_ethif_input(e, f, n, now, &ip, &iplen);
		assert_true(ret == 0 || ret == 1);
		if (ret == 1) {
			assert_true(ip >= f + 14 && iplen >= 20 && ip + iplen <= f + n);
			handed_up++;
		}
		free(f);
		if ((r >> 24) % 4 == 0) {
			uint8_t p[300];
			size_t len = 20 + (r >> 4) % 280;
			uint32_t dst = (r & 32) ? IP4(10, 0, 0, (r >> 12) % 16) : FAR_IP;
			ip_pkt(p, len, MY_IP, dst, (uint16_t)i);
			int o = sk_ethif_output(e, p, len, now);
			assert_true(o == 0 || o == -ENOBUFS || o == -EINVAL);
		}
		now += rnd() % 200000;
		sk_ethif_poll(e, now);
		assert_true(sk_ethif_next_deadline(e) > now);
	}
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.frames_in, rounds);
	assert_int_equal(s.ip_in, handed_up);
	assert_true(handed_up > 100);
	assert_true(s.frames_bad > 100);
	assert_true(s.arp_reply_out > 10);
	assert_true(s.resolved > 0);
	sk_ethif_free(e);
	free(d);
}

/* A brute-force model of the cache's timers (no eviction: the cache holds every host):
 * random sends, replies and polls over many hosts, and after each step next_deadline, the
 * requests sent, the give-ups and the packets delivered must equal the model's. */
#define MODEL_HOSTS 60

struct model_host {
	int state; /* 0 none, 1 resolving, 2 resolved */
	uint32_t probes;
	uint64_t deadline;
	uint32_t queued;
};

static void test_deadlines_match_model(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.max_entries = 64;
	c.max_probes = 2;
	c.retrans_ms = 700;
	c.reachable_ms = 5000;
	c.queue_per_entry = 100;
	struct sk_ethif *e = mk(d, GW_IP, &c);
	struct hook_log h = {0};
	sk_ethif_set_unreachable_hook(e, hook, &h);
	struct model_host m[MODEL_HOSTS];
	memset(m, 0, sizeof(m));
	uint64_t now = 0, requests = 0, gave_up = 0, dropped = 0, delivered = 0;
	for (int step = 0; step < 20000; step++) {
		uint32_t r = rnd();
		int k = (int)((r >> 8) % MODEL_HOSTS);
		uint32_t host = IP4(10, 0, 0, 2 + k);
		uint8_t mac[6] = {0x02, 0, 0, 0, 1, (uint8_t)k};
		switch (r % 4) {
		case 0: { /* send */
			uint8_t p[40];
			ip_pkt(p, sizeof(p), MY_IP, host, (uint16_t)step);
			assert_int_equal(sk_ethif_output(e, p, sizeof(p), now), 0);
			if (m[k].state == 2 && now < m[k].deadline) {
				delivered++;
				break;
			}
			if (m[k].state != 1) {
				m[k].state = 1;
				m[k].probes = 1;
				m[k].deadline = now + c.retrans_ms * 1000ull;
				requests++;
			}
			m[k].queued++;
			break;
		}
		case 1: /* the host answers (a reply to us) */
			assert_int_equal(give_reply(e, mac, host, now), 0);
			delivered += m[k].state == 1 ? m[k].queued : 0;
			m[k].state = 2;
			m[k].queued = 0;
			m[k].deadline = now + c.reachable_ms * 1000ull;
			break;
		default: { /* time passes, sometimes exactly to the next deadline */
			uint64_t next = sk_ethif_next_deadline(e);
			if ((r & 16) && next != UINT64_MAX)
				now = next;
			else
				now += rnd() % 900000;
			sk_ethif_poll(e, now);
			for (int i = 0; i < MODEL_HOSTS; i++) {
				if (m[i].state == 0 || m[i].deadline > now)
					continue;
				if (m[i].state == 1 && m[i].probes < c.max_probes) {
					m[i].probes++;
					m[i].deadline = now + c.retrans_ms * 1000ull;
					requests++;
					continue;
				}
				if (m[i].state == 1) {
					gave_up++;
					dropped += m[i].queued;
				}
				m[i].state = 0;
				m[i].queued = 0;
			}
			break;
		}
		}
		uint64_t want = UINT64_MAX;
		for (int i = 0; i < MODEL_HOSTS; i++)
			if (m[i].state && m[i].deadline < want)
				want = m[i].deadline;
		assert_int_equal(sk_ethif_next_deadline(e), want);
		struct sk_ethif_stats s = stats(e);
		assert_int_equal(s.arp_req_out, requests);
		assert_int_equal(s.unresolved_drops, dropped);
		assert_int_equal(s.ip_out, delivered);
		assert_int_equal(h.calls, gave_up);
	}
	/* Every path was taken many times (seeded, so the counts are fixed). */
	assert_true(gave_up > 1000 && requests > 2000 && delivered > 100 && dropped > 1000);
	sk_ethif_free(e);
	free(d);
}

static void test_next_deadline(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	uint8_t p[40];
	const uint32_t b = IP4(10, 0, 0, 2), c = IP4(10, 0, 0, 3);
	ip_pkt(p, sizeof(p), MY_IP, b, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 100), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 100 + SEC);
	ip_pkt(p, sizeof(p), MY_IP, c, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 500000), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 100 + SEC); /* the earlier one */

	sk_ethif_poll(e, 100 + SEC); /* b's second request */
	assert_int_equal(sk_ethif_next_deadline(e), 500000 + SEC);

	/* b resolves: its expiry is later than c's next request. */
	assert_int_equal(give_reply(e, peer_mac, b, 1200000), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 500000 + SEC);
	/* c resolves: now only the two expiries are left, b's first; exact, not early. */
	const uint8_t c_mac[6] = {0x02, 0, 0, 0, 0, 0x03};
	assert_int_equal(give_reply(e, c_mac, c, 1300000), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 1200000 + 30 * SEC);
	sk_ethif_poll(e, 1200000 + 30 * SEC);
	assert_int_equal(sk_ethif_next_deadline(e), 1300000 + 30 * SEC);
	sk_ethif_poll(e, 1300000 + 30 * SEC);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);

	/* Time never runs backwards: an earlier now acts at the latest seen. */
	ip_pkt(p, sizeof(p), MY_IP, b, 3);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 5), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 1300000 + 31 * SEC);
	sk_ethif_free(e);
	free(d);
}

/* Wrapped as the stack's output function: the shapes agree. */
static int wrap_output(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	return sk_ethif_output(ctx, pkt, len, now);
}

static void test_wraps_as_output_fn(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk(d, GW_IP, NULL);
	int (*out)(void *, const uint8_t *, size_t, uint64_t) = wrap_output;
	assert_int_equal(give_request(e, gw_mac, GW_IP, MY_IP, 0), 0); /* gateway learned */
	uint8_t p[40];
	ip_pkt(p, sizeof(p), MY_IP, FAR_IP, 1);
	assert_int_equal(out(e, p, sizeof(p), 1), 0);
	assert_int_equal(d->n, 2);
	assert_ip_frame(sent(d, 1), gw_mac, p, sizeof(p));
	sk_ethif_free(e);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_and_bad_arguments),
		cmocka_unit_test(test_unknown_onlink_queues_and_sends_one_request),
		cmocka_unit_test(test_reply_flushes_queue_in_order),
		cmocka_unit_test(test_offlink_resolves_gateway),
		cmocka_unit_test(test_no_gateway_enetunreach),
		cmocka_unit_test(test_bad_output_arguments),
		cmocka_unit_test(test_broadcast_and_multicast_destinations),
		cmocka_unit_test(test_request_for_us_answered_and_learned),
		cmocka_unit_test(test_request_for_other_ip_not_answered),
		cmocka_unit_test(test_merge_and_gratuitous_update_existing_only),
		cmocka_unit_test(test_retransmit_and_give_up),
		cmocka_unit_test(test_give_up_hook_may_send_again),
		cmocka_unit_test(test_queue_per_entry_drops_oldest),
		cmocka_unit_test(test_queue_bytes_cap),
		cmocka_unit_test(test_entry_expires_and_is_re_resolved),
		cmocka_unit_test(test_cache_full_evicts_least_recently_used),
		cmocka_unit_test(test_frames_for_others_ignored),
		cmocka_unit_test(test_truncated_and_malformed_frames),
		cmocka_unit_test(test_random_input_never_crashes),
		cmocka_unit_test(test_deadlines_match_model),
		cmocka_unit_test(test_next_deadline),
		cmocka_unit_test(test_wraps_as_output_fn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
