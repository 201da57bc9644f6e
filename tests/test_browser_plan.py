"""End to end: the coaching preparation page in a real Chromium, used without the chat, and its PDF download."""

from __future__ import annotations

import io

import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SITUATION = "One of my directors keeps missing deadlines and I need to give her honest feedback next week."
INDICATOR = "Provides clear, constructive and timely feedback"


def test_plan_page_in_browser(app_server, page, screenshots, axe_script):
    from pypdf import PdfReader

    page.goto(f"{app_server}/plan")
    page.get_by_text("Your plan is empty").wait_for(timeout=120_000)

    page.get_by_role("combobox", name="Add a capability").click()
    page.get_by_role("option", name="Guides, mentors and develops people").click()
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text(INDICATOR).first.wait_for(timeout=30_000)
    assert page.get_by_text("Your plan is empty").count() == 0

    box = page.get_by_role("textbox", name="The situation you are preparing for")
    box.fill(SITUATION)
    box.press("Control+Enter")
    page.get_by_text("1 capability · 8 indicators").wait_for(timeout=30_000)

    page.get_by_role("tab", name="2 Self-assessment").click()
    page.get_by_role("radiogroup", name=INDICATOR).get_by_text("2 Sometimes").click()
    page.get_by_text("Development areas: 1 indicator").wait_for(timeout=30_000)

    page.get_by_role("tab", name="3 Conversation").click()
    page.get_by_text("Feedback outline: Situation, Behaviour, Impact").wait_for(timeout=30_000)
    page.get_by_text("“One of my directors keeps missing deadlines").first.wait_for(timeout=30_000)
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "plan.png"), full_page=True)
    assert_accessible(page, axe_script, "plan page, conversation tab")

    page.get_by_role("tab", name="5 Resources").click()
    page.get_by_text("Coaching conversations and the manager-as-coach model", exact=True).wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "plan-resources.png"), full_page=True)

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Preparation sheet (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages)
    text = " ".join(text.split())
    assert "Guides, mentors and develops people" in text
    assert "2/5 Sometimes" in text
    assert "One of my directors keeps missing deadlines" in text


def test_from_chat_to_plan_in_browser(app_server, page, screenshots):
    page.goto(app_server)
    box = page.get_by_role("textbox").last
    box.wait_for(timeout=120_000)
    box.fill("I keep putting off a difficult conversation with my deputy about her poor performance")
    box.press("Enter")
    add = page.get_by_role("button", name="Add to coaching plan").first
    add.wait_for(timeout=60_000)
    add.click()
    page.get_by_role("button", name="In coaching plan").first.wait_for(timeout=30_000)
    page.get_by_role("link", name="Coaching preparation").click()
    page.get_by_role("heading", name="Coaching preparation").wait_for(timeout=60_000)
    situation = page.get_by_role("textbox", name="The situation you are preparing for")
    situation.wait_for(timeout=30_000)
    assert "difficult conversation with my deputy" in situation.input_value()
    assert page.get_by_text("Your plan is empty").count() == 0
    page.get_by_role("tab", name="5 Resources").click()
    page.get_by_text("Giving honest feedback from a place of engagement (Brené Brown)").wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "plan-from-chat.png"), full_page=True)
