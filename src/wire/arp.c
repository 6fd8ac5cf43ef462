/* ARP for Ethernet/IPv4 (RFC 826) parse/emit. */
#include "wire/arp.h"

#include <string.h>

enum { ARP_HTYPE_ETHER = 1 };

int sk_arp_parse(const uint8_t *p, size_t len, struct sk_arp *a)
{
	if (len < 8)
		return -SK_WIRE_TRUNCATED;
	if (sk_get16(p) != ARP_HTYPE_ETHER || sk_get16(p + 2) != SK_ETHERTYPE_IPV4 ||
	    p[4] != SK_ETH_ALEN || p[5] != 4)
		return -SK_WIRE_UNSUPPORTED;
	if (len < SK_ARP_LEN)
		return -SK_WIRE_TRUNCATED;
	a->op = sk_get16(p + 6);
	memcpy(a->sha, p + 8, SK_ETH_ALEN);
	a->spa = sk_get32(p + 14);
	memcpy(a->tha, p + 18, SK_ETH_ALEN);
	a->tpa = sk_get32(p + 24);
	return SK_ARP_LEN;
}

int sk_arp_emit(uint8_t *p, size_t cap, const struct sk_arp *a)
{
	if (cap < SK_ARP_LEN)
		return -SK_WIRE_NOSPACE;
	sk_put16(p, ARP_HTYPE_ETHER);
	sk_put16(p + 2, SK_ETHERTYPE_IPV4);
	p[4] = SK_ETH_ALEN;
	p[5] = 4;
	sk_put16(p + 6, a->op);
	memcpy(p + 8, a->sha, SK_ETH_ALEN);
	sk_put32(p + 14, a->spa);
	memcpy(p + 18, a->tha, SK_ETH_ALEN);
	sk_put32(p + 24, a->tpa);
	return SK_ARP_LEN;
}
