"""Chat logic: follow-up combination, coaching questions, and what an answer shows."""

from __future__ import annotations

import json

import pytest

from conversation import answer as answers
from conversation import context, edges, questions, strength
from conversation.questions import Coaching, QuestionsError
from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult
from tests.conftest import ROOT


def result(scores: dict[str, float], confidence: float = 0.6, threshold: float = 0.3, query: str = "q",
           indicator_scores: dict[str, float] | None = None) -> SearchResult:
    """A hand-made result: capability id -> score, each capability with indicators '<id>.1' and '<id>.2'."""
    indicator_scores = indicator_scores or {}
    caps = []
    for cap_id, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        inds = tuple(IndicatorMatch(f"{cap_id}.{n}", f"{cap_id} behaviour {n}", indicator_scores.get(f"{cap_id}.{n}",
                                                                                                     score / n))
                     for n in (1, 2))
        caps.append(CapabilityMatch(cap_id, cap_id.title(), f"cluster-{cap_id[0]}", f"Cluster {cap_id[0]}",
                                    f"About {cap_id}.", score, inds))
    return SearchResult(query, confidence < threshold, tuple(caps), confidence, threshold)


# context


def test_window_keeps_the_newest_turns_in_order():
    assert context.window((), "a") == ("a",)
    assert context.window(("a", "b"), "c") == ("a", "b", "c")
    assert context.window(("a", "b", "c"), "d") == ("b", "c", "d")
    assert context.window(("a", "b"), "c", max_turns=1) == ("c",)


def test_weights_decay_from_the_newest_text():
    assert context.weights(1) == (1.0,)
    assert context.weights(3) == (0.25, 0.5, 1.0)
    assert context.weights(2, decay=0.2) == (0.2, 1.0)


def test_combine_is_the_weighted_mean_and_reranks():
    old = result({"a": 0.9, "b": 0.1}, confidence=0.7, query="old")
    new = result({"a": 0.2, "b": 0.8}, confidence=0.4, query="new")
    combined = context.combine([old, new], (0.5, 1.0))
    scores = {c.id: c.score for c in combined.capabilities}
    assert scores["a"] == pytest.approx((0.5 * 0.9 + 0.2) / 1.5)
    assert scores["b"] == pytest.approx((0.5 * 0.1 + 0.8) / 1.5)
    assert [c.id for c in combined.capabilities] == ["b", "a"]
    a = next(c for c in combined.capabilities if c.id == "a")
    assert a.indicators[0].score == pytest.approx((0.5 * 0.9 + 0.2) / 1.5)
    assert a.indicators[1].score == pytest.approx((0.5 * 0.45 + 0.1) / 1.5)
    assert combined.confidence == pytest.approx((0.5 * 0.7 + 0.4) / 1.5)
    assert combined.query == "old\nnew"
    assert not combined.off_topic


def test_combine_reorders_indicators_and_flags_off_topic():
    old = result({"a": 0.5}, confidence=0.1, indicator_scores={"a.1": 0.1, "a.2": 0.9})
    new = result({"a": 0.5}, confidence=0.2, indicator_scores={"a.1": 0.3, "a.2": 0.2})
    combined = context.combine([old, new], (1.0, 1.0))
    assert [i.id for i in combined.capabilities[0].indicators] == ["a.2", "a.1"]
    assert combined.off_topic


def test_combine_needs_one_weight_per_result():
    with pytest.raises(ValueError):
        context.combine([result({"a": 1.0})], (1.0, 0.5))


def test_rank_of_one_text_is_its_own_search(tiny_retriever):
    ranked = context.rank(tiny_retriever, ("my team keeps arguing about everything",))
    alone = tiny_retriever.search("my team keeps arguing about everything", top=3, indicators=2)
    assert [c.id for c in ranked.combined.capabilities] == [c.id for c in alone.capabilities]
    for got, want in zip(ranked.combined.capabilities, alone.capabilities, strict=True):
        assert got.score == pytest.approx(want.score)
    assert ranked.newest.confidence == pytest.approx(alone.confidence)


def test_rank_with_context_moves_towards_the_earlier_turn(tiny_retriever):
    follow = "finance wants savings from my branch"
    alone = context.rank(tiny_retriever, (follow,)).combined
    both = context.rank(tiny_retriever, ("two of my managers are fighting in front of the team", follow)).combined
    conflict = {c.id: c.score for c in both.capabilities}["conflict"]
    assert conflict > {c.id: c.score for c in alone.capabilities}["conflict"]


def test_closest_examples_pick_the_nearest_exemplar(tiny_retriever):
    index = tiny_retriever.index
    query = tiny_retriever.encoder.encode(["finance wants savings from my branch"])[0]
    examples = answers.closest_examples(index.vectors, index.items, query)
    assert examples["budget"] == "finance wants savings from my branch"
    assert set(examples) == {"coaching", "conflict", "budget"}


# questions


def test_authored_questions_cover_every_capability_of_the_framework():
    from corpus.model import load

    framework = load(ROOT / "corpus" / "data" / "ils-ses-band-2.json")
    bank = questions.load(ROOT / "corpus" / "data" / "questions.json")
    assert set(bank) == {cap.id for cap in framework.capabilities}
    texts = [q for entry in bank.values() for q in entry.questions]
    assert len(texts) == len(set(texts))
    for entry in bank.values():
        assert 1 <= len(entry.questions) <= 3
        assert all(q.endswith("?") for q in entry.questions)
        assert entry.plain == entry.plain.lower() or entry.plain[0].islower()


def test_questions_file_problems_are_named(tmp_path):
    assert questions.load(tmp_path / "missing.json") == {}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": questions.FORMAT, "capabilities": {"x": {"plain": "", "questions": []}}}))
    with pytest.raises(QuestionsError, match="capability 'x'"):
        questions.load(bad)
    bad.write_text("{not json")
    with pytest.raises(QuestionsError, match="not valid JSON"):
        questions.load(bad)


# answers


BANK = {"a": Coaching("doing a well", ("Question a1?", "Question a2?")),
        "b": Coaching("doing b well", ("Question b1?",))}


def card(cap_id: str, score: float, cluster: str = "") -> answers.Card:
    match = result({cap_id: score}).capabilities[0]
    if cluster:
        match = CapabilityMatch(match.id, match.name, cluster, cluster.title(), match.description, score,
                                match.indicators)
    return answers.Card(match, score, answers.band(score), tuple(answers.Evidence(i, ()) for i in match.indicators))


def answer(cards, texts=("a situation",)) -> answers.Answer:
    return answers.Answer(answers.ANSWER, "", tuple(texts), context.weights(len(texts)), None, tuple(cards))


def test_view_cuts_to_top_and_filters_clusters():
    cards = [card("a", 0.9, "people"), card("b", 0.5, "money"), card("c", 0.4, "people"), card("d", 0.3, "money")]
    assert [c.match.id for c in answers.view(answer(cards), 2).cards] == ["a", "b"]
    shown = answers.view(answer(cards), 5, {"money"})
    assert [c.match.id for c in shown.cards] == ["b", "d"]
    assert shown.filtered and shown.opening_text.startswith("Within the clusters you chose, this")
    assert answers.view(answer(cards), 0).cards[0].match.id == "a"


def test_opening_names_the_top_capabilities_in_plain_words():
    clear = answers.view(answer([card("a", 0.9), card("b", 0.2), card("c", 0.1)]), 3, bank=BANK)
    assert clear.opening_text == "This is mostly about doing a well. It also touches on doing b well and c."
    assert [text for text, strong in clear.opening if strong] == ["doing a well", "doing b well", "c"]
    close = answers.view(answer([card("a", 0.9), card("b", 0.8)]), 3, bank=BANK)
    assert close.opening_text == "This is about doing a well and doing b well in roughly equal measure."
    follow = answers.view(answer([card("a", 0.9)], texts=("first", "second")), 3, bank=BANK)
    assert follow.opening_text == "Taking your earlier messages into account, this is mostly about doing a well."


def test_questions_follow_the_top_capabilities_and_rotate_on_follow_ups():
    cards = [card("a", 0.9), card("b", 0.5), card("c", 0.4)]
    first = answers.view(answer(cards), 3, bank=BANK).questions
    assert [q.text for q in first] == ["Question a1?", "Question b1?"]
    later = answers.view(answer(cards, texts=("one", "two")), 3, bank=BANK).questions
    assert [q.text for q in later] == ["Question a2?", "Question b1?"]
    built = answers.questions([card("c", 0.5)], {})
    assert built[0].text == "Where in this situation could you show this behaviour more fully: “c behaviour 1”?"


def test_relevance_and_bands():
    assert answers.relevance(0.45, 0.9) == pytest.approx(0.5)
    assert answers.relevance(0.9, 0.0) == 0.0
    assert [answers.band(s) for s in (1.0, 0.6, 0.25, 0.1, 0.0)] == ["Strong match", "Strong match", "Good match",
                                                                      "Possible match", "Possible match"]


def test_respond_answers_explains_and_remembers_the_texts(tiny_retriever):
    got = answers.respond(tiny_retriever, ("two of my managers are fighting", "and the team is arguing too"))
    assert got.kind == answers.ANSWER
    assert got.texts == ("two of my managers are fighting", "and the team is arguing too")
    assert got.cards[0].match.id == "conflict"
    assert got.cards[0].relevance == 1.0
    assert len(got.cards) == 3
    assert got.result.capabilities[0].id == "conflict"
    assert all(e.fits == tiny_retriever.evidence.fits(e.match.score) for e in got.cards[0].evidence)
    assert got.situation == "two of my managers are fighting and the team is arguing too"
    text = answers.transcript(got, answers.view(got, 2))
    assert "1. Resolves conflict" in text and "2. " in text and "3. " not in text


def test_respond_off_topic_and_unreadable(tiny_retriever):
    off = answers.respond(tiny_retriever, ("zebra giraffe lion",))
    assert off.kind == answers.NOTHING_FITS and off.message == answers.NOTHING_FITS_FIRST and not off.cards
    later = answers.respond(tiny_retriever, ("two of my managers are fighting", "zebra giraffe lion"))
    assert later.kind == answers.NOTHING_FITS and later.message == answers.NOTHING_FITS_LATER
    assert later.texts == ("zebra giraffe lion",)
    bad = answers.respond(tiny_retriever, ("\x00\x01 ",))
    assert bad.kind == answers.PROBLEM and "describe a work situation" in bad.message


# the plan and Markdown helpers of the pages


def test_plan_helpers_keep_ids_unique_and_ordered():
    from ui import state

    plan = state.new_plan()
    state.add_to_plan(plan, "b", ["b.1", "b.2"], "first situation ")
    state.add_to_plan(plan, "a", ["a.1"], "")
    state.add_to_plan(plan, "b", ["b.2", "b.3"], "first situation")
    assert plan == {"capabilities": ["b", "a"], "indicators": ["b.1", "b.2", "a.1", "b.3"],
                    "situations": ["first situation"], "chat_situations": {}}
    assert state.in_plan(plan, "a")
    state.remove_from_plan(plan, "b", ["b.1", "b.2", "b.3"])
    assert plan["capabilities"] == ["a"] and plan["indicators"] == ["a.1"] and not state.in_plan(plan, "b")


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "[link](javascript:alert(1))",
                                  "![x](http://e/x.png)", "**bold** _it_ `code` # head", ":red[x] $x$ ~~s~~ \\"])
def test_inert_escapes_every_markdown_character(text):
    from ui.common import MARKDOWN_SPECIAL, inert

    escaped, plain, n = inert(text), [], 0
    while n < len(escaped):
        if escaped[n] == "\\":
            assert MARKDOWN_SPECIAL.fullmatch(escaped[n + 1]), escaped
            plain.append(escaped[n + 1])
            n += 2
        else:
            assert not MARKDOWN_SPECIAL.fullmatch(escaped[n]), escaped
            plain.append(escaped[n])
            n += 1
    assert "".join(plain) == text


# the edges: thin input, requests it cannot do, honest strength


EDGES = json.loads((ROOT / "tests" / "data" / "edges.json").read_text(encoding="utf-8"))
VAGUE = json.loads((ROOT / "corpus" / "data" / "vague.json").read_text(encoding="utf-8"))["examples"]


def test_strength_table_is_monotone_and_bands_follow_the_probability():
    floors = [floor for floor, _ in strength.TABLE]
    chances = [chance for _, chance in strength.TABLE]
    assert floors == sorted(floors, reverse=True) and floors[-1] == 0.0
    assert chances == sorted(chances, reverse=True)
    assert strength.probability(0.95) == 1.0 and strength.probability(0.0) == pytest.approx(0.17)
    for score in [n / 100 for n in range(101)]:
        chance, label = strength.probability(score), strength.band(score)
        assert label == ("Strong match" if chance >= 0.7 else "Good match" if chance >= 0.35 else "Possible match")
    assert "first card can be a possible match" in strength.MEANING


def test_the_first_card_can_be_a_possible_match():
    weak = card("a", 0.12)
    assert weak.band == "Possible match" and weak.chance == strength.probability(0.12) < 0.35
    assert answers.view(answer([weak, card("b", 0.1)]), 3).cards[0].band == "Possible match"


def test_vague_lines_are_thin_and_dev_situations_are_not():
    assert len(VAGUE) >= 30
    assert sum(edges.too_thin((line,)) for line in VAGUE) >= len(VAGUE) - 2
    short = json.loads((ROOT / "corpus" / "data" / "vague.json").read_text(encoding="utf-8"))["short_situations"]
    assert not any(edges.too_thin((line,)) for line in short)
    dev = [json.loads(line)["text"] for line in (ROOT / "tests" / "data" / "situations.jsonl").open(encoding="utf-8")
           if json.loads(line)["split"] == "dev"]
    assert not any(edges.too_thin((text,)) for text in dev)
    assert not edges.too_thin(("things are bad at work", "my EL1 keeps missing deadlines for the minister"))
    assert edges.too_thin(("things are bad at work", "my team has some issues"))


@pytest.mark.parametrize(("text", "kind", "situation"), EDGES["requests"])
def test_requests_it_cannot_do_are_caught(text, kind, situation):
    limit = edges.request(text)
    assert limit is not None and limit.kind == kind
    assert limit.message.startswith("I can't")
    assert edges.describes_situation(text) == situation


@pytest.mark.parametrize("text", EDGES["situations"])
def test_situations_that_mention_emails_or_speeches_are_not_requests(text):
    assert edges.request(text) is None
    assert not edges.how_to_conversation(text)


@pytest.mark.parametrize("text", EDGES["how_to"])
def test_how_do_i_questions_about_a_conversation(text):
    assert edges.how_to_conversation(text) and edges.request(text) is None


def test_respond_asks_back_when_thin_and_combines_the_detail(tiny_retriever):
    thin = answers.respond(tiny_retriever, ("team issues",))
    assert thin.kind == answers.CLARIFY and thin.message == edges.CLARIFY
    assert thin.prompts == edges.PROMPTS and len(thin.prompts) == 3
    assert thin.cards and thin.cards[0].match.id == "conflict", "the cards are kept for 'Show matches anyway'"
    detail = answers.respond(tiny_retriever, ("team issues", "two of my managers are fighting about the budget"))
    assert detail.kind == answers.ANSWER and detail.texts[0] == "team issues"
    assert "Who is involved" in answers.transcript(thin)


def test_respond_says_what_it_cannot_do(tiny_retriever):
    alone = answers.respond(tiny_retriever, ("Can you write an all-staff email announcing the restructure",))
    assert alone.kind == answers.CANNOT and not alone.cards
    assert alone.message.startswith("I can't write documents, emails or speeches")
    assert answers.NOT_A_SITUATION in alone.message
    both = answers.respond(tiny_retriever, ("Can you write an email to my team? Two of my managers are fighting "
                                            "and the team keeps arguing about everything",))
    assert both.kind == answers.ANSWER and both.cards and both.lead == edges.WRITING.message
    assert answers.transcript(both, answers.view(both, 2)).startswith(edges.WRITING.message)


def test_respond_offers_preparation_for_how_do_i_questions(tiny_retriever):
    got = answers.respond(tiny_retriever, ("How do I open the conversation with my managers who keep fighting?",))
    assert got.kind == answers.ANSWER and got.prepare and got.cards
    plain = answers.respond(tiny_retriever, ("two of my managers are fighting in front of the team",))
    assert not plain.prepare and not plain.lead


def test_calibration_bins_and_pools_to_a_monotone_table():
    from conversation import calibrate

    points = [(0.01, False), (0.02, True), (0.35, True), (0.36, True), (0.45, False), (0.46, True), (0.95, True)]
    rows = calibrate.binned(points, (0.0, 0.3, 0.4, 0.9))
    assert rows == [(0.0, 2, 1), (0.3, 2, 2), (0.4, 2, 1), (0.9, 1, 1)]
    table = calibrate.monotone(rows)
    assert table == [(0.0, 2, 0.5), (0.3, 4, 0.75), (0.9, 1, 1.0)]
    shares = [share for _, _, share in calibrate.monotone(calibrate.binned(points))]
    assert shares == sorted(shares)


@pytest.mark.slow
def test_a_follow_up_with_the_situations_memory_encodes_only_its_new_text_and_answers_the_same(real_retriever,
                                                                                               monkeypatch):
    from index.embed import Memory

    first = "One of my EL2s keeps missing deadlines and the team is picking up the slack."
    second = "I need to give her honest feedback next week but I tend to avoid conflict."
    memory = Memory()
    opening = answers.respond(real_retriever, (first,), memory=memory)
    assert opening.kind == answers.ANSWER and len(memory) > 5, "the text and its phrases are remembered"
    backend = real_retriever.encoder._backend
    encoded: list[str] = []
    run = backend.encode
    monkeypatch.setattr(backend, "encode", lambda texts, *rest: encoded.extend(texts) or run(texts, *rest))
    remembered = answers.respond(real_retriever, opening.texts + (second,), memory=memory)
    assert encoded and first not in encoded, "the first turn's text is read from the memory"
    assert all(text in second for text in encoded if text not in real_retriever.read(second)), encoded
    encoded.clear()
    fresh = answers.respond(real_retriever, opening.texts + (second,))
    assert first in encoded, "without the memory the whole window is encoded again"

    def shown(answer):
        return [(c.match.id, [(e.match.id, e.fits, e.words) for e in c.evidence]) for c in answer.cards]

    assert shown(remembered) == shown(fresh) and remembered.kind == fresh.kind == answers.ANSWER
    assert [c.match.score for c in remembered.cards] == pytest.approx([c.match.score for c in fresh.cards], abs=1e-5)
