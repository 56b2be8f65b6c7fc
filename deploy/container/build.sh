#!/bin/bash
# build.sh DEBDIR OUTDIR TAG - the hauler container image, from Debian
# packages with Debian's tools: mmdebstrap makes a minimal Debian 12 root
# (minbase) from the Debian mirror, apt installs the hauler package of
# `make deb` into it (pulling in what it links), the pod's entry point
# goes in, and podman imports the root as image TAG (also saved as
# OUTDIR/hauler-image.tar, an OCI archive). No registry but Debian's is
# used. The downloaded packages are kept in OUTDIR/cache for the next
# build. The image is labelled org.hauler.source with the source stamp of
# the tree the package was built from (DEBDIR/source-stamp, written by make
# deb), which make check-image compares with the tree it tests.
set -euo pipefail
DEBDIR=$(realpath "$1") OUT=$(realpath -m "$2") TAG=$3
cd "$(dirname "$0")/../.."
VER=$(dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
DEB=$DEBDIR/hauler_${VER}_$ARCH.deb
[ -f "$DEB" ] || { echo "build.sh: no $DEB (make deb)" >&2; exit 1; }
STAMP=$(cat "$DEBDIR/source-stamp") || { echo "build.sh: no $DEBDIR/source-stamp (make deb)" >&2; exit 1; }
mkdir -p "$OUT/cache"
rm -f "$OUT/rootfs.tar"
mmdebstrap --mode=root --variant=minbase --include=iproute2 \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook="sync-in $OUT/cache /var/cache/apt/archives" \
	--customize-hook="copy-in $DEB /tmp" \
	--customize-hook="chroot \"\$1\" apt-get install -y --no-install-recommends /tmp/$(basename "$DEB")" \
	--customize-hook="rm -f \"\$1/tmp/$(basename "$DEB")\"" \
	--customize-hook="copy-in deploy/container/hauler-pod /usr/sbin" \
	--customize-hook="sync-out /var/cache/apt/archives $OUT/cache" \
	bookworm "$OUT/rootfs.tar"
podman rmi -f "$TAG" >/dev/null 2>&1 || true
podman import \
	--change 'ENTRYPOINT ["/usr/sbin/hauler-pod"]' \
	--change "LABEL org.opencontainers.image.version=$VER" \
	--change 'LABEL org.opencontainers.image.title=hauler' \
	--change "LABEL org.hauler.source=$STAMP" \
	"$OUT/rootfs.tar" "$TAG"
rm -f "$OUT/hauler-image.tar"
podman save --format oci-archive -o "$OUT/hauler-image.tar" "$TAG"
rm -f "$OUT/rootfs.tar"
podman image inspect --format '{{.Id}} {{.Size}}' "$TAG"
