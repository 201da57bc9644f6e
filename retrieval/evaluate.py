"""Retrieval quality on the labelled situations: `python -m retrieval.evaluate [--json] [--data FILE]`.

Scores the Retriever exactly as `python -m retrieval search` runs it in batch mode (default settings, the same
batches of lines), and, in the same run, two baselines that use no exemplars: plain dense retrieval with the model
as shipped, before any tuning (each capability scored by its best indicator or description similarity), and BM25
over each capability's name, description and indicators.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.lexical import BM25

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "situations.jsonl"
SPLITS = ("dev", "test")
SYSTEMS = ("method", "dense", "bm25")
TITLES = {"method": "ILS Coach retriever", "dense": "plain dense (as shipped)", "bm25": "BM25 (no exemplars)"}


@dataclass(frozen=True)
class Situation:
    id: str
    text: str
    labels: tuple[str, ...]
    split: str

    @property
    def off_topic(self) -> bool:
        return not self.labels


@dataclass(frozen=True)
class Scores:
    n: int
    hit1: float
    hit3: float
    mrr: float
    mrr3: float
    recall5: float


@dataclass(frozen=True)
class Abstention:
    off_topic: int
    off_topic_flagged: int
    real: int
    real_flagged: int


def load(path: Path = DATA) -> list[Situation]:
    """The labelled situations: one JSON object per line with id, text, labels (best first) and split."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(Situation(str(row["id"]), str(row["text"]), tuple(row.get("labels") or ()), str(row["split"])))
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{number}: not a labelled situation ({err})") from None
    return out


def score(labels: list[tuple[str, ...]], rankings: list[list[str]]) -> Scores:
    """hit@1, hit@3, MRR (full ranking, and cut at 3 as the CLI's default output is), recall@5 (share of the
    labels found in the top 5), averaged over situations."""
    hit1 = hit3 = mrr = mrr3 = recall5 = 0.0
    for gold, ranking in zip(labels, rankings, strict=True):
        position = {cap: n for n, cap in enumerate(ranking, 1)}
        first = min((position.get(cap, np.inf) for cap in gold), default=np.inf)
        hit1 += first <= 1
        hit3 += first <= 3
        mrr += 1 / first
        mrr3 += 1 / first if first <= 3 else 0.0
        recall5 += sum(position.get(cap, np.inf) <= 5 for cap in gold) / len(gold)
    n = len(labels)
    if n == 0:
        return Scores(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return Scores(n, *(round(float(v) / n, 4) for v in (hit1, hit3, mrr, mrr3, recall5)))


def method_rankings(retriever, texts: list[str]) -> tuple[list[list[str]], list[bool]]:
    """The retriever's full ranking and off-topic flag for each text, batched as the CLI batches stdin."""
    from retrieval.__main__ import BATCH

    top = len(retriever.capabilities)
    results = []
    for start in range(0, len(texts), BATCH):
        results += retriever.search_many(texts[start: start + BATCH], top=top)
    return [[cap.id for cap in r.capabilities] for r in results], [r.off_topic for r in results]


def _order(scores: np.ndarray, ids: list[str]) -> list[list[str]]:
    return [[ids[c] for c in np.argsort(-row, kind="stable")] for row in np.atleast_2d(scores)]


def dense_rankings(retriever, texts: list[str], encoder=None) -> list[list[str]]:
    """Baseline: each capability scored by its single best indicator or description similarity, embedded with
    `encoder` (the model as shipped, before tuning; default: the retriever's own encoder)."""
    rows = np.array([n for n, item in enumerate(retriever.index.items) if item.kind in ("indicator", "description")])
    encoder = encoder or retriever.encoder
    vectors = encoder.encode(texts)
    targets = encoder.encode([retriever.index.items[n].text for n in rows]) if encoder is not retriever.encoder \
        else retriever.index.vectors[rows]
    sims = vectors @ targets.T
    owners = retriever.owners[rows]
    scores = np.full((len(texts), len(retriever.capabilities)), -np.inf)
    for cap in range(len(retriever.capabilities)):
        cols = np.flatnonzero(owners == cap)
        if cols.size:
            scores[:, cap] = sims[:, cols].max(axis=1)
    return _order(scores, [cap.id for cap in retriever.capabilities])


def lexical_rankings(retriever, texts: list[str]) -> list[list[str]]:
    """Baseline: BM25 over one document per capability (name, description, indicators)."""
    caps = retriever.capabilities
    documents = ["\n".join([cap.name, cap.description, *(ind.text for ind in cap.indicators)]) for cap in caps]
    return _order(BM25(documents).scores_many(texts), [cap.id for cap in caps])


def evaluate(retriever, situations: list[Situation], splits: tuple[str, ...] = SPLITS, base=None) -> dict:
    """Scores per split and system, and the off-topic counts of the retriever per split. `base` is the encoder
    for the dense baseline (the untuned model)."""
    report: dict = {"splits": {}, "threshold": round(float(retriever.calibration.threshold), 4),
                    "rule": retriever.calibration.kind}
    rule = getattr(retriever, "rule", None)
    if rule is not None:
        report["parts"] = {"detector_threshold": round(float(rule.detector.threshold), 4),
                           "similarity_threshold": round(float(rule.similarity_threshold), 4)}
    for split in splits:
        chosen = [s for s in situations if s.split == split]
        if not chosen:
            continue
        texts = [s.text for s in chosen]
        ranked, flags = method_rankings(retriever, texts)
        real = [n for n, s in enumerate(chosen) if not s.off_topic]
        gold = [chosen[n].labels for n in real]
        systems = {"method": ranked, "dense": dense_rankings(retriever, texts, base),
                   "bm25": lexical_rankings(retriever, texts)}
        off = [n for n, s in enumerate(chosen) if s.off_topic]
        report["splits"][split] = {
            "scores": {name: asdict(score(gold, [rank[n] for n in real])) for name, rank in systems.items()},
            "abstention": asdict(Abstention(len(off), sum(flags[n] for n in off), len(real),
                                            sum(flags[n] for n in real))),
        }
    return report


def render(report: dict) -> str:
    lines = []
    for split, part in report["splits"].items():
        first = part["scores"]["method"]
        lines.append(f"{split} split: {first['n']} situations")
        lines.append(f"  {'system':<28} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'MRR@3':>6} {'rec@5':>6}")
        for name in SYSTEMS:
            s = part["scores"][name]
            lines.append(f"  {TITLES[name]:<28} {s['hit1']:>6.3f} {s['hit3']:>6.3f} {s['mrr']:>6.3f} "
                         f"{s['mrr3']:>6.3f} {s['recall5']:>6.3f}")
        a = part["abstention"]
        lines.append(f"  off-topic flagged: {a['off_topic_flagged']}/{a['off_topic']} off-topic inputs, "
                     f"{a['real_flagged']}/{a['real']} real situations (wrongly)")
        lines.append("")
    line = f"off-topic rule ({report.get('rule', 'similarity')}, calibrated when the index loads): " \
           f"below {report['threshold']:.4f}"
    if report.get("parts"):
        line += (f" (detector threshold {report['parts']['detector_threshold']:.4f}, "
                 f"similarity threshold {report['parts']['similarity_threshold']:.4f})")
    lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--data", type=Path, default=DATA, help=f"labelled situations (default: {DATA})")
    parser.add_argument("--split", action="append", choices=SPLITS, help="only this split (repeatable; default both)")
    args = parser.parse_args(argv)
    import settings
    from corpus.model import CorpusError
    from index.embed import ModelError
    from index.store import IndexProblem
    from retrieval.engine import Retriever

    try:
        situations = load(args.data)
        retriever = Retriever.from_settings(settings.get())
    except (OSError, ValueError, CorpusError, ModelError, IndexProblem) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for notice in retriever.notices:
        print(f"note: {notice}", file=sys.stderr)
    from index.embed import load as load_encoder

    config = settings.get()
    report = evaluate(retriever, situations, tuple(args.split or SPLITS),
                      base=load_encoder(config.model, threads=config.threads))
    try:
        print(json.dumps(report) if args.json else render(report), flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
