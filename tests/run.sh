#!/bin/bash
# run.sh BUILD [unit|datapath|system|agent] - run hauler's tests and count them.
#
# unit:     every tests/unit/test_*.c as its cmocka binary BUILD/tests/unit/test_*
# agent:    the unit tests of the agent's code, $HAULER_UNIT_TESTS (names), as
#           BUILD/tests/agent/test_*, each run by $HAULER_TEST_EXEC (such as
#           qemu-aarch64 for make check-arm64); counted as unit/test_*
# datapath: every tests/datapath/test_*.c as BUILD/tests/datapath/test_* (root)
# system:   every tests/system/test_*.sh, as `bash SCRIPT BUILD` (root)
# With no layer, runs all three in that order. A system script is one test,
# passed iff it exits 0. A cmocka binary counts case by case:
#
#   cases   what tests/cases says it must run (a binary missing there, or
#           running another number of cases, is a failure of its own);
#   passed  its "[  PASSED  ] N test(s)." summary;
#   skipped its "[  SKIPPED ] N test(s)" summary (cmocka's skip());
#   failed  every other case: failed assertions, failed per-test setups
#           ("[  ERROR   ]"), all of them when the group setup failed or
#           the binary died before its summary.
#
# The skipped total gets a line of its own; the last line of output is
# always `N passed, N failed`.
#
# The runner cleans nothing up after the tests: each test removes what it
# creates, so leftovers here are a bug in the test that left them.
set -u

usage() {
	echo "usage: tests/run.sh BUILD [unit|datapath|system|agent]" >&2
	exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] && [ -n "$1" ] || usage
# BUILD is relative to the caller's directory; the tests run from the repo root.
BUILD=$(realpath -m -- "$1")
LAYERS=${2:-unit datapath system}
case "$LAYERS" in
unit | datapath | system | agent | "unit datapath system") ;;
*) usage ;;
esac
cd "$(dirname "$0")/.." || exit 2
[ -d "$BUILD" ] || { echo "run.sh: no build directory $BUILD (run make)" >&2; exit 2; }

export HAULER_BUILD=$BUILD
export CMOCKA_MESSAGE_OUTPUT=stdout # the summary lines parsed below
BINARY_TIMEOUT=300
# Above every system test's SYS_LIMIT (400 at most: test_reproduce_smoke)
# plus its watchdog's SYS_WD_GRACE and SYS_WD_CLEANUP (tests/system/lib.sh:
# 50 s), so that the watchdog, not this timeout, ends a test over its limit
# and cleans up after it. Reached only by a test that hangs.
SCRIPT_TIMEOUT=480
CASES_FILE=tests/cases
passed=0
failed=0
skipped_all=0
log=$(mktemp /tmp/hauler-run.XXXXXX) || exit 2
trap 'rm -f "$log"' EXIT

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# One line per test file; paths inside the repo are shown relative to it.
status() {
	printf '%s %s%s\n' "$1" "${2#"$PWD"/}" "${3:+ ($3)}"
}

# Run one command, its output indented and kept in $log; returns its status.
run_logged() {
	"$@" </dev/null 2>&1 | tee "$log" | sed -u 's/^/    /'
	return "${PIPESTATUS[0]}"
}

# Sum the N of every cmocka summary line "[  PASSED  ] N test(s)." (or
# "[  SKIPPED ] N test(s), listed below:"): the word is matched with the
# padding cmocka gives it, "[  SKIPPED ]" having one trailing space only.
cmocka_count() {
	local tag=$1
	sed -nE "s/^\[$tag\] ([0-9]+) test\(s\)[.,].*/\1/p" "$log" |
		awk '{ n += $1 } END { print n + 0 }'
}

# The cases the binary said it would run: "[==========] Running N test(s)."
cmocka_declared() {
	sed -nE 's/^\[==========\] Running ([0-9]+) test\(s\)\..*/\1/p' "$log" |
		awk '{ n += $1 } END { print n + 0 }'
}

# expected_cases NAME: the case count tests/cases gives the binary NAME
# (layer/test_x), empty when it gives none.
expected_cases() {
	awk -v b="$1" '$1 == b { print $2; exit }' "$CASES_FILE" 2>/dev/null
}

run_binary() {
	local bin=$1 name rc ok bad skipped declared want cases note=""

	name=${bin#"$BUILD"/tests/}
	name=${name/#agent\//unit/} # the agent layer's are unit tests built elsewhere
	echo "--- ${bin#"$PWD"/}"
	want=$(expected_cases "$name")
	if [ ! -x "$bin" ]; then
		failed=$((failed + ${want:-1}))
		status FAIL "$bin" "not built: run make"
		return
	fi
	# Line-buffered stdout keeps cmocka's stdout and stderr lines whole (not
	# under an emulator: stdbuf preloads a library of the host's architecture).
	if [ -n "${HAULER_TEST_EXEC:-}" ]; then
		# shellcheck disable=SC2086 # the command and its options, split
		run_logged timeout -k 10 "$BINARY_TIMEOUT" $HAULER_TEST_EXEC "$bin"
	else
		run_logged timeout -k 10 "$BINARY_TIMEOUT" stdbuf -oL -eL "$bin"
	fi
	rc=$?
	ok=$(cmocka_count "  PASSED  ")
	skipped=$(cmocka_count "  SKIPPED ")
	declared=$(cmocka_declared)
	cases=$declared
	[ -n "$want" ] && [ "$want" -gt "$cases" ] && cases=$want
	# Whatever did not pass and was not skipped failed: assertions, setup
	# errors, a failed group setup, a crash before the summary.
	bad=$((cases - ok - skipped))
	[ "$bad" -lt 0 ] && bad=0
	if [ "$declared" -eq 0 ]; then
		note="no cmocka output, exit status $rc"
	elif ! grep -qE '^\[  (PASSED|FAILED)  \] [0-9]+ test\(s\)' "$log"; then
		note="no cmocka summary, exit status $rc"
	fi
	if [ -z "$want" ]; then
		bad=$((bad + 1))
		note="${note:+$note, }no case count for $name in $CASES_FILE"
	elif [ "$declared" -ne "$want" ]; then
		[ "$bad" -eq 0 ] && bad=1
		note="${note:+$note, }ran $declared cases, $CASES_FILE says $want"
	fi
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
		note="${note:+$note, }exit status $rc after the summary"
	fi
	[ "$rc" -eq 124 ] && note="${note:+$note, }timed out after ${BINARY_TIMEOUT}s"
	[ "$skipped" -gt 0 ] && note="${note:+$note, }$skipped skipped"
	passed=$((passed + ok))
	failed=$((failed + bad))
	skipped_all=$((skipped_all + skipped))
	if [ "$bad" -eq 0 ]; then
		status PASS "$bin" "$ok passed${note:+, $note}"
	else
		status FAIL "$bin" "$ok passed, $bad failed${note:+, $note}"
	fi
}

run_script() {
	local script=$1 rc

	echo "--- $script"
	run_logged timeout -k 10 "$SCRIPT_TIMEOUT" bash "$script" "$BUILD"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		status PASS "$script"
	else
		failed=$((failed + 1))
		if [ "$rc" -eq 124 ]; then
			status FAIL "$script" "timed out after ${SCRIPT_TIMEOUT}s"
		else
			status FAIL "$script" "exit status $rc"
		fi
	fi
}

# A test that needs root counts as failed without it: never a silent skip.
# A binary counts with all its cases.
fail_not_root() {
	local want=""
	case "$1" in
	"$BUILD"/tests/*) want=$(expected_cases "${1#"$BUILD"/tests/}") ;;
	esac
	failed=$((failed + ${want:-1}))
	status FAIL "$1" "needs root; run sudo make check"
}

# Tests are found from their sources, so a source whose binary is missing fails.
run_layer() {
	local layer=$1 src

	echo "=== $layer tests"
	case "$layer" in
	unit | datapath)
		for src in tests/"$layer"/test_*.c; do
			[ -e "$src" ] || continue
			src=${src%.c}
			if [ "$layer" = datapath ] && ! is_root; then
				fail_not_root "$BUILD/$src"
			else
				run_binary "$BUILD/$src"
			fi
		done
		;;
	agent)
		for src in ${HAULER_UNIT_TESTS:-}; do
			[ -e "tests/unit/$src.c" ] || { echo "run.sh: no tests/unit/$src.c" >&2; exit 2; }
			run_binary "$BUILD/tests/agent/$src"
		done
		;;
	system)
		for src in tests/system/test_*.sh; do
			[ -e "$src" ] || continue
			if is_root; then
				run_script "$src"
			else
				fail_not_root "$src"
			fi
		done
		;;
	esac
}

for layer in $LAYERS; do
	run_layer "$layer"
done

# On a line of its own: the last line stays exactly `N passed, N failed`.
echo "$skipped_all skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
