#!/bin/bash
# test_policy_swap_all.sh BUILD - the VIP's policy is swapped 100 times
# among every built-in policy (`hauler policy list`), each time with valid
# parameters, while 200 long-lived TCP connections send and check data and
# new connections arrive at RATE a second; `hauler daemon` runs meanwhile
# (it rebuilds dwrr's rings). Two servers, each a CPU device (weight 3) and
# a slower accelerator (weight 1, a CPU-limited cgroup).
#
# Checks:
#   - every swap happens while the connections flow: the background load
#     runs until the last swap is done (then the test stops it), however
#     long the swaps take on a loaded machine;
#   - all LONG long connections made, short ones beside them, none
#     reset, stalled (unfinished at the end, or a short one not done in
#     SHORT_TIMEOUT s) or corrupted (the rate they arrived at is printed,
#     not asserted: `make bench` measures rates); long ones that paused
#     (no progress for 2 s on a loaded machine, then every byte echoed)
#     are printed with their TCP retransmissions;
#   - policy_fallback (no policy ran) and policy_bad_choice stay 0;
#   - after a swap, new connections follow the policy then in force: a
#     burst of BURST connections is split between the CPU devices and the
#     accelerators as that policy says (see want_cpu_pct);
#   - prints how long one `hauler policy set` takes (not asserted).
#
# Load for the load-aware policies: the test writes each device's state
# into dev_state itself (bpftool), as a report would: CPUs at 50 on every
# metric and 500 us latency, accelerators at 10 and 100 us; stamped now
# (minus 50 ms: the datapath's clock is the coarse monotonic one). Those
# policies get stale-ms 600000 when a burst checks them, so the state
# stays fresh; otherwise they get a short stale-ms and treat the devices
# by weight - also a valid policy to swap to.
# Under load: a load-aware policy sends every new connection to the
# accelerators, each capped at 20 % of a CPU; on a starved machine their
# echod accepts late, the listen queue overflows and the client retries
# its SYN after 1, 3, 7, 15 s (TCP's back-off). A short connection is lost
# only when it never completes: SHORT_TIMEOUT leaves it four retries (the
# 5 s default left two, and at load 5 some 24 of 41 000 ran out). RATE is
# 300 a second, not 1000: still dozens of new connections during every
# swap (a `policy set` takes 0.1 s at the least), without making this
# test the machine's load (at 1000 a second it reached about 500 under
# load anyway). The background load has no end of its own: it runs until
# the last swap is done. 100 swaps and 24 bursts take 30 s at load
# average 1, 130-190 s at 8 to 12 (2026-12-02; `policy set` 0.1-2.5 s
# each): a generous limit, the most the runner's 480 s leaves with the
# watchdog's 50.
SYS_LIMIT=${SYS_LIMIT:-400}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
SWAPS=100
LONG=200
RATE=300 # connload's short-connection rate (--rate)
SHORT_TIMEOUT=30
BURST=200
TOL_HALF=15 # percentage points around 50 %: 4 sigma of 200 flows
TOL_WRR=12  # around 75 %: 3.9 sigma
FRESH_MS=600000
CHECK_ROUNDS=3 # rounds over the policies whose swaps are followed by a burst

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
VIP=$H_VIP4:80/tcp
H_ok vip add "$VIP" mode nat policy hash || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"

mapfile -t POLICIES < <(H policy list | awk 'NR > 1 { print $1 }')
for want in hash wrr ecmp dwrr lur jsq lc wlc prt p2c; do
	case " ${POLICIES[*]} " in
	*" $want "*) ;;
	*) fail "policy list lacks the built-in $want: ${POLICIES[*]}" ;;
	esac
done
NPOL=${#POLICIES[@]}
ok "$NPOL built-in policies: ${POLICIES[*]}"

for dev in s1cpu s2cpu; do set_state $dev 50 500 || sys_abort "dev_state of $dev"; done
for dev in s1acc s2acc; do set_state $dev 10 100 || sys_abort "dev_state of $dev"; done

# params NAME ROUND: valid parameters for policy NAME, varied by ROUND.
METRICS_LUR=(cmp mem net)
METRICS_PRT=(cmp mem net queue)
METRICS_P2C=(cmp mem net queue latency conns)
# Into ARGS (no subshell: forks are slow on a loaded machine).
params() {
	local r=$2
	ARGS=""
	case $1 in
	lur) ARGS="metric ${METRICS_LUR[r % 3]} stale-ms $FRESH_MS" ;;
	prt) ARGS="metric ${METRICS_PRT[r % 4]} threshold $((80 + r % 3 * 10)) stale-ms $FRESH_MS" ;;
	# conns is assigned connections: not the CPU/accelerator split below.
	p2c) ARGS="metric ${METRICS_P2C[r % 6]} stale-ms $FRESH_MS" ;;
	dwrr) ARGS="metric ${METRICS_PRT[r % 4]} interval-ms $((20 + r * 10))" ;;
	jsq | example_lat) ARGS="stale-ms $FRESH_MS" ;;
	*) [ $((r % 2)) -eq 0 ] && ARGS="stale-ms $((50 + r * 100))" ;;
	esac
}

# want_cpu_pct NAME PARAMS: into WANT, the share (%) of new connections the
# CPU devices must get under that policy, or nothing when it is not checked.
#   wrr 3:1 rings, hash drawing by weight 3:1: 75. ecmp: one turn each: 50.
#   prt: the CPUs (the highest weight) are at 50 on every metric, below
#   the threshold: 100. lur, jsq, p2c (on a load metric), example_lat: the
#   accelerators are less loaded: 0. lc, wlc, dwrr: by counts and a ring
#   the daemon rebuilds: not checked.
want_cpu_pct() {
	WANT=""
	case $1 in
	wrr | hash) WANT=75 ;;
	ecmp) WANT=50 ;;
	prt) WANT=100 ;;
	lur | jsq | example_lat) WANT=0 ;;
	p2c) case $2 in *conns*) ;; *) WANT=0 ;; esac ;;
	esac
}

# burst NAME PARAMS WANT: BURST new connections, split as WANT says.
burst() {
	local name=$1 args=$2 want=$3 json cpu acc got tol
	json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n $BURST -c 25 --bytes 256 \
		--timeout $SHORT_TIMEOUT --json)
	cpu=$(($(json_dev "$json" s1cpu) + $(json_dev "$json" s2cpu)))
	acc=$(($(json_dev "$json" s1acc) + $(json_dev "$json" s2acc)))
	if [ "$(json_num "$json" ok)" -ne $BURST ] || [ $((cpu + acc)) -ne $BURST ]; then
		fail "burst after '$name $args': $json"
		return
	fi
	got=$((cpu * 100 / BURST))
	case $want in
	0 | 100) tol=0 ;;
	75) tol=$TOL_WRR ;;
	*) tol=$TOL_HALF ;;
	esac
	if [ "$got" -ge $((want - tol)) ] && [ "$got" -le $((want + tol)) ]; then
		ok "policy set $name${args:+ $args}: CPU devices got $cpu of $BURST new ($want % +-$tol)"
		CHECKED="$CHECKED $name"
		BURSTS=$((BURSTS + 1))
	else
		fail "after 'policy set $name${args:+ $args}': CPU devices got $cpu of $BURST" \
			"($got %), want $want % +-$tol: $json"
	fi
}

H daemon --interval-ms 50 >"$TOPO_RUN/daemon.log" 2>&1 &
sys_bg $!

ready=$TOPO_RUN/load.ready
stop=$TOPO_RUN/load.stop
out=$TOPO_RUN/load.json
# No end of its own but the limit: it stops when the swaps are done.
topo_connload "$P" --tcp "$H_VIP4:80" --long $LONG --duration "$SYS_LIMIT" --rate $RATE -c 200 \
	--interval 50 --bytes 512 --timeout $SHORT_TIMEOUT --ready-file "$ready" --stop-file "$stop" \
	--json >"$out" &
load=$!
sys_bg "$load"
wait_file "$ready" 30 || fail "long connections not established within 30 s"
sleep 0.5
swaps_t0=$SECONDS

errors=0 CHECKED="" BURSTS=0 times=() burst_ms=0
for ((i = 0; i < SWAPS; i++)); do
	name=${POLICIES[i % NPOL]}
	params "$name" $((i / NPOL))
	args=$ARGS
	t0=${EPOCHREALTIME/./}
	# shellcheck disable=SC2086 # params are words
	if ! H policy set "$VIP" "$name" $args; then
		errors=$((errors + 1))
		continue
	fi
	times+=($((${EPOCHREALTIME/./} - t0)))
	want_cpu_pct "$name" "$args"
	# Checked in the first rounds; later the background load alone.
	if [ -n "$WANT" ] && [ $((i / NPOL)) -lt $CHECK_ROUNDS ]; then
		t0=${EPOCHREALTIME/./}
		burst "$name" "$args" "$WANT"
		burst_ms=$((burst_ms + (${EPOCHREALTIME/./} - t0) / 1000))
	else
		sleep 0.15 # the background load meets this policy too
	fi
done
if [ -s "$out" ] || ! kill -0 "$load" 2>/dev/null; then
	fail "the background load ended before the last swap: $(cat "$out" 2>/dev/null)"
elif [ "$errors" -eq 0 ]; then
	ok "$SWAPS swaps over all $NPOL policies in $((SECONDS - swaps_t0)) s, every one under the load"
else
	fail "$errors of $SWAPS policy swaps failed"
fi
[ "$BURSTS" -gt 0 ] && ok "$BURSTS bursts of $BURST split as the policy in force says" \
	"(policies:$(echo "$CHECKED" | tr ' ' '\n' | sort -u | tr '\n' ' ')); the bursts took $((burst_ms / 1000)) s"
for want in wrr hash ecmp prt lur; do
	case " $CHECKED " in
	*" $want "*) ;;
	*) fail "no burst checked $want" ;;
	esac
done

# One `hauler policy set` (process start included), in microseconds.
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
n=${#times[@]}
echo "hauler policy set: $n runs, min $(echo "$sorted" | head -n 1) us," \
	"median $(echo "$sorted" | sed -n "$((n / 2 + 1))p") us, max $(echo "$sorted" | tail -n 1) us"

touch "$stop"
wait "$load"
json=$(cat "$out")
echo "connload: $json"
check_long_load "connections across $SWAPS swaps" "$json" $LONG
if [ "$(json_num "$json" stalled_short)" != 0 ]; then
	# Why short ones did not finish: the devices' listen queues.
	for dev in $TOPO_DEVS; do
		echo "    $dev: $(ip netns exec "$P-$dev" nstat -az TcpExtListenOverflows \
			TcpExtListenDrops TcpExtTCPReqQFullDrop | awk '!/^#/ { printf "%s %s ", $1, $2 }')"
	done
fi
total=$(json_num "$json" total)
elapsed=$(json_num "$json" elapsed_ms)
if is_num "$total" && is_num "$elapsed"; then
	echo "short connections: $(((total - LONG) * 1000 / (elapsed ? elapsed : 1)))/s over $elapsed ms (a figure)"
fi
fb=$(hstat policy_fallback)
bad=$(hstat policy_bad_choice)
if [ "$fb" = 0 ] && [ "$bad" = 0 ]; then
	ok "policy_fallback 0, policy_bad_choice 0 (conn_new $(hstat conn_new))"
else
	fail "policy_fallback ${fb:-?}, policy_bad_choice ${bad:-?}: a packet met no policy"
fi
check_no_kernel_forward
sys_finish
