"""Keeping and clearing the plan: the warning, the downloads, loading a saved plan, and clearing it."""

from __future__ import annotations

import streamlit as st

from coaching import export, planfile
from coaching.plan import Answers, Selection
from ui import state
from ui.common import inert

OFFER = "keep_offer_clear"
CONFIRM = "keep_confirm_clear"
DONE = "keep_done"
UPLOADS = "keep_upload_count"
WARNING = ("**This plan lives only in this browser tab until you download it.** Reloading the page or closing the "
           "tab loses it, and nothing is kept on the server. Download the plan file (JSON) to load it here again "
           "later.")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _holds() -> str:
    current = state.plan()
    parts = [_plural(len(current["capabilities"]), "capability", "capabilities")]
    prep = state.prep()
    if state.holds(current["situations"]) or state.holds(prep.get("situation")):
        parts.append("the situation you wrote")
    if state.holds({k: v for k, v in prep.items() if k != "situation"}):
        parts.append("what you filled in on the preparation page")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def offer_to_clear_plan() -> None:
    """After "Clear conversation": ask about the plan too, when it holds anything."""
    st.session_state[OFFER] = not state.plan_is_empty()


def _clear(done: str) -> None:
    state.clear_plan()
    st.session_state[OFFER] = st.session_state[CONFIRM] = False
    st.session_state[DONE] = done


def _dismiss() -> None:
    st.session_state[OFFER] = st.session_state[CONFIRM] = False


def clear_offer() -> None:
    """The chat sidebar's question after "Clear conversation": clear the coaching plan as well, or keep it."""
    done = st.session_state.pop(DONE, "")
    if done:
        st.success(done, icon=":material/check:")
    if not st.session_state.get(OFFER) or state.plan_is_empty():
        return
    st.info(f"The conversation is cleared. Your coaching plan still holds {_holds()}. Clear the plan too?",
            icon=":material/help:")
    with st.container(horizontal=True):
        st.button("Clear the plan too", key="keep-clear-too", icon=":material/delete:", on_click=_clear,
                  args=("The conversation and the coaching plan are cleared.",),
                  help="Empty the coaching plan: its capabilities, situation, ratings, notes and actions")
        st.button("Keep the plan", key="keep-keep", on_click=_dismiss)


def _ask_to_clear() -> None:
    st.session_state[CONFIRM] = True


def _load(saved: planfile.Saved, name: str) -> None:
    state.replace_plan(saved.selection, saved.answers, saved.voice, saved.label)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1
    st.session_state[DONE] = f"Loaded the plan from “{name}”: {saved.summary}."


def _load_form(framework) -> None:
    key = f"plan-upload-{st.session_state.get(UPLOADS, 0)}"
    several = len(state.plans().entries) > 1
    upload = st.file_uploader("Plan file (JSON) downloaded from this page", type=["json"], key=key, max_upload_size=1,
                              help="The file stays in this session; loading it replaces the plan on this page"
                                   + (" (the active plan only)." if several else "."))
    if upload is None:
        return
    try:
        saved = planfile.read(upload.getvalue(), framework)
    except planfile.PlanFileError as err:
        st.error(f"{err} Your plan has not changed.", icon=":material/error:")
        return
    where = (f"Loading it replaces {inert(state.active().name)} only; your other plans stay as they are. To keep "
             "this plan too, choose New plan first." if several else "Loading it replaces everything on this page.")
    st.info(f"{inert(saved.summary)}. {where}", icon=":material/info:")
    st.button("Load this plan", key="plan-load", icon=":material/upload_file:", type="primary", on_click=_load,
              args=(saved, upload.name))


def _clear_form() -> None:
    if not st.session_state.get(CONFIRM):
        st.button("Clear plan", key="plan-clear", icon=":material/delete:", on_click=_ask_to_clear,
                  disabled=state.plan_is_empty(),
                  help="Empty the plan: its capabilities, situation, ratings, notes and actions")
        return
    st.warning(f"Clear the whole plan ({_holds()})? Download it first if you may want it again.",
               icon=":material/warning:")
    with st.container(horizontal=True):
        st.button("Yes, clear the plan", key="plan-clear-yes", type="primary", icon=":material/delete:",
                  on_click=_clear, args=("The plan is cleared.",))
        st.button("Cancel", key="plan-clear-no", on_click=_dismiss)


def panel(framework, selection: Selection, answers: Answers, sheet, messages: list) -> None:
    """The plan page's own "keep it" panel: the warning, every download, loading a saved plan, clearing it."""
    done = st.session_state.pop(DONE, "")
    if done:
        st.success(done, icon=":material/check:")
    st.warning(WARNING, icon=":material/warning:")
    st.caption("Downloads are built when you click, in this session only: nothing is saved on the server.")
    with st.container(horizontal=True, key="plan-downloads"):
        st.download_button("Plan file (JSON)",
                           data=lambda: planfile.dump(framework, selection, answers, sheet.created, sheet.voice,
                                                      sheet.label),
                           file_name=export.filename("plan", sheet.created, "json", sheet.label),
                           mime="application/json",
                           key="download-plan", icon=":material/save:", on_click="ignore",
                           help="The whole plan, to load on this page again later (Load a saved plan)")
        st.download_button("Preparation sheet (PDF)", data=lambda: export.pdf(sheet),
                           file_name=export.filename("coaching-prep", sheet.created, "pdf", sheet.label),
                           mime="application/pdf", key="download-pdf", icon=":material/picture_as_pdf:",
                           on_click="ignore")
        st.download_button("Preparation sheet (Markdown)", data=lambda: export.markdown(sheet),
                           file_name=export.filename("coaching-prep", sheet.created, "md", sheet.label),
                           mime="text/markdown", key="download-md", icon=":material/description:",
                           on_click="ignore")
        st.download_button("Chat transcript (Markdown)",
                           data=lambda: export.transcript(messages, sheet.created, framework.title),
                           file_name=export.filename("chat", sheet.created, "md", sheet.label), mime="text/markdown",
                           key="download-chat", icon=":material/forum:", on_click="ignore",
                           disabled=not messages, help=None if messages else "The chat is empty.")
    with st.expander("Load a saved plan", icon=":material/upload_file:", key="plan-load-open", on_change="rerun"):
        _load_form(framework)
    _clear_form()
