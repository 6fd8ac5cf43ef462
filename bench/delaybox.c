/* delaybox: a delay line for bench/lossy.sh on kernels without sch_netem. nftables hands it
 * the packets of one queue (`queue num N`); it gives each its verdict (accept) DELAY_MS later,
 * plus a uniform random extra of up to JITTER_MS, which reorders packets when the jitter is
 * larger than their spacing. Nothing is copied but the packet's id; GSO packets stay whole.
 *
 *   delaybox --queue N --delay MS [--jitter MS] [--seed S]
 *
 * Runs until SIGINT or SIGTERM, then accepts everything still held and prints one line:
 *   delaybox queue=N packets=P held_max=H late_max_us=L
 * (held_max: the most packets held at once; late_max_us: the latest a verdict went after
 * its due time, a measure of the box's own precision). Exit 1 on any error, with a line on
 * stderr. Needs root (CAP_NET_ADMIN) in the namespace whose rules queue to it. */
#include <errno.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

/* A held packet: its id and when its verdict is due; a min-heap on (due, order). */
struct held {
	uint64_t due, order;
	uint32_t id;
};

static struct held *heap;
static size_t nheld, cap, held_max;
static uint64_t delay_us, jitter_us, order, packets, late_max;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static volatile sig_atomic_t stop;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int before(const struct held *a, const struct held *b)
{
	return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static int push(uint32_t id, uint64_t due)
{
	if (nheld == cap) {
		size_t n = cap ? 2 * cap : 4096;
		struct held *h = realloc(heap, n * sizeof(*h));
		if (!h)
			return -1;
		heap = h;
		cap = n;
	}
	size_t i = nheld++;
	heap[i] = (struct held){due, order++, id};
	while (i && before(&heap[i], &heap[(i - 1) / 2])) {
		struct held t = heap[i];
		heap[i] = heap[(i - 1) / 2];
		heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
	if (nheld > held_max)
		held_max = nheld;
	return 0;
}

static struct held pop(void)
{
	struct held top = heap[0];
	heap[0] = heap[--nheld];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < nheld && before(&heap[l], &heap[m]))
			m = l;
		if (r < nheld && before(&heap[r], &heap[m]))
			m = r;
		if (m == i)
			break;
		struct held t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
	return top;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *ctx)
{
	(void)msg;
	(void)ctx;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	uint64_t extra = jitter_us ? rnd() % (jitter_us + 1) : 0;
	packets++;
	if (push(id, now_us() + delay_us + extra) < 0) {
		/* out of memory: let it through rather than lose it */
		nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
	}
	return 0;
}

/* Gives every packet due by now its verdict. */
static int release(struct nfq_q_handle *qh, uint64_t now)
{
	while (nheld && heap[0].due <= now) {
		struct held h = pop();
		if (now != UINT64_MAX && now - h.due > late_max)
			late_max = now - h.due;
		if (nfq_set_verdict(qh, h.id, NF_ACCEPT, 0, NULL) < 0)
			return -1;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int num_arg(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !*s || *end)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t queue = 0, delay_ms = 0, jitter_ms = 0, seed = 1;
	for (int i = 1; i < argc; i += 2) { /* each option takes one value */
		uint64_t *dst = NULL;
		if (!strcmp(argv[i], "--queue"))
			dst = &queue;
		else if (!strcmp(argv[i], "--delay"))
			dst = &delay_ms;
		else if (!strcmp(argv[i], "--jitter"))
			dst = &jitter_ms;
		else if (!strcmp(argv[i], "--seed"))
			dst = &seed;
		if (!dst || i + 1 >= argc || num_arg(argv[i + 1], dst) < 0 || queue > 65535) {
			fprintf(stderr, "usage: delaybox --queue N --delay MS [--jitter MS] [--seed S]\n");
			return 1;
		}
	}
	delay_us = delay_ms * 1000;
	jitter_us = jitter_ms * 1000;
	rng ^= seed * 0xbf58476d1ce4e5b9ull;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	struct nfq_handle *h = nfq_open();
	if (!h) {
		fprintf(stderr, "delaybox: nfq_open: %s\n", strerror(errno));
		return 1;
	}
	nfq_unbind_pf(h, AF_INET);
	if (nfq_bind_pf(h, AF_INET) < 0) {
		fprintf(stderr, "delaybox: nfq_bind_pf: %s\n", strerror(errno));
		return 1;
	}
	struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
	if (!qh) {
		fprintf(stderr, "delaybox: queue %llu: %s\n", (unsigned long long)queue, strerror(errno));
		return 1;
	}
	/* Only the id is needed; GSO packets whole; room for a 50 ms window at line rate. */
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0 || nfq_set_queue_maxlen(qh, 1u << 20) < 0 ||
	    nfq_set_queue_flags(qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO) < 0) {
		fprintf(stderr, "delaybox: configuring queue %llu: %s\n", (unsigned long long)queue, strerror(errno));
		return 1;
	}
	nfnl_rcvbufsiz(nfq_nfnlh(h), 64u << 20);
	int fd = nfq_fd(h);
	char buf[8192] __attribute__((aligned));
	fprintf(stderr, "delaybox: queue %llu, delay %llu ms, jitter %llu ms\n", (unsigned long long)queue,
		(unsigned long long)delay_ms, (unsigned long long)jitter_ms);
	while (!stop) {
		uint64_t now = now_us();
		if (release(qh, now) < 0) {
			fprintf(stderr, "delaybox: verdict: %s\n", strerror(errno));
			return 1;
		}
		int timeout = -1;
		if (nheld) {
			uint64_t wait = heap[0].due > now ? heap[0].due - now : 0;
			timeout = (int)((wait + 999) / 1000);
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, timeout > 1000 || timeout < 0 ? 1000 : timeout);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "delaybox: poll: %s\n", strerror(errno));
			return 1;
		}
		if (r <= 0)
			continue;
		/* Everything that is waiting, without blocking. */
		for (int n = 0; n < 256; n++) {
			ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				if (errno == ENOBUFS) {
					fprintf(stderr, "delaybox: queue overflow (ENOBUFS): packets were dropped\n");
					continue;
				}
				fprintf(stderr, "delaybox: recv: %s\n", strerror(errno));
				return 1;
			}
			nfq_handle_packet(h, buf, (int)got);
		}
	}
	release(qh, UINT64_MAX);
	printf("delaybox queue=%llu packets=%llu held_max=%zu late_max_us=%llu\n", (unsigned long long)queue,
	       (unsigned long long)packets, held_max, (unsigned long long)late_max);
	nfq_destroy_queue(qh);
	nfq_close(h);
	free(heap);
	return 0;
}
