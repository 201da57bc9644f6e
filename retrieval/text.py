"""Clean and check situation text before it is embedded: blank input, control characters, very long text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WORD = re.compile(r"[^\W_]")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


class InputError(ValueError):
    """Text that cannot be searched (for example empty); the message is meant for the user."""


@dataclass(frozen=True)
class Prepared:
    text: str
    truncated: bool
    original_chars: int


def prepare(text: object, max_chars: int) -> Prepared:
    """Normalise Unicode, drop control characters and bidi overrides, fold white space, cut to max_chars.

    Lone surrogates become U+FFFD (a surrogate pair is joined). A huge paste is cut before any other work, so its
    size never costs more than a normal query; a long run without letters or digits (a ruler of dashes, say) is
    skipped rather than read in place of the words.
    """
    if not isinstance(text, str):
        raise InputError("the situation must be text")
    original = len(text)
    if original > max_chars * 4:
        text = _window(text, max_chars * 4)
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = unicodedata.normalize("NFKC", text)
    text = CONTROL.sub(" ", text)
    text = " ".join(part for part in re.split(r"[ \t\r\f\v]+", text) if part)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    if not any(_wordlike(ch) for ch in text):
        raise InputError("please describe a work situation: the text is empty or has no words")
    truncated = len(text) > max_chars
    if truncated:
        cut = _window(text, max_chars)
        space = cut.rfind(" ")
        text = cut[:space] if space > max_chars * 0.8 else cut
    return Prepared(text=text, truncated=truncated or original > max_chars * 4, original_chars=original)


def _wordlike(ch: str) -> bool:
    """A letter, digit or symbol (emoji count; the replacement mark for undecodable bytes does not)."""
    return ch.isalnum() or (unicodedata.category(ch).startswith("S") and ch != "\ufffd")


def _window(text: str, size: int) -> str:
    """The first `size` characters, or, if they hold no letter or digit, `size` characters from the first one."""
    head = text[:size]
    if WORD.search(head):
        return head
    found = WORD.search(text, size)
    return text[found.start(): found.start() + size] if found else head


def sentences(text: str, limit: int = 12) -> list[str]:
    """Split into sentences (at most `limit`, keeping the first ones), dropping fragments of one word."""
    parts = [p.strip() for p in SENTENCE.split(text) if p and p.strip()]
    return [p for p in parts if len(p.split()) > 1][:limit]
