/* TUN/TAP over /dev/net/tun, and the ioctls that configure the kernel side of the link. */
#include "link/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire/decode.h"

struct tun_dev {
	struct sk_dev dev;
	int fd;
};

static int tun_send(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now)
{
	(void)now;
	struct tun_dev *t = (struct tun_dev *)d;
	ssize_t n = write(t->fd, frame, len);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno; /* a full device queue drops, as a NIC would */
	return 0;
}

static int tun_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)now;
	struct tun_dev *t = (struct tun_dev *)d;
	ssize_t n = read(t->fd, buf, cap);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return (int)n;
}

static int tun_fd(struct sk_dev *d)
{
	return ((struct tun_dev *)d)->fd;
}

static void tun_close(struct sk_dev *d)
{
	struct tun_dev *t = (struct tun_dev *)d;
	close(t->fd);
	free(t);
}

static const struct sk_dev_ops tun_ops = {
	.send = tun_send, .recv = tun_recv, .fd = tun_fd, .close = tun_close,
};

int sk_tun_recv_batch(struct sk_dev *d, uint8_t *const *bufs, size_t cap, size_t *lens, int n)
{
	int i = 0;
	for (; i < n; i++) {
		int r = tun_recv(d, bufs[i], cap, 0);
		if (r < 0)
			return i ? i : r;
		if (r == 0)
			break;
		lens[i] = (size_t)r;
	}
	return i;
}

static void say(char *why, size_t whylen, const char *what, int e)
{
	if (why && whylen)
		snprintf(why, whylen, "%s: %s", what, strerror(e));
}

static int ifname_ok(const char *name)
{
	return name && name[0] && strlen(name) < IFNAMSIZ;
}

/* One ioctl on an AF_INET datagram socket, the way ip(8)'s older cousin ifconfig does. */
static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int r = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return r;
}

struct sk_dev *sk_tun_open(const char *name, enum sk_tun_kind kind, uint32_t mtu, int *err, char *why,
			   size_t whylen)
{
	int e = 0;
	if (!ifname_ok(name)) {
		e = EINVAL;
		say(why, whylen, "device name", e);
		goto fail;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		say(why, whylen, "open /dev/net/tun", e);
		goto fail;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)((kind == SK_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		say(why, whylen, "TUNSETIFF", e);
		goto fail;
	}
	if (mtu) {
		struct ifreq m;
		memset(&m, 0, sizeof(m));
		memcpy(m.ifr_name, name, strlen(name));
		m.ifr_mtu = (int)mtu;
		int r = if_ioctl(SIOCSIFMTU, &m);
		if (r < 0) {
			e = -r;
			close(fd);
			say(why, whylen, "set MTU", e);
			goto fail;
		}
	}
	struct tun_dev *t = calloc(1, sizeof(*t));
	if (!t) {
		e = ENOMEM;
		close(fd);
		say(why, whylen, "tun", e);
		goto fail;
	}
	t->fd = fd;
	t->dev.ops = &tun_ops;
	t->dev.linktype = kind == SK_TAP ? SK_LINK_ETHERNET : SK_LINK_RAW;
	t->dev.mtu = mtu ? mtu : 1500;
	snprintf(t->dev.name, sizeof(t->dev.name), "%s", name);
	return &t->dev;
fail:
	if (err)
		*err = -e;
	return NULL;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	memcpy(sa, &sin, sizeof(sin));
}

int sk_tun_host_config(const char *name, uint32_t addr, uint8_t prefix_len, char *why, size_t whylen)
{
	if (!ifname_ok(name) || prefix_len > 32) {
		say(why, whylen, "host address", EINVAL);
		return -EINVAL;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	set_sin(&ifr.ifr_addr, addr);
	int r = if_ioctl(SIOCSIFADDR, &ifr);
	if (r < 0) {
		say(why, whylen, "set host address", -r);
		return r;
	}
	set_sin(&ifr.ifr_netmask, prefix_len ? ~0u << (32 - prefix_len) : 0);
	r = if_ioctl(SIOCSIFNETMASK, &ifr);
	if (r < 0) {
		say(why, whylen, "set host netmask", -r);
		return r;
	}
	memset(&ifr.ifr_ifru, 0, sizeof(ifr.ifr_ifru));
	r = if_ioctl(SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = if_ioctl(SIOCSIFFLAGS, &ifr);
	}
	if (r < 0)
		say(why, whylen, "bring link up", -r);
	return r;
}

int sk_tun_host_mac(const char *name, uint8_t mac[6])
{
	if (!ifname_ok(name))
		return -EINVAL;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	int r = if_ioctl(SIOCGIFHWADDR, &ifr);
	if (r == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return r;
}
