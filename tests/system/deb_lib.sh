# shellcheck shell=bash
# deb_lib.sh - what the package checks (check_deb.sh, check_deb_apt.sh)
# share. Source it, then:
#
#   deb_init NAME      # from the repository's root: VER (debian/changelog),
#                      # ARCH (dpkg's), ROOT (a new empty directory, removed
#                      # on exit), ok and fail
#   deb_verify_units WHAT UNIT[:AS]...   # systemd-analyze verify the units
#                      # as installed in ROOT (lib/systemd/system/UNIT, as
#                      # AS: an instance of a template), their programs and
#                      # man pages looked up in ROOT
#   deb_finish         # PASS: NAME or FAILED: NAME, and the exit status

deb_init() {
	DEB_NAME=$1
	cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
	VER=$(dpkg-parsechangelog -S Version)
	ARCH=$(dpkg --print-architecture)
	ROOT=$(mktemp -d "/tmp/hauler-$DEB_NAME.XXXXXX") || exit 2
	trap 'rm -rf "$ROOT"' EXIT
	FAILED=0
}

ok() { echo "ok: $*"; }
fail() {
	echo "FAIL: $*"
	FAILED=1
}

deb_verify_units() {
	local what=$1 u as out files=()
	shift
	mkdir -p "$ROOT/units"
	for u in "$@"; do
		as=${u#*:}
		sed "s|/usr/sbin/|$ROOT/usr/sbin/|g" "$ROOT/lib/systemd/system/${u%%:*}" >"$ROOT/units/$as"
		files+=("$ROOT/units/$as")
	done
	if out=$(MANPATH="$ROOT/usr/share/man" systemd-analyze verify "${files[@]}" 2>&1) &&
		[ -z "$out" ]; then
		ok "systemd-analyze verify: $what"
	else
		fail "systemd-analyze verify ($what): $out"
	fi
}

deb_finish() {
	[ "$FAILED" -eq 0 ] && echo "PASS: $DEB_NAME" || echo "FAILED: $DEB_NAME"
	exit "$FAILED"
}
