#!/usr/bin/python3
"""check_manifests.py DIR VERSION - structural check of deploy/kubernetes/.

Offline (no cluster): every document has apiVersion, kind and a name; the
namespaced objects are in the namespace the set defines; no RBAC object
and no service account token; the DaemonSet's selector matches its pod
labels, the pod runs on the host network, its image is hauler:VERSION, its
mounts name declared volumes, the ConfigMap it mounts exists and holds the
file HAULER_CONFIG names, and the metrics port is the same in
HAULER_METRICS, the container port, the readiness probe and the
Prometheus annotation; the kustomization lists every file. Prints what is
wrong, one line each; exits 1 if anything is. The ConfigMap's hauler.conf
is written out (argument 3, optional) for hauler to check.
"""
import os
import sys

import yaml

RBAC = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount"}
NAMESPACED = {"ConfigMap", "DaemonSet", "Deployment", "Service", "Secret"}


def main():
    folder, version = sys.argv[1], sys.argv[2]
    conf_out = sys.argv[3] if len(sys.argv) > 3 else None
    errors = []
    err = errors.append
    docs = {}
    files = sorted(f for f in os.listdir(folder) if f.endswith(".yaml"))
    for name in files:
        with open(os.path.join(folder, name)) as f:
            try:
                loaded = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as e:
                err(f"{name}: not YAML: {e}")
                continue
        for d in loaded:
            if not isinstance(d, dict) or not d.get("kind"):
                err(f"{name}: a document without kind")
                continue
            if d["kind"] == "Kustomization":
                missing = set(files) - {name} - set(d.get("resources", []))
                if missing:
                    err(f"{name}: resources lack {sorted(missing)}")
                continue
            meta = d.get("metadata") or {}
            if not d.get("apiVersion") or not meta.get("name"):
                err(f"{name}: {d['kind']} without apiVersion or metadata.name")
                continue
            docs[(d["kind"], meta["name"])] = d
    if errors:
        return report(errors)

    kinds = {k for k, _ in docs}
    for k in kinds & RBAC:
        err(f"RBAC object {k}: the pod needs none")
    namespaces = [n for k, n in docs if k == "Namespace"]
    if len(namespaces) != 1:
        err(f"want one Namespace, got {namespaces}")
        return report(errors)
    ns = namespaces[0]
    for (k, n), d in docs.items():
        if k in NAMESPACED and d["metadata"].get("namespace") != ns:
            err(f"{k} {n}: not in namespace {ns}")

    sets = [d for (k, _), d in docs.items() if k == "DaemonSet"]
    if len(sets) != 1:
        err(f"want one DaemonSet, got {len(sets)}")
        return report(errors)
    ds = sets[0]
    if ds["apiVersion"] != "apps/v1":
        err(f"DaemonSet apiVersion {ds['apiVersion']}, want apps/v1")
    spec = ds.get("spec") or {}
    tmpl = spec.get("template") or {}
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        err(f"DaemonSet selector {sel} does not match the pod labels {labels}")
    pod = tmpl.get("spec") or {}
    if pod.get("hostNetwork") is not True:
        err("pod: hostNetwork is not true")
    if pod.get("automountServiceAccountToken") is not False:
        err("pod: mounts a service account token (no RBAC: it needs none)")
    ctrs = pod.get("containers") or []
    if len(ctrs) != 1:
        err(f"pod: want one container, got {len(ctrs)}")
        return report(errors)
    c = ctrs[0]
    if not c.get("name") or c.get("image", "").rsplit(":", 1)[-1] != version or \
            not c.get("image", "").rsplit(":", 1)[0].endswith("/hauler"):
        err(f"container image {c.get('image')}, want .../hauler:{version}")
    env = {e["name"]: e.get("value") for e in c.get("env") or []}
    for need in ("HAULER_DEV", "HAULER_CONFIG", "HAULER_METRICS"):
        if not env.get(need):
            err(f"container: no {need}")
    if env.get("HAULER_ON_STOP", "down") not in ("down", "keep"):
        err(f"HAULER_ON_STOP {env['HAULER_ON_STOP']}: want down or keep")
    if not (c.get("securityContext") or {}).get("privileged"):
        err("container: not privileged (XDP and bpffs need it)")

    vols = {v["name"]: v for v in pod.get("volumes") or []}
    mounts = {m["name"]: m for m in c.get("volumeMounts") or []}
    for m in mounts:
        if m not in vols:
            err(f"volumeMount {m}: no such volume")
    if not any((v.get("hostPath") or {}).get("path") == "/sys/fs/bpf" and
               mounts.get(n, {}).get("mountPath") == "/sys/fs/bpf" for n, v in vols.items()):
        err("the node's /sys/fs/bpf is not mounted at /sys/fs/bpf (pins must outlive the pod)")
    conf = env.get("HAULER_CONFIG") or ""
    found = None
    for n, v in vols.items():
        cm = (v.get("configMap") or {}).get("name")
        path = (mounts.get(n) or {}).get("mountPath", "")
        if cm and path and conf.startswith(path.rstrip("/") + "/"):
            found = (cm, conf[len(path.rstrip("/")) + 1:])
    if not found:
        err(f"HAULER_CONFIG {conf} is not in a mounted ConfigMap")
    else:
        cm = docs.get(("ConfigMap", found[0]))
        if not cm:
            err(f"ConfigMap {found[0]} is mounted but not defined")
        elif found[1] not in (cm.get("data") or {}):
            err(f"ConfigMap {found[0]} has no key {found[1]}")
        elif conf_out:
            with open(conf_out, "w") as f:
                f.write(cm["data"][found[1]])

    port = (env.get("HAULER_METRICS") or ":").rsplit(":", 1)[-1]
    ports = {str(p.get("containerPort")) for p in c.get("ports") or []}
    probe = str(((c.get("readinessProbe") or {}).get("httpGet") or {}).get("port"))
    annot = str((tmpl.get("metadata") or {}).get("annotations", {}).get("prometheus.io/port"))
    if port not in ports or probe != port or annot != port:
        err(f"metrics port: HAULER_METRICS {port}, containerPorts {sorted(ports)}, "
            f"readiness {probe}, annotation {annot}: want one")
    return report(errors)


def report(errors):
    for e in errors:
        print(f"manifest: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
