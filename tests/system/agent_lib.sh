# shellcheck shell=bash
# agent_lib.sh - what the system tests of hauler-agent share: the agent in
# a device's namespace, its key, and dev_state read back with bpftool.
# Source it after lib.sh; it needs $P, $TOPO_PIN, $TOPO_LB4 and
# AGENT=$BUILD/hauler-agent.

# nsenter "$(ns DEV)" CMD...: CMD in DEV's network namespace, as itself
# (its pid is $! when run with &). Not `ip netns exec`: that mounts a fresh
# /sys, without the cgroup file systems the agent reads.
ns() { echo "--net=/run/netns/$P-$1"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The kernel's monotonic clock (what bpf_ktime_get_coarse_ns reads), in ns.
ktime_ns() { awk '/^now at/ { print $3; exit }' /proc/timer_list; }

# id_bytes ID: a u32 map key for bpftool.
id_bytes() { echo "$(($1 & 255)) $(($1 >> 8 & 255)) 0 0"; }

# dev_state_json ID: dev_state[ID] as bpftool prints it.
dev_state_json() {
	# shellcheck disable=SC2046 # a list of bytes
	bpftool -j map lookup pinned "$TOPO_PIN/dev_state" key $(id_bytes "$1") 2>/dev/null
}

# dev_state ID FIELD: one field of dev_state[ID] (numbers, from BTF).
dev_state() {
	dev_state_json "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# dev_id NAME: the device's id from `hauler device show -j`.
dev_id() {
	H -j device show "$1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1
}

# dev_key NAME ID FILE: give the device a key with `hauler device key NAME`
# and write it to FILE (mode 600) for the agent; 1 when hauler fails or
# prints anything but one key (ID is the device's id, kept for callers).
dev_key() {
	local out
	out=$(H device key "$1") || return 1
	[[ $out =~ ^[0-9a-f]{32}$ ]] || { echo "    hauler device key $1 printed '$out'"; return 1; }
	(umask 077 && echo "$out" >"$3")
}

# agent DEV ID KEYFILE ARGS...: hauler-agent in DEV's namespace, in the background.
agent() {
	local dev=$1 id=$2 keyfile=$3
	shift 3
	nsenter "$(ns "$dev")" "$AGENT" --device "$id" --key-file "$keyfile" \
		--balancer "$TOPO_LB4" --source "$(topo_dev_addr4 "$dev")" "$@" \
		</dev/null >>"$TOPO_RUN/agent-$dev.log" 2>&1 &
}
