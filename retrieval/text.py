"""Clean and check situation text before it is embedded: blank input, control characters, very long text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


class InputError(ValueError):
    """Text that cannot be searched (for example empty); the message is meant for the user."""


@dataclass(frozen=True)
class Prepared:
    text: str
    truncated: bool
    original_chars: int


def prepare(text: object, max_chars: int) -> Prepared:
    """Normalise Unicode, drop control characters and lone surrogates, fold white space, cut to max_chars."""
    if not isinstance(text, str):
        raise InputError("the situation must be text")
    original = len(text)
    if original > max_chars * 4:
        text = text[: max_chars * 4]
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFKC", text)
    text = CONTROL.sub(" ", text)
    text = " ".join(part for part in re.split(r"[ \t\r\f\v]+", text) if part)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    if not text or not any(ch.isalnum() or unicodedata.category(ch).startswith("S") for ch in text):
        raise InputError("please describe a work situation: the text is empty or has no words")
    truncated = len(text) > max_chars
    if truncated:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = cut[:space] if space > max_chars * 0.8 else cut
    return Prepared(text=text, truncated=truncated or original > max_chars * 4, original_chars=original)


def sentences(text: str, limit: int = 12) -> list[str]:
    """Split into sentences (at most `limit`, keeping the first ones), dropping fragments of one word."""
    parts = [p.strip() for p in SENTENCE.split(text) if p and p.strip()]
    return [p for p in parts if len(p.split()) > 1][:limit]
