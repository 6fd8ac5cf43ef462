/* Whole-frame decoding (Ethernet or raw IPv4, then ARP/ICMP/UDP/TCP) into one summary. */
#include "wire/decode.h"

#include <string.h>

static int note(struct sk_decoded *d, int r)
{
	if (r < 0 && d->err == 0)
		d->err = r;
	return r;
}

static void decode_l4(struct sk_decoded *d, int verify)
{
	const uint8_t *p = d->l4_start;
	size_t n = d->l4_len;
	uint32_t s = d->ip.src, t = d->ip.dst;
	int r;
	switch (d->ip.proto) {
	case SK_IPPROTO_TCP:
		r = note(d, sk_tcp_parse(p, n, s, t, &d->tcp, verify ? SK_TCP_VERIFY_CSUM : 0));
		/* A checksum failure still leaves a structurally sound header worth knowing. */
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_TCP;
		break;
	case SK_IPPROTO_UDP:
		r = note(d, sk_udp_parse(p, n, s, t, &d->udp, verify ? SK_UDP_VERIFY_CSUM : 0));
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_UDP;
		break;
	case SK_IPPROTO_ICMP:
		r = note(d, sk_icmp_parse(p, n, &d->icmp, verify ? SK_ICMP_VERIFY_CSUM : 0));
		if (r >= 0 || r == -SK_WIRE_BAD_CHECKSUM)
			d->l4 = SK_L4_ICMP;
		break;
	default:
		break;
	}
}

int sk_decode(const uint8_t *frame, size_t len, int linktype, int verify, struct sk_decoded *d)
{
	memset(d, 0, sizeof(*d));
	d->linktype = linktype;
	const uint8_t *p = frame;
	uint16_t type = SK_ETHERTYPE_IPV4;
	if (linktype == SK_LINK_ETHERNET) {
		int r = note(d, sk_eth_parse(p, len, &d->eth));
		if (r < 0)
			return d->err;
		d->has_eth = 1;
		type = d->eth.type;
		p += r;
		len -= (size_t)r;
	} else if (linktype != SK_LINK_RAW && linktype != SK_LINK_RAW_DLT) {
		return note(d, -SK_WIRE_UNSUPPORTED);
	}
	if (type == SK_ETHERTYPE_ARP) {
		if (note(d, sk_arp_parse(p, len, &d->arp)) >= 0)
			d->l4 = SK_L4_ARP;
		return d->err;
	}
	if (type != SK_ETHERTYPE_IPV4)
		return note(d, -SK_WIRE_UNSUPPORTED);
	int h = note(d, sk_ipv4_parse(p, len, &d->ip, verify ? SK_IPV4_VERIFY_CSUM : 0));
	if (h < 0 && h != -SK_WIRE_BAD_CHECKSUM)
		return d->err;
	d->has_ip = 1;
	d->l4_start = p + d->ip.hlen;
	d->l4_len = (size_t)d->ip.total_len - d->ip.hlen;
	/* Only a first fragment carries the transport header; and a fragment's L4 checksum
	 * covers the whole datagram, so it cannot be verified here. */
	if (sk_ipv4_frag_offset(&d->ip) != 0)
		return d->err;
	decode_l4(d, verify && !sk_ipv4_is_fragment(&d->ip));
	return d->err;
}
