/* Fuzzes the Ethernet adapter's IPv6 half, neighbour discovery and DAD, over its whole life. */

/* The bytes drive it: raw frames in; NDP messages in, built from the bytes with a valid
 * ICMPv6 checksum (so the fuzzer gets past it) and a hop limit of 255 or not; IPv6 packets
 * out to addresses the bytes choose (on-link, link-local, off-link through the gateway,
 * multicast, our own, from a tentative source); time passing; polls. Invariants: every
 * frame sent is well-formed Ethernet of 60 bytes or more within the MTU; every NDP message
 * the adapter sends has hop limit 255 and passes RFC 4861's own validity checks (a peer
 * would take it); after a poll nothing is overdue. */
#include <string.h>

#include "fuzz.h"
#include "link/dev.h"
#include "link/ethif.h"
#include "wire/decode.h"
#include "wire/eth.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

static const uint8_t MY6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};  /* 2001:db8::2/64 */
static const uint8_t MYLL[16] = {0xfe, 0x80, [15] = 2};		     /* fe80::2/64 */
static const uint8_t GW6[16] = {0xfe, 0x80, [15] = 1};		     /* fe80::1 */
static const uint8_t MAC[6] = {0x02, 0, 0, 0, 0, 2};

static int sink_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	(void)now;
	struct sk_eth e;
	FUZZ_CHECK(n >= 60 && n <= (size_t)d->mtu + SK_ETH_HLEN);
	FUZZ_CHECK(sk_eth_parse(f, n, &e) == SK_ETH_HLEN);
	FUZZ_CHECK(e.type == 0x0800 || e.type == 0x0806 || e.type == 0x86dd);
	if (e.type != 0x86dd)
		return 0;
	struct sk_ipv6 h;
	FUZZ_CHECK(sk_ipv6_parse(f + SK_ETH_HLEN, n - SK_ETH_HLEN, &h) == SK_IPV6_HLEN);
	const uint8_t *m6 = f + SK_ETH_HLEN + SK_IPV6_HLEN;
	/* The packets this harness sends out carry next header 253: any ICMPv6 is the adapter's. */
	if (h.next == SK_IPPROTO_ICMPV6) {
		struct sk_icmp6 m;
		struct sk_nd nd;
		FUZZ_CHECK(h.hop_limit == 255);
		FUZZ_CHECK(sk_icmp6_parse(m6, h.payload_len, h.src, h.dst, &m, SK_ICMP6_VERIFY_CSUM) == SK_ICMP6_HLEN);
		FUZZ_CHECK(m.type == SK_ICMP6_ND_NS || m.type == SK_ICMP6_ND_NA);
		FUZZ_CHECK(sk_nd_parse(&m, &h, &nd) == 0);
	}
	return 0;
}
static int sink_recv(struct sk_dev *d, uint8_t *b, size_t cap, uint64_t now) { (void)d; (void)b; (void)cap; (void)now; return 0; }
static void sink_close(struct sk_dev *d) { (void)d; }
static const struct sk_dev_ops sink_ops = {.send = sink_send, .recv = sink_recv, .close = sink_close};

/* An address chosen by k (its kind) and x (its last byte). */
static void pick(uint8_t k, uint8_t x, uint8_t a[16])
{
	memset(a, 0, 16);
	switch (k % 8) {
	case 0: /* on-link global */
		memcpy(a, MY6, 16);
		break;
	case 1: /* link-local */
		memcpy(a, MYLL, 16);
		break;
	case 2: /* off-link */
		memcpy(a, MY6, 16);
		a[5] = 1;
		break;
	case 3: /* a solicited-node group */
		a[0] = 0xff, a[1] = 0x02, a[11] = 1, a[12] = 0xff;
		break;
	case 4: /* all-nodes and other link-scope groups */
		a[0] = 0xff, a[1] = 0x02;
		break;
	case 5: /* unspecified */
		return;
	case 6: /* ours, exactly */
		memcpy(a, (x & 1) ? MY6 : MYLL, 16);
		return;
	default: /* the gateway */
		memcpy(a, GW6, 16);
		return;
	}
	a[15] = x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_dev dev = {.ops = &sink_ops, .linktype = SK_LINK_ETHERNET, .mtu = 1500, .name = "fuzz"};
	struct sk_ethif_config cfg;
	sk_ethif_config_defaults(&cfg);
	cfg.max_entries = 8; /* small, so eviction is reached */
	if (size > 0) {
		cfg.dad_transmits = data[0] % 3; /* 0: no DAD */
		data++, size--;
	}
	struct sk_ethif *e = sk_ethif_new(&dev, MAC, 0xc0000202u, 24, 0xc0000201u, &cfg);
	FUZZ_CHECK(e != NULL);
	FUZZ_CHECK(sk_ethif_add_addr6(e, MY6, 64, 1) == 0);
	FUZZ_CHECK(sk_ethif_add_addr6(e, MYLL, 64, 1) == 0);
	FUZZ_CHECK(sk_ethif_set_gw6(e, GW6) == 0);
	uint64_t now = 1;
	size_t i = 0;
	while (i + 4 <= size) {
		uint8_t op = data[i], a1 = data[i + 1], a2 = data[i + 2], a3 = data[i + 3];
		i += 4;
		const uint8_t *ip;
		size_t iplen;
		switch (op % 5) {
		case 0: { /* a raw frame from the wire */
			size_t n = (size_t)a1 + 14;
			if (n > size - i)
				n = size - i;
			if (sk_ethif_input(e, data + i, n, now, &ip, &iplen) == 1)
				FUZZ_CHECK(ip >= data + i && ip + iplen <= data + i + n);
			i += n;
			break;
		}
		case 1: { /* an NDP message: type by op, source and destination by a1/a2, body from
			   * the bytes that follow (a3 of them); valid checksum */
			uint8_t f[14 + 40 + 8 + 256];
			size_t body = a3;
			if (body > size - i)
				body = size - i;
			if (body < 4)
				break;
			struct sk_ipv6 h = {.next = SK_IPPROTO_ICMPV6, .hop_limit = (op & 0x80) ? 255 : a3};
			pick(a1, a2, h.src);
			pick((uint8_t)(a1 >> 3), a2, h.dst);
			if (a1 & 0x40)
				sk_ipv6_solicited_node(MY6, h.dst);
			struct sk_icmp6 m = {.type = (uint8_t)(133 + (op >> 3) % 5), .code = (op & 0x40) ? 1 : 0,
					     .rest = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
						     (uint32_t)data[i + 2] << 8 | data[i + 3],
					     .data = data + i + 4, .data_len = body - 4};
			uint8_t *p6 = f + SK_ETH_HLEN;
			int n = sk_icmp6_emit(p6 + SK_IPV6_HLEN, sizeof(f) - SK_ETH_HLEN - SK_IPV6_HLEN, h.src, h.dst, &m);
			i += body;
			if (n < 0)
				break;
			h.payload_len = (uint16_t)n;
			sk_ipv6_emit(p6, SK_IPV6_HLEN, &h);
			struct sk_eth eh = {.type = 0x86dd, .src = {0x02, 0, 0, 0, 0, (uint8_t)(a2 | 0x10)}};
			if (sk_ipv6_is_multicast(h.dst))
				sk_ipv6_mcast_mac(h.dst, eh.dst);
			else
				memcpy(eh.dst, MAC, 6);
			sk_eth_emit(f, sizeof(f), &eh);
			size_t len = SK_ETH_HLEN + SK_IPV6_HLEN + (size_t)n;
			if (len < 60) {
				memset(f + len, 0, 60 - len);
				len = 60;
			}
			if (sk_ethif_input(e, f, len, now, &ip, &iplen) == 1)
				FUZZ_CHECK(ip == p6 && iplen <= len - SK_ETH_HLEN);
			break;
		}
		case 2: { /* an IPv6 packet out */
			uint8_t pkt[80];
			memset(pkt, 0, sizeof(pkt));
			struct sk_ipv6 h = {.payload_len = sizeof(pkt) - SK_IPV6_HLEN, .next = 253, .hop_limit = 64};
			memcpy(h.src, (a3 & 1) ? MY6 : MYLL, 16);
			if (a3 & 2)
				h.src[15] ^= a3; /* a source not ours */
			pick(a1, a2, h.dst);
			sk_ipv6_emit(pkt, sizeof(pkt), &h);
			sk_ethif_output(e, pkt, sizeof(pkt), now);
			break;
		}
		case 3: /* time passes: a millisecond to about an hour */
			now += (uint64_t)(a1 % 16 + 1) << (a1 / 16 + 10);
			break;
		default:
			sk_ethif_poll(e, now);
			FUZZ_CHECK(sk_ethif_next_deadline(e) > now);
			break;
		}
	}
	sk_ethif_free(e);
	return 0;
}
