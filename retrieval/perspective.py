"""Who a situation is about: a coach's account of a client is read as the client's own account."""

from __future__ import annotations

import re

# A coach, mentor or adviser writing about the person they coach: "my client", "our coachee", "I'm coaching a FAS".
CLIENT = re.compile(r"\bmy\s+(?:client|coachee)\b|\b(?:a\s+client\s+of\s+mine|one\s+of\s+my\s+clients)\b|"
                    r"\bI(?:'|’)?(?:ve|\s+have)(?:\s+got)?\s+an?\s+(?:coaching\s+)?client\s+(?:who|that)\b|"
                    r"\bI(?:'|’)?m\s+coaching\b|\bI\s+am\s+coaching\b|\bcoachee\b", re.I)
APOSTROPHE = "['’]"
# The client's third-person words, as the client would say them; "I" stands for a subject that was "she" or "he".
# Order matters: a contraction before the bare pronoun, "is"/"has" forms before the bare subject.
SUBJECT = r"\b(?:she|he)"
SWAPS = [
    (re.compile(r"\bI(?:'|’)?(?:ve|\s+have)(?:\s+got)?\s+an?\s+(?:coaching\s+)?client\s+(?:who|that)\b", re.I), "I"),
    (re.compile(r"\b(?:(?:my|a|the)\s+(?:client|coachee)(?:\s+of\s+mine)?|one\s+of\s+my\s+clients)\b", re.I), "I"),
    (re.compile(SUBJECT + APOSTROPHE + r"s\s+(been|got|gotten|had|done|never|always|already|just|started|stopped|"
                r"become|lost|taken|told|asked|said)\b", re.I), r"I've \1"),
    (re.compile(SUBJECT + APOSTROPHE + "s\\b", re.I), "I'm"),
    (re.compile(SUBJECT + r"s\b", re.I), "im"),
    (re.compile(SUBJECT + APOSTROPHE + "(d|ll)\\b", re.I), r"I'\1"),
    (re.compile(SUBJECT + r"\b", re.I), "I"),
    (re.compile(r"\b(?:herself|himself)\b", re.I), "myself"),
    (re.compile(r"\bhis\b", re.I), "my"),
    (re.compile(r"\b(?:him|her)(?=\s*(?:[.,;:!?)]|$|\s(?:to|for|with|about|into|on|in|at|that|if|and|or|but|as|"
                r"the|a|an|it|this|what|how|why|when|he|she|they|we|i)\b))", re.I), "me"),
    (re.compile(r"\bher\b", re.I), "my"),
]
# After "I" made from "she" or "he", the verb that agreed with the third person.
VERBS = [
    (re.compile(r"\bI is\b"), "I am"),
    (re.compile(r"\bI has\b"), "I have"),
    (re.compile(r"\bI does\b"), "I do"),
    (re.compile(r"\bI doesn" + APOSTROPHE + "?t\\b"), "I don't"),
    (re.compile(r"\bI (?!(?:was|is|has|does|always|sometimes|also)\b)([a-z]{2,}[^s\W])s\b"), r"I \1"),
]


def about_client(text: str) -> bool:
    """Does the text speak of a client or coachee?"""
    return bool(CLIENT.search(text))


def as_client(text: str) -> str:
    """The text with its client as the speaker ("My client says she's out of her depth" becomes "I says I'm out
    of my depth", the verb agreeing: "I say"); a text that names no client is returned as it is. The writer's
    own "I" and "me" are left alone, so a coach's remark reads as the client's; the ranking is about the client."""
    if not about_client(text):
        return text
    for pattern, replacement in SWAPS:
        text = pattern.sub(replacement, text)
    for pattern, replacement in VERBS:
        text = pattern.sub(replacement, text)
    return text
