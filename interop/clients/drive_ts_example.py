"""scripts/interop --clients: the user's hands for the TypeScript SDK's interactive example
client `simpleOAuthClient.js`, so that `mcp-authspec client` can launch it the way the
official conformance suite launches clients (server URL as the last argument).

    drive_ts_example.py --client .../simpleOAuthClient.js [--preload loopback.cjs] URL

The example is run unchanged. It prints "Please open this URL in your browser" and the
authorization URL, waits for the redirect on its own callback server
(http://localhost:8090/callback, a fixed port: one case at a time), then reads commands
on stdin. This driver is the browser and the keyboard, nothing more:

- browser: GET the URL, follow the authorization server's redirects without
  auto-following (cookies kept) and deliver the final hop to the example's callback. The
  example prints the URL *before* its callback server listens, so that hop is retried
  for a few seconds on "connection refused" (findings interop-clients E1: without it a
  fast browser makes verdicts flip between runs).
- keyboard: once the command prompt is shown, `list`, `call echo {"text":"hello"}`,
  `quit`, each after the previous command's answer (or a time limit).

The example has no way to take pre-registered credentials, so MCP_CONFORMANCE_CONTEXT is
ignored. Its output is copied to stdout; the exit status is the example's.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

OPEN_MARK = "Please open this URL in your browser"
READY_MARK = "quit - Exit the client"
CALLBACK = "http://localhost:8090/callback"
CALLBACK_RETRY = 5.0  # seconds the callback hop is retried while nothing listens
STEP_TIMEOUT = 20.0  # seconds to wait for the prompt or a command's answer
HOPS = 10


class NoFollow(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # every redirect is ours to follow
        return None


def browse(url: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoFollow())
    for _ in range(HOPS):
        if url.startswith(CALLBACK):
            deliver(opener, url)
            return
        try:
            resp = opener.open(url, timeout=10)
            status, location = resp.status, resp.headers.get("Location")
        except urllib.error.HTTPError as e:  # 3xx arrive here when not followed
            status, location = e.code, e.headers.get("Location")
        except OSError as e:
            print(f"[driver] browser: {url}: {e}", flush=True)
            return
        if not location:
            print(f"[driver] browser: {url} answered {status} without a redirect", flush=True)
            return
        url = urllib.parse.urljoin(url, location)
    print(f"[driver] browser: more than {HOPS} redirects", flush=True)


def deliver(opener, url: str) -> None:
    deadline = time.monotonic() + CALLBACK_RETRY
    while True:
        try:
            opener.open(url, timeout=10).read()
            return
        except urllib.error.HTTPError:
            return  # the example answered (400 on an error redirect): delivered
        except OSError as e:
            if time.monotonic() > deadline:
                print(f"[driver] browser: callback {url}: {e}", flush=True)
                return
            time.sleep(0.1)


class Driver:
    def __init__(self, cmd: list[str]):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        open_next = False
        for line in self.proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if open_next and line.strip():
                threading.Thread(target=browse, args=(line.strip(),), daemon=True).start()
                open_next = False
            open_next = open_next or OPEN_MARK in line
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, *marks: str, since: int = 0) -> bool:
        """Until a line after `since` has one of `marks`, the example exits, or STEP_TIMEOUT."""
        deadline = time.monotonic() + STEP_TIMEOUT
        with self.cond:
            while True:
                if any(m in line for line in self.lines[since:] for m in marks):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return False
                self.cond.wait(min(left, 0.2))

    def send(self, command: str) -> int:
        with self.cond:
            mark = len(self.lines)
        if self.proc.poll() is None:
            print(f"[driver] > {command}", flush=True)
            try:
                self.proc.stdin.write(command + "\n")
                self.proc.stdin.flush()
            except OSError:
                pass
        return mark


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--client", required=True, help="path of simpleOAuthClient.js")
    p.add_argument("--preload", help="a `node -r` module (interop/node/loopback.cjs: listen on 127.0.0.1 only)")
    p.add_argument("url")
    args = p.parse_args()
    cmd = ["node", *(["-r", args.preload] if args.preload else []), args.client, args.url]
    d = Driver(cmd)

    def stop(signum, _frame):  # the suite stops us at its time limit: take the example along
        d.proc.terminate()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    if d.wait_for(READY_MARK):
        mark = d.send("list")
        d.wait_for("Available tools", "No tools available", "Failed to list tools", since=mark)
        mark = d.send('call echo {"text":"hello"}')
        d.wait_for("Tool 'echo' result", "Failed to call tool", since=mark)
        d.send("quit")
    try:
        return d.proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        d.proc.terminate()
        try:
            return d.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            d.proc.kill()
            return d.proc.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
