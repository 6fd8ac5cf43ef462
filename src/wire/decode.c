/* Whole-frame decoding (Ethernet or raw IP, IPv4 or IPv6, then ARP/ICMP/ICMPv6/UDP/TCP) into one summary. */
#include "wire/decode.h"

#include <string.h>

#include "wire/checksum.h"

static int note(struct sk_decoded *d, int r)
{
	if (r < 0 && d->err == 0)
		d->err = r;
	return r;
}

/* The upper layer at l4_start, of protocol d->proto; asum is the pseudo-header's address
 * sum (RFC 8200 8.1 over IPv6). */
static void decode_l4(struct sk_decoded *d, uint32_t asum, int verify)
{
	const uint8_t *p = d->l4_start;
	size_t n = d->l4_len;
	int r;
	switch (d->proto) {
	case SK_IPPROTO_TCP:
		r = note(d, sk_tcp_parse_sum(p, n, asum, &d->tcp, verify ? SK_TCP_VERIFY_CSUM : 0));
		/* A checksum failure still leaves a structurally sound header worth knowing. */
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_TCP;
		break;
	case SK_IPPROTO_UDP:
		r = note(d, sk_udp_parse_sum(p, n, asum, d->has_ip6, &d->udp, verify ? SK_UDP_VERIFY_CSUM : 0));
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_UDP;
		break;
	case SK_IPPROTO_ICMP:
		if (d->has_ip6)
			break; /* ICMPv4 inside IPv6 is nothing a host decodes */
		r = note(d, sk_icmp_parse(p, n, &d->icmp, verify ? SK_ICMP_VERIFY_CSUM : 0));
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_ICMP;
		break;
	case SK_IPPROTO_ICMPV6:
		if (!d->has_ip6)
			break;
		r = note(d, sk_icmp6_parse(p, n, d->ip6.src, d->ip6.dst, &d->icmp6,
					   verify ? SK_ICMP6_VERIFY_CSUM : 0));
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_ICMP6;
		break;
	default:
		break;
	}
}

static int decode_ipv4(struct sk_decoded *d, const uint8_t *p, size_t len, int verify)
{
	int h = note(d, sk_ipv4_parse(p, len, &d->ip, verify ? SK_IPV4_VERIFY_CSUM : 0));
	if (h < 0 && h != -SK_WIRE_BAD_CHECKSUM)
		return d->err;
	d->has_ip = 1;
	d->proto = d->ip.proto;
	d->ip_len = d->ip.total_len;
	d->ip_hlen = d->ip.hlen;
	d->l4_start = p + d->ip.hlen;
	d->l4_len = (size_t)d->ip.total_len - d->ip.hlen;
	/* Only a first fragment carries the transport header; and a fragment's L4 checksum
	 * covers the whole datagram, so it cannot be verified here. */
	d->later_fragment = sk_ipv4_frag_offset(&d->ip) != 0;
	if (d->later_fragment)
		return d->err;
	uint32_t s = d->ip.src, t = d->ip.dst;
	decode_l4(d, (s >> 16) + (s & 0xffff) + (t >> 16) + (t & 0xffff), verify && !sk_ipv4_is_fragment(&d->ip));
	return d->err;
}

static int decode_ipv6(struct sk_decoded *d, const uint8_t *p, size_t len, int verify)
{
	if (note(d, sk_ipv6_parse(p, len, &d->ip6)) < 0)
		return d->err;
	d->has_ip6 = 1;
	d->ip_len = SK_IPV6_HLEN + (uint32_t)d->ip6.payload_len;
	struct sk_ipv6_walk w;
	size_t off, end = d->ip_len;
	uint8_t nh;
	int partial; /* a piece of a datagram: its L4 checksum cannot be verified here */
	int r = sk_ipv6_walk(p, &d->ip6, &w);
	if (r == 0) {
		nh = w.proto;
		off = w.off;
		partial = w.fragment;
		d->later_fragment = w.fragment && w.frag.offset != 0;
	} else {
		/* A chain a receiver would refuse (an option to act on, a routing header left
		 * unprocessed...) still says what it carries: read past it by the lengths
		 * alone, as a capture printer does. An upper layer this decoder does not know
		 * is no error, as over IPv4. */
		if (r != -SK_WIRE6_UNKNOWN_NEXT)
			note(d, r);
		nh = d->ip6.next;
		off = SK_IPV6_HLEN;
		if (note(d, sk_ipv6_skip_ext(p, end, &nh, &off)) < 0)
			return d->err;
		if (nh == SK_IPPROTO_FRAGMENT) { /* skip_ext stops at a later fragment's header */
			nh = p[off];
			off += SK_IPV6_FRAG_HLEN;
			d->later_fragment = 1;
		}
		partial = 1;
	}
	if (off > end)
		return note(d, -SK_WIRE6_EXT_TRUNCATED);
	d->proto = nh;
	d->ip_hlen = (uint32_t)off;
	d->l4_start = p + off;
	d->l4_len = end - off;
	if (d->later_fragment)
		return d->err;
	uint32_t asum = sk_csum_add(sk_csum_add(0, d->ip6.src, 16), d->ip6.dst, 16);
	decode_l4(d, asum, verify && !partial);
	return d->err;
}

int sk_decode(const uint8_t *frame, size_t len, int linktype, int verify, struct sk_decoded *d)
{
	memset(d, 0, sizeof(*d));
	d->linktype = linktype;
	const uint8_t *p = frame;
	uint16_t type;
	if (linktype == SK_LINK_ETHERNET) {
		int r = note(d, sk_eth_parse(p, len, &d->eth));
		if (r < 0)
			return d->err;
		d->has_eth = 1;
		type = d->eth.type;
		p += r;
		len -= (size_t)r;
	} else if (linktype == SK_LINK_RAW || linktype == SK_LINK_RAW_DLT) {
		/* Raw IP: the version says which (anything else fails as IPv4 would). */
		type = len && p[0] >> 4 == 6 ? SK_ETHERTYPE_IPV6 : SK_ETHERTYPE_IPV4;
	} else {
		return note(d, -SK_WIRE_UNSUPPORTED);
	}
	if (type == SK_ETHERTYPE_ARP) {
		if (note(d, sk_arp_parse(p, len, &d->arp)) >= 0)
			d->l4 = SK_L4_ARP;
		return d->err;
	}
	if (type == SK_ETHERTYPE_IPV4)
		return decode_ipv4(d, p, len, verify);
	if (type == SK_ETHERTYPE_IPV6)
		return decode_ipv6(d, p, len, verify);
	return note(d, -SK_WIRE_UNSUPPORTED);
}

static struct synack_ip addr_of(const struct sk_decoded *d, int dst)
{
	struct synack_ip a;
	memset(&a, 0, sizeof(a));
	if (d->has_ip) {
		uint32_t v = dst ? d->ip.dst : d->ip.src;
		a.family = SYNACK_AF_INET;
		a.bytes[0] = (uint8_t)(v >> 24);
		a.bytes[1] = (uint8_t)(v >> 16);
		a.bytes[2] = (uint8_t)(v >> 8);
		a.bytes[3] = (uint8_t)v;
	} else if (d->has_ip6) {
		a.family = SYNACK_AF_INET6;
		memcpy(a.bytes, dst ? d->ip6.dst : d->ip6.src, 16);
	}
	return a;
}

struct synack_ip sk_decoded_src(const struct sk_decoded *d)
{
	return addr_of(d, 0);
}

struct synack_ip sk_decoded_dst(const struct sk_decoded *d)
{
	return addr_of(d, 1);
}
