"""Related behaviours: for each indicator and each capability, the nearest indicators in other capabilities."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from explore.vectors import Behaviour, Table, one_thread


@dataclass(frozen=True)
class Related:
    """An indicator close to something, with its cosine similarity.

    For a capability, `via` is that capability's own indicator the related one is closest to."""

    behaviour: Behaviour
    similarity: float
    via: Behaviour | None = None


@dataclass(frozen=True)
class Link:
    """How close another capability is as a whole (mean best-match similarity of their indicators, both ways)."""

    capability_id: str
    capability: str
    cluster: str
    similarity: float


@dataclass(frozen=True, eq=False)
class Neighbours:
    """Related behaviours for every indicator and capability of one table, computed once."""

    table: Table
    similarity: np.ndarray
    by_indicator: Mapping[str, tuple[Related, ...]]
    by_capability: Mapping[str, tuple[Related, ...]]
    links: Mapping[str, tuple[Link, ...]]
    seconds: float

    def of_indicator(self, indicator_id: str) -> tuple[Related, ...]:
        return self.by_indicator.get(indicator_id, ())

    def of_capability(self, capability_id: str) -> tuple[Related, ...]:
        return self.by_capability.get(capability_id, ())

    def closest_capabilities(self, capability_id: str) -> tuple[Link, ...]:
        return self.links.get(capability_id, ())

    def capability_similarity(self, a: str, b: str) -> float:
        return pair_score(self.similarity, self.table.rows_of(a), self.table.rows_of(b))

    def nearest(self, vector: np.ndarray, k: int = 5) -> tuple[Related, ...]:
        """The k indicators nearest to any unit vector (a situation), from every capability."""
        sims = self.table.vectors @ np.asarray(vector, dtype=np.float32).reshape(-1)
        order = np.argsort(-sims, kind="stable")[: max(k, 0)]
        return tuple(Related(self.table.behaviours[n], float(sims[n])) for n in order)


def pair_score(sims: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray) -> float:
    """Symmetric best-match similarity of two sets of indicators: each indicator's best partner, averaged."""
    if rows_a.size == 0 or rows_b.size == 0:
        return 0.0
    block = sims[np.ix_(rows_a, rows_b)]
    return float((block.max(axis=1).mean() + block.max(axis=0).mean()) / 2)


def build(table: Table, per_indicator: int = 5, per_capability: int = 8, same_capability_limit: int = 2,
          links: int = 3) -> Neighbours:
    """Compute every list at once from the indicator vectors.

    `per_capability` related indicators are kept for each capability, at most `same_capability_limit` of
    them from any one other capability so that the list spans the framework. The indicator's own
    capability is always left out."""
    started = time.perf_counter()
    behaviours = table.behaviours
    with one_thread():
        sims = table.vectors @ table.vectors.T
    owner = np.array([b.capability_id for b in behaviours])
    same = owner[:, None] == owner[None, :]
    masked = np.where(same, -np.inf, sims)

    by_indicator = {}
    for n, behaviour in enumerate(behaviours):
        order = [j for j in np.argsort(-masked[n], kind="stable") if np.isfinite(masked[n, j])][:per_indicator]
        by_indicator[behaviour.indicator_id] = tuple(Related(behaviours[j], float(sims[n, j])) for j in order)

    capability_ids = list(dict.fromkeys(owner.tolist()))
    rows = {cap: np.flatnonzero(owner == cap) for cap in capability_ids}
    by_capability = {}
    for cap in capability_ids:
        own = rows[cap]
        block = masked[own]
        best = block.max(axis=0)
        via = own[block.argmax(axis=0)]
        kept: list[Related] = []
        taken: dict[str, int] = {}
        for j in np.argsort(-best, kind="stable"):
            if not np.isfinite(best[j]) or len(kept) >= per_capability:
                break
            other = behaviours[j].capability_id
            if taken.get(other, 0) >= same_capability_limit:
                continue
            taken[other] = taken.get(other, 0) + 1
            kept.append(Related(behaviours[j], float(best[j]), behaviours[via[j]]))
        by_capability[cap] = tuple(kept)

    first = {b.capability_id: b for b in reversed(behaviours)}
    by_link = {}
    for cap in capability_ids:
        scored = sorted(((pair_score(sims, rows[cap], rows[other]), other) for other in capability_ids if other != cap),
                        key=lambda pair: -pair[0])
        by_link[cap] = tuple(Link(other, first[other].capability, first[other].cluster, score)
                             for score, other in scored[:links])
    return Neighbours(table, sims, by_indicator, by_capability, by_link, time.perf_counter() - started)
