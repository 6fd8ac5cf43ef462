/* IPv4 header (RFC 791) parse/emit; options are kept as bytes and skipped by length. */
#ifndef SK_IPV4_H
#define SK_IPV4_H

#include "wire/wire.h"

#define SK_IPV4_MIN_HLEN 20
#define SK_IPV4_MAX_HLEN 60
#define SK_IP_DF 0x4000
#define SK_IP_MF 0x2000
#define SK_IP_OFFMASK 0x1fff

struct sk_ipv4 {
	uint8_t hlen;       /* header length in bytes (IHL * 4) */
	uint8_t tos;
	uint16_t total_len; /* header + payload */
	uint16_t id;
	uint16_t frag;      /* flags (SK_IP_DF/MF, reserved bit 0x8000) and offset in 8-byte units */
	uint8_t ttl;
	uint8_t proto;
	uint16_t cksum;     /* as found (parse) */
	uint32_t src, dst;  /* host byte order */
	const uint8_t *opts;
	uint8_t opts_len;   /* hlen - 20 */
};

static inline unsigned sk_ipv4_frag_offset(const struct sk_ipv4 *h) { return (unsigned)(h->frag & SK_IP_OFFMASK) * 8u; }
static inline int sk_ipv4_is_fragment(const struct sk_ipv4 *h) { return (h->frag & (SK_IP_MF | SK_IP_OFFMASK)) != 0; }

/* Parse flags. */
#define SK_IPV4_VERIFY_CSUM 1u

/* Validates version, IHL, total length against len (trailing link padding beyond total_len
 * is allowed and ignored) and, with SK_IPV4_VERIFY_CSUM, the header checksum. On success
 * returns the header length; the payload is p[hlen .. total_len). */
int sk_ipv4_parse(const uint8_t *p, size_t len, struct sk_ipv4 *h, unsigned flags);

/* Reads the fixed fields of a header whose IHL gave hlen, with no validation (the quoted
 * header of an ICMP error is cut short on purpose). */
void sk_ipv4_read_fields(const uint8_t *p, unsigned hlen, struct sk_ipv4 *h);

/* Writes the header (hlen from 20 + opts_len, opts copied, padded with EOL to 4 bytes) and
 * computes its checksum. total_len must be set by the caller. Returns the header length. */
int sk_ipv4_emit(uint8_t *p, size_t cap, const struct sk_ipv4 *h);

/* Formats a host-order address as dotted quad into buf (>= 16 bytes); returns buf. */
char *sk_ipv4_ntoa(uint32_t addr, char *buf);
/* Parses a dotted quad; returns 0 and sets *addr (host order) or -1. */
int sk_ipv4_aton(const char *s, uint32_t *addr);

#endif
