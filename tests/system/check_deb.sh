#!/bin/bash
# check_deb.sh DIR - the Debian packages of make deb (in DIR), checked as
# installed: unpacked into an empty root (dpkg -x), the files each package
# must bring, the installed binaries' --version (the package's version),
# the units (systemd-analyze verify, their programs and man pages in the
# root), the maintainer scripts (the balancer reloaded, never restarted, on
# an upgrade), and lintian (no error, no warning). Run by make check-deb;
# not a test_*.sh: building the packages takes minutes.
set -u
DIR=$(realpath "${1:?usage: check_deb.sh DIR}")
. "$(dirname "$0")/deb_lib.sh"
deb_init check_deb

for p in hauler hauler-agent; do
	deb=$DIR/${p}_${VER}_$ARCH.deb
	[ -f "$deb" ] || { echo "FAIL: no $deb (make deb)"; exit 1; }
	dpkg -x "$deb" "$ROOT" || fail "dpkg -x $deb"
	mkdir -p "$ROOT/DEBIAN-$p"
	dpkg-deb -e "$deb" "$ROOT/DEBIAN-$p" || fail "dpkg-deb -e $deb"
done
ok "unpacked hauler and hauler-agent $VER ($ARCH)"

missing=""
for f in usr/sbin/hauler usr/sbin/hauler-agent usr/share/man/man8/hauler.8.gz \
	usr/share/man/man8/hauler-agent.8.gz usr/share/man/man5/hauler.conf.5.gz \
	usr/share/bash-completion/completions/hauler \
	usr/share/bash-completion/completions/hauler-agent \
	lib/systemd/system/hauler.service lib/systemd/system/hauler-daemon.service \
	lib/systemd/system/hauler-agent@.service etc/default/hauler \
	usr/share/doc/hauler/copyright usr/share/doc/hauler/operations.md \
	usr/share/doc/hauler/examples/hauler.conf.example \
	usr/share/doc/hauler-agent/copyright usr/share/doc/hauler-agent/agent.md \
	usr/share/doc/hauler-agent/examples/hauler-agent.conf.example; do
	# dh_compress compresses documents over 4 kB.
	[ -s "$ROOT/$f" ] || [ -s "$ROOT/$f.gz" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "every file is there" || fail "missing:$missing"
grep -qx /etc/default/hauler "$ROOT/DEBIAN-hauler/conffiles" 2>/dev/null &&
	ok "/etc/default/hauler is a conffile" || fail "/etc/default/hauler is not a conffile"

for b in hauler hauler-agent; do
	got=$("$ROOT/usr/sbin/$b" --version)
	[ "$got" = "$b $VER" ] && ok "installed $b --version: $got" ||
		fail "installed $b --version printed '$got', want '$b $VER'"
done

deb_verify_units "the units are clean" hauler.service hauler-daemon.service hauler-agent@.service

# An upgrade reloads the balancer (hauler up over the pinned maps) and
# never stops it (hauler down would end every connection).
post=$ROOT/DEBIAN-hauler/postinst pre=$ROOT/DEBIAN-hauler/prerm
if grep -q 'try-reload-or-restart hauler.service' "$post" &&
	! grep -v try-reload "$post" | grep -Eq "(restart|stop) '?hauler.service" &&
	grep -B1 "stop 'hauler.service'" "$pre" | grep -q '"$1" = remove'; then
	ok "postinst reloads hauler.service on an upgrade; only a removal stops it"
else
	fail "the maintainer scripts restart or stop hauler.service on an upgrade"
fi

out=$(lintian --tag-display-limit 0 "$DIR/hauler_${VER}_$ARCH.changes" 2>&1 | grep -E '^[EW]: ')
[ -z "$out" ] && ok "lintian: no error or warning" || fail "lintian: $out"

deb_finish
