#!/bin/bash
# test_ctable.sh BUILD - the compact connection table (hauler up --table
# compact, docs/datapath.md "The compact table") with real traffic: nat
# TCP over IPv4 and IPv6 and nat UDP, every byte echoed by some device,
# all forwarded by XDP, the handshakes confirmed, the replies translated,
# the LRU tables untouched. (`hauler conns`, `status` and the on-down reset
# on this table: test_ctable_ops.sh.) A re-up keeps the table; asking a re-up for
# the other table is refused and changes nothing.
SYS_LIMIT=${SYS_LIMIT:-170}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=300

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 --table compact --conns 100k || sys_abort "hauler up --table compact"
H_ok vip add "$H_VIP4:80/tcp" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:80/tcp" 4 8080 3 1 || sys_abort "pool setup"
H_ok vip add "[$H_VIP6]:80/tcp" mode nat policy hash || sys_abort "vip6 add"
topo_pool "$P" "[$H_VIP6]:80/tcp" 6 8080 1 1 6 || sys_abort "pool6 setup"
H_ok vip add "$H_VIP4:53/udp" mode nat policy hash || sys_abort "udp vip add"
topo_pool "$P" "$H_VIP4:53/udp" 4 5353 1 1 u || sys_abort "udp pool setup"

json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n $N -c 50 --bytes 20000 --timeout 10 --json)
echo "connload: $json"
check_load "TCP through $H_VIP4:80 (compact table)" "$json" $N
json=$(topo_connload "$P" --tcp "[$H_VIP6]:80" -n $N -c 50 --bytes 20000 --timeout 10 --json)
echo "connload: $json"
check_load "TCP through [$H_VIP6]:80 (compact table)" "$json" $N
json=$(topo_connload "$P" --udp "$H_VIP4:53" -n $N -c 50 --bytes 200 --timeout 3 --json)
echo "connload: $json"
check_load "UDP datagrams to $H_VIP4:53 (compact table)" "$json" $N

new=$(hstat conn_new)
promoted=$(hstat conn_promoted)
reply=$(hstat nat_reply)
if is_num "$new" && [ "$new" -ge $((3 * N)) ]; then
	ok "hauler stats: conn_new $new"
else
	fail "hauler stats: conn_new ${new:-?}, want >= $((3 * N))"
fi
# Every TCP connection confirmed by its device's data (nat, compact table:
# the client's ACK cannot be checked against the SYN-ACK, docs/datapath.md).
if is_num "$promoted" && [ "$promoted" -ge $((2 * N)) ]; then
	ok "hauler stats: conn_promoted $promoted"
else
	fail "hauler stats: conn_promoted ${promoted:-?}, want >= $((2 * N))"
fi
if is_num "$reply" && [ "$reply" -ge $((3 * N)) ]; then
	ok "hauler stats: nat_reply $reply"
else
	fail "hauler stats: nat_reply ${reply:-?}, want >= $((3 * N))"
fi
for c in drop_ct_prog conn_table_full conn_stateless; do
	v=$(hstat "$c")
	if [ "${v:-0}" = 0 ]; then
		ok "hauler stats: $c 0"
	else
		fail "hauler stats: $c $v, want 0"
	fi
done
# The LRU tables were not used.
lru=$(bpftool -j map dump pinned "$TOPO_PIN/conns")$(bpftool -j map dump pinned "$TOPO_PIN/half_open")
if [ "$lru" = "[][]" ]; then
	ok "conns and half_open stayed empty"
else
	fail "the LRU tables hold entries: $(head -c 300 <<<"$lru")"
fi

# The table is chosen on the first up.
if topo_hauler "$P" up eth0 --table lru >/dev/null 2>&1; then
	fail "a re-up asking for the lru table over the compact one was accepted"
else
	ok "a re-up asking for the lru table is refused"
fi
H_ok up eth0 || fail "a plain re-up"
json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n 50 -c 10 --bytes 2000 --timeout 10 --json)
check_load "TCP through $H_VIP4:80 after the re-ups" "$json" 50
v=$(hstat drop_ct_prog)
if [ "${v:-0}" = 0 ]; then
	ok "the re-ups kept the compact table's programs (drop_ct_prog 0)"
else
	fail "drop_ct_prog $v after the re-ups"
fi
check_no_kernel_forward
sys_finish
