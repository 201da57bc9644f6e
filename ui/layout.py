"""Small screens: the navigation closes once a page is chosen, as it does on a phone."""

from __future__ import annotations

import streamlit as st

# Streamlit collapses its sidebar after a page is chosen only when the browser says it is a phone; in a narrow
# window (a tablet in split view, a zoomed desktop, a phone browser asking for the desktop site) the open
# navigation keeps covering most of the page. Below Streamlit's own breakpoint for small screens (768 px) this
# collapses it after the choice, by the sidebar's own "Collapse sidebar" button. Static code, no user input.
CLOSE_NAVIGATION = """<script>
(() => {
  if (window.__ilsCoachNavigation) return;
  window.__ilsCoachNavigation = true;
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest('[data-testid="stSidebarNav"] a');
    if (!link || window.innerWidth >= 768) return;
    window.setTimeout(() => {
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const collapse = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (sidebar && collapse && sidebar.getAttribute("data-collapsed") === "false") collapse.click();
    }, 0);
  }, true);
})();
</script>"""
HIDDEN = "<style>.st-key-ils-coach-scripts { display: none; }</style>"


def close_navigation_on_small_screens() -> None:
    """Add the script (in a hidden container, so it takes no room on the page)."""
    st.html(HIDDEN)
    with st.container(key="ils-coach-scripts"):
        st.html(CLOSE_NAVIGATION, unsafe_allow_javascript=True)
