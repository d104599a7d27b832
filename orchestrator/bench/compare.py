"""Side-by-side ratios: each set against naive, direct and the ceiling, from one run.

Ratios are what travels between machines; the absolute figures stay beside them. All work
figures are per frame, so runs of different lengths on the same clip compare directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orchestrator.bench.baselines import nets_of
from orchestrator.graph import Planner


def _find(runs: Sequence[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    for run in runs:
        if all(run.get(k) == v for k, v in match.items()):
            return run
    return None


def _ratio(a: float | None, b: float | None, digits: int = 3) -> float | None:
    return round(a / b, digits) if a is not None and b else None


def _net_work(run: dict[str, Any], nets: Sequence[str]) -> tuple[float, float]:
    """(net inferences, net executions) per frame with a result."""
    frames = max(1, run["frames"]["results"])
    inf = sum(run["triton"].get(n, {}).get("inferences", 0) for n in nets)
    exe = sum(run["triton"].get(n, {}).get("executions", 0) for n in nets)
    return round(inf / frames, 3), round(exe / frames, 3)


def work_saved(runs: Sequence[dict[str, Any]], all_nets: Sequence[str]) -> list[dict[str, Any]]:
    """Each requested set against computing every feature on the same frames (naive)."""
    out = []
    for run in runs:
        if run["role"] != "matrix" or run["set"] == "everything" or run["streams"] != 1:
            continue
        if run["mode"] != "unpaced":
            continue
        naive = _find(runs, set="everything", clip=run["clip"], streams=1, mode="unpaced")
        if naive is None:
            continue
        inf, exe = _net_work(run, all_nets)
        n_inf, n_exe = _net_work(naive, all_nets)
        cpu, n_cpu = run["cpu"]["total_ms_per_frame"], naive["cpu"]["total_ms_per_frame"]
        out.append(
            {
                "set": run["set"],
                "clip": run["clip"],
                "nets_run": sorted(n for n in all_nets if run["triton"].get(n)),
                "nets_run_naive": sorted(n for n in all_nets if naive["triton"].get(n)),
                "net_inferences_per_frame": inf,
                "net_inferences_per_frame_naive": n_inf,
                "net_executions_per_frame": exe,
                "net_executions_per_frame_naive": n_exe,
                "cpu_ms_per_frame": cpu,
                "cpu_ms_per_frame_naive": n_cpu,
                "cpu_saved": round(1 - cpu / n_cpu, 3) if n_cpu else None,
                "fps": run["throughput"]["total_fps"],
                "fps_naive": naive["throughput"]["total_fps"],
                "speedup": _ratio(
                    run["throughput"]["total_fps"], naive["throughput"]["total_fps"], 2
                ),
            }
        )
    return out


def against_direct(
    runs: Sequence[dict[str, Any]], direct: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Framegraph on one stream (and at its best S) against the in-process loop."""
    out = []
    for name, d in direct.items():
        one = _find(runs, role="matrix", set=name, streams=1, mode="unpaced")
        paced = _find(runs, role="matrix", set=name, streams=1, mode="paced")
        best = max(
            (
                r
                for r in runs
                if r["role"] == "matrix" and r["set"] == name and r["mode"] == "unpaced"
            ),
            key=lambda r: r["throughput"]["total_fps"],
            default=None,
        )
        entry: dict[str, Any] = {
            "set": name,
            "direct_fps": d["fps"],
            "direct_latency_ms": d["latency_ms"],
            "direct_cpu_ms_per_frame": d["cpu_ms_per_frame"],
            "direct_peak_rss_mb": d["peak_rss_mb"],
        }
        if one:
            entry |= {
                "fps_1_stream": one["throughput"]["total_fps"],
                "fps_ratio_1_stream": _ratio(one["throughput"]["total_fps"], d["fps"]),
                "cpu_ms_per_frame": one["cpu"]["total_ms_per_frame"],
                "cpu_ratio": _ratio(one["cpu"]["total_ms_per_frame"], d["cpu_ms_per_frame"]),
            }
        if best:
            entry |= {
                "best_fps": best["throughput"]["total_fps"],
                "best_streams": best["streams"],
                "best_fps_ratio": _ratio(best["throughput"]["total_fps"], d["fps"]),
            }
        if paced and paced["e2e_ms"]:
            entry["paced_e2e_p50_ms"] = paced["e2e_ms"]["p50"]
        out.append(entry)
    return out


def against_ceiling(
    runs: Sequence[dict[str, Any]], ceiling: dict[str, dict[str, Any]], planner: Planner
) -> list[dict[str, Any]]:
    """Each net's throughput inside Framegraph (unpaced runs) as a share of its ceiling."""
    out = []
    for run in runs:
        if run["mode"] != "unpaced" or run["role"] != "matrix":
            continue
        plan = planner.plan(run["features"])
        frames = max(1, run["frames"]["results"])
        for net in nets_of(plan.model_names):
            if net not in ceiling:
                continue
            stats = run["triton"].get(net, {})
            per_frame = stats.get("inferences", 0) / frames
            fps = run["throughput"]["total_fps"] * per_frame
            out.append(
                {
                    "set": run["set"],
                    "streams": run["streams"],
                    "net": net,
                    "net_fps": round(fps, 2),
                    "ceiling_fps": ceiling[net]["best_fps"],
                    "share_of_ceiling": _ratio(fps, ceiling[net]["best_fps"]),
                    "mean_batch": stats.get("mean_batch"),
                }
            )
    return out


def latency_breakdown(
    runs: Sequence[dict[str, Any]], direct: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Where a frame's time goes, per scenario with --timings.

    `worker` is feature code on the critical path (image statistics, resizing a net's input,
    crops, tracking) as the worker timed it, shown beside the same features' in-process cost
    in the direct baseline as a cross-check; `overhead` is what remains: the orchestration
    itself. `transport` is the client-measured Triton time minus
    Triton's own request time (gRPC, protobuf, shared memory, the asyncio client), known
    for single-chain sets in runs that kept up only (under saturation both sides wait in
    different queues).
    """
    out = []
    for run in runs:
        timing = run.get("timing_ms")
        if not timing or not timing.get("overhead"):
            continue
        features = (direct.get(run["set"]) or {}).get("worker_compute_ms")
        over = timing["overhead"]
        server = run.get("triton_server_ms_per_frame")
        # a chain of ensembles, so the server time per frame is on the critical path
        chain = run["set"] in ("persons", "faces.expression") and (
            run["mode"] == "paced" and run["frames"]["dropped"] == 0
        )
        out.append(
            {
                "key": run["key"],
                "set": run["set"],
                "role": run["role"],
                "streams": run["streams"],
                "mode": run["mode"],
                "latency_p50": (run.get("latency_ms") or {}).get("p50"),
                "queue_p50": (timing.get("queue") or {}).get("p50"),
                "decode_p50": (timing.get("decode") or {}).get("p50"),
                "triton_p50": (timing.get("triton") or {}).get("p50"),
                "triton_mean": (timing.get("triton") or {}).get("mean"),
                "server_ms_per_frame": server if chain else None,
                "transport_ms_mean": round(timing["triton"]["mean"] - server, 3)
                if chain and server is not None and timing.get("triton")
                else None,
                "worker_p50": (timing.get("worker") or {}).get("p50"),
                "worker_features_direct_ms": features,
                "overhead_p50": over["p50"],
                "overhead_p99": over["p99"],
            }
        )
    return out
