/* The TUN device against Linux (src/link/tun.c), its offloads and its queue, by what the
 * kernel of the test's own namespace forwards back out of it. What the link writes with a
 * partial checksum (a TCP segment within the MTU, a TSO super-segment, a UDP datagram)
 * is forwarded by the kernel of a namespace of the test's own straight back out of the
 * same TUN, where Linux hands it over still partial; completed by the link's reading
 * side, every checksum must be right. Local delivery would trust a partial checksum
 * unseen, so the round trip is what shows that the pseudo-header's sum the link put in
 * the field is the one Linux expects. Read for synack_input_verified instead, such a
 * packet is left partial and marked. The kernel side's queue must hold a burst of
 * thousands of packets the stack has not read yet. Root only (77 otherwise). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "link/dev.h"
#include "link/tun.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

#define DEV "sktoff0"
#define FROM 0xc6336407u /* 198.51.100.7: neither end of the TUN, so forwarded */
#define TO 0xcb007109u   /* 203.0.113.9: routed back out of the TUN */

static struct sk_dev *dev;
static uint8_t pkt[70000], back[70000];

static void sysctl(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, v, strlen(v)), (ssize_t)strlen(v));
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(unshare(CLONE_NEWNET), 0); /* everything below is this process's */
	char why[128];
	int err = 0;
	dev = sk_tun_open(DEV, SK_TUN, 0, 1500, &err, why, sizeof(why));
	assert_non_null(dev);
	assert_true(sk_tun_gso_max(dev) > 1500); /* offloads on */
	assert_int_equal(sk_tun_host_config(DEV, 0xc0000201u, 24, why, sizeof(why)), 0);
	assert_int_equal(sk_tun_host_default_route(DEV, AF_INET, why, sizeof(why)), 0);
	sysctl("/proc/sys/net/ipv4/ip_forward", "1");
	sysctl("/proc/sys/net/ipv4/conf/all/rp_filter", "0");
	sysctl("/proc/sys/net/ipv4/conf/" DEV "/rp_filter", "0");
	sysctl("/proc/sys/net/ipv4/conf/all/send_redirects", "0");
	sysctl("/proc/sys/net/ipv4/conf/" DEV "/send_redirects", "0");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sk_dev_close(dev);
	return 0;
}

/* An IPv4 packet FROM -> TO carrying proto's header (from port sport) and payload_len
 * bytes, its checksums complete. Returns its length. */
static size_t build(uint8_t proto, uint16_t sport, size_t payload_len)
{
	size_t l4 = proto == SK_IPPROTO_TCP ? 32 : 8, len = 20 + l4 + payload_len;
	uint8_t *p = pkt + 20;
	for (size_t i = 0; i < payload_len; i++)
		p[l4 + i] = (uint8_t)(i * 31 + 7);
	if (proto == SK_IPPROTO_TCP) {
		struct sk_tcp t = {.sport = sport, .dport = 80, .seq = 1000, .ack = 2000, .flags = SK_TCP_ACK,
				   .win = 500, .opt = {.has_ts = 1, .tsval = 1, .tsecr = 2},
				   .payload = p + l4, .payload_len = payload_len};
		assert_int_equal(sk_tcp_emit(p, sizeof(pkt) - 20, FROM, TO, &t), (int)(l4 + payload_len));
	} else {
		struct sk_udp u = {.sport = sport, .dport = 53, .payload = p + l4, .payload_len = payload_len};
		assert_true(sk_udp_emit(p, sizeof(pkt) - 20, FROM, TO, &u) > 0);
	}
	struct sk_ipv4 h = {.total_len = (uint16_t)len, .id = 7, .frag = SK_IP_DF, .ttl = 64, .proto = proto,
			    .src = FROM, .dst = TO};
	sk_ipv4_emit(pkt, 20, &h);
	return len;
}

/* The next packet of proto from FROM's port sport the device gives back into back (within
 * about 2 s): its length, 0 if none came. Read by sk_tun_recv_batch with verified (NULL:
 * every checksum completed); anything else the kernel says on the link (IPv6 router
 * solicitations) is passed over. */
static size_t read_ours(uint8_t proto, uint16_t sport, uint8_t *verified)
{
	uint8_t *bufs[1] = {back};
	size_t lens[1];
	for (int i = 0; i < 200; i++) {
		struct pollfd p = {.fd = sk_dev_fd(dev), .events = POLLIN};
		assert_true(poll(&p, 1, 10) >= 0);
		while (sk_tun_recv_batch(dev, bufs, sizeof(back), lens, verified, 1) == 1) {
			size_t n = lens[0];
			if ((back[0] >> 4) == 4 && sk_get32(back + 12) == FROM && back[9] == proto && n >= 28 &&
			    sk_get16(back + 20) == sport)
				return n;
		}
	}
	return 0;
}

/* Sends what build made and reads back what Linux forwarded: its length (payload bytes
 * of proto from sport, all segments together), each checksum verified. */
static size_t round_trip(size_t len, uint8_t proto, uint16_t sport)
{
	assert_int_equal(sk_dev_send(dev, pkt, len, 0), 0);
	size_t got = 0, want = len - 20 - (proto == SK_IPPROTO_TCP ? 32 : 8), n;
	while (got < want && (n = read_ours(proto, sport, NULL)) > 0) {
		struct sk_ipv4 ip;
		assert_true(sk_ipv4_parse(back, n, &ip, SK_IPV4_VERIFY_CSUM) > 0);
		assert_int_equal(ip.ttl, 63); /* forwarded once */
		if (proto == SK_IPPROTO_TCP) {
			struct sk_tcp t;
			assert_true(sk_tcp_parse(back + 20, n - 20, ip.src, ip.dst, &t, SK_TCP_VERIFY_CSUM) > 0);
			got += t.payload_len;
		} else {
			struct sk_udp u;
			assert_true(sk_udp_parse(back + 20, n - 20, ip.src, ip.dst, &u, SK_UDP_VERIFY_CSUM) > 0);
			got += u.payload_len;
		}
	}
	return got;
}

static void test_tcp_segment(void **state)
{
	(void)state;
	size_t len = build(SK_IPPROTO_TCP, 40001, 1000);
	assert_int_equal(round_trip(len, SK_IPPROTO_TCP, 40001), 1000);
}

static void test_tcp_super_segment(void **state)
{
	(void)state;
	size_t len = build(SK_IPPROTO_TCP, 40002, 20 * 1448); /* cut by the kernel at gso_size */
	assert_int_equal(round_trip(len, SK_IPPROTO_TCP, 40002), 20 * 1448);
}

/* Scatter-gather (sk_dev_send_sg, what synack_set_output_sg hands the link): the headers
 * and the payload in two pieces from elsewhere go as one GSO packet; what comes back holds
 * every byte in its place, each segment's checksum right. */
static void test_tcp_scatter_gather(void **state)
{
	(void)state;
	size_t payload = 12 * 1448, len = build(SK_IPPROTO_TCP, 40006, payload), hl = 20 + 32;
	static uint8_t elsewhere[12 * 1448];
	memcpy(elsewhere, pkt + hl, payload);
	memset(pkt + hl, 0, payload); /* only the pieces may carry the payload */
	struct iovec pl[2] = {{elsewhere, 5000}, {elsewhere + 5000, payload - 5000}};
	assert_int_equal(sk_dev_send_sg(dev, pkt, hl, pl, 2, 0), 0);
	size_t got = 0, n;
	while (got < payload && (n = read_ours(SK_IPPROTO_TCP, 40006, NULL)) > 0) {
		struct sk_tcp t;
		assert_true(sk_tcp_parse(back + 20, n - 20, FROM, TO, &t, SK_TCP_VERIFY_CSUM) > 0);
		size_t off = t.seq - 1000;
		assert_true(off + t.payload_len <= payload);
		assert_memory_equal(t.payload, elsewhere + off, t.payload_len);
		got += t.payload_len;
	}
	assert_int_equal(got, payload);
	(void)len;
}

static void test_udp_datagram(void **state)
{
	(void)state;
	size_t len = build(SK_IPPROTO_UDP, 40003, 1200);
	assert_int_equal(round_trip(len, SK_IPPROTO_UDP, 40003), 1200);
}

/* sk_tun_recv_batch with a verified array: a packet the kernel hands over partial is left
 * so (its field the pseudo-header's sum, for synack_input_verified) and marked. */
static void test_batch_leaves_partial(void **state)
{
	(void)state;
	size_t len = build(SK_IPPROTO_TCP, 40004, 1000);
	assert_int_equal(sk_dev_send(dev, pkt, len, 0), 0);
	uint8_t verified = 0;
	size_t n = read_ours(SK_IPPROTO_TCP, 40004, &verified);
	assert_true(n >= 40);
	assert_int_equal(verified, 1);
	uint32_t ps = sk_csum_pseudo4(FROM, TO, SK_IPPROTO_TCP, (uint16_t)(n - 20));
	assert_int_equal(sk_get16(back + 36), (uint16_t)~sk_csum_fold(ps)); /* left partial */
	sk_put16(back + 36, sk_csum(back + 20, n - 20)); /* completed, it is right */
	struct sk_tcp t;
	assert_true(sk_tcp_parse(back + 20, n - 20, FROM, TO, &t, SK_TCP_VERIFY_CSUM) > 0);
	assert_int_equal(t.payload_len, 1000);
}

/* A burst the stack has not read yet waits in the kernel side's transmit queue: 3,000
 * datagrams forwarded back while nothing reads are all there afterwards. With a TUN's
 * default of 500 slots the other 2,500 were dropped (bench/load.sh: a wave of the kernel's
 * retransmission timers is tens of thousands of packets in one softirq). */
static void test_queue_holds_a_burst(void **state)
{
	(void)state;
	enum { BURST = 3000 };
	size_t len = build(SK_IPPROTO_UDP, 40005, 16);
	for (int i = 0; i < BURST; i++)
		assert_int_equal(sk_dev_send(dev, pkt, len, 0), 0);
	int got = 0;
	uint8_t *bufs[1] = {back};
	size_t lens[1];
	int r;
	while ((r = sk_tun_recv_batch(dev, bufs, sizeof(back), lens, NULL, 1)) == 1)
		if ((back[0] >> 4) == 4 && sk_get32(back + 12) == FROM && back[9] == SK_IPPROTO_UDP &&
		    sk_get16(back + 20) == 40005)
			got++;
	assert_int_equal(r, 0); /* drained: nothing more waits */
	assert_int_equal(got, BURST);
}

int main(void)
{
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("skipped: not root or no /dev/net/tun\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_segment),
		cmocka_unit_test(test_tcp_super_segment),
		cmocka_unit_test(test_udp_datagram),
		cmocka_unit_test(test_tcp_scatter_gather),
		cmocka_unit_test(test_batch_leaves_partial),
		cmocka_unit_test(test_queue_holds_a_burst),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
