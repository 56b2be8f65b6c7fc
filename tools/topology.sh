# shellcheck shell=bash
# topology.sh - the namespace topology of the system tests and the demo.
# Source it, then:
#
#   TOPO_BUILD=build            # where build/hauler and build/tools/* are
#   topo_up PREFIX MODE         # MODE: nat or ipip
#   topo_hauler PREFIX ARGS...  # run build/hauler in the balancer namespace
#   topo_down PREFIX            # remove everything topo_up made
#   topo_echod_kill PREFIX DEV  # crash a device's echod; topo_echod_start: again
#
# PREFIX makes every name unique (use hlr$$). The picture, with X a number
# 1..250 taken from the shell's PID (TOPO_X) so overlapping runs differ:
#
#   PREFIX-cl  client     eth0 10.X.1.2/24  fd00:X:1::2/64  (MTU 1400)
#                         routes 10.X.100.0/24, fd00:X:100::/64 (the VIPs) via the balancer
#   PREFIX-lb  balancer   eth0 10.X.1.1/24 10.X.2.1/24 fd00:X:1::1/64 fd00:X:2::1/64
#                         one arm; hauler's XDP program goes on eth0
#   PREFIX-s1cpu, -s1acc, -s2cpu, -s2acc   the devices of servers s1 and s2
#                         eth0 10.X.2.{11,12,21,22}/24 fd00:X:2::{11,12,21,22}/64,
#                         default route via the balancer; each runs echod
#                         --name DEV on TCP 80 and 8080, UDP 53 and 5353.
#                         The acc devices run in a CPU-limited cgroup
#                         (TOPO_ACC_CPU percent of one CPU, default 20).
#   PREFIX-net            the bridge br0 joining all of them
#
# In the balancer the kernel may forward (bpf_fib_lookup needs it) but an
# nftables forward hook drops and counts whatever the kernel would forward:
# traffic that arrives proves XDP forwarded it (topo_kernel_forwarded).
# Neighbours are entered permanently, so no packet meets an unresolved
# neighbour. hauler pins under a bpffs of our own, TOPO_PIN.
#
# ipip mode: the test kernel has no ipip/ip6_tunnel, so each device strips
# the outer header with an XDP program (tests/system/bpf/xdp_decap.bpf.c),
# holds the VIPs (TOPO_VIP4, TOPO_VIP6) on lo and reaches the client
# subnet on-link: replies go to the client directly.

TOPO_DEVS="s1cpu s1acc s2cpu s2acc"
TOPO_NSES="net cl lb s1cpu s1acc s2cpu s2acc"
: "${TOPO_BUILD:=build}"
: "${TOPO_ACC_CPU:=20}"
TOPO_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Set the names and addresses of the topology PREFIX (no side effects).
topo_vars() {
	TOPO_PREFIX=$1
	: "${TOPO_X:=$(($$ % 250 + 1))}"
	TOPO_RUN=/run/$1
	TOPO_PIN=$TOPO_RUN/bpf
	TOPO_NS_CL=$1-cl
	TOPO_NS_LB=$1-lb
	TOPO_NS_NET=$1-net
	TOPO_CL4=10.$TOPO_X.1.2
	TOPO_CL6=fd00:$TOPO_X:1::2
	TOPO_LB4=10.$TOPO_X.2.1
	TOPO_LB6=fd00:$TOPO_X:2::1
	TOPO_VIP4=10.$TOPO_X.100.1
	TOPO_VIP6=fd00:$TOPO_X:100::1
	case "$TOPO_BUILD" in
	/*) ;;
	*) TOPO_BUILD=$(realpath -m "$TOPO_BUILD") ;;
	esac
}

# Host part of a device's addresses: s1cpu 11, s1acc 12, s2cpu 21, s2acc 22.
_topo_host() {
	case "$1" in
	s1cpu) echo 11 ;;
	s1acc) echo 12 ;;
	s2cpu) echo 21 ;;
	s2acc) echo 22 ;;
	*) return 1 ;;
	esac
}

topo_dev_addr4() { echo "10.$TOPO_X.2.$(_topo_host "$1")"; }
topo_dev_addr6() { echo "fd00:$TOPO_X:2::$(_topo_host "$1")"; }

# The cgroup that slows an accelerator device down (v2 or v1 cpu).
_topo_cgroup() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup/$TOPO_PREFIX-$1"
	else
		echo "/sys/fs/cgroup/cpu/$TOPO_PREFIX-$1"
	fi
}

_topo_mac() {
	ip -n "$1" -br link show dev eth0 | awk '{print $3}'
}

# A helper BPF object of tests/system/bpf/, as the Makefile built it.
_topo_bpf_obj() {
	local obj=$TOPO_BUILD/tests/system/bpf/$1.bpf.o

	[ -f "$obj" ] || { echo "topology: no $obj (run make)" >&2; return 1; }
	echo "$obj"
}

# One veth: eth0 in namespace $1, its peer $2 in the bridge namespace.
_topo_link() {
	ip -n "$TOPO_PREFIX-$1" link add eth0 type veth peer name "$1" netns "$TOPO_NS_NET"
	ip -n "$TOPO_NS_NET" link set "$1" master br0 up
	ip -n "$TOPO_PREFIX-$1" link set eth0 up
	ip -n "$TOPO_PREFIX-$1" link set lo up
	# Full checksums on the wire, as from a real NIC: veth's partial
	# checksums would not survive a rewrite in XDP.
	ip netns exec "$TOPO_PREFIX-$1" ethtool -K eth0 tx off >/dev/null 2>&1 || true
}

_topo_sysctl() {
	local ns=$1
	shift
	ip netns exec "$ns" sysctl -qw "$@" >/dev/null
}

_topo_build() {
	local mode=$1 ns dev h cg obj lbmac clmac
	set -E
	trap 'echo "topology: failed: $BASH_COMMAND" >&2' ERR

	mkdir -p "$TOPO_RUN/bpf"
	mount -t bpf bpf "$TOPO_PIN"
	for ns in $TOPO_NSES; do
		ip netns add "$TOPO_PREFIX-$ns"
		_topo_sysctl "$TOPO_PREFIX-$ns" net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
	done
	# Load tests open tens of thousands of short connections: the default
	# ephemeral range (28k ports, each held 60 s in TIME_WAIT) runs out.
	_topo_sysctl "$TOPO_NS_CL" net.ipv4.ip_local_port_range="1024 65535"
	ip -n "$TOPO_NS_NET" link add br0 type bridge mcast_snooping 0
	ip -n "$TOPO_NS_NET" link set br0 up
	for ns in cl lb $TOPO_DEVS; do
		_topo_link "$ns"
	done

	# Client.
	ip -n "$TOPO_NS_CL" link set eth0 mtu 1400
	ip -n "$TOPO_NS_CL" addr add "$TOPO_CL4/24" dev eth0
	ip -n "$TOPO_NS_CL" addr add "$TOPO_CL6/64" dev eth0 nodad
	ip -n "$TOPO_NS_CL" route add "10.$TOPO_X.100.0/24" via "10.$TOPO_X.1.1"
	ip -n "$TOPO_NS_CL" route add "fd00:$TOPO_X:100::/64" via "fd00:$TOPO_X:1::1"

	# Balancer: one arm, kernel forwarding on but dropped (and counted).
	ip -n "$TOPO_NS_LB" addr add "10.$TOPO_X.1.1/24" dev eth0
	ip -n "$TOPO_NS_LB" addr add "$TOPO_LB4/24" dev eth0
	ip -n "$TOPO_NS_LB" addr add "fd00:$TOPO_X:1::1/64" dev eth0 nodad
	ip -n "$TOPO_NS_LB" addr add "$TOPO_LB6/64" dev eth0 nodad
	_topo_sysctl "$TOPO_NS_LB" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0
	ip netns exec "$TOPO_NS_LB" nft -f - <<-EOF
		table inet hlr_fwd {
			chain kernel_fwd {
				type filter hook forward priority 0; policy drop;
				counter comment "all"
				tcp flags & rst == rst counter comment "rst"
				meta nfproto ipv4 meta l4proto tcp counter
				meta nfproto ipv4 meta l4proto udp counter
				meta nfproto ipv4 meta l4proto icmp counter
				meta nfproto ipv6 meta l4proto tcp counter
				meta nfproto ipv6 meta l4proto udp counter
				meta nfproto ipv6 meta l4proto ipv6-icmp counter
			}
		}
	EOF
	# XDP_TX out of the balancer's veth needs an XDP program on its peer.
	obj=$(_topo_bpf_obj xdp_pass)
	ip -n "$TOPO_NS_NET" link set dev lb xdpdrv obj "$obj" sec xdp

	# Devices.
	lbmac=$(_topo_mac "$TOPO_NS_LB")
	clmac=$(_topo_mac "$TOPO_NS_CL")
	[ "$mode" = ipip ] && obj=$(_topo_bpf_obj xdp_decap)
	for dev in $TOPO_DEVS; do
		ns=$TOPO_PREFIX-$dev
		h=$(_topo_host "$dev")
		ip -n "$ns" addr add "10.$TOPO_X.2.$h/24" dev eth0
		ip -n "$ns" addr add "fd00:$TOPO_X:2::$h/64" dev eth0 nodad
		ip -n "$ns" route add default via "$TOPO_LB4"
		ip -n "$ns" route add default via "$TOPO_LB6"
		ip -n "$ns" neigh replace "$TOPO_LB4" lladdr "$lbmac" dev eth0 nud permanent
		ip -n "$ns" neigh replace "$TOPO_LB6" lladdr "$lbmac" dev eth0 nud permanent
		ip -n "$TOPO_NS_LB" neigh replace "10.$TOPO_X.2.$h" lladdr "$(_topo_mac "$ns")" \
			dev eth0 nud permanent
		ip -n "$TOPO_NS_LB" neigh replace "fd00:$TOPO_X:2::$h" lladdr "$(_topo_mac "$ns")" \
			dev eth0 nud permanent
		if [ "$mode" = ipip ]; then
			ip -n "$ns" addr add "$TOPO_VIP4/32" dev lo
			ip -n "$ns" addr add "$TOPO_VIP6/128" dev lo nodad
			_topo_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1 \
				net.ipv4.conf.all.arp_announce=2
			# Replies go straight to the client, on-link.
			ip -n "$ns" route add "10.$TOPO_X.1.0/24" dev eth0
			ip -n "$ns" route add "fd00:$TOPO_X:1::/64" dev eth0
			ip -n "$ns" neigh replace "$TOPO_CL4" lladdr "$clmac" dev eth0 nud permanent
			ip -n "$ns" neigh replace "$TOPO_CL6" lladdr "$clmac" dev eth0 nud permanent
			ip -n "$ns" link set dev eth0 xdpdrv obj "$obj" sec xdp
		fi
	done
	ip -n "$TOPO_NS_LB" neigh replace "$TOPO_CL4" lladdr "$clmac" dev eth0 nud permanent
	ip -n "$TOPO_NS_LB" neigh replace "$TOPO_CL6" lladdr "$clmac" dev eth0 nud permanent
	ip -n "$TOPO_NS_CL" neigh replace "10.$TOPO_X.1.1" lladdr "$lbmac" dev eth0 nud permanent
	ip -n "$TOPO_NS_CL" neigh replace "fd00:$TOPO_X:1::1" lladdr "$lbmac" dev eth0 nud permanent

	for dev in $TOPO_DEVS; do
		case "$dev" in
		*acc) _topo_start_echod "$dev" "$(_topo_cgroup "$dev")" ;;
		*) _topo_start_echod "$dev" "" ;;
		esac
	done
	local pidfiles=()
	for dev in $TOPO_DEVS; do
		pidfiles+=("$TOPO_RUN/$dev.pid")
	done
	_topo_wait_files 5 "${pidfiles[@]}"
}

# Wait up to $1 seconds for every file named after it; 1 when one is missing.
_topo_wait_files() {
	local limit=$(($1 * 10)) f
	shift
	for f in "$@"; do
		while [ ! -e "$f" ]; do
			[ "$limit" -gt 0 ] || { echo "topology: $f did not appear" >&2; return 1; }
			limit=$((limit - 1))
			sleep 0.1
		done
	done
}

# Run echod as device $1, in cgroup $2 (a CPU-limited one) when given.
_topo_start_echod() {
	local dev=$1 cg=$2 period=100000
	if [ -n "$cg" ]; then
		mkdir -p "$cg"
		if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
			echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
			echo "$((period * TOPO_ACC_CPU / 100)) $period" >"$cg/cpu.max"
		else
			echo "$period" >"$cg/cpu.cfs_period_us"
			echo "$((period * TOPO_ACC_CPU / 100))" >"$cg/cpu.cfs_quota_us"
		fi
	fi
	(
		[ -z "$cg" ] || echo "$BASHPID" >"$cg/cgroup.procs"
		exec ip netns exec "$TOPO_PREFIX-$dev" "$TOPO_BUILD/tools/echod" --name "$dev" \
			--tcp 80 --tcp 8080 --udp 53 --udp 5353 --pidfile "$TOPO_RUN/$dev.pid"
	) </dev/null >>"$TOPO_RUN/$dev.log" 2>&1 &
}

# topo_echod_kill PREFIX DEV: kill DEV's echod at once (a crash: SIGKILL).
topo_echod_kill() {
	local pid
	topo_vars "$1"
	pid=$(cat "$TOPO_RUN/$2.pid" 2>/dev/null) || return 1
	# Only a process inside our own namespace: ours by construction.
	ip netns pids "$1-$2" | grep -qx "$pid" || return 1
	kill -KILL "$pid" && rm -f "$TOPO_RUN/$2.pid"
}

# topo_echod_start PREFIX DEV: start DEV's echod again; waits until it listens.
topo_echod_start() {
	local cg=""
	topo_vars "$1"
	case "$2" in *acc) cg=$(_topo_cgroup "$2") ;; esac
	_topo_start_echod "$2" "$cg"
	_topo_wait_files 5 "$TOPO_RUN/$2.pid"
}

# topo_up PREFIX MODE: build the topology; 1 (and a message) on failure.
topo_up() {
	local prefix=$1 mode=${2:-nat}
	case "$mode" in
	nat | ipip) ;;
	*)
		echo "topology: unknown mode '$mode' (nat or ipip)" >&2
		return 1
		;;
	esac
	topo_vars "$prefix"
	for f in hauler tools/echod tools/connload; do
		[ -x "$TOPO_BUILD/$f" ] || { echo "topology: no $TOPO_BUILD/$f (run make)" >&2; return 1; }
	done
	if [ -e "$TOPO_RUN" ]; then
		echo "topology: $TOPO_RUN exists: prefix $prefix in use" >&2
		return 1
	fi
	mkdir -p "$TOPO_RUN"
	# A fresh shell: errexit would be ignored in a subshell when the caller
	# wrote `topo_up ... || exit 1`.
	TOPO_BUILD=$TOPO_BUILD TOPO_X=$TOPO_X TOPO_ACC_CPU=$TOPO_ACC_CPU bash -e -c \
		'source "$1/tools/topology.sh" && topo_vars "$2" && _topo_build "$3"' \
		topology "$TOPO_SRC" "$prefix" "$mode"
}

# topo_down PREFIX: stop what runs in our namespaces and remove them all.
topo_down() {
	local prefix=$1 ns pids dev i cg
	topo_vars "$prefix"
	[ -d "$TOPO_RUN" ] || return 0
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		pids=""
		for ns in $TOPO_NSES; do
			pids="$pids $(ip netns pids "$prefix-$ns" 2>/dev/null)"
		done
		[ -n "${pids// /}" ] || break
		# Only processes inside our own namespaces: ours by construction.
		# shellcheck disable=SC2086
		if [ "$i" -lt 15 ]; then kill $pids 2>/dev/null; else kill -9 $pids 2>/dev/null; fi
		sleep 0.1
	done
	for ns in $TOPO_NSES; do
		ip netns del "$prefix-$ns" 2>/dev/null
	done
	mountpoint -q "$TOPO_PIN" && umount "$TOPO_PIN"
	for dev in $TOPO_DEVS; do
		rmdir "$(_topo_cgroup "$dev")" 2>/dev/null
	done
	# Cgroups that users of the topology made under its prefix (workload.sh).
	for cg in /sys/fs/cgroup /sys/fs/cgroup/cpu /sys/fs/cgroup/cpuacct /sys/fs/cgroup/memory; do
		for dev in "$cg/$prefix"-*; do
			[ -d "$dev" ] && rmdir "$dev" 2>/dev/null
		done
	done
	rm -rf "$TOPO_RUN"
	return 0
}

# The names run PID owns: hlrPID (tests, demo, reproduce: the topology's
# hlrPID-* and /run/hlrPID, the watchdog's /run/hlrPID.watchdog), hlrbPID
# (make bench: its namespace and /run/hlrbPID) and hlrbPIDc (the bench's
# topology, hlrbPIDc-*). _TOPO_OWNER_RE finds the PID in a name.
_TOPO_OWNER_RE='^hlrb?([0-9]+)c?([-.]|$)'

# _topo_owned NAME PID: NAME (a namespace, an entry of /run or of a
# cgroup hierarchy) belongs to run PID.
_topo_owned() {
	[[ $1 =~ $_TOPO_OWNER_RE ]] && [ "${BASH_REMATCH[1]}" = "$2" ]
}

# topo_reap_stale: remove what a run killed without its cleanup (SIGKILL,
# a timeout of the caller) left: namespaces, run directories (and the bpf
# file systems mounted in them) and cgroups owned by a PID (see
# _TOPO_OWNER_RE) that no longer runs. A live run's names are never
# touched: its PID still runs.
topo_reap_stale() {
	local name pid seen=" "
	for name in $(ip netns list 2>/dev/null | awk '{ print $1 }') $(ls /run 2>/dev/null); do
		[[ $name =~ $_TOPO_OWNER_RE ]] || continue
		pid=${BASH_REMATCH[1]}
		kill -0 "$pid" 2>/dev/null && continue
		case $seen in *" $pid "*) continue ;; esac
		seen="$seen$pid "
		topo_reap_pid "$pid"
	done
	return 0
}

# topo_reap_pid PID: remove everything run PID owns (_TOPO_OWNER_RE): kill
# what runs in its namespaces, delete them, unmount its bpf file systems,
# remove its run directories and cgroups. Only for a run that has ended
# or been killed (a system test's watchdog).
topo_reap_pid() {
	local pid=$1 ns pids m d cg
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		_topo_owned "$ns" "$pid" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of pids, in our namespace
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for m in $(awk '$2 ~ "^/run/hlr" { print $2 }' /proc/mounts | sort -r); do
		d=${m#/run/}
		_topo_owned "${d%%/*}" "$pid" && umount "$m" 2>/dev/null
	done
	for d in /run/hlr*; do
		_topo_owned "${d#/run/}" "$pid" && rm -rf "$d"
	done
	for cg in /sys/fs/cgroup /sys/fs/cgroup/cpu /sys/fs/cgroup/cpuacct /sys/fs/cgroup/memory; do
		for m in "$cg"/hlr*; do
			[ -d "$m" ] && _topo_owned "${m##*/}" "$pid" && rmdir "$m" 2>/dev/null
		done
	done
	return 0
}

# topo_trap PREFIX: tear down on every way out of the calling script.
topo_trap() {
	# shellcheck disable=SC2064
	trap "topo_down '$1'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# topo_hauler PREFIX ARGS...: build/hauler in the balancer, on our pins.
topo_hauler() {
	local prefix=$1
	shift
	ip netns exec "$prefix-lb" "$TOPO_BUILD/hauler" -p "/run/$prefix/bpf" "$@"
}

# topo_client PREFIX CMD...: a command in the client namespace.
topo_client() {
	local prefix=$1
	shift
	ip netns exec "$prefix-cl" "$@"
}

# nginx's stream module, the L4 proxy make bench and make reproduce compare
# hauler with (make deps-reproduce installs it).
TOPO_NGINX_MOD=/usr/lib/nginx/modules/ngx_stream_module.so
topo_nginx_have() {
	command -v nginx >/dev/null && [ -f "$TOPO_NGINX_MOD" ]
}

# topo_nginx PREFIX PORT < STREAM: nginx in the balancer's namespace, one
# worker, its stream block STREAM (stdin); returns once PORT (TCP or UDP)
# listens. The configuration is $TOPO_RUN/nginx.conf; topo_down kills it
# with the namespace's other processes.
topo_nginx() {
	local prefix=$1 port=$2 body _
	topo_vars "$prefix"
	topo_nginx_have || return 1
	body=$(cat)
	cat >"$TOPO_RUN/nginx.conf" <<-EOF
		load_module $TOPO_NGINX_MOD;
		worker_processes 1;
		pid $TOPO_RUN/nginx.pid;
		error_log $TOPO_RUN/nginx-error.log warn;
		events { worker_connections 8192; }
		stream {
		$body
		}
	EOF
	ip netns exec "$prefix-lb" nginx -c "$TOPO_RUN/nginx.conf" -p "$TOPO_RUN" -g 'daemon off;' \
		</dev/null >>"$TOPO_RUN/nginx.log" 2>&1 &
	for _ in $(seq 1 25); do
		ip netns exec "$prefix-lb" ss -Hlntu "sport = :$port" | grep -q . && return 0
		sleep 0.2
	done
	return 1
}

# topo_connload PREFIX ARGS...: build/tools/connload in the client.
topo_connload() {
	local prefix=$1
	shift
	ip netns exec "$prefix-cl" "$TOPO_BUILD/tools/connload" "$@"
}

# topo_pool PREFIX VIP FAMILY PORT CPU_WEIGHT ACC_WEIGHT [SUFFIX]: servers
# s1, s2 in VIP's pool with devices s1cpu, s1acc, s2cpu, s2acc (names
# + SUFFIX, which keeps names unique when a second VIP gets a pool).
topo_pool() {
	local prefix=$1 vip=$2 fam=$3 port=$4 wcpu=$5 wacc=$6 sfx=${7:-} s dev addr
	for s in s1 s2; do
		topo_hauler "$prefix" server add "$s$sfx" vip "$vip" || return 1
		for dev in "${s}cpu" "${s}acc"; do
			if [ "$fam" = 6 ]; then addr=$(topo_dev_addr6 "$dev"); else addr=$(topo_dev_addr4 "$dev"); fi
			case "$dev" in
			*cpu) set -- kind cpu weight "$wcpu" ;;
			*) set -- kind gpu weight "$wacc" ;;
			esac
			topo_hauler "$prefix" device add "$dev$sfx" server "$s$sfx" addr "$addr" \
				port "$port" "$@" || return 1
		done
	done
}

# Packets the balancer's kernel would have forwarded (all dropped).
topo_kernel_forwarded() {
	ip netns exec "$1-lb" nft list chain inet hlr_fwd kernel_fwd |
		sed -n 's/.*counter packets \([0-9]*\).*comment "all".*/\1/p'
}

# topo_kernel_forwarded_rst PREFIX: how many of those were TCP RSTs.
topo_kernel_forwarded_rst() {
	ip netns exec "$1-lb" nft list chain inet hlr_fwd kernel_fwd |
		sed -n 's/.*counter packets \([0-9]*\).*comment "rst".*/\1/p'
}

# The forward hook's counters by protocol, to tell what the kernel saw.
topo_kernel_forwarded_detail() {
	ip netns exec "$1-lb" nft list chain inet hlr_fwd kernel_fwd | grep counter
}

# topo_rx_packets PREFIX: packets received on the balancer's interface.
topo_rx_packets() {
	ip netns exec "$1-lb" cat /sys/class/net/eth0/statistics/rx_packets
}
