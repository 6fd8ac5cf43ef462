/* synack-dump: prints a pcap or pcapng file exactly as `tcpdump -n -S -r FILE [-v] [-X]` does,
 * and each packet's pcapng comments after it on `# ` lines; draws the capture as pictures. */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/grow.h"
#include "trace/pcapng.h"
#include "trace/picture.h"
#include "trace/print.h"
#include "wire/decode.h"

static const char usage[] = "usage: synack-dump -r FILE [-v] [-X] [--svg OUT] [--plot OUT] [--html OUT]\n"
			    "  -r FILE     read packets from FILE (pcap or pcapng)\n"
			    "  -v          verbose: IP header fields, checksums, quoted datagrams\n"
			    "  -X          hex and ASCII dump of each packet above the link layer\n"
			    "  --svg OUT   also draw the capture as a ladder diagram (SVG): a lifeline per\n"
			    "              address, the IP packets between them at their capture times\n"
			    "              (lost where a pcapng comment says \"lost: ...\", as synack-sim's do)\n"
			    "  --plot OUT  also draw the time-sequence graph of the connection that\n"
			    "              carried the most data (SVG)\n"
			    "  --html OUT  the printed lines, the ladder and the plot on one page\n"
			    "A pcapng packet's comments follow it, one '# COMMENT' line each.\n";

/* --svg, --plot, --html: the capture's IP packets (IPv4 and IPv6), kept for drawing. */
struct drawing {
	const char *svg, *plot, *html;
	struct sk_pic_frame *frames;
	size_t n, cap;
	struct synack_ip addrs[SK_PIC_MAX_LIFELINES];
	char names[SK_PIC_MAX_LIFELINES][SYNACK_IP_STRLEN];
	const char *name_of[SK_PIC_MAX_LIFELINES];
	int naddrs;
	FILE *text; /* --html: the printed lines, printed again at the end */
	char *buf;
	size_t len;
};

/* The lifeline of addr (either family), made at its first packet; -1 past
 * SK_PIC_MAX_LIFELINES. */
static int lifeline(struct drawing *d, const struct synack_ip *addr)
{
	for (int i = 0; i < d->naddrs; i++)
		if (synack_ip_equal(&d->addrs[i], addr))
			return i;
	if (d->naddrs == SK_PIC_MAX_LIFELINES)
		return -1;
	int i = d->naddrs++;
	d->addrs[i] = *addr;
	if (!synack_ip_format(addr, d->names[i], sizeof(d->names[i])))
		snprintf(d->names[i], sizeof(d->names[i]), "?");
	d->name_of[i] = d->names[i];
	return i;
}

/* 1 for an EtherType of IPv4 or IPv6 at p (network order). */
static int ip_ethertype(const uint8_t *p)
{
	return (p[0] == 0x08 && p[1] == 0x00) || (p[0] == 0x86 && p[1] == 0xdd);
}

/* Where the IP header (IPv4 or IPv6) of a frame starts, for the pictures; -1 if it carries
 * none (or the link header is not all there). */
static long ip_offset(int dlt, const uint8_t *data, size_t caplen)
{
	switch (dlt) {
	case SK_LINK_ETHERNET:
		return 0; /* sk_decode reads Ethernet itself */
	case SK_LINK_SLL:
		return caplen >= 16 && ip_ethertype(data + 14) ? 16 : -1;
	case SK_LINK_SLL2:
		return caplen >= 20 && ip_ethertype(data) ? 20 : -1;
	case SK_LINK_NULL:
	case SK_LINK_LOOP: {
		if (caplen < 4)
			return -1;
		uint32_t family;
		memcpy(&family, data, 4); /* in either byte order, as the printer reads it */
		if (family & 0xffff0000u)
			family = __builtin_bswap32(family);
		/* AF_INET; AF_INET6 on Linux, NetBSD and OpenBSD, FreeBSD, macOS */
		return family == 2 || family == 10 || family == 24 || family == 28 || family == 30 ? 4 : -1;
	}
	default:
		return 0;
	}
}

/* Keeps one packet (its IP header on) for the pictures; others are left out. A packet
 * the capture cut short (tcpdump -s 96) is kept at its full length with zeros for what
 * was not captured, marked truncated: its headers say its length, its checksums say
 * nothing. Returns -ENOMEM, else 0. */
static int keep(struct drawing *d, const struct pcap_pkthdr *h, const uint8_t *data, int dlt, int lost)
{
	long skip = ip_offset(dlt, data, h->caplen);
	if (skip < 0 || h->len < (size_t)skip)
		return 0;
	data += skip;
	size_t caplen = h->caplen - (size_t)skip, onwire = h->len - (size_t)skip;
	size_t wire = onwire > caplen ? onwire : caplen;
	uint8_t *frame = calloc(wire ? wire : 1, 1);
	if (!frame)
		return -ENOMEM;
	memcpy(frame, data, caplen);
	struct sk_decoded dec;
	sk_decode(frame, wire, dlt == SK_LINK_ETHERNET ? SK_LINK_ETHERNET : SK_LINK_RAW, 0, &dec);
	int from = -1, to = -1;
	if ((dec.has_ip || dec.has_ip6) && dec.l4_start) {
		struct synack_ip src = sk_decoded_src(&dec), dst = sk_decoded_dst(&dec);
		from = lifeline(d, &src);
		to = lifeline(d, &dst);
	}
	if (from < 0 || to < 0) {
		free(frame);
		return 0;
	}
	const uint8_t *ip = dec.l4_start - dec.ip_hlen;
	size_t len = dec.ip_len;
	if (sk_grow(&d->frames, &d->cap, d->n, sizeof(*d->frames), 256) < 0) {
		free(frame);
		return -ENOMEM;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		free(frame);
		return -ENOMEM;
	}
	memcpy(copy, ip, len);
	free(frame);
	uint64_t t = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	d->frames[d->n++] = (struct sk_pic_frame){.sent_us = t, .arrived_us = t, .from = from, .to = to, .ip = copy,
						  .len = len, .truncated = caplen < onwire, .lost = lost};
	return 0;
}

/* One picture to out if asked for (out not NULL); 1 after saying why it failed. */
static int draw_one(const char *out, enum sk_pic_format kind, const struct sk_pic *p, const char *trace)
{
	int e = out ? sk_pic_save(out, kind, p, trace) : 0;
	if (e)
		fprintf(stderr, "synack-dump: %s: %s\n", out, strerror(-e));
	return e != 0;
}

/* Writes the pictures asked for; returns 0 or 1 (after saying why). */
static int draw(struct drawing *d, const char *path)
{
	struct sk_pic p = {.title = path, .endpoints = d->name_of, .n_endpoints = d->naddrs, .frames = d->frames,
			   .n_frames = d->n};
	return draw_one(d->svg, SK_PIC_LADDER, &p, NULL) | draw_one(d->plot, SK_PIC_PLOT, &p, NULL) |
	       draw_one(d->html, SK_PIC_HTML, &p, d->buf);
}

static void drawing_free(struct drawing *d)
{
	for (size_t i = 0; i < d->n; i++)
		free((void *)d->frames[i].ip);
	free(d->frames);
	free(d->buf);
}

static int is_supported_link(int dlt)
{
	switch (dlt) {
	case SK_LINK_ETHERNET:
	case SK_LINK_RAW:
	case SK_LINK_RAW_DLT:
	case SK_LINK_RAW_OPENBSD:
	case SK_LINK_IPV4:
	case SK_LINK_IPV6:
	case SK_LINK_NULL:
	case SK_LINK_LOOP:
	case SK_LINK_SLL:
	case SK_LINK_SLL2:
		return 1;
	default:
		return 0;
	}
}

/* tcpdump's "reading from file" line, which it writes to stderr. */
static void print_banner(pcap_t *pc, const char *path)
{
	int dlt = pcap_datalink(pc);
	const char *name = pcap_datalink_val_to_name(dlt);
	fprintf(stderr, "reading from file %s", path);
	if (name)
		fprintf(stderr, ", link-type %s (%s)", name, pcap_datalink_val_to_description(dlt));
	else
		fprintf(stderr, ", link-type %u", (unsigned)dlt);
	fprintf(stderr, ", snapshot length %d\n", pcap_snapshot(pc));
	/* tcpdump names SLL2 interfaces by index on the machine that reads the file */
	if (dlt == SK_LINK_SLL2)
		fprintf(stderr, "Warning: interface names might be incorrect\n");
}

/* The comments of the packets libpcap reads: a pcapng walk over the same file, one packet
 * block per packet libpcap returns. */
struct comments {
	FILE *f; /* NULL: nothing (more) to print */
	struct sk_pcapng_walk w;
	uint8_t *buf;
	size_t cap;
};

static void comments_close(struct comments *c)
{
	if (c->f)
		fclose(c->f);
	c->f = NULL;
}

/* Opens path again, if it is the regular file libpcap reads: a pipe or standard input
 * cannot be read twice. A classic pcap file ends the walk at its first block. */
static void comments_open(struct comments *c, pcap_t *pc, const char *path)
{
	memset(c, 0, sizeof(*c));
	sk_pcapng_walk_init(&c->w);
	FILE *lf = pcap_file(pc);
	struct stat a, b;
	if (!lf || fstat(fileno(lf), &a) != 0 || !S_ISREG(a.st_mode))
		return;
	c->f = fopen(path, "rb");
	if (c->f && (fstat(fileno(c->f), &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino))
		comments_close(c);
}

/* One comment as "# TEXT" lines: a line break in it starts another "# " line, and control
 * characters are written as \xNN so that they cannot act on a terminal. */
static void print_comment(FILE *out, const char *s, size_t n)
{
	size_t i = 0;
	do {
		size_t end = i;
		while (end < n && s[end] != '\n')
			end++;
		size_t stop = end > i && s[end - 1] == '\r' && end < n ? end - 1 : end;
		fputc('#', out);
		if (stop > i)
			fputc(' ', out);
		for (size_t j = i; j < stop; j++) {
			unsigned char ch = (unsigned char)s[j];
			if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
				fputc(ch, out);
			else
				fprintf(out, "\\x%02x", ch);
		}
		fputc('\n', out);
		i = end + 1;
	} while (i < n);
}

/* The comments of the next packet, after its lines; a walk that fails (the file is not
 * pcapng, or is damaged there) prints nothing more and leaves the rest to libpcap.
 * Returns 1 if one says the packet was lost ("lost: ...", as synack-sim writes). */
static int comments_print(struct comments *c, FILE *out)
{
	if (!c->f)
		return 0;
	struct sk_pcapng_block b;
	int r;
	while ((r = sk_pcapng_read(&c->w, c->f, &c->buf, &c->cap, &b)) == 1 && !b.is_packet)
		;
	if (r != 1) {
		comments_close(c);
		return 0;
	}
	size_t pos = 0, n;
	const char *s;
	int lost = 0;
	while (sk_pcapng_next_comment(&b, &pos, &s, &n)) {
		print_comment(out, s, n);
		lost |= n >= 5 && !memcmp(s, "lost:", 5);
	}
	return lost;
}

static int dump_file(const char *path, unsigned flags, struct drawing *d)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc =
		pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
	if (!pc) {
		/* libpcap names the file itself when it cannot open it; say it once. */
		const char *why = err[0] ? err : "cannot open";
		size_t n = strlen(path);
		if (strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0)
			why += n + 2;
		fprintf(stderr, "synack-dump: %s: %s\n", path, why);
		return 1;
	}
	int dlt = pcap_datalink(pc);
	if (!is_supported_link(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		fprintf(stderr, "synack-dump: %s: unsupported link type %d (%s)\n", path, dlt,
			name ? name : "unknown");
		pcap_close(pc);
		return 1;
	}
	print_banner(pc, path);
	struct comments cm;
	comments_open(&cm, pc, path);
	/* with --html the lines go to memory first, for the page, and then to stdout */
	FILE *out = stdout;
	if (d->html && !(out = d->text = open_memstream(&d->buf, &d->len))) {
		fprintf(stderr, "synack-dump: --html: %s\n", strerror(errno));
		pcap_close(pc);
		return 1;
	}

	struct pcap_pkthdr *h;
	const u_char *data;
	int r, status = 0;
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		struct sk_pkt_meta m = {
			.sec = (int64_t)h->ts.tv_sec,
			.usec = (uint32_t)h->ts.tv_usec,
			.caplen = h->caplen,
			.len = h->len,
			.linktype = dlt,
		};
		sk_print_packet(out, &m, data, flags, SK_TS_LOCAL);
		int lost = comments_print(&cm, out);
		if ((d->svg || d->plot || d->html) && keep(d, h, data, dlt, lost) < 0) {
			fprintf(stderr, "synack-dump: %s: %s\n", path, strerror(ENOMEM));
			status = 1;
			break;
		}
	}
	comments_close(&cm);
	free(cm.buf);
	if (d->text) {
		fclose(d->text);
		d->text = NULL;
		if (d->buf)
			fwrite(d->buf, 1, d->len, stdout);
	}
	if (r == PCAP_ERROR) {
		/* tcpdump reports a damaged file after printing what it could read. */
		fflush(stdout);
		fprintf(stderr, "synack-dump: %s: %s\n", path, pcap_geterr(pc));
		status = 1;
	}
	pcap_close(pc);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "synack-dump: writing output: %s\n", strerror(errno));
		status = 1;
	}
	if (!status && (d->svg || d->plot || d->html))
		status = draw(d, path);
	return status;
}

int main(int argc, char **argv)
{
	enum { O_SVG = 256, O_PLOT, O_HTML };
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'}, {"svg", required_argument, NULL, O_SVG},
		{"plot", required_argument, NULL, O_PLOT}, {"html", required_argument, NULL, O_HTML},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	unsigned flags = 0;
	int c;
	struct drawing d = {0};

	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:vXh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			path = optarg;
			break;
		case 'v':
			flags |= SK_PRINT_VERBOSE;
			break;
		case 'X':
			flags |= SK_PRINT_HEX;
			break;
		case O_SVG:
			d.svg = optarg;
			break;
		case O_PLOT:
			d.plot = optarg;
			break;
		case O_HTML:
			d.html = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "synack-dump: unknown option or missing argument: %s (see --help)\n",
				optind > 0 ? argv[optind - 1] : "?");
			return 2;
		}
	}
	if (!path || optind != argc) {
		if (!path)
			fprintf(stderr, "synack-dump: no input file (-r FILE; see --help)\n");
		else
			fprintf(stderr, "synack-dump: unexpected argument: %s (see --help)\n", argv[optind]);
		return 2;
	}
	tzset(); /* local time of day, as tcpdump prints it */
	int status = dump_file(path, flags, &d);
	drawing_free(&d);
	return status;
}
