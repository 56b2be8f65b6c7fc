// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_config.c - hauler config set. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cmd.h"
#include "error.h"
#include "args.h"

/* flow-seed: 1..8 hex digits, or random (a new secret seed). */
static int parse_seed(const char *value, __u32 *seed)
{
	char *end;
	unsigned long v;

	if (!strcmp(value, "random")) {
		if (getrandom(seed, sizeof(*seed), 0) != sizeof(*seed))
			return err_set(ERR_SYSTEM, "getrandom: %s", strerror(errno));
		return 0;
	}
	errno = 0;
	v = strtoul(value, &end, 16);
	if (!*value || *end || errno || v > 0xffffffffUL || strlen(value) > 8 || value[0] == '-' ||
	    value[0] == '+' || value[0] == ' ')
		return err_set(ERR_INPUT, "flow-seed: 1..8 hex digits or random");
	*seed = (__u32)v;
	return 0;
}

int config_apply(struct model *m, int argc, char **argv)
{
	struct config cfg = m->config;
	__u32 addr[4], n;
	__u8 family;
	int i;

	for (i = 1; i < argc; i += 2) {
		const char *word = argv[i], *value = argv[i + 1];

		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "config set: '%s' needs a value", word);
		if (!strcmp(word, "fin-grace")) {
			if (parse_u32(value, 0, 3600000, "fin-grace", &n))
				return -ERR_INPUT;
			cfg.fin_grace_ms = n;
		} else if (!strcmp(word, "rst-linger")) {
			if (parse_u32(value, 0, 65535, "rst-linger", &n))
				return -ERR_INPUT;
			cfg.rst_linger_ms = n;
		} else if (!strcmp(word, "udp-timeout")) {
			if (parse_u32(value, 1, 86400000, "udp-timeout", &n))
				return -ERR_INPUT;
			cfg.udp_timeout_ms = n;
		} else if (!strcmp(word, "report-port")) {
			/* 0: take no agent reports over UDP (raw Ethernet ones still). */
			if (parse_u32(value, 0, 65535, "report-port", &n))
				return -ERR_INPUT;
			cfg.report_port = htons(n);
		} else if (!strcmp(word, "tunnel-src") || !strcmp(word, "tunnel-src6")) {
			int want = !strcmp(word, "tunnel-src") ? 4 : 6;

			if (parse_addr(value, &family, addr))
				return -ERR_INPUT;
			if (family != want)
				return err_set(ERR_INPUT, "%s needs an IPv%d address, not '%s'",
					       word, want, value);
			if (want == 4)
				cfg.tunnel_src4 = addr[0];
			else
				memcpy(cfg.tunnel_src, addr, sizeof(cfg.tunnel_src));
		} else if (!strcmp(word, "report-window")) {
			/* off: no clock check (replays older than the window then pass). */
			if (!strcmp(value, "off"))
				n = 0;
			else if (parse_u32(value, 1, 86400, "report-window", &n))
				return -ERR_INPUT;
			cfg.report_window_s = n;
		} else if (!strcmp(word, "raw-reports")) {
			if (!strcmp(value, "off")) {
				n = 0;
			} else {
				n = if_nametoindex(value);
				if (!n)
					return err_set(ERR_INPUT, "raw-reports: no interface '%s'",
						       value);
			}
			cfg.raw_report_ifindex = n;
		} else if (!strcmp(word, "confirm-budget")) {
			/* ipip/dsr handshake confirmations per CPU per CONFIRM_WINDOW_MS. */
			if (parse_u32(value, 1, HAULER_CONFIRM_BURST_MAX, "confirm-budget", &n))
				return -ERR_INPUT;
			cfg.confirm_burst = n;
		} else if (!strcmp(word, "flow-seed")) {
			if (parse_seed(value, &n))
				return -err_code();
			cfg.flow_seed = n;
		} else {
			return err_set(ERR_INPUT, "config set: unknown argument '%s'", word);
		}
	}
	m->config = cfg;
	return 0;
}
