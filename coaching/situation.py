"""The plan's situation as the person wrote it: their chat messages joined into sentences, each once."""

from __future__ import annotations

import re
from collections.abc import Iterable

ENDS = ".!?…"
CLOSERS = "\"'”’)]»"
LIMIT = 4000


def sentence(text: str, limit: int = LIMIT) -> str:
    """One message as a sentence: trimmed, cut at a word boundary near `limit` characters, ended with a full stop
    when it has no closing punctuation, and capitalised when its first word is all lower case ("and my director
    …" becomes "And my director …"; "iPhone …" stays)."""
    text = text.strip()
    if len(text) > limit:
        cut = text[:limit]
        space = cut.rfind(" ")
        text = (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"
    if not text:
        return ""
    first = re.match(r"\w+", text)
    if first and first.group().isalpha() and first.group().islower():
        text = text[0].upper() + text[1:]
    if text.rstrip(CLOSERS)[-1:] not in ENDS:
        text += "."
    return text


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def join(messages: Iterable[str], limit: int = LIMIT) -> str:
    """Several messages of one situation, oldest first, as one text: each a sentence, a message repeated word for
    word (ignoring case, spacing and punctuation) kept once."""
    seen: set[str] = set()
    kept = []
    for message in messages:
        key = _key(message)
        if not key or key in seen:
            continue
        seen.add(key)
        kept.append(sentence(message, limit))
    return " ".join(kept)
