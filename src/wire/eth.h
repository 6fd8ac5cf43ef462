/* Ethernet II header parse/emit. */
#ifndef SK_ETH_H
#define SK_ETH_H

#include "wire/wire.h"

#define SK_ETH_HLEN 14
#define SK_ETH_ALEN 6

struct sk_eth {
	uint8_t dst[SK_ETH_ALEN];
	uint8_t src[SK_ETH_ALEN];
	uint16_t type;
};

/* Returns the header length (14) or -sk_wire_err. */
int sk_eth_parse(const uint8_t *p, size_t len, struct sk_eth *h);
/* Writes 14 bytes; returns 14 or -SK_WIRE_NOSPACE. */
int sk_eth_emit(uint8_t *p, size_t cap, const struct sk_eth *h);

extern const uint8_t sk_eth_broadcast[SK_ETH_ALEN];

#endif
