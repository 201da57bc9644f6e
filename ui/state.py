"""Shared resources (loaded once per server), friendly load errors, and the session-state contract of the pages.

Session state keys every page uses (`st.session_state[KEY]`), all kept for the browser session only:

- MESSAGES ("messages"): the chat, a list of dicts, oldest first. A user turn is
  `{"id": int, "role": "user", "text": str, "situation": int}`; an assistant turn is
  `{"id": int, "role": "assistant", "text": str, "situation": int, "answer": conversation.answer.Answer,
  "result": retrieval.results.SearchResult | None}`, where "text" is a plain-text version of the answer as first
  shown and "result" ranks every capability for the situation so far. "situation" counts "New situation" presses.
- PLAN ("plan"): the coaching plan, a plain dict `{"capabilities": [capability ids, ordered, unique],
  "indicators": [indicator ids, ordered, unique], "situations": [situation texts, unique],
  "chat_situations": {chat situation number (str): its text in "situations"}}`. Change it with `add_to_plan`,
  `remove_from_plan`, `replace_plan`, `clear_plan`; read it with `plan()`. A situation added from the chat is the
  person's own messages of that situation (`chat_situation`); adding again from a follow-up replaces that text
  rather than adding a second copy, which is what "chat_situations" is for.
- PREP ("prep"): the plan page's answers (situation as edited, ratings, evidence, notes, actions), a plain dict
  that `coaching.plan.Answers.from_state` reads. Together, PLAN and PREP are the whole plan a file keeps.
- EXPLORE ("explore_capability"): the capability id the user last chose to explore. The chat's "Explore" button
  sets it and switches to ui/explore.py with the query parameter `?capability=<id>` (see `explore`), so the
  explore page can read either; the query parameter also makes the link shareable.
- LAST_SITUATION ("last_situation"): the latest situation the chat answered, as it was understood: the user's
  texts of the current situation joined (a follow-up included). The explore page plots it on the map.
- FEEDBACK ("feedback"): thumbs given to answers, `{assistant message id: "up" | "down"}`; written nowhere.
- COACH ("coach"): the guided coaching conversation, a coaching.dialogue.Dialogue (immutable; each turn replaces
  it), or absent. Its turns are chat MESSAGES too: a user turn with `"coach": True`, an assistant turn with
  `"coach": coaching.dialogue.Reply` (and no "answer"). COACH_SOURCE ("coach_source") is the chat situation
  number it started from, so keeping it in the plan replaces that situation's text rather than adding a copy.
  `keep_coaching` puts a conversation into PLAN and PREP.
- PLANS ("plans"): every coaching plan of the session, a coaching.plans.Plans (several side by side; one, plan 1,
  for someone who never makes a second). PLAN, PREP, COACH and COACH_SOURCE above are the *active* plan's working
  copy: every page reads and writes them as before, and `plans()` takes them into the active entry before any
  change. `add_plan`, `switch_plan`, `remove_plan` put the new active plan's own contents into those keys (nothing
  is carried over from the plan left) and renew the plan page's widgets; `label_plan` and `set_voice` change the
  active plan's client label and voice ("you", or "client" for a coach preparing a client). Coaching turns in
  MESSAGES carry `"plan": <plan id>`; the chat shows only the active plan's (`shown_messages`).
- WARMED ("warmed"): True once app.py has loaded the shared resources for this session (see `warm`), so a page
  can use the safety net's detector without loading the model itself (see `guard`).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field, replace

import streamlit as st

import settings
from coaching import situation as situation_text
from coaching.plans import Entry, Plans, empty_selection
from coaching.voice import CLIENT, YOU
from retrieval.engine import Retriever
from safety.guard import Guard, Verdict

MESSAGES = "messages"
PLAN = "plan"
PREP = "prep"
EXPLORE = "explore_capability"
LAST_SITUATION = "last_situation"
FEEDBACK = "feedback"
WARMED = "warmed"
COACH = "coach"
COACH_SOURCE = "coach_source"
PLANS = "plans"
EXPLORE_PAGE = "ui/explore.py"
PLAN_PAGE = "ui/plan.py"
CHAT_PAGE = "ui/chat.py"
PLAN_GENERATION = "plan_generation"
WORK_SAID = "work_said"


@dataclass(frozen=True)
class Loaded:
    retriever: Retriever | None
    error: str = ""
    questions: dict = field(default_factory=dict)
    notice: str = ""
    guard: Guard = field(default_factory=Guard)


LOADING = ("Loading the framework and language model (first start only; the very first start also tunes the "
           "model on the example situations, which takes about three minutes)…")


@st.cache_resource(show_spinner=False)
def load() -> Loaded:
    """The coach (model, framework, index, safety net and coaching questions), loaded once per server process.

    The model also encodes one sentence here, so the first real answer does not pay for the model's start-up. The
    safety net's detector starts fitting here too, in the background (see safety.guard).
    """
    from coach import load_coach
    from corpus.model import CorpusError
    from errors import CoachError
    from index.embed import ModelError
    from settings import SettingsError

    try:
        coach = load_coach(settings.get())
        coach.encoder.encode(["warming up the model"])
    except SettingsError as err:
        return Loaded(None, f"A setting is not valid: {err}.")
    except CorpusError as err:
        return Loaded(None, f"The framework file could not be read: {err}. "
                            "Run `python -m corpus build` to recreate it, "
                            "or check ILS_COACH_FRAMEWORK.")
    except ModelError as err:
        return Loaded(None, f"The language model could not be loaded: {err}")
    except CoachError as err:
        return Loaded(None, f"The search index could not be built or loaded: {err}. Run `make index`, "
                            "or set ILS_COACH_INDEX_DIR to a writable folder.")
    shown = [n for n in coach.notices if "in memory" in n or "coaching questions" in n]
    return Loaded(coach.retriever, questions=coach.questions, notice=" ".join(shown), guard=coach.guard)


_LOADED = threading.Event()  # set once `load` has returned in this process


def shared() -> Loaded:
    """`load()`, with the loading spinner until it has returned once in this process. After that it returns at
    once, and the spinner, which Streamlit shows only after half a second, would never appear: it still cost a
    timer thread and a message to the browser at every run of every page."""
    if _LOADED.is_set():
        return load()
    with st.spinner(LOADING):
        done = load()
    _LOADED.set()
    return done


def warm() -> None:
    """Load the shared resources now, with a spinner, so no page waits for them later."""
    shared()
    st.session_state[WARMED] = True


def retriever() -> Retriever | None:
    """The shared retriever, or None after showing the user what went wrong and how to fix it."""
    loaded = shared()
    if loaded.error:
        st.error(loaded.error, icon=":material/error:")
        return None
    return loaded.retriever


def guard() -> Guard:
    """The safety net: patterns and detector once the app has loaded the model (`warm`); the patterns alone when
    the model or index could not load, or on a page run on its own."""
    return load().guard if st.session_state.get(WARMED) else Guard()


def say_work(*texts: str) -> None:
    """The person said these texts, which the safety net's detector read as distress, are about work."""
    st.session_state.setdefault(WORK_SAID, set()).update(t.strip() for t in texts if t.strip())


def distressed(text: str) -> Verdict:
    """The safety net's verdict on a text, except that a text the detector alone read as distress (no pattern)
    and the person has said is about work (`say_work`) is not distress for the rest of the session."""
    verdict = guard().check(text)
    if verdict.overridable and text.strip() in st.session_state.get(WORK_SAID, ()):
        return replace(verdict, distress=False)
    return verdict


def questions() -> dict:
    """The authored coaching questions by capability id (empty when the file is missing or broken)."""
    return load().questions


@st.cache_resource(show_spinner=False)
def coaching_material():
    """The coaching conversation's questions and the plan's authored prompts (for ideas), read once per server;
    None when either file cannot be read (the chat then offers no coaching conversation)."""
    from coaching import dialogue, prompts

    try:
        return dialogue.load(), prompts.load()
    except (dialogue.GrowError, prompts.PromptError, OSError):
        return None


def dialogue():
    """The session's coaching conversation (a coaching.dialogue.Dialogue), or None."""
    return st.session_state.get(COACH)


def keep_coaching(conversation) -> None:
    """Put a coaching conversation into the plan: its capabilities with their fitting indicators and the
    situation, and everything the person typed as GROW notes, WOOP fields and actions (coaching.dialogue.notes)."""
    from coaching import dialogue as coach

    context = conversation.context
    current = plan()
    for focus in context.capabilities:
        add_to_plan(current, focus.id, [b.id for b in context.indicators if b.capability_id == focus.id],
                    context.situation, st.session_state.get(COACH_SOURCE))
    st.session_state[PREP] = coach.merge(prep(), coach.notes(coach.summary(conversation)))
    _renew_plan_widgets()


def messages() -> list[dict]:
    """The session's chat turns (created empty on first use)."""
    return st.session_state.setdefault(MESSAGES, [])



def new_plan() -> dict:
    return empty_selection()


def plans() -> Plans:
    """The session's plans, with the active plan's working copy (PLAN, PREP, COACH, COACH_SOURCE) taken in."""
    current = st.session_state.get(PLANS)
    if not isinstance(current, Plans):
        current = Plans()
    taken = replace(current.active, selection=plan(), answers=prep(), coach=st.session_state.get(COACH),
                    coach_source=st.session_state.get(COACH_SOURCE))
    current = st.session_state[PLANS] = current.put(taken)
    return current


def active() -> Entry:
    """The active plan (its label, voice and id; its contents as last taken in by `plans`)."""
    return plans().active


def voice() -> str:
    """The active plan's voice: "you", or "client" for a coach preparing a client."""
    current = st.session_state.get(PLANS)
    return current.active.voice if isinstance(current, Plans) else YOU


def _use(current: Plans) -> None:
    """Make `current` the session's plans, with its active plan's own contents in the working keys."""
    st.session_state[PLANS] = current
    entry = current.active
    st.session_state[PLAN] = copy.deepcopy(entry.selection)
    st.session_state[PREP] = copy.deepcopy(entry.answers)
    for key, value in ((COACH, entry.coach), (COACH_SOURCE, entry.coach_source)):
        if value is None:
            st.session_state.pop(key, None)
        else:
            st.session_state[key] = value
    _renew_plan_widgets()


def add_plan() -> None:
    """"New plan": an empty plan beside the others, made active (it takes the active plan's voice)."""
    _use(plans().add())


def switch_plan(plan_id: int) -> None:
    _use(plans().switch(plan_id))


def remove_plan(plan_id: int) -> None:
    """Take a plan out of the session; the last one is emptied instead."""
    _use(plans().remove(plan_id))


def label_plan(text: str) -> None:
    """Give the active plan a client label (cleaned: see coaching.plans.clean_label; blank removes it)."""
    current = plans()
    st.session_state[PLANS] = current.label(current.active_id, text)


def set_voice(voice: str) -> None:
    """The "For a client" switch: the active plan's voice, which its running conversation follows too."""
    current = plans()
    current = st.session_state[PLANS] = current.voiced(current.active_id, voice)
    if current.active.coach is not None:
        st.session_state[COACH] = current.active.coach


def for_client() -> bool:
    return voice() == CLIENT


def drop_conversations() -> None:
    """Forget every plan's coaching conversation (the chat they were held in was cleared)."""
    current = plans()
    st.session_state[PLANS] = current.without_conversations()
    st.session_state.pop(COACH, None)
    st.session_state.pop(COACH_SOURCE, None)


def shown_messages(turns: list[dict] | None = None) -> list[dict]:
    """The chat turns to show: every turn except the coaching turns of plans other than the active one."""
    current = st.session_state.get(PLANS)
    active_id = current.active_id if isinstance(current, Plans) else 1
    turns = messages() if turns is None else turns
    return [m for m in turns if m.get("coach") is None or m.get("plan", 1) == active_id]


def plan() -> dict:
    """The session's coaching plan (created empty on first use)."""
    current = st.session_state.get(PLAN)
    if not isinstance(current, dict):
        current = st.session_state[PLAN] = new_plan()
    for key in ("capabilities", "indicators", "situations"):
        current.setdefault(key, [])
    current.setdefault("chat_situations", {})
    return current


def prep() -> dict:
    """The plan page's answers (created empty on first use)."""
    current = st.session_state.get(PREP)
    if not isinstance(current, dict):
        current = st.session_state[PREP] = {}
    return current


def holds(value) -> bool:
    """Whether a plain value holds anything: a non-blank text, a number, or a collection holding something."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(holds(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(holds(v) for v in value)
    return value is not None


def plan_is_empty() -> bool:
    """Whether the plan holds nothing at all: no capability, indicator, situation or answer."""
    current = st.session_state.get(PLAN)
    held = isinstance(current, dict) and any(holds(current.get(k)) for k in ("capabilities", "indicators",
                                                                              "situations"))
    return not held and not holds(st.session_state.get(PREP))


def plan_widget(name: str) -> str:
    """The key of a plan-page widget called `name`: the name itself until the plan is first cleared or replaced,
    then `name@<n>`, renamed each time, so every widget starts afresh from the new plan."""
    generation = st.session_state.get(PLAN_GENERATION, 0)
    return f"{name}@{generation}" if generation else name


def stale_plan_widget(key: str) -> bool:
    """Whether a plan-page widget's key is from before the plan was last cleared or replaced.

    Its callback must then do nothing. A browser that has not yet drawn the new page sends the values of the
    widgets it still shows with the next click; Streamlit reads a widget it has dropped as changed and runs its
    callback, which would put part of the old plan back (seen in the browser test at 390 px).
    """
    return plan_widget(key.rsplit("@", 1)[0]) != key


def _renew_plan_widgets() -> None:
    st.session_state[PLAN_GENERATION] = st.session_state.get(PLAN_GENERATION, 0) + 1


def clear_plan() -> None:
    """Empty the plan and the plan page's answers, and what its widgets held."""
    st.session_state[PLAN] = new_plan()
    st.session_state[PREP] = {}
    _renew_plan_widgets()


def replace_plan(selection, answers, voice: str | None = None, label: str | None = None) -> None:
    """Put a whole plan (a coaching.plan.Selection and Answers, say from a saved file) in place of the active one,
    with the file's voice and client label when given; the other plans stay as they are."""
    st.session_state[PLAN] = selection.apply(new_plan())
    st.session_state[PREP] = answers.to_state()
    current = plans()
    if voice is not None:
        current = current.voiced(current.active_id, voice)
    if label is not None:
        current = current.label(current.active_id, label)
    st.session_state[PLANS] = current
    _renew_plan_widgets()


def _append(items: list, values) -> None:
    for value in values:
        if value and value not in items:
            items.append(value)


def add_to_plan(plan: dict, capability_id: str, indicator_ids=(), situation: str = "", source=None) -> None:
    """Add a capability, some of its indicators and the situation it came from; nothing is added twice.

    `source` names where the situation came from (the chat's situation number): a later, longer version of the
    same source replaces the earlier text in place instead of being added beside it.
    """
    _append(plan["capabilities"], [capability_id])
    _append(plan["indicators"], list(indicator_ids))
    add_situation(plan, situation, source)


def add_situation(plan: dict, situation: str, source=None) -> None:
    """Add a situation text once; with a `source`, replace the text that source added before."""
    text = (situation or "").strip()
    if not text:
        return
    situations = plan["situations"]
    sources = plan.setdefault("chat_situations", {})
    earlier = sources.get(str(source)) if source is not None else None
    if earlier in situations and earlier != text:
        at = situations.index(earlier)
        situations[at:at + 1] = [] if text in situations else [text]
    else:
        _append(situations, [text])
    if source is not None:
        sources[str(source)] = text


def chat_situation(messages: list[dict], answer_id: int | None = None) -> tuple[int | None, str]:
    """The situation a chat answer was given for, as the person wrote it, with its situation number.

    That is the person's messages of the answer's situation that got an answer (not an aside such as "thanks"),
    up to the one this answer replied to, joined into sentences, each once (coaching.situation.join). Without
    `answer_id`, the latest answer. (None, "") when there is no such answer.
    """
    from conversation.answer import ANSWER

    answered = [n for n, m in enumerate(messages) if m.get("role") == "assistant"
                and getattr(m.get("answer"), "kind", None) == ANSWER
                and (answer_id is None or m.get("id") == answer_id)]
    if not answered:
        return None, ""
    end = answered[-1]
    number = messages[end].get("situation")
    texts = [m["text"] for n, m in enumerate(messages[:end]) if m.get("role") == "user"
             and m.get("situation") == number and n + 1 < len(messages) and messages[n + 1].get("role") ==
             "assistant" and getattr(messages[n + 1].get("answer"), "kind", None) == ANSWER]
    return number, situation_text.join(texts)


def remove_from_plan(plan: dict, capability_id: str, indicator_ids=()) -> None:
    """Take a capability and the given indicators out of the plan."""
    plan["capabilities"][:] = [c for c in plan["capabilities"] if c != capability_id]
    drop = set(indicator_ids)
    plan["indicators"][:] = [i for i in plan["indicators"] if i not in drop]


def in_plan(plan: dict, capability_id: str) -> bool:
    return capability_id in plan["capabilities"]


def explore(capability_id: str) -> None:
    """Remember the capability and switch to the explore page at `?capability=<id>` (does not return)."""
    st.session_state[EXPLORE] = capability_id
    st.switch_page(EXPLORE_PAGE, query_params={"capability": capability_id})


def model_name(retriever) -> str:
    """The language model's name for the About panel (never its folder path)."""
    from index.tune import describe

    return describe(retriever.encoder.name)
