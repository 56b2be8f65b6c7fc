// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* error.c - the recorded error message (see error.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/* Per thread: the metrics endpoint reads the pins beside the daemon. */
static __thread char message[512];
static __thread int code;

int err_set(int c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	code = c;
	return -c;
}

void err_prefix(const char *fmt, ...)
{
	char old[sizeof(message)];
	size_t len;
	va_list ap;

	memcpy(old, message, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = strlen(message);
	/* Keep as much of the old message as fits. */
	memcpy(message + len, old, sizeof(message) - len - 1);
	message[sizeof(message) - 1] = '\0';
}

const char *err_msg(void)
{
	return message[0] ? message : "unknown error";
}

int err_code(void)
{
	return code ? code : ERR_SYSTEM;
}

void err_clear(void)
{
	message[0] = '\0';
	code = 0;
}
