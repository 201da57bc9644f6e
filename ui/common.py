"""Rendering helpers shared by the pages: Markdown that stays inert, emphasis from plain parts, the care reply."""

from __future__ import annotations

import streamlit as st

from coaching.inert import MARKDOWN_SPECIAL, inert
from safety.guard import CARE

__all__ = ["MARKDOWN_SPECIAL", "care", "emphasis", "inert"]


def emphasis(parts) -> str:
    """Markdown for ((text, emphasised), ...): emphasised parts in bold, everything escaped."""
    return "".join(f"**{inert(text)}**" if strong else inert(text) for text, strong in parts if text)


def care() -> None:
    """The safety net's care reply (authored text, never the user's), in a bordered box."""
    with st.container(border=True):
        st.markdown(CARE)
