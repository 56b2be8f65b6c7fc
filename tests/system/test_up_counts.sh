#!/bin/bash
# test_up_counts.sh BUILD - the VIP, server and device counts chosen at
# hauler up (--vips, --servers, --devices). A balancer sized above the
# defaults for VIPs and servers (100, 300) takes a 65th VIP and a
# 257th server, which a default one refuses, and one below the default
# for devices (600) refuses a 601st; the 101st VIP is refused. A re-up
# keeps the counts; one asking for others, and bad counts, are refused
# and change nothing. The table: compact by default; --table lru gives
# the LRU tables, and a re-up without --table keeps them. --assigned:
# how lc and wlc count, chosen by the CPUs or forced, kept by a re-up.
. "$(dirname "$0")/lib.sh"
SYS_LIMIT=60
sys_init "$@"

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 --vips 100 --servers 300 --devices 600 || sys_abort "hauler up"

status_num() { H -j status | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
[ "$(status_num vips_max)" = 100 ] && [ "$(status_num servers_max)" = 300 ] &&
	[ "$(status_num devices_max)" = 600 ] && ok "status shows the counts of up" ||
	fail "status: $(H -j status)"
# The table: the compact one by default, sized for --conns' default
# (1,048,576 connections at 60 % of its slots: ct_buckets_for).
if H -j status | grep -q '"table":"compact"' && [ "$(status_num ct_buckets)" = 218454 ] &&
	[ "$(status_num ct_slots)" = 1747632 ] &&
	H status | grep -qE "^table +compact \(218454 buckets, 1747632 slots\)"; then
	ok "status names the compact table (the default) and its size"
else
	fail "status: $(H -j status) / $(H status | grep '^table')"
fi

# 100 VIPs, 300 servers over them, 600 devices (2 a server), one batch.
batch=$TOPO_RUN/counts.batch
{
	for v in $(seq 0 99); do echo "vip add 10.50.0.$v:80/tcp mode ipip"; done
	for s in $(seq 0 299); do echo "server add s$s vip 10.50.0.$((s % 100)):80/tcp"; done
	for d in $(seq 0 599); do
		echo "device add d$d server s$((d / 2)) addr 10.60.$((d / 250)).$((d % 250 + 1)) port 8080"
	done
} >"$batch"
if H -batch "$batch" >"$TOPO_RUN/batch.out" 2>&1; then
	ok "100 VIPs, 300 servers and 600 devices taken"
else
	fail "the batch failed: $(tail -2 "$TOPO_RUN/batch.out")"
fi
[ "$(status_num vips)" = 100 ] && [ "$(status_num servers)" = 300 ] &&
	[ "$(status_num devices)" = 600 ] || fail "status after the batch: $(H -j status)"

# One more of each: refused, with the option to size it.
out=$(H vip add 10.50.1.1:80/tcp 2>&1) && fail "a 101st VIP was taken"
grep -q "too many VIPs (100; hauler up --vips" <<<"$out" && ok "a 101st VIP is refused" ||
	fail "101st VIP: $out"
out=$(H server add sx vip 10.50.0.1:80/tcp 2>&1) && fail "a 301st server was taken"
grep -q "too many servers (300" <<<"$out" && ok "a 301st server is refused" ||
	fail "301st server: $out"
out=$(H device add dx server s299 addr 10.61.0.1 port 8080 2>&1) && fail "a 601st device was taken"
grep -q "too many devices (600" <<<"$out" && ok "a 601st device is refused" ||
	fail "601st device: $out"

# Re-up: the same counts or none keep everything; other counts are refused.
H_ok up eth0 --vips 100 --servers 300 --devices 600 || fail "a re-up with the same counts"
H_ok up eth0 || fail "a re-up without counts"
for bad in "--vips 64" "--servers 256" "--devices 4096"; do
	# shellcheck disable=SC2086
	out=$(H up eth0 $bad 2>&1) && fail "hauler up $bad over other counts was accepted"
	grep -q "hauler down first" <<<"$out" || fail "up $bad: $out"
done
ok "a re-up asking for other counts is refused"
for bad in "--vips 0" "--vips 513" "--servers 4097" "--devices 8193" "--devices x" "--vips"; do
	# shellcheck disable=SC2086
	H up eth0 $bad >/dev/null 2>&1 && fail "hauler up $bad was accepted"
done
ok "bad counts are refused"
[ "$(status_num vips)" = 100 ] && [ "$(status_num devices_max)" = 600 ] &&
	ok "the refused ups changed nothing" || fail "status after the refusals: $(H -j status)"

# The LRU tables (--table lru): their sizes, and their new connections a
# CPU per 100 ms by their policy: half_open / (30 x CPUs)
# (include/handshake.h). --half-open is theirs only.
H_ok down
if H up eth0 --half-open 4096 >/dev/null 2>&1; then
	fail "hauler up --half-open with the compact table (the default) was accepted"
else
	ok "--half-open without --table lru is refused"
fi
H_ok up eth0 --table lru || sys_abort "hauler up --table lru"
cpus=$(($(cut -d- -f2 /sys/devices/system/cpu/possible) + 1))
burst=$((131072 / (30 * cpus)))
if H -j status | grep -q '"table":"lru"' && [ "$(status_num conns_max)" = 1048576 ] &&
	[ "$(status_num half_open_max)" = 131072 ] && [ "$(status_num half_open_burst)" = "$burst" ] &&
	H status | grep -qE "^table +lru \(conns 1048576, half-open 131072; by their policy up to $burst new"; then
	ok "status names the LRU tables, their sizes and $burst new connections a CPU per 100 ms"
else
	fail "status: $(H -j status) / $(H status | grep '^table')"
fi
H_ok up eth0 || fail "a re-up of the LRU tables without --table"
H -j status | grep -q '"table":"lru"' && ok "a re-up without --table keeps the LRU tables" ||
	fail "after a re-up without --table: $(H -j status)"

# How lc and wlc count (--assigned): the exact sum on one CPU by
# default, the aggregate above; either forced; a re-up keeps the choice.
want=exact
[ "$cpus" -gt 1 ] && want=aggregate
H -j status | grep -q "\"assigned\":\"$want\"" && [ "$(status_num assigned_cpus)" = 1 ] &&
	ok "assigned: $want on $cpus CPUs by default" || fail "assigned: $(H -j status)"
H_ok up eth0 --assigned aggregate --assigned-interval 250 || fail "hauler up --assigned aggregate"
if H -j status | grep -q '"assigned":"aggregate"' && [ "$(status_num assigned_us)" = 250 ] &&
	H status | grep -qE "^assigned +aggregate, summed over CPUs every 250 us \(asked\)"; then
	ok "--assigned aggregate: the aggregate every 250 us"
else
	fail "assigned: $(H -j status) / $(H status | grep '^assigned')"
fi
H_ok up eth0 || fail "a re-up without --assigned"
[ "$(status_num assigned_us)" = 250 ] && ok "a re-up without --assigned keeps it" ||
	fail "after a re-up without --assigned: $(H -j status)"
H_ok up eth0 --assigned exact || fail "hauler up --assigned exact"
[ "$(status_num assigned_us)" = 0 ] && H -j status | grep -q '"assigned":"exact"' &&
	ok "--assigned exact: the sum over CPUs" || fail "assigned: $(H -j status)"
if H up eth0 --assigned-interval 0 >/dev/null 2>&1 || H up eth0 --assigned sometimes >/dev/null 2>&1; then
	fail "a bad --assigned-interval or --assigned was accepted"
else
	ok "bad --assigned-interval and --assigned are refused"
fi

sys_finish
