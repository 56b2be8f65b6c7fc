/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * prog_array.h - the pinned program tables (PROG_ARRAY) through which the
 * entry object's own programs are reached by tail call: report_prog,
 * spill_prog (bpf/spill.h), icmp_prog (bpf/icmp_prog.h), ct_prog
 * (bpf/ct_prog.h). The entry object defines a table with its programs
 * (HAULER_PROG_ARRAY_OWNED: libbpf fills it when it loads the object);
 * policy objects declare the same table (HAULER_PROG_ARRAY_SHARED) and
 * share the pinned map by name. Pinned, because a PROG_ARRAY is emptied
 * when its last user-space reference goes.
 */
#ifndef HAULER_BPF_PROG_ARRAY_H
#define HAULER_BPF_PROG_ARRAY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HAULER_PROG_ARRAY_FIELDS(n)                                                                \
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);                                                     \
	__uint(max_entries, n);                                                                    \
	__uint(key_size, sizeof(__u32))

/* The table NAME of N slots, holding the programs the initializers name
 * ([SLOT] = (void *)&prog, ...): in the object that defines the programs. */
#define HAULER_PROG_ARRAY_OWNED(name, n, ...)                                                      \
	struct {                                                                                   \
		HAULER_PROG_ARRAY_FIELDS(n);                                                       \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
		__array(values, int(struct xdp_md *));                                             \
	} name SEC(".maps") = {.values = {__VA_ARGS__}}

/* The same table, declared by an object that tail-calls into it. */
#define HAULER_PROG_ARRAY_SHARED(name, n)                                                          \
	struct {                                                                                   \
		HAULER_PROG_ARRAY_FIELDS(n);                                                       \
		__uint(value_size, sizeof(__u32));                                                 \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} name SEC(".maps")

#endif
