/* synack-sim: runs a catalogue scenario between synack stacks on the simulated network and
 * prints every segment in tcpdump format with the state transitions and socket calls. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/suite.h"
#include "sim/picture.h"
#include "sim/scenario.h"
#include "sim/transfer.h"
#include "trace/print.h"

/* --svg, --plot, --html: what to draw when the run ends, and the trace for the page. */
struct pictures {
	const char *svg, *plot, *html, *title;
	FILE *trace;     /* with --html: the trace is written here (memory), and printed after */
	char *text;
	size_t len;
	int failed;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: synack-sim --list\n"
		   "       synack-sim NAME [-w FILE.pcapng] [-v] [-X] [--seed N] [-q] [--ipv6] [--cc]\n"
		   "                  [--csv FILE] [--svg FILE] [--plot FILE] [--html FILE]\n"
		   "       synack-sim transfer --bytes N [--both-ways] [--loss P] [--burst P:LEN] [--dup P]\n"
		   "                  [--reorder P] [--corrupt P] [--delay MS] [--jitter MS] [--rate MBIT]\n"
		   "                  [--queue PKTS] [--gso BYTES] [--algo cubic|newreno] [--seed S] [--ipv6]\n"
		   "                  [-w FILE.pcapng] [--trace] [--cc] [--csv FILE] [--svg FILE] [--plot FILE]\n"
		   "                  [--html FILE]\n"
		   "       synack-sim run [--kernel] [--skip-slow] [--differences FILE] [-v] FILE.pkt...\n"
		   "Runs scenario NAME (a behaviour ID such as hs-7 or cl-6) between two synack stacks\n"
		   "on the simulated network, printing every segment as tcpdump -n -S would, with\n"
		   "virtual time from 00:00:00.000000, state transitions and socket calls (# lines).\n"
		   "Exits 1 if the scenario's expectations did not hold.\n"
		   "  --list       list the scenarios with a one-line description\n"
		   "  -w FILE      also write every frame to a pcapng file; lost, duplicated and corrupted\n"
		   "               frames carry a packet comment saying so\n"
		   "  -v, -X       as tcpdump's -v (IP header, checksums) and -X (hex dump)\n"
		   "  --seed N     seed of the simulated network and stacks (default 1)\n"
		   "  -q           print only the verdict\n"
		   "  --ipv6       run over IPv6: each host also has 2001:db8::A/64, A its IPv4 address\n"
		   "               in the last 32 bits (10.0.0.1 is 2001:db8::a00:1); AF_INET6 sockets,\n"
		   "               scripted peers speak IPv6 (both modes)\n"
		   "  --cc         a line per change of a connection's cwnd or ssthresh, with in flight,\n"
		   "               srtt and rto (both modes)\n"
		   "  --csv FILE   a row per change of a connection's congestion state: time_s, host,\n"
		   "               connection, cwnd, ssthresh, in_flight, srtt_us, rto_us, snd_una,\n"
		   "               snd_nxt (relative to the ISN), peer_window (both modes)\n"
		   "  --svg FILE   a ladder diagram of the run (SVG): lifelines, segments, losses,\n"
		   "               states, calls, retransmission timers (a transfer: its start)\n"
		   "  --plot FILE  a time-sequence graph with the ACK line, window, SACK blocks and\n"
		   "               retransmissions, and cwnd/ssthresh under it (SVG)\n"
		   "  --html FILE  one page with the trace, the ladder and the plot (opens offline)\n"
		   "transfer moves N bytes (K, M, G suffixes: KiB, MiB, GiB) between two stacks over a\n"
		   "link with the given impairments (P a fraction, e.g. 0.05) and prints what arrived,\n"
		   "whether its digest matched, virtual time, goodput and recovery counters; exit 1 if\n"
		   "any byte was lost or corrupted. --delay is one way, in ms with a fraction (0.025 for\n"
		   "a 50 us round trip; default 10); --burst P:LEN adds Gilbert-Elliott loss, bursts of\n"
		   "LEN frames on average making up P of them; --gso BYTES sends TSO super-frames of up\n"
		   "to BYTES, each lost whole, as a dropped TUN write is; --rate 0 (the default) is an\n"
		   "unlimited link, whose frames only wait for --delay.\n"
		   "run executes scripts in packetdrill's language (docs/conformance.md): in this\n"
		   "process against synack on a virtual clock, or with --kernel (root) against the\n"
		   "Linux kernel through a TUN device in a network namespace made for each script.\n"
		   "Prints PASS or the first difference per script, then the totals; exits 1 if any\n"
		   "failed, 77 for --kernel without root.\n"
		   "  --kernel           against Linux; a failure is retried once (FLAKY if it then passes)\n"
		   "  --skip-slow        leave out scripts tagged slow (\"// tags: slow\")\n"
		   "  --differences F    scripts that fail on Linux by design (see tests/conformance)\n"
		   "  -v                 print every packet and call as it happens\n");
}

/* An option getopt does not know: one line naming it and where to look (opterr is 0). */
static int bad_option(char **argv)
{
	fprintf(stderr, "synack-sim: unknown option or missing argument: %s (see --help)\n",
		optind > 0 ? argv[optind - 1] : "?");
	return 2;
}

/* Checks that an output file can be written (it is made, or truncated, now), so the error
 * names the file before anything runs. */
static int writable(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "synack-sim: cannot write %s: %s\n", path, strerror(errno));
		return 0;
	}
	fclose(f);
	return 1;
}

/* --csv FILE: opened with its header row. */
static FILE *open_csv(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "synack-sim: cannot write %s: %s\n", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "time_s,host,connection,cwnd,ssthresh,in_flight,srtt_us,rto_us,snd_una,snd_nxt,peer_window\n");
	return f;
}

/* One picture to path if asked for (path not NULL); 1 after saying why it failed. */
static int draw_one(const char *path, enum sk_pic_format kind, const struct sk_pic *p, const char *trace)
{
	int e = path ? sk_pic_save(path, kind, p, trace) : 0;
	if (e)
		fprintf(stderr, "synack-sim: %s: %s\n", path, strerror(-e));
	return e != 0;
}

/* The world's on_end: draws what was asked for from its log. */
static void draw(struct sk_world *w, void *arg)
{
	struct pictures *x = arg;
	struct sk_world_pic wp;
	if (sk_world_picture(w, x->title, &wp) < 0) {
		fprintf(stderr, "synack-sim: pictures: %s\n", strerror(ENOMEM));
		x->failed = 1;
		return;
	}
	if (x->trace)
		fflush(x->trace); /* the page's trace, up to now */
	x->failed |= draw_one(x->svg, SK_PIC_LADDER, &wp.pic, NULL);
	x->failed |= draw_one(x->plot, SK_PIC_PLOT, &wp.pic, NULL);
	x->failed |= draw_one(x->html, SK_PIC_HTML, &wp.pic, x->text);
	sk_world_picture_free(&wp);
}

/* Checks the picture files can be written and, for --html, sends the trace to memory.
 * Returns 0, or 2 after saying why. */
static int pictures_open(struct pictures *x, FILE **trace)
{
	if ((x->svg && !writable(x->svg)) || (x->plot && !writable(x->plot)) || (x->html && !writable(x->html)))
		return 2;
	if (x->html) {
		x->trace = open_memstream(&x->text, &x->len);
		if (!x->trace) {
			fprintf(stderr, "synack-sim: --html: %s\n", strerror(errno));
			return 2;
		}
		*trace = x->trace;
	}
	return 0;
}

/* After the run: the trace kept for the page goes to out (unless quiet). */
static void pictures_close(struct pictures *x, FILE *out, int quiet)
{
	if (!x->trace)
		return;
	fclose(x->trace);
	if (!quiet && x->text)
		fwrite(x->text, 1, x->len, out);
	free(x->text);
	x->trace = NULL;
}

static int parse_u64(const char *opt, const char *s, uint64_t *out, int sizes)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-') {
		fprintf(stderr, "synack-sim: %s: not a number: %s\n", opt, s);
		return -1;
	}
	if (sizes && *end) {
		int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : -1;
		if (shift < 0 || end[1]) {
			fprintf(stderr, "synack-sim: %s: bad size suffix: %s\n", opt, s);
			return -1;
		}
		v <<= shift;
	} else if (*end) {
		fprintf(stderr, "synack-sim: %s: not a number: %s\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Milliseconds with a fraction, to microseconds. */
static int parse_ms(const char *opt, const char *s, uint64_t *us)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= 0 && v <= 3600e3)) {
		fprintf(stderr, "synack-sim: %s: want milliseconds (a fraction allowed): %s\n", opt, s);
		return -1;
	}
	*us = (uint64_t)(v * 1000 + 0.5);
	return 0;
}

static int parse_prob(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= 0 && v <= 1)) {
		fprintf(stderr, "synack-sim: %s: want a fraction from 0 to 1: %s\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int transfer_main(int argc, char **argv)
{
	enum { O_BYTES = 256, O_BOTH, O_LOSS, O_DUP, O_REORDER, O_CORRUPT, O_DELAY, O_JITTER, O_RATE, O_QUEUE, O_ALGO, O_SEED,
	       O_TRACE, O_BURST, O_GSO, O_CC, O_CSV, O_SVG, O_PLOT, O_HTML, O_IPV6 };
	static const struct option lo[] = {
		{"bytes", required_argument, NULL, O_BYTES}, {"both-ways", no_argument, NULL, O_BOTH},
		{"loss", required_argument, NULL, O_LOSS}, {"dup", required_argument, NULL, O_DUP},
		{"reorder", required_argument, NULL, O_REORDER}, {"corrupt", required_argument, NULL, O_CORRUPT},
		{"delay", required_argument, NULL, O_DELAY}, {"jitter", required_argument, NULL, O_JITTER},
		{"rate", required_argument, NULL, O_RATE}, {"queue", required_argument, NULL, O_QUEUE},
		{"algo", required_argument, NULL, O_ALGO}, {"seed", required_argument, NULL, O_SEED},
		{"trace", no_argument, NULL, O_TRACE}, {"burst", required_argument, NULL, O_BURST},
		{"gso", required_argument, NULL, O_GSO}, {"cc", no_argument, NULL, O_CC},
		{"csv", required_argument, NULL, O_CSV}, {"svg", required_argument, NULL, O_SVG},
		{"plot", required_argument, NULL, O_PLOT}, {"html", required_argument, NULL, O_HTML},
		{"ipv6", no_argument, NULL, O_IPV6}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct sk_transfer_opts o = {.seed = 1};
	const char *csv = NULL;
	struct pictures pics = {.title = "synack-sim transfer"};
	o.link.delay_us = 10000;
	int have_bytes = 0, c;
	uint64_t v;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:h", lo, NULL)) != -1) {
		switch (c) {
		case O_BYTES:
			if (parse_u64("--bytes", optarg, &o.bytes, 1))
				return 2;
			have_bytes = 1;
			break;
		case O_BOTH: o.both_ways = 1; break;
		case O_LOSS: if (parse_prob("--loss", optarg, &o.link.loss)) return 2; break;
		case O_DUP: if (parse_prob("--dup", optarg, &o.link.duplicate)) return 2; break;
		case O_REORDER: if (parse_prob("--reorder", optarg, &o.link.reorder)) return 2; break;
		case O_CORRUPT: if (parse_prob("--corrupt", optarg, &o.link.corrupt)) return 2; break;
		case O_DELAY:
			if (parse_ms("--delay", optarg, &o.link.delay_us))
				return 2;
			break;
		case O_JITTER:
			if (parse_ms("--jitter", optarg, &o.link.jitter_us))
				return 2;
			break;
		case O_BURST: {
			/* P:LEN: in the long run P of the frames lost, in bursts of LEN on average */
			double p, len;
			char *end;
			p = strtod(optarg, &end);
			if (end == optarg || *end != ':' || !(p > 0 && p < 1)) {
				fprintf(stderr, "synack-sim: --burst: want P:LEN, e.g. 0.01:5: %s\n", optarg);
				return 2;
			}
			len = strtod(end + 1, &end);
			if (*end || !(len >= 1)) {
				fprintf(stderr, "synack-sim: --burst: want P:LEN with LEN >= 1: %s\n", optarg);
				return 2;
			}
			o.link.ge_leave = 1.0 / len;
			o.link.ge_enter = p * o.link.ge_leave / (1.0 - p);
			o.link.ge_bad_loss = 1.0;
			break;
		}
		case O_GSO:
			if (parse_u64("--gso", optarg, &v, 1) || v < 1501 || v > 65535) {
				fprintf(stderr, "synack-sim: --gso: want 1501..65535 bytes\n");
				return 2;
			}
			o.gso_max = (uint32_t)v;
			break;
		case O_RATE:
			if (parse_u64("--rate", optarg, &v, 0))
				return 2;
			o.link.rate_bps = v * 1000000;
			break;
		case O_QUEUE:
			if (parse_u64("--queue", optarg, &v, 0) || v > UINT32_MAX)
				return 2;
			o.link.queue_limit = (uint32_t)v;
			break;
		case O_ALGO:
			if (strcmp(optarg, "cubic") && strcmp(optarg, "newreno") && strcmp(optarg, "reno")) {
				fprintf(stderr, "synack-sim: --algo: unknown algorithm %s (cubic, newreno)\n", optarg);
				return 2;
			}
			o.cc = optarg;
			break;
		case O_SEED: if (parse_u64("--seed", optarg, &o.seed, 0)) return 2; break;
		case O_TRACE: o.trace = stdout; break;
		case O_CC: o.cc_out = stdout; break;
		case O_CSV: csv = optarg; break;
		case O_SVG: pics.svg = optarg; break;
		case O_PLOT: pics.plot = optarg; break;
		case O_HTML: pics.html = optarg; break;
		case O_IPV6: o.ipv6 = 1; break;
		case 'w': o.pcap_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return bad_option(argv);
		}
	}
	if (!have_bytes || optind != argc) {
		if (have_bytes)
			fprintf(stderr, "synack-sim: transfer: unexpected argument: %s (see --help)\n", argv[optind]);
		else
			fprintf(stderr, "synack-sim: transfer: --bytes N is required (see --help)\n");
		return 2;
	}
	if (o.pcap_path && !writable(o.pcap_path))
		return 2;
	if (csv && !(o.csv = open_csv(csv)))
		return 2;
	if (pics.svg || pics.plot || pics.html) {
		FILE *trace = o.trace;
		if (pictures_open(&pics, &trace))
			return 2;
		if (o.trace)
			o.trace = trace;
		if (o.cc_out)
			o.cc_out = trace;
		o.on_end = draw;
		o.on_end_arg = &pics;
	}
	struct sk_transfer_result r;
	int e = sk_transfer_run(&o, &r);
	pictures_close(&pics, stdout, 0);
	if (pics.failed)
		return 1;
	if (o.csv && fclose(o.csv) != 0) {
		fprintf(stderr, "synack-sim: %s: %s\n", csv, strerror(errno));
		return 1;
	}
	if (e < 0) {
		fprintf(stderr, "synack-sim: transfer: %s\n", strerror(-e));
		return 1;
	}
	sk_transfer_print(stdout, &o, &r);
	return r.completed ? 0 : 1;
}

static int run_main(int argc, char **argv)
{
	enum { O_KERNEL = 256, O_SLOW, O_DIFF };
	static const struct option lo[] = {
		{"kernel", no_argument, NULL, O_KERNEL}, {"skip-slow", no_argument, NULL, O_SLOW},
		{"differences", required_argument, NULL, O_DIFF}, {"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct sk_suite_opts o = {.out = stdout};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (c) {
		case O_KERNEL: o.kernel = 1; break;
		case O_SLOW: o.skip_slow = 1; break;
		case O_DIFF: o.differences = optarg; break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: return bad_option(argv);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "synack-sim: run: no script given\n");
		return 2;
	}
	return sk_suite_run(argv + optind, argc - optind, &o);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "transfer"))
		return transfer_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	enum { O_CC = 256, O_CSV, O_SVG, O_PLOT, O_HTML, O_IPV6 };
	static const struct option longopts[] = {
		{"list", no_argument, NULL, 'l'}, {"seed", required_argument, NULL, 's'},
		{"cc", no_argument, NULL, O_CC}, {"csv", required_argument, NULL, O_CSV},
		{"svg", required_argument, NULL, O_SVG}, {"plot", required_argument, NULL, O_PLOT},
		{"html", required_argument, NULL, O_HTML}, {"ipv6", no_argument, NULL, O_IPV6},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct sk_world_opts o = {.seed = 1, .trace = stdout};
	int list = 0, quiet = 0, cc = 0, c;
	const char *csv = NULL;
	struct pictures pics = {0};
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:vXqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = 1;
			break;
		case 's': {
			char *end;
			errno = 0;
			o.seed = strtoull(optarg, &end, 0);
			if (errno || *end || !*optarg) {
				fprintf(stderr, "synack-sim: --seed: not a number: %s\n", optarg);
				return 2;
			}
			break;
		}
		case 'w':
			o.pcap_path = optarg;
			break;
		case 'v':
			o.print_flags |= SK_PRINT_VERBOSE;
			break;
		case 'X':
			o.print_flags |= SK_PRINT_HEX;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_CC:
			cc = 1;
			break;
		case O_CSV:
			csv = optarg;
			break;
		case O_SVG:
			pics.svg = optarg;
			break;
		case O_PLOT:
			pics.plot = optarg;
			break;
		case O_HTML:
			pics.html = optarg;
			break;
		case O_IPV6:
			o.ipv6 = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_option(argv);
		}
	}
	if (list) {
		const struct sk_scenario *sc;
		for (size_t i = 0; (sc = sk_scenario_get(i)); i++)
			printf("%-8s %s\n", sc->name, sc->desc);
		return 0;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "synack-sim: %s; try --list or --help\n", optind >= argc ? "no scenario named" : "one scenario at a time");
		return 2;
	}
	const struct sk_scenario *sc = sk_scenario_find(argv[optind]);
	if (!sc) {
		fprintf(stderr, "synack-sim: no scenario named '%s' (see --list)\n", argv[optind]);
		return 2;
	}
	if (quiet)
		o.trace = NULL;
	if (cc)
		o.cc_out = stdout;
	if (o.pcap_path && !writable(o.pcap_path))
		return 2;
	if (csv && !(o.csv = open_csv(csv)))
		return 2;
	FILE *report = stdout;
	char title[160];
	if (pics.svg || pics.plot || pics.html) {
		snprintf(title, sizeof(title), "%s: %s", sc->name, sc->desc);
		pics.title = title;
		FILE *trace = o.trace; /* NULL with -q, unless the page wants the trace */
		if (pictures_open(&pics, &trace))
			return 2;
		/* the page's trace has everything the terminal would have, in order */
		report = trace ? trace : stdout;
		o.trace = trace;
		if (o.cc_out)
			o.cc_out = trace ? trace : stdout;
		o.log_cc = 1;
		o.on_end = draw;
		o.on_end_arg = &pics;
	}
	int r = sk_scenario_run(sc, &o, report);
	pictures_close(&pics, stdout, quiet);
	if (pics.failed)
		return 1;
	if (o.csv && fclose(o.csv) != 0) {
		fprintf(stderr, "synack-sim: %s: %s\n", csv, strerror(errno));
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "synack-sim: %s: %s\n", sc->name, strerror(-r));
		return 1;
	}
	printf("%s %s: %s\n", r ? "FAIL" : "PASS", sc->name, sc->desc);
	return r ? 1 : 0;
}
