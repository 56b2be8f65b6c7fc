#!/bin/bash
# test_connload_pause.sh BUILD - connload tells a long connection that
# paused and went on from one that broke (tools/connload.c), through the
# balancer (nat VIP, the topology's four devices).
#
#   - every device's echod stopped (SIGSTOP) for 3 s under 8 long
#     connections, then continued: all 8 paused (no progress for 2 s),
#     went on with every byte echoed: ok 8, failed 0, paused 8, the
#     longest pause at least 2 s (printed with their retransmissions);
#     --conn-log names each "paused";
#   - stopped again and the run ended while they are stopped: all 8 are
#     failures ("stalled": unfinished at the end), none ok, however long
#     they were paused;
#   - a run without a stop: ok 8, none paused.
SYS_LIMIT=${SYS_LIMIT:-120}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=8
DEVS="s1cpu s1acc s2cpu s2acc"

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
VIP=$H_VIP4:80/tcp
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 1 1 || sys_abort "pool setup"

# echods SIG: SIG to every device's echod.
echods() {
	local d
	for d in $DEVS; do
		kill -"$1" "$(cat "$TOPO_RUN/$d.pid")" || return 1
	done
}

# run TAG: long connections with a log of each one's end.
run() {
	topo_connload "$P" --tcp "$H_VIP4:80" --long $N --duration 100 --interval 50 --bytes 256 \
		--ready-file "$TOPO_RUN/$1.ready" --stop-file "$TOPO_RUN/$1.stop" --json \
		--conn-log "$TOPO_RUN/$1.log" >"$TOPO_RUN/$1.json" 2>"$TOPO_RUN/$1.err" &
	sys_bg $!
	echo $! >"$TOPO_RUN/$1.pid"
	wait_file "$TOPO_RUN/$1.ready" 30 || sys_abort "$1: long connections not ready in 30 s"
	sleep 0.5
}

# field TAG KEY: a number of TAG's result.
field() { json_num "$(cat "$TOPO_RUN/$1.json")" "$2"; }

# Paused, then continued.
run P1
echods STOP || sys_abort "SIGSTOP echod"
sleep 3
echods CONT || sys_abort "SIGCONT echod"
sleep 1
long_stop P1
check_load "paused for 3 s" "$LONG_JSON" $N
paused=$(field P1 paused) max=$(field P1 max_pause_ms)
if [ "$paused" = $N ] && is_num "$max" && [ "$max" -ge 2000 ]; then
	ok "connload: $N paused, longest $max ms, and went on" \
		"($(field P1 paused_retrans) TCP retransmissions)"
else
	fail "connload's pauses: paused '$paused' of $N, longest '$max' ms: $LONG_JSON"
fi
n=$(awk '$3 == "paused"' "$TOPO_RUN/P1.log" | wc -l)
[ "$n" -eq $N ] && ok "--conn-log names the $N paused" ||
	fail "--conn-log: $n of $N paused: $(cat "$TOPO_RUN/P1.log")"

# Stopped to the end: broken, however long.
run P2
echods STOP || sys_abort "SIGSTOP echod"
sleep 3
long_stop P2
echods CONT
if [ "$(field P2 ok)" = 0 ] && [ "$(field P2 failed)" = $N ] && [ "$(field P2 stalled)" = $N ] &&
	[ "$(field P2 paused)" = 0 ]; then
	ok "connload: $N stopped to the end are $N failures (stalled), none ok or paused"
else
	fail "connload with the echods stopped to the end: $LONG_JSON"
fi
n=$(awk '$3 == "stalled"' "$TOPO_RUN/P2.log" | wc -l)
[ "$n" -eq $N ] && ok "--conn-log names the $N stalled" ||
	fail "--conn-log: $n of $N stalled: $(cat "$TOPO_RUN/P2.log")"

# No stop: nothing paused.
run P3
sleep 1
long_stop P3
check_load "no pause" "$LONG_JSON" $N
[ "$(field P3 paused)" = 0 ] && ok "without a stop none paused" ||
	fail "without a stop: paused '$(field P3 paused)'"
sys_finish
