/* Whole-frame decoding (link, IPv4 or IPv6, L4) into one summary, for fault rules, stats and tests. */
#ifndef SK_DECODE_H
#define SK_DECODE_H

#include <synack/synack.h>

#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/icmp6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"

/* Link types, numerically equal to pcap's DLT/LINKTYPE values. SK_LINK_RAW carries IPv4
 * and IPv6 alike, told apart by the version field. */
enum { SK_LINK_ETHERNET = 1, SK_LINK_RAW = 101 };
#define SK_LINK_RAW_DLT 12 /* DLT_RAW as some pcap readers report it */

enum sk_l4 { SK_L4_NONE = 0, SK_L4_TCP, SK_L4_UDP, SK_L4_ICMP, SK_L4_ARP, SK_L4_ICMP6 };

struct sk_decoded {
	int linktype;
	int has_eth;
	struct sk_eth eth;
	enum sk_l4 l4;        /* what was decoded; SK_L4_NONE if not IP/ARP or malformed */
	int err;              /* 0 or the first -sk_wire_err (or -sk_wire6_err) met */
	int has_ip;           /* an IPv4 header: ip */
	struct sk_ipv4 ip;
	int has_ip6;          /* an IPv6 header: ip6 */
	struct sk_ipv6 ip6;
	/* Either family (has_ip or has_ip6): */
	uint8_t proto;        /* the upper-layer protocol (IPv6: after the extension headers,
			       * that of the fragmentable part in a fragment) */
	int later_fragment;   /* a fragment after the first: no upper-layer header */
	uint32_t ip_len;      /* the packet's length as its header says: IPv4's total length,
			       * IPv6's 40 + payload length */
	uint32_t ip_hlen;     /* bytes before the upper-layer header: IPv4's header, IPv6's
			       * fixed header and extension headers */
	/* The bytes after ip_hlen up to ip_len: the upper layer, or for a fragment after the
	 * first the fragment's data. */
	const uint8_t *l4_start; size_t l4_len;
	struct sk_arp arp;
	struct sk_tcp tcp;
	struct sk_udp udp;
	struct sk_icmp icmp;
	struct sk_icmp6 icmp6;
};

/* Decodes a frame. Checksums are verified when verify != 0 (a mismatch sets err but the
 * headers are still filled in); over IPv6 the pseudo-header is RFC 8200 8.1's, and a UDP
 * checksum of 0 is a mismatch. Fragments other than the first carry no L4 header, and no
 * fragment's L4 checksum is verified (it covers the whole datagram). Returns 0 if
 * everything present decoded, else the first -sk_wire_err (or -sk_wire6_err). */
int sk_decode(const uint8_t *frame, size_t len, int linktype, int verify, struct sk_decoded *d);

/* The source and destination of a decoded IP packet of either family, in the public form
 * (SYNACK_AF_INET or SYNACK_AF_INET6); the unspecified address (family 0) without an IP
 * header. */
struct synack_ip sk_decoded_src(const struct sk_decoded *d);
struct synack_ip sk_decoded_dst(const struct sk_decoded *d);

#endif
