"""`make serve`: several Streamlit processes (workers) behind HAProxy on one public port, with sticky sessions.

A Streamlit session lives in the memory of the process that opened it, so every request of a browser tab must
reach the same worker: HAProxy sets a cookie naming the worker on the first response (`ils_coach_worker`, which
holds the worker's name and nothing else) and sends every later request carrying it, the websocket included, to
that worker. Workers listen on free loopback ports; only the proxy listens on the public port.

All children run in one process group of their own, with the parent's death signalled to them (Linux), so Ctrl+C,
SIGTERM or SIGHUP to `python -m serve` stops the whole group and nothing is left behind. Those signals only mark the
team as stopping (SIGINT too, even when it was inherited ignored), and the loops act on the mark between steps, so
no signal's exception can land inside a subprocess call. The stop itself ignores them and every wait in it is
bounded: SIGTERM, a short grace (a worker's sessions live in its memory and are lost on any stop anyway), SIGKILL.
The proxy's configuration is written to a temporary folder, removed as soon as the proxy has read it. If a worker or
the proxy exits on its own, everything is stopped and the exit code is 1.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from errors import CoachError

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "ils_coach_worker"
HEALTH = "/_stcore/health"
MISSING = "HAProxy is not installed: install it with apt-get install haproxy"
# Lines of Streamlit's start banner, which name a worker's own address: the public one is printed instead.
BANNER = ("You can now view your Streamlit app", "URL: ", "Local URL: ", "Network URL: ", "External URL: ")
PR_SET_PDEATHSIG = 1


class ServeError(CoachError):
    """`make serve` cannot start or keep running; the message says why in one line."""


class Stop(Exception):
    """A signal asked the server to stop (SIGINT, SIGTERM, SIGHUP)."""


def find_haproxy(configured: str = "") -> str:
    """The HAProxy program: the one configured (ILS_COACH_HAPROXY), else on PATH, else Debian's /usr/sbin."""
    if configured:
        if os.access(configured, os.X_OK) or shutil.which(configured):
            return shutil.which(configured) or configured
        raise ServeError(f"{MISSING} (ILS_COACH_HAPROXY names {configured!r}, which cannot be run)")
    for candidate in (shutil.which("haproxy"), "/usr/sbin/haproxy", "/usr/local/sbin/haproxy"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ServeError(MISSING)


def free_ports(count: int, host: str = "127.0.0.1", avoid=()) -> list[int]:
    """`count` different ports free on `host` now (all held open together while chosen, so none repeats), none of
    them in `avoid` (the proxy's own port, which is not held open while the workers' ports are chosen)."""
    held, found = [], []
    try:
        while len(found) < count:
            sock = socket.socket()
            sock.bind((host, 0))
            held.append(sock)
            port = sock.getsockname()[1]
            if port not in avoid:
                found.append(port)
        return found
    finally:
        for sock in held:
            sock.close()


def proxy_config(address: str, port: int, workers: list[int]) -> str:
    """HAProxy's configuration: one front end on address:port, the workers behind it, sticky by cookie.

    No log is configured (nothing about requests is written anywhere). Websockets need no option in HTTP mode;
    `timeout tunnel` lets a quiet chat keep its websocket for an hour (a browser reconnects after that, to the same
    worker, and Streamlit resumes its session). A worker that fails its health check gets no new sessions.
    """
    host = f"[{address}]" if ":" in address else address
    servers = "\n".join(
        f"    server w{n} 127.0.0.1:{worker} cookie w{n} check inter 2s fall 2 rise 1"
        for n, worker in enumerate(workers, 1))
    return f"""# Written by `python -m serve` (ILS Coach) for this run only; removed when it stops.
global
    maxconn 2000

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout tunnel 1h
    timeout client-fin 10s

frontend coach
    bind {host}:{port}
    default_backend workers

backend workers
    balance roundrobin
    cookie {COOKIE} insert indirect nocache httponly attr SameSite=Lax
    option httpchk GET {HEALTH}
    http-check expect status 200
{servers}
"""


def _die_with_parent() -> None:  # runs in the child between fork and exec
    """Have the kernel kill this child if `serve` dies without stopping it (kill -9). SIGKILL, not SIGTERM: with
    `serve` gone nobody reads the child's output, and Streamlit, writing "Stopping..." to that closed pipe,
    would fail in its own SIGTERM handler and keep running."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Child:
    """One process of the team and the last lines it printed."""

    name: str
    proc: subprocess.Popen
    lines: deque = field(default_factory=lambda: deque(maxlen=20))

    def relay(self, out) -> None:
        """Copy the child's output to `out`, each line prefixed with its name, leaving out Streamlit's banner."""
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line.strip() or any(part in line for part in BANNER):
                continue
            self.lines.append(line)
            out.write(f"{self.name} | {line}\n")  # one write, so lines of two workers never interleave
            out.flush()

    def tail(self) -> str:
        return " / ".join(line.strip() for line in list(self.lines)[-3:]) or "no output"


class Team:
    """The workers and the proxy. `start()` brings them up, `watch()` waits until one exits, `stop()` ends all."""

    def __init__(self, workers: int, port: int, address: str = "127.0.0.1", haproxy: str = "",
                 env: dict | None = None, out=None, timeout: float = 180.0):
        self.count = workers
        self.port = port
        self.address = address
        self.haproxy = find_haproxy(haproxy)
        self.env = dict(os.environ if env is None else env)
        self.out = out or sys.stdout
        self.timeout = timeout
        self.children: list[Child] = []
        self.worker_ports: list[int] = []
        self.folder: Path | None = None
        self.group: int | None = None
        self.stopping = ""  # the name of the signal that asked to stop; set by serve()'s handler

    @property
    def url(self) -> str:
        host = "localhost" if self.address in ("127.0.0.1", "localhost", "0.0.0.0", "::") else self.address
        return f"http://{host}:{self.port}"

    def _spawn(self, name: str, args: list[str], env: dict) -> Child:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, process_group=self.group or 0,
                                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        if self.group is None:
            self.group = proc.pid
        child = Child(name, proc)
        self.children.append(child)
        threading.Thread(target=child.relay, args=(self.out,), daemon=True).start()
        return child

    def _check(self) -> None:
        if self.stopping:
            raise Stop(self.stopping)
        for child in self.children:
            if child.proc.poll() is not None:
                raise ServeError(f"{child.name} stopped (exit code {child.proc.returncode}): {child.tail()}")

    def _wait_healthy(self, urls: list[str], what: str) -> None:
        deadline = time.monotonic() + self.timeout
        waiting = list(urls)
        while waiting:
            self._check()
            waiting = [url for url in waiting if not healthy(url)]
            if waiting and time.monotonic() > deadline:
                raise ServeError(f"{what} did not answer within {self.timeout:.0f} s")
            if waiting:
                time.sleep(0.3)

    def worker_env(self) -> dict:
        """The workers' environment: one cookie secret for all, so a session's XSRF cookie stays valid if it ever
        moves worker, and (unless the person set it) each encode on one core, since the team already runs a
        process per core (index.embed.Encoder)."""
        env = {**self.env, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
        env.setdefault("ILS_COACH_ENCODE_THREADS", "1")
        return env

    def start(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ils-coach-serve-"))
        self.worker_ports = free_ports(self.count, avoid={self.port})
        config = self.folder / "haproxy.cfg"
        config.write_text(proxy_config(self.address, self.port, self.worker_ports), encoding="utf-8")
        checked = subprocess.run([self.haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if checked.returncode != 0:
            raise ServeError(f"HAProxy refused its configuration: {(checked.stderr or checked.stdout).strip()}")
        env = self.worker_env()
        for n, port in enumerate(self.worker_ports, 1):
            self._spawn(f"worker {n}", [
                sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                "--server.address", "127.0.0.1", "--server.headless", "true",
                "--browser.gatherUsageStats", "false"], env)
            print(f"ILS Coach: worker {n} starting on 127.0.0.1:{port}", file=self.out, flush=True)
        self._wait_healthy([f"http://127.0.0.1:{port}" for port in self.worker_ports], "the workers")
        self._spawn("proxy", [self.haproxy, "-db", "-f", str(config)], self.env)
        self._wait_healthy([f"http://127.0.0.1:{self.port}" if self.address in ("0.0.0.0", "::")
                            else self.url], "HAProxy")
        # HAProxy has read its configuration: remove it now, so not even a kill -9 of this process leaves it.
        shutil.rmtree(self.folder, ignore_errors=True)

    def watch(self, poll: float = 0.2) -> None:
        """Return never; raise Stop when a signal asked to stop, ServeError when a worker or the proxy exits."""
        while True:
            self._check()
            time.sleep(poll)

    def stop(self, grace: float = 5.0, reap: float = 5.0) -> None:
        """SIGTERM to the whole group, SIGKILL to what is left after `grace` seconds; remove the folder.

        Children are reaped with os.waitpid, not Popen.wait: a Popen whose poll() was cut short by an exception
        keeps its lock, and a Popen.wait() without timeout then blocks for ever. Whatever the kernel has not let
        go `reap` seconds after SIGKILL is left to it (the parent-death signal covers it when serve exits).
        """
        try:
            if self.group is not None:
                _signal_group(self.group, signal.SIGTERM)
                deadline = time.monotonic() + grace
                while (not self._reaped() or _signal_group(self.group, 0)) and time.monotonic() < deadline:
                    time.sleep(0.05)
                if _signal_group(self.group, signal.SIGKILL):
                    print("ILS Coach: some processes did not stop in time and were killed", file=self.out,
                          flush=True)
                deadline = time.monotonic() + reap
                while not self._reaped() and time.monotonic() < deadline:
                    time.sleep(0.05)
        finally:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)

    def _reaped(self) -> bool:
        """Collect the exit status of every child that has exited, without blocking; True when all have."""
        for child in self.children:
            if child.proc.returncode is not None:
                continue
            try:
                pid, status = os.waitpid(child.proc.pid, os.WNOHANG)
            except ChildProcessError:  # reaped already and its status lost: taken as 0, as Popen does
                child.proc.returncode = 0
                continue
            if pid == child.proc.pid:
                child.proc.returncode = os.waitstatus_to_exitcode(status)
        return all(child.proc.returncode is not None for child in self.children)


def _signal_group(group: int, signum: int) -> bool:
    """Send a signal to a process group; False when no process of it is left."""
    try:
        os.killpg(group, signum)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def serve(workers: int, port: int, address: str = "127.0.0.1", haproxy: str = "", out=None) -> int:
    """Run the team until Ctrl+C or SIGTERM (exit code 0) or until a process of it fails (1)."""
    out = out or sys.stdout
    try:
        team = Team(workers, port, address, haproxy, out=out)
    except ServeError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 1

    def stop(signum, _frame):
        team.stopping = team.stopping or signal.Signals(signum).name

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, stop) for sig in signals}
    try:
        try:
            team.start()
            print(f"ILS Coach: open {team.url} in your browser ({workers} worker{'s' if workers != 1 else ''} "
                  f"behind HAProxy; Ctrl+C stops it)", file=out, flush=True)
            team.watch()
        except Stop:
            print("ILS Coach: stopping", file=out, flush=True)
            return 0
        except ServeError as err:
            print(f"error: {err}", file=sys.stderr, flush=True)
            return 1
        finally:
            # A second Ctrl+C or SIGTERM while stopping must not cut the stop short and leave the group running.
            for sig in signals:
                signal.signal(sig, signal.SIG_IGN)
            team.stop()
            print("ILS Coach: stopped", file=out, flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
