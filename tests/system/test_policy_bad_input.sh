#!/bin/bash
# test_policy_bad_input.sh BUILD - bad `hauler policy set`, `hauler server
# set NAME spill-to` and `hauler policy load` input: each fails with a non-zero exit and exactly one line
# on stderr starting "hauler:", and changes nothing (`hauler save`, `hauler
# policy list` and `hauler policy show` print the same before and after).
# Then a custom policy of our own (a copy of policies/example_lat.bpf.c
# under another name) loads, can be set, and serves connections.
. "$(dirname "$0")/lib.sh"
sys_init "$@"

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
VIP=$H_VIP4:80/tcp
H_ok vip add "$VIP" mode nat policy prt threshold 70 || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"

# What must not change.
snapshot() {
	H save && H policy list && H policy show
}
before=$(snapshot) || sys_abort "hauler save / policy list / policy show"

# expect_error ARGS...: hauler ARGS must fail with one "hauler:" line.
expect_error() {
	local err rc lines
	err=$(H "$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] && [ "${err#hauler: }" != "$err" ]; then
		ok "hauler $* -> $err"
	else
		fail "hauler $*: exit $rc, stderr ($lines lines): $err"
	fi
}

# policy set: names, parameters, metrics, ranges (include/select/params.def).
expect_error policy set "$VIP" nosuchpolicy
expect_error policy set "$VIP" lur bogus 1
expect_error policy set "$VIP" lur metric bogus
expect_error policy set "$VIP" lur metric queue # lur takes cmp, mem, net
expect_error policy set "$VIP" lur metric
expect_error policy set "$VIP" prt threshold 101
expect_error policy set "$VIP" prt threshold 0 # 0 means "not set" in the map
expect_error policy set "$VIP" prt threshold -1
expect_error policy set "$VIP" prt threshold 8o
expect_error policy set "$VIP" hash threshold 50 # hash takes no threshold
expect_error policy set "$VIP" wrr metric cmp
expect_error policy set "$VIP" p2c metric bogus
expect_error policy set "$VIP" jsq stale-ms 0
expect_error policy set "$VIP" jsq stale-ms 3600001
expect_error policy set "$VIP" dwrr interval-ms 9
expect_error policy set "$VIP" prt threshold 80 threshold
# thresholds by metric, metric combinations, spill (issue 11)
expect_error policy set "$VIP" prt metric mem threshold 101 # a utilization: 1..100
expect_error policy set "$VIP" prt metric latency # ms: no default, give one
expect_error policy set "$VIP" prt metric latency threshold 60001
expect_error policy set "$VIP" prt metric conns threshold 0
expect_error policy set "$VIP" lur metric cmp,latency # lur takes no latency
expect_error policy set "$VIP" p2c metric cmp,latency # only utilizations combine
expect_error policy set "$VIP" lur metric cmp,cmp
expect_error policy set "$VIP" lur metric cmp,
expect_error policy set "$VIP" prt spill 4
expect_error server set s1 spill-to nosuch
expect_error server set s1 spill-to s1

# Objects for policy load, built here.
SRC=$TOPO_RUN/src
mkdir -p "$SRC"
# As docs/policies.md builds a policy of one's own: the Makefile's flags.
bpf_cc() {
	env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$TOPO_SRC" custom-policy \
		SRC="$1" OBJ="$2"
}

cat >"$SRC/not_xdp.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc") int not_xdp(struct __sk_buff *skb)
{
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
EOF
# Reads the packet without checking it against data_end.
cat >"$SRC/unchecked.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int unchecked(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;

	return p[0] ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
EOF
cat >"$SRC/two.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp") int one(struct xdp_md *ctx)
{
	return XDP_PASS;
}
SEC("xdp") int two(struct xdp_md *ctx)
{
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
EOF
# Our own copy of the example policy, under another name.
sed 's/HAULER_POLICY(example_lat)/HAULER_POLICY(mylat)/' "$TOPO_SRC/policies/example_lat.bpf.c" \
	>"$SRC/mylat.bpf.c"
grep -q 'HAULER_POLICY(mylat)' "$SRC/mylat.bpf.c" || sys_abort "could not rename the example policy"
for f in not_xdp unchecked two mylat; do
	bpf_cc "$SRC/$f.bpf.c" "$SRC/$f.bpf.o" || sys_abort "clang $f.bpf.c"
done
echo "this is not an ELF object" >"$SRC/text.o"

expect_error policy load nofile "$SRC/no-such-file.o"
expect_error policy load text "$SRC/text.o"
expect_error policy load notxdp "$SRC/not_xdp.bpf.o"
expect_error policy load unchecked "$SRC/unchecked.bpf.o"
expect_error policy load two "$SRC/two.bpf.o"
expect_error policy load wrr "$SRC/mylat.bpf.o" # a built-in's name
expect_error policy load my.lat "$SRC/mylat.bpf.o"
expect_error policy load mylat
expect_error policy set "$VIP" mylat # not loaded (yet)
# "." and ".." name the policies directory and the pin directory (issue 12).
expect_error policy set "$VIP" .
expect_error policy set "$VIP" ..
expect_error vip add "$H_VIP4:81/tcp" policy ..
# A key never on the command line (ps shows it); nor one from a bad file.
expect_error device key s1cpu 000102030405060708090a0b0c0d0e0f
expect_error device key s1cpu file "$SRC/no-such-key"

after=$(snapshot)
if [ "$before" = "$after" ]; then
	ok "hauler save, policy list and policy show identical before and after"
else
	fail "state changed by bad input:"
	diff <(echo "$before") <(echo "$after")
fi
extra=""
for pin in "$TOPO_PIN"/policies/*; do
	case ${pin##*/} in
	dwrr | ecmp | example_lat | hash | jsq | lc | lur | p2c | prt | wlc | wrr) ;;
	*) extra="$extra ${pin##*/}" ;;
	esac
done
if [ -z "$extra" ]; then
	ok "no pin left under policies/ by the failed loads"
else
	fail "pins left by the failed loads:$extra"
fi

# A valid custom policy loads, is listed, can be set and serves.
if H_ok policy load mylat "$SRC/mylat.bpf.o"; then
	listed=$(H policy list | awk '$1 == "mylat"' | tr -s ' ')
	case "$listed" in
	*custom*mylat.bpf.o*) ok "policy list: $listed" ;;
	*) fail "policy list after load: '$listed'" ;;
	esac
fi
H_ok policy set "$VIP" mylat stale-ms 200
shown=$(H policy show "$VIP" | tail -n 1 | tr -s ' ')
case "$shown" in
*mylat*) ok "policy show: $shown" ;;
*) fail "policy show after set: '$shown', want mylat" ;;
esac
# In use: it may not be unloaded, and nothing changes.
in_use=$(snapshot)
expect_error policy unload mylat
[ "$in_use" = "$(snapshot)" ] || fail "a refused unload changed the state"
json=$(topo_connload "$P" --tcp "$H_VIP4:80" -n 100 -c 20 --bytes 512 --timeout 10 --json)
check_load "connections under the custom policy" "$json" 100
fb=$(hstat policy_fallback)
if [ "${fb:-x}" = 0 ]; then
	ok "policy_fallback 0: mylat ran"
else
	fail "policy_fallback ${fb:-?}: mylat did not run"
fi
# Set away from it, it unloads.
H_ok policy set "$VIP" wrr
# A swap behind hauler's back (the README's bpftool line): policy show and
# save name the program that runs, and the next change writes it back.
slot=$(H -j vip show "$VIP" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
if is_num "$slot" && bpftool map update pinned "$TOPO_PIN/policy_progs" key "$slot" 0 0 0 \
	value pinned "$TOPO_PIN/policies/hash"; then
	shown=$(H policy show "$VIP")
	case "$shown" in
	*hash*"swapped outside hauler"*wrr*) ok "policy show after a bpftool swap names hash and the swap" ;;
	*) fail "policy show after a bpftool swap: $shown" ;;
	esac
	saved=$(H save)
	grep -q "^vip add $VIP .*policy hash " <<<"$saved" && ok "save after a bpftool swap writes policy hash" ||
		fail "save after a bpftool swap: $(grep "vip add $VIP" <<<"$saved")"
	H_ok server set s1 weight 2
	[ "$(H -j policy show "$VIP" | grep -o '"drift_from":null')" = '"drift_from":null' ] &&
		ok "the next change wrote the running policy's name back" ||
		fail "still drifting after a change: $(H -j policy show "$VIP")"
else
	fail "bpftool could not swap slot '$slot'"
fi
if H_ok policy unload mylat; then
	if H policy list | awk '{ print $1 }' | grep -qx mylat || [ -e "$TOPO_PIN/policies/mylat" ]; then
		fail "mylat still listed or pinned after unload"
	else
		ok "mylat unloaded"
	fi
fi
sys_finish
