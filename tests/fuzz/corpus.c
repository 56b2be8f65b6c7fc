// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * corpus.c - write the seed corpora of the AFL targets: DIR/parse/NAME
 * (frames, seeds.h) and DIR/report/NAME (a mode byte and a report).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "seeds.h"

#define MAX_SEEDS 64

static int write_all(const char *dir, const char *sub, const struct fuzz_frame *f, size_t n)
{
	char path[4096];
	size_t i;

	if (strlen(dir) > 1024)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		FILE *out;

		snprintf(path, sizeof(path), "%.1024s/%s/%.32s", dir, sub, f[i].name);
		out = fopen(path, "wb");
		if (!out || fwrite(f[i].data, 1, f[i].len, out) != f[i].len || fclose(out)) {
			perror(path);
			return -1;
		}
	}
	printf("corpus: %zu seeds in %s/%s\n", n, dir, sub);
	return 0;
}

int main(int argc, char **argv)
{
	static struct fuzz_frame seeds[MAX_SEEDS];
	struct fuzz_net net;
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: corpus DIR\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	fuzz_net_default(&net);
	n = fuzz_seed_frames(&net, seeds, MAX_SEEDS);
	if (write_all(argv[1], "parse", seeds, n))
		return 1;
	n = fuzz_seed_reports(seeds, MAX_SEEDS);
	return write_all(argv[1], "report", seeds, n) ? 1 : 0;
}
