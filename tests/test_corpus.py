"""The parser against the real source text, the committed corpus file, and corpus validation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from corpus import model, parse
from corpus.__main__ import build

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "source" / "ils-ses-band-2-profile.txt"
COMMITTED = ROOT / "corpus" / "data" / "ils-ses-band-2.json"


@pytest.fixture(scope="module")
def parsed() -> dict:
    return parse.parse_file(SOURCE, source="corpus/source/ils-ses-band-2-profile.txt")


@pytest.fixture(scope="module")
def framework() -> model.Framework:
    return model.load(COMMITTED)


def test_counts_and_order(framework):
    assert framework.level == "SES Band 2"
    assert [c.name for c in framework.clusters] == [
        "Shapes strategic thinking",
        "Achieves results",
        "Cultivates productive working relationships",
        "Exemplifies personal drive and integrity",
        "Communicates with influence",
    ]
    assert [len(c.capabilities) for c in framework.clusters] == [4, 4, 4, 5, 3]
    assert len(framework.capabilities) == 20
    assert len(framework.indicators) == 102


def test_tables_without_heading_get_their_cluster(framework):
    results = framework.cluster("achieves-results")
    assert [c.name for c in results.capabilities] == [
        "Builds organisational capability and responsiveness",
        "Marshals professional expertise",
        "Steers and implements change and deals with uncertainty",
        "Ensures closure and delivers on intended results",
    ]
    communicates = framework.cluster("communicates-with-influence")
    assert len(communicates.capabilities[0].indicators) == 5


def test_spelling_variants_use_the_detailed_names(framework):
    names = {c.name for c in framework.capabilities}
    assert "Shows judgement, intelligence and commonsense" in names
    assert "Demonstrates self-awareness and a commitment to personal development" in names
    cap = framework.capability("shows-judgement-intelligence-and-commonsense")
    assert cap.summary.startswith("Applies intellect and knowledge")


def test_detailed_descriptions_win_over_summary(framework):
    cap = framework.capability("builds-organisational-capability-and-responsiveness")
    assert "Investigates ways to improve effectiveness" in cap.description
    assert "Looks for ways to improve effectiveness" in cap.summary


def test_indicator_wording_is_exact(framework):
    source = SOURCE.read_text(encoding="utf-8")
    for ind in framework.indicators:
        assert f"<li>* {ind.text}</li>" in source, ind.id
    first = framework.capability("inspires-a-sense-of-purpose-and-direction").indicators
    assert first[1].text.startswith("contributes to the development of organisational strategies")
    assert "the vision—why it has been developed" in first[2].text


def test_ids_are_unique_and_stable(parsed):
    again = parse.parse_file(SOURCE, source="corpus/source/ils-ses-band-2-profile.txt")
    assert again == parsed
    ids = [c["id"] for c in parsed["clusters"]]
    for cluster in parsed["clusters"]:
        for cap in cluster["capabilities"]:
            ids.append(cap["id"])
            ids += [i["id"] for i in cap["indicators"]]
    assert len(ids) == len(set(ids)) == 5 + 20 + 102


def test_committed_file_is_the_parser_output(parsed):
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == parsed
    assert parsed["provenance"]["sha256"] == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert parsed["notes"] == ["shaded areas represent critical transition points."]


def test_build_writes_loadable_files(tmp_path):
    written = build(tmp_path)
    assert sorted(p.name for p in written) == ["apsc-resources.json", "ils-ses-band-2.json"]
    assert len(model.load(tmp_path / "ils-ses-band-2.json").indicators) == 102


def test_parser_rejects_a_capability_missing_from_summary():
    text = SOURCE.read_text(encoding="utf-8").replace("Marshals professional expertise\t", "Marshals expert stuff\t", 1)
    text = text.replace("<b>Marshals professional expertise</b>", "<b>Something else entirely</b>")
    with pytest.raises(parse.ParseError, match="not in the summary table"):
        parse.parse_profile(text)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("clusters"), "'clusters' must be a non-empty list"),
        (lambda d: d["clusters"][0]["capabilities"][0].pop("name"), "capability 'coaching': 'name' is missing"),
        (lambda d: d["clusters"][0]["capabilities"][1].update(id="coaching"), "duplicate id 'coaching'"),
        (lambda d: d["clusters"][1]["capabilities"][0]["indicators"][1].update(text="  "),
         "capability 'budget', indicators\\[2\\]: 'text' is missing or empty"),
        (lambda d: d.update(format="other/9"), "'format' must be"),
        (lambda d: d["clusters"][0].update(id="Bad Id"), "must be lower-case"),
        (lambda d: d["clusters"][0]["capabilities"][0].update(indicators=[]), "'indicators' must be a non-empty"),
    ],
)
def test_validation_names_the_place(tiny_doc, tmp_path, mutate, message):
    mutate(tiny_doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tiny_doc), encoding="utf-8")
    with pytest.raises(model.CorpusError, match=message) as err:
        model.load(path)
    assert str(path) in str(err.value)


def test_invalid_json_and_missing_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(model.CorpusError, match="invalid JSON at line 1"):
        model.load(bad)
    with pytest.raises(model.CorpusError, match="not found"):
        model.load(tmp_path / "nope.json")


def test_second_framework_loads(tiny_framework):
    assert tiny_framework.title == "Tiny test framework: Test level"
    assert [c.id for c in tiny_framework.capabilities] == ["coaching", "conflict", "budget"]
    assert tiny_framework.indicator("budget.2").capability_id == "budget"
    assert len(tiny_framework.sha256) == 64
