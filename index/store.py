"""Build, save and load the FAISS index of framework texts, with a manifest that says what built it."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.model import Framework
from errors import CoachError
from index.embed import TextEncoder

FORMAT = "ils-coach-index/2"
INDEX_FILE = "index.faiss"
VECTORS_FILE = "vectors.npy"
OFFTOPIC_FILE = "offtopic.npy"
DISTRESS_FILE = "distress.npy"
DISTRESS_KEYS = ("distress", "work")
MANIFEST_FILE = "manifest.json"
FILES = (INDEX_FILE, VECTORS_FILE, OFFTOPIC_FILE, DISTRESS_FILE)
APPROXIMATE_FROM = 30_000
PROBES = 32
# The FAISS index types whose vectors can be read back, by the four bytes that open their saved form, and the
# threads FAISS gets when this module is the one to import it (index.embed.limit_faiss).
READABLE = {b"IxFI": "IndexFlatIP", b"IxF2": "IndexFlatL2", b"IwFl": "IndexIVFFlat"}
_THREADS: dict[str, int] = {}


def faiss_module():
    """FAISS, imported only where it is needed (building, saving, reading an index file back, searching through
    it) so that the query path of a saved index never loads it; the threads asked of it before it was imported
    (threads()) are set when this is the first import."""
    first = "faiss" not in sys.modules
    import faiss

    if first and "omp" in _THREADS:
        faiss.omp_set_num_threads(_THREADS["omp"])
    return faiss


def threads(count: int) -> None:
    """Give FAISS `count` threads: now if it is imported, else when faiss_module() first imports it."""
    if "faiss" in sys.modules:
        sys.modules["faiss"].omp_set_num_threads(count)
    else:
        _THREADS["omp"] = count


class IndexProblem(CoachError, RuntimeError):
    """An index on disk that cannot be used (missing, stale, truncated or corrupt); the message says why."""


@dataclass(frozen=True)
class Item:
    """One embedded text: an indicator, a capability description, a situation exemplar of a capability, or an
    example situation written for one indicator (kind "indicator-example", id "<indicator id>#example.<n>")."""

    id: str
    kind: str
    capability_id: str
    text: str


@dataclass
class Index:
    """A loaded index: FAISS over the item vectors, the items in row order, and the manifest. An index loaded
    from disk reads its item vectors from their own file and its FAISS index only when first asked for it."""

    faiss_index: object | None
    items: list[Item]
    vectors: np.ndarray
    offtopic: np.ndarray
    manifest: dict
    path: Path | None = None
    notices: list[str] = field(default_factory=list)
    distress: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    distress_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    built: bool = False

    @property
    def faiss(self):
        """The FAISS index: read from the saved file on first use (checked against the manifest again), or
        made from the item vectors for a loaded index held only in memory."""
        if self.faiss_index is None:
            if self.path is None:
                self.faiss_index = make_faiss(self.vectors)
            else:
                self.faiss_index = read_faiss(Path(self.path), self.manifest)
        return self.faiss_index

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    def rows(self, kind: str) -> np.ndarray:
        return np.array([i for i, item in enumerate(self.items) if item.kind == kind], dtype=np.int64)

    def similarities(self, queries: np.ndarray) -> np.ndarray:
        """The inner product (the cosine similarity, for unit vectors) of each query with every item, in row
        order, computed exactly from the kept item vectors whatever the FAISS index type, so a large (IVF) index
        ranks as a small (exact) one does. einsum runs on one thread without BLAS, so concurrent queries do not
        wait for a second core; an index without kept vectors is asked through FAISS for every row."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        kept = self.faiss_index is None or self.faiss_index.ntotal == len(self.items)
        if self.vectors.shape[0] == len(self.items) and kept:
            return np.einsum("qd,nd->qn", queries, self.vectors)
        n = self.faiss.ntotal
        scores, rows = self.faiss.search(queries, n)
        sims = np.full((len(queries), n), -1.0, dtype=np.float32)
        for q in range(len(queries)):
            valid = rows[q] >= 0
            sims[q, rows[q][valid]] = scores[q][valid]
        return sims


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json(path: Path | None, key: str) -> tuple[object, str]:
    """The value under `key` in an optional JSON data file, and the file's sha256 ('' when absent)."""
    if path is None or not Path(path).exists():
        return None, ""
    raw = Path(path).read_bytes()
    try:
        value = json.loads(raw.decode("utf-8-sig")).get(key)
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, RecursionError) as err:
        raise IndexProblem(f"{path}: not a valid JSON data file ({err})") from None
    keyed = key in ("exemplars", "indicators")
    if keyed:
        lists = list(value.values()) if isinstance(value, dict) else [None]
    else:
        lists = [value]
    if value is not None and not all(isinstance(t, list) and all(isinstance(x, str) for x in t) for t in lists):
        shape = f"an object of {key[:-1]} id to a list of text" if keyed else "a list of text"
        raise IndexProblem(f"{path}: '{key}' must be {shape}")
    return value, hashlib.sha256(raw).hexdigest()


def read_distress(path: Path | None) -> tuple[list[str], list[str], str]:
    """The safety net's training texts (distress, then look-alike work texts) and the file's sha256."""
    distress, sha = read_json(path, "distress")
    work, _ = read_json(path, "work")
    clean = [[t for t in texts or [] if t.strip()] for texts in (distress, work)]
    return clean[0], clean[1], sha


def collect(framework: Framework, exemplars: dict | None = None, indicators: dict | None = None) -> list[Item]:
    """Every text to embed, in a fixed order: indicators, descriptions, exemplars, then indicator examples."""
    items = [Item(ind.id, "indicator", ind.capability_id, ind.text) for ind in framework.indicators]
    items += [Item(f"{cap.id}#description", "description", cap.id, cap.description) for cap in framework.capabilities]
    known = {cap.id for cap in framework.capabilities}
    for cap_id, texts in (exemplars or {}).items():
        if cap_id not in known:
            continue
        items += [Item(f"{cap_id}#exemplar.{n}", "exemplar", cap_id, t) for n, t in enumerate(texts, 1) if t.strip()]
    owner = {ind.id: ind.capability_id for ind in framework.indicators}
    for ind_id, texts in (indicators or {}).items():
        if ind_id not in owner:
            continue
        items += [Item(f"{ind_id}#example.{n}", "indicator-example", owner[ind_id], t)
                  for n, t in enumerate(texts, 1) if t.strip()]
    return items


def make_faiss(vectors: np.ndarray, kind: str | None = None):
    """Exact search (IndexFlatIP) below APPROXIMATE_FROM vectors, IVF above; `kind` "flat" or "ivf" forces one.

    From `python -m bench` on the 2-core machine (README, Performance): an exact query reads every vector, so its
    time grows linearly, about 0.25 ms at 10^4, 5 ms at 10^5 and 56 ms at 10^6 (twice that with other processes
    busy); below 30,000 vectors it costs under 2 ms and stays exact. IVF with about sqrt(n) lists, PROBES of them
    searched, gave recall@10 0.97 at 10^4 and 10^5 and 0.997 at 10^6 with a p95 of 3.3 ms there, and builds 10^6
    vectors in 8 s (k-means on 40 vectors per list). HNSW (M 32, efSearch 256) matched it at 10^5 but took 13 s
    to build there against 0.5 s, and over 15 minutes for 10^6, so it is not used. The direct map lets rows be
    reconstructed from an IVF index as from a flat one.
    """
    faiss = faiss_module()
    dim = vectors.shape[1]
    kind = kind or ("flat" if len(vectors) < APPROXIMATE_FROM else "ivf")
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return index
    if kind != "ivf":
        raise ValueError(f"unknown index kind {kind!r}")
    lists = max(1, min(4096, int(np.sqrt(len(vectors))), len(vectors) // 39))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), 40 * lists), replace=False)
    index.train(vectors[np.sort(sample)])
    index.nprobe = min(lists, PROBES)
    index.add(vectors)
    index.make_direct_map()
    return index


def expected(framework: Framework, model: str, exemplars_sha: str, offtopic_sha: str,
             tuning: dict | None = None, indicators_sha: str = "", distress_sha: str = "") -> dict:
    """The manifest fields that must match for a saved index to be current (`tuning`: the tuned model's
    key and weights checksum, None when the model is used as it is)."""
    return {
        "format": FORMAT,
        "framework": framework.id,
        "model": model,
        "corpus_sha256": framework.sha256,
        "exemplars_sha256": exemplars_sha,
        "indicator_examples_sha256": indicators_sha,
        "offtopic_sha256": offtopic_sha,
        "distress_sha256": distress_sha,
        "tuning": tuning,
    }


def build(framework: Framework, encoder: TextEncoder, exemplars_path: Path | None = None,
          offtopic_path: Path | None = None, progress: bool = False, model: str | None = None,
          tuning: dict | None = None, indicators_path: Path | None = None, distress_path: Path | None = None) -> Index:
    """Embed every item (and the off-topic calibration inputs, and the safety net's training texts) and build the
    index in memory."""
    started = time.perf_counter()
    exemplars, exemplars_sha = read_json(exemplars_path, "exemplars")
    indicators, indicators_sha = read_json(indicators_path, "indicators")
    offtopic, offtopic_sha = read_json(offtopic_path, "examples")
    distress, work, distress_sha = read_distress(distress_path)
    items = collect(framework, exemplars, indicators)
    vectors = encoder.encode([item.text for item in items], progress=progress)
    off = encoder.encode([t for t in (offtopic or []) if isinstance(t, str) and t.strip()])
    safety = encoder.encode(distress + work) if distress or work else np.zeros((0, vectors.shape[1]), np.float32)
    labels = np.r_[np.ones(len(distress)), np.zeros(len(work))].astype(np.int8)
    index = make_faiss(vectors)
    manifest = {
        **expected(framework, model or encoder.name, exemplars_sha, offtopic_sha, tuning, indicators_sha,
                   distress_sha),
        "model_path": str(encoder.path),
        "encoder": getattr(encoder, "backend", type(encoder).__name__),
        "dimension": int(vectors.shape[1]),
        "count": len(items),
        "distress_rows": {"distress": len(distress), "work": len(work)},
        "index_type": type(index).__name__,
        "items": [[item.id, item.kind, item.capability_id, item.text] for item in items],
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(time.perf_counter() - started, 2),
        "versions": {
            "python": platform.python_version(),
            "faiss": faiss_module().__version__,
            "numpy": np.__version__,
            "sentence_transformers": _version("sentence-transformers"),
            "torch": _version("torch"),
        },
    }
    return Index(index, items, vectors, off, manifest, distress=safety, distress_labels=labels)


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def _atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder and rename it into place."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(index: Index, folder: Path) -> Path:
    """Write the index files, then the manifest (with their checksums) last, each atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST_FILE
    manifest_path.unlink(missing_ok=True)
    faiss = faiss_module()
    _atomic(folder / INDEX_FILE, lambda h: h.write(faiss.serialize_index(index.faiss).tobytes()))
    _atomic(folder / VECTORS_FILE, lambda h: np.save(h, np.ascontiguousarray(index.vectors, dtype=np.float32)))
    _atomic(folder / OFFTOPIC_FILE, lambda h: np.save(h, index.offtopic))
    _atomic(folder / DISTRESS_FILE, lambda h: np.save(h, index.distress))
    index.manifest["files"] = {name: sha256_file(folder / name) for name in FILES}
    text = json.dumps(index.manifest, indent=1).encode("utf-8")
    _atomic(manifest_path, lambda h: h.write(text))
    index.path = folder
    return folder


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST_FILE
    if not path.exists():
        raise IndexProblem(f"no index at {folder} (manifest missing)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as err:
        raise IndexProblem(f"{path}: unreadable manifest ({err})") from None
    if not isinstance(manifest, dict):
        raise IndexProblem(f"{path}: unreadable manifest (not an object)")
    return manifest


def staleness(manifest: dict, want: dict) -> list[str]:
    """What differs between a saved manifest and what the current settings and data need."""
    labels = {
        "format": "index format",
        "framework": "framework",
        "model": "model",
        "corpus_sha256": "framework file",
        "exemplars_sha256": "exemplars file",
        "indicator_examples_sha256": "indicator examples file",
        "offtopic_sha256": "off-topic file",
        "distress_sha256": "safety net file",
        "tuning": "tuned model",
    }
    return [f"{labels[k]} changed" for k, v in want.items() if manifest.get(k) != v]


def _check_file(folder: Path, name: str, files: dict) -> None:
    """Raise IndexProblem unless the file is there and matches its checksum in the manifest."""
    path = folder / name
    if not path.exists():
        raise IndexProblem(f"index at {folder} is broken: {name} missing")
    try:
        current = sha256_file(path)
    except OSError as err:
        raise IndexProblem(f"index at {folder} is broken: cannot read {name} ({err.strerror})") from None
    if files.get(name) != current:
        raise IndexProblem(f"index at {folder} is broken: {name} does not match its checksum")


def _rows_problem(folder: Path, count: int, dimension: int, manifest: dict) -> IndexProblem | None:
    rows = manifest.get("items") or []
    if count != len(rows) or dimension != manifest.get("dimension"):
        return IndexProblem(f"index at {folder} is broken: {count} vectors for {len(rows)} items")
    return None


def header(path: Path) -> tuple[str, int, int] | None:
    """The type, dimension and vector count that open a saved FAISS index of a type whose vectors can be read
    back (READABLE), read without FAISS; None for any other file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return None
    if len(head) < 16 or head[:4] not in READABLE:
        return None
    dimension, count = struct.unpack("<iq", head[4:])
    return READABLE[head[:4]], dimension, count


def read_faiss(folder: Path, manifest: dict):
    """The saved FAISS index, checked against the manifest (checksum, size, a type whose vectors can be read
    back); raise IndexProblem if unusable."""
    faiss = faiss_module()
    _check_file(folder, INDEX_FILE, manifest.get("files") or {})
    try:
        index = faiss.deserialize_index(np.fromfile(folder / INDEX_FILE, dtype=np.uint8))
    except Exception as err:
        raise IndexProblem(f"index at {folder} is broken: {err}") from None
    problem = _rows_problem(folder, index.ntotal, index.d, manifest)
    if problem:
        raise problem
    if not isinstance(index, (faiss.IndexFlat, faiss.IndexIVFFlat)):
        raise IndexProblem(f"index at {folder} is broken: its vectors cannot be read back "
                           f"({type(index).__name__})")
    if isinstance(index, faiss.IndexIVFFlat) and index.direct_map.type == faiss.DirectMap.NoMap:
        index.make_direct_map()
    return index


def load(folder: Path, want: dict) -> Index:
    """Load a saved index, checking the manifest, the checksums and the row count; raise IndexProblem if unusable.

    The item vectors come from their own file, so FAISS is not imported here: the FAISS index file is checked by
    its checksum and by its header (a type whose vectors can be read back, of the manifest's size), and read
    only when first used (Index.faiss). A file of any other type is read through FAISS at once, to say why it
    cannot be used."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    stale = staleness(manifest, want)
    if stale:
        raise IndexProblem(f"index at {folder} is stale: {', '.join(stale)}")
    files = manifest.get("files") or {}
    for name in FILES:
        _check_file(folder, name, files)
    found = header(folder / INDEX_FILE)
    index = read_faiss(folder, manifest) if found is None else None
    try:
        vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
        offtopic = np.load(folder / OFFTOPIC_FILE, allow_pickle=False)
        distress = np.load(folder / DISTRESS_FILE, allow_pickle=False)
    except Exception as err:
        raise IndexProblem(f"index at {folder} is broken: {err}") from None
    rows = manifest.get("items") or []
    problem = _rows_problem(folder, found[2], found[1], manifest) if found else None
    if problem:
        raise problem
    dimension = manifest.get("dimension")
    if vectors.dtype != np.float32 or vectors.shape != (len(rows), dimension):
        raise IndexProblem(f"index at {folder} is broken: {VECTORS_FILE} does not match the manifest")
    labels = _distress_labels(manifest.get("distress_rows"), len(distress))
    if labels is None or (len(distress) and distress.shape[1:] != (dimension,)):
        raise IndexProblem(f"index at {folder} is broken: {DISTRESS_FILE} does not match the manifest")
    try:
        items = [Item(*row) for row in rows]
    except TypeError:
        raise IndexProblem(f"index at {folder} is broken: malformed item rows in the manifest") from None
    return Index(index, items, vectors, offtopic, manifest, path=folder,
                 distress=np.asarray(distress, dtype=np.float32), distress_labels=labels)


def _distress_labels(rows: object, count: int) -> np.ndarray | None:
    """1 for each distress row and 0 for each work row, as the manifest counts them; None when they disagree."""
    if not isinstance(rows, dict) or not all(isinstance(rows.get(k), int) and rows[k] >= 0 for k in DISTRESS_KEYS):
        return None
    if rows["distress"] + rows["work"] != count:
        return None
    return np.r_[np.ones(rows["distress"]), np.zeros(rows["work"])].astype(np.int8)


def file_sha(path: Path | None) -> str:
    return sha256_file(Path(path)) if path is not None and Path(path).exists() else ""


def folder_for(index_dir: Path, framework: Framework) -> Path:
    """Each framework gets its own folder under the index directory."""
    return Path(index_dir) / framework.id


def wanted(framework: Framework, model: str, exemplars_path: Path | None, offtopic_path: Path | None,
           tuning: dict | None = None, indicators_path: Path | None = None,
           distress_path: Path | None = None) -> dict:
    return expected(framework, model, file_sha(exemplars_path), file_sha(offtopic_path), tuning,
                    file_sha(indicators_path), file_sha(distress_path))


def ensure(framework: Framework, encoder: TextEncoder, index_dir: Path, exemplars_path: Path | None = None,
           offtopic_path: Path | None = None, force: bool = False, progress: bool = False,
           build_encoder=None, model: str | None = None, tuning: dict | None = None,
           indicators_path: Path | None = None, distress_path: Path | None = None) -> Index:
    """Load the saved index if it is current; otherwise rebuild it, save it if the folder is writable,
    and record a one-line notice of what happened in `Index.notices`.

    `build_encoder`, if given, is called for the encoder that embeds a rebuild (sentence-transformers itself);
    `encoder` is used otherwise. Both must be the same model. `model` is the model setting recorded in the
    manifest (default: the encoder's name); `tuning` identifies a tuned model (see index.tune); `distress_path`
    is the safety net's training file (see safety.detector)."""
    folder = folder_for(index_dir, framework)
    model = model or encoder.name
    want = wanted(framework, model, exemplars_path, offtopic_path, tuning, indicators_path, distress_path)
    reason = "rebuild requested"
    if not force:
        try:
            return load(folder, want)
        except IndexProblem as problem:
            reason = str(problem)
    embedder = build_encoder() if build_encoder is not None else encoder
    index = build(framework, embedder, exemplars_path, offtopic_path, progress=progress, model=model, tuning=tuning,
                  indicators_path=indicators_path, distress_path=distress_path)
    index.built = True
    try:
        save(index, folder)
        index.notices.append(f"{reason}; rebuilt it ({index.manifest['count']} items) and saved it to {folder}")
    except OSError as err:
        index.notices.append(
            f"{reason}; rebuilt it in memory but could not save it to {folder} ({err.strerror}). "
            "Set ILS_COACH_INDEX_DIR to a writable folder to keep it."
        )
    return index
