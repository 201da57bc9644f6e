"""Tell distress from work text: a logistic detector over sentence vectors, behind the patterns (safety.patterns).

Trained like the off-topic detector (retrieval.topic): L2-regularised logistic regression, both classes counting
equally, on the authored distress texts (corpus/data/distress.json, "distress") against the authored look-alikes
in the same file ("work": "this deadline is killing me", a manager supporting someone who disclosed self-harm)
and ordinary texts (safety.guard.ordinary: the situation exemplars and the off-topic inputs). The threshold comes
from out-of-fold scores (each text scored by a detector that did not see it): a missed distress message costs
MISS_WEIGHT times a false alarm, counted once over the look-alikes and once over the ordinary texts. MISS_WEIGHT
is the heaviest weight (erring towards care) that keeps the ordinary situations at most 3 % and the dev
look-alikes at most 5 % flagged, among those tried on the dev list, the ordinary situations and the training
authors held out one at a time (README, Safety and limits, and `python -m safety.evaluate --weights ...`): the
look-alikes are written to sit close to distress, so a heavier weight puts the cut among ordinary first-person
work worries ("I can feel myself starting to crack"), where the care reply, which shows no capabilities, would
meet too many ordinary situations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval import topic

C = 10.0
FOLDS = 5
FOLD_STEPS = 8
MISS_WEIGHT = 0.3


@dataclass(frozen=True)
class Detector:
    """`scores(vectors)` is the log-odds that a text is distress: a whole text at or over `threshold` reads as
    distress, and so does one sentence of a longer text at or over `sentence_threshold`."""

    weights: np.ndarray
    bias: float
    threshold: float
    sentence_threshold: float

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        return np.atleast_2d(vectors).astype(np.float64) @ self.weights + self.bias


def calibrate(distress: np.ndarray, lookalikes: np.ndarray, work: np.ndarray,
              miss_weight: float = MISS_WEIGHT) -> float:
    """The threshold with the least cost: `miss_weight` times the share of distress texts under it, plus the share
    of look-alike work texts at or over it, plus the share of ordinary work situations at or over it. The cut is
    put half-way into the gap below the score it keeps, so it sits on no training point."""
    distress, lookalikes, work = (np.asarray(a, dtype=np.float64) for a in (distress, lookalikes, work))
    candidates = np.unique(np.concatenate([distress, lookalikes, work]))
    best_cost, best_cut = np.inf, 0.0
    for i, cut in enumerate(candidates):
        threshold = (candidates[i - 1] + cut) / 2 if i else cut - 1.0
        cost = miss_weight * np.mean(distress < threshold) + np.mean(lookalikes >= threshold)
        cost += np.mean(work >= threshold) if work.size else 0.0
        if cost < best_cost:
            best_cost, best_cut = cost, threshold
    return float(best_cut)


def fit(distress: np.ndarray, lookalikes: np.ndarray, work: np.ndarray, c: float = C, folds: int = FOLDS,
        miss_weight: float = MISS_WEIGHT) -> Detector:
    """Train on everything; set the thresholds from out-of-fold scores (each text scored by a detector that did
    not see it). A single sentence is held to a higher bar, over every work text's out-of-fold score, since a
    sentence on its own ("I'm not sleeping", "I'm stung") reads darker than the situation it came from."""
    negatives = np.vstack([lookalikes, work])
    weights, bias = topic.train(distress, negatives, c)
    pos_out, neg_out = np.zeros(len(distress)), np.zeros(len(negatives))
    for fold in range(folds):
        keep_p = np.arange(len(distress)) % folds != fold
        keep_n = np.arange(len(negatives)) % folds != fold
        w, b = topic.train(distress[keep_p], negatives[keep_n], c, steps=FOLD_STEPS, start=np.r_[weights, bias])
        pos_out[~keep_p] = distress[~keep_p] @ w + b
        neg_out[~keep_n] = negatives[~keep_n] @ w + b
    look_out, work_out = neg_out[: len(lookalikes)], neg_out[len(lookalikes):]
    threshold = calibrate(pos_out, look_out, work_out, miss_weight)
    sentence = max(threshold, float(neg_out.max()) + 1e-6)
    return Detector(weights, bias, threshold, sentence)
