"""Keeping the work: the plan's situation as written."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from coaching.situation import join, sentence
from ui import state

ROOT = Path(__file__).resolve().parents[1]
GUIDES = "guides-mentors-and-develops-people"
FEEDBACK = "guides-mentors-and-develops-people.7"
RESILIENCE = "displays-resilience"
RESTRUCTURE = "We are restructuring the division and staff are anxious about their jobs"
RESISTING = "and my director is also resisting the change"


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
