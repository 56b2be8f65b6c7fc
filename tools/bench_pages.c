// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_pages - ns per random read of one 64-byte bucket (struct ct_bucket)
 * from one large BPF array (vmalloc'ed, 4 KiB pages; plain and mmapable,
 * as ctable is) against an array of maps of small inner arrays (kmalloc'ed,
 * in the direct map's large pages), at a cache-resident size and at about
 * 1.4 MB, 14 MB and 128 MiB. The control "aom, vmalloc'ed" is an array of
 * maps whose inner arrays are too large for kmalloc (4 KiB pages again):
 * what the page size alone does, apart from the second lookup.
 *
 *   bench_pages [--build BUILD] [--trials T] [--ms MS]
 *
 * Runs bench/pages.bpf.o's programs with BPF_PROG_TEST_RUN (repeat), each
 * run PAGES_READS reads; ns per read is a run's cost less an empty
 * program's, divided by PAGES_READS. "dep": every place depends on the
 * word read before (load latency); "ind": places are independent (the
 * loads overlap). Trials alternate the layouts; medians are printed.
 * Also printed: how many inner maps landed in vmalloc space (other
 * users' maps made or freed meanwhile count too), and how many 2 MiB
 * pages of the direct map hold the array of maps' inner maps (the TLB
 * entries it needs at best). Touches no network interface; root (BPF). Exits non-zero if a map
 * cannot be created or filled, or a run fails. make bench-pages runs it.
 */
#include <getopt.h>
#include "bench_common.h"

struct pages_layout {
	const char *name;
	const char *prog[2]; /* dep, ind */
};

static const struct pages_layout layouts[] = {
    {"array", {"pages_arr_dep", "pages_arr_ind"}},
    {"array mmapable", {"pages_mm_dep", "pages_mm_ind"}},
    {"array of maps", {"pages_aom_dep", "pages_aom_ind"}},
    {"aom, vmalloc'ed", {"pages_aomv_dep", "pages_aomv_ind"}},
};
#define NLAYOUTS (int)(sizeof(layouts) / sizeof(layouts[0]))

/* Table sizes in inner maps of PAGES_INNER buckets (32,256 bytes each). */
static const struct {
	const char *name;
	__u32 outer;
} sizes[] = {
    {"32 KB (cache)", 1},
    {"1.4 MB", 44},
    {"14 MB", 434},
    {"128 MiB", 4161},
};
#define NSIZES	  (int)(sizeof(sizes) / sizeof(sizes[0]))
#define MAX_TRIAL 64

_Static_assert(sizeof(struct ct_bucket) == 64, "a bucket is one cache line");

static __u64 fill_x = 0x2545f4914f6cdd1dull;

static __u64 fill_next(void)
{
	return fill_x = bench_xorshift64(fill_x);
}

/* Every bucket of fd (n of them) random words, by batches. */
static void fill(int fd, __u32 n, const char *what)
{
	enum { CHUNK = 16384 };
	static __u32 keys[CHUNK];
	static struct ct_bucket vals[CHUNK];
	__u32 at, i, k;

	for (at = 0; at < n; at += CHUNK) {
		__u32 cnt = n - at < CHUNK ? n - at : CHUNK;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		for (i = 0; i < cnt; i++) {
			keys[i] = at + i;
			for (k = 0; k < HAULER_CT_SLOTS; k++)
				vals[i].slot[k] = fill_next();
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, &opts))
			bench_die("fill %s at %u: %s", what, at, strerror(errno));
	}
}

/* Array maps' areas in vmalloc space now (-1: unknown): were the inner arrays kmalloc'ed? */
static int vmalloc_map_areas(void)
{
	char line[512];
	FILE *f = fopen("/proc/vmallocinfo", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, " array_map_alloc+") != NULL;
	fclose(f);
	return n;
}

/* ns per run of prog fd over repeat runs; dies unless every run passed. */
static double run_ns(int fd, __u32 repeat)
{
	static __u8 frame[64];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		bench_die("test run: %s", strerror(errno));
	if (opts.retval != XDP_PASS)
		bench_die("a run returned %u (a lookup failed)", opts.retval);
	return opts.duration;
}

/* Repeats that make one measurement of fd take about ms milliseconds. */
static __u32 calibrate(int fd, unsigned long ms)
{
	double ns = run_ns(fd, 200);
	double r = ms * 1e6 / (ns > 1 ? ns : 1);

	return r < 200 ? 200 : r > 1e7 ? 10000000 : (__u32)r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * An array of maps: outer inner arrays of inner buckets, each filled;
 * returns how many were vmalloc'ed (other users' maps made meanwhile count too).
 */
static int fill_aom(int outer_fd, __u32 outer, __u32 inner)
{
	int before = vmalloc_map_areas(), after;
	__u32 o;

	for (o = 0; o < outer; o++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pages_in", sizeof(__u32),
					sizeof(struct ct_bucket), inner, NULL);

		if (fd < 0)
			bench_die("create inner map %u: %s", o, strerror(errno));
		fill(fd, inner, "an inner map");
		if (bpf_map_update_elem(outer_fd, &o, &fd, BPF_ANY))
			bench_die("insert inner map %u: %s", o, strerror(errno));
		close(fd); /* the outer map holds it */
	}
	after = vmalloc_map_areas();
	return before < 0 || after < 0 ? -1 : after - before;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* The distinct 2 MiB pages that hold pages_aom's inner maps (their struct bpf_array). */
static __u32 aom_huge_pages(struct bpf_object *obj, struct bench_pages_cfg cfg)
{
	int fd = bench_obj_map(obj, "pages_cfg"), prog = bench_prog_fd(obj, "pages_where");
	__u64 *page = calloc(cfg.outer, sizeof(*page));
	__u32 zero = 0, o, n = 0;

	if (!page)
		bench_die("out of memory");
	for (o = 0; o < cfg.outer; o++) {
		cfg.probe = o;
		if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY))
			bench_die("set pages_cfg: %s", strerror(errno));
		run_ns(prog, 1);
		if (bpf_map_lookup_elem(fd, &zero, &cfg) || !cfg.where)
			bench_die("no address of inner map %u", o);
		page[o] = cfg.where >> 21;
	}
	qsort(page, cfg.outer, sizeof(*page), cmp_u64);
	for (o = 0; o < cfg.outer; o++)
		n += !o || page[o] != page[o - 1];
	free(page);
	return n;
}

static void measure(const char *build, int s, int trials, unsigned long ms)
{
	struct bench_pages_cfg cfg = {.x = 0x9e3779b97f4a7c15ull};
	double t[NLAYOUTS][2][MAX_TRIAL], e[MAX_TRIAL], empty;
	int fd[NLAYOUTS][2], empty_fd, l, d, i, vm, vm_v;
	__u32 huge;
	__u32 rep[NLAYOUTS][2], erep, zero = 0;
	struct bpf_object *obj;
	char path[512];

	cfg.outer = sizes[s].outer;
	cfg.n = cfg.outer * PAGES_INNER;
	cfg.outer_v = (cfg.n + PAGES_INNER_V - 1) / PAGES_INNER_V;
	snprintf(path, sizeof(path), "%s/bench/pages.bpf.o", build);
	obj = bpf_object__open_file(path, NULL);
	if (!obj || libbpf_get_error(obj))
		bench_die("cannot open %s", path);
	if (bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "pages_arr"), cfg.n) ||
	    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "pages_mm"), cfg.n) ||
	    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "pages_aom"), cfg.outer) ||
	    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "pages_aomv"), cfg.outer_v))
		bench_die("cannot size the maps of %s", path);
	if (bpf_object__load(obj))
		bench_die("cannot load %s (%u buckets): %s", path, cfg.n, strerror(errno));
	fill(bench_obj_map(obj, "pages_arr"), cfg.n, "pages_arr");
	fill(bench_obj_map(obj, "pages_mm"), cfg.n, "pages_mm");
	vm = fill_aom(bench_obj_map(obj, "pages_aom"), cfg.outer, PAGES_INNER);
	vm_v = fill_aom(bench_obj_map(obj, "pages_aomv"), cfg.outer_v, PAGES_INNER_V);
	huge = aom_huge_pages(obj, cfg);
	if (bpf_map_update_elem(bench_obj_map(obj, "pages_cfg"), &zero, &cfg, BPF_ANY))
		bench_die("set pages_cfg: %s", strerror(errno));

	empty_fd = bench_prog_fd(obj, "pages_empty");
	erep = calibrate(empty_fd, ms);
	for (l = 0; l < NLAYOUTS; l++)
		for (d = 0; d < 2; d++) {
			fd[l][d] = bench_prog_fd(obj, layouts[l].prog[d]);
			rep[l][d] = calibrate(fd[l][d], ms);
		}
	for (i = 0; i < trials; i++) {
		e[i] = run_ns(empty_fd, erep);
		for (l = 0; l < NLAYOUTS; l++)
			for (d = 0; d < 2; d++)
				t[l][d][i] = run_ns(fd[l][d], rep[l][d]);
	}
	empty = median(e, trials);
	printf("%-14s %9u", sizes[s].name, cfg.n);
	for (l = 0; l < NLAYOUTS; l++)
		for (d = 0; d < 2; d++)
			printf(" %7.1f", (median(t[l][d], trials) - empty) / PAGES_READS);
	printf("   %5.1f  %d/%u %d/%u  %u\n", empty, vm, cfg.outer, vm_v, cfg.outer_v, huge);
	fflush(stdout);
	bpf_object__close(obj);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_pages [--build BUILD] [--trials T (<= %d)] [--ms MS]\n",
		MAX_TRIAL);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"build", required_argument, NULL, 'b'},
					     {"trials", required_argument, NULL, 't'},
					     {"ms", required_argument, NULL, 'm'},
					     {NULL, 0, NULL, 0}};
	const char *build = "build";
	unsigned long trials = 5, ms = 20;
	int c, s;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'b')
			build = optarg;
		else if (c == 't')
			trials = bench_ulong("trials", optarg);
		else if (c == 'm')
			ms = bench_ulong("ms", optarg);
		else
			usage();
	}
	if (optind != argc || !trials || trials > MAX_TRIAL || !ms)
		usage();
	printf("ns per random 64-byte bucket read (a run of %d less an empty run, / %d), median of "
	       "%lu trials, layouts alternating\n",
	       PAGES_READS, PAGES_READS, trials);
	printf("dep: each place depends on the word read before; ind: independent places\n");
	printf("%-14s %9s %15s %15s %15s %15s   %5s  %s\n", "table", "buckets", "array", "mmapable",
	       "array of maps", "aom, vmalloc'ed", "empty", "inner maps vmalloc'ed");
	printf("%-14s %9s", "", "");
	for (s = 0; s < NLAYOUTS; s++)
		printf(" %7s %7s", "dep", "ind");
	printf("   %5s  %s\n", "ns", "aom, control; aom's 2 MiB pages");
	for (s = 0; s < NSIZES; s++)
		measure(build, s, (int)trials, ms);
	return 0;
}
