"""The APSC performance-management page parsed into resources."""

from __future__ import annotations

import json
from pathlib import Path

from corpus import resources

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "corpus" / "source" / "apsc-performance-management-page.txt"
COMMITTED = ROOT / "corpus" / "data" / "apsc-resources.json"


def parsed() -> dict:
    return resources.parse_page(PAGE.read_text(encoding="utf-8"), source=f"corpus/source/{PAGE.name}")


def test_committed_file_is_the_parser_output():
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == parsed()


def test_kinds_and_dates():
    items = resources.load(COMMITTED)
    kinds = [r.kind for r in items]
    assert kinds.count("event") == 3
    assert kinds.count("course") == 6
    assert kinds.count("program") == 1
    events = [r for r in items if r.kind == "event"]
    assert [(e.start, e.end) for e in events] == [
        ("2026-05-13", "2026-05-13"), ("2026-06-03", "2026-06-03"), ("2026-06-09", "2026-06-16")]
    assert events[2].dates == "9 June 2026 to 16 June 2026"
    assert events[1].location == "Australia wide (Virtual)"
    assert events[1].mode == "face-to-screen"


def test_descriptions_are_exact_and_deduplicated():
    page = PAGE.read_text(encoding="utf-8").splitlines()
    items = resources.load(COMMITTED)
    for item in items:
        assert item.description in page
    descriptions = [r.description for r in items]
    assert len(descriptions) == len(set(descriptions))
    woop = next(r for r in items if "WOOP" in r.description)
    assert woop.title == "The WOOP model" and woop.kind == "resource"
    reflection = next(r for r in items if r.description.startswith("Reflection is"))
    assert reflection.audience == ("APS employees", "L&D teams")
