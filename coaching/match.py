"""Match the APSC page's courses and resources to a plan by authored labels (corpus/data/resource-labels.json).

Rule: each page entry has a label (found by a phrase of its description) naming the capabilities,
indicators and situation words it serves. An entry fits when one of its capabilities is in the plan
(3 points each), any of its indicators is chosen (2 points) or any of its words starts a word in the
situation (2 points). Fitting entries are listed by points, then courses before programs before
resources, then in page order. The dated course sessions on the page do not say which course they belong
to, so they are listed separately, with their dates, whenever a course fits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from coaching.assess import Summary
from coaching.words import found, short
from corpus.resources import Resource
from errors import CoachError
from settings import ROOT

DEFAULT = ROOT / "corpus" / "data" / "resource-labels.json"
KIND_ORDER = {"course": 0, "program": 1, "resource": 2}
CAPABILITY_POINTS = 3
INDICATOR_POINTS = 2
WORD_POINTS = 2


class LabelError(CoachError, ValueError):
    """A labels file that does not fit the resources."""


@dataclass(frozen=True)
class Label:
    phrase: str
    title: str
    capabilities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    resource: Resource
    title: str
    reasons: tuple[str, ...]
    points: int


@dataclass(frozen=True)
class Session:
    """A dated course session from the page, and whether it is still ahead of the plan's date."""

    resource: Resource
    upcoming: bool


def load_labels(path: str | Path = DEFAULT) -> tuple[Label, ...]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return tuple(
            Label(entry["phrase"], entry["title"], tuple(entry.get("capabilities", ())),
                  tuple(entry.get("indicators", ())), tuple(entry.get("words", ())))
            for entry in data["labels"]
        )
    except FileNotFoundError:
        raise LabelError(f"{path}: resource labels file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise LabelError(f"{path}: not valid JSON ({err})") from None
    except (KeyError, TypeError) as err:
        raise LabelError(f"{path}: malformed labels file ({err})") from None


def label_for(resource: Resource, labels: tuple[Label, ...]) -> Label | None:
    """The label whose phrase occurs in the resource's description (None for dated sessions or unknown entries)."""
    return next((label for label in labels if label.phrase in resource.description), None)


def title(resource: Resource, labels: tuple[Label, ...]) -> str:
    label = label_for(resource, labels)
    return label.title if label else resource.title


def match(resources: list[Resource], labels: tuple[Label, ...], summary: Summary, situation: str) -> tuple[Match, ...]:
    """The page entries that fit the plan, best first, each with the reasons it fits."""
    caps = {cap.id: cap.name for cap in summary.capabilities}
    chosen = {i.id: i.text for cap in summary.capabilities for i in cap.indicators}
    scored = []
    for order, resource in enumerate(resources):
        label = label_for(resource, labels)
        if resource.kind == "event" or label is None:
            continue
        reasons, points = [], 0
        for cap_id in label.capabilities:
            if cap_id in caps:
                reasons.append(f"fits {caps[cap_id]}")
                points += CAPABILITY_POINTS
        hits = [chosen[i] for i in label.indicators if i in chosen]
        if hits:
            more = f" and {len(hits) - 1} more" if len(hits) > 1 else ""
            reasons.append(f"fits the chosen indicator {short(hits[0])}{more}")
            points += INDICATOR_POINTS
        words = found(situation, label.words)
        if words:
            reasons.append("your situation mentions " + ", ".join(f"“{w}”" for w in words))
            points += WORD_POINTS
        if points:
            scored.append((-points, KIND_ORDER.get(resource.kind, 3), order,
                           Match(resource, label.title, tuple(reasons), points)))
    return tuple(item[-1] for item in sorted(scored, key=lambda item: item[:3]))


def sessions(resources: list[Resource], matches: tuple[Match, ...], today: date) -> tuple[Session, ...]:
    """The page's dated course sessions when a course fits the plan; each marked upcoming or past."""
    if not any(m.resource.kind == "course" for m in matches):
        return ()
    return tuple(Session(r, date.fromisoformat(r.end or r.start) >= today)
                 for r in resources if r.kind == "event" and r.start)
