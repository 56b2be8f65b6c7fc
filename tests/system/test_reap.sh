#!/bin/bash
# test_reap.sh BUILD - what a killed run left is removed by the next one
# (topology.sh, topo_reap_stale), and a live run's names are not touched.
#
# A run killed with SIGKILL (or by its caller's timeout) cannot run its
# EXIT trap. This test makes such leftovers under the prefix of a process
# that has ended (two namespaces, a run directory with a bpf file system
# mounted in it, a cgroup) and a namespace under its own, live prefix,
# then reaps: the dead run's all go, the live one stays.
SYS_LIMIT=${SYS_LIMIT:-60}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

sleep 0 &
DEAD=$!
wait $DEAD
kill -0 $DEAD 2>/dev/null && sys_abort "pid $DEAD still runs"
D=hlr$DEAD
CG=/sys/fs/cgroup/cpu
reap_cleanup() {
	umount "/run/$D/b1/bpf" 2>/dev/null
	rm -rf "/run/$D"
	ip netns del "$D-x" 2>/dev/null
	ip netns del "$D-y" 2>/dev/null
	ip netns del "$P-live" 2>/dev/null
	rmdir "$CG/$D-work" 2>/dev/null
	sys_cleanup
}
trap reap_cleanup EXIT

ip netns add "$D-x" && ip netns add "$D-y" && ip netns add "$P-live" || sys_abort "netns add"
ip netns exec "$D-x" sleep 300 &
mkdir -p "/run/$D/b1/bpf" && mount -t bpf bpf "/run/$D/b1/bpf" || sys_abort "bpf mount"
[ -d "$CG" ] && mkdir -p "$CG/$D-work"
sleep 0.2

topo_reap_stale

left=$(ip netns list | awk '{ print $1 }' | grep -E "^$D-")
if [ -z "$left" ]; then ok "the ended run's namespaces are gone"; else fail "left: $left"; fi
if ip netns list | awk '{ print $1 }' | grep -qx "$P-live"; then
	ok "a live run's namespace stays"
else
	fail "the live run's namespace $P-live was removed"
fi
if grep -q " /run/$D/" /proc/mounts; then fail "/run/$D still has a mount"; else ok "its bpf mount is gone"; fi
if [ -e "/run/$D" ]; then fail "/run/$D still there"; else ok "its run directory is gone"; fi
if [ -d "$CG" ]; then
	if [ -d "$CG/$D-work" ]; then fail "cgroup $D-work still there"; else ok "its cgroup is gone"; fi
fi
sys_finish
