"""Refit the indicator fit model on the dev split of the indicator labels: `python -m retrieval.fit`.

The weights of the three signals (similarity, examples, lexicon) are chosen by ind@1 then ind@3 over a small grid;
then a logistic model of the weighted score and its gap to the capability's best is fitted on the labelled
capabilities' indicators (fitting: best or partly) and, as not fitting, the indicators of the other capabilities
on the first three cards. It prints the numbers to put in retrieval.evidence.Model; it never reads the test split.
`--words` prints instead the precision and recall of the words shown under fitting indicators at each floor of
FLOORS and the floor the rule gives: the lowest whose precision reaches WORD_PRECISION (`Model.word_floor`).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys

import numpy as np

EXAMPLE_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
LEXICAL_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
THRESHOLDS = tuple(round(0.1 + 0.05 * n, 2) for n in range(17))
FLOORS = tuple(round(0.7 + 0.02 * n, 2) for n in range(10))
WORD_PRECISION = 0.8


@dataclasses.dataclass(frozen=True)
class Row:
    """One indicator of one card for one situation: its three signals, its capability's rows, and the label."""

    group: int
    features: tuple[float, float, float]
    fits: bool
    best: bool
    labelled: bool
    on_card: bool


def rows(retriever, situations, labels, split: str = "dev") -> list[Row]:
    """The fitting data: for each situation of `split`, the indicators of its labelled capabilities and of the
    other capabilities on its first three cards."""
    texts = {s.id: s.text for s in situations if s.split == split}
    by_situation: dict[str, dict] = {}
    for lab in labels:
        if lab.situation in texts:
            by_situation.setdefault(lab.situation, {})[lab.capability] = lab
    ids = sorted(by_situation)
    inputs = retriever.indicator_inputs([texts[i] for i in ids])
    ranked = retriever.search_many([texts[i] for i in ids], top=3, indicators=0)
    caps = {cap.id: cap for cap in retriever.capabilities}
    out: list[Row] = []
    group = 0
    for sid, (sims, stems), result in zip(ids, inputs, ranked, strict=True):
        labelled = by_situation[sid]
        cards = {c.id for c in result.capabilities}
        for cap_id in dict.fromkeys([*labelled, *cards]):
            lab = labelled.get(cap_id)
            for ind in caps[cap_id].indicators:
                features = retriever.evidence.features(ind.id, sims, stems)
                out.append(Row(group, features, bool(lab) and ind.id in (*lab.best, *lab.also),
                               bool(lab) and ind.id in lab.best, bool(lab), cap_id in cards))
            group += 1
    return out


def groups(data: list[Row], on_card: bool = False) -> list[list[int]]:
    """The row numbers of each capability's indicators for one situation (only those on its first three cards
    with `on_card`)."""
    out: dict[int, list[int]] = {}
    for n, r in enumerate(data):
        if r.on_card or not on_card:
            out.setdefault(r.group, []).append(n)
    return list(out.values())


def ranking(data: list[Row], weights: tuple[float, float, float]) -> tuple[float, float, np.ndarray]:
    """ind@1 and ind@3 over the labelled groups for these weights, and every row's weighted score."""
    raw = np.array([np.dot(weights, r.features) for r in data])
    first = third = count = 0
    for members in groups(data):
        if not data[members[0]].labelled:
            continue
        order = sorted(members, key=lambda n: -raw[n])
        count += 1
        first += data[order[0]].fits
        third += any(data[n].best for n in order[:3])
    return first / max(count, 1), third / max(count, 1), raw


def cut(data: list[Row], probability: np.ndarray, shown: int = 3) -> tuple[float, float]:
    """The P(fit) a card's indicator needs to be shown as fitting: of THRESHOLDS, the one with the best F1 of the
    indicators shown as fitting on the first three cards (at most `shown` a card) against those labelled as
    fitting there; and that F1."""
    cards = groups(data, on_card=True)
    wanted = sum(data[n].fits for members in cards for n in members)
    best = (0.0, THRESHOLDS[0])
    for threshold in THRESHOLDS:
        picked = [n for members in cards
                  for n in sorted(members, key=lambda n: -probability[n])[:shown] if probability[n] >= threshold]
        right = sum(data[n].fits for n in picked)
        f1 = 2 * right / max(len(picked) + wanted, 1)
        best = max(best, (f1, threshold))
    return best[1], round(best[0], 4)


def fit(data: list[Row]) -> dict:
    """The weights with the best dev ind@1 (then ind@3), the logistic model over them and the cut for showing."""
    from sklearn.linear_model import LogisticRegression

    best = None
    for examples, lexical in itertools.product(EXAMPLE_WEIGHTS, LEXICAL_WEIGHTS):
        first, third, raw = ranking(data, (1.0, examples, lexical))
        if best is None or (first, third) > best[0]:
            best = ((first, third), (1.0, examples, lexical), raw)
    (first, third), weights, raw = best
    lead = np.zeros_like(raw)
    for members in groups(data):
        lead[members] = raw[members] - raw[members].max()
    x = np.column_stack([raw, lead])
    y = np.array([r.fits for r in data])
    model = LogisticRegression(C=100.0, max_iter=1000).fit(x, y)
    threshold, f1 = cut(data, model.predict_proba(x)[:, 1])
    return {"dense": weights[0], "examples": weights[1], "lexical": weights[2],
            "bias": round(float(model.intercept_[0]), 3), "scale": round(float(model.coef_[0][0]), 3),
            "lead": round(float(model.coef_[0][1]), 3), "threshold": threshold, "ind1": round(first, 4),
            "ind3": round(third, 4), "shown_f1": f1, "rows": len(data), "fitting": int(y.sum())}


def floor(points: list[dict], wanted: float = WORD_PRECISION) -> float | None:
    """The lowest floor whose words reach `wanted` precision (each point: floor, precision, shown), None when none
    does. A floor that names no word has no precision and never counts."""
    reached = [p["floor"] for p in points if p["shown"] and p["precision"] >= wanted]
    return min(reached, default=None)


def word_floors(retriever, situations, labels, floors: tuple[float, ...] = FLOORS) -> list[dict]:
    """The dev precision and recall of the words shown under the labelled fitting indicators (as
    retrieval.evaluate counts them) with the model's floor set to each of `floors`; the retriever is left as it was."""
    from retrieval import evaluate

    report = evaluate.indicator_report(retriever, situations, labels, "dev", floors=floors)
    keys = ("floor", "precision", "recall", "shown")
    return [{key: point[key] for key in keys} for point in report["words_by_floor"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.fit", description=__doc__.splitlines()[0])
    parser.add_argument("--words", action="store_true", help="the words' precision and recall by floor, and the "
                                                              "floor the rule gives")
    args = parser.parse_args(argv)
    import coach
    from errors import CoachError
    from retrieval import evaluate

    coach.environment()
    try:
        retriever = coach.load_coach(safety=False, background=False).retriever
        situations, labels = evaluate.load(), evaluate.load_indicators()
    except (CoachError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.words:
        points = word_floors(retriever, situations, labels)
        print(json.dumps({"floors": points, "word_floor": floor(points)}, indent=2))
    else:
        print(json.dumps(fit(rows(retriever, situations, labels)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
