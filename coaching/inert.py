"""Typed text made inert for Markdown: every Markdown-significant character escaped, line breaks folded."""

from __future__ import annotations

import re

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&\"'=])")


def inert(text: str) -> str:
    """Text made safe to place inside Markdown (st.markdown or an exported file): every Markdown-significant
    character backslash-escaped and line breaks folded, so links, images, HTML, emphasis and Streamlit directives
    show as typed."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))
