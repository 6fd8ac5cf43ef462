/* Throughput of the Internet checksum routine, against the plain reference loop. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/checksum.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef uint32_t (*sum_fn)(uint32_t, const void *, size_t);

/* Sums the same buffer repeatedly for at least min_s seconds; returns bytes per second.
 * The running result feeds the next call so the compiler cannot drop the work. */
static double measure(sum_fn fn, const uint8_t *buf, size_t len, double min_s, uint32_t *sink)
{
	uint64_t bytes = 0;
	uint32_t s = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 256; i++)
			s = fn(s & 0xffff, buf, len);
		bytes += 256 * (uint64_t)len;
		t = now_s();
	} while (t - t0 < min_s);
	*sink ^= s;
	return (double)bytes / (t - t0);
}

int main(int argc, char **argv)
{
	double min_s = argc > 1 ? atof(argv[1]) : 0.5;
	if (min_s <= 0) {
		fprintf(stderr, "usage: bench-csum [SECONDS_PER_SIZE]\n");
		return 2;
	}
	static const size_t sizes[] = {64, 576, 1500, 9000, 65536, 1 << 20};
	uint8_t *buf = malloc(1 << 20);
	if (!buf) {
		perror("bench-csum: malloc");
		return 1;
	}
	for (size_t i = 0; i < (1 << 20); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	uint32_t sink = 0;
	printf("%-10s %14s %14s %8s\n", "bytes", "synack GB/s", "ref GB/s", "ratio");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double fast = measure(sk_csum_add, buf, sizes[i], min_s, &sink);
		double ref = measure(sk_csum_add_ref, buf, sizes[i], min_s / 4, &sink);
		printf("%-10zu %14.2f %14.2f %7.1fx\n", sizes[i], fast / 1e9, ref / 1e9, fast / ref);
	}
	fprintf(stderr, "(sink %u)\n", sink);
	free(buf);
	return 0;
}
