/* Unit tests of the tcpdump-format printer: TRC-1..3, IPv6, link types, times, any bytes. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/print.h"
#include "wire/decode.h"

/* Prints one packet into a string; the caller frees it. */
static char *print_to_string(const uint8_t *data, uint32_t caplen, uint32_t len, int linktype,
			     unsigned flags, enum sk_ts_style ts, int64_t sec, uint32_t usec)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	assert_non_null(f);
	struct sk_pkt_meta m = {
		.sec = sec, .usec = usec, .caplen = caplen, .len = len, .linktype = linktype};
	sk_print_packet(f, &m, data, flags, ts);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* Parses hex, prints with no timestamp, and compares with the expected text. */
static void check_hex(const char *hex, int linktype, unsigned flags, size_t caplen,
		      const char *expected)
{
	uint8_t buf[2048];
	size_t n = sk_test_hex(hex, buf, sizeof(buf));
	assert_true(n <= sizeof(buf));
	if (caplen == 0 || caplen > n)
		caplen = n;
	char *got = print_to_string(buf, (uint32_t)caplen, (uint32_t)n, linktype, flags, SK_TS_NONE,
				    0, 0);
	assert_string_equal(got, expected);
	free(got);
}

/* 10.0.0.1:32896 -> 10.0.0.2:6378 SYN with Linux's option list (behaviours.md TRC-1). */
static const char trc1_syn[] = "4500 003c 1c46 4000 4006 0a6e 0a00 0001 0a00 0002"
			       "8080 18ea 5194 3a03 0000 0000 a002 7210 0000 0000"
			       "0204 05b4 0402 080a b519 17bb 0000 0000 0103 0307";

static void test_trc1_syn(void **state)
{
	(void)state;
	check_hex(trc1_syn, SK_LINK_RAW, 0, 0,
		  "IP 10.0.0.1.32896 > 10.0.0.2.6378: Flags [S], seq 1368668675, win 29200, "
		  "options [mss 1460,sackOK,TS val 3038320571 ecr 0,nop,wscale 7], length 0\n");
}

/* Flag letters in tcpdump's order F S R P . U E W; "none" for no flags; the reserved bits
 * above the eight flags are not shown (TRC-1, TRC-3: the bytes decide). */
static void test_flag_letters(void **state)
{
	(void)state;
	static const struct {
		unsigned flags;
		const char *text;
	} cases[] = {
		{0x002, "S"},	     {0x012, "S."}, {0x010, "."},    {0x011, "F."}, {0x004, "R"},
		{0x014, "R."},	     {0x018, "P."}, {0x0c2, "SEW"},  {0x030, ".U"}, {0x000, "none"},
		{0x0ff, "FSRP.UEW"}, {0xf10, "."},  {0x100, "none"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[40];
		sk_test_hex("4500 0028 0001 0000 4006 0000 c000 0201 c000 0202"
			    "9c40 9c41 0000 0001 0000 0002 5000 0100 0000 0000",
			    b, sizeof(b));
		b[32] = (uint8_t)(0x50 | cases[i].flags >> 8);
		b[33] = (uint8_t)cases[i].flags;
		char *got = print_to_string(b, 40, 40, SK_LINK_RAW, 0, SK_TS_NONE, 0, 0);
		char want[64];
		snprintf(want, sizeof(want), "Flags [%s]", cases[i].text);
		assert_non_null(strstr(got, want));
		free(got);
	}
}

/* A SYN whose checksum is 0xf229, and the same with the field damaged (TRC-3). */
static const char syn_ok[] = "4500 0028 0001 4000 4006 b6cb c000 0201 c000 0202"
			     "9c40 9c41 0000 0064 0000 00c8 5002 ffff f229 0007";
static const char syn_bad[] = "4500 0028 0001 4000 4006 b6cb c000 0201 c000 0202"
			      "9c40 9c41 0000 0064 0000 00c8 5002 ffff 1234 0007";

static void test_checksum_verdicts(void **state)
{
	(void)state;
	check_hex(syn_ok, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 40)\n"
		  "    192.0.2.1.40000 > 192.0.2.2.40001: Flags [S], cksum 0xf229 (correct), "
		  "seq 100, win 65535, length 0\n");
	check_hex(syn_bad, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 40)\n"
		  "    192.0.2.1.40000 > 192.0.2.2.40001: Flags [S], cksum 0x1234 "
		  "(incorrect -> 0xf229), seq 100, win 65535, length 0\n");
	/* A damaged IPv4 header checksum: tcpdump's lower-case, unpadded form. */
	check_hex("4500 0028 0001 4000 4006 1234 c000 0201 c000 0202"
		  "9c40 9c41 0000 0001 0000 0002 5010 ffff f34b 0000",
		  SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 40, "
		  "bad cksum 1234 (->b6cb)!)\n"
		  "    192.0.2.1.40000 > 192.0.2.2.40001: Flags [.], cksum 0xf34b (correct), "
		  "ack 2, win 65535, length 0\n");
}

/* -X: 16 bytes a line, "0x0000:" offsets, pairs of hex digits, then printable ASCII (TRC-2). */
static void test_hex_dump(void **state)
{
	(void)state;
	check_hex(syn_ok, SK_LINK_RAW, SK_PRINT_HEX, 0,
		  "IP 192.0.2.1.40000 > 192.0.2.2.40001: Flags [S], seq 100, win 65535, length 0\n"
		  "\t0x0000:  4500 0028 0001 4000 4006 b6cb c000 0201  E..(..@.@.......\n"
		  "\t0x0010:  c000 0202 9c40 9c41 0000 0064 0000 00c8  .....@.A...d....\n"
		  "\t0x0020:  5002 ffff f229 0007                      P....)..\n");
	/* On Ethernet the dump starts above the link-layer header. */
	check_hex("0200 0000 0002 0200 0000 0001 0800 4500 0028 0001 4000 4006 b6cb c000 0201"
		  "c000 0202 9c40 9c41 0000 0064 0000 00c8 5002 ffff f229 0007",
		  SK_LINK_ETHERNET, SK_PRINT_HEX, 0,
		  "IP 192.0.2.1.40000 > 192.0.2.2.40001: Flags [S], seq 100, win 65535, length 0\n"
		  "\t0x0000:  4500 0028 0001 4000 4006 b6cb c000 0201  E..(..@.@.......\n"
		  "\t0x0010:  c000 0202 9c40 9c41 0000 0064 0000 00c8  .....@.A...d....\n"
		  "\t0x0020:  5002 ffff f229 0007                      P....)..\n");
}

static void test_arp(void **state)
{
	(void)state;
	const char *eth = "ffff ffff ffff 0200 0000 0001 0806";
	char hex[512];
	snprintf(hex, sizeof(hex),
		 "%s 0001 0800 0604 0001 0200 0000 0001 c000 0201"
		 "0000 0000 0000 c000 0202",
		 eth);
	check_hex(hex, SK_LINK_ETHERNET, 0, 0,
		  "ARP, Request who-has 192.0.2.2 tell 192.0.2.1, length 28\n");
	check_hex(hex, SK_LINK_ETHERNET, SK_PRINT_VERBOSE, 0,
		  "ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.2 tell "
		  "192.0.2.1, length 28\n");
	snprintf(hex, sizeof(hex),
		 "%s 0001 0800 0604 0002 0200 0000 0002 c000 0202"
		 "0200 0000 0001 c000 0201",
		 eth);
	check_hex(hex, SK_LINK_ETHERNET, 0, 0,
		  "ARP, Reply 192.0.2.2 is-at 02:00:00:00:00:02, length 28\n");
	check_hex(hex, SK_LINK_ETHERNET, 0, 30, " [|arp]\n");
}

/* Echo, and a port unreachable quoting UDP: the quote is shown only with -v. */
static void test_icmp(void **state)
{
	(void)state;
	check_hex("4500 0024 0001 4000 4001 b6d4 c000 0201 c000 0202"
		  "0800 5435 1234 0001 6162 6364 6566 6768",
		  SK_LINK_RAW, 0, 0,
		  "IP 192.0.2.1 > 192.0.2.2: ICMP echo request, id 4660, seq 1, length 16\n");
	const char *unreach = "4500 0038 0001 4000 4001 b6c0 c000 0201 c000 0202"
			      "0303 bf79 0000 0578 4500 0021 0001 4000 4011 b6c7"
			      "c000 0201 c000 0202 9c40 9c41 000d ff7b";
	check_hex(unreach, SK_LINK_RAW, 0, 0,
		  "IP 192.0.2.1 > 192.0.2.2: ICMP 192.0.2.2 udp port 40001 unreachable, "
		  "length 36\n");
	check_hex(unreach, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length 56)\n"
		  "    192.0.2.1 > 192.0.2.2: ICMP 192.0.2.2 udp port 40001 unreachable, "
		  "length 36\n"
		  "\tIP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 33)\n"
		  "    192.0.2.1.40000 > 192.0.2.2.40001: UDP, length 5\n");
}

/* Truncation marks name the protocol being decoded where the bytes ran out. */
static void test_truncation(void **state)
{
	(void)state;
	check_hex(trc1_syn, SK_LINK_RAW, 0, 10, "IP  [|ip]\n");
	check_hex(trc1_syn, SK_LINK_RAW, 0, 22, "IP 10.0.0.1 > 10.0.0.2: [|tcp]\n");
	check_hex(trc1_syn, SK_LINK_RAW, 0, 30, "IP 10.0.0.1.32896 > 10.0.0.2.6378:  [|tcp]\n");
	check_hex(trc1_syn, SK_LINK_RAW, 0, 46,
		  "IP 10.0.0.1.32896 > 10.0.0.2.6378: Flags [S], seq 1368668675, win 29200, "
		  "options [mss 1460,sackOK, [|tcp]\n");
	check_hex("0200 0000 0002 0200", SK_LINK_ETHERNET, 0, 0, " [|ether]\n");
	/* Fragments after the first carry no transport header. */
	check_hex("4500 001c 0001 00b9 4006 0000 c000 0201 c000 0202 0000 0000 0000 0000",
		  SK_LINK_RAW, 0, 0, "IP 192.0.2.1 > 192.0.2.2: ip-proto-6\n");
	check_hex("4400 0028", SK_LINK_RAW, 0, 0, "IP  [|ip]\n");
	check_hex("4400 0028 0001 0000 4006 0000 c000 0201 c000 0202", SK_LINK_RAW, 0, 0,
		  "IP bad-hlen 16\n");
}

/* IPv6 (the expected lines are what tcpdump 4.99.3 prints for these bytes). */
static const char syn6[] = "6000 0000 001c 0640 2001 0db8 0000 0000 0000 0000 0000 0001"
			   "2001 0db8 0000 0000 0000 0000 0000 0002 9c40 9c41 0000 0064"
			   "0000 0000 7002 ffff eed8 0000 0204 05a0 0402 0101";
static const char echo6[] = "6000 0000 0010 3a40 2001 0db8 0000 0000 0000 0000 0000 0001"
			    "2001 0db8 0000 0000 0000 0000 0000 0002 8000 8075 1234 0001"
			    "6162 6364 6566 6768";

static void test_ipv6_tcp(void **state)
{
	(void)state;
	check_hex(syn6, SK_LINK_RAW, 0, 0,
		  "IP6 2001:db8::1.40000 > 2001:db8::2.40001: Flags [S], seq 100, win 65535, "
		  "options [mss 1440,sackOK,nop,nop], length 0\n");
	check_hex(syn6, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP6 (hlim 64, next-header TCP (6) payload length: 28) 2001:db8::1.40000 > "
		  "2001:db8::2.40001: Flags [S], cksum 0xeed8 (correct), seq 100, win 65535, "
		  "options [mss 1440,sackOK,nop,nop], length 0\n");
	/* After a routing header only the ports are shown, and the checksum's
	 * pseudo-header takes the route's last address. */
	check_hex("6000 0000 003c 2b40 2001 0db8 0000 0000 0000 0000 0000 0001"
		  "2001 0db8 0000 0000 0000 0000 0000 0002 0604 0001 0000 0000"
		  "2001 0db8 0000 0000 0000 0000 0000 0009 2001 0db8 0000 0000"
		  "0000 0000 0000 000a 9c40 9c41 0000 0001 0000 0002 5010 0064 1b6f 0000",
		  SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP6 (hlim 64, next-header Routing (43) payload length: 60) 2001:db8::1 > "
		  "2001:db8::2: RT6 (len=4, type=0 [Deprecated], segleft=1, rsv=0x0, "
		  "[0]2001:db8::9, [1]2001:db8::a) 40000 > 40001: Flags [.], cksum 0x1b6f "
		  "(correct), ack 2, win 100, length 0\n");
	/* Truncated: in the fixed header, and in the TCP header. */
	check_hex(syn6, SK_LINK_RAW, 0, 30, " [|ip6]\n");
	check_hex(syn6, SK_LINK_RAW, 0, 42, "IP6 2001:db8::1 > 2001:db8::2: [|tcp]\n");
}

static void test_ipv6_icmp6(void **state)
{
	(void)state;
	check_hex(
		echo6, SK_LINK_RAW, 0, 0,
		"IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 4660, seq 1, length 16\n");
	check_hex(echo6, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP6 (hlim 64, next-header ICMPv6 (58) payload length: 16) 2001:db8::1 > "
		  "2001:db8::2: [icmp6 sum ok] ICMP6, echo request, id 4660, seq 1\n");
	/* A hop-by-hop header with a router alert. */
	check_hex("6000 0000 0018 0040 2001 0db8 0000 0000 0000 0000 0000 0001"
		  "2001 0db8 0000 0000 0000 0000 0000 0002 3a00 0502 0000 0100"
		  "8000 8075 1234 0001 6162 6364 6566 6768",
		  SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP6 (hlim 64, next-header Options (0) payload length: 24) 2001:db8::1 > "
		  "2001:db8::2: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, echo request, "
		  "id 4660, seq 1\n");
	/* Neighbor solicitation: its options with -v only. */
	static const char ns[] = "6000 0000 0020 3aff 2001 0db8 0000 0000 0000 0000 0000 0001"
				 "2001 0db8 0000 0000 0000 0000 0000 0002 8700 ec72 0000 0000"
				 "2001 0db8 0000 0000 0000 0000 0000 0002 0101 0200 0000 0001";
	check_hex(ns, SK_LINK_RAW, 0, 0,
		  "IP6 2001:db8::1 > 2001:db8::2: ICMP6, neighbor solicitation, who has "
		  "2001:db8::2, length 32\n");
	check_hex(ns, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 32) 2001:db8::1 > "
		  "2001:db8::2: [icmp6 sum ok] ICMP6, neighbor solicitation, length 32, who has "
		  "2001:db8::2\n\t  source link-address option (1), length 8 (1): "
		  "02:00:00:00:00:01\n");
}

static void test_ipv6_fragments(void **state)
{
	(void)state;
	static const char first[] = "6000 0000 0018 2c40 2001 0db8 0000 0000 0000 0000 0000 0001"
				    "2001 0db8 0000 0000 0000 0000 0000 0002 1100 0001 0000 0007"
				    "9c40 9c41 0010 ca34 6461 7461 6772 616d";
	static const char later[] = "6000 0000 0018 2c40 2001 0db8 0000 0000 0000 0000 0000 0001"
				    "2001 0db8 0000 0000 0000 0000 0000 0002 1100 0010 0000 0007"
				    "6d6f 7265 6279 7465 736d 6f72 6562 7974";
	check_hex(first, SK_LINK_RAW, 0, 0,
		  "IP6 2001:db8::1 > 2001:db8::2: frag (0|16) 40000 > 40001: UDP, length 8\n");
	check_hex(first, SK_LINK_RAW, SK_PRINT_VERBOSE, 0,
		  "IP6 (hlim 64, next-header Fragment (44) payload length: 24) 2001:db8::1 > "
		  "2001:db8::2: frag (0x00000007:0|16) 40000 > 40001: UDP, length 8\n");
	check_hex(later, SK_LINK_RAW, 0, 0, "IP6 2001:db8::1 > 2001:db8::2: frag (16|16)\n");
}

/* The link types tcpdump -i any writes, and BSD loopback, around the same echo request. */
static void test_link_types(void **state)
{
	(void)state;
	char hex[512];
	const char *line = "IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 4660, seq 1, "
			   "length 16\n";
	char want[256];
	/* SLL2: interface index 0 names no interface ("?"), packet type 4 is "Out". */
	snprintf(hex, sizeof(hex), "86dd 0000 0000 0000 0001 0406 0200 0000 0001 0000 %s", echo6);
	snprintf(want, sizeof(want), "?     Out %s", line);
	check_hex(hex, SK_LINK_SLL2, 0, 0, want);
	snprintf(hex, sizeof(hex), "0000 0001 0006 0200 0000 0001 0000 86dd %s", echo6);
	check_hex(hex, SK_LINK_SLL, 0, 0, line);
	check_hex("0003 0001 0006 0200 0000 0001 0000 88b5 6162 63", SK_LINK_SLL, 0, 0,
		  "  P 02:00:00:00:00:01 ethertype Unknown (0x88b5), length 19: \n"
		  "\t0x0000:  6162 63                                  abc\n");
	check_hex("0000 0001 0006 0200", SK_LINK_SLL, 0, 0, " [|sll]\n");
	/* NULL: the family in either byte order; LOOP: in network byte order. */
	snprintf(hex, sizeof(hex), "1800 0000 %s", echo6);
	check_hex(hex, SK_LINK_NULL, 0, 0, line);
	snprintf(hex, sizeof(hex), "0000 001e %s", echo6);
	check_hex(hex, SK_LINK_NULL, 0, 0, line);
	snprintf(hex, sizeof(hex), "0000 001c %s", echo6);
	check_hex(hex, SK_LINK_LOOP, 0, 0, line);
	check_hex("6300 0000 6162 63", SK_LINK_NULL, 0, 0,
		  "AF Unknown (99), length 7: \n"
		  "\t0x0000:  6162 63                                  abc\n");
	/* Raw IPv6 as LINKTYPE_IPV6. */
	check_hex(echo6, SK_LINK_IPV6, 0, 0, line);
}

static void test_timestamps(void **state)
{
	(void)state;
	uint8_t b[40];
	size_t n = sk_test_hex(syn_ok, b, sizeof(b));
	char *got = print_to_string(b, (uint32_t)n, (uint32_t)n, SK_LINK_RAW, 0, SK_TS_UTC, 0, 0);
	assert_memory_equal(got, "00:00:00.000000 IP ", 19);
	free(got);
	got = print_to_string(b, (uint32_t)n, (uint32_t)n, SK_LINK_RAW, 0, SK_TS_UTC,
			      86400 * 365 + 86399, 999999);
	assert_memory_equal(got, "23:59:59.999999 IP ", 19);
	free(got);
	/* tcpdump 4.99.3 converts no time with bit 31 set: from 2^31 s (2038-01-19) on, and
	 * negative 32-bit times as a pcap file stores them; past 2^32 s it converts again. */
	got = print_to_string(b, (uint32_t)n, (uint32_t)n, SK_LINK_RAW, 0, SK_TS_UTC,
			      INT64_C(0x7fffffff), 7);
	assert_memory_equal(got, "03:14:07.000007 IP ", 19);
	free(got);
	static const int64_t bad[] = {INT64_C(0x80000000), INT64_C(0xffffffff), -1,
				      INT64_C(-2147483648), INT64_C(0x180000000)};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = print_to_string(b, (uint32_t)n, (uint32_t)n, SK_LINK_RAW, 0, SK_TS_UTC,
				      bad[i], 7);
		assert_memory_equal(got, "[Error converting time] IP ", 27);
		free(got);
	}
	got = print_to_string(b, (uint32_t)n, (uint32_t)n, SK_LINK_RAW, 0, SK_TS_UTC,
			      INT64_C(0x100000000), 7);
	assert_memory_equal(got, "06:28:16.000007 IP ", 19);
	free(got);
	/* Local time: India is UTC+5:30 all year. */
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	got = print_to_string(b, (uint32_t)n, (uint32_t)n, SK_LINK_RAW, 0, SK_TS_LOCAL, 0, 42);
	assert_memory_equal(got, "05:30:00.000042 IP ", 19);
	free(got);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
}

/* Feeds arbitrary and mutated frames in buffers of exactly caplen bytes: under ASan any
 * read past the capture is an error; the printer must also always finish its line. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_arbitrary_bytes(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		trc1_syn,
		syn_ok,
		"4500 0038 0001 4000 4001 b6c0 c000 0201 c000 0202 0303 bf79 0000 0578 4f00 0021"
		"0001 4000 4011 b6c7 c000 0201 c000 0202 0701 0402 8307 0409 9c40 9c41 000d ff7b",
		"4600 0040 0001 4000 4006 0000 c000 0201 c000 0202 4408 0501 0000 0001 9c40 9c41"
		"0000 0001 0000 0002 b010 ffff 0000 0000 1e0c 0081 0102 0304 0506 0708 1e14 2000"
		"0102 0304 0506 0708",
		"4500 00c0 0001 0000 4001 0000 c000 0201 c000 0202 0b00 0000 0020 0000 4500 0080",
		syn6,
		echo6,
		/* hop-by-hop (jumbo option, payload length 0), routing, fragment, then TCP */
		"6000 0000 0000 0040 2001 0db8 0000 0000 0000 0000 0000 0001 2001 0db8 0000 0000"
		"0000 0000 0000 0002 2b00 c204 0001 0000 2c02 0001 0000 0000 2001 0db8 0000 0000"
		"0000 0000 0000 0009 0600 0000 0000 0007 9c40 9c41 0000 0001 0000 0002 6010 0064"
		"0000 0000 0204 05a0",
		/* router advertisement: prefix, MTU, RDNSS, DNSSL, route information */
		"6000 0000 0080 3aff 2001 0db8 0000 0000 0000 0000 0000 00fe 2001 0db8 0000 0000"
		"0000 0000 0000 0001 8600 0000 40c0 0708 0000 0000 0000 0000 0303 40c0 0000 0e10"
		"0000 0e10 0000 0000 2001 0db8 0000 0000 0000 0000 0000 0000 0501 0000 0000 05dc"
		"1903 0000 0000 003c 2001 0db8 0000 0000 0000 0000 0000 0001 1f03 0000 0000 003c"
		"0361 6263 c018 0000 1802 3008 ffff ffff 2001 0db8 0000 0000",
		/* destination unreachable quoting IPv6 UDP */
		"6000 0000 0038 3a40 2001 0db8 0000 0000 0000 0000 0000 00fe 2001 0db8 0000 0000"
		"0000 0000 0000 0001 0104 0000 0000 0000 6000 0000 0010 1101 2001 0db8 0000 0000"
		"0000 0000 0000 0001 2001 0db8 0000 0000 0000 0000 0000 0002 9c40 9c41 0010 0000",
	};
	static const int links[] = {SK_LINK_ETHERNET, SK_LINK_RAW,  SK_LINK_SLL,
				    SK_LINK_SLL2,     SK_LINK_NULL, SK_LINK_LOOP};
	uint64_t rs = 0x9e3779b97f4a7c15u;
	FILE *null = fopen("/dev/null", "w");
	assert_non_null(null);
	for (int i = 0; i < 200000; i++) {
		uint8_t base[256];
		size_t n;
		if (i % 4 == 0) {
			n = next_rand(&rs) % 200;
			for (size_t k = 0; k < n; k++)
				base[k] = (uint8_t)next_rand(&rs);
		} else {
			n = sk_test_hex(seeds[next_rand(&rs) % (sizeof(seeds) / sizeof(seeds[0]))],
					base, sizeof(base));
			for (int k = (int)(next_rand(&rs) % 6); k > 0; k--)
				base[next_rand(&rs) % n] ^= (uint8_t)next_rand(&rs);
		}
		int link = links[next_rand(&rs) % (sizeof(links) / sizeof(links[0]))];
		uint8_t frame[300];
		size_t fn = 0;
		static const uint8_t types[][2] = {{8, 0},	 {8, 6},       {0x81, 0},
						   {0x12, 0x34}, {0x86, 0xdd}, {0, 0x77}};
		const uint8_t *type = types[next_rand(&rs) % 6];
		if (link == SK_LINK_ETHERNET) {
			memset(frame, 2, 12);
			memcpy(frame + 12, type, 2);
			fn = 14;
		} else if (link == SK_LINK_SLL) {
			memset(frame, 0, 14);
			frame[5] = (uint8_t)(next_rand(&rs) % 9);
			memcpy(frame + 14, type, 2);
			fn = 16;
		} else if (link == SK_LINK_SLL2) {
			memset(frame, 0, 20);
			memcpy(frame, type, 2);
			frame[11] = (uint8_t)(next_rand(&rs) % 9);
			fn = 20;
		} else if (link == SK_LINK_NULL || link == SK_LINK_LOOP) {
			static const uint8_t fams[][4] = {{2, 0, 0, 0},
							  {0, 0, 0, 24},
							  {28, 0, 0, 0},
							  {0, 0, 0, 30},
							  {99, 0, 0, 0}};
			memcpy(frame, fams[next_rand(&rs) % 5], 4);
			fn = 4;
		}
		memcpy(frame + fn, base, n);
		fn += n;
		size_t cap = fn ? 1 + next_rand(&rs) % fn : 0;
		uint8_t *exact = malloc(cap ? cap : 1);
		assert_non_null(exact);
		memcpy(exact, frame, cap);
		struct sk_pkt_meta m = {.sec = (int64_t)(next_rand(&rs) % 2000000000u),
					.usec = (uint32_t)(next_rand(&rs) % 1000000),
					.caplen = (uint32_t)cap,
					.len = (uint32_t)(fn + next_rand(&rs) % 3),
					.linktype = link};
		sk_print_packet(null, &m, exact, (unsigned)(next_rand(&rs) % 4),
				(enum sk_ts_style)(next_rand(&rs) % 3));
		free(exact);
	}
	fclose(null);
}

/* No state survives a call: the same packet prints the same text every time, whatever
 * was printed in between (tcpdump's relative sequence numbers would break this). */
static void test_stateless(void **state)
{
	(void)state;
	uint8_t a[64], b[64];
	size_t na = sk_test_hex(trc1_syn, a, sizeof(a));
	size_t nb = sk_test_hex(syn_bad, b, sizeof(b));
	char *first =
		print_to_string(a, (uint32_t)na, (uint32_t)na, SK_LINK_RAW, 3, SK_TS_UTC, 5, 6);
	char *other =
		print_to_string(b, (uint32_t)nb, (uint32_t)nb, SK_LINK_RAW, 3, SK_TS_UTC, 5, 6);
	char *again =
		print_to_string(a, (uint32_t)na, (uint32_t)na, SK_LINK_RAW, 3, SK_TS_UTC, 5, 6);
	assert_string_equal(first, again);
	free(first);
	free(other);
	free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trc1_syn),
		cmocka_unit_test(test_flag_letters),
		cmocka_unit_test(test_checksum_verdicts),
		cmocka_unit_test(test_hex_dump),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_ipv6_tcp),
		cmocka_unit_test(test_ipv6_icmp6),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_arbitrary_bytes),
		cmocka_unit_test(test_stateless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
