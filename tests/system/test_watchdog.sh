#!/bin/bash
# test_watchdog.sh BUILD - a system test over its time limit fails and
# leaves nothing behind, however its shell takes the watchdog's TERM.
#
# bash 5.2 can lose a trapped TERM that arrives while it expands a
# $(...) inside $((...)) ("trap: unexpected EOF while looking for
# matching `)'": the trap does not run and the test goes on, then may
# pass), or hang in command_substitute for good. watchdog_child.sh (with
# SYS_LIMIT=3, SYS_WD_GRACE=4, SYS_WD_CLEANUP=10) loops on such
# expansions until its watchdog fires, RUNS times; then the watchdog's
# other ways are forced: a child that ignores TERM and reaches
# sys_finish, one that ignores it for good, one whose cleanup hangs, one
# that aborts in its handler (as bash once did), and one that ends in time. Each must end as it should (fail, or pass in
# time), say so, and leave none of its names: its namespace and the
# process in it, /run/hlrPID, the watchdog's flag, the watchdog itself.
SYS_LIMIT=${SYS_LIMIT:-150}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
RUNS=4
CHILD=$SYS_DIR/watchdog_child.sh

# child MODE: run the child; CPID, CRC, COUT, CWD (its watchdog's pid).
child() {
	local out=$TOPO_RUN_WD/out
	: >"$out"
	SYS_LIMIT=3 SYS_WD_GRACE=4 SYS_WD_CLEANUP=10 timeout -k 5 60 bash "$CHILD" "$BUILD" "$1" >>"$out" 2>&1 &
	CPID=$!
	wait "$CPID"
	CRC=$?
	COUT=$(tr '\n' '|' <"$out")
	# timeout's pid is CPID; the child's own is in its output.
	CP=$(sed -n 's/^started \(hlr[0-9]*\) .*/\1/p' "$out")
	CWD=$(sed -n 's/^started hlr[0-9]* watchdog \([0-9]*\)$/\1/p' "$out")
}

# leftovers: what the last child left behind (nothing when all is well).
leftovers() {
	local left=""
	[ -n "$CP" ] || {
		echo "no prefix (the child did not start)"
		return
	}
	ip netns list 2>/dev/null | grep -q "^$CP-" &&
		left="$left namespaces($(ip netns list 2>/dev/null | grep "^$CP-" | tr '\n' ' '))"
	[ -e "/run/$CP" ] && left="$left /run/$CP"
	[ -e "/run/$CP.watchdog" ] && left="$left /run/$CP.watchdog"
	pgrep -f "^sleep 100${CP#hlr}\$" >/dev/null && left="$left sleep(in its namespace)"
	[ -n "$CWD" ] && kill -0 "$CWD" 2>/dev/null && left="$left watchdog($CWD)"
	echo "$left"
}

TOPO_RUN_WD=$(mktemp -d /tmp/hauler-wd.XXXXXX) || sys_abort "mktemp"
trap 'rm -rf "$TOPO_RUN_WD"; sys_cleanup' EXIT

# expect WHAT RC PATTERN: the last child exited RC (its status, or "fail":
# any but 0 and 124, timeout's), printed PATTERN and left nothing.
expect() {
	local left end=$((SECONDS + 10))
	# A watchdog that killed its test exits right after: up to 10 s.
	while [ -n "$CWD" ] && kill -0 "$CWD" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
		sleep 0.1
	done
	left=$(leftovers)
	echo "    $1: $CP exit $CRC in $((SECONDS - T0)) s: $COUT"
	if [ "$2" = fail ] && { [ "$CRC" -eq 0 ] || [ "$CRC" -eq 124 ]; }; then
		fail "$1: exit status $CRC (0: passed over its limit; 124: hung)"
	elif [ "$2" != fail ] && [ "$CRC" -ne "$2" ]; then
		fail "$1: exit status $CRC, want $2"
	elif [[ $COUT != *$3* ]]; then
		fail "$1: no '$3' in its output"
	elif [ -n "$left" ]; then
		fail "$1: left behind:$left"
	else
		return 0
	fi
	return 1
}

lost=0 killed=0 bad=0
for ((r = 0; r < RUNS; r++)); do
	T0=$SECONDS
	child loop
	expect "loop run $r" fail "FAIL: watchdog_child over 3s" || bad=$((bad + 1))
	[[ $COUT == *"unexpected EOF"* ]] && lost=$((lost + 1))
	[[ $COUT == *"took no TERM"* ]] && killed=$((killed + 1))
done
[ "$bad" -eq 0 ] && ok "$RUNS runs over their limit in \$((\$(...))) failed and left nothing" \
	"(bash lost a TERM in $lost of them; $killed killed after 4 s without one)"

T0=$SECONDS
child lost
expect "a lost TERM" 1 "the watchdog's TERM was lost" &&
	ok "a test that lost the TERM and went on to sys_finish fails, and left nothing"
T0=$SECONDS
child deaf
expect "a shell deaf to TERM" 137 "took no TERM in 4s: killed" &&
	ok "a test that never takes the TERM is killed, and its names are removed"
T0=$SECONDS
child stuck
expect "a cleanup that hangs" 137 "cleanup took over 10s: killed" &&
	ok "a cleanup that hangs is killed, and the test's names are removed"
T0=$SECONDS
child crash
expect "a shell that aborts in its handler" 134 "over 3s" &&
	ok "a test that dies at the TERM without its cleanup fails, and its names are removed"
T0=$SECONDS
child finish
expect "a run within its limit" 0 "PASS: watchdog_child" &&
	ok "a run within its limit passes and stops its watchdog"
sys_finish
