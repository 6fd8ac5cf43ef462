/* ICMPv4 (RFC 792) parse/emit: echo, destination unreachable, time exceeded, frag-needed. */
#ifndef SK_ICMP_H
#define SK_ICMP_H

#include "wire/ipv4.h"

#define SK_ICMP_HLEN 8
enum {
	SK_ICMP_ECHOREPLY = 0,
	SK_ICMP_UNREACH = 3,
	SK_ICMP_ECHO = 8,
	SK_ICMP_TIMXCEED = 11,
};
enum {
	SK_ICMP_UNREACH_NET = 0,
	SK_ICMP_UNREACH_HOST = 1,
	SK_ICMP_UNREACH_PROTO = 2,
	SK_ICMP_UNREACH_PORT = 3,
	SK_ICMP_UNREACH_NEEDFRAG = 4,
};

struct sk_icmp {
	uint8_t type, code;
	uint16_t cksum;   /* as found (parse) */
	uint32_t rest;    /* the 4 bytes after the checksum, raw */
	const uint8_t *data; /* after the 8-byte header */
	size_t data_len;
};

/* Accessors into 'rest' by message type. */
static inline uint16_t sk_icmp_echo_id(const struct sk_icmp *m) { return (uint16_t)(m->rest >> 16); }
static inline uint16_t sk_icmp_echo_seq(const struct sk_icmp *m) { return (uint16_t)m->rest; }
static inline uint16_t sk_icmp_nexthop_mtu(const struct sk_icmp *m) { return (uint16_t)m->rest; }

#define SK_ICMP_VERIFY_CSUM 1u
/* p/len is the whole ICMP message (IP payload). Returns 8 or -sk_wire_err. */
int sk_icmp_parse(const uint8_t *p, size_t len, struct sk_icmp *m, unsigned flags);
/* Writes header + m->data and the checksum; returns the message length. */
int sk_icmp_emit(uint8_t *p, size_t cap, const struct sk_icmp *m);

/* The offending datagram quoted by an error message: its IP header and the first 8 bytes
 * of its payload (ports for TCP/UDP, plus the TCP sequence number). */
struct sk_icmp_quote {
	struct sk_ipv4 ip;
	uint16_t sport, dport; /* valid when l4_len >= 4 */
	uint32_t tcp_seq;      /* valid for TCP when l4_len >= 8 */
	size_t l4_len;         /* bytes of the quoted L4 header present */
};
/* Parses the quote in an UNREACH/TIMXCEED message (checksum of the quoted header is not
 * verified: routers may have changed it). Returns 0 or -sk_wire_err. */
int sk_icmp_parse_quote(const struct sk_icmp *m, struct sk_icmp_quote *q);
static inline int sk_icmp_is_error(uint8_t type) { return type == SK_ICMP_UNREACH || type == SK_ICMP_TIMXCEED; }

#endif
