"""Shared fixtures: a tiny framework, a deterministic fake encoder, and the real retriever built once."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import settings
from corpus.model import FORMAT

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class FakeEncoder:
    """Deterministic bag-of-words vectors: each word hashes to a few dimensions. Same text, same vector."""

    def __init__(self, dimension: int = 64, name: str = "fake-encoder"):
        self.name = name
        self.path = name
        self.dimension = dimension
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"[a-z]+", text.lower()):
            digest = hashlib.sha256(word.encode()).digest()
            for k in range(3):
                vec[digest[k] % self.dimension] += 1.0 if digest[k + 3] % 2 else -1.0
        norm = np.linalg.norm(vec)
        if norm == 0:
            vec[0] = 1.0
            norm = 1.0
        return vec / norm

    def encode(self, texts, batch_size: int = 32, progress: bool = False) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)


TINY = {
    "format": FORMAT,
    "id": "tiny-test",
    "name": "Tiny test framework",
    "level": "Test level",
    "clusters": [
        {
            "id": "people",
            "name": "People",
            "capabilities": [
                {
                    "id": "coaching",
                    "name": "Coaches staff",
                    "description": "Develops staff through coaching and feedback.",
                    "indicators": [
                        {"id": "coaching.1", "text": "Gives honest feedback to staff about their performance."},
                        {"id": "coaching.2", "text": "Coaches staff to build new skills."},
                    ],
                },
                {
                    "id": "conflict",
                    "name": "Resolves conflict",
                    "description": "Settles disputes between colleagues and teams.",
                    "indicators": [
                        {"id": "conflict.1", "text": "Mediates disputes between colleagues calmly."},
                        {"id": "conflict.2", "text": "Addresses tension in the team early."},
                    ],
                },
            ],
        },
        {
            "id": "results",
            "name": "Results",
            "capabilities": [
                {
                    "id": "budget",
                    "name": "Manages budget",
                    "description": "Keeps spending within the budget and reports on money.",
                    "indicators": [
                        {"id": "budget.1", "text": "Tracks spending against the budget every month."},
                        {"id": "budget.2", "text": "Finds savings when money is tight."},
                    ],
                }
            ],
        },
    ],
}


@pytest.fixture
def tiny_doc() -> dict:
    return json.loads(json.dumps(TINY))


@pytest.fixture
def tiny_path(tmp_path, tiny_doc) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_doc), encoding="utf-8")
    return path


@pytest.fixture
def tiny_framework(tiny_path):
    from corpus.model import load

    return load(tiny_path)


@pytest.fixture
def tiny_exemplars(tmp_path) -> Path:
    path = tmp_path / "exemplars.json"
    path.write_text(json.dumps({"exemplars": {
        "coaching": ["my staff member needs feedback on her work", "helping a junior officer build skills"],
        "conflict": ["two of my managers are fighting", "my team keeps arguing about everything"],
        "budget": ["we are over budget this quarter", "finance wants savings from my branch"],
    }}), encoding="utf-8")
    return path


@pytest.fixture
def tiny_offtopic(tmp_path) -> Path:
    path = tmp_path / "offtopic.json"
    path.write_text(json.dumps({"examples": ["what is the capital of france", "recipe for pancakes",
                                             "zebra giraffe lion"]}), encoding="utf-8")
    return path


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def tiny_retriever(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    from index import store
    from retrieval.engine import Retriever

    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    return Retriever(tiny_framework, index, fake_encoder, max_chars=500)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> settings.Settings:
    """The default settings with the index in a temporary folder, built once per test session."""
    return dataclasses.replace(settings.get(), index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def real_retriever(real_settings):
    """The real model, the real corpus and a real FAISS index (built once per session)."""
    from retrieval.engine import Retriever

    return Retriever.from_settings(real_settings)


@pytest.fixture(scope="session")
def real_env(real_settings) -> dict:
    """Environment for subprocesses that should use the session's real index."""
    real_retriever_dir = str(real_settings.index_dir)
    return {**os.environ, "ILS_COACH_INDEX_DIR": real_retriever_dir, "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="session")
def app_server(real_settings):
    """A real `streamlit run app.py` on a free loopback port, using the session's index. Yields its URL."""
    from bench.server import server

    with server(real_settings.index_dir) as (url, _process):
        yield url


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright. Skipped with a reason where it is missing, unless CI requires it."""
    reason = ""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = reason or "playwright is not installed (pip install -r requirements-dev.txt)"
    if reason:
        if os.environ.get("ILS_COACH_REQUIRE_BROWSER"):
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context and page (its own cookies and Streamlit session)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests save screenshots: build/screenshots/ in the project."""
    folder = ROOT / "build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


AXE = ROOT / "build" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's axe.min.js, installed from npm by `make axe` into build/ (kept out of git)."""
    if not AXE.exists():
        reason = f"axe-core is not installed at {AXE.relative_to(ROOT)} (run `make axe`)"
        if os.environ.get("ILS_COACH_REQUIRE_BROWSER"):
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    return AXE


def axe_violations(page, script: Path) -> list[str]:
    """Run axe-core's WCAG 2.2 A and AA rules on the page as it is now; one line per rule broken, naming the
    elements (at most five) and what is wrong with the first."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    found = page.evaluate(
        """async (tags) => {
             const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}});
             return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => n.target.join(" ")), why: v.nodes[0] ? v.nodes[0].failureSummary : ""}));
           }""", WCAG_22_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s): {v['nodes'][:5]}; {v['why']}"
            for v in found]


def assert_accessible(page, script: Path, where: str) -> None:
    """No WCAG 2.2 A or AA violation on the page as it is now (axe-core); prints the count with `where`."""
    found = axe_violations(page, script)
    print(f"\naxe, {where}: {len(found)} violation(s)")
    assert not found, "\n".join(found)
