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
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from retrieval.lexical import BM25

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "situations.jsonl"
INDICATOR_DATA = DATA.with_name("indicators.jsonl")
MESSY_DATA = DATA.with_name("messy.jsonl")
VOICES_DATA = DATA.with_name("voices.jsonl")
GUIDES = "guides-mentors-and-develops-people"
INDICATOR_SYSTEMS = ("method", "cosine", "untuned", "bm25", "random")
INDICATOR_TITLES = {"method": "ILS Coach (fit model)", "cosine": "tuned cosine (previous)",
                    "untuned": "untuned model cosine", "bm25": "BM25 over indicators", "random": "random order"}
SPLITS = ("dev", "test")
PROBITY = "demonstrates-public-service-professionalism-and-probity"
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


@dataclass(frozen=True)
class IndicatorLabel:
    """For one situation and one relevant capability: its best-fitting indicators (best first), others that
    partly fit, and for each best indicator the phrases of the situation that carry the link."""

    situation: str
    capability: str
    best: tuple[str, ...]
    also: tuple[str, ...]
    words: dict


def load_indicators(path: Path = INDICATOR_DATA) -> list[IndicatorLabel]:
    """Indicator labels: one JSON object per line, {"id", "capabilities": {capability id: {"best", "also",
    "words"}}}."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            for cap, entry in row["capabilities"].items():
                out.append(IndicatorLabel(str(row["id"]), cap, tuple(entry["best"]), tuple(entry.get("also") or ()),
                                          {k: tuple(v) for k, v in (entry.get("words") or {}).items()}))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{path}:{number}: not an indicator label ({err})") from None
    return out


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


def evaluate(retriever, situations: list[Situation], splits: tuple[str, ...] = SPLITS, base=None,
             messy: list[Situation] | None = None, indicators: list[IndicatorLabel] | None = None,
             voices: list[Situation] | None = None) -> dict:
    """Scores per split and system, and the off-topic counts of the retriever per split. `base` is the encoder
    for the dense baseline (the untuned model). `messy` situations are scored as slices of their own
    ("messy-dev", "messy-test"), and so are `voices` ("voices-test": who a text is about, with figures per
    subject); `indicators` labels add the indicator figures of each split."""
    report: dict = {"splits": {}, "threshold": round(float(retriever.calibration.threshold), 4),
                    "rule": retriever.calibration.kind}
    rule = getattr(retriever, "rule", None)
    if rule is not None:
        report["parts"] = {"detector_threshold": round(float(rule.detector.threshold), 4),
                           "similarity_threshold": round(float(rule.similarity_threshold), 4)}
    slices = [(split, split, situations) for split in splits]
    slices += [(f"messy-{split}", split, messy) for split in splits if messy]
    slices += [(f"voices-{split}", split, voices) for split in splits if voices]
    for name, split, pool in slices:
        chosen = [s for s in pool if s.split == split]
        if not chosen:
            continue
        texts = [s.text for s in chosen]
        ranked, flags = method_rankings(retriever, texts)
        real = [n for n, s in enumerate(chosen) if not s.off_topic]
        gold = [chosen[n].labels for n in real]
        systems = {"method": ranked, "dense": dense_rankings(retriever, texts, base),
                   "bm25": lexical_rankings(retriever, texts)}
        off = [n for n, s in enumerate(chosen) if s.off_topic]
        first = [rank[0] for rank in (ranked[n] for n in real)]
        report["splits"][name] = {
            "scores": {system: asdict(score(gold, [rank[n] for n in real])) for system, rank in systems.items()},
            "abstention": asdict(Abstention(len(off), sum(flags[n] for n in off), len(real),
                                            sum(flags[n] for n in real))),
            "probity_first": {"ranked": sum(cap == PROBITY for cap in first),
                              "labelled": sum(bool(g) and g[0] == PROBITY for g in gold)},
        }
        if name.startswith("voices"):
            report["splits"][name]["subjects"] = subjects([chosen[n] for n in real], first)
        if indicators and not name.startswith(("messy", "voices")):
            report["splits"][name]["indicators"] = indicator_report(retriever, chosen, indicators, split, base)
    return report


def subject(situation: Situation) -> str:
    """Whom a voices situation is about, from its id ("v-staff-012": the writer's staff member)."""
    parts = situation.id.split("-")
    return parts[1] if len(parts) > 2 and parts[0] == "v" else ""


def subjects(situations: list[Situation], first: list[str]) -> dict:
    """For each subject (self, staff, client): how many, how often the first capability is the labelled one,
    and how often it is developing people (right for staff, wrong for oneself or a coach's client)."""
    out: dict = {}
    for situation, top in zip(situations, first, strict=True):
        entry = out.setdefault(subject(situation), {"n": 0, "hit1": 0, "guides_first": 0})
        entry["n"] += 1
        entry["hit1"] += top == situation.labels[0]
        entry["guides_first"] += top == GUIDES
    return out


def _overlaps(text: str, phrase: str, gold: tuple[str, ...]) -> bool:
    """Whether a shown phrase overlaps, in the text, any of the labelled phrases."""
    spans = [(m, m + len(g)) for g in gold for m in _positions(text, g)]
    return any(s < ge and gs < s + len(phrase) for s in _positions(text, phrase) for gs, ge in spans)


def _positions(text: str, phrase: str) -> list[int]:
    out, start = [], 0
    while phrase and (found := text.find(phrase, start)) >= 0:
        out.append(found)
        start = found + 1
    return out


def _random_hits(n: int, fit: int, best: int) -> tuple[float, float]:
    """Expected ind@1 and ind@3 of a random order of n indicators with `fit` fitting and `best` best ones."""
    from math import comb

    first = fit / n if n else 0.0
    top = min(3, n)
    third = 1 - comb(n - best, top) / comb(n, top) if n else 0.0
    return first, third


def indicator_report(retriever, situations: list[Situation], labels: list[IndicatorLabel], split: str,
                     base=None, floors: tuple[float, ...] = ()) -> dict:
    """Indicator figures on one split: ind@1 (the first indicator of a labelled capability is one of its
    labelled fitting indicators, best or partly fitting), ind@3 (a best indicator among its first three), for
    the method and the baselines; for the method alone, the share of every indicator shown on the first three
    cards that fits, and the precision and recall of the shown words against the labelled words (`words`, and
    with `floors`, `words_by_floor`: the same with the model's word floor set to each of them in turn)."""
    from conversation.answer import shown
    from index.embed import remembering
    from retrieval.text import prepare

    texts = {s.id: s.text for s in situations if s.split == split}
    chosen = [lab for lab in labels if lab.situation in texts]
    if not chosen:
        return {}
    ids = sorted({lab.situation for lab in chosen})
    results = dict(zip(ids, retriever.search_many([texts[i] for i in ids], top=len(retriever.capabilities),
                                                   indicators=None), strict=True))
    prepared = {i: prepare(texts[i], retriever.max_chars).text for i in ids}
    tuned = retriever.encoder.encode([prepared[i] for i in ids])
    base = base or retriever.encoder
    untuned = base.encode([prepared[i] for i in ids])
    rows = {item.id: n for n, item in enumerate(retriever.index.items) if item.kind == "indicator"}
    ind_ids = list(rows)
    tuned_sims = dict(zip(ids, tuned @ retriever.index.vectors[[rows[i] for i in ind_ids]].T, strict=True))
    base_targets = base.encode([retriever.index.items[rows[i]].text for i in ind_ids])
    base_sims = dict(zip(ids, untuned @ base_targets.T, strict=True))
    column = {i: n for n, i in enumerate(ind_ids)}
    caps = {cap.id: cap for cap in retriever.capabilities}
    sums = {name: [0.0, 0.0] for name in INDICATOR_SYSTEMS}
    for lab in chosen:
        cap = caps[lab.capability]
        order = {"method": [i.id for i in next(c for c in results[lab.situation].capabilities
                                                if c.id == lab.capability).indicators]}
        inds = [i.id for i in cap.indicators]
        order["cosine"] = sorted(inds, key=lambda i: -tuned_sims[lab.situation][column[i]])
        order["untuned"] = sorted(inds, key=lambda i: -base_sims[lab.situation][column[i]])
        lexical = BM25([i.text for i in cap.indicators]).scores(texts[lab.situation])
        order["bm25"] = [inds[n] for n in np.argsort(-lexical, kind="stable")]
        fit = set(lab.best) | set(lab.also)
        for name, ranked in order.items():
            sums[name][0] += ranked[0] in fit
            sums[name][1] += any(i in lab.best for i in ranked[:3])
        first, third = _random_hits(len(inds), len(fit & set(inds)), len(set(lab.best) & set(inds)))
        sums["random"][0] += first
        sums["random"][1] += third
    n = len(chosen)
    report = {"n": n, "situations": len(ids),
              "ranking": {name: {"ind1": round(a / n, 4), "ind3": round(b / n, 4)} for name, (a, b) in sums.items()}}
    fitting = {(lab.situation, i) for lab in chosen for i in (*lab.best, *lab.also)}
    gold = {(lab.situation, i): lab.words.get(i, ()) for lab in chosen for i in lab.best}
    shown_count = shown_fit = closest = 0
    targets = []
    for sid in ids:
        for cap in results[sid].capabilities[:3]:
            for ind, fits in shown(retriever, cap):
                shown_count += 1
                shown_fit += (sid, ind.id) in fitting
                closest += not fits
                if fits and gold.get((sid, ind.id)):
                    targets.append((sid, ind.id))
    report["shown"] = {"indicators": shown_count, "fit_share": round(shown_fit / max(shown_count, 1), 4),
                       "closest_only": closest}
    with remembering():  # each floor names words from the same phrases: they are embedded once
        report["words"] = _words(retriever, prepared, targets, gold)
        if floors:
            model = retriever.evidence.model
            try:
                report["words_by_floor"] = []
                for value in floors:
                    retriever.evidence.model = replace(model, word_floor=value)
                    report["words_by_floor"].append({"floor": value, **_words(retriever, prepared, targets, gold)})
            finally:
                retriever.evidence.model = model
    return report


def _words(retriever, prepared: dict[str, str], targets: list[tuple[str, str]], gold: dict) -> dict:
    """Precision and recall of the words the retriever names for each (situation, indicator) of `targets`
    against the labelled words in `gold`."""
    words_shown = words_right = labelled = labelled_hit = 0
    for sid, ind in targets:
        found = retriever.evidence.why(retriever.encoder, (prepared[sid],), [ind])[ind]
        wanted = gold[(sid, ind)]
        words_shown += len(found)
        words_right += sum(_overlaps(prepared[sid], p, wanted) for p in found)
        labelled += len(wanted)
        labelled_hit += sum(any(_overlaps(prepared[sid], p, (g,)) for p in found) for g in wanted)
    return {"pairs": len(targets), "shown": words_shown, "precision": round(words_right / max(words_shown, 1), 4),
            "recall": round(labelled_hit / max(labelled, 1), 4)}


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
        for name, entry in part.get("subjects", {}).items():
            lines.append(f"  about {name or 'unknown'}: {entry['n']} situations, first capability right "
                         f"{entry['hit1']}, developing people first {entry['guides_first']}")
        p = part.get("probity_first")
        if p:
            lines.append(f"  probity and integrity ranked first {p['ranked']} times, labelled first {p['labelled']}")
        ind = part.get("indicators")
        if ind:
            lines.append(f"  indicators: {ind['n']} labelled capabilities in {ind['situations']} situations")
            lines.append(f"  {'system':<28} {'ind@1':>6} {'ind@3':>6}")
            for name in INDICATOR_SYSTEMS:
                r = ind["ranking"][name]
                lines.append(f"  {INDICATOR_TITLES[name]:<28} {r['ind1']:>6.3f} {r['ind3']:>6.3f}")
            sh, w = ind["shown"], ind["words"]
            lines.append(f"  shown on the first three cards: {sh['indicators']} indicators, {sh['fit_share']:.3f} "
                         f"fit ({sh['closest_only']} shown only as the closest)")
            lines.append(f"  words shown on fitting indicators: {w['shown']} for {w['pairs']} indicators, "
                         f"precision {w['precision']:.3f}, recall {w['recall']:.3f}")
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
    parser.add_argument("--messy", type=Path, default=MESSY_DATA, help=f"messy situations (default: {MESSY_DATA})")
    parser.add_argument("--voices", type=Path, default=VOICES_DATA,
                        help=f"situations by whom they are about (default: {VOICES_DATA})")
    parser.add_argument("--indicators", type=Path, default=INDICATOR_DATA,
                        help=f"indicator labels (default: {INDICATOR_DATA})")
    args = parser.parse_args(argv)
    import settings
    from coach import environment, load_coach

    environment()
    try:
        situations = load(args.data)
        messy = load(args.messy) if args.messy and args.messy.exists() else []
        voices = load(args.voices) if args.voices and args.voices.exists() else []
        labels = load_indicators(args.indicators) if args.indicators and args.indicators.exists() else []
        retriever = load_coach(settings.get(), safety=False).retriever
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for notice in retriever.notices:
        print(f"note: {notice}", file=sys.stderr)
    from index.embed import load as load_encoder

    config = settings.get()
    report = evaluate(retriever, situations, tuple(args.split or SPLITS),
                      base=load_encoder(config.model, threads=config.threads), messy=messy, indicators=labels,
                      voices=voices)
    try:
        print(json.dumps(report) if args.json else render(report), flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
