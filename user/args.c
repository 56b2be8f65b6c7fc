// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* parse.c - the words of the command line (see parse.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "args.h"

const char *const fwd_mode_names[2] = {"nat", "ipip"};
const char *const tier_names[2] = {"maglev", "flat"};
const char *const device_kind_names[4] = {"cpu", "smartnic", "gpu", "fpga"};
const char *const device_state_names[3] = {"up", "drain", "down"};

int parse_addr(const char *s, __u8 *family, __u32 addr[4])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, &addr[0]) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = 6;
		return 0;
	}
	return err_set(ERR_INPUT, "bad address '%s'", s);
}

int parse_vip(const char *s, struct vip_key *key)
{
	char host[ADDR_STRLEN], proto[8];
	const char *colon, *slash, *start = s;
	size_t hlen;
	__u32 port;

	memset(key, 0, sizeof(*key));
	slash = strrchr(s, '/');
	if (!slash)
		goto bad;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			goto bad;
		start = s + 1;
		hlen = close - start;
		colon = close + 1;
	} else {
		colon = memchr(s, ':', slash - s);
		if (!colon)
			goto bad;
		hlen = colon - s;
		/* An unbracketed IPv6 address has more colons: ambiguous. */
		if (memchr(colon + 1, ':', slash - colon - 1))
			goto bad;
	}
	if (!hlen || hlen >= sizeof(host) || colon > slash)
		goto bad;
	memcpy(host, start, hlen);
	host[hlen] = '\0';
	if (parse_addr(host, &key->family, key->addr))
		return err_set(ERR_INPUT, "bad address '%s' in VIP '%s'", host, s);
	if ((size_t)(slash - colon - 1) >= sizeof(proto))
		goto bad;
	memcpy(proto, colon + 1, slash - colon - 1);
	proto[slash - colon - 1] = '\0';
	if (parse_u32(proto, 1, 65535, "port", &port))
		return err_set(ERR_INPUT, "bad port '%s' in VIP '%s' (1..65535)", proto, s);
	key->port = htons(port);
	if (!strcmp(slash + 1, "tcp"))
		key->proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		key->proto = IPPROTO_UDP;
	else
		return err_set(ERR_INPUT, "bad protocol '%s' in VIP '%s' (tcp or udp)", slash + 1,
			       s);
	return 0;
bad:
	return err_set(ERR_INPUT, "bad VIP '%s' (ADDR:PORT/tcp|udp, [IPv6]:PORT/tcp|udp)", s);
}

int parse_addr_port(const char *s, const char *what, __u8 *family, __u32 addr[4], __u16 *port)
{
	struct vip_key key;
	char vip[VIP_STRLEN + 8];

	/* ADDR:PORT is a VIP without its protocol: one parser for both. */
	if (strchr(s, '/') || snprintf(vip, sizeof(vip), "%s/tcp", s) >= (int)sizeof(vip) ||
	    parse_vip(vip, &key))
		return err_set(ERR_INPUT, "bad %s '%s' (ADDR:PORT or [ADDR6]:PORT)", what, s);
	*family = key.family;
	memcpy(addr, key.addr, sizeof(key.addr));
	*port = key.port;
	return 0;
}

int parse_name(const char *s, char *out)
{
	size_t i, len = strlen(s);

	if (!len || len >= HAULER_NAME_LEN)
		return err_set(ERR_INPUT, "bad name '%s' (1..%d characters)", s,
			       HAULER_NAME_LEN - 1);
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return err_set(ERR_INPUT, "bad name '%s' (only A-Z a-z 0-9 _ . -)", s);
	}
	memset(out, 0, HAULER_NAME_LEN);
	memcpy(out, s, len);
	return 0;
}

int parse_u32(const char *s, __u32 min, __u32 max, const char *what, __u32 *out)
{
	unsigned long long v;
	char *end;

	if (!s || s[0] < '0' || s[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return err_set(ERR_INPUT, "bad %s '%s' (%u..%u)", what, s ? s : "", min, max);
}

int parse_keyword(const char *s, const char *const *words, int n, const char *what)
{
	char choices[128] = "";
	int i;

	for (i = 0; i < n; i++) {
		if (s && !strcmp(s, words[i]))
			return i;
		snprintf(choices + strlen(choices), sizeof(choices) - strlen(choices), "%s%s",
			 i ? "|" : "", words[i]);
	}
	return err_set(ERR_INPUT, "bad %s '%s' (%s)", what, s ? s : "", choices);
}

int is_prime(__u32 n)
{
	__u32 d;

	if (n < 2)
		return 0;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

void format_addr(__u8 family, const __u32 addr[4], char *buf, size_t len)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
}

void format_vip(const struct vip_key *key, char *buf, size_t len)
{
	char host[ADDR_STRLEN];

	format_addr(key->family, key->addr, host, sizeof(host));
	snprintf(buf, len, key->family == 6 ? "[%s]:%u/%s" : "%s:%u/%s", host, ntohs(key->port),
		 key->proto == IPPROTO_UDP ? "udp" : "tcp");
}
