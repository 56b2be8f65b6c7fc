#!/bin/bash
# test_apply.sh BUILD - hauler apply FILE on a running balancer with live
# connections:
#
#   - FILE = the running configuration (hauler save) changed: a second
#     VIP with its pool, other device weights, another policy, a health
#     check, a config field;
#   - --dry-run prints exactly those changes and changes nothing;
#   - apply makes them in one commit: `save` then equals FILE line for
#     line (the check with its defaults,
#     in save's order), applying FILE again changes
#     nothing, the new VIP balances, and every live connection goes on;
#   - an invalid FILE (a bad line 3) is an error naming FILE:3 that
#     changes nothing; a missing FILE is an error too.
. "$(dirname "$0")/lib.sh"
sys_init "$@"
N=12

topo_up "$P" nat || sys_abort "topology setup"
VA="$H_VIP4:80/tcp" VB="$H_VIP4:8080/tcp"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VA" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VA" 4 8080 3 1 || sys_abort "pool setup"
long_start A "$H_VIP4:80" $N

F=$TOPO_RUN/want.conf
H save >"$TOPO_RUN/before.conf" || fail "save"
sed -e 's/^\(vip add [^ ]* mode nat policy\) wrr/\1 lur metric cmp/' \
	-e 's/^\(device add s1cpu .*\) weight 3/\1 weight 5/' \
	-e 's/^config set fin-grace [0-9]*/config set fin-grace 3000/' "$TOPO_RUN/before.conf" >"$F"
{
	echo "device set s2cpu check tcp interval 1000"
	echo "vip add $VB mode nat policy hash table-size 4093"
	for s in s1 s2; do
		echo "server add ${s}b vip $VB weight 1"
		echo "device add ${s}cpub server ${s}b addr $(topo_dev_addr4 ${s}cpu) port 80 kind cpu weight 1 state up"
	done
} >>"$F"

# Dry run: the changes, one a line, and nothing else; nothing changed.
if out=$(H apply "$F" --dry-run); then
	echo "$out" | sed 's/^/    /'
	want=("policy set $VA lur metric cmp" "device set s1cpu weight 5 state up kind cpu"
		"device set s2cpu check tcp interval 1000" "config set fin-grace 3000"
		"vip add $VB mode nat policy hash" "server add s1b vip $VB" "device add s2cpub server s2b")
	missing=""
	for w in "${want[@]}"; do
		grep -qF -- "$w" <<<"$out" || missing="$missing [$w]"
	done
	lines=$(grep -vc '^#' <<<"$out")
	if [ -z "$missing" ] && [ "$lines" -eq 9 ]; then
		ok "dry run lists the 9 changes"
	else
		fail "dry run: $lines lines, missing:${missing:- none}"
	fi
else
	fail "apply --dry-run failed"
fi
if H save | cmp -s - "$TOPO_RUN/before.conf"; then
	ok "dry run changed nothing"
else
	fail "dry run changed the configuration"
fi

# Invalid FILE: nothing changes, the error names the line.
sed '3s/.*/vip add not-a-vip/' "$F" >"$TOPO_RUN/bad.conf"
if err=$(H apply "$TOPO_RUN/bad.conf" 2>&1); then
	fail "apply of an invalid file succeeded"
elif [[ $err == *"bad.conf:3:"* ]] && H save | cmp -s - "$TOPO_RUN/before.conf"; then
	ok "invalid file refused, nothing changed: $err"
else
	fail "invalid file: '$err', or the configuration changed"
fi
if err=$(H apply "$TOPO_RUN/none.conf" 2>&1); then
	fail "apply of a missing file succeeded"
else
	ok "missing file refused: $err"
fi

# The real thing.
if out=$(H apply "$F" 2>&1) && [ "$out" = "applied 9 changes" ]; then
	ok "apply: $out"
else
	fail "apply: '$out'"
fi
sed 's/check tcp interval 1000$/check tcp interval 1000 timeout 1000 rise 2 fall 3 on-down keep/' \
	"$F" | sort >"$TOPO_RUN/want.expanded"
# The same lines (FILE has the check line last, save writes it after its device).
if H save | sort | diff "$TOPO_RUN/want.expanded" - >"$TOPO_RUN/save.diff"; then
	ok "save after apply has FILE's lines"
else
	fail "save after apply differs from FILE: $(cat "$TOPO_RUN/save.diff")"
fi
out=$(H apply "$F" 2>&1)
[ "$out" = "no changes" ] && ok "apply again: $out" || fail "apply again: '$out'"
burst_load "$H_VIP4:8080" 40
long_stop A
long_ended "apply under $N live connections" $N 0
sys_finish
