"""docs/interop/matrix.html and matrix.md (clients: clients-matrix.*), written by
`mcp-authspec matrix` over the report.json of every run of this interop run.

The matrix shows evidence only for runs that did not pass, with bodies cut to a few KiB
(the writer's own bounds), so the committed docs stay small."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def write(binary: Path, docs: Path, columns: list[tuple[str, Path]], stem: str, say) -> None:
    """Writes `<stem>.html` and `<stem>.md` into `docs` from `columns` (name, report.json);
    runs that left no report are left out, and said so. Raises OSError when the matrix
    could not be written; then nothing is."""
    present = [(name, path) for name, path in columns if path.is_file()]
    for name, path in columns:
        if not path.is_file():
            say(f"matrix: {name} left no report ({path}); not in {stem}.html")
    if not present:
        return
    with tempfile.TemporaryDirectory(prefix="mcp-authspec-matrix-") as tmp:
        argv = [str(binary), "matrix", "--out", tmp]
        for name, path in present:
            argv += ["--name", f"{name}={path}"]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as e:
            raise OSError(f"mcp-authspec matrix did not finish in {e.timeout} s") from e
        if done.returncode != 0:
            raise OSError(f"mcp-authspec matrix exited {done.returncode}: {done.stderr.strip()}")
        docs.mkdir(parents=True, exist_ok=True)
        for ext in ("html", "md"):
            shutil.move(str(Path(tmp) / f"matrix.{ext}"), docs / f"{stem}.{ext}")
    say(f"wrote {docs}/{stem}.html and {stem}.md")
