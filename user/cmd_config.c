// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd_config.c - hauler config set. */
#include <arpa/inet.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "args.h"

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
		} else {
			return err_set(ERR_INPUT, "config set: unknown argument '%s'", word);
		}
	}
	m->config = cfg;
	return 0;
}
