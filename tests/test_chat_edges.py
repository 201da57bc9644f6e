"""The chat page at the edges (thin input, requests it cannot do, match labels), fast: AppTest on the tiny index."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from conversation import edges, strength
from tests.conftest import ROOT


@pytest.fixture
def app(tiny_retriever, monkeypatch):
    """The app (chat page first) answering from the tiny framework and fake encoder instead of the real index."""
    from ui import state

    monkeypatch.setattr(state, "load", lambda: state.Loaded(tiny_retriever))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    yield at.run()
    st.cache_resource.clear()


def say(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest) -> list[str]:
    return [e.label for e in at.expander if e.label.startswith("**")]


def test_thin_input_gets_a_question_then_the_cards_on_request(app):
    say(app, "team issues")
    assert app.session_state["messages"][-1]["answer"].kind == "clarify"
    assert not cards(app)
    page = " ".join(m.value for m in app.markdown).replace("\\", "")
    assert "isn't quite enough" in page and all(p.split(":")[0] in page for p in edges.PROMPTS)
    [b for b in app.button if b.label == "Show matches anyway"][0].click().run()
    assert not app.exception
    assert cards(app) and "Resolves conflict" in cards(app)[0]


def test_a_follow_up_after_the_question_combines_with_the_thin_line(app):
    say(app, "team issues")
    say(app, "two of my managers are fighting in front of everyone")
    answer = app.session_state["messages"][-1]["answer"]
    assert answer.kind == "answer" and answer.texts == ("team issues",
                                                        "two of my managers are fighting in front of everyone")
    assert cards(app)


def test_a_request_it_cannot_do_says_so(app):
    say(app, "Can you write an all-staff email announcing the restructure")
    assert not cards(app)
    shown = [m.value.replace("\\", "") for m in app.markdown]
    assert any(text.startswith("I can't write documents, emails or speeches") for text in shown)


def test_how_do_i_offers_the_preparation_page_and_labels_explain_themselves(app):
    say(app, "How do I open the conversation with my managers who keep fighting?")
    assert cards(app)
    assert any("Coaching preparation" in m.value for m in app.markdown)
    assert app.get("page_link")
    caption = [c for c in app.caption if c.value.startswith("Strong, good or possible")]
    assert caption and caption[0].help == strength.MEANING
    assert all(any(band in label for band in ("Strong match", "Good match", "Possible match"))
               for label in cards(app))
