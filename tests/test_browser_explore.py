"""End to end: the explore page in a real Streamlit server and a real Chromium."""

from __future__ import annotations

import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NEGOTIATES = "negotiates-persuasively"


def test_explore_page_in_browser(app_server, page, screenshots, real_retriever, axe_script):
    framework = real_retriever.framework
    cap = framework.capability(NEGOTIATES)
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{app_server}/explore?capability={NEGOTIATES}")
    page.get_by_role("heading", name=cap.name).wait_for(timeout=120_000)
    page.get_by_role("heading", name="Closest capabilities overall").wait_for(timeout=30_000)
    for ind in cap.indicators:
        assert page.get_by_text(ind.text).count() >= 1
    assert page.get_by_text("Related behaviours across the framework").count() == 1
    assert page.get_by_role("link", name="Explore the framework").count() >= 1
    page.get_by_text("Related behaviours in other capabilities").first.click()
    for name in ("Add to coaching plan", "Inspires a sense of purpose and direction",
                 "Add indicator 1 to coaching plan",
                 "Listens, understands and adapts to audience"):
        page.get_by_role("button", name=name).first.wait_for(timeout=30_000)
    page.get_by_role("textbox", name="Search the framework").wait_for(timeout=30_000)
    page.mouse.move(5, 5)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshots / "explore.png"), full_page=True)
    assert_accessible(page, axe_script, "explore page, a capability")
    page.set_viewport_size({"width": 1280, "height": 1000})

    page.get_by_role("button", name="Displays resilience").first.click()
    page.get_by_role("heading", name="Displays resilience").wait_for(timeout=30_000)
    page.wait_for_function("() => window.location.search.includes('capability=displays-resilience')",
                           timeout=10_000)

    page.get_by_role("tab", name="Map").click()
    box = page.get_by_role("textbox", name="Describe a situation to place on the map")
    box.wait_for(timeout=30_000)
    box.fill("We are negotiating a funding agreement with the states and they won't budge on the cost split")
    page.get_by_role("button", name="Place on the map", exact=True).click()
    page.get_by_text("Nearest behaviours to your situation").wait_for(timeout=60_000)
    page.locator(".vega-embed").first.wait_for(timeout=30_000)
    page.get_by_text("Identifies key stakeholders and seeks their support early in the negotiation.").first.wait_for(
        timeout=30_000)
    page.set_viewport_size({"width": 1280, "height": 1700})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(screenshots / "explore-map.png"), full_page=True)
    assert_accessible(page, axe_script, "explore page, the map with a situation placed")

    page.get_by_role("tab", name="Compare").click()
    page.get_by_role("heading", name="Compare capabilities").wait_for(timeout=30_000)
    page.get_by_text("Where they overlap").wait_for(timeout=30_000)
    page.set_viewport_size({"width": 1280, "height": 2600})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshots / "explore-compare.png"), full_page=True)
    assert_accessible(page, axe_script, "explore page, compare")
    assert page.get_by_role("heading", name="Displays resilience").count() >= 1


def test_from_a_chat_answer_to_its_capability_and_the_map(app_server, page, real_retriever):
    situation = "We are negotiating a funding agreement with the states and they won't budge on the cost split"
    page.goto(app_server)
    box = page.get_by_role("textbox")
    box.wait_for(timeout=120_000)
    box.fill(situation)
    box.press("Enter")
    explore = page.get_by_role("button", name="Explore", exact=True).first
    explore.wait_for(timeout=60_000)
    explore.click()
    page.wait_for_url("**/explore?capability=*", timeout=30_000)
    capability_id = page.url.split("capability=")[1].split("&")[0]
    name = real_retriever.framework.capability(capability_id).name
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)
    page.get_by_role("tab", name="Map").click()
    page.get_by_text("Nearest behaviours to your situation").wait_for(timeout=60_000)
    from playwright.sync_api import expect

    expect(page.get_by_role("textbox", name="Describe a situation to place on the map")).to_have_value(
        situation, timeout=15_000)
