// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_save.c - hauler save: the running configuration as a batch file.
 * Custom policies come first (`policy load`), then each VIP followed by
 * its servers, each server by its devices in dev[] order, so a restore
 * gives every device the same ring position. Report keys are saved too
 * (`device key NAME KEY`), so agents keep working after a restore: the
 * file holds secrets, and `save -o FILE` creates it with mode 0600.
 * Health checks follow their device (`device set NAME check ...`).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hauler_report.h"

#include "cmd.h"
#include "error.h"
#include "args.h"
#include "policy_table.h"

void save_config(const struct config *cfg, FILE *out)
{
	char addr[ADDR_STRLEN];
	__u32 a[4] = {};

	fprintf(out, "config set fin-grace %u udp-timeout %u report-port %u", cfg->fin_grace_ms,
		cfg->udp_timeout_ms, ntohs(cfg->report_port));
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

int save_device(const struct model *m, int d, FILE *out)
{
	const struct device_info *dev = &m->devices[d];
	char addr[ADDR_STRLEN];
	int lines = 1;

	format_addr(dev->family, dev->addr, addr, sizeof(addr));
	fprintf(out, "device add %s server %s addr %s port %u kind %s weight %u state %s\n",
		(const char *)dev->name, (const char *)m->servers[dev->server].name, addr,
		ntohs(dev->port), device_kind_names[dev->kind & 3], dev->weight,
		device_state_names[dev->state % 3]);
	if (report_key_set(&m->keys[d])) {
		char hex[33];

		report_key_format(m->keys[d].k0, m->keys[d].k1, hex);
		fprintf(out, "device key %s %s\n", (const char *)dev->name, hex);
		lines++;
	}
	if (m->checks[d].type != HEALTH_NONE) {
		char check[256];

		health_format(&m->checks[d], check, sizeof(check));
		fprintf(out, "device set %s check %s\n", (const char *)dev->name, check);
		lines++;
	}
	return lines;
}

static void save_custom_policies(const struct model *m, FILE *out)
{
	int i;

	for (i = 0; i < MODEL_CUSTOM_MAX; i++) {
		const struct model_policy *p = &m->custom[i];

		if (!p->in_use)
			continue;
		if (p->path[0])
			fprintf(out, "policy load %s %s\n", p->name, p->path);
		else
			fprintf(out,
				"# custom policy %s was pinned without hauler: load it "
				"before restoring\n",
				p->name);
	}
}

void save_vip(const struct model *m, int id, FILE *out)
{
	const struct model_vip *v = &m->vips[id];
	const struct policy_params *p = &m->params[v->info.policy_slot % HAULER_MAX_VIPS];
	char vip[VIP_STRLEN], params[128];

	format_vip(&v->key, vip, sizeof(vip));
	policy_format_params(p, m->interval_ms[v->info.policy_slot % HAULER_MAX_VIPS], params,
			     sizeof(params));
	fprintf(out, "vip add %s mode %s policy %s%s%s table-size %u\n", vip,
		fwd_mode_names[v->info.fwd_mode & 1], (const char *)p->name, params[0] ? " " : "",
		params, v->info.table_size);
}

void save_server(const struct model *m, int s, FILE *out)
{
	const struct server_info *srv = &m->servers[s];
	char vip[VIP_STRLEN];

	format_vip(&m->vips[srv->vip_id % HAULER_MAX_VIPS].key, vip, sizeof(vip));
	fprintf(out, "server add %s vip %s weight %u\n", (const char *)srv->name, vip, srv->weight);
}

void save_spill(const struct model *m, int s, FILE *out)
{
	const struct server_info *srv = &m->servers[s];

	fprintf(out, "server set %s spill-to %s\n", (const char *)srv->name,
		srv->spill_to
		    ? (const char *)m->servers[(srv->spill_to - 1) % HAULER_MAX_SERVERS].name
		    : "none");
}

void save_write(const struct model *m, FILE *out)
{
	int id, s, i;

	fprintf(out, "# hauler configuration (hauler save)\n");
	save_config(&m->config, out);
	save_custom_policies(m, out);
	for (id = 0; id < HAULER_MAX_VIPS; id++) {
		if (!m->vips[id].in_use)
			continue;
		save_vip(m, id, out);
		for (s = 0; s < HAULER_MAX_SERVERS; s++) {
			const struct server_info *srv = &m->servers[s];

			if (!srv->in_use || srv->vip_id != id)
				continue;
			save_server(m, s, out);
			for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
				save_device(m, srv->dev[i], out);
		}
		/* Spill targets once every server of the VIP exists. */
		for (s = 0; s < HAULER_MAX_SERVERS; s++)
			if (m->servers[s].in_use && m->servers[s].vip_id == id &&
			    m->servers[s].spill_to)
				save_spill(m, s, out);
	}
}

/* A new file only its owner can read: it holds the report keys. */
FILE *open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0 || fchmod(fd, 0600)) {
		err_set(ERR_INPUT, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err_set(ERR_SYSTEM, "fdopen: %s", strerror(errno));
		close(fd);
	}
	return f;
}

int save_run(struct cmd_ctx *c, int argc, char **argv)
{
	const char *file = NULL;
	FILE *out = stdout;
	int ret;

	if (argc == 2 && !strcmp(argv[0], "-o"))
		file = argv[1];
	else if (argc)
		return cmd_usage_err("save", NULL);
	ret = ctx_load(c);
	if (ret)
		return ret;
	if (file) {
		out = open_private(file);
		if (!out)
			return -err_code();
	}
	save_write(c->cur, out);
	if (file && fclose(out))
		return err_set(ERR_SYSTEM, "cannot write %s: %s", file, strerror(errno));
	return 0;
}
