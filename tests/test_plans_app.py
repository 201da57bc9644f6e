"""Two coaching plans in one session through AppTest (fast tier, fake retriever over the real framework): each with
its own coaching conversation, ratings, label and voice; switching back and forth never mixes them; exports hold
only their own plan's words; "Clear plan" and loading a file touch only the active plan."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

import settings
from coaching import export, match, planfile, prompts
from coaching.plan import Answers, Selection
from coaching.sheet import build
from corpus import resources
from corpus.model import load as load_framework
from tests.conftest import ROOT
from tests.test_app import say
from tests.test_coach_app import GOAL, REALITY, questions, start_coaching

OTHER_GOAL = "Help my client Jo land a calm restructure announcement before Christmas"
OTHER_REALITY = "Jo's branch heads already heard rumours and two of them are briefing against it"
FEEDBACK = "guides-mentors-and-develops-people.7"
DAY = date(2026, 5, 20)


@pytest.fixture
def fake_app(fake_served):
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def plans(at: AppTest):
    return at.session_state["plans"]


def shown_user_texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def pick(at: AppTest, key: str, plan_id: int) -> None:
    at.selectbox(key=key).set_value(plan_id).run()
    assert not at.exception, at.exception


def by_label(widgets, label: str):
    found = [w for w in widgets if w.label == label]
    assert len(found) == 1, [w.label for w in widgets]
    return found[0]


def sheet_markdown(at: AppTest) -> str:
    """The Markdown export of the active plan, built from what the session holds, as the page's download is."""
    config = settings.get()
    framework = load_framework(config.framework)
    entry = plans(at).active
    sheet = build(framework, Selection.from_state(at.session_state["plan"], framework),
                  Answers.from_state(at.session_state["prep"]), prompts.load(), resources.load(config.resources),
                  match.load_labels(), DAY, entry.voice, entry.label)
    return export.markdown(sheet)


def test_two_plans_keep_their_own_conversation_voice_and_answers(fake_app):
    at = fake_app
    start_coaching(at)
    say(at, GOAL)
    assert at.session_state["coach"].answers["goal"] == GOAL
    assert not [s for s in at.selectbox if s.key == "chat_plan"], "one plan: no picker, as simple as before"

    at.sidebar.button(key="chat-new-plan").click().run()
    assert plans(at).ids == (1, 2) and plans(at).active_id == 2
    assert "coach" not in at.session_state, "the new plan has no conversation of its own yet"
    assert GOAL not in shown_user_texts(at), "plan 1's coaching turns are not shown under plan 2"
    assert at.selectbox(key="chat_plan").value == 2
    at.sidebar.toggle(key="chat_client").set_value(True).run()
    assert plans(at).get(2).voice == "client" and plans(at).get(1).voice == "you"

    start_coaching(at)
    assert "your client" in questions(at)[-1], "plan 2 asks about the client"
    say(at, OTHER_GOAL)
    say(at, OTHER_REALITY)
    assert at.session_state["coach"].answers == {"goal": OTHER_GOAL, "reality": OTHER_REALITY}
    assert GOAL not in shown_user_texts(at) and OTHER_GOAL in shown_user_texts(at)

    pick(at, "chat_plan", 1)
    conversation = at.session_state["coach"]
    assert conversation.voice == "you" and conversation.answers == {"goal": GOAL}
    assert conversation.current == "reality"
    assert not at.sidebar.toggle(key="chat_client").value, "the switch shows plan 1's voice"
    assert GOAL in shown_user_texts(at) and OTHER_GOAL not in shown_user_texts(at)
    assert not any("your client" in q for q in questions(at)[-1:])
    say(at, REALITY)
    assert at.session_state["coach"].answers == {"goal": GOAL, "reality": REALITY}

    pick(at, "chat_plan", 2)
    assert at.session_state["coach"].answers == {"goal": OTHER_GOAL, "reality": OTHER_REALITY}
    assert at.sidebar.toggle(key="chat_client").value
    assert REALITY not in shown_user_texts(at) and OTHER_REALITY in shown_user_texts(at)


def test_two_plans_on_the_plan_page_keep_their_own_ratings_label_and_exports(fake_app):
    at = fake_app
    at.session_state["plan"] = {"capabilities": ["guides-mentors-and-develops-people"], "indicators": [FEEDBACK],
                                "situations": ["My EL1 keeps missing deadlines"], "chat_situations": {}}
    at.switch_page("ui/plan.py").run()
    assert not at.exception, at.exception
    assert not [s for s in at.selectbox if s.key == "plan_picker"], "one plan: no picker"
    assert not [t for t in at.text_input if t.label == "Client label (optional)"], "no label for one's own plan"
    assert by_label(at.tabs, "2 Self-assessment")
    by_label(at.radio, next(r.label for r in at.radio)).set_value(2).run()
    assert at.session_state["prep"]["ratings"] == {FEEDBACK: 2}
    by_label(at.text_area, "Your notes: Goal").input("Deadlines met by June").run()
    mine = sheet_markdown(at)
    assert "> Deadlines met by June" in mine and "Self-rating: 2/5 Sometimes" in mine

    at.button(key="plan-new").click().run()
    assert plans(at).active_id == 2 and at.session_state["plan"]["capabilities"] == []
    assert at.session_state["prep"] == {}
    at.toggle(key="plan_client").set_value(True).run()
    by_label(at.text_input, "Client label (optional)").input("  <b>JB</b>  ").run()
    assert plans(at).active.label == "<b>JB</b>" and plans(at).active.name == "Plan 2 · <b>JB</b>"
    assert at.title[0].value == "Coaching preparation: \\<b\\>JB\\</b\\>", "the label is escaped in the heading"
    assert by_label(at.tabs, "2 Assessment")
    assert by_label(at.text_area, "The situation your client is preparing for").value == ""
    at.selectbox(key=[s.key for s in at.selectbox if s.label == "Add a capability"][0]).set_value(
        "guides-mentors-and-develops-people").run()
    at.button(key="add-button").click().run()
    rating = next(r for r in at.radio if r.label.startswith("Provides"))
    rating.set_value(5).run()
    by_label(at.text_area, "Notes: Goal").input("Jo gives the feedback herself").run()
    theirs = sheet_markdown(at)
    page = " ".join(m.value for m in at.markdown)
    assert "To ask your client" in page and "To ask your client: “To ask" not in page.replace("\\", "")
    assert theirs.startswith("# Coaching preparation sheet for a client: <b\\>JB</b\\>".replace("<", "\\<"))
    assert "> Jo gives the feedback herself" in theirs and "Deadlines met by June" not in theirs
    assert "Rating: 5/5 Consistently" in theirs and "2/5 Sometimes" not in theirs
    assert "My EL1 keeps missing deadlines" not in theirs

    pick(at, "plan_picker", 1)
    assert at.session_state["prep"]["ratings"] == {FEEDBACK: 2}
    assert by_label(at.text_area, "Your notes: Goal").value == "Deadlines met by June"
    assert at.title[0].value == "Coaching preparation"
    assert not at.toggle(key="plan_client").value
    again = sheet_markdown(at)
    assert again == mine, "switching away and back leaves plan 1's export exactly as it was"

    at.button(key="plan-clear").click().run()
    at.button(key="plan-clear-yes").click().run()
    assert at.session_state["prep"] == {} and plans(at).get(2).answers["ratings"]
    pick(at, "plan_picker", 2)
    assert "> Jo gives the feedback herself" in sheet_markdown(at), "clearing plan 1 left plan 2 alone"


def test_loading_a_file_replaces_only_the_active_plan_and_says_so(fake_app):
    at = fake_app
    framework = load_framework(settings.get().framework)
    data = planfile.dump(framework, Selection.from_state({"capabilities": ["displays-resilience"]}, framework),
                         Answers.from_state({"grow": {"goal": "Loaded goal"}}), DAY, "client", "KM")
    at.session_state["plan"] = {"capabilities": ["guides-mentors-and-develops-people"], "indicators": [],
                                "situations": ["Mine"], "chat_situations": {}}
    at.session_state["prep"] = {"grow": {"goal": "Plan 1 goal"}}
    at.switch_page("ui/plan.py").run()
    at.file_uploader[0].upload("km.json", data, "application/json").run()
    assert any("Loading it replaces everything on this page" in i.value for i in at.info), "one plan: as before"
    at.button(key="plan-new").click().run()
    at.session_state["prep"] = {"grow": {"goal": "About to be replaced"}}
    at.run()
    at.file_uploader[0].upload("km.json", data, "application/json").run()
    told = " ".join(i.value for i in at.info).replace("\\", "")
    assert "for a client (KM)" in told and "Loading it replaces Plan 2 only; your other plans stay as they are" in told
    at.button(key="plan-load").click().run()
    assert not at.exception, at.exception
    assert plans(at).active_id == 2 and plans(at).active.label == "KM" and plans(at).active.voice == "client"
    assert at.session_state["prep"] == {"grow": {"goal": "Loaded goal"}}
    assert at.session_state["plan"]["capabilities"] == ["displays-resilience"]
    pick(at, "plan_picker", 1)
    assert at.session_state["prep"] == {"grow": {"goal": "Plan 1 goal"}}
    assert at.session_state["plan"]["capabilities"] == ["guides-mentors-and-develops-people"]
    assert plans(at).active.label == "" and plans(at).active.voice == "you"
    assert [o for o in at.selectbox(key="plan_picker").options] == ["Plan 1", "Plan 2 · KM"]


def test_removing_a_plan_asks_first_and_keeps_the_other(fake_app):
    at = fake_app
    at.session_state["prep"] = {"grow": {"goal": "Plan 1 goal"}}
    at.switch_page("ui/plan.py").run()
    assert not [b for b in at.button if b.key == "plan-remove"], "nothing to remove with one plan"
    at.button(key="plan-new").click().run()
    at.session_state["prep"] = {"grow": {"goal": "Plan 2 goal"}}
    at.run()
    at.button(key="plan-remove").click().run()
    assert plans(at).ids == (1, 2), "asked first"
    at.button(key="plan-remove-yes").click().run()
    assert plans(at).ids == (1,) and at.session_state["prep"] == {"grow": {"goal": "Plan 1 goal"}}
    assert not [s for s in at.selectbox if s.key == "plan_picker"]
