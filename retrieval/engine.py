"""The Retriever: a situation in, ranked capabilities with their best-matching indicators out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

import settings as settings_module
from corpus.model import Framework
from corpus.model import load as load_framework
from index import store
from retrieval import scoring
from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult
from retrieval.text import InputError, prepare


@dataclass(frozen=True)
class Calibration:
    threshold: float
    real: int
    off: int


class Retriever:
    """Maps situation text to capabilities of one framework, using one encoder and one index."""

    def __init__(self, framework: Framework, index: store.Index, encoder, max_chars: int = 4000):
        self.framework = framework
        self.index = index
        self.encoder = encoder
        self.max_chars = max_chars
        self.capabilities = framework.capabilities
        self.cap_pos = {cap.id: n for n, cap in enumerate(self.capabilities)}
        self.owners = np.array([self.cap_pos.get(item.capability_id, -1) for item in index.items])
        self.indicator_rows = {item.id: row for row, item in enumerate(index.items) if item.kind == "indicator"}
        self.calibration = self._calibrate()

    @classmethod
    def from_settings(cls, config: settings_module.Settings | None = None, model: str | None = None) -> Retriever:
        """Load the framework, the model (once per process) and the index, rebuilding a stale index."""
        from index.embed import load as load_encoder

        config = config or settings_module.get()
        framework = load_framework(config.framework)
        encoder = load_encoder(model or config.model, threads=config.threads)
        index = store.ensure(framework, encoder, config.index_dir, config.exemplars, config.offtopic)
        return cls(framework, index, encoder, max_chars=config.max_chars)

    @property
    def notices(self) -> list[str]:
        return self.index.notices

    def _similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Similarity of each query vector to every item, in item row order.

        Vectors are L2-normalised, so FAISS's inner product is the cosine similarity.
        """
        n = self.index.faiss.ntotal
        scores, rows = self.index.faiss.search(np.ascontiguousarray(vectors, dtype=np.float32), n)
        sims = np.full((len(vectors), n), -1.0, dtype=np.float32)
        for q in range(len(vectors)):
            valid = rows[q] >= 0
            sims[q, rows[q][valid]] = scores[q][valid]
        return sims

    def _scores(self, vectors: np.ndarray) -> np.ndarray:
        return scoring.rollup(self._similarities(vectors), self.owners, len(self.capabilities))

    def _calibrate(self) -> Calibration:
        """Off-topic threshold from data: exemplar situations (each scored without itself) against
        the off-topic calibration inputs."""
        rows = self.index.rows("exemplar")
        off = self.index.offtopic
        if rows.size == 0 or off.size == 0 or self.index.vectors.size == 0:
            return Calibration(scoring.FALLBACK_THRESHOLD, 0, 0)
        sims = self.index.vectors[rows] @ self.index.vectors.T
        sims[np.arange(rows.size), rows] = -1.0
        real = scoring.rollup(sims, self.owners, len(self.capabilities)).max(axis=1)
        off_scores = self._scores(off).max(axis=1)
        return Calibration(scoring.calibrate(real, off_scores), int(rows.size), int(len(off)))

    def search(self, text: str, top: int = 3, clusters: Iterable[str] | None = None,
               capabilities: Iterable[str] | None = None, indicators: int = 3) -> SearchResult:
        """Rank capabilities for a situation. Raises InputError for empty text."""
        return self.search_many([text], top, clusters, capabilities, indicators)[0]

    def search_many(self, texts: list[str], top: int = 3, clusters: Iterable[str] | None = None,
                    capabilities: Iterable[str] | None = None, indicators: int = 3) -> list[SearchResult]:
        """Rank capabilities for several situations in one encoder call."""
        prepared = [prepare(t, self.max_chars) for t in texts]
        allowed = self._allowed(clusters, capabilities)
        vectors = self.encoder.encode([p.text for p in prepared])
        sims = self._similarities(vectors)
        cap_scores = scoring.rollup(sims, self.owners, len(self.capabilities))
        results = []
        for q, prep in enumerate(prepared):
            confidence = float(cap_scores[q].max())
            off_topic = confidence < self.calibration.threshold
            order = [c for c in np.argsort(-cap_scores[q], kind="stable") if allowed is None or c in allowed]
            matches = tuple(self._match(c, cap_scores[q, c], sims[q], indicators) for c in order[: max(top, 0)])
            notices = ()
            if prep.truncated:
                notices = (f"Only the first {len(prep.text):,} characters of {prep.original_chars:,} were read.",)
            results.append(SearchResult(prep.text, off_topic, matches, confidence, self.calibration.threshold,
                                        prep.truncated, notices))
        return results

    def _allowed(self, clusters, capabilities) -> set[int] | None:
        clusters = set(clusters or ())
        wanted = set(capabilities or ())
        if not clusters and not wanted:
            return None
        unknown = (clusters - {c.id for c in self.framework.clusters}) | (wanted - set(self.cap_pos))
        if unknown:
            raise InputError(f"unknown cluster or capability: {', '.join(sorted(unknown))}")
        return {n for n, cap in enumerate(self.capabilities)
                if (not clusters or cap.cluster_id in clusters) and (not wanted or cap.id in wanted)}

    def _match(self, cap_index: int, score: float, sims: np.ndarray, indicators: int) -> CapabilityMatch:
        cap = self.capabilities[cap_index]
        ranked = sorted(
            (IndicatorMatch(ind.id, ind.text, float(sims[self.indicator_rows[ind.id]])) for ind in cap.indicators
             if ind.id in self.indicator_rows),
            key=lambda m: -m.score,
        )
        cluster = self.framework.cluster(cap.cluster_id)
        return CapabilityMatch(cap.id, cap.name, cluster.id, cluster.name, cap.description, float(score),
                               tuple(ranked[: max(indicators, 0)] if indicators is not None else ranked))
