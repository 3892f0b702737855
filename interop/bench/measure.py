"""One measured run of a command: wall time, CPU and peak memory of its whole process
tree, and the statistics of paired runs.

CPU is user + sys from `wait4`'s rusage of the child, which includes every descendant
the tree reaped (a client `sh` started and waited for, the clients a suite launched);
a process that was never waited for (a daemon, one killed after its parent exited) is not
in it. Peak RSS is `ru_maxrss` of the same rusage: Linux reports the largest *single*
process of the tree (the child's own peak, or the largest its reaped descendants
reached), not a sum.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + sys of the tree
    peak_kib: int  # the largest single process of the tree
    code: int | None  # exit code; None when stopped at its time limit
    log: Path
    own_cpu: float | None  # seconds, user + sys of the process itself (every thread), without its children


def own_cpu(pid: int) -> float | None:
    """utime + stime of a process, all its threads, without its children (proc(5): fields
    14 and 15 of /proc/PID/stat, in clock ticks); readable until the process is reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    """The 1-minute load average, as /proc/loadavg says it."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def timed_run(cmd: list[str], *, log: Path, timeout: float, env: dict[str, str] | None = None,
              cwd: Path | None = None) -> Sample:
    """Runs `cmd` to its end (or its time limit: then its process group is killed),
    output to `log`, and measures it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        began = time.monotonic()
        popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        try:
            os.killpg(popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, stop)
    timer.start()
    try:
        # Exited but not reaped yet (WNOWAIT): the zombie's /proc stat still holds its own
        # CPU, apart from its children's. Then wait4 (not Popen.wait): only wait4 returns
        # the tree's rusage.
        os.waitid(os.P_PID, popen.pid, os.WEXITED | os.WNOWAIT)
        own = own_cpu(popen.pid)
        _, status, usage = os.wait4(popen.pid, 0)
    finally:
        timer.cancel()
    wall = time.monotonic() - began
    popen.returncode = os.waitstatus_to_exitcode(status)
    # Whatever the tree left running in its group goes too.
    try:
        os.killpg(popen.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    code = None if timed_out.is_set() else popen.returncode
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    # Descendants their parent never waited for were re-parented to this process (the
    # subreaper, `become_subreaper`): their rusage belongs to the run too. The official
    # suite leaves its clients so: without this its client CPU would be missing.
    time.sleep(0.05)  # the group just killed dies
    while True:
        try:
            pid, _, orphan = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break  # only live children left (a target started for the next runs)
        cpu += orphan.ru_utime + orphan.ru_stime
        peak = max(peak, orphan.ru_maxrss)
    return Sample(wall, cpu, peak, code, log, own)


def become_subreaper() -> bool:
    """PR_SET_CHILD_SUBREAPER (prctl(2)): orphans of a measured run come to this process
    instead of init, so that their CPU can be counted. False when it cannot be set."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # 36: PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], scale: float = 1.0, digits: int = 2) -> str:
    """`median [min–max]`, each multiplied by `scale`."""
    if not values:
        return "—"
    v = [x * scale for x in values]
    return f"{statistics.median(v):.{digits}f} [{min(v):.{digits}f}–{max(v):.{digits}f}]"


def ratios(a: list[float], b: list[float]) -> list[float]:
    """A/B pair by pair (A's i-th run against B's i-th run)."""
    return [x / y for x, y in zip(a, b) if y > 0]
