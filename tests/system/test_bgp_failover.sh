#!/bin/bash
# test_bgp_failover.sh BUILD - established connections when a balancer is
# withdrawn (docs/operations.md, "BGP"). A client behind a router running
# BIRD; two hauler balancers, ipip mode, XDP on their LAN interface, each
# announcing the same VIP through its own BIRD (`hauler daemon --bird`);
# four devices on the same LAN, reached by both balancers, replying to
# the client through the router. The router's kernel spreads the flows
# over both balancers (ECMP, hashing the 5-tuple). The VIP has two ports,
# one per policy compared, each with a pool of the same four devices.
# With long connections to both ports running, b1's daemon stops: b1
# withdraws the VIP and the router sends every flow to b2. b2 holds no
# entry for b1's flows: it forwards them without state, by the built-in
# hash choice (docs/datapath.md), and a device that gets a flow it does
# not hold resets it.
#
#   hash (port 80): the hash choice is what b1's policy chose (the same
#         Maglev table and flow seed on both balancers): every connection
#         must go on, b1's included;
#   lur (port 8080): b1 chose by the devices' load (the lighter device
#         of each server: written as both balancers' dev_state, as agents
#         reporting to both would); b2's hash choice names the other
#         device for some of b1's flows. b2's own connections must go on,
#         each of b1's either goes on (the two choices agree) or is reset
#         by its new device, never stalls; how many go on is printed, not
#         a gate (it depends on the flows' hashes: about half here).
# About 30 s on a quiet machine, 68-127 s at load 10-15 (2026-12-02, 2
# cores); the limit leaves room for a loaded one, and every wait ends as
# soon as its condition holds.
SYS_LIMIT=${SYS_LIMIT:-220}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bgp_lib.sh"
sys_init "$@"
bgp_need_bird
X=$((($$ % 200) + 20))
VIP=10.$X.100.1 LAN=10.$X.2 RUN=/run/$P N=24
# The VIP's two ports: one per policy compared, each with its own pool of
# the same four devices (echod answers on both ports).
POLS="hash lur"
port() { case $1 in hash) echo 80 ;; lur) echo 8080 ;; esac; }
DEVS="s1a s1b s2a s2b"
NSES="n r c b1 b2 $DEVS"
SEED=5eed1234
BIRD_PIDS=""
failover_cleanup() {
	local ns pids i b
	for b in b1 b2; do
		ip netns exec "$P-$b" "$BUILD/hauler" -p "$RUN/$b/bpf" down >/dev/null 2>&1
	done
	# Only processes inside our own namespaces: ours by construction.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=""
		for ns in $NSES; do pids="$pids $(ip netns pids "$P-$ns" 2>/dev/null)"; done
		[ -n "${pids// /}" ] || break
		# shellcheck disable=SC2086 # a list of pids
		if [ "$i" -lt 8 ]; then kill $pids 2>/dev/null; else kill -9 $pids 2>/dev/null; fi
		sleep 0.1
	done
	for b in b1 b2; do umount "$RUN/$b/bpf" 2>/dev/null; done
	for ns in $NSES; do ip netns del "$P-$ns" 2>/dev/null; done
	rm -rf "$RUN"
	sys_cleanup
}
trap failover_cleanup EXIT

host() { case $1 in r) echo 1 ;; b1) echo 2 ;; b2) echo 3 ;; s1a) echo 11 ;; s1b) echo 12 ;;
	s2a) echo 21 ;; s2b) echo 22 ;; esac; }
mac() { ip -n "$P-$1" -br link show dev "$2" | awk '{ print $3 }'; }
sysctl_in() {
	local ns=$1
	shift
	ip netns exec "$P-$ns" sysctl -qw "$@" >/dev/null
}
# hb B ARGS...: hauler in balancer B's namespace, on its pins.
hb() {
	local b=$1
	shift
	ip netns exec "$P-$b" "$BUILD/hauler" -p "$RUN/$b/bpf" "$@"
}
bstat() { hb "$1" stats | awk -v n="$2" '$1 == n { print $2; exit }'; }

# --- The network: the LAN (a bridge) joins the router, the balancers and
# the devices; the client has its own link to the router. ---
mkdir -p "$RUN"
for ns in $NSES; do
	ip netns add "$P-$ns" || sys_abort "netns $P-$ns"
	ip -n "$P-$ns" link set lo up
	sysctl_in "$ns" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
ip -n "$P-n" link add br0 type bridge mcast_snooping 0 && ip -n "$P-n" link set br0 up ||
	sys_abort "bridge"
for x in r b1 b2 $DEVS; do
	ip -n "$P-$x" link add eth0 type veth peer name "$x" netns "$P-n" &&
		ip -n "$P-n" link set "$x" master br0 up && ip -n "$P-$x" link set eth0 up &&
		ip -n "$P-$x" addr add "$LAN.$(host "$x")/24" dev eth0 || sys_abort "LAN link $x"
	# Full checksums on the wire, as from a real NIC (docs/testing.md).
	ip netns exec "$P-$x" ethtool -K eth0 tx off >/dev/null 2>&1
done
ip -n "$P-c" link add eth0 type veth peer name cl netns "$P-r" &&
	ip -n "$P-c" link set eth0 up && ip -n "$P-r" link set cl up &&
	ip -n "$P-c" addr add "10.$X.1.2/24" dev eth0 && ip -n "$P-r" addr add "10.$X.1.1/24" dev cl &&
	ip -n "$P-c" route add default via "10.$X.1.1" || sys_abort "client link"
ip netns exec "$P-c" ethtool -K eth0 tx off >/dev/null 2>&1
ip netns exec "$P-r" ethtool -K cl tx off >/dev/null 2>&1
# ECMP over the 5-tuple, so one client's flows spread over both balancers.
sysctl_in r net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
# XDP_TX out of a balancer's veth needs an XDP program on its peer.
pass=$BUILD/tests/system/bpf/xdp_pass.bpf.o decap=$BUILD/tests/system/bpf/xdp_decap.bpf.o
[ -f "$pass" ] && [ -f "$decap" ] || sys_abort "no $pass or $decap (make)"
for b in b1 b2; do
	ip -n "$P-n" link set dev "$b" xdpdrv obj "$pass" sec xdp || sys_abort "xdp_pass on $b"
	sysctl_in "$b" net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0
	for d in $DEVS; do
		ip -n "$P-$b" neigh replace "$LAN.$(host "$d")" lladdr "$(mac "$d" eth0)" dev eth0 \
			nud permanent
	done
done
# Devices: the VIP on lo, the outer header stripped in XDP (this kernel
# has no ipip module), replies to the client through the router.
for d in $DEVS; do
	ip -n "$P-$d" addr add "$VIP/32" dev lo &&
		ip -n "$P-$d" route add default via "$LAN.1" &&
		ip -n "$P-$d" neigh replace "$LAN.1" lladdr "$(mac r eth0)" dev eth0 nud permanent &&
		ip -n "$P-$d" link set dev eth0 xdpdrv obj "$decap" sec xdp || sys_abort "device $d"
	sysctl_in "$d" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	ip netns exec "$P-$d" "$BUILD/tools/echod" --name "$d" --tcp 80 --tcp 8080 --pidfile "$RUN/$d.pid" \
		</dev/null >>"$RUN/$d.log" 2>&1 &
done

# --- BGP: the router (AS 65000) peers with both balancers on the LAN and
# merges their equal paths into one ECMP route. ---
bird_router_conf "$RUN/router.conf" "$LAN.1" "$LAN.2" "$LAN.3"
ip netns exec "$P-r" bird -c "$RUN/router.conf" -s "$RUN/router.ctl" -P "$RUN/router.pid" ||
	sys_abort "router bird"
# dev_load B ID CMP: a fresh load report of device ID in balancer B's
# dev_state, as an agent on a threshold schedule sends it (version 2,
# period 0: never stale by age), so the test does not race an agent's clock.
dev_load() {
	local now
	now=$(awk '/^now at/ { print $3; exit }' /proc/timer_list)
	is_num "$2" && [ -n "$now" ] || return 1
	# shellcheck disable=SC2046 # byte lists
	bpftool map update pinned "$RUN/$1/bpf/dev_state" key hex $(le "$2" 4) value hex \
		$(le "$3" 1) $(le 0 1) $(le 0 1) $(le 0 1) $(le 0 4) $(le 0 4) $(le 0 4) \
		$(le 1 8) $(le "$now" 8) $(le 0 4) $(le 2 1) $(le 0 1) $(le 0 2) $(le 0 4) $(le 0 4) \
		$(le 0 8) $(le 0 8)
}
# start_daemon B: hauler daemon --bird in balancer B.
start_daemon() {
	ip netns exec "$P-$1" "$BUILD/hauler" -p "$RUN/$1/bpf" daemon --bird "$RUN/$1/routes.conf" \
		--bird-socket "$RUN/$1/bird.ctl" >>"$RUN/$1/daemon.log" 2>&1 &
	sys_bg $!
	echo $! >"$RUN/$1/daemon.pid"
}
for i in 1 2; do
	b=b$i
	mkdir -p "$RUN/$b/bpf"
	mount -t bpf bpf "$RUN/$b/bpf" || sys_abort "bpffs"
	hb $b up eth0 >/dev/null || sys_abort "hauler up in $b"
	# One batch: the same flow seed on both balancers (the same flow hash,
	# so the same hash choice), then each policy's VIP port and pool.
	for pol in $POLS; do
		v="$VIP:$(port $pol)/tcp"
		echo "vip add $v mode ipip policy $pol"
		for s in s1 s2; do
			echo "server add $s$pol vip $v"
			for d in ${s}a ${s}b; do
				echo "device add $d$pol server $s$pol addr $LAN.$(host $d) port $(port $pol)"
			done
		done
	done >"$RUN/$b/setup.batch"
	echo "config set flow-seed $SEED" >>"$RUN/$b/setup.batch"
	hb $b -batch "$RUN/$b/setup.batch" >/dev/null || sys_abort "hauler -batch in $b"
	# lur: both balancers see s1b and s2b loaded (cmp 90), s1a and s2a
	# light (cmp 10).
	devs=$(hb $b device show)
	for d in $DEVS; do
		case $d in *a) l=10 ;; *) l=90 ;; esac
		dev_load $b "$(echo "$devs" | awk -v n=${d}lur '$2 == n { print $1 }')" $l ||
			sys_abort "dev_load $b ${d}lur"
	done
	bird_balancer_conf "$RUN/$b/bird.conf" "$LAN.$i" $i "$LAN.1" "$RUN/$b/routes.conf"
	start_daemon $b
	wait_file "$RUN/$b/routes.conf" 10 || sys_abort "$b: the daemon wrote no routes file"
	ip netns exec "$P-$b" bird -c "$RUN/$b/bird.conf" -s "$RUN/$b/bird.ctl" -P "$RUN/$b/bird.pid" ||
		sys_abort "bird in $b"
done
for d in $DEVS; do wait_file "$RUN/$d.pid" 5 || sys_abort "echod on $d"; done

hops() { bgp_hops "$P-r" "$VIP"; }
wait_hops() { bgp_wait_hops "$P-r" "$VIP" "$1"; }

both="$LAN.2 $LAN.3 "
wait_hops "$both" || sys_abort "the router has not both balancers: '$(hops)'"
ok "the router's ECMP route to $VIP: $(hops)"
# N long connections to each VIP, at once, over both balancers.
for pol in $POLS; do
	ip netns exec "$P-c" "$BUILD/tools/connload" --tcp "$VIP:$(port $pol)" --long $N \
		--duration 60 --interval 50 --bytes 64 --ready-file "$RUN/$pol.ready" \
		--stop-file "$RUN/stop" --conn-log "$RUN/$pol.log" --json >"$RUN/$pol.json" \
		2>"$RUN/$pol.err" &
	sys_bg $!
	echo $! >"$RUN/$pol.pid"
done
for pol in $POLS; do
	wait_file "$RUN/$pol.ready" 10 || sys_abort "$pol: long connections not ready in 10 s"
done
# Which balancer holds which flow: "BALANCER VIP-PORT CLIENT-PORT DEVICE",
# each connection (the ready files name them) looked up in both
# balancers' tables (hauler conns --flow): established there.
for pol in $POLS; do
	while read -r proto from to; do
		for b in b1 b2; do
			hb $b conns --flow "$proto" "$from" "$to" </dev/null 2>/dev/null |
				awk -v b=$b -v from="$from" -v to="$to" '
					$1 == "device" { d = $2 } $1 == "state" { s = $2 }
					END { if (s == "established") {
						split(from, c, ":"); split(to, v, ":"); print b, v[2], c[2], d } }'
		done
	done <"$RUN/$pol.ready"
done >"$RUN/held"
for pol in $POLS; do
	n1=$(awk -v p="$(port $pol)" '$1 == "b1" && $2 == p' "$RUN/held" | wc -l)
	n2=$(awk -v p="$(port $pol)" '$1 == "b2" && $2 == p' "$RUN/held" | wc -l)
	if [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) -eq $N ]; then
		ok "$pol: ECMP spread the $N connections: b1 $n1, b2 $n2"
	else
		fail "$pol: b1 holds $n1 and b2 $n2 of the $N connections"
	fi
done
light=$(awk -v p="$(port lur)" '$2 == p && $4 ~ /^s[12]a/' "$RUN/held" | wc -l)
[ "$light" -eq $N ] && ok "lur: all $N on the lighter device of their server (by load)" ||
	fail "lur: $light of $N on the lighter devices (s1a, s2a)"

hit0=$(bstat b1 conn_hit) st0=$(bstat b2 conn_stateless)
kill -TERM "$(cat "$RUN/b1/daemon.pid")"
if wait_hops "$LAN.3 "; then ok "b1's daemon stopped: b1 withdrawn, the router sends all to b2"; else
	fail "next hops after b1's daemon stopped: '$(hops)'"
fi
# Every connection sends every 50 ms: 2 s is 40 round trips through b2.
sleep 2
hit1=$(bstat b1 conn_hit) st1=$(bstat b2 conn_stateless)
touch "$RUN/stop"
for pol in $POLS; do
	wait "$(cat "$RUN/$pol.pid")"
	echo "    connload $pol: $(cat "$RUN/$pol.json")"
done
if is_num "$st0" && is_num "$st1" && [ "$st1" -gt "$st0" ]; then
	ok "b2 forwarded b1's flows without state (conn_stateless +$((st1 - st0)))"
else
	fail "b2's conn_stateless '$st0' -> '$st1'"
fi
# b1 got the packets in flight while the route changed, then none.
hit2=$(bstat b1 conn_hit)
[ -n "$hit1" ] && [ "$hit2" = "$hit1" ] && ok "b1 forwards nothing any more (conn_hit $hit0 -> $hit1)" ||
	fail "b1's conn_hit still grows: $hit1 -> $hit2"

# count POL: "B1 B1_OK B1_RESET B2 B2_OK OTHER PAUSED" from the held flows
# and connload's log of each connection's end ("PORT DEVICE OUTCOME"). A
# "paused" one (no progress for 2 s on a loaded machine, then every byte
# echoed) went on: counted in *_OK, and in PAUSED.
count() {
	awk -v p="$(port "$1")" 'FNR == NR { if ($2 == p) at[$3] = $1; next }
		{ b = ($1 in at) ? at[$1] : "none"; o = $3 == "paused" ? "ok" : $3
		  n[b]++; k[b " " o]++; paused += $3 == "paused" }
		END {
			other = n["none"] + n["b1"] - k["b1 ok"] - k["b1 reset"] + n["b2"] - k["b2 ok"]
			printf "%d %d %d %d %d %d %d\n", n["b1"], k["b1 ok"], k["b1 reset"], n["b2"],
				k["b2 ok"], other, paused
		}' "$RUN/held" "$RUN/$1.log"
}
summary=""
for pol in $POLS; do
	read -r b1 b1ok b1reset b2 b2ok other paused < <(count $pol)
	echo "    $pol: b1 carried $b1 (went on $b1ok, reset $b1reset), b2 carried $b2" \
		"(went on $b2ok); $paused of those that went on paused 2 s or more"
	summary="$summary $pol: $b1ok of $b1 moved went on;"
	[ "$b2ok" -eq "$b2" ] && [ "$b2" -gt 0 ] && ok "$pol: all $b2 connections b2 carried went on" ||
		fail "$pol: $b2ok of b2's $b2 connections went on"
	[ "$other" -eq 0 ] && [ $((b1ok + b1reset)) -eq "$b1" ] &&
		ok "$pol: each of b1's $b1 went on or was reset (none stalled, none unaccounted)" ||
		fail "$pol: of b1's $b1, $b1ok went on, $b1reset reset; $other other ($(cat "$RUN/$pol.log"))"
	if [ "$pol" = hash ]; then
		[ "$b1ok" -eq "$b1" ] && [ "$b1" -gt 0 ] &&
			ok "hash: all $b1 connections moved from b1 to b2 went on" ||
			fail "hash: $b1ok of the $b1 connections moved from b1 to b2 went on"
	fi
done
echo "    moved from b1 to b2:$summary"
sys_finish
