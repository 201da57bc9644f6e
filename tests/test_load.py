"""Many people at once: concurrent browser sessions against a real `streamlit run` server on loopback.

Each session is a websocket client speaking Streamlit's own protocol (bench/wsclient.py), as a browser tab does:
it opens the app, sends several situations (starting a new situation between them), adds a capability to its
coaching plan and opens the plan page. Every answer must be the one the app's own logic gives for that text, no
run may raise, and no session may ever receive another session's words. Throughput and latency are printed.
"""

from __future__ import annotations

import asyncio
import secrets
import time

import numpy as np
import pytest

from bench import wsclient
from bench.wsclient import Session

pytestmark = pytest.mark.slow

SESSIONS = 20
TURNS = 3
LIMIT_SECONDS = 900
SITUATIONS = (
    "We are negotiating a funding agreement with the states and they won't budge on the cost split",
    "One of my EL2s keeps missing deadlines and I need to have a frank conversation about her performance",
    "A staff member may have breached the APS Code of Conduct by leaking documents to the media",
    "My division is being restructured and staff are anxious about their jobs",
    "The minister's office wants a brief by tomorrow and my team is already stretched",
    "Two of my directors refuse to share information with each other",
    "I have to explain a complex policy change to a community group that is angry about it",
    "I keep losing my temper in meetings when people push back on my ideas",
    "We need a ten year strategy for the agency but everyone is focused on this week's crisis",
    "Our IT project is late, over budget and the vendor keeps missing milestones",
)


def expected_top(retriever, text: str) -> str | None:
    """The first capability the app's own answer logic names for a fresh situation (None: nothing fits)."""
    from conversation import answer

    reply = answer.respond(retriever, (text,))
    return reply.cards[0].match.name if reply.kind == answer.ANSWER and reply.cards else None


async def one_session(url: str, n: int, texts: list[str], names: list[str], record: dict) -> None:
    """Drive one tab; record every run's text and each answer's latency and first capability."""
    runs, latencies, tops = [], [], []
    async with Session(url) as tab:
        runs.append(await tab.start())
        for text in texts:
            answered = await tab.chat(text)
            runs.append(answered)
            latencies.append(answered.seconds)
            tops.append(answered.after(text).first(names) if text in answered.text else "(message not shown)")
            if any(b.get("label") == "New situation" for b in answered.of("button")):
                runs.append(await tab.click("New situation"))
        runs.append(await tab.click(key="plan-"))
        plan = await tab.goto("plan")
        runs.append(plan)
    record[n] = {"runs": runs, "latencies": latencies, "tops": tops, "plan": plan}


def test_twenty_sessions_at_once(app_server, real_retriever):
    names = [cap.name for cap in real_retriever.framework.capabilities]
    tag = secrets.token_hex(3)
    texts = {n: [f"{SITUATIONS[(n + k) % len(SITUATIONS)]} (ref Q{tag}S{n:02d}T{k})" for k in range(TURNS)]
             for n in range(SESSIONS)}
    markers = {n: f"Q{tag}S{n:02d}" for n in range(SESSIONS)}
    wanted = {text: expected_top(real_retriever, text) for group in texts.values() for text in group}
    record: dict = {}

    async def everyone():
        await asyncio.gather(*(one_session(app_server, n, texts[n], names, record) for n in range(SESSIONS)))

    started = time.perf_counter()
    wsclient.run(everyone(), LIMIT_SECONDS)
    wall = time.perf_counter() - started

    assert sorted(record) == list(range(SESSIONS))
    for n, seen in record.items():
        for run in seen["runs"]:
            assert run.status == "FINISHED_SUCCESSFULLY", (n, run.status)
            assert not run.exceptions, (n, run.exceptions)
            foreign = [m for k, m in markers.items() if k != n and m in run.text]
            assert not foreign, f"session {n} received the words of sessions {foreign}"
        assert seen["tops"] == [wanted[t] for t in texts[n]], (n, texts[n])
        assert markers[n] in seen["plan"].text, f"session {n}: its situation is not in its own plan"
        assert wanted[texts[n][0]] in seen["plan"].text, f"session {n}: its capability is not in its plan"

    latencies = np.array([s for seen in record.values() for s in seen["latencies"]])
    answers = len(latencies)
    print(f"\nload: {SESSIONS} sessions x {TURNS} situations = {answers} answers "
          f"(+{SESSIONS * (TURNS + 3)} other runs) in {wall:.1f} s wall: {answers / wall:.2f} answers/s; "
          f"answer latency median {np.median(latencies):.2f} s, p95 {np.percentile(latencies, 95):.2f} s, "
          f"max {latencies.max():.2f} s")
    assert answers == SESSIONS * TURNS
