// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * genschema - print the P4 declarations or the Markdown reference of
 * include/schema.def. `make schema` writes both into the tree.
 */
#include <stdio.h>
#include <string.h>

#include "genschema.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "p4"))
		genschema_p4(stdout);
	else if (argc == 2 && !strcmp(argv[1], "md"))
		genschema_md(stdout);
	else {
		fprintf(stderr, "usage: genschema p4|md\n");
		return 2;
	}
	if (fflush(stdout) || ferror(stdout)) {
		perror("genschema: write");
		return 1;
	}
	return 0;
}
