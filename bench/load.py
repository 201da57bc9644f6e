"""Load through `make serve`: many sessions at once over the browser's websocket protocol, answers/s and latency."""

from __future__ import annotations

import asyncio
import io
import random
import re
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

from bench.cold import environment
from bench.stats import cpu_seconds, load_average, percentile, rss_mb

# (sessions at once, longest pause in seconds before each message: each pause drawn uniformly from 0 to it)
LEVELS = ((1, 0.0), (10, 0.0), (20, 0.0), (40, 20.0))
TURNS = 3
NEW_SITUATION = "New situation"


class LeakError(RuntimeError):
    """A session received words another session sent."""


@contextmanager
def team(index_dir: Path | str | None = None, workers: int = 2, timeout: float = 180.0):
    """`python -m serve`'s team (workers behind HAProxy) on a free loopback port; yields it, stopped on exit."""
    import serve

    out = io.StringIO()
    crew = serve.Team(workers, serve.free_ports(1)[0], env=environment(index_dir), out=out, timeout=timeout)
    try:
        crew.start()
        yield crew
    except serve.ServeError as err:
        raise RuntimeError(f"{err}: {out.getvalue()[-1500:]}") from None
    finally:
        crew.stop()


def workers_rss_mb(crew) -> dict:
    """Resident memory of all the team's Streamlit workers together, now and at each one's peak (MB)."""
    found = [rss_mb(child.proc.pid) for child in crew.children if child.name.startswith("worker")
             and child.proc.poll() is None]
    return {"rss_mb": round(sum(f["rss_mb"] or 0 for f in found), 1),
            "peak_mb": round(sum(f["peak_mb"] or 0 for f in found), 1), "workers": len(found)}


def cpu_s(crew, name: str = "worker") -> float:
    """Processor time (user and system) the team's children called `name` (worker n, proxy) have used so far, in
    seconds."""
    return sum(cpu_seconds(child.proc.pid) for child in crew.children
               if child.name.startswith(name) and child.proc.poll() is None)


def tokens(tag: str, text: str) -> set[str]:
    """The session tokens (Q<tag>S<number>) a text contains."""
    return set(re.findall(rf"Q{tag}S\d+", text))


async def one_session(url: str, texts: list[str], own: str, tag: str, pause: float, rng: random.Random,
                      names: list[str], cookie: str = "") -> dict:
    """One tab: open the app, send each situation (after a pause), press "New situation" after each answer.

    Returns each answer's seconds, the runs that failed, whether each answer named a capability, and the tokens of
    other sessions seen in any run."""
    from bench.wsclient import Session
    from serve import COOKIE

    seen: dict = {"seconds": [], "failed": [], "named": [], "foreign": set(), "runs": 0}

    def check(run) -> None:
        seen["runs"] += 1
        if run.status != "FINISHED_SUCCESSFULLY" or run.exceptions:
            seen["failed"].append(run.status or "no status")
        seen["foreign"] |= tokens(tag, run.text) - {own}

    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    async with Session(url, timeout=300.0, headers=headers) as tab:
        check(await tab.start())
        for text in texts:
            if pause:
                await asyncio.sleep(rng.uniform(0, pause))
            answered = await tab.chat(text)
            check(answered)
            seen["seconds"].append(answered.seconds)
            seen["named"].append(text in answered.text and answered.after(text).first(names) is not None)
            if any(b.get("label") == NEW_SITUATION for b in answered.of("button")):
                check(await tab.click(NEW_SITUATION))
    return seen


async def _level(url: str, sessions: int, pause: float, situations: list[str], names: list[str], tag: str,
                 rng: random.Random, first: int) -> tuple[list[dict], float]:
    texts = {n: [f"{situations[(first + n * TURNS + k) % len(situations)]} (ref Q{tag}S{first + n}T{k})"
                 for k in range(TURNS)] for n in range(sessions)}
    seeds = [random.Random(rng.random()) for _ in range(sessions)]
    started = time.perf_counter()
    seen = await asyncio.gather(*(one_session(url, texts[n], f"Q{tag}S{first + n}", tag, pause, seeds[n], names)
                                  for n in range(sessions)))
    return list(seen), time.perf_counter() - started


def level(url: str, sessions: int, pause: float, situations: list[str], names: list[str], tag: str,
          rng: random.Random, first: int, crew=None) -> dict:
    """One level of load: `sessions` tabs at once; throughput, latency, failures, leaks and the workers' memory."""
    from bench.wsclient import run

    load_before = load_average()
    server_cpu, proxy_cpu = (cpu_s(crew), cpu_s(crew, "proxy")) if crew is not None else (0.0, 0.0)
    cpu = time.process_time()
    seen, wall = run(_level(url, sessions, pause, situations, names, tag, rng, first), 1800)
    client_cpu = time.process_time() - cpu
    seconds = [s for one in seen for s in one["seconds"]]
    out = {
        "sessions": sessions,
        "pause_max_s": pause,
        "answers": len(seconds),
        "runs": sum(one["runs"] for one in seen),
        "wall_s": round(wall, 1),
        "answers_per_s": round(len(seconds) / wall, 2),
        "latency_p50_s": round(percentile(seconds, 50), 3),
        "latency_p95_s": round(percentile(seconds, 95), 3),
        "latency_max_s": round(max(seconds), 3),
        "errors": sum(len(one["failed"]) for one in seen),
        "answers_naming_no_capability": sum(not named for one in seen for named in one["named"]),
        "foreign_words": sum(len(one["foreign"]) for one in seen),
        "client_cpu_s": round(client_cpu, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
    if crew is not None:
        out["server_cpu_s"] = round(cpu_s(crew) - server_cpu, 1)
        out["server_cpu_ms_per_answer"] = round(out["server_cpu_s"] * 1000 / max(len(seconds), 1))
        out["proxy_cpu_s"] = round(cpu_s(crew, "proxy") - proxy_cpu, 2)
        out["server_rss_mb"] = workers_rss_mb(crew)
    out["_leaks"] = {first + n: sorted(one["foreign"]) for n, one in enumerate(seen) if one["foreign"]}
    return out


def warm(url: str, crew, situations: list[str], names: list[str]) -> None:
    """One answer on each worker first (each loads the model on its first session), not counted."""
    from bench.wsclient import run

    async def all_workers():
        await asyncio.gather(*(one_session(url, situations[:1], "", "warm", 0.0, random.Random(0), names,
                                           cookie=f"w{n}") for n in range(1, crew.count + 1)))

    run(all_workers(), 600)


def measure(situations: list[str], names: list[str], levels=LEVELS, workers: int = 2,
            index_dir: Path | str | None = None, seed: int = 18) -> dict:
    """Every level in turn against one team; raises LeakError (after measuring) if words crossed sessions."""
    rng = random.Random(seed)
    tag = secrets.token_hex(3)
    rows, leaks = [], {}
    with team(index_dir, workers) as crew:
        url = f"http://127.0.0.1:{crew.port}"
        idle = workers_rss_mb(crew)
        warm(url, crew, situations, names)
        first = 0
        for sessions, pause in levels:
            row = level(url, sessions, pause, situations, names, tag, rng, first, crew)
            leaks.update(row.pop("_leaks"))
            rows.append(row)
            first += sessions
        after = workers_rss_mb(crew)
    out = {"workers": workers, "turns_per_session": TURNS, "levels": rows,
           "server_rss_mb": {"idle": idle, "after": after}, "leaks": {str(k): v for k, v in leaks.items()}}
    if leaks:
        raise LeakError(f"sessions received other sessions' words: {out['leaks']}", out)
    return out
