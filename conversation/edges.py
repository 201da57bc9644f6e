"""The edges of a chat turn: input too thin to rank well, requests the chat cannot do, and "how do I" questions.

Too thin. A situation (the newest text with the earlier texts of the same situation) is asked back when each
of its texts holds at most MAX_THIN_WORDS content words and none of them is specific: every one is in GENERIC,
the everyday words of a vague complaint about work ("things are bad at work", "my team has some issues").
Calibrated with the real model on corpus/data/vague.json: 47 authored vague lines against the 200 dev
situations of tests/data/situations.jsonl and 20 authored short lines that do say enough ("my EL2 is
underperforming"). The signals a search already has do not separate them: the top capability's share runs
0.21 to 0.99 on the vague lines and 0.30 to 0.99 on the short real ones, the confidence 0.4 to 3.3 and -0.1
to 3.9. The word counts do: vague lines mostly have 1 to 3 content words, all generic; answered dev situations
4 or more; the short real ones 2 to 4 with at least one specific word. Rule figures: 45 of the 46 vague lines
that are not already off-topic are asked back ("everything is falling apart at work" has four content words),
0 of the 179 answered dev situations and 0 of the 19 short real lines that are not off-topic. GENERIC was
written with the vague lines in view, so unseen vague phrasing is caught less often: 12 lines written after the
first list (now in the file) were caught 2 of 12 times before their words joined GENERIC, a later 8 unseen
lines 6 of 8. A missed vague line gets cards as before, labelled by their calibrated strength.

Requests. REQUESTS are the documented patterns of a request to write something (a document, email, speech,
brief) or for legal, HR-case or medical advice: each gets a plain "I can't do that" and, when the text also
describes a situation (SITUATION_WORDS content words or more besides the request's own words), the cards.
HOW_TO matches "How do I…" questions about a conversation: the cards plus an offer of the coaching preparation
prompts. A situation that only mentions an email or a speech ("my email to the team went badly") is not a
request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text import content_words

MAX_THIN_WORDS = 3
GENERIC = frozenset("""
work job workplace office branch section division team teams staff people colleague colleagues manager managers
boss leadership things thing stuff something situation situations problem problems issue issues challenge
challenges tension trouble bad hard tough difficult tricky complicated stressful frustrating frustrated mess messy
wrong great good well fine happy unhappy sure struggling going moment lately week weeks day days time right now
bit much lot help advice need needs want anything everything really quite pretty falling apart toxic stuck
getting performing crazy role drama morale low management awful terrible rough hectic busy chaos chaotic messed
weird annoying unclear poor worse worst rubbish sucks badly broken
""".split())
SITUATION_WORDS = 5

_ASK = r"(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?|please\s+|(?:i\s+)?(?:need|want)\s+you\s+to\s+|^\s*)"
_WRITE = r"(?:write|draft|compose|prepare|create|put\s+together|rewrite|redraft|edit|proofread)"
_THING = (r"(?:e-?mails?|letters?|speech(?:es)?|brief(?:s|ing)?|documents?|reports?|memos?|minutes?|submissions?|"
          r"talking\s+points|presentations?|messages?|announcements?|cover\s+notes?|business\s+cases?|"
          r"position\s+descriptions?|performance\s+reviews?|selection\s+reports?|policy|polic(?:y|ies))")

# asking for advice oneself ("I need legal advice", "can you give me medical advice"), not "the legal advice is split"
_ADVICE = (r"\b(?:i\s+(?:need|want|would\s+like)|(?:give|get)\s+me|can\s+(?:i|we)\s+(?:get|have)|looking\s+for|"
           r"after)\s+(?:some\s+|any\s+|quick\s+)?")


@dataclass(frozen=True)
class Limit:
    """A kind of request the chat cannot do: its name and the plain words that say so."""

    kind: str
    message: str


WRITING = Limit("writing", "I can't write documents, emails or speeches for you, but here is what I can help with: "
                           "the leadership capabilities and behaviours that matter for the situation behind it.")
LEGAL = Limit("legal", "I can't give legal advice; your agency's legal team can. Here is what I can help with: "
                       "the leadership capabilities and behaviours that matter for the situation.")
HR_CASE = Limit("hr-case", "I can't give advice on an HR case, such as misconduct, dismissal or a formal "
                           "complaint; your agency's HR team can. Here is what I can help with: the leadership "
                           "capabilities and behaviours that matter for the situation.")
MEDICAL = Limit("medical", "I can't give medical advice; a doctor or your agency's Employee Assistance Program "
                           "can. Here is what I can help with: the leadership capabilities and behaviours that "
                           "matter for the situation.")

REQUESTS: tuple[tuple[re.Pattern, Limit], ...] = tuple((re.compile(p, re.IGNORECASE), limit) for p, limit in (
    # "can you write an all-staff email", "draft me a speech for the launch", "please write my brief"
    (_ASK + _WRITE + r"\s+(?:me\s+|us\s+)?(?:(?:a|an|the|my|our|this|that|some)\s+)?(?:[\w'-]+\s+){0,3}?" + _THING
     + r"\b", WRITING),
    # "write me something to send to staff", "can you word it for me"
    (_ASK + r"(?:write|draft)\s+(?:me|us|it|this|something)\b", WRITING),
    (r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?word\s+(?:it|this)\b", WRITING),
    # legal advice
    (_ADVICE + r"legal\s+advice\b|\bis\s+(?:it|this|that)\s+(?:even\s+)?(?:legal|lawful|unlawful|illegal)\b|"
     r"\bcan\s+(?:i|we)\s+(?:sue|be\s+sued)\b|\b(?:my|our)\s+legal\s+(?:rights|obligations|position)\b|"
     r"\bwhat\s+does\s+the\s+law\s+say\b", LEGAL),
    # HR-case advice
    (r"\b(?:should|can|could)\s+(?:i|we)\s+(?:sack|fire|terminate|dismiss|suspend|stand\s+down)\b|"
     r"\bhow\s+(?:do|can|should)\s+(?:i|we)\s+(?:sack|fire|terminate|dismiss|suspend)\b|"
     r"\b(?:advice|advise\s+me)\s+(?:on|about)\s+(?:a|an|the|my|this)?\s*(?:code\s+of\s+conduct|misconduct|"
     r"hr|unfair\s+dismissal|bullying)\s*(?:case|matter|investigation|complaint|claim)\b|"
     r"\bis\s+(?:this|it|that)\s+(?:grounds\s+for|enough\s+for)\s+(?:dismissal|termination|a\s+code\s+of\s+conduct)",
     HR_CASE),
    # medical advice
    (_ADVICE + r"medical\s+advice\b|\b(?:diagnose|diagnosis\s+for)\b|\bwhat\s+(?:medication|medicine|treatment)\b|"
     r"\bshould\s+i\s+(?:take|go\s+on|stop)\s+(?:medication|antidepressants|tablets|pills)\b|"
     r"\bis\s+(?:it|this)\s+(?:adhd|depression|burnout|anxiety)\b", MEDICAL),
))

HOW_TO = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+)?how\s+(?:do|should|can|could|would)\s+i\b.*?\b(?:conversation|conversations|"
    r"talk\s+to|speak\s+to|tell\s+(?:him|her|them|my|the)|say\s+to|raise\s+(?:it|this|that|the)|bring\s+(?:it|this|"
    r"that)\s+up|approach\s+(?:him|her|them|my|the)|open\s+the|start\s+the|give\s+(?:him|her|them)\s+feedback|"
    r"discuss|meeting\s+with|chat\s+with)",
    re.IGNORECASE | re.DOTALL)

# the request's own words, not counted when deciding whether a request also describes a situation
_REQUEST_WORDS = re.compile(
    r"^(?:write|writing|draft|drafting|compose|prepare|create|rewrite|redraft|edit|proofread|word|email|emails|"
    r"e-mail|letter|letters|speech|speeches|brief|briefs|briefing|document|documents|report|reports|memo|memos|"
    r"minute|minutes|submission|talking|points|presentation|message|announcement|announcing|announce|note|"
    r"all-staff|staff-wide|legal|advice|advise|lawful|unlawful|illegal|law|sue|sued|rights|obligations|medical|"
    r"medication|diagnose|diagnosis|treatment|please|something|help|need|want|send|someone|quick|short|nice)$",
    re.IGNORECASE)

CLARIFY = ("There isn't quite enough in that for me to match it well yet. Tell me a little more, in a sentence "
           "or two:")
PROMPTS = (
    "Who is involved: your team, a manager, a colleague, a stakeholder?",
    "What is at stake, or what has happened?",
    "What do you need to do or decide?",
)
PREPARE = ("To think the conversation through one question at a time, choose **Coach me through this** below. "
           "The **Coaching preparation** page also has prompts to plan it: add the capabilities that fit to your "
           "plan, then open that page.")


def content_count(texts) -> int:
    """The number of content words in all the texts."""
    return sum(len(content_words(text)) for text in texts)


def specific_count(texts) -> int:
    """The number of content words in all the texts that are not GENERIC."""
    return sum(1 for text in texts for _, _, word in content_words(text) if word.lower() not in GENERIC)


def too_thin(texts) -> bool:
    """Whether a situation (its texts, oldest first) says too little to rank well: each of its texts is a few
    generic words, so two vague lines in a row are asked back again, and one real description is enough."""
    return all(content_count((text,)) <= MAX_THIN_WORDS and specific_count((text,)) == 0 for text in texts)


def request(text: str) -> Limit | None:
    """The kind of request in a text that the chat cannot do, if any."""
    for pattern, limit in REQUESTS:
        if pattern.search(text):
            return limit
    return None


def describes_situation(text: str) -> bool:
    """Whether a text holding a request also describes a situation: enough content words besides the
    request's own."""
    rest = [word for _, _, word in content_words(text) if not _REQUEST_WORDS.match(word)]
    return len(rest) >= SITUATION_WORDS


def how_to_conversation(text: str) -> bool:
    """Whether a text asks how to go about a conversation."""
    return bool(HOW_TO.search(text))
