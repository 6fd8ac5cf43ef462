/* The Linux backend of the script runner, for real: a namespace and TUN per forked child. */
#include "testutil.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "script/pkt.h"
#include "script/run.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

#define LOCAL    0xc0000202u /* 192.0.2.2 */
#define REMOTE   0xc0000201u /* 192.0.2.1 */
#define FAR      0xc6336401u /* 198.51.100.1: outside 192.0.2.0/24 */
#define LPORT    8080
#define RPORT    40000
#define ISN      1000u

/* In the child, a failed check prints where and ends the case with 1. */
#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			return 1;                                                            \
		}                                                                            \
	} while (0)

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* An IPv4/TCP packet from the remote end to the local one. */
static size_t seg(uint8_t *p, size_t cap, uint16_t flags, uint32_t seq, uint32_t ack,
		  const char *data)
{
	struct sk_tcp t;
	memset(&t, 0, sizeof(t));
	t.sport = RPORT;
	t.dport = LPORT;
	t.seq = seq;
	t.ack = ack;
	t.flags = flags;
	t.win = 65535;
	if (flags & SK_TCP_SYN) {
		t.opt.has_mss = 1;
		t.opt.mss = 1460;
	}
	if (data) {
		t.payload = (const uint8_t *)data;
		t.payload_len = strlen(data);
	}
	int n = sk_tcp_emit(p + 20, cap - 20, REMOTE, LOCAL, &t);
	if (n < 0)
		return 0;
	struct sk_ipv4 h;
	memset(&h, 0, sizeof(h));
	h.total_len = (uint16_t)(20 + n);
	h.id = 1;
	h.frag = SK_IP_DF;
	h.ttl = 64;
	h.proto = SK_IPPROTO_TCP;
	h.src = REMOTE;
	h.dst = LOCAL;
	if (sk_ipv4_emit(p, cap, &h) != 20)
		return 0;
	return 20 + (size_t)n;
}

/* The next TCP segment the kernel sends before script time `until`: 0, or -1 if none. */
static int next_tcp(struct sk_backend *b, uint8_t *buf, size_t cap, uint64_t until,
		    struct sk_ipv4 *ip, struct sk_tcp *t)
{
	for (;;) {
		uint64_t at;
		size_t n = b->ops->sniff(b, buf, cap, &at);
		if (n) {
			int hl = sk_ipv4_parse(buf, n, ip, SK_IPV4_VERIFY_CSUM);
			if (hl < 0 || ip->proto != SK_IPPROTO_TCP)
				continue;
			if (sk_tcp_parse(buf + hl, ip->total_len - (size_t)hl, ip->src, ip->dst, t,
					 SK_TCP_VERIFY_CSUM) < 0)
				return -1;
			return 0;
		}
		if (b->ops->now(b) >= until)
			return -1;
		b->ops->wait(b, until);
	}
}

static void sin_of(struct sk_call *c, uint32_t addr, uint16_t port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	memcpy(&c->addr, &sin, sizeof(sin));
	c->addrlen = sizeof(sin);
}

static void call_init(struct sk_call *c, enum sk_sys sys, int fd)
{
	memset(c, 0, sizeof(*c));
	c->sys = sys;
	c->fd = fd;
}

/* (1) A listener, the handshake by hand, and a blocking accept that completes at once. */
struct conn {
	int lfd, afd;
	uint32_t peer_isn;
};

static int handshake(struct sk_backend *b, struct conn *cn)
{
	struct sk_call c;
	call_init(&c, SYS_SOCKET, -1);
	c.arg[0] = AF_INET;
	c.arg[1] = SOCK_STREAM;
	CHECK(b->ops->call(b, &c) == 1);
	CHECK(c.ret >= 0 && c.err == 0);
	cn->lfd = (int)c.ret;

	call_init(&c, SYS_BIND, cn->lfd);
	sin_of(&c, LOCAL, LPORT);
	CHECK(b->ops->call(b, &c) == 1);
	CHECK(c.ret == 0);
	call_init(&c, SYS_LISTEN, cn->lfd);
	c.arg[0] = 10;
	CHECK(b->ops->call(b, &c) == 1);
	CHECK(c.ret == 0);

	uint8_t p[2048];
	size_t n = seg(p, sizeof(p), SK_TCP_SYN, ISN, 0, NULL);
	CHECK(n > 0);
	CHECK(b->ops->inject(b, p, n) == 0);
	struct sk_ipv4 ip;
	struct sk_tcp t;
	CHECK(next_tcp(b, p, sizeof(p), b->ops->now(b) + 1000000, &ip, &t) == 0);
	CHECK(t.flags == (SK_TCP_SYN | SK_TCP_ACK));
	CHECK(t.sport == LPORT && t.dport == RPORT);
	CHECK(ip.src == LOCAL && ip.dst == REMOTE);
	CHECK(t.ack == ISN + 1);
	cn->peer_isn = t.seq;

	n = seg(p, sizeof(p), SK_TCP_ACK, ISN + 1, cn->peer_isn + 1, NULL);
	CHECK(b->ops->inject(b, p, n) == 0);
	call_init(&c, SYS_ACCEPT, cn->lfd);
	c.addrlen = sizeof(c.addr);
	CHECK(b->ops->call(b, &c) == 1);
	CHECK(c.ret >= 0 && c.err == 0);
	cn->afd = (int)c.ret;
	struct sockaddr_in sin;
	memcpy(&sin, &c.addr, sizeof(sin));
	CHECK(c.addrlen == sizeof(sin) && ntohs(sin.sin_port) == RPORT);
	CHECK(sin.sin_addr.s_addr == htonl(REMOTE));
	return 0;
}

static int case_handshake(struct sk_backend *b)
{
	struct conn cn;
	return handshake(b, &cn);
}

/* (2) A read with nothing to read blocks; data arrives, it completes and the data is ACKed. */
static int case_blocking_read(struct sk_backend *b)
{
	struct conn cn;
	CHECK(handshake(b, &cn) == 0);
	uint8_t buf[100];
	struct sk_call c;
	call_init(&c, SYS_READ, cn.afd);
	c.buf = buf;
	c.len = sizeof(buf);
	uint64_t t0 = b->ops->now(b);
	CHECK(b->ops->call(b, &c) == 0);
	CHECK(b->ops->now(b) - t0 < 20000); /* seen asleep quickly, not after the give-up time */
	CHECK(b->ops->call_done(b, &c) == 0);

	uint8_t p[2048];
	size_t n = seg(p, sizeof(p), SK_TCP_ACK | SK_TCP_PSH, ISN + 1, cn.peer_isn + 1, "hello");
	uint64_t t_inj = b->ops->now(b);
	CHECK(b->ops->inject(b, p, n) == 0);
	uint64_t until = b->ops->now(b) + 1000000;
	while (!b->ops->call_done(b, &c) && b->ops->now(b) < until)
		b->ops->wait(b, until);
	CHECK(c.ret == 5 && c.err == 0);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK(c.t_end >= t_inj && c.t_end <= b->ops->now(b));

	struct sk_ipv4 ip;
	struct sk_tcp t;
	int acked = 0;
	until = b->ops->now(b) + 1000000;
	while (!acked && next_tcp(b, p, sizeof(p), until, &ip, &t) == 0)
		acked = (t.flags & SK_TCP_ACK) && t.ack == ISN + 6;
	CHECK(acked);
	return 0;
}

/* (3) A sysctl lands in the namespace's /proc/sys; errors name the sysctl. */
static int read_proc(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static int case_sysctl(struct sk_backend *b)
{
	char why[256], v[256];
	CHECK(b->ops->sysctl(b, "net.ipv4.tcp_sack", "0", why, sizeof(why)) == 0);
	CHECK(read_proc("/proc/sys/net/ipv4/tcp_sack", v, sizeof(v)) == 0);
	CHECK(atoi(v) == 0);
	CHECK(b->ops->sysctl(b, "net.ipv4.tcp_rmem", "4096 131072 6291456", why, sizeof(why)) == 0);
	CHECK(read_proc("/proc/sys/net/ipv4/tcp_rmem", v, sizeof(v)) == 0);
	long a = 0, m = 0, z = 0;
	CHECK(sscanf(v, "%ld %ld %ld", &a, &m, &z) == 3);
	CHECK(a == 4096 && m == 131072 && z == 6291456);
	why[0] = 0;
	CHECK(b->ops->sysctl(b, "net.ipv4.tcp_no_such_thing", "1", why, sizeof(why)) == -1);
	CHECK(strstr(why, "net.ipv4.tcp_no_such_thing") != NULL);
	CHECK(strchr(why, '\n') == NULL);
	return 0;
}

/* (4) now() starts at 0 and never goes back; wait() with nothing happening sleeps it out. */
static int case_time(struct sk_backend *b)
{
	uint64_t t = b->ops->now(b);
	CHECK(t == 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t u = b->ops->now(b);
		CHECK(u >= t);
		t = u;
	}
	uint64_t m0 = mono_us();
	t = b->ops->now(b);
	b->ops->wait(b, t + 20000);
	uint64_t slept = mono_us() - m0;
	CHECK(slept >= 15000 && slept <= 200000);
	CHECK(b->ops->now(b) >= t + 20000);
	uint8_t p[2048];
	uint64_t at;
	CHECK(b->ops->sniff(b, p, sizeof(p), &at) == 0); /* a quiet link: no IPv6 chatter */
	return 0;
}

/* (5) tcp_info of the accepted socket. */
static int case_tcp_info(struct sk_backend *b)
{
	struct conn cn;
	CHECK(handshake(b, &cn) == 0);
	struct tcp_info ti;
	CHECK(b->ops->tcp_info(b, cn.afd, &ti) == 0);
	CHECK(ti.tcpi_state == TCP_ESTABLISHED);
	CHECK(b->ops->tcp_info(b, cn.lfd, &ti) == 0);
	CHECK(ti.tcpi_state == TCP_LISTEN);
	CHECK(b->ops->tcp_info(b, 999, &ti) == -EBADF);
	return 0;
}

/* A second call while one is blocked waits a second for it, then fails with EBUSY; close()
 * gets the blocked call out of the kernel and returns promptly. */
static int case_busy_and_close(struct sk_backend *b)
{
	struct conn cn;
	CHECK(handshake(b, &cn) == 0);
	uint8_t buf[16];
	struct sk_call r, c;
	call_init(&r, SYS_READ, cn.afd);
	r.buf = buf;
	r.len = sizeof(buf);
	CHECK(b->ops->call(b, &r) == 0);
	call_init(&c, SYS_GETSOCKNAME, cn.afd);
	c.addrlen = sizeof(c.addr);
	uint64_t m0 = mono_us();
	CHECK(b->ops->call(b, &c) == 1);
	CHECK(c.ret == -1 && c.err == EBUSY);
	CHECK(mono_us() - m0 >= 900000);
	CHECK(b->ops->call_done(b, &r) == 0);
	return 0; /* close() follows */
}

/* A call nothing can interrupt (poll on no descriptors, forever): close() leaves the worker
 * to it after about 100 ms, and nothing leaks when the process then exits. */
static int case_close_abandons(struct sk_backend *b)
{
	static_assert(SK_CALL_MAX_POLL > 0, "poll slots");
	struct sk_call *c = calloc(1, sizeof(*c));
	CHECK(c != NULL);
	c->sys = SYS_POLL;
	c->npfd = 0;
	c->arg[0] = -1;
	int r = b->ops->call(b, c);
	free(c); /* the worker copied it: freeing the executor's struct is safe */
	CHECK(r == 0);
	return 0;
}

/* A remote outside the local prefix is reached through a host route on the device: a
 * blocking connect sends its SYN there and stays pending. A failing call fills err. */
static int case_route(struct sk_backend *b)
{
	struct sk_call c;
	call_init(&c, SYS_SOCKET, -1);
	c.arg[0] = AF_INET;
	c.arg[1] = SOCK_STREAM;
	CHECK(b->ops->call(b, &c) == 1 && c.ret >= 0);
	int fd = (int)c.ret;
	call_init(&c, SYS_CONNECT, fd);
	sin_of(&c, FAR, 80);
	CHECK(b->ops->call(b, &c) == 0);
	uint8_t p[2048];
	struct sk_ipv4 ip;
	struct sk_tcp t;
	CHECK(next_tcp(b, p, sizeof(p), b->ops->now(b) + 1000000, &ip, &t) == 0);
	CHECK(t.flags == SK_TCP_SYN && t.dport == 80);
	CHECK(ip.src == LOCAL && ip.dst == FAR);

	struct sk_call e;
	call_init(&e, SYS_SOCKET, -1);
	CHECK(b->ops->call(b, &e) == 1); /* the connect above is not done: EBUSY after 1 s */
	CHECK(e.ret == -1 && e.err == EBUSY);
	return 0;
}

static int case_errors(struct sk_backend *b)
{
	struct sk_call c;
	call_init(&c, SYS_CLOSE, 777);
	CHECK(b->ops->call(b, &c) == 1);
	CHECK(c.ret == -1 && c.err == EBADF);
	call_init(&c, SYS_SOCKET, -1);
	c.arg[0] = AF_INET;
	c.arg[1] = SOCK_STREAM;
	CHECK(b->ops->call(b, &c) == 1 && c.ret >= 0);
	int fd = (int)c.ret;
	call_init(&c, SYS_GETSOCKOPT, fd);
	c.arg[0] = SOL_SOCKET;
	c.arg[1] = SO_TYPE;
	c.optlen = sizeof(int);
	CHECK(b->ops->call(b, &c) == 1 && c.ret == 0);
	int type;
	memcpy(&type, c.opt, sizeof(type));
	CHECK(c.optlen == sizeof(int) && type == SOCK_STREAM);
	call_init(&c, SYS_FCNTL, fd);
	c.arg[0] = F_SETFL;
	c.arg[1] = O_NONBLOCK;
	CHECK(b->ops->call(b, &c) == 1 && c.ret == 0);
	call_init(&c, SYS_READ, fd);
	uint8_t buf[4];
	c.buf = buf;
	c.len = sizeof(buf);
	CHECK(b->ops->call(b, &c) == 1); /* not connected: at once, ENOTCONN */
	CHECK(c.ret == -1 && c.err == ENOTCONN);
	return 0;
}

/* ---- IPv6 ---- */

#define LOCAL6  "2001:db8::2"
#define REMOTE6 "2001:db8::1"
#define FAR6    "2001:db8:1::1" /* outside 2001:db8::/64 */

static struct sk_paddr a6(const char *text)
{
	struct sk_paddr a;
	memset(&a, 0, sizeof(a));
	sk_paddr_parse(text, 1, &a);
	return a;
}

/* The next TCP segment over IPv6 before script time `until`: 0, or -1 if none. Anything
 * else the device gives (IPv4, ICMPv6) counts as a failure too: an IPv6 run is quiet. */
static int next_tcp6(struct sk_backend *b, uint64_t until, struct sk_live *l)
{
	uint8_t buf[2048];
	for (;;) {
		uint64_t at;
		size_t n = b->ops->sniff(b, buf, sizeof(buf), &at);
		if (n)
			return sk_live_parse(buf, n, l) == 0 && l->v6 && l->p.proto == SP_TCP ? 0 : -1;
		if (b->ops->now(b) >= until)
			return -1;
		b->ops->wait(b, until);
	}
}

/* An IPv6 SYN for the local address from the remote one, as the script runner builds it. */
static int syn6(uint8_t *p, size_t cap)
{
	struct sk_sp syn;
	memset(&syn, 0, sizeof(syn));
	syn.proto = SP_TCP;
	syn.ecn = SP_ECN_ANY;
	syn.flags = SK_TCP_SYN;
	syn.seq = ISN;
	syn.opts = SP_OPTS_LIST;
	syn.nopt = 1;
	syn.opt[0].kind = 2;
	syn.opt[0].val = 1440;
	struct sk_flow in = {a6(REMOTE6), a6(LOCAL6), RPORT, LPORT};
	char why[128];
	return sk_pkt_build(&syn, &in, &in, 0, p, cap, why, sizeof(why));
}

/* The first thing after open(): a SYN to a port nobody listens on is answered with a RST
 * from the local address, so the kernel takes the address as its own from the start (its
 * local route is in when open() returns, not some time after). */
static int case_ipv6_ready(struct sk_backend *b)
{
	uint8_t p[2048];
	int n = syn6(p, sizeof(p));
	CHECK(n > 0);
	CHECK(b->ops->inject(b, p, (size_t)n) == 0);
	struct sk_live l;
	CHECK(next_tcp6(b, b->ops->now(b) + 1000000, &l) == 0);
	CHECK(l.p.flags == (SK_TCP_RST | SK_TCP_ACK) && l.p.ack == ISN + 1);
	struct sk_paddr lo = a6(LOCAL6);
	CHECK(sk_paddr_eq(&l.f.src, &lo));
	return 0;
}

/* A listener on the local address (a bind that fails with EADDRNOTAVAIL while the address
 * is tentative) answers an IPv6 SYN: the SYN+ACK is IPv6 from the local address, with the
 * MSS of a 1500-byte link (1440). */
static int case_ipv6_handshake(struct sk_backend *b)
{
	struct sk_call c;
	call_init(&c, SYS_SOCKET, -1);
	c.arg[0] = AF_INET6;
	c.arg[1] = SOCK_STREAM;
	CHECK(b->ops->call(b, &c) == 1 && c.ret >= 0);
	int lfd = (int)c.ret;
	call_init(&c, SYS_BIND, lfd);
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(LPORT);
	inet_pton(AF_INET6, LOCAL6, &sin6.sin6_addr); /* the address itself: EADDRNOTAVAIL if tentative */
	memcpy(&c.addr, &sin6, sizeof(sin6));
	c.addrlen = sizeof(sin6);
	CHECK(b->ops->call(b, &c) == 1 && c.ret == 0);
	call_init(&c, SYS_LISTEN, lfd);
	c.arg[0] = 10;
	CHECK(b->ops->call(b, &c) == 1 && c.ret == 0);

	uint8_t p[2048];
	int n = syn6(p, sizeof(p));
	CHECK(n > 0);
	struct sk_flow in = {a6(REMOTE6), a6(LOCAL6), RPORT, LPORT};
	CHECK(b->ops->inject(b, p, (size_t)n) == 0);
	struct sk_live l;
	CHECK(next_tcp6(b, b->ops->now(b) + 1000000, &l) == 0);
	CHECK(l.p.flags == (SK_TCP_SYN | SK_TCP_ACK));
	CHECK(l.p.ack == ISN + 1);
	CHECK(sk_paddr_eq(&l.f.src, &in.dst) && sk_paddr_eq(&l.f.dst, &in.src));
	CHECK(l.f.sport == LPORT && l.f.dport == RPORT);
	CHECK(l.p.nopt >= 1 && l.p.opt[0].kind == 2 && l.p.opt[0].val == 1440);
	return 0;
}

/* Nothing but what the script causes comes out of an IPv6 device: no router solicitation,
 * no DAD, no MLD report. */
static int case_ipv6_quiet(struct sk_backend *b)
{
	uint64_t t = b->ops->now(b);
	b->ops->wait(b, t + 50000);
	uint8_t p[2048];
	uint64_t at;
	CHECK(b->ops->sniff(b, p, sizeof(p), &at) == 0);
	return 0;
}

/* A remote outside the local /64 is reached through a host route on the device. */
static int case_ipv6_route(struct sk_backend *b)
{
	struct sk_call c;
	call_init(&c, SYS_SOCKET, -1);
	c.arg[0] = AF_INET6;
	c.arg[1] = SOCK_STREAM | SOCK_NONBLOCK;
	CHECK(b->ops->call(b, &c) == 1 && c.ret >= 0);
	int fd = (int)c.ret;
	call_init(&c, SYS_CONNECT, fd);
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(80);
	inet_pton(AF_INET6, FAR6, &sin6.sin6_addr);
	memcpy(&c.addr, &sin6, sizeof(sin6));
	c.addrlen = sizeof(sin6);
	CHECK(b->ops->call(b, &c) == 1 && c.ret == -1 && c.err == EINPROGRESS);
	struct sk_live l;
	CHECK(next_tcp6(b, b->ops->now(b) + 1000000, &l) == 0);
	CHECK(l.p.flags == SK_TCP_SYN && l.f.dport == 80);
	struct sk_paddr lo = a6(LOCAL6), far = a6(FAR6);
	CHECK(sk_paddr_eq(&l.f.src, &lo) && sk_paddr_eq(&l.f.dst, &far));
	return 0;
}

/* Runs one case in a child with a backend of its own on the network net; the child's exit
 * status is the verdict (LeakSanitizer's too, as the child leaves through exit()). */
static void in_child_net(int (*fn)(struct sk_backend *), const struct sk_run_net *net)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char why[256];
		struct sk_backend *b = sk_be_kernel_new(why, sizeof(why));
		if (!b) {
			fprintf(stderr, "sk_be_kernel_new: %s\n", why);
			exit(2);
		}
		if (b->ops->open(b, net, why, sizeof(why)) < 0) {
			fprintf(stderr, "open: %s\n", why);
			b->ops->close(b);
			exit(3);
		}
		int rc = fn(b);
		uint64_t m0 = mono_us();
		b->ops->close(b);
		if (mono_us() - m0 > 500000) {
			fprintf(stderr, "close took %llu us\n",
				(unsigned long long)(mono_us() - m0));
			rc = 1;
		}
		exit(rc);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* IPv4: LOCAL/24 and remote. */
static void in_child(int (*fn)(struct sk_backend *), uint32_t remote)
{
	struct sk_run_net net;
	memset(&net, 0, sizeof(net));
	net.local.s_addr = htonl(LOCAL);
	net.remote.s_addr = htonl(remote);
	net.prefix = 24;
	net.mtu = 1500;
	in_child_net(fn, &net);
}

/* IPv6: LOCAL6/64 and remote. */
static void in_child6(int (*fn)(struct sk_backend *), const char *remote)
{
	struct sk_run_net net;
	memset(&net, 0, sizeof(net));
	net.v6 = 1;
	inet_pton(AF_INET6, LOCAL6, &net.local6);
	inet_pton(AF_INET6, remote, &net.remote6);
	net.prefix6 = 64;
	net.mtu = 1500;
	in_child_net(fn, &net);
}

static void test_handshake_and_accept(void **state)
{
	(void)state;
	in_child(case_handshake, REMOTE);
}

static void test_blocking_read(void **state)
{
	(void)state;
	in_child(case_blocking_read, REMOTE);
}

static int host_sack(void)
{
	char v[64];
	return read_proc("/proc/sys/net/ipv4/tcp_sack", v, sizeof(v)) == 0 ? atoi(v) : -1;
}

static void test_sysctl_stays_in_namespace(void **state)
{
	(void)state;
	int before = host_sack();
	assert_true(before >= 0);
	in_child(case_sysctl, REMOTE);
	assert_int_equal(host_sack(), before);
}

static void test_time(void **state)
{
	(void)state;
	in_child(case_time, REMOTE);
}

static void test_tcp_info(void **state)
{
	(void)state;
	in_child(case_tcp_info, REMOTE);
}

static void test_busy_and_close(void **state)
{
	(void)state;
	in_child(case_busy_and_close, REMOTE);
}

static void test_close_abandons_stuck_call(void **state)
{
	(void)state;
	in_child(case_close_abandons, REMOTE);
}

static void test_route_outside_prefix(void **state)
{
	(void)state;
	in_child(case_route, FAR);
}

static void test_call_errors(void **state)
{
	(void)state;
	in_child(case_errors, REMOTE);
}

static void test_ipv6_ready_at_once(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++) /* a race would show in some of them */
		in_child6(case_ipv6_ready, REMOTE6);
}

static void test_ipv6_handshake(void **state)
{
	(void)state;
	in_child6(case_ipv6_handshake, REMOTE6);
}

static void test_ipv6_quiet(void **state)
{
	(void)state;
	in_child6(case_ipv6_quiet, REMOTE6);
}

static void test_ipv6_route_outside_prefix(void **state)
{
	(void)state;
	in_child6(case_ipv6_route, FAR6);
}

int main(void)
{
	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("skipped: not root or no /dev/net/tun\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_and_accept),
		cmocka_unit_test(test_blocking_read),
		cmocka_unit_test(test_sysctl_stays_in_namespace),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_tcp_info),
		cmocka_unit_test(test_busy_and_close),
		cmocka_unit_test(test_close_abandons_stuck_call),
		cmocka_unit_test(test_route_outside_prefix),
		cmocka_unit_test(test_call_errors),
		cmocka_unit_test(test_ipv6_ready_at_once),
		cmocka_unit_test(test_ipv6_handshake),
		cmocka_unit_test(test_ipv6_quiet),
		cmocka_unit_test(test_ipv6_route_outside_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
