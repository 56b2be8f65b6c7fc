// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_save.c - hauler save: the running configuration as a batch file.
 * Each VIP is followed by its servers, each server by its devices in
 * dev[] order, so a restore gives every device the same ring position.
 */
#include <arpa/inet.h>

#include "cmd.h"
#include "error.h"
#include "parse.h"
#include "policy_table.h"

static void save_config(const struct config *cfg, FILE *out)
{
	char addr[ADDR_STRLEN];
	__u32 a[4] = {};

	fprintf(out, "config set fin-grace %u udp-timeout %u", cfg->fin_grace_ms,
		cfg->udp_timeout_ms);
	if (cfg->tunnel_src4) {
		a[0] = cfg->tunnel_src4;
		format_addr(4, a, addr, sizeof(addr));
		fprintf(out, " tunnel-src %s", addr);
	}
	if (cfg->tunnel_src[0] | cfg->tunnel_src[1] | cfg->tunnel_src[2] | cfg->tunnel_src[3]) {
		format_addr(6, cfg->tunnel_src, addr, sizeof(addr));
		fprintf(out, " tunnel-src6 %s", addr);
	}
	fprintf(out, "\n");
}

static void save_device(const struct model *m, int d, FILE *out)
{
	const struct device_info *dev = &m->devices[d];
	char addr[ADDR_STRLEN];

	format_addr(dev->family, dev->addr, addr, sizeof(addr));
	fprintf(out, "device add %s server %s addr %s port %u kind %s weight %u state %s\n",
		(const char *)dev->name, (const char *)m->servers[dev->server].name, addr,
		ntohs(dev->port), device_kind_names[dev->kind & 3], dev->weight,
		device_state_names[dev->state % 3]);
}

void save_write(const struct model *m, FILE *out)
{
	char vip[VIP_STRLEN], params[128];
	int id, s, i;

	fprintf(out, "# hauler configuration (hauler save)\n");
	save_config(&m->config, out);
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		const struct model_vip *v = &m->vips[id];
		const struct policy_params *p = &m->params[v->info.policy_slot];

		if (!v->in_use)
			continue;
		format_vip(&v->key, vip, sizeof(vip));
		policy_format_params(p, params, sizeof(params));
		fprintf(out, "vip add %s mode %s policy %s%s%s table-size %u\n", vip,
			fwd_mode_names[v->info.fwd_mode & 1], (const char *)p->name,
			params[0] ? " " : "", params, v->info.table_size);
		for (s = 0; s < HAULER_MAX_SERVERS; s++) {
			const struct server_info *srv = &m->servers[s];

			if (!srv->in_use || srv->vip_id != id)
				continue;
			fprintf(out, "server add %s vip %s weight %u\n", (const char *)srv->name,
				vip, srv->weight);
			for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
				save_device(m, srv->dev[i], out);
		}
	}
}

int save_run(struct cmd_ctx *c, int argc, char **argv)
{
	int ret;

	(void)argv;
	if (argc > 0)
		return err_set(ERR_INPUT, "usage: hauler save");
	ret = ctx_load(c);
	if (ret)
		return ret;
	save_write(c->cur, stdout);
	return 0;
}
