#!/bin/bash
# test_policy_swap.sh BUILD - 100 long-lived TCP connections keep sending
# and checking data (plus 20 new short connections a second) while the
# VIP's policy is swapped between hash and wrr 100 times. No connection
# may be lost, no byte corrupted, none stall (2 s without progress):
# established connections never consult the policy.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
SWAPS=100

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$H_VIP4:80/tcp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:80/tcp" 4 8080 3 1 || sys_abort "pool setup"

ready=$TOPO_RUN/load.ready
stop=$TOPO_RUN/load.stop
out=$TOPO_RUN/load.json
topo_connload "$P" --tcp "$H_VIP4:80" --long 100 --duration 80 --rate 20 --interval 20 \
	--bytes 1024 --ready-file "$ready" --stop-file "$stop" --json >"$out" &
load=$!
sys_bg "$load"
wait_file "$ready" 10 || fail "long connections not established within 10 s"

sleep 1
errors=0
t0=$(date +%s%N)
# Spread over some seconds, so each policy serves new connections too.
for i in $(seq 1 $SWAPS); do
	if [ $((i % 2)) -eq 1 ]; then policy="hash"; else policy="wrr"; fi
	H policy set "$H_VIP4:80/tcp" "$policy" || errors=$((errors + 1))
	sleep 0.03
done
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$errors" -eq 0 ]; then
	ok "$SWAPS policy swaps over $ms ms"
else
	fail "$errors of $SWAPS policy swaps failed"
fi
shown=$(H policy show "$H_VIP4:80/tcp" | tail -n 1 | tr -s ' ')
case "$shown" in
*wrr*) ok "policy show after the swaps: $shown" ;;
*) fail "policy show after the swaps: '$shown', want wrr" ;;
esac
sleep 1 # traffic after the last swap too
touch "$stop"
wait "$load"
json=$(cat "$out")
echo "connload: $json"
check_long_load "connections across $SWAPS swaps" "$json" 100
# Every long connection kept going: connload fails one that makes no
# progress for 2 s. How much flowed is a figure, not a check (the rate is
# `make bench`'s): at the least each echoed its first KiB.
bytes=$(json_num "$json" bytes)
if is_num "$bytes" && [ "$bytes" -ge $((100 * 1024)) ]; then
	ok "$bytes bytes echoed and checked in $(json_num "$json" elapsed_ms) ms"
else
	fail "only ${bytes:-no} bytes echoed: traffic did not flow"
fi
check_no_kernel_forward
sys_finish
