/* The tracing device wrapper: tcpdump-format lines for every frame through a device. */
#include "link/tracedev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/print.h"

struct tracedev {
	struct sk_dev dev; /* first: the ops get a pointer to it */
	struct sk_dev *inner;
	FILE *out;
	struct sk_trace_opts opts;
};

static struct tracedev *to_tracedev(struct sk_dev *d)
{
	return (struct tracedev *)d;
}

/* Labels go in front of every line, -X hex lines included, so the printer's output is
 * collected first and then split. */
static void print_labelled(struct tracedev *t, const char *label, const struct sk_pkt_meta *m,
			   const uint8_t *frame)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	if (!mem) {
		sk_print_packet(t->out, m, frame, t->opts.print_flags, SK_TS_UTC);
		return;
	}
	sk_print_packet(mem, m, frame, t->opts.print_flags, SK_TS_UTC);
	fclose(mem);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		int n = nl ? (int)(nl - line) : (int)strlen(line);
		fprintf(t->out, "%s %.*s\n", label, n, line);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
}

static void trace_frame(struct tracedev *t, const char *label, const uint8_t *frame, size_t len,
			uint64_t now)
{
	uint64_t ts = t->opts.time_base_us + now;
	struct sk_pkt_meta m = {
		.sec = (int64_t)(ts / 1000000u),
		.usec = (uint32_t)(ts % 1000000u),
		.caplen = (uint32_t)len,
		.len = (uint32_t)len,
		.linktype = t->dev.linktype,
	};
	if (label)
		print_labelled(t, label, &m, frame);
	else
		sk_print_packet(t->out, &m, frame, t->opts.print_flags, SK_TS_UTC);
}

static int tracedev_send(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now)
{
	struct tracedev *t = to_tracedev(d);
	int r = sk_dev_send(t->inner, frame, len, now);
	if (r == 0 && (t->opts.dirs & SK_TRACE_TX))
		trace_frame(t, t->opts.tx_label, frame, len, now);
	return r;
}

static int tracedev_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	struct tracedev *t = to_tracedev(d);
	int n = sk_dev_recv(t->inner, buf, cap, now);
	if (n > 0 && (t->opts.dirs & SK_TRACE_RX))
		trace_frame(t, t->opts.rx_label, buf, (size_t)n, now);
	return n;
}

static uint64_t tracedev_next_ready(struct sk_dev *d)
{
	return sk_dev_next_ready(to_tracedev(d)->inner);
}

static int tracedev_fd(struct sk_dev *d)
{
	return sk_dev_fd(to_tracedev(d)->inner);
}

static void tracedev_close(struct sk_dev *d)
{
	struct tracedev *t = to_tracedev(d);
	fflush(t->out);
	sk_dev_close(t->inner);
	free(t);
}

static const struct sk_dev_ops tracedev_ops = {
	.send = tracedev_send,
	.recv = tracedev_recv,
	.next_ready = tracedev_next_ready,
	.fd = tracedev_fd,
	.close = tracedev_close,
};

struct sk_dev *sk_dev_trace_wrap(struct sk_dev *inner, FILE *out, const struct sk_trace_opts *opts,
				 int *err)
{
	if (!inner || !out) {
		if (err)
			*err = -EINVAL;
		return NULL;
	}
	struct tracedev *t = calloc(1, sizeof(*t));
	if (!t) {
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	if (opts)
		t->opts = *opts;
	if (!t->opts.dirs)
		t->opts.dirs = SK_TRACE_TX | SK_TRACE_RX;
	t->dev = *inner;
	t->dev.ops = &tracedev_ops;
	t->inner = inner;
	t->out = out;
	return &t->dev;
}
