"""Keep the Retriever's deterministic setup (lexicon, BM25, exemplar classifier) beside a saved index."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import Stemmer

from retrieval.classifier import Linear
from retrieval.evidence import Lexicon
from retrieval.lexical import BM25

FILE = "retriever-state.npz"
VERSION = 1
_SOURCES = ("derived.py", "engine.py", "evidence.py", "lexical.py", "classifier.py", "text.py")
_SEP = "\n"


@dataclass(frozen=True)
class State:
    """What a Retriever works out from its framework and index before the first query."""

    lexicon: Lexicon
    lexical: BM25
    classifier: Linear | None


def key(index, framework, method) -> str:
    """What the state depends on: the index (its manifest, which checksums every file and lists every item), the
    framework's wording, the ranking method, and the code and libraries that work it out."""
    here = Path(__file__).resolve().parent
    manifest = {k: v for k, v in index.manifest.items() if k != "items"}
    items = hashlib.sha256("\0".join(f"{i.id}\t{i.kind}\t{i.capability_id}\t{i.text}" for i in index.items)
                           .encode("utf-8")).hexdigest()
    words = [[c.id, c.name, c.description, [[i.id, i.text] for i in c.indicators]] for c in framework.capabilities]
    basis = {"version": VERSION, "manifest": manifest, "items": items, "framework": words,
             "method": dataclasses.asdict(method),
             "code": [hashlib.sha256((here / name).read_bytes()).hexdigest() for name in _SOURCES],
             "numpy": np.__version__, "stemmer": Stemmer.version()}
    return hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def ready(index, framework, method, make: Callable[[], State]) -> State:
    """The state kept beside a saved index for its current key; otherwise `make()`, saved beside the index. When a
    kept file was missing, damaged or out of date, or could not be written, one line in `index.notices` says so
    (nothing for an index just built, or held only in memory)."""
    folder = Path(index.path) if index.path is not None and index.manifest.get("files") else None
    if folder is None:
        return make()
    wanted = key(index, framework, method)
    state, reason = _read(folder / FILE, wanted)
    if state is not None:
        return state
    state = make()
    failure = _write(folder, wanted, state)
    if failure:
        index.notices.append(f"{reason}; worked out the retriever's state but could not save it to {folder} "
                             f"({failure}), so every start works it out again")
    elif not getattr(index, "built", False):
        index.notices.append(f"{reason}; worked out the retriever's state again and saved it to {folder}")
    return state


def _read(path: Path, wanted: str) -> tuple[State | None, str]:
    """The kept state for key `wanted`, or None and why not."""
    if not path.exists():
        return None, f"{FILE} missing"
    try:
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["key"]) != wanted:
                return None, f"{FILE} out of date"
            return _unpack({name: saved[name] for name in saved.files}), ""
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, zipfile.BadZipFile):
        return None, f"{FILE} damaged"


def _write(folder: Path, wanted: str, state: State) -> str:
    """Save the state through a temporary file renamed into place; the reason it could not be saved, or ''."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{FILE}.", suffix=".tmp")
    except OSError as err:
        return err.strerror or str(err)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, key=np.array(wanted), **_pack(state))
        os.replace(tmp, folder / FILE)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        return err.strerror or str(err)
    return ""


def _strings(values: list[str]) -> np.ndarray:
    if any(_SEP in v for v in values):
        raise ValueError("a kept string holds the separator")
    return np.frombuffer(_SEP.join(values).encode("utf-8"), dtype=np.uint8)


def _unstrings(blob: np.ndarray, count: int) -> list[str]:
    values = blob.tobytes().decode("utf-8").split(_SEP) if count else []
    if len(values) != count:
        raise ValueError("kept strings do not match their count")
    return values


def _pack(state: State) -> dict[str, np.ndarray]:
    """The state as flat arrays, each table's entries in their own order."""
    weights = state.lexicon.weights
    tables = list(weights.values())
    stems = [s for table in tables for s in table]
    postings = state.lexical.postings
    out = {
        "lexicon_ids": _strings(list(weights)), "lexicon_count": np.array([len(weights), len(stems)]),
        "lexicon_sizes": np.array([len(t) for t in tables], dtype=np.int64), "lexicon_stems": _strings(stems),
        "lexicon_weights": np.array([w for t in tables for w in t.values()], dtype=np.float64),
        "bm25_size": np.array(state.lexical.size), "bm25_terms": _strings(list(postings)),
        "bm25_count": np.array(len(postings)),
        "bm25_sizes": np.array([len(docs) for docs, _ in postings.values()], dtype=np.int64),
        "bm25_docs": np.concatenate([docs for docs, _ in postings.values()]) if postings else np.zeros(0, np.int64),
        "bm25_weights": np.concatenate([w for _, w in postings.values()]) if postings else np.zeros(0),
    }
    if state.classifier is not None:
        out |= {"classifier_weights": state.classifier.weights, "classifier_bias": state.classifier.bias,
                "classifier_covered": state.classifier.covered}
    return out


def _unpack(saved: dict[str, np.ndarray]) -> State:
    n_ids, n_stems = (int(v) for v in saved["lexicon_count"])
    ids = _unstrings(saved["lexicon_ids"], n_ids)
    stems = _unstrings(saved["lexicon_stems"], n_stems)
    values = saved["lexicon_weights"].tolist()
    ends = np.cumsum(saved["lexicon_sizes"]).tolist()
    if len(ends) != n_ids or (ends and ends[-1] != n_stems) or len(values) != n_stems:
        raise ValueError("kept lexicon does not add up")
    weights, start = {}, 0
    for ind, end in zip(ids, ends, strict=True):
        weights[ind] = dict(zip(stems[start:end], values[start:end], strict=True))
        start = end
    terms = _unstrings(saved["bm25_terms"], int(saved["bm25_count"]))
    sizes, docs, scores = saved["bm25_sizes"], saved["bm25_docs"], saved["bm25_weights"]
    if len(sizes) != len(terms) or not int(sizes.sum()) == len(docs) == len(scores):
        raise ValueError("kept BM25 does not add up")
    docs, scores = docs.astype(np.int64, copy=False), scores.astype(np.float64, copy=False)
    ends = np.cumsum(sizes).tolist()
    postings = {term: (docs[start:end], scores[start:end])
                for term, start, end in zip(terms, [0, *ends[:-1]], ends, strict=True)}
    classifier = None
    if "classifier_weights" in saved:
        classifier = Linear(saved["classifier_weights"], saved["classifier_bias"],
                            saved["classifier_covered"].astype(bool))
    return State(Lexicon.restore(weights), BM25.restore(int(saved["bm25_size"]), postings), classifier)
