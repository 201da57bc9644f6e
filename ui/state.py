"""Resources shared by every page and session (loaded once per server), and friendly load errors."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import settings
from retrieval.engine import Retriever


@dataclass(frozen=True)
class Loaded:
    retriever: Retriever | None
    error: str = ""


@st.cache_resource(show_spinner=False)
def load() -> Loaded:
    """The retriever (model, framework and index), loaded once per server process."""
    from corpus.model import CorpusError
    from index.embed import ModelError
    from index.store import IndexProblem

    try:
        return Loaded(Retriever.from_settings(settings.get()))
    except CorpusError as err:
        return Loaded(None, f"The framework file could not be read: {err}. "
                            "Run `python -m corpus build` to recreate it, "
                            "or check ILS_COACH_FRAMEWORK.")
    except ModelError as err:
        return Loaded(None, f"The language model could not be loaded: {err}")
    except (IndexProblem, OSError) as err:
        return Loaded(None, f"The search index could not be built or loaded: {err}. Run `make index`, "
                            "or set ILS_COACH_INDEX_DIR to a writable folder.")


def retriever() -> Retriever | None:
    """The shared retriever, or None after showing the user what went wrong and how to fix it."""
    with st.spinner("Loading the framework and language model (first start only)…"):
        loaded = load()
    if loaded.error:
        st.error(loaded.error)
        return None
    return loaded.retriever
