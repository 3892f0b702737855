"""Running mcp-authspec once and reading its JSON report (schemas/report.schema.json)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .procs import run_bounded

REVISIONS = ["2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]
# Every outcome the report may carry; `unsupported` is new (a revision the target does not
# implement). Unknown ones are counted too, under their own name.
OUTCOMES = ["pass", "fail", "warn", "info", "skip", "unsupported", "error"]
JUDGED = ("fail", "warn", "error")


@dataclass
class Result:
    """One case outcome of one run."""

    implementation: str
    mode: str
    revision: str
    case: str
    outcome: str
    reason: str


@dataclass
class RunRecord:
    """What one run of the suite left: its cases, or why there are none."""

    implementation: str
    mode: str
    role: str
    argv: list[str]
    probe: bool = False
    exit_code: int | None = None
    seconds: float = 0.0
    report_error: str | None = None  # the report's top-level `error`
    harness_error: str | None = None  # ours: peer did not start, token, timeout, no report
    tool_version: str | None = None
    results: list[Result] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.implementation} / {self.mode}"


# Ports, UUIDs and long random strings differ on every run; the docs must not.
_NORMALISE = [
    (re.compile(r"\b(127\.0\.0\.1|localhost|\[::1\]):\d{2,5}\b"), r"\1:PORT"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b"), "<duration>"),
    # random values (codes, states, client ids: RFC 3986 unreserved, mixed case and digits)
    (re.compile(r"(?<![\w~.-])(?=[\w~.-]*\d)(?=[\w~.-]*[a-z])(?=[\w~.-]*[A-Z])[\w~.-]{16,}", re.A), "<random>"),
]


def normalise(text: str) -> str:
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def command_line(bin_path: Path, role: str, target: list[str], out: Path) -> list[str]:
    return [
        str(bin_path), role, *target,
        "--revision", "all", "--format", "json", "--out", str(out), "--plain",
    ]


def run_suite(rec: RunRecord, out_dir: Path, timeout: float) -> RunRecord:
    """Runs `rec.argv` (already complete) and fills in the record from report.json."""
    code, seconds = run_bounded(rec.argv, timeout=timeout, log=out_dir / "console.txt")
    rec.seconds = seconds
    rec.exit_code = code
    if code is None:
        rec.harness_error = f"mcp-authspec did not finish within {timeout:.0f} s (stopped; console: {out_dir / 'console.txt'})"
        return rec
    report = out_dir / "report.json"
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError) as e:
        tail = (out_dir / "console.txt").read_text(errors="replace").strip().splitlines()[-8:]
        rec.harness_error = f"no readable report ({e}); exit {code}; console ends:\n    " + "\n    ".join(tail)
        return rec
    rec.tool_version = (data.get("tool") or {}).get("version")
    rec.report_error = data.get("error")
    for case in data.get("cases", []):
        rec.results.append(Result(
            implementation=rec.implementation,
            mode=rec.mode,
            revision=case.get("revision", "?"),
            case=case.get("id", "?"),
            outcome=case.get("outcome", "?"),
            reason=normalise(case.get("reason") or ""),
        ))
    rec.results.sort(key=lambda r: (r.revision, r.case))
    return rec


def counts(results: list[Result]) -> dict[str, int]:
    c = {o: 0 for o in OUTCOMES}
    for r in results:
        c[r.outcome] = c.get(r.outcome, 0) + 1
    return c


def tool_version(bin_path: Path) -> str:
    try:
        done = subprocess.run([str(bin_path), "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def shell_join(parts: list[str]) -> str:
    return " ".join(shlex.quote(p) for p in parts)
