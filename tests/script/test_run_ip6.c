/* The script runner's --ip_version in-process against synack, and a folder's VARIANTS in a suite run. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "script/run.h"
#include "script/script.h"
#include "script/suite.h"

/* Runs a script held in text against a fresh in-process synack, with extra options (or
 * none); why gets the reason. */
static enum sk_run_result run_text(const char *text, const struct sk_sopt *extra, int nextra, char *why, size_t n)
{
	struct sk_script *s = NULL;
	if (sk_script_parse(text, strlen(text), "t.pkt", &s, why, n) != 0)
		fail_msg("parse: %s", why);
	struct sk_backend *b = sk_be_synack_new();
	assert_non_null(b);
	struct sk_run_opts o = {.log = NULL, .extra = extra, .nextra = nextra};
	enum sk_run_result r = sk_run_script(s, b, &o, why, n);
	sk_script_free(s);
	return r;
}

/* A passive open in the notation every version shares; the MSS line is the caller's. */
#define PASSIVE(MSS)                                                                    \
	"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"                                 \
	"+0 bind(3, ..., ...) = 0\n"                                                    \
	"+0 listen(3, 1) = 0\n"                                                         \
	"+0 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"    \
	"+0 > S. 0:0(0) ack 1 <mss " MSS ",sackOK,TS val 0 ecr 100,nop,wscale 10>\n"  \
	"+.01 < . 1:1(0) ack 1 win 1024 <nop,nop,TS val 110 ecr 0>\n"                  \
	"+0 accept(3, ..., ...) = 4\n"

/* The accepted socket's family (%s). */
#define DOMAIN_IS "+0 getsockopt(4, SOL_SOCKET, SO_DOMAIN, [%s], [4]) = 0\n"

static void test_versions_in_process(void **state)
{
	(void)state;
	char why[1024], text[2048];
	/* ipv4 (the default): AF_INET, MSS 1500 - 40 */
	snprintf(text, sizeof(text), PASSIVE("1460") DOMAIN_IS, "AF_INET");
	assert_int_equal(run_text(text, NULL, 0, why, sizeof(why)), SK_RUN_PASS);
	/* ipv4-mapped-ipv6: AF_INET6 sockets, IPv4 on the wire */
	snprintf(text, sizeof(text), "--ip_version=ipv4-mapped-ipv6\n" PASSIVE("1460") DOMAIN_IS, "AF_INET6");
	assert_int_equal(run_text(text, NULL, 0, why, sizeof(why)), SK_RUN_PASS);
	/* ipv6: the same 1500-byte link gives 1440 */
	snprintf(text, sizeof(text), "--ip_version=ipv6\n" PASSIVE("1440") DOMAIN_IS, "AF_INET6");
	assert_int_equal(run_text(text, NULL, 0, why, sizeof(why)), SK_RUN_PASS);
	snprintf(text, sizeof(text), "--ip_version=ipv6\n" PASSIVE("1460") DOMAIN_IS, "AF_INET6");
	assert_int_equal(run_text(text, NULL, 0, why, sizeof(why)), SK_RUN_FAIL);
	assert_non_null(strstr(why, "mss: expected 1460, got 1440"));
	/* other addresses, written as the version's text */
	snprintf(text, sizeof(text),
		 "--ip_version=ipv6\n--local_ip=2001:db8:5::7\n--remote_ip=2001:db8:9::1\n" PASSIVE("1440") DOMAIN_IS,
		 "AF_INET6");
	assert_int_equal(run_text(text, NULL, 0, why, sizeof(why)), SK_RUN_PASS);
}

static void test_options_from_outside(void **state)
{
	(void)state;
	char why[1024], text[2048];
	/* an IPv4 script run over IPv6 as packetdrill's run_all.py runs it: --mtu=1520 keeps
	 * <mss 1460> right */
	struct sk_sopt v6[2] = {{"ip_version", "ipv6", 0}, {"mtu", "1520", 0}};
	snprintf(text, sizeof(text), PASSIVE("1460") DOMAIN_IS, "AF_INET6");
	assert_int_equal(run_text(text, v6, 2, why, sizeof(why)), SK_RUN_PASS);
	/* the script's own options win */
	snprintf(text, sizeof(text), "--mtu=1280\n" PASSIVE("1220") DOMAIN_IS, "AF_INET6");
	if (run_text(text, v6, 2, why, sizeof(why)) != SK_RUN_PASS)
		fail_msg("%s", why);
	snprintf(text, sizeof(text), "--ip_version=ipv4\n" PASSIVE("1480") DOMAIN_IS, "AF_INET"); /* 1520 - 40 */
	if (run_text(text, v6, 2, why, sizeof(why)) != SK_RUN_PASS)
		fail_msg("%s", why);
}

static void test_option_errors(void **state)
{
	(void)state;
	char why[1024];
	const char *body = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
	struct {
		const char *opts, *reason;
	} bad[] = {
		{"--ip_version=ipv5\n", "want ipv4, ipv4-mapped-ipv6 or ipv6"},
		{"--ip_version=ipv6\n--local_ip=192.0.2.2\n", "not an IPv6 address"},
		{"--ip_version=ipv4-mapped-ipv6\n--remote_ip=::ffff:192.0.2.1\n", "IPv4 address it maps"},
		{"--remote_ip=2001:db8::1\n", "not an IPv4 address"},
		{"--ip_version=ipv6\n--mtu=1200\n", "at least 1280"},
		{"--ip_version=ipv6\n--local_ip=2001:db8::1\n", "same address"},
		{"--ip_version=ipv6\n--local_ip=::\n", "unspecified"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "%s%s", bad[i].opts, body);
		assert_int_equal(run_text(text, NULL, 0, why, sizeof(why)), SK_RUN_ERROR);
		if (!strstr(why, bad[i].reason))
			fail_msg("%s: '%s' not in '%s'", bad[i].opts, bad[i].reason, why);
	}
}

static void test_icmp_per_version(void **state)
{
	(void)state;
	char why[1024];
	/* ICMP lines are ICMPv6 over IPv6: an IPv4 code name is refused with the line */
	const char *text = "--ip_version=ipv6\n" PASSIVE("1440") DOMAIN_IS
		"+0 write(4, ..., 100) = 100\n"
		"+0 > P. 1:101(100) ack 1 <...>\n"
		"+.01 < [1:101(100)] icmp unreachable frag_needed mtu 1280\n";
	char t[2048];
	snprintf(t, sizeof(t), text, "AF_INET6");
	assert_int_equal(run_text(t, NULL, 0, why, sizeof(why)), SK_RUN_FAIL);
	assert_non_null(strstr(why, "t.pkt:12: unknown ICMPv6 type or code"));
	/* UDP: a datagram out, ICMPv6 port unreachable back, ECONNREFUSED */
	const char *udp = "--ip_version=ipv6\n"
			  "0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
			  "+0 connect(3, ..., ...) = 0\n"
			  "+0 write(3, ..., 10) = 10\n"
			  "+0 > udp (10)\n"
			  "+0 < icmp unreachable port_unreachable\n"
			  "+0 recv(3, ..., 100, MSG_DONTWAIT) = -1 ECONNREFUSED\n";
	assert_int_equal(run_text(udp, NULL, 0, why, sizeof(why)), SK_RUN_PASS);
}

/* ---- a suite with a folder's VARIANTS ---- */

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *suite_output(char *const *paths, int n, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	struct sk_suite_opts o = {.out = out};
	*rc = sk_suite_run(paths, n, &o);
	fclose(out);
	return buf;
}

static void test_suite_variants(void **state)
{
	(void)state;
	char dir[] = "/tmp/sk-variants-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char a[128], b[128], v[128];
	snprintf(a, sizeof(a), "%s/a.pkt", dir);
	snprintf(b, sizeof(b), "%s/b-v4.pkt", dir);
	snprintf(v, sizeof(v), "%s/VARIANTS", dir);
	char text[2048];
	snprintf(text, sizeof(text), "%s", "// a\n" PASSIVE("1460"));
	put_file(a, text);
	put_file(b, "// b: IPv4 only\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		    "+0 getsockopt(3, SOL_SOCKET, SO_DOMAIN, [AF_INET], [4]) = 0\n");
	put_file(v, "# IPv6 as run_all.py\n--ip_version=ipv6 --mtu=1520 !*-v4.pkt   # not b\n\n"
		    "--ip_version=ipv4-mapped-ipv6 a.pkt\n");
	char *paths[] = {a, b};
	int rc;
	char *out = suite_output(paths, 2, &rc);
	if (rc != 0)
		fail_msg("%s", out);
	assert_non_null(strstr(out, "a.pkt (0."));
	assert_non_null(strstr(out, "a.pkt [--ip_version=ipv6 --mtu=1520] ("));
	assert_non_null(strstr(out, "a.pkt [--ip_version=ipv4-mapped-ipv6] ("));
	assert_null(strstr(out, "b-v4.pkt ["));
	assert_non_null(strstr(out, "4 scripts against synack: 4 passed, 0 failed, 0 could not run; 2 of the runs "
				    "were a folder's VARIANTS"));
	free(out);

	/* a failing variant run says which variant */
	put_file(v, "--ip_version=ipv6\n");
	out = suite_output(paths, 1, &rc);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "FAIL  [--ip_version=ipv6] "));
	assert_non_null(strstr(out, "mss: expected 1460, got 1440"));
	free(out);

	/* a line that is not options */
	put_file(v, "-x a.pkt\n");
	out = suite_output(paths, 1, &rc);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "VARIANTS:1: '-x': options are written --name=value"));
	free(out);
	put_file(v, "a.pkt\n");
	out = suite_output(paths, 1, &rc);
	assert_non_null(strstr(out, "VARIANTS:1: a variant without options"));
	free(out);

	unlink(a);
	unlink(b);
	unlink(v);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_in_process),
		cmocka_unit_test(test_options_from_outside),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_icmp_per_version),
		cmocka_unit_test(test_suite_variants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
