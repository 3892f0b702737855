"""The bench's sections: `client` (mcp-authspec next to the official suite on the same
client), `demo`, `server` and `as` (mcp-authspec next to itself: the pre-issue
keep-alive connections, `--connections reuse`, or a baseline binary)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from harness import official
from harness.procs import free_port

from .measure import timed_run
from .paired import Pairs, Run, Side, run_pairs, table
from .runs import authspec_counted, authspec_report, exchange_times, official_counted, stall_summary

DURATION_SLACK_MS = 50  # report.json duration_ms against the process wall


@dataclass
class Ctx:
    root: Path
    work: Path  # this run's outputs: <scratch>/runs/<time>
    bin: Path
    baseline: Path | None
    rounds: int
    timeout: float
    jobs: int | None
    say: object

    def jobs_args(self) -> list[str]:
        return ["--jobs", str(self.jobs)] if self.jobs else []


def _authspec_side(ctx: Ctx, label: str, name: str, argv: list[str], *, env=None, duration_check: bool = False) -> Side:
    def run(tag: str) -> Run:
        out = ctx.work / f"{name}-{tag}"
        sample = timed_run([*argv, "--plain", "--out", str(out)], log=out.with_suffix(".log"),
                           timeout=ctx.timeout, env=env)
        report = authspec_report(out)
        note = ""
        if report is None:
            note = f"no report.json (log {sample.log})"
        elif duration_check:
            d = report.get("duration_ms", -1)
            ok = abs(d - sample.wall * 1000) <= DURATION_SLACK_MS
            note = f"duration_ms {d} vs wall {sample.wall * 1000:.0f} ms: {'equal' if ok else 'DIFFERENT'} (±{DURATION_SLACK_MS})"
        return Run(sample, authspec_counted(report) if report else None, note, out)

    return Side(label, run)


# ---------------------------------------------------------------- client


def client_section(ctx: Ctx, suite: official.Suite, name: str, command: str) -> list[str]:
    ctx.say(f"client `{name}`: {command}")
    a = _authspec_side(ctx, "A = mcp-authspec client", f"client-{name}-A",
                       [str(ctx.bin), "client", "--command", command, *ctx.jobs_args()])
    env = official.environment(suite, ctx.root)

    def run_b(tag: str) -> Run:
        out = ctx.work / f"client-{name}-B-{tag}"
        sample = timed_run([str(suite.node), str(suite.cli), "client", "--command", command, "--suite", "auth",
                            "-o", str(out)], log=out.with_suffix(".log"), timeout=ctx.timeout, env=env)
        counted = official_counted(sample.log.read_text(errors="replace"))
        return Run(sample, counted, "" if counted else f"no suite summary (log {sample.log})")

    b = Side("B = official client --suite auth", run_b, unit="scenario")
    pairs = run_pairs(a, b, ctx.rounds, ctx.say)
    jobs = f"`--jobs {ctx.jobs}`" if ctx.jobs else "mcp-authspec's default `--jobs`"
    lines = [f"### client `{name}` (n={ctx.rounds} pairs)", "", f"Client command: `{command}`; A with {jobs}", ""]
    lines += table(pairs)
    return lines + [""]


# ---------------------------------------------------------------- demo


def demo_section(ctx: Ctx) -> list[str]:
    lines = ["### demo --revision all", ""]
    if ctx.baseline is None:
        ctx.say("demo: no --baseline-bin; skipped")
        return lines + ["skipped: no `--baseline-bin PATH` to compare with", ""]
    ctx.say(f"demo: {ctx.bin} vs {ctx.baseline}")
    argv = ["demo", "--revision", "all", *ctx.jobs_args()]
    a = _authspec_side(ctx, "A = --bin", "demo-A", [str(ctx.bin), *argv], duration_check=True)
    b = _authspec_side(ctx, "B = --baseline-bin", "demo-B", [str(ctx.baseline), *argv], duration_check=True)
    pairs = run_pairs(a, b, ctx.rounds, ctx.say)
    return lines + [f"A `{ctx.bin}`, B `{ctx.baseline}` (n={ctx.rounds} pairs)", ""] + table(pairs, per_unit=True) + [""]


# ---------------------------------------------------------------- server and authorization server


def supports_reuse(binary: Path, command: str) -> bool:
    done = subprocess.run([str(binary), command, "--help"], capture_output=True, text=True, timeout=60, check=False)
    return "--connections" in done.stdout


def _self_pair(ctx: Ctx, sub: str) -> tuple[Path, list[str], str] | None:
    """B's binary and extra flags: `--connections reuse` of --bin if it has the option,
    else --baseline-bin; None when neither is there."""
    if supports_reuse(ctx.bin, sub):
        return ctx.bin, ["--connections", "reuse"], "B = --bin --connections reuse"
    if ctx.baseline:
        return ctx.baseline, [], "B = --baseline-bin"
    return None


def _stalls(pairs: Pairs, side: str) -> str:
    runs = pairs.runs_a if side == "A" else pairs.runs_b
    folder = [r for r in runs if r.counted]
    if not folder:
        return f"{side}: no report"
    # The median round by wall: its exchanges are what a typical run saw.
    mid = sorted(folder, key=lambda r: r.sample.wall)[len(folder) // 2]
    report = authspec_report(mid.out)
    return f"{side} (its median run): {stall_summary(exchange_times(report))}"


def server_section(ctx: Ctx, command: str) -> list[str]:
    lines = ["### server --command … --revision all", "", f"Target: `{command}`", ""]
    other = _self_pair(ctx, "server")
    argv = ["server", "--command", command, "--revision", "all", *ctx.jobs_args()]
    ctx.say(f"server: {command}")
    a = _authspec_side(ctx, "A = --bin, default options", "server-A", [str(ctx.bin), *argv])
    b = None
    if other:
        binary, extra, label = other
        b = _authspec_side(ctx, label, "server-B", [str(binary), *argv, *extra])
    else:
        lines.append("B skipped: --bin has no `--connections` option and no `--baseline-bin` was given\n")
    pairs = run_pairs(a, b, ctx.rounds, ctx.say)
    lines += table(pairs)
    lines += [f"- answers: {_stalls(pairs, 'A')}"] + ([f"- answers: {_stalls(pairs, 'B')}"] if b else [])
    return lines + [""]


class Peer:
    """A target started for one run (the authorization server): its issuer from its first
    `issuer: URL` line, stopped with its whole group afterwards."""

    ISSUER = re.compile(r"(https?://127\.0\.0\.1:\d+\S*)")

    def __init__(self, command: str, log: Path, wait: float = 30.0):
        port = free_port()
        self.popen = subprocess.Popen(command.replace("{port}", str(port)), shell=True, stdout=subprocess.PIPE,
                                      stderr=log.open("w"), stdin=subprocess.DEVNULL, start_new_session=True,
                                      # A Python target prints its issuer line at once into the pipe.
                                      text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(self.popen.stdout.readline()), daemon=True)
        reader.start()
        reader.join(wait)
        found = self.ISSUER.search(first[0]) if first else None
        if not found:
            self.stop()
            raise RuntimeError(f"`{command}` printed no `issuer: http://127.0.0.1:PORT` line within {wait:.0f} s "
                               f"(got {first[0].strip() if first else 'nothing'!r}; stderr in {log})")
        self.issuer = found.group(1)
        # Keep draining its output so that it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.popen.stdout], daemon=True).start()

    def stop(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.popen.wait()


def as_section(ctx: Ctx, command: str) -> list[str]:
    lines = ["### authorization-server --issuer … --revision all", "",
             f"Target: `{command}` (a fresh one for every run, started outside the measurement)", ""]
    other = _self_pair(ctx, "authorization-server")

    def side(label: str, name: str, binary: Path, extra: list[str]) -> Side:
        def run(tag: str) -> Run:
            peer = Peer(command, ctx.work / f"{name}-{tag}.target.log")
            try:
                argv = [str(binary), "authorization-server", "--issuer", peer.issuer, "--revision", "all",
                        *ctx.jobs_args(), *extra]
                return _authspec_side(ctx, label, name, argv).run(tag)
            finally:
                peer.stop()

        return Side(label, run)

    ctx.say(f"authorization server: {command}")
    a = side("A = --bin, default options", "as-A", ctx.bin, [])
    b = None
    if other:
        binary, extra, label = other
        b = side(label, "as-B", binary, extra)
    else:
        lines.append("B skipped: --bin has no `--connections` option and no `--baseline-bin` was given\n")
    pairs = run_pairs(a, b, ctx.rounds, ctx.say)
    lines += table(pairs)
    lines += [f"- answers: {_stalls(pairs, 'A')}"] + ([f"- answers: {_stalls(pairs, 'B')}"] if b else [])
    return lines + [""]
