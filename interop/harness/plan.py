"""The matrix: which peers are started, and which suite runs each of them gets.

A run is named by (implementation, mode). Server modes: `url` (a running server, no
token), `url+token` (the same with a real token from that server's own authorization
server, obtained by harness/oauth.py), `command` (started by the suite, trusting the
suite's IdP, so that every token case runs). Authorization servers: mode `as`.
Probes are the configurations the findings used to expose a suite problem (a login
page, a resource the AS refuses, …): they feed the findings table, not the gate.
Every peer listens on 127.0.0.1 only; Node peers through interop/node/loopback.cjs.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import oauth
from .install import InstallError, Installed
from .procs import PeerError, Procs, free_port
from .suite import RunRecord, command_line, run_suite, shell_join

SCOPE = "mcp:tools"
RS_CLIENT_SECRET = "interop-rs-secret"  # the RS's introspection credentials at oidc-provider

# implementation id -> (title, what it is built from)
IMPLEMENTATIONS = {
    "ts-sdk-example-oauth": ("TS SDK example server `simpleStreamableHttp.js --oauth`", "@modelcontextprotocol/sdk"),
    "ts-sdk-example-oauth-strict": ("TS SDK example server `--oauth --oauth-strict`", "@modelcontextprotocol/sdk"),
    "py-sdk-rs-introspection": ("Python SDK resource server, RFC 7662 introspection (interop/python/rs.py)", "mcp"),
    "py-sdk-rs-jwt": ("Python SDK resource server, JWT + JWKS (interop/python/rs.py)", "mcp"),
    "py-sdk-as-rs": ("Python SDK AS routes + resource server in one process (interop/python/as_rs.py)", "mcp"),
    "ts-sdk-demo-as": ("TS SDK demo authorization server (started by the example, `--oauth`)", "@modelcontextprotocol/sdk"),
    "ts-sdk-demo-as-strict": ("TS SDK demo authorization server, `--oauth-strict`", "@modelcontextprotocol/sdk"),
    "py-sdk-as": ("Python SDK authorization server routes (interop/python/as_rs.py)", "mcp"),
    "oidc-provider-opaque": ("oidc-provider, opaque access tokens (interop/oidc/provider.mjs)", "oidc-provider"),
    "oidc-provider-jwt": ("oidc-provider, JWT access tokens (interop/oidc/provider.mjs)", "oidc-provider"),
    "oidc-provider-stock-pages": ("oidc-provider with its stock login/consent pages (probe)", "oidc-provider"),
    "py-sdk-rs-root-resource": ("Python SDK RS with resource = origin, PRM at the root (probe)", "mcp"),
}
# Every run, in the order the groups below make them.
RUNS = [
    ("ts-sdk-example-oauth", "url"), ("ts-sdk-example-oauth", "url+token"), ("ts-sdk-example-oauth", "command"),
    ("ts-sdk-demo-as", "as"), ("ts-sdk-demo-as", "as-issuer-without-slash"),
    ("ts-sdk-example-oauth-strict", "url"), ("ts-sdk-example-oauth-strict", "url+token"),
    ("ts-sdk-example-oauth-strict", "command"), ("ts-sdk-demo-as-strict", "as"), ("ts-sdk-demo-as-strict", "as-default-resource"),
    ("py-sdk-rs-introspection", "url"), ("py-sdk-rs-introspection", "url+token"),
    ("py-sdk-rs-root-resource", "url"), ("py-sdk-rs-root-resource", "url-lenient"),
    ("oidc-provider-opaque", "as"), ("py-sdk-rs-introspection", "command"),
    ("py-sdk-rs-jwt", "url"), ("py-sdk-rs-jwt", "url+token"), ("oidc-provider-jwt", "as"), ("py-sdk-rs-jwt", "command"),
    ("py-sdk-as-rs", "url"), ("py-sdk-as-rs", "url+token"), ("py-sdk-as", "as"),
    ("oidc-provider-stock-pages", "as"),
]
MODES = ["url", "url+token", "command", "as", "url-lenient", "as-default-resource", "as-issuer-without-slash"]


@dataclass
class Ctx:
    root: Path
    inst: Installed
    procs: Procs
    bin: Path
    reports: Path
    start_timeout: float
    run_timeout: float
    say: Callable[[str], None]
    only: list[str] = field(default_factory=list)  # substrings of "impl/mode"; empty: all
    records: list[RunRecord] = field(default_factory=list)

    # --- selection -------------------------------------------------------------------
    def wants(self, impl: str, *modes: str) -> bool:
        return any(not self.only or any(o in f"{impl}/{m}" for o in self.only) for m in modes)

    def _recorded(self, impl: str, mode: str) -> bool:
        return any(r.implementation == impl and r.mode == mode for r in self.records)

    @contextlib.contextmanager
    def stage(self, impl_modes: list[tuple[str, str]]):
        """Stops whatever the block started; a peer or token failure becomes a harness
        error of each run of the block that had not run yet."""
        mark = len(self.procs.started)
        try:
            yield
        except (PeerError, oauth.OAuthError, InstallError) as e:
            for impl, mode in impl_modes:
                if self.wants(impl, mode) and not self._recorded(impl, mode):
                    self.records.append(RunRecord(impl, mode, "?", [], probe=is_probe(impl, mode), harness_error=str(e)))
            self.say(f"! {e}")
        finally:
            for proc in self.procs.started[mark:]:
                proc.stop()

    # --- peers -----------------------------------------------------------------------
    def node(self, name: str, args: list[str], ports: list[int], env: dict | None = None):
        cmd = ["node", "-r", str(self.root / "interop/node/loopback.cjs"), *args]
        return self.procs.start_listening(name, cmd, ports, self.start_timeout, env=env)

    def python(self, name: str, script: str, args: list[str], ports: list[int]):
        cmd = [str(self.inst.venv_python), str(self.root / "interop/python" / script), *args]
        return self.procs.start_listening(name, cmd, ports, self.start_timeout)

    def ts_example(self, strict: bool):
        """The TS example with its demo AS; returns (MCP URL, AS issuer, MCP port)."""
        mcp_port, as_port = free_port(), free_port()
        flags = ["--oauth", "--oauth-strict"] if strict else ["--oauth"]
        self.node("ts-example" + ("-strict" if strict else ""), [str(self.inst.ts_example), *flags],
                  [mcp_port, as_port], env={"MCP_PORT": str(mcp_port), "MCP_AUTH_PORT": str(as_port)})
        # The example names both by `localhost` and its issuer with a trailing slash.
        return f"http://localhost:{mcp_port}/mcp", f"http://localhost:{as_port}/", mcp_port

    def oidc(self, tokens: str, dev_pages: bool = False) -> str:
        port = free_port()
        args = [str(self.root / "interop/oidc/provider.mjs"), "--node-modules", str(self.inst.node_modules),
                "--port", str(port), "--tokens", tokens] + (["--dev-interactions"] if dev_pages else [])
        self.node(f"oidc-provider-{tokens}" + ("-stock-pages" if dev_pages else ""), args, [port],
                  env={"INTEROP_RS_CLIENT_SECRET": RS_CLIENT_SECRET})
        return f"http://127.0.0.1:{port}"

    def token(self, issuer: str, resource: str) -> str:
        self.say(f"token from {issuer} for {resource}")
        return oauth.obtain_token(issuer, resource, SCOPE)

    # --- suite runs ------------------------------------------------------------------
    def _run(self, impl: str, mode: str, role: str, target: list[str]) -> None:
        assert (impl, mode) in RUNS, f"{impl}/{mode} is missing from RUNS"
        if not self.wants(impl, mode):
            return
        out = self.reports / impl / mode
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        rec = RunRecord(impl, mode, role, command_line(self.bin, role, target, out), probe=is_probe(impl, mode))
        self.say(f"run {impl} / {mode}")
        run_suite(rec, out, self.run_timeout)
        self.records.append(rec)
        self.say(f"  exit {rec.exit_code}, {len(rec.results)} results, {rec.seconds:.1f} s"
                 + (f" — {rec.harness_error or rec.report_error}" if rec.harness_error or rec.report_error else ""))

    def server(self, impl: str, mode: str, *, url: str | None = None, token: str | None = None,
               command: str | None = None, profile: str | None = None) -> None:
        if command:
            target = ["--command", command, "--startup-timeout", str(int(self.start_timeout))]
        else:
            target = ["--url", url] + (["--token", token] if token else [])
        self._run(impl, mode, "server", target + (["--profile", profile] if profile else []))

    def authorization_server(self, impl: str, mode: str, issuer: str, config: Path | None = None) -> None:
        self._run(impl, mode, "authorization-server", ["--issuer", issuer] + (["--config", str(config)] if config else []))

    def as_config(self, name: str, **values: str) -> Path:
        """interop/as/NAME.toml with `${KEY}` filled in, written beside the reports."""
        text = (self.root / "interop/as" / f"{name}.toml").read_text()
        for key, value in values.items():
            text = text.replace("${" + key + "}", value)
        path = self.reports / "configs" / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


PROBES = {("ts-sdk-demo-as-strict", "as-default-resource"), ("ts-sdk-demo-as", "as-issuer-without-slash"),
          ("oidc-provider-stock-pages", "as"), ("py-sdk-rs-root-resource", "url"), ("py-sdk-rs-root-resource", "url-lenient")}


def is_probe(impl: str, mode: str) -> bool:
    return (impl, mode) in PROBES


# --- the groups: each starts what it needs, runs, and stops it -----------------------

def ts_group(ctx: Ctx, strict: bool) -> None:
    rs = "ts-sdk-example-oauth" + ("-strict" if strict else "")
    demo_as = "ts-sdk-demo-as" + ("-strict" if strict else "")
    if ctx.wants(rs, "url", "url+token"):
        with ctx.stage([(rs, "url"), (rs, "url+token")]):
            url, issuer, _ = ctx.ts_example(strict)
            ctx.server(rs, "url", url=url)
            if ctx.wants(rs, "url+token"):
                ctx.server(rs, "url+token", url=url, token=ctx.token(issuer, url))
    # The patched sibling copy, trusting the suite's IdP (docs/interop/README.md).
    flags = ["--oauth", "--oauth-strict"] if strict else ["--oauth"]
    command = shell_join(["node", "-r", str(ctx.root / "interop/node/loopback.cjs"), str(ctx.inst.ts_example_patched), *flags])
    ctx.server(rs, "command", command=command)
    # A fresh process for each AS run: the SDK's DCR handler allows 20 registrations an
    # hour per client IP (express-rate-limit), and one run registers about 30 clients
    # (findings E-1): until the suite reports a 429 as an environment error, which of its
    # cases get throttled varies from run to run, and so do these two rows.
    if ctx.wants(demo_as, "as"):
        with ctx.stage([(demo_as, "as")]):
            _, issuer, mcp_port = ctx.ts_example(strict)
            # The strict demo AS accepts only its own server's resource (findings E-2).
            config = ctx.as_config("ts-demo-strict", MCP_PORT=str(mcp_port)) if strict else None
            ctx.authorization_server(demo_as, "as", issuer, config)
    probe = "as-default-resource" if strict else "as-issuer-without-slash"
    if ctx.wants(demo_as, probe):
        with ctx.stage([(demo_as, probe)]):
            _, issuer, _ = ctx.ts_example(strict)
            ctx.authorization_server(demo_as, probe, issuer if strict else issuer.rstrip("/"))


def py_rs_group(ctx: Ctx, verify: str) -> None:
    tokens = "opaque" if verify == "introspection" else "jwt"
    rs, oidc_impl = f"py-sdk-rs-{verify}", f"oidc-provider-{tokens}"
    runs = [(rs, "url"), (rs, "url+token"), (oidc_impl, "as")]
    if verify == "introspection":
        runs += [("py-sdk-rs-root-resource", "url"), ("py-sdk-rs-root-resource", "url-lenient")]
    if any(ctx.wants(i, m) for i, m in runs):
        with ctx.stage(runs):
            issuer = ctx.oidc(tokens)
            meta = oauth.metadata(issuer)
            if not meta.get("introspection_endpoint" if verify == "introspection" else "jwks_uri"):
                raise PeerError(f"the metadata of {issuer} names no endpoint for {verify}")
            if verify == "introspection":
                verifier = ["--verify", "introspection", "--introspection-endpoint", meta["introspection_endpoint"],
                            "--introspection-client-id", "interop-rs", "--introspection-client-secret", RS_CLIENT_SECRET]
            else:
                verifier = ["--verify", "jwt", "--jwks-uri", meta["jwks_uri"]]
            if ctx.wants(rs, "url", "url+token"):
                port = free_port()
                ctx.python(rs, "rs.py", ["--port", str(port), "--issuer", issuer, *verifier], [port])
                url = f"http://127.0.0.1:{port}/mcp"
                ctx.server(rs, "url", url=url)
                if ctx.wants(rs, "url+token"):
                    ctx.server(rs, "url+token", url=url, token=ctx.token(issuer, url))
            if verify == "introspection" and ctx.wants("py-sdk-rs-root-resource", "url", "url-lenient"):
                # Findings F-7: resource = the origin, so the PRM is served at the root.
                port = free_port()
                origin = f"http://127.0.0.1:{port}"
                ctx.python("py-sdk-rs-root-resource", "rs.py",
                           ["--port", str(port), "--issuer", issuer, "--resource", origin, *verifier], [port])
                ctx.server("py-sdk-rs-root-resource", "url", url=f"{origin}/mcp")
                ctx.server("py-sdk-rs-root-resource", "url-lenient", url=f"{origin}/mcp", profile="lenient")
            ctx.authorization_server(oidc_impl, "as", issuer, ctx.as_config("oidc-provider"))
    # Under --command the same file reads MCP_AUTHSPEC_* and trusts the suite's IdP:
    # {introspection_endpoint} (no client credentials) or {jwks_uri}.
    ctx.server(rs, "command", command=shell_join([str(ctx.inst.venv_python), str(ctx.root / "interop/python/rs.py"), "--verify", verify]))


def py_as_rs_group(ctx: Ctx) -> None:
    rs, asi = "py-sdk-as-rs", "py-sdk-as"
    runs = [(rs, "url"), (rs, "url+token"), (asi, "as")]
    if any(ctx.wants(i, m) for i, m in runs):
        with ctx.stage(runs):
            port = free_port()
            ctx.python(rs, "as_rs.py", ["--port", str(port)], [port])
            origin = f"http://127.0.0.1:{port}"
            ctx.server(rs, "url", url=f"{origin}/mcp")
            if ctx.wants(rs, "url+token"):
                ctx.server(rs, "url+token", url=f"{origin}/mcp", token=ctx.token(origin, f"{origin}/mcp"))
            ctx.authorization_server(asi, "as", origin)


def oidc_stock_pages_group(ctx: Ctx) -> None:
    impl = "oidc-provider-stock-pages"
    if ctx.wants(impl, "as"):
        with ctx.stage([(impl, "as")]):
            ctx.authorization_server(impl, "as", ctx.oidc("opaque", dev_pages=True))


GROUPS = [
    lambda ctx: ts_group(ctx, strict=False),
    lambda ctx: ts_group(ctx, strict=True),
    lambda ctx: py_rs_group(ctx, "introspection"),
    lambda ctx: py_rs_group(ctx, "jwt"),
    py_as_rs_group,
    oidc_stock_pages_group,
]


def run_all(ctx: Ctx) -> list[RunRecord]:
    for group in GROUPS:
        group(ctx)
    return ctx.records
