# shellcheck shell=bash
# bench_conn_part.sh - make bench's connections part (tools/bench.sh
# sources it): TCP connections through the balancer against the same
# client reaching the device other ways, on tools/topology.sh's topology.
#
# Paths, interleaved in CONN_ROUNDS rounds so that each sees the same
# machine (the median round of each is reported):
#   balancer  client -> VIP -> hauler (XDP, nat) -> device s1cpu:8080
#   ipip      client -> a second VIP -> hauler (XDP, ipip) -> s1cpu, which
#             strips the outer header (xdp_decap) and holds that VIP on lo;
#             its reply goes straight to the client, on-link (direct server
#             return, the deployment of Katran-class balancers)
#   kernel    client -> the balancer host's kernel forwarding -> s1cpu:80:
#             the same veth and bridge hops as the balancer path, no
#             balancing (hauler's program passes the packets; an nftables
#             accept rule lets them through for this path only)
#   proxy     client -> nginx's stream module on the balancer host (one
#             worker) -> s1cpu:80, when nginx and the module are installed
#             (make deps-reproduce)
#   direct    client -> s1cpu:8080 on-link (routes both ways, this path only)
# The caller sets BUILD, RUN, CP, CONN_N, CONN_C, CONN_ROUNDS, LIVE_*,
# REPORT_N and has sourced topology.sh.

CONN_PROXY_PORT=8081

# The ipip VIP's path (direct server return). What touches no packet of
# the other paths stays up for the whole part: the VIP and its device in
# hauler (another VIP's entries), the VIP on s1cpu's lo and the ARP
# sysctls of the topology's ipip mode (s1cpu answers no ARP for the VIP;
# its ARP requests take eth0's address, as they did). What would touch
# them is up for each ipip run only (conn_ipip_on, conn_ipip_off): the
# decapsulating XDP program on s1cpu's eth0 (a veth with an XDP program
# receives through NAPI, and its peer stops offering TSO) and the
# on-link route to the client (the nat path's replies must go through
# the balancer). The neighbour is resolved as the direct path's is.
conn_ipip_setup() {
	local ns=$CP-s1cpu addr
	CONN_VIP_IPIP=10.$TOPO_X.100.2
	addr=$(topo_dev_addr4 s1cpu)
	topo_hauler "$CP" vip add "$CONN_VIP_IPIP:80/tcp" mode ipip policy hash >/dev/null &&
		topo_hauler "$CP" server add s1ipip vip "$CONN_VIP_IPIP:80/tcp" >/dev/null &&
		topo_hauler "$CP" device add s1cpu-ipip server s1ipip addr "$addr" port 80 \
			kind cpu >/dev/null &&
		ip -n "$ns" addr add "$CONN_VIP_IPIP/32" dev lo &&
		_topo_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
}

conn_ipip_on() {
	local obj
	obj=$(_topo_bpf_obj xdp_decap) &&
		ip -n "$CP-s1cpu" link set dev eth0 xdpdrv obj "$obj" sec xdp &&
		ip -n "$CP-s1cpu" route add "$TOPO_CL4/32" dev eth0
}

conn_ipip_off() {
	local rc=0
	ip -n "$CP-s1cpu" route del "$TOPO_CL4/32" dev eth0 || rc=1
	ip -n "$CP-s1cpu" link set dev eth0 xdpdrv off || rc=1
	return $rc
}

# The counters that tell the ipip run's way: the balancer's received
# packets, the client's sent and received ones, hauler's nat_reply and
# conn_new.
conn_ipip_counters() {
	local st
	st=$(topo_hauler "$CP" stats) || return 1
	echo "$(topo_rx_packets "$CP")" \
		"$(topo_client "$CP" cat /sys/class/net/eth0/statistics/tx_packets)" \
		"$(topo_client "$CP" cat /sys/class/net/eth0/statistics/rx_packets)" \
		"$(awk '$1 == "nat_reply" { print $2 }' <<<"$st")" \
		"$(awk '$1 == "conn_new" { print $2 }' <<<"$st")"
}

# conn_ipip_check BEFORE AFTER OK: the ipip run took the direct return:
# every connection new in hauler, no reply rewritten (nat_reply did not
# move), and the balancer received only the client's direction (its RX
# grew by about what the client sent, 2% + 20 for stray frames), while
# the client received at least SYN-ACK, banner and echo of each.
conn_ipip_check() {
	local b a
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	if [ "${#b[@]}" != 5 ] || [ "${#a[@]}" != 5 ]; then
		echo "  ipip path: cannot read the counters ('$1', '$2')"
		return 1
	fi
	awk -v lb=$((a[0] - b[0])) -v tx=$((a[1] - b[1])) -v rx=$((a[2] - b[2])) \
		-v nr=$((a[3] - b[3])) -v nw=$((a[4] - b[4])) -v ok="$3" 'BEGIN {
		good = nw >= ok && nr == 0 && lb <= tx + tx / 50 + 20 && rx >= 3 * ok
		printf "  ipip path: %s: balancer received %d packets, the client sent %d and received %d; nat_reply +%d, conn_new +%d\n",
			good ? "direct return" : "NOT the direct return", lb, tx, rx, nr, nw
		exit !good }'
}

# conn_path PATH ROUND: one bench_conn run of PATH into $RUN/conn_PATH.ROUND.json.
conn_path() {
	local path=$1 r=$2 dev=s1cpu addr target rc handle before after
	addr=$(topo_dev_addr4 "$dev")
	case "$path" in
	balancer) target=$TOPO_VIP4:80 ;;
	ipip)
		target=$CONN_VIP_IPIP:80
		conn_ipip_on || { conn_ipip_off 2>/dev/null; return 1; }
		before=$(conn_ipip_counters) || { conn_ipip_off; return 1; }
		;;
	kernel)
		target=$addr:80
		ip netns exec "$CP-lb" nft insert rule inet hlr_fwd kernel_fwd accept comment bench_conn &&
			ip -n "$CP-cl" route add "$addr/32" via "10.$TOPO_X.1.1" || return 1
		;;
	proxy) target=10.$TOPO_X.1.1:$CONN_PROXY_PORT ;;
	direct)
		target=$addr:8080
		ip -n "$CP-cl" route add "$addr/32" dev eth0 &&
			ip -n "$CP-$dev" route add "$TOPO_CL4/32" dev eth0 || return 1
		;;
	esac
	topo_client "$CP" "$BUILD/tools/bench_conn" --tcp "$target" -n "$CONN_N" -c "$CONN_C" \
		--label "$path" --json "$RUN/conn_$path.$r.json" >>"$RUN/conn_runs.txt"
	rc=$?
	case "$path" in
	ipip)
		after=$(conn_ipip_counters)
		conn_ipip_off || rc=1
		[ $rc != 0 ] || conn_ipip_check "$before" "$after" \
			"$(json_num "$RUN/conn_$path.$r.json" ok)" >>"$RUN/conn_runs.txt" || rc=1
		;;
	kernel)
		ip -n "$CP-cl" route del "$addr/32" via "10.$TOPO_X.1.1"
		handle=$(ip netns exec "$CP-lb" nft -a list chain inet hlr_fwd kernel_fwd |
			sed -n 's/.*comment "bench_conn" # handle \([0-9]*\).*/\1/p')
		ip netns exec "$CP-lb" nft delete rule inet hlr_fwd kernel_fwd handle "$handle" || rc=1
		;;
	direct)
		ip -n "$CP-cl" route del "$addr/32" dev eth0
		ip -n "$CP-$dev" route del "$TOPO_CL4/32" dev eth0
		;;
	esac
	return $rc
}

# conn_median PATH: the median round's figures of PATH (by conn/s) as one JSON object.
conn_median() {
	local f
	for f in "$RUN/conn_$1".*.json; do
		[ -s "$f" ] && echo "$(json_num "$f" conn_per_s) $f"
	done | sort -n | awk '{ f[NR] = $2 } END { if (NR) print f[int((NR + 1) / 2)] }' | xargs -r cat
}

# nginx's stream module on the balancer host, one worker, to s1cpu:80.
conn_proxy_start() {
	topo_nginx "$CP" "$CONN_PROXY_PORT" <<-NGINX
		server {
			listen 10.$TOPO_X.1.1:$CONN_PROXY_PORT;
			proxy_pass $(topo_dev_addr4 s1cpu):80;
		}
	NGINX
}

conn_row() {
	local f=$RUN/conn_$1.json
	if [ -s "$f" ]; then
		awk -v l="$2" -v a="$(json_num "$f" conn_per_s)" -v b="$(json_num "$f" latency_us_p50)" \
			-v c="$(json_num "$f" latency_us_p99)" -v d="$3" \
			'BEGIN { printf "  %-32s %9.0f %9.1f %9.1f %9.2f\n", l, a, b, c, a / d }'
	else
		printf "  %-32s %s\n" "$2" "${4:-not run}"
	fi
}

# Connections: live traffic through the VIP, then the paths above.
conn_bench() {
	local dev=s1cpu addr key r path paths="balancer ipip kernel direct" proxy_note=""
	TOPO_BUILD=$BUILD
	topo_up "$CP" nat >"$RUN/topo.log" 2>&1 || { cat "$RUN/topo.log" >&2; return 1; }
	addr=$(topo_dev_addr4 "$dev")
	topo_hauler "$CP" up eth0 >/dev/null &&
		topo_hauler "$CP" vip add "$TOPO_VIP4:80/tcp" mode nat policy hash >/dev/null &&
		topo_hauler "$CP" server add s1 vip "$TOPO_VIP4:80/tcp" >/dev/null &&
		topo_hauler "$CP" device add "$dev" server s1 addr "$addr" port 8080 kind cpu >/dev/null ||
		return 1
	# Agent report: send -> dev_state, from the device's namespace (id 0: the only device).
	key=$(topo_hauler "$CP" device key "$dev") || return 1
	ip netns exec "$CP-$dev" "$BUILD/tools/bench_report" "$TOPO_PIN" 0 "$key" "$TOPO_LB4" \
		"$REPORT_N" | tee "$RUN/report.txt" || return 1
	sed -n 's/.* p50 \([0-9.]*\) us, p99 \([0-9.]*\) us.*/{"p50_us":\1,"p99_us":\2}/p' \
		"$RUN/report.txt" >"$RUN/report.json"
	# Live traffic: long connections echoing 1 KiB every 20 ms while new
	# ones arrive (the rates the policy-swap tests print, measured here).
	echo
	echo "live traffic ($LIVE_LONG long connections, 1 KiB each every 20 ms, new ones at up to $LIVE_RATE/s, $LIVE_S s)"
	topo_client "$CP" "$BUILD/tools/connload" --tcp "$TOPO_VIP4:80" --long "$LIVE_LONG" \
		--rate "$LIVE_RATE" --interval 20 --bytes 1024 --duration "$LIVE_S" --json \
		>"$RUN/live_raw.json" || return 1
	awk -v b="$(json_num "$RUN/live_raw.json" bytes)" -v t="$(json_num "$RUN/live_raw.json" total)" \
		-v l="$(json_num "$RUN/live_raw.json" long)" -v ms="$(json_num "$RUN/live_raw.json" elapsed_ms)" \
		'BEGIN { s = ms / 1000; printf "  %-24s %9.2f MB/s echoed   %8.1f new connections/s\n",
			"through the balancer", b / 1e6 / s, (t - l) / s;
		 printf "{\"echo_mb_per_s\":%.3f,\"new_conn_per_s\":%.1f}\n", b / 1e6 / s, (t - l) / s \
			> "'"$RUN/live.json"'" }'
	echo
	conn_ipip_setup || return 1
	if conn_proxy_start; then
		paths="balancer ipip kernel proxy direct"
	else
		proxy_note="skipped: nginx with its stream module is not installed (make deps-reproduce)"
	fi
	for r in $(seq 1 "$CONN_ROUNDS"); do
		for path in $paths; do
			conn_path "$path" "$r" || { cat "$RUN/conn_runs.txt" >&2; return 1; }
		done
	done
	for path in balancer ipip kernel proxy direct; do
		conn_median "$path" >"$RUN/conn_$path.json"
	done
	echo "connections (TCP: connect, banner, 64 bytes echoed, close; $CONN_N, $CONN_C at a time;"
	echo "median of $CONN_ROUNDS rounds, the paths interleaved)"
	printf "  %-32s %9s %9s %9s %9s\n" path conn/s "p50 us" "p99 us" "x direct"
	local direct
	direct=$(json_num "$RUN/conn_direct.json" conn_per_s)
	conn_row balancer "through the balancer (nat)" "$direct"
	conn_row ipip "through the balancer (ipip, DSR)" "$direct"
	conn_row kernel "kernel forwarding, same hops" "$direct"
	conn_row proxy "nginx stream proxy, one worker" "$direct" "$proxy_note"
	conn_row direct "direct to the device" "$direct"
	awk -v a="$(json_num "$RUN/conn_balancer.json" conn_per_s)" -v b="$direct" \
		-v c="$(json_num "$RUN/conn_balancer.json" latency_us_p50)" \
		-v d="$(json_num "$RUN/conn_direct.json" latency_us_p50)" \
		-v e="$(json_num "$RUN/conn_balancer.json" latency_us_p99)" \
		-v f="$(json_num "$RUN/conn_direct.json" latency_us_p99)" \
		-v k="$(json_num "$RUN/conn_kernel.json" conn_per_s)" \
		-v g="$(json_num "$RUN/conn_ipip.json" conn_per_s)" \
		-v h="$(json_num "$RUN/conn_ipip.json" latency_us_p50)" \
		-v i="$(json_num "$RUN/conn_ipip.json" latency_us_p99)" \
		'BEGIN { printf "  %-32s %9.2f x (target 0.90)   p50 %5.2f x   p99 %5.2f x   (nat)\n",
			"balancer / direct", a / b, c / d, e / f;
		 printf "  %-32s %9.2f x (target 0.90)   p50 %5.2f x   p99 %5.2f x   (ipip)\n",
			"balancer (ipip, DSR) / direct", g / b, h / d, i / f;
		 printf "  %-32s %9.2f x (the kernel'"'"'s own forwarding over the same hops)\n",
			"balancer / kernel forwarding", a / k;
		 printf "{\"conn_per_s\":%.4f,\"target\":0.9,\"latency_p50\":%.4f,\"latency_p99\":%.4f,\"to_kernel_forwarding\":%.4f,\"ipip_conn_per_s\":%.4f,\"ipip_latency_p50\":%.4f,\"ipip_latency_p99\":%.4f}\n",
			a / b, c / d, e / f, a / k, g / b, h / d, i / f > "'"$RUN/conn_ratio.json"'" }'
	grep '^  ipip path: ' "$RUN/conn_runs.txt"
}
