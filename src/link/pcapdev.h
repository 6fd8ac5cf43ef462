/* pcap capture: a writer (pcap or pcapng) for any stream of frames, and a device wrapper
 * that records every frame a device sends and receives. */
#ifndef SK_PCAPDEV_H
#define SK_PCAPDEV_H

#include <stddef.h>
#include <stdint.h>

#include "link/dev.h"

/* A capture file being written (libpcap's savefile format or pcapng, microsecond
 * timestamps). The file's link type is LINKTYPE_ETHERNET (1) for SK_LINK_ETHERNET and
 * LINKTYPE_RAW (101, raw IPv4 without a link header) for SK_LINK_RAW, which tcpdump
 * prints as "IP ..." and tshark as "Raw packet data". */
struct sk_pcap_writer;

/* Creates (truncates) path, a classic pcap file. Returns NULL and sets *err (if not NULL)
 * to -errno: -EINVAL for an unknown link type, the error of opening the file otherwise. */
struct sk_pcap_writer *sk_pcap_writer_open(const char *path, int linktype, int *err);

/* The file formats a writer can produce. SK_PCAP_PCAPNG is pcapng
 * (draft-ietf-opsawg-pcapng), written little-endian whatever the host, so the same
 * frames give the same bytes everywhere: one Section Header Block (version 1.0, section
 * length -1), one Interface Description Block (the link type as above, snaplen 262144,
 * if_tsresol 6: microseconds) and an Enhanced Packet Block per frame (interface 0), with
 * the record's comments as opt_comment options. tcpdump and every libpcap reader read
 * it; tshark and Wireshark show the comments. */
enum sk_pcap_format { SK_PCAP_CLASSIC, SK_PCAP_PCAPNG };
/* As sk_pcap_writer_open, in the given format (-EINVAL for an unknown one). */
struct sk_pcap_writer *sk_pcap_writer_open_format(const char *path, int linktype,
						  enum sk_pcap_format format, int *err);
enum sk_pcap_format sk_pcap_writer_format(const struct sk_pcap_writer *w);

/* Appends one frame stamped ts_us (µs since the epoch the caller chose). Frames longer
 * than the snapshot length (262144) are recorded truncated, with their full length. */
int sk_pcap_writer_write(struct sk_pcap_writer *w, uint64_t ts_us, const uint8_t *frame,
			 size_t len);
/* The same with comments on the record: n UTF-8 strings, each one opt_comment of the
 * pcapng record, in order (a NULL or empty string is skipped; one longer than 65535 bytes
 * is cut there, at a character boundary; once the comments of one record reach 1 MiB the
 * rest are left out). A classic pcap file has no place for them and records the frame
 * alone. */
int sk_pcap_writer_write_comments(struct sk_pcap_writer *w, uint64_t ts_us,
				  const uint8_t *frame, size_t len,
				  const char *const *comments, size_t n);
/* One comment, or none when comment is NULL. */
int sk_pcap_writer_write_comment(struct sk_pcap_writer *w, uint64_t ts_us,
				 const uint8_t *frame, size_t len, const char *comment);
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
