#!/bin/bash
# test_health.sh BUILD - health checks in `hauler daemon`, end to end.
#
# 1. Bad check commands change nothing; checks survive save and up -c.
# 2. Under long-lived traffic, s1cpu's server process is killed: its
#    check takes it out (devices.health) within a generous bound, new
#    connections then all go elsewhere, the long connections to the other
#    devices go on untouched; restarted, it comes back and gets new
#    connections again. Its transitions show in device show and stats.
# 3. on-down: two devices whose service works but whose check fails (a
#    port nobody listens on): with `keep` their connections continue,
#    with `reset` they are removed from the table (and so end).
. "$(dirname "$0")/lib.sh"
sys_init "$@"

VIP=$H_VIP4:80/tcp
CHECK="interval 200 timeout 100 rise 2 fall 2"
BOUND=10 # seconds; the configured bound is fall * interval + timeout, well under 1 s

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy hash || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 1 1 || sys_abort "pool setup"

# health NAME: the device's health word (device show -j), e.g. up, failed.
health() {
	H -j device show "$1" | sed -n 's/.*"health":{"check":"[^"]*","state":"\([a-z-]*\)".*/\1/p'
}

# health_num NAME KEY: a number of the device's health object.
health_num() {
	H -j device show "$1" | sed -n "s/.*\"health\":{[^}]*\"$2\":\([0-9]*\).*/\1/p"
}

# wait_health NAME WORD SECONDS: 0 once the device's health is WORD.
wait_health() {
	local n=$(($3 * 10))
	while [ "$(health "$1")" != "$2" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ "$(health "$1")" = "$2" ]
}

# start_long TAG N: N long-lived connections in the background (long_pid),
# until TOPO_RUN/TAG.stop appears; results in TOPO_RUN/TAG.json.
start_long() {
	topo_connload "$P" --tcp "$H_VIP4:80" --long "$2" --duration 60 --interval 50 \
		--bytes 256 --ready-file "$TOPO_RUN/$1.ready" --stop-file "$TOPO_RUN/$1.stop" \
		--json >"$TOPO_RUN/$1.json" 2>"$TOPO_RUN/$1.err" &
	long_pid=$!
	sys_bg $long_pid
	wait_file "$TOPO_RUN/$1.ready" 10 || fail "$2 long connections not established"
}

# --- 1. configuration ---
before=$(H save)
for bad in "check bogus" "check tcp rise 0" "check tcp fall 0" "check tcp interval 0" \
	"check tcp interval 100 timeout 200" "check udp"; do
	# shellcheck disable=SC2086 # the words of the command
	if H device set s1cpu $bad 2>/dev/null; then
		fail "device set s1cpu $bad was accepted"
	fi
done
H device set nosuch check tcp 2>/dev/null && fail "a check on an unknown device was accepted"
if [ "$(H save)" = "$before" ]; then
	ok "bad check commands were refused and changed nothing"
else
	fail "a refused check command changed the configuration"
fi
for dev in s1cpu s1acc s2cpu; do
	# shellcheck disable=SC2086
	H_ok device set "$dev" check tcp $CHECK
done
# s2acc: a UDP request/response on echod's UDP port (it answers banner + request).
# shellcheck disable=SC2086
H_ok device set s2acc check udp port 53 send hauler-ping expect hauler-ping $CHECK
saved=$(H save)
grep -q "^device set s2acc check udp .* port 53 send-hex " <<<"$saved" ||
	fail "save has no udp check line for s2acc"
echo "$saved" >"$TOPO_RUN/saved.conf"
H_ok down
H_ok up eth0 -c "$TOPO_RUN/saved.conf" || sys_abort "up -c"
if [ "$(H save)" = "$saved" ]; then
	ok "checks restored by up -c"
else
	fail "up -c did not restore the checks"
fi

H daemon >"$TOPO_RUN/daemon.log" 2>&1 &
sys_bg $!
for dev in s1cpu s1acc s2cpu s2acc; do
	wait_health "$dev" up "$BOUND" || fail "$dev not up by its check: $(health "$dev")"
done
ok "all four devices pass their checks (tcp x3, udp)"

# --- 2. kill s1cpu's server under traffic ---
start_long long 24

t0=$(date +%s%N)
topo_echod_kill "$P" s1cpu || sys_abort "cannot kill s1cpu's echod"
if wait_health s1cpu failed "$BOUND"; then
	ok "s1cpu failed its check $((($(date +%s%N) - t0) / 1000000)) ms after the kill (bound ${BOUND} s)"
else
	fail "s1cpu not failed ${BOUND} s after its server died: $(health s1cpu)"
fi
new0=$(H stats | awk '$1 == "s1cpu" { print $6 }')
out=$(topo_connload "$P" --tcp "$H_VIP4:80" -n 60 -c 6 --json)
check_load "60 new connections while s1cpu is down" "$out" 60
[ "$(json_dev "$out" s1cpu)" -eq 0 ] || fail "s1cpu got $(json_dev "$out" s1cpu) new connections"
new1=$(H stats | awk '$1 == "s1cpu" { print $6 }')
if [ -n "$new0" ] && [ "$new0" = "$new1" ]; then
	ok "no new connection reached s1cpu (stats: $new1 new, unchanged)"
else
	fail "s1cpu's new-connection counter moved from '$new0' to '$new1'"
fi

topo_echod_start "$P" s1cpu || sys_abort "cannot restart s1cpu's echod"
if wait_health s1cpu up "$BOUND"; then
	ok "s1cpu back up after its restart"
else
	fail "s1cpu not up ${BOUND} s after its restart: $(health s1cpu)"
fi
out=$(topo_connload "$P" --tcp "$H_VIP4:80" -n 80 -c 8 --json)
check_load "80 new connections after the recovery" "$out" 80
if [ "$(json_dev "$out" s1cpu)" -gt 0 ]; then
	ok "s1cpu takes new connections again ($(json_dev "$out" s1cpu) of 80)"
else
	fail "s1cpu got no new connection after its recovery"
fi
downs=$(health_num s1cpu downs)
ups=$(health_num s1cpu ups)
if [ "${downs:-0}" -ge 1 ] && [ "${ups:-0}" -ge 1 ]; then
	ok "device show counts s1cpu's transitions: $downs down, $ups up"
else
	fail "device show has downs '$downs', ups '$ups' for s1cpu"
fi
H stats | grep -q "^  s1cpu .*health up ($downs down, $ups up; last ok" ||
	fail "stats do not show s1cpu's health: $(H stats | grep '^  s1cpu')"
if ! grep -q "device s1cpu down" "$TOPO_RUN/daemon.log" ||
	! grep -q "device s1cpu up" "$TOPO_RUN/daemon.log"; then
	fail "the daemon did not log s1cpu's transitions"
fi

touch "$TOPO_RUN/long.stop"
wait "$long_pid"
res=$(cat "$TOPO_RUN/long.json")
on_dead=$(json_dev "$res" s1cpu)
if [ "$(json_num "$res" total)" -eq 24 ] && [ "$(json_num "$res" failed)" -eq "$on_dead" ] &&
	[ "$(json_num "$res" ok)" -eq $((24 - on_dead)) ]; then
	ok "long connections: the $on_dead on s1cpu died with it, the other $((24 - on_dead)) went on"
else
	fail "long connections: $res (s1cpu had $on_dead)"
	head -5 "$TOPO_RUN/long.err"
fi

# --- 3. on-down keep and reset, with the services alive ---
start_long long2 32
H_ok device set s2cpu check tcp port 9 interval 200 timeout 100 fall 1 on-down reset
H_ok device set s2acc check tcp port 9 interval 200 timeout 100 fall 1 on-down keep
wait_health s2cpu failed "$BOUND" || fail "s2cpu (port 9) not failed: $(health s2cpu)"
wait_health s2acc failed "$BOUND" || fail "s2acc (port 9) not failed: $(health s2acc)"
sleep 1 # traffic on the long connections, after the reset
touch "$TOPO_RUN/long2.stop"
wait "$long_pid"
res=$(cat "$TOPO_RUN/long2.json")
reset_n=$(json_dev "$res" s2cpu)
if [ "$reset_n" -gt 0 ] && [ "$(json_num "$res" failed)" -eq "$reset_n" ] &&
	[ "$(json_num "$res" ok)" -eq $((32 - reset_n)) ] && [ "$(json_dev "$res" s2acc)" -gt 0 ]; then
	ok "on-down reset ended s2cpu's $reset_n connections; keep kept s2acc's $(json_dev "$res" s2acc)"
else
	fail "on-down: $res (s2cpu had $reset_n)"
	head -5 "$TOPO_RUN/long2.err"
fi
H_ok device set s2cpu check none
if H -j device show s2cpu | grep -q '"health":null'; then
	ok "check none returns s2cpu at once"
else
	fail "s2cpu after check none: $(H -j device show s2cpu)"
fi
check_no_kernel_forward

sys_finish
