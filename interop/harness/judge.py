"""interop/judgments.yaml: the written verdict on every fail, warn and error that remains.

An entry covers one case for some implementations, modes (all when absent), revisions
and one outcome:

    - case: server/token/malformed-token-refused
      implementations: [ts-sdk-example-oauth]
      modes: [url, url+token]            # optional
      revisions: all                     # or a list
      outcome: fail                      # fail | warn | error
      verdict: true defect               # fail/warn: "true defect"; error: "environment"
      why: what the peer did             # one or two sentences, from the evidence
      spec:                              # true defect: the sentence that makes it one
        - source: MCP 2025-11-25 basic/authorization, Token Handling
          quote: Invalid or expired tokens MUST receive a HTTP 401 response.

A fail or warn needs a "true defect" entry with a spec quote; an error needs an
"environment" entry with its `why`. A result without one fails the interop run. An
entry's combination (implementation, mode or any mode, revision) that matches nothing
in this run is stale and is reported as a warning.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .plan import IMPLEMENTATIONS, MODES
from .suite import JUDGED, REVISIONS, Result

VERDICT_FOR = {"fail": "true defect", "warn": "true defect", "error": "environment"}


class JudgmentFileError(ValueError):
    """judgments.yaml is malformed; the message names the entry and the field."""


@dataclass
class Judgment:
    index: int
    case: str
    implementations: list[str]
    modes: list[str] | None
    revisions: list[str]
    outcome: str
    verdict: str
    why: str
    spec: list[dict[str, str]] = field(default_factory=list)

    def matches(self, r: Result) -> bool:
        return (
            r.case == self.case
            and r.outcome == self.outcome
            and r.implementation in self.implementations
            and (self.modes is None or r.mode in self.modes)
            and r.revision in self.revisions
        )

    @property
    def label(self) -> str:
        return f"judgment #{self.index} ({self.case}, {self.outcome})"


def plain(value):
    """YAML reads an unquoted 2025-11-25 as a date; revisions are strings here."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


def _list(entry: dict, key: str, where: str, allowed: list[str] | None = None, optional: bool = False) -> list[str] | None:
    value = plain(entry.get(key))
    if value is None and optional:
        return None
    if value == "all" and allowed is not None:
        return list(allowed)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise JudgmentFileError(f"{where}: `{key}` must be a non-empty list of strings" + (" or `all`" if allowed else ""))
    if allowed is not None:
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise JudgmentFileError(f"{where}: unknown {key} {unknown}; known: {', '.join(allowed)}")
    return value


def load(path: Path, implementations=None, modes=None) -> list[Judgment]:
    """The judgments of `path`; `implementations` and `modes` are what entries may name
    (default: the servers and authorization servers of plan.py; --clients passes the
    client ids and its one mode)."""
    implementations = list(implementations if implementations is not None else IMPLEMENTATIONS)
    modes = list(modes if modes is not None else MODES)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise JudgmentFileError(f"{path}: {e}") from e
    entries = (data or {}).get("judgments")
    if not isinstance(entries, list):
        raise JudgmentFileError(f"{path}: a top-level `judgments:` list is required")
    out = []
    for i, entry in enumerate(entries, 1):
        where = f"{path.name} entry #{i}"
        if not isinstance(entry, dict):
            raise JudgmentFileError(f"{where}: must be a mapping")
        unknown = set(entry) - {"case", "implementations", "modes", "revisions", "outcome", "verdict", "why", "spec"}
        if unknown:
            raise JudgmentFileError(f"{where}: unknown field(s) {sorted(unknown)}")
        case, outcome, verdict, why = (entry.get(k) for k in ("case", "outcome", "verdict", "why"))
        if not isinstance(case, str) or "/" not in case:
            raise JudgmentFileError(f"{where}: `case` must be a case id such as server/token/valid-token-accepted")
        if outcome not in JUDGED:
            raise JudgmentFileError(f"{where}: `outcome` must be one of {', '.join(JUDGED)}")
        if verdict != VERDICT_FOR[outcome]:
            raise JudgmentFileError(f"{where}: a judged {outcome} needs `verdict: {VERDICT_FOR[outcome]}`")
        if not isinstance(why, str) or not why.strip():
            raise JudgmentFileError(f"{where}: `why` (what the peer did, or what broke) is required")
        spec = entry.get("spec") or []
        if verdict == "true defect":
            if not isinstance(spec, list) or not spec or not all(
                isinstance(s, dict) and isinstance(s.get("source"), str) and isinstance(s.get("quote"), str) for s in spec
            ):
                raise JudgmentFileError(f"{where}: a true defect needs `spec:` entries with `source` and `quote`")
        out.append(Judgment(
            index=i,
            case=case,
            implementations=_list(entry, "implementations", where, implementations),
            modes=_list(entry, "modes", where, modes, optional=True),
            revisions=_list(entry, "revisions", where, REVISIONS),
            outcome=outcome,
            verdict=verdict,
            why=" ".join(why.split()),
            spec=[{"source": " ".join(s["source"].split()), "quote": " ".join(s["quote"].split())} for s in spec],
        ))
    return out


@dataclass
class Verdicts:
    judged: dict[int, Judgment]  # id(result) -> its judgment
    unjudged: list[Result]
    stale: list[str]

    def of(self, r: Result) -> Judgment | None:
        return self.judged.get(id(r))


def apply(judgments: list[Judgment], results: list[Result], ran: set[tuple[str, str]]) -> Verdicts:
    """Matches every fail/warn/error with its judgment (the first that matches) and finds
    the judged combinations that did not occur among the runs that ran."""
    judged, unjudged = {}, []
    for r in results:
        if r.outcome not in JUDGED:
            continue
        j = next((j for j in judgments if j.matches(r)), None)
        if j is None:
            unjudged.append(r)
        else:
            judged[id(r)] = j
    stale = []
    for j in judgments:
        for impl in j.implementations:
            modes = j.modes if j.modes is not None else [None]
            for mode in modes:
                if mode is None:
                    if not any(i == impl for i, _ in ran):
                        continue
                elif (impl, mode) not in ran:
                    continue
                for rev in j.revisions:
                    if not any(
                        j.matches(r) and r.implementation == impl and (mode is None or r.mode == mode) and r.revision == rev
                        for r in results
                    ):
                        stale.append(f"{j.label}: no {j.outcome} for {impl}" + (f" / {mode}" if mode else "") + f" [{rev}]")
    return Verdicts(judged, unjudged, stale)
