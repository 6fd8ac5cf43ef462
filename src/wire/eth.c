/* Ethernet II header parse/emit. */
#include "wire/eth.h"

#include <string.h>

const uint8_t sk_eth_broadcast[SK_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

int sk_eth_parse(const uint8_t *p, size_t len, struct sk_eth *h)
{
	if (len < SK_ETH_HLEN)
		return -SK_WIRE_TRUNCATED;
	memcpy(h->dst, p, SK_ETH_ALEN);
	memcpy(h->src, p + 6, SK_ETH_ALEN);
	h->type = sk_get16(p + 12);
	return SK_ETH_HLEN;
}

int sk_eth_emit(uint8_t *p, size_t cap, const struct sk_eth *h)
{
	if (cap < SK_ETH_HLEN)
		return -SK_WIRE_NOSPACE;
	memcpy(p, h->dst, SK_ETH_ALEN);
	memcpy(p + 6, h->src, SK_ETH_ALEN);
	sk_put16(p + 12, h->type);
	return SK_ETH_HLEN;
}
