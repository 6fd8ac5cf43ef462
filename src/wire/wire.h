/* Common definitions for the wire layer: byte access, parse errors, protocol numbers. */
#ifndef SK_WIRE_H
#define SK_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Why a parser rejected bytes. Parsers return 0 on success or the negative of one of these. */
enum sk_wire_err {
	SK_WIRE_OK = 0,
	SK_WIRE_TRUNCATED,     /* fewer bytes than the header (or a length field) needs */
	SK_WIRE_BAD_VERSION,   /* IPv4 version field is not 4 */
	SK_WIRE_BAD_HDRLEN,    /* IHL < 5, TCP data offset < 5, or header longer than the packet */
	SK_WIRE_BAD_TOTLEN,    /* IPv4 total length < header or > bytes present; UDP length < 8 */
	SK_WIRE_BAD_CHECKSUM,  /* checksum verification failed */
	SK_WIRE_BAD_OPTION,    /* option length 0/1, or an option running past the header */
	SK_WIRE_UNSUPPORTED,   /* well-formed but not something we handle (ARP htype, ...) */
	SK_WIRE_NOSPACE,       /* emit: output buffer too small */
	SK_WIRE_INVALID,       /* emit: field values that cannot be encoded */
	SK_WIRE_ERR_COUNT
};

/* A short fixed reason string for an sk_wire_err (positive or negative). */
const char *sk_wire_strerror(int err);

enum { SK_IPPROTO_ICMP = 1, SK_IPPROTO_TCP = 6, SK_IPPROTO_UDP = 17 };
enum { SK_ETHERTYPE_IPV4 = 0x0800, SK_ETHERTYPE_ARP = 0x0806, SK_ETHERTYPE_IPV6 = 0x86dd };

static inline uint16_t sk_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t sk_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void sk_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void sk_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
