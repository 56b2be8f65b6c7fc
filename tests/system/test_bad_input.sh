#!/bin/bash
# test_bad_input.sh BUILD - against a running configuration, every bad
# command (unknown words, bad addresses and numbers, duplicate or missing
# objects, a batch file whose last line is wrong) fails with a non-zero
# exit and exactly one line on stderr starting "hauler:", and changes
# nothing: `hauler save` prints the same before and after.
. "$(dirname "$0")/lib.sh"
sys_init "$@"

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
VIP=$H_VIP4:80/tcp
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"
before=$(H save) || sys_abort "hauler save"
echo "running configuration:"
printf '  %s\n' "${before//$'\n'/$'\n'  }"

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

X=$TOPO_X
expect_error frobnicate
expect_error vip frobnicate
expect_error device add
expect_error vip add "10.$X.100.300:80/tcp"
expect_error vip add "10.$X.100.2:80/sctp"
expect_error vip add "10.$X.100.2:99999/tcp"
expect_error vip add "10.$X.100.2/tcp"
expect_error vip add "[fd00::zz]:80/tcp"
expect_error vip add "10.$X.100.2:80/tcp" mode bogus
expect_error vip add "10.$X.100.2:80/tcp" table-size 100
expect_error vip add "10.$X.100.2:80/tcp" policy nosuchpolicy
expect_error vip add "$VIP"
expect_error vip del "10.$X.100.9:80/tcp"
expect_error vip show "10.$X.100.9:80/tcp"
expect_error server add s1 vip "$VIP"
expect_error server add s9 vip "10.$X.100.9:80/tcp"
expect_error server add "name-longer-than-15" vip "$VIP"
expect_error server add "bad/name" vip "$VIP"
expect_error server set nosuch weight 2
expect_error server set s1 weight 65536
expect_error server del nosuch
expect_error device add s1cpu server s1 addr "$(topo_dev_addr4 s1cpu)" port 8080
expect_error device add d9 server nosuch addr "$(topo_dev_addr4 s1cpu)" port 8080
expect_error device add d9 server s1 addr "$(topo_dev_addr6 s1cpu)" port 8080
expect_error device add d9 server s1 addr "10.$X.2.256" port 8080
expect_error device add d9 server s1 addr "$(topo_dev_addr4 s1cpu)" port 0
expect_error device add d9 server s1 addr "$(topo_dev_addr4 s1cpu)" port 8080 kind toaster
expect_error device add d9 server s1 addr "$(topo_dev_addr4 s1cpu)" port 8080 weight -1
expect_error device set nosuch weight 3
expect_error device set s1cpu weight 70000
expect_error device set s1cpu state sideways
expect_error device del nosuch
expect_error policy set "$VIP" nosuchpolicy
expect_error policy set "10.$X.100.9:80/tcp" hash
expect_error config set fin-grace -5
expect_error config set confirm-budget 0
expect_error config set confirm-budget 1000001
expect_error config set confirm-budget 64 fin-grace -5

# A batch whose every line but the last is fine: nothing may be applied.
batch=$TOPO_RUN/bad.batch
cat >"$batch" <<BATCH
vip add 10.$X.100.5:80/tcp mode nat policy hash
server add s5 vip 10.$X.100.5:80/tcp
device add d5 server s5 addr $(topo_dev_addr4 s1cpu) port 8080
device set s1cpu weight 7
policy set $VIP hash
device add d6 server nosuch addr $(topo_dev_addr4 s1cpu) port 8080
BATCH
expect_error -batch "$batch"
printf 'vip add 10.%s.100.6:80/tcp\nthis is not a command\n' "$X" >"$batch"
expect_error -batch "$batch"
expect_error -batch "$TOPO_RUN/no-such-file"

after=$(H save)
if [ "$before" = "$after" ]; then
	ok "hauler save identical before and after"
else
	fail "hauler save changed:"
	diff <(echo "$before") <(echo "$after")
fi

# The ipip confirmation budget: the default saved, a good value taken and saved.
case "$before" in
*" confirm-budget 512"*) ok "save writes the default confirm-budget 512" ;;
*) fail "save lacks confirm-budget 512" ;;
esac
H_ok config set confirm-budget 64 || fail "config set confirm-budget 64"
case "$(H save)" in
*" confirm-budget 64"*) ok "config set confirm-budget 64 saved" ;;
*) fail "save lacks confirm-budget 64" ;;
esac
sys_finish
