"""Clean and check situation text before it is embedded: blank input, control characters, very long text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
WORD = re.compile(r"[^\W_]")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
MARKUP = [
    (re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S), " "),
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"</?(?:a|b|i|u|s|em|strong|p|br|hr|div|span|img|iframe|object|embed|svg|math|ul|ol|li|h[1-6]|"
                r"table|thead|tbody|tr|td|th|font|code|pre|blockquote|sup|sub|small|big|mark|del|ins|input|form|"
                r"button|select|option|textarea|link|meta|base|body|html|head|title|video|audio|source|center|"
                r"label|section|article|header|footer|nav|main)\b[^<>]{0,500}>", re.I), " "),
    (re.compile(r"!?\[([^\[\]]{0,500})\]\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}\)"), r"\1"),
    (re.compile(r":[a-z]+\[([^\[\]]{0,2000})\]"), r"\1"),
    (re.compile(r"\b(?:https?|javascript|data|ftp):[^\s<>]+", re.I), " "),
    (re.compile(r"(\*\*|__|~~|`+)"), " "),
]


class InputError(ValueError):
    """Text that cannot be searched (for example empty); the message is meant for the user."""


@dataclass(frozen=True)
class Prepared:
    text: str
    truncated: bool
    original_chars: int


def prepare(text: object, max_chars: int) -> Prepared:
    """Normalise Unicode, drop control characters and bidi overrides, fold white space, strip markup
    (see `plain`), cut to max_chars.

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
    text = plain(text)
    if not any(_wordlike(ch) for ch in text):
        raise InputError("please describe a work situation: the text is empty or has no words")
    truncated = len(text) > max_chars
    if truncated:
        cut = _window(text, max_chars)
        space = cut.rfind(" ")
        text = cut[:space] if space > max_chars * 0.8 else cut
    return Prepared(text=text, truncated=truncated or original > max_chars * 4, original_chars=original)


def plain(text: str) -> str:
    """The words without HTML tags, scripts, link targets, URLs and Markdown emphasis, which carry no meaning
    for matching but can outweigh a short situation. Text that is nothing but markup is kept as it is."""
    stripped = text
    for pattern, replacement in MARKUP:
        stripped = pattern.sub(replacement, stripped)
    stripped = "\n".join(" ".join(line.split()) for line in stripped.split("\n") if line.strip())
    return stripped if any(ch.isalnum() for ch in stripped) else text


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
