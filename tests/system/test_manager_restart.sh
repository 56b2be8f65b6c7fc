#!/bin/bash
# test_manager_restart.sh BUILD - the datapath needs no manager: while
# long-lived connections (and new short ones) flow, `hauler up` runs again
# on the pinned state (it must reuse the pins, not start afresh), and for
# a while no hauler process runs at all. No connection may break or stall,
# nothing goes to the kernel's forward path, and the configuration and the
# connection table are the same before and after: the compact table (the
# default), or with RESTART_TABLE=lru (test_manager_restart_lru.sh) the
# LRU tables, which the re-up, given no --table, must keep.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
TABLE=${RESTART_TABLE:-compact}

topo_up "$P" nat || sys_abort "topology setup"
if [ "$TABLE" = lru ]; then
	H_ok up eth0 --table lru || sys_abort "hauler up --table lru"
else
	H_ok up eth0 || sys_abort "hauler up"
fi
[ "$(conns_table)" = "$TABLE" ] || fail "hauler up: table '$(conns_table)', want $TABLE"
H_ok vip add "$H_VIP4:80/tcp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:80/tcp" 4 8080 3 1 || sys_abort "pool setup"
H_ok vip add "[$H_VIP6]:80/tcp" mode nat policy hash || sys_abort "vip6 add"
topo_pool "$P" "[$H_VIP6]:80/tcp" 6 8080 1 1 6 || sys_abort "pool6 setup"
saved=$(H save) || fail "hauler save"

run_load() { # VIP TAG
	topo_connload "$P" --tcp "$1" --long 50 --duration 80 --rate 10 --bytes 1024 \
		--ready-file "$TOPO_RUN/$2.ready" --stop-file "$TOPO_RUN/stop" --json \
		>"$TOPO_RUN/$2.json" &
	sys_bg $!
}
run_load "$H_VIP4:80" v4
pid4=$!
run_load "[$H_VIP6]:80" v6
pid6=$!
if ! wait_file "$TOPO_RUN/v4.ready" 10 || ! wait_file "$TOPO_RUN/v6.ready" 10; then
	fail "long connections not established within 10 s"
fi

new0=$(hstat conn_new) || fail "no conn_new in hauler stats"
H_ok save --keys -o "$TOPO_RUN/seed0.conf"
H_ok up eth0 && ok "hauler up again on the running balancer"
[ "$(conns_table)" = "$TABLE" ] && ok "the re-up kept the $TABLE table" ||
	fail "after the re-up: table '$(conns_table)', want $TABLE"
# The secret flow seed lives in the pinned config: a re-up keeps it.
H_ok save --keys -o "$TOPO_RUN/seed1.conf"
seed0=$(grep -o 'flow-seed [0-9a-f]*' "$TOPO_RUN/seed0.conf")
seed1=$(grep -o 'flow-seed [0-9a-f]*' "$TOPO_RUN/seed1.conf")
[ -n "$seed0" ] && [ "$seed0" = "$seed1" ] && ok "the re-up kept the flow seed ($seed0)" ||
	fail "flow seed '$seed0' before the re-up, '$seed1' after"
if [ "$(H save)" = "$saved" ]; then
	ok "configuration unchanged by the re-up"
else
	fail "hauler save differs after the re-up"
fi
new1=$(hstat conn_new)
if is_num "$new0" && is_num "$new1" && [ "$new1" -ge "$new0" ]; then
	ok "counters kept across the re-up ($new0 -> $new1 new)"
else
	fail "conn_new went from ${new0:-?} to ${new1:-?}: state was not reused"
fi

# No manager at all for a while: the namespace holds no hauler process.
left=$(for pid in $(ip netns pids "$P-lb"); do cat "/proc/$pid/comm" 2>/dev/null; done)
if [ -z "$left" ]; then
	ok "no process runs in the balancer namespace"
else
	fail "processes in the balancer namespace: $left"
fi
sleep 4
new2=$(hstat conn_new)
if is_num "$new2" && is_num "$new1" && [ "$new2" -gt "$new1" ]; then
	ok "new connections kept coming without a manager ($new1 -> $new2)"
else
	fail "no new connections without a manager (${new1:-?} -> ${new2:-?})"
fi

touch "$TOPO_RUN/stop"
wait "$pid4" "$pid6"
for tag in v4 v6; do
	json=$(cat "$TOPO_RUN/$tag.json")
	echo "connload $tag: $json"
	check_long_load "$tag connections across the re-up" "$json" 50
done
check_no_kernel_forward
sys_finish
