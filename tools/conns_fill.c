// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * conns_fill - write N made-up flows into a running balancer's pinned
 * connection table (tests: the LRU table under pressure).
 *
 *   conns_fill PIN_DIR N
 *
 * The flows come from 10.77.0.0/16 to 10.9.9.9:80 (bench_conns_fill): no
 * test topology uses those addresses, so they only take room.
 */
#include "bench_common.h"

int main(int argc, char **argv)
{
	char path[4096];
	unsigned long n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: conns_fill PIN_DIR N\n");
		return 2;
	}
	n = bench_ulong("N", argv[2]);
	snprintf(path, sizeof(path), "%s/conns", argv[1]);
	fd = bpf_obj_get(path);
	if (fd < 0)
		bench_die("%s: %s", path, strerror(errno));
	bench_conns_fill(fd, n);
	close(fd);
	return 0;
}
