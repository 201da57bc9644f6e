"""Export a sentence-transformers model to ONNX once, beside the model, and find a whole export again without torch.

An export is a folder holding `model.onnx` (the model's whole forward pass up to the sentence embedding, before
normalisation, with its attention fused by ONNX Runtime's transformer optimiser where the architecture allows, and
as ONNX Runtime optimises it), its weights in `model.onnx.data` (ONNX Runtime maps that file into
memory rather than copying the weights out of the graph, so loading is quicker and holds one copy),
`tokenizer.json` (the model's own fast tokenizer, truncating and padding as sentence-transformers does) and
`export.json`, the record: checksums of those files and of every file of the model it came from. `make` needs
torch and sentence-transformers and runs once, where the model is made (after tuning, or on the first use of an
untuned or user-chosen model); `read` needs neither. Before an export is kept, its vectors are compared with
sentence-transformers' own on probe texts (long ones included); a model whose export gives other vectors, or
cannot be exported at all, is recorded as such and left to sentence-transformers.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from errors import CoachError

FOLDER = "onnx"
MODEL_FILE = "model.onnx"
WEIGHTS_FILE = "model.onnx.data"
TOKENIZER_FILE = "tokenizer.json"
FILES = (MODEL_FILE, WEIGHTS_FILE, TOKENIZER_FILE)
RECORD = "export.json"
FORMAT = "ils-coach-onnx/2"
OPSET = 17
TOLERANCE = 1e-5
OUTPUT = "sentence_embedding"
SKIPPED = {"tuned.json"}
# Architectures whose attention ONNX Runtime's transformer optimiser fuses with its BERT rules.
FUSABLE = {"bert", "roberta", "xlm-roberta"}
_TEMPORARY: dict[str, Path] = {}

PROBES = [
    "My director and I keep clashing over the budget.",
    "x",
    "   leading and trailing spaces   ",
    "UPPER CASE and MiXeD case words",
    "Ünïcödé café: naïve résumé, 数据 and émojis 🙂",
    "tabs\tand\nnew lines",
    "word " * 400,
    "We have to cut ten percent from the operating budget without reducing frontline services. " * 12,
]


class NotExportable(CoachError, RuntimeError):
    """The model loads in sentence-transformers but cannot be run from an ONNX export with the same vectors."""


@dataclass
class Export:
    """A whole export (`ok`), or the record that the model cannot be exported (`ok` False, `reason` says why)."""

    folder: Path
    record: dict
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.record.get("exportable"))

    @property
    def reason(self) -> str:
        return str(self.record.get("reason", ""))


def folder_for(model_path: str | Path, models_dir: str | Path) -> Path:
    """Where a model's export lives: inside the model's own folder for a model this program made (a tuned model,
    which carries its own record), so the export moves and is removed with it; otherwise, for a model that is not
    ours to write into (the bundled one, a hub download, a user's folder), under `models_dir`, named by a hash of
    the model's path."""
    model_path = Path(model_path)
    if (model_path / "tuned.json").is_file():
        return model_path / FOLDER
    digest = hashlib.sha256(str(model_path.resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(models_dir) / f"{FOLDER}-{digest}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: Path) -> dict:
    """What identifies a file: its checksum, size and modification time (the time lets `_same` skip the hash)."""
    stat = path.stat()
    return {"sha256": sha256_file(path), "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _same(path: Path, entry: object) -> bool:
    """True when a file is the one recorded: same size, and same time or (when copied) same checksum."""
    if not isinstance(entry, dict):
        return False
    try:
        stat = path.stat()
        if stat.st_size != entry.get("bytes"):
            return False
        return stat.st_mtime_ns == entry.get("mtime_ns") or sha256_file(path) == entry.get("sha256")
    except OSError:
        return False


def source_files(model_path: Path) -> list[Path]:
    """The files of a model folder that shape its vectors: everything but its export, hidden files, notes and the
    tuning record."""
    model_path = Path(model_path)
    out = []
    for path in sorted(model_path.rglob("*")):
        relative = path.relative_to(model_path)
        if (relative.parts[0] == FOLDER or any(part.startswith(".") for part in relative.parts)
                or path.suffix == ".md" or path.name in SKIPPED or not path.is_file()):
            continue
        out.append(path)
    return out


def read(folder: Path, model_path: str | Path) -> Export | None:
    """The export in `folder` if its record is readable, it was made from the model as it is now, and its files are
    whole (or it records that the model cannot be exported). None otherwise."""
    folder, model_path = Path(folder), Path(model_path)
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        source = record.get("source")
        files = [str(p.relative_to(model_path)) for p in source_files(model_path)]
        if not isinstance(source, dict) or sorted(source) != files:
            return None
        if not all(_same(model_path / name, entry) for name, entry in source.items()):
            return None
        if not record.get("exportable") and record.get("versions") != _versions():
            return None
        if record.get("exportable") and (record.get("onnxruntime") != _runtime_version() or not all(
                _same(folder / name, record.get("files", {}).get(name)) for name in FILES)):
            return None
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return Export(folder, record)


def _module(model, names: list[str], constants: dict):
    """The torch module that is exported: token ids in, the model's sentence embedding out."""
    import torch

    class Forward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model({**constants, **dict(zip(names, tensors, strict=True))})[OUTPUT]

    return Forward()


def _tokenizer(model, names: list[str]):
    """The model's fast tokenizer, truncating at the model's limit and padding to the longest text of a batch."""
    from tokenizers import Tokenizer

    backend = getattr(getattr(model, "tokenizer", None), "backend_tokenizer", None)
    if backend is None:
        raise NotExportable("the model has no fast (tokenizers library) tokenizer")
    unknown = set(names) - {"input_ids", "attention_mask", "token_type_ids"}
    if unknown:
        raise NotExportable(f"the model needs inputs a tokenizer alone does not give ({', '.join(sorted(unknown))})")
    tokenizer = Tokenizer.from_str(backend.to_str())
    limit = model.get_max_seq_length() if hasattr(model, "get_max_seq_length") else model.max_seq_length
    if limit:
        tokenizer.enable_truncation(int(limit))
    else:
        tokenizer.no_truncation()
    pad_id = model.tokenizer.pad_token_id
    tokenizer.enable_padding(pad_id=int(pad_id or 0), pad_token=str(model.tokenizer.pad_token or "[PAD]"))
    return tokenizer


def _transformer(model):
    """The Hugging Face model inside a SentenceTransformer, or None."""
    for module in model.children() if hasattr(model, "children") else ():
        inner = getattr(module, "auto_model", None)
        if inner is not None:
            return inner
    return None


def _export(model, folder: Path, fuse: bool = True) -> tuple[list[str], bool]:
    """Write the ONNX graph, its weights and the tokenizer of a loaded SentenceTransformer into `folder`; returns
    the graph's input names and whether its attention was fused (`fuse`, for the architectures in FUSABLE)."""
    import io
    import warnings

    import onnx
    import torch

    features = (getattr(model, "preprocess", None) or model.tokenize)(["an example situation", "a"])
    names = [name for name, value in features.items() if isinstance(value, torch.Tensor)]
    constants = {name: value for name, value in features.items() if not isinstance(value, torch.Tensor)}
    tokenizer = _tokenizer(model, names)
    tokenizer.save(str(folder / TOKENIZER_FILE))
    inner = _transformer(model)
    config = getattr(inner, "config", None)
    fuse = fuse and getattr(config, "model_type", "") in FUSABLE and hasattr(inner, "set_attn_implementation")
    attention = getattr(config, "_attn_implementation", None)
    was_training = model.training
    model.eval()
    graph = io.BytesIO()
    try:
        if fuse:
            # The optimiser recognises attention written out as matrix products and a softmax, not the fused
            # scaled_dot_product_attention call that the default implementation exports as.
            inner.set_attn_implementation("eager")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _module(model, names, constants), tuple(features[n] for n in names), graph, dynamo=False,
                input_names=names, output_names=[OUTPUT],
                dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, OUTPUT: {0: "batch"}},
                opset_version=OPSET, do_constant_folding=True)
    finally:
        if fuse and attention:
            inner.set_attn_implementation(attention)
        model.train(was_training)
    raw = folder / "raw"
    raw.mkdir()
    proto = onnx.load_from_string(graph.getvalue())
    fused = fuse and _fuse(proto, config, raw / MODEL_FILE)
    if not fused:
        onnx.save_model(proto, str(raw / MODEL_FILE), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=WEIGHTS_FILE, size_threshold=1024)
    _optimise(raw / MODEL_FILE, folder)
    import shutil

    shutil.rmtree(raw)
    return names, fused


def _fuse(proto, config, target: Path) -> bool:
    """Save the graph with its attention, embedding and layer norms fused into ONNX Runtime's own operators: one
    node per attention block instead of about thirty, so an encode split over two cores meets at far fewer
    points. False (nothing saved) when the optimiser fails or fuses no attention."""
    try:
        import logging

        from onnxruntime.transformers.optimizer import optimize_model

        logging.getLogger("onnxruntime.transformers").setLevel(logging.ERROR)
        optimised = optimize_model(proto, model_type="bert", num_heads=int(config.num_attention_heads),
                                   hidden_size=int(config.hidden_size), opt_level=0)
        if not optimised.get_fused_operator_statistics().get("Attention"):
            return False
        optimised.save_model_to_file(str(target), use_external_data_format=True, all_tensors_to_one_file=True)
    except Exception:
        return False
    return target.is_file()


def _optimise(source: Path, folder: Path) -> None:
    """Save the graph as ONNX Runtime optimises it (fused attention, layer norm and GELU; no layout changes, which
    depend on the processor), so that loading it needs no optimisation pass. Such a graph is tied to the ONNX
    Runtime version that wrote it (`read` checks it)."""
    onnxruntime = load_runtime()

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(folder / MODEL_FILE)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name", WEIGHTS_FILE)
    options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
    options.log_severity_level = 3
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def _difference(model, folder: Path, threads: int) -> float:
    """The largest difference between the export's unit vectors and sentence-transformers' on the probe texts."""
    import numpy as np

    from index.runtime import OnnxModel

    expected = model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    got = OnnxModel(folder, threads=threads).encode(PROBES, batch_size=3)
    return float(np.abs(got - expected).max())


def make(model_path: str | Path, folder: str | Path, model=None, threads: int = 2) -> Export:
    """Export the model at `model_path` into `folder` (written beside it, then moved into place) and check it.

    `model`, a SentenceTransformer already loaded from `model_path`, saves loading it again. A model that cannot be
    exported, or whose export gives other vectors, gets a record saying so instead (an `Export` with `ok` False)."""
    model_path, folder = Path(model_path), Path(folder)
    if model is None:
        from index.embed import load as load_encoder

        model = load_encoder(str(model_path), threads=threads, library=True).model
    source = {str(p.relative_to(model_path)): _entry(p) for p in source_files(model_path)}
    import shutil
    import tempfile

    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    started = time.perf_counter()
    record: dict = {"format": FORMAT, "source": source, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "versions": _versions()}
    try:
        try:
            names, fused = _export(model, scratch)
            difference = _difference(model, scratch, threads)
            if fused and not difference <= TOLERANCE:
                for name in FILES:
                    (scratch / name).unlink(missing_ok=True)
                names, fused = _export(model, scratch, fuse=False)
                difference = _difference(model, scratch, threads)
            if not difference <= TOLERANCE:
                raise NotExportable(f"its vectors differ from sentence-transformers' by up to {difference:.1e}")
            record.update(exportable=True, inputs=names, opset=OPSET, onnxruntime=_runtime_version(),
                          max_difference=difference, fused_attention=fused,
                          files={name: _entry(scratch / name) for name in FILES})
        except Exception as err:
            for name in FILES:
                (scratch / name).unlink(missing_ok=True)
            reason = str(err) if isinstance(err, NotExportable) else f"{type(err).__name__}: {str(err)[:200]}"
            record.update(exportable=False, reason=reason)
        record["seconds"] = round(time.perf_counter() - started, 1)
        (scratch / RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        scratch.rename(folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Export(folder, record)


def load_runtime():
    """ONNX Runtime, imported with its usage reports to Microsoft turned off: from 1.29 its Linux builds send them
    unless ORT_DISABLE_TELEMETRY=1 is set before the runtime starts, and nothing a person types may leave the
    machine, nor anything about how the program is used."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime

    return onnxruntime


def _runtime_version() -> str:
    onnxruntime = load_runtime()

    return onnxruntime.__version__


def _versions() -> dict:
    """The libraries an export depends on: a model recorded as not exportable is tried again when they change."""
    from importlib import metadata

    out = {}
    for package in ("torch", "onnxruntime", "tokenizers", "sentence-transformers"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = ""
    return out


def ensure(model_path: str | Path, models_dir: str | Path, threads: int = 2,
           log: Callable[[str], None] | None = None) -> Export:
    """The export of a model: reused when whole and made from the model as it is, otherwise made again (saved
    beside the model when the folder is writable; in a temporary folder, removed at exit, when it is not). The
    returned export's `notices` say what was made and why, in one line."""
    model_path = Path(model_path)
    folder = folder_for(model_path, models_dir)
    found = read(folder, model_path)
    if found is not None:
        return found
    earlier = _TEMPORARY.get(str(folder))
    if earlier is not None and (found := read(earlier, model_path)) is not None:
        return found
    reason = "the ONNX export was damaged or out of date" if folder.exists() else "no ONNX export of the model yet"
    if log:
        log("Exporting the language model to ONNX for fast queries (once; a few seconds)…")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        problem = "" if os.access(folder.parent, os.W_OK) else "not writable"
    except OSError as err:
        problem = err.strerror or type(err).__name__
    if not problem:
        made = make(model_path, folder, threads=threads)
        where = f"saved it to {folder}"
    else:
        import shutil
        import tempfile

        scratch = Path(tempfile.mkdtemp(prefix="ils-coach-onnx-"))
        atexit.register(shutil.rmtree, scratch, True)
        made = make(model_path, scratch / folder.name, threads=threads)
        _TEMPORARY[str(folder)] = made.folder
        where = f"could not save it under {folder.parent} ({problem}), so it lasts only while this program runs"
    if made.ok:
        made.notices.append(f"{reason}; exported the language model to ONNX and {where}")
    return made
