"""Measure the safety net on the real model: the dev list, ordinary and messy situations, and each author held out.

`python -m safety.evaluate` prints, for the net as configured: distress caught and look-alikes flagged on the dev
list (tests/data/distress-dev.json), ordinary situations (tests/data/situations.jsonl) and messy ones
(tests/data/messy.jsonl) flagged; then a leave-one-author-out check: for each author named in the training file's
and the dev list's `sources`, the detector is fitted on the other authors' training texts only and the whole net is
measured on that author's texts (training and dev). `--weights 0.25,1` repeats the dev, ordinary and pooled
leave-one-author-out figures for other miss weights, the only figures a weight may be chosen on.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from safety.detector import MISS_WEIGHT, fit
from safety.guard import Guard, ordinary

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class Labelled:
    """A list of distress and look-alike work texts, with the author of each (from the file's `sources`)."""

    distress: tuple[str, ...]
    work: tuple[str, ...]
    distress_authors: tuple[str, ...]
    work_authors: tuple[str, ...]

    def by(self, author: str) -> tuple[list[str], list[str]]:
        return ([t for t, a in zip(self.distress, self.distress_authors) if a == author],
                [t for t, a in zip(self.work, self.work_authors) if a == author])


def read_list(path: Path) -> Labelled:
    """Read a distress list; `sources` (author, distress, work counts, in order) names each run of texts, and texts
    past the last run are by an unnamed author."""
    data = json.loads(path.read_text(encoding="utf-8"))
    distress = [t for t in data["distress"] if t.strip()]
    work = [t for t in data["work"] if t.strip()]
    authors: dict[str, list[str]] = {"distress": [], "work": []}
    for source in data.get("sources", []):
        for key in authors:
            authors[key] += [source["author"]] * source[key]
    for key, texts in (("distress", distress), ("work", work)):
        authors[key] = (authors[key] + ["unnamed"] * len(texts))[: len(texts)]
    return Labelled(tuple(distress), tuple(work), tuple(authors["distress"]), tuple(authors["work"]))


@dataclass(frozen=True)
class Rates:
    """Distress texts given the care reply and work texts given it, with the texts missed and flagged."""

    caught: int
    distress: int
    flagged: int
    work: int
    missed: tuple[str, ...] = ()
    alarms: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = []
        if self.distress:
            parts.append(f"caught {self.caught}/{self.distress} ({100 * self.caught / self.distress:.1f} %)")
        if self.work:
            parts.append(f"flagged {self.flagged}/{self.work} ({100 * self.flagged / self.work:.1f} %)")
        return ", ".join(parts)


def measure(guard: Guard, distress, work) -> Rates:
    missed = tuple(t for t in distress if not guard.check(t).distress)
    alarms = tuple(t for t in work if guard.check(t).distress)
    return Rates(len(distress) - len(missed), len(distress), len(alarms), len(work), missed, alarms)


class Cached:
    """An encoder that remembers each text's vector, so a text is encoded once however many detectors read it."""

    def __init__(self, encoder):
        self.encoder = encoder
        self.seen: dict[str, np.ndarray] = {}

    def encode(self, texts):
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if new:
            self.seen.update(zip(new, self.encoder.encode(new)))
        return np.stack([self.seen[t] for t in texts])


def situations(name: str) -> list[str]:
    """The texts of a labelled situations file in tests/data (read by retrieval.evaluate.load)."""
    from retrieval.evaluate import load

    return [s.text for s in load(DATA / name)]


@dataclass(frozen=True)
class Fold:
    """One author held out: the net fitted without their training texts, measured on all of their texts."""

    author: str
    trained_on: int
    texts: Rates
    ordinary: Rates


def leave_one_author_out(index, encoder, training: Labelled, dev: Labelled, everyday: list[str],
                         miss_weight: float = MISS_WEIGHT) -> list[Fold]:
    """For each author, fit the detector on the other authors' training texts (and the ordinary texts) and
    measure the whole net (patterns and detector) on that author's training and dev texts."""
    vectors = np.asarray(index.distress, dtype=np.float64)
    labels = np.asarray(index.distress_labels)
    pos, neg = vectors[labels == 1], vectors[labels == 0]
    exemplars = ordinary(index)
    d_auth, w_auth = np.array(training.distress_authors), np.array(training.work_authors)
    authors = list(dict.fromkeys(training.distress_authors + training.work_authors + dev.distress_authors
                                 + dev.work_authors))
    folds = []
    for author in authors:
        keep_d, keep_w = d_auth != author, w_auth != author
        guard = Guard(fit(pos[keep_d], neg[keep_w], exemplars, miss_weight=miss_weight), encoder)
        distress, work = training.by(author)
        more_d, more_w = dev.by(author)
        folds.append(Fold(author, int(keep_d.sum() + keep_w.sum()), measure(guard, distress + more_d, work + more_w),
                          measure(guard, [], everyday)))
    return folds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m safety.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="", help="other miss weights to compare on dev and ordinary")
    parser.add_argument("--no-folds", action="store_true", help="skip the leave-one-author-out check")
    parser.add_argument("--show", action="store_true", help="print the texts missed and flagged")
    args = parser.parse_args(argv)

    from coach import environment, load_coach

    environment()
    loaded = load_coach(safety=False)
    retriever, config = loaded.retriever, loaded.settings
    encoder = Cached(retriever.encoder)
    training, dev = read_list(config.distress), read_list(DATA / "distress-dev.json")
    everyday, messy = situations("situations.jsonl"), situations("messy.jsonl")
    index = retriever.index
    labels = np.asarray(index.distress_labels)
    vectors = np.asarray(index.distress, dtype=np.float64)
    exemplars = ordinary(index)
    weights = [MISS_WEIGHT] + [float(w) for w in args.weights.split(",") if w.strip()]
    for weight in weights:
        guard = Guard(fit(vectors[labels == 1], vectors[labels == 0], exemplars, miss_weight=weight), encoder)
        on_dev, on_ordinary, on_messy = measure(guard, dev.distress, dev.work), measure(guard, [], everyday), \
            measure(guard, [], messy)
        patterns_only = measure(Guard(), dev.distress, dev.work)
        print(f"miss weight {weight}: threshold {guard.detector.threshold:.3f}, sentence "
              f"{guard.detector.sentence_threshold:.3f}")
        print(f"  dev: {on_dev}  (patterns alone: {patterns_only})")
        print(f"  ordinary situations: {on_ordinary}; messy: {on_messy}")
        if not args.no_folds:
            folds = leave_one_author_out(index, encoder, training, dev, everyday, miss_weight=weight)
            pooled = Rates(sum(f.texts.caught for f in folds), sum(f.texts.distress for f in folds),
                           sum(f.texts.flagged for f in folds), sum(f.texts.work for f in folds))
            print(f"  each author held out, pooled: {pooled}")
        if args.show:
            for label, texts in (("missed", on_dev.missed), ("flagged", on_dev.alarms + on_ordinary.alarms
                                                                    + on_messy.alarms)):
                for text in texts:
                    print(f"    {label}: {text}")
    if args.no_folds:
        return
    print("leave one author out (detector fitted without the author's texts; patterns as they are):")
    for fold in leave_one_author_out(index, encoder, training, dev, everyday):
        print(f"  {fold.author}: {fold.texts}; ordinary {fold.ordinary} (trained on {fold.trained_on})")
        if args.show:
            for text in fold.texts.missed:
                print(f"    missed: {text}")
            for text in fold.texts.alarms:
                print(f"    flagged: {text}")


if __name__ == "__main__":
    main()
