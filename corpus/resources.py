"""Parse the APSC performance-management page into courses, programs, resources and dated events."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from corpus.parse import slug
from errors import CoachError

PARSER_VERSION = "1"
SECTIONS = {
    "upcoming events": "event",
    "courses": "course",
    "programs": "program",
    "resources": "resource",
    "for learning & development teams and practitioners": "resource",
}
DELIVERY = re.compile(
    r"delivered (?:on (?P<on>\d{2}/\d{2}/\d{4})|from (?P<start>\d{2}/\d{2}/\d{4}) to (?P<end>\d{2}/\d{2}/\d{4})),"
    r" by (?P<mode>[\w-]+) consisting of (?P<sessions>.+?)\.?$"
)
QUOTED = re.compile(r"[‘'](?P<term>[A-Z][A-Za-z ]+)[’']")
ACRONYM = re.compile(r"\((?P<term>[A-Z]{3,})\)")
STOP = re.compile(r"[.:;,(]")


class ResourceError(CoachError, ValueError):
    """A resources file or page that cannot be used."""


@dataclass(frozen=True)
class Resource:
    id: str
    kind: str
    title: str
    description: str
    audience: tuple[str, ...] = ()
    location: str = ""
    start: str = ""
    end: str = ""
    mode: str = ""
    sessions: str = ""

    @property
    def dates(self) -> str:
        """Human-readable dates, e.g. '9 June 2026 to 16 June 2026'; empty when the page gives none."""
        if not self.start:
            return ""
        fmt = "{d.day} {d:%B} {d.year}"
        first = fmt.format(d=date.fromisoformat(self.start))
        if self.end and self.end != self.start:
            return f"{first} to {fmt.format(d=date.fromisoformat(self.end))}"
        return first


def _iso(day: str) -> str:
    d, m, y = day.split("/")
    return f"{y}-{m}-{d}"


def title_of(description: str) -> str:
    """A short label for a page entry, derived from its own words (the page gives no titles)."""
    quoted = QUOTED.search(description)
    if quoted:
        return f"The {quoted.group('term')} model"
    acronym = ACRONYM.search(description)
    if acronym and "magazine" in description.lower():
        return f"{acronym.group('term')} magazine"
    first = STOP.split(description, maxsplit=1)[0].strip()
    words = first.split()
    return " ".join(words[:9]) + ("…" if len(words) > 9 else "")


def parse_page(text: str, source: str = "") -> dict:
    """Turn the page text into a resources document: one entry per course, program, resource or event."""
    entries: list[dict] = []
    by_description: dict[str, dict] = {}
    kind = None
    audience = "APS employees"
    pending_location = ""
    lines = [line.strip() for line in text.splitlines()]
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        lowered = line.lower()
        if lowered in SECTIONS:
            kind = SECTIONS[lowered]
            if lowered.startswith("for learning"):
                audience = "L&D teams"
            continue
        if kind is None or line in ("Date", "Location"):
            continue
        if kind == "event":
            delivery = DELIVERY.search(line)
            if delivery is None:
                pending_location = line
                continue
            start = _iso(delivery.group("on") or delivery.group("start"))
            end = _iso(delivery.group("on") or delivery.group("end"))
            entries.append(
                {
                    "id": f"event-{start}",
                    "kind": "event",
                    "title": f"Course session, {pending_location}",
                    "description": line,
                    "location": pending_location,
                    "start": start,
                    "end": end,
                    "mode": delivery.group("mode"),
                    "sessions": delivery.group("sessions"),
                    "audience": [audience],
                }
            )
            pending_location = ""
            continue
        if line in by_description:
            existing = by_description[line]
            if audience not in existing["audience"]:
                existing["audience"].append(audience)
            continue
        title = title_of(line)
        base = f"{kind}-{'-'.join(slug(line).split('-')[:5])}"
        rid, n = base, 2
        while any(e["id"] == rid for e in entries):
            rid, n = f"{base}-{n}", n + 1
        entry = {"id": rid, "kind": kind, "title": title, "description": line, "audience": [audience]}
        entries.append(entry)
        by_description[line] = entry
    if not any(e["kind"] == "course" for e in entries):
        raise ResourceError(f"{source or 'page'}: no 'Courses' section found")
    return {
        "format": "ils-coach-resources/1",
        "provenance": {
            "source": source,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "parser": f"corpus.resources {PARSER_VERSION}",
            "publisher": "Australian Public Service Commission",
        },
        "resources": entries,
    }


def load(path: str | Path) -> list[Resource]:
    """Load a resources JSON file written by `python -m corpus build`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            Resource(**{**entry, "audience": tuple(entry.get("audience", ()))}) for entry in data["resources"]
        ]
    except FileNotFoundError:
        raise ResourceError(f"{path}: resources file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ResourceError(f"{path}: not valid JSON ({err})") from None
    except (KeyError, TypeError) as err:
        raise ResourceError(f"{path}: malformed resources file ({err})") from None
