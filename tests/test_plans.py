"""Several plans in one session (coaching.plans): add, switch, label, remove, and no field shared between plans."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from coaching.plans import MAX_LABEL, MAX_PLANS, Entry, Plans, PlansError, clean_label
from coaching.voice import CLIENT, YOU


def filled(entry: Entry, word: str) -> Entry:
    """An entry holding `word` in every field a plan owns."""
    return replace(
        entry,
        selection={"capabilities": [f"cap-{word}"], "indicators": [f"cap-{word}.1"], "situations": [f"{word} story"],
                   "chat_situations": {"1": f"{word} story"}},
        answers={"situation": f"{word} edited", "ratings": {f"cap-{word}.1": 2}, "evidence": {f"cap-{word}.1": word},
                 "grow": {"goal": f"{word} goal"}, "sbi": {"impact": f"{word} impact"},
                 "woop": {"obstacle": f"{word} obstacle"}, "actions": [f"cap-{word}:formal:1"],
                 "own_actions": {"formal": f"{word} course"}},
        coach=f"conversation about {word}", coach_source=len(word))


def words_in(entry: Entry) -> str:
    return repr((entry.selection, entry.answers, entry.coach, entry.coach_source))


def test_a_session_starts_with_one_empty_plan_for_the_person():
    plans = Plans()
    assert plans.ids == (1,) and plans.active_id == 1
    assert plans.active.voice == YOU and plans.active.label == "" and plans.active.name == "Plan 1"
    assert plans.active.selection["capabilities"] == [] and plans.active.answers == {} and plans.active.coach is None


def test_add_makes_an_empty_active_plan_and_keeps_the_first():
    plans = Plans().put(filled(Plans().active, "alpha"))
    more = plans.add()
    assert more.ids == (1, 2) and more.active_id == 2
    assert more.active.selection == {"capabilities": [], "indicators": [], "situations": [], "chat_situations": {}}
    assert more.active.answers == {} and more.active.coach is None and more.active.coach_source is None
    assert more.get(1) == plans.get(1), "the first plan is untouched"
    assert plans.ids == (1,), "plans are values: adding makes a new one"


def test_every_field_stays_with_its_own_plan_when_switching_back_and_forth():
    plans = Plans().put(filled(Plans().active, "alpha")).add()
    plans = plans.put(filled(plans.active, "beta"))
    for target, own, other in ((1, "alpha", "beta"), (2, "beta", "alpha"), (1, "alpha", "beta")):
        plans = plans.switch(target)
        held = words_in(plans.active)
        assert own in held and other not in held, (target, held)
    assert plans.get(1).coach == "conversation about alpha" and plans.get(2).coach == "conversation about beta"


def test_changing_a_dict_after_putting_it_does_not_reach_into_the_plan():
    entry = filled(Plans().active, "alpha")
    plans = Plans().put(entry)
    entry.answers["ratings"]["cap-alpha.1"] = 5
    entry.selection["capabilities"].append("intruder")
    assert plans.active.answers["ratings"] == {"cap-alpha.1": 2}
    assert plans.active.selection["capabilities"] == ["cap-alpha"]


def test_a_new_plan_takes_the_active_voice_but_never_its_label():
    plans = Plans().voiced(1, CLIENT).label(1, "JB").add()
    assert plans.active.voice == CLIENT and plans.active.label == ""
    assert plans.add(voice=YOU).active.voice == YOU


def test_voice_and_label_belong_to_one_plan():
    plans = Plans().add().voiced(2, CLIENT).label(2, "Client A")
    assert plans.get(1).voice == YOU and plans.get(1).label == ""
    assert plans.get(2).voice == CLIENT and plans.get(2).name == "Plan 2 · Client A"


def test_a_running_conversation_follows_its_plans_voice():
    @dataclass(frozen=True)
    class Talk:  # stands in for a coaching.dialogue.Dialogue, whose `voice` the switch replaces
        voice: str

    plans = Plans().put(replace(Plans().active, coach=Talk(YOU))).voiced(1, CLIENT)
    assert plans.active.coach == Talk(CLIENT)
    with pytest.raises(PlansError):
        plans.voiced(1, "them")


@pytest.mark.parametrize(("typed", "kept"), [
    ("  JB  ", "JB"),
    ("Client\tA\n", "Client A"),
    ("", ""),
    ("   ", ""),
    ("A\u200bB\x00C", "A B C"),
    ("x" * (MAX_LABEL + 10), "x" * MAX_LABEL),
    ("<b>Jo</b> **bold**", "<b>Jo</b> **bold**"),
    (None, ""),
])
def test_label_rules(typed, kept):
    """Trimmed, spaces folded, control and invisible characters dropped, at most MAX_LABEL characters; the label
    is kept as typed otherwise (every place that shows it escapes it)."""
    assert clean_label(typed) == kept
    assert Plans().label(1, typed).active.label == kept


def test_remove_switches_to_the_plan_before_and_never_leaves_none():
    plans = Plans().add().add().label(3, "C")
    assert plans.ids == (1, 2, 3) and plans.active_id == 3
    after = plans.remove(3)
    assert after.ids == (1, 2) and after.active_id == 2
    kept_active = plans.switch(1).remove(2)
    assert kept_active.ids == (1, 3) and kept_active.active_id == 1
    assert kept_active.add().active_id == 4, "ids are never reused, so a name always means one plan"
    last = Plans().voiced(1, CLIENT).label(1, "JB").put(filled(Plans().voiced(1, CLIENT).active, "alpha")).remove(1)
    assert last.ids == (1,) and "alpha" not in words_in(last.active) and last.active.label == ""
    assert last.active.voice == CLIENT


def test_clearing_one_plan_leaves_the_others_and_its_own_label():
    plans = Plans().put(filled(Plans().active, "alpha")).label(1, "JB").add()
    plans = plans.put(filled(plans.active, "beta")).cleared(2)
    assert "beta" not in words_in(plans.get(2)) and "alpha" in words_in(plans.get(1))
    assert plans.cleared(1).get(1).label == "JB"


def test_forgetting_conversations_keeps_contents():
    plans = Plans().put(filled(Plans().active, "alpha")).without_conversations()
    assert plans.active.coach is None and plans.active.coach_source is None
    assert plans.active.answers["grow"] == {"goal": "alpha goal"}


def test_unknown_plans_and_too_many_plans_are_refused():
    with pytest.raises(PlansError):
        Plans().switch(7)
    with pytest.raises(PlansError):
        Plans().remove(2)
    plans = Plans()
    for _ in range(MAX_PLANS - 1):
        plans = plans.add()
    with pytest.raises(PlansError):
        plans.add()
