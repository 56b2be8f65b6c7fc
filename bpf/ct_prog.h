/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ct_prog.h - the table of the entry object's compact-table programs
 * (bpf/ctconn.h, docs/datapath.md, "The compact table"). When the
 * balancer was brought up with the compact table (config.ct_buckets set),
 * the entry program hands every parsed packet to hauler_ct, and the end
 * of a new connection (conn_bind, in the entry program and every policy)
 * hands the choice to hauler_ct_bind, which records it. Programs of their
 * own: a fresh 512-byte stack for the table's scans, and the LRU path's
 * verifier cost unchanged. The entry object (HAULER_CT_OWNER) defines the
 * table with its programs; policy objects share it (bpf/prog_array.h).
 */
#ifndef HAULER_BPF_CT_PROG_H
#define HAULER_BPF_CT_PROG_H

#include "prog_array.h"

#define HAULER_CT_PATH 0 /* hauler_ct: a parsed packet, compact table in use */
#define HAULER_CT_BIND 1 /* hauler_ct_bind: record a new connection (policy_ctx) */

#ifdef HAULER_CT_OWNER
int hauler_ct(struct xdp_md *ctx);
int hauler_ct_bind(struct xdp_md *ctx);

HAULER_PROG_ARRAY_OWNED(
    ct_prog, 2, [HAULER_CT_PATH] = (void *)&hauler_ct, [HAULER_CT_BIND] = (void *)&hauler_ct_bind);
#else
HAULER_PROG_ARRAY_SHARED(ct_prog, 2);
#endif

#endif
