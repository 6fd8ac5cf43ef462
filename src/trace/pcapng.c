/* pcapng reading: the block walker (lengths, sections, interfaces, packet numbers) and the
 * comments of a block, every field checked against the block's bounds. */
#include "trace/pcapng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC	  0x1a2b3c4du
#define SHB_FIXED 24u /* type, length, magic, version, section length */
#define IDB_FIXED 16u /* type, length, link type, reserved, snaplen */
#define PKT_FIXED 28u /* EPB, PB: type, length, interface, timestamp, two lengths */
#define SPB_FIXED 12u /* type, length, original length */
#define READ_STEP (1u << 20)

static uint32_t get32(const uint8_t *p, int be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t get16(const uint8_t *p, int be)
{
	return (uint16_t)(be ? p[0] << 8 | p[1] : p[1] << 8 | p[0]);
}

static uint64_t pad4(uint64_t n)
{
	return (4 - (n & 3)) & 3;
}

void sk_pcapng_walk_init(struct sk_pcapng_walk *w)
{
	memset(w, 0, sizeof(*w));
}

/* The byte order of a block: an SHB's from its magic (-EINVAL if it is neither), any other
 * block's from its section. */
static int block_order(const struct sk_pcapng_walk *w, const uint8_t *hdr)
{
	if (get32(hdr, 0) != SK_PCAPNG_SHB)
		return w->big_endian;
	if (get32(hdr + 8, 0) == MAGIC)
		return 0;
	if (get32(hdr + 8, 1) == MAGIC)
		return 1;
	return -EINVAL;
}

int64_t sk_pcapng_block_len(const struct sk_pcapng_walk *w, const uint8_t *hdr, size_t have)
{
	if (w->err)
		return w->err;
	if (have < SK_PCAPNG_HDR_LEN)
		return -EINVAL;
	int shb = get32(hdr, 0) == SK_PCAPNG_SHB;
	if (!shb && !w->in_section)
		return -EINVAL; /* a file starts with a section header */
	int be = block_order(w, hdr);
	if (be < 0)
		return be;
	uint32_t len = get32(hdr + 4, be);
	if (len < SK_PCAPNG_HDR_LEN || len % 4 || (shb && len < SHB_FIXED + 4))
		return -EINVAL;
	if (len > SK_PCAPNG_BLOCK_MAX)
		return -E2BIG;
	return len;
}

/* Checks an option list: every option within n bytes, up to the end or opt_endofopt.
 * Returns the length of the list before opt_endofopt, or -EINVAL. */
static int64_t check_opts(const uint8_t *p, size_t n, int be)
{
	size_t pos = 0;
	while (n - pos >= 4) {
		uint16_t code = get16(p + pos, be), olen = get16(p + pos + 2, be);
		if (code == SK_PCAPNG_OPT_END)
			break;
		uint64_t need = 4 + (uint64_t)olen + pad4(olen);
		if (need > n - pos)
			return -EINVAL;
		pos += (size_t)need;
	}
	/* blocks and options are whole words, so nothing is left over but a word or more */
	return (int64_t)pos;
}

static int fail(struct sk_pcapng_walk *w, int err)
{
	w->err = err;
	return err;
}

int sk_pcapng_parse(struct sk_pcapng_walk *w, const uint8_t *blk, size_t len,
		    struct sk_pcapng_block *b)
{
	int64_t l = sk_pcapng_block_len(w, blk, len);
	if (l < 0)
		return fail(w, (int)l);
	if ((uint64_t)l != len)
		return fail(w, -EINVAL);
	int be = block_order(w, blk);
	if (get32(blk + len - 4, be) != len)
		return fail(w, -EINVAL); /* the trailing length differs */
	memset(b, 0, sizeof(*b));
	b->type = get32(blk, be);
	b->len = (uint32_t)len;
	b->offset = w->offset;
	b->big_endian = be;

	size_t fixed = 0; /* where the options start; 0: none to read */
	switch (b->type) {
	case SK_PCAPNG_SHB:
		if (get16(blk + 12, be) != 1)
			return fail(w, -EINVAL); /* a major version this reader does not know */
		fixed = SHB_FIXED;
		break;
	case SK_PCAPNG_IDB:
		if (len < IDB_FIXED + 4)
			return fail(w, -EINVAL);
		fixed = IDB_FIXED;
		break;
	case SK_PCAPNG_EPB:
	case SK_PCAPNG_PB: {
		if (len < PKT_FIXED + 4)
			return fail(w, -EINVAL);
		b->iface = b->type == SK_PCAPNG_EPB ? get32(blk + 8, be) : get16(blk + 8, be);
		uint64_t caplen = get32(blk + 20, be);
		uint64_t data_end = PKT_FIXED + caplen + pad4(caplen);
		if (data_end + 4 > len)
			return fail(w, -EINVAL);
		if (b->iface >= w->nifaces)
			return fail(w, -EINVAL);
		b->is_packet = 1;
		fixed = (size_t)data_end;
		break;
	}
	case SK_PCAPNG_SPB:
		if (len < SPB_FIXED + 4 || w->nifaces == 0)
			return fail(w, -EINVAL);
		b->is_packet = 1;
		break;
	default:
		break; /* skipped: its options (if any) are not looked at */
	}
	if (fixed) {
		int64_t n = check_opts(blk + fixed, len - 4 - fixed, be);
		if (n < 0)
			return fail(w, (int)n);
		b->opts = blk + fixed;
		b->opts_len = (size_t)n;
	}
	if (b->type == SK_PCAPNG_SHB) {
		w->in_section = 1;
		w->big_endian = be;
		w->nifaces = 0;
	} else if (b->type == SK_PCAPNG_IDB && w->nifaces < UINT32_MAX) {
		w->nifaces++;
	}
	if (b->is_packet)
		b->packet = w->packets++;
	w->offset += len;
	return 0;
}

int sk_pcapng_next(struct sk_pcapng_walk *w, const uint8_t *data, size_t len,
		   struct sk_pcapng_block *b)
{
	if (w->err)
		return w->err;
	if (w->offset >= len)
		return w->offset == len ? 0 : fail(w, -EINVAL);
	size_t off = (size_t)w->offset, rem = len - off;
	int64_t l = sk_pcapng_block_len(w, data + off, rem);
	if (l < 0)
		return fail(w, (int)l);
	if ((uint64_t)l > rem)
		return fail(w, -EINVAL); /* cut short by the end of the data */
	int r = sk_pcapng_parse(w, data + off, (size_t)l, b);
	return r < 0 ? r : 1;
}

/* Makes room for need bytes in *buf, growing it by doubling (at most to limit). */
static int reserve(uint8_t **buf, size_t *cap, size_t need, size_t limit)
{
	if (*cap >= need)
		return 0;
	size_t c = *cap ? *cap : 4096;
	while (c < need)
		c *= 2;
	if (c > limit)
		c = limit;
	uint8_t *p = realloc(*buf, c);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = c;
	return 0;
}

int sk_pcapng_read(struct sk_pcapng_walk *w, FILE *f, uint8_t **buf, size_t *cap,
		   struct sk_pcapng_block *b)
{
	if (w->err)
		return w->err;
	uint8_t hdr[SK_PCAPNG_HDR_LEN];
	size_t have = fread(hdr, 1, sizeof(hdr), f);
	if (have < sizeof(hdr)) {
		if (ferror(f))
			return fail(w, -EIO);
		return have == 0 ? 0 : fail(w, -EINVAL);
	}
	int64_t l = sk_pcapng_block_len(w, hdr, have);
	if (l < 0)
		return fail(w, (int)l);
	size_t len = (size_t)l;
	if (reserve(buf, cap, have, len) < 0)
		return fail(w, -ENOMEM);
	memcpy(*buf, hdr, have);
	/* The rest a step at a time, so a length that promises more than the file holds costs
	 * no more memory than the file does. */
	while (have < len) {
		size_t step = len - have < READ_STEP ? len - have : READ_STEP;
		if (reserve(buf, cap, have + step, len) < 0)
			return fail(w, -ENOMEM);
		size_t got = fread(*buf + have, 1, step, f);
		have += got;
		if (got < step)
			return fail(w, ferror(f) ? -EIO : -EINVAL);
	}
	int r = sk_pcapng_parse(w, *buf, len, b);
	return r < 0 ? r : 1;
}

int sk_pcapng_next_comment(const struct sk_pcapng_block *b, size_t *pos, const char **s, size_t *n)
{
	while (*pos < b->opts_len && b->opts_len - *pos >= 4) {
		const uint8_t *o = b->opts + *pos;
		uint16_t code = get16(o, b->big_endian), olen = get16(o + 2, b->big_endian);
		uint64_t need = 4 + (uint64_t)olen + pad4(olen);
		if (code == SK_PCAPNG_OPT_END || need > b->opts_len - *pos)
			break;
		*pos += (size_t)need;
		if (code == SK_PCAPNG_OPT_COMMENT) {
			const char *text = (const char *)o + 4;
			const char *nul = memchr(text, '\0', olen);
			*s = text;
			*n = nul ? (size_t)(nul - text) : olen;
			return 1;
		}
	}
	*pos = b->opts_len;
	return 0;
}
