"""A plan in both voices (the person, or a coach's client) and with a client label: prompts, exports, file."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

from coaching import export, match, planfile, prompts
from coaching.plan import Answers, Selection
from coaching.sheet import build
from coaching.voice import CLIENT, YOU, wording
from corpus import resources as resources_module
from corpus.model import load as load_framework
from tests.conftest import ROOT

DATA = ROOT / "corpus" / "data"
DAY = date(2026, 5, 20)
GUIDES = "guides-mentors-and-develops-people"
FEEDBACK = f"{GUIDES}.7"
NEGOTIATES = "negotiates-persuasively"
SITUATION = "My EL1 keeps missing deadlines and I need to give him honest feedback."
SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)
QUOTED = re.compile(r"“[^”]*”")


@pytest.fixture(scope="module")
def framework():
    return load_framework(DATA / "ils-ses-band-2.json")


@pytest.fixture(scope="module")
def sheet_for(framework):
    library, found, labels = prompts.load(), resources_module.load(DATA / "apsc-resources.json"), match.load_labels()

    def make(voice: str, label: str = "", ratings: dict | None = None):
        selection = Selection.from_state({"capabilities": [GUIDES, NEGOTIATES], "indicators": [FEEDBACK],
                                          "situations": [SITUATION]}, framework)
        answers = Answers.from_state({"ratings": ratings or {FEEDBACK: 2}, "grow": {"goal": "Deadlines met by June"},
                                      "woop": {"obstacle": "Avoiding the talk"}})
        return build(framework, selection, answers, library, found, labels, DAY, voice, label)

    return make


def addressed_to_the_reader(text: str) -> list[str]:
    """The words "you"/"your" outside quotations, except in "your client" (the coach is the reader)."""
    plain = QUOTED.sub("", text).replace("your client", "").replace("Your client", "")
    return SECOND_PERSON.findall(plain)


def stage_texts(sheet) -> list[str]:
    stages = (*sheet.grow, *sheet.sbi, *sheet.woop)
    return [t for stage in stages for t in (stage.purpose, *(p.text for p in stage.prompts))]


def test_the_plans_prompts_speak_to_the_person_or_about_the_client(sheet_for):
    you, client = sheet_for(YOU), sheet_for(CLIENT)
    assert you.sbi and client.sbi, "a feedback situation brings the SBI outline in both voices"
    assert any(addressed_to_the_reader(t) for t in stage_texts(you)), "the person's own plan says “you”"
    left = {t: addressed_to_the_reader(t) for t in stage_texts(client) if addressed_to_the_reader(t)}
    assert not left, f"prompts still speaking to the coach as if they were the client: {left}"
    assert any("your client" in t for t in stage_texts(client))
    assert client.grow[1].prompts[1].text.startswith("Your client was rated “Sometimes”")
    own = [p.text for p in client.grow[0].prompts if p.capability]
    assert own and all(t.startswith("To ask your client: “") for t in own), "capability prompts are put to them"


def test_voicing_prompts_twice_changes_nothing_more():
    library = prompts.load()
    once = library.voiced(CLIENT)
    assert once.voiced(CLIENT) is once and library.voiced(YOU) is library
    assert once.capability(GUIDES)["grow"]["goal"].count("To ask your client") == 1


def test_both_voices_hold_the_same_notes_and_structure(sheet_for):
    you, client = sheet_for(YOU), sheet_for(CLIENT)
    assert [s.key for s in you.grow + you.sbi + you.woop] == [s.key for s in client.grow + client.sbi + client.woop]
    assert [s.answer for s in you.grow + you.woop] == [s.answer for s in client.grow + client.woop]
    assert you.summary == client.summary and you.suggested == client.suggested


def test_markdown_export_follows_the_voice_and_names_the_client(sheet_for):
    you = export.markdown(sheet_for(YOU))
    client = export.markdown(sheet_for(CLIENT, "JB"))
    assert you.startswith("# Coaching preparation sheet\n") and "Your notes:" in you and "Self-rating:" in you
    assert client.startswith("# Coaching preparation sheet for a client: JB\n")
    assert "## Assessment summary" in client and "  Rating: 2/5 Sometimes" in client
    assert "Your notes" not in client and "Self-rating" not in client and "Self-assessment" not in client
    assert "\nNotes:\n\n> Deadlines met by June" in client
    assert "what would a good outcome look like for your client three months from now?" in client


def test_a_label_is_escaped_in_markdown_and_made_safe_in_file_names(sheet_for):
    label = "**J** <img src=x> [a](b)"
    text = export.markdown(sheet_for(CLIENT, label))
    title = text.splitlines()[0]
    assert not re.search(r"(?<!\\)[<*\[]", title.removeprefix("# ")), title
    assert title.replace("\\", "") == f"# Coaching preparation sheet for a client: {label}"
    assert export.filename("coaching-prep", DAY, "pdf", "J.B / Zoë ../x") == (
        "ils-coach-coaching-prep-J-B-Zoe-x-2026-05-20.pdf")
    assert export.filename("plan", DAY, "json", "  ") == "ils-coach-plan-2026-05-20.json"
    assert export.filename("plan", DAY, "json", "日本") == "ils-coach-plan-2026-05-20.json"


def pdf_title(pdf: bytes) -> str:
    """The document title in a PDF's information dictionary (a literal string, or UTF-16 hex with a BOM)."""
    found = re.search(rb"/Title (?:\(([^)]*)\)|<feff([0-9a-fA-F]*)>)", pdf)
    assert found, "the PDF has a title"
    return found.group(1).decode("latin-1") if found.group(1) is not None else bytes.fromhex(
        found.group(2).decode()).decode("utf-16-be")


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_pdf_follows_the_voice_and_names_the_client(sheet_for):
    client = export.pdf(sheet_for(CLIENT, "Zoë"))
    you = export.pdf(sheet_for(YOU))
    assert pdf_title(client) == "Coaching preparation sheet for a client: Zoë"
    assert pdf_title(you) == "Coaching preparation sheet"
    theirs, mine = pdf_text(client), pdf_text(you)
    assert theirs.startswith("Coaching preparation sheet for a client: Zoë")
    assert "ILS Coach · coaching preparation sheet · Zoë · 20 May 2026" in theirs, "the footer names the client"
    assert "ILS Coach · coaching preparation sheet · 20 May 2026" in mine
    assert "Assessment summary" in theirs and "Self-assessment" not in theirs and "Your notes" not in theirs
    assert "what would a good outcome look like for your client" in theirs
    assert "Self-assessment summary" in mine and "Your notes" in mine and "your client" not in mine


def test_the_wording_of_each_voice_differs_where_it_addresses_the_reader():
    you, client = wording(YOU), wording(CLIENT)
    for name in ("situation", "tick", "rate", "actions", "own_actions", "outline"):
        assert getattr(you, name) != getattr(client, name), name
        assert not addressed_to_the_reader(getattr(client, name)), name
    assert "How would your client rate" in client.rate
    assert wording("someone") == you


def test_plan_file_keeps_voice_and_label(framework, sheet_for):
    selection = Selection.from_state({"capabilities": [GUIDES], "indicators": [FEEDBACK]}, framework)
    answers = Answers.from_state({"ratings": {FEEDBACK: 4}})
    data = planfile.dump(framework, selection, answers, DAY, CLIENT, "  JB  ")
    document = json.loads(data)
    assert document["format"] == "ils-coach-plan/2" and document["voice"] == CLIENT and document["label"] == "JB"
    saved = planfile.read(data, framework)
    assert (saved.voice, saved.label, saved.selection, saved.answers) == (CLIENT, "JB", selection, answers)
    assert saved.summary.startswith("for a client (JB) · 1 capability")
    own = planfile.read(planfile.dump(framework, selection, answers, DAY), framework)
    assert (own.voice, own.label) == (YOU, "")


def test_a_version_1_file_still_loads_as_the_persons_own_plan(framework):
    data = planfile.dump(framework, Selection.from_state({"capabilities": [GUIDES]}, framework), Answers(), DAY)
    document = json.loads(data)
    for key in ("voice", "label"):
        del document[key]
    document["format"] = "ils-coach-plan/1"
    saved = planfile.read(json.dumps(document).encode(), framework)
    assert saved.selection.capabilities == (GUIDES,) and (saved.voice, saved.label) == (YOU, "")
    document["label"] = "JB"
    with pytest.raises(planfile.PlanFileError, match="“label”"):
        planfile.read(json.dumps(document).encode(), framework)


@pytest.mark.parametrize(("change", "says"), [
    ({"voice": "them"}, "“voice”"),
    ({"voice": 1}, "“voice”"),
    ({"label": 7}, "“label” should be text"),
    ({"label": "x" * 41}, "longer than 40"),
])
def test_a_damaged_voice_or_label_is_refused(framework, change, says):
    document = json.loads(planfile.dump(framework, Selection(), Answers(), DAY))
    document.update(change)
    with pytest.raises(planfile.PlanFileError, match=says):
        planfile.read(json.dumps(document).encode(), framework)


def test_the_feedback_outline_says_whose_situation_it_is(sheet_for):
    assert "your client's situation mentions “feedback”" in sheet_for(CLIENT).sbi_cues
    assert "your situation mentions “feedback”" in sheet_for(YOU).sbi_cues
    assert not any(addressed_to_the_reader(cue) for cue in sheet_for(CLIENT).sbi_cues if "mentions" in cue)
