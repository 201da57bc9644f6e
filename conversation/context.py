"""Follow-ups: the recent user turns of one situation, combined into one ranking with decaying weights.

The rule: the context of a turn is the user texts of the current situation that got an answer, plus the new
text, at most MAX_TURNS of them, oldest first. Each text is ranked on its own; a capability's (and an
indicator's) combined score is the weighted mean of its scores, the newest text weighing 1 and each older
one DECAY times the one after it (1, 0.5, 0.25). Whether to answer at all is decided on the newest text
alone, so "thanks" or an off-topic aside after a real situation gets the "nothing fits" reply instead of a
repeat of the previous answer. "New situation" starts an empty context.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult

DECAY = 0.5
MAX_TURNS = 3


def window(previous: list[str] | tuple[str, ...], new: str, max_turns: int = MAX_TURNS) -> tuple[str, ...]:
    """The texts a new turn is read with: the previous context plus the new text, the last max_turns."""
    return (*previous, new)[-max(1, max_turns):]


def weights(n: int, decay: float = DECAY) -> tuple[float, ...]:
    """Weights for n texts, oldest first: the newest weighs 1, each older one `decay` times the next."""
    return tuple(decay ** (n - 1 - i) for i in range(n))


def combine(results: list[SearchResult], wts: tuple[float, ...] | list[float]) -> SearchResult:
    """The weighted mean of several rankings, best first.

    Each result must hold the same capabilities with the same indicators (search with every capability and
    every indicator). The confidence (how much the texts read like a work situation at all) is combined the
    same way and judged against the newest result's threshold.
    """
    if not results or len(results) != len(wts):
        raise ValueError("combine needs one weight per result")
    total = float(sum(wts))
    caps: dict[str, list] = {}
    inds: dict[str, dict[str, float]] = {}
    for result, w in zip(results, wts, strict=True):
        for cap in result.capabilities:
            entry = caps.setdefault(cap.id, [cap, 0.0])
            entry[1] += w * cap.score
            scores = inds.setdefault(cap.id, {})
            for ind in cap.indicators:
                scores[ind.id] = scores.get(ind.id, 0.0) + w * ind.score
    matches = []
    for cap_id, (cap, score) in caps.items():
        texts = {ind.id: ind.text for ind in cap.indicators}
        ranked = sorted((IndicatorMatch(i, texts[i], s / total) for i, s in inds[cap_id].items()),
                        key=lambda m: -m.score)
        matches.append(CapabilityMatch(cap.id, cap.name, cap.cluster_id, cap.cluster, cap.description,
                                       score / total, tuple(ranked)))
    matches.sort(key=lambda m: -m.score)
    newest = results[-1]
    confidence = sum(w * r.confidence for r, w in zip(results, wts, strict=True)) / total
    notices = tuple(dict.fromkeys(n for r in results for n in r.notices))
    return SearchResult("\n".join(r.query for r in results), confidence < newest.threshold, tuple(matches),
                        confidence, newest.threshold, any(r.truncated for r in results), notices)


@dataclass(frozen=True)
class Ranked:
    """A turn's texts with their weights, each text's own ranking, and the combined one."""

    texts: tuple[str, ...]
    weights: tuple[float, ...]
    each: tuple[SearchResult, ...]
    combined: SearchResult

    @property
    def newest(self) -> SearchResult:
        return self.each[-1]


def rank(retriever, texts: tuple[str, ...]) -> Ranked:
    """Rank every capability, with every indicator, for each text in one encoder call, and combine them.

    The texts kept (for explanations and the next turn) are the cleaned, length-capped ones the retriever read,
    so a huge paste costs no more later than it did now. Raises retrieval's InputError when a text cannot be
    searched.
    """
    caps = retriever.framework.capabilities
    per_cap = max((len(c.indicators) for c in caps), default=0)
    each = retriever.search_many(list(texts), top=len(caps), indicators=per_cap)
    wts = weights(len(texts))
    combined = retriever.arrange(combine(each, wts), "\n".join(r.query for r in each))
    return Ranked(tuple(r.query for r in each), wts, tuple(each), combined)
