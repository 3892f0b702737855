"""docs/interop/matrix.json and docs/interop/README.md, generated from one interop run.

Deterministic: runs, revisions and cases are sorted, reasons have ports, UUIDs and
random strings replaced (suite.normalise); the only time in either file is one
"generated at" line."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from .install import TS_EXAMPLE, TS_EXAMPLE_DIR, TS_EXAMPLE_PATCHED, TS_PATCH
from .judge import Judgment, Verdicts
from .plan import IMPLEMENTATIONS, MODES
from .suite import JUDGED, OUTCOMES, REVISIONS, RunRecord

ABBREV = "P/F/W/I/S/U/E"  # pass fail warn info skip unsupported error


def _order(rec: RunRecord):
    return (rec.probe, rec.role != "server", list(IMPLEMENTATIONS).index(rec.implementation), MODES.index(rec.mode))


def _counts(results) -> dict[str, int]:
    c = {o: 0 for o in OUTCOMES}
    for r in results:
        c[r.outcome] = c.get(r.outcome, 0) + 1
    return c


def _run_json(rec: RunRecord, verdicts: Verdicts) -> dict:
    revisions = {}
    for rev in REVISIONS:
        results = [r for r in rec.results if r.revision == rev]
        if not results:
            continue
        non_pass = []
        for r in results:
            if r.outcome == "pass":
                continue
            entry = {"case": r.case, "outcome": r.outcome, "reason": r.reason}
            if r.outcome in JUDGED:
                j = verdicts.of(r)
                entry["judgment"] = f"#{j.index} {j.verdict}" if j else None
            non_pass.append(entry)
        revisions[rev] = {"counts": _counts(results), "non_pass": non_pass}
    return {
        "implementation": rec.implementation,
        "mode": rec.mode,
        "role": rec.role,
        "probe": rec.probe,
        "exit_code": rec.exit_code,
        "report_error": rec.report_error,
        "harness_error": rec.harness_error,
        "revisions": revisions,
    }


def matrix_json(records, verdicts, judgments, items, versions, generated_at) -> dict:
    runs = sorted(records, key=_order)
    return {
        "generated_at": generated_at,
        "generator": "scripts/interop",
        "versions": versions,
        "outcomes": OUTCOMES,
        "runs": [_run_json(r, verdicts) for r in runs],
        "unjudged": [{"implementation": r.implementation, "mode": r.mode, "revision": r.revision, "case": r.case,
                      "outcome": r.outcome, "reason": r.reason} for r in verdicts.unjudged],
        "stale_judgments": verdicts.stale,
        "judgments": [{"id": j.index, "case": j.case, "implementations": j.implementations, "modes": j.modes,
                       "revisions": j.revisions, "outcome": j.outcome, "verdict": j.verdict, "why": j.why,
                       "spec": j.spec} for j in judgments],
        "findings": items,
    }


def _cell(rec: RunRecord, rev: str) -> str:
    results = [r for r in rec.results if r.revision == rev]
    if not results:
        return "—"
    c = _counts(results)
    return "/".join(str(c[o]) for o in ["pass", "fail", "warn", "info", "skip", "unsupported", "error"])


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def versions_table(versions: dict) -> list[str]:
    """The "component | version" table every generated page opens with."""
    return ["| component | version |", "|---|---|", *[f"| {k} | {_md(v)} |" for k, v in versions.items()]]


def write_json(path: Path, data) -> None:
    """A generated JSON file: sorted keys, two-space indent, UTF-8 as is, one newline."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _title(impl: str) -> str:
    return IMPLEMENTATIONS[impl][0]


def _revs(revs: list[str]) -> str:
    return "all" if sorted(revs) == REVISIONS else ", ".join(sorted(revs))


def _details(rec: RunRecord, verdicts: Verdicts) -> list[str]:
    """One line per (case, outcome, judgment) with its revisions; unjudged ones also split
    by reason."""
    if rec.harness_error:
        return [f"- **run did not complete**: {_md(rec.harness_error)}"]
    groups: dict[tuple, list] = defaultdict(list)
    for r in rec.results:
        if r.outcome in JUDGED:
            j = verdicts.of(r)
            groups[(r.case, r.outcome, j.index if j else 0, "" if j else r.reason)].append(r)
    lines = [f"- report error: {_md(rec.report_error)}"] if rec.report_error else []
    for (case, outcome, jid, reason), rs in sorted(groups.items()):
        revs = _revs([r.revision for r in rs])
        if jid:
            j = verdicts.of(rs[0])
            tail = f"[J{jid}](#j{jid}) {j.verdict} ({_md(j.spec[0]['source']) if j.spec else 'environment'})"
        else:
            tail = f"**unjudged**: “{_md(reason)}”"
        lines.append(f"- `{outcome}` `{case}` [{revs}] — {tail}")
    return lines or ["- no fail, warn or error"]


def readme(records, verdicts: Verdicts, judgments: list[Judgment], items, versions, generated_at) -> str:
    runs = sorted(records, key=_order)
    main = [r for r in runs if not r.probe]
    probes = [r for r in runs if r.probe]
    out = [
        "# Interop: mcp-authspec against real implementations",
        "",
        "Generated by `scripts/interop` from one run; do not edit by hand (run `scripts/interop`",
        "again). `interop/judgments.yaml` holds the judgments, `interop/findings-map.yaml` the",
        "findings items, `docs/interop/matrix.json` the same data for machines.",
        "",
        f"Generated at {generated_at}.",
        "",
        *versions_table(versions),
        "",
        "## How to run",
        "",
        "```sh",
        "scripts/interop                    # install (cached), run everything, write docs/interop/",
        "scripts/interop --only ts-sdk      # a subset (docs are then not rewritten)",
        "scripts/interop --help",
        "```",
        "",
        "Installs go to `scratch/interop/` under the repository root (`--scratch DIR` or",
        "`MCP_AUTHSPEC_INTEROP_DIR`), reports to `<scratch>/reports/<implementation>/<mode>/`.",
        "The binary is `target/release/mcp-authspec` (`--bin`, `MCP_AUTHSPEC_BIN`), copied into",
        "the scratch folder for the run. Node.js 20+, npm and Python 3.11 are needed; the",
        "network only for npm and pip on the first run.",
        "",
        "Every peer listens on 127.0.0.1 only. Exit code 0: every fail, warn and error has a",
        "judgment; 1: some have none (listed); 2: bad usage or judgments file; 3: a peer, an",
        "install or a run broke.",
        "",
        "## Peers",
        "",
        "| implementation | what | package |",
        "|---|---|---|",
        *[f"| `{impl}` | {_md(title)} | {pkg} |" for impl, (title, pkg) in IMPLEMENTATIONS.items()],
        "",
        "Tokens for `url+token`: TS example ← its demo AS; Python RS ← oidc-provider (opaque",
        "tokens for introspection, JWTs for JWKS); Python AS+RS ← its own AS routes. Under",
        "`command` both TS example modes and both Python RS modes trust the suite's IdP",
        "(introspection at `{introspection_endpoint}` for the TS example and the introspection",
        "RS, `{jwks_uri}` for the JWT RS). The strict demo AS is run with",
        "`interop/as/ts-demo-strict.toml` (the one resource it accepts).",
        "",
        "## Matrix",
        "",
        f"Cells are {ABBREV} = pass / fail / warn / info / skip / unsupported / error for the",
        "revision; `exit` is mcp-authspec's exit code. Modes: `url` a running server without a",
        "token; `url+token` with a real token from the server's own authorization server (DCR,",
        "PKCE S256, `resource`, code exchange); `command` started by the suite and trusting its",
        "IdP; `as` `mcp-authspec authorization-server --revision all`. A revision a server",
        "does not implement is one `unsupported` finding (`server/revision/implemented`) and",
        "its cases are not run: hence the 0/…/1/0 cells.",
        "",
        "| implementation | mode | " + " | ".join(REVISIONS) + " | exit |",
        "|---|---|" + "---|" * len(REVISIONS) + "---|",
    ]
    for rec in main:
        cells = " | ".join(_cell(rec, rev) for rev in REVISIONS)
        exit_code = "—" if rec.exit_code is None else str(rec.exit_code)
        out.append(f"| `{rec.implementation}` | `{rec.mode}` | {cells} | {exit_code} |")
    judged = [r for rec in main for r in rec.results if r.outcome in JUDGED]
    defects = sum(1 for r in judged if verdicts.of(r) and verdicts.of(r).verdict == "true defect")
    env = sum(1 for r in judged if verdicts.of(r) and verdicts.of(r).verdict == "environment")
    broken = [rec.key for rec in main if rec.harness_error]
    out += ["", f"Gate: {len(judged)} fail/warn/error results; {defects} judged true defects, {env} judged "
            f"environment, **{len(verdicts.unjudged)} unjudged** (suite problems to fix, listed under Open), "
            f"{len(verdicts.stale)} stale judgments" + (f"; runs that broke: {', '.join(broken)}" if broken else "") + "."]
    out += ["", "## Fails, warnings and errors, with their judgments", ""]
    for rec in main:
        out += [f"### `{rec.implementation}` / `{rec.mode}`", "", f"{_title(rec.implementation)}.", "", *_details(rec, verdicts), ""]
    out += _findings_section(items)
    out += ["## Probes", "",
            "Configurations the findings used to expose a suite problem; they feed the table above",
            "and are not gated by judgments.", "",
            "| implementation | mode | " + " | ".join(REVISIONS) + " | exit |",
            "|---|---|" + "---|" * len(REVISIONS) + "---|"]
    for rec in probes:
        cells = " | ".join(_cell(rec, rev) for rev in REVISIONS)
        out.append(f"| `{rec.implementation}` | `{rec.mode}` | {cells} | {'—' if rec.exit_code is None else rec.exit_code} |")
    out.append("")
    for rec in probes:
        out += [f"### probe `{rec.implementation}` / `{rec.mode}`", "", *_details(rec, verdicts), ""]
    out += _judgments_section(judgments)
    out += _patch_section()
    if verdicts.unjudged or verdicts.stale:
        out += ["## Open", ""]
        out += [f"- unjudged `{r.outcome}` `{r.case}` {r.implementation} / {r.mode} [{r.revision}]: {_md(r.reason)}" for r in verdicts.unjudged]
        out += [f"- stale: {_md(s)}" for s in verdicts.stale]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _findings_section(items) -> list[str]:
    out = ["## Findings items", "",
           "Every F- (false failure), S- (hiding skip) and E- (environment) item of the interop",
           "measurement, by the case results that showed it: how it ends now, and whether that",
           "is the outcome that means it is dealt with.", "",
           "| item | case(s) | where | revisions | now | wanted | done |", "|---|---|---|---|---|---|---|"]
    for item in items:
        if not item["checks"]:
            out.append(f"| {item['id']} {_md(item['title'])} | — | — | — | {_md(item['note'])} | — | n/a |")
        for c in item["checks"]:
            where = ", ".join(f"`{i}`" for i in c["implementations"]) + (" / " + ", ".join(c["modes"]) if c["modes"] else "")
            out.append(
                f"| {item['id']} {_md(item['title'])} | " + "<br>".join(f"`{x}`" for x in c["cases"]) +
                f" | {where} | {_revs(c['revisions'])} | {_md(c['now'])} | {' or '.join(c['expect'])} | "
                f"{'yes' if c['as_expected'] else '**no**'} |")
    notes = [i for i in items if i["note"] and i["checks"]]
    if notes:
        out += [""] + [f"- {i['id']}: {_md(i['note'])}" for i in notes]
    return out + [""]


def _judgments_section(judgments: list[Judgment]) -> list[str]:
    out = ["## Judgments", "", "From `interop/judgments.yaml`.", ""]
    for j in judgments:
        modes = f" / {', '.join(j.modes)}" if j.modes else ""
        out += [f"<a id=\"j{j.index}\"></a>**J{j.index}** `{j.outcome}` `{j.case}` — "
                f"{', '.join(f'`{i}`' for i in j.implementations)}{modes} [{_revs(j.revisions)}] — **{j.verdict}**", "",
                f"{_md(j.why)}", ""]
        for s in j.spec:
            out += [f"> {_md(s['quote'])}", f"> — {_md(s['source'])}", ""]
    return out


def _patch_section() -> list[str]:
    out = ["## What the harness changes in the TS SDK example", "",
           f"For `--command` only, `scripts/interop` writes `{TS_EXAMPLE_PATCHED}` beside the installed",
           f"`node_modules/{TS_EXAMPLE_DIR}/{TS_EXAMPLE}` (in the scratch folder; nothing of it is",
           "in this repository). Three lines differ, so that the example listens on `MCP_AUTHSPEC_PORT`,",
           "names `MCP_AUTHSPEC_RESOURCE` as its resource and, instead of starting its demo AS, takes the",
           "suite IdP's RFC 8414 metadata with `MCP_AUTHSPEC_INTROSPECTION_ENDPOINT` as the introspection",
           "endpoint its own verifier calls. Verifier, middleware, routes and tools are unchanged. The",
           "`--url` runs use the original file.", ""]
    for old, new in TS_PATCH:
        out += ["```diff", f"- {old.strip()}", f"+ {new.strip()}", "```", ""]
    out += ["Every Node peer is started as `node -r interop/node/loopback.cjs …`, which binds each",
            "listening socket to 127.0.0.1 (the example calls `app.listen(port)`, all interfaces).", ""]
    return out


def write(docs: Path, records, verdicts, judgments, items, versions, generated_at) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    data = matrix_json(records, verdicts, judgments, items, versions, generated_at)
    write_json(docs / "matrix.json", data)
    from .render_official import carried  # here: render_official imports this module

    target = docs / "README.md"
    kept = carried(target.read_text()) if target.exists() else None  # the official suite's section (--clients)
    text = readme(records, verdicts, judgments, items, versions, generated_at)
    target.write_text(text + ("\n" + kept if kept else ""))
