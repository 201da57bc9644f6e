"""ILS Coach: the Streamlit entry point. Navigation and the one-off model load; each page renders from ui/."""

from __future__ import annotations

import os

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

from ui import layout, state  # noqa: E402  (after the offline switches, before anything loads a model)

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
