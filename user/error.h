/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * error.h - one error message at a time. Functions that fail record what
 * went wrong here and return -ERR_INPUT or -ERR_SYSTEM; main prints the
 * message as one line, `hauler: <message>`, and exits with the code.
 */
#ifndef HAULER_ERROR_H
#define HAULER_ERROR_H

#define ERR_INPUT  1 /* bad input, missing or duplicate object */
#define ERR_SYSTEM 2 /* a system call or libbpf failed */

/* Record a message; returns -code so callers can `return err_set(...)`. */
int err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put a prefix (such as "FILE:LINE: ") before the recorded message. */
void err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_msg(void);
int err_code(void);
void err_clear(void);

#endif
