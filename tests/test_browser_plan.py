"""End to end: the coaching preparation page in a real Chromium, used without the chat, and its PDF download."""

from __future__ import annotations

import io

import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SITUATION = "One of my directors keeps missing deadlines and I need to give her honest feedback next week."
INDICATOR = "Provides clear, constructive and timely feedback"


def add_capability(page, name: str) -> None:
    """Choose a capability by typing its name (the list shows only some options at once), then Add."""
    box = page.get_by_role("combobox", name="Add a capability")
    box.click()
    box.press_sequentially(name, delay=20)
    page.get_by_role("option", name=name).click()
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)


def new_plan(page) -> None:
    """New plan, and wait for the plan picker that a second plan brings."""
    page.get_by_role("button", name="New plan").click()
    page.get_by_role("combobox", name="Plan", exact=True).wait_for(timeout=60_000)


def for_client(page, label: str) -> None:
    """For a client on by keyboard and the client label typed: the plan page's heading names the client."""
    switch = page.get_by_role("switch", name="For a client")
    switch.focus()
    switch.press("Space")
    box = page.get_by_role("textbox", name="Client label (optional)")
    box.wait_for(timeout=30_000)
    box.fill(label)
    box.press("Enter")
    page.get_by_role("heading", name=f"Coaching preparation: {label}").wait_for(timeout=30_000)


def test_plan_page_in_browser(app_server, page, screenshots, axe_script):
    from pypdf import PdfReader

    page.goto(f"{app_server}/plan")
    page.get_by_text("Your plan is empty").wait_for(timeout=120_000)

    add_capability(page, "Guides, mentors and develops people")
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


TOP = ("() => { window.scrollTo(0, 0); document.querySelectorAll('[data-testid=stMain], "
       "[data-testid=stAppViewContainer], [data-testid=stAppScrollToBottomContainer]')"
       ".forEach(e => e.scrollTo(0, 0)); }")
CLIENT_SWITCH_ON = "() => document.querySelector('[role=switch][aria-label=\"For a client\"]')?.checked === true"


def pdf_text(download) -> str:
    from pypdf import PdfReader

    with open(download.value.path(), "rb") as handle:
        return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages).split())


def test_two_plans_and_a_client_label_in_browser(app_server, page, screenshots, axe_script):
    """A plan for oneself and a second plan for a client labelled JB, side by side: each keeps its own capability
    and rating, the client's is worded in the third person, its PDF is named and titled for JB and holds only its
    own capability, and the chat offers the same plans beside the conversation."""
    page.goto(f"{app_server}/plan")
    page.get_by_text("Your plan is empty").wait_for(timeout=120_000)
    assert page.get_by_role("combobox", name="Plan", exact=True).count() == 0, "one plan: no picker"
    add_capability(page, "Guides, mentors and develops people")
    page.get_by_role("tab", name="2 Self-assessment").click()
    page.get_by_role("radiogroup", name=INDICATOR).get_by_text("2 Sometimes").click()
    page.get_by_text("Development areas: 1 indicator").wait_for(timeout=30_000)

    new_plan(page)
    page.get_by_text("Your plan is empty").wait_for(timeout=30_000)
    for_client(page, "JB")
    page.get_by_text("This plan is empty").wait_for(timeout=30_000)
    add_capability(page, "Negotiates persuasively")
    page.get_by_text("Tick the behaviours your client wants to work on:").wait_for(timeout=30_000)
    page.get_by_role("tab", name="2 Assessment").click()
    page.get_by_text("How would your client rate how often they show each behaviour?").wait_for(timeout=30_000)
    page.get_by_role("radiogroup").first.get_by_text("5 Consistently").click()
    page.get_by_text("Strengths: 1 indicator").wait_for(timeout=30_000)
    page.get_by_role("tab", name="3 Conversation").click()
    page.get_by_text("What would a good outcome look like for your client three months from now?").wait_for(
        timeout=30_000)
    assert page.get_by_text("To ask your client: “To ask").count() == 0
    page.set_viewport_size({"width": 1280, "height": 2600})
    page.evaluate(TOP)
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "plans-client.png"), full_page=True)
    assert_accessible(page, axe_script, "plan page, a second plan for a client")

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Preparation sheet (PDF)").click()
    assert "-JB-" in download.value.suggested_filename
    text = pdf_text(download)
    assert text.startswith("Coaching preparation sheet for a client: JB")
    assert "Negotiates persuasively" in text and "Guides, mentors and develops people" not in text
    assert "5/5 Consistently" in text and "2/5 Sometimes" not in text

    page.get_by_role("combobox", name="Plan", exact=True).click()
    page.get_by_role("option", name="Plan 1").click()
    page.get_by_role("heading", name="Coaching preparation", exact=True).wait_for(timeout=30_000)
    page.get_by_role("tab", name="2 Self-assessment").click()
    page.get_by_text("Development areas: 1 indicator").wait_for(timeout=30_000)
    assert page.get_by_role("switch", name="For a client").is_checked() is False
    assert page.get_by_text("Negotiates persuasively", exact=True).count() == 0
    page.evaluate(TOP)
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "plans-own.png"), full_page=True)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Preparation sheet (PDF)").click()
    text = pdf_text(download)
    assert text.startswith("Coaching preparation sheet Prepared on")
    assert "Guides, mentors and develops people" in text and "Negotiates persuasively" not in text

    page.get_by_role("link", name="Situation chat").click()
    picker = page.get_by_role("combobox", name="Coaching plan for this conversation")
    picker.wait_for(timeout=60_000)
    picker.click()
    page.get_by_role("option", name="Plan 2 · JB").click()
    page.wait_for_function(CLIENT_SWITCH_ON, timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "plans-chat.png"), full_page=True)
    assert_accessible(page, axe_script, "chat page with two plans")
