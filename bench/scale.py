"""Scale: exact IndexFlatIP against approximate indexes (HNSW, IVF) on synthetic sets of 10^3 to 10^6 vectors.

The synthetic vectors are noisy copies of real embeddings: each is one of the corpus's own item embeddings
(indicators, descriptions, exemplars) plus Gaussian noise, normalised to unit length. With SIGMA = 0.06 per
dimension a copy keeps a cosine of about 0.65 with its source, so the set keeps the clustered shape of text
embeddings without being a pile of near-duplicates. Queries are the real embeddings of the benchmark situations.
Uniform random unit vectors are the other option the issue allows; in 384 dimensions they have no neighbourhood
structure at all (every pair has a cosine near 0), so no approximate index reaches a useful recall on them and
they say little about text; `random_rows()` measures that case once, at 10^5.

HNSW is measured up to 10^5 only: building it for 10^6 vectors took about 16 minutes on this machine (and gave a
recall@10 of 0.47 to 0.77 for efSearch 64 to 512), which does not fit a benchmark run of a few minutes.
"""

from __future__ import annotations

import os
import time

import faiss
import numpy as np

from bench.stats import percentile, rss_mb

SIGMA = 0.06
CHUNK = 100_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256


def synthetic(base: np.ndarray, n: int, sigma: float = SIGMA, seed: int = 0) -> np.ndarray:
    """n unit vectors, each a random row of `base` plus N(0, sigma^2) noise per dimension."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, CHUNK):
        rows = min(CHUNK, n - start)
        block = base[rng.integers(0, len(base), rows)] + rng.normal(0, sigma, (rows, base.shape[1])).astype(np.float32)
        out[start:start + rows] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def random_unit(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = rng.standard_normal((n, dim), dtype=np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    """Mean share of the exact top-k that the approximate top-k also returned."""
    hits = [len(set(f[:k].tolist()) & set(t[:k].tolist())) / k for f, t in zip(found, truth, strict=True)]
    return float(np.mean(hits))


def build(kind: str, vectors: np.ndarray) -> tuple[faiss.Index, float]:
    """The index with every vector added, and the seconds it took (IVF training included). Builds use every
    core; queries are then timed with the caller's FAISS threads (1 in the app and in `python -m bench`).

    "flat" and "ivf" are built by the app's own index.store.make_faiss; "hnsw" only exists here, for comparison.
    """
    from index.store import make_faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    started = time.perf_counter()
    try:
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
            index.add(vectors)
        else:
            index = make_faiss(vectors, kind)
        return index, time.perf_counter() - started
    finally:
        faiss.omp_set_num_threads(before)


def single_queries(index: faiss.Index, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, list[float]]:
    """Search one query at a time, as the app does: the rows found and the seconds per query."""
    found, seconds = [], []
    for q in range(len(queries)):
        started = time.perf_counter()
        _, rows = index.search(queries[q:q + 1], k)
        seconds.append(time.perf_counter() - started)
        found.append(rows[0])
    return np.array(found), seconds


def index_mb(index: faiss.Index) -> float:
    """Size of the index's data structures (its serialised size), in MB."""
    return round(faiss.serialize_index(index).nbytes / 1e6, 1)


def row(n: int, kind: str, index: faiss.Index, build_s: float, seconds: list[float], recall: float,
        rss_growth: float, data: str) -> dict:
    params = {}
    if kind == "hnsw":
        params = {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION, "efSearch": index.hnsw.efSearch}
    elif kind == "ivf":
        params = {"nlist": index.nlist, "nprobe": index.nprobe}
    return {
        "vectors": n,
        "index_type": type(index).__name__,
        "params": params,
        "data": data,
        "build_s": round(build_s, 2),
        "query_p50_ms": round(percentile(seconds, 50) * 1000, 3),
        "query_p95_ms": round(percentile(seconds, 95) * 1000, 3),
        "queries": len(seconds),
        "recall_at_10": round(recall, 4),
        "memory_mb": index_mb(index),
        "rss_growth_mb": round(rss_growth, 1),
    }


def measure_size(vectors: np.ndarray, queries: np.ndarray, kinds: tuple[str, ...], data: str,
                 exact_queries: int | None = None) -> list[dict]:
    """One row per index kind for one vector set. Ground truth is the exact index's batch answer.

    exact_queries limits how many single queries time the exact index (it is slow at 10^6)."""
    rows = []
    before = rss_mb()["rss_mb"]
    flat, flat_s = build("flat", vectors)
    _, truth = flat.search(queries, 10)
    timed = queries if exact_queries is None else queries[:exact_queries]
    _, seconds = single_queries(flat, timed)
    rows.append(row(len(vectors), "flat", flat, flat_s, seconds, 1.0, rss_mb()["rss_mb"] - before, data))
    del flat
    for kind in kinds:
        before = rss_mb()["rss_mb"]
        index, build_s = build(kind, vectors)
        found, seconds = single_queries(index, queries)
        rows.append(row(len(vectors), kind, index, build_s, seconds, recall_at(found, truth),
                        rss_mb()["rss_mb"] - before, data))
        del index
    return rows


def measure(base: np.ndarray, queries: np.ndarray, sizes: list[int],
            kinds_for: dict[int, tuple[str, ...]] | None = None, exact_queries_from: int = 500_000,
            exact_queries: int = 30, sigma: float = SIGMA) -> list[dict]:
    """Rows for every size: exact plus the approximate kinds chosen for that size (default HNSW and IVF)."""
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    out = []
    for n in sizes:
        vectors = synthetic(base, n, sigma)
        kinds = (kinds_for or {}).get(n, ("hnsw", "ivf"))
        out += measure_size(vectors, queries, kinds, f"noisy copies, sigma {sigma}",
                            exact_queries if n >= exact_queries_from else None)
        del vectors
    return out


def random_rows(queries: np.ndarray, n: int, kinds: tuple[str, ...] = ("hnsw", "ivf")) -> list[dict]:
    """The worst case: uniform random unit vectors (the queries are random too)."""
    vectors = random_unit(n, queries.shape[1], seed=1)
    return measure_size(vectors, random_unit(len(queries), queries.shape[1], seed=2), kinds, "random unit vectors")
