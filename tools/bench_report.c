// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_report - time from an agent report's send to its map update.
 *
 *	bench_report PIN_DIR DEVICE_ID KEY_HEX BALANCER_ADDR [COUNT]
 *
 * Run in the device's network namespace (the balancer checks the source
 * address). Sends COUNT genuine reports over UDP, one at a time, and for
 * each busy-polls the pinned dev_state until the balancer's XDP program
 * has stored its sequence number; prints p50/p99/max in microseconds.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hauler_report.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(HAULER_REPORT_PORT)};
	struct report_fields f = {0};
	char path[512], buf[HAULER_REPORT_LEN];
	int fd, sock, i, n = argc > 5 ? atoi(argv[5]) : 1000, lost = 0;
	struct dev_state st;
	__u64 k0, k1;
	__u32 id;
	double *lat;

	if (argc < 5 || report_key_parse(argv[3], &k0, &k1) ||
	    inet_pton(AF_INET, argv[4], &to.sin_addr) != 1 || n <= 0) {
		fprintf(stderr,
			"usage: bench_report PIN_DIR DEVICE_ID KEY_HEX BALANCER_ADDR [COUNT]\n");
		return 2;
	}
	id = atoi(argv[2]);
	snprintf(path, sizeof(path), "%s/dev_state", argv[1]);
	fd = bpf_obj_get(path);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	lat = calloc(n, sizeof(*lat));
	if (fd < 0 || sock < 0 || !lat || connect(sock, (void *)&to, sizeof(to))) {
		perror("bench_report");
		return 2;
	}
	if (bpf_map_lookup_elem(fd, &id, &st))
		return 2;
	f.device = id;
	f.seq = st.seq;
	for (i = 0; i < n; i++) {
		double t0, deadline;

		f.seq++;
		f.cmp = i % 101;
		report_encode(&f, k0, k1, buf);
		t0 = now_us();
		deadline = t0 + 100000;
		if (send(sock, buf, sizeof(buf), 0) != sizeof(buf)) {
			perror("send");
			return 2;
		}
		do {
			if (bpf_map_lookup_elem(fd, &id, &st))
				return 2;
		} while (st.seq != f.seq && now_us() < deadline);
		if (st.seq != f.seq) {
			lost++;
			f.seq = st.seq;
			continue;
		}
		lat[i - lost] = now_us() - t0;
	}
	n -= lost;
	if (!n) {
		fprintf(stderr, "bench_report: no report reached dev_state\n");
		return 1;
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("report send -> dev_state: %d reports, p50 %.1f us, p99 %.1f us, max %.1f us, "
	       "%d not applied\n",
	       n, lat[n / 2], lat[n * 99 / 100], lat[n - 1], lost);
	return 0;
}
