"""Who the plan is for, and which plan: the "For a client" switch, the plan picker, "New plan", the client label."""

from __future__ import annotations

import streamlit as st

from coaching.plans import MAX_LABEL, MAX_PLANS
from coaching.voice import CLIENT, YOU
from ui import state

SWITCH_HELP = ("For a coach preparing a session with a client: the coaching questions and the plan ask about your "
               "client (“What does your client want from this?”) instead of you.")


def _voice_changed(key: str) -> None:
    state.set_voice(CLIENT if st.session_state.get(key) else YOU)


def voice_switch(key: str) -> None:
    """The "For a client" toggle, showing the active plan's voice (`key` differs per page)."""
    st.session_state[key] = state.for_client()
    st.toggle("For a client", key=key, on_change=_voice_changed, args=(key,), help=SWITCH_HELP)


def _picked(key: str) -> None:
    chosen = st.session_state.get(key)
    if chosen is not None and chosen != state.active().id:
        state.switch_plan(chosen)


def picker(key: str, label: str = "Plan", always: bool = False) -> None:
    """The plan picker: a select box of the session's plans (shown only when there is more than one, unless
    `always`)."""
    current = state.plans()
    if len(current.entries) < 2 and not always:
        return
    names = {e.id: e.name for e in current.entries}
    st.session_state[key] = current.active_id
    st.selectbox(label, list(names), format_func=names.get, key=key, on_change=_picked, args=(key,),
                 help="Each plan keeps its own coaching conversation, ratings, notes and actions; switching shows "
                      "that plan's own.")


def new_plan_button(key: str) -> None:
    full = len(state.plans().entries) >= MAX_PLANS
    st.button("New plan", key=key, icon=":material/note_add:", on_click=state.add_plan, disabled=full,
              help=f"At most {MAX_PLANS} plans in a session" if full else
              "Start an empty plan beside this one (say, for another client); this one stays as it is")


def _labelled(key: str) -> None:
    if not state.stale_plan_widget(key):
        state.label_plan(st.session_state.get(key) or "")


def label_input() -> None:
    """The optional client label of the active plan (initials or a pseudonym)."""
    key = state.plan_widget("client-label")
    st.text_input("Client label (optional)", value=state.active().label, key=key, max_chars=MAX_LABEL,
                  placeholder="Initials or a pseudonym, such as JB", on_change=_labelled, args=(key,),
                  help="Names this plan in the picker, the heading and the downloads. Use initials or a pseudonym, "
                       "not a full name: it is never required.")
