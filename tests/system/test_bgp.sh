#!/bin/bash
# test_bgp.sh BUILD - VIPs announced through BIRD 2: a router namespace
# and two balancer namespaces, each balancer running hauler (XDP on its
# uplink) with the same VIP and `hauler daemon --bird FILE`, and a BIRD
# speaking eBGP to the router; the router's BIRD merges equal paths
# (ECMP) into its kernel table. Checks: the router's route to the VIP
# has both balancers as next hops; a balancer whose only device goes
# down withdraws it (one next hop left) and announces it again when the
# device is back; a daemon stopped with SIGTERM withdraws it. (Traffic
# over the ECMP route is not sent here: docs/operations.md, "BGP".)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgp_lib.sh"
sys_init "$@"
bgp_need_bird
X=$((($$ % 200) + 20))
VIP=10.$X.100.1 R=$P-r RUN=/run/$P
BIRD_PIDS=""
bgp_cleanup() {
	local b pid
	for pid in $BIRD_PIDS; do kill "$pid" 2>/dev/null; done
	for b in b1 b2; do
		ip netns exec "$P-$b" "$BUILD/hauler" -p "$RUN/$b/bpf" down >/dev/null 2>&1
		umount "$RUN/$b/bpf" 2>/dev/null
		ip netns del "$P-$b" 2>/dev/null
	done
	ip netns del "$R" 2>/dev/null
	rm -rf "$RUN"
	sys_cleanup
}
trap bgp_cleanup EXIT

ip netns add "$R" || sys_abort "netns"
ip -n "$R" link set lo up
mkdir -p "$RUN"
bird_router_conf "$RUN/router.conf" "10.$X.11.1" "10.$X.11.2" "10.$X.12.2"
for i in 1 2; do
	b=b$i ns=$P-b$i
	ip netns add "$ns" || sys_abort "netns $ns"
	ip link add "$P-r$i" type veth peer name eth0 netns "$ns" || sys_abort "veth"
	ip link set "$P-r$i" netns "$R"
	ip -n "$R" link set "$P-r$i" up
	ip -n "$R" addr add "10.$X.1$i.1/24" dev "$P-r$i"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" addr add "10.$X.1$i.2/24" dev eth0
	mkdir -p "$RUN/$b/bpf"
	mount -t bpf bpf "$RUN/$b/bpf" || sys_abort "bpffs"
	bird_balancer_conf "$RUN/$b/bird.conf" "10.$X.1$i.2" $i "10.$X.1$i.1" "$RUN/$b/routes.conf"
done
# hauler IN B ARGS...: hauler in balancer B's namespace, on its pins.
hb() {
	local b=$1
	shift
	ip netns exec "$P-$b" "$BUILD/hauler" -p "$RUN/$b/bpf" "$@"
}
ip netns exec "$R" bird -c "$RUN/router.conf" -s "$RUN/router.ctl" -P "$RUN/router.pid" ||
	sys_abort "router bird"
BIRD_PIDS="$(cat "$RUN/router.pid")"
for b in b1 b2; do
	hb $b up eth0 >/dev/null || sys_abort "hauler up in $b"
	hb $b vip add "$VIP:80/tcp" mode ipip policy hash || sys_abort "vip add in $b"
	hb $b server add s1 vip "$VIP:80/tcp" || sys_abort "server add in $b"
	hb $b device add d1 server s1 addr "10.$X.200.1" port 80 || sys_abort "device add in $b"
	ip netns exec "$P-$b" "$BUILD/hauler" -p "$RUN/$b/bpf" daemon --bird "$RUN/$b/routes.conf" \
		--bird-socket "$RUN/$b/bird.ctl" >"$RUN/$b/daemon.log" 2>&1 &
	sys_bg $!
	echo $! >"$RUN/$b/daemon.pid"
	wait_file "$RUN/$b/routes.conf" 10 || sys_abort "$b: the daemon wrote no routes file"
	ip netns exec "$P-$b" bird -c "$RUN/$b/bird.conf" -s "$RUN/$b/bird.ctl" -P "$RUN/$b/bird.pid" ||
		sys_abort "bird in $b"
	BIRD_PIDS="$BIRD_PIDS $(cat "$RUN/$b/bird.pid")"
done

# expect_hops WHAT WANT: within 20 s.
expect_hops() {
	if bgp_wait_hops "$R" "$VIP" "$2"; then
		ok "$1: next hops to $VIP: ${BGP_HOPS:-none}"
	else
		fail "$1: next hops to $VIP: '$BGP_HOPS', want '$2' ($(ip -n "$R" route show "$VIP" | tr '\n' ' '))"
	fi
}
both="10.$X.11.2 10.$X.12.2 "
expect_hops "both balancers announce, ECMP on the router" "$both"
grep -q "route $VIP/32 blackhole" "$RUN/b1/routes.conf" && ok "b1's routes file holds the VIP" ||
	fail "b1's routes file: $(cat "$RUN/b1/routes.conf")"
hb b1 device set d1 state down || fail "device set down"
expect_hops "b1's only device down: b1 withdraws" "10.$X.12.2 "
hb b1 device set d1 state up || fail "device set up"
expect_hops "b1's device up again: announced again" "$both"
kill -TERM "$(cat "$RUN/b2/daemon.pid")"
wait "$(cat "$RUN/b2/daemon.pid")" && ok "b2's daemon exited 0 on SIGTERM" || fail "b2's daemon exit status"
expect_hops "b2's daemon stopped: b2 withdraws" "10.$X.11.2 "
grep -q "BIRD reconfigured" "$RUN/b1/daemon.log" && ok "b1's daemon logs its announcements" ||
	fail "b1's daemon log: $(cat "$RUN/b1/daemon.log")"
sys_finish
