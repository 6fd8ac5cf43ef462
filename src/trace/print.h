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

/* The link types printed besides SK_LINK_ETHERNET and SK_LINK_RAW (wire/decode.h): pcap's
 * LINKTYPE/DLT values. */
enum {
	SK_LINK_NULL = 0,	  /* BSD loopback: a 4-byte AF value in the writer's byte order */
	SK_LINK_RAW_OPENBSD = 14, /* DLT_RAW as OpenBSD numbers it */
	SK_LINK_LOOP = 108,	  /* OpenBSD loopback: the AF value in network byte order */
	SK_LINK_SLL = 113,	  /* Linux cooked capture v1 (tcpdump -i any, older libpcap) */
	SK_LINK_IPV4 = 228,	  /* raw IPv4 */
	SK_LINK_IPV6 = 229,	  /* raw IPv6 */
	SK_LINK_SLL2 = 276,	  /* Linux cooked capture v2 (tcpdump -i any) */
};

struct sk_pkt_meta {
	int64_t sec;
	uint32_t usec;
	uint32_t caplen; /* bytes present */
	uint32_t len;    /* bytes on the wire */
	int linktype;	 /* SK_LINK_ETHERNET, SK_LINK_RAW (also 12), or one of the above */
};

/* Prints one packet (all its lines, each ending in '\n'), as tcpdump 4.99.3 does. Link types:
 * Ethernet (VLAN tags skipped, as tcpdump does without -e), raw IP (101, 12, 14, 228, 229),
 * BSD loopback (NULL, LOOP) and Linux cooked captures (SLL, SLL2; SLL2 names the interface
 * from its index with if_indextoname() as tcpdump does, so on the machine that prints).
 * Decoded: ARP/RARP; IPv4 with options; IPv6 with its hop-by-hop, destination options,
 * routing (types 0, 2, 4) and fragment headers; IPv4 and IPv6 in each other; ICMP; ICMPv6:
 * errors, echo, MLD and MLDv2, neighbour discovery with its options, home agent and mobile
 * prefix messages; UDP; TCP with all its options. Not decoded, unlike tcpdump: payloads
 * above TCP/UDP (the line ends at "length N"); 802.3/LLC and EtherTypes other than IPv4,
 * IPv6, ARP and RARP (printed as tcpdump prints an unknown EtherType); IP protocols such as
 * GRE, SCTP, ESP or the IPv6 mobility header (printed as ip-proto-N); ICMPv6 node
 * information, router renumbering and RPL messages (only their name and length). Reads no
 * byte beyond m->caplen and keeps no state between calls. */
void sk_print_packet(FILE *out, const struct sk_pkt_meta *m, const uint8_t *data, unsigned flags,
		     enum sk_ts_style ts);

#endif
