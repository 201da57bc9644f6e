"""The running app: server memory after 20 browser sessions, and the time from Enter to the answer on screen.

Starts a real `streamlit run app.py` on a free loopback port and drives it with Debian's Chromium through
Playwright, one browser context (one Streamlit session) per situation. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.cold import environment
from bench.stats import ROOT, median, percentile, rss_mb

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHAT_INPUT = '[data-testid="stChatInputTextArea"]'
# True once an assistant message below the user's message (found by its text) names a framework capability.
ANSWERED = """([asked, names]) => {
  const messages = [...document.querySelectorAll('[data-testid="stChatMessage"]')];
  const isUser = m => m.querySelector('[data-testid="stChatMessageAvatarUser"]');
  let question = -1;
  messages.forEach((m, n) => { if (isUser(m) && m.innerText.includes(asked)) question = n; });
  if (question < 0) return false;
  return messages.slice(question + 1).some(m => !isUser(m) && names.some(name => m.innerText.includes(name)));
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(proc: subprocess.Popen, url: str, timeout: float, tail) -> None:
    """Poll the server's health endpoint until it answers 200; raise RuntimeError with the end of its log
    (`tail()`) if the process exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early: {tail()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s: {tail()}")
        time.sleep(0.3)


@contextmanager
def server(index_dir: Path | str | None = None, timeout: float = 120):
    """A streamlit server on 127.0.0.1; yields (url, process). Stopped (terminate, then kill) on exit."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=environment(index_dir), stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"

        def tail() -> str:
            log.seek(0)
            return log.read()[-2000:].decode("utf-8", "replace")

        try:
            wait_until_up(proc, url, timeout, tail)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def session(browser, url: str, situation: str, names: list[str], timeout_ms: int = 120_000):
    """Open a new session, ask one situation; returns (context, seconds from Enter to the answer on screen)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(url)
    box = page.locator(CHAT_INPUT)
    box.wait_for(timeout=timeout_ms)
    box.fill(situation)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(ANSWERED, arg=[situation[:60], names], timeout=timeout_ms, polling="raf")
    return context, time.perf_counter() - started


def measure(situations: list[str], names: list[str], sessions: int = 20, index_dir: Path | str | None = None) -> dict:
    """Server RSS idle, after the first answer and with `sessions` sessions open; Enter-to-answer timings."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is not installed")
    with server(index_dir) as (url, proc), sync_playwright() as pw:
        idle = rss_mb(proc.pid)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts, seconds = [], []
        after_first = None
        try:
            for n in range(sessions):
                context, elapsed = session(browser, url, situations[n % len(situations)], names)
                contexts.append(context)
                seconds.append(elapsed)
                if n == 0:
                    after_first = rss_mb(proc.pid)
            time.sleep(1.0)
            with_sessions = rss_mb(proc.pid)
        finally:
            for context in contexts:
                context.close()
            browser.close()
        time.sleep(1.0)
        closed = rss_mb(proc.pid)
    warm = seconds[1:] or seconds
    return {
        "sessions": sessions,
        "server_rss_mb": {
            "idle": idle["rss_mb"],
            "after_first_answer": after_first["rss_mb"] if after_first else None,
            "with_sessions_open": with_sessions["rss_mb"],
            "after_sessions_closed": closed["rss_mb"],
            "peak": closed["peak_mb"],
        },
        "enter_to_answer": {
            "median_ms": round(median(warm) * 1000, 1),
            "p95_ms": round(percentile(warm, 95) * 1000, 1),
            "first_session_ms": round(seconds[0] * 1000, 1),
            "n": len(warm),
        },
    }
