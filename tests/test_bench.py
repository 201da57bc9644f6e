"""The benchmark logic on small inputs: statistics, result shape, scale code, index choice. No timing asserts."""

from __future__ import annotations

import copy
import dataclasses
import json
import threading
import time

import faiss
import numpy as np
import pytest

import settings
from bench import concurrency, latency, load, report, scale, stats
from bench.__main__ import run
from bench.texts import situations
from index import store
from tests.conftest import DATA, ROOT


@pytest.mark.parametrize("q", [0, 5, 37.5, 50, 95, 99, 100])
def test_percentile_matches_numpy(q):
    values = np.random.default_rng(int(q)).exponential(size=57)
    assert stats.percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_median_and_summary():
    assert stats.median([3.0, 1.0, 2.0, 10.0]) == 2.5
    out = stats.summary([0.001, 0.002, 0.003, 0.004])
    assert out["p50_ms"] == 2.5 and out["n"] == 4 and out["mean_ms"] == 2.5
    assert out["p95_ms"] == pytest.approx(np.percentile([1, 2, 3, 4], 95), abs=0.01)
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1.0], 101)


def test_ratio():
    assert stats.ratio(3.0, 2.0) == 1.5
    assert stats.ratio(1.0, 0.0) is None


def test_situations_are_a_hundred_of_our_own():
    texts = situations()
    assert len(texts) == 100 and len(set(texts)) == 100
    assert all(len(t.split()) >= 8 for t in texts)
    labelled = {json.loads(line)["text"].strip().lower() for line in (DATA / "situations.jsonl").open()}
    exemplars = json.loads((ROOT / "corpus" / "data" / "exemplars.json").read_text())["exemplars"]
    authored = {t.strip().lower() for texts_ in exemplars.values() for t in texts_}
    assert not {t.lower() for t in texts} & (labelled | authored)


def test_tfidf_finds_the_matching_text():
    texts = ["budget savings and spending", "coaching staff to grow", "conflict between two teams"]
    search = latency.tfidf(texts)
    assert search("our teams are in conflict")[0] == 2
    assert search("we need savings in the budget")[0] == 0


def test_latency_measure_shape(tiny_retriever):
    texts = ["two managers keep arguing", "we are over budget", "my staff need feedback on their work"]
    out = latency.measure(tiny_retriever, texts, rounds=2, alternatives=False, warmup=1)
    assert out["query"]["n"] == out["encode"]["n"] == 6
    assert out["query_p95_ms"] >= out["query_p50_ms"] > 0
    assert out["overhead_ratio"] == stats.ratio(out["query_p50_ms"], out["encode_p50_ms"])
    assert out["query_best_of_rounds"]["n"] == 3
    assert out["query_best_of_rounds"]["p50_ms"] <= out["query"]["p95_ms"]
    assert out["query_cpu"]["n"] == out["query"]["n"] and out["encode_cpu"]["n"] == out["encode"]["n"]
    assert out["answer"]["n"] == out["answer_cpu"]["n"] == out["follow_up"]["n"] == 6
    assert out["answer_p50_ms"] == out["answer"]["p50_ms"] and out["answer_p95_ms"] >= out["answer_p50_ms"]


def test_best_of_rounds_takes_each_situations_fastest_time():
    rounds = [0.5, 0.2, 0.9, 0.4, 0.3, 0.1]
    assert latency.best_of(rounds, 3) == [0.4, 0.2, 0.1]
    assert latency.best_of(rounds, 6) == rounds


def test_synthetic_vectors_are_noisy_unit_copies():
    base = scale.random_unit(20, 64, seed=3)
    vectors = scale.synthetic(base, 500, sigma=0.05, seed=1)
    assert vectors.shape == (500, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    nearest = (vectors @ base.T).max(axis=1)
    expected = 1 / np.sqrt(1 + 64 * 0.05 ** 2)
    assert abs(float(nearest.mean()) - expected) < 0.05


def test_recall_at():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    assert scale.recall_at(truth, truth, k=4) == 1.0
    assert scale.recall_at(np.array([[4, 3, 9, 9], [0, 0, 0, 0]]), truth, k=4) == 0.25


def test_scale_rows_on_a_thousand_vectors():
    base = scale.random_unit(40, 384, seed=0)
    queries = scale.synthetic(base, 30, seed=9)
    rows = scale.measure(base, queries, [1_000], kinds_for={1_000: ("ivf", "hnsw")})
    assert [r["index_type"] for r in rows] == ["IndexFlatIP", "IndexIVFFlat", "IndexHNSWFlat"]
    assert all(r["vectors"] == 1_000 and r["queries"] == 30 for r in rows)
    assert rows[0]["recall_at_10"] == 1.0
    assert all(0.8 <= r["recall_at_10"] <= 1.0 for r in rows[1:])
    assert rows[0]["memory_mb"] == pytest.approx(1_000 * 384 * 4 / 1e6, rel=0.05)
    assert all(r["query_p95_ms"] >= r["query_p50_ms"] for r in rows)


def test_make_faiss_chooses_by_size(monkeypatch):
    vectors = scale.synthetic(scale.random_unit(30, 32, seed=1), 2_000, sigma=0.05)
    assert isinstance(store.make_faiss(vectors), faiss.IndexFlatIP)
    monkeypatch.setattr(store, "APPROXIMATE_FROM", 1_000)
    index = store.make_faiss(vectors)
    assert isinstance(index, faiss.IndexIVFFlat) and index.ntotal == 2_000
    assert index.nlist == int(np.sqrt(2_000)) and index.nprobe == store.PROBES == 32
    assert np.allclose(index.reconstruct_n(0, 5), vectors[:5])
    _, rows = index.search(vectors[:50], 1)
    assert np.mean(rows[:, 0] == np.arange(50)) >= 0.9
    assert isinstance(store.make_faiss(vectors[:999]), faiss.IndexFlatIP)
    assert isinstance(store.make_faiss(vectors[:100], kind="ivf"), faiss.IndexIVFFlat)
    with pytest.raises(ValueError):
        store.make_faiss(vectors, kind="lsh")


def test_hammer_counts_every_query_across_threads():
    seen, lock = [], threading.Lock()

    def search(text):
        with lock:
            seen.append(text)

    out = concurrency.hammer(search, ["a", "b", "c"], workers=4, queries=30)
    assert out["queries"] == 30 and len(seen) == 30 and out["threads"] == 4
    assert out["throughput_qps"] > 0 and out["p95_ms"] >= out["p50_ms"]


def test_hammer_reraises_errors():
    def search(_):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        concurrency.hammer(search, ["a"], workers=2, queries=4)


def test_targets_are_judged_from_the_values():
    result = {"query_p95_ms": 5.0, "overhead_ratio": 1.6, "answer_p50_ms": 24.0, "cold_start_s": 0.7, "rss_mb": 240.0,
              "scale": [{"vectors": 1_000_000, "index_type": "IndexIVFFlat", "query_p95_ms": 12.0,
                         "recall_at_10": 0.97},
                        {"vectors": 1_000_000, "index_type": "IndexFlatIP", "query_p95_ms": 140.0,
                         "recall_at_10": 1.0}],
              "concurrency": {"configs": [{"throughput_ratio_max_vs_1": 0.9}]},
              "load": {"levels": [
                  {"sessions": 20, "pause_max_s": 0.0, "answers_per_s": 8.4, "latency_p95_s": 4.0, "errors": 0,
                   "foreign_words": 0},
                  {"sessions": 40, "pause_max_s": 20.0, "answers_per_s": 2.0, "latency_p95_s": 1.6, "errors": 0,
                   "foreign_words": 1}]}}
    met = {t["target"]: t["met"] for t in report.targets(result)}
    assert met == {
        "query p95 (ms, warm)": True,
        "retrieval overhead (query p50 / encode p50)": False,
        "a chat answer, safety net, ranking and words, p50 (ms)": True,
        "cold start with a built index (s)": False,
        "CLI peak RSS, one query (MB)": True,
        "10^6 vectors: query p95 (ms)": True,
        "10^6 vectors: recall@10": True,
        "throughput 16 threads / 1 thread": False,
        "make serve, 20 sessions, no pause: answers/s": True,
        "make serve, 40 sessions, 0-20 s pauses: answer p95 (s)": False,
        "make serve: failed runs and words seen by another session": False,
    }
    assert all(t["met"] is None for t in report.targets({}))
    slow = {t["target"]: t["met"] for t in report.targets({**result, "answer_p50_ms": 25.5})}
    assert slow["a chat answer, safety net, ranking and words, p50 (ms)"] is False
    kinds = {t["target"]: t.get("index_type") for t in report.targets(result)}
    assert kinds["10^6 vectors: query p95 (ms)"] == kinds["10^6 vectors: recall@10"] == "IndexIVFFlat"
    assert kinds["query p95 (ms, warm)"] is None


def test_small_run_has_the_result_shape(tiny_retriever, tiny_exemplars, tiny_offtopic, tmp_path):
    config = dataclasses.replace(settings.get(), exemplars=tiny_exemplars, offtopic=tiny_offtopic,
                                 index_dir=tmp_path / "idx")
    size = {"alternatives": False, "rounds": 1, "build_runs": 1, "workers": (1, 3), "concurrency_queries": 12,
            "concurrency_configs": ((1, 2),), "sizes": [1_000], "kinds": {1_000: ("ivf",)}, "random": False}
    texts = ["two managers keep arguing", "we are over budget", "my staff need feedback"]
    result = run(("latency", "build", "concurrency", "scale"), quick=True, retriever=tiny_retriever, config=config,
                 size=size, texts=texts)
    assert result["errors"] == {}
    assert result["missing"] == ["cold_start_s", "rss_mb"]
    assert result["index_build"]["items"] == len(tiny_retriever.index.items)
    assert [r["index_type"] for r in result["scale"]] == ["IndexFlatIP", "IndexIVFFlat"]
    assert [r["threads"] for r in result["concurrency"]["configs"][0]["rows"]] == [1, 3]
    assert {"cores", "cpu", "versions", "load_average_at_start", "load_average_at_end"} <= set(result["machine"])
    json.dumps(result)
    table = report.table(result)
    assert f"{report._fmt(result['query_p50_ms'])} / {report._fmt(result['query_p95_ms'])}" in table
    assert "IndexIVFFlat" in table


def test_children_get_the_index_folder_and_the_tuned_model_cache(tmp_path, monkeypatch):
    from bench import cold

    monkeypatch.delenv("ILS_COACH_CACHE_DIR", raising=False)
    env = cold.environment(tmp_path / "index", tmp_path / "cache")
    assert env["ILS_COACH_INDEX_DIR"] == str(tmp_path / "index")
    assert env["ILS_COACH_CACHE_DIR"] == str(tmp_path / "cache")
    assert "ILS_COACH_CACHE_DIR" not in cold.environment(tmp_path / "index"), "the shared cache unless told"


def test_latency_times_the_torch_path_after_the_product_path(tiny_retriever, monkeypatch):
    other = copy.copy(tiny_retriever)
    texts = ["two managers keep arguing", "we are over budget"]
    calls = []
    search = tiny_retriever.search
    monkeypatch.setattr(tiny_retriever, "search", lambda text: calls.append(text) or search(text))
    made_after = []

    def make():
        made_after.append(len(calls))
        return other

    out = latency.measure(tiny_retriever, texts, rounds=2, alternatives=False, warmup=1, torch_retriever=make)
    assert made_after == [1 + 2 * len(texts)], "torch is made only once every timed query has run"
    assert out["torch"]["query"]["n"] == out["torch"]["encode"]["n"] == out["query"]["n"] == 4
    assert out["torch"]["query_best_of_rounds"]["n"] == 2
    assert out["torch"]["encoder"] == other.encoder.backend == "fake"
    again = latency.measure(tiny_retriever, texts, rounds=1, alternatives=False, warmup=0, torch_retriever=other)
    assert again["torch"]["query"]["n"] == 2, "a retriever given as it is"


def test_onnx_and_torch_paths_side_by_side():
    def timed(p50, p95):
        return {"p50_ms": p50, "p95_ms": p95}

    result = {"latency": {"query": timed(4.0, 5.5), "encode": timed(3.0, 4.5),
                          "torch": {"query": timed(11.0, 14.0), "encode": timed(10.0, 12.5)}},
              "cold": {"with_index": {"median_s": 0.55, "peak_rss_mb": 180.0},
                       "with_index_on_torch": {"median_s": 1.4, "peak_rss_mb": 340.0}}}
    side = report.paths(result)
    assert side["onnxruntime"] == {"cold_start_s": 0.55, "cli_peak_rss_mb": 180.0, "encode_p50_ms": 3.0,
                                   "encode_p95_ms": 4.5, "query_p50_ms": 4.0, "query_p95_ms": 5.5}
    assert side["torch"] == {"cold_start_s": 1.4, "cli_peak_rss_mb": 340.0, "encode_p50_ms": 10.0,
                             "encode_p95_ms": 12.5, "query_p50_ms": 11.0, "query_p95_ms": 14.0}
    lines = report.table(result).splitlines()
    row = {}
    for line in lines:  # the side-by-side table comes first; the figures table repeats one label below it
        row.setdefault(line.split("  ")[0], line)
    assert row["encode p50 / p95 (ms)"].split()[-6:] == ["3.000", "/", "4.500", "10.0", "/", "12.5"]
    assert row["query p50 / p95 (ms)"].split()[-6:] == ["4.000", "/", "5.500", "11.0", "/", "14.0"]
    assert row["CLI peak RSS, one query (MB)"].split()[-2:] == ["180.0", "340.0"]
    assert row["cold start to the first answer, index built (s, median)"].split()[-2:] == ["0.550", "1.400"]
    assert all(value is None for value in report.paths({})["torch"].values())


def test_session_tokens_are_found_whole_and_only_for_this_run():
    text = "one (ref Qab12cdS3T0) and (ref Qab12cdS31T2), not (ref Qffff00S3T0)"
    assert load.tokens("ab12cd", text) == {"Qab12cdS3", "Qab12cdS31"}
    assert load.tokens("ab12cd", "nothing here") == set()


def test_the_load_table_shows_each_level():
    row = {"sessions": 40, "pause_max_s": 20.0, "answers": 120, "answers_per_s": 2.5, "latency_p50_s": 0.4,
           "latency_p95_s": 1.2, "latency_max_s": 2.0, "errors": 0, "foreign_words": 0,
           "server_rss_mb": {"rss_mb": 812.5}, "load_average_before": [1.5, 1, 1], "load_average_after": [2.5, 1, 1]}
    text = report.table({"load": {"workers": 2, "turns_per_session": 3, "levels": [row]}})
    line = next(line for line in text.splitlines() if line.startswith("40"))
    assert line.split()[:4] == ["40", "0-20", "120", "2.500"] and "812.5" in line and "1.5 / 2.5" in line


class EchoTab:
    """A stand-in for bench.wsclient.Session: each chat run echoes the text, names a capability, and offers
    "New situation"; `leak` adds another session's words to one session's answers."""

    leak: dict[str, str] = {}

    def __init__(self, url, timeout=300.0, headers=None, resume=""):
        self.url = url

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None

    async def start(self):
        from bench.wsclient import Run

        return Run([{"markdown": {"body": "Tell me what is going on"}}], 0.01,
                   "FINISHED_SUCCESSFULLY")

    async def chat(self, text):
        from bench.wsclient import Run

        extra = next((words for own, words in self.leak.items() if own in text), "")
        return Run([{"text": {"body": text}}, {"markdown": {"body": f"Leading with influence {extra}"}},
                    {"button": {"label": "New situation", "id": "x"}}], 0.02,
                   "FINISHED_SUCCESSFULLY")

    async def click(self, label=None, key=None):
        return await self.start()


def test_the_load_level_counts_answers_and_reports_words_from_another_session(monkeypatch):
    import random

    from bench import wsclient

    monkeypatch.setattr(wsclient, "Session", EchoTab)
    texts = [f"situation {n}" for n in range(10)]
    row = load.level("http://127.0.0.1:1", 3, 0.0, texts, ["Leading with influence"], "ab12cd", random.Random(1),
                     first=0)
    assert (row["answers"], row["runs"], row["errors"], row["answers_naming_no_capability"]) == (9, 3 + 9 + 9, 0, 0)
    assert row["foreign_words"] == 0 and row["_leaks"] == {}
    monkeypatch.setattr(EchoTab, "leak", {"Qab12cdS1T": "(ref Qab12cdS2T0)"})
    row = load.level("http://127.0.0.1:1", 3, 0.0, texts, ["Leading with influence"], "ab12cd", random.Random(1),
                     first=0)
    assert row["foreign_words"] == 1 and row["_leaks"] == {1: ["Qab12cdS2"]}


def test_cpu_seconds_counts_this_process_working():
    before = stats.cpu_seconds()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    spent = stats.cpu_seconds() - before
    assert 0.2 <= spent <= 5.0, spent
