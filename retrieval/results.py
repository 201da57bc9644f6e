"""What a search returns: plain dataclasses, with the JSON shape of the CLI contract."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorMatch:
    id: str
    text: str
    score: float


@dataclass(frozen=True)
class CapabilityMatch:
    id: str
    name: str
    cluster_id: str
    cluster: str
    description: str
    score: float
    indicators: tuple[IndicatorMatch, ...]

    def to_dict(self, indicators: int | None = None, why: dict[str, tuple[str, ...]] | None = None) -> dict:
        """The capability's JSON object; with `why` (indicator id to reason words) each indicator gains "why"."""
        shown = self.indicators if indicators is None else self.indicators[:indicators]
        rows = []
        for i in shown:
            row = {"id": i.id, "text": i.text, "score": round(i.score, 4)}
            if why is not None:
                row["why"] = list(why.get(i.id, ()))
            rows.append(row)
        return {"id": self.id, "name": self.name, "cluster": self.cluster, "score": round(self.score, 4),
                "indicators": rows}


@dataclass(frozen=True)
class SearchResult:
    query: str
    off_topic: bool
    capabilities: tuple[CapabilityMatch, ...]
    confidence: float = 0.0
    threshold: float = 0.0
    truncated: bool = False
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def top(self) -> CapabilityMatch | None:
        return self.capabilities[0] if self.capabilities else None

    def to_dict(self, indicators: int | None = 3, why: dict[str, tuple[str, ...]] | None = None) -> dict:
        """The CLI's JSON object: query, off_topic and the ranked capabilities, best first."""
        return {
            "query": self.query,
            "off_topic": self.off_topic,
            "capabilities": [c.to_dict(indicators, why) for c in self.capabilities],
        }
