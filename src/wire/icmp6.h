/* ICMPv6 (RFC 4443) parse/emit: echo, errors and the invoking packet they quote. */
#ifndef SK_ICMP6_H
#define SK_ICMP6_H

#include "wire/ipv6.h"

#define SK_ICMP6_HLEN 8
/* An error message carries as much of the invoking packet as fits in the minimum MTU
 * with a 40-byte IPv6 header and no extension headers (RFC 4443 2.4(c)). */
#define SK_ICMP6_ERR_QUOTE_MAX (SK_IPV6_MIN_MTU - SK_IPV6_HLEN - SK_ICMP6_HLEN)

enum {
	SK_ICMP6_UNREACH = 1,
	SK_ICMP6_PKT_TOO_BIG = 2,
	SK_ICMP6_TIME_EXCEEDED = 3,
	SK_ICMP6_PARAM_PROB = 4,
	SK_ICMP6_ECHO_REQUEST = 128,
	SK_ICMP6_ECHO_REPLY = 129,
	/* Neighbor Discovery (RFC 4861 4), parsed by wire/ndp.h */
	SK_ICMP6_ND_RS = 133,
	SK_ICMP6_ND_RA = 134,
	SK_ICMP6_ND_NS = 135,
	SK_ICMP6_ND_NA = 136,
	SK_ICMP6_ND_REDIRECT = 137,
};
/* Destination unreachable codes (RFC 4443 3.1). */
enum {
	SK_ICMP6_UNREACH_NOROUTE = 0,
	SK_ICMP6_UNREACH_ADMIN = 1,
	SK_ICMP6_UNREACH_BEYOND_SCOPE = 2,
	SK_ICMP6_UNREACH_ADDR = 3,
	SK_ICMP6_UNREACH_PORT = 4,
	SK_ICMP6_UNREACH_POLICY = 5,
	SK_ICMP6_UNREACH_REJECT_ROUTE = 6,
};
enum { SK_ICMP6_TIMXCEED_HOPLIMIT = 0, SK_ICMP6_TIMXCEED_REASM = 1 }; /* RFC 4443 3.3 */
/* Parameter problem codes (RFC 4443 3.4; code 3 from RFC 7112). */
enum {
	SK_ICMP6_PARAMPROB_HEADER = 0,
	SK_ICMP6_PARAMPROB_NEXTHEADER = 1,
	SK_ICMP6_PARAMPROB_OPTION = 2,
	SK_ICMP6_PARAMPROB_FIRSTFRAG = 3,
};

struct sk_icmp6 {
	uint8_t type, code;
	uint16_t cksum;	     /* as found (parse) */
	uint32_t rest;	     /* the 4 bytes after the checksum, raw */
	const uint8_t *data; /* after the 8-byte header */
	size_t data_len;
};

/* Types 0-127 are errors, 128-255 informational (RFC 4443 2.1). */
static inline int sk_icmp6_is_error(uint8_t type)
{
	return type < 128;
}
/* Accessors into 'rest' by message type. */
static inline uint16_t sk_icmp6_echo_id(const struct sk_icmp6 *m)
{
	return (uint16_t)(m->rest >> 16);
}
static inline uint16_t sk_icmp6_echo_seq(const struct sk_icmp6 *m)
{
	return (uint16_t)m->rest;
}
static inline uint32_t sk_icmp6_mtu(const struct sk_icmp6 *m)
{
	return m->rest;
}
static inline uint32_t sk_icmp6_pointer(const struct sk_icmp6 *m)
{
	return m->rest;
}

#define SK_ICMP6_VERIFY_CSUM 1u
/* p/len is the whole ICMPv6 message (the upper-layer data of its IPv6 packet); src/dst
 * are that packet's addresses, for the pseudo-header checksum. Types and codes are not
 * checked: the receiver decides what to do with those it does not know (RFC 4443 2.4(a),
 * (b)). Returns 8 or -sk_wire_err. */
int sk_icmp6_parse(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		   struct sk_icmp6 *m, unsigned flags);
/* Writes header + m->data (which may already sit at p + 8) and the checksum; returns the
 * message length. */
int sk_icmp6_emit(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
		  const struct sk_icmp6 *m);
/* Writes an error message (type < 128) quoting the invoking packet inv/inv_len, cut to
 * SK_ICMP6_ERR_QUOTE_MAX bytes so the whole packet fits in 1280 (RFC 4443 2.4(c)). rest
 * is the MTU (packet too big), the pointer (parameter problem) or 0. Returns the length. */
int sk_icmp6_emit_error(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
			uint8_t type, uint8_t code, uint32_t rest, const uint8_t *inv,
			size_t inv_len);

/* Whether an error of this type/code (and rest, the pointer of a parameter problem) may
 * be sent about the invoking packet inv (RFC 4443 2.4(e)): never about an ICMPv6 error or
 * redirect, nor about a packet from the unspecified or a multicast source; about one to
 * a multicast address or received as link-layer multicast/broadcast (link_mcast != 0)
 * only a packet too big or a parameter problem code 2 whose option type asks for it
 * (action 10). Rate limiting (2.4(f)) is the caller's. Returns 1 or 0. */
int sk_icmp6_error_allowed(const uint8_t *inv, size_t inv_len, uint8_t type, uint8_t code,
			   uint32_t rest, int link_mcast);

/* The invoking packet quoted by an error message: its fixed header and what follows its
 * extension headers, as far as the quote goes. */
struct sk_icmp6_quote {
	struct sk_ipv6 ip;     /* payload_len is what the invoking packet said */
	uint8_t proto;	       /* upper-layer protocol; SK_IPPROTO_FRAGMENT for a later fragment */
	size_t l4_off;	       /* its offset from the quoted IPv6 header */
	const uint8_t *l4;     /* its first byte */
	size_t l4_len;	       /* bytes of it present in the quote */
	uint16_t sport, dport; /* TCP/UDP when l4_len >= 4 */
	uint32_t tcp_seq;      /* TCP when l4_len >= 8 */
};
/* Parses the quote of an error message: the quoted IPv6 header must be whole (40 bytes,
 * version 6); its extension headers are skipped by length (sk_ipv6_skip_ext), since the
 * quote may be cut anywhere. Returns 0 or -sk_wire6_err. */
int sk_icmp6_parse_quote(const struct sk_icmp6 *m, struct sk_icmp6_quote *q);

#endif
