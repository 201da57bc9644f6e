"""Rendering helpers shared by the pages: Markdown that stays inert, emphasis from plain parts, the care reply."""

from __future__ import annotations

import re

import streamlit as st

from safety.guard import CARE

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=])")


def inert(text: str) -> str:
    """Text made safe to place inside st.markdown: every Markdown-significant character backslash-escaped and
    line breaks folded, so links, images, HTML, emphasis and Streamlit directives show as typed."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def emphasis(parts) -> str:
    """Markdown for ((text, emphasised), ...): emphasised parts in bold, everything escaped."""
    return "".join(f"**{inert(text)}**" if strong else inert(text) for text, strong in parts if text)


def care() -> None:
    """The safety net's care reply (authored text, never the user's), in a bordered box."""
    with st.container(border=True):
        st.markdown(CARE)
