/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h - the words of the command line: VIPs (ADDR:PORT/PROTO),
 * addresses, names, numbers and keywords. Each parser returns 0, or
 * records a one-line error (error.h) and returns -ERR_INPUT.
 */
#ifndef HAULER_PARSE_H
#define HAULER_PARSE_H

#include <stddef.h>
#include "hauler_schema.h"

/* Longest text form of a VIP: "[v6]:65535/udp". */
#define VIP_STRLEN  64
#define ADDR_STRLEN 48

/* An address: family 4 or 6, network order, IPv4 in addr[0]. */
int parse_addr(const char *s, __u8 *family, __u32 addr[4]);
/* `10.0.0.1:80/tcp`, `[fd00::1]:53/udp` into a vips key. */
int parse_vip(const char *s, struct vip_key *key);
/*
 * `10.0.0.1:80`, `[fd00::1]:53`: address (as parse_addr) and port 1..65535
 * (network order); what names it in the error.
 */
int parse_addr_port(const char *s, const char *what, __u8 *family, __u32 addr[4], __u16 *port);
/* An object name: 1..15 of [A-Za-z0-9_.-]; out holds HAULER_NAME_LEN bytes. */
int parse_name(const char *s, char *out);
/* A decimal number in [min, max]; what names it in the error. */
int parse_u32(const char *s, __u32 min, __u32 max, const char *what, __u32 *out);
/* Index of s in words[0..n-1]; what names the choice in the error. */
int parse_keyword(const char *s, const char *const *words, int n, const char *what);
int is_prime(__u32 n);

void format_addr(__u8 family, const __u32 addr[4], char *buf, size_t len);
void format_vip(const struct vip_key *key, char *buf, size_t len);

extern const char *const fwd_mode_names[2];	/* index: HAULER_FWD_* */
extern const char *const tier_names[2];		/* index: HAULER_TIER_* */
extern const char *const device_kind_names[4];	/* index: HAULER_KIND_* */
extern const char *const device_state_names[3]; /* index: HAULER_STATE_* */

#endif
