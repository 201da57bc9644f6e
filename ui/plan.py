"""The coaching preparation page: the plan, a self-assessment, GROW/SBI and WOOP outlines, actions, resources."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

import settings
from coaching import match, prompts
from coaching.plan import SCALE, Answers, Selection
from coaching.sheet import build, situation_of
from coaching.voice import wording
from corpus import resources as resources_module
from corpus.model import CorpusError
from corpus.model import load as load_framework
from safety.guard import Verdict
from ui import coach, common, keep, picker, state
from ui.common import inert

SHOWN_RESOURCES = 5
PLAN_CLIENT = "plan_client"
PLAN_PICKER = "plan_picker"
REMOVING = "plan_removing"
KIND = {"course": "Course", "program": "Program", "resource": "Resource"}
SET_ASIDE = ("Nothing is suggested here for now: the situation on the Focus tab reads as something personal and "
             "hard, not a work situation. If you need support now, call Lifeline on 13 11 14 or your agency's EAP, "
             "or 000 in an emergency.")


@st.cache_resource(show_spinner=False)
def load_data(framework_path: str, resources_path: str):
    """The framework, the APSC resources, the resource labels and the prompts, read once per server."""
    return (load_framework(framework_path), resources_module.load(resources_path), match.load_labels(),
            prompts.load())


def store(section: str, name: str, key: str) -> None:
    """Copy a widget's value into the answers (callbacks run before the page is drawn again)."""
    if state.stale_plan_widget(key):
        return
    value = st.session_state.get(key)
    if section == "situation":
        state.prep()["situation"] = value or ""
        return
    bucket = state.prep().setdefault(section, {})
    if value in (None, ""):
        bucket.pop(name, None)
    else:
        bucket[name] = value


def toggle_action(action_key: str, key: str) -> None:
    if state.stale_plan_widget(key):
        return
    chosen = [a for a in state.prep().get("actions", []) if a != action_key]
    state.prep()["actions"] = chosen + ([action_key] if st.session_state.get(key) else [])


def change(framework, how: str, capability_id: str, key: str | None = None, indicator_id: str = "") -> None:
    """Add or remove a capability, or tick or untick one indicator, in the shared plan."""
    if key and state.stale_plan_widget(key):
        return
    selection = Selection.from_state(state.plan(), framework)
    if how == "add":
        capability_id = st.session_state.get(key) or ""
        if not capability_id:
            return
        selection = selection.add(framework, capability_id)
        st.session_state[key] = None
    elif how == "remove":
        selection = selection.remove(framework, capability_id)
    elif capability_id not in selection.capabilities:
        return  # a tick from a capability already removed (see state.stale_plan_widget)
    else:
        chosen = [i for i in selection.chosen(framework, capability_id) if i != indicator_id]
        if st.session_state.get(key):
            chosen.append(indicator_id)
        selection = selection.with_indicators(framework, capability_id, chosen)
    selection.apply(state.plan())


def plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def bullets(items) -> None:
    st.markdown("\n".join(f"- {inert(p.text)}" + (f" *({inert(p.capability)})*" if p.capability else "")
                          for p in items))


def outline(stages, section: str, help_text: str, notes: str) -> None:
    for stage in stages:
        st.markdown(f"**{inert(stage.name)}**: {inert(stage.purpose)}")
        bullets(stage.prompts)
        key = state.plan_widget(f"{section}-{stage.key}")
        st.text_area(f"{notes}: {stage.name}", value=stage.answer, key=key, height=90, help=help_text,
                     on_change=store, args=(section, stage.key, key))


def focus_tab(framework, sheet, situation: str, verdict: Verdict | None) -> None:
    """The situation, with the care reply when the safety net reads it as distress (and, where the detector alone
    read it so, a way to say it is about work), then the capabilities and indicators chosen."""
    key = state.plan_widget("situation-text")
    words = sheet.wording
    st.text_area(words.situation, value=situation, key=key, height=110, placeholder=words.placeholder,
                 help="Taken from the chat; edit it freely. It fills the conversation prompts.",
                 on_change=store, args=("situation", "", key))
    if verdict is not None and verdict.distress:
        common.care()
        if verdict.overridable:
            st.button("It's about work: use it for the plan", key=state.plan_widget("about-work"),
                      on_click=state.say_work, args=(situation,), icon=":material/work:",
                      help="I read the situation as personal distress. If it is about work, the plan uses it.")
    st.subheader("Capabilities and indicators")
    if sheet.empty:
        st.info(words.empty, icon=":material/info:")
    for cap in sheet.summary.capabilities:
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(f"#### {inert(cap.name)}")
            left.caption(f"Cluster: {inert(cap.cluster)}")
            right.button("Remove", key=state.plan_widget(f"remove-{cap.id}"), icon=":material/delete:", on_click=change,
                         args=(framework, "remove", cap.id), help=f"Take {cap.name} out of the plan",
                         width="stretch")
            with st.expander("What this capability means"):
                st.markdown(inert(cap.description))
            chosen = {i.id for i in cap.indicators}
            st.caption(words.tick)
            for ind in framework.capability(cap.id).indicators:
                key = state.plan_widget(f"pick-{ind.id}")
                st.checkbox(ind.text, value=ind.id in chosen, key=key, on_change=change,
                            args=(framework, "pick", cap.id, key, ind.id))
    in_plan = {cap.id for cap in sheet.summary.capabilities}
    options = [cap.id for cap in framework.capabilities if cap.id not in in_plan]
    names = {cap.id: f"{cap.name} ({framework.cluster(cap.cluster_id).name})" for cap in framework.capabilities}
    if options:
        left, right = st.columns([5, 1], vertical_alignment="bottom")
        key = state.plan_widget("add-capability")
        left.selectbox("Add a capability", options, index=None, format_func=names.get, key=key,
                       placeholder="Choose a capability to add…")
        right.button("Add", key="add-button", icon=":material/add:", on_click=change,
                     args=(framework, "add", "", key), width="stretch",
                     help="Add the chosen capability with all of its indicators")


def assessment_tab(sheet) -> None:
    summary = sheet.summary
    a, b, c = st.columns(3)
    a.metric("Strengths", len(summary.strengths), help="Rated 4 (Mostly) or 5 (Consistently)")
    b.metric("Development areas", len(summary.development), help="Rated 1 (Rarely) or 2 (Sometimes)")
    c.metric("Not rated yet", len(summary.unrated))
    st.markdown("\n".join(f"- {inert(line)}" for line in summary.lines))
    for title, items in (("Strengths", summary.strengths), ("Development areas", summary.development)):
        if items:
            st.markdown(f"**{title}**\n" + "\n".join(
                f"- {inert(i.text)} *({inert(i.capability)}: {i.rating} {SCALE[i.rating]})*" for i in items))
    if sheet.empty:
        return
    st.divider()
    st.caption(sheet.wording.rate)
    for cap in summary.capabilities:
        st.subheader(cap.name)
        if not cap.indicators:
            st.caption("No indicators ticked for this capability (see Focus).")
        for item in cap.indicators:
            with st.container(border=True):
                left, right = st.columns([3, 2])
                key = state.plan_widget(f"rate-{item.id}")
                options = list(SCALE)
                left.radio(item.text, options, index=options.index(item.rating) if item.rating else None,
                           format_func=lambda v: f"{v} {SCALE[v]}", horizontal=True, key=key,
                           on_change=store, args=("ratings", item.id, key))
                key = state.plan_widget(f"evidence-{item.id}")
                right.text_input("Evidence or example (optional)", value=item.evidence, key=key,
                                 placeholder="A recent moment that shows it", on_change=store,
                                 args=("evidence", item.id, key))


def conversation_tab(library, sheet) -> None:
    st.subheader("GROW outline")
    st.caption(sheet.wording.outline)
    outline(sheet.grow, "grow", "Notes stay in this browser session only.", sheet.wording.notes)
    if sheet.sbi:
        st.divider()
        st.subheader("Feedback outline: Situation, Behaviour, Impact")
        st.caption(f"{library.sbi_intro} Shown because {'; '.join(sheet.sbi_cues[:2])}.")
        outline(sheet.sbi, "sbi", "Describe what happened, what was done and its effect.", sheet.wording.notes)


def goal_tab(library, sheet) -> None:
    st.subheader("WOOP: wish, outcome, obstacle, plan")
    st.caption("The mental strategy named on the APSC page (Gabriele Oettingen). Work through it in order.")
    outline(sheet.woop, "woop", "Notes stay in this browser session only.", sheet.wording.notes)
    st.divider()
    st.subheader("Development actions")
    st.caption(sheet.wording.actions)
    chosen = {a.key for a in sheet.actions}
    for mode, name in sheet.modes:
        with st.container(border=True):
            st.markdown(f"**{name}**")
            st.caption(library.mode_hint(mode))
            for action in (a for a in sheet.suggested if a.mode == mode):
                key = state.plan_widget(f"action-{action.key}")
                st.checkbox(f"{inert(action.text)} *({inert(action.capability)})*", value=action.key in chosen,
                            key=key, on_change=toggle_action, args=(action.key, key))
            key = state.plan_widget(f"own-{mode}")
            st.text_area(f"{sheet.wording.own_actions}: {name.lower()}",
                         value=state.prep().get("own_actions", {}).get(mode, ""), key=key, height=80,
                         placeholder="One action per line", on_change=store,
                         args=("own_actions", mode, key))


def resource(item) -> None:
    with st.container(border=True):
        st.markdown(f"**{inert(item.title)}** · {KIND.get(item.resource.kind, item.resource.kind)}")
        st.markdown(inert(item.resource.description))
        st.caption("Why: " + inert("; ".join(item.reasons)))


def resources_tab(sheet) -> None:
    st.caption("Courses and resources from the APSC performance-management page that fit your plan: chosen by "
               "authored labels per entry (capabilities, indicators and situation words). The page gives no links; "
               "search for the titles on the APSC website.")
    if not sheet.resources:
        st.info("Nothing on the page matches the plan yet. Add capabilities or describe the situation.")
    for item in sheet.resources[:SHOWN_RESOURCES]:
        resource(item)
    rest = sheet.resources[SHOWN_RESOURCES:]
    if rest:
        with st.expander(f"{len(rest)} more that fit less closely"):
            for item in rest:
                resource(item)
    if sheet.sessions:
        st.markdown("**Course sessions listed on the page**")
        st.caption("The page gives these dates and places but does not say which course each session is for.")
        st.markdown("\n".join(
            f"- {inert(s.resource.dates)}: {inert(s.resource.location)}, {inert(s.resource.mode)}, "
            f"{inert(s.resource.sessions)} ({'upcoming' if s.upcoming else 'this date has passed'})"
            for s in sheet.sessions))


def plan_controls() -> None:
    """Who the plan is for and which plan: the switch, the client label, the picker, New plan, Remove."""
    with st.container(horizontal=True, vertical_alignment="bottom", key="plan-controls"):
        picker.voice_switch(PLAN_CLIENT)
        if state.for_client() or state.active().label:
            picker.label_input()
    with st.container(horizontal=True, vertical_alignment="bottom", key="plan-picker-row"):
        picker.picker(PLAN_PICKER, "Plan")
        picker.new_plan_button("plan-new")
        if len(state.plans().entries) > 1:
            remove_form()


def _ask_remove() -> None:
    st.session_state[REMOVING] = state.active().id


def _remove(plan_id: int) -> None:
    st.session_state.pop(REMOVING, None)
    state.remove_plan(plan_id)


def remove_form() -> None:
    entry = state.active()
    if st.session_state.get(REMOVING) != entry.id:
        st.button("Remove this plan", key="plan-remove", icon=":material/delete:", on_click=_ask_remove,
                  help=f"Take {entry.name} out of this session; the other plans stay")
        return
    st.warning(f"Remove {inert(entry.name)} and everything in it? Download it first if you may want it again.",
               icon=":material/warning:")
    st.button("Yes, remove it", key="plan-remove-yes", type="primary", icon=":material/delete:", on_click=_remove,
              args=(entry.id,))
    st.button("Cancel", key="plan-remove-no", on_click=lambda: st.session_state.pop(REMOVING, None))


entry = state.active()
words = wording(entry.voice)
st.title("Coaching preparation" + (f": {inert(entry.label)}" if entry.label else ""))
st.caption(words.intro)
plan_controls()
entry = state.active()
config = settings.get()
try:
    framework, page_resources, labels, library = load_data(str(config.framework), str(config.resources))
except (CorpusError, resources_module.ResourceError, match.LabelError, prompts.PromptError) as err:
    st.error(f"The coaching data could not be read: {err}. Run `python -m corpus build`, or check "
             "ILS_COACH_FRAMEWORK and ILS_COACH_RESOURCES.", icon=":material/error:")
    st.stop()

selection = Selection.from_state(state.plan(), framework)
answers = Answers.from_state(state.prep())
situation = situation_of(selection, answers)
verdict = state.distressed(situation) if situation else None
distressed = bool(verdict and verdict.distress)
if distressed:
    answers = replace(answers, situation="")
library = library.voiced(entry.voice)
sheet = build(framework, selection, answers, library, page_resources, labels, date.today(), entry.voice, entry.label)
st.caption(" · ".join([plural(len(sheet.summary.capabilities), "capability", "capabilities"),
                        plural(sum(len(c.indicators) for c in sheet.summary.capabilities), "indicator"),
                        f"{sheet.summary.rated} rated"] + (["feedback outline included"] if sheet.sbi else [])))
keep.panel(framework, selection, answers, sheet, state.shown_messages())
if not sheet.empty and not distressed and coach.available() and st.button(
        "Coach me through this in the chat", icon=":material/record_voice_over:", key="coach-from-plan",
        help=sheet.wording.coach_help):
    coach.start_from_plan(framework, selection, situation)
    st.switch_page(state.CHAT_PAGE)
focus, assess, talk, goal, learn = st.tabs(["1 Focus", f"2 {sheet.wording.assessment}", "3 Conversation",
                                            "4 Goal and actions", "5 Resources"])
with focus:
    focus_tab(framework, sheet, situation, verdict)
with assess:
    assessment_tab(sheet)
for tab, show in ((talk, lambda: conversation_tab(library, sheet)), (goal, lambda: goal_tab(library, sheet)),
                  (learn, lambda: resources_tab(sheet))):
    with tab:
        if distressed:
            st.info(SET_ASIDE, icon=":material/favorite:")
        else:
            show()
