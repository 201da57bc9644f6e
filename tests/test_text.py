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
