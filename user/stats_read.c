// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* stats_read.c - sum the per-CPU stats map's slots (see stats_read.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "error.h"
#include "stats_read.h"

int stats_reader_init(struct stats_reader *r, int fd)
{
	r->fd = fd;
	r->ncpus = libbpf_num_possible_cpus();
	r->percpu = NULL;
	if (r->ncpus <= 0)
		return err_set(ERR_SYSTEM, "cannot count the CPUs");
	r->percpu = calloc(r->ncpus, sizeof(struct counter));
	if (!r->percpu)
		return err_set(ERR_SYSTEM, "out of memory");
	return 0;
}

int stats_reader_sum(struct stats_reader *r, __u32 key, struct counter *sum)
{
	int i;

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(r->fd, &key, r->percpu))
		return err_set(ERR_SYSTEM, "cannot read stats[%u]: %s", key, strerror(errno));
	for (i = 0; i < r->ncpus; i++) {
		sum->packets += r->percpu[i].packets;
		sum->bytes += r->percpu[i].bytes;
	}
	return 0;
}

void stats_reader_free(struct stats_reader *r)
{
	free(r->percpu);
	r->percpu = NULL;
}
