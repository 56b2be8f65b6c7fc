// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* policy_file.c - custom policy objects and their record (see policy_file.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "error.h"
#include "map_sizes.h"
#include "loader.h"
#include "pinned_maps.h"
#include "policy_file.h"
#include "policy_table.h"

#define LOG_SIZE (1u << 20)

/* The one program of obj, or NULL with the error recorded. */
static struct bpf_program *only_program(struct bpf_object *obj, const char *path)
{
	struct bpf_program *prog, *first = NULL;
	int n = 0;

	bpf_object__for_each_program(prog, obj) if (!n++) first = prog;
	if (n != 1) {
		err_set(ERR_INPUT, "%s: has %d programs, want 1", path, n);
		return NULL;
	}
	if (bpf_program__type(first) != BPF_PROG_TYPE_XDP) {
		err_set(ERR_INPUT, "%s: program %s is not XDP", path, bpf_program__name(first));
		return NULL;
	}
	return first;
}

static struct bpf_object *open_file(const char *path, const char *pin)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin);
	struct bpf_object *obj;

	if (access(path, R_OK)) {
		err_set(ERR_INPUT, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		char why[128];

		/* libbpf's own errors (LIBBPF_ERRNO__*) are beyond strerror. */
		libbpf_strerror(errno, why, sizeof(why));
		err_set(ERR_INPUT, "%s: not a BPF object (%s)", path, why);
	}
	return obj;
}

int policy_file_check(const char *path)
{
	struct bpf_object *obj = open_file(path, NULL);
	int ret;

	if (!obj)
		return -ERR_INPUT;
	ret = only_program(obj, path) ? 0 : -ERR_INPUT;
	bpf_object__close(obj);
	return ret;
}

static int records_open(const char *pin, int create)
{
	return maps_manager_open(pin, POLICY_FILES_PIN, BPF_MAP_TYPE_HASH, HAULER_NAME_LEN,
				 MODEL_PATH_LEN, MODEL_CUSTOM_MAX, create);
}

static int intervals_open(const char *pin, int create)
{
	return maps_manager_open(pin, POLICY_INTERVALS_PIN, BPF_MAP_TYPE_ARRAY, sizeof(__u32),
				 sizeof(__u32), HAULER_MAX_VIPS, create);
}

int policy_intervals_read(const char *pin, struct model *m)
{
	int fd = intervals_open(pin, 0), ret = 0;

	memset(m->interval_ms, 0, sizeof(m->interval_ms));
	if (fd < 0)
		return 0;
	if (maps_read_array(fd, HAULER_MAX_VIPS, m->interval_ms, sizeof(m->interval_ms[0])))
		ret = err_set(ERR_SYSTEM, "cannot read %s/%s: %s", pin, POLICY_INTERVALS_PIN,
			      strerror(errno));
	close(fd);
	return ret;
}

int policy_intervals_commit(const char *pin, const struct model *base, const struct model *cur)
{
	int fd = -1, ret = 0;
	__u32 slot;

	if (!memcmp(base->interval_ms, cur->interval_ms, sizeof(cur->interval_ms)))
		return 0;
	fd = intervals_open(pin, 1);
	if (fd < 0)
		return fd;
	for (slot = 0; slot < HAULER_MAX_VIPS && !ret; slot++)
		if (base->interval_ms[slot] != cur->interval_ms[slot] &&
		    bpf_map_update_elem(fd, &slot, &cur->interval_ms[slot], BPF_ANY))
			ret = err_set(ERR_SYSTEM, "cannot write %s[%u]: %s", POLICY_INTERVALS_PIN,
				      slot, strerror(errno));
	close(fd);
	return ret;
}

/* Register a custom policy in m as loaded (not to be loaded again). */
static void remember(struct model *m, const char *name, const char *path)
{
	int i = model_custom_find(m, name);

	if (i < 0)
		for (i = 0; i < MODEL_CUSTOM_MAX && m->custom[i].in_use; i++)
			;
	if (i == MODEL_CUSTOM_MAX)
		return;
	memset(&m->custom[i], 0, sizeof(m->custom[i]));
	m->custom[i].in_use = 1;
	snprintf(m->custom[i].name, sizeof(m->custom[i].name), "%s", name);
	snprintf(m->custom[i].path, sizeof(m->custom[i].path), "%s", path);
}

int policy_files_read(const char *pin, struct model *m)
{
	char key[HAULER_NAME_LEN], next[HAULER_NAME_LEN], path[PATH_MAX], *prev = NULL;
	char file[MODEL_PATH_LEN];
	struct dirent *e;
	DIR *dir;
	int fd = records_open(pin, 0);

	/* Pinned policies that are not built in: custom, perhaps without a record. */
	snprintf(path, sizeof(path), "%s/policies", pin);
	dir = opendir(path);
	while (dir && (e = readdir(dir)))
		if (e->d_name[0] != '.' && e->d_name[0] != '~' &&
		    strlen(e->d_name) < HAULER_NAME_LEN && !policy_builtin(e->d_name))
			remember(m, e->d_name, "");
	if (dir)
		closedir(dir);
	if (fd < 0)
		return 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		key[HAULER_NAME_LEN - 1] = '\0';
		if (bpf_map_lookup_elem(fd, key, file) || model_custom_find(m, key) < 0)
			continue; /* a record whose pin is gone means nothing */
		file[MODEL_PATH_LEN - 1] = '\0';
		remember(m, key, file);
	}
	close(fd);
	return 0;
}

struct loaded {
	struct bpf_object *obj;
	struct bpf_program *prog;
	const struct model_policy *p;
	char *log;
};

static int load_one(const char *pin, const struct model_policy *p, struct loaded *l)
{
	int err;

	l->p = p;
	l->obj = open_file(p->path, pin);
	l->prog = l->obj ? only_program(l->obj, p->path) : NULL;
	if (!l->prog) {
		err_prefix("policy %s: ", p->name);
		return -ERR_INPUT;
	}
	/* Our own log buffer: libbpf fills it only when the verifier says no. */
	l->log = calloc(1, LOG_SIZE);
	if (!l->log)
		return err_set(ERR_SYSTEM, "out of memory");
	bpf_program__set_log_buf(l->prog, l->log, LOG_SIZE);
	err = map_sizes_match_pins(l->obj);
	if (err)
		return err;
	err = bpf_object__load(l->obj);
	if (!err)
		return 0;
	if (l->log[0] && loader_debug())
		fprintf(stderr, "%s", l->log);
	if (l->log[0])
		return err_set(ERR_INPUT, "policy %s: verifier rejected %s%s", p->name, p->path,
			       loader_debug() ? "" : " (run with -d for the log)");
	return err_set(ERR_SYSTEM, "policy %s: cannot load %s: %s%s", p->name, p->path,
		       strerror(-err), loader_debug() ? "" : " (run with -d for details)");
}

/*
 * Pin beside the old pin, then rename over it: the name never goes
 * missing. bpffs refuses '.' in names; '~' is in no policy name.
 */
static int pin_one(const char *pin, struct loaded *l, int records)
{
	char tmp[PATH_MAX], path[PATH_MAX], key[HAULER_NAME_LEN] = {}, file[MODEL_PATH_LEN] = {};
	int err;

	snprintf(path, sizeof(path), "%s/policies/%s", pin, l->p->name);
	snprintf(tmp, sizeof(tmp), "%s/policies/~%s", pin, l->p->name);
	unlink(tmp);
	err = bpf_program__pin(l->prog, tmp);
	if (err)
		return err_set(ERR_SYSTEM, "cannot pin %s: %s", tmp, strerror(-err));
	if (rename(tmp, path)) {
		err_set(ERR_SYSTEM, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -ERR_SYSTEM;
	}
	memcpy(key, l->p->name, strnlen(l->p->name, HAULER_NAME_LEN - 1));
	snprintf(file, sizeof(file), "%s", l->p->path);
	if (bpf_map_update_elem(records, key, file, BPF_ANY))
		return err_set(ERR_SYSTEM, "cannot record policy %s: %s", l->p->name,
			       strerror(errno));
	return 0;
}

int policy_files_load(const char *pin, const struct model *cur)
{
	struct loaded l[MODEL_CUSTOM_MAX] = {};
	int i, n = 0, ret = 0, records = -1;

	for (i = 0; i < MODEL_CUSTOM_MAX && !ret; i++)
		if (cur->custom[i].in_use && cur->custom[i].reload)
			ret = load_one(pin, &cur->custom[i], &l[n++]);
	if (!ret && n) {
		records = records_open(pin, 1);
		if (records < 0)
			ret = records;
	}
	for (i = 0; i < n && !ret; i++)
		ret = pin_one(pin, &l[i], records);
	for (i = 0; i < n; i++) {
		bpf_object__close(l[i].obj);
		free(l[i].log);
	}
	if (records >= 0)
		close(records);
	return ret;
}

int policy_files_remove(const char *pin, const struct model *base, const struct model *cur)
{
	char path[PATH_MAX], key[HAULER_NAME_LEN];
	int i, fd = records_open(pin, 0);

	for (i = 0; i < MODEL_CUSTOM_MAX; i++) {
		const struct model_policy *p = &base->custom[i];

		if (!p->in_use || model_custom_find(cur, p->name) >= 0)
			continue;
		snprintf(path, sizeof(path), "%s/policies/%s", pin, p->name);
		if (unlink(path) && errno != ENOENT) {
			if (fd >= 0)
				close(fd);
			return err_set(ERR_SYSTEM, "cannot remove %s: %s", path, strerror(errno));
		}
		memset(key, 0, sizeof(key));
		memcpy(key, p->name, strnlen(p->name, HAULER_NAME_LEN - 1));
		if (fd >= 0)
			bpf_map_delete_elem(fd, key);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pinned_policy *)a)->name,
		      ((const struct pinned_policy *)b)->name);
}

/* The policy programs pinned under PIN/policies, with their program ids, by name. */
int pinned_policies(const char *pin, struct pinned_policy *out)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/policies", pin);
	dir = opendir(path);
	if (!dir)
		return err_set(ERR_SYSTEM, "cannot read %s: %s", path, strerror(errno));
	while ((e = readdir(dir)) && n < POLICY_MAX) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (e->d_name[0] == '.' || e->d_name[0] == '~') /* ~: policy load's temporary */
			continue;
		snprintf(path, sizeof(path), "%s/policies/%s", pin, e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(out[n].name, sizeof(out[n].name), "%s", e->d_name);
			out[n].id = info.id;
			n++;
		}
		close(fd);
	}
	closedir(dir);
	qsort(out, n, sizeof(*out), by_name);
	return n;
}

/* The running program of each VIP's slot against the name its params hold. */
int policy_drift_read(const char *pin, const struct hauler_maps *maps, struct model *m)
{
	struct pinned_policy *p = calloc(POLICY_MAX, sizeof(*p));
	__u32 slot, prog_id;
	int n, i, named;

	if (!p)
		return err_set(ERR_SYSTEM, "out of memory");
	n = pinned_policies(pin, p);
	if (n < 0) {
		free(p);
		return n;
	}
	for (slot = 0; slot < HAULER_MAX_VIPS; slot++) {
		struct policy_params *pp = &m->params[slot];

		/* From user space a PROG_ARRAY lookup yields the program's id. */
		if (!m->vips[slot].in_use ||
		    bpf_map_lookup_elem(maps->policy_progs, &slot, &prog_id))
			continue;
		for (named = -1, i = 0; i < n; i++)
			if (!strncmp(p[i].name, (const char *)pp->name, HAULER_NAME_LEN))
				named = i;
		if (named >= 0 && p[named].id == prog_id)
			continue;
		for (i = 0; i < n && p[i].id != prog_id; i++)
			;
		if (i == n || strlen(p[i].name) >= HAULER_NAME_LEN)
			continue; /* not a pinned policy: policy show says (unknown) */
		model_slot_mark(m->policy_drift, slot, 1);
		memcpy(m->drift_was[slot], pp->name, HAULER_NAME_LEN);
		/* The running program's name; of the parameters, those every policy takes. */
		{
			struct policy_params keep = {
			    .spill = pp->spill,
			    .stale_ms = pp->stale_ms,
			    .stale_periods = pp->stale_periods,
			};

			memcpy(keep.name, p[i].name, strlen(p[i].name));
			*pp = keep;
		}
		m->interval_ms[slot] = strcmp(p[i].name, "dwrr") ? 0 : m->interval_ms[slot];
	}
	free(p);
	return 0;
}
