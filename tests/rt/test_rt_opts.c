/* synack_rt_opts_parse: the common options come out of argv, the tool's stay in order, and
 * every mistake has a one-line reason. */
#include <string.h>

#include <synack/rt.h>

#include "testutil.h"

#define ARGV(...)                                                                                                      \
	char *argv[] = {"tool", __VA_ARGS__, NULL};                                                                    \
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1

/* The parsed address is exactly this one (family and all 16 bytes). */
static void assert_ip(const struct synack_ip *got, struct synack_ip want)
{
	assert_int_equal(got->family, want.family);
	assert_memory_equal(got->bytes, want.bytes, sizeof(want.bytes));
}

static int parse(struct synack_rt_opts *o, int *argc, char **argv, char *why)
{
	synack_rt_opts_defaults(o);
	return synack_rt_opts_parse(o, argc, argv, why, 200);
}

static void test_defaults(void **state)
{
	(void)state;
	struct synack_rt_opts o;
	memset(&o, 0xff, sizeof(o));
	synack_rt_opts_defaults(&o);
	assert_null(o.tun);
	assert_null(o.tap);
	assert_int_equal(o.addr.family, SYNACK_AF_UNSPEC);
	assert_int_equal(o.mtu, 1500);
	assert_int_equal(o.control, 1);
	assert_int_equal(o.trace, 0);
	assert_null(o.pcap);
	assert_null(o.cfg);
	assert_int_equal(o.gw.family, SYNACK_AF_UNSPEC);
	assert_int_equal(o.host_addr.family, SYNACK_AF_UNSPEC);
}

static void test_all_options(void **state)
{
	(void)state;
	ARGV("-x", "--tun", "tun7", "--addr", "192.0.2.2/24", "keep", "--host-addr=192.0.2.1/25", "--gw",
	     "192.0.2.254", "--mtu=9000", "--trace", "-w", "out.pcap", "--no-control", "--port", "80");
	struct synack_rt_opts o;
	char why[200];
	assert_int_equal(parse(&o, &argc, argv, why), 0);
	assert_string_equal(o.tun, "tun7");
	assert_null(o.tap);
	assert_ip(&o.addr, synack_ip4(192, 0, 2, 2));
	assert_int_equal(o.prefix, 24);
	assert_ip(&o.host_addr, synack_ip4(192, 0, 2, 1));
	assert_int_equal(o.host_prefix, 25);
	assert_ip(&o.gw, synack_ip4(192, 0, 2, 254));
	assert_int_equal(o.mtu, 9000);
	assert_int_equal(o.trace, 1);
	assert_string_equal(o.pcap, "out.pcap");
	assert_int_equal(o.control, 0);
	/* What is left, in order, argv[0] kept, NULL-terminated. */
	assert_int_equal(argc, 5);
	assert_string_equal(argv[0], "tool");
	assert_string_equal(argv[1], "-x");
	assert_string_equal(argv[2], "keep");
	assert_string_equal(argv[3], "--port");
	assert_string_equal(argv[4], "80");
	assert_null(argv[5]);
}

/* IPv6 wherever IPv4 goes: the address, its prefix up to 128, the kernel side's. */
static void test_ipv6_addresses(void **state)
{
	(void)state;
	ARGV("--tun", "t6", "--addr", "2001:db8::2/64", "--host-addr=2001:db8::1/64");
	struct synack_rt_opts o;
	char why[200];
	assert_int_equal(parse(&o, &argc, argv, why), 0);
	struct synack_ip want = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
	assert_ip(&o.addr, want);
	assert_int_equal(o.prefix, 64);
	want.bytes[15] = 1;
	assert_ip(&o.host_addr, want);
	assert_int_equal(o.host_prefix, 64);
}

/* Both families on one device: a second --addr of the other family, and each --host-addr
 * paired with the --addr of its family whatever the order. */
static void test_two_addresses(void **state)
{
	(void)state;
	ARGV("--tun", "t", "--host-addr", "2001:db8::1/64", "--addr", "192.0.2.2/24", "--addr", "2001:db8::2/64",
	     "--host-addr", "192.0.2.1/24", "--gw", "2001:db8::fe");
	struct synack_rt_opts o;
	char why[200];
	assert_int_equal(parse(&o, &argc, argv, why), 0);
	struct synack_ip s6 = {SYNACK_AF_INET6, {0x20, 0x01, 0x0d, 0xb8, [15] = 2}}, l6 = s6;
	l6.bytes[15] = 1;
	assert_ip(&o.addr, synack_ip4(192, 0, 2, 2));
	assert_int_equal(o.prefix, 24);
	assert_ip(&o.host_addr, synack_ip4(192, 0, 2, 1));
	assert_int_equal(o.host_prefix, 24);
	assert_ip(&o.addr2, s6);
	assert_int_equal(o.prefix2, 64);
	assert_ip(&o.host_addr2, l6);
	assert_int_equal(o.host_prefix2, 64);
	assert_int_equal(o.gw.family, SYNACK_AF_INET6);
	assert_int_equal(argc, 1);
}

static void test_tap_inline_w_and_double_dash(void **state)
{
	(void)state;
	ARGV("--tap=tap0", "-wcap.pcap", "--addr=10.1.2.3/8", "--", "--tun", "x");
	struct synack_rt_opts o;
	char why[200];
	assert_int_equal(parse(&o, &argc, argv, why), 0);
	assert_string_equal(o.tap, "tap0");
	assert_null(o.tun);
	assert_string_equal(o.pcap, "cap.pcap");
	assert_ip(&o.addr, synack_ip4(10, 1, 2, 3));
	assert_int_equal(o.prefix, 8);
	/* After "--" nothing is ours. */
	assert_int_equal(argc, 4);
	assert_string_equal(argv[1], "--");
	assert_string_equal(argv[2], "--tun");
	assert_string_equal(argv[3], "x");
}

static void test_similar_names_are_not_ours(void **state)
{
	(void)state;
	ARGV("--tun", "t", "--addr", "192.0.2.2/32", "--tunnel", "--trace-all", "--mtux=3", "-wx");
	struct synack_rt_opts o;
	char why[200];
	assert_int_equal(parse(&o, &argc, argv, why), 0);
	/* "-wx" is -w with the file "x"; the others are the tool's. */
	assert_string_equal(o.pcap, "x");
	assert_int_equal(o.trace, 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[1], "--tunnel");
	assert_string_equal(argv[2], "--trace-all");
	assert_string_equal(argv[3], "--mtux=3");
}

struct bad {
	const char *args[10];
	const char *why;
};

static void test_errors(void **state)
{
	(void)state;
	static const struct bad cases[] = {
		{{"--tun", NULL}, "--tun: missing value"},
		{{"--tun", "", "--addr", "192.0.2.2/24", NULL}, "--tun: expected a device name"},
		{{"--tun", "a-name-that-is-too-long", "--addr", "192.0.2.2/24", NULL}, "--tun: device name longer than 15 characters"},
		{{"--tun", "t", "--addr", "192.0.2.2", NULL}, "--addr: expected A.B.C.D/LEN or an IPv6 address/LEN"},
		{{"--tun", "t", "--addr", "192.0.2.2/33", NULL}, "--addr: expected A.B.C.D/LEN or an IPv6 address/LEN"},
		{{"--tun", "t", "--addr", "192.0.2/24", NULL}, "--addr: expected A.B.C.D/LEN or an IPv6 address/LEN"},
		{{"--tun", "t", "--addr", "192.0.2.2/", NULL}, "--addr: expected A.B.C.D/LEN or an IPv6 address/LEN"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--host-addr", "x", NULL}, "--host-addr: expected A.B.C.D/LEN or an IPv6 address/LEN"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--gw", "1.2.3.4/8", NULL}, "--gw: expected A.B.C.D"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--mtu", "67", NULL}, "--mtu: expected a number from 68 to 65535"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--mtu", "65536", NULL}, "--mtu: expected a number from 68 to 65535"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--mtu", "1e3", NULL}, "--mtu: expected a number from 68 to 65535"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--trace=1", NULL}, "--trace takes no value"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "-w", NULL}, "-w: missing value"},
		{{"--tun", "t", "--tap", "u", "--addr", "192.0.2.2/24", NULL}, "--tun and --tap: give one device, not both"},
		{{"--addr", "192.0.2.2/24", NULL}, "a device is required: --tun NAME or --tap NAME"},
		{{"--tun", "t", NULL}, "--addr A.B.C.D/LEN is required"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--host-addr", "192.0.2.2/24", NULL}, "--host-addr: must differ from --addr"},
		{{"--tun", "t", "--addr", "2001:db8::2/129", NULL}, "--addr: expected A.B.C.D/LEN or an IPv6 address/LEN"},
		{{"--tun", "t", "--addr", "2001:db8::2/64", "--host-addr", "192.0.2.1/24", NULL}, "--host-addr: give an address of an --addr's family"},
		{{"--tun", "t", "--addr", "2001:db8::2/64", "--gw", "192.0.2.1", NULL}, "--gw: give an address of an --addr's family"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--addr", "192.0.2.3/24", NULL}, "--addr: a second one must be of the other family (one IPv4, one IPv6)"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--addr", "2001:db8::2/64", "--addr", "2001:db8::3/64", NULL}, "--addr: at most two, one IPv4 and one IPv6"},
		{{"--tun", "t", "--addr", "192.0.2.2/24", "--addr", "2001:db8::2/64", "--host-addr", "2001:db8::2/64", NULL}, "--host-addr: must differ from --addr"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[12] = {"tool"};
		int argc = 1;
		for (int k = 0; cases[i].args[k]; k++)
			argv[argc++] = (char *)cases[i].args[k];
		argv[argc] = NULL;
		struct synack_rt_opts o;
		char why[200];
		assert_int_equal(parse(&o, &argc, argv, why), -1);
		if (strcmp(why, cases[i].why) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, why, cases[i].why);
		assert_null(strchr(why, '\n'));
	}
}

static void test_short_why_buffer(void **state)
{
	(void)state;
	ARGV("--tun", "t");
	struct synack_rt_opts o;
	synack_rt_opts_defaults(&o);
	char why[8];
	assert_int_equal(synack_rt_opts_parse(&o, &argc, argv, why, sizeof(why)), -1);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	/* No room at all is fine too. */
	char *argv2[] = {"tool", NULL};
	int argc2 = 1;
	assert_int_equal(synack_rt_opts_parse(&o, &argc2, argv2, NULL, 0), -1);
}

static void test_help_text(void **state)
{
	(void)state;
	static const char *const names[] = {"--tun", "--tap", "--addr", "--host-addr", "--gw", "--mtu", "--trace", "-w",
					    "--no-control"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(strstr(synack_rt_opts_help, names[i]));
	/* Every line fits 80 columns. */
	for (const char *p = synack_rt_opts_help; *p;) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl - p <= 80);
		p = nl + 1;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_ipv6_addresses),
		cmocka_unit_test(test_two_addresses),
		cmocka_unit_test(test_tap_inline_w_and_double_dash),
		cmocka_unit_test(test_similar_names_are_not_ours),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_short_why_buffer),
		cmocka_unit_test(test_help_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
