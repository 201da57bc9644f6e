"""Keep the off-topic rule fitted when an index first loads beside that index, so later starts skip the fit.

Fitting the rule (retrieval.topic: four logistic regressions and two threshold scans) is most of the time a
Retriever takes to load. It depends only on the saved index, the ranking method and the code that fits it, so it
is saved as `offtopic-rule.npz` in the index folder under a key that hashes the index files' checksums, the
framework's, the ranking method and the source of the modules that compute it; any change to those fits it
afresh. Saving is best effort: a folder that cannot be written just means the rule is fitted on every start, as
before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from retrieval import topic

FILE = "offtopic-rule.npz"
_SOURCES = ("topic.py", "scoring.py", "engine.py", "kept.py")
FIELDS = ("detector_weights", "detector_bias", "detector_threshold", "similarity_threshold", "detector_scale",
          "similarity_scale")


def key(index, method=None) -> str:
    """What the fitted rule depends on: the index files, the framework, the ranking method (which items count for
    a capability) and the code that fits it."""
    here = Path(__file__).resolve().parent
    basis = {"files": index.manifest.get("files"), "corpus": index.manifest.get("corpus_sha256"),
             "method": dataclasses.asdict(method) if method is not None else None,
             "code": [hashlib.sha256((here / name).read_bytes()).hexdigest() for name in _SOURCES]}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode("utf-8")).hexdigest()


def load(index, method=None) -> topic.Rule | None:
    """The rule saved beside a loaded index for its current key, or None (not saved, other key, unreadable)."""
    if index.path is None or not index.manifest.get("files"):
        return None
    try:
        with np.load(Path(index.path) / FILE, allow_pickle=False) as saved:
            if str(saved["key"]) != key(index, method):
                return None
            values = {name: saved[name] for name in FIELDS}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    detector = topic.Detector(np.asarray(values["detector_weights"], dtype=np.float64),
                              float(values["detector_bias"]), float(values["detector_threshold"]))
    return topic.Rule(detector, float(values["similarity_threshold"]), float(values["detector_scale"]),
                      float(values["similarity_scale"]))


def save(index, rule: topic.Rule, method=None) -> None:
    """Write the rule beside a saved index (through a temporary file); a folder that cannot be written is left."""
    import tempfile

    if index.path is None or not index.manifest.get("files"):
        return
    folder = Path(index.path)
    values = {"key": np.array(key(index, method)), "detector_weights": np.asarray(rule.detector.weights),
              "detector_bias": np.array(rule.detector.bias), "detector_threshold": np.array(rule.detector.threshold),
              "similarity_threshold": np.array(rule.similarity_threshold),
              "detector_scale": np.array(rule.detector_scale), "similarity_scale": np.array(rule.similarity_scale)}
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{FILE}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **values)
        os.replace(tmp, folder / FILE)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
