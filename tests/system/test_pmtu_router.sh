#!/bin/bash
# test_pmtu_router.sh BUILD - path-MTU discovery through a nat VIP whose
# device sits behind a router with a smaller MTU (bpf/icmp.h, icmp_to_client).
#
#   client (MTU 1500) -- balancer -- router -- device (lib.sh, router_up)
#                                              link MTU 1280
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

router_up nat $MTU || sys_abort "topology, router, device and VIPs setup"
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
