// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kernel_check.c - the helpers the datapath needs, probed before a load. */
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_check.h"
#include "error.h"

/* The helpers newer than 5.11 that bpf/ and policies/ call, newest first. */
static const struct {
	int func;
	const char *name;
	const char *since;
} needed[] = {
    {BPF_FUNC_map_lookup_percpu_elem, "bpf_map_lookup_percpu_elem", "5.19"},
    {BPF_FUNC_loop, "bpf_loop", "5.17"},
    {BPF_FUNC_ktime_get_coarse_ns, "bpf_ktime_get_coarse_ns", "5.11"},
};

int kernel_check(helper_probe_fn probe)
{
	struct utsname u;
	size_t i;

	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (probe(needed[i].func))
			continue;
		if (uname(&u))
			u.release[0] = '\0';
		return err_set(ERR_SYSTEM,
			       "this kernel (%s) lacks the BPF helper %s (Linux %s): hauler needs "
			       "Linux %s or later",
			       u.release[0] ? u.release : "unknown", needed[i].name,
			       needed[i].since, HAULER_KERNEL_MIN);
	}
	return 0;
}

static int probe_xdp_helper(int func)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, func, NULL);
}

int kernel_check_running(void)
{
	return kernel_check(probe_xdp_helper);
}
