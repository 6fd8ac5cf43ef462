/* pcap capture through libpcap: the writer and the recording device wrapper. */
#include "link/pcapdev.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "wire/decode.h"

#define SNAPLEN 262144u

struct sk_pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *dump;
	int err; /* first write error, kept for close */
};

struct sk_pcap_writer *sk_pcap_writer_open(const char *path, int linktype, int *err)
{
	int dlt, e;
	if (linktype == SK_LINK_ETHERNET)
		dlt = DLT_EN10MB;
	else if (linktype == SK_LINK_RAW || linktype == SK_LINK_RAW_DLT)
		dlt = DLT_RAW; /* libpcap stores this as LINKTYPE_RAW (101) in the file */
	else {
		e = -EINVAL;
		goto fail;
	}
	struct sk_pcap_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		e = -ENOMEM;
		goto fail;
	}
	w->dead = pcap_open_dead(dlt, SNAPLEN);
	if (!w->dead) {
		free(w);
		e = -ENOMEM;
		goto fail;
	}
	errno = 0;
	w->dump = pcap_dump_open(w->dead, path);
	if (!w->dump) {
		e = errno ? -errno : -EIO;
		pcap_close(w->dead);
		free(w);
		goto fail;
	}
	return w;
fail:
	if (err)
		*err = e;
	return NULL;
}

int sk_pcap_writer_write(struct sk_pcap_writer *w, uint64_t ts_us, const uint8_t *frame, size_t len)
{
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
	h.len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	h.caplen = len > SNAPLEN ? SNAPLEN : (uint32_t)len;
	pcap_dump((u_char *)w->dump, &h, frame);
	/* pcap_dump reports nothing; the stream's error flag tells whether stdio failed. */
	if (!w->err && ferror(pcap_dump_file(w->dump)))
		w->err = -EIO;
	return w->err;
}

int sk_pcap_writer_flush(struct sk_pcap_writer *w)
{
	if (pcap_dump_flush(w->dump) != 0 && !w->err)
		w->err = -EIO;
	return w->err;
}

int sk_pcap_writer_close(struct sk_pcap_writer *w)
{
	if (!w)
		return 0;
	int e = sk_pcap_writer_flush(w);
	/* pcap_dump_close is fclose without a result: the flush above caught write errors. */
	pcap_dump_close(w->dump);
	pcap_close(w->dead);
	free(w);
	return e;
}

struct pcapdev {
	struct sk_dev dev; /* first: the ops get a pointer to it */
	struct sk_dev *inner;
	struct sk_pcap_writer *w;
	uint64_t time_base_us;
};

static struct pcapdev *to_pcapdev(struct sk_dev *d)
{
	return (struct pcapdev *)d;
}

static int pcapdev_send(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now)
{
	struct pcapdev *p = to_pcapdev(d);
	int r = sk_dev_send(p->inner, frame, len, now);
	if (r == 0)
		sk_pcap_writer_write(p->w, p->time_base_us + now, frame, len);
	return r;
}

static int pcapdev_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	struct pcapdev *p = to_pcapdev(d);
	int n = sk_dev_recv(p->inner, buf, cap, now);
	if (n > 0)
		sk_pcap_writer_write(p->w, p->time_base_us + now, buf, (size_t)n);
	return n;
}

static uint64_t pcapdev_next_ready(struct sk_dev *d)
{
	return sk_dev_next_ready(to_pcapdev(d)->inner);
}

static int pcapdev_fd(struct sk_dev *d)
{
	return sk_dev_fd(to_pcapdev(d)->inner);
}

static void pcapdev_close(struct sk_dev *d)
{
	struct pcapdev *p = to_pcapdev(d);
	sk_pcap_writer_close(p->w);
	sk_dev_close(p->inner);
	free(p);
}

static const struct sk_dev_ops pcapdev_ops = {
	.send = pcapdev_send,
	.recv = pcapdev_recv,
	.next_ready = pcapdev_next_ready,
	.fd = pcapdev_fd,
	.close = pcapdev_close,
};

struct sk_dev *sk_dev_pcap_wrap(struct sk_dev *inner, const char *path, uint64_t time_base_us,
				int *err)
{
	struct pcapdev *p = calloc(1, sizeof(*p));
	if (!p) {
		if (err)
			*err = -ENOMEM;
		return NULL;
	}
	p->w = sk_pcap_writer_open(path, inner->linktype, err);
	if (!p->w) {
		free(p);
		return NULL;
	}
	p->dev = *inner;
	p->dev.ops = &pcapdev_ops;
	p->inner = inner;
	p->time_base_us = time_base_us;
	return &p->dev;
}
