/* A device for the Ethernet adapter's tests (test_ethif.c, test_ethif_nd.c) that records
 * every frame it is sent, with the time, and can be told to fail. */
#ifndef SK_FAKEDEV_H
#define SK_FAKEDEV_H

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "link/dev.h"

#define MAX_FRAMES 64

struct frame {
	size_t len;
	uint64_t at;
	uint8_t data[1600];
};

struct fakedev {
	struct sk_dev dev; /* first: the ops get a pointer to it */
	size_t n;	   /* frames sent; the first MAX_FRAMES are kept */
	struct frame f[MAX_FRAMES];
	int fail; /* nonzero: send returns this */
};

static inline int fake_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	struct fakedev *fd = (struct fakedev *)d;
	if (fd->fail)
		return fd->fail;
	assert_true(n <= sizeof(fd->f[0].data));
	if (fd->n < MAX_FRAMES) {
		fd->f[fd->n].len = n;
		fd->f[fd->n].at = now;
		memcpy(fd->f[fd->n].data, f, n);
	}
	fd->n++;
	return 0;
}

static inline int fake_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)d, (void)buf, (void)cap, (void)now;
	return 0;
}

static inline void fake_close(struct sk_dev *d)
{
	(void)d;
}

static const struct sk_dev_ops fake_ops = {.send = fake_send, .recv = fake_recv, .close = fake_close};

static inline struct fakedev *fake_new(void)
{
	struct fakedev *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->dev.ops = &fake_ops;
	d->dev.linktype = SK_LINK_ETHERNET;
	d->dev.mtu = 1500;
	strcpy(d->dev.name, "fake0");
	return d;
}

/* The i-th frame sent. */
static inline const struct frame *sent(const struct fakedev *d, size_t i)
{
	assert_true(i < d->n && i < MAX_FRAMES);
	return &d->f[i];
}

#endif
