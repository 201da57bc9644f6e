"""Authored coaching data per capability: a plain-words phrase for the opening sentence and reflective questions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from errors import CoachError

FORMAT = "ils-coach-questions/1"


class QuestionsError(CoachError, ValueError):
    """A questions file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class Coaching:
    """What the chat says about one capability in its own words."""

    plain: str
    questions: tuple[str, ...]


def parse(data: object, where: str = "questions") -> dict[str, Coaching]:
    """Validate a parsed questions document: {"format", "capabilities": {id: {"plain", "questions"}}}."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise QuestionsError(f"{where}: expected a JSON object with format {FORMAT!r}")
    caps = data.get("capabilities")
    if not isinstance(caps, dict):
        raise QuestionsError(f"{where}: 'capabilities' must be an object keyed by capability id")
    bank = {}
    for cap_id, entry in caps.items():
        place = f"{where}: capability {cap_id!r}"
        if not isinstance(entry, dict):
            raise QuestionsError(f"{place} must be an object")
        plain = entry.get("plain", "")
        questions = entry.get("questions", [])
        if not isinstance(plain, str) or not plain.strip():
            raise QuestionsError(f"{place}: 'plain' must be a non-empty phrase")
        if not isinstance(questions, list) or not questions or not all(
                isinstance(q, str) and q.strip() for q in questions):
            raise QuestionsError(f"{place}: 'questions' must be a non-empty list of text")
        bank[cap_id] = Coaching(plain.strip(), tuple(q.strip() for q in questions))
    return bank


def load(path: Path | str | None) -> dict[str, Coaching]:
    """The questions bank in a file; an absent file gives an empty bank (the chat then builds on the indicators)."""
    if path is None or not Path(path).exists():
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise QuestionsError(f"{path}: not valid JSON ({err})") from None
    return parse(data, str(path))
