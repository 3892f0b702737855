"""Pinned real implementations, installed from the package registries into the scratch
folder with the ordinary clients (npm, pip in a venv), once: each install leaves a stamp
naming exactly what it installed, and a matching stamp skips it the next time.

Nothing third-party is copied into the repository. The one change made to a third-party
file is `patch_ts_example`: a *sibling copy* of the TS SDK's example server, inside the
scratch folder, that reads its port, resource and authorization server from the
`MCP_AUTHSPEC_*` variables of `mcp-authspec server --command` (docs/interop/README.md
lists the three lines it changes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# The pins. Changing one reinstalls that part on the next run.
NPM_PACKAGES = {"@modelcontextprotocol/sdk": "1.32.2", "oidc-provider": "9.13.3"}
PIP_PACKAGES = {"mcp": "2.3.0", "PyJWT": "2.15.1", "uvicorn": "0.54.0", "PyYAML": "6.0.4"}

INSTALL_TIMEOUT = 600  # seconds, each of npm and pip

TS_EXAMPLE_DIR = "@modelcontextprotocol/sdk/dist/esm/examples/server"
TS_EXAMPLE = "simpleStreamableHttp.js"
TS_EXAMPLE_PATCHED = "simpleStreamableHttp.mcp-authspec.js"

# (original line, replacement) — each original must occur exactly once.
TS_PATCH = [
    (
        "const MCP_PORT = process.env.MCP_PORT ? parseInt(process.env.MCP_PORT, 10) : 3000;",
        "const MCP_PORT = parseInt(process.env.MCP_AUTHSPEC_PORT ?? process.env.MCP_PORT ?? '3000', 10);",
    ),
    (
        "    const mcpServerUrl = new URL(`http://localhost:${MCP_PORT}/mcp`);",
        "    const mcpServerUrl = new URL(process.env.MCP_AUTHSPEC_RESOURCE ?? `http://localhost:${MCP_PORT}/mcp`);",
    ),
    (
        "    const oauthMetadata = setupAuthServer({ authServerUrl, mcpServerUrl, strictResource: strictOAuth });",
        "    const oauthMetadata = process.env.MCP_AUTHSPEC_ISSUER"
        " ? { ...(await (await fetch(new URL('/.well-known/oauth-authorization-server' + new URL(process.env.MCP_AUTHSPEC_ISSUER).pathname.replace(/\\/$/, ''), process.env.MCP_AUTHSPEC_ISSUER))).json()),"
        " introspection_endpoint: process.env.MCP_AUTHSPEC_INTROSPECTION_ENDPOINT }"
        " : setupAuthServer({ authServerUrl, mcpServerUrl, strictResource: strictOAuth });",
    ),
]


class InstallError(RuntimeError):
    """An install step failed; the message names the command and the end of its output."""


@dataclass(frozen=True)
class Installed:
    """Where everything is, once installed."""

    scratch: Path
    node_modules: Path
    venv_python: Path

    @property
    def ts_example_dir(self) -> Path:
        return self.node_modules / TS_EXAMPLE_DIR

    @property
    def ts_example(self) -> Path:
        return self.ts_example_dir / TS_EXAMPLE

    @property
    def ts_example_patched(self) -> Path:
        return self.ts_example_dir / TS_EXAMPLE_PATCHED


def paths(scratch: Path) -> Installed:
    return Installed(scratch, scratch / "node" / "node_modules", scratch / "venv" / "bin" / "python")


def _run(cmd: list[str], cwd: Path, log: Path) -> None:
    with log.open("w") as out:
        try:
            done = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as e:
            raise InstallError(f"`{' '.join(cmd)}` took more than {INSTALL_TIMEOUT} s (log: {log})") from e
        except FileNotFoundError as e:
            raise InstallError(f"`{cmd[0]}` is not installed: {e}") from e
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise InstallError(f"`{' '.join(cmd)}` exited {done.returncode} (log: {log}):\n  " + "\n  ".join(tail))


def _stamp_ok(stamp: Path, want: dict) -> bool:
    try:
        return json.loads(stamp.read_text()) == want
    except (OSError, ValueError):
        return False


def install_node(inst: Installed, say) -> None:
    node_dir = inst.node_modules.parent
    stamp = node_dir / ".installed.json"
    want = {"packages": NPM_PACKAGES}
    if _stamp_ok(stamp, want) and inst.ts_example.is_file():
        return
    say(f"npm: installing {', '.join(f'{k}@{v}' for k, v in NPM_PACKAGES.items())} into {node_dir}")
    node_dir.mkdir(parents=True, exist_ok=True)
    (node_dir / "package.json").write_text(json.dumps({"name": "mcp-authspec-interop-peers", "private": True}) + "\n")
    specs = [f"{k}@{v}" for k, v in NPM_PACKAGES.items()]
    _run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", *specs], node_dir, inst.scratch / "npm-install.log")
    stamp.write_text(json.dumps(want))


def install_python(inst: Installed, say) -> None:
    venv = inst.venv_python.parent.parent
    stamp = venv / ".installed.json"
    want = {"python": sys.version.split()[0], "packages": PIP_PACKAGES}
    if _stamp_ok(stamp, want) and inst.venv_python.exists():
        return
    say(f"pip: creating {venv} with {', '.join(f'{k}=={v}' for k, v in PIP_PACKAGES.items())}")
    if venv.exists():
        shutil.rmtree(venv)
    _run([sys.executable, "-m", "venv", str(venv)], inst.scratch, inst.scratch / "venv-create.log")
    specs = [f"{k}=={v}" for k, v in PIP_PACKAGES.items()]
    _run([str(inst.venv_python), "-m", "pip", "install", "--quiet", *specs], inst.scratch, inst.scratch / "pip-install.log")
    stamp.write_text(json.dumps(want))


def patch_ts_example(inst: Installed) -> None:
    """Writes the sibling copy that trusts the suite's IdP under `--command` (three lines;
    verifier, middleware and routes are the example's own). Rewritten every run, so it
    always derives from the installed original."""
    text = inst.ts_example.read_text()
    for old, new in TS_PATCH:
        if text.count(old) != 1:
            raise InstallError(
                f"{inst.ts_example} does not contain exactly one line `{old.strip()}`: "
                f"the pinned @modelcontextprotocol/sdk changed; update TS_PATCH in {__file__}"
            )
        text = text.replace(old, new)
    inst.ts_example_patched.write_text(text)


def install_all(scratch: Path, say) -> Installed:
    inst = paths(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise InstallError(f"`{tool}` is not on PATH (Node.js 20 or later is needed)")
    install_node(inst, say)
    install_python(inst, say)
    patch_ts_example(inst)
    return inst


def versions() -> dict[str, str]:
    """What the docs print as the peers' versions: the pins, and the runtimes."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    out = {f"npm {k}": v for k, v in NPM_PACKAGES.items()}
    out.update({f"pip {k}": v for k, v in PIP_PACKAGES.items()})
    out["node"] = node.lstrip("v") or "unknown"
    out["python"] = sys.version.split()[0]
    return dict(sorted(out.items()))


def in_venv(inst: Installed) -> bool:
    return Path(sys.prefix).resolve() == inst.venv_python.parent.parent.resolve()


def reexec_in_venv(inst: Installed, argv: list[str]) -> None:
    """Continues the driver in the venv's interpreter (for PyYAML); same Python version,
    so nothing else changes."""
    os.execv(str(inst.venv_python), [str(inst.venv_python), *argv])
