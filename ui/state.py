"""Shared resources (loaded once per server), friendly load errors, and the session-state contract of the pages.

Session state keys every page uses (`st.session_state[KEY]`), all kept for the browser session only:

- MESSAGES ("messages"): the chat, a list of dicts, oldest first. A user turn is
  `{"id": int, "role": "user", "text": str, "situation": int}`; an assistant turn is
  `{"id": int, "role": "assistant", "text": str, "situation": int, "answer": conversation.answer.Answer,
  "result": retrieval.results.SearchResult | None}`, where "text" is a plain-text version of the answer as first
  shown and "result" ranks every capability for the situation so far. "situation" counts "New situation" presses.
- PLAN ("plan"): the coaching plan, a plain dict `{"capabilities": [capability ids, ordered, unique],
  "indicators": [indicator ids, ordered, unique], "situations": [situation texts, unique]}`. Change it with
  `add_to_plan`, `remove_from_plan`; read it with `plan()`.
- EXPLORE ("explore_capability"): the capability id the user last chose to explore. The chat's "Explore" button
  sets it and switches to ui/explore.py with the query parameter `?capability=<id>` (see `explore`), so the
  explore page can read either; the query parameter also makes the link shareable.
- LAST_SITUATION ("last_situation"): the latest situation the chat answered, as it was understood: the user's
  texts of the current situation joined (a follow-up included). The explore page plots it on the map.
- FEEDBACK ("feedback"): thumbs given to answers, `{assistant message id: "up" | "down"}`; written nowhere.
- WARMED ("warmed"): True once app.py has loaded the shared resources for this session (see `warm`), so a page
  can use the safety net's detector without loading the model itself (see `guard`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

import settings
from retrieval.engine import Retriever
from safety.guard import Guard

MESSAGES = "messages"
PLAN = "plan"
EXPLORE = "explore_capability"
LAST_SITUATION = "last_situation"
FEEDBACK = "feedback"
WARMED = "warmed"
EXPLORE_PAGE = "ui/explore.py"
PLAN_PAGE = "ui/plan.py"
CHAT_PAGE = "ui/chat.py"


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
    """The retriever (model, framework and index) and the coaching questions, loaded once per server process.

    The model also encodes one sentence here, so the first real answer does not pay for torch's start-up. The
    safety net's detector starts fitting here too, in the background (see safety.guard).
    """
    from conversation.questions import QuestionsError
    from conversation.questions import load as load_questions
    from corpus.model import CorpusError
    from index.embed import ModelError
    from index.store import IndexProblem

    try:
        config = settings.get()
    except ValueError as err:
        return Loaded(None, f"A setting is not valid: {err}.")
    try:
        retriever = Retriever.from_settings(config)
        retriever.encoder.encode(["warming up the model"])
    except CorpusError as err:
        return Loaded(None, f"The framework file could not be read: {err}. "
                            "Run `python -m corpus build` to recreate it, "
                            "or check ILS_COACH_FRAMEWORK.")
    except ModelError as err:
        return Loaded(None, f"The language model could not be loaded: {err}")
    except (IndexProblem, OSError) as err:
        return Loaded(None, f"The search index could not be built or loaded: {err}. Run `make index`, "
                            "or set ILS_COACH_INDEX_DIR to a writable folder.")
    unsaved = " ".join(n for n in retriever.notices if "in memory" in n)
    guard = Guard.from_index(retriever.index, retriever.encoder)
    try:
        return Loaded(retriever, questions=load_questions(config.questions), notice=unsaved, guard=guard)
    except (QuestionsError, OSError) as err:
        return Loaded(retriever, notice=f"{unsaved} The coaching questions could not be read ({err}); answers "
                                        "suggest questions built from the indicators instead. "
                                        "Check ILS_COACH_QUESTIONS.".strip(), guard=guard)


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


def messages() -> list[dict]:
    """The session's chat turns (created empty on first use)."""
    return st.session_state.setdefault(MESSAGES, [])


def new_plan() -> dict:
    return {"capabilities": [], "indicators": [], "situations": []}


def plan() -> dict:
    """The session's coaching plan (created empty on first use)."""
    current = st.session_state.get(PLAN)
    if not isinstance(current, dict):
        current = st.session_state[PLAN] = new_plan()
    for key in ("capabilities", "indicators", "situations"):
        current.setdefault(key, [])
    return current


def _append(items: list, values) -> None:
    for value in values:
        if value and value not in items:
            items.append(value)


def add_to_plan(plan: dict, capability_id: str, indicator_ids=(), situation: str = "") -> None:
    """Add a capability, some of its indicators and the situation it came from; nothing is added twice."""
    _append(plan["capabilities"], [capability_id])
    _append(plan["indicators"], list(indicator_ids))
    _append(plan["situations"], [situation.strip()] if situation else [])


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
