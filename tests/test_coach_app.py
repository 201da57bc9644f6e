"""The coaching conversation in the app through AppTest, on the fake retriever over the real framework (fast tier):
from a chat answer to a plan holding the typed words, the distress pause, resuming after a page switch."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app import DISTRESS, NEGOTIATION, last_answer, say, shows_care

GOAL = "A cost split the states can sign by June without us giving up the indexation clause"
REALITY = "NSW and Victoria want fifty fifty, we offered sixty forty, and the last meeting ended badly"
OPTIONS = "Meet the NSW deputy secretary one on one; offer a review clause after two years; bring Treasury in early"
FIRST_STEP = "Call the NSW deputy secretary to set up a coffee by Friday"
OBSTACLE = "I get defensive when they question our costings"
IF_THEN = "If I feel defensive, then I will ask what figure they would find fair and listen"


@pytest.fixture
def fake_app(fake_served):
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def coach_turns(at: AppTest) -> list[dict]:
    return [m for m in at.session_state["messages"] if m.get("coach") is not None and m["role"] == "assistant"]


def last_coach(at: AppTest):
    return coach_turns(at)[-1]["coach"]


def start_coaching(at: AppTest) -> None:
    say(at, NEGOTIATION)
    message = at.session_state["messages"][-1]
    at.button(key=f"coach-start-{message['id']}").click().run()
    assert not at.exception, at.exception


def questions(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]


def test_a_full_conversation_from_an_answer_lands_in_the_plan(fake_app):
    at = fake_app
    start_coaching(at)
    first = last_coach(at)
    assert first.progress == "Goal · 1 of 7"
    assert any(c.value == "Coaching conversation · Goal · 1 of 7" for c in at.caption)
    assert any("what would you be willing to settle for" in q for q in questions(at)), "a negotiation's goal question"
    assert {b.key for b in at.button} >= {"coach-skip", "coach-back", "coach-restart", "coach-stop"}
    assert at.chat_input[0].placeholder.startswith("Answer in your own words")
    for text in (GOAL, REALITY, OPTIONS, "1", FIRST_STEP, OBSTACLE, IF_THEN):
        say(at, text)
    found = last_coach(at).summary
    assert found is not None and found.complete
    assert at.session_state["coach"].status == "done"
    assert any("This is now in your coaching plan" in s.value for s in at.success)
    assert [d for d in at.get("download_button")], "the summary can be downloaded"
    plan, prep = at.session_state["plan"], at.session_state["prep"]
    answer = last_answer_before_coaching(at)
    assert plan["capabilities"] == [c.match.id for c in answer.cards[:3]]
    assert plan["situations"] == [f"{NEGOTIATION}."]
    assert prep["grow"]["goal"] == GOAL and prep["grow"]["reality"] == REALITY
    assert prep["grow"]["options"].splitlines() == ["Meet the NSW deputy secretary one on one.",
                                                    "Offer a review clause after two years.",
                                                    "Bring Treasury in early."]
    assert prep["grow"]["will"] == f"Meet the NSW deputy secretary one on one.\nFirst step: {FIRST_STEP}"
    assert prep["woop"] == {"obstacle": OBSTACLE, "plan": IF_THEN}
    assert prep["own_actions"]["on_the_job"].splitlines() == ["Meet the NSW deputy secretary one on one.", FIRST_STEP]
    assert not coach_buttons(at), "no controls once finished"
    at.switch_page("ui/plan.py").run()
    assert not at.exception
    notes = {t.label: t.value for t in at.text_area}
    assert notes["Your notes: Goal"] == GOAL
    assert notes["Your notes: Obstacle"] == OBSTACLE and notes["Your notes: Plan"] == IF_THEN
    assert FIRST_STEP in notes["Your own actions: on the job"]
    exported_hold_the_words(at)


def exported_hold_the_words(at: AppTest) -> None:
    """The preparation sheet's Markdown and PDF and the chat transcript, built from the session, hold the words."""
    from datetime import date

    import settings
    from coaching import export, match, prompts
    from coaching.plan import Answers, Selection
    from coaching.sheet import build
    from corpus import resources
    from corpus.model import load

    config = settings.get()
    framework = load(config.framework)
    sheet = build(framework, Selection.from_state(at.session_state["plan"], framework),
                  Answers.from_state(at.session_state["prep"]), prompts.load(), resources.load(config.resources),
                  match.load_labels(), date(2026, 5, 20))
    text = export.markdown(sheet)
    for words in (GOAL, REALITY, OBSTACLE, IF_THEN, "> Bring Treasury in early."):
        assert words in text, words
    assert f"### On the job\n\n- Meet the NSW deputy secretary one on one.\n- {FIRST_STEP}" in text
    assert export.pdf(sheet).startswith(b"%PDF")
    transcript = export.transcript(at.session_state["messages"], date(2026, 5, 20))
    assert f"> {IF_THEN}" in transcript and "Chosen option: Meet the NSW deputy secretary" in transcript


def last_answer_before_coaching(at: AppTest):
    return next(m["answer"] for m in reversed(at.session_state["messages"]) if m.get("answer") is not None)


def coach_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key in {"coach-skip", "coach-back", "coach-restart", "coach-stop",
                                                            "coach-resume"}]


def test_distress_pauses_with_the_care_reply_and_resume_carries_on(fake_app):
    at = fake_app
    start_coaching(at)
    say(at, GOAL)
    say(at, DISTRESS)
    assert last_coach(at).care and shows_care(at)
    assert at.session_state["coach"].status == "paused"
    assert "reality" not in at.session_state["coach"].answers
    assert "coach-resume" in coach_buttons(at)
    at.button(key="coach-resume").click().run()
    assert not at.exception
    assert at.session_state["coach"].status == "active" and last_coach(at).progress == "Reality · 2 of 7"


def test_the_conversation_survives_a_visit_to_another_page(fake_app):
    at = fake_app
    start_coaching(at)
    say(at, GOAL)
    before = len(at.session_state["messages"])
    at.switch_page("ui/plan.py").run()
    assert not at.exception and not at.chat_input
    at.switch_page("ui/explore.py").run()
    at.switch_page("ui/chat.py").run()
    assert not at.exception
    assert len(at.session_state["messages"]) == before
    assert at.session_state["coach"].current == "reality"
    assert any(c.value == "Coaching conversation · Reality · 2 of 7" for c in at.caption)
    say(at, REALITY)
    assert at.session_state["coach"].answers["reality"] == REALITY
    assert last_coach(at).progress == "Options · 3 of 7"


def test_typed_triggers_and_commands_in_the_chat(fake_app):
    at = fake_app
    say(at, NEGOTIATION)
    say(at, "help me prepare")
    assert at.session_state["coach"].current == "goal"
    assert last_answer_kind(at) is None, "not answered as a situation"
    say(at, "skip")
    assert at.session_state["coach"].current == "reality"
    say(at, "back")
    assert at.session_state["coach"].current == "goal"
    at.button(key="coach-stop").click().run()
    assert at.session_state["coach"].status == "stopped"
    keep = [b for b in at.button if b.key and b.key.startswith("coach-keep-")]
    assert keep, "a stopped conversation can still be kept"
    say(at, "and the Commonwealth wants it settled before the budget")
    assert last_answer(at).kind == "answer", "after stopping, the chat answers situations again"


def last_answer_kind(at: AppTest):
    message = at.session_state["messages"][-1]
    return getattr(message.get("answer"), "kind", None)


def test_the_for_a_client_switch_words_the_questions_for_a_client(fake_app):
    at = fake_app
    at.sidebar.toggle(key="chat_client").set_value(True).run()
    start_coaching(at)
    assert "does your client need" in questions(at)[-1]
    at.sidebar.toggle(key="chat_client").set_value(False).run()
    say(at, GOAL)
    assert at.session_state["coach"].voice == "you"
    assert questions(at)[-1].startswith("**Where do things stand? What does each party want")


def test_the_plan_page_starts_the_conversation_in_the_chat(fake_app):
    at = fake_app
    at.session_state["plan"] = {"capabilities": ["guides-mentors-and-develops-people"],
                                "indicators": ["guides-mentors-and-develops-people.7"],
                                "situations": ["My EL1 keeps missing deadlines and I must give him feedback."],
                                "chat_situations": {}}
    at.switch_page("ui/plan.py").run()
    at.button(key="coach-from-plan").click().run()
    assert not at.exception, at.exception
    conversation = at.session_state["coach"]
    assert conversation.kind == "feedback" and conversation.current == "goal"
    assert [b.id for b in conversation.context.indicators] == ["guides-mentors-and-develops-people.7"]
    assert at.chat_input and at.chat_input[0].placeholder.startswith("Answer in your own words"), "the chat shows"
    assert "My EL1 keeps missing deadlines" in questions(at)[-1]


@pytest.fixture
def real_app(real_retriever, real_settings, monkeypatch):
    """app.py on the session's real index (the real-model tier)."""
    monkeypatch.setenv("ILS_COACH_INDEX_DIR", str(real_settings.index_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    st.cache_resource.clear()


def test_a_coaching_conversation_on_the_real_model(real_app):
    """The whole flow with the real model: the safety net's patterns and detector, reflections by the real
    retriever in the framework's words, and the plan at the end."""
    at = real_app
    start_coaching(at)
    say(at, GOAL)
    say(at, "I feel like giving up, honestly what's the point of any of it")
    assert last_coach(at).care and shows_care(at) and at.session_state["coach"].status == "paused"
    at.button(key="coach-resume").click().run()
    for text in (REALITY, OPTIONS, "1", FIRST_STEP, OBSTACLE, IF_THEN):
        say(at, text)
    turns = [m["coach"] for m in coach_turns(at)]
    reflections = [t.reflection for t in turns if t.reflection is not None]
    framework = {i.id: i.text for i in load_framework().indicators}
    assert reflections, "at least one reply is reflected in the framework's words"
    for found in reflections:
        assert framework[found.indicator_id] == found.text
        assert found.words, "a reflection names the words of the reply that carry it"
    print("\nreflections:", [(r.text, r.capability) for r in reflections])
    assert at.session_state["coach"].status == "done"
    assert at.session_state["prep"]["woop"] == {"obstacle": OBSTACLE, "plan": IF_THEN}


def load_framework():
    import settings
    from corpus.model import load

    return load(settings.get().framework)


def test_typing_resume_after_stop_carries_on_in_the_chat(fake_app):
    at = fake_app
    start_coaching(at)
    say(at, GOAL)
    at.button(key="coach-stop").click().run()
    assert at.session_state["coach"].status == "stopped"
    assert "coach-resume" in coach_buttons(at), "a stopped conversation offers Resume"
    say(at, "resume")
    assert at.session_state["coach"].status == "active"
    assert last_coach(at).progress == "Reality · 2 of 7" and at.session_state["coach"].answers["goal"] == GOAL


def test_the_downloadable_summary_names_the_client(fake_app, monkeypatch):
    from coaching import dialogue

    at = fake_app
    at.sidebar.toggle(key="chat_client").set_value(True).run()
    start_coaching(at)
    plans = at.session_state["plans"]
    at.session_state["plans"] = plans.label(plans.active_id, "JB")
    made = []
    original = dialogue.Summary.markdown
    monkeypatch.setattr(dialogue.Summary, "markdown",
                        lambda self, label="": made.append(label) or original(self, label))
    say(at, "stop")
    assert last_coach(at).summary is not None
    assert made and made[-1] == "JB", "the download is made with the plan's client label"
    assert original(last_coach(at).summary, "JB").startswith("# Coaching conversation summary (for a client): JB")
