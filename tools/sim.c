/* synack-sim: runs a catalogue scenario between synack stacks on the simulated network and
 * prints every segment in tcpdump format with the state transitions and socket calls. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "trace/print.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: synack-sim --list\n"
		   "       synack-sim NAME [-w FILE.pcap] [-v] [-X] [--seed N] [-q]\n"
		   "Runs scenario NAME (a behaviour ID such as hs-7 or cl-6) between two synack stacks\n"
		   "on the simulated network, printing every segment as tcpdump -n -S would, with\n"
		   "virtual time from 00:00:00.000000, state transitions and socket calls (# lines).\n"
		   "Exits 1 if the scenario's expectations did not hold.\n"
		   "  --list       list the scenarios with a one-line description\n"
		   "  -w FILE      also write every frame to a pcap file\n"
		   "  -v, -X       as tcpdump's -v (IP header, checksums) and -X (hex dump)\n"
		   "  --seed N     seed of the simulated network and stacks (default 1)\n"
		   "  -q           print only the verdict\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"list", no_argument, NULL, 'l'}, {"seed", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct sk_world_opts o = {.seed = 1, .trace = stdout};
	int list = 0, quiet = 0, c;
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
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
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
	int r = sk_scenario_run(sc, &o, stdout);
	if (r < 0) {
		fprintf(stderr, "synack-sim: %s: %s\n", sc->name, strerror(-r));
		return 1;
	}
	printf("%s %s: %s\n", r ? "FAIL" : "PASS", sc->name, sc->desc);
	return r ? 1 : 0;
}
