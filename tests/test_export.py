"""The ONNX export's attention fusion (index/export.py) on a tiny BERT: fused where it can be, kept unfused when
the optimiser fails or the fused graph gives other vectors."""

from __future__ import annotations

import numpy as np

from index import embed, export
from index.runtime import OnnxModel
from tests.conftest import graph_operators as operators

TEXTS = ["two of my managers are fighting", "we are over budget this quarter", "finance wants savings " * 40]


def library_vectors(model_folder, texts) -> np.ndarray:
    return embed.load(str(model_folder), library=True).encode(texts)


def test_the_export_fuses_attention_with_the_same_vectors(tiny_model, tmp_path):
    made = export.make(tiny_model, tmp_path / "onnx")
    assert made.ok and made.record["fused_attention"] is True
    counted = operators(made.folder)
    assert counted["Attention"] == 3 and counted["Softmax"] == 0  # three layers
    assert np.abs(OnnxModel(made.folder).encode(TEXTS) - library_vectors(tiny_model, TEXTS)).max() < 1e-5


def test_an_export_the_optimiser_cannot_fuse_is_kept_unfused(tiny_model, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "_fuse", lambda *args: False)
    made = export.make(tiny_model, tmp_path / "onnx")
    assert made.ok and made.record["fused_attention"] is False
    counted = operators(made.folder)
    assert counted["Attention"] == 0 and counted["Softmax"] == 3
    assert np.abs(OnnxModel(made.folder).encode(TEXTS) - library_vectors(tiny_model, TEXTS)).max() < 1e-5


def test_a_fused_export_with_other_vectors_is_made_again_unfused(tiny_model, tmp_path, monkeypatch):
    real, calls = export._difference, []

    def first_differs(*args):
        calls.append(1)
        return 1.0 if len(calls) == 1 else real(*args)

    monkeypatch.setattr(export, "_difference", first_differs)
    made = export.make(tiny_model, tmp_path / "onnx")
    assert len(calls) == 2 and made.ok and made.record["fused_attention"] is False
    assert made.record["max_difference"] <= export.TOLERANCE and operators(made.folder)["Attention"] == 0


def test_another_onnx_model_brings_its_own_slots_and_lock(tiny_model, tmp_path):
    made = export.make(tiny_model, tmp_path / "onnx")
    encoder = embed.Encoder(str(tiny_model), threads=2, exports=tmp_path / "exports")
    assert encoder.backend == "onnxruntime" and encoder.slots == 2
    before = encoder.encode(TEXTS)
    encoder.onnx = OnnxModel(made.folder, threads=1, threads_per_run=2)
    assert encoder.slots == 1 and encoder._lock is encoder._backend.lock and encoder._backend.lock._value == 1
    assert np.abs(encoder.encode(TEXTS) - before).max() < 1e-5
