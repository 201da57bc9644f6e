"""Indicator fit and explanations (retrieval.evidence) on the tiny framework with the fake encoder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index import store
from retrieval import evidence
from retrieval.engine import Retriever
from tests.conftest import FakeEncoder

INDICATOR_EXAMPLES = {
    "coaching.1": ["her reports are always late and sloppy", "he keeps missing deadlines on the roster"],
    "coaching.2": ["she wants to learn budgeting skills", "a new officer needs to pick up drafting"],
    "conflict.1": ["two managers are shouting at each other", "a feud between two colleagues"],
    "conflict.2": ["the team mood is getting tense", "some friction in the team lately"],
    "budget.1": ["nobody checks the monthly spend", "the spend report is never read"],
    "budget.2": ["we need to cut ten percent", "finance wants cuts"],
}


@pytest.fixture
def examples_path(tmp_path):
    path = tmp_path / "indicator-examples.json"
    path.write_text(json.dumps({"indicators": INDICATOR_EXAMPLES}), encoding="utf-8")
    return path


@pytest.fixture
def retriever(tiny_framework, tiny_exemplars, tiny_offtopic, examples_path, tmp_path):
    encoder = FakeEncoder()
    index = store.ensure(tiny_framework, encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic,
                         indicators_path=examples_path)
    glossary = evidence.Glossary({"MO": "Minister's office budget", "Dep Sec": "Deputy Secretary"},
                                 frozenset({"MO"}))
    return Retriever(tiny_framework, index, encoder, max_chars=500, glossary=glossary)


def test_indicator_examples_are_indexed_but_do_not_rank_capabilities(retriever):
    kinds = [item.kind for item in retriever.index.items]
    assert kinds.count("indicator-example") == sum(len(v) for v in INDICATOR_EXAMPLES.values())
    example_rows = [n for n, k in enumerate(kinds) if k == "indicator-example"]
    assert (retriever.owners[example_rows] == -1).all()
    assert retriever.index.manifest["indicator_examples_sha256"]


def test_a_changed_indicator_examples_file_makes_the_index_stale(tiny_framework, tiny_exemplars, tiny_offtopic,
                                                                  examples_path, tmp_path):
    encoder = FakeEncoder()
    store.ensure(tiny_framework, encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic,
                 indicators_path=examples_path)
    examples_path.write_text(json.dumps({"indicators": {"coaching.1": ["one more"]}}), encoding="utf-8")
    again = store.ensure(tiny_framework, encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic,
                         indicators_path=examples_path)
    assert "indicator examples file changed" in again.notices[0]
    assert [i.text for i in again.items if i.kind == "indicator-example"] == ["one more"]


def test_the_lexicon_weighs_an_indicators_own_words_over_words_every_capability_uses(retriever):
    weights = retriever.evidence.lexicon.weights
    assert weights["coaching.1"]["deadlin"] > 0
    assert weights["coaching.1"]["deadlin"] > weights["coaching.2"].get("deadlin", 0.0)
    assert "deadlin" not in weights["budget.1"]


def test_shorthand_brings_the_words_it_stands_for(retriever):
    stems = retriever.evidence.stems("the MO rang again")
    assert {"minist", "offic"} <= stems and "mo" not in stems
    assert "minist" not in retriever.evidence.stems("the mo rang again"), "MO is case-sensitive"
    glossary = retriever.evidence.glossary
    assert glossary.plain("our dep sec and the MO; MOST of it") == \
        "our Deputy Secretary and the Minister's office budget; MOST of it"
    assert glossary.plain("the DEMO") == "the DEMO"


def test_indicators_are_ordered_by_fit_and_scored_as_probabilities(retriever):
    result = retriever.search("he keeps missing deadlines on the roster and his reports are late", top=3,
                              capabilities=["coaching"])
    inds = result.top.indicators
    assert [i.id for i in inds] == ["coaching.1", "coaching.2"]
    assert all(0.0 <= i.score <= 1.0 for i in inds)
    assert inds[0].score > inds[1].score


def test_phrases_stay_inside_a_sentence_and_skip_time_words_numbers_and_titles(retriever):
    ev = retriever.evidence
    got = [p.text for p in ev.phrases("My director missed ten deadlines last week. Budget cuts, again!")]
    assert "missed" in got and "deadlines" in got and "missed ten deadlines" in got
    assert "Budget cuts" in got
    assert not any(w in {"ten", "week", "last week", "again"} for w in got)
    assert not any("." in p or "," in p for p in got)
    assert all(len(p.split()) <= ev.model.phrase_words for p in got)


def test_phrases_stay_inside_one_part_of_a_sentence(retriever):
    ev = retriever.evidence
    quoted = [p.text for p in ev.phrases("The portal upgrade has been 'green' for months and nobody believes it")]
    assert "portal upgrade" in quoted and "green" in quoted
    assert not any("'" in p for p in quoted), "a quote mark at a word's edge ends a phrase"
    assert not any("months" in p and "nobody" in p for p in quoted), "a joining word ends a phrase"
    owned = [p.text for p in ev.phrases("my division's budget review")]
    assert "division's budget review" in owned, "an apostrophe inside a word is part of it"
    dashed = [p.text for p in ev.phrases("nothing ever lands - every project slips")]
    assert "nothing ever lands" in dashed and "project slips" in dashed
    assert not any("lands" in p and "project" in p for p in dashed), "a spaced dash ends a phrase"
    assert "cross-agency pilot" in [p.text for p in ev.phrases("a cross-agency pilot")]
    chat = [p.text for p in ev.phrases("tbh the roster audit is a mess lol")]
    assert "roster audit" in chat
    assert not any(p.split()[0].lower() in {"tbh", "lol"} or p.split()[-1].lower() in {"tbh", "lol"} for p in chat)
    assert ev.stems("tbh the roster") == ev.stems("the roster") | {"tbh"}, "chat shorthand still counts as a word"


def test_a_hedge_is_never_a_reason_nor_lexical_evidence(retriever):
    ev = retriever.evidence
    source = "If I'm honest the honest answer is budget cuts, to be fair"
    found = ev.phrases(source)
    assert "honest answer" in [p.text for p in found] and "budget cuts" in [p.text for p in found]
    assert all(p.start >= len("If I'm honest ") for p in found)
    assert all(p.end <= source.index(", to be fair") for p in found)
    assert "honest" in ev.stems("the honest answer is no")
    assert "honest" not in ev.stems("to be honest, the budget is short") and "budget" in ev.stems(
        "to be honest, the budget is short")
    joined = [p.text for p in ev.phrases("deadlines if I'm honest roster")]
    assert "deadlines" in joined and "roster" in joined
    assert not any("deadlines" in p and "roster" in p for p in joined), "a phrase never spans a hedge"


def test_why_names_the_phrases_linked_to_each_indicator(retriever):
    ev = retriever.evidence
    texts = ("The roster is late. Two colleagues have a feud and keep shouting at each other.",)
    got = ev.why(retriever.encoder, texts, ["conflict.1", "budget.1"])
    assert got["conflict.1"], "a strong link is named"
    assert any(w in phrase for phrase in got["conflict.1"] for w in ("feud", "shouting", "colleagues"))
    assert len(got["conflict.1"]) <= ev.model.max_words
    assert got["budget.1"] == ()


def test_why_prefers_the_newest_message_and_names_nothing_below_the_floor(retriever):
    ev = retriever.evidence
    texts = ("a feud between two colleagues",)
    assert any("colleagues" in p for p in ev.why(retriever.encoder, texts, ["conflict.1"])["conflict.1"])
    later = (*texts, "and so on", "and then what", "so it goes")
    assert not any("colleagues" in p for p in ev.why(retriever.encoder, later, ["conflict.1"])["conflict.1"])
    strict = evidence.Evidence(retriever.framework, retriever.index, model=evidence.Model(word_floor=1.01))
    assert strict.why(retriever.encoder, texts, ["conflict.1"]) == {"conflict.1": ()}
    given = strict.why(retriever.encoder, texts, ["conflict.1"], reflect=True)["conflict.1"]
    assert any("colleagues" in p for p in given), "a reply reflected back is read at the reflection floor"
    assert all(len(p.split()) <= strict.model.reflect_phrase_words for p in given)


def test_job_titles_are_named_only_for_indicators_about_that_audience(retriever):
    ev = retriever.evidence
    texts = ("My director and colleagues have disputes",)
    got = ev.why(retriever.encoder, texts, ["conflict.1"])["conflict.1"]
    assert got and not any(p.split()[0].lower() == "director" or p.split()[-1].lower() == "director" for p in got)
    assert ev._audience_ok("colleagues have disputes", {"colleagu"})
    assert not ev._audience_ok("director", set())


def test_time_shorthand_is_no_reason_and_titles_in_shorthand_need_their_audience(retriever):
    glossary = evidence.Glossary({"COB": "Close of business", "CoS": "Chief of staff (in a Minister's office)",
                                  "CFO": "Chief financial officer"}, frozenset({"CoS"}))
    ev = evidence.Evidence(retriever.framework, retriever.index, glossary=glossary)
    assert not ev._usable("COB") and ev._usable("CoS") and ev._usable("budget")
    assert not any("COB" in p.text for p in ev.phrases("send the budget options by COB"))
    assert not ev._audience_ok("CFO wants", set()) and not ev._audience_ok("the CoS", {"budget"})
    assert ev._audience_ok("the CoS", {"minist", "offic"}), "a title in shorthand counts as named by its expansion"


def test_shorthand_is_quoted_as_written(retriever):
    ev = retriever.evidence
    got = ev.why(retriever.encoder, ("The MO wants spend report cuts",), ["budget.1"])["budget.1"]
    assert got and not any("Minister" in p for p in got)


def test_glossary_file_loads_and_names_its_problems(tmp_path):
    path = tmp_path / "glossary.json"
    path.write_text(json.dumps({"terms": [{"term": "MO", "expansion": "Minister's office", "case_sensitive": True},
                                          {"term": "FAS", "expansion": "First Assistant Secretary"}]}))
    glossary = evidence.load_glossary(path)
    assert glossary.expand("MO") == "Minister's office" and glossary.expand("mo") == ""
    assert glossary.expand("fas") == "First Assistant Secretary" == glossary.expand("FAS")
    assert evidence.load_glossary(tmp_path / "missing.json").terms == {}
    path.write_text('{"terms": [{"term": "MO"}]}')
    with pytest.raises(ValueError, match="glossary.json: not a glossary"):
        evidence.load_glossary(path)


def test_cli_json_gains_why_only_when_asked(retriever):
    result = retriever.search("two managers are shouting at each other", top=2)
    plain = result.to_dict()
    assert all("why" not in i for c in plain["capabilities"] for i in c["indicators"])
    why = {i.id: ("shouting",) for c in result.capabilities for i in c.indicators}
    explained = result.to_dict(why=why)
    assert all(i["why"] == ["shouting"] for c in explained["capabilities"] for i in c["indicators"])
    assert {k: v for k, v in explained.items() if k != "capabilities"} == \
        {k: v for k, v in plain.items() if k != "capabilities"}
    np.testing.assert_equal([i["score"] for c in explained["capabilities"] for i in c["indicators"]],
                            [i["score"] for c in plain["capabilities"] for i in c["indicators"]])


def test_cli_explain_adds_why_in_search_and_batch_mode(retriever, monkeypatch, capsys):
    import io

    from retrieval import __main__ as cli

    monkeypatch.setattr(Retriever, "from_settings", classmethod(lambda cls, *a, **k: retriever))
    assert cli.main(["search", "two colleagues have a feud and keep shouting", "--json", "--explain"]) == 0
    out = json.loads(capsys.readouterr().out)
    inds = [i for c in out["capabilities"] for i in c["indicators"]]
    assert inds and all(isinstance(i["why"], list) for i in inds)
    expected = retriever.evidence.why(retriever.encoder, (out["query"],), [i["id"] for i in inds])
    assert {i["id"]: tuple(i["why"]) for i in inds} == expected
    assert cli.main(["search", "two colleagues have a feud", "--json"]) == 0
    assert all("why" not in i for c in json.loads(capsys.readouterr().out)["capabilities"] for i in c["indicators"])
    monkeypatch.setattr("sys.stdin", io.StringIO("two colleagues have a feud\n\nwe need budget cuts\n"))
    assert cli.main(["search", "--explain"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3 and "error" in lines[1]
    assert all("why" in i for line in (lines[0], lines[2]) for c in line["capabilities"] for i in c["indicators"])


def test_indicator_probabilities_apply_the_model_to_each_indicators_own_features(retriever):
    """probabilities() computes every indicator of a capability at once; each must equal the model applied to
    that indicator's features() (similarity, its two closest examples, lexicon), with and without examples."""
    ev, model = retriever.evidence, retriever.evidence.model
    ids = [ind.id for cap in retriever.capabilities for ind in cap.indicators] + ["no-such-indicator"]
    one = next(i for i in ids if i in ev.example_rows)
    ev.example_rows = {**ev.example_rows, one: ev.example_rows[one][:1]}
    assert {len(ev.example_rows.get(i, ())) for i in ids} == {0, 1, 2}
    rng = np.random.default_rng(3)
    for text in ("her reports are late and the team mood is tense", "finance wants cuts to the MO budget"):
        sims = rng.uniform(-1, 1, size=len(retriever.index.items)).astype(np.float32)
        stems = ev.stems(text)
        for group in (ids, ids[:1], ids[::-1]):
            feats = np.array([ev.features(i, sims, stems) for i in group])
            raw = model.dense * feats[:, 0] + model.examples * feats[:, 1] + model.lexical * feats[:, 2]
            expected = 1 / (1 + np.exp(-(model.bias + model.scale * raw + model.lead * (raw - raw.max()))))
            np.testing.assert_allclose(ev.probabilities(group, sims, stems), expected, rtol=0, atol=1e-12)


def test_shorthand_is_found_as_one_pattern_per_term_would_find_it():
    """The glossary's single pattern finds what a pattern per term (tried longest first, each a whole word) finds."""
    import re

    terms = {"MO": "Minister's office", "Sec": "secretary", "dep sec": "Deputy Secretary", "SES": "senior executive",
             "a&b": "audit and budget", "ABC": "a broadcaster"}
    exact = frozenset({"MO", "ABC"})
    glossary = evidence.Glossary(terms, exact)
    patterns = [(re.escape(t), t in exact) for t in sorted(terms, key=len, reverse=True)]
    reference = re.compile("|".join(rf"(?<![\w&])({p})(?![\w&])" if case else rf"(?<![\w&])((?i:{p}))(?![\w&])"
                                    for p, case in patterns))
    texts = ["The MO rang the Dep Sec, then the sec.", "mo and Mo are not MO; SESsion, SES-level, a&b, xa&b, abc",
             "DEP SEC and dep  sec; Secs and Sec's", "ABC.ABC,ABC", "R&SES, SES&R, MO&"]
    for text in texts:
        expected = [(m.start(), m.end(), glossary.expand(m.group())) for m in reference.finditer(text)]
        assert glossary.spans(text) == [span for span in expected if span[2]]
    assert [s[2] for s in glossary.spans("The MO rang the Dep Sec")] == ["Minister's office", "Deputy Secretary"]
