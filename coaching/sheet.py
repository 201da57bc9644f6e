"""The preparation sheet: everything the plan page shows and the exports print, built from the plan in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coaching import match, prompts
from coaching.assess import Summary, summarise
from coaching.plan import MODES, Answers, Selection
from coaching.prompts import Action, Library, Stage
from coaching.voice import YOU, Wording, wording
from corpus.model import Framework
from corpus.resources import Resource


@dataclass(frozen=True)
class Sheet:
    created: date
    framework: str
    situation: str
    summary: Summary
    grow: tuple[Stage, ...]
    sbi: tuple[Stage, ...]
    sbi_cues: tuple[str, ...]
    woop: tuple[Stage, ...]
    suggested: tuple[Action, ...]
    actions: tuple[Action, ...]
    resources: tuple[match.Match, ...]
    sessions: tuple[match.Session, ...]
    modes: tuple[tuple[str, str], ...]
    voice: str = YOU
    label: str = ""

    @property
    def wording(self) -> Wording:
        return wording(self.voice)

    @property
    def date_text(self) -> str:
        return f"{self.created.day} {self.created:%B} {self.created.year}"

    @property
    def empty(self) -> bool:
        return not self.summary.capabilities


def situation_of(selection: Selection, answers: Answers) -> str:
    """The user's own wording when they edited it on the page, else the chat's situations."""
    if answers.situation is not None:
        return answers.situation.strip()
    return "\n\n".join(selection.situations)


def own_actions(answers: Answers) -> tuple[Action, ...]:
    """The user's own actions: one per non-empty line, per learning mode."""
    own = []
    for mode in MODES:
        lines = [line.strip() for line in answers.own_actions.get(mode, "").splitlines() if line.strip()]
        own += [Action(f"own:{mode}:{n}", mode, line, "", "") for n, line in enumerate(lines, 1)]
    return tuple(own)


def build(framework: Framework, selection: Selection, answers: Answers, library: Library,
          resources: list[Resource], labels: tuple[match.Label, ...], today: date, voice: str = YOU,
          label: str = "") -> Sheet:
    """Summarise the ratings, fill the outlines, choose actions and match resources for one plan, worded for the
    person themselves or (voice "client") for a coach preparing a client, with the plan's client label."""
    library = library.voiced(voice)
    situation = situation_of(selection, answers)
    summary = summarise(framework, selection, answers)
    suggested = prompts.actions(library, summary)
    chosen = set(answers.actions)
    picked = tuple(a for a in suggested if a.key in chosen) + own_actions(answers)
    ordered = tuple(a for mode in MODES for a in picked if a.mode == mode)
    matches = match.match(resources, labels, summary, situation)
    return Sheet(
        created=today,
        framework=framework.title,
        situation=situation,
        summary=summary,
        grow=prompts.grow(library, summary, situation, answers),
        sbi=prompts.sbi(library, summary, situation, answers),
        sbi_cues=prompts.feedback_cues(library, summary, situation, voice),
        woop=prompts.woop(library, summary, answers),
        suggested=suggested,
        actions=ordered,
        resources=matches,
        sessions=match.sessions(resources, matches, today),
        modes=tuple((mode, library.mode_name(mode)) for mode in MODES),
        voice=voice,
        label=label,
    )
