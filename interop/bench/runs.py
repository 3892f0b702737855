"""What each side's run says about itself: mcp-authspec's report.json (cases, verdict
counts, reported duration, exchange times) and the official suite's printed summary
(`✓ auth/x: N passed, M failed` per scenario, then `Total: P passed, F failed, W
warnings`)."""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

STALL_MS = 40  # an answer this slow waited for something (issue 15: the ~43 ms keep-alive stall)


@dataclass(frozen=True)
class Counted:
    units: int  # cases (A) or scenarios (B)
    verdicts: str  # "40 pass, 1 fail" — the same every round, or the runs disagree


def authspec_report(out: Path) -> dict | None:
    try:
        return json.loads((out / "report.json").read_text())
    except (OSError, ValueError):
        return None


def authspec_counted(report: dict) -> Counted:
    s = report.get("summary", {})
    parts = [f"{s[k]} {k}" for k in ("pass", "fail", "warn", "info", "skip", "error", "unsupported") if s.get(k)]
    return Counted(int(s.get("total", 0)), ", ".join(parts) or "none")


_SCENARIO = re.compile(r"^\s*[✓✗!⚠]?\s*(auth/\S+):\s+\d+ passed", re.M)
_TOTAL = re.compile(r"^Total:\s*(\d+) passed, (\d+) failed, (\d+) warnings", re.M)


def official_counted(console: str) -> Counted | None:
    summary = console.rsplit("=== SUITE SUMMARY ===", 1)
    if len(summary) != 2:
        return None
    total = _TOTAL.search(summary[1])
    scenarios = set(_SCENARIO.findall(summary[1]))
    if not total or not scenarios:
        return None
    p, f, w = total.groups()
    return Counted(len(scenarios), f"checks: {p} passed, {f} failed, {w} warnings")


def exchange_times(node) -> list[int]:
    """Every exchange's `elapsed_ms` anywhere in a report (cases' evidence, set-up)."""
    found: list[int] = []
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, dict):
            if "elapsed_ms" in n and "method" in n and "url" in n:
                found.append(int(n["elapsed_ms"]))
            todo.extend(n.values())
        elif isinstance(n, list):
            todo.extend(n)
    return found


def stall_summary(times: list[int]) -> str:
    if not times:
        return "no exchanges recorded"
    slow = sum(1 for t in times if t >= STALL_MS)
    return (f"{len(times)} exchanges, {slow} ≥ {STALL_MS} ms, median {statistics.median(times):.0f} ms, "
            f"max {max(times)} ms")
