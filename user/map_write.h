/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * map_write.h - the one writer of the datapath's configuration maps. The
 * manager's commit (model_maps.c), the datapath test harness and the
 * benchmarks all write vips, pools, servers, devices, rings, policies and
 * config through these functions, so a change to a map's key or value is
 * made once, here (key layouts: include/hauler_keys.h).
 *
 * Each returns 0, or -ERR_SYSTEM with "cannot write MAP[KEY]: why" set.
 * Ordering (what a packet may see in between) is the caller's: see
 * model_maps.c for the manager's.
 */
#ifndef HAULER_MAP_WRITE_H
#define HAULER_MAP_WRITE_H

#include "hauler_schema.h"
#include "pinned_maps.h"

int mapw_config(const struct hauler_maps *m, const struct config *cfg);
/* vips[key] = info; vip_index[info->vip_id] = key when index is set. */
int mapw_vip(const struct hauler_maps *m, const struct vip_key *key, const struct vip_info *info,
	     int index);
/* Version 0 or 1 of VIP vip_id's Maglev table. */
int mapw_pool(const struct hauler_maps *m, __u32 vip_id, __u32 version, const struct pool *pool);
int mapw_server(const struct hauler_maps *m, __u32 server, const struct server_info *srv);
int mapw_device(const struct hauler_maps *m, __u32 device, const struct device_info *dev);
/*
 * Remove dev_addrs' tombstones (include/dev_tomb.h) that ended by now
 * (monotonic seconds), each key's dev_hints entry given again; with room
 * set and none ended, the one that ends first. Returns how many went, or
 * -ERR_SYSTEM. mapw_device calls it when it writes a tombstone and when
 * a device's key finds dev_addrs full; hauler daemon every 10 s.
 */
int mapw_dev_tombs_sweep(const struct hauler_maps *m, __u32 now, int room);
/*
 * Post a `device resync` of device: its next report, under the dev_state
 * lock, moves its sequence back to report_seq_floor(floor_s) (bpf/
 * report.h, report_resync), once. floor_s 0 clears the request (a new or
 * removed device, whose dev_state is written clean).
 */
int mapw_dev_resync(const struct hauler_maps *m, __u32 device, __u32 floor_s);
/*
 * Zero device's forwarded and new-connection counters (stats, every CPU)
 * and every CPU's memo of its aggregate (dev_own): a device given a
 * reused id starts from zero, not from the old one's.
 */
int mapw_device_counters_zero(const struct hauler_maps *m, __u32 device);
/* Version 0 or 1 of server's ring. */
int mapw_ring(const struct hauler_maps *m, __u32 server, __u32 version, const struct ring *ring);
int mapw_params(const struct hauler_maps *m, __u32 slot, const struct policy_params *params);
/* policy_progs[slot] = prog_fd; prog_fd < 0 empties the slot (no error when it was empty). */
int mapw_policy(const struct hauler_maps *m, __u32 slot, int prog_fd);

#endif
