"""Paired runs, A B A B: one warm-up of each side, then N pairs, the 1-minute load
average before and after each pair, and the table of medians [min–max] with the ratios
taken pair by pair."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .measure import Sample, loadavg, ratios, spread
from .runs import Counted


@dataclass
class Run:
    sample: Sample
    counted: Counted | None  # None: the run's own output could not be read
    note: str = ""  # e.g. a report's duration next to the process wall
    out: Path | None = None  # the run's report folder (mcp-authspec's --out)


@dataclass
class Side:
    label: str  # e.g. "A = mcp-authspec client"
    run: Callable[[str], Run]  # tag ("warm-up", "1", …) -> one measured run
    unit: str = "case"  # what `counted.units` counts: case, scenario


@dataclass
class Pairs:
    a: Side
    b: Side | None
    runs_a: list[Run] = field(default_factory=list)
    runs_b: list[Run] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)


def run_pairs(a: Side, b: Side | None, rounds: int, say) -> Pairs:
    out = Pairs(a, b)
    say(f"  warm-up: {a.label}" + (f", {b.label}" if b else ""))
    a.run("warm-up")
    if b:
        b.run("warm-up")
    for i in range(1, rounds + 1):
        before = loadavg()
        out.runs_a.append(a.run(str(i)))
        if b:
            out.runs_b.append(b.run(str(i)))
        out.loads.append(f"{before}→{loadavg()}")
        say(f"  pair {i}/{rounds}: load {out.loads[-1]}, " + _pair_line(out, i - 1))
    return out


def _pair_line(p: Pairs, i: int) -> str:
    a = p.runs_a[i].sample
    text = f"A {a.wall:.2f} s (exit {a.code})"
    if p.b:
        b = p.runs_b[i].sample
        text += f", B {b.wall:.2f} s (exit {b.code}), A/B {a.wall / b.wall:.2f}"
    return text


def _units(runs: list[Run]) -> int | None:
    counts = {r.counted.units for r in runs if r.counted}
    return counts.pop() if len(counts) == 1 else None


def _verdicts(runs: list[Run]) -> str:
    seen = sorted({r.counted.verdicts if r.counted else "output unreadable" for r in runs})
    return seen[0] if len(seen) == 1 else "DIFFERED between rounds: " + " | ".join(seen)


def table(p: Pairs, per_unit: bool = True) -> list[str]:
    """Markdown: whole run, per case/scenario, and the pairs' loads and verdicts."""
    a, b = p.runs_a, p.runs_b
    na, nb = _units(a), _units(b) if p.b else None
    head = f"| | {p.a.label}" + (f" | {p.b.label} | A/B (pair by pair)" if p.b else "") + " |"
    rows = [head, "|---|---" + ("|---|---" if p.b else "") + "|"]

    def row(name: str, get: Callable[[Sample], float], scale: float = 1.0, digits: int = 2,
            ua: int | None = 1, ub: int | None = 1) -> None:
        if ua is None or (p.b and ub is None):
            rows.append(f"| {name} | counts differ between rounds | | |" if p.b else f"| {name} | counts differ |")
            return
        va = [get(r.sample) / ua for r in a]
        line = f"| {name} | {spread(va, scale, digits)}"
        if p.b:
            vb = [get(r.sample) / ub for r in b]
            line += f" | {spread(vb, scale, digits)} | **{spread(ratios(va, vb), 1.0, 2)}**"
        rows.append(line + " |")

    row("wall s", lambda s: s.wall)
    row("CPU s (user+sys, tree)", lambda s: s.cpu)
    row("peak RSS MiB (largest process)", lambda s: s.peak_kib, 1 / 1024, 1)
    own = all(r.sample.own_cpu is not None for r in a + b)
    if own:
        # The suite's own process without what it launched: mcp-authspec's harness and mocks
        # (a target it started is a child: not in it), or the official suite's node.
        row("own process CPU s (without its children)", lambda s: s.own_cpu)
    if per_unit:
        unit = p.a.unit if not p.b or p.b.unit == p.a.unit else f"{p.a.unit} (A) / {p.b.unit} (B)"
        row(f"wall per {unit} ms", lambda s: s.wall, 1000, 1, na, nb)
        row(f"CPU per {unit} ms", lambda s: s.cpu, 1000, 1, na, nb)
        if own:
            row(f"own process CPU per {unit} ms", lambda s: s.own_cpu, 1000, 1, na, nb)
    lines = rows + [""]
    lines.append(f"- {p.a.unit}s: A {na if na is not None else '?'}" + (f", B {nb if nb is not None else '?'}" if p.b else ""))
    lines.append(f"- verdicts, A: {_verdicts(a)}" + (f"; B: {_verdicts(b)}" if p.b else ""))
    lines.append(f"- exit codes: A {sorted({r.sample.code for r in a}, key=str)}"
                 + (f", B {sorted({r.sample.code for r in b}, key=str)}" if p.b else ""))
    notes = [f"A{i + 1}: {r.note}" for i, r in enumerate(a) if r.note] + [f"B{i + 1}: {r.note}" for i, r in enumerate(b) if r.note]
    for n in notes:
        lines.append(f"- {n}")
    lines.append(f"- load (1 min) before→after each pair: {', '.join(p.loads)}")
    return lines
