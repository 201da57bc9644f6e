"""The fixed list of work situations the latency benchmarks query with (bench/situations.txt)."""

from __future__ import annotations

from pathlib import Path

SITUATIONS = Path(__file__).resolve().parent / "situations.txt"


def situations(path: Path = SITUATIONS) -> list[str]:
    """Non-blank lines that are not comments, in file order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
