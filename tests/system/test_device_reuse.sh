#!/bin/bash
# test_device_reuse.sh BUILD - a device id given to another device takes
# none of the old device's connections. Two VIPs in nat mode: A (wrr,
# devices on port 8080) with live long connections, B (nobody connects).
#
#   - device del s1cpu (A), device add b2 to VIP B: b2 takes s1cpu's id;
#   - device del s2cpu (A), device add a5 to A's server s2: a5 takes
#     s2cpu's id in the same VIP and server (only the id's generation
#     tells them apart);
#   - exactly A's live connections on s1cpu and s2cpu end, at once, with a
#     RST from the balancer (reset_sent); the others go on;
#   - b2 and a5 forward nothing: no old connection followed an id;
#   - a device address:port that a nat VIP's device has is refused for a
#     device of another nat VIP (their replies could not be told apart).
# The deleted devices' late segments (an echo in flight, its
# retransmissions) must not reach the kernel's forward path (the final
# check_no_kernel_forward): their addresses stay in dev_addrs as
# tombstones and each such segment gets a RST to the device
# (docs/datapath.md, "A deleted nat device's address"). Run on the
# compact table (the default) and, with REUSE_TABLE=lru
# (test_device_reuse_lru.sh), on the LRU tables, whose reply entries
# answer the first ones and the tombstones the rest.
SYS_LIMIT=${SYS_LIMIT:-90}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

TABLE=${REUSE_TABLE:-compact}
NA=24
topo_up "$P" nat || sys_abort "topology setup"
VA="$H_VIP4:80/tcp" VB="$H_VIP4:81/tcp" TO_A="$H_VIP4:80"
if [ "$TABLE" = lru ]; then
	H_ok up eth0 --table lru || sys_abort "hauler up --table lru"
else
	H_ok up eth0 || sys_abort "hauler up"
fi
[ "$(conns_table)" = "$TABLE" ] || fail "hauler up: table '$(conns_table)', want $TABLE"
H_ok vip add "$VA" mode nat policy wrr || sys_abort "vip A"
topo_pool "$P" "$VA" 4 8080 1 1 || sys_abort "pool A"
H_ok vip add "$VB" mode nat policy wrr || sys_abort "vip B"
H_ok server add sb vip "$VB" || sys_abort "server B"
H_ok device add b1 server sb addr "$(topo_dev_addr4 s2acc)" port 80 kind cpu weight 1 ||
	sys_abort "device b1"

dev_id() { H device show | awk -v n="$1" '$2 == n { print $1 }'; }
# dev_pkts NAME: packets the datapath forwarded to device NAME (hauler stats).
dev_pkts() { H stats | awk -v n="$1" '$1 == n && $3 == "pkts" { print $2 }'; }

long_start A "$TO_A" $NA
flows=$(live_flows "$TO_A")
n=$(on_devs "$flows" s1cpu s2cpu)
[ "$(printf '%s\n' "$flows" | grep -c .)" -eq $NA ] || fail "hauler conns lists not $NA flows of A"
[ "$n" -gt 0 ] || fail "no live flow of A on s1cpu or s2cpu: nothing to end"
id1=$(dev_id s1cpu) id2=$(dev_id s2cpu)
resets=$(hstat reset_sent)

H_ok device del s1cpu
H_ok device add b2 server sb addr "$(topo_dev_addr4 s1cpu)" port 80 kind cpu weight 1
H_ok device del s2cpu
H_ok device add a5 server s2 addr "$(topo_dev_addr4 s2cpu)" port 80 kind cpu weight 1
if [ "$(dev_id b2)" = "$id1" ] && [ "$(dev_id a5)" = "$id2" ]; then
	ok "b2 (VIP B) took s1cpu's id $id1, a5 (VIP A, server s2) took s2cpu's id $id2"
else
	fail "ids not reused: b2 '$(dev_id b2)' (s1cpu had $id1), a5 '$(dev_id a5)' (s2cpu had $id2)"
fi
sleep 2 # the long connections send every 50 ms
for d in b2 a5; do
	p=$(dev_pkts $d)
	[ "$p" = 0 ] && ok "$d forwarded no packet: no old connection followed its id" ||
		fail "$d forwarded '$p' packets of connections it never had"
done
long_stop A
long_ended "s1cpu's and s2cpu's ids reused" $NA "$n"
sent=$(($(hstat reset_sent) - resets))
if [ "$sent" -ge "$n" ]; then
	ok "hauler stats: the balancer reset $sent segments of the $n ended connections"
else
	fail "hauler stats: reset_sent grew by $sent, want >= $n"
fi
gone=$(hstat conn_device_gone)
is_num "$gone" && [ "$gone" -ge "$n" ] && ok "hauler stats: conn_device_gone $gone" ||
	fail "hauler stats: conn_device_gone '$gone', want >= $n"

# A deleted device's late segments, made sure of (the echoes in flight
# above come only by chance): s1cpu's address sends ACKs from its service
# port to a client port no flow holds. Its address is a dev_addrs
# tombstone: each gets a RST back, and none reaches the kernel's forward
# path (check_no_kernel_forward below).
gone0=$(hstat conn_device_gone) sent0=$(hstat reset_sent)
ip netns exec "$P-s1cpu" hping3 -q -c 3 -i u100000 -A -s 8080 -k -p 40000 "$TOPO_CL4" \
	>/dev/null 2>&1
gone1=$(hstat conn_device_gone) sent1=$(hstat reset_sent)
if is_num "$gone1" && is_num "$sent1" && [ $((gone1 - gone0)) -ge 3 ] &&
	[ $((sent1 - sent0)) -ge 3 ]; then
	ok "s1cpu's late segments refused: conn_device_gone +$((gone1 - gone0)), reset_sent +$((sent1 - sent0))"
else
	fail "s1cpu's 3 late segments: conn_device_gone '$gone0' -> '$gone1', reset_sent '$sent0' -> '$sent1'"
fi

# hauler conns --flow says what the datapath makes of such a segment.
if out=$(H conns --flow tcp "$(topo_dev_addr4 s1cpu):8080" "$TOPO_CL4:40000" 2>&1); then
	fail "hauler conns --flow found a flow from s1cpu's old address: $out"
elif [[ $out == *"of a deleted nat device"* ]]; then
	ok "hauler conns --flow: $out"
else
	fail "hauler conns --flow from s1cpu's old address: '$out'"
fi

# A nat device's address:port is its own: another nat VIP cannot have it.
saved=$(H save)
if err=$(H device add dup server sb addr "$(topo_dev_addr4 s1acc)" port 8080 kind cpu 2>&1); then
	fail "device add with s1acc's address:port in another nat VIP was accepted"
elif [ "$(H save)" != "$saved" ]; then
	fail "the refused device add changed the configuration"
else
	ok "device add with s1acc's address:port in VIP B refused: $err"
fi
check_no_kernel_forward
sys_finish
