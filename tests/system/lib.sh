# shellcheck shell=bash
# lib.sh - what every system test shares. A test does:
#
#   . "$(dirname "$0")/lib.sh"
#   sys_init "$@"            # BUILD from $1, prefix $P, traps, watchdog
#   topo_up "$P" nat || sys_abort "topology"
#   ... check ... || fail "what went wrong"
#   sys_finish               # exit 0 when nothing failed
#
# Every check prints one line: "ok: ..." or "FAIL: ...". A test must end
# within SYS_LIMIT seconds; the watchdog ends it (and so cleans up) if not.

SYS_LIMIT=${SYS_LIMIT:-85}
SYS_FAILED=0
SYS_BG_PIDS=""
SYS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tools/topology.sh
. "$SYS_DIR/../../tools/topology.sh"

# sys_init BUILD: set BUILD, the prefix P, cleanup traps and the watchdog.
sys_init() {
	BUILD=$(realpath -m "${1:-build}")
	# shellcheck disable=SC2034 # read by topology.sh's functions
	TOPO_BUILD=$BUILD
	P=hlr$$
	SYS_NAME=$(basename "$0" .sh)
	SYS_T0=$(date +%s)
	trap sys_cleanup EXIT
	trap 'echo "FAIL: interrupted or over ${SYS_LIMIT}s" >&2; exit 1' INT TERM
	(
		sleep "$SYS_LIMIT"
		# The test's children first: a trap waits for the foreground one.
		# shellcheck disable=SC2046 # a list of pids
		kill -TERM $(ps -o pid= --ppid $$) $$ 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	SYS_WATCHDOG=$!
	topo_vars "$P"
	# shellcheck disable=SC2034 # used by the tests
	H_VIP4=$TOPO_VIP4 H_VIP6=$TOPO_VIP6
}

sys_cleanup() {
	local pid
	for pid in $SYS_BG_PIDS; do
		kill "$pid" 2>/dev/null
	done
	kill "$SYS_WATCHDOG" 2>/dev/null
	topo_down "$P"
}

# A background process the cleanup must stop.
sys_bg() { SYS_BG_PIDS="$SYS_BG_PIDS $1"; }

fail() {
	echo "FAIL: $*"
	SYS_FAILED=1
}

ok() { echo "ok: $*"; }

# Give up at once (setup failed): cleanup runs from the EXIT trap.
sys_abort() {
	echo "FAIL: $* (aborting)"
	exit 1
}

sys_finish() {
	local secs=$(($(date +%s) - SYS_T0))
	if [ "$SYS_FAILED" -eq 0 ]; then
		echo "PASS: $SYS_NAME (${secs}s)"
		exit 0
	fi
	echo "FAILED: $SYS_NAME (${secs}s)"
	exit 1
}

# hauler in the balancer namespace, on this test's pins.
H() { topo_hauler "$P" "$@"; }

# H but failing the test (with hauler's message) when the command fails.
H_ok() {
	local err
	if ! err=$(topo_hauler "$P" "$@" 2>&1 >/dev/null); then
		fail "hauler $*: ${err:-exit status non-zero}"
		return 1
	fi
}

# json_num JSON KEY: a top-level number of connload's --json line.
json_num() {
	local v
	v=$(printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p")
	echo "${v:-0}"
}

# json_dev JSON ID: connections the device ID served, 0 when none.
json_dev() {
	local v
	v=$(printf '%s' "$1" | sed -n "s/.*\"by_device\":{[^}]*\"$2\":\([0-9]*\).*/\1/p")
	echo "${v:-0}"
}

# connload's result must show all TOTAL connections fine.
check_load() {
	local what=$1 json=$2 total=$3 okc failed
	okc=$(json_num "$json" ok)
	failed=$(json_num "$json" failed)
	if [ "$okc" -eq "$total" ] && [ "$failed" -eq 0 ]; then
		ok "$what: $okc/$total fine"
	else
		fail "$what: ok $okc of $total, failed $failed (reset $(json_num "$json" reset)," \
			"stalled $(json_num "$json" stalled), corrupt $(json_num "$json" corrupt))"
	fi
}

# hstat NAME: a datapath counter (packets) from `hauler stats`.
hstat() {
	H stats | awk -v n="$1" '$1 == n { print $2; exit }'
}

# The kernel of the balancer forwarded nothing (the nft hook saw nothing).
# A TCP RST may: when both ends reset at once, the first RST ends the
# flow's entries (as it must) and the crossing one finds none and is
# passed to the kernel. Anything else is a failure.
check_no_kernel_forward() {
	local n rst
	n=$(topo_kernel_forwarded "$P")
	rst=$(topo_kernel_forwarded_rst "$P")
	if [ -n "$n" ] && [ -n "$rst" ] && [ "$n" -gt 0 ] && [ "$n" = "$rst" ]; then
		ok "balancer kernel forwarded only $rst crossing TCP RSTs (entries already ended)"
	elif [ "${n:-x}" = 0 ]; then
		ok "balancer kernel forwarded nothing (nft forward hook: 0 packets)"
	else
		fail "balancer kernel forward path saw ${n:-?} packets (XDP should have sent them)"
		topo_kernel_forwarded_detail "$P"
	fi
}

# Wait up to $2 seconds for file $1.
wait_file() {
	local n=$(($2 * 10))
	while [ ! -e "$1" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ -e "$1" ]
}

# le N BYTES: N as BYTES little-endian hex bytes.
le() {
	local v=$1 n=$2 i out=""
	for ((i = 0; i < n; i++)); do
		out="$out $(printf '%02x' $(((v >> (8 * i)) & 255)))"
	done
	echo "$out"
}

# set_state NAME CMP LATENCY_US: a fresh report for device NAME, written
# straight into the pinned dev_state (as if its agent had sent it).
set_state() {
	local id now
	id=$(H device show | awk -v n="$1" '$2 == n { print $1 }')
	now=$(awk '/^now at/ { print $3; exit }' /proc/timer_list)
	[ -n "$id" ] && [ -n "$now" ] || return 1
	# struct dev_state: cmp mem net queue, latency_us, live_conns,
	# assigned, seq, updated_ns, period_ms, version busy pad (version 0:
	# no period, stale after the VIP's stale-ms, as a version-1 agent).
	# shellcheck disable=SC2046 # byte lists
	bpftool map update pinned "$TOPO_PIN/dev_state" key hex $(le "$id" 4) value hex \
		$(le "$2" 1) $(le "$2" 1) $(le "$2" 1) $(le "$2" 1) $(le "$3" 4) $(le 0 4) $(le 0 4) \
		$(le 1 8) $(le $((now - 50000000)) 8) $(le 0 4) $(le 0 4)
}
