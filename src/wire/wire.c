/* Reason strings for wire-layer parse and emit errors. */
#include "wire/wire.h"

static const char *const reasons[SK_WIRE_ERR_COUNT] = {
	[SK_WIRE_OK] = "ok",
	[SK_WIRE_TRUNCATED] = "truncated",
	[SK_WIRE_BAD_VERSION] = "bad IP version",
	[SK_WIRE_BAD_HDRLEN] = "bad header length",
	[SK_WIRE_BAD_TOTLEN] = "bad total length",
	[SK_WIRE_BAD_CHECKSUM] = "bad checksum",
	[SK_WIRE_BAD_OPTION] = "malformed option",
	[SK_WIRE_UNSUPPORTED] = "unsupported",
	[SK_WIRE_NOSPACE] = "no space",
	[SK_WIRE_INVALID] = "invalid field value",
};

const char *sk_wire_strerror(int err)
{
	if (err < 0)
		err = -err;
	return err < SK_WIRE_ERR_COUNT ? reasons[err] : "unknown error";
}
