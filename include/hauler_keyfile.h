/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_keyfile.h - the one check of a file that holds a report key (the
 * agent's --key-file, `hauler device key NAME file FILE`, a batch file
 * with `device key` lines): a key others can read is a key others have,
 * so a file group or others may read or write gets a warning (it is
 * still used: refusing would stop an agent over a chmod).
 */
#ifndef HAULER_KEYFILE_H
#define HAULER_KEYFILE_H

#include <stdio.h>
#include <sys/stat.h>

/* The permission bits of fd that let others at it (0: private; -1: unknown). */
static inline int key_file_exposed(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return (int)(st.st_mode & 077);
}

/* Warn on stderr, as prog, when the key file path (open at fd) is not private. */
static inline int key_file_warn(int fd, const char *path, const char *prog)
{
	int bits = key_file_exposed(fd);
	struct stat st;

	if (bits <= 0 || fstat(fd, &st))
		return 0;
	fprintf(stderr,
		"%s: warning: %s holds a report key and is readable or writable by group or "
		"others (mode %03o): chmod 600 %s\n",
		prog, path, (unsigned int)(st.st_mode & 0777), path);
	return 1;
}

#endif
