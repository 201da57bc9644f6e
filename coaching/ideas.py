"""Ideas for Options worded as options to consider, in the person's voice or the client's, not as instructions."""

from __future__ import annotations

import re

from coaching.voice import CLIENT

# Words after which a verb ending in s belongs to a clause of its own ("in a manner that encourages …").
_BOUND = re.compile(r"\b(?:that|which|who|whose|where|when|while)\b", re.IGNORECASE)
# "… and maintains high standards", "… and uses this information": a verb ending in s before a determiner or an
# adjective-like word; "team and colleagues to apply" keeps its noun.
_VERB_AFTER_AND = re.compile(r"\band\s+((?:\w+ly\s+)?)([a-z]+s)\b(?=,?\s+(?:the|a|an|this|these|their|its|his|her|"
                             r"any|all|key|high|regular|clear|sound|others|them|it|on|in|with|up|out|for|from|own|"
                             r"\w+(?:ing|ed|al|ive|ful|ous|ic|ent|ant|ary|ble)\b))")
# An opening clause that stays in front: "After your next setback, you could write down …".
_OPENING = re.compile(r"^(?:after|when|before|if|once|next time|during|at|in|for|within|each|every)\b[^,;]{0,60},\s*",
                      re.IGNORECASE)
_IRREGULAR = {"is": "be", "has": "have", "does": "do", "goes": "go"}
_OWN = re.compile(r"\b(?:own|one's own)\b")
_YOUR = re.compile(r"\b(?:your|yours|yourself|you)\b", re.IGNORECASE)
_THEIR = {"your": "their", "yours": "theirs", "yourself": "themselves", "you": "they"}


def base(verb: str) -> str:
    """A verb of the third person in its base form: "Provides" → "Provide", "Identifies" → "Identify"."""
    low = verb.lower()
    if low in _IRREGULAR:
        return _match_case(_IRREGULAR[low], verb)
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:sses|shes|ches|xes|zes|cuses)$", low):
        return verb[:-2]
    if low.endswith("s") and not low.endswith("ss"):
        return verb[:-1]
    return verb


def _clause(clause: str) -> str:
    """One clause of an indicator with its leading verb (after any -ly adverbs) and the verbs joined to it by "and"
    put in the base form."""
    words = clause.split(" ")
    n = 0
    while n < len(words) - 1 and words[n].lower().endswith("ly"):
        n += 1
    word = words[n].rstrip(",")
    if word.lower().endswith("s"):
        words[n] = base(word) + words[n][len(word):]
    if n + 2 < len(words) and words[n + 1] == "and":
        k = n + 2  # "Identifies and seeks …", "identifies and constructively addresses …"
        while k < len(words) - 1 and words[k].lower().endswith("ly"):
            k += 1
        if words[k].lower().endswith("s"):
            words[k] = base(words[k])
    out = " ".join(words)
    bound = _BOUND.search(out)
    head, tail = (out[:bound.start()], out[bound.start():]) if bound else (out, "")
    head = _VERB_AFTER_AND.sub(lambda m: f"and {m.group(1)}{base(m.group(2))}", head)
    return head + tail


def as_option(text: str, voice: str, statement: bool) -> str:
    """An idea as an option to consider: "You could provide clear, constructive … feedback …" for a framework
    statement (`statement`: third person, "Provides …"), "You could hold a coaching conversation …" for an
    authored action ("Hold a coaching conversation …"); for a client "Your client could …", their own."""
    text = " ".join(text.split()).rstrip()
    if statement:
        text = "; ".join(_clause(c.strip()) for c in text.split(";"))
    if voice == CLIENT:
        text = _YOUR.sub(lambda m: _match_case(_THEIR[m.group().lower()], m.group()), text)
        text = _OWN.sub("their own", text) if statement else text
        lead = "Your client could"
    else:
        text = _OWN.sub("your own", text) if statement else text
        lead = "You could"
    opening = _OPENING.match(text)
    head, text = (opening.group(), text[opening.end():]) if opening else ("", text)
    first = re.match(r"\w+", text)
    if first and not (len(first.group()) > 1 and first.group().isupper()):
        text = text[:1].lower() + text[1:]
    return f"{head}{lead[:1].lower() + lead[1:] if head else lead} {text}"


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word
