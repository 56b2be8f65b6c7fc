// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctable_map.c - the pinned compact connection table from user space (see ctable_map.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "ctable_map.h"
#include "error.h"

/* Buckets read at a time: 256 KB. */
#define CT_CHUNK 4096

void ct_view_of_model(struct ct_view *v, const struct model *m, __u64 now_ns)
{
	__u32 d;

	ct_view_set(v, &m->config, now_ns);
	for (d = 0; d < HAULER_MAX_DEVICES; d++)
		if (m->devices[d].in_use)
			ct_view_device(v, d, m->devices[d].gen);
}

/* Buckets first..first+count-1 into b: one batch call where the kernel has it, else one each. */
static int read_chunk(int fd, __u32 first, __u32 count, struct ct_bucket *b, __u32 *keys)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 in = first - 1, out = 0, got = count, i;
	int err;

	/* in_batch is the key before the first one read (NULL: from the start). */
	err = bpf_map_lookup_batch(fd, first ? &in : NULL, &out, keys, b, &got, &opts);
	/* ENOENT: the batch reached the end of the map, got holds what it read. */
	if ((!err || errno == ENOENT) && got == count)
		return 0;
	for (i = 0; i < count; i++) {
		__u32 k = first + i;

		if (bpf_map_lookup_elem(fd, &k, &b[i]))
			return -errno;
	}
	return 0;
}

int ct_map_walk(int fd, __u32 n, ct_walk_fn fn, void *arg)
{
	__u32 first, count, *keys = malloc(CT_CHUNK * sizeof(*keys));
	struct ct_bucket *b = malloc(CT_CHUNK * sizeof(*b));
	int ret = 0;

	if (!keys || !b) {
		ret = err_set(ERR_SYSTEM, "out of memory");
		goto out;
	}
	for (first = 0; first < n && !ret; first += count) {
		count = n - first < CT_CHUNK ? n - first : CT_CHUNK;
		ret = read_chunk(fd, first, count, b, keys);
		if (ret) {
			ret = err_set(ERR_SYSTEM, "cannot read ctable[%u..]: %s", first,
				      strerror(-ret));
			break;
		}
		ret = fn(arg, first, b, count);
	}
out:
	free(keys);
	free(b);
	return ret;
}

struct count_arg {
	const struct ct_view *v;
	struct ct_counts *c;
};

static int count_chunk(void *arg, __u32 first, const struct ct_bucket *b, __u32 count)
{
	struct count_arg *a = arg;

	(void)first;
	ct_count_buckets(a->v, b, count, a->c);
	return 0;
}

int ct_map_count(int fd, __u32 n, const struct ct_view *v, struct ct_counts *c)
{
	struct count_arg a = {.v = v, .c = c};

	memset(c, 0, sizeof(*c));
	return ct_map_walk(fd, n, count_chunk, &a);
}

struct reset_arg {
	struct ct_bucket *t; /* the map's buckets, mapped */
	__u32 id, gen;
	unsigned long cleared;
};

static int reset_chunk(void *arg, __u32 first, const struct ct_bucket *b, __u32 count)
{
	struct reset_arg *a = arg;
	__u32 i;

	for (i = 0; i < count; i++)
		a->cleared += ct_bucket_clear_device(&a->t[first + i], &b[i], a->id, a->gen);
	return 0;
}

long ct_map_reset_device(int fd, __u32 n, __u32 id, __u32 gen)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = ((size_t)n * sizeof(struct ct_bucket) + page - 1) / page * page;
	struct reset_arg a = {.id = id, .gen = gen};
	int ret;

	if (!n)
		return 0;
	/* The datapath's slots are written by compare-and-swap; so are ours, through the pages. */
	a.t = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a.t == MAP_FAILED)
		return err_set(ERR_SYSTEM,
			       "cannot map ctable (%u buckets) for the reset: %s (a map pinned "
			       "before schema 24, not mmapable? reload)",
			       n, strerror(errno));
	ret = ct_map_walk(fd, n, reset_chunk, &a);
	munmap(a.t, size);
	return ret ? ret : (long)a.cleared;
}
