#!/bin/bash
# test_nat_return.sh BUILD - nat mode, IPv4 and IPv6, and its return path.
# The devices listen on 8080 (TCP) and 5353 (UDP) while the VIPs are :80
# and :53, so both address and port are rewritten both ways. The client's
# sockets are connected to the VIP: a TCP handshake completes, and a UDP
# reply is received, only if the reply comes from VIP:port. The replies
# come back through the balancer (nat_reply counts them), not the kernel.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=300

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$H_VIP4:80/tcp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:80/tcp" 4 8080 1 1 || sys_abort "pool setup"
H_ok vip add "[$H_VIP6]:80/tcp" mode nat policy wrr || sys_abort "vip6 add"
topo_pool "$P" "[$H_VIP6]:80/tcp" 6 8080 1 1 6 || sys_abort "pool6 setup"
H_ok vip add "[$H_VIP6]:53/udp" mode nat || sys_abort "vip6 udp add"
topo_pool "$P" "[$H_VIP6]:53/udp" 6 5353 1 1 u6 || sys_abort "pool6 udp setup"

before=$(hstat nat_reply)
json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n $N --bytes 20000 --json)
check_load "IPv4 TCP via $H_VIP4:80 (device port 8080)" "$json" $N
json=$(topo_connload "$P" --tcp "[$H_VIP6]:80" -n $N --bytes 20000 --json)
check_load "IPv6 TCP via [$H_VIP6]:80 (device port 8080)" "$json" $N
json=$(topo_connload "$P" --udp "[$H_VIP6]:53" -n $N --json)
check_load "IPv6 UDP via [$H_VIP6]:53 (device port 5353)" "$json" $N
after=$(hstat nat_reply)

# Each TCP connection sends at least SYN-ACK, banner, echo and FIN back.
replies=$((${after:-0} - ${before:-0}))
if [ "$replies" -ge $((N * 2 * 4 + N)) ]; then
	ok "hauler stats: $replies NAT replies rewritten to the VIP"
else
	fail "hauler stats: nat_reply grew by $replies, want >= $((N * 2 * 4 + N))"
fi
# The client sees the VIP as its peer.
peers=$(topo_client "$P" ss -Htn state time-wait | awk '{print $4}' | sort -u | tr '\n' ' ')
case "$peers" in
"$H_VIP4:80 [$H_VIP6]:80 " | "[$H_VIP6]:80 $H_VIP4:80 ") ok "client's closed connections were with the VIPs only: $peers" ;;
*) fail "client's TCP peers: $peers (want only $H_VIP4:80 and [$H_VIP6]:80)" ;;
esac
check_no_kernel_forward
sys_finish
