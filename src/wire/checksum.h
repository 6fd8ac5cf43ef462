/* The Internet checksum (RFC 1071), its pseudo-header form and incremental update (RFC 1624). */
#ifndef SK_CHECKSUM_H
#define SK_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at p to a running 32-bit partial sum (network byte order words). Only
 * the last chunk of a sequence may have odd length. The result is not folded. */
uint32_t sk_csum_add(uint32_t sum, const void *p, size_t len);

/* Folds a partial sum to 16 bits and complements it: the value that goes in a header. */
uint16_t sk_csum_fold(uint32_t sum);

/* Checksum of one buffer: sk_csum_fold(sk_csum_add(0, p, len)). A buffer that contains a
 * correct checksum field sums to 0. */
uint16_t sk_csum(const void *p, size_t len);

/* Partial sum of the IPv4 pseudo-header; src/dst in host byte order, len = L4 length. */
uint32_t sk_csum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* Checksum of an L4 segment (TCP/UDP) with its pseudo-header; 0 means it verifies when
 * the segment's own checksum field is included. */
uint16_t sk_csum_l4(uint32_t src, uint32_t dst, uint8_t proto, const void *seg, size_t len);

/* Partial sum of the IPv6 pseudo-header (RFC 8200 8.1): source and destination addresses
 * (16 bytes each, network order), the 32-bit upper-layer length (that of the upper-layer
 * header and data, without extension headers before it) and the next header value (that
 * of the upper-layer protocol, not of an extension header). */
uint32_t sk_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
			 uint32_t upper_len);

/* sk_csum_l4 for IPv6: the checksum of a TCP/UDP/ICMPv6 message with its pseudo-header;
 * 0 means it verifies when the message's own checksum field is included. */
uint16_t sk_csum_l4v6(const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
		      const void *seg, size_t len);

/* Over IPv6 the UDP checksum is mandatory (RFC 8200 8.1): a datagram whose checksum field
 * is 0 must be discarded (RFC 6935/6936 allow exceptions only for tunnels, which synack
 * does not do). Returns 1 if the datagram (UDP header + payload, len taken from its length
 * field by the caller) has a nonzero checksum field that verifies, else 0. A sender that
 * computes 0 transmits 0xffff instead, as over IPv4. */
int sk_udp6_checksum_ok(const uint8_t src[16], const uint8_t dst[16], const uint8_t *dgram,
			size_t len);

/* RFC 1624 eqn. 3: new checksum after a 16-bit (or 32-bit) field changes from old to new. */
uint16_t sk_csum_update16(uint16_t check, uint16_t old, uint16_t new_);
uint16_t sk_csum_update32(uint16_t check, uint32_t old, uint32_t new_);

/* The plain reference implementation (a 16-bit word at a time), kept for tests/bench. */
uint32_t sk_csum_add_ref(uint32_t sum, const void *p, size_t len);

#endif
