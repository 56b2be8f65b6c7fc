/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * model_maps.h - the model and the pinned maps: read the running
 * configuration, and write back only what a command changed, in an
 * order that keeps the datapath consistent at every step.
 */
#ifndef HAULER_MODEL_MAPS_H
#define HAULER_MODEL_MAPS_H

#include "pinned_maps.h"
#include "model.h"

int model_load(struct model *m, const struct hauler_maps *maps);
/*
 * Write the differences between base (as loaded) and cur. pin locates
 * the pinned policy programs. Returns 0 or -ERR_SYSTEM.
 */
int model_commit(const struct hauler_maps *maps, const char *pin, const struct model *base,
		 const struct model *cur);

/*
 * Write ring into the inactive version of server's ring, then srv with
 * ring_version flipped to it (one update the datapath sees at once).
 */
int model_ring_swap(const struct hauler_maps *maps, __u32 server, struct server_info *srv,
		    const struct ring *ring);

#endif
