/* pcap capture: the writer (classic pcap and pcapng, both written here: the library needs
 * no libpcap) and the recording device wrapper. */
#include "link/pcapdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/decode.h"

#define SNAPLEN 262144u

/* Classic pcap, libpcap's savefile format (draft-ietf-opsawg-pcap): a 24-byte file header
 * (magic a1b2c3d4 = microsecond timestamps, version 2.4, zone and sigfigs 0, snaplen, link
 * type) and a 16-byte header per record (seconds, microseconds, captured and original
 * length), all in the host's byte order, as libpcap writes it; readers tell the order by the
 * magic. */
#define PCAP_MAGIC	 0xa1b2c3d4u
#define PCAP_HDR	 24u
#define PCAP_REC_HDR	 16u

/* pcapng (draft-ietf-opsawg-pcapng): block types, option codes and the sizes used here. */
#define NG_SHB		 0x0a0d0d0au
#define NG_IDB		 1u
#define NG_EPB		 6u
#define NG_MAGIC	 0x1a2b3c4du
#define NG_OPT_END	 0u
#define NG_OPT_COMMENT	 1u
#define NG_IF_TSRESOL	 9u
#define NG_EPB_HDR	 28u	    /* type, length, interface, 2 x timestamp, 2 x length */
#define NG_COMMENT_MAX	 65535u	    /* an option's length is 16 bits */
#define NG_COMMENTS_MAX	 (1u << 20) /* options of one record, at most */

struct sk_pcap_writer {
	enum sk_pcap_format format;
	FILE *f;	    /* written here */
	int is_stdout;	    /* classic to "-": standard output, flushed but not closed */
	int err;	    /* first write error, kept for close */
};

static void le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, v);
	le16(p + 2, v >> 16);
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static void put(struct sk_pcap_writer *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n && !w->err)
		w->err = errno ? -errno : -EIO;
}

static void ng_pad(struct sk_pcap_writer *w, size_t n)
{
	static const uint8_t zero[4];
	put(w, zero, pad4(n));
}

/* Host byte order, as libpcap writes classic files. */
static void he16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void he32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* A classic file's header. */
static void pcap_header(struct sk_pcap_writer *w, uint32_t linktype)
{
	uint8_t h[PCAP_HDR];
	he32(h, PCAP_MAGIC);
	he16(h + 4, 2); /* version 2.4 */
	he16(h + 6, 4);
	he32(h + 8, 0);	 /* thiszone: timestamps are UTC */
	he32(h + 12, 0); /* sigfigs */
	he32(h + 16, SNAPLEN);
	he32(h + 20, linktype);
	put(w, h, sizeof(h));
}

/* The file's first blocks: the section header and the one interface. */
static void ng_header(struct sk_pcap_writer *w, uint32_t linktype)
{
	uint8_t shb[28], idb[32];
	le32(shb, NG_SHB);
	le32(shb + 4, sizeof(shb));
	le32(shb + 8, NG_MAGIC);
	le16(shb + 12, 1); /* version 1.0 */
	le16(shb + 14, 0);
	memset(shb + 16, 0xff, 8); /* section length -1: not given */
	le32(shb + 24, sizeof(shb));
	put(w, shb, sizeof(shb));

	memset(idb, 0, sizeof(idb));
	le32(idb, NG_IDB);
	le32(idb + 4, sizeof(idb));
	le16(idb + 8, linktype); /* and 16 reserved bits, zero */
	le32(idb + 12, SNAPLEN);
	le16(idb + 16, NG_IF_TSRESOL);
	le16(idb + 18, 1);
	idb[20] = 6; /* 10^-6 s, then 3 bytes of padding; opt_endofopt at 24 is all zero */
	le32(idb + 28, sizeof(idb));
	put(w, idb, sizeof(idb));
}

struct sk_pcap_writer *sk_pcap_writer_open_format(const char *path, int linktype,
						  enum sk_pcap_format format, int *err)
{
	int e;
	uint32_t ltype; /* LINKTYPE_ in the file */
	if (linktype == SK_LINK_ETHERNET) {
		ltype = 1; /* LINKTYPE_ETHERNET */
	} else if (linktype == SK_LINK_RAW || linktype == SK_LINK_RAW_DLT) {
		ltype = 101; /* LINKTYPE_RAW, which libpcap reads back as DLT_RAW */
	} else {
		e = -EINVAL;
		goto fail;
	}
	if (format != SK_PCAP_CLASSIC && format != SK_PCAP_PCAPNG) {
		e = -EINVAL;
		goto fail;
	}
	struct sk_pcap_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		e = -ENOMEM;
		goto fail;
	}
	w->format = format;
	if (format == SK_PCAP_CLASSIC && strcmp(path, "-") == 0) {
		/* As libpcap's pcap_dump_open: "-" is standard output. */
		w->f = stdout;
		w->is_stdout = 1;
	} else {
		errno = 0;
		w->f = fopen(path, "wb");
		if (!w->f) {
			e = errno ? -errno : -EIO;
			free(w);
			goto fail;
		}
	}
	if (format == SK_PCAP_PCAPNG)
		ng_header(w, ltype);
	else
		pcap_header(w, ltype);
	return w;
fail:
	if (err)
		*err = e;
	return NULL;
}

struct sk_pcap_writer *sk_pcap_writer_open(const char *path, int linktype, int *err)
{
	return sk_pcap_writer_open_format(path, linktype, SK_PCAP_CLASSIC, err);
}

enum sk_pcap_format sk_pcap_writer_format(const struct sk_pcap_writer *w)
{
	return w->format;
}

/* How much of a comment is written: all of it, or its first 65535 bytes cut back to the
 * start of a UTF-8 character. */
static size_t comment_len(const char *c)
{
	size_t n = strnlen(c, NG_COMMENT_MAX + 1);
	if (n <= NG_COMMENT_MAX)
		return n;
	n = NG_COMMENT_MAX;
	while (n > 0 && ((uint8_t)c[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static void ng_record(struct sk_pcap_writer *w, uint64_t ts_us, const uint8_t *frame, size_t len,
		      const char *const *comments, size_t n)
{
	size_t caplen = len > SNAPLEN ? SNAPLEN : len;
	/* The options first counted, then written: the block's length leads it. */
	size_t opts = 0, used = 0;
	for (size_t i = 0; i < n; i++) {
		if (!comments[i] || !comments[i][0])
			continue;
		size_t c = comment_len(comments[i]);
		if (opts + 4 + c + pad4(c) > NG_COMMENTS_MAX)
			break;
		opts += 4 + c + pad4(c);
		used = i + 1;
	}
	if (opts)
		opts += 4; /* opt_endofopt */
	uint32_t total = (uint32_t)(NG_EPB_HDR + caplen + pad4(caplen) + opts + 4);
	uint8_t h[NG_EPB_HDR];
	le32(h, NG_EPB);
	le32(h + 4, total);
	le32(h + 8, 0); /* the one interface */
	le32(h + 12, (uint32_t)(ts_us >> 32));
	le32(h + 16, (uint32_t)ts_us);
	le32(h + 20, (uint32_t)caplen);
	le32(h + 24, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	put(w, h, sizeof(h));
	put(w, frame, caplen);
	ng_pad(w, caplen);
	for (size_t i = 0; i < used; i++) {
		if (!comments[i] || !comments[i][0])
			continue;
		size_t c = comment_len(comments[i]);
		uint8_t oh[4];
		le16(oh, NG_OPT_COMMENT);
		le16(oh + 2, (uint32_t)c);
		put(w, oh, sizeof(oh));
		put(w, comments[i], c);
		ng_pad(w, c);
	}
	if (opts) {
		uint8_t end[4] = {0}; /* opt_endofopt: code 0, length 0 */
		put(w, end, sizeof(end));
	}
	uint8_t t[4];
	le32(t, total);
	put(w, t, sizeof(t));
}

int sk_pcap_writer_write_comments(struct sk_pcap_writer *w, uint64_t ts_us,
				  const uint8_t *frame, size_t len,
				  const char *const *comments, size_t n)
{
	if (w->format == SK_PCAP_PCAPNG) {
		ng_record(w, ts_us, frame, len, comments, n);
		return w->err;
	}
	/* A classic file has no comments: the record is the frame alone. */
	size_t caplen = len > SNAPLEN ? SNAPLEN : len;
	uint8_t h[PCAP_REC_HDR];
	he32(h, (uint32_t)(ts_us / 1000000u)); /* 32-bit seconds, as the format has them */
	he32(h + 4, (uint32_t)(ts_us % 1000000u));
	he32(h + 8, (uint32_t)caplen);
	he32(h + 12, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	put(w, h, sizeof(h));
	put(w, frame, caplen);
	return w->err;
}

int sk_pcap_writer_write(struct sk_pcap_writer *w, uint64_t ts_us, const uint8_t *frame, size_t len)
{
	return sk_pcap_writer_write_comments(w, ts_us, frame, len, NULL, 0);
}

int sk_pcap_writer_write_comment(struct sk_pcap_writer *w, uint64_t ts_us,
				 const uint8_t *frame, size_t len, const char *comment)
{
	return sk_pcap_writer_write_comments(w, ts_us, frame, len, &comment, comment ? 1 : 0);
}

int sk_pcap_writer_flush(struct sk_pcap_writer *w)
{
	if (fflush(w->f) != 0 && !w->err)
		w->err = errno ? -errno : -EIO;
	return w->err;
}

int sk_pcap_writer_close(struct sk_pcap_writer *w)
{
	if (!w)
		return 0;
	int e = sk_pcap_writer_flush(w);
	if (!w->is_stdout && fclose(w->f) != 0 && !e)
		e = errno ? -errno : -EIO;
	free(w);
	return e;
}

struct pcapdev {
	struct sk_dev dev; /* first: the ops get a pointer to it */
	struct sk_dev *inner;
	struct sk_pcap_writer *w;
	uint64_t time_base_us;
};

static struct pcapdev *to_pcapdev(struct sk_dev *d)
{
	return (struct pcapdev *)d;
}

static int pcapdev_send(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now)
{
	struct pcapdev *p = to_pcapdev(d);
	int r = sk_dev_send(p->inner, frame, len, now);
	if (r == 0)
		sk_pcap_writer_write(p->w, p->time_base_us + now, frame, len);
	return r;
}

static int pcapdev_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	struct pcapdev *p = to_pcapdev(d);
	int n = sk_dev_recv(p->inner, buf, cap, now);
	if (n > 0)
		sk_pcap_writer_write(p->w, p->time_base_us + now, buf, (size_t)n);
	return n;
}

static uint64_t pcapdev_next_ready(struct sk_dev *d)
{
	return sk_dev_next_ready(to_pcapdev(d)->inner);
}

static int pcapdev_fd(struct sk_dev *d)
{
	return sk_dev_fd(to_pcapdev(d)->inner);
}

static void pcapdev_close(struct sk_dev *d)
{
	struct pcapdev *p = to_pcapdev(d);
	sk_pcap_writer_close(p->w);
	sk_dev_close(p->inner);
	free(p);
}

static const struct sk_dev_ops pcapdev_ops = {
	.send = pcapdev_send,
	.recv = pcapdev_recv,
	.next_ready = pcapdev_next_ready,
	.fd = pcapdev_fd,
	.close = pcapdev_close,
};

struct sk_dev *sk_dev_pcap_wrap(struct sk_dev *inner, const char *path, uint64_t time_base_us,
				int *err)
{
	struct pcapdev *p = calloc(1, sizeof(*p));
	if (!p) {
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	p->w = sk_pcap_writer_open(path, inner->linktype, err);
	if (!p->w) {
		free(p);
		return NULL;
	}
	p->dev = *inner;
	p->dev.ops = &pcapdev_ops;
	p->inner = inner;
	p->time_base_us = time_base_us;
	return &p->dev;
}
