"""The guided coaching conversation: GROW then WOOP, one question at a time, as a small state machine."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from coaching import situation as situation_text
from coaching.ideas import as_option
from coaching.inert import inert
from coaching.voice import CLIENT, YOU
from coaching.words import brief
from errors import CoachError
from retrieval.text import InputError, content_words, fold, sentences, tokens
from settings import ROOT

DEFAULT = ROOT / "corpus" / "data" / "grow.json"
FORMAT = "ils-coach-grow/1"
STEPS = ("goal", "reality", "options", "choice", "first_step", "obstacle", "if_then")
GENERAL = "general"
ACTIVE, PAUSED, STOPPED, DONE = "active", "paused", "stopped", "done"
ENOUGH_OPTIONS = 3
IDEAS_AT_ONCE = 3
MAX_BEHAVIOURS = 5  # behaviours to work on in the summary
MAX_REPLY = 4000  # characters of one reply kept, as the chat cuts a situation (ILS_COACH_MAX_CHARS' default)
KIND_WEIGHTS = (3, 2, 1)  # the top three capabilities' votes for the situation kind
COMMANDS = ("skip", "back", "restart", "stop", "resume")

# Typed commands: the whole reply, lower case, without surrounding punctuation.
_COMMAND = {
    "skip": re.compile(r"^(?:skip|skip (?:this|it|that)(?: one| question)?|next|next question|pass)$"),
    "back": re.compile(r"^(?:back|go back|previous|previous question|go back a step)$"),
    "restart": re.compile(r"^(?:start over|start again|restart|begin again|from the top)$"),
    "stop": re.compile(r"^(?:stop|quit|end|exit|finish|stop (?:this|now|coaching|here)|i want to stop|"
                       r"that's enough|enough)$"),
    "resume": re.compile(r"^(?:resume|continue|carry on|go on|keep going|i'm ready|ready)$"),
}
_DONE = re.compile(r"^(?:done|that's all|that's it|that is all|no more|nothing else|nothing more|move on|"
                   r"i'm done|let's move on|that will do)$")
_YES = re.compile(r"^(?:yes|yep|yeah|yes please|keep it|keep|same|still right|that's right|correct|it is|"
                  r"still true|yes that's right|yes still)$")
_IDEAS = re.compile(r"\b(?:any|some|got any|give me|have you got)\s+(?:other\s+|more\s+|new\s+|further\s+)?"
                    r"(?:ideas|suggestions)\b|^(?:ideas|suggestions)\b|\bwhat do (?:people|others|most people|leaders) "
                    r"(?:usually |normally |typically |generally )?do\b|"
                    r"\bwhat (?:do|would|could) you suggest\b|\bi'm stuck\b|^stuck$|\bwhat (?:else )?could i do\b|"
                    r"\bhelp me (?:think|come up)\b")
_VAGUE = re.compile(r"^(?:\s|i don't know|don't know|do not know|dont know|i dunno|dunno|idk|maybe|perhaps|possibly|"
                    r"not sure|i'm not sure|unsure|no idea|no clue|hm+|um+|uh+|er+|whatever|nothing|i guess|"
                    r"not really|hard to say|it depends|depends|good question|no|nope|yes|yeah|ok|okay|sure|"
                    r"and|or|so|well|not|really)+$")
# A reply that opens with a hedge ("idk, it's complicated", "idk. maybe …", "Not sure really. …").
_VAGUE_LEAD = re.compile(r"^(?:(?:idk|i don't know|i dont know|don't know|dunno|i dunno|not sure|i'm not sure|no idea|"
                         r"maybe|perhaps|hmm+|um+|uh+|honestly|really|well|good question|hard to say)"
                         r"(?![\w'’])[\s,.;:!?…\-–—]*)+".replace("'", "['’]"), re.IGNORECASE)
# Lead-ins that only answer the coach, not the question: "Mostly.", "Same as before -", "I said -",
# "No, that's the problem not the plan.", "Not 'idk' -".
_CORRECTION = re.compile(
    r"^(?:(?:yes|yeah|yep|no|nope|mostly|partly|not quite|sort of|kind of|ok fair|okay fair|ok|okay|fair enough|fair|"
    r"right|sure|correct|true|good point|hang on|sorry|actually|i(?:['’]ve| have)? (?:already )?said (?:that|this|it)"
    r"(?: already| before| earlier)?|(?:it['’]s |that['’]s |it is )?(?:the )?same as "
    r"(?:before|last time)|as before|as i said|like i said|i said|as i mentioned|(?:that['’]s|that is|this is) "
    r"(?:the|my) (?:problem|obstacle|issue|risk),? not (?:the|my) (?:plan|answer|solution)|"
    r"not ['‘\"“][^'’\"”]{1,40}['’\"”])\s*(?:[,.;:!]+|\s[-–—]+)\s*)+", re.IGNORECASE)
# A sentence that only points back ("Like I said at the start.", "As I said before."): never stored as such.
_BACKREF = re.compile(r"^(?:(?:like|as) i (?:said|mentioned)|i (?:already )?said (?:that|this|it)|same as (?:before|"
                      r"i said|above))(?: (?:already|before|earlier|above|at the (?:start|beginning)|just now))*$")
_ALSO = re.compile(r"^(?:and|plus)\b|\b(?:also|as well|in addition)\b")
_RESUME = re.compile(r"\b(?:resume|keep going|carry on|continue|go on|pick (?:it |this |that )?(?:back )?up|"
                     r"where (?:we|i) (?:were|was|left off|stopped))\b")
# A choice by number inside a sentence ("Probably 2, with 1 as a fallback", "1 then 6", "3b - the direct chat").
_CHOICE = re.compile(r"^(?:(?:probably|maybe|perhaps|definitely|i think|i reckon|i'd say|i'll go with|i'll take|"
                     r"i'd go with|i'd pick|i'll pick|i choose|i pick|let's go with|let's do|go with|going with|"
                     r"i'm going with|i'm going to go with|i'll go for|go for|going for|start with|i'll start with|"
                     r"option|number|the|ok|okay|so|well|hmm)\s+)*(?:(\d{1,2})[a-z]?\b|(first|second|third|fourth|fifth|"
                     r"sixth|last)(?:\s+(?:one|option|idea)\b|$))")
# A choice named inside an Options reply ("I think I'll go with 2", "Going with 1 - …"): a verb of choosing first.
_GO_WITH = re.compile(r"^(?:(?:i think|i reckon|probably|so|ok|okay|and|but|in the end)\s+)*(?:(?:i'll|i will|i'd|"
                      r"i'm going to|i'm|we'll|let's)\s+)?(?:go|going|start|starting|pick|picking|choose|choosing)\s+"
                      r"(?:with|for)\s+(?:option\s+|number\s+|idea\s+|the\s+)?(\d{1,2}|first|second|third|fourth|"
                      r"fifth|sixth|last)\b")
# A piece that opens with the number of an idea just shown and comments on it ("2 I suppose, though …",
# "3 I could turn into the all-staff"): it takes that idea; "1:1 with Sam" is not a number.
_NUMBER_LEAD = re.compile(r"^(?:option\s+|number\s+|idea\s+)?(\d{1,2})(?![\d:/.,)%$])\b")
_SECOND = re.compile(r"\b(?:then|and then|followed by|after that|with|and|or|plus|fallback|backup|otherwise)\s+"
                     r"(?:option\s+|number\s+)?(\d{1,2})[a-z]?\b|\b(\d{1,2})[a-z]?\s+as\s+(?:a|my|the)\s+"
                     r"(?:fallback|backup|plan b)\b")
_FALLBACK = re.compile(r"\b(?:fallback|fall back|backup|back up|plan b|otherwise)\b|\bif (?:that|it|she|he|they)\b.*"
                       r"\b(?:won't|doesn't|don't|fails?|can't)\b")
# A sentence about what the person did not do ("I let it go", "Nothing formal said yet"): never reflected.
_NOT_DONE = re.compile(r"\b(?:i|we)\s+(?:let (?:it|that|this|things|her|him|them) (?:go|slide|slip|drop|pass)|haven't|"
                       r"have not|hadn't|didn't|did not|never|avoided|backed off|held back|ignored|"
                       r"put (?:it|this|that) off)\b|\b(?:i've|we've) not\b|"
                       r"\bnothing (?:formal |much |has been |was )?(?:said|done)\b|"
                       r"\bnot (?:yet )?(?:said|done|raised)\b")
# A sentence saying there are no options ("I didn't list any options", "There aren't any"): never an option.
_NO_OPTIONS = re.compile(r"^(?:i|we)\s+(?:didn't|did not|haven't|have not|don't|do not)\s+(?:list|give|name|write|"
                         r"have|got|come up with)\w*\s+(?:any\s+)?(?:options?|ideas?)\b|^(?:there (?:are|were) )?"
                         r"(?:no|none|not any) (?:options?|ideas?)\b|^there (?:aren't|weren't) any\b")
_FIRST_PERSON = re.compile(r"\b(?:i|i'll|i'm|i've|i'd|me|my|we|we'll|us|our)\b")
_START = re.compile(r"^(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+)?(?:help\s+me\s+(?:to\s+)?(?:prepare|"
                    r"get\s+ready|think\s+(?:this|it)\s+through)|coach\s+me|i'd\s+like\s+(?:some\s+)?coaching|"
                    r"let's\s+prepare)\b")
_NUMBER = re.compile(r"\b(\d{1,2})\b")
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "last": -1}
_PICKED = re.compile(r"^(?:(?:the|and|number|option|one|\d{1,2}|" + "|".join(_ORDINAL) + r")\s*)+$")
_WHEN = re.compile(
    r"\b(?:(?:by|on|before|this|next|until|from|within)\s+)?(?:(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+)?the\s+\d{1,2}(?:st|nd|rd|th)|today|tonight|tomorrow|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:this|next|the)\s+(?:week|month|fortnight)|"
    r"(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week|month)|"
    r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?|"
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:a|one|two|three)\s+weeks?|(?:the\s+)?next\s+(?:few|two|three)\s+days|"
    r"fortnight)\b", re.IGNORECASE)
# A sentence that answers a later step early ("I could …", "I'll … by Friday", "I tend to …", "if …, then I will …").
_EARLY = {step: re.compile(pattern.replace("'", "['’]"), re.IGNORECASE) for step, pattern in (
    ("options", r"\b(?:i could|we could|i might|one option|another option|option is|could try)\b"),
    ("first_step", r"\b(?:i'll|i will|i'm going to|im going to|my first step|first step is)\b"),
    ("obstacle", r"\b(?:get in the way|gets in the way|stop me|holds me back|holding me back|i tend to|my habit|"
                 r"i worry|i'm worried|i'm afraid|i avoid|i'll probably avoid|what stops me|the (?:main |big |real )?"
                 r"risk (?:here )?is|my (?:worry|concern|fear) is|i'm concerned|what worries me|the danger is)\b"),
    ("if_then", r"\bif\b.+\b(?:then|i'll|i will)\b"),
)}
# The "if" or "when" part of an if-then plan ("If I catch myself …", "When she cites privacy …").
_TRIGGER = re.compile(r"\b(?:if|when|whenever|once|as soon as|the moment|every time|each time|next time)\b",
                      re.IGNORECASE)
# Hedges at the start of an option or an answer ("Like I said, …", "Maybe …", "I guess that …"); _OPTION_HEDGE also
# the modal lead-ins of an option ("I could also offer …", "The obvious one is …").
_HEDGE = (r"(?:(?:like|as) i (?:said|mentioned)|maybe|perhaps|possibly|probably|i guess|i suppose|i reckon)")
_STEP_HEDGE = re.compile(r"^" + _HEDGE + r"(?![\w'’])[\s,.;:\-–—]*".replace("'", "['’]"), re.IGNORECASE)
_OPTION_HEDGE = re.compile((r"^(?:" + _HEDGE + r"|(?:i|we) (?:could|might|can)(?: also| always| just)?|"
                            r"(?:the )?obvious (?:one|option|thing)(?: to do)? is|"
                            r"(?:one|another) (?:option|idea|one) (?:is|would be)|or else|also)"
                            r"(?![\w'’])[\s,.;:\-–—]*").replace("'", "['’]"), re.IGNORECASE)
_DID = re.compile(r"\b(?:i|we)(?:'ll| will| could| would| can| might| have| had| did|'ve| plan to| want to| need to| "
                  r"am going to|'m going to)\b|\b(?:i|we) [a-z]+ed\b")
_OPTION_SPLIT = re.compile(r";\s*|(?<=[.!?])\s+|,?\s+\bor\b\s+")
# Verbs that open an option ("get the team to co-design …"): after ", and" they start a second option when the
# first is a noun phrase ("A 1:1 with the EL2 this week, and get the team to co-design the response").
_DOING = (r"(?:get|ask|hold|set up|book|call|ring|meet|talk|send|write|bring|put|run|give|make|take|email|raise|"
          r"offer|propose|push|escalate|invite|agree|share|brief|tell|check|review|schedule|organise|arrange|draft|"
          r"prepare|pair|assign|refer|go)")
_AND_DOING = re.compile(r",\s+and\s+(?=" + _DOING + r"\b)", re.IGNORECASE)
_OPENS_DOING = re.compile(r"^(?:(?:i|we)\s+(?:could|might|would|will|can)\s+)?" + _DOING + r"\b", re.IGNORECASE)
# An enumerated list inside a reply: "(a) … (b) …", "a) … b) …", "1. … 2. …", "1) … 2) …".
_LIST_MARK = re.compile(r"(?:(?<=\s)|^)(?:\(([a-h]|\d{1,2})\)|([a-h]|\d{1,2})\)|(\d{1,2})\.(?=\s))\s*")
_MARK_START = re.compile(r"^\s*(?:[-*•]|\(?(?:[a-h]|\d{1,2})\)|\d{1,2}\.(?=\s))\s*")
# Words that introduce options rather than being one ("My own options:", "Also:", "Or …").
_LEAD = re.compile(r"^(?:(?:(?:my|our)\s+(?:own\s+)?|some\s+|a\s+few\s+|other\s+|more\s+|extra\s+)?"
                   r"(?:options?|ideas?)|add|also|plus|and also|mine|here are mine|here's mine|another(?: one)?|"
                   r"others?)\s*(?:[:\-–—]+\s*|$)", re.IGNORECASE)
_JOIN = re.compile(r"^(?:or|and|also|plus|then|and then|or else|alternatively|otherwise)\b[,:]?\s+", re.IGNORECASE)
# Side comments and observations, which are not options: "She's been quieter in meetings", "Someone mentioned …",
# "None of those really help", "That would be dodgy", "I haven't thought about it". A modal ("could", "might")
# makes it an option again ("Her manager could mentor her").
_SUBJECT = (r"(?:she|he|they|it|someone|somebody|nobody|no one|everyone|everybody|people|the \w+|her \w+|his \w+|"
            r"their \w+)")
_COMMENT = re.compile(
    r"^(?:" + _SUBJECT + r"(?:'s|'re|'ve|'d|\s+(?:is|are|was|were|has|have|had|hasn't|haven't|been|seems?|seemed|"
    r"looks?|mentioned|said|says|told|thinks?|thought|feels?|felt|keeps?|kept|doesn't|don't|didn't|isn't|aren't|"
    r"wasn't|won't|wants?|wanted|really|just|always|never|probably|mostly))\b|"
    r"(?:none|neither|all|both|most|some|any) of (?:those|these|them|that|the above|the ideas|your ideas)\b|"
    r"(?:that|this|those|these|it)(?:'s|'re|\s+(?:is|are|was|were|would|seems?|sounds?|looks?))\b|"
    r"(?:i haven't|i have not|i've not|i didn't|i did not|i'm not sure|i am not sure|not sure|i wonder|hang on|"
    r"i don't know|i've been|to be honest)\b)")
_MODAL = re.compile(r"\b(?:could|might|should|can)\b")
_END = re.compile(r"^(?:done|i'm done|that's (?:probably |about |pretty much )?(?:it|all|everything)|"
                  r"that is (?:probably )?(?:it|all)|nothing else|no more|that will do|that'll do)$")
_DROP = re.compile(r"\b(?:drop|remove|scrap|scratch|forget|delete|cross out|take out|ditch|lose|not)\s+"
                   r"(?:option\s+|number\s+|idea\s+|no\s+)?(\d{1,2})\b|\b(?:option|number)\s+(\d{1,2})\s+"
                   r"(?:is out|is off|can go|goes)\b")
# The words around a number that only pick it ("1 is good", "2 maybe", "I like 2", "1 and 3").
_FILLER = frozenset("""i i'd i'll like take the option options number idea ideas and is are good great fine
maybe perhaps probably possibly sounds looks seems could work works might useful helpful too also yes ok okay definitely
one as well worth a try of those that sure fits fit or then first together really both""".split())


class GrowError(CoachError, ValueError):
    """A coaching-conversation file that cannot be used."""


@dataclass(frozen=True)
class Focus:
    """A capability the conversation is about: its id, name and plain-words phrase."""

    id: str
    name: str
    plain: str = ""


@dataclass(frozen=True)
class Behaviour:
    """A fitting indicator, in the framework's exact words, with its capability's name."""

    id: str
    text: str
    capability: str
    capability_id: str = ""


@dataclass(frozen=True)
class Context:
    """What the conversation starts from: the situation as written, the top capabilities (best first), the
    indicators that fit, and authored development actions for those capabilities (ideas for Options)."""

    situation: str
    capabilities: tuple[Focus, ...] = ()
    indicators: tuple[Behaviour, ...] = ()
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reflection:
    """The indicator closest to what the person said they will do or did (framework wording)."""

    indicator_id: str
    text: str
    capability: str
    words: tuple[str, ...] = ()


Reflect = Callable[[str], "Reflection | None"]


@dataclass(frozen=True)
class Summary:
    """Everything the person said, by part, in their own words, with the capabilities and fitting indicators."""

    situation: str
    voice: str
    goal: str = ""
    reality: str = ""
    options: tuple[str, ...] = ()
    chosen: str = ""
    then: str = ""
    fallback: str = ""
    first_step: str = ""
    when: str = ""
    obstacle: str = ""
    if_then: str = ""
    capabilities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    complete: bool = False

    def parts(self) -> tuple[tuple[str, str], ...]:
        """(label, text) for every part that holds something, in conversation order."""
        step = with_date(self.first_step, self.when)
        rows = (("Goal", self.goal), ("Where things stand", self.reality), ("Options", _listed(self.options)),
                ("Chosen option", self.chosen), ("Then", self.then), ("Fallback", self.fallback),
                ("First step", step), ("Obstacle", self.obstacle),
                ("If-then plan", self.if_then), ("Capabilities", _listed(self.capabilities)),
                ("Behaviours to work on", _listed(self.indicators)))
        return tuple((label, text) for label, text in rows if text.strip())

    @property
    def text(self) -> str:
        return "\n".join(f"{label}: {text}" for label, text in self.parts())

    def markdown(self, label: str = "") -> str:
        """The summary as Markdown, titled with the plan's client label when it has one."""
        title = "Coaching conversation summary" + (" (for a client)" if self.voice == CLIENT else "")
        title += f": {inert(label.strip())}" if label.strip() else ""
        out = [f"# {title}", ""]
        if self.situation:
            out += ["## Situation", "", *(f"> {line}" for line in self.situation.splitlines()), ""]
        for label, text in self.parts():
            out += [f"## {label}", "", text, ""]
        return "\n".join(out)


def _listed(items: Iterable[str]) -> str:
    return "; ".join(item.rstrip(". ") for item in items)


@dataclass(frozen=True)
class Reply:
    """What the coach says after a turn: lines to say, a numbered list (options or ideas), the question, the
    reflection, whether it is the care reply (distress), the summary at the end, and the progress line."""

    lines: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    question: str = ""
    reflection: Reflection | None = None
    care: bool = False
    summary: Summary | None = None
    progress: str = ""

    @property
    def text(self) -> str:
        """The reply as plain text (the chat transcript)."""
        parts = list(self.lines)
        parts += [f"{n}. {item}" for n, item in enumerate(self.items, 1)]
        if self.question:
            parts.append(self.question)
        if self.summary is not None:
            parts.append(self.summary.text)
        return "\n".join(parts)


@dataclass(frozen=True)
class Material:
    """The authored questions (corpus/data/grow.json)."""

    data: dict

    def kind(self, capability_ids: Iterable[str]) -> str:
        """The situation kind the top capabilities vote for (3, 2, 1 for the first three); general when none."""
        votes: dict[str, int] = {}
        for weight, cap in zip(KIND_WEIGHTS, capability_ids, strict=False):
            for name, spec in self.data["kinds"].items():
                if cap in spec["capabilities"]:
                    votes[name] = votes.get(name, 0) + weight
        return max(votes, key=lambda name: (votes[name], -list(votes).index(name))) if votes else GENERAL

    def step(self, step: str, part: str, kind: str, voice: str, **values: str) -> str:
        variants = self.data["steps"][step][part]
        chosen = variants.get(kind) or variants[GENERAL]
        return _fill(chosen.get(voice) or chosen[YOU], values)

    def line(self, name: str, voice: str, **values: str) -> str:
        chosen = self.data["lines"][name]
        return _fill(chosen.get(voice) or chosen[YOU], values)

    def more(self, n: int, voice: str, count: int) -> str:
        variants = self.data["steps"]["options"]["more"]
        chosen = variants[n % len(variants)]
        return _fill(chosen.get(voice) or chosen[YOU], {"count": str(count)})

    def reflect(self, n: int, voice: str, **values: str) -> str:
        """The n-th reflection lead-in, in turn, so the same wording never comes twice in a row."""
        variants = self.data["lines"]["reflect"]
        chosen = variants[n % len(variants)]
        return _fill(chosen.get(voice) or chosen[YOU], values)

    def name(self, step: str, voice: str) -> str:
        names = self.data["steps"][step].get("name", {})
        return names.get(voice) or names.get(YOU) or self.stage(step).lower()

    def stage(self, step: str) -> str:
        return self.data["steps"][step]["stage"]


def with_date(step: str, when: str) -> str:
    """The first step with its date, unless the step already says it: "Talk to her (by Friday)"."""
    when = when.strip()
    if not when or when.lower() in step.lower():
        return step
    lead = "" if re.match(r"(?i)(?:by|on|before|this|next|until|within|in|today|tonight|tomorrow)\b", when) else "by "
    return f"{step.rstrip(' .')} ({lead}{when})"


def _fill(template: str, values: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def load(path: str | Path = DEFAULT) -> Material:
    """Load and check the questions file: every step with a general opening question and a narrower one."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GrowError(f"{path}: coaching conversation file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise GrowError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GrowError(f"{path}: 'format' must be {FORMAT!r}")
    for step in STEPS:
        spec = data.get("steps", {}).get(step, {})
        for part in ("ask", "narrow"):
            if YOU not in spec.get(part, {}).get(GENERAL, {}):
                raise GrowError(f"{path}: step {step!r} lacks a general {part!r} question")
    return Material(data)


@dataclass(frozen=True)
class Dialogue:
    """Where the conversation is. Immutable: every event returns a new Dialogue with the coach's Reply.

    `answers` holds each step's reply as typed; `early` what a reply said about a later step, offered there;
    `options` the person's options (and ideas they took); `offered` the ideas shown so far and `latest` the last
    list of them (numbered as shown); `tries` the vague replies at this step; `rounds` the replies in Options;
    `pending` is "confirm" while asking whether to keep an earlier answer, "when" while asking for the first
    step's date; `then` and `fallback` a second option named with the choice ("1 then 6", "with 1 as a
    fallback"); `revisited` once the steps left open were offered before the summary, `returning` while going back
    through them."""

    context: Context
    kind: str = GENERAL
    voice: str = YOU
    step: int = 0
    status: str = ACTIVE
    answers: Mapping[str, str] = field(default_factory=dict)
    early: Mapping[str, str] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    offered: tuple[str, ...] = ()
    latest: tuple[str, ...] = ()
    tries: int = 0
    rounds: int = 0
    pending: str = ""
    when: str = ""
    then: str = ""
    fallback: str = ""
    reflected: tuple[str, ...] = ()
    revisited: bool = False
    returning: bool = False

    @property
    def current(self) -> str:
        return STEPS[min(self.step, len(STEPS) - 1)]

    @property
    def open(self) -> bool:
        """Still running (asking, or paused for the care reply)."""
        return self.status in (ACTIVE, PAUSED)

    def progress(self, material: Material) -> str:
        """The progress line, for example "Options · 3 of 7"."""
        if self.status == DONE:
            return "Finished"
        return f"{material.stage(self.current)} · {self.step + 1} of {len(STEPS)}"


def start(context: Context, material: Material, voice: str = YOU) -> tuple[Dialogue, Reply]:
    """Begin a conversation about a situation: the kind comes from its top capabilities."""
    dialogue = Dialogue(context, material.kind(c.id for c in context.capabilities), voice)
    return dialogue, _ask(dialogue, material, (material.line("start", voice),))


def command(dialogue: Dialogue, name: str, material: Material) -> tuple[Dialogue, Reply]:
    """Skip, back, restart, stop or resume (a button or the typed word)."""
    voice = dialogue.voice
    if name == "restart":
        fresh = Dialogue(dialogue.context, dialogue.kind, voice)
        goal = dialogue.answers.get("goal") or dialogue.early.get("goal")
        if goal:
            fresh = replace(fresh, early={"goal": goal}, pending="confirm")
        return fresh, _ask(fresh, material, (material.line("restart", voice),))
    if name == "resume" and dialogue.status == STOPPED:
        resumed = replace(dialogue, status=ACTIVE)
        return resumed, _ask(resumed, material, (material.line("resumed", voice),))
    if not dialogue.open:
        return dialogue, Reply((_not_running(dialogue, material),))
    if name == "stop":
        stopped = replace(dialogue, status=STOPPED, pending="")
        return stopped, Reply((material.line("stopped", voice),), summary=summary(stopped),
                              progress=stopped.progress(material))
    if name == "resume":
        resumed = replace(dialogue, status=ACTIVE)
        lines = (material.line("resumed", voice),) if dialogue.status == PAUSED else ()
        return resumed, _ask(resumed, material, lines)
    dialogue = replace(dialogue, status=ACTIVE)
    if name == "skip":
        return _advance(dialogue, material, lines=(material.line("skipped", voice),))
    if name == "back":
        step = max(dialogue.step - 1, 0)
        back = replace(dialogue, step=step, tries=0, pending="", rounds=0)
        previous = back.answers.get(STEPS[step], "")
        if previous and STEPS[step] not in ("options", "choice"):
            return replace(back, pending="confirm"), Reply(
                (material.step(STEPS[step], "ask", back.kind, voice, **_values(back, material)),),
                question=material.line("back", voice, previous=_quote(previous)), progress=back.progress(material))
        return back, _ask(back, material)
    raise ValueError(f"unknown command {name!r}")


def respond(dialogue: Dialogue, text: str, material: Material, guard=None,
            reflect: Reflect | None = None) -> tuple[Dialogue, Reply]:
    """Read what the person typed: distress first (the care reply, paused), then a typed command, then an answer.

    `guard` is a safety.guard.Guard (or anything with `check(text, reply=True).distress`: a reply is read in the
    guard's reply mode; a verdict that is `near` distress adds the check-in line with support details and goes on);
    `reflect` finds the indicator closest to a reply about what the person will do or did (see
    `reflector`)."""
    if dialogue.status == STOPPED and wants_resume(text):
        return command(dialogue, "resume", material)
    if not dialogue.open:
        return dialogue, Reply((_not_running(dialogue, material),))
    text = text[:MAX_REPLY]
    verdict = guard.check(text, reply=True) if guard is not None else None
    if verdict is not None and verdict.distress:
        paused = replace(dialogue, status=PAUSED)
        return paused, Reply((material.line("paused", dialogue.voice),), care=True, progress=paused.progress(material))
    dialogue, reply = _read(dialogue, text, material, reflect)
    if getattr(verdict, "near", False):
        reply = replace(reply, lines=(material.line("check_in", dialogue.voice), *reply.lines))
    return dialogue, reply


def _read(dialogue: Dialogue, text: str, material: Material, reflect: Reflect | None) -> tuple[Dialogue, Reply]:
    """A reply that is not distress: a typed command, or an answer to the step."""
    said = _normal(text)
    for name in COMMANDS:
        if _COMMAND[name].match(said):
            return command(dialogue, name, material)
    if dialogue.status == PAUSED:
        if wants_resume(text):
            return command(dialogue, "resume", material)
        dialogue = replace(dialogue, status=ACTIVE)
    return _answer(dialogue, text.strip(), said, material, reflect)


def _normal(text: str) -> str:
    """A reply as compared with the command and cue patterns: folded (retrieval.text.fold), punctuation dropped."""
    folded = fold(" ".join(text.split()))
    return " ".join(re.sub(r"[^\w'/]+", " ", folded).split())


def _not_running(d: Dialogue, m: Material) -> str:
    return m.line("not_running_stopped" if d.status == STOPPED else "not_started", d.voice)


def wants_resume(text: str) -> bool:
    """Whether a short reply asks to carry on ("resume", "sorry, I want to keep going")."""
    said = _normal(text)
    return bool(_COMMAND["resume"].match(said) or (_RESUME.search(said) and len(said.split()) <= 8))


def wants_coaching(text: str) -> bool:
    """Whether a chat message asks for the coaching conversation ("help me prepare", "coach me through this")."""
    return bool(_START.match(_normal(text)))


def vague(text: str) -> bool:
    """Whether a reply says too little to go on: only hedges ("idk", "maybe", "not sure"), a single word, or a hedge
    with little after it ("idk, it's complicated")."""
    said = _normal(text)
    if not said or _VAGUE.match(said) or (len(content_words(text)) <= 1 and len(said.split()) <= 2):
        return True
    lead = _VAGUE_LEAD.match(text)
    return bool(lead) and len(content_words(text[lead.end():])) <= 1


# A question put to the coach instead of an answer ("should I even talk to him before HR?", "what would you
# suggest?"), and the matters where the person's HR or integrity area should be asked first.
_QUESTION = re.compile(r"^(?:should|shall|is|are|am|can|could|would|will|what|how|do|does|did|who|why|where|when|"
                       r"which|isn't|wouldn't|shouldn't|any)\b")
_CONDUCT = re.compile(r"\b(?:misconduct|conduct|hr|integrity|fraud|investigat\w*|legal|lawyer|privacy|probity|"
                      r"code of conduct|disciplinary|complaint)\b")
# A request for the coach's view ("what would you suggest?", "what do you think?").
_HELP = re.compile(r"\b(?:what (?:would|do|should|could) you (?:suggest|recommend|do|say)|what do you (?:think|reckon)|"
                   r"(?:any|got any) (?:ideas|suggestions|tips)|(?:can|could) you (?:suggest|help|give)|"
                   r"how would you)\b")
# A stage's own name typed as a label before the answer ("Goal: …", "Obstacle - …").
_LABEL = re.compile(r"^(?:my\s+)?(?:goal|reality|where things stand|options?|choice|chosen option|first step|"
                    r"obstacle|if-then plan|if then plan|plan)\s*[:\-–—]\s*", re.IGNORECASE)


def asks_back(text: str) -> bool:
    """Whether a reply is only a question put to the coach (every sentence a question), not an answer."""
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()]
    parts = [_VAGUE_LEAD.sub("", p, count=1).strip() for p in parts if not vague(p) or p.endswith("?")]
    parts = [p for p in parts if p]
    return bool(parts) and all(p.endswith("?") for p in parts) and bool(
        _QUESTION.match(_normal(parts[0])) or _HELP.search(_normal(parts[-1])))


def _question_back(d: Dialogue, text: str, m: Material) -> tuple[Dialogue, Reply]:
    """A question to the coach is not stored as an answer: say so, point to HR or integrity on a conduct matter,
    and ask the step's narrower question."""
    lines = [m.line("asked", d.voice)]
    if _CONDUCT.search(_normal(text)):
        lines.append(m.line("asked_conduct", d.voice))
    return d, Reply(tuple(lines), question=m.step(d.current, "narrow", d.kind, d.voice, **_values(d, m)),
                    progress=d.progress(m))


def tidy(text: str) -> str:
    """A reply without lead-ins that hedge ("idk. maybe that …") or only answer the coach ("Mostly.", "Same as
    before -", "No, that's the problem not the plan."); as typed when nothing would be left."""
    kept = [p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if not _BACKREF.match(_normal(p))]
    text = " ".join(kept) or text.strip()
    unlabelled = _LABEL.sub("", text.strip(), count=1)
    out = unlabelled if content_words(unlabelled) else text.strip()
    while True:
        shorter = _VAGUE_LEAD.sub("", _CORRECTION.sub("", out, count=1), count=1).strip()
        unhedged_once = _STEP_HEDGE.sub("", shorter, count=1).strip()
        shorter = unhedged_once if content_words(unhedged_once) else shorter
        unlabelled = _LABEL.sub("", shorter, count=1).strip()
        shorter = unlabelled if content_words(unlabelled) else shorter
        if shorter == out:
            break
        out = shorter
    if out == text.strip() or not content_words(out):
        return text.strip()
    out = re.sub(r"^that\s+(?=\w)", "", out, flags=re.IGNORECASE)
    return out[:1].upper() + out[1:]


def _answer(d: Dialogue, text: str, said: str, m: Material, reflect: Reflect | None) -> tuple[Dialogue, Reply]:
    step = d.current
    if d.pending == "revisit":
        if _YES.match(said) or re.match(r"(?:yes|yeah|yep|sure|ok|okay|please|go back)\b", said):
            d = replace(d, step=STEPS.index(_left_open(d)[0]), returning=True, pending="", tries=0, rounds=0)
            return _asked(d), _ask(d, m)
        return _finish(d, m)
    if d.pending == "confirm" and _YES.match(said):
        kept = d.answers.get(step) or d.early.get(step, "")
        found = _WHEN.search(kept) if step == "first_step" else None
        return _advance(replace(_store(d, step, kept), when=found.group() if found else d.when), m)
    if d.pending == "what":
        if vague(text) or asks_back(text):
            action = d.answers.get("choice", "")
            if not action:
                return _vague(d, m)
        else:
            action = tidy(text)
        typed = d.answers.get("first_step", "")
        reason = typed[len(re.split(r"(?<=[.!?])\s+", typed, maxsplit=1)[0]):].strip()
        return _advance(_store(d, "first_step", _joined(with_date(action, d.when), reason)), m)
    if d.pending == "when":
        found = _WHEN.search(text)
        if not found and vague(text):
            return _advance(d, m)
        typed, previous = tidy(text), d.answers.get(step, "")
        if found and not only_date(typed) and len(set(tokens(_WHEN.sub(" ", typed))) & set(tokens(previous))) >= 2:
            d = _store(d, step, typed)  # the first step said again, with its date this time
        return _advance(replace(d, when=found.group() if found else typed.strip(" .")), m)
    if d.pending == "trigger":
        return _advance(_store(d, step, _with_trigger(d.answers.get(step, ""), text)), m)
    if all(_BACKREF.match(_normal(p)) for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p.strip()):
        earlier = "" if step in ("options", "choice") else d.answers.get(step) or d.early.get(step, "")
        if earlier:
            return _advance(_store(d, step, earlier), m)
        return d, Reply(question=m.step(step, "narrow", d.kind, d.voice, **_values(d, m)), progress=d.progress(m))
    if step == "first_step" and _WHEN.search(text) and only_date(text):
        when = _WHEN.search(text).group()
        d = replace(_store(d, step, text.strip()), when=when, pending="what", tries=0)
        return d, Reply(question=m.step(step, "what", d.kind, d.voice, when=when[:1].upper() + when[1:]),
                        progress=d.progress(m))
    if step == "options":
        return _options(d, text, said, m, reflect)
    if step == "choice" and _IDEAS.search(said):
        return _more_ideas(d, m)
    if step == "choice" and not d.options:
        kept = [p for p in (sentences(text) or [text]) if not _NO_OPTIONS.search(_normal(p))]
        if not kept:
            return d, Reply(question=m.line("choice_none", d.voice), progress=d.progress(m))
        text = " ".join(kept)
        said = _normal(text)
    if step == "choice":
        chosen = _choose(d, text, said, m, reflect)
        if chosen is not None:
            return chosen
        picked = _pick(d.options, said, text)
        if picked:
            return _advance(_store(d, step, picked), m, _reflect(d, picked, reflect),
                            (m.line("chosen", d.voice, option=_quote(picked)),))
    if asks_back(text) and not (step == "options" and _IDEAS.search(said)):
        return _question_back(d, text, m)
    if vague(text):
        return _vague(d, m)
    text = tidy(text)
    previous = d.answers.get(step) or (d.early.get(step, "") if d.pending == "confirm" else "")
    if previous and _ALSO.search(_normal((sentences(text) or [text])[0])):
        text = f"{previous.rstrip()}{'' if previous.rstrip()[-1:] in '.!?' else '.'} {text}"
    said = _normal(text)
    d = _early(d, text)
    if step == "first_step" and d.early.get("obstacle") and not d.answers.get("obstacle"):
        text = _without_obstacle(text)
    if step == "if_then" and not _TRIGGER.search(text):
        d = replace(_store(d, step, text), pending="trigger")
        return d, Reply(question=m.line("trigger", d.voice), progress=d.progress(m))
    doing = _doing(step, text)
    reflection = _reflect(d, doing, reflect) if doing else None
    d = _store(d, step, text)
    if step == "choice":
        text = unhedged(text, _OPTION_HEDGE)
        d = replace(_store(d, step, text), options=_unique([*d.options, text]))
        return _advance(d, m, reflection, (m.line("chosen", d.voice, option=_quote(text)),))
    if step == "first_step":
        found = _WHEN.search(text)
        if not found and d.when:
            return _advance(d, m, reflection)
        if not found:
            d = replace(d, pending="when", tries=0)
            return d, Reply(_said(reflection, d, m), question=m.step(step, "when", d.kind, d.voice),
                            reflection=reflection, progress=d.progress(m))
        d = replace(d, when=found.group())
    return _advance(d, m, reflection)


def _choose(d: Dialogue, text: str, said: str, m: Material, reflect: Reflect | None):
    """A choice by number inside a sentence: the first number named is the choice, a second one the next step or
    the fallback; what else the reply says about later steps is kept for them. None when no option is named."""
    found = _CHOICE.match(said)
    first = _index(found.group(1) or found.group(2), len(d.options)) if found else 0
    if found and d.options and not 0 < first <= len(d.options):
        return d, Reply((m.line("no_such_option", d.voice, count=str(len(d.options))),), items=d.options,
                        question=m.step("choice", "narrow", d.kind, d.voice, **_values(d, m)), progress=d.progress(m))
    if not 0 < first <= len(d.options):
        return None
    others = [int(mk.group(1) or mk.group(2)) for mk in _SECOND.finditer(said, found.end())]
    second = next((d.options[n - 1] for n in others if 0 < n <= len(d.options) and n != first), "")
    chosen = d.options[first - 1]
    d = _early(d, text)
    when = _WHEN.search(text)
    if when and not d.early.get("first_step"):
        d = replace(d, when=when.group())
    how = "fallback" if _FALLBACK.search(said) else "then"
    d = replace(_store(d, "choice", chosen), **({how: second} if second else {}))
    lines = (m.line("chosen", d.voice, option=_quote(chosen)),)
    if second:
        lines += (m.line(how, d.voice, option=_quote(second)),)
    return _advance(d, m, _reflect(d, chosen, reflect), lines)


def _index(word: str, size: int) -> int:
    """The 1-based position a number or an ordinal names ("2", "second", "last" of `size`)."""
    n = int(word) if word.isdigit() else _ORDINAL.get(word, 0)
    return size if n == -1 else n


def only_date(text: str) -> bool:
    """Whether a first-step reply opens with a date and no action: "Thursday. She's busy until then." """
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return not content_words(_WHEN.sub(" ", first).replace("morning", " ").replace("arvo", " "))


def _joined(first: str, then: str) -> str:
    """Two replies as one text, the first ended as a sentence."""
    first, then = first.strip(), then.strip()
    if not (first and then):
        return first or then
    return f"{first}{'' if first[-1:] in '.!?' else '.'} {then}"


def _with_trigger(plan: str, text: str) -> str:
    """An if-then plan with the "if" part the person gave when asked for it ("If they cite privacy" and "then I'll
    stop" read "If they cite privacy, then I'll stop"); a whole plan in the reply replaces it; the plan as typed
    when the reply gives no trigger."""
    if vague(text) or asks_back(text):
        return plan
    trigger = tidy(text).rstrip(" .,;")
    if _EARLY["if_then"].search(trigger) or not plan:
        return trigger
    if not _TRIGGER.search(trigger):
        trigger = f"If {trigger[:1].lower()}{trigger[1:]}"
    trigger = trigger[:1].upper() + trigger[1:]
    first = plan[:1] if re.match(r"I\b", plan) else plan[:1].lower()
    return f"{trigger}, {first}{plan[1:]}"


def _without_obstacle(text: str) -> str:
    """A first step without the obstacle it names ("… on the 17th. The risk is …", "I'll call her, but I worry …"),
    which is kept for the obstacle step; as typed when nothing would be left."""
    kept = []
    for part in sentences(text) or [text]:
        found = _EARLY["obstacle"].search(part)
        if not found:
            kept.append(part)
            continue
        before = re.split(r",?\s+but\s+$", part[:found.start()], maxsplit=1)
        if len(before) == 2 and content_words(before[0]):
            kept.append(before[0].strip())
    return " ".join(kept).strip() or text


def _doing(step: str, text: str) -> str:
    """What a reply says the person will do or did, to reflect: not at the obstacle step, and without the sentences
    about what they did not do ("I let it go"); '' when nothing is left."""
    if step == "obstacle":
        return ""
    kept = " ".join(p for p in (sentences(text) or [text]) if not _NOT_DONE.search(_normal(p)))
    if not kept or _EARLY["obstacle"].search(kept):
        return ""
    return kept if step in ("choice", "first_step", "if_then") or _DID.search(_normal(kept)) else ""


def _vague(d: Dialogue, m: Material) -> tuple[Dialogue, Reply]:
    """A narrower question the first time; the second time, leave the step open and move on."""
    if d.tries == 0:
        d = replace(d, tries=1, pending="")
        return d, Reply(question=m.step(d.current, "narrow", d.kind, d.voice, **_values(d, m)),
                        progress=d.progress(m))
    return _advance(d, m, lines=(m.line("let_go", d.voice),))


def _options(d: Dialogue, text: str, said: str, m: Material, reflect: Reflect | None) -> tuple[Dialogue, Reply]:
    if _DONE.match(said):
        if len(d.options) < ENOUGH_OPTIONS and not d.offered:
            return _ideas(d, m)
        return _advance(d, m)
    if _IDEAS.search(said) or (vague(text) and not _NUMBER.search(said)):
        if _unoffered(d):
            return _ideas(d, m)
        return _vague(d, m)
    d = _early(d, text, later_than="options")
    later = (_EARLY["obstacle"], _EARLY["if_then"])
    listed = _listed_options(text)
    added, taken, dropped, ended, picked = [], [], set(), False, ""
    for piece in _pieces(text):
        low = _normal(piece)
        if _END.match(low):
            ended = True
            break
        drop = _DROP.search(low)
        if drop:
            dropped.add(int(drop.group(1) or drop.group(2)))
            continue
        going = _GO_WITH.match(low)
        if going:
            picked = going.group(1)
            continue
        numbers = [int(n) for n in _NUMBER.findall(low)]
        if numbers and all(w.isdigit() or w in _FILLER for w in low.split()):
            taken += [d.latest[n - 1] for n in numbers if 0 < n <= len(d.latest)]
            continue
        lead = _NUMBER_LEAD.match(piece.strip().lower())
        if lead and 0 < int(lead.group(1)) <= len(d.latest):
            taken.append(d.latest[int(lead.group(1)) - 1])
            continue
        option = _proposal(piece)
        if option and not any(cue.search(option) for cue in later):
            added.append(option)
    if not (added or taken or dropped or ended):
        if (d.tries == 0 and not _VAGUE_LEAD.match(text)) or not _unoffered(d):
            return _vague(d, m)
        return _ideas(d, m)
    # The options read as the list they are ("…; …; …"), as the person typed them, not as separate sentences.
    reflection = _reflect(d, "; ".join(o.rstrip(". ") for o in added), reflect) if added else None
    if reflection is not None:
        d = replace(d, reflected=(*d.reflected, reflection.indicator_id))
    kept = [o for n, o in enumerate(d.options, 1) if n not in dropped]
    d = replace(d, options=_unique([*kept, *taken, *added]), rounds=d.rounds + 1, tries=0)
    d = _store(d, "options", "\n".join(d.options))
    if picked:
        pool = listed or d.latest or d.options
        n = _index(picked, len(pool))
        if 0 < n <= len(pool) and not d.answers.get("choice"):
            d = replace(d, early={**d.early, "choice": pool[n - 1]})
            if pool[n - 1] not in d.options:
                d = replace(d, options=(*d.options, pool[n - 1]))
            d, reply = _advance(d, m, lines=_said(reflection, d, m))
            return d, replace(reply, reflection=reflection)
    lines = _said(reflection, d, m) + ((m.line("added", d.voice),) if taken and not added else ())
    if ended and (d.options and (d.offered or len(d.options) >= ENOUGH_OPTIONS) or not _unoffered(d)):
        d, reply = _advance(d, m, lines=lines)
        return d, replace(reply, reflection=reflection)
    if ended:
        return _ideas(d, m, lines)
    return _after_option(d, m, lines, reflection)


def _after_option(d: Dialogue, m: Material, lines: tuple[str, ...], reflection: Reflection | None = None):
    if len(d.options) >= ENOUGH_OPTIONS:
        d, reply = _advance(d, m, lines=lines)
        return d, replace(reply, reflection=reflection)
    if d.rounds >= 2 and _unoffered(d):
        return _ideas(d, m, lines)
    if not d.options:
        return d, Reply(lines, question=m.step("options", "narrow", d.kind, d.voice, **_values(d, m)),
                        reflection=reflection, progress=d.progress(m))
    return d, Reply(lines, question=m.more(d.rounds + len(d.options), d.voice, len(d.options)), reflection=reflection,
                    progress=d.progress(m))


def _unoffered(d: Dialogue) -> tuple[str, ...]:
    shown = [as_option(b.text, d.voice, statement=True) for b in d.context.indicators if b.id not in d.reflected]
    actions = [as_option(a, d.voice, statement=False) for a in d.context.actions]
    pool = _unique([*_interleave(actions, shown)])
    return tuple(i for i in pool if i not in d.offered and i not in d.options)


def _ideas(d: Dialogue, m: Material, lines: tuple[str, ...] = ()) -> tuple[Dialogue, Reply]:
    """A few ideas from the authored actions and the fitting indicators, as options to consider."""
    fresh = _unoffered(d)[:IDEAS_AT_ONCE]
    if not fresh:
        return d, Reply((*lines, m.line("no_more_ideas", d.voice)), progress=d.progress(m))
    d = replace(d, offered=(*d.offered, *fresh), latest=fresh)
    return d, Reply((*lines, m.line("ideas", d.voice)), items=fresh, progress=d.progress(m))


def _more_ideas(d: Dialogue, m: Material) -> tuple[Dialogue, Reply]:
    """An ideas request at the choice: back to the options with fresh ideas, or, with none left, say so and ask for
    the choice again; the request is never an option or the choice."""
    if not _unoffered(d):
        return d, Reply((m.line("no_more_ideas_choice", d.voice),), items=d.options, progress=d.progress(m),
                        question=m.step("choice", "ask", d.kind, d.voice, **_values(d, m)))
    return _ideas(replace(d, step=STEPS.index("options"), tries=0, rounds=0, pending=""), m)


def _interleave(first: Iterable[str], second: Iterable[str]) -> list[str]:
    a, b = list(first), list(second)
    out = []
    for n in range(max(len(a), len(b))):
        out += [x[n] for x in (a, b) if n < len(x)]
    return out


def split_options(text: str) -> list[str]:
    """The options in one reply: one a line, an enumerated list ("(a) … (b) …", "1. … 2. …"), or separated by
    semicolons, sentences or "or"; lead-ins ("My own options:") and side comments are not options."""
    return [option for option in (_proposal(piece) for piece in _pieces(text)) if option]


def _listed_options(text: str) -> tuple[str, ...]:
    """The options of an enumerated list in a reply ("1) … 2) … 3) …"), each its item's first sentence, in order;
    () when the reply has no such list. A number chosen in the same reply ("I'll go with 2") counts in it."""
    out = []
    for line in text.splitlines():
        items = _enumerated(line)
        for item in (items or [None])[1:]:
            first = re.split(r"(?<=[.!?])\s+", re.sub(r"[\s,;]+(?:or|and)?[\s,;]*$", "", item.strip()))[0]
            option = _proposal(_clean(first))
            if option:
                out.append(option)
    return tuple(out)


def _clean(piece: str) -> str:
    """A piece of a reply without its list mark, lead-ins ("My own options:") and joining words ("or", "also")."""
    piece = _MARK_START.sub("", piece or "").strip(" ,.;-–—•*")
    while True:
        shorter = _JOIN.sub("", _LEAD.sub("", piece)).strip(" ,.;-–—•*")
        if shorter == piece:
            return piece
        piece = shorter


def _pieces(text: str) -> list[str]:
    """A reply cut into the pieces that may each be an option, lead-ins and joining words dropped."""
    raw: list[str] = []
    for line in text.splitlines():
        items = _enumerated(line)
        if items is None:
            raw += _OPTION_SPLIT.split(line)
            continue
        raw += _OPTION_SPLIT.split(items[0])
        for item in items[1:]:
            item = re.sub(r"[\s,;]+(?:or|and)?[\s,;]*$", "", item)
            raw += re.split(r"(?<=[.!?])\s+", item)
    pieces = []
    for piece in (_clean(p) for p in raw):
        parts = _AND_DOING.split(piece) if not _OPENS_DOING.match(piece) else [piece]
        pieces += [p for p in (part.strip(" ,.;") for part in parts) if p]
    return pieces


def _enumerated(line: str) -> list[str] | None:
    """A line holding an enumerated list cut at its markers (what comes before the first, then each item); None
    when it has no list of two or more markers in order (a, b, … or 1, 2, …)."""
    run: list[re.Match] = []
    expect = ""
    for mark in _LIST_MARK.finditer(line):
        label = next(g for g in mark.groups() if g).lower()
        if label in ("a", "1") and len(run) < 2:
            run = [mark]
        elif not run or label != expect:
            continue
        else:
            run.append(mark)
        expect = str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)
    if len(run) < 2:
        return None
    bounds = [(a.end(), b.start()) for a, b in zip(run, run[1:], strict=False)] + [(run[-1].end(), len(line))]
    return [line[:run[0].start()], *(line[a:b] for a, b in bounds)]


def _proposal(piece: str) -> str:
    """A piece of a reply as an option, or '' when it proposes nothing (a side comment or an observation)."""
    low = _normal(piece)
    if not content_words(piece) or _END.match(low) or (_COMMENT.match(low) and not _MODAL.search(low)):
        return ""
    if piece.rstrip().endswith(":") or _GO_WITH.match(low):
        return ""  # a lead-in to a list ("Other ways I can think of:") or a choice, not an option
    return situation_text.sentence(unhedged(piece, _OPTION_HEDGE))


def unhedged(text: str, hedge: re.Pattern = _STEP_HEDGE) -> str:
    """A text without the hedges at its start ("Like I said, call the CoS" is "Call the CoS"); as typed when
    nothing would be left."""
    out = text.strip()
    while True:
        shorter = hedge.sub("", _CORRECTION.sub("", out, count=1), count=1).strip()
        if shorter == out or not content_words(shorter):
            break
        out = shorter
    if out == text.strip():
        return out
    out = re.sub(r"^that\s+(?=\w)", "", out, flags=re.IGNORECASE)
    return out[:1].upper() + out[1:]


def _pick(options: tuple[str, ...], said: str, text: str) -> str:
    """The option a short reply points to: by number ("2", "the second") or by a shared word; '' when none."""
    numbers = _numbers(said)
    if numbers and len(content_words(text)) <= 3:
        n = numbers[0]
        if n == -1 and options:
            return options[-1]
        if 0 < n <= len(options):
            return options[n - 1]
    if options and len(content_words(text)) <= 2:
        said_stems = set(tokens(text))
        shared = [(len(said_stems & set(tokens(o))), o) for o in options]
        best = max(shared, key=lambda pair: pair[0])
        if best[0] and sum(1 for n, _ in shared if n == best[0]) == 1:
            return best[1]
    return ""


def _numbers(said: str) -> list[int]:
    """The numbers a short reply picks ("2", "1 and 3", "the second one", "the last")."""
    if len(said.split()) > 5:
        return []
    found = [int(n) for n in _NUMBER.findall(said)]
    if _PICKED.match(said):
        found += [_ORDINAL[w] for w in said.split() if w in _ORDINAL]
    return found


def _early(d: Dialogue, text: str, later_than: str | None = None) -> Dialogue:
    """Keep what a reply says about a later step (its sentences with that step's cue) for that step."""
    now = STEPS.index(later_than or d.current)
    early = dict(d.early)
    options = list(d.options)
    for part in sentences(text) or [text]:
        part = " ".join(part.split())
        for step, cue in _EARLY.items():
            found = cue.search(part)
            if STEPS.index(step) <= now or d.answers.get(step) or not found:
                continue
            if step == "if_then" and STEPS[now] == "obstacle":
                continue  # "If she says no I'll fold" at the obstacle step is the obstacle
            if step == "first_step" and not (_WHEN.search(part) or "first step" in part.lower()):
                continue  # "I'll back her" is not yet a first step; "I'll call her on Monday" is
            but = step == "obstacle" and re.search(r"\bbut\s+$", part[:found.start()])
            cut = step in ("options", "first_step") or but
            clause = part[found.start():] if cut else part
            if step == "options":
                options += split_options(clause)
            else:
                early.setdefault(step, situation_text.sentence(clause))
            break
    return replace(d, early=early, options=_unique(options))


def _reflect(d: Dialogue, text: str, reflect: Reflect | None) -> Reflection | None:
    if reflect is None:
        return None
    try:
        found = reflect(text)
    except InputError:
        return None
    if found is None or found.indicator_id in d.reflected:
        return None
    return found


def _said(reflection: Reflection | None, d: Dialogue, m: Material) -> tuple[str, ...]:
    if reflection is None:
        return ()
    return (m.reflect(len(d.reflected) - 1, d.voice, indicator=reflection.text.rstrip(". "),
                      capability=reflection.capability),)


def _store(d: Dialogue, step: str, text: str) -> Dialogue:
    return replace(d, answers={**d.answers, step: text}, pending="")


def _advance(d: Dialogue, m: Material, reflection: Reflection | None = None,
             lines: tuple[str, ...] = ()) -> tuple[Dialogue, Reply]:
    """Move to the next step (while going back through open steps, the next open one) and ask its question; after
    the last, offer once to go back to the steps left open, then finish with the summary."""
    if reflection is not None:
        d = replace(d, reflected=(*d.reflected, reflection.indicator_id))
        lines = (*lines, *_said(reflection, d, m))
    following = d.step + 1
    if d.returning:
        left = _left_open(d)
        following = next((n for n in range(d.step + 1, len(STEPS)) if STEPS[n] in left), len(STEPS))
    d = replace(d, step=following, tries=0, rounds=0, pending="")
    if d.step >= len(STEPS):
        d = replace(d, step=len(STEPS) - 1)
        left = _left_open(d)
        if left and not d.revisited:
            d = replace(d, revisited=True, pending="revisit")
            names = [m.name(step, d.voice) for step in left]
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            question = m.line("revisit", d.voice, steps=listed, them="it" if len(names) == 1 else "them")
            return d, Reply(lines, question=question, reflection=reflection, progress=d.progress(m))
        return _finish(d, m, reflection, lines)
    reply = _ask(d, m, lines)
    return _asked(d), replace(reply, reflection=reflection)


def _finish(d: Dialogue, m: Material, reflection: Reflection | None = None,
            lines: tuple[str, ...] = ()) -> tuple[Dialogue, Reply]:
    d = replace(d, status=DONE, step=len(STEPS) - 1, pending="", returning=False)
    return d, Reply((*lines, m.line("done", d.voice)), reflection=reflection, summary=summary(d),
                    progress=d.progress(m))


def _left_open(d: Dialogue) -> list[str]:
    """The steps with no answer yet (skipped, or left open after two vague replies)."""
    return [step for step in STEPS if not (d.options if step == "options" else d.answers.get(step))]


def _asked(d: Dialogue) -> Dialogue:
    """A step holding an earlier answer asks whether to keep it."""
    if d.current != "options" and d.early.get(d.current) and not d.answers.get(d.current):
        return replace(d, pending="confirm")
    return d


def _values(d: Dialogue, m: Material) -> dict[str, str]:
    obstacle = d.answers.get("obstacle", "")
    if obstacle:
        parts = sentences(obstacle) or [obstacle]
        obstacle = next((p for p in parts if _FIRST_PERSON.search(_normal(p))), parts[0])
    plain = d.context.capabilities[0].plain if d.context.capabilities else ""
    return {"situation": clause(d.context.situation) or m.line("this_situation", d.voice), "plain": plain,
            "obstacle": _quote(obstacle) if obstacle else m.line("no_obstacle", d.voice)}


def _quote(text: str) -> str:
    return clause(text, 24, 1) or brief(text, 24) or "“”"


def clause(text: str, limit: int = 18, shortest: int = 4) -> str:
    """A short whole clause of a text, in curly quotes: its first sentence of at least `shortest` words when it has
    at most `limit`, else that sentence up to its last clause break within `limit` words; '' when there is none."""
    for part in sentences(text) or [text]:
        part = " ".join(part.split()).rstrip(".!?;: ")
        size = len(part.split())
        if size < shortest:
            continue
        if size <= limit:
            return f"“{part}”"
        cuts = [mk.start() for mk in re.finditer(r",\s|\s[-–—]\s|;\s|:\s|\s\(", part)
                if shortest <= len(part[:mk.start()].split()) <= limit]
        return f"“{part[:cuts[-1]]}”" if cuts else ""
    return ""


def _ask(d: Dialogue, m: Material, lines: tuple[str, ...] = ()) -> Reply:
    """The current step's question (with the options so far, or an earlier answer to keep)."""
    step, voice = d.current, d.voice
    values = _values(d, m)
    ask = m.step(step, "ask", d.kind, voice, **values)
    progress = d.progress(m)
    if step == "options" and d.options:
        return Reply((*lines, ask, m.line("options_so_far", voice)), items=d.options,
                     question=m.more(d.rounds + len(d.options), voice, len(d.options)), progress=progress)
    if step == "choice" and not d.options and not d.early.get("choice"):
        return Reply(lines, question=m.line("choice_none", voice), progress=progress)
    if step == "choice":
        early = d.early.get("choice") if not d.answers.get("choice") else ""
        return Reply((*lines, ask) if early else lines, items=d.options, progress=progress,
                     question=m.line("chosen_early", voice, option=_quote(early)) if early else ask)
    early = d.early.get(step)
    if early and not d.answers.get(step):
        return Reply((*lines, ask), question=m.line("early", voice, early=_quote(early)), progress=progress)
    return Reply(lines, question=ask, progress=progress)


def summary(d: Dialogue) -> Summary:
    """What the person said, part by part, with the capabilities and the fitting indicators."""
    a = d.answers
    return Summary(
        situation=d.context.situation, voice=d.voice, goal=a.get("goal", ""), reality=a.get("reality", ""),
        options=d.options, chosen=a.get("choice", ""), then=d.then, fallback=d.fallback,
        first_step=a.get("first_step", ""), when=d.when,
        obstacle=a.get("obstacle", ""), if_then=a.get("if_then", ""),
        capabilities=tuple(c.name for c in d.context.capabilities),
        indicators=_to_work_on(d), complete=d.status == DONE)


def _to_work_on(d: Dialogue) -> tuple[str, ...]:
    """The behaviours to work on: the top capability's fitting indicators, then one of each other capability's
    (the one already reflected, if any), at most MAX_BEHAVIOURS."""
    caps, found = d.context.capabilities, d.context.indicators
    if not caps:
        return tuple(b.text for b in found[:MAX_BEHAVIOURS])

    def of(cap: Focus) -> list[Behaviour]:
        return [b for b in found if b.capability_id == cap.id or (not b.capability_id and b.capability == cap.name)]

    others = []
    for cap in caps[1:]:
        mine = of(cap)
        if mine:
            others.append(next((b for b in mine if b.id in d.reflected), mine[0]))
    top = of(caps[0])[:max(MAX_BEHAVIOURS - len(others), 1)]
    return tuple(b.text for b in [*top, *others])[:MAX_BEHAVIOURS]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen, kept = set(), []
    for value in values:
        key = " ".join(re.findall(r"\w+", value.lower()))
        if key and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


@dataclass(frozen=True)
class Notes:
    """What a finished conversation puts in the coaching plan, in the person's own words: GROW notes, WOOP fields
    and actions (the chosen option and the first step)."""

    grow: dict[str, str]
    woop: dict[str, str]
    actions: tuple[str, ...]


def notes(s: Summary) -> Notes:
    """The plan's notes for a summary: Goal, Reality, Options (one a line) and Will (the chosen option and first
    step) as GROW notes; the obstacle and the if-then plan as WOOP's obstacle and plan."""
    step = with_date(s.first_step, s.when)
    parts = (s.chosen, f"Then: {s.then}" if s.then else "", f"Fallback: {s.fallback}" if s.fallback else "",
             f"First step: {step}" if step else "")
    will = "\n".join(t for t in parts if t)
    grow = {"goal": s.goal, "reality": s.reality, "options": "\n".join(s.options), "will": will}
    woop = {"obstacle": s.obstacle, "plan": s.if_then}
    return Notes({k: v for k, v in grow.items() if v.strip()}, {k: v for k, v in woop.items() if v.strip()},
                 tuple(t for t in (s.chosen, step) if t.strip()))


ACTION_MODE = "on_the_job"


def merge(prep: Mapping, found: Notes) -> dict:
    """The plan page's answers (coaching.plan.Answers.to_state shape) with the notes added: a note joins what is
    already written under that heading (unless it is there already), and the actions join the person's own
    on-the-job actions, one a line."""
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in dict(prep).items()}
    for section, values in (("grow", found.grow), ("woop", found.woop)):
        bucket = out.setdefault(section, {})
        for key, text in values.items():
            held = bucket.get(key, "")
            bucket[key] = text if not held.strip() else held if text in held else f"{held}\n\n{text}"
    own = out.setdefault("own_actions", {})
    lines = [line for line in own.get(ACTION_MODE, "").splitlines() if line.strip()]
    lines += [a for a in found.actions if a not in lines]
    if lines:
        own[ACTION_MODE] = "\n".join(lines)
    return out


def context_for(cards, situation: str, bank: Mapping | None = None, library=None, top: int = 3) -> Context:
    """The context of a chat answer: its top `top` cards (conversation.answer.Card), their fitting indicators,
    the plain-words phrases of the questions bank, and the authored on-the-job actions (coaching.prompts)."""
    bank = bank or {}
    picked = list(cards)[:top]
    focus = tuple(Focus(c.match.id, c.match.name, getattr(bank.get(c.match.id), "plain", "")) for c in picked)
    behaviours = tuple(Behaviour(e.match.id, e.match.text, c.match.name, c.match.id)
                       for c in picked for e in c.evidence if e.fits)
    actions: list[str] = []
    if library is not None:
        for c in picked:
            actions += library.capability(c.match.id).get("actions", {}).get(ACTION_MODE, [])[:1]
    return Context(situation, focus, behaviours, tuple(actions))


def context_from_plan(framework, capability_ids: Iterable[str], indicator_ids: Iterable[str], situation: str,
                      bank: Mapping | None = None, library=None) -> Context:
    """The context of a plan (coaching.plan.Selection's capabilities and chosen indicators, the situation)."""
    bank = bank or {}
    chosen = set(indicator_ids)
    caps = [framework.capability(c) for c in capability_ids]
    focus = tuple(Focus(c.id, c.name, getattr(bank.get(c.id), "plain", "")) for c in caps)
    behaviours = tuple(Behaviour(i.id, i.text, c.name, c.id) for c in caps for i in c.indicators if i.id in chosen)
    actions: list[str] = []
    if library is not None:
        for c in caps:
            actions += library.capability(c.id).get("actions", {}).get(ACTION_MODE, [])[:1]
    return Context(situation, focus, behaviours, tuple(actions))


def carries(words: Iterable[str]) -> bool:
    """Whether the phrases of a reply that carry its link to an indicator (retriever.evidence.why) are enough to
    reflect it: two or more, or one of two content words or more; a single word ("acknowledge" for "Celebrates
    success; acknowledges and rewards achievements") is not, nor nothing."""
    words = [w for w in words if content_words(w)]
    return len(words) >= 2 or (len(words) == 1 and len(content_words(words[0])) >= 2)


def reflector(retriever, capabilities: Iterable[str] | None = None) -> Reflect:
    """A reflect function over the chat's retriever: the best-scoring indicator that fits (retriever.evidence.fits)
    for the reply and whose link some phrases of the reply carry (`carries`), among the given capabilities (the
    conversation's own; all when None), or None (off-topic, nothing fits, or only a word in common)."""
    allowed = list(capabilities) if capabilities is not None else None

    def reflect(text: str) -> Reflection | None:
        result = retriever.search(text, top=len(allowed) if allowed else 3, capabilities=allowed or None,
                                  indicators=10)
        if result.off_topic:
            return None
        fitting = [(ind.score, ind, cap) for cap in result.capabilities for ind in cap.indicators
                   if retriever.evidence.fits(ind.score)]
        if not fitting:
            return None
        fitting.sort(key=lambda row: -row[0])
        why = retriever.evidence.why(retriever.encoder, (text,), [ind.id for _, ind, _ in fitting], reflect=True)
        for _, ind, cap in fitting:
            words = tuple(why.get(ind.id, ()))
            if carries(words):
                return Reflection(ind.id, ind.text, cap.name, words)
        return None

    return reflect
