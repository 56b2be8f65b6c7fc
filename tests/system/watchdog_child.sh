#!/bin/bash
# watchdog_child.sh BUILD MODE - a system test for test_watchdog.sh (not
# run by the runner: no test_ prefix). It makes a namespace $P-wd with a
# process in it and the run directory /run/$P with a file in it, prints
# "started PREFIX watchdog PID", then:
#   loop:   expands $((...$(...)...)) until the watchdog ends it (bash 5.2
#           loses or hangs on a TERM that lands in such an expansion);
#   lost:   a TERM trap that does nothing (as a shell that lost it);
#           sleeps, and finishes when the watchdog kills the sleep;
#   deaf:   the same, but sleeps on (as a shell that hangs on it);
#   stuck:  takes the TERM but its cleanup hangs (sleeps);
#   crash:  dies at the TERM without its cleanup (SIGABRT, as bash 5.2
#           itself aborted once in the handler: "reader_loop: bad jump");
#   finish: ends at once, passing.
# Its EXIT trap removes the namespace, as the tests' own traps do.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
MODE=$2
wd_cleanup() {
	[ "$MODE" = stuck ] && sleep 100
	ip netns del "$P-wd" 2>/dev/null
	sys_cleanup
}
trap wd_cleanup EXIT
ip netns add "$P-wd" || sys_abort "netns add"
ip netns exec "$P-wd" sleep "100$$" &
sys_bg $!
mkdir -p "/run/$P" || sys_abort "run directory"
: >"/run/$P/something"
echo "started $P watchdog $SYS_WATCHDOG"
case $MODE in
loop)
	n=0
	while :; do
		n=$((n + $(printf 1) + $(printf 0 | cat)))
	done
	;;
lost)
	trap : TERM
	sleep 100
	;;
deaf)
	trap : TERM
	while :; do sleep 1; done
	;;
stuck) sleep 100 ;;
crash)
	trap 'trap - EXIT; kill -ABRT $$' TERM
	while :; do sleep 1; done
	;;
finish) ok "finished before the limit" ;;
esac
sys_finish
