#!/bin/bash
# test_ipip.sh BUILD - ipip mode: the balancer encapsulates to the device,
# the device decapsulates and replies to the client directly (direct
# server return), IPv4 (IPIP) and IPv6 (IP6IP6).
#
# Proof of the direct return: the balancer rewrote no reply (nat_reply
# stays 0) and its interface received only the client's direction: its RX
# count grows by about what the client sent, not by what the client got.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=300

ipip_up
H_ok vip add "$H_VIP4:53/udp" mode ipip || sys_abort "udp vip add"
topo_pool "$P" "$H_VIP4:53/udp" 4 53 1 1 u || sys_abort "udp pool setup"

cl_stat() { topo_client "$P" cat "/sys/class/net/eth0/statistics/$1"; }
lb_rx0=$(topo_rx_packets "$P")
cl_tx0=$(cl_stat tx_packets)
cl_rx0=$(cl_stat rx_packets)

json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n $N --bytes 50000 --json)
echo "connload: $json"
check_load "IPv4 TCP via $H_VIP4:80 in ipip mode" "$json" $N
json=$(topo_connload "$P" --tcp "[$H_VIP6]:80" -n $N --bytes 50000 --json)
echo "connload: $json"
check_load "IPv6 TCP via [$H_VIP6]:80 in ipip mode" "$json" $N
json=$(topo_connload "$P" --udp "$H_VIP4:53" -n $N --json)
check_load "IPv4 UDP via $H_VIP4:53 in ipip mode" "$json" $N

lb_rx=$(($(topo_rx_packets "$P") - lb_rx0))
cl_tx=$(($(cl_stat tx_packets) - cl_tx0))
cl_rx=$(($(cl_stat rx_packets) - cl_rx0))
echo "client sent $cl_tx and received $cl_rx packets; the balancer received $lb_rx"
# 2% + 20 slack for stray frames (neighbour discovery, router solicitations).
if [ "$lb_rx" -le $((cl_tx + cl_tx / 50 + 20)) ] && [ "$cl_rx" -ge $((N * 2 * 10)) ]; then
	ok "balancer RX grew by the forward direction only ($lb_rx <= client TX $cl_tx)"
else
	fail "balancer RX grew by $lb_rx, client sent $cl_tx and got $cl_rx: replies went through the balancer?"
fi
n=$(hstat nat_reply)
if [ "${n:-x}" = 0 ]; then
	ok "hauler stats: nat_reply 0"
else
	fail "hauler stats: nat_reply ${n:-?}, want 0"
fi
n=$(hstat fwd_tx)
# 50000 bytes each way: at least 37 data segments from the client alone.
if [ "${n:-0}" -ge $((N * 2 * 37)) ]; then
	ok "hauler stats: fwd_tx $n"
else
	fail "hauler stats: fwd_tx ${n:-?}, want >= $((N * 2 * 37))"
fi
check_no_kernel_forward
sys_finish
