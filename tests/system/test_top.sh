#!/bin/bash
# test_top.sh BUILD - hauler top under tmux (a tmux server of the test's
# own, -L): in a detached session the view shows the VIP with a non-zero
# packet rate while long connections run, every device with its load
# columns, and is redrawn in place (one header on the screen after several
# refreshes); `q` ends it. `top -j --count 2` prints two JSON lines with
# the VIP's rates and the devices.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
command -v tmux >/dev/null || sys_abort "tmux is not installed (make deps)"
TM=(tmux -L "$P")
trap '"${TM[@]}" kill-server 2>/dev/null; sys_cleanup' EXIT

topo_up "$P" nat || sys_abort "topology setup"
VIP="$H_VIP4:80/tcp"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"
long_start A "$H_VIP4:80" 8

"${TM[@]}" new-session -d -s top -x 160 -y 40 \
	"ip netns exec $P-lb $BUILD/hauler -p $TOPO_PIN top --interval-ms 300" ||
	sys_abort "tmux new-session"
# screen: what the pane shows now.
screen() { "${TM[@]}" capture-pane -p -t top 2>/dev/null; }
# The VIP's line with a packet rate above 0 (column 4), within 10 s.
n=50 line=""
while [ $n -gt 0 ]; do
	line=$(screen | awk -v v="$VIP" '$1 == v && $4 > 0')
	[ -n "$line" ] && break
	sleep 0.2
	n=$((n - 1))
done
if [ -n "$line" ]; then
	ok "top shows the VIP with traffic: $line"
else
	fail "top shows no VIP line with traffic: $(screen | head -n 12)"
fi
sleep 1 # a few more refreshes
shot=$(screen)
missing=""
for w in "hauler top -" "datapath" "POLICY" "DEVICE" "HEALTH" s1cpu s1acc s2cpu s2acc "drops since start"; do
	grep -qF -- "$w" <<<"$shot" || missing="$missing [$w]"
done
[ -z "$missing" ] && ok "the view has its header, devices and drops" || fail "the view lacks$missing"
headers=$(grep -c "hauler top -" <<<"$shot")
[ "$headers" = 1 ] && ok "redrawn in place (one header on the screen)" ||
	fail "$headers headers on the screen: not redrawn in place"
"${TM[@]}" send-keys -t top q
n=30
while [ $n -gt 0 ] && "${TM[@]}" has-session -t top 2>/dev/null; do
	sleep 0.1
	n=$((n - 1))
done
"${TM[@]}" has-session -t top 2>/dev/null && fail "q did not end hauler top" || ok "q ends hauler top"

out=$(H -j top --interval-ms 300 --count 2)
lines=$(grep -c '"vips":\[{"vip":"'"$VIP"'"' <<<"$out")
devs=$(grep -o '"name":"s[12]\(cpu\|acc\)"' <<<"$out" | wc -l)
if [ "$lines" = 2 ] && [ "$devs" = 8 ] && grep -q '"pkts_per_s":[1-9]' <<<"$out"; then
	ok "top -j --count 2: two snapshots with the VIP, 4 devices each, packets flowing"
else
	fail "top -j: $lines VIP lines, $devs device entries: $out"
fi
if H top --count 0 2>/dev/null; then fail "top --count 0 accepted"; else ok "top --count 0 refused"; fi
long_stop A
long_ended "live connections under top" 8 0
sys_finish
