/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp_prog.h - the table of the entry object's ICMP programs (bpf/icmp.h):
 * ICMP errors about VIP flows, and "fragmentation needed" / "packet too
 * big" for packets that no longer fit once encapsulated. They run as
 * programs of their own, reached by tail call, so that their code costs
 * the entry program and the policies nothing at the verifier. The entry
 * object (HAULER_ICMP_OWNER) defines the table with its programs; policy
 * objects share it (bpf/prog_array.h).
 */
#ifndef HAULER_BPF_ICMP_PROG_H
#define HAULER_BPF_ICMP_PROG_H

#include "prog_array.h"

#define HAULER_ICMP_ERROR   0 /* hauler_icmp: an ICMP error arrived */
#define HAULER_ICMP_TOO_BIG 1 /* hauler_too_big: answer an oversized encapsulated packet */

#ifdef HAULER_ICMP_OWNER
int hauler_icmp(struct xdp_md *ctx);
int hauler_too_big(struct xdp_md *ctx);

HAULER_PROG_ARRAY_OWNED(
    icmp_prog,
    2, [HAULER_ICMP_ERROR] = (void *)&hauler_icmp, [HAULER_ICMP_TOO_BIG] = (void *)&hauler_too_big);
#else
HAULER_PROG_ARRAY_SHARED(icmp_prog, 2);
#endif

#endif
