// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_save.c - hauler save: the running configuration as a batch file.
 * Custom policies come first (`policy load`), then each VIP followed by
 * its servers, each server by its devices in dev[] order, so a restore
 * gives every device the same ring position. Health checks follow their
 * device (`device set NAME check ...`).
 *
 * Secrets (the report keys, `device key NAME KEY`, and the flow hash
 * seed) are written only with `--keys`, and then only into a new private
 * file (`-o FILE`: open_private), never to stdout. Without them a restore
 * gives every device no key (its agent needs `device key` again) and the
 * balancer a fresh random seed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>

#include "hauler_report.h"

#include "cmd.h"
#include "error.h"
#include "args.h"
#include "policy_table.h"

static void save_config_keys(const struct config *cfg, FILE *out, int keys)
{
	char addr[ADDR_STRLEN], ifname[IF_NAMESIZE];
	__u32 a[4] = {};

	fprintf(out, "config set fin-grace %u rst-linger %u udp-timeout %u report-port %u",
		cfg->fin_grace_ms, cfg->rst_linger_ms, cfg->udp_timeout_ms,
		ntohs(cfg->report_port));
	if (cfg->report_window_s)
		fprintf(out, " report-window %u", cfg->report_window_s);
	else
		fprintf(out, " report-window off");
	if (cfg->raw_report_ifindex && if_indextoname(cfg->raw_report_ifindex, ifname))
		fprintf(out, " raw-reports %s", ifname);
	if (cfg->confirm_burst)
		fprintf(out, " confirm-budget %u", cfg->confirm_burst);
	if (keys)
		fprintf(out, " flow-seed %08x", cfg->flow_seed);
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

/* Without the flow seed (a secret): `hauler apply` never changes it. */
void save_config(const struct config *cfg, FILE *out)
{
	save_config_keys(cfg, out, 0);
}

static int save_device_keys(const struct model *m, int d, FILE *out, int keys)
{
	const struct device_info *dev = &m->devices[d];
	char addr[ADDR_STRLEN];
	int lines = 1;

	format_addr(dev->family, dev->addr, addr, sizeof(addr));
	fprintf(out, "device add %s server %s addr %s port %u kind %s weight %u state %s\n",
		(const char *)dev->name, (const char *)m->servers[dev->server].name, addr,
		ntohs(dev->port), device_kind_names[dev->kind & 3], dev->weight,
		device_state_names[dev->state % 3]);
	if (report_key_set(&m->keys[d]) && keys) {
		char hex[33];

		report_key_format(m->keys[d].k0, m->keys[d].k1, hex);
		fprintf(out, "device key %s %s\n", (const char *)dev->name, hex);
		lines++;
	} else if (report_key_set(&m->keys[d])) {
		fprintf(out,
			"# device %s has a report key: not saved (hauler save --keys -o FILE)\n",
			(const char *)dev->name);
	}
	if (m->checks[d].type != HEALTH_NONE) {
		char check[256];

		health_format(&m->checks[d], check, sizeof(check));
		fprintf(out, "device set %s check %s\n", (const char *)dev->name, check);
		lines++;
	}
	return lines;
}

/* With its key: `hauler apply` applies these lines to its model. */
int save_device(const struct model *m, int d, FILE *out)
{
	return save_device_keys(m, d, out, 1);
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
	if (model_slot_has(m->policy_drift, v->info.policy_slot))
		fprintf(out,
			"# VIP %s runs %s, swapped outside hauler (its parameters named %.*s)\n",
			vip, (const char *)p->name, HAULER_NAME_LEN,
			m->drift_was[v->info.policy_slot % HAULER_MAX_VIPS]);
	policy_format_params(p, m->interval_ms[v->info.policy_slot % HAULER_MAX_VIPS], params,
			     sizeof(params));
	fprintf(out, "vip add %s mode %s policy %s%s%s table-size %u%s\n", vip,
		fwd_mode_names[v->info.fwd_mode & 1], (const char *)p->name, params[0] ? " " : "",
		params, v->info.table_size, v->info.tier == HAULER_TIER_FLAT ? " tier flat" : "");
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
	save_write_keys(m, out, 0);
}

void save_write_keys(const struct model *m, FILE *out, int keys)
{
	int id, s, i;

	fprintf(out, "# hauler configuration (hauler save%s)\n",
		keys ? " --keys: holds secrets" : "");
	save_config_keys(&m->config, out, keys);
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
				save_device_keys(m, srv->dev[i], out, keys);
		}
		/* Spill targets once every server of the VIP exists. */
		for (s = 0; s < HAULER_MAX_SERVERS; s++)
			if (m->servers[s].in_use && m->servers[s].vip_id == id &&
			    m->servers[s].spill_to)
				save_spill(m, s, out);
	}
}

int open_private(const char *path, struct private_file *pf)
{
	int fd;

	memset(pf, 0, sizeof(*pf));
	if (strlen(path) + 16 > sizeof(pf->tmp))
		return err_set(ERR_INPUT, "cannot write %s: path too long", path);
	snprintf(pf->path, sizeof(pf->path), "%s", path);
	/* A new name beside path: O_EXCL refuses anything there, a link included. */
	snprintf(pf->tmp, sizeof(pf->tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(pf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(ERR_INPUT, "cannot create %s: %s", pf->tmp, strerror(errno));
	if (fchmod(fd, 0600)) { /* whatever the umask */
		err_set(ERR_SYSTEM, "cannot chmod %s: %s", pf->tmp, strerror(errno));
		close(fd);
		unlink(pf->tmp);
		return -ERR_SYSTEM;
	}
	pf->f = fdopen(fd, "w");
	if (!pf->f) {
		close(fd);
		unlink(pf->tmp);
		return err_set(ERR_SYSTEM, "fdopen: %s", strerror(errno));
	}
	return 0;
}

int private_close(struct private_file *pf, int ok)
{
	int bad = fflush(pf->f) || ferror(pf->f) || fsync(fileno(pf->f));
	int err = errno;

	if (fclose(pf->f))
		bad = 1;
	pf->f = NULL;
	/* rename replaces path itself (a link too), never what it points to. */
	if (ok && !bad && !rename(pf->tmp, pf->path))
		return 0;
	if (ok && !bad)
		err = errno;
	unlink(pf->tmp);
	if (!ok)
		return 0;
	return err_set(ERR_SYSTEM, "cannot write %s: %s", pf->path, strerror(err));
}

int save_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct private_file pf;
	const char *file = NULL;
	int i, keys = 0, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--keys"))
			keys = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			file = argv[++i];
		else
			return cmd_usage_err("save", NULL);
	}
	if (keys && !file)
		return err_set(ERR_INPUT,
			       "save --keys writes secrets: only into a new private file "
			       "(save --keys -o FILE), never to stdout");
	ret = ctx_load(c);
	if (ret)
		return ret;
	if (!file) {
		save_write_keys(c->cur, stdout, 0);
		if (fflush(stdout) || ferror(stdout))
			return err_set(ERR_SYSTEM, "cannot write stdout: %s", strerror(errno));
		return 0;
	}
	ret = open_private(file, &pf);
	if (ret)
		return ret;
	save_write_keys(c->cur, pf.f, keys);
	return private_close(&pf, 1);
}
