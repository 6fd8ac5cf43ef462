/* synack-dump: prints a pcap or pcapng file exactly as `tcpdump -n -S -r FILE [-v] [-X]` does. */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/print.h"
#include "wire/decode.h"

static const char usage[] = "usage: synack-dump -r FILE [-v] [-X]\n"
			    "  -r FILE  read packets from FILE (pcap or pcapng)\n"
			    "  -v       verbose: IP header fields, checksums, quoted datagrams\n"
			    "  -X       hex and ASCII dump of each packet above the link layer\n";

static int is_supported_link(int dlt)
{
	return dlt == SK_LINK_ETHERNET || dlt == SK_LINK_RAW || dlt == SK_LINK_RAW_DLT ||
	       dlt == 14 || dlt == 228;
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
}

static int dump_file(const char *path, unsigned flags)
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

	struct pcap_pkthdr *h;
	const u_char *data;
	int r;
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		struct sk_pkt_meta m = {
			.sec = (int64_t)h->ts.tv_sec,
			.usec = (uint32_t)h->ts.tv_usec,
			.caplen = h->caplen,
			.len = h->len,
			.linktype = dlt,
		};
		sk_print_packet(stdout, &m, data, flags, SK_TS_LOCAL);
	}
	int status = 0;
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
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	unsigned flags = 0;
	int c;

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
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		fprintf(stderr, "synack-dump: %s\n%s",
			!path ? "no input file (-r FILE)" : "unexpected argument", usage);
		return 2;
	}
	tzset(); /* local time of day, as tcpdump prints it */
	return dump_file(path, flags);
}
