#!/bin/bash
# test_agent_udp.sh BUILD - jsq on a UDP service, with the pending requests
# hauler-agent measures in a real socket's receive queue (issue 11).
#
# A nat-mode UDP VIP over the topology's four devices (echod on UDP 5353).
# Agents on s1cpu and s1acc report with --port 5353 --proto udp. s1acc's
# echod is stopped (SIGSTOP): the datagrams it gets wait in its receive
# queue, unanswered, as requests wait at an overloaded server. Checks:
#   - under `hash`, s1acc still gets its share of new flows (lost);
#   - the agent sees the queue: s1acc's dev_state.queue > 0 at the
#     balancer, s1cpu's 0 (its echod reads at once);
#   - under `jsq` every new flow of server s1 goes to s1cpu (s1acc's new
#     connections in `hauler stats` do not move): no datagram is lost to
#     s1acc's queue (JSQ beats hash);
#   - `device show` gives the agents' period (50 ms).
SYS_LIMIT=${SYS_LIMIT:-90}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

AGENT=$BUILD/hauler-agent
RATE=20 # reports per second: 50 ms
N=200   # datagrams per measurement, each its own flow
. "$(dirname "$0")/agent_lib.sh"

udp_cleanup() {
	[ -n "${STOPPED:-}" ] && kill -CONT "$STOPPED" 2>/dev/null
	sys_cleanup
	rm -f "/tmp/$P-"*.key
}
trap udp_cleanup EXIT
[ -x "$AGENT" ] || sys_abort "no $AGENT (run make)"

# send WHAT: N datagrams through the VIP; sets JSON, LOST (unanswered), ACC (answered by s1acc).
send() {
	JSON=$(topo_connload "$P" --udp "$H_VIP4:53" -n $N -c 20 --bytes 64 --timeout 1 --json 2>/dev/null)
	LOST=$((N - $(json_num "$JSON" ok)))
	ACC=$(json_dev "$JSON" s1acc)
	echo "    $1: $(json_num "$JSON" ok) answered, $LOST lost; s1cpu $(json_dev "$JSON" s1cpu)," \
		"s1acc $ACC, s2 $(json_dev "$JSON" s2cpu) + $(json_dev "$JSON" s2acc)"
}

# dev_new DEV: new connections the datapath gave DEV (hauler -j stats).
dev_new() {
	H -j stats | sed -n "s/.*\"name\":\"$1\",\"packets\":[0-9]*,\"bytes\":[0-9]*,\"new_conns\":\([0-9]*\).*/\1/p"
}

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$H_VIP4:53/udp" mode nat policy hash || sys_abort "vip add"
topo_pool "$P" "$H_VIP4:53/udp" 4 5353 1 1 || sys_abort "pool setup"
for dev in s1cpu s1acc; do
	id=$(dev_id "$dev")
	[ -n "$id" ] || sys_abort "device id of $dev"
	dev_key "$dev" "$id" "/tmp/$P-$dev.key" || sys_abort "key for $dev"
	agent "$dev" "$id" "/tmp/$P-$dev.key" --port 5353 --proto udp --rate $RATE
	sys_bg $!
done
ID_ACC=$(dev_id s1acc)
ID_CPU=$(dev_id s1cpu)

STOPPED=$(cat "$TOPO_RUN/s1acc.pid")
kill -STOP "$STOPPED" || sys_abort "stop s1acc's echod"

send "hash, s1acc's echod stopped"
if [ "$ACC" -eq 0 ] && [ "$LOST" -ge $((N / 10)) ]; then
	ok "hash: $LOST of $N datagrams went into s1acc's unread queue"
else
	fail "hash: lost $LOST of $N (want >= $((N / 10))), s1acc answered $ACC (want 0)"
fi

# The agent reports the queue within a few periods (up to 20 s by the
# clock: the agent shares a loaded CPU).
q=0 end=$((SECONDS + 20))
while [ "$SECONDS" -lt "$end" ]; do
	q=$(dev_state "$ID_ACC" queue)
	[ "${q:-0}" -gt 0 ] && break
	sleep 0.05
done
qcpu=$(dev_state "$ID_CPU" queue)
if [ "${q:-0}" -gt 0 ] && [ "${qcpu:-1}" -eq 0 ]; then
	ok "agent: s1acc's UDP receive queue ${q} % of its buffer, s1cpu's ${qcpu} %"
else
	fail "agent: dev_state queue s1acc ${q:-?} (want > 0), s1cpu ${qcpu:-?} (want 0)"
fi
show=$(H -j device show s1acc)
if [ "$(json_num "$show" period_ms)" = 50 ] && [ "$(json_num "$show" queue)" -gt 0 ]; then
	ok "hauler device show: s1acc period 50 ms, queue $(json_num "$show" queue)"
else
	fail "hauler device show: want period_ms 50 and queue > 0: $show"
fi

H_ok policy set "$H_VIP4:53/udp" jsq || sys_abort "policy set jsq"
HASH_LOST=$LOST
before=$(dev_new s1acc)
send "jsq, s1acc's echod stopped"
sent=$(($(dev_new s1acc) - before))
# A reply may miss connload's 1 s on a loaded host: compare, do not demand 0.
if [ "$sent" -eq 0 ] && [ $((LOST * 5)) -le "$HASH_LOST" ] && [ "$(json_dev "$JSON" s1cpu)" -gt 0 ]; then
	ok "jsq: no new flow to s1acc (hauler stats), $LOST lost against hash's $HASH_LOST"
else
	fail "jsq: $sent new flows to s1acc (want 0), lost $LOST of $N (hash: $HASH_LOST)"
fi

# Every report was genuine.
for c in report_bad_tag report_bad_source report_bad_value report_bad_magic; do
	n=$(hstat $c)
	[ "${n:-0}" -eq 0 ] || fail "agents' reports refused: $c $n"
done
kill -CONT "$STOPPED"
STOPPED=
sys_finish
