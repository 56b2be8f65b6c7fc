#!/bin/bash
# test_pmtu_tunnel.sh BUILD - path-MTU discovery through an ipip VIP whose
# device sits behind a router with a smaller MTU (bpf/icmp.h,
# icmp_from_tunnel).
#
#   client (MTU 1400) -- balancer -- router -- device (lib.sh, router_up)
#                        +20/+40 of          link MTU 1360
#                        tunnel header
#
# The client's full-size segments, encapsulated, fit the balancer's link
# (1420 / 1440 of 1500) but not the router's link to the device: the
# router answers the tunnel's source, the balancer, with "fragmentation
# needed" / "packet too big" (MTU 1360), quoting the tunnel packet. XDP
# finds the client's flow under the tunnel header and tells the client,
# from the VIP, the MTU less the tunnel header (icmp_tunnel_too_big): its
# path MTU to the VIP becomes 1340 / 1320 and every transfer completes
# (without the answer each one stalls: the router's error would go to the
# balancer's own stack). The device answers the client directly, through
# the router; the balancer's kernel forwards nothing.
SYS_LIMIT=${SYS_LIMIT:-150}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
MTU=1360
router_up ipip $MTU || sys_abort "topology, router, device and VIPs setup"

check_pmtu "ipip, $MTU behind a router" 81 $((MTU - 20)) $((MTU - 40)) 10
n=$(hstat icmp_tunnel_too_big)
if [ "${n:-0}" -ge 2 ]; then
	ok "hauler stats: icmp_tunnel_too_big $n (the router's answers, for the client)"
else
	fail "hauler stats: icmp_tunnel_too_big ${n:-?}, want at least one per family"
fi
n=$(hstat too_big_sent)
if [ "${n:-1}" -eq 0 ]; then
	ok "hauler stats: too_big_sent 0 (the balancer's own link was never too small)"
else
	fail "hauler stats: too_big_sent ${n:-?}, want 0 (the router, not the balancer, must answer)"
fi
check_no_kernel_forward
sys_finish
