// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* policy.c - the policies of policies/NAME.bpf.c over the simulator's maps (see sim_policy.h). */
#include <string.h>

#include "sim_policy.h"
#include "error.h"
#include "select/select.h"
#include "select/select_load.h"
#include "select/select_rr.h"
#include "select/select_prt.h"
#include "select/select_p2c.h"

#define SIM_MAX_ARGS 16

int sim_policy_choice(const struct sim_config *cfg, struct policy_choice *pc)
{
	char buf[sizeof(cfg->params)], *argv[SIM_MAX_ARGS], *save = NULL, *w;
	int argc = 0, ret;

	if (!sim_policy_known(cfg->policy))
		return err_set(ERR_INPUT, "the simulator has no policy '%s'", cfg->policy);
	snprintf(buf, sizeof(buf), "%s", cfg->params);
	for (w = strtok_r(buf, " ", &save); w && argc < SIM_MAX_ARGS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	ret = policy_parse_params(cfg->policy, argc, argv, pc);
	if (ret < 0)
		return ret;
	if (ret != argc)
		return err_set(ERR_INPUT, "policy %s: unexpected '%s'", cfg->policy, argv[ret]);
	/* A saturated server's spill to the next one is the entry program's: not simulated. */
	if (pc->params.spill)
		return err_set(ERR_INPUT,
			       "the simulator does not follow spill-over (spill 0 only)");
	return 0;
}

static const char *const known[] = {"hash", "wrr", "ecmp", "dwrr", "lur",
				    "jsq",  "lc",  "wlc",  "prt",  "p2c"};

int sim_policy_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i], name))
			return 1;
	return 0;
}

__u32 sim_policy_select(struct sim_cluster *c, const struct policy_ctx *pc)
{
	const struct policy_params *p = &c->m->params[0];
	const char *name = (const char *)p->name;
	__u32 *pos = &c->ring_pos[pc->server], saturated;

	if (!strcmp(name, "wrr") || !strcmp(name, "dwrr"))
		return select_wrr(pc, &c->rings[pc->server], (*pos)++);
	if (!strcmp(name, "ecmp"))
		return select_ecmp(pc, (*pos)++);
	if (!strcmp(name, "lur"))
		return select_lur(pc, metric_spec(p));
	if (!strcmp(name, "jsq"))
		return select_jsq(pc);
	if (!strcmp(name, "lc"))
		return select_lc(pc);
	if (!strcmp(name, "wlc"))
		return select_wlc(pc);
	if (!strcmp(name, "prt"))
		return select_prt_spill(pc, metric_spec(p), p->threshold, &saturated);
	if (!strcmp(name, "p2c"))
		return select_p2c(pc, metric_spec(p));
	return select_hash(pc);
}
