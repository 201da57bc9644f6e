"""Keeping the work: the plan's situation as written, the plan file, loading and clearing, the model's name."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from coaching import planfile
from coaching.plan import Answers, Selection
from coaching.situation import join, sentence
from corpus.model import load as load_framework
from index.tune import describe
from ui import state

ROOT = Path(__file__).resolve().parents[1]
GUIDES = "guides-mentors-and-develops-people"
FEEDBACK = "guides-mentors-and-develops-people.7"
RESILIENCE = "displays-resilience"
DAY = date(2026, 5, 20)
RESTRUCTURE = "We are restructuring the division and staff are anxious about their jobs"
RESISTING = "and my director is also resisting the change"


@pytest.fixture(scope="module")
def framework():
    return load_framework(ROOT / "corpus" / "data" / "ils-ses-band-2.json")


# The plan's situation (item 5)


def test_messages_become_sentences_each_once():
    assert join([RESTRUCTURE, RESISTING, f"  {RESTRUCTURE.upper()}! "]) == (
        f"{RESTRUCTURE}. And my director is also resisting the change.")
    assert join(["Is this fair?", "“She said no.”", "iPhone rules for the team", "", "   "]) == (
        "Is this fair? “She said no.” iPhone rules for the team.")
    assert join(["my EL1 (again)", "2 people left"]) == "My EL1 (again). 2 people left."
    long = sentence("word " * 2000, limit=100)
    assert len(long) <= 101 and long.endswith("…")


def user(n: int, text: str, situation: int = 0) -> dict:
    return {"id": n, "role": "user", "text": text, "situation": situation}


def reply(n: int, kind: str = "answer", situation: int = 0) -> dict:
    return {"id": n, "role": "assistant", "text": "", "situation": situation, "answer": SimpleNamespace(kind=kind)}


def test_chat_situation_is_what_the_person_wrote_up_to_that_answer():
    messages = [user(1, RESTRUCTURE), reply(2), user(3, "thanks"), reply(4, "nothing-fits"), user(5, RESISTING),
                reply(6), user(7, "Two directors are fighting over staff", 1), reply(8, situation=1)]
    assert state.chat_situation(messages, 2) == (0, f"{RESTRUCTURE}.")
    assert state.chat_situation(messages, 6) == (0, f"{RESTRUCTURE}. And my director is also resisting the change.")
    assert state.chat_situation(messages, 4) == (None, "")
    assert state.chat_situation(messages) == (1, "Two directors are fighting over staff.")
    assert state.chat_situation([]) == (None, "")


def test_a_follow_up_replaces_its_situation_instead_of_adding_another():
    plan = state.new_plan()
    state.add_to_plan(plan, GUIDES, [FEEDBACK], f"{RESTRUCTURE}.", source=0)
    state.add_to_plan(plan, RESILIENCE, [], f"{RESTRUCTURE}. And my director is also resisting the change.", 0)
    assert plan["situations"] == [f"{RESTRUCTURE}. And my director is also resisting the change."]
    state.add_to_plan(plan, GUIDES, [], "Two directors are fighting over staff.", source=1)
    state.add_situation(plan, "Two directors are fighting over staff.")
    assert plan["situations"] == [f"{RESTRUCTURE}. And my director is also resisting the change.",
                                  "Two directors are fighting over staff."]
    assert plan["capabilities"] == [GUIDES, RESILIENCE] and plan["indicators"] == [FEEDBACK]


# The plan file (item 6)


def full_plan(framework) -> tuple[Selection, Answers]:
    selection = Selection.from_state({"capabilities": [GUIDES, RESILIENCE], "indicators": [FEEDBACK],
                                      "situations": ["My EL1 keeps missing deadlines — “again”."]}, framework)
    answers = Answers.from_state({"situation": "Edited: my EL1 keeps missing deadlines", "ratings": {FEEDBACK: 2},
                                  "evidence": {FEEDBACK: "Put the talk off twice"}, "grow": {"goal": "Meet it"},
                                  "sbi": {"impact": "Late brief"}, "woop": {"wish": "Feedback within a day"},
                                  "actions": [f"{GUIDES}:formal:1"], "own_actions": {"on_the_job": "Ask for a 1:1"}})
    return selection, answers


def test_plan_file_round_trip(framework):
    selection, answers = full_plan(framework)
    data = planfile.dump(framework, selection, answers, DAY)
    document = json.loads(data)
    assert document["format"] == "ils-coach-plan/2" and document["framework"] == framework.id
    assert document["saved_on"] == "2026-05-20"
    saved = planfile.read(data, framework)
    assert saved.selection == selection and saved.answers == answers and saved.saved_on == DAY
    assert saved.summary == "2 capabilities · 1 indicator · 1 rated, saved on 20 May 2026"
    empty = planfile.read(planfile.dump(framework, Selection(), Answers(), DAY), framework)
    assert empty.selection == Selection() and empty.answers == Answers()


def edited(framework, change) -> bytes:
    document = json.loads(planfile.dump(framework, *full_plan(framework), DAY))
    change(document)
    return json.dumps(document).encode()


BAD = {
    "not JSON": (lambda fw: b"{not json", "not JSON text"),
    "binary": (lambda fw: bytes(range(256)), "not JSON text"),
    "a list": (lambda fw: b"[1, 2]", "not a plan saved by ILS Coach"),
    "another format": (lambda fw: b'{"format": "ils-coach-framework/1"}', "not a plan saved by ILS Coach"),
    "no version": (lambda fw: edited(fw, lambda d: d.update(format="ils-coach-plan")), "format version"),
    "a newer version": (lambda fw: edited(fw, lambda d: d.update(format="ils-coach-plan/3")), "newer version"),
    "another framework": (lambda fw: edited(fw, lambda d: d.update(framework="ils-el1")), "another framework"),
    "an unknown capability": (lambda fw: edited(fw, lambda d: d["plan"]["capabilities"].append("flies")),
                              "names a capability"),
    "an unknown indicator": (lambda fw: edited(fw, lambda d: d["plan"]["indicators"].append(f"{GUIDES}.99")),
                             "behavioural indicator"),
    "a rating of 6": (lambda fw: edited(fw, lambda d: d["answers"]["ratings"].update({FEEDBACK: 6})), "1 to 5"),
    "a rating of true": (lambda fw: edited(fw, lambda d: d["answers"]["ratings"].update({FEEDBACK: True})),
                         "1 to 5"),
    "a made-up note": (lambda fw: edited(fw, lambda d: d["answers"]["grow"].update(mood="x")), "“mood”"),
    "a number for a note": (lambda fw: edited(fw, lambda d: d["answers"]["woop"].update(wish=3)), "should be text"),
    "situations as text": (lambda fw: edited(fw, lambda d: d["plan"].update(situations="x")), "list of texts"),
    "an extra field": (lambda fw: edited(fw, lambda d: d.update(owner="me")), "“owner”"),
    "a bad date": (lambda fw: edited(fw, lambda d: d.update(saved_on="yesterday")), "saved_on"),
    "answers as a list": (lambda fw: edited(fw, lambda d: d.update(answers=[])), "“answers”"),
    "too large": (lambda fw: b" " * (planfile.MAX_BYTES + 1), "larger than a plan"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_plan_file_refuses_what_it_did_not_write(framework, case):
    make, says = BAD[case]
    with pytest.raises(planfile.PlanFileError) as caught:
        planfile.read(make(framework), framework)
    assert says in str(caught.value)
    assert str(caught.value).endswith((".", ")."))


# The plan page (item 6)


def page(plan: dict | None = None, prep: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "ui" / "plan.py"), default_timeout=60)
    if plan is not None:
        at.session_state["plan"] = plan
    if prep is not None:
        at.session_state["prep"] = prep
    return at.run()


def test_the_plan_page_warns_and_offers_every_download():
    at = page()
    assert not at.exception
    assert any("lives only in this browser tab until you download it" in w.value for w in at.warning)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Plan file (JSON)", "Preparation sheet (PDF)", "Preparation sheet (Markdown)",
                      "Chat transcript (Markdown)"]
    assert not at.sidebar.get("download_button"), "the downloads are on the page itself, not only in the sidebar"
    assert at.button(key="plan-clear").disabled, "nothing to clear yet"
    assert page(prep={"grow": {}, "situation": " "}).button(key="plan-clear").disabled, "blank answers hold nothing"


def test_loading_a_saved_plan_replaces_the_plan_and_its_answers(framework):
    at = page({"capabilities": [RESILIENCE], "indicators": [], "situations": ["Old situation"]},
              {"ratings": {"displays-resilience.1": 4}})
    at.text_area(key="grow-goal").input("typed before loading").run()
    data = planfile.dump(framework, *full_plan(framework), DAY)
    at.file_uploader[0].upload("my-plan.json", data, "application/json").run()
    assert not at.exception
    assert any("2 capabilities · 1 indicator · 1 rated, saved on 20 May 2026" in i.value for i in at.info)
    assert at.session_state["plan"]["capabilities"] == [RESILIENCE], "nothing changes before Load"
    at.button(key="plan-load").click().run()
    assert not at.exception
    assert at.session_state["plan"]["capabilities"] == [GUIDES, RESILIENCE]
    assert at.session_state["prep"]["ratings"] == {FEEDBACK: 2}
    assert any("Loaded the plan from “my-plan.json”" in s.value for s in at.success)
    assert at.text_area(key="situation-text@1").value == "Edited: my EL1 keeps missing deadlines"
    assert at.text_area(key="grow-goal@1").value == "Meet it", "the widgets start afresh from the loaded plan"
    assert at.radio(key=f"rate-{FEEDBACK}@1").value == 2
    assert not at.file_uploader[0].value, "the file chooser is empty again"


def test_a_foreign_file_gets_a_clear_error_and_changes_nothing(framework):
    plan = {"capabilities": [RESILIENCE], "indicators": ["displays-resilience.1"], "situations": ["Mine"],
            "chat_situations": {}}
    at = page(json.loads(json.dumps(plan)), {"ratings": {"displays-resilience.1": 4}})
    at.file_uploader[0].upload("framework.json", (ROOT / "corpus" / "data" / "prompts.json").read_bytes(),
                               "application/json").run()
    assert not at.exception
    assert "not a plan saved by ILS Coach" in at.error[0].value and "Your plan has not changed." in at.error[0].value
    assert not [b for b in at.button if b.key == "plan-load"]
    assert at.session_state["plan"] == plan
    assert at.session_state["prep"] == {"ratings": {"displays-resilience.1": 4}}


def test_clear_plan_asks_first_then_empties_everything():
    at = page({"capabilities": [RESILIENCE], "indicators": ["displays-resilience.1"], "situations": ["Mine"]},
              {"ratings": {"displays-resilience.1": 4}, "grow": {"goal": "x"}})
    at.button(key="plan-clear").click().run()
    question = "Clear the whole plan (1 capability, the situation you wrote and what you filled in on the " \
               "preparation page)?"
    assert any(question in w.value for w in at.warning)
    at.button(key="plan-clear-no").click().run()
    assert at.session_state["plan"]["capabilities"] == [RESILIENCE]
    at.button(key="plan-clear").click().run()
    at.button(key="plan-clear-yes").click().run()
    assert not at.exception
    assert at.session_state["plan"] == state.new_plan() and at.session_state["prep"] == {}
    assert "Your plan is empty" in at.info[0].value
    assert at.text_area(key="situation-text@1").value == ""
    assert any(s.value == "The plan is cleared." for s in at.success)


def offer_app() -> None:
    import streamlit as st

    from ui import keep

    if st.button("Clear conversation", key="clear"):
        keep.offer_to_clear_plan()
    keep.clear_offer()


def test_clear_conversation_offers_to_clear_the_plan():
    at = AppTest.from_function(offer_app)
    at.session_state["plan"] = {"capabilities": [RESILIENCE], "indicators": [], "situations": ["Mine"]}
    at.run()
    assert not at.info
    at.button(key="clear").click().run()
    assert "Your coaching plan still holds 1 capability and the situation you wrote" in at.info[0].value
    at.button(key="keep-keep").click().run()
    assert not at.info and at.session_state["plan"]["capabilities"] == [RESILIENCE]
    at.button(key="clear").click().run()
    at.button(key="keep-clear-too").click().run()
    assert not at.exception
    assert at.session_state["plan"] == state.new_plan()
    assert at.success[0].value == "The conversation and the coaching plan are cleared."
    empty = AppTest.from_function(offer_app).run()
    empty.button(key="clear").click().run()
    assert not empty.info, "an empty plan needs no question"


# The About panel (item 6)


def test_the_model_is_named_not_given_as_a_path(tmp_path):
    tuned = tmp_path / "models" / "bb0738c8b14b6554"
    tuned.mkdir(parents=True)
    (tuned / "tuned.json").write_text(json.dumps({"base_model": "all-MiniLM-L6-v2"}), encoding="utf-8")
    assert describe(str(tuned)) == "all-MiniLM-L6-v2, tuned on the ILS Coach exemplars"
    (tuned / "tuned.json").write_text(json.dumps({"base_model": "/opt/models/my-mpnet/"}), encoding="utf-8")
    assert describe(str(tuned)) == "my-mpnet, tuned on the ILS Coach exemplars"
    assert describe("all-MiniLM-L6-v2") == "all-MiniLM-L6-v2"
    assert describe("sentence-transformers/all-mpnet-base-v2") == "sentence-transformers/all-mpnet-base-v2"
    assert describe(str(tmp_path / "plain-model")) == "plain-model"


def test_a_browser_still_showing_the_old_plan_cannot_bring_it_back():
    """The race the 390 px browser test met: a click that reaches the server before the browser has redrawn the
    cleared page sends the old page's widget values, and Streamlit runs the callbacks of widgets it has dropped."""
    at = page({"capabilities": [RESILIENCE], "indicators": ["displays-resilience.1"], "situations": ["Mine"]},
              {"grow": {"goal": "Stay calm"}})
    at.button(key="plan-clear").click().run()
    old_page = at._tree.get_widget_states()  # what the browser sends while it still shows the old plan
    at.button(key="plan-clear-yes").click().run()
    assert at.session_state["plan"] == state.new_plan()
    at._run(old_page)
    assert not at.exception
    assert at.session_state["plan"] == state.new_plan() and not state.holds(at.session_state["prep"])


def test_a_tick_left_from_a_removed_capability_does_not_bring_it_back():
    at = page({"capabilities": [RESILIENCE, GUIDES], "indicators": ["displays-resilience.1", FEEDBACK]})
    old_page = at._tree.get_widget_states()
    at.button(key=f"remove-{RESILIENCE}").click().run()
    at._run(old_page)
    assert not at.exception
    assert at.session_state["plan"]["capabilities"] == [GUIDES]
    assert at.session_state["plan"]["indicators"] == [FEEDBACK]
