/* Whole-frame decoding (link, IPv4, L4) into one summary, for fault rules, stats and tests. */
#ifndef SK_DECODE_H
#define SK_DECODE_H

#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* Link types, numerically equal to pcap's DLT/LINKTYPE values. */
enum { SK_LINK_ETHERNET = 1, SK_LINK_RAW = 101 };
#define SK_LINK_RAW_DLT 12 /* DLT_RAW as some pcap readers report it */

enum sk_l4 { SK_L4_NONE = 0, SK_L4_TCP, SK_L4_UDP, SK_L4_ICMP, SK_L4_ARP };

struct sk_decoded {
	int linktype;
	int has_eth;
	struct sk_eth eth;
	enum sk_l4 l4;        /* what was decoded; SK_L4_NONE if not IPv4/ARP or malformed */
	int err;              /* 0 or the first -sk_wire_err met while decoding */
	int has_ip;
	struct sk_ipv4 ip;
	const uint8_t *l4_start; size_t l4_len;
	struct sk_arp arp;
	struct sk_tcp tcp;
	struct sk_udp udp;
	struct sk_icmp icmp;
};

/* Decodes a frame. Checksums are verified when verify != 0 (a mismatch sets err but the
 * headers are still filled in). Non-first fragments carry no L4 header. Returns 0 if
 * everything present decoded, else the first -sk_wire_err. */
int sk_decode(const uint8_t *frame, size_t len, int linktype, int verify, struct sk_decoded *d);

#endif
