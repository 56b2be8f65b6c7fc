#!/bin/bash
# test_spill.sh BUILD - spill-over through the manager-loaded programs:
# under `prt spill 1` every device of server s1 is fully utilized (cmp 100),
# so the new connections Maglev gives s1 go to s2 instead (counted in
# `spill`); s2's fastest device (cpu, weight 3) is below the threshold and
# takes them all. With spill 0 the same flows stay on s1. Then s1 names a
# standby (`server set s1 spill-to s3`, weight 0: no Maglev slot), and
# s1's flows go there.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=200
VIP=$H_VIP4:80/tcp

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy prt stale-ms 600000 spill 1 || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"
for dev in s1cpu s1acc; do set_state $dev 100 500 || sys_abort "dev_state of $dev"; done
for dev in s2cpu s2acc; do set_state $dev 10 100 || sys_abort "dev_state of $dev"; done

burst() {
	topo_connload "$P" --tcp "$H_VIP4:80" -n $N -c 25 --bytes 256 --timeout 10 --json
}

json=$(burst)
check_load "connections under prt spill 1" "$json" $N
s1=$(($(json_dev "$json" s1cpu) + $(json_dev "$json" s1acc)))
s2cpu=$(json_dev "$json" s2cpu)
spill=$(hstat spill)
if [ "$s1" -eq 0 ] && [ "$s2cpu" -eq $N ]; then
	ok "saturated s1 took none of $N new; s2cpu took all"
else
	fail "saturated s1 took $s1, s2cpu $s2cpu of $N: $json"
fi
# Maglev gives s1 about half; 4 sigma of 200 flows is about 28.
if [ "${spill:-0}" -ge 60 ] && [ "${spill:-0}" -le 140 ]; then
	ok "spill counted $spill (about half of $N)"
else
	fail "spill counted ${spill:-?}, want about $((N / 2))"
fi

H_ok policy set "$VIP" prt stale-ms 600000 || fail "policy set without spill"
json=$(burst)
s1=$(($(json_dev "$json" s1cpu) + $(json_dev "$json" s1acc)))
if [ "$s1" -ge 60 ] && [ "$(hstat spill)" = "$spill" ]; then
	ok "spill 0: s1 kept its $s1 flows, no new spill"
else
	fail "spill 0: s1 got $s1, spill $(hstat spill) (was $spill): $json"
fi

# A standby server of weight 0 (out of the Maglev pool) as s1's alternative.
H_ok server add s3 vip "$VIP" weight 0 || sys_abort "server add s3"
H_ok device add s3cpu server s3 addr "$(topo_dev_addr4 s2acc)" port 8080 kind cpu weight 1 ||
	sys_abort "device add s3cpu"
set_state s3cpu 10 100 || sys_abort "dev_state of s3cpu"
H_ok server set s1 spill-to s3 || fail "server set s1 spill-to s3"
H_ok policy set "$VIP" prt stale-ms 600000 spill 1 || fail "policy set spill 1"
H_ok stats reset
json=$(burst)
check_load "connections with s1 spilling to s3" "$json" $N
s1=$(($(json_dev "$json" s1cpu) + $(json_dev "$json" s1acc)))
spill=$(hstat spill)
# s3cpu shares s2acc's address: what s2acc served came through s3 (s2's
# own choice is s2cpu, below the threshold).
if [ "$s1" -eq 0 ] && [ "$(json_dev "$json" s2acc)" = "$spill" ] && [ "${spill:-0}" -ge 60 ]; then
	ok "s1's $spill flows went to the standby s3"
else
	fail "s1 $s1, via s3 $(json_dev "$json" s2acc), spill ${spill:-?}: $json"
fi
if H server show | grep -q "^[0-9]* *s1 .* s3 "; then
	ok "server show: s1 spills to s3"
else
	fail "server show lacks s1's spill-to: $(H server show)"
fi
sys_finish
