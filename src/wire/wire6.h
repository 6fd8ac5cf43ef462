/* Why an IPv6, ICMPv6 or NDP parser rejected bytes: the reasons beyond enum sk_wire_err. */
#ifndef SK_WIRE6_H
#define SK_WIRE6_H

#include "wire/wire.h"

/* The IPv6-family parsers return 0 (or a length) on success, or the negative of an
 * sk_wire_err (truncated, bad version, bad checksum, ...) or of one of these. They start
 * well above SK_WIRE_ERR_COUNT so the two sets never overlap. */
#define SK_WIRE6_BASE 64
enum sk_wire6_err {
	/* Extension headers (RFC 8200 4); each names what the receiver then does. The first:
	 * an extension header runs past the payload: drop. */
	SK_WIRE6_EXT_TRUNCATED = SK_WIRE6_BASE,
	SK_WIRE6_HBH_NOT_FIRST,	  /* hop-by-hop options not right after the fixed header: code 1 */
	SK_WIRE6_UNKNOWN_NEXT,	  /* unrecognized next header: parameter problem code 1 */
	SK_WIRE6_OPT_MALFORMED,	  /* an option runs past the end of its header: drop */
	SK_WIRE6_OPT_DISCARD,	  /* unknown option, action 01: drop silently */
	SK_WIRE6_OPT_ICMP,	  /* unknown option, action 10: drop, parameter problem code 2 */
	SK_WIRE6_OPT_ICMP_UCAST,  /* unknown option, action 11: drop, code 2 unless dst multicast */
	SK_WIRE6_RH_UNKNOWN,	  /* routing type we do not process, segments left != 0: code 0 */
	SK_WIRE6_FRAG_BAD_LEN,	  /* M set and fragment length not a multiple of 8: code 0 */
	SK_WIRE6_FRAG_TOO_BIG,	  /* offset + length would pass 65535 bytes: code 0 */
	SK_WIRE6_FRAG_INCOMPLETE, /* first fragment without the whole header chain: code 3 */
	/* Neighbor Discovery validation (RFC 4861 6.1, 7.1, 8.1): silently discard. */
	SK_WIRE6_ND_NOT_ND,	  /* ICMPv6 type is not one of the five NDP messages */
	SK_WIRE6_ND_HOPLIMIT,	  /* IP hop limit is not 255 */
	SK_WIRE6_ND_CODE,	  /* ICMPv6 code is not 0 */
	SK_WIRE6_ND_OPT_LEN0,	  /* an option with length 0 */
	SK_WIRE6_ND_OPT_TRUNC,	  /* an option runs past the end of the message */
	SK_WIRE6_ND_TARGET_MCAST, /* NS/NA target (or redirect destination) is multicast */
	SK_WIRE6_ND_SRC_NOT_LL,	  /* RA or redirect from a source that is not link-local */
	SK_WIRE6_ND_DAD_SLLA,	  /* unspecified source with a source link-layer address option */
	SK_WIRE6_ND_DAD_DST,	  /* NS from the unspecified source not to a solicited-node group */
	SK_WIRE6_ND_NA_SOLICITED, /* NA to a multicast destination with the S flag set */
	SK_WIRE6_ND_REDIR_TARGET, /* redirect target neither link-local nor the destination */
	SK_WIRE6_ND_OPT_SHORT,	  /* an option too short for its type: ignore that option alone */
	SK_WIRE6_ERR_END
};

/* A short fixed reason string for any sk_wire_err or sk_wire6_err (either sign). */
const char *sk_wire6_strerror(int err);

#endif
