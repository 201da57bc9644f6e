"""Retriever logic with the fake encoder, and a few clear cases with the real model."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import scoring
from retrieval.text import InputError, plain, prepare, sentences


def test_rollup_is_mean_of_two_best():
    sims = np.array([[0.9, 0.1, 0.5, 0.2, 0.8]], dtype=np.float32)
    owners = np.array([0, 0, 0, 1, 2])
    scores = scoring.rollup(sims, owners, 4)
    np.testing.assert_allclose(scores[0], [0.7, 0.2, 0.8, -1.0], atol=1e-6)


def _rollup_by_definition(sims: np.ndarray, owners: np.ndarray, n_caps: int, k: int) -> np.ndarray:
    """Each capability's score straight from the definition: the mean of its k best items (-1 without items)."""
    out = np.full((sims.shape[0], n_caps), -1.0)
    for cap in range(n_caps):
        cols = np.flatnonzero(owners == cap)
        for q in range(sims.shape[0]):
            if cols.size:
                out[q, cap] = np.mean(sorted(sims[q, cols], reverse=True)[:k])
    return out


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_rollup_of_many_queries_equals_the_definition_for_every_capability(k):
    rng = np.random.default_rng(k)
    owners = np.array([0] * 7 + [1] + [2] * 2 + [-1] * 3 + [4] * 3 + [5] * 12)  # 3 has no item, -1 counts for none
    rng.shuffle(owners)
    groups = scoring.Groups(owners, 6)
    for dtype in (np.float32, np.float64):
        sims = rng.uniform(-1, 1, size=(9, owners.size)).astype(dtype)
        got = groups.rollup(sims, k)
        assert got.shape == (9, 6) and got.dtype == np.float32
        np.testing.assert_allclose(got, _rollup_by_definition(sims, owners, 6, k), atol=1e-6)
        np.testing.assert_array_equal(scoring.rollup(sims[0], owners, 6, k), got[:1])


def test_calibrate_separates_and_weights_misses():
    real = np.array([0.5, 0.6, 0.7, 0.8])
    off = np.array([0.1, 0.2, 0.3])
    cut = scoring.calibrate(real, off)
    assert 0.3 < cut <= 0.5
    overlapping = scoring.calibrate(np.array([0.2, 0.6, 0.7]), np.array([0.1, 0.3, 0.35]))
    assert overlapping <= 0.2
    assert scoring.calibrate(np.array([]), off) == scoring.FALLBACK_THRESHOLD


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x01", "?!..."])
def test_blank_input_is_an_error(text):
    with pytest.raises(InputError, match="describe a work situation"):
        prepare(text, 100)


def test_prepare_cleans_and_truncates():
    prepared = prepare("my\x00 boss\u200b  keeps\tyelling\r\n\nat me", 1000)
    assert prepared.text == "my boss\u200b keeps yelling\nat me" or prepared.text.startswith("my boss")
    assert "\x00" not in prepared.text and not prepared.truncated
    long = prepare("word " * 20_000, 4000)
    assert long.truncated and len(long.text) <= 4000 and long.original_chars == 100_000
    assert prepare("\ud800 broken surrogate", 100).text.endswith("broken surrogate")
    assert prepare("我的经理不听我的意见", 100).text == "我的经理不听我的意见"


def test_sentences_split():
    assert sentences("One thing happened. Another thing too! ok") == ["One thing happened.", "Another thing too!"]


def test_fake_retriever_ranks_and_explains(tiny_retriever):
    result = tiny_retriever.search("we are over budget and need savings", top=2)
    assert result.top.id == "budget"
    assert result.top.cluster == "Results"
    assert len(result.capabilities) == 2
    assert [i.score for i in result.top.indicators] == sorted((i.score for i in result.top.indicators), reverse=True)
    assert result.top.indicators[0].id == "budget.2"


def test_filters(tiny_retriever):
    result = tiny_retriever.search("we are over budget and need savings", top=3, clusters=["people"])
    assert {c.cluster_id for c in result.capabilities} == {"people"}
    only = tiny_retriever.search("we are over budget", top=3, capabilities=["conflict"])
    assert [c.id for c in only.capabilities] == ["conflict"]
    with pytest.raises(InputError, match="unknown cluster or capability: nope"):
        tiny_retriever.search("budget", clusters=["nope"])


def test_long_input_is_truncated_with_notice(tiny_retriever):
    result = tiny_retriever.search("my team keeps arguing. " * 3000)
    assert result.truncated and "first" in result.notices[0]
    assert result.capabilities


def test_off_topic_uses_calibrated_threshold(tiny_retriever):
    calibration = tiny_retriever.calibration
    assert calibration.kind == "combined" and calibration.threshold == 0.0
    assert calibration.real == len(tiny_retriever.index.items) and calibration.off == 3
    result = tiny_retriever.search("zebra giraffe lion")
    assert result.off_topic
    assert result.confidence < result.threshold == tiny_retriever.calibration.threshold


def test_search_many_matches_single(tiny_retriever):
    texts = ["two managers fighting", "over budget"]
    many = tiny_retriever.search_many(texts)
    assert [r.top.id for r in many] == [tiny_retriever.search(t).top.id for t in texts]


@pytest.mark.slow
@pytest.mark.parametrize(
    "situation, expected",
    [
        ("One of my EL2s keeps missing deadlines and I need to have a frank conversation about her performance",
         "guides-mentors-and-develops-people"),
        ("We are negotiating a funding agreement with the states and they won't budge on the cost split",
         "negotiates-persuasively"),
        ("A staff member may have breached the APS Code of Conduct by leaking documents",
         "demonstrates-public-service-professionalism-and-probity"),
    ],
)
def test_real_model_clear_cases(real_retriever, situation, expected):
    result = real_retriever.search(situation, top=3)
    assert result.top.id == expected, [c.id for c in result.capabilities]
    assert not result.off_topic


@pytest.mark.slow
@pytest.mark.parametrize("text", ["What's the capital of France?", "asdf qwerty", "banana bread recipe with walnuts"])
def test_real_model_flags_off_topic(real_retriever, text):
    assert real_retriever.search(text).off_topic


@pytest.mark.slow
def test_real_index_records_the_model(real_retriever):
    manifest = real_retriever.index.manifest
    assert manifest["model"] == "all-MiniLM-L6-v2"
    assert manifest["dimension"] == 384
    assert manifest["encoder"] == real_retriever.encoder.backend == "onnxruntime"
    assert manifest["items"][0][0] == "inspires-a-sense-of-purpose-and-direction.1"
    assert real_retriever.calibration.real > 0 and real_retriever.calibration.off > 0


@pytest.mark.parametrize(("text", "expect"), [
    ("<script>alert('x')</script> my director ignores me", "my director ignores me"),
    ('<img src=x onerror="alert(1)"> <b>bold?</b> my boss', "bold? my boss"),
    ("[the brief](javascript:alert(1)) is late", "the brief is late"),
    ("![chart](https://example.com/c.png) **urgent**: :red[budget] blowout", "chart urgent : budget blowout"),
    ("see https://intranet.example/page for the plan", "see for the plan"),
    ("x<y and a>b: my team is 3<5 happy", "x<y and a>b: my team is 3<5 happy"),
    ("SELECT name FROM users WHERE id = 42;", "SELECT name FROM users WHERE id = 42;"),
    ("<br><hr>", "<br><hr>"),
])
def test_markup_is_dropped_before_matching(text, expect):
    assert plain(text) == expect


def test_markup_stripping_keeps_lines():
    assert prepare("<p>first line</p>\n<p>second line</p>", 100).text == "first line\nsecond line"


def test_diversify_by_hand():
    from retrieval import scoring

    scores = np.array([3.0, 2.9, 2.0, 1.0])
    kin = np.array([[1.0, 0.9, 0.1, 0.2], [0.9, 1.0, 0.1, 0.2], [0.1, 0.1, 1.0, 0.3], [0.2, 0.2, 0.3, 1.0]])
    assert scoring.diversify(scores, kin, 0.0) == [0, 1, 2, 3]
    assert scoring.diversify(scores, kin, 2.0) == [0, 2, 1, 3]
    assert scoring.diversify(scores, kin, 2.0, depth=1) == [0, 1, 2, 3]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(scoring.kinship(vectors, np.array([0, 1, 0]), 2), np.eye(2))


def test_arrange_reorders_several_sentences_and_keeps_scores(tiny_retriever):
    import dataclasses

    from retrieval.engine import Method

    text = "Two of my managers are fighting. We are over budget and need savings."
    plain = tiny_retriever.search(text, top=3)
    assert tiny_retriever.arrange(plain, text) == plain, "no diversity by default"
    tiny_retriever.method = dataclasses.replace(Method(), diversity=100.0)
    arranged = tiny_retriever.arrange(plain, text)
    assert sorted(c.id for c in arranged.capabilities) == sorted(c.id for c in plain.capabilities)
    assert {c.id: c.score for c in arranged.capabilities} == {c.id: c.score for c in plain.capabilities}
    assert arranged.capabilities[0] == plain.capabilities[0]
    assert tiny_retriever.arrange(plain, "one sentence only") == plain
