"""Warm query latency: the Retriever end to end against encode-only, util.semantic_search and TF-IDF, the same
Retriever with its queries encoded on torch (sentence-transformers) instead of ONNX Runtime, and a whole chat answer.

Timed in two phases over the same situations, one situation at a time and the methods of a phase interleaved:
first the product's path (the Retriever and its encoder), before anything in this process has run on torch, then
torch and the alternatives. Torch's worker threads keep spinning for a while after each of its calls, so a query
timed just after one waits for a core that no query of the app or the CLI (which never load torch) waits for.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from bench.stats import ratio, summary


def tfidf(texts: list[str]) -> Callable[[str], np.ndarray]:
    """A TF-IDF search over the same item texts: returns the 10 best item rows for a query."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2))
    matrix = vectorizer.fit_transform(texts)

    def search(query: str) -> np.ndarray:
        scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
        best = np.argpartition(-scores, min(10, len(scores) - 1))[:10]
        return best[np.argsort(-scores[best])]

    return search


def hand_written(model_path: str, texts: list[str]):
    """What a user would write with sentence-transformers alone: encode, then util.semantic_search on a tensor.

    Returns (search, search_only): the full path from text, and semantic_search given a query vector.
    """
    import torch
    from sentence_transformers import SentenceTransformer, util
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = SentenceTransformer(model_path, device="cpu")
    corpus = model.encode(texts, convert_to_tensor=True, normalize_embeddings=True)

    def search(query: str) -> int:
        vector = model.encode(query, convert_to_tensor=True, normalize_embeddings=True)
        return util.semantic_search(vector, corpus, top_k=10)[0][0]["corpus_id"]

    def search_only(vector: np.ndarray) -> int:
        return util.semantic_search(torch.from_numpy(vector), corpus, top_k=10)[0][0]["corpus_id"]

    return search, search_only


def best_of(seconds: list[float], per_round: int) -> list[float]:
    """Each situation's fastest time over the rounds: the cost of the work itself with most of the waiting for
    a core (other processes) taken out. Reported beside, never instead of, the plain percentiles."""
    rounds = [seconds[start:start + per_round] for start in range(0, len(seconds), per_round)]
    return [min(times) for times in zip(*rounds, strict=True)]


def _top_capability(retriever, row: int) -> str:
    return retriever.index.items[int(row)].capability_id


def on_torch(retriever):
    """The same Retriever (index, fitted classifier and off-topic rule) with queries encoded by
    sentence-transformers on torch, as ILS_COACH_ENCODER=torch runs it."""
    import copy

    from index.embed import load

    other = copy.copy(retriever)
    other.encoder = load(str(retriever.encoder.path), threads=retriever.encoder.threads, library=True)
    return other


def _time(methods: dict[str, Callable[[str], object]], situations: list[str], rounds: int, warmup: int):
    """Wall-clock and processor seconds of each method on each situation, the methods interleaved."""
    for text in situations[:warmup]:
        for fn in methods.values():
            fn(text)
    seconds: dict[str, list[float]] = {name: [] for name in methods}
    cpu: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(rounds):
        for text in situations:
            for name, fn in methods.items():
                started, used = time.perf_counter(), time.process_time()
                fn(text)
                seconds[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - used)
    return seconds, cpu


def measure(retriever, situations: list[str], rounds: int = 1, alternatives: bool = True, warmup: int = 5,
            torch_retriever=None, guard=None) -> dict:
    """Query p50/p95 through Retriever.search, encode-only p50/p95, a chat answer's p50/p95 and, optionally, the
    alternatives and the torch path (`torch_retriever`, see on_torch: a retriever, or a function that makes one,
    called only once the product's path has been timed).

    The answer is what the app builds for a first message (conversation.answer.respond): the safety net (`guard`,
    the app's; patterns alone when None), the ranking and the cards with the words under each fitting indicator.
    The follow-up is each situation sent as the next message after the first one, with that situation's memory
    of vectors kept as the chat keeps it.

    `rounds` repeats the whole list; with alternatives=False only the Retriever and the encoder are timed
    (used by the tests with a fake encoder). Beside the wall-clock times, `query_cpu` and `encode_cpu` give the
    processor time of this process for each call (all its threads): the work itself, which waiting for a core
    that another process holds does not inflate.
    """
    from conversation.answer import Memory, respond
    from safety.guard import Guard

    items = [item.text for item in retriever.index.items]
    guard = guard if guard is not None else Guard()
    opening, memory = situations[0], Memory()
    respond(retriever, (opening,), guard, memory)
    ours: dict[str, Callable[[str], object]] = {
        "query": lambda text: retriever.search(text),
        "encode": lambda text: retriever.encoder.encode([text]),
        "answer": lambda text: respond(retriever, (text,), guard),
        "follow_up": lambda text: respond(retriever, (opening, text), guard, memory),
    }
    seconds, cpu = _time(ours, situations, rounds, warmup)
    others: dict[str, Callable[[str], object]] = {}
    if callable(torch_retriever):
        torch_retriever = torch_retriever()
    if torch_retriever is not None:
        others["query_torch"] = lambda text: torch_retriever.search(text)
        others["encode_torch"] = lambda text: torch_retriever.encoder.encode([text])
    agree: dict[str, list[bool]] = {}
    if alternatives:
        search, search_only = hand_written(str(retriever.encoder.path), items)
        lexical = tfidf(items)
        others["semantic_search"] = search
        others["tfidf"] = lexical
        vectors = {text: retriever.encoder.encode([text]) for text in situations}
        others["semantic_search_only"] = lambda text: search_only(vectors[text])
        tops = {text: retriever.search(text).top for text in situations}
        agree = {
            "semantic_search": [tops[t] is not None and _top_capability(retriever, search(t)) == tops[t].id
                                for t in situations],
            "tfidf": [tops[t] is not None and _top_capability(retriever, lexical(t)[0]) == tops[t].id
                      for t in situations],
        }
    if others:
        more_seconds, more_cpu = _time(others, situations, rounds, warmup)
        seconds.update(more_seconds)
        cpu.update(more_cpu)
    stats = {name: summary(values) for name, values in seconds.items()}
    query, encode = stats["query"], stats["encode"]
    out = {
        "situations": len(situations),
        "rounds": rounds,
        "query": query,
        "encode": encode,
        "answer": stats["answer"],
        "answer_cpu": summary(cpu["answer"]),
        "follow_up": stats["follow_up"],
        "query_best_of_rounds": summary(best_of(seconds["query"], len(situations))),
        "encode_best_of_rounds": summary(best_of(seconds["encode"], len(situations))),
        "query_cpu": summary(cpu["query"]),
        "encode_cpu": summary(cpu["encode"]),
        "query_p50_ms": query["p50_ms"],
        "query_p95_ms": query["p95_ms"],
        "encode_p50_ms": encode["p50_ms"],
        "encode_p95_ms": encode["p95_ms"],
        "overhead_ratio": ratio(query["p50_ms"], encode["p50_ms"]),
        "answer_p50_ms": stats["answer"]["p50_ms"],
        "answer_p95_ms": stats["answer"]["p95_ms"],
    }
    if torch_retriever is not None:
        out["torch"] = {"query": stats["query_torch"], "encode": stats["encode_torch"],
                        "query_best_of_rounds": summary(best_of(seconds["query_torch"], len(situations))),
                        "encoder": getattr(torch_retriever.encoder, "backend", type(torch_retriever.encoder).__name__)}
    if alternatives:
        out["alternatives"] = {
            name: {**stats[name], "query_p50_ratio": ratio(query["p50_ms"], stats[name]["p50_ms"]),
                   **({"top1_agrees_with_retriever": round(float(np.mean(agree[name])), 3)} if name in agree else {})}
            for name in ("semantic_search", "semantic_search_only", "tfidf")
        }
        out["search_only_ms"] = {
            "retriever_minus_encode_p50": round(query["p50_ms"] - encode["p50_ms"], 2),
            "semantic_search_p50": stats["semantic_search_only"]["p50_ms"],
        }
    return out
