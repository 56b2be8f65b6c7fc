#!/bin/bash
# test_pmtu_router.sh BUILD - path-MTU discovery through a nat VIP whose
# device sits behind a router with a smaller MTU (bpf/icmp.h, icmp_to_client).
#
#   client (MTU 1500) -- balancer -- router PREFIX-rt -- device PREFIX-d9
#                                    eth0 on the bridge   eth0 10.X.3.9, fd00:X:3::9
#                                    eth1 MTU 1280        MTU 1280, default via the router
#                                                         (advmss of a 1500 path)
#
# The client's full-size segments fit the balancer (nat grows nothing)
# but not the router's link to the device: the router answers the client
# "fragmentation needed" / "packet too big", quoting client -> device. On
# its way back through the balancer XDP translates the quote to client ->
# VIP (the router's own source stays), so the client's stack lowers its
# path MTU to the VIP to 1280 and every transfer completes, the kernel of
# the balancer forwarding nothing.
SYS_LIMIT=${SYS_LIMIT:-150}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=10
MTU=1280

topo_up "$P" nat || sys_abort "topology setup"
# Ours too: topo_down (the EXIT trap) stops what runs in them and removes them.
TOPO_NSES="$TOPO_NSES rt d9"
RT=$P-rt D9=$P-d9
R4=10.$TOPO_X.2.40 R6=fd00:$TOPO_X:2::40
D4=10.$TOPO_X.3.9 D6=fd00:$TOPO_X:3::9
# router_setup: the two namespaces, their links, addresses, routes and
# permanent neighbours (no packet meets an unresolved one); 1 on failure.
router_setup() {
	local ns rtmac
	for ns in "$RT" "$D9"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null || return 1
	done
	ip -n "$RT" link add eth0 type veth peer name rt netns "$TOPO_NS_NET" || return 1
	ip -n "$TOPO_NS_NET" link set rt master br0 up || return 1
	ip -n "$RT" link add eth1 mtu $MTU type veth peer name eth0 netns "$D9" || return 1
	ip -n "$D9" link set eth0 mtu $MTU || return 1
	for ns in "$RT" "$D9"; do
		ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up || return 1
		# Full checksums on the wire, as the topology's links have.
		ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || true
	done
	ip -n "$RT" link set eth1 up || return 1
	ip netns exec "$RT" ethtool -K eth1 tx off >/dev/null 2>&1 || true
	rtmac=$(ip -n "$RT" -br link show dev eth1 | awk '{print $3}')

	# Router: forwards, and answers every too-big packet (no ICMP rate limit).
	ip -n "$RT" addr add "$R4/24" dev eth0 &&
		ip -n "$RT" addr add "$R6/64" dev eth0 nodad &&
		ip -n "$RT" addr add "10.$TOPO_X.3.1/24" dev eth1 &&
		ip -n "$RT" addr add "fd00:$TOPO_X:3::1/64" dev eth1 nodad &&
		ip netns exec "$RT" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null &&
		ip -n "$RT" route add "10.$TOPO_X.1.0/24" via "$TOPO_LB4" &&
		ip -n "$RT" route add "fd00:$TOPO_X:1::/64" via "$TOPO_LB6" &&
		ip -n "$RT" neigh replace "$TOPO_LB4" lladdr "$(_topo_mac "$TOPO_NS_LB")" dev eth0 \
			nud permanent &&
		ip -n "$RT" neigh replace "$TOPO_LB6" lladdr "$(_topo_mac "$TOPO_NS_LB")" dev eth0 \
			nud permanent &&
		ip -n "$RT" neigh replace "$D4" lladdr "$(_topo_mac "$D9")" dev eth1 nud permanent &&
		ip -n "$RT" neigh replace "$D6" lladdr "$(_topo_mac "$D9")" dev eth1 nud permanent ||
		return 1
	# Device: behind the router. It offers the MSS of a 1500-byte path (as
	# a device on a 1500 link behind a smaller hop would), so the client
	# sends segments that only the router cannot pass on.
	ip -n "$D9" addr add "$D4/24" dev eth0 &&
		ip -n "$D9" addr add "$D6/64" dev eth0 nodad &&
		ip -n "$D9" route add default via "10.$TOPO_X.3.1" advmss 1460 &&
		ip -n "$D9" route add default via "fd00:$TOPO_X:3::1" advmss 1440 &&
		ip -n "$D9" neigh replace "10.$TOPO_X.3.1" lladdr "$rtmac" dev eth0 nud permanent &&
		ip -n "$D9" neigh replace "fd00:$TOPO_X:3::1" lladdr "$rtmac" dev eth0 nud permanent ||
		return 1
	# Balancer: the device's subnet via the router.
	ip -n "$TOPO_NS_LB" route add "10.$TOPO_X.3.0/24" via "$R4" &&
		ip -n "$TOPO_NS_LB" route add "fd00:$TOPO_X:3::/64" via "$R6" &&
		ip -n "$TOPO_NS_LB" neigh replace "$R4" lladdr "$(_topo_mac "$RT")" dev eth0 \
			nud permanent &&
		ip -n "$TOPO_NS_LB" neigh replace "$R6" lladdr "$(_topo_mac "$RT")" dev eth0 \
			nud permanent
}
router_setup || sys_abort "router and device setup"
(exec ip netns exec "$D9" "$BUILD/tools/echod" --name d9 --tcp 80 \
	--pidfile "$TOPO_RUN/d9.pid") </dev/null >>"$TOPO_RUN/d9.log" 2>&1 &
_topo_wait_files 5 "$TOPO_RUN/d9.pid" || sys_abort "echod in $D9"

H_ok up eth0 || sys_abort "hauler up"
for fam in 4 6; do
	if [ $fam = 4 ]; then vip="$H_VIP4:81/tcp" addr=$D4; else vip="[$H_VIP6]:81/tcp" addr=$D6; fi
	H_ok vip add "$vip" mode nat policy wrr || sys_abort "vip add $vip"
	H_ok server add "s9v$fam" vip "$vip" || sys_abort "server add for $vip"
	H_ok device add "d9v$fam" server "s9v$fam" addr "$addr" port 80 kind cpu weight 1 ||
		sys_abort "device add for $vip"
done
topo_client "$P" ip link set eth0 mtu 1500 || sys_abort "client MTU"

# The client learns the path MTU to each VIP from the router, through the balancer.
check_pmtu "nat, $MTU behind a router" 81 $MTU $MTU $N
n=$(hstat icmp_to_client)
if [ "${n:-0}" -ge 2 ]; then
	ok "hauler stats: icmp_to_client $n (the router's answers, translated)"
else
	fail "hauler stats: icmp_to_client ${n:-?}, want at least one per family"
fi
check_no_kernel_forward
sys_finish
