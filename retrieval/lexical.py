"""BM25 over short texts: the lexical baseline, and a lexical signal that needs no model."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from retrieval.text import tokens


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

    @classmethod
    def restore(cls, size: int, postings: dict[str, tuple[np.ndarray, np.ndarray]]) -> BM25:
        """A BM25 from postings saved earlier (retrieval.derived): term -> (documents, weights)."""
        made = cls.__new__(cls)
        made.size, made.postings = size, postings
        return made

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float64)
        for term in set(tokens(query)):
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out

    def scores_many(self, queries: list[str]) -> np.ndarray:
        return np.stack([self.scores(q) for q in queries]) if queries else np.zeros((0, self.size))
