"""Self-assessment: the chosen indicators with the user's ratings, summarised into strengths and development areas.

Rule: an indicator rated 4 or 5 ("Mostly", "Consistently") is a strength, one rated 1 or 2 ("Rarely",
"Sometimes") is a development area, and 3 ("Often") is solid ground still being built. A capability's
focus indicator, the one the conversation prompts work on, is its lowest-rated chosen indicator (the first
chosen one while nothing is rated).
"""

from __future__ import annotations

from dataclasses import dataclass

from coaching.plan import SCALE, Answers, Selection
from corpus.model import Framework

STRENGTH = 4
DEVELOPMENT = 2


@dataclass(frozen=True)
class Rated:
    id: str
    text: str
    capability_id: str
    capability: str
    rating: int | None = None
    evidence: str = ""

    @property
    def label(self) -> str:
        return SCALE.get(self.rating, "Not rated") if self.rating else "Not rated"


@dataclass(frozen=True)
class CapabilityRating:
    id: str
    name: str
    cluster: str
    description: str
    indicators: tuple[Rated, ...]

    @property
    def average(self) -> float | None:
        """Mean rating of the rated indicators; None while none is rated."""
        values = [i.rating for i in self.indicators if i.rating]
        return sum(values) / len(values) if values else None

    @property
    def focus(self) -> Rated | None:
        """The lowest-rated chosen indicator (first chosen one while none is rated)."""
        if not self.indicators:
            return None
        rated = [i for i in self.indicators if i.rating]
        if not rated:
            return self.indicators[0]
        return min(rated, key=lambda i: i.rating)


@dataclass(frozen=True)
class Summary:
    capabilities: tuple[CapabilityRating, ...]
    strengths: tuple[Rated, ...]
    building: tuple[Rated, ...]
    development: tuple[Rated, ...]
    unrated: tuple[Rated, ...]

    @property
    def rated(self) -> int:
        return len(self.strengths) + len(self.building) + len(self.development)

    @property
    def lines(self) -> tuple[str, ...]:
        """The summary in a few plain sentences, for the page and the exports."""
        total = self.rated + len(self.unrated)
        if total == 0:
            return ("No indicators chosen yet.",)
        if self.rated == 0:
            return (f"None of the {total} chosen indicators is rated yet: rate them to see your strengths and "
                    "development areas.",)
        lines = [_line("Strengths", self.strengths), _line("Development areas", self.development)]
        if self.building:
            lines.append(f"Rated “Often”: {_count(self.building)}.")
        if self.unrated:
            lines.append(f"Not rated yet: {_count(self.unrated)}.")
        return tuple(lines)


def _count(items: tuple[Rated, ...]) -> str:
    return f"{len(items)} indicator{'' if len(items) == 1 else 's'}"


def _line(title: str, items: tuple[Rated, ...]) -> str:
    if not items:
        return f"{title}: none yet."
    by_capability: dict[str, int] = {}
    for item in items:
        by_capability[item.capability] = by_capability.get(item.capability, 0) + 1
    names = sorted(by_capability, key=lambda name: -by_capability[name])
    where = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} other capabilit" + (
        "y" if len(names) == 2 else "ies")
    return f"{title}: {_count(items)}, in {where}."


def summarise(framework: Framework, selection: Selection, answers: Answers) -> Summary:
    """Ratings of the chosen indicators grouped into strengths, development areas, building and unrated."""
    caps = []
    for cap_id in selection.capabilities:
        cap = framework.capability(cap_id)
        chosen = set(selection.chosen(framework, cap_id))
        rated = tuple(
            Rated(ind.id, ind.text, cap.id, cap.name, answers.ratings.get(ind.id),
                  answers.evidence.get(ind.id, "").strip())
            for ind in cap.indicators if ind.id in chosen
        )
        caps.append(CapabilityRating(cap.id, cap.name, framework.cluster(cap.cluster_id).name, cap.description, rated))
    items = [i for cap in caps for i in cap.indicators]
    return Summary(
        capabilities=tuple(caps),
        strengths=tuple(sorted((i for i in items if i.rating and i.rating >= STRENGTH), key=lambda i: -i.rating)),
        building=tuple(i for i in items if i.rating and DEVELOPMENT < i.rating < STRENGTH),
        development=tuple(sorted((i for i in items if i.rating and i.rating <= DEVELOPMENT), key=lambda i: i.rating)),
        unrated=tuple(i for i in items if not i.rating),
    )
