/* synack-httpd: a small HTTP/1.1 static file server on the synack stack.
 *
 * One thread serves every connection: the sockets are non-blocking and the runtime's epoll
 * (synack_rt_epoll_wait, edge-triggered) says which can move; each connection is a state
 * machine (reading a request head, a body, sending a response, lingering after its close)
 * that runs until its socket would block. GET and HEAD serve files under --root; PUT (with
 * --upload-dir or --allow-put) stores the request body and answers with its SHA-256.
 * Keep-alive as HTTP/1.1 says (HTTP/1.0 only when asked), pipelining, Expect: 100-continue,
 * chunked request bodies. Paths are percent-decoded, ".." is refused, and what a path
 * resolves to (symbolic links followed) must stay under the root. Every line of the log
 * (standard error) starts with the time, UTC, ISO 8601. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <synack/rt.h>

#define HDR_MAX	      8192          /* request line and headers, and a chunk-size line */
#define IO_BUF	      (256 * 1024)  /* file and body transfers go by this much */
#define DRAIN_MAX     (1024 * 1024) /* an unwanted request body we read to keep the connection */
#define LINGER_MS     2000          /* reading what the client still sends after our FIN */
#define SEND_TIMEOUT  60000         /* ms a response may make no progress before the client is dropped */
#define STOP_DRAIN_MS 400           /* at SIGTERM: how long the FIN exchanges get (exit within 1 s) */
#define TICK_MS	      100           /* how often timers, SIGTERM and the device are looked at */
#define BATCH	      256           /* events taken per epoll_wait */
#define TURN_BYTES    (4 * IO_BUF)  /* what one connection moves before the others get their turn */
#define LISTENER      UINT64_MAX    /* the listening socket's epoll data */

static const char usage[] =
	"usage: synack-httpd [common options] --root DIR [--port P] [options]\n"
	"An HTTP/1.1 static file server on the synack user-space stack. GET and HEAD serve\n"
	"the files under DIR (a directory serves its index.html); PUT stores the request\n"
	"body, when allowed, and answers 201 (200 if the file existed) with the body's\n"
	"SHA-256 in the X-Content-SHA256 header and the response body. One thread serves\n"
	"every connection, on the runtime's epoll.\n"
	"\n"
	"  --root DIR        the directory served (required)\n"
	"  --port P          the TCP port (default 80)\n"
	"  --max-conns N     connections served at once (default 1024); more wait in the\n"
	"                    listen backlog (1024). --threads N is its old name\n"
	"  --upload-dir DIR  allow PUT: PUT /a/b stores DIR/a/b (DIR/a must exist)\n"
	"  --allow-put       allow PUT under --root (as --upload-dir with the root)\n"
	"  --idle SECS       close a keep-alive connection idle this long (default 15)\n"
	"  -v                log one line per request on standard error\n"
	"  -h, --help        this text\n"
	"\n"
	"Common options (a device and --addr are required):\n";

static const char usage_tail[] =
	"\n"
	"The log (standard error) starts with one line saying what is served; each line begins\n"
	"with the time (UTC). SIGINT or SIGTERM stops the server within 1 s: connections are\n"
	"shut down, the capture is completed, the exit status is 0. Errors at start: one line,\n"
	"exit status 1 (2 for a usage error). If the device disappears: one line\n"
	"(\"synack-httpd: tun0: the device is gone\"), exit status 1.\n";

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(s->h, h0, sizeof(h0));
	s->len = 0;
	s->n = 0;
}

static inline uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	s->h[5] += f;
	s->h[6] += g;
	s->h[7] += h;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	s->len += len;
	if (s->n) {
		size_t take = 64 - s->n < len ? 64 - s->n : len;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n < 64)
			return;
		sha256_block(s, s->buf);
		s->n = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(s, p);
	memcpy(s->buf, p, len);
	s->n = len;
}

static void sha256_hex(struct sha256 *s, char out[65])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = {0x80};
	size_t padlen = (s->n < 56 ? 56 : 120) - s->n;
	for (int i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, pad, padlen + 8);
	for (int i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

/* ---- the server ---- */

enum { M_GET, M_HEAD, M_PUT, M_KNOWN, M_OTHER };

/* Where a connection is: what it waits for when its socket would block. */
enum cstate {
	C_HEAD,      /* reading a request's line and headers */
	C_DROP_BODY, /* reading (and dropping) the body of a GET or HEAD */
	C_PUT_BODY,  /* reading a PUT's body into the temporary file */
	C_SEND,      /* sending io[io_off..io_len), then what `after` says */
	C_LINGER,    /* our side shut down: reading what the client still sends, until its FIN */
};
enum { A_DONE, A_FILE, A_PUT }; /* after C_SEND: the response is complete; more of the file; the PUT body */

struct conn {
	int s;
	struct sockaddr_in6 peer; /* IPv6; an IPv4 client IPv4-mapped (the listener is dual-stack) */
	enum cstate state;
	int after;
	uint64_t deadline;    /* ms (monotonic): the state's timer (idle, send, linger) */
	struct conn *prev, *next; /* every connection, for the timers and the stop */
	struct conn *rnext;   /* on the list of those whose turn ended before their socket blocked */
	int runnable;
	char in[HDR_MAX];     /* input: in[off..len) is received and not yet used */
	size_t off, len, scanned;
	int peer_eof;         /* the client closed its side */
	char *io;             /* IO_BUF bytes while a response or body is on its way; else NULL */
	size_t io_off, io_len;
	size_t linger_total;
	/* the request */
	char reqline[160];    /* for the log, cut */
	char path[HDR_MAX];   /* percent-decoded, query gone */
	int method, minor, keep;
	int has_len, chunked, expect100, has_host;
	uint64_t clen;
	uint64_t body_left;   /* the body being read */
	int body_state;       /* chunked: 0 size line, 1 data, 2 CRLF after data, 3 done, 4 trailers */
	uint64_t dropped;
	/* the response */
	int status;
	uint64_t sent, hlen;  /* bytes written for it, of which the head */
	int fd;               /* the file being sent (GET) or written (PUT), or -1 */
	uint64_t file_left;
	/* PUT */
	struct sha256 h;
	char tmp[PATH_MAX + 32], final[PATH_MAX + 16];
	int existed, disk_err;
};

struct srv {
	synack_rt *rt;
	const char *dev;
	char root[PATH_MAX];
	char up[PATH_MAX]; /* where PUT stores, "" when PUT is not allowed */
	uint16_t port;
	unsigned max_conns;
	int idle_s;
	int verbose;
	int lsock, ep;
	struct conn **by_sock; /* connections by socket handle */
	size_t nby;
	struct conn *all;      /* every connection */
	struct conn *runq;     /* turn ended, socket not blocked: go on without an event */
	unsigned active;
	int accept_paused;     /* at max_conns: accept again when one ends */
	uint64_t accept_retry; /* accept failed for want of memory or handles: retry then */
	int stopping;
	char scratch[64 * 1024]; /* what is read only to be dropped */
};

static struct srv S;
static atomic_int stop_signal; /* set by the signal thread */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One line of the log, "2024-05-01T12:00:00.123Z " first, in one write. */
static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char line[640];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
}

static void logline(struct conn *c)
{
	if (!S.verbose)
		return;
	/* an IPv4 client as its IPv4 address; an IPv6 one in brackets, as URLs write it */
	char a[INET6_ADDRSTRLEN + 2];
	const uint8_t *b = c->peer.sin6_addr.s6_addr;
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (memcmp(b, mapped, 12) == 0) {
		inet_ntop(AF_INET, b + 12, a, sizeof(a));
	} else {
		a[0] = '[';
		inet_ntop(AF_INET6, b, a + 1, sizeof(a) - 2);
		strcat(a, "]");
	}
	uint64_t body = c->method == M_HEAD || c->sent < c->hlen ? 0 : c->sent - c->hlen;
	logf_("%s:%u \"%s\" %d %llu", a, ntohs(c->peer.sin6_port), c->reqline, c->status, (unsigned long long)body);
}

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
		{".txt", "text/plain; charset=utf-8"}, {".css", "text/css"},
		{".js", "text/javascript"},            {".json", "application/json"},
		{".png", "image/png"},                 {".jpg", "image/jpeg"},
		{".jpeg", "image/jpeg"},               {".gif", "image/gif"},
		{".svg", "image/svg+xml"},             {".pdf", "application/pdf"},
		{".pcap", "application/vnd.tcpdump.pcap"},
	};
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

static void http_date(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}


/* ---- network I/O, non-blocking: WOULD_BLOCK means "wait for the socket" ---- */

#define WOULD_BLOCK (-3)

/* More input into c->in (moving what is left to the front first). Bytes read, 0 at end of
 * stream, -1 on an error, -2 when the buffer is full, WOULD_BLOCK. */
static ssize_t fill(struct conn *c)
{
	if (c->off == c->len) {
		c->off = c->len = c->scanned = 0;
	} else if (c->off > 0 && c->len == sizeof(c->in)) {
		memmove(c->in, c->in + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof(c->in))
		return -2;
	ssize_t n = synack_rt_read(S.rt, c->s, c->in + c->len, sizeof(c->in) - c->len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? WOULD_BLOCK : -1;
	if (n == 0) {
		c->peer_eof = 1;
		return 0;
	}
	c->len += (size_t)n;
	c->deadline = now_ms() + (uint64_t)S.idle_s * 1000u; /* the idle limit counts from the last byte */
	return n;
}

/* One line of input (chunk sizes, trailers), CR LF or LF cut off, into *line: 1, or
 * WOULD_BLOCK, or -1 (an error, the end of the stream, a line too long). */
static int get_line(struct conn *c, char **line)
{
	for (;;) {
		char *nl = memchr(c->in + c->off, '\n', c->len - c->off);
		if (nl) {
			*line = c->in + c->off;
			c->off = (size_t)(nl - c->in) + 1;
			*nl = 0;
			if (nl > *line && nl[-1] == '\r')
				nl[-1] = 0;
			return 1;
		}
		ssize_t n = fill(c);
		if (n == WOULD_BLOCK)
			return WOULD_BLOCK;
		if (n <= 0)
			return -1;
	}
}

/* Request body bytes: > 0, 0 at its end, WOULD_BLOCK, -1 when it cannot be read (broken
 * framing, the client gone). */
static ssize_t body_read(struct conn *c, char *buf, size_t max)
{
	char *line;
	int r;
	for (;;) {
		if (c->chunked) {
			switch (c->body_state) {
			case 3:
				return 0;
			case 0: {
				if ((r = get_line(c, &line)) != 1)
					return r;
				char *end;
				errno = 0;
				unsigned long long v = strtoull(line, &end, 16);
				if (end == line || errno || (*end && *end != ';' && *end != ' ' && *end != '\t'))
					return -1;
				if (v == 0) {
					c->body_state = 4;
					continue;
				}
				c->body_left = v;
				c->body_state = 1;
				break;
			}
			case 4: /* trailers, up to the empty line */
				if ((r = get_line(c, &line)) != 1)
					return r;
				if (!*line) {
					c->body_state = 3;
					return 0;
				}
				continue;
			case 2:
				if ((r = get_line(c, &line)) != 1)
					return r;
				if (*line)
					return -1;
				c->body_state = 0;
				continue;
			}
		}
		if (c->body_left == 0) {
			if (c->chunked) {
				c->body_state = 2;
				continue;
			}
			return 0;
		}
		size_t want = max < c->body_left ? max : (size_t)c->body_left;
		ssize_t n;
		if (c->off < c->len) {
			n = (ssize_t)(c->len - c->off < want ? c->len - c->off : want);
			memcpy(buf, c->in + c->off, (size_t)n);
			c->off += (size_t)n;
		} else {
			n = synack_rt_read(S.rt, c->s, buf, want);
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? WOULD_BLOCK : -1;
			if (n == 0) {
				c->peer_eof = 1;
				return -1;
			}
			c->deadline = now_ms() + (uint64_t)S.idle_s * 1000u;
		}
		c->body_left -= (uint64_t)n;
		return n;
	}
}

/* Sends io[io_off..io_len): 1 when all is sent, WOULD_BLOCK, -1 when the connection broke. */
static int send_out(struct conn *c)
{
	while (c->io_off < c->io_len) {
		ssize_t w = synack_rt_write(S.rt, c->s, c->io + c->io_off, c->io_len - c->io_off);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? WOULD_BLOCK : -1;
		c->io_off += (size_t)w;
		c->sent += (uint64_t)w;
		c->deadline = now_ms() + SEND_TIMEOUT;
	}
	return 1;
}

static int need_io(struct conn *c)
{
	if (!c->io)
		c->io = malloc(IO_BUF);
	return c->io ? 0 : -1;
}

/* ---- responses: written into io, then sent by the state machine ---- */

/* Writes the status line and headers into c->io; their length. */
static size_t fmt_head(struct conn *c, int status, const char *ctype, uint64_t clen, const char *extra)
{
	char date[64];
	http_date(time(NULL), date, sizeof(date));
	int n = snprintf(c->io, IO_BUF,
			 "HTTP/1.1 %d %s\r\n"
			 "Server: synack-httpd\r\n"
			 "Date: %s\r\n"
			 "%s%s%s"
			 "Content-Length: %llu\r\n"
			 "%s"
			 "%s"
			 "\r\n",
			 status, reason(status), date, ctype ? "Content-Type: " : "", ctype ? ctype : "",
			 ctype ? "\r\n" : "", (unsigned long long)clen, extra ? extra : "",
			 !c->keep ? "Connection: close\r\n" : c->minor == 0 ? "Connection: keep-alive\r\n" : "");
	c->status = status;
	c->hlen = (uint64_t)n;
	return (size_t)n;
}

/* Starts sending what is in io[0..len); `after` says what follows. */
static void start_send(struct conn *c, size_t len, int after)
{
	c->io_off = 0;
	c->io_len = len;
	c->after = after;
	c->state = C_SEND;
	c->deadline = now_ms() + SEND_TIMEOUT;
}

/* A short text response. 0, or -1 when there is no memory for it (close then). */
static int send_simple(struct conn *c, int status, const char *extra, const char *body)
{
	char def[80];
	if (need_io(c) < 0)
		return -1;
	if (!body) {
		snprintf(def, sizeof(def), "%d %s\n", status, reason(status));
		body = def;
	}
	size_t blen = strlen(body);
	size_t n = fmt_head(c, status, "text/plain; charset=utf-8", blen, extra);
	if (c->method != M_HEAD && n + blen < IO_BUF) {
		memcpy(c->io + n, body, blen);
		n += blen;
	}
	start_send(c, n, A_DONE);
	return 0;
}

/* An error that ends the connection (the request could not be read in full). */
static int fail_close(struct conn *c, int status)
{
	c->keep = 0;
	return send_simple(c, status, NULL, NULL);
}

/* ---- paths ---- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* The target's path, percent-decoded, into out: 0, or the status to refuse it with. */
static int decode_target(const char *t, char *out, size_t outlen)
{
	if (strncasecmp(t, "http://", 7) == 0) { /* absolute form: the path after the authority */
		t = strchr(t + 7, '/');
		if (!t)
			t = "/";
	}
	if (*t != '/')
		return 400;
	size_t o = 0;
	for (; *t && *t != '?' && *t != '#'; t++) {
		int ch = (unsigned char)*t;
		if (ch == '%') {
			int h = hexval(t[1]), l = h < 0 ? -1 : hexval(t[2]);
			if (l < 0)
				return 400;
			ch = h * 16 + l;
			t += 2;
			if (ch == 0)
				return 400;
		}
		if (o + 1 >= outlen)
			return 414;
		out[o++] = (char)ch;
	}
	out[o] = 0;
	/* No segment may be "..": nothing climbs out of the root, whatever it resolves to. */
	for (const char *p = out; *p;) {
		const char *seg = p + 1, *e = strchr(seg, '/');
		size_t n = e ? (size_t)(e - seg) : strlen(seg);
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return 403;
		p = seg + n;
	}
	return 0;
}

static int under(const char *path, const char *root)
{
	size_t n = strlen(root);
	if (n == 1) /* the root is "/" */
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == 0);
}

static int errno_status(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return 404;
	if (e == EACCES || e == EPERM || e == ELOOP)
		return 403;
	if (e == ENAMETOOLONG)
		return 414;
	return 500;
}


/* ---- the methods ---- */

/* Reads the next part of the file into io (after n bytes already there) and sends it.
 * 0, or -1 when the file cannot be read as long as it said it was (the length sent is a
 * lie now: the connection must close). */
static int file_chunk(struct conn *c, size_t n)
{
	size_t room = IO_BUF - n;
	if (room > c->file_left)
		room = (size_t)c->file_left;
	while (room > 0) {
		ssize_t r = read(c->fd, c->io + n, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(c->fd);
			c->fd = -1;
			c->keep = 0;
			return -1;
		}
		c->file_left -= (uint64_t)r;
		n += (size_t)r;
		break;
	}
	if (c->file_left == 0) {
		close(c->fd);
		c->fd = -1;
	}
	start_send(c, n, c->fd >= 0 ? A_FILE : A_DONE);
	return 0;
}

/* GET and HEAD: the response is set up (head, and the file's first bytes with it). 0, or
 * -1 to close the connection. */
static int start_get(struct conn *c)
{
	char want[PATH_MAX + 16], real[PATH_MAX];
	if ((size_t)snprintf(want, sizeof(want), "%s%s", S.root, c->path) >= sizeof(want))
		return send_simple(c, 414, NULL, NULL);
	if (!realpath(want, real))
		return send_simple(c, errno_status(errno), NULL, NULL);
	if (!under(real, S.root))
		return send_simple(c, 403, NULL, NULL);
	struct stat st;
	if (stat(real, &st) < 0)
		return send_simple(c, errno_status(errno), NULL, NULL);
	if (S_ISDIR(st.st_mode)) {
		if ((size_t)snprintf(want, sizeof(want), "%s/index.html", real) >= sizeof(want))
			return send_simple(c, 404, NULL, NULL);
		if (!realpath(want, real))
			return send_simple(c, errno_status(errno) == 403 ? 403 : 404, NULL, NULL);
		if (!under(real, S.root))
			return send_simple(c, 403, NULL, NULL);
		if (stat(real, &st) < 0)
			return send_simple(c, errno_status(errno), NULL, NULL);
	}
	if (!S_ISREG(st.st_mode))
		return send_simple(c, 403, NULL, NULL);
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return send_simple(c, errno_status(errno), NULL, NULL);
	if (need_io(c) < 0) {
		close(fd);
		return -1;
	}
	char extra[96], date[64];
	http_date(st.st_mtime, date, sizeof(date));
	snprintf(extra, sizeof(extra), "Last-Modified: %s\r\n", date);
	size_t n = fmt_head(c, 200, content_type(real), (uint64_t)st.st_size, extra);
	if (c->method == M_HEAD || st.st_size == 0) {
		close(fd);
		start_send(c, n, A_DONE);
		return 0;
	}
	/* The headers go out with the file's first bytes, in one write. */
	c->fd = fd;
	c->file_left = (uint64_t)st.st_size;
	return file_chunk(c, n);
}

/* PUT: checks the target, opens the temporary file; the body follows (after a 100
 * Continue when asked for). 0, or -1 to close the connection. */
static int start_put(struct conn *c)
{
	if (!S.up[0]) {
		c->keep = c->keep && !c->has_len && !c->chunked; /* the body is not read */
		return send_simple(c, 405, "Allow: GET, HEAD\r\n", NULL);
	}
	if (!c->has_len && !c->chunked) {
		c->keep = 0;
		return send_simple(c, 411, NULL, NULL);
	}
	/* The parent directory must exist under the upload directory; the last segment names a
	 * file (the "" of a trailing slash, "." and ".." do not). */
	char *slash = strrchr(c->path, '/');
	const char *base = slash + 1;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		c->keep = 0;
		return send_simple(c, 409, NULL, "409 Conflict: PUT needs a file name\n");
	}
	char want[PATH_MAX + 16], parent[PATH_MAX];
	*slash = 0;
	int w = snprintf(want, sizeof(want), "%s%s", S.up, c->path);
	*slash = '/';
	if ((size_t)w >= sizeof(want)) {
		c->keep = 0;
		return send_simple(c, 414, NULL, NULL);
	}
	if (!realpath(want, parent)) {
		int st = errno_status(errno);
		c->keep = 0;
		return send_simple(c, st == 404 ? 409 : st, NULL,
				   st == 404 ? "409 Conflict: the directory does not exist\n" : NULL);
	}
	if (!under(parent, S.up)) {
		c->keep = 0;
		return send_simple(c, 403, NULL, NULL);
	}
	if ((size_t)snprintf(c->final, sizeof(c->final), "%s/%s", parent, base) >= sizeof(c->final) ||
	    (size_t)snprintf(c->tmp, sizeof(c->tmp), "%s/.%s.XXXXXX", parent, base) >= sizeof(c->tmp)) {
		c->keep = 0;
		c->tmp[0] = 0;
		return send_simple(c, 414, NULL, NULL);
	}
	struct stat st;
	c->existed = lstat(c->final, &st) == 0;
	if (c->existed && S_ISDIR(st.st_mode)) {
		c->keep = 0;
		c->tmp[0] = 0;
		return send_simple(c, 409, NULL, "409 Conflict: a directory has that name\n");
	}
	if (need_io(c) < 0) {
		c->tmp[0] = 0;
		return -1;
	}
	c->fd = mkstemp(c->tmp);
	if (c->fd < 0) {
		int s = errno_status(errno);
		c->keep = 0;
		c->tmp[0] = 0;
		return send_simple(c, s == 404 ? 500 : s, NULL, NULL);
	}
	sha256_init(&c->h);
	c->disk_err = 0;
	c->sent = 0;
	c->deadline = now_ms() + (uint64_t)S.idle_s * 1000u;
	if (c->expect100) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		memcpy(c->io, cont, sizeof(cont) - 1);
		start_send(c, sizeof(cont) - 1, A_PUT);
	} else {
		c->state = C_PUT_BODY;
	}
	return 0;
}

/* A PUT whose body never came in full: nothing is stored. */
static void put_abort(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->tmp[0])
		unlink(c->tmp);
	c->tmp[0] = 0;
	c->keep = 0;
	c->status = 400;
}

/* The body is in: the file goes into place and the answer carries its SHA-256. */
static int finish_put(struct conn *c)
{
	int disk_err = c->disk_err;
	if (!disk_err && fchmod(c->fd, 0644) < 0)
		disk_err = errno;
	if (close(c->fd) < 0 && !disk_err)
		disk_err = errno;
	c->fd = -1;
	if (!disk_err && rename(c->tmp, c->final) < 0)
		disk_err = errno;
	if (disk_err) {
		unlink(c->tmp);
		c->tmp[0] = 0;
		char msg[160];
		snprintf(msg, sizeof(msg), "500 Internal Server Error: %s\n", strerror(disk_err));
		return send_simple(c, 500, NULL, msg);
	}
	c->tmp[0] = 0;
	char hex[65], extra[200], body[80];
	sha256_hex(&c->h, hex);
	snprintf(extra, sizeof(extra), "X-Content-SHA256: %s\r\n", hex);
	snprintf(body, sizeof(body), "%s\n", hex);
	return send_simple(c, c->existed ? 200 : 201, extra, body);
}

/* Writes body bytes to the temporary file (a disk error is remembered: the body is still
 * read to its end, then answered with 500). */
static void put_write(struct conn *c, const char *p, size_t n)
{
	sha256_update(&c->h, p, n);
	for (size_t off = 0; off < n && !c->disk_err;) {
		ssize_t wr = write(c->fd, p + off, n - off);
		if (wr < 0 && errno == EINTR)
			continue;
		if (wr < 0)
			c->disk_err = errno;
		else
			off += (size_t)wr;
	}
}

/* ---- a request ---- */

enum { HEAD_OK, HEAD_EOF, HEAD_BAD, HEAD_FULL, HEAD_WAIT };

/* Reads up to the end of the headers: HEAD_OK with in[0..*end) the head; HEAD_EOF when the
 * connection ended between requests, HEAD_BAD within one, HEAD_FULL when the head is
 * larger than the buffer, HEAD_WAIT for more input. (What was left of the last request's
 * input was moved to the front when the connection came back to C_HEAD.) */
static int read_head(struct conn *c, size_t *end)
{
	for (;;) {
		/* empty lines before a request line are allowed (RFC 9112, 2.2) */
		size_t skip = 0;
		while (skip < c->len && (c->in[skip] == '\r' || c->in[skip] == '\n'))
			skip++;
		if (skip) {
			memmove(c->in, c->in + skip, c->len - skip);
			c->len -= skip;
			c->scanned = 0;
		}
		for (size_t i = c->scanned; i < c->len; i++) {
			if (c->in[i] != '\n')
				continue;
			if (i + 1 < c->len && c->in[i + 1] == '\n') {
				*end = i + 2;
				return HEAD_OK;
			}
			if (i + 2 < c->len && c->in[i + 1] == '\r' && c->in[i + 2] == '\n') {
				*end = i + 3;
				return HEAD_OK;
			}
		}
		c->scanned = c->len > 2 ? c->len - 2 : 0;
		ssize_t n = fill(c);
		if (n == WOULD_BLOCK)
			return HEAD_WAIT;
		if (n == -2)
			return HEAD_FULL;
		if (n <= 0)
			return c->len ? HEAD_BAD : HEAD_EOF;
	}
}

static char *cut_line(char **p)
{
	char *line = *p, *nl = strchr(line, '\n');
	if (nl) {
		*nl = 0;
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	size_t n = strlen(line);
	if (n && line[n - 1] == '\r')
		line[n - 1] = 0;
	return line;
}

static int token_in(const char *value, const char *tok)
{
	size_t n = strlen(tok);
	for (const char *p = value; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if ((size_t)(t - p) == n && strncasecmp(p, tok, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* Serves one request: 1 to read the next one from the connection, 0 to close it. */
/* A request's head is in in[0..end): sets up what answers it (the next state). 0, or -1 to
 * close the connection. */
static int start_request(struct conn *c, size_t end)
{
	c->off = end;
	c->in[end - 1] = 0; /* the head is one string now */

	/* the request line */
	char *next = c->in, *line = cut_line(&next);
	snprintf(c->reqline, sizeof(c->reqline), "%s", line);
	for (char *p = c->reqline; *p; p++)
		if (*p < ' ' || *p == '"' || *p == 0x7f)
			*p = '?';
	char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' ') || sp1 == line || sp2 == sp1 + 1)
		return fail_close(c, 400);
	*sp1 = *sp2 = 0;
	const char *method = line, *target = sp1 + 1, *version = sp2 + 1;
	if (strncmp(version, "HTTP/", 5) != 0 || version[5] < '0' || version[5] > '9' || version[6] != '.' ||
	    version[7] < '0' || version[7] > '9' || version[8])
		return fail_close(c, 400);
	if (version[5] != '1')
		return fail_close(c, 505);
	c->minor = version[7] - '0';
	c->method = strcmp(method, "GET") == 0	  ? M_GET
		    : strcmp(method, "HEAD") == 0 ? M_HEAD
		    : strcmp(method, "PUT") == 0  ? M_PUT
		    : strcmp(method, "POST") == 0 || strcmp(method, "DELETE") == 0 ||
				  strcmp(method, "OPTIONS") == 0 || strcmp(method, "PATCH") == 0 ||
				  strcmp(method, "CONNECT") == 0 || strcmp(method, "TRACE") == 0
			    ? M_KNOWN /* a method we know and do not allow: 405 */
			    : M_OTHER;

	/* the headers */
	int conn_close = 0, conn_keep = 0, bad = 0, te_other = 0, expect_other = 0;
	c->has_len = c->chunked = c->expect100 = c->has_host = 0;
	c->clen = 0;
	while (*next) {
		line = cut_line(&next);
		if (!*line)
			break;
		char *colon = strchr(line, ':');
		if (line[0] == ' ' || line[0] == '\t' || !colon || colon == line || colon[-1] == ' ' ||
		    colon[-1] == '\t') {
			bad = 1; /* obsolete line folding, or no field name */
			break;
		}
		*colon = 0;
		char *v = colon + 1, *ve = v + strlen(v);
		while (*v == ' ' || *v == '\t')
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			*--ve = 0;
		if (strcasecmp(line, "Host") == 0) {
			c->has_host++;
		} else if (strcasecmp(line, "Connection") == 0) {
			conn_close |= token_in(v, "close");
			conn_keep |= token_in(v, "keep-alive");
		} else if (strcasecmp(line, "Content-Length") == 0) {
			char *e;
			errno = 0;
			unsigned long long n = strtoull(v, &e, 10);
			if (!*v || *e || errno || *v == '-' || *v == '+' || (c->has_len && n != c->clen))
				bad = 1;
			c->has_len = 1;
			c->clen = n;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			if (strcasecmp(v, "chunked") == 0)
				c->chunked = 1;
			else
				te_other = 1;
		} else if (strcasecmp(line, "Expect") == 0) {
			if (strcasecmp(v, "100-continue") == 0)
				c->expect100 = 1;
			else
				expect_other = 1;
		}
	}
	if (bad || (c->has_len && c->chunked) || (c->minor >= 1 && c->has_host != 1))
		return fail_close(c, 400);
	if (te_other || (c->chunked && c->minor == 0))
		return fail_close(c, 501);
	c->keep = c->minor >= 1 ? !conn_close : conn_keep && !conn_close;
	if (c->minor == 0)
		c->expect100 = 0; /* an HTTP/1.0 client does not wait for 100 */
	if (expect_other && c->minor >= 1)
		return fail_close(c, 417);
	c->body_left = c->has_len ? c->clen : 0;
	c->body_state = 0;
	if (!c->has_len && !c->chunked)
		c->body_state = 3;

	int st = decode_target(target, c->path, sizeof(c->path));
	if (st) {
		c->keep = c->keep && !c->has_len && !c->chunked;
		return send_simple(c, st, NULL, NULL);
	}
	if (c->method == M_GET || c->method == M_HEAD) {
		/* A body on a GET means nothing here; read it (if small) to keep the connection. */
		if (c->has_len || c->chunked) {
			c->dropped = 0;
			c->state = C_DROP_BODY;
			c->deadline = now_ms() + (uint64_t)S.idle_s * 1000u;
			return 0;
		}
		return start_get(c);
	}
	if (c->method == M_PUT)
		return start_put(c);
	c->keep = c->keep && !c->has_len && !c->chunked;
	return send_simple(c, c->method == M_KNOWN ? 405 : 501,
			   S.up[0] ? "Allow: GET, HEAD, PUT\r\n" : "Allow: GET, HEAD\r\n", NULL);
}

/* ---- connections ---- */

static void conn_free(struct conn *c)
{
	if (c->runnable) /* off the run queue first */
		for (struct conn **pp = &S.runq; *pp; pp = &(*pp)->rnext)
			if (*pp == c) {
				*pp = c->rnext;
				break;
			}
	if (c->state == C_PUT_BODY || (c->state == C_SEND && c->after == A_PUT))
		put_abort(c);
	if (c->fd >= 0)
		close(c->fd);
	synack_rt_close(S.rt, c->s); /* it leaves the epoll set with it */
	if ((size_t)c->s < S.nby)
		S.by_sock[c->s] = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		S.all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->io);
	free(c);
	S.active--;
}

/* A request is answered in full: the next one, or the end. */
static void next_request(struct conn *c)
{
	c->state = C_HEAD;
	/* what is left of the last request's input moves to the front */
	if (c->off > 0) {
		memmove(c->in, c->in + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	c->scanned = 0;
	c->status = 0;
	c->sent = c->hlen = 0;
	c->reqline[0] = 0;
	c->method = M_OTHER;
	c->minor = 1;
	c->keep = 0;
	free(c->io); /* an idle keep-alive connection holds no I/O buffer */
	c->io = NULL;
	c->deadline = now_ms() + (uint64_t)S.idle_s * 1000u;
}

/* Our side is done: our FIN first, then read (and drop) what the client still sends until
 * its FIN, so that closing with unread data does not turn into a reset that could destroy
 * the response on its way. 1 when the connection can be freed at once. */
static int start_linger(struct conn *c)
{
	if (c->peer_eof || S.stopping || synack_rt_shutdown(S.rt, c->s, SHUT_WR) < 0)
		return 1;
	c->state = C_LINGER;
	c->linger_total = 0;
	c->deadline = now_ms() + LINGER_MS;
	return 0;
}

enum { RUN_WAIT, RUN_CLOSE, RUN_YIELD };

/* Runs c's state machine until its socket would block (RUN_WAIT), the connection is over
 * (RUN_CLOSE), or its turn is used up while it could go on (RUN_YIELD). */
static int conn_step(struct conn *c)
{
	size_t moved = 0;
	for (;;) {
		if (moved >= TURN_BYTES)
			return RUN_YIELD;
		switch (c->state) {
		case C_HEAD: {
			size_t end;
			int h = read_head(c, &end);
			if (h == HEAD_WAIT)
				return RUN_WAIT;
			if (h == HEAD_EOF)
				return start_linger(c) ? RUN_CLOSE : RUN_WAIT;
			if (h == HEAD_BAD) /* the client went away in the middle of a request */
				return RUN_CLOSE;
			int r;
			if (h == HEAD_FULL) {
				int line_done = memchr(c->in, '\n', c->len) != NULL;
				snprintf(c->reqline, sizeof(c->reqline), "%.*s", 100, c->in);
				for (char *p = c->reqline; *p; p++)
					if (*p < ' ' || *p == '"')
						*p = '?';
				r = fail_close(c, line_done ? 431 : 414);
			} else {
				r = start_request(c, end);
			}
			if (r < 0)
				return RUN_CLOSE;
			continue;
		}
		case C_DROP_BODY: {
			ssize_t n = body_read(c, S.scratch, sizeof(S.scratch));
			if (n == WOULD_BLOCK)
				return RUN_WAIT;
			if (n > 0) {
				moved += (size_t)n;
				if ((c->dropped += (uint64_t)n) <= DRAIN_MAX)
					continue;
			}
			if ((n == 0 ? start_get(c) : fail_close(c, 400)) < 0)
				return RUN_CLOSE;
			continue;
		}
		case C_PUT_BODY: {
			ssize_t n = body_read(c, c->io, IO_BUF);
			if (n == WOULD_BLOCK)
				return RUN_WAIT;
			if (n < 0) {
				put_abort(c);
				logline(c);
				return start_linger(c) ? RUN_CLOSE : RUN_WAIT;
			}
			if (n > 0) {
				moved += (size_t)n;
				put_write(c, c->io, (size_t)n);
				continue;
			}
			if (finish_put(c) < 0)
				return RUN_CLOSE;
			continue;
		}
		case C_SEND: {
			size_t before = c->io_off;
			int r = send_out(c);
			moved += c->io_off - before;
			if (r == WOULD_BLOCK)
				return RUN_WAIT;
			if (r < 0) { /* the connection broke */
				if (c->after == A_PUT)
					put_abort(c);
				c->keep = 0;
				logline(c);
				return RUN_CLOSE;
			}
			if (c->after == A_PUT) {
				c->sent = 0;
				c->state = C_PUT_BODY;
				c->deadline = now_ms() + (uint64_t)S.idle_s * 1000u;
				continue;
			}
			if (c->after == A_FILE) {
				if (file_chunk(c, 0) < 0) {
					logline(c);
					return RUN_CLOSE;
				}
				continue;
			}
			logline(c);
			if (c->keep) {
				next_request(c);
				continue;
			}
			return start_linger(c) ? RUN_CLOSE : RUN_WAIT;
		}
		case C_LINGER: {
			ssize_t n = synack_rt_read(S.rt, c->s, S.scratch, sizeof(S.scratch));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return RUN_WAIT;
			if (n <= 0 || (c->linger_total += (size_t)n) >= DRAIN_MAX)
				return RUN_CLOSE;
			continue;
		}
		}
	}
}

static void accept_more(void);

static void conn_run(struct conn *c)
{
	int r = conn_step(c);
	if (r == RUN_CLOSE) {
		conn_free(c);
		if (S.accept_paused)
			accept_more();
	} else if (r == RUN_YIELD && !c->runnable) {
		c->runnable = 1;
		c->rnext = S.runq;
		S.runq = c;
	}
}

/* A timer ran out (c->deadline): an idle or stalled client, a response that made no
 * progress for SEND_TIMEOUT, the end of the linger. */
static void conn_timeout(struct conn *c)
{
	int r = 0;
	switch (c->state) {
	case C_HEAD:
		if (c->len > 0 && !c->peer_eof) {
			/* a client that stalls within a request: 408, then the end */
			r = fail_close(c, 408);
			break;
		}
		r = start_linger(c) ? -1 : 0;
		break;
	case C_DROP_BODY:
		r = fail_close(c, 400);
		break;
	case C_PUT_BODY:
		put_abort(c);
		logline(c);
		r = start_linger(c) ? -1 : 0;
		break;
	case C_SEND:
		if (c->after == A_PUT)
			put_abort(c);
		c->keep = 0;
		logline(c);
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		r = start_linger(c) ? -1 : 0;
		break;
	case C_LINGER:
		r = -1;
		break;
	}
	if (r < 0) {
		c->state = C_LINGER; /* nothing of it is left to finish */
		c->deadline = 0;
		conn_free(c);
		if (S.accept_paused)
			accept_more();
		return;
	}
	conn_run(c);
}

/* Takes the connections waiting in the backlog, up to --max-conns. */
static void accept_more(void)
{
	while (!S.stopping) {
		if (S.active >= S.max_conns) {
			S.accept_paused = 1; /* taken up again when a connection ends */
			return;
		}
		S.accept_paused = 0;
		struct sockaddr_in6 peer;
		socklen_t plen = sizeof(peer);
		int s = synack_rt_accept(S.rt, S.lsock, (struct sockaddr *)&peer, &plen);
		if (s < 0) {
			int e = errno;
			if (e == EAGAIN || e == ENETDOWN)
				return;
			if (e == EINTR || e == ECONNABORTED)
				continue;
			logf_("synack-httpd: accept: %s", strerror(e));
			if (e != EBADF && e != EINVAL && e != ESHUTDOWN)
				S.accept_retry = now_ms() + 100; /* out of memory or handles: let connections end */
			return;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (c && (size_t)s >= S.nby) {
			size_t n = S.nby ? S.nby : 256;
			while (n <= (size_t)s)
				n *= 2;
			struct conn **v = realloc(S.by_sock, n * sizeof(*v));
			if (v) {
				memset(v + S.nby, 0, (n - S.nby) * sizeof(*v));
				S.by_sock = v;
				S.nby = n;
			}
		}
		int one = 1;
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u64 = (uint64_t)s};
		if (!c || (size_t)s >= S.nby || synack_rt_set_nonblock(S.rt, s, 1) < 0 ||
		    synack_rt_epoll_ctl(S.rt, S.ep, EPOLL_CTL_ADD, s, &ev) < 0) {
			free(c);
			synack_rt_close(S.rt, s);
			S.accept_retry = now_ms() + 100;
			return;
		}
		synack_rt_setsockopt(S.rt, s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->s = s;
		c->peer = peer;
		c->fd = -1;
		c->next = S.all;
		if (S.all)
			S.all->prev = c;
		S.all = c;
		S.by_sock[s] = c;
		S.active++;
		next_request(c);
		conn_run(c); /* a request may be there already */
	}
}

/* Runs the connections whose turn ended before their socket blocked. */
static void run_queue(void)
{
	struct conn *q = S.runq;
	S.runq = NULL;
	while (q) {
		struct conn *c = q;
		q = c->rnext;
		c->runnable = 0;
		conn_run(c);
	}
}

static void sweep_timers(uint64_t now)
{
	struct conn *c = S.all;
	while (c) {
		struct conn *next = c->next;
		if (c->deadline && c->deadline <= now) {
			/* c may be freed, and so may another (accept_more adds at the head only) */
			conn_timeout(c);
		}
		c = next;
	}
}

static void *signal_main(void *arg)
{
	sigset_t *set = arg;
	int sig;
	while (sigwait(set, &sig) != 0)
		;
	atomic_store(&stop_signal, sig);
	return NULL;
}

/* The end: every connection closed (a PUT in progress leaves nothing behind). */
static void close_all(void)
{
	while (S.runq) {
		S.runq->runnable = 0;
		S.runq = S.runq->rnext;
	}
	while (S.all) {
		struct conn *c = S.all;
		if (c->state != C_LINGER && !c->peer_eof)
			synack_rt_shutdown(S.rt, c->s, SHUT_RDWR);
		conn_free(c);
	}
}

/* Serves until a signal (0) or the device's end (1). */
static int serve(void)
{
	struct epoll_event ev[BATCH];
	uint64_t next_tick = now_ms() + TICK_MS;
	for (;;) {
		if (atomic_load(&stop_signal))
			return 0;
		uint64_t now = now_ms();
		int timeout = S.runq ? 0 : next_tick > now ? (int)(next_tick - now) : 0;
		int n = synack_rt_epoll_wait(S.rt, S.ep, ev, BATCH, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENETDOWN)
				return 1;
			logf_("synack-httpd: epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == LISTENER) {
				accept_more();
				continue;
			}
			uint64_t s = ev[i].data.u64;
			struct conn *c = s < S.nby ? S.by_sock[s] : NULL;
			if (c)
				conn_run(c);
		}
		run_queue();
		now = now_ms();
		if (now >= next_tick) {
			next_tick = now + TICK_MS;
			sweep_timers(now);
			if (S.accept_retry && now >= S.accept_retry) {
				S.accept_retry = 0;
				accept_more();
			}
			if (synack_rt_status(S.rt, NULL, 0) < 0)
				return 1;
		}
	}
}

/* ---- options ---- */

static void __attribute__((noreturn)) die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void __attribute__((noreturn)) die(int status, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "synack-httpd: %s%s\n", line, status == 2 ? " (try --help)" : "");
	exit(status);
}

static long number(const char *opt, const char *v, long lo, long hi)
{
	char *e;
	errno = 0;
	long n = strtol(v, &e, 10);
	if (!*v || *e || errno || n < lo || n > hi)
		die(2, "%s: expected a number from %ld to %ld, not '%s'", opt, lo, hi, v);
	return n;
}

static void real_dir(const char *opt, const char *dir, char *out)
{
	struct stat st;
	if (!realpath(dir, out))
		die(1, "%s %s: %s", opt, dir, strerror(errno));
	if (stat(out, &st) < 0 || !S_ISDIR(st.st_mode))
		die(1, "%s %s: not a directory", opt, dir);
}


int main(int argc, char **argv)
{
	struct synack_rt_opts ro;
	synack_rt_tool_opts(&ro, &argc, argv, "synack-httpd", usage, usage_tail);
	char why[256];
	const char *root = NULL, *updir = NULL;
	int allow_put = 0;
	S.port = 80;
	S.max_conns = 1024;
	S.idle_s = 15;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		static const char *const with_val[] = {"--root", "--port", "--max-conns", "--threads", "--upload-dir",
						       "--idle"};
		const char *name = a;
		char namebuf[32];
		for (size_t k = 0; k < sizeof(with_val) / sizeof(with_val[0]); k++) {
			size_t n = strlen(with_val[k]);
			if (strncmp(a, with_val[k], n) == 0 && (a[n] == 0 || a[n] == '=')) {
				snprintf(namebuf, sizeof(namebuf), "%s", with_val[k]);
				name = namebuf;
				if (a[n] == '=')
					v = a + n + 1;
				else if (i + 1 < argc)
					v = argv[++i];
				else
					die(2, "%s: missing value", name);
			}
		}
		if (strcmp(name, "--root") == 0)
			root = v;
		else if (strcmp(name, "--port") == 0)
			S.port = (uint16_t)number(name, v, 1, 65535);
		else if (strcmp(name, "--max-conns") == 0 || strcmp(name, "--threads") == 0)
			S.max_conns = (unsigned)number(name, v, 1, 65536);
		else if (strcmp(name, "--upload-dir") == 0)
			updir = v;
		else if (strcmp(name, "--idle") == 0)
			S.idle_s = (int)number(name, v, 1, 86400);
		else if (strcmp(a, "--allow-put") == 0)
			allow_put = 1;
		else if (strcmp(a, "-v") == 0)
			S.verbose = 1;
		else
			die(2, "unknown argument '%s'", a);
	}
	if (!root)
		die(2, "--root DIR is required");
	real_dir("--root", root, S.root);
	if (updir)
		real_dir("--upload-dir", updir, S.up);
	else if (allow_put)
		snprintf(S.up, sizeof(S.up), "%s", S.root);
	S.dev = ro.tun ? ro.tun : ro.tap ? ro.tap : "?";

	/* Signals are taken by a thread of their own (every thread, the runtime's loop included,
	 * inherits the mask); the serving thread sees the flag within TICK_MS. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	S.rt = synack_rt_start(&ro, why, sizeof(why));
	if (!S.rt)
		die(1, "%s", why);
	/* One dual-stack listener (IPV6_V6ONLY 0): IPv6 clients and IPv4 ones, IPv4-mapped. */
	S.lsock = synack_rt_socket(S.rt, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1, zero = 0;
	struct sockaddr_in6 la = {.sin6_family = AF_INET6, .sin6_port = htons(S.port)};
	if (S.lsock < 0 || synack_rt_setsockopt(S.rt, S.lsock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    synack_rt_setsockopt(S.rt, S.lsock, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
	    synack_rt_bind(S.rt, S.lsock, (struct sockaddr *)&la, sizeof(la)) < 0 ||
	    synack_rt_listen(S.rt, S.lsock, 1024) < 0) {
		int e = errno;
		synack_rt_stop(S.rt);
		die(1, "listen on port %u: %s", S.port, strerror(e));
	}
	S.ep = synack_rt_epoll_create(S.rt);
	struct epoll_event lev = {.events = EPOLLIN | EPOLLET, .data.u64 = LISTENER};
	if (S.ep < 0 || synack_rt_epoll_ctl(S.rt, S.ep, EPOLL_CTL_ADD, S.lsock, &lev) < 0) {
		int e = errno;
		synack_rt_stop(S.rt);
		die(1, "epoll: %s", strerror(e));
	}
	pthread_t sig_thread;
	if (pthread_create(&sig_thread, NULL, signal_main, &sigs) != 0) {
		synack_rt_stop(S.rt);
		die(1, "cannot start a thread");
	}
	pthread_detach(sig_thread);
	/* each address as A:PORT, IPv6 as [A]:PORT (as a URL writes it) */
	char on[2 * SYNACK_IP_STRLEN + 32] = "";
	for (int i = 0; i < 2; i++) {
		const struct synack_ip *ip = i ? &ro.addr2 : &ro.addr;
		char as[SYNACK_IP_STRLEN];
		if (ip->family == SYNACK_AF_UNSPEC || !synack_ip_format(ip, as, sizeof(as)))
			continue;
		int six = ip->family == SYNACK_AF_INET6;
		snprintf(on + strlen(on), sizeof(on) - strlen(on), "%s%s%s%s:%u", i ? " and " : "", six ? "[" : "", as,
			 six ? "]" : "", S.port);
	}
	logf_("synack-httpd: serving %s on %s (%s)%s%s, at most %u connections at once, pid %ld", S.root, on, S.dev,
	      S.up[0] ? ", PUT into " : "", S.up, S.max_conns, (long)getpid());

	int gone = serve();

	S.stopping = 1;
	synack_rt_close(S.rt, S.lsock);
	if (gone) {
		/* The device is gone: nothing can be sent any more, so nothing is waited for. */
		if (synack_rt_status(S.rt, why, sizeof(why)) == 0)
			snprintf(why, sizeof(why), "%s: stopped serving", S.dev);
		close_all();
		synack_rt_stop(S.rt);
		logf_("synack-httpd: %s", why);
		return 1;
	}
	/* Stopping: every connection is shut down and closed, the FIN exchanges get
	 * STOP_DRAIN_MS, the capture is completed. */
	close_all();
	synack_rt_drain(S.rt, STOP_DRAIN_MS);
	synack_rt_stop(S.rt);
	if (S.verbose)
		logf_("synack-httpd: stopped");
	return 0;
}
