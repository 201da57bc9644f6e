"""Run the benchmarks: `python -m bench [--quick] [--only SECTION ...] [--out FILE]`.

Writes bench/results/latest.json (bench/results/quick.json with --quick) and prints a table. Sections:
latency, build, cold, concurrency, scale, server, load. Each is timed on this machine as it is, so the load from
other processes is recorded alongside (machine.load_average_at_start / load_average_at_end).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

import coach

coach.environment()

from bench import report  # noqa: E402
from bench.stats import ROOT, load_average, machine  # noqa: E402
from bench.texts import situations  # noqa: E402

SECTIONS = ("latency", "build", "cold", "concurrency", "scale", "server", "load")
RESULTS = ROOT / "bench" / "results"


def plan(quick: bool) -> dict:
    """How much of each measurement to do: the full run takes about five minutes, --quick about two and a half."""
    full = {"alternatives": True, "rounds": 3, "build_runs": 3, "cold_runs": 5, "cold_build_runs": 5,
            "phase_runs": 3, "import_runs": 1, "st_runs": 3, "tune_runs": 1, "second_folder_runs": 1,
            "workers": (1, 4, 16),
            "concurrency_queries": 200,
            "concurrency_configs": ((1, 2), (2, 1), (1, 1)), "sizes": [1_000, 10_000, 100_000, 1_000_000],
            "kinds": {1_000_000: ("ivf",)}, "random": True, "sessions": 20,
            "load_levels": ((1, 0.0), (10, 0.0), (20, 0.0), (40, 20.0))}
    if not quick:
        return full
    return {**full, "rounds": 1, "build_runs": 1, "cold_runs": 3, "cold_build_runs": 2, "phase_runs": 1,
            "tune_runs": 0,
            "import_runs": 1, "concurrency_queries": 100, "concurrency_configs": ((1, 2), (2, 1)),
            "sizes": [1_000, 10_000, 100_000], "kinds": {n: ("ivf",) for n in (1_000, 10_000, 100_000)},
            "random": False, "sessions": 10}


def run(sections: tuple[str, ...], quick: bool, retriever=None, config=None, size: dict | None = None,
        texts: list[str] | None = None) -> dict:
    """Measure the chosen sections and return the result (the tests pass a small retriever, settings and plan)."""
    import faiss

    import settings

    size = {**plan(quick), **(size or {})}
    started = time.perf_counter()
    result: dict = {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "mode": "quick" if quick else "full",
                    "machine": machine(), "errors": {}}
    config = config or settings.get()
    texts = texts or situations()
    guard = None
    if retriever is None:
        loaded = coach.load_coach(config, background=False)
        retriever, guard = loaded.retriever, loaded.guard
    faiss.omp_set_num_threads(1)  # as index.embed.limit_faiss sets it in the app (a fake encoder does not)
    result["corpus"] = {"items": len(retriever.index.items), "index_type": type(retriever.index.faiss).__name__,
                        "encoder": getattr(retriever.encoder, "backend", type(retriever.encoder).__name__),
                        "situations": len(texts)}

    def section(name: str, fn) -> None:
        if name not in sections:
            return
        print(f"bench: {name} …", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            fn()
        except Exception as err:
            result["errors"][name] = f"{type(err).__name__}: {err}"
            traceback.print_exc()
        print(f"bench: {name} done in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)

    def latency():
        from bench import latency as module

        other = (lambda: module.on_torch(retriever)) if size["alternatives"] else None
        out = module.measure(retriever, texts, rounds=size["rounds"], alternatives=size["alternatives"],
                             torch_retriever=other, guard=guard)
        result["latency"] = out
        for key in ("query_p50_ms", "query_p95_ms", "encode_p50_ms", "encode_p95_ms", "overhead_ratio",
                    "answer_p50_ms", "answer_p95_ms"):
            result[key] = out[key]

    def build():
        from bench import cold

        out = cold.index_build(retriever, config, runs=size["build_runs"])
        result["index_build"] = out
        result["index_build_s"] = out["median_s"]

    def cold_start():
        from bench import cold

        warm = cold.cold_start(size["cold_runs"], config.index_dir)
        building = cold.cold_start_building(size["cold_build_runs"])
        with tempfile.TemporaryDirectory(prefix="ils-bench-index-") as empty:
            breakdown_missing = cold.phases(1, empty)
        second = cold.second_folder(size["second_folder_runs"])
        tuned = cold.tuning(size["tune_runs"]) if size["tune_runs"] else None
        result["cold"] = {
            "with_index": warm,
            "with_index_on_torch": cold.cold_start(size["cold_runs"], config.index_dir, encoder="torch"),
            "index_missing": building,
            "index_build_second_folder": second,
            "breakdown": cold.phases(size["phase_runs"], config.index_dir),
            "breakdown_index_missing": breakdown_missing,
            "import_only_s": {m: cold.import_cost(m, size["import_runs"])
                              for m in ("onnxruntime", "torch", "sentence_transformers")},
        }
        if tuned:
            result["cold"]["first_build_with_tuning"] = tuned
            result["first_build_with_tuning_s"] = tuned["median_s"]
        result["cold_start_s"] = warm["median_s"]
        result["cold_start_build_s"] = building["median_s"]
        result["index_build_second_folder_s"] = second["median_s"]
        result["rss_mb"] = warm["peak_rss_mb"]

    def concurrency():
        from bench import concurrency as module

        out = module.measure(retriever, texts, workers=size["workers"], queries=size["concurrency_queries"],
                             configs=size["concurrency_configs"])
        result["concurrency"] = out

    def scale():
        import numpy as np

        from bench import scale as module

        base = retriever.encoder.encode([item.text for item in retriever.index.items])
        queries = retriever.encoder.encode(texts)
        result["scale"] = module.measure(np.asarray(base), np.asarray(queries), size["sizes"],
                                         kinds_for=size["kinds"])
        if size["random"]:
            result["scale_random"] = module.random_rows(np.asarray(queries), 100_000, ("ivf",))

    def server():
        from bench import server as module

        names = [cap.name for cap in retriever.framework.capabilities]
        out = module.measure(texts, names, sessions=size["sessions"], index_dir=config.index_dir)
        result["server"] = out
        result["server_rss_mb"] = out["server_rss_mb"]["with_sessions_open"]
        result["browser_enter_to_answer_ms"] = out["enter_to_answer"]["median_ms"]

    def load():
        from bench import load as module

        names = [cap.name for cap in retriever.framework.capabilities]
        try:
            out = module.measure(texts, names, levels=size["load_levels"], workers=config.workers,
                                 index_dir=config.index_dir)
        except module.LeakError as err:
            result["load"] = err.args[1]
            raise
        result["load"] = out

    section("latency", latency)
    section("build", build)
    section("cold", cold_start)
    section("concurrency", concurrency)
    section("scale", scale)
    section("server", server)
    section("load", load)
    result["machine"]["load_average_at_end"] = load_average()
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["paths"] = report.paths(result)
    result["targets"] = report.targets(result)
    result["missing"] = report.missing(result)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats, no 10^6 vectors and no HNSW (about two and a half minutes)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    parser.add_argument("--out", type=Path, help="result file (default bench/results/latest.json; "
                                                  "quick.json with --quick, partial.json with --only)")
    args = parser.parse_args(argv)
    sections = tuple(args.only or SECTIONS)
    result = run(sections, args.quick)
    default = "quick.json" if args.quick else "partial.json" if args.only else "latest.json"
    out = args.out or RESULTS / default
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(report.table(result))
    print(f"\nwritten to {out}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
