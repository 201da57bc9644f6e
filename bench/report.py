"""The issue's targets checked against a result, and the plain-text table `python -m bench` prints."""

from __future__ import annotations

REQUIRED = ("query_p50_ms", "query_p95_ms", "encode_p50_ms", "cold_start_s", "index_build_s", "rss_mb", "scale",
            "machine", "date")
SCALE_ROW = ("vectors", "index_type", "build_s", "query_p95_ms", "recall_at_10", "memory_mb")


def missing(result: dict) -> list[str]:
    """Required top-level keys (issue 7) absent from a result, and scale rows lacking a required field."""
    gaps = [key for key in REQUIRED if result.get(key) is None]
    for n, row in enumerate(result.get("scale") or []):
        gaps += [f"scale[{n}].{key}" for key in SCALE_ROW if row.get(key) is None]
    return gaps


def _get(result: dict, *path):
    value = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _largest(rows: list[dict], kind: str) -> dict | None:
    """The approximate row with the most vectors whose index type name contains `kind`."""
    rows = [r for r in rows if kind in r["index_type"]]
    return max(rows, key=lambda r: r["vectors"]) if rows else None


def paths(result: dict) -> dict:
    """The figures of the two query paths side by side: ONNX Runtime (the default) and torch
    (sentence-transformers, ILS_COACH_ENCODER=torch)."""
    def path(latency: dict | None, cold: dict | None) -> dict:
        latency, cold = latency or {}, cold or {}
        return {"cold_start_s": cold.get("median_s"), "cli_peak_rss_mb": cold.get("peak_rss_mb"),
                "encode_p50_ms": _get(latency, "encode", "p50_ms"), "encode_p95_ms": _get(latency, "encode", "p95_ms"),
                "query_p50_ms": _get(latency, "query", "p50_ms"), "query_p95_ms": _get(latency, "query", "p95_ms")}

    return {"onnxruntime": path(result.get("latency"), _get(result, "cold", "with_index")),
            "torch": path(_get(result, "latency", "torch"), _get(result, "cold", "with_index_on_torch"))}


def targets(result: dict) -> list[dict]:
    """Each target of issues 7 and 16 with the measured value and whether it is met (None when not measured)."""
    def check(name, value, goal, ok):
        return {"target": name, "value": value, "goal": goal, "met": None if value is None else bool(ok(value))}

    rows = result.get("scale") or []
    at_million = [r for r in rows if r["vectors"] >= 1_000_000 and r["index_type"] != "IndexFlatIP"]
    best = min(at_million, key=lambda r: r["query_p95_ms"] if r["recall_at_10"] >= 0.95 else 1e9, default=None)
    first = (_get(result, "concurrency", "configs") or [None])[0]
    out = [
        check("query p95 (ms, warm)", result.get("query_p95_ms"), "<= 6", lambda v: v <= 6),
        check("retrieval overhead (query p50 / encode p50)", result.get("overhead_ratio"), "<= 1.5",
              lambda v: v <= 1.5),
        check("a chat answer, safety net, ranking and words, p50 (ms)", result.get("answer_p50_ms"), "<= 25",
              lambda v: v <= 25),
        check("cold start with a built index (s)", result.get("cold_start_s"), "<= 0.6", lambda v: v <= 0.6),
        check("CLI peak RSS, one query (MB)", result.get("rss_mb"), "<= 250", lambda v: v <= 250),
        check("10^6 vectors: query p95 (ms)", best and best["query_p95_ms"], "<= 30", lambda v: v <= 30),
        check("10^6 vectors: recall@10", best and best["recall_at_10"], ">= 0.95", lambda v: v >= 0.95),
        check("throughput 16 threads / 1 thread", first and first["throughput_ratio_max_vs_1"], ">= 1",
              lambda v: v >= 1),
    ]
    levels = _get(result, "load", "levels") or []
    busy = next((r for r in levels if r["sessions"] == 20 and not r["pause_max_s"]), None)
    paused = next((r for r in levels if r["sessions"] == 40 and r["pause_max_s"]), None)
    out += [
        check("make serve, 20 sessions, no pause: answers/s", busy and busy["answers_per_s"], ">= 8",
              lambda v: v >= 8),
        check("make serve, 40 sessions, 0-20 s pauses: answer p95 (s)", paused and paused["latency_p95_s"],
              "<= 1.5", lambda v: v <= 1.5),
        check("make serve: failed runs and words seen by another session",
              sum(r["errors"] + r["foreign_words"] for r in levels) if levels else None, "0", lambda v: v == 0),
    ]
    for row in out:
        if best and row["target"].startswith("10^6 vectors"):
            row["index_type"] = best["index_type"]
    return out


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def grid(header: list[str], rows: list[list]) -> str:
    """A left-aligned plain-text table."""
    cells = [[_fmt(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def table(result: dict) -> str:
    m = result.get("machine", {})
    parts = [f"ILS Coach benchmarks, {result.get('date')} ({result.get('mode')} run, {result.get('duration_s')} s) on "
             f"{m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB; load average "
             f"{m.get('load_average_at_start')} at start, {m.get('load_average_at_end')} at end"]
    alt = _get(result, "latency", "alternatives") or {}
    side = result.get("paths") or paths(result)
    onnx, torch = side["onnxruntime"], side["torch"]

    def pair(a, b) -> str:
        return f"{_fmt(a)} / {_fmt(b)}"

    parts += ["", grid(["query path", "ONNX Runtime (default)", "torch (ILS_COACH_ENCODER=torch)"], [
        ["cold start to the first answer, index built (s, median)", onnx["cold_start_s"], torch["cold_start_s"]],
        ["encode p50 / p95 (ms)", pair(onnx["encode_p50_ms"], onnx["encode_p95_ms"]),
         pair(torch["encode_p50_ms"], torch["encode_p95_ms"])],
        ["query p50 / p95 (ms)", pair(onnx["query_p50_ms"], onnx["query_p95_ms"]),
         pair(torch["query_p50_ms"], torch["query_p95_ms"])],
        ["CLI peak RSS, one query (MB)", onnx["cli_peak_rss_mb"], torch["cli_peak_rss_mb"]],
    ])]
    figures = [
        ["query p50 / p95 (ms)", f"{_fmt(result.get('query_p50_ms'))} / {_fmt(result.get('query_p95_ms'))}"],
        ["  best of rounds per situation, p50 / p95 (ms)",
         f"{_fmt(_get(result, 'latency', 'query_best_of_rounds', 'p50_ms'))} / "
         f"{_fmt(_get(result, 'latency', 'query_best_of_rounds', 'p95_ms'))}"],
        ["encode-only p50 / p95 (ms)", f"{_fmt(result.get('encode_p50_ms'))} / {_fmt(result.get('encode_p95_ms'))}"],
        ["processor time per query / per encode, p50 / p95 (ms)",
         f"{_fmt(_get(result, 'latency', 'query_cpu', 'p50_ms'))} / "
         f"{_fmt(_get(result, 'latency', 'query_cpu', 'p95_ms'))}"
         f"; {_fmt(_get(result, 'latency', 'encode_cpu', 'p50_ms'))} / "
         f"{_fmt(_get(result, 'latency', 'encode_cpu', 'p95_ms'))}"],
        ["overhead (query p50 / encode p50)", result.get("overhead_ratio")],
        ["a chat answer (conversation.answer.respond) p50 / p95 (ms)",
         f"{_fmt(result.get('answer_p50_ms'))} / {_fmt(result.get('answer_p95_ms'))}"],
        ["  processor time p50 / p95 (ms)", f"{_fmt(_get(result, 'latency', 'answer_cpu', 'p50_ms'))} / "
                                           f"{_fmt(_get(result, 'latency', 'answer_cpu', 'p95_ms'))}"],
        ["a follow-up answer, earlier turn remembered, p50 / p95 (ms)",
         f"{_fmt(_get(result, 'latency', 'follow_up', 'p50_ms'))} / "
         f"{_fmt(_get(result, 'latency', 'follow_up', 'p95_ms'))}"],
        ["sentence-transformers + semantic_search p50 (ms)", _get(alt, "semantic_search", "p50_ms")],
        ["  query p50 / that", _get(alt, "semantic_search", "query_p50_ratio")],
        ["semantic_search alone on a tensor p50 (ms)", _get(alt, "semantic_search_only", "p50_ms")],
        ["TF-IDF p50 (ms)", _get(alt, "tfidf", "p50_ms")],
        ["  query p50 / that", _get(alt, "tfidf", "query_p50_ratio")],
        ["cold start, index missing, tuned model in the cache (s, median)", result.get("cold_start_build_s")],
        ["index build into a second folder, tuned model in the cache (s)", result.get("index_build_second_folder_s")],
        ["first build: tuning and index (s)", result.get("first_build_with_tuning_s")],
        ["  the tuning alone (s)", _get(result, "cold", "first_build_with_tuning", "tuning_only_s")],
        ["index build in process (s)", result.get("index_build_s")],
        ["server RSS with sessions open (MB)", result.get("server_rss_mb")],
        ["browser Enter to answer (ms, median)", result.get("browser_enter_to_answer_ms")],
    ]
    parts += ["", grid(["measure", "value"], figures)]
    phases = [(label, _get(result, "cold", key, "phases_s")) for key, label in
              (("breakdown", "index built"), ("breakdown_index_missing", "index missing"))]
    if any(p for _, p in phases):
        parts.append("")
    parts += [f"cold start phases, {label} (s): " + ", ".join(f"{k} {v}" for k, v in p.items())
              for label, p in phases if p]
    scale = (result.get("scale") or []) + (result.get("scale_random") or [])
    if scale:
        parts += ["", grid(["vectors", "data", "index", "params", "build s", "p50 ms", "p95 ms", "recall@10",
                            "memory MB"],
                           [[r["vectors"], r["data"], r["index_type"],
                             " ".join(f"{k}={v}" for k, v in r["params"].items()), r["build_s"], r["query_p50_ms"],
                             r["query_p95_ms"], r["recall_at_10"], r["memory_mb"]] for r in scale])]
    for config in _get(result, "concurrency", "configs") or []:
        parts += ["", f"concurrency, threads per encode {config['threads_per_encode']}, encode slots "
                      f"{config['encode_slots']}"
                      f" (16 vs 1 thread throughput x{config['throughput_ratio_max_vs_1']})",
                  grid(["threads", "queries/s", "p50 ms", "p95 ms"],
                       [[r["threads"], r["throughput_qps"], r["p50_ms"], r["p95_ms"]] for r in config["rows"]])]
    load = result.get("load") or {}
    if load.get("levels"):
        parts += ["", f"make serve, {load['workers']} workers behind HAProxy, {load['turns_per_session']} "
                      "situations per session over websockets",
                  grid(["sessions", "pause s", "answers", "answers/s", "p50 s", "p95 s", "max s", "errors",
                        "foreign words", "server CPU ms/answer", "workers RSS MB", "load avg before / after"],
                       [[r["sessions"], f"0-{r['pause_max_s']:g}" if r["pause_max_s"] else "0", r["answers"],
                         r["answers_per_s"], r["latency_p50_s"], r["latency_p95_s"], r["latency_max_s"],
                         r["errors"], r["foreign_words"], r.get("server_cpu_ms_per_answer"),
                         _get(r, "server_rss_mb", "rss_mb"),
                         f"{r['load_average_before'][0]} / {r['load_average_after'][0]}"] for r in load["levels"]])]
    if result.get("targets"):
        parts += ["", grid(["target", "goal", "value", "met"],
                           [[t["target"], t["goal"], t["value"], {True: "yes", False: "NO", None: "-"}[t["met"]]]
                            for t in result["targets"]])]
    for name, error in (result.get("errors") or {}).items():
        parts.append(f"error in {name}: {error}")
    return "\n".join(parts)
