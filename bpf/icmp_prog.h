/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp_prog.h - the table of the entry object's ICMP programs (bpf/icmp.h):
 * ICMP errors about VIP flows, and "fragmentation needed" / "packet too
 * big" for packets that no longer fit once encapsulated. They run as
 * programs of their own, reached by tail call, so that their code costs
 * the entry program and the policies nothing at the verifier. The entry
 * object (HAULER_ICMP_OWNER) defines the table with its programs; policy
 * objects declare it plainly and share the pinned map by name. Pinned: a
 * PROG_ARRAY is emptied when its last user-space reference goes.
 */
#ifndef HAULER_BPF_ICMP_PROG_H
#define HAULER_BPF_ICMP_PROG_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HAULER_ICMP_ERROR   0 /* hauler_icmp: an ICMP error arrived */
#define HAULER_ICMP_TOO_BIG 1 /* hauler_too_big: answer an oversized encapsulated packet */

#ifdef HAULER_ICMP_OWNER
int hauler_icmp(struct xdp_md *ctx);
int hauler_too_big(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, int(struct xdp_md *));
} icmp_prog SEC(".maps") = {
    .values =
	{
	    [HAULER_ICMP_ERROR] = (void *)&hauler_icmp,
	    [HAULER_ICMP_TOO_BIG] = (void *)&hauler_too_big,
	},
};
#else
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} icmp_prog SEC(".maps");
#endif

#endif
