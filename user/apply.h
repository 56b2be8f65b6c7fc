/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * apply.h - declarative configuration (hauler apply): the difference
 * between the running configuration and a wanted one, as the batch of
 * commands that turns the first into the second. Objects are matched by
 * what names them (a VIP by ADDR:PORT/PROTO, servers and devices by
 * name), so every object that stays keeps its id, ring position and
 * connections; only what differs is in the batch. An object whose
 * identity changed (a VIP's mode or table size, a server's VIP, a
 * device's server or address) is deleted and added again.
 */
#ifndef HAULER_APPLY_H
#define HAULER_APPLY_H

#include <stdio.h>

#include "model.h"

/*
 * The wanted configuration: FILE (a batch, as `hauler save` writes it)
 * applied to an empty model that has run's config and policy lookup, so
 * a config field FILE does not set keeps its running value. Returns 0 or
 * -ERR_INPUT with FILE:LINE in the error.
 */
int apply_want(const struct model *run, FILE *in, const char *name, struct model *want);
/*
 * Write to out the batch that turns run into want; returns how many
 * commands it holds. Deletions come first (devices, servers, VIPs), then
 * config, then each wanted VIP with its servers and devices, spill
 * targets, and last the custom policies nothing uses any more. A device
 * FILE gives no key keeps its key, and a custom policy pinned without
 * hauler (no file recorded) is never unloaded.
 */
int apply_diff(const struct model *run, const struct model *want, FILE *out);

#endif
