"""The Retriever's setup kept beside a saved index (retrieval/derived.py): read back, it ranks as a fresh one does."""

from __future__ import annotations

import dataclasses
import tempfile

import numpy as np
import pytest

import settings
from corpus.model import load as load_framework
from index import store
from retrieval import derived, evidence
from retrieval.engine import Retriever
from tests.conftest import FakeEncoder

TEXTS = [
    "two managers keep arguing",
    "what is the capital of france",
    "we are over budget this quarter and finance wants savings",
    "My EL1 wants feedback on her drafting. The MO rang about the brief. The Dep Sec is unhappy. "
    "Our team is tense and the budget is tight.",
    "<b>Negotiating</b> with stakeholders about the **program** timeline; they won't agree.",
    "Coaching a new APS6 officer who keeps missing deadlines — she’s anxious and the team’s behaviour is poor.",
    "x",
    "Mediates disputes between colleagues calmly.",
    "budget " * 60,
    "Ich habe ein Problem mit meinem Chef 😟 and a restructure announced last week",
]
GLOSSARY = evidence.Glossary({"MO": "Minister's office", "Dep Sec": "Deputy Secretary", "el1": "executive level 1"},
                             frozenset({"MO"}))


def in_memory(index: store.Index) -> store.Index:
    """The same index without its folder, so nothing is read from or written beside it."""
    return dataclasses.replace(index, path=None, notices=[])


def loaded_again(framework, encoder, folder, exemplars, offtopic, indicators=None) -> store.Index:
    index = store.ensure(framework, encoder, folder, exemplars, offtopic, indicators_path=indicators)
    assert not index.built, "the saved index is loaded, not rebuilt"
    return index


def assert_same_answers(kept: Retriever, fresh: Retriever, texts=TEXTS):
    """Same capability order and scores (1e-9), indicator order and scores, off-topic calls and evidence words."""
    for a, b in zip(kept.search_many(texts, top=len(kept.capabilities), indicators=None),
                    fresh.search_many(texts, top=len(fresh.capabilities), indicators=None), strict=True):
        assert [c.id for c in a.capabilities] == [c.id for c in b.capabilities]
        assert np.allclose([c.score for c in a.capabilities], [c.score for c in b.capabilities], rtol=0, atol=1e-9)
        for ca, cb in zip(a.capabilities, b.capabilities, strict=True):
            assert [i.id for i in ca.indicators] == [i.id for i in cb.indicators]
            assert np.allclose([i.score for i in ca.indicators], [i.score for i in cb.indicators], rtol=0, atol=1e-9)
        assert (a.off_topic, a.confidence) == (b.off_topic, b.confidence)
        ids = [i.id for c in a.capabilities[:3] for i in c.indicators]
        assert kept.evidence.why(kept.encoder, (a.query,), ids) == fresh.evidence.why(fresh.encoder, (b.query,), ids)


def assert_same_state(kept: Retriever, fresh: Retriever):
    assert kept.evidence.lexicon.weights == fresh.evidence.lexicon.weights
    assert list(kept.lexical.postings) == list(fresh.lexical.postings) and kept.lexical.size == fresh.lexical.size
    for term, (docs, weights) in fresh.lexical.postings.items():
        assert np.array_equal(kept.lexical.postings[term][0], docs)
        assert np.array_equal(kept.lexical.postings[term][1], weights)
    for name in ("weights", "bias", "covered"):
        assert np.array_equal(getattr(kept.classifier, name), getattr(fresh.classifier, name))


@pytest.fixture
def tiny(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    """A Retriever on the tiny framework whose index is saved in a folder (built on the first call)."""
    def make(**kwargs) -> Retriever:
        index = store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
        return Retriever(tiny_framework, index, fake_encoder, max_chars=500, glossary=GLOSSARY, **kwargs)

    return make


def no_derivation(monkeypatch):
    monkeypatch.setattr(Retriever, "_derive", lambda self: pytest.fail("the kept state must be read, not worked out"))


def test_built_index_keeps_the_state_silently_and_later_starts_read_it(tiny, monkeypatch):
    first = tiny()
    assert first.index.built and (first.index.path / derived.FILE).exists()
    assert not any(derived.FILE in n for n in first.notices), "a fresh build needs no notice about its state"
    fresh = Retriever(first.framework, in_memory(first.index), first.encoder, max_chars=500, glossary=GLOSSARY)
    no_derivation(monkeypatch)
    again = tiny()
    assert not again.index.built and again.notices == []
    assert_same_state(again, fresh)
    assert_same_answers(again, fresh)


def test_the_real_framework_ranks_the_same_from_the_kept_state(tmp_path, monkeypatch):
    """The real framework, exemplars and indicator examples behind the fake encoder: a lexicon of thousands of stems."""
    config = settings.get()
    framework = load_framework(config.framework)
    encoder = FakeEncoder(dimension=256)
    args = (framework, encoder, tmp_path / "idx", config.exemplars, config.offtopic, config.indicator_exemplars)
    glossary = evidence.load_glossary(config.glossary)
    built = store.ensure(*args[:5], indicators_path=args[5])
    fresh = Retriever(framework, in_memory(built), encoder, glossary=glossary)
    assert (built.path / derived.FILE).exists() is False, "an index held in memory keeps nothing"
    Retriever(framework, built, encoder, glossary=glossary)
    assert (built.path / derived.FILE).exists()
    no_derivation(monkeypatch)
    kept = Retriever(framework, loaded_again(*args), encoder, glossary=glossary)
    assert kept.notices == []
    assert_same_state(kept, fresh)
    assert_same_answers(kept, fresh, TEXTS + [f"{c.name}: {c.description}" for c in framework.capabilities[::4]])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing array", "removed"])
def test_a_damaged_or_missing_state_is_worked_out_again_with_a_notice(tiny, damage):
    path = tiny().index.path / derived.FILE
    fresh_answers = tiny().search_many(TEXTS)
    if damage == "garbage":
        path.write_bytes(b"not an npz file")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "missing array":
        with np.load(path) as saved:
            kept = {name: saved[name] for name in saved.files if name != "bm25_weights"}
        np.savez(path, **kept)
    else:
        path.unlink()
    again = tiny()
    reason = "missing" if damage == "removed" else "damaged"
    assert len(again.notices) == 1 and f"{derived.FILE} {reason}" in again.notices[0]
    assert "saved it to" in again.notices[0] and "\n" not in again.notices[0]
    assert again.search_many(TEXTS) == fresh_answers
    assert tiny().notices == [], "worked out again and saved, so the next start reads it"


def test_a_stale_state_is_worked_out_again_with_a_notice(tiny, monkeypatch):
    first = tiny()
    weights = first.evidence.lexicon.weights
    with monkeypatch.context() as patch:
        patch.setattr(derived, "VERSION", derived.VERSION + 1)
        assert "out of date" in tiny().notices[0], "a new version of the derivation code changes the key"
    assert "out of date" in tiny().notices[0], "and back again"
    assert tiny(method=dataclasses.replace(first.method, examples_in_ranking=True)).notices[0].startswith(
        f"{derived.FILE} out of date"), "another ranking method changes the key"
    index = tiny().index
    index.notices.clear()
    monkeypatch.setitem(index.manifest, "built_at", "another build")
    again = Retriever(first.framework, index, first.encoder, max_chars=500, glossary=GLOSSARY)
    assert "out of date" in again.notices[0] and again.evidence.lexicon.weights == weights


def test_an_unwritable_folder_still_answers(tiny, monkeypatch):
    first = tiny()
    expected = first.search_many(TEXTS)
    (first.index.path / derived.FILE).unlink()

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    again = tiny()
    assert len(again.notices) == 1 and "could not save it" in again.notices[0]
    assert "Permission denied" in again.notices[0] and "in memory" not in again.notices[0]
    assert again.search_many(TEXTS) == expected
    assert not (again.index.path / derived.FILE).exists()


def test_a_failed_rename_leaves_no_temporary_file(tiny, monkeypatch):
    folder = tiny().index.path
    (folder / derived.FILE).unlink()

    def refused(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(derived.os, "replace", refused)
    again = tiny()
    assert "No space left on device" in again.notices[0] and again.search("two managers keep arguing").capabilities
    assert sorted(p.name for p in folder.iterdir() if derived.FILE in p.name) == []


def test_index_build_keeps_the_state_for_later_starts(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic,
                                                      tmp_path, monkeypatch):
    from index import ready
    from index.__main__ import prepare
    from retrieval import kept

    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    assert not (index.path / derived.FILE).exists()
    prepare(tiny_framework, ready.Ready(index, fake_encoder, None), settings.get())
    assert (index.path / derived.FILE).exists() and (index.path / kept.FILE).exists()
    no_derivation(monkeypatch)
    later = loaded_again(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    assert Retriever(tiny_framework, later, fake_encoder, glossary=GLOSSARY).notices == []
