"""The Retriever: a situation in, ranked capabilities with their best-matching indicators out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

import settings as settings_module
from corpus.model import Framework
from corpus.model import load as load_framework
from index import store
from index.embed import TextEncoder
from retrieval import classifier, derived, evidence, kept, perspective, scoring, topic
from retrieval.lexical import BM25
from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult
from retrieval.text import InputError, prepare, sentences


@dataclass(frozen=True)
class Calibration:
    """The off-topic threshold, how many real and off-topic texts set it, and which score it applies to:
    "combined" (retrieval.topic.Rule, off-topic below 0) or "similarity" (the best capability's similarity
    roll-up, with a fixed fallback threshold)."""

    threshold: float
    real: int
    off: int
    kind: str = "similarity"


@dataclass(frozen=True)
class Method:
    """How capability scores are made: weights of the standardised signals, the roll-up, long-text splitting.

    The weights were chosen on the dev split of tests/data/situations.jsonl (see README, Retrieval quality).
    """

    classifier: float = 1.0
    lexical: float = 0.75
    dense: float = 0.5
    dense_k: int = 3
    split_from: int = 4
    examples_in_ranking: bool = False
    glossary: bool = True
    keep_terms: bool = True
    diversity: float = 0.0
    diverse_from: int = 2
    client_voice: bool = True


class Retriever:
    """Maps situation text to capabilities of one framework, using one encoder and one index."""

    def __init__(self, framework: Framework, index: store.Index, encoder: TextEncoder, max_chars: int = 4000,
                 method: Method | None = None, glossary: evidence.Glossary | None = None):
        self.framework = framework
        self.index = index
        self.encoder = encoder
        self.max_chars = max_chars
        self.method = method or Method()
        self.capabilities = framework.capabilities
        self.cap_pos = {cap.id: n for n, cap in enumerate(self.capabilities)}
        counted = ("indicator-example",) if not self.method.examples_in_ranking else ()
        self.owners = np.array([-1 if item.kind in counted else self.cap_pos.get(item.capability_id, -1)
                                for item in index.items])
        state = derived.ready(index, framework, self.method, self._derive)
        self.evidence = evidence.Evidence(framework, index, glossary, lexicon=state.lexicon)
        self.groups = scoring.Groups(self.owners, len(self.capabilities))
        counted_rows = np.flatnonzero(self.owners >= 0)
        self.kinship = scoring.kinship(index.vectors[counted_rows], self.owners[counted_rows], len(self.capabilities)) \
            if index.vectors.shape[0] == len(index.items) else np.eye(len(self.capabilities))
        self.indicator_rows = {item.id: row for row, item in enumerate(index.items) if item.kind == "indicator"}
        self.classifier = state.classifier
        self.lexical = state.lexical
        self.rule: topic.Rule | None = None
        self.calibration = self._calibrate()

    @classmethod
    def from_settings(cls, config: settings_module.Settings | None = None, model: str | None = None,
                      log=None) -> Retriever:
        """Load the framework, the (tuned) model once per process and the index, rebuilding what is stale.
        `log` receives progress lines of a long first-time step (tuning the model)."""
        from index import ready

        config = config or settings_module.get()
        framework = load_framework(config.framework)
        loaded = ready.load(framework, config, model=model, log=log)
        return cls(framework, loaded.index, loaded.encoder, max_chars=config.max_chars,
                   glossary=evidence.load_glossary(config.glossary))

    @property
    def notices(self) -> list[str]:
        return self.index.notices

    def _derive(self) -> derived.State:
        """The deterministic setup that retrieval.derived keeps beside a saved index: the indicator lexicon, BM25
        over the capability documents and the exemplar classifier."""
        documents = [self._document(n, cap) for n, cap in enumerate(self.capabilities)]
        return derived.State(evidence.Lexicon(self.framework, self.index.items), BM25(documents), self._train())

    def _train(self) -> classifier.Linear | None:
        """The exemplar classifier (None when the framework has no exemplars)."""
        rows = self.index.rows("exemplar")
        if rows.size == 0 or self.index.vectors.shape[0] != len(self.index.items):
            return None
        return classifier.train(self.index.vectors[rows], self.owners[rows], len(self.capabilities))

    def _document(self, cap_index: int, cap) -> str:
        """A capability's text for lexical matching: its name and every item embedded for it."""
        texts = [item.text for item, owner in zip(self.index.items, self.owners, strict=True) if owner == cap_index]
        return "\n".join([cap.name, *texts])

    def _similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine similarity of each query vector to every item, in item row order (see store.Index.similarities:
        exact for every index type, so a large index ranks as a small one does)."""
        return self.index.similarities(vectors)

    def _fused(self, texts: list[str], vectors: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """Ranking scores: classifier, BM25 and dense roll-up, each standardised per query, then weighted."""
        method = self.method
        dense = self.groups.rollup(sims, k=method.dense_k)
        parts = [(dense, method.dense), (self.lexical.scores_many(texts), method.lexical)]
        if self.classifier is not None:
            parts.append((self.classifier.scores(vectors), method.classifier))
        else:
            parts[0] = (dense, 1.0)
        return scoring.fuse(parts)

    def _calibrate(self) -> Calibration:
        """The off-topic rule, from data. With off-topic calibration inputs and exemplars: retrieval.topic.Rule,
        which adds a logistic detector's margin to the similarity roll-up's margin (threshold 0). Without them:
        the similarity roll-up alone and a fixed fallback threshold. The rule fitted for a saved index is kept
        beside it (retrieval.kept) and read back on later starts."""
        off = self.index.offtopic
        rows = self.index.rows("exemplar")
        if off.size == 0 or rows.size == 0 or self.index.vectors.shape[0] != len(self.index.items):
            return Calibration(scoring.FALLBACK_THRESHOLD, int(rows.size), int(len(off)))
        self.rule = kept.load(self.index, self.method)
        if self.rule is None:
            sims = self.index.vectors[rows] @ self.index.vectors.T
            sims[np.arange(rows.size), rows] = -1.0
            self.rule = topic.rule(self.index.vectors, off, self._best(sims), self._best(self._similarities(off)))
            kept.save(self.index, self.rule, self.method)
        return Calibration(0.0, len(self.index.items), int(len(off)), "combined")

    def _best(self, sims: np.ndarray) -> np.ndarray:
        """The similarity roll-up (mean of the two best items) of each query's best capability."""
        return self.groups.rollup(sims).max(axis=1)

    def confidence(self, vectors: np.ndarray, sims: np.ndarray | None = None) -> np.ndarray:
        """How much each text reads like a work situation, on the scale of `calibration.threshold`."""
        sims = self._similarities(vectors) if sims is None else sims
        if self.rule is not None:
            return self.rule.confidence(vectors, self._best(sims))
        return self._best(sims)

    def read(self, text: str) -> str:
        """A prepared text as the model and BM25 read it: a coach's account of a client in the client's own voice
        (retrieval.perspective), APS shorthand with the words it stands for beside it."""
        if self.method.client_voice:
            text = perspective.as_client(text)
        return self.evidence.glossary.plain(text, self.method.keep_terms) if self.method.glossary else text

    def pieces(self, text: str) -> list[str]:
        """The sentences of a prepared text that are also scored on their own ([] for a short text)."""
        parts = sentences(text)
        return parts if len(parts) >= self.method.split_from else []

    def search(self, text: str, top: int = 3, clusters: Iterable[str] | None = None,
               capabilities: Iterable[str] | None = None, indicators: int = 3) -> SearchResult:
        """Rank capabilities for a situation. Raises InputError for empty text."""
        return self.search_many([text], top, clusters, capabilities, indicators)[0]

    def search_many(self, texts: list[str], top: int = 3, clusters: Iterable[str] | None = None,
                    capabilities: Iterable[str] | None = None, indicators: int = 3) -> list[SearchResult]:
        """Rank capabilities for several situations: whole texts in one encoder call, their sentences in another."""
        prepared, pieces, flat, vectors, sims = self._read_all(texts)
        allowed = self._allowed(clusters, capabilities)
        fused = self._fused(flat, vectors, sims)
        confidence = self.confidence(vectors[: len(prepared)], sims[: len(prepared)])
        results = []
        for q, prep, rows in self._rows(prepared, pieces):
            scores = scoring.combine(fused[q], fused[rows[1:]]) if len(rows) > 1 else fused[q]
            shares = scoring.softmax(scores)
            off_topic = bool(confidence[q] < self.calibration.threshold)
            ranked = scoring.diversify(scores, self.kinship, self._diversity(prep.text))
            order = [c for c in ranked if allowed is None or c in allowed]
            item_sims = sims[rows].max(axis=0)
            stems = self.evidence.stems(prep.text)
            matches = tuple(self._match(c, shares[c], item_sims, stems, indicators) for c in order[: max(top, 0)])
            notices = []
            if prep.truncated:
                notices.append(f"Only the first {len(prep.text):,} characters of {prep.original_chars:,} were read.")
            if len(rows) > 1:
                notices.append(f"Read as a whole and sentence by sentence ({len(rows) - 1} sentences).")
            results.append(SearchResult(prep.text, off_topic, matches, float(confidence[q]),
                                        self.calibration.threshold, prep.truncated, tuple(notices)))
        return results

    def _read_all(self, texts: list[str]):
        """The texts prepared, read (retrieval.perspective, glossary) and split into sentences where long, with
        the vectors and item similarities of the whole texts (first rows) and then of their sentences."""
        prepared = [prepare(t, self.max_chars) for t in texts]
        read = [self.read(p.text) for p in prepared]
        pieces = [self.pieces(r) for r in read]
        flat = read + [piece for group in pieces for piece in group]
        vectors = self.encoder.encode(read)
        if len(flat) > len(prepared):
            vectors = np.vstack([vectors, self.encoder.encode(flat[len(prepared):])])
        return prepared, pieces, flat, vectors, self._similarities(vectors)

    def indicator_inputs(self, texts: list[str]) -> list[tuple[np.ndarray, set[str]]]:
        """What the indicator fit model reads for each text, as `search` gives it: the best similarity of each
        item to the whole text or one of its sentences, and the text's stems (for refitting the model)."""
        prepared, pieces, _, _, sims = self._read_all(texts)
        return [(sims[rows].max(axis=0), self.evidence.stems(prep.text))
                for _, prep, rows in self._rows(prepared, pieces)]

    @staticmethod
    def _rows(prepared: list, pieces: list[list[str]]):
        """For each text: its number, its prepared form, and its rows in `_read_all`'s vectors (the whole text,
        then its sentences)."""
        start = len(prepared)
        for q, (prep, group) in enumerate(zip(prepared, pieces, strict=True)):
            yield q, prep, [q, *range(start, start + len(group))]
            start += len(group)

    def _diversity(self, text: str) -> float:
        """The diversity weight for a text: the method's, for a text of several sentences; 0 otherwise."""
        return self.method.diversity if len(sentences(text)) >= self.method.diverse_from else 0.0

    def arrange(self, result: SearchResult, text: str) -> SearchResult:
        """A result (for example several messages combined) with its capabilities in the order the diversity
        rule gives for `text`; the scores are kept. A softmax share's logarithm is the fused score less a
        constant, so the rule weighs the same differences as in `search`."""
        weight = self._diversity(text)
        caps = result.capabilities
        if weight <= 0 or len(caps) < 2 or any(c.id not in self.cap_pos for c in caps):
            return result
        rows = [self.cap_pos[c.id] for c in caps]
        scores = np.log(np.maximum([c.score for c in caps], 1e-300))
        order = scoring.diversify(scores, self.kinship[np.ix_(rows, rows)], weight)
        return dataclasses.replace(result, capabilities=tuple(caps[n] for n in order))

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

    def _match(self, cap_index: int, score: float, sims: np.ndarray, stems: set[str],
               indicators: int) -> CapabilityMatch:
        """A capability with its indicators ordered by their probability of fitting (retrieval.evidence)."""
        cap = self.capabilities[cap_index]
        present = [ind for ind in cap.indicators if ind.id in self.indicator_rows]
        fit = self.evidence.probabilities([ind.id for ind in present], sims, stems)
        ranked = sorted((IndicatorMatch(ind.id, ind.text, float(p)) for ind, p in zip(present, fit, strict=True)),
                        key=lambda m: -m.score)
        cluster = self.framework.cluster(cap.cluster_id)
        return CapabilityMatch(cap.id, cap.name, cluster.id, cluster.name, cap.description, float(score),
                               tuple(ranked[: max(indicators, 0)] if indicators is not None else ranked))
