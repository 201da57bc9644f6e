"""The situation chat page: describe a situation, see the capabilities and behaviours that matter, and why."""

from __future__ import annotations

import streamlit as st

import settings
from coaching import dialogue as coaching
from conversation import answer as answers
from conversation import context, edges, strength
from ui import coach, common, keep, picker, state

EXAMPLES = (
    "We're negotiating a funding agreement with the states and they won't budge on the cost split.",
    "One of my EL2s is struggling and I need to give her honest feedback about her performance.",
    "We're restructuring the division, staff are anxious about their jobs and rumours are everywhere.",
)
PRIVACY = "Everything runs on this computer: nothing you type is stored, logged or sent anywhere."
CONTEXT = "chat_context"
VECTORS = "chat_vectors"  # the current situation's encoded texts and phrases (answers.Memory), for its follow-ups
SITUATION = "chat_situation"
NEXT_ID = "chat_next_id"
PENDING = "chat_pending"
CLUSTERS = "chat_clusters"
TOP = "chat_top"
SCORES = "chat_scores"
CHAT_BOX = "chat_box"


def next_id() -> int:
    st.session_state[NEXT_ID] = st.session_state.get(NEXT_ID, 0) + 1
    return st.session_state[NEXT_ID]


def new_situation() -> None:
    st.session_state[CONTEXT] = ()
    st.session_state.pop(VECTORS, None)
    st.session_state[SITUATION] = st.session_state.get(SITUATION, 0) + 1


def clear_conversation() -> None:
    st.session_state[state.MESSAGES] = []
    st.session_state[state.FEEDBACK] = {}
    st.session_state.pop(state.LAST_SITUATION, None)
    st.session_state.pop(state.WORK_SAID, None)
    state.drop_conversations()
    new_situation()
    keep.offer_to_clear_plan()


def ask(text: str) -> None:
    st.session_state[PENDING] = text


def add_to_plan(card: answers.Card, message_id: int) -> None:
    source, situation = state.chat_situation(state.messages(), message_id)
    state.add_to_plan(state.plan(), card.match.id, [e.match.id for e in card.evidence if e.fits], situation, source)


def show_anyway(message: dict) -> None:
    message["anyway"] = True


def about_work(message: dict, top: int, clusters: set[str]) -> None:
    """The person says the message the safety net answered with care was about work: the answer held back takes
    the care reply's place (the care reply stays above it) and the situation goes on from it as usual."""
    held = message["answer"].held
    shown = answers.view(held, top, clusters, state.questions())
    message.update(answer=held, result=held.result, care_first=True,
                   text=f"{message['text']}\n\n{answers.transcript(held, shown)}")
    st.session_state[CONTEXT] = held.texts
    st.session_state[state.LAST_SITUATION] = held.situation
    state.say_work(held.situation, state.chat_situation(state.messages(), message["id"])[1])


def remember_feedback(message_id: int) -> None:
    value = st.session_state.get(f"feedback-{message_id}")
    feedback = st.session_state.setdefault(state.FEEDBACK, {})
    if value is None:
        feedback.pop(message_id, None)
    else:
        feedback[message_id] = "up" if value == 1 else "down"


def sidebar(retriever, loaded_notice: str) -> tuple[int, set[str], bool]:
    framework = retriever.framework
    names = {c.id: c.name for c in framework.clusters}
    with st.sidebar:
        st.subheader("Answers")
        clusters = st.multiselect("Clusters to search", list(names), format_func=names.get, key=CLUSTERS,
                                  placeholder="All clusters", persist_state="session",
                                  help="Show only capabilities from these clusters. Leave empty for all.")
        top = st.slider("Capabilities per answer", 1, 10, value=min(max(settings.get().top, 1), 10), key=TOP,
                        persist_state="session")
        scores = st.toggle("Show scores", key=SCORES, persist_state="session",
                           help="Show the similarity scores behind each match (0 to 1).")
        st.button("Clear conversation", on_click=clear_conversation, icon=":material/delete:",
                  help="Remove every message of this conversation now; you are then asked about the plan.")
        keep.clear_offer()
        st.subheader("Coaching plan")
        coach.voice_switch()
        picker.new_plan_button("chat-new-plan")
        st.divider()
        st.markdown(f"**Framework in use**  \n{common.inert(framework.title)}")
        with st.expander("About and privacy"):
            st.markdown(
                "ILS Coach compares what you describe with the capabilities and behavioural indicators of the "
                "APS Integrated Leadership System, using a small language model that runs on this computer.\n\n"
                f"**Privacy.** {PRIVACY} The conversation, your thumbs up or down and your coaching plan last "
                "only as long as this browser tab; *Clear conversation* removes the conversation at once and "
                "offers to clear the plan. Download the plan on the coaching preparation page to keep it.\n\n"
                "Matches are a starting point for reflection, not an assessment of anyone. The ILS is published "
                "by the Australian Public Service Commission; ILS Coach is not produced or endorsed by the APSC."
            )
            st.caption(f"Model: {common.inert(state.model_name(retriever))}")
        if loaded_notice:
            st.warning(loaded_notice)
    return top, set(clusters), scores


def greeting() -> None:
    with st.chat_message("assistant"):
        st.markdown(
            "**Tell me what is going on at work, in your own words.** I'll show you which leadership "
            "capabilities matter most for it, the behaviours behind them, why they matched, and a question "
            "or two to take into your thinking or a coaching conversation."
        )
        st.markdown("Or start from an example:")
        for n, example in enumerate(EXAMPLES):
            st.button(example, key=f"example-{n}", on_click=ask, args=(example,), icon=":material/chat:")
        st.markdown(f":material/lock: {PRIVACY}")


def render_card(message_id: int, rank: int, card: answers.Card, scores: bool) -> None:
    """One capability as an expander: the best match open, the others one line each until opened."""
    cap = card.match
    label = f"**{rank}\\. {common.inert(cap.name)}** · {card.band}" + (f" {cap.score:.2f}" if scores else "")
    with st.expander(f"{label} · {common.inert(cap.cluster)}", expanded=rank == 1):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.progress(card.chance, width="stretch")
            if st.button("Explore", key=f"explore-{message_id}-{cap.id}", icon=":material/travel_explore:",
                         help=f"See everything about “{cap.name}” and related behaviours"):
                state.explore(cap.id)
            added = state.in_plan(state.plan(), cap.id)
            st.button("In coaching plan" if added else "Add to coaching plan", key=f"plan-{message_id}-{cap.id}",
                      icon=":material/check:" if added else ":material/playlist_add:", disabled=added,
                      on_click=add_to_plan, args=(card, message_id),
                      help=f"Keep “{cap.name}” and these behaviours for your coaching preparation")
        behaviours, about = st.tabs(["Behaviours that fit best", "What this capability means"])
        with behaviours:
            if card.evidence and not card.evidence[0].fits:
                st.markdown("None of this capability's behaviours clearly fits what you describe. The closest is:")
            for evidence in card.evidence:
                line = f"- {common.inert(evidence.match.text)}"
                if scores:
                    line += f" ({evidence.match.score:.2f})"
                if evidence.words:
                    words = ", ".join(f"“{common.inert(w)}”" for w in evidence.words)
                    line += f"  \n  *Matched because of your words {words}*"
                st.markdown(line)
        with about:
            st.markdown(common.inert(cap.description))
            if card.example:
                st.markdown(f"**A situation like yours:** “{common.inert(card.example)}”")


def render_clarify(message: dict, answer: answers.Answer) -> None:
    """A clarifying question with its prompts, and a way to see the matches anyway."""
    st.markdown(common.inert(answer.message))
    st.markdown("\n".join(f"- {common.inert(prompt)}" for prompt in answer.prompts))
    if answer.cards:
        st.button("Show matches anyway", key=f"anyway-{message['id']}", on_click=show_anyway, args=(message,),
                  icon=":material/visibility:", help="See the capabilities this short description matches now.")


def render_answer(message: dict, top: int, clusters: set[str], scores: bool, last: bool = False) -> None:
    answer: answers.Answer = message["answer"]
    shown = None
    cards = answer.kind == answers.ANSWER or (answer.kind == answers.CLARIFY and message.get("anyway"))
    if message.get("care_first"):
        common.care()
    if answer.kind == answers.SAFETY:
        common.care()
        if answer.held is not None and last:
            st.button("It's about work: show the capabilities", key=f"about-work-{message['id']}",
                      on_click=about_work, args=(message, top, clusters), icon=":material/work:",
                      help="I read your message as personal distress. If it was about a work situation, see the "
                           "capabilities for it.")
    elif answer.kind == answers.CLARIFY and not cards:
        render_clarify(message, answer)
    elif not cards:
        st.markdown(common.inert(answer.message))
    else:
        shown = answers.view(answer, top, clusters, state.questions())
        if answer.lead:
            st.markdown(common.inert(answer.lead))
        st.markdown(common.emphasis(shown.opening))
        for rank, card in enumerate(shown.cards, 1):
            render_card(message["id"], rank, card, scores)
        if shown.cards:
            st.caption("Strong, good or possible: how often matches this strong were right, not their order.",
                       help=strength.MEANING)
        if shown.questions:
            st.markdown("**Questions to think about**")
            st.markdown("\n".join(f"- {common.inert(q.text)}" for q in shown.questions))
        if answer.prepare:
            st.markdown(edges.PREPARE)
            st.page_link(state.PLAN_PAGE, label="Open coaching preparation", icon=":material/assignment:")
    for notice in answer.notices:
        st.info(notice, icon=":material/info:")
    if answer.kind == answers.ANSWER and shown and shown.cards and coach.available():
        st.button("Coach me through this", key=f"coach-start-{message['id']}", icon=":material/record_voice_over:",
                  on_click=coach.start_from_answer, args=(message, shown.cards),
                  help="Think this situation through one question at a time (goal, where things stand, options, "
                       "your first step), and keep your answers in the coaching plan")
    with st.container(horizontal=True, vertical_alignment="center"):
        if answer.kind == answers.ANSWER:
            st.markdown("Was this answer useful?", width="content")
            st.feedback("thumbs", key=f"feedback-{message['id']}", on_change=remember_feedback,
                        args=(message["id"],), persist_state="session")
        if last and st.session_state.get(CONTEXT):
            st.space("stretch")
            st.button("New situation", on_click=new_situation, icon=":material/restart_alt:",
                      help="Start afresh: your next message is read on its own, not as a follow-up.")


def render(message: dict, top: int, clusters: set[str], scores: bool, last: bool = False) -> None:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.text(message["text"])
        elif message.get("coach") is not None:
            coach.render(message, last)
        else:
            render_answer(message, top, clusters, scores, last)


def divider_before(message: dict, previous: dict | None) -> None:
    if previous is not None and message["situation"] != previous["situation"]:
        st.divider()
        st.caption("New situation")


def reply(retriever, text: str, top: int, clusters: set[str], scores: bool) -> None:
    history = state.messages()
    user = {"id": next_id(), "role": "user", "text": text, "situation": st.session_state.get(SITUATION, 0)}
    divider_before(user, history[-1] if history else None)
    history.append(user)
    render(user, top, clusters, scores)
    texts = context.window(st.session_state.get(CONTEXT, ()), text)
    with st.chat_message("assistant"):
        with st.spinner("Finding the capabilities that fit…"):
            memory = st.session_state.setdefault(VECTORS, answers.Memory())
            answer = answers.respond(retriever, texts, state.load().guard, memory)
        if answer.kind in (answers.ANSWER, answers.CLARIFY):
            st.session_state[CONTEXT] = answer.texts
        if answer.kind == answers.ANSWER:
            st.session_state[state.LAST_SITUATION] = answer.situation
        shown = answers.view(answer, top, clusters, state.questions()) if answer.kind == answers.ANSWER else None
        message = {"id": next_id(), "role": "assistant", "text": answers.transcript(answer, shown),
                   "situation": user["situation"], "answer": answer, "result": answer.result}
        history.append(message)
        render_answer(message, top, clusters, scores, last=True)


retriever = state.retriever()
if retriever is None:
    st.stop()
top, clusters, scores = sidebar(retriever, state.load().notice)

st.title("ILS Coach")
st.caption("Describe a work situation in your own words; see the leadership capabilities and behaviours that "
           "matter for it, and why.")

typed = st.session_state.get(CHAT_BOX)
text = (typed or st.session_state.pop(PENDING, None) or "").strip()
history = state.shown_messages()
if not history and not text:
    greeting()
for n, turn in enumerate(history):
    divider_before(turn, history[n - 1] if n else None)
    render(turn, top, clusters, scores, last=not text and n == len(history) - 1)
def latest_answer() -> dict | None:
    """The latest chat message with capability cards, if any."""
    return next((m for m in reversed(state.messages()) if getattr(m.get("answer"), "kind", None) == answers.ANSWER),
                None)


def coach_turn(text: str, top: int, clusters: set[str], scores: bool) -> bool:
    """Send typed text to the coaching conversation, or start one on "help me prepare"; False when it is neither."""
    if coach.running() or coach.resumable(text):
        shown = coach.turn(text)
    elif coaching.wants_coaching(text) and coach.available() and latest_answer() is not None:
        message = latest_answer()
        cards = answers.view(message["answer"], top, clusters, state.questions()).cards
        shown = coach.start_typed(text, message, cards)
    else:
        return False
    for n, message in enumerate(shown):
        render(message, top, clusters, scores, last=n == len(shown) - 1)
    return True


if text and not coach_turn(text, top, clusters, scores):
    reply(retriever, text, top, clusters, scores)
coach.plan_picker()
if coach.running():
    placeholder = coach.PLACEHOLDER
elif st.session_state.get(CONTEXT):
    placeholder = "Add to the situation above, or describe a new one"
else:
    placeholder = "Describe a work situation"
st.chat_input(placeholder, key=CHAT_BOX, submit_mode="disable")
