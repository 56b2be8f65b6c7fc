// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * wrr: weighted round robin over the server's ring (built by the manager
 * from device weights); the pointer advances once per new connection.
 */
#include "policy.h"

HAULER_POLICY(wrr)
{
	struct server_info *srv;
	struct ring_pos *rp;
	struct ring *r;
	__u32 key = pc->server, pos;

	srv = bpf_map_lookup_elem(&servers, &key);
	rp = bpf_map_lookup_elem(&ring_pos, &key);
	if (!srv || !rp)
		return select_hash(pc);
	key = pc->server * 2 + (srv->ring_version & 1);
	r = bpf_map_lookup_elem(&rings, &key);
	if (!r)
		return select_hash(pc);
	pos = __sync_fetch_and_add(&rp->next, 1);
	return select_wrr(pc, r, pos);
}
