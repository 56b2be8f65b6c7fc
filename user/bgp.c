// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bgp.c - the VIPs' routes for BIRD 2 (see bgp.h). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "select/select.h"

#include "args.h"
#include "bgp.h"
#include "error.h"
#include "log.h"

extern char **environ;

int bgp_vip_up(const struct model *m, int id)
{
	int s, i;

	if (!m->vips[id].in_use || !m->config.ifindex)
		return 0;
	for (s = 0; s < HAULER_MAX_SERVERS; s++) {
		const struct server_info *srv = &m->servers[s];

		if (!srv->in_use || srv->vip_id != id || !srv->weight)
			continue;
		for (i = 0; i < srv->dev_count && i < HAULER_DEVS_PER_SERVER; i++)
			if (select_device_usable(&m->devices[srv->dev[i] % HAULER_MAX_DEVICES]))
				return 1;
	}
	return 0;
}

static void protocol(const struct model *m, FILE *out, int family)
{
	char addr[ADDR_STRLEN];
	int id;

	fprintf(out, "protocol static hauler_vips%d {\n\tipv%d;\n", family, family);
	for (id = 0; m && id < HAULER_MAX_VIPS; id++) {
		const struct vip_key *k = &m->vips[id].key;
		int dup = 0, j;

		if (k->family != family || !bgp_vip_up(m, id))
			continue;
		/* One route per address: a VIP's other ports share it. */
		for (j = 0; j < id; j++)
			dup |= !memcmp(m->vips[j].key.addr, k->addr, sizeof(k->addr)) &&
			       m->vips[j].key.family == family && bgp_vip_up(m, j);
		if (dup)
			continue;
		format_addr(k->family, k->addr, addr, sizeof(addr));
		fprintf(out, "\troute %s/%d blackhole;\n", addr, family == 4 ? 32 : 128);
	}
	fprintf(out, "}\n");
}

void bgp_routes_write(const struct model *m, FILE *out)
{
	fprintf(out, "# written by hauler daemon --bird: the VIPs that take new connections\n");
	protocol(m, out, 4);
	protocol(m, out, 6);
}

static int birdc_configure(const char *socket)
{
	posix_spawn_file_actions_t fa;
	char *argv[5];
	int status, i = 0, ret;
	pid_t pid;

	argv[i++] = "birdc";
	if (socket) {
		argv[i++] = "-s";
		argv[i++] = (char *)socket;
	}
	argv[i++] = "configure";
	argv[i] = NULL;
	/* birdc's chatter ("Reading configuration ...") is not the daemon's log. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	ret = posix_spawnp(&pid, "birdc", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return err_set(ERR_SYSTEM, "cannot run birdc: %s", strerror(ret));
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return err_set(ERR_SYSTEM, "birdc configure failed (is bird running%s%s?)",
			       socket ? " on " : "", socket ? socket : "");
	return 0;
}

int bgp_sync(struct bgp_sync *b, const struct model *m)
{
	char *text = NULL, tmp[4096];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return err_set(ERR_SYSTEM, "out of memory");
	bgp_routes_write(m, out);
	if (fclose(out))
		return err_set(ERR_SYSTEM, "out of memory");
	if (b->last && !strcmp(b->last, text)) {
		free(text);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", b->file);
	out = fopen(tmp, "w");
	if (!out || fputs(text, out) < 0 || fclose(out) || rename(tmp, b->file)) {
		free(text);
		return err_set(ERR_SYSTEM, "cannot write %s: %s", b->file, strerror(errno));
	}
	free(b->last);
	b->last = text;
	if (birdc_configure(b->socket)) {
		/* Try again at the next pass: the file must reach BIRD. */
		free(b->last);
		b->last = NULL;
		return -ERR_SYSTEM;
	}
	return 1;
}

void bgp_sync_free(struct bgp_sync *b)
{
	free(b->last);
	b->last = NULL;
}
