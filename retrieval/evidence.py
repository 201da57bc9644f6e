"""Which indicators of a capability fit a situation, how sure that is, and the person's words that carry each link.

Each indicator is known by three things: its own wording, the example situations written for it, and the words
that those texts (and its capability's exemplars) use more than the rest of the framework does (its lexicon).
An indicator's fit for a situation adds its similarity to the situation, the mean of its two closest examples
and the situation's words found in its lexicon, through a logistic model whose weights were chosen on the dev
split of tests/data/indicators.jsonl. The same lexicon, read over the same sentences, gives the explanation:
the words and short phrases of the person's text that count most for that indicator, or none.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.model import Framework
from retrieval.text import CLAUSE_MARK, CONNECTIVES, content_words, fold, key, sentences, stem, without_asides, words

EXAMPLE_WEIGHT = 0.5
OLDER = 0.8
OWN_TEXT = 1.0
NOT_A_REASON = frozenset("""
day days week weeks weekly month months monthly year years yearly today tomorrow yesterday tonight morning
afternoon evening night monday tuesday wednesday thursday friday saturday sunday weekend time times hour hours
minute minutes soon recently lately ago last next first second third ten two three four five six seven eight
nine twenty hundred thousand million billion half per cent percent cob eod
said say says told tell tells asked ask asks come came comes take took takes taken go goes went gone put puts
look looks looking trying try tried doing done getting give gives gave given see saw seen use used using work
working worked works start started starting new old big small good bad great little long lot right
""".split())
# Chat shorthand that neither begins nor ends a reason ("tbh its a fair cop", "yr IT project lol"); unlike the words
# above, it still counts towards an indicator's lexicon, so the rules for naming reasons do not change which fit.
NOT_AN_EDGE = frozenset("asap yr yrs tbh lol imo imho idk btw fyi ngl omg haha fwiw".split())
TITLES = frozenset("""
assistant secretary deputy director directors manager managers officer officers executive head heads chief
el1 el2 el1s el2s aps aps6 ses fas as boss colleague colleagues staff staffer person people team teams
sec cfo cio coo ceo cos dlo mo adviser advisers advisor advisors
""".split())


@dataclass(frozen=True)
class Model:
    """The fit model. An indicator's score is dense * similarity + examples * example similarity + lexical *
    log(1 + lexicon score); P(fit) = logistic(bias + scale * score + lead * (score - best score among the
    capability's indicators)). `threshold` is the P(fit) an indicator needs to be shown as fitting.

    A phrase's strength for an indicator is logistic(word_bias + word_cosine * its similarity to the indicator
    + word_lexical * its best word's lexicon weight + word_length * its number of words); it is named when the
    strength reaches `word_floor` (the words shown under an indicator, phrases of up to `phrase_words` words) or
    `reflect_floor` (the words of a coaching reply reflected back, up to `reflect_phrase_words` words, which must
    also carry the link on their own: coaching.dialogue.carries). Every number was fitted or chosen on the dev
    split of tests/data/indicators.jsonl (see README, Retrieval quality; `python -m retrieval.fit` refits the fit
    model and its cut); the fit model saw the labelled capabilities' indicators and, as not fitting, those of the
    other capabilities on the first three cards."""

    dense: float = 1.0
    examples: float = 1.5
    lexical: float = 1.0
    bias: float = -7.217
    scale: float = 4.069
    lead: float = 1.642
    threshold: float = 0.3
    word_bias: float = -2.062
    word_cosine: float = 4.083
    word_lexical: float = 3.681
    word_length: float = 0.153
    word_floor: float = 0.80
    reflect_floor: float = 0.65
    max_words: int = 2
    phrase_words: int = 5
    reflect_phrase_words: int = 3
    max_phrases: int = 120


class Glossary:
    """APS shorthand ("MO", "Dep Sec", "MYEFO"): each term and the plain words it stands for. Terms marked
    case-sensitive ("AS", "MO") match only as written; the others in any case. A term matches whole words."""

    def __init__(self, terms: dict[str, str], exact: frozenset[str] = frozenset()):
        self.terms = dict(terms)
        self.exact = frozenset(exact)
        self._folded = {fold(t): e for t, e in self.terms.items() if t not in self.exact}
        patterns = [(re.escape(t), t in self.exact) for t in sorted(self.terms, key=len, reverse=True)]
        self._pattern = re.compile(r"(?<![\w&])(?:" + "|".join(
            p if exact else f"(?i:{p})" for p, exact in patterns) + r")(?![\w&])") if patterns else None

    def expand(self, term: str) -> str:
        """The plain words behind a term ('' when it is not one)."""
        if term in self.exact:
            return self.terms[term]
        return self._folded.get(fold(term), "")

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, expansion) for each term in a text, longest terms first, left to right."""
        if self._pattern is None:
            return []
        found = ((m.start(), m.end(), self.expand(m.group())) for m in self._pattern.finditer(text))
        return [span for span in found if span[2]]

    def plain(self, text: str, keep: bool = False) -> str:
        """The text with each term replaced by the words it stands for, or with `keep`, followed by them in
        brackets ("the MO (Minister's office)")."""
        out, last = [], 0
        for start, end, expansion in self.spans(text):
            out += [text[last:start], f"{text[start:end]} ({expansion})" if keep else expansion]
            last = end
        return "".join([*out, text[last:]])


def load_glossary(path: Path | None) -> Glossary:
    """The glossary file (format ils-coach-glossary/1); an empty glossary when there is none."""
    if path is None or not Path(path).exists():
        return Glossary({})
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))["terms"]
        terms, exact = {}, set()
        for row in rows:
            term, expansion = str(row["term"]).strip(), str(row["expansion"]).strip()
            if row.get("case_sensitive"):
                exact.add(term)
                terms[term] = expansion
            else:
                terms[fold(term)] = expansion
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{path}: not a glossary ({err})") from None
    return Glossary(terms, frozenset(exact))


class Lexicon:
    """For each indicator, a weight for each word stem: how much more its texts use the stem than the
    framework as a whole does (an inverse document frequency over capabilities, times the share of the
    indicator's texts, and half the share of its capability's exemplars, that use it)."""

    def __init__(self, framework: Framework, items: list):
        by_indicator: dict[str, list[str]] = defaultdict(list)
        by_capability: dict[str, list[str]] = defaultdict(list)
        for item in items:
            if item.kind == "indicator-example":
                by_indicator[item.id.split("#", 1)[0]].append(item.text)
            elif item.kind == "exemplar":
                by_capability[item.capability_id].append(item.text)
        documents: dict[str, set[str]] = defaultdict(set)
        for cap in framework.capabilities:
            texts = [cap.name, cap.description, *(i.text for i in cap.indicators), *by_capability[cap.id]]
            texts += [t for ind in cap.indicators for t in by_indicator[ind.id]]
            for text in texts:
                documents[cap.id].update(_stems(text))
        n = max(len(documents), 1)
        frequency = Counter(s for stems in documents.values() for s in stems)
        idf = {s: math.log((n + 1) / (df + 0.5)) for s, df in frequency.items()}
        self.weights: dict[str, dict[str, float]] = {}
        for cap in framework.capabilities:
            shared = _shares(by_capability[cap.id])
            for ind in cap.indicators:
                own = Counter({s: OWN_TEXT for s in _stems(ind.text)})
                for text in by_indicator[ind.id]:
                    own.update(_stems(text))
                total = OWN_TEXT + len(by_indicator[ind.id])
                stems = set(own) | set(shared)
                self.weights[ind.id] = {
                    s: idf.get(s, 0.0) * (own.get(s, 0.0) / total + EXAMPLE_WEIGHT * shared.get(s, 0.0))
                    for s in stems if idf.get(s, 0.0) > 0
                }

    @classmethod
    def restore(cls, weights: dict[str, dict[str, float]]) -> Lexicon:
        """A lexicon from weights saved earlier (retrieval.derived)."""
        made = cls.__new__(cls)
        made.weights = weights
        return made

    def score(self, indicator_id: str, stems: set[str]) -> float:
        table = self.weights.get(indicator_id, {})
        return float(sum(table.get(s, 0.0) for s in stems))


def _stems(text: str) -> set[str]:
    return {stem(w) for _, _, w in content_words(text)}


def _shares(texts: list[str]) -> dict[str, float]:
    counts = Counter(s for text in texts for s in _stems(text))
    return {s: c / len(texts) for s, c in counts.items()} if texts else {}


@dataclass(frozen=True)
class Phrase:
    """A span of the person's text (one to `Model.phrase_words` words) that may be named as a reason."""

    text: str
    start: int
    end: int
    source: int
    encoded: str


class Evidence:
    """Indicator fit and explanations for one framework and index (see the module docstring)."""

    def __init__(self, framework: Framework, index, glossary: Glossary | None = None, model: Model | None = None,
                 lexicon: Lexicon | None = None):
        self.framework = framework
        self.model = model or Model()
        self.glossary = glossary or Glossary({})
        self.lexicon = lexicon if lexicon is not None else Lexicon(framework, index.items)
        self.vectors = index.vectors
        self.texts = {ind.id: ind.text for ind in framework.indicators}
        rows = {item.id: row for row, item in enumerate(index.items)}
        self.indicator_row = {ind.id: rows[ind.id] for ind in framework.indicators if ind.id in rows}
        examples: dict[str, list[int]] = defaultdict(list)
        for row, item in enumerate(index.items):
            if item.kind == "indicator-example":
                examples[item.id.split("#", 1)[0]].append(row)
        self.example_rows = {k: np.array(v, dtype=np.int64) for k, v in examples.items()}
        self._tables: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def stems(self, text: str) -> set[str]:
        """The stems a text brings to the lexicon: its content words, with APS shorthand read as the words
        it stands for."""
        return {stem(w) for _, _, w in words(self.glossary.plain(without_asides(text))) if _content(w)}

    def features(self, indicator_id: str, sims: np.ndarray, stems: set[str]) -> tuple[float, float, float]:
        """(similarity to the indicator, mean similarity of its two closest examples, log(1 + lexicon score))."""
        row = self.indicator_row.get(indicator_id)
        dense = float(sims[row]) if row is not None else 0.0
        ex = self.example_rows.get(indicator_id)
        if ex is not None and ex.size:
            examples = float(np.sort(sims[ex])[-2:].mean())
        else:
            examples = dense
        return dense, examples, math.log1p(self.lexicon.score(indicator_id, stems))

    def probabilities(self, indicator_ids: list[str], sims: np.ndarray, stems: set[str]) -> np.ndarray:
        """P(fit) for the indicators of one capability (in the order given): `features` for each, computed for
        all of them at once."""
        m = self.model
        if not indicator_ids:
            return np.zeros(0)
        rows, examples, counts = self._columns(tuple(indicator_ids), sims.shape[0])
        padded = np.append(sims, np.array([-np.inf], dtype=sims.dtype))
        dense = np.where(rows < sims.shape[0], padded[rows], 0.0).astype(np.float64)
        best = np.sort(padded[examples], axis=1)[:, -2:]
        pair = ((best[:, 0] + best[:, 1]) / sims.dtype.type(2)).astype(np.float64)
        near = np.where(counts >= 2, pair, np.where(counts == 1, best[:, 1].astype(np.float64), dense))
        lexical = np.array([math.log1p(self.lexicon.score(i, stems)) for i in indicator_ids], dtype=np.float64)
        raw = m.dense * dense + m.examples * near + m.lexical * lexical
        logit = m.bias + m.scale * raw + m.lead * (raw - raw.max())
        return 1 / (1 + np.exp(-logit))

    def _columns(self, indicator_ids: tuple[str, ...], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For some indicators: each one's item row, its examples' rows (a table padded with `size`, the row past
        the end) and how many examples it has; kept for each list of indicators asked about."""
        found = self._tables.get((indicator_ids, size))
        if found is None:
            rows = np.array([self.indicator_row.get(i, size) for i in indicator_ids], dtype=np.int64)
            lists = [self.example_rows.get(i, np.zeros(0, dtype=np.int64)) for i in indicator_ids]
            counts = np.array([len(rows_of) for rows_of in lists], dtype=np.int64)
            table = np.full((len(lists), max(2, int(counts.max()))), size, dtype=np.int64)
            for n, rows_of in enumerate(lists):
                table[n, : rows_of.size] = rows_of
            found = self._tables[(indicator_ids, size)] = (rows, table, counts)
        return found

    def fits(self, probability: float) -> bool:
        return probability >= self.model.threshold

    def phrases(self, text: str, source: int = 0, size: int | None = None) -> list[Phrase]:
        """Candidate reasons in a text: runs of one to `size` words (the model's `phrase_words` when None) that
        begin and end with a word that can be a reason, inside one part of one sentence (no punctuation, quote mark
        at a word's edge, spaced dash or joining word: text.CLAUSE_MARK, text.CONNECTIVES) and without a hedge
        (text.ASIDE), from the sentences the ranking reads."""
        size = self.model.phrase_words if size is None else size
        out: list[Phrase] = []
        offset = 0
        for sentence in sentences(text) or [text]:
            start = max(text.find(sentence, offset), 0)
            offset = start + len(sentence)
            kept = without_asides(sentence)
            found = words(kept)
            for i, (s, _, first) in enumerate(found):
                if not self._usable(first):
                    continue
                for j in range(i, min(i + size, len(found))):
                    e = found[j][1]
                    joins = key(found[j][2]) in CONNECTIVES
                    if joins or CLAUSE_MARK.search(sentence[s:e]) or kept[s:e] != sentence[s:e]:
                        break
                    if self._usable(found[j][2]):
                        span = sentence[s:e]
                        out.append(Phrase(span, start + s, start + e, source, self._plain(span)))
        return out[: self.model.max_phrases]

    def why(self, encoder, texts: tuple[str, ...] | list[str], indicator_ids: list[str],
            reflect: bool = False) -> dict[str, tuple[str, ...]]:
        """For each indicator, the person's phrases that carry its link (at most `max_words`, strongest first),
        or none when no phrase reaches the calibrated floor: `word_floor` for the words shown under an indicator,
        `reflect_floor` (and shorter phrases) for a coaching reply reflected back (`reflect`). `texts` are one
        situation's messages, oldest first; a phrase of an older message counts OLDER times as much as one of the
        message after it. One encoder call for all the indicators."""
        texts = list(texts)
        m = self.model
        floor, longest = (m.reflect_floor, m.reflect_phrase_words) if reflect else (m.word_floor, m.phrase_words)
        candidates = [p for n, text in enumerate(texts) for p in self.phrases(text, n, longest)]
        wanted = [i for i in indicator_ids if i in self.indicator_row]
        out: dict[str, tuple[str, ...]] = {i: () for i in indicator_ids}
        if not candidates or not wanted:
            return out
        unique = list(dict.fromkeys(p.encoded for p in candidates))
        vecs = encoder.encode(unique)
        position = {text: n for n, text in enumerate(unique)}
        cand = vecs[[position[p.encoded] for p in candidates]]
        targets = self.vectors[[self.indicator_row[i] for i in wanted]]
        cosine = cand @ targets.T
        newest = len(texts) - 1
        decay = np.array([OLDER ** (newest - p.source) for p in candidates])
        size = np.array([len(p.text.split()) for p in candidates])
        for t, ind in enumerate(wanted):
            table = self.lexicon.weights.get(ind, {})
            own = _stems(self.texts[ind])
            lexical = np.array([max((self._weight(w, table, own) for _, _, w in words(p.text)), default=0.0)
                                for p in candidates])
            allowed = np.array([self._audience_ok(p.text, own) for p in candidates])
            logit = m.word_bias + m.word_cosine * cosine[:, t] + m.word_lexical * lexical + m.word_length * size
            strength = np.where(allowed, decay / (1 + np.exp(-logit)), 0.0)
            chosen: list[Phrase] = []
            for k in np.argsort(-strength, kind="stable"):
                if strength[k] < floor or len(chosen) >= m.max_words:
                    break
                p = candidates[k]
                if any(p.source == q.source and p.start < q.end and q.start < p.end for q in chosen):
                    continue
                if any(p.text.lower() == q.text.lower() for q in chosen):
                    continue
                chosen.append(p)
            out[ind] = tuple(p.text for p in chosen)
        return out

    def _audience_ok(self, phrase: str, own: set[str]) -> bool:
        """A phrase that begins or ends with a job title is a reason only where the indicator's own wording
        names that audience (for shorthand, "CoS" or "MO", a word of what it stands for will do)."""
        found = words(phrase)
        edges = {found[0][2], found[-1][2]} if found else set()
        return not any((key(w) in TITLES or stem(w) in _TITLE_STEMS) and not self._named(w, own) for w in edges)

    def _named(self, word: str, own: set[str]) -> bool:
        return stem(word) in own or bool(_stems(self.glossary.expand(word)) & own)

    def _usable(self, word: str) -> bool:
        """A word that can begin or end a reason: a content word, or APS shorthand that is not a time word
        ("COB"), and never chat shorthand (NOT_AN_EDGE)."""
        if key(word) in NOT_AN_EDGE:
            return False
        return _content(word) or (bool(self.glossary.expand(word)) and key(word) not in NOT_A_REASON)

    def _plain(self, span: str) -> str:
        """A phrase as the model reads it: shorthand replaced by the words it stands for."""
        return self.glossary.plain(span)

    def _weight(self, word: str, table: dict[str, float], own: set[str]) -> float:
        expansion = self.glossary.expand(word)
        if expansion:
            return max((table.get(s, 0.0) for s in _stems(expansion)), default=0.0)
        if not _content(word):
            return 0.0
        s = stem(word)
        if (key(word) in TITLES or s in _TITLE_STEMS) and s not in own:
            return 0.0
        return table.get(s, 0.0)


@lru_cache(maxsize=65536)
def _content(word: str) -> bool:
    k = key(word)
    return bool(content_words(word)) and k not in NOT_A_REASON and stem(word) not in _NOT_A_REASON_STEMS


_NOT_A_REASON_STEMS = frozenset(stem(w) for w in NOT_A_REASON)
_TITLE_STEMS = frozenset(stem(w) for w in TITLES)
