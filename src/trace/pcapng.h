/* pcapng reading: a bounds-checked walker over a file's blocks that numbers the packets as
 * libpcap returns them and hands out their comments. */
#ifndef SK_PCAPNG_H
#define SK_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The format is draft-ietf-opsawg-pcapng: a file is a sequence of blocks (type, total
 * length, body, the total length again, all 32-bit aligned), grouped in sections that each
 * start with a Section Header Block (SHB) whose byte-order magic gives the byte order of
 * every number in the section. Interface Description Blocks (IDB) number the interfaces of
 * their section from 0; packets come in Enhanced Packet Blocks (EPB), Simple Packet Blocks
 * (SPB, interface 0, no options) and the obsolete Packet Blocks (PB). The walker counts
 * those three in file order over every section, as libpcap hands packets out, so packet N
 * here is the N-th (from 0) pcap_next_ex returns. Other block types are skipped.
 *
 * A block is malformed when its length is under 12, not a multiple of 4, not repeated at its
 * end, or over SK_PCAPNG_BLOCK_MAX; when its fixed fields do not fit in it; when a packet
 * names an interface its section has not described (an SPB needs interface 0); when an
 * option of an SHB, IDB, EPB or PB runs past the block; when an SHB's byte-order magic or
 * major version (1) is wrong; or when the file does not start with an SHB. The first
 * malformed block ends the walk: that call and every later one return the same -errno.
 */
#define SK_PCAPNG_SHB 0x0a0d0d0au
#define SK_PCAPNG_IDB 1u
#define SK_PCAPNG_PB  2u /* obsolete Packet Block */
#define SK_PCAPNG_SPB 3u
#define SK_PCAPNG_EPB 6u

#define SK_PCAPNG_OPT_END     0u
#define SK_PCAPNG_OPT_COMMENT 1u

#define SK_PCAPNG_HDR_LEN   12u		/* bytes that tell a block's length */
#define SK_PCAPNG_BLOCK_MAX (16u << 20) /* longer blocks are refused (-E2BIG) */

struct sk_pcapng_walk {
	int in_section;	  /* an SHB has been read */
	int big_endian;	  /* the current section's byte order */
	uint32_t nifaces; /* IDBs read in the current section */
	uint64_t packets; /* packet blocks read so far, in every section */
	uint64_t offset;  /* of the next block in the file */
	int err;	  /* 0, or the -errno that ended the walk */
};

struct sk_pcapng_block {
	uint32_t type;
	uint32_t len;	 /* Block Total Length */
	uint64_t offset; /* in the file */
	int big_endian;
	int is_packet;	 /* EPB, SPB or PB */
	uint64_t packet; /* is_packet: its number, from 0 */
	uint32_t iface;	 /* EPB, PB: the interface; SPB: 0 */
	/* The block's option list (SHB, IDB, EPB, PB; empty for other types), inside the block
	 * the caller passed: up to its end or its opt_endofopt, every option within bounds. */
	const uint8_t *opts;
	size_t opts_len;
};

void sk_pcapng_walk_init(struct sk_pcapng_walk *w);

/* The total length of the block whose first bytes are hdr (have of them; an SHB's own
 * byte-order magic sets the order it is read in), or -errno: -EINVAL if fewer than 12
 * bytes or a malformed length, -E2BIG over SK_PCAPNG_BLOCK_MAX. Does not change the walk. */
int64_t sk_pcapng_block_len(const struct sk_pcapng_walk *w, const uint8_t *hdr, size_t have);

/* Reads the whole block blk[0..len) (len as sk_pcapng_block_len gave it) into *b and moves
 * the walk past it. Returns 0, or -errno and the walk is over (see above). b->opts points
 * into blk. */
int sk_pcapng_parse(struct sk_pcapng_walk *w, const uint8_t *blk, size_t len,
		    struct sk_pcapng_block *b);

/* A whole file in memory: the block at w->offset. Returns 1 with *b, 0 at the end of the
 * data (exactly after a block), or -errno (a block cut short by the end: -EINVAL). */
int sk_pcapng_next(struct sk_pcapng_walk *w, const uint8_t *data, size_t len,
		   struct sk_pcapng_block *b);

/* A file being read: the next block from f into *buf (grown with realloc as needed, at
 * most the block's length; the caller frees it), read as far as the file holds it.
 * Returns 1 with *b (pointing into *buf), 0 at the end of the file (exactly after a block),
 * or -errno: -EIO for a read error, -ENOMEM, or the walk's error. */
int sk_pcapng_read(struct sk_pcapng_walk *w, FILE *f, uint8_t **buf, size_t *cap,
		   struct sk_pcapng_block *b);

/* The block's comments (opt_comment), one per call from *pos = 0: returns 1 with the text
 * in *s and its length in *n (up to a NUL, which the format makes a terminator; not
 * NUL-terminated itself), 0 when there are no more. */
int sk_pcapng_next_comment(const struct sk_pcapng_block *b, size_t *pos, const char **s, size_t *n);

#endif
