"""BM25 over short texts: the lexical baseline, and a lexical signal that needs no model."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP = frozenset(
    "a about after all also am an and any are as at be been being but by can could did do does doing don't for "
    "from get got had has have having he her here him his how i i'd i'm i've if in into is it it's its just me "
    "more most my no not now of off on one only or other our out over own so some still such than that that's "
    "the their them then there these they this those through to too up very was we we're we've were what when "
    "where which while who why will with would you your".split()
)
SUFFIXES = ("ingly", "ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def stem(word: str) -> str:
    """A light suffix strip so that 'negotiating', 'negotiated' and 'negotiation' meet; not a full stemmer."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Lower-case word stems without stop words."""
    return [stem(w) for w in WORD.findall(text.lower().replace("\u2019", "'")) if w not in STOP]


class BM25:
    """Okapi BM25 (k1, b) over a fixed list of documents; `scores(query)` gives one score per document."""

    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75):
        self.size = len(documents)
        bags = [Counter(tokens(doc)) for doc in documents]
        lengths = np.array([sum(bag.values()) for bag in bags], dtype=np.float64)
        average = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * lengths / average)
        frequency = Counter(term for bag in bags for term in bag)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, df in frequency.items():
            idf = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
            docs = np.array([d for d, bag in enumerate(bags) if term in bag], dtype=np.int64)
            tf = np.array([bags[d][term] for d in docs], dtype=np.float64)
            self.postings[term] = (docs, idf * tf * (k1 + 1) / (tf + norm[docs]))

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float64)
        for term in set(tokens(query)):
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out

    def scores_many(self, queries: list[str]) -> np.ndarray:
        return np.stack([self.scores(q) for q in queries]) if queries else np.zeros((0, self.size))
