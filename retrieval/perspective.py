"""Who a situation is about: a coach's account of a client is read as the client's own account."""

from __future__ import annotations

import re
from functools import lru_cache

APOSTROPHE = "['’]"
I_AM = r"\b(?:I" + APOSTROPHE + r"?m|im|I\s+am)\s+"
START = r"(?:^|(?<=[.!?]\s)|(?<=\n))"
# How a coach names the person they coach, and what that becomes in the person's own voice. A text is about a client
# when one of these is in it. A mentor is left out: a leader mentoring someone is showing their own capability
# ("Where do I start with her?"), while a coach's client is the one whose capability is in question.
LEADS = [
    (r"(?:\bI" + APOSTROPHE + r"?ve\s+|\bI\s+have\s+|" + START + r"have\s+)(?:got\s+)?an?\s+"
     r"(?:[A-Za-z&]+\s+)?(?:coaching\s+)?client(?:\s+(?:who|that)\b|,)?", "I"),
    (r"(?:" + I_AM + "|" + START + r")coaching\s+(an?)\b", r"I am \1"),
    (r"\bI\s+coach\s+(an?)\b", r"I am \1"),
    (r"\b(?:(?:my|a|the)\s+)?coachee\b", "I"),
    (r"\b(?:my\s+client|a\s+client\s+of\s+mine|one\s+of\s+my\s+clients)\b", "I"),
    (START + r"(?:the\s+)?client(?=\s+(?:is|was|has|had|says|said|keeps|kept|wants|thinks|feels|tells|told|"
     r"gets|got|can|needs|(?:can|doesn|isn)" + APOSTROPHE + r"?t)\b)", "I"),
]
# Once a client is named, "the client" is them too; then their third-person words as they would say them ("I"
# stands for a subject that was "she" or "he"). Order matters: a contraction before the bare pronoun.
SUBJECT = r"\b(?:she|he)"
SWAPS = [
    (r"\bthe\s+client\b", "I"),
    (SUBJECT + APOSTROPHE + r"s\s+(been|got|gotten|had|done|never|always|already|just|started|stopped|"
     r"become|lost|taken|told|asked|said)\b", r"I've \1"),
    (SUBJECT + APOSTROPHE + "s\\b", "I'm"),
    (SUBJECT + r"s\b", "im"),
    (SUBJECT + APOSTROPHE + "(d|ll)\\b", r"I'\1"),
    (SUBJECT + r"\b", "I"),
    (r"\b(?:herself|himself)\b", "myself"),
    (r"\bhis\b", "my"),
    (r"\b(?:him|her)(?=\s*(?:[.,;:!?)]|$|\s(?:to|for|with|about|into|on|in|at|that|if|and|or|but|as|"
     r"the|a|an|it|this|what|how|why|when|he|she|they|we|i)\b))", "me"),
    (r"\bher\b", "my"),
]
# After "I" made from "she" or "he", the verb that agreed with the third person (these alone match case as written).
VERBS = [
    (r"\bI is\b", "I am"),
    (r"\bI has\b", "I have"),
    (r"\bI does\b", "I do"),
    (r"\bI doesn" + APOSTROPHE + "?t\\b", "I don't"),
    (r"\bI hasn" + APOSTROPHE + "?t\\b", "I haven't"),
    (r"\bI ((?:never|always|just|really|still|often|rarely|only|sometimes|also|honestly|actually|simply) )?"
     r"(?!(?:was|is|has|does|always|sometimes|also)\b)([a-z]{2,}[^s\W])s\b", r"I \1\2"),
]


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple, tuple]:
    """The patterns compiled on first use, not at import: the leads, and every rewrite in order (leads, swaps,
    verbs). A text that never says "client" or "coach" (every lead has one of them) does not need them at all."""
    leads = tuple((re.compile(p, re.I), r) for p, r in LEADS)
    rewrites = (*leads, *((re.compile(p, re.I), r) for p, r in SWAPS), *((re.compile(p), r) for p, r in VERBS))
    return leads, rewrites


def about_client(text: str) -> bool:
    """Does the text speak of a client or coachee?"""
    lower = text.lower()
    if "client" not in lower and "coach" not in lower:
        return False
    return any(pattern.search(text) for pattern, _ in _rules()[0])


def as_client(text: str) -> str:
    """The text with its client as the speaker ("My client says she's out of her depth" becomes "I say I'm out of
    my depth"); a text that names no client is returned as it is. The writer's own "I" and "me" are left alone, so
    a coach's remark reads as the client's: the ranking is about the client."""
    if not about_client(text):
        return text
    for pattern, replacement in _rules()[1]:
        text = pattern.sub(lambda m, r=replacement: _cased(m, r), text)
    return text


def _cased(match: re.Match, replacement: str) -> str:
    """The replacement for a match, with a capital first letter where the words it replaces had one."""
    out = match.expand(replacement)
    return out[:1].upper() + out[1:] if match.group(0)[:1].isupper() else out
