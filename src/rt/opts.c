/* The options every runtime tool shares: parsed out of argv, the rest left for the tool. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/rt.h>

#include "stack/addr.h"

const char synack_rt_opts_help[] =
	"  --tun NAME          run on TUN device NAME (raw IP; created if missing)\n"
	"  --tap NAME          run on TAP device NAME (Ethernet, with ARP)\n"
	"  --addr A/LEN        synack's own address and prefix, IPv4 (A.B.C.D/LEN) or\n"
	"                      IPv6 (2001:db8::2/64) (required); twice for both families\n"
	"  --host-addr A/LEN\n"
	"                      give the kernel's side of the device this address, bring\n"
	"                      it up (LEN 0: --addr's); one per --addr\n"
	"  --gw A              default gateway, IPv4 or IPv6 (TAP; default: everything\n"
	"                      on-link)\n"
	"  --mtu N             link MTU (68..65535, default 1500)\n"
	"  --trace             print every packet in tcpdump format on stderr\n"
	"  -w FILE             write every packet to FILE (pcap)\n"
	"  --no-control        no control socket (synack-ss does not see this process)\n"
	"  --no-offload        TUN without checksum/TSO offloads: one packet per segment\n";

void synack_rt_opts_defaults(struct synack_rt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mtu = 1500;
	o->control = 1;
}

static int fail(char *why, size_t whylen, const char *fmt, const char *a)
{
	if (why && whylen)
		snprintf(why, whylen, fmt, a);
	return -1;
}

/* "A/LEN" (with_len) or "A", A an IPv4 or an IPv6 address (LEN up to 32 or 128). */
static int parse_addr(const char *s, int with_len, struct synack_ip *addr, uint8_t *prefix)
{
	if (with_len)
		return synack_ip_parse_prefix(s, addr, prefix) < 0 ? -1 : 0;
	return synack_ip_parse(s, addr) < 0 ? -1 : 0;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	if (!*s)
		return -1;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

enum { O_TUN, O_TAP, O_ADDR, O_HOST, O_GW, O_MTU, O_TRACE, O_PCAP, O_NOCTL, O_NOOFF };

static const struct {
	const char *name;
	int id, has_val;
} table[] = {
	{"--tun", O_TUN, 1},	   {"--tap", O_TAP, 1},	  {"--addr", O_ADDR, 1},
	{"--host-addr", O_HOST, 1}, {"--gw", O_GW, 1},	  {"--mtu", O_MTU, 1},
	{"--trace", O_TRACE, 0},    {"-w", O_PCAP, 1},	  {"--no-control", O_NOCTL, 0},
	{"--no-offload", O_NOOFF, 0},
};

/* Matches argv element a against the table: the entry's index and *val (the inline value of
 * "--opt=VALUE" or "-wFILE", else NULL); -1 if a is not one of ours. */
static int match(const char *a, const char **val)
{
	*val = NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t n = strlen(table[i].name);
		if (strncmp(a, table[i].name, n) != 0)
			continue;
		if (a[n] == 0)
			return (int)i;
		if (a[n] == '=' && table[i].name[1] == '-') {
			*val = a + n + 1;
			return (int)i;
		}
		if (table[i].name[1] != '-' && table[i].has_val) { /* -wFILE */
			*val = a + n;
			return (int)i;
		}
	}
	return -1;
}

static int ifname_check(const char *opt, const char *v, char *why, size_t whylen)
{
	if (!*v)
		return fail(why, whylen, "%s: expected a device name", opt);
	if (strlen(v) >= IFNAMSIZ) {
		if (why && whylen)
			snprintf(why, whylen, "%s: device name longer than %d characters", opt, IFNAMSIZ - 1);
		return -1;
	}
	if (strchr(v, '/') || strchr(v, ' '))
		return fail(why, whylen, "%s: '/' and spaces are not allowed in a device name", opt);
	return 0;
}

int synack_rt_opts_parse(struct synack_rt_opts *o, int *argc, char **argv, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = 0;
	int n = *argc, out = n > 0 ? 1 : 0;
	int rest = 0;
	for (int i = 1; i < n; i++) {
		const char *a = argv[i];
		const char *val;
		int k = rest ? -1 : match(a, &val);
		if (k < 0) {
			if (strcmp(a, "--") == 0)
				rest = 1; /* what follows is the tool's, untouched (and "--" stays) */
			argv[out++] = argv[i];
			continue;
		}
		const char *name = table[k].name;
		if (table[k].has_val && !val) {
			if (i + 1 >= n)
				return fail(why, whylen, "%s: missing value", name);
			val = argv[++i];
		} else if (!table[k].has_val && val) {
			return fail(why, whylen, "%s takes no value", name);
		}
		uint8_t prefix = 0;
		switch (table[k].id) {
		case O_TUN:
		case O_TAP:
			if (ifname_check(name, val, why, whylen) < 0)
				return -1;
			if (table[k].id == O_TUN)
				o->tun = val;
			else
				o->tap = val;
			break;
		case O_ADDR: {
			/* a second one goes in addr2 (of the other family: checked below) */
			int second = o->addr.family != SYNACK_AF_UNSPEC;
			if (second && o->addr2.family != SYNACK_AF_UNSPEC)
				return fail(why, whylen, "%s: at most two, one IPv4 and one IPv6", name);
			if (parse_addr(val, 1, second ? &o->addr2 : &o->addr, &prefix) < 0)
				return fail(why, whylen, "%s: expected A.B.C.D/LEN or an IPv6 address/LEN", name);
			*(second ? &o->prefix2 : &o->prefix) = prefix;
			break;
		}
		case O_HOST: {
			int second = o->host_addr.family != SYNACK_AF_UNSPEC;
			if (second && o->host_addr2.family != SYNACK_AF_UNSPEC)
				return fail(why, whylen, "%s: at most two, one IPv4 and one IPv6", name);
			if (parse_addr(val, 1, second ? &o->host_addr2 : &o->host_addr, &prefix) < 0)
				return fail(why, whylen, "%s: expected A.B.C.D/LEN or an IPv6 address/LEN", name);
			*(second ? &o->host_prefix2 : &o->host_prefix) = prefix;
			break;
		}
		case O_GW:
			if (parse_addr(val, 0, &o->gw, &prefix) < 0)
				return fail(why, whylen, "%s: expected A.B.C.D", name);
			break;
		case O_MTU:
			if (parse_u32(val, 68, 65535, &o->mtu) < 0)
				return fail(why, whylen, "%s: expected a number from 68 to 65535", name);
			break;
		case O_TRACE:
			o->trace = 1;
			break;
		case O_PCAP:
			if (!*val)
				return fail(why, whylen, "%s: expected a file name", name);
			o->pcap = val;
			break;
		case O_NOOFF:
			o->no_offload = 1;
			break;
		case O_NOCTL:
			o->control = 0;
			break;
		}
	}
	if (out < n)
		argv[out] = NULL;
	*argc = out;
	if (o->tun && o->tap)
		return fail(why, whylen, "%s", "--tun and --tap: give one device, not both");
	if (!o->tun && !o->tap)
		return fail(why, whylen, "%s", "a device is required: --tun NAME or --tap NAME");
	if (o->addr.family == SYNACK_AF_UNSPEC)
		return fail(why, whylen, "%s", "--addr A.B.C.D/LEN is required");
	if (o->addr2.family != SYNACK_AF_UNSPEC && o->addr2.family == o->addr.family)
		return fail(why, whylen, "%s", "--addr: a second one must be of the other family (one IPv4, one IPv6)");
	/* each --host-addr with the --addr of its family, whichever came first */
	if (o->host_addr.family != SYNACK_AF_UNSPEC && o->host_addr.family != o->addr.family &&
	    o->host_addr.family == o->addr2.family) {
		struct synack_ip t = o->host_addr;
		uint8_t tp = o->host_prefix;
		o->host_addr = o->host_addr2, o->host_prefix = o->host_prefix2;
		o->host_addr2 = t, o->host_prefix2 = tp;
	}
	if ((o->host_addr.family != SYNACK_AF_UNSPEC && o->host_addr.family != o->addr.family) ||
	    (o->host_addr2.family != SYNACK_AF_UNSPEC && o->host_addr2.family != o->addr2.family))
		return fail(why, whylen, "%s", "--host-addr: give an address of an --addr's family");
	if (o->gw.family != SYNACK_AF_UNSPEC && o->gw.family != o->addr.family && o->gw.family != o->addr2.family)
		return fail(why, whylen, "%s", "--gw: give an address of an --addr's family");
	if (synack_ip_equal(&o->host_addr, &o->addr) ||
	    (o->addr2.family != SYNACK_AF_UNSPEC && synack_ip_equal(&o->host_addr2, &o->addr2)))
		return fail(why, whylen, "%s", "--host-addr: must differ from --addr");
	return 0;
}

void synack_rt_tool_opts(struct synack_rt_opts *o, int *argc, char **argv, const char *prog, const char *head,
			 const char *tail)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(head, stdout);
			fputs(synack_rt_opts_help, stdout);
			fputs(tail, stdout);
			exit(0);
		}
	}
	synack_rt_opts_defaults(o);
	char why[256];
	if (synack_rt_opts_parse(o, argc, argv, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: %s (try --help)\n", prog, why);
		exit(2);
	}
}
