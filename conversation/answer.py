"""The answer to one chat turn: every capability ranked for the situation so far and explained; and what to show.

`respond` does the work once per turn (ranking, follow-up combination, explanations); `view` picks what the
page shows under the current sidebar settings (clusters, number of results), so changing a setting re-draws
earlier answers without searching again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from conversation import context, edges, strength
from conversation.questions import Coaching
from index.embed import Memory, remembering
from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult
from retrieval.text import InputError
from safety import guard as safety

ANSWER, NOTHING_FITS, PROBLEM, SAFETY = "answer", "nothing-fits", "problem", "safety"
CLARIFY, CANNOT = "clarify", "cannot"  # too thin to rank well (cards held back); a request it cannot do
SHOWN_INDICATORS = 3
CLEAR_LEAD = 0.75  # the best match leads clearly when the next scores under 75 % of it

NOTHING_FITS_FIRST = (
    "I can't find a work situation in that, so I won't guess at capabilities. Tell me about something that is "
    "happening at work: who is involved, what is at stake and what makes it hard."
)
NOT_A_SITUATION = "Tell me about that situation: who is involved, what is at stake and what you need to do."
NOTHING_FITS_LATER = (
    "That doesn't read like part of a work situation, so I have left the answer above as it was. Tell me more "
    "about what is happening, or choose “New situation” to start again."
)


@dataclass(frozen=True)
class Evidence:
    """An indicator shown on a card, with the user's words its match rests on. `fits` is False for the
    closest indicator of a capability none of whose indicators reaches the fit threshold."""

    match: IndicatorMatch
    words: tuple[str, ...]
    fits: bool = True


@dataclass(frozen=True)
class Card:
    """One capability in an answer: its match, its relevance relative to the best match (0..1), a plain label
    of its calibrated strength (conversation.strength), its explained indicators, and the authored example
    situation closest to the user's."""

    match: CapabilityMatch
    relevance: float
    band: str
    evidence: tuple[Evidence, ...]
    example: str = ""

    @property
    def chance(self) -> float:
        """The calibrated chance (0..1) that this capability is right for the situation."""
        return strength.probability(self.match.score)


@dataclass(frozen=True)
class Answer:
    """What the chat found for one turn. `texts` are the user texts it was read with, oldest first. `lead` is
    said before the cards (a request it cannot do), `prompts` follow a clarifying question, and `prepare`
    offers the coaching preparation prompts for a "how do I" question about a conversation. `held`, on a care
    reply given on the detector's reading alone (no pattern matched), is the work answer the text would have had:
    shown only if the person says the message was about work (a false alarm then costs one click)."""

    kind: str
    message: str
    texts: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    result: SearchResult | None = None
    cards: tuple[Card, ...] = ()
    notices: tuple[str, ...] = ()
    lead: str = ""
    prompts: tuple[str, ...] = ()
    prepare: bool = False
    held: Answer | None = None

    @property
    def situation(self) -> str:
        """The situation as the chat understood it: its texts joined."""
        return " ".join(self.texts)

    @property
    def follow_up(self) -> bool:
        return len(self.texts) > 1


@dataclass(frozen=True)
class Question:
    capability_id: str
    capability: str
    text: str


@dataclass(frozen=True)
class View:
    """What the page shows for an answer: an opening sentence in parts ((text, emphasised), ...), the cards,
    the coaching questions."""

    opening: tuple[tuple[str, bool], ...]
    cards: tuple[Card, ...]
    questions: tuple[Question, ...]
    filtered: bool = False

    @property
    def opening_text(self) -> str:
        return "".join(text for text, _ in self.opening)


def relevance(score: float, best: float) -> float:
    """A score as a fraction of the best score in the answer (the best match is 1)."""
    return float(min(max(score / best, 0.0), 1.0)) if best > 0 else 0.0


def band(score: float) -> str:
    """A plain label for a capability score, from its calibrated chance of being right (not its rank)."""
    return strength.band(score)


def respond(retriever, texts: tuple[str, ...], guard: safety.Guard | None = None,
            memory: Memory | None = None) -> Answer:
    """Answer the newest of `texts` (the follow-up window, oldest first; see conversation.context).

    With a `guard`, the newest text is checked for distress first: distress gets the care reply (kind SAFETY) with
    no capabilities and no texts, so it never joins the follow-up context, and the next message carries on from
    the work situation before it. A work situation that mentions suicide or self-harm (someone else's, or a
    program) is answered as usual, with the support details as a notice. The situation is encoded once for the
    safety net, the search and the cards (index.embed.remembering). A care reply on the detector's reading alone
    holds the work answer back (`Answer.held`); one on a pattern (plain words of suicide or self-harm) holds
    nothing. `memory` (index.embed.Memory, kept by the caller for one situation's turns) keeps the vectors of the
    earlier turns' texts and phrases, so a follow-up encodes only what is new."""
    with remembering(memory):
        return _checked(retriever, texts, guard)


def _checked(retriever, texts: tuple[str, ...], guard: safety.Guard | None) -> Answer:
    verdict = guard.check(texts[-1]) if guard is not None and texts else None
    if verdict is not None and verdict.distress:
        held = _respond(retriever, texts) if verdict.overridable else None
        return Answer(SAFETY, safety.plain(safety.CARE), held=held if held and held.kind == ANSWER else None)
    answer = _respond(retriever, texts)
    if verdict is not None and verdict.mentions and answer.kind == ANSWER:
        return replace(answer, notices=(*answer.notices, safety.SUPPORT))
    return answer


def _respond(retriever, texts: tuple[str, ...]) -> Answer:
    try:
        ranked = context.rank(retriever, texts)
    except InputError as err:
        return Answer(PROBLEM, f"I couldn't read that: {err}.")
    newest = ranked.newest
    limit = edges.request(ranked.texts[-1])
    if limit and (newest.off_topic or not edges.describes_situation(ranked.texts[-1])):
        return Answer(CANNOT, limit.message + " " + NOT_A_SITUATION, (ranked.texts[-1],), (1.0,), newest,
                      notices=newest.notices)
    if newest.off_topic:
        message = NOTHING_FITS_LATER if len(texts) > 1 else NOTHING_FITS_FIRST
        return Answer(NOTHING_FITS, message, (ranked.texts[-1],), (1.0,), newest, notices=newest.notices)
    result = ranked.combined
    cards = _cards(retriever, ranked, result)
    if not limit and edges.too_thin(ranked.texts):
        return Answer(CLARIFY, edges.CLARIFY, ranked.texts, ranked.weights, result, cards, result.notices,
                      prompts=edges.PROMPTS)
    return Answer(ANSWER, "", ranked.texts, ranked.weights, result, cards, result.notices,
                  lead=limit.message if limit else "", prepare=edges.how_to_conversation(ranked.texts[-1]))


def shown(retriever, cap: CapabilityMatch) -> list[tuple[IndicatorMatch, bool]]:
    """The indicators a card shows: those that fit (at most SHOWN_INDICATORS, best first), or, when none
    does, the closest one marked as not fitting."""
    fitting = [ind for ind in cap.indicators if retriever.evidence.fits(ind.score)][:SHOWN_INDICATORS]
    if fitting:
        return [(ind, True) for ind in fitting]
    return [(cap.indicators[0], False)] if cap.indicators else []


def _cards(retriever, ranked: context.Ranked, result: SearchResult) -> tuple[Card, ...]:
    index = retriever.index
    picked = {cap.id: shown(retriever, cap) for cap in result.capabilities}
    ids = [ind.id for inds in picked.values() for ind, fits in inds if fits]
    words = retriever.evidence.why(retriever.encoder, ranked.texts, ids)
    vectors = retriever.encoder.encode(list(ranked.texts))
    query = (np.asarray(ranked.weights, dtype=np.float32)[:, None] * vectors).sum(axis=0)
    query = query / max(float(np.linalg.norm(query)), 1e-9)
    examples = closest_examples(index.vectors, index.items, query)
    best = result.capabilities[0].score if result.capabilities else 0.0
    return tuple(
        Card(cap, relevance(cap.score, best), band(cap.score),
             tuple(Evidence(ind, words.get(ind.id, ()) if fits else (), fits) for ind, fits in picked[cap.id]),
             examples.get(cap.id, ""))
        for cap in result.capabilities
    )


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


def plain(card: Card, bank: dict[str, Coaching]) -> str:
    """The capability in plain words: the authored phrase, or its name in lower case."""
    entry = bank.get(card.match.id)
    if entry:
        return entry.plain
    name = card.match.name
    return name[:1].lower() + name[1:]


def _opening(cards: list[Card], bank: dict[str, Coaching], follow_up: bool,
             filtered: bool) -> tuple[tuple[str, bool], ...]:
    phrases = [plain(c, bank) for c in cards[:3]]
    if not phrases:
        return (("None of the capabilities in the clusters you chose fit this; widen the cluster filter "
                 "in the sidebar to see the rest.", False),)
    lead = []
    if follow_up:
        lead.append("Taking your earlier messages into account, ")
    if filtered:
        lead.append("within the clusters you chose, " if lead else "Within the clusters you chose, ")
    start = "this" if lead else "This"
    parts: list[tuple[str, bool]] = [(text, False) for text in lead]
    if len(phrases) == 1:
        return (*parts, (f"{start} is mostly about ", False), (phrases[0], True), (".", False))
    if cards[1].match.score < CLEAR_LEAD * cards[0].match.score:
        parts += [(f"{start} is mostly about ", False), (phrases[0], True), (".", False)]
        rest = phrases[1:]
    else:
        parts += [(f"{start} is about ", False), (phrases[0], True), (" and ", False), (phrases[1], True),
                  (" in roughly equal measure.", False)]
        rest = phrases[2:]
    if rest:
        parts += [(" It also touches on ", False), *_joined(rest), (".", False)]
    return tuple(parts)


def _joined(phrases: list[str]) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    for n, phrase in enumerate(phrases):
        if n:
            parts.append((" and " if n == len(phrases) - 1 else ", ", False))
        parts.append((phrase, True))
    return parts


def questions(cards: list[Card], bank: dict[str, Coaching], turn: int = 0, limit: int = 2) -> tuple[Question, ...]:
    """One or two reflective questions: one for each of the top capabilities, rotating with the turn number so a
    follow-up asks something new. Without authored questions, one is built from the best indicator."""
    picked = []
    for card in cards[:limit]:
        entry = bank.get(card.match.id)
        if entry and entry.questions:
            text = entry.questions[turn % len(entry.questions)]
        elif card.evidence:
            behaviour = card.evidence[0].match.text.rstrip(".")
            text = f"Where in this situation could you show this behaviour more fully: “{behaviour}”?"
        else:
            continue
        picked.append(Question(card.match.id, card.match.name, text))
    return tuple(picked)


def view(answer: Answer, top: int, clusters: set[str] | frozenset[str] | None = None,
         bank: dict[str, Coaching] | None = None) -> View:
    """What to show for an answer: the top `top` cards within the chosen clusters (all when none are chosen),
    an opening sentence naming them in plain words, and one or two coaching questions."""
    bank = bank or {}
    filtered = bool(clusters)
    cards = [c for c in answer.cards if not filtered or c.match.cluster_id in clusters][: max(1, top)]
    return View(_opening(cards, bank, answer.follow_up, filtered), tuple(cards),
                questions(cards, bank, turn=len(answer.texts) - 1), filtered)


def transcript(answer: Answer, shown: View | None = None) -> str:
    """A plain-text version of an answer, for the chat history others read (exports, the plan page)."""
    if answer.kind != ANSWER or shown is None:
        return "\n".join((answer.message, *answer.prompts))
    lines = [answer.lead, shown.opening_text] if answer.lead else [shown.opening_text]
    for n, card in enumerate(shown.cards, 1):
        lines.append(f"{n}. {card.match.name} ({card.match.cluster}; {card.band.lower()}, {card.match.score:.2f})")
        lines += [f"   - {e.match.text}" for e in card.evidence]
    lines += [f"Question: {q.text}" for q in shown.questions]
    return "\n".join(lines)
