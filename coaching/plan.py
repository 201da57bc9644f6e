"""The coaching plan: chosen capabilities and indicators, and the user's own answers, as plain dataclasses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from corpus.model import Framework

SCALE: dict[int, str] = {1: "Rarely", 2: "Sometimes", 3: "Often", 4: "Mostly", 5: "Consistently"}
MODES = ("on_the_job", "through_others", "formal")
GROW = ("goal", "reality", "options", "will")
SBI = ("situation", "behaviour", "impact")
WOOP = ("wish", "outcome", "obstacle", "plan")


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class Selection:
    """What is in the plan: capabilities in the order they were added, their chosen indicators, the situations.

    The session keeps it as a plain dict (`{"capabilities": [...], "indicators": [...], "situations": [...]}`),
    which the chat page also writes; `from_state` reads that dict tolerantly and `apply` writes it back.
    """

    capabilities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    situations: tuple[str, ...] = ()

    @classmethod
    def from_state(cls, state: Mapping | None, framework: Framework) -> Selection:
        """Known ids only, no duplicates; an indicator whose capability is missing brings its capability in."""
        state = state if isinstance(state, Mapping) else {}
        known_caps = {cap.id for cap in framework.capabilities}
        owner = {ind.id: ind.capability_id for ind in framework.indicators}
        caps = [c for c in _texts(state.get("capabilities")) if c in known_caps]
        inds = [i for i in _texts(state.get("indicators")) if i in owner]
        caps += [owner[i] for i in inds]
        situations = [s.strip() for s in _texts(state.get("situations")) if s.strip()]
        return cls(_unique(caps), _unique(inds), _unique(situations))

    def apply(self, state: dict) -> dict:
        """Write this selection into the session dict, keeping any other keys the chat stores there."""
        state["capabilities"] = list(self.capabilities)
        state["indicators"] = list(self.indicators)
        state["situations"] = list(self.situations)
        return state

    def chosen(self, framework: Framework, capability_id: str) -> tuple[str, ...]:
        """The chosen indicators of one capability, in the framework's order."""
        chosen = set(self.indicators)
        return tuple(i.id for i in framework.capability(capability_id).indicators if i.id in chosen)

    def add(self, framework: Framework, capability_id: str, indicators: Iterable[str] | None = None) -> Selection:
        """Add a capability with the given indicators (all of its indicators when none are given)."""
        cap = framework.capability(capability_id)
        own = {i.id for i in cap.indicators}
        picked = [i.id for i in cap.indicators] if indicators is None else [i for i in indicators if i in own]
        return replace(self, capabilities=_unique([*self.capabilities, cap.id]),
                       indicators=_unique([*self.indicators, *picked]))

    def remove(self, framework: Framework, capability_id: str) -> Selection:
        """Take a capability and its indicators out of the plan."""
        own = {i.id for i in framework.capability(capability_id).indicators}
        return replace(self, capabilities=tuple(c for c in self.capabilities if c != capability_id),
                       indicators=tuple(i for i in self.indicators if i not in own))

    def with_indicators(self, framework: Framework, capability_id: str, indicators: Iterable[str]) -> Selection:
        """Replace the chosen indicators of one capability (the capability stays even with none chosen)."""
        own = {i.id for i in framework.capability(capability_id).indicators}
        keep = [i for i in self.indicators if i not in own]
        picked = [i for i in indicators if i in own]
        return replace(self, capabilities=_unique([*self.capabilities, capability_id]),
                       indicators=_unique([*keep, *picked]))


@dataclass(frozen=True)
class Answers:
    """What the user wrote and rated on the plan page (kept in the session only)."""

    situation: str | None = None
    ratings: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    grow: dict[str, str] = field(default_factory=dict)
    sbi: dict[str, str] = field(default_factory=dict)
    woop: dict[str, str] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    own_actions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_state(cls, state: Mapping | None) -> Answers:
        """Read the page's answers dict, dropping anything malformed (ratings outside 1-5, non-text notes)."""
        state = state if isinstance(state, Mapping) else {}
        situation = state.get("situation")
        ratings = {k: v for k, v in _mapping(state.get("ratings")).items()
                   if isinstance(v, int) and not isinstance(v, bool) and v in SCALE}
        return cls(
            situation=situation if isinstance(situation, str) else None,
            ratings=ratings,
            evidence=_text_map(state.get("evidence")),
            grow=_text_map(state.get("grow"), GROW),
            sbi=_text_map(state.get("sbi"), SBI),
            woop=_text_map(state.get("woop"), WOOP),
            actions=_unique(_texts(state.get("actions"))),
            own_actions=_text_map(state.get("own_actions"), MODES),
        )

    def to_state(self) -> dict:
        """The page's answers dict for these answers (what `from_state` reads back to the same answers)."""
        state: dict = {} if self.situation is None else {"situation": self.situation}
        for name in ("ratings", "evidence", "grow", "sbi", "woop", "own_actions"):
            if getattr(self, name):
                state[name] = dict(getattr(self, name))
        if self.actions:
            state["actions"] = list(self.actions)
        return state


def _texts(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return []
    return [v for v in value if isinstance(v, str)]


def _mapping(value: object) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def _text_map(value: object, keys: Iterable[str] | None = None) -> dict[str, str]:
    allowed = set(keys) if keys is not None else None
    return {k: v for k, v in _mapping(value).items()
            if isinstance(k, str) and isinstance(v, str) and (allowed is None or k in allowed)}
