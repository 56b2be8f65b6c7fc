#!/bin/bash
# tools/quiet.sh CMD [ARGS...]: run CMD alone on CPU 1 while every other
# task of the machine is kept on CPU 0 (cgroup v1 cpuset), so that a
# latency or rate measurement (make reproduce, make bench with
# BENCH_CPU=1) is not disturbed by other work. One user at a time (flock);
# every task is put back on exit. A measuring tool, never part of make
# check. Needs root and the v1 cpuset hierarchy at /sys/fs/cgroup/cpuset.
set -u
CS=/sys/fs/cgroup/cpuset
exec 9>/run/hauler-quiet.lock
echo "quiet: waiting for the quiet CPU..." >&2
flock 9
for g in hauler-quiet-others hauler-quiet-rig; do mkdir -p $CS/$g; cat $CS/cpuset.mems >$CS/$g/cpuset.mems; done
echo 0 >$CS/hauler-quiet-others/cpuset.cpus
echo 1 >$CS/hauler-quiet-rig/cpuset.cpus
echo $$ >$CS/hauler-quiet-rig/cgroup.procs
mover() {
	while :; do
		for p in $(cat $CS/cgroup.procs); do echo $p >$CS/hauler-quiet-others/cgroup.procs 2>/dev/null; done
		sleep 0.5
	done
}
mover & MOVER=$!
restore() {
	kill $MOVER 2>/dev/null; wait $MOVER 2>/dev/null
	for g in hauler-quiet-others hauler-quiet-rig; do
		for p in $(cat $CS/$g/cgroup.procs 2>/dev/null); do echo $p >$CS/cgroup.procs 2>/dev/null; done
	done
	echo "quiet: CPUs given back" >&2
}
trap restore EXIT
trap 'exit 130' INT TERM
sleep 1
echo "quiet: CPU 1 is yours (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
"$@"
