"""Fine-tune the sentence encoder on the situation exemplars, once, and keep the result in the tuned-model cache.

The exemplars teach the model that "my director and I keep clashing over the budget" sits near the capability
it illustrates. Training is contrastive (multiple-negatives ranking loss): each exemplar is pulled towards a text
of its own capability (its description or one of its indicators, or another exemplar) and pushed away from the
other pairs in its batch, which all belong to other capabilities. For a BERT model the lower layers stay as they
are: every text passes through them once, and only the upper layers are trained, on those stored outputs.

The tuned model is saved in its own folder, `<cache dir>/models/<key>/` (ILS_COACH_CACHE_DIR), where the key
hashes everything that shaped it (base model, framework, exemplars, recipe). Every index folder, rebuild and test
run with the same inputs reuses it. Other files may sit in that folder beside the model; they are left alone.
"""

from __future__ import annotations

import atexit
import copy
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.model import Framework
from index import export
from index.store import sha256_file

if TYPE_CHECKING:
    import random

RECORD = "tuned.json"
WEIGHTS = "model.safetensors"
MODELS = "models"
_TEMPORARY: dict[str, Tuned] = {}


@lru_cache(maxsize=1)
def native_bf16(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether this processor multiplies bfloat16 natively (AVX512-BF16 or AMX), read from the system's processor
    flags without importing torch; where it does not (or the flags cannot be read) bfloat16 would be emulated, and
    slower than float32."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return bool({"avx512_bf16", "amx_bf16"} & set(line.split(":", 1)[-1].split()))
    except OSError:
        pass
    return False


@dataclass(frozen=True)
class Recipe:
    """How the encoder is tuned. Chosen on the dev split of tests/data/situations.jsonl (see README).

    `batch` is an upper bound: a batch never holds two pairs of one capability, so with 20 capabilities it holds
    20. `freeze_embeddings` keeps the embedding layer (token, position and type embeddings) as it was.
    `frozen_layers` of a BERT model's lower layers are kept as they were too, and computed once per text; other
    models train every layer but the embeddings. `group` texts at most, of similar length, go through the upper
    layers together (texts of one length need no padding). `bf16`: the training steps multiply in bfloat16
    (torch's autocast; the weights stay float32), the default where the processor does that natively."""

    epochs: int = 1
    learning_rate: float = 5e-5
    batch: int = 32
    scale: float = 20.0
    seed: int = 0
    peers: bool = True
    freeze_embeddings: bool = True
    frozen_layers: int = 4
    group: int = 10
    bf16: bool = field(default_factory=native_bf16)


@dataclass(frozen=True)
class Pair:
    text: str
    partner: str
    capability: str


@dataclass
class Tuned:
    """A tuned model folder, what identifies it in the index manifest, and what happened to get it."""

    path: Path
    key: str
    weights_sha256: str
    notices: list[str] = field(default_factory=list)

    @property
    def entry(self) -> dict:
        """The manifest value: an index built with other weights is stale."""
        return {"key": self.key, "weights_sha256": self.weights_sha256}


def key(model: str, framework: Framework, exemplars_sha: str, recipe: Recipe) -> str:
    """A short hash of everything that shapes the tuned weights."""
    basis = json.dumps({"model": model, "framework": framework.sha256, "exemplars": exemplars_sha,
                        "recipe": asdict(recipe)}, sort_keys=True)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def pairs(framework: Framework, exemplars: dict, rng: random.Random, peers: bool = True) -> list[Pair]:
    """Training pairs: each exemplar with a random text of its capability (name and description, or an
    indicator) and, with `peers`, with a random other exemplar of the same capability."""
    out = []
    for cap in framework.capabilities:
        texts = [t for t in exemplars.get(cap.id) or () if t.strip()]
        anchors = [f"{cap.name}. {cap.description}", *(ind.text for ind in cap.indicators)]
        for n, text in enumerate(texts):
            out.append(Pair(text, rng.choice(anchors), cap.id))
            others = texts[:n] + texts[n + 1:]
            if peers and others:
                out.append(Pair(text, rng.choice(others), cap.id))
    rng.shuffle(out)
    return out


def batches(items: list[Pair], size: int) -> list[list[Pair]]:
    """Batches with at most one pair per capability, so every in-batch negative is another capability's text."""
    out, pool = [], list(items)
    while pool:
        batch, seen, rest = [], set(), []
        for pair in pool:
            if pair.capability not in seen and len(batch) < size:
                batch.append(pair)
                seen.add(pair.capability)
            else:
                rest.append(pair)
        out.append(batch)
        pool = rest
    return out


def bert_of(model):
    """The BertModel inside a SentenceTransformer made of a BERT, mean pooling and (optionally) normalisation,
    whose lower layers can be computed once and kept; None for any other model."""
    try:
        names = [type(module).__name__ for module in model]
        bert = model[0].auto_model
        layers = bert.encoder.layer
    except (AttributeError, IndexError, TypeError, KeyError):
        return None
    pooling = getattr(model[1], "pooling_mode", None) or getattr(model[1], "get_pooling_mode_str", lambda: "")()
    if (names[:2] != ["Transformer", "Pooling"] or any(n != "Normalize" for n in names[2:])
            or getattr(bert.config, "model_type", "") != "bert" or pooling not in ("mean", "mean_tokens")
            or not hasattr(bert, "embeddings") or len(layers) < 2):
        return None
    return bert


class Layered:
    """A BERT sentence encoder split in two: the frozen lower layers, run once per text and kept, and the upper
    layers, which training runs (with gradients) on the kept outputs. Mean pooling and normalisation follow."""

    def __init__(self, model, bert, frozen: int, group: int = 10):
        self.model, self.bert = model, bert
        self.frozen = max(0, min(frozen, len(bert.encoder.layer) - 1))
        self.group = max(1, group)
        self.kept: dict[str, object] = {}
        for parameter in bert.embeddings.parameters():
            parameter.requires_grad = False
        for layer in bert.encoder.layer[: self.frozen]:
            for parameter in layer.parameters():
                parameter.requires_grad = False

    def _layers(self, hidden, mask, layers):
        from transformers.masking_utils import create_bidirectional_mask

        extended = create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden, attention_mask=mask)
        for layer in layers:
            out = layer(hidden, extended)
            hidden = out[0] if isinstance(out, tuple) else out
        return hidden

    def keep(self, texts: list[str], batch: int = 64) -> None:
        """Run the embeddings and the frozen layers once for every text not kept yet (in evaluation mode)."""
        import torch

        todo = sorted({t for t in texts if t not in self.kept}, key=len)
        self.bert.eval()
        with torch.inference_mode():
            for start in range(0, len(todo), batch):
                chunk = todo[start:start + batch]
                features = self.model[0].tokenize(chunk)
                mask = features["attention_mask"]
                hidden = self.bert.embeddings(input_ids=features["input_ids"],
                                              token_type_ids=features.get("token_type_ids"))
                hidden = self._layers(hidden, mask, self.bert.encoder.layer[: self.frozen])
                for row, text in enumerate(chunk):
                    self.kept[text] = hidden[row, : int(mask[row].sum())].clone()

    def embed(self, texts: list[str]):
        """Unit vectors for texts (all kept already), through the upper layers, with gradients. Texts go through in
        groups of `group` of similar length, so that little of the work is padding."""
        import torch
        import torch.nn.functional as F

        order = sorted(range(len(texts)), key=lambda n: (self.kept[texts[n]].shape[0], n))
        pooled = [None] * len(texts)
        for start in range(0, len(order), self.group):
            rows = order[start:start + self.group]
            parts = [self.kept[texts[n]] for n in rows]
            length = max(part.shape[0] for part in parts)
            hidden = torch.zeros(len(parts), length, parts[0].shape[1])
            mask = torch.zeros(len(parts), length, dtype=torch.long)
            for row, part in enumerate(parts):
                hidden[row, : part.shape[0]] = part
                mask[row, : part.shape[0]] = 1
            hidden = self._layers(hidden, mask, self.bert.encoder.layer[self.frozen:])
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            means = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            for row, n in enumerate(rows):
                pooled[n] = means[row]
        return F.normalize(torch.stack(pooled), dim=-1)


def train(model, items: list[Pair], recipe: Recipe, log: Callable[[str], None] | None = None) -> dict:
    """Tune a SentenceTransformer in place; returns figures about the run."""
    import contextlib
    import random

    import torch
    import torch.nn.functional as F

    torch.manual_seed(recipe.seed)
    rng = random.Random(recipe.seed)
    started = time.perf_counter()
    bert = bert_of(model) if recipe.frozen_layers > 0 else None
    if bert is not None:
        layered = Layered(model, bert, recipe.frozen_layers, recipe.group)
        layered.keep([text for pair in items for text in (pair.text, pair.partner)])
        embed = layered.embed
        frozen = layered.frozen
    else:
        if recipe.freeze_embeddings:
            for name, parameter in model.named_parameters():
                if ".embeddings." in f".{name}":
                    parameter.requires_grad = False
        prepare = getattr(model, "preprocess", None) or model.tokenize

        def embed(texts: list[str]):
            return F.normalize(model(prepare(texts))["sentence_embedding"], dim=-1)

        frozen = 0
    kept_seconds = time.perf_counter() - started
    optimiser = _optimiser(torch, [p for p in model.parameters() if p.requires_grad], recipe.learning_rate)
    model.train()
    steps, loss_value = 0, float("nan")
    mixed = torch.autocast("cpu", dtype=torch.bfloat16) if recipe.bf16 else contextlib.nullcontext()
    for _ in range(recipe.epochs):
        shuffled = list(items)
        rng.shuffle(shuffled)
        for batch in batches(shuffled, recipe.batch):
            if len(batch) < 2:
                continue
            with mixed:
                vectors = embed([p.text for p in batch] + [p.partner for p in batch])
            logits = vectors[: len(batch)] @ vectors[len(batch):].T * recipe.scale
            loss = F.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            steps += 1
            loss_value = float(loss.detach())
            if log and steps % 25 == 0:
                log(f"  tuning: {steps} steps, {time.perf_counter() - started:.0f} s")
    model.eval()
    return {"pairs": len(items), "steps": steps, "last_loss": round(loss_value, 4), "frozen_layers": frozen,
            "kept_seconds": round(kept_seconds, 1), "seconds": round(time.perf_counter() - started, 1)}


def _optimiser(torch, parameters: list, learning_rate: float):
    """AdamW with its fused kernel where this torch has one for the processor (the same update rule, in one pass
    over each tensor instead of several), else the plain loop."""
    try:
        return torch.optim.AdamW(parameters, lr=learning_rate, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(parameters, lr=learning_rate)


def read(folder: Path, want_key: str) -> Tuned | None:
    """The tuned model in `folder` if its record matches the key and its weights file has the recorded size."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        ok = (record.get("key") == want_key and (folder / WEIGHTS).stat().st_size == record.get("weights_bytes"))
    except (OSError, ValueError, AttributeError):
        return None
    return Tuned(folder, want_key, str(record.get("weights_sha256", ""))) if ok else None


def describe(model: str) -> str:
    """A model's name for people, never a folder path: the base model's name, and "tuned on the ILS Coach
    exemplars" when `model` is a tuned model's folder (say "all-MiniLM-L6-v2, tuned on the ILS Coach
    exemplars")."""
    try:
        record = json.loads((Path(model) / RECORD).read_text(encoding="utf-8"))
        base = record.get("base_model") if isinstance(record, dict) else None
    except (OSError, ValueError):
        base = None
    name = str(base or model).rstrip("/\\")
    if Path(name).is_absolute() or name.startswith((".", "~")):
        name = Path(name).name
    return f"{name}, tuned on the ILS Coach exemplars" if base else name


def folder_for(cache_dir: Path, tuned_key: str) -> Path:
    """Where the tuned model with this key lives in the cache."""
    return Path(cache_dir) / MODELS / tuned_key


def make(model: str, framework: Framework, exemplars: dict, exemplars_sha: str, target: Path, threads: int = 2,
         recipe: Recipe | None = None, log: Callable[[str], None] | None = None) -> Tuned:
    """Tune a copy of `model` and save it at `target` with its ONNX export (index.export; written beside it first,
    then moved into place). When another process saved the same model there meanwhile, that one is kept and this
    copy dropped."""
    import random
    import shutil
    import tempfile

    from index.embed import limit_threads
    from index.embed import load as load_encoder

    recipe = recipe or Recipe()
    tuned_key = key(model, framework, exemplars_sha, recipe)
    base = load_encoder(model, threads=threads, library=True)
    limit_threads(threads)
    student = copy.deepcopy(base.model)
    items = pairs(framework, exemplars, random.Random(recipe.seed), recipe.peers)
    if log:
        log(f"Tuning the language model on {len(items):,} pairs from the example situations (once; about a "
            "minute on two cores)…")
    figures = train(student, items, recipe, log)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        student.save(str(scratch))
        weights = scratch / WEIGHTS
        record = {"key": tuned_key, "base_model": model, "framework": framework.id,
                  "framework_sha256": framework.sha256, "exemplars_sha256": exemplars_sha,
                  "recipe": asdict(recipe), **figures, "weights_sha256": sha256_file(weights),
                  "weights_bytes": weights.stat().st_size, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        (scratch / RECORD).write_text(json.dumps(record, indent=1), encoding="utf-8")
        export.make(scratch, export.folder_for(scratch, target.parent), model=student, threads=threads)
        _place(scratch, target, tuned_key)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    found = read(target, tuned_key)
    if found is None:
        raise OSError(f"the tuned model could not be saved at {target}")
    return found


def _place(scratch: Path, target: Path, tuned_key: str) -> None:
    """Move a finished model folder into place, unless a whole one with the same key is there already."""
    if read(target, tuned_key) is not None:
        return
    import shutil

    if target.exists():
        shutil.rmtree(target)
    try:
        scratch.rename(target)
    except OSError:
        if read(target, tuned_key) is None:
            raise


def prune(models_dir: Path, framework_id: str, keep: Path, base_model: str | None = None) -> list[Path]:
    """Remove tuned models that a newer one replaces (each is about 90 MB): those of the same framework and, when
    given, the same base model, so that tuning another model leaves this one's cache entry alone."""
    import shutil

    removed = []
    for folder in Path(models_dir).iterdir():
        if folder == keep or not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (isinstance(record, dict) and record.get("framework") == framework_id
                and (base_model is None or record.get("base_model") == base_model)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def ensure(model: str, framework: Framework, exemplars: dict | None, exemplars_sha: str, cache_dir: Path,
           threads: int = 2, force: bool = False, recipe: Recipe | None = None,
           log: Callable[[str], None] | None = None) -> Tuned | None:
    """The tuned model for these settings: reused when saved in the cache and whole, otherwise trained (and saved
    in the cache when it is writable; in a temporary folder, removed at exit, when it is not). None without
    exemplars."""
    if not exemplars or not any(t.strip() for texts in exemplars.values() for t in texts):
        return None
    recipe = recipe or Recipe()
    tuned_key = key(model, framework, exemplars_sha, recipe)
    target = folder_for(cache_dir, tuned_key)
    if not force:
        found = read(target, tuned_key)
        if found is not None:
            return found
    reason = "tuning requested" if force else (
        "the tuned model was damaged" if target.exists() else "no tuned model for these exemplars yet")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(target.parent, os.W_OK)
        problem = "" if writable else "not writable"
    except OSError as err:
        writable, problem = False, err.strerror or type(err).__name__
    import shutil

    if writable:
        if force and target.exists():
            shutil.rmtree(target, ignore_errors=True)
        tuned = make(model, framework, exemplars, exemplars_sha, target, threads, recipe, log)
        tuned.notices.append(f"{reason}; tuned the language model on the exemplars and saved it to {target}")
        prune(target.parent, framework.id, keep=target, base_model=model)
    else:
        earlier = _TEMPORARY.get(tuned_key)
        if earlier is not None and read(earlier.path, tuned_key) is not None:
            return Tuned(earlier.path, tuned_key, earlier.weights_sha256, list(earlier.notices))
        import tempfile

        scratch = Path(tempfile.mkdtemp(prefix="ils-coach-model-"))
        atexit.register(shutil.rmtree, scratch, True)
        tuned = make(model, framework, exemplars, exemplars_sha, scratch / tuned_key, threads, recipe, log)
        tuned.notices.append(f"{reason}; tuned the language model but could not save it under {target.parent} "
                             f"({problem}), so it lasts only while this program runs. Set ILS_COACH_CACHE_DIR "
                             "to a writable folder to keep it.")
        _TEMPORARY[tuned_key] = tuned
    return tuned
