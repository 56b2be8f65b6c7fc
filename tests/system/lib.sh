# shellcheck shell=bash
# lib.sh - what every system test shares. A test does:
#
#   . "$(dirname "$0")/lib.sh"
#   sys_init "$@"            # BUILD from $1, prefix $P, traps, watchdog
#   topo_up "$P" nat || sys_abort "topology"
#   ... check ... || fail "what went wrong"
#   sys_finish               # exit 0 when nothing failed
#
# Every check prints one line: "ok: ..." or "FAIL: ...". A test must end
# within SYS_LIMIT seconds; the watchdog ends it (and so cleans up) if not,
# and the test fails.

SYS_LIMIT=${SYS_LIMIT:-85}
SYS_WD_GRACE=${SYS_WD_GRACE:-10}
SYS_WD_CLEANUP=${SYS_WD_CLEANUP:-40}
SYS_FAILED=0
SYS_BG_PIDS=""
SYS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../tools/topology.sh
. "$SYS_DIR/../../tools/topology.sh"

# sys_init BUILD: set BUILD, the prefix P, cleanup traps and the watchdog.
sys_init() {
	BUILD=$(realpath -m "${1:-build}")
	# shellcheck disable=SC2034 # read by topology.sh's functions
	TOPO_BUILD=$BUILD
	P=hlr$$
	topo_reap_stale # a killed earlier run's namespaces and mounts
	SYS_NAME=$(basename "$0" .sh)
	SYS_T0=$(date +%s)
	SYS_WD_FLAG=/run/$P.watchdog
	rm -f "$SYS_WD_FLAG"
	trap sys_cleanup EXIT
	trap sys_interrupted INT TERM
	sys_watchdog </dev/null >/dev/null 2>&1 &
	SYS_WATCHDOG=$!
	topo_vars "$P"
	# shellcheck disable=SC2034 # used by the tests
	H_VIP4=$TOPO_VIP4 H_VIP6=$TOPO_VIP6
}

# The watchdog. After SYS_LIMIT seconds it marks the test failed (writes
# "fired" to SYS_WD_FLAG, which sys_finish reads) and sends TERM to the
# test's children (a trap waits for the foreground one) and to the test,
# whose handler (sys_interrupted) writes "cleanup" there and exits through
# the cleanup. bash 5.2 can lose that TERM or hang for good when it
# arrives while the test expands a $(...), in $((...)) most of all (the
# trap runs inside the parser: "trap: unexpected EOF while looking for
# matching `)'"; the command is dropped and the test goes on, or it blocks
# in command_substitute, also later in the cleanup). So the watchdog sends
# TERM every 2 s until the handler runs (SYS_WD_GRACE s at most), then
# gives the cleanup SYS_WD_CLEANUP s, which ends by stopping the watchdog.
# When either wait runs out it stops the test (SIGSTOP), kills its
# children, removes everything named after the test's prefix itself
# (topo_reap_pid: namespaces and what runs in them, bpf mounts, the run
# directory, cgroups), and kills the test (SIGKILL). Its own TERM is the default one (no trap string to
# lose), and it sleeps in 1 s steps so that no long sleep outlives it.
# SYS_LIMIT + SYS_WD_GRACE + SYS_WD_CLEANUP stays under the runner's
# SCRIPT_TIMEOUT (tests/run.sh), which would kill the watchdog too.
sys_watchdog() {
	local end=$((SECONDS + SYS_LIMIT)) kids me=$BASHPID
	trap - INT TERM
	while [ "$SECONDS" -lt "$end" ]; do sleep 1; done
	echo fired >>"$SYS_WD_FLAG"
	echo "FAIL: $SYS_NAME over ${SYS_LIMIT}s: the watchdog ends it" >>"/proc/$$/fd/2"
	end=$((SECONDS + SYS_WD_GRACE))
	while ! grep -qx cleanup "$SYS_WD_FLAG" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
		kids=$(ps -o pid= --ppid $$ | awk -v me="$me" '$1 != me')
		# shellcheck disable=SC2086 # a list of pids
		kill -TERM $kids $$ 2>/dev/null
		sleep 2
		kill -0 $$ 2>/dev/null || sys_watchdog_orphaned
	done
	if grep -qx cleanup "$SYS_WD_FLAG" 2>/dev/null; then
		end=$((SECONDS + SYS_WD_CLEANUP))
		while kill -0 $$ 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 1; done
		kill -0 $$ 2>/dev/null || sys_watchdog_orphaned
		echo "FAIL: $SYS_NAME's cleanup took over ${SYS_WD_CLEANUP}s: killed," \
			"its names removed" >>"/proc/$$/fd/2"
	else
		echo "FAIL: $SYS_NAME took no TERM in ${SYS_WD_GRACE}s: killed, its names removed" \
			>>"/proc/$$/fd/2"
	fi
	# Stopped first, so that it makes nothing more and ends (for the
	# runner) only once its names are gone.
	kill -STOP $$
	kids=$(ps -o pid= --ppid $$ | awk -v me="$me" '$1 != me')
	# shellcheck disable=SC2086 # a list of pids
	kill -KILL $kids 2>/dev/null
	topo_reap_pid $$
	kill -KILL $$
}

# The test is gone while its watchdog still runs: its cleanup did not end
# (sys_cleanup stops the watchdog last), as when bash 5.2 itself aborts in
# the TERM handler ("reader_loop: bad jump", status 134, seen under load).
# What it made is removed by its prefix here.
sys_watchdog_orphaned() {
	topo_reap_pid $$
	rm -f "$SYS_WD_FLAG"
	exit 0
}

# The TERM (or INT) handler: once only, so that nothing cuts the cleanup
# short; "cleanup" tells the watchdog that the cleanup runs.
sys_interrupted() {
	trap '' INT TERM
	echo cleanup >>"$SYS_WD_FLAG"
	echo "FAIL: interrupted or over ${SYS_LIMIT}s" >&2
	exit 1
}

sys_cleanup() {
	local pid
	for pid in $SYS_BG_PIDS; do
		kill "$pid" 2>/dev/null
	done
	topo_down "$P"
	kill "$SYS_WATCHDOG" 2>/dev/null
	rm -f "$SYS_WD_FLAG"
}

# A background process the cleanup must stop.
sys_bg() { SYS_BG_PIDS="$SYS_BG_PIDS $1"; }

fail() {
	echo "FAIL: $*"
	SYS_FAILED=1
}

ok() { echo "ok: $*"; }

# Give up at once (setup failed): cleanup runs from the EXIT trap.
sys_abort() {
	echo "FAIL: $* (aborting)"
	kill "$SYS_WATCHDOG" 2>/dev/null
	exit 1
}

sys_finish() {
	local secs=$(($(date +%s) - SYS_T0))
	# Before anything that could be cut short: the watchdog may not fire
	# during the test's own cleanup.
	kill "$SYS_WATCHDOG" 2>/dev/null
	if grep -qx fired "$SYS_WD_FLAG" 2>/dev/null; then
		echo "FAIL: over ${SYS_LIMIT}s (the watchdog's TERM was lost)"
		SYS_FAILED=1
	fi
	if [ "$SYS_FAILED" -eq 0 ]; then
		echo "PASS: $SYS_NAME (${secs}s)"
		exit 0
	fi
	echo "FAILED: $SYS_NAME (${secs}s)"
	exit 1
}

# hauler in the balancer namespace, on this test's pins.
H() { topo_hauler "$P" "$@"; }

# H but failing the test (with hauler's message) when the command fails.
H_ok() {
	local err
	if ! err=$(topo_hauler "$P" "$@" 2>&1 >/dev/null); then
		fail "hauler $*: ${err:-exit status non-zero}"
		return 1
	fi
}

# ipip_up: the topology in ipip mode, hauler up, and a TCP VIP on port 80
# of each family in ipip mode (wrr) over the four devices.
ipip_up() {
	topo_up "$P" ipip || sys_abort "topology setup"
	H_ok up eth0 || sys_abort "hauler up"
	H_ok vip add "$H_VIP4:80/tcp" mode ipip policy wrr || sys_abort "vip add"
	topo_pool "$P" "$H_VIP4:80/tcp" 4 80 3 1 || sys_abort "pool setup"
	H_ok vip add "[$H_VIP6]:80/tcp" mode ipip policy wrr || sys_abort "vip6 add"
	topo_pool "$P" "[$H_VIP6]:80/tcp" 6 80 3 1 6 || sys_abort "pool6 setup"
}

# is_num V: V is a non-negative decimal number (not empty).
is_num() { [[ $1 =~ ^[0-9]+$ ]]; }

# json_num JSON KEY: a top-level number of a JSON line; nothing (and
# status 1) when the key is missing: a missing field never reads as 0.
json_num() {
	local v
	v=$(printf '%s' "$1" | sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p")
	printf '%s' "$v"
	[ -n "$v" ]
}

# json_dev JSON ID: connections the device ID served (0 when connload
# names no such device; nothing, status 1, when there is no by_device).
json_dev() {
	local v
	case "$1" in
	*'"by_device":{'*) ;;
	*) return 1 ;;
	esac
	v=$(printf '%s' "$1" | sed -n "s/.*\"by_device\":{[^}]*\"$2\":\([0-9]*\).*/\1/p")
	echo "${v:-0}"
}

# paused_note JSON: " (N paused up to M ms and went on, R TCP
# retransmissions)" when connload's long connections paused (no progress
# for 2 s, then every byte echoed: counted as ok, a loaded machine's CPU
# being late); nothing otherwise. Broken ones are failures, not pauses.
paused_note() {
	local n
	n=$(json_num "$1" paused) || return 0
	[ "$n" -gt 0 ] || return 0
	printf ' (%s paused up to %s ms and went on, %s TCP retransmissions)' "$n" \
		"$(json_num "$1" max_pause_ms)" "$(json_num "$1" paused_retrans)"
}

# connload's result must show all TOTAL connections fine, every field there.
check_load() {
	local what=$1 json=$2 total=$3 okc failed
	okc=$(json_num "$json" ok)
	failed=$(json_num "$json" failed)
	if ! is_num "$total" || ! is_num "$okc" || ! is_num "$failed"; then
		fail "$what: no result (ok '${okc}', failed '${failed}', want '${total}'): $json"
	elif [ "$okc" -eq "$total" ] && [ "$failed" -eq 0 ]; then
		ok "$what: $okc/$total fine$(paused_note "$json")"
	else
		fail "$what: ok $okc of $total, failed $failed (reset $(json_num "$json" reset)," \
			"stalled $(json_num "$json" stalled), corrupt $(json_num "$json" corrupt))"
	fi
}

# check_long_load WHAT JSON LONG: a `connload --long LONG --rate R` run
# made all LONG long connections (counted apart from the total, which
# alone would pass a run that made none) and short ones beside them, and
# every one of them ended fine.
check_long_load() {
	local what=$1 json=$2 want=$3 long total
	long=$(json_num "$json" long)
	total=$(json_num "$json" total)
	if ! is_num "$long" || [ "$long" -ne "$want" ]; then
		fail "$what: ${long:-no} long connections, want $want: $json"
	elif ! is_num "$total" || [ "$total" -le "$want" ]; then
		fail "$what: no short connections beside the long ones (total ${total:-?})"
	else
		check_load "$what ($want long + $((total - want)) short)" "$json" "$total"
	fi
}

# check_pmtu WHAT PORT MTU4 MTU6 N: N TCP transfers of 50000 bytes (the
# client's full-size segments) to each VIP on PORT complete (WHAT names
# the path), and the client's route to each VIP then holds the path MTU
# it learned on the way: MTU4 to H_VIP4, MTU6 to H_VIP6.
check_pmtu() {
	local what=$1 port=$2 n=$5 json to route fam
	for fam in 4 6; do
		if [ $fam = 4 ]; then to=$H_VIP4:$port; else to=[$H_VIP6]:$port; fi
		json=$(topo_connload "$P" --tcp "$to" -n "$n" --bytes 50000 --json)
		echo "connload: $json"
		check_load "IPv$fam TCP with full-size segments via $to ($what)" "$json" "$n"
	done
	for to in "$H_VIP4 $3" "$H_VIP6 $4"; do
		set -- $to
		route=$(topo_client "$P" ip route get "$1")
		if [[ $route == *"mtu $2"* ]]; then
			ok "client's path MTU to $1 is $2"
		else
			fail "client's route to $1 has no path MTU $2: $route"
		fi
	done
}

# router_up MODE MTU: the topology in MODE (nat or ipip) and, behind a
# router, a device for path-MTU tests:
#
#   balancer -- router PREFIX-rt -- device PREFIX-d9
#               eth0 on the bridge   eth0 10.X.3.9, fd00:X:3::9
#               eth1 MTU MTU         MTU MTU, default via the router
#                                    (advmss of a 1500 path)
#
# The device runs echod on TCP 80 and 81; hauler is up, with a VIP of each
# family on port 81 (mode MODE, policy wrr) whose one device is d9. nat:
# the device's replies go back through the balancer; ipip: the device
# holds the VIPs, strips the tunnel header and answers the client
# directly through the router. Names: RT, D9 (namespaces, topo_down
# removes them), D4, D6, R4, R6 (addresses). 1 on failure.
router_up() {
	local mode=$1 mtu=$2 fam vip addr
	topo_up "$P" "$mode" || return 1
	# Ours too: topo_down (the EXIT trap) stops what runs in them and removes them.
	TOPO_NSES="$TOPO_NSES rt d9"
	RT=$P-rt D9=$P-d9
	R4=10.$TOPO_X.2.40 R6=fd00:$TOPO_X:2::40
	D4=10.$TOPO_X.3.9 D6=fd00:$TOPO_X:3::9
	_router_setup "$mode" "$mtu" || return 1
	# 81 too: in ipip mode the device receives the client's packet as sent.
	(exec ip netns exec "$D9" "$BUILD/tools/echod" --name d9 --tcp 80 --tcp 81 \
		--pidfile "$TOPO_RUN/d9.pid") </dev/null >>"$TOPO_RUN/d9.log" 2>&1 &
	_topo_wait_files 5 "$TOPO_RUN/d9.pid" || return 1
	H_ok up eth0 || return 1
	for fam in 4 6; do
		if [ $fam = 4 ]; then vip="$H_VIP4:81/tcp" addr=$D4; else vip="[$H_VIP6]:81/tcp" addr=$D6; fi
		H_ok vip add "$vip" mode "$mode" policy wrr &&
			H_ok server add "s9v$fam" vip "$vip" &&
			H_ok device add "d9v$fam" server "s9v$fam" addr "$addr" port 80 kind cpu weight 1 ||
			return 1
	done
}

# _router_setup MODE MTU: router_up's namespaces, links, addresses, routes
# and permanent neighbours (no packet meets an unresolved one).
_router_setup() {
	local mode=$1 mtu=$2 ns rtmac lbmac
	lbmac=$(_topo_mac "$TOPO_NS_LB")
	for ns in "$RT" "$D9"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null || return 1
	done
	ip -n "$RT" link add eth0 type veth peer name rt netns "$TOPO_NS_NET" || return 1
	ip -n "$TOPO_NS_NET" link set rt master br0 up || return 1
	ip -n "$RT" link add eth1 mtu "$mtu" type veth peer name eth0 netns "$D9" || return 1
	ip -n "$D9" link set eth0 mtu "$mtu" || return 1
	for ns in "$RT" "$D9"; do
		ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up || return 1
		# Full checksums on the wire, as the topology's links have.
		ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || true
	done
	ip -n "$RT" link set eth1 up || return 1
	ip netns exec "$RT" ethtool -K eth1 tx off >/dev/null 2>&1 || true
	rtmac=$(ip -n "$RT" -br link show dev eth1 | awk '{print $3}')

	# Router: forwards, and answers every too-big packet (no ICMP rate limit).
	ip -n "$RT" addr add "$R4/24" dev eth0 &&
		ip -n "$RT" addr add "$R6/64" dev eth0 nodad &&
		ip -n "$RT" addr add "10.$TOPO_X.3.1/24" dev eth1 &&
		ip -n "$RT" addr add "fd00:$TOPO_X:3::1/64" dev eth1 nodad &&
		ip netns exec "$RT" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null &&
		ip -n "$RT" neigh replace "$TOPO_LB4" lladdr "$lbmac" dev eth0 nud permanent &&
		ip -n "$RT" neigh replace "$TOPO_LB6" lladdr "$lbmac" dev eth0 nud permanent &&
		ip -n "$RT" neigh replace "$D4" lladdr "$(_topo_mac "$D9")" dev eth1 nud permanent &&
		ip -n "$RT" neigh replace "$D6" lladdr "$(_topo_mac "$D9")" dev eth1 nud permanent ||
		return 1
	if [ "$mode" = nat ]; then
		# The device's replies go back through the balancer.
		ip -n "$RT" route add "10.$TOPO_X.1.0/24" via "$TOPO_LB4" &&
			ip -n "$RT" route add "fd00:$TOPO_X:1::/64" via "$TOPO_LB6" || return 1
	else
		# ipip: the device's replies go straight to the client, on-link; the
		# router's errors about the tunnel to its source (the balancer's
		# first address on the client's subnet).
		ip -n "$RT" route add "10.$TOPO_X.1.0/24" dev eth0 &&
			ip -n "$RT" route add "fd00:$TOPO_X:1::/64" dev eth0 &&
			ip -n "$RT" neigh replace "$TOPO_CL4" lladdr "$(_topo_mac "$TOPO_NS_CL")" \
				dev eth0 nud permanent &&
			ip -n "$RT" neigh replace "$TOPO_CL6" lladdr "$(_topo_mac "$TOPO_NS_CL")" \
				dev eth0 nud permanent &&
			ip -n "$RT" neigh replace "10.$TOPO_X.1.1" lladdr "$lbmac" dev eth0 \
				nud permanent &&
			ip -n "$RT" neigh replace "fd00:$TOPO_X:1::1" lladdr "$lbmac" dev eth0 \
				nud permanent || return 1
		# The device holds the VIPs and strips the tunnel header (as topo_up's).
		ip -n "$D9" addr add "$TOPO_VIP4/32" dev lo &&
			ip -n "$D9" addr add "$TOPO_VIP6/128" dev lo nodad &&
			ip -n "$D9" link set dev eth0 xdpdrv obj "$(_topo_bpf_obj xdp_decap)" sec xdp ||
			return 1
	fi
	# Device: behind the router. It offers the MSS of a 1500-byte path (as
	# a device on a 1500 link behind a smaller hop would), so the client
	# sends segments that only the router cannot pass on.
	ip -n "$D9" addr add "$D4/24" dev eth0 &&
		ip -n "$D9" addr add "$D6/64" dev eth0 nodad &&
		ip -n "$D9" route add default via "10.$TOPO_X.3.1" advmss 1460 &&
		ip -n "$D9" route add default via "fd00:$TOPO_X:3::1" advmss 1440 &&
		ip -n "$D9" neigh replace "10.$TOPO_X.3.1" lladdr "$rtmac" dev eth0 nud permanent &&
		ip -n "$D9" neigh replace "fd00:$TOPO_X:3::1" lladdr "$rtmac" dev eth0 nud permanent ||
		return 1
	# Balancer: the device's subnet via the router.
	ip -n "$TOPO_NS_LB" route add "10.$TOPO_X.3.0/24" via "$R4" &&
		ip -n "$TOPO_NS_LB" route add "fd00:$TOPO_X:3::/64" via "$R6" &&
		ip -n "$TOPO_NS_LB" neigh replace "$R4" lladdr "$(_topo_mac "$RT")" dev eth0 \
			nud permanent &&
		ip -n "$TOPO_NS_LB" neigh replace "$R6" lladdr "$(_topo_mac "$RT")" dev eth0 \
			nud permanent
}

# hstat NAME: a datapath counter (packets) from `hauler stats`; nothing
# (status 1) when there is no such counter.
hstat() {
	local v
	v=$(H stats | awk -v n="$1" '$1 == n { print $2; exit }')
	printf '%s' "$v"
	is_num "$v"
}

# The kernel of the balancer forwarded nothing (the nft hook saw nothing).
# Not even a TCP RST: a RST ends a flow's entries only after rst-linger,
# so when both ends reset at once the crossing RST still finds its entry
# and XDP rewrites it (before the linger, up to 12 a run were passed to
# the kernel). A test may allow MAX_RST of them ($1, default 0), at most
# as many as conn_closed; anything else is a failure.
check_no_kernel_forward() {
	local n rst closed max
	n=$(topo_kernel_forwarded "$P")
	rst=$(topo_kernel_forwarded_rst "$P")
	closed=$(hstat conn_closed)
	max=${1:-0}
	if ! is_num "$n" || ! is_num "$rst" || ! is_num "$closed" || ! is_num "$max"; then
		fail "kernel forward check: no counters (nft all '$n', rst '$rst', conn_closed '$closed')"
	elif [ "$n" -eq 0 ]; then
		ok "balancer kernel forwarded nothing (nft forward hook: 0 packets)"
	elif [ "$n" -eq "$rst" ] && [ "$rst" -le "$closed" ] && [ "$rst" -le "$max" ]; then
		ok "balancer kernel forwarded only $rst crossing TCP RSTs" \
			"(<= $max, and <= the $closed flows XDP ended)"
	else
		fail "balancer kernel forward path saw $n packets, $rst of them RSTs" \
			"(conn_closed $closed, at most $max RSTs allowed): XDP should have sent them"
		topo_kernel_forwarded_detail "$P"
	fi
}

# long_start TAG TO N: N long connections to TO until long_stop TAG.
long_start() {
	topo_connload "$P" --tcp "$2" --long "$3" --duration 120 --interval 50 --bytes 256 \
		--ready-file "$TOPO_RUN/$1.ready" --stop-file "$TOPO_RUN/$1.stop" --json \
		>"$TOPO_RUN/$1.json" 2>"$TOPO_RUN/$1.err" &
	sys_bg $!
	echo $! >"$TOPO_RUN/$1.pid"
	wait_file "$TOPO_RUN/$1.ready" 10 || fail "$1: long connections not ready in 10 s"
}

# long_stop TAG: stop them; their result JSON is in LONG_JSON. Their
# ready file goes: live_flows looks no more for their flows.
long_stop() {
	touch "$TOPO_RUN/$1.stop"
	wait "$(cat "$TOPO_RUN/$1.pid")"
	rm -f "$TOPO_RUN/$1.ready"
	LONG_JSON=$(cat "$TOPO_RUN/$1.json")
	echo "    connload $1: $LONG_JSON"
}

# long_ended WHAT N ENDED: of the N, exactly ENDED failed, the rest fine.
long_ended() {
	local okc failed
	okc=$(json_num "$LONG_JSON" ok)
	failed=$(json_num "$LONG_JSON" failed)
	if is_num "$okc" && is_num "$failed" && [ "$failed" -eq "$3" ] &&
		[ "$okc" -eq $(($2 - $3)) ]; then
		ok "$1: $3 of $2 live connections ended, $okc went on$(paused_note "$LONG_JSON")"
	else
		fail "$1: ok '$okc', failed '$failed' of $2; want $3 ended: $LONG_JSON"
	fi
}

# burst_load TO N: N short connections, all fine; BY_DEV holds the result.
burst_load() {
	BY_DEV=$(topo_connload "$P" --tcp "$1" -n "$2" -c 20 --bytes 128 --timeout 10 --json)
	check_load "burst of $2 to $1" "$BY_DEV" "$2"
}

# check_share PART WHOLE WANT TOL WHAT: PART is WANT % (+-TOL) of WHOLE.
check_share() {
	local pct=$(($2 ? $1 * 100 / $2 : -1))
	if [ "$pct" -ge $(($3 - $4)) ] && [ "$pct" -le $(($3 + $4)) ]; then
		ok "$5: $1 of $2 ($pct %, want $3 +- $4)"
	else
		fail "$5: $1 of $2 ($pct %), want $3 +- $4"
	fi
}

# live_flows TO: "client device" of every open flow to TO (one a line,
# sorted): the long connections of the loads still running (their ready
# files, TOPO_RUN/*.ready, name each established one: connload), each
# looked up with `hauler conns --flow`, in either table (the compact one
# keeps no addresses to list), and kept when its state is established (no
# FIN or RST, not half-open, its device not gone).
live_flows() {
	local f proto from to
	for f in "$TOPO_RUN"/*.ready; do
		[ -e "$f" ] || continue
		while read -r proto from to; do
			[ "$to" = "$1" ] || continue
			H conns --flow "$proto" "$from" "$to" </dev/null 2>/dev/null |
				awk -v c="$from" '$1 == "device" { d = $2 } $1 == "state" { s = $2 }
					END { if (s == "established") print c, d }'
		done <"$f"
	done | sort
}

# flow_refused WORD...: `hauler conns --flow WORD...` refuses them: exit 1,
# one line on stderr (hauler: ...), nothing on stdout.
flow_refused() {
	local out rc err
	out=$(H conns --flow "$@" </dev/null 2>"$TOPO_RUN/flow.err")
	rc=$?
	err=$(cat "$TOPO_RUN/flow.err")
	if [ "$rc" -eq 1 ] && [ -z "$out" ] && [ "$(grep -c . <<<"$err")" -eq 1 ] &&
		[[ $err == "hauler: "* ]]; then
		ok "hauler conns --flow $*: exit 1, $err"
	else
		fail "hauler conns --flow $*: exit $rc, stdout '$out', stderr '$err'"
	fi
}

# conns_table: the connection table the balancer runs (lru or compact).
conns_table() {
	H status | awk '$1 == "table" { print $2; exit }'
}

# on_devs FLOWS DEV...: how many of FLOWS (live_flows) are on the devices DEV...
on_devs() {
	local flows=$1 n=0 d
	shift
	for d in "$@"; do
		n=$((n + $(printf '%s\n' "$flows" | awk -v d="$d" '$2 == d' | wc -l)))
	done
	echo "$n"
}

# Wait up to $2 seconds for file $1.
wait_file() {
	local n=$(($2 * 10))
	while [ ! -e "$1" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ -e "$1" ]
}

# le N BYTES: N as BYTES little-endian hex bytes.
le() {
	local v=$1 n=$2 i out=""
	for ((i = 0; i < n; i++)); do
		out="$out $(printf '%02x' $(((v >> (8 * i)) & 255)))"
	done
	echo "$out"
}

# set_state NAME CMP LATENCY_US: a fresh report for device NAME, written
# straight into the pinned dev_state (as if its agent had sent it).
set_state() {
	local id now
	id=$(H device show | awk -v n="$1" '$2 == n { print $1 }')
	now=$(awk '/^now at/ { print $3; exit }' /proc/timer_list)
	[ -n "$id" ] && [ -n "$now" ] || return 1
	# struct dev_state: cmp mem net queue, latency_us, live_conns,
	# new_base, seq, updated_ns, period_ms, version busy pad, lock resync_gen,
	# agg_ns agg (version 0: no period, stale after the VIP's stale-ms, as a
	# version-1 agent; the kernel keeps the lock word whatever is written
	# there; an aggregate of 0 is summed again by the next reader).
	# shellcheck disable=SC2046 # byte lists
	bpftool map update pinned "$TOPO_PIN/dev_state" key hex $(le "$id" 4) value hex \
		$(le "$2" 1) $(le "$2" 1) $(le "$2" 1) $(le "$2" 1) $(le "$3" 4) $(le 0 4) $(le 0 4) \
		$(le 1 8) $(le $((now - 50000000)) 8) $(le 0 4) $(le 0 4) $(le 0 4) $(le 0 4) \
		$(le 0 8) $(le 0 8)
}
