"""Check what a person typed for distress (patterns first, then the detector) and the care reply to give instead."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from retrieval.text import InputError, prepare, sentences
from safety import patterns
from safety.detector import Detector, fit

if TYPE_CHECKING:
    from concurrent.futures import Future

MAX_CHARS = 4000
MIN_SENTENCE_WORDS = 3
REPLY_SHARE = 0.5
"""A reply in the coaching conversation is held to a bar this share of the way from the detector's whole-text bar
to its single-sentence bar (`Guard.check(text, reply=True)`)."""

CARE = (
    "I'm really sorry things are this hard right now, and I'm glad you said something.\n\n"
    "ILS Coach is a tool for work situations and it isn't the right place for a personal crisis, so I won't "
    "suggest leadership capabilities for this. You deserve to talk it through with a person:\n\n"
    "- **If you're in danger right now, or might act on thoughts of hurting yourself, call 000.**\n"
    "- **Lifeline on 13 11 14**, any time, day or night.\n"
    "- **Your agency's Employee Assistance Program (EAP)**: free, confidential counselling. HR or the intranet "
    "has the number.\n"
    "- **Someone you trust**: a friend, a family member, your GP or a colleague. You don't have to carry this "
    "on your own.\n\n"
    "When you're ready, and only if you want to, you can tell me about a work situation and I'll help with that. "
    "If I've misread you and this is about work, tell me a little more about the situation."
)
"""The care reply, in Markdown (bold for the numbers). `plain(CARE)` is the same text without the markup."""

SUPPORT = (
    "If someone you work with may be at risk right now, call 000. Lifeline (13 11 14) also helps people who are "
    "worried about someone else, and your agency's EAP usually advises managers as well as staff."
)
"""Shown under an ordinary answer whose situation mentions suicide or self-harm (someone else's, or a program)."""


def ordinary(index) -> np.ndarray:
    """The ordinary texts the detector learns are not distress: the situation exemplars and the off-topic inputs
    (without these, chit-chat such as "how many legs does a spider have?" scored between work and distress)."""
    rows = index.rows("exemplar")
    parts = [np.asarray(index.vectors[rows], dtype=np.float64)]
    off = np.asarray(index.offtopic, dtype=np.float64)
    if off.ndim == 2 and off.shape[0] and off.shape[1] == parts[0].shape[1]:
        parts.append(off)
    return np.vstack(parts)


def plain(markdown: str) -> str:
    return markdown.replace("**", "")


@dataclass(frozen=True)
class Verdict:
    """What the check found: `distress` (give the care reply, no capabilities), why ("pattern: <group>" or
    "detector"), the detector's best margin over its threshold (None when it was not run), and whether the text
    mentions suicide or self-harm at all (a work answer then carries the support details). `near`: a reply in the
    coaching conversation that the detector reads past the chat's bar but under the reply bar; the conversation goes
    on and says where support is (coaching.dialogue.respond), erring towards care without a pause."""

    distress: bool
    reason: str = ""
    margin: float | None = None
    mentions: bool = False
    near: bool = False

    @property
    def overridable(self) -> bool:
        """Distress read by the detector alone (no pattern matched): the person may say it was about work, and the
        pages then answer it as work (conversation.answer, ui.state.distressed)."""
        return self.distress and self.reason == "detector"


class Guard:
    """The safety net: the patterns, and the detector when the index holds its training vectors.

    The detector is fitted in a background thread, so loading the app does not wait for it; the patterns answer
    at once, and a check that needs the detector waits for it.
    """

    def __init__(self, detector: Detector | Future | None = None, encoder=None):
        self._detector = detector if encoder is not None else None
        self.encoder = encoder

    @property
    def detector(self) -> Detector | None:
        futures = sys.modules.get("concurrent.futures")  # imported by from_index before it makes a Future
        if futures is not None and isinstance(self._detector, futures.Future):
            self._detector = self._detector.result()
        return self._detector

    @classmethod
    def from_index(cls, index, encoder, background: bool = True) -> Guard:
        """Fit the detector on the index's distress and look-alike vectors against its situation exemplars and its
        off-topic inputs (`ordinary`); patterns alone when the index has no distress vectors (an index built
        without corpus/data/distress.json)."""
        labels = np.asarray(index.distress_labels)
        if not (labels == 1).any() or not (labels == 0).any() or len(index.vectors) != len(index.items):
            return cls()
        vectors = np.asarray(index.distress, dtype=np.float64)
        args = (vectors[labels == 1], vectors[labels == 0], ordinary(index))
        if not background:
            return cls(fit(*args), encoder)
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="safety-fit")
        future = pool.submit(fit, *args)
        pool.shutdown(wait=False)
        return cls(future, encoder)

    def check(self, text: str, reply: bool = False) -> Verdict:
        """Read a text as a person wrote it: the patterns on all of it, then the detector on the whole text and on
        each sentence of a longer one. A text using a work idiom of death or exhaustion ("this audit will be the
        death of me") is held to the detector's higher, single-sentence bar, and a sentence holding the idiom is not
        read on its own.

        `reply` reads an answer to a coaching question ("end of next week"): the patterns as always, the whole text
        held to `reply_bar`. The detector learned from whole situations, so short answers sit outside what it
        saw and score higher than the situations they belong to."""
        try:
            prepared = prepare(text, MAX_CHARS).text
        except InputError:
            return Verdict(False)
        mentions = patterns.mentions_self_harm(prepared)
        hit = patterns.match(prepared)
        if hit is not None:
            # Someone else's words, quoted by a person asking how to respond, are a work situation with the support
            # details, as any other mention of distress in a staff member is; the rest of the text is read as usual.
            others = patterns.without_reported(prepared)
            if others is None or patterns.match(others) is not None:
                return Verdict(True, f"pattern: {hit.group}", None, mentions)
            prepared, mentions = others, True
        detector = self.detector
        if detector is None:
            return Verdict(False, mentions=mentions)
        parts = [p for p in sentences(prepared) if len(p.split()) >= MIN_SENTENCE_WORDS]
        # A sentence that is itself a work figure of speech ("I'm going to sleep for a week") is not read alone: out
        # of its text it reads darker than it is, and the whole text, which carries it, is held to the higher bar.
        parts = [p for p in parts if not patterns.figure_of_speech(p)] if len(parts) > 1 else []
        scores = detector.scores(self.encoder.encode([prepared, *parts]))
        bar = reply_bar(detector) if reply else detector.threshold
        bar = detector.sentence_threshold if patterns.figure_of_speech(prepared) else bar
        margin = float(scores[0] - bar)
        if parts:
            margin = max(margin, float(scores[1:].max() - detector.sentence_threshold))
        near = reply and margin < 0 and not patterns.figure_of_speech(prepared) and scores[0] >= detector.threshold
        return Verdict(margin >= 0, "detector" if margin >= 0 else "", margin, mentions, near)


def reply_bar(detector: Detector) -> float:
    """The whole-text bar for a reply in the coaching conversation: `REPLY_SHARE` of the way from the detector's
    whole-text bar to its single-sentence bar (chosen on the blind reviewers' coaching replies and the dev list)."""
    return detector.threshold + REPLY_SHARE * (detector.sentence_threshold - detector.threshold)
