"""Tuning the encoder on the exemplars (index/tune.py): pairs and batches, the cache key, reuse and repair."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pytest

import settings
from index import export, store, tune
from tests.conftest import FakeEncoder

EXEMPLARS = {
    "coaching": ["my staff member needs feedback on her work", "helping a junior officer build skills",
                 "one of my EL1s wants to step up and I want to help her get there"],
    "conflict": ["two of my managers are fighting", "my team keeps arguing about everything",
                 "the branch heads won't speak to each other after the restructure"],
    "budget": ["we are over budget this quarter", "finance wants savings from my branch",
               "the program will run out of money by March"],
}


def test_pairs_join_each_exemplar_to_texts_of_its_own_capability(tiny_framework):
    items = tune.pairs(tiny_framework, EXEMPLARS, random.Random(0))
    own = {cap.id: {f"{cap.name}. {cap.description}", *(i.text for i in cap.indicators), *EXEMPLARS[cap.id]}
           for cap in tiny_framework.capabilities}
    assert len(items) == 2 * sum(len(v) for v in EXEMPLARS.values())
    for pair in items:
        assert pair.text in EXEMPLARS[pair.capability]
        assert pair.partner in own[pair.capability] and pair.partner != pair.text
    anchors_only = tune.pairs(tiny_framework, EXEMPLARS, random.Random(0), peers=False)
    assert len(anchors_only) == sum(len(v) for v in EXEMPLARS.values())
    assert all(p.partner not in EXEMPLARS[p.capability] for p in anchors_only)


def test_pairs_are_reproducible_from_the_seed(tiny_framework):
    first = tune.pairs(tiny_framework, EXEMPLARS, random.Random(7))
    assert first == tune.pairs(tiny_framework, EXEMPLARS, random.Random(7))
    assert first != tune.pairs(tiny_framework, EXEMPLARS, random.Random(8))


def test_batches_never_hold_two_pairs_of_one_capability():
    items = [tune.Pair(f"t{n}", f"p{n}", cap) for n in range(10) for cap in "abcd"]
    random.Random(0).shuffle(items)
    out = tune.batches(items, size=3)
    assert sorted(p.text + p.capability for b in out for p in b) == sorted(p.text + p.capability for p in items)
    for batch in out:
        assert 1 <= len(batch) <= 3
        assert len({p.capability for p in batch}) == len(batch)


def test_the_key_follows_everything_that_shapes_the_weights(tiny_framework, tiny_doc, tmp_path):
    from corpus.model import load

    base = tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe())
    assert base == tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe())
    tiny_doc["clusters"][0]["capabilities"][0]["description"] += " Edited."
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(tiny_doc))
    others = {
        tune.key("other-model", tiny_framework, "abc", tune.Recipe()),
        tune.key("all-MiniLM-L6-v2", tiny_framework, "abd", tune.Recipe()),
        tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe(seed=1)),
        tune.key("all-MiniLM-L6-v2", load(edited), "abc", tune.Recipe()),
    }
    assert base not in others and len(others) == 4


def test_read_accepts_only_a_whole_folder_with_the_right_key(tmp_path):
    folder = tmp_path / "m"
    assert tune.read(folder, "k1") is None
    folder.mkdir()
    (folder / tune.WEIGHTS).write_bytes(b"x" * 100)
    (folder / tune.RECORD).write_text(json.dumps({"key": "k1", "weights_bytes": 100, "weights_sha256": "s"}))
    found = tune.read(folder, "k1")
    assert found is not None and found.entry == {"key": "k1", "weights_sha256": "s"}
    assert tune.read(folder, "k2") is None
    (folder / tune.WEIGHTS).write_bytes(b"x" * 40)
    assert tune.read(folder, "k1") is None, "truncated weights"
    (folder / tune.RECORD).write_text("{not json")
    assert tune.read(folder, "k1") is None


def test_no_exemplars_means_no_tuning(tiny_framework, tmp_path):
    assert tune.ensure("all-MiniLM-L6-v2", tiny_framework, None, "", tmp_path) is None
    assert tune.ensure("all-MiniLM-L6-v2", tiny_framework, {"coaching": ["  "]}, "x", tmp_path) is None


@pytest.mark.parametrize(("raw", "expect"), [("", True), ("1", True), ("on", True), ("0", False),
                                             ("off", False), ("False", False)])
def test_the_tune_setting(monkeypatch, raw, expect):
    monkeypatch.setenv("ILS_COACH_TUNE", raw)
    assert settings.get().tune is expect


def test_a_bad_tune_setting_is_named(monkeypatch):
    monkeypatch.setenv("ILS_COACH_TUNE", "maybe")
    with pytest.raises(ValueError, match="ILS_COACH_TUNE"):
        settings.get()


def test_an_index_built_with_other_tuned_weights_is_stale(tiny_framework, tiny_exemplars, tiny_offtopic, tmp_path):
    encoder = FakeEncoder()
    first = {"key": "k", "weights_sha256": "one"}
    store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m", tuning=first)
    again = store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m", tuning=first)
    assert again.notices == [] and again.manifest["tuning"] == first
    changed = store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m",
                           tuning={"key": "k", "weights_sha256": "two"})
    assert "tuned model changed" in changed.notices[0]
    untuned = store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m")
    assert "tuned model changed" in untuned.notices[0] and untuned.manifest["tuning"] is None


@pytest.fixture(scope="module")
def tuned_tiny(tmp_path_factory):
    """The real model tuned on the tiny framework (a few seconds): the folder and the base-model vectors."""
    from corpus.model import load
    from tests.conftest import TINY

    root = tmp_path_factory.mktemp("tuned")
    path = root / "tiny.json"
    path.write_text(json.dumps(TINY))
    framework = load(path)
    tuned = tune.ensure(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha-of-exemplars", root / "index",
                        recipe=tune.Recipe(epochs=6, learning_rate=1e-4, batch=3))
    return framework, tuned, root


def _margin(encoder, framework) -> float:
    """Mean over exemplars of (similarity to own capability's anchor) - (best similarity to another's)."""
    anchors = encoder.encode([f"{c.name}. {c.description}" for c in framework.capabilities])
    caps = [c.id for c in framework.capabilities]
    out = []
    for cap, texts in EXEMPLARS.items():
        sims = encoder.encode(texts) @ anchors.T
        own = caps.index(cap)
        out += list(sims[:, own] - np.delete(sims, own, axis=1).max(axis=1))
    return float(np.mean(out))


@pytest.mark.slow
def test_tuning_pulls_exemplars_towards_their_capability(tuned_tiny):
    from index.embed import Encoder

    framework, tuned, _ = tuned_tiny
    before = _margin(Encoder(settings.DEFAULT_MODEL, library=True), framework)
    after = _margin(Encoder(str(tuned.path)), framework)
    assert after > before + 0.05, (before, after)
    record = json.loads((tuned.path / tune.RECORD).read_text())
    assert record["key"] == tuned.key and record["weights_sha256"] == tuned.weights_sha256
    assert record["steps"] > 0 and "saved it to" in tuned.notices[0]


@pytest.mark.slow
def test_the_tuned_folder_holds_its_onnx_export_with_the_same_vectors(tuned_tiny):
    from index.embed import Encoder

    _, tuned, _ = tuned_tiny
    made = export.read(tuned.path / export.FOLDER, tuned.path)
    assert made is not None and made.ok
    fast, library = Encoder(str(tuned.path)), Encoder(str(tuned.path), library=True)
    assert fast.backend == "onnxruntime" and library.backend == "sentence-transformers"
    assert fast.notices == [] and fast.export.folder == made.folder
    texts = ["two of my managers are fighting", "a long one " * 300]
    assert np.abs(fast.encode(texts) - library.encode(texts)).max() < 1e-5


@pytest.mark.slow
def test_a_saved_tuned_model_is_reused_and_a_damaged_one_retrained(tuned_tiny, monkeypatch):
    framework, tuned, root = tuned_tiny
    recipe = tune.Recipe(epochs=6, learning_rate=1e-4, batch=3)
    calls = []
    real_make = tune.make
    monkeypatch.setattr(tune, "make", lambda *a, **k: calls.append(1) or real_make(*a, **k))
    again = tune.ensure(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha-of-exemplars", root / "index",
                        recipe=recipe)
    assert calls == [] and again.notices == [] and again.entry == tuned.entry
    weights = tuned.path / tune.WEIGHTS
    weights.write_bytes(weights.read_bytes()[:1000])
    repaired = tune.ensure(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha-of-exemplars", root / "index",
                           recipe=recipe)
    assert calls == [1] and "damaged" in repaired.notices[0]
    assert tune.read(tuned.path, tuned.key) is not None


@pytest.mark.slow
def test_an_unwritable_index_folder_tunes_into_a_temporary_folder(tuned_tiny, tmp_path, monkeypatch):
    framework, _, _ = tuned_tiny
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    tuned = tune.ensure(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha", blocker / "index",
                        recipe=tune.Recipe(epochs=1, batch=3))
    assert tuned.path.exists() and not str(tuned.path).startswith(str(blocker))
    assert "lasts only while this program runs" in tuned.notices[0]
    calls = []
    monkeypatch.setattr(tune, "make", lambda *a, **k: calls.append(1))
    again = tune.ensure(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha", blocker / "index",
                        recipe=tune.Recipe(epochs=1, batch=3))
    assert calls == [] and again.path == tuned.path, "tuned once per process"
    assert "lasts only while this program runs" in again.notices[0]


@pytest.mark.slow
def test_the_real_index_records_the_tuned_model_that_answers_queries(real_retriever, real_settings):
    manifest = real_retriever.index.manifest
    assert manifest["model"] == real_settings.model
    tuned_folder = tune.folder_for(real_settings.index_dir, manifest["tuning"]["key"])
    found = tune.read(tuned_folder, manifest["tuning"]["key"])
    assert found is not None and found.entry == manifest["tuning"]
    assert real_retriever.encoder.path == str(tuned_folder)
    untuned = dataclasses.replace(real_settings, tune=False)
    from index import ready

    assert ready.wanted(real_retriever.framework, untuned, untuned.model)["tuning"] is None
    assert ready.wanted(real_retriever.framework, real_settings, real_settings.model)["tuning"] == manifest["tuning"]


def test_prune_removes_only_replaced_models_of_the_same_framework(tmp_path):
    def model(name: str, framework: str | None) -> object:
        folder = tmp_path / name
        folder.mkdir()
        if framework is not None:
            (folder / tune.RECORD).write_text(json.dumps({"framework": framework}))
        return folder

    keep, old, other, unknown = model("new", "ils"), model("old", "ils"), model("o", "other"), model("u", None)
    assert tune.prune(tmp_path, "ils", keep=keep) == [old]
    assert keep.exists() and other.exists() and unknown.exists() and not old.exists()


@pytest.mark.slow
def test_tuning_twice_gives_the_same_weights(tuned_tiny, tmp_path):
    framework, tuned, _ = tuned_tiny
    again = tune.make(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha-of-exemplars", tmp_path / "again",
                      recipe=tune.Recipe(epochs=6, learning_rate=1e-4, batch=3))
    assert again.weights_sha256 == tuned.weights_sha256 and again.key == tuned.key
