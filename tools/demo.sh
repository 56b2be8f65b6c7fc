#!/bin/bash
# demo.sh BUILD_DIR - hauler in a namespace topology, in about half a minute.
#
# A client, a one-armed balancer running hauler's XDP program, and two
# servers with two devices each: a CPU and an "accelerator" limited to 20%
# of a CPU. A nat-mode VIP spreads connections by device weight (wrr),
# then its policy is swapped to hash while long-lived connections run.
# Everything is removed on exit, Ctrl-C included. Needs root.
set -u
BUILD=$(realpath -m "${1:-build}")
cd "$(dirname "$0")/.." || exit 1
# shellcheck disable=SC2034 # read by topology.sh's functions
TOPO_BUILD=$BUILD
# shellcheck source=topology.sh
. tools/topology.sh

P=hlr$$
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
