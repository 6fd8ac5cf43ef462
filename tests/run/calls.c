/* The socket calls a program makes, each result printed in a line that does not depend on
 * which stack is under it: tests/run/calls.sh runs this program on Linux's own TCP and
 * under synack-run, and the two outputs must be the same line for line (Linux is the
 * oracle). It talks to the services of tests/run/peer.py at PEER.
 *
 * usage: calls PEER_IPV4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static struct in_addr peer;

/* "what: 5" or "what: -1 ECONNREFUSED". */
static long say(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, r);
	fflush(stdout);
	return r;
}

static struct sockaddr_in at(struct in_addr a, int port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = a};
	return s;
}

#define SA(x) ((struct sockaddr *)&(x))

static int tcp(void)
{
	return socket(AF_INET, SOCK_STREAM, 0);
}

static int tcp_to(int port)
{
	int s = tcp();
	struct sockaddr_in a = at(peer, port);
	if (connect(s, SA(a), sizeof(a)) < 0) {
		perror("connect");
		exit(1);
	}
	return s;
}

/* Waits up to 5 s for events on fd; the revents. */
static int wait_for(int fd, short ev)
{
	struct pollfd p = {.fd = fd, .events = ev};
	return poll(&p, 1, 5000) == 1 ? p.revents : 0;
}

/* Reads exactly n bytes (or to end of file) with a 5 s limit per read. */
static ssize_t readn(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		if (!(wait_for(fd, POLLIN) & (POLLIN | POLLHUP | POLLERR)))
			break;
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return got ? (ssize_t)got : r;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int getint(int s, int level, int name)
{
	int v = -7;
	socklen_t l = sizeof(v);
	if (getsockopt(s, level, name, &v, &l) < 0)
		return -1000 - errno;
	return v;
}

static void connected_calls(void)
{
	int s = tcp();
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	say("getpeername before connect", getpeername(s, SA(a), &l));
	say("getsockopt SO_ACCEPTCONN unconnected", getint(s, SOL_SOCKET, SO_ACCEPTCONN));
	struct sockaddr_in to = at(peer, 7001);
	say("connect echo", connect(s, SA(to), sizeof(to)));
	l = sizeof(a);
	say("getpeername", getpeername(s, SA(a), &l));
	say("getpeername is the peer", l == sizeof(a) && a.sin_port == htons(7001) && a.sin_addr.s_addr == peer.s_addr);
	l = sizeof(a);
	say("getsockname", getsockname(s, SA(a), &l));
	say("getsockname AF_INET with a port", l == sizeof(a) && a.sin_family == AF_INET && a.sin_port != 0);
	say("SO_TYPE", getint(s, SOL_SOCKET, SO_TYPE));
	say("SO_DOMAIN", getint(s, SOL_SOCKET, SO_DOMAIN));
	say("SO_PROTOCOL", getint(s, SOL_SOCKET, SO_PROTOCOL));
	say("SO_ERROR", getint(s, SOL_SOCKET, SO_ERROR));
	int one = 1;
	say("setsockopt TCP_NODELAY", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
	say("TCP_NODELAY", getint(s, IPPROTO_TCP, TCP_NODELAY));
	say("setsockopt SO_KEEPALIVE", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)));
	say("SO_KEEPALIVE", getint(s, SOL_SOCKET, SO_KEEPALIVE));
	say("TCP_MAXSEG above 500", getint(s, IPPROTO_TCP, TCP_MAXSEG) > 500);
	struct tcp_info ti;
	l = sizeof(ti);
	say("TCP_INFO", getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &l));
	say("TCP_INFO state ESTABLISHED", ti.tcpi_state == 1);
	say("getsockopt unknown option", getint(s, SOL_SOCKET, 9999));

	char buf[256];
	say("write", write(s, "hello", 5));
	ssize_t n = readn(s, buf, 5);
	say("read the echo", n == 5 && memcmp(buf, "hello", 5) == 0);
	struct iovec v[2] = {{"ab", 2}, {"cd", 2}};
	say("writev", writev(s, v, 2));
	char b1[2], b2[2];
	struct iovec rv[2] = {{b1, 2}, {b2, 2}};
	wait_for(s, POLLIN);
	usleep(100000);
	say("readv", readv(s, rv, 2));
	say("readv's bytes", memcmp(b1, "ab", 2) == 0 && memcmp(b2, "cd", 2) == 0);
	say("send", send(s, "x", 1, MSG_NOSIGNAL));
	wait_for(s, POLLIN);
	int q = -1;
	say("ioctl FIONREAD", ioctl(s, FIONREAD, &q));
	say("FIONREAD's count", q);
	say("recv MSG_PEEK", recv(s, buf, sizeof(buf), MSG_PEEK));
	say("recv", recv(s, buf, sizeof(buf), 0));
	say("recv MSG_DONTWAIT with nothing", recv(s, buf, sizeof(buf), MSG_DONTWAIT));
	say("ioctl FIONBIO on", ioctl(s, FIONBIO, &one));
	say("F_GETFL has O_NONBLOCK", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
	say("read non-blocking with nothing", read(s, buf, sizeof(buf)));
	int zero = 0;
	ioctl(s, FIONBIO, &zero);
	struct timeval tv = {.tv_usec = 200000};
	say("setsockopt SO_RCVTIMEO", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	say("read past SO_RCVTIMEO", read(s, buf, sizeof(buf)));
	tv.tv_usec = 0;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	send(s, "y", 1, 0);
	wait_for(s, POLLIN);
	l = sizeof(a);
	say("recvfrom", recvfrom(s, buf, 1, 0, SA(a), &l));
	say("recvfrom's address length", l);
	to = at(peer, 9);
	say("sendto with an address on a connected socket", sendto(s, "t", 1, 0, SA(to), sizeof(to)));
	say("its echo", readn(s, buf, 1));

	int d = dup(s);
	say("close the original after dup", close(s));
	say("write on the dup", write(d, "z", 1));
	say("read on the dup", readn(d, buf, 1));
	int p[2];
	if (pipe(p) < 0)
		exit(1);
	write(p[1], "p", 1);
	write(d, "w", 1);
	struct pollfd pf[2] = {{.fd = d, .events = POLLIN}, {.fd = p[0], .events = POLLIN}};
	wait_for(d, POLLIN); /* the echo is back: both are readable from here on */
	say("poll: the socket and a pipe", poll(pf, 2, 1000));
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(d, &rs);
	FD_SET(p[0], &rs);
	struct timeval t0 = {.tv_sec = 1};
	say("select: the socket and a pipe", select((d > p[0] ? d : p[0]) + 1, &rs, NULL, NULL, &t0));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event e = {.events = EPOLLIN, .data.fd = d}, es[4];
	epoll_ctl(ep, EPOLL_CTL_ADD, d, &e);
	e.data.fd = p[0];
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e);
	say("epoll_wait: the socket and a pipe", epoll_wait(ep, es, 4, 1000));
	read(d, buf, 1);
	read(p[0], buf, 1);
	struct timespec ts0 = {0, 50000000};
	pf[0].revents = pf[1].revents = 0;
	say("ppoll with nothing ready", ppoll(pf, 2, &ts0, NULL));
	FD_ZERO(&rs);
	FD_SET(d, &rs);
	FD_SET(p[0], &rs);
	say("pselect with nothing ready", pselect((d > p[0] ? d : p[0]) + 1, &rs, NULL, NULL, &ts0, NULL));
	say("epoll_wait with nothing ready", epoll_wait(ep, es, 4, 50));
	close(ep);
	close(p[0]);
	close(p[1]);
	say("close", close(d));
}

static void ending_calls(void)
{
	char buf[64];
	int s = tcp_to(7003);
	say("write before shutdown", write(s, "data", 4));
	say("shutdown SHUT_WR", shutdown(s, SHUT_WR));
	say("write after shutdown", write(s, "more", 4));
	ssize_t n = readn(s, buf, 3);
	say("the peer's answer after our FIN", n == 3 && memcmp(buf, "bye", 3) == 0);
	say("read at the peer's FIN", readn(s, buf, sizeof(buf)));
	close(s);

	s = tcp_to(7002);
	char tmpl[] = "/tmp/synack-calls-XXXXXX";
	int f = mkstemp(tmpl);
	unlink(tmpl);
	static char blob[100000];
	memset(blob, 'f', sizeof(blob));
	if (write(f, blob, sizeof(blob)) != (ssize_t)sizeof(blob))
		exit(1);
	off_t off = 0;
	size_t total = 0;
	while (total < sizeof(blob)) {
		ssize_t r = sendfile(s, f, &off, sizeof(blob) - total);
		if (r <= 0)
			break;
		total += (size_t)r;
	}
	say("sendfile from a file", (long)total);
	shutdown(s, SHUT_WR);
	memset(buf, 0, sizeof(buf));
	readn(s, buf, sizeof(buf) - 1);
	printf("the peer counted: %s\n", buf);
	close(f);
	close(s);

	s = tcp_to(7004);
	say("write to a peer that resets", write(s, "r", 1));
	wait_for(s, POLLIN);
	usleep(100000);
	say("read after the reset", read(s, buf, sizeof(buf)));
	say("read again", read(s, buf, sizeof(buf)));
	say("write after the reset", send(s, "x", 1, MSG_NOSIGNAL));
	close(s);
}

static void connect_calls(void)
{
	int s = tcp();
	fcntl(s, F_SETFL, O_NONBLOCK);
	struct sockaddr_in to = at(peer, 7001);
	say("non-blocking connect", connect(s, SA(to), sizeof(to)));
	say("poll POLLOUT", (wait_for(s, POLLOUT) & POLLOUT) != 0);
	say("SO_ERROR after it", getint(s, SOL_SOCKET, SO_ERROR));
	say("connect again", connect(s, SA(to), sizeof(to)));
	say("and again", connect(s, SA(to), sizeof(to)));
	close(s);

	s = tcp();
	to = at(peer, 7009);
	say("connect to a closed port", connect(s, SA(to), sizeof(to)));
	close(s);
	s = tcp();
	fcntl(s, F_SETFL, O_NONBLOCK);
	say("non-blocking connect to a closed port", connect(s, SA(to), sizeof(to)));
	say("poll POLLOUT", (wait_for(s, POLLOUT) & POLLOUT) != 0);
	say("SO_ERROR after it", getint(s, SOL_SOCKET, SO_ERROR));
	say("SO_ERROR once more", getint(s, SOL_SOCKET, SO_ERROR));
	close(s);

	s = tcp();
	struct sockaddr_in6 six = {.sin6_family = AF_INET6, .sin6_port = htons(7001)};
	say("connect with a short address", connect(s, SA(to), 3));
	say("connect with an IPv6 address", connect(s, SA(six), sizeof(six)));
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	say("listen on UDP", listen(u, 1));
	close(u);
	say("accept on an unconnected socket", accept(s, NULL, NULL));
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons(7100)};
	say("bind", bind(s, SA(any), sizeof(any)));
	int s2 = tcp();
	say("bind the same port again", bind(s2, SA(any), sizeof(any)));
	say("bind with a short address", bind(s2, SA(any), 3));
	close(s2);
	close(s);

	s = socket(AF_INET6, SOCK_STREAM, 0);
	say("IPV6_V6ONLY of an AF_INET6 socket", getint(s, IPPROTO_IPV6, IPV6_V6ONLY));
	six.sin6_addr.s6_addr[10] = six.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&six.sin6_addr.s6_addr[12], &peer, 4);
	say("connect AF_INET6 to an IPv4-mapped address", connect(s, SA(six), sizeof(six)));
	struct sockaddr_in6 got;
	socklen_t l = sizeof(got);
	getpeername(s, SA(got), &l);
	say("its peer is AF_INET6, IPv4-mapped", l == sizeof(got) && got.sin6_family == AF_INET6 &&
							  memcmp(&got.sin6_addr, &six.sin6_addr, 16) == 0);
	close(s);
}

/* The peer's callback service connects to us at port; what it reports back. */
static void callback(int port, char *out, size_t len)
{
	int c = tcp_to(7005);
	char line[16];
	int n = snprintf(line, sizeof(line), "%d\n", port);
	write(c, line, (size_t)n);
	memset(out, 0, len);
	readn(c, out, len - 1);
	close(c);
}

static void listener_calls(void)
{
	int l = tcp();
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons(7200)};
	say("bind 7200", bind(l, SA(any), sizeof(any)));
	say("listen", listen(l, 8));
	say("SO_ACCEPTCONN", getint(l, SOL_SOCKET, SO_ACCEPTCONN));
	fcntl(l, F_SETFL, O_NONBLOCK);
	say("accept with nothing pending", accept(l, NULL, NULL));

	/* The peer connects, says "hi" and waits for our answer. */
	pid_t helper = fork();
	if (helper == 0) {
		char got[64];
		callback(7200, got, sizeof(got));
		printf("the peer got: %s\n", got);
		fflush(stdout);
		_exit(0);
	}
	wait_for(l, POLLIN);
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int c = accept4(l, SA(a), &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
	say("accept4", c >= 0);
	say("accept4's address is the peer", al == sizeof(a) && a.sin_family == AF_INET && a.sin_addr.s_addr == peer.s_addr);
	say("accept4 SOCK_NONBLOCK", (fcntl(c, F_GETFL) & O_NONBLOCK) != 0);
	say("accept4 SOCK_CLOEXEC", (fcntl(c, F_GETFD) & FD_CLOEXEC) != 0);
	char buf[16];
	ssize_t n = readn(c, buf, 2);
	say("read what the peer sent", n == 2 && memcmp(buf, "hi", 2) == 0);
	say("read its FIN", readn(c, buf, sizeof(buf)));
	say("answer", write(c, "parent", 6));
	close(c);
	waitpid(helper, NULL, 0);

	/* A forked child accepts on the listener its parent opened; epoll sees it first. */
	int ep = epoll_create1(0);
	struct epoll_event e = {.events = EPOLLIN, .data.fd = l};
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &e);
	pid_t kid = fork();
	if (kid == 0) {
		struct epoll_event es[2];
		int r = epoll_wait(ep, es, 2, 5000);
		int k = accept(l, NULL, NULL);
		char b[8];
		readn(k, b, 2);
		write(k, r == 1 ? "child" : "child?", r == 1 ? 5 : 6);
		close(k);
		_exit(0);
	}
	char got[64];
	callback(7200, got, sizeof(got));
	printf("the peer got: %s\n", got);
	int st;
	waitpid(kid, &st, 0);
	say("the child's status", WEXITSTATUS(st));
	close(ep);
	close(l);
}

static void udp_calls(void)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	struct sockaddr_in to = at(peer, 7006), from;
	socklen_t l = sizeof(from);
	say("UDP getpeername unconnected", getpeername(u, SA(from), &l));
	say("sendto", sendto(u, "ping", 4, 0, SA(to), sizeof(to)));
	wait_for(u, POLLIN);
	l = sizeof(from);
	ssize_t n = recvfrom(u, buf, sizeof(buf), 0, SA(from), &l);
	say("recvfrom", n);
	say("recvfrom's datagram and sender", n == 4 && memcmp(buf, "PING", 4) == 0 && l == sizeof(from) &&
						 from.sin_port == htons(7006) && from.sin_addr.s_addr == peer.s_addr);
	l = sizeof(from);
	getsockname(u, SA(from), &l);
	say("UDP getsockname has a port", from.sin_port != 0);
	say("UDP connect", connect(u, SA(to), sizeof(to)));
	say("send", send(u, "abcdef", 6, 0));
	wait_for(u, POLLIN);
	int q = -1;
	ioctl(u, FIONREAD, &q);
	say("FIONREAD: the next datagram's size", q);
	char small[3];
	struct iovec v = {small, 3};
	struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1};
	say("recvmsg into 3 bytes", recvmsg(u, &m, 0));
	say("its MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0);
	say("write", write(u, "abcdef", 6));
	wait_for(u, POLLIN);
	say("recv MSG_TRUNC into 3 bytes", recv(u, small, 3, MSG_TRUNC));
	struct mmsghdr mm[2];
	struct iovec mv[2] = {{"one", 3}, {"two", 3}};
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &mv[0];
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &mv[1];
	mm[1].msg_hdr.msg_iovlen = 1;
	say("sendmmsg", sendmmsg(u, mm, 2, 0));
	char r1[8] = {0}, r2[8] = {0};
	struct iovec rv[2] = {{r1, 8}, {r2, 8}};
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &rv[0];
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &rv[1];
	mm[1].msg_hdr.msg_iovlen = 1;
	wait_for(u, POLLIN);
	usleep(100000);
	say("recvmmsg", recvmmsg(u, mm, 2, 0, NULL));
	printf("recvmmsg's datagrams: %s %s\n", r1, r2);
	say("recv MSG_DONTWAIT with nothing", recv(u, buf, sizeof(buf), MSG_DONTWAIT));
	say("close", close(u));
}

int main(int argc, char **argv)
{
	if (argc != 2 || inet_pton(AF_INET, argv[1], &peer) != 1) {
		fprintf(stderr, "usage: calls PEER_IPV4\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	connected_calls();
	ending_calls();
	connect_calls();
	listener_calls();
	udp_calls();
	return 0;
}
