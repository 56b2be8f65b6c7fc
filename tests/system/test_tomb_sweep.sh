#!/bin/bash
# test_tomb_sweep.sh BUILD - `hauler daemon` removes the dev_addrs
# tombstones of deleted nat devices that ended, and with each its
# dev_hints entry, with no other write (docs/datapath.md, "A deleted nat
# device's address"): before, an ended tombstone stayed until the next
# tombstone or device key was written, and the datapath read it for every
# packet whose source hashes under its entry. Two nat devices are deleted:
# two tombstones, each standing 30 minutes and more, their entries set.
# One is made to have ended (its time written back to second 1 of the
# monotonic clock with bpftool); `hauler daemon --once` removes it and
# clears its entry, and leaves the standing one and its entry alone.
SYS_LIMIT=${SYS_LIMIT:-60}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
VA="$H_VIP4:80/tcp"
H_ok vip add "$VA" mode nat policy wrr || sys_abort "vip add"
H_ok server add s1 vip "$VA" || sys_abort "server add"
for d in s1cpu s2cpu; do
	H_ok device add "$d" server s1 addr "$(topo_dev_addr4 "$d")" port 8080 kind cpu weight 1 ||
		sys_abort "device add $d"
done
id1=$(H device show | awk '$2 == "s1cpu" { print $1 }')
id2=$(H device show | awk '$2 == "s2cpu" { print $1 }')
is_num "$id1" && is_num "$id2" || sys_abort "device ids: '$id1' '$id2'"
H_ok device del s1cpu
H_ok device del s2cpu

# entries MAP: each entry of the pinned MAP as "KEY | VALUE", hex bytes as bpftool gives them.
entries() {
	bpftool -j map dump pinned "$TOPO_PIN/$1" | grep -o '"key":\[[^]]*\],"value":\[[^]]*\]' |
		sed 's/"key":\[//; s/\],"value":\[/ | /; s/\]$//; s/"0x\([0-9a-f]*\)"/\1/g; s/,/ /g'
}
# tombs: the tombstones of dev_addrs (struct dev_ref: id, gone_until_s not 0).
tombs() { entries dev_addrs | awk -F' [|] ' '{ split($2, v, " ") } v[5] v[6] v[7] v[8] != "00000000"'; }
# hints: the dev_hints entries in use (dev1, 1 + an id, not 0), as "KEY | VALUE".
hints() { entries dev_hints | grep -v '| 00 00 00 00$'; }
# u32 N: N's 4 bytes as bpftool prints them.
u32() { le "$1" 4 | sed 's/^ //'; }

t=$(tombs)
h=$(hints)
key1=$(printf '%s\n' "$t" | awk -F' [|] ' -v r="$(u32 "$id1")" 'index($2, r) == 1 { print $1 }')
if [ "$(printf '%s\n' "$t" | grep -c .)" -eq 2 ] && [ -n "$key1" ] &&
	[ "$(printf '%s\n' "$h" | grep -c .)" -eq 2 ] &&
	printf '%s\n' "$h" | grep -q "| $(u32 $((id1 + 1)))\$" &&
	printf '%s\n' "$h" | grep -q "| $(u32 $((id2 + 1)))\$"; then
	ok "two deleted nat devices: two tombstones, their dev_hints entries set"
else
	sys_abort "tombstones: $t / hints: $h"
fi

# s1cpu's tombstone ended long ago.
# shellcheck disable=SC2046 # byte lists
bpftool map update pinned "$TOPO_PIN/dev_addrs" key hex $key1 value hex $(u32 "$id1") $(u32 1) ||
	sys_abort "bpftool could not write the tombstone"
out=$(H daemon --once 2>&1) || fail "hauler daemon --once: $out"
t=$(tombs)
h=$(hints)
if [ "$(printf '%s\n' "$t" | grep -c .)" -eq 1 ] && ! printf '%s\n' "$t" | grep -q "^$key1 |" &&
	[ "$(printf '%s\n' "$h" | grep -c .)" -eq 1 ] &&
	printf '%s\n' "$h" | grep -q "| $(u32 $((id2 + 1)))\$"; then
	ok "hauler daemon removed the ended tombstone and cleared its dev_hints entry"
else
	fail "after hauler daemon --once: tombstones: $t / hints: $h"
fi
printf '%s\n' "$out" | grep -q "1 ended tombstone of deleted nat devices removed" &&
	ok "the daemon says so" || fail "daemon log: $out"
printf '%s\n' "$t" | grep -q "| $(u32 "$id2") " &&
	ok "the standing tombstone stays" || fail "the standing tombstone: $t"

sys_finish
