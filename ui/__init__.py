"""Streamlit pages of ILS Coach: rendering only; the logic lives in corpus, index, retrieval, explore, coaching."""
