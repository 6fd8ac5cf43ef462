/* udp_service: a UDP service on synack's runtime: every datagram comes back to its sender
 * in upper case ("hello" -> "HELLO").
 *
 * The runtime (<synack/rt.h>) runs the stack on a TUN device from a loop thread of its own;
 * the program uses POSIX-style datagram calls: recvfrom blocks until a datagram comes,
 * sendto answers the address it came from.
 *
 * Build against an installed synack (examples/README.md, docs/embedding.md):
 *   cc -o udp_service udp_service.c $(pkg-config --cflags --libs synack)
 * Run as root:
 *   ./udp_service --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --port 5000
 *   echo hello | nc -u -w 1 192.0.2.2 5000
 * SIGTERM or SIGINT ends it within a second. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and Linux declarations, whatever -std says */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <synack/rt.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct synack_rt_opts o;
	synack_rt_tool_opts(&o, &argc, argv, "udp_service",
			    "usage: udp_service --tun NAME --addr A.B.C.D/LEN [--host-addr A.B.C.D/LEN] --port P\n"
			    "Answers every UDP datagram with it in upper case.\n",
			    "  --port P            the UDP port to serve (1..65535)\n");
	long port = 0;
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
			port = strtol(argv[++i], &end, 10);
			if (*end || port < 1 || port > 65535) {
				fprintf(stderr, "udp_service: --port: expected 1..65535, not '%s'\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "udp_service: unexpected argument '%s' (try --help)\n", argv[i]);
			return 2;
		}
	}
	if (!port) {
		fprintf(stderr, "udp_service: --port P is required (try --help)\n");
		return 2;
	}

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	char why[256];
	synack_rt *rt = synack_rt_start(&o, why, sizeof(why));
	if (!rt) {
		fprintf(stderr, "udp_service: %s\n", why);
		return 1;
	}
	int s = synack_rt_socket(rt, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	/* A blocking call on a synack socket is no system call: a signal does not interrupt it.
	 * A receive timeout brings recvfrom back (EAGAIN) five times a second to look at `stop`. */
	struct timeval tv = {0, 200 * 1000};
	if (s < 0 || synack_rt_bind(rt, s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    synack_rt_setsockopt(rt, s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		fprintf(stderr, "udp_service: bind port %ld: %s\n", port, strerror(errno));
		synack_rt_stop(rt);
		return 1;
	}
	char addr[SYNACK_IP_STRLEN];
	printf("udp_service: ready, answering UDP on %s:%ld\n", synack_ip_format(&o.addr, addr, sizeof(addr)), port);
	fflush(stdout);

	int status = 0;
	while (!stop) {
		char buf[65536];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = synack_rt_recvfrom(rt, s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue; /* the timeout: look at `stop` */
			fprintf(stderr, "udp_service: recvfrom: %s\n", strerror(errno));
			status = 1;
			break;
		}
		for (ssize_t i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		/* Back to the sender: from is a struct sockaddr_in, network byte order. A send
		 * that fails (no route, a full queue) loses the datagram, as UDP may. */
		if (synack_rt_sendto(rt, s, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) < 0)
			fprintf(stderr, "udp_service: sendto %s:%u: %s\n", inet_ntoa(from.sin_addr),
				ntohs(from.sin_port), strerror(errno));
	}
	synack_rt_close(rt, s);
	synack_rt_stop(rt);
	return status;
}
