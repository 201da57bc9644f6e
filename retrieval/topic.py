"""Tell work situations from off-topic input: a logistic detector over sentence vectors, calibrated from data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval import scoring

C = 3.0
FOLDS = 3


@dataclass(frozen=True)
class Detector:
    """`scores(vectors)` is the log-odds that a text is a work situation; below `threshold` it is off-topic."""

    weights: np.ndarray
    bias: float
    threshold: float

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        return np.atleast_2d(vectors).astype(np.float64) @ self.weights + self.bias


def train(positives: np.ndarray, negatives: np.ndarray, c: float = C, steps: int = 25,
          start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression, both classes weighted to count equally, fitted by Newton's method.

    Minimises c * sum(weight_i * log-loss_i) + |w|^2 / 2 (the bias is not penalised). Deterministic and
    fast enough to run when the index loads. `start` (weights then bias) warm-starts the iterations.
    """
    x = np.vstack([positives, negatives]).astype(np.float64)
    x = np.hstack([x, np.ones((len(x), 1))])
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    weight = np.where(y == 1, len(y) / (2 * len(positives)), len(y) / (2 * len(negatives))) * c
    penalty = np.eye(x.shape[1])
    penalty[-1, -1] = 0.0
    theta = np.zeros(x.shape[1]) if start is None else np.array(start, dtype=np.float64)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ theta, -30, 30)))
        gradient = x.T @ (weight * (p - y)) + penalty @ theta
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-6:
            break
    return theta[:-1], float(theta[-1])


def fit(positives: np.ndarray, negatives: np.ndarray, c: float = C, folds: int = FOLDS) -> Detector:
    """Train on everything; set the threshold from out-of-fold scores (each row scored by a detector that did
    not see it), with the same cost as scoring.calibrate: a real situation flagged costs three times as much
    as an off-topic input let through."""
    weights, bias = train(positives, negatives, c)
    real_out, off_out = [], []
    for fold in range(folds):
        keep_p = np.arange(len(positives)) % folds != fold
        keep_n = np.arange(len(negatives)) % folds != fold
        w, b = train(positives[keep_p], negatives[keep_n], c, start=np.r_[weights, bias])
        real_out.append(positives[~keep_p] @ w + b)
        off_out.append(negatives[~keep_n] @ w + b)
    threshold = scoring.calibrate(np.concatenate(real_out), np.concatenate(off_out))
    return Detector(weights, bias, threshold)


@dataclass(frozen=True)
class Rule:
    """The off-topic rule: two calibrated signals, each turned into a margin over its own threshold and
    divided by its spread, then added. A text is off-topic when the sum is below zero.

    The detector knows what off-topic text looks like, but it doubts very short personal lines ("honestly just
    exhausted lately") that resemble chit-chat; the similarity roll-up (how close the text comes to some
    capability's texts) knows those lines well. Adding the margins lets a clear signal outvote a doubtful one.
    """

    detector: Detector
    similarity_threshold: float
    detector_scale: float
    similarity_scale: float

    def confidence(self, vectors: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """How much each text reads like a work situation: below 0 is off-topic. `similarity` is the
        similarity roll-up of the best capability for each text."""
        detector = (self.detector.scores(vectors) - self.detector.threshold) / self.detector_scale
        return detector + (np.asarray(similarity, dtype=np.float64) - self.similarity_threshold) / self.similarity_scale


def rule(items: np.ndarray, offtopic: np.ndarray, real_similarity: np.ndarray, off_similarity: np.ndarray) -> Rule:
    """Fit the detector (framework and exemplar vectors against off-topic ones), calibrate the similarity
    threshold (exemplars, each scored without itself, against off-topic inputs) and measure both spreads."""
    detector = fit(items, offtopic)
    threshold = scoring.calibrate(real_similarity, off_similarity)
    spread_d = float(detector.scores(np.vstack([items, offtopic])).std()) or 1.0
    spread_s = float(np.r_[real_similarity, off_similarity].std()) or 1.0
    return Rule(detector, threshold, spread_d, spread_s)
