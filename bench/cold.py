"""Cold start and memory: fresh processes from launch to the first answer, with and without a saved index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import ROOT, median

QUERY = "Two of my branch heads are competing for the same resources and it is splitting the division."


def environment(index_dir: Path | str | None = None, cache_dir: Path | str | None = None,
                encoder: str = "onnx") -> dict:
    """The children's environment: offline, this checkout, the index folder, the tuned-model cache when given, and
    the query encoder (onnx, torch)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT),
           "ILS_COACH_ENCODER": encoder}
    if index_dir is not None:
        env["ILS_COACH_INDEX_DIR"] = str(index_dir)
    if cache_dir is not None:
        env["ILS_COACH_CACHE_DIR"] = str(cache_dir)
    return env


def run(args: list[str], env: dict, timeout: float = 300) -> dict:
    """Run a child to completion: seconds from launch to its first line of output (the answer) and to its
    exit, its exit code and output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err)
        try:
            first = proc.stdout.readline()
            answered = time.perf_counter() - started
            rest, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        exited = time.perf_counter() - started
        err.seek(0)
        return {"seconds": answered, "exit_seconds": exited, "code": proc.returncode,
                "stdout": (first + rest).decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}


# Reaps the real command from a small interpreter and writes its peak RSS (KB) to the file named first.
# Measuring from the benchmark process itself would be wrong: a child started from a large process inherits
# that process's high-water mark through fork and exec, so ru_maxrss would report the benchmark's own size.
REAPER = ("import os, subprocess, sys; child = subprocess.Popen(sys.argv[2:]); "
          "_, status, usage = os.wait4(child.pid, 0); open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); "
          "sys.exit(os.waitstatus_to_exitcode(status))")


def run_measured(args: list[str], env: dict, timeout: float = 300) -> dict:
    """Like run(), adding the child's own peak resident memory (ru_maxrss, read by a small reaper process)."""
    with tempfile.TemporaryDirectory(prefix="ils-bench-") as folder:
        report = Path(folder) / "maxrss"
        result = run([sys.executable, "-c", REAPER, str(report), *args], env, timeout)
        kb = int(report.read_text()) if report.exists() else 0
    return {**result, "peak_rss_mb": round(kb / 1024, 1)}


def cli(index_dir: Path | str | None = None, encoder: str = "onnx") -> dict:
    """The real command line answering one situation as JSON, its queries encoded on `encoder` (onnx: ONNX
    Runtime, the default; torch: sentence-transformers, ILS_COACH_ENCODER=torch)."""
    result = run_measured([sys.executable, "-m", "retrieval", "search", QUERY, "--json"],
                          environment(index_dir, encoder=encoder))
    if result["code"] != 0:
        raise RuntimeError(f"the CLI failed (exit {result['code']}): {result['stderr'][-500:]}")
    answer = json.loads(result["stdout"])
    if not answer.get("capabilities"):
        raise RuntimeError("the CLI answered with no capabilities")
    return result


def cold_start(runs: int = 5, index_dir: Path | str | None = None, encoder: str = "onnx") -> dict:
    """`python -m retrieval search ... --json` with the index already built: median seconds from launch to the
    answer on standard output (and to the process's exit, which adds the interpreter's shutdown)."""
    cli(index_dir, encoder)
    results = [cli(index_dir, encoder) for _ in range(runs)]
    seconds = [r["seconds"] for r in results]
    return {"median_s": round(median(seconds), 2), "runs_s": [round(s, 2) for s in seconds],
            "to_exit_median_s": round(median(r["exit_seconds"] for r in results), 2),
            "peak_rss_mb": median(r["peak_rss_mb"] for r in results), "encoder": encoder}


def cold_start_building(runs: int = 5) -> dict:
    """The same with the index missing (the tuned model in the shared cache): each run gets an empty
    ILS_COACH_INDEX_DIR, so it builds and saves an index there, as with a second index folder."""
    seconds, rss = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ils-bench-index-") as folder:
            result = cli(folder)
            if "rebuilt" not in result["stderr"] or "tuned" in result["stderr"]:
                raise RuntimeError(f"expected the CLI to build the missing index only: {result['stderr'][-500:]}")
            seconds.append(result["seconds"])
            rss.append(result["peak_rss_mb"])
    return {"median_s": round(median(seconds), 2), "runs_s": [round(s, 2) for s in seconds],
            "peak_rss_mb": median(rss)}


def second_folder(runs: int = 1) -> dict:
    """`python -m index build` into an empty index folder, the tuned model in the shared cache: no tuning."""
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ils-bench-index-") as folder:
            result = run_measured([sys.executable, "-m", "index", "build"], environment(folder), timeout=900)
            if result["code"] != 0 or "tuned" in result["stderr"]:
                raise RuntimeError(f"expected a build without tuning: {result['stderr'][-500:]}")
            seconds.append(result["exit_seconds"])
    return {"median_s": round(median(seconds), 1), "runs_s": [round(s, 1) for s in seconds]}


def tuning(runs: int = 1) -> dict:
    """`python -m index build` with an empty index folder and an empty tuned-model cache, as on a new machine:
    tuning the model, then building the index. Also the tuning alone, as its record gives it."""
    seconds, rss, tune_seconds = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ils-bench-tune-") as folder:
            index_dir, cache = Path(folder) / "index", Path(folder) / "cache"
            result = run_measured([sys.executable, "-m", "index", "build"], environment(index_dir, cache),
                                  timeout=1800)
            if result["code"] != 0 or "tuned the language model" not in result["stderr"]:
                raise RuntimeError(f"expected a tuned build: {result['stderr'][-500:]}")
            seconds.append(result["exit_seconds"])
            rss.append(result["peak_rss_mb"])
            records = list(cache.glob("models/*/tuned.json"))
            tune_seconds += [json.loads(r.read_text())["seconds"] for r in records]
    return {"median_s": round(median(seconds), 1), "runs_s": [round(s, 1) for s in seconds],
            "tuning_only_s": round(median(tune_seconds), 1) if tune_seconds else None, "peak_rss_mb": median(rss)}


def phases(runs: int = 3, index_dir: Path | str | None = None) -> dict:
    """Median seconds per start-up phase over fresh `python -m bench.phases` processes."""
    reports = []
    for _ in range(runs):
        result = run([sys.executable, "-m", "bench.phases", QUERY], environment(index_dir))
        if result["code"] != 0:
            raise RuntimeError(f"bench.phases failed: {result['stderr'][-500:]}")
        reports.append(json.loads(result["stdout"].strip().splitlines()[-1]))
    names = list(reports[0]["phases_s"])
    return {
        "phases_s": {n: round(median(r["phases_s"][n] for r in reports), 3) for n in names},
        "in_process_total_s": round(median(r["total_s"] for r in reports), 3),
        "imported": reports[-1]["imported"],
        "encoder_backend": reports[-1]["encoder_backend"],
    }


def import_cost(module: str, runs: int = 3) -> float:
    """Median wall seconds of a fresh interpreter that only imports `module` (for comparison)."""
    seconds = []
    for _ in range(runs):
        result = run([sys.executable, "-c", f"import {module}"], environment())
        if result["code"] != 0:
            raise RuntimeError(f"cannot import {module}: {result['stderr'][-300:]}")
        seconds.append(result["seconds"])
    return round(median(seconds), 2)


def index_build(retriever, config, runs: int = 3) -> dict:
    """In-process build of the corpus index (embedding every item, the off-topic inputs and the safety net's
    training texts, then FAISS), with the model already loaded: median seconds."""
    from index import store

    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        index = store.build(retriever.framework, retriever.encoder, config.exemplars, config.offtopic,
                            distress_path=config.distress)
        seconds.append(time.perf_counter() - started)
    return {"median_s": round(median(seconds), 2), "runs_s": [round(s, 2) for s in seconds],
            "items": len(index.items), "index_type": type(index.faiss).__name__}
