/* sansio_tun: synack's sans-I/O core driven by the program's own loop and packet source.
 *
 * The stack (<synack/synack.h>) never reads a clock, sleeps or touches a device: the
 * program hands it each received IPv4 packet (synack_input), runs its timers when they
 * are due (synack_poll at synack_next_deadline) and sends what it gives to the output
 * function. Here the packets come from a TUN device the program opens itself; they could
 * as well come from a UDP tunnel, a pcap file or another stack in the same process.
 *
 * It answers every TCP connection on PORT with one line ("hello 192.0.2.1:40312, this is
 * synack") and closes it, learning which sockets need attention from synack_ready.
 *
 * Build against an installed synack (examples/README.md, docs/embedding.md):
 *   cc -o sansio_tun sansio_tun.c $(pkg-config --cflags --libs synack)
 * Run as root; this program only opens the device, so give the kernel's side an address:
 *   ./sansio_tun tun0 192.0.2.2/24 7000 &
 *   ip addr add 192.0.2.1/24 dev tun0 && ip link set tun0 up
 *   nc 192.0.2.2 7000 </dev/null
 * SIGTERM or SIGINT ends it at once. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ppoll; POSIX and Linux declarations, whatever -std says */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <synack/synack.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The stack's time: microseconds on any monotonic scale; CLOCK_MONOTONIC here. */
static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A TUN device without packet information: each read(2) gives one raw IP packet and each
 * write(2) sends one. Non-blocking, so the loop reads until EAGAIN. */
static int tun_open(const char *name)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The output function the stack sends through: one IPv4 packet, to the TUN. 0 or -errno
 * (the stack counts a failed send as a drop; TCP retransmits). */
static int tun_output(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
	int fd = *(const int *)ctx;
	(void)now;
	ssize_t n = write(fd, pkt, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Reads what the socket has until EAGAIN (edge-triggered readiness needs that: an event is
 * reported again only after a call found it gone) and closes it at the end of its stream or
 * on an error. The request, if any, is ignored: the line was sent at accept. */
static void drain(synack_stack *st, int s)
{
	char buf[2048];
	for (;;) {
		ssize_t n = synack_recv(st, s, buf, sizeof(buf), 0);
		if (n > 0)
			continue;
		if (n == -EAGAIN)
			return; /* re-armed: synack_ready reports it when more comes */
		synack_close(st, s); /* 0: the peer's FIN, after ours; or an error (-ECONNRESET) */
		return;
	}
}

/* A new connection: the line, then our FIN (shutdown, not close, so that what the peer
 * still sends is read, not answered with a reset). */
static void greet(synack_stack *st, int s, const struct synack_sockaddr *peer)
{
	char ip[SYNACK_IP_STRLEN], line[128];
	int n = snprintf(line, sizeof(line), "hello %s:%u, this is synack\n",
			 synack_ip_format(&peer->ip, ip, sizeof(ip)), peer->port); /* host order */
	synack_send(st, s, line, (size_t)n, 0); /* an empty send buffer takes it whole */
	synack_shutdown(st, s, SYNACK_SHUT_WR);
	drain(st, s); /* a new socket starts with nothing reported: try it once */
}

/* Serves every socket something happened to, without looking at the others. */
static void serve(synack_stack *st, int listener)
{
	struct synack_ready_event ev[64];
	int n;
	while ((n = synack_ready(st, ev, 64)) > 0) {
		for (int i = 0; i < n; i++) {
			if (ev[i].sock == listener) {
				struct synack_sockaddr peer;
				int s;
				while ((s = synack_accept(st, listener, &peer)) >= 0)
					greet(st, s, &peer);
			} else if (ev[i].events & (SYNACK_EV_IN | SYNACK_EV_ERR | SYNACK_EV_HUP)) {
				drain(st, ev[i].sock);
			}
		}
	}
}

static int usage(const char *why)
{
	fprintf(stderr, "sansio_tun: %s (usage: sansio_tun DEVICE A.B.C.D/LEN PORT)\n", why);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return usage("expected three arguments");
	const char *dev = argv[1];
	if (!*dev || strlen(dev) >= IFNAMSIZ)
		return usage("DEVICE: expected a device name of 1 to 15 characters");
	/* "A.B.C.D/LEN": synack_ip_parse gives the address as its bytes in network order. */
	char text[64];
	snprintf(text, sizeof(text), "%s", argv[2]);
	char *slash = strchr(text, '/'), *end = NULL;
	struct synack_ip addr;
	long plen = slash ? strtol(slash + 1, &end, 10) : -1;
	if (slash)
		*slash = 0;
	if (!slash || *end || end == slash + 1 || plen < 0 || plen > 32 || synack_ip_parse(text, &addr) < 0 ||
	    addr.family != SYNACK_AF_INET)
		return usage("expected A.B.C.D/LEN as the address");
	long port = strtol(argv[3], &end, 10);
	if (*end || port < 1 || port > 65535)
		return usage("PORT: expected 1..65535");

	/* SIGTERM and SIGINT are blocked except while the loop sleeps in ppoll: a signal then
	 * ends the sleep (EINTR), and one that came while the loop worked ends the next. */
	sigset_t block, sleeping;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &sleeping);
	sigdelset(&sleeping, SIGTERM);
	sigdelset(&sleeping, SIGINT);
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	int fd = tun_open(dev);
	if (fd < 0) {
		fprintf(stderr, "sansio_tun: %s: %s\n", dev, strerror(errno));
		return 1;
	}

	/* A stack with the default settings (a random secret from the system), one address on
	 * the TUN's link, and a listener: the native calls return -errno. */
	int err = 0;
	synack_stack *st = synack_stack_new(NULL, &err);
	if (!st) {
		fprintf(stderr, "sansio_tun: synack_stack_new: %s\n", strerror(-err));
		return 1;
	}
	int id = synack_add_addr(st, &addr, (uint8_t)plen, 1500, tun_output, &fd);
	int l = id < 0 ? id : synack_socket(st, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr any = synack_sa_any(SYNACK_AF_INET, (uint16_t)port); /* host order */
	int r = l < 0 ? l : synack_bind(st, l, &any);
	if (r >= 0)
		r = synack_listen(st, l, 128);
	if (r < 0) {
		fprintf(stderr, "sansio_tun: listen on port %ld: %s\n", port, strerror(-r));
		return 1;
	}
	synack_poll(st, now_us()); /* the stack's clock starts now */
	printf("sansio_tun: ready, answering TCP on %s:%ld\n", text, port);
	fflush(stdout);

	static uint8_t pkt[65536];
	int status = 0;
	while (!stop) {
		/* Sleep until a packet comes or the stack's next timer is due. */
		uint64_t now = now_us(), due = synack_next_deadline(st);
		struct timespec wait, *waitp = NULL; /* NULL: no timer, wait for a packet */
		if (due != UINT64_MAX) {
			uint64_t us = due > now ? due - now : 0;
			wait = (struct timespec){(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
			waitp = &wait;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (ppoll(&p, 1, waitp, &sleeping) < 0 && errno != EINTR) {
			perror("sansio_tun: ppoll");
			status = 1;
			break;
		}
		/* Every packet there is (a bounded batch, so timers are never starved), each with
		 * the time it was read. */
		for (int i = 0; i < 256; i++) {
			ssize_t n = read(fd, pkt, sizeof(pkt));
			if (n <= 0)
				break; /* EAGAIN: nothing more now */
			synack_input(st, pkt, (size_t)n, now_us());
		}
		synack_poll(st, now_us()); /* the timers that fell due: retransmissions, delayed ACKs */
		serve(st, l);
	}
	synack_stack_free(st); /* drops every connection */
	close(fd);
	return status;
}
