"""Who a plan is for, and the plan's own wording in each voice: the person themselves, or a coach's client."""

from __future__ import annotations

from dataclasses import dataclass

YOU, CLIENT = "you", "client"
VOICES = (YOU, CLIENT)


@dataclass(frozen=True)
class Wording:
    """The fixed words of the plan page and the exports that change with the voice (the prompts are authored data:
    coaching.prompts.Library.voiced)."""

    title: str
    intro: str
    situation: str
    placeholder: str
    empty: str
    tick: str
    assessment: str
    rate: str
    rating: str
    outline: str
    notes: str
    actions: str
    own_actions: str
    coach_help: str


WORDING = {
    YOU: Wording(
        title="Coaching preparation sheet",
        intro="Prepare for a coaching session, a performance conversation or a development discussion: choose the "
              "capabilities, rate yourself, plan the conversation, and take a printable sheet with you.",
        situation="The situation you are preparing for",
        placeholder="For example: one of my directors keeps missing deadlines and I need to raise it with her next "
                    "week.",
        empty="Your plan is empty. Add capabilities from a chat answer (“Add to coaching plan”), or choose one below.",
        tick="Tick the behaviours you want to work on:",
        assessment="Self-assessment",
        rate="How often do you show each behaviour? 1 Rarely · 2 Sometimes · 3 Often · 4 Mostly · 5 Consistently",
        rating="Self-rating",
        outline="Goal, Reality, Options, Will: prompts drawn from your capabilities and situation. Jot notes under "
                "each stage; they go into the downloads.",
        notes="Your notes",
        actions="Tick the suggestions you will act on and add your own. They are grouped by how people learn at "
                "work.",
        own_actions="Your own actions",
        coach_help="Think the plan through one question at a time in the chat (goal, where things stand, options, "
                   "your first step); your answers come back here as notes and actions",
    ),
    CLIENT: Wording(
        title="Coaching preparation sheet for a client",
        intro="Prepare for a coaching session with a client: choose the capabilities that matter for them, rate how "
              "often they show each behaviour, plan the conversation, and take a printable sheet with you.",
        situation="The situation your client is preparing for",
        placeholder="For example: my client's director keeps missing deadlines and she needs to raise it with him "
                    "next week.",
        empty="This plan is empty. Add capabilities from a chat answer (“Add to coaching plan”), or choose one "
              "below.",
        tick="Tick the behaviours your client wants to work on:",
        assessment="Assessment",
        rate="How would your client rate how often they show each behaviour? 1 Rarely · 2 Sometimes · 3 Often · "
             "4 Mostly · 5 Consistently",
        rating="Rating",
        outline="Goal, Reality, Options, Will: prompts drawn from your client's capabilities and situation. Jot notes "
                "under each stage; they go into the downloads.",
        notes="Notes",
        actions="Tick the suggestions your client will act on and add their own. They are grouped by how people "
                "learn at work.",
        own_actions="Their own actions",
        coach_help="Think the plan through one question at a time in the chat (your client's goal, where things "
                   "stand, their options and first step); the answers come back here as notes and actions",
    ),
}


def wording(voice: str) -> Wording:
    """The plan's words in a voice ("you" when the voice is not known)."""
    return WORDING.get(voice, WORDING[YOU])
