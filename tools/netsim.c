/* synack-netsim: a scripted TCP exchange over the simulated network, under impairments given
 * on the command line, printed in tcpdump format and written to pcap. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/pcapdev.h"
#include "link/simnet.h"
#include "trace/print.h"
#include "wire/decode.h"

static const char usage[] =
	"usage: synack-netsim [options]\n"
	"A (10.0.0.1:40000) and B (10.0.0.2:6378) exchange a scripted TCP conversation over a\n"
	"simulated raw-IPv4 link: handshake, data from A then from B (each segment acked), FIN\n"
	"and ACK both ways. The endpoints are a script, not a TCP: each segment is sent when\n"
	"the previous one has arrived intact, and sent again after a timeout (1 s or more,\n"
	"doubling, 6 tries) if it has not. Time is virtual: the run takes no real time.\n"
	"\n"
	"  --seed N        seed of the network's random draws (default 1)\n"
	"  --loss P        probability that a frame is lost (0..1)\n"
	"  --dup P         probability that a frame is duplicated\n"
	"  --reorder P     probability that a frame is held back by --hold\n"
	"  --hold MS       how long a reordered frame is held back (default 1 ms)\n"
	"  --corrupt P     probability that one bit of a frame is flipped\n"
	"  --delay MS      one-way delay, both directions (default 0)\n"
	"  --jitter MS     extra delay, uniform in [0, MS]\n"
	"  --rate MBIT     link rate in Mbit/s (default 0: unlimited)\n"
	"  --queue PKTS    frames the link queue holds, with --rate (default 0: unbounded)\n"
	"  --drop-synack   drop every SYN+ACK (a scripted rule)\n"
	"  --drop-nth N    drop the Nth TCP segment from A to B (a scripted rule)\n"
	"  --data N        data segments each way (default 3)\n"
	"  --size BYTES    payload of a data segment (default 1000, at most 1460)\n"
	"  --trace         print every frame as it is put on the wire, like tcpdump -n -S,\n"
	"                  with virtual time from 00:00:00.000000\n"
	"  -v, -X          with --trace: tcpdump's -v and -X\n"
	"  -w FILE         write every frame as put on the wire to FILE (pcap, raw IPv4)\n"
	"  --rx-w FILE     write every frame as the receivers took it to FILE\n"
	"  -h, --help      this text\n"
	"A summary of the exchange and the network's counters goes to stderr.\n";

#define ADDR_A	 0x0a000001u
#define ADDR_B	 0x0a000002u
#define PORT_A	 40000
#define PORT_B	 6378
#define ISN_A	 1000u
#define ISN_B	 5000u
#define MAX_TRY	 6
#define MAX_DATA 1000

struct opts {
	uint64_t seed;
	struct sk_simnet_params link;
	int drop_synack;
	uint32_t drop_nth;
	unsigned ndata;
	unsigned size;
	int trace;
	unsigned print_flags;
	const char *wire_path, *rx_path;
};

/* One segment of the script, built once: retransmissions send the same bytes, and a
 * receiver recognises its step by comparing bytes, so a corrupted copy never counts. */
struct step {
	int from_b;
	uint8_t frame[1500];
	size_t len;
};

struct script {
	struct step *steps;
	size_t n;
};

static int bad_arg(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "synack-netsim: %s %s: %s\n", opt, val, why);
	return -EINVAL;
}

static int parse_prob(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 1))
		return bad_arg(opt, s, "expected a probability between 0 and 1");
	*out = v;
	return 0;
}

/* Milliseconds, fractions allowed, to microseconds. */
static int parse_ms(const char *opt, const char *s, uint64_t *us)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 1e9))
		return bad_arg(opt, s, "expected milliseconds (>= 0)");
	*us = (uint64_t)(v * 1000 + 0.5);
	return 0;
}

static int parse_uint(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s == '-' || *s == '+')
		return bad_arg(opt, s, "expected a non-negative integer");
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return bad_arg(opt, s, "expected a non-negative integer in range");
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	enum {
		O_SEED = 256,
		O_LOSS,
		O_DUP,
		O_REORDER,
		O_HOLD,
		O_CORRUPT,
		O_DELAY,
		O_JITTER,
		O_RATE,
		O_QUEUE,
		O_DROP_SYNACK,
		O_DROP_NTH,
		O_DATA,
		O_SIZE,
		O_TRACE,
		O_RXW
	};
	static const struct option longopts[] = {
		{"seed", required_argument, NULL, O_SEED},
		{"loss", required_argument, NULL, O_LOSS},
		{"dup", required_argument, NULL, O_DUP},
		{"reorder", required_argument, NULL, O_REORDER},
		{"hold", required_argument, NULL, O_HOLD},
		{"corrupt", required_argument, NULL, O_CORRUPT},
		{"delay", required_argument, NULL, O_DELAY},
		{"jitter", required_argument, NULL, O_JITTER},
		{"rate", required_argument, NULL, O_RATE},
		{"queue", required_argument, NULL, O_QUEUE},
		{"drop-synack", no_argument, NULL, O_DROP_SYNACK},
		{"drop-nth", required_argument, NULL, O_DROP_NTH},
		{"data", required_argument, NULL, O_DATA},
		{"size", required_argument, NULL, O_SIZE},
		{"trace", no_argument, NULL, O_TRACE},
		{"rx-w", required_argument, NULL, O_RXW},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct opts){.seed = 1, .ndata = 3, .size = 1000};
	opterr = 0;
	int c, r = 0, li;
	uint64_t v;
	char name[32];
	while (r == 0 && (li = -1, c = getopt_long(argc, argv, ":hvXw:", longopts, &li)) != -1) {
		if (li >= 0)
			snprintf(name, sizeof(name), "--%s", longopts[li].name);
		else if (c != '?' && c != ':')
			snprintf(name, sizeof(name), "-%c", c);
		else if (optopt > 0 && optopt < 256)
			snprintf(name, sizeof(name), "-%c", optopt);
		else
			snprintf(name, sizeof(name), "%s", argv[optind - 1]);
		switch (c) {
		case O_SEED:
			r = parse_uint(name, optarg, UINT64_MAX, &o->seed);
			break;
		case O_LOSS:
			r = parse_prob(name, optarg, &o->link.loss);
			break;
		case O_DUP:
			r = parse_prob(name, optarg, &o->link.duplicate);
			break;
		case O_REORDER:
			r = parse_prob(name, optarg, &o->link.reorder);
			break;
		case O_CORRUPT:
			r = parse_prob(name, optarg, &o->link.corrupt);
			break;
		case O_HOLD:
			r = parse_ms(name, optarg, &o->link.reorder_hold_us);
			break;
		case O_DELAY:
			r = parse_ms(name, optarg, &o->link.delay_us);
			break;
		case O_JITTER:
			r = parse_ms(name, optarg, &o->link.jitter_us);
			break;
		case O_RATE: {
			char *end;
			errno = 0;
			double mbit = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(mbit >= 0 && mbit <= 1e6))
				r = bad_arg(name, optarg, "expected Mbit/s (>= 0)");
			else
				o->link.rate_bps = (uint64_t)(mbit * 1e6 + 0.5);
			break;
		}
		case O_QUEUE:
			r = parse_uint(name, optarg, SK_SIMNET_QUEUE_MAX, &v);
			o->link.queue_limit = (uint32_t)v;
			break;
		case O_DROP_SYNACK:
			o->drop_synack = 1;
			break;
		case O_DROP_NTH:
			r = parse_uint(name, optarg, UINT32_MAX, &v);
			if (r == 0 && v == 0)
				r = bad_arg(name, optarg, "segments count from 1");
			o->drop_nth = (uint32_t)v;
			break;
		case O_DATA:
			r = parse_uint(name, optarg, MAX_DATA, &v);
			o->ndata = (unsigned)v;
			break;
		case O_SIZE:
			r = parse_uint(name, optarg, 1460, &v);
			if (r == 0 && v == 0)
				r = bad_arg(name, optarg, "a data segment needs at least 1 byte");
			o->size = (unsigned)v;
			break;
		case O_TRACE:
			o->trace = 1;
			break;
		case 'v':
			o->print_flags |= SK_PRINT_VERBOSE;
			break;
		case 'X':
			o->print_flags |= SK_PRINT_HEX;
			break;
		case 'w':
			o->wire_path = optarg;
			break;
		case O_RXW:
			o->rx_path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			fprintf(stderr, "synack-netsim: %s needs a value (see --help)\n", name);
			return -EINVAL;
		default:
			fprintf(stderr, "synack-netsim: unknown option %s (see --help)\n", name);
			return -EINVAL;
		}
	}
	if (r == 0 && optind < argc) {
		fprintf(stderr, "synack-netsim: unexpected argument %s (see --help)\n",
			argv[optind]);
		return -EINVAL;
	}
	return r;
}

/* --- the script -------------------------------------------------------------------------- */

static void build_step(struct step *s, int from_b, uint32_t seq, uint32_t ack, uint16_t flags,
		       size_t payload, int syn_opts)
{
	uint8_t data[1460];
	for (size_t i = 0; i < payload; i++)
		data[i] = (uint8_t)('a' + (seq + i) % 26);
	struct sk_tcp t = {
		.sport = from_b ? PORT_B : PORT_A,
		.dport = from_b ? PORT_A : PORT_B,
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.win = syn_opts ? 65535 : 512,
		.payload = data,
		.payload_len = payload,
	};
	if (syn_opts) {
		t.opt.has_mss = 1;
		t.opt.mss = 1460;
		t.opt.sack_ok = 1;
		t.opt.has_ws = 1;
		t.opt.ws = 7;
	}
	uint32_t src = from_b ? ADDR_B : ADDR_A, dst = from_b ? ADDR_A : ADDR_B;
	int n = sk_tcp_emit(s->frame + SK_IPV4_MIN_HLEN, sizeof(s->frame) - SK_IPV4_MIN_HLEN, src,
			    dst, &t);
	struct sk_ipv4 ip = {
		.total_len = (uint16_t)(SK_IPV4_MIN_HLEN + n),
		.frag = SK_IP_DF,
		.ttl = 64,
		.proto = SK_IPPROTO_TCP,
		.src = src,
		.dst = dst,
	};
	sk_ipv4_emit(s->frame, sizeof(s->frame), &ip);
	s->from_b = from_b;
	s->len = SK_IPV4_MIN_HLEN + (size_t)n;
}

static int build_script(const struct opts *o, struct script *sc)
{
	sc->n = 3 + 4 * (size_t)o->ndata + 4;
	sc->steps = calloc(sc->n, sizeof(*sc->steps));
	if (!sc->steps)
		return -ENOMEM;
	struct step *s = sc->steps;
	uint32_t a = ISN_A, b = ISN_B, sz = o->size;
	const uint16_t ACK = SK_TCP_ACK, PA = SK_TCP_PSH | SK_TCP_ACK, FA = SK_TCP_FIN | SK_TCP_ACK;
	build_step(s++, 0, a, 0, SK_TCP_SYN, 0, 1);
	build_step(s++, 1, b, a + 1, SK_TCP_SYN | SK_TCP_ACK, 0, 1);
	a++, b++;
	build_step(s++, 0, a, b, ACK, 0, 0);
	for (unsigned i = 0; i < o->ndata; i++, a += sz) {
		build_step(s++, 0, a, b, PA, sz, 0);
		build_step(s++, 1, b, a + sz, ACK, 0, 0);
	}
	for (unsigned i = 0; i < o->ndata; i++, b += sz) {
		build_step(s++, 1, b, a, PA, sz, 0);
		build_step(s++, 0, a, b + sz, ACK, 0, 0);
	}
	build_step(s++, 0, a, b, FA, 0, 0);
	build_step(s++, 1, b, a + 1, ACK, 0, 0);
	build_step(s++, 1, b, a + 1, FA, 0, 0);
	build_step(s++, 0, a + 1, b + 1, ACK, 0, 0);
	return 0;
}

/* --- running it -------------------------------------------------------------------------- */

struct run {
	const struct opts *o;
	struct sk_simnet *net;
	struct sk_dev *ep[2];
	struct script sc;
	size_t cur;	   /* the step in progress */
	unsigned tries;	   /* sends of the current step */
	uint64_t deadline; /* resend the current step then */
	uint64_t rto0, rto;
	unsigned resent;  /* retransmissions in all */
	unsigned ignored; /* frames that matched no step in progress: stale or corrupted */
	int failed;
	uint64_t done_at;
};

static void trace_sent(void *arg, const struct sk_simnet_event *ev)
{
	const struct opts *o = arg;
	if (ev->type != SK_SIMNET_EV_SENT)
		return;
	struct sk_pkt_meta m = {
		.sec = (int64_t)(ev->now / 1000000u),
		.usec = (uint32_t)(ev->now % 1000000u),
		.caplen = (uint32_t)ev->len,
		.len = (uint32_t)ev->len,
		.linktype = SK_LINK_RAW,
	};
	sk_print_packet(stdout, &m, ev->data, o->print_flags, SK_TS_UTC);
}

static int send_current(struct run *r, uint64_t now)
{
	const struct step *s = &r->sc.steps[r->cur];
	if (r->tries++ == 0)
		r->rto = r->rto0;
	else
		r->resent++, r->rto *= 2;
	r->deadline = now + r->rto;
	return sk_dev_send(r->ep[s->from_b], s->frame, s->len, now);
}

static int receive_all(struct run *r, int who, uint64_t now)
{
	uint8_t buf[1600];
	int n;
	while ((n = sk_dev_recv(r->ep[who], buf, sizeof(buf), now)) > 0) {
		const struct step *s = r->cur < r->sc.n ? &r->sc.steps[r->cur] : NULL;
		if (!s || s->from_b == who || (size_t)n != s->len ||
		    memcmp(buf, s->frame, s->len)) {
			r->ignored++;
			continue;
		}
		r->cur++;
		r->tries = 0;
		if (r->cur == r->sc.n) {
			r->done_at = now;
			r->deadline = SK_TIME_NEVER;
			continue;
		}
		int e = send_current(r, now);
		if (e < 0)
			return e;
	}
	return n;
}

static int run_script(struct run *r)
{
	int e = send_current(r, 0);
	while (e >= 0) {
		uint64_t t = sk_simnet_next_event(r->net);
		if (r->deadline < t)
			t = r->deadline;
		if (t == SK_TIME_NEVER)
			break;
		for (int who = 0; who < 2 && e >= 0; who++)
			e = receive_all(r, who, t);
		if (e >= 0 && r->cur < r->sc.n && r->deadline <= t) {
			if (r->tries >= MAX_TRY) {
				r->failed = 1;
				r->deadline = SK_TIME_NEVER;
				r->done_at = t;
			} else {
				e = send_current(r, t);
			}
		}
	}
	return e < 0 ? e : 0;
}

static void print_counters(const char *what, const struct sk_simnet_counters *c)
{
	fprintf(stderr,
		"%-7s sent %" PRIu64 ", delivered %" PRIu64 ", dropped loss %" PRIu64
		" queue %" PRIu64 " rule %" PRIu64 " noroute %" PRIu64 ", duplicated %" PRIu64
		", corrupted %" PRIu64 ", reordered %" PRIu64 ", delayed %" PRIu64 "\n",
		what, c->sent, c->delivered, c->dropped[SK_SIMNET_DROP_LOSS],
		c->dropped[SK_SIMNET_DROP_QUEUE], c->dropped[SK_SIMNET_DROP_RULE],
		c->dropped[SK_SIMNET_DROP_NOROUTE], c->duplicated, c->corrupted, c->reordered,
		c->delayed);
}

static void print_summary(const struct run *r)
{
	const char *names[] = {"A", "B"};
	const struct step *s = r->cur < r->sc.n ? &r->sc.steps[r->cur] : NULL;
	if (r->failed && s)
		fprintf(stderr, "exchange: gave up at segment %zu of %zu (%s->%s) after %u tries, ",
			r->cur + 1, r->sc.n, names[s->from_b], names[!s->from_b], MAX_TRY);
	else
		fprintf(stderr, "exchange: complete, %zu segments, ", r->sc.n);
	fprintf(stderr, "%u.%06u s, %u retransmitted, %u ignored (stale or corrupted)\n",
		(unsigned)(r->done_at / 1000000u), (unsigned)(r->done_at % 1000000u), r->resent,
		r->ignored);
	struct sk_simnet_counters c;
	sk_simnet_counters(r->net, &c);
	print_counters("network", &c);
	sk_simnet_path_counters(r->net, r->ep[0], r->ep[1], &c);
	print_counters("A->B", &c);
	sk_simnet_path_counters(r->net, r->ep[1], r->ep[0], &c);
	print_counters("B->A", &c);
}

static int setup(struct run *r, const struct opts *o)
{
	int e = 0;
	r->net = sk_simnet_new(o->seed, SK_LINK_RAW, &e);
	if (!r->net)
		return e;
	int link = sk_simnet_add_link(r->net, &o->link);
	if (link < 0)
		return link;
	for (int i = 0; i < 2; i++) {
		r->ep[i] = sk_simnet_add_endpoint(r->net, link, i ? "B" : "A", &e);
		if (!r->ep[i])
			return e;
	}
	if ((e = sk_simnet_add_addr(r->net, r->ep[0], ADDR_A)) < 0 ||
	    (e = sk_simnet_add_addr(r->net, r->ep[1], ADDR_B)) < 0)
		return e;
	if (o->drop_synack) {
		struct sk_simnet_rule rule = {.l4 = SK_L4_TCP,
					      .flags_mask = SK_TCP_SYN | SK_TCP_ACK,
					      .flags_value = SK_TCP_SYN | SK_TCP_ACK};
		if ((e = sk_simnet_add_rule(r->net, &rule)) < 0)
			return e;
	}
	if (o->drop_nth) {
		struct sk_simnet_rule rule = {.from = r->ep[0],
					      .to = r->ep[1],
					      .l4 = SK_L4_TCP,
					      .first = o->drop_nth,
					      .last = o->drop_nth};
		if ((e = sk_simnet_add_rule(r->net, &rule)) < 0)
			return e;
	}
	if (o->trace)
		sk_simnet_set_observer(r->net, trace_sent, (void *)o);
	/* The timeout outlasts a round trip at the worst delay the options allow. */
	const struct sk_simnet_params *p = &o->link;
	uint64_t worst =
		p->delay_us + p->jitter_us + (p->reorder_hold_us ? p->reorder_hold_us : 1000);
	r->rto0 = 1000000;
	if (4 * worst > r->rto0)
		r->rto0 = 4 * worst;
	r->o = o;
	return build_script(o, &r->sc);
}

int main(int argc, char **argv)
{
	struct opts o;
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	struct sk_pcap_writer *w[SK_SIMNET_CAP_COUNT] = {NULL};
	const char *paths[SK_SIMNET_CAP_COUNT] = {o.wire_path, o.rx_path};
	int status = 0;
	struct run r = {0};
	int e = setup(&r, &o);
	if (e < 0) {
		fprintf(stderr, "synack-netsim: cannot set up the network: %s\n", strerror(-e));
		status = 1;
		goto out;
	}
	for (int i = 0; i < SK_SIMNET_CAP_COUNT; i++) {
		if (!paths[i])
			continue;
		w[i] = sk_pcap_writer_open(paths[i], SK_LINK_RAW, &e);
		if (!w[i]) {
			fprintf(stderr, "synack-netsim: %s: %s\n", paths[i], strerror(-e));
			status = 1;
			goto out;
		}
		sk_simnet_set_capture(r.net, (enum sk_simnet_cap_point)i, w[i], 0);
	}
	e = run_script(&r);
	if (e < 0) {
		fprintf(stderr, "synack-netsim: simulation failed: %s\n", strerror(-e));
		status = 1;
		goto out;
	}
	fflush(stdout);
	print_summary(&r);
out:
	sk_simnet_free(r.net);
	for (int i = 0; i < SK_SIMNET_CAP_COUNT; i++) {
		if (w[i] && (e = sk_pcap_writer_close(w[i])) < 0) {
			fprintf(stderr, "synack-netsim: %s: %s\n", paths[i], strerror(-e));
			status = 1;
		}
	}
	free(r.sc.steps);
	return status;
}
