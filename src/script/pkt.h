/* Packets of the script runner: building an inbound packet from a script line, reading a
 * live outbound packet back into the script's notation, and printing both. */
#ifndef SK_SCRIPT_PKT_H
#define SK_SCRIPT_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "script/script.h"

/* Addresses (host order) and ports of a packet, as it travels. */
struct sk_flow {
	uint32_t src, dst;
	uint16_t sport, dport;
};

/* A live packet read back: the script fields (struct sk_sp with dir '>', numbers exactly as
 * on the wire) and what else the comparison needs. */
struct sk_live {
	struct sk_sp p;
	struct sk_flow f;
	uint8_t proto;   /* IP protocol number */
	uint8_t ttl, tos;
	int icmp_type, icmp_code; /* numbers, for ICMP */
	uint32_t icmp_mtu;
	int has_ts;      /* p.opt holds a TS option */
};

/* Parses an outbound IPv4 packet (TCP, UDP or ICMP). 0, or -1 if it is none of those. */
int sk_live_parse(const uint8_t *pkt, size_t len, struct sk_live *out);

/* Builds an inbound packet for script packet p with its numbers already in live space (the
 * caller mapped seq, ack, SACK blocks, TS ecr), from flow f. ICMP quotes the segment or
 * datagram q_seq/q_flow describes (the quoted packet went from q_flow.src to q_flow.dst).
 * Returns the length, or -1 with a reason (an ICMP type or code name it does not know). */
int sk_pkt_build(const struct sk_sp *p, const struct sk_flow *f, const struct sk_flow *q_flow, uint32_t q_seq,
		 uint8_t *buf, size_t cap, char *why, size_t whylen);

/* ICMP names as packetdrill writes them: 0, or -1 if unknown. code may be NULL (code 0). */
int sk_icmp_names(const char *type, const char *code, int *t, int *c);

/* Prints a packet in the script's notation ("> P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val
 * 5 ecr 7>") into buf; returns buf. */
char *sk_sp_format(const struct sk_sp *p, char *buf, size_t len);

#endif
