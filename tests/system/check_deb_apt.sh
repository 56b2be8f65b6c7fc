#!/bin/bash
# check_deb_apt.sh DIR CACHE - the hauler-agent package of make deb (in
# DIR) installed by apt into a clean Debian 12 root, as on a backend or a
# SmartNIC: mmdebstrap makes a minimal root (minbase, from the Debian
# mirror; downloaded packages kept in CACHE, shared with make image), apt
# installs the package there with what it needs, then in that root
# (chroot): dpkg says it is installed at the changelog's version, every
# file it lists is there (the agent, its unit template, man page, bash
# completion, example configuration), the agent finds every library it
# links and `hauler-agent --version` prints the version; systemd-analyze
# verify accepts the unit as installed (an instance of the template); apt
# removes it again, leaving none of its files. Run by make
# check-deb-apt; not in make check nor CI (the mirror, minutes).
set -u
DIR=$(realpath "${1:?usage: check_deb_apt.sh DIR CACHE}")
CACHE=$(realpath -m "${2:?usage: check_deb_apt.sh DIR CACHE}")
. "$(dirname "$0")/deb_lib.sh"
deb_init check_deb_apt
DEB=$DIR/hauler-agent_${VER}_$ARCH.deb
[ -f "$DEB" ] || { echo "FAIL: no $DEB (make deb)"; exit 1; }
command -v mmdebstrap >/dev/null || { echo "FAIL: no mmdebstrap (make deps-image)"; exit 1; }
in_root() { chroot "$ROOT" "$@"; }

mkdir -p "$CACHE"
t0=$SECONDS
if ! mmdebstrap --mode=root --variant=minbase \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook="sync-in $CACHE /var/cache/apt/archives" \
	--customize-hook="copy-in $DEB /tmp" \
	--customize-hook="chroot \"\$1\" apt-get install -y --no-install-recommends /tmp/$(basename "$DEB")" \
	--customize-hook="sync-out /var/cache/apt/archives $CACHE" \
	bookworm "$ROOT" >"$ROOT.log" 2>&1; then
	tail -n 20 "$ROOT.log"
	rm -f "$ROOT.log"
	echo "FAIL: mmdebstrap and apt could not install $DEB"
	exit 1
fi
rm -f "$ROOT.log"
ok "apt installed $(basename "$DEB") into a clean Debian 12 root ($((SECONDS - t0)) s)"

st=$(in_root dpkg-query -W -f '${Status} ${Version}' hauler-agent 2>&1)
[ "$st" = "install ok installed $VER" ] && ok "dpkg: hauler-agent $st" ||
	fail "dpkg-query: '$st', want 'install ok installed $VER'"

files=$(in_root dpkg -L hauler-agent)
missing=""
for f in /usr/sbin/hauler-agent /lib/systemd/system/hauler-agent@.service \
	/usr/share/man/man8/hauler-agent.8.gz /usr/share/bash-completion/completions/hauler-agent \
	/usr/share/doc/hauler-agent/copyright \
	/usr/share/doc/hauler-agent/examples/hauler-agent.conf.example; do
	printf '%s\n' "$files" | grep -qx "$f" || missing="$missing $f(not listed)"
done
for f in $files; do
	[ -e "$ROOT$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "every file dpkg lists is there ($(printf '%s\n' "$files" | wc -l) entries)" ||
	fail "missing:$missing"

out=$(in_root ldd /usr/sbin/hauler-agent 2>&1)
[ -n "$out" ] && ! grep -q 'not found' <<<"$out" &&
	ok "every library hauler-agent links is in the root: $(awk '$1 ~ /^lib/ { print $1 }' <<<"$out" | tr '\n' ' ')" ||
	fail "ldd in the root: $out"
got=$(in_root /usr/sbin/hauler-agent --version 2>&1)
[ "$got" = "hauler-agent $VER" ] && ok "installed hauler-agent --version: $got" ||
	fail "installed hauler-agent --version printed '$got', want 'hauler-agent $VER'"

# The unit as apt installed it, as an instance of the template, its
# program looked up in the root (a minimal root has no systemd of its own
# to verify against: the host's does).
deb_verify_units "the installed unit is clean (as hauler-agent@gpu0.service)" \
	hauler-agent@.service:hauler-agent@gpu0.service

if in_root apt-get remove -y hauler-agent >/dev/null 2>&1; then
	left=""
	for f in $files; do
		[ -f "$ROOT$f" ] && left="$left $f"
	done
	[ -z "$left" ] && ok "apt removed it, and its files" || fail "left after apt remove:$left"
else
	fail "apt-get remove hauler-agent failed"
fi

deb_finish
