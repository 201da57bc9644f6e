"""Get a framework's index and its query encoder ready: tune the model if needed, then load or rebuild the index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import settings as settings_module
from corpus.model import Framework
from index import store, tune


@dataclass
class Ready:
    index: store.Index
    encoder: object
    tuned: tune.Tuned | None


def tuning_for(config: settings_module.Settings) -> tuple[dict | None, str]:
    """The exemplars (None when tuning is off or there are none) and the exemplars file's checksum."""
    exemplars, sha = store.read_json(config.exemplars, "exemplars")
    return (exemplars if config.tune else None), sha


def load(framework: Framework, config: settings_module.Settings | None = None, model: str | None = None,
         force: bool = False, progress: bool = False, log: Callable[[str], None] | None = None) -> Ready:
    """The index (rebuilt when missing, stale or broken) and the encoder that answers queries against it.

    With tuning on (ILS_COACH_TUNE, the default) the query encoder is the model tuned on the exemplars
    (index.tune), trained on first use and kept in the tuned-model cache (ILS_COACH_CACHE_DIR); `force`
    retrains it too. Queries run on the model's ONNX export (index.export) unless ILS_COACH_ENCODER=torch, and
    a rebuild embeds with the same encoder: the export's vectors equal sentence-transformers' (index.export checks
    them before keeping it), and a build need not import torch. On sentence-transformers (the setting, or a model
    that cannot be exported) the rebuild runs there too.
    """
    from index.embed import OnnxBackend, builder, models_dir
    from index.embed import load as load_encoder

    config = config or settings_module.get()
    model = model or config.model
    exemplars, exemplars_sha = tuning_for(config)
    tuned = tune.ensure(model, framework, exemplars, exemplars_sha, config.cache_dir, config.threads,
                        force=force, log=log) if exemplars else None
    query_model = str(tuned.path) if tuned else model
    encoder = load_encoder(query_model, threads=config.threads, exports=models_dir(config), log=log,
                           per_encode=config.encode_threads)
    exported, encoder.notices = encoder.notices, []
    build_encoder = None if encoder.backend == OnnxBackend.name else builder(query_model, config.threads)
    index = store.ensure(framework, encoder, config.index_dir, config.exemplars, config.offtopic, force=force,
                         progress=progress, build_encoder=build_encoder, model=model,
                         tuning=tuned.entry if tuned else None, indicators_path=config.indicator_exemplars,
                         distress_path=config.distress)
    index.notices[:0] = (tuned.notices if tuned else []) + exported
    return Ready(index, encoder, tuned)


def wanted(framework: Framework, config: settings_module.Settings, model: str) -> dict:
    """The manifest fields a current index must have, without training anything (for `python -m index info`)."""
    exemplars, exemplars_sha = tuning_for(config)
    tuning = None
    if exemplars:
        recipe_key = tune.key(model, framework, exemplars_sha, tune.Recipe())
        found = tune.read(tune.folder_for(config.cache_dir, recipe_key), recipe_key)
        tuning = found.entry if found else {"key": recipe_key, "weights_sha256": "(not tuned yet)"}
    return store.wanted(framework, model, config.exemplars, config.offtopic, tuning, config.indicator_exemplars,
                        config.distress)
