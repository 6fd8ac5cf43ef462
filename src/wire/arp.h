/* ARP (RFC 826) for Ethernet/IPv4, parse/emit. */
#ifndef SK_ARP_H
#define SK_ARP_H

#include "wire/eth.h"

#define SK_ARP_LEN 28
enum { SK_ARP_REQUEST = 1, SK_ARP_REPLY = 2 };

struct sk_arp {
	uint16_t op;
	uint8_t sha[SK_ETH_ALEN];
	uint32_t spa; /* host byte order */
	uint8_t tha[SK_ETH_ALEN];
	uint32_t tpa;
};

/* Accepts htype 1, ptype 0x0800, hlen 6, plen 4; anything else is -SK_WIRE_UNSUPPORTED.
 * Returns 28 or -sk_wire_err. */
int sk_arp_parse(const uint8_t *p, size_t len, struct sk_arp *a);
int sk_arp_emit(uint8_t *p, size_t cap, const struct sk_arp *a);

#endif
