"""Word cues in a situation: a cue matches where a word of the text starts with it (so "coach" finds "coaching")."""

from __future__ import annotations

import re
from collections.abc import Iterable


def found(text: str, cues: Iterable[str]) -> tuple[str, ...]:
    """The cues that occur in the text, case-insensitively, each at the start of a word, in the cues' order."""
    flat = " ".join(text.split()).lower()
    hits = []
    for cue in cues:
        cue = " ".join(cue.split()).lower()
        if cue and re.search(r"(?<![\w-])" + re.escape(cue), flat):
            hits.append(cue)
    return tuple(dict.fromkeys(hits))


def brief(text: str, words: int = 18) -> str:
    """A short quote of a situation: its first sentence, or its first words, in curly quotes; '' when empty."""
    flat = " ".join(text.split())
    if not flat:
        return ""
    sentence = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0].rstrip(".!? ")
    parts = sentence.split()
    short = " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    return f"“{short}”"


def short(text: str, words: int = 8) -> str:
    """An indicator quoted briefly: its first words in curly quotes, without its closing full stop."""
    parts = text.rstrip(". ").split()
    head = " ".join(parts[:words])
    return "“" + (head.rstrip(";,:") + "…" if len(parts) > words else head) + "”"
