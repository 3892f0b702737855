"""interop/findings-map.yaml: each F-, S- and E- item of the interop measurement
(shared findings, "interop-servers") as the case results that show it, and the outcomes
that mean it is dealt with. Evaluated against this run for the table in
docs/interop/README.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from .judge import plain
from .plan import IMPLEMENTATIONS, MODES
from .suite import OUTCOMES, REVISIONS, Result


@dataclass
class Check:
    cases: list[str]
    implementations: list[str]
    modes: list[str] | None
    revisions: list[str]
    expect: list[str]

    def selects(self, r: Result) -> bool:
        return (r.case in self.cases and r.implementation in self.implementations
                and (self.modes is None or r.mode in self.modes) and r.revision in self.revisions)


@dataclass
class Item:
    id: str
    title: str
    note: str
    checks: list[Check]


def load(path: Path, implementations=None, modes=None) -> list[Item]:
    """`implementations` and `modes`: the ids a check may name (default: the server and
    AS matrix of plan.py; interop/findings-clients.yaml passes the clients')."""
    implementations = IMPLEMENTATIONS if implementations is None else implementations
    modes = MODES if modes is None else modes
    data = yaml.safe_load(path.read_text())
    items = []
    for entry in data["items"]:
        checks = []
        for c in entry.get("checks", []):
            revisions = REVISIONS if c.get("revisions", "all") == "all" else plain(c["revisions"])
            check = Check(
                cases=c["cases"] if isinstance(c["cases"], list) else [c["cases"]],
                implementations=c["implementations"],
                modes=c.get("modes"),
                revisions=revisions,
                expect=c["expect"],
            )
            for name, values, known in (("implementation", check.implementations, implementations),
                                        ("mode", check.modes or [], modes), ("revision", check.revisions, REVISIONS),
                                        ("outcome", check.expect, OUTCOMES)):
                bad = [v for v in values if v not in known]
                if bad:
                    raise ValueError(f"{path.name} {entry['id']}: unknown {name} {bad}")
            checks.append(check)
        items.append(Item(entry["id"], entry["title"], " ".join(entry.get("note", "").split()), checks))
    return items


def _now(results: list[Result], expect: list[str]) -> str:
    """How the selected results end now, in the words of the table: pass, unsupported,
    error (with the suite's hint), skip (with its reason) or still failing."""
    c = Counter(r.outcome for r in results)
    words = ", ".join(f"{o} ×{c[o]}" for o in sorted(c, key=lambda o: OUTCOMES.index(o) if o in OUTCOMES else 99))
    first = {o: next(r for r in results if r.outcome == o) for o in c}
    if set(c) <= {"pass"}:
        return f"pass ({words})"
    if set(c) <= {"unsupported"}:
        return f"unsupported ({words}): “{first['unsupported'].reason}”"
    if c.keys() & {"fail", "warn"} and not set(c) <= set(expect):
        return f"still failing ({words})"
    for outcome in ("error", "skip", "fail", "warn"):
        if outcome in c:
            return f"{words}: “{first[outcome].reason}”"
    return words


# The finding that stands for every case of a revision the server does not implement:
# those cases are not run, so a check that asks about one of them reads this finding.
REVISION_FINDING = "server/revision/implemented"


def _stand_ins(check: Check, results: list[Result]) -> list[Result]:
    """The unsupported-revision findings of the runs and revisions a check asks about,
    as results of the cases it names (which did not run there)."""
    out = []
    for r in results:
        if r.case != REVISION_FINDING or r.outcome != "unsupported":
            continue
        for case in check.cases:
            probe = Result(r.implementation, r.mode, r.revision, case, r.outcome, r.reason)
            if check.selects(probe) and not any(
                    x.case == case and x.implementation == r.implementation and x.mode == r.mode
                    and x.revision == r.revision for x in results):
                out.append(probe)
    return out


def evaluate(items: list[Item], results: list[Result]) -> list[dict]:
    """One row per item: what each check selects now and whether it is as expected."""
    rows = []
    for item in items:
        checks = []
        for check in item.checks:
            chosen = [r for r in results if check.selects(r)] + _stand_ins(check, results)
            selected = sorted(chosen, key=lambda r: (r.case, r.implementation, r.mode, r.revision))
            checks.append({
                "cases": check.cases,
                "implementations": check.implementations,
                "modes": check.modes,
                "revisions": check.revisions,
                "expect": check.expect,
                "now": _now(selected, check.expect) if selected else "not run",
                "counts": dict(sorted(Counter(r.outcome for r in selected).items())),
                "as_expected": bool(selected) and all(r.outcome in check.expect for r in selected),
            })
        rows.append({
            "id": item.id,
            "title": item.title,
            "note": item.note,
            "resolved": bool(checks) and all(c["as_expected"] for c in checks),
            "checks": checks,
        })
    return rows
