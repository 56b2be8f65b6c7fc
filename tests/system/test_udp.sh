#!/bin/bash
# test_udp.sh BUILD - a nat-mode UDP VIP: 1000 datagrams, each from its own
# socket (its own source port, so its own flow), all answered with the
# right echo by some device, over both servers; IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=1000

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$H_VIP4:53/udp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:53/udp" 4 5353 3 1 || sys_abort "pool setup"
H_ok vip add "[$H_VIP6]:53/udp" mode nat policy hash || sys_abort "vip6 add"
topo_pool "$P" "[$H_VIP6]:53/udp" 6 5353 1 1 6 || sys_abort "pool6 setup"

for vip in "$H_VIP4:53" "[$H_VIP6]:53"; do
	json=$(topo_connload "$P" --udp "$vip" -n $N -c 100 --bytes 200 --timeout 3 --json)
	echo "connload: $json"
	check_load "UDP datagrams to $vip" "$json" $N
	for dev in $TOPO_DEVS; do
		got=$(json_dev "$json" "$dev")
		if [ "$got" -gt 0 ]; then
			ok "$vip: $dev answered $got"
		else
			fail "$vip: $dev answered none"
		fi
	done
done
new=$(hstat conn_new)
if [ "${new:-0}" -ge $((2 * N)) ]; then
	ok "hauler stats: conn_new $new (one flow per datagram)"
else
	fail "hauler stats: conn_new ${new:-?}, want >= $((2 * N))"
fi
check_no_kernel_forward
sys_finish
