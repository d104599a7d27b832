"""Checks for scripts/deploy-check that no off-the-shelf tool does offline.

Runs in .tools/venv (PyYAML, jsonschema). Subcommands:

  check-manifests RENDERED.yaml
      kubernetes-validate knows the built-in kinds only; it merely warns about the
      prometheus-operator kinds. Here: strict schemas of our own for the ServiceMonitor and
      PrometheusRule fields the chart uses (a misspelt key fails), an error for any other kind
      without a schema, cross-references (Service, PDB, HPA, ServiceMonitor and Ingress
      targets exist), recommended labels, workload policy (requests and memory limits,
      probes, non-root, no privilege escalation, read-only root filesystem, pinned images),
      and Triton's update path (ready only with its models loaded, a startup probe, a
      rollout that keeps a ready replica and a progress deadline above model loading).
  extract-rules PROMETHEUSRULE.yaml OUT.rules.yaml
      The PrometheusRule's spec as a Prometheus rule file, for promtool.
  check-alert-coverage RULES.yaml TESTS.yaml
      Every alert has a promtool test where it fires and one where it stays silent.
  check-dashboard DASHBOARD.json --queries-out OUT.yaml
      Grafana dashboard structure; every metric a query names exists; queries written as
      recording rules so that `promtool check rules` parses each one.
  check-dockerignore .dockerignore
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

# --------------------------------------------------------------------------------------------
# Schemas for the prometheus-operator resources (monitoring.coreos.com/v1), written for the
# fields this chart uses. additionalProperties: false everywhere, so a typo fails.
# --------------------------------------------------------------------------------------------
_STR = {"type": "string"}
_STRMAP = {"type": "object", "additionalProperties": {"type": "string"}}
_DURATION = {
    "type": "string",
    "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?"
    r"(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$",
}
_LABEL_SELECTOR = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "matchLabels": _STRMAP,
        "matchExpressions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "operator"],
                "properties": {
                    "key": _STR,
                    "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                    "values": {"type": "array", "items": _STR},
                },
            },
        },
    },
}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {
            "type": "string",
            "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
            "maxLength": 253,
        },
        "namespace": _STR,
        "labels": _STRMAP,
        "annotations": _STRMAP,
    },
}
_RELABEL = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "sourceLabels": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[a-zA-Z_][a-zA-Z0-9_]*$"},
        },
        "separator": _STR,
        "targetLabel": _STR,
        "regex": _STR,
        "modulus": {"type": "integer"},
        "replacement": _STR,
        "action": {
            "enum": [
                "replace",
                "Replace",
                "keep",
                "Keep",
                "drop",
                "Drop",
                "hashmod",
                "HashMod",
                "labelmap",
                "LabelMap",
                "labeldrop",
                "LabelDrop",
                "labelkeep",
                "LabelKeep",
                "lowercase",
                "Lowercase",
                "uppercase",
                "Uppercase",
                "keepequal",
                "KeepEqual",
                "dropequal",
                "DropEqual",
            ]
        },
    },
}
SERVICE_MONITOR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "ServiceMonitor"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["selector", "endpoints"],
            "properties": {
                "jobLabel": _STR,
                "targetLabels": {"type": "array", "items": _STR},
                "podTargetLabels": {"type": "array", "items": _STR},
                "namespaceSelector": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "any": {"type": "boolean"},
                        "matchNames": {"type": "array", "items": _STR},
                    },
                },
                "selector": _LABEL_SELECTOR,
                "sampleLimit": {"type": "integer", "minimum": 0},
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "port": _STR,
                            "targetPort": {"type": ["string", "integer"]},
                            "path": {"type": "string", "pattern": "^/"},
                            "scheme": {"enum": ["http", "https"]},
                            "interval": _DURATION,
                            "scrapeTimeout": _DURATION,
                            "honorLabels": {"type": "boolean"},
                            "honorTimestamps": {"type": "boolean"},
                            "relabelings": {"type": "array", "items": _RELABEL},
                            "metricRelabelings": {"type": "array", "items": _RELABEL},
                            "params": {"type": "object"},
                        },
                    },
                },
            },
        },
    },
}
_RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["expr"],
    "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
    "properties": {
        "alert": {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_]*$"},
        "record": {"type": "string", "pattern": r"^[a-zA-Z_:][a-zA-Z0-9_:]*$"},
        "expr": {"type": ["string", "integer"]},
        "for": _DURATION,
        "keep_firing_for": _DURATION,
        "labels": _STRMAP,
        "annotations": _STRMAP,
    },
}
PROMETHEUS_RULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"},
        "kind": {"const": "PrometheusRule"},
        "metadata": _METADATA,
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["groups"],
            "properties": {
                "groups": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "rules"],
                        "properties": {
                            "name": _STR,
                            "interval": _DURATION,
                            "rules": {"type": "array", "minItems": 1, "items": _RULE},
                        },
                    },
                }
            },
        },
    },
}
CRD_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): SERVICE_MONITOR,
    ("monitoring.coreos.com/v1", "PrometheusRule"): PROMETHEUS_RULE,
}
# Kinds kubernetes-validate checks (the chart uses no others).
BUILTIN_KINDS = {
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "Secret"),
    ("v1", "ConfigMap"),
    ("apps/v1", "Deployment"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "Ingress"),
}
RECOMMENDED_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/managed-by",
    "helm.sh/chart",
)


class Problems(list):
    def add(self, where: str, what: str) -> None:
        self.append(f"{where}: {what}")

    def exit(self, ok_message: str) -> int:
        if self:
            for p in self:
                print(f"ERROR {p}")
            return 1
        print(ok_message)
        return 0


def _load_docs(path: str) -> list[dict[str, Any]]:
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def _name(doc: dict[str, Any]) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _obj(value: Any) -> dict[str, Any]:
    """A mapping field, or {} where the manifest has null (e.g. `resources: null`) or nothing."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _check_pod(where: str, pod: dict[str, Any], problems: Problems) -> None:
    psc = _obj(pod.get("securityContext"))
    if psc.get("runAsNonRoot") is not True:
        problems.add(where, "pod securityContext.runAsNonRoot must be true")
    if pod.get("automountServiceAccountToken") is not False:
        problems.add(where, "automountServiceAccountToken should be false (no API access needed)")
    for c in _list(pod.get("containers")):
        c = _obj(c)
        cw = f"{where} container {c.get('name')}"
        image = str(c.get("image") or "")
        tag = image.rsplit("/", 1)[-1]
        if ":" not in tag or tag.endswith(":latest"):
            problems.add(cw, f"image {image!r} must carry a pinned tag (not latest)")
        res = _obj(c.get("resources"))
        if not res:
            problems.add(cw, "resources missing (null or empty): set requests and a memory limit")
        else:
            for key in ("cpu", "memory"):
                if key not in _obj(res.get("requests")):
                    problems.add(cw, f"resources.requests.{key} missing")
            if "memory" not in _obj(res.get("limits")):
                problems.add(cw, "resources.limits.memory missing")
        for probe in ("livenessProbe", "readinessProbe"):
            if not c.get(probe):
                problems.add(cw, f"{probe} missing")
        sc = _obj(c.get("securityContext"))
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.add(cw, "securityContext.allowPrivilegeEscalation must be false")
        if "ALL" not in _list(_obj(sc.get("capabilities")).get("drop")):
            problems.add(cw, "securityContext.capabilities.drop must contain ALL")
        if sc.get("readOnlyRootFilesystem") is not True:
            problems.add(cw, "securityContext.readOnlyRootFilesystem should be true")
        if c.get("name") == "triton":
            _check_triton_gates(cw, c, problems)


# Triton's readiness endpoints that answer "ready" only once models are loaded.
_MODEL_READY_PATHS = re.compile(r"^/v2/(health/ready|models/[^/]+(/versions/[^/]+)?/ready)$")


def _check_triton_gates(where: str, c: dict[str, Any], problems: Problems) -> None:
    """A Triton container is ready only once its models are loaded, and survives the loading.

    Model updates rely on it: a new pod must not take requests before its models serve them.
    """
    path = _obj(_obj(c.get("readinessProbe")).get("httpGet")).get("path")
    if not (isinstance(path, str) and _MODEL_READY_PATHS.match(path)):
        problems.add(
            where,
            f"readinessProbe must GET /v2/health/ready (got {path!r}): "
            "a pod would take requests before its models are loaded",
        )
    args = [str(a) for a in _list(c.get("args"))]
    strict = [a for a in args if a.startswith("--strict-readiness")]
    if not strict or strict[-1] not in ("--strict-readiness=true", "--strict-readiness"):
        problems.add(
            where, "tritonserver needs --strict-readiness=true (ready only when every model is)"
        )
    if not c.get("startupProbe"):
        problems.add(where, "startupProbe missing: liveness would kill Triton while models load")


def _probe_budget(probe: dict[str, Any]) -> int:
    """Seconds a probe allows before giving up (Kubernetes' defaults where unset)."""
    delay = int(probe.get("initialDelaySeconds") or 0)
    return delay + int(probe.get("periodSeconds") or 10) * int(probe.get("failureThreshold") or 3)


def _is_zero(value: Any) -> bool:
    return str(value) in ("0", "0%")


def _check_triton_rollout(where: str, dep: dict[str, Any], problems: Problems) -> None:
    """The shared Triton's update path keeps a ready replica and reports failure truthfully."""
    spec = _obj(dep.get("spec"))
    strategy = _obj(spec.get("strategy"))
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        problems.add(where, "strategy must be RollingUpdate: a Recreate rollout stops all Triton")
        return
    ru = _obj(strategy.get("rollingUpdate"))
    surge, unavailable = ru.get("maxSurge", "25%"), ru.get("maxUnavailable", "25%")
    if _is_zero(surge) and _is_zero(unavailable):
        problems.add(where, "rollingUpdate maxSurge and maxUnavailable are both 0: no progress")
    replicas = spec.get("replicas")
    if isinstance(unavailable, int) and isinstance(replicas, int) and unavailable >= replicas > 0:
        problems.add(
            where,
            f"rollingUpdate.maxUnavailable {unavailable} takes all {replicas} replica(s) down",
        )
    containers = _list(_obj(_obj(spec.get("template")).get("spec")).get("containers"))
    for c in containers:
        startup = _obj(_obj(c).get("startupProbe"))
        if _obj(c).get("name") != "triton" or not startup:
            continue
        budget = _probe_budget(startup)
        deadline = spec.get("progressDeadlineSeconds", 600)
        if not isinstance(deadline, int) or deadline <= budget:
            problems.add(
                where,
                f"progressDeadlineSeconds {deadline} is not above the startup probe's {budget} s:"
                " a rollout still loading models would be reported failed",
            )


def check_manifests(path: str) -> int:
    docs = _load_docs(path)
    problems = Problems()
    if not docs:
        problems.add(path, "no resources rendered")
    services, pod_labels, names = [], {}, {}
    for doc in docs:
        key = (doc.get("apiVersion"), doc.get("kind"))
        where = _name(doc)
        if key in CRD_SCHEMAS:
            v = jsonschema.Draft7Validator(CRD_SCHEMAS[key])
            for err in sorted(v.iter_errors(doc), key=lambda e: list(e.path)):
                loc = ".".join(str(p) for p in err.path) or "(root)"
                problems.add(where, f"{loc}: {err.message}")
        elif key not in BUILTIN_KINDS:
            problems.add(where, f"no schema for {key[0]} {key[1]}: add one to helpers.py")
        labels = doc.get("metadata", {}).get("labels", {})
        for label in RECOMMENDED_LABELS:
            if label not in labels:
                problems.add(where, f"label {label} missing")
        if where in names:
            problems.add(where, "rendered twice")
        names[where] = doc
        if doc.get("kind") == "Deployment":
            tpl = doc["spec"]["template"]
            if not _matches(doc["spec"]["selector"]["matchLabels"], tpl["metadata"]["labels"]):
                problems.add(where, "selector does not match the pod template labels")
            pod_labels[doc["metadata"]["name"]] = tpl["metadata"]["labels"]
            _check_pod(where, tpl["spec"], problems)
            if labels.get("app.kubernetes.io/component") == "triton":
                _check_triton_rollout(where, doc, problems)
        if doc.get("kind") == "Service":
            services.append(doc)

    def selects_a_pod(sel: dict[str, str]) -> bool:
        return any(_matches(sel, lbl) for lbl in pod_labels.values())

    for svc in services:
        if not selects_a_pod(svc["spec"].get("selector", {})):
            problems.add(_name(svc), "selector matches no Deployment's pods")
    for doc in docs:
        kind, where = doc.get("kind"), _name(doc)
        if kind == "PodDisruptionBudget" and not selects_a_pod(
            doc["spec"]["selector"]["matchLabels"]
        ):
            problems.add(where, "selector matches no Deployment's pods")
        if kind == "HorizontalPodAutoscaler":
            target = doc["spec"]["scaleTargetRef"]["name"]
            if f"Deployment/{target}" not in names:
                problems.add(where, f"scale target Deployment/{target} not rendered")
            dep = names.get(f"Deployment/{target}")
            if dep is not None and "replicas" in dep["spec"]:
                problems.add(where, "the Deployment sets replicas too: they fight the HPA")
        if kind == "ServiceMonitor":
            sel = doc["spec"]["selector"].get("matchLabels", {})
            hits = [s for s in services if _matches(sel, s["metadata"].get("labels", {}))]
            if not hits:
                problems.add(where, "selector matches no Service")
            for ep in doc["spec"]["endpoints"]:
                if hits and not any(
                    ep.get("port") in {p.get("name") for p in s["spec"]["ports"]} for s in hits
                ):
                    problems.add(where, f"endpoint port {ep.get('port')!r} is on no Service")
        if kind == "Ingress":
            for rule in doc["spec"].get("rules", []):
                for p in rule.get("http", {}).get("paths", []):
                    svc = p["backend"]["service"]["name"]
                    if f"Service/{svc}" not in names:
                        problems.add(where, f"backend Service/{svc} not rendered")
    return problems.exit(f"ok: {len(docs)} resources in {path}")


def extract_rules(src: str, dst: str) -> int:
    docs = [d for d in _load_docs(src) if d.get("kind") == "PrometheusRule"]
    if len(docs) != 1:
        print(f"ERROR expected one PrometheusRule in {src}, found {len(docs)}")
        return 1
    Path(dst).write_text(yaml.safe_dump(docs[0]["spec"], sort_keys=False, width=100))
    n = sum(len(g["rules"]) for g in docs[0]["spec"]["groups"])
    print(f"ok: {n} rules written to {dst}")
    return 0


def check_alert_coverage(rules_path: str, tests_path: str) -> int:
    rules = yaml.safe_load(Path(rules_path).read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    tests = yaml.safe_load(Path(tests_path).read_text())
    fires: set[str] = set()
    silent: set[str] = set()
    for t in tests.get("tests", []):
        for case in t.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else silent).add(case["alertname"])
    problems = Problems()
    for a in sorted(alerts):
        if a not in fires:
            problems.add(a, "no promtool test where it fires (exp_alerts non-empty)")
        if a not in silent:
            problems.add(a, "no promtool test where it stays silent (exp_alerts: [])")
    for a in sorted((fires | silent) - alerts):
        problems.add(a, "tested but not defined in the rules")
    return problems.exit(f"ok: {len(alerts)} alerts, each tested firing and silent")


# Metrics a dashboard may use: the worker's (orchestrator) and Triton's.
WORKER_METRICS = {
    "framegraph_frames_received_total",
    "framegraph_frames_decoded_total",
    "framegraph_frames_completed_total",
    "framegraph_frames_dropped_total",
    "framegraph_frames_failed_total",
    "framegraph_feature_computations_total",
    "framegraph_feature_deliveries_total",
    "framegraph_feature_errors_total",
    "framegraph_feature_compute_seconds",
    "framegraph_frame_latency_seconds",
    "framegraph_plan_rebuilds_total",
    "framegraph_subscribers",
    "framegraph_subscriber_drops_total",
    "framegraph_triton_request_seconds",
    "framegraph_triton_errors_total",
    "framegraph_ready",
    "framegraph_frames_in_flight",
}
TRITON_METRICS = {
    "nv_inference_request_success",
    "nv_inference_request_failure",
    "nv_inference_count",
    "nv_inference_exec_count",
    "nv_inference_queue_duration_us",
    "nv_inference_compute_infer_duration_us",
    "nv_inference_request_duration_us",
    "nv_inference_compute_input_duration_us",
    "nv_inference_compute_output_duration_us",
    "nv_inference_pending_request_count",
    "nv_gpu_utilization",
    "nv_gpu_memory_used_bytes",
    "nv_gpu_memory_total_bytes",
}
OTHER_METRICS = {"up"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
GRAFANA_VARS = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "${__rate_interval}": "5m",
    "$__range": "1h",
}


def _metric_names(expr: str) -> set[str]:
    names = set(re.findall(r"\b((?:framegraph|nv)_[a-zA-Z0-9_]+)", expr))
    if re.search(r"\bup\s*\{", expr):
        names.add("up")
    return names


def _known(metric: str) -> bool:
    if metric in WORKER_METRICS | TRITON_METRICS | OTHER_METRICS:
        return True
    for suffix in HISTOGRAM_SUFFIXES:
        if metric.endswith(suffix) and metric[: -len(suffix)] in WORKER_METRICS:
            return True
    return False


def _panels(dash: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in dash.get("panels", []):
        out.append(p)
        out.extend(p.get("panels", []))  # collapsed rows
    return out


def check_dashboard(path: str, queries_out: str) -> int:
    problems = Problems()
    try:
        dash = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        print(f"ERROR {path}: not valid JSON: {e}")
        return 1
    for key in ("title", "uid", "panels", "schemaVersion", "templating"):
        if key not in dash:
            problems.add(path, f"top-level key {key!r} missing")
    if dash.get("id") not in (None,):
        problems.add(path, "id must be null (Grafana assigns it on import)")
    if not re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", str(dash.get("uid", ""))):
        problems.add(path, "uid must be 1-40 characters of [a-zA-Z0-9_-]")
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.add(path, "needs a 'datasource' variable of type datasource (prometheus)")
    ids: set[int] = set()
    rules = []
    used: set[str] = set()
    for panel in _panels(dash):
        where = f"panel {panel.get('id')} {panel.get('title')!r}"
        if not isinstance(panel.get("id"), int) or panel["id"] in ids:
            problems.add(where, "id must be a unique integer")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")):
            problems.add(where, "gridPos needs integer h, w, x, y")
        elif grid["x"] + grid["w"] > 24:
            problems.add(where, "gridPos wider than 24 columns")
        if panel.get("type") == "row":
            continue
        if not panel.get("title"):
            problems.add(where, "title missing")
        targets = panel.get("targets", [])
        if not targets:
            problems.add(where, "no queries")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.add(where, "datasource must be the ${datasource} variable")
        for t in targets:
            expr = t.get("expr", "")
            if not expr:
                problems.add(where, f"target {t.get('refId')} has no expr")
                continue
            for m in _metric_names(expr):
                used.add(m)
                if not _known(m):
                    problems.add(where, f"unknown metric {m}")
            concrete = expr
            for var, value in sorted(GRAFANA_VARS.items(), key=lambda kv: -len(kv[0])):
                concrete = concrete.replace(var, value)
            for var in variables:
                concrete = concrete.replace("${" + var + "}", ".*").replace("$" + var, ".*")
            if "$" in concrete:
                problems.add(where, f"undefined variable in {expr!r}")
            rules.append(
                {
                    "record": f"dashboard:panel{panel.get('id')}:{t.get('refId', 'A')}",
                    "expr": concrete,
                }
            )
    Path(queries_out).write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}, sort_keys=False)
    )
    for needed in (
        "framegraph_frames_completed_total",
        "framegraph_frame_latency_seconds_bucket",
        "framegraph_frames_dropped_total",
        "framegraph_feature_compute_seconds_sum",
        "framegraph_feature_deliveries_total",
        "nv_inference_queue_duration_us",
        "nv_inference_compute_infer_duration_us",
        "nv_inference_exec_count",
    ):
        if needed not in used:
            problems.add(path, f"no panel shows {needed}")
    return problems.exit(f"ok: {len(rules)} queries in {len(ids)} panels")


def check_dockerignore(path: str) -> int:
    problems = Problems()
    p = Path(path)
    if not p.is_file():
        print(f"ERROR {path} missing")
        return 1
    lines = [
        ln.strip() for ln in p.read_text().splitlines() if ln.strip() and not ln.startswith("#")
    ]
    # An allow-list (`*` then `!path`) excludes everything else, .git and venvs included.
    if "*" not in lines:
        for needed in (".git", ".venv", ".tools"):
            if not any(ln.rstrip("/") in (needed, f"**/{needed}") for ln in lines):
                problems.add(path, f"{needed} is not excluded")
    return problems.exit(f"ok: {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check-manifests").add_argument("rendered")
    p = sub.add_parser("extract-rules")
    p.add_argument("src")
    p.add_argument("dst")
    p = sub.add_parser("check-alert-coverage")
    p.add_argument("rules")
    p.add_argument("tests")
    p = sub.add_parser("check-dashboard")
    p.add_argument("dashboard")
    p.add_argument("--queries-out", required=True)
    sub.add_parser("check-dockerignore").add_argument("path")
    a = ap.parse_args(argv)
    if a.cmd == "check-manifests":
        return check_manifests(a.rendered)
    if a.cmd == "extract-rules":
        return extract_rules(a.src, a.dst)
    if a.cmd == "check-alert-coverage":
        return check_alert_coverage(a.rules, a.tests)
    if a.cmd == "check-dashboard":
        return check_dashboard(a.dashboard, a.queries_out)
    return check_dockerignore(a.path)


if __name__ == "__main__":
    sys.exit(main())
