"""Several coaching plans side by side in one session: each with its own contents, label, voice and conversation.

A `Plans` holds every plan of the session and which one is active. Each `Entry` owns everything one plan is made
of: the selection (capabilities, indicators, situations), the plan page's answers (ratings, evidence, GROW, SBI
and WOOP notes, actions), its guided coaching conversation and the chat situation it started from, an optional
client label and the voice its questions and exports use. Switching hands back a different entry and never copies
anything from one entry to another. Plain values only: the pages keep a `Plans` in their session.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field, replace

from coaching.voice import CLIENT, VOICES, YOU
from errors import CoachError

MAX_LABEL = 40
MAX_PLANS = 20
_SPACES = re.compile(r"\s+")


class PlansError(CoachError, ValueError):
    """An operation on the session's plans that cannot be done (an unknown plan, one plan too many)."""


def empty_selection() -> dict:
    return {"capabilities": [], "indicators": [], "situations": [], "chat_situations": {}}


def clean_label(text: object) -> str:
    """A client label as kept: printable characters only, spaces folded, trimmed, at most MAX_LABEL characters.

    Initials or a pseudonym ("JB", "Client A"); an empty label is allowed and means no label.
    """
    if not isinstance(text, str):
        return ""
    printable = "".join(c if unicodedata.category(c)[0] not in "CZ" or c == " " else " " for c in text)
    return _SPACES.sub(" ", printable).strip()[:MAX_LABEL].strip()


@dataclass(frozen=True)
class Entry:
    """One plan: its contents (kept as the session's plain dicts), its conversation, label and voice."""

    id: int
    label: str = ""
    voice: str = YOU
    selection: dict = field(default_factory=empty_selection)
    answers: dict = field(default_factory=dict)
    coach: object = None
    coach_source: int | None = None

    @property
    def name(self) -> str:
        """How the plan is named in the picker and headings: "Plan 2", or "Plan 2 · JB" with a label."""
        return f"Plan {self.id}" + (f" · {self.label}" if self.label else "")

    @property
    def for_client(self) -> bool:
        return self.voice == CLIENT


@dataclass(frozen=True)
class Plans:
    """The session's plans in the order they were made, and the id of the active one."""

    entries: tuple[Entry, ...] = (Entry(1),)
    active_id: int = 1

    @property
    def active(self) -> Entry:
        return self.get(self.active_id)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(e.id for e in self.entries)

    def get(self, plan_id: int) -> Entry:
        for entry in self.entries:
            if entry.id == plan_id:
                return entry
        raise PlansError(f"there is no plan {plan_id}")

    def put(self, entry: Entry) -> Plans:
        """The same plans with one entry (matched by id) replaced, contents copied so no two entries share them."""
        self.get(entry.id)
        kept = replace(entry, selection=copy.deepcopy(entry.selection), answers=copy.deepcopy(entry.answers))
        return replace(self, entries=tuple(kept if e.id == entry.id else e for e in self.entries))

    def add(self, voice: str | None = None, label: str = "") -> Plans:
        """A new, empty plan, made active; it takes the active plan's voice unless one is given."""
        if len(self.entries) >= MAX_PLANS:
            raise PlansError(f"a session holds at most {MAX_PLANS} plans")
        voice = voice if voice in VOICES else self.active.voice
        entry = Entry(max(self.ids) + 1, clean_label(label), voice)
        return replace(self, entries=(*self.entries, entry), active_id=entry.id)

    def switch(self, plan_id: int) -> Plans:
        self.get(plan_id)
        return replace(self, active_id=plan_id)

    def label(self, plan_id: int, text: str) -> Plans:
        """Give a plan a client label (cleaned by `clean_label`; blank removes it)."""
        return self.put(replace(self.get(plan_id), label=clean_label(text)))

    def voiced(self, plan_id: int, voice: str) -> Plans:
        """Set a plan's voice ("you" or "client"); its running conversation follows it."""
        if voice not in VOICES:
            raise PlansError(f"unknown voice {voice!r}")
        entry = self.get(plan_id)
        conversation = replace(entry.coach, voice=voice) if entry.coach is not None else None
        return self.put(replace(entry, voice=voice, coach=conversation))

    def remove(self, plan_id: int) -> Plans:
        """Take a plan out; the last plan left is emptied instead, so there is always one. When the active plan
        goes, the plan before it (else the first) becomes active."""
        self.get(plan_id)
        if len(self.entries) == 1:
            only = self.entries[0]
            return Plans((Entry(only.id, voice=only.voice),), only.id)
        at = self.ids.index(plan_id)
        entries = tuple(e for e in self.entries if e.id != plan_id)
        active = self.active_id if self.active_id != plan_id else entries[max(at - 1, 0)].id
        return Plans(entries, active)

    def cleared(self, plan_id: int) -> Plans:
        """A plan emptied of its contents and conversation; its label and voice stay."""
        entry = self.get(plan_id)
        return self.put(Entry(entry.id, entry.label, entry.voice))

    def without_conversations(self) -> Plans:
        """Every plan without its coaching conversation (the chat they lived in was cleared)."""
        return replace(self, entries=tuple(replace(e, coach=None, coach_source=None) for e in self.entries))
