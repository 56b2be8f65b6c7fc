#!/bin/bash
# demo.sh BUILD_DIR - hauler in a namespace topology, in about a minute.
#
# A client, a one-armed balancer running hauler's XDP program, and two
# servers with two devices each: a CPU and an "accelerator" limited to 20%
# of a CPU. A nat-mode VIP spreads connections by device weight (wrr),
# then its policy is swapped to hash while long-lived connections run.
# Last, requests that cost CPU (workd): agents report each device's load,
# the accelerator is made busy, and the load-aware policy lur moves new
# requests away from it and back, second by second on screen.
# Everything is removed on exit, Ctrl-C included. Needs root.
set -u
BUILD=$(realpath -m "${1:-build}")
cd "$(dirname "$0")/.." || exit 1
# shellcheck disable=SC2034 # read by topology.sh's functions
TOPO_BUILD=$BUILD
# shellcheck source=topology.sh
. tools/topology.sh

P=hlr$$
topo_reap_stale # what a killed earlier run left
trap 'echo; echo "== teardown"; topo_down "$P"; echo "removed namespaces, pins and cgroups of $P"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section() { printf '\n== %s\n' "$*"; }
H() {
	echo "# hauler $*"
	topo_hauler "$P" "$@"
}
load() {
	echo "# connload $*"
	topo_connload "$P" "$@"
}

[ "$(id -u)" = 0 ] || { echo "demo.sh: needs root (namespaces, XDP)" >&2; exit 1; }

section "topology"
topo_up "$P" nat || exit 1
topo_vars "$P"
VIP=$TOPO_VIP4:80/tcp
cat <<EOF
client   $TOPO_CL4          ($P-cl)
balancer 10.$TOPO_X.1.1, $TOPO_LB4   ($P-lb, one arm, XDP on eth0)
devices  s1cpu $(topo_dev_addr4 s1cpu)  s1acc $(topo_dev_addr4 s1acc)  (server s1)
         s2cpu $(topo_dev_addr4 s2cpu)  s2acc $(topo_dev_addr4 s2acc)  (server s2)
         each runs echod on :8080; the acc devices get ${TOPO_ACC_CPU}% of a CPU
EOF

section "configuration: VIP $VIP, nat mode, wrr, cpu weight 3, acc weight 1"
H up eth0 || exit 1
topo_hauler "$P" vip add "$VIP" mode nat policy wrr || exit 1
topo_pool "$P" "$VIP" 4 8080 3 1 || exit 1
H save

section "300 connections, 4 KiB echoed each (wrr: the acc devices get 1 in 4 of their server's)"
load --tcp "$TOPO_VIP4:80" -n 300 --bytes 4096

section "where they went"
H device show
echo
topo_hauler "$P" stats | sed -n '/^vips:/,$p'
echo "datapath: $(topo_hauler "$P" stats | awk '$1 == "fwd_tx" || $1 == "nat_reply" || $1 == "conn_new" { printf "%s %s  ", $1, $2 }')"
kf=$(topo_kernel_forwarded "$P")
if [ "$kf" = 0 ]; then
	echo "kernel forward path of the balancer: 0 packets (all forwarding was XDP)"
else
	echo "kernel forward path of the balancer: $kf packets (dropped there), by protocol:"
	topo_kernel_forwarded_detail "$P"
fi

section "policy swap to hash while 50 long-lived connections transfer data"
topo_connload "$P" --tcp "$TOPO_VIP4:80" --long 50 --duration 60 --bytes 1024 \
	--ready-file "$TOPO_RUN/ready" --stop-file "$TOPO_RUN/stop" >"$TOPO_RUN/long.txt" &
long=$!
for _ in $(seq 50); do [ -e "$TOPO_RUN/ready" ] && break; sleep 0.1; done
H policy set "$VIP" hash
H policy show "$VIP"
load --tcp "$TOPO_VIP4:80" -n 300 --bytes 4096
sleep 1
touch "$TOPO_RUN/stop"
wait "$long"
echo "# the 50 long-lived connections, across the swap:"
cat "$TOPO_RUN/long.txt"

section "and back to wrr"
H policy set "$VIP" wrr
load --tcp "$TOPO_VIP4:80" -n 300 --bytes 4096

# ---- The point of it: a load-aware policy steers requests off a busy accelerator.
# shellcheck source=workload.sh
. tools/workload.sh
WL_WORK_US=1000
section "requests that cost CPU: workd on every device (a cpu device ${WL_CPU_PCT}% of a CPU, an acc device ${WL_ACC_PCT}% and ${WL_ACC_SLOW}x the work per request)"
wl_start "$P" "$(wl_calibrate)" || exit 1
WVIP=$TOPO_VIP4:$WL_PORT
H vip add "$WVIP/udp" mode nat policy lur metric cmp
topo_hauler "$P" server add w1 vip "$WVIP/udp" >/dev/null
topo_hauler "$P" device add w1cpu server w1 addr "$(topo_dev_addr4 s1cpu)" port "$WL_PORT" kind cpu weight 5 >/dev/null
topo_hauler "$P" device add w1acc server w1 addr "$(topo_dev_addr4 s1acc)" port "$WL_PORT" kind smartnic weight 1 >/dev/null
wl_keys "$P" w1cpu w1acc || exit 1
wl_agent "$P" s1cpu w1cpu --rate 100 --window 50 || exit 1
wl_agent "$P" s1acc w1acc --rate 100 --window 50 || exit 1
echo "agents on s1cpu and s1acc report their cgroup's CPU use (cmp) 100 times a second;"
echo "policy lur sends each new request to the device with the lowest cmp"

# One line per second: the devices' cmp as the balancer sees it, and where
# that second's new requests went.
cmp_of() { topo_hauler "$P" -j device show "$1" | sed -n 's/.*"cmp":\([0-9]*\).*/\1/p' | head -1; }
watch_secs() {
	local what=$1 n=$2 json c a cc ca
	for _ in $(seq "$n"); do
		wl_load "$P" --udp "$WVIP" --rate 60 --duration 1 --timeout-ms 1000 --ports 20000-59999 \
			--json >"$TOPO_RUN/second.json" &
		sleep 0.6 # the load as the balancer sees it, mid-second
		cc=$(cmp_of w1cpu)
		ca=$(cmp_of w1acc)
		wait $!
		json=$(cat "$TOPO_RUN/second.json")
		c=$(printf '%s' "$json" | sed -n 's/.*"s1cpu":{"n":\([0-9]*\).*/\1/p')
		a=$(printf '%s' "$json" | sed -n 's/.*"s1acc":{"n":\([0-9]*\).*/\1/p')
		printf '%-22s cmp s1cpu %3s%%  s1acc %3s%%   new requests: s1cpu %3s  s1acc %3s   P99 %s ms\n' \
			"$what" "$cc" "$ca" "${c:-0}" "${a:-0}" \
			"$(printf '%s' "$json" | sed -n 's/.*"p99_ms":\([0-9.]*\|null\).*/\1/p')"
	done
}
section "60 requests/s through $WVIP/udp (lur): both devices take requests"
watch_secs "accelerator idle" 4
section "something else makes the accelerator busy (a busy loop in its cgroup)"
(
	for d in $(wl_cg_dirs "$P" s1acc); do echo "$BASHPID" >"$d/cgroup.procs"; done
	exec nsenter "--net=/run/netns/$P-s1acc" bash -c 'while :; do :; done'
) </dev/null >/dev/null 2>&1 &
busy=$!
watch_secs "accelerator busy" 4
kill "$busy" 2>/dev/null
wait "$busy" 2>/dev/null
section "the busy loop ends: new requests go back to the accelerator"
watch_secs "accelerator free again" 4
