# shellcheck shell=bash
# workload.sh - the request workload on the namespace topology (issue 9).
# Source it after topology.sh, bring the topology up, then:
#
#   wl_calibrate                 # prints the kernel repetitions for WL_WORK_US
#   wl_start PREFIX ITERS        # workd on every device, each in its own CPU cgroup
#   wl_keys PREFIX NAME...       # a key per device at the balancer, in TOPO_RUN
#   wl_agent PREFIX DEV NAME [ARGS]  # hauler-agent for device NAME on DEV
#   wl_load PREFIX ARGS...       # build/tools/loadgen in the client namespace
#
# Every device runs workd on UDP and TCP port WL_PORT, the same program,
# each under a CPU quota of its own; an accelerator is a slower processor
# with less of the CPU: each of its requests runs WL_ACC_SLOW (2) times the
# kernel repetitions of a cpu device's, under WL_ACC_PCT (16) percent of
# one CPU against the cpu device's WL_CPU_PCT (40): a fifth of the
# capacity (16/2 against 40) and five times the service time (4 ms of CPU
# at 16% = 25 ms, against 2 ms at 40% = 5 ms), at any load (the thesis's
# 5:1, server CPU 91 vs SmartNIC 17.6 GFLOP/s). Both devices busy take 56%
# of the CPU, so that the client, the balancer's XDP work and the agents,
# which share that CPU in make reproduce, have the other 44% and the
# accelerator's work does not take the server CPU's time. (The rig before
# gave both devices 40% and the accelerator 5x the kernel: together 80%.)
# Each workd runs in the cgroup PREFIX-DEV-work (v2: one directory; v1: in
# the cpu, cpuacct and memory hierarchies, which hauler-agent --cgroup
# reads), limited by a CFS quota of WL_QUOTA_US per period. The quota is
# 1 ms, the least the kernel takes, so the periods are short (2.5 ms and
# 6.25 ms): a request (2 ms of CPU on a cpu device, 4 ms on an
# accelerator) spans several periods and sees a slower CPU, not one that
# runs at full speed and then stops for a long period. (An earlier rig
# made the accelerator a 8% quota of the same kernel instead: a 12.5 ms
# period, longer than a request, so an unloaded accelerator answered at
# full speed and a loaded one in steps of 12.5 ms: the quota, not the
# device, made its tail.) topo_down removes the cgroups (every PREFIX-*
# cgroup).
#
# Each workd pushes the P99 of its last requests to TOPO_RUN/DEV-lat.sock,
# where that device's agent (wl_agent) listens (--latency-socket).

WL_PORT=9000
: "${WL_WORK_US:=2000}"
: "${WL_WORK_BY:=cpu}" # cpu or iters (wl_work_args)
: "${WL_CPU_PCT:=40}"
: "${WL_ACC_PCT:=16}"
: "${WL_ACC_SLOW:=2}" # an accelerator's request: this many times a cpu device's work
: "${WL_QUOTA_US:=1000}"
# A cpu device's CFS burst, us (0: none; at most WL_QUOTA_US), for work by
# repetitions: its period (2.5 ms) is shorter than the scheduler tick
# (4 ms here), and a busy cpu device working by repetitions used only
# 0.32-0.36 of a CPU for its 40% (2026-12-03: the cgroup's usage over 2 s
# of a saturated run); a burst of one quota brought it to 0.39-0.41. Work
# by CPU time needs none: reading the CPU clock after each repetition
# makes the kernel account the task there, and the device gets its whole
# quota. The accelerator's 6.25 ms period lost 1% and gets none: an idle
# accelerator would otherwise run its next request faster than its share.
: "${WL_CPU_BURST_US:=0}"
: "${WL_ACC_YIELD:=0}" # 1: acc devices at the lowest CPU weight (wl_cg_make)
: "${WL_DROP_MS:=0}" # workd --drop-after-ms
: "${WL_RCVBUF:=0}"  # workd --rcvbuf (0: the kernel's default)
# workd --window-ms: the pushed P99 covers the requests of the last 500 ms
# only (the learner's iteration in make reproduce), so that after a weight
# change it is the new weight's P99 (0: the last 200 requests, any age).
: "${WL_WINDOW_MS:=500}"
# Every workd runs on this CPU (default the last this script may run on:
# under tools/quiet.sh the quiet one): the CPUs of a shared machine can
# differ in speed (seen here: 1.6x, one of them also taking interrupts),
# and a device must keep the speed it was calibrated at.
: "${WL_CPU:=$(awk '$1 == "Cpus_allowed_list:" {
	n = split($2, r, ","); k = split(r[n], b, "-"); print b[k]; exit
}' /proc/self/status)}"
# The accelerators' CPU (default WL_CPU, the same): another CPU gives an
# accelerator silicon of its own, as a SmartNIC has, so that its work
# never holds up the server CPU's device (a CFS quota is enforced at the
# 4 ms tick, so on one CPU the accelerator, once running, can keep the
# server CPU's device waiting up to a tick).
: "${WL_ACC_CPU:=$WL_CPU}"

# loadgen's CPU (default: the first CPU this script may run on that is
# not the devices'; else the first that is not the server CPU's, so with
# WL_ACC_CPU on the other CPU of two the client shares the accelerator's
# (whose quota leaves it most of that CPU); none, so unpinned, when there
# is no other). Off the server CPU device's CPU, the client takes none
# of its time; and on one CPU, the balancer decides every request on one
# CPU, as behind a NIC with one receive queue: the XDP program runs on
# the sender's CPU on veth, and wrr's ring pointer is per CPU, so a
# client that moved between CPUs interleaved two pointers' sequences
# (2026-12-03: 107 and 292 decisions on CPUs 0 and 1 in a 5 s run at
# 80/s), and the accelerator's turns were no longer every sixth request.
: "${WL_LOAD_CPU=$(awk -v d="$WL_CPU" -v a="$WL_ACC_CPU" '$1 == "Cpus_allowed_list:" {
	n = split($2, r, ",")
	for (i = 1; i <= n; i++) {
		if (split(r[i], b, "-") == 1) b[2] = b[1]
		for (c = b[1]; c <= b[2]; c++) {
			if (c != d && c != a) { print c; exit }
			if (c != d && shared == "") shared = c
		}
	}
	if (shared != "") print shared
}' /proc/self/status)}"

_wl_v2() { [ -f /sys/fs/cgroup/cgroup.controllers ]; }

# The directories of DEV's workd cgroup, one per hierarchy.
wl_cg_dirs() {
	local name=$1-$2-work c
	if _wl_v2; then
		echo "/sys/fs/cgroup/$name"
		return
	fi
	for c in cpu cpuacct memory; do
		echo "/sys/fs/cgroup/$c/$name"
	done
}

# wl_cg_make PREFIX DEV PCT: DEV's cgroup, limited to PCT % of one CPU.
wl_cg_make() {
	local prefix=$1 dev=$2 pct=$3 d period
	period=$((WL_QUOTA_US * 100 / pct))
	for d in $(wl_cg_dirs "$prefix" "$dev"); do
		mkdir -p "$d" || return 1
	done
	# A high weight as well: a device gets its whole share even when the
	# machine is busy (other builds), as a real device has its cores. With
	# WL_ACC_YIELD=1 an acc device gets the lowest weight instead: when
	# both devices are ready the server CPU runs first (the accelerator's
	# share is small and comes in the gaps), as if the accelerator had a
	# processor of its own.
	local weight=10000 shares=262144
	case "$dev" in *acc) [ "$WL_ACC_YIELD" = 1 ] && weight=1 shares=2 ;; esac
	local burst=$WL_CPU_BURST_US
	case "$dev" in *acc) burst=0 ;; esac
	if _wl_v2; then
		echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		echo "$WL_QUOTA_US $period" >"/sys/fs/cgroup/$prefix-$dev-work/cpu.max" &&
			{ [ "$burst" = 0 ] || echo "$burst" >"/sys/fs/cgroup/$prefix-$dev-work/cpu.max.burst"; } &&
			echo "$weight" >"/sys/fs/cgroup/$prefix-$dev-work/cpu.weight"
	else
		echo "$period" >"/sys/fs/cgroup/cpu/$prefix-$dev-work/cpu.cfs_period_us" &&
			echo "$WL_QUOTA_US" >"/sys/fs/cgroup/cpu/$prefix-$dev-work/cpu.cfs_quota_us" &&
			{ [ "$burst" = 0 ] || echo "$burst" >"/sys/fs/cgroup/cpu/$prefix-$dev-work/cpu.cfs_burst_us"; } &&
			echo "$shares" >"/sys/fs/cgroup/cpu/$prefix-$dev-work/cpu.shares"
	fi
}

# wl_pct DEV: the CPU share of DEV by its kind.
wl_pct() {
	case "$1" in
	*acc) echo "$WL_ACC_PCT" ;;
	*) echo "$WL_CPU_PCT" ;;
	esac
}

# The kernel repetitions that take WL_WORK_US of CPU here at full speed
# (the most of WL_CALIBRATIONS, default three, calibrations: each is the
# fastest of many timings, but a busy machine can slow all of one down): one figure for every device,
# so they all do the same work.
wl_calibrate() {
	local i
	for i in $(seq "${WL_CALIBRATIONS:-3}"); do
		taskset -c "$WL_CPU" "$TOPO_BUILD/tools/workd" --calibrate --work-us "$WL_WORK_US"
	done | awk '$1 == "iters" && $2 > m { m = $2 } END { if (m) print m }'
}

# wl_dev_cpu DEV: the CPU DEV's workd runs on.
wl_dev_cpu() {
	case "$1" in
	*acc) echo "$WL_ACC_CPU" ;;
	*) echo "$WL_CPU" ;;
	esac
}
# wl_iters DEV ITERS: the kernel repetitions of DEV's requests.
wl_iters() {
	case "$1" in
	*acc) echo $(($2 * WL_ACC_SLOW)) ;;
	*) echo "$2" ;;
	esac
}

# wl_work_args DEV ITERS: workd's work per request for DEV. WL_WORK_BY=cpu
# (the default): --cpu-us, the kernel repeated until the request has used
# WL_WORK_US of CPU time (an accelerator's WL_ACC_SLOW times that), so a
# device's capacity is its quota over that time whatever the core's speed;
# iters: a calibrated repetition count (ITERS), so a core slowed by the
# host (this shared machine's slow spells: the kernel at 0.55-0.65 of its
# speed for seconds at a time, every few seconds on 2026-12-03 13:30)
# slows the device with it, and make reproduce must discard the runs.
wl_work_args() {
	if [ "$WL_WORK_BY" = cpu ]; then
		case "$1" in
		*acc) echo --cpu-us $((WL_WORK_US * WL_ACC_SLOW)) ;;
		*) echo --cpu-us "$WL_WORK_US" ;;
		esac
	else
		echo --iters "$(wl_iters "$1" "$2")"
	fi
}

# wl_start PREFIX ITERS: workd on every device of the topology (ITERS: a
# cpu device's repetitions per request with WL_WORK_BY=iters; an
# accelerator's are WL_ACC_SLOW times as many).
wl_start() {
	local prefix=$1 iters=$2 dev d pidfiles=()
	topo_vars "$prefix"
	for dev in $TOPO_DEVS; do
		wl_cg_make "$prefix" "$dev" "$(wl_pct "$dev")" || {
			echo "workload: cgroup of $dev" >&2
			return 1
		}
		rm -f "$TOPO_RUN/$dev-work.pid"
		(
			for d in $(wl_cg_dirs "$prefix" "$dev"); do
				echo "$BASHPID" >"$d/cgroup.procs" || exit 1
			done
			exec taskset -c "$(wl_dev_cpu "$dev")" nsenter "--net=/run/netns/$prefix-$dev" "$TOPO_BUILD/tools/workd" \
				--name "$dev" --udp "$WL_PORT" --tcp "$WL_PORT" $(wl_work_args "$dev" "$iters") \
				--latency-socket "$TOPO_RUN/$dev-lat.sock" --pidfile "$TOPO_RUN/$dev-work.pid" \
				--drop-after-ms "$WL_DROP_MS" --window-ms "$WL_WINDOW_MS" $([ "$WL_RCVBUF" = 0 ] || echo --rcvbuf "$WL_RCVBUF")
		) </dev/null >>"$TOPO_RUN/$dev-work.log" 2>&1 &
		pidfiles+=("$TOPO_RUN/$dev-work.pid")
	done
	_topo_wait_files 5 "${pidfiles[@]}"
}

# wl_dev_id PREFIX DEV: the device's id at the balancer.
wl_dev_id() {
	topo_hauler "$1" -j device show "$2" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1
}

# wl_keys PREFIX NAME...: a key per device at the balancer, in TOPO_RUN/NAME.key.
wl_keys() {
	local prefix=$1 dev key
	shift
	for dev in "$@"; do
		key=$(topo_hauler "$prefix" device key "$dev" | grep -oE '[0-9a-f]{32}' | head -1)
		[ -n "$key" ] || {
			echo "workload: no key for $dev" >&2
			return 1
		}
		(umask 077 && echo "$key" >"$TOPO_RUN/$dev.key")
	done
}

# wl_agent PREFIX DEV NAME [ARGS...]: hauler-agent for the device NAME (at
# the balancer; its key from wl_keys) running on DEV of the topology: it
# reports DEV's workd cgroup, its port's queues and the latency workd
# pushes. In the background ($! is its pid). nsenter, not `ip netns exec`:
# that mounts a /sys without the cgroups.
wl_agent() {
	local prefix=$1 dev=$2 name=$3 id
	shift 3
	id=$(wl_dev_id "$prefix" "$name")
	[ -n "$id" ] || {
		echo "workload: no device $name at the balancer" >&2
		return 1
	}
	nsenter "--net=/run/netns/$prefix-$dev" "$TOPO_BUILD/hauler-agent" --device "$id" \
		--key-file "$TOPO_RUN/$name.key" --balancer "$TOPO_LB4" \
		--source "$(topo_dev_addr4 "$dev")" --cgroup "$prefix-$dev-work" --port "$WL_PORT" \
		$(_wl_agent_udp) --latency-socket "$TOPO_RUN/$dev-lat.sock" "$@" \
		</dev/null >>"$TOPO_RUN/$dev-agent.log" 2>&1 &
}

# --proto udp when this hauler-agent has it: `queue` is then the UDP
# receive queue's fill, which the workload's UDP requests wait in.
_wl_agent_udp() {
	if [ -z "${WL_AGENT_UDP+x}" ]; then
		WL_AGENT_UDP=""
		"$TOPO_BUILD/hauler-agent" --device 1 --port 9 --proto udp --dry-run --once \
			>/dev/null 2>&1 && WL_AGENT_UDP="--proto udp"
	fi
	echo "$WL_AGENT_UDP"
}

# wl_load PREFIX ARGS...: loadgen in the client namespace, at a raised
# priority (nice -10) so that other work on the machine does not delay its
# arrivals (its latencies count from the scheduled times all the same).
# nsenter, not `ip netns exec` (which remounts /sys: a second on a busy
# machine, for every run).
wl_load() {
	local prefix=$1
	shift
	nsenter "--net=/run/netns/$prefix-cl" nice -n -10 ${WL_LOAD_CPU:+taskset -c "$WL_LOAD_CPU"} \
		"$TOPO_BUILD/tools/loadgen" "$@"
}
