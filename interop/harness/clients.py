"""`scripts/interop --clients`: real MCP clients through `mcp-authspec client --revision all`.

Measurement only: no judgment gate yet (the suite's client verdicts are being fixed);
the output is docs/interop/clients.md and clients.json, with the F-/S-/E- items of the
interop measurement of clients (shared findings "interop-clients") read from
interop/findings-clients.yaml.

Every client is launched by the suite the way the official conformance suite launches
clients: the mock MCP server's URL as the last argument, MCP_CONFORMANCE_SCENARIO,
MCP_CONFORMANCE_PROTOCOL_VERSION and MCP_CONFORMANCE_CONTEXT in the environment. What is
ours is only the glue an application or a user supplies (interop/clients/): the TS
example's keyboard and browser, a Python app and an rmcp app on the SDKs' OAuth
providers. The official everything-client runs unchanged from a checkout the user names.

Loopback only: the mocks bind 127.0.0.1; Node clients get interop/node/loopback.cjs
preloaded (the TS example's callback server would otherwise listen on every
interface); the Python and rmcp apps listen on nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .install import NPM_PACKAGES, PIP_PACKAGES, Installed
from .procs import run_bounded
from .suite import RunRecord, command_line, run_suite, shell_join

MODE = "client"
RMCP_BUILD_TIMEOUT = 1800  # seconds; the findings saw 6.5 min on a loaded 2-core machine
EVERYTHING_SCRIPT = "examples/clients/typescript/everything-client.ts"
EVERYTHING_PIN = "c321dd3"  # the commit of the findings; README says how to check it out
TS_CLIENT = "@modelcontextprotocol/sdk/dist/esm/examples/client/simpleOAuthClient.js"


@dataclass(frozen=True)
class Client:
    title: str
    built_from: str
    # Cases at once. The TS example's callback port is fixed (8090): one at a time. The
    # Python interpreter's start-up dominates its runs; more than 2 at once on a small
    # machine pushed runs past the 30 s case limit (findings E2).
    jobs: int
    # The authorization extensions (`mcp-authspec list --extensions`) the client implements:
    # `--extension` of its `mcp-authspec client` run. client-credentials (SEP-1046): the
    # scenarios auth/client-credentials-jwt and -basic; enterprise-managed-authorization
    # (SEP-990): auth/enterprise-managed-authorization; workload-identity-federation
    # (SEP-1933): auth/wif-jwt-bearer, which only the everything-client handles (neither
    # the Python SDK nor rmcp 3.11.0 has a JWT bearer grant for a JWT the app holds); dpop
    # (SEP-1932): auth/dpop and auth/dpop-nonce, the everything-client's only. The TS
    # example has none of these modes.
    extensions: tuple[str, ...] = ()


CLIENTS = {
    "ts-sdk-example-client": Client("TS SDK example client `simpleOAuthClient.js`, driven by interop/clients/drive_ts_example.py",
                                    f"npm @modelcontextprotocol/sdk {NPM_PACKAGES['@modelcontextprotocol/sdk']}", 1),
    "py-sdk-client": Client("Python SDK app on `OAuthClientProvider` (interop/clients/py_client.py)",
                            f"pip mcp {PIP_PACKAGES['mcp']}", 2,
                            ("client-credentials", "enterprise-managed-authorization")),
    "rmcp-client": Client("rmcp app on `rmcp::transport::auth` (interop/clients/rmcp/)", "crate rmcp (Cargo.lock)", 4,
                          ("client-credentials", "enterprise-managed-authorization")),
    "everything-client": Client("official conformance everything-client, unchanged (`--everything-client DIR`)",
                                "a checkout of modelcontextprotocol/conformance", 4,
                                ("client-credentials", "enterprise-managed-authorization",
                                 "workload-identity-federation", "dpop")),
}


@dataclass
class ClientRun:
    """One client's row: its suite run, or why it did not run."""

    client: str
    rec: RunRecord | None = None
    not_run: str | None = None
    version: str = ""
    timed_out: list[str] = field(default_factory=list)  # "case [revision]" stopped at the case time limit


@dataclass
class ClientCtx:
    root: Path
    inst: Installed
    bin: Path
    reports: Path
    run_timeout: float
    case_timeout: int
    everything: Path | None
    say: object
    only: list[str]

    def wants(self, client: str) -> bool:
        return not self.only or any(o in f"{client}/{MODE}" for o in self.only)


# On top of suite.normalise (kept as it is, so the server docs do not change): what client
# runs add to reasons. Registered client ids are lowercase hex; ports also appear
# percent-encoded inside recorded URLs (`resource=http%3A%2F%2F127.0.0.1%3A35149`); the
# length note of a cut reason follows the ports' digits; a client that loops until the
# case time limit makes a different number of requests every run.
_CLIENT_NORMALISE = [
    (re.compile(r"(?<![0-9a-f])[0-9a-f]{16,}(?![0-9a-f])"), "<hex>"),
    (re.compile(r"(127\.0\.0\.1|localhost)%3A\d{2,5}\b"), r"\1%3APORT"),
    (re.compile(r"\(\d+ characters"), "(<n> characters"),
    (re.compile(r"\bgot \d{3,}\b"), "got <100 or more>"),
]


def client_normalise(text: str) -> str:
    for pattern, repl in _CLIENT_NORMALISE:
        text = pattern.sub(repl, text)
    return text


def _rmcp_version(root: Path) -> str:
    lock = (root / "interop/clients/rmcp/Cargo.lock").read_text()
    m = re.search(r'name = "rmcp"\nversion = "([^"]+)"', lock)
    return f"crate rmcp {m.group(1)}" if m else "crate rmcp (unknown)"


def build_rmcp(ctx: ClientCtx) -> Path:
    """`cargo build --release --locked` of interop/clients/rmcp into the scratch folder's own
    target dir (cached by cargo itself); raises RuntimeError with the log's tail."""
    if shutil.which("cargo") is None:
        raise RuntimeError("not run: `cargo` is not on PATH (needed to build interop/clients/rmcp)")
    target = ctx.inst.scratch / "clients" / "rmcp-target"
    log = ctx.inst.scratch / "clients" / "rmcp-build.log"
    manifest = ctx.root / "interop/clients/rmcp/Cargo.toml"
    ctx.say(f"cargo build --release of {manifest.parent} (first time: minutes; log {log})")
    code, seconds = run_bounded(["cargo", "build", "--release", "--locked", "--manifest-path", str(manifest),
                                 "--target-dir", str(target)], timeout=RMCP_BUILD_TIMEOUT, log=log)
    binary = target / "release" / "mcp-authspec-interop-rmcp-client"
    if code != 0 or not binary.exists():
        tail = log.read_text(errors="replace").strip().splitlines()[-6:]
        why = f"timed out after {RMCP_BUILD_TIMEOUT} s" if code is None else f"exited {code}"
        raise RuntimeError(f"not run: the rmcp build {why} (log {log}): " + " / ".join(tail))
    ctx.say(f"  built in {seconds:.0f} s")
    return binary


def everything_command(ctx: ClientCtx) -> tuple[str, str]:
    """The everything-client's command line (tsx from the checkout's own node_modules) and
    its version line; RuntimeError("not run: …") if the checkout is missing or unprepared."""
    if ctx.everything is None:
        raise RuntimeError(f"not run: no `--everything-client DIR` (a checkout of modelcontextprotocol/conformance at "
                           f"{EVERYTHING_PIN} with `npm ci` run in it; see interop/README.md)")
    d = ctx.everything.resolve()
    script, tsx = d / EVERYTHING_SCRIPT, d / "node_modules/.bin/tsx"
    for need in (script, tsx):
        if not need.exists():
            raise RuntimeError(f"not run: {need} is missing (is {d} a conformance checkout with `npm ci` run in it?)")
    commit = "no git metadata"
    if (d / ".git").exists():
        done = subprocess.run(["git", "-C", str(d), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True, timeout=10, check=False)
        commit = done.stdout.strip() or commit
    try:
        sdk = json.loads((d / "node_modules/@modelcontextprotocol/sdk/package.json").read_text())["version"]
        pkg = json.loads((d / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        sdk, pkg = "?", "?"
    preload = shell_join(["--require", str(ctx.root / "interop/node/loopback.cjs")])
    cmd = f"NODE_OPTIONS={shell_join([preload])} {shell_join([str(tsx), str(script)])}"
    return cmd, f"conformance {pkg} (checkout: {commit}), its @modelcontextprotocol/sdk {sdk}"


def command_for(ctx: ClientCtx, client: str) -> tuple[str, str]:
    """(command line, version) of a client; RuntimeError("not run: …") when it cannot run."""
    py = str(ctx.inst.venv_python)
    if client == "ts-sdk-example-client":
        js = ctx.inst.node_modules / TS_CLIENT
        if not js.is_file():
            raise RuntimeError(f"not run: {js} is missing (the pinned SDK changed?)")
        return (shell_join([py, str(ctx.root / "interop/clients/drive_ts_example.py"), "--client", str(js),
                            "--preload", str(ctx.root / "interop/node/loopback.cjs")]), CLIENTS[client].built_from)
    if client == "py-sdk-client":
        return shell_join([py, str(ctx.root / "interop/clients/py_client.py")]), CLIENTS[client].built_from
    if client == "rmcp-client":
        return shell_join([str(build_rmcp(ctx))]), _rmcp_version(ctx.root)
    if client == "everything-client":
        return everything_command(ctx)
    raise KeyError(client)


def _timed_out(report: Path) -> list[str]:
    """Cases whose client the suite stopped at the case time limit: the verdict may still
    be a pass (findings E2), so the docs list them."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return []
    return sorted(f"{c.get('id')} [{c.get('revision')}]" for c in data.get("cases", [])
                  if "time limit" in ((c.get("process") or {}).get("ended") or ""))


def run_clients(ctx: ClientCtx) -> list[ClientRun]:
    runs = []
    for client, spec in CLIENTS.items():
        if not ctx.wants(client):
            continue
        row = ClientRun(client)
        runs.append(row)
        try:
            command, row.version = command_for(ctx, client)
        except RuntimeError as e:
            row.not_run = str(e)
            ctx.say(f"! {client}: {e}")
            continue
        out = ctx.reports / "clients" / client
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        target = ["--command", command, "--jobs", str(spec.jobs), "--case-timeout", str(ctx.case_timeout)]
        if spec.extensions:
            target += ["--extension", ",".join(spec.extensions)]
        row.rec = RunRecord(client, MODE, "client", command_line(ctx.bin, "client", target, out))
        ctx.say(f"run {client} (--jobs {spec.jobs})")
        run_suite(row.rec, out, ctx.run_timeout)
        for r in row.rec.results:
            r.reason = client_normalise(r.reason)
        row.timed_out = _timed_out(out / "report.json")
        rec = row.rec
        ctx.say(f"  exit {rec.exit_code}, {len(rec.results)} results, {rec.seconds:.1f} s"
                + (f" — {rec.harness_error or rec.report_error}" if rec.harness_error or rec.report_error else ""))
    return runs
