#!/bin/bash
# test_tcp_spread.sh BUILD - a nat-mode TCP VIP spreads 1000 connections
# over 2 servers x 2 devices by device weight (wrr: cpu 3, acc 1), every
# byte echoed intact, all forwarded by XDP (the balancer's kernel forward
# path drops and counts, and counts nothing).
#
# Expected shares: the server tier (Maglev, equal weights) halves the
# connections, wrr gives the cpu device 3 of every 4 of its server's:
# cpu 37.5 %, acc 12.5 % each. Tolerance: +-5 percentage points per
# device (the Maglev split of 1000 flows varies by ~1.6 points, 1 sigma).
. "$(dirname "$0")/lib.sh"
sys_init "$@"
TOLERANCE=5
N=1000

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$H_VIP4:80/tcp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:80/tcp" 4 8080 3 1 || sys_abort "pool setup"

json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n $N -c 100 --bytes 2000 --timeout 10 --json)
echo "connload: $json"
check_load "TCP connections through $H_VIP4:80" "$json" $N

for dev in $TOPO_DEVS; do
	case $dev in
	*cpu) want=375 ;; # per mille
	*) want=125 ;;
	esac
	got=$(($(json_dev "$json" "$dev") * 1000 / N))
	diff=$((got - want))
	if [ ${diff#-} -le $((TOLERANCE * 10)) ]; then
		ok "$dev served $got/1000 (want $want/1000 +-$((TOLERANCE * 10)))"
	else
		fail "$dev served $got/1000, want $want/1000 +-$((TOLERANCE * 10))"
	fi
done

new=$(hstat conn_new)
tx=$(hstat fwd_tx)
if [ "${new:-0}" -ge $N ] && [ "${tx:-0}" -ge $((N * 6)) ]; then
	ok "hauler stats: conn_new $new, fwd_tx $tx"
else
	fail "hauler stats: conn_new ${new:-?} (want >= $N), fwd_tx ${tx:-?} (want >= $((N * 6)))"
fi
check_no_kernel_forward
sys_finish
