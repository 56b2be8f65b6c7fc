#!/bin/bash
# test_workload.sh BUILD - the request workload (issue 9) through hauler.
#
# workd runs on every device in its own CPU-limited cgroup (workload.sh),
# a UDP and a TCP VIP on port 9000 spread server s1's requests 5:1 over
# s1cpu and s1acc (wrr), agents report both devices. Checks:
#   - open-loop UDP and TCP loads are all answered, by both devices;
#   - workd's pushed P99 reaches the balancer through the agent (latency_us);
#   - bad input: loadgen's bad arguments exit 2 with a message; a datagram
#     that is not a request gets no reply, is counted by workd, and workd
#     serves the next request;
#   - requests lost in a full UDP receive queue are counted by workd and
#     make its P99 late (they count as infinitely late);
#   - loadgen's default CPU (WL_LOAD_CPU) for each placement of the devices.
# 67 s at load 15, 104 s at load 13 with make check beside it (2026-12-02,
# 2 cores): the limit leaves room, and every wait ends as soon as its
# condition holds.
SYS_LIMIT=${SYS_LIMIT:-180}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
. "$SYS_DIR/../../tools/workload.sh"

WL_WORK_US=500 # small requests: the test is about shape, not speed
VIP4=$H_VIP4:$WL_PORT

# by_dev JSON DEV: requests DEV served in a loadgen --json result.
by_dev() {
	local v
	v=$(printf '%s' "$1" | sed -n "s/.*\"$2\":{\"n\":\([0-9]*\).*/\1/p")
	echo "${v:-0}"
}

# check_all WHAT JSON: every counted request answered, none lost.
check_all() {
	local okc counted lost
	okc=$(json_num "$2" ok)
	counted=$(json_num "$2" counted)
	lost=$(json_num "$2" lost)
	if [ "$counted" -gt 0 ] && [ "$okc" = "$counted" ] && [ "$lost" = 0 ]; then
		ok "$1: $okc/$counted answered (s1cpu $(by_dev "$2" s1cpu), s1acc $(by_dev "$2" s1acc))"
	else
		fail "$1: ok $okc of $counted, lost $lost: $2"
	fi
}

# loadgen's default CPU (workload.sh): off the devices' CPU; sharing the
# accelerator's when that is the only other; unpinned on one CPU.
load_cpu() { # ALLOWED WL_CPU WL_ACC_CPU
	taskset -c "$1" env -u WL_LOAD_CPU WL_CPU="$2" WL_ACC_CPU="$3" \
		bash -c '. "$0"; echo "[$WL_LOAD_CPU]"' "$SYS_DIR/../../tools/workload.sh"
}
if [ "$(nproc)" -ge 2 ]; then
	got="$(load_cpu 0,1 1 1) $(load_cpu 0,1 1 0) $(load_cpu 1 1 1)"
	if [ "$got" = "[0] [0] []" ]; then
		ok "loadgen's default CPU: off the devices', beside the accelerator, unpinned alone ($got)"
	else
		fail "loadgen's default CPU: $got, want [0] [0] []"
	fi
fi

topo_up "$P" nat || sys_abort "topology setup"
iters=$(wl_calibrate)
[ -n "$iters" ] && [ "$iters" -gt 0 ] || sys_abort "workd --calibrate printed no iters"
wl_start "$P" "$iters" || sys_abort "workd on the devices"
H_ok up eth0 || sys_abort "hauler up"
for proto in udp tcp; do
	H_ok vip add "$VIP4/$proto" mode nat policy wrr || sys_abort "vip add $proto"
	H_ok server add "s1$proto" vip "$VIP4/$proto" || sys_abort "server add"
	H_ok device add "s1cpu$proto" server "s1$proto" addr "$(topo_dev_addr4 s1cpu)" \
		port "$WL_PORT" kind cpu weight 5 || sys_abort "device add"
	H_ok device add "s1acc$proto" server "s1$proto" addr "$(topo_dev_addr4 s1acc)" \
		port "$WL_PORT" kind smartnic weight 1 || sys_abort "device add"
done

# Agents of the UDP VIP's devices (the same workd serves both VIPs).
wl_keys "$P" s1cpuudp s1accudp || sys_abort "device keys"
for dev in s1cpu s1acc; do
	wl_agent "$P" "$dev" "${dev}udp" --rate 20 || sys_abort "agent of $dev"
	sys_bg $!
done

json=$(wl_load "$P" --udp "$VIP4" --rate 100 --duration 2 --timeout-ms 3000 --ports 20000-59999 \
	--json --label udp)
check_all "UDP, 100 requests/s open loop" "$json"
[ "$(by_dev "$json" s1cpu)" -gt 0 ] && [ "$(by_dev "$json" s1acc)" -gt 0 ] &&
	ok "UDP: both devices served (wrr 5:1)" || fail "UDP: not both devices served: $json"
case "$json" in
*'"p99_ms":'[0-9]*) ok "UDP: a finite P99 in the JSON" ;;
*) fail "UDP: no P99 in $json" ;;
esac

json=$(wl_load "$P" --tcp "$VIP4" --rate 50 --duration 2 --timeout-ms 3000 --json --label tcp)
check_all "TCP, 50 connections/s open loop" "$json"
[ "$(by_dev "$json" s1cpu)" -gt 0 ] && [ "$(by_dev "$json" s1acc)" -gt 0 ] &&
	ok "TCP: both devices served" || fail "TCP: not both devices served: $json"

# workd pushes its P99 every 100 ms; the agent reports it; hauler shows it.
# Up to 30 s by the clock (the agent and workd share a loaded CPU).
lat="" end=$((SECONDS + 30))
while [ "$SECONDS" -lt "$end" ]; do
	lat=$(H -j device show s1cpuudp | sed -n 's/.*"latency_us":\([0-9]*\).*/\1/p' | head -1)
	[ -n "$lat" ] && [ "$lat" -gt 0 ] && break
	sleep 0.1
done
[ -n "$lat" ] && [ "$lat" -gt 0 ] && ok "workd's P99 reached the balancer: latency_us $lat" ||
	fail "no latency_us from workd through the agent (got '${lat:-none}')"

# Bad input.
out=$(wl_load "$P" --udp "$VIP4" --rate 0 --count 5 2>&1)
rc=$?
[ "$rc" = 2 ] && [[ "$out" == *"--rate: '0' is not"* ]] &&
	ok "loadgen --rate 0: exit 2, '$(echo "$out" | head -1)'" || fail "loadgen --rate 0: exit $rc, '$out'"
out=$("$BUILD/tools/workd" --name x 2>&1)
rc=$?
[ "$rc" = 2 ] && [[ "$out" == *"give at least one --udp or --tcp port"* ]] &&
	ok "workd without ports: exit 2 with a message" || fail "workd without ports: exit $rc, '$out'"
# A datagram that is not a request, straight to s1cpu from the balancer.
ip netns exec "$P-lb" bash -c "echo garbage >/dev/udp/$(topo_dev_addr4 s1cpu)/$WL_PORT" ||
	fail "could not send the garbage datagram"
json=$(wl_load "$P" --udp "$VIP4" --rate 50 --count 20 --timeout-ms 3000 --json)
check_all "requests after a garbage datagram" "$json"
pid=$(cat "$TOPO_RUN/s1cpu-work.pid")
kill "$pid"
end=$((SECONDS + 30))
while [ -e "$TOPO_RUN/s1cpu-work.pid" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
summary=$(grep '^{"name":"s1cpu"' "$TOPO_RUN/s1cpu-work.log" | tail -1)
bad=$(json_num "$summary" bad)
[ "$bad" -ge 1 ] && ok "workd counted the garbage datagram (bad $bad) and answered none of it" ||
	fail "workd's summary shows no bad request: '$summary'"

# Lost requests count in workd's P99 as infinitely late: a workd with the
# 4 KB receive buffer and slow requests (about 40x the calibrated
# ones each), sent a burst straight from the balancer, loses most of it
# in the full receive queue (SO_RXQ_OVFL) and says so; its window's P99
# is then WORK_LATE_US (4294967294), what it pushes to the agent. The
# slower the machine, the more it loses: no timing to get wrong.
nsenter "--net=/run/netns/$P-s1acc" "$BUILD/tools/workd" --name ovf --udp 9100 \
	--iters $((iters * 40)) --rcvbuf 4096 --pidfile "$TOPO_RUN/ovf-work.pid" \
	</dev/null >"$TOPO_RUN/ovf-work.log" 2>&1 &
ovf=$!
sys_bg $ovf
end=$((SECONDS + 30))
while [ ! -e "$TOPO_RUN/ovf-work.pid" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
nsenter "--net=/run/netns/$P-lb" "$BUILD/tools/loadgen" --udp "$(topo_dev_addr4 s1acc):9100" \
	--rate 2000 --count 300 --timeout-ms 1000 --json >/dev/null
kill "$ovf"
end=$((SECONDS + 60))
while [ -e "$TOPO_RUN/ovf-work.pid" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.1; done
summary=$(grep '^{"name":"ovf"' "$TOPO_RUN/ovf-work.log" | tail -1)
n=$(json_num "$summary" overflowed)
p99=$(json_num "$summary" window_p99_us)
[ -n "$n" ] && [ "$n" -ge 1 ] && [ "$p99" = 4294967294 ] &&
	ok "a full receive queue's losses counted (overflowed $n): P99 late ($p99)" ||
	fail "receive-queue losses not in workd's P99: '$summary'"

sys_finish
