"""Browsing the framework: text search, deep-link targets, and the data of the compare view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from corpus.model import Capability, Framework
from explore.neighbours import Neighbours
from explore.vectors import Behaviour
from retrieval.text import STOP, WORD, fold

KIND_ORDER = {"capability": 0, "cluster": 1, "description": 2, "indicator": 3}


def terms(query: str) -> list[str]:
    """The search terms of a query: its words, folded, without common short words (unless nothing else is left)."""
    words = [fold(w) for w in WORD.findall(query or "")]
    kept = [w for w in words if w.replace("'", "") not in STOP]
    return list(dict.fromkeys(kept or words))


@dataclass(frozen=True)
class Hit:
    """A place in the framework that contains every search term.

    `kind` is 'capability' (its name), 'cluster' (its cluster's name), 'description' or 'indicator';
    `text` is the matching wording exactly as in the framework and `marks` the (start, end) character
    spans of the matching words in it."""

    kind: str
    capability_id: str
    capability: str
    cluster: str
    text: str
    marks: tuple[tuple[int, int], ...]
    indicator_id: str = ""


def _match(text: str, wanted: list[str]) -> tuple[tuple[int, int], ...] | None:
    """Spans of the words of `text` that start with a search term, or None unless every term is found."""
    spans, found = [], set()
    for word in WORD.finditer(text):
        folded = fold(word.group())
        hits = [t for t in wanted if folded.startswith(t)]
        if hits:
            spans.append(word.span())
            found.update(hits)
    return tuple(spans) if found == set(wanted) else None


def search(framework: Framework, query: str, limit: int = 30) -> tuple[Hit, ...]:
    """Every capability name, cluster name, description and indicator containing all the query's words
    (each as the start of a word), best first: names before descriptions before indicators, whole-phrase
    matches first within each kind, then framework order."""
    wanted = terms(query)
    if not wanted:
        return ()
    phrase = " ".join(WORD.findall(query.lower()))
    found = []
    for cluster in framework.clusters:
        for cap in cluster.capabilities:
            places = [("capability", cap.name, ""), ("cluster", cluster.name, ""),
                      ("description", cap.description, "")]
            places += [("indicator", ind.text, ind.id) for ind in cap.indicators]
            for kind, text, indicator_id in places:
                marks = _match(text, wanted)
                if marks is not None:
                    whole = phrase in " ".join(WORD.findall(text.lower()))
                    rank = (KIND_ORDER[kind], not whole, len(found))
                    found.append((rank, Hit(kind, cap.id, cap.name, cluster.name, text, marks, indicator_id)))
    found.sort(key=lambda pair: pair[0])
    return tuple(hit for _, hit in found[: max(limit, 0)])


@dataclass(frozen=True)
class Target:
    """What a deep link points at: a capability, and the indicator to pick out when the link named one."""

    capability_id: str
    indicator_id: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def resolve(framework: Framework, value: object) -> Target | None:
    """The capability a link value names: its id, one of its indicators' ids, or its name in any case."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    for cap in framework.capabilities:
        if value == cap.id:
            return Target(cap.id)
        for ind in cap.indicators:
            if value == ind.id:
                return Target(cap.id, ind.id)
    slug = _slug(value)
    for cap in framework.capabilities:
        if slug in (_slug(cap.id), _slug(cap.name)):
            return Target(cap.id)
    return None


@dataclass(frozen=True)
class Column:
    """One capability in the compare view, with its most distinctive indicator: the one least like any
    indicator of the other capabilities compared."""

    capability: Capability
    cluster: str
    distinctive: Behaviour | None
    distinctive_similarity: float


@dataclass(frozen=True)
class Overlap:
    """Two indicators of different compared capabilities that say much the same thing."""

    first: Behaviour
    second: Behaviour
    similarity: float


@dataclass(frozen=True)
class Comparison:
    columns: tuple[Column, ...]
    overlaps: tuple[Overlap, ...]
    pairs: tuple[tuple[str, str, float], ...]


def compare(framework: Framework, neighbours: Neighbours, capability_ids: list[str], overlaps: int = 5) -> Comparison:
    """Side-by-side data for two or three capabilities (one is allowed, and gives no overlaps).

    Raises KeyError for an unknown id and ValueError for more than three or repeated ids."""
    ids = list(capability_ids)
    if len(ids) > 3 or len(set(ids)) != len(ids):
        raise ValueError("compare one to three different capabilities")
    caps = [framework.capability(cid) for cid in ids]
    table, sims = neighbours.table, neighbours.similarity
    rows = {cid: table.rows_of(cid) for cid in ids}
    columns = []
    for cap in caps:
        others = np.concatenate([rows[o] for o in ids if o != cap.id] or [np.zeros(0, dtype=np.int64)])
        distinctive, lowest = None, 0.0
        if others.size and rows[cap.id].size:
            best = sims[np.ix_(rows[cap.id], others)].max(axis=1)
            pick = int(np.argmin(best))
            distinctive, lowest = table.behaviours[rows[cap.id][pick]], float(best[pick])
        columns.append(Column(cap, framework.cluster(cap.cluster_id).name, distinctive, lowest))
    found = []
    for a, b in combinations(ids, 2):
        for i in rows[a]:
            for j in rows[b]:
                found.append(Overlap(table.behaviours[i], table.behaviours[j], float(sims[i, j])))
    found.sort(key=lambda o: -o.similarity)
    pairs = tuple((a, b, neighbours.capability_similarity(a, b)) for a, b in combinations(ids, 2))
    return Comparison(tuple(columns), tuple(found[: max(overlaps, 0)]), pairs)
