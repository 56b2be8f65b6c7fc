// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_p4 - the P4 twin (p4/hauler.p4): every HAULER_* name it uses comes
 * from the schema (or is defined in p4/), the report header is the
 * generated one, and, where the P4 checker is installed, p4test accepts
 * the program against TNA and rejects the same program with a type error
 * added (so the check can fail).
 *
 * Runs from the repository root. P4C_DIR names the checker's folder
 * (the Makefile passes it); without a checker the p4test cases are
 * skipped, and say so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "hauler_report.h"
#include "../../tools/genschema.h"

#define P4C_DIR_DEFAULT "../shared/tools/p4c"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int c;

	if (!f)
		fail_msg("cannot read %s", path);
	assert_non_null(out);
	while ((c = fgetc(f)) != EOF)
		fputc(c, out);
	fclose(f);
	fclose(out);
	return buf;
}

/* What genschema prints for P4 (the committed file is checked by test_schema). */
static char *generated_p4(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	genschema_p4(out);
	fclose(out);
	return buf;
}

/* Is "#define NAME" (followed by a space, '(' or the end of the line) in text? */
static int defines(const char *text, const char *name)
{
	char want[160];
	size_t n = (size_t)snprintf(want, sizeof(want), "#define %s", name);
	const char *p;

	for (p = strstr(text, want); p; p = strstr(p + 1, want))
		if (p[n] == ' ' || p[n] == '(' || p[n] == '\n' || p[n] == '\t')
			return 1;
	return 0;
}

/*
 * Every HAULER_* name in the p4/ programs is generated from the schema or defined
 * in p4/ itself: a counter or constant renamed in schema.def must be
 * renamed in the P4 program too, even where no checker is installed.
 */
static void test_p4_names_come_from_the_schema(void **state)
{
	char *gen = generated_p4(), *all = NULL;
	size_t all_len = 0, i, checked = 0;
	FILE *cat = open_memstream(&all, &all_len);
	glob_t g;

	(void)state;
	assert_non_null(cat);
	assert_int_equal(glob("p4/*.p4", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 2);
	for (i = 0; i < g.gl_pathc; i++) {
		char *text = read_file(g.gl_pathv[i]);

		fputs(text, cat);
		free(text);
	}
	fclose(cat);
	for (const char *p = strstr(all, "HAULER_"); p; p = strstr(p + 1, "HAULER_")) {
		char name[128];
		size_t n = 0;

		if (p > all && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		while ((isalnum((unsigned char)p[n]) || p[n] == '_') && n < sizeof(name) - 1) {
			name[n] = p[n];
			n++;
		}
		name[n] = '\0';
		if (name[n - 1] == '_') /* HAULER_STAT_* in a comment */
			continue;
		if (!defines(gen, name) && !defines(all, name))
			fail_msg("p4/ uses %s, which neither the schema nor p4/ defines", name);
		checked++;
	}
	assert_true(checked > 20);
	globfree(&g);
	free(all);
	free(gen);
}

/* The report header the parser extracts is generated, with the C struct's size. */
static void test_p4_report_header_is_generated(void **state)
{
	char *gen = generated_p4(), *headers = read_file("p4/headers.p4");
	char want[64];

	(void)state;
	assert_non_null(strstr(gen, "header hauler_report_h {"));
	snprintf(want, sizeof(want), "#define HAULER_REPORT_BYTES %zu\n",
		 sizeof(struct hauler_report));
	assert_non_null(strstr(gen, want));
	assert_int_equal(sizeof(struct hauler_report), HAULER_REPORT_LEN);
	assert_null(strstr(headers, "header hauler_report_h"));
	assert_non_null(strstr(headers, "hauler_report_h report;"));
	free(headers);
	free(gen);
}

static const char *p4test_path(char *buf, size_t len)
{
	const char *dir = getenv("P4C_DIR");

	snprintf(buf, len, "%s/bin/p4test", dir && *dir ? dir : P4C_DIR_DEFAULT);
	return access(buf, X_OK) ? NULL : buf;
}

/* Run p4test on program with the flags of `make p4`; its exit status. */
static int p4test(const char *program)
{
	char bin[4096], cmd[16384];
	int status;

	if (!p4test_path(bin, sizeof(bin)))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "'%s' --std p4-16 -I'%.*s/p4include' -D__TARGET_TOFINO__=1 --validate --Werror "
		 "'%s' >/dev/null 2>&1",
		 bin, (int)(strlen(bin) - strlen("/bin/p4test")), bin, program);
	status = system(cmd);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_p4_program_type_checks(void **state)
{
	char bin[4096];

	(void)state;
	if (!p4test_path(bin, sizeof(bin))) {
		printf("no P4 checker at %s: skipped\n", bin);
		skip();
	}
	assert_int_equal(p4test("p4/hauler.p4"), 0);
}

/* The same program with one implicit narrowing added must be refused. */
static void test_p4_checker_rejects_a_type_error(void **state)
{
	char bin[4096], cwd[4096], path[] = "/tmp/hauler-p4-XXXXXX.p4";
	int fd;
	FILE *f;

	(void)state;
	if (!p4test_path(bin, sizeof(bin))) {
		printf("no P4 checker at %s: skipped\n", bin);
		skip();
	}
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	fd = mkstemps(path, 3);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "#include \"%s/p4/hauler.p4\"\nconst bit<8> broken = 16w0x1ff;\n", cwd);
	fclose(f);
	assert_int_not_equal(p4test(path), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_p4_names_come_from_the_schema),
	    cmocka_unit_test(test_p4_report_header_is_generated),
	    cmocka_unit_test(test_p4_program_type_checks),
	    cmocka_unit_test(test_p4_checker_rejects_a_type_error),
	};

	(void)genschema_md; /* genschema.h's other form: test_schema checks it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
