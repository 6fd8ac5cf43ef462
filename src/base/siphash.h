/* SipHash-2-4 (Aumasson & Bernstein): the keyed hash behind ISNs (RFC 6528), SYN cookies
 * and the connection table, so none of them can be predicted or flooded by a peer. */
#ifndef SK_SIPHASH_H
#define SK_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sk_siphash_key {
	uint64_t k0, k1;
};

/* The key from 16 bytes, little-endian as the reference defines it. */
struct sk_siphash_key sk_siphash_key_from_bytes(const uint8_t b[16]);

uint64_t sk_siphash(const struct sk_siphash_key *key, const void *msg, size_t len);

/* Hash of up to four 32-bit words without building a byte buffer (the 4-tuple case). */
uint64_t sk_siphash_4u32(const struct sk_siphash_key *key, uint32_t a, uint32_t b, uint32_t c, uint32_t d);

#endif
