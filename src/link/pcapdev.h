/* pcap capture: a writer for any stream of frames, and a device wrapper that records every
 * frame a device sends and receives. */
#ifndef SK_PCAPDEV_H
#define SK_PCAPDEV_H

#include <stddef.h>
#include <stdint.h>

#include "link/dev.h"

/* A pcap file being written (libpcap's savefile format, microsecond timestamps). The file's
 * link type is LINKTYPE_ETHERNET (1) for SK_LINK_ETHERNET and LINKTYPE_RAW (101, raw IPv4
 * without a link header) for SK_LINK_RAW, which tcpdump prints as "IP ..." and tshark
 * as "Raw packet data". */
struct sk_pcap_writer;

/* Creates (truncates) path. Returns NULL and sets *err (if not NULL) to -errno: -EINVAL
 * for an unknown link type, the error of opening the file otherwise. */
struct sk_pcap_writer *sk_pcap_writer_open(const char *path, int linktype, int *err);
/* Appends one frame stamped ts_us (µs since the epoch the caller chose). Frames longer
 * than the snapshot length (262144) are recorded truncated, with their full length. */
int sk_pcap_writer_write(struct sk_pcap_writer *w, uint64_t ts_us, const uint8_t *frame,
			 size_t len);
/* Pushes buffered records to the file: a reader started now sees all of them. */
int sk_pcap_writer_flush(struct sk_pcap_writer *w);
/* Flushes and closes; returns 0 or the -errno of a write that failed at any point. */
int sk_pcap_writer_close(struct sk_pcap_writer *w);

/* Wraps inner: everything passes through unchanged, and every frame inner accepts in send()
 * or returns from recv() is recorded at time_base_us + now. The wrapper takes ownership of
 * inner; closing it flushes and closes the file, then closes inner. Returns NULL and sets
 * *err on failure, in which case inner is left open and still the caller's. */
struct sk_dev *sk_dev_pcap_wrap(struct sk_dev *inner, const char *path, uint64_t time_base_us,
				int *err);

#endif
