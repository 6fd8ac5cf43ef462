/* The script parser: every construct of packetdrill's language down to the AST, and errors. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script/script.h"

static struct sk_script *parse_ok(const char *text)
{
	char why[256] = "";
	struct sk_script *s = NULL;
	if (sk_script_parse(text, strlen(text), "t.pkt", &s, why, sizeof(why)) != 0)
		fail_msg("unexpected parse error: %s", why);
	assert_non_null(s);
	return s;
}

/* The script must fail at `line` with `reason` somewhere in the message. */
static void parse_bad_n(const char *text, size_t len, int line, const char *reason)
{
	char why[256] = "", prefix[32];
	struct sk_script *s = (struct sk_script *)1;
	int r = sk_script_parse(text, len, "t.pkt", &s, why, sizeof(why));
	if (r != -1 || s != NULL)
		fail_msg("parsed but should fail (%s): %s", reason, text);
	snprintf(prefix, sizeof(prefix), "t.pkt:%d: ", line);
	if (strncmp(why, prefix, strlen(prefix)) != 0 || !strstr(why, reason))
		fail_msg("wanted \"%s...%s\", got \"%s\"", prefix, reason, why);
}

static void parse_bad(const char *text, int line, const char *reason)
{
	parse_bad_n(text, strlen(text), line, reason);
}

/* An expression printed into a buffer that lives until the end of the enclosing statement. */
#define fmt(x) sk_sx_format((x), (char[256]){0}, 256)

static void test_times(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0 close(3) = 0\n"
				       "1.5 close(3) = 0\n"
				       ".1 close(3) = 0\n"
				       "+0 close(3) = 0\n"
				       "+.1 close(3) = 0\n"
				       "+1.25 close(3) = 0\n"
				       "* close(3) = 0\n"
				       "0.1~0.2 close(3) = 0\n"
				       "+0.1~+0.2 close(3) = 0\n"
				       "0.0000005 close(3) = 0\n"
				       "2.0000004 close(3) = 0\n"
				       "1000000 close(3) = 0\n");
	assert_int_equal(s->nev, 12);
	const struct {
		int kind;
		int64_t t, t_end;
	} want[] = {
		{ST_ABS, 0, 0},
		{ST_ABS, 1500000, 0},
		{ST_ABS, 100000, 0},
		{ST_REL, 0, 0},
		{ST_REL, 100000, 0},
		{ST_REL, 1250000, 0},
		{ST_ANY, 0, 0},
		{ST_ABS_RANGE, 100000, 200000},
		{ST_REL_RANGE, 100000, 200000},
		{ST_ABS, 1, 0},
		{ST_ABS, 2000000, 0},
		{ST_ABS, 1000000000000LL, 0},
	};
	for (int i = 0; i < 12; i++) {
		assert_int_equal(s->ev[i].line, i + 1);
		assert_int_equal(s->ev[i].tkind, want[i].kind);
		assert_int_equal(s->ev[i].t, want[i].t);
		assert_int_equal(s->ev[i].t_end, want[i].t_end);
		assert_int_equal(s->ev[i].kind, SE_CALL);
		assert_int_equal(s->ev[i].call.blocking, 0);
	}
	sk_script_free(s);
}

static void test_blocking_calls(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0.000...0.100 accept(3, ..., ...) = 4\n"
				       "+0...0.100 read(4, ..., 2000) = 2000\n"
				       "+.1...0.200 read(4, ..., 10) = 10\n"
				       "1...2 close(4) = 0\n");
	assert_int_equal(s->nev, 4);
	assert_int_equal(s->ev[0].tkind, ST_ABS);
	assert_int_equal(s->ev[0].t, 0);
	assert_int_equal(s->ev[0].call.blocking, 1);
	assert_int_equal(s->ev[0].call.end, 100000);
	assert_string_equal(s->ev[0].call.name, "accept");
	assert_int_equal(s->ev[0].call.nargs, 3);
	assert_int_equal(s->ev[0].call.args[1]->kind, SX_ELLIPSIS);
	assert_int_equal(s->ev[0].call.ret->num, 4);
	assert_int_equal(s->ev[1].tkind, ST_REL);
	assert_int_equal(s->ev[1].t, 0);
	assert_int_equal(s->ev[1].call.end, 100000);
	assert_int_equal(s->ev[2].tkind, ST_REL);
	assert_int_equal(s->ev[2].t, 100000);
	assert_int_equal(s->ev[2].call.end, 200000);
	assert_int_equal(s->ev[2].call.blocking, 1);
	assert_int_equal(s->ev[3].t, 1000000);
	assert_int_equal(s->ev[3].call.end, 2000000);
	sk_script_free(s);
}

static void test_tcp_flags(void **state)
{
	(void)state;
	const struct {
		const char *f;
		uint16_t bits;
	} cases[] = {
		{"S", 0x02},  {"S.", 0x12},  {"P.", 0x18},	 {"F.", 0x11},	{"R", 0x04},
		{"R.", 0x14}, {"FP.", 0x19}, {"SEW", 0xc2},	 {"SE.", 0x52}, {".", 0x10},
		{"-", 0x00},  {"U.", 0x30},  {"FSRPUEW.", 0xff},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "0 < %s 0:0(0) win 100", cases[i].f);
		struct sk_script *s = parse_ok(text);
		assert_int_equal(s->nev, 1);
		assert_int_equal(s->ev[0].kind, SE_PACKET);
		assert_int_equal(s->ev[0].pkt.proto, SP_TCP);
		assert_int_equal(s->ev[0].pkt.flags, cases[i].bits);
		sk_script_free(s);
	}
}

static void test_tcp_seq_ack_win(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0 < P. 1:1001(1000) ack 4294967295 win 65535\n"
				       "+0 > . 1:1(0) ack 1001\n"
				       "+0 > S 0:0(0)\n"
				       "+0 < . 4294967000:704(1000) win 0\n");
	const struct sk_sp *p = &s->ev[0].pkt;
	assert_int_equal(p->dir, '<');
	assert_int_equal(p->seq, 1);
	assert_int_equal(p->end, 1001);
	assert_int_equal(p->len, 1000);
	assert_true(p->has_ack);
	assert_int_equal(p->ack, 4294967295u);
	assert_true(p->has_win);
	assert_int_equal(p->win, 65535);
	assert_int_equal(p->opts, SP_OPTS_NONE);
	assert_int_equal(p->ecn, SP_ECN_ANY);
	p = &s->ev[1].pkt;
	assert_int_equal(p->dir, '>');
	assert_true(p->has_ack);
	assert_int_equal(p->ack, 1001);
	assert_false(p->has_win);
	p = &s->ev[2].pkt;
	assert_false(p->has_ack);
	assert_false(p->has_win);
	p = &s->ev[3].pkt; /* wraps around 2^32 */
	assert_int_equal(p->seq, 4294967000u);
	assert_int_equal(p->end, 704);
	assert_int_equal(p->len, 1000);
	assert_int_equal(p->win, 0);
	sk_script_free(s);
}

static void test_tcp_options(void **state)
{
	(void)state;
	struct sk_script *s =
		parse_ok("0 < S 0:0(0) win 32792 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
			 "+0 > S. 0:0(0) ack 1 <...>\n"
			 "+0 < . 1:1(0) ack 1 win 257 <nop,nop,sack 1001:2001 3001:4001 5001:6001 "
			 "7001:8001,eol>\n"
			 "+0 < . 1:1(0) ack 1 win 257 < nop , sack 10:20 >\n");
	const struct sk_sp *p = &s->ev[0].pkt;
	assert_int_equal(p->opts, SP_OPTS_LIST);
	assert_int_equal(p->nopt, 5);
	assert_int_equal(p->opt[0].kind, 2);
	assert_int_equal(p->opt[0].val, 1460);
	assert_int_equal(p->opt[1].kind, 4);
	assert_int_equal(p->opt[2].kind, 8);
	assert_int_equal(p->opt[2].val, 100);
	assert_int_equal(p->opt[2].ecr, 0);
	assert_int_equal(p->opt[3].kind, 1);
	assert_int_equal(p->opt[4].kind, 3);
	assert_int_equal(p->opt[4].val, 7);
	p = &s->ev[1].pkt;
	assert_int_equal(p->opts, SP_OPTS_ANY);
	assert_int_equal(p->nopt, 0);
	p = &s->ev[2].pkt;
	assert_int_equal(p->nopt, 4);
	assert_int_equal(p->opt[0].kind, 1);
	assert_int_equal(p->opt[2].kind, 5);
	assert_int_equal(p->opt[2].nsack, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(p->opt[2].sack[i][0], 1001 + 2000 * i);
		assert_int_equal(p->opt[2].sack[i][1], 2001 + 2000 * i);
	}
	assert_int_equal(p->opt[3].kind, 0);
	p = &s->ev[3].pkt;
	assert_int_equal(p->nopt, 2);
	assert_int_equal(p->opt[1].nsack, 1);
	assert_int_equal(p->opt[1].sack[0][0], 10);
	assert_int_equal(p->opt[1].sack[0][1], 20);
	sk_script_free(s);
}

static void test_ecn(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0 < [noecn] S 0:0(0)\n"
				       "+0 < [ect0] . 1:1(0) ack 1\n"
				       "+0 < [ect1] . 1:1(0) ack 1\n"
				       "+0 > [ect01] . 1:1(0) ack 1\n"
				       "+0 < [ce] SEW 0:0(0)\n"
				       "+0 > . 1:1(0) ack 1\n");
	const int want[] = {SP_ECN_NOT,	  SP_ECN_ECT0, SP_ECN_ECT1,
			    SP_ECN_ECT01, SP_ECN_CE,   SP_ECN_ANY};
	assert_int_equal(s->nev, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(s->ev[i].pkt.ecn, want[i]);
	assert_int_equal(s->ev[4].pkt.flags, 0xc2);
	sk_script_free(s);
}

static void test_udp_and_icmp(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0 < udp (100)\n"
				       "+0 > [ect0] udp (0)\n"
				       "+0 < [1:1461(1460)] icmp unreachable frag_needed mtu 1200\n"
				       "+0 > [udp (100)] icmp unreachable port_unreachable\n"
				       "+0 < icmp time_exceeded\n"
				       "+0 < icmp echo_request mtu 576\n");
	assert_int_equal(s->nev, 6);
	const struct sk_sp *p = &s->ev[0].pkt;
	assert_int_equal(p->proto, SP_UDP);
	assert_int_equal(p->dir, '<');
	assert_int_equal(p->len, 100);
	p = &s->ev[1].pkt;
	assert_int_equal(p->proto, SP_UDP);
	assert_int_equal(p->len, 0);
	assert_int_equal(p->ecn, SP_ECN_ECT0);
	p = &s->ev[2].pkt;
	assert_int_equal(p->proto, SP_ICMP);
	assert_int_equal(p->echoed, 1);
	assert_int_equal(p->echo_seq, 1);
	assert_int_equal(p->echo_end, 1461);
	assert_int_equal(p->echo_len, 1460);
	assert_string_equal(p->icmp_type, "unreachable");
	assert_string_equal(p->icmp_code, "frag_needed");
	assert_true(p->has_mtu);
	assert_int_equal(p->mtu, 1200);
	p = &s->ev[3].pkt;
	assert_int_equal(p->proto, SP_ICMP);
	assert_int_equal(p->dir, '>');
	assert_int_equal(p->echoed, 2);
	assert_int_equal(p->echo_len, 100);
	assert_string_equal(p->icmp_code, "port_unreachable");
	assert_false(p->has_mtu);
	p = &s->ev[4].pkt;
	assert_int_equal(p->echoed, 0);
	assert_string_equal(p->icmp_type, "time_exceeded");
	assert_null(p->icmp_code);
	p = &s->ev[5].pkt;
	assert_string_equal(p->icmp_type, "echo_request");
	assert_null(p->icmp_code);
	assert_int_equal(p->mtu, 576);
	sk_script_free(s);
}

static void test_syscalls_errno_note(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok(
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		"+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
		"+0 close(4) = 0\n"
		"+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
		"+0 getpid() = ...\n"
		"+0 read(3, ..., 10) = -1 EAGAIN (Resource   temporarily\n  unavailable (x))\n"
		"+0 write(3, ..., 10) = -1 EPIPE\n"
		"+0 close(3) = 0\n");
	assert_int_equal(s->nev, 8);
	const struct sk_se_call *c = &s->ev[0].call;
	assert_string_equal(c->name, "socket");
	assert_int_equal(c->nargs, 3);
	assert_int_equal(c->args[0]->kind, SX_ELLIPSIS);
	assert_int_equal(c->args[1]->kind, SX_WORD);
	assert_string_equal(c->args[1]->str, "SOCK_STREAM");
	assert_string_equal(c->args[2]->str, "IPPROTO_TCP");
	assert_int_equal(c->ret->kind, SX_INT);
	assert_int_equal(c->ret->num, 3);
	assert_null(c->err);
	assert_null(c->note);
	c = &s->ev[1].call;
	assert_int_equal(c->ret->num, -1);
	assert_string_equal(c->err, "EINPROGRESS");
	assert_string_equal(c->note, "Operation now in progress");
	c = &s->ev[3].call;
	assert_int_equal(c->nargs, 5);
	assert_int_equal(c->args[3]->kind, SX_LIST);
	assert_int_equal(c->args[3]->n, 1);
	assert_int_equal(c->args[3]->v[0]->num, 0);
	assert_string_equal(fmt(c->args[4]), "[4]");
	c = &s->ev[4].call;
	assert_int_equal(c->nargs, 0);
	assert_int_equal(c->ret->kind, SX_ELLIPSIS);
	c = &s->ev[5].call;
	assert_string_equal(c->err, "EAGAIN");
	assert_string_equal(c->note, "Resource temporarily unavailable (x)");
	assert_int_equal(s->ev[6].line, 8); /* the note spanned a line */
	c = &s->ev[6].call;
	assert_string_equal(c->err, "EPIPE");
	assert_null(c->note);
	assert_int_equal(s->ev[7].line, 9);
	sk_script_free(s);
}

static void test_expressions(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok(
		"0 f(3, -1, 0x10, -9223372036854775808, 9223372036854775807, SOCK_STREAM) = 0\n"
		"+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), "
		"sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0\n"
		"+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = "
		"1000\n"
		"+0 poll([{fd=4, events=POLLIN, revents=POLLIN|POLLOUT}], 1, 0) = 1\n"
		"+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
		"+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
		"+0 writev(4, [{..., 100}, {..., 200}], 2) = 300\n"
		"+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK|O_APPEND) = 0\n"
		"+0 g([], {}, [[1, [2]], {a={b={c=1}}}], {x()=2}) = 0\n");
	assert_int_equal(s->nev, 9);
	struct sk_sx **a = s->ev[0].call.args;
	assert_int_equal(a[0]->kind, SX_INT);
	assert_int_equal(a[0]->num, 3);
	assert_int_equal(a[1]->num, -1);
	assert_int_equal(a[2]->num, 16);
	assert_true(a[3]->num == INT64_MIN);
	assert_true(a[4]->num == INT64_MAX);
	assert_int_equal(a[5]->kind, SX_WORD);

	/* bind: a struct of fields, two of them calls */
	struct sk_sx *st = s->ev[1].call.args[1];
	assert_int_equal(st->kind, SX_STRUCT);
	assert_int_equal(st->n, 3);
	assert_int_equal(st->v[0]->kind, SX_FIELD);
	assert_string_equal(st->v[0]->str, "sa_family");
	assert_null(st->v[0]->v);
	assert_int_equal(st->v[0]->rhs->kind, SX_WORD);
	assert_string_equal(st->v[0]->rhs->str, "AF_INET");
	struct sk_sx *port = st->v[1]->rhs;
	assert_int_equal(port->kind, SX_CALL);
	assert_string_equal(port->str, "htons");
	assert_int_equal(port->n, 1);
	assert_int_equal(port->v[0]->num, 8080);
	struct sk_sx *addr = st->v[2]->rhs;
	assert_int_equal(addr->kind, SX_CALL);
	assert_int_equal(addr->v[0]->kind, SX_STRING);
	assert_string_equal(addr->v[0]->str, "192.0.2.1");
	assert_string_equal(fmt(st), "{sa_family=AF_INET, sin_port=htons(8080), "
				     "sin_addr=inet_addr(\"192.0.2.1\")}");
	assert_string_equal(fmt(port), "htons(8080)");

	/* sendmsg: fields with arguments */
	st = s->ev[2].call.args[1];
	assert_int_equal(st->n, 3);
	assert_int_equal(st->v[0]->kind, SX_FIELD);
	assert_string_equal(st->v[0]->str, "msg_name");
	assert_int_equal(st->v[0]->n, 1);
	assert_int_equal(st->v[0]->v[0]->kind, SX_ELLIPSIS);
	assert_int_equal(st->v[0]->rhs->kind, SX_ELLIPSIS);
	struct sk_sx *iov = st->v[1];
	assert_string_equal(iov->str, "msg_iov");
	assert_int_equal(iov->n, 1);
	assert_int_equal(iov->v[0]->num, 1);
	assert_int_equal(iov->rhs->kind, SX_LIST);
	assert_int_equal(iov->rhs->v[0]->kind, SX_STRUCT);
	assert_int_equal(iov->rhs->v[0]->v[0]->kind, SX_ELLIPSIS);
	assert_int_equal(iov->rhs->v[0]->v[1]->num, 1000);
	assert_string_equal(fmt(st), "{msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}");

	/* poll: an OR inside a struct inside a list */
	struct sk_sx *pl = s->ev[3].call.args[0];
	assert_int_equal(pl->kind, SX_LIST);
	struct sk_sx *rev = pl->v[0]->v[2];
	assert_string_equal(rev->str, "revents");
	assert_int_equal(rev->rhs->kind, SX_OR);
	assert_string_equal(rev->rhs->lhs->str, "POLLIN");
	assert_string_equal(rev->rhs->rhs->str, "POLLOUT");
	assert_string_equal(fmt(pl), "[{fd=4, events=POLLIN, revents=POLLIN|POLLOUT}]");

	assert_string_equal(fmt(s->ev[4].call.args[3]), "{onoff=1, linger=0}");
	assert_string_equal(fmt(s->ev[5].call.args[3]), "{l_onoff=1, l_linger=0}");
	struct sk_sx *wv = s->ev[6].call.args[1];
	assert_int_equal(wv->n, 2);
	assert_int_equal(wv->v[1]->v[1]->num, 200);
	assert_string_equal(fmt(wv), "[{..., 100}, {..., 200}]");

	/* a|b|c is (a|b)|c */
	struct sk_sx *o = s->ev[7].call.args[2];
	assert_int_equal(o->kind, SX_OR);
	assert_int_equal(o->lhs->kind, SX_OR);
	assert_string_equal(o->lhs->lhs->str, "O_RDWR");
	assert_string_equal(o->lhs->rhs->str, "O_NONBLOCK");
	assert_string_equal(o->rhs->str, "O_APPEND");
	assert_string_equal(fmt(o), "O_RDWR|O_NONBLOCK|O_APPEND");

	/* empty and deeply nested containers */
	a = s->ev[8].call.args;
	assert_int_equal(a[0]->kind, SX_LIST);
	assert_int_equal(a[0]->n, 0);
	assert_int_equal(a[1]->kind, SX_STRUCT);
	assert_int_equal(a[1]->n, 0);
	assert_int_equal(a[2]->v[1]->v[0]->rhs->v[0]->rhs->v[0]->rhs->num, 1);
	assert_string_equal(fmt(a[2]), "[[1, [2]], {a={b={c=1}}}]");
	assert_int_equal(a[3]->v[0]->kind, SX_FIELD);
	assert_string_equal(a[3]->v[0]->str, "x");
	assert_int_equal(a[3]->v[0]->n, 0);
	assert_string_equal(fmt(a[3]), "{x()=2}");
	sk_script_free(s);
}

static void test_strings(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0 write(4, \"a\\tb\\n\\\\\\\"\\x41\\x7a!\", 8) = 8\n"
				       "+0 read(4, \"abc\"..., 100) = 100\n"
				       "+0 write(4, \"\", 0) = 0\n");
	struct sk_sx *x = s->ev[0].call.args[1];
	assert_int_equal(x->kind, SX_STRING);
	assert_string_equal(x->str, "a\tb\n\\\"Az!");
	assert_int_equal(x->ellipsis, 0);
	x = s->ev[1].call.args[1];
	assert_string_equal(x->str, "abc");
	assert_int_equal(x->ellipsis, 1);
	assert_string_equal(fmt(x), "\"abc\"...");
	assert_string_equal(s->ev[2].call.args[1]->str, "");
	sk_script_free(s);
}

static void test_init_shell_and_code(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("`sysctl -q net.ipv4.tcp_sack=0`\n"
				       "`ip link set dev lo up`\n"
				       "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
				       "+0 `sysctl -q net.ipv4.tcp_timestamps=1`\n"
				       "+0.1 %{\n"
				       "assert tcpi_snd_cwnd == 10\n"
				       "d = {'a': 1}\n"
				       "}%\n"
				       "+0 %{ x }%\n");
	assert_int_equal(s->nev, 6);
	assert_int_equal(s->ev[0].kind, SE_SHELL);
	assert_int_equal(s->ev[0].init, 1);
	assert_int_equal(s->ev[0].tkind, ST_ABS);
	assert_int_equal(s->ev[0].t, 0);
	assert_string_equal(s->ev[0].text, "sysctl -q net.ipv4.tcp_sack=0");
	assert_int_equal(s->ev[1].init, 1);
	assert_int_equal(s->ev[1].line, 2);
	assert_int_equal(s->ev[2].init, 0);
	assert_int_equal(s->ev[3].kind, SE_SHELL);
	assert_int_equal(s->ev[3].init, 0);
	assert_int_equal(s->ev[3].tkind, ST_REL);
	assert_string_equal(s->ev[3].text, "sysctl -q net.ipv4.tcp_timestamps=1");
	assert_int_equal(s->ev[4].kind, SE_CODE);
	assert_int_equal(s->ev[4].line, 5);
	assert_int_equal(s->ev[4].t, 100000);
	assert_string_equal(s->ev[4].text, "\nassert tcpi_snd_cwnd == 10\nd = {'a': 1}\n");
	assert_int_equal(s->ev[5].kind, SE_CODE);
	assert_int_equal(s->ev[5].line, 9);
	assert_string_equal(s->ev[5].text, " x ");
	sk_script_free(s);
}

static void test_options_and_comments(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("// a test\n"
				       "--tolerance_usecs=10000\n"
				       "/* the addresses\n"
				       "   of both ends */ --local_ip=192.168.0.1\n"
				       "--remote_ip=192.0.2.2 --ip_version=ipv4\n"
				       "--verbose\n"
				       "--cmd=\"a b c\"\n"
				       "--odd=x:y,z/1\n"
				       "\n"
				       "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // the socket\n"
				       "/* between */ +0 close(3) = 0 /* after */\n"
				       "/* a\n comment\n */ +0 close(3) = 0\n");
	assert_int_equal(s->nopts, 7);
	const struct {
		const char *name, *value;
		int line;
	} want[] = {
		{"tolerance_usecs", "10000", 2},
		{"local_ip", "192.168.0.1", 4},
		{"remote_ip", "192.0.2.2", 5},
		{"ip_version", "ipv4", 5},
		{"verbose", "", 6},
		{"cmd", "a b c", 7},
		{"odd", "x:y,z/1", 8},
	};
	for (int i = 0; i < 7; i++) {
		assert_string_equal(s->opts[i].name, want[i].name);
		assert_string_equal(s->opts[i].value, want[i].value);
		assert_int_equal(s->opts[i].line, want[i].line);
	}
	assert_int_equal(s->nev, 3);
	assert_int_equal(s->ev[0].line, 10);
	assert_int_equal(s->ev[1].line, 11);
	assert_int_equal(s->ev[2].line, 14);
	assert_string_equal(s->path, "t.pkt");
	sk_script_free(s);

	s = parse_ok("");
	assert_int_equal(s->nev, 0);
	assert_int_equal(s->nopts, 0);
	sk_script_free(s);
	s = parse_ok("// only a comment");
	assert_int_equal(s->nev, 0);
	sk_script_free(s);
}

static void test_errors(void **state)
{
	(void)state;
	parse_bad("0 < S 0:0(0)\n\n+0 > S. 0(0)", 3, "expected ':' in sequence range, found '('");
	parse_bad("0 < S 0:10(0)", 1, "sequence range 0:10 holds 10 bytes, not 0");
	parse_bad("0 < SX 0:0(0)", 1, "unknown TCP flag 'X'");
	parse_bad("0 < S 0:0(0) <mss 1460, FO abc>", 1, "TCP option FO not supported");
	parse_bad("0 < S 0:0(0) <md5 x>", 1, "TCP option md5 not supported");
	parse_bad("0 < . 1:1(0) ack 1 <sack 1:2 3:4 5:6 7:8 9:10>", 1, "more than 4 SACK blocks");
	parse_bad("0 < . 1:1(0) ack 1 <sack>", 1, "expected a SACK block");
	parse_bad("0 < S 4294967296:0(0)", 1, "sequence number 4294967296 out of range");
	parse_bad("0 < S 0:0(0) win 65536", 1, "window 65536 out of range");
	parse_bad("0 < S 0:0(0) <mss 1460 wscale 7>", 1, "expected ',' or '>' in TCP options");
	parse_bad("0 < S 0:0(0) <TS 1 ecr 2>", 1, "expected 'val' after 'TS'");
	parse_bad("0 close(3) = 0\n--opt=1\n", 2, "option --opt after the first event");
	parse_bad("0 close(3) = 0\n-1 close(3) = 0", 2, "negative time");
	parse_bad("1000001 close(3) = 0", 1, "out of range");
	parse_bad("0x10 close(3) = 0", 1, "expected a time");
	parse_bad("0.2~0.1 close(3) = 0", 1, "time range ends before it starts");
	parse_bad("+0.1~0.2 close(3) = 0", 1, "expected '+' after '~'");
	parse_bad("0.1~+0.2 close(3) = 0", 1, "an absolute time after '~'");
	parse_bad("0.2...0.1 close(3) = 0", 1, "blocking call ends before it starts");
	parse_bad("0...1 < S 0:0(0)", 1, "expected a system call after 'start...end'");
	parse_bad("* ...1 close(3) = 0", 1, "needs a plain start time");
	parse_bad("0 close(3) = 0\n`echo`\n", 2, "needs a time");
	parse_bad("0 close(3 = 0", 1, "expected ',' or ')' in the arguments of close()");
	parse_bad("0 close(3)", 1,
		  "expected '=' and the result after close(...), found end of file");
	parse_bad("0 close(3) = 0 ENOENT (No such file", 1, "unterminated '('");
	parse_bad("0 close(3) = 0 foo", 1, "expected an errno name");
	parse_bad("0 close(3) = 99999999999999999999", 1,
		  "integer 99999999999999999999 out of range");
	parse_bad("0 f([1, 2) = 0", 1, "expected ',' or ']' in list, found ')'");
	parse_bad("0 f({a=1 b=2}) = 0", 1, "expected ',' or '}' in struct, found 'b'");
	parse_bad("0 f(1.5) = 0", 1, "expected an expression, found '1.5'");
	parse_bad("0 f(\"abc) = 0\n", 1, "unterminated string");
	parse_bad("0 f(\"a\\q\") = 0\n", 1, "unknown escape '\\q'");
	parse_bad("\n\n/* comment", 3, "unterminated /* comment");
	parse_bad("0 `echo hi\n\n", 1, "unterminated `command`");
	parse_bad("0 %{ x = 1\n } \n", 1, "unterminated %{ code }% block");
	parse_bad("0 < [ect2] S 0:0(0)", 1, "IP info noecn, ect0, ect1, ect01 or ce");
	parse_bad("0 < [ect01] S 0:0(0)", 1, "only for outbound");
	parse_bad("0 < [1:1(0)] S 0:0(0)", 1, "expected 'icmp' after a quoted packet");
	parse_bad("0 < icmp 3", 1, "expected an ICMP type");
	parse_bad("0 < udp 100", 1, "expected '(' after 'udp'");
	parse_bad("0 hello", 1, "expected '(' after the system call name");
	parse_bad("0 $", 1, "unexpected character '$'");
	parse_bad("0 close(3) = 0\n+0 < S 0:0(0) foo\n", 2,
		  "expected a time at the start of an event, found 'foo'");
	parse_bad("0 < S 0:0(0) <wscale 256>", 1, "window scale 256 out of range");
	parse_bad("--x=\"abc\n", 1, "unterminated string in option value");
	parse_bad("0 < S 0:0(0) ack", 1, "expected ack number, found end of file");
	parse_bad("0", 1, "expected a packet, a system call");
	parse_bad_n("0 close(3)\0 = 0", 15, 1, "NUL byte in script (offset 10)");
	parse_bad_n("\n\n0 f(\"a\0b\") = 0", 16, 3, "NUL byte");
	parse_bad("0 f(\x01) = 0", 1, "unexpected byte 0x01");
}

static void test_nesting_limit(void **state)
{
	(void)state;
	char text[1024] = "0 f(";
	for (int i = 0; i < 200; i++)
		strcat(text, "[");
	parse_bad(text, 1, "nested more than 64 deep");
	strcpy(text, "0 f(");
	for (int i = 0; i < 200; i++)
		strcat(text, "{a=");
	parse_bad(text, 1, "nested more than 64 deep");
	strcpy(text, "0 f(");
	for (int i = 0; i < 200; i++)
		strcat(text, "{a(");
	parse_bad(text, 1, "nested more than 64 deep");
}

static void test_size_limits(void **state)
{
	(void)state;
	size_t big = (1u << 20) + 1;
	char *text = malloc(big + 1);
	assert_non_null(text);
	memset(text, ' ', big);
	text[big] = '\0';
	parse_bad(text, 1, "more than the limit of 1 MiB");

	/* 100001 events of "*f()=0\n": 7 bytes each, under 1 MiB */
	size_t n = 0;
	for (int i = 0; i < 100001; i++) {
		memcpy(text + n, "*f()=0\n", 7);
		n += 7;
	}
	text[n] = '\0';
	parse_bad(text, 100001, "more than 100000 events");
	text[n - 7] = '\0';
	struct sk_script *s = parse_ok(text);
	assert_int_equal(s->nev, 100000);
	assert_int_equal(s->ev[99999].line, 100000);
	sk_script_free(s);
	free(text);
}

static void test_realistic_script(void **state)
{
	(void)state;
	const char *text = "// A server: handshake with options, a write, SACKed data, close.\n"
			   "--tolerance_usecs=5000\n"
			   "`sysctl -q net.ipv4.tcp_sack=1`\n"
			   "\n"
			   "0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
			   "+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
			   "+0    bind(3, ..., ...) = 0\n"
			   "+0    listen(3, 1) = 0\n"
			   "\n"
			   "+0    < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
			   "+0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>\n"
			   "+.1   < . 1:1(0) ack 1 win 257\n"
			   "+0    accept(3, ..., ...) = 4\n"
			   "\n"
			   "+0    write(4, ..., 1000) = 1000\n"
			   "+0    > P. 1:1001(1000) ack 1\n"
			   "+.1   < . 1:1(0) ack 1001 win 257\n"
			   "\n"
			   "/* The peer sends three segments, the first is lost. */\n"
			   "+0    < P. 1001:2001(1000) ack 1001 win 257\n"
			   "+0    > . 1001:1001(0) ack 1 <nop,nop,sack 1001:2001>\n"
			   "+0    < P. 2001:3001(1000) ack 1001 win 257\n"
			   "+0    > . 1001:1001(0) ack 1 <nop,nop,sack 1001:3001>\n"
			   "+0    < P. 1:1001(1000) ack 1001 win 257\n"
			   "+0~+0.04 > . 1001:1001(0) ack 3001\n"
			   "+0    read(4, ..., 3000) = 3000\n"
			   "\n"
			   "+0    close(4) = 0\n"
			   "+0    > F. 1001:1001(0) ack 3001\n"
			   "+.1   < F. 3001:3001(0) ack 1002 win 257\n"
			   "+0    > . 1002:1002(0) ack 3002\n";
	struct sk_script *s = parse_ok(text);
	assert_int_equal(s->nopts, 1);
	assert_int_equal(s->nev, 23);
	assert_int_equal(s->ev[0].init, 1);
	assert_int_equal(s->ev[5].kind, SE_PACKET);
	assert_int_equal(s->ev[5].line, 10);
	assert_int_equal(s->ev[5].pkt.nopt, 6);
	assert_int_equal(s->ev[5].pkt.opt[5].val, 7);
	assert_int_equal(s->ev[6].pkt.flags, 0x12);
	assert_int_equal(s->ev[7].t, 100000);
	assert_string_equal(s->ev[8].call.name, "accept");
	assert_int_equal(s->ev[10].pkt.len, 1000);
	const struct sk_sp *p = &s->ev[15].pkt;
	assert_int_equal(p->dir, '>');
	assert_int_equal(p->opt[2].kind, 5);
	assert_int_equal(p->opt[2].sack[0][0], 1001);
	assert_int_equal(p->opt[2].sack[0][1], 3001);
	assert_int_equal(s->ev[17].tkind, ST_REL_RANGE);
	assert_int_equal(s->ev[17].t_end, 40000);
	assert_int_equal(s->ev[17].pkt.ack, 3001);
	assert_string_equal(s->ev[19].call.name, "close");
	assert_int_equal(s->ev[22].line, 31);
	assert_int_equal(s->ev[22].pkt.ack, 3002);
	sk_script_free(s);
}

static void test_load(void **state)
{
	(void)state;
	char path[] = "/tmp/synack_test_parse_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "--mtu=1400\n0 close(3) = 0\n+0 > R. 1:1(0) ack 1\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char why[256] = "";
	struct sk_script *s = NULL;
	assert_int_equal(sk_script_load(path, &s, why, sizeof(why)), 0);
	assert_int_equal(s->nev, 2);
	assert_string_equal(s->path, path);
	assert_string_equal(s->opts[0].value, "1400");
	assert_int_equal(s->ev[1].pkt.flags, 0x14);
	sk_script_free(s);
	unlink(path);

	assert_int_equal(sk_script_load("/nonexistent/x.pkt", &s, why, sizeof(why)), -1);
	assert_null(s);
	assert_string_equal(why, "/nonexistent/x.pkt: No such file or directory");
	sk_script_free(NULL);
}

static void test_format_truncates(void **state)
{
	(void)state;
	struct sk_script *s = parse_ok("0 f({fd=4, events=POLLIN}, \"a\\n\\x01\") = 0");
	char buf[8];
	assert_string_equal(sk_sx_format(s->ev[0].call.args[0], buf, sizeof(buf)), "{fd=4, ");
	assert_string_equal(sk_sx_format(s->ev[0].call.args[0], buf, 1), "");
	assert_string_equal(fmt(s->ev[0].call.args[1]), "\"a\\n\\x01\"");
	assert_string_equal(fmt(s->ev[0].call.ret), "0");
	sk_script_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_blocking_calls),
		cmocka_unit_test(test_tcp_flags),
		cmocka_unit_test(test_tcp_seq_ack_win),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_ecn),
		cmocka_unit_test(test_udp_and_icmp),
		cmocka_unit_test(test_syscalls_errno_note),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_init_shell_and_code),
		cmocka_unit_test(test_options_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_realistic_script),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_format_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
