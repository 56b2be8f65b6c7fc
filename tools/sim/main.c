// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hauler-sim - the cluster simulator (docs/simulator.md).
 *
 *   hauler-sim sweep [OPTIONS]   P99 and CPU utilization against the rate, per policy
 *   hauler-sim learn [OPTIONS]   the learner's experiments (learn.c)
 *
 * Results go to stdout as JSON; progress to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_cli.h"
#include "error.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: hauler-sim sweep [OPTIONS]   P99 against rate per policy (JSON)\n"
	    "       hauler-sim learn [OPTIONS]   the learner's experiments (JSON)\n"
	    "common options:\n"
	    "  --servers N --nics N --mu-cpu R --mu-nic R --fixed-service\n"
	    "  --w-cpu W --w-nic W --report-ms MS --agent-window-ms MS --table-size M --seed S\n"
	    "  --quota-cpu Q/P --quota-nic Q/P --quota-tick-us T --shared-cpu 0|1\n"
	    "  --runs K --warmup S --duration S --rates R1,R2,...\n"
	    "sweep: --policies P1,P2,... (a policy with PARAMS as 'prt:threshold 80';\n"
	    "       'baseline' is wrr over the CPUs alone)\n"
	    "learn: see docs/simulator.md\n");
}

int main(int argc, char **argv)
{
	struct sim_opts o;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sim_opts_defaults(&o);
	if (!strcmp(argv[1], "sweep"))
		ret = sim_opts_parse(&o, argc - 2, argv + 2) ?: sim_sweep(&o, stdout);
	else if (!strcmp(argv[1], "learn"))
		ret = sim_opts_parse(&o, argc - 2, argv + 2) ?: sim_learn(&o, stdout);
	else
		ret = err_set(ERR_INPUT, "unknown command '%s'", argv[1]);
	if (ret) {
		fprintf(stderr, "hauler-sim: %s\n", err_msg());
		if (err_code() == ERR_INPUT)
			usage(stderr);
		return 1;
	}
	return 0;
}
