"""ILS Coach: the Streamlit entry point. Navigation and the one-off model load; each page renders from ui/."""

from __future__ import annotations

import streamlit as st

import coach

coach.environment()

from ui import layout, state  # noqa: E402  (after the process settings, before anything loads a model)

st.set_page_config(page_title="ILS Coach", page_icon="🧭", layout="wide")

pages = [
    st.Page(state.CHAT_PAGE, title="Situation chat", icon=":material/forum:", url_path="chat", default=True),
    st.Page(state.EXPLORE_PAGE, title="Explore the framework", icon=":material/travel_explore:",
            url_path="explore"),
    st.Page(state.PLAN_PAGE, title="Coaching preparation", icon=":material/assignment:", url_path="plan"),
]
page = st.navigation(pages)
layout.close_navigation_on_small_screens()
state.warm()
page.run()
