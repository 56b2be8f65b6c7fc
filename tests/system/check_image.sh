#!/bin/bash
# check_image.sh BUILD IMAGE - the container image (make image) run as the
# DaemonSet runs it, with podman, in the balancer namespace of the test
# topology (the pod's "host network"), on this test's bpffs:
#
#   - the pod brings the balancer up and applies its mounted hauler.conf
#     (the ConfigMap): traffic to the VIP passes, and its metrics endpoint
#     answers with the VIP's new connections;
#   - the file changes (a device drained): the pod applies it, and a bad
#     file is refused with the running configuration kept;
#   - SIGTERM (podman stop): the pod detaches, no pins are left;
#   - HAULER_ON_STOP=keep: the pod stops with the datapath left running,
#     live connections go on, and a new pod takes the pins over (an
#     upgrade) without breaking them;
#   - the package as apt installed it into the image's clean Debian root:
#     dpkg holds it at this version, every library hauler links is there.
#
# Every hauler command of the test runs the image's own hauler (podman
# exec in a helper container of the image, in the same namespace and on
# the same pins), never the build's: the configuration the pods apply is
# written by the hauler that applies it. The image must carry the source
# stamp of this tree (make check-image rebuilds it otherwise).
# Run by make check-image (not make check: the image takes minutes to build).
# About 2 minutes on a quiet machine (every hauler command is a podman
# exec); the limit leaves room for a loaded one.
SYS_LIMIT=${SYS_LIMIT:-400}
. "$(dirname "$0")/lib.sh"
IMAGE=${2:?usage: check_image.sh BUILD IMAGE}
sys_init "$1"

podman image exists "$IMAGE" || sys_abort "no image $IMAGE (make image)"
stamp=$(sh "$SYS_DIR/../../deploy/container/stamp.sh" "$SYS_DIR/../.." build "$BUILD")
label=$(podman image inspect --format '{{index .Labels "org.hauler.source"}}' "$IMAGE")
[ "$label" = "$stamp" ] ||
	sys_abort "$IMAGE was built from another tree (stamp '$label', this tree $stamp): make check-image rebuilds it"
ok "$IMAGE carries this tree's source stamp"
# The runtime: podman's default (crun) where it can start a container.
# Where it cannot, runc with lowered rlimits. Two facts of hosts like the
# development machines here (root without CAP_SYS_RESOURCE, hybrid
# cgroups): podman asks the runtime for RLIMIT_NOFILE 1048576 and for
# podman's own RLIMIT_NPROC, above what a process may raise itself to
# (its hard limit; conmon, which starts the container, runs with at most
# 32768 processes), so crun and runc both fail on setrlimit; and crun
# refuses hybrid cgroups (v1 controllers beside a v2 mount) as soon as
# the limits are fine, where runc runs. The limits tried: this shell's
# hard ones, then nproc 32768, then 4096.
RUN_OPTS=()
if ! podman run --rm --entrypoint hauler "$IMAGE" --version >"$BUILD/.image-run.err" 2>&1; then
	nofile=$(ulimit -Hn)
	for nproc in $(ulimit -Hu) 32768 4096; do
		RUN_OPTS=(--runtime runc --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
		podman "${RUN_OPTS[@]:0:2}" run --rm "${RUN_OPTS[@]:2}" --entrypoint hauler \
			"$IMAGE" --version >/dev/null 2>&1 && break
		RUN_OPTS=()
	done
	[ ${#RUN_OPTS[@]} -gt 0 ] ||
		sys_abort "podman cannot run $IMAGE: $(tail -1 "$BUILD/.image-run.err"), nor with runc"
	echo "    podman: the default runtime failed ($(tail -1 "$BUILD/.image-run.err"));" \
		"using ${RUN_OPTS[*]}"
fi
rm -f "$BUILD/.image-run.err"
# prun ARGS...: podman run with the runtime options found above.
prun() { podman "${RUN_OPTS[@]:0:2}" run "${RUN_OPTS[@]:2}" "$@"; }
topo_up "$P" nat || sys_abort "topology setup"
VIP="$H_VIP4:80/tcp"
CONF=$TOPO_RUN/config
mkdir -p "$CONF"
PODS=""
cleanup_pods() {
	local c
	for c in $PODS; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done
}
trap 'cleanup_pods; sys_cleanup' EXIT
# The image's hauler for every command of the test (H, H_ok, hstat and
# topo_pool all go through topo_hauler).
prun -d --name "$P-cli" --privileged --network "ns:/run/netns/$P-lb" \
	-v "/run/$P/bpf:/run/$P/bpf:rshared" -v "$CONF:$CONF:ro" --entrypoint sleep "$IMAGE" infinity >/dev/null ||
	sys_abort "podman run (the helper container)"
PODS="$P-cli"
topo_hauler() {
	shift
	podman exec "$P-cli" hauler -p "/run/$P/bpf" "$@"
}
VER=$(cat "$SYS_DIR/../../VERSION")
iv=$(H --version) && [ "$iv" = "hauler $VER" ] &&
	ok "the image's hauler: $iv" || sys_abort "the image's hauler --version: '$iv'"
# The package as apt installed it into the image's clean Debian root
# (deploy/container/build.sh): dpkg holds it, at this version, and its
# dependencies brought every library hauler links.
st=$(podman exec "$P-cli" dpkg-query -W -f '${Status} ${Version}' hauler 2>&1)
[ "$st" = "install ok installed $VER" ] && ok "apt installed hauler $VER in the image" ||
	fail "dpkg in the image: hauler '$st', want 'install ok installed $VER'"
libs=$(podman exec "$P-cli" ldd /usr/sbin/hauler 2>&1)
if [ -n "$libs" ] && ! echo "$libs" | grep -q "not found"; then
	ok "every library of hauler is in the image ($(echo "$libs" | grep -c '=>') linked)"
else
	fail "ldd /usr/sbin/hauler in the image: $libs"
fi
# The configuration, written by the image's hauler save from a live one.
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 1 1 || sys_abort "pool setup"
H save >"$CONF/hauler.conf" || sys_abort "hauler save"
H_ok down || sys_abort "hauler down"

# pod NAME ON_STOP: the image, as the DaemonSet runs it, in the lb namespace.
pod() {
	prun -d --name "$1" --privileged --network "ns:/run/netns/$P-lb" \
		-v "/run/$P/bpf:/run/$P/bpf:rshared" -v "$CONF:/etc/hauler/config:ro" \
		-e HAULER_PIN="/run/$P/bpf" -e HAULER_DEV=eth0 -e HAULER_POLL=1 \
		-e HAULER_METRICS=127.0.0.1:9477 -e HAULER_ON_STOP="$2" "$IMAGE" >/dev/null &&
		PODS="$PODS $1"
}
# Wait up to 60 s for the running state to be the file's: `hauler apply
# --dry-run` finds no difference (the file need not be in save's form).
wait_config() {
	local t=$((SECONDS + 60))
	while [ $SECONDS -lt $t ]; do
		H apply "$CONF/hauler.conf" --dry-run 2>/dev/null | grep -q ': 0 changes (dry run' &&
			return 0
		sleep 0.5
	done
	return 1
}
metrics() {
	ip netns exec "$P-lb" python3 -c 'import urllib.request,sys
print(urllib.request.urlopen("http://127.0.0.1:9477/metrics", timeout=5).read().decode())'
}
pins_left() { ls -A "/run/$P/bpf" 2>/dev/null | grep -v '^\(maps\|progs\)\.debug$'; }

pod "$P-a" down || sys_abort "podman run"
wait_config && ok "pod a: up, hauler.conf applied" ||
	{ podman logs "$P-a"; sys_abort "pod a did not apply hauler.conf in 60 s"; }
burst_load "$H_VIP4:80" 40
m=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
	m=$(metrics 2>/dev/null) && break
	sleep 0.5
done
n=$(echo "$m" | sed -n "s/^hauler_vip_new_connections_total{vip=\"$H_VIP4:80\/tcp\"} \([0-9]*\).*/\1/p")
if is_num "$n" && [ "$n" -ge 40 ]; then
	ok "metrics endpoint: $n new connections of $VIP (>= 40)"
else
	fail "metrics endpoint: new connections of $VIP '${n}', want >= 40"
fi

# A change of the mounted file is applied; a bad one is refused.
sed -i 's/^\(device add s1acc .*\)$/\1\ndevice set s1acc state drain/' "$CONF/hauler.conf"
grep -q "state drain" "$CONF/hauler.conf" || fail "test: could not edit the configuration"
if wait_config; then ok "pod a applied the changed file (s1acc drained)"; else
	fail "pod a did not apply the changed file: $(H device show s1acc)"
fi
good=$(H save)
cp "$CONF/hauler.conf" "$TOPO_RUN/good.conf"
echo "vip add not-a-vip" >>"$CONF/hauler.conf"
sleep 3
if [ "$(H save)" = "$good" ] && podman logs "$P-a" 2>&1 | grep -q refused; then
	ok "a bad file is refused and logged; the running configuration stays"
else
	fail "a bad file: running configuration changed or nothing logged"
fi
cp "$TOPO_RUN/good.conf" "$CONF/hauler.conf"

podman stop -t 20 "$P-a" >/dev/null
left=$(pins_left)
if [ -z "$left" ] && podman logs "$P-a" 2>&1 | grep -q detached; then
	ok "SIGTERM: pod a detached (hauler down), no pins left"
else
	fail "SIGTERM: pins left ($left) or no detach: $(podman logs "$P-a" 2>&1 | tail -3)"
fi

# An upgrade: the old pod leaves the datapath, the new one takes it over.
pod "$P-b" keep || sys_abort "podman run b"
wait_config || sys_abort "pod b did not apply hauler.conf"
long_start upgrade "$H_VIP4:80" 8
podman stop -t 20 "$P-b" >/dev/null
if [ -n "$(pins_left)" ] && podman logs "$P-b" 2>&1 | grep -q "datapath stays"; then
	ok "HAULER_ON_STOP=keep: pod b stopped, the datapath stays"
else
	fail "HAULER_ON_STOP=keep: the datapath went with pod b"
fi
sleep 1
pod "$P-c" down || sys_abort "podman run c"
wait_config && ok "pod c took the running balancer over" || fail "pod c did not come up"
burst_load "$H_VIP4:80" 20
long_stop upgrade
long_ended "live connections across the pod upgrade" 8 0
# All of it went through the XDP program the pods loaded, none through the kernel.
check_no_kernel_forward
podman stop -t 20 "$P-c" >/dev/null
[ -z "$(pins_left)" ] && ok "pod c detached at the end" || fail "pins left after pod c"
sys_finish
