// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * afl_main.c - the driver of one fuzz target (FUZZ_TARGET: fuzz_parse or
 * fuzz_report). Built with afl-clang-fast it runs AFL++'s persistent loop
 * and aborts on a broken invariant, which AFL records as a crash; built
 * with a plain compiler it runs the target once on each file named (a
 * crash AFL saved, say) and says which invariant broke.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h> /* read(), in AFL's macros */
#include "targets.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=fuzz_parse or -DFUZZ_TARGET=fuzz_report"
#endif

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();

int main(void)
{
	unsigned char *buf;
	int r;

	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		r = FUZZ_TARGET(buf, __AFL_FUZZ_TESTCASE_LEN);
		if (r) {
			fprintf(stderr, "fuzz: %s\n", fuzz_result_name(r));
			abort();
		}
	}
	return 0;
}
#else
int main(int argc, char **argv)
{
	static unsigned char buf[FUZZ_MAX_LEN];
	int i, r, bad = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 2;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		r = FUZZ_TARGET(buf, n);
		printf("%s: %s\n", argv[i], fuzz_result_name(r));
		bad |= r != 0;
	}
	return bad;
}
#endif
