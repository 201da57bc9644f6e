"""End to end: a real Streamlit server and a real Chromium, as a user uses the app."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_situation_answer_in_browser(app_server, page, screenshots):
    page.goto(app_server)
    box = page.get_by_role("textbox")
    box.wait_for(timeout=120_000)
    box.fill("We are negotiating a funding agreement with the states and they won't budge on the cost split")
    box.press("Enter")
    page.get_by_text("Negotiates persuasively").first.wait_for(timeout=60_000)
    page.screenshot(path=str(screenshots / "chat.png"), full_page=True)
    assert page.get_by_text("Negotiates persuasively").count() >= 1
