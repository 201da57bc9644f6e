"""Roll item similarities up to capability scores, fuse the scoring signals, and choose the off-topic threshold."""

from __future__ import annotations

import numpy as np

TOP_K = 2
FALLBACK_THRESHOLD = 0.25


def rollup(sims: np.ndarray, owners: np.ndarray, n_caps: int, k: int = TOP_K) -> np.ndarray:
    """Capability score = mean of its k best item similarities (fewer if it has fewer items).

    `sims` is (queries, items); `owners[j]` is the capability index of item j. Averaging the two best
    rather than taking the single best keeps one lucky phrase from deciding, and separates off-topic
    text from real situations better than the maximum does.
    """
    return Groups(owners, n_caps).rollup(sims, k)


class Groups:
    """The items of each capability as one table of item columns, made once per index, so that a roll-up is a
    few array operations rather than one pass per capability. A capability with no items scores -1."""

    def __init__(self, owners: np.ndarray, n_caps: int):
        owners = np.asarray(owners)
        columns = [np.flatnonzero(owners == cap) for cap in range(n_caps)]
        self.sizes = np.array([c.size for c in columns], dtype=np.int64)
        self.width = max(1, int(self.sizes.max(initial=0)))
        self.table = np.full((n_caps, self.width), owners.size, dtype=np.int64)
        for cap, cols in enumerate(columns):
            self.table[cap, : cols.size] = cols

    def rollup(self, sims: np.ndarray, k: int = TOP_K) -> np.ndarray:
        """rollup() for these groups: (queries, capabilities) float32."""
        sims = np.atleast_2d(sims)
        padded = np.concatenate([sims, np.full((sims.shape[0], 1), -np.inf, dtype=sims.dtype)], axis=1)
        take = min(k, self.width)
        values = -padded[:, self.table]
        best = -np.partition(values, take - 1, axis=2)[:, :, :take]
        counts = np.minimum(self.sizes, k)
        total = np.where(np.isfinite(best), best, 0).sum(axis=2, dtype=sims.dtype if sims.dtype == np.float32
                                                           else np.float64)
        out = np.full((sims.shape[0], self.table.shape[0]), -1.0, dtype=np.float32)
        filled = counts > 0
        out[:, filled] = total[:, filled] / counts[filled]
        return out


def calibrate(real: np.ndarray, off: np.ndarray, miss_weight: float = 3.0) -> float:
    """The confidence threshold below which a query is called off-topic.

    Scans every observed score as a cut and keeps the one with the least cost, where flagging a real
    situation costs `miss_weight` times as much as letting an off-topic input through; the cut is put
    half-way into the gap above it so it does not sit on a training point.
    """
    real = np.asarray(real, dtype=np.float64)
    off = np.asarray(off, dtype=np.float64)
    if real.size == 0 or off.size == 0:
        return FALLBACK_THRESHOLD
    candidates = np.unique(np.concatenate([real, off]))
    best_cost, best_cut = np.inf, FALLBACK_THRESHOLD
    for i, cut in enumerate(candidates):
        upper = candidates[i + 1] if i + 1 < candidates.size else cut
        threshold = (cut + upper) / 2
        cost = miss_weight * np.mean(real < threshold) + np.mean(off >= threshold)
        if cost < best_cost:
            best_cost, best_cut = cost, threshold
    return float(best_cut)


def standardise(scores: np.ndarray) -> np.ndarray:
    """Each row shifted to mean 0 and scaled to standard deviation 1 (a flat row becomes all zeros).

    Signals on different scales (cosine similarities, classifier margins, BM25 weights) become comparable
    per query, so they can be added with plain weights.
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    spread = scores.std(axis=1, keepdims=True)
    centred = scores - scores.mean(axis=1, keepdims=True)
    return np.divide(centred, spread, out=np.zeros_like(centred), where=spread > 1e-12)


def fuse(parts: list[tuple[np.ndarray, float]]) -> np.ndarray:
    """Weighted sum of standardised (queries, capabilities) score matrices; parts with weight 0 are skipped."""
    used = [(np.atleast_2d(part), weight) for part, weight in parts if weight and part is not None]
    if not used:
        raise ValueError("nothing to fuse")
    return sum(weight * standardise(part) for part, weight in used)


def combine(whole: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """Scores for a long text from the whole text's scores and its sentences' scores (one row each).

    Half the whole text, half the best sentence per capability: a concern raised in one sentence of a
    long account still reaches the top, while the overall gist keeps its weight.
    """
    pieces = np.atleast_2d(pieces)
    if pieces.shape[0] == 0:
        return np.asarray(whole, dtype=np.float64)
    return 0.5 * np.asarray(whole, dtype=np.float64) + 0.5 * pieces.max(axis=0)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Scores to shares that sum to 1 over the last axis."""
    scores = np.asarray(scores, dtype=np.float64)
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def kinship(vectors: np.ndarray, owners: np.ndarray, n_caps: int) -> np.ndarray:
    """How alike capabilities are: the cosine between the centroids of their items' vectors (n_caps, n_caps)."""
    centroids = np.zeros((n_caps, vectors.shape[1]), dtype=np.float64)
    for cap in range(n_caps):
        rows = np.flatnonzero(owners == cap)
        if rows.size:
            centroids[cap] = vectors[rows].mean(axis=0)
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    centroids = centroids / np.where(norms > 0, norms, 1.0)
    return centroids @ centroids.T


def diversify(scores: np.ndarray, kin: np.ndarray, weight: float, depth: int = 3) -> list[int]:
    """The capabilities best first, where each of the first `depth` places goes to the capability with the
    highest score less `weight` times its kinship with the closest capability already placed (maximal
    marginal relevance), so that a text with several concerns shows one capability for each rather than
    three of one kind. With weight 0 it is the plain order by score."""
    order = [int(c) for c in np.argsort(-scores, kind="stable")]
    if weight <= 0:
        return order
    chosen: list[int] = []
    rest = list(order)
    while rest and len(chosen) < depth:
        best = max(rest, key=lambda c: scores[c] - weight * max((kin[c, p] for p in chosen), default=0.0))
        chosen.append(best)
        rest.remove(best)
    return chosen + rest
