/* The Ethernet adapter's IPv6 half over a fake device: neighbour discovery (RFC 4861) and DAD (RFC
 * 4862). */

/* Every neighbour-cache transition of RFC 4861 7.3.2 and appendix C (INCOMPLETE, REACHABLE,
 * STALE, DELAY, PROBE), the queue bounds while resolving, answering solicitations, duplicate
 * address detection passing and failing, the validity checks of 7.1 (each malformed message
 * dropped and counted), next-hop choice and frame filtering. Expected bytes are worked out
 * from RFC 4861 4's layouts and RFC 2464, and checksums with a sum written here, not read
 * back through the code under test. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link/ethif.h"
#include "wire/decode.h"
#include "fakedev.h"

#define SEC 1000000ull

static const uint8_t my_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t peer_mac2[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x22};
static const uint8_t gw_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
static const uint8_t other_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};

static const uint8_t MY6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};	     /* 2001:db8::1 */
static const uint8_t PEER6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x02};	     /* 2001:db8::2 */
static const uint8_t PEER6B[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x03};     /* 2001:db8::3 */
static const uint8_t FAR6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 0x09}; /* 2001:db8:9::9 */
static const uint8_t GW6[16] = {0xfe, 0x80, [15] = 0xfe};		     /* fe80::fe */
static const uint8_t MYLL[16] = {0xfe, 0x80, [15] = 0x01};		     /* fe80::1 */
static const uint8_t ALL_NODES[16] = {0xff, 0x02, [15] = 1};		     /* ff02::1 */
static const uint8_t UNSPEC[16];
/* Solicited-node groups (RFC 4291 2.7.1): ff02::1:ff and the low 24 bits. */
static const uint8_t SN_MY[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01};
static const uint8_t SN_PEER[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x02};
static const uint8_t SN_GW[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0xfe};
static const uint8_t sn_my_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x01};
static const uint8_t sn_peer_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x02};
static const uint8_t sn_gw_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0xfe};

static struct sk_ethif_stats stats(const struct sk_ethif *e)
{
	struct sk_ethif_stats s;
	sk_ethif_get_stats(e, &s);
	return s;
}

/* No DAD unless asked: the address is preferred at once. */
static struct sk_ethif_config cfg_nodad(void)
{
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.dad_transmits = 0;
	return c;
}

/* DAD as configured by default, but its first solicitation at once (no start delay). */
static struct sk_ethif_config cfg_dad(void)
{
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.dad_delay_max_ms = 0;
	return c;
}

static struct sk_ethif *new_dad(struct fakedev *d)
{
	struct sk_ethif_config c = cfg_dad();
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, &c);
	assert_non_null(e);
	return e;
}

/* IPv6 only: 2001:db8::1/64 and fe80::1/64, gateway fe80::fe, with config c (NULL: no DAD). */
static struct sk_ethif *mk6(struct fakedev *d, const struct sk_ethif_config *c)
{
	struct sk_ethif_config nodad = cfg_nodad();
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, c ? c : &nodad);
	assert_non_null(e);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	assert_int_equal(sk_ethif_add_addr6(e, MYLL, 64, 0), 0);
	assert_int_equal(sk_ethif_set_gw6(e, GW6), 0);
	return e;
}

/* ---- building frames ---- */

static void put_mac(uint8_t *p, const uint8_t *m)
{
	memcpy(p, m, 6);
}

/* The ICMPv6 checksum (RFC 4443 2.3, RFC 8200 8.1), summed here independently. */
static uint16_t cksum6(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len)
{
	uint32_t s = 0;
	for (int i = 0; i < 16; i += 2)
		s += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + 58;
	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IPv6 header (next header nh, hop limit hl) for a payload of plen bytes. */
static size_t eth_ip6(uint8_t *f, const uint8_t *edst, const uint8_t *esrc, const uint8_t src[16],
		      const uint8_t dst[16], uint8_t nh, uint8_t hl, size_t plen)
{
	put_mac(f, edst);
	put_mac(f + 6, esrc);
	sk_put16(f + 12, 0x86dd);
	uint8_t *ip = f + 14;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	sk_put16(ip + 4, (uint16_t)plen);
	ip[6] = nh;
	ip[7] = hl;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	return 54;
}

/* An NDP message in a frame: ICMPv6 type/code, the 4 bytes after the checksum (NA flags in
 * the first), a 16-byte target (NS, NA) or the RA's 8 more bytes, then opts. */
struct ndm {
	const uint8_t *edst, *esrc, *src, *dst;
	uint8_t hl; /* 0: 255 */
	uint8_t type, code, flags;
	const uint8_t *target;
	const uint8_t *opts;
	size_t optlen;
	int bad_sum;
};

static size_t nd_frame(uint8_t *f, const struct ndm *m)
{
	uint8_t msg[256] = {0};
	size_t n = 8;
	msg[0] = m->type;
	msg[1] = m->code;
	msg[4] = m->flags;
	if (m->type == 135 || m->type == 136) {
		memcpy(msg + 8, m->target, 16);
		n += 16;
	} else if (m->type == 134) {
		n += 8; /* reachable time, retrans timer: 0 */
	}
	if (m->optlen)
		memcpy(msg + n, m->opts, m->optlen);
	n += m->optlen;
	uint16_t c = cksum6(m->src, m->dst, msg, n);
	sk_put16(msg + 2, m->bad_sum ? (uint16_t)(c ^ 1) : c);
	eth_ip6(f, m->edst, m->esrc, m->src, m->dst, 58, m->hl ? m->hl : 255, n);
	memcpy(f + 54, msg, n);
	return 54 + n;
}

/* A link-layer address option (RFC 4861 4.6.1): type, length 1, the MAC. */
static size_t lla(uint8_t *o, uint8_t type, const uint8_t *mac)
{
	o[0] = type;
	o[1] = 1;
	put_mac(o + 2, mac);
	return 8;
}

static int give(struct sk_ethif *e, const uint8_t *f, size_t n, uint64_t now)
{
	const uint8_t *ip = NULL;
	size_t iplen = 0;
	uint8_t buf[1600] = {0};
	memcpy(buf, f, n);
	if (n < 60)
		n = 60; /* padded, as on the wire */
	return sk_ethif_input(e, buf, n, now, &ip, &iplen);
}

/* A neighbour solicitation from station mac/src for target, to dst (multicast or unicast),
 * with a source link-layer option. */
static int give_ns(struct sk_ethif *e, const uint8_t *mac, const uint8_t src[16],
		   const uint8_t dst[16], const uint8_t *edst, const uint8_t target[16],
		   uint64_t now)
{
	uint8_t f[128], o[8];
	struct ndm m = {.edst = edst,
			.esrc = mac,
			.src = src,
			.dst = dst,
			.type = 135,
			.target = target,
			.opts = o,
			.optlen = memcmp(src, UNSPEC, 16) ? lla(o, 1, mac) : 0};
	return give(e, f, nd_frame(f, &m), now);
}

/* An advertisement from station mac for target with flags (0x40 S, 0x20 O), to us; tll: the
 * target link-layer address option's MAC, or NULL for none. */
static int give_na(struct sk_ethif *e, const uint8_t *mac, const uint8_t src[16], uint8_t flags,
		   const uint8_t target[16], const uint8_t *tll, uint64_t now)
{
	uint8_t f[128], o[8];
	struct ndm m = {.edst = my_mac,
			.esrc = mac,
			.src = src,
			.dst = MY6,
			.type = 136,
			.flags = flags,
			.target = target,
			.opts = o,
			.optlen = tll ? lla(o, 2, tll) : 0};
	return give(e, f, nd_frame(f, &m), now);
}

/* An IPv6 packet of len bytes (>= 40) from src to dst, next header 253, payload by id. */
static size_t ip6_pkt(uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		      uint8_t id)
{
	assert_true(len >= 40);
	memset(p, 0, 40);
	p[0] = 0x60;
	sk_put16(p + 4, (uint16_t)(len - 40));
	p[6] = 253;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	for (size_t i = 40; i < len; i++)
		p[i] = (uint8_t)(id * 13 + i);
	return len;
}

/* ---- checking what was sent ---- */

static void assert_mac(const uint8_t *got, const uint8_t *want)
{
	assert_memory_equal(got, want, 6);
}

/* An NDP message we sent: Ethernet to edst from us, IPv6 from src to dst with hop limit 255
 * and next header 58, a valid ICMPv6 checksum, code 0, of type. Returns the ICMPv6 message
 * and its length in *len. */
static const uint8_t *assert_nd(const struct frame *fr, const uint8_t *edst, const uint8_t src[16],
				const uint8_t dst[16], uint8_t type, size_t *len)
{
	const uint8_t *d = fr->data;
	assert_true(fr->len >= 62);
	assert_mac(d, edst);
	assert_mac(d + 6, my_mac);
	assert_int_equal(sk_get16(d + 12), 0x86dd);
	assert_int_equal(d[14] >> 4, 6);
	assert_int_equal(d[14 + 6], 58);
	assert_int_equal(d[14 + 7], 255);
	assert_memory_equal(d + 14 + 8, src, 16);
	assert_memory_equal(d + 14 + 24, dst, 16);
	size_t plen = sk_get16(d + 14 + 4);
	assert_true(54 + plen <= fr->len);
	const uint8_t *m = d + 54;
	assert_int_equal(m[0], type);
	assert_int_equal(m[1], 0);
	assert_int_equal(cksum6(src, dst, m, plen), 0); /* the sum over a correct message is 0 */
	*len = plen;
	return m;
}

/* A neighbour solicitation: 24 bytes and, unless from :: (DAD), a source link-layer option
 * with our MAC (RFC 4861 4.3, 7.2.2). */
static void assert_ns(const struct frame *fr, const uint8_t *edst, const uint8_t src[16],
		      const uint8_t dst[16], const uint8_t target[16])
{
	size_t len;
	const uint8_t *m = assert_nd(fr, edst, src, dst, 135, &len);
	assert_int_equal(sk_get32(m + 4), 0); /* reserved */
	assert_memory_equal(m + 8, target, 16);
	if (!memcmp(src, UNSPEC, 16)) {
		assert_int_equal(len, 24); /* DAD: no option (RFC 4862 5.4.2) */
		assert_int_equal(fr->len, 14 + 40 + 24);
		return;
	}
	assert_int_equal(len, 32);
	assert_int_equal(m[24], 1);
	assert_int_equal(m[25], 1);
	assert_mac(m + 26, my_mac);
}

/* A neighbour advertisement for target with flags, and a target link-layer option with our MAC. */
static void assert_na(const struct frame *fr, const uint8_t *edst, const uint8_t src[16],
		      const uint8_t dst[16], const uint8_t target[16], uint8_t flags)
{
	size_t len;
	const uint8_t *m = assert_nd(fr, edst, src, dst, 136, &len);
	assert_int_equal(len, 32);
	assert_int_equal(m[4], flags);
	assert_int_equal(m[5] | m[6] | m[7], 0);
	assert_memory_equal(m + 8, target, 16);
	assert_int_equal(m[24], 2);
	assert_int_equal(m[25], 1);
	assert_mac(m + 26, my_mac);
}

/* An IPv6 packet framed to dst: exactly pkt. */
static void assert_ip6_frame(const struct frame *fr, const uint8_t *dst, const uint8_t *pkt,
			     size_t len)
{
	assert_int_equal(fr->len, len + 14 < 60 ? 60 : len + 14);
	assert_mac(fr->data, dst);
	assert_mac(fr->data + 6, my_mac);
	assert_int_equal(sk_get16(fr->data + 12), 0x86dd);
	assert_memory_equal(fr->data + 14, pkt, len);
}

static int state_of(const struct sk_ethif *e, const uint8_t a[16])
{
	return sk_ethif_neigh6_state(e, a);
}

/* Puts PEER6 in the cache as REACHABLE (resolved by our NS and its solicited NA) at now;
 * returns the frames sent so far. */
static size_t make_reachable(struct sk_ethif *e, struct fakedev *d, uint64_t now)
{
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), now), 0);
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, peer_mac, now), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	return d->n;
}

/* ---- hooks ---- */

struct hooks {
	int dad_calls, unreach_calls;
	int last_event;
	uint8_t last_addr[16];
};

static void dad_hook(void *ctx, const uint8_t addr[16], int event, uint64_t now)
{
	struct hooks *h = ctx;
	h->dad_calls++;
	h->last_event = event;
	memcpy(h->last_addr, addr, 16);
}

static void unreach_hook(void *ctx, const uint8_t ip[16], uint64_t now)
{
	struct hooks *h = ctx;
	h->unreach_calls++;
	memcpy(h->last_addr, ip, 16);
}

/* ---- tests ---- */

static void test_config_addresses_and_linklocal(void **state)
{
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	assert_int_equal(c.delay_first_probe_ms, 5000); /* DELAY_FIRST_PROBE_TIME */
	assert_int_equal(c.dad_transmits, 1);		/* DupAddrDetectTransmits */
	assert_int_equal(c.retrans_ms, 1000);		/* RetransTimer */
	assert_int_equal(c.max_probes, 3);	    /* MAX_MULTICAST_SOLICIT, MAX_UNICAST_SOLICIT */
	assert_int_equal(c.dad_delay_max_ms, 1000); /* MAX_RTR_SOLICITATION_DELAY */

	struct fakedev *d = fake_new();
	c.dad_transmits = 0;
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, &c);
	assert_non_null(e);
	const uint8_t mcast[16] = {0xff, 0x02, [15] = 5}, lo[16] = {[15] = 1};
	const uint8_t mapped[16] = {[10] = 0xff, 0xff, 192, 0, 2, 1};
	assert_int_equal(sk_ethif_add_addr6(e, mcast, 64, 0), -EINVAL);
	assert_int_equal(sk_ethif_add_addr6(e, UNSPEC, 64, 0), -EINVAL);
	assert_int_equal(sk_ethif_add_addr6(e, lo, 128, 0), -EINVAL);
	assert_int_equal(sk_ethif_add_addr6(e, mapped, 96, 0), -EINVAL);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 129, 0), -EINVAL);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), 0);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), -EEXIST);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_PREFERRED); /* no DAD asked */
	for (int i = 1; i < SK_ETHIF_MAX_ADDR6; i++) {
		uint8_t a[16];
		memcpy(a, MY6, 16);
		a[14] = (uint8_t)i;
		assert_int_equal(sk_ethif_add_addr6(e, a, 64, 0), 0);
	}
	uint8_t one_more[16];
	memcpy(one_more, MY6, 16);
	one_more[13] = 0x77;
	assert_int_equal(sk_ethif_add_addr6(e, one_more, 64, 0), -ENOSPC);
	assert_int_equal(sk_ethif_set_gw6(e, mcast), -EINVAL);
	assert_int_equal(sk_ethif_set_gw6(e, UNSPEC), -EINVAL);
	assert_int_equal(d->n, 0);
	sk_ethif_free(e);

	/* Modified EUI-64 (RFC 4291 appendix A): 00:11:22:33:44:55 -> fe80::211:22ff:fe33:4455;
	 * a locally administered MAC's bit is cleared: 02:00:00:00:00:01 -> fe80::ff:fe00:1. */
	const uint8_t mac1[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
	const uint8_t want1[16] = {0xfe, 0x80, [8] = 0x02, 0x11, 0x22,
				   0xff, 0xfe, 0x33,	   0x44, 0x55};
	const uint8_t want2[16] = {0xfe, 0x80, [8] = 0x00, 0x00, 0x00,
				   0xff, 0xfe, 0x00,	   0x00, 0x01};
	uint8_t ll[16];
	sk_ethif_linklocal(mac1, ll);
	assert_memory_equal(ll, want1, 16);
	sk_ethif_linklocal(my_mac, ll);
	assert_memory_equal(ll, want2, 16);
	free(d);
}

static void test_dad_passes(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c = cfg_dad();
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, &c);
	struct hooks h = {0};
	sk_ethif_set_dad_hook(e, dad_hook, &h);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 100), 0);

	/* One NS from :: to the solicited-node group, no option, at once. */
	assert_int_equal(d->n, 1);
	assert_ns(sent(d, 0), sn_my_mac, UNSPEC, SN_MY, MY6);
	assert_int_equal(sent(d, 0)->at, 100);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_TENTATIVE);
	assert_int_equal(sk_ethif_next_deadline(e), 100 + SEC);
	assert_int_equal(stats(e).dad_ns_out, 1);

	/* Tentative: nothing leaves from it, nothing to it is taken, NS for it not answered. */
	uint8_t p[80], f[200];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 200), -EADDRNOTAVAIL);
	eth_ip6(f, my_mac, peer_mac, PEER6, MY6, 253, 64, 0);
	assert_int_equal(give(e, f, 54, 300), 0);
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 400), 0);
	assert_int_equal(d->n, 1);
	assert_int_equal(stats(e).tentative_drops, 2);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_NONE); /* not learned from, either */

	/* Not early, exactly on time: preferred, told. */
	sk_ethif_poll(e, 99 + SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_TENTATIVE);
	sk_ethif_poll(e, 100 + SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_PREFERRED);
	assert_int_equal(h.dad_calls, 1);
	assert_int_equal(h.last_event, SK_ETHIF_DAD_OK);
	assert_memory_equal(h.last_addr, MY6, 16);
	assert_int_equal(stats(e).dad_ok, 1);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	assert_int_equal(d->n, 1);

	/* Now in use: the packet leaves (resolution starts). */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 2 * SEC), 0);
	assert_int_equal(d->n, 2);
	assert_ns(sent(d, 1), sn_peer_mac, MY6, SN_PEER, PEER6);
	sk_ethif_free(e);

	/* DupAddrDetectTransmits 2: two solicitations RetransTimer apart, then RetransTimer more.
	 */
	d->n = 0;
	c.dad_transmits = 2;
	e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, &c);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	sk_ethif_poll(e, SEC);
	assert_int_equal(d->n, 2);
	assert_ns(sent(d, 1), sn_my_mac, UNSPEC, SN_MY, MY6);
	assert_int_equal(sent(d, 1)->at, SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_TENTATIVE);
	assert_int_equal(sk_ethif_next_deadline(e), 2 * SEC);
	sk_ethif_poll(e, 2 * SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_PREFERRED);
	assert_int_equal(d->n, 2);
	sk_ethif_free(e);
	free(d);
}

/* RFC 4862 5.4.2: the first solicitation waits; here between 0.5 and 1 s, the same for the
 * same MAC and address. */
static void test_dad_start_delay(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, NULL);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 1000), 0);
	assert_int_equal(d->n, 0);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_TENTATIVE);
	uint64_t t = sk_ethif_next_deadline(e);
	assert_true(t >= 1000 + SEC / 2 && t <= 1000 + SEC);
	sk_ethif_poll(e, t - 1);
	assert_int_equal(d->n, 0);
	sk_ethif_poll(e, t);
	assert_int_equal(d->n, 1);
	assert_ns(sent(d, 0), sn_my_mac, UNSPEC, SN_MY, MY6);
	assert_int_equal(sent(d, 0)->at, t);
	assert_int_equal(sk_ethif_next_deadline(e), t + SEC);
	sk_ethif_poll(e, t + SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_PREFERRED);
	sk_ethif_free(e);

	/* The same MAC and address wait the same. */
	e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, NULL);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 5000), 0);
	assert_int_equal(sk_ethif_next_deadline(e), t - 1000 + 5000);
	assert_int_equal(give_ns(e, other_mac, UNSPEC, SN_MY, sn_my_mac, MY6, 6000), 0);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_DUPLICATE);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	sk_ethif_free(e);
	free(d);
}

static void test_dad_conflict_by_na(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = new_dad(d);
	struct hooks h = {0};
	sk_ethif_set_dad_hook(e, dad_hook, &h);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	assert_int_equal(sk_ethif_add_addr6(e, MYLL, 64, 0), 0);
	assert_int_equal(d->n, 2);

	/* Another node defends 2001:db8::1: an NA to all-nodes (RFC 4861 7.2.4). */
	uint8_t f[128], o[8];
	struct ndm m = {.edst = all_nodes_mac,
			.esrc = other_mac,
			.src = MY6,
			.dst = ALL_NODES,
			.type = 136,
			.flags = 0x20,
			.target = MY6,
			.opts = o,
			.optlen = lla(o, 2, other_mac)};
	assert_int_equal(give(e, f, nd_frame(f, &m), 500000), 0);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_DUPLICATE);
	assert_int_equal(h.dad_calls, 1);
	assert_int_equal(h.last_event, SK_ETHIF_DAD_DUPLICATE);
	assert_memory_equal(h.last_addr, MY6, 16);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.dad_duplicates, 1);
	assert_int_equal(s.na_in, 1);

	/* The other address goes on; the duplicate never becomes preferred. */
	sk_ethif_poll(e, SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MYLL), SK_ETHIF_ADDR_PREFERRED);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_DUPLICATE);
	assert_int_equal(h.dad_calls, 2);
	sk_ethif_poll(e, 10 * SEC);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_DUPLICATE);

	/* Never used: not as a source, packets to it dropped, solicitations for it not
	 * answered (its solicited-node group is still ours: fe80::1 shares it) nor learned from. */
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 11 * SEC), -EADDRNOTAVAIL);
	eth_ip6(f, my_mac, peer_mac, PEER6, MY6, 253, 64, 0);
	assert_int_equal(give(e, f, 54, 11 * SEC), 0);
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 11 * SEC), 0);
	assert_int_equal(stats(e).ns_in, 1);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_NONE);
	assert_int_equal(d->n, 2);
	assert_int_equal(stats(e).tentative_drops, 2);
	sk_ethif_free(e);

	/* Alone, a duplicate address's group is left (RFC 4862 5.4.5): its frames are not ours. */
	d->n = 0;
	e = new_dad(d);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	assert_int_equal(give_ns(e, other_mac, UNSPEC, SN_MY, sn_my_mac, MY6, 10), 0);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_DUPLICATE);
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 20), 0);
	assert_int_equal(stats(e).frames_not_mine, 1);
	assert_int_equal(d->n, 1);
	sk_ethif_free(e);
	free(d);
}

static void test_dad_conflict_by_ns(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = new_dad(d);
	struct hooks h = {0};
	sk_ethif_set_dad_hook(e, dad_hook, &h);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	/* A solicitation from :: for a tentative address of ours: another node's DAD for it
	 * (RFC 4862 5.4.3): both back off. */
	assert_int_equal(give_ns(e, other_mac, UNSPEC, SN_MY, sn_my_mac, MY6, 300000), 0);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_DUPLICATE);
	assert_int_equal(h.last_event, SK_ETHIF_DAD_DUPLICATE);
	assert_int_equal(stats(e).dad_duplicates, 1);
	assert_int_equal(d->n, 1); /* not answered */
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);

	/* Our own NS looped back (our MAC) is no conflict. */
	assert_int_equal(sk_ethif_add_addr6(e, MYLL, 64, 400000), 0);
	const uint8_t sn_ll[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01};
	assert_int_equal(give_ns(e, my_mac, UNSPEC, sn_ll, sn_my_mac, MYLL, 500000), 0);
	assert_int_equal(sk_ethif_addr6_state(e, MYLL), SK_ETHIF_ADDR_TENTATIVE);
	sk_ethif_free(e);
	free(d);
}

static void test_dad_defended_and_late_conflict(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	struct hooks h = {0};
	sk_ethif_set_dad_hook(e, dad_hook, &h);
	/* Another node's DAD for our preferred address: we answer to all-nodes, S=0 O=1. */
	assert_int_equal(give_ns(e, other_mac, UNSPEC, SN_MY, sn_my_mac, MY6, 0), 0);
	assert_int_equal(d->n, 1);
	assert_na(sent(d, 0), all_nodes_mac, MY6, ALL_NODES, MY6, 0x20);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_PREFERRED);
	assert_int_equal(stats(e).na_out, 1);

	/* An advertisement for it from another node: reported and counted; it stays ours
	 * (RFC 4862 5.4.4 leaves this open). */
	assert_int_equal(give_na(e, other_mac, MY6, 0x20, MY6, other_mac, 10), 0);
	assert_int_equal(sk_ethif_addr6_state(e, MY6), SK_ETHIF_ADDR_PREFERRED);
	assert_int_equal(stats(e).addr_conflicts, 1);
	assert_int_equal(h.last_event, SK_ETHIF_ADDR_CONFLICT);
	assert_int_equal(state_of(e, MY6), SK_ETHIF_ND_NONE);
	sk_ethif_free(e);
	free(d);
}

static void test_ns_answered_and_source_learned(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	/* Address resolution of ours by the peer: multicast NS with its link-layer address. */
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 1000), 0);
	assert_int_equal(d->n, 1);
	assert_na(sent(d, 0), peer_mac, MY6, PEER6, MY6, 0x60); /* S, O; R clear */
	assert_int_equal(sent(d, 0)->at, 1000);
	/* RFC 4861 7.2.3: the source is learned, STALE. */
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 1);
	assert_mac(mac, peer_mac);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX); /* STALE has no timer */

	/* A unicast NS (NUD probe) with the same address: answered, state unchanged. */
	assert_int_equal(give_ns(e, peer_mac, PEER6, MY6, my_mac, MY6, 2000), 0);
	assert_int_equal(d->n, 2);
	assert_na(sent(d, 1), peer_mac, MY6, PEER6, MY6, 0x60);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);

	/* The link-local address is answered from itself. */
	const uint8_t peer_ll[16] = {0xfe, 0x80, [15] = 0x02};
	const uint8_t sn_ll[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01};
	assert_int_equal(give_ns(e, peer_mac, peer_ll, sn_ll, sn_my_mac, MYLL, 3000), 0);
	assert_na(sent(d, 2), peer_mac, MYLL, peer_ll, MYLL, 0x60);

	/* Without a source link-layer option (unicast NS): answered to the frame's source. */
	uint8_t f[128];
	struct ndm m = {.edst = my_mac,
			.esrc = peer_mac2,
			.src = PEER6B,
			.dst = MY6,
			.type = 135,
			.target = MY6};
	assert_int_equal(give(e, f, nd_frame(f, &m), 4000), 0);
	assert_na(sent(d, 3), peer_mac2, MY6, PEER6B, MY6, 0x60);
	assert_int_equal(state_of(e, PEER6B), SK_ETHIF_ND_NONE); /* nothing to learn */

	/* For an address not ours: neither answered nor learned from. */
	const uint8_t not_ours[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x44};
	const uint8_t sn_no[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x44};
	const uint8_t sn_no_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x44};
	assert_int_equal(give_ns(e, peer_mac2, PEER6B, sn_no, sn_no_mac, not_ours, 5000),
			 0); /* group not ours */
	assert_int_equal(give_ns(e, peer_mac2, PEER6B, MY6, my_mac, not_ours, 5000), 0);
	assert_int_equal(d->n, 4);
	assert_int_equal(state_of(e, PEER6B), SK_ETHIF_ND_NONE);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.ns_in, 5);
	assert_int_equal(s.na_out, 4);
	assert_int_equal(s.frames_not_mine, 1);
	assert_int_equal(s.nd_bad, 0);
	sk_ethif_free(e);
	free(d);
}

static void test_incomplete_to_reachable_flushes_in_order(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	uint8_t p[3][300];
	size_t len[3] = {300, 40, 120};
	for (int i = 0; i < 3; i++) {
		ip6_pkt(p[i], len[i], MY6, PEER6, (uint8_t)(10 + i));
		assert_int_equal(sk_ethif_output(e, p[i], len[i], 1000 + (uint64_t)i), 0);
	}
	/* One NS to the solicited-node group, from the packets' source, with our MAC. */
	assert_int_equal(d->n, 1);
	assert_ns(sent(d, 0), sn_peer_mac, MY6, SN_PEER, PEER6);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_INCOMPLETE);
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 1000 + SEC);

	/* An NA without the target's link-layer address teaches nothing in INCOMPLETE. */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, NULL, 2000), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_INCOMPLETE);
	assert_int_equal(d->n, 1);

	/* The solicited NA: REACHABLE, the three leave in order to its MAC. */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, peer_mac, 50000), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	assert_int_equal(d->n, 4);
	for (int i = 0; i < 3; i++) {
		assert_ip6_frame(sent(d, 1 + (size_t)i), peer_mac, p[i], len[i]);
		assert_int_equal(sent(d, 1 + (size_t)i)->at, 50000);
	}
	assert_int_equal(sent(d, 2)->len, 60); /* the 40-byte packet padded */
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.resolved, 1);
	assert_int_equal(s.ns_out, 1);
	assert_int_equal(s.ip6_out, 3);
	assert_int_equal(sk_ethif_next_deadline(e), 50000 + 30 * SEC); /* ReachableTime */

	/* REACHABLE: sent at once, no NS, state kept. */
	assert_int_equal(sk_ethif_output(e, p[1], len[1], 60000), 0);
	assert_int_equal(d->n, 5);
	assert_ip6_frame(sent(d, 4), peer_mac, p[1], len[1]);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	sk_ethif_free(e);
	free(d);
}

static void test_incomplete_unsolicited_na_stale_then_delay(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	uint8_t p[80];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	/* An unsolicited NA (S=0) with the address: STALE (7.2.5); the queued packet leaves, and
	 * a packet sent in STALE starts DELAY (7.3.3). */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x20, PEER6, peer_mac, 100), 0);
	assert_int_equal(d->n, 2);
	assert_ip6_frame(sent(d, 1), peer_mac, p, sizeof(p));
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_DELAY);
	assert_int_equal(sk_ethif_next_deadline(e), 100 + 5 * SEC);
	assert_int_equal(stats(e).resolved, 1);

	/* Likewise an NS from it while INCOMPLETE (appendix C). */
	ip6_pkt(p, sizeof(p), MY6, PEER6B, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 200), 0);
	assert_int_equal(d->n, 3);
	assert_int_equal(give_ns(e, peer_mac2, PEER6B, SN_MY, sn_my_mac, MY6, 300), 0);
	assert_int_equal(d->n, 5); /* the queued packet, then our NA */
	assert_ip6_frame(sent(d, 3), peer_mac2, p, sizeof(p));
	assert_na(sent(d, 4), peer_mac2, MY6, PEER6B, MY6, 0x60);
	assert_int_equal(state_of(e, PEER6B), SK_ETHIF_ND_DELAY);
	assert_int_equal(stats(e).resolved, 2);
	sk_ethif_free(e);
	free(d);
}

static void test_incomplete_retransmits_then_gives_up(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	struct hooks h = {0};
	sk_ethif_set_unreachable6_hook(e, unreach_hook, &h);
	uint8_t p[80];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 10), 0);
	sk_ethif_poll(e, SEC - 1);
	assert_int_equal(d->n, 1);
	sk_ethif_poll(e, SEC);
	sk_ethif_poll(e, 2 * SEC);
	/* MAX_MULTICAST_SOLICIT (3) solicitations, RetransTimer apart. */
	assert_int_equal(d->n, 3);
	for (int i = 0; i < 3; i++) {
		assert_ns(sent(d, (size_t)i), sn_peer_mac, MY6, SN_PEER, PEER6);
		assert_int_equal(sent(d, (size_t)i)->at, (uint64_t)i * SEC);
	}
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_INCOMPLETE);
	assert_int_equal(sk_ethif_next_deadline(e), 3 * SEC);
	sk_ethif_poll(e, 3 * SEC);
	assert_int_equal(d->n, 3);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_NONE);
	assert_int_equal(h.unreach_calls, 1);
	assert_memory_equal(h.last_addr, PEER6, 16);
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.unresolved_drops, 2);
	assert_int_equal(s.ns_out, 3);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);

	/* The next packet resolves afresh. */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 4 * SEC), 0);
	assert_int_equal(d->n, 4);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_INCOMPLETE);
	sk_ethif_free(e);
	free(d);
}

static void test_reachable_ages_to_stale(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	size_t n = make_reachable(e, d, 0);
	assert_int_equal(sk_ethif_next_deadline(e), 30 * SEC);
	sk_ethif_poll(e, 30 * SEC - 1);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	sk_ethif_poll(e, 30 * SEC);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	assert_int_equal(d->n, n); /* nothing sent for it */
	/* STALE stays until used: hours later still there, the address still known. */
	sk_ethif_poll(e, 5000 * SEC);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);

	/* REACHABLE whose time ran out before any poll: reported STALE, and a packet sent then
	 * starts DELAY. */
	struct fakedev *d2 = fake_new();
	struct sk_ethif *e2 = mk6(d2, NULL);
	make_reachable(e2, d2, 0);
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 5);
	assert_int_equal(sk_ethif_output(e2, p, sizeof(p), 31 * SEC), 0);
	assert_ip6_frame(sent(d2, d2->n - 1), peer_mac, p, sizeof(p));
	assert_int_equal(state_of(e2, PEER6), SK_ETHIF_ND_DELAY);
	assert_int_equal(sk_ethif_next_deadline(e2), 36 * SEC);
	sk_ethif_free(e2);
	free(d2);
	sk_ethif_free(e);
	free(d);
}

static void test_stale_delay_probe_reachable(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	/* Learned STALE from its NS (we answer: frame 0). */
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 0), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	/* A packet in STALE: sent at once, DELAY for 5 s. */
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), SEC), 0);
	assert_int_equal(d->n, 2);
	assert_ip6_frame(sent(d, 1), peer_mac, p, sizeof(p));
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_DELAY);
	assert_int_equal(sk_ethif_next_deadline(e), 6 * SEC);
	/* More packets in DELAY: sent, the deadline unchanged. */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 2 * SEC), 0);
	assert_int_equal(d->n, 3);
	assert_int_equal(sk_ethif_next_deadline(e), 6 * SEC);
	/* No confirmation within DELAY_FIRST_PROBE_TIME: PROBE, a unicast NS to the cached
	 * address (RFC 4861 7.3.3). */
	sk_ethif_poll(e, 6 * SEC - 1);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_DELAY);
	sk_ethif_poll(e, 6 * SEC);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_PROBE);
	assert_int_equal(d->n, 4);
	assert_ns(sent(d, 3), peer_mac, MY6, PEER6, PEER6);
	assert_int_equal(stats(e).nud_probes, 1);
	assert_int_equal(sk_ethif_next_deadline(e), 7 * SEC);
	/* Packets in PROBE still go. */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 6 * SEC + 10), 0);
	assert_int_equal(d->n, 5);
	assert_ip6_frame(sent(d, 4), peer_mac, p, sizeof(p));
	/* The solicited NA confirms it: REACHABLE. */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, peer_mac, 6 * SEC + 500), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	assert_int_equal(sk_ethif_next_deadline(e), 36 * SEC + 500);
	sk_ethif_free(e);

	/* DELAY confirmed before its time: REACHABLE, no probe. */
	d->n = 0;
	e = mk6(d, NULL);
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 0), 0);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_DELAY);
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, NULL, 2 * SEC),
			 0); /* no option: same MAC */
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	sk_ethif_poll(e, 10 * SEC);
	assert_int_equal(stats(e).nud_probes, 0);
	assert_int_equal(d->n, 2);
	sk_ethif_free(e);
	free(d);
}

static void test_probe_fails_and_forgets(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	struct hooks h = {0};
	sk_ethif_set_unreachable6_hook(e, unreach_hook, &h);
	assert_int_equal(give_ns(e, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 0), 0);
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 0), 0);
	assert_int_equal(d->n, 2);
	for (uint64_t t = 5; t <= 7; t++)
		sk_ethif_poll(e, t * SEC);
	/* MAX_UNICAST_SOLICIT (3) probes, then, RetransTimer after the last, forgotten. */
	assert_int_equal(d->n, 5);
	for (size_t i = 2; i < 5; i++)
		assert_ns(sent(d, i), peer_mac, MY6, PEER6, PEER6);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_PROBE);
	sk_ethif_poll(e, 8 * SEC);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_NONE);
	assert_int_equal(h.unreach_calls, 0); /* nothing was waiting */
	struct sk_ethif_stats s = stats(e);
	assert_int_equal(s.nud_probes, 3);
	assert_int_equal(s.unresolved_drops, 0);
	/* The next packet resolves from scratch. */
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 9 * SEC), 0);
	assert_ns(sent(d, 5), sn_peer_mac, MY6, SN_PEER, PEER6);
	sk_ethif_free(e);
	free(d);
}

static void test_na_override_rules(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	make_reachable(e, d, 0);
	uint8_t mac[6];
	/* O=0 with another address: not taken; a REACHABLE entry becomes STALE (7.2.5). */
	assert_int_equal(give_na(e, peer_mac2, PEER6, 0x40, PEER6, peer_mac2, SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 1);
	assert_mac(mac, peer_mac);
	/* Again, in STALE: ignored. */
	assert_int_equal(give_na(e, peer_mac2, PEER6, 0x00, PEER6, peer_mac2, 2 * SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 1);
	assert_mac(mac, peer_mac);
	/* O=1, S=0 with another address: taken, STALE. */
	assert_int_equal(give_na(e, peer_mac2, PEER6, 0x20, PEER6, peer_mac2, 3 * SEC), 0);
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 1);
	assert_mac(mac, peer_mac2);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	/* O=0, S=1 with the same address: REACHABLE. */
	assert_int_equal(give_na(e, peer_mac2, PEER6, 0x40, PEER6, peer_mac2, 4 * SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	/* O=1, S=1 with yet another: taken, REACHABLE. */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, peer_mac, 5 * SEC), 0);
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 1);
	assert_mac(mac, peer_mac);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	/* S=0, O=1, same address: state unchanged (REACHABLE). */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x20, PEER6, peer_mac, 6 * SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	/* An NS from it with a new address: updated and STALE (7.2.3); with the same: unchanged. */
	assert_int_equal(give_ns(e, peer_mac2, PEER6, MY6, my_mac, MY6, 7 * SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	assert_int_equal(sk_ethif_lookup6(e, PEER6, mac), 1);
	assert_mac(mac, peer_mac2);
	assert_int_equal(give_na(e, peer_mac2, PEER6, 0x60, PEER6, peer_mac2, 8 * SEC), 0);
	assert_int_equal(give_ns(e, peer_mac2, PEER6, MY6, my_mac, MY6, 9 * SEC), 0);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_REACHABLE);
	/* An unsolicited NA for an address not in the cache creates nothing. */
	assert_int_equal(give_na(e, peer_mac2, PEER6B, 0x20, PEER6B, peer_mac2, 10 * SEC), 0);
	assert_int_equal(state_of(e, PEER6B), SK_ETHIF_ND_NONE);
	sk_ethif_free(e);
	free(d);
}

static void test_router_advertisement_learned_only(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	/* An RA from the router (link-local) to all-nodes with its link-layer address, a prefix
	 * and an MTU: the router becomes a STALE neighbour; nothing else changes. */
	uint8_t f[200], o[64];
	size_t on = lla(o, 1, gw_mac);
	o[on] = 3; /* prefix information, 2001:db8:77::/64, on-link and autonomous */
	o[on + 1] = 4;
	o[on + 2] = 64;
	o[on + 3] = 0xc0;
	sk_put32(o + on + 4, 86400);
	sk_put32(o + on + 8, 14400);
	memset(o + on + 12, 0, 20);
	o[on + 16] = 0x20, o[on + 17] = 0x01, o[on + 18] = 0x0d, o[on + 19] = 0xb8,
	       o[on + 21] = 0x77;
	on += 32;
	o[on] = 5; /* MTU 1280 */
	o[on + 1] = 1;
	sk_put16(o + on + 2, 0);
	sk_put32(o + on + 4, 1280);
	on += 8;
	struct ndm m = {.edst = all_nodes_mac,
			.esrc = gw_mac,
			.src = GW6,
			.dst = ALL_NODES,
			.type = 134,
			.flags = 64 /* cur hop limit */,
			.opts = o,
			.optlen = on};
	assert_int_equal(give(e, f, nd_frame(f, &m), 0), 0);
	assert_int_equal(stats(e).ra_in, 1);
	assert_int_equal(state_of(e, GW6), SK_ETHIF_ND_STALE);
	assert_int_equal(d->n, 0);
	/* No SLAAC: the prefix gave us no address and is not on-link for us. */
	const uint8_t slaac[16] = {0x20, 0x01, 0x0d, 0xb8, 0,	 0x77, [8] = 0x00,
				   0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01};
	assert_int_equal(sk_ethif_addr6_state(e, slaac), 0);
	uint8_t p[60];
	const uint8_t in77[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x77, [15] = 5};
	ip6_pkt(p, sizeof(p), MY6, in77, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 10), 0);
	assert_ip6_frame(sent(d, 0), gw_mac, p, sizeof(p)); /* through the gateway */
	/* Router solicitations and redirects: ignored. */
	struct ndm rs = {.edst = all_nodes_mac,
			 .esrc = peer_mac,
			 .src = PEER6,
			 .dst = ALL_NODES,
			 .type = 133};
	assert_int_equal(give(e, f, nd_frame(f, &rs), 20), 0);
	assert_int_equal(stats(e).nd_ignored, 1);
	assert_int_equal(d->n, 1);
	sk_ethif_free(e);
	free(d);
}

static void test_queue_bounds(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c = cfg_nodad();
	c.queue_per_entry = 3;
	c.queue_bytes = 1000;
	struct sk_ethif *e = mk6(d, &c);
	uint8_t p[6][200];
	for (int i = 0; i < 5; i++) {
		ip6_pkt(p[i], 200, MY6, PEER6, (uint8_t)i);
		assert_int_equal(sk_ethif_output(e, p[i], 200, (uint64_t)i), 0);
	}
	/* Per entry: the oldest two dropped, the last three kept. */
	assert_int_equal(stats(e).queue_drops, 2);
	/* Overall: 600 held for PEER6; a second entry fits 400 more, the rest is refused. */
	uint8_t q[3][200];
	for (int i = 0; i < 2; i++) {
		ip6_pkt(q[i], 200, MY6, PEER6B, (uint8_t)(50 + i));
		assert_int_equal(sk_ethif_output(e, q[i], 200, 10), 0);
	}
	ip6_pkt(q[2], 200, MY6, PEER6B, 52);
	assert_int_equal(sk_ethif_output(e, q[2], 200, 10), 0); /* room made from its own oldest */
	assert_int_equal(stats(e).queue_drops, 3);
	uint8_t big[600];
	ip6_pkt(big, sizeof(big), MY6, FAR6, 9); /* via the gateway: 600 > 1000 - 600 - 0 */
	assert_int_equal(sk_ethif_output(e, big, sizeof(big), 10), -ENOBUFS);
	assert_int_equal(stats(e).queue_drops, 4);
	/* Resolved, each entry's queue leaves in order. */
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, peer_mac, 20), 0);
	size_t base = d->n - 3;
	for (int i = 0; i < 3; i++)
		assert_ip6_frame(sent(d, base + (size_t)i), peer_mac, p[2 + i], 200);
	assert_int_equal(give_na(e, peer_mac2, PEER6B, 0x60, PEER6B, peer_mac2, 30), 0);
	assert_ip6_frame(sent(d, d->n - 2), peer_mac2, q[1], 200);
	assert_ip6_frame(sent(d, d->n - 1), peer_mac2, q[2], 200);
	sk_ethif_free(e);
	free(d);
}

static void test_shared_cache_with_arp(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c = cfg_nodad();
	c.max_entries = 2;
	const uint32_t my4 = 0x0a000001u, peer4 = 0x0a000002u;
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, my4, 24, 0, &c);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	/* Dual stack on one adapter: an IPv4 packet (ARP) and two IPv6 ones (NS); the cache
	 * holds two, so the least recently used (the ARP entry) is evicted with its packet. */
	uint8_t p4[40] = {0};
	struct sk_ipv4 h4 = {.total_len = 40, .ttl = 64, .proto = 253, .src = my4, .dst = peer4};
	assert_int_equal(sk_ipv4_emit(p4, sizeof(p4), &h4), 20);
	assert_int_equal(sk_ethif_output(e, p4, sizeof(p4), 0), 0);
	assert_int_equal(sk_get16(sent(d, 0)->data + 12), 0x0806);
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 1), 0);
	ip6_pkt(p, sizeof(p), MY6, PEER6B, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 2), 0);
	assert_int_equal(d->n, 3);
	assert_int_equal(stats(e).queue_drops, 1);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_INCOMPLETE);
	assert_int_equal(state_of(e, PEER6B), SK_ETHIF_ND_INCOMPLETE);
	uint8_t mac[6];
	assert_int_equal(sk_ethif_lookup(e, peer4, mac), 0);
	/* The two families' frames are filtered apart: IPv4 to 33:33 is not ours. */
	uint8_t f[60] = {0};
	memcpy(f, all_nodes_mac, 6);
	put_mac(f + 6, peer_mac);
	sk_put16(f + 12, 0x0800);
	assert_int_equal(give(e, f, 60, 3), 0);
	assert_int_equal(stats(e).frames_not_mine, 1);
	sk_ethif_free(e);
	free(d);
}

static void test_next_hop_choice(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c = cfg_nodad();
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, &c);
	uint8_t p[1600];
	/* No IPv6 address yet: IPv6 is not ours to send. */
	ip6_pkt(p, 60, MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, 60, 0), -EINVAL);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	/* Off-link without a gateway. */
	ip6_pkt(p, 60, MY6, FAR6, 1);
	assert_int_equal(sk_ethif_output(e, p, 60, 0), -ENETUNREACH);
	/* Link-local destinations are always on-link (RFC 4861 5.2). */
	const uint8_t peer_ll[16] = {0xfe, 0x80, [15] = 0x02};
	ip6_pkt(p, 60, MY6, peer_ll, 1);
	assert_int_equal(sk_ethif_output(e, p, 60, 0), 0);
	const uint8_t sn_ll[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x02};
	assert_ns(sent(d, 0), sn_peer_mac, MY6, sn_ll, peer_ll);
	/* With a gateway, off-link goes through it: the NS asks for the gateway, from the
	 * source of the packet that prompted it, ours and preferred (RFC 4861 7.2.2). */
	assert_int_equal(sk_ethif_set_gw6(e, GW6), 0);
	ip6_pkt(p, 60, MY6, FAR6, 2);
	assert_int_equal(sk_ethif_output(e, p, 60, 0), 0);
	assert_ns(sent(d, 1), sn_gw_mac, MY6, SN_GW, GW6);
	assert_int_equal(state_of(e, FAR6), SK_ETHIF_ND_NONE);
	assert_int_equal(state_of(e, GW6), SK_ETHIF_ND_INCOMPLETE);
	assert_int_equal(give_na(e, gw_mac, GW6, 0x60, GW6, gw_mac, 10), 0);
	assert_ip6_frame(sent(d, 2), gw_mac, p, 60);
	/* Multicast: its group MAC (RFC 2464 7), no resolution. */
	const uint8_t grp[16] = {0xff, 0x02, [12] = 0xde, 0xad, 0xbe, 0xef};
	const uint8_t grp_mac[6] = {0x33, 0x33, 0xde, 0xad, 0xbe, 0xef};
	ip6_pkt(p, 60, MY6, grp, 3);
	assert_int_equal(sk_ethif_output(e, p, 60, 20), 0);
	assert_ip6_frame(sent(d, 3), grp_mac, p, 60);
	/* To ourselves, to ::, too long. */
	ip6_pkt(p, 60, MY6, MY6, 4);
	assert_int_equal(sk_ethif_output(e, p, 60, 20), -EINVAL);
	ip6_pkt(p, 60, MY6, UNSPEC, 4);
	assert_int_equal(sk_ethif_output(e, p, 60, 20), -EINVAL);
	ip6_pkt(p, 1501, MY6, PEER6, 4);
	assert_int_equal(sk_ethif_output(e, p, 1501, 20), -EMSGSIZE);
	/* A solicitation for a next hop prompted by a packet from a source not ours uses ours:
	 * a global target, the global address; a link-local one, the link-local address. */
	assert_int_equal(sk_ethif_add_addr6(e, MYLL, 64, 20), 0);
	const uint8_t stranger[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x55};
	ip6_pkt(p, 60, stranger, PEER6, 5);
	assert_int_equal(sk_ethif_output(e, p, 60, 30), 0);
	assert_ns(sent(d, 4), sn_peer_mac, MY6, SN_PEER, PEER6);
	const uint8_t peer_ll3[16] = {0xfe, 0x80, [15] = 0x03};
	const uint8_t sn_ll3[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x03};
	const uint8_t sn_ll3_mac[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x03};
	ip6_pkt(p, 60, stranger, peer_ll3, 6);
	assert_int_equal(sk_ethif_output(e, p, 60, 40), 0);
	assert_ns(sent(d, 5), sn_ll3_mac, MYLL, sn_ll3, peer_ll3);
	sk_ethif_free(e);
	free(d);
}

static void test_frame_filtering_and_delivery(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	uint8_t f[200];
	const uint8_t *ip = NULL;
	size_t iplen = 0;
	/* To our MAC: handed up, Ethernet padding trimmed by the payload length. */
	eth_ip6(f, my_mac, peer_mac, PEER6, MY6, 253, 64, 2);
	f[54] = 0xaa, f[55] = 0xbb;
	memset(f + 56, 0x5a, 4); /* padding to 60 */
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 1);
	assert_ptr_equal(ip, f + 14);
	assert_int_equal(iplen, 42);
	/* To all-nodes and to our solicited-node group: handed up. */
	eth_ip6(f, all_nodes_mac, peer_mac, PEER6, ALL_NODES, 253, 64, 0);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 1);
	eth_ip6(f, sn_my_mac, peer_mac, PEER6, SN_MY, 253, 64, 0);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 1);
	assert_int_equal(stats(e).ip6_in, 3);
	/* Another solicited-node group, another station, our own echo: not ours. */
	eth_ip6(f, sn_peer_mac, peer_mac, PEER6, SN_PEER, 253, 64, 0);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	eth_ip6(f, other_mac, peer_mac, PEER6, MY6, 253, 64, 0);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	eth_ip6(f, all_nodes_mac, my_mac, MY6, ALL_NODES, 253, 64, 0);
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	assert_int_equal(stats(e).frames_not_mine, 3);
	/* A bad IPv6 header: counted bad. */
	eth_ip6(f, my_mac, peer_mac, PEER6, MY6, 253, 64, 100); /* payload past the frame */
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	f[14] = 0x40;
	assert_int_equal(sk_ethif_input(e, f, 60, 0, &ip, &iplen), 0);
	assert_int_equal(stats(e).frames_bad, 2);
	/* Without IPv6 addresses, an adapter takes no IPv6 at all. */
	struct fakedev *d2 = fake_new();
	struct sk_ethif *e2 = sk_ethif_new(&d2->dev, my_mac, 0x0a000001u, 24, 0, NULL);
	eth_ip6(f, my_mac, peer_mac, PEER6, MY6, 253, 64, 0);
	assert_int_equal(sk_ethif_input(e2, f, 60, 0, &ip, &iplen), 0);
	assert_int_equal(give_ns(e2, peer_mac, PEER6, SN_MY, sn_my_mac, MY6, 0), 0);
	assert_int_equal(stats(e2).frames_not_mine, 2);
	assert_int_equal(d2->n, 0);
	sk_ethif_free(e2);
	free(d2);
	sk_ethif_free(e);
	free(d);
}

/* Each malformed message is dropped whole and counted (RFC 4861 7.1.1, 7.1.2, 6.1.2, 4.6),
 * nothing answered, nothing learned. */
static void test_malformed_ndp_dropped_and_counted(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif *e = mk6(d, NULL);
	uint8_t f[200], o[32];
	struct ndm good = {.edst = sn_my_mac,
			   .esrc = peer_mac,
			   .src = PEER6,
			   .dst = SN_MY,
			   .type = 135,
			   .target = MY6,
			   .opts = o};
	int bad = 0;
#define DROPPED(msg)                                                                               \
	do {                                                                                       \
		assert_int_equal(give(e, f, nd_frame(f, &(msg)), 0), 0);                           \
		bad++;                                                                             \
		assert_int_equal(stats(e).nd_bad, bad);                                            \
		assert_int_equal(d->n, 0);                                                         \
		assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_NONE);                            \
	} while (0)
	struct ndm m = good;
	m.optlen = lla(o, 1, peer_mac);
	m.hl = 254; /* forwarded by a router */
	DROPPED(m);
	m = good, m.optlen = lla(o, 1, peer_mac), m.code = 1;
	DROPPED(m);
	m = good, m.optlen = lla(o, 1, peer_mac), m.bad_sum = 1;
	DROPPED(m);
	m = good, m.optlen = lla(o, 1, peer_mac), o[1] = 0; /* option length 0 */
	DROPPED(m);
	m = good, m.optlen = lla(o, 1, peer_mac), o[1] = 2; /* runs past the end */
	DROPPED(m);
	m = good, lla(o, 1, peer_mac), o[1] = 2, memset(o + 8, 0, 8),
	m.optlen = 16; /* 14-byte address */
	DROPPED(m);
	const uint8_t group[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	m = good, m.optlen = lla(o, 1, group); /* a group MAC */
	DROPPED(m);
	m = good, m.src = UNSPEC, m.optlen = lla(o, 1, peer_mac); /* DAD with a source option */
	DROPPED(m);
	m = good, m.src = UNSPEC, m.dst = MY6,
	m.edst = my_mac; /* DAD not to a solicited-node group */
	DROPPED(m);
	const uint8_t mtarget[16] = {0xff, 0x02, [15] = 1};
	m = good, m.optlen = lla(o, 1, peer_mac), m.target = mtarget; /* multicast target */
	DROPPED(m);
	const uint8_t msrc[16] = {0xff, 0x02, [15] = 2};
	m = good, m.optlen = lla(o, 1, peer_mac), m.src = msrc; /* multicast source */
	DROPPED(m);
	/* NA to a multicast destination with S set. */
	m = (struct ndm){.edst = all_nodes_mac,
			 .esrc = peer_mac,
			 .src = PEER6,
			 .dst = ALL_NODES,
			 .type = 136,
			 .flags = 0x60,
			 .target = PEER6};
	DROPPED(m);
	/* RA from a global source (not link-local). */
	m = (struct ndm){.edst = all_nodes_mac,
			 .esrc = gw_mac,
			 .src = PEER6,
			 .dst = ALL_NODES,
			 .type = 134,
			 .opts = o,
			 .optlen = lla(o, 1, gw_mac)};
	DROPPED(m);
	/* Truncated: an NS of 20 bytes (its target cut). */
	uint8_t msg[20] = {135, 0};
	memcpy(msg + 8, MY6, 12);
	sk_put16(msg + 2, cksum6(PEER6, SN_MY, msg, sizeof(msg)));
	eth_ip6(f, sn_my_mac, peer_mac, PEER6, SN_MY, 58, 255, sizeof(msg));
	memcpy(f + 54, msg, sizeof(msg));
	assert_int_equal(give(e, f, 54 + sizeof(msg), 0), 0);
	bad++;
	assert_int_equal(stats(e).nd_bad, bad);
	/* The good one is answered. */
	m = good, m.optlen = lla(o, 1, peer_mac);
	assert_int_equal(give(e, f, nd_frame(f, &m), 0), 0);
	assert_int_equal(stats(e).nd_bad, bad);
	assert_int_equal(d->n, 1);
	assert_int_equal(state_of(e, PEER6), SK_ETHIF_ND_STALE);
	assert_int_equal(stats(e).ns_in, 1);
#undef DROPPED
	sk_ethif_free(e);
	free(d);
}

static void test_next_deadline_exact(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c = cfg_dad();
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0, 0, 0, &c);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 100), 0);
	assert_int_equal(sk_ethif_add_addr6(e, MYLL, 64, 300), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 100 + SEC);
	sk_ethif_poll(e, 100 + SEC);
	assert_int_equal(sk_ethif_next_deadline(e), 300 + SEC);
	sk_ethif_poll(e, 300 + SEC);
	assert_int_equal(sk_ethif_next_deadline(e), UINT64_MAX);
	/* An INCOMPLETE entry's retransmission, then a DELAY entry's end. */
	uint8_t p[60];
	ip6_pkt(p, sizeof(p), MY6, PEER6, 1);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 2 * SEC), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 3 * SEC);
	assert_int_equal(give_ns(e, peer_mac2, PEER6B, SN_MY, sn_my_mac, MY6, 2 * SEC + 1), 0);
	ip6_pkt(p, sizeof(p), MY6, PEER6B, 2);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 2 * SEC + 2), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 3 * SEC);
	assert_int_equal(give_na(e, peer_mac, PEER6, 0x60, PEER6, peer_mac, 2 * SEC + 3), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 7 * SEC + 2); /* PEER6B's DELAY */
	/* Time never runs backwards. */
	ip6_pkt(p, sizeof(p), MY6, FAR6, 3);
	assert_int_equal(sk_ethif_set_gw6(e, GW6), 0);
	assert_int_equal(sk_ethif_output(e, p, sizeof(p), 5), 0);
	assert_int_equal(sk_ethif_next_deadline(e), 3 * SEC + 3);
	sk_ethif_free(e);
	free(d);
}

static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random IPv6 frames and NDP-shaped ones, time jumps, packets out: no crash, no leak (ASan),
 * no deadline left overdue after a poll. */
static void test_random_ipv6_input_never_crashes(void **state)
{
	struct fakedev *d = fake_new();
	struct sk_ethif_config c;
	sk_ethif_config_defaults(&c);
	c.max_entries = 4;
	struct sk_ethif *e = sk_ethif_new(&d->dev, my_mac, 0x0a000001u, 24, 0, &c);
	assert_int_equal(sk_ethif_add_addr6(e, MY6, 64, 0), 0);
	assert_int_equal(sk_ethif_add_addr6(e, MYLL, 64, 0), 0);
	assert_int_equal(sk_ethif_set_gw6(e, GW6), 0);
	uint32_t x = 12345;
#define RND() xorshift(&x)
	uint64_t now = 0;
	for (int round = 0; round < 20000; round++) {
		uint8_t f[200], o[16];
		unsigned r = RND();
		uint8_t peer[16];
		memcpy(peer, (r & 1) ? PEER6 : GW6, 16);
		peer[15] = (uint8_t)(RND() % 6);
		switch (r % 5) {
		case 0: { /* a well-formed-ish NDP message with random fields */
			struct ndm m = {
				.edst = (r & 2) ? my_mac : sn_my_mac,
				.esrc = peer_mac,
				.src = peer,
				.dst = (r & 2) ? MY6 : SN_MY,
				.type = (uint8_t)(133 + RND() % 5),
				.flags = (uint8_t)RND(),
				.target = (r & 4) ? MY6 : peer,
				.opts = o,
				.optlen = (r & 8) ? lla(o, (uint8_t)(1 + RND() % 2), peer_mac) : 0,
				.hl = (r & 16) ? 0 : (uint8_t)RND(),
				.bad_sum = (r & 32) != 0};
			if (r & 64)
				m.src = UNSPEC;
			size_t n = nd_frame(f, &m);
			if (r & 128)
				f[14 + 40 + (RND() % (n - 54))] ^= (uint8_t)RND();
			give(e, f, n, now);
			break;
		}
		case 1: { /* random bytes after an IPv6-looking header */
			size_t n = 14 + RND() % 150;
			for (size_t i = 0; i < n; i++)
				f[i] = (uint8_t)RND();
			memcpy(f, my_mac, 6);
			put_mac(f + 6, peer_mac);
			sk_put16(f + 12, 0x86dd);
			if (n > 14)
				f[14] = (uint8_t)(0x60 | (f[14] & 0xf));
			give(e, f, n, now);
			break;
		}
		case 2: { /* a packet out */
			uint8_t p[100];
			ip6_pkt(p, 40 + RND() % 60, MY6, (r & 2) ? peer : FAR6, (uint8_t)r);
			sk_ethif_output(e, p, 40 + (size_t)sk_get16(p + 4), now);
			break;
		}
		case 3:
			now += RND() % (7 * SEC);
			break;
		default:
			sk_ethif_poll(e, now);
			assert_true(sk_ethif_next_deadline(e) > now);
			break;
		}
	}
#undef RND
	assert_true(stats(e).nd_bad > 100);
	sk_ethif_free(e);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_addresses_and_linklocal),
		cmocka_unit_test(test_dad_passes),
		cmocka_unit_test(test_dad_start_delay),
		cmocka_unit_test(test_dad_conflict_by_na),
		cmocka_unit_test(test_dad_conflict_by_ns),
		cmocka_unit_test(test_dad_defended_and_late_conflict),
		cmocka_unit_test(test_ns_answered_and_source_learned),
		cmocka_unit_test(test_incomplete_to_reachable_flushes_in_order),
		cmocka_unit_test(test_incomplete_unsolicited_na_stale_then_delay),
		cmocka_unit_test(test_incomplete_retransmits_then_gives_up),
		cmocka_unit_test(test_reachable_ages_to_stale),
		cmocka_unit_test(test_stale_delay_probe_reachable),
		cmocka_unit_test(test_probe_fails_and_forgets),
		cmocka_unit_test(test_na_override_rules),
		cmocka_unit_test(test_router_advertisement_learned_only),
		cmocka_unit_test(test_queue_bounds),
		cmocka_unit_test(test_shared_cache_with_arp),
		cmocka_unit_test(test_next_hop_choice),
		cmocka_unit_test(test_frame_filtering_and_delivery),
		cmocka_unit_test(test_malformed_ndp_dropped_and_counted),
		cmocka_unit_test(test_next_deadline_exact),
		cmocka_unit_test(test_random_ipv6_input_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
