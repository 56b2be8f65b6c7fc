#!/bin/bash
# test_export_p4.sh BUILD - `hauler export p4` on a running balancer: the
# Maglev entries it writes are the pinned table (bucket b = slot b mod M;
# pinned after a weight change, so built with minimal disruption), -o
# writes a 0600 file, the demo's devices and keys are there, and bad
# command lines fail with one "hauler:" line and write nothing.
. "$(dirname "$0")/lib.sh"
sys_init "$@"

topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
VIP=$H_VIP4:80/tcp
H_ok vip add "$VIP" mode nat policy wrr table-size 251 || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"
H_ok server set s1 weight 3 || sys_abort "server set"
H_ok device key s1cpu generate >/dev/null || sys_abort "device key"

OUT=$TOPO_RUN/export.py
H_ok export p4 --python -o "$OUT" port s1cpu=7 || sys_abort "export"
mode=$(stat -c %a "$OUT")
[ "$mode" = 600 ] && ok "export file mode 600" || fail "export file mode $mode"

# The pinned table of VIP 0 (version from vips), one server index per slot.
pin=/run/$P/bpf
ver=$(H -j vip show | sed -n 's/.*"pool_version":\([0-9]*\).*/\1/p' | head -1)
[ -n "$ver" ] || ver=$(bpftool -j map dump pinned "$pin/vips" | grep -o '"pool_version":[0-9]*' | head -1 | cut -d: -f2)
[ -n "$ver" ] || sys_abort "no pool version"
# shellcheck disable=SC2046 # one printf argument per byte
pinned=$(printf '%d\n' $(bpftool -j map lookup pinned "$pin/pools" key "$ver" 0 0 0 |
	grep -o '"0x[0-9a-f]*"' | tr -d '"' | head -n $((4 + 2 * 251))) |
	awk 'NR > 4 { b[NR - 5] = $1 } END { for (i = 0; i < 251; i++) print b[2 * i] + 256 * b[2 * i + 1] }')
[ "$(printf '%s\n' "$pinned" | wc -l)" = 251 ] || sys_abort "cannot read the pinned pool"
exported=$(grep "maglev.add_with_set_server(pool=$ver," "$OUT" |
	sed 's/.*bucket=\([0-9]*\), server=\([0-9]*\).*/\1 \2/')
[ "$(printf '%s\n' "$exported" | wc -l)" = 256 ] && ok "256 buckets for M = 251" ||
	fail "$(printf '%s\n' "$exported" | wc -l) buckets exported"
bad=$(printf '%s\n' "$exported" | awk -v table="$pinned" '
	BEGIN { n = split(table, t, "\n") }
	{ if ($2 != t[($1 % n) + 1]) bad++ }
	END { print bad + 0 }')
[ "$bad" = 0 ] && ok "every bucket is the pinned slot b mod M" || fail "$bad buckets differ from the pinned table"

# The demo's four devices, and s1cpu's key on port 7.
[ "$(grep -c 'forward.devices.add_with_set_device' "$OUT")" = 4 ] && ok "4 devices" ||
	fail "devices: $(grep -c 'forward.devices.add_with_set_device' "$OUT")"
grep -q 'report_devices.add_with_known(device=0, server=0, pos=0, ingress_port=7,' "$OUT" &&
	ok "s1cpu's key on port 7" || fail "no report_devices entry for s1cpu on port 7"

# Bad lines: one error line, no file.
for args in "p5" "p4 port nosuch=1" "p4 port s1cpu=999" "p4 -o"; do
	rm -f "$TOPO_RUN/bad"
	# shellcheck disable=SC2086 # words on purpose
	err=$(H export $args -o "$TOPO_RUN/bad" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] &&
		[ "${err#hauler: }" != "$err" ] && [ ! -e "$TOPO_RUN/bad" ]; then
		ok "export $args -> $err"
	else
		fail "export $args: exit $rc, stderr: $err"
	fi
done

sys_finish
