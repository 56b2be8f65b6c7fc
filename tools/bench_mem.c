// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_mem - memory per connection, from the maps' own accounting
 * (docs/performance.md, "Memory per connection").
 *
 *   bench_mem --pin DIR --build BUILD [--entries N] [--json FILE]
 *
 * Fills the connection table with N entries from user space and reads the
 * kernel's figure for the map (the memlock line of its fdinfo, which is
 * the map's own memory accounting) before and after. A nat connection
 * holds two entries (its flow and the reply), an ipip connection one.
 */
#include <getopt.h>

#include "bench_common.h"

/* The memlock figure of a BPF object fd (bytes). */
static unsigned long long fd_memlock(int fd)
{
	unsigned long long v = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		bench_die("cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	if (!v)
		bench_die("no memlock in %s", path);
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_mem --pin DIR --build BUILD [--entries N] [--json FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"pin", required_argument, NULL, 'p'},
					     {"build", required_argument, NULL, 'b'},
					     {"entries", required_argument, NULL, 'n'},
					     {"json", required_argument, NULL, 'j'},
					     {NULL, 0, NULL, 0}};
	const char *pin = NULL, *build = NULL, *json = NULL;
	unsigned long long before, after, half, total = 0;
	struct table_sizes sizes = {0};
	unsigned long n = 1000000;
	struct bench_json j;
	struct bench_lb lb;
	struct bpf_map *m;
	double per_entry;
	long held;
	int opt, fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pin = optarg;
			break;
		case 'b':
			build = optarg;
			break;
		case 'n':
			n = bench_ulong("entries", optarg);
			break;
		case 'j':
			json = optarg;
			break;
		default:
			usage();
		}
	}
	if (!pin || !build || optind != argc || !n || n > HAULER_CONNS_MAX)
		usage();
	/* The production sizes; conns made larger when asked to hold more. */
	sizes.conns = n > HAULER_MAX_CONNS ? n : 0;
	bench_lb_load_sized(&lb, pin, build, &sizes);
	fd = bench_map(&lb, "conns");
	before = fd_memlock(fd);
	bench_conns_fill(fd, n);
	held = bench_conns_count(&lb);
	after = fd_memlock(fd);
	bpf_object__for_each_map(m, lb.skel->obj) total += fd_memlock(bpf_map__fd(m));
	per_entry = (double)after / held;

	half = fd_memlock(bench_map(&lb, "half_open"));
	printf("memory per connection (conns: LRU hash of %u entries, %ld held)\n",
	       sizes.conns ? sizes.conns : HAULER_MAX_CONNS, held);
	printf("  %-44s %8.1f MiB (empty: %.1f MiB; preallocated)\n", "conns map, memlock",
	       after / 1048576.0, before / 1048576.0);
	printf("  %-44s %8.0f bytes\n", "per entry", per_entry);
	printf("  %-44s %8.0f bytes\n", "per nat connection (2 entries)", 2 * per_entry);
	printf("  %-44s %8.0f bytes\n", "per ipip connection (1 entry)", per_entry);
	printf("  %-44s %8.1f MiB (%d entries)\n", "half_open map, memlock", half / 1048576.0,
	       HAULER_MAX_HALF_OPEN);
	printf("  %-44s %8.1f MiB\n", "all of hauler's maps, memlock", total / 1048576.0);

	bench_json_open(&j, json);
	bench_json_num(&j, "entries_written", n);
	bench_json_num(&j, "entries_held", held);
	bench_json_num(&j, "conns_memlock_empty", before);
	bench_json_num(&j, "conns_memlock", after);
	bench_json_num(&j, "bytes_per_entry", per_entry);
	bench_json_num(&j, "bytes_per_nat_connection", 2 * per_entry);
	bench_json_num(&j, "bytes_per_ipip_connection", per_entry);
	bench_json_num(&j, "half_open_memlock", half);
	bench_json_num(&j, "all_maps_memlock", total);
	bench_json_close(&j);
	bench_lb_unload(&lb);
	return 0;
}
