"""The indicator rows of an index, in framework order, with the names to show beside each one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from corpus.model import Framework


@dataclass(frozen=True)
class Behaviour:
    """One behavioural indicator with its capability and cluster (wording exactly as in the framework)."""

    indicator_id: str
    text: str
    capability_id: str
    capability: str
    cluster_id: str
    cluster: str


@dataclass(frozen=True, eq=False)
class Table:
    """Every indicator of a framework and its unit vector from the index (row n of `vectors` is behaviours[n])."""

    behaviours: tuple[Behaviour, ...]
    vectors: np.ndarray

    def __post_init__(self):
        if len(self.behaviours) != len(self.vectors):
            raise ValueError(f"{len(self.behaviours)} behaviours but {len(self.vectors)} vectors")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(b.indicator_id for b in self.behaviours)

    def row(self, indicator_id: str) -> int:
        for n, behaviour in enumerate(self.behaviours):
            if behaviour.indicator_id == indicator_id:
                return n
        raise KeyError(indicator_id)

    def rows_of(self, capability_id: str) -> np.ndarray:
        return np.array([n for n, b in enumerate(self.behaviours) if b.capability_id == capability_id], dtype=np.int64)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def table(framework: Framework, index) -> Table:
    """The indicator vectors of `index` (a loaded `index.store.Index`) matched to the framework's indicators.

    Raises ValueError when an indicator of the framework has no row in the index (an index built for
    another framework)."""
    rows = {item.id: n for n, item in enumerate(index.items) if item.kind == "indicator"}
    missing = [ind.id for ind in framework.indicators if ind.id not in rows]
    if missing:
        raise ValueError(f"the index has no vector for {len(missing)} indicator(s), e.g. {missing[0]}; rebuild it")
    wanted = [rows[ind.id] for ind in framework.indicators]
    if len(index.vectors) == len(index.items):
        vectors = np.asarray(index.vectors, dtype=np.float32)[wanted]
    else:
        vectors = np.stack([index.faiss.reconstruct(int(r)) for r in wanted]).astype(np.float32)
    behaviours = []
    for cluster in framework.clusters:
        for cap in cluster.capabilities:
            behaviours += [Behaviour(ind.id, ind.text, cap.id, cap.name, cluster.id, cluster.name)
                           for ind in cap.indicators]
    return Table(tuple(behaviours), _unit(vectors))


def fingerprint(framework: Framework, index) -> str:
    """A short key that changes whenever the framework, the model or the indexed texts change."""
    manifest = index.manifest
    parts = [framework.sha256, manifest.get("model", ""), manifest.get("built_at", ""),
             json.dumps(manifest.get("files") or {}, sort_keys=True), str(len(index.items))]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def one_thread():
    """Run BLAS on one thread: these matrices are small, and on a busy two-core machine a threaded SVD of
    102 x 384 numbers was measured at 2 s against 3 ms on one thread."""
    return threadpool_limits(limits=1, user_api="blas")
