/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hauler_version.h - the version of hauler and hauler-agent. The one source
 * is the file VERSION at the top of the tree; the Makefile writes it (with
 * the git commit when built from a git checkout, or HAULER_VERSION=...) into
 * BUILD/version.c, which both binaries link.
 */
#ifndef HAULER_VERSION_H
#define HAULER_VERSION_H

extern const char hauler_version[];

#endif
