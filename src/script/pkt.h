/* Packets of the script runner: building an inbound packet from a script line, reading a
 * live outbound packet back into the script's notation, and printing both. IPv4 and IPv6:
 * the addresses of a flow say which. */
#ifndef SK_SCRIPT_PKT_H
#define SK_SCRIPT_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "script/script.h"

/* An address on the wire: IPv4 (v6 = 0, in b[0..3]) or IPv6 (v6 = 1, all 16 bytes), network
 * byte order. All zeros is "no address" (unset). */
struct sk_paddr {
	uint8_t v6;
	uint8_t b[16];
};

/* The IPv4 address a (host order) as a struct sk_paddr. */
struct sk_paddr sk_paddr4(uint32_t a);
/* Text -> address of the family v6 asks for: 0, or -1 if it is not one. */
int sk_paddr_parse(const char *text, int v6, struct sk_paddr *out);
int sk_paddr_eq(const struct sk_paddr *a, const struct sk_paddr *b);
int sk_paddr_unset(const struct sk_paddr *a);
/* Prints "192.0.2.1" or "2001:db8::1" into buf (at least 46 bytes); returns buf. */
char *sk_paddr_format(const struct sk_paddr *a, char *buf, size_t len);

/* Addresses and ports (host order) of a packet, as it travels. Both addresses are of one
 * family, which is the packet's. */
struct sk_flow {
	struct sk_paddr src, dst;
	uint16_t sport, dport;
};

/* A live packet read back: the script fields (struct sk_sp with dir '>', numbers exactly as
 * on the wire) and what else the comparison needs. */
struct sk_live {
	struct sk_sp p;
	struct sk_flow f;
	int v6;          /* an IPv6 packet (f holds IPv6 addresses) */
	uint8_t proto;   /* IP protocol number (IPv6: the upper-layer header's) */
	uint8_t ttl, tos; /* IPv6: hop limit, traffic class */
	uint32_t flow;   /* IPv6 flow label (not compared, as in packetdrill) */
	int icmp_type, icmp_code; /* numbers, for ICMP and ICMPv6 */
	uint32_t icmp_mtu;        /* frag-needed's next-hop MTU, Packet Too Big's MTU */
	int has_ts;      /* p.opt holds a TS option */
};

/* Parses an outbound IPv4 or IPv6 packet (TCP, UDP, ICMP or ICMPv6). 0, or -1 if it is none
 * of those (or a fragment). */
int sk_live_parse(const uint8_t *pkt, size_t len, struct sk_live *out);

/* Builds an inbound packet for script packet p with its numbers already in live space (the
 * caller mapped seq, ack, SACK blocks, TS ecr), from flow f: IPv6 when f's addresses are.
 * ICMP quotes the segment or datagram q_seq/q_flow describes (the quoted packet went from
 * q_flow.src to q_flow.dst); over IPv6 it is ICMPv6 and its names are ICMPv6's. Returns the
 * length, or -1 with a reason (an ICMP type or code name it does not know). */
int sk_pkt_build(const struct sk_sp *p, const struct sk_flow *f, const struct sk_flow *q_flow, uint32_t q_seq,
		 uint8_t *buf, size_t cap, char *why, size_t whylen);

/* ICMP names as packetdrill writes them, for ICMP (v6 = 0) or ICMPv6 (v6 = 1: "unreachable
 * port_unreachable" is type 1 code 4, "packet_too_big" type 2): 0, or -1 if unknown. code
 * may be NULL (code 0). Numbers, and type_N / code_N, work too. */
int sk_icmp_names(const char *type, const char *code, int v6, int *t, int *c);

/* Prints a packet in the script's notation ("> P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val
 * 5 ecr 7>") into buf; returns buf. */
char *sk_sp_format(const struct sk_sp *p, char *buf, size_t len);

#endif
