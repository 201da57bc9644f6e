"""Retrieval quality: the classifier, fusion, sentence splitting and abstention (fake encoder), the labelled data,
and, with the real model, that the method beats both baselines on the dev split through the CLI's code path."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from retrieval import classifier, evaluate, scoring, topic
from retrieval.engine import Method, Retriever
from retrieval.lexical import BM25, tokens

ROOT = Path(__file__).resolve().parents[1]
EXEMPLARS = ROOT / "corpus" / "data" / "exemplars.json"
INDICATOR_EXAMPLES = ROOT / "corpus" / "data" / "indicator-exemplars.json"
TWO_CONCERNS = ("We are over budget this quarter. Finance wants savings from my branch by June. "
                "The spending report shows the budget is tight. Two of my managers are fighting.")


def _blobs(seed: int = 0):
    """Three well-separated clusters of unit vectors in 8 dimensions."""
    rng = np.random.default_rng(seed)
    centres = np.eye(8)[:3] * 3
    x = np.vstack([c + rng.normal(0, 0.3, (10, 8)) for c in centres])
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.repeat(np.arange(3), 10)


def test_classifier_is_deterministic_and_separates():
    x, y = _blobs()
    first = classifier.train(x, y, 3)
    second = classifier.train(x.copy(), y.copy(), 3)
    assert np.array_equal(first.weights, second.weights) and np.array_equal(first.bias, second.bias)
    assert (first.scores(x).argmax(axis=1) == y).all()
    assert first.weights.shape == (8, 3) and first.covered.all()


def test_classifier_leaves_classes_without_examples_neutral():
    x, y = _blobs()
    keep = y < 2
    model = classifier.train(x[keep], y[keep], 3)
    scores = model.scores(x)
    assert not model.covered[2]
    np.testing.assert_allclose(scores[:, 2], scores[:, :2].mean(axis=1))
    assert classifier.train(x[:5], y[:5], 3) is None
    assert classifier.train(np.zeros((0, 8)), np.zeros(0), 3) is None


def test_standardise_and_fuse():
    z = scoring.standardise(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]))
    np.testing.assert_allclose(z[0], [-1.2247449, 0.0, 1.2247449], atol=1e-6)
    assert (z[1] == 0).all()
    a = np.array([[0.9, 0.1, 0.5]])
    b = np.array([[10.0, 30.0, 20.0]])
    assert scoring.fuse([(a, 1.0), (b, 0.0)]).argmax() == 0
    assert scoring.fuse([(a, 1.0), (b, 3.0)]).argmax() == 1
    np.testing.assert_allclose(scoring.fuse([(a, 1.0), (b, 1.0)]),
                               scoring.standardise(a) + scoring.standardise(b))
    with pytest.raises(ValueError):
        scoring.fuse([(a, 0.0)])


def test_combine_lets_one_sentence_lift_its_concern():
    whole = np.array([3.0, 1.0, 1.2])
    pieces = np.array([[3.0, 0.0, 1.0], [0.0, 3.0, 0.5]])
    combined = scoring.combine(whole, pieces)
    assert list(np.argsort(-whole)) == [0, 2, 1]
    assert list(np.argsort(-combined)[:2]) == [0, 1]
    np.testing.assert_allclose(scoring.combine(whole, np.zeros((0, 3))), whole)
    np.testing.assert_allclose(scoring.softmax(np.array([0.0, np.log(3.0)])), [0.25, 0.75])


def test_sentence_split_surfaces_the_second_concern(tiny_framework, fake_encoder, tiny_retriever):
    split = tiny_retriever.search(TWO_CONCERNS, top=3)
    whole = Retriever(tiny_framework, tiny_retriever.index, fake_encoder,
                      method=dataclasses.replace(Method(), split_from=99)).search(TWO_CONCERNS, top=3)
    assert [c.id for c in split.capabilities[:2]] == ["budget", "conflict"]
    assert "sentence by sentence (4 sentences)" in split.notices[0] and not whole.notices
    share = {c.id: c.score for c in split.capabilities}
    assert share["conflict"] > {c.id: c.score for c in whole.capabilities}["conflict"]
    assert sum(share.values()) == pytest.approx(1.0)
    assert tiny_retriever.pieces("Just one short sentence here.") == []


def test_retriever_parts_are_used(tiny_retriever):
    assert tiny_retriever.classifier is not None and tiny_retriever.classifier.covered.all()
    text = "finance wants savings"
    result = tiny_retriever.search(text, top=3)
    vectors = tiny_retriever.encoder.encode([text])
    sims = tiny_retriever._similarities(vectors)
    expected = scoring.softmax(tiny_retriever._fused([text], vectors, sims)[0])
    caps = [c.id for c in tiny_retriever.capabilities]
    assert [c.score for c in result.capabilities] == pytest.approx(sorted(expected, reverse=True))
    assert result.top.id == caps[int(expected.argmax())] == "budget"


def test_without_exemplars_dense_and_lexical_still_rank(tiny_framework, fake_encoder, tiny_offtopic, tmp_path):
    from index import store

    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "bare", None, tiny_offtopic)
    retriever = Retriever(tiny_framework, index, fake_encoder)
    assert retriever.classifier is None
    assert retriever.calibration.threshold == scoring.FALLBACK_THRESHOLD
    assert retriever.search("mediates disputes between colleagues", top=1).top.id == "conflict"


def test_abstention_rule_adds_detector_and_similarity_margins(tiny_retriever):
    index, owners = tiny_retriever.index, tiny_retriever.owners
    rows = index.rows("exemplar")
    sims = index.vectors[rows] @ index.vectors.T
    sims[np.arange(rows.size), rows] = -1.0
    real = scoring.rollup(sims, owners, 3).max(axis=1)
    off = scoring.rollup(index.offtopic @ index.vectors.T, owners, 3).max(axis=1)
    rule = tiny_retriever.rule
    assert rule.similarity_threshold == pytest.approx(scoring.calibrate(real, off))
    assert rule.detector.threshold == pytest.approx(topic.fit(index.vectors, index.offtopic).threshold)
    texts = ["zebra giraffe lion", "two of my managers are fighting", "finance wants savings", "pancake"]
    for text, result in zip(texts, tiny_retriever.search_many(texts), strict=True):
        vector = tiny_retriever.encoder.encode([text])
        similarity = scoring.rollup(vector @ index.vectors.T, owners, 3).max()
        expected = ((rule.detector.scores(vector)[0] - rule.detector.threshold) / rule.detector_scale
                    + (similarity - rule.similarity_threshold) / rule.similarity_scale)
        assert result.confidence == pytest.approx(expected, abs=1e-4)
        assert result.off_topic == (expected < 0)
    assert [r.off_topic for r in tiny_retriever.search_many(texts[:2])] == [True, False]


def test_a_clear_signal_outvotes_a_doubtful_one():
    detector = topic.Detector(np.array([1.0, 0.0]), 0.0, threshold=0.0)
    rule = topic.Rule(detector, similarity_threshold=0.5, detector_scale=1.0, similarity_scale=0.1)
    vectors = np.array([[-0.2, 0.0], [-0.2, 0.0], [3.0, 0.0]])
    confidence = rule.confidence(vectors, np.array([0.7, 0.45, 0.45]))
    assert confidence[0] > 0, "close to a capability though the detector doubts it a little"
    assert confidence[1] < 0, "both doubt it"
    assert confidence[2] > 0, "the detector is sure though the similarity is a little low"


def test_without_offtopic_inputs_the_similarity_rule_and_fallback_threshold_apply(tiny_framework, fake_encoder,
                                                                                   tiny_exemplars, tmp_path):
    from index import store

    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "no-off", tiny_exemplars, None)
    retriever = Retriever(tiny_framework, index, fake_encoder)
    assert retriever.rule is None and retriever.calibration.kind == "similarity"
    assert retriever.calibration.threshold == scoring.FALLBACK_THRESHOLD
    vector = fake_encoder.encode(["two of my managers are fighting"])
    expected = scoring.rollup(vector @ index.vectors.T, retriever.owners, 3).max()
    assert retriever.search("two of my managers are fighting").confidence == pytest.approx(expected, abs=1e-5)


def _groups(seed: int, n_pos: int, n_neg: int, dim: int = 8, gap: float = 3.0):
    rng = np.random.default_rng(seed)
    centre = np.zeros(dim)
    centre[0] = gap
    return rng.normal(size=(n_pos, dim)) + centre, rng.normal(size=(n_neg, dim)) - centre


def test_detector_separates_two_groups_and_sets_the_cut_between_them():
    pos, neg = _groups(0, 300, 40)
    detector = topic.fit(pos, neg)
    new_pos, new_neg = _groups(1, 200, 200)
    assert (detector.scores(new_pos) >= detector.threshold).mean() > 0.97
    assert (detector.scores(new_neg) < detector.threshold).mean() > 0.97
    again = topic.fit(pos, neg)
    assert np.array_equal(again.weights, detector.weights) and again.threshold == detector.threshold


def test_detector_weighs_both_classes_equally_however_many_of_each():
    pos, neg = _groups(2, 1000, 20, gap=0.8)
    weights, bias = topic.train(pos, neg)
    scores_pos, scores_neg = pos @ weights + bias, neg @ weights + bias
    assert (scores_neg < 0).mean() > 0.6, "a few negatives are not swamped by many positives"
    assert (scores_pos > 0).mean() > 0.6


def test_bm25_matches_stems_and_weights_rare_terms():
    index = BM25(["negotiation with the states", "budget savings budget", "team feedback and coaching"])
    assert index.scores("negotiating a deal").argmax() == 0
    assert index.scores("budget").argmax() == 1
    assert (index.scores("the and of") == 0).all()
    assert tokens("We're Negotiating") == ["negoti"]
    common = BM25(["budget one", "budget two", "budget three coaching"]).scores("budget coaching")
    assert common.argmax() == 2
    assert (common > 0).all(), "a term in every document still counts a little"


def test_bm25_equals_the_lucene_variant_of_bm25s():
    """Reference: bm25s's Lucene BM25 leaves out the constant (k1 + 1) factor of the numerator."""
    import bm25s

    documents = ["negotiation with the states about funding", "budget savings budget again",
                 "team feedback and coaching for staff", "the budget and the team", "a very long document " * 9]
    reference = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    reference.index([tokens(d) for d in documents], show_progress=False)
    for query in ("budget coaching negotiating team", "funding states", "document team budget"):
        np.testing.assert_allclose(BM25(documents, k1=1.2, b=0.75).scores(query),
                                   2.2 * reference.get_scores(tokens(query)), rtol=1e-5)


# ---- the labelled data ----

def _situations() -> list[evaluate.Situation]:
    return evaluate.load()


def _exemplars() -> dict[str, list[str]]:
    return json.loads(EXEMPLARS.read_text(encoding="utf-8"))["exemplars"]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def test_eval_set_size_splits_and_coverage():
    import settings
    from corpus.model import load

    caps = {c.id for c in load(settings.get().framework).capabilities}
    situations = _situations()
    real = [s for s in situations if not s.off_topic]
    assert len(real) >= 150
    assert len({s.id for s in situations}) == len(situations)
    assert {s.split for s in situations} == {"dev", "test"}
    assert sum(s.split == "test" for s in real) >= len(real) / 3
    for split in ("dev", "test"):
        firsts = {s.labels[0] for s in real if s.split == split}
        assert firsts == caps, f"{split}: first labels miss {sorted(caps - firsts)}"
        assert any(s.off_topic for s in situations if s.split == split)
    assert all(set(s.labels) <= caps and 1 <= len(s.labels) <= 3 for s in real)


def test_messy_set_is_labelled_twice_and_split():
    import settings
    from corpus.model import load

    caps = {c.id for c in load(settings.get().framework).capabilities}
    rows = [json.loads(line) for line in evaluate.MESSY_DATA.read_text(encoding="utf-8").splitlines() if line]
    assert len(rows) >= 120 and len({r["id"] for r in rows}) == len(rows)
    assert {r["split"] for r in rows} == {"dev", "test"} and sum(r["split"] == "test" for r in rows) >= 40
    for r in rows:
        assert 1 <= len(r["labels"]) <= 3 and set(r["labels"]) <= caps, r["id"]
        assert 1 <= len(r["labels_second"]) <= 3 and set(r["labels_second"]) <= caps, r["id"]
    agree = sum(r["labels_second"][0] in r["labels"] for r in rows) / len(rows)
    assert agree >= 0.8, "the two labellers mostly agree on the first capability"
    assert len({r["persona"] for r in rows}) >= 5


def test_indicator_labels_name_real_indicators_and_verbatim_words():
    import settings
    from corpus.model import load

    framework = load(settings.get().framework)
    owner = {i.id: i.capability_id for i in framework.indicators}
    texts = {s.id: s for s in _situations()}
    labels = evaluate.load_indicators()
    assert len({lab.situation for lab in labels}) >= 150
    assert {texts[lab.situation].split for lab in labels} == {"dev", "test"}
    for lab in labels:
        assert lab.capability in texts[lab.situation].labels, lab
        assert 1 <= len(lab.best) <= 3 and not set(lab.best) & set(lab.also)
        assert all(owner[i] == lab.capability for i in (*lab.best, *lab.also)), lab
        assert set(lab.words) == set(lab.best)
        assert all(w in texts[lab.situation].text for ws in lab.words.values() for w in ws), lab


def test_exemplars_never_overlap_the_eval_set_in_words():
    exemplars = [(cap, text) for cap, texts in _exemplars().items() for text in texts]
    indicator_examples = json.loads(INDICATOR_EXAMPLES.read_text(encoding="utf-8"))["indicators"]
    exemplars += [(ind, text) for ind, texts in indicator_examples.items() for text in texts]
    normal = {re.sub(r"\W+", " ", t.lower()).strip() for _, t in exemplars}
    exemplar_words = [_words(t) for _, t in exemplars]
    holding = defaultdict(list)
    for n, other in enumerate(exemplar_words):
        for word in other:
            holding[word].append(n)
    for s in _situations() + evaluate.load(evaluate.MESSY_DATA) + evaluate.load(evaluate.VOICES_DATA):
        assert re.sub(r"\W+", " ", s.text.lower()).strip() not in normal, s.id
        words = _words(s.text)
        # Jaccard similarity to every exemplar that shares a word with it (the others' is 0).
        shared = Counter(n for word in words for n in holding[word])
        worst = max((both / (len(words) + len(exemplar_words[n]) - both) for n, both in shared.items()), default=0.0)
        assert worst < 0.6, (s.id, worst)


@pytest.mark.slow
def test_exemplars_are_not_near_duplicates_of_eval_situations(real_retriever):
    rows = real_retriever.index.rows("exemplar")
    assert rows.size >= 20 * 8
    situations = _situations()
    vectors = real_retriever.encoder.encode([s.text for s in situations])
    closest = (vectors @ real_retriever.index.vectors[rows].T).max(axis=1)
    assert closest.max() < 0.95, situations[int(closest.argmax())].id


# ---- the real model ----

@pytest.mark.slow
def test_method_beats_both_baselines_on_dev(real_retriever):
    report = evaluate.evaluate(real_retriever, _situations(), ("dev",))
    scores = report["splits"]["dev"]["scores"]
    for baseline in ("dense", "bm25"):
        assert scores["method"]["hit1"] > scores[baseline]["hit1"], (baseline, scores)
        assert scores["method"]["mrr"] > scores[baseline]["mrr"], (baseline, scores)
    abstention = report["splits"]["dev"]["abstention"]
    assert abstention["off_topic_flagged"] >= abstention["off_topic"] - 1
    assert abstention["real_flagged"] <= max(1, round(0.025 * abstention["real"]))


@pytest.mark.slow
def test_indicator_fit_beats_the_baselines_on_dev(real_retriever):
    report = evaluate.indicator_report(real_retriever, _situations(), evaluate.load_indicators(), "dev")
    ranking = report["ranking"]
    for baseline in ("cosine", "untuned", "bm25", "random"):
        assert ranking["method"]["ind1"] > ranking[baseline]["ind1"], (baseline, ranking)
        assert ranking["method"]["ind3"] >= ranking[baseline]["ind3"], (baseline, ranking)
    assert ranking["method"]["ind1"] >= 0.75 and ranking["method"]["ind3"] >= 0.9
    assert report["words"]["precision"] >= 0.75 and report["words"]["shown"] >= report["words"]["pairs"] / 4


@pytest.mark.slow
def test_the_word_floor_is_the_one_the_dev_rule_gives(real_retriever):
    from retrieval import fit

    chosen = real_retriever.evidence.model.word_floor
    below = round(chosen - 0.02, 2)
    points = fit.word_floors(real_retriever, _situations(), evaluate.load_indicators(), (below, chosen))
    assert fit.floor(points) == chosen, points
    assert real_retriever.evidence.model.word_floor == chosen, "the retriever is left as it was"


@pytest.mark.slow
def test_evaluation_follows_the_cli_batch_path(real_retriever, real_env):
    dev = [s for s in _situations() if s.split == "dev"]
    ranked, flags = evaluate.method_rankings(real_retriever, [s.text for s in dev])
    run = subprocess.run([sys.executable, "-m", "retrieval", "search"], input="\n".join(s.text for s in dev) + "\n",
                         capture_output=True, text=True, cwd=ROOT, env=real_env, timeout=300)
    assert run.returncode == 0, run.stderr[-500:]
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == len(dev)
    assert [[c["id"] for c in line["capabilities"]] for line in lines] == [r[:3] for r in ranked]
    assert [line["off_topic"] for line in lines] == flags


@pytest.mark.slow
def test_evaluate_command_prints_json(real_settings, monkeypatch, capsys):
    monkeypatch.setenv("ILS_COACH_INDEX_DIR", str(real_settings.index_dir))
    assert evaluate.main(["--json", "--split", "dev"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["splits"]) == {"dev", "messy-dev"}
    assert set(report["splits"]["dev"]["scores"]) == {"method", "dense", "bm25"}
    assert set(report["splits"]["dev"]["indicators"]["ranking"]) == set(evaluate.INDICATOR_SYSTEMS)
    assert report["rule"] == "combined" and report["threshold"] == 0.0
    assert -10 < report["parts"]["detector_threshold"] < 10 and 0 < report["parts"]["similarity_threshold"] < 1


@pytest.mark.slow
def test_splitting_surfaces_both_concerns_of_joined_dev_situations(real_retriever):
    real = [s for s in _situations() if s.split == "dev" and not s.off_topic]
    rng = np.random.default_rng(7)
    pairs = []
    while len(pairs) < 60:
        a, b = (real[n] for n in rng.choice(len(real), 2, replace=False))
        text = f"{a.text} {b.text}"
        if not set(a.labels) & set(b.labels) and real_retriever.pieces(text):
            pairs.append((text, a.labels, b.labels))
    whole = Retriever(real_retriever.framework, real_retriever.index, real_retriever.encoder,
                      method=dataclasses.replace(real_retriever.method, split_from=99))

    def both(retriever) -> float:
        found = 0
        for result, (_, first, second) in zip(retriever.search_many([p[0] for p in pairs], top=3), pairs, strict=True):
            top = {c.id for c in result.capabilities}
            found += bool(top & set(first)) and bool(top & set(second))
        return found / len(pairs)

    assert both(real_retriever) > both(whole)
