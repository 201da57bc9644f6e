"""`make serve`: Streamlit workers behind HAProxy with sticky sessions (serve/).

The fast tests check the proxy's configuration, the settings and the message when HAProxy is missing. The real
ones (marked slow) start `python -m serve` on free ports with the session's real index and drive it through the
proxy with the websocket client a browser tab would be (bench/wsclient.py): health, two sessions answered on two
workers, each kept on its own worker (a reconnecting session finds its conversation again through the proxy, and
not on the other worker), and nothing left running once it is stopped. They skip where HAProxy is not installed,
unless ILS_COACH_REQUIRE_SERVE is set.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

import serve
import settings
from bench import wsclient
from bench.wsclient import Session
from tests.test_load import SITUATIONS, expected_top

ROOT = Path(__file__).resolve().parent.parent


# ---- fast: configuration, settings, the missing proxy ----

def test_proxy_config_is_sticky_by_cookie_checks_health_and_keeps_websockets():
    config = serve.proxy_config("127.0.0.1", 8600, [40001, 40002])
    assert "bind 127.0.0.1:8600" in config
    assert f"cookie {serve.COOKIE} insert indirect nocache httponly" in config
    assert "server w1 127.0.0.1:40001 cookie w1 check" in config
    assert "server w2 127.0.0.1:40002 cookie w2 check" in config
    assert "option httpchk GET /_stcore/health" in config
    assert "timeout tunnel 1h" in config
    assert re.search(r"^\s*log\b", config, re.M) is None, "the proxy must not log requests"
    assert "bind [::1]:8600" in serve.proxy_config("::1", 8600, [40001])


def test_workers_port_and_address_come_from_settings(monkeypatch):
    for name in ("ILS_COACH_WORKERS", "ILS_COACH_PORT", "ILS_COACH_ADDRESS", "ILS_COACH_HAPROXY"):
        monkeypatch.delenv(name, raising=False)
    config = settings.get()
    assert (config.workers, config.port, config.address) == (settings.cores(), 8501, "127.0.0.1")
    monkeypatch.setenv("ILS_COACH_WORKERS", "3")
    monkeypatch.setenv("ILS_COACH_PORT", "8600")
    assert (settings.get().workers, settings.get().port) == (3, 8600)
    for bad in ("0", "many", "65"):
        monkeypatch.setenv("ILS_COACH_WORKERS", bad)
        with pytest.raises(settings.SettingsError, match="ILS_COACH_WORKERS"):
            settings.get()


def test_cores_per_encode_come_from_settings(monkeypatch):
    monkeypatch.delenv("ILS_COACH_ENCODE_THREADS", raising=False)
    assert settings.get().encode_threads == 2
    monkeypatch.setenv("ILS_COACH_ENCODE_THREADS", "1")
    assert settings.get().encode_threads == 1
    for bad in ("0", "two", "65"):
        monkeypatch.setenv("ILS_COACH_ENCODE_THREADS", bad)
        with pytest.raises(settings.SettingsError, match="ILS_COACH_ENCODE_THREADS"):
            settings.get()


def test_missing_haproxy_is_one_clear_line(run_main, monkeypatch):
    monkeypatch.setenv("ILS_COACH_HAPROXY", "/nowhere/haproxy")
    code, out, err = run_main("serve", ["--workers", "1", "--port", "8600"])
    assert code == 1
    assert err.count("\n") == 1 and "install it with apt-get install haproxy" in err, err
    monkeypatch.delenv("ILS_COACH_HAPROXY")
    monkeypatch.setattr(serve.shutil, "which", lambda name: None)
    monkeypatch.setattr(serve.os, "access", lambda path, mode: False)
    with pytest.raises(serve.ServeError, match="install it with apt-get install haproxy"):
        serve.find_haproxy()


def test_worker_ports_never_take_the_proxy_port(monkeypatch):
    offered = iter([40001, 40002, 40003])

    class Socket:
        def bind(self, address):
            self.port = next(offered)

        def getsockname(self):
            return ("127.0.0.1", self.port)

        def close(self):
            pass

    monkeypatch.setattr(serve.socket, "socket", Socket)
    assert serve.free_ports(2, avoid={40001}) == [40002, 40003]


def test_workers_give_each_encode_one_core_unless_told_otherwise(monkeypatch):
    monkeypatch.setattr(serve, "find_haproxy", lambda configured="": "haproxy")
    team = serve.Team(2, 8600, env={"PATH": "/usr/bin"})
    first, second = team.worker_env(), team.worker_env()
    assert first["ILS_COACH_ENCODE_THREADS"] == "1" and first["PATH"] == "/usr/bin"
    assert len(first["STREAMLIT_SERVER_COOKIE_SECRET"]) == 64
    assert first["STREAMLIT_SERVER_COOKIE_SECRET"] != second["STREAMLIT_SERVER_COOKIE_SECRET"]
    told = serve.Team(2, 8600, env={"ILS_COACH_ENCODE_THREADS": "2"})
    assert told.worker_env()["ILS_COACH_ENCODE_THREADS"] == "2"


def test_the_server_skips_streamlits_full_collection_after_every_run(monkeypatch):
    """Streamlit's default gc.collect(2) after each script run was most of a loaded server's processor time."""
    from streamlit import config

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("STREAMLIT_RUNNER_POST_SCRIPT_GC", raising=False)
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("runner.postScriptGC") is False
        assert config.get_option("browser.gatherUsageStats") is False
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)


def test_bad_worker_count_is_refused(run_main):
    code, _out, err = run_main("serve", ["--workers", "0"])
    assert code == 2 and "--workers must be from 1 to 64" in err


# ---- real: the team on free ports ----

@pytest.fixture(scope="module")
def haproxy():
    try:
        return serve.find_haproxy(settings.get().haproxy)
    except serve.ServeError as err:
        if os.environ.get("ILS_COACH_REQUIRE_SERVE"):
            pytest.fail(f"serve test required but {err}")
        pytest.skip(str(err))


class Served:
    """A running `python -m serve`: its process, what it printed, the public URL and each worker's port."""

    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            if line.startswith("ILS Coach: open "):
                self.ready.set()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def worker_ports(self) -> dict[str, int]:
        """The workers' ports by their cookie value (w1, w2, ...)."""
        found = re.findall(r"worker (\d+) starting on 127\.0\.0\.1:(\d+)", self.output)
        return {f"w{n}": int(port) for n, port in found}

    def children(self) -> dict[int, str]:
        """The processes `serve` started (pid: command line), read from /proc."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == self.proc.pid:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError, IndexError):
                continue
        return found


def alive(pid: int) -> bool:
    """Is the process there and not a zombie?"""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def served(env: dict, workers: int, timeout: float = 150):
    """`python -m serve` in a process group of its own (as a terminal runs it); killed with its group on exit."""
    port = serve.free_ports(1)[0]
    proc = subprocess.Popen([sys.executable, "-m", "serve", "--workers", str(workers), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    team = Served(proc, port)
    started: dict[int, str] = {}
    try:
        deadline = time.monotonic() + timeout
        while not team.ready.wait(0.5):
            assert proc.poll() is None, f"serve exited early:\n{team.output}"
            assert time.monotonic() < deadline, f"serve not ready within {timeout} s:\n{team.output}"
        started = team.children()
        yield team
    finally:
        # Whatever the test did, kill what is left: serve's group and its children, found before it stopped.
        left = {**started, **team.children()}
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid, command in left.items():
            try:
                same = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() == command
            except OSError:
                same = False
            if same and alive(pid):  # the same process, not another that took its number since
                os.kill(pid, signal.SIGKILL)


def worker_cookie(url: str) -> str:
    """Open the app's page as a new browser would; the worker the proxy's cookie names."""
    with urllib.request.urlopen(url + "/", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    found = [c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith(serve.COOKIE + "=")]
    assert len(found) == 1, cookies
    return found[0]


def wait_gone(children: dict[int, str], ports: list[int], seconds: float = 20) -> None:
    """Wait until no child is alive and no port answers. A killed process's main thread turns zombie before its
    other threads have gone, and its sockets close only then, so ports are waited for too."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in children) and not any(listening(port) for port in ports):
            return
        time.sleep(0.2)
    left = {pid: cmd for pid, cmd in children.items() if alive(pid)}
    assert not left, f"left running after stop: {left}"
    assert not [port for port in ports if listening(port)], f"a port of {ports} is still open after stop"


def assert_stopped(team: Served, children: dict[int, str], ports: list[int]) -> None:
    """Within 30 s `serve` has exited, and no worker, proxy or port of it is left, nor the proxy's folder."""
    try:
        team.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"serve did not exit within 30 s of the signal; it printed:\n{team.output}")
    wait_gone(children, ports)
    folders = {m for cmd in children.values() for m in re.findall(r"(/\S*ils-coach-serve-[^/\s]+)/", cmd)}
    assert folders and not [f for f in folders if Path(f).exists()], f"proxy folder left behind: {folders}"


@pytest.mark.slow
def test_two_workers_behind_the_proxy(haproxy, real_env, real_retriever):
    names = [cap.name for cap in real_retriever.framework.capabilities]
    tag = secrets.token_hex(3)
    texts = [f"{SITUATIONS[n]} (ref Q{tag}S{n})" for n in range(2)]
    markers = [f"Q{tag}S{n}" for n in range(2)]
    wanted = [expected_top(real_retriever, text) for text in texts]

    with served(real_env, workers=2) as team:
        with urllib.request.urlopen(team.url + "/_stcore/health", timeout=10) as response:
            assert (response.status, response.read()) == (200, b"ok")
        workers = team.worker_ports
        assert sorted(workers) == ["w1", "w2"], team.output
        cookies = [worker_cookie(team.url) for _ in range(2)]
        assert sorted(cookies) == ["w1", "w2"], f"the two sessions were not spread over both workers: {cookies}"

        async def converse(n: int):
            async with Session(team.url, headers={"Cookie": f"{serve.COOKIE}={cookies[n]}"}) as tab:
                runs = [await tab.start()]
                runs.append(await tab.chat(texts[n]))
                return tab.session_id, runs

        async def resume(url: str, session_id: str, cookie: str | None = None):
            headers = {"Cookie": f"{serve.COOKIE}={cookie}"} if cookie else {}
            async with Session(url, headers=headers, resume=session_id) as tab:
                return await tab.start()

        async def everything():
            first = await asyncio.gather(converse(0), converse(1))
            await asyncio.sleep(1.0)  # let the workers see both websockets close
            again = []
            for n, (session_id, _runs) in enumerate(first):
                other = cookies[1 - n]
                again.append({
                    "proxy": await resume(team.url, session_id, cookies[n]),
                    "own worker": await resume(f"http://127.0.0.1:{workers[cookies[n]]}", session_id),
                    "other worker": await resume(f"http://127.0.0.1:{workers[other]}", session_id),
                })
            return first, again

        first, again = wsclient.run(everything(), 240)

        for n, (session_id, runs) in enumerate(first):
            assert session_id, "the server gave the session no id"
            answered = runs[-1]
            for run in runs:
                assert run.status == "FINISHED_SUCCESSFULLY" and not run.exceptions, (n, run.status)
                assert markers[1 - n] not in run.text, f"session {n} received the other session's words"
            assert answered.after(texts[n]).first(names) == wanted[n], (n, texts[n])
            print(f"\nsession {n} on worker {cookies[n]}: {wanted[n]} in {answered.seconds:.2f} s")

            # Stickiness: the session lives in the worker its cookie names, and the proxy takes it back there.
            assert markers[n] in again[n]["proxy"].text, f"session {n} lost its conversation through the proxy"
            assert markers[n] in again[n]["own worker"].text, f"session {n} is not on worker {cookies[n]}"
            assert markers[n] not in again[n]["other worker"].text, f"session {n} is on both workers"
            assert markers[1 - n] not in " ".join(r.text for r in again[n].values())

        children = team.children()
        assert len(children) == 3, children  # two workers and the proxy
        team.proc.send_signal(signal.SIGTERM)
        assert_stopped(team, children, [int(team.url.rsplit(":", 1)[1]), *workers.values()])
        assert team.proc.returncode == 0, team.output
        assert "ILS Coach: stopped" in team.output


@pytest.mark.slow
@pytest.mark.parametrize("how", ["Ctrl+C", "SIGKILL"])
def test_nothing_left_behind(haproxy, real_env, how):
    """Ctrl+C in a terminal signals the whole foreground group: serve stops its workers and the proxy. Even
    when serve itself is killed outright, its children are told (the parent-death signal) and stop."""
    with served(real_env, workers=1) as team:
        children = team.children()
        assert len(children) == 2, children
        ports = [int(team.url.rsplit(":", 1)[1]), *team.worker_ports.values()]
        if how == "Ctrl+C":
            os.killpg(team.proc.pid, signal.SIGINT)
            assert_stopped(team, children, ports)
            assert team.proc.returncode == 0, team.output
        else:
            team.proc.kill()
            team.proc.wait(timeout=30)
            wait_gone(children, ports)


# ---- fast: stopping, with stand-in children (plain Python processes, no Streamlit or HAProxy) ----

SLEEPER = "import time; print('up', flush=True); time.sleep(120)"
# A child that ignores SIGTERM, as a worker stuck in its shutdown would.
STUBBORN = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); "
            "time.sleep(120)")


class Standin(serve.Team):
    """A team whose children are the given Python snippets; `watch` gives up after `patience` seconds."""

    def __init__(self, snippets: list[str], out=None, patience: float = 10.0):
        super().__init__(1, serve.free_ports(1)[0], haproxy=sys.executable, out=out or io.StringIO())
        self.snippets = snippets
        self.deadline = time.monotonic() + patience

    def start(self) -> None:
        for n, snippet in enumerate(self.snippets, 1):
            self._spawn(f"child {n}", [sys.executable, "-c", snippet], self.env)
        deadline = time.monotonic() + 30
        while not all(child.lines for child in self.children):  # each says "up" once its handlers are set
            assert time.monotonic() < deadline, "a stand-in child did not start"
            time.sleep(0.05)

    def _check(self) -> None:
        super()._check()
        if time.monotonic() > self.deadline:
            raise serve.ServeError("nothing stopped the team")

    def kill_all(self) -> None:
        for child in self.children:
            if child.proc.returncode is None and alive(child.proc.pid):
                child.proc.kill()


@contextmanager
def sigint_ignored():
    """SIGINT ignored, as a program started in the background of a script (`sh -c 'make test &'`) inherits it."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def test_stop_kills_what_ignores_sigterm_and_never_hangs_on_an_interrupted_poll():
    team = Standin([STUBBORN, SLEEPER])
    team.start()
    stubborn, sleeper = (child.proc for child in team.children)
    # The state a signal's exception leaves when it lands in Popen.poll() between taking its lock and the `try`
    # that releases it: Popen.wait() without a timeout would then block for ever.
    stubborn._waitpid_lock.acquire()
    stopping = threading.Thread(target=team.stop, kwargs={"grace": 1.0}, daemon=True)
    began = time.monotonic()
    try:
        stopping.start()
        stopping.join(20)
        assert not stopping.is_alive(), "Team.stop() still waiting after 20 s"
        assert time.monotonic() - began < 10
        assert (stubborn.returncode, sleeper.returncode) == (-signal.SIGKILL, -signal.SIGTERM)
        assert not alive(stubborn.pid) and not alive(sleeper.pid)
        assert "did not stop in time and were killed" in team.out.getvalue()
    finally:
        stubborn._waitpid_lock.release()
        team.kill_all()


def signalled_teams(teams: list, signum: int, kind=None):
    """A stand-in for serve.Team that records each team it makes (a `kind` of Standin over one sleeper) and sends
    this process `signum` a second after it is made."""

    def team(*_args, out=None, **_kwargs):
        teams.append((kind or Standin)([SLEEPER], out))
        threading.Timer(1.0, os.kill, (os.getpid(), signum)).start()
        return teams[-1]

    return team


def test_ctrl_c_stops_serve_even_when_it_started_with_sigint_ignored(monkeypatch):
    teams = []
    monkeypatch.setattr(serve, "Team", signalled_teams(teams, signal.SIGINT))
    out = io.StringIO()
    try:
        with sigint_ignored():
            code = serve.serve(1, 8600, out=out)
            after = signal.getsignal(signal.SIGINT)
        assert code == 0, out.getvalue()
        assert "ILS Coach: stopping" in out.getvalue() and "ILS Coach: stopped" in out.getvalue()
        assert teams[0].children[0].proc.returncode == -signal.SIGTERM
        assert after == signal.SIG_IGN, "serve did not put SIGINT back as it found it"
    finally:
        for made in teams:
            made.kill_all()


def test_a_second_signal_while_stopping_does_not_cut_the_stop_short(monkeypatch):
    teams = []

    class Team(Standin):
        def stop(self, grace: float = 1.0) -> None:
            os.kill(os.getpid(), signal.SIGTERM)  # as a service manager might, while the first Ctrl+C is handled
            time.sleep(0.2)
            super().stop(grace)

    monkeypatch.setattr(serve, "Team", signalled_teams(teams, signal.SIGTERM, Team))
    out = io.StringIO()
    before = signal.getsignal(signal.SIGTERM)
    try:
        code = serve.serve(1, 8600, out=out)
        assert code == 0 and "ILS Coach: stopped" in out.getvalue(), out.getvalue()
        assert teams[0].children[0].proc.returncode == -signal.SIGTERM
        assert signal.getsignal(signal.SIGTERM) == before
    finally:
        signal.signal(signal.SIGTERM, before)
        for made in teams:
            made.kill_all()
