/* UDP (RFC 768) parse/emit with the IPv4 or IPv6 pseudo-header checksum. */
#ifndef SK_UDP_H
#define SK_UDP_H

#include "wire/wire.h"

#define SK_UDP_HLEN 8

struct sk_udp {
	uint16_t sport, dport;
	uint16_t len;   /* header + payload, from the header */
	uint16_t cksum; /* as found; 0 = not computed */
	const uint8_t *payload;
	size_t payload_len;
};

#define SK_UDP_VERIFY_CSUM 1u
/* p/len is the IP payload; src/dst (host order) are needed for the checksum. Bytes beyond
 * the UDP length are ignored. Returns 8 or -sk_wire_err. */
int sk_udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct sk_udp *u, unsigned flags);
/* The same for either IP version (asum as sk_tcp_parse_sum's); over IPv6 (v6) a checksum of
 * 0 is invalid. */
int sk_udp_parse_sum(const uint8_t *p, size_t len, uint32_t asum, int v6, struct sk_udp *u, unsigned flags);
/* Writes header + payload (u->payload may already sit at p + 8) and the checksum
 * (0 computed as 0xffff). Returns the datagram length. */
int sk_udp_emit(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, const struct sk_udp *u);
/* sk_udp_emit with the pseudo-header's address sum. */
int sk_udp_emit_sum(uint8_t *p, size_t cap, uint32_t asum, const struct sk_udp *u);

#endif
