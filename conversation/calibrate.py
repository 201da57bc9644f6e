"""Re-derive the edge rules' figures on the real model: the strength table and how the thin-input rule fares.

`python -m conversation.calibrate` ranks the dev situations of tests/data/situations.jsonl and the lines of
corpus/data/vague.json with the current model and index, and prints the binned strength table (compare with
conversation.strength.TABLE) and how many of each list the chat would ask back.
"""

from __future__ import annotations

import json
from pathlib import Path

from conversation import context, edges

ROOT = Path(__file__).resolve().parents[1]
BINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
TOP_CARDS = 3


def binned(points: list[tuple[float, bool]], floors: tuple[float, ...] = BINS) -> list[tuple[float, int, int]]:
    """(floor, cards, right) for each score bin, lowest first; empty bins are left out."""
    rows = []
    for n, floor in enumerate(floors):
        ceiling = floors[n + 1] if n + 1 < len(floors) else float("inf")
        hits = [right for score, right in points if floor <= score < ceiling]
        if hits:
            rows.append((floor, len(hits), sum(hits)))
    return rows


def monotone(rows: list[tuple[float, int, int]]) -> list[tuple[float, int, float]]:
    """Pool adjacent bins whose share of right cards falls as the score rises (pool adjacent violators):
    (floor, cards, share right), lowest first, shares never falling."""
    blocks = [list(row) for row in rows]
    n = 0
    while n < len(blocks) - 1:
        if blocks[n][2] / blocks[n][1] > blocks[n + 1][2] / blocks[n + 1][1]:
            blocks[n] = [blocks[n][0], blocks[n][1] + blocks[n + 1][1], blocks[n][2] + blocks[n + 1][2]]
            del blocks[n + 1]
            n = max(n - 1, 0)
        else:
            n += 1
    return [(floor, cards, right / cards) for floor, cards, right in blocks]


def main() -> None:
    from coach import environment, load_coach

    environment()
    retriever = load_coach(safety=False).retriever
    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "situations.jsonl").open(encoding="utf-8")]
    dev = [row for row in rows if row["split"] == "dev"]
    points, answered = [], 0
    for row in dev:
        result = context.rank(retriever, (row["text"],)).combined
        if result.off_topic:
            continue
        answered += 1
        points += [(cap.score, cap.id in row["labels"]) for cap in result.capabilities[:TOP_CARDS]]
    print(f"strength: top {TOP_CARDS} cards of {answered} answered dev situations")
    for floor, cards, share in reversed(monotone(binned(points))):
        print(f"  score >= {floor:.2f}: {share:.3f} right ({cards} cards)")
    vague = json.loads((ROOT / "corpus" / "data" / "vague.json").read_text(encoding="utf-8"))
    for name, texts in (("vague lines", vague["examples"]), ("short real lines", vague["short_situations"]),
                        ("dev situations", [row["text"] for row in dev])):
        kept = [t for t in texts if not retriever.search(t).off_topic]
        asked = sum(edges.too_thin((t,)) for t in kept)
        print(f"thin: {asked} of {len(kept)} {name} (not off-topic) asked back")


if __name__ == "__main__":
    main()
