"""End to end: a real Streamlit server and a real Chromium, as a user uses the app."""

from __future__ import annotations

import time

import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NEGOTIATION = "We are negotiating a funding agreement with the states and they won't budge on the cost split"
HOSTILE = ('<img src=x onerror="window.__pwned = 1"> <b>bold?</b> [link](javascript:alert(1)) we are negotiating a '
           "funding agreement with the states and they <i>won't</i> budge on the cost split")


def chat_box(page):
    box = page.get_by_role("textbox", name="Describe a work situation")
    box.wait_for(timeout=120_000)
    return box


def test_situation_answer_in_browser(app_server, page, screenshots, axe_script):
    page.goto(app_server)
    box = chat_box(page)
    assert page.get_by_text("nothing you type is stored").filter(visible=True).count() >= 1
    assert page.get_by_role("button", name="One of my EL2s is struggling").is_visible()
    box.fill(NEGOTIATION)
    started = time.monotonic()
    box.press("Enter")
    page.get_by_text("Questions to think about").wait_for(timeout=60_000)
    elapsed = time.monotonic() - started
    print(f"\nEnter to answer: {elapsed:.2f} s")
    summaries = page.locator("[data-testid='stExpander'] summary [data-testid='stMarkdownContainer']")
    cards = [t for t in summaries.all_inner_texts() if t[:1].isdigit()]
    assert len(cards) == 3
    assert cards[0].startswith("1. Negotiates persuasively")
    assert page.get_by_text("Matched because of your words").first.is_visible()
    add = page.get_by_role("button", name="Add to coaching plan")
    assert add.count() == 1, "only the best match is open"
    page.screenshot(path=str(screenshots / "chat.png"), full_page=True)
    assert_accessible(page, axe_script, "chat page with an answer")
    summaries.filter(has_text=cards[1]).click()
    add.nth(1).wait_for(timeout=10_000)
    assert add.count() == 2


def test_user_markup_stays_inert_in_browser(app_server, page, screenshots):
    page.goto(app_server)
    box = chat_box(page)
    box.fill(HOSTILE)
    box.press("Enter")
    page.get_by_text("Was this answer useful?").wait_for(timeout=60_000)
    assert page.get_by_text(HOSTILE).count() == 1
    assert page.get_by_text("Matched because of your words").first.is_visible()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    page.screenshot(path=str(screenshots / "chat-inert.png"), full_page=True)


def test_distress_gets_the_care_reply_in_browser(app_server, page, screenshots):
    page.goto(app_server)
    box = chat_box(page)
    box.fill("honestly i cant do this anymore, i keep thinking everyone would be better off without me")
    box.press("Enter")
    page.get_by_text("Lifeline on 13 11 14").wait_for(timeout=60_000)
    assert page.get_by_text("isn't the right place for a personal crisis").is_visible()
    assert page.get_by_role("button", name="Explore").count() == 0
    assert page.get_by_text("Was this answer useful?").count() == 0
    page.screenshot(path=str(screenshots / "chat-care.png"), full_page=True)
    box = page.get_by_role("textbox")
    box.fill(NEGOTIATION)
    box.press("Enter")
    page.get_by_text("Questions to think about").wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Explore").count() == 1, "the best match is open"


def test_thin_input_requests_and_match_strength_in_browser(app_server, page, screenshots):
    """Issue 12, items 2-4: a thin line is asked back (and can be answered anyway), a writing request is refused
    in plain words, and the strength labels explain themselves on hover."""
    page.goto(app_server)
    box = chat_box(page)
    box.fill("things are bad at work")
    box.press("Enter")
    page.get_by_text("There isn't quite enough in that").wait_for(timeout=60_000)
    assert page.get_by_text("Who is involved").is_visible()
    assert page.get_by_role("button", name="Explore").count() == 0, "no cards before a real description"
    page.screenshot(path=str(screenshots / "chat-clarify.png"), full_page=True)
    page.get_by_role("button", name="Show matches anyway").click()
    page.get_by_role("button", name="Explore").first.wait_for(timeout=60_000)
    summaries = page.locator("[data-testid='stExpander'] summary [data-testid='stMarkdownContainer']")
    cards = [t for t in summaries.all_inner_texts() if t[:1].isdigit()]
    assert cards and all(any(band in t for band in ("Strong match", "Good match", "Possible match")) for t in cards)
    caption = page.get_by_text("Strong, good or possible").first
    caption.wait_for(timeout=10_000)
    target = caption.locator("xpath=ancestor::*[@data-testid='stCaptionContainer' or "
                             "@data-testid='stElementContainer'][1]").get_by_test_id("stTooltipHoverTarget").first
    meaning = page.get_by_text("does not depend on the card's place")
    for _ in range(5):  # a rerun that redraws the page while the pointer rests there closes the tooltip
        page.mouse.move(0, 0)
        target.scroll_into_view_if_needed()
        target.hover()
        try:
            meaning.wait_for(timeout=4_000)
            break
        except Exception:
            continue
    assert meaning.is_visible(), "the strength labels' meaning shows on hover"
    page.mouse.move(0, 0)
    box = page.get_by_role("textbox")
    box.fill("Can you write an all-staff email announcing the restructure")
    box.press("Enter")
    page.get_by_text("I can't write documents, emails or speeches for you").wait_for(timeout=60_000)
    page.screenshot(path=str(screenshots / "chat-limits.png"), full_page=True)
