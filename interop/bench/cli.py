"""Command line of scripts/bench-vs-official."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness import install, official
from harness.clients import CLIENTS as INTEROP_CLIENTS
from harness.clients import ClientCtx, command_for
from harness.install import InstallError

from .measure import become_subreaper
from .sections import Ctx, as_section, client_section, demo_section, server_section

SECTIONS = ("client", "server", "as", "demo")
CLIENTS = ("reference", "py-sdk")
SERVER_FIXTURE = "fixtures/stdlib-target/resource_server.py"
AS_FIXTURE = "fixtures/stdlib-target/authorization_server.py"


class Usage(Exception):
    """Bad input: one line, exit 2."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/bench-vs-official",
        description="mcp-authspec next to the official MCP conformance suite (client runs on the same client), and "
                    "next to itself (demo, server and authorization-server runs), as paired runs A B A B; prints "
                    "Markdown tables of wall, CPU and peak memory with medians [min–max] and ratios pair by pair.",
        epilog="Everything listens on 127.0.0.1 only. Measured here, never asserted anywhere.")
    p.add_argument("--scratch", type=Path, default=Path(os.environ.get("MCP_AUTHSPEC_BENCH_DIR", "/tmp/mcp-authspec-bench")),
                   help="folder for Node 22, the official suite, the Python SDK venv and the runs' outputs; "
                        "what is installed there already is reused (default: /tmp/mcp-authspec-bench)")
    p.add_argument("--rounds", type=int, default=5, help="measured pairs after the warm-up (default 5)")
    p.add_argument("--client", action="append", choices=CLIENTS,
                   help="client for the client section (repeatable; default both): reference = `BIN reference client` "
                        "as a process, py-sdk = interop/clients/py_client.py on the pinned Python SDK")
    p.add_argument("--bin", type=Path, help="mcp-authspec binary (default target/release/mcp-authspec, built if missing)")
    p.add_argument("--baseline-bin", type=Path, help="an older mcp-authspec binary: B of the demo section, and of "
                   "server/as when --bin has no `--connections reuse`")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"sections, comma-separated: {','.join(SECTIONS)} (default all)")
    p.add_argument("--server-command", help=f"server under test for the server section, with mcp-authspec's {{port}} "
                   f"{{issuer}} placeholders (default: python3 {SERVER_FIXTURE} --port {{port}} --issuer {{issuer}})")
    p.add_argument("--as-command", help=f"authorization server for the as section, {{port}} filled in here; it must print "
                   f"`issuer: URL` first (default: python3 {AS_FIXTURE} --port {{port}})")
    p.add_argument("--jobs", type=int, help="--jobs of every mcp-authspec run (default: mcp-authspec's own default)")
    p.add_argument("--timeout", type=float, default=900, help="seconds one run may take before it is stopped (default 900)")
    return p


def main(root: Path, argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        return run(root, args)
    except Usage as e:
        print(f"bench-vs-official: {e}", file=sys.stderr)
        return 2
    except (InstallError, official.NotRun, RuntimeError, OSError) as e:
        print(f"bench-vs-official: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench-vs-official: interrupted", file=sys.stderr)
        return 130


def _python() -> str:
    # The interpreter itself, not a version manager's `python3` shim (on this machine a shell
    # script costing ~55 ms of CPU a start): the target's start is not what is measured.
    return os.path.realpath(sys.executable)


def _binary(root: Path, given: Path | None, what: str, build: bool) -> Path:
    if given is not None:
        if not (given.is_file() and os.access(given, os.X_OK)):
            raise Usage(f"{what} {given}: not an executable file")
        return given.resolve()
    default = root / "target/release/mcp-authspec"
    if not default.exists() and build:
        print("building target/release/mcp-authspec (cargo build --release) …", file=sys.stderr, flush=True)
        if shutil.which("cargo") is None:
            raise RuntimeError("`cargo` is not on PATH; give --bin PATH")
        done = subprocess.run(["cargo", "build", "--release"], cwd=root, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"cargo build --release exited {done.returncode}")
    return default


def run(root: Path, args) -> int:
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in SECTIONS]
    if unknown or not only:
        raise Usage(f"--only {args.only!r}: sections are {', '.join(SECTIONS)}")
    if args.rounds < 1:
        raise Usage(f"--rounds {args.rounds}: at least 1")
    if args.jobs is not None and args.jobs < 1:
        raise Usage(f"--jobs {args.jobs}: at least 1")
    if args.timeout <= 0:
        raise Usage(f"--timeout {args.timeout}: must be positive")
    baseline = _binary(root, args.baseline_bin, "--baseline-bin", False) if args.baseline_bin else None
    binary = _binary(root, args.bin, "--bin", True)
    scratch = args.scratch.resolve()
    work = scratch / "runs" / time.strftime("%Y%m%dT%H%M%S")
    work.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    reaper = become_subreaper()
    ctx = Ctx(root, work, binary, baseline, args.rounds, args.timeout, args.jobs, say)
    py = _python()
    out = ["## mcp-authspec bench", "",
           f"- mcp-authspec: `{binary}` ({_version(binary)}); baseline: `{baseline or 'none'}`",
           f"- machine: {os.cpu_count()} CPUs; load at start {Path('/proc/loadavg').read_text().strip()}",
           f"- outputs: {work}",
           "- CPU: user+sys of each run's whole process tree, orphans included" if reaper else
           "- CPU: user+sys of each run's tree; NOT counted: descendants their parent never waited for (no subreaper)",
           ""]
    if "client" in only:
        suite = official.install(scratch, say)
        inst = install.paths(scratch)
        out.insert(3, f"- official: @modelcontextprotocol/conformance {suite.version} on Node {suite.node_version}, "
                      f"run through its own bin (`node {suite.cli.relative_to(scratch)}`), not npx")
        clients = args.client or list(CLIENTS)
        for name in dict.fromkeys(clients):
            if name == "reference":
                command = shlex.join([str(binary), "reference", "client"])
            else:
                install.install_python(inst, say)
                cctx = ClientCtx(root, inst, binary, work, args.timeout, 30, None, say, [])
                command, _ = command_for(cctx, "py-sdk-client")
            # The interpreter's start (about 2 s of CPU with the SDK's imports) dominates this
            # client's runs: at mcp-authspec's default --jobs on a small machine its starts
            # pass the case time limit, which would measure time-outs. `scripts/interop` runs
            # it with this many at once; --jobs overrides it.
            jobs = args.jobs or (INTEROP_CLIENTS["py-sdk-client"].jobs if name == "py-sdk" else None)
            out += client_section(dataclasses.replace(ctx, jobs=jobs), suite, name, command)
    if "server" in only:
        command = args.server_command or _fixture(root, SERVER_FIXTURE, "--server-command",
                                                  f"{{fixture}} --port {{port}} --issuer {{issuer}}", py)
        out += server_section(ctx, command) if command else ["### server", "", f"skipped: {SERVER_FIXTURE} is not in this checkout; give --server-command", ""]
    if "as" in only:
        command = args.as_command or _fixture(root, AS_FIXTURE, "--as-command", "{fixture} --port {port}", py)
        out += as_section(ctx, command) if command else ["### authorization server", "", f"skipped: {AS_FIXTURE} is not in this checkout; give --as-command", ""]
    if "demo" in only:
        out += demo_section(ctx)
    out.append(f"Load at the end: {Path('/proc/loadavg').read_text().strip()}")
    print("\n".join(out))
    return 0


def _fixture(root: Path, rel: str, flag: str, template: str, py: str) -> str | None:
    path = root / rel
    if not path.is_file():
        print(f"{rel} not found: its section is skipped (give {flag})", file=sys.stderr)
        return None
    return template.replace("{fixture}", shlex.join([py, str(path)]))


def _version(binary: Path) -> str:
    done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip() or "version unknown"
