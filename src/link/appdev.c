/* Links the application supplies (link/appdev.h): packets on a descriptor, or pushed in
 * through a queue and handed out through a callback. */
#include "link/appdev.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "wire/decode.h"

/* Room for a link header (Ethernet and a VLAN tag) beyond the MTU. */
#define LINK_HDR 18

/* ---- a descriptor ---- */

struct fddev {
	struct sk_dev dev;
	int fd;
};

static int fd_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	(void)now;
	ssize_t w = write(((struct fddev *)d)->fd, f, n);
	if (w < 0)
		return errno == EAGAIN || errno == ENOBUFS ? 0 : -errno; /* a full link drops */
	return 0;
}

static int fd_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)now;
	ssize_t n = read(((struct fddev *)d)->fd, buf, cap);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ENOLINK; /* the other end of a stream or socketpair is gone */
	return (int)n;
}

static int fd_fd(struct sk_dev *d)
{
	return ((struct fddev *)d)->fd;
}

static void fd_close(struct sk_dev *d)
{
	free(d); /* the descriptor is the application's */
}

static const struct sk_dev_ops fd_ops = {.send = fd_send, .recv = fd_recv, .fd = fd_fd, .close = fd_close};

static void dev_init(struct sk_dev *d, const struct sk_dev_ops *ops, int linktype, uint32_t mtu, const char *name)
{
	d->ops = ops;
	d->linktype = linktype;
	d->mtu = mtu;
	snprintf(d->name, sizeof(d->name), "%s", name && *name ? name : "app");
}

static int bad_linktype(int linktype)
{
	return linktype != SK_LINK_RAW && linktype != SK_LINK_ETHERNET;
}

struct sk_dev *sk_appdev_fd(int fd, int linktype, uint32_t mtu, const char *name, int *err)
{
	int fl = fcntl(fd, F_GETFL);
	int e = fl < 0 ? -EBADF : bad_linktype(linktype) ? -EINVAL : 0;
	if (!e && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		e = -errno;
	struct fddev *d = e ? NULL : calloc(1, sizeof(*d));
	if (!d) {
		if (err)
			*err = e ? e : -ENOMEM;
		return NULL;
	}
	dev_init(&d->dev, &fd_ops, linktype, mtu, name);
	d->fd = fd;
	return &d->dev;
}

/* ---- a queue in, a callback out ---- */

struct pkt {
	struct pkt *next;
	size_t len;
	uint8_t data[];
};

struct cbdev {
	struct sk_dev dev;
	sk_appdev_out_fn out;
	void *ctx;
	int efd;               /* readable while the queue holds packets */
	pthread_mutex_t mu;    /* the queue's own: pushers never wait for the stack */
	struct pkt *head, *tail;
	size_t n, qmax;
	uint64_t dropped;
};

static int cb_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	(void)now;
	struct cbdev *c = (struct cbdev *)d;
	int r = c->out(c->ctx, f, n);
	return r < 0 ? r : 0;
}

static int cb_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)now;
	struct cbdev *c = (struct cbdev *)d;
	pthread_mutex_lock(&c->mu);
	struct pkt *p = c->head;
	if (p) {
		c->head = p->next;
		if (!c->head)
			c->tail = NULL;
		c->n--;
	}
	if (!c->head) {
		uint64_t v;
		ssize_t r = read(c->efd, &v, sizeof(v)); /* empty: no longer readable */
		(void)r;
	}
	pthread_mutex_unlock(&c->mu);
	if (!p)
		return 0;
	int len = (int)p->len;
	if (p->len > cap)
		len = -EMSGSIZE;
	else
		memcpy(buf, p->data, p->len);
	free(p);
	return len;
}

static int cb_fd(struct sk_dev *d)
{
	return ((struct cbdev *)d)->efd;
}

static void cb_close(struct sk_dev *d)
{
	struct cbdev *c = (struct cbdev *)d;
	while (c->head) {
		struct pkt *p = c->head;
		c->head = p->next;
		free(p);
	}
	close(c->efd);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static const struct sk_dev_ops cb_ops = {.send = cb_send, .recv = cb_recv, .fd = cb_fd, .close = cb_close};

struct sk_dev *sk_appdev_cb(sk_appdev_out_fn out, void *ctx, int linktype, uint32_t mtu, const char *name,
			    size_t qmax, int *err)
{
	int e = !out || !qmax || bad_linktype(linktype) ? -EINVAL : 0;
	struct cbdev *c = e ? NULL : calloc(1, sizeof(*c));
	if (c && (c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		e = -errno;
		free(c);
		c = NULL;
	}
	if (!c) {
		if (err)
			*err = e ? e : -ENOMEM;
		return NULL;
	}
	dev_init(&c->dev, &cb_ops, linktype, mtu, name);
	c->out = out;
	c->ctx = ctx;
	c->qmax = qmax;
	pthread_mutex_init(&c->mu, NULL);
	return &c->dev;
}

int sk_appdev_push(struct sk_dev *d, const void *pkt, size_t len)
{
	if (!d || d->ops != &cb_ops || (!pkt && len))
		return -EINVAL;
	struct cbdev *c = (struct cbdev *)d;
	if (len > (size_t)d->mtu + LINK_HDR)
		return -EMSGSIZE;
	struct pkt *p = malloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	p->next = NULL;
	p->len = len;
	memcpy(p->data, pkt, len);
	pthread_mutex_lock(&c->mu);
	if (c->n >= c->qmax) {
		c->dropped++;
		pthread_mutex_unlock(&c->mu);
		free(p);
		return -ENOBUFS;
	}
	if (c->tail)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	c->n++;
	uint64_t one = 1;
	ssize_t r = write(c->efd, &one, sizeof(one));
	(void)r;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

uint64_t sk_appdev_dropped(const struct sk_dev *d)
{
	return d && d->ops == &cb_ops ? ((const struct cbdev *)d)->dropped : 0;
}
