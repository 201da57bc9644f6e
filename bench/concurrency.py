"""Concurrency: N threads querying one shared Retriever, as Streamlit's per-session threads do.

Thread settings are part of the measurement. Each configuration sets the threads inside one encode (ONNX Runtime's
intra-op threads, which needs a new session; torch's for a torch encoder) and how many encodes may run at once
(the Encoder's slots), then is restored. FAISS threads are left alone: a single-query
search runs on one thread whatever omp_set_num_threads says (FAISS splits work across queries).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from bench.stats import percentile, ratio


@contextmanager
def threads(encoder, per_encode: int, slots: int):
    """Run a block with the threads inside one encode and the encoder's concurrent-encode slots set."""
    onnx = getattr(encoder, "onnx", None)
    before = getattr(encoder, "_lock", None), getattr(encoder, "threads", None)
    if onnx is not None:
        from index.runtime import OnnxModel

        encoder.onnx = OnnxModel(encoder.export.folder, threads=slots, threads_per_run=per_encode)
    else:
        import torch

        torch_before = torch.get_num_threads()
        torch.set_num_threads(per_encode)
    if before[0] is not None:
        encoder._lock = threading.BoundedSemaphore(slots) if slots > 1 else threading.Lock()
        encoder.threads = slots
    try:
        yield
    finally:
        if onnx is not None:
            encoder.onnx = onnx
        else:
            torch.set_num_threads(torch_before)
        if before[0] is not None:
            encoder._lock, encoder.threads = before


def hammer(search, situations: list[str], workers: int, queries: int) -> dict:
    """`queries` searches shared out over `workers` threads started together: throughput and latency."""
    lock = threading.Lock()
    cursor = iter(range(queries))
    seconds: list[float] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(workers + 1)

    def work():
        gate.wait()
        while True:
            with lock:
                n = next(cursor, None)
            if n is None:
                return
            started = time.perf_counter()
            try:
                search(situations[n % len(situations)])
            except BaseException as err:  # recorded and re-raised in the caller
                errors.append(err)
                return
            elapsed = time.perf_counter() - started
            with lock:
                seconds.append(elapsed)

    pool = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in pool:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return {
        "threads": workers,
        "queries": len(seconds),
        "throughput_qps": round(len(seconds) / wall, 1),
        "p50_ms": round(percentile(seconds, 50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 95) * 1000, 1),
    }


def measure(retriever, situations: list[str], workers: tuple[int, ...] = (1, 4, 16), queries: int = 200,
            configs: tuple[tuple[int, int], ...] = ((1, 2), (2, 1), (1, 1))) -> dict:
    """Rows per (threads per encode, encode slots) configuration and thread count; the first configuration is
    what the app uses. Reports throughput at the highest thread count relative to one thread."""
    for text in situations[:5]:
        retriever.search(text)
    out = []
    for per_encode, slots in configs:
        with threads(retriever.encoder, per_encode, slots):
            for text in situations[:2]:
                retriever.search(text)
            rows = [hammer(retriever.search, situations, n, queries) for n in workers]
        out.append({
            "threads_per_encode": per_encode,
            "encode_slots": slots,
            "rows": rows,
            "throughput_ratio_max_vs_1": ratio(rows[-1]["throughput_qps"], rows[0]["throughput_qps"]),
        })
    return {"queries_per_run": queries, "configs": out}
