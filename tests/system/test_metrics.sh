#!/bin/bash
# test_metrics.sh BUILD - the metrics endpoint, scraped by a real
# Prometheus (Debian's) in the balancer's namespace:
#
#   - `hauler metrics` passes `promtool check metrics`;
#   - `hauler exporter` and `hauler daemon --metrics` both serve it; a
#     generated Prometheus config scrapes both every second;
#   - after known traffic (N connections, 3 reports with a wrong key),
#     queries through Prometheus's HTTP API (promtool query instant)
#     return exactly N new connections for the VIP on both endpoints and
#     3 report rejections with reason bad_tag;
#   - a bad listen address is an error; a balancer taken down is
#     hauler_balancer_up 0 on the still running exporter; the exporter
#     exits 0 on SIGTERM.
SYS_LIMIT=${SYS_LIMIT:-60}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=100
EXP=127.0.0.1:9477 DMN=127.0.0.1:9478 PROM=127.0.0.1:9090

for tool in prometheus promtool curl; do
	command -v $tool >/dev/null || sys_abort "$tool is not installed (make deps)"
done
topo_up "$P" nat || sys_abort "topology setup"
VIP="$H_VIP4:80/tcp"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"
LB() { ip netns exec "$P-lb" "$@"; }

# The exposition format, as Prometheus's own linter reads it.
if out=$(H metrics | promtool check metrics 2>&1); then
	ok "hauler metrics passes promtool check metrics"
else
	fail "promtool check metrics: $out"
fi
if err=$(H exporter 127.0.0.1 2>&1); then
	fail "exporter without a port started"
else
	case "$err" in
	*"bad listen address"*) ok "exporter refuses a listen address without port: $err" ;;
	*) fail "exporter without a port: '$err'" ;;
	esac
fi

# Not through H (a function: $! would be its subshell, not hauler).
ip netns exec "$P-lb" "$BUILD/hauler" -p "$TOPO_PIN" exporter "$EXP" 2>"$TOPO_RUN/exporter.log" &
EXP_PID=$!
sys_bg $EXP_PID
ip netns exec "$P-lb" "$BUILD/hauler" -p "$TOPO_PIN" daemon --metrics "$DMN" \
	>"$TOPO_RUN/daemon.log" 2>&1 &
sys_bg $!

mkdir -p "$TOPO_RUN/prom"
cat >"$TOPO_RUN/prometheus.yml" <<-CONF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: exporter
	    static_configs: [{targets: ['$EXP']}]
	  - job_name: daemon
	    static_configs: [{targets: ['$DMN']}]
CONF
LB prometheus --config.file="$TOPO_RUN/prometheus.yml" --storage.tsdb.path="$TOPO_RUN/prom" \
	--web.listen-address="$PROM" --log.level=warn >"$TOPO_RUN/prometheus.log" 2>&1 &
sys_bg $!

# Known traffic: N connections; 3 reports of s1cpu signed with a wrong key.
H device key s1cpu >/dev/null || fail "device key s1cpu"
json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n $N -c 20 --bytes 100 --timeout 10 --json)
check_load "connections to $VIP" "$json" $N
id=$(H -j device show s1cpu | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1)
(umask 077 && echo 000102030405060708090a0b0c0d0e0f >"$TOPO_RUN/wrong.key")
ip netns exec "$P-s1cpu" "$BUILD/hauler-agent" --device "$id" --key-file "$TOPO_RUN/wrong.key" \
	--balancer "$TOPO_LB4:7946" --source "$(topo_dev_addr4 s1cpu)" --rate 100 --count 3 \
	>"$TOPO_RUN/agent.log" 2>&1 || fail "hauler-agent did not send its reports"

# query EXPR: its value through Prometheus's HTTP API (empty: no sample).
query() {
	LB promtool query instant "http://$PROM" "$1" 2>/dev/null | sed -n 's/.* => \([0-9.e+-]*\) @.*/\1/p' | head -1
}
# expect WHAT EXPR WANT: the query returns WANT within 20 s (scrapes every second).
expect() {
	local got="" n=100
	while [ $n -gt 0 ]; do
		got=$(query "$2")
		[ "$got" = "$3" ] && break
		sleep 0.2
		n=$((n - 1))
	done
	if [ "$got" = "$3" ]; then
		ok "$1: $2 = $got"
	else
		fail "$1: $2 = '${got}', want $3 (prometheus log: $(tail -n 2 "$TOPO_RUN/prometheus.log"))"
	fi
}
expect "exporter scraped" 'up{job="exporter"}' 1
expect "daemon scraped" 'up{job="daemon"}' 1
expect "new connections (exporter)" "hauler_vip_new_connections_total{job=\"exporter\",vip=\"$VIP\"}" $N
expect "new connections (daemon)" "hauler_vip_new_connections_total{job=\"daemon\",vip=\"$VIP\"}" $N
expect "datapath conn_new" 'hauler_datapath_packets_total{job="exporter",counter="conn_new"}' $N
expect "forged reports" 'hauler_report_packets_total{job="exporter",result="bad_tag"}' 3
expect "devices' new connections add up" \
	"sum(hauler_device_new_connections_total{job=\"exporter\",vip=\"$VIP\"})" $N
expect "the daemon's own counter" 'count(hauler_daemon_ring_updates_total{job="daemon"})' 1

# The balancer goes away under a running exporter: it says so.
H_ok down
got=$(LB curl -s "http://$EXP/metrics" | grep '^hauler_balancer_up ')
if [ "$got" = "hauler_balancer_up 0" ]; then
	ok "after hauler down the exporter serves '$got'"
else
	fail "after hauler down the exporter serves '$got'"
fi
kill -TERM $EXP_PID
if wait $EXP_PID; then
	ok "exporter exited 0 on SIGTERM"
else
	fail "exporter exited non-zero on SIGTERM: $(cat "$TOPO_RUN/exporter.log")"
fi
sys_finish
