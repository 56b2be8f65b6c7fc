/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sim_cli.h - hauler-sim's options and its two commands, sweep and learn. */
#ifndef HAULER_SIM_CLI_H
#define HAULER_SIM_CLI_H

#include <stdio.h>

#include "sim.h"
#include "learner.h"

#define SIM_MAX_RATES	 64
#define SIM_MAX_POLICIES 16
#define SIM_READOUT_MAX	 100

struct sim_opts {
	struct sim_config cfg;
	int runs;		 /* independent runs averaged (seeds seed..seed+runs-1) */
	double warmup, duration; /* seconds of each run (sweep) */
	double rates[SIM_MAX_RATES];
	int nrates;
	char policies[SIM_MAX_POLICIES][160];
	int npolicies;
	/* learn */
	struct learner_params lp;
	char experiment[32];   /* accuracy | adapt | reward */
	double iter_s;	       /* simulated seconds of one learner iteration */
	int train_iters;       /* accuracy: iterations of training */
	int hold;	       /* accuracy: iterations per training rate */
	int eval_iters;	       /* accuracy: measured iterations per rate */
	int settle;	       /* accuracy: iterations at a rate before it is measured */
	double eval_epsilon;   /* accuracy: exploration while measured (<0: as trained) */
	double turning;	       /* accuracy: the rate from which 6:1 is the label */
	double turning_before; /* adapt: the turning point before the SmartNIC is added */
	int add_at;	       /* adapt: the iteration a SmartNIC is added */
	int total_iters;       /* adapt: iterations in all */
	double adapt_rate;     /* adapt: the offered rate */
	int window;	       /* adapt: iterations of the moving accuracy */
	int overload_kind;     /* "over 100%": 0 any device's offered load, 1 a kind's mean */
	int readout;	       /* accuracy: the weight held longest over this many iterations */
	int eval_learn;	       /* accuracy: 1 Q-learning goes on while measured, 0 frozen */
	int episodes;	       /* accuracy: 1 a new rate starts an episode (no update across) */
	int trace;	       /* one line per learner iteration to stderr */
};

void sim_opts_defaults(struct sim_opts *o);
int sim_opts_parse(struct sim_opts *o, int argc, char **argv);
int sim_sweep(const struct sim_opts *o, FILE *out);
int sim_learn(const struct sim_opts *o, FILE *out);

#endif
