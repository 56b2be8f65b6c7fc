#!/bin/bash
# test_install.sh BUILD - what `make install` puts on a machine, used as an
# operator would:
#
#   - make install PREFIX=/usr DESTDIR=ROOT writes the binaries, man pages,
#     completion, units, /etc/default/hauler and the examples, and nothing
#     outside ROOT;
#   - the installed hauler and hauler-agent print the version of VERSION;
#   - the man pages render without a warning, and systemd-analyze verify
#     accepts the units (their programs and man pages found in ROOT);
#   - the installed completion offers every object and verb of `hauler
#     help`, and the agent's options;
#   - hauler.service's own command lines, run in the test topology:
#     ExecStart brings the balancer up from a saved configuration and it
#     balances; ExecReload (the package's upgrade) keeps live connections;
#     ExecStop removes the pinned state.
SYS_LIMIT=${SYS_LIMIT:-150}
. "$(dirname "$0")/lib.sh"
sys_init "$@"
REPO=$(cd "$SYS_DIR/../.." && pwd)

topo_up "$P" nat || sys_abort "topology setup"
ROOT=$TOPO_RUN/root

# --- make install. ---
make -s -C "$REPO" BUILD="$BUILD" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system \
	DESTDIR="$ROOT" install >"$TOPO_RUN/install.log" 2>&1 ||
	{ cat "$TOPO_RUN/install.log"; sys_abort "make install"; }
missing=""
for f in usr/sbin/hauler usr/sbin/hauler-agent usr/share/man/man8/hauler.8 \
	usr/share/man/man8/hauler-agent.8 usr/share/man/man5/hauler.conf.5 \
	usr/share/bash-completion/completions/hauler \
	usr/share/bash-completion/completions/hauler-agent \
	lib/systemd/system/hauler.service lib/systemd/system/hauler-daemon.service \
	lib/systemd/system/hauler-agent@.service etc/default/hauler \
	usr/share/doc/hauler/examples/hauler.conf.example \
	usr/share/doc/hauler/examples/hauler-agent.conf.example; do
	[ -s "$ROOT/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "make install wrote every file" || fail "make install did not write:$missing"
if grep -rq '@SBINDIR@\|/usr/local' "$ROOT/lib/systemd/system"; then
	fail "units still name @SBINDIR@ or /usr/local: $(grep -rl '@SBINDIR@\|/usr/local' "$ROOT/lib")"
else
	ok "units name /usr/sbin"
fi

# --- Versions. ---
want=$(cat "$REPO/VERSION")
for b in hauler hauler-agent; do
	got=$("$ROOT/usr/sbin/$b" --version)
	case "$got" in
	"$b $want" | "$b $want"+*) ok "installed $b --version: $got" ;;
	*) fail "installed $b --version printed '$got', want '$b ${want}[+...]'" ;;
	esac
done

# --- Man pages and units. ---
for m in man8/hauler.8 man8/hauler-agent.8 man5/hauler.conf.5; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$ROOT/usr/share/man/$m" 2>&1 >/dev/null)
	[ -z "$warn" ] && ok "man $m renders cleanly" || fail "man $m: $warn"
done
# Units as installed, with their programs looked up in ROOT.
mkdir -p "$TOPO_RUN/units"
for u in hauler.service hauler-daemon.service hauler-agent@.service; do
	sed "s|/usr/sbin/|$ROOT/usr/sbin/|g" "$ROOT/lib/systemd/system/$u" >"$TOPO_RUN/units/$u"
done
if out=$(MANPATH="$ROOT/usr/share/man" systemd-analyze verify \
	"$TOPO_RUN"/units/hauler.service "$TOPO_RUN"/units/hauler-daemon.service \
	"$TOPO_RUN/units/hauler-agent@.service" 2>&1) && [ -z "$out" ]; then
	ok "systemd-analyze verify: the three units are clean"
else
	fail "systemd-analyze verify: $out"
fi

# --- Completion: every object and verb of the command table. ---
comp_missing=$(
	PATH=$ROOT/usr/sbin:$PATH
	# shellcheck disable=SC1091 # installed by the test
	. "$ROOT/usr/share/bash-completion/completions/hauler"
	. "$ROOT/usr/share/bash-completion/completions/hauler-agent"
	complete_words() {
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		"$F"
		echo " ${COMPREPLY[*]} "
	}
	F=_hauler
	objects=$(complete_words hauler "")
	forms=$(hauler help | sed -n 's/^hauler //p')
	for obj in $(cut -d' ' -f1 <<<"$forms" | sort -u); do
		[[ $objects == *" $obj "* ]] || echo "object $obj"
		verbs=$(awk -v o="$obj" '$1 == o && $2 ~ /^[a-z][a-z0-9-]*$/ { print $2 }' <<<"$forms")
		[ -n "$verbs" ] || continue
		got=$(complete_words hauler "$obj" "")
		for verb in $verbs; do
			[[ $got == *" $verb "* ]] || echo "verb $obj $verb"
		done
	done
	F=_hauler_agent
	opts=$(complete_words hauler-agent --)
	for o in --device --key-file --balancer --version --threshold; do
		[[ $opts == *" $o "* ]] || echo "agent option $o"
	done
	F=_hauler
	[[ $(complete_words hauler vip add "$H_VIP4:80/tcp" "") == *" policy "* ]] ||
		echo "vip add keyword policy"
)
[ -z "$comp_missing" ] && ok "completion offers every object, verb and the agent's options" ||
	fail "completion lacks: $(echo "$comp_missing" | tr '\n' ',')"

# --- hauler.service's command lines in the topology. ---
# unit_cmd KIND: the unit's ExecKIND line, its variables filled in as
# systemd would from /etc/default/hauler (HAULER_OPTS=-q: the log level
# must go before the command), the configuration file ours.
unit_cmd() {
	sed -n "s/^Exec$1=//p" "$ROOT/lib/systemd/system/hauler.service" |
		sed -e 's/\$HAULER_DEV/eth0/' -e 's/ \$HAULER_UP_OPTS//' -e 's/\$HAULER_OPTS/-q/' \
			-e "s|/etc/hauler/hauler.conf|$TOPO_RUN/hauler.conf|" -e "s|^/usr/sbin/|$ROOT/usr/sbin/|"
}
# As the unit runs it: the installed binary, here on this test's pins.
unit_run() {
	local cmd
	cmd=$(unit_cmd "$1")
	[ -n "$cmd" ] || { fail "hauler.service has no Exec$1"; return 1; }
	echo "    Exec$1=$cmd"
	# shellcheck disable=SC2086 # the unit's words
	ip netns exec "$P-lb" env HAULER_PIN="/run/$P/bpf" $cmd
}
VIP="$H_VIP4:80/tcp"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 1 1 || sys_abort "pool setup"
H save -o "$TOPO_RUN/hauler.conf" || sys_abort "hauler save"
H_ok down || sys_abort "hauler down"

unit_run Start && ok "ExecStart: up from the saved configuration" || fail "ExecStart failed"
if [ "$(H save)" = "$(cat "$TOPO_RUN/hauler.conf")" ]; then
	ok "the running configuration is the saved one"
else
	fail "the running configuration differs from hauler.conf"
fi
burst_load "$H_VIP4:80" 40
long_start reload "$H_VIP4:80" 8
unit_run Reload && ok "ExecReload: up again over the pinned maps" || fail "ExecReload failed"
burst_load "$H_VIP4:80" 20
long_stop reload
long_ended "live connections across ExecReload" 8 0
unit_run Stop && ok "ExecStop ran" || fail "ExecStop failed"
left=$(ls -A "/run/$P/bpf" 2>/dev/null | grep -v "^\(maps\|progs\)\.debug$")
if [ -n "$left" ] || ip netns exec "$P-lb" ip link show eth0 | grep -q xdp; then
	fail "pins ($left) or the XDP program left after ExecStop"
else
	ok "ExecStop removed the pins and detached"
fi
sys_finish
