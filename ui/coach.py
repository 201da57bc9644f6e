"""The guided coaching conversation in the chat: starting it, its turns and buttons, its summary (coaching/dialogue)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from coaching import dialogue as coach
from coaching import export
from ui import common, picker, state

NEXT_ID = "chat_next_id"
SITUATION = "chat_situation"
CLIENT = "chat_client"
PICKER = "chat_plan"
PLACEHOLDER = "Answer in your own words, or type skip, back, start over or stop"
CONTROLS = (
    ("skip", "Skip", ":material/skip_next:", "Skip this question; you can come back to it later"),
    ("back", "Back", ":material/undo:", "Go back to the previous question"),
    ("restart", "Start over", ":material/restart_alt:", "Forget the answers so far and start from the first question"),
    ("stop", "Stop", ":material/stop_circle:", "Finish here and see what you have said so far"),
)


def available() -> bool:
    return state.coaching_material() is not None


def voice() -> str:
    return state.voice()


def voice_switch() -> None:
    """The chat's "For a client" switch (the active plan's voice; a running conversation follows it)."""
    picker.voice_switch(CLIENT)


def plan_picker() -> None:
    """Under the conversation, when the session holds more than one plan: which plan the coaching is for."""
    picker.picker(PICKER, "Coaching plan for this conversation")


def running() -> bool:
    conversation = state.dialogue()
    return conversation is not None and conversation.open


def resumable(text: str) -> bool:
    """Whether typed text asks to carry on a stopped conversation ("resume", "I want to keep going")."""
    conversation = state.dialogue()
    return conversation is not None and conversation.status == coach.STOPPED and coach.wants_resume(text)


def _next_id() -> int:
    st.session_state[NEXT_ID] = st.session_state.get(NEXT_ID, 0) + 1
    return st.session_state[NEXT_ID]


def _append(message: dict) -> dict:
    state.messages().append(message)
    return message


def _user(text: str) -> dict:
    return _append({"id": _next_id(), "role": "user", "text": text, "situation": st.session_state.get(SITUATION, 0),
                    "coach": True, "plan": state.active().id})


def _say(conversation, reply: coach.Reply) -> dict:
    st.session_state[state.COACH] = conversation
    message = _append({"id": _next_id(), "role": "assistant", "text": reply.text,
                       "situation": st.session_state.get(SITUATION, 0), "coach": reply, "plan": state.active().id})
    if conversation.status == coach.DONE:
        state.keep_coaching(conversation)
        message["kept"] = True
    return message


def start(cards, situation: str, source, context: coach.Context | None = None) -> dict | None:
    """Begin a conversation about a situation and its cards (conversation.answer.Card), or a given context; the
    coach's first turn."""
    material = state.coaching_material()
    if material is None:
        return None
    grow, library = material
    context = context or coach.context_for(cards, situation, state.questions(), library)
    conversation, reply = coach.start(context, grow, voice())
    st.session_state[state.COACH_SOURCE] = source
    return _say(conversation, reply)


def start_from_answer(message: dict, cards) -> None:
    """The "Coach me through this" button under a chat answer."""
    source, situation = state.chat_situation(state.messages(), message["id"])
    _user("Coach me through this")
    start(cards, situation or message["answer"].situation, source)


def start_typed(text: str, message: dict, cards) -> list[dict]:
    """A typed "help me prepare": the person's words, then the coach's first turn about the latest answer."""
    source, situation = state.chat_situation(state.messages(), message["id"])
    shown = [_user(text)]
    first = start(cards, situation or message["answer"].situation, source)
    return shown + ([first] if first else [])


def start_from_plan(framework, selection, situation: str) -> None:
    """The plan page's "Coach me through this in the chat": a conversation about the plan's capabilities, chosen
    indicators and situation (the caller then switches to the chat)."""
    _, library = state.coaching_material()
    context = coach.context_from_plan(framework, selection.capabilities, selection.indicators, situation,
                                      state.questions(), library)
    _user("Coach me through my plan")
    start((), situation, None, context)


def turn(text: str) -> list[dict]:
    """A typed reply to the coach: the person's words, then the coach's."""
    grow, _ = state.coaching_material()
    loaded = state.load()
    conversation = state.dialogue()
    reflect = (coach.reflector(loaded.retriever, [c.id for c in conversation.context.capabilities])
               if loaded.retriever is not None else None)
    shown = _user(text)
    conversation, reply = coach.respond(conversation, text, grow, state.guard(), reflect)
    return [shown, _say(conversation, reply)]


def press(name: str, label: str) -> None:
    """A control button (skip, back, start over, stop, resume)."""
    conversation = state.dialogue()
    if conversation is None:
        return
    grow, _ = state.coaching_material()
    _user(label)
    _say(*coach.command(conversation, name, grow))


def keep(message: dict) -> None:
    """"Keep this in my plan" after stopping early."""
    conversation = state.dialogue()
    if conversation is not None:
        state.keep_coaching(conversation)
        message["kept"] = True


def controls(conversation) -> None:
    with st.container(horizontal=True):
        if conversation.status == coach.PAUSED:
            st.button("Resume", key="coach-resume", icon=":material/play_arrow:", on_click=press,
                      args=("resume", "Resume"), help="Carry on with the coaching questions where we were")
        for name, label, icon, help_text in CONTROLS:
            st.button(label, key=f"coach-{name}", icon=icon, on_click=press, args=(name, label), help=help_text)


def summary(message: dict, found: coach.Summary) -> None:
    st.markdown("\n".join(f"- **{common.inert(label)}:** {common.inert(text)}" for label, text in found.parts()))
    if message.get("kept"):
        st.success("This is now in your coaching plan, in your own words: the GROW notes, the obstacle and if-then "
                   "plan, and the chosen option and first step as actions.", icon=":material/check:")
    else:
        st.button("Keep this in my plan", key=f"coach-keep-{message['id']}", icon=":material/playlist_add:",
                  on_click=keep, args=(message,), help="Put what you have said so far into the coaching plan")
    with st.container(horizontal=True):
        st.page_link(state.PLAN_PAGE, label="Open the preparation sheet", icon=":material/assignment:")
        label = state.active().label
        st.download_button("Download this summary (Markdown)", found.markdown(label),
                           key=f"coach-download-{message['id']}",
                           file_name=export.filename("conversation", date.today(), "md", label), mime="text/markdown",
                           icon=":material/download:",
                           on_click="ignore")


def render(message: dict, last: bool) -> None:
    """One coach turn: the progress line, the care reply, what the coach says, the question, the summary, and the
    controls under the latest turn while the conversation runs."""
    reply: coach.Reply = message["coach"]
    if reply.progress:
        st.caption(f"Coaching conversation · {reply.progress}")
    if reply.care:
        common.care()
    for line in reply.lines:
        st.markdown(common.inert(line))
    if reply.items:
        st.markdown("\n".join(f"{n}. {common.inert(item)}" for n, item in enumerate(reply.items, 1)))
    if reply.question:
        st.markdown(f"**{common.inert(reply.question)}**")
    if reply.summary is not None:
        summary(message, reply.summary)
    conversation = state.dialogue()
    if last and conversation is not None and conversation.open:
        controls(conversation)
    elif last and conversation is not None and conversation.status == coach.STOPPED:
        st.button("Resume", key="coach-resume", icon=":material/play_arrow:", on_click=press,
                  args=("resume", "Resume"), help="Carry on with the coaching questions where we stopped")
