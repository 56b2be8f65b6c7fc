// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_mem - memory per connection, from the maps' own accounting
 * (docs/performance.md, "Memory per connection").
 *
 *   bench_mem --pin DIR --build BUILD [--entries N] [--table lru|compact] [--json FILE]
 *
 * Fills the connection table with N entries from user space and reads the
 * kernel's figure for the map (the memlock line of its fdinfo, which is
 * the map's own memory accounting) before and after.
 *
 * lru: the kernel LRU hash conns. A nat connection holds two entries
 * (its flow and the reply), an ipip connection one.
 * compact: the compact table (include/ctable/) sized for N, an array of
 * one-cache-line buckets, filled by the shared insert logic. One slot per
 * connection.
 */
#include "ctable/ct_table.h"
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

/*
 * The compact table for n connections: an array map of ct_buckets_for(n)
 * buckets (what `hauler up --table compact --conns N` makes), filled with
 * n flows through ct_insert in user memory and written in batches.
 */
static int compact_mem(unsigned long n, const char *json)
{
	enum { BATCH = 65536 };
	__u32 nb = ct_buckets_for(n), i, count, *keys;
	unsigned long long before, after;
	unsigned long held = 0, refused = 0;
	struct ct_bucket *t;
	struct ct_limits l;
	struct bench_json j;
	int fd;
	/* As the datapath's (include/schema.def, ARRAY_MMAPABLE): buckets on cache lines. */
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);

	ct_limits_set(&l, 1000, 10000, 30000);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ctable", sizeof(__u32), sizeof(struct ct_bucket),
			    nb, &o);
	if (fd < 0)
		bench_die("cannot make a compact table of %u buckets: %s", nb, strerror(errno));
	before = fd_memlock(fd);
	t = calloc(nb, sizeof(*t));
	keys = calloc(BATCH, sizeof(*keys));
	if (!t || !keys)
		bench_die("out of memory");
	for (i = 0; i < n; i++) {
		struct flow_key k;

		bench_fill_key(&k, i);
		if (ct_mem_insert(t, nb, &k, 0x5eed, ct_slot_make(0, i % 4, 0, 0, 1), 1, &l) ==
		    CT_INSERTED)
			held++;
		else
			refused++;
	}
	for (i = 0; i < nb; i += count) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
		__u32 k;

		count = nb - i < BATCH ? nb - i : BATCH;
		for (k = 0; k < count; k++)
			keys[k] = i + k;
		if (bpf_map_update_batch(fd, keys, &t[i], &count, &opts))
			bench_die("fill the compact table: %s", strerror(errno));
	}
	after = fd_memlock(fd);
	printf("memory per connection (compact table for %lu connections: %u buckets of %zu bytes, "
	       "%lu held, %lu refused)\n",
	       n, nb, sizeof(struct ct_bucket), held, refused);
	printf("  %-44s %8.1f MiB (empty: %.1f MiB; preallocated)\n", "ctable map, memlock",
	       after / 1048576.0, before / 1048576.0);
	printf("  %-44s %8.1f bytes (target <= 26)\n", "per connection (one slot)",
	       (double)after / held);
	printf("  %-44s %8.1f bytes (%lu of them: %.1f MiB)\n", "per nat connection (one slot)",
	       (double)after / held, held, after / 1048576.0);
	printf("  %-44s %8.2e (%d-bit digests, buckets of %d, %.0f%% with the hint)\n",
	       "false-match rate, computed",
	       ct_false_match_rate((double)held / ((double)nb * HAULER_CT_SLOTS),
				   ct_mem_spilled(t, nb), HAULER_CT_DIGEST_BITS),
	       HAULER_CT_DIGEST_BITS, HAULER_CT_SLOTS, 100 * ct_mem_spilled(t, nb));
	bench_json_open(&j, json);
	bench_json_num(&j, "entries_written", n);
	bench_json_num(&j, "entries_held", held);
	bench_json_num(&j, "buckets", nb);
	bench_json_num(&j, "ctable_memlock_empty", before);
	bench_json_num(&j, "ctable_memlock", after);
	bench_json_num(&j, "bytes_per_connection", (double)after / held);
	/* A nat reply has no slot of its own (schema 19, docs/datapath.md). */
	bench_json_num(&j, "bytes_per_nat_connection", (double)after / held);
	bench_json_close(&j);
	free(keys);
	free(t);
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_mem --pin DIR --build BUILD [--entries N] [--table lru|compact] "
		"[--json FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"pin", required_argument, NULL, 'p'},     {"build", required_argument, NULL, 'b'},
	    {"entries", required_argument, NULL, 'n'}, {"json", required_argument, NULL, 'j'},
	    {"table", required_argument, NULL, 't'},   {NULL, 0, NULL, 0}};
	const char *pin = NULL, *build = NULL, *json = NULL;
	unsigned long long before, after, half, total = 0;
	struct table_sizes sizes = {0};
	unsigned long n = 1000000;
	struct bench_json j;
	struct bench_lb lb;
	struct bpf_map *m;
	double per_entry;
	long held;
	int opt, fd, compact = 0;

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
		case 't':
			if (!strcmp(optarg, "compact"))
				compact = 1;
			else if (strcmp(optarg, "lru"))
				usage();
			break;
		default:
			usage();
		}
	}
	if (!pin || !build || optind != argc || !n || n > HAULER_CONNS_MAX)
		usage();
	if (compact)
		return compact_mem(n, json);
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
