"""The off-topic rule kept beside a saved index (retrieval/kept.py): read back, refitted when anything changes."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest

from index import store
from retrieval import kept, topic
from retrieval.engine import Retriever


@pytest.fixture
def saved(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    def load():
        index = store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
        return Retriever(tiny_framework, index, fake_encoder)

    return load


TEXTS = ["two managers keep arguing", "what is the capital of france", "we are over budget"]


def test_the_rule_is_kept_and_read_back_the_same(saved, monkeypatch):
    first = saved()
    assert (first.index.path / kept.FILE).exists()
    monkeypatch.setattr(topic, "rule", lambda *a, **k: pytest.fail("the kept rule must be read, not refitted"))
    again = saved()
    assert np.array_equal(again.rule.detector.weights, first.rule.detector.weights)
    assert (again.rule.detector.bias, again.rule.detector.threshold, again.rule.similarity_threshold) == \
        (first.rule.detector.bias, first.rule.detector.threshold, first.rule.similarity_threshold)
    vectors = first.encoder.encode(TEXTS)
    assert np.array_equal(again.confidence(vectors), first.confidence(vectors))
    assert [r.off_topic for r in again.search_many(TEXTS)] == [r.off_topic for r in first.search_many(TEXTS)]


def test_a_kept_rule_of_another_index_or_other_code_is_refitted(saved, monkeypatch):
    retriever = saved()
    index, method = retriever.index, retriever.method
    assert kept.load(index, method) is not None
    with monkeypatch.context() as patch:
        patch.setattr(kept, "_SOURCES", (*kept._SOURCES, "classifier.py"))
        assert kept.load(index, method) is None, "a change to the code that fits the rule changes the key"
    assert kept.load(index, method) is not None
    monkeypatch.setitem(index.manifest, "files", index.manifest["files"] | {store.OFFTOPIC_FILE: "0" * 64})
    assert kept.load(index, method) is None


def test_a_kept_rule_of_another_ranking_method_is_refitted(tiny_framework, fake_encoder, tiny_exemplars,
                                                          tiny_offtopic, tmp_path):
    """Which items count for a capability (Method.examples_in_ranking) changes the roll-up the rule is fitted on."""
    import dataclasses

    from retrieval.engine import Method

    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    first = Retriever(tiny_framework, index, fake_encoder)
    other = dataclasses.replace(first.method, examples_in_ranking=not first.method.examples_in_ranking)
    assert kept.load(index, first.method) is not None and kept.load(index, other) is None
    second = Retriever(tiny_framework, index, fake_encoder, method=other)
    assert kept.load(index, other) is not None, "refitted for the other method and saved"
    assert isinstance(second.method, Method)


def test_a_damaged_or_unwritable_kept_rule_is_refitted(saved, monkeypatch):
    first = saved()
    (first.index.path / kept.FILE).write_bytes(b"not an npz file")
    assert kept.load(first.index, first.method) is None
    again = saved()
    assert kept.load(again.index, again.method) is not None, "refitted and saved again"
    (again.index.path / kept.FILE).unlink()

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    third = saved()
    assert third.rule is not None and not (third.index.path / kept.FILE).exists()


def test_a_truncated_kept_rule_is_refitted(saved):
    path = saved().index.path / kept.FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    again = saved()
    assert kept.load(again.index, again.method) is not None, "refitted and saved again, not a crash"
