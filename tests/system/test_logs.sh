#!/bin/bash
# test_logs.sh BUILD - the log levels of the real binary (docs/cli.md,
# "Logs"), on a balancer of its own (one namespace, a veth pair, generic
# XDP; no traffic):
#
#   - `hauler up` at the default level prints nothing on stderr: libbpf's
#     messages are not shown; `-v` shows none of libbpf's debug lines,
#     `-vv` shows them (each line `libbpf: ...`);
#   - `hauler daemon` logs one line per event, each `hauler daemon: ...`
#     (its start and its stop on SIGTERM); with `-q` it logs no event but
#     still its warnings (`hauler daemon: warning: ...`: the balancer is
#     down, its maps gone);
#   - `-q` with `-v` is refused with a clear error and changes nothing.
SYS_LIMIT=${SYS_LIMIT:-60}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

NS=$P-logs
PIN=/run/$P/bpf
logs_cleanup() {
	ip netns exec "$NS" "$BUILD/hauler" -p "$PIN" down >/dev/null 2>&1
	umount "$PIN" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	sys_cleanup
}
trap logs_cleanup EXIT
ip netns add "$NS" && ip -n "$NS" link add lg0 type veth peer name lg1 &&
	ip -n "$NS" link set lg0 up && ip -n "$NS" link set lg1 up || sys_abort "namespace $NS"
mkdir -p "$PIN" && mount -t bpf bpf "$PIN" || sys_abort "bpf mount on $PIN"
# pinned: anything but a bpffs's own maps.debug and progs.debug in PIN.
pinned() {
	local f
	for f in "$PIN"/*; do
		case $f in *.debug | "$PIN/*") ;; *) return 0 ;; esac
	done
	return 1
}
L() { ip netns exec "$NS" "$BUILD/hauler" -p "$PIN" "$@"; }
ERR=/run/$P/stderr

# up_lines OPTS...: `hauler OPTS up` (again over the pins: an upgrade);
# its stderr in $ERR, libbpf's debug lines (`libbpf: ...`) counted in N.
up_lines() {
	L "$@" up lg0 --mode generic >/dev/null 2>"$ERR" || { fail "hauler $* up: $(head -3 "$ERR")"; return 1; }
	N=$(grep -c '^libbpf: ' "$ERR")
	return 0
}
if up_lines; then
	[ -s "$ERR" ] && fail "hauler up printed at the default level: $(head -3 "$ERR")" ||
		ok "hauler up at the default level: nothing on stderr (libbpf silent)"
fi
if up_lines -v; then
	[ "$N" -eq 0 ] && ok "hauler -v up: none of libbpf's debug lines" ||
		fail "hauler -v up printed $N libbpf lines: $(head -2 "$ERR")"
fi
if up_lines -vv; then
	if [ "$N" -gt 0 ] && [ "$N" -eq "$(wc -l <"$ERR")" ]; then
		ok "hauler -vv up: libbpf's debug chatter, $N lines, each 'libbpf: ...'"
	else
		fail "hauler -vv up: $N libbpf lines of $(wc -l <"$ERR"): $(head -2 "$ERR")"
	fi
fi

# daemon_run WAIT OPTS...: `hauler OPTS daemon`, stopped by SIGTERM once
# it handles that signal (/proc's SigCgt; before, TERM would kill it) and
# has logged a line matching WAIT (none when empty); its stderr in $ERR,
# its exit status in RC (0 only when it stopped through its handler).
daemon_run() {
	local wait=$1
	shift
	# Not through L: $! must be hauler itself (ip netns exec execs it).
	ip netns exec "$NS" "$BUILD/hauler" -p "$PIN" "$@" daemon --interval-ms 50 2>"$ERR" &
	local pid=$! end=$((SECONDS + 30)) cgt
	while [ "$SECONDS" -lt "$end" ]; do
		cgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		# SIGTERM (15) is bit 14.
		[ -n "$cgt" ] && (((16#$cgt >> 14) & 1)) && break
		sleep 0.1
	done
	if [ -n "$wait" ]; then
		until grep -q "$wait" "$ERR" || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done
	fi
	sleep 0.3 # a few passes
	kill -TERM $pid
	wait $pid
	RC=$?
}
daemon_run 'dwrr rings every'
if grep -q '^hauler daemon: dwrr rings every' "$ERR" && grep -qx 'hauler daemon: stopped' "$ERR" &&
	! grep -qv '^hauler daemon: ' "$ERR"; then
	ok "hauler daemon: one line per event, each 'hauler daemon: ...' ($(wc -l <"$ERR") lines)"
else
	fail "hauler daemon's log: $(head -5 "$ERR")"
fi
daemon_run "" -q
if [ "$RC" -eq 0 ] && [ ! -s "$ERR" ]; then
	ok "hauler -q daemon: no event logged (neither its start nor its stop)"
else
	fail "hauler -q daemon: exit $RC, logged: $(head -3 "$ERR")"
fi

# -q keeps warnings: the daemon finds no pins once the balancer is down.
L down >/dev/null 2>&1 || fail "hauler down"
daemon_run warning -q
if grep -q '^hauler daemon: warning: ' "$ERR" && ! grep -q 'dwrr rings' "$ERR"; then
	ok "hauler -q daemon still warns: $(head -1 "$ERR")"
else
	fail "hauler -q daemon without pins: '$(head -3 "$ERR")'"
fi

if L -q -v up lg0 --mode generic >/dev/null 2>"$ERR"; then
	fail "hauler -q -v up was accepted"
elif [ "$(cat "$ERR")" = "hauler: -q and -v exclude each other" ] && ! pinned; then
	ok "hauler -q -v refused ($(cat "$ERR")), nothing pinned"
else
	fail "hauler -q -v: '$(cat "$ERR")', pins: $(echo "$PIN"/*)"
fi
sys_finish
