/* synack-tunnel: user-mode networking for a command: a new network namespace whose only
 * way out is a TUN to synack in tunnel mode, which relays every TCP connection and UDP flow
 * the command opens, to any destination, through this process's own sockets (what pasta
 * and slirp4netns do, on synack), DNS to the link's DNS address to the host's resolver.
 *
 * A child process makes the namespace (unshare), the TUN in it (tun0: 10.0.2.15/24 and
 * 2001:db8:2::15/64, default routes out of it), hands the TUN's descriptor over (SCM_RIGHTS)
 * and, once the stack is running, execs the command. synack-tunnel stays in its own
 * namespace: the upstream connections are its host's. The stack is at 10.0.2.2 and
 * 2001:db8:2::2 on that link. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <synack/rt.h>

#include "link/tun.h"
#include "run/fdpass.h"
#include "run/supervise.h"
#include "run/tunnel.h"

#define DRAIN_MS 2000
#define MEM_BUDGET_MIB 512
#define DEV "tun0"

static const char usage[] =
	"usage: synack-tunnel [options] -- COMMAND [ARGS...]\n"
	"       synack-tunnel --attach NETNS [options] [-- COMMAND [ARGS...]]\n"
	"runs COMMAND in a new network namespace whose only link is a TUN to the synack stack in\n"
	"tunnel mode: every TCP connection COMMAND opens, to any address, is relayed through\n"
	"this process's own sockets, and what the client sees is what the upstream did\n"
	"(connected, refused, unreachable). Inside: " DEV " with 10.0.2.15/24 and\n"
	"2001:db8:2::15/64, default routes through it; synack is 10.0.2.2 and 2001:db8:2::2.\n"
	"UDP flows are relayed alike, each through a socket of its own until idle. DNS to\n"
	"10.0.2.3 or 2001:db8:2::3 (port 53, UDP and TCP) goes to the host's resolver (the first\n"
	"nameserver of /etc/resolv.conf) or to --dns; in a namespace it makes, COMMAND sees an\n"
	"/etc/resolv.conf naming those two. Runs as root, or as any user where unprivileged user\n"
	"namespaces are allowed and /dev/net/tun is open to all (it then makes a user namespace).\n"
	"\n"
	"  --dns ADDR     relay DNS to ADDR (IPv4 or IPv6, port 53) instead\n"
	"  --udp-timeout SEC  a UDP flow ends after SEC seconds without a datagram (60)\n"
	"  --mem-budget MIB  the flows' memory (records, buffers) at most this; when spent the\n"
	"                 flows idle longest are reset (512; 0: no budget)\n"
	"  --flows-per-source N  flows one address inside may hold; beyond, refused (0: no limit)\n"
	"  --socks5 ADDR:PORT  relay every flow through this SOCKS5 proxy instead (CONNECT;\n"
	"                 UDP ASSOCIATE per UDP flow); a refusal the proxy reports is a RST\n"
	"  --attach NETNS serve an existing namespace (a name from ip netns, or a path such as\n"
	"                 /proc/PID/ns/net) instead of making one: " DEV ", its addresses and\n"
	"                 default routes are added there; without COMMAND, until a signal\n"
	"  -p HOSTPORT:NSPORT  forward this host's TCP port HOSTPORT (IPv4 and IPv6) to port\n"
	"                 NSPORT of 10.0.2.15 inside (up to 16 times)\n"
	"  --mtu N        the link's MTU (1500)\n"
	"  --busy-poll USEC  after work, look for more for up to USEC microseconds before\n"
	"                 sleeping, adapted to the traffic (50; 0: never; none on one CPU)\n"
	"  --trace        a tcpdump-format line on standard error for every packet\n"
	"  -w FILE.pcap   every packet to a capture file\n"
	"  -h, --help     this text\n";

static void fail(const char *fmt, const char *a)
{
	fprintf(stderr, "synack-tunnel: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(1);
}

static void quit(int sig)
{
	(void)sig;
	_exit(0);
}

/* In the child's own mount namespace: an /etc/resolv.conf naming the link's DNS addresses
 * over the host's (bind-mounted from a file made and removed here). Where that cannot be,
 * the host's stays: COMMAND can still name 10.0.2.3 itself. */
static void own_resolv_conf(void)
{
	char path[] = "/tmp/synack-tunnel.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	fchmod(fd, 0644);
	fprintf(f, "# synack-tunnel: DNS relayed to the host's resolver\nnameserver %s\nnameserver %s\n", SK_TNL_DNS4,
		SK_TNL_DNS6);
	int ok = fclose(f) == 0;
	if (ok && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0)
		mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL);
	unlink(path);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Without root: a user namespace of the child's own where it is root (its user and group
 * mapped to 0, as pasta and unshare -r do), so that it may make the network namespace and
 * the TUN in it. The TUN device must be open to the user (mode 0666, Debian's default). */
static int become_root(char *why, size_t whylen)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	if (unshare(CLONE_NEWUSER) < 0) {
		snprintf(why, whylen, "a user namespace (not root): %s (unprivileged user namespaces are off here: "
				      "run as root)", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	int r = write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	if (r < 0 || write_file("/proc/self/setgroups", "deny") < 0 || write_file("/proc/self/gid_map", map) < 0) {
		snprintf(why, whylen, "a user namespace (not root): mapping user %u: %s", (unsigned)uid, strerror(errno));
		return -1;
	}
	return 0;
}

/* The first nameserver of /etc/resolv.conf, port 53; port 0 when there is none. */
static struct synack_sockaddr host_resolver(void)
{
	struct synack_sockaddr a = {0};
	FILE *f = fopen("/etc/resolv.conf", "r");
	char line[256], name[128];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " nameserver %127s", name) == 1 && synack_ip_parse(name, &a.ip) == 0) {
			a.port = 53;
			break;
		}
	if (f)
		fclose(f);
	return a;
}

/* "192.0.2.1:1080" or "[2001:db8::1]:1080": 0, or -1. */
static int host_port(const char *text, struct synack_sockaddr *a)
{
	char host[64];
	unsigned port;
	char tail;
	const char *colon = strrchr(text, ':');
	if (!colon || (size_t)(colon - text) >= sizeof(host) || sscanf(colon + 1, "%u%c", &port, &tail) != 1 || !port ||
	    port > 65535)
		return -1;
	size_t n = (size_t)(colon - text);
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		text++;
		n -= 2;
	}
	memcpy(host, text, n);
	host[n] = 0;
	if (synack_ip_parse(host, &a->ip) < 0)
		return -1;
	a->port = (uint16_t)port;
	return 0;
}

/* In the child: the namespace and its TUN, the descriptor sent to the parent; an error as
 * text instead. Then waits for the parent's go and runs the command. */
static void child(int sk, uint32_t mtu, const char *attach, char **argv)
{
	char why[200] = "";
	int err = 0;
	struct sk_dev *d = NULL;
	if (attach) {
		/* a name ip-netns(8) made, or a path such as /proc/PID/ns/net */
		char path[256];
		snprintf(path, sizeof(path), strchr(attach, '/') ? "%s" : "/run/netns/%s", attach);
		int ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || setns(ns, CLONE_NEWNET) < 0)
			snprintf(why, sizeof(why), "--attach %s: %s", attach, strerror(errno));
		if (ns >= 0)
			close(ns);
	} else if (geteuid() != 0 && become_root(why, sizeof(why)) < 0) {
		/* (why says it) */
	} else if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		snprintf(why, sizeof(why), "a new network namespace: %s", strerror(errno));
	} else {
		own_resolv_conf();
	}
	if (!why[0]) {
		sk_tun_host_up("lo");
		d = sk_tun_open(DEV, SK_TUN, 0, mtu, &err, why, sizeof(why)); /* with offloads */
		const uint8_t in6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x15};
		if (d && (sk_tun_host_config(DEV, 0x0a00020fu, 24, why, sizeof(why)) < 0 ||
			  sk_tun_host_config6(DEV, in6, 64, why, sizeof(why)) < 0 ||
			  sk_tun_host_default_route(DEV, AF_INET, why, sizeof(why)) < 0 ||
			  sk_tun_host_default_route(DEV, AF_INET6, why, sizeof(why)) < 0))
			d = NULL;
	}
	int fd = d ? sk_dev_fd(d) : -1;
	if (sk_fd_send(sk, why, strlen(why) + 1, fd, 0) < 0 || fd < 0)
		_exit(1);
	char go;
	if (read(sk, &go, 1) != 1)
		_exit(1); /* the parent could not start the stack: it said why */
	close(sk);
	close(fd);
	if (!argv[0]) {
		/* --attach without a command: the namespace is served until a signal, passed on
		 * here, ends it (then synack-tunnel exits 0) */
		signal(SIGTERM, quit);
		signal(SIGINT, quit);
		signal(SIGHUP, quit);
		for (;;)
			pause();
	}
	execvp(argv[0], argv);
	fprintf(stderr, "synack-tunnel: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int relay_watch(void *r, int fd)
{
	return sk_tnl_relay_watch(r, fd);
}
static int relay_run(void *r, int timeout_ms)
{
	return sk_tnl_relay_run(r, timeout_ms);
}
static size_t relay_flows(const void *r)
{
	return sk_tnl_relay_flows(r);
}

int main(int argc, char **argv)
{
	uint32_t mtu = 1500;
	unsigned busy_poll = SK_BUSY_POLL_US;
	int trace = 0;
	const char *pcap = NULL;
	uint16_t fwd_host[16], fwd_ns[16];
	int nfwd = 0;
	const char *attach = NULL;
	struct sk_tnl_opts topts = {.limits = {.mem_bytes = (uint64_t)MEM_BUDGET_MIB << 20}};
	static const struct option longs[] = {{"mtu", required_argument, NULL, 'm'}, {"trace", no_argument, NULL, 't'},
					      {"attach", required_argument, NULL, 'a'}, {"dns", required_argument, NULL, 'd'},
					      {"udp-timeout", required_argument, NULL, 'u'},
					      {"socks5", required_argument, NULL, 's'},
					      {"mem-budget", required_argument, NULL, 'M'},
					      {"flows-per-source", required_argument, NULL, 'F'},
					      {"busy-poll", required_argument, NULL, 'B'},
					      {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "+w:hp:", longs, NULL)) != -1) {
		switch (c) {
		case 'm': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 1280 || v > 65535) {
				fprintf(stderr, "synack-tunnel: --mtu: expected 1280..65535 (try --help)\n");
				return 2;
			}
			mtu = (uint32_t)v;
			break;
		}
		case 't':
			trace = 1;
			break;
		case 'a':
			attach = optarg;
			break;
		case 'd':
			if (synack_ip_parse(optarg, &topts.dns.ip) < 0) {
				fprintf(stderr, "synack-tunnel: --dns %s: expected an IPv4 or IPv6 address (try --help)\n",
					optarg);
				return 2;
			}
			topts.dns.port = 53;
			break;
		case 's':
			if (host_port(optarg, &topts.socks5) < 0) {
				fprintf(stderr, "synack-tunnel: --socks5 %s: expected ADDR:PORT or [ADDR6]:PORT (try --help)\n",
					optarg);
				return 2;
			}
			break;
		case 'M':
		case 'F': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v > (c == 'M' ? 1048576ul : 10000000ul)) {
				fprintf(stderr, "synack-tunnel: --%s: expected %s (try --help)\n",
					c == 'M' ? "mem-budget" : "flows-per-source",
					c == 'M' ? "0..1048576 MiB" : "0..10000000 flows");
				return 2;
			}
			if (c == 'M')
				topts.limits.mem_bytes = (uint64_t)v << 20;
			else
				topts.limits.flows_per_source = (uint32_t)v;
			break;
		}
		case 'B':
			if (sk_busy_poll_arg("synack-tunnel", optarg, &busy_poll) < 0)
				return 2;
			break;
		case 'u': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 1 || v > 86400) {
				fprintf(stderr, "synack-tunnel: --udp-timeout: expected 1..86400 seconds (try --help)\n");
				return 2;
			}
			topts.udp_idle_ms = (unsigned)v * 1000;
			break;
		}
		case 'w':
			pcap = optarg;
			break;
		case 'p': {
			unsigned h, n;
			char tail;
			if (nfwd == 16 || sscanf(optarg, "%u:%u%c", &h, &n, &tail) != 2 || !h || !n || h > 65535 ||
			    n > 65535) {
				fprintf(stderr, "synack-tunnel: -p %s: expected HOSTPORT:NSPORT, ports 1..65535, at most "
						"16 (try --help)\n", optarg);
				return 2;
			}
			fwd_host[nfwd] = (uint16_t)h;
			fwd_ns[nfwd++] = (uint16_t)n;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "synack-tunnel: unknown option (try --help)\n");
			return 2;
		}
	}
	if (!topts.dns.port)
		topts.dns = host_resolver();
	if (topts.socks5.port && sk_tnl_proxy_reachable(&topts.socks5) < 0) {
		char at[64];
		synack_ip_format(&topts.socks5.ip, at, sizeof(at));
		fprintf(stderr, "synack-tunnel: --socks5: the proxy at %s port %u: %s\n", at, topts.socks5.port,
			strerror(errno));
		return 1;
	}
	if (optind >= argc && !attach) {
		fprintf(stderr, "synack-tunnel: no command: give -- COMMAND [ARGS...] (try --help)\n");
		return 2;
	}

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fail("socketpair: %s", strerror(errno));
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sv[0]);
		child(sv[1], mtu, attach, argv + optind);
	}
	close(sv[1]);

	/* The TUN's descriptor, or the child's reason. */
	char why[256] = "";
	int tun = -1;
	if (sk_fd_recv(sv[0], why, sizeof(why) - 1, &tun, MSG_CMSG_CLOEXEC, NULL) <= 0 && tun >= 0) {
		close(tun);
		tun = -1;
	}
	if (tun < 0) {
		waitpid(pid, NULL, 0);
		fail("%s", why[0] ? why : "the namespace could not be made");
	}

	struct synack_rt_link link = {.fd = tun, .name = DEV};
	struct synack_rt_opts o;
	synack_rt_opts_defaults(&o);
	o.link = &link;
	o.addr = synack_ip4(10, 0, 2, 2);
	o.prefix = 24;
	synack_ip_parse("2001:db8:2::2", &o.addr2);
	o.prefix2 = 64;
	o.mtu = mtu;
	o.trace = trace;
	o.pcap = pcap;
	o.no_thread = 1;
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why));
	struct sk_tnl_relay *relay = rt ? sk_tnl_relay_new(rt, &topts, why, sizeof(why)) : NULL;
	if (!relay) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail("%s", why);
	}
	for (int i = 0; i < nfwd; i++) {
		struct synack_sockaddr to = synack_sa4(10, 0, 2, 15, fwd_ns[i]);
		if (sk_tnl_relay_forward(relay, fwd_host[i], &to, why, sizeof(why)) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail("%s", why);
		}
	}
	if (write(sv[0], "g", 1) != 1)
		fail("the command's process went away: %s", strerror(errno));
	close(sv[0]);

	/* In a namespace of its own making, the command's end is the namespace's: no client is
	 * left for the flows, nor a link to drain them to. An attached namespace may hold
	 * others' clients: their flows are waited for (a signal ends that). */
	struct sk_supervised who = {.tool = "synack-tunnel", .rt = rt, .child = pid, .relay = relay,
				   .watch = relay_watch, .run = relay_run, .busy = attach ? relay_flows : NULL,
				   .busy_poll_us = busy_poll};
	int status = sk_supervise(&who, &sigs);
	sk_tnl_relay_free(relay);
	if (status >= 0 && attach)
		synack_rt_drain(rt, DRAIN_MS);
	synack_rt_stop(rt);
	return status >= 0 ? status : 1;
}
