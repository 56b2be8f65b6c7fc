#!/bin/bash
# test_udp.sh BUILD - a nat-mode UDP VIP: 1000 datagrams, each from its own
# socket (its own source port, so its own flow), all answered with the
# right echo by some device, over both servers; IPv4 and IPv6. The IPv4
# VIP (wrr, CPU devices weight 3, accelerators 1) splits its flows 3:1,
# the IPv6 one (hash, 1:1) about evenly.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=1000

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$H_VIP4:53/udp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:53/udp" 4 5353 3 1 || sys_abort "pool setup"
H_ok vip add "[$H_VIP6]:53/udp" mode nat policy hash || sys_abort "vip6 add"
topo_pool "$P" "[$H_VIP6]:53/udp" 6 5353 1 1 6 || sys_abort "pool6 setup"

# VIP, the CPU devices' share in percent, its tolerance: wrr follows its
# 3:1 rings to within a turn of each; hash at 1:1 is within 5 standard
# deviations (1.6 % each at 1000 flows) of half.
for spec in "$H_VIP4:53 75 4" "[$H_VIP6]:53 50 8"; do
	read -r vip want tol <<<"$spec"
	json=$(topo_connload "$P" --udp "$vip" -n $N -c 100 --bytes 200 --timeout 3 --json)
	echo "connload: $json"
	check_load "UDP datagrams to $vip" "$json" $N
	cpu=0 acc=0
	for dev in $TOPO_DEVS; do
		got=$(json_dev "$json" "$dev") || { fail "$vip: no by_device in the result"; break; }
		if [ "$got" -gt 0 ]; then
			ok "$vip: $dev answered $got"
		else
			fail "$vip: $dev answered none"
		fi
		case "$dev" in
		*cpu) cpu=$((cpu + got)) ;;
		*) acc=$((acc + got)) ;;
		esac
	done
	pct=$((cpu * 100 / N))
	if [ $((cpu + acc)) -eq $N ] && [ "$pct" -ge $((want - tol)) ] &&
		[ "$pct" -le $((want + tol)) ]; then
		ok "$vip: CPU devices answered $cpu of $N ($pct %, want $want +- $tol)"
	else
		fail "$vip: CPU devices answered $cpu, accelerators $acc of $N ($pct %, want $want +- $tol)"
	fi
done
new=$(hstat conn_new)
if is_num "$new" && [ "$new" -ge $((2 * N)) ]; then
	ok "hauler stats: conn_new $new (one flow per datagram)"
else
	fail "hauler stats: conn_new ${new:-?}, want >= $((2 * N))"
fi
check_no_kernel_forward
sys_finish
