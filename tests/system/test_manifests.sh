#!/bin/bash
# test_manifests.sh BUILD - deploy/kubernetes/ checked offline: yamllint
# (Debian's) on every file, tests/system/check_manifests.py's structural
# checks (see there), and the ConfigMap's hauler.conf checked by hauler
# itself (`up -n` against an empty state: every line parses and applies).
# Each check is shown to fail on a copy of the manifests broken on purpose.
set -u
BUILD=$(realpath -m "${1:-build}")
cd "$(dirname "$0")/../.." || exit 2
VER=$(cat VERSION)
TMP=$(mktemp -d /tmp/hauler-k8s.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
FAILED=0
ok() { echo "ok: $*"; }
fail() {
	echo "FAIL: $*"
	FAILED=1
}
LINT='{extends: default, rules: {line-length: {max: 100}, document-start: disable}}'

check() { # DIR: 0 when every check passes
	yamllint -s -d "$LINT" "$1"/*.yaml &&
		python3 tests/system/check_manifests.py "$1" "$VER" "$1/hauler.conf.out" &&
		"$BUILD/hauler" -n -p "$TMP/no-pins" up lo -c "$1/hauler.conf.out" >/dev/null
}

if out=$(check deploy/kubernetes 2>&1); then
	ok "deploy/kubernetes: yamllint, structure and the ConfigMap's hauler.conf are clean"
else
	fail "deploy/kubernetes: $out"
fi

# broken WHAT SED-EXPR FILE: a copy with FILE edited must fail the checks.
broken() {
	rm -rf "$TMP/k" && cp -r deploy/kubernetes "$TMP/k"
	sed -i "$2" "$TMP/k/$3"
	if cmp -s deploy/kubernetes/"$3" "$TMP/k/$3"; then
		fail "$1: the edit changed nothing (test out of date)"
	elif out=$(check "$TMP/k" 2>&1); then
		fail "$1: passed the checks"
	else
		ok "$1 is refused: $(echo "$out" | head -1)"
	fi
}
broken "a wrong image tag" "s|hauler:$VER|hauler:0.0.0|" daemonset.yaml
broken "no host network" 's/hostNetwork: true/hostNetwork: false/' daemonset.yaml
broken "a selector that matches nothing" '0,/name: hauler$/!{/matchLabels:/,/template:/s/app.kubernetes.io\/name: hauler/app: other/}' daemonset.yaml
broken "metrics ports that differ" 's/containerPort: 9477/containerPort: 9478/' daemonset.yaml
broken "a ConfigMap of another name" 's/name: hauler-config/name: other-config/' configmap.yaml
broken "an RBAC object" '$a ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: hauler\nrules: []' namespace.yaml
broken "a bad line in hauler.conf" 's/policy wrr/policy nosuch/' configmap.yaml
broken "a YAML syntax error" 's/^  namespace: hauler$/  namespace: [hauler/' configmap.yaml

[ "$FAILED" -eq 0 ] && echo "PASS: test_manifests" || echo "FAILED: test_manifests"
exit "$FAILED"
