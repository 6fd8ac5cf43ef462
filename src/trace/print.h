/* The tcpdump-format packet printer: one packet in, the exact text `tcpdump -n -S [-v] [-X]`
 * prints for it out. synack-dump, the live trace and synack-sim all print through this. */
#ifndef SK_PRINT_H
#define SK_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SK_PRINT_VERBOSE 0x1u /* tcpdump -v */
#define SK_PRINT_HEX 0x2u     /* tcpdump -X (hex + ASCII of the packet above the link layer) */

enum sk_ts_style {
	SK_TS_LOCAL = 0, /* HH:MM:SS.uuuuuu in local time, as tcpdump's default */
	SK_TS_UTC,       /* the same in UTC: virtual time 0 prints 00:00:00.000000 */
	SK_TS_NONE,      /* no timestamp (tcpdump -t) */
};

struct sk_pkt_meta {
	int64_t sec;
	uint32_t usec;
	uint32_t caplen; /* bytes present */
	uint32_t len;    /* bytes on the wire */
	int linktype;    /* SK_LINK_ETHERNET or SK_LINK_RAW */
};

/* Prints one packet (all its lines, each ending in '\n'), as tcpdump 4.99 does for DLT_EN10MB
 * and raw IPv4 (SK_LINK_RAW, also DLT_RAW 12/14 and LINKTYPE_IPV4 228). Decoded: Ethernet
 * (VLAN tags skipped, as tcpdump does without -e), ARP/RARP, IPv4 with options, ICMP, UDP,
 * TCP with all its options. Not decoded, unlike tcpdump: payloads above TCP/UDP (the line
 * ends at "length N"), IPv6, 802.3/LLC and other EtherTypes (printed as tcpdump prints an
 * unknown EtherType), and IP protocols such as GRE or SCTP (printed as ip-proto-N). Reads
 * no byte beyond m->caplen and keeps no state between calls. */
void sk_print_packet(FILE *out, const struct sk_pkt_meta *m, const uint8_t *data, unsigned flags,
		     enum sk_ts_style ts);

#endif
