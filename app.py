"""ILS Coach: the Streamlit entry point. Layout and navigation only; each page renders from ui/."""

from __future__ import annotations

import os

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

st.set_page_config(page_title="ILS Coach", page_icon="🧭", layout="wide")

pages = [
    st.Page("ui/chat.py", title="Situation chat", url_path="chat", default=True),
    st.Page("ui/explore.py", title="Explore the framework", url_path="explore"),
]
st.navigation(pages).run()
