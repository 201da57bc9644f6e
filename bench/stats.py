"""Small statistics and measurement helpers shared by the benchmarks: percentiles, timing, memory, machine."""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: Iterable[float]) -> float:
    return percentile(values, 50)


def summary(seconds: Iterable[float], digits: int = 2) -> dict:
    """p50, p95, mean and count of timings given in seconds, reported in milliseconds."""
    values = [float(v) for v in seconds]
    return {
        "p50_ms": round(median(values) * 1000, digits),
        "p95_ms": round(percentile(values, 95) * 1000, digits),
        "mean_ms": round(sum(values) / len(values) * 1000, digits),
        "n": len(values),
    }


def ratio(numerator: float, denominator: float, digits: int = 2) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def timings(fn: Callable, items: Iterable, warmup: int = 0) -> list[float]:
    """Seconds taken by fn(item) for each item, after calling fn on the first `warmup` items untimed."""
    items = list(items)
    for item in items[:warmup]:
        fn(item)
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - started)
    return out


def rss_mb(pid: int | str = "self") -> dict:
    """Current and peak resident memory of a process, from /proc (Linux), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS"), "peak_mb": fields.get("VmHWM")}


def cpu_seconds(pid: int | str = "self") -> float:
    """Processor time (user and system) a process has used so far, from /proc (Linux), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def machine() -> dict:
    """What the figures were measured on, including the load from other processes at the time."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        total = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
        memory = round(total / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        memory = None
    versions = {"python": platform.python_version()}
    for name in ("numpy", "faiss", "onnxruntime", "torch", "sentence_transformers", "sklearn", "streamlit"):
        try:
            from importlib.metadata import version

            versions[name] = version({"faiss": "faiss-cpu", "sklearn": "scikit-learn",
                                      "sentence_transformers": "sentence-transformers"}.get(name, name))
        except Exception:
            versions[name] = None
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
        "load_average_at_start": load_average(),
    }
