"""The whole plan as a JSON file the person keeps: written in memory, read back only when every part checks out.

The app keeps nothing on the server, so this file is how a plan outlives its browser tab. It holds the plan's
capabilities, indicators and situations and everything typed or chosen on the plan page, with the format and its
version (`"format": "ils-coach-plan/2"`) and the framework it was made with. Version 2 adds who the plan is for:
`"voice"` ("you", or "client" for a coach preparing a client) and an optional client `"label"`; a version 1 file
(without them) still loads, as a plan for the person themselves without a label. `read` refuses, with one plain
sentence saying why, a file that is not JSON, not an ILS Coach plan, from a newer version, made for another
framework, or malformed in any field; it never returns part of a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from coaching.plan import GROW, MODES, SBI, SCALE, WOOP, Answers, Selection
from coaching.plans import MAX_LABEL, clean_label
from coaching.voice import CLIENT, VOICES, YOU
from corpus.model import Framework
from errors import CoachError

NAME = "ils-coach-plan"
VERSION = 2
FORMAT = f"{NAME}/{VERSION}"
MAX_BYTES = 1_000_000
MAX_TEXT = 20_000
MAX_ITEMS = 1_000
TOP_KEYS = {"format", "framework", "saved_on", "plan", "answers"}
TOP_KEYS_V2 = TOP_KEYS | {"voice", "label"}
PLAN_KEYS = {"capabilities", "indicators", "situations"}
NOTES = {"grow": GROW, "sbi": SBI, "woop": WOOP, "own_actions": MODES}


class PlanFileError(CoachError, ValueError):
    """The file cannot be loaded; the message says why in a sentence for the person who chose it."""


@dataclass(frozen=True)
class Saved:
    """A plan read from a file: what it holds and the day it was saved (None when the file does not say)."""

    selection: Selection
    answers: Answers
    saved_on: date | None
    voice: str = YOU
    label: str = ""

    @property
    def summary(self) -> str:
        caps, inds = len(self.selection.capabilities), len(self.selection.indicators)
        parts = [f"{caps} {'capability' if caps == 1 else 'capabilities'}",
                 f"{inds} {'indicator' if inds == 1 else 'indicators'}",
                 f"{len(self.answers.ratings)} rated"]
        when = f", saved on {self.saved_on.day} {self.saved_on:%B} {self.saved_on.year}" if self.saved_on else ""
        who = ([f"for a client ({self.label})" if self.label else "for a client"] if self.voice == CLIENT
               else [f"labelled {self.label}"] if self.label else [])
        return " · ".join(who + parts) + when


def dump(framework: Framework, selection: Selection, answers: Answers, today: date, voice: str = YOU,
         label: str = "") -> bytes:
    """The plan as UTF-8 JSON, indented so that it can be read."""
    document = {
        "format": FORMAT,
        "framework": framework.id,
        "saved_on": today.isoformat(),
        "voice": voice if voice in VOICES else YOU,
        "label": clean_label(label),
        "plan": {"capabilities": list(selection.capabilities), "indicators": list(selection.indicators),
                 "situations": list(selection.situations)},
        "answers": answers.to_state(),
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read(data: bytes, framework: Framework) -> Saved:
    """The plan in a file's bytes, checked against the framework in use. Raises PlanFileError."""
    if len(data) > MAX_BYTES:
        raise PlanFileError(f"This file is {len(data) // 1000:,} KB, far larger than a plan; choose the .json file "
                            "you downloaded from this page.")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PlanFileError("This file is not a plan saved by ILS Coach: it is not JSON text. Choose the .json "
                            "file you downloaded from this page.") from None
    fmt = document.get("format") if isinstance(document, dict) else None
    name, _, version = fmt.partition("/") if isinstance(fmt, str) else ("", "", "")
    if name != NAME:
        raise PlanFileError("This file is not a plan saved by ILS Coach (it has no “format”: "
                            f"“{NAME}/…”). Choose the .json file you downloaded from this page.")
    if not version.isdigit() or int(version) < 1:
        raise PlanFileError(f"This plan file's format version (“{_short(version)}”) is not one ILS Coach knows.")
    if int(version) > VERSION:
        raise PlanFileError(f"This plan was saved by a newer version of ILS Coach (format version {int(version)}); "
                            f"this one reads version {VERSION}.")
    _no_other_keys(document, TOP_KEYS if int(version) == 1 else TOP_KEYS_V2, "the file")
    if document.get("framework") != framework.id:
        raise PlanFileError(f"This plan was made for another framework (“{_short(document.get('framework'))}”); "
                            f"the app is using “{framework.title}” ({framework.id}).")
    saved_on = _day(document.get("saved_on"))
    selection = _selection(_mapping(document.get("plan"), "plan"), framework)
    answers = _answers(_mapping(document.get("answers", {}), "answers"), framework)
    voice = document.get("voice", YOU)
    if voice not in VOICES:
        raise PlanFileError("This plan file is damaged: “voice” should be “you” or “client”.")
    label = _text(document.get("label", ""), "label")
    if len(label) > MAX_LABEL:
        raise PlanFileError(f"This plan file is damaged: “label” is longer than {MAX_LABEL} characters.")
    return Saved(selection, answers, saved_on, voice, clean_label(label))


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise PlanFileError(f"This plan file is damaged: “{where}” should be a set of named values.")
    return value


def _no_other_keys(value: dict, allowed: set[str], where: str) -> None:
    extra = sorted(str(k) for k in value if k not in allowed)
    if extra:
        raise PlanFileError(f"This plan file is damaged or from another program: {where} has a field ILS Coach "
                            f"does not write (“{_short(extra[0])}”).")


def _texts(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS or not all(isinstance(v, str) for v in value):
        raise PlanFileError(f"This plan file is damaged: “{where}” should be a list of texts.")
    for text in value:
        _text(text, where)
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise PlanFileError(f"This plan file is damaged: “{where}” should be text.")
    if len(value) > MAX_TEXT:
        raise PlanFileError(f"This plan file is damaged: “{where}” is longer than {MAX_TEXT:,} characters.")
    return value


def _day(value: object) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise PlanFileError("This plan file is damaged: “saved_on” should be a date such as 2026-05-20.") from None


def _selection(plan: dict, framework: Framework) -> Selection:
    _no_other_keys(plan, PLAN_KEYS, "“plan”")
    caps = _texts(plan.get("capabilities", []), "plan.capabilities")
    inds = _texts(plan.get("indicators", []), "plan.indicators")
    situations = _texts(plan.get("situations", []), "plan.situations")
    known_caps = {cap.id for cap in framework.capabilities}
    known_inds = {ind.id for ind in framework.indicators}
    for cap in caps:
        if cap not in known_caps:
            raise PlanFileError(f"This plan names a capability that “{framework.title}” does not have "
                                f"(“{_short(cap)}”).")
    for ind in inds:
        if ind not in known_inds:
            raise PlanFileError(f"This plan names a behavioural indicator that “{framework.title}” does not have "
                                f"(“{_short(ind)}”).")
    return Selection.from_state({"capabilities": caps, "indicators": inds, "situations": situations}, framework)


def _answers(answers: dict, framework: Framework) -> Answers:
    _no_other_keys(answers, {"situation", "ratings", "evidence", "actions", *NOTES}, "“answers”")
    known_inds = {ind.id for ind in framework.indicators}
    if answers.get("situation") is not None:
        _text(answers["situation"], "answers.situation")
    ratings = _mapping(answers.get("ratings", {}), "answers.ratings")
    for key, value in ratings.items():
        if key not in known_inds:
            raise PlanFileError(f"This plan rates a behavioural indicator that “{framework.title}” does not have "
                                f"(“{_short(key)}”).")
        if not isinstance(value, int) or isinstance(value, bool) or value not in SCALE:
            raise PlanFileError(f"This plan file is damaged: the rating of “{key}” should be a whole number from 1 "
                                "to 5.")
    evidence = _mapping(answers.get("evidence", {}), "answers.evidence")
    for key, value in evidence.items():
        if key not in known_inds:
            raise PlanFileError(f"This plan gives evidence for a behavioural indicator that “{framework.title}” "
                                f"does not have (“{_short(key)}”).")
        _text(value, f"answers.evidence.{key}")
    for name, stages in NOTES.items():
        notes = _mapping(answers.get(name, {}), f"answers.{name}")
        _no_other_keys(notes, set(stages), f"“answers.{name}”")
        for key, value in notes.items():
            _text(value, f"answers.{name}.{key}")
    _texts(answers.get("actions", []), "answers.actions")
    return Answers.from_state(answers)
