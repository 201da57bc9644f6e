"""The project's text rules in one place: cleaning situation text, sentences, words, stop words and stems."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from errors import UsageError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LETTER = re.compile(r"[^\W_]")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*")
MAX_SENTENCES = 12
STOP = frozenset("""
a about above after again against all also am an and any are as at be been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once one
only or other our ours ourselves out over own really same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up us very was we were what when where which
while who whom why will with would you your yours yourself yourselves get gets got keep keeps kept going want wants
need needs like lot lots thing things way still even much many every someone something anyone anything ive im dont
think thought feel felt know knew seem seems seemed guess maybe probably sure id ill youve hes shes thats theres
doesnt didnt cant wont isnt arent wasnt werent havent hasnt shouldnt wouldnt couldnt weve theyre theyve youre lets
let make makes made bit quite pretty just honestly actually basically literally ok okay yeah yes
""".split())
# Where one part of a sentence ends and another begins, inside a sentence: punctuation, a quote mark at the edge of
# a word ("has been 'green'", not "division's"), a spaced dash, and the words that join clauses.
CLAUSE_MARK = re.compile(r"[.,;:!?()\"“”]|(?<![^\W_])['‘’`]|['‘’`](?![^\W_])|\s[-–—]+\s|--")
CONNECTIVES = frozenset("""
and or but nor because cos coz when whenever while whilst if unless until that which who whom whose where so
although though than whereas since
""".split())
# Hedges that frame a sentence rather than say what it is about ("if I'm honest, I've been avoiding it"): their
# words are never a reason, nor evidence for an indicator about honesty or fairness. "The honest answer is" is not
# one of them.
_NOT_A_HEDGE_BEFORE = "".join(rf"(?<!\b{w}\s)" for w in (
    "need", "needs", "have", "has", "had", "want", "wants", "must", "should", "going", "trying", "try", "tries",
    "able", "chose", "choose", "asked", "hard", "important", "willing", "prepared", "ready"))
ASIDE = re.compile(
    r"\b(?:(?:if\s+i['’]?\s?m|if\s+i\s+am)(?:\s+being)?|" + _NOT_A_HEDGE_BEFORE + r"(?:to\s+be|being)|in\s+all)\s+"
    r"(?:brutally\s+)?(?:honest|frank|fair|truthful)\b"
    r"(?!\s+(?:with|about|to|towards?|in|on|and|enough|is|was|means|feedback|conversation|answer|view))|"
    r"\bin\s+(?:all\s+)?(?:fairness|honesty)\b|\btruth\s+be\s+told\b|"
    + "".join(rf"(?<!\b{w}\s)" for w in ("speak", "speaks", "spoke", "speaking", "talk", "talks", "talked",
                                          "talking", "tell", "told", "say", "said", "write", "wrote", "answer",
                                          "answered", "more", "very", "so", "too", "quite"))
    + r"\b(?:(?:quite|very)\s+)?frankly\b", re.I)
SPELLING = [
    (re.compile(r"iz"), "is"),
    (re.compile(r"yz"), "ys"),
    (re.compile(r"^judgment"), "judgement"),
    (re.compile(r"^(behavi|col|endeav|fav|hon|lab|neighb)or"), r"\1our"),
]
_STEMMER = Stemmer.Stemmer("english")
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


class InputError(UsageError):
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
    if LETTER.search(head):
        return head
    found = LETTER.search(text, size)
    return text[found.start(): found.start() + size] if found else head


def sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The sentences of a text, the first `limit` of them, dropping fragments of one word (a text with no
    sentence breaks is one sentence). Ranking and explanations read the same sentences."""
    parts = [p.strip() for p in SENTENCE.split(text) if p and p.strip()]
    return [p for p in parts if len(p.split()) > 1][:limit]


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case, curly apostrophes straightened, American spellings folded to Australian ones."""
    word = unicodedata.normalize("NFKC", word).lower().replace("’", "'")
    for pattern, repl in SPELLING:
        word = pattern.sub(repl, word)
    return word


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """A word as compared with the stop list: folded, without apostrophes."""
    return fold(word).replace("'", "")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem of a folded word, possessive dropped: "negotiating",
    "negotiation" and "negotiations" all give "negoti"."""
    word = re.sub(r"'s?$", "", fold(word))
    return _STEMMER.stemWord(word.replace("'", ""))


def without_asides(text: str) -> str:
    """The text with each hedge (ASIDE) blanked out, character for character, so that offsets still hold."""
    return ASIDE.sub(lambda m: " " * len(m.group()), text)


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for every word of a text."""
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def is_content(word: str) -> bool:
    """A word that carries meaning: not a stop word, not a single letter, not a number."""
    k = key(word)
    return len(k) > 1 and k not in STOP and not k.isdigit()


def content_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each word of a text that carries meaning."""
    return [w for w in words(text) if is_content(w[2])]


def tokens(text: str) -> list[str]:
    """The stems of a text's content words, in order (what lexical matching compares)."""
    return [stem(w) for _, _, w in content_words(text)]


def same_stem(a: str, b: str) -> bool:
    """Whether two words share a stem."""
    return stem(a) == stem(b)
