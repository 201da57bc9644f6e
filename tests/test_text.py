"""The text rules in one place: sentences, words, stop words and stems (retrieval.text)."""

from __future__ import annotations

import pytest

from retrieval import text


def test_content_words_skip_stop_words_single_letters_and_numbers():
    words = [w for _, _, w in text.content_words("I think my director won't budge on the 2024 budget, a")]
    assert words == ["director", "budge", "budget"]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("negotiating", "negotiation", True), ("negotiating", "negotiations", True), ("change", "changes", True),
    ("organization", "organisational", True), ("lead", "leadership", False),
    ("staff", "stuff", False), ("states", "statement", False), ("budget", "budge", False),
    ("Minister's", "minister", True), ("Minister’s", "ministers", True),
])
def test_same_stem(a, b, same):
    assert text.same_stem(a, b) is same


def test_tokens_are_stems_without_stop_words():
    assert text.tokens("We're Negotiating the negotiation") == ["negoti", "negoti"]
    assert text.tokens("the and of") == []


def test_fold_brings_american_spelling_to_australian():
    assert text.fold("Organization") == "organisation" and text.fold("judgment") == "judgement"
    assert text.fold("behavior") == text.fold("behaviour")


def test_sentences_split_on_stops_and_lines_and_drop_one_word_fragments():
    assert text.sentences("One thing. Another thing!\nA third") == ["One thing.", "Another thing!", "A third"]
    assert text.sentences("no stop at all") == ["no stop at all"]
    assert text.sentences("Help. Two words") == ["Two words"]
    assert len(text.sentences(" ".join(f"Sentence number {n}." for n in range(20)))) == text.MAX_SENTENCES


def test_words_give_offsets_into_the_text():
    source = "Our FAS's well-being matters"
    assert [(source[s:e], w) for s, e, w in text.words(source)] == [
        ("Our", "Our"), ("FAS's", "FAS's"), ("well-being", "well-being"), ("matters", "matters")]


@pytest.mark.parametrize(("source", "hedge"), [
    ("if I'm honest, I've been avoiding it", "if I'm honest"),
    ("if im honest so am i", "if im honest"),
    ("and to be honest things with the states are tense", "to be honest"),
    ("To be fair, she tried", "To be fair"),
    ("In all honesty we missed it", "In all honesty"),
    ("Frankly, the MO is rude", "Frankly"),
    ("quite frankly we are stuck", "quite frankly"),
    ("truth be told I'm tired", "truth be told"),
])
def test_hedges_are_blanked_and_offsets_hold(source, hedge):
    kept = text.without_asides(source)
    assert len(kept) == len(source)
    start = source.index(hedge)
    assert kept[start:start + len(hedge)].strip() == ""
    assert kept[:start] == source[:start] and kept[start + len(hedge):] == source[start + len(hedge):]


@pytest.mark.parametrize("source", [
    "The honest answer is I don't know yet",
    "I need to be honest with her about her work",
    "I want to be honest",
    "being honest with staff matters to me",
    "I need to speak frankly with the Dep Sec",
    "is it fair to the team",
    "she gave an honest view",
])
def test_honesty_that_is_the_point_is_kept(source):
    assert text.without_asides(source) == source
