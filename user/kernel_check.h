/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kernel_check.h - does this kernel have what the datapath calls? Asked
 * by `hauler up` before it loads anything, so that an older kernel gets a
 * sentence naming what it lacks and the version that has it, not the
 * verifier's "unknown func" a screen down its log.
 */
#ifndef HAULER_KERNEL_CHECK_H
#define HAULER_KERNEL_CHECK_H

/* The oldest kernel the datapath loads on: its newest helper's. */
#define HAULER_KERNEL_MIN "5.19"

/*
 * 1 when an XDP program may call BPF helper func (enum bpf_func_id), 0
 * when not, < 0 when it cannot tell (libbpf_probe_bpf_helper's answer).
 */
typedef int (*helper_probe_fn)(int func);

/*
 * 0 when the probe finds every helper the datapath needs that is newer
 * than what any BTF-capable kernel has; else -ERR_SYSTEM with the missing
 * helper, the version that added it and the running kernel's release in
 * err_msg(). A probe that cannot tell is taken as yes (the load then says).
 */
int kernel_check(helper_probe_fn probe);

/* kernel_check with libbpf_probe_bpf_helper on XDP programs. */
int kernel_check_running(void);

#endif
