"""Parse the ILS profile text export (tab-separated rows with HTML fragments) into a framework document."""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from pathlib import Path

from corpus.model import FORMAT
from errors import CoachError

PARSER_VERSION = "1"
TAG = re.compile(r"<[^>]+>")
ITEM = re.compile(r"<li>(.*?)</li>", re.S)
LEVEL = re.compile(r"^#\s+(.+?)\s+profile\s*$", re.I | re.M)
NOTE = re.compile(r"^Note:\s*(.+)$", re.M)


class ParseError(CoachError, ValueError):
    """The export does not have the shape the parser expects; the message says what is missing."""


def clean(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, white space folded."""
    return " ".join(html.unescape(TAG.sub(" ", fragment)).split())


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def key(name: str) -> str:
    """A spelling-tolerant comparison key: letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _cells(line: str) -> list[str]:
    return line.rstrip("\n").split("\t")


def _summary(lines: list[str]) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """Cluster order and, per cluster, (capability name, summary description) from the summary table."""
    start = next((i for i, line in enumerate(lines) if LEVEL.match(line)), None)
    if start is None:
        raise ParseError("no '# <level> profile' heading before the summary table")
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("Note:") or line.startswith("## "):
            break
        if "\t" in line:
            rows.append(_cells(line))
    if len(rows) < 3:
        raise ParseError("the summary table has fewer than three rows")
    clusters = [clean(c) for c in rows[0] if clean(c)]
    members: dict[str, list[tuple[str, str]]] = {c: [] for c in clusters}
    for names, descs in zip(rows[1::2], rows[2::2], strict=False):
        for col, cell in enumerate(names[: len(clusters)]):
            name = clean(cell)
            if name:
                desc = clean(descs[col]) if col < len(descs) else ""
                members[clusters[col]].append((name, desc))
    return clusters, members


def _details(lines: list[str]) -> list[dict]:
    """Every capability of the detailed tables, in reading order, with description and indicators."""
    found = []
    current: list[str] | None = None
    for number, line in enumerate(lines, 1):
        cells = _cells(line)
        label = clean(cells[0]).lower()
        if label == "capability":
            current = [clean(c) for c in cells[1:]]
            while current and not current[-1]:
                current.pop()
            base = len(found)
            found.extend({"name": n, "line": number, "description": "", "indicators": []} for n in current)
        elif current is not None and label == "description":
            for col, cell in enumerate(cells[1 : len(current) + 1]):
                found[base + col]["description"] = clean(cell)
        elif current is not None and label == "behavioural indicators":
            for col, cell in enumerate(cells[1 : len(current) + 1]):
                items = [clean(item) for item in ITEM.findall(cell)]
                found[base + col]["indicators"] = [re.sub(r"^\*\s*", "", i) for i in items if i]
    return found


def _match(name: str, candidates: dict[str, str]) -> str | None:
    """The candidate whose key equals name's, or is nearly equal (spelling variants such as judgment/judgement)."""
    k = key(name)
    if k in candidates:
        return candidates[k]
    close = difflib.get_close_matches(k, list(candidates), n=1, cutoff=0.9)
    return candidates[close[0]] if close else None


def parse_profile(text: str, source: str = "", framework_name: str = "APS Integrated Leadership System") -> dict:
    """Turn the text export of an ILS individual profile into a framework document (see corpus.model)."""
    lines = text.splitlines()
    level_match = LEVEL.search(text)
    level = level_match.group(1).strip() if level_match else ""
    clusters, members = _summary(lines)
    summary_of = {}
    cluster_of = {}
    for cluster in clusters:
        for name, desc in members[cluster]:
            summary_of[key(name)] = desc
            cluster_of[key(name)] = cluster
    details = _details(lines)
    if not details:
        raise ParseError("no detailed 'Capability' tables found")
    by_cluster: dict[str, list[dict]] = {c: [] for c in clusters}
    for cap in details:
        where = f"capability {cap['name']!r} (line {cap['line']})"
        cluster = _match(cap["name"], {k: v for k, v in cluster_of.items()})
        if cluster is None:
            raise ParseError(f"{where} is not in the summary table")
        if not cap["description"]:
            raise ParseError(f"{where} has no description")
        if not cap["indicators"]:
            raise ParseError(f"{where} has no behavioural indicators")
        summary_key = key(_match(cap["name"], {k: k for k in summary_of}) or "")
        cap["summary"] = summary_of.get(summary_key, "")
        by_cluster[cluster].append(cap)
    for cluster in clusters:
        expected = len(members[cluster])
        if len(by_cluster[cluster]) != expected:
            raise ParseError(
                f"cluster {cluster!r}: summary lists {expected} capabilities, detailed tables have "
                f"{len(by_cluster[cluster])}"
            )
    level_slug = slug(level) or "profile"
    document = {
        "format": FORMAT,
        "id": f"ils-{level_slug}",
        "name": framework_name,
        "level": level,
        "notes": [m.strip() for m in NOTE.findall(text)],
        "provenance": {
            "source": source,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "parser": f"corpus.parse {PARSER_VERSION}",
            "publisher": "Australian Public Service Commission",
        },
        "clusters": [],
    }
    for cluster in clusters:
        caps = []
        for cap in by_cluster[cluster]:
            cap_id = slug(cap["name"])
            caps.append(
                {
                    "id": cap_id,
                    "name": cap["name"],
                    "description": cap["description"],
                    "summary": cap["summary"],
                    "indicators": [
                        {"id": f"{cap_id}.{n}", "text": text} for n, text in enumerate(cap["indicators"], 1)
                    ],
                }
            )
        document["clusters"].append({"id": slug(cluster), "name": cluster, "capabilities": caps})
    return document


def parse_file(path: str | Path, source: str | None = None) -> dict:
    path = Path(path)
    return parse_profile(path.read_text(encoding="utf-8"), source=source or path.name)
