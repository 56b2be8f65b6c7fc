#!/bin/bash
# test_reap.sh BUILD - what a killed run left is removed by the next one
# (topology.sh, topo_reap_stale), and a live run's names are not touched.
#
# A run killed with SIGKILL (or by its caller's timeout) cannot run its
# EXIT trap. This test makes such leftovers under the prefixes of a
# process that has ended: a test's (hlrPID: two namespaces, a run
# directory with a bpf file system mounted in it, a cgroup) and a bench's
# (hlrbPID: its namespace and run directory with a bpf file system;
# hlrbPIDc, its topology: a namespace, a run directory, a cgroup), and
# namespaces under its own live prefixes (hlrPID-, hlrbPID), then reaps:
# the dead run's all go, the live ones stay.
SYS_LIMIT=${SYS_LIMIT:-60}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

sleep 0 &
DEAD=$!
wait $DEAD
kill -0 $DEAD 2>/dev/null && sys_abort "pid $DEAD still runs"
D=hlr$DEAD   # a test's prefix
B=hlrb$DEAD  # a bench's namespace and run directory
BC=${B}c     # the bench's topology prefix
LB=hlrb$$    # a live bench's namespace (this test's PID)
CG=/sys/fs/cgroup/cpu
[ -f /sys/fs/cgroup/cgroup.controllers ] && CG=/sys/fs/cgroup
reap_cleanup() {
	local m
	for m in "/run/$D/b1/bpf" "/run/$B/bpf"; do umount "$m" 2>/dev/null; done
	rm -rf "/run/$D" "/run/$B" "/run/$BC"
	for m in "$D-x" "$D-y" "$B" "$BC-lb" "$P-live" "$LB"; do ip netns del "$m" 2>/dev/null; done
	rmdir "$CG/$D-work" "$CG/$BC-s1acc" 2>/dev/null
	sys_cleanup
}
trap reap_cleanup EXIT

for ns in "$D-x" "$D-y" "$B" "$BC-lb" "$P-live" "$LB"; do
	ip netns add "$ns" || sys_abort "netns add $ns"
done
ip netns exec "$D-x" sleep 300 &
ip netns exec "$BC-lb" sleep 300 &
for m in "/run/$D/b1/bpf" "/run/$B/bpf"; do
	mkdir -p "$m" && mount -t bpf bpf "$m" || sys_abort "bpf mount on $m"
done
mkdir -p "/run/$BC" || sys_abort "mkdir /run/$BC"
if [ -d "$CG" ]; then
	mkdir -p "$CG/$D-work" "$CG/$BC-s1acc" || sys_abort "cgroups under $CG"
fi
sleep 0.2

topo_reap_stale

left=$(ip netns list | awk '{ print $1 }' | grep -E "^($D-|$B\$|$BC-)")
if [ -z "$left" ]; then
	ok "the ended run's namespaces are gone (a test's $D-*, a bench's $B and $BC-*)"
else
	fail "left: $(tr '\n' ' ' <<<"$left")"
fi
for ns in "$P-live" "$LB"; do
	if ip netns list | awk '{ print $1 }' | grep -qx "$ns"; then
		ok "a live run's namespace $ns stays"
	else
		fail "the live run's namespace $ns was removed"
	fi
done
for d in "$D" "$B"; do
	if grep -q " /run/$d/" /proc/mounts; then fail "/run/$d still has a mount"; else ok "the bpf mount in /run/$d is gone"; fi
done
for d in "$D" "$B" "$BC"; do
	if [ -e "/run/$d" ]; then fail "/run/$d still there"; else ok "run directory /run/$d is gone"; fi
done
if [ -d "$CG" ]; then
	for c in "$D-work" "$BC-s1acc"; do
		if [ -d "$CG/$c" ]; then fail "cgroup $c still there"; else ok "cgroup $c is gone"; fi
	done
fi
sys_finish
