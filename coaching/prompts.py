"""Conversation outlines (GROW, SBI, WOOP) and development actions, filled from the plan and the situation.

The wording is authored data (corpus/data/prompts.json): general prompts per stage and, per capability,
one prompt per GROW stage, a likely obstacle and development actions by how people learn at work. Filling
means: the stage openings quote the user's situation, each chosen capability adds its own prompt, the
Reality stage asks for the example behind each capability's focus rating, and the SBI outline is added
when the situation or the chosen indicators are about feedback.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from coaching.assess import Summary
from coaching.plan import GROW, MODES, SBI, WOOP, Answers
from coaching.voice import CLIENT, YOU
from coaching.words import brief, found, short
from errors import CoachError
from settings import ROOT

DEFAULT = ROOT / "corpus" / "data" / "prompts.json"
FORMAT = "ils-coach-prompts/1"


class PromptError(CoachError, ValueError):
    """A prompts file that cannot be used."""


@dataclass(frozen=True)
class Prompt:
    text: str
    capability: str = ""


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    purpose: str
    prompts: tuple[Prompt, ...]
    answer: str = ""


@dataclass(frozen=True)
class Action:
    key: str
    mode: str
    text: str
    capability_id: str
    capability: str


@dataclass(frozen=True)
class Library:
    """The authored prompts document, in a voice ("you" as written; "client" once `voiced`)."""

    data: dict
    voice: str = YOU

    def capability(self, capability_id: str) -> dict:
        return self.data.get("capabilities", {}).get(capability_id, {})

    def mode_name(self, mode: str) -> str:
        return self.data["modes"][mode]["name"]

    def mode_hint(self, mode: str) -> str:
        return self.data["modes"][mode]["hint"]

    @property
    def sbi_intro(self) -> str:
        return self.data["sbi"]["intro"]

    def voiced(self, voice: str) -> Library:
        """The prompts in a voice: as written for "you", or for a coach preparing a client, where the "client"
        section replaces the texts it names and each capability's prompts and obstacle are put to the client."""
        client = self.data.get("client")
        if voice != CLIENT or self.voice == CLIENT or not isinstance(client, dict):
            return self
        data = copy.deepcopy(self.data)
        for section in ("grow", "woop", "sbi", "modes"):
            _overlay(data[section], client.get(section, {}))
        ask, explore = client["capability_prompt"], client["capability_obstacle"]
        for spec in data.get("capabilities", {}).values():
            spec["grow"] = {k: ask.format(text=v) for k, v in spec.get("grow", {}).items()}
            if spec.get("obstacle"):
                spec["obstacle"] = explore.format(text=spec["obstacle"])
        return Library(data, CLIENT)


def _overlay(base: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value


def load(path: str | Path = DEFAULT) -> Library:
    """Load and check the prompts file: every stage and learning mode present."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptError(f"{path}: prompts file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise PromptError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PromptError(f"{path}: 'format' must be {FORMAT!r}")
    for section, keys in (("grow", GROW), ("woop", WOOP), ("modes", MODES)):
        missing = [k for k in keys if k not in data.get(section, {})]
        if missing:
            raise PromptError(f"{path}: '{section}' lacks {', '.join(missing)}")
    missing = [k for k in SBI if k not in data.get("sbi", {}).get("stages", {})]
    if missing:
        raise PromptError(f"{path}: 'sbi.stages' lacks {', '.join(missing)}")
    client = data.get("client", {})
    if not isinstance(client, dict) or any("{text}" not in str(client.get(k, "{text}"))
                                           for k in ("capability_prompt", "capability_obstacle")):
        raise PromptError(f"{path}: 'client' must be a section whose capability templates hold {{text}}")
    if client and not all(k in client for k in ("capability_prompt", "capability_obstacle")):
        raise PromptError(f"{path}: 'client' lacks capability_prompt or capability_obstacle")
    return Library(data)


def _fill(template: str, **values: str) -> str:
    """Put values into a template; an indicator is quoted without its closing full stop."""
    if "indicator" in values:
        values["indicator"] = values["indicator"].rstrip(". ")
    return template.format_map(values)


def grow(library: Library, summary: Summary, situation: str, answers: Answers) -> tuple[Stage, ...]:
    """The GROW outline: per stage, the opening on the situation, then one prompt per chosen capability."""
    quote = brief(situation)
    stages = []
    for key in GROW:
        spec = library.data["grow"][key]
        opening = _fill(spec["opening"], situation=quote) if quote else spec["opening_without_situation"]
        prompts = [Prompt(opening)]
        for cap in summary.capabilities:
            if key == "reality" and cap.focus is not None and cap.focus.rating:
                prompts.append(Prompt(_fill(spec["rated"], rating=cap.focus.label, indicator=cap.focus.text),
                                      cap.name))
            text = library.capability(cap.id).get("grow", {}).get(key)
            if text:
                prompts.append(Prompt(text, cap.name))
        stages.append(Stage(key, spec["name"], spec["purpose"], tuple(prompts), answers.grow.get(key, "")))
    return tuple(stages)


def feedback_cues(library: Library, summary: Summary, situation: str, voice: str = YOU) -> tuple[str, ...]:
    """Why the situation counts as feedback-heavy: the cue words it contains and the feedback indicators chosen
    ("your situation mentions …", for a client "your client's situation mentions …")."""
    spec = library.data["sbi"]
    chosen = {i.id: i for cap in summary.capabilities for i in cap.indicators}
    whose = "your client's situation" if voice == CLIENT else "your situation"
    words = tuple(f"{whose} mentions “{w}”" for w in found(situation, spec["words"]))
    indicators = tuple(f"you chose {short(chosen[i].text)}" for i in spec["indicators"] if i in chosen)
    return words + indicators


def sbi(library: Library, summary: Summary, situation: str, answers: Answers) -> tuple[Stage, ...]:
    """The Situation–Behaviour–Impact outline, or nothing when the plan is not about feedback."""
    if not feedback_cues(library, summary, situation):
        return ()
    spec = library.data["sbi"]
    chosen = {i.id: i for cap in summary.capabilities for i in cap.indicators}
    indicator = next((chosen[i] for i in spec["indicators"] if i in chosen), None)
    if indicator is None:
        indicator = next((cap.focus for cap in summary.capabilities if cap.focus is not None), None)
    quote = brief(situation)
    stages = []
    for key in SBI:
        stage = spec["stages"][key]
        prompts = []
        for template in stage["prompts"]:
            if "{situation}" in template and not quote:
                continue
            if "{indicator}" in template:
                if indicator is None:
                    continue
                prompts.append(Prompt(_fill(template, indicator=indicator.text), indicator.capability))
            else:
                prompts.append(Prompt(_fill(template, situation=quote)))
        stages.append(Stage(key, stage["name"], stage["purpose"], tuple(prompts), answers.sbi.get(key, "")))
    return tuple(stages)


def woop(library: Library, summary: Summary, answers: Answers) -> tuple[Stage, ...]:
    """The WOOP block: the wish suggested from the focus indicator, obstacles suggested per capability."""
    focus = summary.development[0] if summary.development else next(
        (cap.focus for cap in summary.capabilities if cap.focus is not None), None)
    stages = []
    for key in WOOP:
        spec = library.data["woop"][key]
        prompts = [Prompt(spec["prompt"])]
        if key == "wish" and focus is not None:
            prompts.append(Prompt(_fill(spec["example"], indicator=focus.text), focus.capability))
        if key == "obstacle":
            for cap in summary.capabilities:
                hint = library.capability(cap.id).get("obstacle")
                if hint:
                    prompts.append(Prompt(hint, cap.name))
        stages.append(Stage(key, spec["name"], spec["purpose"], tuple(prompts), answers.woop.get(key, "")))
    return tuple(stages)


def actions(library: Library, summary: Summary) -> tuple[Action, ...]:
    """Suggested development actions for the chosen capabilities, by learning mode, then capability."""
    found_actions = []
    for mode in MODES:
        for cap in summary.capabilities:
            for n, text in enumerate(library.capability(cap.id).get("actions", {}).get(mode, []), 1):
                found_actions.append(Action(f"{cap.id}:{mode}:{n}", mode, text, cap.id, cap.name))
    return tuple(found_actions)
