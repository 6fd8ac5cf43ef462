/* Reason strings for the IPv6, ICMPv6 and NDP parse errors. */
#include "wire/wire6.h"

_Static_assert((int)SK_WIRE_ERR_COUNT <= (int)SK_WIRE6_BASE, "IPv6 reasons overlap sk_wire_err");

static const char *const reasons[SK_WIRE6_ERR_END - SK_WIRE6_BASE] = {
	[SK_WIRE6_EXT_TRUNCATED - SK_WIRE6_BASE] = "extension header truncated",
	[SK_WIRE6_HBH_NOT_FIRST - SK_WIRE6_BASE] = "hop-by-hop header not first",
	[SK_WIRE6_UNKNOWN_NEXT - SK_WIRE6_BASE] = "unrecognized next header",
	[SK_WIRE6_OPT_MALFORMED - SK_WIRE6_BASE] = "malformed IPv6 option",
	[SK_WIRE6_OPT_DISCARD - SK_WIRE6_BASE] = "unknown IPv6 option (discard)",
	[SK_WIRE6_OPT_ICMP - SK_WIRE6_BASE] = "unknown IPv6 option (discard, ICMP)",
	[SK_WIRE6_OPT_ICMP_UCAST - SK_WIRE6_BASE] =
		"unknown IPv6 option (discard, ICMP if unicast)",
	[SK_WIRE6_RH_UNKNOWN - SK_WIRE6_BASE] = "unsupported routing header",
	[SK_WIRE6_FRAG_BAD_LEN - SK_WIRE6_BASE] = "fragment length not a multiple of 8",
	[SK_WIRE6_FRAG_TOO_BIG - SK_WIRE6_BASE] = "fragment past 65535 bytes",
	[SK_WIRE6_FRAG_INCOMPLETE - SK_WIRE6_BASE] = "first fragment without the header chain",
	[SK_WIRE6_ND_NOT_ND - SK_WIRE6_BASE] = "not a neighbor discovery message",
	[SK_WIRE6_ND_HOPLIMIT - SK_WIRE6_BASE] = "ND hop limit not 255",
	[SK_WIRE6_ND_CODE - SK_WIRE6_BASE] = "ND code not 0",
	[SK_WIRE6_ND_OPT_LEN0 - SK_WIRE6_BASE] = "ND option length 0",
	[SK_WIRE6_ND_OPT_TRUNC - SK_WIRE6_BASE] = "ND option truncated",
	[SK_WIRE6_ND_TARGET_MCAST - SK_WIRE6_BASE] = "ND target multicast",
	[SK_WIRE6_ND_SRC_NOT_LL - SK_WIRE6_BASE] = "ND source not link-local",
	[SK_WIRE6_ND_DAD_SLLA - SK_WIRE6_BASE] = "ND link-layer option from unspecified source",
	[SK_WIRE6_ND_DAD_DST - SK_WIRE6_BASE] = "DAD solicitation not to solicited-node group",
	[SK_WIRE6_ND_NA_SOLICITED - SK_WIRE6_BASE] = "solicited NA to multicast",
	[SK_WIRE6_ND_REDIR_TARGET - SK_WIRE6_BASE] = "bad redirect target",
	[SK_WIRE6_ND_OPT_SHORT - SK_WIRE6_BASE] = "ND option too short",
};

const char *sk_wire6_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err < SK_WIRE6_BASE)
		return sk_wire_strerror(err);
	return err < SK_WIRE6_ERR_END ? reasons[err - SK_WIRE6_BASE] : "unknown error";
}
