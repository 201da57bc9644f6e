"""The composition root (coach.load_coach), the one error base, and the entry points' process settings."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import os
import pkgutil

import pytest

import coach
import settings
from errors import CoachError
from tests.conftest import ROOT


def test_a_given_retriever_is_used_and_the_authored_questions_are_loaded(fake_real_retriever, tmp_path):
    from index import store
    from retrieval.engine import Retriever

    config = settings.get()
    loaded = coach.load_coach(config, retriever=fake_real_retriever, background=False)
    assert loaded.retriever is fake_real_retriever and loaded.encoder is fake_real_retriever.encoder
    assert loaded.framework is fake_real_retriever.framework and loaded.settings == config
    assert set(loaded.questions) == {cap.id for cap in loaded.framework.capabilities}
    assert loaded.guard.detector is None, "an index without the safety net's texts leaves the patterns alone"
    index = store.ensure(fake_real_retriever.framework, fake_real_retriever.encoder, tmp_path, config.exemplars,
                         config.offtopic, distress_path=config.distress)
    with_texts = Retriever(fake_real_retriever.framework, index, fake_real_retriever.encoder)
    guarded = coach.load_coach(config, retriever=with_texts, background=False)
    assert guarded.guard.detector is not None, "the safety net's detector is fitted on the index's texts"
    assert guarded.guard.check("i keep thinking everyone would be better off without me").distress
    assert not guarded.guard.check("we are negotiating a funding agreement with the states").distress


def test_without_safety_the_guard_has_its_patterns_only(fake_real_retriever):
    loaded = coach.load_coach(settings.get(), retriever=fake_real_retriever, safety=False)
    assert loaded.guard.detector is None
    assert loaded.guard.check("I want to kill myself").distress


def test_unreadable_questions_are_a_notice_not_a_failure(fake_real_retriever, tmp_path):
    broken = tmp_path / "questions.json"
    broken.write_text("{not json", encoding="utf-8")
    config = dataclasses.replace(settings.get(), questions=broken)
    loaded = coach.load_coach(config, retriever=fake_real_retriever, safety=False)
    assert loaded.questions == {}
    assert any("coaching questions could not be read" in n and "ILS_COACH_QUESTIONS" in n for n in loaded.notices)


def test_a_broken_framework_raises_the_one_error_base(tmp_path):
    bad = tmp_path / "framework.json"
    bad.write_text("[]", encoding="utf-8")
    config = dataclasses.replace(settings.get(), framework=bad, index_dir=tmp_path / "index")
    with pytest.raises(CoachError, match="framework"):
        coach.load_coach(config, safety=False)


def test_every_error_the_project_explains_derives_from_the_one_base():
    """Each module's own exception classes (found by walking the packages, not listed by hand)."""
    found = {}
    for package in ("coaching", "conversation", "corpus", "explore", "index", "retrieval", "safety"):
        for info in pkgutil.iter_modules([str(ROOT / package)]):
            if info.name == "__main__":
                continue
            module = importlib.import_module(f"{package}.{info.name}")
            for name, value in vars(module).items():
                if (inspect.isclass(value) and issubclass(value, Exception) and value.__module__ == module.__name__
                        and not name.startswith("_")):
                    found[f"{module.__name__}.{name}"] = value
    found["settings.SettingsError"] = settings.SettingsError
    assert len(found) >= 10, sorted(found)
    assert [name for name, cls in found.items() if not issubclass(cls, CoachError)] == []


def test_a_bad_setting_is_one_line_at_every_command(run_main, monkeypatch):
    monkeypatch.setenv("ILS_COACH_TOP", "lots")
    for module, args, code in (("retrieval", ["search", "my team is fighting"], 2), ("index", ["build"], 1),
                               ("index", ["info"], 1)):
        status, out, err = run_main(module, args)
        assert status == code, (module, args, err)
        assert err.startswith("error: ILS_COACH_TOP must be a whole number") and err.count("\n") == 1, err
        assert "Traceback" not in err


def test_the_process_settings_keep_a_persons_choice_but_never_report_usage(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "0")
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    coach.environment()
    assert os.environ["HF_HUB_OFFLINE"] == "0", "a person who allowed downloads keeps that"
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
