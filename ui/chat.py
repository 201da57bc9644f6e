"""The situation chat page: describe a situation, see the capabilities and indicators that matter."""

from __future__ import annotations

import streamlit as st

from ui import state

st.title("ILS Coach")
retriever = state.retriever()
if retriever is not None:
    situation = st.chat_input("Describe a work situation")
    if situation:
        with st.chat_message("user"):
            st.text(situation)
        from retrieval.text import InputError

        with st.chat_message("assistant"):
            try:
                result = retriever.search(situation, top=3)
            except InputError as err:
                st.warning(str(err))
            else:
                if result.off_topic:
                    st.write("That does not look like a work situation. Please describe one in a sentence or two.")
                else:
                    for cap in result.capabilities:
                        st.subheader(cap.name)
                        st.caption(cap.cluster)
                        for ind in cap.indicators:
                            st.text(ind.text)
