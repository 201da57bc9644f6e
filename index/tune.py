"""Fine-tune the sentence encoder on the situation exemplars, once, and keep the result next to the index.

The exemplars teach the model that "my director and I keep clashing over the budget" sits near the capability
it illustrates. Training is contrastive (multiple-negatives ranking loss): each exemplar is pulled towards a text
of its own capability (its description or one of its indicators, or another exemplar) and pushed away from the
other pairs in its batch, which all belong to other capabilities. One pass over the data takes about 2.7 minutes
on two cores. The tuned model is saved under `<index dir>/models/<key>/`, where the key hashes everything that
shaped it (base model, framework, exemplars, recipe), so it is trained once and reused by every rebuild.
"""

from __future__ import annotations

import atexit
import copy
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from corpus.model import Framework
from index.store import sha256_file

RECORD = "tuned.json"
WEIGHTS = "model.safetensors"
_TEMPORARY: dict[str, Tuned] = {}


@dataclass(frozen=True)
class Recipe:
    """How the encoder is tuned. Chosen on the dev split of tests/data/situations.jsonl (see README).

    `batch` is an upper bound: a batch never holds two pairs of one capability, so with 20 capabilities it holds
    20. `freeze_embeddings` keeps the embedding layer (token, position and type embeddings) as it was."""

    epochs: int = 1
    learning_rate: float = 2e-5
    batch: int = 32
    scale: float = 20.0
    seed: int = 0
    peers: bool = True
    freeze_embeddings: bool = True


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


def train(model, items: list[Pair], recipe: Recipe, log: Callable[[str], None] | None = None) -> dict:
    """Tune a SentenceTransformer in place; returns figures about the run."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(recipe.seed)
    rng = random.Random(recipe.seed)
    if recipe.freeze_embeddings:
        for name, parameter in model.named_parameters():
            if ".embeddings." in f".{name}":
                parameter.requires_grad = False
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=recipe.learning_rate)

    prepare = getattr(model, "preprocess", None) or model.tokenize

    def embed(texts: list[str]):
        return F.normalize(model(prepare(texts))["sentence_embedding"], dim=-1)

    model.train()
    steps, loss_value, started = 0, float("nan"), time.perf_counter()
    for _ in range(recipe.epochs):
        shuffled = list(items)
        rng.shuffle(shuffled)
        for batch in batches(shuffled, recipe.batch):
            if len(batch) < 2:
                continue
            logits = embed([p.text for p in batch]) @ embed([p.partner for p in batch]).T * recipe.scale
            loss = F.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            steps += 1
            loss_value = float(loss.detach())
            if log and steps % 25 == 0:
                log(f"  tuning: {steps} steps, {time.perf_counter() - started:.0f} s")
    model.eval()
    return {"pairs": len(items), "steps": steps, "last_loss": round(loss_value, 4),
            "seconds": round(time.perf_counter() - started, 1)}


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


def folder_for(index_dir: Path, tuned_key: str) -> Path:
    return Path(index_dir) / "models" / tuned_key


def make(model: str, framework: Framework, exemplars: dict, exemplars_sha: str, target: Path, threads: int = 2,
         recipe: Recipe | None = None, log: Callable[[str], None] | None = None) -> Tuned:
    """Tune a copy of `model` and save it at `target` (written beside it first, then moved into place)."""
    from index.embed import limit_threads
    from index.embed import load as load_encoder

    recipe = recipe or Recipe()
    tuned_key = key(model, framework, exemplars_sha, recipe)
    base = load_encoder(model, threads=threads, library=True)
    limit_threads(threads)
    student = copy.deepcopy(base.model)
    items = pairs(framework, exemplars, random.Random(recipe.seed), recipe.peers)
    if log:
        log(f"Tuning the language model on {len(items):,} pairs from the example situations "
            "(once; about three minutes on two cores)…")
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
        if target.exists():
            shutil.rmtree(target)
        scratch.rename(target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Tuned(target, tuned_key, record["weights_sha256"])


def prune(models_dir: Path, framework_id: str, keep: Path) -> list[Path]:
    """Remove tuned models of this framework that a newer one replaces (each is about 90 MB)."""
    removed = []
    for folder in Path(models_dir).iterdir():
        if folder == keep or not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("framework") == framework_id:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def ensure(model: str, framework: Framework, exemplars: dict | None, exemplars_sha: str, index_dir: Path,
           threads: int = 2, force: bool = False, recipe: Recipe | None = None,
           log: Callable[[str], None] | None = None) -> Tuned | None:
    """The tuned model for these settings: reused when saved and whole, otherwise trained (and saved when the
    index folder is writable; in a temporary folder, removed at exit, when it is not). None without exemplars."""
    if not exemplars or not any(t.strip() for texts in exemplars.values() for t in texts):
        return None
    recipe = recipe or Recipe()
    tuned_key = key(model, framework, exemplars_sha, recipe)
    target = folder_for(index_dir, tuned_key)
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
    if writable:
        tuned = make(model, framework, exemplars, exemplars_sha, target, threads, recipe, log)
        tuned.notices.append(f"{reason}; tuned the language model on the exemplars and saved it to {target}")
        prune(target.parent, framework.id, keep=target)
    else:
        earlier = _TEMPORARY.get(tuned_key)
        if earlier is not None and read(earlier.path, tuned_key) is not None:
            return Tuned(earlier.path, tuned_key, earlier.weights_sha256, list(earlier.notices))
        scratch = Path(tempfile.mkdtemp(prefix="ils-coach-model-"))
        atexit.register(shutil.rmtree, scratch, True)
        tuned = make(model, framework, exemplars, exemplars_sha, scratch / tuned_key, threads, recipe, log)
        tuned.notices.append(f"{reason}; tuned the language model but could not save it under {target.parent} "
                             f"({problem}), so it lasts only while this program runs")
        _TEMPORARY[tuned_key] = tuned
    return tuned
