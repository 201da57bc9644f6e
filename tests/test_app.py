"""The chat page through Streamlit's AppTest: its logic with the fake retriever over the real framework (fast
tier), and what the real model, corpus and index answer on it (real-model tier)."""

from __future__ import annotations

import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui import layout

NEGOTIATION = "We are negotiating a funding agreement with the states and they won't budge on the cost split"
RESTRUCTURE = "We are restructuring the division and staff are anxious about their jobs"
RESISTING = "and my director is also resisting the change"
DISTRESS = "I can't cope any more, I keep thinking everyone would be better off without me"
CARE_LINE = "Lifeline on 13 11 14"
HOSTILE = ("<script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) **loud** "
           ":red[red] my director keeps undermining me in front of the executive")


@pytest.fixture
def app(real_retriever, real_settings, monkeypatch):
    """A fresh AppTest of app.py on the session's real index (caches cleared, so the page loads it itself)."""
    monkeypatch.setenv("ILS_COACH_INDEX_DIR", str(real_settings.index_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    yield at.run()
    st.cache_resource.clear()


@pytest.fixture
def fake_app(fake_served):
    """A fresh AppTest of app.py whose pages get the fake retriever over the real framework."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def say(at: AppTest, text: str) -> AppTest:
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return at


def last_answer(at: AppTest):
    message = at.session_state["messages"][-1]
    assert message["role"] == "assistant"
    return message["answer"]


def card_titles(at: AppTest) -> list[str]:
    """Capability names of the answer cards on the page, in order (expander labels '**n\\. Name** · band')."""
    found = [re.match(r"\*\*\d+\\\. (.+?)\*\* · ", e.label) for e in at.expander]
    return [m.group(1).replace("\\", "") for m in found if m]


def rank_of(capabilities, cap_id: str) -> int:
    return [c.id for c in capabilities].index(cap_id)


def test_greeting_offers_examples_and_the_privacy_line(fake_app):
    app = fake_app
    assert not app.exception
    examples = [b for b in app.button if b.key and b.key.startswith("example-")]
    assert len(examples) == 3
    assert any("nothing you type is stored" in m.value for m in app.markdown)
    assert any("Tell me what is going on at work" in m.value for m in app.markdown)
    assert app.chat_input[0].placeholder == "Describe a work situation"
    assert app.sidebar.slider[0].value == 3
    assert any("SES Band 2" in m.value for m in app.sidebar.markdown)


def test_example_button_asks_it_and_shows_the_ranking(fake_app, fake_served):
    example = [b for b in fake_app.button if b.key == "example-1"][0]
    example.click().run()
    assert not fake_app.exception
    assert fake_app.session_state["messages"][0]["text"] == example.label
    assert card_titles(fake_app) == [c.name for c in fake_served.search(example.label).capabilities]


def test_example_button_asks_it(app):
    example = [b for b in app.button if b.key == "example-0"][0]
    example.click().run()
    assert not app.exception
    assert app.session_state["messages"][0]["text"] == example.label
    assert card_titles(app)[0] == "Negotiates persuasively"


def shows_a_full_answer(app) -> None:
    """An answer to NEGOTIATION (ranked Negotiates persuasively first) with all its parts on the page."""
    say(app, NEGOTIATION)
    titles = card_titles(app)
    assert titles[0] == "Negotiates persuasively"
    assert len(titles) == 3
    assert app.text[0].value == NEGOTIATION
    opening = [m.value for m in app.markdown if "**negotiating persuasively**" in m.value]
    assert opening, "the opening sentence names the top capability in plain words"
    from ui import common

    answer = last_answer(app)
    evidence = [e for card in answer.cards[:3] for e in card.evidence]
    reasons = [m.value for m in app.markdown if "Matched because of your words" in m.value]
    assert len(reasons) == sum(bool(e.words) for e in evidence), "a reason line for each indicator with words"
    assert all(any(f"“{common.inert(w)}”" in r for r in reasons) for e in evidence for w in e.words)
    assert any(m.value.startswith("**Questions to think about**") for m in app.markdown)
    assert len([b for b in app.button if b.label == "Explore"]) == 3
    assert len(app.feedback) == 1
    assert not app.exception


def says_nothing_fits(app, text: str) -> None:
    say(app, text)
    answer = last_answer(app)
    assert answer.kind == "nothing-fits"
    assert card_titles(app) == []
    assert any("I can\\'t find a work situation" in m.value for m in app.markdown)
    assert not [b for b in app.button if b.label == "Explore"]


def shows_care(at: AppTest) -> bool:
    return any(CARE_LINE in m.value for m in at.markdown)


def test_distress_gets_the_care_reply_and_no_cards_then_work_is_answered(app):
    say(app, DISTRESS)
    answer = last_answer(app)
    assert answer.kind == "safety" and answer.cards == () and answer.texts == ()
    assert shows_care(app)
    assert any("isn't the right place for a personal crisis" in m.value for m in app.markdown)
    assert card_titles(app) == [] and not [b for b in app.button if b.label == "Explore"]
    assert len(app.feedback) == 0
    assert "last_situation" not in app.session_state
    say(app, NEGOTIATION)
    answer = last_answer(app)
    assert answer.kind == "answer" and answer.texts == (NEGOTIATION,)
    assert card_titles(app)[0] == "Negotiates persuasively"


def test_a_care_reply_on_the_detector_alone_can_be_turned_into_the_work_answer(fake_app, fake_served, monkeypatch):
    from safety.guard import Guard, Verdict

    text = "My EL1 keeps missing deadlines. I've been putting it off for weeks and that's not fair on anyone."
    check = Guard.check
    monkeypatch.setattr(Guard, "check", lambda self, t, reply=False: Verdict(True, "detector", 0.1)
                        if "putting it off" in t else check(self, t, reply))
    say(fake_app, text)
    assert last_answer(fake_app).kind == "safety" and shows_care(fake_app) and card_titles(fake_app) == []
    offer = [b for b in fake_app.button if (b.key or "").startswith("about-work-")]
    assert [b.label for b in offer] == ["It's about work: show the capabilities"]
    offer[0].click().run()
    assert not fake_app.exception
    answer = last_answer(fake_app)
    assert answer.kind == "answer" and answer.texts == (text,)
    assert card_titles(fake_app) == [c.name for c in fake_served.search(text).capabilities]
    assert shows_care(fake_app), "the care reply stays above the capabilities"
    assert fake_app.session_state["last_situation"] == text
    assert fake_app.session_state["chat_context"] == (text,)
    assert CARE_LINE.split(" on ")[0] in fake_app.session_state["messages"][-1]["text"]
    assert answer.cards[0].match.name in fake_app.session_state["messages"][-1]["text"]
    assert not [b for b in fake_app.button if (b.key or "").startswith("about-work-")]
    assert text in fake_app.session_state["work_said"]
    next(b for b in fake_app.button if (b.key or "").startswith("plan-")).click().run()
    fake_app.switch_page("ui/plan.py").run()
    assert not fake_app.exception
    assert not shows_care(fake_app), "the coaching page takes the person's word too"
    assert "GROW outline" in [s.value for s in fake_app.subheader]
    fake_app.switch_page("ui/chat.py").run()
    next(b for b in fake_app.button if b.label == "Clear conversation").click().run()
    assert "work_said" not in fake_app.session_state, "what the person said goes with the conversation"


def test_the_coaching_page_uses_a_misread_work_situation_once_the_person_says_so(fake_app, monkeypatch):
    from safety.guard import Guard, Verdict

    check = Guard.check
    monkeypatch.setattr(Guard, "check", lambda self, t, reply=False: Verdict(True, "detector", 0.1)
                        if "putting it off" in t else check(self, t, reply))
    fake_app.switch_page("ui/plan.py").run()
    text = "My EL1 keeps missing deadlines. I've been putting it off for weeks and that's not fair on anyone."
    fake_app.text_area(key="situation-text").input(text).run()
    assert shows_care(fake_app) and "GROW outline" not in [s.value for s in fake_app.subheader]
    offer = [b for b in fake_app.button if b.label == "It's about work: use it for the plan"]
    assert len(offer) == 1
    offer[0].click().run()
    assert not fake_app.exception
    assert not shows_care(fake_app) and "GROW outline" in [s.value for s in fake_app.subheader]
    fake_app.text_area(key="situation-text").input("honestly i dont want to be alive anymore").run()
    assert shows_care(fake_app)
    assert not [b for b in fake_app.button if b.label == "It's about work: use it for the plan"]


def test_plain_words_of_distress_offer_no_way_round_the_care_reply(fake_app):
    say(fake_app, "honestly i dont want to be alive anymore")
    assert last_answer(fake_app).kind == "safety" and shows_care(fake_app)
    assert last_answer(fake_app).held is None
    assert not [b for b in fake_app.button if (b.key or "").startswith("about-work-")]


def test_distress_between_follow_ups_does_not_join_the_situation(app):
    say(app, RESTRUCTURE)
    say(app, DISTRESS)
    assert last_answer(app).kind == "safety"
    say(app, RESISTING)
    answer = last_answer(app)
    assert answer.kind == "answer" and answer.texts == (RESTRUCTURE, RESISTING)
    assert DISTRESS not in app.session_state["last_situation"]


def test_a_distress_plan_situation_gets_the_care_message_instead_of_suggestions(app):
    app.switch_page("ui/plan.py").run()
    assert not app.exception
    app.text_area(key="situation-text").input("honestly i dont want to be alive anymore").run()
    assert not app.exception
    assert shows_care(app)
    assert any("Nothing is suggested here" in i.value for i in app.info)
    assert "GROW outline" not in [s.value for s in app.subheader]
    app.text_area(key="situation-text").input("My EL1 keeps missing deadlines and I must give him feedback").run()
    assert not shows_care(app)
    assert "GROW outline" in [s.value for s in app.subheader]


def test_clear_case_puts_the_right_capability_on_top(app):
    shows_a_full_answer(app)


def test_an_answer_shows_its_parts(fake_app, fake_served):
    """The page's parts, on the fake retriever (whose bag of words ranks Negotiates persuasively first too)."""
    assert fake_served.search(NEGOTIATION).capabilities[0].id == "negotiates-persuasively"
    shows_a_full_answer(fake_app)


def test_off_topic_gets_nothing_fits(app):
    says_nothing_fits(app, "what's a good recipe for lemon tart with extra cream")


def test_what_the_rule_flags_gets_nothing_fits(fake_app, fake_served):
    candidates = ("what's a good recipe for lemon tart with extra cream", "zebra giraffe lion", "😡😡😡🔥💼")
    says_nothing_fits(fake_app, next(t for t in candidates if fake_served.search(t).off_topic))


def test_a_follow_up_is_read_with_the_earlier_turn_until_a_new_situation(fake_app, fake_served):
    app = fake_app
    say(app, RESTRUCTURE)
    say(app, RESISTING)
    answer = last_answer(app)
    assert answer.texts == (RESTRUCTURE, RESISTING)
    assert app.chat_input[0].placeholder.startswith("Add to the situation above")
    assert any(m.value.startswith("Taking your earlier messages into account") for m in app.markdown)
    from conversation import context

    together = context.rank(fake_served, (RESTRUCTURE, RESISTING)).combined
    assert [c.id for c in answer.result.capabilities] == [c.id for c in together.capabilities]
    assert app.session_state["last_situation"] == f"{RESTRUCTURE} {RESISTING}"
    [b for b in app.button if b.label == "New situation"][0].click().run()
    say(app, RESISTING)
    assert last_answer(app).texts == (RESISTING,)
    assert any(c.value == "New situation" for c in app.caption)


def test_follow_up_reads_the_earlier_turn(app, real_retriever):
    say(app, RESTRUCTURE)
    first = last_answer(app).result.capabilities
    say(app, RESISTING)
    answer = last_answer(app)
    assert answer.texts == (RESTRUCTURE, RESISTING)
    assert app.chat_input[0].placeholder.startswith("Add to the situation above")
    assert any(m.value.startswith("Taking your earlier messages into account") for m in app.markdown)
    alone = real_retriever.search(RESISTING, top=20).capabilities
    runner_up = first[1].id
    assert rank_of(answer.result.capabilities, runner_up) < rank_of(alone, runner_up)
    assert app.session_state["last_situation"] == f"{RESTRUCTURE} {RESISTING}"
    kept = {text for _, text in app.session_state["chat_vectors"]}
    assert {RESTRUCTURE, RESISTING} <= kept, "the situation's texts are kept for its next follow-up"

    [b for b in app.button if b.label == "New situation"][0].click().run()
    assert "chat_vectors" not in app.session_state, "a new situation forgets the last one's vectors"
    say(app, RESISTING)
    assert last_answer(app).texts == (RESISTING,)
    assert any(c.value == "New situation" for c in app.caption)
    assert RESTRUCTURE not in {text for _, text in app.session_state["chat_vectors"]}


def test_cluster_filter_and_number_of_results(fake_app, fake_served):
    app = fake_app
    cluster = "communicates-with-influence"
    names = {cap.name for cap in fake_served.framework.cluster(cluster).capabilities}
    app.sidebar.multiselect[0].set_value([cluster]).run()
    say(app, "My director and I keep clashing over the budget")
    titles = card_titles(app)
    assert titles and set(titles) <= names
    assert any(m.value.startswith("Within the clusters you chose") for m in app.markdown)
    app.sidebar.multiselect[0].set_value([]).run()
    app.sidebar.slider[0].set_value(5).run()
    titles = card_titles(app)
    assert len(titles) == 5 and not set(titles) <= names
    app.sidebar.toggle[0].set_value(True).run()
    labels = [e.label for e in app.expander if e.label.startswith("**")]
    assert len(labels) == 5 and all(re.search(r" match \d\.\d\d · ", label) for label in labels)
    assert not app.exception


def test_user_html_and_markdown_are_shown_inert(fake_app):
    app = fake_app
    say(app, HOSTILE)
    assert last_answer(app).kind == "answer", "the words in the cards come from the user's text"
    assert app.text[0].value == HOSTILE
    assert {h.proto.body for h in app.get("html")} <= {layout.HIDDEN, layout.CLOSE_NAVIGATION}, "only the app's own"
    for m in app.markdown:
        assert "<script>" not in m.value and "<img" not in m.value
        assert "](javascript:" not in m.value and ":red[red]" not in m.value
    assert not app.exception


def test_add_to_plan_and_feedback_are_kept_in_the_session(fake_app):
    app = fake_app
    say(app, NEGOTIATION)
    answer = last_answer(app)
    top = answer.cards[0]
    button = [b for b in app.button if b.key == f"plan-{app.session_state['messages'][-1]['id']}-{top.match.id}"][0]
    button.click().run()
    assert len(app.session_state["messages"]) == 2, "a click does not send the message again"
    plan = app.session_state["plan"]
    assert plan["capabilities"] == [top.match.id]
    assert plan["indicators"] == [e.match.id for e in top.evidence if e.fits], "only the fitting ones are ticked"
    assert plan["situations"] == [f"{NEGOTIATION}."]
    assert [b for b in app.button if b.key == button.key][0].label == "In coaching plan"
    app.feedback[0].set_value(0).run()
    assert app.session_state["feedback"] == {app.session_state["messages"][-1]["id"]: "down"}
    assert not app.exception


def add_first_new_card(at: AppTest) -> str:
    """Click "Add to coaching plan" on the latest answer's best card not in the plan yet; its capability id."""
    message = at.session_state["messages"][-1]
    held = at.session_state["plan"]["capabilities"] if "plan" in at.session_state else []
    card = next(c for c in message["answer"].cards if c.match.id not in held)
    [b for b in at.button if b.key == f"plan-{message['id']}-{card.match.id}"][0].click().run()
    assert not at.exception, at.exception
    return card.match.id


def test_adding_from_a_follow_up_keeps_the_situation_once_as_written(app):
    say(app, RESTRUCTURE)
    first = add_first_new_card(app)
    say(app, "thanks")
    assert last_answer(app).kind == "nothing-fits"
    say(app, RESISTING)
    second = add_first_new_card(app)
    say(app, "and the deputy secretary wants the new structure in place by June")
    third = add_first_new_card(app)
    plan = app.session_state["plan"]
    assert plan["capabilities"] == [first, second, third]
    assert plan["situations"] == [f"{RESTRUCTURE}. And my director is also resisting the change. And the deputy "
                                  "secretary wants the new structure in place by June."]
    [b for b in app.button if b.label == "New situation"][0].click().run()
    say(app, NEGOTIATION)
    add_first_new_card(app)
    assert app.session_state["plan"]["situations"][1:] == [f"{NEGOTIATION}."]


def test_explore_button_opens_the_capability(fake_app):
    app = fake_app
    say(app, NEGOTIATION)
    top = last_answer(app).cards[0].match.id
    [b for b in app.button if b.label == "Explore"][0].click().run()
    assert app.query_params.get("capability") == top
    assert not app.chat_input, "the explore page is showing"
    assert not app.exception


def test_clear_conversation_brings_back_the_greeting(fake_app):
    app = fake_app
    say(app, NEGOTIATION)
    app.sidebar.button[0].click().run()
    assert app.session_state["messages"] == []
    assert [b for b in app.button if b.key == "example-0"]
    assert not app.sidebar.info, "an empty plan needs no question"
    assert not app.exception


def test_clear_conversation_offers_to_clear_the_plan_too(app):
    say(app, NEGOTIATION)
    add_first_new_card(app)
    app.sidebar.button[0].click().run()
    assert app.session_state["messages"] == []
    assert "Your coaching plan still holds 1 capability and the situation you wrote" in app.sidebar.info[0].value
    app.sidebar.button(key="keep-clear-too").click().run()
    assert app.session_state["plan"]["capabilities"] == [] and app.session_state["plan"]["situations"] == []
    assert app.sidebar.success[0].value == "The conversation and the coaching plan are cleared."
    assert not app.exception


def test_about_names_the_model_not_its_folder(app):
    model = [c.value.replace("\\", "") for c in app.sidebar.caption if c.value.startswith("Model")]
    assert model == ["Model: all-MiniLM-L6-v2, tuned on the ILS Coach exemplars"]


def test_a_broken_framework_gives_a_friendly_error(tmp_path, monkeypatch):
    bad = tmp_path / "framework.json"
    bad.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("ILS_COACH_FRAMEWORK", str(bad))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        assert not at.exception
        assert "framework file could not be read" in at.error[0].value
        assert "python -m corpus build" in at.error[0].value
        assert not at.chat_input
    finally:
        st.cache_resource.clear()


def test_edges_thin_input_requests_and_how_do_i_on_the_real_model(app):
    say(app, "things are bad at work")
    assert last_answer(app).kind == "clarify" and card_titles(app) == []
    [b for b in app.button if b.label == "Show matches anyway"][0].click().run()
    assert len(card_titles(app)) == 3
    say(app, "my EL1 keeps missing deadlines and the minister's office is chasing me for the brief")
    assert last_answer(app).kind == "answer" and last_answer(app).texts[0] == "things are bad at work"
    [b for b in app.button if b.label == "New situation"][0].click().run()
    say(app, "Can you write an all-staff email announcing the restructure")
    assert last_answer(app).kind == "cannot"
    say(app, "How do I open the conversation on Thursday without her getting defensive?")
    assert last_answer(app).prepare and app.get("page_link")
    assert any(c.value.startswith("Strong, good or possible") for c in app.caption)
