"""Where mcp-authspec and the official conformance suite disagree about the same client,
and the written judgment of who is right (interop/disagreements.yaml).

A case of ours is compared with the official scenario its `client.scenario:` names (the
case files under cases/client/), revision by revision where both ran it (mcp-authspec's
revision = the official `--spec-version`); with no revision in common, the worst outcome
of each side. `info` counts as `pass`. Every difference is one row per (case, client,
our outcome, their outcome), with the revisions it holds for.

Judgments are data, keyed like the rows:

    judgments:
      - id: D1-legacy-metadata         # unique; the findings' D-number first when it has one
        case: client/legacy/origin-metadata-first   # or a list of cases that share the judgment
        scenario: auth/2025-03-26-oauth-metadata-backcompat   # or a list
        clients: [py-sdk-client, rmcp-client]
        ours: fail                     # our outcome, as in the row
        theirs: pass                   # theirs
        right: theirs                  # ours | theirs | both | neither
        why: >                         # the reasoning, in a sentence or three
        spec: >                        # the spec sentence it rests on, quoted, with its section

A row without a judgment is "unjudged"; a judgment is "stale" for each of its (case,
client) pairs, with the client compared, that no row matches any more (the verdicts
changed: delete or re-key it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .suite import OUTCOMES, REVISIONS, Result

RIGHT = ("ours", "theirs", "both", "neither")
# Worst first: the outcome of a side that has no revision in common with the other.
_SEVERITY = ["error", "fail", "warn", "unsupported", "skip", "pass"]


class JudgmentFileError(ValueError):
    pass


@dataclass
class Judgment:
    id: str
    cases: list[str]
    scenarios: list[str]
    clients: list[str]
    ours: str
    theirs: str
    right: str
    why: str
    spec: str
    finding: str = ""

    def matches(self, row: "Row") -> bool:
        return (row.case in self.cases and row.scenario in self.scenarios and row.client in self.clients
                and (self.ours, self.theirs) == (row.ours, row.theirs))


def load(path: Path, clients) -> list[Judgment]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        raise JudgmentFileError(f"{path}: {e}") from e
    out, seen = [], set()
    for n, entry in enumerate(data.get("judgments") or []):
        try:
            j = Judgment(id=entry["id"], cases=_listed(entry["case"]), scenarios=_listed(entry["scenario"]),
                         clients=list(entry["clients"]), ours=entry["ours"], theirs=entry["theirs"],
                         right=entry["right"], why=" ".join(entry["why"].split()), spec=" ".join(entry["spec"].split()),
                         finding=str(entry.get("finding", "")))
        except (KeyError, TypeError, AttributeError) as e:
            raise JudgmentFileError(f"{path.name}: judgment {n + 1}: missing or malformed field {e}") from e
        problems = [f"right {j.right!r} (one of {', '.join(RIGHT)})"] if j.right not in RIGHT else []
        problems += [f"{side} {getattr(j, side)!r}" for side in ("ours", "theirs") if getattr(j, side) not in OUTCOMES]
        problems += [f"client {c!r}" for c in j.clients if c not in clients]
        problems += [f"duplicate id {j.id!r}"] if j.id in seen else []
        if problems:
            raise JudgmentFileError(f"{path.name}: judgment {j.id}: unknown {', '.join(problems)}")
        seen.add(j.id)
        out.append(j)
    return out


def _listed(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def case_scenarios(cases_dir: Path) -> dict[str, str]:
    """case id -> the official scenario its `client.scenario:` names (cases without one are
    absent: they have no official counterpart)."""
    out = {}
    for f in sorted(cases_dir.rglob("*.yaml")):
        doc = yaml.safe_load(f.read_text()) or {}
        scenario = (doc.get("client") or {}).get("scenario")
        if doc.get("id") and scenario:
            out[doc["id"]] = scenario
    return out


@dataclass
class Side:
    """One side's outcomes of one (case or scenario, client): revision -> (outcome, reason)."""

    by_revision: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Row:
    case: str
    scenario: str
    client: str
    ours: str
    theirs: str
    revisions: list[str]  # where this pair of outcomes holds; "a/b" when the sides share no revision
    our_reason: str
    their_reason: str
    judgment: Judgment | None = None


def _plain(outcome: str) -> str:
    return "pass" if outcome == "info" else outcome


def _worst(side: dict[str, tuple[str, str]]) -> tuple[str, str, list[str]]:
    ranked = sorted(side.items(), key=lambda kv: (_SEVERITY.index(kv[1][0]) if kv[1][0] in _SEVERITY else 0, kv[0]))
    outcome, reason = ranked[0][1]
    return outcome, reason, sorted(r for r, (o, _) in side.items() if o == outcome)


@dataclass
class Comparison:
    rows: list[Row]  # the disagreements
    agreements: int  # (case, client, revision) pairs with the same outcome
    compared_clients: list[str]
    stale: list[tuple[Judgment, str, str]]  # (judgment, case, client) that no row matched
    not_checked: list[Judgment]  # judgments none of whose clients was compared
    named: list[str] = field(default_factory=list)  # the official scenarios some case of ours names
    # Same non-pass outcome on both sides: an agreement, but not necessarily for the same
    # cause (both may be false), so the docs list them with both reasons.
    shared_non_pass: list[Row] = field(default_factory=list)

    @property
    def unjudged(self) -> list[Row]:
        return [r for r in self.rows if r.judgment is None]


def compare(ours: dict[str, list[Result]], theirs: dict[str, list], scenarios: dict[str, str],
            judgments: list[Judgment]) -> Comparison:
    """`ours`: client -> its mcp-authspec results; `theirs`: client -> official Verdicts.
    Only clients with both are compared."""
    rows: list[Row] = []
    shared: list[Row] = []
    agreements = 0
    compared = sorted(c for c in ours if c in theirs and ours[c] and theirs[c])
    for client in compared:
        official: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for v in theirs[client]:
            official[v.scenario][v.version] = (v.outcome, v.reason)
        mine: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for r in ours[client]:
            if r.case in scenarios:
                mine[r.case][r.revision] = (_plain(r.outcome), r.reason)
        for case in sorted(mine):
            scenario = scenarios[case]
            if scenario not in official:
                continue  # the official suite has no such scenario (or it was filtered out)
            a, b = mine[case], official[scenario]
            common = [rev for rev in REVISIONS if rev in a and rev in b]
            groups: dict[tuple[str, str], list[str]] = defaultdict(list)
            reasons: dict[tuple[str, str], tuple[str, str]] = {}
            if common:
                for rev in common:
                    pair = (a[rev][0], b[rev][0])
                    if pair[0] == pair[1]:
                        agreements += 1
                        if pair[0] != "pass":
                            shared.append(Row(case, scenario, client, *pair, [rev], a[rev][1], b[rev][1]))
                        continue
                    groups[pair].append(rev)
                    reasons.setdefault(pair, (a[rev][1], b[rev][1]))
            else:
                oa, ra, revs_a = _worst(a)
                ob, rb, revs_b = _worst(b)
                if oa == ob:
                    agreements += 1
                else:
                    groups[(oa, ob)].append(f"{' '.join(revs_a)} / {' '.join(revs_b)}")
                    reasons[(oa, ob)] = (ra, rb)
            for (oa, ob), revs in sorted(groups.items()):
                rows.append(Row(case, scenario, client, oa, ob, revs, *reasons[(oa, ob)]))
    for row in rows:
        row.judgment = next((j for j in judgments if j.matches(row)), None)
    stale, not_checked = [], []
    for j in judgments:
        checked = [c for c in j.clients if c in compared]
        if not checked:
            not_checked.append(j)
        stale += [(j, case, c) for case in j.cases for c in checked
                  if not any(j.matches(r) for r in rows if r.client == c and r.case == case)]
    return Comparison(rows, agreements, compared, stale, not_checked, sorted(set(scenarios.values())), shared)


def ours_from_runs(runs) -> dict[str, list[Result]]:
    """client -> results, from the ClientRuns of this `--clients` run."""
    return {row.client: list(row.rec.results) for row in runs if row.rec is not None and not row.rec.harness_error}


def ours_from_clients_json(data: dict) -> dict[str, list[Result]]:
    """client -> results, from docs/interop/clients.json (the latest `--clients` run); its
    per-revision `results` map has every case, `non_pass` the reasons."""
    out: dict[str, list[Result]] = {}
    for entry in data.get("clients", []):
        revisions = entry.get("revisions") or {}
        if entry.get("not_run") or entry.get("harness_error") or not revisions:
            continue
        results = []
        for rev, block in revisions.items():
            if "results" not in block:
                raise JudgmentFileError("clients.json has no per-case `results` (written before --official existed): "
                                        "run `scripts/interop --clients` once without --official-only")
            reasons = {n["case"]: n["reason"] for n in block.get("non_pass", [])}
            results += [Result(entry["client"], "client", rev, case, outcome, reasons.get(case, ""))
                        for case, outcome in block["results"].items()]
        out[entry["client"]] = results
    return out
