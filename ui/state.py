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
- WARMED ("warmed"): True once app.py has loaded the shared resources for this session (see `warm`), so a page
  can use the safety net's detector without loading the model itself (see `guard`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

import settings
from coaching import situation as situation_text
from retrieval.engine import Retriever
from safety.guard import Guard

MESSAGES = "messages"
PLAN = "plan"
PREP = "prep"
EXPLORE = "explore_capability"
LAST_SITUATION = "last_situation"
FEEDBACK = "feedback"
WARMED = "warmed"
COACH = "coach"
COACH_SOURCE = "coach_source"
EXPLORE_PAGE = "ui/explore.py"
PLAN_PAGE = "ui/plan.py"
CHAT_PAGE = "ui/chat.py"
PLAN_GENERATION = "plan_generation"


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


def warm() -> None:
    """Load the shared resources now, with a spinner, so no page waits for them later."""
    with st.spinner(LOADING):
        load()
    st.session_state[WARMED] = True


def retriever() -> Retriever | None:
    """The shared retriever, or None after showing the user what went wrong and how to fix it."""
    with st.spinner(LOADING):
        loaded = load()
    if loaded.error:
        st.error(loaded.error, icon=":material/error:")
        return None
    return loaded.retriever


def guard() -> Guard:
    """The safety net: patterns and detector once the app has loaded the model (`warm`); the patterns alone when
    the model or index could not load, or on a page run on its own."""
    return load().guard if st.session_state.get(WARMED) else Guard()


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
    return {"capabilities": [], "indicators": [], "situations": [], "chat_situations": {}}


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


def replace_plan(selection, answers) -> None:
    """Put a whole plan (a coaching.plan.Selection and Answers, say from a saved file) in place of this one."""
    st.session_state[PLAN] = selection.apply(new_plan())
    st.session_state[PREP] = answers.to_state()
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
