// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_metrics.c - hauler metrics (the Prometheus text of the running
 * balancer, once, on stdout) and hauler exporter ADDR:PORT (the same,
 * served over HTTP until SIGTERM or SIGINT).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

int metrics_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct metrics_extra x = {};
	struct snapshot *s;
	int ret;

	(void)argv;
	if (argc)
		return cmd_usage_err("metrics", NULL);
	s = malloc(sizeof(*s));
	if (!s)
		return err_set(ERR_SYSTEM, "out of memory");
	ret = snapshot_read(s, c->pin);
	if (!ret)
		metrics_write(stdout, s, &x);
	free(s);
	return ret;
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int exporter_run(struct cmd_ctx *c, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct metrics_http *h;

	if (argc != 1)
		return cmd_usage_err("exporter", NULL);
	log_set_prefix("hauler exporter");
	h = metrics_http_start(argv[0], c->pin, 0);
	if (!h)
		return -err_code();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_info("metrics of %s on http://%s/metrics", c->pin, argv[0]);
	while (!stopping)
		sleep(1); /* a signal ends it at once */
	metrics_http_stop(h);
	log_info("stopped");
	return 0;
}
