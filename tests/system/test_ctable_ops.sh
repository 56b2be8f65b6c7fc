#!/bin/bash
# test_ctable_ops.sh BUILD - what an operator reads and does on the
# compact table (hauler up --table compact; docs/datapath.md "The compact
# table"), with real connections: `hauler conns` lists one line per used
# slot (no addresses: bucket, slot, digest, device, VIP, state, age) and
# -j the same, a VIP filter keeps that VIP's; `hauler conns --flow` finds
# a connection by its addresses in the slot the listing shows, its
# device's reply (DEVICE -> CLIENT) in the same slot, and refuses a flow
# it does not hold, a reply of no nat device or of another device, and
# bad words; `hauler status` (text and
# -j) counts the live established and half-open slots; an unknown VIP is
# refused as on the LRU tables; the health daemon's on-down reset clears
# exactly the down device's slots (its connections end, a keep device's
# and the others' go on), and a nat reply of the down device gets no slot
# back.
SYS_LIMIT=${SYS_LIMIT:-150}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
NL=24 # long TCP connections
NU=20 # UDP flows
TCP_VIP=$H_VIP4:80/tcp
UDP_VIP=$H_VIP4:53/udp

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 --table compact --conns 100k || sys_abort "hauler up --table compact"
H_ok vip add "$TCP_VIP" mode nat policy hash || sys_abort "vip add"
topo_pool "$P" "$TCP_VIP" 4 8080 1 1 || sys_abort "pool setup"
H_ok vip add "$UDP_VIP" mode nat policy hash || sys_abort "udp vip add"
topo_pool "$P" "$UDP_VIP" 4 5353 1 1 u || sys_abort "udp pool setup"

# slots [ARGS]: `hauler conns ARGS` without its two header lines.
slots() { H conns "$@" | tail -n +3; }
# open_on DEV: established TCP slots of TCP_VIP on device DEV.
open_on() {
	slots | awk -v d="$1" -v v="$TCP_VIP" '$4 == "tcp" && $5 == d && $6 == v && $8 == "established"' |
		wc -l
}
# status_num KEY: a count of `hauler -j status`.
status_num() { json_num "$(H -j status)" "$1"; }

# --- an empty table ---
head=$(H conns | head -1)
case "$head" in
*"no addresses"*) ok "hauler conns says the compact table keeps no addresses: $head" ;;
*) fail "hauler conns' first line does not say the table keeps no addresses: $head" ;;
esac
if [ "$(slots | wc -l)" -eq 0 ] && [ "$(status_num conns)" = 0 ] &&
	[ "$(status_num half_open)" = 0 ] && [ "$(H -j conns)" = "[]" ]; then
	ok "an empty compact table: no slot listed, status counts 0 and 0"
else
	fail "an empty table: $(slots | wc -l) lines, status $(H -j status), -j $(H -j conns)"
fi

# --- long connections and UDP flows ---
long_start L "$H_VIP4:80" $NL
json=$(topo_connload "$P" --udp "$H_VIP4:53" -n $NU -c 5 --bytes 200 --timeout 3 --json)
check_load "UDP datagrams to $H_VIP4:53" "$json" $NU
# The long connections are confirmed by their devices' data (nat): wait
# for all. A UDP request and its answer stay half-open (a later datagram
# confirms a UDP flow: docs/datapath.md).
SECONDS=0
while [ "$(status_num conns)" -lt $NL ] && [ $SECONDS -lt 10 ]; do sleep 0.2; done
conns=$(status_num conns)
half=$(status_num half_open)
if [ "$conns" = $NL ] && [ "$half" = $NU ]; then
	ok "hauler -j status: conns $conns (TCP, established), half_open $half (UDP)"
else
	fail "hauler -j status: conns '$conns' half_open '$half', want $NL and $NU"
fi
if H -j status | grep -q '"table":"compact"' && [ "$(status_num ct_buckets)" -gt 1 ] &&
	H status | grep -qE "^table +compact \($(status_num ct_buckets) buckets"; then
	ok "hauler status names the compact table and its $(status_num ct_buckets) buckets"
else
	fail "hauler status: $(H -j status) / $(H status | grep '^table')"
fi
if H status | grep -qE "^conns +$NL \(half-open $NU\)"; then
	ok "hauler status (text) counts the same"
else
	fail "hauler status: $(H status | grep '^conns')"
fi
tcp_open=0
for d in s1cpu s1acc s2cpu s2acc; do
	n=$(open_on $d)
	eval "before_$d=$n"
	tcp_open=$((tcp_open + n))
done
udp=$(slots | awk -v v="$UDP_VIP" '$4 == "udp" && $5 ~ /^s[12](cpu|acc)u$/ && $6 == v &&
	$8 == "half-open"' | wc -l)
all=$(slots | wc -l)
if [ "$tcp_open" -eq $NL ] && [ "$udp" -eq $NU ] && [ "$all" -eq $((NL + NU)) ]; then
	ok "hauler conns: $all lines, $NL established TCP on the VIP's devices" \
		"(s1cpu $before_s1cpu, s1acc $before_s1acc, s2cpu $before_s2cpu, s2acc $before_s2acc)," \
		"$NU UDP"
else
	fail "hauler conns: $all lines, $tcp_open established TCP, $udp UDP; want $NL and $NU"
	H conns | head -20
fi
H conns | head -5 | sed 's/^/    /'
n=$(slots "$TCP_VIP" | wc -l)
m=$(slots "$UDP_VIP" | awk -v v="$UDP_VIP" '$6 == v' | wc -l)
if [ "$n" -eq $NL ] && [ "$m" -eq $NU ]; then
	ok "hauler conns VIP lists that VIP's slots only ($n and $m)"
else
	fail "hauler conns $TCP_VIP: $n lines (want $NL), $UDP_VIP: $m (want $NU)"
fi
j=$(H -j conns "$TCP_VIP")
n=$(grep -o '"device":"s[12]\(cpu\|acc\)","device_id":[0-9]*,"vip":"'"$TCP_VIP"'","vip_id":[0-9]*,"state":"established"' <<<"$j" | wc -l)
if [ "$n" -eq $NL ] && grep -q '"bucket":[0-9]*,"slot":[0-7],"digest":[0-9]*,"proto":"tcp"' <<<"$j"; then
	ok "hauler -j conns: $n established slots with bucket, slot, digest, device, VIP"
else
	fail "hauler -j conns: $n established slots of $NL: $(head -c 400 <<<"$j")"
fi

# --- one flow by its addresses: hauler conns --flow (the ready file names them) ---
# Its place and digest are the datapath's (include/ctable/): the slot it
# names is a line of the listing, with the same digest, device and state.
# Its device's reply by its addresses (DEVICE:PORT -> CLIENT:PORT, as a
# tcpdump on the device's side shows it): its device found from its source
# as the datapath finds it (dev_hints, else dev_addrs), that device's VIP
# the client's flow, whose slot is the one the client's lookup names.
nf=0 nj=0 nr=0 nrj=0
while read -r proto from to; do
	out=$(H conns --flow "$proto" "$from" "$to" </dev/null)
	set -- $(sed -n 's/^table *compact (bucket \([0-9]*\), slot \([0-7]\), digest \([0-9a-f]*\))$/\1 \2 \3/p' <<<"$out")
	dev=$(awk '$1 == "device" { print $2 }' <<<"$out")
	st=$(awk '$1 == "state" { print $2 }' <<<"$out")
	[ $# -eq 3 ] && [ "$st" = established ] &&
		slots | awk -v b="$1" -v k="$2" -v g="$3" -v d="$dev" \
			'$1 == b && $2 == k && $3 == g && $5 == d && $8 == "established" { f = 1 } END { exit !f }' &&
		nf=$((nf + 1))
	H -j conns --flow "$proto" "$from" "$to" </dev/null |
		grep -q "^{\"proto\":\"tcp\",\"from\":\"$from\",\"to\":\"$to\",\"table\":\"compact\",\"map\":\"ctable\",\"bucket\":$1,\"slot\":$2,\"digest\":[0-9]*,\"device\":\"$dev\",.*\"vip\":\"$TCP_VIP\",.*\"state\":\"established\",.*\"direction\":\"client\"}$" &&
		nj=$((nj + 1))
	rep="$(topo_dev_addr4 "$dev"):8080"
	rout=$(H conns --flow "$proto" "$rep" "$from" </dev/null)
	[ $# -eq 3 ] && [ "$(awk '$1 == "direction" { print $2 }' <<<"$rout")" = reply ] &&
		grep -qx "client     tcp $from -> $to" <<<"$rout" &&
		grep -qx "table      compact (bucket $1, slot $2, digest $3: the client's flow's)" <<<"$rout" &&
		[ "$(awk '$1 == "device" { print $2 }' <<<"$rout")" = "$dev" ] &&
		[ "$(awk '$1 == "vip" { print $2 }' <<<"$rout")" = "$TCP_VIP" ] &&
		[ "$(awk '$1 == "state" { print $2 }' <<<"$rout")" = established ] &&
		nr=$((nr + 1))
	H -j conns --flow "$proto" "$rep" "$from" </dev/null |
		grep -q "^{\"proto\":\"tcp\",\"from\":\"$rep\",\"to\":\"$from\",\"table\":\"compact\",\"map\":\"ctable\",\"bucket\":$1,\"slot\":$2,.*\"device\":\"$dev\",.*\"vip\":\"$TCP_VIP\",.*\"state\":\"established\",.*\"direction\":\"reply\",\"client_from\":\"$from\",\"client_to\":\"$to\"}$" &&
		nrj=$((nrj + 1))
done <"$TOPO_RUN/L.ready"
if [ "$nf" -eq $NL ] && [ "$nj" -eq $NL ] && [ "$nr" -eq $NL ] && [ "$nrj" -eq $NL ]; then
	ok "hauler conns --flow finds each of the $NL connections in its listed slot, and its" \
		"device's reply in the same slot with the client's flow (text and -j)"
else
	fail "hauler conns --flow: $nf of $NL found in their listed slots, $nj in -j;" \
		"their replies $nr, $nrj in -j"
	head -2 "$TOPO_RUN/L.ready" | while read -r proto from to; do
		H conns --flow "$proto" "$from" "$to"
		dev=$(H conns --flow "$proto" "$from" "$to" | awk '$1 == "device" { print $2 }')
		H conns --flow "$proto" "$(topo_dev_addr4 "$dev"):8080" "$from"
	done
fi
# No such flow, a destination that is no VIP from no nat device, a reply
# whose client has no flow, a reply from another device than the flow's
# (its slot names the flow's device: no reply of it) or of another
# protocol, and bad words: one line on stderr, exit 1, nothing on stdout.
read -r proto from to <"$TOPO_RUN/L.ready"
dev=$(H conns --flow "$proto" "$from" "$to" | awk '$1 == "device" { print $2 }')
rep="$(topo_dev_addr4 "$dev"):8080"
for d in s1cpu s1acc s2cpu s2acc; do [ "$d" != "$dev" ] && other="$(topo_dev_addr4 $d):8080"; done
for bad in "tcp 10.250.250.250:1 $to" "udp $from $to" "tcp $from 10.250.250.250:80" \
	"tcp 10.250.250.250:8080 $from" "tcp $rep 10.250.250.250:1" "tcp $other $from" \
	"udp $rep $from" "tcp $(topo_dev_addr4 "$dev"):8081 $from" \
	"sctp $from $to" "tcp 10.0.0.300:1 $to" "tcp $from:1 $to" "tcp 10.0.0.1:0 $to" \
	"tcp [fd00::1]:1 $to" "tcp $from"; do
	# shellcheck disable=SC2086 # the words of the command
	flow_refused $bad
done

# --- bad input: the LRU tables' error ---
err=$(H conns 10.250.250.250:81/tcp 2>&1 >/dev/null)
if [ -n "$err" ] && ! H conns 10.250.250.250:81/tcp >/dev/null 2>&1 &&
	grep -q "no VIP 10.250.250.250:81/tcp" <<<"$err"; then
	ok "hauler conns of an unknown VIP: $err"
else
	fail "hauler conns of an unknown VIP: '$err'"
fi

# --- the health daemon's on-down reset ---
# s2cpu: reset; s2acc: keep. Their services work, their checks (port 9) fail.
H_ok device set s2cpu check tcp port 9 interval 200 timeout 100 fall 1 on-down reset
H_ok device set s2acc check tcp port 9 interval 200 timeout 100 fall 1 on-down keep
H daemon >"$TOPO_RUN/daemon.log" 2>&1 &
sys_bg $!
SECONDS=0
while ! grep -q "device s2cpu: on-down reset" "$TOPO_RUN/daemon.log" && [ $SECONDS -lt 10 ]; do
	sleep 0.1
done
line=$(grep "device s2cpu: on-down reset" "$TOPO_RUN/daemon.log")
# shellcheck disable=SC2154 # before_* are set by eval above
if grep -q "removed $before_s2cpu connection slots" <<<"$line"; then
	ok "the daemon's on-down reset cleared s2cpu's $before_s2cpu slots: $line"
else
	fail "on-down reset of s2cpu: '$line', want $before_s2cpu slots removed"
	cat "$TOPO_RUN/daemon.log"
fi
grep -q "device s2acc: on-down reset" "$TOPO_RUN/daemon.log" &&
	fail "the daemon reset s2acc, whose check says keep"
sleep 1 # traffic on the long connections after the reset: s2cpu's replies get no slot back
after=""
for d in s1cpu s1acc s2cpu s2acc; do
	after="$after $d $(open_on $d)"
done
want=" s1cpu $before_s1cpu s1acc $before_s1acc s2cpu 0 s2acc $before_s2acc"
if [ "$after" = "$want" ]; then
	ok "after the reset: no slot of s2cpu, the others as before ($after)"
else
	fail "after the reset: $after; want $want"
fi
if [ "$(slots | awk '$5 == "s2cpu"' | wc -l)" -eq 0 ]; then
	ok "no slot of s2cpu is listed, in any state"
else
	fail "slots of s2cpu left: $(slots | awk '$5 == "s2cpu"' | head -5)"
fi
long_stop L
long_ended "the on-down reset (s2cpu's connections)" $NL "$before_s2cpu"
reset_n=$(json_dev "$LONG_JSON" s2cpu)
if [ "$reset_n" = "$before_s2cpu" ] && [ "$(json_dev "$LONG_JSON" s2acc)" = "$before_s2acc" ]; then
	ok "connload agrees: s2cpu had $reset_n connections, s2acc $before_s2acc (kept)"
else
	fail "connload: s2cpu $reset_n (conns said $before_s2cpu), s2acc $(json_dev "$LONG_JSON" s2acc)"
fi
check_no_kernel_forward
sys_finish
