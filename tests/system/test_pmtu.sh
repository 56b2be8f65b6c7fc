#!/bin/bash
# test_pmtu.sh BUILD - path-MTU discovery through an ipip VIP (bpf/icmp.h).
#
# The client's link is made as large as the devices' (1500): its
# full-size TCP segments no longer fit once the balancer adds the tunnel
# header. Without an answer they are dropped and the transfers stall;
# with "fragmentation needed" (IPv4) / "packet too big" (IPv6) from the
# VIP the client's stack lowers its path MTU to 1480 / 1460 and every
# transfer completes, through XDP alone (the kernel forwards nothing).
SYS_LIMIT=${SYS_LIMIT:-150}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=10

ipip_up
topo_client "$P" ip link set eth0 mtu 1500 || sys_abort "client MTU"

check_pmtu ipip 80 1480 1460 $N
n=$(hstat too_big_sent)
if [ "${n:-0}" -ge 2 ]; then
	ok "hauler stats: too_big_sent $n"
else
	fail "hauler stats: too_big_sent ${n:-?}, want at least one per family"
fi
check_no_kernel_forward
sys_finish
