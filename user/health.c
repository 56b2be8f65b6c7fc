// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* health.c - check options and the rise/fall state machine (see health.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "hauler_hash.h"

#include "args.h"
#include "error.h"
#include "health.h"

const char *const health_type_names[HEALTH_TYPES] = {"none", "tcp", "udp", "http", "agent"};

static const char *const on_down_names[] = {"keep", "reset"};

static const char *const option_names[] = {
    "interval", "timeout", "rise",     "fall",	 "on-down",    "agent-silence",
    "port",	"send",	   "send-hex", "expect", "expect-hex",
};

static int unknown_option(const struct health_check *c, const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
		if (!strcmp(word, option_names[i]))
			return 0;
	return err_set(ERR_INPUT, "check: unknown option '%s'%s", word,
		       c->type == HEALTH_HTTP ? " (a PATH starts with '/')" : "");
}

const char *const health_result_names[HEALTH_RESULTS] = {
    "none",	 "ok",	   "refused",	   "timeout", "unreachable",
    "bad-reply", "closed", "agent-silent", "error",
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Bytes from text (as typed) or from hex digits; at most max of them. */
static int parse_bytes(const char *word, const char *s, int hex, __u8 *out, size_t max, __u8 *len)
{
	size_t n = strlen(s), i;

	if (hex) {
		if (!n || n % 2 || n / 2 > max)
			return err_set(ERR_INPUT, "check: %s wants 2 to %zu hex digits, not '%s'",
				       word, 2 * max, s);
		for (i = 0; i < n / 2; i++) {
			int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return err_set(ERR_INPUT, "check: %s: '%s' is not hex", word, s);
			out[i] = hi << 4 | lo;
		}
		*len = n / 2;
		return 0;
	}
	if (!n || n > max)
		return err_set(ERR_INPUT, "check: %s wants 1 to %zu bytes", word, max);
	memcpy(out, s, n);
	*len = n;
	return 0;
}

/* An HTTP path goes into the request line: printable, no spaces, no CR/LF. */
static int parse_path(const char *s, char *out)
{
	size_t n = strlen(s), i;

	if (s[0] != '/' || n >= HEALTH_PATH_LEN)
		return err_set(ERR_INPUT,
			       "check http: PATH must start with '/' and be under %d bytes",
			       HEALTH_PATH_LEN);
	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return err_set(ERR_INPUT, "check http: PATH has a space or control byte");
	memcpy(out, s, n + 1);
	return 0;
}

/* Options that only one type takes. */
static int option_for(const struct health_check *c, const char *word, int type)
{
	if (c->type == type)
		return 0;
	return err_set(ERR_INPUT, "check %s: '%s' is for %s checks", health_type_names[c->type],
		       word, health_type_names[type]);
}

static int parse_option(struct health_check *c, const char *word, const char *value,
			int *have_timeout)
{
	__u32 n;
	int k;

	if (!strcmp(word, "interval"))
		return parse_u32(value, HEALTH_MS_MIN, HEALTH_MS_MAX, "interval", &c->interval_ms);
	if (!strcmp(word, "timeout")) {
		*have_timeout = 1;
		return parse_u32(value, 1, HEALTH_MS_MAX, "timeout", &c->timeout_ms);
	}
	if (!strcmp(word, "rise") || !strcmp(word, "fall")) {
		if (parse_u32(value, 1, HEALTH_COUNT_MAX, word, &n))
			return -ERR_INPUT;
		*(word[0] == 'r' ? &c->rise : &c->fall) = n;
		return 0;
	}
	if (!strcmp(word, "on-down")) {
		k = parse_keyword(value, on_down_names, 2, "on-down");
		if (k < 0)
			return k;
		c->on_down = k;
		return 0;
	}
	if (!strcmp(word, "agent-silence"))
		return parse_u32(value, HEALTH_MS_MIN, HEALTH_MS_MAX, "agent-silence",
				 &c->agent_ms);
	if (!strcmp(word, "port")) {
		if (c->type == HEALTH_AGENT)
			return err_set(ERR_INPUT, "check agent: sends no probe, takes no port");
		if (parse_u32(value, 1, 65535, "port", &n))
			return -ERR_INPUT;
		c->port = htons(n);
		return 0;
	}
	if (!strcmp(word, "send") || !strcmp(word, "send-hex"))
		return option_for(c, word, HEALTH_UDP)
			   ?: parse_bytes(word, value, word[4] == '-', c->send, HEALTH_SEND_LEN,
					  &c->send_len);
	if (!strcmp(word, "expect") || !strcmp(word, "expect-hex"))
		return option_for(c, word, HEALTH_UDP)
			   ?: parse_bytes(word, value, word[6] == '-', c->expect, HEALTH_EXPECT_LEN,
					  &c->expect_len);
	return unknown_option(c, word);
}

int health_parse(int argc, char **argv, struct health_check *out)
{
	struct health_check c = {};
	int i = 1, type, have_timeout = 0;

	if (argc < 1)
		return err_set(ERR_INPUT, "check: missing type (none|tcp|udp|http|agent)");
	type = parse_keyword(argv[0], health_type_names, HEALTH_TYPES, "probe type");
	if (type < 0)
		return type;
	c.type = type;
	if (type == HEALTH_NONE) {
		if (argc > 1)
			return err_set(ERR_INPUT, "check none: takes no options");
		memset(out, 0, sizeof(*out));
		return 0;
	}
	c.interval_ms = HEALTH_INTERVAL_DEFAULT;
	c.rise = HEALTH_RISE_DEFAULT;
	c.fall = HEALTH_FALL_DEFAULT;
	if (type == HEALTH_HTTP) {
		if (i < argc && argv[i][0] == '/' && parse_path(argv[i++], c.path))
			return -ERR_INPUT;
		if (!c.path[0])
			strcpy(c.path, "/");
	}
	for (; i < argc; i += 2) {
		if (unknown_option(&c, argv[i]))
			return -ERR_INPUT;
		if (i + 1 >= argc)
			return err_set(ERR_INPUT, "check: '%s' needs a value", argv[i]);
		if (parse_option(&c, argv[i], argv[i + 1], &have_timeout))
			return -ERR_INPUT;
	}
	if (!have_timeout)
		c.timeout_ms =
		    c.interval_ms < HEALTH_TIMEOUT_DEFAULT ? c.interval_ms : HEALTH_TIMEOUT_DEFAULT;
	/* One probe at a time: the next starts when the last is over. */
	if (c.timeout_ms > c.interval_ms)
		return err_set(ERR_INPUT, "check: timeout %u ms is longer than interval %u ms",
			       c.timeout_ms, c.interval_ms);
	if (type == HEALTH_UDP && !c.send_len)
		return err_set(ERR_INPUT, "check udp: needs send TEXT or send-hex HEX");
	if (type == HEALTH_AGENT && !c.agent_ms)
		return err_set(ERR_INPUT, "check agent: needs agent-silence MS");
	*out = c;
	return 0;
}

static size_t put_hex(char *buf, size_t len, const char *word, const __u8 *b, __u8 n)
{
	size_t used = snprintf(buf, len, " %s ", word);
	__u8 i;

	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%02x", b[i]);
	return used;
}

void health_format(const struct health_check *c, char *buf, size_t len)
{
	size_t used;

	if (c->type == HEALTH_NONE || c->type >= HEALTH_TYPES) {
		snprintf(buf, len, "none");
		return;
	}
	used = snprintf(buf, len, "%s%s%s interval %u timeout %u rise %u fall %u on-down %s",
			health_type_names[c->type], c->type == HEALTH_HTTP ? " " : "",
			c->type == HEALTH_HTTP ? c->path : "", c->interval_ms, c->timeout_ms,
			c->rise, c->fall, on_down_names[c->on_down & 1]);
	if (used < len && c->port)
		used += snprintf(buf + used, len - used, " port %u", ntohs(c->port));
	if (used < len && c->agent_ms)
		used += snprintf(buf + used, len - used, " agent-silence %u", c->agent_ms);
	/* Hex, so any payload survives a batch file's word splitting. */
	if (used < len && c->send_len)
		used += put_hex(buf + used, len - used, "send-hex", c->send, c->send_len);
	if (used < len && c->expect_len)
		put_hex(buf + used, len - used, "expect-hex", c->expect, c->expect_len);
}

_Static_assert(sizeof(struct health_check) % 4 == 0, "hashed as words");

__u32 health_check_sum(const struct health_check *c)
{
	return hauler_hash_words((const __u32 *)c, sizeof(*c) / 4, 0x6ea17u);
}

void health_status_init(struct health_status *s, const struct health_check *c)
{
	memset(s, 0, sizeof(*s));
	s->check_sum = health_check_sum(c);
	s->up = 1;
	s->health = c->rise;
}

int health_status_feed(struct health_status *s, const struct health_check *c, enum health_result r,
		       __u32 took_ms, __u64 now)
{
	int top = c->rise + c->fall - 1, change = 0;

	s->probes++;
	s->last = r;
	s->last_ms = took_ms;
	s->last_ns = now;
	if (r != HEALTH_R_OK) {
		s->failures++;
		if (s->health > c->rise) {
			s->health--; /* still up: fall - 1 failures left */
		} else {
			change = s->up ? -1 : 0;
			s->health = 0; /* down: rise successes in a row to come back */
		}
	} else if (s->health < top) {
		s->health++;
		if (s->health >= c->rise) {
			change = s->up ? 0 : 1;
			s->health = top; /* up: fall failures in a row to go down */
		}
	}
	if (change) {
		s->up = change > 0;
		*(change > 0 ? &s->ups : &s->downs) += 1;
		s->changed_ns = now;
	}
	return change;
}
