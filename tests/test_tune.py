"""Tuning the encoder on the exemplars (index/tune.py): pairs and batches, the cache key, the shared cache, reuse
and repair (on a tiny BERT), and what tuning does to the real model."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pytest

import settings
from index import export, store, tune
from tests.conftest import FakeEncoder

EXEMPLARS = {
    "coaching": ["my staff member needs feedback on her work", "helping a junior officer build skills",
                 "one of my EL1s wants to step up and I want to help her get there"],
    "conflict": ["two of my managers are fighting", "my team keeps arguing about everything",
                 "the branch heads won't speak to each other after the restructure"],
    "budget": ["we are over budget this quarter", "finance wants savings from my branch",
               "the program will run out of money by March"],
}


def test_pairs_join_each_exemplar_to_texts_of_its_own_capability(tiny_framework):
    items = tune.pairs(tiny_framework, EXEMPLARS, random.Random(0))
    own = {cap.id: {f"{cap.name}. {cap.description}", *(i.text for i in cap.indicators), *EXEMPLARS[cap.id]}
           for cap in tiny_framework.capabilities}
    assert len(items) == 2 * sum(len(v) for v in EXEMPLARS.values())
    for pair in items:
        assert pair.text in EXEMPLARS[pair.capability]
        assert pair.partner in own[pair.capability] and pair.partner != pair.text
    anchors_only = tune.pairs(tiny_framework, EXEMPLARS, random.Random(0), peers=False)
    assert len(anchors_only) == sum(len(v) for v in EXEMPLARS.values())
    assert all(p.partner not in EXEMPLARS[p.capability] for p in anchors_only)


def test_pairs_are_reproducible_from_the_seed(tiny_framework):
    first = tune.pairs(tiny_framework, EXEMPLARS, random.Random(7))
    assert first == tune.pairs(tiny_framework, EXEMPLARS, random.Random(7))
    assert first != tune.pairs(tiny_framework, EXEMPLARS, random.Random(8))


def test_batches_never_hold_two_pairs_of_one_capability():
    items = [tune.Pair(f"t{n}", f"p{n}", cap) for n in range(10) for cap in "abcd"]
    random.Random(0).shuffle(items)
    out = tune.batches(items, size=3)
    assert sorted(p.text + p.capability for b in out for p in b) == sorted(p.text + p.capability for p in items)
    for batch in out:
        assert 1 <= len(batch) <= 3
        assert len({p.capability for p in batch}) == len(batch)


def test_the_key_follows_everything_that_shapes_the_weights(tiny_framework, tiny_doc, tmp_path):
    from corpus.model import load

    base = tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe())
    assert base == tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe())
    tiny_doc["clusters"][0]["capabilities"][0]["description"] += " Edited."
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(tiny_doc))
    others = {
        tune.key("other-model", tiny_framework, "abc", tune.Recipe()),
        tune.key("all-MiniLM-L6-v2", tiny_framework, "abd", tune.Recipe()),
        tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe(seed=1)),
        tune.key("all-MiniLM-L6-v2", load(edited), "abc", tune.Recipe()),
        tune.key("all-MiniLM-L6-v2", tiny_framework, "abc", tune.Recipe(bf16=not tune.Recipe().bf16)),
    }
    assert base not in others and len(others) == 5


@pytest.mark.parametrize(("flags", "native"), [
    ("fpu sse avx2 avx512f avx512_bf16 avx512_vnni", True), ("fpu avx2 amx_bf16 amx_tile", True),
    ("fpu sse avx2 avx512f avx512_vnni", False), ("fpu avx512bf16x", False),
])
def test_bfloat16_only_where_the_processor_multiplies_it_natively(tmp_path, flags, native):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Test\nflags\t\t: {flags}\n\n", encoding="utf-8")
    assert tune.native_bf16(str(cpuinfo)) is native
    assert tune.native_bf16(str(tmp_path / "missing")) is False


def test_tuning_in_bfloat16_learns_the_same_way(tiny_model, tiny_framework, tmp_path):
    import torch

    runs = {}
    for bf16 in (False, True):
        tuned = tune.make(str(tiny_model), tiny_framework, EXEMPLARS, "sha", tmp_path / f"m{bf16}",
                          recipe=tune.Recipe(frozen_layers=1, bf16=bf16))
        record = json.loads((tuned.path / tune.RECORD).read_text(encoding="utf-8"))
        from safetensors.torch import load_file

        runs[bf16] = (record, load_file(str(tuned.path / tune.WEIGHTS)))
    assert runs[True][0]["recipe"]["bf16"] is True and runs[False][0]["recipe"]["bf16"] is False
    assert runs[True][0]["steps"] == runs[False][0]["steps"]
    trained = [k for k, v in runs[False][1].items() if "layer.1." in k and v.dtype == torch.float32]
    assert trained and all(runs[True][1][k].dtype == torch.float32 for k in trained)
    changed = [k for k in trained if not torch.equal(runs[True][1][k], runs[False][1][k])]
    assert changed, "bfloat16 steps round differently, so the weights cannot be bit-identical"
    assert all(torch.allclose(runs[True][1][k], runs[False][1][k], atol=1e-3) for k in trained)


def test_read_accepts_only_a_whole_folder_with_the_right_key(tmp_path):
    folder = tmp_path / "m"
    assert tune.read(folder, "k1") is None
    folder.mkdir()
    (folder / tune.WEIGHTS).write_bytes(b"x" * 100)
    (folder / tune.RECORD).write_text(json.dumps({"key": "k1", "weights_bytes": 100, "weights_sha256": "s"}))
    found = tune.read(folder, "k1")
    assert found is not None and found.entry == {"key": "k1", "weights_sha256": "s"}
    assert tune.read(folder, "k2") is None
    (folder / tune.WEIGHTS).write_bytes(b"x" * 40)
    assert tune.read(folder, "k1") is None, "truncated weights"
    (folder / tune.RECORD).write_text("{not json")
    assert tune.read(folder, "k1") is None


def test_no_exemplars_means_no_tuning(tiny_framework, tmp_path):
    assert tune.ensure("all-MiniLM-L6-v2", tiny_framework, None, "", tmp_path) is None
    assert tune.ensure("all-MiniLM-L6-v2", tiny_framework, {"coaching": ["  "]}, "x", tmp_path) is None


@pytest.mark.parametrize(("raw", "expect"), [("", True), ("1", True), ("on", True), ("0", False),
                                             ("off", False), ("False", False)])
def test_the_tune_setting(monkeypatch, raw, expect):
    monkeypatch.setenv("ILS_COACH_TUNE", raw)
    assert settings.get().tune is expect


def test_a_bad_tune_setting_is_named(monkeypatch):
    monkeypatch.setenv("ILS_COACH_TUNE", "maybe")
    with pytest.raises(ValueError, match="ILS_COACH_TUNE"):
        settings.get()


def test_an_index_built_with_other_tuned_weights_is_stale(tiny_framework, tiny_exemplars, tiny_offtopic, tmp_path):
    encoder = FakeEncoder()
    first = {"key": "k", "weights_sha256": "one"}
    store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m", tuning=first)
    again = store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m", tuning=first)
    assert again.notices == [] and again.manifest["tuning"] == first
    changed = store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m",
                           tuning={"key": "k", "weights_sha256": "two"})
    assert "tuned model changed" in changed.notices[0]
    untuned = store.ensure(tiny_framework, encoder, tmp_path, tiny_exemplars, tiny_offtopic, model="m")
    assert "tuned model changed" in untuned.notices[0] and untuned.manifest["tuning"] is None


TINY_RECIPE = tune.Recipe(epochs=3, learning_rate=1e-3, batch=3, frozen_layers=1)


def tiny_tune(model, framework, cache, recipe=TINY_RECIPE, **kwargs):
    return tune.ensure(str(model), framework, EXEMPLARS, "sha-of-exemplars", cache, recipe=recipe, **kwargs)


def count_tunes(monkeypatch) -> list:
    calls = []
    real_make = tune.make
    monkeypatch.setattr(tune, "make", lambda *a, **k: calls.append(1) or real_make(*a, **k))
    return calls


def test_the_cache_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("ILS_COACH_CACHE_DIR", str(tmp_path / "mine"))
    assert settings.get().cache_dir == tmp_path / "mine"
    monkeypatch.delenv("ILS_COACH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert settings.get().cache_dir == tmp_path / "xdg" / "ils-coach"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert settings.get().cache_dir == tmp_path / "home" / ".cache" / "ils-coach"


def test_a_tuned_model_lives_in_its_own_folder_of_the_cache(tiny_model, tiny_framework, tmp_path):
    tuned = tiny_tune(tiny_model, tiny_framework, tmp_path / "cache")
    assert tuned.path == tmp_path / "cache" / "models" / tuned.key
    assert tune.read(tuned.path, tuned.key).entry == tuned.entry
    record = json.loads((tuned.path / tune.RECORD).read_text())
    assert record["frozen_layers"] == 1 and record["steps"] > 0 and record["base_model"] == str(tiny_model)
    assert "saved it to" in tuned.notices[0]


def test_a_saved_tuned_model_is_reused_and_a_damaged_one_retrained(tiny_model, tiny_framework, tmp_path,
                                                                   monkeypatch):
    tuned = tiny_tune(tiny_model, tiny_framework, tmp_path / "cache")
    (tuned.path / "notes").mkdir()
    (tuned.path / "notes" / "readme.txt").write_bytes(b"another program's file beside the model")
    calls = count_tunes(monkeypatch)
    again = tiny_tune(tiny_model, tiny_framework, tmp_path / "cache")
    assert calls == [] and again.notices == [] and again.entry == tuned.entry, "other files do not spoil it"
    weights = tuned.path / tune.WEIGHTS
    weights.write_bytes(weights.read_bytes()[:1000])
    repaired = tiny_tune(tiny_model, tiny_framework, tmp_path / "cache")
    assert calls == [1] and "damaged" in repaired.notices[0]
    assert repaired.entry == tuned.entry, "the same weights again"
    (tuned.path / tune.RECORD).write_text("{not json")
    assert "damaged" in tiny_tune(tiny_model, tiny_framework, tmp_path / "cache").notices[0] and calls == [1, 1]


def test_an_unwritable_cache_tunes_into_a_temporary_folder(tiny_model, tiny_framework, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    tuned = tiny_tune(tiny_model, tiny_framework, blocker / "cache")
    assert tuned.path.exists() and not str(tuned.path).startswith(str(blocker))
    assert "lasts only while this program runs" in tuned.notices[0] and "ILS_COACH_CACHE_DIR" in tuned.notices[0]
    calls = count_tunes(monkeypatch)
    again = tiny_tune(tiny_model, tiny_framework, blocker / "cache")
    assert calls == [] and again.path == tuned.path, "tuned once per process"
    assert "lasts only while this program runs" in again.notices[0]


def test_tuning_twice_gives_the_same_weights(tiny_model, tiny_framework, tmp_path):
    found = {}
    for frozen in (1, 0):
        recipe = dataclasses.replace(TINY_RECIPE, frozen_layers=frozen)
        first, again = (tune.make(str(tiny_model), tiny_framework, EXEMPLARS, "sha", tmp_path / f"{run}-{frozen}",
                                  recipe=recipe) for run in ("first", "again"))
        assert again.weights_sha256 == first.weights_sha256 and again.key == first.key
        found[frozen] = first.weights_sha256
    assert found[1] != found[0], "the recipe shapes the weights"


def test_frozen_layers_stay_and_the_upper_ones_learn(tiny_model, tiny_framework, tmp_path):
    from safetensors.numpy import load_file

    tuned = tiny_tune(tiny_model, tiny_framework, tmp_path / "cache",
                      recipe=dataclasses.replace(TINY_RECIPE, frozen_layers=2))
    before, after = load_file(str(tiny_model / tune.WEIGHTS)), load_file(str(tuned.path / tune.WEIGHTS))
    changed = {name for name in before if not np.array_equal(before[name], after[name])}
    assert changed and all(".layer.2." in name for name in changed), sorted(changed)[:5]


def test_the_split_model_computes_what_the_whole_model_does(tiny_model):
    """The stored outputs of the frozen layers, run through the upper layers, give the model's own vectors."""
    import copy

    from index.embed import Encoder

    texts = ["two of my managers are fighting", "we are over budget this quarter", "a", "finance wants savings " * 9]
    for frozen in (1, 2):
        model = copy.deepcopy(Encoder(str(tiny_model), library=True).model)
        layered = tune.Layered(model, tune.bert_of(model), frozen)
        layered.keep(texts)
        model.eval()
        import torch

        with torch.no_grad():
            split = layered.embed(texts).numpy()
        whole = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        assert np.abs(split - whole).max() < 1e-5


def test_only_a_plain_bert_is_split(tiny_model):
    import copy

    from index.embed import Encoder

    model = Encoder(str(tiny_model), library=True).model
    assert tune.bert_of(model) is not None
    other = copy.deepcopy(model)
    other[1].pooling_mode = "cls"
    assert tune.bert_of(other) is None
    assert tune.bert_of(object()) is None


def test_a_second_index_folder_reuses_the_cached_model(tiny_model, tiny_framework, tiny_path, tiny_exemplars,
                                                       tiny_offtopic, tmp_path, monkeypatch):
    from index import ready

    tiny_exemplars.write_text(json.dumps({"exemplars": EXEMPLARS}))
    config = dataclasses.replace(settings.get(), model=str(tiny_model), framework=tiny_path,
                                 exemplars=tiny_exemplars, offtopic=tiny_offtopic, index_dir=tmp_path / "first",
                                 cache_dir=tmp_path / "cache")
    monkeypatch.setattr(tune, "Recipe", lambda: TINY_RECIPE)
    calls = count_tunes(monkeypatch)
    first = ready.load(tiny_framework, config)
    assert calls == [1] and first.tuned.path.parent == tmp_path / "cache" / "models"
    second = ready.load(tiny_framework, dataclasses.replace(config, index_dir=tmp_path / "second"))
    assert calls == [1], "no second tuning for a second index folder"
    assert second.index.manifest["tuning"] == first.index.manifest["tuning"]
    assert any("rebuilt" in n for n in second.index.notices) and not any("tuned" in n for n in second.index.notices)
    assert not (tmp_path / "second" / "models").exists()
    assert ready.wanted(tiny_framework, config, config.model)["tuning"] == first.tuned.entry


def test_a_model_saved_meanwhile_by_another_process_is_kept(tiny_model, tiny_framework, tmp_path):
    tuned = tiny_tune(tiny_model, tiny_framework, tmp_path / "cache")
    marker = tuned.path / "kept.txt"
    marker.write_text("the folder another process saved")
    scratch = tmp_path / "cache" / "models" / ".scratch"
    scratch.mkdir()
    tune._place(scratch, tuned.path, tuned.key)
    assert marker.exists() and scratch.exists(), "the whole model already there is kept"


def test_prune_removes_only_replaced_models_of_the_same_framework_and_base(tmp_path):
    def model(name: str, framework: str | None, base: str = "m") -> object:
        folder = tmp_path / name
        folder.mkdir()
        if framework is not None:
            (folder / tune.RECORD).write_text(json.dumps({"framework": framework, "base_model": base}))
        return folder

    keep, old, other, unknown = model("new", "ils"), model("old", "ils"), model("o", "other"), model("u", None)
    other_base = model("b", "ils", base="someone/else")
    assert tune.prune(tmp_path, "ils", keep=keep, base_model="m") == [old]
    assert keep.exists() and other.exists() and unknown.exists() and other_base.exists() and not old.exists()


# the real model


@pytest.fixture(scope="module")
def tuned_tiny(tmp_path_factory):
    """The real model tuned on the tiny framework's exemplars (a few seconds), in a temporary cache."""
    from corpus.model import load
    from tests.conftest import TINY

    root = tmp_path_factory.mktemp("tuned")
    path = root / "tiny.json"
    path.write_text(json.dumps(TINY))
    framework = load(path)
    tuned = tune.ensure(settings.DEFAULT_MODEL, framework, EXEMPLARS, "sha-of-exemplars", root / "cache",
                        recipe=dataclasses.replace(tune.Recipe(), epochs=6, learning_rate=1e-4, batch=3))
    return framework, tuned, root


def _margin(encoder, framework) -> float:
    """Mean over exemplars of (similarity to own capability's anchor) - (best similarity to another's)."""
    anchors = encoder.encode([f"{c.name}. {c.description}" for c in framework.capabilities])
    caps = [c.id for c in framework.capabilities]
    out = []
    for cap, texts in EXEMPLARS.items():
        sims = encoder.encode(texts) @ anchors.T
        own = caps.index(cap)
        out += list(sims[:, own] - np.delete(sims, own, axis=1).max(axis=1))
    return float(np.mean(out))


@pytest.mark.slow
def test_tuning_pulls_exemplars_towards_their_capability(tuned_tiny):
    from index.embed import Encoder

    framework, tuned, _ = tuned_tiny
    before = _margin(Encoder(settings.DEFAULT_MODEL, library=True), framework)
    after = _margin(Encoder(str(tuned.path)), framework)
    assert after > before + 0.05, (before, after)
    record = json.loads((tuned.path / tune.RECORD).read_text())
    assert record["key"] == tuned.key and record["weights_sha256"] == tuned.weights_sha256
    assert record["steps"] > 0 and record["frozen_layers"] == tune.Recipe().frozen_layers > 0
    assert "saved it to" in tuned.notices[0]


@pytest.mark.slow
def test_the_tuned_folder_holds_its_onnx_export_with_the_same_vectors(tuned_tiny):
    from index.embed import Encoder

    _, tuned, _ = tuned_tiny
    made = export.read(tuned.path / export.FOLDER, tuned.path)
    assert made is not None and made.ok
    fast, library = Encoder(str(tuned.path)), Encoder(str(tuned.path), library=True)
    assert fast.backend == "onnxruntime" and library.backend == "sentence-transformers"
    assert fast.notices == [] and fast.export.folder == made.folder
    texts = ["two of my managers are fighting", "a long one " * 300]
    assert np.abs(fast.encode(texts) - library.encode(texts)).max() < 1e-5


@pytest.mark.slow
def test_the_real_model_splits_exactly(tuned_tiny):
    import copy

    import torch

    from index.embed import Encoder

    texts = ["two of my managers are fighting", "we are over budget this quarter and finance wants savings"]
    model = copy.deepcopy(Encoder(settings.DEFAULT_MODEL, library=True).model)
    layered = tune.Layered(model, tune.bert_of(model), tune.Recipe().frozen_layers)
    layered.keep(texts)
    model.eval()
    with torch.no_grad():
        split = layered.embed(texts).numpy()
    assert np.abs(split - model.encode(texts, normalize_embeddings=True)).max() < 1e-5


@pytest.mark.slow
def test_the_real_index_records_the_tuned_model_that_answers_queries(real_retriever, real_settings):
    manifest = real_retriever.index.manifest
    assert manifest["model"] == real_settings.model
    tuned_folder = tune.folder_for(real_settings.cache_dir, manifest["tuning"]["key"])
    found = tune.read(tuned_folder, manifest["tuning"]["key"])
    assert found is not None and found.entry == manifest["tuning"]
    assert real_retriever.encoder.path == str(tuned_folder)
    assert not (real_settings.index_dir / tune.MODELS).exists(), "the model is in the cache, not the index folder"
    untuned = dataclasses.replace(real_settings, tune=False)
    from index import ready

    assert ready.wanted(real_retriever.framework, untuned, untuned.model)["tuning"] is None
    assert ready.wanted(real_retriever.framework, real_settings, real_settings.model)["tuning"] == manifest["tuning"]


def test_the_optimiser_is_adamw_fused_where_torch_has_it_else_the_plain_loop():
    import torch

    weight = torch.nn.Parameter(torch.ones(3))
    optimiser = tune._optimiser(torch, [weight], 1e-3)
    assert isinstance(optimiser, torch.optim.AdamW) and optimiser.defaults["fused"] is True
    assert optimiser.defaults["lr"] == 1e-3

    class NoFused:
        class optim:
            @staticmethod
            def AdamW(parameters, lr, fused=None):
                if fused:
                    raise RuntimeError("fused is not supported here")
                return ("plain", lr)

    assert tune._optimiser(NoFused, [weight], 2e-5) == ("plain", 2e-5)


def test_the_fused_update_is_the_plain_update():
    import torch

    torch.manual_seed(0)
    start = torch.randn(64, 32)
    finals = []
    for fused in (False, True):
        weight = torch.nn.Parameter(start.clone())
        optimiser = torch.optim.AdamW([weight], lr=5e-5, fused=fused)
        for step in range(20):
            optimiser.zero_grad()
            (weight.sin() * (step + 1)).sum().backward()
            optimiser.step()
        finals.append(weight.detach())
    assert not torch.equal(finals[0], start)
    assert torch.allclose(finals[0], finals[1], atol=1e-6, rtol=0)
