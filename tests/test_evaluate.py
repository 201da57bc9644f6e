"""The quality harness: metrics by hand, loading the labelled file, and a report on the tiny framework."""

from __future__ import annotations

import json

import pytest

from retrieval import evaluate


def test_metrics_by_hand():
    labels = [("a",), ("b", "c"), ("d",), ("e", "x")]
    rankings = [
        ["a", "b", "c", "d", "e", "f"],
        ["a", "c", "b", "d", "e", "f"],
        ["a", "b", "c", "e", "f", "d"],
        ["a", "b", "c", "d", "f", "g"],
    ]
    scores = evaluate.score(labels, rankings)
    assert scores.n == 4
    assert scores.hit1 == 0.25
    assert scores.hit3 == 0.5
    assert scores.mrr == pytest.approx((1 + 1 / 2 + 1 / 6 + 0) / 4, abs=1e-4)
    assert scores.mrr3 == pytest.approx((1 + 1 / 2) / 4, abs=1e-4)
    assert scores.recall5 == pytest.approx((1 + 1 + 0 + 0) / 4, abs=1e-4)
    assert evaluate.score([], []).n == 0


def test_recall_counts_each_label():
    scores = evaluate.score([("a", "b", "z")], [["a", "q", "r", "s", "b", "z"]])
    assert scores.recall5 == pytest.approx(2 / 3, abs=1e-4)


def test_load_reads_labels_and_rejects_bad_lines(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s1", "text": "t", "labels": ["a", "b"], "split": "dev"}\n\n'
                    '{"id": "o1", "text": "hi", "labels": [], "split": "test", "off_topic": true}\n', encoding="utf-8")
    rows = evaluate.load(path)
    assert [(r.id, r.labels, r.split, r.off_topic) for r in rows] == [("s1", ("a", "b"), "dev", False),
                                                                      ("o1", (), "test", True)]
    path.write_text('{"id": "s1", "text": "t"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"s.jsonl:1"):
        evaluate.load(path)


@pytest.fixture
def tiny_situations(tmp_path):
    rows = [
        {"id": "1", "text": "we are over budget and need savings", "labels": ["budget"], "split": "dev"},
        {"id": "2", "text": "two of my managers keep fighting", "labels": ["conflict"], "split": "dev"},
        {"id": "3", "text": "feedback for a junior officer", "labels": ["coaching", "conflict"], "split": "test"},
        {"id": "4", "text": "zebra giraffe lion", "labels": [], "split": "dev", "off_topic": True},
    ]
    path = tmp_path / "situations.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return evaluate.load(path)


def test_report_on_the_tiny_framework(tiny_retriever, tiny_situations):
    report = evaluate.evaluate(tiny_retriever, tiny_situations)
    assert set(report["splits"]) == {"dev", "test"}
    dev = report["splits"]["dev"]
    assert set(dev["scores"]) == set(evaluate.SYSTEMS)
    assert dev["scores"]["method"]["n"] == 2 and report["splits"]["test"]["scores"]["bm25"]["n"] == 1
    texts = [s.text for s in tiny_situations if s.split == "dev"]
    flags = [r.off_topic for r in tiny_retriever.search_many(texts)]
    assert dev["abstention"] == {"off_topic": 1, "off_topic_flagged": int(flags[2]), "real": 2,
                                 "real_flagged": int(flags[0]) + int(flags[1])}
    ranked, _ = evaluate.method_rankings(tiny_retriever, texts)
    assert all(sorted(r) == sorted(c.id for c in tiny_retriever.capabilities) for r in ranked)
    hit1 = sum(r[0] in s.labels for r, s in zip(ranked[:2], tiny_situations[:2], strict=True)) / 2
    assert dev["scores"]["method"]["hit1"] == hit1
    text = evaluate.render(report)
    assert "dev split" in text and "test split" in text and "BM25 (no exemplars)" in text and "off-topic" in text
    assert set(evaluate.evaluate(tiny_retriever, tiny_situations, ("test",))["splits"]) == {"test"}


def test_baselines_use_framework_text_only(tiny_retriever):
    assert evaluate.lexical_rankings(tiny_retriever, ["mediates disputes calmly"])[0][0] == "conflict"
    assert evaluate.dense_rankings(tiny_retriever, ["Tracks spending against the budget."])[0][0] == "budget"
    # "arguing" occurs only in a conflict exemplar: the method's lexical part sees it, the baseline does not.
    assert evaluate.lexical_rankings(tiny_retriever, ["arguing"])[0] == ["coaching", "conflict", "budget"]
    assert tiny_retriever.capabilities[int(tiny_retriever.lexical.scores("arguing").argmax())].id == "conflict"


def test_random_order_expectations_by_hand():
    assert evaluate._random_hits(5, 2, 1) == pytest.approx((0.4, 0.6))
    assert evaluate._random_hits(3, 1, 1) == pytest.approx((1 / 3, 1.0))
    assert evaluate._random_hits(0, 0, 0) == (0.0, 0.0)


def test_shown_words_overlap_labelled_phrases_in_the_text():
    text = "She keeps missing deadlines and the team is picking up the slack."
    assert evaluate._overlaps(text, "missing deadlines", ("keeps missing deadlines",))
    assert evaluate._overlaps(text, "deadlines and the team", ("the slack", "team is picking"))
    assert not evaluate._overlaps(text, "deadlines and the", ("the slack", "team is picking"))
    assert not evaluate._overlaps(text, "team", ("keeps missing deadlines",))
    assert not evaluate._overlaps(text, "absent words", ("keeps missing deadlines",))


def test_indicator_report_and_messy_slices(tiny_retriever, tiny_situations, tmp_path):
    labels_path = tmp_path / "indicators.jsonl"
    labels_path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "capabilities": {"budget": {"best": ["budget.2"], "also": [], "words": {"budget.2": ["savings"]}}}},
        {"id": "2", "capabilities": {"conflict": {"best": ["conflict.1"], "also": ["conflict.2"],
                                                  "words": {"conflict.1": ["managers keep fighting"]}}}},
    ]), encoding="utf-8")
    labels = evaluate.load_indicators(labels_path)
    assert [(lab.situation, lab.capability, lab.best) for lab in labels] == [("1", "budget", ("budget.2",)),
                                                                            ("2", "conflict", ("conflict.1",))]
    report = evaluate.evaluate(tiny_retriever, tiny_situations, ("dev",), messy=tiny_situations, indicators=labels)
    assert set(report["splits"]) == {"dev", "messy-dev"}
    ind = report["splits"]["dev"]["indicators"]
    assert ind["n"] == 2 and set(ind["ranking"]) == set(evaluate.INDICATOR_SYSTEMS)
    results = tiny_retriever.search_many([s.text for s in tiny_situations[:2]], top=3, indicators=None)
    firsts = [next(c for c in r.capabilities if c.id == cap).indicators[0].id
              for r, cap in zip(results, ("budget", "conflict"), strict=True)]
    assert ind["ranking"]["method"]["ind1"] == (int(firsts[0] == "budget.2") + int(firsts[1] in {"conflict.1",
                                                                                                 "conflict.2"})) / 2
    assert ind["ranking"]["random"]["ind1"] == pytest.approx((0.5 + 1.0) / 2)
    assert 0.0 <= ind["shown"]["fit_share"] <= 1.0 and 0.0 <= ind["words"]["precision"] <= 1.0
    assert "indicators:" in evaluate.render(report) and "probity" in evaluate.render(report)
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "1", "capabilities": {"budget": {}}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="broken.jsonl:1"):
        evaluate.load_indicators(path)


def test_voices_slice_counts_by_whom_each_text_is_about(tiny_retriever):
    texts = ["My managers keep fighting over the budget.", "Finance wants savings from my branch.",
             "Two of my staff are shouting at each other."]
    ranked = tiny_retriever.search_many(texts, top=1)
    firsts = [r.capabilities[0].id for r in ranked]
    voices = [evaluate.Situation("v-staff-001", texts[0], (firsts[0],), "test"),
              evaluate.Situation("v-staff-002", texts[1], ("nothing-like-it",), "test"),
              evaluate.Situation("v-self-001", texts[2], (firsts[2],), "test")]
    report = evaluate.evaluate(tiny_retriever, voices, ("test",), voices=voices)
    assert set(report["splits"]) == {"test", "voices-test"}
    subjects = report["splits"]["voices-test"]["subjects"]
    assert subjects == {"staff": {"n": 2, "hit1": 1, "guides_first": 0}, "self": {"n": 1, "hit1": 1, "guides_first": 0}}
    assert "subjects" not in report["splits"]["test"]
    assert "about staff: 2 situations, first capability right 1" in evaluate.render(report)
    assert evaluate.subject(evaluate.Situation("m001", "x", (), "dev")) == ""
    assert evaluate.evaluate(tiny_retriever, voices, ("dev",), voices=voices)["splits"] == {}
