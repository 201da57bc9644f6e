"""Refitting the indicator fit model (retrieval.fit): the weight search, the ranking figures and the cut."""

from __future__ import annotations

import numpy as np

from retrieval import fit
from retrieval.fit import Row


def card(group: int, features: list[tuple[float, float, float]], fits: set[int], best: set[int],
         labelled: bool = True, on_card: bool = True) -> list[Row]:
    return [Row(group, f, n in fits, n in best, labelled, on_card) for n, f in enumerate(features)]


def test_ranking_counts_the_first_indicator_and_a_best_one_in_the_first_three():
    data = card(0, [(0.9, 0, 0), (0.5, 0, 0), (0.1, 0, 0), (0.0, 0, 0)], fits={0}, best={3})
    data += card(1, [(0.2, 0, 0), (0.8, 0, 0)], fits={0}, best={0})
    data += card(2, [(0.9, 0, 0)], fits=set(), best=set(), labelled=False)
    first, third, raw = fit.ranking(data, (1.0, 0.0, 0.0))
    assert (first, third) == (0.5, 0.5)
    assert raw.tolist() == [r.features[0] for r in data]


def test_the_weight_search_finds_the_signal_that_ranks_and_the_cut_separates():
    rng = np.random.default_rng(0)
    data = []
    for group in range(40):
        right = int(rng.integers(4))
        # Similarity is noise; the example signal marks the fitting indicator.
        features = [(float(rng.normal(0, 0.3)), 1.0 if n == right else 0.0, 0.0) for n in range(4)]
        data += card(group, features, fits={right}, best={right})
    found = fit.fit(data)
    assert fit.ranking(data, (1.0, 0.0, 0.0))[0] < 0.6
    assert found["ind1"] == 1.0 and found["ind3"] == 1.0
    assert fit.ranking(data, (found["dense"], found["examples"], found["lexical"]))[0] == 1.0
    probability = 1 / (1 + np.exp(-(found["bias"] + found["scale"] * fit.ranking(
        data, (found["dense"], found["examples"], found["lexical"]))[2])))
    assert min(p for p, r in zip(probability, data) if r.fits) > 0.5


def test_the_cut_has_the_best_f1_on_the_cards_and_ignores_cards_not_shown():
    data = card(0, [(0, 0, 0)] * 4, fits={0, 1}, best={0})
    data += card(1, [(0, 0, 0)] * 2, fits={0}, best={0})
    data += card(2, [(0, 0, 0)] * 2, fits={0}, best={0}, on_card=False)
    probability = np.array([0.9, 0.45, 0.3, 0.2, 0.5, 0.1, 0.05, 0.99])
    threshold, f1 = fit.cut(data, probability)
    # Shown at 0.45: 0.9, 0.45, 0.5 (all three fit), so F1 = 1; a higher cut loses the 0.45 one, a lower one adds
    # the 0.3 that does not fit.
    assert 0.3 < threshold <= 0.45 and f1 == 1.0


def test_the_word_floor_is_the_lowest_that_reaches_the_precision():
    points = [{"floor": 0.7, "precision": 0.6, "shown": 90}, {"floor": 0.72, "precision": 0.81, "shown": 40},
              {"floor": 0.74, "precision": 0.79, "shown": 30}, {"floor": 0.76, "precision": 0.9, "shown": 20},
              {"floor": 0.78, "precision": 0.0, "shown": 0}]
    assert fit.floor(points) == 0.72
    assert fit.floor(points, wanted=0.85) == 0.76
    assert fit.floor(points, wanted=0.95) is None, "a floor that names nothing never counts"
    assert fit.floor(list(reversed(points))) == 0.72
