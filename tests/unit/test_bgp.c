// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_bgp.c - the routes hauler daemon --bird writes for BIRD
 * (user/bgp.c): one route per VIP address that takes new connections,
 * in the static protocol of its family; none for a VIP whose devices are
 * all down, drained or failed by their check, or whose servers weigh 0;
 * none at all when the balancer is not attached or nothing is known.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "batch.h"
#include "bgp.h"
#include "error.h"
#include "model_of.h"

static char *routes_of(const struct model *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	bgp_routes_write(m, out);
	fclose(out);
	return text;
}

/* The model of text, attached to an interface. */
static struct model *attached(const char *text)
{
	struct model *m = model_of(text);

	m->config.ifindex = 2;
	return m;
}

static const char *const config =
    "vip add 10.0.0.1:80/tcp\nserver add a vip 10.0.0.1:80/tcp\n"
    "device add a1 server a addr 10.0.2.1 port 80\n"
    "vip add 10.0.0.1:443/tcp\nserver add b vip 10.0.0.1:443/tcp\n"
    "device add b1 server b addr 10.0.2.2 port 443\n"
    "vip add 10.0.0.2:80/tcp\nserver add c vip 10.0.0.2:80/tcp\n"
    "device add c1 server c addr 10.0.2.3 port 80 state drain\n"
    "device add c2 server c addr 10.0.2.4 port 80 state down\n"
    "vip add [fd00::1]:53/udp\nserver add d vip [fd00::1]:53/udp\n"
    "device add d1 server d addr fd00::11 port 53\n"
    "vip add 10.0.0.3:80/tcp\nserver add e vip 10.0.0.3:80/tcp weight 0\n"
    "device add e1 server e addr 10.0.2.5 port 80\n";

static void test_routes(void **state)
{
	struct model *m = attached(config);
	char *text = routes_of(m);

	(void)state;
	assert_string_equal(text, "# written by hauler daemon --bird: the VIPs that take new "
				  "connections\n"
				  "protocol static hauler_vips4 {\n\tipv4;\n"
				  "\troute 10.0.0.1/32 blackhole;\n}\n"
				  "protocol static hauler_vips6 {\n\tipv6;\n"
				  "\troute fd00::1/128 blackhole;\n}\n");
	free(text);
	free(m);
}

static void test_withdrawn(void **state)
{
	struct model *m = attached(config);
	int d = model_device_find(m, "d1"), a = model_device_find(m, "a1");
	char *text;

	(void)state;
	/* d1 failed its check: the IPv6 VIP goes; a1 down: 10.0.0.1 stays by its :443. */
	m->devices[d].health = HAULER_HEALTH_FAILED;
	m->devices[a].state = HAULER_STATE_DOWN;
	text = routes_of(m);
	assert_non_null(strstr(text, "route 10.0.0.1/32 blackhole;"));
	assert_null(strstr(text, "fd00::1"));
	free(text);
	/* Not attached: nothing. */
	m->config.ifindex = 0;
	text = routes_of(m);
	assert_null(strstr(text, "route "));
	free(text);
	text = routes_of(NULL);
	assert_null(strstr(text, "route "));
	assert_non_null(strstr(text, "protocol static hauler_vips6"));
	free(text);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_withdrawn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
