"""Starting and stopping the peers: every process in its own process group, every one
recorded, every one stopped (SIGTERM to the group and to every descendant found in
/proc, SIGKILL after a grace period) when its group of runs ends, on an error, and on
Ctrl-C or SIGTERM of the driver (`install_signal_handlers` turns those into an exception
so that the `finally` blocks run)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

GRACE = 3.0  # seconds between SIGTERM and SIGKILL


class PeerError(RuntimeError):
    """A peer did not start (exited, or never listened within its time limit)."""


class Interrupted(BaseException):
    """SIGINT/SIGTERM of the driver; a BaseException so no `except Exception` eats it."""


def install_signal_handlers() -> None:
    def handler(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def free_port() -> int:
    """A port nothing listens on right now (bound and released on 127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid`, also those that started their own session (the
    suite starts `--command` servers in their own process group)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _signal_tree(pid: int, sig: int, extra: list[int]) -> None:
    for target in [pid, *extra]:
        try:
            os.killpg(target, sig) if target == pid else os.kill(target, sig)
        except (ProcessLookupError, PermissionError):
            pass


@dataclass
class Proc:
    """One started process (the leader of its own process group)."""

    name: str
    popen: subprocess.Popen
    log: Path
    stopped: bool = False

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 12) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no output)"
        return "\n    ".join(text[-lines:]) or "(no output)"

    def stop(self) -> None:
        """SIGTERM to the group and its descendants, SIGKILL to what is left after GRACE."""
        if self.stopped:
            return
        self.stopped = True
        tree = descendants(self.pid)
        _signal_tree(self.pid, signal.SIGTERM, tree)
        deadline = time.monotonic() + GRACE
        while time.monotonic() < deadline and (self.alive() or any(_exists(p) for p in tree)):
            time.sleep(0.05)
        _signal_tree(self.pid, signal.SIGKILL, [p for p in tree if _exists(p)])
        try:
            self.popen.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            pass


def _exists(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class Procs:
    """The registry of everything started; `stop_all` is the last word."""

    log_dir: Path
    started: list[Proc] = field(default_factory=list)

    def start(self, name: str, cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / f"{name}.log"
        out = log.open("w")
        try:
            popen = subprocess.Popen(
                cmd,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for stop()
            )
        finally:
            out.close()
        proc = Proc(name, popen, log)
        self.started.append(proc)
        return proc

    def start_listening(self, name: str, cmd: list[str], ports: list[int], timeout: float, **kw) -> Proc:
        """Starts and waits until every port accepts connections; a peer that exits or
        stays silent past `timeout` is stopped and raises PeerError with its output."""
        proc = self.start(name, cmd, **kw)
        deadline = time.monotonic() + timeout
        while not all(accepts(p) for p in ports):
            if not proc.alive():
                raise PeerError(f"{name} exited ({proc.popen.returncode}) before listening on {ports}:\n    {proc.log_tail()}")
            if time.monotonic() > deadline:
                proc.stop()
                raise PeerError(f"{name} did not listen on {ports} within {timeout:g} s:\n    {proc.log_tail()}")
            time.sleep(0.1)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            proc.stop()


def run_bounded(cmd: list[str], *, timeout: float, log: Path, cwd: Path | None = None,
                env: dict[str, str] | None = None) -> tuple[int | None, float]:
    """Runs a command to its end or its time limit (then stopped like a peer). Returns
    (exit code or None on timeout, seconds)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with log.open("w") as out:
        popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    proc = Proc(cmd[0], popen, log)
    try:
        code = popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        proc.stop()  # also whatever it started and left behind
    return code, time.monotonic() - began
