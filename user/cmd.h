/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cmd.h - the commands of hauler. A command that changes the
 * configuration is an `apply` function over the model (and may appear in
 * a batch); the others (show, stats, up, ...) are `run` functions over
 * the context. argv[0] is the verb in both.
 */
#ifndef HAULER_CMD_H
#define HAULER_CMD_H

#include <stdio.h>

#include "pinned_maps.h"
#include "model.h"

struct cmd_ctx {
	const char *pin;
	int json, dry_run, debug;
	struct hauler_maps maps;
	int maps_open;
	struct model *base, *cur; /* as loaded, and as changed */
	int locked, lock_fd;	  /* the writers' lock (lock.h), held until ctx_release */
};

/* Take the writers' lock (before ctx_load, so the model is read under it). */
int ctx_lock(struct cmd_ctx *c);

/* Open the maps and load the model (once). */
int ctx_load(struct cmd_ctx *c);
/* Write cur's changes (or say `ok (dry run)`). */
int ctx_commit(struct cmd_ctx *c);
void ctx_release(struct cmd_ctx *c);

/* argv[0] is the object: one change to the model, as in a batch line. */
int cmd_apply(struct model *m, int argc, char **argv);
/* argv[0] is the object: one command line. Returns 0 or -ERR_*. */
int cmd_run(struct cmd_ctx *c, int argc, char **argv);
void cmd_usage(FILE *out);
/* Set the error "usage: hauler OBJECT VERB ARGS" from the command table; returns -ERR_INPUT. */
int cmd_usage_err(const char *object, const char *verb);
/* Call fn with each form of the command table ("hauler vip del VIP"); stops at a non-zero. */
int cmd_each_form(int (*fn)(const char *line, void *arg), void *arg);

int vip_apply(struct model *m, int argc, char **argv);
int vip_run(struct cmd_ctx *c, int argc, char **argv);
int server_apply(struct model *m, int argc, char **argv);
int server_run(struct cmd_ctx *c, int argc, char **argv);
int device_apply(struct model *m, int argc, char **argv);
int device_run(struct cmd_ctx *c, int argc, char **argv);
int device_done(struct cmd_ctx *c, int argc, char **argv);
/* argv[0] is the verb: does the command line carry a literal secret? (error set) */
int cmd_secret_on_argv(int argc, char **argv);
int policy_apply(struct model *m, int argc, char **argv);
int policy_run(struct cmd_ctx *c, int argc, char **argv);
int config_apply(struct model *m, int argc, char **argv);
int stats_run(struct cmd_ctx *c, int argc, char **argv);
int conns_run(struct cmd_ctx *c, int argc, char **argv);
int save_run(struct cmd_ctx *c, int argc, char **argv);
int up_run(struct cmd_ctx *c, int argc, char **argv);
int down_run(struct cmd_ctx *c, int argc, char **argv);
int status_run(struct cmd_ctx *c, int argc, char **argv);
int daemon_run(struct cmd_ctx *c, int argc, char **argv);
int metrics_run(struct cmd_ctx *c, int argc, char **argv);
int exporter_run(struct cmd_ctx *c, int argc, char **argv);
int apply_run(struct cmd_ctx *c, int argc, char **argv);
int top_run(struct cmd_ctx *c, int argc, char **argv);
int learn_run(struct cmd_ctx *c, int argc, char **argv);
int export_run(struct cmd_ctx *c, int argc, char **argv);

/* The batch that recreates m (hauler save). */
void save_write(const struct model *m, FILE *out);
/* Its lines, one object each (hauler apply writes its changes with them). */
void save_config(const struct config *cfg, FILE *out);
void save_vip(const struct model *m, int id, FILE *out);   /* vip add, with its policy */
void save_server(const struct model *m, int s, FILE *out); /* server add */
/* device add, its key and check; returns the lines written */
int save_device(const struct model *m, int d, FILE *out);
void save_spill(const struct model *m, int s, FILE *out); /* server set NAME spill-to X|none */
/* The batch that recreates m; with keys, the report keys and the flow seed too. */
void save_write_keys(const struct model *m, FILE *out, int keys);
/*
 * A private file at path: created new with mode 0600 beside it
 * (O_EXCL | O_NOFOLLOW), then renamed over path by private_close, so no
 * symlink is followed and no existing file (of other mode or owner) is
 * written into. NULL: error set.
 */
struct private_file {
	FILE *f;
	char path[4096], tmp[4096];
};
int open_private(const char *path, struct private_file *pf);
/* Flush, sync and rename into place (or remove the temporary on error). */
int private_close(struct private_file *pf, int ok);

/* Shared by the show commands. */
const char *vip_text(const struct model *m, int vip_id, char *buf, size_t len);

#endif
