// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_profile - where a packet's time goes, by source line of the BPF
 * programs and by kernel function, from perf's timer samples of the
 * benchmark's CPU (make bench-profile, tools/bench.sh's profile part).
 *
 * This guest has no hardware counters, and Debian's perf and bpftool
 * cannot disassemble JITed code (no libbfd). The kernel says enough
 * without either: each program's info (bpf_obj_get_info_by_fd) holds the
 * address of every JITed function (jited_ksyms, jited_func_lens) and of
 * every line record (jited_line_info beside line_info, whose file and
 * line are strings of the program's BTF). A sample's address is then
 * the line whose code starts last at or before it.
 *
 * Input (stdin): perf script -F ip,sym lines, "ADDR SYMBOL" (the caller
 * keeps the benchmark CPU's, taken only while the case's packets went).
 * Arguments: the directory of pinned programs (bench_rate --profile pins
 * them), the packets sent while sampling and the sampling rate (a
 * sample is then 1/HZ s of the CPU, so a place's samples over HZ and
 * the packets is its time a packet), how many lines to print, and the
 * source tree, left out of the file names.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define MAX_PROGS 64
#define MAX_SPOTS 4096

struct prog {
	char name[64];
	__u32 nfunc, nline;
	__u64 *ksyms;
	__u32 *lens;
	__u64 *line_addr;
	struct bpf_line_info *lines;
	struct btf *btf;
	unsigned long samples;
};

/* A place samples land: a line of a program, or a kernel function. */
struct spot {
	char where[160];
	const char *prog; /* NULL: the kernel */
	unsigned long samples;
};

static struct prog progs[MAX_PROGS];
static const char *src_dir; /* left out of the file names (the tree the programs were built in) */
static struct spot spots[MAX_SPOTS];
static int nprog, nspot;

/*
 * The CPU waiting for work (the guest's halt, the kernel's idle loop):
 * the pause after each slice while the rings drain, not a packet's time.
 */
static int idle_sym(const char *sym)
{
	return strstr(sym, "halt") || strstr(sym, "idle") || !strcmp(sym, "cpu_startup_entry");
}

static void die(const char *msg, const char *what)
{
	fprintf(stderr, "bench_profile: %s%s%s\n", msg, what ? ": " : "", what ? what : "");
	exit(1);
}

/* Program pinned at path: its functions' and lines' addresses, its BTF. */
static void prog_load(const char *path, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nfunc, nline;
	struct prog *p = &progs[nprog];
	int fd = bpf_obj_get(path);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		die("cannot read the program", path);
	nfunc = info.nr_jited_ksyms;
	nline = info.nr_jited_line_info;
	if (info.nr_line_info != nline || info.line_info_rec_size != sizeof(struct bpf_line_info) ||
	    info.jited_line_info_rec_size != sizeof(__u64) || !nfunc)
		die("no JITed line info (a program without BTF, or not JITed)", path);
	p->ksyms = calloc(nfunc, sizeof(__u64));
	p->lens = calloc(nfunc, sizeof(__u32));
	p->line_addr = calloc(nline, sizeof(__u64));
	p->lines = calloc(nline, sizeof(*p->lines));
	if (!p->ksyms || !p->lens || !p->line_addr || !p->lines)
		die("out of memory", NULL);
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = nfunc;
	info.jited_ksyms = (__u64)(unsigned long)p->ksyms;
	info.nr_jited_func_lens = nfunc;
	info.jited_func_lens = (__u64)(unsigned long)p->lens;
	info.nr_jited_line_info = nline;
	info.jited_line_info_rec_size = sizeof(__u64);
	info.jited_line_info = (__u64)(unsigned long)p->line_addr;
	info.nr_line_info = nline;
	info.line_info_rec_size = sizeof(struct bpf_line_info);
	info.line_info = (__u64)(unsigned long)p->lines;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("cannot read the program's line info", path);
	if (!p->ksyms[0])
		die("the kernel hides JITed addresses (run as root, kptr_restrict)", path);
	p->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!p->btf)
		die("cannot load the program's BTF", path);
	p->nfunc = nfunc;
	p->nline = nline;
	snprintf(p->name, sizeof(p->name), "%.63s", name);
	nprog++;
}

/* The line record of prog p whose code starts last at or before addr in its function; -1: none. */
static int line_at(const struct prog *p, __u64 addr)
{
	__u64 lo = 0, hi = 0;
	int best = -1;
	__u32 f, i;

	for (f = 0; f < p->nfunc; f++)
		if (addr >= p->ksyms[f] && addr < p->ksyms[f] + p->lens[f]) {
			lo = p->ksyms[f];
			hi = p->ksyms[f] + p->lens[f];
			break;
		}
	if (f == p->nfunc)
		return -1;
	for (i = 0; i < p->nline; i++)
		if (p->line_addr[i] >= lo && p->line_addr[i] < hi && p->line_addr[i] <= addr &&
		    (best < 0 || p->line_addr[i] >= p->line_addr[best]))
			best = i;
	return best;
}

static void spot_add(const char *where, const char *prog)
{
	int i;

	for (i = 0; i < nspot; i++)
		if (spots[i].prog == prog && !strcmp(spots[i].where, where)) {
			spots[i].samples++;
			return;
		}
	if (nspot == MAX_SPOTS)
		die("too many places", NULL);
	snprintf(spots[nspot].where, sizeof(spots[nspot].where), "%s", where);
	spots[nspot].prog = prog;
	spots[nspot++].samples = 1;
}

/* One sample at addr (perf named it sym): counted to its program's line, else to sym. */
static void sample(__u64 addr, const char *sym)
{
	const struct bpf_line_info *l;
	const char *file;
	char where[160];
	int i, at;

	for (i = 0; i < nprog; i++) {
		at = line_at(&progs[i], addr);
		if (at < 0)
			continue;
		l = &progs[i].lines[at];
		file = btf__name_by_offset(progs[i].btf, l->file_name_off);
		if (!file)
			file = "?";
		if (src_dir && !strncmp(file, src_dir, strlen(src_dir)) &&
		    file[strlen(src_dir)] == '/')
			file += strlen(src_dir) + 1;
		snprintf(where, sizeof(where), "%s:%u", file, BPF_LINE_INFO_LINE_NUM(l->line_col));
		progs[i].samples++;
		spot_add(where, progs[i].name);
		return;
	}
	spot_add(sym, NULL);
}

static int by_samples(const void *a, const void *b)
{
	const struct spot *x = a, *y = b;

	return x->samples < y->samples ? 1 : x->samples > y->samples ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long total = 0, kernel = 0, idle = 0;
	char line[512], sym[256], path[512];
	double packets, hz, ns;
	struct dirent *de;
	int top, i;
	__u64 addr;
	DIR *d;

	if (argc < 5 || argc > 6 || (packets = atof(argv[2])) <= 0 || (hz = atof(argv[3])) <= 0 ||
	    (top = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: bench_profile PROG_DIR PACKETS HZ LINES [SRC_DIR] "
				"< perf-script-output\n");
		return 2;
	}
	src_dir = argc == 6 ? argv[5] : NULL;
	d = opendir(argv[1]);
	if (!d)
		die("cannot open", argv[1]);
	while ((de = readdir(d)) && nprog < MAX_PROGS) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		prog_load(path, de->d_name);
	}
	closedir(d);
	while (fgets(line, sizeof(line), stdin)) {
		sym[0] = 0;
		if (sscanf(line, "%llx %255s", (unsigned long long *)&addr, sym) < 1)
			continue;
		if (idle_sym(sym)) {
			idle++;
			continue;
		}
		total++;
		sample(addr, sym[0] ? sym : "[unknown]");
	}
	if (!total)
		die("no samples", NULL);
	ns = total * 1e9 / hz / packets; /* the CPU's ns a packet, all of it */
	for (i = 0; i < nprog; i++)
		kernel += progs[i].samples;
	kernel = total - kernel;
	printf("  %lu samples on the benchmark's CPU at %.0f Hz over %.0f packets: %.1f ns a packet"
	       "\n  (and %lu idle, the pauses while the rings drain, left out)\n",
	       total, hz, packets, ns, idle);
	printf("  %-44s %8s %7s %8s\n", "where", "samples", "share", "ns/pkt");
	for (i = 0; i < nprog; i++)
		if (progs[i].samples)
			printf("  %-44s %8lu %6.1f%% %8.1f\n", progs[i].name, progs[i].samples,
			       100.0 * progs[i].samples / total, ns * progs[i].samples / total);
	printf("  %-44s %8lu %6.1f%% %8.1f\n", "the rest (veth, XDP, the generator)", kernel,
	       100.0 * kernel / total, ns * kernel / total);
	qsort(spots, nspot, sizeof(spots[0]), by_samples);
	printf("\n  %-44s %8s %7s %8s  %s\n", "line or kernel function", "samples", "share",
	       "ns/pkt", "program");
	for (i = 0; i < nspot && i < top; i++)
		printf("  %-44s %8lu %6.1f%% %8.1f  %s\n", spots[i].where, spots[i].samples,
		       100.0 * spots[i].samples / total, ns * spots[i].samples / total,
		       spots[i].prog ? spots[i].prog : "-");
	return 0;
}
