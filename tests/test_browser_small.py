"""A phone-sized screen (390 px wide, touch): navigation, the plan page's own downloads, explore links, the map by
tap; and the axe accessibility scan (WCAG 2.2 AA) of all three pages at that width."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
NEGOTIATION = "We are negotiating a funding agreement with the states and they won't budge on the cost split"
NEGOTIATES = "negotiates-persuasively"


@pytest.fixture
def phone(chromium):
    """A 390 x 844 touch screen. The browser does not say it is a phone (no mobile user agent): Streamlit then
    leaves its navigation open after a choice, which is what ILS Coach's own script has to fix."""
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def settle(page, ms: int = 800) -> None:
    page.wait_for_timeout(ms)


def whole_page(page, path) -> None:
    """A screenshot of the whole page at 390 px wide (Streamlit scrolls inside the page, so the window is made as
    tall as the content for a moment)."""
    height = page.get_by_test_id("stMainBlockContainer").evaluate("e => e.scrollHeight") + 200
    page.set_viewport_size({"width": PHONE["width"], "height": min(max(height, PHONE["height"]), 8000)})
    settle(page, 1000)
    page.screenshot(path=str(path))
    page.set_viewport_size(PHONE)
    settle(page, 500)


def overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"]
            and b["y"] < a["y"] + a["height"])


def sidebar_open(page) -> bool:
    return page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "false"


def test_small_screen_chat_navigation_and_plan(real_retriever, app_server, phone, screenshots, axe_script):
    """On a phone: add from an answer, open the navigation, choose the plan page (the navigation closes), download
    the plan, clear it, refuse a foreign file, load the plan back. `real_retriever` comes first so that the index is
    built before the page waits for the server."""
    from playwright.sync_api import expect

    page = phone
    page.goto(app_server)
    box = page.get_by_role("textbox", name="Describe a work situation")
    box.wait_for(timeout=120_000)
    assert not sidebar_open(page), "the sidebar starts closed on a small screen"
    box.fill(NEGOTIATION)
    box.press("Enter")
    page.get_by_text("Questions to think about").wait_for(timeout=60_000)
    page.get_by_role("button", name="Add to coaching plan").first.tap()
    page.get_by_role("button", name="In coaching plan").first.wait_for(timeout=30_000)
    whole_page(page, screenshots / "small-chat.png")
    assert_accessible(page, axe_script, "chat page with an answer, 390 px")

    page.get_by_role("button", name="Expand sidebar").tap()
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
    page.get_by_test_id("stSidebar").get_by_text("About and privacy").tap()
    expect(page.get_by_text("Model: all-MiniLM-L6-v2, tuned on the ILS Coach exemplars")).to_be_visible()
    settle(page, 500)
    page.screenshot(path=str(screenshots / "small-navigation-open.png"))
    assert_accessible(page, axe_script, "chat page, navigation open, 390 px")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Coaching preparation").tap()
    page.get_by_role("heading", name="Coaching preparation").wait_for(timeout=60_000)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true", timeout=10_000)

    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("lives only in this browser tab until you download it")).to_be_visible()
    for name in ("Plan file (JSON)", "Preparation sheet (PDF)", "Preparation sheet (Markdown)",
                 "Chat transcript (Markdown)"):
        expect(main.get_by_role("button", name=name)).to_be_visible()
    settle(page)
    page.screenshot(path=str(screenshots / "small-plan-first-screen.png"))
    with page.expect_download(timeout=60_000) as download:
        main.get_by_role("button", name="Plan file (JSON)").tap()
    saved = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert saved["format"] == "ils-coach-plan/2" and saved["plan"]["capabilities"] == [NEGOTIATES]
    assert saved["plan"]["situations"] == [f"{NEGOTIATION}."]
    with page.expect_download(timeout=60_000) as download:
        main.get_by_role("button", name="Preparation sheet (PDF)").tap()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    assert_accessible(page, axe_script, "plan page, 390 px")

    main.get_by_role("button", name="Clear plan").tap()
    expect(main.get_by_text("Clear the whole plan")).to_be_visible()
    settle(page, 500)
    main.get_by_role("button", name="Yes, clear the plan").tap()
    page.get_by_text("Your plan is empty").wait_for(timeout=30_000)
    main.get_by_text("Load a saved plan").tap()
    expect(main.get_by_test_id("stFileUploaderDropzone")).to_be_visible()
    settle(page)
    main.locator("input[type='file']").set_input_files(files=[{
        "name": "framework.json", "mimeType": "application/json", "buffer": b'{"format": "ils-coach-framework/1"}'}])
    page.get_by_text("This file is not a plan saved by ILS Coach").wait_for(timeout=30_000)
    expect(page.get_by_text("0 capabilities · 0 indicators · 0 rated")).to_be_visible()
    expect(page.get_by_text("Your plan is empty")).to_be_visible()
    expect(main.get_by_role("button", name="Load this plan")).to_have_count(0)
    main.locator("input[type='file']").set_input_files(files=[{
        "name": "my-plan.json", "mimeType": "application/json", "buffer": json.dumps(saved).encode()}])
    main.get_by_role("button", name="Load this plan").tap()
    page.get_by_text("Loaded the plan from “my-plan.json”").wait_for(timeout=30_000)
    expect(page.get_by_role("textbox", name="The situation you are preparing for")).to_have_value(f"{NEGOTIATION}.")
    whole_page(page, screenshots / "small-plan.png")
    assert_accessible(page, axe_script, "plan page after loading a plan file, 390 px")


def test_small_screen_explore_link_and_map_by_tap(real_retriever, app_server, phone, screenshots, axe_script):
    """On a phone: an explore link shows its capability on the first screen; the map's legend is whole, a tapped
    mark is read under the map and opens its capability, and the chart's toolbar covers no button."""
    from playwright.sync_api import expect

    page = phone
    framework = real_retriever.framework
    cap = framework.capability(NEGOTIATES)
    page.goto(f"{app_server}/explore?capability={NEGOTIATES}")
    heading = page.get_by_role("heading", name=cap.name, exact=True)
    heading.wait_for(timeout=120_000)
    page.get_by_role("heading", name="Clusters and capabilities").wait_for(timeout=30_000)
    settle(page)
    top = heading.bounding_box()
    assert top["y"] + top["height"] < PHONE["height"], f"the capability is on the first screen ({top})"
    assert page.get_by_role("heading", name="Clusters and capabilities").bounding_box()["y"] > top["y"]
    page.screenshot(path=str(screenshots / "small-explore-first-screen.png"))
    assert_accessible(page, axe_script, "explore page, a capability, 390 px")

    page.get_by_role("tab", name="Map").tap()
    chart = page.locator(".vega-embed svg").first
    chart.wait_for(timeout=60_000)
    settle(page, 1500)
    names = [c.name for c in framework.clusters]
    labels = page.locator(".vega-embed svg .role-legend-label text").all_text_contents()
    assert sorted(labels) == sorted(names), f"legend labels as drawn: {labels}"
    legend = page.locator(".vega-embed svg .role-legend").first.bounding_box()
    assert legend["x"] >= 0 and legend["x"] + legend["width"] <= PHONE["width"], legend

    target = framework.capability("displays-resilience").indicators[1]
    mark = page.locator(f".vega-embed svg path[aria-label*={json.dumps(target.text[:40])}]").first
    mark.scroll_into_view_if_needed()
    mark.tap()
    point = page.locator(".st-key-explore-point")
    point.wait_for(timeout=30_000)
    expect(point.get_by_text(target.text, exact=True)).to_be_visible()
    button = page.get_by_role("button", name="Open Displays resilience")
    expect(button).to_be_visible()
    page.locator(".vega-embed").first.hover()
    settle(page, 500)
    toolbars = [bar.bounding_box() for bar in page.get_by_test_id("stElementToolbar").all() if bar.is_visible()]
    assert toolbars, "the chart's toolbar shows when the chart is hovered or tapped"
    for name in ("Place on the map", "Remove it from the map", "Open Displays resilience"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        for bar in toolbars:
            assert not overlap(box, bar), f"the chart's toolbar {bar} covers “{name}” {box}"
    whole_page(page, screenshots / "small-map.png")
    assert_accessible(page, axe_script, "explore map with a mark chosen, 390 px")
    button.tap()
    page.get_by_role("heading", name="Displays resilience", exact=True).wait_for(timeout=30_000)
