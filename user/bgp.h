/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bgp.h - announcing the VIPs through BIRD 2 (docs/operations.md, "BGP").
 * hauler daemon --bird FILE keeps FILE, included by bird.conf, holding
 * two static protocols (hauler_vips4, hauler_vips6) with one route per
 * VIP that can take new connections: attached to an interface and with at
 * least one usable device (up, not failed by its health check) in a
 * server of non-zero weight. When FILE's text changes it is replaced
 * (written beside, renamed over) and BIRD told (`birdc configure`), so a
 * VIP is withdrawn as its last device fails and announced again as one
 * returns; on exit the daemon withdraws them all.
 */
#ifndef HAULER_BGP_H
#define HAULER_BGP_H

#include <stdio.h>

#include "model.h"

/* Does VIP id take new connections? */
int bgp_vip_up(const struct model *m, int id);
/* The protocols with the routes of the VIPs that are up (m NULL: none). */
void bgp_routes_write(const struct model *m, FILE *out);

struct bgp_sync {
	const char *file;   /* the routes file bird.conf includes */
	const char *socket; /* birdc -s; NULL: BIRD's default */
	char *last;	    /* the text written last (NULL: none yet) */
};

/* Make file say m (NULL: withdraw all); reconfigure BIRD when it changed. 1: changed. */
int bgp_sync(struct bgp_sync *b, const struct model *m);
void bgp_sync_free(struct bgp_sync *b);

#endif
