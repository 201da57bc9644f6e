"""Roll item similarities up to capability scores, and choose the off-topic threshold from data."""

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
    sims = np.atleast_2d(sims)
    out = np.full((sims.shape[0], n_caps), -1.0, dtype=np.float32)
    for cap in range(n_caps):
        cols = np.flatnonzero(owners == cap)
        if cols.size == 0:
            continue
        take = min(k, cols.size)
        best = -np.partition(-sims[:, cols], take - 1, axis=1)[:, :take]
        out[:, cap] = best.mean(axis=1)
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
