"""The bench's results for people: `latest.json` (every figure), `latest.md` (the headline figures
against their targets, and one row per case type and platform) and PNG charts beside them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# figure -> (comparison, target): the targets; "<=" figures are costs, ">=" are rates.
TARGETS: dict[str, tuple[str, float]] = {
    "worker_cpu_ratio": ("<=", 1.5),
    "server_cpu_ratio": ("<=", 1.2),
    "history_ratio": ("<=", 1.25),
    "shopify_cost_points_per_case": ("<=", 100),
    "shim_ingest_ratio": (">=", 0.9),
    "shim_p99_ms": ("<=", 50),
    "decision_p99_ms": ("<=", 1000),
    "worker_rss_mb": ("<=", 200),
    "find_case_ms": ("<=", 100),
    "throttled_calls": ("<=", 0),
    "throttled_calls_standard_plan": ("<=", 0),
    "chaos_lost": ("<=", 0),
    "chaos_duplicated": ("<=", 0),
}


def verdict(name: str, value: Any) -> str:
    if name not in TARGETS or not isinstance(value, int | float):
        return ""
    comparison, target = TARGETS[name]
    met = value <= target if comparison == "<=" else value >= target
    return f"{comparison} {target:g}: {'met' if met else 'MISSED'}"


def table(results: dict[str, Any]) -> str:
    figures = results["figures"]
    machine = results["machine"]
    lines = [
        f"# Casebridge bench, {results['at']}",
        "",
        f"{machine['cpus']} CPUs, Python {machine['python']}; settings: "
        + ", ".join(f"{k}={v}" for k, v in results["settings"].items() if k != "out"),
        "",
        "| figure | value | target |",
        "|---|---|---|",
        *(f"| {name} | {value} | {verdict(name, value)} |" for name, value in figures.items()),
        "",
    ]
    paths = results.get("paths", {})
    if paths:
        lines += [
            "| case type / platform | history events | bare | ratio | activities | worker CPU ms | API calls | "
            "Shopify cost | decision p50 ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, path in paths.items():
            calls = ", ".join(f"{system} {n:g}" for system, n in sorted(path["api_calls_per_case"].items()))
            lines.append(
                f"| {name} | {path['history_events']} | {path['bare_history_events']} | {path['history_ratio']} "
                f"| {path['activities']} | {path['worker_cpu_ms_per_case']} | {calls} "
                f"| {path['shopify_cost_points_per_case']:g} | {path['decision_p50_ms']} |"
            )
    return "\n".join(lines) + "\n"


def charts(results: dict[str, Any], out: Path) -> list[Path]:
    """Bars, Casebridge beside bare Temporal; none when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written: list[Path] = []
    if "order_review_load" not in results or "bare_load" not in results:
        return written
    load, bare = results["order_review_load"], results["bare_load"]
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    pairs = [
        ("worker CPU ms / case", load["worker_cpu_ms_per_case"], bare["bare_worker_cpu_ms_per_case"]),
        ("server CPU ms / case", load["server_cpu_ms_per_case"], bare["server_cpu_ms_per_case"]),
        ("cases / s", load["cases_per_s"], bare["bare_per_s"]),
    ]
    for axis, (title, ours, theirs) in zip(axes, pairs, strict=True):
        axis.bar(["Casebridge", "bare Temporal"], [ours, theirs], color=["#3b6ea8", "#9aa5b1"])
        axis.set_title(title)
    fig.suptitle("Order review (Shopify) beside a bare workflow of the same shape")
    fig.tight_layout()
    written.append(out / "cpu_and_throughput.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)

    paths = results.get("paths", {})
    if paths:
        names = list(paths)
        fig, axis = plt.subplots(figsize=(12, 4.5))
        xs = range(len(names))
        axis.bar([x - 0.2 for x in xs], [paths[n]["history_events"] for n in names], 0.4, label="Casebridge")
        axis.bar([x + 0.2 for x in xs], [paths[n]["bare_history_events"] for n in names], 0.4, label="bare shape")
        axis.set_xticks(list(xs), names, rotation=30, ha="right")
        axis.set_ylabel("history events per case")
        axis.legend()
        fig.tight_layout()
        written.append(out / "history_events.png")
        fig.savefig(written[-1], dpi=100)
        plt.close(fig)
    return written


def write(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "latest.md").write_text(table(results))
    for chart in charts(results, out):
        print(f"chart: {chart}")
