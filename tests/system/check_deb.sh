#!/bin/bash
# check_deb.sh DIR [ARCH] - the Debian packages of make deb (in DIR),
# checked as installed: unpacked into an empty root (dpkg -x), the files
# each package must bring, the installed binaries' --version (the
# package's version), the units (systemd-analyze verify, their programs and
# man pages in the root), the maintainer scripts (the balancer reloaded,
# never restarted, on an upgrade), and lintian (no error, no warning).
# ARCH (another architecture than this machine's, such as arm64): the
# packages of `make deb ARCH=...`, hauler-agent alone, its binary of that
# architecture run under qemu-user. Run by make check-deb and make
# check-arm64; not a test_*.sh: building the packages takes minutes.
set -u
DIR=$(realpath "${1:?usage: check_deb.sh DIR [ARCH]}")
. "$(dirname "$0")/deb_lib.sh"
deb_init check_deb
HOST_ARCH=$ARCH
ARCH=${2:-$HOST_ARCH}
RUN=() # how an installed binary runs: itself, or under qemu-user
PKGS="hauler hauler-agent"
if [ "$ARCH" != "$HOST_ARCH" ]; then
	PKGS=hauler-agent
	RUN=("qemu-$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_CPU 2>/dev/null)"
		-L "/usr/$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_TYPE 2>/dev/null)")
	command -v "${RUN[0]}" >/dev/null || { echo "FAIL: no ${RUN[0]} (make deps-$ARCH)"; exit 1; }
fi
has() { case " $PKGS " in *" $1 "*) return 0 ;; esac; return 1; }

for p in $PKGS; do
	deb=$DIR/${p}_${VER}_$ARCH.deb
	[ -f "$deb" ] || { echo "FAIL: no $deb (make deb)"; exit 1; }
	got=$(dpkg-deb -f "$deb" Architecture)
	[ "$got" = "$ARCH" ] || fail "$deb is of architecture '$got'"
	dpkg -x "$deb" "$ROOT" || fail "dpkg -x $deb"
	mkdir -p "$ROOT/DEBIAN-$p"
	dpkg-deb -e "$deb" "$ROOT/DEBIAN-$p" || fail "dpkg-deb -e $deb"
done
ok "unpacked $PKGS $VER ($ARCH)"

FILES_hauler="usr/sbin/hauler usr/share/man/man8/hauler.8.gz usr/share/man/man5/hauler.conf.5.gz
	usr/share/bash-completion/completions/hauler lib/systemd/system/hauler.service
	lib/systemd/system/hauler-daemon.service etc/default/hauler usr/share/doc/hauler/copyright
	usr/share/doc/hauler/operations.md usr/share/doc/hauler/examples/hauler.conf.example"
FILES_agent="usr/sbin/hauler-agent usr/share/man/man8/hauler-agent.8.gz
	usr/share/bash-completion/completions/hauler-agent lib/systemd/system/hauler-agent@.service
	usr/share/doc/hauler-agent/copyright usr/share/doc/hauler-agent/agent.md
	usr/share/doc/hauler-agent/examples/hauler-agent.conf.example"
want=$FILES_agent
has hauler && want="$FILES_hauler $want"
missing=""
for f in $want; do
	# dh_compress compresses documents over 4 kB.
	[ -s "$ROOT/$f" ] || [ -s "$ROOT/$f.gz" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "every file is there" || fail "missing:$missing"
if has hauler; then
	grep -qx /etc/default/hauler "$ROOT/DEBIAN-hauler/conffiles" 2>/dev/null &&
		ok "/etc/default/hauler is a conffile" || fail "/etc/default/hauler is not a conffile"
fi

for b in $PKGS; do
	got=$("${RUN[@]}" "$ROOT/usr/sbin/$b" --version)
	[ "$got" = "$b $VER" ] && ok "installed $b --version${RUN[0]:+ (under ${RUN[0]})}: $got" ||
		fail "installed $b --version printed '$got', want '$b $VER'"
done

if has hauler; then
	deb_verify_units "the units are clean" hauler.service hauler-daemon.service \
		hauler-agent@.service
else
	deb_verify_units "the unit is clean" hauler-agent@.service
fi

# An upgrade reloads the balancer (hauler up over the pinned maps) and
# never stops it (hauler down would end every connection).
if has hauler; then
	post=$ROOT/DEBIAN-hauler/postinst pre=$ROOT/DEBIAN-hauler/prerm
	if grep -q 'try-reload-or-restart hauler.service' "$post" &&
		! grep -v try-reload "$post" | grep -Eq "(restart|stop) '?hauler.service" &&
		grep -B1 "stop 'hauler.service'" "$pre" | grep -q '"$1" = remove'; then
		ok "postinst reloads hauler.service on an upgrade; only a removal stops it"
	else
		fail "the maintainer scripts restart or stop hauler.service on an upgrade"
	fi
fi

out=$(lintian --tag-display-limit 0 "$DIR/hauler_${VER}_$ARCH.changes" 2>&1 | grep -E '^[EW]: ')
[ -z "$out" ] && ok "lintian: no error or warning" || fail "lintian: $out"

deb_finish
