"""Why something matched: the user's own words that connect their situation to an indicator or a capability.

For each target (an indicator), the sentence of the user's text closest to it is found; each content word of
that sentence is then left out in turn and the sentence re-embedded. The words whose removal lowers the
similarity most are the ones the match rests on. Words that share a stem with the indicator's own wording
are always kept, because a reader sees that link at once. The capability-level reason is the authored
example situation closest to the user's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

STOP = frozenset("""
a about above after again against all also am an and any are as at be been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once one
only or other our ours ourselves out over own really same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up us very was we were what when where which
while who whom why will with would you your yours yourself yourselves get gets got keep keeps kept going want wants
need needs like lot lots thing things way still even much many every someone something anyone anything ive im dont
think thought feel felt know knew seem seems seemed guess maybe probably sure
doesnt didnt cant wont isnt arent weve theyre theyve youre its lets let make makes made
""".split())
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*(?:-[A-Za-z0-9]+)*")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
MIN_DROP = 0.01
MAX_WORDS = 3
MAX_SENTENCES = 8
MAX_SENTENCE_WORDS = 40
MAX_VARIANTS = 60


@dataclass(frozen=True)
class Reason:
    """The user's words an indicator's match rests on, most telling first, and the sentence they are in."""

    words: tuple[str, ...]
    sentence: str


def sentences(text: str) -> list[str]:
    """The sentences of a text (a text without sentence breaks is one sentence)."""
    parts = [p.strip() for p in SENTENCE.split(text) if p and p.strip()]
    return parts or ([text.strip()] if text.strip() else [])


def content_words(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each word of a sentence that carries meaning (not a stop word, not one letter)."""
    found = []
    for m in WORD.finditer(sentence):
        word = m.group()
        key = re.sub(r"['’]", "", word.lower())
        if len(key) > 1 and key not in STOP and not key.isdigit():
            found.append((m.start(), m.end(), word))
    return found


def stem(word: str) -> str:
    """A crude English stem: lower case, possessive and common endings removed ("negotiating" -> "negotiat")."""
    word = re.sub(r"['’]s?$", "", word.lower())
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ions", "ion", "ies", "ers", "er", "ed",
                   "es", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def same_stem(a: str, b: str) -> bool:
    """Whether two words come from one stem: equal stems, or one stem of six letters or more starts the other."""
    a, b = stem(a), stem(b)
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 6 and long.startswith(short))


def shares_stem(word: str, text: str) -> bool:
    """Whether a word and some word of a text come from the same stem."""
    return any(same_stem(word, other) for _, _, other in content_words(text))


def _without(sentence: str, start: int, end: int) -> str:
    return " ".join((sentence[:start] + sentence[end:]).split())


@dataclass(frozen=True)
class Explained:
    """Reasons, one per target, and the weighted situation vector (unit length) they were read against."""

    reasons: tuple[Reason, ...]
    query: np.ndarray


def explain(encoder, texts: tuple[str, ...], wts: tuple[float, ...], targets: list[tuple[np.ndarray, str]],
            max_words: int = MAX_WORDS) -> Explained:
    """A Reason for each target (a unit vector and its wording), read against the user's weighted texts.

    Costs two encoder calls: one for the texts and their sentences, one for the chosen sentences with each
    word left out (at most MAX_VARIANTS of them, the sentences most targets chose first).
    """
    segs: list[tuple[str, float]] = []
    for text, w in zip(texts, wts, strict=True):
        segs.extend((s, w) for s in sentences(text))
    segs = segs[-MAX_SENTENCES:]
    unique = list(dict.fromkeys([*texts, *(s for s, _ in segs)]))
    encoded = encoder.encode(unique)
    row = {text: n for n, text in enumerate(unique)}
    query = (np.asarray(wts, dtype=np.float32)[:, None] * encoded[[row[t] for t in texts]]).sum(axis=0)
    query = query / max(float(np.linalg.norm(query)), 1e-9)
    if not targets or not segs:
        return Explained(tuple(Reason((), "") for _ in targets), query)
    seg_vecs = encoded[[row[s] for s, _ in segs]]
    target_vecs = np.stack([np.asarray(v, dtype=np.float32) for v, _ in targets])
    fit = (seg_vecs @ target_vecs.T) * np.array([w for _, w in segs], dtype=np.float32)[:, None]
    best = fit.argmax(axis=0)

    chosen = sorted(set(int(b) for b in best), key=lambda s: -int((best == s).sum()))
    variants: list[str] = []
    spans: dict[int, list[tuple[int, str]]] = {s: [] for s in chosen}
    for s in chosen:
        sentence = segs[s][0]
        for start, end, word in content_words(sentence)[:MAX_SENTENCE_WORDS]:
            rest = _without(sentence, start, end)
            if rest and len(variants) < MAX_VARIANTS:
                spans[s].append((len(variants), word))
                variants.append(rest)
    var_vecs = encoder.encode(variants) if variants else np.zeros((0, target_vecs.shape[1]), dtype=np.float32)

    reasons = []
    for t, (_, wording) in enumerate(targets):
        s = int(best[t])
        base = float(seg_vecs[s] @ target_vecs[t])
        dropped = {word: base - float(var_vecs[n] @ target_vecs[t]) for n, word in spans[s]}
        theirs = [w for _, _, w in content_words(wording)]
        scored = []
        for _, _, word in content_words(segs[s][0]):
            shared = any(same_stem(word, other) for other in theirs)
            drop = dropped.get(word, 0.0)
            if drop >= MIN_DROP or shared:
                scored.append((not shared, -drop, word))
        words: list[str] = []
        for _, _, word in sorted(scored):
            if word.lower() not in (w.lower() for w in words):
                words.append(word)
        reasons.append(Reason(tuple(words[:max_words]), segs[s][0]))
    return Explained(tuple(reasons), query)


def closest_examples(vectors: np.ndarray, items: list, query: np.ndarray) -> dict[str, str]:
    """For each capability, the text of its authored example situation closest to the query vector.

    `items` are the index items in row order (with kind, capability_id, text); `vectors` their unit vectors.
    """
    rows = [i for i, item in enumerate(items) if item.kind == "exemplar"]
    if not rows:
        return {}
    sims = vectors[rows] @ np.asarray(query, dtype=np.float32)
    best: dict[str, tuple[float, str]] = {}
    for row, sim in zip(rows, sims, strict=True):
        item = items[row]
        if item.capability_id not in best or sim > best[item.capability_id][0]:
            best[item.capability_id] = (float(sim), item.text)
    return {cap: text for cap, (_, text) in best.items()}
