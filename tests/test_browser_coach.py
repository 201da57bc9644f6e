"""End to end: the coaching conversation in a real Chromium on a real server, from an answer to the plan page."""

from __future__ import annotations

import pytest

from tests.conftest import assert_accessible
from tests.test_browser_plan import for_client, new_plan
from tests.test_coach_app import FIRST_STEP, GOAL, IF_THEN, OBSTACLE, OPTIONS, REALITY

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NEGOTIATION = "We are negotiating a funding agreement with the states and they won't budge on the cost split"


COUNT = "() => document.body.innerText.split('Coaching conversation ·').length - 1"


def progress_lines(page) -> int:
    """How many progress lines the chat shows (one per coach turn)."""
    return page.evaluate(COUNT)


def test_coaching_conversation_in_browser(real_retriever, app_server, page, screenshots, axe_script):
    """Start from a chat answer with the button, answer one question at a time by keyboard, see the progress line
    move on, and finish with a summary that lands in the plan page in the person's own words."""
    page.goto(app_server)
    box = page.get_by_role("textbox", name="Describe a work situation")
    box.wait_for(timeout=120_000)
    box.fill(NEGOTIATION)
    box.press("Enter")
    page.get_by_text("Questions to think about").wait_for(timeout=60_000)
    page.get_by_role("button", name="Coach me through this").first.click()
    page.get_by_text("Coaching conversation · Goal · 1 of 7").wait_for(timeout=60_000)
    # The progress line can be drawn a moment before the controls under it: wait for them (visible) as a person would.
    page.get_by_role("button", name="Skip").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Skip").is_visible() and page.get_by_role("button", name="Stop").is_visible()
    page.screenshot(path=str(screenshots / "coach-start.png"), full_page=True)
    assert_accessible(page, axe_script, "chat page during a coaching conversation")
    for reply in (GOAL, REALITY, OPTIONS, "1", FIRST_STEP, OBSTACLE, IF_THEN):
        before = progress_lines(page)
        box = page.get_by_role("textbox")
        box.fill(reply)
        box.press("Enter")
        try:
            page.wait_for_function(
                "n => document.body.innerText.split('Coaching conversation ·').length - 1 > n "
                "|| document.body.innerText.includes('This is now in your coaching plan')", arg=before,
                timeout=60_000)
        except Exception:
            page.screenshot(path=str(screenshots / "coach-stuck.png"), full_page=True)
            raise AssertionError(f"no coach turn after {reply!r}: {page.evaluate('document.body.innerText')[-800:]}")
    page.get_by_text("This is now in your coaching plan").wait_for(timeout=60_000)
    page.screenshot(path=str(screenshots / "coach-summary.png"), full_page=True)
    assert page.get_by_text(FIRST_STEP).count() >= 1
    page.get_by_role("link", name="Open the preparation sheet").last.click()
    page.get_by_role("tab", name="3 Conversation").click()
    goal = page.get_by_role("textbox", name="Your notes: Goal")
    goal.wait_for(timeout=60_000)
    assert goal.input_value() == GOAL
    page.screenshot(path=str(screenshots / "coach-plan.png"), full_page=True)
    new_plan(page)
    for_client(page, "JB")
    page.get_by_role("link", name="Situation chat").click()
    page.get_by_role("combobox", name="Coaching plan for this conversation").wait_for(timeout=60_000)
    assert page.get_by_text("This is now in your coaching plan").count() == 0, "plan 1's conversation is not shown"
    page.get_by_role("button", name="Coach me through this").first.click()
    page.get_by_text("Coaching conversation · Goal · 1 of 7").wait_for(timeout=60_000)
    assert "your client" in page.evaluate("document.body.innerText"), "plan 2's questions are about the client"
    page.screenshot(path=str(screenshots / "coach-second-plan.png"), full_page=True)
    assert_accessible(page, axe_script, "chat page, a second plan's coaching conversation")
    picker = page.get_by_role("combobox", name="Coaching plan for this conversation")
    picker.click()
    page.get_by_role("option", name="Plan 1").click()
    page.get_by_text("This is now in your coaching plan").wait_for(timeout=60_000)
    assert "your client" not in page.evaluate("document.body.innerText"), "plan 2's conversation is not shown"
