"""Coaching preparation: plan model, self-assessment summary, filled prompts, resource matching, exports, page."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from coaching import export, match, prompts
from coaching.assess import summarise
from coaching.plan import MODES, SCALE, Answers, Selection
from coaching.sheet import build
from coaching.words import brief, found
from corpus import resources as resources_module
from corpus.model import load as load_framework

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "corpus" / "data"
GUIDES = "guides-mentors-and-develops-people"
FEEDBACK = "guides-mentors-and-develops-people.7"
RESILIENCE = "displays-resilience"
ACTION = "commits-to-action"
STRATEGY = "focuses-strategically"
NEGOTIATES = "negotiates-persuasively"
DAY = date(2026, 5, 20)


@pytest.fixture(scope="module")
def framework():
    return load_framework(DATA / "ils-ses-band-2.json")


@pytest.fixture(scope="module")
def library():
    return prompts.load()


@pytest.fixture(scope="module")
def page_resources():
    return resources_module.load(DATA / "apsc-resources.json")


@pytest.fixture(scope="module")
def labels():
    return match.load_labels()


@pytest.fixture
def make(framework, library, page_resources, labels):
    """Build a sheet from a plan dict and an answers dict."""

    def sheet(plan: dict, answers: dict | None = None, today: date = DAY):
        return build(framework, Selection.from_state(plan, framework), Answers.from_state(answers or {}), library,
                     page_resources, labels, today)

    return sheet


def titles(sheet) -> list[str]:
    return [m.title for m in sheet.resources]


# The plan model


def test_selection_reads_the_chat_state_tolerantly(framework):
    state = {"capabilities": [GUIDES, "no-such-capability", GUIDES, 7],
             "indicators": ["displays-resilience.4", "nope.1", FEEDBACK, FEEDBACK],
             "situations": ["  my EL1 keeps missing deadlines ", "", "my EL1 keeps missing deadlines"]}
    sel = Selection.from_state(state, framework)
    assert sel.capabilities == (GUIDES, RESILIENCE)
    assert sel.indicators == ("displays-resilience.4", FEEDBACK)
    assert sel.situations == ("my EL1 keeps missing deadlines",)
    assert Selection.from_state(None, framework) == Selection()
    assert Selection.from_state({"capabilities": "guides"}, framework) == Selection()


def test_selection_add_remove_and_pick(framework):
    sel = Selection().add(framework, GUIDES)
    assert sel.chosen(framework, GUIDES) == tuple(i.id for i in framework.capability(GUIDES).indicators)
    sel = sel.add(framework, RESILIENCE, ["displays-resilience.2", FEEDBACK])
    assert sel.chosen(framework, RESILIENCE) == ("displays-resilience.2",)
    sel = sel.with_indicators(framework, GUIDES, [FEEDBACK])
    assert sel.chosen(framework, GUIDES) == (FEEDBACK,)
    sel = sel.with_indicators(framework, GUIDES, [])
    assert GUIDES in sel.capabilities and sel.chosen(framework, GUIDES) == ()
    sel = sel.remove(framework, RESILIENCE)
    assert sel.capabilities == (GUIDES,) and sel.indicators == ()
    state = {"capabilities": [], "indicators": [], "situations": [], "kept": 1}
    same = sel.apply(state)
    assert same is state and state["kept"] == 1 and state["capabilities"] == [GUIDES]


def test_answers_drop_malformed_values():
    answers = Answers.from_state({"ratings": {"a": 3, "b": 0, "c": 6, "d": True, "e": "4"},
                                  "grow": {"goal": "x", "bogus": "y", "will": 5},
                                  "actions": ["k", "k", 3], "situation": 12})
    assert answers.ratings == {"a": 3}
    assert answers.grow == {"goal": "x"}
    assert answers.actions == ("k",)
    assert answers.situation is None


# Self-assessment summary


def test_ratings_make_strengths_and_development_areas(framework):
    sel = Selection().add(framework, GUIDES, ["guides-mentors-and-develops-people.3", FEEDBACK,
                                              "guides-mentors-and-develops-people.8"])
    sel = sel.add(framework, RESILIENCE, ["displays-resilience.4"])
    empty = summarise(framework, sel, Answers())
    assert empty.rated == 0 and len(empty.unrated) == 4
    assert "rate them" in empty.lines[0]
    answers = Answers(ratings={"guides-mentors-and-develops-people.3": 5, FEEDBACK: 1,
                               "guides-mentors-and-develops-people.8": 2, "displays-resilience.4": 3})
    summary = summarise(framework, sel, answers)
    assert [i.id for i in summary.strengths] == ["guides-mentors-and-develops-people.3"]
    assert [i.id for i in summary.development] == [FEEDBACK, "guides-mentors-and-develops-people.8"]
    assert [i.id for i in summary.building] == ["displays-resilience.4"]
    assert summary.lines[0] == "Strengths: 1 indicator, in Guides, mentors and develops people."
    assert summary.lines[1] == "Development areas: 2 indicators, in Guides, mentors and develops people."
    guides = summary.capabilities[0]
    assert guides.focus.id == FEEDBACK
    assert guides.average == pytest.approx(8 / 3)
    changed = summarise(framework, sel, Answers(ratings={**answers.ratings, FEEDBACK: 4}))
    assert changed.lines != summary.lines
    assert len(changed.strengths) == 2 and changed.capabilities[0].focus.id == "guides-mentors-and-develops-people.8"


# Prompts


def test_prompt_data_covers_every_capability(framework, library):
    for cap in framework.capabilities:
        entry = library.capability(cap.id)
        assert set(entry["grow"]) == {"goal", "reality", "options", "will"}, cap.id
        assert entry["obstacle"] and entry["theme"], cap.id
        for mode in MODES:
            assert entry["actions"][mode], (cap.id, mode)
    texts = [t for cap in framework.capabilities for t in library.capability(cap.id)["grow"].values()]
    assert len(texts) == len(set(texts)), "each capability has its own prompts"


def test_grow_prompts_are_filled_from_the_chosen_capabilities(make, library):
    situation = "My director keeps rejecting our budget bids without saying why."
    sheet = make({"capabilities": [NEGOTIATES, STRATEGY], "situations": [situation]})
    goal = sheet.grow[0]
    assert goal.name == "Goal"
    assert "“My director keeps rejecting our budget bids without saying why”" in goal.prompts[0].text
    assert [p.capability for p in goal.prompts[1:]] == ["Negotiates persuasively", "Focuses strategically"]
    assert goal.prompts[1].text == library.capability(NEGOTIATES)["grow"]["goal"]
    guides_goal = library.capability(GUIDES)["grow"]["goal"]
    assert all(p.text != guides_goal for stage in sheet.grow for p in stage.prompts)
    other = make({"capabilities": [GUIDES]})
    assert other.grow[0].prompts[0].text == library.data["grow"]["goal"]["opening_without_situation"]
    assert other.grow[0].prompts[1].text == guides_goal


def test_reality_asks_for_the_example_behind_the_lowest_rating(make):
    sheet = make({"indicators": [FEEDBACK, "guides-mentors-and-develops-people.1"]},
                 {"ratings": {FEEDBACK: 2, "guides-mentors-and-develops-people.1": 4}})
    reality = " ".join(p.text for p in sheet.grow[1].prompts)
    assert "You rated yourself “Sometimes” on “Provides clear, constructive and timely feedback" in reality
    assert "resolution”." in reality


def test_sbi_only_for_feedback_situations(make):
    plain = make({"capabilities": [STRATEGY], "situations": ["We need a five-year plan for the regional offices."]})
    assert plain.sbi == () and plain.sbi_cues == ()
    words = make({"capabilities": [STRATEGY],
                  "situations": ["I have to give my deputy some hard feedback about her meetings."]})
    assert [s.name for s in words.sbi] == ["Situation", "Behaviour", "Impact"]
    assert any("feedback" in cue for cue in words.sbi_cues)
    picked = make({"indicators": [FEEDBACK]})
    assert picked.sbi and any("Provides clear" in cue for cue in picked.sbi_cues)
    behaviour = " ".join(p.text for p in picked.sbi[1].prompts)
    assert "“Provides clear, constructive and timely feedback" in behaviour


def test_woop_suggests_the_wish_from_the_development_area(make):
    sheet = make({"indicators": ["displays-resilience.1", "displays-resilience.3"]},
                 {"ratings": {"displays-resilience.3": 1, "displays-resilience.1": 5}})
    assert [s.name for s in sheet.woop] == ["Wish", "Outcome", "Obstacle", "Plan"]
    assert "Maintains an optimistic outlook" in sheet.woop[0].prompts[1].text
    assert any(p.capability == "Displays resilience" for p in sheet.woop[2].prompts)


def test_actions_by_learning_mode_and_user_choice(make, library):
    sheet = make({"capabilities": [GUIDES, ACTION]},
                 {"actions": [f"{GUIDES}:formal:1"], "own_actions": {"through_others": "Ask Sam\n\n Ask Lee "}})
    assert {a.mode for a in sheet.suggested} == set(MODES)
    assert {a.capability_id for a in sheet.suggested} == {GUIDES, ACTION}
    assert [a.text for a in sheet.actions] == ["Ask Sam", "Ask Lee",
                                               library.capability(GUIDES)["actions"]["formal"][0]]


# Resources


def test_every_page_entry_has_one_label(framework, page_resources, labels):
    ids = {c.id for c in framework.capabilities} | {i.id for i in framework.indicators}
    for label in labels:
        hits = [r for r in page_resources if label.phrase in r.description]
        descriptions = {r.description for r in hits}
        assert len(descriptions) == 1, label.phrase
        assert set(label.capabilities) | set(label.indicators) <= ids, label.phrase
    for resource in page_resources:
        if resource.kind != "event":
            assert sum(label.phrase in resource.description for label in labels) == 1, resource.id


def test_resources_match_the_examples(make):
    coaching = make({"capabilities": [GUIDES], "indicators": []})
    assert "Coaching conversations and the manager-as-coach model" in titles(coaching)
    feedback = make({"capabilities": [STRATEGY],
                     "situations": ["I keep avoiding a difficult conversation with my deputy about her work"]})
    assert titles(feedback)[0].endswith("(Brené Brown)")
    assert "Brene Brown" in feedback.resources[0].resource.description
    assert any("difficult conversation" in r for r in feedback.resources[0].reasons)
    woop = make({"capabilities": [ACTION]})
    assert titles(woop)[0] == "The WOOP model (Gabriele Oettingen)"
    perma = make({"capabilities": [RESILIENCE]})
    assert titles(perma)[0] == "The PERMA model of wellbeing (Martin Seligman)"
    unrelated = make({"capabilities": [NEGOTIATES], "situations": ["The states will not move on the cost split."]})
    assert not any("PERMA" in t or "WOOP" in t or "Brené" in t for t in titles(unrelated))


def test_course_sessions_are_dated_and_marked(make):
    before = make({"capabilities": [GUIDES]}, today=date(2026, 6, 1))
    assert [s.resource.dates for s in before.sessions] == ["13 May 2026", "3 June 2026",
                                                           "9 June 2026 to 16 June 2026"]
    assert [s.upcoming for s in before.sessions] == [False, True, True]
    assert not make({"capabilities": [ACTION]}).sessions


def test_words_and_quotes():
    assert found("We are Coaching the team; feedback-heavy week", ["coach", "feedback", "team", "eam"]) == (
        "coach", "feedback", "team")
    assert brief("") == ""
    assert brief("Short one. Another sentence.") == "“Short one”"
    assert brief(" ".join(["word"] * 30)).endswith("…”")


# Exports


@pytest.fixture
def full(make):
    plan = {"capabilities": [GUIDES, RESILIENCE],
            "indicators": [FEEDBACK, "guides-mentors-and-develops-people.3", "displays-resilience.4"],
            "situations": ["My EL1 keeps missing deadlines — I need to give him “honest” feedback."]}
    answers = {"ratings": {FEEDBACK: 2, "guides-mentors-and-develops-people.3": 5},
               "evidence": {FEEDBACK: "Put the talk off twice"},
               "grow": {"goal": "He meets the next two deadlines\n# not a heading", "will": "Book the talk"},
               "sbi": {"impact": "The minister's brief was late"},
               "woop": {"wish": "Give feedback within a day", "plan": "If I hesitate, then I book it at once"},
               "actions": [f"{GUIDES}:formal:1"], "own_actions": {"on_the_job": "Ask for a 1:1 on Friday"}}
    return make(plan, answers)


def test_markdown_has_every_section(full):
    text = export.markdown(full)
    for heading in ("# Coaching preparation sheet", "## Situation", "## Capabilities and indicators",
                    "### Guides, mentors and develops people", "## Self-assessment summary",
                    "## Conversation outline (GROW)", "## Feedback outline (Situation, Behaviour, Impact)",
                    "## Goal and plan (WOOP)", "## Development actions", "### On the job", "### Formal learning",
                    "## Resources from the APSC performance-management page"):
        assert f"\n{heading}\n" in f"\n{text}", heading
    assert "Prepared on 20 May 2026" in text
    assert "Self-rating: 2/5 Sometimes. Evidence: Put the talk off twice" in text
    assert "> He meets the next two deadlines\n> # not a heading" in text
    assert "> If I hesitate, then I book it at once" in text
    assert "- Ask for a 1:1 on Friday" in text
    assert "Coaching conversations and the manager-as-coach model" in text
    assert "13 May 2026" in text and "(date has passed)" in text and "(upcoming)" in text


def test_markdown_lists_suggestions_when_no_action_is_chosen(make):
    text = export.markdown(make({"capabilities": [ACTION]}))
    assert "None chosen yet. Suggestions" in text
    assert "Pick one stalled matter" in text


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_pdf_holds_the_sheet(full):
    data = export.pdf(full)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("Coaching preparation sheet", "20 May 2026",
                     "My EL1 keeps missing deadlines — I need to give him “honest” feedback.",
                     "Guides, mentors and develops people", "Displays resilience", "2/5 Sometimes",
                     "Put the talk off twice", "He meets the next two deadlines", "Give feedback within a day",
                     "If I hesitate, then I book it at once", "Ask for a 1:1 on Friday",
                     "Conversation outline (GROW)", "Goal and plan (WOOP)", "Development actions",
                     "Coaching conversations and the manager-as-coach model", "Brene Brown"):
        assert expected in text, expected


def test_pdf_without_dejavu_falls_back_to_plain_punctuation(full, monkeypatch):
    monkeypatch.setattr(export, "FONT_DIRS", ())
    text = pdf_text(export.pdf(full))
    assert 'My EL1 keeps missing deadlines - I need to give him "honest" feedback.' in text


def test_pdf_with_only_the_core_dejavu_fonts(full, monkeypatch, tmp_path):
    source = export._fonts()
    if source is None:
        pytest.skip("DejaVu Sans is not installed (apt-get install fonts-dejavu-core)")
    for style in ("", "B"):
        (tmp_path / export.FONT_FILES[style]).write_bytes(source[style].read_bytes())
    monkeypatch.setattr(export, "FONT_DIRS", (tmp_path,))
    assert "him “honest” feedback" in pdf_text(export.pdf(full))


def test_pdf_replaces_characters_the_font_lacks_without_logging_them(make, caplog):
    sheet = make({"capabilities": [ACTION], "situations": ["Deadline missed again 🙂 — “why”"]})
    with caplog.at_level("DEBUG"):
        text = pdf_text(export.pdf(sheet))
    assert "Deadline missed again ? — “why”" in text
    assert "🙂" not in caplog.text and "missing the following glyphs" not in caplog.text


def test_transcript_of_the_chat(full):
    from retrieval.results import CapabilityMatch, IndicatorMatch, SearchResult

    cap = CapabilityMatch(GUIDES, "Guides, mentors and develops people", "c", "Cultivates productive working "
                          "relationships", "d", 0.61, (IndicatorMatch(FEEDBACK, "Provides clear feedback.", 0.5),))
    messages = [
        {"id": 1, "role": "user", "text": "My EL1 misses deadlines\n# and <b>more</b>", "situation": 0},
        {"id": 2, "role": "assistant", "text": "Guides, mentors and develops people matters most.\n1. Guides",
         "situation": 0, "answer": None, "result": None},
        {"id": 3, "role": "assistant", "text": "", "result": SearchResult("q", False, (cap,))},
    ]
    text = export.transcript(messages, DAY, "ILS")
    assert text.startswith("# ILS Coach chat transcript\n\nExported on 20 May 2026. Framework: ILS.")
    assert "## 1. You\n\n> My EL1 misses deadlines\n> # and <b>more</b>" in text
    assert "## 2. ILS Coach\n\nGuides, mentors and develops people matters most.\n1. Guides" in text
    assert "1. Guides, mentors and develops people (Cultivates productive working relationships; 0.61)" in text
    assert "   - Provides clear feedback." in text
    assert "The chat is empty." in export.transcript([], DAY)


def test_exports_are_not_written_to_disk(full, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export.pdf(full)
    export.markdown(full)
    assert list(tmp_path.iterdir()) == []


# The page


def app(plan: dict | None = None, messages: list | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "ui" / "plan.py"), default_timeout=60)
    if plan is not None:
        at.session_state["plan"] = plan
    if messages is not None:
        at.session_state["messages"] = messages
    return at.run()


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_page_without_the_chat():
    at = app()
    assert not at.exception
    assert "Your plan is empty" in at.info[0].value
    buttons = {b.label: b for b in at.get("download_button")}
    assert set(buttons) == {"Plan file (JSON)", "Preparation sheet (PDF)", "Preparation sheet (Markdown)",
                            "Chat transcript (Markdown)"}
    assert buttons["Chat transcript (Markdown)"].proto.disabled
    assert not buttons["Preparation sheet (PDF)"].proto.disabled


def test_plan_from_the_chat_appears():
    situation = "My EL1 keeps missing deadlines and I must give him feedback"
    at = app({"capabilities": [GUIDES], "indicators": [FEEDBACK], "situations": [situation]},
             [{"id": 1, "role": "user", "text": situation, "situation": 0}])
    assert not at.exception
    text = markdown_text(at)
    assert "Guides, mentors and develops people" in text
    assert at.text_area(key="situation-text").value == situation
    assert at.checkbox(key=f"pick-{FEEDBACK}").value is True
    assert at.checkbox(key="pick-guides-mentors-and-develops-people.1").value is False
    assert [r.label for r in at.radio] == ["Provides clear, constructive and timely feedback (both positive and "
                                           "negative) in a manner that encourages learning and achieves any "
                                           "required resolution."]
    assert "my EL1 keeps missing deadlines".lower() in text.lower()
    assert "Feedback outline" in "\n".join(s.value for s in at.subheader)
    assert not {b.label: b for b in at.get("download_button")}["Chat transcript (Markdown)"].proto.disabled


def test_rating_changes_the_summary():
    at = app({"capabilities": [GUIDES], "indicators": [FEEDBACK, "guides-mentors-and-develops-people.3"]})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Strengths": "0", "Development areas": "0", "Not rated yet": "2"}
    at.radio(key=f"rate-{FEEDBACK}").set_value(1).run()
    at.radio(key="rate-guides-mentors-and-develops-people.3").set_value(5).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Strengths": "1", "Development areas": "1", "Not rated yet": "0"}
    assert "Development areas: 1 indicator" in markdown_text(at).replace("\\", "")
    assert at.session_state["prep"]["ratings"] == {FEEDBACK: 1, "guides-mentors-and-develops-people.3": 5}


def test_add_pick_and_remove_on_the_page():
    at = app()
    at.selectbox(key="add-capability").set_value(RESILIENCE).run()
    at.button(key="add-button").click().run()
    assert not at.exception
    assert at.session_state["plan"]["capabilities"] == [RESILIENCE]
    assert len(at.session_state["plan"]["indicators"]) == 4
    at.checkbox(key="pick-displays-resilience.2").uncheck().run()
    assert "displays-resilience.2" not in at.session_state["plan"]["indicators"]
    assert len(at.radio) == 3
    assert "The PERMA model of wellbeing (Martin Seligman)" in markdown_text(at).replace("\\", "")
    at.button(key=f"remove-{RESILIENCE}").click().run()
    assert at.session_state["plan"]["capabilities"] == [] and at.session_state["plan"]["indicators"] == []
    assert "Your plan is empty" in at.info[0].value


def test_notes_reach_the_export(framework, library, page_resources, labels):
    at = app({"capabilities": [ACTION], "indicators": [], "situations": []})
    at.text_area(key="woop-wish").input("Finish the review by June").run()
    at.text_area(key="situation-text").input("The review has stalled for months").run()
    at.checkbox(key=f"action-{ACTION}:on_the_job:1").check().run()
    at.text_area(key="own-formal").input("Read the WOOP paper").run()
    assert not at.exception
    sheet = build(framework, Selection.from_state(at.session_state["plan"], framework),
                  Answers.from_state(at.session_state["prep"]), library, page_resources, labels, DAY)
    text = export.markdown(sheet)
    assert "> Finish the review by June" in text
    assert "> The review has stalled for months" in text
    assert "### On the job\n\n- Pick one stalled matter" in text
    assert "### Formal learning\n\n- Read the WOOP paper" in text


def test_user_text_is_inert_on_the_page():
    evil = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold**"
    at = app({"capabilities": [GUIDES], "indicators": [FEEDBACK], "situations": [evil]})
    assert not at.exception
    shown = [m.value for m in at.markdown if "javascript" in m.value]
    assert shown, "the situation is quoted in the prompts"
    for value in shown:
        assert re.search(r"(?<!\\)<img", value) is None
        assert re.search(r"(?<!\\)\[click(?<!\\)\]\(", value) is None
        assert "\\*\\*bold\\*\\*" in value


def test_prompts_file_is_valid_json_with_format():
    data = json.loads((DATA / "prompts.json").read_text(encoding="utf-8"))
    assert data["format"] == prompts.FORMAT
    with pytest.raises(prompts.PromptError):
        prompts.load(DATA / "missing.json")
    assert SCALE[1] == "Rarely" and SCALE[5] == "Consistently"
